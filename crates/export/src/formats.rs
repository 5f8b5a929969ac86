//! The message-level renderings: OpenAI, ShareGPT, BFCL style, Hermes/Qwen.

use crate::python;
use crate::ExportError;
use hardgen_core::record::{Call, Message};
use hardgen_core::{Record, ToolSpec};
use serde_json::{json, Map, Value};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// OpenAI messages + tools JSONL.
    Openai,
    /// LLaMA-Factory ShareGPT JSONL (+ `dataset_info.json`).
    Sharegpt,
    /// BFCL style: Python call lists and `<think>`.
    Bfcl,
    /// Hermes / Qwen: `<tool_call>` and `<tool_response>` blocks.
    Hermes,
    /// Parquet for HF datasets (+ `README.md` dataset card).
    Parquet,
}

impl Format {
    /// All formats.
    pub const ALL: [Format; 5] = [
        Format::Openai,
        Format::Sharegpt,
        Format::Bfcl,
        Format::Hermes,
        Format::Parquet,
    ];

    /// The data file the format writes.
    pub fn file_name(&self) -> &'static str {
        match self {
            Format::Openai => "openai.jsonl",
            Format::Sharegpt => "sharegpt.jsonl",
            Format::Bfcl => "bfcl.jsonl",
            Format::Hermes => "hermes.jsonl",
            Format::Parquet => "data.parquet",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Openai => "openai",
            Format::Sharegpt => "sharegpt",
            Format::Bfcl => "bfcl",
            Format::Hermes => "hermes",
            Format::Parquet => "parquet",
        })
    }
}

impl FromStr for Format {
    type Err = ExportError;
    fn from_str(s: &str) -> Result<Self, ExportError> {
        Format::ALL
            .into_iter()
            .find(|f| f.to_string() == s)
            .ok_or_else(|| {
                ExportError::Parse(format!(
                    "unknown format `{s}`; use openai, sharegpt, bfcl, hermes or parquet"
                ))
            })
    }
}

/// Rendering options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// One example per assistant turn (earlier assistant turns lose their reasoning).
    pub split_turns: bool,
    /// OpenAI: reasoning inline as `<think>...</think>` at the start of `content`.
    pub think_inline: bool,
}

/// The message lists to render for a record: its rounds as one conversation, or (split) one
/// prefix per assistant turn, each ending at that turn.
pub fn examples(rec: &Record, opts: &ExportOptions) -> Vec<Vec<Message>> {
    let all: Vec<Message> = rec
        .rounds
        .iter()
        .flat_map(|r| r.trajectory.iter().cloned())
        .collect();
    if !opts.split_turns {
        return vec![all];
    }
    let ends: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, m)| matches!(m, Message::Assistant { .. }))
        .map(|(i, _)| i)
        .collect();
    ends.iter()
        .map(|&end| {
            all[..=end]
                .iter()
                .enumerate()
                .map(|(i, m)| match m {
                    Message::Assistant {
                        content,
                        tool_calls,
                        ..
                    } if i < end => Message::Assistant {
                        reasoning: None,
                        content: content.clone(),
                        tool_calls: tool_calls.clone(),
                    },
                    other => other.clone(),
                })
                .collect()
        })
        .collect()
}

fn example_id(rec: &Record, k: usize, n: usize) -> String {
    if n == 1 {
        rec.id.clone()
    } else {
        format!("{}-t{k}", rec.id)
    }
}

fn think(reasoning: &Option<String>) -> String {
    reasoning
        .as_ref()
        .map(|r| format!("<think>{r}</think>"))
        .unwrap_or_default()
}

fn tools_plain(tools: &[Arc<ToolSpec>]) -> Vec<Value> {
    tools.iter().map(|t| t.to_openai_plain()).collect()
}

fn system_prompt(tools: &[Arc<ToolSpec>]) -> String {
    let list: Vec<String> = tools
        .iter()
        .map(|t| t.to_openai_plain()["function"].to_string())
        .collect();
    format!(
        "You are an assistant that completes the user's request by calling functions. Think before each step. \
         You can call these functions:\n{}",
        list.join("\n")
    )
}

/// OpenAI messages: assistant tool calls with JSON-string arguments, tool messages with JSON-string content.
pub fn openai_messages(msgs: &[Message], opts: &ExportOptions) -> Vec<Value> {
    msgs.iter()
        .map(|m| match m {
            Message::User { content } => json!({"role": "user", "content": content}),
            Message::Assistant { reasoning, content, tool_calls } => {
                let mut o = Map::new();
                o.insert("role".into(), json!("assistant"));
                let text = content.clone().unwrap_or_default();
                if opts.think_inline {
                    o.insert("content".into(), json!(format!("{}{text}", think(reasoning))));
                } else {
                    o.insert("content".into(), if content.is_some() { json!(text) } else { Value::Null });
                    if let Some(r) = reasoning {
                        o.insert("reasoning_content".into(), json!(r));
                    }
                }
                if !tool_calls.is_empty() {
                    let calls: Vec<Value> = tool_calls
                        .iter()
                        .map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": Value::Object(c.arguments.clone()).to_string()}}))
                        .collect();
                    o.insert("tool_calls".into(), Value::Array(calls));
                }
                Value::Object(o)
            }
            Message::Tool { tool_call_id, name, content } => json!({"role": "tool", "tool_call_id": tool_call_id, "name": name, "content": content.to_string()}),
        })
        .collect()
}

fn sharegpt(rec: &Record, msgs: &[Message]) -> Value {
    let mut conv: Vec<Value> = Vec::new();
    let mut pending: Vec<Value> = Vec::new();
    let flush = |pending: &mut Vec<Value>, conv: &mut Vec<Value>| {
        if pending.is_empty() {
            return;
        }
        let v = if pending.len() == 1 {
            pending[0].to_string()
        } else {
            Value::Array(std::mem::take(pending)).to_string()
        };
        pending.clear();
        conv.push(json!({"from": "observation", "value": v}));
    };
    for m in msgs {
        match m {
            Message::User { content } => {
                flush(&mut pending, &mut conv);
                conv.push(json!({"from": "human", "value": content}));
            }
            Message::Assistant {
                reasoning,
                content,
                tool_calls,
            } => {
                flush(&mut pending, &mut conv);
                if tool_calls.is_empty() {
                    conv.push(json!({"from": "gpt", "value": format!("{}{}", think(reasoning), content.clone().unwrap_or_default())}));
                } else {
                    // The value must parse as JSON, so reasoning of a call turn is not kept here.
                    let calls: Vec<Value> = tool_calls
                        .iter()
                        .map(|c| json!({"name": c.name, "arguments": c.arguments}))
                        .collect();
                    let v = if calls.len() == 1 {
                        calls[0].to_string()
                    } else {
                        Value::Array(calls).to_string()
                    };
                    conv.push(json!({"from": "function_call", "value": v}));
                }
            }
            Message::Tool { content, .. } => pending.push(content.clone()),
        }
    }
    flush(&mut pending, &mut conv);
    let tools = Value::Array(
        tools_plain(&rec.tools)
            .into_iter()
            .map(|t| t["function"].clone())
            .collect(),
    );
    json!({"conversations": conv, "system": system_prompt(&rec.tools), "tools": tools.to_string()})
}

fn bfcl(rec: &Record, msgs: &[Message]) -> Value {
    let mut turns: Vec<Value> = Vec::new();
    let mut results: Vec<Value> = Vec::new();
    let flush = |results: &mut Vec<Value>, turns: &mut Vec<Value>| {
        if !results.is_empty() {
            turns.push(json!({"role": "tool", "content": Value::Array(std::mem::take(results)).to_string()}));
        }
    };
    for m in msgs {
        match m {
            Message::User { content } => {
                flush(&mut results, &mut turns);
                turns.push(json!({"role": "user", "content": content}));
            }
            Message::Assistant {
                reasoning,
                content,
                tool_calls,
            } => {
                flush(&mut results, &mut turns);
                let body = if tool_calls.is_empty() {
                    content.clone().unwrap_or_default()
                } else {
                    python::call_list(tool_calls)
                };
                turns.push(
                    json!({"role": "assistant", "content": format!("{}{body}", think(reasoning))}),
                );
            }
            Message::Tool { content, .. } => results.push(content.clone()),
        }
    }
    flush(&mut results, &mut turns);
    let funcs: Vec<Value> = rec.tools.iter().map(|t| t.to_bfcl()).collect();
    json!({"system": format!("You are an expert in composing functions. Here is a list of functions in JSON format that you can invoke:\n{}\nAnswer with <think>your reasoning</think> followed by either a list of calls [func(param=value), ...] or your final answer.", Value::Array(funcs)), "turns": turns})
}

fn hermes(rec: &Record, msgs: &[Message]) -> Value {
    let tools: Vec<String> = tools_plain(&rec.tools)
        .iter()
        .map(Value::to_string)
        .collect();
    let mut out = vec![json!({"role": "system", "content": format!(
        "You are a function calling AI model. You are provided with function signatures within <tools></tools> XML tags. \
         For each function call return a json object with function name and arguments within <tool_call></tool_call> XML tags.\n<tools>\n{}\n</tools>",
        tools.join("\n"))})];
    let mut responses: Vec<String> = Vec::new();
    let flush = |responses: &mut Vec<String>, out: &mut Vec<Value>| {
        if !responses.is_empty() {
            out.push(json!({"role": "tool", "content": std::mem::take(responses).join("\n")}));
        }
    };
    for m in msgs {
        match m {
            Message::User { content } => {
                flush(&mut responses, &mut out);
                out.push(json!({"role": "user", "content": content}));
            }
            Message::Assistant {
                reasoning,
                content,
                tool_calls,
            } => {
                flush(&mut responses, &mut out);
                let mut text = think(reasoning);
                if !text.is_empty() {
                    text.push('\n');
                }
                if tool_calls.is_empty() {
                    text.push_str(content.as_deref().unwrap_or_default());
                } else {
                    let blocks: Vec<String> = tool_calls
                        .iter()
                        .map(|c| {
                            format!(
                                "<tool_call>\n{}\n</tool_call>",
                                json!({"name": c.name, "arguments": c.arguments})
                            )
                        })
                        .collect();
                    text.push_str(&blocks.join("\n"));
                }
                out.push(json!({"role": "assistant", "content": text}));
            }
            Message::Tool { content, .. } => {
                responses.push(format!("<tool_response>\n{content}\n</tool_response>"))
            }
        }
    }
    flush(&mut responses, &mut out);
    json!({"messages": out})
}

/// One JSON value per example of `rec` in a JSON format (Parquet rows use the OpenAI messages).
pub fn render(format: Format, rec: &Record, opts: &ExportOptions) -> Vec<Value> {
    let exs = examples(rec, opts);
    let n = exs.len();
    exs.iter()
        .enumerate()
        .map(|(k, msgs)| {
            let mut v = match format {
                Format::Openai | Format::Parquet => json!({"messages": openai_messages(msgs, opts), "tools": tools_plain(&rec.tools)}),
                Format::Sharegpt => sharegpt(rec, msgs),
                Format::Bfcl => bfcl(rec, msgs),
                Format::Hermes => hermes(rec, msgs),
            };
            if let Some(o) = v.as_object_mut() {
                o.insert("id".into(), json!(example_id(rec, k, n)));
            }
            v
        })
        .collect()
}

/// Reads an OpenAI-format line back into messages and tools.
pub fn read_openai_line(line: &str) -> Result<(Vec<Message>, Vec<ToolSpec>), ExportError> {
    let v: Value =
        serde_json::from_str(line).map_err(|e| ExportError::Parse(format!("not JSON: {e}")))?;
    let bad = |m: &str| ExportError::Parse(format!("OpenAI line: {m}"));
    let tools = match v.get("tools") {
        Some(t) => hardgen_core::parse_specs(&t.to_string(), "openai line")
            .map_err(|e| ExportError::Parse(e.to_string()))?,
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for m in v
        .get("messages")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no messages"))?
    {
        let role = m.get("role").and_then(Value::as_str).unwrap_or("");
        let text = m.get("content").and_then(Value::as_str).map(str::to_string);
        out.push(match role {
            "user" => Message::User {
                content: text.unwrap_or_default(),
            },
            "tool" => {
                let raw = text.unwrap_or_default();
                Message::Tool {
                    tool_call_id: m
                        .get("tool_call_id")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .into(),
                    name: m.get("name").and_then(Value::as_str).unwrap_or("").into(),
                    content: serde_json::from_str(&raw).unwrap_or(Value::String(raw)),
                }
            }
            "assistant" => {
                let mut calls = Vec::new();
                for c in m
                    .get("tool_calls")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let f = &c["function"];
                    let args: Map<String, Value> =
                        serde_json::from_str(f["arguments"].as_str().unwrap_or("{}"))
                            .map_err(|e| bad(&format!("arguments: {e}")))?;
                    calls.push(Call {
                        id: c["id"].as_str().unwrap_or("").into(),
                        name: f["name"].as_str().unwrap_or("").into(),
                        arguments: args,
                    });
                }
                Message::Assistant {
                    reasoning: m
                        .get("reasoning_content")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    content: text,
                    tool_calls: calls,
                }
            }
            other => return Err(bad(&format!("unknown role {other:?}"))),
        });
    }
    Ok((out, tools))
}
