//! Tool-call codecs, both directions: OpenAI `tool_calls` arguments, Hermes/Qwen
//! `<tool_call>{...}</tool_call>` blocks, BFCL/Python call lists, reasoning in `<think>` tags,
//! and a lenient JSON reader that repairs common model mistakes and says which repairs it made.

pub mod python;
pub mod repair;

use crate::record::Call;
use serde_json::{json, Map, Value};

pub use repair::{parse_lenient, Repair};

/// A text that does not decode, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}, byte {at}: {message}")]
pub struct CodecError {
    /// What was being read ("python call list", "hermes tool call", "arguments").
    pub what: String,
    /// Byte offset of the problem.
    pub at: usize,
    /// The problem.
    pub message: String,
}

impl CodecError {
    /// A new error.
    pub fn new(what: &str, at: usize, message: &str) -> CodecError {
        CodecError {
            what: what.to_string(),
            at,
            message: message.to_string(),
        }
    }
}

/// A decoded call: name, arguments, and the repairs its text needed.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// Function name.
    pub name: String,
    /// Arguments.
    pub arguments: Map<String, Value>,
    /// Repairs applied to the model's text (empty when it was valid as written).
    pub repairs: Vec<Repair>,
}

/// Decodes an OpenAI tool call's `arguments` text into an object, repairing what it can. An
/// empty text is `{}`; a JSON string holding an object (arguments encoded twice) is unwrapped.
pub fn decode_arguments(text: &str) -> Result<(Map<String, Value>, Vec<Repair>), CodecError> {
    if text.trim().is_empty() {
        return Ok((Map::new(), Vec::new()));
    }
    let (v, mut repairs) = parse_lenient(text, "arguments")?;
    match v {
        Value::Object(m) => Ok((m, repairs)),
        Value::String(inner) => match parse_lenient(&inner, "arguments")? {
            (Value::Object(m), more) => {
                repairs.push(Repair::StringForObject);
                repairs.extend(more);
                Ok((m, repairs))
            }
            _ => Err(CodecError::new(
                "arguments",
                0,
                "expected a JSON object, got a string",
            )),
        },
        other => Err(CodecError::new(
            "arguments",
            0,
            &format!("expected a JSON object, got {}", kind(&other)),
        )),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Renders calls as Hermes/Qwen blocks, one `<tool_call>` per call (several = parallel calls).
pub fn hermes_encode(calls: &[Call]) -> String {
    calls
        .iter()
        .map(|c| {
            format!(
                "<tool_call>\n{}\n</tool_call>",
                json!({"name": c.name, "arguments": c.arguments})
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads every `<tool_call>...</tool_call>` block of a text (an unclosed last block runs to the
/// end), each `{"name": ..., "arguments": {...}}`, repairing what it can. Returns the calls and
/// the text outside the blocks.
pub fn hermes_decode(text: &str) -> Result<(Vec<Decoded>, String), CodecError> {
    const OPEN: &str = "<tool_call>";
    const CLOSE: &str = "</tool_call>";
    let mut calls = Vec::new();
    let mut rest = String::new();
    let mut at = 0;
    while let Some(i) = text[at..].find(OPEN) {
        rest.push_str(&text[at..at + i]);
        let start = at + i + OPEN.len();
        let (body, next, closed) = match text[start..].find(CLOSE) {
            Some(j) => (&text[start..start + j], start + j + CLOSE.len(), true),
            None => (&text[start..], text.len(), false),
        };
        let (v, mut repairs) = parse_lenient(body, "hermes tool call")
            .map_err(|e| CodecError::new(&e.what, start + e.at, &e.message))?;
        if !closed {
            repairs.push(Repair::UnclosedBlock);
        }
        let name = v
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| CodecError::new("hermes tool call", start, "no string `name`"))?;
        let arguments = match v.get("arguments").or_else(|| v.get("parameters")) {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(Value::String(s)) => {
                let (m, more) = decode_arguments(s)?;
                repairs.push(Repair::StringForObject);
                repairs.extend(more);
                m
            }
            Some(other) => {
                return Err(CodecError::new(
                    "hermes tool call",
                    start,
                    &format!("`arguments` must be an object, got {}", kind(other)),
                ))
            }
        };
        calls.push(Decoded {
            name: name.to_string(),
            arguments,
            repairs,
        });
        at = next;
    }
    rest.push_str(&text[at..]);
    Ok((calls, rest.trim().to_string()))
}

/// Splits `<think>r</think>rest` into `(r, rest)`, exactly (so an export reads back what it
/// wrote); None when the text does not start with a closed `<think>` block.
pub fn split_think(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix("<think>")?;
    let end = body.find("</think>")?;
    Some((&body[..end], &body[end + "</think>".len()..]))
}

/// Reads a Python call list (BFCL), repairing nothing: `[f(a=1), g()]`.
pub fn python_decode(text: &str) -> Result<Vec<Decoded>, CodecError> {
    let t = repair::strip_fences(text.trim()).unwrap_or(text.trim());
    Ok(python::parse_python_call_list(t)?
        .into_iter()
        .map(|(name, arguments)| Decoded {
            name,
            arguments,
            repairs: Vec::new(),
        })
        .collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn call(name: &str, args: Value) -> Call {
        Call {
            id: "c0".into(),
            name: name.into(),
            arguments: args.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn hermes_reads_parallel_blocks_and_the_text_around_them() {
        let text = "Let me look.\n<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1}}\n</tool_call>\n<tool_call>{'name': 'g', 'arguments': {'b': 'x',}}</tool_call>";
        let (calls, rest) = hermes_decode(text).expect("decodes");
        assert_eq!(rest, "Let me look.");
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].arguments, call("f", json!({"a": 1})).arguments);
        assert!(calls[0].repairs.is_empty());
        assert_eq!(calls[1].name, "g");
        assert!(calls[1].repairs.contains(&Repair::SingleQuotes));
        assert!(calls[1].repairs.contains(&Repair::TrailingComma));
    }

    #[test]
    fn hermes_errors_say_what_is_missing() {
        let e = hermes_decode("<tool_call>{\"arguments\": {}}</tool_call>").expect_err("no name");
        assert!(e.to_string().contains("no string `name`"), "{e}");
        let e = hermes_decode("<tool_call>{\"name\": \"f\", \"arguments\": [1]}</tool_call>")
            .expect_err("array arguments");
        assert!(e.to_string().contains("must be an object"), "{e}");
    }

    #[test]
    fn arguments_encoded_twice_or_empty_decode() {
        let (m, r) = decode_arguments("\"{\\\"a\\\": 1}\"").expect("unwraps");
        assert_eq!(Value::Object(m), json!({"a": 1}));
        assert_eq!(r, vec![Repair::StringForObject]);
        assert_eq!(decode_arguments("  ").expect("empty"), (Map::new(), vec![]));
        assert!(decode_arguments("[1]").is_err());
    }

    #[test]
    fn think_splits_off_reasoning() {
        assert_eq!(
            split_think("<think>plan</think>\nanswer"),
            Some(("plan", "\nanswer"))
        );
        assert_eq!(split_think("answer"), None);
        assert_eq!(split_think("<think>cut off"), None);
    }

    #[test]
    fn python_lists_read_model_style_literals() {
        let got =
            python_decode("```python\n[f(a='it\\'s', b=(1, 2), c=None)]\n```").expect("parses");
        assert_eq!(
            Value::Object(got[0].arguments.clone()),
            json!({"a": "it's", "b": [1, 2], "c": null})
        );
    }

    /// JSON values for the codecs' property tests: every scalar kind (integers to `u64::MAX`,
    /// finite floats), printable, any and delimiter-laden strings, nested lists and objects.
    pub(crate) fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            any::<u64>().prop_map(|u| json!(u)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            "[ -~]{0,12}".prop_map(Value::String),
            "\\PC{0,10}".prop_map(Value::String),
            "[\\x00-\\x1f\"'\\\\()<>/{}\\[\\],:=]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 20, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,5}", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn arb_calls() -> impl Strategy<Value = Vec<Call>> {
        prop::collection::vec(
            (
                "[a-z][a-z_]{0,8}",
                prop::collection::btree_map("[a-z][a-z_]{0,6}", arb_value(), 0..4),
            ),
            0..4,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (n, a))| Call {
                    id: format!("c{i}"),
                    name: n,
                    arguments: a.into_iter().collect(),
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn hermes_round_trips(calls in arb_calls()) {
            let (back, rest) = hermes_decode(&hermes_encode(&calls)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(rest, "");
            let got: Vec<(String, Map<String, Value>)> = back.into_iter().map(|d| { assert!(d.repairs.is_empty()); (d.name, d.arguments) }).collect();
            let want: Vec<(String, Map<String, Value>)> = calls.into_iter().map(|c| (c.name, c.arguments)).collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn openai_arguments_round_trip(calls in arb_calls()) {
            for c in calls {
                let text = Value::Object(c.arguments.clone()).to_string();
                let (back, repairs) = decode_arguments(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(repairs.is_empty());
                prop_assert_eq!(back, c.arguments);
            }
        }

        #[test]
        fn decoders_never_panic(s in "\\PC{0,60}", t in "[<>/a-z_{}\\[\\]()\"':,=0-9 .\\-]{0,60}") {
            for x in [&s, &t] {
                let _ = hermes_decode(x);
                let _ = python_decode(x);
                let _ = decode_arguments(x);
                let _ = split_think(x);
                let _ = parse_lenient(x, "fuzz");
            }
        }
    }
}
