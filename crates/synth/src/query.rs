//! Query writer (offline): a hard query at the level of the advanced tool. It states the goal and
//! every external input, names every relation the gold follows (the owner of the group, the
//! holder of the account), hides every intermediate value, and varies its sentence plans.

use crate::maker::Made;
use crate::phrase;
use crate::schema_text::{self as st, Specs};
use hardgen_core::record::{AdvancedStep, Binding, GoldCall};
use hardgen_core::ToolSpec;
use rand::rngs::ChaCha8Rng;
use rand::seq::IndexedRandom;
use rand::RngExt;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Irrelevant context sentences (noise the agent must ignore).
const CONTEXT: &[&str] = &[
    "I'm sorting out a few things before the weekend.",
    "My colleague said this should be quick.",
    "This is for the quarterly review, so accuracy matters.",
    "I tried earlier but got distracted.",
    "No need to explain every step.",
    "I'm on my phone, so keep it short.",
    "Thanks in advance!",
    "It's been on my list all week.",
    "My manager asked me to sort this out today.",
    "I'd rather not do it by hand.",
];

/// Sentence plans for a request: (opening, closing punctuation). `{a}` is the action.
const PLANS: &[(&str, &str)] = &[
    ("Please {a}", "."),
    ("Could you {a}", "?"),
    ("Can you {a}", "?"),
    ("Would you {a}", "?"),
    ("I'd like you to {a}", "."),
    ("I need you to {a}", "."),
    ("Help me {a}", "."),
    ("Go ahead and {a}", "."),
    ("I want you to {a}", "."),
    ("Kindly {a}", "."),
    ("Quick one: {a}", "."),
    ("When you get a chance, {a}", "."),
    ("Could you please {a}", "?"),
    ("Hi! Please {a}", "."),
    ("Hey, can you {a}", "?"),
    ("I'm hoping you can {a}", "."),
    ("Would you mind if we {a}", "?"),
    ("Let's {a}", "."),
];

/// Words that refer back to something earlier in the conversation (the grounding check looks
/// for one of them when a value comes from an earlier round).
pub const ANAPHORA: &[&str] = &["from before", "that same", "we just", "from earlier"];

/// Why a query was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryReject {
    /// `incomplete`, `leak`, `relation_missing` or `context_unreferenced`.
    pub reason: &'static str,
    /// Which value or relation.
    pub detail: String,
}

/// The text of a value as it appears in a query.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The parts of a round the writer and the checks need (from a `Made` or a stored `Round`).
#[derive(Debug, Clone, Copy)]
pub struct RoundView<'a> {
    /// Gold calls.
    pub gold: &'a [GoldCall],
    /// Advanced-tool steps (bindings).
    pub steps: &'a [AdvancedStep],
    /// External inputs.
    pub inputs: &'a Map<String, Value>,
}

impl<'a> RoundView<'a> {
    /// The view of a made round.
    pub fn of_made(m: &'a Made) -> Self {
        RoundView {
            gold: &m.gold,
            steps: &m.tool.implementation,
            inputs: &m.inputs,
        }
    }
    /// The view of a stored round.
    pub fn of_round(r: &'a hardgen_core::Round) -> Self {
        RoundView {
            gold: &r.gold,
            steps: &r.advanced_tool.implementation,
            inputs: &r.external_inputs,
        }
    }
}

/// Builds the noun phrases of one round.
struct Writer<'a, S: Specs + ?Sized> {
    view: RoundView<'a>,
    specs: &'a S,
    /// Inputs from earlier rounds: param -> (producing tool, path).
    context: &'a dyn Fn(&str) -> Option<(String, String)>,
}

/// How an attribute with a value is said after a noun ("named Family", "in Busan").
pub fn attribute(field: &str, v: &Value) -> String {
    let l = phrase::label(field);
    let t = value_text(v);
    if let Value::Bool(b) = v {
        return format!("{} {l}", if *b { "with" } else { "without" });
    }
    if field == "title" || field.ends_with("_title") {
        return format!("titled {t}");
    }
    if field == "name" || field.ends_with("_name") {
        return format!("named {t}");
    }
    if field == "city" {
        return format!("in {t}");
    }
    if let Some(base) = field.strip_prefix("min_") {
        return format!("with {} of at least {t}", phrase::label(base));
    }
    if let Some(base) = field.strip_prefix("max_") {
        return format!("with {} of at most {t}", phrase::label(base));
    }
    if field == "limit" {
        return format!("(at most {t} of them)");
    }
    if [
        "_on", "_at", "_by", "_from", "_to", "_until", "_since", "_before", "_after",
    ]
    .iter()
    .any(|s| field.ends_with(s))
    {
        return format!("{l} {t}");
    }
    format!("whose {l} is {t}")
}

impl<'a, S: Specs + ?Sized> Writer<'a, S> {
    fn spec(&self, k: usize) -> Option<&'a ToolSpec> {
        self.specs.spec(&self.view.gold.get(k)?.name)
    }

    /// The item of step `k`'s result at `path`, picked by `sel` (field leaf, value).
    fn item(&self, k: usize, path: &str, sel: Option<(&str, &Value)>, depth: usize) -> String {
        let noun = self
            .spec(k)
            .map(|s| st::item_noun(s, path))
            .unwrap_or_else(|| "item".into());
        let mut quals: Vec<String> = Vec::new();
        if let Some((f, v)) = sel {
            quals.push(attribute(f, v));
        }
        if let Some(step) = self.view.steps.get(k) {
            for (arg, b) in &step.bindings {
                quals.push(self.qualifier(k, arg, b, &noun, depth));
            }
        }
        quals.retain(|q| !q.is_empty());
        // Names read best right after the noun; nested relations go last, so a later clause
        // never seems to qualify a nested noun.
        quals.sort_by_key(|q| {
            let cat = if q.starts_with("named") || q.starts_with("titled") {
                0
            } else if !q.starts_with("whose") && !q.starts_with("of ") {
                1
            } else if q.contains(" the ") {
                3
            } else {
                2
            };
            (cat, q.len())
        });
        let mut s = format!("the {noun}");
        for (i, q) in quals.iter().enumerate() {
            let and = i > 0 && q.starts_with("whose") && quals[i - 1].starts_with("whose");
            s.push_str(if and { " and " } else { " " });
            s.push_str(q);
        }
        s
    }

    /// How argument `arg` of step `k` narrows that step's item.
    fn qualifier(&self, k: usize, arg: &str, b: &Binding, noun: &str, depth: usize) -> String {
        let v = self.view.gold.get(k).and_then(|g| g.arguments.get(arg));
        match b {
            Binding::Input { param } if (self.context)(param).is_some() => {
                let np = self.context_np(param);
                self.role(arg, &np, noun)
            }
            Binding::Input { .. } => match v {
                Some(v) => attribute(arg, v),
                None => String::new(),
            },
            _ => {
                let np = self.bound(k, arg, depth + 1);
                self.role(arg, &np, noun)
            }
        }
    }

    /// "of NP" when the parameter names the NP's own kind, else "whose <role> is NP".
    fn role(&self, arg: &str, np: &str, _noun: &str) -> String {
        let role = st::id_noun(arg);
        let head = np
            .strip_prefix("the ")
            .unwrap_or(np)
            .split(" from before")
            .next()
            .unwrap_or(np);
        if head.starts_with(&role) {
            return format!("of {np}");
        }
        let words: Vec<&str> = role.split(' ').collect();
        let short = if words.len() > 1 && head.starts_with(words[words.len() - 1]) {
            words[..words.len() - 1].join(" ")
        } else {
            role
        };
        format!("whose {short} is {np}")
    }

    /// The noun phrase of a value bound to an earlier step.
    fn bound(&self, j: usize, arg: &str, depth: usize) -> String {
        let Some(b) = self.view.steps.get(j).and_then(|s| s.bindings.get(arg)) else {
            return String::new();
        };
        let (k, path, sel) = match b {
            Binding::Step { step, path, .. } => (*step, path.as_str(), None),
            Binding::Select {
                step,
                path,
                field,
                param,
            } => (
                *step,
                path.as_str(),
                self.view
                    .inputs
                    .get(param)
                    .map(|v| (st::split_path(field).1, v)),
            ),
            Binding::Input { param } => {
                return if (self.context)(param).is_some() {
                    self.context_np(param)
                } else {
                    self.view
                        .inputs
                        .get(param)
                        .map(value_text)
                        .unwrap_or_default()
                }
            }
        };
        if depth > 12 || k >= j {
            return String::new();
        }
        let item = self.item(k, path, sel, depth);
        match self.spec(k) {
            Some(s) if !st::is_own_id(s, path) => format!("the {} {item}", st::relation(s, path)),
            _ => item,
        }
    }

    /// An earlier round's value, referred to by what the user knows.
    fn context_np(&self, param: &str) -> String {
        let Some((tool, path)) = (self.context)(param) else {
            return String::new();
        };
        match self.specs.spec(&tool) {
            Some(s) if st::is_own_id(s, &path) => {
                format!("that same {}", st::item_noun(s, &path))
            }
            Some(s) => format!(
                "the {} the {} from before",
                st::relation(s, &path),
                st::item_noun(s, &path)
            ),
            None => format!("that same {}", st::id_noun(param)),
        }
    }
}

/// The action of a tool as an imperative clause, from its description when it starts with the
/// tool's own verb, else from its name.
pub fn action(spec: &ToolSpec) -> String {
    let verb = spec.name.split('_').next().unwrap_or("");
    let first = spec.description.split(". ").next().unwrap_or("");
    let mut d = first.trim().trim_end_matches('.').to_string();
    for cut in [
        " (",
        ";",
        ":",
        ", optionally",
        ", then",
        " — ",
        ", sorted",
        ", newest",
        ", cheapest",
        ", soonest",
        ", best",
        ", closest",
        ", earliest",
        ", most",
        ", lowest",
        ", largest",
    ] {
        if let Some(i) = d.find(cut) {
            d.truncate(i);
        }
    }
    if d.starts_with("Search ") {
        if let Some(i) = d.find(" by ") {
            d.truncate(i);
        }
    }
    for tail in [" by id", " by its id"] {
        if let Some(x) = d.strip_suffix(tail) {
            d = x.to_string();
        }
    }
    // "..., highest rent first": an ordering, not part of the request.
    if let Some(i) = d.rfind(", ") {
        if d.ends_with(" first") {
            d.truncate(i);
        }
    }
    // A trailing "by <parameter>" names an optional filter, not the request.
    if let Some(i) = d.rfind(" by ") {
        let tail = d[i + 4..].replace(' ', "_");
        let params = spec.parameters.get("properties").and_then(Value::as_object);
        if params.is_some_and(|p| p.keys().any(|k| k.contains(&tail))) {
            d.truncate(i);
        }
    }
    let d = st::lower_first(d.trim());
    let dverb = d.split(' ').next().unwrap_or("");
    if !verb.is_empty() && dverb == verb && d.split(' ').count() >= 2 {
        return d;
    }
    let (v, o) = phrase::verb_object(&spec.name);
    format!("{v} {o}").trim().to_string()
}

/// Whether [`action`] comes from the description (so its "a <noun>" slots can take phrases).
fn action_from_description(spec: &ToolSpec) -> bool {
    let verb = spec.name.split('_').next().unwrap_or("");
    st::lower_first(spec.description.trim()).split(' ').next() == Some(verb)
}

/// The item a binding takes its value from: (step, list prefix, selecting input).
type SourceKey = (usize, String, Option<String>);

/// The [`SourceKey`] of a binding (None for inputs).
fn source_key(b: &Binding) -> Option<SourceKey> {
    match b {
        Binding::Step { step, path, index } => {
            Some((*step, format!("{}#{index}", st::split_path(path).0), None))
        }
        Binding::Select {
            step, path, param, ..
        } => Some((
            *step,
            st::split_path(path).0.to_string(),
            Some(param.clone()),
        )),
        Binding::Input { .. } => None,
    }
}

/// Replaces the first whole-word "a/an/one [adjective] <noun>" in `text` by `with`.
fn substitute(text: &str, noun: &str, with: &str) -> Option<String> {
    let words: Vec<&str> = text.split(' ').collect();
    let nw: Vec<&str> = noun.split(' ').collect();
    for i in 0..words.len() {
        if !matches!(words[i], "a" | "an" | "one") {
            continue;
        }
        for skip in [1usize, 2] {
            let start = i + skip;
            let end = start + nw.len();
            if end > words.len() || words[start..end] != nw[..] {
                continue;
            }
            let mut out: Vec<&str> = words[..i].to_vec();
            out.push(with);
            out.extend_from_slice(&words[end..]);
            return Some(out.join(" "));
        }
    }
    None
}

/// Writes the query of a made round. `context_tool` names the tool and path an earlier-round
/// input came from.
pub fn write<S: Specs + ?Sized>(
    made: &Made,
    specs: &S,
    context_tool: &dyn Fn(usize) -> Option<String>,
    rng: &mut ChaCha8Rng,
) -> String {
    let ctx = |param: &str| -> Option<(String, String)> {
        let (k, path) = made.context_refs.get(param)?;
        Some((context_tool(*k)?, path.clone()))
    };
    let w = Writer {
        view: RoundView::of_made(made),
        specs,
        context: &ctx,
    };
    let Some(last) = made.gold.len().checked_sub(1) else {
        return String::new();
    };
    let Some(target) = specs.spec(&made.gold[last].name) else {
        return String::new();
    };
    let mut act = action(target);
    let slots = action_from_description(target);
    let mut literals: Vec<String> = Vec::new();
    let mut bound: Vec<(String, String)> = Vec::new();
    if let Some(step) = made.tool.implementation.get(last) {
        // Own ids first: the item itself is named once, its other fields refer back to it.
        let mut args: Vec<(&String, &Binding)> = step.bindings.iter().collect();
        let own = |b: &Binding| match b {
            Binding::Step { step, path, .. } | Binding::Select { step, path, .. } => made
                .gold
                .get(*step)
                .and_then(|g| specs.spec(&g.name))
                .is_some_and(|s| st::is_own_id(s, path)),
            Binding::Input { .. } => false,
        };
        args.sort_by_key(|(_, b)| !own(b));
        let mut said: Vec<(SourceKey, String)> = Vec::new();
        for (arg, b) in args {
            let is_context = matches!(b, Binding::Input { param } if ctx(param).is_some());
            if matches!(b, Binding::Input { .. }) && !is_context {
                let v = made.gold[last]
                    .arguments
                    .get(arg)
                    .cloned()
                    .unwrap_or(Value::Null);
                let role = st::id_noun(arg);
                let t = value_text(&v);
                let put = if slots && !v.is_boolean() {
                    substitute(&act, &role, &format!("the {role} {t}"))
                } else {
                    None
                };
                match put {
                    Some(s) => act = s,
                    None => literals.push(literal_clause(arg, &v, rng)),
                }
                continue;
            }
            let key = source_key(b);
            let earlier = key.as_ref().and_then(|k| said.iter().find(|(x, _)| x == k));
            let np = match (earlier, b) {
                (
                    Some((_, noun)),
                    Binding::Step { step, path, .. } | Binding::Select { step, path, .. },
                ) => {
                    let rel = made
                        .gold
                        .get(*step)
                        .and_then(|g| specs.spec(&g.name))
                        .map(|s| st::relation(s, path))
                        .unwrap_or_default();
                    format!("the {rel} that {noun}")
                }
                _ => w.bound(last, arg, 0),
            };
            if let (
                Some(k),
                Binding::Step { step, path, .. } | Binding::Select { step, path, .. },
            ) = (key, b)
            {
                if earlier.is_none() {
                    let noun = made
                        .gold
                        .get(*step)
                        .and_then(|g| specs.spec(&g.name))
                        .map(|s| st::item_noun(s, path))
                        .unwrap_or_default();
                    said.push((k, noun));
                }
            }
            bound.push((st::id_noun(arg), np));
        }
    }
    for (i, (role, np)) in bound.iter().enumerate() {
        let last_word = role.rsplit(' ').next().unwrap_or(role);
        let put = if slots {
            substitute(&act, role, np).or_else(|| substitute(&act, last_word, np))
        } else {
            None
        };
        if let Some(s) = put {
            act = s;
        } else if i == 0 || !act.contains(" for ") {
            act.push_str(&format!(" for {np}"));
        } else if np.starts_with(&format!("the {role}")) {
            act.push_str(&format!(", with {np}"));
        } else {
            act.push_str(&format!(", using {np} as the {role}"));
        }
    }
    if !literals.is_empty() {
        let joined = match literals.len() {
            1 => literals[0].clone(),
            n => format!("{} and {}", literals[..n - 1].join(", "), literals[n - 1]),
        };
        act.push_str(if rng.random_bool(0.5) {
            " with "
        } else {
            ", with "
        });
        act.push_str(&joined);
    }
    let (open, close) = PLANS.choose(rng).copied().unwrap_or(("Please {a}", "."));
    let mut q = open.replace("{a}", &act);
    q.push_str(close);
    if rng.random_bool(0.3) {
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

/// A literal argument of the target as a clause after "with".
fn literal_clause(arg: &str, v: &Value, rng: &mut ChaCha8Rng) -> String {
    let l = phrase::label(arg);
    let t = value_text(v);
    match v {
        Value::Bool(true) => format!("{l} turned on"),
        Value::Bool(false) => format!("{l} turned off"),
        _ if rng.random_bool(0.5) => format!("the {l} set to {t}"),
        _ => format!("{l} {t}"),
    }
}

/// Intermediate values of a made round: arguments that come from earlier steps' results.
pub fn intermediate_values(made: &Made) -> BTreeSet<String> {
    bound_values(&made.tool.implementation, &made.gold)
}

/// Arguments of the gold calls that are bound to earlier steps (not to inputs).
fn bound_values(steps: &[AdvancedStep], gold: &[GoldCall]) -> BTreeSet<String> {
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

/// Whether `text` states `v`: the value's text as a whole word (case-insensitive); a boolean is
/// stated by its parameter's label.
pub fn states(text_lc: &str, v: &Value, param: &str) -> bool {
    if v.is_boolean() {
        return text_lc.contains(&phrase::label(param).to_lowercase());
    }
    let t = value_text(v).to_lowercase();
    if t.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = text_lc[from..].find(&t) {
        let at = from + pos;
        let end = at + t.len();
        let b = text_lc.as_bytes();
        let word = |c: u8| c.is_ascii_alphanumeric();
        let before_ok = at == 0 || !word(b[at - 1]) || !word(t.as_bytes()[0]);
        let after_ok = end == b.len()
            || !word(b[end])
            || !t.as_bytes().last().copied().is_some_and(word)
            // "2026-01-02." or "39 kWh" are fine; "390" is not "39".
            ;
        // A number followed by a digit or a decimal point with digits is another number.
        let number_cont = end < b.len()
            && v.is_number()
            && (b[end].is_ascii_digit()
                || (b[end] == b'.' && end + 1 < b.len() && b[end + 1].is_ascii_digit()));
        if before_ok && after_ok && !number_cont {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The checks of a written query: complete (every user-given input is stated), no leak (no
/// intermediate value is), every relation the gold follows is named, and every earlier-round
/// value is referred back to.
pub fn check(made: &Made, query: &str, specs: &(impl Specs + ?Sized)) -> Result<(), QueryReject> {
    let q = query.to_lowercase();
    for (k, v) in &made.inputs {
        if made.context_inputs.contains(k) {
            if !ANAPHORA.iter().any(|a| q.contains(a)) {
                return Err(QueryReject {
                    reason: "context_unreferenced",
                    detail: format!(
                        "{k} comes from an earlier round but the query does not refer back to it"
                    ),
                });
            }
            continue;
        }
        if !states(&q, v, k) {
            return Err(QueryReject {
                reason: "incomplete",
                detail: format!("{k} = {} is not in the query", value_text(v)),
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
    if let Some(missing) = missing_relation(RoundView::of_made(made), &q, specs) {
        return Err(QueryReject {
            reason: "relation_missing",
            detail: missing,
        });
    }
    Ok(())
}

/// The first relation hop of a round whose words the (lowercased) query does not contain.
pub fn missing_relation(
    view: RoundView<'_>,
    q: &str,
    specs: &(impl Specs + ?Sized),
) -> Option<String> {
    for (j, step) in view.steps.iter().enumerate() {
        for (arg, b) in &step.bindings {
            let (k, path) = match b {
                Binding::Step { step, path, .. } | Binding::Select { step, path, .. } => {
                    (*step, path)
                }
                Binding::Input { .. } => continue,
            };
            let Some(spec) = view.gold.get(k).and_then(|g| specs.spec(&g.name)) else {
                return Some(format!("step {k} has no known tool"));
            };
            let (words, label) = if st::is_own_id(spec, path) {
                (st::item_noun(spec, path), st::item_noun(spec, path))
            } else {
                (
                    st::relation(spec, path),
                    st::id_noun(st::split_path(path).1),
                )
            };
            if !q.contains(&words.to_lowercase()) && !q.contains(&label.to_lowercase()) {
                return Some(format!(
                    "step {j} takes {arg} from {path} of step {k} but the query never says \"{words}\""
                ));
            }
        }
    }
    None
}

/// Intermediate values of a stored round (arguments bound to earlier steps).
pub fn intermediate_values_of(round: &hardgen_core::Round) -> BTreeSet<String> {
    bound_values(&round.advanced_tool.implementation, &round.gold)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn states_matches_whole_values() {
        assert!(states("kwh 39 today", &json!(39), "kwh"));
        assert!(!states("kwh 390 today", &json!(39), "kwh"));
        assert!(!states("kwh 39.5 today", &json!(39), "kwh"));
        assert!(states("on 2026-01-02.", &json!("2026-01-02"), "d"));
        assert!(states(
            "with emergency service",
            &json!(true),
            "emergency_service"
        ));
        assert!(!states("with nothing", &json!(true), "emergency_service"));
        assert!(!states("anything", &json!(""), "x"));
        assert!(states("group named family", &json!("Family"), "group_name"));
    }

    #[test]
    fn substitute_replaces_whole_words_only() {
        assert_eq!(
            substitute(
                "list the supply points a contact holds",
                "contact",
                "the owner"
            )
            .as_deref(),
            Some("list the supply points the owner holds")
        );
        assert_eq!(substitute("list a contacts", "contact", "x"), None);
        assert_eq!(substitute("list a case's surveys", "case", "x"), None);
    }

    #[test]
    fn attributes_read_as_phrases() {
        assert_eq!(attribute("group_name", &json!("Board")), "named Board");
        assert_eq!(attribute("city", &json!("Oslo")), "in Oslo");
        assert_eq!(
            attribute("opened_on", &json!("2026-01-01")),
            "opened on 2026-01-01"
        );
        assert_eq!(attribute("min_year", &json!(3)), "with year of at least 3");
        assert_eq!(attribute("pool", &json!(false)), "without pool");
        assert_eq!(attribute("status", &json!("open")), "whose status is open");
    }
}
