//! Crash safety: `hardgen generate` (model roles at `hardgen serve`) and `hardgen loop` (agents
//! at `hardgen serve`) are killed with SIGKILL at random moments, five times each, then resumed:
//! the files equal an uninterrupted run's byte for byte, no record is lost or duplicated, and
//! the model requests of all the runs together exceed the uninterrupted run's by at most what
//! was in flight at the kills.

mod common;

use common::{hardgen_serve, Served};
use std::io::{Read, Write};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

/// The server's request counters: (received, answered).
fn counts(s: &Served) -> (u64, u64) {
    let url = s.url.trim_end_matches("/v1");
    let rest = url.strip_prefix("http://").expect("http URL");
    let mut c = std::net::TcpStream::connect(rest).expect("connect");
    write!(
        c,
        "GET /health HTTP/1.1\r\nHost: {rest}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut text = String::new();
    c.read_to_string(&mut text).expect("read");
    let body = text.split("\r\n\r\n").nth(1).expect("body");
    let v: serde_json::Value = serde_json::from_str(body).expect("JSON");
    (
        v["received"].as_u64().expect("received"),
        v["served"].as_u64().expect("served"),
    )
}

fn total(servers: &[&Served]) -> (u64, u64) {
    servers
        .iter()
        .map(|s| counts(s))
        .fold((0, 0), |(a, b), (x, y)| (a + x, b + y))
}

fn run(args: &[String]) -> std::process::Output {
    common::hardgen().args(args).output().expect("runs")
}

/// When a killed run is cut: `Wait(d)` after starting, or `AfterLine(d)` after its first
/// progress line on stderr (so the kill lands in the work, not in the start-up).
#[derive(Clone, Copy)]
enum Moment {
    Wait(Duration),
    AfterLine(Duration),
}

/// Kills the command at moments drawn from `seed` until five kills have hit a running process
/// (at most ten starts), then lets it finish; returns the kills that hit and the server-side
/// in-flight count summed over them.
fn killed_then_resumed(
    args: &[String],
    servers: &[&Served],
    seed: u64,
    moment: &dyn Fn(u64) -> Moment,
) -> (usize, u64) {
    let mut x = seed;
    let mut hits = 0;
    let mut in_flight = 0;
    let bin = assert_cmd::cargo::cargo_bin("hardgen");
    for _ in 0..10 {
        if hits == 5 {
            break;
        }
        // A small LCG: the moments differ per kill and are the same on every test run.
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut child = std::process::Command::new(&bin)
            .args(args)
            .env_remove("HARDGEN_CONFIG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                let _ = tx.send(line);
            }
        });
        match moment(x >> 33) {
            Moment::Wait(d) => std::thread::sleep(d),
            Moment::AfterLine(d) => {
                let _ = rx.recv_timeout(Duration::from_secs(120));
                std::thread::sleep(d);
            }
        }
        if child.try_wait().expect("status").is_none() {
            let (r, s) = total(servers);
            child.kill().expect("SIGKILL");
            hits += 1;
            in_flight += r - s;
        }
        let _ = child.wait();
    }
    let out = run(args);
    assert!(
        out.status.success(),
        "resume: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (hits, in_flight)
}

fn same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let x = std::fs::read(a.join(f)).expect("file");
        let y = std::fs::read(b.join(f)).expect("file");
        assert!(x == y, "{f} differs after the kills");
    }
}

fn no_duplicates(path: &Path) -> usize {
    let recs = common::lines(path);
    let mut ids: Vec<String> = recs
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "a record is duplicated");
    n
}

#[test]
fn generate_survives_kill_9_and_resumes_to_the_same_files() {
    let s = hardgen_serve("oracle");
    let tmp = tempfile::tempdir().expect("tmp");
    let jobs = 2;
    let args = |dir: &Path| -> Vec<String> {
        [
            "generate",
            "--n",
            "40",
            "--seed",
            "3",
            "--jobs",
            "2",
            "--llm-base-url",
            &s.url,
            "--llm-model",
            "hardgen-oracle",
            "--out",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([dir.display().to_string()])
        .collect()
    };
    let (r0, _) = counts(&s);
    let whole = tmp.path().join("whole");
    let clock = std::time::Instant::now();
    let out = run(&args(&whole));
    let took = clock.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (r1, _) = counts(&s);
    let uninterrupted = r1 - r0;
    let cut = tmp.path().join("cut");
    let (hits, in_flight) = killed_then_resumed(&args(&cut), &[&s], 7, &|r| {
        // Anywhere in the first half of an uninterrupted run's time.
        let span = u64::try_from(took.as_millis()).unwrap_or(u64::MAX).max(200);
        Moment::Wait(Duration::from_millis(span / 20 + r % (span / 2)))
    });
    let (r2, _) = counts(&s);
    let all_runs = r2 - r1;
    assert_eq!(hits, 5, "only {hits} kills hit a running process");
    same_files(
        &whole,
        &cut,
        &["records.jsonl", "rejected.jsonl", "openai.jsonl"],
    );
    assert_eq!(
        no_duplicates(&cut.join("records.jsonl")),
        no_duplicates(&whole.join("records.jsonl"))
    );
    // Lost to a kill: requests the server was answering, or answered but not yet stored by the
    // client (at most one per worker).
    let allowed = uninterrupted + in_flight + hits as u64 * jobs;
    assert!(
        all_runs <= allowed,
        "{all_runs} requests over the killed runs and the resume; uninterrupted {uninterrupted}, in flight at kills {in_flight}, {hits} kills"
    );
    eprintln!("generate: {hits} kills, {all_runs} requests vs {uninterrupted} uninterrupted (server in flight at kills: {in_flight})");
}

#[test]
fn the_loop_survives_kill_9_and_resumes_to_the_same_files() {
    let target = hardgen_serve("baseline");
    let reference = hardgen_serve("oracle");
    let tmp = tempfile::tempdir().expect("tmp");
    let tools = "search_contacts,get_account,list_cards,transfer_funds,search_drives,list_drive_folders,find_conversation_by_invite_code,archive_conversation";
    let t = format!("hardgen-baseline@{}", target.url);
    let r = format!("hardgen-oracle@{}", reference.url);
    let args = |dir: &Path| -> Vec<String> {
        [
            "loop",
            "--iterations",
            "8",
            "--items",
            "10",
            "--per-tool",
            "1",
            "--tools",
            tools,
            "--target",
            &t,
            "--reference",
            &r,
            "--out",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([dir.display().to_string()])
        .collect()
    };
    let servers = [&target, &reference];
    let (r0, _) = total(&servers);
    let whole = tmp.path().join("whole");
    let out = run(&args(&whole));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (r1, _) = total(&servers);
    let uninterrupted = r1 - r0;
    let cut = tmp.path().join("cut");
    let (hits, in_flight) = killed_then_resumed(&args(&cut), &servers, 11, &|r| {
        // Within the work after start-up: up to 0.4 s after the first progress line.
        Moment::AfterLine(Duration::from_millis(r % 400))
    });
    let (r2, _) = total(&servers);
    let all_runs = r2 - r1;
    assert_eq!(hits, 5, "only {hits} kills hit a running process");
    same_files(
        &whole,
        &cut,
        &["records.jsonl", "openai.jsonl", "loop.json", "probe.json"],
    );
    no_duplicates(&cut.join("records.jsonl"));
    // Every iteration's graph version is in the store.
    let status = run(&["status".into(), cut.display().to_string(), "--json".into()]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).expect("status json");
    let versions: Vec<&str> = status["graph_versions"]
        .as_array()
        .expect("graph_versions")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(versions.len(), 8, "{versions:?}");
    assert_eq!(versions[0], "loop-iteration-0001");
    // One agent request at a time per process.
    let allowed = uninterrupted + in_flight + hits as u64;
    assert!(
        all_runs <= allowed,
        "{all_runs} requests over the killed runs and the resume; uninterrupted {uninterrupted}, in flight at kills {in_flight}, {hits} kills"
    );
    eprintln!("loop: {hits} kills, {all_runs} requests vs {uninterrupted} uninterrupted (server in flight at kills: {in_flight})");
}

#[test]
fn a_probe_survives_kill_9_and_resumes_to_the_same_report() {
    let target = hardgen_serve("baseline");
    let reference = hardgen_serve("oracle");
    let tmp = tempfile::tempdir().expect("tmp");
    let tools = "search_contacts,get_account,list_cards,transfer_funds,search_drives,list_drive_folders,find_conversation_by_invite_code,archive_conversation";
    let t = format!("hardgen-baseline@{}", target.url);
    let r = format!("hardgen-oracle@{}", reference.url);
    let args = |dir: &Path| -> Vec<String> {
        [
            "probe",
            "--per-tool",
            "3",
            "--tools",
            tools,
            "--target",
            &t,
            "--reference",
            &r,
            "--out",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([dir.join("probe.json").display().to_string()])
        .collect()
    };
    let servers = [&target, &reference];
    let (r0, _) = total(&servers);
    let whole = tmp.path().join("whole");
    let out = run(&args(&whole));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (r1, _) = total(&servers);
    let uninterrupted = r1 - r0;
    let cut = tmp.path().join("cut");
    let (hits, in_flight) = killed_then_resumed(&args(&cut), &servers, 5, &|r| {
        // After the first tool is probed, within the rest of the work.
        Moment::AfterLine(Duration::from_millis(r % 300))
    });
    let (r2, _) = total(&servers);
    let all_runs = r2 - r1;
    assert!(hits >= 3, "only {hits} kills hit a running process");
    same_files(&whole, &cut, &["probe.json"]);
    let allowed = uninterrupted + in_flight + hits as u64;
    assert!(
        all_runs <= allowed,
        "{all_runs} requests over the killed runs and the resume; uninterrupted {uninterrupted}, in flight at kills {in_flight}, {hits} kills"
    );
    // Run again on a finished probe: nothing is asked of the agents.
    let out = run(&args(&cut));
    assert!(out.status.success());
    assert_eq!(
        total(&servers).0,
        r2,
        "a finished probe asked the agents again"
    );
    eprintln!("probe: {hits} kills, {all_runs} requests vs {uninterrupted} uninterrupted (server in flight at kills: {in_flight})");
}
