//! The agent loop: a model (any [`ChatModel`], in any tool-call mode) or a built-in policy
//! against an environment, with the offered tools and a step limit, and a full transcript.

use crate::EvalError;
use hardgen_core::record::Message;
use hardgen_core::ToolCall;
use hardgen_llm::ChatModel;
use hardgen_synth::policy::{PolicyKind, PolicyModel};
use hardgen_synth::roles::{CallMode, LlmReasoner, ModelReasoner, ReasonTask};
use hardgen_tools::Environment;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Instant;

/// Who acts: a built-in policy or a model behind an OpenAI-compatible endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentSpec {
    /// `oracle`, `baseline` or `policy:NAME`: a built-in deterministic policy (not a model).
    Policy(PolicyKind),
    /// `MODEL@BASE_URL`, or a bare model name served at the configured base URL.
    Model {
        /// Model name.
        model: String,
        /// Base URL (`None`: the configured one).
        base_url: Option<String>,
    },
}

impl std::str::FromStr for AgentSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(
                "empty agent: give `oracle`, `baseline`, `MODEL@BASE_URL` or a model name".into(),
            );
        }
        if let Some(p) = s.strip_prefix("policy:") {
            return p.parse().map(AgentSpec::Policy);
        }
        if let Ok(k) = s.parse::<PolicyKind>() {
            return Ok(AgentSpec::Policy(k));
        }
        Ok(match s.split_once('@') {
            Some((m, url)) if !m.is_empty() && !url.is_empty() => AgentSpec::Model {
                model: m.to_string(),
                base_url: Some(url.to_string()),
            },
            _ => AgentSpec::Model {
                model: s.to_string(),
                base_url: None,
            },
        })
    }
}

impl std::fmt::Display for AgentSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AgentSpec::Policy(k) => write!(f, "{}", k.name()),
            AgentSpec::Model {
                model,
                base_url: Some(u),
            } => write!(f, "{model}@{u}"),
            AgentSpec::Model { model, .. } => write!(f, "{model}"),
        }
    }
}

/// One executed call of an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentCall {
    /// Tool name as the agent wrote it.
    pub name: String,
    /// Arguments as the agent wrote them.
    pub arguments: Map<String, Value>,
    /// The result, or the error object the agent was shown.
    pub result: Value,
    /// The error kind when the call failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Everything an agent did on one task.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Transcript {
    /// The user's request.
    pub query: String,
    /// Assistant and tool messages.
    pub messages: Vec<Message>,
    /// Executed calls, in order.
    pub calls: Vec<AgentCall>,
    /// The final answer.
    pub answer: String,
    /// Tool errors met (`kind: message`).
    pub errors: Vec<String>,
    /// Repairs the agent's output needed before it could be read (code fences, trailing commas).
    pub repairs: Vec<String>,
    /// Model turns taken.
    pub steps: usize,
    /// Prompt tokens (0 for a policy).
    pub prompt_tokens: u64,
    /// Completion tokens (0 for a policy).
    pub completion_tokens: u64,
    /// Wall time of the whole task in milliseconds.
    pub latency_ms: u64,
}

/// An agent: a chat model (a policy is one too, in-process), how it is asked for calls, and a
/// step limit.
#[derive(Clone)]
pub struct Agent {
    name: String,
    model: Arc<dyn ChatModel>,
    reasoner: Arc<LlmReasoner>,
    /// Most model turns per task.
    pub max_steps: usize,
}

impl Agent {
    /// A built-in policy as an agent (native tool calls, in-process).
    pub fn policy(kind: PolicyKind, runtime: tokio::runtime::Handle) -> Agent {
        Agent::model(
            Arc::new(PolicyModel::new(kind)),
            CallMode::Native,
            runtime,
            kind.name(),
        )
    }

    /// A model as an agent; `name` is how reports call it.
    pub fn model(
        model: Arc<dyn ChatModel>,
        mode: CallMode,
        runtime: tokio::runtime::Handle,
        name: &str,
    ) -> Agent {
        let mut reasoner = LlmReasoner::new(model.clone(), runtime, mode);
        reasoner.temperature = 0.0;
        reasoner.max_tokens = 512;
        Agent {
            name: name.to_string(),
            model,
            reasoner: Arc::new(reasoner),
            max_steps: 12,
        }
    }

    /// How reports name the agent.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs the agent on `query` with `tools` (OpenAI shape) against `env` as it is now.
    pub fn run<E: Environment>(
        &self,
        query: &str,
        tools: &[Value],
        env: &mut E,
    ) -> Result<Transcript, EvalError> {
        let task = ReasonTask {
            query: query.to_string(),
            tools: tools.to_vec(),
            advanced: String::new(),
            hints: Vec::new(),
            max_steps: self.max_steps,
        };
        let before = self.model.stats();
        let start = Instant::now();
        let mut exec = |name: &str, args: &Map<String, Value>| {
            env.execute(&ToolCall {
                name: name.to_string(),
                arguments: args.clone(),
            })
        };
        let mut next = 0usize;
        let att = self
            .reasoner
            .attempt(&task, &mut exec, &mut next)
            .map_err(|e| EvalError::Agent {
                agent: self.name.clone(),
                message: e.message,
            })?;
        let after = self.model.stats();
        let calls: Vec<AgentCall> = att
            .calls
            .iter()
            .map(|(c, out)| AgentCall {
                name: c.name.clone(),
                arguments: c.arguments.clone(),
                result: match out {
                    Ok(v) => v.clone(),
                    Err(e) => e.to_result_json(),
                },
                error: out.as_ref().err().map(|e| e.kind().to_string()),
            })
            .collect();
        let errors = att
            .calls
            .iter()
            .filter_map(|(_, out)| out.as_ref().err())
            .map(|e| format!("{}: {e}", e.kind()))
            .collect();
        let steps = att
            .messages
            .iter()
            .filter(|m| matches!(m, Message::Assistant { .. }))
            .count();
        Ok(Transcript {
            query: query.to_string(),
            messages: att.messages,
            calls,
            answer: att.answer,
            errors,
            repairs: att.repairs.iter().map(|r| format!("{r:?}")).collect(),
            steps,
            prompt_tokens: after.prompt_tokens.saturating_sub(before.prompt_tokens),
            completion_tokens: after
                .completion_tokens
                .saturating_sub(before.completion_tokens),
            latency_ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_specs_parse() {
        assert_eq!(
            "baseline".parse::<AgentSpec>(),
            Ok(AgentSpec::Policy(PolicyKind::Baseline))
        );
        assert_eq!(
            "policy:oracle".parse::<AgentSpec>(),
            Ok(AgentSpec::Policy(PolicyKind::Oracle))
        );
        assert_eq!(
            "qwen3@http://127.0.0.1:8000/v1".parse::<AgentSpec>(),
            Ok(AgentSpec::Model {
                model: "qwen3".into(),
                base_url: Some("http://127.0.0.1:8000/v1".into())
            })
        );
        assert_eq!(
            "gpt-x".parse::<AgentSpec>(),
            Ok(AgentSpec::Model {
                model: "gpt-x".into(),
                base_url: None
            })
        );
        assert!("policy:nobody".parse::<AgentSpec>().is_err());
        assert!("".parse::<AgentSpec>().is_err());
    }
}
