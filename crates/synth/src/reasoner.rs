//! Reasoner (offline): an agent that follows the advanced tool's plan against a live environment,
//! deriving every argument from the query's inputs or its own observed results, narrating what it
//! sees, and answering from the final result. A configurable error rate makes it slip (skip a
//! prerequisite, guess or swap an argument) so the verifier's hint-and-retry path runs for real.

use crate::item::value_text;
use crate::item::Made;
pub use crate::item::READ_VERBS;
use crate::phrase;
use hardgen_core::record::{Binding, Call, Message};
use hardgen_core::{ToolCall, ToolError};
use hardgen_graph::schema::values_at;
use hardgen_tools::Environment;
use rand::rngs::ChaCha8Rng;
use rand::seq::IndexedRandom;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Reasoner settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReasonerConfig {
    /// Chance that an attempt contains one mistake.
    pub error_rate: f64,
    /// Chance that, given a hint, the reasoner fixes its mistake on the next attempt.
    pub hint_uptake: f64,
}

impl Default for ReasonerConfig {
    fn default() -> Self {
        ReasonerConfig {
            error_rate: 0.15,
            hint_uptake: 0.9,
        }
    }
}

/// The kind of mistake made in an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slip {
    /// A value that should come from a tool was guessed.
    Guess,
    /// A prerequisite call was skipped and its output guessed.
    Skip,
    /// Two arguments were swapped.
    Swap,
}

/// One attempt: messages (user query excluded), executed calls, final answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// Assistant and tool messages.
    pub messages: Vec<Message>,
    /// Executed calls with outcomes.
    pub calls: Vec<(Call, Result<Value, ToolError>)>,
    /// Final answer text.
    pub answer: String,
    /// The mistake made, if any.
    pub slip: Option<Slip>,
    /// Fixes made to the model's calls before they could be read.
    pub repairs: Vec<hardgen_core::calls::repair::Repair>,
}

/// Short description of a result for narration and answers.
pub fn summarize(v: &Value) -> String {
    // "1 result: ...", not "1 results, the first being ...".
    let listing = |count: String, first: Option<&Value>| {
        let first = first
            .map(|f| key_values(f, 2).join(", "))
            .unwrap_or_default();
        match (count.as_str(), first.is_empty()) {
            ("1", true) => "1 result".into(),
            ("1", false) => format!("1 result: {first}"),
            (_, true) => format!("{count} results"),
            _ => format!("{count} results, the first being {first}"),
        }
    };
    if let Value::Object(m) = v {
        if let Some((what, said, _)) = figure(m) {
            return format!("the {what} {said}");
        }
    }
    match v {
        // A `results` list without its `count` (a foreign tool's) is counted.
        Value::Object(m) if m.contains_key("results") => listing(
            m.get("count").map(value_text).unwrap_or_else(|| {
                m.get("results")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len)
                    .to_string()
            }),
            m.get("results").and_then(|r| r.get(0)),
        ),
        Value::Object(m) => {
            let said = key_values(v, 4).join(", ");
            // A result that holds only a list (`{"matching_tweets": [...]}`) is said by it,
            // never as nothing ("search_tweets returned .").
            match m.values().find_map(Value::as_array) {
                Some(list) if said.is_empty() => listing(list.len().to_string(), list.first()),
                // One object and nothing else (`{"invoice": {...}}`): said by its fields, as
                // "the invoice with booking ID ...", never as nothing.
                _ if said.is_empty() => match m.iter().find(|(_, x)| x.is_object()) {
                    Some((k, inner)) => {
                        let inner = key_values(inner, 4).join(", ");
                        if inner.is_empty() {
                            format!("the {}", phrase::label(k))
                        } else {
                            format!("the {} with {inner}", phrase::label(k))
                        }
                    }
                    None => said,
                },
                _ => said,
            }
        }
        other => value_text(other),
    }
}

/// Keys of the scalar fields of an object, ids first: narration names the ids the next call
/// takes.
fn scalar_keys(m: &serde_json::Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = m
        .keys()
        .filter(|k| m[*k].is_string() || m[*k].is_number() || m[*k].is_boolean())
        .collect();
    keys.sort_by_key(|k| hardgen_core::spec::id_stem(k).is_none());
    keys
}

/// Keys of the scalar fields a final answer states, in order: the object's own id (its first id
/// field), its price (what a quote is asked for), the fields the call set (after "set the daily
/// limit to 900" the answer says the daily limit), its state, its other attributes, and the ids
/// it points to. Authorization
/// artefacts (a token, its scope and uses) are left out: a person reports what was done, not
/// the credential.
fn answer_keys<'a>(
    m: &'a serde_json::Map<String, Value>,
    args: &serde_json::Map<String, Value>,
) -> Vec<&'a String> {
    let keys: Vec<&String> = m
        .keys()
        .filter(|k| m[*k].is_string() || m[*k].is_number() || m[*k].is_boolean())
        .filter(|k| !AUTH_KEYS.contains(&k.as_str()))
        // An acknowledgement flag ("ok": true, BFCL's "booking_status": true) says only that
        // the call worked: not news.
        .filter(|k| !(ack_flag(k) && m[*k] == Value::Bool(true)))
        .collect();
    let own = keys
        .iter()
        .position(|k| hardgen_core::spec::id_stem(k).is_some());
    let mut ranked: Vec<(u8, &String)> = keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            // The state comes right after what was set: after "freeze the account" the
            // answer says it is frozen.
            // "points = 3" set "penalty_points": the same field by a shorter name.
            let set = args.iter().any(|(a, v)| {
                *v == m[k]
                    && (*k == *a || k.ends_with(&format!("_{a}")) || a.ends_with(&format!("_{k}")))
            });
            let r = if Some(i) == own {
                0
            } else if hardgen_core::spec::id_stem(k).is_some() {
                // The ids the call was given tell the user nothing new.
                5
            } else if FIGURES.iter().any(|f| k.split('_').any(|w| w == *f)) {
                // What a quote or a bill is asked for: its price.
                1
            } else if set {
                2
            } else if k == "status" || k.ends_with("_status") || k.ends_with("_state") {
                3
            } else {
                4
            };
            (r, k)
        })
        .collect();
    ranked.sort_by_key(|(r, _)| *r);
    ranked.into_iter().map(|(_, k)| k).collect()
}

/// Whether a true flag under `key` only says the call worked (`ok`, `success`,
/// `deleted_status`, `login_success`).
fn ack_flag(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    matches!(k.as_str(), "ok" | "success" | "successful" | "status")
        || k.ends_with("_status")
        || k.ends_with("_success")
}

/// Words of result fields that hold the money figure of an item (a quote's total, a fee).
const FIGURES: [&str; 5] = ["price", "cost", "premium", "fee", "amount"];

/// Result fields that belong to an authorization, not to what the user asked about.
const AUTH_KEYS: [&str; 3] = ["token", "scope", "uses_left"];

/// `key value` pairs of the first `n` scalar fields (ids first).
pub fn key_values(v: &Value, n: usize) -> Vec<String> {
    let Some(m) = v.as_object() else {
        return vec![value_text(v)];
    };
    pairs(m, scalar_keys(m), n)
}

/// `key value` pairs of the first `n` fields a final answer states (see [`answer_keys`]) after a
/// call with `args`.
pub fn answer_key_values(
    v: &Value,
    args: &serde_json::Map<String, Value>,
    n: usize,
) -> Vec<String> {
    let Some(m) = v.as_object() else {
        return vec![value_text(v)];
    };
    pairs(m, answer_keys(m, args), n)
}

fn pairs(m: &serde_json::Map<String, Value>, keys: Vec<&String>, n: usize) -> Vec<String> {
    keys.into_iter()
        .take(n)
        .map(|k| {
            let l = phrase::label(k);
            // "size 79 sqm", not "size in sqm 79".
            match crate::query::unit_label(&l) {
                Some((q, unit)) if m[k].is_number() => {
                    format!("{q} {} {unit}", shown_word(k, &m[k]))
                }
                // "can drive: yes", not "can drive true".
                _ if m[k].is_boolean() => format!("{l}: {}", shown_word(k, &m[k])),
                _ => format!("{l} {}", shown_word(k, &m[k])),
            }
        })
        .collect()
}

/// [`answer_word`] as a sentence shows it: a title, and a free text of four words or more (a
/// subject, a reply; not a name), in quotes, so that "subject Is there a way to change a user
/// role, priority low" reads where the text ends.
fn shown_word(key: &str, v: &Value) -> String {
    let w = answer_word(key, v);
    let text = |s: &str| {
        key.ends_with("title") || (s.split_whitespace().nth(3).is_some() && !key.ends_with("name"))
    };
    match v.as_str() {
        Some(s) if text(s) && !s.contains('"') => format!("\"{w}\""),
        _ => w,
    }
}

/// An aggregate result ({"course_id": .., "count": 5, "total_minutes": 165.0}): the item it
/// is about in words ("course ID LRC-1012"), the count, and the one figure with its key.
fn aggregate(m: &serde_json::Map<String, Value>) -> Option<(String, u64, (&str, &Value))> {
    let count = m.get("count")?.as_u64()?;
    let (ik, iv) = m
        .iter()
        .find(|(k, x)| hardgen_core::spec::id_stem(k).is_some() && x.is_string())?;
    let mut figures = m
        .iter()
        .filter(|(k, x)| k.as_str() != "count" && *k != ik && x.is_number());
    let figure = figures.next()?;
    // Only the id, the count and one figure: anything else is said the usual way.
    (figures.next().is_none() && m.len() == 3).then(|| {
        let id = format!("{} {}", phrase::label(ik), answer_word(ik, iv));
        (id, count, (figure.0.as_str(), figure.1))
    })
}

/// A result value as an answer says it under `key`: an enum value in words ("damp wall", not
/// `damp_wall`); a name as it is (the file `pricelist_de` is not "pricelist de").
fn answer_word(key: &str, v: &Value) -> String {
    if let Some(b) = v.as_bool() {
        return if b { "yes" } else { "no" }.to_string();
    }
    match v.as_str() {
        Some(s) if crate::query::is_snake_word(s) && !key.ends_with("name") => s.replace('_', " "),
        // "reminder channel SMS", not "sms".
        Some(s) if phrase::is_initialism(s) && !key.ends_with("name") => s.to_ascii_uppercase(),
        // "165 minutes", not "165.0": a whole float reads as a whole number.
        _ => match v.as_f64() {
            Some(f) if v.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => value_text(v),
        },
    }
}

/// Whether an answer states `value` (case, and `_` against a space, do not matter).
pub fn answer_states(answer: &str, value: &str) -> bool {
    let norm = |t: &str| t.to_lowercase().replace('_', " ");
    norm(answer).contains(&norm(value))
}

/// The values a correct final answer must state after a call with no arguments that shape it:
/// those [`answer_text`] shows.
pub fn answer_values(v: &Value) -> Vec<String> {
    answer_values_after(&serde_json::Map::new(), v)
}

/// The values a correct final answer must state after the target was called with `args` and
/// returned `v`: those [`answer_text`] shows (what the call set among them).
pub fn answer_values_after(args: &serde_json::Map<String, Value>, v: &Value) -> Vec<String> {
    match v {
        Value::Object(m) if listing(m).is_some() => {
            let (count, items) = listing(m).unwrap_or((0, &[]));
            let first = items.first();
            let mut out = vec![count.to_string()];
            if let Some(f) = first.and_then(Value::as_object) {
                out.extend(
                    f.iter()
                        .filter(|(k, _)| hardgen_core::spec::id_stem(k).is_some())
                        .take(1)
                        .map(|(_, x)| value_text(x)),
                );
            }
            out
        }
        Value::Object(m) => answer_keys(m, args)
            .into_iter()
            .take(4)
            .map(|k| answer_word(k, &m[k]))
            .collect(),
        other => vec![value_text(other)],
    }
}

fn fabricate(v: &Value, rng: &mut ChaCha8Rng) -> Value {
    match v {
        Value::String(s) => {
            // Keep the shape (prefix, length) so the guess looks plausible.
            let digits: String = s
                .chars()
                .rev()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let head = &s[..s.len() - digits.len()];
            let mut g: String = digits
                .chars()
                .map(|c| {
                    if c.is_ascii_digit() {
                        char::from(b'0' + rng.random_range(0..10u8))
                    } else {
                        c
                    }
                })
                .collect();
            if g == digits {
                g = format!("{g}9");
            }
            Value::String(format!("{head}{g}"))
        }
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap_or(0.0) + 1.0),
        other => other.clone(),
    }
}

/// Dependency level of each gold step (calls on one level are independent: one parallel turn).
pub fn levels(made: &Made) -> Vec<usize> {
    gold_levels(&made.gold)
}

/// Dependency level of each gold call (see [`levels`]).
pub fn gold_levels(gold: &[hardgen_core::record::GoldCall]) -> Vec<usize> {
    let mut lv = vec![0usize; gold.len()];
    for (i, g) in gold.iter().enumerate() {
        lv[i] = g
            .depends_on
            .iter()
            .filter(|&&d| d < i)
            .map(|&d| lv[d] + 1)
            .max()
            .unwrap_or(0);
    }
    lv
}

/// Runs one attempt in `env`. `fix` tells the reasoner to avoid a mistake (it took a hint).
pub fn attempt<E: Environment>(
    made: &Made,
    goal: &str,
    env: &mut E,
    cfg: &ReasonerConfig,
    fix: bool,
    next_call: &mut usize,
    rng: &mut ChaCha8Rng,
) -> Attempt {
    let mut exec = |name: &str, args: &serde_json::Map<String, Value>| {
        env.execute(&ToolCall {
            name: name.to_string(),
            arguments: args.clone(),
        })
    };
    attempt_with(made, goal, &mut exec, cfg, fix, next_call, rng)
}

/// Runs one attempt whose calls go through `exec`.
pub fn attempt_with(
    made: &Made,
    goal: &str,
    exec: &mut crate::item::Exec<'_>,
    cfg: &ReasonerConfig,
    fix: bool,
    next_call: &mut usize,
    rng: &mut ChaCha8Rng,
) -> Attempt {
    let n = made.gold.len();
    let lv = levels(made);
    let max_lv = lv.iter().copied().max().unwrap_or(0);
    // Steps with two string arguments (a swap is possible there).
    let swappable: Vec<usize> = (0..n)
        .filter(|&i| {
            made.gold[i]
                .arguments
                .values()
                .filter(|v| v.is_string())
                .count()
                >= 2
        })
        .collect();
    // Decide the slip for this attempt.
    let slip = if !fix && rng.random_bool(cfg.error_rate.clamp(0.0, 1.0)) {
        let has_step = made.tool.implementation.iter().any(|s| {
            s.bindings
                .values()
                .any(|b| !matches!(b, Binding::Input { .. }))
        });
        let mut options = Vec::new();
        if has_step {
            options.push(Slip::Guess);
            options.push(Slip::Skip);
        }
        if !swappable.is_empty() {
            options.push(Slip::Swap);
        }
        options.choose(rng).copied()
    } else {
        None
    };
    let guess_step = match slip {
        Some(Slip::Guess) => {
            let c: Vec<usize> = (0..n)
                .filter(|&i| {
                    made.tool.implementation[i]
                        .bindings
                        .values()
                        .any(|b| !matches!(b, Binding::Input { .. }))
                })
                .collect();
            c.choose(rng).copied()
        }
        _ => None,
    };
    let skip_step = match slip {
        Some(Slip::Skip) => {
            let feeders: Vec<usize> = (0..n)
                .filter(|&i| made.gold.iter().any(|g| g.depends_on.contains(&i)))
                .collect();
            feeders.choose(rng).copied()
        }
        _ => None,
    };
    let swap_step = match slip {
        Some(Slip::Swap) => swappable.choose(rng).copied(),
        _ => None,
    };
    // Index into `calls` of each gold step's own call (results are stored once, in `calls`).
    let mut results: Vec<Option<usize>> = vec![None; n];
    let mut messages = Vec::new();
    let mut calls = Vec::new();
    let mut prev_summary: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for level in 0..=max_lv {
        let wave: Vec<usize> = (0..n)
            .filter(|&i| lv[i] == level && Some(i) != skip_step)
            .collect();
        if wave.is_empty() {
            continue;
        }
        let mut turn_calls = Vec::new();
        let mut said = Vec::new();
        for &i in &wave {
            let step = &made.tool.implementation[i];
            let mut args = Map::new();
            for (arg, b) in &step.bindings {
                let v = match b {
                    Binding::Input { param } => made.inputs.get(param).cloned(),
                    Binding::Step { .. } | Binding::Select { .. } => {
                        let own = match b {
                            Binding::Step {
                                step: k,
                                path,
                                index,
                            } => result_of(&calls, results[*k])
                                .and_then(|r| values_at(r, path).get(*index).map(|v| (*v).clone())),
                            Binding::Select {
                                step: k,
                                path,
                                field,
                                param,
                            } => {
                                let picked = result_of(&calls, results[*k])
                                    .zip(made.inputs.get(param))
                                    .and_then(|(r, want)| {
                                        crate::maker::select(r, path, field, want)
                                    });
                                if let (Some(p), Some(want)) = (&picked, made.inputs.get(param)) {
                                    let leaf = field.rsplit('.').next().unwrap_or(field);
                                    notes.push(format!(
                                        "The one whose {} is {} has {} {}.",
                                        phrase::label(leaf),
                                        value_text(want),
                                        phrase::label(arg),
                                        value_text(p)
                                    ));
                                }
                                picked
                            }
                            Binding::Input { .. } => None,
                        };
                        match own {
                            Some(v) if guess_step != Some(i) => Some(v),
                            // The prerequisite was skipped, or the value is guessed on purpose.
                            _ => Some(fabricate(
                                made.gold[i].arguments.get(arg).unwrap_or(&Value::Null),
                                rng,
                            )),
                        }
                    }
                };
                if let Some(v) = v {
                    args.insert(arg.clone(), v);
                }
            }
            if swap_step == Some(i) {
                let keys: Vec<String> = args
                    .iter()
                    .filter(|(_, v)| v.is_string())
                    .map(|(k, _)| k.clone())
                    .take(2)
                    .collect();
                if let [a, b] = keys.as_slice() {
                    let (va, vb) = (args[a].clone(), args[b].clone());
                    args.insert(a.clone(), vb);
                    args.insert(b.clone(), va);
                }
            }
            let id = format!("c{}", *next_call);
            *next_call += 1;
            let shown: Vec<String> = args
                .iter()
                .map(|(k, v)| format!("{k}={}", value_text(v)))
                .collect();
            said.push(format!("{}({})", step.tool, shown.join(", ")));
            turn_calls.push(Call {
                id,
                name: step.tool.clone(),
                arguments: args,
            });
        }
        let mut reasoning = if level == 0 {
            let later: Vec<String> = made
                .tool
                .implementation
                .iter()
                .flat_map(|s| {
                    s.bindings
                        .iter()
                        .filter(|(_, b)| !matches!(b, Binding::Input { .. }))
                        .map(|(a, _)| phrase::label(a))
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            if later.is_empty() {
                format!("The user wants me to {goal}. I have everything I need, so I'll call {} directly.", said.join(" and "))
            } else {
                // "the contact ID ... obtain it", "the account ID, card ID ... obtain them".
                let them = if later.len() == 1 { "it" } else { "them" };
                format!(
                    "The user wants me to {goal}. That needs the {} which the user did not give and only tools can return, so I have to obtain {them} first. I'll start with {}.",
                    later.join(", "),
                    said.join(" and ")
                )
            }
        } else {
            format!(
                "{} {}Now I can call {}.",
                prev_summary.join(" "),
                notes.iter().map(|n| format!("{n} ")).collect::<String>(),
                said.join(" and ")
            )
        };
        notes.clear();
        if turn_calls.len() > 1 {
            reasoning
                .push_str(" These calls do not depend on each other, so I'll make them together.");
        }
        messages.push(Message::Assistant {
            reasoning: Some(reasoning),
            content: None,
            tool_calls: turn_calls.clone(),
        });
        prev_summary.clear();
        for (c, &i) in turn_calls.iter().zip(&wave) {
            let out = exec(&c.name, &c.arguments);
            let content = match &out {
                Ok(v) => {
                    prev_summary.push(single_stops(&format!(
                        "{} returned {}.",
                        c.name,
                        summarize(v)
                    )));
                    v.clone()
                }
                Err(e) => {
                    prev_summary.push(format!("{} failed: {e}.", c.name));
                    e.to_result_json()
                }
            };
            results[i] = Some(calls.len());
            messages.push(Message::Tool {
                tool_call_id: c.id.clone(),
                name: c.name.clone(),
                content,
            });
            calls.push((c.clone(), out));
        }
    }
    let last = n.saturating_sub(1);
    let answer = match result_of(&calls, results[last]) {
        Some(r) => {
            // A lookup made for two entities is answered for each, by the value that differs.
            let fan = crate::variant::fanned(made).and_then(|(second, first)| {
                let a = made.inputs.get(&first)?;
                let b = made.inputs.get(&second)?;
                let first_r = result_of(&calls, results[last.checked_sub(1)?])?;
                Some((first, a, b, first_r))
            });
            let answered_from = if fan.is_some() { last - 1 } else { last };
            // The steps the request asked for before the last are reported too, in order:
            // "pay the fines, then list the cards" is answered for both.
            let mut said: Vec<String> = (0..answered_from)
                .filter_map(|k| {
                    let g = &made.gold[k];
                    step_report(&g.name, &g.arguments, result_of(&calls, results[k])?)
                })
                .collect();
            // The goal is said in the description's words when the name does not open with
            // what the tool does; the answer then does not report the name's first word.
            let acts = |name: &str| {
                goal.split(' ').next() == Some(phrase::name_verb(name).as_str())
                    || crate::lexicon::grants_access(name)
            };
            let answer = |k: usize, res: &Value, rng: &mut ChaCha8Rng| {
                answer_text_acting(
                    &made.gold[k].name,
                    k < answered_from || acts(&made.gold[k].name),
                    &made.gold[k].arguments,
                    res,
                    counted_noun(&made.tool.returns),
                    rng,
                )
            };
            match fan {
                Some((param, a, b, first_r)) => {
                    let l = crate::phrase::label(&param);
                    for (v, k, res) in [(a, last - 1, first_r), (b, last, r)] {
                        // "For the city Paris, there are 2 hotels"; "I" stays as it is.
                        let text = answer(k, res, rng);
                        let text = match text.split_once(' ') {
                            Some((w, _)) if w != "I" && !w.starts_with("I'") => {
                                crate::phrase::lower_first(&text)
                            }
                            _ => text,
                        };
                        said.push(format!("For the {l} {}, {text}", value_text(v)));
                    }
                }
                None => said.push(answer(last, r, rng)),
            }
            said.join(" ")
        }
        None => "I could not complete the request: the last step did not succeed.".to_string(),
    };
    let reasoning = format!(
        "{} That was the last step, so I can report the outcome.",
        prev_summary.join(" ")
    );
    messages.push(Message::Assistant {
        reasoning: Some(reasoning),
        content: Some(answer.clone()),
        tool_calls: Vec::new(),
    });
    Attempt {
        repairs: Vec::new(),
        messages,
        calls,
        answer,
        slip,
    }
}

/// A result that lists items: (how many, the items it shows). `results` (with its `count`), or
/// in foreign tools the one list of an object that names no item of its own (`{"members": [..]}`).
fn listing(m: &serde_json::Map<String, Value>) -> Option<(u64, &[Value])> {
    if let Some(r) = m.get("results") {
        let items = r.as_array().map_or(&[][..], Vec::as_slice);
        let count = m
            .get("count")
            .and_then(Value::as_u64)
            .unwrap_or(items.len() as u64);
        return Some((count, items));
    }
    if m.keys().any(|k| hardgen_core::spec::id_stem(k).is_some()) {
        return None;
    }
    let mut lists = m.values().filter_map(Value::as_array);
    let list = lists.next()?;
    if lists.next().is_some() {
        return None;
    }
    // `{"distance": 412.5, "intermediaryCities": [...]}` answers with its figure; the list
    // is a detail. Only paging and counting fields may stand beside a listing.
    let paging = |k: &str| {
        matches!(
            k,
            "count"
                | "total"
                | "total_count"
                | "page"
                | "page_size"
                | "has_more"
                | "offset"
                | "limit"
                | "next_cursor"
                | "next_page"
                | "cursor"
        )
    };
    if m.iter().any(|(k, v)| !v.is_array() && !paging(k)) {
        return None;
    }
    Some((list.len() as u64, list.as_slice()))
}

/// A final answer that answers the request from the target's result, in words: no tool names.
pub fn answer_text(
    tool: &str,
    args: &serde_json::Map<String, Value>,
    v: &Value,
    rng: &mut ChaCha8Rng,
) -> String {
    answer_text_counting(tool, args, v, None, rng)
}

/// What an aggregate's `count` counts, from its description in the tool's result schema
/// ("Number of vehicle reservations counted" -> "vehicle reservations"), if it says.
pub fn counted_noun(returns: &Value) -> Option<&str> {
    let d = returns.pointer("/properties/count/description")?.as_str()?;
    let noun = d.strip_prefix("Number of ")?.strip_suffix(" counted")?;
    // A short noun phrase, not a sentence a foreign tool happens to end that way.
    (!noun.is_empty() && noun.split(' ').count() <= 4).then_some(noun)
}

/// [`answer_text`] for a tool whose aggregate count counts `counted` (plural noun).
pub fn answer_text_counting(
    tool: &str,
    args: &serde_json::Map<String, Value>,
    v: &Value,
    counted: Option<&str>,
    rng: &mut ChaCha8Rng,
) -> String {
    answer_text_acting(tool, true, args, v, counted, rng)
}

/// [`answer_text_counting`]; `acts` false when the name's first word is not what the tool
/// does (`order_status_check` checks a status: "I've ordered ..." would report an order).
pub fn answer_text_acting(
    tool: &str,
    acts: bool,
    args: &serde_json::Map<String, Value>,
    v: &Value,
    counted: Option<&str>,
    rng: &mut ChaCha8Rng,
) -> String {
    single_stops(&answer_words(tool, acts, args, v, counted, rng))
}

/// A result that is one figure worked out (`{"area": 12.5}`, `{"roots": [-2, -0.5]}`): its
/// label and its value in words ("none" for an empty list of figures); None for anything else
/// (an id, a generic `result`, several fields).
fn figure(m: &serde_json::Map<String, Value>) -> Option<(String, String, bool)> {
    let (k, x) = m.iter().next().filter(|(k, x)| {
        m.len() == 1
            && !hardgen_core::spec::is_identifier_name(k)
            && !matches!(k.as_str(), "result" | "value" | "output" | "answer")
            && (x.is_number()
                || x.as_array().is_some_and(|a| {
                    // An empty list is a list of figures only by its name ("roots"): an
                    // empty `matching_tweets` is no tweets found.
                    let numeric = k.rsplit('_').next().is_some_and(|w| {
                        matches!(
                            w,
                            "roots"
                                | "factors"
                                | "factorization"
                                | "primes"
                                | "divisors"
                                | "solutions"
                        )
                    });
                    (numeric || !a.is_empty()) && a.iter().all(Value::is_number)
                }))
    })?;
    let said = match x.as_array() {
        Some(a) if a.is_empty() => "none".to_string(),
        Some(a) => phrase::join_and(a.iter().map(value_text).collect()),
        None => value_text(x),
    };
    // `travel_cost_list` holds travel costs.
    let label = phrase::label(k);
    let label = match label.strip_suffix(" list") {
        Some(one) if x.is_array() && !one.is_empty() => phrase::plural(one),
        _ => label,
    };
    Some((label, said, x.is_array()))
}

/// `text` with a sentence's full stop dropped after a value that ends a sentence of its own
/// ("starting with Thanks, that works for me.." -> "... for me."; "Any news?." -> "Any
/// news?"). An ellipsis stays.
fn single_stops(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let before = i.checked_sub(2).map(|j| chars[j]);
        let ends = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        let doubled = c == '.'
            && ends
            && (matches!(prev, Some('?' | '!')) || (prev == Some('.') && before != Some('.')));
        if !doubled {
            out.push(c);
        }
    }
    out
}

/// The words of [`answer_text_acting`], before [`single_stops`].
fn answer_words(
    tool: &str,
    acts: bool,
    args: &serde_json::Map<String, Value>,
    v: &Value,
    counted: Option<&str>,
    rng: &mut ChaCha8Rng,
) -> String {
    let verb = phrase::name_verb(tool);
    let verb = verb.as_str();
    // `{"area": 12.5}`, `{"roots": [-2, -0.5]}`: a figure worked out is the answer, said as one
    // ("The area is 12.5"), not as something that "went through" or a list of items.
    if let Some((what, said, many)) = v.as_object().and_then(figure) {
        if said == "none" {
            return format!("There are no {what}.");
        }
        let is = if many { "are" } else { "is" };
        let plans = [
            format!("The {what} {is} {said}."),
            format!("That gives {said} for the {what}."),
            crate::maker::capitalize(&format!("{what}: {said}.")),
        ];
        return plans.choose(rng).cloned().unwrap_or_default();
    }
    match v {
        Value::Object(m) if listing(m).is_some() => {
            // A list's items are said by their own fields, not by the filters that found them.
            let no_args = serde_json::Map::new();
            let (count, items) = listing(m).unwrap_or((0, &[]));
            let first = items.first();
            // Plain values under a plural key (`{"matching_lines": [...]}`) are what was looked
            // for, named by that key: "I found 3 matching lines", not "All set for 3 items".
            let plain = first
                .filter(|f| !f.is_object() && !f.is_array())
                .and_then(|_| {
                    m.iter()
                        .find(|(k, v)| v.is_array() && k.as_str() != "results")
                })
                .map(|(k, _)| phrase::label(k))
                .filter(|l| crate::query::plural_label(l) && !l.contains("ID"));
            // A write that returns what it made ("create_entities"): nothing was "found".
            let reads = crate::item::reads_by_name(tool) || plain.is_some();
            let noun = first
                .and_then(Value::as_object)
                .and_then(|f| f.keys().find(|k| hardgen_core::spec::id_stem(k).is_some()))
                .map(|k| phrase::label(hardgen_core::spec::id_stem(k).unwrap_or(k)))
                .or_else(|| plain.as_deref().map(crate::query::singular_phrase))
                .unwrap_or_else(|| if reads { "match" } else { "item" }.into());
            let Some(f) = first else {
                // "I found no pet vaccinations": what was asked for, by the tool's own object.
                let (_, object) = phrase::verb_object(tool);
                let what = object.trim_start_matches("the ");
                let what = what.split(" of ").next().unwrap_or(what);
                if reads && what.ends_with('s') {
                    let plans = [
                        format!("I found no {what}: the list came back empty (0 results)."),
                        format!("There are no {what} to show (0 found)."),
                        format!("No {what} came up; the count is 0."),
                    ];
                    return plans.choose(rng).cloned().unwrap_or_default();
                }
                let plans: &[&str] = if reads {
                    &[
                        "I found no matching records, so there is nothing to show (count 0).",
                        "There are none: the search came back empty (0 matches).",
                        "Nothing matches that at the moment; the count is 0.",
                    ]
                } else {
                    &[
                        "That went through; it returned nothing (0 items).",
                        "Done, with nothing to report back (0 items).",
                    ]
                };
                return plans.choose(rng).copied().unwrap_or(plans[0]).to_string();
            };
            let kv = answer_key_values(f, &no_args, 3).join(", ");
            let n = if count == 1 {
                noun.clone()
            } else {
                phrase::plural(&noun)
            };
            // A list asked for is answered with its items (up to three, then how many more),
            // not with the first alone.
            if reads && items.len() > 1 {
                let mut said: Vec<String> = items
                    .iter()
                    .take(3)
                    .map(|it| {
                        // A sentence item ends in the list's own punctuation ("...check; ...").
                        if it.is_string() {
                            return value_text(it).trim_end_matches('.').to_string();
                        }
                        let kv = answer_key_values(it, &no_args, 3);
                        match kv.split_first() {
                            Some((head, rest)) if !rest.is_empty() => {
                                format!("{head} ({})", rest.join(", "))
                            }
                            _ => kv.join(", "),
                        }
                    })
                    .collect();
                let more = count.saturating_sub(said.len() as u64);
                if more > 0 {
                    said.push(format!("{more} more"));
                }
                let list = if said.len() > 2 {
                    // Items carry commas of their own: semicolons keep them apart.
                    let last = said.pop().unwrap_or_default();
                    format!("{}; and {last}", said.join("; "))
                } else {
                    said.join(" and ")
                };
                let plans = [
                    format!("I found {count} {n}: {list}."),
                    format!("There are {count} {n}: {list}."),
                    format!("{count} {n} came up: {list}."),
                ];
                return plans.choose(rng).cloned().unwrap_or_default();
            }
            let plans = if reads && count == 1 {
                [
                    format!("I found 1 {n}: {kv}."),
                    format!("There is 1 {n}: {kv}."),
                    format!("1 {n} came up: {kv}."),
                ]
            } else if reads {
                [
                    format!("I found {count} {n}. The first one: {kv}."),
                    format!("There are {count} {n}; the first is {kv}."),
                    format!("{count} {n} came up. Top of the list: {kv}."),
                ]
            } else {
                [
                    format!("That went through for {count} {n}; the first is {kv}."),
                    format!("Done: {count} {n}, starting with {kv}."),
                    format!("All set for {count} {n} (first: {kv})."),
                ]
            };
            plans.choose(rng).cloned().unwrap_or_default()
        }
        Value::Object(m) => {
            if let Some((id, count, (key, x))) = aggregate(m) {
                let metric = phrase::label(key);
                let x = answer_word(key, x);
                // "over 3 vehicle reservations" when the tool says what its count counts.
                let many = counted.unwrap_or("records");
                let over = if count == 1 {
                    format!("1 {}", crate::query::singular_phrase(many))
                } else {
                    format!("{count} {many}")
                };
                // "The highest meter reading for supply point ID ENS-1 is 80 kWh": the tool's
                // name says what the figure is better than its key ("highest in kWh").
                let plans = if let Some(what) = figure_phrase(tool, &id) {
                    let unit = metric
                        .split_once(" in ")
                        .map(|(_, u)| format!(" {u}"))
                        .unwrap_or_default();
                    // "the total bag fees come to", "the average rent comes to".
                    // The head before any "of" agrees: "the number of open claims is".
                    let head = what.split(" of ").next().unwrap_or(&what);
                    let last = head.rsplit(' ').next().unwrap_or("");
                    let many =
                        last.ends_with('s') && !last.ends_with("ss") && !last.ends_with("us");
                    let (is, comes, stays) = if many {
                        ("are", "come", "stay")
                    } else {
                        ("is", "comes", "stays")
                    };
                    if count == 0 {
                        [
                            format!("Nothing counts towards it yet ({over}), so the {what} for {id} {is} {x}{unit}."),
                            format!("The {what} for {id} {is} {x}{unit}: there are {over} to count."),
                            format!("With {over} behind it, the {what} for {id} {stays} at {x}{unit}."),
                        ]
                    } else if what.starts_with("number of ") && x == count.to_string() {
                        // A count that is the number of records counted says it once: "the
                        // number of attendees for meeting X is 1", not "1, from 1 record".
                        [
                            format!("The {what} for {id} {is} {x}{unit}."),
                            format!("For {id}, the {what} {is} {x}{unit}."),
                            format!("{id}: the {what} {is} {x}{unit}."),
                        ]
                    } else {
                        [
                            format!("The {what} for {id} {is} {x}{unit}, over {over}."),
                            format!("For {id}, the {what} {comes} to {x}{unit} ({over} counted)."),
                            format!("The {what} for {id}: {x}{unit}, from {over}."),
                        ]
                    }
                } else if count == 0 {
                    // "the figure for seats on sale is", not "the seats on sale is": a metric's
                    // label may be plural.
                    [
                        format!("There is nothing to count for {id} ({over}), so the figure for {metric} is {x}."),
                        format!("Nothing counts towards {id} ({over}); the {metric} figure stays at {x}."),
                        format!("{id} has {over} behind it, so the figure for {metric} is {x}."),
                    ]
                } else {
                    [
                        format!("For {id}, the figure for {metric} is {x}, over {over}."),
                        format!("The {metric} figure for {id} comes to {x} ({over} counted)."),
                        format!("{id}: {metric} {x}, from {over}."),
                    ]
                };
                let s = plans.choose(rng).cloned().unwrap_or_default();
                return crate::maker::capitalize(&s);
            }
            let kv = answer_key_values(v, args, 4).join(", ");
            // `{"invoice": {...}}`: one object wrapped under its name is told by its fields.
            let wrapped = m
                .iter()
                .next()
                .filter(|_| kv.is_empty() && m.len() == 1)
                .filter(|(_, x)| x.is_object())
                .map(|(k, x)| (phrase::label(k), answer_key_values(x, args, 4).join(", ")))
                .filter(|(_, kv)| !kv.is_empty());
            if let Some((what, kv)) = wrapped {
                let plans = [
                    format!("Here is the {what}: {kv}."),
                    format!("The {what} shows {kv}."),
                    format!("The {what}: {kv}."),
                ];
                return plans.choose(rng).cloned().unwrap_or_default();
            }
            if kv.is_empty() {
                // Only lists ({"entities": [], "relations": []}): say how many of each.
                let counts: Vec<String> = m
                    .iter()
                    .filter_map(|(k, x)| {
                        let n = x.as_array()?.len();
                        let l = phrase::label(k);
                        // "1 relation", "0 entities".
                        let l = match l.strip_suffix('s') {
                            Some(one) if n == 1 && !l.ends_with("ss") => one.to_string(),
                            _ => l,
                        };
                        Some(format!("{n} {l}"))
                    })
                    .collect();
                // An empty result (`touch` returns {}): the call worked and said nothing.
                if counts.is_empty() {
                    return if crate::item::reads_by_name(tool) {
                        "That came back empty.".to_string()
                    } else {
                        "That's done; nothing further came back.".to_string()
                    };
                }
                let what = phrase::join_and(counts);
                return if crate::item::reads_by_name(tool) {
                    format!("The result holds {what}.")
                } else {
                    format!("That went through; the result holds {what}.")
                };
            }
            // `{"result": 18.58}`: a field named only "result" says nothing a reader needs
            // ("The result: result 18.58").
            let generic = m.iter().next().filter(|(k, v)| {
                m.len() == 1
                    && matches!(k.as_str(), "result" | "value" | "output" | "answer")
                    && !v.is_object()
                    && !v.is_array()
            });
            if let Some((_, x)) = generic {
                let v = value_text(x);
                // A sentence the tool wrote ("Completed successfully") is said as it is; it
                // does not "come to" anything.
                if x.as_str().is_some_and(|t| t.split(' ').count() >= 3) {
                    let t = v.trim_matches('"').trim_end_matches('.');
                    let lower = phrase::lower_first(t);
                    let plans = [
                        format!("{}.", crate::maker::capitalize(t)),
                        format!("All set: {lower}."),
                        format!("That's taken care of: {lower}."),
                    ];
                    return plans.choose(rng).cloned().unwrap_or_default();
                }
                let plans = [
                    format!("The result is {v}."),
                    format!("That comes to {v}."),
                    format!("The answer is {v}."),
                ];
                return plans.choose(rng).cloned().unwrap_or_default();
            }
            let plans: [String; 3] = if m.contains_key("token") {
                // An authorization asked for itself ("check in the inspector"): say it is
                // granted and for how long, never the secret token.
                let uses = match m.get("uses_left").and_then(Value::as_u64) {
                    Some(1) => ", good for 1 use".to_string(),
                    Some(n) => format!(", good for {n} uses"),
                    None => String::new(),
                };
                [
                    format!("The authorization went through for {kv}{uses}."),
                    format!("You're authorized for {kv}{uses}."),
                    format!("That's authorized: {kv}{uses}."),
                ]
            } else if verb == "quote" {
                // A quote is made on request, not looked up.
                [
                    format!("Here's the quote: {kv}."),
                    format!("I've got you a quote: {kv}."),
                    format!("The quote is ready: {kv}."),
                ]
            } else if crate::item::reads_by_name(tool) {
                [
                    format!("Here is what I found: {kv}."),
                    format!("I looked it up: {kv}."),
                    format!("The details are {kv}."),
                ]
            } else if let Some((done, noun)) = crate::lexicon::past(verb)
                .filter(|_| acts)
                .zip(own_noun(m))
                .filter(|(done, noun)| reports_as_done(tool, noun, done))
            {
                // "I've revoked the share link: ...": the answer says what was done to what.
                [
                    format!("I've {done} the {noun}: {kv}."),
                    format!("The {noun} has been {done} ({kv})."),
                    crate::maker::capitalize(&format!("{noun} {done}: {kv}.")),
                ]
            } else if let Some(did) = did_phrase(tool).filter(|_| acts) {
                // "I've set the card limit: ...": the answer says what was done.
                [
                    format!("{did}: {kv}."),
                    format!("{did}. The result: {kv}."),
                    format!("{did} ({kv})."),
                ]
            } else if let Some((noun, what)) = has_done(tool, m) {
                // "The conversation participant has left the conversation".
                [
                    format!("The {noun} has {what}: {kv}."),
                    format!("The {noun} has now {what} ({kv})."),
                    format!("Done: the {noun} has {what} ({kv})."),
                ]
            } else if let Some((noun, state)) = new_state(tool, m) {
                // "The stay is now checked in": the state the call put the item in.
                [
                    format!("The {noun} is now {state}: {kv}."),
                    format!("The {noun} is {state} now ({kv})."),
                    format!("That's done; the {noun} is now {state} ({kv})."),
                ]
            } else {
                [
                    format!("All set. The result: {kv}."),
                    format!("That went through: {kv}."),
                    format!("It's taken care of ({kv})."),
                ]
            };
            plans.choose(rng).cloned().unwrap_or_default()
        }
        other => format!("The answer is {}.", value_text(other)),
    }
}

/// A sentence reporting an earlier step the request asked for, from the tool's words and its
/// result ("I've paid the library fines (member card ID LBM-1059, fines paid 12.5)."). None for
/// steps the request leaves implicit and for verbs with no participle that reads as a report.
pub fn step_report(
    tool: &str,
    args: &serde_json::Map<String, Value>,
    result: &Value,
) -> Option<String> {
    if !crate::item::asked_step(tool) {
        return None;
    }
    let did = did_phrase(tool)?;
    let kv = answer_key_values(result, args, 2).join(", ");
    Some(if kv.is_empty() {
        format!("{did}.")
    } else {
        format!("{did} ({kv}).")
    })
}

/// Verbs whose doer is the user ("join", "leave"): "I've joined the group" would say the
/// assistant did it.
const SELF_VERBS: [&str; 8] = [
    "apply",
    "enroll",
    "join",
    "leave",
    "subscribe",
    "unsubscribe",
    "follow",
    "unfollow",
];

/// (noun, "left the conversation") when a user's own verb ("leave_conversation") returns the
/// person who acted, now in the state the verb names ("left").
fn has_done(tool: &str, m: &serde_json::Map<String, Value>) -> Option<(String, String)> {
    let mut words = tool.split('_');
    let verb = words.next()?;
    if !SELF_VERBS.contains(&verb) {
        return None;
    }
    let done = crate::lexicon::participle(verb)?;
    let noun = own_noun(m)?;
    let person = noun
        .rsplit(' ')
        .next()
        .is_some_and(crate::schema_text::is_person_role);
    let in_state = ["state", "status"]
        .iter()
        .any(|k| m.get(*k).and_then(Value::as_str) == Some(done));
    if !person || !in_state {
        return None;
    }
    let rest: Vec<&str> = words.collect();
    let what = match rest.as_slice() {
        [] => done.to_string(),
        _ => format!("{done} {}", object_words(&rest)),
    };
    Some((noun, what))
}

/// The words of a tool name after its verb as an object: "the fines", but "for the order"; a
/// preposition inside gets its own article ("the employee to the shift").
fn object_words(rest: &[&str]) -> String {
    let prep = crate::lexicon::is_preposition;
    let mut what = match rest.first() {
        Some(w) if prep(w) => String::new(),
        _ => "the ".to_string(),
    };
    for (i, w) in rest.iter().enumerate() {
        what.push_str(w);
        if i + 1 < rest.len() {
            what.push_str(if prep(w) { " the " } else { " " });
        }
    }
    what
}

/// "I've paid the library fines", "I've moved the file to the trash": what a write tool did,
/// in the tool's own words; None for verbs whose participle does not read as a report.
fn did_phrase(tool: &str) -> Option<String> {
    // The name's words as a phrase says them ("follow-up", "PIN").
    let all = phrase::words(tool);
    let mut words = all.iter().map(String::as_str);
    let verb = words.next()?;
    // "I've held the show seats" reads as holding them in hand: "put ... on hold".
    let done = match verb {
        "hold" => "put",
        _ => crate::lexicon::past(verb).or_else(|| crate::lexicon::participle(verb))?,
    };
    let mut rest: Vec<&str> = words.collect();
    // "hand_out_shed_tool": a phrasal verb ("I've handed out the shed tool").
    let mut done = done.to_string();
    if rest.len() > 1 && matches!(rest[0], "out" | "up" | "off" | "back" | "down" | "over") {
        done = format!("{done} {}", rest.remove(0));
    }
    let prep = crate::lexicon::is_preposition;
    let (first, _) = rest.split_first()?;
    // "I've joined the group" says the assistant joined: a verb whose doer is the user reads
    // as a report only with who it was done for ("I've enrolled the student in the course").
    if SELF_VERBS.contains(&verb) && (prep(first) || !rest.iter().any(|w| prep(w))) {
        return None;
    }
    // "I've marked the class as a no-show", not "I've marked the class no show".
    if let Some((item, state)) = phrase::marked_state(verb, &rest) {
        let item: Vec<&str> = item.iter().map(String::as_str).collect();
        return Some(format!("I've {done} {} as {state}", object_words(&item)));
    }
    let mut what = object_words(&rest);
    if verb == "hold" {
        what.push_str(" on hold");
    }
    Some(format!("I've {done} {what}"))
}

/// Whether "I've {done} the {noun}" says what `tool` did: the tool names that item last and
/// says nothing more of it ("report_loan_lost" did not just "report the loan"; "scheduled the
/// scheduled message" says it twice).
fn reports_as_done(tool: &str, noun: &str, done: &str) -> bool {
    let words = phrase::words(tool);
    let rest: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
    let state = |w: &&str| w.ends_with("ed") || ["lost", "stolen", "late"].contains(w);
    rest.last() == noun.rsplit(' ').next().as_ref()
        && !rest.iter().any(state)
        && !noun.split(' ').any(|w| w == done)
}

/// (noun, state) of a write whose result's status is the state its name puts the item in:
/// `check_in_hotel_stay` -> ("stay", "checked in"), `mute_conversation` -> ("conversation",
/// "muted"), `advance_to_screening` -> ("job application", "at the screening stage"). None
/// when the status says something else (`change_case_priority` leaves the case "open").
fn new_state(tool: &str, m: &serde_json::Map<String, Value>) -> Option<(String, String)> {
    let mut words = tool.split('_');
    let verb = words.next()?;
    let rest: Vec<&str> = words.collect();
    // "apply" -> "appli(ed)", "close" -> "clos(ed)".
    let stem = match verb.strip_suffix('y') {
        Some(s) => format!("{s}i"),
        None => verb.trim_end_matches('e').to_string(),
    };
    let noun = own_noun(m)?;
    // A verb whose doer is the user ("join the gym", "enroll in the course") sets the state
    // of what it made or changed, whatever the state is called ("active").
    let self_verb = SELF_VERBS.contains(&verb);
    m.iter().find_map(|(k, v)| {
        let stage = k == "stage" || k.ends_with("_stage");
        if !(stage || k == "status" || k == "state" || k.ends_with("_status")) {
            return None;
        }
        let v = v.as_str()?;
        let state = v.replace('_', " ");
        let first = state.split(' ').next().unwrap_or("");
        let by_verb = stem.len() >= 3 && first.starts_with(stem.as_str());
        // "advance_to_interviews" names the stage "interviewing".
        let named = rest.contains(&v)
            || rest.iter().any(|w| {
                let w = w.trim_end_matches('s');
                w.len() >= 4 && first.starts_with(w)
            });
        match (stage, by_verb || named || self_verb) {
            (_, false) => None,
            (true, true) => Some((noun.clone(), format!("at the {state} stage"))),
            (false, true) => Some((noun.clone(), state)),
        }
    })
}

/// The noun of the item a write returns, from its first id field (`share_link_id` -> "share
/// link"); None when the result has none.
fn own_noun(m: &serde_json::Map<String, Value>) -> Option<String> {
    m.keys()
        .find(|k| hardgen_core::spec::id_stem(k).is_some())
        .map(|k| phrase::label(hardgen_core::spec::id_stem(k).unwrap_or(k)))
}

/// What an aggregate tool's figure is, from its name: `highest_meter_reading` -> "highest meter
/// reading", `count_open_loans` -> "number of open loans", `cheapest_fare_on_flight` ->
/// "cheapest fare" when the answer names the flight anyway (`item`). None for other names.
fn figure_phrase(tool: &str, item: &str) -> Option<String> {
    const FIGURES: [&str; 12] = [
        "total", "average", "highest", "lowest", "cheapest", "largest", "smallest", "latest",
        "earliest", "max", "min", "mean",
    ];
    let prep = crate::lexicon::is_preposition;
    let words: Vec<&str> = tool.split('_').collect();
    let (first, rest) = words.split_first()?;
    let mut phrase: Vec<&str> = if *first == "count" {
        let mut p = vec!["number", "of"];
        p.extend(rest);
        p
    } else if FIGURES.contains(first) {
        words.clone()
    } else {
        return None;
    };
    // "total claimed on policy" for "policy ID INP-1": the tail names the item again. "seats
    // on sale" keeps its tail.
    let item = item.to_lowercase();
    let n = phrase.len();
    if n >= 4 && prep(phrase[n - 2]) && item.split(' ').any(|w| w == phrase[n - 1]) {
        phrase.truncate(n - 2);
    }
    // "total postage sent by": the name ends where the item would follow.
    if phrase.last().is_some_and(|w| prep(w)) {
        phrase.pop();
    }
    (phrase.len() >= 2).then(|| phrase.join(" "))
}

/// The successful result of the call at `idx`, if any.
fn result_of(calls: &[(Call, Result<Value, ToolError>)], idx: Option<usize>) -> Option<&Value> {
    idx.and_then(|i| calls.get(i))
        .and_then(|(_, out)| out.as_ref().ok())
}

#[cfg(test)]
mod tests {
    use super::{
        answer_text_acting, answer_text_counting, did_phrase, has_done, new_state, reports_as_done,
        shown_word, single_stops, summarize,
    };
    use serde_json::{json, Value};

    #[test]
    fn a_worked_out_figure_is_answered_as_one() {
        use rand::SeedableRng;
        let args = serde_json::Map::new();
        let cases = [
            (json!({"area": 15.0}), "15"),
            (json!({"roots": [1.0, 2.0]}), "1.0 and 2.0"),
            (json!({"travel_cost_list": [93.5, 60.0]}), "travel costs"),
            (json!({"roots": []}), "no roots"),
        ];
        for (res, said) in cases {
            for seed in 0..6 {
                let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
                let a = answer_text_counting("calculate_x", &args, &res, None, &mut rng);
                assert!(a.to_lowercase().contains(said), "{a}");
                assert!(!a.contains("went through") && !a.contains("items"), "{a}");
            }
            assert!(!summarize(&res).contains("results"), "{}", summarize(&res));
        }
    }

    #[test]
    fn a_value_that_ends_a_sentence_is_not_followed_by_a_second_stop() {
        assert_eq!(
            single_stops("Done: 2 items, starting with Thanks, that works for me.."),
            "Done: 2 items, starting with Thanks, that works for me."
        );
        assert_eq!(
            single_stops("The reply: Any news?. Then more."),
            "The reply: Any news? Then more."
        );
        assert_eq!(single_stops("It said wait... ok."), "It said wait... ok.");
        assert_eq!(
            single_stops("Path ../docs is there."),
            "Path ../docs is there."
        );
        use rand::SeedableRng;
        let res = json!({"matching_lines": ["Thanks, that works for me.", "Call me."]});
        for seed in 0..8 {
            let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
            let a = answer_text_counting("grep", &serde_json::Map::new(), &res, None, &mut rng);
            assert!(!a.contains(".."), "{a}");
        }
    }

    #[test]
    fn a_tool_named_by_its_object_first_is_not_reported_by_that_word() {
        use rand::SeedableRng;
        let args = serde_json::Map::new();
        let res = json!({"order_id": "ORD-1", "product": "Desk lamp", "ok": true});
        let mut reported = 0;
        for seed in 0..12 {
            let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
            let a = answer_text_acting("order_status_check", false, &args, &res, None, &mut rng);
            assert!(!a.contains("ordered"), "{a}");
            let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
            let b = answer_text_acting("order_status_check", true, &args, &res, None, &mut rng);
            reported += usize::from(b.contains("ordered"));
        }
        // Without the flag the name's first word is reported: the flag is what keeps it out.
        assert!(reported > 0);
    }

    #[test]
    fn a_result_holding_only_a_list_is_summarized_by_it() {
        let one = json!({"matching_tweets": [{"id": 22834, "username": "helga.martel"}]});
        let said = summarize(&one);
        assert!(said.starts_with("1 result: "), "{said}");
        assert!(said.contains("22834"), "{said}");
        assert_eq!(summarize(&json!({"matching_tweets": []})), "0 results");
        // A result holding one object is said by that object's fields.
        let inv = summarize(&json!({"invoice": {"booking_id": "BOO-1", "travel_cost": 600.5}}));
        assert!(inv.starts_with("the invoice with "), "{inv}");
        assert!(inv.contains("BOO-1"), "{inv}");
        // A `results` list is counted when no `count` comes with it.
        let two = json!({"results": [{"store_id": "STO-1"}, {"store_id": "STO-2"}]});
        assert!(
            summarize(&two).starts_with("2 results, the first being "),
            "{}",
            summarize(&two)
        );
        let counted = json!({"results": [{"store_id": "STO-1"}], "count": 7});
        assert!(summarize(&counted).starts_with("7 results"));
        // Scalars are said by their fields.
        let said = summarize(&json!({"status": "ok"}));
        assert!(said.contains("ok") && !said.contains("result"), "{said}");
        assert!(!summarize(&json!({"status": "ok", "tags": ["a"]})).contains("result"));
    }

    #[test]
    fn titles_and_long_texts_are_quoted_names_and_short_values_are_not() {
        let reply = json!("Please try signing out on all devices");
        assert_eq!(
            shown_word("reply_text", &reply),
            "\"Please try signing out on all devices\""
        );
        assert_eq!(shown_word("title", &json!("Gardens")), "\"Gardens\"");
        assert_eq!(shown_word("reason", &json!("fixed it")), "fixed it");
        assert_eq!(
            shown_word("full_name", &json!("Ana de la Cruz Ruiz")),
            "Ana de la Cruz Ruiz"
        );
        assert_eq!(
            shown_word("case_status", &json!("waiting_on_customer")),
            "waiting on customer"
        );
        // A text that holds quotes of its own is left as it is.
        assert_eq!(
            shown_word("title", &json!("The \"Big\" One")),
            "The \"Big\" One"
        );
    }

    #[test]
    fn a_bare_result_field_is_said_as_the_answer_alone() {
        use rand::SeedableRng;
        for seed in 0..6 {
            let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
            let a = answer_text_counting(
                "min_value",
                &serde_json::Map::new(),
                &json!({"result": 131.95}),
                None,
                &mut rng,
            );
            assert!(a.contains("131.95"), "{a}");
            assert!(!a.contains("result 131.95"), "{a}");
            let t = answer_text_counting(
                "cp",
                &serde_json::Map::new(),
                &json!({"result": "The copy operation completed successfully"}),
                None,
                &mut rng,
            );
            assert!(
                t.to_lowercase()
                    .contains("the copy operation completed successfully."),
                "{t}"
            );
            assert!(!t.contains("comes to") && !t.contains('"'), "{t}");
        }
    }

    #[test]
    fn one_object_wrapped_under_its_name_is_told_by_its_fields() {
        use rand::SeedableRng;
        for seed in 0..6 {
            let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
            let a = answer_text_counting(
                "get_booking_history",
                &serde_json::Map::new(),
                &json!({"booking_history": {"travel_from": "Liege", "travel_to": "Veracruz"}}),
                None,
                &mut rng,
            );
            assert!(
                a.contains("booking history") && a.contains("Veracruz"),
                "{a}"
            );
            assert!(!a.contains("nothing more"), "{a}");
        }
        // BFCL's `touch` answers {}: said plainly, not "the result holds nothing more".
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
        let a = answer_text_counting("touch", &serde_json::Map::new(), &json!({}), None, &mut rng);
        assert_eq!(a, "That's done; nothing further came back.");
    }

    #[test]
    fn a_figure_beside_a_list_is_the_answer_and_a_bare_list_is_listed() {
        use rand::SeedableRng;
        let none = serde_json::Map::new();
        for seed in 0..6 {
            let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
            let a = answer_text_counting(
                "estimate_distance",
                &none,
                &json!({"distance": 428.78, "intermediaryCities": ["Gliwice"]}),
                None,
                &mut rng,
            );
            assert!(a.contains("428.78"), "{a}");
            let b = answer_text_counting(
                "list_members",
                &none,
                &json!({"members": [{"name": "Ana"}, {"name": "Bo"}], "total": 2}),
                None,
                &mut rng,
            );
            assert!(b.contains("Ana") && b.contains("Bo"), "{b}");
        }
    }

    fn obj(v: Value) -> serde_json::Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_write_is_reported_as_done_only_when_its_name_says_no_more() {
        assert!(reports_as_done(
            "revoke_share_link",
            "share link",
            "revoked"
        ));
        // A state of the item in the name ("stolen", "expired") is more than "the card".
        assert!(!reports_as_done("report_stolen_card", "card", "reported"));
        assert!(!reports_as_done("renew_expired_card", "card", "renewed"));
        // The name ends in something else than the item, or the noun repeats the verb.
        assert!(!reports_as_done("report_loan_lost", "loan", "reported"));
        assert!(!reports_as_done(
            "schedule_message",
            "scheduled message",
            "scheduled"
        ));
    }

    #[test]
    fn a_write_reports_the_state_its_name_puts_the_item_in() {
        let stay = obj(json!({"stay_id": "S1", "stay_status": "checked_in", "amount": 3}));
        assert_eq!(
            new_state("check_in_hotel_stay", &stay),
            Some(("stay".into(), "checked in".into()))
        );
        let conv = obj(json!({"conversation_id": "C1", "status": "muted"}));
        assert_eq!(
            new_state("mute_conversation", &conv),
            Some(("conversation".into(), "muted".into()))
        );
        let app = obj(json!({"job_application_id": "A1", "stage": "screening"}));
        assert_eq!(
            new_state("advance_to_screening", &app),
            Some(("job application".into(), "at the screening stage".into()))
        );
        // A status the call did not set, a short verb, or no id: nothing to report.
        let case = obj(json!({"support_case_id": "P1", "case_status": "open"}));
        assert_eq!(new_state("change_case_priority", &case), None);
        let odd = obj(json!({"thing_id": "T1", "status": "active"}));
        assert_eq!(new_state("ac_thing", &odd), None);
        assert_eq!(
            new_state("mute_conversation", &obj(json!({"status": "muted"}))),
            None
        );
        // A "state" field; a stage named after the tool's last word; "apply" -> "applied".
        let appt = obj(json!({"medical_appointment_id": "M1", "state": "checked_in"}));
        assert_eq!(
            new_state("check_in_medical_appointment", &appt),
            Some(("medical appointment".into(), "checked in".into()))
        );
        let app = obj(json!({"job_application_id": "A1", "stage": "interviewing"}));
        assert_eq!(
            new_state("advance_to_interviews", &app),
            Some(("job application".into(), "at the interviewing stage".into()))
        );
        let app = obj(json!({"job_application_id": "A1", "stage": "applied"}));
        assert_eq!(
            new_state("apply_to_job", &app),
            Some(("job application".into(), "at the applied stage".into()))
        );
        // The user's own verb: whatever state it leaves the item in.
        let gym = obj(json!({"gym_membership_id": "G1", "membership_status": "active"}));
        assert_eq!(
            new_state("join_gym", &gym),
            Some(("gym membership".into(), "active".into()))
        );
        assert_eq!(new_state("freeze_gym", &gym), None);
    }

    #[test]
    fn a_write_says_what_it_did_in_the_tools_words() {
        assert_eq!(
            did_phrase("pay_library_fines").as_deref(),
            Some("I've paid the library fines")
        );
        assert_eq!(
            did_phrase("hold_show_seats").as_deref(),
            Some("I've put the show seats on hold")
        );
        // A state the item was marked as follows "as".
        assert_eq!(
            did_phrase("mark_stay_no_show").as_deref(),
            Some("I've marked the stay as a no-show")
        );
        assert_eq!(
            did_phrase("mark_lease_repair_fixed").as_deref(),
            Some("I've marked the lease repair as fixed")
        );
        // The user's own verb is not the assistant's doing.
        assert_eq!(did_phrase("join_group"), None);
        assert_eq!(
            did_phrase("complete_contact_follow_up").as_deref(),
            Some("I've completed the contact follow-up")
        );
        assert!(reports_as_done(
            "complete_contact_follow_up",
            "contact follow-up",
            "completed"
        ));
        assert_eq!(did_phrase("frobnicate_widget"), None);
        // A phrasal verb keeps its particle with the verb.
        assert_eq!(
            did_phrase("hand_out_shed_tool").as_deref(),
            Some("I've handed out the shed tool")
        );
    }

    #[test]
    fn a_user_who_acted_is_reported_by_what_they_did() {
        let p =
            obj(json!({"conversation_participant_id": "P1", "state": "left", "role": "member"}));
        assert_eq!(
            has_done("leave_conversation", &p),
            Some((
                "conversation participant".into(),
                "left the conversation".into()
            ))
        );
        let s = obj(json!({"list_subscriber_id": "S1", "status": "unsubscribed"}));
        assert_eq!(
            has_done("unsubscribe_from_mailing_list", &s),
            Some((
                "list subscriber".into(),
                "unsubscribed from the mailing list".into()
            ))
        );
        // Not a person, not in the verb's state, or not the user's own verb.
        let m = obj(json!({"gym_membership_id": "G1", "state": "left"}));
        assert_eq!(has_done("leave_gym", &m), None);
        let still = obj(json!({"conversation_participant_id": "P1", "state": "active"}));
        assert_eq!(has_done("leave_conversation", &still), None);
        assert_eq!(has_done("remove_conversation", &p), None);
    }
}
