//! Failure probing: K tasks per tool (the tool alone, and the tool with its prerequisites), run
//! by a target and a reference agent, scored against the executed gold; per-tool failure rates
//! of both, the failure API set (tools both fail at), and the failure weights it gives the graph.

use crate::agent::Agent;
use crate::EvalError;
use hardgen_check::multi_turn::{check_turn, Turn};
use hardgen_core::record::GoldCall;
use hardgen_core::Record;
use hardgen_synth::pipeline::{GenConfig, Generator};
use hardgen_synth::query;
use hardgen_synth::store::{Store, StoreError};
use hardgen_synth::toolset::ToolSet;
use hardgen_synth::verify::replay_gold;
use hardgen_tools::{AnyEnv, Environment};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Probe settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeConfig {
    /// Tasks per tool (alternating: with prerequisites, alone).
    pub per_tool: usize,
    /// A tool is in the failure API set when both agents fail at least this share of its tasks.
    pub threshold: f64,
    /// Seed of the probe tasks.
    pub seed: u64,
    /// Only these tools (empty: every tool).
    pub tools: Vec<String>,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            per_tool: 4,
            threshold: 0.5,
            seed: 0,
            tools: Vec::new(),
        }
    }
}

/// One probe task: a state to start from (setup calls), a request, and the gold after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeTask {
    /// The tool probed.
    pub tool: String,
    /// `alone` or `with_prerequisites`.
    pub kind: String,
    /// The record it was made from.
    pub record: String,
    /// The user's request.
    pub query: String,
    /// Calls replayed before the agent starts (the prerequisites, for `alone`).
    pub setup: Vec<GoldCall>,
    /// The calls the agent must reproduce.
    pub gold: Vec<GoldCall>,
}

/// One tool's probe figures.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ToolProbe {
    /// The tool's domain.
    pub domain: String,
    /// Tasks run.
    pub tasks: usize,
    /// Tasks the target failed.
    pub target_failures: usize,
    /// Tasks the reference failed.
    pub reference_failures: usize,
    /// target_failures / tasks.
    pub target_rate: f64,
    /// reference_failures / tasks.
    pub reference_rate: f64,
    /// Whether the tool is in the failure API set.
    pub failing: bool,
}

/// The probe's result.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProbeReport {
    /// The target agent.
    pub target: String,
    /// The reference agent.
    pub reference: String,
    /// The settings.
    pub threshold: f64,
    /// Tasks per tool asked for.
    pub per_tool: usize,
    /// Per tool.
    pub tools: BTreeMap<String, ToolProbe>,
    /// Tools no probe task could be made for (no legal trace reaches them).
    pub unprobed: Vec<String>,
    /// The failure API set: tools both agents fail at (at least `threshold` of their tasks).
    pub failure_set: Vec<String>,
    /// Target weights for the graph: failure-set tools weigh most, every tool keeps a little.
    pub weights: BTreeMap<String, f64>,
}

/// Target weight of a tool from its observed failures: the smoothed failure rate cubed (so the
/// tools an agent gets right are rarely drawn), doubled for the failure API set, with a small
/// floor so every tool stays reachable.
pub fn failure_weight(failures: f64, observed: f64, failing: bool) -> f64 {
    let rate = (failures + 1.0) / (observed + 2.0);
    0.02 + rate.powi(3) * if failing { 2.0 } else { 1.0 }
}

/// Target weight of a tool from its probe.
pub fn weight_of(p: &ToolProbe) -> f64 {
    failure_weight(p.target_failures as f64, p.tasks as f64, p.failing)
}

/// The request of a task that gives the tool's inputs outright ("the tool alone").
pub fn alone_query(spec: &hardgen_core::ToolSpec, call: &GoldCall, k: usize) -> String {
    let mut action = query::action(spec);
    let attrs: Vec<String> = call
        .arguments
        .iter()
        .map(|(a, v)| query::attribute(a, v, k))
        .collect();
    if !attrs.is_empty() {
        action.push_str(" for the one ");
        action.push_str(&attrs.join(" and "));
    }
    query::render(k, &action)
}

/// Runs `agent` on a task; whether it passes the multi-turn check.
pub fn passes<E: Environment>(
    agent: &Agent,
    rec: &Record,
    task: &ProbeTask,
    env: &mut E,
) -> Result<bool, EvalError> {
    let tools: Vec<Value> = rec.tools.iter().map(|t| t.to_openai_plain()).collect();
    replay_gold(env, rec, &task.setup);
    let t = agent.run(&task.query, &tools, env)?;
    let agent_state = env.digest();
    replay_gold(env, rec, task.setup.iter().chain(&task.gold));
    let turn = Turn {
        gold_results: task.gold.iter().map(|g| &g.result).collect(),
        agent_results: t.calls.iter().map(|c| &c.result).collect(),
        gold_state: env.digest(),
        agent_state,
    };
    Ok(check_turn(&turn).is_ok())
}

/// The probe tasks of one tool from a generated record aimed at it.
pub fn tasks_of(rec: &Record, tools: &ToolSet, k: usize) -> Option<ProbeTask> {
    let round = rec.rounds.first()?;
    let last = round.gold.last()?;
    let spec = tools.spec(&last.name)?;
    let alone = k % 2 == 1 && round.gold.len() > 1;
    let (split, query) = if alone {
        (round.gold.len() - 1, alone_query(spec, last, k))
    } else {
        (0, round.query.clone())
    };
    Some(ProbeTask {
        tool: last.name.clone(),
        kind: if split == 0 && round.gold.len() > 1 {
            "with_prerequisites".into()
        } else {
            "alone".into()
        },
        record: rec.id.clone(),
        query,
        setup: round.gold[..split].to_vec(),
        gold: round.gold[split..].to_vec(),
    })
}

/// Where a probe keeps each probed tool's figures so a killed probe resumes after the last
/// tool it finished: a store, the stage, and a prefix of the keys (`PREFIX` + tool name).
#[derive(Clone, Copy)]
pub struct ProbeStore<'a> {
    /// The run store.
    pub store: &'a Store,
    /// The stage the results belong to.
    pub stage: &'a str,
    /// Prefix of the per-tool keys.
    pub prefix: &'a str,
}

/// The run store's stage of `hardgen probe`.
pub const STAGE: &str = "probe";

impl ProbeStore<'_> {
    fn key(&self, tool: &str) -> String {
        format!("{}{tool}", self.prefix)
    }

    fn get(&self, tool: &str) -> Result<Option<Option<ToolProbe>>, EvalError> {
        let Some(text) = self
            .store
            .result(self.stage, &self.key(tool))
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| EvalError::Data {
                what: format!("{} ({})", self.store.path().display(), self.key(tool)),
                message: format!("a stored probe result is unreadable: {e}"),
            })
    }

    fn put(&self, tool: &str, p: Option<&ToolProbe>) -> Result<(), EvalError> {
        let text = serde_json::to_string(&p).map_err(|e| EvalError::Data {
            what: tool.to_string(),
            message: e.to_string(),
        })?;
        self.store
            .put_result(self.stage, &self.key(tool), &text)
            .map_err(store_error)
    }
}

fn store_error(e: StoreError) -> EvalError {
    EvalError::Store {
        path: String::new(),
        message: e.to_string(),
    }
}

/// Probes every tool (or `cfg.tools`) with both agents. `progress(done, total)` after each tool.
/// With a store, every probed tool is kept there and a rerun resumes after the last one.
pub fn probe(
    tools: impl Into<ToolSet>,
    target: &Agent,
    reference: &Agent,
    cfg: &ProbeConfig,
    store: Option<ProbeStore<'_>>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ProbeReport, EvalError> {
    let gen_cfg = GenConfig {
        seed: cfg.seed,
        ..GenConfig::default()
    };
    let tools = Arc::new(tools.into());
    let mut gen = Generator::over(tools.clone(), gen_cfg);
    probe_with(&mut gen, tools, target, reference, cfg, store, progress)
}

/// Like [`probe`], with a generator the caller keeps (its weights are left aimed at the last
/// tool probed; set them again before generating).
pub fn probe_with(
    gen: &mut Generator,
    tools: Arc<ToolSet>,
    target: &Agent,
    reference: &Agent,
    cfg: &ProbeConfig,
    store: Option<ProbeStore<'_>>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ProbeReport, EvalError> {
    let mut env = tools.env(cfg.seed);
    let names: Vec<String> = if cfg.tools.is_empty() {
        tools.specs.iter().map(|s| s.name.clone()).collect()
    } else {
        cfg.tools.clone()
    };
    let mut report = ProbeReport {
        target: target.name().to_string(),
        reference: reference.name().to_string(),
        threshold: cfg.threshold,
        per_tool: cfg.per_tool,
        ..ProbeReport::default()
    };
    let total = names.len();
    for (ti, name) in names.iter().enumerate() {
        let Some(&idx) = tools.by_name.get(name) else {
            return Err(EvalError::Data {
                what: "probe tools".into(),
                message: format!("unknown tool `{name}`"),
            });
        };
        let stored = match &store {
            Some(s) => s.get(name)?,
            None => None,
        };
        let probed = match stored {
            Some(p) => p,
            None => {
                let p = probe_tool(gen, &tools, idx, ti, target, reference, cfg, &mut env)?;
                if let Some(s) = &store {
                    s.put(name, p.as_ref())?;
                }
                p
            }
        };
        progress(ti + 1, total);
        let Some(p) = probed else {
            report.unprobed.push(name.clone());
            report
                .weights
                .insert(name.clone(), weight_of(&ToolProbe::default()));
            continue;
        };
        if p.failing {
            report.failure_set.push(name.clone());
        }
        report.weights.insert(name.clone(), weight_of(&p));
        report.tools.insert(name.clone(), p);
    }
    Ok(report)
}

/// Probes tool `idx` (the `ti`-th asked for); `None` when no task could be made for it.
#[allow(clippy::too_many_arguments)]
fn probe_tool(
    gen: &mut Generator,
    tools: &ToolSet,
    idx: usize,
    ti: usize,
    target: &Agent,
    reference: &Agent,
    cfg: &ProbeConfig,
    env: &mut AnyEnv,
) -> Result<Option<ToolProbe>, EvalError> {
    let name = &tools.specs[idx].name;
    let mut only = BTreeMap::new();
    only.insert(name.clone(), 1.0);
    gen.set_weights(&only, Some(0.0));
    let mut p = ToolProbe {
        domain: tools.specs[idx].domain.clone(),
        ..ToolProbe::default()
    };
    let mut k = 0usize;
    // A tool whose traces keep being rejected gets a few more draws, then is left unprobed.
    for attempt in 0..(cfg.per_tool * 3) as u64 {
        if k >= cfg.per_tool {
            break;
        }
        let i = (ti as u64) * 1_000 + attempt;
        let Ok(rec) = gen.item(i) else { continue };
        if rec.rounds.first().map(|r| r.target.as_str()) != Some(name.as_str()) {
            continue;
        }
        let Some(task) = tasks_of(&rec, tools, k) else {
            continue;
        };
        k += 1;
        p.tasks += 1;
        p.target_failures += usize::from(!passes(target, &rec, &task, env)?);
        p.reference_failures += usize::from(!passes(reference, &rec, &task, env)?);
    }
    if p.tasks == 0 {
        return Ok(None);
    }
    p.target_rate = p.target_failures as f64 / p.tasks as f64;
    p.reference_rate = p.reference_failures as f64 / p.tasks as f64;
    p.failing = p.target_rate >= cfg.threshold && p.reference_rate >= cfg.threshold;
    Ok(Some(p))
}
