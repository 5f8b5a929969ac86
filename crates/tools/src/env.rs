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
}

/// One of the executors a run can use, behind one type (the pipeline holds environments by
/// value and clones them per worker): the built-in world, or the simulated executor.
#[derive(Clone)]
pub enum AnyEnv {
    /// The built-in executable world (guarantee `executed`).
    World(crate::World),
    /// The simulated executor over specs (guarantee `simulated`).
    Simulated(crate::sim::Simulated),
}

/// A saved state of an [`AnyEnv`].
#[derive(Clone)]
pub enum AnySnapshot {
    /// Of the built-in world.
    World(crate::Snapshot),
    /// Of the simulated executor.
    Simulated(crate::sim::SimState),
}

impl AnyEnv {
    /// The guarantee data made here carries: `executed` or `simulated`.
    pub fn guarantee(&self) -> &'static str {
        match self {
            AnyEnv::World(_) => "executed",
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
        }
    }

    fn reset(&mut self, seed: u64) {
        match self {
            AnyEnv::World(w) => w.reset(seed),
            AnyEnv::Simulated(s) => s.reset(seed),
        }
    }

    fn execute(&mut self, call: &ToolCall) -> Result<Value, ToolError> {
        match self {
            AnyEnv::World(w) => w.execute(call),
            AnyEnv::Simulated(s) => s.execute(call),
        }
    }

    fn snapshot(&self) -> AnySnapshot {
        match self {
            AnyEnv::World(w) => AnySnapshot::World(Environment::snapshot(w)),
            AnyEnv::Simulated(s) => AnySnapshot::Simulated(s.snapshot()),
        }
    }

    fn restore(&mut self, snapshot: &AnySnapshot) {
        match (self, snapshot) {
            (AnyEnv::World(w), AnySnapshot::World(x)) => Environment::restore(w, x),
            (AnyEnv::Simulated(s), AnySnapshot::Simulated(x)) => s.restore(x),
            // A snapshot of another kind of executor cannot describe this one's state.
            _ => {}
        }
    }

    fn digest(&self) -> u64 {
        match self {
            AnyEnv::World(w) => w.digest(),
            AnyEnv::Simulated(s) => s.digest(),
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
        }
    }
}
