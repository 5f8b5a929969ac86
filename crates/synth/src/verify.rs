//! Verifier (rules): the reasoner's executed calls must reproduce every gold result (order-free),
//! reach the gold end state, and the final answer must state the gold outcome. A failure yields
//! hints that say what is wrong without giving gold values.

use crate::item::value_text;
use crate::item::Made;
use crate::reasoner::{answer_states, answer_values_after, Attempt};
use std::collections::BTreeMap;

/// Check results and hints of one attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// Check name -> passed.
    pub checks: BTreeMap<String, bool>,
    /// Hints for a retry (empty when all passed).
    pub hints: Vec<String>,
}

impl Checked {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.values().all(|b| *b)
    }
}

/// Verifies an attempt against the gold calls (each gold call needs its own call with the same
/// name, arguments and result); `end_state` is whether the digests matched.
pub fn check(made: &Made, query: &str, att: &Attempt, end_state: bool) -> Checked {
    let mut hints = Vec::new();
    let mut used = vec![false; att.calls.len()];
    let mut all_gold = true;
    for g in &made.gold {
        let hit = att.calls.iter().enumerate().position(|(i, (c, out))| {
            !used[i]
                && c.name == g.name
                && c.arguments == g.arguments
                && out.as_ref().ok() == Some(&g.result)
        });
        match hit {
            Some(i) => used[i] = true,
            None => {
                all_gold = false;
                let mine: Vec<&(hardgen_core::record::Call, _)> =
                    att.calls.iter().filter(|(c, _)| c.name == g.name).collect();
                hints.push(match mine.first() {
                    None => format!("the plan never called {}, which the request needs", g.name),
                    Some((_, Err(e))) => format!(
                        "{} failed ({}): check where each of its arguments came from",
                        g.name,
                        e.kind()
                    ),
                    Some(_) => format!("{} ran, but not with the values the request needs", g.name),
                });
            }
        }
    }
    // A value that is in neither the query nor any earlier result was guessed.
    let q = query.to_lowercase();
    for (i, (c, _)) in att.calls.iter().enumerate() {
        for (arg, v) in &c.arguments {
            let t = value_text(v);
            if t.len() < 3 || q.contains(&t.to_lowercase()) || crate::query::states(&q, v, arg) {
                continue;
            }
            let seen = att.calls[..i].iter().any(|(_, out)| {
                out.as_ref()
                    .is_ok_and(|r| crate::ground::contains_value(r, v))
            });
            if !seen {
                hints.push(format!(
                    "a required value for {} ({arg}) was guessed, not obtained from a tool",
                    c.name
                ));
            }
        }
    }
    let answer_ok = !made.gold.is_empty()
        && crate::variant::answered(&made.gold, &made.tool.implementation)
            .iter()
            .all(|g| {
                answer_values_after(&g.arguments, &g.result)
                    .iter()
                    .all(|v| answer_states(&att.answer, v))
            });
    if !answer_ok {
        hints.push(format!(
            "the final answer does not state the outcome of {}",
            made.gold.last().map_or("", |g| g.name.as_str())
        ));
    }
    if !end_state && all_gold {
        hints.push("the calls changed more (or less) than the request asks for".to_string());
    }
    hints.dedup();
    let checks = BTreeMap::from([
        ("gold_results".to_string(), all_gold),
        ("end_state".to_string(), end_state),
        ("final_answer".to_string(), answer_ok),
    ]);
    Checked { checks, hints }
}

/// A replayed assistant call: tool, arguments, what it gave, whether it succeeded.
type Replayed = (
    String,
    serde_json::Map<String, serde_json::Value>,
    serde_json::Value,
    bool,
);

/// Re-verifies a stored record against a fresh environment and checks everything it claims:
/// the trajectory's shape (first user message is the query, every tool message answers the call
/// before it by id and name, a final answer closes each round), every assistant call replayed
/// gives its recorded result, the gold re-executed through its advanced tool gives its recorded
/// names, arguments, provenance and results, both reach the same end state, the final answer
/// states the outcome, the query is complete, leaks nothing and names every relation, every value
/// is grounded, and the verdict, difficulty, domains and offered tools match. Returns the first
/// problem, naming the field.
pub fn reverify<E: hardgen_tools::Environment>(
    rec: &hardgen_core::Record,
    env: &mut E,
    gold_env: &mut E,
) -> Result<(), String> {
    use hardgen_core::record::Message;
    use hardgen_core::ToolCall;
    static_checks(rec, env.specs())?;
    // The record's world: a long-context record on made-up data lists many items.
    env.set_list_tokens(rec.list_tokens);
    gold_env.set_list_tokens(rec.list_tokens);
    env.reset(rec.seed);
    gold_env.reset(rec.seed);
    for (r, round) in rec.rounds.iter().enumerate() {
        let at = format!("rounds[{r}]");
        // Replay the assistant's calls; each tool message must hold what its call gives now.
        let mut outcomes: Vec<Replayed> = Vec::new();
        let mut answer = None;
        for (i, m) in round.trajectory.iter().enumerate() {
            match m {
                Message::Assistant {
                    tool_calls,
                    content,
                    ..
                } => {
                    for (c_i, c) in tool_calls.iter().enumerate() {
                        let out = env.execute(&ToolCall {
                            name: c.name.clone(),
                            arguments: c.arguments.clone(),
                        });
                        let ok = out.is_ok();
                        let got = match out {
                            Ok(v) => v,
                            Err(e) => e.to_result_json(),
                        };
                        let recorded = match round.trajectory.get(i + 1 + c_i) {
                            Some(Message::Tool { content, .. }) => content,
                            _ => {
                                return Err(format!(
                                    "{at}.trajectory[{}]: no tool message answers call {}",
                                    i + 1 + c_i,
                                    c.id
                                ))
                            }
                        };
                        if recorded != &got {
                            return Err(format!(
                                "{at}.trajectory[{}].content: call {} ({}) no longer gives the recorded result",
                                i + 1 + c_i,
                                c.id,
                                c.name
                            ));
                        }
                        outcomes.push((c.name.clone(), c.arguments.clone(), got, ok));
                    }
                    if content.is_some() {
                        answer = content.clone();
                    }
                }
                Message::User { .. } | Message::Tool { .. } => {}
            }
        }
        // Re-execute the gold through its advanced tool.
        let calls = crate::maker::execute_advanced_calls(
            &round.advanced_tool,
            &round.external_inputs,
            gold_env,
        );
        for (k, ((args, o), g)) in calls.iter().zip(&round.gold).enumerate() {
            if args != &g.arguments {
                return Err(format!(
                    "{at}.gold[{k}].arguments: the advanced tool's step {k} gives other arguments"
                ));
            }
            if o.as_ref().ok() != Some(&g.result) {
                return Err(format!(
                    "{at}.gold[{k}].result: {} no longer gives the recorded result",
                    g.name
                ));
            }
        }
        // An irrelevance round makes no call: nothing of the gold is in its trajectory.
        if rec.variant == crate::variant::Variant::Irrelevance.as_str() {
            continue;
        }
        if env.digest() != gold_env.digest() {
            return Err(format!(
                "{at}.trajectory: the end state differs from the gold end state"
            ));
        }
        // Every gold result among the assistant's successful results (order-free, one to one).
        let mut used = vec![false; outcomes.len()];
        for (k, g) in round.gold.iter().enumerate() {
            let hit = outcomes.iter().enumerate().position(|(i, (n, a, v, ok))| {
                !used[i] && *ok && n == &g.name && a == &g.arguments && v == &g.result
            });
            match hit {
                Some(i) => used[i] = true,
                None => {
                    return Err(format!(
                        "{at}.gold[{k}]: no call of the trajectory gives this gold result"
                    ))
                }
            }
        }
        let a = answer.unwrap_or_default();
        for g in crate::variant::answered(&round.gold, &round.advanced_tool.implementation) {
            if !answer_values_after(&g.arguments, &g.result)
                .iter()
                .all(|v| answer_states(&a, v))
            {
                return Err(format!(
                    "{at}.trajectory: the final answer does not state the outcome of {}",
                    g.name
                ));
            }
        }
    }
    if let Some(p) = crate::variant::problem(rec, &rec.tools) {
        return Err(p);
    }
    if let Some(p) = crate::ground::record_problem(rec) {
        return Err(p);
    }
    Ok(())
}

/// Checks of a record that need no execution: shape, bookkeeping and the query checks.
fn static_checks(
    rec: &hardgen_core::Record,
    world: &[hardgen_core::ToolSpec],
) -> Result<(), String> {
    use hardgen_core::record::{Binding, Message};
    use std::collections::BTreeSet;
    if rec.rounds.is_empty() {
        return Err("rounds: a record has at least one round".into());
    }
    // Offered tools are the world's own specs, each once.
    let mut offered = BTreeSet::new();
    for (i, t) in rec.tools.iter().enumerate() {
        if !offered.insert(t.name.as_str()) {
            return Err(format!("tools[{i}]: {} is offered twice", t.name));
        }
        match world.iter().find(|w| w.name == t.name) {
            Some(w) if w == t.as_ref() => {}
            Some(_) => {
                return Err(format!(
                    "tools[{i}]: {} differs from the environment's spec",
                    t.name
                ))
            }
            None => {
                return Err(format!(
                    "tools[{i}]: {} is not a tool of the environment",
                    t.name
                ))
            }
        }
    }
    let mut used: Vec<&str> = Vec::new();
    let mut ids = BTreeSet::new();
    // An irrelevance record keeps the gold the request would need, but never offers it.
    let irrelevant = rec.variant == crate::variant::Variant::Irrelevance.as_str();
    let asks_first = rec.variant == crate::variant::Variant::MissingParam.as_str();
    let recovers = rec.variant == crate::variant::Variant::ErrorRecovery.as_str();
    for (r, round) in rec.rounds.iter().enumerate() {
        let at = format!("rounds[{r}]");
        let n = round.gold.len();
        if n == 0 {
            return Err(format!("{at}.gold: empty"));
        }
        if round.gold.last().map(|g| g.name.as_str()) != Some(round.target.as_str()) {
            return Err(format!(
                "{at}.target: {} is not the last gold call",
                round.target
            ));
        }
        let steps = &round.advanced_tool.implementation;
        if steps.len() != n || round.advanced_tool.steps != (0..n).collect::<Vec<_>>() {
            return Err(format!(
                "{at}.advanced_tool: its steps do not match the {n} gold calls"
            ));
        }
        let sig = crate::maker::signature(&round.gold, steps, &round.external_inputs, world);
        let t = &round.advanced_tool;
        // A model tool maker writes its own name and descriptions: the shape must still be
        // the one the steps give.
        let model_made = rec.generator.tool_maker != "offline";
        match sig {
            Some((name, description, parameters, returns))
                if name == t.name
                    && description == t.description
                    && parameters == t.parameters
                    && returns == t.returns => {}
            Some((_, _, parameters, returns))
                if model_made
                    && crate::roles::judged::conforms(t, &parameters, &returns, world) => {}
            _ => {
                return Err(format!(
                    "{at}.advanced_tool: its name, description or schemas are not the ones its steps give"
                ))
            }
        }
        let params: BTreeSet<&String> = round
            .advanced_tool
            .parameters
            .get("properties")
            .and_then(serde_json::Value::as_object)
            .map(|p| p.keys().collect())
            .unwrap_or_default();
        if params != round.external_inputs.keys().collect::<BTreeSet<_>>() {
            return Err(format!(
                "{at}.external_inputs: not the advanced tool's parameters"
            ));
        }
        for (k, (g, step)) in round.gold.iter().zip(steps).enumerate() {
            let gat = format!("{at}.gold[{k}]");
            if g.step != k {
                return Err(format!("{gat}.step: {} should be {k}", g.step));
            }
            if g.name != step.tool {
                return Err(format!(
                    "{gat}.name: {} is not the advanced tool's step ({})",
                    g.name, step.tool
                ));
            }
            if !offered.contains(g.name.as_str()) && !irrelevant {
                return Err(format!(
                    "{gat}.name: {} is not among the offered tools",
                    g.name
                ));
            }
            if !used.contains(&g.name.as_str()) {
                used.push(g.name.as_str());
            }
            if g.provenance.keys().collect::<BTreeSet<_>>()
                != g.arguments.keys().collect::<BTreeSet<_>>()
            {
                return Err(format!("{gat}.provenance: not one entry per argument"));
            }
            let mut deps = BTreeSet::new();
            for (arg, b) in &step.bindings {
                let want = match b {
                    Binding::Input { param } => format!("input:{param}"),
                    Binding::Step { step, path, .. } | Binding::Select { step, path, .. } => {
                        deps.insert(*step);
                        format!("step:{step}:{path}")
                    }
                };
                if g.provenance.get(arg) != Some(&want) {
                    return Err(format!("{gat}.provenance.{arg}: should be {want}"));
                }
            }
            if g.depends_on.iter().copied().collect::<BTreeSet<_>>() != deps {
                return Err(format!(
                    "{gat}.depends_on: not the steps its arguments come from"
                ));
            }
        }
        // The trajectory: the query, then assistant turns each answered call by call, then an answer.
        let tr = &round.trajectory;
        for (k, a) in round.tools_added.iter().enumerate() {
            if !matches!(tr.get(a.at), Some(Message::User { .. })) {
                return Err(format!(
                    "{at}.tools_added[{k}].at: message {} is not a user message",
                    a.at
                ));
            }
            if let Some(t) = a.tools.iter().find(|t| !offered.contains(t.as_str())) {
                return Err(format!(
                    "{at}.tools_added[{k}].tools: {t} is not among the record's tools"
                ));
            }
        }
        match tr.first() {
            Some(Message::User { content }) if content == &round.query => {}
            _ => {
                return Err(format!(
                    "{at}.trajectory[0]: the first message must be the user's query"
                ))
            }
        }
        let mut i = 1;
        let mut closed = false;
        let mut replied = false;
        while i < tr.len() {
            match &tr[i] {
                Message::Assistant {
                    tool_calls,
                    content,
                    ..
                } => {
                    if closed {
                        return Err(format!(
                            "{at}.trajectory[{i}]: a message after the final answer"
                        ));
                    }
                    for (c_i, c) in tool_calls.iter().enumerate() {
                        if !ids.insert(c.id.as_str()) {
                            return Err(format!(
                                "{at}.trajectory[{i}]: call id {} is used twice",
                                c.id
                            ));
                        }
                        if !offered.contains(c.name.as_str()) {
                            return Err(format!(
                                "{at}.trajectory[{i}]: {} is not an offered tool",
                                c.name
                            ));
                        }
                        if round
                            .tools_added
                            .iter()
                            .any(|a| a.at > i && a.tools.contains(&c.name))
                        {
                            return Err(format!(
                                "{at}.trajectory[{i}]: {} is called before it is offered",
                                c.name
                            ));
                        }
                        match tr.get(i + 1 + c_i) {
                            Some(Message::Tool {
                                tool_call_id, name, ..
                            }) if tool_call_id == &c.id && name == &c.name => {}
                            _ => {
                                return Err(format!(
                                    "{at}.trajectory[{}]: must be the tool message of call {} ({})",
                                    i + 1 + c_i,
                                    c.id,
                                    c.name
                                ))
                            }
                        }
                    }
                    if tool_calls.is_empty() {
                        if content.is_none() {
                            return Err(format!("{at}.trajectory[{i}]: an assistant turn with neither calls nor answer"));
                        }
                        closed = true;
                    }
                    i += 1 + tool_calls.len();
                }
                Message::Tool { tool_call_id, .. } => {
                    return Err(format!(
                    "{at}.trajectory[{i}]: tool message {tool_call_id} answers no call before it"
                ))
                }
                // A missing-param round: the question, then the user's reply with the value.
                Message::User { .. } if asks_first && i == 2 && r + 1 == rec.rounds.len() => {
                    closed = false;
                    i += 1;
                }
                // An error-recovery round: after the question about a failed lookup, the
                // user's correction (once); a missing-function round: after the answer that
                // says what cannot be done, the user's message the held-out tool comes with.
                Message::User { .. }
                    if closed
                        && !replied
                        && (recovers || round.tools_added.iter().any(|a| a.at == i)) =>
                {
                    closed = false;
                    replied = true;
                    i += 1;
                }
                Message::User { .. } => {
                    return Err(format!(
                        "{at}.trajectory[{i}]: a second user message in one round"
                    ))
                }
            }
        }
        if !closed {
            return Err(format!("{at}.trajectory: no final answer"));
        }
        // Verdict and difficulty as the checks give them.
        let v = &round.verdict;
        if !v.passed || v.checks.is_empty() || v.checks.values().any(|c| !c) {
            return Err(format!(
                "{at}.verdict: a kept round has passed = true and every check true"
            ));
        }
        if v.attempts as usize != v.hints.len() + 1 {
            return Err(format!(
                "{at}.verdict.attempts: {} does not match {} hint(s)",
                v.attempts,
                v.hints.len()
            ));
        }
        let d = &round.difficulty;
        if d.calls != n {
            return Err(format!(
                "{at}.difficulty.calls: {} but the gold has {n}",
                d.calls
            ));
        }
        let hidden = crate::query::intermediate_values_of(round).len();
        if d.hidden_values != hidden {
            return Err(format!(
                "{at}.difficulty.hidden_values: {} but {hidden} values are hidden",
                d.hidden_values
            ));
        }
        let q = round.query.to_lowercase();
        for v in crate::query::intermediate_values_of(round) {
            if v.len() >= 3 && q.contains(&v.to_lowercase()) {
                return Err(format!("{at}.query: states the intermediate value {v}"));
            }
        }
    }
    let distractors = rec.tools.len().saturating_sub(
        used.iter()
            .filter(|u| rec.tools.iter().any(|t| t.name == **u))
            .count(),
    );
    for (r, round) in rec.rounds.iter().enumerate() {
        if round.difficulty.distractors != distractors {
            return Err(format!(
                "rounds[{r}].difficulty.distractors: {} but {distractors} tools are not used",
                round.difficulty.distractors
            ));
        }
    }
    let mut doms: Vec<&str> = used
        .iter()
        .filter_map(|u| world.iter().find(|w| w.name == *u))
        .map(|w| w.domain.as_str())
        .collect();
    doms.sort();
    doms.dedup();
    if rec.domains.iter().map(String::as_str).collect::<Vec<_>>() != doms {
        return Err("domains: not the domains of the gold calls".into());
    }
    Ok(())
}

/// Rebuilds a state of `rec`'s world: resets `env` to the record's seed (and list size) and
/// executes `calls` (gold calls, executed when the record was made; their results are not
/// compared here, see [`reverify`]).
pub fn replay_gold<'a, E: hardgen_tools::Environment + ?Sized>(
    env: &mut E,
    rec: &hardgen_core::Record,
    calls: impl IntoIterator<Item = &'a hardgen_core::record::GoldCall>,
) {
    env.set_list_tokens(rec.list_tokens);
    env.reset(rec.seed);
    for g in calls {
        let _ = env.execute(&hardgen_core::ToolCall {
            name: g.name.clone(),
            arguments: g.arguments.clone(),
        });
    }
}
