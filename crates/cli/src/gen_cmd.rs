//! `hardgen generate`, `hardgen stats` and `hardgen verify`.

use anyhow::{bail, Context, Result};
use clap::Args;
use hardgen_synth::pipeline::GenConfig;
use hardgen_synth::reasoner::ReasonerConfig;
use hardgen_synth::run::{self, RunConfig, RunError, Sink};
use hardgen_synth::toolset::ToolSet;
use hardgen_tools::WorldDef;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `hardgen generate`.
#[derive(Debug, Args)]
pub struct GenerateCmd {
    /// Output directory (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Tool sources, repeatable and mixable: `builtin` (the default, executed),
    /// `file:PATH:simulated` (a spec collection on the simulated executor; records say
    /// `executor: simulated`), `mcp+stdio:"CMD ARGS"` or `mcp+http:URL` (an MCP server; options
    /// after `;`: reset=, state=, template=, pool=, timeout=, retries=, prefix=).
    #[arg(long = "tools", value_name = "SOURCE")]
    tools: Vec<hardgen_tools::source::ToolSource>,
    /// Items to generate (kept plus rejected).
    #[arg(long, default_value_t = 100)]
    n: u64,
    /// Seed: same seed and inputs give byte-identical files.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Rounds per trajectory (multi-turn, one stateful world).
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Export formats (repeat or comma-separate): openai, sharegpt, bfcl, hermes, parquet.
    #[arg(long = "format", value_delimiter = ',', default_value = "openai")]
    formats: Vec<String>,
    /// Distractor tools offered per record.
    #[arg(long, default_value_t = 4)]
    distractors: usize,
    /// Fewest gold calls per round.
    #[arg(long, default_value_t = 1)]
    min_calls: usize,
    /// Most gold calls per round (longer rounds are rejected as `too_long`).
    #[arg(long, default_value_t = 8)]
    max_calls: usize,
    /// Weight of each gold length, as `LEN:WEIGHT` pairs (`2:1,3:2,4:1`); lengths left out get
    /// weight 0. Default: 1:0.08,2:0.2,3:0.35,4:0.3,5:0.04,6:0.01,7:0.01,8:0.01 (mean about 3.3).
    #[arg(long, value_parser = parse_length_weights)]
    length_weights: Option<LengthWeights>,
    /// Most share of rounds whose gold crosses domains (the rest are redrawn).
    #[arg(long, default_value_t = 0.25)]
    cross_domain_share: f64,
    /// Hard variants to mix in, comma-separated, or `all`: `missing_param` (the query leaves
    /// out a value; the assistant asks for it), `missing_function` (a needed tool is offered
    /// only after the assistant says it cannot do that part), `irrelevance` (no offered tool serves the
    /// request; the assistant makes no call and says so), `error_recovery` (the user mistypes a
    /// name, the lookup finds nothing, the assistant asks, the user corrects it), `long_context`
    /// (a lookup reads its largest page and the item needed sits past the first ten results),
    /// `parallel` (independent lookups in one turn). Records carry `variant`.
    #[arg(long, value_parser = parse_variants)]
    variants: Option<Variants>,
    /// Share of items that get one of `--variants`.
    #[arg(long, default_value_t = 0.3)]
    variant_share: f64,
    /// Size a `long_context` round's tool results reach together, in estimated tokens
    /// (characters of compact JSON / 4); rounds under it are redrawn.
    #[arg(long, default_value_t = hardgen_synth::variant::LONG_CONTEXT_TOKENS)]
    long_context_tokens: usize,
    /// Worlds per run (each item uses one, by its number): more entities, less repetition
    /// [default: one per 150 items, from 4 to 64].
    #[arg(long)]
    world_seeds: Option<u32>,
    /// Draws per item before it is rejected (the last rejection is reported).
    #[arg(long, default_value_t = 4)]
    tries: u32,
    /// Chance that an offline reasoner attempt contains a mistake (exercises hints and retries).
    #[arg(long, default_value_t = 0.15)]
    error_rate: f64,
    /// One training example per assistant turn (earlier turns without reasoning).
    #[arg(long)]
    split_turns: bool,
    /// Put reasoning inline as <think>...</think> in the OpenAI export.
    #[arg(long)]
    think_inline: bool,
    /// Target weights (a `hardgen probe` report or a JSON object of tool to weight): rounds aim
    /// at tools in proportion to them, so generation is directed at what agents fail.
    #[arg(long)]
    weights: Option<PathBuf>,
    /// Start over in a directory that holds a run with another configuration (by default such
    /// a run is refused; a run with the same configuration resumes where it stopped).
    #[arg(long)]
    force: bool,
    /// Worker threads (default: all cores); the files do not depend on it.
    #[arg(long)]
    jobs: Option<std::num::NonZeroUsize>,
    /// Model roles (see `hardgen config show`).
    #[command(flatten)]
    llm: crate::config_cmd::LlmFlags,
}

/// Parses `--length-weights`: `LEN:WEIGHT` pairs into weights indexed by length.
fn parse_length_weights(s: &str) -> Result<LengthWeights, String> {
    let mut w = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (l, x) = part
            .split_once(':')
            .ok_or_else(|| format!("`{part}`: expected LEN:WEIGHT"))?;
        let l: usize = l
            .trim()
            .parse()
            .map_err(|_| format!("`{part}`: the length must be a whole number"))?;
        let x: f64 = x
            .trim()
            .parse()
            .map_err(|_| format!("`{part}`: the weight must be a number"))?;
        if !(x.is_finite() && x >= 0.0) || l == 0 || l > 64 {
            return Err(format!("`{part}`: length 1..=64 and a weight of 0 or more"));
        }
        if w.len() <= l {
            w.resize(l + 1, 0.0);
        }
        w[l] = x;
    }
    if w.iter().all(|x| *x <= 0.0) {
        return Err("at least one length needs a positive weight".into());
    }
    Ok(LengthWeights(w))
}

/// Weights by gold length (index = calls), as `--length-weights` gives them.
#[derive(Debug, Clone)]
pub struct LengthWeights(pub Vec<f64>);

/// The worker count of a `--jobs` flag: all cores when absent.
pub fn jobs(flag: Option<std::num::NonZeroUsize>) -> usize {
    flag.map_or_else(
        hardgen_synth::par::default_jobs,
        std::num::NonZeroUsize::get,
    )
}

/// Writes the requested export formats.
struct Exports(hardgen_export::Exporter);

impl Sink for Exports {
    fn encoder(&self) -> run::EncodeFn {
        let enc = self.0.encoder();
        Box::new(move |rec| {
            enc.encode(rec)
                .map(|e| Box::new(e) as run::Encoded)
                .map_err(|e| RunError::Export(e.to_string()))
        })
    }
    fn write(&mut self, _rec: &hardgen_core::Record, e: run::Encoded) -> Result<(), RunError> {
        let e = e
            .downcast::<hardgen_export::Encoded>()
            .map_err(|_| RunError::Export("the export got another sink's rendering".into()))?;
        self.0
            .write_encoded(*e)
            .map_err(|e| RunError::Export(e.to_string()))
    }
    fn finish(self: Box<Self>, summary: &run::Summary) -> Result<Vec<PathBuf>, RunError> {
        self.0
            .finish_with(&summary.figures())
            .map_err(|e| RunError::Export(e.to_string()))
    }
}

/// Runs `hardgen generate`.
/// The tools of `--tools` sources: the built-in world when none (or only `builtin`) is given.
/// The tools a generated directory was made with: a run over other tools names them in its
/// configuration (`tools`), so checks run on the same executor.
/// The `--world` directory a run in `dir` recorded in its `config.json`, if any.
fn recorded_world(dir: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(dir.join("config.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("world")?.as_str().map(PathBuf::from)
}

pub(crate) fn run_tools(dir: &Path, def: Arc<WorldDef>) -> Result<ToolSet> {
    let cpath = dir.join("config.json");
    // Only the `tools` key is read: other stages keep other settings in the same file.
    let tools: Vec<String> = std::fs::read_to_string(&cpath)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| serde_json::from_value(v.get("tools")?.clone()).ok())
        .unwrap_or_default();
    let sources = tools
        .iter()
        .map(|t| t.parse::<hardgen_tools::source::ToolSource>())
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{}: tools", cpath.display()))?;
    tool_set(&sources, def, 0)
}

pub(crate) fn tool_set(
    sources: &[hardgen_tools::source::ToolSource],
    def: Arc<WorldDef>,
    seed: u64,
) -> Result<ToolSet> {
    use hardgen_tools::source::ToolSource;
    let mut parts = Vec::new();
    if sources.is_empty() || sources.contains(&ToolSource::Builtin) {
        parts.push(ToolSet::world(def));
    }
    // Spec files share one simulated executor (ids made by one file's tools are found by another's).
    let files: Vec<ToolSource> = sources
        .iter()
        .filter(|s| matches!(s, ToolSource::File { .. }))
        .cloned()
        .collect();
    if let Some(specs) =
        crate::graph_cmd::foreign_tools(&files, true)?.filter(|_| !files.is_empty())
    {
        parts.push(ToolSet::simulated(specs, seed).context("--tools")?);
    }
    for s in sources {
        if let ToolSource::Mcp(cfg) = s {
            let env = hardgen_tools::mcp::McpEnv::connect(cfg.clone()).context("--tools")?;
            parts.push(ToolSet::mcp(env));
        }
    }
    match parts.len() {
        1 => Ok(parts.remove(0)),
        _ => ToolSet::mixed(parts).map_err(|e| anyhow::anyhow!("--tools: {e}")),
    }
}

pub fn run_generate(cmd: GenerateCmd, world: Option<&Path>, config: Option<&Path>) -> Result<u8> {
    let def = crate::tools_cmd::open(world)?;
    if !(0.0..=1.0).contains(&cmd.cross_domain_share) {
        bail!(
            "--cross-domain-share must be between 0 and 1, got {}",
            cmd.cross_domain_share
        );
    }
    if !(0.0..=1.0).contains(&cmd.variant_share) {
        bail!(
            "--variant-share must be between 0 and 1, got {}",
            cmd.variant_share
        );
    }
    if !(0.0..=1.0).contains(&cmd.error_rate) {
        bail!(
            "--error-rate must be between 0 and 1, got {}",
            cmd.error_rate
        );
    }
    let jobs = jobs(cmd.jobs);
    let formats = cmd
        .formats
        .iter()
        .map(|f| f.parse::<hardgen_export::Format>())
        .collect::<Result<Vec<_>, _>>()?;
    let mut cfg = RunConfig {
        n: cmd.n,
        gen: GenConfig {
            seed: cmd.seed,
            rounds: cmd.rounds.max(1),
            distractors: cmd.distractors,
            min_calls: cmd.min_calls.max(1),
            max_calls: cmd.max_calls.max(cmd.min_calls.max(1)),
            length_weights: cmd.length_weights.clone().map_or_else(
                || hardgen_synth::pipeline::DEFAULT_LENGTH_WEIGHTS.to_vec(),
                |w| w.0,
            ),
            cross_domain_share: cmd.cross_domain_share,
            variants: cmd
                .variants
                .as_ref()
                .map(|v| v.0.iter().map(|x| x.as_str().to_string()).collect())
                .unwrap_or_default(),
            variant_share: cmd.variant_share,
            long_context_tokens: cmd.long_context_tokens,
            world_seeds: cmd
                .world_seeds
                .unwrap_or_else(|| hardgen_synth::pipeline::default_world_seeds(cmd.n))
                .max(1),
            tries: cmd.tries.max(1),
            reasoner: ReasonerConfig {
                error_rate: cmd.error_rate,
                ..ReasonerConfig::default()
            },
            weights: match &cmd.weights {
                Some(p) => crate::graph_cmd::read_weights(p)?.into_iter().collect(),
                None => Default::default(),
            },
            ..GenConfig::default()
        },
        formats: cmd.formats.clone(),
        split_turns: cmd.split_turns,
        think_inline: cmd.think_inline,
        llm: Vec::new(),
        max_cost: None,
        tools: cmd.tools.iter().map(ToString::to_string).collect(),
        world: world.map(|w| {
            std::fs::canonicalize(w)
                .unwrap_or_else(|_| w.to_path_buf())
                .display()
                .to_string()
        }),
    };
    let tools = tool_set(&cmd.tools, def, cmd.seed)?;
    let resolved = crate::config_cmd::resolve(&cmd.llm, config)?;
    let built = crate::config_cmd::build(&resolved, &cmd.out, jobs, cmd.seed)?;
    cfg.llm = built.endpoints.clone();
    cfg.max_cost = resolved.max_cost;
    let roles = built.roles;
    // The roles wait on this runtime until the run ends.
    let _runtime = built.runtime;
    let opts = hardgen_export::ExportOptions {
        split_turns: cmd.split_turns,
        think_inline: cmd.think_inline,
    };
    // Bound before any file is touched: a refused run leaves the directory as it was.
    std::fs::create_dir_all(&cmd.out).with_context(|| format!("creating {}", cmd.out.display()))?;
    let store = hardgen_synth::store::Store::open(&cmd.out)?;
    store.bind_config(
        run::STAGE,
        &serde_json::to_value(&cfg).context("the run configuration")?,
        cmd.force,
    )?;
    let exporter = hardgen_export::Exporter::create(&cmd.out, &formats, opts)
        .with_context(|| format!("creating exports in {}", cmd.out.display()))?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(cmd.n);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} items, {msg} kept, {per_sec}, eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b.set_message("0");
        b
    });
    let mut progress = |done: u64, kept: usize| {
        if let Some(b) = &bar {
            b.set_position(done);
            if done.is_multiple_of(64) || done == cmd.n {
                b.set_message(kept.to_string());
            }
        }
    };
    let (summary, files) = run::generate_with(
        tools,
        &cfg,
        jobs,
        &cmd.out,
        Box::new(Exports(exporter)),
        &mut progress,
        roles,
        Some(&store),
    )?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    say!("{}", summary.table().trim_end_matches('\n'));
    say!("files:");
    for f in files {
        say!("  {}", f.display());
    }
    Ok(0)
}

/// Runs `hardgen stats DIR`.
pub fn run_stats(dir: &Path, json: bool) -> Result<u8> {
    let s = run::stats(dir)?;
    if json {
        say!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        say!("{}", s.table().trim_end_matches('\n'));
    }
    Ok(0)
}

/// Runs `hardgen verify DIR`: exit 0 when every record re-verifies, 4 otherwise.
pub fn run_verify(dir: &Path, world: Option<&Path>) -> Result<u8> {
    // The world the run recorded, unless one is given.
    let recorded = recorded_world(dir);
    let def = crate::tools_cmd::open(world.or(recorded.as_deref()))?;
    let (n, bad) = run::verify_dir(run_tools(dir, def)?, dir)?;
    for (id, why) in &bad {
        say!("FAIL {id}: {why}");
    }
    say!("{} of {n} records verify", n - bad.len());
    Ok(if bad.is_empty() {
        0
    } else {
        crate::exit::UNVERIFIED
    })
}

/// Runs `hardgen status DIR`: progress per stage from the run store.
pub fn run_status(dir: &Path, json: bool) -> Result<u8> {
    let db = dir.join(hardgen_synth::store::FILE);
    if !db.exists() {
        bail!(
            "{}: no run store here (nothing was run in this directory)",
            db.display()
        );
    }
    let store = hardgen_synth::store::Store::open(dir)?;
    let mut stages = Vec::new();
    let mut graphs = Vec::new();
    for stage in store.stages()? {
        if stage == hardgen_synth::store::GRAPH_STAGE {
            // Graph versions are not a stage of work: listed apart.
            graphs = store.result_keys(&stage)?;
            continue;
        }
        let config: serde_json::Value = store
            .meta(&format!("config:{stage}"))?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(serde_json::Value::Null);
        let (done, kept) = store.counts(&stage)?;
        let results = store.result_keys(&stage)?;
        // What "finished" means per stage: all items, or every iteration.
        let total = config
            .get("n")
            .or_else(|| config.get("rounds"))
            .or_else(|| config.get("iterations"))
            .and_then(serde_json::Value::as_u64);
        let count = |prefix: &str| results.iter().filter(|k| k.starts_with(prefix)).count() as u64;
        let (progress, finished) = if config.get("iterations").is_some() {
            let n = count("iteration-");
            (n, total.is_some_and(|t| n >= t))
        } else if stage == hardgen_eval::probe::STAGE {
            // A probe counts tools; it is finished once its report is stored.
            (count("tool:"), results.iter().any(|k| k == "report"))
        } else {
            (done, total.is_some_and(|t| done >= t))
        };
        stages.push(serde_json::json!({
            "stage": stage,
            "done": progress,
            "total": total,
            "finished": finished,
            "items": done,
            "kept": kept,
            "results": results,
        }));
    }
    let v = serde_json::json!({
        "dir": dir.display().to_string(),
        "stages": stages,
        "graph_versions": graphs,
        "model_responses": store.model_responses()?,
    });
    if json {
        say!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    say!("run store {}", db.display());
    for s in &stages {
        let total = s["total"]
            .as_u64()
            .map_or("?".to_string(), |t| t.to_string());
        let state = if s["finished"].as_bool() == Some(true) {
            "finished"
        } else {
            "unfinished (run the same command again to resume)"
        };
        say!(
            "  {:<20} {:>7} / {:<7} {}{}",
            s["stage"].as_str().unwrap_or(""),
            s["done"],
            total,
            state,
            match (s["stage"].as_str(), s["kept"].as_u64()) {
                (Some(st), Some(k)) if st.starts_with("eval:") => format!("; {k} passed"),
                (_, Some(k)) if k > 0 => format!("; {k} kept"),
                _ => String::new(),
            }
        );
    }
    if !graphs.is_empty() {
        say!("  graph versions stored: {}", graphs.join(", "));
    }
    say!("  model responses stored: {}", v["model_responses"]);
    Ok(0)
}

/// The parsed `--variants` list.
#[derive(Debug, Clone)]
pub struct Variants(pub Vec<hardgen_synth::variant::Variant>);

fn parse_variants(s: &str) -> Result<Variants, String> {
    hardgen_synth::variant::parse_list(s).map(Variants)
}
