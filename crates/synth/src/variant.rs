//! Hard variants: items where the right behaviour is judgement, not another call. A variant is
//! drawn per item (a share of the run), made from an executed standard item, named on the
//! record (`variant`) and verified by its own rule ([`problem`]) on top of the usual checks.
//!
//! Built: `missing_param` (the query leaves out a value no tool can supply; the assistant asks
//! for it before any call, the user gives it, the task completes), `irrelevance` (none of the
//! offered tools serves the request; the assistant makes no call and says so) and `parallel`
//! (independent lookups made side by side in one turn) and `error_recovery` (the user mistypes a
//! name, the lookup really finds nothing, the assistant says so and asks, the user corrects it,
//! the task completes) and `missing_function` (a tool the task needs is offered only after the
//! assistant has said it cannot do that part; then the task completes) and `long_context` (a
//! lookup reads its largest page of results, and the item the task needs sits past the first
//! page, picked by the attribute the user states; the results reach a configured size).

use crate::item::Made;
use crate::phrase;
use crate::query::{said_text, states};
use hardgen_core::record::{Binding, GoldCall, Message};
use hardgen_core::{Record, Round, ToolSpec};
use hardgen_graph::schema::values_at;
use rand::rngs::ChaCha8Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// A hard variant of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    /// No judgement case: the query states everything and the tools serve it.
    Standard,
    /// The query omits an input no tool can supply: ask for it, never guess it.
    MissingParam,
    /// No offered tool serves the request: make no call and say why.
    Irrelevance,
    /// Independent gold calls (lookups the target needs side by side) belong in one turn.
    Parallel,
    /// A lookup meets a real "nothing found" caused by the user's typo: say so, ask, go on.
    ErrorRecovery,
    /// A tool the task needs is not offered at first: say what cannot be done, no substitute
    /// call; once the tool is offered, do the task.
    MissingFunction,
    /// A lookup reads a long list (its largest page) and the item the task needs is buried
    /// past the first page: find it by the attribute the user states.
    LongContext,
}

/// Every name `--variants` knows, in the order.
pub const NAMES: &[&str] = &[
    "missing_param",
    "missing_function",
    "irrelevance",
    "error_recovery",
    "long_context",
    "parallel",
];

/// The variants that are built (what `all` means).
pub const BUILT: &[Variant] = &[
    Variant::MissingParam,
    Variant::MissingFunction,
    Variant::Irrelevance,
    Variant::ErrorRecovery,
    Variant::LongContext,
    Variant::Parallel,
];

impl Variant {
    /// The name written on records and accepted by `--variants`.
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Standard => "standard",
            Variant::MissingParam => "missing_param",
            Variant::Irrelevance => "irrelevance",
            Variant::Parallel => "parallel",
            Variant::ErrorRecovery => "error_recovery",
            Variant::MissingFunction => "missing_function",
            Variant::LongContext => "long_context",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Variant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "standard" => Ok(Variant::Standard),
            "missing_param" => Ok(Variant::MissingParam),
            "irrelevance" => Ok(Variant::Irrelevance),
            "parallel" => Ok(Variant::Parallel),
            "error_recovery" => Ok(Variant::ErrorRecovery),
            "missing_function" => Ok(Variant::MissingFunction),
            "long_context" => Ok(Variant::LongContext),
            other => Err(format!(
                "unknown variant {other:?} (known: {}, or all)",
                NAMES.join(", ")
            )),
        }
    }
}

/// Parses `--variants`: a comma-separated list of names, or `all` (every built variant).
pub fn parse_list(s: &str) -> Result<Vec<Variant>, String> {
    if s.trim() == "all" {
        return Ok(BUILT.to_vec());
    }
    let mut out = Vec::new();
    for part in s.split(',').filter(|p| !p.trim().is_empty()) {
        let v: Variant = part.parse()?;
        if v != Variant::Standard && !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// The variant of item `i`: with probability `share` one of `variants` (uniformly), else
/// standard. Drawn from its own stream, so a run without variants is unchanged.
pub fn pick(seed: u64, i: u64, variants: &[Variant], share: f64) -> Variant {
    if variants.is_empty() || share <= 0.0 {
        return Variant::Standard;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(hardgen_tools::world::stream_seed(seed, 0x7A41, i));
    if !rng.random_bool(share.clamp(0.0, 1.0)) {
        return Variant::Standard;
    }
    variants
        .choose(&mut rng)
        .copied()
        .unwrap_or(Variant::Standard)
}

/// The inputs the user could leave out: given literally (not from an earlier round, not a
/// selector that picks among results), not a flag, and taken by one gold step (so asking for
/// it is needed to finish the task and no tool can supply it). Only a required argument of
/// its tool counts: without an optional one (a filter of a list) the task can still be done.
pub fn withholdable(made: &Made, required: impl Fn(&str, &str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = made
        .tool
        .implementation
        .iter()
        .flat_map(|s| s.bindings.iter().map(move |(arg, b)| (s, arg, b)))
        .filter_map(|(s, arg, b)| match b {
            Binding::Input { param } if required(&s.tool, arg) => Some(param.clone()),
            _ => None,
        })
        // "expires on" cannot be asked for in plain words ("what expires on ...?"); a
        // participle can ("What date was it reported on?").
        // Bounds of a search ("max fee", "show date to") are filters, not values a request
        // misses.
        .filter(|p| hardgen_graph::schema::bound_base(p).is_none())
        .filter(|p| {
            let l = label(p);
            !(l.ends_with(" on") || l.ends_with(" at") || l.ends_with(" by"))
                || l.split(' ').next().is_some_and(|w| w.ends_with("ed"))
        })
        .filter(|p| {
            !made.context_inputs.contains(p)
                && !made.selectors.contains(p)
                && made
                    .inputs
                    .get(p)
                    .is_some_and(|v| !v.is_boolean() && !v.is_null())
        })
        .collect();
    out.sort();
    out.dedup();
    // A request with nothing left in it ("find the course.") is not a request a person makes:
    // something else the user states must remain.
    let stated = made
        .inputs
        .keys()
        .filter(|k| !made.context_inputs.contains(*k))
        .count();
    if stated < 2 {
        return Vec::new();
    }
    // A value some other step also takes (a credential, a date used twice) is not only the
    // target's: leaving it out would hide more than one thing.
    out.retain(|p| {
        made.tool
            .implementation
            .iter()
            .filter(|s| {
                s.bindings
                    .values()
                    .any(|b| matches!(b, Binding::Input { param } if param == p))
            })
            .count()
            == 1
    });
    out
}

/// `made` as the query writer sees it when `param` is left out: the input and every binding to
/// it are gone, so the request neither states nor needs to state it.
pub fn without_input(made: &Made, param: &str) -> Made {
    let mut m = made.clone();
    m.inputs.remove(param);
    for s in &mut m.tool.implementation {
        s.bindings
            .retain(|_, b| !matches!(b, Binding::Input { param: p } if p == param));
    }
    m
}

/// The label a person uses for an input (`reported_on` -> "reported on").
fn label(param: &str) -> String {
    phrase::label(param)
}

/// How input `param` of an advanced tool is said: its label, or where its name is cryptic
/// (`a`, `cityA`) the noun the description of the argument it fills gives ("number to
/// subtract from"), as the query writer says it.
pub fn input_label(
    tool: &hardgen_core::record::AdvancedTool,
    specs: &(impl crate::schema_text::Specs + ?Sized),
    param: &str,
) -> String {
    let filled = tool.implementation.iter().find_map(|step| {
        step.bindings.iter().find_map(|(arg, b)| {
            matches!(b, Binding::Input { param: p } if p == param).then_some((&step.tool, arg))
        })
    });
    filled
        .and_then(|(tool, arg)| {
            let said = crate::query::spoken_field(specs.spec(tool)?, arg);
            (said != *arg).then_some(said)
        })
        .unwrap_or_else(|| label(param))
}

/// The assistant's question for a left-out input said as `l` ([`input_label`]), and its
/// reasoning.
pub fn question(goal: &str, l: &str, v: &Value, rng: &mut ChaCha8Rng) -> (String, String) {
    let reasoning = format!(
        "The user wants me to {goal}. That needs the {l}, which the user did not give and no tool can look up, so I must ask for it instead of guessing."
    );
    // "reported on": a date asked for by its participle; "instalments": a count.
    let first = l.split(' ').next().unwrap_or("");
    if phrase::is_participle(first) && [" on", " at", " by"].iter().any(|s| l.ends_with(s)) {
        return (reasoning, format!("What date was it {l}?"));
    }
    // "places left": a count of what remains.
    if let Some((noun, tail @ ("left" | "remaining"))) = l.rsplit_once(' ') {
        if v.is_number() && noun.ends_with('s') {
            let forms = [
                format!("How many {noun} should be {tail}?"),
                format!("Before I go ahead, how many {noun} should be {tail}?"),
            ];
            return (reasoning, forms.choose(rng).cloned().unwrap_or_default());
        }
    }
    if v.is_number() && l.ends_with('s') && !l.ends_with("ss") {
        let forms = [
            format!("How many {l} should it be?"),
            format!("Before I go ahead, how many {l} do you want?"),
        ];
        return (reasoning, forms.choose(rng).cloned().unwrap_or_default());
    }
    let forms = [
        format!("Before I go ahead, which {l} should I use?"),
        format!("I can do that, but I need the {l} before I start. What should it be?"),
        format!("Could you tell me the {l} to use?"),
        format!("What {l} would you like me to use?"),
    ];
    let q = forms.choose(rng).cloned().unwrap_or_default();
    (reasoning, q)
}

/// The user's reply that gives a left-out input said as `l` ([`input_label`]).
pub fn reply(l: &str, v: &Value, rng: &mut ChaCha8Rng) -> String {
    let t = said_text(v);
    // An enum value is said as words ("vat treatment"), as the query says it.
    let t = if crate::query::is_snake_word(&t) {
        t.replace('_', " ")
    } else {
        t
    };
    let is = if crate::query::plural_label(l) {
        "are"
    } else {
        "is"
    };
    let forms = [
        format!("The {l} {is} {t}."),
        format!("Use {t}."),
        format!("Oh, sorry: {t}."),
        format!("Please use {t} as the {l}."),
    ];
    forms.choose(rng).cloned().unwrap_or_default()
}

/// Words of a refusal: an irrelevance answer says it cannot do the request.
const CANNOT: &[&str] = &["can't", "cannot", "not able", "unable", "don't have"];

/// Whether `text` says the request cannot be done.
fn refuses(text: &str) -> bool {
    let lc = text.to_lowercase();
    CANNOT.iter().any(|w| lc.contains(w))
}

/// Turns a kept standard record into an irrelevance record: the tools the gold needs are taken
/// away (and any other that does the target's action), the distractors stay, and the assistant
/// answers without a call. `None` when too few tools would be left to offer.
pub fn irrelevance(mut rec: Record, rng: &mut ChaCha8Rng) -> Option<Record> {
    let round = rec.rounds.first()?;
    let gold: Vec<&str> = round.gold.iter().map(|g| g.name.as_str()).collect();
    let target = round.target.clone();
    let described = rec.tools.clone();
    rec.tools
        .retain(|t| !gold.contains(&t.name.as_str()) && !same_action(&t.name, &target));
    if rec.tools.len() < 2 {
        return None;
    }
    // Every change the request asks for, and its goal: none of them can be done.
    let mut asked: Vec<String> = Vec::new();
    for g in &round.gold {
        let read = crate::item::reads_by_name(&g.name) || crate::lexicon::grants_access(&g.name);
        let goal = goal_of(&described, &g.name);
        if (!read || g.name == target) && !asked.contains(&goal) {
            asked.push(goal);
        }
    }
    let goal = phrase::join_and(asked);
    let closest: Vec<String> = rec
        .tools
        .iter()
        .take(2)
        .map(|t| phrase::goal_in(&t.name, &t.description))
        .collect();
    let reasoning = format!(
        "The user wants me to {goal}. None of the tools I have does that: the closest ones {} and {}, which is something else. Calling one of them would not do what was asked, so I make no call and say so.",
        format_args!("would {}", closest[0]),
        closest[1]
    );
    let forms = [
        format!("I'm sorry, but I can't {goal} with the tools I have here: none of them does that, and I'd rather not guess with a tool meant for something else."),
        format!("Unfortunately I'm not able to {goal} right now. The tools available to me cover related tasks, but not this one."),
        format!("I can't help with that one: there is no tool here that can {goal}. If that becomes available, I'm happy to do it."),
    ];
    let content = forms.choose(rng).cloned().unwrap_or_default();
    let n = rec.tools.len();
    let round = rec.rounds.first_mut()?;
    round.trajectory = vec![
        Message::User {
            content: round.query.clone(),
        },
        Message::Assistant {
            reasoning: Some(reasoning),
            content: Some(content),
            tool_calls: Vec::new(),
        },
    ];
    round.difficulty.distractors = n;
    rec.variant = Variant::Irrelevance.as_str().to_string();
    Some(rec)
}

/// What the agent sets out to do with tool `name`, from its spec among `tools` (see
/// [`phrase::goal_in`]).
fn goal_of(tools: &[std::sync::Arc<ToolSpec>], name: &str) -> String {
    let d = tools
        .iter()
        .find(|t| t.name == name)
        .map_or("", |t| t.description.as_str());
    phrase::goal_in(name, d)
}

/// Whether tool `a` does what tool `b` does (same verb and same object word): such a tool would
/// serve the request, so an irrelevance record never offers it.
fn same_action(a: &str, b: &str) -> bool {
    let (wa, wb): (Vec<&str>, Vec<&str>) = (a.split('_').collect(), b.split('_').collect());
    wa.first() == wb.first() && wa.last() == wb.last()
}

/// The left-out input of a missing-param round: the external input the query does not state.
fn left_out(round: &Round) -> Vec<&String> {
    let q = round.query.to_lowercase();
    round
        .external_inputs
        .iter()
        .filter(|(k, v)| !states(&q, v, k))
        .map(|(k, _)| k)
        .collect()
}

/// The variant's own verification rule for a record (the usual checks run besides): `None`
/// when it holds, else the problem, naming the field.
pub fn problem(rec: &Record, offered: &[std::sync::Arc<ToolSpec>]) -> Option<String> {
    let v: Variant = match rec.variant.parse() {
        Ok(v) => v,
        Err(e) => return Some(format!("variant: {e}")),
    };
    match v {
        Variant::Standard => None,
        Variant::Irrelevance => irrelevance_problem(rec, offered),
        Variant::MissingParam => missing_param_problem(rec),
        Variant::Parallel => parallel_problem(rec),
        Variant::ErrorRecovery => error_recovery_problem(rec),
        Variant::MissingFunction => missing_function_problem(rec),
        Variant::LongContext => long_context_problem(rec),
    }
}

fn irrelevance_problem(rec: &Record, offered: &[std::sync::Arc<ToolSpec>]) -> Option<String> {
    if rec.rounds.len() != 1 {
        return Some("rounds: an irrelevance record has one round".into());
    }
    let round = &rec.rounds[0];
    for (i, t) in offered.iter().enumerate() {
        if round.gold.iter().any(|g| g.name == t.name) || same_action(&t.name, &round.target) {
            return Some(format!(
                "tools[{i}]: {} serves the request, so the request is not irrelevant",
                t.name
            ));
        }
    }
    match round.trajectory.as_slice() {
        [Message::User { .. }, Message::Assistant {
            content: Some(c),
            tool_calls,
            ..
        }] if tool_calls.is_empty() => {
            if !refuses(c) {
                return Some("rounds[0].trajectory[1].content: the answer does not say the request cannot be done".into());
            }
            None
        }
        _ => Some(
            "rounds[0].trajectory: an irrelevance round is the query and one answer with no call"
                .into(),
        ),
    }
}

fn missing_param_problem(rec: &Record) -> Option<String> {
    let round = rec.rounds.last()?;
    let r = rec.rounds.len() - 1;
    let missing = left_out(round);
    let [param] = missing.as_slice() else {
        return Some(format!(
            "rounds[{r}].query: a missing-param query leaves out exactly one input ({} are left out)",
            missing.len()
        ));
    };
    let value = &round.external_inputs[*param];
    match round.trajectory.as_slice() {
        [Message::User { .. }, Message::Assistant {
            content: Some(ask),
            tool_calls,
            ..
        }, Message::User { content: given }, ..] => {
            if !tool_calls.is_empty() {
                return Some(format!("rounds[{r}].trajectory[1]: calls a tool before asking for the {}", label(param)));
            }
            let ask_lc = ask.to_lowercase();
            let said = input_label(&round.advanced_tool, rec.tools.as_slice(), param);
            let named = names_label(&ask_lc, &label(param).to_lowercase())
                || names_label(&ask_lc, &said.to_lowercase());
            if !ask.contains('?') || !named {
                return Some(format!(
                    "rounds[{r}].trajectory[1].content: the question does not ask for the {}",
                    label(param)
                ));
            }
            if !states(&given.to_lowercase(), value, param) {
                return Some(format!(
                    "rounds[{r}].trajectory[2].content: the reply does not give the {}",
                    label(param)
                ));
            }
            None
        }
        _ => Some(format!(
            "rounds[{r}].trajectory: a missing-param round asks for the {} before any call, then the user gives it",
            label(param)
        )),
    }
}

/// Whether a (lowercased) question names an input: its label, or every word of it ("how many
/// places should be left" names the places left).
fn names_label(ask_lc: &str, l: &str) -> bool {
    let words: Vec<&str> = ask_lc
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    ask_lc.contains(l) || l.split(' ').all(|w| words.contains(&w))
}

/// Groups of two or more gold calls (by index) on one dependency level.
fn parallel_groups(gold: &[GoldCall]) -> Vec<Vec<usize>> {
    let lv = crate::reasoner::gold_levels(gold);
    let top = lv.iter().copied().max().unwrap_or(0);
    (0..=top)
        .map(|l| (0..gold.len()).filter(|&k| lv[k] == l).collect::<Vec<_>>())
        .filter(|g| g.len() >= 2)
        .collect()
}

/// Whether a made round has two gold calls that need nothing from each other.
pub fn has_parallel_step(made: &Made) -> bool {
    !parallel_groups(&made.gold).is_empty()
}

/// Turns a made round whose target is a read into a parallel one by fanning it out: the same
/// lookup for a second entity (`find_hotels` in Paris and in Lagos), a copy of the target step
/// with one of its own stated inputs set to another value of its pool (`pool(tool, arg)`). The
/// two lookups need nothing from each other, so they belong in one assistant turn. The whole
/// gold is executed again from the world's start, so every value is real. Errs (naming why)
/// when the target changes something, takes no stated input of its own, its pool has no other
/// value, or the second lookup fails.
pub fn fan_out<E: hardgen_tools::Environment>(
    made: &Made,
    specs: &(impl crate::schema_text::Specs + ?Sized),
    env: &mut E,
    seed: u64,
    read_only: impl Fn(&str) -> bool,
    pool: impl Fn(&str, &str) -> Vec<Value>,
    rng: &mut ChaCha8Rng,
) -> Result<Made, String> {
    let mut m = made.clone();
    let last = m
        .tool
        .implementation
        .len()
        .checked_sub(1)
        .ok_or("parallel: no gold")?;
    let target = m.tool.implementation[last].clone();
    if !read_only(&target.tool) {
        return Err(format!(
            "parallel: no two gold calls are independent, and the target {} changes something (not fanned out)",
            target.tool
        ));
    }
    // The target's own stated inputs: text or numbers the user gives for it alone.
    let used_elsewhere = |p: &str| {
        m.tool.implementation[..last].iter().any(|s| {
            s.bindings.values().any(|b| {
                matches!(b, Binding::Input { param } | Binding::Select { param, .. } if param == p)
            })
        })
    };
    let mut options: Vec<(String, String, Value)> = Vec::new();
    for (arg, b) in &target.bindings {
        let Binding::Input { param } = b else {
            continue;
        };
        let Some(v) = m.inputs.get(param) else {
            continue;
        };
        // One of a pair (`cityA`, `cityB`: "city a") is not an entity of its own.
        let paired = label(param)
            .rsplit(' ')
            .next()
            .is_some_and(|w| w.chars().count() == 1);
        if !(v.is_string() || v.is_number())
            || paired
            || m.selectors.contains(param)
            || m.context_inputs.contains(param)
            || used_elsewhere(param)
        {
            continue;
        }
        // Not another input's value of the same call: "from feet, then the same to feet"
        // asks for nothing.
        let taken = |x: &Value| m.gold[last].arguments.values().any(|a| a == x);
        let others: Vec<Value> = pool(&target.tool, arg)
            .into_iter()
            .filter(|x| x != v && !taken(x) && !crate::item::value_text(x).is_empty())
            .collect();
        if let Some(o) = others.choose(rng) {
            options.push((arg.clone(), param.clone(), o.clone()));
        }
    }
    let (arg, param, other) = options.choose(rng).cloned().ok_or_else(|| {
        format!(
            "parallel: {} takes no stated input with another value to look up",
            target.tool
        )
    })?;
    let second = format!("second_{param}");
    if m.inputs.contains_key(&second) {
        return Err("parallel: the round already fans out".into());
    }
    let mut copy = target.clone();
    copy.bindings.insert(
        arg.clone(),
        Binding::Input {
            param: second.clone(),
        },
    );
    m.tool.implementation.push(copy);
    m.tool.steps.push(last + 1);
    m.inputs.insert(second.clone(), other);
    env.reset(seed);
    let out = crate::maker::execute_advanced_calls(&m.tool, &m.inputs, env);
    if out.len() != m.tool.implementation.len() || out.iter().any(|(_, r)| r.is_err()) {
        return Err(format!(
            "parallel: {} fails for the second {}",
            target.tool,
            label(&param)
        ));
    }
    let mut extra = m.gold[last].clone();
    extra.step = last + 1;
    extra
        .provenance
        .insert(arg.clone(), format!("input:{second}"));
    m.gold.push(extra);
    for (g, (args, res)) in m.gold.iter_mut().zip(out) {
        g.arguments = args;
        g.result = res.unwrap_or(Value::Null);
    }
    if m.gold[last].result == m.gold[last + 1].result {
        return Err("parallel: the second lookup finds the same as the first".into());
    }
    resign(&mut m, specs).map_err(|e| format!("parallel: {e}"))?;
    Ok(m)
}

/// Gives a made round's advanced tool the signature of its changed steps (name, description,
/// parameters, returns).
fn resign(m: &mut Made, specs: &(impl crate::schema_text::Specs + ?Sized)) -> Result<(), String> {
    let (name, description, parameters, returns) =
        crate::maker::signature(&m.gold, &m.tool.implementation, &m.inputs, specs)
            .ok_or("the advanced tool has no signature")?;
    m.tool.name = name;
    m.tool.description = description;
    m.tool.parameters = parameters;
    m.tool.returns = returns;
    Ok(())
}

/// The fanned-out input of a round [`fan_out`] made: (the second value's input, the first's).
pub fn fanned(made: &Made) -> Option<(String, String)> {
    fanned_steps(&made.tool.implementation)
}

/// [`fanned`] from an advanced tool's steps.
pub fn fanned_steps(steps: &[hardgen_core::record::AdvancedStep]) -> Option<(String, String)> {
    let [.., a, b] = steps else {
        return None;
    };
    if a.tool != b.tool {
        return None;
    }
    b.bindings
        .iter()
        .find_map(|(arg, x)| match (x, a.bindings.get(arg)) {
            (Binding::Input { param: p2 }, Some(Binding::Input { param: p1 }))
                if p2 == &format!("second_{p1}") =>
            {
                Some((p2.clone(), p1.clone()))
            }
            _ => None,
        })
}

/// The gold calls a round's final answer must answer: the last, and for a lookup made for two
/// entities ([`fan_out`]) both.
pub fn answered<'a>(
    gold: &'a [GoldCall],
    steps: &[hardgen_core::record::AdvancedStep],
) -> &'a [GoldCall] {
    let ends = if fanned_steps(steps).is_some() { 2 } else { 1 };
    &gold[gold.len().saturating_sub(ends)..]
}

/// A fanned-out round as it was before [`fan_out`]: the request the query states first.
pub fn without_fan(made: &Made) -> Made {
    let mut m = made.clone();
    if let Some((second, _)) = fanned(made) {
        m.tool.implementation.pop();
        m.tool.steps.pop();
        m.gold.pop();
        m.inputs.remove(&second);
    }
    m
}

/// The sentence a fanned-out query ends with: the same request for the second value ("Then do
/// the same with Lagos as the city.").
pub fn fan_note(made: &Made, rng: &mut ChaCha8Rng) -> Option<String> {
    let (second, first) = fanned(made)?;
    let v = crate::item::value_text(made.inputs.get(&second)?);
    let l = label(&first);
    let forms = [
        format!("Then do the same with {v} as the {l}."),
        format!("I'd like the same for the {l} {v}, too."),
        format!("Please also do it for the {l} {v}."),
    ];
    forms.choose(rng).cloned()
}

fn parallel_problem(rec: &Record) -> Option<String> {
    for (r, round) in rec.rounds.iter().enumerate() {
        let groups = parallel_groups(&round.gold);
        if groups.is_empty() {
            return Some(format!(
                "rounds[{r}].gold: a parallel round has two gold calls independent of each other"
            ));
        }
        // The assistant turn that makes each gold call (its first call with those arguments).
        let turn_of = |k: usize| {
            let g = &round.gold[k];
            round.trajectory.iter().position(|m| match m {
                Message::Assistant { tool_calls, .. } => tool_calls
                    .iter()
                    .any(|c| c.name == g.name && c.arguments == g.arguments),
                _ => false,
            })
        };
        for group in groups {
            let turns: Vec<Option<usize>> = group.iter().map(|&k| turn_of(k)).collect();
            if turns.iter().any(Option::is_none) || turns.windows(2).any(|w| w[0] != w[1]) {
                let names: Vec<&str> = group.iter().map(|&k| round.gold[k].name.as_str()).collect();
                return Some(format!(
                    "rounds[{r}].trajectory: the independent calls {} are not made together in one assistant turn",
                    names.join(", ")
                ));
            }
        }
    }
    None
}

/// Turns a kept standard record into a missing-function record: one gold tool (and any tool
/// doing the same action, which would be a substitute) is not offered at first; the assistant
/// says what it cannot do and makes no call; the user then offers the tool and the original
/// turns follow. `None` when the record has no gold tool to hold out.
pub fn missing_function(mut rec: Record, rng: &mut ChaCha8Rng) -> Option<Record> {
    let round = rec.rounds.first()?;
    let mut names: Vec<&str> = round.gold.iter().map(|g| g.name.as_str()).collect();
    names.dedup();
    let held = names.choose(rng)?.to_string();
    let target = round.target.clone();
    let gold: Vec<String> = round.gold.iter().map(|g| g.name.clone()).collect();
    // Substitutes go: a tool doing the held tool's action (not itself needed) is not offered.
    rec.tools
        .retain(|t| t.name == held || gold.contains(&t.name) || !same_action(&t.name, &held));
    let goal = goal_of(&rec.tools, &target);
    let part = goal_of(&rec.tools, &held);
    let asked_for = !(crate::item::reads_by_name(&held) || crate::lexicon::grants_access(&held));
    let (why, says) = if held == target || asked_for {
        let goal = &part;
        (
            format!("The user wants me to {goal}, but none of the tools I have does that. A tool meant for something else would not do it, so I make no call and say so."),
            [
                format!("I'm sorry, but I can't {goal} right now: none of the tools I have can do that."),
                format!("Unfortunately I'm not able to {goal} with the tools available to me. If a tool for it becomes available, I can go ahead."),
            ],
        )
    } else {
        (
            format!("The user wants me to {goal}. For that I first need to {part}, and none of the tools I have can do that. Starting without it would leave the task half done, so I make no call and say so."),
            [
                format!("I can't {goal} yet: it needs me to {part} first, and I don't have a tool for that."),
                format!("I'm unable to do that right now. To {goal} I would need to {part}, and none of my tools can do that."),
            ],
        )
    };
    let offers = [
        format!("I've just added a tool that can {part}. Please go ahead."),
        format!("OK, you now have a tool to {part}. Can you do it now?"),
        "I've enabled the tool you need. Please try again.".to_string(),
    ];
    let round = rec.rounds.first_mut()?;
    if let Some(Message::Assistant {
        reasoning: Some(r), ..
    }) = round.trajectory.get_mut(1)
    {
        *r = format!("Now a tool to {part} is available. {r}");
    }
    round.trajectory.splice(
        1..1,
        [
            Message::Assistant {
                reasoning: Some(why),
                content: says.choose(rng).cloned(),
                tool_calls: Vec::new(),
            },
            Message::User {
                content: offers.choose(rng).cloned().unwrap_or_default(),
            },
        ],
    );
    round.tools_added = vec![hardgen_core::record::ToolsAdded {
        at: 2,
        tools: vec![held],
    }];
    let mut used: Vec<&str> = gold.iter().map(String::as_str).collect();
    used.sort();
    used.dedup();
    round.difficulty.distractors = rec.tools.len().saturating_sub(used.len());
    rec.variant = Variant::MissingFunction.as_str().to_string();
    Some(rec)
}

/// A missing-function round: one gold tool held out until the user's second message, the
/// assistant's first turn says what cannot be done with no call, and no substitute is offered.
fn missing_function_problem(rec: &Record) -> Option<String> {
    let [round] = rec.rounds.as_slice() else {
        return Some("rounds: a missing-function record has one round".into());
    };
    let added = match round.tools_added.as_slice() {
        [a] if a.at == 2 && a.tools.len() == 1 => &a.tools[0],
        _ => {
            return Some(
                "rounds[0].tools_added: a missing-function round offers one held-out tool from the user's second message"
                    .into(),
            )
        }
    };
    if !round.gold.iter().any(|g| &g.name == added) {
        return Some(format!(
            "rounds[0].tools_added: {added} is not a tool the gold needs"
        ));
    }
    for (i, t) in rec.tools.iter().enumerate() {
        if &t.name != added
            && same_action(&t.name, added)
            && !round.gold.iter().any(|g| g.name == t.name)
        {
            return Some(format!(
                "tools[{i}]: {} does what {added} does, so {added} was not missing",
                t.name
            ));
        }
    }
    match round.trajectory.as_slice() {
        [Message::User { .. }, Message::Assistant {
            content: Some(c),
            tool_calls,
            ..
        }, Message::User { .. }, ..]
            if tool_calls.is_empty() =>
        {
            if !refuses(c) {
                return Some("rounds[0].trajectory[1].content: the answer does not say what cannot be done".into());
            }
            None
        }
        _ => Some(
            "rounds[0].trajectory: a missing-function round answers without a call, then the user offers the tool"
                .into(),
        ),
    }
}

/// The turn of `rec` that makes no call because of its variant (the question, the refusal, the
/// answer to the failed lookup) and the situation it answers, in plain words for a model
/// writing it. `None` for variants without such a turn.
pub fn judgement(rec: &Record) -> Option<(usize, String)> {
    let v: Variant = rec.variant.parse().ok()?;
    let round = rec.rounds.last()?;
    match v {
        Variant::Standard | Variant::Parallel | Variant::LongContext => None,
        Variant::MissingParam => {
            let param = left_out(round).into_iter().next()?;
            let l = input_label(&round.advanced_tool, rec.tools.as_slice(), param);
            Some((1, format!(
                "the request leaves out the {l}, which no tool can look up. Ask the user for the {l} instead of guessing it (your message is a question that names it)."
            )))
        }
        Variant::Irrelevance => Some((1, format!(
            "none of the offered tools can {}. Say that you cannot do it, and why (your message says you can't).",
            goal_of(&rec.tools, &round.target)
        ))),
        Variant::MissingFunction => {
            let held = round.tools_added.first()?.tools.first()?;
            Some((1, format!(
                "you have no tool to {}, which the request needs. Say what you cannot do (your message says you can't); do not start on the other steps.",
                goal_of(&rec.tools, held)
            )))
        }
        Variant::ErrorRecovery => {
            let (i, c) = failed_lookup(&round.trajectory)?;
            let (arg, typed, _) = mistyped(round, c)?;
            Some((i + 2, format!(
                "{} found nothing for the {} \"{typed}\" as the user wrote it; it may be mistyped. Say that nothing was found and ask the user to check it (your message is a question that quotes \"{typed}\"); do not guess the right spelling.",
                c.name,
                label(arg)
            )))
        }
    }
}

/// The user's message after a variant's no-call turn (the missing value, the corrected name,
/// the tool now offered), with which the task goes on; `None` when the round ends there.
pub fn reply_after_judgement(rec: &Record) -> Option<String> {
    let (turn, _) = judgement(rec)?;
    match rec.rounds.last()?.trajectory.get(turn + 1)? {
        Message::User { content } => Some(content.clone()),
        _ => None,
    }
}

/// The messages before turn `upto` of a round, one line each, for a model writing that turn.
pub fn conversation_lines(tr: &[Message], upto: usize) -> Vec<String> {
    tr.iter()
        .take(upto)
        .map(|m| match m {
            Message::User { content } => format!("User: {content}"),
            Message::Assistant {
                content,
                tool_calls,
                ..
            } if tool_calls.is_empty() => {
                format!("Assistant: {}", content.as_deref().unwrap_or(""))
            }
            Message::Assistant { tool_calls, .. } => format!(
                "Assistant calls: {}",
                hardgen_core::calls::python::python_call_list(tool_calls)
            ),
            Message::Tool { name, content, .. } => format!("Result of {name}: {content}"),
        })
        .collect()
}

/// The value `v` mistyped: two neighbouring letters swapped inside a
/// word of five or more letters (not at its ends, so a reader still recognises the word), as
/// people mistype. `None` when `v` has no such word.
pub fn typo(v: &str, rng: &mut ChaCha8Rng) -> Option<String> {
    let words = typo_words(v);
    let &(start, w) = words.choose(rng)?;
    let b = w.as_bytes();
    // "er" -> "re" spells a word another way ("kilometres", "centre"), not wrongly.
    let spots: Vec<usize> = (1..b.len() - 2)
        .filter(|&i| b[i] != b[i + 1] && !(b[i] == b'e' && b[i + 1] == b'r'))
        .collect();
    let &i = spots.choose(rng)?;
    let mut out = v.as_bytes().to_vec();
    out.swap(start + i, start + i + 1);
    String::from_utf8(out).ok()
}

/// The words of `v` a typo can go in (start and word): five or more letters, not a code in
/// capitals ("IBAN"), which a reader could not correct.
fn typo_words(v: &str) -> Vec<(usize, &str)> {
    v.split(' ')
        .scan(0usize, |at, w| {
            let start = *at;
            *at += w.len() + 1;
            Some((start, w))
        })
        .filter(|(_, w)| w.len() >= 5 && w.bytes().all(|b| b.is_ascii_alphabetic()))
        .filter(|(_, w)| w.bytes().skip(1).any(|b| b.is_ascii_lowercase()))
        .collect()
}

/// Whether a made round has a lookup the user could mistype: a read-only gold call that takes a
/// stated name with a word a typo can go in.
pub fn has_typo_spot(made: &Made, read_only: impl Fn(&str) -> bool) -> bool {
    made.gold
        .iter()
        .zip(&made.tool.implementation)
        .filter(|(g, _)| read_only(&g.name))
        .flat_map(|(_, s)| s.bindings.iter())
        .filter(|(arg, _)| typed_by_name(arg))
        .any(|(_, b)| match b {
            Binding::Input { param } => made
                .inputs
                .get(param)
                .and_then(Value::as_str)
                .is_some_and(|v| !typo_words(v).is_empty()),
            _ => false,
        })
}

/// Whether an argument is a name a person types (a title, a username), not a code the system
/// handed out (a page cursor, a token, a key), which nobody retypes with a slip.
fn typed_by_name(arg: &str) -> bool {
    let last = phrase::words(arg).pop().unwrap_or_default().to_lowercase();
    !matches!(
        last.as_str(),
        "cursor"
            | "token"
            | "key"
            | "secret"
            | "password"
            | "hash"
            | "checksum"
            | "signature"
            | "session"
            | "offset"
            | "page"
            | "next"
            | "etag"
    )
}

/// Whether `t` is `v` with two neighbouring letters swapped (what [`typo`] makes).
pub use hardgen_core::text::is_typo;

/// Whether a result says nothing was found: an empty list, a zero count, or a not-found error.
pub fn found_nothing(result: &Value) -> bool {
    if let Some(e) = result.get("error") {
        return e.get("kind").and_then(Value::as_str) == Some("not_found");
    }
    match result {
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => {
            m.get("count").and_then(Value::as_u64) == Some(0)
                || (m.get("count").is_none()
                    && m.values().any(|x| x.as_array().is_some_and(Vec::is_empty))
                    && !m
                        .values()
                        .any(|x| x.as_array().is_some_and(|a| !a.is_empty())))
        }
        _ => false,
    }
}

/// Turns a kept standard record into an error-recovery record: the user mistypes one name the
/// gold looks up, the lookup with the typo is executed in `env` and really finds nothing, the
/// assistant says so and asks, the user corrects the name, and the original turns follow.
/// `None` when no looked-up value can be mistyped so that nothing is found. `read_only` says
/// which tools only read (a spec collection's specs seldom say it themselves).
pub fn error_recovery<E: hardgen_tools::Environment + ?Sized>(
    mut rec: Record,
    env: &mut E,
    rng: &mut ChaCha8Rng,
    read_only: impl Fn(&str) -> bool,
) -> Option<Record> {
    let round = rec.rounds.first()?;
    // (gold call, argument, input value) for each name the user states once that a read-only
    // gold call takes as it is.
    let mut cands: Vec<(usize, String, String)> = Vec::new();
    for (k, (g, step)) in round
        .gold
        .iter()
        .zip(&round.advanced_tool.implementation)
        .enumerate()
    {
        if !read_only(&g.name) {
            continue;
        }
        for (arg, b) in &step.bindings {
            let Binding::Input { param } = b else {
                continue;
            };
            if !typed_by_name(arg) {
                continue;
            }
            let Some(Value::String(v)) = round.external_inputs.get(param) else {
                continue;
            };
            let once = round.query.matches(v.as_str()).count() == 1
                && round
                    .query
                    .to_lowercase()
                    .matches(&v.to_lowercase())
                    .count()
                    == 1;
            if once && g.arguments.get(arg) == Some(&Value::String(v.clone())) {
                cands.push((k, arg.clone(), v.clone()));
            }
        }
    }
    cands.shuffle(rng);
    for (k, arg, v) in cands {
        let Some(t) = typo(&v, rng) else { continue };
        let round = &rec.rounds[0];
        let g = &round.gold[k];
        // The turn that makes the lookup: the mistyped call comes right before it.
        let Some(at) = round.trajectory.iter().position(|m| match m {
            Message::Assistant { tool_calls, .. } => tool_calls
                .iter()
                .any(|c| c.name == g.name && c.arguments == g.arguments),
            _ => false,
        }) else {
            continue;
        };
        env.reset(rec.seed);
        for m in &round.trajectory[..at] {
            if let Message::Assistant { tool_calls, .. } = m {
                for c in tool_calls {
                    let _ = env.execute(&hardgen_core::ToolCall {
                        name: c.name.clone(),
                        arguments: c.arguments.clone(),
                    });
                }
            }
        }
        let mut args = g.arguments.clone();
        args.insert(arg.clone(), Value::String(t.clone()));
        let got = match env.execute(&hardgen_core::ToolCall {
            name: g.name.clone(),
            arguments: args.clone(),
        }) {
            Ok(v) => v,
            Err(e) => e.to_result_json(),
        };
        if !found_nothing(&got) {
            continue;
        }
        let l = label(&arg);
        let goal = goal_of(&rec.tools, &round.target);
        let call = hardgen_core::record::Call {
            id: String::new(),
            name: g.name.clone(),
            arguments: args,
        };
        let tried = Message::Assistant {
            reasoning: Some(format!(
                "The user wants me to {goal}. First I look up the {l} as the user wrote it, with {}({arg}={t}).",
                g.name
            )),
            content: None,
            tool_calls: vec![call],
        };
        let answer = Message::Tool {
            tool_call_id: String::new(),
            name: g.name.clone(),
            content: got,
        };
        let asks = [
            format!("I couldn't find anything with the {l} \"{t}\". Could you check the spelling?"),
            format!("There's no match for the {l} \"{t}\". Is it spelled right? If you give me the exact {l}, I'll search again."),
            format!("My search for the {l} \"{t}\" came back empty. Could you double-check it?"),
        ];
        let ask = Message::Assistant {
            reasoning: Some(format!(
                "{} found nothing for the {l} \"{t}\". It looks mistyped, but guessing the right {l} could pick the wrong one, so I ask the user.",
                g.name
            )),
            content: asks.choose(rng).cloned(),
            tool_calls: Vec::new(),
        };
        let replies = [
            format!("Sorry, that was a typo: it's {v}."),
            format!("Oops, I meant {v}."),
            format!("My mistake, the {l} is {v}."),
        ];
        let reply = Message::User {
            content: replies.choose(rng).cloned().unwrap_or_default(),
        };
        let query = round.query.replacen(&v, &t, 1);
        let round = rec.rounds.first_mut()?;
        if let Some(Message::Assistant {
            reasoning: Some(r), ..
        }) = round.trajectory.get_mut(at)
        {
            *r = format!("The user corrected the {l} to {v}. {r}");
        }
        round.query = query.clone();
        round.trajectory[0] = Message::User { content: query };
        round.trajectory.splice(at..at, [tried, answer, ask, reply]);
        renumber_calls(&mut round.trajectory);
        rec.variant = Variant::ErrorRecovery.as_str().to_string();
        return Some(rec);
    }
    None
}

/// Gives the calls of a trajectory the ids `c0`, `c1`, ... in order, and their tool messages too.
fn renumber_calls(tr: &mut [Message]) {
    let mut n = 0;
    let mut pending = std::collections::VecDeque::new();
    for m in tr.iter_mut() {
        match m {
            Message::Assistant { tool_calls, .. } => {
                for c in tool_calls {
                    c.id = format!("c{n}");
                    pending.push_back(c.id.clone());
                    n += 1;
                }
            }
            Message::Tool { tool_call_id, .. } => {
                if let Some(id) = pending.pop_front() {
                    *tool_call_id = id;
                }
            }
            Message::User { .. } => {}
        }
    }
}

/// The first call of a trajectory that found nothing (alone in its turn), with its index.
fn failed_lookup(tr: &[Message]) -> Option<(usize, &hardgen_core::record::Call)> {
    tr.iter()
        .enumerate()
        .find_map(|(i, m)| match (m, tr.get(i + 1)) {
            (Message::Assistant { tool_calls, .. }, Some(Message::Tool { content, .. }))
                if tool_calls.len() == 1 && found_nothing(content) =>
            {
                Some((i, &tool_calls[0]))
            }
            _ => None,
        })
}

/// The gold call `call` should have been, with one argument mistyped: (argument, as typed,
/// right value).
fn mistyped<'a>(
    round: &'a Round,
    call: &'a hardgen_core::record::Call,
) -> Option<(&'a str, &'a String, &'a String)> {
    round.gold.iter().find_map(|g| {
        if g.name != call.name || g.arguments.len() != call.arguments.len() {
            return None;
        }
        let diff: Vec<(&String, &Value)> = call
            .arguments
            .iter()
            .filter(|(a, x)| g.arguments.get(*a) != Some(x))
            .collect();
        match diff.as_slice() {
            [(a, Value::String(t))] => match g.arguments.get(*a) {
                Some(Value::String(v)) if is_typo(t, v) => Some((a.as_str(), t, v)),
                _ => None,
            },
            _ => None,
        }
    })
}

/// How an agent under evaluation handled a variant round, from its calls and its last answer:
/// `None` for rounds judged by their calls alone (standard, parallel); else `Ok` when it did
/// what the variant needs (asked for the missing value before any call; made no call and said
/// it cannot help; asked about the mistyped name instead of guessing it), or what it did wrong.
pub fn judge_agent(
    rec: &Record,
    calls: &[(&str, &serde_json::Map<String, Value>)],
    answer: &str,
) -> Option<Result<(), String>> {
    let v: Variant = rec.variant.parse().ok()?;
    let round = rec.rounds.last()?;
    let lc = answer.to_lowercase();
    Some(match v {
        Variant::Standard | Variant::Parallel | Variant::LongContext => return None,
        Variant::MissingParam => {
            let param = left_out(round).into_iter().next()?;
            let l = label(param);
            // Any content word of the label names it ("the title?" for "course title").
            let names = l
                .split(' ')
                .filter(|w| w.len() >= 3 && !["the", "and"].contains(w))
                .any(|w| lc.contains(w));
            match calls.first() {
                Some((name, _)) => Err(format!("called {name} before asking for the {l}")),
                None if !(answer.contains('?') && names) => Err(format!("did not ask for the {l}")),
                None => Ok(()),
            }
        }
        Variant::Irrelevance | Variant::MissingFunction => match calls.first() {
            Some((name, _)) => Err(format!(
                "called {name}, though no offered tool does what was asked"
            )),
            None if !refuses(answer) => Err("did not say the request cannot be done".into()),
            None => Ok(()),
        },
        Variant::ErrorRecovery => {
            let (_, call) = failed_lookup(&round.trajectory)?;
            let (_, t, right) = mistyped(round, call)?;
            let guessed = calls.iter().find(|(_, args)| {
                args.values()
                    .any(|x| x.as_str().is_some_and(|s| s.eq_ignore_ascii_case(right)))
            });
            match guessed {
                Some((name, _)) => Err(format!(
                    "called {name} with {right}, guessing the spelling of {t} instead of asking"
                )),
                None if !answer.contains('?') => Err(format!("did not ask the user to check {t}")),
                None => Ok(()),
            }
        }
    })
}

/// An error-recovery round: the first lookup with a mistyped name, what it found (nothing), the
/// question, and the user's correction.
fn error_recovery_problem(rec: &Record) -> Option<String> {
    let [round] = rec.rounds.as_slice() else {
        return Some("rounds: an error-recovery record has one round".into());
    };
    let tr = &round.trajectory;
    // The mistyped lookup: the first call that found nothing, and the gold call it should
    // have been (same tool, one argument mistyped).
    let Some((i, call)) = failed_lookup(tr) else {
        return Some(
            "rounds[0].trajectory: an error-recovery round has a lookup that finds nothing".into(),
        );
    };
    let Some((arg, t, v)) = mistyped(round, call) else {
        return Some(format!(
            "rounds[0].trajectory[{i}]: the failed call is not a gold lookup with one value mistyped"
        ));
    };
    let q = round.query.to_lowercase();
    if !q.contains(&t.to_lowercase()) || q.contains(&v.to_lowercase()) {
        return Some(format!(
            "rounds[0].query: the user does not give the mistyped {arg} {t} (and only that)"
        ));
    }
    let earlier = tr[..i].iter().any(|m| match m {
        Message::Assistant { tool_calls, .. } => tool_calls
            .iter()
            .any(|c| c.arguments.values().any(|x| x.as_str() == Some(v.as_str()))),
        _ => false,
    });
    if earlier {
        return Some(format!(
            "rounds[0].trajectory: {v} is used before the user gives it"
        ));
    }
    match (tr.get(i + 2), tr.get(i + 3)) {
        (
            Some(Message::Assistant {
                content: Some(ask),
                tool_calls,
                ..
            }),
            Some(Message::User { content }),
        ) if tool_calls.is_empty() => {
            if !ask.contains('?') || !ask.contains(t.as_str()) {
                return Some(format!(
                    "rounds[0].trajectory[{}].content: the answer to the failed lookup does not ask about {t}",
                    i + 2
                ));
            }
            if !content.contains(v.as_str()) {
                return Some(format!(
                    "rounds[0].trajectory[{}].content: the user's reply does not give the {arg}",
                    i + 3
                ));
            }
            None
        }
        _ => Some(format!(
            "rounds[0].trajectory[{}]: after the failed lookup the assistant asks (no call) and the user corrects the {arg}",
            i + 2
        )),
    }
}

/// Default size of a long-context round's tool results, in estimated tokens (see
/// [`est_tokens`]).
pub const LONG_CONTEXT_TOKENS: usize = 2000;

/// Results a list returns when no `limit` is given: a pick past them is buried in a long read.
pub const PAGE: usize = 10;

/// Estimated tokens of a value as a model reads it: its compact JSON, four characters a token.
pub fn est_tokens(v: &Value) -> usize {
    serde_json::to_string(v).map_or(0, |s| s.len().div_ceil(4))
}

/// Whether a tool reads a list by pages (takes a `limit` with a maximum): a long-context read.
pub fn reads_in_pages(spec: &ToolSpec) -> bool {
    limit_max(spec).is_some()
}

/// The largest `limit` a tool accepts (its schema's maximum), when it takes one.
fn limit_max(spec: &ToolSpec) -> Option<Value> {
    let l = spec.parameters.get("properties")?.get("limit")?;
    Some(l.get("maximum").cloned().unwrap_or(Value::from(50)))
}

/// Whether a tool can filter its results by `field` (a parameter named after it, or a range on
/// it): such an item is searched for, not read out of a long list.
pub fn filters_on(spec: &ToolSpec, field: &str) -> bool {
    let props = spec.parameters.get("properties");
    [
        field.to_string(),
        format!("{field}_from"),
        format!("{field}_to"),
        format!("min_{field}"),
        format!("max_{field}"),
    ]
    .iter()
    .any(|n| props.is_some_and(|p| p.get(n).is_some()))
}

/// Turns a made standard round into a long-context one: each gold list that a later step
/// picks from (by an attribute the user states) is read at its largest `limit`, and the item
/// picked is redrawn from past the first [`PAGE`] results, so it sits deep in a long result.
/// Where no such list takes a limit and the executor makes its data up (a spec collection),
/// the world is made one that holds many items instead: every list a read returns comes to
/// `target_tokens` ([`hardgen_tools::Environment::set_list_tokens`]; the second value
/// returned, which the record keeps so a replay sees the same world).
/// The item is told apart by a text attribute the list cannot filter on (else a search beats
/// the long read); [`without_lookups`] then keeps other lookups by it out of the offer.
/// The whole gold is executed again from the world's start with the new inputs, so every value
/// is real. Errs (naming why, the executor back at its usual size) when no list can be read
/// long, no buried item keeps the task working, or the results stay under `target_tokens`.
pub fn long_context<E: hardgen_tools::Environment>(
    made: &Made,
    specs: &(impl crate::schema_text::Specs + ?Sized),
    env: &mut E,
    seed: u64,
    target_tokens: usize,
    rng: &mut ChaCha8Rng,
) -> Result<(Made, Option<usize>), String> {
    let out = long_reads(made, specs, env, seed, target_tokens, rng);
    if out.as_ref().is_err() {
        env.set_list_tokens(None);
    }
    out
}

/// [`long_context`], which leaves the executor's list size as it last set it.
fn long_reads<E: hardgen_tools::Environment>(
    made: &Made,
    specs: &(impl crate::schema_text::Specs + ?Sized),
    env: &mut E,
    seed: u64,
    target_tokens: usize,
    rng: &mut ChaCha8Rng,
) -> Result<(Made, Option<usize>), String> {
    type Run = Vec<(serde_json::Map<String, Value>, Result<Value, String>)>;
    let mut m = made.clone();
    if m.inputs.contains_key("limit") {
        return Err("long_context: the round already takes a limit".into());
    }
    // (list step, taken path, selector input) of every pick from a list, in step order.
    let mut picks: Vec<(usize, String, String)> = Vec::new();
    for step in &m.tool.implementation {
        for b in step.bindings.values() {
            if let Binding::Select {
                step: k,
                path,
                param,
                ..
            } = b
            {
                if *k < m.tool.implementation.len() && !picks.iter().any(|(_, _, p)| p == param) {
                    picks.push((*k, path.clone(), param.clone()));
                }
            }
        }
    }
    // A list two picks read from (two different items) is left as it is.
    let twice: Vec<usize> = picks
        .iter()
        .map(|(k, _, _)| *k)
        .filter(|k| picks.iter().filter(|(j, _, _)| j == k).count() > 1)
        .collect();
    picks.retain(|(k, _, _)| !twice.contains(k));
    picks.sort();
    let limit_of = |k: usize| {
        specs
            .spec(&m.tool.implementation[k].tool)
            .and_then(limit_max)
    };
    let paged: Vec<(usize, String, String)> = picks
        .iter()
        .filter(|(k, _, _)| limit_of(*k).is_some())
        .cloned()
        .collect();
    let max = paged
        .iter()
        .filter_map(|(k, _, _)| limit_of(*k))
        .filter_map(|v| v.as_u64())
        .min();
    // Read at the largest page when the lists take one; else in a world of many items, where
    // the executor can make one up.
    let world_tokens = match max {
        Some(max) if max as usize > PAGE => {
            picks = paged;
            m.inputs.insert("limit".into(), Value::from(max));
            None
        }
        _ if !picks.is_empty() && env.set_list_tokens(Some(target_tokens)) => Some(target_tokens),
        Some(max) => {
            return Err(format!(
                "long_context: the lists return at most {max} results"
            ))
        }
        None => {
            return Err(
                "long_context: no gold list that a later step picks from takes a limit".into(),
            )
        }
    };
    let max = max.unwrap_or(0);
    // A run counts when every step works and every pick by position still has one candidate
    // (a list read wider must not make a fixed pick ambiguous).
    let mut run = |m: &Made| -> Option<Run> {
        env.reset(seed);
        let out = crate::maker::execute_advanced_calls(&m.tool, &m.inputs, env);
        let single = m.tool.implementation.iter().all(|s| {
            s.bindings.values().all(|b| match b {
                Binding::Step { step, path, .. } => out.get(*step).is_some_and(|(_, r)| {
                    r.as_ref().is_ok_and(|r| {
                        let vals = values_at(r, path);
                        vals.iter().all(|v| Some(v) == vals.first())
                    })
                }),
                _ => true,
            })
        });
        (single && out.iter().all(|(_, r)| r.is_ok())).then_some(out)
    };
    let mut buried = 0;
    let mut last: Option<Run> = None;
    for (k, path, param) in &picks {
        if m.tool.implementation[*k].bindings.contains_key("limit") {
            continue;
        }
        let Some(spec) = specs.spec(&m.tool.implementation[*k].tool) else {
            continue;
        };
        // A list that can be filtered by an attribute is searched by it, not read through: the
        // item is told apart by a text attribute the tool cannot filter on.
        let filterable = |f: &str| filters_on(spec, f);
        // First with the user's filters; then, if the list stays short, without its optional
        // ones that nothing else uses.
        let droppable: Vec<(String, String)> = {
            let step = &m.tool.implementation[*k];
            let required: Vec<&str> = spec.required_params().collect();
            step.bindings
                .iter()
                .filter_map(|(arg, b)| match b {
                    Binding::Input { param: p } if !required.contains(&arg.as_str()) => {
                        let used = m.tool.implementation.iter().enumerate().any(|(j, s)| {
                            s.bindings.iter().any(|(a, x)| {
                                (j != *k || a != arg)
                                    && matches!(x, Binding::Input { param } | Binding::Select { param, .. } if param == p)
                            })
                        });
                        (!used).then(|| (arg.clone(), p.clone()))
                    }
                    _ => None,
                })
                .collect()
        };
        let before = m.clone();
        let mut done = false;
        for drop in [false, true] {
            // A world of many items lists them all, filtered or not.
            if drop && (droppable.is_empty() || world_tokens.is_some()) {
                break;
            }
            m = before.clone();
            if world_tokens.is_none() {
                m.tool.implementation[*k].bindings.insert(
                    "limit".into(),
                    Binding::Input {
                        param: "limit".into(),
                    },
                );
            }
            if drop {
                for (arg, p) in &droppable {
                    m.tool.implementation[*k].bindings.remove(arg);
                    m.inputs.remove(p);
                }
            }
            let Some(wide) = run(&m) else {
                continue;
            };
            let Ok(res) = &wide[*k].1 else {
                continue;
            };
            let rows = values_at(res, path).len();
            // Buried candidates: past the first page, each with its distinguishing attribute.
            let mut deep: Vec<(String, Value)> = (PAGE..rows)
                .filter_map(|i| {
                    crate::maker::selector_where(res, path, i, |f, v| {
                        v.is_string() && !filterable(f)
                    })
                })
                .collect();
            deep.shuffle(rng);
            let wide_m = m.clone();
            // Every buried candidate is tried: a later step may fail for some of them.
            for (field, v) in deep {
                m = wide_m.clone();
                let leaf = field.rsplit('.').next().unwrap_or(&field).to_string();
                let name = if m.inputs.contains_key(&leaf) {
                    format!(
                        "{}_{leaf}",
                        listed(&m.tool.implementation[*k].tool).replace(' ', "_")
                    )
                } else {
                    leaf
                };
                if m.inputs.contains_key(&name) {
                    continue;
                }
                let mut still = false;
                for s in &mut m.tool.implementation {
                    for b in s.bindings.values_mut() {
                        match b {
                            Binding::Select {
                                step,
                                field: f,
                                param: p,
                                ..
                            } if step == k && p == param => {
                                *f = field.clone();
                                *p = name.clone();
                            }
                            Binding::Input { param: p } | Binding::Select { param: p, .. }
                                if p == param =>
                            {
                                still = true
                            }
                            _ => {}
                        }
                    }
                }
                if !still {
                    m.inputs.remove(param);
                }
                m.inputs.insert(name.clone(), v);
                m.selectors.remove(param);
                m.selectors.insert(name);
                if let Some(out) = run(&m) {
                    buried += 1;
                    last = Some(out);
                    done = true;
                    break;
                }
            }
            if done {
                break;
            }
        }
        if !done {
            m = before;
        }
    }
    // The kept changes, run once more from the start (a later step's change may have been
    // tried after an earlier one's run).
    if buried > 0 {
        last = run(&m);
    }
    let out = match last {
        Some(out) if buried > 0 => out,
        _ if world_tokens.is_some() => {
            return Err(format!(
                "long_context: no list of a world of many items has a usable item past its first {PAGE}"
            ))
        }
        _ => {
            return Err(format!(
                "long_context: no list read at limit {max} has a usable item past its first {PAGE}"
            ))
        }
    };
    for (g, (args, res)) in m.gold.iter_mut().zip(out) {
        if args.contains_key("limit") {
            g.provenance.insert("limit".into(), "input:limit".into());
        }
        // Dropped filters leave no provenance behind.
        g.provenance.retain(|k, _| args.contains_key(k));
        g.arguments = args;
        g.result = res.unwrap_or(Value::Null);
    }
    let tokens: usize = m.gold.iter().map(|g| est_tokens(&g.result)).sum();
    if tokens < target_tokens {
        return Err(format!(
            "long_context: the results come to about {tokens} tokens, under the target {target_tokens}"
        ));
    }
    resign(&mut m, specs).map_err(|e| format!("long_context: {e}"))?;
    Ok((m, world_tokens))
}

/// What a list tool lists, in words (`search_fleet_vehicles` -> "fleet vehicles",
/// `list_pets_of_owner` -> "pets").
fn listed(tool: &str) -> String {
    // `listMemberLoans` is `list_member_loans`.
    let snake = phrase::words(tool).join("_");
    let tool = snake.as_str();
    let rest = tool.split_once('_').map_or(tool, |(_, r)| r);
    let cut = [
        "_of_", "_on_", "_by_", "_for_", "_from_", "_in_", "_to_", "_at_", "_with_", "_led_",
        "_linked_", "_taught_", "_sent_", "_near_",
    ]
    .iter()
    .filter_map(|s| rest.find(s))
    .min()
    .unwrap_or(rest.len());
    let noun = rest[..cut].replace('_', " ");
    // `usergroups_users_list` lists users, not "users lists".
    let noun = match noun.strip_suffix(" list") {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => noun,
    };
    match noun.as_str() {
        // Lists named by their container: say what they hold.
        "catalogue" => "catalogue entries".into(),
        "shift roster" => "shift assignments".into(),
        n if n.ends_with('s') => noun,
        n => phrase::plural(n),
    }
}

/// What the first list of items in a result holds, by its items' id (`user_id`: "users").
fn listed_items(result: &Value) -> Option<String> {
    let list = result.as_object()?.values().find_map(|v| {
        v.as_array()
            .filter(|a| a.first().is_some_and(Value::is_object))
    })?;
    let first = list.first()?.as_object()?;
    let stem = first.keys().find_map(|k| hardgen_core::spec::id_stem(k))?;
    Some(phrase::plural(&phrase::words(stem).join(" ")))
}

/// The sentence a long-context query ends with: the user knows the list is long and says how
/// far to read (the `limit` the lookup takes).
/// In a world of many items (no `limit` to pass) the user only knows the list is long.
pub fn long_note(made: &Made, rng: &mut ChaCha8Rng) -> Option<String> {
    let Some(n) = made.inputs.get("limit") else {
        let k = long_steps(&made.tool.implementation, &made.gold)
            .into_iter()
            .next()?;
        let name = &made.gold[k].name;
        // `users_profile_get` lists users, not "profile gets": a name that does not open with
        // its verb is named by the items its result lists.
        let what = (!crate::lexicon::is_common_verb(&phrase::name_verb(name)))
            .then(|| listed_items(&made.gold[k].result))
            .flatten()
            .unwrap_or_else(|| listed(name));
        let forms = [
            format!("There are a lot of {what}, so the one I mean may be far down the list."),
            format!(
                "The list of {what} is long; read all the way through it to find the right one."
            ),
            format!("We have many {what}, so look through the whole list."),
        ];
        return forms.choose(rng).cloned();
    };
    let step = made
        .tool
        .implementation
        .iter()
        .find(|s| s.bindings.contains_key("limit"))?;
    let what = listed(&step.tool);
    let forms = [
        format!("There are a lot of {what}, so look through up to {n} of them."),
        format!("The list of {what} is long; go through up to {n} of them to find the right one."),
        format!("You may have to read through as many as {n} {what} to find it."),
        format!("We have many {what}, so check up to {n} of them."),
    ];
    forms.choose(rng).cloned()
}

/// The gold steps a later step picks an item from past their first [`PAGE`] results: the long
/// reads of a long-context round, in step order.
fn long_steps(steps: &[hardgen_core::record::AdvancedStep], gold: &[GoldCall]) -> Vec<usize> {
    let mut out: Vec<usize> = steps
        .iter()
        .flat_map(|s| s.bindings.values())
        .filter_map(|b| match b {
            Binding::Select { step, field, .. }
                if gold
                    .get(*step)
                    .is_some_and(|g| values_at(&g.result, field).len() > PAGE) =>
            {
                Some(*step)
            }
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `query` with `note` added as its last request sentence: before a closing aside ("Thanks in
/// advance!"), which stays last.
pub fn with_note(query: &str, note: &str) -> String {
    match crate::query::split_closing(query) {
        Some((head, c)) => format!("{head} {note} {c}"),
        None => format!("{query} {note}"),
    }
}

/// The fields a round's long reads tell the picked item apart by: `Select` bindings from a
/// gold step with more than [`PAGE`] results.
fn long_pick_fields(round: &Round) -> Vec<String> {
    let steps = &round.advanced_tool.implementation;
    let long = long_steps(steps, &round.gold);
    steps
        .iter()
        .flat_map(|s| s.bindings.values())
        .filter_map(|b| match b {
            Binding::Select { step, field, .. } if long.contains(step) => {
                Some(field.rsplit('.').next().unwrap_or(field).to_string())
            }
            _ => None,
        })
        .collect()
}

/// A long-context record offers no lookup (a read-only tool outside the gold) that finds the
/// item by the attribute the long read picks it by: with one, searching beats reading.
pub fn without_lookups(mut rec: Record) -> Record {
    let Some(round) = rec.rounds.first() else {
        return rec;
    };
    let fields = long_pick_fields(round);
    let gold: Vec<String> = round.gold.iter().map(|g| g.name.clone()).collect();
    rec.tools.retain(|t| {
        gold.contains(&t.name)
            || t.read_only == Some(false)
            || !fields.iter().any(|f| filters_on(t, f))
    });
    let distractors = rec.tools.iter().filter(|t| !gold.contains(&t.name)).count();
    for r in &mut rec.rounds {
        r.difficulty.distractors = distractors;
    }
    rec
}

/// A long-context round: some gold list is read past its first page and a later step picks an
/// item from past that page, by the attribute the user states.
fn long_context_problem(rec: &Record) -> Option<String> {
    let [round] = rec.rounds.as_slice() else {
        return Some("rounds: a long-context record has one round".into());
    };
    let buried = round.advanced_tool.implementation.iter().any(|s| {
        s.bindings.values().any(|b| match b {
            Binding::Select {
                step, field, param, ..
            } => {
                let (Some(src), Some(want)) =
                    (round.gold.get(*step), round.external_inputs.get(param))
                else {
                    return false;
                };
                let keys = values_at(&src.result, field);
                let leaf = field.rsplit('.').next().unwrap_or(field);
                // Neither the list nor another offered tool can look the item up by it.
                let searchable = rec
                    .tools
                    .iter()
                    .any(|t| t.read_only != Some(false) && filters_on(t, leaf));
                keys.iter()
                    .position(|k| *k == want)
                    .is_some_and(|i| i >= PAGE)
                    && keys.iter().filter(|k| **k == want).count() == 1
                    && !searchable
            }
            _ => false,
        })
    });
    if buried {
        None
    } else {
        Some(format!(
            "rounds[0].gold: a long-context round picks an item from past the first {PAGE} results of a list, by an attribute the list cannot be filtered on"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_tool_says_what_it_lists() {
        assert_eq!(listed("search_fleet_vehicles"), "fleet vehicles");
        assert_eq!(listed("list_pets_of_owner"), "pets");
        assert_eq!(listed("list_classes_led_by"), "classes");
        assert_eq!(listed("list_checked_bag"), "checked bags");
        assert_eq!(listed("search_catalogue"), "catalogue entries");
        assert_eq!(listed("usergroups_users_list"), "users");
        assert_eq!(
            listed_items(&serde_json::json!({"results": [{"user_id": "U-1", "user_name": "ana"}]})),
            Some("users".to_string())
        );
        assert!(typed_by_name("project_name"));
        assert!(typed_by_name("user"));
        assert!(!typed_by_name("cursor"));
        assert!(!typed_by_name("page_token"));
        assert!(!typed_by_name("apiKey"));
        assert_eq!(listed("listMemberLoans"), "member loans");
        assert_eq!(listed("searchBooks"), "books");
    }

    #[test]
    fn a_question_for_a_count_left_asks_how_many_remain_and_names_it() {
        use rand::SeedableRng;
        for seed in 0..8 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let (_, q) = question(
                "add a vet slot",
                "places left",
                &serde_json::json!(1),
                &mut rng,
            );
            assert!(
                q.to_lowercase().contains("how many places should be left?"),
                "{q}"
            );
            assert!(names_label(&q.to_lowercase(), "places left"), "{q}");
        }
        assert!(names_label("what is the card pin?", "card pin"));
        // A question without the words does not name the input.
        assert!(!names_label("how many places?", "places left"));
        assert!(!names_label("which pin should i use?", "card pin"));
    }

    #[test]
    fn a_fanned_out_lookup_is_the_same_tool_with_a_second_value_last() {
        use hardgen_core::record::AdvancedStep;
        let step = |tool: &str, city: &str| AdvancedStep {
            tool: tool.into(),
            bindings: [
                ("city".to_string(), Binding::Input { param: city.into() }),
                (
                    "date".to_string(),
                    Binding::Input {
                        param: "date".into(),
                    },
                ),
            ]
            .into(),
        };
        let fanned = [
            step("find_hotels", "city"),
            step("find_hotels", "second_city"),
        ];
        assert_eq!(
            fanned_steps(&fanned),
            Some(("second_city".to_string(), "city".to_string()))
        );
        // Another tool, another input name, or one step: no fan-out.
        assert_eq!(
            fanned_steps(&[
                step("find_hotels", "city"),
                step("find_rooms", "second_city")
            ]),
            None
        );
        assert_eq!(
            fanned_steps(&[step("find_hotels", "city"), step("find_hotels", "town")]),
            None
        );
        assert_eq!(fanned_steps(&fanned[..1]), None);
    }

    #[test]
    fn a_note_goes_before_a_closing_aside() {
        assert_eq!(
            with_note("Retire the van. Thanks in advance!", "Check up to 50."),
            "Retire the van. Check up to 50. Thanks in advance!"
        );
        assert_eq!(
            with_note("Retire the van.", "Check up to 50."),
            "Retire the van. Check up to 50."
        );
    }

    #[test]
    fn lists_parse_with_all_and_clear_errors() {
        assert_eq!(parse_list("all").expect("known"), BUILT.to_vec());
        assert_eq!(
            parse_list("irrelevance,missing_param,irrelevance").expect("known"),
            vec![Variant::Irrelevance, Variant::MissingParam]
        );
        assert_eq!(
            parse_list("long_context").expect("built"),
            vec![Variant::LongContext]
        );
        // Every known name is built.
        assert_eq!(NAMES.len(), BUILT.len());
        let e = parse_list("nonsense").expect_err("refused");
        assert!(
            e.contains("unknown variant") && e.contains("missing_param"),
            "{e}"
        );
        for v in BUILT {
            assert_eq!(v.as_str().parse::<Variant>().expect("built"), *v);
        }
    }

    #[test]
    fn the_share_decides_how_many_items_get_a_variant() {
        let vs = BUILT.to_vec();
        assert!((0..200).all(|i| pick(1, i, &vs, 0.0) == Variant::Standard));
        assert!((0..200).all(|i| pick(1, i, &[], 1.0) == Variant::Standard));
        let n = (0..1000)
            .filter(|&i| pick(1, i, &vs, 0.3) != Variant::Standard)
            .count();
        assert!((230..370).contains(&n), "{n}");
        assert!((0..200).all(|i| pick(1, i, &vs, 1.0) != Variant::Standard));
        assert_eq!(pick(5, 7, &vs, 0.5), pick(5, 7, &vs, 0.5));
    }

    #[test]
    fn typos_swap_two_inner_letters_of_a_word_and_are_recognised() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..50 {
            let t = typo("Junior Data Analyst", &mut rng).expect("has words");
            assert_ne!(t, "Junior Data Analyst");
            assert!(is_typo(&t, "Junior Data Analyst"), "{t}");
            assert!(t.starts_with('J') && t.ends_with('t'), "{t}");
        }
        // No word of five letters, or only codes in capitals: nothing to mistype.
        assert_eq!(typo("Data Lab", &mut rng), None);
        assert_eq!(typo("IBAN NL91", &mut rng), None);
        // "kilometres" is another spelling, not a typo.
        for _ in 0..50 {
            let t = typo("kilometers", &mut rng).expect("one word");
            assert_ne!(t, "kilometres");
        }
    }

    #[test]
    fn nothing_found_is_an_empty_list_a_zero_count_or_not_found() {
        assert!(found_nothing(
            &serde_json::json!({"results": [], "count": 0})
        ));
        assert!(found_nothing(&serde_json::json!({"results": []})));
        assert!(found_nothing(&serde_json::json!([])));
        assert!(found_nothing(
            &serde_json::json!({"error": {"kind": "not_found", "message": "x"}})
        ));
        assert!(!found_nothing(
            &serde_json::json!({"error": {"kind": "conflict", "message": "x"}})
        ));
        assert!(!found_nothing(
            &serde_json::json!({"results": [1], "count": 1})
        ));
        assert!(!found_nothing(
            &serde_json::json!({"results": [], "count": 3})
        ));
        assert!(!found_nothing(&serde_json::json!({"id": "X-1"})));
    }

    #[test]
    fn calls_are_renumbered_in_order_with_their_answers() {
        let call = |id: &str| hardgen_core::record::Call {
            id: id.into(),
            name: "t".into(),
            arguments: Default::default(),
        };
        let answer = |id: &str| Message::Tool {
            tool_call_id: id.into(),
            name: "t".into(),
            content: Value::Null,
        };
        let turn = |calls| Message::Assistant {
            reasoning: None,
            content: None,
            tool_calls: calls,
        };
        let mut tr = vec![
            turn(vec![call("")]),
            answer(""),
            turn(vec![call("c0"), call("c1")]),
            answer("c0"),
            answer("c1"),
        ];
        renumber_calls(&mut tr);
        let ids: Vec<String> = tr
            .iter()
            .flat_map(|m| match m {
                Message::Assistant { tool_calls, .. } => {
                    tool_calls.iter().map(|c| c.id.clone()).collect()
                }
                Message::Tool { tool_call_id, .. } => vec![tool_call_id.clone()],
                Message::User { .. } => Vec::new(),
            })
            .collect();
        assert_eq!(ids, ["c0", "c0", "c1", "c2", "c1", "c2"]);
    }

    #[test]
    fn same_action_is_verb_and_object() {
        assert!(same_action("get_order", "get_order"));
        assert!(same_action("get_open_order", "get_order"));
        assert!(!same_action("cancel_order", "get_order"));
        assert!(!same_action("get_order_lines", "get_order"));
    }
}
