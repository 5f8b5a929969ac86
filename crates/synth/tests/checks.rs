//! Unit tests of every check (tool maker, query, grounding, verifier, reverify, reasoner) on small
//! hand-built inputs: three tiny tools, hand-made traces, rounds and records. One test per
//! rejection reason and per failing check, each asserting the exact reason or message.

use hardgen_core::record::{
    AdvancedStep, Binding, Call, Difficulty, Generators, GoldCall, Message, Verdict,
};
use hardgen_core::trace::TraceCall;
use hardgen_core::{Record, Round, ToolCall, ToolError, ToolSpec, Trace};
use hardgen_synth::ground::{record_problem, round_problem, ungrounded_rounds};
use hardgen_synth::maker::{execute_advanced, make, select, Made, MakerReject};
use hardgen_synth::pipeline::SpecIndex;
use hardgen_synth::query::{
    check as query_check, grammar_problems, intermediate_values, missing_relation, states,
    RoundView,
};
use hardgen_synth::reasoner::{
    answer_text, answer_text_counting, answer_values, answer_values_after, attempt, counted_noun,
    levels, Attempt, ReasonerConfig, Slip,
};
use hardgen_synth::verify::{check as verify_check, reverify};
use hardgen_tools::{Environment, WorldDef};
use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// The hand-built world: three tools whose result schemas describe their fields.

fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec {
            read_only: None,
            name: "search_groups".into(),
            description: "Search contact groups by city.".into(),
            domain: "contacts".into(),
            parameters: json!({"type": "object", "properties": {
                "city": {"type": "string", "description": "City of the group"}}, "required": ["city"]}),
            returns: Some(json!({"type": "object", "properties": {
            "count": {"type": "integer", "description": "How many groups match"},
            "results": {"type": "array", "items": {"type": "object", "properties": {
                "group_id": {"type": "string", "description": "Id of a named group"},
                "group_name": {"type": "string", "description": "Name of the group"},
                "owner_contact_id": {"type": "string", "description": "Contact who manages the group"}
            }}}}})),
        },
        ToolSpec {
            read_only: None,
            name: "get_contact".into(),
            description: "Get a contact by id. Reads only.".into(),
            domain: "contacts".into(),
            parameters: json!({"type": "object", "properties": {
                "contact_id": {"type": "string", "description": "Id of the contact"}}, "required": ["contact_id"]}),
            returns: Some(json!({"type": "object", "properties": {
                "contact_id": {"type": "string", "description": "Id of the contact"},
                "name": {"type": "string", "description": "Full name"},
                "city": {"type": "string", "description": "City the contact lives in"}}})),
        },
        ToolSpec {
            read_only: None,
            name: "send_message".into(),
            description: "Send a message to a contact.".into(),
            domain: "messaging".into(),
            parameters: json!({"type": "object", "properties": {
                "contact_id": {"type": "string", "description": "Id of the contact"},
                "text": {"type": "string", "description": "Message text"}}, "required": ["contact_id", "text"]}),
            returns: Some(json!({"type": "object", "properties": {
                "message_id": {"type": "string", "description": "Id of the message"},
                "status": {"type": "string", "description": "Delivery status"}}})),
        },
    ]
}

/// Adds a tool spec to a hand-built world.
fn add_spec(def: &mut WorldDef, spec: ToolSpec) {
    def.by_name.insert(spec.name.clone(), def.specs.len());
    def.shared_specs.push(Arc::new(spec.clone()));
    def.specs.push(spec);
}

fn world() -> WorldDef {
    let specs = specs();
    WorldDef {
        domains: Vec::new(),
        colls: Vec::new(),
        tools: Vec::new(),
        shared_specs: specs.iter().cloned().map(Arc::new).collect(),
        by_name: specs
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect::<HashMap<_, _>>(),
        validators: Vec::new(),
        date_floors: Vec::new(),
        param_entities: Vec::new(),
        result_entities: Vec::new(),
        specs,
    }
}

const OWNER: &str = "results[].owner_contact_id";

fn groups(owners: &[(&str, &str)]) -> Value {
    let results: Vec<Value> = owners
        .iter()
        .enumerate()
        .map(|(i, (name, owner))| {
            json!({"group_id": format!("grp-10{}", i + 1), "group_name": name, "owner_contact_id": owner})
        })
        .collect();
    json!({"count": results.len(), "results": results})
}

fn contact(id: &str) -> Value {
    json!({"contact_id": id, "name": "Ada", "city": "Bergen"})
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn tcall(
    step: usize,
    round: usize,
    name: &str,
    args: Value,
    prov: &[(&str, &str)],
    deps: &[usize],
    result: Option<Value>,
) -> TraceCall {
    TraceCall {
        step,
        round,
        name: name.into(),
        arguments: obj(args),
        provenance: prov
            .iter()
            .map(|(a, p)| (a.to_string(), p.to_string()))
            .collect(),
        depends_on: deps.to_vec(),
        result,
        error: None,
    }
}

fn trace(targets: &[&str], calls: Vec<TraceCall>) -> Trace {
    Trace {
        id: "t".into(),
        seed: 0,
        targets: targets.iter().map(|t| t.to_string()).collect(),
        reached: vec![true; targets.len()],
        calls,
    }
}

/// Search the groups in Oslo, then get the owner of the one group found.
fn chain_trace(owner: &str) -> Trace {
    trace(
        &["get_contact"],
        vec![
            tcall(
                0,
                0,
                "search_groups",
                json!({"city": "Oslo"}),
                &[("city", "literal")],
                &[],
                Some(groups(&[("Family", owner)])),
            ),
            tcall(
                1,
                0,
                "get_contact",
                json!({"contact_id": owner}),
                &[("contact_id", &format!("step:0:{OWNER}"))],
                &[0],
                Some(contact(owner)),
            ),
        ],
    )
}

/// Like `chain_trace`, but two groups are found and the second one's owner is taken.
fn select_trace(second: Value) -> Trace {
    trace(
        &["get_contact"],
        vec![
            tcall(
                0,
                0,
                "search_groups",
                json!({"city": "Oslo"}),
                &[("city", "literal")],
                &[],
                Some(second),
            ),
            tcall(
                1,
                0,
                "get_contact",
                json!({"contact_id": "ct-7002"}),
                &[("contact_id", &format!("step:0:{OWNER}"))],
                &[0],
                Some(contact("ct-7002")),
            ),
        ],
    )
}

/// Two rounds: the chain, then a message to the contact found in round 0.
fn context_trace() -> Trace {
    let mut t = chain_trace("ct-7001");
    t.targets.push("send_message".into());
    t.calls.push(tcall(
        2,
        1,
        "send_message",
        json!({"contact_id": "ct-7001", "text": "Hello there"}),
        &[("contact_id", "step:1:contact_id"), ("text", "literal")],
        &[1],
        Some(json!({"message_id": "msg-501", "status": "sent"})),
    ));
    t
}

fn made_of(t: &Trace, round: usize) -> Made {
    let def = world();
    make(t, round, &SpecIndex(&def), 1, 8).expect("the hand-built round makes a tool")
}

fn reject(t: &Trace, round: usize, min: usize, max: usize) -> MakerReject {
    let def = world();
    make(t, round, &SpecIndex(&def), min, max).expect_err("the round is rejected")
}

// ---------------------------------------------------------------------------------------------
// maker::make

#[test]
fn make_rejects_no_round() {
    let r = reject(&chain_trace("ct-7001"), 1, 1, 8);
    assert_eq!(r.reason, "no_round");
    assert_eq!(r.detail, "trace has no round 1");
}

#[test]
fn make_rejects_target_not_reached() {
    let mut t = chain_trace("ct-7001");
    t.calls[1].result = None;
    let r = reject(&t, 0, 1, 8);
    assert_eq!(r.reason, "target_not_reached");
    assert_eq!(r.detail, "get_contact never succeeded");
    // A success of the target in another round does not count.
    let mut t = chain_trace("ct-7001");
    t.calls[1].round = 1;
    assert_eq!(reject(&t, 0, 1, 8).reason, "target_not_reached");
}

#[test]
fn make_rejects_too_short() {
    let r = reject(&chain_trace("ct-7001"), 0, 3, 8);
    assert_eq!(r.reason, "too_short");
    assert_eq!(r.detail, "2 gold call(s), need 3");
    // Exactly min_calls is fine.
    let def = world();
    assert!(make(&chain_trace("ct-7001"), 0, &SpecIndex(&def), 2, 2).is_ok());
}

#[test]
fn make_rejects_too_long() {
    let r = reject(&chain_trace("ct-7001"), 0, 1, 1);
    assert_eq!(r.reason, "too_long");
    assert_eq!(r.detail, "2 gold calls, at most 1");
}

#[test]
fn make_rejects_ambiguous() {
    // Two items with nothing but ids: no attribute tells them apart.
    let anon = json!({"count": 2, "results": [
        {"group_id": "grp-101", "owner_contact_id": "ct-7001"},
        {"group_id": "grp-102", "owner_contact_id": "ct-7002"}]});
    let r = reject(&select_trace(anon), 0, 1, 8);
    assert_eq!(r.reason, "ambiguous");
    assert_eq!(
        r.detail,
        "get_contact picks one of 2 values of results[].owner_contact_id with nothing to tell them apart"
    );
}

#[test]
fn make_rejects_unknown_tool() {
    let mut t = chain_trace("ct-7001");
    t.calls[0].name = "drop_tables".into();
    let r = reject(&t, 0, 1, 8);
    assert_eq!(r.reason, "unknown_tool");
    assert_eq!(r.detail, "drop_tables");
}

#[test]
fn make_binds_inputs_and_steps() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    assert_eq!(m.trace_steps, vec![0, 1]);
    assert_eq!(m.inputs, obj(json!({"city": "Oslo"})));
    assert!(m.selectors.is_empty() && m.context_inputs.is_empty() && m.context_refs.is_empty());
    let b = &m.tool.implementation;
    assert_eq!(b.len(), 2);
    assert_eq!(b[0].tool, "search_groups");
    assert_eq!(
        b[0].bindings["city"],
        Binding::Input {
            param: "city".into()
        }
    );
    assert_eq!(
        b[1].bindings["contact_id"],
        Binding::Step {
            step: 0,
            path: OWNER.into(),
            index: 0
        }
    );
    assert_eq!(m.gold[0].provenance["city"], "input:city");
    assert_eq!(
        m.gold[1].provenance["contact_id"],
        format!("step:0:{OWNER}")
    );
    assert_eq!(m.gold[1].depends_on, vec![0]);
    assert_eq!(m.gold[1].step, 1);
    assert_eq!(m.gold[1].result, contact("ct-7001"));
    assert_eq!(m.tool.name, "get_contact_from_city");
    assert_eq!(m.tool.steps, vec![0, 1]);
    assert_eq!(
        m.tool.description,
        "Get a contact by id in one call. Internally it will search contact groups by city, then get a contact by id. Returns what get_contact returns."
    );
    assert_eq!(
        m.tool.parameters,
        json!({"type": "object", "properties": {"city": {"type": "string", "description": "City of the group"}}, "required": ["city"]})
    );
}

#[test]
fn make_binds_a_selector_among_several_items() {
    let two = groups(&[("Family", "ct-7001"), ("Work", "ct-7002")]);
    let m = made_of(&select_trace(two), 0);
    assert_eq!(
        m.tool.implementation[1].bindings["contact_id"],
        Binding::Select {
            step: 0,
            path: OWNER.into(),
            field: "results[].group_name".into(),
            param: "group_name".into()
        }
    );
    assert_eq!(m.inputs, obj(json!({"city": "Oslo", "group_name": "Work"})));
    assert_eq!(m.selectors, BTreeSet::from(["group_name".to_string()]));
    assert_eq!(
        m.tool.parameters["properties"]["group_name"],
        json!({"type": "string", "description": "Which item to use: the one whose group name is this"})
    );
}

#[test]
fn make_refers_earlier_round_values_to_their_call() {
    let m = made_of(&context_trace(), 1);
    // Only this round's calls: the round-0 call it depends on is context, not gold.
    assert_eq!(m.trace_steps, vec![2]);
    assert!(m.gold[0].depends_on.is_empty());
    assert_eq!(
        m.inputs,
        obj(json!({"contact_id": "ct-7001", "text": "Hello there"}))
    );
    assert_eq!(m.context_inputs, BTreeSet::from(["contact_id".to_string()]));
    assert_eq!(
        m.context_refs,
        BTreeMap::from([("contact_id".to_string(), (1, "contact_id".to_string()))])
    );
    assert_eq!(
        m.tool.implementation[0].bindings["contact_id"],
        Binding::Input {
            param: "contact_id".into()
        }
    );
}

#[test]
fn make_rejects_trivial() {
    // One call that needs nothing from the user is no task.
    let t = trace(
        &["search_groups"],
        vec![tcall(
            0,
            0,
            "search_groups",
            json!({}),
            &[],
            &[],
            Some(groups(&[("Family", "ct-7001")])),
        )],
    );
    let r = reject(&t, 0, 1, 8);
    assert_eq!(r.reason, "trivial");
    assert_eq!(r.detail, "search_groups alone, with no input");
    // The same call with an input is a task; so are two calls without one.
    let mut t = t;
    t.calls[0].arguments = obj(json!({"city": "Oslo"}));
    t.calls[0].provenance = BTreeMap::from([("city".to_string(), "literal".to_string())]);
    assert_eq!(made_of(&t, 0).inputs, obj(json!({"city": "Oslo"})));
    let mut t = chain_trace("ct-7001");
    t.calls[0].arguments = Map::new();
    t.calls[0].provenance = BTreeMap::new();
    let m = made_of(&t, 0);
    assert!(m.inputs.is_empty());
    assert_eq!(m.tool.name, "get_contact");
    assert_eq!(
        m.tool.parameters,
        json!({"type": "object", "properties": {}, "required": []})
    );
}

#[test]
fn make_rejects_a_repeated_call() {
    let lookup = |step: usize, city: &str| {
        let mut result = contact("ct-7001");
        result["city"] = json!(city);
        tcall(
            step,
            0,
            "get_contact",
            json!({"contact_id": "ct-7001"}),
            &[("contact_id", "literal")],
            &[],
            Some(result),
        )
    };
    let message = |step: usize, id: &str| {
        tcall(
            step,
            0,
            "send_message",
            json!({"contact_id": "ct-7001", "text": "Hi"}),
            &[("contact_id", "literal"), ("text", "literal")],
            &[],
            Some(json!({"message_id": id, "status": "sent"})),
        )
    };
    let target = |step: usize, deps: &[usize]| {
        tcall(
            step,
            0,
            "send_message",
            json!({"contact_id": "ct-7002", "text": "Done"}),
            &[("contact_id", "literal"), ("text", "literal")],
            deps,
            Some(json!({"message_id": "msg-9", "status": "sent"})),
        )
    };
    // A read that returns what it returned before adds nothing.
    let t = trace(
        &["send_message"],
        vec![lookup(0, "Bergen"), lookup(1, "Bergen"), target(2, &[0, 1])],
    );
    let r = reject(&t, 0, 1, 8);
    assert_eq!(r.reason, "repeated_call");
    assert_eq!(r.detail, "get_contact called twice with the same arguments");
    // A change made twice is repeated even though its answers differ.
    let t = trace(
        &["send_message"],
        vec![message(0, "msg-1"), message(1, "msg-2"), target(2, &[0, 1])],
    );
    assert_eq!(reject(&t, 0, 1, 8).reason, "repeated_call");
    // A read whose answer changed in between is kept.
    let t = trace(
        &["send_message"],
        vec![lookup(0, "Bergen"), lookup(1, "Oslo"), target(2, &[0, 1])],
    );
    assert_eq!(made_of(&t, 0).gold.len(), 3);
}

#[test]
fn make_names_inputs_apart_when_calls_take_different_values() {
    // Six lookups by contact id (the fifth and sixth repeat the first and third, after those
    // contacts moved, so the repeats read something new), then a message to a seventh id.
    let ids = [
        "ct-7001", "ct-7002", "ct-7003", "ct-7004", "ct-7001", "ct-7003",
    ];
    let mut calls: Vec<TraceCall> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut result = contact(id);
            if i >= 4 {
                result["city"] = json!("Oslo");
            }
            tcall(
                i,
                0,
                "get_contact",
                json!({ "contact_id": id }),
                &[("contact_id", "literal")],
                &[],
                Some(result),
            )
        })
        .collect();
    calls.push(tcall(
        6,
        0,
        "send_message",
        json!({"contact_id": "ct-7005", "text": "Hi"}),
        &[("contact_id", "literal"), ("text", "literal")],
        &[0, 1, 2, 3, 4, 5],
        Some(json!({"message_id": "msg-501", "status": "sent"})),
    ));
    let t = trace(&["send_message"], calls);
    let def = world();
    let m = make(&t, 0, &SpecIndex(&def), 1, 10).expect("seven calls make a tool");
    assert_eq!(
        m.inputs,
        obj(json!({
            "contact_id": "ct-7001",
            "contact_contact_id": "ct-7002",
            "contact_contact_id_2": "ct-7003",
            "contact_contact_id_3": "ct-7004",
            "message_contact_id": "ct-7005",
            "text": "Hi"
        }))
    );
    // A value seen before reuses its parameter, also under a made-up name.
    let params: Vec<String> = m
        .tool
        .implementation
        .iter()
        .map(|s| match &s.bindings["contact_id"] {
            Binding::Input { param } => param.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        params,
        [
            "contact_id",
            "contact_contact_id",
            "contact_contact_id_2",
            "contact_contact_id_3",
            "contact_id",
            "contact_contact_id_2",
            "message_contact_id"
        ]
    );
    assert_eq!(m.gold[4].provenance["contact_id"], "input:contact_id");
    assert_eq!(m.gold[6].depends_on, vec![0, 1, 2, 3, 4, 5]);
    // Every parameter takes the schema of the argument it feeds.
    let id_schema = json!({"type": "string", "description": "Id of the contact"});
    for p in ["contact_id", "contact_contact_id_3", "message_contact_id"] {
        assert_eq!(m.tool.parameters["properties"][p], id_schema, "{p}");
    }
}

/// Two groups found in Oslo, each item's `group_name` replaced by the fields of `extra`.
fn two_groups(extra: [Value; 2]) -> Value {
    let mut g = groups(&[("Family", "ct-7001"), ("Work", "ct-7002")]);
    for (item, e) in g["results"].as_array_mut().into_iter().flatten().zip(extra) {
        let (Some(item), Value::Object(e)) = (item.as_object_mut(), e) else {
            continue;
        };
        item.remove("group_name");
        item.extend(e);
    }
    g
}

/// The selector `make` picks for the second group: (field, parameter value), or the reason.
fn picked(extra: [Value; 2]) -> Result<(String, Value), &'static str> {
    let def = world();
    let m = make(&select_trace(two_groups(extra)), 0, &SpecIndex(&def), 1, 8)
        .map_err(|r| r.reason.as_str())?;
    match &m.tool.implementation[1].bindings["contact_id"] {
        Binding::Select { field, param, .. } => Ok((field.clone(), m.inputs[param].clone())),
        other => panic!("{other:?}"),
    }
}

#[test]
fn make_selects_by_a_name_then_a_text_then_a_number_then_a_state() {
    let sel = |f: &str, v: Value| Ok((format!("results[].{f}"), v));
    // A name beats another string and a number.
    assert_eq!(
        picked([
            json!({"topic": "kin", "size": 4, "group_name": "Family"}),
            json!({"topic": "job", "size": 9, "group_name": "Work"})
        ]),
        sel("group_name", json!("Work"))
    );
    // Among three, the value only the wanted item has.
    let three = groups(&[
        ("Family", "ct-7001"),
        ("Work", "ct-7002"),
        ("Sport", "ct-7003"),
    ]);
    let m = made_of(&select_trace(three), 0);
    assert_eq!(m.inputs["group_name"], json!("Work"));
    let mut three = groups(&[
        ("Work", "ct-7001"),
        ("Work", "ct-7002"),
        ("Sport", "ct-7003"),
    ]);
    three["results"][1]["topic"] = json!("job");
    // A field only the wanted item has tells it apart, as does one whose values all differ.
    let m = made_of(&select_trace(three.clone()), 0);
    assert_eq!(m.inputs["topic"], json!("job"));
    three["results"][0]["topic"] = json!("kin");
    three["results"][2]["topic"] = json!("fun");
    assert_eq!(
        made_of(&select_trace(three), 0).inputs["topic"],
        json!("job")
    );
    // Without a name, a text beats a number, and a number beats a state word ("job"), whose
    // few values repeat across queries.
    assert_eq!(
        picked([
            json!({"size": 4, "topic": "Kin club"}),
            json!({"size": 9, "topic": "Job fair"})
        ]),
        sel("topic", json!("Job fair"))
    );
    assert_eq!(
        picked([
            json!({"size": 4, "topic": "kin"}),
            json!({"size": 9, "topic": "job"})
        ]),
        sel("size", json!(9))
    );
    // A field both items share does not tell them apart.
    assert_eq!(
        picked([
            json!({"group_name": "Same", "topic": "kin", "size": 4}),
            json!({"group_name": "Same", "topic": "job", "size": 4})
        ]),
        sel("topic", json!("job"))
    );
    // A number when nothing else differs; its parameter is a number.
    assert_eq!(
        picked([
            json!({"topic": "x", "size": 4}),
            json!({"topic": "x", "size": 9})
        ]),
        sel("size", json!(9))
    );
    let def = world();
    let m = make(
        &select_trace(two_groups([
            json!({"topic": "x", "size": 4}),
            json!({"topic": "x", "size": 9}),
        ])),
        0,
        &SpecIndex(&def),
        1,
        8,
    )
    .expect("a number tells them apart");
    assert_eq!(
        m.tool.parameters["properties"]["size"],
        json!({"type": "number", "description": "Which item to use: the one whose size is this"})
    );
    // Flags, lists and objects never select, nor do other ids.
    assert_eq!(
        picked([
            json!({"active": true, "tags": ["a"], "meta": {"k": 1}, "zone_id": "z-1"}),
            json!({"active": false, "tags": ["b"], "meta": {"k": 2}, "zone_id": "z-2"})
        ]),
        Err("ambiguous")
    );
}

#[test]
fn make_describes_each_parameter_by_its_own_binding() {
    // search the groups, get the owner of the one named Work, then message that owner: the
    // message text is an input bound after the selector and keeps the argument's schema.
    let mut t = select_trace(groups(&[("Family", "ct-7001"), ("Work", "ct-7002")]));
    t.targets = vec!["send_message".into()];
    t.calls.push(tcall(
        2,
        0,
        "send_message",
        json!({"contact_id": "ct-7002", "text": "Hello there"}),
        &[("contact_id", "step:1:contact_id"), ("text", "literal")],
        &[1],
        Some(json!({"message_id": "msg-501", "status": "sent"})),
    ));
    let m = made_of(&t, 0);
    assert_eq!(
        m.tool.parameters,
        json!({"type": "object", "properties": {
            "city": {"type": "string", "description": "City of the group"},
            "group_name": {"type": "string", "description": "Which item to use: the one whose group name is this"},
            "text": {"type": "string", "description": "Message text"}},
            "required": ["city", "group_name", "text"]})
    );
    assert_eq!(m.tool.name, "send_message_from_city_and_group_name");
    assert_eq!(Some(m.tool.returns), specs()[2].returns.clone());
}

#[test]
fn select_takes_the_value_of_the_item_with_the_wanted_field() {
    let two = groups(&[("Family", "ct-7001"), ("Work", "ct-7002")]);
    let name = "results[].group_name";
    assert_eq!(
        select(&two, OWNER, name, &json!("Work")),
        Some(json!("ct-7002"))
    );
    assert_eq!(
        select(&two, OWNER, name, &json!("Family")),
        Some(json!("ct-7001"))
    );
    assert_eq!(select(&two, OWNER, name, &json!("Sport")), None);
}

#[test]
fn execute_advanced_runs_the_steps_with_inputs_and_results() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    assert_eq!(
        execute_advanced(&m.tool, &m.inputs, &mut Mock::new()),
        vec![Ok(groups(&[("Family", "ct-7001")])), Ok(contact("ct-7001"))]
    );
    // A selector input picks the item whose field has its value.
    let two = groups(&[("Family", "ct-7001"), ("Work", "ct-7002")]);
    let m2 = made_of(&select_trace(two.clone()), 0);
    assert_eq!(
        execute_advanced(&m2.tool, &m2.inputs, &mut Replay::of(&m2)),
        vec![Ok(two), Ok(contact("ct-7002"))]
    );
    // A missing input: the step is not run, and neither is the one that needs its result.
    assert_eq!(
        execute_advanced(&m.tool, &Map::new(), &mut Mock::new()),
        vec![
            Err("no value for `city` of search_groups".to_string()),
            Err("no value for `contact_id` of get_contact".to_string())
        ]
    );
    // A failing step: its error is the outcome.
    let out = execute_advanced(&m.tool, &obj(json!({"city": "Bergen"})), &mut Mock::new());
    assert_eq!(out.len(), 2);
    assert!(
        out[0].as_ref().is_err_and(|e| e.ends_with("not found")),
        "{out:?}"
    );
    assert_eq!(
        out[1],
        Err("no value for `contact_id` of get_contact".to_string())
    );
}

// ---------------------------------------------------------------------------------------------
// query::check, missing_relation, states, grammar_problems

const GOOD: &str = "Please get the contact who manages the group in Oslo.";

fn qcheck(m: &Made, q: &str) -> Result<(), (&'static str, String)> {
    query_check(m, q, &specs()[..]).map_err(|e| (e.reason.as_str(), e.detail))
}

#[test]
fn query_check_accepts_a_good_query() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    assert_eq!(qcheck(&m, GOOD), Ok(()));
    // The relation may also be named by its field label.
    assert_eq!(
        qcheck(&m, "Please get the owner contact of the group in Oslo."),
        Ok(())
    );
}

#[test]
fn query_check_rejects_incomplete() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    assert_eq!(
        qcheck(&m, "Please get the contact who manages the group."),
        Err(("incomplete", "city = Oslo is not in the query".into()))
    );
}

#[test]
fn query_check_rejects_leak() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    assert_eq!(
        qcheck(
            &m,
            "Please get the contact who manages the group in Oslo, ct-7001."
        ),
        Err(("leak", "intermediate value ct-7001 is in the query".into()))
    );
    // Three characters are enough to leak; two are not.
    let m = made_of(&chain_trace("CT7"), 0);
    assert_eq!(
        qcheck(
            &m,
            "Please get the contact who manages the group in Oslo, ct7."
        ),
        Err(("leak", "intermediate value CT7 is in the query".into()))
    );
    let m = made_of(&chain_trace("C7"), 0);
    assert_eq!(
        qcheck(
            &m,
            "Please get the contact who manages the group in Oslo, c7."
        ),
        Ok(())
    ); // Said in another form (a date in words), or inside a longer word, it still leaks.
    let m = made_of(&chain_trace("2026-06-05"), 0);
    assert_eq!(
        qcheck(
            &m,
            "Please get the contact who manages the group in Oslo from June 5, 2026."
        ),
        Err((
            "leak",
            "intermediate value 2026-06-05 is in the query".into()
        ))
    );
    let m = made_of(&chain_trace("ct-7001"), 0);
    assert_eq!(
        qcheck(
            &m,
            "Please get the contact who manages the group in Oslo, ct-70012."
        ),
        Err(("leak", "intermediate value ct-7001 is in the query".into()))
    );
}

#[test]
fn query_check_rejects_ungrammatical() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    assert_eq!(
        qcheck(&m, "please get the contact who manages the group in Oslo."),
        Err(("ungrammatical", "does not start with a capital".into()))
    );
}

#[test]
fn query_check_rejects_relation_missing() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    assert_eq!(
        qcheck(&m, "Please get the owner of the group in Oslo."),
        Err((
            "relation_missing",
            "step 1 takes contact_id from results[].owner_contact_id of step 0 but the query never says \"contact who manages\"".into()
        ))
    );
}

#[test]
fn query_check_rejects_context_unreferenced() {
    let m = made_of(&context_trace(), 1);
    assert_eq!(
        qcheck(&m, "Please send Hello there to the contact."),
        Err((
            "context_unreferenced",
            "contact_id comes from an earlier round but the query does not refer back to it".into()
        ))
    );
    assert_eq!(
        qcheck(&m, "Please send Hello there to the contact from before."),
        Ok(())
    );
    // A token an earlier round's login handed out carries over unsaid, like a session.
    let mut login = m.clone();
    if let Some((_, path)) = login.context_refs.get_mut("contact_id") {
        *path = "access_token".into();
    }
    assert_eq!(
        qcheck(&login, "Please send Hello there to the contact."),
        Ok(())
    );
    // A context input is referred back to, not stated: the rest must still be complete.
    assert_eq!(
        qcheck(&m, "Please send a note to the contact from before."),
        Err((
            "incomplete",
            "text = Hello there is not in the query".into()
        ))
    );
}

#[test]
fn missing_relation_names_own_ids_by_their_item() {
    // A step bound to the item's own id: the item noun ("group") must be said.
    let gold = vec![
        GoldCall {
            step: 0,
            name: "search_groups".into(),
            arguments: obj(json!({"city": "Oslo"})),
            provenance: BTreeMap::new(),
            depends_on: vec![],
            result: groups(&[("Family", "ct-7001")]),
        },
        GoldCall {
            step: 1,
            name: "get_contact".into(),
            arguments: obj(json!({"contact_id": "grp-101"})),
            provenance: BTreeMap::new(),
            depends_on: vec![0],
            result: Value::Null,
        },
    ];
    let steps = vec![
        AdvancedStep {
            tool: "search_groups".into(),
            bindings: BTreeMap::from([(
                "city".into(),
                Binding::Input {
                    param: "city".into(),
                },
            )]),
        },
        AdvancedStep {
            tool: "get_contact".into(),
            bindings: BTreeMap::from([(
                "contact_id".into(),
                Binding::Step {
                    step: 0,
                    path: "results[].group_id".into(),
                    index: 0,
                },
            )]),
        },
    ];
    let inputs = obj(json!({"city": "Oslo"}));
    let view = RoundView {
        gold: &gold,
        steps: &steps,
        inputs: &inputs,
    };
    let s = specs();
    assert_eq!(
        missing_relation(view, "get it for the group in oslo", &s[..]),
        None
    );
    assert_eq!(
        missing_relation(view, "get it in oslo", &s[..]).as_deref(),
        Some("step 1 takes contact_id from results[].group_id of step 0 but the query never says \"group\"")
    );
    // A step whose tool is not known cannot be checked.
    assert_eq!(
        missing_relation(view, "get it for the group in oslo", &s[1..]).as_deref(),
        Some("step 0 has no known tool")
    );
}

#[test]
fn missing_relation_reads_hyphens_as_spaces() {
    // The item noun is "contact follow-up"; a query may say it with or without the hyphen.
    let specs = [
        ToolSpec {
            read_only: None,
            name: "list_contact_follow_ups".into(),
            description: "List the follow-ups of a contact.".into(),
            domain: "contacts".into(),
            parameters: json!({"type": "object", "properties": {
                "contact_id": {"type": "string", "description": "Id of the contact"}}, "required": ["contact_id"]}),
            returns: Some(json!({"type": "object", "properties": {
            "results": {"type": "array", "items": {"type": "object", "properties": {
                "contact_follow_up_id": {"type": "string", "description": "Id of the follow-up"}
            }}}}})),
        },
        ToolSpec {
            read_only: None,
            name: "complete_contact_follow_up".into(),
            description: "Complete a follow-up.".into(),
            domain: "contacts".into(),
            parameters: json!({"type": "object", "properties": {
                "contact_follow_up_id": {"type": "string", "description": "Id of the follow-up"}}, "required": ["contact_follow_up_id"]}),
            returns: None,
        },
    ];
    let gold = vec![
        GoldCall {
            step: 0,
            name: "list_contact_follow_ups".into(),
            arguments: obj(json!({"contact_id": "ct1"})),
            provenance: BTreeMap::new(),
            depends_on: vec![],
            result: json!({"results": [{"contact_follow_up_id": "cf1"}]}),
        },
        GoldCall {
            step: 1,
            name: "complete_contact_follow_up".into(),
            arguments: obj(json!({"contact_follow_up_id": "cf1"})),
            provenance: BTreeMap::new(),
            depends_on: vec![0],
            result: Value::Null,
        },
    ];
    let steps = vec![
        AdvancedStep {
            tool: "list_contact_follow_ups".into(),
            bindings: BTreeMap::from([(
                "contact_id".into(),
                Binding::Input {
                    param: "contact_id".into(),
                },
            )]),
        },
        AdvancedStep {
            tool: "complete_contact_follow_up".into(),
            bindings: BTreeMap::from([(
                "contact_follow_up_id".into(),
                Binding::Step {
                    step: 0,
                    path: "results[].contact_follow_up_id".into(),
                    index: 0,
                },
            )]),
        },
    ];
    let inputs = obj(json!({"contact_id": "ct1"}));
    let view = RoundView {
        gold: &gold,
        steps: &steps,
        inputs: &inputs,
    };
    for q in [
        "complete the contact follow-up of ct1",
        "complete the contact follow up of ct1",
    ] {
        assert_eq!(missing_relation(view, q, &specs[..]), None, "{q}");
    }
    assert_eq!(
        missing_relation(view, "complete the reminder of ct1", &specs[..]).as_deref(),
        Some("step 1 takes contact_follow_up_id from results[].contact_follow_up_id of step 0 but the query never says \"contact follow-up\"")
    );
}

#[test]
fn states_respects_word_boundaries() {
    assert!(states("the group in oslo.", &json!("Oslo"), "city"));
    assert!(states("oslo", &json!("Oslo"), "city"));
    assert!(!states("the group in osloville", &json!("Oslo"), "city"));
    assert!(!states("the group in xoslo", &json!("Oslo"), "city"));
    // A later whole-word occurrence still counts.
    assert!(states("osloville and oslo", &json!("Oslo"), "city"));
    assert!(states("xoslo, oslo", &json!("Oslo"), "city"));
    // Values that begin or end in punctuation need no boundary there.
    assert!(states("code a#12", &json!("#12"), "code"));
    assert!(states("code 12#a", &json!("12#"), "code"));
    assert!(!states("anything", &json!(""), "x"));
}

#[test]
fn states_tells_numbers_apart() {
    assert!(states("kwh 39 today", &json!(39), "kwh"));
    assert!(states("kwh 39", &json!(39), "kwh"));
    assert!(states("at most 39.", &json!(39), "kwh"));
    assert!(states("at most 39. then more", &json!(39), "kwh"));
    assert!(states("at most 39.x", &json!(39), "kwh"));
    assert!(!states("kwh 390 today", &json!(39), "kwh"));
    assert!(!states("kwh 39.5 today", &json!(39), "kwh"));
    assert!(states("kwh 39.5 today", &json!(39.5), "kwh"));
    // A string that looks like a number is not held to the number rule.
    assert!(states("code 39.5", &json!("39"), "code"));
    assert!(!states("kwh 1390", &json!(39), "kwh"));
}

#[test]
fn states_says_booleans_by_their_label() {
    assert!(states(
        "with emergency service",
        &json!(true),
        "emergency_service"
    ));
    assert!(states(
        "without emergency service",
        &json!(false),
        "emergency_service"
    ));
    assert!(!states("with nothing", &json!(true), "emergency_service"));
    assert!(!states("true", &json!(true), "emergency_service"));
}

#[test]
fn grammar_problems_reports_each_rule() {
    assert!(grammar_problems(GOOD).is_empty());
    assert!(grammar_problems("Could you get it?").is_empty());
    assert!(grammar_problems("Get it!").is_empty());
    assert_eq!(
        grammar_problems("get it."),
        vec!["does not start with a capital"]
    );
    assert_eq!(
        grammar_problems(""),
        vec![
            "does not start with a capital",
            "does not end with punctuation"
        ]
    );
    assert_eq!(
        grammar_problems("Get it"),
        vec!["does not end with punctuation"]
    );
    assert_eq!(grammar_problems("Get it.  "), vec!["contains \"  \""]);
    for bad in [
        "{",
        "}",
        "  ",
        " ,",
        ",,",
        "..",
        " .",
        " ?",
        "for me for",
        ", ,",
    ] {
        let q = format!("Get it{bad}x.");
        assert!(
            grammar_problems(&q).contains(&format!("contains {bad:?}")),
            "{q}: {:?}",
            grammar_problems(&q)
        );
    }
    assert_eq!(
        grammar_problems("Get the the group."),
        vec!["doubled word \"the\""]
    );
    assert_eq!(
        grammar_problems("Get The the group."),
        vec!["doubled word \"the\""]
    );
    assert!(grammar_problems("Get 1 1 groups.").is_empty());
    assert_eq!(grammar_problems("Get a apple."), vec!["\"a apple\""]);
    assert!(grammar_problems("Get a Oslo group.").is_empty());
    assert_eq!(grammar_problems("Get an pear."), vec!["\"an pear\""]);
    assert!(grammar_problems("Get an apple.").is_empty());
    assert!(grammar_problems("Get an Pear.").is_empty());
    assert_eq!(
        grammar_problems("Please the group."),
        vec!["no verb after \"Please \""]
    );
    assert!(grammar_problems("Please me now.").contains(&"no verb after \"Please \"".to_string()));
    assert!(grammar_problems("Please get the group.").is_empty());
}

// ---------------------------------------------------------------------------------------------
// verify::check

fn ok_call(id: &str, name: &str, args: Value, out: Value) -> (Call, Result<Value, ToolError>) {
    (
        Call {
            id: id.into(),
            name: name.into(),
            arguments: obj(args),
        },
        Ok(out),
    )
}

const ANSWER: &str = "Here is what I found: contact ct-7001, name Ada, city Bergen.";

fn good_attempt() -> Attempt {
    Attempt {
        repairs: Vec::new(),
        messages: Vec::new(),
        calls: vec![
            ok_call(
                "c0",
                "search_groups",
                json!({"city": "Oslo"}),
                groups(&[("Family", "ct-7001")]),
            ),
            ok_call(
                "c1",
                "get_contact",
                json!({"contact_id": "ct-7001"}),
                contact("ct-7001"),
            ),
        ],
        answer: ANSWER.into(),
        slip: None,
    }
}

fn checks(c: &hardgen_synth::verify::Checked) -> (bool, bool, bool) {
    (
        c.checks["gold_results"],
        c.checks["end_state"],
        c.checks["final_answer"],
    )
}

#[test]
fn verify_check_passes_a_correct_attempt() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    let c = verify_check(&m, GOOD, &good_attempt(), true);
    assert_eq!(checks(&c), (true, true, true));
    assert!(c.passed());
    assert!(c.hints.is_empty(), "{:?}", c.hints);
}

#[test]
fn verify_check_fails_gold_results_when_a_call_is_missing() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    let mut a = good_attempt();
    a.calls.pop();
    let c = verify_check(&m, GOOD, &a, true);
    assert_eq!(checks(&c), (false, true, true));
    assert!(!c.passed());
    assert_eq!(
        c.hints,
        vec!["the plan never called get_contact, which the request needs"]
    );
}

#[test]
fn verify_check_fails_gold_results_when_a_call_fails() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    let mut a = good_attempt();
    a.calls[1].1 = Err(ToolError::NotFound {
        what: "contact".into(),
        id: "ct-7001".into(),
    });
    let c = verify_check(&m, GOOD, &a, true);
    assert!(!c.checks["gold_results"]);
    assert_eq!(
        c.hints,
        vec!["get_contact failed (not_found): check where each of its arguments came from"]
    );
}

#[test]
fn verify_check_fails_gold_results_on_other_values_and_guesses() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    let mut a = good_attempt();
    a.calls[1] = ok_call(
        "c1",
        "get_contact",
        json!({"contact_id": "ct-9999"}),
        contact("ct-9999"),
    );
    let c = verify_check(&m, GOOD, &a, true);
    assert_eq!(checks(&c), (false, true, true));
    assert_eq!(
        c.hints,
        vec![
            "get_contact ran, but not with the values the request needs",
            "a required value for get_contact (contact_id) was guessed, not obtained from a tool",
        ]
    );
    // A gold call is matched once: two calls for one gold result leave the other gold unmatched.
    let mut a = good_attempt();
    a.calls[0] = a.calls[1].clone();
    let c = verify_check(&m, GOOD, &a, true);
    assert!(!c.checks["gold_results"]);
}

#[test]
fn verify_check_does_not_call_stated_or_short_or_seen_values_guessed() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    // The value was in the query.
    let mut a = good_attempt();
    let _ = a.calls.remove(0);
    let c = verify_check(&m, "Please get contact CT-7001 in Oslo.", &a, true);
    assert!(
        !c.hints.iter().any(|h| h.contains("guessed")),
        "{:?}",
        c.hints
    );
    // Short values are never called guesses; values seen in an earlier result are not either.
    let mut a = good_attempt();
    a.calls[0].0.arguments = obj(json!({"city": "Os"}));
    let c = verify_check(&m, GOOD, &a, true);
    assert!(
        !c.hints.iter().any(|h| h.contains("guessed")),
        "{:?}",
        c.hints
    );
    // Two characters are too short to call a guess; three are not.
    let mut a = good_attempt();
    a.calls[0].0.arguments = obj(json!({"city": "Zq"}));
    let c = verify_check(&m, GOOD, &a, true);
    assert!(
        !c.hints.iter().any(|h| h.contains("guessed")),
        "{:?}",
        c.hints
    );
    a.calls[0].0.arguments = obj(json!({"city": "Zqx"}));
    let c = verify_check(&m, GOOD, &a, true);
    assert!(c
        .hints
        .iter()
        .any(|h| h
            == "a required value for search_groups (city) was guessed, not obtained from a tool"));
    // A value the query states in another form (a date in words) was not guessed either.
    let mut a = good_attempt();
    a.calls[0].0.arguments = obj(json!({"city": "2026-06-05"}));
    let c = verify_check(
        &m,
        "Please get the contact of the group from June 5, 2026.",
        &a,
        true,
    );
    assert!(
        !c.hints.iter().any(|h| h.contains("guessed")),
        "{:?}",
        c.hints
    );
    // A value seen only in a *later* result was still guessed.
    let mut a = good_attempt();
    a.calls.swap(0, 1);
    let c = verify_check(&m, GOOD, &a, true);
    assert!(c.hints.iter().any(|h| h
        == "a required value for get_contact (contact_id) was guessed, not obtained from a tool"));
    // A failed earlier call shows nothing.
    let mut a = good_attempt();
    a.calls[0].1 = Err(ToolError::Conflict {
        reason: "busy".into(),
    });
    let c = verify_check(&m, GOOD, &a, true);
    assert!(
        c.hints.iter().any(|h| h.contains("guessed")),
        "{:?}",
        c.hints
    );
}

#[test]
fn verify_check_fails_end_state_alone() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    let c = verify_check(&m, GOOD, &good_attempt(), false);
    assert_eq!(checks(&c), (true, false, true));
    assert!(!c.passed());
    assert_eq!(
        c.hints,
        vec!["the calls changed more (or less) than the request asks for"]
    );
    // When a gold result is missing too, that hint is the one given.
    let mut a = good_attempt();
    a.calls.pop();
    let c = verify_check(&m, GOOD, &a, false);
    assert!(!c.hints.iter().any(|h| h.contains("changed more")));
}

#[test]
fn verify_check_fails_final_answer_alone() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    let mut a = good_attempt();
    a.answer = "Here is what I found: contact ct-7001, name Ada.".into();
    let c = verify_check(&m, GOOD, &a, true);
    assert_eq!(checks(&c), (true, true, false));
    assert!(!c.passed());
    assert_eq!(
        c.hints,
        vec!["the final answer does not state the outcome of get_contact"]
    );
    // Case does not matter.
    a.answer = ANSWER.to_uppercase();
    assert!(verify_check(&m, GOOD, &a, true).passed());
}

// ---------------------------------------------------------------------------------------------
// Records: hand-built rounds for the grounding check and reverify.

fn assistant_calls(calls: Vec<Call>) -> Message {
    Message::Assistant {
        reasoning: Some("Working on it.".into()),
        content: None,
        tool_calls: calls,
    }
}

fn answer(text: &str) -> Message {
    Message::Assistant {
        reasoning: None,
        content: Some(text.into()),
        tool_calls: Vec::new(),
    }
}

fn tool_msg(id: &str, name: &str, content: Value) -> Message {
    Message::Tool {
        tool_call_id: id.into(),
        name: name.into(),
        content,
    }
}

fn call(id: &str, name: &str, args: Value) -> Call {
    Call {
        id: id.into(),
        name: name.into(),
        arguments: obj(args),
    }
}

/// The trajectory of a round that replays its gold one call per turn, ids `c{first}..`.
fn trajectory(query: &str, gold: &[GoldCall], first: usize, final_answer: &str) -> Vec<Message> {
    let mut t = vec![Message::User {
        content: query.into(),
    }];
    for (k, g) in gold.iter().enumerate() {
        let id = format!("c{}", first + k);
        t.push(assistant_calls(vec![Call {
            id: id.clone(),
            name: g.name.clone(),
            arguments: g.arguments.clone(),
        }]));
        t.push(tool_msg(&id, &g.name, g.result.clone()));
    }
    t.push(answer(final_answer));
    t
}

fn round_of(m: &Made, query: &str, first: usize, final_answer: &str) -> Round {
    Round {
        target: m.gold.last().map(|g| g.name.clone()).unwrap_or_default(),
        advanced_tool: m.tool.clone(),
        query: query.into(),
        external_inputs: m.inputs.clone(),
        gold: m.gold.clone(),
        trajectory: trajectory(query, &m.gold, first, final_answer),
        verdict: Verdict {
            passed: true,
            attempts: 1,
            checks: BTreeMap::from([
                ("end_state".to_string(), true),
                ("final_answer".to_string(), true),
                ("gold_results".to_string(), true),
            ]),
            hints: Vec::new(),
        },
        difficulty: Difficulty {
            calls: m.gold.len(),
            hidden_values: intermediate_values(m).len(),
            distractors: 0,
            target_agent_failed: None,
        },
        repairs: Vec::new(),
        tools_added: Vec::new(),
    }
}

fn record(rounds: Vec<Round>, tools: &[&str]) -> Record {
    let all = specs();
    let tools: Vec<Arc<ToolSpec>> = tools
        .iter()
        .filter_map(|n| all.iter().find(|s| s.name == *n).cloned().map(Arc::new))
        .collect();
    let mut used = BTreeSet::new();
    let mut domains = BTreeSet::new();
    for r in &rounds {
        for g in &r.gold {
            used.insert(g.name.clone());
            if let Some(s) = all.iter().find(|s| s.name == g.name) {
                domains.insert(s.domain.clone());
            }
        }
    }
    let distractors = tools.len() - used.len();
    let rounds = rounds
        .into_iter()
        .map(|mut r| {
            r.difficulty.distractors = distractors;
            r
        })
        .collect();
    Record {
        id: "hg-test-000001".into(),
        seed: 0,
        generator: Generators {
            tool_maker: "offline".into(),
            query_writer: "offline".into(),
            reasoner: "offline".into(),
            verifier: "rules".into(),
            executor: "mock".into(),
            executor_events: Vec::new(),
            digest_source: None,
        },
        domains: domains.into_iter().collect(),
        tools,
        rounds,
        variant: "standard".into(),
        list_tokens: None,
    }
}

const ALL: &[&str] = &["search_groups", "get_contact", "send_message"];

/// A one-round record that passes every check.
fn good_record() -> Record {
    let m = made_of(&chain_trace("ct-7001"), 0);
    record(vec![round_of(&m, GOOD, 0, ANSWER)], ALL)
}

const SEND_ANSWER: &str = "All set. The result: message msg-501, status sent.";

/// A two-round record: the chain, then a message to the contact from round 0.
fn two_round_record(query1: &str) -> Record {
    let t = context_trace();
    let m0 = made_of(&t, 0);
    let m1 = made_of(&t, 1);
    record(
        vec![
            round_of(&m0, GOOD, 0, ANSWER),
            round_of(&m1, query1, 2, SEND_ANSWER),
        ],
        ALL,
    )
}

// ---------------------------------------------------------------------------------------------
// ground::round_problem, record_problem, ungrounded_rounds

#[test]
fn grounding_accepts_a_grounded_record() {
    let rec = good_record();
    assert_eq!(round_problem(&rec, 0), None);
    assert_eq!(record_problem(&rec), None);
    assert_eq!(ungrounded_rounds(&rec), 0);
    assert_eq!(round_problem(&rec, 1), None, "no such round");
}

#[test]
fn grounding_rejects_an_input_the_user_did_not_state() {
    let mut rec = good_record();
    let q = "Please get the contact who manages the group in Bergen.";
    rec.rounds[0].query = q.into();
    rec.rounds[0].trajectory[0] = Message::User { content: q.into() };
    let want = "rounds[0].gold[0].arguments.city: Oslo is neither stated by the user nor taken from an earlier result";
    assert_eq!(round_problem(&rec, 0).as_deref(), Some(want));
    assert_eq!(record_problem(&rec).as_deref(), Some(want));
    assert_eq!(ungrounded_rounds(&rec), 1);
}

#[test]
fn grounding_rejects_a_step_value_not_in_its_source() {
    let mut rec = good_record();
    rec.rounds[0].gold[1].arguments = obj(json!({"contact_id": "ct-9999"}));
    assert_eq!(
        round_problem(&rec, 0).as_deref(),
        Some("rounds[0].gold[1].arguments.contact_id: ct-9999 is not in results[].owner_contact_id of step 0's result")
    );
}

#[test]
fn grounding_rejects_a_binding_to_a_later_or_missing_step() {
    let mut rec = good_record();
    rec.rounds[0].advanced_tool.implementation[1]
        .bindings
        .insert(
            "contact_id".into(),
            Binding::Step {
                step: 1,
                path: "contact_id".into(),
                index: 0,
            },
        );
    assert_eq!(
        round_problem(&rec, 0).as_deref(),
        Some("rounds[0].gold[1].arguments.contact_id: bound to step 1, which does not come before it")
    );
    let mut rec = good_record();
    rec.rounds[0].advanced_tool.implementation.pop();
    assert_eq!(
        round_problem(&rec, 0).as_deref(),
        Some("rounds[0].gold[1]: no advanced-tool step explains this call")
    );
    let mut rec = good_record();
    rec.rounds[0].advanced_tool.implementation[1]
        .bindings
        .clear();
    assert_eq!(
        round_problem(&rec, 0).as_deref(),
        Some("rounds[0].gold[1].arguments.contact_id: no binding says where it comes from")
    );
}

/// The two-group record: get_contact takes the owner of the second group (`Work`).
fn two_group_record(query: &str, binding: Binding) -> Record {
    let two = groups(&[("Family", "ct-7001"), ("Work", "ct-7002")]);
    let m = made_of(&select_trace(two), 0);
    let mut rec = record(
        vec![round_of(
            &m,
            query,
            0,
            "Here is what I found: contact ct-7002, name Ada, city Bergen.",
        )],
        ALL,
    );
    rec.rounds[0].advanced_tool.implementation[1]
        .bindings
        .insert("contact_id".into(), binding);
    rec
}

fn select_work() -> Binding {
    Binding::Select {
        step: 0,
        path: OWNER.into(),
        field: "results[].group_name".into(),
        param: "group_name".into(),
    }
}

#[test]
fn grounding_accepts_a_stated_selector() {
    let rec = two_group_record(
        "Please get the contact who manages the group named Work in Oslo.",
        select_work(),
    );
    assert_eq!(round_problem(&rec, 0), None);
}

#[test]
fn grounding_rejects_several_candidates_without_a_selector() {
    let rec = two_group_record(
        "Please get the contact who manages the group named Work in Oslo.",
        Binding::Step {
            step: 0,
            path: OWNER.into(),
            index: 1,
        },
    );
    assert_eq!(
        round_problem(&rec, 0).as_deref(),
        Some("rounds[0].gold[1].arguments.contact_id: one of 2 values of results[].owner_contact_id with nothing in the query saying which")
    );
}

#[test]
fn grounding_rejects_a_selector_the_query_does_not_state() {
    let want = "rounds[0].gold[1].arguments.contact_id: the query does not say which of the 2 values of results[].owner_contact_id to take";
    let rec = two_group_record(
        "Please get the contact who manages the group in Oslo.",
        select_work(),
    );
    assert_eq!(round_problem(&rec, 0).as_deref(), Some(want));
    // The selector is stated but picks another item than the one called.
    let mut rec = two_group_record(
        "Please get the contact who manages the group named Family in Oslo.",
        select_work(),
    );
    rec.rounds[0].external_inputs["group_name"] = json!("Family");
    assert_eq!(round_problem(&rec, 0).as_deref(), Some(want));
}

#[test]
fn grounding_rejects_a_binding_to_another_item() {
    let rec = two_group_record(
        "Please get the contact who manages the group named Work in Oslo.",
        Binding::Step {
            step: 0,
            path: OWNER.into(),
            index: 0,
        },
    );
    assert_eq!(
        round_problem(&rec, 0).as_deref(),
        Some("rounds[0].gold[1]: the binding of contact_id points at another item of results[].owner_contact_id")
    );
}

#[test]
fn grounding_rejects_an_unnamed_relation() {
    let mut rec = good_record();
    let q = "Please get the owner of the group in Oslo.";
    rec.rounds[0].query = q.into();
    rec.rounds[0].trajectory[0] = Message::User { content: q.into() };
    assert_eq!(
        round_problem(&rec, 0).as_deref(),
        Some("rounds[0].query: step 1 takes contact_id from results[].owner_contact_id of step 0 but the query never says \"contact who manages\"")
    );
}

#[test]
fn grounding_rejects_an_assistant_call_with_an_unseen_value() {
    let mut rec = good_record();
    // The assistant calls get_contact before any result showed the id.
    rec.rounds[0].trajectory.insert(
        1,
        assistant_calls(vec![call(
            "c9",
            "get_contact",
            json!({"contact_id": "ct-7001"}),
        )]),
    );
    rec.rounds[0]
        .trajectory
        .insert(2, tool_msg("c9", "get_contact", contact("ct-7001")));
    assert_eq!(
        round_problem(&rec, 0).as_deref(),
        Some("rounds[0].trajectory[1] call c9 (get_contact).contact_id: ct-7001 was not given by the user nor seen in an earlier result")
    );
}

#[test]
fn grounding_needs_anaphora_for_an_earlier_round_value() {
    let rec = two_round_record("Please send Hello there to the contact from before.");
    assert_eq!(record_problem(&rec), None);
    assert_eq!(ungrounded_rounds(&rec), 0);
    let rec = two_round_record("Please send Hello there to the contact.");
    let want = "rounds[1].gold[0].arguments.contact_id: ct-7001 is neither stated by the user nor taken from an earlier result";
    assert_eq!(round_problem(&rec, 0), None);
    assert_eq!(round_problem(&rec, 1).as_deref(), Some(want));
    assert_eq!(record_problem(&rec).as_deref(), Some(want));
    assert_eq!(ungrounded_rounds(&rec), 1);
    // A token from an earlier round (a login's session) carries over without one.
    let mut rec = two_round_record("Please send Hello there to the contact.");
    let round = &mut rec.rounds[1];
    if let Some(v) = round.gold[0].arguments.remove("contact_id") {
        round.gold[0].arguments.insert("access_token".into(), v);
    }
    let step = &mut round.advanced_tool.implementation[0].bindings;
    step.remove("contact_id");
    step.insert(
        "access_token".into(),
        Binding::Input {
            param: "access_token".into(),
        },
    );
    assert_eq!(round_problem(&rec, 1), None);
}

#[test]
fn grounding_rejects_an_earlier_value_from_a_multi_item_list() {
    // Round 0 ends at search_groups, whose result lists two groups; round 1 messages the owner
    // of one of them, which no call of round 0 singled out.
    let t = trace(
        &["search_groups", "send_message"],
        vec![
            tcall(
                0,
                0,
                "search_groups",
                json!({"city": "Oslo"}),
                &[("city", "literal")],
                &[],
                Some(groups(&[("Family", "ct-7001"), ("Work", "ct-7002")])),
            ),
            tcall(
                1,
                1,
                "send_message",
                json!({"contact_id": "ct-7002", "text": "Hello there"}),
                &[
                    ("contact_id", &format!("step:0:{OWNER}")),
                    ("text", "literal"),
                ],
                &[0],
                Some(json!({"message_id": "msg-501", "status": "sent"})),
            ),
        ],
    );
    let m0 = made_of(&t, 0);
    let m1 = made_of(&t, 1);
    let rec = record(
        vec![
            round_of(
                &m0,
                "Please search the groups in Oslo.",
                0,
                "I found 2 groups.",
            ),
            round_of(
                &m1,
                "Please send Hello there to the contact from before.",
                1,
                SEND_ANSWER,
            ),
        ],
        ALL,
    );
    assert_eq!(
        round_problem(&rec, 1).as_deref(),
        Some("rounds[1].gold[0].arguments.contact_id: ct-7002 is neither stated by the user nor taken from an earlier result")
    );
    // With one group listed, the earlier result singles it out.
    let mut rec = rec;
    let one = groups(&[("Work", "ct-7002")]);
    rec.rounds[0].gold[0].result = one.clone();
    rec.rounds[0].trajectory[2] = tool_msg("c0", "search_groups", one);
    assert_eq!(round_problem(&rec, 1), None);
}

// ---------------------------------------------------------------------------------------------
// verify::reverify: a mock environment that answers the hand-built calls.

struct Mock {
    specs: Vec<ToolSpec>,
    sent: u64,
}

impl Mock {
    fn new() -> Mock {
        Mock {
            specs: specs(),
            sent: 0,
        }
    }
}

impl Environment for Mock {
    type Snapshot = u64;
    fn specs(&self) -> &[ToolSpec] {
        &self.specs
    }
    fn reset(&mut self, _seed: u64) {
        self.sent = 0;
    }
    fn execute(&mut self, c: &ToolCall) -> Result<Value, ToolError> {
        let a = Value::Object(c.arguments.clone());
        let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        match c.name.as_str() {
            "search_groups" if s("city") == "Oslo" => Ok(groups(&[("Family", "ct-7001")])),
            "get_contact" if s("contact_id").starts_with("ct-") => Ok(contact(&s("contact_id"))),
            "send_message" => {
                self.sent += 1;
                Ok(json!({"message_id": format!("msg-{}", 500 + self.sent), "status": "sent"}))
            }
            _ => Err(ToolError::NotFound {
                what: "record".into(),
                id: a.to_string(),
            }),
        }
    }
    fn snapshot(&self) -> u64 {
        self.sent
    }
    fn restore(&mut self, s: &u64) {
        self.sent = *s;
    }
    fn digest(&self) -> u64 {
        self.sent
    }
}

fn rv(rec: &Record) -> Result<(), String> {
    reverify(rec, &mut Mock::new(), &mut Mock::new())
}

fn rv_err(rec: &Record) -> String {
    rv(rec).expect_err("reverify reports the edit")
}

#[test]
fn reverify_accepts_good_records() {
    assert_eq!(rv(&good_record()), Ok(()));
    assert_eq!(
        rv(&two_round_record(
            "Please send Hello there to the contact from before."
        )),
        Ok(())
    );
}

#[test]
fn reverify_offered_tools() {
    let mut rec = good_record();
    rec.rounds.clear();
    assert_eq!(rv_err(&rec), "rounds: a record has at least one round");
    let mut rec = good_record();
    rec.tools.push(rec.tools[0].clone());
    assert_eq!(rv_err(&rec), "tools[3]: search_groups is offered twice");
    let mut rec = good_record();
    let mut changed = (*rec.tools[2]).clone();
    changed.description = "Send a letter.".into();
    rec.tools[2] = Arc::new(changed);
    assert_eq!(
        rv_err(&rec),
        "tools[2]: send_message differs from the environment's spec"
    );
    let mut rec = good_record();
    let mut other = (*rec.tools[2]).clone();
    other.name = "drop_tables".into();
    rec.tools[2] = Arc::new(other);
    assert_eq!(
        rv_err(&rec),
        "tools[2]: drop_tables is not a tool of the environment"
    );
    let rec = record(
        vec![round_of(
            &made_of(&chain_trace("ct-7001"), 0),
            GOOD,
            0,
            ANSWER,
        )],
        &["get_contact", "send_message"],
    );
    assert_eq!(
        rv_err(&rec),
        "rounds[0].gold[0].name: search_groups is not among the offered tools"
    );
}

#[test]
fn reverify_gold_and_advanced_tool_shape() {
    let mut rec = good_record();
    rec.rounds[0].gold.clear();
    assert_eq!(rv_err(&rec), "rounds[0].gold: empty");
    let mut rec = good_record();
    rec.rounds[0].target = "send_message".into();
    assert_eq!(
        rv_err(&rec),
        "rounds[0].target: send_message is not the last gold call"
    );
    let mut rec = good_record();
    rec.rounds[0].advanced_tool.steps = vec![1, 0];
    assert_eq!(
        rv_err(&rec),
        "rounds[0].advanced_tool: its steps do not match the 2 gold calls"
    );
    let mut rec = good_record();
    rec.rounds[0].advanced_tool.implementation.pop();
    assert_eq!(
        rv_err(&rec),
        "rounds[0].advanced_tool: its steps do not match the 2 gold calls"
    );
    let sig =
        "rounds[0].advanced_tool: its name, description or schemas are not the ones its steps give";
    for edit in 0..4 {
        let mut rec = good_record();
        let t = &mut rec.rounds[0].advanced_tool;
        match edit {
            0 => t.name.push('x'),
            1 => t.description.push('x'),
            2 => t.parameters["required"] = json!([]),
            _ => t.returns = json!({}),
        }
        assert_eq!(rv_err(&rec), sig, "edit {edit}");
    }
    let mut rec = good_record();
    rec.rounds[0]
        .external_inputs
        .insert("group_name".into(), json!("Work"));
    assert_eq!(rv_err(&rec), sig);
    let mut rec = good_record();
    rec.rounds[0].gold[1].step = 5;
    assert_eq!(rv_err(&rec), "rounds[0].gold[1].step: 5 should be 1");
    let mut rec = good_record();
    rec.rounds[0].advanced_tool.implementation[0].tool = "send_message".into();
    assert_eq!(
        rv_err(&rec),
        "rounds[0].gold[0].name: search_groups is not the advanced tool's step (send_message)"
    );
}

#[test]
fn reverify_reexecutes_the_gold_through_the_advanced_tool() {
    // The signature check passes (the parameter schema is rebuilt from the inputs), so only a
    // parameters object without properties can disagree with the inputs.
    let mut rec = good_record();
    rec.rounds[0].external_inputs.clear();
    rec.rounds[0].advanced_tool = {
        let mut t = rec.rounds[0].advanced_tool.clone();
        t.name = "get_contact".into();
        t.parameters = json!({"type": "object", "properties": {}, "required": []});
        t
    };
    // gold[0] is still bound to the input `city`, which is no longer there: provenance holds,
    // so re-execution reports the step's arguments.
    let e = rv_err(&rec);
    assert_eq!(
        e,
        "rounds[0].gold[0].arguments: the advanced tool's step 0 gives other arguments"
    );
}

#[test]
fn reverify_provenance() {
    let mut rec = good_record();
    rec.rounds[0].gold[1]
        .provenance
        .insert("text".into(), "input:text".into());
    assert_eq!(
        rv_err(&rec),
        "rounds[0].gold[1].provenance: not one entry per argument"
    );
    let mut rec = good_record();
    rec.rounds[0].gold[1]
        .provenance
        .insert("contact_id".into(), "step:0:results[].group_id".into());
    assert_eq!(
        rv_err(&rec),
        "rounds[0].gold[1].provenance.contact_id: should be step:0:results[].owner_contact_id"
    );
    let mut rec = good_record();
    rec.rounds[0].gold[0]
        .provenance
        .insert("city".into(), "literal".into());
    assert_eq!(
        rv_err(&rec),
        "rounds[0].gold[0].provenance.city: should be input:city"
    );
}

#[test]
fn reverify_depends_on() {
    let mut rec = good_record();
    rec.rounds[0].gold[1].depends_on.clear();
    assert_eq!(
        rv_err(&rec),
        "rounds[0].gold[1].depends_on: not the steps its arguments come from"
    );
    let mut rec = good_record();
    rec.rounds[0].gold[0].depends_on.push(1);
    assert_eq!(
        rv_err(&rec),
        "rounds[0].gold[0].depends_on: not the steps its arguments come from"
    );
}

#[test]
fn reverify_trajectory_shape() {
    let expect = |f: &dyn Fn(&mut Vec<Message>), want: &str| {
        let mut rec = good_record();
        f(&mut rec.rounds[0].trajectory);
        assert_eq!(rv_err(&rec), want);
    };
    expect(
        &|t| {
            t[0] = Message::User {
                content: "Hi.".into(),
            }
        },
        "rounds[0].trajectory[0]: the first message must be the user's query",
    );
    expect(
        &|t| {
            t.remove(0);
        },
        "rounds[0].trajectory[0]: the first message must be the user's query",
    );
    expect(
        &|t| t.insert(1, tool_msg("c7", "get_contact", json!({}))),
        "rounds[0].trajectory[1]: tool message c7 answers no call before it",
    );
    expect(
        &|t| {
            t.insert(
                1,
                Message::User {
                    content: GOOD.into(),
                },
            )
        },
        "rounds[0].trajectory[1]: a second user message in one round",
    );
    // At index 2 of the last round, where only a missing-param round holds the user's reply.
    expect(
        &|t| {
            t.insert(1, answer("Which contact do you mean?"));
            t.insert(
                2,
                Message::User {
                    content: "The first one.".into(),
                },
            )
        },
        "rounds[0].trajectory[2]: a second user message in one round",
    );
    expect(
        &|t| {
            t.pop();
        },
        "rounds[0].trajectory: no final answer",
    );
    expect(
        &|t| t.push(answer("Again.")),
        "rounds[0].trajectory[6]: a message after the final answer",
    );
    expect(
        &|t| {
            t[5] = Message::Assistant {
                reasoning: Some("Done.".into()),
                content: None,
                tool_calls: Vec::new(),
            }
        },
        "rounds[0].trajectory[5]: an assistant turn with neither calls nor answer",
    );
    expect(
        &|t| {
            t[3] = assistant_calls(vec![call(
                "c0",
                "get_contact",
                json!({"contact_id": "ct-7001"}),
            )]);
            t[4] = tool_msg("c0", "get_contact", contact("ct-7001"));
        },
        "rounds[0].trajectory[3]: call id c0 is used twice",
    );
    expect(
        &|t| {
            t[1] = assistant_calls(vec![call("c0", "drop_tables", json!({}))]);
            t[2] = tool_msg("c0", "drop_tables", json!({}));
        },
        "rounds[0].trajectory[1]: drop_tables is not an offered tool",
    );
    expect(
        &|t| t[2] = tool_msg("c5", "search_groups", groups(&[("Family", "ct-7001")])),
        "rounds[0].trajectory[2]: must be the tool message of call c0 (search_groups)",
    );
    expect(
        &|t| t[2] = tool_msg("c0", "get_contact", groups(&[("Family", "ct-7001")])),
        "rounds[0].trajectory[2]: must be the tool message of call c0 (search_groups)",
    );
    expect(
        &|t| t[2] = answer("Early."),
        "rounds[0].trajectory[2]: must be the tool message of call c0 (search_groups)",
    );
    // Two parallel calls are answered in order.
    let mut rec = good_record();
    let t = &mut rec.rounds[0].trajectory;
    let c1 = call("c1", "get_contact", json!({"contact_id": "ct-7001"}));
    let c2 = call("c2", "get_contact", json!({"contact_id": "ct-7001"}));
    t.splice(
        3..5,
        [
            assistant_calls(vec![c1, c2]),
            tool_msg("c1", "get_contact", contact("ct-7001")),
            tool_msg("c2", "get_contact", contact("ct-7001")),
        ],
    );
    assert_eq!(rv(&rec), Ok(()));
    rec.rounds[0].trajectory.swap(4, 5);
    assert_eq!(
        rv_err(&rec),
        "rounds[0].trajectory[4]: must be the tool message of call c1 (get_contact)"
    );
}

#[test]
fn reverify_call_ids_are_unique_across_rounds() {
    let mut rec = two_round_record("Please send Hello there to the contact from before.");
    let t = &mut rec.rounds[1].trajectory;
    if let Message::Assistant { tool_calls, .. } = &mut t[1] {
        tool_calls[0].id = "c0".into();
    }
    t[2] = match &t[2] {
        Message::Tool { name, content, .. } => tool_msg("c0", name, content.clone()),
        other => other.clone(),
    };
    assert_eq!(
        rv_err(&rec),
        "rounds[1].trajectory[1]: call id c0 is used twice"
    );
}

#[test]
fn reverify_verdict_and_attempts() {
    let want = "rounds[0].verdict: a kept round has passed = true and every check true";
    let mut rec = good_record();
    rec.rounds[0].verdict.passed = false;
    assert_eq!(rv_err(&rec), want);
    let mut rec = good_record();
    rec.rounds[0].verdict.checks.clear();
    assert_eq!(rv_err(&rec), want);
    let mut rec = good_record();
    rec.rounds[0]
        .verdict
        .checks
        .insert("final_answer".into(), false);
    assert_eq!(rv_err(&rec), want);
    let mut rec = good_record();
    rec.rounds[0].verdict.attempts = 2;
    assert_eq!(
        rv_err(&rec),
        "rounds[0].verdict.attempts: 2 does not match 0 hint(s)"
    );
    rec.rounds[0].verdict.hints.push("a hint".into());
    assert_eq!(rv(&rec), Ok(()));
}

#[test]
fn reverify_difficulty() {
    let mut rec = good_record();
    rec.rounds[0].difficulty.calls = 3;
    assert_eq!(
        rv_err(&rec),
        "rounds[0].difficulty.calls: 3 but the gold has 2"
    );
    let mut rec = good_record();
    rec.rounds[0].difficulty.hidden_values = 0;
    assert_eq!(
        rv_err(&rec),
        "rounds[0].difficulty.hidden_values: 0 but 1 values are hidden"
    );
    let mut rec = good_record();
    rec.rounds[0].difficulty.distractors = 2;
    assert_eq!(
        rv_err(&rec),
        "rounds[0].difficulty.distractors: 2 but 1 tools are not used"
    );
    // Each round is checked, not only the first.
    let mut rec = two_round_record("Please send Hello there to the contact from before.");
    rec.rounds[1].difficulty.distractors = 1;
    assert_eq!(
        rv_err(&rec),
        "rounds[1].difficulty.distractors: 1 but 0 tools are not used"
    );
}

#[test]
fn reverify_query_leak() {
    let mut rec = good_record();
    let q = "Please get the contact who manages the group in Oslo (ct-7001).";
    rec.rounds[0].query = q.into();
    rec.rounds[0].trajectory[0] = Message::User { content: q.into() };
    assert_eq!(
        rv_err(&rec),
        "rounds[0].query: states the intermediate value ct-7001"
    );
}

#[test]
fn reverify_domains() {
    let mut rec = good_record();
    rec.domains.push("messaging".into());
    assert_eq!(rv_err(&rec), "domains: not the domains of the gold calls");
    let mut rec = two_round_record("Please send Hello there to the contact from before.");
    assert_eq!(rec.domains, vec!["contacts", "messaging"]);
    rec.domains.reverse();
    assert_eq!(rv_err(&rec), "domains: not the domains of the gold calls");
}

#[test]
fn reverify_replays_calls_and_gold() {
    // A tool message that no longer matches its call.
    let mut rec = good_record();
    rec.rounds[0].trajectory[4] = tool_msg("c1", "get_contact", contact("ct-7009"));
    assert_eq!(
        rv_err(&rec),
        "rounds[0].trajectory[4].content: call c1 (get_contact) no longer gives the recorded result"
    );
    // A gold result the tool no longer gives (the trajectory still matches the world).
    let mut rec = good_record();
    rec.rounds[0].gold[0].result = groups(&[("Family", "ct-7001"), ("Work", "ct-7002")]);
    assert_eq!(
        rv_err(&rec),
        "rounds[0].gold[0].result: search_groups no longer gives the recorded result"
    );
    // Gold arguments the advanced tool does not give.
    let mut rec = good_record();
    rec.rounds[0].gold[0].arguments = obj(json!({"city": "Bergen"}));
    assert_eq!(
        rv_err(&rec),
        "rounds[0].gold[0].arguments: the advanced tool's step 0 gives other arguments"
    );
    // The trajectory does not give a gold result: it looked up another contact.
    let mut rec = good_record();
    let t = &mut rec.rounds[0].trajectory;
    t[3] = assistant_calls(vec![call(
        "c1",
        "get_contact",
        json!({"contact_id": "ct-7005"}),
    )]);
    t[4] = tool_msg("c1", "get_contact", contact("ct-7005"));
    assert_eq!(
        rv_err(&rec),
        "rounds[0].gold[1]: no call of the trajectory gives this gold result"
    );
    // The same tool giving the same result, but called with other arguments, is not the gold.
    let mut rec = good_record();
    rec.rounds[0].trajectory[1] = assistant_calls(vec![call(
        "c0",
        "search_groups",
        json!({"city": "Oslo", "town": "Oslo"}),
    )]);
    assert_eq!(
        rv_err(&rec),
        "rounds[0].gold[0]: no call of the trajectory gives this gold result"
    );
    // A final answer that does not state the outcome.
    let mut rec = good_record();
    rec.rounds[0].trajectory[5] = answer("Nothing to say.");
    assert_eq!(
        rv_err(&rec),
        "rounds[0].trajectory: the final answer does not state the outcome of get_contact"
    );
}

#[test]
fn reverify_end_state() {
    // The trajectory sends one more message than the gold.
    let mut rec = two_round_record("Please send Hello there to the contact from before.");
    let t = &mut rec.rounds[1].trajectory;
    let extra = call(
        "c9",
        "send_message",
        json!({"contact_id": "ct-7001", "text": "Hello there"}),
    );
    t.insert(1, assistant_calls(vec![extra]));
    t.insert(
        2,
        tool_msg(
            "c9",
            "send_message",
            json!({"message_id": "msg-501", "status": "sent"}),
        ),
    );
    // Its own messages now get later ids.
    if let Message::Tool { content, .. } = &mut t[4] {
        *content = json!({"message_id": "msg-502", "status": "sent"});
    }
    assert_eq!(
        rv_err(&rec),
        "rounds[1].trajectory: the end state differs from the gold end state"
    );
}

#[test]
fn reverify_reports_grounding_last() {
    let mut rec = good_record();
    rec.rounds[0].trajectory.insert(
        1,
        assistant_calls(vec![call(
            "c9",
            "get_contact",
            json!({"contact_id": "ct-7001"}),
        )]),
    );
    rec.rounds[0]
        .trajectory
        .insert(2, tool_msg("c9", "get_contact", contact("ct-7001")));
    assert_eq!(
        rv_err(&rec),
        "rounds[0].trajectory[1] call c9 (get_contact).contact_id: ct-7001 was not given by the user nor seen in an earlier result"
    );
}

// ---------------------------------------------------------------------------------------------
// reasoner: answer_values, answer_text, levels

fn no_args() -> serde_json::Map<String, Value> {
    serde_json::Map::new()
}

#[test]
fn an_update_answer_states_the_field_the_call_set() {
    // Without the arguments the limit is the fifth field and goes unsaid; after
    // "set the daily limit to 900.5" the answer says it.
    let account = json!({"account_id": "BKA-1", "holder_contact_id": "CTC-2", "status": "open",
        "nickname": "Pocket", "iban": "X12", "currency": "EUR", "daily_limit": 900.5});
    assert!(!answer_values(&account).contains(&"900.5".to_string()));
    let args = obj(json!({"account_id": "BKA-1", "daily_limit": 900.5, "token": "tk_1"}));
    let must = answer_values_after(&args, &account);
    assert_eq!(must[..2], ["BKA-1".to_string(), "900.5".to_string()]);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for _ in 0..6 {
        let a = answer_text("set_daily_limit", &args, &account, &mut rng);
        assert!(a.contains("daily limit 900.5"), "{a}");
    }
}

#[test]
fn a_write_answer_says_what_the_call_did_in_its_own_words() {
    let card = json!({"card_id": "BKC-1", "account_id": "BKA-2", "credit_limit": 6981.43,
        "status": "active", "last4": "6919"});
    let args = obj(json!({"card_id": "BKC-1", "credit_limit": 6981.43}));
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for _ in 0..6 {
        let a = answer_text("set_card_limit", &args, &card, &mut rng);
        assert!(a.starts_with("I've set the card limit"), "{a}");
        assert!(a.contains("credit limit 6981.43"), "{a}");
    }
    let file = json!({"file_id": "FLE-1", "status": "trashed"});
    let args = obj(json!({"file_id": "FLE-1"}));
    let a = answer_text("move_file_to_trash", &args, &file, &mut rng);
    assert!(a.starts_with("I've moved the file to the trash"), "{a}");
    // The user, not the assistant, enrolls or leaves: no "I've enrolled in the course".
    for tool in [
        "enroll_in_course",
        "leave_conversation",
        "join_group",
        "apply_to_job",
    ] {
        for _ in 0..6 {
            let a = answer_text(tool, &args, &file, &mut rng);
            assert!(!a.starts_with("I've"), "{tool}: {a}");
        }
    }
    assert_eq!(
        hardgen_synth::reasoner::step_report("enroll_student_in_course", &args, &file).as_deref(),
        Some("I've enrolled the student in the course (file ID FLE-1, status trashed).")
    );
}

#[test]
fn a_quote_answer_says_a_quote_was_made_not_looked_up() {
    let quote = json!({"fare_quote_id": "TRQ-1", "flight_fare_id": "TRR-2", "total_price": 374.56,
        "passengers": 2, "quote_status": "open"});
    let args = obj(json!({"flight_fare_id": "TRR-2", "passengers": 2}));
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for _ in 0..6 {
        let a = answer_text("quote_flight_fare", &args, &quote, &mut rng);
        assert!(a.contains("quote") && a.contains("374.56"), "{a}");
        assert!(!a.contains("looked it up") && !a.contains("found"), "{a}");
    }
}

#[test]
fn an_authorization_answer_says_it_is_granted_and_never_the_token() {
    let auth = json!({"token": "tk_claim_inspector_bb3c09d0ea49", "scope": "claim_inspector",
        "claim_inspection_id": "INI-1041", "uses_left": 1});
    let args = obj(json!({"claim_inspection_id": "INI-1041"}));
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..6 {
        let a = answer_text("authorize_claim_inspector", &args, &auth, &mut rng);
        assert!(a.contains("authoriz"), "{a}");
        assert!(a.contains("claim inspection ID INI-1041"), "{a}");
        assert!(a.contains("good for 1 use."), "{a}");
        assert!(!a.contains("tk_"), "{a}");
    }
}

#[test]
fn an_answer_states_a_field_set_by_a_shorter_name_and_a_quotes_price_not_given_ids() {
    // "points = 3" set "penalty_points": the answer says the points.
    let driver = json!({"driver_id": "FTR-1", "employee_id": "WFE-2", "licence_number": "AB1",
        "licence_class": "C1", "licence_expiry": "2030-01-01", "penalty_points": 3, "status": "active"});
    let args = obj(json!({"driver_id": "FTR-1", "points": 3}));
    assert_eq!(answer_values_after(&args, &driver)[..2], ["FTR-1", "3"]);
    // A quote's total comes before its echoed ids and dates.
    let quote = json!({"stay_quote_id": "LDQ-1", "hotel_id": "LDH-2", "room_type_id": "LDR-3",
        "check_in": "2026-07-04", "check_out": "2026-07-30", "guests": 6, "total_price": 1234.5,
        "quote_status": "open"});
    let args = obj(
        json!({"hotel_id": "LDH-2", "room_type_id": "LDR-3", "check_in": "2026-07-04",
        "check_out": "2026-07-30", "guests": 6}),
    );
    let must = answer_values_after(&args, &quote);
    assert!(must.contains(&"1234.5".to_string()), "{must:?}");
    assert!(!must.contains(&"LDH-2".to_string()), "{must:?}");
}

#[test]
fn answer_values_are_what_a_summary_shows() {
    assert_eq!(
        answer_values(&groups(&[("Family", "ct-7001"), ("Work", "ct-7002")])),
        vec!["2", "grp-101"]
    );
    assert_eq!(
        answer_values(&json!({"count": 0, "results": []})),
        vec!["0"]
    );
    // With no `count`, the list's length is the count.
    assert_eq!(
        answer_values(&json!({"results": [{"name": "x"}]})),
        vec!["1"]
    );
    // A foreign tool's one list ({"members": [...]}) is a listing too.
    assert_eq!(
        answer_values(&json!({"members": [{"member_id": "m-1"}, {"member_id": "m-2"}]})),
        vec!["2", "m-1"]
    );
    // Ids first, then at most four scalars in order; nested values and an acknowledgement
    // flag ("ok": true) are skipped, a flag that says something ("ok": false) is not.
    assert_eq!(
        answer_values(
            &json!({"name": "Ada", "tags": ["a"], "ok": true, "n": 3, "contact_id": "ct-1", "city": "Oslo"})
        ),
        vec!["ct-1", "Ada", "3", "Oslo"]
    );
    // A flag is said "yes" or "no"; one that only says the call worked (BFCL's
    // "booking_status": true) is skipped like "ok".
    assert_eq!(
        answer_values(&json!({"ok": false, "city": "Oslo"})),
        vec!["no", "Oslo"]
    );
    assert_eq!(
        answer_values(
            &json!({"booking_id": "b-1", "booking_status": true, "can_drive": true, "login_success": true})
        ),
        vec!["b-1", "yes"]
    );
    assert_eq!(answer_values(&json!("done")), vec!["done"]);
    assert_eq!(answer_values(&json!(7)), vec!["7"]);
    // An enum value is said in words; an answer with either form states it.
    // An empty list is answered with what was asked for and the count.
    for seed in 0..6 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let empty = json!({"results": [], "count": 0});
        let said = answer_text("list_pet_vaccinations", &no_args(), &empty, &mut rng);
        assert!(
            said.contains("no pet vaccinations") || said.contains("No pet vaccinations"),
            "{said}"
        );
        assert!(said.contains('0'), "{said}");
        let said = answer_text(
            "list_gym_memberships_of_contact",
            &no_args(),
            &empty,
            &mut rng,
        );
        assert!(
            said.to_lowercase().contains("no gym memberships") && !said.contains(" of the"),
            "{said}"
        );
    }
    let repair = json!({"lease_repair_id": "RER-1", "repair_issue": "damp_wall"});
    assert_eq!(answer_values(&repair), vec!["RER-1", "damp wall"]);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let said = answer_text("report_lease_repair", &no_args(), &repair, &mut rng);
    assert!(
        said.contains("damp wall") && !said.contains("damp_wall"),
        "{said}"
    );
    assert!(hardgen_synth::reasoner::answer_states(
        "Issue: Damp_wall.",
        "damp wall"
    ));
    assert!(!hardgen_synth::reasoner::answer_states(
        "Issue: damp.",
        "damp wall"
    ));
}

#[test]
fn an_aggregate_answer_names_what_its_count_counts() {
    // The built-in world says what each aggregate counts; the answer uses those words.
    let def = hardgen_tools::world::builtin().expect("built-in world");
    let spec = def
        .specs
        .iter()
        .find(|s| s.name == "total_km_driven_by_vehicle")
        .cloned()
        .expect("the fleet world has the aggregate");
    let returns = spec.returns.clone().unwrap_or_default();
    assert_eq!(counted_noun(&returns), Some("vehicle reservations"));
    // A foreign tool that says nothing of the kind, or says a sentence, gives no noun.
    assert_eq!(
        counted_noun(
            &json!({"properties": {"count": {"description": "Number of rows aggregated"}}})
        ),
        None
    );
    assert_eq!(
        counted_noun(
            &json!({"properties": {"count": {"description": "Number of the rows that the query has been counted"}}})
        ),
        None
    );
    // One reservation is said in the singular; none in the plural; never "records".
    for seed in 0..6 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for (count, said_as, not_as) in [
            (1, "1 vehicle reservation", "1 vehicle reservations"),
            (0, "0 vehicle reservations", "0 vehicle reservation "),
        ] {
            let total = json!({"vehicle_id": "FTV-1", "count": count, "total_km_driven": 461.0});
            let said = answer_text_counting(
                "total_km_driven_by_vehicle",
                &no_args(),
                &total,
                Some("vehicle reservations"),
                &mut rng,
            );
            assert!(said.contains(said_as) && !said.contains(not_as), "{said}");
            assert!(!said.contains("record"), "{said}");
        }
    }
}

#[test]
fn an_aggregate_answer_says_its_figure_in_words() {
    let total = json!({"course_id": "LRC-1012", "count": 5, "total_minutes": 165.0});
    // A whole float is said as a whole number.
    assert_eq!(answer_values(&total), vec!["LRC-1012", "5", "165"]);
    for seed in 0..6 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let said = answer_text("total_course_minutes", &no_args(), &total, &mut rng);
        assert!(
            said.to_lowercase().contains("course id lrc-1012")
                && said.contains("total course minutes")
                && said.contains("165")
                && !said.contains("165.0")
                && said.contains("5 records"),
            "{said}"
        );
        assert!(!said.contains("count 5"), "{said}");
        assert!(said.starts_with(char::is_uppercase), "{said}");
        let one = json!({"supply_point_id": "ENS-1", "count": 1, "highest_kwh": 41.5});
        let said = answer_text("highest_meter_reading", &no_args(), &one, &mut rng);
        assert!(said.contains("41.5") && said.contains("1 record"), "{said}");
        // The figure is named by the tool, with the unit its key carries.
        assert!(
            said.contains("highest meter reading") && said.contains("41.5 kWh"),
            "{said}"
        );
        let fare = json!({"flight_id": "TRF-1", "count": 2, "min_price": 80.5});
        let said = answer_text("cheapest_fare_on_flight", &no_args(), &fare, &mut rng);
        assert!(
            said.contains("cheapest fare") && !said.contains("on flight"),
            "{said}"
        );
        let sent = json!({"sender_contact_id": "C-1", "count": 2, "total_postage": 9.5});
        let said = answer_text("total_postage_sent_by", &no_args(), &sent, &mut rng);
        assert!(
            said.contains("total postage sent") && !said.contains(" by"),
            "{said}"
        );
        // A plural label is never the subject of "is"; nothing counted is said as such.
        let none = json!({"flight_id": "TRF-1", "count": 0, "seats_on_sale": 0});
        let said = answer_text("count_seats_on_sale", &no_args(), &none, &mut rng);
        assert!(!said.contains("the seats on sale is"), "{said}");
        assert!(
            said.contains("0 records") && !said.contains("over 0"),
            "{said}"
        );
        assert!(said.to_lowercase().contains("flight id trf-1"), "{said}");
        // A count of the records themselves is said once, not "4, from 4 records".
        let attendees = json!({"meeting_id": "CLM-1", "count": 4, "attendees": 4});
        let said = answer_text("count_meeting_attendees", &no_args(), &attendees, &mut rng);
        assert!(
            said.contains("number of meeting attendees") && said.contains(" is 4."),
            "{said}"
        );
        assert!(!said.contains("record"), "{said}");
    }
    // Another field beside the figure: said the usual way.
    let mixed = json!({"course_id": "LRC-1", "count": 5, "total_minutes": 165, "status": "open"});
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    assert!(answer_text("total_course_minutes", &no_args(), &mixed, &mut rng).contains("count 5"));
}

#[test]
fn answer_text_states_the_values_without_tool_names() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let cases = [
        ("get_contact", contact("ct-7001")),
        (
            "send_message",
            json!({"message_id": "msg-501", "status": "sent"}),
        ),
        (
            "search_groups",
            groups(&[("Family", "ct-7001"), ("Work", "ct-7002")]),
        ),
        ("search_groups", groups(&[("Family", "ct-7001")])),
        ("search_groups", json!({"count": 0, "results": []})),
        ("get_contact", json!("ct-7001")),
    ];
    for (tool, v) in cases {
        for _ in 0..6 {
            let a = answer_text(tool, &no_args(), &v, &mut rng);
            assert!(!a.contains(tool), "{a}");
            assert!(!a.contains('_'), "{a}");
            for x in answer_values(&v) {
                assert!(a.contains(&x), "{a} misses {x}");
            }
        }
    }
    let a = answer_text(
        "search_groups",
        &no_args(),
        &groups(&[("Family", "ct-7001")]),
        &mut rng,
    );
    assert!(a.contains("1 group") && !a.contains("1 groups"), "{a}");
    assert!(!a.contains("first"), "one item is not 'the first': {a}");
    // A list is answered with its items, up to three, then how many more.
    let five = groups(&[
        ("Family", "ct-7001"),
        ("Work", "ct-7002"),
        ("Chess", "ct-7003"),
        ("Band", "ct-7004"),
        ("Choir", "ct-7005"),
    ]);
    for _ in 0..6 {
        let a = answer_text("search_groups", &no_args(), &five, &mut rng);
        assert!(
            a.contains("Family") && a.contains("Work") && a.contains("Chess"),
            "{a}"
        );
        assert!(a.contains("and 2 more") && !a.contains("Band"), "{a}");
    }
    let a = answer_text(
        "search_groups",
        &no_args(),
        &groups(&[("A", "x"), ("B", "y")]),
        &mut rng,
    );
    assert!(a.contains("2 groups"), "{a}");
    // Reads report what was found; writes report that it is done.
    let read: BTreeSet<String> = (0..30)
        .map(|_| answer_text("get_contact", &no_args(), &contact("ct-7001"), &mut rng))
        .collect();
    let write: BTreeSet<String> = (0..30)
        .map(|_| answer_text("send_message", &no_args(), &contact("ct-7001"), &mut rng))
        .collect();
    assert!(read.is_disjoint(&write));
    assert!(read.iter().any(|a| a.starts_with("Here is what I found")));
    assert!(write.iter().any(|a| a.starts_with("I've sent the message")));
    let plain: BTreeSet<String> = (0..30)
        .map(|_| answer_text("check_in_guest", &no_args(), &contact("ct-7001"), &mut rng))
        .collect();
    assert!(plain.iter().any(|a| a.starts_with("All set")), "{plain:?}");
    assert_eq!(
        answer_text("x", &no_args(), &json!(5), &mut rng),
        "The answer is 5."
    );
}

#[test]
fn levels_put_independent_calls_on_one_level() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    assert_eq!(levels(&m), vec![0, 1]);
    let mut m2 = m.clone();
    // Three calls: two independent lookups, then one that needs both.
    m2.gold.insert(1, m.gold[0].clone());
    m2.gold[2].depends_on = vec![0, 1];
    assert_eq!(levels(&m2), vec![0, 0, 1]);
    m2.gold[2].depends_on = vec![1];
    m2.gold[1].depends_on = vec![0];
    assert_eq!(levels(&m2), vec![0, 1, 2]);
    // A dependency on a later step is ignored.
    m2.gold[0].depends_on = vec![2];
    m2.gold[2].depends_on = vec![0];
    m2.gold[1].depends_on = vec![];
    assert_eq!(levels(&m2), vec![0, 0, 1]);
    // So is a dependency on itself.
    m2.gold[0].depends_on = vec![0];
    m2.gold[1].depends_on = vec![1];
    assert_eq!(levels(&m2), vec![0, 0, 1]);
}

#[test]
fn grounding_recalls_values_an_earlier_call_was_given() {
    // Round 0's results all list several items, but its get_contact call was given ct-7001:
    // that call singled the contact out.
    let mut rec = two_round_record("Please send Hello there to the contact from before.");
    let many = |v: Value| json!({"count": 2, "results": [v, {"x": 1}]});
    for i in [2, 4] {
        if let Message::Tool { content, .. } = &mut rec.rounds[0].trajectory[i] {
            *content = many(content.clone());
        }
    }
    rec.rounds[0].trajectory[2] = tool_msg(
        "c0",
        "search_groups",
        groups(&[("Family", "ct-7001"), ("Work", "ct-7002")]),
    );
    assert_eq!(round_problem(&rec, 1), None);
    // Without the call, nothing singles it out.
    rec.rounds[0].trajectory[3] = assistant_calls(vec![call(
        "c1",
        "get_contact",
        json!({"contact_id": "ct-0000"}),
    )]);
    assert_eq!(
        round_problem(&rec, 1).as_deref(),
        Some("rounds[1].gold[0].arguments.contact_id: ct-7001 is neither stated by the user nor taken from an earlier result")
    );
}

#[test]
fn grounding_states_a_boolean_input_by_its_parameter_or_argument() {
    // A boolean is stated by the label of the advanced tool's parameter or of the argument.
    let flagged = |param: &str, query: &str| {
        let mut rec = good_record();
        let r = &mut rec.rounds[0];
        r.query = query.into();
        r.trajectory[0] = Message::User {
            content: query.into(),
        };
        r.gold[0].arguments = obj(json!({"city": true}));
        r.external_inputs = obj(json!({ param: true }));
        r.advanced_tool.implementation[0].bindings.insert(
            "city".into(),
            Binding::Input {
                param: param.into(),
            },
        );
        round_problem(&rec, 0)
    };
    let q = |w: &str| format!("Please get the contact who manages the group with {w} in Oslo.");
    assert_eq!(flagged("town", &q("town")), None);
    assert_eq!(flagged("town", &q("city")), None);
    assert_eq!(
        flagged("town", &q("village")).as_deref(),
        Some("rounds[0].gold[0].arguments.city: true is neither stated by the user nor taken from an earlier result")
    );
}

#[test]
fn missing_relation_names_a_token_by_the_code_it_was_issued_for() {
    // authorize_group(group_id, manager_code) -> token; send_message takes the token.
    let mut s = specs();
    s.push(ToolSpec {
        read_only: None,
        name: "authorize_group".into(),
        description: "Check a group manager's code and issue a token.".into(),
        domain: "contacts".into(),
        parameters: json!({"type": "object", "properties": {
            "manager_code": {"type": "integer", "description": "Code of the manager"}},
            "required": ["manager_code"]}),
        returns: Some(json!({"type": "object", "properties": {
            "token": {"type": "string", "description": "Access token"}}})),
    });
    let gold = vec![
        GoldCall {
            step: 0,
            name: "authorize_group".into(),
            arguments: obj(json!({"manager_code": 134112})),
            provenance: BTreeMap::new(),
            depends_on: vec![],
            result: json!({"token": "tk_group_0123456789ab"}),
        },
        GoldCall {
            step: 1,
            name: "send_message".into(),
            arguments: obj(json!({"token": "tk_group_0123456789ab", "text": "Hi"})),
            provenance: BTreeMap::new(),
            depends_on: vec![0],
            result: Value::Null,
        },
    ];
    let steps = vec![
        AdvancedStep {
            tool: "authorize_group".into(),
            bindings: BTreeMap::from([(
                "manager_code".into(),
                Binding::Input {
                    param: "manager_code".into(),
                },
            )]),
        },
        AdvancedStep {
            tool: "send_message".into(),
            bindings: BTreeMap::from([(
                "token".into(),
                Binding::Step {
                    step: 0,
                    path: "token".into(),
                    index: 0,
                },
            )]),
        },
    ];
    let inputs = obj(json!({"manager_code": 134112}));
    let view = RoundView {
        gold: &gold,
        steps: &steps,
        inputs: &inputs,
    };
    assert_eq!(view.credential_step(&steps[1].bindings["token"]), Some(0));
    assert_eq!(
        view.credential_inputs(0),
        vec![("manager_code", &json!(134112))]
    );
    assert_eq!(
        missing_relation(view, "send hi. my manager code is 134112.", &s[..]),
        None
    );
    // Saying "the token" is not enough: the code it was issued for must be named.
    assert_eq!(
        missing_relation(view, "send hi with the token of the group.", &s[..]).as_deref(),
        Some("step 1 takes token from the authorization at step 0 but the query never says the manager code")
    );
}
// ---------------------------------------------------------------------------------------------
// reasoner::attempt, against an environment that replays the gold calls.

/// Answers exactly the gold calls of a made round with their gold results; anything else fails.
struct Replay {
    specs: Vec<ToolSpec>,
    gold: Vec<GoldCall>,
}

impl Replay {
    fn of(m: &Made) -> Replay {
        Replay {
            specs: specs(),
            gold: m.gold.clone(),
        }
    }
}

impl Environment for Replay {
    type Snapshot = ();
    fn specs(&self) -> &[ToolSpec] {
        &self.specs
    }
    fn reset(&mut self, _seed: u64) {}
    fn execute(&mut self, c: &ToolCall) -> Result<Value, ToolError> {
        self.gold
            .iter()
            .find(|g| g.name == c.name && g.arguments == c.arguments)
            .map(|g| g.result.clone())
            .ok_or_else(|| ToolError::NotFound {
                what: "record".into(),
                id: Value::Object(c.arguments.clone()).to_string(),
            })
    }
    fn snapshot(&self) {}
    fn restore(&mut self, _s: &()) {}
    fn digest(&self) -> u64 {
        0
    }
}

const GOAL: &str = "get the contact who manages the group in Oslo";

/// One attempt at `m` against its replay, with the given error rate, fix flag and seed.
fn run(m: &Made, error_rate: f64, fix: bool, seed: u64) -> Attempt {
    let cfg = ReasonerConfig {
        error_rate,
        hint_uptake: 1.0,
    };
    let mut next = 0;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    attempt(m, GOAL, &mut Replay::of(m), &cfg, fix, &mut next, &mut rng)
}

/// (name, arguments) of each executed call.
fn called(a: &Attempt) -> Vec<(String, Value)> {
    a.calls
        .iter()
        .map(|(c, _)| (c.name.clone(), Value::Object(c.arguments.clone())))
        .collect()
}

/// The reasoning of each assistant message, and the final answer.
fn reasonings(a: &Attempt) -> Vec<String> {
    a.messages
        .iter()
        .filter_map(|m| match m {
            Message::Assistant { reasoning, .. } => reasoning.clone(),
            _ => None,
        })
        .collect()
}

/// Each message in short: who speaks, which calls it makes or answers.
fn shape(a: &Attempt) -> Vec<String> {
    a.messages
        .iter()
        .map(|m| match m {
            Message::User { .. } => "user".to_string(),
            Message::Assistant {
                content: Some(_),
                tool_calls,
                ..
            } if tool_calls.is_empty() => "assistant answers".to_string(),
            Message::Assistant { tool_calls, .. } => {
                let ids: Vec<&str> = tool_calls.iter().map(|c| c.id.as_str()).collect();
                format!("assistant calls {}", ids.join(" "))
            }
            Message::Tool {
                tool_call_id, name, ..
            } => format!("tool {tool_call_id} {name}"),
        })
        .collect()
}

/// `m` with two independent lookups on level 0 and a message that needs both on level 1.
fn parallel_made() -> Made {
    let t = trace(
        &["send_message"],
        vec![
            tcall(
                0,
                0,
                "get_contact",
                json!({"contact_id": "ct-7001"}),
                &[("contact_id", "literal")],
                &[],
                Some(contact("ct-7001")),
            ),
            tcall(
                1,
                0,
                "get_contact",
                json!({"contact_id": "ct-7002"}),
                &[("contact_id", "literal")],
                &[],
                Some(contact("ct-7002")),
            ),
            tcall(
                2,
                0,
                "send_message",
                json!({"contact_id": "ct-7001", "text": "Ada"}),
                &[("contact_id", "step:0:contact_id"), ("text", "step:1:name")],
                &[0, 1],
                Some(json!({"message_id": "msg-501", "status": "sent"})),
            ),
        ],
    );
    made_of(&t, 0)
}

#[test]
fn attempt_follows_the_plan_and_narrates_each_turn() {
    let m = made_of(&chain_trace("ct-7001"), 0);
    let cfg = ReasonerConfig {
        error_rate: 0.0,
        hint_uptake: 1.0,
    };
    let mut next = 5;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let a = attempt(
        &m,
        GOAL,
        &mut Replay::of(&m),
        &cfg,
        false,
        &mut next,
        &mut rng,
    );
    assert_eq!(a.slip, None);
    // Call ids continue from `next_call`, which ends past the last one.
    assert_eq!(next, 7);
    assert_eq!(
        a.calls,
        vec![
            ok_call(
                "c5",
                "search_groups",
                json!({"city": "Oslo"}),
                groups(&[("Family", "ct-7001")])
            ),
            ok_call(
                "c6",
                "get_contact",
                json!({"contact_id": "ct-7001"}),
                contact("ct-7001")
            ),
        ]
    );
    assert_eq!(
        shape(&a),
        [
            "assistant calls c5",
            "tool c5 search_groups",
            "assistant calls c6",
            "tool c6 get_contact",
            "assistant answers"
        ]
    );
    assert_eq!(
        a.messages[1],
        tool_msg("c5", "search_groups", groups(&[("Family", "ct-7001")]))
    );
    assert_eq!(
        a.messages[3],
        tool_msg("c6", "get_contact", contact("ct-7001"))
    );
    assert_eq!(
        reasonings(&a),
        [
            "The user wants me to get the contact who manages the group in Oslo. That needs the contact ID which the user did not give and only tools can return, so I have to obtain it first. I'll start with search_groups(city=Oslo).",
            "search_groups returned 1 result: group ID grp-101, owner contact ID ct-7001. Now I can call get_contact(contact_id=ct-7001).",
            "get_contact returned contact ID ct-7001, name Ada, city Bergen. That was the last step, so I can report the outcome.",
        ]
    );
    // The answer comes from the last result, and is the final message's content.
    for v in answer_values(&contact("ct-7001")) {
        assert!(a.answer.contains(&v), "{} misses {v}", a.answer);
    }
    assert!(matches!(
        a.messages.last(),
        Some(Message::Assistant { content: Some(c), tool_calls, .. }) if *c == a.answer && tool_calls.is_empty()
    ));
}

#[test]
fn attempt_calls_independent_steps_in_one_turn() {
    let m = parallel_made();
    let a = run(&m, 0.0, false, 1);
    assert_eq!(a.slip, None);
    assert_eq!(
        shape(&a),
        [
            "assistant calls c0 c1",
            "tool c0 get_contact",
            "tool c1 get_contact",
            "assistant calls c2",
            "tool c2 send_message",
            "assistant answers"
        ]
    );
    assert_eq!(
        called(&a)[2],
        (
            "send_message".to_string(),
            json!({"contact_id": "ct-7001", "text": "Ada"})
        )
    );
    assert_eq!(
        reasonings(&a)[..2],
        [
            "The user wants me to get the contact who manages the group in Oslo. That needs the contact ID, text which the user did not give and only tools can return, so I have to obtain them first. I'll start with get_contact(contact_id=ct-7001) and get_contact(contact_id=ct-7002). These calls do not depend on each other, so I'll make them together.",
            "get_contact returned contact ID ct-7001, name Ada, city Bergen. get_contact returned contact ID ct-7002, name Ada, city Bergen. Now I can call send_message(contact_id=ct-7001, text=Ada).",
        ]
    );
}

#[test]
fn attempt_with_only_inputs_calls_directly() {
    let m = made_of(&context_trace(), 1);
    let a = run(&m, 0.0, false, 1);
    // Two string arguments, and no slip: they stay where they belong.
    assert_eq!(
        called(&a),
        [(
            "send_message".to_string(),
            json!({"contact_id": "ct-7001", "text": "Hello there"})
        )]
    );
    assert_eq!(
        reasonings(&a)[0],
        "The user wants me to get the contact who manages the group in Oslo. I have everything I need, so I'll call send_message(contact_id=ct-7001, text=Hello there) directly."
    );
    assert_eq!(shape(&a).len(), 3);
}

#[test]
fn attempt_picks_the_selected_item_and_says_why() {
    let m = made_of(
        &select_trace(groups(&[("Family", "ct-7001"), ("Work", "ct-7002")])),
        0,
    );
    let a = run(&m, 0.0, false, 1);
    assert_eq!(
        called(&a)[1],
        ("get_contact".to_string(), json!({"contact_id": "ct-7002"}))
    );
    assert_eq!(
        reasonings(&a)[1],
        "search_groups returned 2 results, the first being group ID grp-101, owner contact ID ct-7001. The one whose group name is Work has contact ID ct-7002. Now I can call get_contact(contact_id=ct-7002)."
    );
}

#[test]
fn earlier_asked_steps_are_reported_in_words() {
    use hardgen_synth::reasoner::step_report;
    let args = json!({"member_card_id": "LBM-1"});
    let args = args.as_object().expect("an object");
    let paid = json!({"member_card_id": "LBM-1", "fines_paid": 12.5, "fines_due": 0});
    assert_eq!(
        step_report("pay_library_fines", args, &paid).as_deref(),
        Some("I've paid the library fines (member card ID LBM-1, fines paid 12.5).")
    );
    // A preposition in the name gets its own article; one that leads takes none. A name is
    // said as it is, an enum value in words.
    let up = json!({"file_id": "FLE-1", "file_name": "price_list", "kind": "scanned_copy"});
    assert_eq!(
        step_report("upload_file_to_folder", &serde_json::Map::new(), &up).as_deref(),
        Some("I've uploaded the file to the folder (file ID FLE-1, file name price_list).")
    );
    assert_eq!(
        hardgen_synth::reasoner::answer_key_values(&up, &serde_json::Map::new(), 3),
        ["file ID FLE-1", "file name price_list", "kind scanned copy"]
    );
    assert_eq!(
        step_report("pay_for_order", &serde_json::Map::new(), &json!({})).as_deref(),
        Some("I've paid for the order.")
    );
    assert_eq!(
        step_report(
            "assign_employee_to_shift",
            &serde_json::Map::new(),
            &json!({})
        )
        .as_deref(),
        Some("I've assigned the employee to the shift.")
    );
    // Reads, authorizations and verbs with no report form are left to the request.
    for tool in [
        "list_card_loans",
        "authorize_team_manager",
        "check_in_hotel_stay",
    ] {
        assert_eq!(step_report(tool, args, &paid), None, "{tool}");
    }
}

#[test]
fn attempt_reports_a_failed_last_step() {
    let mut m = made_of(&chain_trace("ct-7001"), 0);
    m.inputs.insert("city".into(), json!("Bergen"));
    let a = run(&m, 0.0, false, 1);
    assert_eq!(a.calls.len(), 2);
    assert!(a.calls.iter().all(|(_, out)| out.is_err()));
    assert_eq!(
        a.answer,
        "I could not complete the request: the last step did not succeed."
    );
    let r = reasonings(&a);
    assert!(
        r[1].starts_with("search_groups failed: record `{\"city\":\"Bergen\"}` not found. "),
        "{}",
        r[1]
    );
}

#[test]
fn attempt_slips_only_when_the_error_rate_says_so_and_not_after_a_hint() {
    for m in [
        made_of(&chain_trace("ct-7001"), 0),
        made_of(&context_trace(), 1),
        parallel_made(),
    ] {
        let want = run(&m, 0.0, false, 0);
        for seed in 0..20 {
            // No errors asked for, or the hint taken: always the plan.
            assert_eq!(run(&m, 0.0, false, seed).calls, want.calls);
            let fixed = run(&m, 1.0, true, seed);
            assert_eq!(fixed.slip, None);
            assert_eq!(fixed.calls, want.calls);
        }
    }
    // Nothing to guess, skip or swap: no slip even at error rate 1.
    let mut t = chain_trace("ct-7001");
    t.targets = vec!["search_groups".into()];
    t.calls.truncate(1);
    let one = made_of(&t, 0);
    for seed in 0..20 {
        assert_eq!(run(&one, 1.0, false, seed).slip, None);
    }
}

#[test]
fn attempt_guesses_or_skips_a_value_only_a_tool_gives() {
    let m = made_of(&chain_trace("ct-7"), 0);
    let mut seen = BTreeSet::new();
    for seed in 0..60 {
        let a = run(&m, 1.0, false, seed);
        let slip = a.slip.expect("error rate 1 always slips");
        seen.insert(format!("{slip:?}"));
        let calls = called(&a);
        match slip {
            Slip::Guess => assert_eq!(calls.len(), 2),
            // The prerequisite search is skipped: only the lookup, on a guessed id.
            Slip::Skip => {
                assert_eq!(calls.len(), 1);
                assert_eq!(shape(&a)[0], "assistant calls c0");
            }
            Slip::Swap => panic!("no step has two strings to swap"),
        }
        // The guessed id keeps the shape (prefix, digits) but is never the right one.
        let (name, args) = calls.last().cloned().unwrap_or_default();
        assert_eq!(name, "get_contact");
        let id = args["contact_id"].as_str().unwrap_or_default().to_string();
        assert_ne!(id, "ct-7");
        let digits = id.strip_prefix("ct-").unwrap_or_default();
        assert!(
            digits.len() == 1 && digits.chars().all(|c| c.is_ascii_digit()) || id == "ct-79",
            "{id}"
        );
        assert!(a.calls.last().is_some_and(|(_, out)| out.is_err()));
    }
    assert_eq!(seen, BTreeSet::from(["Guess".into(), "Skip".into()]));
    // A number is guessed one higher.
    let mut m = m;
    m.gold[1].arguments.insert("contact_id".into(), json!(41));
    for seed in 0..10 {
        let a = run(&m, 1.0, false, seed);
        assert_eq!(
            called(&a).last().map(|c| c.1["contact_id"].clone()),
            Some(json!(42.0))
        );
    }
}

#[test]
fn attempt_swaps_two_string_arguments() {
    // Only inputs: nothing to guess or skip, so every slip is a swap.
    let m = made_of(&context_trace(), 1);
    for seed in 0..10 {
        let a = run(&m, 1.0, false, seed);
        assert_eq!(a.slip, Some(Slip::Swap));
        assert_eq!(
            called(&a),
            [(
                "send_message".to_string(),
                json!({"contact_id": "Hello there", "text": "ct-7001"})
            )]
        );
    }
}

#[test]
fn a_write_that_returns_what_it_made_is_not_reported_as_found() {
    let made = json!({"entities": [{"name": "Ana Silva", "entityType": "person"},
                                   {"name": "Bo Berg", "entityType": "person"}]});
    for seed in 0..6 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let a = answer_text("create_entities", &no_args(), &made, &mut rng);
        assert!(!a.contains("found") && !a.contains("match"), "{a}");
        assert!(a.contains('2') && a.contains("Ana Silva"), "{a}");
        let f = answer_text("search_nodes", &no_args(), &made, &mut rng);
        assert!(f.contains('2'), "{f}");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let none = answer_text(
        "delete_entities",
        &no_args(),
        &json!({"entities": []}),
        &mut rng,
    );
    assert!(none.contains('0') && !none.contains("search"), "{none}");
    // Two lists and nothing else: each is counted, never an empty "The details are ."
    let graph = json!({"entities": [], "relations": [{"from": "a", "to": "b"}]});
    let a = answer_text("search_nodes", &no_args(), &graph, &mut rng);
    assert_eq!(a, "The result holds 0 entities and 1 relation.");
}

#[test]
fn answers_leave_out_credentials_and_lead_with_the_objects_own_id() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let auth =
        json!({"token": "tk_x_123", "scope": "x", "claim_inspection_id": "INI-1", "uses_left": 1});
    for _ in 0..6 {
        let a = answer_text("authorize_claim_inspector", &no_args(), &auth, &mut rng);
        assert!(a.contains("INI-1"), "{a}");
        assert!(!a.contains("tk_x_123") && !a.contains("scope"), "{a}");
    }
    assert_eq!(answer_values(&auth), vec!["INI-1"]);
    // The parcel's own id, its attributes, then the ids it points to.
    let parcel = json!({"parcel_id": "P-1", "sender_contact_id": "C-1", "status": "in_transit", "weight_kg": 2.5});
    assert_eq!(
        answer_values(&parcel),
        vec!["P-1", "in transit", "2.5", "C-1"]
    );
}

#[test]
fn plural_attributes_take_no_article() {
    for k in 0..6 {
        let a = hardgen_synth::query::attribute("minutes", &json!(12), k);
        assert!(a.contains("12 minutes"), "{a}");
        let b = hardgen_synth::query::attribute("class_credits", &json!(7), k);
        assert!(!b.contains("a class credits"), "{b}");
        let c = hardgen_synth::query::attribute("stops_left", &json!(6), k);
        assert!(c.contains("6 stops left"), "{c}");
    }
    // Singular labels keep their article form among the wordings.
    assert!(
        (0..5).any(|k| hardgen_synth::query::attribute("size_mb", &json!(3), k).contains("a size"))
    );
}

#[test]
fn a_count_of_one_takes_the_singular() {
    for k in 0..6 {
        let a = hardgen_synth::query::attribute("passengers", &json!(1), k);
        assert!(
            a.contains("1 passenger") && !a.contains("1 passengers"),
            "{a}"
        );
        let b = hardgen_synth::query::attribute("stops_left", &json!(1), k);
        assert!(b.contains("1 stop left"), "{b}");
        let c = hardgen_synth::query::attribute("class_credits", &json!(2), k);
        assert!(c.contains("2 class credits"), "{c}");
    }
}

#[test]
fn grounding_skips_relations_only_when_the_gold_tools_are_not_offered() {
    // An irrelevance record keeps its gold but not its tools: its relations are not checked
    // against tools it does not have (the query was checked when written).
    let mut rec = good_record();
    let q = "Please get the owner of the group in Oslo.";
    rec.rounds[0].query = q.into();
    rec.rounds[0].trajectory[0] = Message::User { content: q.into() };
    assert!(round_problem(&rec, 0).is_some());
    let gold: Vec<String> = rec.rounds[0].gold.iter().map(|g| g.name.clone()).collect();
    rec.tools.retain(|t| !gold.contains(&t.name));
    rec.rounds[0].trajectory.truncate(1);
    assert_eq!(round_problem(&rec, 0), None);
}

#[test]
fn lists_and_records_are_stated_part_by_part_and_empty_ones_never() {
    assert!(!states("anything at all", &json!([]), "tags"));
    assert!(!states("anything at all", &json!({}), "entity"));
    // Each part said, in another order than the list's own.
    assert!(states("tags blue and red", &json!(["red", "blue"]), "tags"));
    assert!(!states("tags blue only", &json!(["red", "blue"]), "tags"));
    assert!(states(
        "type person, named ana",
        &json!({"name": "Ana", "entity_type": "person"}),
        "entity"
    ));
}

#[test]
fn flags_are_stated_by_their_label_or_its_verb_form() {
    assert!(states("the room has parking", &json!(true), "has_parking"));
    // "is refundable" states is_refundable; the bare word "refundable" does not.
    assert!(states(
        "a ticket that is refundable",
        &json!(true),
        "is_refundable"
    ));
    assert!(!states(
        "refundable or not, I don't mind",
        &json!(true),
        "is_refundable"
    ));
    assert!(!states("the room has a view", &json!(true), "has_parking"));
}

#[test]
fn make_takes_an_echoed_value_from_where_the_read_only_call_got_it() {
    // search groups -> get the owner -> get the same contact again -> message that contact: the
    // two lookups only hand back the id they were given.
    let owner = "ct-7001";
    let t = trace(
        &["send_message"],
        vec![
            tcall(
                0,
                0,
                "search_groups",
                json!({"city": "Oslo"}),
                &[("city", "literal")],
                &[],
                Some(groups(&[("Family", owner)])),
            ),
            tcall(
                1,
                0,
                "get_contact",
                json!({"contact_id": owner}),
                &[("contact_id", &format!("step:0:{OWNER}"))],
                &[0],
                Some(contact(owner)),
            ),
            tcall(
                2,
                0,
                "get_contact",
                json!({"contact_id": owner}),
                &[("contact_id", "step:1:contact_id")],
                &[1],
                Some(contact(owner)),
            ),
            tcall(
                3,
                0,
                "send_message",
                json!({"contact_id": owner, "text": "hi"}),
                &[("contact_id", "step:2:contact_id"), ("text", "literal")],
                &[2],
                Some(json!({"message_id": "msg-1", "status": "sent"})),
            ),
        ],
    );
    // Whether a tool only reads is unknown: every call stays.
    let m = made_of(&t, 0);
    assert_eq!(m.gold.len(), 4);
    // A read-only lookup that only echoes is cut out, over both hops.
    let mut def = world();
    def.specs[1].read_only = Some(true);
    let m = make(&t, 0, &SpecIndex(&def), 1, 8).expect("a tool");
    let names: Vec<&str> = m.gold.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["search_groups", "send_message"]);
    assert_eq!(
        m.gold[1].provenance["contact_id"],
        format!("step:0:{OWNER}")
    );
    assert_eq!(m.gold[1].depends_on, vec![0]);
    assert_eq!(m.trace_steps, vec![0, 3]);
    // A call that changes something is never cut, though it echoes (the second one asks for
    // more, so it is not the first made again).
    let mut def = world();
    def.specs[1].read_only = Some(false);
    let mut t = t;
    t.calls[2].arguments.insert("detail".into(), json!("full"));
    t.calls[2]
        .provenance
        .insert("detail".into(), "literal".into());
    let m = make(&t, 0, &SpecIndex(&def), 1, 8).expect("a tool");
    assert_eq!(m.gold.len(), 4);
    // Made again alike, it is a repeated call.
    t.calls[2].arguments.remove("detail");
    t.calls[2].provenance.remove("detail");
    let r = make(&t, 0, &SpecIndex(&def), 1, 8).expect_err("repeated");
    assert_eq!(r.reason.as_str(), "repeated_call");
}

#[test]
fn reverify_accepts_a_model_made_tool_by_its_shape_and_not_an_offline_one() {
    // A model tool maker names and describes the tool itself: only the schemas must conform.
    let mut rec = good_record();
    rec.generator.tool_maker = "model:test".into();
    let t = &mut rec.rounds[0].advanced_tool;
    t.name = "owner_contact_of_group".into();
    t.description = "Finds the contact who owns a group.".into();
    assert_eq!(rv(&rec), Ok(()));
    // The same tool from the offline maker is not the one its steps give.
    rec.generator.tool_maker = "offline".into();
    assert!(rv_err(&rec).contains("rounds[0].advanced_tool"));
    // A model-made tool whose name is a base tool's does not conform.
    rec.generator.tool_maker = "model:test".into();
    rec.rounds[0].advanced_tool.name = "get_contact".into();
    assert!(rv_err(&rec).contains("rounds[0].advanced_tool"));
}

#[test]
fn a_write_answer_says_what_was_done_to_which_item() {
    let link = json!({"share_link_id": "FLS-1", "status": "revoked", "permission": "edit"});
    let mut said = std::collections::BTreeSet::new();
    for seed in 0..24 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let a = answer_text("revoke_file_share_link", &no_args(), &link, &mut rng);
        assert!(a.contains("FLS-1") && !a.contains('_'), "{a}");
        said.insert(a);
    }
    assert!(
        said.iter()
            .any(|a| a.starts_with("I've revoked the share link:")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|a| a.starts_with("The share link has been revoked (")),
        "{said:?}"
    );
    assert!(
        said.iter().any(|a| a.starts_with("Share link revoked: ")),
        "{said:?}"
    );
    // A tool that says more of the item than its noun, or whose noun holds the verb, is not
    // reported as "<verb>ed the <noun>".
    let loan = json!({"book_loan_id": "LBL-1", "loan_status": "lost"});
    let message = json!({"scheduled_message_id": "MSM-1", "status": "scheduled"});
    for seed in 0..24 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let a = answer_text("report_loan_lost", &no_args(), &loan, &mut rng);
        assert!(!a.contains("reported the book loan"), "{a}");
        let a = answer_text("schedule_chat_message", &no_args(), &message, &mut rng);
        assert!(!a.contains("scheduled the scheduled"), "{a}");
        // A verb without a past form here keeps the plain answers.
        let a = answer_text("check_in_hotel_stay", &no_args(), &loan, &mut rng);
        assert!(!a.contains("I've"), "{a}");
        // One whose participle needs the rest of the tool's words says them all, the state
        // after "as".
        let a = answer_text("mark_shipment_delivered", &no_args(), &loan, &mut rng);
        assert!(
            a.starts_with("I've marked the shipment as delivered"),
            "{a}"
        );
    }
}

#[test]
fn make_rejects_an_empty_read_of_what_the_round_just_made() {
    // The hand-built world plus a read of a message's replies.
    let mut def = world();
    let replies = ToolSpec {
        read_only: Some(true),
        name: "list_message_replies".into(),
        description: "List the replies to a message.".into(),
        domain: "messaging".into(),
        parameters: json!({"type": "object", "properties": {
            "message_id": {"type": "string", "description": "Id of the message"}}, "required": ["message_id"]}),
        returns: Some(json!({"type": "object", "properties": {
            "count": {"type": "integer", "description": "How many replies"},
            "results": {"type": "array", "items": {"type": "object", "properties": {
                "reply_id": {"type": "string", "description": "Id of the reply"}}}}}})),
    };
    add_spec(&mut def, replies);
    let round = |replies: Value| {
        trace(
            &["list_message_replies"],
            vec![
                tcall(
                    0,
                    0,
                    "send_message",
                    json!({"contact_id": "ct-7001", "text": "Hi"}),
                    &[("contact_id", "literal"), ("text", "literal")],
                    &[],
                    Some(json!({"message_id": "msg-501", "status": "sent"})),
                ),
                tcall(
                    1,
                    0,
                    "list_message_replies",
                    json!({"message_id": "msg-501"}),
                    &[("message_id", "step:0:message_id")],
                    &[0],
                    Some(replies),
                ),
            ],
        )
    };
    let r = make(
        &round(json!({"count": 0, "results": []})),
        0,
        &SpecIndex(&def),
        1,
        8,
    )
    .expect_err("nothing to read about a message sent a moment ago");
    assert_eq!(
        r.reason,
        hardgen_core::Reason::EmptyReadOfNew,
        "{}",
        r.detail
    );
    // A reply that came back is worth reading.
    let found = json!({"count": 1, "results": [{"reply_id": "rp-1"}]});
    assert!(make(&round(found), 0, &SpecIndex(&def), 1, 8).is_ok());
}

#[test]
fn make_rejects_a_target_that_takes_back_what_the_round_just_made() {
    // The hand-built world plus a delete of a message and a list of sent messages.
    let delete = ToolSpec {
        read_only: Some(false),
        name: "delete_message".into(),
        description: "Delete a message.".into(),
        domain: "messaging".into(),
        parameters: json!({"type": "object", "properties": {
            "message_id": {"type": "string", "description": "Id of the message"}}, "required": ["message_id"]}),
        returns: Some(json!({"type": "object", "properties": {
            "message_id": {"type": "string", "description": "Id of the message"},
            "status": {"type": "string", "description": "Message status"}}})),
    };
    let sent = ToolSpec {
        read_only: Some(true),
        name: "list_sent_messages".into(),
        description: "List the messages sent to a contact.".into(),
        domain: "messaging".into(),
        parameters: json!({"type": "object", "properties": {
            "contact_id": {"type": "string", "description": "Id of the contact"}}, "required": ["contact_id"]}),
        returns: Some(json!({"type": "object", "properties": {
            "results": {"type": "array", "items": {"type": "object", "properties": {
                "message_id": {"type": "string", "description": "Id of the message"}}}}}})),
    };
    // "close_message": the same tool by a verb that finishes an item instead of undoing it.
    let close = ToolSpec {
        name: "close_message".into(),
        description: "Close a message.".into(),
        ..delete.clone()
    };
    let mut def = world();
    add_spec(&mut def, delete.clone());
    add_spec(&mut def, close.clone());
    add_spec(&mut def, sent);
    // Without a read that lists messages, a made message is the only one there is to delete.
    let mut without_list = world();
    add_spec(&mut without_list, delete);
    add_spec(&mut without_list, close);
    let deleted = Some(json!({"message_id": "msg-501", "status": "deleted"}));
    let made_then_deleted = trace(
        &["delete_message"],
        vec![
            tcall(
                0,
                0,
                "send_message",
                json!({"contact_id": "ct-7001", "text": "Hi"}),
                &[("contact_id", "literal"), ("text", "literal")],
                &[],
                Some(json!({"message_id": "msg-501", "status": "sent"})),
            ),
            tcall(
                1,
                0,
                "delete_message",
                json!({"message_id": "msg-501"}),
                &[("message_id", "step:0:message_id")],
                &[0],
                deleted.clone(),
            ),
        ],
    );
    let r = make(&made_then_deleted, 0, &SpecIndex(&def), 1, 8)
        .expect_err("sending a message only to delete it is no request");
    assert_eq!(r.reason, hardgen_core::Reason::UndoesNew, "{}", r.detail);
    // Still no request where nothing lists messages: sending one only to delete it.
    let r = make(&made_then_deleted, 0, &SpecIndex(&without_list), 1, 8)
        .expect_err("sending a message only to delete it is no request");
    assert_eq!(r.reason, hardgen_core::Reason::UndoesNew, "{}", r.detail);
    // Closing what was just made is kept only where no read lists such items (logging done
    // work in a tool set whose items are only ever made, then closed).
    let mut made_then_closed = made_then_deleted.clone();
    made_then_closed.targets = vec!["close_message".into()];
    made_then_closed.calls[1].name = "close_message".into();
    assert!(make(&made_then_closed, 0, &SpecIndex(&without_list), 1, 8).is_ok());
    let r = make(&made_then_closed, 0, &SpecIndex(&def), 1, 8)
        .expect_err("a listed kind: closing what was just made is no request");
    assert_eq!(r.reason, hardgen_core::Reason::UndoesNew, "{}", r.detail);
    // Deleting a message the user names (made before the round) is a request.
    let named = trace(
        &["delete_message"],
        vec![tcall(
            0,
            0,
            "delete_message",
            json!({"message_id": "msg-501"}),
            &[("message_id", "literal")],
            &[],
            deleted,
        )],
    );
    assert!(make(&named, 0, &SpecIndex(&def), 1, 8).is_ok());
}

#[test]
fn make_rejects_a_target_that_reads_back_only_what_the_round_just_made() {
    let mut def = world();
    let get = ToolSpec {
        read_only: Some(true),
        name: "get_message".into(),
        description: "Read one message.".into(),
        domain: "messaging".into(),
        parameters: json!({"type": "object", "properties": {
            "message_id": {"type": "string", "description": "Id of the message"}}, "required": ["message_id"]}),
        returns: Some(json!({"type": "object", "properties": {
            "message_id": {"type": "string", "description": "Id of the message"},
            "status": {"type": "string", "description": "Message status"},
            "read_on": {"type": "string", "description": "When it was read"}}})),
    };
    add_spec(&mut def, get);
    let round = |read: Value| {
        trace(
            &["get_message"],
            vec![
                tcall(
                    0,
                    0,
                    "send_message",
                    json!({"contact_id": "ct-7001", "text": "Hi"}),
                    &[("contact_id", "literal"), ("text", "literal")],
                    &[],
                    Some(json!({"message_id": "msg-501", "status": "sent"})),
                ),
                tcall(
                    1,
                    0,
                    "get_message",
                    json!({"message_id": "msg-501"}),
                    &[("message_id", "step:0:message_id")],
                    &[0],
                    Some(read),
                ),
            ],
        )
    };
    let same = json!({"message_id": "msg-501", "status": "sent"});
    let r = make(&round(same), 0, &SpecIndex(&def), 1, 8)
        .expect_err("reading back what the send returned adds nothing");
    assert_eq!(r.reason, hardgen_core::Reason::RereadOfNew, "{}", r.detail);
    // A read that learns something (the message was read since) is a request.
    let more = json!({"message_id": "msg-501", "status": "read", "read_on": "2026-06-02"});
    assert!(make(&round(more), 0, &SpecIndex(&def), 1, 8).is_ok());
}

#[test]
fn a_selector_is_never_an_id_in_snake_or_camel_case() {
    use hardgen_synth::maker::selector_where;
    let res = json!({"bikes": [
        {"bikeId": "BIK-1", "bike_ref_id": "R-1", "dockNumber": 4, "bikeType": "cargo"},
        {"bikeId": "BIK-2", "bike_ref_id": "R-2", "dockNumber": 7, "bikeType": "cargo"}]});
    // The ids tell the two apart, but a request cannot name an id it never saw: the dock does.
    let (field, v) = selector_where(&res, "bikes[].bikeId", 1, |_, _| true).expect("a selector");
    assert_eq!((field.as_str(), v), ("bikes[].dockNumber", json!(7)));
    let only_ids = json!({"bikes": [{"bikeId": "BIK-1"}, {"bikeId": "BIK-2"}]});
    assert_eq!(
        selector_where(&only_ids, "bikes[].bikeId", 0, |_, _| true),
        None
    );
}

#[test]
fn a_list_of_plain_values_is_answered_by_its_key() {
    // `grep` is no known read, but what it returns is what was looked for: "3 matching lines",
    // never "All set for 3 items".
    let found = json!({"matching_lines": ["a kickoff note", "the kickoff plan", "kickoff dates"]});
    let args = obj(json!({"file_name": "task.pdf", "pattern": "kickoff"}));
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..6 {
        let a = answer_text("grep", &args, &found, &mut rng);
        assert!(a.contains("3 matching lines"), "{a}");
        assert!(a.contains("the kickoff plan"), "{a}");
        assert!(!a.contains("item"), "{a}");
    }
}
