//! `hardgen llm`: talk to an OpenAI-compatible endpoint directly (today: a load benchmark).

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use hardgen_llm::{load, Client, ClientConfig};
use std::time::Duration;

/// `hardgen llm` subcommands.
#[derive(Subcommand, Debug)]
pub enum LlmCmd {
    /// Send N small chat requests, C at a time, and print requests/s, p50 and p99 latency,
    /// errors, retries and client CPU seconds.
    Bench(BenchArgs),
}

/// Arguments of `hardgen llm bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Base URL of the endpoint, ending in /v1.
    #[arg(long, env = "HARDGEN_LLM_BASE_URL")]
    base_url: String,
    /// Model name.
    #[arg(long, env = "HARDGEN_LLM_MODEL")]
    model: String,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Requests to send.
    #[arg(long, default_value_t = 1000)]
    requests: usize,
    /// Timeout of one attempt, in seconds.
    #[arg(long, default_value_t = 120.0)]
    timeout: f64,
    /// Retries after a failed attempt.
    #[arg(long, default_value_t = 5)]
    max_retries: u32,
    /// Print one JSON object (keys: rps, p50_ms, p99_ms, errors, retries, cpu_s, ...).
    #[arg(long)]
    json: bool,
}

/// Runs `hardgen llm ...`.
pub fn run(cmd: LlmCmd) -> Result<u8> {
    match cmd {
        LlmCmd::Bench(a) => bench(a),
    }
}

fn bench(a: BenchArgs) -> Result<u8> {
    let mut cfg = ClientConfig::new(&a.base_url, &a.model);
    cfg.concurrency = a.concurrency.max(1);
    cfg.max_retries = a.max_retries;
    cfg.timeout = Duration::try_from_secs_f64(a.timeout)
        .with_context(|| format!("--timeout {} is not a duration in seconds", a.timeout))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let client = Client::new(cfg)?;
    let r = rt.block_on(load::run(&client, a.requests, a.concurrency, None));
    if a.json {
        say!("{}", serde_json::to_string(&r)?);
    } else {
        say!(
            "requests {}  concurrency {}  wall {:.2} s\nrps {:.1}  p50 {:.1} ms  p99 {:.1} ms\nerrors {}  retries {}  client CPU {:.2} s",
            r.requests, r.concurrency, r.wall_s, r.rps, r.p50_ms, r.p99_ms, r.errors, r.retries, r.cpu_s
        );
    }
    Ok(u8::from(r.errors > 0))
}
