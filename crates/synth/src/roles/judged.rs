//! The Tool Maker and Verifier roles on a model. Both improve an offline answer that already
//! holds (the offline advanced tool, the rule verifier's hint) and are checked mechanically:
//! - Tool Maker: the model names and describes the advanced tool. Its parameters must be exactly
//!   the trace's external inputs (one to one, types kept from the offline schema), its returns
//!   fields of the target's result, its name a new snake_case name, its description free of the
//!   run's values. An invalid answer is retried once with the problem shown, then the round is
//!   rejected (`tool_maker:<reason>`).
//! - Verifier: the rule checks decide pass or fail; the model writes the corrective hint. A hint
//!   that states a gold value the user did not give is a leak: it is retried once, then replaced
//!   by the rule hint (the sample is not rejected for it).

use super::{LlmCall, RoleError};
use crate::item::value_text;
use crate::item::Made;
use crate::schema_text::Specs;
use hardgen_core::calls::repair::Repair;
use hardgen_core::{AdvancedTool, Reason};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// What the tool maker is shown for one round.
#[derive(Debug, Clone, PartialEq)]
pub struct MakerTask {
    /// The calls, in order: (tool, first sentence of its description).
    pub steps: Vec<(String, String)>,
    /// The new tool's parameters: (name, JSON type).
    pub parameters: Vec<(String, String)>,
    /// Top-level fields of the target's result.
    pub result_fields: Vec<String>,
    /// The offline tool maker's answer, as the JSON the model is asked for.
    pub draft: Value,
}

/// A tool maker backed by a model.
pub trait ModelToolMaker: Send + Sync {
    /// The model's name, recorded in `generator.tool_maker`.
    fn model(&self) -> &str;
    /// The model's answer (JSON text) for `task`; `feedback` is the problem of its last answer.
    fn describe(&self, task: &MakerTask, feedback: Option<&str>) -> Result<String, RoleError>;
}

/// What the verifier is shown after a failed attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyTask {
    /// The user's request.
    pub query: String,
    /// The attempt's calls, one line each (`name(args) -> result`).
    pub calls: Vec<String>,
    /// Its final answer.
    pub answer: String,
    /// Names of the failed checks.
    pub failed: Vec<String>,
    /// The rule verifier's findings (its hint).
    pub findings: Vec<String>,
}

/// A verifier backed by a model (it writes hints; the rules decide).
pub trait ModelVerifier: Send + Sync {
    /// The model's name, recorded in `generator.verifier`.
    fn model(&self) -> &str;
    /// The model's hint for `task` (its raw answer).
    fn hint(&self, task: &VerifyTask, feedback: Option<&str>) -> Result<String, RoleError>;
}

/// The tool maker's task for `made`.
pub fn maker_task(made: &Made, specs: &(impl Specs + ?Sized)) -> MakerTask {
    let first = |s: &str| {
        s.split(". ")
            .next()
            .unwrap_or(s)
            .trim_end_matches('.')
            .to_string()
    };
    let steps = made
        .gold
        .iter()
        .map(|g| {
            let d = specs.spec(&g.name).map(|s| first(&s.description));
            (g.name.clone(), d.unwrap_or_default())
        })
        .collect();
    let props = made
        .tool
        .parameters
        .get("properties")
        .and_then(Value::as_object);
    let parameters = made
        .inputs
        .keys()
        .map(|p| {
            let ty = props
                .and_then(|m| m.get(p))
                .and_then(|s| s.get("type"))
                .and_then(Value::as_str)
                .unwrap_or("string");
            (p.clone(), ty.to_string())
        })
        .collect();
    let result_fields = returns_fields(&made.tool.returns);
    let described: Map<String, Value> = made
        .inputs
        .keys()
        .map(|p| {
            let d = props
                .and_then(|m| m.get(p))
                .and_then(|s| s.get("description"))
                .and_then(Value::as_str)
                .map_or_else(|| crate::phrase::label(p), str::to_string);
            (p.clone(), Value::from(d))
        })
        .collect();
    MakerTask {
        steps,
        parameters,
        draft: json!({"name": made.tool.name, "description": made.tool.description,
            "parameters": described, "returns": result_fields}),
        result_fields,
    }
}

fn returns_fields(returns: &Value) -> Vec<String> {
    returns
        .get("properties")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Whether `name` can name an advanced tool: snake_case, 3 to 64 characters.
fn valid_name(name: &str) -> bool {
    (3..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether a value is specific to a run (an id, a number, a name, a date), not a word of the
/// tools' vocabulary like an enum option (`active`, `video`).
fn specific(t: &str) -> bool {
    t.len() >= 3
        && (t.chars().any(|c| c.is_ascii_digit())
            || t.contains(' ')
            || t.chars().any(char::is_uppercase))
}

/// Whether `text` holds `value` as a whole word (case-insensitive).
fn says(text: &str, value: &str) -> bool {
    let (t, v) = (text.to_lowercase(), value.to_lowercase());
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    t.match_indices(&v)
        .any(|(i, m)| !word(t[..i].chars().next_back()) && !word(t[i + m.len()..].chars().next()))
}

/// Applies a tool maker's answer to `made`'s tool (with the repairs its JSON needed), or says
/// what is wrong: (reason, detail).
pub fn apply_maker_reply(
    made: &Made,
    reply: &str,
    specs: &(impl Specs + ?Sized),
) -> Result<(AdvancedTool, Vec<Repair>), (Reason, String)> {
    let (v, repairs) = hardgen_core::calls::parse_lenient(reply, "tool").map_err(|e| {
        (
            Reason::NotJson,
            format!("the answer is not a JSON object ({e})"),
        )
    })?;
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::trim);
    let name = text("name").unwrap_or_default();
    if !valid_name(name) {
        return Err((
            Reason::BadName,
            format!("`name` must be snake_case, 3 to 64 characters, got `{name}`"),
        ));
    }
    if specs.spec(name).is_some() {
        return Err((
            Reason::BadName,
            format!("`{name}` is the name of an existing tool"),
        ));
    }
    let description = text("description").unwrap_or_default();
    if !(10..=600).contains(&description.len()) {
        return Err((
            Reason::BadDescription,
            "`description` must be one to a few sentences".into(),
        ));
    }
    // The description is the tool's, not this run's: no value of the run in it.
    let run_values: BTreeSet<String> = crate::query::intermediate_values(made)
        .into_iter()
        .chain(made.inputs.values().map(value_text))
        .filter(|t| specific(t))
        .collect();
    if let Some(leak) = run_values.iter().find(|t| says(description, t)) {
        return Err((
            Reason::Leak,
            format!("the description states a value of this run (`{leak}`)"),
        ));
    }
    let given = v.get("parameters").and_then(Value::as_object).ok_or((
        Reason::InputsMismatch,
        "`parameters` must be an object".to_string(),
    ))?;
    let want: BTreeSet<&String> = made.inputs.keys().collect();
    let have: BTreeSet<&String> = given.keys().collect();
    if want != have {
        let missing: Vec<&&String> = want.difference(&have).collect();
        let extra: Vec<&&String> = have.difference(&want).collect();
        return Err((Reason::InputsMismatch,
            format!("`parameters` must be exactly the listed ones (missing {missing:?}, not listed {extra:?})"),
        ));
    }
    let mut schema = made.tool.parameters.clone();
    for (p, d) in given {
        let d = d
            .as_str()
            .or_else(|| d.get("description").and_then(Value::as_str))
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .ok_or((
                Reason::InputsMismatch,
                format!("parameter `{p}` needs a description"),
            ))?;
        if let Some(prop) = schema
            .get_mut("properties")
            .and_then(|m| m.get_mut(p.as_str()))
            .and_then(Value::as_object_mut)
        {
            prop.insert("description".into(), Value::from(d));
        }
    }
    let fields: Vec<String> = v
        .get("returns")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let all = returns_fields(&made.tool.returns);
    if fields.is_empty() || fields.iter().any(|f| !all.contains(f)) {
        return Err((
            Reason::ReturnsMismatch,
            format!(
                "`returns` must list fields of the last call's result ({})",
                all.join(", ")
            ),
        ));
    }
    let mut returns = made.tool.returns.clone();
    if let Some(props) = returns.get_mut("properties").and_then(Value::as_object_mut) {
        props.retain(|k, _| fields.contains(k));
    }
    if let Some(req) = returns.get_mut("required").and_then(Value::as_array_mut) {
        req.retain(|r| r.as_str().is_some_and(|r| fields.iter().any(|f| f == r)));
    }
    Ok((
        AdvancedTool {
            name: name.to_string(),
            description: description.to_string(),
            parameters: schema,
            returns,
            ..made.tool.clone()
        },
        repairs,
    ))
}

/// A schema without its `description`s (what a model may rewrite).
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| k.as_str() != "description")
                .map(|(k, x)| (k.clone(), shape(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        other => other.clone(),
    }
}

/// Whether a model-made advanced tool fits the one its steps give (`signature`): the same
/// parameters and types (descriptions free), returns a subset of the target's result fields
/// with their schemas, and a name that is valid and no primitive tool's.
pub fn conforms(
    tool: &AdvancedTool,
    parameters: &Value,
    returns: &Value,
    specs: &(impl Specs + ?Sized),
) -> bool {
    let props_ok = shape(&tool.parameters) == shape(parameters);
    let want = returns.get("properties").and_then(Value::as_object);
    let have = tool.returns.get("properties").and_then(Value::as_object);
    let returns_ok = match (want, have) {
        (Some(w), Some(h)) => !h.is_empty() && h.iter().all(|(k, s)| w.get(k) == Some(s)),
        _ => false,
    };
    props_ok && returns_ok && valid_name(&tool.name) && specs.spec(&tool.name).is_none()
}

/// Gold values (arguments and result leaves) that the user did not state: a hint must not
/// contain them.
pub fn secret_values(made: &Made, query: &str) -> BTreeSet<String> {
    fn leaves(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => m.values().for_each(|x| leaves(x, out)),
            Value::Array(a) => a.iter().for_each(|x| leaves(x, out)),
            Value::String(_) | Value::Number(_) => {
                out.insert(value_text(v));
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    for g in &made.gold {
        g.arguments.values().for_each(|v| leaves(v, &mut out));
        leaves(&g.result, &mut out);
    }
    out.retain(|t| specific(t) && !says(query, t));
    out
}

/// The hint in a verifier's answer (with the repairs its JSON needed), or what is wrong
/// with it.
pub fn hint_problem(
    reply: &str,
    secrets: &BTreeSet<String>,
) -> Result<(String, Vec<Repair>), String> {
    let (hint, repairs) = match hardgen_core::calls::parse_lenient(reply, "hint") {
        Ok((v, repairs)) => (
            v.get("hint")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_default(),
            repairs,
        ),
        Err(_) => (reply.to_string(), Vec::new()),
    };
    let hint = hint.trim().to_string();
    if hint.is_empty() {
        return Err("the hint is empty".into());
    }
    if hint.len() > 600 {
        return Err("the hint is longer than two sentences".into());
    }
    if let Some(s) = secrets.iter().find(|s| says(&hint, s)) {
        return Err(format!(
            "the hint gives away a value of the solution (`{s}`): say where to find it instead"
        ));
    }
    Ok((hint, repairs))
}

/// A tool maker over an OpenAI-compatible server.
pub struct LlmToolMaker(pub LlmCall);

impl ModelToolMaker for LlmToolMaker {
    fn model(&self) -> &str {
        self.0.model()
    }

    fn describe(&self, task: &MakerTask, feedback: Option<&str>) -> Result<String, RoleError> {
        let steps: Vec<Value> = task
            .steps
            .iter()
            .map(|(n, d)| json!({"name": n, "description": d}))
            .collect();
        let params: Vec<Value> = task
            .parameters
            .iter()
            .map(|(n, t)| json!({"name": n, "type": t}))
            .collect();
        let ctx = json!({"steps": steps, "parameters": params, "result_fields": task.result_fields,
            "draft": task.draft.to_string(), "feedback": feedback});
        let names: Vec<&String> = task.parameters.iter().map(|(n, _)| n).collect();
        let schema = json!({"type": "object", "properties": {
            "name": {"type": "string"}, "description": {"type": "string"},
            "parameters": {"type": "object", "properties": names.iter().map(|n| ((*n).clone(), json!({"type": "string"}))).collect::<Map<String, Value>>(),
                "required": names},
            "returns": {"type": "array", "items": {"type": "string", "enum": task.result_fields}}},
            "required": ["name", "description", "parameters", "returns"]});
        self.0.ask(&ctx, 400, Some(("advanced_tool", schema)))
    }
}

/// A verifier over an OpenAI-compatible server.
pub struct LlmVerifier(pub LlmCall);

impl ModelVerifier for LlmVerifier {
    fn model(&self) -> &str {
        self.0.model()
    }

    fn hint(&self, task: &VerifyTask, feedback: Option<&str>) -> Result<String, RoleError> {
        let draft = json!({"hint": task.findings.join(" ")}).to_string();
        let ctx = json!({"query": task.query, "calls": task.calls, "answer": task.answer,
            "failed": task.failed, "findings": task.findings, "draft": draft, "feedback": feedback});
        let schema = json!({"type": "object", "properties": {"hint": {"type": "string"}},
            "required": ["hint"]});
        self.0.ask(&ctx, 200, Some(("hint", schema)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// No model answer makes the hint reader panic.
        #[test]
        fn any_hint_answer_is_read_or_refused(reply in "\\PC{0,120}") {
            let secrets: BTreeSet<String> = ["CTC-1064".to_string()].into();
            let _ = hint_problem(&reply, &secrets);
        }
    }

    #[test]
    fn names_are_snake_case_and_bounded() {
        assert!(valid_name("archive_group_owner"));
        assert!(!valid_name("Archive"));
        assert!(!valid_name("ab"));
        assert!(!valid_name("with space"));
    }

    #[test]
    fn a_hint_that_gives_a_gold_value_away_is_a_leak() {
        let secrets: BTreeSet<String> = ["CTC-1064".to_string()].into();
        assert!(hint_problem(r#"{"hint": "Look up the owner first."}"#, &secrets).is_ok());
        assert!(hint_problem(r#"{"hint": "Use CTC-1064."}"#, &secrets)
            .expect_err("leak")
            .contains("CTC-1064"));
        assert!(hint_problem("   ", &secrets).is_err());
        assert_eq!(
            hint_problem("Plain text works too.", &secrets).map(|h| h.0),
            Ok("Plain text works too.".to_string())
        );
        let (_, fixed) = hint_problem("{'hint': 'Search first.',}", &secrets).expect("repaired");
        assert!(!fixed.is_empty());
    }
}
