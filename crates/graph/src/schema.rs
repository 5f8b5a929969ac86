//! Reading tool schemas for graph building: result leaves (field paths), parameter facts, and
//! the similarity of a result field to a parameter.

use serde_json::Value;
use std::collections::HashSet;

/// A scalar field of a result schema, addressed by a path such as `results[].account_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    /// Path from the result root (`a.b`, `list[].c`).
    pub path: String,
    /// Last path segment (`account_id`).
    pub name: String,
    /// JSON Schema type (`string`, `number`, ...; empty when unknown).
    pub ty: String,
    /// Regex pattern, if any.
    pub pattern: Option<String>,
    /// Description, if any.
    pub desc: String,
}

/// Scalar leaves of a result schema.
pub fn result_leaves(schema: &Value) -> Vec<Leaf> {
    let mut out = Vec::new();
    walk(schema, "", "", &mut out);
    out
}

fn walk(s: &Value, path: &str, name: &str, out: &mut Vec<Leaf>) {
    let ty = s.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "object" => {
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(v, &p, k, out);
                }
            }
        }
        "array" => {
            if let Some(items) = s.get("items") {
                walk(items, &format!("{path}[]"), name, out);
            }
        }
        _ if !path.is_empty() => out.push(Leaf {
            path: path.to_string(),
            name: name.to_string(),
            ty: ty.to_string(),
            pattern: s.get("pattern").and_then(Value::as_str).map(str::to_string),
            desc: s
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        }),
        _ => {}
    }
}

/// Values found at `path` in a result (`[]` walks every array item).
pub fn values_at<'a>(v: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    walk_path(v, path, &mut out);
    out
}

fn walk_path<'a>(v: &'a Value, path: &str, out: &mut Vec<&'a Value>) {
    let (seg, rest) = match path.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (path, None),
    };
    let (key, many) = match seg.strip_suffix("[]") {
        Some(k) => (k, true),
        None => (seg, false),
    };
    // Result objects are small: a scan beats hashing the key (this is the sampler's hot path).
    let Some(x) = v
        .as_object()
        .and_then(|m| m.iter().find(|(k, _)| k.as_str() == key).map(|(_, x)| x))
    else {
        return;
    };
    let mut visit = |x: &'a Value| match rest {
        Some(r) => walk_path(x, r, out),
        None if !x.is_null() && !x.is_array() && !x.is_object() => out.push(x),
        None => {}
    };
    if many {
        for item in x.as_array().into_iter().flatten() {
            visit(item);
        }
    } else {
        visit(x);
    }
}

/// Facts about one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name.
    pub name: String,
    /// JSON Schema type.
    pub ty: String,
    /// Regex pattern, if any.
    pub pattern: Option<String>,
    /// Description.
    pub desc: String,
    /// Required.
    pub required: bool,
    /// The full schema (for enum/range).
    pub schema: Value,
}

/// Top-level parameters of a tool spec.
pub fn params(spec: &hardgen_core::ToolSpec) -> Vec<Param> {
    let required: HashSet<&str> = spec.required_params().collect();
    spec.params()
        .map(|(name, s)| Param {
            name: name.to_string(),
            ty: s
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            pattern: s.get("pattern").and_then(Value::as_str).map(str::to_string),
            desc: s
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            required: required.contains(name),
            schema: s.clone(),
        })
        .collect()
}

/// The field a range bound is on (`min_size_mb` and `max_size_mb` -> `size_mb`, `opened_from`
/// -> `opened`), or None for a parameter that is no bound.
pub fn bound_base(param: &str) -> Option<&str> {
    param
        .strip_prefix("min_")
        .or_else(|| param.strip_prefix("max_"))
        .or_else(|| {
            ["_from", "_to", "_since", "_until", "_after", "_before"]
                .iter()
                .find_map(|s| param.strip_suffix(s))
        })
}

/// Whether a parameter names something a user cannot know and must obtain from a tool: an id,
/// a token, a handle or key (names, cities and dates are literal inputs instead).
pub fn is_identifier(p: &Param) -> bool {
    // Integer ids too: BFCL's ticket and order APIs number their items (`ticket_id: integer`).
    if !matches!(p.ty.as_str(), "string" | "integer") || p.schema.get("enum").is_some() {
        return false;
    }
    hardgen_core::spec::is_identifier_name(&p.name)
}

/// The content words of a description (lowercase, no stop words), as [`desc_similarity`] compares them.
pub fn words(s: &str) -> HashSet<String> {
    const STOP: &[&str] = &[
        "the", "of", "a", "an", "to", "for", "and", "or", "in", "on", "by", "is", "this", "that",
        "id",
    ];
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() > 1)
        .map(str::to_ascii_lowercase)
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect()
}

/// Overlap of two word sets in 0..1 (the Dice coefficient of [`desc_similarity`]).
pub fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let inter = a.intersection(b).count() as f64;
    inter / (a.len() + b.len()) as f64 * 2.0 // Dice coefficient: kinder to short names
}

/// Name similarity in 0..1: equal names 1.0; one is the other with a role prefix
/// (`from_account_id` / `account_id`) 0.9; otherwise word overlap.
pub fn name_similarity(param: &str, field: &str) -> f64 {
    let (p, f) = (param.to_ascii_lowercase(), field.to_ascii_lowercase());
    if p == f {
        return 1.0;
    }
    if p.ends_with(&format!("_{f}")) || f.ends_with(&format!("_{p}")) {
        return 0.9;
    }
    // Two roles of the same kind of id: `holder_contact_id` / `member_contact_id`.
    let noun = |s: &str| {
        s.strip_suffix("_id")
            .and_then(|r| r.rsplit('_').next())
            .map(str::to_string)
    };
    if let (Some(a), Some(b)) = (noun(&p), noun(&f)) {
        if a == b {
            return 0.85;
        }
    }
    0.7 * jaccard(&words(&p.replace('_', " ")), &words(&f.replace('_', " ")))
}

/// Description similarity in 0..1 (word overlap).
pub fn desc_similarity(a: &str, b: &str) -> f64 {
    jaccard(&words(a), &words(b))
}

/// Type compatibility of a result leaf with a parameter.
pub fn types_compatible(param: &str, leaf: &str) -> bool {
    param == leaf
        || matches!((param, leaf), ("number", "integer"))
        || param.is_empty()
        || leaf.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bound_names_the_field_it_bounds() {
        assert_eq!(bound_base("min_size_mb"), Some("size_mb"));
        assert_eq!(bound_base("max_unit_price"), Some("unit_price"));
        assert_eq!(bound_base("slot_date_from"), Some("slot_date"));
        assert_eq!(bound_base("opened_before"), Some("opened"));
        assert_eq!(bound_base("city"), None);
        assert_eq!(bound_base("minutes"), None);
    }

    #[test]
    fn leaves_and_values_follow_paths() {
        let s = json!({"type": "object", "properties": {
            "results": {"type": "array", "items": {"type": "object", "properties": {"flight_id": {"type": "string", "pattern": "^F"}}}},
            "count": {"type": "integer"}}});
        let l = result_leaves(&s);
        assert_eq!(
            l.iter().map(|x| x.path.as_str()).collect::<Vec<_>>(),
            vec!["results[].flight_id", "count"]
        );
        assert_eq!(l[0].name, "flight_id");
        let v = json!({"results": [{"flight_id": "F1"}, {"flight_id": "F2"}], "count": 2});
        assert_eq!(
            values_at(&v, "results[].flight_id"),
            vec![&json!("F1"), &json!("F2")]
        );
        assert_eq!(values_at(&v, "count"), vec![&json!(2)]);
        assert!(values_at(&v, "nothing.here").is_empty());
    }

    #[test]
    fn names_compare_by_role_and_words() {
        assert_eq!(name_similarity("account_id", "account_id"), 1.0);
        assert_eq!(name_similarity("from_account_id", "account_id"), 0.9);
        assert!(name_similarity("payee_id", "payee_iban") < 0.5);
        assert!(name_similarity("account_id", "holder_contact_id") < 0.3);
        assert_eq!(
            name_similarity("holder_contact_id", "member_contact_id"),
            0.85
        );
    }
}
