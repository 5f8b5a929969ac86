//! Types and small helpers every stage shares (the item a round becomes, how a value reads, which
//! tool verbs only read, spec lookup): a leaf module, so the stage modules need not import
//! each other for them.

use hardgen_core::record::GoldCall;
use hardgen_core::{AdvancedTool, ToolSpec};
use hardgen_tools::WorldDef;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A round made into gold calls plus an advanced tool.
#[derive(Debug, Clone, PartialEq)]
pub struct Made {
    /// The composite tool.
    pub tool: AdvancedTool,
    /// The gold calls (re-numbered 0..).
    pub gold: Vec<GoldCall>,
    /// External input values by advanced-tool parameter.
    pub inputs: Map<String, Value>,
    /// Inputs whose values come from earlier rounds' results (already in the conversation).
    pub context_inputs: BTreeSet<String>,
    /// Inputs that say which list item to use.
    pub selectors: BTreeSet<String>,
    /// For each context input: the earlier call (trace index) and result path it came from.
    pub context_refs: BTreeMap<String, (usize, String)>,
    /// Indexes of the trace calls the gold consists of.
    pub trace_steps: Vec<usize>,
}

/// The text of a value as it appears in a query.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        // Lists and records in words, not JSON: "name Ana Silva, observations tea and cake".
        // Order lines ("2 x Margherita and 1 x Salad"): said as a person writes them.
        Value::Array(a) if !a.is_empty() && a.iter().all(|x| counted_line(x).is_some()) => {
            crate::phrase::join_and(a.iter().filter_map(counted_line).collect())
        }
        Value::Array(a) if a.iter().all(Value::is_object) && !a.is_empty() => {
            a.iter().map(value_text).collect::<Vec<_>>().join("; ")
        }
        Value::Array(a) => crate::phrase::join_and(a.iter().map(value_text).collect()),
        Value::Object(m) => counted_line(v)
            .or_else(|| dated_code(v))
            .unwrap_or_else(|| record_text(m)),
        other => other.to_string(),
    }
}

/// A record's fields in words: "name Ana Silva, observations tea and cake"; a person by name
/// first, "Lina Aoki, born 1995-02-10" (not "first name Lina, last name Aoki, dob ...").
fn record_text(m: &serde_json::Map<String, Value>) -> String {
    let name = full_name(m);
    let named = name.is_some();
    let fields = m.iter().filter(|(k, x)| {
        let name_part = named && matches!(k.as_str(), "first_name" | "last_name");
        !x.is_null() && !name_part
    });
    name.into_iter()
        .chain(fields.map(|(k, x)| {
            let born = matches!(
                k.as_str(),
                "dob" | "date_of_birth" | "birth_date" | "birthdate"
            );
            if named && born {
                return format!("born {}", value_text(x));
            }
            let l = crate::phrase::label(k);
            match (x, l.strip_prefix("is ")) {
                // A flag in words: "not active", "with auto renew" (not "is active false").
                (Value::Bool(true), Some(rest)) => rest.to_string(),
                (Value::Bool(false), Some(rest)) => format!("not {rest}"),
                (Value::Bool(true), None) => format!("with {l}"),
                (Value::Bool(false), None) => format!("without {l}"),
                // A sentence among the fields is quoted: `description "Call me back."`.
                (Value::String(t), _) if t.contains(' ') && t.ends_with(['.', '?', '!']) => {
                    format!("{l} \"{t}\"")
                }
                _ => format!("{l} {}", value_text(x)),
            }
        }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A person's `first_name` and `last_name` as one name ("Lina Aoki").
fn full_name(m: &serde_json::Map<String, Value>) -> Option<String> {
    let first = m.get("first_name")?.as_str()?;
    let last = m.get("last_name")?.as_str()?;
    Some(format!("{first} {last}"))
}

/// An object of a code and a date (`{"flight_number": "HAT679", "date": "2026-12-01"}`) as a
/// person writes it: "HAT679 on 2026-12-01".
fn dated_code(v: &Value) -> Option<String> {
    let m = v.as_object()?;
    let set: Vec<(&String, &Value)> = m.iter().filter(|(_, x)| !x.is_null()).collect();
    let [(ka, a), (kb, b)] = set.as_slice() else {
        return None;
    };
    let is_date = |k: &str, x: &Value| {
        k.ends_with("date")
            && x.as_str().is_some_and(|s| {
                let b = s.as_bytes();
                b.len() == 10 && b[4] == b'-' && b[7] == b'-'
            })
    };
    let is_code = |x: &Value| {
        x.as_str()
            .is_some_and(|s| !s.contains(' ') && s.bytes().any(|c| c.is_ascii_digit()))
    };
    let (code, date) = if is_date(ka, a) && is_code(b) {
        (b, a)
    } else if is_date(kb, b) && is_code(a) {
        (a, b)
    } else {
        return None;
    };
    Some(format!("{} on {}", value_text(code), value_text(date)))
}

/// An object of one text and one quantity (`{"item": "Margherita", "quantity": 2}`) as an
/// order line: "2 x Margherita".
fn counted_line(v: &Value) -> Option<String> {
    let m = v.as_object()?;
    let set: Vec<(&String, &Value)> = m.iter().filter(|(_, x)| !x.is_null()).collect();
    let [(ka, a), (kb, b)] = set.as_slice() else {
        return None;
    };
    let counted = |k: &str| {
        let k = k.to_ascii_lowercase();
        matches!(k.as_str(), "quantity" | "qty" | "count") || k.ends_with("quantity")
    };
    let (n, what) = match (a, b) {
        (Value::Number(n), Value::String(t)) if counted(ka) => (n, t),
        (Value::String(t), Value::Number(n)) if counted(kb) => (n, t),
        _ => return None,
    };
    Some(format!("{n} x {what}"))
}

/// Tool verbs that only read: their answers report what was found.
pub const READ_VERBS: &[&str] = &[
    "get", "find", "lookup", "look", "read", "search", "list", "count", "total", "average",
    "largest", "smallest", "check", "track", "show", "sum", "compare", "quote", "estimate",
];

/// Whether a tool's name says it only reads: its first word is a [`READ_VERBS`] word, except
/// `check_in_*` and `check_out_*`, which change a stay or a booking.
pub fn reads_by_name(tool: &str) -> bool {
    let verb = crate::phrase::name_verb(tool);
    if !READ_VERBS.contains(&verb.as_str()) {
        return false;
    }
    let checks_in_or_out = verb == "check"
        && matches!(
            crate::phrase::words(tool).get(1).map(String::as_str),
            Some("in" | "out")
        );
    !checks_in_or_out
}

/// Whether a step before a round's last is asked for in the request: it changes something
/// (a request never hides a change) or makes a quote the later steps use; reads and
/// authorizations stay implicit.
pub fn asked_step(tool: &str) -> bool {
    let verb = crate::phrase::name_verb(tool);
    let read = reads_by_name(tool) && verb != "quote";
    !(read || crate::lexicon::grants_access(tool))
}

/// Finds a tool's spec by name.
pub trait SpecLookup {
    /// The spec of a tool name.
    fn spec_by_name(&self, name: &str) -> Option<&ToolSpec>;
    /// Every spec (empty when the lookup cannot list them).
    fn all_specs(&self) -> &[ToolSpec] {
        &[]
    }
}

impl SpecLookup for WorldDef {
    fn spec_by_name(&self, name: &str) -> Option<&ToolSpec> {
        self.by_name.get(name).map(|&i| &self.specs[i])
    }
    fn all_specs(&self) -> &[ToolSpec] {
        &self.specs
    }
}

impl SpecLookup for crate::toolset::ToolSet {
    fn spec_by_name(&self, name: &str) -> Option<&ToolSpec> {
        self.spec(name)
    }
    fn all_specs(&self) -> &[ToolSpec] {
        &self.specs
    }
}

impl<T: SpecLookup + ?Sized> SpecLookup for std::sync::Arc<T> {
    fn spec_by_name(&self, name: &str) -> Option<&ToolSpec> {
        (**self).spec_by_name(name)
    }
    fn all_specs(&self) -> &[ToolSpec] {
        (**self).all_specs()
    }
}

/// Spec lookup by name through the tools' own index.
pub struct SpecIndex<'a>(pub &'a dyn SpecLookup);

impl<'a> SpecIndex<'a> {
    /// The spec of a tool name.
    pub fn get(&self, name: &str) -> Option<&'a ToolSpec> {
        self.0.spec_by_name(name)
    }

    /// Every spec of the tool set.
    pub fn all(&self) -> &'a [ToolSpec] {
        self.0.all_specs()
    }
}

/// Runs one call in the round's world (the reasoner's only access to it).
pub type Exec<'a> = dyn FnMut(
        &str,
        &serde_json::Map<String, serde_json::Value>,
    ) -> Result<serde_json::Value, hardgen_core::ToolError>
    + 'a;

#[cfg(test)]
mod tests {
    use super::{asked_step, reads_by_name, value_text};
    use serde_json::json;

    #[test]
    fn order_lines_read_as_a_person_writes_them() {
        let lines = json!([{"item": "Margherita", "quantity": 2}, {"qty": 1, "name": "Salad"}]);
        assert_eq!(value_text(&lines), "2 x Margherita and 1 x Salad");
        // Anything else is said field by field.
        let other = json!([{"item": "Margherita", "size": "large"}]);
        assert_eq!(value_text(&other), "item Margherita, size large");
        let flags =
            json!({"name": "Ana", "is_active": false, "auto_renew": true, "note": "Call me."});
        assert_eq!(
            value_text(&flags),
            "name Ana, not active, with auto renew, note \"Call me.\"",
            "a flag in words, not 'is active false'"
        );
    }

    #[test]
    fn changes_and_quotes_are_asked_for_reads_and_authorizations_are_not() {
        assert!(asked_step("pay_library_fines"));
        assert!(asked_step("quote_hotel_stay"));
        assert!(asked_step("check_in_flight_booking"));
        assert!(!asked_step("list_card_loans"));
        assert!(!asked_step("authorize_team_manager"));
    }

    #[test]
    fn checking_in_or_out_changes_something() {
        assert!(reads_by_name("check_status"));
        assert!(reads_by_name("list_card_loans"));
        assert!(!reads_by_name("check_out_hotel_stay"));
        assert!(!reads_by_name("check_in_flight_booking"));
        assert!(!reads_by_name("cancel_class_booking"));
    }
}
