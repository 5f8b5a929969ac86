//! Query writer (offline): a hard query at the level of the advanced tool. It states the goal and
//! every external input, hides every intermediate value, and varies phrasing, order and context.

use crate::maker::Made;
use crate::phrase;
use hardgen_core::record::Binding;
use hardgen_core::ToolSpec;
use rand::rngs::ChaCha8Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::RngExt;
use serde_json::Value;
use std::collections::BTreeSet;

/// Irrelevant context sentences (noise the agent must ignore).
const CONTEXT: &[&str] = &[
    "I'm sorting out a few things before the weekend.",
    "My colleague said this should be quick.",
    "This is for the quarterly review, so accuracy matters.",
    "I tried earlier but got distracted.",
    "No need to explain every step, just get it done.",
    "I'm on my phone, so keep it short.",
    "Thanks in advance!",
];

/// Why a query was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryReject {
    /// `incomplete` or `leak`.
    pub reason: &'static str,
    /// Which value.
    pub detail: String,
}

/// The text of a value as it appears in a query.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Writes the query of a made round: goal phrasing plus external inputs (context inputs, already
/// in the conversation, are referred to, not restated).
pub fn write(made: &Made, target: &ToolSpec, rng: &mut ChaCha8Rng) -> String {
    let goal = phrase::request(
        &target.name,
        &target.description,
        rng.random_range(0..phrase::PHRASINGS),
    );
    let mut facts: Vec<String> = made
        .inputs
        .iter()
        .filter(|(k, _)| !made.context_inputs.contains(*k))
        .map(|(k, v)| {
            let l = phrase::label(k);
            let t = value_text(v);
            if made.selectors.contains(k) {
                return format!("take the one whose {l} is {t}");
            }
            match rng.random_range(0..3) {
                0 => format!("the {l} is {t}"),
                1 => format!("use {t} as the {l}"),
                _ => format!("{l}: {t}"),
            }
        })
        .collect();
    facts.shuffle(rng);
    let mut q = goal;
    if !facts.is_empty() {
        q.push_str(if rng.random_bool(0.5) {
            ". Details: "
        } else {
            " — "
        });
        q.push_str(&facts.join("; "));
    }
    if !made.context_inputs.is_empty() {
        q.push_str(". Use what we found earlier where needed");
    }
    q.push('.');
    if rng.random_bool(0.4) {
        if let Some(c) = CONTEXT.choose(rng) {
            q = if rng.random_bool(0.5) {
                format!("{c} {q}")
            } else {
                format!("{q} {c}")
            };
        }
    }
    q
}

/// Intermediate values of a made round: arguments that come from earlier steps' results.
pub fn intermediate_values(made: &Made) -> BTreeSet<String> {
    bound_values(&made.tool.implementation, &made.gold)
}

/// Arguments of the gold calls that are bound to earlier steps (not to inputs).
fn bound_values(
    steps: &[hardgen_core::record::AdvancedStep],
    gold: &[hardgen_core::record::GoldCall],
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (step, g) in steps.iter().zip(gold) {
        for (arg, b) in &step.bindings {
            if !matches!(b, Binding::Input { .. }) {
                if let Some(v) = g.arguments.get(arg) {
                    out.insert(value_text(v));
                }
            }
        }
    }
    out
}

/// The two checks: complete (every user-given input value is in the query) and no leak (no
/// intermediate value is).
pub fn check(made: &Made, query: &str) -> Result<(), QueryReject> {
    let q = query.to_lowercase();
    for (k, v) in &made.inputs {
        if made.context_inputs.contains(k) {
            continue;
        }
        let t = value_text(v).to_lowercase();
        if !q.contains(&t) {
            return Err(QueryReject {
                reason: "incomplete",
                detail: format!("{k} = {t} is not in the query"),
            });
        }
    }
    for v in intermediate_values(made) {
        if v.len() >= 3 && q.contains(&v.to_lowercase()) {
            return Err(QueryReject {
                reason: "leak",
                detail: format!("intermediate value {v} is in the query"),
            });
        }
    }
    Ok(())
}

/// Intermediate values of a stored round (arguments bound to earlier steps).
pub fn intermediate_values_of(round: &hardgen_core::Round) -> BTreeSet<String> {
    bound_values(&round.advanced_tool.implementation, &round.gold)
}
