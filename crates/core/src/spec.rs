//! Tool specs: OpenAI function JSON plus `domain` and `returns`, and readers for the OpenAI and BFCL dialects.

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{json, Map, Value};

/// A tool: name, description, domain, parameter schema and result schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    /// Unique tool name (`^[A-Za-z0-9_.-]{1,64}$`).
    pub name: String,
    /// What the tool does, for a model to read.
    pub description: String,
    /// Domain the tool belongs to (empty when unknown).
    pub domain: String,
    /// JSON Schema (`type: object`) of the arguments.
    pub parameters: Value,
    /// JSON Schema of the result, when known.
    pub returns: Option<Value>,
    /// Whether the tool only reads (changes no state), when the source says so: MCP's
    /// `readOnlyHint`, an OpenAPI `GET`, the built-in world's kind of operation.
    pub read_only: Option<bool>,
}

/// Whether a parameter or field name reads as an identifier or token that only a tool result
/// can supply (`contact_id`, `flightId`, `session_token`).
pub fn is_identifier_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "id"
        || n.ends_with("_id")
        || (name.len() > 2 && name.ends_with("Id")) // camelCase `flightId`
        || n == "token"
        || n.ends_with("_token")
        || n.ends_with("_key")
        || n.ends_with("_handle")
        || n.ends_with("_uuid")
}

/// A tool's own description without a preamble about its whole system (BFCL's "This tool
/// belongs to the travel system, which allows users to ... Tool description: Book a flight").
/// A lead that speaks of the tool itself ("This tool is used to bypass ...", "Use this function
/// to search ...") is dropped too: what is left opens with what the tool does.
pub fn own_description(description: &str) -> &str {
    let own = match description.find("Tool description:") {
        Some(i) => description[i + "Tool description:".len()..].trim_start(),
        None => description,
    };
    // Longest first: "This tool is used to" before "This tool".
    const LEADS: &[&str] = &[
        "this tool is used to ",
        "this function is used to ",
        "this tool is designed to ",
        "this function is designed to ",
        "this tool can be used to ",
        "this function can be used to ",
        "this tool allows you to ",
        "this function allows you to ",
        "use this function to ",
        "use this tool to ",
        "this function ",
        "this tool ",
        "this endpoint ",
        "this method ",
    ];
    LEADS
        .iter()
        .find(|l| {
            own.get(..l.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(l))
        })
        // "This tool is ..." or "This function will ..." says what it is, not what it does.
        .filter(|l| {
            let next = own[l.len()..].split(' ').next().unwrap_or("");
            !matches!(
                next,
                "is" | "will" | "can" | "should" | "must" | "has" | "may"
            )
        })
        .map_or(own, |l| &own[l.len()..])
}

/// The closed list of values a description spells out: BFCL's "[Enum]: USD, EUR" and
/// `[Enum]: ["on", "off"]`, "Options are: economy, business, first.", "Here are the options:
/// read_write, read, write", "Type of the order (Buy/Sell)", "('l' for lines, 'w' for
/// words)". Unlike examples ("e.g. italian"), the list is the whole range; a format
/// ("(YYYY/MM/DD)") is no list.
pub fn stated_choices(description: &str) -> Vec<String> {
    let lower = description.to_lowercase();
    let clean = |x: &str| {
        x.trim()
            .trim_start_matches("and ")
            .trim_start_matches("or ")
            .trim_matches(|c: char| {
                matches!(c, '"' | '\'' | '`' | '[' | ']' | '.') || c.is_whitespace()
            })
            .to_string()
    };
    let marker = [
        "[enum]:",
        "options are:",
        "the options:",
        "options:",
        "possible values:",
        "allowed values:",
        "valid values:",
        "one of:",
    ]
    .iter()
    .find_map(|m| lower.find(m).map(|i| i + m.len()));
    if let Some(at) = marker {
        let rest = &description[at..];
        // A JSON list runs to its bracket; a plain one to the end of the sentence.
        let clause = if rest.trim_start().starts_with('[') {
            rest.split(']').next().unwrap_or("")
        } else {
            rest.split(". ")
                .next()
                .unwrap_or("")
                .split('\n')
                .next()
                .unwrap_or("")
        };
        let out: Vec<String> = clause
            .split(',')
            .map(clean)
            .filter(|x| !x.is_empty() && x.split(' ').count() <= 4)
            .collect();
        if out.len() >= 2 {
            return out;
        }
    }
    // "(Buy/Sell)": two or three words in parentheses, split by slashes.
    if let Some(inner) = description
        .split('(')
        .nth(1)
        .and_then(|x| x.split(')').next())
    {
        let parts: Vec<&str> = inner.split('/').map(str::trim).collect();
        let format = |x: &str| x.chars().all(|c| "YMDHSmhs".contains(c));
        if (2..=4).contains(&parts.len())
            && parts.iter().all(|x| {
                !x.is_empty()
                    && !x.contains(' ')
                    && x.chars().all(char::is_alphanumeric)
                    && !format(x)
            })
        {
            return parts.into_iter().map(str::to_string).collect();
        }
        // "('l' for lines, 'w' for words)": the quoted codes.
        let quoted: Vec<String> = inner
            .split(',')
            .filter_map(|x| {
                let x = x.trim();
                let q = x.strip_prefix('\'')?;
                Some(q.split('\'').next()?.to_string())
            })
            .filter(|x| !x.is_empty())
            .collect();
        if quoted.len() >= 2 {
            return quoted;
        }
    }
    Vec::new()
}

/// The range a number's description states when its schema gives none: "between 0 (not
/// pressed) and 1 (fully pressed)", "from 1 to 5", "in the range 0 to 100". None when the
/// words give no two numbers in order.
pub fn stated_range(description: &str) -> Option<(f64, f64)> {
    let lower = description.to_ascii_lowercase();
    // Words outside parentheses, so "0 (not pressed) and 1" reads "0 and 1".
    let mut depth = 0usize;
    let plain: String = lower
        .chars()
        .filter(|&c| {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    return false;
                }
                _ => {}
            }
            depth == 0 && c != '('
        })
        .collect();
    let words: Vec<&str> = plain.split_whitespace().collect();
    let num = |w: &str| {
        w.trim_end_matches([',', '.', ';', ':', '%'])
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
    };
    (0..words.len()).find_map(|i| {
        let joiner = match words[i] {
            "between" => "and",
            "from" | "range" => "to",
            _ => return None,
        };
        let lo = num(words.get(i + 1)?)?;
        (*words.get(i + 2)? == joiner).then_some(())?;
        let hi = num(words.get(i + 3)?)?;
        (lo < hi).then_some((lo, hi))
    })
}

/// The stem of an id field name: "supply_point" of `supply_point_id`, "station" of the
/// camelCase `stationId` and of `stationID`; None for other names.
pub fn id_stem(name: &str) -> Option<&str> {
    name.strip_suffix("_id")
        .or_else(|| name.strip_suffix("Id"))
        .or_else(|| name.strip_suffix("ID"))
        .filter(|s| !s.is_empty() && !s.ends_with('_'))
        // "paid", "valid": a camelCase id ends its stem in a lowercase letter or digit.
        .filter(|s| {
            name.ends_with("_id")
                || s.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// A malformed spec: names the source file and the JSON path of the bad part.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{source_name}: {path}: {message}")]
pub struct SpecError {
    /// File (or other source) the spec came from.
    pub source_name: String,
    /// JSON path of the offending value, e.g. `$[2].function.parameters.properties.city.type`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl SpecError {
    fn new(source: &str, path: &str, message: impl Into<String>) -> Self {
        SpecError {
            source_name: source.to_string(),
            path: path.to_string(),
            message: message.into(),
        }
    }
}

#[derive(Serialize)]
struct FunctionOut<'a> {
    name: &'a str,
    description: &'a str,
    parameters: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    returns: Option<&'a Value>,
    #[serde(skip_serializing_if = "str::is_empty")]
    domain: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    read_only: Option<bool>,
}

impl Serialize for ToolSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(rename = "type")]
            kind: &'static str,
            function: FunctionOut<'a>,
        }
        Out {
            kind: "function",
            function: FunctionOut {
                name: &self.name,
                description: &self.description,
                parameters: &self.parameters,
                returns: self.returns.as_ref(),
                domain: &self.domain,
                read_only: self.read_only,
            },
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ToolSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        ToolSpec::from_value(&v, "<input>", "$").map_err(serde::de::Error::custom)
    }
}

impl ToolSpec {
    /// The spec in BFCL's dialect: `{"name", "description", "parameters" (type `dict`), "response"}`.
    pub fn to_bfcl(&self) -> Value {
        let mut o = Map::new();
        o.insert("name".into(), json!(self.name));
        o.insert("description".into(), json!(self.description));
        o.insert("parameters".into(), to_bfcl_schema(&self.parameters));
        if let Some(r) = &self.returns {
            o.insert("response".into(), to_bfcl_schema(r));
        }
        Value::Object(o)
    }

    /// The spec as plain OpenAI `{"type": "function", "function": {...}}` without `returns`/`domain`.
    pub fn to_openai_plain(&self) -> Value {
        json!({"type": "function", "function": {
            "name": self.name, "description": self.description, "parameters": self.parameters}})
    }

    /// Reads one spec in any supported dialect (OpenAI tool, bare function, BFCL) from `v` at `path`.
    pub fn from_value(v: &Value, source: &str, path: &str) -> Result<ToolSpec, SpecError> {
        let obj = v
            .as_object()
            .ok_or_else(|| SpecError::new(source, path, "a tool spec must be a JSON object"))?;
        let (func, fpath) = match obj.get("function") {
            Some(Value::Object(f)) => (f, format!("{path}.function")),
            Some(_) => {
                return Err(SpecError::new(
                    source,
                    &format!("{path}.function"),
                    "`function` must be an object",
                ))
            }
            None => (obj, path.to_string()),
        };
        let name = match func.get("name") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                return Err(SpecError::new(
                    source,
                    &format!("{fpath}.name"),
                    "must be a string",
                ))
            }
            None => return Err(SpecError::new(source, &fpath, "missing `name`")),
        };
        if name.is_empty()
            || name.len() > 64
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(SpecError::new(
                source,
                &format!("{fpath}.name"),
                format!("invalid tool name {name:?}: use 1-64 of A-Z a-z 0-9 _ . -"),
            ));
        }
        let description = match func.get("description") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                return Err(SpecError::new(
                    source,
                    &format!("{fpath}.description"),
                    "must be a string",
                ))
            }
        };
        let domain = match func.get("domain").or_else(|| obj.get("domain")) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                return Err(SpecError::new(
                    source,
                    &format!("{fpath}.domain"),
                    "must be a string",
                ))
            }
        };
        // Our own `read_only`, else an MCP listing's `annotations.readOnlyHint`.
        let read_only = match func
            .get("read_only")
            .or_else(|| func.get("annotations")?.get("readOnlyHint"))
            .or_else(|| obj.get("annotations")?.get("readOnlyHint"))
        {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                return Err(SpecError::new(
                    source,
                    &format!("{fpath}.read_only"),
                    "must be true or false",
                ))
            }
        };
        let ppath = format!("{fpath}.parameters");
        let parameters = match func.get("parameters") {
            None | Some(Value::Null) => json!({"type": "object", "properties": {}}),
            Some(p) => {
                let p = normalize_schema(p);
                check_schema(&p, source, &ppath)?;
                if p.get("type") != Some(&json!("object")) {
                    return Err(SpecError::new(
                        source,
                        &format!("{ppath}.type"),
                        "parameters must be a schema of type \"object\"",
                    ));
                }
                p
            }
        };
        let (rkey, r) = match (func.get("returns"), func.get("response")) {
            (Some(r), _) => ("returns", Some(r)),
            (None, Some(r)) => ("response", Some(r)),
            (None, None) => ("returns", None),
        };
        let returns = match r {
            None | Some(Value::Null) => None,
            Some(r) => {
                let r = normalize_schema(r);
                check_schema(&r, source, &format!("{fpath}.{rkey}"))?;
                Some(r)
            }
        };
        Ok(ToolSpec {
            name,
            description,
            domain,
            parameters,
            returns,
            read_only,
        })
    }

    /// Names of the required parameters.
    pub fn required_params(&self) -> impl Iterator<Item = &str> {
        self.parameters
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
    }

    /// Parameter schemas by name, in declaration order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.parameters
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v))
    }
}

/// A JSON Schema with its local references (`#/$defs/X`, `#/definitions/X`) written out in place
/// and nullable unions (`anyOf: [S, {"type": "null"}]`, as pydantic writes optional fields)
/// reduced to `S`: the graph and the validators read plain nested schemas. A reference that is
/// missing or nested more than 16 deep is left as it is.
pub fn inline_refs(schema: &Value) -> Value {
    fn go(v: &Value, root: &Value, depth: usize) -> Value {
        match v {
            Value::Object(o) => {
                if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                    let target = r
                        .strip_prefix('#')
                        .and_then(|ptr| root.pointer(ptr))
                        .filter(|_| depth < 16);
                    if let Some(t) = target {
                        let mut out = go(t, root, depth + 1);
                        // Siblings of `$ref` (a description) refine the referenced schema.
                        if let Value::Object(m) = &mut out {
                            for (k, x) in o.iter().filter(|(k, _)| *k != "$ref") {
                                m.insert(k.clone(), go(x, root, depth));
                            }
                        }
                        return out;
                    }
                }
                if let Some(Value::Array(alts)) = o.get("anyOf") {
                    let real: Vec<&Value> = alts
                        .iter()
                        .filter(|a| a.get("type").and_then(Value::as_str) != Some("null"))
                        .collect();
                    if real.len() == 1 && alts.len() == 2 {
                        let mut out = go(real[0], root, depth);
                        if let Value::Object(m) = &mut out {
                            for (k, x) in o.iter().filter(|(k, _)| *k != "anyOf") {
                                m.entry(k.clone()).or_insert_with(|| go(x, root, depth));
                            }
                        }
                        return out;
                    }
                }
                Value::Object(
                    o.iter()
                        .filter(|(k, _)| *k != "$defs" && *k != "definitions")
                        .map(|(k, x)| (k.clone(), go(x, root, depth)))
                        .collect(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| go(x, root, depth)).collect()),
            other => other.clone(),
        }
    }
    go(schema, schema, 0)
}

/// Parses a file of tool specs: a JSON array, `{"tools": [...]}`, one object, or JSON Lines.
/// Entries whose `function` is an array (BFCL question files) contribute each of its functions.
pub fn parse_specs(text: &str, source: &str) -> Result<Vec<ToolSpec>, SpecError> {
    let docs: Vec<(Value, String)> = match serde_json::from_str::<Value>(text) {
        Ok(v) => vec![(v, "$".to_string())],
        Err(whole_err) => {
            // Not one JSON document: try JSON Lines, naming the line that breaks.
            let mut out = Vec::new();
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let v: Value = serde_json::from_str(line).map_err(|e| {
                    // A broken first line: one broken document, whose error names its line.
                    if i == 0 {
                        return SpecError::new(source, "$", format!("invalid JSON: {whole_err}"));
                    }
                    SpecError::new(
                        source,
                        &format!("line {}", i + 1),
                        format!("invalid JSON: {e}"),
                    )
                })?;
                out.push((v, format!("line {}", i + 1)));
            }
            out
        }
    };
    let mut specs = Vec::new();
    for (doc, base) in docs {
        collect(&doc, source, &base, &mut specs)?;
    }
    let mut seen = std::collections::HashSet::new();
    for (i, s) in specs.iter().enumerate() {
        if !seen.insert(s.name.as_str()) {
            return Err(SpecError::new(
                source,
                &format!("tool #{i}"),
                format!("duplicate tool name {:?}", s.name),
            ));
        }
    }
    Ok(specs)
}

fn collect(v: &Value, source: &str, path: &str, out: &mut Vec<ToolSpec>) -> Result<(), SpecError> {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, source, &format!("{path}[{i}]"), out)?;
            }
            Ok(())
        }
        Value::Object(o) => {
            if let Some(tools) = o.get("tools").filter(|t| t.is_array()) {
                return collect(tools, source, &format!("{path}.tools"), out);
            }
            if let Some(funcs) = o.get("function").filter(|f| f.is_array()) {
                return collect(funcs, source, &format!("{path}.function"), out);
            }
            out.push(ToolSpec::from_value(v, source, path)?);
            Ok(())
        }
        _ => Err(SpecError::new(
            source,
            path,
            "expected a tool spec object or an array of them",
        )),
    }
}

/// Rewrites BFCL/Python type names (`dict`, `float`, `tuple`, `any`, ...) into JSON Schema.
pub fn normalize_schema(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, val) in o {
                if k == "type" {
                    if let Some(t) = val.as_str() {
                        match map_type(t) {
                            TypeName::Known(t) => {
                                out.insert(k.clone(), json!(t));
                            }
                            TypeName::Any => {} // no type constraint
                            // Kept as written so `check_schema` reports it with its path.
                            TypeName::Unknown => {
                                out.insert(k.clone(), val.clone());
                            }
                        }
                        continue;
                    }
                }
                let nested = matches!(
                    k.as_str(),
                    "properties"
                        | "items"
                        | "additionalProperties"
                        | "anyOf"
                        | "oneOf"
                        | "allOf"
                        | "prefixItems"
                );
                out.insert(
                    k.clone(),
                    if nested {
                        normalize_children(k, val)
                    } else {
                        val.clone()
                    },
                );
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn normalize_children(key: &str, v: &Value) -> Value {
    match (key, v) {
        ("properties", Value::Object(props)) => Value::Object(
            props
                .iter()
                .map(|(k, s)| (k.clone(), normalize_schema(s)))
                .collect(),
        ),
        (_, Value::Array(items)) => Value::Array(items.iter().map(normalize_schema).collect()),
        (_, other) => normalize_schema(other),
    }
}

enum TypeName {
    Known(&'static str),
    Any,
    Unknown,
}

/// BFCL's type names, its Java and JavaScript ones included (BFCL's own `GORILLA_TO_OPENAPI`
/// table, plus the capitalized JavaScript names its `simple_javascript` functions use).
fn map_type(t: &str) -> TypeName {
    TypeName::Known(match t {
        "dict" | "object" | "Dict" | "HashMap" | "Hashtable" | "Map" | "Object" => "object",
        "float" | "number" | "double" | "Number" | "Double" | "Float" => "number",
        "tuple" | "array" | "list" | "List" | "ArrayList" | "Array" | "Queue" | "Stack" => "array",
        "integer" | "int" | "byte" | "short" | "long" | "Bigint" | "Integer" | "Long" => "integer",
        "string" | "str" | "String" | "char" => "string",
        "boolean" | "bool" | "Boolean" => "boolean",
        "null" => "null",
        // BFCL's `simple_javascript` has one parameter typed "": no constraint, as for "any".
        "any" | "Any" | "" => return TypeName::Any,
        _ => return TypeName::Unknown,
    })
}

fn to_bfcl_schema(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, val)| {
                    let val = match (k.as_str(), val) {
                        ("type", Value::String(t)) => json!(match t.as_str() {
                            "object" => "dict",
                            "number" => "float",
                            other => other,
                        }),
                        ("properties", Value::Object(p)) => Value::Object(
                            p.iter()
                                .map(|(n, s)| (n.clone(), to_bfcl_schema(s)))
                                .collect(),
                        ),
                        ("items", s) => to_bfcl_schema(s),
                        (_, other) => other.clone(),
                    };
                    (k.clone(), val)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

const TYPES: [&str; 7] = [
    "object", "array", "string", "number", "integer", "boolean", "null",
];

/// Structural check of a (normalized) JSON Schema; the error names the JSON path.
pub fn check_schema(v: &Value, source: &str, path: &str) -> Result<(), SpecError> {
    let o = match v {
        Value::Bool(_) => return Ok(()),
        Value::Object(o) => o,
        _ => {
            return Err(SpecError::new(
                source,
                path,
                "a schema must be a JSON object",
            ))
        }
    };
    if let Some(t) = o.get("type") {
        let names: Vec<&Value> = match t {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for n in names {
            match n.as_str() {
                Some(s) if TYPES.contains(&s) => {}
                _ => {
                    return Err(SpecError::new(
                        source,
                        &format!("{path}.type"),
                        format!("unknown type {n}; expected one of {}", TYPES.join(", ")),
                    ))
                }
            }
        }
    }
    if let Some(p) = o.get("properties") {
        let props = p.as_object().ok_or_else(|| {
            SpecError::new(source, &format!("{path}.properties"), "must be an object")
        })?;
        for (k, s) in props {
            check_schema(s, source, &format!("{path}.properties.{k}"))?;
        }
    }
    if let Some(r) = o.get("required") {
        let arr = r.as_array().ok_or_else(|| {
            SpecError::new(
                source,
                &format!("{path}.required"),
                "must be an array of names",
            )
        })?;
        let props = o.get("properties").and_then(Value::as_object);
        for (i, n) in arr.iter().enumerate() {
            let rp = format!("{path}.required[{i}]");
            let name = n
                .as_str()
                .ok_or_else(|| SpecError::new(source, &rp, "must be a string"))?;
            if let Some(props) = props {
                if !props.contains_key(name) {
                    return Err(SpecError::new(
                        source,
                        &rp,
                        format!("required parameter {name:?} is not in properties"),
                    ));
                }
            }
        }
    }
    if let Some(items) = o.get("items") {
        match items {
            Value::Array(a) => {
                for (i, s) in a.iter().enumerate() {
                    check_schema(s, source, &format!("{path}.items[{i}]"))?;
                }
            }
            s => check_schema(s, source, &format!("{path}.items"))?,
        }
    }
    if let Some(e) = o.get("enum") {
        if e.as_array().is_none_or(|a| a.is_empty()) {
            return Err(SpecError::new(
                source,
                &format!("{path}.enum"),
                "must be a non-empty array",
            ));
        }
    }
    for k in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
        if let Some(b) = o.get(k) {
            if !b.is_number() {
                return Err(SpecError::new(
                    source,
                    &format!("{path}.{k}"),
                    "must be a number",
                ));
            }
        }
    }
    if let (Some(lo), Some(hi)) = (
        o.get("minimum").and_then(Value::as_f64),
        o.get("maximum").and_then(Value::as_f64),
    ) {
        if lo > hi {
            return Err(SpecError::new(
                source,
                &format!("{path}.minimum"),
                format!("minimum {lo} is above maximum {hi}"),
            ));
        }
    }
    if let Some(p) = o.get("pattern") {
        if !p.is_string() {
            return Err(SpecError::new(
                source,
                &format!("{path}.pattern"),
                "must be a string",
            ));
        }
    }
    for k in ["anyOf", "oneOf", "allOf"] {
        if let Some(list) = o.get(k) {
            let arr = list.as_array().ok_or_else(|| {
                SpecError::new(
                    source,
                    &format!("{path}.{k}"),
                    "must be an array of schemas",
                )
            })?;
            for (i, s) in arr.iter().enumerate() {
                check_schema(s, source, &format!("{path}.{k}[{i}]"))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_description_opens_with_what_the_tool_does() {
        use super::own_description;
        assert_eq!(
            own_description("This tool is used to bypass Cloudflare protection."),
            "bypass Cloudflare protection."
        );
        assert_eq!(
            own_description("Use this function to search for an exploit."),
            "search for an exploit."
        );
        assert_eq!(
            own_description("This function handles queries related to hacking."),
            "handles queries related to hacking."
        );
        // What the tool is, not what it does: left whole.
        assert_eq!(
            own_description("This tool is a calculator."),
            "This tool is a calculator."
        );
        assert_eq!(
            own_description("The travel system. Tool description: Book a flight."),
            "Book a flight."
        );
    }

    #[test]
    fn a_range_said_in_words_is_read_and_other_numbers_are_not() {
        assert_eq!(
            stated_range(
                "Position of the brake pedal, between 0 (not pressed) and 1 (fully pressed)."
            ),
            Some((0.0, 1.0))
        );
        assert_eq!(
            stated_range("Priority of the ticket, from 1 to 5. Defaults to 1."),
            Some((1.0, 5.0))
        );
        assert_eq!(
            stated_range("The speed should be between 0 and 120 and a multiple of 5."),
            Some((0.0, 120.0))
        );
        assert_eq!(
            stated_range("The fan speed to set from 0 to 100."),
            Some((0.0, 100.0))
        );
        assert_eq!(stated_range("The amount to convert from USD to EUR."), None);
        assert_eq!(stated_range("Between 5 and 1."), None);
        assert_eq!(stated_range("Number of shares to trade."), None);
    }

    #[test]
    fn id_stems_read_snake_and_camel_case() {
        use super::id_stem;
        assert_eq!(id_stem("supply_point_id"), Some("supply_point"));
        assert_eq!(id_stem("stationId"), Some("station"));
        assert_eq!(id_stem("dockStationID"), Some("dockStation"));
        assert_eq!(id_stem("paid"), None);
        assert_eq!(id_stem("UUID"), None);
        assert_eq!(id_stem("_id"), None);
    }

    #[test]
    fn local_refs_are_written_out_and_nullable_unions_reduced() {
        let s = json!({
            "type": "object",
            "$defs": {"Folder": {"type": "object", "properties": {
                "folder_id": {"type": "string"},
                "parent_folder_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null}}}},
            "properties": {"results": {"type": "array", "items": {"$ref": "#/$defs/Folder"}},
                           "loop": {"$ref": "#/properties/loop"},
                           "gone": {"$ref": "#/$defs/Missing"}}
        });
        let out = inline_refs(&s);
        assert_eq!(out.get("$defs"), None);
        assert_eq!(
            out.pointer("/properties/results/items/properties/folder_id/type"),
            Some(&json!("string"))
        );
        assert_eq!(
            out.pointer("/properties/results/items/properties/parent_folder_id"),
            Some(&json!({"type": "string", "default": null}))
        );
        // A reference to itself stops at the depth limit; a missing one stays as it is.
        assert!(out.pointer("/properties/loop").is_some());
        assert_eq!(
            out.pointer("/properties/gone"),
            Some(&json!({"$ref": "#/$defs/Missing"}))
        );
    }

    use super::*;

    fn one(text: &str) -> ToolSpec {
        match parse_specs(text, "t.json") {
            Ok(mut v) if v.len() == 1 => v.remove(0),
            other => panic!("expected one spec, got {other:?}"),
        }
    }

    fn err(text: &str) -> SpecError {
        match parse_specs(text, "bad.json") {
            Err(e) => e,
            Ok(v) => panic!("expected an error, got {v:?}"),
        }
    }

    #[test]
    fn reads_openai_tool_with_returns_and_domain() {
        let s = one(
            r#"[{"type": "function", "function": {"name": "find_airport", "description": "d",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            "returns": {"type": "object", "properties": {"code": {"type": "string"}}}, "domain": "travel"}}]"#,
        );
        assert_eq!(s.name, "find_airport");
        assert_eq!(s.domain, "travel");
        assert_eq!(s.required_params().collect::<Vec<_>>(), vec!["city"]);
        assert!(s.returns.is_some());
        // Writing and reading again gives the same spec.
        let text = serde_json::to_string(&vec![&s]).expect("serializes");
        assert_eq!(one(&text), s);
    }

    #[test]
    fn read_only_comes_from_our_key_or_an_mcp_annotation_and_survives_a_round_trip() {
        let s = one(r#"[{"name": "get_x", "description": "d", "read_only": true}]"#);
        assert_eq!(s.read_only, Some(true));
        let text = serde_json::to_string(&vec![&s]).expect("serializes");
        assert!(text.contains("\"read_only\":true"), "{text}");
        assert_eq!(one(&text), s);
        let mcp = one(r#"[{"name": "x", "annotations": {"readOnlyHint": false}}]"#);
        assert_eq!(mcp.read_only, Some(false));
        let unsaid = one(r#"[{"name": "x"}]"#);
        assert_eq!(unsaid.read_only, None);
        assert!(!serde_json::to_string(&unsaid)
            .expect("serializes")
            .contains("read_only"));
        let e = err(r#"[{"name": "x", "read_only": "yes"}]"#);
        assert_eq!(e.path, "$[0].read_only");
    }

    #[test]
    fn reads_bfcl_dialect() {
        let s = one(
            r#"{"id": "multiple_1", "question": [], "function": [{"name": "calc.area",
            "description": "Area", "parameters": {"type": "dict", "properties": {
              "base": {"type": "float"}, "dims": {"type": "tuple", "items": {"type": "integer"}},
              "meta": {"type": "any"}, "opts": {"type": "dict", "properties": {"x": {"type": "float"}}}},
            "required": ["base"]}, "response": {"type": "dict", "properties": {"area": {"type": "float"}}}}]}"#,
        );
        assert_eq!(s.parameters["type"], "object");
        assert_eq!(s.parameters["properties"]["base"]["type"], "number");
        assert_eq!(s.parameters["properties"]["dims"]["type"], "array");
        assert!(s.parameters["properties"]["meta"].get("type").is_none());
        assert_eq!(
            s.parameters["properties"]["opts"]["properties"]["x"]["type"],
            "number"
        );
        assert_eq!(
            s.returns.as_ref().map(|r| r["type"].clone()),
            Some(json!("object"))
        );
        // And back to BFCL.
        assert_eq!(s.to_bfcl()["parameters"]["type"], "dict");
        assert_eq!(
            s.to_bfcl()["response"]["properties"]["area"]["type"],
            "float"
        );
    }

    #[test]
    fn reads_bfcl_java_and_javascript_types() {
        let s = one(
            r#"{"name": "j", "description": "J", "parameters": {"type": "dict", "properties": {
              "m": {"type": "HashMap"}, "l": {"type": "ArrayList", "items": {"type": "String"}},
              "n": {"type": "long"}, "c": {"type": "char"}, "b": {"type": "Boolean"},
              "x": {"type": "any"}, "e": {"type": ""}}}}"#,
        );
        let p = &s.parameters["properties"];
        assert_eq!(p["m"]["type"], "object");
        assert_eq!(p["l"]["type"], "array");
        assert_eq!(p["l"]["items"]["type"], "string");
        assert_eq!(p["n"]["type"], "integer");
        assert_eq!(p["c"]["type"], "string");
        assert_eq!(p["b"]["type"], "boolean");
        assert!(p["x"].get("type").is_none() && p["e"].get("type").is_none());
        // A misspelling is still an error naming its field.
        let e = err(r#"[{"name": "x", "parameters": {"properties": {"a": {"type": "strng"}}}}]"#);
        assert_eq!(e.path, "$[0].parameters.properties.a.type");
    }

    #[test]
    fn reads_json_lines_and_tools_wrapper() {
        let text = "{\"name\": \"a\", \"parameters\": {\"type\": \"object\", \"properties\": {}}}\n\n{\"name\": \"b\"}\n";
        let v = parse_specs(text, "x.jsonl").expect("jsonl");
        assert_eq!(
            v.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        let v = parse_specs(r#"{"tools": [{"name": "c"}]}"#, "x.json").expect("wrapper");
        assert_eq!(v[0].name, "c");
    }

    #[test]
    fn malformed_specs_name_file_and_path() {
        let e = err(
            r#"[{"name": "ok"}, {"type": "function", "function": {"name": "f",
            "parameters": {"type": "object", "properties": {"city": {"type": "strng"}}}}}]"#,
        );
        assert_eq!(e.source_name, "bad.json");
        assert_eq!(e.path, "$[1].function.parameters.properties.city.type");
        let e = err(
            r#"[{"name": "f", "parameters": {"type": "object", "properties": {"a": {}}, "required": ["b"]}}]"#,
        );
        assert_eq!(e.path, "$[0].parameters.required[0]");
        let e = err(r#"[{"name": "has space"}]"#);
        assert_eq!(e.path, "$[0].name");
        let e = err(r#"[{"description": "no name"}]"#);
        assert!(e.message.contains("missing `name`"), "{e}");
        let e = err(r#"[{"name": "f", "parameters": {"type": "string"}}]"#);
        assert_eq!(e.path, "$[0].parameters.type");
        let e = err(
            r#"[{"name": "f", "parameters": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 1}}}}]"#,
        );
        assert_eq!(e.path, "$[0].parameters.properties.n.minimum");
        let e = err("{\"name\": \"a\"}\n{\"name\": \n");
        assert_eq!(e.path, "line 2");
        let e = err(r#"[{"name": "a"}, {"name": "a"}]"#);
        assert!(e.message.contains("duplicate"), "{e}");
        assert_eq!(
            e.to_string(),
            "bad.json: tool #1: duplicate tool name \"a\"",
            "the message names the file first"
        );
    }
}
