//! The `Environment` contract: a resettable, snapshotable executor of tool calls.

use hardgen_core::{ToolCall, ToolError, ToolSpec};
use serde_json::Value;

/// A stateful tool environment. Same seed and same calls give the same results.
pub trait Environment {
    /// A saved state.
    type Snapshot: Clone;
    /// The tools this environment executes.
    fn specs(&self) -> &[ToolSpec];
    /// Rebuilds the deterministic initial state for `seed`.
    fn reset(&mut self, seed: u64);
    /// Validates the arguments, then runs the call; a tool failure is a typed error.
    fn execute(&mut self, call: &ToolCall) -> Result<Value, ToolError>;
    /// Saves the current state.
    fn snapshot(&self) -> Self::Snapshot;
    /// Returns to a saved state.
    fn restore(&mut self, snapshot: &Self::Snapshot);
    /// Hash of the full state: equal digests mean equal end states.
    fn digest(&self) -> u64;
    /// A value only the simulated *user* knows (a PIN for the account named in `args`): it
    /// cannot come from any tool, so it becomes an external input of the query. Default: none.
    fn user_knowledge(
        &mut self,
        _tool: &str,
        _param: &str,
        _args: &serde_json::Map<String, Value>,
    ) -> Option<Value> {
        None
    }
    /// Executor events since the last call (server restarts, retries), oldest first; the
    /// pipeline puts them on the item. Default: none.
    fn take_events(&mut self) -> Vec<String> {
        Vec::new()
    }
    /// Where [`Environment::digest`] comes from when it is not the full state (`state_tool`,
    /// `call_sequence`). Default: the full state (None).
    fn digest_source(&self) -> Option<&'static str> {
        None
    }
    /// Makes every list of items a read returns about `tokens` long (estimated tokens), as in
    /// a world that holds many of them (a long-context record); `None` is the usual size. Only
    /// an executor that makes its data up can (true); the others keep their data (false).
    fn set_list_tokens(&mut self, _tokens: Option<usize>) -> bool {
        false
    }
}

/// One of the executors a run can use, behind one type (the pipeline holds environments by
/// value and clones them per worker): the built-in world, or the simulated executor.
#[derive(Clone)]
pub enum AnyEnv {
    /// The built-in executable world (guarantee `executed`).
    World(crate::World),
    /// The simulated executor over specs (guarantee `simulated`).
    Simulated(crate::sim::Simulated),
    /// An MCP server (guarantee `executed`: its calls run on the real server).
    Mcp(Box<crate::mcp::McpEnv>),
    /// Several sources side by side, each call run by the one that has the tool.
    Mixed(Mixed),
}

/// Executors side by side (`--tools builtin --tools mcp+stdio:...`): each call goes to the
/// executor that has its tool; reset, snapshot and digest cover them all.
#[derive(Clone)]
pub struct Mixed {
    parts: Vec<AnyEnv>,
    specs: std::sync::Arc<Vec<ToolSpec>>,
    route: std::sync::Arc<std::collections::HashMap<String, usize>>,
}

impl Mixed {
    /// The executors `parts` side by side; a tool name given by two of them is an error (the
    /// name).
    pub fn new(parts: Vec<AnyEnv>) -> Result<Mixed, String> {
        let mut specs = Vec::new();
        let mut route = std::collections::HashMap::new();
        for (i, p) in parts.iter().enumerate() {
            for s in p.specs() {
                if route.insert(s.name.clone(), i).is_some() {
                    return Err(s.name.clone());
                }
                specs.push(s.clone());
            }
        }
        Ok(Mixed {
            parts,
            specs: std::sync::Arc::new(specs),
            route: std::sync::Arc::new(route),
        })
    }

    fn part(&mut self, tool: &str) -> Option<&mut AnyEnv> {
        let i = *self.route.get(tool)?;
        self.parts.get_mut(i)
    }
}

/// A saved state of an [`AnyEnv`].
#[derive(Clone)]
pub enum AnySnapshot {
    /// Of the built-in world.
    World(crate::Snapshot),
    /// Of the simulated executor.
    Simulated(crate::sim::SimState),
    /// Of an MCP server (the calls to replay).
    Mcp(crate::mcp::McpSnapshot),
    /// Of executors side by side, in their order.
    Mixed(Vec<AnySnapshot>),
}

impl AnyEnv {
    /// The guarantee data made here carries: `executed` or `simulated`.
    pub fn guarantee(&self) -> &'static str {
        match self {
            AnyEnv::World(_) | AnyEnv::Mcp(_) => "executed",
            AnyEnv::Simulated(_) => crate::sim::GUARANTEE,
            // Data is only as real as its least real part.
            AnyEnv::Mixed(m) => {
                if m.parts
                    .iter()
                    .any(|p| p.guarantee() == crate::sim::GUARANTEE)
                {
                    crate::sim::GUARANTEE
                } else {
                    "executed"
                }
            }
        }
    }
}

impl Environment for AnyEnv {
    type Snapshot = AnySnapshot;

    fn specs(&self) -> &[ToolSpec] {
        match self {
            AnyEnv::World(w) => w.specs(),
            AnyEnv::Simulated(s) => s.specs(),
            AnyEnv::Mcp(m) => m.specs(),
            AnyEnv::Mixed(m) => &m.specs,
        }
    }

    fn reset(&mut self, seed: u64) {
        match self {
            AnyEnv::World(w) => w.reset(seed),
            AnyEnv::Simulated(s) => s.reset(seed),
            AnyEnv::Mcp(m) => m.reset(seed),
            AnyEnv::Mixed(m) => m.parts.iter_mut().for_each(|p| p.reset(seed)),
        }
    }

    fn execute(&mut self, call: &ToolCall) -> Result<Value, ToolError> {
        match self {
            AnyEnv::World(w) => w.execute(call),
            AnyEnv::Simulated(s) => s.execute(call),
            AnyEnv::Mcp(m) => m.execute(call),
            AnyEnv::Mixed(m) => match m.part(&call.name) {
                Some(p) => p.execute(call),
                None => Err(ToolError::UnknownTool {
                    name: call.name.clone(),
                }),
            },
        }
    }

    fn snapshot(&self) -> AnySnapshot {
        match self {
            AnyEnv::World(w) => AnySnapshot::World(Environment::snapshot(w)),
            AnyEnv::Simulated(s) => AnySnapshot::Simulated(s.snapshot()),
            AnyEnv::Mcp(m) => AnySnapshot::Mcp(m.snapshot()),
            AnyEnv::Mixed(m) => AnySnapshot::Mixed(m.parts.iter().map(|p| p.snapshot()).collect()),
        }
    }

    fn restore(&mut self, snapshot: &AnySnapshot) {
        match (self, snapshot) {
            (AnyEnv::World(w), AnySnapshot::World(x)) => Environment::restore(w, x),
            (AnyEnv::Simulated(s), AnySnapshot::Simulated(x)) => s.restore(x),
            (AnyEnv::Mcp(m), AnySnapshot::Mcp(x)) => m.restore(x),
            (AnyEnv::Mixed(m), AnySnapshot::Mixed(xs)) => {
                for (p, x) in m.parts.iter_mut().zip(xs) {
                    p.restore(x);
                }
            }
            // A snapshot of another kind of executor cannot describe this one's state.
            _ => {}
        }
    }

    fn set_list_tokens(&mut self, tokens: Option<usize>) -> bool {
        match self {
            AnyEnv::World(_) | AnyEnv::Mcp(_) => false,
            AnyEnv::Simulated(s) => s.set_list_tokens(tokens),
            AnyEnv::Mixed(m) => m
                .parts
                .iter_mut()
                .fold(false, |any, p| p.set_list_tokens(tokens) | any),
        }
    }

    fn digest(&self) -> u64 {
        match self {
            AnyEnv::World(w) => w.digest(),
            AnyEnv::Simulated(s) => s.digest(),
            AnyEnv::Mcp(m) => m.digest(),
            AnyEnv::Mixed(m) => {
                let mut h = xxhash_rust::xxh3::Xxh3::new();
                for p in &m.parts {
                    h.update(&p.digest().to_le_bytes());
                }
                h.digest()
            }
        }
    }

    fn user_knowledge(
        &mut self,
        tool: &str,
        param: &str,
        args: &serde_json::Map<String, Value>,
    ) -> Option<Value> {
        match self {
            AnyEnv::World(w) => w.user_knowledge(tool, param, args),
            AnyEnv::Simulated(s) => s.user_knowledge(tool, param, args),
            AnyEnv::Mcp(m) => m.user_knowledge(tool, param, args),
            AnyEnv::Mixed(m) => m.part(tool)?.user_knowledge(tool, param, args),
        }
    }

    fn take_events(&mut self) -> Vec<String> {
        match self {
            AnyEnv::Mcp(m) => m.take_events(),
            AnyEnv::Mixed(m) => m.parts.iter_mut().flat_map(|p| p.take_events()).collect(),
            _ => Vec::new(),
        }
    }

    fn digest_source(&self) -> Option<&'static str> {
        match self {
            AnyEnv::Mcp(m) => Environment::digest_source(m.as_ref()),
            AnyEnv::Mixed(m) => m.parts.iter().find_map(|p| p.digest_source()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sim(names: &[&str]) -> AnyEnv {
        let specs = names
            .iter()
            .map(|n| ToolSpec {
                read_only: None,
                name: n.to_string(),
                description: format!("Gets a {n}."),
                domain: "d".into(),
                parameters: json!({"type": "object", "properties": {}}),
                returns: Some(json!({"type": "object", "properties": {"ok": {"type": "boolean"}}})),
            })
            .collect();
        AnyEnv::Simulated(crate::sim::Simulated::new(specs, 1).expect("specs"))
    }

    #[test]
    fn mixed_sources_route_calls_and_refuse_a_name_given_twice() {
        let mut m = match Mixed::new(vec![sim(&["get_a"]), sim(&["get_b"])]) {
            Ok(m) => AnyEnv::Mixed(m),
            Err(name) => panic!("unexpected clash on {name}"),
        };
        let names: Vec<&str> = m.specs().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["get_a", "get_b"]);
        m.reset(3);
        let call = |name: &str| ToolCall {
            name: name.into(),
            arguments: Default::default(),
        };
        assert!(m.execute(&call("get_b")).is_ok());
        assert!(matches!(
            m.execute(&call("get_c")),
            Err(ToolError::UnknownTool { .. })
        ));
        let before = m.digest();
        let snap = m.snapshot();
        m.execute(&call("get_a")).expect("runs");
        assert_ne!(m.digest(), before, "a call is part of the simulated state");
        m.restore(&snap);
        assert_eq!(m.digest(), before);
        assert_eq!(m.guarantee(), crate::sim::GUARANTEE);
        assert_eq!(
            Mixed::new(vec![sim(&["get_a"]), sim(&["get_a"])]).err(),
            Some("get_a".to_string())
        );
    }
}
