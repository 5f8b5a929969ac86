//! The model tier: a real small chat model (SmolLM2-135M-Instruct under llama.cpp's own
//! OpenAI-compatible server, from PyPI; see `scripts/model-env.sh`) on loopback rewrites the
//! queries of a short `hardgen generate` run. The model is tiny and fails often: this checks the
//! plumbing (every request answered, every rewrite checked, every rejection has a reason, kept
//! records re-verify), not its quality. Skipped, with the reason printed, when the environment
//! was not made.

use assert_cmd::Command;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The model tier's Python, if its environment exists.
fn python() -> Result<PathBuf, String> {
    let venv = std::env::var_os("HARDGEN_MODEL_VENV").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/model-venv"),
        PathBuf::from,
    );
    let py = venv.join("bin/python");
    if py.exists() {
        Ok(py)
    } else {
        Err(format!(
            "no model environment at {} (make it with scripts/model-env.sh)",
            venv.display()
        ))
    }
}

/// The server process; killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the model server and waits for its `ready URL` line.
fn start(py: &PathBuf) -> (Server, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/model_server.py");
    let mut child = std::process::Command::new(py)
        .arg(script)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("model server starts");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("ready ") {
                let _ = tx.send(url.to_string());
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the model server is ready within 2 minutes");
    (server, url)
}

/// Runs `hardgen generate` with the model in `roles` and checks the plumbing; returns
/// (kept, rejected).
fn run(url: &str, n: u64, extra: &[&str]) -> (u64, u64) {
    let tmp = tempfile::tempdir().expect("tmp");
    let t = Instant::now();
    let out = Command::cargo_bin("hardgen")
        .expect("binary")
        .args([
            "generate",
            "--seed",
            "11",
            "--jobs",
            "1",
            "--n",
            &n.to_string(),
        ])
        .arg("--out")
        .arg(tmp.path())
        .args([
            "--llm-base-url",
            url,
            "--llm-model",
            "SmolLM2-135M-Instruct",
        ])
        .args([
            "--llm-timeout",
            "120",
            "--llm-max-retries",
            "2",
            "--llm-temperature",
            "0.2",
        ])
        .args(extra)
        .env_remove("OPENAI_API_KEY")
        .env_remove("HARDGEN_API_KEY")
        .output()
        .expect("runs");
    eprintln!("model tier: generate {extra:?} took {:?}", t.elapsed());
    // Every request was answered: the run finished.
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("summary.json")).expect("summary"),
    )
    .expect("JSON");
    let kept = summary["kept"].as_u64().expect("kept");
    let rejected: u64 = summary["rejected"]
        .as_object()
        .expect("rejected")
        .values()
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert_eq!(kept + rejected, n, "{summary}");
    // Every rejection names its stage and reason; the query writer's name the model.
    let rej = std::fs::read_to_string(tmp.path().join("rejected.jsonl")).expect("rejected");
    for line in rej.lines() {
        let r: serde_json::Value = serde_json::from_str(line).expect("JSON");
        assert!(r["stage"].is_string() && r["reason"].is_string(), "{r}");
        if r["stage"] == "query_writer" {
            assert!(
                r["detail"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("SmolLM2-135M-Instruct: ")),
                "{r}"
            );
        }
    }
    // Kept records name the model and re-verify.
    let role = if extra.contains(&"reasoner") {
        "reasoner"
    } else {
        "query_writer"
    };
    let recs = std::fs::read_to_string(tmp.path().join("records.jsonl")).expect("records");
    for line in recs.lines() {
        let r: serde_json::Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(r["generator"][role], "SmolLM2-135M-Instruct");
        eprintln!("model tier record: {line}");
    }
    let verify = Command::cargo_bin("hardgen")
        .expect("binary")
        .arg("verify")
        .arg(tmp.path())
        .output()
        .expect("runs");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    eprintln!("model tier: {extra:?}: {kept} kept, {rejected} rejected");
    (kept, rejected)
}

#[test]
fn a_real_small_model_writes_queries_and_reasons_end_to_end() {
    let py = match python() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("model tier SKIPPED: {why}");
            return;
        }
    };
    let (_server, url) = start(&py);
    // Few items and one draw each: the model answers in seconds, but an agent loop makes up
    // to 3 attempts of several turns.
    run(&url, 4, &["--llm-roles", "query_writer", "--tries", "1"]);
    // The reasoner in constrained mode: each step is JSON-schema output naming an offered tool.
    run(
        &url,
        1,
        &[
            "--llm-roles",
            "reasoner",
            "--llm-tool-mode",
            "constrained",
            "--max-calls",
            "2",
            "--tries",
            "1",
        ],
    );
}
