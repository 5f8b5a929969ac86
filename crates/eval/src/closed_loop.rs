//! The closed loop: probe the target and a reference, set the graph's failure weights, generate
//! directed samples, evaluate the target on them (and on samples from uniformly random,
//! non-directed traces of the same length, side by side), feed its failures back into the
//! weights, repeat; keep the verified samples (all, or only those the target fails).

use crate::agent::Agent;
use crate::evaluate::{evaluate, Report, Tally};
use crate::probe::{probe_with, ProbeConfig, ProbeReport, ProbeStore};
use crate::EvalError;
use hardgen_core::Record;
use hardgen_synth::pipeline::{GenConfig, Generator};
use hardgen_synth::toolset::ToolSet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Which verified samples the loop keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    /// Every verified sample.
    #[default]
    All,
    /// Only samples the target fails.
    Failed,
}

impl std::str::FromStr for Keep {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "all" => Ok(Keep::All),
            "failed" => Ok(Keep::Failed),
            o => Err(format!("unknown --keep `{o}` (all, failed)")),
        }
    }
}

/// Loop settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoopConfig {
    /// Iterations.
    pub iterations: usize,
    /// Items generated per iteration (directed; as many again from random traces to compare).
    pub items: u64,
    /// Seed.
    pub seed: u64,
    /// Which samples to keep.
    pub keep: Keep,
    /// The probe.
    pub probe: ProbeConfig,
}

/// One iteration's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Iteration {
    /// Iteration number (1-based).
    pub iteration: usize,
    /// Size of the failure API set the iteration generated towards.
    pub failure_set: usize,
    /// The target's pass rate on the new directed samples.
    pub directed: Tally,
    /// The target's pass rate on samples from uniformly random traces of the same length.
    pub random: Tally,
    /// Verified directed samples made.
    pub verified: usize,
    /// Samples kept.
    pub kept: usize,
}

/// The loop's report.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LoopReport {
    /// The target agent.
    pub target: String,
    /// The reference agent.
    pub reference: String,
    /// Per iteration.
    pub iterations: Vec<Iteration>,
}

impl LoopReport {
    /// The report as a text table.
    pub fn table(&self) -> String {
        let mut s = format!(
            "target {} (reference {})\n{:>9} {:>12} {:>16} {:>16} {:>9} {:>6}\n",
            self.target,
            self.reference,
            "iteration",
            "failure set",
            "directed pass",
            "random pass",
            "verified",
            "kept"
        );
        for it in &self.iterations {
            s.push_str(&format!(
                "{:>9} {:>12} {:>15.1}% {:>15.1}% {:>9} {:>6}\n",
                it.iteration,
                it.failure_set,
                100.0 * it.directed.accuracy,
                100.0 * it.random.accuracy,
                it.verified,
                it.kept
            ));
        }
        s
    }
}

/// Verified samples of items `from..from + items`, with the generator's weights as they are.
fn generate(g: &mut Generator, from: u64, items: u64) -> Vec<Record> {
    (from..from + items)
        .filter_map(|i| g.item(i).ok())
        .collect()
}

/// Item numbers of the random (non-directed) passes start here, apart from the directed ones.
const RANDOM_ITEMS: u64 = 1 << 32;

/// Observed outcomes per tool (probe tasks and evaluated rounds), for the failure weights.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Observed {
    calls: f64,
    failures: f64,
    reference_rate: f64,
}

fn write_json<T: Serialize>(path: &Path, v: &T) -> Result<(), EvalError> {
    let io = |e: std::io::Error| EvalError::Io {
        path: path.display().to_string(),
        source: e,
    };
    let text = serde_json::to_string_pretty(v).map_err(|e| io(e.into()))?;
    // Written whole, then renamed: a killed run never leaves half a file.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text + "\n").map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// What the store keeps of a finished iteration: enough to write its files again and go on.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Finished {
    row: Iteration,
    kept: Vec<Record>,
    seen: BTreeMap<String, Observed>,
    weights: BTreeMap<String, f64>,
    failure_set: usize,
}

/// The run store's stage of the loop.
pub const STAGE: &str = "loop";

/// Runs the loop into `out`: `probe.json`, `loop.json`, `records.jsonl` (kept samples) and the
/// exports; `progress` gets a line per stage. With a store, the probe and every finished
/// iteration are kept there (each in one transaction) and a rerun resumes after the last one,
/// writing the same files.
pub fn run_loop(
    tools: impl Into<ToolSet>,
    target: &Agent,
    reference: &Agent,
    cfg: &LoopConfig,
    out: &Path,
    store: Option<&hardgen_synth::store::Store>,
    progress: &mut dyn FnMut(&str),
) -> Result<LoopReport, EvalError> {
    let sterr = |e: hardgen_synth::store::StoreError| EvalError::Store {
        path: out.display().to_string(),
        message: e.to_string(),
    };
    let stored = |key: &str| -> Result<Option<String>, EvalError> {
        match store {
            Some(s) => s.result(STAGE, key).map_err(sterr),
            None => Ok(None),
        }
    };
    let keep = |key: &str, v: &str| -> Result<(), EvalError> {
        match store {
            Some(s) => s.put_result(STAGE, key, v).map_err(sterr),
            None => Ok(()),
        }
    };
    let bad = |e: serde_json::Error| EvalError::Data {
        what: out.display().to_string(),
        message: format!("a stored loop result is unreadable: {e}"),
    };
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |e: std::io::Error| EvalError::Io { path: p, source: e }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let tools: Arc<ToolSet> = Arc::new(tools.into());
    // One generator for the probe and every pass: iterations differ by item numbers, directed
    // and random passes by weights (building a generator gathers the worlds' value pools).
    let mut gen = Generator::over(
        tools.clone(),
        GenConfig {
            seed: cfg.seed,
            ..GenConfig::default()
        },
    );
    let probed: ProbeReport = match stored("probe")? {
        Some(t) => serde_json::from_str(&t).map_err(bad)?,
        None => {
            progress("probing");
            let per_tool = store.map(|s| ProbeStore {
                store: s,
                stage: STAGE,
                prefix: "probe:",
            });
            let p = probe_with(
                &mut gen,
                tools.clone(),
                target,
                reference,
                &cfg.probe,
                per_tool,
                &mut |_, _| {},
            )?;
            keep("probe", &serde_json::to_string(&p).map_err(bad)?)?;
            p
        }
    };
    write_json(&out.join("probe.json"), &probed)?;
    let mut seen: BTreeMap<String, Observed> = probed
        .tools
        .iter()
        .map(|(k, p)| {
            (
                k.clone(),
                Observed {
                    calls: p.tasks as f64,
                    failures: p.target_failures as f64,
                    reference_rate: p.reference_rate,
                },
            )
        })
        .collect();
    let mut weights = probed.weights.clone();
    let mut failure_set = probed.failure_set.len();
    let mut env = tools.env(cfg.seed);
    let domain_of = |t: &str| tools.spec(t).map(|s| s.domain.clone()).unwrap_or_default();
    let mut report = LoopReport {
        target: target.name().to_string(),
        reference: reference.name().to_string(),
        iterations: Vec::new(),
    };
    let rpath = out.join("records.jsonl");
    let mut records = std::io::BufWriter::new(std::fs::File::create(&rpath).map_err(io(&rpath))?);
    let export_error = |e: hardgen_export::ExportError| EvalError::Data {
        what: out.display().to_string(),
        message: e.to_string(),
    };
    let mut exporter = hardgen_export::Exporter::create(
        out,
        &[hardgen_export::Format::Openai],
        hardgen_export::ExportOptions::default(),
    )
    .map_err(export_error)?;
    // Kept samples go to records.jsonl and the export, in order (resumed or new alike).
    let mut write_kept = |kept: &[Record]| -> Result<(), EvalError> {
        for rec in kept {
            let line = serde_json::to_string(rec).map_err(bad)?;
            writeln!(records, "{line}").map_err(io(&rpath))?;
            exporter.write(rec).map_err(export_error)?;
        }
        Ok(())
    };
    for it in 0..cfg.iterations {
        if let Some(t) = stored(&format!("iteration-{:04}", it + 1))? {
            let f: Finished = serde_json::from_str(&t).map_err(bad)?;
            write_kept(&f.kept)?;
            (seen, weights, failure_set) = (f.seen, f.weights, f.failure_set);
            report.iterations.push(f.row);
            continue;
        }
        progress(&format!("iteration {}: generating", it + 1));
        let from = it as u64 * cfg.items;
        // Tools with no observation yet keep the floor weight.
        gen.set_weights(&weights, Some(0.02));
        // The graph version this iteration samples from (its failure weights).
        if let Some(s) = store {
            s.put_graph(&format!("loop-iteration-{:04}", it + 1), gen.graph())
                .map_err(sterr)?;
        }
        let directed = generate(&mut gen, from, cfg.items);
        // The same length distribution, targets drawn uniformly (every tool weight 1).
        gen.set_weights(&BTreeMap::new(), Some(1.0));
        let random = generate(&mut gen, RANDOM_ITEMS + from, cfg.items);
        progress(&format!("iteration {}: evaluating", it + 1));
        let d: Report = evaluate(target, &directed, &mut env, &domain_of, &mut |_| Ok(()))?;
        let r: Report = evaluate(target, &random, &mut env, &domain_of, &mut |_| Ok(()))?;
        write_json(&out.join(format!("eval-{}.json", it + 1)), &d)?;
        // Feed back: every evaluated round is one more observation of its target tool.
        for x in &d.rounds {
            let o = seen.entry(x.target.clone()).or_default();
            o.calls += 1.0;
            o.failures += f64::from(u8::from(!x.judged.passed));
        }
        let generated_towards = failure_set;
        failure_set = 0;
        for (tool, o) in &seen {
            let rate = (o.failures + 1.0) / (o.calls + 2.0);
            let failing = rate >= cfg.probe.threshold && o.reference_rate >= cfg.probe.threshold;
            failure_set += usize::from(failing);
            weights.insert(
                tool.clone(),
                crate::probe::failure_weight(o.failures, o.calls, failing),
            );
        }
        let failed: std::collections::BTreeSet<&str> = d
            .rounds
            .iter()
            .filter(|x| !x.judged.passed)
            .map(|x| x.id.as_str())
            .collect();
        let kept: Vec<Record> = directed
            .iter()
            .filter(|rec| cfg.keep == Keep::All || failed.contains(rec.id.as_str()))
            .cloned()
            .collect();
        write_kept(&kept)?;
        let row = Iteration {
            iteration: it + 1,
            failure_set: generated_towards,
            directed: d.overall,
            random: r.overall,
            verified: directed.len(),
            kept: kept.len(),
        };
        let f = Finished {
            row: row.clone(),
            kept,
            seen: seen.clone(),
            weights: weights.clone(),
            failure_set,
        };
        keep(
            &format!("iteration-{:04}", it + 1),
            &serde_json::to_string(&f).map_err(bad)?,
        )?;
        report.iterations.push(row);
    }
    write_json(&out.join("loop.json"), &report)?;
    records.flush().map_err(io(&rpath))?;
    exporter.finish().map_err(export_error)?;
    Ok(report)
}
