//! `hardgen eval`, `hardgen probe` and `hardgen loop`: measuring agents (a model or a built-in
//! policy) and closing the loop.

use crate::config_cmd::{self, LlmFlags};
use anyhow::{bail, Context, Result};
use clap::Args;
use hardgen_eval::agent::{Agent, AgentSpec};
use hardgen_eval::closed_loop::{run_loop, Keep, LoopConfig};
use hardgen_eval::evaluate::{evaluate_resumed, Evaluated};
use hardgen_eval::probe::{probe, ProbeConfig, ProbeStore};
use hardgen_synth::roles::CallMode;
use hardgen_synth::toolset::ToolSet;
use hardgen_tools::source::ToolSource;
use hardgen_tools::WorldDef;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How agents are reached (shared by eval, probe and loop).
#[derive(Debug, Args, Clone, Default)]
pub struct AgentFlags {
    /// How a model agent is asked for calls: native, text or constrained (default native).
    #[arg(long, default_value = "native")]
    agent_mode: String,
    /// Most model turns per task.
    #[arg(long, default_value_t = 12)]
    max_steps: usize,
    /// Endpoint defaults for model agents (a bare model name uses --llm-base-url).
    #[command(flatten)]
    llm: LlmFlags,
}

/// `hardgen eval`.
#[derive(Debug, Args)]
pub struct EvalCmd {
    /// The agent: `oracle`, `baseline` (built-in policies), `MODEL@BASE_URL`, or a model name.
    #[arg(long)]
    agent: String,
    /// A generated run directory (its records.jsonl).
    #[arg(long)]
    data: PathBuf,
    /// Where to write report.json, report.html and transcripts.jsonl (default DATA/eval).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Evaluate only the first N records.
    #[arg(long)]
    limit: Option<usize>,
    /// Start the evaluation over when the run store holds one with other settings.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    agents: AgentFlags,
}

/// `hardgen probe`.
#[derive(Debug, Args)]
pub struct ProbeCmd {
    /// The agent under study: a policy (`oracle`, `baseline`), `MODEL@BASE_URL` or a model name.
    #[arg(long)]
    target: String,
    /// The reference agent.
    #[arg(long)]
    reference: String,
    /// Probe tasks per tool (alternately with its prerequisites and alone).
    #[arg(long, default_value_t = 4)]
    per_tool: usize,
    /// Failure rate at which a tool counts as failed by an agent.
    #[arg(long, default_value_t = 0.5)]
    threshold: f64,
    /// Only these tools (comma-separated), and/or tool sources (`builtin`,
    /// `file:PATH:simulated`, `mcp+stdio:"CMD"`, `mcp+http:URL`): a value with a source scheme is
    /// a source, any other a tool name. Commas inside quotes do not separate.
    #[arg(long)]
    tools: Vec<String>,
    /// Seed of the probe tasks.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Where to write the probe report (its `weights` feed `graph --weights` and `generate`).
    /// Its directory is the probe's run directory: the run store there keeps every probed
    /// tool and the agents' model answers, so a probe run again resumes.
    #[arg(long, default_value = "probe.json")]
    out: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Start over when the run directory holds a probe with other settings.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    agents: AgentFlags,
}

/// `hardgen loop`.
#[derive(Debug, Args)]
pub struct LoopCmd {
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Iterations.
    #[arg(long, default_value_t = 3)]
    iterations: usize,
    /// The agent under study.
    #[arg(long)]
    target: String,
    /// The reference agent of the probe.
    #[arg(long)]
    reference: String,
    /// Probe tasks per tool.
    #[arg(long, default_value_t = 2)]
    per_tool: usize,
    /// Failure rate at which a tool counts as failed.
    #[arg(long, default_value_t = 0.5)]
    threshold: f64,
    /// Items generated per iteration (and as many from random traces, for comparison).
    #[arg(long, default_value_t = 100)]
    items: u64,
    /// Which verified samples to keep: all, or failed (only those the target fails).
    #[arg(long, default_value = "all")]
    keep: String,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Probe only these tools (comma-separated; default every tool), and/or tool sources
    /// (`builtin`, `file:PATH:simulated`, `mcp+stdio:"CMD"`, `mcp+http:URL`): a value with a
    /// source scheme is a source. Commas inside quotes do not separate.
    #[arg(long)]
    tools: Vec<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Start over when the directory holds a loop with other settings.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    agents: AgentFlags,
}

/// Agents need an async runtime for model clients; policies answer in-process.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the async runtime for model agents")
}

/// Builds the agent `spec` names; a model agent keeps its answers in `cache` when given (the
/// run store's file), so a resumed run asks nothing twice.
fn agent(
    spec: &str,
    flags: &AgentFlags,
    config: Option<&Path>,
    rt: &tokio::runtime::Runtime,
    cache: Option<&Path>,
) -> Result<Agent> {
    let parsed: AgentSpec = spec.parse().map_err(anyhow::Error::msg)?;
    let mut a = match &parsed {
        AgentSpec::Policy(k) => Agent::policy(*k, rt.handle().clone()),
        AgentSpec::Model { model, base_url } => {
            let resolved = config_cmd::resolve(&flags.llm, config)?;
            let mut role = resolved
                .role("reasoner")
                .cloned()
                .context("no reasoner settings in the resolved configuration")?;
            role.model = Some(model.clone());
            if let Some(u) = base_url {
                role.base_url = Some(u.clone());
            }
            if role.base_url.is_none() {
                bail!("agent `{spec}`: no base URL (write MODEL@BASE_URL or pass --llm-base-url)");
            }
            let mut client = config_cmd::client_for(&role, 1)?;
            if let Some(dir) = cache {
                client = client.with_cache(Arc::new(hardgen_llm::Cache::open(
                    &dir.join(hardgen_synth::store::FILE),
                )?));
            }
            let mode: CallMode = flags.agent_mode.parse().map_err(anyhow::Error::msg)?;
            Agent::model(
                Arc::new(client),
                mode,
                rt.handle().clone(),
                &parsed.to_string(),
            )
        }
    };
    a.max_steps = flags.max_steps.max(1);
    Ok(a)
}

fn domain_of(tools: &ToolSet) -> impl Fn(&str) -> String + '_ {
    |t: &str| tools.spec(t).map(|s| s.domain.clone()).unwrap_or_default()
}

/// `--tools` values split into tool sources (a value with a source scheme) and tool names.
fn split_tools(values: &[String]) -> Result<(Vec<ToolSource>, Vec<String>)> {
    let mut sources = Vec::new();
    let mut names = Vec::new();
    for v in values.iter().flat_map(|v| split_outside_quotes(v)) {
        let v = &v;
        if v == "builtin" || v.starts_with("file:") || v.starts_with("mcp+") {
            sources.push(v.parse::<ToolSource>()?);
        } else {
            names.push(v.clone());
        }
    }
    Ok((sources, names))
}

/// `a,b,"c,d"` -> `a`, `b`, `"c,d"`: a list of values whose quoted parts (an MCP command) may
/// hold commas.
fn split_outside_quotes(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in v.chars() {
        match c {
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => {
                quoted ^= c == '"';
                cur.push(c);
            }
        }
    }
    out.push(cur);
    out.retain(|s| !s.trim().is_empty());
    out
}

/// Runs `hardgen eval`.
pub fn run_eval(cmd: EvalCmd, def: Arc<WorldDef>, config: Option<&Path>) -> Result<u8> {
    let rt = runtime()?;
    let agent = agent(&cmd.agent, &cmd.agents, config, &rt, Some(&cmd.data))?;
    let mut records = Vec::new();
    hardgen_synth::run::read_records(&cmd.data, |r| {
        records.push(r);
        Ok(())
    })
    .with_context(|| format!("reading {}", cmd.data.display()))?;
    if let Some(n) = cmd.limit {
        records.truncate(n);
    }
    let out = cmd.out.clone().unwrap_or_else(|| cmd.data.join("eval"));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let tpath = out.join("transcripts.jsonl");
    let mut transcripts = std::io::BufWriter::new(
        std::fs::File::create(&tpath).with_context(|| format!("creating {}", tpath.display()))?,
    );
    // The data's own tools: the run configuration names them when they are not the world's.
    let tools = crate::gen_cmd::run_tools(&cmd.data, def)?;
    let mut env = tools.env(0);
    let domains = domain_of(&tools);
    // Results go to the data directory's run store as they come: a rerun resumes.
    let store = hardgen_synth::store::Store::open(&cmd.data)?;
    let stage = format!("eval:{}", agent.name());
    let bound = serde_json::json!({"agent": agent.name(), "mode": cmd.agents.agent_mode,
        "max_steps": agent.max_steps, "limit": cmd.limit, "rounds": records.iter().map(|r| r.rounds.len()).sum::<usize>()});
    store.bind_config(&stage, &bound, cmd.force)?;
    let done: Vec<Evaluated> = store
        .items(&stage)?
        .iter()
        .filter_map(|(_, t)| serde_json::from_str(t).ok())
        .collect();
    let store_err = |x: hardgen_synth::store::StoreError| hardgen_eval::EvalError::Store {
        path: store.path().display().to_string(),
        message: x.to_string(),
    };
    let mut k = 0u64;
    let mut write = |e: &Evaluated, new: bool| {
        let line = serde_json::to_string(e).map_err(|x| hardgen_eval::EvalError::Data {
            what: tpath.display().to_string(),
            message: x.to_string(),
        })?;
        if new {
            store
                .put_item(&stage, k, e.result.judged.passed, &line)
                .map_err(store_err)?;
        }
        k += 1;
        writeln!(transcripts, "{line}").map_err(|x| hardgen_eval::EvalError::Io {
            path: tpath.display().to_string(),
            source: x,
        })
    };
    let report = evaluate_resumed(&agent, &records, &mut env, &domains, &done, &mut write)?;
    transcripts.flush()?;
    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(out.join("report.json"), format!("{json}\n"))?;
    std::fs::write(out.join("report.html"), hardgen_eval::html::page(&report))?;
    if cmd.json {
        say!("{json}");
    } else {
        say!("{}", report.table().trim_end_matches('\n'));
        say!(
            "\nfiles:\n  {}\n  {}\n  {}",
            out.join("report.json").display(),
            out.join("report.html").display(),
            tpath.display()
        );
    }
    Ok(0)
}

/// Runs `hardgen probe`.
pub fn run_probe(cmd: ProbeCmd, def: Arc<WorldDef>, config: Option<&Path>) -> Result<u8> {
    if !(0.0..=1.0).contains(&cmd.threshold) {
        bail!("--threshold must be between 0 and 1, got {}", cmd.threshold);
    }
    let rt = runtime()?;
    let dir = match cmd.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let target = agent(&cmd.target, &cmd.agents, config, &rt, Some(&dir))?;
    let reference = agent(&cmd.reference, &cmd.agents, config, &rt, Some(&dir))?;
    let (sources, names) = split_tools(&cmd.tools)?;
    let tools = crate::gen_cmd::tool_set(&sources, def, cmd.seed)?;
    let cfg = ProbeConfig {
        per_tool: cmd.per_tool.max(1),
        threshold: cmd.threshold,
        seed: cmd.seed,
        tools: names,
    };
    let store = hardgen_synth::store::Store::open(&dir)?;
    store.bind_config(
        hardgen_eval::probe::STAGE,
        &serde_json::json!({"probe": cfg, "target": target.name(), "reference": reference.name(),
            "sources": sources.iter().map(ToString::to_string).collect::<Vec<_>>()}),
        cmd.force,
    )?;
    let per_tool = ProbeStore {
        store: &store,
        stage: hardgen_eval::probe::STAGE,
        prefix: "tool:",
    };
    let quiet = cmd.json;
    let report = probe(
        tools,
        &target,
        &reference,
        &cfg,
        Some(per_tool),
        &mut |done, total| {
            if !quiet {
                eprintln!("probed {done}/{total} tools");
            }
        },
    )?;
    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(&cmd.out, format!("{json}\n"))
        .with_context(|| format!("writing {}", cmd.out.display()))?;
    // Marks the probe finished (status reads it).
    store.put_result(hardgen_eval::probe::STAGE, "report", &json)?;
    if cmd.json {
        say!("{json}");
        return Ok(0);
    }
    let rate = |f: &dyn Fn(&hardgen_eval::probe::ToolProbe) -> usize| {
        let (n, t): (usize, usize) = report
            .tools
            .values()
            .fold((0, 0), |(n, t), p| (n + f(p), t + p.tasks));
        if t == 0 {
            0.0
        } else {
            100.0 * n as f64 / t as f64
        }
    };
    say!(
        "probed {} tools ({} tasks each; {} unprobed)\ntarget {}: fails {:.1}% of tasks\nreference {}: fails {:.1}% of tasks\nfailure API set (both fail >= {:.0}%): {} tools",
        report.tools.len(),
        report.per_tool,
        report.unprobed.len(),
        report.target,
        rate(&|p| p.target_failures),
        report.reference,
        rate(&|p| p.reference_failures),
        100.0 * report.threshold,
        report.failure_set.len()
    );
    for t in report.failure_set.iter().take(20) {
        if let Some(p) = report.tools.get(t) {
            say!(
                "  {t:<44} target {:>5.1}%  reference {:>5.1}%",
                100.0 * p.target_rate,
                100.0 * p.reference_rate
            );
        }
    }
    say!("written: {}", cmd.out.display());
    Ok(0)
}

/// Runs `hardgen loop`.
pub fn run_loop_cmd(cmd: LoopCmd, def: Arc<WorldDef>, config: Option<&Path>) -> Result<u8> {
    let keep: Keep = cmd.keep.parse().map_err(anyhow::Error::msg)?;
    let rt = runtime()?;
    std::fs::create_dir_all(&cmd.out).with_context(|| format!("creating {}", cmd.out.display()))?;
    let target = agent(&cmd.target, &cmd.agents, config, &rt, Some(&cmd.out))?;
    let reference = agent(&cmd.reference, &cmd.agents, config, &rt, Some(&cmd.out))?;
    let (sources, names) = split_tools(&cmd.tools)?;
    let tools = crate::gen_cmd::tool_set(&sources, def, cmd.seed)?;
    let cfg = LoopConfig {
        iterations: cmd.iterations,
        items: cmd.items,
        seed: cmd.seed,
        keep,
        probe: ProbeConfig {
            per_tool: cmd.per_tool.max(1),
            threshold: cmd.threshold,
            seed: cmd.seed,
            tools: names,
        },
    };
    let quiet = cmd.json;
    let store = hardgen_synth::store::Store::open(&cmd.out)?;
    store.bind_config(
        hardgen_eval::closed_loop::STAGE,
        &serde_json::json!({"iterations": cfg.iterations, "items": cfg.items, "seed": cfg.seed,
            "keep": cfg.keep, "probe": cfg.probe, "target": target.name(), "reference": reference.name(),
            "sources": sources.iter().map(ToString::to_string).collect::<Vec<_>>()}),
        cmd.force,
    )?;
    let report = run_loop(
        tools,
        &target,
        &reference,
        &cfg,
        &cmd.out,
        Some(&store),
        &mut |s| {
            if !quiet {
                eprintln!("{s}");
            }
        },
    )?;
    if cmd.json {
        say!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        say!("{}", report.table().trim_end_matches('\n'));
        say!("written: {}", cmd.out.display());
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tool_lists_split_on_commas_outside_quotes() {
        assert_eq!(
            super::split_outside_quotes("get_a,mcp+stdio:\"node s.js --x a,b\";reset=r,,get_b"),
            ["get_a", "mcp+stdio:\"node s.js --x a,b\";reset=r", "get_b"]
        );
    }
}
