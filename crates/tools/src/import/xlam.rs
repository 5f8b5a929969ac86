//! xLAM rows (Salesforce xlam-function-calling-60k): flat `parameters` maps with Python-ish types.

use super::{Ctx, Finding, FindingKind, Imported};
use hardgen_core::{SpecError, ToolSpec};
use serde_json::{json, Map, Value};

/// Whether `parameters` is xLAM's flat map (`{"p": {"type": "str"}}`) rather than a JSON Schema.
pub(super) fn is_flat_params(params: Option<&Value>) -> bool {
    let Some(Value::Object(p)) = params else {
        return false;
    };
    !p.is_empty()
        && !p.contains_key("properties")
        && p.values()
            .all(|v| v.get("type").is_some_and(Value::is_string))
}

/// Rows (`tools` as a JSON string or array), arrays of rows, or plain arrays of tools.
pub(super) fn collect(
    v: &Value,
    ctx: &mut Ctx,
    path: &str,
    out: &mut Vec<Imported>,
) -> Result<(), SpecError> {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, ctx, &format!("{path}[{i}]"), out)?;
            }
            Ok(())
        }
        Value::Object(o) if o.get("name").is_none() => {
            let tpath = format!("{path}.tools");
            let tools = match o.get("tools") {
                Some(Value::String(s)) => serde_json::from_str(s)
                    .map_err(|e| ctx.err(&tpath, format!("invalid JSON in the string: {e}")))?,
                Some(t @ Value::Array(_)) => t.clone(),
                Some(_) => return Err(ctx.err(&tpath, "must be an array or a JSON string of one")),
                None => return Err(ctx.err(path, "expected a tool or a row with `tools`")),
            };
            let arr = tools
                .as_array()
                .ok_or_else(|| ctx.err(&tpath, "must hold an array of tools"))?;
            for (i, t) in arr.iter().enumerate() {
                out.push(tool(t, ctx, &format!("{tpath}[{i}]"))?);
            }
            Ok(())
        }
        Value::Object(_) => {
            out.push(tool(v, ctx, path)?);
            Ok(())
        }
        _ => Err(ctx.err(path, "expected a row, a tool, or an array of them")),
    }
}

fn tool(v: &Value, ctx: &mut Ctx, path: &str) -> Result<Imported, SpecError> {
    let o = v
        .as_object()
        .ok_or_else(|| ctx.err(path, "a tool must be a JSON object"))?;
    let mut props = Map::new();
    let mut required = Vec::new();
    let mut param_paths = Vec::new();
    let ppath = format!("{path}.parameters");
    match o.get("parameters") {
        None | Some(Value::Null) => {}
        Some(Value::Object(params)) => {
            for (name, p) in params {
                let pp = format!("{ppath}.{name}");
                let po = p
                    .as_object()
                    .ok_or_else(|| ctx.err(&pp, "a parameter must be a JSON object"))?;
                let mut schema = Map::new();
                let mut optional = false;
                match po.get("type") {
                    None | Some(Value::Null) => {}
                    Some(Value::String(t)) => {
                        let (s, opt) = map_type(t);
                        optional = opt;
                        match s {
                            Some(Value::Object(s)) => schema.extend(s),
                            Some(_) => {}
                            None if ctx.lenient => {
                                ctx.findings.push(Finding {
                                    tool: o
                                        .get("name")
                                        .and_then(Value::as_str)
                                        .unwrap_or_default()
                                        .to_string(),
                                    path: format!("{pp}.type"),
                                    kind: FindingKind::UnknownType,
                                    message: format!("unknown type {t:?}, read as string"),
                                });
                                schema.insert("type".into(), json!("string"));
                            }
                            // Importing keeps going too: the string reading is the safe guess.
                            None => {
                                schema.insert("type".into(), json!("string"));
                            }
                        }
                    }
                    Some(_) => return Err(ctx.err(&format!("{pp}.type"), "must be a string")),
                }
                match po.get("description") {
                    None | Some(Value::Null) => {}
                    Some(d @ Value::String(_)) => {
                        schema.insert("description".into(), d.clone());
                    }
                    Some(_) => {
                        return Err(ctx.err(&format!("{pp}.description"), "must be a string"))
                    }
                }
                if let Some(d) = po.get("default") {
                    schema.insert("default".into(), d.clone());
                } else if !optional {
                    required.push(json!(name));
                }
                props.insert(name.clone(), Value::Object(schema));
                param_paths.push((name.clone(), pp));
            }
        }
        Some(_) => {
            return Err(ctx.err(
                &ppath,
                "must be an object of parameters by name (xLAM's flat form)",
            ))
        }
    }
    let mut f = Map::new();
    for k in ["name", "description"] {
        if let Some(x) = o.get(k) {
            f.insert(k.into(), x.clone());
        }
    }
    f.insert(
        "parameters".into(),
        json!({"type": "object", "properties": props, "required": required}),
    );
    let spec = ToolSpec::from_value(&Value::Object(f), &ctx.source, path)?;
    Ok(Imported {
        spec,
        path: path.to_string(),
        param_paths,
    })
}

/// A Python-ish type as JSON Schema (`None` when unknown) and whether it is `Optional`.
fn map_type(t: &str) -> (Option<Value>, bool) {
    let t = t.trim();
    // xLAM writes optionality as `Optional[int]` or as `int, optional`.
    if let Some(inner) = t
        .strip_prefix("Optional[")
        .and_then(|r| r.strip_suffix(']'))
    {
        return (map_type(inner).0, true);
    }
    if let Some(inner) = t
        .strip_suffix(", optional")
        .or_else(|| t.strip_suffix(",optional"))
    {
        return (map_type(inner).0, true);
    }
    let (base, arg) = match t.split_once('[') {
        Some((b, rest)) => (b.trim(), rest.strip_suffix(']').map(str::trim)),
        None => (t, None),
    };
    let s = match base.to_ascii_lowercase().as_str() {
        "str" | "string" => json!({"type": "string"}),
        "int" | "integer" => json!({"type": "integer"}),
        "float" | "number" | "double" => json!({"type": "number"}),
        "bool" | "boolean" => json!({"type": "boolean"}),
        "dict" | "object" | "mapping" => json!({"type": "object"}),
        "list" | "array" | "tuple" | "set" | "sequence" => {
            // `List[str]` gives typed items; `Tuple[int, int]` and unknown items stay open.
            match arg.filter(|a| !a.contains(',')).map(map_type) {
                Some((Some(items), _)) => json!({"type": "array", "items": items}),
                _ => json!({"type": "array"}),
            }
        }
        "any" => json!({}),
        _ => return (None, false),
    };
    (Some(s), false)
}
