//! Checks of the built-in world: it compiles, meets its size and dependency targets, every tool
//! succeeds with results that conform to its `returns` schema, and every tool fails with a typed error.

use super::oracle::oracle_args;
use super::value::Val;
use super::*;
use crate::Environment;
use hardgen_core::{ArgError, ToolCall, ToolError};
use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;
use serde_json::{json, Value};

/// The world under test: the built-in one, or the domain files in `$HARDGEN_TEST_WORLD` (to check
/// a world of your own with the same tests).
fn world() -> World {
    if let Ok(dir) = std::env::var("HARDGEN_TEST_WORLD") {
        match load_dir(std::path::Path::new(&dir)) {
            Ok(def) => return World::new(std::sync::Arc::new(def), 7),
            Err(e) => panic!("{dir}: {e}"),
        }
    }
    match builtin() {
        Ok(def) => World::new(def, 7),
        Err(e) => panic!("built-in world does not compile: {e}"),
    }
}

fn call(w: &mut World, name: &str, args: Value) -> Result<Value, ToolError> {
    w.execute(&ToolCall::new(name, args))
}

#[test]
fn builtin_world_meets_targets() {
    let w = world();
    let s = w.def().stats();
    println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
    assert!(s.domains >= 23, "domains {}", s.domains);
    assert!(s.tools >= 500, "tools {}", s.tools);
    assert!(
        s.dependent_share >= 0.4,
        "dependent share {}",
        s.dependent_share
    );
    assert!(
        s.cross_domain_links >= 20,
        "cross-domain links {}",
        s.cross_domain_links
    );
    for d in &s.per_domain {
        assert!(
            d.longest_chain >= 4,
            "domain {} longest chain {} ({:?})",
            d.domain,
            d.longest_chain,
            d.chain
        );
    }
    assert!(s.min_longest_chain >= 4);
    // At least half of the domains need a necessary chain of 6 calls or more.
    let deep: Vec<&str> = s
        .per_domain
        .iter()
        .filter(|d| d.longest_chain >= 6)
        .map(|d| d.domain.as_str())
        .collect();
    assert!(
        deep.len() * 2 >= s.domains,
        "only {} of {} domains have a chain of 6 or more: {deep:?}",
        deep.len(),
        s.domains
    );
}

#[test]
fn every_tool_is_reachable() {
    let w = world();
    let chains = w.def().shortest_chains();
    let missing: Vec<&str> = chains
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_none())
        .map(|(i, _)| w.def().tools[i].name.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "tools whose required ids no tool returns: {missing:?}"
    );
}

#[test]
fn no_two_tools_are_the_same_operation() {
    let w = world();
    let def = w.def();
    let mut seen = std::collections::HashMap::new();
    for (i, s) in def.specs.iter().enumerate() {
        // Same parameters and same result shape on the same collection would be a renamed copy.
        let key = format!(
            "{:?}|{}|{}",
            def.tools[i].kind,
            s.parameters,
            s.returns.clone().unwrap_or_default()
        );
        let other = seen.insert(key, s.name.clone());
        assert!(
            other.is_none(),
            "tools {other:?} and {} differ only in name",
            s.name
        );
    }
}

#[test]
fn every_tool_succeeds_and_results_conform() {
    let mut w = world();
    let def = w.def().clone();
    let validators: Vec<jsonschema::Validator> = def
        .specs
        .iter()
        .map(|s| {
            jsonschema::validator_for(s.returns.as_ref().unwrap_or(&json!({})))
                .expect("returns schema compiles")
        })
        .collect();
    let mut never_ok = Vec::new();
    let mut calls = 0;
    for (ti, t) in def.tools.iter().enumerate() {
        let mut ok = 0;
        let mut last_err = None;
        for seed in 0..120u64 {
            w.reset(seed);
            let mut rng = ChaCha8Rng::seed_from_u64(seed * 1000 + ti as u64);
            let args = oracle_args(&mut w, ti, &mut rng);
            calls += 1;
            match w.execute(&ToolCall {
                name: t.name.clone(),
                arguments: args.clone(),
            }) {
                Ok(r) => {
                    let conform = validators[ti].validate(&r);
                    assert!(
                        conform.is_ok(),
                        "{} result does not conform to returns: {conform:?}\nargs {args:?}\nresult {r}",
                        t.name
                    );
                    ok += 1;
                }
                Err(ToolError::InvalidArguments { error, .. }) => {
                    panic!(
                        "oracle built invalid arguments for {}: {error} ({args:?})",
                        t.name
                    )
                }
                Err(e) => last_err = Some(e.to_string()),
            }
        }
        if ok == 0 {
            never_ok.push(format!("{}: {}", t.name, last_err.unwrap_or_default()));
        }
    }
    assert!(calls > 0);
    assert!(
        never_ok.is_empty(),
        "tools that never succeeded:\n{}",
        never_ok.join("\n")
    );
}

#[test]
fn every_tool_fails_with_a_typed_error() {
    let mut w = world();
    let def = w.def().clone();
    let mut with_id = 0;
    for (ti, spec) in def.specs.iter().enumerate() {
        w.reset(3);
        let required: Vec<&str> = spec.required_params().collect();
        match required.first() {
            Some(_) => match call(&mut w, &spec.name, json!({})) {
                Err(ToolError::InvalidArguments {
                    error: ArgError::MissingRequired { param },
                    ..
                }) => {
                    assert!(required.contains(&param.as_str()), "{}: {param}", spec.name);
                }
                other => panic!(
                    "{}: expected missing-required error, got {other:?}",
                    spec.name
                ),
            },
            None => match call(&mut w, &spec.name, json!({"no_such_param": 1})) {
                Err(ToolError::InvalidArguments {
                    error: ArgError::Unknown { param },
                    ..
                }) => assert_eq!(param, "no_such_param"),
                other => panic!("{}: expected unknown-param error, got {other:?}", spec.name),
            },
        }
        // An id of the right shape that does not exist is NotFound, for every tool taking an id
        // (the first required id param, even when a token param comes before it).
        let id_param = def.param_entities[ti].iter().find_map(|(p, e, r)| match e {
            Entity::Id(tc) if *r => Some((p, *tc)),
            _ => None,
        });
        let Some((p, tc)) = id_param else { continue };
        with_id += 1;
        let mut rng = ChaCha8Rng::seed_from_u64(ti as u64);
        let mut args = oracle_args(&mut w, ti, &mut rng);
        args.insert(p.clone(), json!(format!("{}-9999", def.colls[tc].prefix)));
        let r = w.execute(&ToolCall {
            name: spec.name.clone(),
            arguments: args,
        });
        assert!(
            matches!(r, Err(ToolError::NotFound { .. })),
            "{}: expected not_found for a missing {p}, got {r:?}",
            spec.name
        );
    }
    assert!(with_id > 0, "no tool takes an id");
}

#[test]
fn dates_outside_their_bounds_are_refused() {
    let mut w = world();
    let def = w.def().clone();
    let (mut floors, mut ceilings) = (0, 0);
    for (ti, bounds) in def.date_floors.iter().enumerate() {
        let name = &def.specs[ti].name;
        for (param, lo, hi) in bounds {
            // A day past each bound, in otherwise valid arguments.
            let day = |d: &Option<String>| d.as_deref().and_then(value::parse_date);
            let outside = [
                day(lo).map(|d| (d - 1, "before")),
                day(hi).map(|d| (d + 1, "after")),
            ];
            for (d, side) in outside.into_iter().flatten() {
                w.reset(3);
                let mut rng = ChaCha8Rng::seed_from_u64(ti as u64);
                let mut args = oracle_args(&mut w, ti, &mut rng);
                args.insert(param.clone(), json!(value::format_date(d)));
                match w.execute(&ToolCall {
                    name: name.clone(),
                    arguments: args,
                }) {
                    Err(ToolError::InvalidArguments {
                        error: ArgError::OutOfRange { param: p, detail },
                        ..
                    }) => {
                        assert_eq!(&p, param, "{name}");
                        assert!(detail.contains(side), "{name}: {detail}");
                    }
                    other => panic!("{name}: {param} {side} its bound gave {other:?}"),
                }
                floors += usize::from(side == "before");
                ceilings += usize::from(side == "after");
            }
        }
    }
    // The built-in world dates things to come and things past.
    if std::env::var("HARDGEN_TEST_WORLD").is_err() {
        assert!(
            floors >= 20 && ceilings >= 5,
            "{floors} floors, {ceilings} ceilings"
        );
    }
}

#[test]
fn reset_snapshot_and_digest() {
    let mut a = world();
    let mut b = world();
    a.reset(11);
    b.reset(11);
    assert_eq!(a.digest(), b.digest(), "same seed, same state");
    let first = call(&mut a, "get_account", json!({"account_id": "BKA-1001"})).expect("get");
    let again = call(&mut b, "get_account", json!({"account_id": "BKA-1001"})).expect("get");
    assert_eq!(first, again);
    b.reset(12);
    assert_ne!(a.digest(), b.digest(), "different seed, different state");
    let snap = a.snapshot();
    let before = a.digest();
    call(
        &mut a,
        "unfreeze_account",
        json!({"account_id": "BKA-1001"}),
    )
    .ok();
    call(&mut a, "block_card", json!({"card_id": "BKC-1001"})).ok();
    // An open account: a payee is saved on one that is not frozen or closed.
    let (acc, _, _) = open_account(&mut a);
    let r = call(
        &mut a,
        "add_payee",
        json!({"account_id": acc, "payee_name": "Ana Silva", "payee_iban": "PT50000000000000000000001"}),
    );
    assert!(r.is_ok(), "add_payee: {r:?}");
    assert_ne!(a.digest(), before, "a change moves the digest");
    a.restore(&snap);
    assert_eq!(a.digest(), before, "restore returns to the saved state");
}

#[test]
fn same_fields_agree_with_the_row_they_follow() {
    let mut w = world();
    let def = w.def().clone();
    let coll = |name: &str| def.colls.iter().position(|c| c.name == name).expect(name);
    let (folder, file, version) = (coll("folder"), coll("file"), coll("file_version"));
    let field = |c: usize, name: &str| def.colls[c].field(name).expect(name);
    let folders = w.table(folder).rows().to_vec();
    let files = w.table(file).rows().to_vec();
    let versions = w.table(version).rows().to_vec();
    let drive_of = |rows: &[std::sync::Arc<[Val]>], c: usize, via: &Val| -> Val {
        let Val::Str(id) = via else {
            panic!("{via:?} is not an id")
        };
        let i = def.colls[c].parse_id(id).expect("an id of the collection");
        rows[i][field(c, "drive_id")].clone()
    };
    for f in files.iter() {
        assert_eq!(
            f[field(file, "drive_id")],
            drive_of(&folders, folder, &f[field(file, "folder_id")]),
            "a file is on its folder's drive"
        );
    }
    for v in versions.iter() {
        assert_eq!(
            v[field(version, "drive_id")],
            drive_of(&files, file, &v[field(version, "file_id")]),
            "a version is on its file's drive"
        );
    }
}

#[test]
fn a_same_field_must_follow_an_earlier_ref_to_a_ref() {
    let domain = |fields: &str| {
        format!(
            r#"{{"domain": "d", "description": "A test domain.", "collections": [
            {{"name": "drive", "prefix": "DR", "count": 3, "desc": "a drive", "fields": [
              {{"name": "label", "desc": "Label", "gen": "pick", "values": ["a", "b"]}}]}},
            {{"name": "folder", "prefix": "FO", "count": 3, "desc": "a folder", "fields": [
              {{"name": "drive_id", "desc": "Drive", "gen": "ref", "to": "drive"}},
              {{"name": "label", "desc": "Label", "gen": "pick", "values": ["a", "b"]}}]}},
            {{"name": "file", "prefix": "FI", "count": 3, "desc": "a file", "fields": [{fields}]}}],
            "tools": []}}"#
        )
    };
    let compile = |fields: &str| {
        let d = parse_domain(&domain(fields), "d.json")?;
        model::compile(&[("d.json".to_string(), d)])
    };
    let ok = compile(
        r#"{"name": "folder_id", "desc": "Folder", "gen": "ref", "to": "folder"},
           {"name": "drive_id", "desc": "Drive", "gen": "same", "via": "folder_id", "field": "drive_id"}"#,
    );
    assert!(ok.is_ok(), "{:?}", ok.err());
    let err = |fields: &str| match compile(fields) {
        Ok(_) => panic!("compiled: {fields}"),
        Err(e) => e.to_string(),
    };
    // `via` must be a ref field that comes before.
    let e = err(
        r#"{"name": "drive_id", "desc": "Drive", "gen": "same", "via": "folder_id", "field": "drive_id"},
           {"name": "folder_id", "desc": "Folder", "gen": "ref", "to": "folder"}"#,
    );
    assert!(
        e.contains("fields[0].via") && e.contains("earlier ref field"),
        "{e}"
    );
    // `field` must be a ref of the collection `via` points at.
    let e = err(
        r#"{"name": "folder_id", "desc": "Folder", "gen": "ref", "to": "folder"},
           {"name": "label_id", "desc": "Label", "gen": "same", "via": "folder_id", "field": "label"}"#,
    );
    assert!(
        e.contains("fields[1].field") && e.contains("not a ref field"),
        "{e}"
    );
}

#[test]
fn distinct_values_never_repeat_and_one_of_uses_every_part() {
    let domain = |count: u32, of: &str| {
        format!(
            r#"{{"domain": "d", "description": "A test domain.", "collections": [
            {{"name": "site", "prefix": "ST", "count": {count}, "desc": "a site", "fields": [
              {{"name": "site_name", "desc": "Name", "gen": "distinct", "of": {of}}}]}}],
            "tools": [{{"name": "find_site_by_name", "description": "Find a site by its name.",
              "op": "lookup", "collection": "site", "by": "site_name"}}]}}"#
        )
    };
    let compile = |count: u32, of: &str| {
        let d = parse_domain(&domain(count, of), "d.json")?;
        model::compile(&[("d.json".to_string(), d)])
    };
    // Two curated names or a made-up place with a suffix: far more than four per row.
    let of = r#"{"gen": "one_of", "parts": [{"gen": "pick", "values": ["Docklands", "Uptown"]},
        {"gen": "concat", "parts": [{"gen": "pick", "pool": "places"},
                                    {"gen": "pick", "values": ["Depot", "Hub"]}]}]}"#;
    let def = match compile(150, of) {
        Ok(def) => std::sync::Arc::new(def),
        Err(e) => panic!("a distinct one_of compiles and can be looked up: {e}"),
    };
    let mut w = World::new(def, 3);
    let names: Vec<String> = w
        .table(0)
        .rows()
        .iter()
        .map(|r| r[0].as_str().unwrap_or_default().to_string())
        .collect();
    let unique: std::collections::HashSet<&String> = names.iter().collect();
    assert_eq!(
        unique.len(),
        names.len(),
        "a distinct field repeats: {names:?}"
    );
    assert!(
        names.iter().any(|n| n == "Docklands" || n == "Uptown"),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.ends_with(" Depot") || n.ends_with(" Hub")),
        "{names:?}"
    );
    // Too few values for the rows is refused, naming the field.
    let small = r#"{"gen": "pick", "values": ["a", "b", "c", "d", "e", "f", "g"]}"#;
    match compile(2, small) {
        Ok(_) => panic!("7 values for 2 rows compiled"),
        Err(e) => assert!(e.to_string().contains("fields[0].of"), "{e}"),
    }
    assert!(compile(1, small).is_ok(), "7 values for 1 row are enough");
    // A lookup needs a field that cannot repeat: a plain pick is refused.
    let d = parse_domain(
        &domain(3, "{}").replace(
            r#""gen": "distinct", "of": {}"#,
            r#""gen": "pick", "values": ["a"]"#,
        ),
        "d.json",
    );
    match d.map(|d| model::compile(&[("d.json".to_string(), d)])) {
        Ok(Err(e)) => assert!(e.to_string().contains("unique"), "{e}"),
        other => panic!("a lookup by a pick field compiled: {other:?}"),
    }
}

#[test]
fn the_places_pool_is_large_and_has_no_doubled_halves() {
    let places = super::pools::places();
    assert!(places.len() > 3000, "{}", places.len());
    let set: std::collections::HashSet<&&str> = places.iter().collect();
    assert_eq!(set.len(), places.len(), "a place name repeats");
    for p in places {
        let low = p.to_lowercase();
        assert!(
            !low.contains("brookbrook") && !low.contains("fordford"),
            "{p}"
        );
        assert!(
            p.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
            "{p}"
        );
    }
}

#[test]
fn end_dates_follow_their_start_and_day_counts_agree() {
    let mut w = world();
    let def = w.def().clone();
    // (collection, start, end, day count of start..end if any)
    let pairs = [
        ("stay_quote", "check_in", "check_out", Some("nights")),
        ("leave_request", "start_date", "back_date", Some("days")),
        ("vehicle_reservation", "pickup_date", "return_date", None),
        ("maintenance_ticket", "reported_on", "repair_date", None),
        ("prescription", "issued_on", "expires_on", None),
        ("vaccination", "given_on", "valid_until", None),
    ];
    for (name, start, end, days) in pairs {
        let c = def.colls.iter().position(|c| c.name == name).expect(name);
        let field = |n: &str| def.colls[c].field(n).expect(n);
        let date = |v: &Val| v.as_str().and_then(value::parse_date).expect("a date");
        for row in w.table(c).rows().iter() {
            let (a, b) = (date(&row[field(start)]), date(&row[field(end)]));
            assert!(a < b, "{name}: {end} {b} is not after {start} {a}");
            if let Some(d) = days {
                assert_eq!(row[field(d)], Val::Int(b - a), "{name}: {d}");
            }
        }
    }
}

#[test]
fn refs_with_a_where_point_at_matching_rows_only() {
    // (collection, ref field, target, target field, accepted values)
    let cases = [
        (
            "lease",
            "rental_offer_id",
            "rental_offer",
            "offer_status",
            &["accepted"][..],
        ),
        (
            "certificate",
            "enrollment_id",
            "enrollment",
            "enrollment_status",
            &["completed"],
        ),
        (
            "product_return",
            "order_id",
            "order",
            "status",
            &["delivered"],
        ),
        (
            "satisfaction_survey",
            "case_reply_id",
            "case_reply",
            "author",
            &["agent"],
        ),
        (
            "job_offer",
            "job_application_id",
            "job_application",
            "stage",
            &["offer", "hired"],
        ),
        (
            "regrade_request",
            "submission_id",
            "submission",
            "submission_status",
            &["graded"],
        ),
        (
            "submission",
            "lesson_id",
            "lesson",
            "has_assignment",
            &["true"],
        ),
        // A prescription or referral is written in an appointment that took place, fuel is
        // bought on a reservation whose vehicle was picked up, an order ships once paid, and a
        // delivery order is cooked by a restaurant that delivers.
        (
            "prescription",
            "medical_appointment_id",
            "medical_appointment",
            "state",
            &["checked_in", "completed"],
        ),
        (
            "specialist_referral",
            "medical_appointment_id",
            "medical_appointment",
            "state",
            &["checked_in", "completed"],
        ),
        (
            "fuel_purchase",
            "vehicle_reservation_id",
            "vehicle_reservation",
            "status",
            &["checked_out", "returned"],
        ),
        (
            "order_shipment",
            "order_id",
            "order",
            "status",
            &["paid", "delivered"],
        ),
        (
            "food_order",
            "restaurant_id",
            "restaurant",
            "offers_delivery",
            &["true"],
        ),
    ];
    for seed in [0, 7] {
        let mut w = World::new(world().def().clone(), seed);
        let def = w.def().clone();
        for (name, via, target, field, values) in cases {
            let c = def.colls.iter().position(|c| c.name == name).expect(name);
            let t = def
                .colls
                .iter()
                .position(|c| c.name == target)
                .expect(target);
            let (fi, tf) = (
                def.colls[c].field(via).expect(via),
                def.colls[t].field(field).expect(field),
            );
            let ids: Vec<String> = w
                .table(c)
                .rows()
                .iter()
                .map(|r| r[fi].as_str().expect("an id").to_string())
                .collect();
            assert!(!ids.is_empty(), "{name}");
            for id in ids {
                let i = def.colls[t].parse_id(&id).expect("a target id");
                let v = &w.table(t).rows()[i][tf];
                assert!(
                    values.iter().any(|x| v.matches_text(x)),
                    "{name}.{via} {id}: {field} {v:?}"
                );
            }
        }
    }
}

#[test]
fn a_ref_where_names_an_enum_or_bool_field_of_the_target_and_its_values() {
    let compile = |cond: &str| {
        let d = parse_domain(
            &format!(
                r#"{{"domain": "d", "description": "A test domain.", "collections": [
                {{"name": "offer", "prefix": "OF", "count": 3, "desc": "an offer", "fields": [
                  {{"name": "note", "desc": "Note", "gen": "pick", "values": ["a", "b"]}},
                  {{"name": "state", "desc": "State", "gen": "enum", "values": ["open", "won"]}},
                  {{"name": "signed", "desc": "Signed", "gen": "bool", "p": 0.5}}]}},
                {{"name": "deal", "prefix": "DL", "count": 3, "desc": "a deal", "fields": [
                  {{"name": "offer_id", "desc": "Offer", "gen": "ref", "to": "offer", "where": {cond}}}]}}],
                "tools": []}}"#
            ),
            "d.json",
        )?;
        model::compile(&[("d.json".to_string(), d)])
    };
    for cond in [
        r#"{"field": "state", "values": ["won"]}"#,
        r#"{"field": "signed", "values": ["true"]}"#,
    ] {
        let ok = compile(cond);
        assert!(ok.is_ok(), "{cond}: {:?}", ok.err());
    }
    for (cond, want) in [
        (
            r#"{"field": "signed", "values": ["yes"]}"#,
            "values must be some of",
        ),
        (r#"{"field": "nope", "values": ["won"]}"#, "is not a field"),
        (
            r#"{"field": "note", "values": ["a"]}"#,
            "is not an enum or bool field",
        ),
        (
            r#"{"field": "state", "values": ["lost"]}"#,
            "values must be some of",
        ),
        (
            r#"{"field": "state", "values": []}"#,
            "values must be some of",
        ),
    ] {
        match compile(cond) {
            Ok(_) => panic!("compiled: {cond}"),
            Err(e) => {
                let e = e.to_string();
                assert!(e.contains(want) && e.contains(".where."), "{cond}: {e}");
            }
        }
    }
}

#[test]
fn a_not_before_date_is_checked_against_the_targets_date_field() {
    let compile = |param: &str, field: &str| {
        let d = parse_domain(
            &format!(
                r#"{{"domain": "d", "description": "A test domain.", "collections": [
                {{"name": "lease", "prefix": "LE", "count": 3, "desc": "a lease", "fields": [
                  {{"name": "label", "desc": "Label", "gen": "pick", "values": ["a", "b"]}},
                  {{"name": "start_date", "desc": "Start", "gen": "date", "from": "2026-03-01", "days": 9}}]}},
                {{"name": "repair", "prefix": "RP", "count": 2, "desc": "a repair", "fields": [
                  {{"name": "lease_id", "desc": "Lease", "gen": "ref", "to": "lease"}},
                  {{"name": "note", "desc": "Note", "gen": "pick", "values": ["x", "y"]}},
                  {{"name": "reported_on", "desc": "Reported", "gen": "date", "from": "2026-04-01", "days": 9}}]}}],
                "tools": [{{"name": "get_lease", "description": "Read one lease by id.", "op": "get", "collection": "lease"}},
                  {{"name": "report_repair", "description": "Report a repair of a lease.",
                  "op": "create", "collection": "repair",
                  "inputs": [{{"field": "lease_id"}}, {{"field": "note"}}, {{"field": "reported_on"}}],
                  "rules": [{{"rule": "not_before", "param": "{param}", "target": "lease_id", "field": "{field}"}}]}}]}}"#
            ),
            "d.json",
        )?;
        model::compile(&[("d.json".to_string(), d)])
    };
    for (param, field, want) in [
        ("note", "start_date", "is not a date param"),
        ("reported_on", "label", "is not a date field"),
        ("reported_on", "nope", "nope"),
    ] {
        match compile(param, field) {
            Ok(_) => panic!("compiled: {param} / {field}"),
            Err(e) => {
                let e = e.to_string();
                assert!(e.contains(want) && e.contains("tools[1].rules[0]"), "{e}");
            }
        }
    }
    let def = compile("reported_on", "start_date").expect("compiles");
    let mut w = World::new(std::sync::Arc::new(def), 3);
    let lease = call(&mut w, "get_lease", json!({"lease_id": "LE-1001"})).expect("a lease");
    let start = lease["start_date"].as_str().expect("a date").to_string();
    let day_before = {
        let d = day_before(&start);
        assert!(d < start, "{d} < {start}");
        d
    };
    let report = |w: &mut World, on: &str| {
        call(
            w,
            "report_repair",
            json!({"lease_id": lease["lease_id"], "note": "x", "reported_on": on}),
        )
    };
    match report(&mut w, &day_before) {
        Err(ToolError::InvalidState { reason }) => {
            assert!(reason.contains("before the start date of"), "{reason}")
        }
        other => panic!("a repair reported before the lease started: {other:?}"),
    }
    assert!(report(&mut w, &start).is_ok(), "reported on the start date");
}

/// The ISO day before an ISO date in March or April 2026 (the test domain's range).
fn day_before(iso: &str) -> String {
    let (ym, day) = iso.rsplit_once('-').expect("an ISO date");
    let day: u32 = day.parse().expect("a day");
    if day > 1 {
        format!("{ym}-{:02}", day - 1)
    } else {
        "2026-02-28".to_string()
    }
}

#[test]
fn date_after_and_days_between_name_earlier_date_fields() {
    let compile = |fields: &str| {
        let d = parse_domain(
            &format!(
                r#"{{"domain": "d", "description": "A test domain.", "collections": [
                {{"name": "stay", "prefix": "ST", "count": 3, "desc": "a stay", "fields": [
                  {{"name": "label", "desc": "Label", "gen": "pick", "values": ["a", "b"]}},
                  {{"name": "arrive", "desc": "Arrival", "gen": "date", "from": "2026-06-01", "days": 9}},
                  {fields}]}}], "tools": []}}"#
            ),
            "d.json",
        )?;
        model::compile(&[("d.json".to_string(), d)])
    };
    let ok = compile(
        r#"{"name": "leave", "desc": "Departure", "gen": "date_after", "after": "arrive", "min": 1, "max": 3},
           {"name": "nights", "desc": "Nights", "gen": "days_between", "from": "arrive", "to": "leave"}"#,
    );
    assert!(ok.is_ok(), "{:?}", ok.err());
    let err = |fields: &str| match compile(fields) {
        Ok(_) => panic!("compiled: {fields}"),
        Err(e) => e.to_string(),
    };
    let e = err(
        r#"{"name": "leave", "desc": "D", "gen": "date_after", "after": "label", "min": 1, "max": 3}"#,
    );
    assert!(
        e.contains("fields[2].after") && e.contains("no earlier date field"),
        "{e}"
    );
    let e = err(
        r#"{"name": "leave", "desc": "D", "gen": "date_after", "after": "arrive", "min": 4, "max": 3}"#,
    );
    assert!(e.contains("min is above max"), "{e}");
    let e = err(
        r#"{"name": "nights", "desc": "N", "gen": "days_between", "from": "arrive", "to": "leave"}"#,
    );
    assert!(
        e.contains("fields[2].to") && e.contains("no earlier date field"),
        "{e}"
    );
}

#[test]
fn an_update_that_changes_nothing_is_refused() {
    let mut w = world();
    let active = call(&mut w, "search_contacts", json!({"status": "active"})).expect("search");
    let contact = &active["results"][0];
    let id = contact["contact_id"].clone();
    let city = contact["city"].clone();
    let r = call(
        &mut w,
        "update_contact_details",
        json!({"contact_id": id, "city": city}),
    );
    match r {
        Err(ToolError::InvalidState { reason }) => {
            assert!(reason.contains("nothing to change"), "{reason}");
        }
        other => panic!("a no-op update went through: {other:?}"),
    }
    // One field that changes is a change, even beside one that does not.
    let r = call(
        &mut w,
        "update_contact_details",
        json!({"contact_id": id, "city": city, "company": "Nordlicht Labs"}),
    )
    .expect("a real change");
    assert_eq!(r["company"], "Nordlicht Labs");
    assert_eq!(r["city"], city);
}

/// Finds an open account with enough balance, for the banking rule tests.
fn open_account(w: &mut World) -> (String, i64, f64) {
    let r = call(w, "search_accounts", json!({"status": "open", "limit": 50})).expect("search");
    // Sorted by balance, descending: the last one is the poorest, below the transfer cap.
    let n = r["results"].as_array().map_or(0, Vec::len);
    let a = &r["results"][n.saturating_sub(1)];
    let id = a["account_id"].as_str().unwrap_or_default().to_string();
    let def = w.def().clone();
    let ci = def
        .colls
        .iter()
        .position(|c| c.name == "account")
        .unwrap_or(0);
    let pin_f = def.colls[ci].field("pin").unwrap_or(0);
    let idx = def.colls[ci].parse_id(&id).unwrap_or(0);
    let pin = w.table(ci).rows()[idx][pin_f].as_f64().unwrap_or(0.0) as i64;
    (id, pin, a["balance"].as_f64().unwrap_or(0.0))
}

#[test]
fn a_course_instructor_cannot_enroll_in_their_own_course() {
    let mut w = world();
    w.reset(5);
    let courses = call(&mut w, "search_courses", json!({"limit": 50})).expect("search");
    let course = courses["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["seats_left"].as_f64().unwrap_or(0.0) > 0.0)
        .expect("a course with seats")
        .clone();
    let accounts = call(
        &mut w,
        "search_accounts",
        json!({"status": "open", "limit": 50}),
    )
    .expect("accounts");
    let acc = accounts["results"]
        .as_array()
        .into_iter()
        .flatten()
        .max_by(|a, b| {
            a["balance"]
                .as_f64()
                .partial_cmp(&b["balance"].as_f64())
                .expect("numbers")
        })
        .expect("an open account")["account_id"]
        .clone();
    let teacher = course["instructor_contact_id"].clone();
    let enroll = |w: &mut World, who: &Value| {
        call(
            w,
            "enroll_in_course",
            json!({"course_id": course["course_id"], "student_contact_id": who, "paid_from_account_id": acc}),
        )
    };
    let e = enroll(&mut w, &teacher);
    match e {
        Err(ToolError::NotPermitted { reason }) => {
            assert!(reason.contains("instructor_contact_id"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // Anyone else with an active contact can.
    let others = call(
        &mut w,
        "search_contacts",
        json!({"status": "active", "limit": 50}),
    )
    .expect("contacts");
    // (one already enrolled would be a conflict, so the first that can is taken).
    let enrolled = others["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["contact_id"].clone())
        .filter(|c| *c != teacher)
        .take(5)
        .any(|c| enroll(&mut w, &c).is_ok());
    assert!(enrolled, "no other contact could enroll");
}

#[test]
fn banking_rules_are_enforced() {
    let mut w = world();
    w.reset(5);
    let (acc, pin, balance) = open_account(&mut w);
    // The poorest open account is below the transfer cap, so overdrawing it is a balance error.
    assert!(balance + 1.0 <= 10000.0, "balance {balance}");
    let other = call(
        &mut w,
        "search_accounts",
        json!({"status": "open", "limit": 50}),
    )
    .expect("search")["results"][0]["account_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // No token: not permitted. Wrong PIN: not permitted.
    let e = call(
        &mut w,
        "transfer_funds",
        json!({"from_account_id": acc, "to_account_id": other, "amount": 1, "token": "tk_banking_000000000000"}),
    );
    assert!(matches!(e, Err(ToolError::NotPermitted { .. })), "{e:?}");
    let e = call(
        &mut w,
        "authorize_account",
        json!({"account_id": acc, "pin": if pin == 1000 { 1001 } else { 1000 }}),
    );
    assert!(matches!(e, Err(ToolError::NotPermitted { .. })), "{e:?}");
    let tok = call(
        &mut w,
        "authorize_account",
        json!({"account_id": acc, "pin": pin}),
    )
    .expect("authorize")["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Token for another account: not permitted.
    let e = call(
        &mut w,
        "transfer_funds",
        json!({"from_account_id": other, "to_account_id": acc, "amount": 1, "token": tok}),
    );
    assert!(matches!(e, Err(ToolError::NotPermitted { .. })), "{e:?}");
    // More than the balance: limit exceeded, and nothing changes.
    let before = w.digest();
    let e = call(
        &mut w,
        "transfer_funds",
        json!({"from_account_id": acc, "to_account_id": other, "amount": balance + 1.0, "token": tok}),
    );
    assert!(matches!(e, Err(ToolError::LimitExceeded { .. })), "{e:?}");
    assert_eq!(w.digest(), before, "a rejected call changes nothing");
    let ok = call(
        &mut w,
        "transfer_funds",
        json!({"from_account_id": acc, "to_account_id": other, "amount": 10, "token": tok}),
    )
    .expect("transfer");
    assert!(
        (ok["from_balance"].as_f64().unwrap_or(0.0) - (balance - 10.0)).abs() < 0.01,
        "{ok}"
    );
    // The same payee IBAN twice on one account: conflict.
    let p = json!({"account_id": acc, "payee_name": "Rosa Costa", "payee_iban": "PT99TEST0001"});
    call(&mut w, "add_payee", p.clone()).expect("first payee");
    assert!(matches!(
        call(&mut w, "add_payee", p),
        Err(ToolError::Conflict { .. })
    ));
    // Cancelling a payment twice: invalid state the second time.
    let payees = call(&mut w, "list_payees", json!({"account_id": acc})).expect("payees");
    let payee = payees["results"][0]["payee_id"].clone();
    let pay = call(&mut w, "schedule_payment", json!({"account_id": acc, "payee_id": payee, "amount": 5, "date": "2026-06-10", "token": tok}))
        .expect("schedule");
    let pid = pay["payment_id"].clone();
    call(&mut w, "cancel_payment", json!({"payment_id": pid})).expect("cancel");
    assert!(matches!(
        call(&mut w, "cancel_payment", json!({"payment_id": pid})),
        Err(ToolError::InvalidState { .. })
    ));
    // The token had 3 uses: transfer, schedule; one more works, the next does not.
    call(
        &mut w,
        "freeze_account",
        json!({"account_id": acc, "token": tok}),
    )
    .expect("third use");
    let e = call(&mut w, "unfreeze_account", json!({"account_id": acc}));
    assert!(e.is_ok(), "{e:?}");
    let e = call(
        &mut w,
        "freeze_account",
        json!({"account_id": acc, "token": tok}),
    );
    assert!(matches!(e, Err(ToolError::NotPermitted { .. })), "{e:?}");
}

#[test]
#[ignore = "diagnostic: prints every tool's shortest chain"]
fn print_chains() {
    let w = world();
    let def = w.def();
    for (t, c) in def.shortest_chains().iter().enumerate() {
        let names: Vec<&str> = c
            .iter()
            .flatten()
            .map(|&i| def.tools[i].name.as_str())
            .collect();
        println!("{} <- {:?}", def.tools[t].name, names);
    }
}

#[test]
fn a_renewal_or_a_booster_never_moves_a_date_back() {
    let mut w = world();
    let def = w.def().clone();
    for (tool, coll, field, open) in [
        (
            "renew_book_loan",
            "book_loan",
            "due_date",
            Some(("loan_status", "open")),
        ),
        (
            "extend_vaccination_validity",
            "vaccination",
            "valid_until",
            None,
        ),
    ] {
        let c = def.colls.iter().position(|x| x.name == coll).expect(coll);
        let fi = def.colls[c].field(field).expect(field);
        let status = open.map(|(f, v)| (def.colls[c].field(f).expect(f), v));
        // A row whose date leaves room for an earlier one within the tool's own floor.
        let (i, date) = w
            .table(c)
            .rows()
            .iter()
            .enumerate()
            .find_map(|(i, r)| {
                let d = r[fi].to_json().as_str()?.to_string();
                let usable = status.is_none_or(|(sf, v)| r[sf].to_json() == json!(v));
                (usable && d.as_str() > "2026-06-05").then_some((i, d))
            })
            .expect("a row dated after early June 2026");
        let id = def.colls[c].id_of(i);
        let args = |d: &str| json!({format!("{coll}_id"): id, field: d});
        match call(&mut w, tool, args("2026-06-02")) {
            Err(ToolError::InvalidState { reason }) => {
                assert!(reason.contains("is before the"), "{tool}: {reason}")
            }
            other => panic!("{tool} moved {date} back to 2026-06-02: {other:?}"),
        }
        let later = call(&mut w, tool, args("2027-12-31")).expect("a later date is taken");
        assert_eq!(later[field], json!("2027-12-31"), "{tool}");
    }
}
