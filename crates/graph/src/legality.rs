//! Checking a trace against the graph: every identifier argument came from an earlier result
//! along a graph edge, and every literal argument satisfies its constraint.

use crate::graph::{ApiGraph, Constraint};
use crate::schema::values_at;
use hardgen_core::trace::parse_from_step;
use hardgen_core::{ToolError, Trace};

/// Why a trace is not legal: the step and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("step {step} ({tool}): {reason}")]
pub struct Illegal {
    /// Step index.
    pub step: usize,
    /// Tool name.
    pub tool: String,
    /// What is wrong.
    pub reason: String,
}

/// Checks legality of every call of `trace` under `graph`.
pub fn check_legal(graph: &ApiGraph, trace: &Trace) -> Result<(), Illegal> {
    for (j, call) in trace.calls.iter().enumerate() {
        let bad = |reason: String| Illegal {
            step: j,
            tool: call.name.clone(),
            reason,
        };
        let t = graph
            .node(&call.name)
            .ok_or_else(|| bad("tool is not in the graph".into()))?;
        if matches!(call.error, Some(ToolError::InvalidArguments { .. })) {
            return Err(bad("the environment rejected the arguments".into()));
        }
        for c in &graph.constraints[t] {
            let arg = call.arguments.get(&c.param);
            let Some(v) = arg else {
                if c.required {
                    return Err(bad(format!("required `{}` is missing", c.param)));
                }
                continue;
            };
            match &c.constraint {
                Constraint::Identifier { .. } if c.required => {
                    let p = call
                        .provenance
                        .get(&c.param)
                        .map(String::as_str)
                        .unwrap_or("");
                    let (k, path) = parse_from_step(p).ok_or_else(|| {
                        bad(format!("`{}` was not taken from a result ({p})", c.param))
                    })?;
                    if k >= j {
                        return Err(bad(format!("`{}` comes from a later step {k}", c.param)));
                    }
                    let src = &trace.calls[k];
                    let res = src.result.as_ref().ok_or_else(|| {
                        bad(format!("step {k} failed, yet `{}` came from it", c.param))
                    })?;
                    let from = graph.node(&src.name).unwrap_or(usize::MAX);
                    if !graph.edges.iter().any(|e| {
                        e.from == from && e.to == t && e.to_param == c.param && e.from_field == path
                    }) {
                        return Err(bad(format!("no edge {}.{path} -> `{}`", src.name, c.param)));
                    }
                    if !values_at(res, path).contains(&v) {
                        return Err(bad(format!(
                            "`{}` = {v} is not in step {k}'s {path}",
                            c.param
                        )));
                    }
                }
                Constraint::Enum { values } if !values.contains(v) => {
                    return Err(bad(format!("`{}` = {v} is not allowed", c.param)))
                }
                Constraint::Integer { min, max } | Constraint::Number { min, max, .. } => {
                    let x = v
                        .as_f64()
                        .ok_or_else(|| bad(format!("`{}` is not a number", c.param)))?;
                    if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                        return Err(bad(format!("`{}` = {x} is out of range", c.param)));
                    }
                }
                Constraint::Date { min, max } => {
                    let Some(d) = v.as_str().filter(|d| is_date(d)) else {
                        return Err(bad(format!("`{}` is not a date", c.param)));
                    };
                    if min.as_deref().is_some_and(|lo| d < lo)
                        || max.as_deref().is_some_and(|hi| d > hi)
                    {
                        return Err(bad(format!("`{}` = {d} is out of range", c.param)));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.chars().filter(char::is_ascii_digit).count() == 8
}

/// Re-executes a trace's calls from its seed; returns the indexes of calls whose outcome differs.
pub fn replay_mismatches<E: hardgen_tools::Environment>(env: &mut E, trace: &Trace) -> Vec<usize> {
    env.reset(trace.seed);
    let mut bad = Vec::new();
    for (i, c) in trace.calls.iter().enumerate() {
        let out = env.execute(&hardgen_core::ToolCall {
            name: c.name.clone(),
            arguments: c.arguments.clone(),
        });
        let same = match (&out, &c.result, &c.error) {
            (Ok(r), Some(g), None) => r == g,
            (Err(e), None, Some(g)) => e == g,
            _ => false,
        };
        if !same {
            bad.push(i);
        }
    }
    bad
}
