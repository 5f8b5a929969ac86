//! The API graph G = (T, D, P): tools with failure weights, prerequisite edges (a result field
//! feeds a required identifier parameter), parameter constraints and value pools. Built from schemas,
//! refined by execution evidence, serialisable and versioned.

use crate::schema::{self, Leaf, Param};
use hardgen_core::trace::parse_from_step;
use hardgen_core::{ToolError, ToolSpec, Trace};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Format version of the serialised graph; bumped when the JSON shape changes.
pub const FORMAT_VERSION: u32 = 1;

/// Thresholds of schema matching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GraphConfig {
    /// Weight of name similarity in an edge score.
    pub name_weight: f64,
    /// Weight of description similarity.
    pub desc_weight: f64,
    /// Added when field and parameter carry the same pattern (the same kind of id).
    pub pattern_bonus: f64,
    /// Subtracted when both carry patterns and they differ (different kinds of id).
    pub pattern_penalty: f64,
    /// Smallest score that makes an edge.
    pub threshold: f64,
    /// Only candidates within this distance of a parameter's best score are kept.
    pub margin: f64,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            name_weight: 0.75,
            desc_weight: 0.25,
            pattern_bonus: 0.3,
            pattern_penalty: 0.6,
            threshold: 0.55,
            margin: 0.45,
        }
    }
}

/// A tool node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Tool name.
    pub name: String,
    /// Domain (may be empty for foreign sets).
    pub domain: String,
    /// Failure weight: the sampler picks targets in proportion to it.
    pub weight: f64,
    /// Observed calls of the tool by agents under evaluation.
    pub calls: u64,
    /// Observed failures among those calls.
    pub failures: u64,
}

/// How an edge was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeSource {
    /// Schema matching.
    Schema,
    /// Seen in execution: a result value reappeared as an argument.
    Provenance,
}

/// A prerequisite edge: field `from_field` of `from`'s result can feed required param `to_param` of `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// Producing tool (node index).
    pub from: usize,
    /// Result field path.
    pub from_field: String,
    /// Consuming tool (node index).
    pub to: usize,
    /// Parameter fed.
    pub to_param: String,
    /// Schema-matching score (1.0 for edges found by provenance).
    pub score: f64,
    /// How the edge was found.
    pub source: EdgeSource,
    /// Times execution confirmed the edge.
    pub evidence: u32,
    /// Times a value taken along the edge was rejected as unknown.
    pub negative: u32,
}

/// What values a parameter accepts (P).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Constraint {
    /// One of these values.
    Enum {
        /// Allowed values.
        values: Vec<Value>,
    },
    /// Integer range.
    Integer {
        /// Lower bound.
        min: Option<f64>,
        /// Upper bound.
        max: Option<f64>,
    },
    /// Number range (`exclusive_min` for `exclusiveMinimum`).
    Number {
        /// Lower bound.
        min: Option<f64>,
        /// Upper bound.
        max: Option<f64>,
        /// Strict lower bound.
        exclusive_min: Option<f64>,
    },
    /// Boolean.
    Boolean,
    /// `YYYY-MM-DD` date within the schema's `formatMinimum`/`formatMaximum` when given.
    Date {
        /// Earliest date accepted.
        min: Option<String>,
        /// Latest date accepted.
        max: Option<String>,
    },
    /// An identifier or token that must come from an earlier result.
    Identifier {
        /// Pattern, if declared.
        pattern: Option<String>,
    },
    /// Free text (values from pools).
    Text {
        /// Pattern, if declared.
        pattern: Option<String>,
    },
}

/// One parameter's constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamConstraint {
    /// Parameter name.
    pub param: String,
    /// Required parameter.
    pub required: bool,
    /// Accepted values.
    pub constraint: Constraint,
}

/// The API graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiGraph {
    /// [`FORMAT_VERSION`] of the JSON shape.
    pub format_version: u32,
    /// Incremented by every update (evidence, weights).
    pub revision: u64,
    /// Matching thresholds used.
    pub config: GraphConfig,
    /// Tools.
    pub nodes: Vec<Node>,
    /// Prerequisite edges.
    pub edges: Vec<Edge>,
    /// Parameter constraints per tool (same order as nodes).
    pub constraints: Vec<Vec<ParamConstraint>>,
    /// Value pools by result field name, gathered from the environment.
    pub pools: BTreeMap<String, Vec<Value>>,
    /// Per tool: groups of parameters of which at least one must be given (`anyOf` of `required`).
    pub any_of: Vec<Vec<String>>,
}

/// A graph file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Not valid JSON or not a graph.
    #[error("graph JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Written by an incompatible version.
    #[error("graph format version {found} is not supported (expected {FORMAT_VERSION})")]
    Version {
        /// Version in the file.
        found: u32,
    },
}

/// A required id that [`ApiGraph::from_specs`] made a plain input (text, or an integer) since
/// no tool returns it: an identifier again once execution shows a result that hands it out.
fn user_given_id(c: &ParamConstraint) -> bool {
    c.required
        && hardgen_core::spec::is_identifier_name(&c.param)
        && matches!(
            c.constraint,
            Constraint::Text { .. } | Constraint::Integer { .. }
        )
}

fn constraint_of(p: &Param) -> Constraint {
    let s = &p.schema;
    // A schema without bounds may state them in words ("between 0 and 1").
    let stated = (s.get("minimum").is_none() && s.get("maximum").is_none())
        .then(|| s.get("description").and_then(Value::as_str))
        .flatten()
        .and_then(hardgen_core::spec::stated_range);
    let num = |k: &str| {
        s.get(k).and_then(Value::as_f64).or(match (k, stated) {
            ("minimum", Some((lo, _))) => Some(lo),
            ("maximum", Some((_, hi))) => Some(hi),
            _ => None,
        })
    };
    if let Some(v) = s.get("enum").and_then(Value::as_array) {
        return Constraint::Enum { values: v.clone() };
    }
    // A closed list the description spells out ("[Enum]: on, off, auto") is the range too.
    if p.ty == "string" {
        let listed = s
            .get("description")
            .and_then(Value::as_str)
            .map(hardgen_core::spec::stated_choices)
            .unwrap_or_default();
        if !listed.is_empty() {
            return Constraint::Enum {
                values: listed.into_iter().map(Value::String).collect(),
            };
        }
    }
    match p.ty.as_str() {
        "integer" if !schema::is_identifier(p) => Constraint::Integer {
            min: num("minimum"),
            max: num("maximum"),
        },
        "number" => Constraint::Number {
            min: num("minimum"),
            max: num("maximum"),
            exclusive_min: num("exclusiveMinimum"),
        },
        "boolean" => Constraint::Boolean,
        _ if schema::is_identifier(p) => Constraint::Identifier {
            pattern: p.pattern.clone(),
        },
        "string"
            if p.pattern.as_deref() == Some("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
                || s.get("format").and_then(Value::as_str) == Some("date") =>
        {
            let (min, max) = hardgen_tools::world::value::date_bounds(s);
            Constraint::Date { min, max }
        }
        _ => Constraint::Text {
            pattern: p.pattern.clone(),
        },
    }
}

/// A parameter's matching signature: (name, description, pattern).
type ParamKey = (String, String, Option<String>);

/// Unique (name, type, pattern, description) of result leaves, with where each occurs.
struct LeafGroup {
    leaf: Leaf,
    at: Vec<(usize, String)>,
}

impl ApiGraph {
    /// Builds the graph from specs alone: edges by schema matching.
    pub fn from_specs(specs: &[ToolSpec], config: GraphConfig) -> ApiGraph {
        let nodes: Vec<Node> = specs
            .iter()
            .map(|s| Node {
                name: s.name.clone(),
                domain: s.domain.clone(),
                weight: 1.0,
                calls: 0,
                failures: 0,
            })
            .collect();
        let params: Vec<Vec<Param>> = specs.iter().map(schema::params).collect();
        // Many tools return the same field (every account-returning tool has `account_id`):
        // score each distinct field once.
        let mut groups: Vec<LeafGroup> = Vec::new();
        let mut index: HashMap<(String, String, Option<String>, String), usize> = HashMap::new();
        for (ti, s) in specs.iter().enumerate() {
            for leaf in s
                .returns
                .as_ref()
                .map(schema::result_leaves)
                .unwrap_or_default()
            {
                let key = (
                    leaf.name.clone(),
                    leaf.ty.clone(),
                    leaf.pattern.clone(),
                    leaf.desc.clone(),
                );
                let gi = *index.entry(key).or_insert_with(|| {
                    groups.push(LeafGroup {
                        leaf: leaf.clone(),
                        at: Vec::new(),
                    });
                    groups.len() - 1
                });
                groups[gi].at.push((ti, leaf.path.clone()));
            }
        }
        // Description words once per field, not once per (parameter, field) pair.
        let group_words: Vec<_> = groups.iter().map(|g| schema::words(&g.leaf.desc)).collect();
        let mut edges = Vec::new();
        let mut score_cache: HashMap<ParamKey, Vec<(usize, f64)>> = HashMap::new();
        for (tj, ps) in params.iter().enumerate() {
            for p in ps.iter().filter(|p| p.required && schema::is_identifier(p)) {
                let key = (p.name.clone(), p.desc.clone(), p.pattern.clone());
                let scored = score_cache
                    .entry(key)
                    .or_insert_with(|| {
                        let pw = schema::words(&p.desc);
                        let mut v: Vec<(usize, f64)> = groups
                            .iter()
                            .enumerate()
                            .filter(|(_, g)| schema::types_compatible(&p.ty, &g.leaf.ty))
                            .map(|(gi, g)| (gi, score(&config, p, &g.leaf, &pw, &group_words[gi])))
                            .filter(|(_, s)| *s >= config.threshold)
                            .collect();
                        let best = v.iter().map(|x| x.1).fold(f64::NEG_INFINITY, f64::max);
                        v.retain(|x| x.1 >= best - config.margin);
                        v
                    })
                    .clone();
                for (gi, sc) in scored {
                    // A bare `id` is the id of what the tool is about: `get_synthetic_location(id)`
                    // takes a location's id, never a host's that happens to be an id too.
                    if !bare_id_fits(&p.name, &p.desc, &specs[tj].name, &groups[gi].leaf.name) {
                        continue;
                    }
                    for (ti, path) in &groups[gi].at {
                        if *ti != tj {
                            edges.push(Edge {
                                from: *ti,
                                from_field: path.clone(),
                                to: tj,
                                to_param: p.name.clone(),
                                score: sc,
                                source: EdgeSource::Schema,
                                evidence: 0,
                                negative: 0,
                            });
                        }
                    }
                }
            }
        }
        edges.sort_by(|a, b| {
            (a.to, &a.to_param, a.from, &a.from_field).cmp(&(
                b.to,
                &b.to_param,
                b.from,
                &b.from_field,
            ))
        });
        // An identifier no tool returns (`client_id`, `refresh_token` of a login) is the
        // user's own to give, like a name: a text input, not a dead end for every tool behind it.
        let produced: HashSet<(usize, &str)> =
            edges.iter().map(|e| (e.to, e.to_param.as_str())).collect();
        let constraints = params
            .iter()
            .enumerate()
            .map(|(t, ps)| {
                ps.iter()
                    .map(|p| ParamConstraint {
                        param: p.name.clone(),
                        required: p.required,
                        constraint: match constraint_of(p) {
                            Constraint::Identifier { pattern }
                                if p.required && !produced.contains(&(t, p.name.as_str())) =>
                            {
                                if p.ty == "integer" {
                                    Constraint::Integer {
                                        min: p.schema.get("minimum").and_then(Value::as_f64),
                                        max: p.schema.get("maximum").and_then(Value::as_f64),
                                    }
                                } else {
                                    Constraint::Text { pattern }
                                }
                            }
                            c => c,
                        },
                    })
                    .collect()
            })
            .collect();
        let any_of = specs
            .iter()
            .map(|s| {
                s.parameters
                    .get("anyOf")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|alt| {
                        alt.get("required")?
                            .as_array()?
                            .first()?
                            .as_str()
                            .map(str::to_string)
                    })
                    .collect()
            })
            .collect();
        ApiGraph {
            format_version: FORMAT_VERSION,
            revision: 0,
            config,
            nodes,
            edges,
            constraints,
            pools: BTreeMap::new(),
            any_of,
        }
    }

    /// Node index of a tool name.
    pub fn node(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// Sets a tool's failure weight (the closed loop calls this); unknown names are ignored.
    pub fn set_weight(&mut self, name: &str, weight: f64) {
        if let Some(i) = self.node(name) {
            self.nodes[i].weight = weight.max(0.0);
            self.revision += 1;
        }
    }

    /// Sets every tool's failure weight to `weight`.
    pub fn set_all_weights(&mut self, weight: f64) {
        for n in &mut self.nodes {
            n.weight = weight.max(0.0);
        }
        self.revision += 1;
    }

    /// Records one agent outcome on a tool; the weight becomes the smoothed failure rate.
    pub fn record_outcome(&mut self, name: &str, failed: bool) {
        if let Some(i) = self.node(name) {
            let n = &mut self.nodes[i];
            n.calls += 1;
            n.failures += u64::from(failed);
            n.weight = (n.failures as f64 + 1.0) / (n.calls as f64 + 2.0);
            self.revision += 1;
        }
    }

    /// Learns from an executed trace: every argument equal to a field of an earlier successful
    /// result is provenance evidence (adding the edge if schema matching missed it); a value taken
    /// along an edge and rejected as not found is negative evidence.
    pub fn observe(&mut self, trace: &Trace) {
        let ids: Vec<Option<usize>> = trace.calls.iter().map(|c| self.node(&c.name)).collect();
        let mut index: HashMap<(usize, String, usize, String), usize> = HashMap::new();
        for (i, e) in self.edges.iter().enumerate() {
            index.insert((e.from, e.from_field.clone(), e.to, e.to_param.clone()), i);
        }
        for (j, call) in trace.calls.iter().enumerate() {
            let Some(tj) = ids[j] else { continue };
            for (param, value) in &call.arguments {
                // Evidence only for identifier-like values: short numbers and enum words recur by chance.
                let is_ident = self.constraints[tj].iter().any(|c| {
                    &c.param == param
                        && (matches!(c.constraint, Constraint::Identifier { .. })
                            || user_given_id(c))
                });
                if !is_ident {
                    continue;
                }
                let recorded = call.provenance.get(param).and_then(|p| parse_from_step(p));
                let mut sources: Vec<(usize, String)> = Vec::new();
                for (k, earlier) in trace.calls[..j].iter().enumerate() {
                    let (Some(res), Some(ti)) = (&earlier.result, ids[k]) else {
                        continue;
                    };
                    if ti == tj {
                        continue;
                    }
                    for leaf in leaf_paths(res) {
                        if schema::values_at(res, &leaf).contains(&value) {
                            sources.push((ti, leaf));
                        }
                    }
                }
                // A tool that says it cannot find the value (typed, or in an external tool's
                // own words) is evidence against the link that supplied it.
                let rejected = match (&call.error, value.as_str()) {
                    (Some(ToolError::NotFound { id, .. }), Some(v)) => id == v,
                    (Some(ToolError::Failed { message }), Some(v)) => {
                        message.contains(v) && says_not_found(message)
                    }
                    _ => false,
                };
                for (ti, path) in sources {
                    let key = (ti, path.clone(), tj, param.clone());
                    let ei = match index.get(&key) {
                        Some(&ei) => ei,
                        None if !rejected => {
                            self.edges.push(Edge {
                                from: ti,
                                from_field: path,
                                to: tj,
                                to_param: param.clone(),
                                score: 1.0,
                                source: EdgeSource::Provenance,
                                evidence: 0,
                                negative: 0,
                            });
                            index.insert(key, self.edges.len() - 1);
                            // Now produced: an identifier that comes from results again.
                            for c in self.constraints[tj].iter_mut() {
                                if &c.param == param && user_given_id(c) {
                                    let pattern = match &c.constraint {
                                        Constraint::Text { pattern } => pattern.clone(),
                                        _ => None,
                                    };
                                    c.constraint = Constraint::Identifier { pattern };
                                }
                            }
                            self.edges.len() - 1
                        }
                        None => continue,
                    };
                    if rejected {
                        self.edges[ei].negative += 1;
                    } else {
                        self.edges[ei].evidence += 1;
                    }
                }
                if rejected {
                    if let Some((k, path)) = recorded {
                        if let Some(ti) = ids.get(k).copied().flatten() {
                            if let Some(&ei) = index.get(&(ti, path.to_string(), tj, param.clone()))
                            {
                                self.edges[ei].negative += 1;
                            }
                        }
                    }
                }
            }
        }
        self.revision += 1;
    }

    /// Serialises to JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a graph written by [`ApiGraph::to_json`].
    pub fn from_json(text: &str) -> Result<ApiGraph, GraphError> {
        let v: Value = serde_json::from_str(text)?;
        let found = v.get("format_version").and_then(Value::as_u64).unwrap_or(0) as u32;
        if found != FORMAT_VERSION {
            return Err(GraphError::Version { found });
        }
        Ok(serde_json::from_value(v)?)
    }
}

/// Every scalar path of a concrete JSON value, with `[]` for arrays (deduplicated).
fn leaf_paths(v: &Value) -> Vec<String> {
    fn go(v: &Value, path: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    go(x, &p, out);
                }
            }
            Value::Array(a) => {
                for x in a {
                    go(x, &format!("{path}[]"), out);
                }
            }
            _ if !path.is_empty() && !out.iter().any(|p| p == path) => out.push(path.to_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    go(v, "", &mut out);
    out
}

/// Whether a result field may feed parameter `param` of tool `tool`: always, unless the
/// parameter is a bare `id`, which takes only the id of a kind the tool's name or the
/// parameter's description names (`host_id` feeds `get_host(id)`, not `get_location(id)`).
fn bare_id_fits(param: &str, param_desc: &str, tool: &str, field: &str) -> bool {
    if !param.eq_ignore_ascii_case("id") {
        return true;
    }
    let Some(stem) = hardgen_core::spec::id_stem(field) else {
        // A bare `id` field: the producer's own item, nothing to tell apart by name.
        return true;
    };
    let kind = name_words(stem).pop().unwrap_or_default();
    let mut said = name_words(tool);
    said.extend(name_words(param_desc));
    said.iter()
        .any(|w| *w == kind || w.strip_suffix('s') == Some(kind.as_str()))
}

/// Lowercase words of a snake_case, camelCase or dotted name (or of a sentence).
pub(crate) fn name_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in s.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether an external tool's error text says that something does not exist (`no booking has
/// the id 'BKG-9'`, `file not found`), not that it is in the wrong state.
fn says_not_found(message: &str) -> bool {
    let m = message.to_lowercase();
    [
        "not found",
        "no such",
        "does not exist",
        "doesn't exist",
        "not exist",
        "unknown",
        "has the id",
        "no record",
    ]
    .iter()
    .any(|p| m.contains(p))
}

/// Score of a result leaf feeding a parameter; `pw` and `lw` are their description words.
fn score(
    cfg: &GraphConfig,
    p: &Param,
    leaf: &Leaf,
    pw: &HashSet<String>,
    lw: &HashSet<String>,
) -> f64 {
    let mut s = cfg.name_weight * schema::name_similarity(&p.name, &leaf.name)
        + cfg.desc_weight * schema::jaccard(pw, lw);
    match (&p.pattern, &leaf.pattern) {
        (Some(a), Some(b)) if a == b => s += cfg.pattern_bonus,
        (Some(_), Some(_)) => s -= cfg.pattern_penalty,
        _ => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardgen_core::{ToolSpec, TraceCall};
    use serde_json::json;

    fn spec(name: &str, params: Value, returns: Value) -> ToolSpec {
        ToolSpec {
            read_only: None,
            name: name.into(),
            description: String::new(),
            domain: "d".into(),
            parameters: params,
            returns: Some(returns),
        }
    }

    fn call(
        step: usize,
        name: &str,
        args: Value,
        prov: &[(&str, &str)],
        result: Option<Value>,
        error: Option<ToolError>,
    ) -> TraceCall {
        TraceCall {
            step,
            round: 0,
            name: name.into(),
            arguments: args.as_object().cloned().unwrap_or_default(),
            provenance: prov
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            depends_on: vec![],
            result,
            error,
        }
    }

    #[test]
    fn a_bare_id_takes_the_id_of_what_the_tool_is_about() {
        assert!(bare_id_fits("id", "", "get_host_details", "host_id"));
        assert!(bare_id_fits(
            "id",
            "The ID of the host.",
            "fetch_one",
            "hostId"
        ));
        assert!(bare_id_fits(
            "id",
            "",
            "SyntheticSettingsApi.get_synthetic_location",
            "locationId"
        ));
        assert!(!bare_id_fits(
            "id",
            "The location ID.",
            "SyntheticSettingsApi.get_synthetic_location",
            "host_id"
        ));
        // Named parameters are scored as before.
        assert!(bare_id_fits("order_id", "", "get_location", "host_id"));
        let specs = vec![
            spec(
                "list_hosts",
                json!({"type": "object", "properties": {}}),
                json!({"type": "object", "properties": {"results": {"type": "array", "items": {"type": "object", "properties": {"host_id": {"type": "string"}}}}}}),
            ),
            spec(
                "get_location",
                json!({"type": "object", "properties": {"id": {"type": "string", "description": "Location ID"}}, "required": ["id"]}),
                json!({"type": "object", "properties": {"name": {"type": "string"}}}),
            ),
            spec(
                "get_host",
                json!({"type": "object", "properties": {"id": {"type": "string", "description": "Host ID"}}, "required": ["id"]}),
                json!({"type": "object", "properties": {"name": {"type": "string"}}}),
            ),
        ];
        let g = ApiGraph::from_specs(&specs, GraphConfig::default());
        let fed: Vec<&str> = g
            .edges
            .iter()
            .map(|e| g.nodes[e.to].name.as_str())
            .collect();
        assert_eq!(fed, ["get_host"]);
    }

    #[test]
    fn ranges_and_closed_lists_said_in_descriptions_constrain_the_parameter() {
        let specs = vec![spec(
            "drive",
            json!({"type": "object", "properties": {
                "pedal": {"type": "number", "description": "Between 0 (not pressed) and 1 (fully pressed)."},
                "priority": {"type": "integer", "description": "Priority, from 1 to 5."},
                "mode": {"type": "string", "description": "The mode. [Enum]: [\"on\", \"off\", \"auto\"]"},
                "cap": {"type": "integer", "minimum": 3, "description": "Between 0 and 9."},
                "note": {"type": "string", "description": "Free text."}},
                "required": ["pedal", "priority", "mode", "cap", "note"]}),
            json!({"type": "object"}),
        )];
        let g = ApiGraph::from_specs(&specs, GraphConfig::default());
        let c = |p: &str| {
            g.constraints[0]
                .iter()
                .find(|c| c.param == p)
                .map(|c| c.constraint.clone())
        };
        assert!(matches!(
            c("pedal"),
            Some(Constraint::Number {
                min: Some(0.0),
                max: Some(1.0),
                ..
            })
        ));
        assert!(matches!(
            c("priority"),
            Some(Constraint::Integer {
                min: Some(1.0),
                max: Some(5.0)
            })
        ));
        assert_eq!(
            c("mode"),
            Some(Constraint::Enum {
                values: vec![json!("on"), json!("off"), json!("auto")]
            })
        );
        // A schema bound wins over words: the words are not read at all then.
        assert!(matches!(
            c("cap"),
            Some(Constraint::Integer {
                min: Some(3.0),
                max: None
            })
        ));
        assert!(matches!(c("note"), Some(Constraint::Text { .. })));
    }

    #[test]
    fn integer_ids_link_and_an_id_no_tool_returns_is_the_users_to_give() {
        let specs = vec![
            spec(
                "login",
                json!({"type": "object", "properties": {"client_id": {"type": "string"}},
                    "required": ["client_id"]}),
                json!({"type": "object", "properties": {"access_token": {"type": "string"}}}),
            ),
            spec(
                "place_order",
                json!({"type": "object", "properties": {"access_token": {"type": "string"}},
                    "required": ["access_token"]}),
                json!({"type": "object", "properties": {"order_id": {"type": "integer"}}}),
            ),
            spec(
                "get_order",
                json!({"type": "object", "properties": {"order_id": {"type": "integer"},
                    "note_id": {"type": "string"}}, "required": ["order_id"]}),
                json!({"type": "object"}),
            ),
        ];
        let g = ApiGraph::from_specs(&specs, GraphConfig::default());
        let kind = |t: usize, p: &str| {
            g.constraints[t]
                .iter()
                .find(|c| c.param == p)
                .map(|c| c.constraint.clone())
        };
        assert!(matches!(
            kind(0, "client_id"),
            Some(Constraint::Text { .. })
        ));
        assert!(matches!(
            kind(1, "access_token"),
            Some(Constraint::Identifier { .. })
        ));
        assert!(matches!(
            kind(2, "order_id"),
            Some(Constraint::Identifier { .. })
        ));
        // Optional ids get no edges and stay identifiers: nothing fills them by guessing.
        assert!(matches!(
            kind(2, "note_id"),
            Some(Constraint::Identifier { .. })
        ));
        assert!(g
            .edges
            .iter()
            .any(|e| e.from == 1 && e.to == 2 && e.to_param == "order_id"));
    }

    #[test]
    fn an_integer_id_no_schema_matched_links_once_a_result_hands_it_out() {
        let specs = vec![
            spec(
                "make",
                json!({"type": "object", "properties": {}}),
                json!({"type": "object", "properties": {"number": {"type": "integer"}}}),
            ),
            spec(
                "use",
                json!({"type": "object", "properties": {"ticket_id": {"type": "integer"}}, "required": ["ticket_id"]}),
                json!({"type": "object"}),
            ),
        ];
        let mut g = ApiGraph::from_specs(&specs, GraphConfig::default());
        assert!(matches!(
            g.constraints[1][0].constraint,
            Constraint::Integer { .. }
        ));
        g.observe(&Trace {
            id: "t".into(),
            seed: 0,
            targets: vec!["use".into()],
            reached: vec![true],
            calls: vec![
                call(
                    0,
                    "make",
                    json!({}),
                    &[],
                    Some(json!({"number": 4021})),
                    None,
                ),
                call(
                    1,
                    "use",
                    json!({"ticket_id": 4021}),
                    &[],
                    Some(json!({})),
                    None,
                ),
            ],
        });
        assert_eq!(g.edges.len(), 1);
        assert!(matches!(
            g.constraints[1][0].constraint,
            Constraint::Identifier { .. }
        ));
    }

    #[test]
    fn execution_adds_and_weakens_edges_and_bumps_the_revision() {
        // `ref` and `handle_id` do not look alike: schema matching finds no edge.
        let specs = vec![
            spec(
                "make",
                json!({"type": "object", "properties": {}}),
                json!({"type": "object", "properties": {"ref": {"type": "string"}}}),
            ),
            spec(
                "use",
                json!({"type": "object", "properties": {"handle_id": {"type": "string"}}, "required": ["handle_id"]}),
                json!({"type": "object"}),
            ),
        ];
        let mut g = ApiGraph::from_specs(&specs, GraphConfig::default());
        assert!(g.edges.is_empty());
        let t = Trace {
            id: "t".into(),
            seed: 0,
            targets: vec!["use".into()],
            reached: vec![true],
            calls: vec![
                call(0, "make", json!({}), &[], Some(json!({"ref": "H-7"})), None),
                call(
                    1,
                    "use",
                    json!({"handle_id": "H-7"}),
                    &[("handle_id", "literal")],
                    Some(json!({})),
                    None,
                ),
            ],
        };
        g.observe(&t);
        assert_eq!(g.edges.len(), 1);
        assert!(matches!(
            g.constraints[1][0].constraint,
            Constraint::Identifier { .. }
        ));
        assert_eq!(
            (
                g.edges[0].source,
                g.edges[0].evidence,
                g.edges[0].from_field.as_str()
            ),
            (EdgeSource::Provenance, 1, "ref")
        );
        assert_eq!(g.revision, 1);
        // The same value rejected as unknown: negative evidence on that edge.
        let mut bad = t.clone();
        bad.calls[1].result = None;
        bad.calls[1].error = Some(ToolError::NotFound {
            what: "handle".into(),
            id: "H-7".into(),
        });
        bad.calls[1]
            .provenance
            .insert("handle_id".into(), "step:0:ref".into());
        g.observe(&bad);
        assert!(g.edges[0].negative >= 1);
        // An external tool says the same in its own words; a state complaint naming the value
        // is no evidence against the link.
        let before = g.edges[0].negative;
        for (message, counts) in [
            ("no handle has the id 'H-7'", true),
            ("Handle H-7 not found", true),
            ("handle H-7 is already in use", false),
        ] {
            let mut said = bad.clone();
            said.calls[1].error = Some(ToolError::Failed {
                message: message.into(),
            });
            let n = g.edges[0].negative;
            g.observe(&said);
            assert_eq!(g.edges[0].negative > n, counts, "{message}");
        }
        assert!(g.edges[0].negative >= before + 2);
        // Weights follow observed failures; the graph survives a JSON round trip.
        g.record_outcome("use", true);
        g.record_outcome("use", true);
        g.record_outcome("make", false);
        assert!(g.nodes[1].weight > g.nodes[0].weight);
        let back = ApiGraph::from_json(&g.to_json()).expect("round trip");
        assert_eq!(back, g);
        let mut v: Value = serde_json::from_str(&g.to_json()).expect("json");
        v["format_version"] = json!(99);
        assert!(matches!(
            ApiGraph::from_json(&v.to_string()),
            Err(GraphError::Version { found: 99 })
        ));
    }
}
