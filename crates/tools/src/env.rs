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
}

impl AnyEnv {
    /// The guarantee data made here carries: `executed` or `simulated`.
    pub fn guarantee(&self) -> &'static str {
        match self {
            AnyEnv::World(_) | AnyEnv::Mcp(_) => "executed",
            AnyEnv::Simulated(_) => crate::sim::GUARANTEE,
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
        }
    }

    fn reset(&mut self, seed: u64) {
        match self {
            AnyEnv::World(w) => w.reset(seed),
            AnyEnv::Simulated(s) => s.reset(seed),
            AnyEnv::Mcp(m) => m.reset(seed),
        }
    }

    fn execute(&mut self, call: &ToolCall) -> Result<Value, ToolError> {
        match self {
            AnyEnv::World(w) => w.execute(call),
            AnyEnv::Simulated(s) => s.execute(call),
            AnyEnv::Mcp(m) => m.execute(call),
        }
    }

    fn snapshot(&self) -> AnySnapshot {
        match self {
            AnyEnv::World(w) => AnySnapshot::World(Environment::snapshot(w)),
            AnyEnv::Simulated(s) => AnySnapshot::Simulated(s.snapshot()),
            AnyEnv::Mcp(m) => AnySnapshot::Mcp(m.snapshot()),
        }
    }

    fn restore(&mut self, snapshot: &AnySnapshot) {
        match (self, snapshot) {
            (AnyEnv::World(w), AnySnapshot::World(x)) => Environment::restore(w, x),
            (AnyEnv::Simulated(s), AnySnapshot::Simulated(x)) => s.restore(x),
            (AnyEnv::Mcp(m), AnySnapshot::Mcp(x)) => m.restore(x),
            // A snapshot of another kind of executor cannot describe this one's state.
            _ => {}
        }
    }

    fn digest(&self) -> u64 {
        match self {
            AnyEnv::World(w) => w.digest(),
            AnyEnv::Simulated(s) => s.digest(),
            AnyEnv::Mcp(m) => m.digest(),
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
        }
    }

    fn take_events(&mut self) -> Vec<String> {
        match self {
            AnyEnv::Mcp(m) => m.take_events(),
            _ => Vec::new(),
        }
    }

    fn digest_source(&self) -> Option<&'static str> {
        match self {
            AnyEnv::Mcp(m) => Environment::digest_source(m.as_ref()),
            _ => None,
        }
    }
}
