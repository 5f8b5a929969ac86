//! `--tools file:PATH:simulated`: traces over a spec collection with no executor of its own.

mod common;

use common::hardgen;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn specs() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tasks_specs.json")
        .display()
        .to_string()
}

fn traces(extra: &[&str]) -> (i32, String, String) {
    let source = format!("file:{}:simulated", specs());
    let out = hardgen()
        .args([
            "traces", "--tools", &source, "--n", "24", "--seed", "5", "--rounds", "2",
        ])
        .args(extra)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn simulated_traces_chain_ids_and_say_so() {
    let (code, out, err) = traces(&["--jobs", "1"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 24);
    let mut chained = 0;
    let mut reached = 0;
    for t in &lines {
        assert_eq!(t["guarantee"], "simulated", "{t}");
        reached += t["reached"]
            .as_array()
            .expect("reached")
            .iter()
            .filter(|r| r.as_bool() == Some(true))
            .count();
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
    let (code2, out2, _) = traces(&["--jobs", "2"]);
    assert_eq!(code2, 0);
    assert_eq!(out, out2);
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
fn a_spec_file_without_simulated_or_an_mcp_source_is_refused_clearly() {
    let file = format!("file:{}", specs());
    let out = hardgen()
        .args(["traces", "--tools", &file, "--n", "1"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(":simulated"), "{err}");
    let out = hardgen()
        .args(["traces", "--tools", "ftp:x", "--n", "1"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected builtin"));
    // The graph needs no executor: a plain file source is enough.
    let out = hardgen()
        .args(["graph", "stats", "--json", "--tools", &file])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["nodes"], 5);
    assert_eq!(v["reachable_tools"], 5);
}

#[test]
fn generation_on_simulated_tools_verifies_and_catches_a_tampered_record() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_dir = dir.path().join("run");
    let source = format!("file:{}:simulated", specs());
    let out = hardgen()
        .args([
            "generate", "--tools", &source, "--n", "16", "--seed", "4", "--out",
        ])
        .arg(&out_dir)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = common::lines(out_dir.join("records.jsonl"));
    assert!(records.len() >= 12, "kept {} of 16", records.len());
    for r in &records {
        assert_eq!(r["generator"]["executor"], "simulated", "{r}");
        let q = r["rounds"][0]["query"].as_str().expect("query");
        assert!(!q.contains("_id"), "{q}");
    }
    // `hardgen verify` rebuilds the simulated executor from the run's configuration.
    let ok = hardgen()
        .arg("verify")
        .arg(&out_dir)
        .output()
        .expect("runs");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    // A gold argument changed by hand no longer matches what re-execution gives.
    let path = out_dir.join("records.jsonl");
    let text = std::fs::read_to_string(&path).expect("records");
    let mut first: Value =
        serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
    let args = first["rounds"][0]["gold"][0]["arguments"]
        .as_object_mut()
        .expect("arguments");
    let key = args.keys().next().expect("an argument").clone();
    args.insert(key, Value::String("tampered".into()));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[0] = first.to_string();
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    let bad = hardgen()
        .arg("verify")
        .arg(&out_dir)
        .output()
        .expect("runs");
    assert!(!bad.status.success(), "a tampered record verified");
}

#[test]
fn inferred_edges_score_against_hand_labelled_dependencies() {
    let truth = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tasks_deps.json");
    let out = hardgen()
        .args([
            "graph",
            "stats",
            "--json",
            "--tools",
            &format!("file:{}", specs()),
        ])
        .arg("--truth")
        .arg(&truth)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    // 8 inferred edges, 7 of them true (a closed task is never assigned): every true one found.
    assert_eq!(v["true_edges"], 7);
    assert_eq!(v["edges"], 8);
    assert_eq!(v["precision"], 0.875);
    assert_eq!(v["recall"], 1.0);
}

#[test]
fn probe_runs_on_simulated_tools_and_still_takes_tool_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("probe.json");
    let source = format!("file:{}:simulated", specs());
    let out = hardgen()
        .args([
            "probe",
            "--target",
            "baseline",
            "--reference",
            "oracle",
            "--per-tool",
            "2",
        ])
        .args([
            "--tools",
            &format!("{source},create_task,close_task"),
            "--json",
            "--out",
        ])
        .arg(&report)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("JSON");
    let probed: Vec<&String> = v["tools"].as_object().expect("tools").keys().collect();
    assert_eq!(probed, ["close_task", "create_task"]);
    assert_eq!(v["tools"]["create_task"]["tasks"], 2);
}
