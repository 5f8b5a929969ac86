//! Argument validation against a tool's parameter schema, with typed errors that name the parameter.

use hardgen_core::{ArgError, ToolError};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::{Map, Value};

/// Validates `args` with a compiled validator; the first violation becomes a typed error.
pub fn validate_args(
    v: &jsonschema::Validator,
    tool: &str,
    args: &Map<String, Value>,
) -> Result<(), ToolError> {
    // The validator wants a `Value`; the clone is a few small allocations.
    let instance = Value::Object(args.clone());
    match v.validate(&instance) {
        Ok(()) => Ok(()),
        Err(e) => Err(ToolError::InvalidArguments {
            tool: tool.to_string(),
            error: to_arg_error(&e),
        }),
    }
}

/// Compiles a parameter schema into a validator.
pub fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::validator_for(schema).map_err(|e| e.to_string())
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn to_arg_error(e: &jsonschema::ValidationError<'_>) -> ArgError {
    let path = e
        .instance_path()
        .as_str()
        .trim_start_matches('/')
        .replace('/', ".");
    let join = |p: &str| {
        if path.is_empty() {
            p.to_string()
        } else {
            format!("{path}.{p}")
        }
    };
    match e.kind() {
        ValidationErrorKind::Required { property } => ArgError::MissingRequired {
            param: join(property.as_str().unwrap_or_default()),
        },
        ValidationErrorKind::AdditionalProperties { unexpected } => ArgError::Unknown {
            param: join(unexpected.first().map(String::as_str).unwrap_or_default()),
        },
        ValidationErrorKind::Type { kind } => ArgError::WrongType {
            param: path,
            expected: match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            },
            found: json_type(e.instance()).to_string(),
        },
        ValidationErrorKind::Minimum { limit } => ArgError::OutOfRange {
            param: path,
            detail: format!("must be >= {limit}"),
        },
        ValidationErrorKind::Maximum { limit } => ArgError::OutOfRange {
            param: path,
            detail: format!("must be <= {limit}"),
        },
        ValidationErrorKind::ExclusiveMinimum { limit } => ArgError::OutOfRange {
            param: path,
            detail: format!("must be > {limit}"),
        },
        ValidationErrorKind::ExclusiveMaximum { limit } => ArgError::OutOfRange {
            param: path,
            detail: format!("must be < {limit}"),
        },
        ValidationErrorKind::Enum { options } => ArgError::NotInEnum {
            param: path,
            allowed: options.to_string(),
        },
        ValidationErrorKind::Pattern { pattern } => ArgError::Pattern {
            param: path,
            pattern: pattern.clone(),
        },
        _ => ArgError::Invalid {
            param: path,
            detail: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(args: Value) -> ArgError {
        let schema = json!({"type": "object", "properties": {
            "city": {"type": "string"}, "n": {"type": "integer", "minimum": 1, "maximum": 5},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "code": {"type": "string", "pattern": "^AB-[0-9]+$"}},
            "required": ["city"], "additionalProperties": false});
        let v = compile(&schema).expect("schema compiles");
        let Value::Object(m) = args else {
            panic!("object")
        };
        match validate_args(&v, "t", &m) {
            Err(ToolError::InvalidArguments { error, .. }) => error,
            other => panic!("expected invalid arguments, got {other:?}"),
        }
    }

    #[test]
    fn each_rule_is_named() {
        assert_eq!(
            check(json!({})),
            ArgError::MissingRequired {
                param: "city".into()
            }
        );
        assert_eq!(
            check(json!({"city": 3})),
            ArgError::WrongType {
                param: "city".into(),
                expected: "string".into(),
                found: "integer".into()
            }
        );
        assert!(
            matches!(check(json!({"city": "x", "n": 9})), ArgError::OutOfRange { param, .. } if param == "n")
        );
        assert!(
            matches!(check(json!({"city": "x", "kind": "c"})), ArgError::NotInEnum { param, .. } if param == "kind")
        );
        assert_eq!(
            check(json!({"city": "x", "zip": 1})),
            ArgError::Unknown {
                param: "zip".into()
            }
        );
        assert!(
            matches!(check(json!({"city": "x", "code": "Q"})), ArgError::Pattern { param, .. } if param == "code")
        );
    }
}
