//! One item end to end: sample and execute a trace, make advanced tools, write hard queries, run
//! the reasoner against a fresh world with verification and retries, and assemble the record.

use crate::maker::{self, Made};
use crate::reasoner::{self, ReasonerConfig};
use crate::{distract, phrase, query, verify};
use hardgen_core::record::{Difficulty, Generators, Message, Verdict};
use hardgen_core::{Record, Rejection, Round, ToolSpec};
use hardgen_graph::{ApiGraph, GraphConfig, Sampler, SamplerConfig};
use hardgen_tools::world::stream_seed;
use hardgen_tools::{Environment, World, WorldDef};
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};
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
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            seed: 0,
            rounds: 1,
            distractors: 4,
            min_calls: 2,
            max_calls: 8,
            reasoner: ReasonerConfig::default(),
            max_attempts: 3,
        }
    }
}

/// Kept or rejected.
pub type Outcome = Result<Record, Rejection>;

/// Generates items; holds the world, graph and sampler.
#[derive(Clone)]
pub struct Generator {
    def: Arc<WorldDef>,
    sampler: Sampler,
    cfg: GenConfig,
    world: World,
    /// Tool words and domains for distractors, prepared once.
    catalog: distract::Catalog,
}

impl Generator {
    /// Builds the graph and sampler over `def` and gathers value pools at the seed.
    pub fn new(def: Arc<WorldDef>, cfg: GenConfig) -> Generator {
        let graph = ApiGraph::from_specs(&def.specs, GraphConfig::default());
        let scfg = SamplerConfig {
            rounds: cfg.rounds.max(1),
            max_calls: cfg.max_calls.max(1),
            // Calls after the target never enter the gold: a round mostly stops once reached.
            stop_prob: 0.9,
            ..SamplerConfig::default()
        };
        let mut sampler = Sampler::new(graph, scfg);
        let mut world = World::new(def.clone(), cfg.seed);
        let pools = sampler.harvest(&mut world, cfg.seed);
        sampler.set_pools(pools);
        let names: Vec<String> = def.specs.iter().map(|s| s.name.clone()).collect();
        let domains: Vec<String> = def.specs.iter().map(|s| s.domain.clone()).collect();
        let catalog = distract::Catalog::new(&names, &domains);
        Generator {
            def,
            sampler,
            cfg,
            world,
            catalog,
        }
    }

    /// The settings.
    pub fn config(&self) -> &GenConfig {
        &self.cfg
    }

    fn reject(id: &str, stage: &str, reason: &str, detail: String) -> Rejection {
        Rejection {
            id: id.to_string(),
            stage: stage.into(),
            reason: reason.into(),
            detail,
        }
    }

    /// Generates item `i` (deterministic in seed and i).
    pub fn item(&mut self, i: u64) -> Outcome {
        let seed = self.cfg.seed;
        let id = format!("hg-s{seed}-{i:06}");
        let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(seed, 0x9E7, i));
        // Targets that cannot yield a gold trace of `min_calls` calls are not drawn at all.
        let min_depth = u32::try_from(self.cfg.min_calls.saturating_sub(1)).unwrap_or(0);
        let targets: Vec<usize> = (0..self.cfg.rounds.max(1))
            .filter_map(|_| self.sampler.pick_target_deeper_than(&mut rng, min_depth))
            .collect();
        let trace = self
            .sampler
            .sample(&mut self.world, seed, id.clone(), &targets, &mut rng);
        let def = self.def.clone();
        let specs = SpecIndex(&def);
        let mut mades: Vec<Made> = Vec::new();
        for r in 0..trace.targets.len() {
            match maker::make(&trace, r, &specs, self.cfg.min_calls) {
                Ok(m) => mades.push(m),
                Err(e) => return Err(Self::reject(&id, "tool_maker", e.reason, e.detail)),
            }
        }
        if mades.is_empty() {
            return Err(Self::reject(
                &id,
                "tool_maker",
                "no_rounds",
                "the sampler produced no round".into(),
            ));
        }
        // The gold calls alone, replayed from a fresh world, must give the trace's results:
        // detours and failed calls of the trace are not part of the gold. When the only other
        // successful calls read without changing anything, the trace's own end state is the
        // gold end state and the replay can be skipped (failed calls never change state).
        let gold_steps: std::collections::BTreeSet<usize> = mades
            .iter()
            .flat_map(|m| m.trace_steps.iter().copied())
            .collect();
        let read_only_detours = trace.calls.iter().enumerate().all(|(i, c)| {
            gold_steps.contains(&i)
                || c.result.is_none()
                || self
                    .def
                    .by_name
                    .get(&c.name)
                    .is_some_and(|&t| is_read_only(&self.def, t))
        });
        let mut gold_digests = Vec::new();
        if mades.len() == 1 && read_only_detours {
            gold_digests.push(self.world.digest());
        }
        let replay = gold_digests.is_empty();
        self.world.reset(seed);
        for m in mades.iter().filter(|_| replay) {
            let outs = maker::execute_advanced(&m.tool, &m.inputs, &mut self.world);
            for (k, (o, g)) in outs.iter().zip(&m.gold).enumerate() {
                if o.as_ref().ok() != Some(&g.result) {
                    return Err(Self::reject(
                        &id,
                        "tool_maker",
                        "gold_not_self_contained",
                        format!("step {k} ({}) differs without the trace's detours", g.name),
                    ));
                }
            }
            gold_digests.push(self.world.digest());
        }
        // Queries.
        let mut queries = Vec::new();
        for m in &mades {
            let target = specs.get(m.gold.last().map_or("", |g| g.name.as_str()));
            let Some(target) = target else {
                return Err(Self::reject(
                    &id,
                    "query_writer",
                    "unknown_tool",
                    String::new(),
                ));
            };
            let q = query::write(m, target, &mut rng);
            if let Err(e) = query::check(m, &q) {
                return Err(Self::reject(&id, "query_writer", e.reason, e.detail));
            }
            queries.push(q);
        }
        // Reasoner + verifier, in one stateful world across rounds.
        self.world.reset(seed);
        let mut rounds = Vec::new();
        let mut next_call = 0usize;
        for (r, made) in mades.into_iter().enumerate() {
            let m = &made;
            let target = &trace.targets[r];
            let goal = phrase::goal(target);
            let snap = self.world.snapshot();
            let mut hints: Vec<String> = Vec::new();
            let mut fix = false;
            let mut done = None;
            for attempt in 1..=self.cfg.max_attempts.max(1) {
                let start_id = next_call;
                let att = reasoner::attempt(
                    m,
                    &goal,
                    &mut self.world,
                    &self.cfg.reasoner,
                    fix,
                    &mut next_call,
                    &mut rng,
                );
                let end_state = self.world.digest() == gold_digests[r];
                let checked = verify::check(m, &queries[r], &att, end_state);
                if checked.passed() {
                    done = Some((att, checked, attempt));
                    break;
                }
                hints.extend(checked.hints);
                self.world.restore(&snap);
                next_call = start_id;
                fix = rng.random_bool(self.cfg.reasoner.hint_uptake.clamp(0.0, 1.0));
            }
            let Some((att, checked, attempts)) = done else {
                return Err(Self::reject(
                    &id,
                    "verifier",
                    "failed_attempts",
                    hints.join(" | "),
                ));
            };
            let mut trajectory = vec![Message::User {
                content: queries[r].clone(),
            }];
            trajectory.extend(att.messages);
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
            });
        }
        // Tools offered: the primitives used, plus distractors, in a seeded order.
        let mut used: Vec<usize> = Vec::new();
        for r in &rounds {
            for g in &r.gold {
                if let Some(&t) = self.def.by_name.get(&g.name) {
                    if !used.contains(&t) {
                        used.push(t);
                    }
                }
            }
        }
        let extra = self.catalog.pick(&used, self.cfg.distractors, &mut rng);
        for r in &mut rounds {
            r.difficulty.distractors = extra.len();
        }
        let mut offered: Vec<usize> = used.iter().chain(extra.iter()).copied().collect();
        offered.shuffle(&mut rng);
        let mut doms: Vec<String> = used
            .iter()
            .map(|&t| self.def.specs[t].domain.clone())
            .collect();
        doms.sort();
        doms.dedup();
        Ok(Record {
            id,
            seed,
            generator: Generators {
                tool_maker: "offline".into(),
                query_writer: "offline".into(),
                reasoner: "offline".into(),
                verifier: "rules".into(),
                executor: "builtin".into(),
            },
            domains: doms,
            tools: offered
                .into_iter()
                .map(|t| self.def.shared_specs[t].clone())
                .collect(),
            rounds,
        })
    }
}

/// Spec lookup by name through the world's own index.
pub struct SpecIndex<'a>(pub &'a WorldDef);

impl<'a> SpecIndex<'a> {
    /// The spec of a tool name.
    pub fn get(&self, name: &str) -> Option<&'a ToolSpec> {
        self.0.by_name.get(name).map(|&i| &self.0.specs[i])
    }
}

/// Whether a tool of the built-in world only reads (no state change, no token use).
fn is_read_only(def: &WorldDef, t: usize) -> bool {
    use hardgen_tools::world::model::Kind;
    let tool = &def.tools[t];
    matches!(
        tool.kind,
        Kind::Search { .. } | Kind::Lookup { .. } | Kind::Aggregate { .. }
    ) || (matches!(tool.kind, Kind::Get | Kind::List { .. }) && tool.auth.is_none())
}
