//! The checker on the case set `scripts/bfcl_agree.py` builds from BFCL's real data, the same
//! cases whose BFCL timing that script prints: questions prepared once, then every result judged
//! in process (decode, format check, checker; no file I/O), best of five passes, on one thread
//! and on every core.
//!
//! Usage: `target/bfcl-venv/bin/python scripts/bfcl_agree.py --hardgen target/release/hardgen
//! --out DIR` then `HARDGEN_BFCL_CASES=DIR cargo bench -p hardgen-check --bench bfcl_data`.
//! Without `HARDGEN_BFCL_CASES` it says so and measures nothing.

use hardgen_check::bfcl::files::{par_map, threads};
use hardgen_check::bfcl::{CheckOptions, Prepared};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The JSON lines of a file; lines only Python's `json.loads` reads (ints past u64, `NaN`)
/// are left out and counted: the CLI reads them through its own decoder.
fn lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let read: Vec<Value> = all
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    if read.len() < all.len() {
        println!(
            "bfcl_data: {} lines of {} left out (not strict JSON)",
            all.len() - read.len(),
            path.display()
        );
    }
    read
}

fn main() {
    let Some(dir) = std::env::var_os("HARDGEN_BFCL_CASES") else {
        println!(
            "bfcl_data: set HARDGEN_BFCL_CASES to a directory written by scripts/bfcl_agree.py"
        );
        return;
    };
    let dir = Path::new(&dir);
    let questions = lines(&dir.join("questions.jsonl"));
    let answers: HashMap<String, Value> = lines(&dir.join("answers.jsonl"))
        .into_iter()
        .filter_map(|a| {
            Some((
                a.get("id")?.as_str()?.to_string(),
                a.get("ground_truth")?.clone(),
            ))
        })
        .collect();
    let results: HashMap<String, Value> = lines(&dir.join("results.jsonl"))
        .into_iter()
        .filter_map(|r| Some((r.get("id")?.as_str()?.to_string(), r.get("result")?.clone())))
        .collect();
    let functions: Vec<(String, Vec<Value>)> = questions
        .iter()
        .filter_map(|q| {
            let id = q.get("id")?.as_str()?.to_string();
            let f = q.get("function")?.as_array()?.clone();
            Some((id, f))
        })
        .collect();
    let cases: Vec<(Prepared<'_>, &Value)> = functions
        .iter()
        .filter_map(|(id, f)| Some((Prepared::new(id, f, answers.get(id)), results.get(id)?)))
        .collect();
    // Calls per case as the harness counted them (BFCL's decoded output), for calls/s.
    let counted: HashMap<String, u64> = lines(&dir.join("bfcl.jsonl"))
        .into_iter()
        .filter_map(|v| {
            Some((
                v.get("id")?.as_str()?.to_string(),
                v.get("calls")?.as_u64()?,
            ))
        })
        .collect();
    let calls: u64 = functions
        .iter()
        .filter(|(id, _)| results.contains_key(id))
        .map(|(id, _)| counted.get(id).copied().unwrap_or(0))
        .sum();
    let passes: usize = std::env::var("HARDGEN_BFCL_PASSES")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5)
        .max(3);
    println!(
        "bfcl_data: {} cases prepared; judging {passes} passes",
        cases.len()
    );
    // One thread, then every core (as `hardgen check bfcl` judges).
    for n in [1, threads()] {
        let mut times = Vec::new();
        let mut valid = 0;
        for _ in 0..passes {
            let start = Instant::now();
            valid = par_map(&cases, n, |(p, r)| {
                p.judge(r, CheckOptions::default()).valid
            })
            .into_iter()
            .filter(|v| *v)
            .count();
            times.push(start.elapsed().as_secs_f64());
            std::hint::black_box(valid);
        }
        times.sort_by(f64::total_cmp);
        let best = times[0];
        println!(
            "bfcl_data: {} cases ({valid} valid, {calls} calls) on {n} thread(s) judged in {:.3} s (best of {passes}; median {:.3} s): {:.0} cases/s, {:.0} calls/s",
            cases.len(),
            best,
            times[times.len() / 2],
            cases.len() as f64 / best,
            calls as f64 / best
        );
        if n == threads() {
            break;
        }
    }
}
