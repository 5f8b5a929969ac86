//! BFCL-compatible AST checker (semantics of BFCL's `ast_checker.py`, `eval_runner.py` and the
//! prompting decoder `default_decode_ast_prompting`), with BFCL's file formats and scoring.
//!
//! - [`decode_prompting`]: BFCL's decoding of `[func(param=value), ...]` text.
//! - [`check_call_list`]: BFCL's checker on decoded calls for one entry.
//! - [`check_entry`]: the whole per-entry path of BFCL's runner (decoding, format check,
//!   relevance/irrelevance rules, checker) on a raw `result` field.
//! - [`score_files`]: questions + possible answers + results files → per-category report.
//! - [`Prepared`]: one question converted once (category, function descriptions, ground
//!   truth), to check many outputs against it cheaply; [`check_entry`] is
//!   `Prepared::new(..).check(..)`.

pub mod ast;
pub mod bigint;
mod fastpy;
pub mod files;
pub mod javalike;
pub mod pyexpr;
pub mod pyjson;
pub mod types;

pub use ast::{CheckOptions, Language};
pub use files::{is_known_category, score_files, CategoryScore, CheckError, Report};
pub use pyexpr::DecodeError;

pub use ast::CheckOutcome;
use ast::{Answer, CheckKind, ModelCall, PreparedTruth};
use javalike::Decoded;
use pyexpr::Call;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use types::PyValue;

/// The verdict on one entry (BFCL's score-file record, reduced).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Entry id.
    pub id: String,
    /// Whether BFCL counts the entry as correct.
    pub valid: bool,
    /// BFCL's `error_type` (`None` when valid).
    pub error_type: Option<String>,
    /// BFCL's error messages.
    pub error: Vec<String>,
    /// Category of the entry.
    pub category: String,
}

impl Verdict {
    fn from_outcome(id: &str, category: &str, o: CheckOutcome) -> Verdict {
        Verdict {
            id: id.to_string(),
            valid: o.valid,
            error_type: if o.valid { None } else { o.error_type },
            error: if o.valid { Vec::new() } else { o.error },
            category: category.to_string(),
        }
    }
}

/// BFCL's category of an entry id: modality prefix (`text:`) and `|`-suffix dropped, then
/// everything before the last `_` (`simple_python_3` → `simple_python`, `live_simple_2-1-0` →
/// `live_simple`, `java_5` → `java`).
pub fn category_of(id: &str) -> String {
    let id = id.split('|').next().unwrap_or(id);
    let id = match id.split_once(':') {
        Some((m, rest))
            if !m.is_empty() && m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            rest
        }
        _ => id,
    };
    id.rsplit_once('_').map_or(id, |(c, _)| c).to_string()
}

/// Whether BFCL scores a category with the relevance runner (`"relevance" in category`).
pub fn is_relevance_category(category: &str) -> bool {
    category.contains("relevance")
}

fn call_to_json(c: &Call) -> Value {
    let mut args = Map::new();
    for (k, v) in &c.args {
        args.insert(k.clone().unwrap_or_else(|| "None".into()), v.to_json());
    }
    let mut m = Map::new();
    m.insert(c.name.clone(), Value::Object(args));
    Value::Object(m)
}

/// Decodes BFCL prompting output (`[func(param=value), ...]`) like BFCL's
/// `default_decode_ast_prompting` with the Python format, as `[{"func": {"param": value}}]`
/// (tuples become arrays).
pub fn decode_prompting(text: &str) -> Result<Vec<Value>, DecodeError> {
    pyexpr::decode_calls(text).map(|calls| calls.iter().map(call_to_json).collect())
}

fn to_model_call(c: Call) -> ModelCall<'static> {
    ModelCall {
        name: Cow::Owned(c.name),
        args: c
            .args
            .into_iter()
            .map(|(k, v)| (k.map_or(PyValue::None, PyValue::Str), v))
            .collect(),
    }
}

/// A model output after BFCL's decoding step.
enum Output<'a> {
    Calls(Vec<ModelCall<'a>>),
    /// Decoded, but not `[{name: {args}}]` (`ast_decoder:decoder_wrong_output_format`).
    WrongFormat,
    /// Decoding raised (`ast_decoder:decoder_failed`).
    Failed(String),
}

fn decode_text(text: &str, lang: Language) -> Output<'static> {
    match lang {
        Language::Python => match pyexpr::decode_calls(text) {
            Ok(calls) => Output::Calls(calls.into_iter().map(to_model_call).collect()),
            Err(e) => Output::Failed(e.message),
        },
        Language::Java | Language::JavaScript => {
            let stripped = text.trim_matches(|c| c == '`' || c == '\n' || c == ' ');
            let mut s = String::new();
            if !stripped.starts_with('[') {
                s.push('[');
            }
            s.push_str(stripped);
            if !s.ends_with(']') {
                s.push(']');
            }
            let r = if lang == Language::Java {
                javalike::decode_java(&s)
            } else {
                javalike::decode_js(&s)
            };
            match r {
                Ok(Decoded::Calls(calls)) => {
                    Output::Calls(calls.into_iter().map(to_model_call).collect())
                }
                Ok(Decoded::NotAList) => Output::WrongFormat,
                Err(e) => Output::Failed(e.message),
            }
        }
    }
}

/// Already-decoded output `[{"func": {"param": value}}]` (arguments may also be a JSON string,
/// as function-calling models return them).
fn decoded_list(items: &[Value]) -> Output<'_> {
    let mut calls = Vec::with_capacity(items.len());
    for item in items {
        let Some(obj) = item.as_object() else {
            return Output::WrongFormat;
        };
        if obj.len() != 1 {
            return Output::WrongFormat;
        }
        let Some((name, args)) = obj.iter().next() else {
            return Output::WrongFormat;
        };
        let args = match args {
            Value::Object(m) => m
                .iter()
                .map(|(k, v)| (PyValue::Str(k.clone()), PyValue::from_json(v)))
                .collect(),
            Value::String(s) => match json_args(s) {
                Ok(a) => a,
                Err(out) => return out,
            },
            _ => return Output::WrongFormat,
        };
        calls.push(ModelCall {
            name: Cow::Borrowed(name),
            args,
        });
    }
    Output::Calls(calls)
}

/// Arguments given as a JSON string, as BFCL's function-calling handlers `json.loads` them
/// (Python's JSON: big ints stay ints); `Err` with the output when they are not an object.
fn json_args(s: &str) -> Result<Vec<(PyValue, PyValue)>, Output<'static>> {
    match pyjson::loads(s) {
        Ok(PyValue::Dict(items)) => Ok(items),
        Ok(_) => Err(Output::WrongFormat),
        Err(e) => Err(Output::Failed(e)),
    }
}

/// [`decoded_list`] on a result read with Python's JSON semantics ([`pyjson::loads`]).
fn decoded_list_py(items: &[PyValue]) -> Output<'_> {
    let mut calls = Vec::with_capacity(items.len());
    for item in items {
        let (PyValue::Dict(obj), 1) = (item, py_len(item)) else {
            return Output::WrongFormat;
        };
        let Some((PyValue::Str(name), args)) = obj.first() else {
            return Output::WrongFormat;
        };
        let args = match args {
            PyValue::Dict(a) => a.clone(),
            PyValue::Str(s) => match json_args(s) {
                Ok(a) => a,
                Err(out) => return out,
            },
            _ => return Output::WrongFormat,
        };
        calls.push(ModelCall {
            name: Cow::Borrowed(name),
            args,
        });
    }
    Output::Calls(calls)
}

fn py_len(v: &PyValue) -> usize {
    match v {
        PyValue::Dict(d) => d.len(),
        PyValue::List(a) | PyValue::Tuple(a) => a.len(),
        _ => 0,
    }
}

/// [`decode_result`] on a result read with Python's JSON semantics.
fn decode_result_py(result: &PyValue, lang: Language) -> Output<'_> {
    match result {
        PyValue::Str(s) => decode_text(s, lang),
        PyValue::List(items) => match items.as_slice() {
            [PyValue::Str(s)] => decode_text(s, lang),
            _ => decoded_list_py(items),
        },
        PyValue::Dict(_) => Output::WrongFormat,
        other => Output::Failed(format!(
            "cannot decode a {} result",
            match other {
                PyValue::None => "null",
                PyValue::Bool(_) => "boolean",
                _ => "number",
            }
        )),
    }
}

fn decode_result(result: &Value, lang: Language) -> Output<'_> {
    match result {
        Value::String(s) => decode_text(s, lang),
        Value::Array(items) => match items.as_slice() {
            [Value::String(s)] => decode_text(s, lang),
            _ => decoded_list(items),
        },
        Value::Object(_) => Output::WrongFormat,
        other => Output::Failed(format!("cannot decode a {} result", json_kind(other))),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Parses a `ground_truth` list `[{"func": {"param": [allowed]}}]`.
pub fn parse_ground_truth(possible: &Value) -> Result<Vec<Answer>, String> {
    let items = possible
        .as_array()
        .ok_or_else(|| format!("expected an array, found {}", json_kind(possible)))?;
    items
        .iter()
        .map(|it| {
            let obj = it
                .as_object()
                .filter(|o| !o.is_empty())
                .ok_or_else(|| "each ground-truth item must be {\"func\": {...}}".to_string())?;
            let (name, params) = obj
                .iter()
                .next()
                .ok_or_else(|| "empty ground-truth item".to_string())?;
            Ok(Answer {
                name: name.clone(),
                params: PyValue::from_json(params),
            })
        })
        .collect()
}

fn relevance_outcome(category: &str, out: Output<'_>) -> CheckOutcome {
    let (contain_call, decode_error) = match out {
        Output::Calls(c) => (!c.is_empty(), None),
        Output::WrongFormat => (false, None),
        Output::Failed(e) => (false, Some(e)),
    };
    let irrelevance = category.contains("irrelevance");
    let success = if irrelevance {
        !contain_call
    } else {
        contain_call
    };
    if success {
        CheckOutcome {
            valid: true,
            error: Vec::new(),
            error_type: None,
        }
    } else if irrelevance {
        CheckOutcome::fail(
            "irrelevance_error:decoder_success",
            "Valid syntax. Successfully decode AST when it should not.",
        )
    } else {
        CheckOutcome::fail(
            "relevance_error:decoder_failed",
            format!(
                "Invalid syntax. Failed to decode AST when it should have. {}",
                decode_error.unwrap_or_else(|| "None".into())
            ),
        )
    }
}

fn ast_outcome(
    truth: &PreparedTruth<'_>,
    out: Output<'_>,
    lang: Language,
    opts: CheckOptions,
) -> CheckOutcome {
    match out {
        Output::Failed(e) => CheckOutcome::fail(
            "ast_decoder:decoder_failed",
            format!("Invalid syntax. Failed to decode AST. {e}"),
        ),
        Output::WrongFormat => CheckOutcome::fail(
            "ast_decoder:decoder_wrong_output_format",
            "Did not output in the specified format. Note: the model_result is wrapped in a string to ensure json serializability.",
        ),
        Output::Calls(calls) => truth.check(&calls, lang, opts),
    }
}

/// One question prepared for checking: its category, language, function descriptions and
/// ground truth are converted once, so that model outputs are checked against it without
/// re-reading the JSON (borrows the function descriptions).
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    id: String,
    category: String,
    lang: Language,
    relevance: bool,
    /// The prepared ground truth, or why it is invalid (unused for relevance categories).
    truth: Result<PreparedTruth<'a>, String>,
}

impl<'a> Prepared<'a> {
    /// Prepares entry `id` (its category comes from the id, as in [`check_entry`]) with its
    /// function descriptions and possible answer (`None`: none in the answers file).
    pub fn new(id: &str, functions: &'a [Value], possible: Option<&Value>) -> Prepared<'a> {
        Prepared::build(
            id,
            category_of(id),
            functions,
            possible.ok_or("no ground truth"),
        )
    }

    /// Prepares an entry of `category` (with an empty id), as [`check_call_list`] does.
    pub fn for_category(category: &str, functions: &'a [Value], possible: &Value) -> Prepared<'a> {
        Prepared::build("", category.to_string(), functions, Ok(possible))
    }

    fn build(
        id: &str,
        category: String,
        functions: &'a [Value],
        possible: Result<&Value, &str>,
    ) -> Prepared<'a> {
        let relevance = is_relevance_category(&category);
        let lang = Language::of_category(&category);
        let truth = if relevance {
            Err(String::new())
        } else {
            match possible {
                Ok(p) => parse_ground_truth(p).map(|answers| {
                    PreparedTruth::new(functions, answers, CheckKind::of_category(&category))
                }),
                Err(e) => Err(e.to_string()),
            }
        };
        Prepared {
            id: id.to_string(),
            category,
            lang,
            relevance,
            truth,
        }
    }

    /// The entry id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The entry's category.
    pub fn category(&self) -> &str {
        &self.category
    }

    fn outcome_of(&self, out: Output<'_>, opts: CheckOptions) -> CheckOutcome {
        if self.relevance {
            return relevance_outcome(&self.category, out);
        }
        match &self.truth {
            Ok(truth) => ast_outcome(truth, out, self.lang, opts),
            Err(e) => CheckOutcome::fail("ast_checker:invalid_ground_truth", e.clone()),
        }
    }

    /// [`Prepared::check`] without the entry's id and category: BFCL's `valid`, `error_type`
    /// and messages only (no per-entry copies of the id and category).
    pub fn judge(&self, result: &Value, opts: CheckOptions) -> CheckOutcome {
        if self.relevance {
            return relevance_outcome(&self.category, decode_result(result, Language::Python));
        }
        if let Err(e) = &self.truth {
            return CheckOutcome::fail("ast_checker:invalid_ground_truth", e.clone());
        }
        self.outcome_of(decode_result(result, self.lang), opts)
    }

    /// BFCL's whole per-entry path on a raw `result` (see [`check_entry`]).
    pub fn check(&self, result: &Value, opts: CheckOptions) -> Verdict {
        Verdict::from_outcome(&self.id, &self.category, self.judge(result, opts))
    }

    /// [`Prepared::check`] on a `result` read with Python's JSON semantics
    /// ([`pyjson::loads`]: ints past `u64` stay ints).
    pub fn check_py(&self, result: &PyValue, opts: CheckOptions) -> Verdict {
        let outcome = if self.relevance {
            relevance_outcome(&self.category, decode_result_py(result, Language::Python))
        } else if let Err(e) = &self.truth {
            CheckOutcome::fail("ast_checker:invalid_ground_truth", e.clone())
        } else {
            self.outcome_of(decode_result_py(result, self.lang), opts)
        };
        Verdict::from_outcome(&self.id, &self.category, outcome)
    }

    /// BFCL's checker on already-decoded calls `[{"func": {"param": value}}]` (see
    /// [`check_call_list`]).
    pub fn check_calls(&self, output: &[Value], opts: CheckOptions) -> Verdict {
        Verdict::from_outcome(
            &self.id,
            &self.category,
            self.outcome_of(decoded_list(output), opts),
        )
    }
}

/// BFCL's checker on already-decoded calls `[{"func": {"param": value}}]` of one entry of
/// `category` (relevance categories only look at whether a call was made).
pub fn check_call_list(
    functions: &[Value],
    possible: &Value,
    output: &[Value],
    category: &str,
) -> Verdict {
    Prepared::for_category(category, functions, possible)
        .check_calls(output, CheckOptions::default())
}

/// BFCL's whole per-entry path on a raw `result` (prompting text, a one-string list, or a
/// decoded call list): decoding, format check, relevance rules, checker.
pub fn check_entry(
    id: &str,
    functions: &[Value],
    possible: Option<&Value>,
    result: &Value,
    opts: CheckOptions,
) -> Verdict {
    Prepared::new(id, functions, possible).check(result, opts)
}

#[cfg(test)]
mod tests;
