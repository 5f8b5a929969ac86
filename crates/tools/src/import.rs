//! Reading tool spec collections from disk: OpenAI function JSON, BFCL docs, xLAM rows, ToolACE
//! tool lists and OpenAPI 3 documents, all normalised to [`ToolSpec`].

mod lint;
mod openapi;
mod xlam;

pub use lint::{lint, Finding, FindingKind};

use hardgen_core::{SpecError, ToolSpec};
use serde_json::Value;
use std::path::Path;

/// Why a spec file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file was read but a spec in it is malformed.
    #[error(transparent)]
    Spec(#[from] SpecError),
}

/// The dialect of a spec collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Detect from the content.
    Auto,
    /// OpenAI `{"type": "function", "function": {...}}` or bare functions.
    Openai,
    /// BFCL function docs (gorilla types such as `dict` and `float`).
    Bfcl,
    /// xLAM rows: flat `parameters` maps with Python-ish types and defaults.
    Xlam,
    /// ToolACE tool lists, plain or embedded in a row's `tools` or `system` text.
    Toolace,
    /// OpenAPI 3 (JSON): one tool per operation.
    Openapi,
}

impl Format {
    /// Every dialect's name, as `--format` takes it.
    pub const NAMES: [&'static str; 6] = ["auto", "openai", "bfcl", "xlam", "toolace", "openapi"];
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        Ok(match s {
            "auto" => Format::Auto,
            "openai" => Format::Openai,
            "bfcl" => Format::Bfcl,
            "xlam" => Format::Xlam,
            "toolace" => Format::Toolace,
            "openapi" => Format::Openapi,
            other => {
                return Err(format!(
                    "unknown spec format `{other}` (one of {})",
                    Format::NAMES.join(", ")
                ))
            }
        })
    }
}

/// One imported tool with where it came from, so lint findings can point at the source.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The normalised spec.
    pub spec: ToolSpec,
    /// JSON path of the tool in the source.
    pub path: String,
    /// JSON path of each parameter in the source, by parameter name.
    pub param_paths: Vec<(String, String)>,
}

impl Imported {
    /// The source path of parameter `name`, falling back to the OpenAI location.
    pub fn param_path(&self, name: &str) -> String {
        self.param_paths
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| format!("{}.parameters.properties.{name}", self.path))
    }
}

/// Import state: the source name, whether problems lint can report are tolerated, and findings.
pub(crate) struct Ctx {
    pub(crate) source: String,
    /// In lint mode, fixable problems (bad `required` entries, unknown types) become findings.
    pub(crate) lenient: bool,
    pub(crate) findings: Vec<Finding>,
}

impl Ctx {
    pub(crate) fn err(&self, path: &str, message: impl Into<String>) -> SpecError {
        SpecError {
            source_name: self.source.clone(),
            path: path.to_string(),
            message: message.into(),
        }
    }
}

/// Reads and checks every tool spec in `path`; parameter schemas must also compile.
pub fn load_specs(path: &Path) -> Result<Vec<ToolSpec>, ImportError> {
    load_specs_as(path, Format::Auto)
}

/// Like [`load_specs`], with the dialect given (or detected with [`Format::Auto`]).
pub fn load_specs_as(path: &Path, format: Format) -> Result<Vec<ToolSpec>, ImportError> {
    let name = path.display().to_string();
    let text = read(path)?;
    let mut specs = parse_as(&text, &name, format)?;
    // Records and figures are broken down by domain: a collection that names none is one
    // domain named after its file (`weather_tools.json` -> weather_tools), not "".
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("tools");
    for s in specs.iter_mut().filter(|s| s.domain.is_empty()) {
        s.domain = stem.to_string();
    }
    for s in &specs {
        crate::validate::compile(&s.parameters).map_err(|message| SpecError {
            source_name: name.clone(),
            path: format!("tool {:?}.parameters", s.name),
            message,
        })?;
    }
    Ok(specs)
}

/// Parses spec text in `format`; duplicate names and malformed specs are errors.
pub fn parse_as(text: &str, source: &str, format: Format) -> Result<Vec<ToolSpec>, SpecError> {
    let mut ctx = Ctx {
        source: source.to_string(),
        lenient: false,
        findings: Vec::new(),
    };
    let items = import(text, &mut ctx, format)?;
    let mut seen = std::collections::HashSet::new();
    for (i, it) in items.iter().enumerate() {
        if !seen.insert(it.spec.name.as_str()) {
            // Same wording as `parse_specs`, so OpenAI/BFCL files behave as before.
            return Err(ctx.err(
                &format!("tool #{i}"),
                format!("duplicate tool name {:?}", it.spec.name),
            ));
        }
    }
    Ok(items.into_iter().map(|it| it.spec).collect())
}

/// Reads `path` and returns its lint findings (see [`lint`]); unfixable problems are errors.
pub fn lint_file(path: &Path, format: Format) -> Result<Vec<Finding>, ImportError> {
    let text = read(path)?;
    Ok(lint_text(&text, &path.display().to_string(), format)?)
}

/// Lint findings of spec text in `format`, in source order.
pub fn lint_text(text: &str, source: &str, format: Format) -> Result<Vec<Finding>, SpecError> {
    let mut ctx = Ctx {
        source: source.to_string(),
        lenient: true,
        findings: Vec::new(),
    };
    let items = import(text, &mut ctx, format)?;
    let mut out = std::mem::take(&mut ctx.findings);
    out.extend(lint(&items));
    Ok(out)
}

fn read(path: &Path) -> Result<String, ImportError> {
    std::fs::read_to_string(path).map_err(|source| ImportError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Every tool in `text`, in the given or detected format.
pub(crate) fn import(
    text: &str,
    ctx: &mut Ctx,
    format: Format,
) -> Result<Vec<Imported>, SpecError> {
    let docs = split_docs(text, ctx)?;
    let format = match format {
        Format::Auto => detect(&docs),
        f => f,
    };
    let mut out = Vec::new();
    match format {
        Format::Openapi => {
            let [(doc, _)] = docs.as_slice() else {
                return Err(ctx.err("$", "an OpenAPI document must be one JSON object"));
            };
            openapi::collect(doc, ctx, &mut out)?;
        }
        Format::Xlam => {
            for (doc, base) in &docs {
                xlam::collect(doc, ctx, base, &mut out)?;
            }
        }
        Format::Toolace => {
            for (doc, base) in &docs {
                collect_toolace(doc, ctx, base, &mut out)?;
            }
        }
        Format::Openai | Format::Bfcl | Format::Auto => {
            for (doc, base) in &docs {
                collect_openai(doc, ctx, base, &mut out)?;
            }
        }
    }
    Ok(out)
}

/// One JSON document at `$`, or JSON Lines at `line N` (same rules as `parse_specs`).
fn split_docs(text: &str, ctx: &Ctx) -> Result<Vec<(Value, String)>, SpecError> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(vec![(v, "$".to_string())]),
        Err(whole_err) => {
            let mut out = Vec::new();
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let v: Value = serde_json::from_str(line).map_err(|e| {
                    // A first line that fails is more likely one broken document than JSON Lines:
                    // the document's error, which names its own line and column.
                    if i == 0 {
                        return ctx.err("$", format!("invalid JSON: {whole_err}"));
                    }
                    ctx.err(&format!("line {}", i + 1), format!("invalid JSON: {e}"))
                })?;
                out.push((v, format!("line {}", i + 1)));
            }
            Ok(out)
        }
    }
}

/// Guesses the format from the first document's shape; OpenAI/BFCL is the fallback.
fn detect(docs: &[(Value, String)]) -> Format {
    let Some((first, _)) = docs.first() else {
        return Format::Openai;
    };
    if first.get("openapi").is_some() && first.get("paths").is_some() {
        return Format::Openapi;
    }
    let row = match first {
        Value::Array(a) => a.first(),
        other => Some(other),
    };
    let Some(row) = row else {
        return Format::Openai;
    };
    let tools: Vec<&Value> = match row.get("tools") {
        Some(Value::String(_)) => return Format::Xlam,
        Some(Value::Array(t)) => t.iter().collect(),
        _ if row.get("name").is_none() && row.get("system").is_some_and(Value::is_string) => {
            return Format::Toolace
        }
        _ => match first {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        },
    };
    if tools
        .iter()
        .any(|t| xlam::is_flat_params(t.get("parameters")))
    {
        Format::Xlam
    } else if tools
        .iter()
        .any(|t| t.get("required").is_some_and(Value::is_array))
    {
        // Only ToolACE puts `required` beside `parameters`.
        Format::Toolace
    } else {
        Format::Openai
    }
}

/// Mirrors `parse_specs`' traversal: arrays, `{"tools": [...]}`, BFCL `function` arrays.
fn collect_openai(
    v: &Value,
    ctx: &mut Ctx,
    path: &str,
    out: &mut Vec<Imported>,
) -> Result<(), SpecError> {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_openai(item, ctx, &format!("{path}[{i}]"), out)?;
            }
            Ok(())
        }
        Value::Object(o) => {
            if let Some(tools) = o.get("tools").filter(|t| t.is_array()) {
                return collect_openai(tools, ctx, &format!("{path}.tools"), out);
            }
            if let Some(funcs) = o.get("function").filter(|f| f.is_array()) {
                return collect_openai(funcs, ctx, &format!("{path}.function"), out);
            }
            out.push(from_openai(v, ctx, path)?);
            Ok(())
        }
        _ => Err(ctx.err(path, "expected a tool spec object or an array of them")),
    }
}

/// One OpenAI/BFCL tool; in lint mode `required` names missing from `properties` become findings.
fn from_openai(v: &Value, ctx: &mut Ctx, path: &str) -> Result<Imported, SpecError> {
    let fpath = match v.get("function") {
        Some(Value::Object(_)) => format!("{path}.function"),
        _ => path.to_string(),
    };
    let before = ctx.findings.len();
    let spec = if ctx.lenient {
        let mut v = v.clone();
        let func = match v.get_mut("function") {
            Some(f @ Value::Object(_)) => f,
            _ => &mut v,
        };
        if let Some(params) = func.get_mut("parameters") {
            drop_unknown_required(params, ctx, &format!("{fpath}.parameters"));
        }
        ToolSpec::from_value(&v, &ctx.source, path)?
    } else {
        ToolSpec::from_value(v, &ctx.source, path)?
    };
    for f in &mut ctx.findings[before..] {
        f.tool.clone_from(&spec.name);
    }
    Ok(Imported {
        spec,
        path: fpath,
        param_paths: Vec::new(),
    })
}

/// Removes `required` names that are not in `properties`, reporting each one.
pub(crate) fn drop_unknown_required(schema: &mut Value, ctx: &mut Ctx, path: &str) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let Some(req) = schema.get("required").and_then(Value::as_array) else {
        return;
    };
    let mut keep = Vec::new();
    for (i, r) in req.iter().enumerate() {
        match r.as_str() {
            Some(n) if !props.contains_key(n) => ctx.findings.push(Finding {
                tool: String::new(),
                path: format!("{path}.required[{i}]"),
                kind: FindingKind::RequiredNotInProperties,
                message: format!("required parameter {n:?} is not in properties"),
            }),
            _ => keep.push(r.clone()),
        }
    }
    if let Some(o) = schema.as_object_mut() {
        o.insert("required".into(), Value::Array(keep));
    }
}

/// ToolACE: plain tool arrays, rows with `tools`, or rows whose `system` text embeds the list.
fn collect_toolace(
    v: &Value,
    ctx: &mut Ctx,
    path: &str,
    out: &mut Vec<Imported>,
) -> Result<(), SpecError> {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_toolace(item, ctx, &format!("{path}[{i}]"), out)?;
            }
            Ok(())
        }
        Value::Object(o) if o.get("name").is_none() => {
            if let Some(tools) = o.get("tools") {
                let tools = match tools {
                    Value::String(s) => serde_json::from_str(s).map_err(|e| {
                        ctx.err(&format!("{path}.tools"), format!("invalid JSON: {e}"))
                    })?,
                    t => t.clone(),
                };
                return collect_toolace(&tools, ctx, &format!("{path}.tools"), out);
            }
            if let Some(Value::String(system)) = o.get("system") {
                let spath = format!("{path}.system");
                let tools = embedded_array(system)
                    .ok_or_else(|| ctx.err(&spath, "no JSON array of tools in the text"))?;
                return collect_toolace(&tools, ctx, &spath, out);
            }
            Err(ctx.err(
                path,
                "expected a tool, a tool array, or a row with `tools` or `system`",
            ))
        }
        Value::Object(o) => {
            // ToolACE sometimes puts `required` beside `parameters` rather than inside it.
            let mut tool = v.clone();
            if let (Some(req @ Value::Array(_)), Some(Value::Object(params))) =
                (o.get("required"), tool.get_mut("parameters"))
            {
                params.entry("required").or_insert_with(|| req.clone());
            }
            // ToolACE names often have spaces ("Get Stock Quote"); ours may not.
            if let Some(Value::String(n)) = tool.get_mut("name") {
                *n = n
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
            }
            out.push(from_openai(&tool, ctx, path)?);
            Ok(())
        }
        _ => Err(ctx.err(path, "expected a tool spec object or an array of them")),
    }
}

/// The first JSON array of objects with a `name` inside free text.
fn embedded_array(text: &str) -> Option<Value> {
    text.match_indices('[').find_map(|(i, _)| {
        let v = serde_json::Deserializer::from_str(&text[i..])
            .into_iter::<Value>()
            .next()?
            .ok()?;
        let arr = v.as_array()?;
        (!arr.is_empty() && arr.iter().all(|t| t.get("name").is_some())).then_some(v)
    })
}
