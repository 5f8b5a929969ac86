//! Scoring a schema-built graph against an environment's declared true dependencies.

use crate::graph::ApiGraph;
use hardgen_tools::world::Dependency;
use serde::Serialize;
use std::collections::BTreeSet;

/// Precision and recall of graph edges against true dependency edges (required params only,
/// compared at field level: producer tool, result field path, consumer tool, parameter).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EdgeScore {
    /// Share of graph edges that are true.
    pub precision: f64,
    /// Share of true edges the graph has.
    pub recall: f64,
    /// Graph edges compared.
    pub predicted: usize,
    /// True edges compared.
    pub actual: usize,
}

/// Scores `graph` against `truth`. An edge that execution refuted and never confirmed (a value
/// it supplied was not found, and no value it supplied was ever accepted) does not count; one
/// confirmation outweighs refutations, which can come from state (a deleted item).
pub fn score_edges(graph: &ApiGraph, truth: &[Dependency]) -> EdgeScore {
    let pred: BTreeSet<(String, String, String, String)> = graph
        .edges
        .iter()
        .filter(|e| e.evidence > 0 || e.negative == 0)
        .map(|e| {
            (
                graph.nodes[e.from].name.clone(),
                e.from_field.clone(),
                graph.nodes[e.to].name.clone(),
                e.to_param.clone(),
            )
        })
        .collect();
    let actual: BTreeSet<(String, String, String, String)> = truth
        .iter()
        .filter(|d| d.required)
        .map(|d| {
            (
                d.from_tool.clone(),
                d.from_field.clone(),
                d.to_tool.clone(),
                d.to_param.clone(),
            )
        })
        .collect();
    let hit = pred.intersection(&actual).count() as f64;
    EdgeScore {
        precision: if pred.is_empty() {
            0.0
        } else {
            hit / pred.len() as f64
        },
        recall: if actual.is_empty() {
            0.0
        } else {
            hit / actual.len() as f64
        },
        predicted: pred.len(),
        actual: actual.len(),
    }
}

/// Edges in one set and not the other, for diagnosis: (false positives, false negatives).
pub fn edge_diff(graph: &ApiGraph, truth: &[Dependency]) -> (Vec<String>, Vec<String>) {
    let fmt = |a: &str, f: &str, b: &str, p: &str| format!("{a}.{f} -> {b}.{p}");
    let pred: BTreeSet<String> = graph
        .edges
        .iter()
        .map(|e| {
            fmt(
                &graph.nodes[e.from].name,
                &e.from_field,
                &graph.nodes[e.to].name,
                &e.to_param,
            )
        })
        .collect();
    let actual: BTreeSet<String> = truth
        .iter()
        .filter(|d| d.required)
        .map(|d| fmt(&d.from_tool, &d.from_field, &d.to_tool, &d.to_param))
        .collect();
    (
        pred.difference(&actual).cloned().collect(),
        actual.difference(&pred).cloned().collect(),
    )
}
