//! The directed sampler: legal multi-step traces aimed at a target tool, executed for real.
//!
//! With target `a`: if `a` is done, call a random legal tool (or stop); if `a` is legal, call it;
//! otherwise call the legal tool nearest to `a`: the planner walks back from `a` through the
//! producers of its missing inputs (nearest first) until it meets a tool that is legal now.

use crate::graph::{ApiGraph, Constraint, ParamConstraint};
use crate::schema::values_at;
use hardgen_core::trace::{from_step, LITERAL};
use hardgen_core::{ToolCall, Trace, TraceCall};
use hardgen_tools::Environment;
use rand::rngs::ChaCha8Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::RngExt;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Sampler settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SamplerConfig {
    /// Fewest calls per round (a round continues with random legal calls until then).
    pub min_calls: usize,
    /// Most calls per round.
    pub max_calls: usize,
    /// Rounds per trace, each with its own target, in one stateful environment.
    pub rounds: usize,
    /// After the target is reached: chance to stop before each further call.
    pub stop_prob: f64,
    /// Chance to fill each optional literal parameter.
    pub optional_prob: f64,
    /// Most optional literal parameters filled per call (a person narrows a search by one or
    /// two things, not five).
    pub max_optional: usize,
    /// Calls of one tool that fail (or do not yield what was needed) before it is given up on.
    pub max_failures_per_tool: u32,
    /// Chance to prefer producers of the consumer's own domain when the planner has a choice
    /// (0 keeps every producer equally likely; cross-domain hops stay possible below 1).
    pub same_domain_bias: f64,
    /// When a round's target is not reached: how many other targets of the same depth to try
    /// from the round's starting state (the failed attempt is undone, so it leaves no trace).
    pub retarget: u32,
    /// Draw a literal from the values of the tool's own kind of object first (`create_contact`'s
    /// `name` from contacts' names, not folders'): for foreign tool sets whose one domain holds
    /// several kinds of object. The built-in world's domains hold one kind each.
    pub entity_pools: bool,
    /// Share of target draws in which a tool that issues a credential other tools take (an
    /// `authorize_*` tool's token) may be the target: a means a person seldom asks for as an
    /// end (1 draws them like any other tool, 0 never).
    pub issuer_target_share: f64,
    /// Divide each candidate target's weight by the number of candidates of its domain, so
    /// that every domain is drawn about equally often at a depth (a domain with many deep
    /// tools does not crowd out the rest) while failure weights still rank tools within and
    /// across domains.
    pub domain_balance: bool,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        SamplerConfig {
            min_calls: 1,
            max_calls: 8,
            rounds: 1,
            stop_prob: 0.5,
            optional_prob: 0.25,
            max_optional: 1,
            max_failures_per_tool: 3,
            same_domain_bias: 0.0,
            retarget: 0,
            entity_pools: false,
            issuer_target_share: 0.1,
            domain_balance: true,
        }
    }
}

/// Values by result field name, gathered by running the environment's parameterless tools.
pub type Pools = BTreeMap<String, Vec<Value>>;

/// A required identifier parameter of a tool: it must be filled from an earlier result.
#[derive(Debug, Clone)]
struct Slot {
    param: String,
    /// Producer tools in order of static depth (nearest first).
    producers: Vec<usize>,
}

/// Outgoing edges of a tool grouped by result field: (field, [(edge, slot)]).
type FieldEdges = Vec<(String, Vec<(usize, usize)>)>;

/// Precomputed indexes over a graph for fast sampling.
#[derive(Debug, Clone)]
pub struct Sampler {
    /// Shared by the samplers of a run's worlds until one changes its weights.
    graph: std::sync::Arc<ApiGraph>,
    cfg: SamplerConfig,
    slots: Vec<Slot>,
    tool_slots: Vec<Vec<usize>>,
    edges_from: Vec<FieldEdges>,
    /// Shortest number of calls that can make each tool legal, from an empty trace.
    depth: Vec<Option<u32>>,
    pools: Pools,
    literal_ok: Vec<bool>,
    /// Tools whose result holds a credential other tools take.
    issuer: Vec<bool>,
    /// Each tool's domain as a number (for domain-balanced target picks without string maps).
    domain_of: Vec<usize>,
    /// Number of distinct domains.
    domains: usize,
}

/// Per-trace state.
#[derive(Clone)]
struct State {
    /// For each slot: (step, edge, values) triples whose result field holds values for it;
    /// `values` indexes `vals`.
    avail: Vec<Vec<(usize, usize, usize)>>,
    /// The values of one result field, read once when the result arrived (argument drawing
    /// would otherwise walk every earlier result again for every slot).
    vals: Vec<Vec<Value>>,
    /// The [`spent_hash`] of each value in `vals` (drawing asks of thousands of candidates
    /// whether each was spent or is already an argument: the hash is taken once).
    val_hashes: Vec<Vec<u64>>,
    fails: Vec<u32>,
    calls: Vec<TraceCall>,
    /// (tool, param) -> hashes of the identifier values that failed, or yielded nothing, in a
    /// call of the tool (a set: a harvest spends thousands, and every draw asks about each).
    spent: FxHashMap<(usize, String), FxHashSet<u64>>,
    /// Hashes of the values each slot has seen (to tell new values from repeats cheaply); they
    /// are hashes already, so a fast hasher serves.
    seen: Vec<FxHashSet<u64>>,
    /// Hashes of the calls (tool, arguments) that answered.
    answered: FxHashSet<u64>,
    /// This trace's chance to prefer same-domain producers (see [`SamplerConfig::same_domain_bias`]).
    bias: f64,
}

impl Sampler {
    /// Indexes a graph for sampling.
    pub fn new(graph: ApiGraph, cfg: SamplerConfig) -> Sampler {
        let n = graph.nodes.len();
        let mut slots = Vec::new();
        let mut tool_slots = vec![Vec::new(); n];
        let mut slot_of: BTreeMap<(usize, String), usize> = BTreeMap::new();
        for (t, cs) in graph.constraints.iter().enumerate() {
            for c in cs
                .iter()
                .filter(|c| c.required && matches!(c.constraint, Constraint::Identifier { .. }))
            {
                slot_of.insert((t, c.param.clone()), slots.len());
                tool_slots[t].push(slots.len());
                slots.push(Slot {
                    param: c.param.clone(),
                    producers: Vec::new(),
                });
            }
        }
        let mut edges_from: Vec<BTreeMap<String, Vec<(usize, usize)>>> = vec![BTreeMap::new(); n];
        for (ei, e) in graph.edges.iter().enumerate() {
            if e.negative > e.evidence + 2 {
                continue; // execution keeps rejecting it
            }
            if let Some(&s) = slot_of.get(&(e.to, e.to_param.clone())) {
                edges_from[e.from]
                    .entry(e.from_field.clone())
                    .or_default()
                    .push((ei, s));
                if !slots[s].producers.contains(&e.from) {
                    slots[s].producers.push(e.from);
                }
            }
        }
        let depth = static_depth(&slots, &tool_slots);
        for s in &mut slots {
            s.producers
                .sort_by_key(|&p| (depth[p].unwrap_or(u32::MAX), p));
        }
        let issuer = edges_from
            .iter()
            .map(|m| m.keys().any(|f| f == "token" || f.ends_with("_token")))
            .collect();
        let edges_from = edges_from
            .into_iter()
            .map(|m| m.into_iter().collect())
            .collect();
        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        let domain_of: Vec<usize> = graph
            .nodes
            .iter()
            .map(|nd| {
                let k = names.len();
                *names.entry(nd.domain.as_str()).or_insert(k)
            })
            .collect();
        let domains = names.len();
        let mut s = Sampler {
            domain_of,
            domains,
            issuer,
            literal_ok: vec![true; n],
            graph: std::sync::Arc::new(graph),
            cfg,
            slots,
            tool_slots,
            edges_from,
            depth,
            pools: Pools::new(),
        };
        s.set_pools(Pools::new());
        s
    }

    /// The graph sampled from.
    pub fn graph(&self) -> &ApiGraph {
        &self.graph
    }

    /// Sets a tool's target weight (the closed loop's failure weights); unknown names are ignored.
    pub fn set_weight(&mut self, name: &str, weight: f64) {
        std::sync::Arc::make_mut(&mut self.graph).set_weight(name, weight);
    }

    /// Sets every tool's target weight.
    pub fn set_all_weights(&mut self, weight: f64) {
        std::sync::Arc::make_mut(&mut self.graph).set_all_weights(weight);
    }

    /// Shortest number of calls after which each tool can be legal (None: never).
    pub fn depths(&self) -> &[Option<u32>] {
        &self.depth
    }

    /// The required id parameters of tool `t` that no reachable tool returns (why
    /// [`Sampler::depths`] says None for it); empty for a reachable tool.
    pub fn unproduced(&self, t: usize) -> Vec<&str> {
        self.tool_slots.get(t).map_or_else(Vec::new, |ss| {
            ss.iter()
                .map(|&s| &self.slots[s])
                .filter(|s| {
                    !s.producers
                        .iter()
                        .any(|&p| p != t && self.depth[p].is_some())
                })
                .map(|s| s.param.as_str())
                .collect()
        })
    }

    /// Replaces the value pools (and which tools' literal inputs can be filled).
    pub fn set_pools(&mut self, pools: Pools) {
        self.pools = pools;
        self.update_literal_ok();
    }

    /// Recomputes which tools' literal inputs the pools can fill.
    fn update_literal_ok(&mut self) {
        self.literal_ok = (0..self.graph.nodes.len())
            .map(|t| {
                self.graph.constraints[t]
                    .iter()
                    .filter(|c| c.required && matches!(c.constraint, Constraint::Text { .. }))
                    .all(|c| self.pool_for(t, &c.param).is_some())
            })
            .collect();
    }

    /// Harvests `env` (see [`Sampler::harvest`]) and fills the keys no tool returned (a new
    /// folder's name) with the simulated executor's made-up text, for servers and mixed sources.
    pub fn harvest_with_text<E: Environment>(&mut self, env: &mut E, seed: u64) -> Pools {
        let mut pools = self.harvest(env, seed);
        if let Ok(sim) = hardgen_tools::sim::Simulated::new(env.specs().to_vec(), seed) {
            for (k, v) in sim.text_pools() {
                pools.entry(k).or_insert(v);
            }
        }
        pools
    }

    /// Gathers value pools from the environment in sweeps: every tool without required
    /// parameters (at its largest `limit`), then (three times) every tool whose required inputs
    /// earlier sweeps can supply. The environment is reset to `seed` before and after.
    pub fn harvest<E: Environment>(&mut self, env: &mut E, seed: u64) -> Pools {
        // Optional filters only narrow what a sweep sees (a filter by a medication no pool
        // holds yet finds nothing, so the pool stays empty): sweeps give none.
        let optional = std::mem::replace(&mut self.cfg.max_optional, 0);
        let pools = self.harvest_sweeps(env, seed);
        self.cfg.max_optional = optional;
        pools
    }

    /// The sweeps of [`Sampler::harvest`].
    fn harvest_sweeps<E: Environment>(&mut self, env: &mut E, seed: u64) -> Pools {
        env.reset(seed);
        let n = self.graph.nodes.len();
        let mut st = State::new(self.slots.len(), n, self.cfg.same_domain_bias);
        let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed ^ 0x5EED_F00D);
        // The sweeps' pools grow in `self.pools` between sweeps: a sweep draws from what the
        // earlier ones found, and what it finds itself joins when it ends.
        self.set_pools(Pools::new());
        // Domain-scoped pools join only at the end: the sweeps explore with the plain pools,
        // so which values the world yields does not depend on the scoping.
        let mut gathered = Gathered::default();
        let mut invented = Invented::default();
        for sweep in 0..6 {
            for t in 0..n {
                let cs = &self.graph.constraints[t];
                let first = !cs.iter().any(|c| c.required);
                if (sweep == 0) != first || (sweep == 1 && !self.legal(t, &st)) {
                    continue;
                }
                if sweep == 0 {
                    let mut args = Map::new();
                    if let Some(Constraint::Integer { max, .. }) = cs
                        .iter()
                        .find(|c| c.param == "limit")
                        .map(|c| &c.constraint)
                    {
                        args.insert("limit".into(), json!(max.unwrap_or(50.0).min(50.0) as i64));
                    }
                    let step = st.calls.len();
                    let out = env.execute(&ToolCall {
                        name: self.graph.nodes[t].name.clone(),
                        arguments: args.clone(),
                    });
                    if let Ok(r) = &out {
                        gathered.collect(
                            r,
                            self.cfg.entity_pools,
                            &self.graph.nodes[t].domain,
                            &Invented::default(),
                        );
                        self.feed(t, step, r, &mut st);
                    }
                    st.calls.push(TraceCall {
                        step,
                        round: 0,
                        name: self.graph.nodes[t].name.clone(),
                        arguments: args,
                        provenance: BTreeMap::new(),
                        depends_on: Vec::new(),
                        // Gathered and fed above; kept out of the harvest's thousands of calls.
                        result: None,
                        error: None,
                    });
                } else {
                    // A few calls each with something in them: one list may come back empty
                    // (a vehicle without tickets), and a pool its items alone fill would stay
                    // empty, leaving a tool no literal can be drawn for.
                    let mut filled = 0;
                    for _ in 0..8 {
                        if filled >= 3 {
                            break;
                        }
                        if self.execute(t, 0, &mut st, env, &mut rng).is_none() {
                            continue;
                        }
                        let mut used = Vec::new();
                        if let Some(c) = st.calls.last_mut() {
                            let full = c.result.as_ref().is_some_and(|r| !empty_result(r));
                            filled += usize::from(full);
                            // An input that found nothing (an appointment without
                            // prescriptions) is not drawn again while others are left, or the
                            // tries go to the newest step's few values and the pool stays empty.
                            if !full {
                                used.extend(self.tool_slots[t].iter().filter_map(|&s| {
                                    let p = &self.slots[s].param;
                                    c.arguments.get(p).map(|v| (p.clone(), spent_hash(v)))
                                }));
                            }
                            // Literal arguments are the sampler's inventions (a folder created
                            // with a name drawn from another domain): when results later
                            // return them, they are not the domain's own values.
                            for (p, v) in &c.arguments {
                                if is_literal(&c.provenance, p) {
                                    invented.add(v);
                                }
                            }
                            // Its values now live in the pools and the slots' state: a
                            // harvest makes thousands of calls, and none is read again.
                            let r = c.result.take().unwrap_or(Value::Null);
                            gathered.collect(
                                &r,
                                self.cfg.entity_pools,
                                &self.graph.nodes[t].domain,
                                &invented,
                            );
                        }
                        spend(&mut st, t, used);
                    }
                }
            }
            // Later sweeps may need text values earlier sweeps found.
            gathered.end_sweep(&mut self.pools);
            self.update_literal_ok();
        }
        env.reset(seed);
        let mut pools = self.pools.clone();
        pools.extend(gathered.scoped);
        pools
    }

    /// Makes a successful result's fields available to the slots they feed; returns whether any
    /// slot got a value it did not have.
    fn feed(&self, t: usize, step: usize, r: &Value, st: &mut State) -> bool {
        let mut fed_new = false;
        for (field, targets) in &self.edges_from[t] {
            let vals = values_at(r, field);
            if vals.is_empty() {
                continue;
            }
            // One fast hash per value serves both the slots' seen sets and the spent checks.
            let hashes: Vec<u64> = vals.iter().map(|v| spent_hash(v)).collect();
            let id = st.vals.len();
            st.vals.push(vals.into_iter().cloned().collect());
            for &(ei, s) in targets {
                let seen = &mut st.seen[s];
                seen.reserve(hashes.len());
                for h in &hashes {
                    // New if the slot had none of these values yet.
                    fed_new |= seen.insert(*h);
                }
                st.avail[s].push((step, ei, id));
            }
            st.val_hashes.push(hashes);
        }
        fed_new
    }

    /// Whether tool `t` can ever be called: a producer chain exists and its literal inputs can be filled.
    pub fn reachable(&self, t: usize) -> bool {
        self.depth[t].is_some() && self.literal_ok[t]
    }

    /// The values the literal parameter `param` of the tool named `tool` is drawn from (see
    /// [`Sampler::pool_for`]); empty when it has none.
    pub fn pool_values(&self, tool: &str, param: &str) -> Vec<Value> {
        self.graph
            .node(tool)
            .and_then(|t| self.pool_for(t, param))
            .cloned()
            .unwrap_or_default()
    }

    /// The pool a literal parameter of tool `t` draws from: the values its own domain's results
    /// hold under that name (a folder's `name` is another folder name, not an airport's), then
    /// the domain's values of the same kind (`payee_name` takes any `*_name`; the last word
    /// names the kind of value), and only then any domain's.
    fn pool_for(&self, t: usize, param: &str) -> Option<&Vec<Value>> {
        let domain = &self.graph.nodes[t].domain;
        if self.cfg.entity_pools {
            let name = &self.graph.nodes[t].name;
            let entity = name.rsplit('_').next().unwrap_or(name);
            if let Some(v) = self
                .pools
                .get(&entity_key(entity, param))
                .filter(|v| !v.is_empty())
            {
                return Some(v);
            }
        }
        // The kind is the last word (`payee_name` takes any `*_name`), but an id's kind is the
        // word before it: a `reservation_id` is not any `*_id` (a payment's).
        let words: Vec<&str> = param.rsplit('_').take(2).collect();
        let last = match words.as_slice() {
            [id, kind] if hardgen_core::spec::is_identifier_name(id) => {
                &param[param.len() - kind.len() - id.len() - 1..]
            }
            _ => param.rsplit('_').next().unwrap_or(param),
        };
        let kind_of = |k: &str| k == last || k.ends_with(&format!("_{last}"));
        let scoped = |key: &str| self.pools.get(&scoped_key(domain, key));
        let in_domain = || {
            let prefix = scoped_key(domain, "");
            self.pools
                .range(prefix.clone()..)
                .take_while(|(k, _)| k.starts_with(&prefix))
                .find(|(k, v)| !v.is_empty() && kind_of(&k[prefix.len()..]))
                .map(|(_, v)| v)
        };
        let anywhere = || {
            self.pools
                .iter()
                .find(|(k, v)| !v.is_empty() && !k.contains(SCOPE) && kind_of(k))
                .map(|(_, v)| v)
        };
        scoped(param)
            .filter(|v| !v.is_empty())
            .or_else(in_domain)
            .or_else(|| self.pools.get(param).filter(|v| !v.is_empty()))
            .or_else(anywhere)
    }

    /// Whether tool `t` can be called now.
    fn legal(&self, t: usize, st: &State) -> bool {
        self.literal_ok[t]
            && st.fails[t] < self.cfg.max_failures_per_tool
            && self.tool_slots[t].iter().all(|&s| !st.avail[s].is_empty())
    }

    /// Picks the next call toward `target`, or None when no legal tool leads there.
    fn plan(&self, t: usize, st: &State, rng: &mut ChaCha8Rng) -> Option<usize> {
        let mut dead = vec![u32::MAX; self.graph.nodes.len()];
        self.plan_from(t, st, rng, 0, &mut dead)
    }

    /// [`Sampler::plan`] at recursion depth `guard`. `dead[p]` is the smallest depth at which
    /// planning for `p` found nothing in this state: with no more room left, it would find
    /// nothing again, so the search does not walk the same dead subtree once per path to it.
    fn plan_from(
        &self,
        t: usize,
        st: &State,
        rng: &mut ChaCha8Rng,
        guard: u32,
        dead: &mut [u32],
    ) -> Option<usize> {
        if guard > 10
            || guard >= dead[t]
            || st.fails[t] >= self.cfg.max_failures_per_tool
            || !self.literal_ok[t]
        {
            return None;
        }
        if self.ready(t, st) {
            return Some(t);
        }
        let found = self.plan_producers(t, st, rng, guard, dead);
        if found.is_none() {
            dead[t] = dead[t].min(guard);
        }
        found
    }

    /// The producers' side of [`Sampler::plan_from`] for a tool that is not ready.
    fn plan_producers(
        &self,
        t: usize,
        st: &State,
        rng: &mut ChaCha8Rng,
        guard: u32,
        dead: &mut [u32],
    ) -> Option<usize> {
        // A slot whose every value already failed in a call of `t` needs a fresh producer call.
        let short = self.short_slot(t, st);
        let mut missing: Vec<usize> = self.tool_slots[t]
            .iter()
            .copied()
            .filter(|&s| {
                st.avail[s].is_empty()
                    || (st.fails[t] > 0 && !self.has_fresh(t, s, st))
                    || short == Some(s)
            })
            .collect();
        missing.shuffle(rng);
        // The slot with the deepest nearest producer is the critical path: work on it first.
        missing.sort_by_key(|&s| {
            std::cmp::Reverse(
                self.slots[s]
                    .producers
                    .first()
                    .and_then(|&p| self.depth[p])
                    .unwrap_or(0),
            )
        });
        let bias = st.bias;
        let home = self.graph.nodes[t].domain.as_str();
        for s in missing {
            let mut prods: Vec<usize> = self.slots[s]
                .producers
                .iter()
                .copied()
                .filter(|&p| p != t)
                .collect();
            if bias > 0.0 && rng.random_bool(bias) {
                let same: Vec<usize> = prods
                    .iter()
                    .copied()
                    .filter(|&p| self.graph.nodes[p].domain == home)
                    .collect();
                if !same.is_empty() {
                    // Stable: the nearest-first order among same-domain producers is kept.
                    prods = same;
                }
            }
            // Nearest ready producers first: entry tools bring fresh values, while tools that
            // merely echo an id they were given do not.
            let ready: Vec<usize> = prods
                .iter()
                .copied()
                .filter(|&p| self.ready(p, st))
                .collect();
            let nearest = ready.iter().filter_map(|&p| self.depth[p]).min();
            let best: Vec<usize> = ready
                .into_iter()
                .filter(|&p| self.depth[p] == nearest)
                .collect();
            if let Some(&p) = best.choose(rng) {
                return Some(p);
            }
            for p in prods.into_iter().take(6) {
                if let Some(x) = self.plan_from(p, st, rng, guard + 1, dead) {
                    return Some(x);
                }
            }
        }
        None
    }

    /// Legal, and if it failed before, every slot still offers a value it has not failed with.
    fn ready(&self, t: usize, st: &State) -> bool {
        self.legal(t, st)
            && (st.fails[t] == 0 || self.tool_slots[t].iter().all(|&s| self.has_fresh(t, s, st)))
            && self.short_slot(t, st).is_none()
    }

    /// A slot of `t` left without a value of its own when each slot in turn takes one the
    /// slots before it did not: a transfer between two guest profiles needs two of them.
    fn short_slot(&self, t: usize, st: &State) -> Option<usize> {
        let slots = &self.tool_slots[t];
        if slots.len() < 2 {
            return None;
        }
        let mut taken: Vec<&Value> = Vec::with_capacity(slots.len());
        for &s in slots {
            match self.slot_values(s, st).find(|v| !taken.contains(v)) {
                Some(v) => taken.push(v),
                None => return Some(s),
            }
        }
        None
    }

    /// Values available to slot `s`.
    fn slot_values<'a>(&'a self, s: usize, st: &'a State) -> impl Iterator<Item = &'a Value> + 'a {
        st.avail[s]
            .iter()
            .flat_map(move |&(_, _, id)| st.vals[id].iter())
    }

    /// Whether slot `s` offers a value not used by a failed call of `t`.
    fn has_fresh(&self, t: usize, s: usize, st: &State) -> bool {
        let failed = spent(st, t, &self.slots[s].param);
        st.avail[s]
            .iter()
            .any(|&(_, _, id)| st.val_hashes[id].iter().any(|&h| !failed.has(h)))
    }

    fn random_legal(&self, st: &State, rng: &mut ChaCha8Rng) -> Option<usize> {
        let n = self.graph.nodes.len();
        // Half of the time prefer a tool that consumes something this trace produced.
        let want_dependent = rng.random_bool(0.5);
        let mut fallback = None;
        for _ in 0..40 {
            let t = rng.random_range(0..n);
            if self.depth[t].is_none() || !self.legal(t, st) {
                continue;
            }
            if !want_dependent || !self.tool_slots[t].is_empty() {
                return Some(t);
            }
            fallback.get_or_insert(t);
        }
        fallback
    }

    /// Picks a target in proportion to failure weight, among tools that can become legal.
    pub fn pick_target(&self, rng: &mut ChaCha8Rng) -> Option<usize> {
        self.pick_target_deeper_than(rng, 0)
    }

    /// Like [`Sampler::pick_target`], among tools that need at least `min_depth` producer calls
    /// first (a generator that wants gold traces of 2+ calls asks for 1).
    pub fn pick_target_deeper_than(&self, rng: &mut ChaCha8Rng, min_depth: u32) -> Option<usize> {
        self.pick_target_where(rng, |d| d >= min_depth)
    }

    /// Like [`Sampler::pick_target`], among tools whose shortest chain has exactly `depth`
    /// producer calls (so every length of trace gets its own targets).
    pub fn pick_target_at_depth(&self, rng: &mut ChaCha8Rng, depth: u32) -> Option<usize> {
        self.pick_target_where(rng, |d| d == depth)
    }

    /// How many tools could be drawn as a target needing at least `min_depth` producer calls
    /// (weight above zero, reachable, literal inputs fillable).
    pub fn targets_deeper_than(&self, min_depth: u32) -> usize {
        (0..self.graph.nodes.len())
            .filter(|&t| {
                self.depth[t].is_some_and(|d| d >= min_depth)
                    && self.literal_ok[t]
                    && self.graph.nodes[t].weight > 0.0
            })
            .count()
    }

    /// Like [`Sampler::pick_target`], among tools that consume at least `n` values other tools
    /// produce (two ids from two lookups: calls an agent can make side by side in one turn).
    pub fn pick_target_fan_in(&self, rng: &mut ChaCha8Rng, n: usize) -> Option<usize> {
        self.pick_target_by(rng, true, |t, d| d >= 1 && self.tool_slots[t].len() >= n)
    }

    /// Like [`Sampler::pick_target`], among tools that consume a value of one of `producers`
    /// (node indices marked true) directly or through one tool in between: a generator that
    /// needs a list read in the trace asks for targets downstream of the list tools.
    pub fn pick_target_fed_by(&self, rng: &mut ChaCha8Rng, producers: &[bool]) -> Option<usize> {
        let n = self.graph.nodes.len();
        let mut fed = vec![false; n];
        for e in &self.graph.edges {
            if producers.get(e.from).copied().unwrap_or(false) && e.to < n {
                fed[e.to] = true;
            }
        }
        let mut near = fed.clone();
        for e in &self.graph.edges {
            if fed.get(e.from).copied().unwrap_or(false) && e.to < n {
                near[e.to] = true;
            }
        }
        // Not balanced by domain: the domains whose lists run long enough are the ones wanted.
        self.pick_target_by(rng, false, |t, d| d >= 1 && near[t])
    }

    fn pick_target_where(&self, rng: &mut ChaCha8Rng, ok: impl Fn(u32) -> bool) -> Option<usize> {
        self.pick_target_by(rng, true, |_, d| ok(d))
    }

    /// `balance`: divide weights by domain as [`SamplerConfig::domain_balance`] says.
    fn pick_target_by(
        &self,
        rng: &mut ChaCha8Rng,
        balance: bool,
        ok: impl Fn(usize, u32) -> bool,
    ) -> Option<usize> {
        // Decided per draw, not per weight: at a depth where only issuers are, a smaller
        // weight would still pick them every time.
        let issuers = rng.random_bool(self.cfg.issuer_target_share.clamp(0.0, 1.0));
        let mut w: Vec<f64> = (0..self.graph.nodes.len())
            .map(|t| {
                if self.depth[t].is_some_and(|d| ok(t, d))
                    && self.literal_ok[t]
                    && (issuers || !self.issuer[t])
                {
                    self.graph.nodes[t].weight.max(0.0)
                } else {
                    0.0
                }
            })
            .collect();
        if balance && self.cfg.domain_balance {
            let mut per_domain = vec![0u32; self.domains];
            for (t, x) in w.iter().enumerate() {
                if *x > 0.0 {
                    per_domain[self.domain_of[t]] += 1;
                }
            }
            for (t, x) in w.iter_mut().enumerate() {
                let n = per_domain[self.domain_of[t]];
                if n > 0 {
                    *x /= f64::from(n);
                }
            }
        }
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            return None;
        }
        let mut r = rng.random_range(0.0..total);
        for (t, x) in w.iter().enumerate() {
            if r < *x {
                return Some(t);
            }
            r -= x;
        }
        w.iter().rposition(|x| *x > 0.0)
    }

    /// The pool of a parameter of tool `t`, or of the field it bounds (`min_year` -> `year`,
    /// `due_date_to` -> `due_date`), its domain's values first.
    fn pool_like(&self, t: usize, param: &str) -> Option<&Vec<Value>> {
        let base = crate::schema::bound_base(param).unwrap_or(param);
        let domain = &self.graph.nodes[t].domain;
        [
            scoped_key(domain, param),
            scoped_key(domain, base),
            param.to_string(),
            base.to_string(),
        ]
        .iter()
        .find_map(|k| self.pools.get(k).filter(|p| !p.is_empty()))
    }

    /// The values of the tool's domain's fields named after `param` ("salary" ->
    /// `salary_max`): a number with no pool of its own still takes a size the world
    /// really has, not an invented one.
    fn related_pool(&self, t: usize, param: &str) -> Vec<&Value> {
        let parts: Vec<&str> = param.split('_').collect();
        let names = |name: &str| {
            name != param
                && name
                    .split('_')
                    .collect::<Vec<_>>()
                    .windows(parts.len())
                    .any(|w| w == parts.as_slice())
        };
        // Only the domain's own pools: they join after the harvest, so the harvest's sweeps
        // (and which values the world yields) do not depend on this fallback.
        let scope = scoped_key(&self.graph.nodes[t].domain, "");
        self.pools
            .iter()
            .filter(|(k, _)| k.strip_prefix(&scope).is_some_and(names))
            .flat_map(|(_, v)| v)
            .collect()
    }

    /// A pooled value for a numeric parameter: for a `min_` bound one of the lower half of the
    /// field's values, for a `max_` bound one of the upper half, so the filter keeps matches.
    fn bound_value(
        &self,
        t: usize,
        param: &str,
        inside: impl Fn(&&Value) -> bool,
        rng: &mut ChaCha8Rng,
    ) -> Option<Value> {
        let mut vals: Vec<&Value> = self.pool_like(t, param)?.iter().filter(inside).collect();
        vals.sort_by(|a, b| {
            a.as_f64()
                .unwrap_or(0.0)
                .total_cmp(&b.as_f64().unwrap_or(0.0))
        });
        bound_candidates(&vals, param)
            .choose(rng)
            .map(|v| (*v).clone())
    }

    /// Whether optional bound `c` has a pool but no value in it that would filter anything
    /// (the world shows one value only): it is left out rather than made up.
    fn vacuous_bound(&self, t: usize, c: &ParamConstraint) -> bool {
        !c.required
            && (c.param.starts_with("min_") || c.param.starts_with("max_"))
            && self.pool_like(t, &c.param).is_some()
    }

    fn literal(&self, t: usize, c: &ParamConstraint, rng: &mut ChaCha8Rng) -> Option<Value> {
        Some(match &c.constraint {
            Constraint::Enum { values } => values.choose(rng)?.clone(),
            Constraint::Boolean => json!(rng.random_bool(0.5)),
            Constraint::Integer { min, max } => {
                let inside = |v: &&Value| {
                    v.as_i64().is_some_and(|x| {
                        min.is_none_or(|m| x as f64 >= m) && max.is_none_or(|m| x as f64 <= m)
                    })
                };
                // A value the world really has (the field a `min_`/`max_` filter bounds).
                if let Some(v) = self.bound_value(t, &c.param, inside, rng) {
                    return Some(v);
                }
                if self.vacuous_bound(t, c) {
                    return None;
                }
                // "with 0 or more places left" or "1 or more stars" (of 1 to 5) sets no filter:
                // a lower bound starts above the smallest value there is.
                if let (None, None, Some((lo, hi))) = (min, max, named_range(&c.param)) {
                    return Some(json!(rng.random_range(lo as i64..=hi as i64)));
                }
                let lo = if c.param.starts_with("min_") {
                    (min.unwrap_or(0.0).ceil() as i64).saturating_add(1).max(1)
                } else {
                    min.unwrap_or(1.0).ceil() as i64
                };
                let hi = max
                    .map_or(lo + 9, |m| (m.floor() as i64).min(lo + 99))
                    .max(lo);
                json!(rng.random_range(lo..=hi))
            }
            Constraint::Number {
                min,
                max,
                exclusive_min,
            } => {
                let inside = |v: &&Value| {
                    v.as_f64().is_some_and(|x| {
                        min.is_none_or(|m| x >= m)
                            && max.is_none_or(|m| x <= m)
                            && exclusive_min.is_none_or(|m| x > m)
                    })
                };
                if let Some(v) = self.bound_value(t, &c.param, inside, rng) {
                    return Some(v);
                }
                if self.vacuous_bound(t, c) {
                    return None;
                }
                let mut related: Vec<&Value> = self
                    .related_pool(t, &c.param)
                    .into_iter()
                    .filter(|v| v.is_number() && inside(v))
                    .collect();
                // The lower half: a related field is often the cap of this one (`salary_max`).
                related.sort_by(|a, b| {
                    a.as_f64()
                        .unwrap_or(0.0)
                        .total_cmp(&b.as_f64().unwrap_or(0.0))
                });
                related.truncate(related.len().div_ceil(2));
                if let Some(v) = related.choose(rng) {
                    return Some((*v).clone());
                }
                if let (None, None, None, Some((lo, hi))) =
                    (min, max, exclusive_min, named_range(&c.param))
                {
                    // An exponent or a year is a whole number even where the type allows more.
                    return Some(json!(rng.random_range(lo as i64..=hi as i64)));
                }
                let lo = exclusive_min.map(|e| e + 0.01).or(*min).unwrap_or(1.0);
                let (lo, hi) = made_up_range(lo, *max);
                json!(((lo + rng.random_range(0.0..=1.0) * (hi - lo)) * 100.0).floor() / 100.0)
            }
            Constraint::Date { min, max } => {
                // Pool dates (the world's own) within the bounds: a link made today does not
                // expire last spring, an incident being reported has happened.
                let inside = |d: &str| {
                    min.as_deref().is_none_or(|lo| d >= lo)
                        && max.as_deref().is_none_or(|hi| d <= hi)
                };
                let ok: Vec<&Value> = self
                    .pool_like(t, &c.param)
                    .into_iter()
                    .flatten()
                    .filter(|v| v.as_str().is_some_and(inside))
                    .collect();
                match ok.choose(rng) {
                    Some(v) => (*v).clone(),
                    None => {
                        use hardgen_tools::world::value::{day_within, format_date, parse_date};
                        let day = |d: &Option<String>| d.as_deref().and_then(parse_date);
                        let d = match day_within(day(min), day(max), rng) {
                            Some(d) => format_date(d),
                            None => format!(
                                "2026-{:02}-{:02}",
                                rng.random_range(6..=8),
                                rng.random_range(1..=28)
                            ),
                        };
                        json!(d)
                    }
                }
            }
            Constraint::Text { .. } | Constraint::Identifier { .. } => {
                self.pool_for(t, &c.param)?.choose(rng)?.clone()
            }
        })
    }

    /// Builds the arguments of a call of `t`: identifiers from earlier results, the rest from P.
    fn arguments<E: Environment>(
        &self,
        t: usize,
        st: &State,
        env: &mut E,
        rng: &mut ChaCha8Rng,
    ) -> (Map<String, Value>, BTreeMap<String, String>, Vec<usize>) {
        let mut args = Map::new();
        // The spent hashes of the identifiers drawn so far: a candidate is compared with them
        // before its value is.
        let mut taken: Vec<u64> = Vec::new();
        let mut prov = BTreeMap::new();
        let mut deps = BTreeSet::new();
        for &s in &self.tool_slots[t] {
            let param = &self.slots[s].param;
            // Values that already failed in a call of this tool are avoided while others exist.
            let failed = spent(st, t, param);
            // The candidates in the order they arrived (steps never decrease along
            // `avail`). One item in two roles of a call (a contact merged into itself, a patient
            // who is their own emergency contact) is never meant: such a call is left unbound
            // and fails. Walked lazily, not collected: after a long harvest a slot holds
            // thousands of values and most picks need only the newest step's.
            let unused = |v: &Value, h: u64| !(taken.contains(&h) && args.values().any(|a| a == v));
            let cands = || {
                st.avail[s]
                    .iter()
                    .flat_map(|&(step, ei, id)| {
                        st.vals[id]
                            .iter()
                            .zip(&st.val_hashes[id])
                            .map(move |(v, &h)| (step, ei, v, h))
                    })
                    .filter(|&(_, _, v, h)| unused(v, h))
            };
            let any_fresh = cands().rev().any(|o| !failed.has(o.3));
            let in_pool = |o: &(usize, usize, &Value, u64)| !any_fresh || !failed.has(o.3);
            // Mostly the newest producing step: its values belong together (the token and the
            // account it was issued for), which keeps arguments coherent.
            let pick = if rng.random_bool(0.8) {
                // One walk back from the end: the newest step's values, newest first.
                let mut recent: Vec<(usize, usize, &Value, u64)> = Vec::new();
                for o in cands().rev().filter(in_pool) {
                    if recent.first().is_some_and(|r| r.0 != o.0) {
                        break;
                    }
                    recent.push(o);
                }
                let n = recent.len();
                (n > 0)
                    .then(|| rng.random_range(..n))
                    .map(|i| recent[n - 1 - i])
            } else {
                // Uniform over the candidates: a few draws over all of them first (after a
                // harvest's sweeps a slot holds thousands, and gathering them all cost a
                // sixth of the harvest), then the ones left, gathered.
                let total: usize = st.avail[s]
                    .iter()
                    .map(|&(_, _, id)| st.vals[id].len())
                    .sum();
                let mut drawn = None;
                for _ in 0..(if total > 64 { 8 } else { 0 }) {
                    let mut i = rng.random_range(..total);
                    let Some(&(step, ei, id)) = st.avail[s].iter().find(|&&(_, _, id)| {
                        let n = st.vals[id].len();
                        let here = i < n;
                        if !here {
                            i -= n;
                        }
                        here
                    }) else {
                        break;
                    };
                    let (v, h) = (&st.vals[id][i], st.val_hashes[id][i]);
                    let o = (step, ei, v, h);
                    if in_pool(&o) && unused(v, h) {
                        drawn = Some(o);
                        break;
                    }
                }
                drawn.or_else(|| {
                    let all: Vec<_> = cands().filter(in_pool).collect();
                    (!all.is_empty())
                        .then(|| rng.random_range(..all.len()))
                        .and_then(|i| all.get(i).copied())
                })
            };
            if let Some((step, ei, v, h)) = pick {
                taken.push(h);
                args.insert(param.clone(), v.clone());
                prov.insert(
                    param.clone(),
                    from_step(step, &self.graph.edges[ei].from_field),
                );
                deps.insert(step);
            }
        }
        let name = &self.graph.nodes[t].name;
        let mut optional = 0;
        for c in &self.graph.constraints[t] {
            if args.contains_key(&c.param) || matches!(c.constraint, Constraint::Identifier { .. })
            {
                continue;
            }
            if !c.required
                && (c.param == "limit"
                    || optional >= self.cfg.max_optional
                    || !rng.random_bool(self.cfg.optional_prob))
            {
                continue;
            }
            optional += usize::from(!c.required);
            let mut v = env
                .user_knowledge(name, &c.param, &args)
                .or_else(|| self.literal(t, c, rng));
            // A trip from MUC to MUC, a file moved onto itself: the two ends of a pair are
            // drawn apart (a few draws at most; a pool of one value keeps it).
            for _ in 0..6 {
                let same_as_partner = v.as_ref().is_some_and(|v| {
                    args.iter()
                        .any(|(k, a)| a == v && are_two_ends(&c.param, k))
                });
                if !same_as_partner {
                    break;
                }
                v = self.literal(t, c, rng);
            }
            // An optional filter an earlier call already had ("calendars with visibility team,
            // just those with visibility team") would be said twice: it is left out.
            let said_before = |v: &Value| {
                st.calls
                    .iter()
                    .any(|e| e.arguments.get(&c.param) == Some(v))
            };
            if let Some(v) = v.filter(|v| c.required || !said_before(v)) {
                args.insert(c.param.clone(), v);
                prov.insert(c.param.clone(), LITERAL.to_string());
            }
        }
        // "At least one of" groups (update tools): give one if none was drawn.
        let mut group = self.graph.any_of[t].clone();
        if !group.is_empty() && !group.iter().any(|p| args.contains_key(p)) {
            group.shuffle(rng);
            for p in group {
                let c = self.graph.constraints[t].iter().find(|c| c.param == p);
                if let Some(v) = c.and_then(|c| self.literal(t, c, rng)) {
                    args.insert(p.clone(), v);
                    prov.insert(p, LITERAL.to_string());
                    break;
                }
            }
        }
        if self.cfg.entity_pools {
            same_person(&mut args, &prov);
        }
        part_within_total(&mut args, &prov);
        same_place(&mut args, &prov);
        paired_lists(&mut args, &prov);
        (args, prov, deps.into_iter().collect())
    }

    /// Runs one call; returns (succeeded, fed a slot that had no value before), or None (and
    /// counts a failure of `t`) when an identifier could not be bound and nothing was called.
    fn execute<E: Environment>(
        &self,
        t: usize,
        round: usize,
        st: &mut State,
        env: &mut E,
        rng: &mut ChaCha8Rng,
    ) -> Option<(bool, bool)> {
        let (args, provenance, depends_on) = self.arguments(t, st, env, rng);
        if self.tool_slots[t]
            .iter()
            .any(|&s| !args.contains_key(&self.slots[s].param))
        {
            st.fails[t] += 1;
            return None;
        }
        // "Set the order's payment method to the one that order already has" changes nothing:
        // not made, as if unbound.
        if self.changes_nothing(t, &args, &depends_on, st) {
            st.fails[t] += 1;
            return None;
        }
        // The same call again after it answered (a count over nothing asked once more) would
        // teach a model to repeat itself: it is not made, as if unbound.
        let key = call_hash(t, &args);
        if st.answered.contains(&key) {
            st.fails[t] += 1;
            return None;
        }
        let step = st.calls.len();
        let call = ToolCall {
            name: self.graph.nodes[t].name.clone(),
            arguments: args,
        };
        let outcome = env.execute(&call);
        let ok = outcome.is_ok();
        let (result, error) = match outcome {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e)),
        };
        let mut fed_new = false;
        if let Some(r) = &result {
            st.answered.insert(key);
            fed_new = self.feed(t, step, r, st);
        } else {
            st.fails[t] += 1;
        }
        st.calls.push(TraceCall {
            step,
            round,
            name: call.name,
            arguments: call.arguments,
            provenance,
            depends_on,
            result,
            error,
        });
        Some((ok, fed_new))
    }

    /// Whether a call of change tool `t` (modify, update, change, set, ...) sets an item's
    /// field to a value read from that same item (`get_order_details(order_id=X)` then
    /// `modify_pending_order_payment(order_id=X, payment_method_id=<X's own>)`).
    fn changes_nothing(
        &self,
        t: usize,
        args: &Map<String, Value>,
        depends_on: &[usize],
        st: &State,
    ) -> bool {
        // Compared in place: this runs for every call drawn, harvest included.
        let verb_in = |name: &str, verbs: &[&str]| {
            let verb = name.split(['_', '.']).next().unwrap_or("");
            verbs.iter().any(|v| verb.eq_ignore_ascii_case(v))
        };
        let changes = [
            "modify", "update", "change", "set", "edit", "switch", "replace",
        ];
        if !verb_in(&self.graph.nodes[t].name, &changes) {
            return false;
        }
        // Only a read's values: a token issued for the item (`authorize_card(card_id)`) is
        // what the change needs, not a value it already has.
        let reads = ["get", "read", "fetch", "view", "show", "lookup", "describe"];
        depends_on.iter().any(|&s| {
            st.calls.get(s).is_some_and(|c| {
                verb_in(&c.name, &reads)
                    && c.arguments.iter().any(|(k, v)| {
                        hardgen_core::spec::is_identifier_name(k)
                            && v.is_string()
                            && args.get(k) == Some(v)
                    })
            })
        })
    }

    /// Runs one round aimed at `target`; true when the target succeeded.
    fn round<E: Environment>(
        &self,
        target: usize,
        round: usize,
        st: &mut State,
        env: &mut E,
        rng: &mut ChaCha8Rng,
    ) -> bool {
        // A new round gives every tool a fresh chance.
        st.fails.iter_mut().for_each(|f| *f = 0);
        let mut reached = false;
        // The target ran, but said nothing: kept if no other input works out.
        let mut got_empty = false;
        let mut tries = 0;
        let mut count = 0;
        while count < self.cfg.max_calls.max(1) {
            let pick = if reached {
                if count >= self.cfg.min_calls && rng.random_bool(self.cfg.stop_prob) {
                    break;
                }
                match self.random_legal(st, rng) {
                    Some(t) => t,
                    None => break,
                }
            } else {
                match self.plan(target, st, rng) {
                    Some(t) => t,
                    None => break,
                }
            };
            count += 1;
            let Some((ok, fed_new)) = self.execute(pick, round, st, env, rng) else {
                if pick == target {
                    tries += 1;
                    if tries >= self.cfg.max_failures_per_tool {
                        break;
                    }
                }
                continue;
            };
            // A figure over nothing ("0 records, total 0") or a search that found nothing
            // teaches little: while tries are left, the target is called again on another
            // input, as after a failure.
            let empty = ok
                && pick == target
                && !reached
                && tries + 1 < self.cfg.max_failures_per_tool
                && st
                    .calls
                    .last()
                    .and_then(|c| c.result.as_ref())
                    .is_some_and(empty_result);
            if !ok || empty || (pick != target && !reached && !fed_new) {
                if let Some(last) = st.calls.last() {
                    let used: Vec<(String, u64)> = self.tool_slots[pick]
                        .iter()
                        .filter_map(|&s| {
                            last.arguments
                                .get(&self.slots[s].param)
                                .map(|v| (self.slots[s].param.clone(), spent_hash(v)))
                        })
                        .collect();
                    spend(st, pick, used);
                }
            }
            if pick == target {
                tries += 1;
                if empty {
                    st.fails[target] += 1;
                    got_empty = true;
                } else if ok {
                    reached = true;
                } else if tries >= self.cfg.max_failures_per_tool {
                    break;
                }
            } else if ok && !reached && !fed_new {
                // A producer that ran but yielded nothing new counts against it, so the
                // planner tries another route instead of repeating it.
                st.fails[pick] += 1;
            }
        }
        reached || got_empty
    }

    /// Samples and executes one trace from `seed` (rounds and lengths per the config). `targets`
    /// fixes the target of each round; missing ones are drawn by failure weight.
    pub fn sample<E: Environment>(
        &self,
        env: &mut E,
        seed: u64,
        id: String,
        targets: &[usize],
        rng: &mut ChaCha8Rng,
    ) -> Trace {
        self.sample_biased(env, seed, id, targets, rng, self.cfg.same_domain_bias)
    }

    /// Like [`Sampler::sample`] with this trace's own same-domain bias (1 keeps a trace in its
    /// target's domain wherever a producer there exists).
    pub fn sample_biased<E: Environment>(
        &self,
        env: &mut E,
        seed: u64,
        id: String,
        targets: &[usize],
        rng: &mut ChaCha8Rng,
        same_domain_bias: f64,
    ) -> Trace {
        env.reset(seed);
        let n = self.graph.nodes.len();
        let mut st = State::new(self.slots.len(), n, same_domain_bias);
        let mut names = Vec::new();
        let mut reached_all = Vec::new();
        for round in 0..self.cfg.rounds.max(1) {
            let Some(target) = targets
                .get(round)
                .copied()
                .or_else(|| self.pick_target(rng))
            else {
                break;
            };
            let mut target = target;
            let mut reached = false;
            let before = (self.cfg.retarget > 0).then(|| (st.clone(), env.snapshot()));
            for attempt in 0..=self.cfg.retarget {
                if attempt > 0 {
                    let Some((s0, e0)) = &before else { break };
                    let depth = self.depth[target].unwrap_or(0);
                    let Some(t) = self.pick_target_deeper_than(rng, depth) else {
                        break;
                    };
                    st = s0.clone();
                    env.restore(e0);
                    target = t;
                }
                reached = self.round(target, round, &mut st, env, rng);
                if reached {
                    break;
                }
            }
            names.push(self.graph.nodes[target].name.clone());
            reached_all.push(reached);
        }
        Trace {
            id,
            seed,
            targets: names,
            reached: reached_all,
            calls: st.calls,
        }
    }
}

impl State {
    /// An empty trace state for `slots` slots and `tools` tools.
    fn new(slots: usize, tools: usize, bias: f64) -> State {
        State {
            avail: vec![Vec::new(); slots],
            vals: Vec::new(),
            val_hashes: Vec::new(),
            fails: vec![0; tools],
            calls: Vec::new(),
            spent: FxHashMap::default(),
            seen: vec![FxHashSet::default(); slots],
            answered: FxHashSet::default(),
            bias: bias.clamp(0.0, 1.0),
        }
    }
}

/// Whether argument `k` was drawn as a literal (not taken from a result): only those may be
/// redrawn to fit the others.
fn is_literal(prov: &BTreeMap<String, String>, k: &str) -> bool {
    prov.get(k).is_some_and(|p| p == LITERAL)
}

/// A part drawn above its total (`nonfree_baggages` 10 of `total_baggages` 7) swaps with it:
/// no one asks for more of a part than the whole. Drawn values only.
fn part_within_total(args: &mut Map<String, Value>, prov: &BTreeMap<String, String>) {
    let drawn = |k: &str| is_literal(prov, k);
    let totals: Vec<String> = args
        .keys()
        .filter(|k| k.starts_with("total_") && drawn(k))
        .cloned()
        .collect();
    for total in totals {
        let noun = &total["total_".len()..];
        let parts: Vec<String> = args
            .keys()
            .filter(|k| *k != &total && k.ends_with(&format!("_{noun}")) && drawn(k))
            .cloned()
            .collect();
        for part in parts {
            let (Some(p), Some(t)) = (
                args.get(&part).and_then(Value::as_f64),
                args.get(&total).and_then(Value::as_f64),
            ) else {
                continue;
            };
            if p > t {
                let pv = args.get(&part).cloned().unwrap_or(Value::Null);
                let tv = args.get(&total).cloned().unwrap_or(Value::Null);
                args.insert(part, tv);
                args.insert(total.clone(), pv);
            }
        }
    }
}

/// A hash of a call: its tool and its arguments (as [`value_hash`] sees them).
fn call_hash(t: usize, args: &Map<String, Value>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    t.hash(&mut h);
    for (k, v) in args {
        k.hash(&mut h);
        value_hash(v).hash(&mut h);
    }
    h.finish()
}

/// A hash of a scalar value (its JSON text).
fn value_hash(v: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    match v {
        Value::String(s) => s.hash(&mut h),
        other => other.to_string().hash(&mut h),
    }
    h.finish()
}

/// Values of `param` spent on tool `t`.
fn spent<'a>(st: &'a State, t: usize, param: &str) -> Spent<'a> {
    Spent(st.spent.get(&(t, param.to_string())))
}

/// Records (param, value hash) pairs as spent on tool `t`.
fn spend(st: &mut State, t: usize, used: Vec<(String, u64)>) {
    for (p, h) in used {
        st.spent.entry((t, p)).or_default().insert(h);
    }
}

/// The values spent on one (tool, param), as hashes.
struct Spent<'a>(Option<&'a FxHashSet<u64>>);

impl Spent<'_> {
    /// Whether the value whose [`spent_hash`] is `h` was spent.
    fn has(&self, h: u64) -> bool {
        self.0.is_some_and(|s| s.contains(&h))
    }
}

/// Hash of a spent value; a string and the number it spells stay apart.
fn spent_hash(v: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    match v {
        Value::String(s) => (0u8, s.as_str()).hash(&mut h),
        other => (1u8, other.to_string()).hash(&mut h),
    }
    h.finish()
}

/// The pool key of field `key` of objects of kind `entity` (`contact.name`).
fn entity_key(entity: &str, key: &str) -> String {
    let mut s = String::new();
    entity_key_in(&mut s, entity, key);
    s
}

/// Writes [`entity_key`] into `buf` (a harvest builds thousands: one buffer serves).
fn entity_key_in(buf: &mut String, entity: &str, key: &str) {
    buf.clear();
    buf.push_str(entity);
    buf.push('.');
    buf.push_str(key);
}

/// What a harvest's sweeps gather: the values found in the current sweep, the domain-scoped
/// values of all sweeps, and hashes that make "is it there yet" one lookup (a harvest adds
/// hundreds of thousands of values; a walk over each pool and an ordered-map key comparison per
/// value cost a third of the harvest).
#[derive(Default)]
struct Gathered {
    /// This sweep's new values per key; joins the sampler's pools when the sweep ends.
    found: FxHashMap<String, Vec<Value>>,
    /// How many values each key holds in the sampler's pools (from earlier sweeps).
    base_len: FxHashMap<String, usize>,
    /// (key, value) hashes of the sampler's pools and `found`.
    seen: FxHashSet<u64>,
    /// Domain-scoped values of every sweep.
    scoped: FxHashMap<String, Vec<Value>>,
    /// (key, value) hashes of `scoped`.
    scoped_seen: FxHashSet<u64>,
    /// The key being built (one buffer, not a new string per value).
    key: String,
}

impl Gathered {
    /// Adds the string and number fields of result `v` of a tool of `domain`: under the field
    /// name, under `kind.field` for objects with an id when `entities`, and under the
    /// domain-scoped key unless the sampler invented the value (`given`).
    fn collect(&mut self, v: &Value, entities: bool, domain: &str, given: &Invented) {
        self.go(v, "", entities, domain, given);
    }

    fn go(&mut self, v: &Value, key: &str, entities: bool, domain: &str, given: &Invented) {
        match v {
            Value::Object(m) => {
                // An object's own kind is its first id field's (`contact_id` -> contact): its
                // plain fields are also pooled under that kind.
                if let Some(kind) = m
                    .keys()
                    .find_map(|k| k.strip_suffix("_id"))
                    .filter(|_| entities)
                {
                    for (k, x) in m {
                        if !k.ends_with("_id") && (x.is_string() || x.is_number()) {
                            let mut buf = std::mem::take(&mut self.key);
                            entity_key_in(&mut buf, kind, k);
                            self.add(&buf, x);
                            self.key = buf;
                        }
                    }
                }
                for (k, x) in m {
                    self.go(x, k, entities, domain, given);
                }
            }
            Value::Array(a) => {
                for x in a {
                    self.go(x, key, entities, domain, given);
                }
            }
            Value::String(_) | Value::Number(_) if !key.is_empty() => {
                self.add(key, v);
                if !given.has(v) {
                    let mut buf = std::mem::take(&mut self.key);
                    scoped_key_in(&mut buf, domain, key);
                    self.add_scoped(&buf, v);
                    self.key = buf;
                }
            }
            _ => {}
        }
    }

    /// Adds `v` under `key` unless the key already holds it (in the sampler's pools or this
    /// sweep's) or is full.
    fn add(&mut self, key: &str, v: &Value) {
        let old = self.base_len.get(key).copied().unwrap_or(0);
        let new = self.found.get(key).map_or(0, Vec::len);
        if old + new >= POOL_CAP || !self.seen.insert(pool_hash(key, v)) {
            return;
        }
        match self.found.get_mut(key) {
            Some(e) => e.push(v.clone()),
            None => {
                self.found.insert(key.to_string(), vec![v.clone()]);
            }
        }
    }

    /// Adds `v` under the domain-scoped `key` unless the key holds it or is full.
    fn add_scoped(&mut self, key: &str, v: &Value) {
        let n = self.scoped.get(key).map_or(0, Vec::len);
        if n >= POOL_CAP || !self.scoped_seen.insert(pool_hash(key, v)) {
            return;
        }
        match self.scoped.get_mut(key) {
            Some(e) => e.push(v.clone()),
            None => {
                self.scoped.insert(key.to_string(), vec![v.clone()]);
            }
        }
    }

    /// Ends a sweep: its values join `pools`.
    fn end_sweep(&mut self, pools: &mut Pools) {
        for (k, mut v) in self.found.drain() {
            *self.base_len.entry(k.clone()).or_default() += v.len();
            pools.entry(k).or_default().append(&mut v);
        }
    }
}

/// Hash of a value under a pool key; a string and the number it spells stay apart.
fn pool_hash(key: &str, v: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    key.hash(&mut h);
    spent_hash(v).hash(&mut h);
    h.finish()
}

/// The most values a pool keeps.
const POOL_CAP: usize = 64;

/// A person's name and e-mail drawn as literals from separate pools name two people ("Hiro
/// Dubois", omar@example.org): the e-mail is made the named person's (hiro.dubois@example.org).
fn same_person(args: &mut Map<String, Value>, prov: &BTreeMap<String, String>) {
    let literal = |k: &str| is_literal(prov, k);
    let Some(name) = args
        .iter()
        .filter(|(k, _)| literal(k) && k.to_ascii_lowercase().ends_with("name"))
        .filter_map(|(_, v)| v.as_str())
        .find(|n| {
            let w: Vec<&str> = n.split_whitespace().collect();
            (2..=3).contains(&w.len())
                && w.iter().all(|x| {
                    x.chars().next().is_some_and(char::is_uppercase)
                        && x.chars()
                            .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
                })
        })
        .map(str::to_string)
    else {
        return;
    };
    let local: String = name
        .split_whitespace()
        .map(|w| w.to_lowercase().replace('\'', ""))
        .collect::<Vec<_>>()
        .join(".");
    for (k, v) in args.iter_mut() {
        if !literal(k) || !k.to_ascii_lowercase().contains("email") {
            continue;
        }
        if let Some((_, domain)) = v.as_str().and_then(|e| e.split_once('@')) {
            *v = Value::String(format!("{local}@{domain}"));
        }
    }
}

/// Two literal lists of which one replaces the other item by item (`item_ids` and
/// `new_item_ids`, `old_values` and `new_values`) are made the same length: three new items for
/// two exchanged ones is no exchange.
fn paired_lists(args: &mut Map<String, Value>, prov: &BTreeMap<String, String>) {
    let literal = |k: &str| is_literal(prov, k);
    let keys: Vec<String> = args.keys().cloned().collect();
    for new_key in &keys {
        let Some(old_key) = new_key.strip_prefix("new_").and_then(|base| {
            keys.iter()
                .find(|k| *k == base || k.strip_prefix("old_") == Some(base))
                .cloned()
        }) else {
            continue;
        };
        if !literal(new_key) || !literal(&old_key) {
            continue;
        }
        let len = |k: &str| args.get(k).and_then(Value::as_array).map(Vec::len);
        let (Some(a), Some(b)) = (len(&old_key), len(new_key)) else {
            continue;
        };
        let n = a.min(b);
        for k in [&old_key, new_key] {
            if let Some(list) = args.get_mut(k.as_str()).and_then(Value::as_array_mut) {
                list.truncate(n);
            }
        }
    }
}

/// US cities with their state and the first two digits of their zip codes: an address drawn
/// field by field ("Udine, FL, Denmark") is made one place.
const PLACES: &[(&str, &str, &str)] = &[
    ("San Francisco", "CA", "94"),
    ("Los Angeles", "CA", "90"),
    ("San Diego", "CA", "92"),
    ("Seattle", "WA", "98"),
    ("Spokane", "WA", "99"),
    ("Portland", "OR", "97"),
    ("Austin", "TX", "78"),
    ("Houston", "TX", "77"),
    ("Dallas", "TX", "75"),
    ("New York", "NY", "10"),
    ("Buffalo", "NY", "14"),
    ("Chicago", "IL", "60"),
    ("Boston", "MA", "02"),
    ("Miami", "FL", "33"),
    ("Orlando", "FL", "32"),
    ("Denver", "CO", "80"),
    ("Phoenix", "AZ", "85"),
    ("Atlanta", "GA", "30"),
    ("Columbus", "OH", "43"),
    ("Philadelphia", "PA", "19"),
    ("Minneapolis", "MN", "55"),
    ("Nashville", "TN", "37"),
    ("Charlotte", "NC", "28"),
    ("Salt Lake City", "UT", "84"),
];

/// A city, a two-letter state and a country drawn as literals from separate pools name no
/// place ("Udine, FL, Denmark"): they are made one US address (the city kept where it is one of
/// [`PLACES`], else one picked by the city's letters), its zip code in the state's range.
fn same_place(args: &mut Map<String, Value>, prov: &BTreeMap<String, String>) {
    let literal = |k: &str| is_literal(prov, k);
    let code = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .is_some_and(|s| s.len() == 2 && s.bytes().all(|c| c.is_ascii_uppercase()))
    };
    if !literal("city") || !literal("state") || !code(args.get("state")) {
        return;
    }
    let Some(city) = args.get("city").and_then(Value::as_str) else {
        return;
    };
    let sum: usize = city.bytes().map(usize::from).sum();
    let &(city, state, zip) = PLACES
        .iter()
        .find(|p| p.0 == city)
        .unwrap_or(&PLACES[sum % PLACES.len()]);
    args.insert("city".into(), json!(city));
    args.insert("state".into(), json!(state));
    let us = |c: &str| {
        matches!(
            c,
            "USA" | "US" | "United States" | "United States of America"
        )
    };
    if literal("country")
        && args
            .get("country")
            .and_then(Value::as_str)
            .is_some_and(|c| !us(c))
    {
        args.insert("country".into(), json!("USA"));
    }
    for key in ["zip", "zip_code", "zipcode", "postal_code"] {
        let Some(z) = args
            .get(key)
            .and_then(Value::as_str)
            .filter(|_| literal(key))
        else {
            continue;
        };
        if z.len() == 5 && z.bytes().all(|c| c.is_ascii_digit()) {
            let z = format!("{zip}{}", &z[2..]);
            args.insert(key.into(), json!(z));
        }
    }
}

/// Whether two parameters are the two ends of one relation (`travel_from`/`travel_to`,
/// `fromCurrency`/`toCurrency`, `source`/`destination`, `sender`/`recipient`), which a
/// meaningful call never gives the same value.
pub fn are_two_ends(a: &str, b: &str) -> bool {
    const PAIRS: &[(&str, &str)] = &[
        ("from", "to"),
        ("origin", "destination"),
        ("source", "destination"),
        ("source", "target"),
        ("departure", "arrival"),
        ("base", "target"),
        ("sender", "recipient"),
        ("sender", "receiver"),
        ("old", "new"),
        // `unit_in`/`unit_out`: a conversion from inches to inches asks nothing.
        ("in", "out"),
    ];
    let words = crate::graph::name_words;
    let (wa, wb) = (words(a), words(b));
    if wa.len() != wb.len() || wa == wb {
        return false;
    }
    let diff: Vec<(&String, &String)> = wa.iter().zip(&wb).filter(|(x, y)| x != y).collect();
    matches!(diff.as_slice(), [(x, y)] if PAIRS.iter().any(|(p, q)| (x == p && y == q) || (x == q && y == p)))
}

/// Whether a result says nothing: an aggregate over no records (an object with a `count` of 0
/// and no list) or a search that found nothing (an empty `results` list).
pub fn empty_result(r: &Value) -> bool {
    r.as_object().is_some_and(|o| match o.get("results") {
        Some(list) => list.as_array().is_some_and(Vec::is_empty),
        None => {
            o.get("count").and_then(Value::as_f64) == Some(0.0) && !o.values().any(Value::is_array)
        }
    })
}

/// Values the harvest passed as literal arguments (strings, and numbers by their bits): a
/// set, since every collected value is looked up.
#[derive(Default)]
struct Invented {
    texts: std::collections::HashSet<String>,
    numbers: std::collections::HashSet<u64>,
}

impl Invented {
    fn add(&mut self, v: &Value) {
        match v {
            Value::String(s) => {
                self.texts.insert(s.clone());
            }
            Value::Number(n) => {
                self.numbers.insert(n.as_f64().unwrap_or(0.0).to_bits());
            }
            _ => {}
        }
    }

    fn has(&self, v: &Value) -> bool {
        match v {
            Value::String(s) => self.texts.contains(s.as_str()),
            Value::Number(n) => self.numbers.contains(&n.as_f64().unwrap_or(0.0).to_bits()),
            _ => false,
        }
    }
}

/// Separates a domain from a field name in the keys of domain-scoped pools.
const SCOPE: char = '/';

/// The pool key of field `key` in results of `domain`'s tools (`files/name`).
fn scoped_key(domain: &str, key: &str) -> String {
    let mut s = String::new();
    scoped_key_in(&mut s, domain, key);
    s
}

/// Writes [`scoped_key`] into `buf`.
fn scoped_key_in(buf: &mut String, domain: &str, key: &str) {
    buf.clear();
    buf.push_str(domain);
    buf.push(SCOPE);
    buf.push_str(key);
}

/// depth[t] = 1 + max over t's slots of min over producers of depth[producer] (0 with no slots).
fn static_depth(slots: &[Slot], tool_slots: &[Vec<usize>]) -> Vec<Option<u32>> {
    let n = tool_slots.len();
    let mut depth: Vec<Option<u32>> = vec![None; n];
    loop {
        let mut changed = false;
        for t in 0..n {
            let mut worst = 0;
            let mut ok = true;
            for &s in &tool_slots[t] {
                match slots[s]
                    .producers
                    .iter()
                    .filter(|&&p| p != t)
                    .filter_map(|&p| depth[p])
                    .min()
                {
                    Some(d) => worst = worst.max(d + 1),
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok && depth[t].is_none_or(|d| worst < d) {
                depth[t] = Some(worst);
                changed = true;
            }
        }
        if !changed {
            return depth;
        }
    }
}

/// The candidates for a numeric parameter among a field's sorted values: for a `min_` bound
/// the lower half, for a `max_` bound the upper half, else all. A bound at the world's own
/// smallest (largest) value keeps everything ("with 0 or more bedrooms", "1 or more stars" when
/// every review has 1 or more, is no filter a person sets), so it is never one; nor is a lower
/// bound of 0 or less. None fit when the world shows one value only.
fn bound_candidates<'v>(sorted: &[&'v Value], param: &str) -> Vec<&'v Value> {
    let half = sorted.len().div_ceil(2);
    let (lo, hi) = (sorted.first().copied(), sorted.last().copied());
    let positive = |v: &&Value| v.as_f64().is_some_and(|x| x > 0.0);
    let pick: Vec<&Value> = if param.starts_with("min_") {
        sorted[..half]
            .iter()
            .copied()
            .filter(|v| Some(*v) != lo && positive(v))
            .collect()
    } else if param.starts_with("max_") {
        sorted[sorted.len() - half..]
            .iter()
            .copied()
            .filter(|v| Some(*v) != hi)
            .collect()
    } else {
        sorted.to_vec()
    };
    match (
        pick.is_empty(),
        param.starts_with("min_"),
        param.starts_with("max_"),
    ) {
        (false, ..) => pick,
        (true, true, _) => sorted
            .iter()
            .copied()
            .filter(|v| positive(v) && Some(*v) != lo)
            .collect(),
        (true, _, true) => sorted.iter().copied().filter(|v| Some(*v) != hi).collect(),
        (true, false, false) => sorted.to_vec(),
    }
}

/// The range a number no pool holds is made up in: a narrow one above its minimum, or for a
/// wide range (a salary up to 500000) a part of its scale, never "a salary of 9.47".
/// The range a number takes by what its name says, for a schema that gives none: an
/// exponent is small, a card's security code has three digits, a month is 1 to 12.
fn named_range(param: &str) -> Option<(f64, f64)> {
    let p = param.to_ascii_lowercase();
    let last = p.rsplit('_').next().unwrap_or(&p);
    Some(match last {
        "exponent" | "power" => (2.0, 4.0),
        "cvv" | "cvc" => (100.0, 999.0),
        "year" => (2020.0, 2030.0),
        "month" => (1.0, 12.0),
        "day" => (1.0, 28.0),
        "hour" | "hours" if p.contains("hour") && !p.contains("rate") => (1.0, 23.0),
        "minute" | "minutes" => (1.0, 59.0),
        "age" => (18.0, 80.0),
        "rating" | "stars" => (1.0, 5.0),
        // How many of a thing a person orders or books.
        "quantity" | "qty" => (1.0, 5.0),
        _ if p.contains("verification_number") || p.contains("security_code") => (100.0, 999.0),
        _ => return None,
    })
}

fn made_up_range(lo: f64, max: Option<f64>) -> (f64, f64) {
    match max {
        Some(m) if m - lo > 1000.0 => ((m / 20.0).max(lo), (m / 4.0).max(lo)),
        _ => (lo, max.unwrap_or(lo + 100.0).min(lo + 250.0).max(lo)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_is_never_drawn_above_its_total() {
        let mut args = Map::new();
        args.insert("total_baggages".into(), json!(3));
        args.insert("nonfree_baggages".into(), json!(7));
        let prov: BTreeMap<String, String> = args
            .keys()
            .map(|k| (k.clone(), LITERAL.to_string()))
            .collect();
        part_within_total(&mut args, &prov);
        assert_eq!(args["total_baggages"], json!(7));
        assert_eq!(args["nonfree_baggages"], json!(3));
        // A value from a result is left as it is.
        let mut prov = prov;
        prov.insert("nonfree_baggages".into(), "step:0.n".into());
        args.insert("nonfree_baggages".into(), json!(9));
        part_within_total(&mut args, &prov);
        assert_eq!(args["nonfree_baggages"], json!(9));
    }

    #[test]
    fn an_id_the_user_gives_is_drawn_from_ids_of_its_own_kind() {
        // tau-bench's `cancel_reservation(reservation_id)`: no tool returns the id, so the user
        // gives it; a payment id is not a reservation id.
        let spec = hardgen_core::spec::ToolSpec {
            name: "cancel_reservation".into(),
            description: "Cancel the whole reservation.".into(),
            domain: String::new(),
            parameters: json!({"type": "object", "properties": {
                "reservation_id": {"type": "string"}}, "required": ["reservation_id"]}),
            returns: None,
            read_only: None,
        };
        let g = ApiGraph::from_specs(&[spec], crate::GraphConfig::default());
        let mut s = Sampler::new(g, SamplerConfig::default());
        let mut pools = Pools::new();
        pools.insert("payment_id".into(), vec![json!("PAY-1")]);
        s.set_pools(pools.clone());
        assert!(s
            .pool_values("cancel_reservation", "reservation_id")
            .is_empty());
        pools.insert("old_reservation_id".into(), vec![json!("RES-1")]);
        s.set_pools(pools);
        assert_eq!(
            s.pool_values("cancel_reservation", "reservation_id"),
            vec![json!("RES-1")]
        );
    }

    #[test]
    fn a_number_without_a_range_takes_the_one_its_name_says() {
        assert_eq!(named_range("exponent"), Some((2.0, 4.0)));
        assert_eq!(
            named_range("card_verification_number"),
            Some((100.0, 999.0))
        );
        assert_eq!(named_range("birth_month"), Some((1.0, 12.0)));
        assert_eq!(named_range("price"), None);
        assert_eq!(named_range("hourly_rate"), None);
    }

    #[test]
    fn the_two_ends_of_a_relation_are_recognised_by_name() {
        for (a, b) in [
            ("travel_from", "travel_to"),
            ("fromCurrency", "toCurrency"),
            ("source", "destination"),
            ("origin_city", "destination_city"),
            ("sender_id", "receiver_id"),
            ("old_name", "new_name"),
            ("unit_in", "unit_out"),
        ] {
            assert!(are_two_ends(a, b), "{a} {b}");
            assert!(are_two_ends(b, a), "{b} {a}");
        }
        for (a, b) in [
            ("travel_from", "travel_from"),
            ("travel_from", "travel_date"),
            ("start_date", "end_date"),
            ("from", "to_city"),
            ("total", "from"),
        ] {
            assert!(!are_two_ends(a, b), "{a} {b}");
        }
    }

    #[test]
    fn a_made_up_number_is_on_the_scale_of_its_range() {
        assert_eq!(made_up_range(0.0, Some(500_000.0)), (25_000.0, 125_000.0));
        assert_eq!(
            made_up_range(30_000.0, Some(500_000.0)),
            (30_000.0, 125_000.0)
        );
        assert_eq!(made_up_range(1.0, Some(50.0)), (1.0, 50.0));
        assert_eq!(made_up_range(1.0, Some(900.0)), (1.0, 251.0));
        assert_eq!(made_up_range(5.0, None), (5.0, 105.0));
    }

    #[test]
    fn a_bound_is_never_the_worlds_own_extreme_while_others_exist() {
        let vals: Vec<Value> = [0, 1, 2, 3, 4, 5].iter().map(|x| json!(x)).collect();
        let sorted: Vec<&Value> = vals.iter().collect();
        assert_eq!(
            bound_candidates(&sorted, "min_bedrooms"),
            [&json!(1), &json!(2)]
        );
        assert_eq!(
            bound_candidates(&sorted, "max_bedrooms"),
            [&json!(3), &json!(4)]
        );
        assert_eq!(bound_candidates(&sorted, "bedrooms").len(), 6);
        // One value only: a bound at it keeps everything the world shows, so none is drawn.
        let one = [&vals[1]];
        assert!(bound_candidates(&one, "min_bedrooms").is_empty());
        assert!(bound_candidates(&one, "max_bedrooms").is_empty());
        assert_eq!(bound_candidates(&one, "bedrooms"), [&json!(1)]);
        // Two values: the one that is not the extreme.
        let two = [&vals[1], &vals[3]];
        assert_eq!(bound_candidates(&two, "min_bedrooms"), [&json!(3)]);
        assert_eq!(bound_candidates(&two, "max_bedrooms"), [&json!(1)]);
        // A lower bound of 0 keeps everything: never drawn.
        assert!(bound_candidates(&[&vals[0]], "min_bedrooms").is_empty());
        assert!(bound_candidates(&[], "min_bedrooms").is_empty());
    }

    #[test]
    fn a_count_of_zero_or_an_empty_search_says_nothing() {
        assert!(empty_result(
            &json!({"meeting_id": "M-1", "count": 0, "accepted": 0.0})
        ));
        assert!(empty_result(&json!({"count": 0.0})));
        assert!(empty_result(&json!({"count": 0, "results": []})));
        assert!(empty_result(&json!({"results": []})));
        assert!(!empty_result(&json!({"count": 2, "total": 10.5})));
        assert!(!empty_result(
            &json!({"count": 1, "results": [{"id": "A-1"}]})
        ));
        // A write that reports its lists ("entities": []) and a bare total are not searches.
        assert!(!empty_result(&json!({"count": 0, "entities": []})));
        assert!(!empty_result(&json!({"total": 0})));
        assert!(!empty_result(&json!([{"count": 0}])));
    }

    #[test]
    fn a_drawn_email_becomes_the_drawn_persons() {
        let lit = |ks: &[&str]| -> BTreeMap<String, String> {
            ks.iter()
                .map(|k| (k.to_string(), LITERAL.to_string()))
                .collect()
        };
        let mut args = Map::new();
        args.insert("name".into(), json!("Hiro Dubois"));
        args.insert("email".into(), json!("omar@example.org"));
        same_person(&mut args, &lit(&["name", "email"]));
        assert_eq!(args["email"], "hiro.dubois@example.org");
        // An e-mail taken from a result is left alone, and so is a name that is not a person's.
        let mut args = Map::new();
        args.insert("name".into(), json!("Hiro Dubois"));
        args.insert("email".into(), json!("omar@example.org"));
        same_person(&mut args, &lit(&["name"]));
        assert_eq!(args["email"], "omar@example.org");
        let mut args = Map::new();
        args.insert("folder_name".into(), json!("Q3 budget"));
        args.insert("email".into(), json!("omar@example.org"));
        same_person(&mut args, &lit(&["folder_name", "email"]));
        assert_eq!(args["email"], "omar@example.org");
    }
    fn literals(ks: &[&str]) -> BTreeMap<String, String> {
        ks.iter()
            .map(|k| (k.to_string(), LITERAL.to_string()))
            .collect()
    }

    #[test]
    fn an_address_drawn_field_by_field_becomes_one_place() {
        let mut args = Map::new();
        args.insert("city".into(), json!("Udine"));
        args.insert("state".into(), json!("FL"));
        args.insert("country".into(), json!("Denmark"));
        args.insert("zip".into(), json!("55717"));
        same_place(&mut args, &literals(&["city", "state", "country", "zip"]));
        let city = args["city"].as_str().expect("city");
        let place = PLACES.iter().find(|p| p.0 == city).expect("a known city");
        assert_eq!(args["state"], place.1);
        assert_eq!(args["country"], "USA");
        assert!(args["zip"].as_str().expect("zip").starts_with(place.2));
        assert!(args["zip"].as_str().expect("zip").ends_with("717"));
        // A city the table has keeps its name and gets its own state.
        let mut args = Map::new();
        args.insert("city".into(), json!("Seattle"));
        args.insert("state".into(), json!("TX"));
        same_place(&mut args, &literals(&["city", "state"]));
        assert_eq!(
            (&args["city"], &args["state"]),
            (&json!("Seattle"), &json!("WA"))
        );
        // A state that is no two-letter code (an order's state) is no address.
        let mut args = Map::new();
        args.insert("city".into(), json!("Udine"));
        args.insert("state".into(), json!("pending"));
        same_place(&mut args, &literals(&["city", "state"]));
        assert_eq!(args["city"], "Udine");
    }

    #[test]
    fn lists_that_replace_each_other_item_by_item_get_one_length() {
        let mut args = Map::new();
        args.insert("item_ids".into(), json!(["1", "2"]));
        args.insert("new_item_ids".into(), json!(["3", "4", "5"]));
        paired_lists(&mut args, &literals(&["item_ids", "new_item_ids"]));
        assert_eq!(args["new_item_ids"], json!(["3", "4"]));
        assert_eq!(args["item_ids"], json!(["1", "2"]));
        // Lists from results are the world's: left as they are.
        let mut args = Map::new();
        args.insert("item_ids".into(), json!(["1", "2"]));
        args.insert("new_item_ids".into(), json!(["3"]));
        paired_lists(&mut args, &literals(&["new_item_ids"]));
        assert_eq!(args["item_ids"], json!(["1", "2"]));
    }
    #[test]
    fn a_change_to_the_value_the_item_already_has_is_not_made() {
        let spec = |name: &str| hardgen_core::spec::ToolSpec {
            name: name.into(),
            description: String::new(),
            domain: String::new(),
            parameters: json!({"type": "object", "properties": {
                "order_id": {"type": "string"}, "payment_method_id": {"type": "string"}}}),
            returns: None,
            read_only: None,
        };
        let specs = [spec("modify_order_payment"), spec("exchange_order_items")];
        let g = ApiGraph::from_specs(&specs, crate::GraphConfig::default());
        let s = Sampler::new(g, SamplerConfig::default());
        let call = |name: &str, order: &str| TraceCall {
            step: 0,
            round: 0,
            name: name.into(),
            arguments: json!({"order_id": order})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            provenance: BTreeMap::new(),
            depends_on: Vec::new(),
            result: Some(json!({"payment_method_id": "gift_card_1"})),
            error: None,
        };
        let mut st = State::new(0, 2, 0.0);
        st.calls.push(call("get_order_details", "#W1"));
        let args = |order: &str| {
            json!({"order_id": order, "payment_method_id": "gift_card_1"})
                .as_object()
                .cloned()
                .unwrap_or_default()
        };
        // The order's own method set on that order: nothing changes.
        assert!(s.changes_nothing(0, &args("#W1"), &[0], &st));
        // Another order's method, or a tool that changes something else, is a real step.
        assert!(!s.changes_nothing(0, &args("#W2"), &[0], &st));
        assert!(!s.changes_nothing(1, &args("#W1"), &[0], &st));
        // A token issued for the item is what a change needs.
        st.calls[0] = call("authorize_order", "#W1");
        assert!(!s.changes_nothing(0, &args("#W1"), &[0], &st));
    }
}
