//! What a tool's result schema says about its fields, in words: the item a list holds, the item's
//! own id, and the relation a reference field names ("Contact who manages the group"). Shared by
//! the query writer (to state relations) and the grounding check (to see that they are stated).

use crate::phrase;
use hardgen_core::ToolSpec;
use serde_json::Value;

/// Looks up a tool's spec by name (the world's index, or the tools a record offers).
pub trait Specs {
    /// The spec of `name`.
    fn spec(&self, name: &str) -> Option<&ToolSpec>;
}

impl Specs for crate::pipeline::SpecIndex<'_> {
    fn spec(&self, name: &str) -> Option<&ToolSpec> {
        self.get(name)
    }
}

impl Specs for [std::sync::Arc<ToolSpec>] {
    fn spec(&self, name: &str) -> Option<&ToolSpec> {
        self.iter().find(|s| s.name == name).map(|s| s.as_ref())
    }
}

impl Specs for [ToolSpec] {
    fn spec(&self, name: &str) -> Option<&ToolSpec> {
        self.iter().find(|s| s.name == name)
    }
}

impl Specs for std::collections::BTreeMap<String, ToolSpec> {
    fn spec(&self, name: &str) -> Option<&ToolSpec> {
        self.get(name)
    }
}

/// The schema of the field at `path` (`results[].owner_contact_id`) of a result schema.
pub fn field_schema<'a>(returns: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = returns;
    for seg in path.split('.') {
        let (key, many) = match seg.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (seg, false),
        };
        cur = cur.get("properties")?.get(key)?;
        if many {
            cur = cur.get("items")?;
        }
    }
    Some(cur)
}

/// The list prefix and leaf of a field path: `results[].owner_contact_id` -> (`results[]`, `owner_contact_id`).
pub fn split_path(path: &str) -> (&str, &str) {
    match path.rsplit_once('.') {
        Some((p, l)) => (p, l),
        None => ("", path),
    }
}

/// Schema of the object that holds the field at `path` (the list item, or the result itself).
pub fn item_schema<'a>(returns: &'a Value, path: &str) -> Option<&'a Value> {
    let (prefix, _) = split_path(path);
    if prefix.is_empty() {
        Some(returns)
    } else {
        field_schema(returns, prefix)
    }
}

/// The item's own id field: the first `*_id` property (the world and most APIs list it first).
pub fn own_id(item: &Value) -> Option<&str> {
    let props = item.get("properties")?.as_object()?;
    props
        .iter()
        .find(|(k, v)| {
            hardgen_core::spec::id_stem(k).is_some()
                && v.get("description")
                    .and_then(Value::as_str)
                    .is_none_or(|d| d.starts_with("Id of") || d.starts_with("ID of"))
        })
        .or_else(|| {
            props
                .iter()
                .find(|(k, _)| hardgen_core::spec::id_stem(k).is_some())
        })
        .map(|(k, _)| k.as_str())
}

/// A noun from an id field name: `supply_point_id` -> "supply point"; `owner_contact_id` -> "owner contact".
pub fn id_noun(field: &str) -> String {
    let base = hardgen_core::spec::id_stem(field).unwrap_or(field);
    phrase::label(base)
}

/// The head noun of an item at `path` of `spec`'s result ("group", "supply point").
pub fn item_noun(spec: &ToolSpec, path: &str) -> String {
    let returns = spec.returns.as_ref().unwrap_or(&Value::Null);
    let item = item_schema(returns, path);
    if let Some(id) = item.and_then(own_id) {
        return id_noun(id);
    }
    // A bare `id` "Unique identifier of the ticket": the item is a ticket (BFCL's
    // `get_user_tickets` returns one, not "the user tickets").
    if let Some(noun) = item
        .and_then(|i| i.pointer("/properties/id/description"))
        .and_then(Value::as_str)
        .and_then(described_noun)
    {
        return noun;
    }
    let (_, obj) = phrase::verb_object(&spec.name);
    let obj = obj.trim_start_matches("the ");
    obj.split(" as a ").next().unwrap_or(obj).to_string()
}

/// The noun an id's description names: "Unique identifier of the ticket." -> "ticket", "ID of
/// the retrieved tweet." -> "tweet"; None when it names none in a word or two.
fn described_noun(d: &str) -> Option<String> {
    let lower = d.to_lowercase();
    let at = ["identifier of ", "id of "]
        .iter()
        .find_map(|m| lower.find(m).map(|i| i + m.len()))?;
    let words: Vec<&str> = lower[at..]
        .split(['.', ',', ';'])
        .next()?
        .split_whitespace()
        .skip_while(|w| matches!(*w, "the" | "a" | "an" | "this"))
        .collect();
    // "the newly placed order", "the retrieved tweet": the last word is the noun.
    let noun = match words.as_slice() {
        [n] => n.to_string(),
        [.., n] if words.len() <= 3 => n.to_string(),
        _ => return None,
    };
    noun.chars()
        .all(|c| c.is_ascii_alphabetic())
        .then_some(noun)
}

/// The description of the field at `path` of `spec`'s result.
pub fn field_description<'a>(spec: &'a ToolSpec, path: &str) -> Option<&'a str> {
    field_schema(spec.returns.as_ref()?, path)?
        .get("description")?
        .as_str()
}

/// Whether the field at `path` is the item's own id (the value *is* the item, no relation hop).
pub fn is_own_id(spec: &ToolSpec, path: &str) -> bool {
    let returns = spec.returns.as_ref().unwrap_or(&Value::Null);
    let (_, leaf) = split_path(path);
    item_schema(returns, path)
        .and_then(own_id)
        .is_none_or(|id| id == leaf)
}

/// How a relation field is said: from its description when it reads as "<Noun> who/that ... the
/// <item>" (the clause before the item, e.g. "contact who manages"), else "<label> of".
/// Returns (phrase before the item, whether the item follows directly).
pub fn relation(spec: &ToolSpec, path: &str) -> String {
    let (_, leaf) = split_path(path);
    let noun = item_noun(spec, path);
    if let Some(desc) = field_description(spec, path) {
        let d = desc.trim().trim_end_matches('.');
        let mut lower = lower_first(d);
        let tail = format!(" the {noun}");
        // "... the admin who added this member": "this" is the item the field belongs to.
        if let Some(i) = lower.rfind(" this ") {
            if !lower[i + 6..].contains(' ') {
                lower.replace_range(i.., &tail);
            }
        }
        let relative = [" who ", " that ", " which ", " whose "]
            .iter()
            .any(|w| lower.contains(w));
        if relative && lower.ends_with(&tail) && !lower.contains(',') {
            let rel = &lower[..lower.len() - tail.len()];
            // "stay that is described in" reads "stay described in".
            let rel = match rel.split_once(" that is ") {
                Some((head, rest)) if rest.split(' ').next().is_some_and(|w| w.ends_with("ed")) => {
                    format!("{head} {rest}")
                }
                _ => rel.to_string(),
            };
            // "contact id of the person who owns": the id is not the relation, the person is.
            return match rel.split_once(" id of the ") {
                Some((head, rest)) if !head.contains(' ') => rest.to_string(),
                _ => rel,
            };
        }
    }
    participle_relation(leaf)
        .or_else(|| contact_relation(leaf))
        .unwrap_or_else(|| format!("{} of", id_noun(leaf)))
}

/// The relation of a contact field named by the person's role: "owner_contact_id" is "owner
/// of" ("the owner of the drive X", not "the owner contact of"), "person_contact_id" is
/// "person behind". A role that is no person ("emergency", "duplicate") keeps its label.
fn contact_relation(leaf: &str) -> Option<String> {
    let role = leaf.strip_suffix("_contact_id")?.replace('_', " ");
    if role == "person" {
        return Some("person behind".into());
    }
    let last = role.rsplit(' ').next().unwrap_or(&role);
    is_person_role(last).then(|| format!("{role} of"))
}

/// Whether a word names a person by the part they play ("owner", "applicant", "guest").
pub fn is_person_role(w: &str) -> bool {
    ["er", "or", "ee", "ant", "ent", "ist"]
        .iter()
        .any(|e| w.ends_with(e))
        || matches!(w, "guest" | "member" | "passenger")
}

/// The relation of a field named by a participle ("scheduled_by_conversation_participant_id":
/// "conversation participant that scheduled"; "paid_from_account_id": "account that paid
/// for"; "sent_from_depot_id": "depot used for"),
/// which "the paid from account of the enrollment" says badly.
fn participle_relation(leaf: &str) -> Option<String> {
    let words: Vec<&str> = hardgen_core::spec::id_stem(leaf)?.split('_').collect();
    let [p, prep, rest @ ..] = words.as_slice() else {
        return None;
    };
    let participle = phrase::is_participle(p);
    if rest.is_empty() || !participle {
        return None;
    }
    let noun = rest.join(" ");
    match *prep {
        "by" => Some(format!("{noun} that {p}")),
        "from" if *p == "paid" => Some(format!("{noun} that paid for")),
        "from" => Some(format!("{noun} used for")),
        _ => None,
    }
}

/// Lowercases the first letter unless the first word is an acronym.
pub fn lower_first(s: &str) -> String {
    let first = s.split_whitespace().next().unwrap_or("");
    if first.len() > 1 && first.chars().all(|c| c.is_ascii_uppercase()) {
        return s.to_string();
    }
    phrase::lower_first(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bare_id_names_its_item_by_its_description() {
        assert_eq!(
            described_noun("Unique identifier of the ticket.").as_deref(),
            Some("ticket")
        );
        assert_eq!(
            described_noun("ID of the retrieved tweet.").as_deref(),
            Some("tweet")
        );
        assert_eq!(
            described_noun("ID of the newly placed order.").as_deref(),
            Some("order")
        );
        assert_eq!(described_noun("The ticket's id."), None);
        let spec = ToolSpec {
            read_only: None,
            name: "get_user_tickets".into(),
            description: String::new(),
            domain: "d".into(),
            parameters: json!({"type": "object"}),
            returns: Some(json!({"type": "object", "properties": {
                "id": {"type": "integer", "description": "Unique identifier of the ticket."},
                "title": {"type": "string"}}})),
        };
        assert_eq!(item_noun(&spec, "id"), "ticket");
    }

    #[test]
    fn a_participle_field_names_its_relation_in_words() {
        assert_eq!(
            participle_relation("paid_from_account_id").as_deref(),
            Some("account that paid for")
        );
        assert_eq!(
            participle_relation("sent_from_depot_id").as_deref(),
            Some("depot used for")
        );
        assert_eq!(
            participle_relation("scheduled_by_conversation_participant_id").as_deref(),
            Some("conversation participant that scheduled")
        );
        assert_eq!(participle_relation("holder_contact_id"), None);
        assert_eq!(
            contact_relation("holder_contact_id").as_deref(),
            Some("holder of")
        );
        assert_eq!(
            contact_relation("ticket_holder_contact_id").as_deref(),
            Some("ticket holder of")
        );
        assert_eq!(
            contact_relation("guest_contact_id").as_deref(),
            Some("guest of")
        );
        assert_eq!(
            contact_relation("person_contact_id").as_deref(),
            Some("person behind")
        );
        assert_eq!(contact_relation("emergency_contact_id"), None);
        assert_eq!(contact_relation("duplicate_contact_id"), None);
        assert_eq!(contact_relation("account_id"), None);
        assert_eq!(participle_relation("sent_by_id"), None);
    }

    fn groups() -> ToolSpec {
        ToolSpec {
            read_only: None,
            name: "search_groups".into(),
            description: "Search contact groups.".into(),
            domain: "contacts".into(),
            parameters: json!({"type": "object", "properties": {}}),
            returns: Some(
                json!({"type": "object", "properties": {"results": {"type": "array", "items": {"type": "object", "properties": {
                    "group_id": {"type": "string", "description": "Id of a named group"},
                    "group_name": {"type": "string", "description": "Name of the group"},
                    "owner_contact_id": {"type": "string", "description": "Contact who manages the group"},
                    "tariff_id": {"type": "string", "description": "Tariff the supply is on"}
                }}}}}),
            ),
        }
    }

    #[test]
    fn relations_come_from_field_descriptions() {
        let s = groups();
        assert_eq!(
            relation(&s, "results[].owner_contact_id"),
            "contact who manages"
        );
        assert_eq!(relation(&s, "results[].tariff_id"), "tariff of");
        // The group search with one more id field, described as given.
        let with_field = |name: &str, description: &str| {
            let mut spec = s.clone();
            spec.returns = Some(
                json!({"type": "object", "properties": {"results": {"type": "array", "items": {"type": "object", "properties": {
                "group_id": {"type": "string", "description": "Id of a named group"},
                name: {"type": "string", "description": description}}}}}}),
            );
            spec
        };
        let owned = with_field(
            "owner_contact_id",
            "Contact id of the person who owns the group",
        );
        assert_eq!(
            relation(&owned, "results[].owner_contact_id"),
            "person who owns"
        );
        // "that is" before a participle is left out; before another word it stays.
        let kept = with_field("kept_id", "Contact that is described in the group");
        assert_eq!(relation(&kept, "results[].kept_id"), "contact described in");
        let kept = with_field("kept_id", "Contact that is kept by the group");
        assert_eq!(
            relation(&kept, "results[].kept_id"),
            "contact that is kept by"
        );
        let added = with_field(
            "added_by_group_id",
            "Group of the admin who added this member",
        );
        assert_eq!(
            relation(&added, "results[].added_by_group_id"),
            "group of the admin who added"
        );
        assert_eq!(item_noun(&s, "results[].owner_contact_id"), "group");
        assert!(is_own_id(&s, "results[].group_id"));
        assert!(!is_own_id(&s, "results[].owner_contact_id"));
        assert_eq!(
            field_description(&s, "results[].group_name"),
            Some("Name of the group")
        );
        assert_eq!(split_path("a[].b"), ("a[]", "b"));
        assert_eq!(split_path("b"), ("", "b"));
        assert_eq!(lower_first("IBAN of x"), "IBAN of x");
        assert_eq!(lower_first("Name"), "name");
    }
}
