//! Request and response shapes of the chat-completions API, kept close to the wire: messages,
//! tools and the raw response stay JSON so nothing a dataset needs (`reasoning_content`, the raw
//! `arguments` string) is dropped by a typed model of the API.

use serde::Serialize;
use serde_json::{json, Map, Value};

/// One chat-completions request (the model name comes from the client's configuration).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChatRequest {
    /// Messages in the OpenAI shape (`{"role": ..., "content": ...}`, tool calls, tool results).
    pub messages: Vec<Value>,
    /// Offered tools in the OpenAI shape (`{"type": "function", "function": {...}}`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Value>,
    /// `"auto"`, `"required"`, `"none"` or a named function.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<Value>,
    /// Structured output, e.g. `{"type": "json_schema", "json_schema": {...}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<Value>,
    /// Sampling seed (servers that support it repeat their output).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Most tokens to generate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
}

impl ChatRequest {
    /// A request of one user message.
    pub fn user(text: &str) -> ChatRequest {
        ChatRequest {
            messages: vec![json!({"role": "user", "content": text})],
            ..ChatRequest::default()
        }
    }

    /// The JSON body sent for `model`.
    pub fn body(&self, model: &str) -> Value {
        let mut o = Map::new();
        o.insert("model".into(), json!(model));
        if let Ok(Value::Object(fields)) = serde_json::to_value(self) {
            o.extend(fields);
        }
        Value::Object(o)
    }
}

/// One tool call of an answer, with its arguments as the raw string the model wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolCallOut {
    /// Call id.
    pub id: String,
    /// Function name.
    pub name: String,
    /// Arguments: the model's own JSON text, unparsed (decoding is the codecs' job).
    pub arguments: String,
}

/// Token counts of one response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Completion tokens.
    pub completion_tokens: u64,
}

/// The first choice of a chat-completions response, plus the raw response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatResponse {
    /// Text content.
    pub content: Option<String>,
    /// Reasoning, from `reasoning_content` (or `reasoning`) when the server returns it.
    pub reasoning: Option<String>,
    /// Tool calls.
    pub tool_calls: Vec<ToolCallOut>,
    /// Why generation stopped (`stop`, `length`, `tool_calls`).
    pub finish_reason: Option<String>,
    /// Token counts (zero when the server does not report them).
    pub usage: Usage,
    /// The whole response as received.
    pub raw: Value,
}

impl ChatResponse {
    /// Reads a response body; the error says which field is missing or malformed.
    pub fn parse(raw: Value) -> Result<ChatResponse, LlmError> {
        let bad = |m: &str| LlmError::BadResponse(m.to_string());
        let choice = raw
            .get("choices")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
            .ok_or_else(|| bad("`choices[0]` is missing"))?;
        let msg = choice
            .get("message")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("`choices[0].message` is missing or not an object"))?;
        let text = |k: &str| msg.get(k).and_then(Value::as_str).map(str::to_string);
        let mut tool_calls = Vec::new();
        for (i, c) in msg
            .get("tool_calls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let f = c.get("function").ok_or_else(|| {
                bad(&format!(
                    "`choices[0].message.tool_calls[{i}].function` is missing"
                ))
            })?;
            let name = f.get("name").and_then(Value::as_str).ok_or_else(|| {
                bad(&format!(
                    "`choices[0].message.tool_calls[{i}].function.name` is missing"
                ))
            })?;
            // Some servers send the arguments as an object instead of a string: keep its text.
            let arguments = match f.get("arguments") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => "{}".to_string(),
                Some(v) => v.to_string(),
            };
            tool_calls.push(ToolCallOut {
                id: c
                    .get("id")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("call_{i}"), str::to_string),
                name: name.to_string(),
                arguments,
            });
        }
        let n = |k: &str| {
            raw.get("usage")
                .and_then(|u| u.get(k))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        Ok(ChatResponse {
            content: text("content"),
            reasoning: text("reasoning_content").or_else(|| text("reasoning")),
            tool_calls,
            finish_reason: choice
                .get("finish_reason")
                .and_then(Value::as_str)
                .map(str::to_string),
            usage: Usage {
                prompt_tokens: n("prompt_tokens"),
                completion_tokens: n("completion_tokens"),
            },
            raw,
        })
    }
}

/// What can go wrong reaching a model. Messages name the endpoint and the cause, never the key.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The client could not be built (bad base URL, bad header).
    #[error("LLM client configuration: {0}")]
    Config(String),
    /// The server refused the request in a way a retry cannot fix (400, 401, 404, ...).
    #[error("{url}: HTTP {status}: {message}")]
    Status {
        /// Endpoint.
        url: String,
        /// HTTP status.
        status: u16,
        /// The start of the server's error body.
        message: String,
    },
    /// Every attempt failed with a retryable error.
    #[error("{url}: gave up after {attempts} attempts; last error: {last}")]
    Exhausted {
        /// Endpoint.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last attempt's error.
        last: String,
    },
    /// A 200 response whose body is not a chat completion.
    #[error("malformed chat completion: {0}")]
    BadResponse(String),
    /// The response cache could not be read or written (the message names the file).
    #[error("response cache: {0}")]
    Cache(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_content_reasoning_tool_calls_and_usage() {
        let raw = json!({"choices": [{"finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": null, "reasoning_content": "think",
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}},
                {"type": "function", "function": {"name": "g", "arguments": {"b": 2}}}
            ]}}], "usage": {"prompt_tokens": 12, "completion_tokens": 3}});
        let r = ChatResponse::parse(raw).expect("parses");
        assert_eq!(r.content, None);
        assert_eq!(r.reasoning.as_deref(), Some("think"));
        assert_eq!(r.finish_reason.as_deref(), Some("tool_calls"));
        assert_eq!(
            r.tool_calls,
            vec![
                ToolCallOut {
                    id: "c1".into(),
                    name: "f".into(),
                    arguments: "{\"a\":1}".into()
                },
                ToolCallOut {
                    id: "call_1".into(),
                    name: "g".into(),
                    arguments: "{\"b\":2}".into()
                },
            ]
        );
        assert_eq!(
            r.usage,
            Usage {
                prompt_tokens: 12,
                completion_tokens: 3
            }
        );
    }

    #[test]
    fn malformed_responses_name_the_field() {
        for (raw, want) in [
            (json!({}), "`choices[0]` is missing"),
            (json!({"choices": [{}]}), "`choices[0].message`"),
            (
                json!({"choices": [{"message": {"tool_calls": [{"function": {}}]}}]}),
                "tool_calls[0].function.name",
            ),
        ] {
            let e = ChatResponse::parse(raw).expect_err("malformed").to_string();
            assert!(e.contains(want), "{e}");
        }
    }

    #[test]
    fn the_body_carries_the_model_and_only_the_set_fields() {
        let mut r = ChatRequest::user("hi");
        r.seed = Some(7);
        assert_eq!(
            r.body("m"),
            json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "seed": 7})
        );
    }
}
