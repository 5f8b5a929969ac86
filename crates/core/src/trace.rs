//! Traces: executed multi-step call sequences, with the provenance of every argument.

use crate::ToolError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Where an argument value came from: `literal` (from the user / constraints) or
/// `step:<k>:<field path>` (a field of the result of step k).
pub type Provenance = BTreeMap<String, String>;

/// One executed call of a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceCall {
    /// Position in the trace (0-based).
    pub step: usize,
    /// Round the call belongs to (0-based).
    pub round: usize,
    /// Tool name.
    pub name: String,
    /// Arguments as executed.
    pub arguments: Map<String, Value>,
    /// Origin of each argument.
    pub provenance: Provenance,
    /// Earlier steps whose results this call consumes (empty: independent of the trace so far).
    pub depends_on: Vec<usize>,
    /// The tool's result, when it succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// The typed error, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ToolError>,
}

/// A sampled and executed trace over one stateful environment (one or more rounds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Trace id, unique within a run.
    pub id: String,
    /// Environment seed the trace was executed from.
    pub seed: u64,
    /// Target tool of each round.
    pub targets: Vec<String>,
    /// Whether each round's target was called successfully.
    pub reached: Vec<bool>,
    /// All calls, in execution order.
    pub calls: Vec<TraceCall>,
}

/// The provenance of a value supplied directly (by the user or from parameter constraints).
pub const LITERAL: &str = "literal";

/// The provenance string of a value taken from field `path` of step `step`'s result.
pub fn from_step(step: usize, path: &str) -> String {
    format!("step:{step}:{path}")
}

/// Parses `step:<k>:<path>` into (k, path); `None` for `literal` or anything else.
pub fn parse_from_step(p: &str) -> Option<(usize, &str)> {
    let rest = p.strip_prefix("step:")?;
    let (k, path) = rest.split_once(':')?;
    Some((k.parse().ok()?, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance_strings_round_trip() {
        assert_eq!(
            parse_from_step(&from_step(3, "results[].account_id")),
            Some((3, "results[].account_id"))
        );
        assert_eq!(parse_from_step(LITERAL), None);
        assert_eq!(parse_from_step("step:x:y"), None);
    }
}
