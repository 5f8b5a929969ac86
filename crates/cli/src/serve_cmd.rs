//! `hardgen serve`: a built-in deterministic policy behind an OpenAI-compatible endpoint. It is a
//! rule-based agent, not a language model; it lets every LLM path run with no model.

use anyhow::{Context, Result};
use clap::Args;
use hardgen_synth::policy::{PolicyKind, PolicyResponder};
use std::io::Write;
use std::sync::Arc;

/// Arguments of `hardgen serve`.
#[derive(Args, Debug)]
pub struct ServeCmd {
    /// The policy that answers: `oracle` (plans prerequisite lookups) or `baseline` (one call from
    /// the request's literal values, never a prerequisite).
    #[arg(long, default_value = "oracle")]
    policy: PolicyKind,
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    #[arg(long, default_value = "127.0.0.1:8089")]
    addr: String,
}

/// Serves until the process is stopped; prints `listening <base URL>` once bound.
pub fn run(cmd: ServeCmd) -> Result<u8> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let bound = hardgen_llm::server::bind(&cmd.addr, Arc::new(PolicyResponder::new(cmd.policy)))
            .await
            .with_context(|| format!("binding {}", cmd.addr))?;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "listening {} (policy {}, model hardgen-{}; a deterministic policy, not a language model)",
            bound.base_url(),
            cmd.policy.name(),
            cmd.policy.name()
        )?;
        out.flush()?;
        drop(out);
        bound.run().await.context("serving")?;
        Ok(0)
    })
}
