//! Grounding: every argument value of every gold and assistant call must be stated in a user turn
//! so far, or come from a tool result seen earlier in the conversation *and* be picked the way the
//! user said (the relation is named; among several candidates the distinguishing attribute is
//! stated). Used by generation (reject `ungrounded`), `hardgen verify` and `hardgen stats`.

use crate::item::value_text;
use crate::maker::select;
use crate::query::{missing_relation, states, RoundView, ANAPHORA};
use hardgen_core::record::{Binding, Message};
use hardgen_core::{Record, Round};
use hardgen_graph::schema::values_at;
use serde_json::Value;
use std::collections::BTreeSet;

/// Whether `hay` holds `v` anywhere (as a scalar of an object or list).
pub fn contains_value(hay: &Value, v: &Value) -> bool {
    match hay {
        Value::Object(m) => m.values().any(|x| contains_value(x, v)),
        Value::Array(a) => a.iter().any(|x| contains_value(x, v)),
        other => other == v,
    }
}

/// Whether a result lists several items (one of them cannot be meant without saying which).
fn is_multi_list(v: &Value) -> bool {
    v.as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .any(|x| x.as_array().is_some_and(|a| a.len() > 1))
}

/// The first ungrounded value of round `r` of `rec`, as a message naming the field.
pub fn round_problem(rec: &Record, r: usize) -> Option<String> {
    let round = rec.rounds.get(r)?;
    let specs: &[std::sync::Arc<hardgen_core::ToolSpec>] = &rec.tools;
    // What the user said so far, and every tool result of earlier rounds.
    let mut user = String::new();
    for x in &rec.rounds[..=r] {
        for m in &x.trajectory {
            if let Message::User { content } = m {
                user.push_str(&content.to_lowercase());
                user.push('\n');
            }
        }
    }
    let earlier: Vec<&Value> = rec.rounds[..r]
        .iter()
        .flat_map(|x| x.trajectory.iter())
        .filter_map(|m| match m {
            Message::Tool { content, .. } => Some(content),
            _ => None,
        })
        .collect();
    // Values an earlier round singled out: its calls' arguments and single-item results.
    let singled: Vec<&Value> = rec.rounds[..r]
        .iter()
        .flat_map(|x| x.trajectory.iter())
        .flat_map(|m| match m {
            Message::Assistant { tool_calls, .. } => tool_calls
                .iter()
                .flat_map(|c| c.arguments.values())
                .collect::<Vec<_>>(),
            Message::Tool { content, .. } if !is_multi_list(content) => vec![content],
            _ => Vec::new(),
        })
        .collect();
    let q = round.query.to_lowercase();
    let refers_back = ANAPHORA.iter().any(|a| q.contains(a));
    gold_problem(round, r, &user, &singled, refers_back, specs)
        .or_else(|| trajectory_problem(round, r, &user, &earlier))
}

fn gold_problem(
    round: &Round,
    r: usize,
    user: &str,
    earlier: &[&Value],
    refers_back: bool,
    specs: &[std::sync::Arc<hardgen_core::ToolSpec>],
) -> Option<String> {
    let steps = &round.advanced_tool.implementation;
    for (p, g) in round.gold.iter().enumerate() {
        let at = format!("rounds[{r}].gold[{p}]");
        let Some(step) = steps.get(p) else {
            return Some(format!("{at}: no advanced-tool step explains this call"));
        };
        for (arg, v) in &g.arguments {
            let Some(b) = step.bindings.get(arg) else {
                return Some(format!(
                    "{at}.arguments.{arg}: no binding says where it comes from"
                ));
            };
            match b {
                Binding::Input { param } => {
                    let given = states(user, v, param) || states(user, v, arg);
                    // A token an earlier round's login handed out carries over unsaid (a
                    // session, as within a round); any other recalled value is pointed at.
                    let token = arg.ends_with("token") || param.ends_with("token");
                    let recalled =
                        (refers_back || token) && earlier.iter().any(|e| contains_value(e, v));
                    if !given && !recalled {
                        return Some(format!(
                            "{at}.arguments.{arg}: {} is neither stated by the user nor taken from an earlier result",
                            value_text(v)
                        ));
                    }
                }
                Binding::Step { step: k, path, .. } | Binding::Select { step: k, path, .. } => {
                    let Some(src) = round.gold.get(*k).filter(|_| *k < p) else {
                        return Some(format!("{at}.arguments.{arg}: bound to step {k}, which does not come before it"));
                    };
                    let vals = values_at(&src.result, path);
                    if !vals.contains(&v) {
                        return Some(format!(
                            "{at}.arguments.{arg}: {} is not in {path} of step {k}'s result",
                            value_text(v)
                        ));
                    }
                    if let Binding::Step { index, .. } = b {
                        if vals.iter().position(|x| *x == v) != Some(*index) {
                            return Some(format!(
                                "{at}: the binding of {arg} points at another item of {path}"
                            ));
                        }
                    }
                    let distinct: BTreeSet<String> = vals.iter().map(|x| x.to_string()).collect();
                    if distinct.len() > 1 {
                        let Binding::Select { field, param, .. } = b else {
                            return Some(format!("{at}.arguments.{arg}: one of {} values of {path} with nothing in the query saying which", distinct.len()));
                        };
                        let want = round.external_inputs.get(param);
                        let said = want.is_some_and(|w| states(user, w, param));
                        let picks = want.and_then(|w| select(&src.result, path, field, w));
                        if !said || picks.as_ref() != Some(v) {
                            return Some(format!("{at}.arguments.{arg}: the query does not say which of the {} values of {path} to take", distinct.len()));
                        }
                    }
                }
            }
        }
    }
    // An irrelevance record keeps the gold but does not offer its tools: the relations were
    // checked when its query was written, with the tools at hand.
    if round
        .gold
        .iter()
        .any(|g| !specs.iter().any(|s| s.name == g.name))
    {
        return None;
    }
    missing_relation(
        RoundView::of_round(round),
        &round.query.to_lowercase(),
        specs,
    )
    .map(|m| format!("rounds[{r}].query: {m}"))
}

fn trajectory_problem(round: &Round, r: usize, user: &str, earlier: &[&Value]) -> Option<String> {
    let mut seen: Vec<&Value> = earlier.to_vec();
    for (i, m) in round.trajectory.iter().enumerate() {
        match m {
            Message::Assistant { tool_calls, .. } => {
                for c in tool_calls {
                    for (arg, v) in &c.arguments {
                        if !states(user, v, arg) && !seen.iter().any(|e| contains_value(e, v)) {
                            return Some(format!(
                                "rounds[{r}].trajectory[{i}] call {} ({}).{arg}: {} was not given by the user nor seen in an earlier result",
                                c.id,
                                c.name,
                                value_text(v)
                            ));
                        }
                    }
                }
            }
            Message::Tool { content, .. } => seen.push(content),
            Message::User { .. } => {}
        }
    }
    None
}

/// The first ungrounded value of any round of `rec`.
pub fn record_problem(rec: &Record) -> Option<String> {
    (0..rec.rounds.len()).find_map(|r| round_problem(rec, r))
}

/// Rounds of `rec` that fail grounding.
pub fn ungrounded_rounds(rec: &Record) -> usize {
    (0..rec.rounds.len())
        .filter(|&r| round_problem(rec, r).is_some())
        .count()
}
