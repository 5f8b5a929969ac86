//! Shared vocabulary of hardgen: tool specs, calls and typed tool errors. No I/O lives here.

pub mod call;
pub mod calls;
pub mod record;
pub mod spec;
pub mod text;
pub mod trace;

pub use call::{ArgError, ToolCall, ToolError};
pub use record::{AdvancedTool, Message, Reason, Record, Rejection, Round, Stage};
pub use spec::{parse_specs, SpecError, ToolSpec};
pub use trace::{Provenance, Trace, TraceCall};
