//! Verifier (rules): the reasoner's executed calls must reproduce every gold result (order-free),
//! reach the gold end state, and the final answer must state the gold outcome. A failure yields
//! hints that say what is wrong without giving gold values.

use crate::maker::Made;
use crate::query::value_text;
use crate::reasoner::{answer_values, Attempt};
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

/// Verifies an attempt against the gold calls; `end_state` is whether the digests matched.
pub fn check(made: &Made, query: &str, att: &Attempt, end_state: bool) -> Checked {
    let mut hints = Vec::new();
    let mut used = vec![false; att.calls.len()];
    let mut all_gold = true;
    for g in &made.gold {
        let hit = att.calls.iter().enumerate().position(|(i, (c, out))| {
            !used[i] && c.name == g.name && out.as_ref().ok() == Some(&g.result)
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
            if t.len() < 3 || q.contains(&t.to_lowercase()) {
                continue;
            }
            let seen = att.calls[..i]
                .iter()
                .any(|(_, out)| out.as_ref().is_ok_and(|r| contains_value(r, v)));
            if !seen {
                hints.push(format!(
                    "a required value for {} ({arg}) was guessed, not obtained from a tool",
                    c.name
                ));
            }
        }
    }
    let answer_ok = made.gold.last().is_some_and(|g| {
        let a = att.answer.to_lowercase();
        answer_values(&g.result)
            .iter()
            .all(|v| a.contains(&v.to_lowercase()))
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

fn contains_value(hay: &serde_json::Value, v: &serde_json::Value) -> bool {
    match hay {
        serde_json::Value::Object(m) => m.values().any(|x| contains_value(x, v)),
        serde_json::Value::Array(a) => a.iter().any(|x| contains_value(x, v)),
        other => other == v,
    }
}

/// Re-verifies a stored record in a fresh world: replays every assistant call of the trajectory
/// and compares each tool message; replays the gold calls and compares results and end state;
/// checks each final answer. Returns the first problem found.
pub fn reverify<E: hardgen_tools::Environment>(
    rec: &hardgen_core::Record,
    env: &mut E,
    gold_env: &mut E,
) -> Result<(), String> {
    use hardgen_core::record::Message;
    use hardgen_core::ToolCall;
    env.reset(rec.seed);
    gold_env.reset(rec.seed);
    for (r, round) in rec.rounds.iter().enumerate() {
        let mut expected: BTreeMap<&str, &serde_json::Value> = BTreeMap::new();
        for m in &round.trajectory {
            if let Message::Tool {
                tool_call_id,
                content,
                ..
            } = m
            {
                expected.insert(tool_call_id.as_str(), content);
            }
        }
        let mut answer = None;
        for m in &round.trajectory {
            match m {
                Message::Assistant {
                    tool_calls,
                    content,
                    ..
                } => {
                    for c in tool_calls {
                        let out = env.execute(&ToolCall {
                            name: c.name.clone(),
                            arguments: c.arguments.clone(),
                        });
                        let got = match out {
                            Ok(v) => v,
                            Err(e) => e.to_result_json(),
                        };
                        if expected.get(c.id.as_str()) != Some(&&got) {
                            return Err(format!(
                                "round {r}: call {} ({}) no longer gives the recorded result",
                                c.id, c.name
                            ));
                        }
                    }
                    if content.is_some() {
                        answer = content.clone();
                    }
                }
                Message::User { .. } | Message::Tool { .. } => {}
            }
        }
        let inputs = &round.external_inputs;
        let outs = crate::maker::execute_advanced(&round.advanced_tool, inputs, gold_env);
        for (k, (o, g)) in outs.iter().zip(&round.gold).enumerate() {
            if o.as_ref().ok() != Some(&g.result) {
                return Err(format!(
                    "round {r}: gold step {k} ({}) no longer gives the recorded result",
                    g.name
                ));
            }
        }
        if env.digest() != gold_env.digest() {
            return Err(format!(
                "round {r}: the trajectory's end state differs from the gold end state"
            ));
        }
        let a = answer.unwrap_or_default().to_lowercase();
        if let Some(g) = round.gold.last() {
            if !crate::reasoner::answer_values(&g.result)
                .iter()
                .all(|v| a.contains(&v.to_lowercase()))
            {
                return Err(format!(
                    "round {r}: the final answer does not state the outcome"
                ));
            }
        }
    }
    Ok(())
}

/// Rounds of `rec` that fail grounding: some gold call argument value (a string of at least 3
/// characters, or any number; scalars inside arrays and objects count too) appears neither in a
/// user message of the record so far (this round's query included) nor in a tool result earlier
/// in the conversation (up to the end of this round). Matching is case-insensitive text
/// containment. A simple stand-in, to be replaced by the full grounding check.
pub fn ungrounded_rounds(rec: &hardgen_core::Record) -> usize {
    use hardgen_core::record::Message;
    let mut seen = String::new();
    let mut bad = 0;
    for round in &rec.rounds {
        for m in &round.trajectory {
            match m {
                Message::User { content } => {
                    seen.push_str(&content.to_lowercase());
                    seen.push('\n');
                }
                Message::Tool { content, .. } => push_scalars(content, &mut seen),
                Message::Assistant { .. } => {}
            }
        }
        let grounded = round
            .gold
            .iter()
            .all(|g| g.arguments.values().all(|v| is_grounded(v, &seen)));
        if !grounded {
            bad += 1;
        }
    }
    bad
}

/// Appends every scalar of `v` as lowercase text, one per line.
fn push_scalars(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Array(xs) => xs.iter().for_each(|x| push_scalars(x, out)),
        Value::Object(m) => m.values().for_each(|x| push_scalars(x, out)),
        Value::Null => {}
        other => {
            out.push_str(&value_text(other).to_lowercase());
            out.push('\n');
        }
    }
}

/// Whether every checked scalar of an argument value occurs in `seen` (lowercase text).
fn is_grounded(v: &serde_json::Value, seen: &str) -> bool {
    use serde_json::Value;
    match v {
        Value::String(s) if s.chars().count() >= 3 => seen.contains(&s.to_lowercase()),
        Value::Number(n) => seen.contains(&n.to_string()),
        Value::Array(xs) => xs.iter().all(|x| is_grounded(x, seen)),
        Value::Object(m) => m.values().all(|x| is_grounded(x, seen)),
        _ => true,
    }
}
