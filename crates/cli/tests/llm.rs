//! `hardgen llm bench` against a scripted local endpoint started by the test.

use assert_cmd::Command;
use hardgen_llm::mock::{MockServer, Step};
use std::time::Duration;

#[test]
fn llm_bench_prints_its_figures_as_json() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = rt
        .block_on(MockServer::start(
            vec![Step::Status(429, Some(0))],
            Duration::from_millis(2),
        ))
        .expect("mock server");
    let out = Command::cargo_bin("hardgen")
        .expect("binary")
        .args([
            "llm",
            "bench",
            "--base-url",
            &server.base_url(),
            "--model",
            "m",
        ])
        .args(["--concurrency", "4", "--requests", "20", "--json"])
        .env_remove("OPENAI_API_KEY")
        .env_remove("HARDGEN_API_KEY")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for k in ["rps", "p50_ms", "p99_ms", "errors", "retries", "cpu_s"] {
        assert!(
            v.get(k).is_some_and(|x| x.is_number()),
            "{k} missing in {v}"
        );
    }
    assert_eq!(v["errors"], 0);
    assert_eq!(v["retries"], 1);
    assert_eq!(server.served(), 21);
}

#[test]
fn llm_bench_reports_an_unreachable_endpoint() {
    let out = Command::cargo_bin("hardgen")
        .expect("binary")
        .args([
            "llm",
            "bench",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--model",
            "m",
        ])
        .args(["--requests", "2", "--max-retries", "0", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["errors"], 2);
}

/// A server on its own runtime (kept alive by the returned handle).
fn serve(script: Vec<Step>) -> (tokio::runtime::Runtime, MockServer) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = rt
        .block_on(MockServer::start(script, Duration::ZERO))
        .expect("mock server");
    (rt, server)
}

fn generate(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    Command::cargo_bin("hardgen")
        .expect("binary")
        .args([
            "generate",
            "--n",
            "1",
            "--seed",
            "5",
            "--tries",
            "1",
            "--world-seeds",
            "1",
        ])
        .arg("--out")
        .arg(dir)
        .args(extra)
        .env_remove("OPENAI_API_KEY")
        .env_remove("HARDGEN_API_KEY")
        .env_remove("HARDGEN_LLM_BASE_URL")
        .env_remove("HARDGEN_LLM_MODEL")
        .output()
        .expect("runs")
}

fn first_line(path: std::path::PathBuf) -> serde_json::Value {
    let text = std::fs::read_to_string(&path).expect("file");
    serde_json::from_str(text.lines().next().expect("a line")).expect("JSON")
}

#[test]
fn the_model_rewrites_queries_and_a_failed_rewrite_is_retried_with_the_problem() {
    let tmp = tempfile::tempdir().expect("tmp");
    // The offline query of the same item: a rewrite the checks accept.
    let offline = tmp.path().join("offline");
    assert!(generate(&offline, &[]).status.success());
    let rec = first_line(offline.join("records.jsonl"));
    let query = rec["rounds"][0]["query"]
        .as_str()
        .expect("query")
        .to_string();

    let (_rt, server) = serve(vec![
        Step::Reply("Hello there.".into()),
        Step::Reply(query.clone()),
    ]);
    let out_dir = tmp.path().join("llm");
    let out = generate(
        &out_dir,
        &[
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "mock-model",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rec = first_line(out_dir.join("records.jsonl"));
    assert_eq!(rec["generator"]["query_writer"], "mock-model");
    assert_eq!(rec["rounds"][0]["query"], query.as_str());
    assert_eq!(server.served(), 2);
    let bodies = server.bodies();
    assert!(
        bodies[0].contains("\"model\":\"mock-model\""),
        "{}",
        bodies[0]
    );
    assert!(bodies[1].contains("was rejected"), "{}", bodies[1]);
    let config = std::fs::read_to_string(out_dir.join("config.json")).expect("config");
    assert!(config.contains("\"model\": \"mock-model\""), "{config}");
    let verify = Command::cargo_bin("hardgen")
        .expect("binary")
        .arg("verify")
        .arg(&out_dir)
        .output()
        .expect("runs");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn a_rewrite_that_fails_twice_is_rejected_with_the_checks_reason() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_rt, server) = serve(vec![
        Step::Reply("Hi.".into()),
        Step::Reply("Hi again.".into()),
    ]);
    let out = generate(
        tmp.path(),
        &[
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "mock-model",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rej = first_line(tmp.path().join("rejected.jsonl"));
    assert_eq!(rej["stage"], "query_writer");
    assert_eq!(rej["reason"], "incomplete");
    assert!(
        rej["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("mock-model: ")),
        "{rej}"
    );
    assert_eq!(server.served(), 2);
}

#[test]
fn an_unreachable_model_stops_the_run_with_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_rt, server) = serve(vec![Step::Status(500, None); 10]);
    let out = generate(
        tmp.path(),
        &[
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "mock-model",
            "--llm-max-retries",
            "1",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("query_writer (mock-model)") && err.contains("HTTP 500"),
        "{err}"
    );
    assert!(err.contains(&server.base_url()), "{err}");
    // Nothing was rejected for it: a server failure is not a property of the sample.
    let rejected = std::fs::read_to_string(tmp.path().join("rejected.jsonl")).unwrap_or_default();
    assert!(rejected.is_empty(), "{rejected}");
}

#[test]
fn a_rerun_is_answered_from_the_cache_and_gives_the_same_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let offline = tmp.path().join("offline");
    assert!(generate(&offline, &[]).status.success());
    let query = first_line(offline.join("records.jsonl"))["rounds"][0]["query"]
        .as_str()
        .expect("query")
        .to_string();
    let (_rt, server) = serve(vec![Step::Reply(query)]);
    let dir = tmp.path().join("llm");
    let args = [
        "--llm-base-url",
        &server.base_url(),
        "--llm-model",
        "mock-model",
    ];
    assert!(generate(&dir, &args).status.success());
    let first = std::fs::read(dir.join("records.jsonl")).expect("records");
    assert!(dir.join("llm-cache.sqlite").exists());
    assert!(generate(&dir, &args).status.success());
    assert_eq!(server.served(), 1, "the rerun asked the server again");
    assert_eq!(
        std::fs::read(dir.join("records.jsonl")).expect("records"),
        first
    );
}
