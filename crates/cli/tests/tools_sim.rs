//! `--tools file:PATH[:simulated]`: the pipeline over a spec collection with no executor of its
//! own (the simulated executor), and the graph scored against hand-labelled dependencies.

mod common;

use common::{lines, run, run_json};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Generates on a spec collection made of `specs` (JSON text) with `extra` arguments; returns
/// the temporary directory (kept alive while held) and the run directory.
fn generate_on(specs: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("specs.json");
    std::fs::write(&spec, specs).expect("spec written");
    let out_dir = dir.path().join("run");
    let src = format!("file:{}:simulated", spec.display());
    let out_s = out_dir.display().to_string();
    let args = [&["generate", "--tools", &src, "--out", &out_s][..], extra].concat();
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    (dir, out_dir)
}

/// Edits the first record of a run with `edit`, then runs `hardgen verify` on the run: (exit
/// code, output).
fn verify_after_editing_first(
    out_dir: &std::path::Path,
    edit: impl FnOnce(&mut Value),
) -> (i32, String) {
    let path = out_dir.join("records.jsonl");
    let text = std::fs::read_to_string(&path).expect("records");
    let mut rows: Vec<String> = text.lines().map(str::to_string).collect();
    let mut first: Value = serde_json::from_str(&rows[0]).expect("JSON");
    edit(&mut first);
    rows[0] = first.to_string();
    std::fs::write(&path, rows.join("\n") + "\n").expect("write");
    let (code, out, _) = run(&["verify", &out_dir.display().to_string()]);
    (code, out)
}

/// A run of `n` items on a fixture collection, all of one variant.
fn variant_run(
    fixture_name: &str,
    n: &str,
    seed: &str,
    variant: &str,
) -> (tempfile::TempDir, PathBuf) {
    generate_on(
        &std::fs::read_to_string(fixture(fixture_name)).expect("fixture"),
        &[
            "--n",
            n,
            "--seed",
            seed,
            "--variants",
            variant,
            "--variant-share",
            "1",
        ],
    )
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn specs() -> String {
    fixture("tasks_specs.json")
}

fn simulated() -> String {
    format!("file:{}:simulated", specs())
}

fn traces(jobs: &str) -> String {
    let src = simulated();
    let args = [
        "traces", "--tools", &src, "--n", "24", "--seed", "5", "--rounds", "2",
    ];
    let (code, out, err) = run(&[&args[..], &["--jobs", jobs]].concat());
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn simulated_traces_chain_ids_and_say_so() {
    let out = traces("1");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 24);
    let (mut chained, mut reached) = (0, 0);
    for t in &lines {
        assert_eq!(t["guarantee"], "simulated", "{t}");
        let hits = t["reached"].as_array().expect("reached");
        reached += hits.iter().filter(|r| r.as_bool() == Some(true)).count();
        // Every id a successful call takes was handed out by an earlier result of its trace.
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for c in t["calls"].as_array().expect("calls") {
            let Some(result) = c.get("result").filter(|r| !r.is_null()) else {
                continue;
            };
            for (k, v) in c["arguments"].as_object().expect("arguments") {
                if k.ends_with("_id") {
                    let id = v.as_str().expect("string id");
                    assert!(
                        seen.contains(id),
                        "{id} used before any result gave it: {t}"
                    );
                    chained += 1;
                }
            }
            collect_strings(result, &mut seen);
        }
    }
    assert!(chained >= 24, "only {chained} chained ids");
    assert!(reached >= 36, "only {reached} of 48 round targets reached");
    // The same seed gives the same traces on any number of workers.
    assert_eq!(out, traces("2"));
}

fn collect_strings(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

#[test]
fn a_spec_file_without_simulated_or_an_unknown_source_is_refused_clearly() {
    let file = format!("file:{}", specs());
    let (code, _, err) = run(&["traces", "--tools", &file, "--n", "1"]);
    assert_ne!(code, 0);
    assert!(err.contains(":simulated"), "{err}");
    let (code, _, err) = run(&["traces", "--tools", "ftp:x", "--n", "1"]);
    assert_ne!(code, 0);
    assert!(err.contains("expected builtin"), "{err}");
    // The graph needs no executor: a plain file source is enough.
    let v = run_json(&["graph", "stats", "--json", "--tools", &file]);
    assert_eq!(v["nodes"], 5);
    assert_eq!(v["reachable_tools"], 5);
}

#[test]
fn generation_on_simulated_tools_verifies_and_catches_a_tampered_record() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_dir = dir.path().join("run");
    let out_s = out_dir.display().to_string();
    let src = simulated();
    let args = [
        "generate", "--tools", &src, "--n", "16", "--seed", "4", "--out", &out_s,
    ];
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let records = lines(out_dir.join("records.jsonl"));
    assert!(records.len() >= 12, "kept {} of 16", records.len());
    for r in &records {
        assert_eq!(r["generator"]["executor"], "simulated", "{r}");
        let q = r["rounds"][0]["query"].as_str().expect("query");
        assert!(!q.contains("_id"), "{q}");
    }
    // `hardgen verify` rebuilds the simulated executor from the run's configuration.
    let (code, out, _) = run(&["verify", &out_s]);
    assert_eq!(code, 0, "{out}");
    // A gold argument changed by hand no longer matches what re-execution gives.
    let path = out_dir.join("records.jsonl");
    let text = std::fs::read_to_string(&path).expect("records");
    let mut rows: Vec<String> = text.lines().map(str::to_string).collect();
    let mut first: Value = serde_json::from_str(&rows[0]).expect("JSON");
    let args = first["rounds"][0]["gold"][0]["arguments"]
        .as_object_mut()
        .expect("arguments");
    let key = args.keys().next().expect("an argument").clone();
    args.insert(key, Value::String("tampered".into()));
    rows[0] = first.to_string();
    std::fs::write(&path, rows.join("\n") + "\n").expect("write");
    let (code, _, _) = run(&["verify", &out_s]);
    assert_ne!(code, 0, "a tampered record verified");
}

#[test]
fn inferred_edges_score_against_hand_labelled_dependencies() {
    let file = format!("file:{}", specs());
    let truth = fixture("tasks_deps.json");
    let v = run_json(&[
        "graph", "stats", "--json", "--tools", &file, "--truth", &truth,
    ]);
    // 8 inferred edges, 7 of them true (a closed task is never assigned): every true one found.
    assert_eq!(v["true_edges"], 7);
    assert_eq!(v["edges"], 8);
    assert_eq!(v["precision"], 0.875);
    assert_eq!(v["recall"], 1.0);
}

#[test]
fn probe_runs_on_simulated_tools_and_still_takes_tool_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("probe.json").display().to_string();
    let tools = format!("{},create_task,close_task", simulated());
    let (code, _, err) = run(&[
        "probe",
        "--target",
        "baseline",
        "--reference",
        "oracle",
        "--per-tool",
        "2",
        "--tools",
        &tools,
        "--json",
        "--out",
        &report,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("JSON");
    let probed: Vec<&String> = v["tools"].as_object().expect("tools").keys().collect();
    assert_eq!(probed, ["close_task", "create_task"]);
    assert_eq!(v["tools"]["create_task"]["tasks"], 2);
}

#[test]
fn a_collection_without_result_schemas_still_gives_chained_verified_data() {
    // Five OpenAI tools with parameters only (no `returns`), as published collections are:
    // the ids the tools take tell which tool's results must hand them out.
    let dir = tempfile::tempdir().expect("temp dir");
    let out_dir = dir.path().join("run");
    let out_s = out_dir.display().to_string();
    let src = format!(
        "file:{}:simulated",
        fixture("grocery_specs_no_returns.json")
    );
    let args = [
        "generate", "--tools", &src, "--n", "30", "--seed", "2", "--out", &out_s,
    ];
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let records = lines(out_dir.join("records.jsonl"));
    assert!(records.len() >= 25, "kept {} of 30", records.len());
    let long = records
        .iter()
        .filter(|r| r["rounds"][0]["gold"].as_array().map_or(0, Vec::len) >= 3)
        .count();
    // Chains of 3+ calls stay common; the one target that deep is not every item's (the
    // length spread draws a depth only one tool reaches half the time).
    assert!(
        long * 3 >= records.len(),
        "{long} of {} with 3+ calls",
        records.len()
    );
    // The description's example ("Cuisine, e.g. italian") is what users ask for.
    let italian = records
        .iter()
        .filter(|r| {
            r["rounds"][0]["query"]
                .as_str()
                .is_some_and(|q| q.contains("italian"))
        })
        .count();
    assert!(italian > 0);
    let (code, out, _) = run(&["verify", &out_s]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_bare_collection_reads_naturally_and_never_asks_for_an_echo() {
    // Seven OpenAI tools with parameters only and no domain: a city finder whose description
    // gives one example, restaurants, a reservation under a guest's name, and two reads
    // (forecast, menu) whose results nothing declares.
    let dir = tempfile::tempdir().expect("temp dir");
    let out_dir = dir.path().join("run");
    let out_s = out_dir.display().to_string();
    let src = format!("file:{}:simulated", fixture("dining_specs_no_returns.json"));
    let args = [
        "generate", "--tools", &src, "--n", "40", "--seed", "1", "--out", &out_s,
    ];
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let records = lines(out_dir.join("records.jsonl"));
    assert!(records.len() >= 30, "kept {} of 40", records.len());
    let mut cities = BTreeSet::new();
    for r in &records {
        // The collection is one domain named after its file.
        assert_eq!(
            r["domains"],
            serde_json::json!(["dining_specs_no_returns"]),
            "{r}"
        );
        let round = &r["rounds"][0];
        // A read that can only echo its arguments is never what a request asks for.
        let target = round["target"].as_str().unwrap_or_default();
        assert!(
            !matches!(
                target,
                "get_weather_forecast" | "get_restaurant_menu" | "convert_currency"
            ),
            "{target}"
        );
        let query = round["query"].as_str().unwrap_or_default();
        // "the Lisbon city": a place's name never goes before its noun.
        let words: Vec<&str> = query.split(' ').collect();
        assert!(
            !words
                .windows(2)
                .any(|w| w[1].starts_with("city") && w[0].starts_with(char::is_uppercase)),
            "{query}"
        );
        let answer = round["trajectory"]
            .as_array()
            .and_then(|m| m.last())
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default();
        // A reservation shows the guest's name, not a made-up "reservation name".
        assert!(!answer.contains("reservation name"), "{answer}");
        for g in round["gold"].as_array().into_iter().flatten() {
            if g["name"] == "find_city" {
                cities.insert(g["arguments"]["name"].to_string());
                // The city found is the city asked for.
                assert_eq!(g["result"]["city_name"], g["arguments"]["name"], "{g}");
            }
        }
    }
    // "City name, e.g. Lisbon": the example is one city among many, not the only one.
    assert!(cities.len() >= 3, "{cities:?}");
    let (code, out, _) = run(&["verify", &out_s]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn bfcl_functions_with_several_arguments_replay_to_the_same_results() {
    // BFCL's shape ("type": "dict", "float"), no `returns`, a search with two arguments: the
    // gold is replayed through the advanced tool, whose argument order may differ; the
    // simulated results must not depend on it (they did: every such round was rejected).
    let dir = tempfile::tempdir().expect("temp dir");
    let out_dir = dir.path().join("run");
    let out_s = out_dir.display().to_string();
    let src = format!("file:{}:simulated", fixture("hotels_bfcl_no_returns.json"));
    let args = [
        "generate", "--tools", &src, "--n", "20", "--seed", "2", "--out", &out_s,
    ];
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let records = lines(out_dir.join("records.jsonl"));
    assert!(records.len() >= 18, "kept {} of 20", records.len());
    let booked = records
        .iter()
        .filter(|r| {
            let gold = r["rounds"][0]["gold"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            gold.len() == 3 && gold[2]["name"] == "book_room"
        })
        .count();
    assert!(booked > 0);
    // "Check-in date, YYYY-MM-DD" is given as a date.
    for r in &records {
        for g in r["rounds"][0]["gold"].as_array().expect("gold") {
            if let Some(d) = g["arguments"].get("check_in") {
                let d = d.as_str().expect("a date");
                assert!(d.len() == 10 && d.as_bytes()[4] == b'-', "{d}");
            }
        }
    }
}

#[test]
fn a_bfcl_collection_chains_through_its_login_and_takes_values_of_the_right_form() {
    // BFCL's dialect with its habits: a login whose client id no tool returns (the user's
    // own), integer ids, options written in descriptions, a preamble before each
    // description, a tool named after a noun (`liter_to_gallon`).
    let dir = tempfile::tempdir().expect("temp dir");
    let out_dir = dir.path().join("run");
    let out_s = out_dir.display().to_string();
    let src = format!("file:{}:simulated", fixture("trip_desk_bfcl.jsonl"));
    let args = [
        "generate", "--tools", &src, "--n", "40", "--seed", "4", "--out", &out_s,
    ];
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let records = lines(out_dir.join("records.jsonl"));
    assert!(records.len() >= 30, "kept {} of 40", records.len());
    let mut booked = 0;
    let mut chained = 0;
    for r in &records {
        let round = &r["rounds"][0];
        let gold = round["gold"].as_array().cloned().unwrap_or_default();
        chained += usize::from(gold.len() >= 2);
        let query = round["query"].as_str().unwrap_or("");
        assert!(!query.contains("This tool belongs"), "{query}");
        if gold.iter().any(|g| g["name"] == "liter_to_gallon") {
            assert!(query.to_lowercase().contains("convert"), "{query}");
        }
        // The login is implied, as a person leaves it: its details are stated, the step is not
        // asked for, and its token is never named as an item.
        if gold.len() >= 2 && gold[0]["name"] == "desk_login" {
            let lower = query.to_lowercase();
            let client = gold[0]["arguments"]["client_id"].as_str().unwrap_or("?");
            assert!(query.contains(client), "{query}");
            assert!(!lower.starts_with("log the user in"), "{query}");
            assert!(
                !lower.contains("that same desk") && !lower.contains("the new desk"),
                "{query}"
            );
        }
        for g in &gold {
            let a = &g["arguments"];
            if let Some(v) = a["grant_type"].as_str() {
                assert!(["read", "write", "read_write"].contains(&v), "{v}");
            }
            if let Some(v) = a["seat_class"].as_str() {
                assert!(["economy", "business", "first"].contains(&v), "{v}");
            }
            if let Some(v) = a["origin"].as_str() {
                assert!(
                    v.len() == 3 && v.chars().all(|c| c.is_ascii_uppercase()),
                    "{v}"
                );
            }
            for k in ["user_first_name", "user_last_name"] {
                if let Some(v) = a[k].as_str() {
                    assert!(!v.contains(' '), "{k}: {v}");
                }
            }
            if g["name"] == "book_trip" {
                booked += 1;
            }
            if g["name"] == "trip_status" {
                assert!(a["trip_id"].is_i64(), "{a}");
            }
        }
    }
    assert!(
        booked > 0,
        "no trip was booked: the login's client id blocked the chain"
    );
    assert!(
        chained * 2 >= records.len(),
        "{chained} of {} chained",
        records.len()
    );
    let (code, out, _) = run(&["verify", &out_s]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn the_callers_own_items_are_theirs_and_a_bare_id_names_its_item() {
    // BFCL's ticket API: `get_user_tickets()` returns the caller's ticket under a bare `id`.
    let tickets = r#"[
      {"name": "get_user_tickets", "description": "Get all tickets created by the current user.",
       "parameters": {"type": "dict", "properties": {"status": {"type": "string",
         "description": "Status to filter tickets by. [Enum]: [\"open\", \"closed\"]"}}, "required": []},
       "response": {"type": "dict", "properties": {
         "id": {"type": "integer", "description": "Unique identifier of the ticket."},
         "title": {"type": "string", "description": "Title of the ticket."}}}},
      {"name": "close_ticket", "description": "Close a ticket.",
       "parameters": {"type": "dict", "properties": {"ticket_id": {"type": "integer",
         "description": "ID of the ticket to be closed."}}, "required": ["ticket_id"]},
       "response": {"type": "dict", "properties": {"status": {"type": "string",
         "description": "Status of the close operation."}}}}
    ]"#;
    let (_dir, out_dir) = generate_on(tickets, &["--n", "20", "--seed", "2"]);
    let mut closed = 0;
    for r in lines(out_dir.join("records.jsonl")) {
        let round = &r["rounds"][0];
        let query = round["query"].as_str().unwrap_or("").to_lowercase();
        let gold = round["gold"].as_array().cloned().unwrap_or_default();
        if gold.last().is_some_and(|g| g["name"] == "close_ticket") {
            closed += 1;
            assert!(
                query.contains("my ticket")
                    || query.contains("my open ticket")
                    || query.contains("my closed ticket"),
                "{query}"
            );
            assert!(!query.contains("the ticket"), "{query}");
            assert!(
                !query.contains("user tickets") && !query.contains("for my"),
                "{query}"
            );
        }
    }
    assert!(closed > 0, "no ticket was closed");
}

#[test]
fn a_booking_is_paid_with_its_card_and_goes_from_one_place_to_another() {
    let flights = r#"[
      {"name": "register_credit_card", "description": "Register a credit card.",
       "parameters": {"type": "dict", "properties": {
         "card_number": {"type": "string", "description": "The credit card number"},
         "cardholder_name": {"type": "string", "description": "The name of the cardholder"}},
         "required": ["card_number", "cardholder_name"]},
       "response": {"type": "dict", "properties": {"card_id": {"type": "string", "description": "The ID of the registered card"}}}},
      {"name": "book_flight", "description": "Book a flight given the travel information.",
       "parameters": {"type": "dict", "properties": {
         "card_id": {"type": "string", "description": "The ID of the credit card to use for the booking"},
         "travel_from": {"type": "string", "description": "The location the travel is from"},
         "travel_to": {"type": "string", "description": "The location the travel is to"}},
         "required": ["card_id", "travel_from", "travel_to"]},
       "response": {"type": "dict", "properties": {"booking_id": {"type": "string", "description": "The ID of the booking"}}}}
    ]"#;
    let (_dir, out_dir) = generate_on(flights, &["--n", "20", "--seed", "3"]);
    let (mut booked, mut paid) = (0, 0);
    for r in lines(out_dir.join("records.jsonl")) {
        let round = &r["rounds"][0];
        let query = round["query"].as_str().unwrap_or("");
        let gold = round["gold"].as_array().cloned().unwrap_or_default();
        let Some(b) = gold.iter().find(|g| g["name"] == "book_flight") else {
            continue;
        };
        booked += 1;
        let (from, to) = (
            b["arguments"]["travel_from"].as_str().unwrap_or("?"),
            b["arguments"]["travel_to"].as_str().unwrap_or("?"),
        );
        assert!(query.contains(&format!("from {from}")), "{query}");
        assert!(query.contains(&format!("to {to}")), "{query}");
        assert!(!query.contains("given the travel"), "{query}");
        if gold.len() > 1 {
            paid += 1;
            assert!(query.contains("with that same card"), "{query}");
        }
    }
    assert!(
        booked > 0 && paid > 0,
        "booked {booked}, {paid} with a new card"
    );
}

#[test]
fn a_misspelt_name_finds_nothing_on_the_simulated_executor_and_the_user_corrects_it() {
    let posts = r#"[
      {"name": "search_posts", "description": "Search posts by keyword.",
       "parameters": {"type": "dict", "properties": {
         "keyword": {"type": "string", "description": "The keyword to search for"}},
         "required": ["keyword"]},
       "response": {"type": "dict", "properties": {"posts": {"type": "array", "items": {"type": "dict",
         "properties": {"post_id": {"type": "integer"}, "author": {"type": "string"}, "content": {"type": "string"}}}}}}},
      {"name": "comment_on_post", "description": "Comment on a post.",
       "parameters": {"type": "dict", "properties": {
         "post_id": {"type": "integer", "description": "The ID of the post"},
         "comment": {"type": "string", "description": "The comment text"}},
         "required": ["post_id", "comment"]},
       "response": {"type": "dict", "properties": {"comment_status": {"type": "string"}}}}
    ]"#;
    let (_dir, out_dir) = generate_on(
        posts,
        &[
            "--n",
            "12",
            "--seed",
            "2",
            "--variants",
            "error_recovery",
            "--variant-share",
            "1",
        ],
    );
    let mut recovered = 0;
    for r in lines(out_dir.join("records.jsonl")) {
        assert_eq!(r["variant"], "error_recovery", "{r}");
        let t = r["rounds"][0]["trajectory"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        // user, the mistyped search, its empty result, the question, the correction, the
        // search again.
        let tried = &t[1]["tool_calls"][0];
        let again = &t[5]["tool_calls"][0];
        assert_eq!(tried["name"], "search_posts", "{r}");
        assert_eq!(again["name"], "search_posts", "{r}");
        let (typo, right) = (
            tried["arguments"]["keyword"].as_str().unwrap_or(""),
            again["arguments"]["keyword"].as_str().unwrap_or(""),
        );
        assert_ne!(typo, right);
        assert_eq!(typo.len(), right.len());
        assert_eq!(t[2]["content"], serde_json::json!({"posts": []}), "{r}");
        assert!(
            t[3]["tool_calls"].as_array().is_none_or(Vec::is_empty),
            "{r}"
        );
        assert!(t[3]["content"].as_str().unwrap_or("").contains(typo), "{r}");
        assert!(
            t[4]["content"].as_str().unwrap_or("").contains(right),
            "{r}"
        );
        assert!(
            !t[6]["content"]["posts"]
                .as_array()
                .is_none_or(Vec::is_empty),
            "{r}"
        );
        recovered += 1;
    }
    assert!(
        recovered >= 6,
        "only {recovered} of 12 recovered from a typo"
    );
    let (code, out, _) = run(&["verify", &out_dir.display().to_string()]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_one_letter_flag_is_said_by_what_it_does_and_takes_no_with() {
    let files = r#"[
      {"name": "ls", "description": "List the contents of the current directory.",
       "parameters": {"type": "dict", "properties": {
         "a": {"type": "boolean", "description": "Show hidden files and directories. Defaults to False."}},
         "required": ["a"]},
       "response": {"type": "dict", "properties": {"current_directory_content": {"type": "array", "items": {"type": "string"}}}}}
    ]"#;
    let (_dir, out_dir) = generate_on(files, &["--n", "12", "--seed", "4"]);
    let mut said = 0;
    for r in lines(out_dir.join("records.jsonl")) {
        let round = &r["rounds"][0];
        let query = round["query"].as_str().unwrap_or("");
        let shown = round["gold"][0]["arguments"]["a"].as_bool();
        assert!(
            !query.contains(" with a ") && !query.contains(" with without "),
            "{query}"
        );
        match shown {
            Some(true) => assert!(query.contains("showing hidden files"), "{query}"),
            Some(false) => assert!(query.contains("without showing hidden files"), "{query}"),
            None => continue,
        }
        said += 1;
    }
    assert!(said > 0, "no record states the flag");
}

#[test]
fn a_message_goes_to_the_receiver_the_description_calls_a_user() {
    let messages = r#"[
      {"name": "search_messages", "description": "Search for messages containing a specific keyword.",
       "parameters": {"type": "dict", "properties": {
         "keyword": {"type": "string", "description": "The keyword to search for"}},
         "required": ["keyword"]},
       "response": {"type": "dict", "properties": {"results": {"type": "array", "items": {"type": "dict",
         "properties": {"receiver_id": {"type": "string"}, "message": {"type": "string"}}}}}}},
      {"name": "send_message", "description": "Send a message to a user.",
       "parameters": {"type": "dict", "properties": {
         "receiver_id": {"type": "string", "description": "User ID of the user to send the message to"},
         "message": {"type": "string", "description": "Message to be sent"}},
         "required": ["receiver_id", "message"]},
       "response": {"type": "dict", "properties": {"sent_status": {"type": "boolean"}}}}
    ]"#;
    let (_dir, out_dir) = generate_on(messages, &["--n", "16", "--seed", "2"]);
    let mut sent = 0;
    for r in lines(out_dir.join("records.jsonl")) {
        let round = &r["rounds"][0];
        let query = round["query"].as_str().unwrap_or("");
        let gold = round["gold"].as_array().cloned().unwrap_or_default();
        if gold.len() < 2 || gold[1]["name"] != "send_message" {
            continue;
        }
        sent += 1;
        assert!(!query.contains("a user for the receiver"), "{query}");
        assert!(query.contains("to the receiver"), "{query}");
        // The search's keyword is stated, and the stand-in "a specific keyword" is not.
        let kw = gold[0]["arguments"]["keyword"].as_str().unwrap_or("?");
        assert!(query.contains(kw) && !query.contains("specific"), "{query}");
    }
    assert!(sent > 0, "no message was sent after a search");
}

#[test]
fn a_long_context_item_on_a_spec_collection_reads_a_world_of_many_items() {
    // No list here takes a `limit`: the simulated world itself holds many hotels.
    let (_dir, out_dir) = variant_run("hotels_bfcl_no_returns.json", "12", "2", "long_context");
    let records = lines(out_dir.join("records.jsonl"));
    assert!(records.len() >= 9, "kept {} of 12", records.len());
    for r in &records {
        assert_eq!(r["variant"], "long_context", "{r}");
        assert_eq!(r["list_tokens"], 2000, "{r}");
        let round = &r["rounds"][0];
        // The long read: past its first page, and together the results reach the size.
        let chars: usize = round["gold"]
            .as_array()
            .expect("gold")
            .iter()
            .map(|g| g["result"].to_string().len())
            .sum();
        assert!(chars >= 8000, "{chars} characters of results: {r}");
        let q = round["query"].as_str().expect("query");
        assert!(q.contains("list"), "the user says the list is long: {q}");
        assert!(!q.contains("up to"), "no limit to pass: {q}");
    }
    let out_s = out_dir.display().to_string();
    let (code, out, _) = run(&["verify", &out_s]);
    assert_eq!(code, 0, "{out}");
    // Replayed in the usual world, the long read no longer gives its recorded result.
    let (code, out) = verify_after_editing_first(&out_dir, |r| {
        r.as_object_mut().expect("record").remove("list_tokens");
    });
    assert_ne!(code, 0, "a record without its world's size verified: {out}");
}

#[test]
fn a_parallel_item_without_independent_branches_makes_its_lookup_for_two_entities() {
    // No tool here takes values from two lookups: a parallel round asks for the same lookup
    // twice, both calls in one assistant turn, both answered.
    let (_dir, out_dir) = variant_run("grocery_specs_no_returns.json", "16", "1", "parallel");
    let records = lines(out_dir.join("records.jsonl"));
    assert!(records.len() >= 6, "kept {} of 16", records.len());
    for r in &records {
        assert_eq!(r["variant"], "parallel", "{r}");
        let round = &r["rounds"][0];
        let gold = round["gold"].as_array().expect("gold");
        let [.., a, b] = gold.as_slice() else {
            panic!("one gold call: {r}")
        };
        assert_eq!(a["name"], b["name"], "{r}");
        assert_ne!(a["arguments"], b["arguments"], "{r}");
        let q = round["query"].as_str().expect("query");
        let turns: Vec<&Value> = round["trajectory"]
            .as_array()
            .expect("trajectory")
            .iter()
            .filter(|m| m["tool_calls"].as_array().is_some_and(|c| c.len() == 2))
            .collect();
        assert_eq!(turns.len(), 1, "the two lookups in one turn: {r}");
        let answer = round["trajectory"]
            .as_array()
            .and_then(|t| t.last())
            .and_then(|m| m["content"].as_str())
            .expect("final answer");
        // Each value that differs is in the request and in the answer.
        for (k, v) in b["arguments"].as_object().expect("arguments") {
            if a["arguments"][k] != *v {
                for x in [&a["arguments"][k], v] {
                    let t = x.as_str().map_or_else(|| x.to_string(), str::to_string);
                    assert!(q.contains(&t), "{t} not asked for: {q}");
                    assert!(answer.contains(&t), "{t} not answered: {answer}");
                }
            }
        }
    }
    let out_s = out_dir.display().to_string();
    let (code, out, _) = run(&["verify", &out_s]);
    assert_eq!(code, 0, "{out}");
    // An answer that reports the second lookup only no longer verifies.
    let (code, out) = verify_after_editing_first(&out_dir, |r| {
        let t = r["rounds"][0]["trajectory"]
            .as_array_mut()
            .expect("trajectory");
        let last = t.last_mut().expect("final answer");
        let answer = last["content"].as_str().unwrap_or("").to_string();
        let cut = answer.rfind(" For the ").expect("two parts");
        last["content"] = Value::String(answer[cut + 1..].to_string());
    });
    assert_ne!(code, 0, "an answer for one of two lookups verified: {out}");
}

#[test]
fn calculator_tools_without_read_verbs_fan_out_and_are_said_by_their_descriptions() {
    // `percentage`, `multiply`: no name says "get" or "list", the descriptions say what they
    // work out. They are reads (a parallel round makes one for two values), the reasoning
    // says the goal in the description's words, and a left-out `a` is asked for as "the
    // first number".
    let (_dir, out_dir) = variant_run("calculator_specs.json", "40", "1", "parallel,missing_param");
    let records = lines(out_dir.join("records.jsonl"));
    let parallel: Vec<&Value> = records
        .iter()
        .filter(|r| r["variant"] == "parallel")
        .collect();
    assert!(
        parallel.len() >= 8,
        "parallel kept {} of about 20",
        parallel.len()
    );
    let mut asked = 0;
    for r in &records {
        let text = r.to_string();
        for bad in [
            "wants me to percentage",
            "wants me to multiply.",
            "which a ",
            "which b ",
        ] {
            assert!(!text.contains(bad), "{bad}: {r}");
        }
        if r["variant"] == "missing_param" && r["rounds"][0]["target"] == "multiply" {
            let ask = r["rounds"][0]["trajectory"][1]["content"]
                .as_str()
                .expect("question");
            assert!(
                ask.contains("first number") || ask.contains("second number"),
                "{ask}"
            );
            asked += 1;
        }
    }
    assert!(asked > 0, "no missing-param round on multiply");
    let out_s = out_dir.display().to_string();
    let (code, out, _) = run(&["verify", &out_s]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_camel_case_collection_described_in_the_third_person_reads_naturally() {
    // `placeHold` "Places a hold on a book for a member at a branch": the items fill the
    // description's slots ("place a hold on the book called X for the member with email Y"),
    // lists are named by what they hold ("a lot of member loans", never "listMemberLoans"), a
    // flag that is an adjective reads "that is overdue", and a named loan is the loan renewed.
    let (_dir, out_dir) = generate_on(
        &std::fs::read_to_string(fixture("library_openai.json")).expect("fixture"),
        &[
            "--n",
            "120",
            "--seed",
            "5",
            "--variants",
            "all",
            "--variant-share",
            "0.5",
        ],
    );
    let records = lines(out_dir.join("records.jsonl"));
    assert!(records.len() >= 100, "kept {} of 120", records.len());
    let queries: Vec<&str> = records
        .iter()
        .map(|r| r["rounds"][0]["query"].as_str().expect("query"))
        .collect();
    for q in &queries {
        let camel = q.split(|c: char| !c.is_alphanumeric()).any(|w| {
            w.chars().next().is_some_and(char::is_lowercase) && w.chars().any(char::is_uppercase)
        });
        assert!(!camel, "a tool name in the request: {q}");
        for bad in ["offering overdue", "a book for a member at a branch for"] {
            assert!(!q.contains(bad), "{bad}: {q}");
        }
        // A named loan is the loan acted on: never "renew the loan for the X loan".
        for (i, _) in q.match_indices("the loan for the ") {
            let next: Vec<&str> = q[i + 17..].split(' ').take(4).collect();
            assert!(
                !next
                    .iter()
                    .any(|w| w.trim_end_matches([',', '.']) == "loan"),
                "the loan for the ... loan: {q}"
            );
        }
    }
    assert!(
        queries
            .iter()
            .any(|q| q.contains("place a hold on the book")),
        "no hold placed in words"
    );
    let out_s = out_dir.display().to_string();
    let (code, out, _) = run(&["verify", &out_s]);
    assert_eq!(code, 0, "{out}");
}
