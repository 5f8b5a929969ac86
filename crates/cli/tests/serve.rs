//! `hardgen serve` (the built-in policies behind an OpenAI-compatible endpoint) and whole
//! `hardgen generate` runs whose model roles are pointed at it over loopback, also through a
//! connection that misbehaves on purpose.

mod common;

use common::{hardgen, hardgen_serve, lines, mock, oracle, summary, verifies};
use hardgen_llm::mock::Step;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

/// A raw HTTP/1.1 GET (the tests need no HTTP client for two reads).
fn get(url: &str) -> (u16, serde_json::Value) {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut s = std::net::TcpStream::connect(host).expect("connect");
    write!(
        s,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or_default())
}

fn generate(dir: &Path, n: &str, extra: &[&str]) -> std::process::Output {
    hardgen()
        .args(["generate", "--n", n, "--seed", "3", "--world-seeds", "1"])
        .arg("--out")
        .arg(dir)
        .args(extra)
        .output()
        .expect("runs")
}

/// Every item is kept or rejected with a stage and a reason; kept records re-verify.
fn assert_complete(dir: &Path, items: usize) -> (Vec<serde_json::Value>, serde_json::Value) {
    let records = lines(dir.join("records.jsonl"));
    let rejected = lines(dir.join("rejected.jsonl"));
    assert_eq!(records.len() + rejected.len(), items, "an item was lost");
    for r in &rejected {
        assert!(
            r["stage"].as_str().is_some_and(|s| !s.is_empty())
                && r["reason"].as_str().is_some_and(|s| !s.is_empty()),
            "{r}"
        );
    }
    verifies(dir);
    (records, summary(dir))
}

#[test]
fn serve_lists_its_model_and_answers_health() {
    let s = hardgen_serve("baseline");
    let (status, models) = get(&format!("{}/models", s.url));
    assert_eq!(status, 200);
    assert_eq!(models["data"][0]["id"], "hardgen-baseline");
    let (status, health) = get(&format!("{}/health", s.url.trim_end_matches("/v1")));
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
}

#[test]
fn every_role_pointed_at_hardgen_serve_gives_a_dataset_that_verifies() {
    let s = hardgen_serve("oracle");
    let tmp = tempfile::tempdir().expect("tmp");
    for mode in ["native", "constrained", "text"] {
        let dir = tmp.path().join(mode);
        let out = generate(
            &dir,
            "12",
            &[
                "--llm-base-url",
                &s.url,
                "--llm-model",
                "hardgen-oracle",
                "--llm-tool-mode",
                mode,
            ],
        );
        assert!(
            out.status.success(),
            "{mode}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (records, summary) = assert_complete(&dir, 12);
        assert!(!records.is_empty(), "{mode}: the oracle kept nothing");
        for r in &records {
            assert_eq!(r["generator"]["reasoner"], "hardgen-oracle", "{mode}");
            assert_eq!(r["generator"]["query_writer"], "hardgen-oracle", "{mode}");
            assert_eq!(r["generator"]["tool_maker"], "hardgen-oracle", "{mode}");
            assert_eq!(r["generator"]["verifier"], "hardgen-oracle", "{mode}");
        }
        assert!(
            summary["llm"]["requests"].as_u64().unwrap_or(0) > 12,
            "{summary}"
        );
        assert_eq!(summary["llm"]["errors"], 0, "{summary}");
    }
}

#[test]
fn a_misbehaving_server_still_yields_a_complete_run_and_counts_its_retries() {
    let bad_call = serde_json::json!({"role": "assistant", "content": null, "tool_calls": [
        {"id": "x", "type": "function", "function": {"name": "search_shows", "arguments": "{\"genre\": "}}]});
    // A tool that is never offered: it must not run, and the attempt must not be kept.
    let stray_call = serde_json::json!({"role": "assistant", "content": null, "tool_calls": [
        {"id": "y", "type": "function", "function": {"name": "drop_all_tables", "arguments": "{}"}}]});
    // Transport failures (retried by the client) and invalid tool calls (model errors the
    // reasoner's next attempt absorbs), spread over the run; the rest is the oracle's answer.
    let mut script = Vec::new();
    for bad in [
        Step::Status(429, Some(1)),
        Step::Status(500, None),
        Step::Stall(Duration::from_secs(10)),
        Step::Truncate,
        Step::Drop,
        Step::NotJson,
        Step::Message(bad_call),
        Step::Message(stray_call),
    ] {
        script.push(bad);
        script.extend(std::iter::repeat_n(Step::Answer, 5));
    }
    let (_rt, server) = mock(script, Some(oracle()));
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("run");
    let out = generate(
        &dir,
        "6",
        &[
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "hardgen-oracle",
            "--llm-timeout",
            "2",
            "--llm-no-cache",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, summary) = assert_complete(&dir, 6);
    // 429, 500, the stall (timed out), the cut body, the dropped connection, the non-JSON body.
    assert!(
        summary["llm"]["retries"].as_u64().unwrap_or(0) >= 6,
        "{summary}"
    );
    assert_eq!(summary["llm"]["errors"], 0, "{summary}");
    assert!(server.served() > 6 * 6, "the whole script was not reached");
}
