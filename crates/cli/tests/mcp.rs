//! The MCP tier: generation, verification, traces and graph inference over real MCP servers that
//! the tests start themselves: the project's stateful office server (`tests/mcp/server.py`, 22
//! tools plus reset and state tools, over stdio and streamable HTTP, with modes that crash, hang
//! or write garbage on purpose) and a published third-party server
//! (`@modelcontextprotocol/server-memory` from npm), for which no code was written. Both are
//! installed by `scripts/mcp-env.sh`; without them each test says SKIPPED and why.

mod common;

use common::{run, run_json};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The tier's Python, if its environment exists.
fn python() -> Result<PathBuf, String> {
    let venv = std::env::var_os("HARDGEN_MCP_VENV")
        .map_or_else(|| root().join("target/mcp-venv"), PathBuf::from);
    let py = venv.join("bin/python");
    if py.exists() {
        Ok(py)
    } else {
        Err(format!(
            "no MCP environment at {} (make it with scripts/mcp-env.sh)",
            venv.display()
        ))
    }
}

/// The office server as a `--tools` source: `env` settings go before the command, `options`
/// after it.
fn office(env: &str, options: &str) -> Option<String> {
    let py = match python() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("mcp tier: SKIPPED: {why}");
            return None;
        }
    };
    let server = root().join("tests/mcp/server.py");
    let cmd = format!("{env} {} {}", py.display(), server.display());
    let cmd = if env.is_empty() {
        cmd.trim().to_string()
    } else {
        format!("env {}", cmd.trim())
    };
    Some(format!("mcp+stdio:\"{cmd}\"{options}"))
}

fn records(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("records.jsonl"))
        .expect("records")
        .lines()
        .map(|l| serde_json::from_str(l).expect("record JSON"))
        .collect()
}

/// `hardgen generate --tools SOURCE --n N` into a new directory; returns it with the summary.
fn generate(source: &str, n: u32, extra: &[&str]) -> (tempfile::TempDir, Value) {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().to_string_lossy().into_owned();
    let n = n.to_string();
    let mut args = vec![
        "generate", "--tools", source, "--n", &n, "--seed", "1", "--out", &out,
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "generate failed:\n{stdout}\n{stderr}");
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("summary.json")).expect("summary"),
    )
    .expect("summary JSON");
    (dir, summary)
}

/// `hardgen verify DIR`: (exit code, stdout + stderr).
fn verify(dir: &Path) -> (i32, String) {
    let (code, out, err) = run(&["verify", &dir.to_string_lossy()]);
    (code, format!("{out}{err}"))
}

#[test]
fn office_server_alone_gives_records_that_reverify_on_a_fresh_server() {
    let Some(src) = office("", ";reset=reset_state;state=state_digest") else {
        return;
    };
    let (dir, summary) = generate(&src, 10, &[]);
    let kept = summary["kept"].as_u64().expect("kept");
    assert!(kept >= 8, "kept {kept} of 10: {summary}");
    let recs = records(dir.path());
    let tools: Vec<&str> = [
        "create_folder",
        "write_file",
        "send_message",
        "book_room",
        "list_bookings",
    ]
    .to_vec();
    let mut multi_step = 0;
    for r in &recs {
        assert_eq!(r["generator"]["executor"], "mcp", "{r}");
        assert_eq!(r["generator"]["digest_source"], "state_tool", "{r}");
        assert_eq!(r["domains"][0], "hardgen_test_office");
        for t in r["tools"].as_array().expect("tools") {
            let name = t["function"]["name"].as_str().or(t["name"].as_str());
            // The reset and state tools run the harness, they are never offered.
            assert!(!matches!(name, Some("reset_state" | "state_digest")), "{t}");
        }
        let gold = r["rounds"][0]["gold"].as_array().expect("gold");
        if gold.len() >= 2 {
            multi_step += 1;
        }
        for c in gold {
            // Every value was produced by the server: ids have its prefixes.
            assert!(c["result"].is_object(), "{c}");
        }
    }
    assert!(multi_step >= 5, "{multi_step} multi-step records");
    let all = serde_json::to_string(&recs).expect("json");
    assert!(
        tools.iter().any(|t| all.contains(&format!("\"{t}\""))),
        "the office tools appear"
    );
    let (code, out) = verify(dir.path());
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("{kept} of {kept} records verify")),
        "{out}"
    );

    // A result the server would not give again is caught by re-execution.
    let path = dir.path().join("records.jsonl");
    let text = std::fs::read_to_string(&path).expect("records");
    let first = text.lines().next().expect("a record");
    let mut rec: Value = serde_json::from_str(first).expect("json");
    let gold = rec["rounds"][0]["gold"].as_array_mut().expect("gold");
    let step = gold.last_mut().expect("a call");
    step["result"] = serde_json::json!({"forged": true});
    let tampered = text.replacen(first, &rec.to_string(), 1);
    std::fs::write(&path, tampered).expect("write");
    let (code, out) = verify(dir.path());
    assert_ne!(code, 0, "a forged result must not verify: {out}");
}

#[test]
fn traces_on_the_office_server_are_executed_calls() {
    let Some(src) = office("", ";reset=reset_state") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("t.jsonl");
    let (code, _, err) = run(&[
        "traces",
        "--tools",
        &src,
        "--n",
        "6",
        "--seed",
        "2",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out).expect("traces");
    let mut chained = 0;
    for line in text.lines() {
        let t: Value = serde_json::from_str(line).expect("trace");
        assert!(t.get("guarantee").is_none(), "executed, not simulated: {t}");
        for c in t["calls"].as_array().expect("calls") {
            assert!(c["result"].is_object() || c["error"].is_object(), "{c}");
            if c["provenance"].as_object().is_some_and(|p| {
                p.values()
                    .any(|v| v.as_str().is_some_and(|s| s.starts_with("step:")))
            }) {
                chained += 1;
            }
        }
    }
    assert!(
        chained >= 3,
        "{chained} calls take an earlier result:\n{text}"
    );
}

#[test]
fn inferred_dependencies_match_the_hand_labelled_ones() {
    let Some(src) = office("", ";reset=reset_state;state=state_digest") else {
        return;
    };
    let truth = root().join("tests/mcp/deps.json");
    let s = run_json(&[
        "graph",
        "stats",
        "--json",
        "--tools",
        &src,
        "--truth",
        &truth.to_string_lossy(),
    ]);
    assert_eq!(s["nodes"], 22, "{s}");
    let p = s["precision"].as_f64().expect("precision");
    let r = s["recall"].as_f64().expect("recall");
    assert!(p >= 0.95, "precision {p}: {s}");
    assert!(r >= 0.85, "recall {r}: {s}");
}

/// Generation on a server that fails on purpose once, on a call of the first items (the failing
/// call's number is counted across processes in a file, past the calls that harvest values at
/// start-up), finishes, records what happened, and its records still verify.
fn survives(mode: &str, options: &str) {
    let tmp = tempfile::tempdir().expect("tmp");
    let counter = tmp.path().join("calls");
    let env = format!("OFFICE_FAIL_COUNTER={}", counter.display());
    let Some(src) = office(&env, options) else {
        return;
    };
    // How many calls start-up makes (no items).
    generate(&src, 0, &["--jobs", "1"]);
    let start_up: u64 = std::fs::read_to_string(&counter)
        .expect("counter")
        .trim()
        .parse()
        .expect("a count");
    std::fs::remove_file(&counter).expect("reset the counter");
    let Some(src) = office(
        &format!("{env} OFFICE_FAIL={mode}:{}", start_up + 12),
        options,
    ) else {
        return;
    };
    let (dir, summary) = generate(&src, 5, &["--jobs", "1"]);
    let kept = summary["kept"].as_u64().expect("kept");
    assert!(kept >= 4, "kept {kept} of 5 with {mode}: {summary}");
    let events: Vec<String> = records(dir.path())
        .iter()
        .flat_map(|r| {
            r["generator"]["executor_events"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|e| e.as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        events.iter().any(|e| e.contains("restarted the server")),
        "{mode}: no restart recorded: {events:?}"
    );
    let (code, out) = verify(dir.path());
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_server_that_crashes_is_restarted_and_the_call_retried() {
    survives("crash", ";reset=reset_state");
}

#[test]
fn a_server_that_hangs_is_restarted_after_the_timeout() {
    survives("hang", ";reset=reset_state;timeout=2");
}

#[test]
fn a_server_that_writes_garbage_is_restarted() {
    survives("garbage", ";reset=reset_state");
}

#[test]
fn without_a_reset_tool_each_trajectory_gets_a_fresh_process_in_a_fresh_workdir() {
    // The store lives in the working directory: a process that reused another's directory
    // would see the earlier trajectory's changes and fail re-verification.
    let Some(src) = office("OFFICE_STORE={workdir}/office.json", ";pool=1") else {
        return;
    };
    let (dir, summary) = generate(&src, 4, &[]);
    assert!(summary["kept"].as_u64() >= Some(3), "{summary}");
    for r in records(dir.path()) {
        assert_eq!(r["generator"]["digest_source"], "call_sequence");
    }
    let (code, out) = verify(dir.path());
    assert_eq!(code, 0, "{out}");
}

/// The office server over streamable HTTP; killed when dropped.
struct Http(Child);

impl Drop for Http {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn streamable_http_server_with_a_reset_tool() {
    let py = match python() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("mcp tier: SKIPPED: {why}");
            return;
        }
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = std::process::Command::new(py)
        .arg(root().join("tests/mcp/server.py"))
        .args(["--http", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let stderr = child.stderr.take().expect("stderr");
    let _server = Http(child);
    // Drain the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
    let url = format!("http://127.0.0.1:{port}/mcp");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "no HTTP server");
        std::thread::sleep(Duration::from_millis(100));
    }
    let src = format!("mcp+http:{url};reset=reset_state;state=state_digest");
    let (dir, summary) = generate(&src, 4, &["--jobs", "1"]);
    assert!(summary["kept"].as_u64() >= Some(3), "{summary}");
    let (code, out) = verify(dir.path());
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_published_server_works_with_no_code_written_for_it() {
    let js = std::env::var_os("HARDGEN_MCP_NODE")
        .map_or_else(|| root().join("target/mcp-node"), PathBuf::from)
        .join("node_modules/@modelcontextprotocol/server-memory/dist/index.js");
    if !js.exists() {
        eprintln!(
            "mcp tier: third-party server SKIPPED: {} is missing (scripts/mcp-env.sh installs it)",
            js.display()
        );
        return;
    }
    let src = format!(
        "mcp+stdio:\"env MEMORY_FILE_PATH={{workdir}}/memory.jsonl node {}\"",
        js.display()
    );
    let (dir, summary) = generate(&src, 4, &[]);
    assert!(summary["kept"].as_u64() >= Some(2), "{summary}");
    let (code, out) = verify(dir.path());
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_server_mixes_with_the_built_in_world_when_its_names_are_prefixed() {
    let Some(plain) = office("", ";reset=reset_state") else {
        return;
    };
    // Both have `create_contact`: the clash is named, and the way out.
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("x").to_string_lossy().into_owned();
    let (code, _, err) = run(&[
        "generate", "--tools", "builtin", "--tools", &plain, "--n", "1", "--out", &out,
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("create_contact") && err.contains("prefix"),
        "{err}"
    );
    let src = format!("{plain};prefix=office_");
    let (dir, summary) = generate(&src, 6, &["--tools", "builtin"]);
    assert!(summary["kept"].as_u64() >= Some(5), "{summary}");
    for r in records(dir.path()) {
        assert_eq!(r["generator"]["executor"], "builtin+mcp", "{r}");
    }
    let (code, out) = verify(dir.path());
    assert_eq!(code, 0, "{out}");
    // The graph and traces take the same mixed sources.
    let stats = run_json(&[
        "graph", "stats", "--json", "--tools", "builtin", "--tools", &src,
    ]);
    let nodes = stats["nodes"].as_u64().unwrap_or(0);
    let builtin = run_json(&["graph", "stats", "--json"])["nodes"]
        .as_u64()
        .unwrap_or(0);
    // The server's 24 tools less its reset tool, which is never offered.
    assert_eq!(nodes, builtin + 23, "{stats}");
    let traces = dir.path().join("t.jsonl");
    let (code, _, err) = run(&[
        "traces",
        "--tools",
        "builtin",
        "--tools",
        &src,
        "--n",
        "40",
        "--target",
        "office_reply_to_message",
        "--out",
        &traces.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&traces).expect("traces");
    assert_eq!(text.lines().count(), 40);
    assert!(
        text.contains("\"office_send_message\""),
        "the server's tools run"
    );
}

#[test]
fn execution_refines_the_inferred_dependencies() {
    let Some(src) = office("", ";reset=reset_state;state=state_digest") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let refined = dir.path().join("refined.json");
    let (code, _, err) = run(&[
        "traces",
        "--tools",
        &src,
        "--n",
        "120",
        "--seed",
        "3",
        "--out",
        &dir.path().join("t.jsonl").to_string_lossy(),
        "--graph-out",
        &refined.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let truth = root().join("tests/mcp/deps.json");
    let stats = |extra: &[&str]| {
        let mut args = vec![
            "graph".to_string(),
            "stats".into(),
            "--json".into(),
            "--tools".into(),
            src.clone(),
            "--truth".into(),
            truth.to_string_lossy().into_owned(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        run_json(&args)
    };
    let schema = stats(&[]);
    let after = stats(&["--graph", &refined.to_string_lossy()]);
    let (r0, r1) = (
        schema["recall"].as_f64().expect("recall"),
        after["recall"].as_f64().expect("recall"),
    );
    // Arrays of ids (`attendee_contact_ids`) carry no name a schema match can see; values that
    // one tool returned and another accepted find them.
    assert!(r1 > r0 + 0.02, "recall {r0} -> {r1}");
    assert!(after["precision"].as_f64() >= Some(0.95), "{after}");
}

#[test]
fn probe_runs_on_the_office_server_and_takes_tool_names_beside_it() {
    let Some(src) = office("", ";reset=reset_state;state=state_digest") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("probe.json");
    // One --tools value: the source (its options hold no comma here) and two tool names.
    let tools = format!("{src},send_message,book_room");
    let (code, _, err) = run(&[
        "probe",
        "--target",
        "baseline",
        "--reference",
        "oracle",
        "--tools",
        &tools,
        "--per-tool",
        "2",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let report = std::fs::read_to_string(&out).expect("report");
    assert!(
        report.contains("send_message") && report.contains("book_room"),
        "{report}"
    );
    assert!(
        !report.contains("\"archive_message\""),
        "only the named tools: {report}"
    );
}
