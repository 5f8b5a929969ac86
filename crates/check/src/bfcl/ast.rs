//! Port of BFCL's `ast_checker.py`: `simple_function_checker`, `multiple_function_checker`,
//! `parallel_function_checker_no_order` (its greedy first-match algorithm), the type checker
//! and the string / list / dict / list-of-dicts value checkers, with BFCL's `error_type`s.

use super::javalike::{java_type_converter, js_type_converter};
use super::types::{str_repr, PyType, PyValue};
use serde_json::Value;
use std::borrow::Cow;

/// Which of BFCL's languages the checker converts values for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Python categories (everything but Java and JavaScript).
    Python,
    /// `java` / `simple_java`: values are Java source strings.
    Java,
    /// `javascript` / `simple_javascript`: values are JavaScript source strings.
    JavaScript,
}

impl Language {
    /// BFCL's `is_java` / `is_js` on a category name.
    pub fn of_category(category: &str) -> Language {
        if category.contains("javascript") {
            Language::JavaScript
        } else if category.contains("java") {
            Language::Java
        } else {
            Language::Python
        }
    }
}

/// One model call as the checker sees it: `{name: {param: value}}` (a `None` key comes from
/// `**kwargs`).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelCall<'a> {
    /// Function name (borrowed from an already-decoded output).
    pub name: Cow<'a, str>,
    /// Arguments in order; keys are `str` (or `None`).
    pub args: Vec<(PyValue, PyValue)>,
}

/// A checker outcome (BFCL's `{"valid", "error", "error_type"}`).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    /// Whether the output is correct.
    pub valid: bool,
    /// Messages.
    pub error: Vec<String>,
    /// BFCL's error type (`None` when valid).
    pub error_type: Option<String>,
}

impl CheckOutcome {
    /// An invalid outcome.
    pub fn fail(error_type: &str, msg: impl Into<String>) -> Self {
        CheckOutcome {
            valid: false,
            error: vec![msg.into()],
            error_type: Some(error_type.to_string()),
        }
    }
}

/// Checker options that BFCL takes from the model's configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// BFCL's `underscore_to_dot` model flag: expected names have `.` replaced by `_` (set for
    /// function-calling models whose API forbids dots; false for prompting models).
    pub underscore_to_dot: bool,
}

/// BFCL's `standardize_string`: drops ` ,./-_*^`, lowercases, `'` → `"`.
pub fn standardize_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' ' | ',' | '.' | '/' | '-' | '_' | '*' | '^' => {}
            '\'' => out.push('"'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Whether a character is dropped by [`standardize_string`].
fn std_dropped(c: char) -> bool {
    matches!(c, ' ' | ',' | '.' | '/' | '-' | '_' | '*' | '^')
}

/// `standardize_string(a) == standardize_string(b)`, compared in one pass without building
/// either string.
fn std_eq(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        let f = |&c: &u8| -> Option<u8> {
            match c {
                b' ' | b',' | b'.' | b'/' | b'-' | b'_' | b'*' | b'^' => None,
                b'\'' => Some(b'"'),
                c => Some(c.to_ascii_lowercase()),
            }
        };
        a.as_bytes()
            .iter()
            .filter_map(f)
            .eq(b.as_bytes().iter().filter_map(f))
    } else {
        let chars = |s: &str| {
            s.chars()
                .filter(|&c| !std_dropped(c))
                .flat_map(|c| if c == '\'' { '"' } else { c }.to_lowercase())
                .collect::<Vec<char>>()
        };
        chars(a) == chars(b)
    }
}

fn std_value(v: &PyValue) -> PyValue {
    match v {
        PyValue::Str(s) => PyValue::Str(standardize_string(s)),
        other => other.clone(),
    }
}

/// `std_value(a) == std_value(b)` without cloning.
fn std_value_eq(a: &PyValue, b: &PyValue) -> bool {
    match (a, b) {
        (PyValue::Str(x), PyValue::Str(y)) => std_eq(x, y),
        (PyValue::Str(_), _) | (_, PyValue::Str(_)) => false,
        _ => a == b,
    }
}

/// Python's iteration/indexing view used by BFCL's `range(len(x))` loops.
fn py_items(v: &PyValue) -> Vec<PyValue> {
    match v {
        PyValue::List(a) | PyValue::Tuple(a) => a.clone(),
        PyValue::Str(s) => s.chars().map(|c| PyValue::Str(c.to_string())).collect(),
        PyValue::Dict(items) => items.iter().map(|(k, _)| k.clone()).collect(),
        _ => Vec::new(),
    }
}

/// [`py_items`] without copying, when the items are stored as they are (lists, tuples and the
/// empty string).
fn items_slice(v: &PyValue) -> Option<&[PyValue]> {
    match v {
        PyValue::List(a) | PyValue::Tuple(a) => Some(a),
        PyValue::Str(s) if s.is_empty() => Some(&[]),
        _ => None,
    }
}

/// `all(f(type(x)) for x in py_items(v))`.
fn all_item_types(v: &PyValue, mut f: impl FnMut(PyType) -> bool) -> bool {
    match v {
        PyValue::List(a) | PyValue::Tuple(a) => a.iter().all(|x| f(x.py_type())),
        PyValue::Str(s) => s.chars().all(|_| f(PyType::Str)),
        PyValue::Dict(items) => items.iter().all(|(k, _)| f(k.py_type())),
        _ => true,
    }
}

fn py_len(v: &PyValue) -> usize {
    match v {
        PyValue::List(a) | PyValue::Tuple(a) => a.len(),
        PyValue::Str(s) => s.chars().count(),
        PyValue::Dict(items) => items.len(),
        PyValue::Bytes(b) => b.len(),
        _ => 0,
    }
}

/// `"" in container` for a list/tuple (or substring for a string).
fn py_contains_empty_str(container: &PyValue) -> bool {
    match container {
        PyValue::List(a) | PyValue::Tuple(a) => a.iter().any(PyValue::is_empty_str),
        PyValue::Str(_) => true,
        PyValue::Dict(items) => items.iter().any(|(k, _)| k.is_empty_str()),
        _ => false,
    }
}

fn python_type(desc: &str) -> PyType {
    match desc {
        "string" | "any" => PyType::Str,
        "integer" => PyType::Int,
        "float" => PyType::Float,
        "boolean" => PyType::Bool,
        "array" | "tuple" => PyType::List,
        "dict" => PyType::Dict,
        // Not in BFCL's mapping (BFCL raises KeyError); nearest Python type.
        "number" | "double" => PyType::Float,
        "object" | "HashMap" => PyType::Dict,
        "list" | "Array" | "ArrayList" => PyType::List,
        "bool" => PyType::Bool,
        "int" | "long" => PyType::Int,
        _ => PyType::Str,
    }
}

fn java_type(desc: &str) -> Option<PyType> {
    Some(match desc {
        "byte" | "short" | "integer" | "long" => PyType::Int,
        "float" | "double" => PyType::Float,
        "boolean" => PyType::Bool,
        "char" | "String" | "any" => PyType::Str,
        "Array" | "ArrayList" | "Queue" | "Stack" => PyType::List,
        "Set" => PyType::Set,
        "HashMap" | "Hashtable" => PyType::Dict,
        _ => return None,
    })
}

fn js_type(desc: &str) -> Option<PyType> {
    Some(match desc {
        "String" | "any" => PyType::Str,
        "integer" | "Bigint" => PyType::Int,
        "float" => PyType::Float,
        "Boolean" => PyType::Bool,
        "dict" => PyType::Dict,
        "array" => PyType::List,
        _ => return None,
    })
}

fn possible_answer_type(possible: &[PyValue]) -> Option<PyType> {
    possible
        .iter()
        .find(|a| !a.is_empty_str())
        .map(PyValue::py_type)
}

/// A checker result with a static error type; messages are only built when `quiet` is off
/// (the parallel checker first tries calls quietly and rebuilds messages on failure).
struct Res {
    valid: bool,
    error: Vec<String>,
    error_type: Option<&'static str>,
}

impl Res {
    fn ok() -> Res {
        Res {
            valid: true,
            error: Vec::new(),
            error_type: None,
        }
    }

    fn fail(error_type: &'static str, quiet: bool, msg: impl FnOnce() -> String) -> Res {
        Res {
            valid: false,
            error: if quiet { Vec::new() } else { vec![msg()] },
            error_type: Some(error_type),
        }
    }

    fn unclear(error_type: &'static str) -> Res {
        Res {
            valid: false,
            error: Vec::new(),
            error_type: Some(error_type),
        }
    }
}

impl From<Res> for CheckOutcome {
    fn from(r: Res) -> CheckOutcome {
        CheckOutcome {
            valid: r.valid,
            error: r.error,
            error_type: r.error_type.map(str::to_string),
        }
    }
}

struct TypeCheck {
    valid: bool,
    error: Vec<String>,
    is_variable: bool,
    error_type: &'static str,
}

fn type_checker(
    param: &str,
    value: &PyValue,
    possible: &[PyValue],
    expected_desc: &str,
    expected: PyType,
    nested: Option<PyType>,
    quiet: bool,
) -> TypeCheck {
    let pa_type = possible_answer_type(possible);
    let is_variable = pa_type.is_some_and(|t| t != expected);
    let vt = value.py_type();
    let mut result = TypeCheck {
        valid: true,
        error: Vec::new(),
        is_variable: false,
        error_type: "type_error:simple",
    };
    if vt == expected {
        match nested {
            None => {
                result.is_variable = is_variable;
                return result;
            }
            Some(nt) => {
                for item in possible {
                    // BFCL's recursive `type_checker(param, v, item, ..., nt, None)` on each
                    // item `v`: valid when `type(v)` is `nt` or the item's answer type.
                    let flag = match item {
                        PyValue::List(inner) => {
                            let inner_pa = possible_answer_type(inner);
                            all_item_types(value, |t| t == nt || inner_pa == Some(t))
                        }
                        _ => true,
                    };
                    if flag {
                        result.is_variable = is_variable;
                        return result;
                    }
                }
                result.valid = false;
                if !quiet {
                    result.error.push(format!(
                        "Nested type checking failed for parameter {}. Expected outer type {} with inner type {}. Parameter value: {}.",
                        str_repr(param),
                        expected_desc,
                        nt.class_str(),
                        value.repr()
                    ));
                }
                result.error_type = "type_error:nested";
            }
        }
    }
    if let Some(t) = pa_type {
        if vt == t {
            result.is_variable = true;
            return result;
        }
    }
    result.valid = false;
    if !quiet {
        result.error.push(format!(
            "Incorrect type for parameter {}. Expected type {}, got {}. Parameter value: {}.",
            str_repr(param),
            expected_desc,
            vt.name(),
            value.repr()
        ));
    }
    result.error_type = "type_error:simple";
    result
}

fn string_checker(param: &str, value: &str, possible: &PyValue, quiet: bool) -> Res {
    let hit = match possible {
        PyValue::List(items) => items
            .iter()
            .filter_map(PyValue::as_str)
            .any(|p| std_eq(p, value)),
        other => py_items(other)
            .iter()
            .filter_map(PyValue::as_str)
            .any(|p| std_eq(p, value)),
    };
    if hit {
        return Res::ok();
    }
    Res::fail("value_error:string", quiet, || {
        format!(
            "Invalid value for parameter {}: {}. Expected one of {}. Case insensitive.",
            str_repr(param),
            str_repr(value),
            possible.repr()
        )
    })
}

/// `[std(x) for x in answer] == [std(x) for x in model]`.
fn std_list_eq(answer: &PyValue, model: &PyValue) -> bool {
    match (items_slice(answer), items_slice(model)) {
        (Some(a), Some(m)) => {
            a.len() == m.len() && a.iter().zip(m).all(|(x, y)| std_value_eq(x, y))
        }
        _ => {
            let a: Vec<PyValue> = py_items(answer).iter().map(std_value).collect();
            let m: Vec<PyValue> = py_items(model).iter().map(std_value).collect();
            PyValue::List(a) == PyValue::List(m)
        }
    }
}

fn list_checker(param: &str, value: &PyValue, possible: &PyValue, quiet: bool) -> Res {
    let hit = match items_slice(possible) {
        Some(answers) => answers.iter().any(|answer| std_list_eq(answer, value)),
        None => py_items(possible)
            .iter()
            .any(|answer| std_list_eq(answer, value)),
    };
    if hit {
        return Res::ok();
    }
    Res::fail("value_error:list/tuple", quiet, || {
        format!(
            "Invalid value for parameter {}: {}. Expected one of {}.",
            str_repr(param),
            value.repr(),
            possible.repr()
        )
    })
}

/// `std(v) in [std(x) for x in py_items(allowed)]`.
fn std_contains(allowed: &PyValue, v: &PyValue) -> bool {
    match items_slice(allowed) {
        Some(items) => items.iter().any(|x| std_value_eq(x, v)),
        None => py_items(allowed).iter().any(|x| std_value_eq(x, v)),
    }
}

fn dict_checker(value: &PyValue, possible_answers: &[PyValue], quiet: bool) -> Res {
    let mut result = Res::unclear("dict_checker:unclear");
    let PyValue::Dict(model) = value else {
        return result;
    };
    for answer in possible_answers {
        if answer.is_empty_str() {
            continue;
        }
        result = Res::unclear("dict_checker:unclear");
        let mut flag = true;
        for (key, v) in model {
            let Some(allowed) = answer.dict_get(key) else {
                if !quiet {
                    result.error.push(format!(
                        "Unexpected dict key parameter: '{}'.",
                        key.to_str()
                    ));
                }
                result.error_type = Some("value_error:dict_key");
                flag = false;
                break;
            };
            if !std_contains(allowed, v) {
                if !quiet {
                    let std_allowed: Vec<PyValue> =
                        py_items(allowed).iter().map(std_value).collect();
                    result.error.push(format!(
                        "Invalid value for parameter {}: {}. Expected one of {}.",
                        key.repr(),
                        v.repr(),
                        PyValue::List(std_allowed).repr()
                    ));
                }
                result.error_type = Some("value_error:dict_value");
                flag = false;
                break;
            }
        }
        if let PyValue::Dict(items) = answer {
            for (key, allowed) in items {
                let present = model.iter().any(|(k, _)| k == key);
                if !present && !py_contains_empty_str(allowed) {
                    if !quiet {
                        result
                            .error
                            .push(format!("Missing dict key parameter: '{}'.", key.to_str()));
                    }
                    result.error_type = Some("value_error:dict_key");
                    flag = false;
                    break;
                }
            }
        }
        if flag {
            return Res::ok();
        }
    }
    result
}

fn list_dict_checker(value: &PyValue, possible_answers: &[PyValue], quiet: bool) -> Res {
    let mut result = Res::unclear("list_dict_checker:unclear");
    let owned;
    let model: &[PyValue] = match items_slice(value) {
        Some(m) => m,
        None => {
            owned = py_items(value);
            &owned
        }
    };
    for answer in possible_answers {
        let mut flag = true;
        if model.len() != py_len(answer) {
            result = Res::fail("value_error:list_dict_count", quiet, || {
                "Wrong number of dictionaries in the list.".to_string()
            });
            continue;
        }
        let owned_answer;
        let answer_items: &[PyValue] = match items_slice(answer) {
            Some(a) => a,
            None => {
                owned_answer = py_items(answer);
                &owned_answer
            }
        };
        for (m, a) in model.iter().zip(answer_items) {
            result = dict_checker(m, std::slice::from_ref(a), quiet);
            if !result.valid {
                flag = false;
                break;
            }
        }
        if flag {
            return Res::ok();
        }
    }
    result
}

/// A function description reduced to what BFCL's checker reads, borrowed from its JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncDoc<'a> {
    /// `name`, when it is a string.
    pub name: Option<&'a str>,
    /// `parameters.properties` in order, when it is an object.
    pub props: Option<Vec<ParamDoc<'a>>>,
    /// The strings of `parameters.required`.
    pub required: Vec<&'a str>,
}

/// One property of a function description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamDoc<'a> {
    /// Parameter name.
    pub name: &'a str,
    /// Its `type` (`"string"` when absent or not a string).
    pub ty: &'a str,
    /// The `type` of its `items` (same default), when it has `items`.
    pub items: Option<&'a str>,
    /// Expected Python type of a Python category's value (from `ty`).
    py: PyType,
    /// Expected Python type of the items (arrays and tuples with `items`).
    py_nested: Option<PyType>,
}

impl<'a> ParamDoc<'a> {
    /// A property of type `ty` (and `items` type).
    pub fn new(name: &'a str, ty: &'a str, items: Option<&'a str>) -> ParamDoc<'a> {
        ParamDoc {
            name,
            ty,
            items,
            py: python_type(ty),
            py_nested: if ty == "array" || ty == "tuple" {
                items.map(python_type)
            } else {
                None
            },
        }
    }
}

/// `v.get(key)` (a linear scan on the small objects of function descriptions).
fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let m = v.as_object()?;
    if m.len() <= 16 {
        m.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        m.get(key)
    }
}

fn type_desc(details: &Value) -> &str {
    field(details, "type")
        .and_then(Value::as_str)
        .unwrap_or("string")
}

impl<'a> FuncDoc<'a> {
    /// Reads a BFCL function description.
    pub fn new(doc: &'a Value) -> FuncDoc<'a> {
        let params = field(doc, "parameters");
        let props = params
            .and_then(|p| field(p, "properties"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(name, details)| {
                        ParamDoc::new(
                            name,
                            type_desc(details),
                            field(details, "items").map(type_desc),
                        )
                    })
                    .collect()
            });
        let required = params
            .and_then(|p| field(p, "required"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        FuncDoc {
            name: field(doc, "name").and_then(Value::as_str),
            props,
            required,
        }
    }

    fn param(&self, name: &str) -> Option<&ParamDoc<'a>> {
        self.props.as_ref()?.iter().find(|p| p.name == name)
    }
}

/// BFCL's `simple_function_checker` for one call.
pub fn simple_function_checker(
    doc: &Value,
    call: &ModelCall<'_>,
    answer_name: &str,
    answer: &PyValue,
    lang: Language,
    opts: CheckOptions,
) -> CheckOutcome {
    let _ = answer_name;
    check_simple(&FuncDoc::new(doc), call, answer, lang, opts, false).into()
}

/// The checks of one argument `param=value` of a call (BFCL's loop body in
/// `simple_function_checker`); `None` when it passes.
fn check_arg(
    param: &str,
    value: &PyValue,
    details: &ParamDoc<'_>,
    allowed: &PyValue,
    lang: Language,
    quiet: bool,
) -> Option<Res> {
    let owned;
    let allowed_items: &[PyValue] = match allowed {
        PyValue::List(a) => a,
        other => {
            owned = py_items(other);
            &owned
        }
    };
    let desc = details.ty;
    let mut value: Cow<'_, PyValue> = Cow::Borrowed(value);
    let nested: Option<PyType>;
    let expected: PyType;
    match lang {
        Language::Python => {
            expected = details.py;
            nested = details.py_nested;
            if let (PyType::List, PyValue::Tuple(items)) = (expected, &*value) {
                if desc == "tuple" {
                    value = Cow::Owned(PyValue::List(items.clone()));
                }
            }
            if expected == PyType::Float && desc == "float" {
                match &*value {
                    PyValue::Int(i) => value = Cow::Owned(PyValue::Float(*i as f64)),
                    // Python's `float(value)`; past the float range Python raises
                    // OverflowError, and the int is left to fail the type check instead.
                    PyValue::BigInt(b) => {
                        if let Some(f) = b.to_f64() {
                            value = Cow::Owned(PyValue::Float(f));
                        }
                    }
                    _ => {}
                }
            }
        }
        Language::Java | Language::JavaScript => {
            let (map, tag): (fn(&str) -> Option<PyType>, &'static str) = if lang == Language::Java {
                (java_type, "type_error:java")
            } else {
                (js_type, "type_error:js")
            };
            let Some(t) = map(desc) else {
                return Some(Res::fail("type_error:unsupported_type", quiet, || {
                    format!("Unsupported type: {desc}")
                }));
            };
            expected = t;
            let PyValue::Str(text) = &*value else {
                return Some(Res::fail(tag, quiet, || {
                    format!(
                        "Incorrect type for parameter {}. Expected type String, got {}. Parameter value: {}.",
                        str_repr(param),
                        value.py_type().name(),
                        value.repr()
                    )
                }));
            };
            let mut nt_of_array = None;
            let converted = if matches!(desc, "Array" | "ArrayList" | "array") {
                let nt = details.items;
                nt_of_array = nt.and_then(map);
                if lang == Language::Java {
                    java_type_converter(text, desc, nt)
                } else {
                    js_type_converter(text, desc, nt)
                }
            } else if lang == Language::Java {
                java_type_converter(text, desc, None)
            } else {
                js_type_converter(text, desc, None)
            };
            nested = nt_of_array;
            value = match converted {
                Ok(v) => Cow::Owned(v),
                Err(e) => {
                    return Some(Res::fail("type_error:unsupported_type", quiet, || e));
                }
            };
            if desc == "tuple" {
                if let PyValue::Tuple(items) = &*value {
                    value = Cow::Owned(PyValue::List(items.clone()));
                }
            }
        }
    }
    let value: &PyValue = &value;
    let tc = type_checker(param, value, allowed_items, desc, expected, nested, quiet);
    if !tc.valid {
        return Some(Res {
            valid: false,
            error: tc.error,
            error_type: Some(tc.error_type),
        });
    }
    if !tc.is_variable {
        let r = if expected == PyType::Dict {
            Some(dict_checker(value, allowed_items, quiet))
        } else if expected == PyType::List && nested == Some(PyType::Dict) {
            Some(list_dict_checker(value, allowed_items, quiet))
        } else if expected == PyType::Str {
            value
                .as_str()
                .map(|s| string_checker(param, s, allowed, quiet))
        } else if expected == PyType::List {
            Some(list_checker(param, value, allowed, quiet))
        } else {
            None
        };
        if let Some(r) = r {
            return (!r.valid).then_some(r);
        }
    }
    if !allowed_items.contains(value) {
        return Some(Res::fail("value_error:others", quiet, || {
            format!(
                "Invalid value for parameter {}: {}. Expected one of {}.",
                str_repr(param),
                value.repr(),
                allowed.repr()
            )
        }));
    }
    None
}

/// BFCL's function-name check (`None` when the name matches).
fn check_name(
    doc: &FuncDoc<'_>,
    call: &ModelCall<'_>,
    opts: CheckOptions,
    quiet: bool,
) -> Option<Res> {
    let name = doc.name.unwrap_or("");
    let func_name: Cow<'_, str> = if opts.underscore_to_dot && name.contains('.') {
        Cow::Owned(name.replace('.', "_"))
    } else {
        Cow::Borrowed(name)
    };
    if call.name != *func_name {
        return Some(Res::fail(
            "simple_function_checker:wrong_func_name",
            quiet,
            || {
                format!(
                    "Function name {} not found in model output.",
                    str_repr(&func_name)
                )
            },
        ));
    }
    None
}

/// A parameter name of a (description, answer) pair: where the description and the answer
/// define it.
#[derive(Debug, Clone)]
struct Slot<'a> {
    name: Cow<'a, str>,
    /// Index in the description's properties.
    param: Option<usize>,
    /// Index in the answer's `{param: [allowed]}` items.
    allowed: Option<usize>,
    /// Whether `""` is among the allowed values (the parameter is optional).
    has_empty: bool,
}

/// A (description, answer) pair joined by parameter name once, so that checking a call
/// looks each argument up once (same checks, same order as [`check_simple`]).
#[derive(Debug, Clone)]
struct Plan<'a> {
    slots: Vec<Slot<'a>>,
    /// Slots of `required`, in order.
    required: Vec<usize>,
    /// Slots of the answer's parameters, in order.
    optional: Vec<usize>,
}

impl<'a> Plan<'a> {
    /// `None` when the answer is not a dict with string keys (the generic path handles it).
    fn new(doc: &FuncDoc<'a>, answer: &PyValue) -> Option<Plan<'a>> {
        let PyValue::Dict(items) = answer else {
            return None;
        };
        let mut slots: Vec<Slot<'a>> = Vec::new();
        fn slot_of<'a>(slots: &mut Vec<Slot<'a>>, name: Cow<'a, str>) -> usize {
            if let Some(k) = slots.iter().position(|s| s.name == name) {
                return k;
            }
            slots.push(Slot {
                name,
                param: None,
                allowed: None,
                has_empty: false,
            });
            slots.len() - 1
        }
        for (pi, p) in doc.props.iter().flatten().enumerate() {
            let k = slot_of(&mut slots, Cow::Borrowed(p.name));
            if slots[k].param.is_some() {
                return None;
            }
            slots[k].param = Some(pi);
        }
        let mut optional = Vec::with_capacity(items.len());
        for (ai, (key, allowed)) in items.iter().enumerate() {
            let PyValue::Str(key) = key else {
                return None;
            };
            let k = slot_of(&mut slots, Cow::Owned(key.clone()));
            if slots[k].allowed.is_some() {
                return None;
            }
            slots[k].allowed = Some(ai);
            slots[k].has_empty = py_contains_empty_str(allowed);
            optional.push(k);
        }
        let required = doc
            .required
            .iter()
            .map(|r| slot_of(&mut slots, Cow::Borrowed(r)))
            .collect();
        Some(Plan {
            slots,
            required,
            optional,
        })
    }
}

/// [`check_simple`] with a [`Plan`] of `doc` and the answer whose items are `answer`.
fn check_planned(
    doc: &FuncDoc<'_>,
    plan: &Plan<'_>,
    call: &ModelCall<'_>,
    answer: &[(PyValue, PyValue)],
    lang: Language,
    opts: CheckOptions,
    quiet: bool,
) -> Res {
    if let Some(r) = check_name(doc, call, opts, quiet) {
        return r;
    }
    const SMALL: usize = 32;
    let (mut present_small, mut present_big) = ([false; SMALL], Vec::new());
    let present: &mut [bool] = if plan.slots.len() <= SMALL {
        &mut present_small[..plan.slots.len()]
    } else {
        present_big.resize(plan.slots.len(), false);
        &mut present_big
    };
    let (mut at_small, mut at_big) = ([usize::MAX; SMALL], Vec::new());
    let arg_slot: &mut [usize] = if call.args.len() <= SMALL {
        &mut at_small[..call.args.len()]
    } else {
        at_big.resize(call.args.len(), usize::MAX);
        &mut at_big
    };
    for ((key, _), at) in call.args.iter().zip(arg_slot.iter_mut()) {
        if let PyValue::Str(key) = key {
            if let Some(k) = plan.slots.iter().position(|s| *s.name == **key) {
                *at = k;
                present[k] = true;
            }
        }
    }
    for &k in &plan.required {
        if !present[k] {
            return Res::fail("simple_function_checker:missing_required", quiet, || {
                format!(
                    "Missing required parameter: {}.",
                    str_repr(&plan.slots[k].name)
                )
            });
        }
    }
    let props = doc.props.as_deref().unwrap_or(&[]);
    for ((key, value), &at) in call.args.iter().zip(arg_slot.iter()) {
        let slot = plan.slots.get(at);
        let details = slot.and_then(|s| s.param).and_then(|i| props.get(i));
        let allowed = slot
            .and_then(|s| s.allowed)
            .and_then(|i| answer.get(i))
            .map(|(_, a)| a);
        let (Some(details), Some(allowed), Some(param)) = (details, allowed, key.as_str()) else {
            return Res::fail("simple_function_checker:unexpected_param", quiet, || {
                format!("Unexpected parameter: {}.", key.repr())
            });
        };
        if let Some(r) = check_arg(param, value, details, allowed, lang, quiet) {
            return r;
        }
    }
    for &k in &plan.optional {
        if !present[k] && !plan.slots[k].has_empty {
            return Res::fail("simple_function_checker:missing_optional", quiet, || {
                format!(
                    "Optional parameter {} not provided and not marked as optional.",
                    str_repr(&plan.slots[k].name)
                )
            });
        }
    }
    Res::ok()
}

fn check_simple(
    doc: &FuncDoc<'_>,
    call: &ModelCall<'_>,
    answer: &PyValue,
    lang: Language,
    opts: CheckOptions,
    quiet: bool,
) -> Res {
    if let Some(r) = check_name(doc, call, opts, quiet) {
        return r;
    }
    let has_param = |p: &str| call.args.iter().any(|(k, _)| k.as_str() == Some(p));
    for p in &doc.required {
        if !has_param(p) {
            return Res::fail("simple_function_checker:missing_required", quiet, || {
                format!("Missing required parameter: {}.", str_repr(p))
            });
        }
    }
    for (key, value) in &call.args {
        let param = key.as_str();
        let details = param.and_then(|k| doc.param(k));
        let allowed = param.and_then(|k| answer.dict_get_str(k));
        let (Some(details), Some(allowed), Some(param)) = (details, allowed, param) else {
            return Res::fail("simple_function_checker:unexpected_param", quiet, || {
                format!("Unexpected parameter: {}.", key.repr())
            });
        };
        if let Some(r) = check_arg(param, value, details, allowed, lang, quiet) {
            return r;
        }
    }
    if let PyValue::Dict(items) = answer {
        for (p, allowed) in items {
            let present = call.args.iter().any(|(k, _)| k == p);
            if !present && !py_contains_empty_str(allowed) {
                return Res::fail("simple_function_checker:missing_optional", quiet, || {
                    format!(
                        "Optional parameter {} not provided and not marked as optional.",
                        p.repr()
                    )
                });
            }
        }
    }
    Res::ok()
}

/// One ground-truth call: `{func_name: {param: [allowed values]}}`.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Expected function name.
    pub name: String,
    /// The `{param: [allowed]}` dict.
    pub params: PyValue,
}

fn find_description(docs: &[Value], name: &str) -> Option<usize> {
    docs.iter()
        .position(|d| field(d, "name").and_then(Value::as_str) == Some(name))
}

fn missing_doc(name: &str) -> Res {
    Res::fail("ast_checker:function_doc_not_found", false, || {
        format!("No function description named {name:?} (BFCL itself would crash here).")
    })
}

/// How BFCL's `ast_checker` dispatches on a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// `parallel` categories: `parallel_function_checker_no_order`.
    Parallel,
    /// `multiple` categories: `multiple_function_checker`.
    Multiple,
    /// Everything else: `simple_function_checker`.
    Simple,
}

impl CheckKind {
    /// BFCL's dispatch on a category name (`parallel`, then `multiple`, else simple).
    pub fn of_category(category: &str) -> CheckKind {
        if category.contains("parallel") {
            CheckKind::Parallel
        } else if category.contains("multiple") {
            CheckKind::Multiple
        } else {
            CheckKind::Simple
        }
    }
}

/// Ground truth with the function descriptions it is checked against, resolved once (the
/// checker's view of a question).
#[derive(Debug, Clone)]
pub struct PreparedTruth<'a> {
    kind: CheckKind,
    answers: Vec<Answer>,
    /// For each answer the BFCL checker looks up, its description in `docs`.
    doc_of: Vec<Option<usize>>,
    docs: Vec<FuncDoc<'a>>,
    /// For each answer with a description, its [`Plan`] (when the answer allows one).
    plans: Vec<Option<Plan<'a>>>,
}

impl<'a> PreparedTruth<'a> {
    /// Resolves the descriptions (`functions`) each answer is checked against.
    pub fn new(functions: &'a [Value], answers: Vec<Answer>, kind: CheckKind) -> Self {
        let mut seen: Vec<usize> = Vec::new();
        let mut docs = Vec::new();
        let mut resolve = |f: Option<usize>| {
            let f = f?;
            if let Some(k) = seen.iter().position(|&s| s == f) {
                return Some(k);
            }
            seen.push(f);
            docs.push(FuncDoc::new(&functions[f]));
            Some(docs.len() - 1)
        };
        let doc_of: Vec<Option<usize>> = match kind {
            CheckKind::Simple => answers
                .iter()
                .take(1)
                .map(|_| resolve((!functions.is_empty()).then_some(0)))
                .collect(),
            CheckKind::Multiple => answers
                .iter()
                .take(1)
                .map(|a| resolve(find_description(functions, &a.name)))
                .collect(),
            CheckKind::Parallel => answers
                .iter()
                .map(|a| resolve(find_description(functions, &a.name)))
                .collect(),
        };
        let plans = doc_of
            .iter()
            .zip(&answers)
            .map(|(d, a)| d.and_then(|k| Plan::new(&docs[k], &a.params)))
            .collect();
        PreparedTruth {
            kind,
            answers,
            doc_of,
            docs,
            plans,
        }
    }

    /// BFCL's `simple_function_checker` of `call` against answer `i` (with its description).
    fn check_call(
        &self,
        i: usize,
        doc: &FuncDoc<'_>,
        call: &ModelCall<'_>,
        lang: Language,
        opts: CheckOptions,
        quiet: bool,
    ) -> Res {
        let Some(answer) = self.answers.get(i) else {
            return Res::ok();
        };
        match (self.plans.get(i), &answer.params) {
            (Some(Some(plan)), PyValue::Dict(items)) => {
                check_planned(doc, plan, call, items, lang, opts, quiet)
            }
            _ => check_simple(doc, call, &answer.params, lang, opts, quiet),
        }
    }

    fn doc(&self, i: usize) -> Option<&FuncDoc<'a>> {
        self.doc_of.get(i).copied().flatten().map(|k| &self.docs[k])
    }

    /// BFCL's `ast_checker` on decoded model calls.
    pub fn check(
        &self,
        output: &[ModelCall<'_>],
        lang: Language,
        opts: CheckOptions,
    ) -> CheckOutcome {
        self.run(output, lang, opts).into()
    }

    fn run(&self, output: &[ModelCall<'_>], lang: Language, opts: CheckOptions) -> Res {
        let answers = &self.answers;
        match self.kind {
            CheckKind::Parallel => self.parallel(output, lang, opts),
            CheckKind::Multiple => {
                let wrong_count = || {
                    Res::fail("multiple_function_checker:wrong_count", false, || {
                        "Wrong number of functions.".to_string()
                    })
                };
                if output.len() != answers.len() {
                    return wrong_count();
                }
                let (Some(answer), Some(call)) = (answers.first(), output.first()) else {
                    return wrong_count();
                };
                match self.doc(0) {
                    Some(doc) => self.check_call(0, doc, call, lang, opts, false),
                    None => missing_doc(&answer.name),
                }
            }
            CheckKind::Simple => {
                if output.len() != 1 {
                    return Res::fail("simple_function_checker:wrong_count", false, || {
                        "Wrong number of functions.".to_string()
                    });
                }
                match (self.doc(0), answers.first()) {
                    (Some(doc), Some(_)) => self.check_call(0, doc, &output[0], lang, opts, false),
                    _ => missing_doc(answers.first().map_or("", |a| a.name.as_str())),
                }
            }
        }
    }

    fn parallel(&self, output: &[ModelCall<'_>], lang: Language, opts: CheckOptions) -> Res {
        let answers = &self.answers;
        if output.len() != answers.len() {
            return Res::fail(
                "parallel_function_checker_no_order:wrong_count",
                false,
                || "Wrong number of functions.".to_string(),
            );
        }
        let mut matched = vec![false; output.len()];
        for (i, answer) in answers.iter().enumerate() {
            let Some(doc) = self.doc(i) else {
                return missing_doc(&answer.name);
            };
            // Quiet first: messages of calls that fail only matter when none matches.
            let hit = (0..output.len()).find(|&index| {
                !matched[index]
                    && self
                        .check_call(i, doc, &output[index], lang, opts, true)
                        .valid
            });
            if let Some(index) = hit {
                matched[index] = true;
                continue;
            }
            let considered: Vec<String> = (0..output.len())
                .filter(|&k| !matched[k])
                .map(|k| k.to_string())
                .collect();
            let mut errors = vec![format!(
                "Could not find a matching function among index [{}] of model output for index {i} of possible answers.",
                considered.join(", ")
            )];
            for (index, call) in output.iter().enumerate() {
                if matched[index] {
                    continue;
                }
                let r = self.check_call(i, doc, call, lang, opts, false);
                errors.push(format!(
                    "Model Result Index {index}: {}: {}",
                    r.error_type.unwrap_or_default(),
                    r.error.join(" ")
                ));
            }
            return Res {
                valid: false,
                error: errors,
                error_type: Some("parallel_function_checker_no_order:cannot_find_match"),
            };
        }
        Res::ok()
    }
}

/// BFCL's `ast_checker`: dispatch on the category (`parallel`, then `multiple`, else simple).
pub fn ast_checker(
    docs: &[Value],
    output: &[ModelCall<'_>],
    answers: &[Answer],
    lang: Language,
    category: &str,
    opts: CheckOptions,
) -> CheckOutcome {
    PreparedTruth::new(docs, answers.to_vec(), CheckKind::of_category(category))
        .check(output, lang, opts)
}

/// BFCL's `parallel_function_checker_no_order`: for each expected call in order, the first
/// not-yet-matched model call that passes is taken (greedy, not an optimal matching).
pub fn parallel_no_order(
    docs: &[Value],
    output: &[ModelCall<'_>],
    answers: &[Answer],
    lang: Language,
    opts: CheckOptions,
) -> CheckOutcome {
    PreparedTruth::new(docs, answers.to_vec(), CheckKind::Parallel).check(output, lang, opts)
}
