//! The canonical record: one trajectory (one or more rounds in one stateful environment) with
//! its advanced tools, hard queries, gold traces, verdicts and difficulty signals. Every export
//! is a rendering of records.

use crate::{Provenance, ToolError, ToolSpec};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Which implementation produced each role's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generators {
    /// Tool maker (`offline`).
    pub tool_maker: String,
    /// Query writer (`offline`).
    pub query_writer: String,
    /// Reasoner (`offline`).
    pub reasoner: String,
    /// Verifier (`rules`).
    pub verifier: String,
    /// Environment that executed the calls (`builtin`, `simulated`, `mcp`).
    pub executor: String,
    /// What happened to the executor while this item was made (an MCP server restarted after
    /// a crash or a hang, a call retried); absent when nothing did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub executor_events: Vec<String>,
    /// Where the end-state digests come from when the executor cannot hash its whole state:
    /// `state_tool` (a tool the config names) or `call_sequence` (the calls and results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_source: Option<String>,
}

/// One argument of an advanced tool step: where its value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Binding {
    /// A parameter of the advanced tool.
    Input {
        /// Advanced-tool parameter name.
        param: String,
    },
    /// A field of an earlier step's result (`index` picks among list items).
    Step {
        /// Position of the earlier step within the advanced tool.
        step: usize,
        /// Field path (`results[].account_id`).
        path: String,
        /// Which of the values at `path`.
        index: usize,
    },
    /// From a list in an earlier step's result, the item whose `field` equals input `param`
    /// (`path` and `field` share the list prefix, e.g. `results[].account_id` / `results[].nickname`).
    Select {
        /// Position of the earlier step within the advanced tool.
        step: usize,
        /// Field path of the value taken.
        path: String,
        /// Field path of the distinguishing value.
        field: String,
        /// Advanced-tool parameter holding the distinguishing value.
        param: String,
    },
}

/// One primitive call inside an advanced tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdvancedStep {
    /// Primitive tool.
    pub tool: String,
    /// Argument bindings by parameter.
    pub bindings: BTreeMap<String, Binding>,
}

/// A composite tool abstracted from a trace: parameters are the trace's external inputs,
/// the result is the final step's result, and it is implemented by the steps it wraps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdvancedTool {
    /// Readable name.
    pub name: String,
    /// What it does, composed from its steps.
    pub description: String,
    /// JSON Schema of the external inputs.
    pub parameters: Value,
    /// JSON Schema of the result (the last step's `returns`).
    pub returns: Value,
    /// Implementation.
    pub implementation: Vec<AdvancedStep>,
    /// Indexes of the gold calls it wraps.
    pub steps: Vec<usize>,
}

impl AdvancedTool {
    /// The advanced tool as a spec, to offer beside the primitive tools.
    pub fn spec(&self, domain: &str) -> ToolSpec {
        ToolSpec {
            read_only: None,
            name: self.name.clone(),
            description: self.description.clone(),
            domain: domain.to_string(),
            parameters: self.parameters.clone(),
            returns: Some(self.returns.clone()),
        }
    }
}

/// One executed gold call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldCall {
    /// Step index in the round's gold trace.
    pub step: usize,
    /// Tool.
    pub name: String,
    /// Arguments.
    pub arguments: Map<String, Value>,
    /// Where each argument came from (`input:<param>` or `step:<k>:<path>`).
    pub provenance: Provenance,
    /// Gold steps this call consumes.
    pub depends_on: Vec<usize>,
    /// Result.
    pub result: Value,
}

/// A tool call made by an assistant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// Call id (`c0`, `c1`, ...), unique within the trajectory.
    pub id: String,
    /// Tool.
    pub name: String,
    /// Arguments.
    pub arguments: Map<String, Value>,
}

/// One message of a trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Message {
    /// The user.
    User {
        /// Text.
        content: String,
    },
    /// The assistant: reasoning, then either tool calls or a final answer.
    Assistant {
        /// Chain of thought.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reasoning: Option<String>,
        /// Final answer text (when not calling tools).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<String>,
        /// Calls made in this turn (parallel when more than one).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<Call>,
    },
    /// A tool result.
    Tool {
        /// Id of the call answered.
        tool_call_id: String,
        /// Tool name.
        name: String,
        /// Result or `{"error": ...}`.
        content: Value,
    },
}

/// Outcome of verification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// All checks passed.
    pub passed: bool,
    /// Reasoner attempts used (1..=3).
    pub attempts: u32,
    /// Each check's result.
    pub checks: BTreeMap<String, bool>,
    /// Hints given to failed attempts (never part of the training text).
    pub hints: Vec<String>,
}

/// Difficulty signals of a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difficulty {
    /// Gold calls.
    pub calls: usize,
    /// Intermediate values the query hides.
    pub hidden_values: usize,
    /// Distractor tools offered.
    pub distractors: usize,
    /// Whether the target agent failed on it (None until evaluated).
    pub target_agent_failed: Option<bool>,
}

/// A fix made to a model's output before it could be read (a trailing comma, single quotes,
/// a code fence, ...), recorded on the round it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairNote {
    /// The role whose output was repaired (`reasoner`, `tool_maker`, `verifier`).
    pub role: RepairRole,
    /// What was fixed.
    pub repair: crate::calls::repair::Repair,
}

/// The roles whose model output can be repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairRole {
    /// Tool-call arguments of the reasoner.
    Reasoner,
    /// The tool maker's JSON.
    ToolMaker,
    /// The verifier's JSON.
    Verifier,
}

/// One round: a target, its advanced tool, the hard query, the gold trace and the trajectory part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    /// Target tool.
    pub target: String,
    /// The composite tool abstracted from the gold trace.
    pub advanced_tool: AdvancedTool,
    /// The hard query.
    pub query: String,
    /// External input values by advanced-tool parameter.
    pub external_inputs: Map<String, Value>,
    /// Gold calls.
    pub gold: Vec<GoldCall>,
    /// Messages of this round (user query to final answer).
    pub trajectory: Vec<Message>,
    /// Verification outcome.
    pub verdict: Verdict,
    /// Difficulty signals.
    pub difficulty: Difficulty,
    /// Fixes made to model output in this round (absent when there were none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<RepairNote>,
    /// Tools of the record's `tools` that are offered only from a message of this trajectory on
    /// (a missing-function round); absent when every tool is offered from the start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools_added: Vec<ToolsAdded>,
}

/// Tools first offered at one message of a round's trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolsAdded {
    /// Index in the round's trajectory of the message from which the tools are offered.
    pub at: usize,
    /// Names of the tools (each in the record's `tools`).
    pub tools: Vec<String>,
}

/// One record (one trajectory).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Unique id (`hg-s7-000042`).
    pub id: String,
    /// Environment seed.
    pub seed: u64,
    /// Generator per role.
    pub generator: Generators,
    /// Domains touched.
    pub domains: Vec<String>,
    /// Tools offered: the primitives used plus distractors (shared with the world's specs).
    pub tools: Vec<std::sync::Arc<ToolSpec>>,
    /// Rounds.
    pub rounds: Vec<Round>,
    /// The hard variant this record shows (`standard`, `missing_param`, `irrelevance`, ...;
    /// see `hardgen_synth::variant`). Records made before variants read as `standard`.
    #[serde(default = "standard_variant")]
    pub variant: String,
    /// The size, in estimated tokens, every list of items a read returned (a long-context
    /// record on tools whose data is made up: a world of many items); a replay sets the
    /// executor to it. Absent for the usual world.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_tokens: Option<usize>,
}

/// The variant of a record with no judgement case in it.
pub fn standard_variant() -> String {
    "standard".to_string()
}

/// A closed set of names written as snake_case strings in files.
macro_rules! names {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $v:ident => $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $s)] $v,)*
        }

        impl $name {
            /// The name written in files.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$v => $s,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

names! {
    /// The pipeline stage that rejected an item.
    pub enum Stage {
        /// Trace sampling.
        Sampler => "sampler",
        /// Making the advanced tool from the trace.
        ToolMaker => "tool_maker",
        /// Writing and checking the query.
        QueryWriter => "query_writer",
        /// The reasoner's attempts.
        Reasoner => "reasoner",
        /// Verification of the attempts and the record.
        Verifier => "verifier",
        /// Duplicate removal.
        Dedup => "dedup",
    }
}

names! {
    /// Why an item was rejected (one closed list over every stage).
    pub enum Reason {
        /// The sampler drew nothing.
        NoDraw => "no_draw",
        /// The trace has no round.
        NoRounds => "no_rounds",
        /// The round asked for does not exist.
        NoRound => "no_round",
        /// The target was never reached.
        TargetNotReached => "target_not_reached",
        /// Fewer gold calls than wanted.
        TooShort => "too_short",
        /// More gold calls than allowed (or a rewrite far longer than its draft).
        TooLong => "too_long",
        /// A tool the specs do not know.
        UnknownTool => "unknown_tool",
        /// A value could come from more than one place.
        Ambiguous => "ambiguous",
        /// Nothing to hide: the round is trivial.
        Trivial => "trivial",
        /// A gold call repeats an earlier one to no purpose (a model would learn to call twice).
        RepeatedCall => "repeated_call",
        /// The gold chain comes back to a kind of item it passed, as another item (a detour no
        /// person would ask for).
        Detour => "detour",
        /// Over the share of cross-domain rounds.
        CrossDomainQuota => "cross_domain_quota",
        /// The target reads what the round has just made and finds nothing (the visits of a
        /// slot opened a moment ago): no person asks that.
        EmptyReadOfNew => "empty_read_of_new",
        /// The target reads back what a write of the round has just returned, nothing more (a
        /// quote looked up right after it was made): a call that adds nothing.
        RereadOfNew => "reread_of_new",
        /// The target takes back what the round has just made (a share link made and revoked
        /// in one request): no person asks that.
        UndoesNew => "undoes_new",
        /// The item cannot carry the hard variant it was drawn for.
        VariantUnavailable => "variant_unavailable",
        /// A variant record breaks its variant's rule (a guessed value, a call on an irrelevant request).
        VariantBroken => "variant_broken",
        /// The gold alone does not give the trace's results.
        GoldNotSelfContained => "gold_not_self_contained",
        /// An earlier round's value is used but never pointed at.
        ContextUnreferenced => "context_unreferenced",
        /// The query misses an external input.
        Incomplete => "incomplete",
        /// The text states a value it must hide.
        Leak => "leak",
        /// The query is not grammatical.
        Ungrammatical => "ungrammatical",
        /// A relation the gold follows is not named.
        RelationMissing => "relation_missing",
        /// A value is neither stated nor taken from an earlier result.
        Ungrounded => "ungrounded",
        /// A model's rewrite is empty.
        Empty => "empty",
        /// A model's rewrite talks about the request.
        MetaText => "meta_text",
        /// A model's rewrite states instead of asking.
        NotARequest => "not_a_request",
        /// A model's rewrite drifted from the request.
        Drifted => "drifted",
        /// A model's rewrite repeats itself.
        Repetitive => "repetitive",
        /// A model's answer is not the JSON asked for.
        NotJson => "not_json",
        /// A model's tool name is not a new snake_case name.
        BadName => "bad_name",
        /// A model's tool description is unusable.
        BadDescription => "bad_description",
        /// A model's tool parameters are not the trace's inputs.
        InputsMismatch => "inputs_mismatch",
        /// A model's tool returns are not fields of the target's result.
        ReturnsMismatch => "returns_mismatch",
        /// A model answer failed without a named reason.
        Invalid => "invalid",
        /// Every attempt failed verification.
        FailedAttempts => "failed_attempts",
        /// The model server failed (the run stops with this error).
        Server => "server",
        /// The same query was made before.
        Duplicate => "duplicate",
        /// A near copy of an earlier query.
        NearDuplicate => "near_duplicate",
    }
}

/// A sample that did not make it, with the stage and reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    /// Item id.
    pub id: String,
    /// Stage that rejected it.
    pub stage: Stage,
    /// Short machine reason.
    pub reason: Reason,
    /// Details for people.
    pub detail: String,
    /// The hard variant the item was drawn for (left out when `standard`).
    #[serde(default = "standard_variant", skip_serializing_if = "is_standard")]
    pub variant: String,
}

fn is_standard(v: &str) -> bool {
    v == "standard"
}

/// Error of a tool call, as stored in a tool message.
pub fn error_content(e: &ToolError) -> Value {
    e.to_result_json()
}
