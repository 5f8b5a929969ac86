//! End-to-end tests of the `hardgen` binary: output shapes, exit codes and error messages.

use assert_cmd::Command;
use serde_json::Value;

fn hardgen() -> Command {
    let mut c = Command::cargo_bin("hardgen").expect("binary builds");
    c.env_remove("HARDGEN_WORLD");
    c
}

/// Runs and returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = hardgen().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn list_json_is_an_array_of_openai_specs_with_domain_and_returns() {
    let (code, out, _) = run(&["tools", "list", "--json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    let arr = v.as_array().expect("array");
    assert!(arr.len() >= 250, "{} tools", arr.len());
    for t in arr {
        assert_eq!(t["type"], "function");
        let f = &t["function"];
        assert!(f["name"].is_string() && f["description"].is_string(), "{t}");
        assert_eq!(f["parameters"]["type"], "object", "{t}");
        assert_eq!(f["returns"]["type"], "object", "{t}");
        assert!(f["domain"].as_str().is_some_and(|d| !d.is_empty()), "{t}");
    }
    let (code, out, _) = run(&["tools", "list", "--domain", "banking", "--json"]);
    assert_eq!(code, 0);
    assert!(json(&out)
        .as_array()
        .expect("array")
        .iter()
        .all(|t| t["function"]["domain"] == "banking"));
}

#[test]
fn stats_json_reports_the_counts() {
    let (code, out, _) = run(&["tools", "stats", "--json"]);
    assert_eq!(code, 0);
    let s = json(&out);
    assert!(s["tools"].as_u64().unwrap_or(0) >= 250);
    assert!(s["domains"].as_u64().unwrap_or(0) >= 12);
    let share = s["dependent_share"].as_f64().unwrap_or(-1.0);
    assert!((0.4..=1.0).contains(&share), "{share}");
    assert!(s["cross_domain_links"].as_u64().unwrap_or(0) >= 20);
    assert!(s["min_longest_chain"].as_u64().unwrap_or(0) >= 4);
}

#[test]
fn call_prints_result_or_typed_error() {
    let (code, out, _) = run(&[
        "tools",
        "call",
        "get_account",
        "--args",
        r#"{"account_id": "BKA-1001"}"#,
        "--seed",
        "4",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["account_id"], "BKA-1001");
    // Same seed, same result; another seed, another world.
    let (_, again, _) = run(&[
        "tools",
        "call",
        "get_account",
        "--args",
        r#"{"account_id": "BKA-1001"}"#,
        "--seed",
        "4",
    ]);
    assert_eq!(out, again);
    let (_, other, _) = run(&[
        "tools",
        "call",
        "get_account",
        "--args",
        r#"{"account_id": "BKA-1001"}"#,
        "--seed",
        "5",
    ]);
    assert_ne!(out, other);

    let (code, out, err) = run(&[
        "tools",
        "call",
        "get_account",
        "--args",
        r#"{"account_id": "BKA-9999"}"#,
    ]);
    assert_eq!(code, 3, "a tool error exits with 3");
    assert_eq!(json(&out)["error"]["kind"], "not_found");
    insta::assert_snapshot!("call_not_found_stderr", err);

    let (code, out, err) = run(&[
        "tools",
        "call",
        "get_account",
        "--args",
        r#"{"account_id": 7}"#,
    ]);
    assert_eq!(code, 3);
    assert_eq!(json(&out)["error"]["kind"], "invalid_arguments");
    insta::assert_snapshot!("call_wrong_type_stderr", err);
}

#[test]
fn bad_input_gets_a_clear_message_and_exit_code_1() {
    let (code, _, err) = run(&["tools", "call", "get_account", "--args", "{not json"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("call_bad_json_stderr", err);
    let (code, _, err) = run(&["tools", "call", "get_acount", "--args", "{}"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("call_unknown_tool_stderr", err);
    let (code, _, err) = run(&["tools", "list", "--domain", "nowhere"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown domain `nowhere`; domains: "), "{err}");
    let (code, _, _) = run(&["tools", "frobnicate"]);
    assert_eq!(code, 2, "usage errors exit with 2");
}

#[test]
fn show_prints_one_spec() {
    let (code, out, _) = run(&["tools", "show", "transfer_funds"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("show_transfer_funds", out);
}

#[test]
fn export_writes_both_dialects_and_import_reads_them_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (fmt, file) in [("openai", "o.json"), ("bfcl", "b.json")] {
        let path = dir.path().join(file);
        let p = path.to_string_lossy().to_string();
        let (code, _, err) = run(&["tools", "export", "--format", fmt, "--out", &p]);
        assert_eq!(code, 0, "{err}");
        let (code, out, err) = run(&["tools", "import", &p]);
        assert_eq!(code, 0, "{err}");
        let back = json(&out);
        let (_, listed, _) = run(&["tools", "list", "--json"]);
        let listed = json(&listed);
        assert_eq!(
            back.as_array().map(Vec::len),
            listed.as_array().map(Vec::len)
        );
        if fmt == "openai" {
            assert_eq!(back, listed, "openai export round-trips exactly");
        } else {
            let exported = json(&std::fs::read_to_string(&path).expect("read"));
            assert_eq!(exported[0]["parameters"]["type"], "dict");
            // BFCL has no domain; parameters and returns survive the trip.
            assert_eq!(
                back[0]["function"]["parameters"],
                listed[0]["function"]["parameters"]
            );
            assert_eq!(
                back[0]["function"]["returns"],
                listed[0]["function"]["returns"]
            );
        }
    }
}

#[test]
fn import_names_the_file_and_json_path_of_a_malformed_spec() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tools.json");
    std::fs::write(
        &path,
        r#"[{"type": "function", "function": {"name": "ok"}},
            {"type": "function", "function": {"name": "f", "parameters": {"type": "object",
             "properties": {"when": {"type": "object", "properties": {"day": {"type": "datetime"}}}}}}}]"#,
    )
    .expect("write");
    let (code, _, err) = run(&["tools", "import", &path.to_string_lossy()]);
    assert_eq!(code, 1);
    let err = err.replace(&dir.path().to_string_lossy().to_string(), "<dir>");
    insta::assert_snapshot!("import_malformed_stderr", err);
    // A broken document (not JSON Lines): the error is the document's, with its own line.
    std::fs::write(&path, "[{\"type\": \"function\",\n  bad}]\n").expect("write");
    let (code, _, err) = run(&["tools", "import", &path.to_string_lossy()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("tools.json: $: invalid JSON: key must be a string at line 2"),
        "{err}"
    );
}

#[test]
fn graph_stats_scores_the_schema_graph() {
    let (code, out, err) = run(&["graph", "stats", "--json"]);
    assert_eq!(code, 0, "{err}");
    let s = json(&out);
    assert!(s["nodes"].as_u64().unwrap_or(0) >= 250);
    assert!(s["edges"].as_u64().unwrap_or(0) > 0);
    assert!(s["precision"].as_f64().unwrap_or(0.0) >= 0.9, "{s}");
    assert!(s["recall"].as_f64().unwrap_or(0.0) >= 0.9, "{s}");
    // A foreign tool set has no declared truth: precision and recall are null.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("bfcl.json");
    std::fs::write(
        &p,
        r#"[{"name": "find_user", "description": "Find a user by e-mail", "parameters": {"type": "dict",
             "properties": {"email": {"type": "string"}}, "required": ["email"]},
             "response": {"type": "dict", "properties": {"user_id": {"type": "string", "description": "Id of the user"}}}},
            {"name": "get_orders", "description": "Orders of a user", "parameters": {"type": "dict",
             "properties": {"user_id": {"type": "string", "description": "Id of the user"}}, "required": ["user_id"]}}]"#,
    )
    .expect("write");
    let (code, out, err) = run(&["graph", "stats", "--json", "--specs", &p.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let s = json(&out);
    assert_eq!(s["nodes"], 2);
    assert_eq!(s["edges"], 1, "find_user.user_id feeds get_orders.user_id");
    assert!(s["precision"].is_null() && s["recall"].is_null());
}

#[test]
fn graph_renders_json_dot_and_html() {
    let (code, out, _) = run(&["graph", "--format", "dot"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("digraph api {"));
    let (code, out, _) = run(&["graph", "--format", "html"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("<!doctype html>") && out.contains("<svg") && out.contains("banking"));
    let (code, out, _) = run(&["graph", "--format", "json"]);
    assert_eq!(code, 0);
    let g = json(&out);
    assert_eq!(g["format_version"], 1);
    assert!(
        g["pools"].as_object().is_some_and(|p| !p.is_empty()),
        "pools gathered from the world"
    );
}

#[test]
fn traces_are_jsonl_with_calls_and_deterministic() {
    let (code, out, err) = run(&["traces", "--n", "5", "--seed", "3"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5);
    for l in &lines {
        let t = json(l);
        let calls = t["calls"].as_array().expect("calls");
        assert!(!calls.is_empty());
        for c in calls {
            assert!(c["name"].is_string() && c["arguments"].is_object(), "{c}");
            assert!(
                c.get("result").is_some() != c.get("error").is_some(),
                "exactly one of result/error: {c}"
            );
        }
    }
    let (_, again, _) = run(&["traces", "--n", "5", "--seed", "3"]);
    assert_eq!(out, again, "same seed, same bytes");
    let (code, out, err) = run(&[
        "traces",
        "--n",
        "2",
        "--seed",
        "1",
        "--target",
        "transfer_funds",
        "--rounds",
        "2",
    ]);
    assert_eq!(code, 0, "{err}");
    for l in out.lines() {
        let t = json(l);
        assert_eq!(t["targets"][0], "transfer_funds");
        assert_eq!(t["targets"].as_array().map(Vec::len), Some(2));
        assert!(t["calls"]
            .as_array()
            .expect("calls")
            .iter()
            .any(|c| c["round"] == 1));
    }
    // Execution evidence refines the graph: a versioned graph file comes out.
    let dir = tempfile::tempdir().expect("tempdir");
    let g = dir.path().join("g.json");
    let (code, _, err) = run(&[
        "traces",
        "--n",
        "20",
        "--seed",
        "3",
        "--graph-out",
        &g.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let graph = json(&std::fs::read_to_string(&g).expect("graph"));
    assert_eq!(graph["revision"], 20, "one revision per observed trace");
    assert!(graph["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .any(|e| e["evidence"].as_u64().unwrap_or(0) > 0));
    // ... and can be sampled from again.
    let (code, out, err) = run(&["traces", "--n", "2", "--graph", &g.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2);
    let (code, _, err) = run(&["traces", "--target", "no_such_tool"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown target tool `no_such_tool`"), "{err}");
}

#[test]
fn generate_writes_a_verified_dataset_deterministically() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let formats = "openai,sharegpt,bfcl,hermes,parquet";
    for d in [&a, &b] {
        let (code, out, err) = run(&[
            "generate",
            "--out",
            &d.to_string_lossy(),
            "--n",
            "40",
            "--seed",
            "7",
            "--rounds",
            "2",
            "--format",
            formats,
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("kept") && out.contains("rejected"),
            "summary table: {out}"
        );
    }
    // Byte-identical files for the same seed and inputs.
    let mut names: Vec<String> = std::fs::read_dir(&a)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for f in [
        "records.jsonl",
        "rejected.jsonl",
        "summary.json",
        "config.json",
    ] {
        assert!(names.iter().any(|n| n == f), "{f} missing from {names:?}");
    }
    for n in &names {
        let (x, y) = (
            std::fs::read(a.join(n)).expect("read"),
            std::fs::read(b.join(n)).expect("read"),
        );
        assert!(x == y, "{n} differs between two runs with the same seed");
    }
    // Every kept record re-verifies; stats reads the same summary back.
    let (code, out, err) = run(&["verify", &a.to_string_lossy()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("records verify"), "{out}");
    let (code, out, _) = run(&["stats", &a.to_string_lossy(), "--json"]);
    assert_eq!(code, 0);
    let written = json(&std::fs::read_to_string(a.join("summary.json")).expect("summary"));
    assert_eq!(json(&out), written);
    assert!(written["kept"].as_u64().unwrap_or(0) > 0);
    for k in [
        "mean_calls",
        "share_3plus",
        "length_histogram",
        "targets_covered",
        "distinct_bigram_ratio",
        "top_opening_share",
        "ungrounded",
        "rejections",
    ] {
        assert!(written.get(k).is_some(), "summary.json lacks {k}");
    }
    // The dataset card carries the same figures.
    let card = std::fs::read_to_string(a.join("README.md")).expect("card");
    assert!(
        card.contains(&format!("| `share_3plus` | `{}` |", written["share_3plus"])),
        "{card}"
    );
    // A tampered record no longer verifies.
    let recs = std::fs::read_to_string(a.join("records.jsonl")).expect("records");
    let first = recs.lines().next().expect("a record");
    let mut r = json(first);
    if let Some(g) = r["rounds"][0]["gold"]
        .as_array_mut()
        .and_then(|g| g.last_mut())
    {
        g["result"] = serde_json::json!({"tampered": true});
    }
    std::fs::write(a.join("records.jsonl"), format!("{}\n", r)).expect("write");
    let (code, out, _) = run(&["verify", &a.to_string_lossy()]);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("FAIL"), "{out}");
}

#[test]
fn variants_are_drawn_verified_and_broken_down_in_stats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("v");
    let o = out.to_str().expect("utf-8 path");
    let (code, _, err) = run(&[
        "generate",
        "--out",
        o,
        "--n",
        "24",
        "--seed",
        "4",
        "--variants",
        "all",
        "--variant-share",
        "1",
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(out.join("records.jsonl")).expect("records");
    let variants: Vec<String> = text
        .lines()
        .map(|l| json(l)["variant"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(!variants.is_empty());
    assert!(variants.iter().all(|v| v != "standard"), "{variants:?}");
    for v in [
        "missing_param",
        "irrelevance",
        "error_recovery",
        "missing_function",
    ] {
        assert!(variants.iter().any(|x| x == v), "no {v} in {variants:?}");
    }
    let (code, out_text, err) = run(&["verify", o]);
    assert_eq!(code, 0, "{out_text}{err}");
    let (code, s, _) = run(&["stats", o, "--json"]);
    assert_eq!(code, 0);
    let by = &json(&s)["by_variant"];
    let kept: u64 = by
        .as_object()
        .expect("by_variant")
        .values()
        .map(|v| v["kept"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(kept as usize, variants.len());
    // Unknown names and a share out of range are refused with the reason.
    let (code, _, err) = run(&["generate", "--out", o, "--n", "1", "--variants", "nope"]);
    assert_ne!(code, 0);
    assert!(err.contains("unknown variant"), "{err}");
    let (code, _, err) = run(&["generate", "--out", o, "--n", "1", "--variant-share", "1.5"]);
    assert_ne!(code, 0);
    assert!(err.contains("--variant-share"), "{err}");
}

#[test]
fn verify_loads_the_world_a_run_was_generated_on() {
    // A world of four built-in domains in a directory of its own.
    let dir = tempfile::tempdir().expect("tempdir");
    let world = dir.path().join("world");
    std::fs::create_dir(&world).expect("mkdir");
    let domains =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/src/world/domains");
    for d in ["contacts", "banking", "messaging", "library"] {
        let f = format!("{d}.json");
        std::fs::copy(domains.join(&f), world.join(&f)).expect("copy domain");
    }
    let out = dir.path().join("out");
    let (w, o) = (world.to_string_lossy(), out.to_string_lossy());
    let (code, _, err) = run(&[
        "--world", &w, "generate", "--out", &o, "--n", "12", "--seed", "2",
    ]);
    assert_eq!(code, 0, "{err}");
    let config = json(&std::fs::read_to_string(out.join("config.json")).expect("config"));
    let recorded = config["world"]
        .as_str()
        .expect("config.json names the world");
    assert!(recorded.ends_with("world"), "{recorded}");
    // Without --world, verify uses the recorded world: every record verifies.
    let (code, text, err) = run(&["verify", &o]);
    assert_eq!(code, 0, "{text}{err}");
    let kept = lines_in(&out.join("records.jsonl"));
    assert!(kept > 0);
    assert!(
        text.contains(&format!("{kept} of {kept} records verify")),
        "{text}"
    );
    // Another world (the same domains but library) given explicitly fails the library records.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).expect("mkdir");
    for d in ["contacts", "banking", "messaging"] {
        let f = format!("{d}.json");
        std::fs::copy(domains.join(&f), other.join(&f)).expect("copy domain");
    }
    let (code, text, _) = run(&["--world", &other.to_string_lossy(), "verify", &o]);
    assert!(text.contains("FAIL"), "{text}");
    assert_ne!(code, 0, "a world without the run's tools cannot verify it");
}

fn lines_in(p: &std::path::Path) -> usize {
    std::fs::read_to_string(p).map_or(0, |t| t.lines().count())
}
