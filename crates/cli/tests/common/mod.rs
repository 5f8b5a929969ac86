//! Helpers the CLI's model tests share: the binary with no model settings from the environment,
//! a scripted local endpoint, the one-item run they all start from, and readers of run files.
#![allow(dead_code)] // each test file uses its own subset

use assert_cmd::Command;
use hardgen_llm::mock::{MockServer, Step};
use hardgen_llm::server::Responder;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// `hardgen`, with no key, endpoint or config file taken from the environment.
pub fn hardgen() -> Command {
    let mut c = Command::cargo_bin("hardgen").expect("binary");
    for k in [
        "OPENAI_API_KEY",
        "HARDGEN_API_KEY",
        "HARDGEN_LLM_BASE_URL",
        "HARDGEN_LLM_MODEL",
        "HARDGEN_CONFIG",
        "HARDGEN_WORLD",
    ] {
        c.env_remove(k);
    }
    c
}

/// Runs `hardgen ARGS` (as [`hardgen`] sets it up): (exit code, stdout, stderr).
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = hardgen().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `hardgen ARGS`, which must succeed, and reads its stdout as JSON.
pub fn run_json<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> serde_json::Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// The built-in oracle policy as a responder.
pub fn oracle() -> Arc<dyn Responder> {
    Arc::new(hardgen_synth::policy::PolicyResponder::new(
        hardgen_synth::policy::PolicyKind::Oracle,
    ))
}

/// A scripted endpoint on its own runtime (kept alive by the returned handle); `Answer` steps
/// are `responder`'s answers when one is given.
pub fn mock(
    script: Vec<Step>,
    responder: Option<Arc<dyn Responder>>,
) -> (tokio::runtime::Runtime, MockServer) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = rt
        .block_on(MockServer::start_with(script, Duration::ZERO, responder))
        .expect("mock server");
    (rt, server)
}

/// `hardgen generate` of the one test item (seed 5, one try, one world, no cross-domain
/// quota) into `dir`.
pub fn generate_one(dir: &Path, extra: &[&str]) -> std::process::Output {
    hardgen()
        .args(["generate", "--n", "1", "--seed", "5", "--tries", "1"])
        .args(["--world-seeds", "1"])
        // The one item is kept whatever domains it spans: the quota is a property of a run.
        .args(["--cross-domain-share", "1"])
        .arg("--out")
        .arg(dir)
        .args(extra)
        .output()
        .expect("runs")
}

/// The first JSON line of a file.
pub fn first_line(path: impl AsRef<Path>) -> serde_json::Value {
    let text = std::fs::read_to_string(path.as_ref()).expect("file");
    serde_json::from_str(text.lines().next().expect("a line")).expect("JSON")
}

/// Every JSON line of a file (none if it is missing).
pub fn lines(path: impl AsRef<Path>) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

/// A run's `summary.json`.
pub fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
        .expect("JSON")
}

/// `hardgen verify DIR` accepts every record.
pub fn verifies(dir: &Path) {
    let out = hardgen().arg("verify").arg(dir).output().expect("verify");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A running `hardgen serve`, killed on drop.
pub struct Served {
    child: Child,
    /// Base URL, ending in /v1.
    pub url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `hardgen serve --policy POLICY` on a free loopback port.
pub fn hardgen_serve(policy: &str) -> Served {
    let bin = assert_cmd::cargo::cargo_bin("hardgen");
    let mut child = std::process::Command::new(bin)
        .args(["serve", "--policy", policy, "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .split_whitespace()
        .nth(1)
        .expect("listening URL")
        .to_string();
    assert!(line.contains("not a language model"), "{line}");
    Served { child, url }
}
