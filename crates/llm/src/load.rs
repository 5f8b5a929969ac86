//! Load generation: many small chat requests against one endpoint, with throughput, latency
//! percentiles, errors, retries and client CPU time (`hardgen llm bench`, `cargo bench`).

use crate::client::Client;
use crate::types::ChatRequest;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The figures of one load run (the JSON keys are stable: `hardgen llm bench --json`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LoadReport {
    /// Requests sent.
    pub requests: usize,
    /// Concurrency used.
    pub concurrency: usize,
    /// Answered requests per second of wall time.
    pub rps: f64,
    /// Median latency of answered requests, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency of answered requests, milliseconds.
    pub p99_ms: f64,
    /// Requests that failed for good.
    pub errors: u64,
    /// Retries made.
    pub retries: u64,
    /// CPU seconds spent by the measured threads (see [`cpu_seconds`]).
    pub cpu_s: f64,
    /// Wall seconds.
    pub wall_s: f64,
}

/// Sends `requests` one-message requests through `client`, `concurrency` at a time. CPU time is
/// counted over this process's threads whose name starts with `cpu_threads` (all threads when
/// None), so an in-process test server can be left out.
pub async fn run(
    client: &Client,
    requests: usize,
    concurrency: usize,
    cpu_threads: Option<&str>,
) -> LoadReport {
    let before = client.stats();
    let cpu0 = cpu_seconds(cpu_threads);
    let start = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (c, next) = (client.clone(), Arc::clone(&next));
        set.spawn(async move {
            let mut lat = Vec::new();
            let req = ChatRequest::user("Say ok.");
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                let t = Instant::now();
                if c.chat(&req).await.is_ok() {
                    lat.push(t.elapsed().as_secs_f64() * 1e3);
                }
            }
            lat
        });
    }
    let mut lat: Vec<f64> = Vec::with_capacity(requests);
    while let Some(r) = set.join_next().await {
        lat.extend(r.unwrap_or_default());
    }
    let wall = start.elapsed().as_secs_f64();
    let after = client.stats();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        if lat.is_empty() {
            0.0
        } else {
            let i = ((lat.len() as f64 - 1.0) * p).round() as usize;
            lat[i.min(lat.len() - 1)]
        }
    };
    LoadReport {
        requests,
        concurrency,
        rps: if wall > 0.0 {
            lat.len() as f64 / wall
        } else {
            0.0
        },
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        errors: after.errors - before.errors,
        retries: after.retries - before.retries,
        cpu_s: (cpu_seconds(cpu_threads) - cpu0).max(0.0),
        wall_s: wall,
    }
}

/// CPU seconds (user + system) of this process's threads whose name starts with `prefix`, or of
/// the whole process; read from `/proc` (0 where there is none). Assumes 100 clock ticks per
/// second, the Linux default.
pub fn cpu_seconds(prefix: Option<&str>) -> f64 {
    let ticks = |stat: &str| -> Option<(String, u64)> {
        let open = stat.find('(')?;
        let close = stat.rfind(')')?;
        let name = stat[open + 1..close].to_string();
        // Fields after the name: state is field 3; utime and stime are fields 14 and 15.
        let rest: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ut: u64 = rest.get(11)?.parse().ok()?;
        let st: u64 = rest.get(12)?.parse().ok()?;
        Some((name, ut + st))
    };
    let total = match prefix {
        None => std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| ticks(&s))
            .map_or(0, |(_, t)| t),
        Some(p) => std::fs::read_dir("/proc/self/task")
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
                    .filter_map(|s| ticks(&s))
                    .filter(|(name, _)| name.starts_with(p))
                    .map(|(_, t)| t)
                    .sum()
            })
            .unwrap_or(0),
    };
    total as f64 / 100.0
}
