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
