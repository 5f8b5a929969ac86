//! Spec lint: problems that make a tool hard for a model to use, each with its JSON path.

use super::Imported;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// What a lint finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Description empty, under four words, or just the name.
    VagueDescription,
    /// A parameter schema with no `type` (nor `anyOf`/`oneOf`/`allOf`/`enum`).
    MissingType,
    /// A parameter with no `description`.
    MissingParamDescription,
    /// The tool has no `returns` schema.
    MissingReturns,
    /// Another tool earlier in the file has the same name.
    DuplicateName,
    /// `required` names a parameter that is not in `properties`.
    RequiredNotInProperties,
    /// A type name the importer did not know and read as `string`.
    UnknownType,
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Tool name (empty when the finding was made before the tool was read).
    pub tool: String,
    /// JSON path of the offending value in the source.
    pub path: String,
    /// What kind of problem it is.
    pub kind: FindingKind,
    /// Human-readable detail.
    pub message: String,
}

/// Findings for imported tools, in tool order.
pub fn lint(items: &[Imported]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut first: HashMap<&str, &str> = HashMap::new();
    for it in items {
        let s = &it.spec;
        let push = |out: &mut Vec<Finding>, path: String, kind, message: String| {
            out.push(Finding {
                tool: s.name.clone(),
                path,
                kind,
                message,
            })
        };
        if let Some(prev) = first.get(s.name.as_str()) {
            push(
                &mut out,
                format!("{}.name", it.path),
                FindingKind::DuplicateName,
                format!("duplicate tool name {:?} (first at {prev})", s.name),
            );
        } else {
            first.insert(&s.name, &it.path);
        }
        if let Some(why) = vague(&s.name, &s.description) {
            push(
                &mut out,
                format!("{}.description", it.path),
                FindingKind::VagueDescription,
                why.to_string(),
            );
        }
        for (p, schema) in s.params() {
            let typed = ["type", "anyOf", "oneOf", "allOf", "enum", "const"]
                .iter()
                .any(|k| schema.get(k).is_some());
            if !typed {
                push(
                    &mut out,
                    it.param_path(p),
                    FindingKind::MissingType,
                    format!("parameter {p:?} has no type"),
                );
            }
            let described = schema
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.trim().is_empty());
            if !described {
                push(
                    &mut out,
                    it.param_path(p),
                    FindingKind::MissingParamDescription,
                    format!("parameter {p:?} has no description"),
                );
            }
        }
        if s.returns.is_none() {
            push(
                &mut out,
                format!("{}.returns", it.path),
                FindingKind::MissingReturns,
                "no `returns` schema: chains cannot use its result".to_string(),
            );
        }
    }
    out
}

/// Why a description is too vague to choose the tool by, if it is.
fn vague(name: &str, description: &str) -> Option<&'static str> {
    let d = description.trim();
    let words = d.split_whitespace().count();
    // `get_weather` and "Get weather" say the same thing.
    let plain = |s: &str| {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    if d.is_empty() {
        Some("empty description")
    } else if plain(d) == plain(name) {
        Some("description only repeats the name")
    } else if words < 4 {
        Some("description is under four words")
    } else {
        None
    }
}
