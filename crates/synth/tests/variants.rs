//! Hard variants: generated records of each built variant verify, and `reverify` rejects each
//! variant's typical wrong behaviour (a guessed value instead of a question, a call on a
//! request no offered tool serves, a refusal that does not refuse, a missed parallel call, a
//! failed lookup ignored or its fix guessed, a substitute call for a missing tool).

use hardgen_core::record::{Call, Message};
use hardgen_core::Record;
use hardgen_synth::pipeline::{GenConfig, Generator};
use hardgen_synth::verify::reverify;
use hardgen_tools::{world, World, WorldDef};
use std::sync::Arc;

fn records(def: &Arc<WorldDef>, n: u64) -> Vec<Record> {
    let cfg = GenConfig {
        seed: 5,
        variants: vec![
            "missing_param".into(),
            "irrelevance".into(),
            "parallel".into(),
            "error_recovery".into(),
            "missing_function".into(),
        ],
        variant_share: 1.0,
        ..GenConfig::default()
    };
    let mut g = Generator::new(def.clone(), cfg);
    (0..n).filter_map(|i| g.item(i).ok()).collect()
}

fn check(def: &Arc<WorldDef>, rec: &Record) -> Result<(), String> {
    let mut env = World::new(def.clone(), 0);
    let mut gold = World::new(def.clone(), 0);
    reverify(rec, &mut env, &mut gold)
}

#[test]
fn variant_records_verify_and_their_wrong_behaviour_is_rejected() {
    let def = world::builtin().expect("built-in world");
    let recs = records(&def, 56);
    let missing: Vec<&Record> = recs
        .iter()
        .filter(|r| r.variant == "missing_param")
        .collect();
    let irrelevant: Vec<&Record> = recs.iter().filter(|r| r.variant == "irrelevance").collect();
    assert!(
        missing.len() >= 5,
        "{} missing_param records",
        missing.len()
    );
    assert!(
        irrelevant.len() >= 5,
        "{} irrelevance records",
        irrelevant.len()
    );
    let parallel: Vec<&Record> = recs.iter().filter(|r| r.variant == "parallel").collect();
    assert!(parallel.len() >= 3, "{} parallel records", parallel.len());
    assert!(recs.iter().all(|r| r.variant != "standard"));
    for r in &recs {
        check(&def, r).unwrap_or_else(|e| panic!("{}: {e}", r.id));
    }

    // missing_param: the question comes before any call and names the value; the reply gives it.
    for r in &missing {
        let t = &r.rounds[0].trajectory;
        assert!(
            matches!(&t[1], Message::Assistant { tool_calls, content: Some(q), .. }
            if tool_calls.is_empty() && q.ends_with('?'))
        );
        assert!(matches!(&t[2], Message::User { .. }));
    }
    let r = missing[0];
    // Guessing: skip the question and the reply, go straight to the calls.
    let mut guessed = r.clone();
    guessed.rounds[0].trajectory.drain(1..3);
    let e = check(&def, &guessed).expect_err("a guessed value is rejected");
    assert!(e.contains("rounds[0]"), "{e}");
    // A question that asks for something else.
    let mut vague = r.clone();
    if let Message::Assistant { content, .. } = &mut vague.rounds[0].trajectory[1] {
        *content = Some("Shall I go ahead?".into());
    }
    let e = check(&def, &vague).expect_err("a question that names nothing is rejected");
    assert!(e.contains("trajectory[1].content"), "{e}");
    // A reply that does not give the value.
    let mut unhelpful = r.clone();
    unhelpful.rounds[0].trajectory[2] = Message::User {
        content: "Just pick one.".into(),
    };
    assert!(check(&def, &unhelpful).is_err());

    // irrelevance: no call, a refusal, and no offered tool that serves the request.
    let r = irrelevant[0];
    assert_eq!(r.rounds[0].trajectory.len(), 2);
    let offered: Vec<&str> = r.tools.iter().map(|t| t.name.as_str()).collect();
    assert!(r.rounds[0]
        .gold
        .iter()
        .all(|g| !offered.contains(&g.name.as_str())));
    // Calling a tool anyway.
    let mut called = r.clone();
    let t = r.tools[0].name.clone();
    called.rounds[0].trajectory[1] = Message::Assistant {
        reasoning: None,
        content: None,
        tool_calls: vec![Call {
            id: "c0".into(),
            name: t.clone(),
            arguments: Default::default(),
        }],
    };
    called.rounds[0].trajectory.push(Message::Tool {
        tool_call_id: "c0".into(),
        name: t,
        content: serde_json::json!({"error": "x"}),
    });
    assert!(check(&def, &called).is_err());
    // An answer that does not refuse.
    let mut agreed = r.clone();
    if let Message::Assistant { content, .. } = &mut agreed.rounds[0].trajectory[1] {
        *content = Some("Done, all taken care of.".into());
    }
    let e = check(&def, &agreed).expect_err("an answer that does not refuse is rejected");
    assert!(e.contains("cannot be done"), "{e}");
    // Offering the target after all: the request is no longer irrelevant.
    let mut served = r.clone();
    let target = def
        .specs
        .iter()
        .find(|s| s.name == r.rounds[0].target)
        .expect("target spec");
    served.tools.push(Arc::new(target.clone()));
    assert!(check(&def, &served).is_err());

    // parallel: the independent calls share one assistant turn; split apart, the record fails.
    let r = parallel[0];
    let t = &r.rounds[0].trajectory;
    let k = t
        .iter()
        .position(|m| matches!(m, Message::Assistant { tool_calls, .. } if tool_calls.len() >= 2))
        .expect("a turn with two calls");
    let mut split = r.clone();
    let tr = &mut split.rounds[0].trajectory;
    let Message::Assistant { tool_calls, .. } = &mut tr[k] else {
        unreachable!("checked above")
    };
    // The last call moves to a turn of its own:
    // [turn(c0 .. cn), tool c0 .. tool cn] -> [turn(c0 .. cn-1), tool c0 .. tool cn-1, turn(cn), tool cn]
    let n = tool_calls.len();
    let last = tool_calls.pop().expect("two or more calls");
    let answer = tr.remove(k + n);
    tr.insert(
        k + n,
        Message::Assistant {
            reasoning: None,
            content: None,
            tool_calls: vec![last],
        },
    );
    tr.insert(k + n + 1, answer);
    let e = check(&def, &split).expect_err("a missed parallel call is rejected");
    assert!(e.contains("not made together"), "{e}");

    // error_recovery: the lookup with the user's typo really finds nothing; the assistant asks,
    // the user corrects it, the task completes.
    let recovering: Vec<&Record> = recs
        .iter()
        .filter(|r| r.variant == "error_recovery")
        .collect();
    assert!(
        recovering.len() >= 3,
        "{} error_recovery records",
        recovering.len()
    );
    for r in &recovering {
        let t = &r.rounds[0].trajectory;
        let i = t
            .iter()
            .position(|m| matches!(m, Message::Tool { content, .. } if hardgen_synth::variant::found_nothing(content)))
            .expect("a lookup that finds nothing");
        let Message::Assistant { tool_calls, .. } = &t[i - 1] else {
            panic!("{}: the failed lookup is a call", r.id)
        };
        // (The call may also take right values the user stated, such as a city filter.)
        let in_gold = |x: &str| {
            r.rounds[0]
                .gold
                .iter()
                .any(|g| g.arguments.values().any(|v| v.as_str() == Some(x)))
        };
        let typed: Vec<&str> = tool_calls[0]
            .arguments
            .values()
            .filter_map(|v| v.as_str())
            .filter(|v| r.rounds[0].query.contains(v))
            .collect();
        assert!(
            !typed.is_empty(),
            "{}: the call takes the value as the user typed it",
            r.id
        );
        assert_eq!(
            typed.iter().filter(|v| !in_gold(v)).count(),
            1,
            "{}: exactly one value of the failed call is the typo, not a gold value",
            r.id
        );
        assert!(
            matches!(&t[i + 1], Message::Assistant { tool_calls, content: Some(q), .. } if tool_calls.is_empty() && q.contains('?'))
        );
        assert!(matches!(&t[i + 2], Message::User { .. }));
    }
    let r = recovering[0];
    let t = &r.rounds[0].trajectory;
    let i = t
        .iter()
        .position(|m| matches!(m, Message::Tool { content, .. } if hardgen_synth::variant::found_nothing(content)))
        .expect("a lookup that finds nothing");
    // Ignoring the error: the assistant fixes the typo itself, without asking.
    let mut guessed = r.clone();
    guessed.rounds[0].trajectory.drain(i + 1..i + 3);
    let e = check(&def, &guessed).expect_err("a silently fixed typo is rejected");
    assert!(e.contains("rounds[0]"), "{e}");
    // Never trying: the question comes without the failed lookup.
    let mut untried = r.clone();
    untried.rounds[0].trajectory.drain(i - 1..i + 1);
    let e = check(&def, &untried).expect_err("a question without the failed lookup is rejected");
    assert!(e.contains("finds nothing"), "{e}");
    // Giving up: the failed lookup is taken as the outcome.
    let mut gave_up = r.clone();
    gave_up.rounds[0].trajectory.truncate(i + 1);
    gave_up.rounds[0].trajectory.push(Message::Assistant {
        reasoning: None,
        content: Some("There is nothing to do.".into()),
        tool_calls: Vec::new(),
    });
    assert!(check(&def, &gave_up).is_err());
    // missing_function: the held-out gold tool is offered only with the user's second message;
    // the first answer makes no call and says what cannot be done.
    let missing_fn: Vec<&Record> = recs
        .iter()
        .filter(|r| r.variant == "missing_function")
        .collect();
    assert!(
        missing_fn.len() >= 3,
        "{} missing_function records",
        missing_fn.len()
    );
    for r in &missing_fn {
        let round = &r.rounds[0];
        let added = &round.tools_added[0];
        assert_eq!(added.at, 2);
        assert!(round.gold.iter().any(|g| g.name == added.tools[0]));
        assert!(
            matches!(&round.trajectory[1], Message::Assistant { tool_calls, content: Some(_), .. } if tool_calls.is_empty())
        );
    }
    let m = missing_fn[0];
    let held = m.rounds[0].tools_added[0].tools[0].clone();
    // A substitute call: another offered tool tried instead of saying what cannot be done.
    let mut substitute = m.clone();
    let other = m
        .tools
        .iter()
        .find(|t| t.name != held)
        .expect("another tool")
        .name
        .clone();
    substitute.rounds[0].trajectory[1] = Message::Assistant {
        reasoning: None,
        content: None,
        tool_calls: vec![Call {
            id: "x0".into(),
            name: other.clone(),
            arguments: Default::default(),
        }],
    };
    substitute.rounds[0].trajectory.insert(
        2,
        Message::Tool {
            tool_call_id: "x0".into(),
            name: other,
            content: serde_json::json!({}),
        },
    );
    assert!(check(&def, &substitute).is_err());
    // The held-out tool called before it is offered: the add-on comes too late.
    let mut early = m.clone();
    early.rounds[0].tools_added[0].at = 2 + 1;
    assert!(check(&def, &early).is_err());
    // The held-out tool called in a turn before the user's message that offers it.
    let mut early = m.clone();
    let first = m.rounds[0]
        .trajectory
        .iter()
        .skip(3)
        .find_map(|x| match x {
            Message::Assistant { tool_calls, .. } => tool_calls.iter().find(|c| c.name == held),
            _ => None,
        })
        .expect("the held-out tool is called")
        .clone();
    let t = &mut early.rounds[0].trajectory;
    t.insert(
        1,
        Message::Assistant {
            reasoning: None,
            content: None,
            tool_calls: vec![Call {
                id: "early0".into(),
                ..first.clone()
            }],
        },
    );
    t.insert(
        2,
        Message::Tool {
            tool_call_id: "early0".into(),
            name: first.name.clone(),
            content: serde_json::json!({}),
        },
    );
    early.rounds[0].tools_added[0].at += 2;
    let e = check(&def, &early).expect_err("a call before its tool is offered");
    assert!(e.contains("is called before it is offered"), "{e}");
    // Offered from the start after all.
    let mut offered = m.clone();
    offered.rounds[0].tools_added.clear();
    let e = check(&def, &offered).expect_err("a tool offered from the start is not missing");
    assert!(e.contains("rounds[0]"), "{e}");
    // An answer that does not say what cannot be done.
    let mut agreed = m.clone();
    if let Message::Assistant { content, .. } = &mut agreed.rounds[0].trajectory[1] {
        *content = Some("Sure, on it.".into());
    }
    let e = check(&def, &agreed).expect_err("an answer that does not refuse is rejected");
    assert!(e.contains("cannot be done"), "{e}");

    // Judging an agent: what each variant's own no-call turn says passes; a call, or an answer
    // that neither asks nor refuses, fails.
    use hardgen_synth::variant::judge_agent;
    let no_call_turn = |rec: &Record| {
        rec.rounds[0]
            .trajectory
            .iter()
            .find_map(|m| match m {
                Message::Assistant {
                    content: Some(c),
                    tool_calls,
                    ..
                } if tool_calls.is_empty() => Some(c.clone()),
                _ => None,
            })
            .expect("a no-call turn")
    };
    let args = serde_json::Map::new();
    for v in [missing[0], irrelevant[0], missing_fn[0], recovering[0]] {
        assert_eq!(
            judge_agent(v, &[], &no_call_turn(v)),
            Some(Ok(())),
            "{}",
            v.variant
        );
        assert!(
            matches!(judge_agent(v, &[], "Done."), Some(Err(_))),
            "{}",
            v.variant
        );
    }
    for v in [missing[0], irrelevant[0], missing_fn[0]] {
        let e = judge_agent(v, &[("some_tool", &args)], &no_call_turn(v));
        assert!(
            matches!(&e, Some(Err(w)) if w.contains("called some_tool")),
            "{e:?}"
        );
    }
    // Guessing the spelling the user mistyped fails the recovery.
    let failed = recovering[0].rounds[0]
        .trajectory
        .iter()
        .zip(recovering[0].rounds[0].trajectory.iter().skip(1))
        .find_map(|(m, next)| match (m, next) {
            (Message::Assistant { tool_calls, .. }, Message::Tool { content, .. })
                if hardgen_synth::variant::found_nothing(content) =>
            {
                Some(tool_calls[0].name.clone())
            }
            _ => None,
        })
        .expect("the failed lookup");
    let g = recovering[0].rounds[0]
        .gold
        .iter()
        .find(|g| g.name == failed)
        .expect("the gold lookup with the right spelling");
    let e = judge_agent(
        recovering[0],
        &[(g.name.as_str(), &g.arguments)],
        "Here it is.",
    );
    assert!(
        matches!(&e, Some(Err(w)) if w.contains("guessing")),
        "{e:?}"
    );
    assert_eq!(judge_agent(parallel[0], &[], "x"), None);

    // A reply that does not give the right name.
    let mut wrong = r.clone();
    wrong.rounds[0].trajectory[i + 2] = Message::User {
        content: "Try something similar.".into(),
    };
    assert!(check(&def, &wrong).is_err());
}

#[test]
fn a_run_without_variants_is_unchanged_by_the_variant_settings() {
    let def = world::builtin().expect("built-in world");
    let a = GenConfig {
        seed: 2,
        ..GenConfig::default()
    };
    let b = GenConfig {
        variant_share: 0.9,
        ..a.clone()
    };
    let (mut ga, mut gb) = (Generator::new(def.clone(), a), Generator::new(def, b));
    for i in 0..10 {
        assert_eq!(ga.item(i), gb.item(i));
    }
}

#[test]
fn long_context_records_read_deep_into_a_long_list_and_a_first_page_read_is_rejected() {
    use hardgen_synth::variant::{est_tokens, problem, LONG_CONTEXT_TOKENS, PAGE};
    let def = world::builtin().expect("built-in world");
    let cfg = GenConfig {
        seed: 5,
        variants: vec!["long_context".into()],
        variant_share: 1.0,
        ..GenConfig::default()
    };
    let mut g = Generator::new(def.clone(), cfg);
    let recs: Vec<Record> = (0..16).filter_map(|i| g.item(i).ok()).collect();
    assert!(recs.len() >= 4, "{} long_context records", recs.len());
    for r in &recs {
        assert_eq!(r.variant, "long_context");
        check(&def, r).unwrap_or_else(|e| panic!("{}: {e}", r.id));
        assert_eq!(problem(r, &r.tools), None, "{}", r.id);
        let round = &r.rounds[0];
        // The results reach the target size, and some call reads a list at a large limit
        // that returns more than a page.
        let tokens: usize = round
            .trajectory
            .iter()
            .map(|m| match m {
                Message::Tool { content, .. } => est_tokens(content),
                _ => 0,
            })
            .sum();
        assert!(tokens >= LONG_CONTEXT_TOKENS, "{}: {tokens} tokens", r.id);
        let long_read = round.gold.iter().any(|g| {
            g.arguments.get("limit").and_then(|l| l.as_u64()) == Some(50)
                && g.result["results"]
                    .as_array()
                    .is_some_and(|a| a.len() > PAGE)
        });
        assert!(long_read, "{}: no long read", r.id);
        // The user says how far to read.
        assert!(round.query.contains("50"), "{}", round.query);
    }
    // Reading only the first page: the item is not in it, so the next call cannot be the
    // gold's; the replay shows the tool's real (shorter) result and the record fails.
    let r = &recs[0];
    let mut first_page = r.clone();
    for m in &mut first_page.rounds[0].trajectory {
        if let Message::Assistant { tool_calls, .. } = m {
            for c in tool_calls.iter_mut() {
                c.arguments.remove("limit");
            }
        }
    }
    assert!(check(&def, &first_page).is_err());
    // A lookup by the pick's attribute offered beside the list: searching beats reading, so
    // the record is no longer a long-context one.
    let mut searchable = r.clone();
    let field = r.rounds[0]
        .advanced_tool
        .implementation
        .iter()
        .flat_map(|s| s.bindings.values())
        .find_map(|b| match b {
            hardgen_core::record::Binding::Select { field, .. } => {
                Some(field.rsplit('.').next().unwrap_or(field).to_string())
            }
            _ => None,
        })
        .expect("a pick");
    let mut lookup = (*r.tools[0]).clone();
    lookup.name = "find_by_that".into();
    lookup.read_only = Some(true);
    lookup.parameters =
        serde_json::json!({"type": "object", "properties": {field.clone(): {"type": "string"}}});
    searchable.tools.push(Arc::new(lookup));
    let e = problem(&searchable, &searchable.tools).expect("rejected");
    assert!(e.contains("cannot be filtered"), "{field}: {e}");
    // The generated record offers no such lookup.
    assert!(!r.tools.iter().any(|t| t.read_only == Some(true)
        && !r.rounds[0].gold.iter().any(|g| g.name == t.name)
        && t.parameters["properties"].get(&field).is_some()));
    // The pick moved into the first page is no longer a long-context record.
    let mut shallow = r.clone();
    for g in &mut shallow.rounds[0].gold {
        if let Some(a) = g.result.get_mut("results").and_then(|a| a.as_array_mut()) {
            a.truncate(PAGE);
        }
    }
    let e = problem(&shallow, &shallow.tools).expect("rejected");
    assert!(e.contains("past the first"), "{e}");
}
