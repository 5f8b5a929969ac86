//! One item end to end: sample and execute a trace, make advanced tools, write hard queries, run
//! the reasoner against a fresh world with verification and retries, and assemble the record.

use crate::maker::{self, Made};
use crate::reasoner::{self, ReasonerConfig};
use crate::roles::seams::{
    ModelHinted, ModelMade, OfflineQueryWriter, OfflineReasoner, OfflineToolMaker, QueryWriter,
    Rewritten, RuleVerifier, ToolMaker, Verifier,
};
use crate::roles::{
    self, ModelReasoner, ModelToolMaker, ModelVerifier, QueryRewriter, QueryTask, ReasonTask,
    RoleError, VerifyTask,
};
use crate::toolset::ToolSet;
use crate::variant::{self, Variant};
use crate::{distract, phrase, query, verify};
use hardgen_core::record::{
    standard_variant, Difficulty, Generators, Message, RepairNote, RepairRole, Verdict,
};
use hardgen_core::{Reason, Record, Rejection, Round, Stage};
use hardgen_graph::schema::values_at;
use hardgen_graph::{ApiGraph, GraphConfig, Pools, Sampler, SamplerConfig};
use hardgen_tools::world::stream_seed;
use hardgen_tools::{AnyEnv, Environment, WorldDef};
use rand::rngs::ChaCha8Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Settings of generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GenConfig {
    /// World seed; item i samples from stream (seed, i).
    pub seed: u64,
    /// Rounds per trajectory.
    pub rounds: usize,
    /// Distractor tools offered per record.
    pub distractors: usize,
    /// Fewest gold calls in a round (shorter rounds are rejected as too easy).
    pub min_calls: usize,
    /// Most calls per sampled round.
    pub max_calls: usize,
    /// Reasoner slips and hint uptake.
    pub reasoner: ReasonerConfig,
    /// Verifier attempts before a sample is discarded.
    pub max_attempts: u32,
    /// Relative weight of each gold length (index = calls): each round draws a wanted length
    /// in `min_calls..=max_calls` by these weights and aims at a target that needs that many.
    pub length_weights: Vec<f64>,
    /// Share of draws that may cross domains (so at most this share of rounds does); the others
    /// keep to their target's domain, and are redrawn if their gold crosses all the same.
    pub cross_domain_share: f64,
    /// Draws per item: a rejected draw is retried from a fresh random stream up to this many times.
    pub tries: u32,
    /// Worlds per run: item i uses world seed number `i mod world_seeds` (the first is `seed`).
    /// See [`default_world_seeds`].
    pub world_seeds: u32,
    /// Target weights by tool (failure weights from probing and evaluation): a round's target is
    /// drawn in proportion to them; tools left out keep weight 1.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub weights: BTreeMap<String, f64>,
    /// Hard variants to draw (`missing_param`, `irrelevance`; see [`crate::variant`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
    /// Share of items that get one of `variants`.
    pub variant_share: f64,
    /// Size a long-context round's tool results reach together, in estimated tokens
    /// ([`variant::est_tokens`]); rounds that stay under it are redrawn.
    pub long_context_tokens: usize,
}

/// A trace length is drawn as often as the length weights say when at least one in this many
/// targets reaches it; with fewer, shorter lengths stand in part of the time (in proportion).
/// On 120 functions of BFCL live_multiple, where 3 tools take another's output, those 3 were
/// 90% of the items; a world of a handful of tools keeps its chains.
const SPREAD_RATIO: usize = 6;

/// A length is drawn in full only when at least this many targets reach it (or all there are,
/// when fewer), whatever the world's size: in tau-bench's 16 retail tools one tool was the only
/// one two calls deep, and took 90% of the items (half with this; 4 made small worlds' traces
/// short and their items duplicates).
const SPREAD_MIN: usize = 2;

/// Default length weights (index = gold calls): mean above 3.2, most rounds 3+, a tail to 8.
/// The weights from 5 on are small because few targets are that deep (and authorizations
/// lengthen shallower ones): larger ones make a handful of long chains (a file version
/// discarded, an audit passed) several percent of the data each.
pub const DEFAULT_LENGTH_WEIGHTS: [f64; 9] = [0.0, 0.08, 0.2, 0.35, 0.3, 0.04, 0.01, 0.01, 0.01];

/// Worlds for a run of `n` items: one per 150 items, from 4 to 64. A world holds about a
/// hundred items of each kind, so a large run on few worlds names the same items again and
/// again; each world costs its harvest once (about 0.1 s) and about 7 MB (10k items: 32
/// worlds peak at 371 MB, 64 at 602 MB).
pub fn default_world_seeds(n: u64) -> u32 {
    u32::try_from((n / 150).clamp(4, 64)).unwrap_or(64)
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            seed: 0,
            rounds: 1,
            distractors: 4,
            min_calls: 1,
            max_calls: 8,
            reasoner: ReasonerConfig::default(),
            max_attempts: 3,
            length_weights: DEFAULT_LENGTH_WEIGHTS.to_vec(),
            cross_domain_share: 0.25,
            tries: 4,
            world_seeds: 4,
            weights: BTreeMap::new(),
            variants: Vec::new(),
            variant_share: 0.3,
            long_context_tokens: variant::LONG_CONTEXT_TOKENS,
        }
    }
}

/// Kept or rejected.
pub type Outcome = Result<Record, Rejection>;

/// Generates items; holds the world, graph and sampler.
#[derive(Clone)]
pub struct Generator {
    tools: Arc<ToolSet>,
    /// One sampler per world seed (each with the value pools of its world); shared by the
    /// job threads' clones, which only read it.
    samplers: Vec<(u64, Arc<Sampler>)>,
    /// Per tool index: whether it reads a list by pages (long-context targets follow one).
    paged_lists: Vec<bool>,
    /// One world per world seed: a world keeps its seed's generated tables across resets.
    worlds: Vec<AnyEnv>,
    cfg: GenConfig,
    /// Tool words and domains for distractors, prepared once.
    catalog: distract::Catalog,
    /// The query writer (offline: the realizer's checked draft).
    query_writer: Arc<dyn QueryWriter>,
    /// A role's infrastructure failure in the current item: it ends the run, not the sample.
    fatal: Option<RoleError>,
    /// A model in the reasoner role (None: the offline reasoner narrates the gold).
    model_reasoner: Option<Arc<dyn ModelReasoner>>,
    /// The tool maker (offline: the tool as its steps give it).
    tool_maker: Arc<dyn ToolMaker>,
    /// The verifier's hint writer (offline: the rule hint; the rules always decide).
    verifier: Arc<dyn Verifier>,
}

impl Generator {
    /// Builds the graph and sampler over the built-in world `def` and gathers value pools at
    /// the seed.
    pub fn new(def: Arc<WorldDef>, cfg: GenConfig) -> Generator {
        Generator::over(Arc::new(ToolSet::world(def)), cfg)
    }

    /// Builds the graph and sampler over any tools (see [`ToolSet`]) and gathers value pools
    /// at the seed: from the world's data, or for simulated tools from the executor's pools.
    pub fn over(tools: Arc<ToolSet>, cfg: GenConfig) -> Generator {
        Generator::over_jobs(tools, cfg, 1)
    }

    /// [`Generator::over`] with the worlds' harvests spread over `jobs` threads (each world's
    /// pools depend only on its seed, so the generator is the same whatever `jobs` is).
    pub fn over_jobs(tools: Arc<ToolSet>, cfg: GenConfig, jobs: usize) -> Generator {
        let graph = ApiGraph::from_specs(&tools.specs, GraphConfig::default());
        let scfg = SamplerConfig {
            rounds: cfg.rounds.max(1),
            // Room for failed calls on the way to a deep target (the gold keeps only what the
            // target needs).
            max_calls: cfg.max_calls.max(1) + 4,
            // Calls after the target never enter the gold: a round mostly stops once reached.
            stop_prob: 0.9,
            max_failures_per_tool: 5,
            same_domain_bias: 1.0 - cfg.cross_domain_share.clamp(0.0, 1.0) / 2.0,
            retarget: 3,
            // The built-in world's domains hold one kind of object each; other tool sets may not.
            entity_pools: !tools.is_builtin(),
            ..SamplerConfig::default()
        };
        let mut base = Sampler::new(graph, scfg);
        // A simulated read or computation with no result schema (`get_weather_forecast`,
        // `convert_currency` in a bare OpenAI collection) can only echo its arguments: as a
        // target, its answer would tell the user nothing ("city ID CIT-1, days 3"). It stays a
        // step and a distractor; a weight given on the command line still counts.
        let computes = |name: &str| {
            matches!(
                crate::phrase::name_verb(name).as_str(),
                "convert"
                    | "calculate"
                    | "compute"
                    | "estimate"
                    | "translate"
                    | "summarize"
                    | "summarise"
                    | "predict"
                    | "analyze"
                    | "analyse"
                    | "recommend"
                    | "suggest"
            )
        };
        for s in &tools.specs {
            if s.returns.is_none()
                && (crate::toolset::reads(s) || computes(&s.name))
                && tools.simulates(&s.name)
            {
                base.set_weight(&s.name, 0.0);
            }
        }
        for (name, w) in &cfg.weights {
            base.set_weight(name, *w);
        }
        // Several worlds per run, so the data does not keep meeting the same few entities.
        // A server is not seeded: one world serves every item.
        let worlds_n = if !tools.seeded() {
            1
        } else {
            cfg.world_seeds.max(1)
        };
        let seeds: Vec<u64> = (0..u64::from(worlds_n))
            .map(|k| {
                if k == 0 {
                    cfg.seed
                } else {
                    stream_seed(cfg.seed, 0x5EED, k)
                }
            })
            .collect();
        let harvest = |ws: u64| {
            let mut world = tools.env(ws);
            let mut sampler = base.clone();
            let pools = value_pools(&mut sampler, &mut world, ws);
            sampler.set_pools(pools);
            (world, (ws, Arc::new(sampler)))
        };
        let mut worlds = Vec::with_capacity(seeds.len());
        let mut samplers = Vec::with_capacity(seeds.len());
        let threads = jobs.clamp(1, seeds.len().max(1));
        let put = crate::par::ordered(
            seeds.len() as u64,
            vec![(); threads],
            &|_, k| harvest(seeds[k as usize]),
            &mut |_, (world, sampler)| {
                worlds.push(world);
                samplers.push(sampler);
                Ok::<(), std::convert::Infallible>(())
            },
        );
        let Ok(()) = put;
        let names: Vec<String> = tools.specs.iter().map(|s| s.name.clone()).collect();
        let domains: Vec<String> = tools.specs.iter().map(|s| s.domain.clone()).collect();
        let catalog = distract::Catalog::new(&names, &domains);
        let paged_lists = tools.specs.iter().map(variant::reads_in_pages).collect();
        Generator {
            tools,
            samplers,
            paged_lists,
            worlds,
            cfg,
            catalog,
            query_writer: Arc::new(OfflineQueryWriter),
            fatal: None,
            model_reasoner: None,
            tool_maker: Arc::new(OfflineToolMaker),
            verifier: Arc::new(RuleVerifier),
        }
    }

    /// Sets target weights: the listed tools get theirs, every other tool gets `others`
    /// (`None` keeps its weight). A probe aims at one tool with `others = Some(0.0)`.
    pub fn set_weights(&mut self, weights: &BTreeMap<String, f64>, others: Option<f64>) {
        for (_, s) in &mut self.samplers {
            let s = Arc::make_mut(s);
            if let Some(o) = others {
                s.set_all_weights(o);
            }
            for (name, w) in weights {
                s.set_weight(name, *w);
            }
        }
    }

    /// The API graph sampled from, with its current failure weights.
    pub fn graph(&self) -> &ApiGraph {
        self.samplers[0].1.graph()
    }

    /// The settings.
    pub fn config(&self) -> &GenConfig {
        &self.cfg
    }

    fn reject(id: &str, stage: Stage, reason: Reason, detail: String) -> Rejection {
        Rejection {
            id: id.to_string(),
            stage,
            reason,
            detail,
            variant: standard_variant(),
        }
    }

    /// Has `rewriter` (a model) rewrite every query the offline realizer writes; the rewrite
    /// must pass the same checks.
    pub fn with_query_rewriter(mut self, rewriter: Arc<dyn QueryRewriter>) -> Generator {
        self.query_writer = Arc::new(Rewritten(rewriter));
        self
    }

    /// Has `reasoner` (a model) attempt every round from what an agent would see: the query,
    /// the offered tools, the advanced tool's description and the verifier's hints so far.
    pub fn with_model_reasoner(mut self, reasoner: Arc<dyn ModelReasoner>) -> Generator {
        self.model_reasoner = Some(reasoner);
        self
    }

    /// Has `maker` (a model) name and describe every advanced tool; its answer must keep the
    /// tool's inputs and result (checked), or the round is rejected.
    pub fn with_model_tool_maker(mut self, maker: Arc<dyn ModelToolMaker>) -> Generator {
        self.tool_maker = Arc::new(ModelMade(maker));
        self
    }

    /// Has `verifier` (a model) write the hint after each failed attempt; the rule checks still
    /// decide, and a hint that gives a gold value away is replaced by the rule hint.
    pub fn with_model_verifier(mut self, verifier: Arc<dyn ModelVerifier>) -> Generator {
        self.verifier = Arc::new(ModelHinted(verifier));
        self
    }

    /// The tools a record offers: the gold's tools (first-seen order) and distractors, shuffled.
    /// Returns (used, distractors, offered).
    fn offer<'a>(
        &self,
        gold: impl Iterator<Item = &'a hardgen_core::record::GoldCall>,
        rng: &mut ChaCha8Rng,
    ) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
        let mut used: Vec<usize> = Vec::new();
        for g in gold {
            if let Some(&t) = self.tools.by_name.get(&g.name) {
                if !used.contains(&t) {
                    used.push(t);
                }
            }
        }
        let extra = self.catalog.pick(&used, self.cfg.distractors, rng);
        let mut offered: Vec<usize> = used.iter().chain(extra.iter()).copied().collect();
        offered.shuffle(rng);
        (used, extra, offered)
    }

    /// Like [`Generator::item`], but a role's infrastructure failure (a model server that cannot
    /// be reached) is an error of the run instead of a rejected sample.
    pub fn try_item(&mut self, i: u64) -> Result<Outcome, RoleError> {
        let out = self.item(i);
        match self.fatal.take() {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Generates item `i` (deterministic in seed and i): up to `tries` draws, the first kept one
    /// wins; when all are rejected the last rejection is returned.
    pub fn item(&mut self, i: u64) -> Outcome {
        // Executor events from before this item are not this item's.
        let w = self.world_of(i);
        self.worlds[w].take_events();
        let mut last = None;
        let chosen = self.variant_of(i);
        // Variants that need a particular trace get more draws to find one (a long read with
        // an item buried past its first page, two independent calls, an input to leave out):
        // on a 2k run with half the items varied, 16 draws keep 99% of long-context items
        // where 4 kept 56%; a draw that fits returns at once, so kept items cost no more.
        let tries = self.cfg.tries.max(1)
            * match chosen {
                Variant::LongContext => 16,
                Variant::Parallel => 8,
                Variant::ErrorRecovery | Variant::MissingParam => 4,
                _ => 1,
            };
        for t in 0..tries {
            match self.draw(i, t, chosen) {
                Ok(r) => return Ok(r),
                Err(e) => last = Some(e),
            }
            if self.fatal.is_some() {
                break;
            }
        }
        let mut e = last.unwrap_or_else(|| {
            Self::reject(
                &format!("hg-s{}-{i:06}", self.cfg.seed),
                Stage::Sampler,
                Reason::NoDraw,
                String::new(),
            )
        });
        e.variant = chosen.as_str().to_string();
        Err(e)
    }

    /// The hard variant of item `i` (single-round runs only), from its own stream: a run
    /// without variants draws exactly as before.
    fn variant_of(&self, i: u64) -> Variant {
        if self.cfg.rounds.max(1) != 1 {
            return Variant::Standard;
        }
        let wanted: Vec<Variant> = self
            .cfg
            .variants
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect();
        variant::pick(self.cfg.seed, i, &wanted, self.cfg.variant_share)
    }

    /// A wanted gold length, drawn by the configured weights within `min_calls..=max_calls`.
    fn wanted_length(&self, rng: &mut ChaCha8Rng) -> usize {
        let lo = self.cfg.min_calls.max(1);
        let hi = self.cfg.max_calls.max(lo);
        let w: Vec<f64> = (lo..=hi)
            .map(|l| {
                self.cfg
                    .length_weights
                    .get(l)
                    .copied()
                    .unwrap_or(0.0)
                    .max(0.0)
            })
            .collect();
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            return lo;
        }
        let mut r = rng.random_range(0.0..total);
        for (k, x) in w.iter().enumerate() {
            if r < *x {
                return lo + k;
            }
            r -= x;
        }
        hi
    }

    /// What the verifier is shown after a failed attempt.
    fn verify_task(query: &str, att: &reasoner::Attempt, checked: &verify::Checked) -> VerifyTask {
        let calls = att
            .calls
            .iter()
            .map(|(c, out)| {
                let res = match out {
                    Ok(v) => reasoner::summarize(v),
                    Err(e) => format!("error {}", e.kind()),
                };
                format!(
                    "{}({}) -> {res}",
                    c.name,
                    serde_json::Value::Object(c.arguments.clone())
                )
            })
            .collect();
        VerifyTask {
            query: query.to_string(),
            calls,
            answer: att.answer.clone(),
            failed: checked
                .checks
                .iter()
                .filter(|(_, ok)| !**ok)
                .map(|(k, _)| k.clone())
                .collect(),
            findings: checked.hints.clone(),
        }
    }

    /// The index of the world (and sampler) item `i` runs on.
    fn world_of(&self, i: u64) -> usize {
        usize::try_from(i % self.samplers.len().max(1) as u64).unwrap_or(0)
    }

    /// One draw of item `i` for variant `chosen`: draw `t` uses its own random stream.
    fn draw(&mut self, i: u64, t: u32, chosen: Variant) -> Outcome {
        let id = format!("hg-s{}-{i:06}", self.cfg.seed);
        let w = self.world_of(i);
        let seed = self.samplers[w].0;
        // A world of many items (an earlier long-context draw's) is not this draw's world.
        self.worlds[w].set_list_tokens(None);
        let mut list_tokens = None;
        let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(
            self.cfg.seed,
            0x9E7 + u64::from(t) * 0x1_0000,
            i,
        ));
        // Each round aims at a target that needs the wanted number of calls (or the deepest
        // there is); targets that cannot yield `min_calls` calls are never drawn.
        let floor = u32::try_from(self.cfg.min_calls.saturating_sub(1)).unwrap_or(0);
        let mut targets: Vec<usize> = Vec::new();
        let mut fan_out = false;
        for _ in 0..self.cfg.rounds.max(1) {
            let want = u32::try_from(self.wanted_length(&mut rng).saturating_sub(1)).unwrap_or(0);
            let mut depth = want.max(floor);
            let sampler = &self.samplers[w].1;
            // A parallel item aims at a target that takes values from two lookups; where the
            // tools have none, at any target, whose lookup is then made for two entities.
            if chosen == Variant::Parallel {
                if let Some(t) = sampler.pick_target_fan_in(&mut rng, 2) {
                    targets.push(t);
                    continue;
                }
                fan_out = true;
            }
            // A long-context item aims at a target downstream of a list read by pages.
            if chosen == Variant::LongContext {
                if let Some(t) = sampler.pick_target_fed_by(&mut rng, &self.paged_lists) {
                    targets.push(t);
                    continue;
                }
            }
            // A length only one or two tools reach would make most of a small world's items
            // the same task (87% of a 20-tool trading collection was one chain): the fewer
            // targets that deep, the more often a shorter length is taken instead.
            // No target that deep: the deepest there is stands in, spread the same way.
            let all = sampler.targets_deeper_than(floor);
            let enough = (all / SPREAD_RATIO).max(SPREAD_MIN.min(all)) as f64;
            while depth > floor {
                let n = sampler.targets_deeper_than(depth) as f64;
                if n >= enough || (n > 0.0 && rng.random_bool(n / enough)) {
                    break;
                }
                depth -= 1;
            }
            let picked = loop {
                if let Some(t) = sampler
                    .pick_target_at_depth(&mut rng, depth)
                    .or_else(|| sampler.pick_target_deeper_than(&mut rng, depth))
                {
                    break Some(t);
                }
                if depth <= floor {
                    break None;
                }
                depth -= 1;
            };
            targets.extend(picked);
        }
        // Whether this draw may cross domains is settled before sampling, from its own stream:
        // a draw that may not keeps to its target's domain, instead of being run in full and
        // then thrown away for crossing.
        let share = self.cfg.cross_domain_share.clamp(0.0, 1.0);
        let cross_ok = ChaCha8Rng::seed_from_u64(stream_seed(
            self.cfg.seed,
            0xC205 + u64::from(t) * 0x1_0000,
            i,
        ))
        .random_bool(share);
        let bias = if cross_ok {
            (1.0 - 2.0 * share).max(0.0)
        } else {
            1.0
        };
        let trace = self.samplers[w].1.sample_biased(
            &mut self.worlds[w],
            seed,
            id.clone(),
            &targets,
            &mut rng,
            bias,
        );
        let tools = self.tools.clone();
        let specs = SpecIndex(&*tools);
        let mut mades: Vec<Made> = Vec::new();
        for r in 0..trace.targets.len() {
            match maker::make(&trace, r, &specs, self.cfg.min_calls, self.cfg.max_calls) {
                Ok(m) => mades.push(m),
                Err(e) => return Err(Self::reject(&id, Stage::ToolMaker, e.reason, e.detail)),
            }
        }
        if mades.is_empty() {
            return Err(Self::reject(
                &id,
                Stage::ToolMaker,
                Reason::NoRounds,
                "the sampler produced no round".into(),
            ));
        }
        let chosen = if mades.len() == 1 {
            chosen
        } else {
            Variant::Standard
        };
        let mut vrng = ChaCha8Rng::seed_from_u64(stream_seed(
            self.cfg.seed,
            0x7A42 + u64::from(t) * 0x1_0000,
            i,
        ));
        // Picks by an attribute a list can filter on become that filter (a long-context round
        // keeps its long read, and is narrowed after it).
        let mut narrowed = chosen != Variant::LongContext
            && maker::narrow_all(&mut mades, &specs, &mut self.worlds[w], seed);
        let read_only = |n: &str| {
            self.tools
                .by_name
                .get(n)
                .is_some_and(|&t| self.tools.read_only[t])
        };
        if chosen == Variant::Parallel && !variant::has_parallel_step(&mades[0]) {
            let detail = if fan_out {
                let sampler = &self.samplers[w].1;
                let pool = |tool: &str, arg: &str| sampler.pool_values(tool, arg);
                match variant::fan_out(
                    &mades[0],
                    &specs,
                    &mut self.worlds[w],
                    seed,
                    read_only,
                    pool,
                    &mut vrng,
                ) {
                    Ok(m) => {
                        mades[0] = m;
                        None
                    }
                    Err(e) => Some(e),
                }
            } else {
                Some("parallel: no two gold calls are independent of each other".into())
            };
            if let Some(detail) = detail {
                return Err(Self::reject(
                    &id,
                    Stage::ToolMaker,
                    Reason::VariantUnavailable,
                    detail,
                ));
            }
        }
        if chosen == Variant::ErrorRecovery && !variant::has_typo_spot(&mades[0], read_only) {
            return Err(Self::reject(
                &id,
                Stage::ToolMaker,
                Reason::VariantUnavailable,
                "error_recovery: no gold lookup takes a name the user could mistype".into(),
            ));
        }
        let withheld = match chosen {
            Variant::MissingParam => {
                let required = |tool: &str, arg: &str| {
                    specs
                        .get(tool)
                        .is_some_and(|s| s.required_params().any(|r| r == arg))
                };
                let c = variant::withholdable(&mades[0], required);
                match c.choose(&mut vrng) {
                    Some(p) => Some(p.clone()),
                    None => {
                        return Err(Self::reject(
                            &id,
                            Stage::QueryWriter,
                            Reason::VariantUnavailable,
                            "missing_param: the target takes no input the user could leave out"
                                .into(),
                        ))
                    }
                }
            }
            _ => None,
        };
        // A long-context round reads its lists at their largest page and picks from deep in them.
        if chosen == Variant::LongContext {
            match variant::long_context(
                &mades[0],
                &specs,
                &mut self.worlds[w],
                seed,
                self.cfg.long_context_tokens,
                &mut vrng,
            ) {
                Ok((m, tokens)) => {
                    mades[0] = m;
                    list_tokens = tokens;
                    narrowed = maker::narrow_all(&mut mades, &specs, &mut self.worlds[w], seed);
                    // Narrowing may add a filter that shortens a long read below the target.
                    let tokens: usize = mades[0]
                        .gold
                        .iter()
                        .map(|g| variant::est_tokens(&g.result))
                        .sum();
                    if tokens < self.cfg.long_context_tokens {
                        return Err(Self::reject(
                            &id,
                            Stage::ToolMaker,
                            Reason::VariantUnavailable,
                            format!(
                                "long_context: narrowed, the results come to about {tokens} tokens, under the target {}",
                                self.cfg.long_context_tokens
                            ),
                        ));
                    }
                }
                Err(detail) => {
                    return Err(Self::reject(
                        &id,
                        Stage::ToolMaker,
                        Reason::VariantUnavailable,
                        detail,
                    ))
                }
            }
        }
        // A draw that was not to cross domains and did (no producer in the domain) is redrawn.
        let crosses = |m: &Made| {
            let mut d = m
                .gold
                .iter()
                .filter_map(|g| self.tools.by_name.get(&g.name))
                .map(|&t| self.tools.specs[t].domain.as_str());
            let first = d.next();
            d.any(|x| Some(x) != first)
        };
        if !cross_ok && mades.iter().any(crosses) {
            return Err(Self::reject(
                &id,
                Stage::ToolMaker,
                Reason::CrossDomainQuota,
                format!(
                    "over the cross-domain share {}",
                    self.cfg.cross_domain_share
                ),
            ));
        }
        // A value from an earlier round must be one the conversation singled out: an argument of
        // an earlier gold call, or the only value of its field in an earlier gold result.
        for (r, m) in mades.iter().enumerate() {
            let earlier: Vec<usize> = mades[..r]
                .iter()
                .flat_map(|x| x.trace_steps.iter().copied())
                .collect();
            for (param, (k, path)) in &m.context_refs {
                let v = m.inputs.get(param);
                let singled = earlier.contains(k)
                    && v.is_some_and(|v| {
                        mades[..r]
                            .iter()
                            .flat_map(|x| &x.gold)
                            .any(|g| g.arguments.values().any(|a| a == v))
                            || trace.calls[*k].result.as_ref().is_some_and(|res| {
                                let vals = values_at(res, path);
                                vals.iter().all(|x| *x == v)
                            })
                    });
                if !singled {
                    return Err(Self::reject(
                        &id,
                        Stage::QueryWriter,
                        Reason::Ungrounded,
                        format!("round {r}: {param} comes from an earlier call the conversation never singled out"),
                    ));
                }
            }
        }
        // The gold calls alone, replayed from a fresh world, must give the trace's results:
        // detours and failed calls of the trace are not part of the gold. When the only other
        // successful calls read without changing anything, the trace's own end state is the
        // gold end state and the replay can be skipped (failed calls never change state).
        let gold_steps: std::collections::BTreeSet<usize> = mades
            .iter()
            .flat_map(|m| m.trace_steps.iter().copied())
            .collect();
        // (A simulated executor's digest is its result sequence: detours change it.)
        let state_digest = self.tools.is_builtin();
        let read_only_detours = state_digest
            && trace.calls.iter().enumerate().all(|(i, c)| {
                gold_steps.contains(&i)
                    || c.result.is_none()
                    || self
                        .tools
                        .by_name
                        .get(&c.name)
                        .is_some_and(|&t| self.tools.read_only[t])
            });
        let mut gold_digests = Vec::new();
        // (A long-context or narrowed gold differs from the trace's: it is always replayed.)
        if mades.len() == 1 && read_only_detours && chosen != Variant::LongContext && !narrowed {
            gold_digests.push(self.worlds[w].digest());
        }
        let replay = gold_digests.is_empty();
        self.worlds[w].reset(seed);
        for m in mades.iter().filter(|_| replay) {
            let outs = maker::execute_advanced(&m.tool, &m.inputs, &mut self.worlds[w]);
            for (k, (o, g)) in outs.iter().zip(&m.gold).enumerate() {
                if o.as_ref().ok() != Some(&g.result) {
                    return Err(Self::reject(
                        &id,
                        Stage::ToolMaker,
                        Reason::GoldNotSelfContained,
                        format!("step {k} ({}) differs without the trace's detours", g.name),
                    ));
                }
            }
            gold_digests.push(self.worlds[w].digest());
        }
        // The tool maker gives each round its advanced tool (a model's must keep the offline
        // tool's inputs and result).
        let mut maker_repairs: Vec<Vec<hardgen_core::calls::repair::Repair>> =
            vec![Vec::new(); mades.len()];
        for (m, fixes) in mades.iter_mut().zip(maker_repairs.iter_mut()) {
            match self.tool_maker.make(m, &specs) {
                Ok(Ok((tool, fixed))) => {
                    m.tool = tool;
                    *fixes = fixed;
                }
                Ok(Err((reason, detail))) => {
                    return Err(Self::reject(&id, Stage::ToolMaker, reason, detail))
                }
                Err(e) => {
                    self.fatal = Some(e);
                    return Err(Self::reject(
                        &id,
                        Stage::ToolMaker,
                        Reason::Server,
                        String::new(),
                    ));
                }
            }
        }
        // Queries.
        let mut queries = Vec::new();
        for m in &mades {
            let target = specs.get(m.gold.last().map_or("", |g| g.name.as_str()));
            let Some(target) = target else {
                return Err(Self::reject(
                    &id,
                    Stage::QueryWriter,
                    Reason::UnknownTool,
                    String::new(),
                ));
            };
            let _ = target;
            let earlier: std::collections::BTreeSet<usize> = mades
                .iter()
                .take_while(|x| !std::ptr::eq(*x, m))
                .flat_map(|x| x.trace_steps.iter().copied())
                .collect();
            // An earlier round's value is in the conversation only if that round's gold made it.
            let context_tool = |k: usize| {
                earlier
                    .contains(&k)
                    .then(|| trace.calls.get(k).map(|c| c.name.clone()))
                    .flatten()
            };
            // A missing-param query is written as if the left-out input did not exist.
            let without;
            let m = match &withheld {
                Some(p) => {
                    without = variant::without_input(m, p);
                    &without
                }
                None => m,
            };
            // A fanned-out query asks for the second entity in a sentence of its own.
            let fanned = variant::fanned(m).and_then(|_| {
                let note = variant::fan_note(m, &mut vrng)?;
                let q = query::write(&variant::without_fan(m), &specs, &context_tool, &mut rng);
                Some(variant::with_note(&q, &note))
            });
            // A long-context query says how far to read in a sentence of its own.
            let q = match fanned {
                Some(q) => q,
                None => match variant::long_note(m, &mut vrng) {
                    Some(note) => {
                        let q = query::write(
                            &variant::without_input(m, "limit"),
                            &specs,
                            &context_tool,
                            &mut rng,
                        );
                        variant::with_note(&q, &note)
                    }
                    None => query::write(m, &specs, &context_tool, &mut rng),
                },
            };
            let q = if earlier.is_empty() {
                query::first_turn(&q)
            } else {
                q
            };
            if let Err(e) = query::check(m, &q, &specs) {
                return Err(Self::reject(&id, Stage::QueryWriter, e.reason, e.detail));
            }
            let task = QueryTask {
                draft: q,
                must_state: m
                    .inputs
                    .iter()
                    .filter(|(k, _)| !m.context_inputs.contains(*k))
                    .map(|(_, v)| query::value_text(v))
                    .collect(),
            };
            let target_name = m.gold.last().map_or("", |g| g.name.as_str());
            let check = |text: &str| {
                if let Some((reason, detail)) =
                    roles::action_dropped(target_name, &task.draft, text)
                {
                    return Err(query::QueryReject { reason, detail });
                }
                query::check(m, text, &specs)
            };
            let q = match self.query_writer.write(&task, &check) {
                Ok(Ok(text)) => text,
                Ok(Err((reason, detail))) => {
                    return Err(Self::reject(&id, Stage::QueryWriter, reason, detail))
                }
                Err(e) => {
                    self.fatal = Some(e);
                    return Err(Self::reject(
                        &id,
                        Stage::QueryWriter,
                        Reason::Server,
                        String::new(),
                    ));
                }
            };
            queries.push(q);
        }
        // A model reasoner sees the offered tools, so they are drawn before it runs (the
        // offline reasoner does not need them, and its draws stay in their old order).
        let model_reasoner = self.model_reasoner.clone();
        let early_offer = model_reasoner
            .is_some()
            .then(|| self.offer(mades.iter().flat_map(|m| m.gold.iter()), &mut rng));
        // Reasoner + verifier, in one stateful world across rounds.
        self.worlds[w].reset(seed);
        let mut rounds = Vec::new();
        let mut next_call = 0usize;
        for (r, made) in mades.into_iter().enumerate() {
            let m = &made;
            let target = &trace.targets[r];
            let goal = phrase::goal_in(
                target,
                self.tools
                    .spec(target)
                    .map_or("", |s| s.description.as_str()),
            );
            // A missing-param round: the assistant asks for the left-out input, the user gives it.
            let asked = withheld.as_ref().and_then(|p| {
                let v = m.inputs.get(p)?;
                let l = variant::input_label(&m.tool, &self.tools.specs[..], p);
                let (why, ask) = variant::question(&goal, &l, v, &mut vrng);
                Some((why, ask, variant::reply(&l, v, &mut vrng)))
            });
            let user_text = match &asked {
                Some((_, _, reply)) => format!("{}\n{reply}", queries[r]),
                None => queries[r].clone(),
            };
            let snap = self.worlds[w].snapshot();
            let mut hints: Vec<String> = Vec::new();
            let mut hint_repairs = Vec::new();
            let mut done = None;
            for attempt in 1..=self.cfg.max_attempts.max(1) {
                let start_id = next_call;
                // The reasoner sees the task an agent would see; the offline one also holds
                // the round's gold, which it narrates.
                let offline = OfflineReasoner {
                    made: m,
                    goal: &goal,
                    cfg: &self.cfg.reasoner,
                    rng: std::sync::Mutex::new(&mut rng),
                };
                let (rs, offered): (&dyn ModelReasoner, &[usize]) =
                    match (&model_reasoner, &early_offer) {
                        (Some(rs), Some((_, _, offered))) => (&**rs, offered),
                        _ => (&offline, &[]),
                    };
                let task = ReasonTask {
                    query: user_text.clone(),
                    tools: offered
                        .iter()
                        .map(|&t| self.tools.specs[t].to_openai_plain())
                        .collect(),
                    advanced: m.tool.description.clone(),
                    hints: hints.clone(),
                    max_steps: 2 * m.gold.len() + 4,
                };
                // A model sees only the offered tools: a call to any other is answered as an
                // unknown tool and never runs, and the attempt fails (the record could not
                // show it).
                let names: Vec<&str> = offered
                    .iter()
                    .map(|&t| self.tools.specs[t].name.as_str())
                    .collect();
                // The offline reasoner has no offer list: it calls the gold's own tools.
                let stray = |name: &str| !names.is_empty() && !names.contains(&name);
                let world = &mut self.worlds[w];
                let mut exec = |name: &str, args: &serde_json::Map<String, serde_json::Value>| {
                    if stray(name) {
                        return Err(hardgen_core::ToolError::UnknownTool {
                            name: name.to_string(),
                        });
                    }
                    world.execute(&hardgen_core::ToolCall {
                        name: name.to_string(),
                        arguments: args.clone(),
                    })
                };
                let att = match rs.attempt(&task, &mut exec, &mut next_call) {
                    Ok(a) => a,
                    Err(e) => {
                        self.fatal = Some(e);
                        return Err(Self::reject(
                            &id,
                            Stage::Reasoner,
                            Reason::Server,
                            String::new(),
                        ));
                    }
                };
                if let Some((c, _)) = att.calls.iter().find(|(c, _)| stray(&c.name)) {
                    hints.push(format!(
                        "{} is not one of the offered tools: call only the tools you are given",
                        c.name
                    ));
                    self.worlds[w].restore(&snap);
                    next_call = start_id;
                    continue;
                }
                let end_state = self.worlds[w].digest() == gold_digests[r];
                let checked = verify::check(m, &user_text, &att, end_state);
                if checked.passed() {
                    done = Some((att, checked, attempt));
                    break;
                }
                // One entry per failed attempt, so the verdict's attempt count can be checked.
                let task = Self::verify_task(&queries[r], &att, &checked);
                let secrets = roles::judged::secret_values(m, &queries[r]);
                let hint = match self.verifier.hint(&task, &secrets) {
                    Ok((h, fixed)) => {
                        hint_repairs.extend(fixed);
                        h
                    }
                    Err(e) => {
                        self.fatal = Some(e);
                        return Err(Self::reject(
                            &id,
                            Stage::Verifier,
                            Reason::Server,
                            String::new(),
                        ));
                    }
                };
                hints.push(hint);
                self.worlds[w].restore(&snap);
                next_call = start_id;
            }
            let Some((att, checked, attempts)) = done else {
                return Err(Self::reject(
                    &id,
                    Stage::Verifier,
                    Reason::FailedAttempts,
                    hints.join(" | "),
                ));
            };
            let mut trajectory = vec![Message::User {
                content: queries[r].clone(),
            }];
            if let Some((why, ask, reply)) = asked {
                trajectory.push(Message::Assistant {
                    reasoning: Some(why),
                    content: Some(ask),
                    tool_calls: Vec::new(),
                });
                trajectory.push(Message::User { content: reply });
            }
            trajectory.extend(att.messages);
            // Every fix made to model output in this round, by role.
            let note = |role, fixes: &[hardgen_core::calls::repair::Repair]| {
                fixes
                    .iter()
                    .map(|&repair| RepairNote { role, repair })
                    .collect::<Vec<_>>()
            };
            let mut repairs = note(RepairRole::ToolMaker, &maker_repairs[r]);
            repairs.extend(note(RepairRole::Verifier, &hint_repairs));
            repairs.extend(note(RepairRole::Reasoner, &att.repairs));
            let hidden = query::intermediate_values(m).len();
            let calls = m.gold.len();
            let Made {
                tool, gold, inputs, ..
            } = made;
            rounds.push(Round {
                target: target.clone(),
                advanced_tool: tool,
                query: queries[r].clone(),
                external_inputs: inputs,
                gold,
                trajectory,
                verdict: Verdict {
                    passed: true,
                    attempts,
                    checks: checked.checks,
                    hints,
                },
                difficulty: Difficulty {
                    calls,
                    hidden_values: hidden,
                    distractors: 0,
                    target_agent_failed: None,
                },
                repairs,
                tools_added: Vec::new(),
            });
        }
        // Tools offered: the primitives used, plus distractors, in a seeded order.
        let (used, extra, offered) = match early_offer {
            Some(o) => o,
            None => self.offer(rounds.iter().flat_map(|r| r.gold.iter()), &mut rng),
        };
        for r in &mut rounds {
            r.difficulty.distractors = extra.len();
        }
        let mut doms: Vec<String> = used
            .iter()
            .map(|&t| self.tools.specs[t].domain.clone())
            .collect();
        doms.sort();
        doms.dedup();
        let rec = Record {
            id,
            seed,
            generator: Generators {
                tool_maker: self.tool_maker.name().to_string(),
                query_writer: self.query_writer.name().to_string(),
                reasoner: self
                    .model_reasoner
                    .as_ref()
                    .map_or_else(|| "offline".to_string(), |r| r.model().to_string()),
                verifier: self.verifier.name().to_string(),
                executor: self.tools.executor(),
                executor_events: self.worlds[w].take_events(),
                digest_source: self.worlds[w].digest_source().map(str::to_string),
            },
            domains: doms,
            tools: offered
                .into_iter()
                .map(|t| self.tools.shared_specs[t].clone())
                .collect(),
            rounds,
            variant: chosen.as_str().to_string(),
            list_tokens,
        };
        // The variants made from the finished item; `None` when the item has nothing to make
        // it from.
        let (made, unavailable) = match chosen {
            Variant::Irrelevance => (
                variant::irrelevance(rec, &mut vrng),
                "irrelevance: too few tools left once the ones that serve the request are taken away",
            ),
            Variant::MissingFunction => (
                variant::missing_function(rec, &mut vrng),
                "missing_function: no gold tool to hold out",
            ),
            Variant::LongContext => (
                Some(variant::without_lookups(rec)),
                "",
            ),
            Variant::ErrorRecovery => (
                variant::error_recovery(rec, &mut self.worlds[w], &mut vrng, |n: &str| {
                    self.tools
                        .by_name
                        .get(n)
                        .is_some_and(|&t| self.tools.read_only[t])
                }),
                "error_recovery: no name the gold looks up can be mistyped so that nothing is found",
            ),
            _ => (Some(rec), ""),
        };
        let Some(mut rec) = made else {
            return Err(Self::reject(
                &format!("hg-s{}-{i:06}", self.cfg.seed),
                Stage::Verifier,
                Reason::VariantUnavailable,
                unavailable.into(),
            ));
        };
        // A model reasoner writes the variant's no-call turn in its own words; the variant's
        // rule must hold for it (one retry with the problem shown), else the item is rejected.
        if let (Some(model), Some((turn, situation))) =
            (&self.model_reasoner, variant::judgement(&rec))
        {
            let r = rec.rounds.len() - 1;
            let draft = rec.rounds[r].trajectory.get(turn).cloned();
            let task = roles::JudgeTask {
                variant: rec.variant.clone(),
                situation,
                conversation: variant::conversation_lines(&rec.rounds[r].trajectory, turn),
                draft: match &draft {
                    Some(Message::Assistant {
                        content: Some(c), ..
                    }) => c.clone(),
                    _ => String::new(),
                },
            };
            let mut feedback: Option<String> = None;
            for _ in 0..2 {
                match model.judge(&task, feedback.as_deref()) {
                    Ok(Some((why, text))) => {
                        if let Some(Message::Assistant {
                            reasoning, content, ..
                        }) = rec.rounds[r].trajectory.get_mut(turn)
                        {
                            *reasoning = (!why.is_empty()).then_some(why);
                            *content = Some(text);
                        }
                        feedback = variant::problem(&rec, &rec.tools);
                        if feedback.is_none() {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        self.fatal = Some(e);
                        return Err(Self::reject(
                            &rec.id,
                            Stage::Reasoner,
                            Reason::Server,
                            String::new(),
                        ));
                    }
                }
            }
        }
        if let Some(problem) = variant::problem(&rec, &rec.tools) {
            return Err(Self::reject(
                &rec.id,
                Stage::Verifier,
                Reason::VariantBroken,
                problem,
            ));
        }
        if let Some(problem) = crate::ground::record_problem(&rec) {
            return Err(Self::reject(
                &rec.id,
                Stage::Verifier,
                Reason::Ungrounded,
                problem,
            ));
        }
        Ok(rec)
    }
}

/// The value pools a sampler draws literals from in `env` at `seed`: what the world or server
/// holds, plus made-up text for inputs no tool returns (a new folder's name); a spec
/// collection on the simulated executor has only the made-up text.
pub fn value_pools(sampler: &mut Sampler, env: &mut AnyEnv, seed: u64) -> Pools {
    match env {
        AnyEnv::World(_) => sampler.harvest(env, seed),
        AnyEnv::Simulated(s) => s.text_pools(),
        AnyEnv::Mcp(_) | AnyEnv::Mixed(_) => sampler.harvest_with_text(env, seed),
    }
}

pub use crate::item::SpecIndex;

#[cfg(test)]
mod tests {
    use super::default_world_seeds;

    #[test]
    fn larger_runs_get_more_worlds_up_to_sixty_four() {
        assert_eq!(default_world_seeds(0), 4);
        assert_eq!(default_world_seeds(749), 4);
        assert_eq!(default_world_seeds(4_000), 26);
        assert_eq!(default_world_seeds(10_000), 64);
        assert_eq!(default_world_seeds(100_000), 64);
    }
}
