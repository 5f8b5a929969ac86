//! The message-level renderings: OpenAI, ShareGPT, BFCL style, Hermes/Qwen.

use crate::ExportError;
use hardgen_core::record::{Call, Message};
use hardgen_core::{Record, ToolSpec};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// OpenAI messages + tools JSONL.
    Openai,
    /// LLaMA-Factory ShareGPT JSONL (+ `dataset_info.json`). Reasoning is kept as a `<think>`
    /// prefix of `gpt` turns only: a `function_call` value must parse as JSON, so the reasoning of
    /// a turn that calls tools is dropped.
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

/// Tools offered later, by the flattened message index they come with.
type Later = BTreeMap<usize, Vec<Arc<ToolSpec>>>;

/// The tools offered from the start of a record, and those offered later (a missing-function
/// round) keyed by the index of the message, in the record's flattened messages, that they come with.
fn offers(rec: &Record) -> (Vec<Arc<ToolSpec>>, Later) {
    let mut later = BTreeMap::new();
    let mut base = 0;
    for r in &rec.rounds {
        for a in &r.tools_added {
            let specs: Vec<Arc<ToolSpec>> = rec
                .tools
                .iter()
                .filter(|t| a.tools.contains(&t.name))
                .cloned()
                .collect();
            later.insert(base + a.at, specs);
        }
        base += r.trajectory.len();
    }
    let start = rec
        .tools
        .iter()
        .filter(|t| {
            !later
                .values()
                .flatten()
                .any(|l: &Arc<ToolSpec>| l.name == t.name)
        })
        .cloned()
        .collect();
    (start, later)
}

/// The note that announces tools offered from this point on, with their schemas.
fn added_note(tools: &[Arc<ToolSpec>]) -> String {
    let list: Vec<String> = tools
        .iter()
        .map(|t| t.to_openai_plain()["function"].to_string())
        .collect();
    format!("New functions are available:\n{}", list.join("\n"))
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

/// OpenAI messages of a record's example: a tool offered later (missing function) comes as a
/// system message with its schema right before the user message it is offered with.
fn openai_with_notes(rec: &Record, msgs: &[Message], opts: &ExportOptions) -> Vec<Value> {
    let (_, later) = offers(rec);
    let mut out = Vec::new();
    for (i, v) in openai_messages(msgs, opts).into_iter().enumerate() {
        if let Some(t) = later.get(&i) {
            out.push(json!({"role": "system", "content": added_note(t)}));
        }
        out.push(v);
    }
    out
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
                    let inline = format!("{}{text}", think(reasoning));
                    let v = if inline.is_empty() && content.is_none() { Value::Null } else { json!(inline) };
                    o.insert("content".into(), v);
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
    let (start, later) = offers(rec);
    for (i, m) in msgs.iter().enumerate() {
        match m {
            Message::User { content } => {
                flush(&mut pending, &mut conv);
                // ShareGPT has no system turn inside a conversation: the note leads the human turn.
                let value = match later.get(&i) {
                    Some(t) => format!("[{}]\n\n{content}", added_note(t)),
                    None => content.clone(),
                };
                conv.push(json!({"from": "human", "value": value}));
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
        tools_plain(&start)
            .into_iter()
            .map(|t| t["function"].clone())
            .collect(),
    );
    json!({"conversations": conv, "system": system_prompt(&start), "tools": tools.to_string()})
}

fn bfcl(rec: &Record, msgs: &[Message]) -> Value {
    let mut turns: Vec<Value> = Vec::new();
    let mut results: Vec<Value> = Vec::new();
    let flush = |results: &mut Vec<Value>, turns: &mut Vec<Value>| {
        if !results.is_empty() {
            turns.push(json!({"role": "tool", "content": Value::Array(std::mem::take(results)).to_string()}));
        }
    };
    let (start, later) = offers(rec);
    // As BFCL's multi-turn data has it: functions held out until a user turn (by its number).
    let mut missed = Map::new();
    let mut user_turns = 0usize;
    for (i, m) in msgs.iter().enumerate() {
        match m {
            Message::User { content } => {
                flush(&mut results, &mut turns);
                if let Some(t) = later.get(&i) {
                    let docs: Vec<Value> = t.iter().map(|t| t.to_bfcl()).collect();
                    missed.insert(user_turns.to_string(), Value::Array(docs));
                }
                user_turns += 1;
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
                    hardgen_core::calls::python::python_call_list(tool_calls)
                };
                turns.push(
                    json!({"role": "assistant", "content": format!("{}{body}", think(reasoning))}),
                );
            }
            Message::Tool { content, .. } => results.push(content.clone()),
        }
    }
    flush(&mut results, &mut turns);
    let funcs: Vec<Value> = start.iter().map(|t| t.to_bfcl()).collect();
    let mut out = json!({"system": format!("You are an expert in composing functions. Here is a list of functions in JSON format that you can invoke:\n{}\nAnswer with <think>your reasoning</think> followed by either a list of calls [func(param=value), ...] or your final answer.", Value::Array(funcs)), "turns": turns});
    if !missed.is_empty() {
        out["missed_function"] = Value::Object(missed);
    }
    out
}

fn hermes(rec: &Record, msgs: &[Message]) -> Value {
    let (start, later) = offers(rec);
    let tools: Vec<String> = tools_plain(&start).iter().map(Value::to_string).collect();
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
    for (i, m) in msgs.iter().enumerate() {
        match m {
            Message::User { content } => {
                flush(&mut responses, &mut out);
                if let Some(t) = later.get(&i) {
                    let list: Vec<String> = tools_plain(t).iter().map(Value::to_string).collect();
                    out.push(json!({"role": "system", "content": format!("New functions are available within <tools></tools> XML tags:\n<tools>\n{}\n</tools>", list.join("\n"))}));
                }
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
                    text.push_str(&hardgen_core::calls::hermes_encode(tool_calls));
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
            let body = match format {
                Format::Openai | Format::Parquet => json!({"messages": openai_with_notes(rec, msgs, opts), "tools": tools_plain(&offers(rec).0)}),
                Format::Sharegpt => sharegpt(rec, msgs),
                Format::Bfcl => bfcl(rec, msgs),
                Format::Hermes => hermes(rec, msgs),
            };
            // The id first, then the format's own fields.
            let mut o = Map::new();
            o.insert("id".into(), json!(example_id(rec, k, n)));
            if let Value::Object(fields) = body {
                o.extend(fields);
            }
            Value::Object(o)
        })
        .collect()
}

/// Reads an OpenAI-format line back into messages and tools. Reasoning is taken from
/// `reasoning_content`, or from a leading `<think>...</think>` in an assistant's `content`;
/// tool contents are parsed back from their JSON strings (kept as strings when not JSON).
pub fn read_openai_line(line: &str) -> Result<(Vec<Message>, Vec<ToolSpec>), ExportError> {
    let v: Value = serde_json::from_str(line)
        .map_err(|e| ExportError::Parse(format!("OpenAI line is not JSON: {e}")))?;
    let bad = |m: String| ExportError::Parse(format!("OpenAI line: {m}"));
    let tools = match v.get("tools") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ts)) => ts
            .iter()
            .enumerate()
            .map(|(i, t)| ToolSpec::from_value(t, "OpenAI line", &format!("$.tools[{i}]")))
            .collect::<Result<_, _>>()
            .map_err(|e| ExportError::Parse(e.to_string()))?,
        Some(_) => return Err(bad("`tools` is not a list".into())),
    };
    let msgs = v
        .get("messages")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no `messages` list".into()))?;
    let mut out = Vec::with_capacity(msgs.len());
    for (i, m) in msgs.iter().enumerate() {
        let at = format!("$.messages[{i}]");
        let field = |k: &str| -> Result<String, ExportError> {
            m.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| bad(format!("{at}.{k}: missing or not a string")))
        };
        let text = m.get("content").and_then(Value::as_str).map(str::to_string);
        out.push(match m.get("role").and_then(Value::as_str) {
            Some("user") => Message::User {
                content: field("content")?,
            },
            Some("tool") => {
                let raw = field("content")?;
                Message::Tool {
                    tool_call_id: field("tool_call_id")?,
                    name: field("name")?,
                    content: serde_json::from_str(&raw).unwrap_or(Value::String(raw)),
                }
            }
            Some("assistant") => {
                let mut tool_calls = Vec::new();
                for (j, c) in m
                    .get("tool_calls")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let cat = format!("{at}.tool_calls[{j}]");
                    let s = |v: Option<&Value>, k: &str| -> Result<String, ExportError> {
                        v.and_then(Value::as_str)
                            .map(str::to_string)
                            .ok_or_else(|| bad(format!("{cat}.{k}: missing or not a string")))
                    };
                    let f = c.get("function");
                    let args = s(f.and_then(|f| f.get("arguments")), "function.arguments")?;
                    let arguments: Map<String, Value> = serde_json::from_str(&args)
                        .map_err(|e| bad(format!("{cat}.function.arguments: {e}")))?;
                    tool_calls.push(Call {
                        id: s(c.get("id"), "id")?,
                        name: s(f.and_then(|f| f.get("name")), "function.name")?,
                        arguments,
                    });
                }
                let mut reasoning = m
                    .get("reasoning_content")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let mut content = text;
                if reasoning.is_none() {
                    if let Some((r, rest)) = content
                        .as_deref()
                        .and_then(hardgen_core::calls::split_think)
                    {
                        reasoning = Some(r.to_string());
                        content =
                            (!rest.is_empty() || tool_calls.is_empty()).then(|| rest.to_string());
                    }
                }
                Message::Assistant {
                    reasoning,
                    content,
                    tool_calls,
                }
            }
            // A system message (instructions, or tools offered from here on) is not part of
            // the conversation a record holds.
            Some("system") => continue,
            other => return Err(bad(format!("{at}.role: unknown role {other:?}"))),
        });
    }
    Ok((out, tools))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_print_their_names() {
        for f in Format::ALL {
            assert_eq!(f.to_string().parse::<Format>().ok(), Some(f));
        }
        let names: Vec<&str> = Format::ALL.iter().map(Format::file_name).collect();
        assert_eq!(
            names,
            [
                "openai.jsonl",
                "sharegpt.jsonl",
                "bfcl.jsonl",
                "hermes.jsonl",
                "data.parquet"
            ]
        );
        let err = "csv".parse::<Format>().err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("csv")));
    }

    #[test]
    fn openai_reader_names_the_broken_place() {
        let e =
            read_openai_line(r#"{"messages": [{"role": "tool", "content": "{}", "name": "f"}]}"#)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
        assert!(e.contains("$.messages[0].tool_call_id"), "{e}");
        let e = read_openai_line(r#"{"messages": [{"role": "bot", "content": "x"}]}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("unknown role"), "{e}");
        assert!(read_openai_line("not json").is_err());
    }
}
