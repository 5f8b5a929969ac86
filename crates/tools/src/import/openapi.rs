//! OpenAPI 3 documents (JSON): one tool per operation.

use super::{Ctx, Imported};
use hardgen_core::spec::{check_schema, normalize_schema};
use hardgen_core::{SpecError, ToolSpec};
use serde_json::{json, Map, Value};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How deep `$ref`s are followed; deeper (or cyclic) references become an open object.
const MAX_REF_DEPTH: usize = 16;

/// Every operation under `paths` as a tool.
pub(super) fn collect(
    doc: &Value,
    ctx: &mut Ctx,
    out: &mut Vec<Imported>,
) -> Result<(), SpecError> {
    match doc.get("openapi") {
        Some(Value::String(v)) if v.starts_with('3') => {}
        _ if doc.get("swagger").is_some() => {
            return Err(ctx.err(
                "$.swagger",
                "Swagger 2 is not supported; convert to OpenAPI 3",
            ))
        }
        _ => {
            return Err(ctx.err(
                "$.openapi",
                "expected an OpenAPI 3 version string like \"3.0.3\"",
            ))
        }
    }
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| ctx.err("$.paths", "must be an object"))?;
    for (route, item) in paths {
        let ipath = format!("$.paths.{route}");
        let item = item
            .as_object()
            .ok_or_else(|| ctx.err(&ipath, "a path item must be an object"))?;
        let shared = item.get("parameters");
        for method in METHODS {
            if let Some(op) = item.get(method) {
                let opath = format!("{ipath}.{method}");
                out.push(operation(
                    doc, ctx, route, method, op, shared, &ipath, &opath,
                )?);
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn operation(
    doc: &Value,
    ctx: &mut Ctx,
    route: &str,
    method: &str,
    op: &Value,
    shared: Option<&Value>,
    ipath: &str,
    opath: &str,
) -> Result<Imported, SpecError> {
    let o = op
        .as_object()
        .ok_or_else(|| ctx.err(opath, "an operation must be an object"))?;
    let name = match o.get("operationId") {
        Some(Value::String(id)) if valid_name(id) => id.clone(),
        Some(Value::String(id)) => sanitize(id),
        Some(_) => return Err(ctx.err(&format!("{opath}.operationId"), "must be a string")),
        None => sanitize(&format!("{method}_{route}")),
    };
    let text = |k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    };
    let description = text("summary")
        .or_else(|| text("description"))
        .unwrap_or_default();

    let mut props = Map::new();
    let mut required = Vec::new();
    let mut param_paths = Vec::new();
    // Operation-level parameters override path-level ones of the same name and location.
    let lists = [
        (shared, format!("{ipath}.parameters")),
        (o.get("parameters"), format!("{opath}.parameters")),
    ];
    for (list, lpath) in lists {
        let Some(list) = list else { continue };
        let arr = list
            .as_array()
            .ok_or_else(|| ctx.err(&lpath, "must be an array"))?;
        for (i, p) in arr.iter().enumerate() {
            let pp = format!("{lpath}[{i}]");
            let p = resolve(doc, p, ctx, &pp, 0, &mut Vec::new())?;
            let (Some(pname), Some(loc)) = (
                p.get("name").and_then(Value::as_str),
                p.get("in").and_then(Value::as_str),
            ) else {
                return Err(ctx.err(&pp, "a parameter needs string `name` and `in`"));
            };
            if !matches!(loc, "path" | "query" | "header") {
                continue; // cookies are not something a model passes
            }
            let mut schema = match p.get("schema") {
                Some(s) => normalize_schema(s),
                None => json!({"type": "string"}),
            };
            check_schema(&schema, &ctx.source, &format!("{pp}.schema"))?;
            if let (Some(d), Value::Object(s)) = (p.get("description"), &mut schema) {
                s.entry("description").or_insert_with(|| d.clone());
            }
            let req = loc == "path" || p.get("required") == Some(&json!(true));
            required.retain(|r: &Value| r != pname);
            if req {
                required.push(json!(pname));
            }
            props.insert(pname.to_string(), schema);
            param_paths.retain(|(n, _): &(String, String)| n != pname);
            param_paths.push((pname.to_string(), pp));
        }
    }

    if let Some(body) = o.get("requestBody") {
        let bpath = format!("{opath}.requestBody");
        let body = resolve(doc, body, ctx, &bpath, 0, &mut Vec::new())?;
        let spath = format!("{bpath}.content.application/json.schema");
        if let Some(s) = body.pointer("/content/application~1json/schema") {
            let s = normalize_schema(s);
            check_schema(&s, &ctx.source, &spath)?;
            match s.get("properties").and_then(Value::as_object) {
                Some(bprops) => {
                    let breq: Vec<&str> = s
                        .get("required")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    for (k, v) in bprops {
                        if breq.contains(&k.as_str()) && !required.contains(&json!(k)) {
                            required.push(json!(k));
                        }
                        props.insert(k.clone(), v.clone());
                        param_paths.push((k.clone(), format!("{spath}.properties.{k}")));
                    }
                }
                // A body that is not an object of fields is passed whole as `body`.
                None => {
                    if body.get("required") == Some(&json!(true)) {
                        required.push(json!("body"));
                    }
                    props.insert("body".into(), s);
                    param_paths.push(("body".into(), spath));
                }
            }
        }
    }

    let mut returns = None;
    for code in ["200", "201"] {
        let rpath = format!("{opath}.responses.{code}");
        if let Some(r) = o.get("responses").and_then(|r| r.get(code)) {
            let r = resolve(doc, r, ctx, &rpath, 0, &mut Vec::new())?;
            if let Some(s) = r.pointer("/content/application~1json/schema") {
                let s = normalize_schema(s);
                check_schema(
                    &s,
                    &ctx.source,
                    &format!("{rpath}.content.application/json.schema"),
                )?;
                returns = Some(s);
                break;
            }
        }
    }

    let mut f = Map::new();
    f.insert("name".into(), json!(name));
    f.insert("description".into(), json!(description));
    f.insert(
        "parameters".into(),
        json!({"type": "object", "properties": props, "required": required}),
    );
    if let Some(r) = returns {
        f.insert("returns".into(), r);
    }
    // HTTP says which methods are safe; a POST may read or write, so it is left unsaid.
    match method {
        "get" | "head" | "options" => {
            f.insert("read_only".into(), json!(true));
        }
        "put" | "patch" | "delete" => {
            f.insert("read_only".into(), json!(false));
        }
        _ => {}
    }
    let spec = ToolSpec::from_value(&Value::Object(f), &ctx.source, opath)?;
    Ok(Imported {
        spec,
        path: opath.to_string(),
        param_paths,
    })
}

/// `v` with every local `$ref` replaced by its target; cycles and deep chains become `{"type": "object"}`.
fn resolve(
    doc: &Value,
    v: &Value,
    ctx: &Ctx,
    path: &str,
    depth: usize,
    stack: &mut Vec<String>,
) -> Result<Value, SpecError> {
    match v {
        Value::Object(o) => {
            if let Some(r) = o.get("$ref") {
                let rpath = format!("{path}.$ref");
                let r = r
                    .as_str()
                    .ok_or_else(|| ctx.err(&rpath, "must be a string"))?;
                let ptr = r.strip_prefix('#').ok_or_else(|| {
                    ctx.err(
                        &rpath,
                        format!("only local references (#/...) are supported, got {r:?}"),
                    )
                })?;
                if depth >= MAX_REF_DEPTH || stack.iter().any(|s| s == r) {
                    return Ok(json!({"type": "object"}));
                }
                let target = doc
                    .pointer(ptr)
                    .ok_or_else(|| ctx.err(&rpath, format!("{r:?} does not resolve")))?;
                stack.push(r.to_string());
                let out = resolve(doc, target, ctx, &rpath, depth + 1, stack);
                stack.pop();
                return out;
            }
            let mut out = Map::new();
            for (k, x) in o {
                out.insert(
                    k.clone(),
                    resolve(doc, x, ctx, &format!("{path}.{k}"), depth, stack)?,
                );
            }
            Ok(Value::Object(out))
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, x)| resolve(doc, x, ctx, &format!("{path}[{i}]"), depth, stack))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

fn valid_name(n: &str) -> bool {
    !n.is_empty() && n.len() <= 64 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[a-zA-Z0-9_]` only, runs of other characters folded into one `_`, at most 64 long.
fn sanitize(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_');
    let out: String = out.chars().take(64).collect();
    if out.is_empty() {
        "operation".to_string()
    } else {
        out
    }
}
