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
