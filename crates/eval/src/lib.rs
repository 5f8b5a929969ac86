//! Measuring agents: the agent loop, evaluation with failure kinds and reports, failure probing
//! and the closed loop (probe, weight, generate, evaluate, feed back).

pub mod agent;
pub mod closed_loop;
pub mod evaluate;
pub mod html;
pub mod judge;
pub mod probe;

pub use agent::{Agent, AgentSpec, Transcript};
pub use evaluate::{evaluate, Report};
pub use judge::FailureKind;

/// What can go wrong measuring an agent.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The agent's model could not be reached or answered nothing usable.
    #[error("agent {agent}: {message}")]
    Agent {
        /// The agent.
        agent: String,
        /// What failed.
        message: String,
    },
    /// Input data is malformed (the message names the file or record).
    #[error("{what}: {message}")]
    Data {
        /// File or record.
        what: String,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The run store failed.
    #[error("run store {path}: {message}")]
    Store {
        /// The database file.
        path: String,
        /// What failed.
        message: String,
    },
}
