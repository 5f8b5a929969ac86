//! `hardgen graph` and `hardgen traces`: build, show and score the API graph; sample traces.

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use hardgen_core::ToolSpec;
use hardgen_graph::score::score_edges;
use hardgen_graph::{render, ApiGraph, GraphConfig, Sampler, SamplerConfig};
use hardgen_tools::env::Environment;
use hardgen_tools::source::ToolSource;
use hardgen_tools::{World, WorldDef};
use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `hardgen graph`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GraphCmd {
    #[command(subcommand)]
    sub: Option<GraphSub>,
    #[command(flatten)]
    show: ShowArgs,
}

#[derive(Debug, Subcommand)]
enum GraphSub {
    /// Node and edge counts, and precision/recall against the world's true dependencies.
    Stats {
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
        /// Hand-labelled dependencies to score a foreign tool set against: a JSON array of
        /// `{from_tool, from_field, to_tool, to_param}` (as `hardgen tools deps --json` prints).
        #[arg(long)]
        truth: Option<PathBuf>,
        /// Score this graph file (`hardgen graph --format json`, or one refined by execution:
        /// `hardgen traces --graph-out`) instead of the graph built from the tools' schemas.
        #[arg(long, value_name = "FILE")]
        graph: Option<PathBuf>,
        #[command(flatten)]
        source: Source,
    },
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Output file (default: stdout).
    #[arg(long)]
    out: Option<PathBuf>,
    /// World seed for the value pools (built-in world only).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Failure weights to show (node size in html, border width in dot, `weight` in json): a
    /// `hardgen probe` report (its `weights`) or a JSON object of tool name to weight.
    #[arg(long)]
    weights: Option<PathBuf>,
    #[command(flatten)]
    source: Source,
}

/// Where the tools come from.
#[derive(Debug, Args)]
pub struct Source {
    /// Build from a foreign tool spec file (OpenAI or BFCL); edges come from schema matching only.
    #[arg(long)]
    specs: Option<PathBuf>,
    /// Tool sources, repeatable and mixable: `builtin` (the default), `file:PATH[:simulated]`,
    /// MCP servers (`mcp+stdio:"CMD ARGS"`, `mcp+http:URL`).
    #[arg(long = "tools", value_name = "SOURCE")]
    tools: Vec<ToolSource>,
}

impl Source {
    /// Specs to build from (None: the built-in world alone); `open` gives the built-in world
    /// when it is one source among others.
    fn foreign(&self, open: &impl Fn() -> Result<Arc<WorldDef>>) -> Result<Option<Vec<ToolSpec>>> {
        if let Some(p) = &self.specs {
            return Ok(Some(foreign(p)?));
        }
        let Some(specs) = foreign_tools(&self.tools, false)? else {
            return Ok(None);
        };
        if !self.tools.contains(&ToolSource::Builtin) {
            return Ok(Some(specs));
        }
        let mut all = open()?.specs.clone();
        for t in specs {
            if all.iter().any(|x| x.name == t.name) {
                bail!(
                    "--tools: tool `{}` is given by two sources (an MCP source can rename its \
                     tools with ;prefix=NAME_)",
                    t.name
                );
            }
            all.push(t);
        }
        Ok(Some(all))
    }
}

/// The specs of the file and MCP sources of `--tools`, in order (the built-in world's are the
/// caller's): None for the built-in world alone. A file that must be executed
/// (`need_executor`) must be marked `:simulated`; an MCP server gives its tool listing.
pub fn foreign_tools(sources: &[ToolSource], need_executor: bool) -> Result<Option<Vec<ToolSpec>>> {
    if sources.iter().all(|s| *s == ToolSource::Builtin) {
        return Ok(None);
    }
    let mut specs: Vec<ToolSpec> = Vec::new();
    for s in sources {
        let (from, listed) = match s {
            ToolSource::File { path, simulated } => {
                if need_executor && !simulated {
                    bail!(
                        "--tools file:{p}: a spec file has no executor; use file:{p}:simulated",
                        p = path.display()
                    );
                }
                (path.display().to_string(), foreign(path)?)
            }
            ToolSource::Mcp(cfg) => {
                let env = hardgen_tools::mcp::McpEnv::connect(cfg.clone()).context("--tools")?;
                (
                    cfg.label().to_string(),
                    hardgen_tools::Environment::specs(&env).to_vec(),
                )
            }
            ToolSource::Builtin => continue,
        };
        for t in listed {
            if specs.iter().any(|x| x.name == t.name) {
                bail!(
                    "{from}: tool `{}` is already given by an earlier source",
                    t.name
                );
            }
            specs.push(t);
        }
    }
    Ok(Some(specs))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// The graph as JSON (versioned, re-readable).
    Json,
    /// Graphviz DOT.
    Dot,
    /// A self-contained HTML page with an SVG drawing.
    Html,
}

/// `hardgen traces`.
#[derive(Debug, Args)]
pub struct TracesCmd {
    /// Number of traces.
    #[arg(long, default_value_t = 10)]
    n: u64,
    /// Seed: the world is reset to it, and trace i samples from stream (seed, i).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Target tool of the first round (default: drawn by failure weight).
    #[arg(long)]
    target: Option<String>,
    /// Rounds per trace, each with a new target, in one stateful world.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Most calls per round.
    #[arg(long, default_value_t = 8)]
    max_calls: usize,
    /// Use this graph (from `hardgen graph --format json`, e.g. with failure weights) instead of building one.
    #[arg(long)]
    graph: Option<PathBuf>,
    /// Output file (default: stdout), JSON Lines.
    #[arg(long)]
    out: Option<PathBuf>,
    /// After sampling, write the graph refined by the traces' execution evidence (provenance
    /// edges confirmed or added, rejected values counted) to this file.
    #[arg(long)]
    graph_out: Option<PathBuf>,
    /// Worker threads (default: all cores); the output does not depend on it.
    #[arg(long)]
    jobs: Option<std::num::NonZeroUsize>,
    /// Tool sources, repeatable and mixable: `builtin` (the default), `file:PATH:simulated`
    /// (calls run on the simulated executor; every trace then says `"guarantee": "simulated"`),
    /// or MCP servers (`mcp+stdio:"CMD ARGS"`, `mcp+http:URL`), executed on the server.
    #[arg(long = "tools", value_name = "SOURCE")]
    tools: Vec<ToolSource>,
}

fn load_graph(specs: &[ToolSpec]) -> ApiGraph {
    ApiGraph::from_specs(specs, GraphConfig::default())
}

fn write_out(out: Option<&Path>, text: &str) -> Result<()> {
    match out {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display())),
        None => Ok(std::io::stdout().lock().write_all(text.as_bytes())?),
    }
}

fn foreign(p: &Path) -> Result<Vec<ToolSpec>> {
    Ok(hardgen_tools::import::load_specs(p)?)
}

/// Runs `hardgen graph ...`.
pub fn run_graph(cmd: GraphCmd, open: impl Fn() -> Result<Arc<WorldDef>>) -> Result<u8> {
    match cmd.sub {
        Some(GraphSub::Stats {
            json,
            truth: truth_file,
            graph,
            source,
        }) => {
            let (mut g, mut truth) = match source.foreign(&open)? {
                Some(specs) => (load_graph(&specs), None),
                None => {
                    let def = open()?;
                    (load_graph(&def.specs), Some(def.dependencies()))
                }
            };
            if let Some(p) = &graph {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading {}", p.display()))?;
                g = ApiGraph::from_json(&text).with_context(|| format!("{}", p.display()))?;
            }
            if let Some(p) = &truth_file {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading {}", p.display()))?;
                let deps: Vec<hardgen_tools::Dependency> = serde_json::from_str(&text)
                    .with_context(|| {
                        format!(
                            "{}: expected an array of {{from_tool, from_field, to_tool, to_param}}",
                            p.display()
                        )
                    })?;
                truth = Some(deps);
            }
            let score = truth.as_ref().map(|t| score_edges(&g, t));
            let sampler = Sampler::new(g.clone(), SamplerConfig::default());
            let reachable = sampler.depths().iter().filter(|d| d.is_some()).count();
            let mut pairs: Vec<(usize, usize)> = g.edges.iter().map(|e| (e.from, e.to)).collect();
            pairs.sort_unstable();
            pairs.dedup();
            let cross = pairs
                .iter()
                .filter(|(a, b)| g.nodes[*a].domain != g.nodes[*b].domain)
                .count();
            let v = serde_json::json!({
                "nodes": g.nodes.len(),
                "edges": g.edges.len(),
                "tool_pairs": pairs.len(),
                "cross_domain_pairs": cross,
                "reachable_tools": reachable,
                "precision": score.map(|s| s.precision),
                "recall": score.map(|s| s.recall),
                "true_edges": score.map(|s| s.actual),
                "format_version": g.format_version,
                "revision": g.revision,
            });
            if json {
                say!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for (k, x) in v.as_object().into_iter().flatten() {
                    say!("{k:<20} {x}");
                }
            }
            Ok(0)
        }
        None => {
            let a = cmd.show;
            let (g, title) = match a.source.foreign(&open)? {
                Some(specs) => {
                    let from = match &a.source.specs {
                        Some(p) => p.display().to_string(),
                        None => format!("{} tools", specs.len()),
                    };
                    (load_graph(&specs), format!("API graph of {from}"))
                }
                None => {
                    let def = open()?;
                    let g = load_graph(&def.specs);
                    // Pools gathered from the world belong to P.
                    let mut s = Sampler::new(g, SamplerConfig::default());
                    let mut w = World::new(def.clone(), a.seed);
                    let pools = s.harvest(&mut w, a.seed);
                    let mut g = s.graph().clone();
                    g.pools = pools;
                    (g, "hardgen API graph: built-in world".to_string())
                }
            };
            let mut g = g;
            if let Some(p) = &a.weights {
                for (name, w) in read_weights(p)? {
                    if g.node(&name).is_none() {
                        bail!("{}: weights.{name}: no such tool in the graph", p.display());
                    }
                    g.set_weight(&name, w);
                }
            }
            let text = match a.format {
                Format::Json => g.to_json() + "\n",
                Format::Dot => render::to_dot(&g),
                Format::Html => render::to_html(&g, &title),
            };
            write_out(a.out.as_deref(), &text)?;
            Ok(0)
        }
    }
}

/// Reads failure weights: a probe report's `weights`, or a bare object of tool to weight.
pub fn read_weights(p: &Path) -> Result<Vec<(String, f64)>> {
    let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", p.display()))?;
    let (obj, at) = match v.get("weights") {
        Some(w) => (w, "weights."),
        None => (&v, ""),
    };
    let Some(obj) = obj.as_object() else {
        bail!(
            "{}: {at}expected an object of tool name to weight",
            p.display()
        );
    };
    obj.iter()
        .map(|(k, x)| match x.as_f64() {
            Some(w) if w >= 0.0 && w.is_finite() => Ok((k.clone(), w)),
            _ => bail!("{}: {at}{k}: expected a weight >= 0, got {x}", p.display()),
        })
        .collect()
}

/// Runs `hardgen traces ...`.
pub fn run_traces(cmd: TracesCmd, def: Arc<WorldDef>) -> Result<u8> {
    let tools = crate::gen_cmd::tool_set(&cmd.tools, def, cmd.seed)?;
    let graph = match &cmd.graph {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            ApiGraph::from_json(&text).with_context(|| format!("{}", p.display()))?
        }
        None => load_graph(&tools.specs),
    };
    let target = match &cmd.target {
        Some(name) => match graph.node(name) {
            Some(t) => Some(t),
            None => bail!("unknown target tool `{name}`"),
        },
        None => None,
    };
    let cfg = SamplerConfig {
        rounds: cmd.rounds.max(1),
        max_calls: cmd.max_calls.max(1),
        entity_pools: !tools.is_builtin(),
        ..SamplerConfig::default()
    };
    let mut sampler = Sampler::new(graph, cfg);
    if let Some(t) = target {
        if sampler.depths()[t].is_none() {
            bail!(
                "target `{}` cannot be reached: no tool that can be called returns its required {}",
                sampler.graph().nodes[t].name,
                sampler
                    .unproduced(t)
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let mut env = tools.env(cmd.seed);
    let pools = hardgen_synth::pipeline::value_pools(&mut sampler, &mut env, cmd.seed);
    sampler.set_pools(pools);
    // Calls that no real tool ran say so on every trace.
    let guarantee = tools
        .executor()
        .contains(hardgen_tools::sim::GUARANTEE)
        .then_some(hardgen_tools::sim::GUARANTEE);
    sample_traces(&cmd, sampler, env, guarantee)
}

/// Samples `cmd.n` traces in `env` (one copy per worker) and writes them; `guarantee` is
/// stated on every trace when the calls were not executed by a real tool.
fn sample_traces<E: Environment + Clone + Send>(
    cmd: &TracesCmd,
    sampler: Sampler,
    world: E,
    guarantee: Option<&str>,
) -> Result<u8> {
    let target = match &cmd.target {
        Some(name) => sampler.graph().node(name),
        None => None,
    };
    let jobs = crate::gen_cmd::jobs(cmd.jobs);
    let mut out: Box<dyn Write> = match &cmd.out {
        Some(p) => Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let targets: Vec<usize> = target.into_iter().collect();
    let mut refined = cmd.graph_out.as_ref().map(|_| sampler.graph().clone());
    let keep = refined.is_some();
    let jobs = usize::try_from(cmd.n).map_or(jobs, |n| jobs.min(n)).max(1);
    let worlds = vec![world; jobs];
    // Each worker samples in its own world; lines are written (and the graph refined) in order.
    let work = |world: &mut E, i: u64| {
        let mut rng =
            ChaCha8Rng::seed_from_u64(hardgen_tools::world::stream_seed(cmd.seed, 0x7EACE, i));
        let t = sampler.sample(
            world,
            cmd.seed,
            format!("tr-s{}-{i:06}", cmd.seed),
            &targets,
            &mut rng,
        );
        let line = match guarantee {
            None => serde_json::to_vec(&t),
            Some(g) => serde_json::to_value(&t).and_then(|mut v| {
                if let Some(m) = v.as_object_mut() {
                    m.insert("guarantee".into(), g.into());
                }
                serde_json::to_vec(&v)
            }),
        };
        (line, keep.then_some(t))
    };
    hardgen_synth::par::ordered(cmd.n, worlds, &work, &mut |_, (line, t)| -> Result<()> {
        if let (Some(g), Some(t)) = (refined.as_mut(), t) {
            g.observe(&t);
        }
        out.write_all(&line?)?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    if let (Some(g), Some(p)) = (refined, &cmd.graph_out) {
        std::fs::write(p, g.to_json() + "\n")
            .with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(0)
}
