//! Golden snapshots of every format from a hand-built record, a Parquet round trip, and an
//! OpenAI round trip.

use arrow_array::{Int64Array, StringArray};
use hardgen_core::record::{
    AdvancedTool, Call, Difficulty, Generators, GoldCall, Message, Verdict,
};
use hardgen_core::{Record, Round, ToolSpec};
use hardgen_export::{examples, read_openai_line, render, ExportOptions, Exporter, Format};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn tool(name: &str, params: Value) -> std::sync::Arc<ToolSpec> {
    std::sync::Arc::new(ToolSpec {
        read_only: None,
        name: name.into(),
        description: format!("The {name} tool."),
        domain: "d".into(),
        parameters: params,
        returns: Some(json!({"type": "object"})),
    })
}

fn gold(step: usize, name: &str, args: Value, result: Value) -> GoldCall {
    GoldCall {
        step,
        name: name.into(),
        arguments: obj(args),
        provenance: BTreeMap::new(),
        depends_on: vec![],
        result,
    }
}

fn round(
    target: &str,
    query: &str,
    gold: Vec<GoldCall>,
    attempts: u32,
    traj: Vec<Message>,
) -> Round {
    let calls = gold.len();
    Round {
        target: target.into(),
        advanced_tool: AdvancedTool {
            name: format!("{target}_from_city"),
            description: "composite".into(),
            parameters: json!({"type": "object"}),
            returns: json!({"type": "object"}),
            implementation: vec![],
            steps: vec![0],
        },
        query: query.into(),
        external_inputs: obj(json!({"city": "Lisbon"})),
        gold,
        trajectory: traj,
        verdict: Verdict {
            passed: true,
            attempts,
            checks: BTreeMap::from([("end_state".to_string(), true)]),
            hints: vec!["a hint".into()],
        },
        difficulty: Difficulty {
            calls,
            hidden_values: 2,
            distractors: 1,
            target_agent_failed: None,
        },
        repairs: Vec::new(),
        tools_added: Vec::new(),
    }
}

fn call(id: &str, name: &str, args: Value) -> Call {
    Call {
        id: id.into(),
        name: name.into(),
        arguments: obj(args),
    }
}

fn fixture() -> Record {
    let r1 = vec![
        Message::User {
            content: "Find flights from Lisbon to Oslo and book the cheapest.".into(),
        },
        Message::Assistant {
            reasoning: Some("I need both airport codes first.".into()),
            content: None,
            tool_calls: vec![
                call("c0", "find_airport", json!({"city": "Lisbon"})),
                call("c1", "find_airport", json!({"city": "Oslo"})),
            ],
        },
        Message::Tool {
            tool_call_id: "c0".into(),
            name: "find_airport".into(),
            content: json!({"airport_id": "TRA-1001", "code": "LIS"}),
        },
        Message::Tool {
            tool_call_id: "c1".into(),
            name: "find_airport".into(),
            content: json!({"airport_id": "TRA-1002", "code": "OSL"}),
        },
        Message::Assistant {
            reasoning: Some("Now I can book.".into()),
            content: None,
            tool_calls: vec![call(
                "c2",
                "book_flight",
                json!({"from": "TRA-1001", "to": "TRA-1002", "seats": 1, "window": true}),
            )],
        },
        Message::Tool {
            tool_call_id: "c2".into(),
            name: "book_flight".into(),
            content: json!({"error": {"kind": "limit_exceeded", "message": "limit exceeded: no seats"}}),
        },
        Message::Assistant {
            reasoning: Some("The booking failed.".into()),
            content: Some("No seats were left on that flight.".into()),
            tool_calls: vec![],
        },
    ];
    let r2 = vec![
        Message::User {
            content: "Then just tell me the Oslo code.".into(),
        },
        Message::Assistant {
            reasoning: Some("It was in the earlier result.".into()),
            content: Some("The code is OSL.".into()),
            tool_calls: vec![],
        },
    ];
    Record {
        id: "hg-s1-000001".into(),
        seed: 1,
        generator: Generators {
            tool_maker: "offline".into(),
            query_writer: "offline".into(),
            reasoner: "offline".into(),
            verifier: "rules".into(),
            executor: "builtin".into(),
            executor_events: Vec::new(),
            digest_source: None,
        },
        domains: vec!["travel".into()],
        tools: vec![
            tool(
                "find_airport",
                json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
            ),
            tool(
                "book_flight",
                json!({"type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"}, "seats": {"type": "integer"}, "window": {"type": "boolean"}}, "required": ["from", "to"]}),
            ),
        ],
        rounds: vec![
            round(
                "book_flight",
                "q1",
                vec![
                    gold(
                        0,
                        "find_airport",
                        json!({"city": "Lisbon"}),
                        json!({"code": "LIS"}),
                    ),
                    gold(
                        1,
                        "find_airport",
                        json!({"city": "Oslo"}),
                        json!({"code": "OSL"}),
                    ),
                    gold(
                        2,
                        "book_flight",
                        json!({"from": "TRA-1001", "to": "TRA-1002"}),
                        json!({"error": {"kind": "limit_exceeded"}}),
                    ),
                ],
                2,
                r1,
            ),
            round(
                "find_airport",
                "q2",
                vec![gold(
                    0,
                    "find_airport",
                    json!({"city": "Oslo"}),
                    json!({"code": "OSL"}),
                )],
                1,
                r2,
            ),
        ],
        variant: "standard".into(),
        list_tokens: None,
    }
}

fn pretty(vs: &[Value]) -> String {
    vs.iter()
        .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn openai_golden() {
    insta::assert_snapshot!(
        "openai",
        pretty(&render(
            Format::Openai,
            &fixture(),
            &ExportOptions::default()
        ))
    );
    let inline = ExportOptions {
        think_inline: true,
        ..ExportOptions::default()
    };
    insta::assert_snapshot!(
        "openai_think_inline",
        pretty(&render(Format::Openai, &fixture(), &inline))
    );
}

#[test]
fn sharegpt_golden_alternates_roles() {
    let v = render(Format::Sharegpt, &fixture(), &ExportOptions::default());
    let conv = v[0]["conversations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (i, t) in conv.iter().enumerate() {
        let from = t["from"].as_str().unwrap_or("");
        let odd_position = i % 2 == 0; // 1st, 3rd, ... turns
        assert_eq!(
            odd_position,
            matches!(from, "human" | "observation"),
            "turn {i} is {from}"
        );
    }
    // Parallel calls are one function_call holding a JSON list.
    let calls: Value = serde_json::from_str(conv[1]["value"].as_str().unwrap_or("")).expect("json");
    assert_eq!(calls.as_array().map(Vec::len), Some(2));
    insta::assert_snapshot!("sharegpt", pretty(&v));
}

#[test]
fn bfcl_golden_uses_python_call_lists() {
    let v = render(Format::Bfcl, &fixture(), &ExportOptions::default());
    let first_call = v[0]["turns"][1]["content"].as_str().unwrap_or("");
    assert_eq!(
        first_call,
        r#"<think>I need both airport codes first.</think>[find_airport(city="Lisbon"), find_airport(city="Oslo")]"#
    );
    let list = first_call.split("</think>").nth(1).unwrap_or("");
    assert_eq!(
        hardgen_export::parse_python_call_list(list)
            .expect("parses")
            .len(),
        2
    );
    insta::assert_snapshot!("bfcl", pretty(&v));
}

#[test]
fn hermes_golden() {
    let v = render(Format::Hermes, &fixture(), &ExportOptions::default());
    let sys = v[0]["messages"][0]["content"].as_str().unwrap_or("");
    assert!(sys.contains("<tools>") && sys.contains("</tools>"));
    insta::assert_snapshot!("hermes", pretty(&v));
}

#[test]
fn split_turns_gives_one_example_per_assistant_turn() {
    let opts = ExportOptions {
        split_turns: true,
        ..ExportOptions::default()
    };
    let exs = examples(&fixture(), &opts);
    assert_eq!(exs.len(), 4);
    for ex in &exs {
        let n = ex.len();
        assert!(
            matches!(
                ex[n - 1],
                Message::Assistant {
                    reasoning: Some(_),
                    ..
                }
            ),
            "the last turn keeps its reasoning"
        );
        for m in &ex[..n - 1] {
            assert!(
                !matches!(
                    m,
                    Message::Assistant {
                        reasoning: Some(_),
                        ..
                    }
                ),
                "earlier turns lose theirs"
            );
        }
    }
    let ids: Vec<String> = render(Format::Openai, &fixture(), &opts)
        .iter()
        .map(|v| v["id"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        ids,
        vec![
            "hg-s1-000001-t0",
            "hg-s1-000001-t1",
            "hg-s1-000001-t2",
            "hg-s1-000001-t3"
        ]
    );
}

#[test]
fn openai_lines_read_back_into_messages() {
    let rec = fixture();
    let want: Vec<Message> = rec
        .rounds
        .iter()
        .flat_map(|r| r.trajectory.clone())
        .collect();
    let want_tools: Vec<Value> = rec.tools.iter().map(|t| t.to_openai_plain()).collect();
    for think_inline in [false, true] {
        let opts = ExportOptions {
            think_inline,
            ..ExportOptions::default()
        };
        let line = render(Format::Openai, &rec, &opts)[0].to_string();
        let (msgs, tools) = read_openai_line(&line).expect("reads");
        assert_eq!(msgs, want, "think_inline = {think_inline}");
        let tools: Vec<Value> = tools.iter().map(|t| t.to_openai_plain()).collect();
        assert_eq!(tools, want_tools);
    }
    // Split examples read back as the prefixes `examples` gives.
    let opts = ExportOptions {
        split_turns: true,
        ..ExportOptions::default()
    };
    let lines = render(Format::Openai, &rec, &opts);
    for (line, ex) in lines.iter().zip(examples(&rec, &opts)) {
        let (msgs, _) = read_openai_line(&line.to_string()).expect("reads");
        assert_eq!(msgs, ex);
    }
}

fn file_names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect()
}

/// Every row of a Parquet file as a JSON object, and the number of row groups.
fn read_parquet(path: &Path) -> (Vec<Value>, usize) {
    let file = std::fs::File::open(path).expect("open parquet");
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("parquet");
    let groups = builder.metadata().num_row_groups();
    let mut rows = Vec::new();
    for batch in builder.build().expect("reader") {
        let batch = batch.expect("batch");
        let schema = batch.schema();
        for r in 0..batch.num_rows() {
            let mut row = Map::new();
            for (c, field) in schema.fields().iter().enumerate() {
                let col = batch.column(c).as_any();
                let v = if let Some(a) = col.downcast_ref::<StringArray>() {
                    json!(a.value(r))
                } else if let Some(a) = col.downcast_ref::<Int64Array>() {
                    json!(a.value(r))
                } else {
                    panic!("unexpected column type {}", field.data_type())
                };
                row.insert(field.name().clone(), v);
            }
            rows.push(Value::Object(row));
        }
    }
    (rows, groups)
}

#[test]
fn exporter_writes_every_format_and_parquet_reads_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut formats = Format::ALL.to_vec();
    formats.push(Format::Openai); // a repeated format is written once
    let mut ex = Exporter::create(dir.path(), &formats, ExportOptions::default()).expect("create");
    for _ in 0..3 {
        ex.write(&fixture()).expect("write");
    }
    let files = ex.finish().expect("finish");
    assert_eq!(
        file_names(&files),
        vec![
            "openai.jsonl",
            "sharegpt.jsonl",
            "dataset_info.json",
            "bfcl.jsonl",
            "hermes.jsonl",
            "data.parquet",
            "README.md"
        ]
    );
    // Each JSONL line is the rendering of one record.
    for f in [
        Format::Openai,
        Format::Sharegpt,
        Format::Bfcl,
        Format::Hermes,
    ] {
        let text = std::fs::read_to_string(dir.path().join(f.file_name())).expect("read");
        let want = render(f, &fixture(), &ExportOptions::default())[0].to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines, vec![want.as_str(); 3], "{f}");
    }
    let info = std::fs::read_to_string(dir.path().join("dataset_info.json")).expect("info");
    insta::assert_snapshot!("dataset_info", info);
    let card = std::fs::read_to_string(dir.path().join("README.md")).expect("card");
    insta::assert_snapshot!("dataset_card", card);

    let (rows, groups) = read_parquet(&dir.path().join("data.parquet"));
    assert_eq!((rows.len(), groups), (3, 1));
    assert_eq!(rows[0]["id"], "hg-s1-000001");
    assert_eq!(rows[0]["calls"], 4);
    assert_eq!(rows[0]["attempts"], 2);
    let msgs: Value =
        serde_json::from_str(rows[0]["messages"].as_str().unwrap_or("")).expect("json");
    assert_eq!(
        msgs,
        render(Format::Openai, &fixture(), &ExportOptions::default())[0]["messages"]
    );
    insta::assert_snapshot!(
        "parquet_row",
        serde_json::to_string_pretty(&rows[0]).expect("json")
    );
}

#[test]
fn parquet_splits_turns_and_writes_row_groups_of_bounded_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = ExportOptions {
        split_turns: true,
        think_inline: false,
    };
    let mut ex = Exporter::create(dir.path(), &[Format::Parquet], opts).expect("create");
    // 4 examples per record: 600 records = 2400 rows, more than one buffer of 2048.
    for _ in 0..600 {
        ex.write(&fixture()).expect("write");
    }
    let files = ex.finish().expect("finish");
    assert_eq!(file_names(&files), vec!["data.parquet", "README.md"]);
    let (rows, groups) = read_parquet(&dir.path().join("data.parquet"));
    assert_eq!(rows.len(), 2400);
    assert!(groups >= 2, "{groups} row groups");
    assert_eq!(rows[0]["id"], "hg-s1-000001-t0");
    assert_eq!(rows[3]["id"], "hg-s1-000001-t3");
}

#[test]
fn errors_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blocker = dir.path().join("not_a_dir");
    std::fs::write(&blocker, "x").expect("write");
    let e = Exporter::create(&blocker, &[Format::Openai], ExportOptions::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("not_a_dir"), "{e}");
}

/// A missing-param record: the assistant asks for the value the query leaves out, the user
/// gives it, then the calls run.
fn missing_param_fixture() -> Record {
    let mut rec = fixture();
    rec.id = "hg-s1-000002".into();
    rec.variant = "missing_param".into();
    rec.rounds.truncate(1);
    let r = &mut rec.rounds[0];
    r.query = "Find the airport and book a flight from it.".into();
    let rest = r.trajectory.split_off(1);
    r.trajectory.push(Message::Assistant {
        reasoning: Some("The city is missing and no tool can supply it, so I ask.".into()),
        content: Some("Which city should I use?".into()),
        tool_calls: vec![],
    });
    r.trajectory.push(Message::User {
        content: "The city is Lisbon.".into(),
    });
    r.trajectory.extend(rest);
    if let Some(Message::User { content }) = r.trajectory.first_mut() {
        content.clone_from(&r.query);
    }
    rec
}

/// An error-recovery record: the lookup with the user's typo finds nothing, the assistant asks,
/// the user corrects it, and the task goes on (call ids renumbered).
/// A long-context record: the airport list is read at a large `limit` and the airport the
/// booking needs is the twelfth result.
fn long_context_fixture() -> Record {
    let mut rec = fixture();
    rec.id = "hg-s1-000006".into();
    rec.variant = "long_context".into();
    rec.rounds.truncate(1);
    rec.tools[0] = tool(
        "search_airports",
        json!({"type": "object", "properties": {"limit": {"type": "integer", "maximum": 50}}}),
    );
    let airports: Vec<Value> = (0..12)
        .map(
            |i| json!({"airport_id": format!("TRA-{}", 1001 + i), "iata_code": format!("A{i:02}")}),
        )
        .collect();
    let list = json!({"results": airports, "count": 12});
    let r = &mut rec.rounds[0];
    r.query = "Book a seat from the airport with code A11 to TRA-1002. There are a lot of airports, so look through up to 50 of them.".into();
    r.gold = vec![
        gold(0, "search_airports", json!({"limit": 50}), list.clone()),
        gold(
            1,
            "book_flight",
            json!({"from": "TRA-1012", "to": "TRA-1002"}),
            json!({"booking_id": "BK-1"}),
        ),
    ];
    r.trajectory = vec![
        Message::User {
            content: r.query.clone(),
        },
        Message::Assistant {
            reasoning: Some("The airport list is long; I read up to 50.".into()),
            content: None,
            tool_calls: vec![call("c0", "search_airports", json!({"limit": 50}))],
        },
        Message::Tool {
            tool_call_id: "c0".into(),
            name: "search_airports".into(),
            content: list,
        },
        Message::Assistant {
            reasoning: Some("A11 is TRA-1012, the twelfth result.".into()),
            content: None,
            tool_calls: vec![call(
                "c1",
                "book_flight",
                json!({"from": "TRA-1012", "to": "TRA-1002"}),
            )],
        },
        Message::Tool {
            tool_call_id: "c1".into(),
            name: "book_flight".into(),
            content: json!({"booking_id": "BK-1"}),
        },
        Message::Assistant {
            reasoning: None,
            content: Some("Booked: BK-1.".into()),
            tool_calls: vec![],
        },
    ];
    rec
}

fn error_recovery_fixture() -> Record {
    let mut rec = fixture();
    rec.id = "hg-s1-000004".into();
    rec.variant = "error_recovery".into();
    rec.rounds.truncate(1);
    let r = &mut rec.rounds[0];
    r.query = "Find flights from Lisbno to Oslo and book the cheapest.".into();
    let rest = r.trajectory.split_off(1);
    r.trajectory[0] = Message::User {
        content: r.query.clone(),
    };
    r.trajectory.push(Message::Assistant {
        reasoning: Some("First I look up the city as the user wrote it.".into()),
        content: None,
        tool_calls: vec![call("c0", "find_airport", json!({"city": "Lisbno"}))],
    });
    r.trajectory.push(Message::Tool {
        tool_call_id: "c0".into(),
        name: "find_airport".into(),
        content: json!({"results": [], "count": 0}),
    });
    r.trajectory.push(Message::Assistant {
        reasoning: Some("Nothing found; the city looks mistyped, so I ask.".into()),
        content: Some(
            "I couldn't find anything with the city \"Lisbno\". Could you check the spelling?"
                .into(),
        ),
        tool_calls: vec![],
    });
    r.trajectory.push(Message::User {
        content: "Oops, I meant Lisbon.".into(),
    });
    let bump = |id: &str| format!("c{}", id[1..].parse::<u32>().unwrap_or(0) + 1);
    for mut m in rest {
        match &mut m {
            Message::Assistant { tool_calls, .. } => {
                for c in tool_calls {
                    c.id = bump(&c.id);
                }
            }
            Message::Tool { tool_call_id, .. } => *tool_call_id = bump(tool_call_id),
            Message::User { .. } => {}
        }
        r.trajectory.push(m);
    }
    rec
}

/// A missing-function record: `book_flight` is offered only with the user's second message.
fn missing_function_fixture() -> Record {
    let mut rec = fixture();
    rec.id = "hg-s1-000005".into();
    rec.variant = "missing_function".into();
    rec.rounds.truncate(1);
    let r = &mut rec.rounds[0];
    r.trajectory.splice(
        1..1,
        [
            Message::Assistant {
                reasoning: Some("No tool books flights, so I say so.".into()),
                content: Some("I'm sorry, but I can't book flights right now.".into()),
                tool_calls: vec![],
            },
            Message::User {
                content: "I've just added a tool that can book flights. Please go ahead.".into(),
            },
        ],
    );
    r.tools_added = vec![hardgen_core::record::ToolsAdded {
        at: 2,
        tools: vec!["book_flight".into()],
    }];
    rec
}

/// An irrelevance record: no offered tool serves the request, so there is no call.
fn irrelevance_fixture() -> Record {
    let mut rec = fixture();
    rec.id = "hg-s1-000003".into();
    rec.variant = "irrelevance".into();
    rec.rounds.truncate(1);
    rec.tools.retain(|t| t.name != "book_flight");
    let r = &mut rec.rounds[0];
    r.trajectory = vec![
        Message::User {
            content: r.query.clone(),
        },
        Message::Assistant {
            reasoning: Some("No tool here books flights.".into()),
            content: Some("I'm sorry, but I can't book flights with the tools I have.".into()),
            tool_calls: vec![],
        },
    ];
    rec
}

#[test]
fn variant_goldens_in_every_format() {
    let opts = ExportOptions::default();
    for (name, rec) in [
        ("missing_param", missing_param_fixture()),
        ("irrelevance", irrelevance_fixture()),
        ("error_recovery", error_recovery_fixture()),
        ("missing_function", missing_function_fixture()),
        ("long_context", long_context_fixture()),
        ("parallel", {
            let mut r = fixture();
            r.variant = "parallel".into();
            r
        }),
    ] {
        for f in [
            Format::Openai,
            Format::Sharegpt,
            Format::Bfcl,
            Format::Hermes,
            Format::Parquet,
        ] {
            insta::assert_snapshot!(
                format!("variant_{name}_{f}"),
                pretty(&render(f, &rec, &opts))
            );
        }
    }
    // ShareGPT keeps human turns at odd positions even with the user's second turn.
    let v = render(Format::Sharegpt, &missing_param_fixture(), &opts);
    let from: Vec<&str> = v[0]["conversations"]
        .as_array()
        .map(|c| c.iter().map(|t| t["from"].as_str().unwrap_or("")).collect())
        .unwrap_or_default();
    assert_eq!(&from[..4], &["human", "gpt", "human", "function_call"]);
    // A tool offered later is not in the first tool list; it comes with the user's message.
    let v = render(Format::Openai, &missing_function_fixture(), &opts);
    let names: Vec<&str> = v[0]["tools"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|t| t["function"]["name"].as_str().unwrap_or(""))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names, ["find_airport"]);
    let roles: Vec<&str> = v[0]["messages"]
        .as_array()
        .map(|m| m.iter().map(|m| m["role"].as_str().unwrap_or("")).collect())
        .unwrap_or_default();
    assert_eq!(&roles[..4], &["user", "assistant", "system", "user"]);
    assert!(v[0]["messages"][2]["content"]
        .as_str()
        .is_some_and(|c| c.contains("book_flight")));
    let b = render(Format::Bfcl, &missing_function_fixture(), &opts);
    assert_eq!(b[0]["missed_function"]["1"][0]["name"], "book_flight");
    assert!(!b[0]["system"]
        .as_str()
        .is_some_and(|s| s.contains("book_flight")));
    // The OpenAI reader skips the system note.
    let line = render(Format::Openai, &missing_function_fixture(), &opts)[0].to_string();
    let (msgs, _) = hardgen_export::read_openai_line(&line).expect("reads back");
    assert_eq!(
        msgs.len(),
        missing_function_fixture().rounds[0].trajectory.len()
    );
    // The Parquet column says the variant.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ex = Exporter::create(dir.path(), &[Format::Parquet], opts).expect("create");
    ex.write(&irrelevance_fixture()).expect("write");
    ex.finish().expect("finish");
    let (rows, _) = read_parquet(&dir.path().join("data.parquet"));
    assert_eq!(rows[0]["variant"], "irrelevance");
}
