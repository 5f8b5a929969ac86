//! Tool calls and the typed errors a tool execution can return.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One call of a tool: its name and JSON object arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// Name of the tool to call.
    pub name: String,
    /// Arguments by parameter name.
    #[serde(default)]
    pub arguments: Map<String, Value>,
}

impl ToolCall {
    /// Builds a call from a name and a JSON value that must be an object (anything else is empty).
    pub fn new(name: impl Into<String>, arguments: Value) -> Self {
        let arguments = match arguments {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        ToolCall {
            name: name.into(),
            arguments,
        }
    }
}

/// Why an argument was rejected before execution; every variant names the parameter.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ArgError {
    /// A required parameter was not given.
    #[error("missing required parameter `{param}`")]
    MissingRequired {
        /// Parameter name.
        param: String,
    },
    /// The value has the wrong JSON type.
    #[error("parameter `{param}` must be of type {expected}, got {found}")]
    WrongType {
        /// Parameter path.
        param: String,
        /// Expected JSON Schema type(s).
        expected: String,
        /// The JSON type that was given.
        found: String,
    },
    /// A number is outside its minimum/maximum.
    #[error("parameter `{param}` is out of range: {detail}")]
    OutOfRange {
        /// Parameter path.
        param: String,
        /// Which bound was broken, e.g. `must be >= 1`.
        detail: String,
    },
    /// A value is not one of the allowed values.
    #[error("parameter `{param}` must be one of {allowed}")]
    NotInEnum {
        /// Parameter path.
        param: String,
        /// The allowed values as JSON.
        allowed: String,
    },
    /// A string does not match the parameter's pattern.
    #[error("parameter `{param}` does not match pattern {pattern}")]
    Pattern {
        /// Parameter path.
        param: String,
        /// The regular expression.
        pattern: String,
    },
    /// A parameter the tool does not declare.
    #[error("unknown parameter `{param}`")]
    Unknown {
        /// Parameter name.
        param: String,
    },
    /// Any other schema violation.
    #[error("parameter `{param}` is invalid: {detail}")]
    Invalid {
        /// Parameter path.
        param: String,
        /// What the schema check said.
        detail: String,
    },
}

/// A typed failure of a tool call: the tool ran (or refused to) and says why.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToolError {
    /// No tool of that name exists.
    #[error("unknown tool `{name}`")]
    UnknownTool {
        /// The requested name.
        name: String,
    },
    /// The arguments broke the tool's parameter schema.
    #[error("invalid arguments for `{tool}`: {error}")]
    InvalidArguments {
        /// Tool name.
        tool: String,
        /// The first violation found.
        error: ArgError,
    },
    /// A referenced object does not exist.
    #[error("{what} `{id}` not found")]
    NotFound {
        /// Kind of object, e.g. `contact`.
        what: String,
        /// The id or key that was looked up.
        id: String,
    },
    /// The caller lacks permission (missing, wrong or spent token).
    #[error("not permitted: {reason}")]
    NotPermitted {
        /// Why.
        reason: String,
    },
    /// The object is not in a state that allows this call.
    #[error("invalid state: {reason}")]
    InvalidState {
        /// Why.
        reason: String,
    },
    /// A budget, balance, capacity or quota would be exceeded.
    #[error("limit exceeded: {reason}")]
    LimitExceeded {
        /// Why.
        reason: String,
    },
    /// The call would duplicate or clash with an existing object.
    #[error("conflict: {reason}")]
    Conflict {
        /// Why.
        reason: String,
    },
    /// An external tool (an MCP server) answered with an error result; its text, unchanged.
    #[error("tool error: {message}")]
    Failed {
        /// The tool's own error text.
        message: String,
    },
    /// The tool's server could not be reached, crashed, hung or answered garbage, and
    /// restarting it did not help: the call has no result.
    #[error("tool server unavailable: {reason}")]
    Unavailable {
        /// What happened.
        reason: String,
    },
}

impl ToolError {
    /// Short machine name of the error kind, e.g. `not_found`.
    pub fn kind(&self) -> &'static str {
        match self {
            ToolError::UnknownTool { .. } => "unknown_tool",
            ToolError::InvalidArguments { .. } => "invalid_arguments",
            ToolError::NotFound { .. } => "not_found",
            ToolError::NotPermitted { .. } => "not_permitted",
            ToolError::InvalidState { .. } => "invalid_state",
            ToolError::LimitExceeded { .. } => "limit_exceeded",
            ToolError::Conflict { .. } => "conflict",
            ToolError::Failed { .. } => "failed",
            ToolError::Unavailable { .. } => "unavailable",
        }
    }

    /// The error as a JSON result object `{"error": {"kind": .., "message": ..}}`, as an agent sees it.
    pub fn to_result_json(&self) -> Value {
        serde_json::json!({"error": {"kind": self.kind(), "message": self.to_string()}})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_render_for_agents_and_round_trip() {
        let e = ToolError::InvalidArguments {
            tool: "get_card".into(),
            error: ArgError::OutOfRange {
                param: "limit".into(),
                detail: "must be <= 50".into(),
            },
        };
        assert_eq!(
            e.to_result_json(),
            json!({"error": {"kind": "invalid_arguments",
                   "message": "invalid arguments for `get_card`: parameter `limit` is out of range: must be <= 50"}})
        );
        let back: ToolError =
            serde_json::from_value(serde_json::to_value(&e).expect("ser")).expect("de");
        assert_eq!(back, e);
        let c = ToolCall::new("x", json!([1]));
        assert!(c.arguments.is_empty(), "non-object arguments become empty");
    }
}
