//! Property tests of the spec reader: it never panics on arbitrary input, and every spec it
//! accepts survives a write/read round trip unchanged.

use hardgen_core::{parse_specs, ToolSpec};
use proptest::prelude::*;
use serde_json::{json, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|i| json!(i)),
        "[a-z]{0,6}".prop_map(Value::String),
        prop_oneof![
            Just("object"),
            Just("dict"),
            Just("float"),
            Just("string"),
            Just("strng")
        ]
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_string()),
                    Just("type".to_string()),
                    Just("properties".to_string()),
                    Just("parameters".to_string()),
                    Just("required".to_string()),
                    Just("function".to_string()),
                    "[a-z]{1,4}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_param() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"type": "string"})),
        (0i64..10, 10i64..100)
            .prop_map(|(a, b)| json!({"type": "integer", "minimum": a, "maximum": b})),
        Just(json!({"type": "number"})),
        prop::collection::vec("[a-z]{1,5}", 1..4)
            .prop_map(|v| json!({"type": "string", "enum": v})),
        Just(json!({"type": "array", "items": {"type": "integer"}})),
        Just(json!({"type": "object", "properties": {"x": {"type": "boolean"}}})),
    ]
}

fn arb_spec() -> impl Strategy<Value = Value> {
    (
        "[a-z][a-z_]{0,12}",
        prop::collection::btree_map("[a-z]{1,6}", arb_param(), 0..5),
        any::<bool>(),
    )
        .prop_map(|(name, props, req)| {
            let required: Vec<&String> = if req {
                props.keys().take(1).collect()
            } else {
                vec![]
            };
            json!({"type": "function", "function": {"name": name, "description": "d",
                "parameters": {"type": "object", "properties": props, "required": required},
                "returns": {"type": "object"}, "domain": "x"}})
        })
}

proptest! {
    #[test]
    fn never_panics(v in arb_json()) {
        let _ = parse_specs(&v.to_string(), "p.json");
    }

    #[test]
    fn accepted_specs_round_trip(s in arb_spec()) {
        let parsed = parse_specs(&json!([s]).to_string(), "p.json");
        prop_assert!(parsed.is_ok(), "{:?}", parsed);
        let specs = parsed.unwrap_or_default();
        let text = serde_json::to_string(&specs).unwrap_or_default();
        let again: Vec<ToolSpec> = parse_specs(&text, "p.json").unwrap_or_default();
        prop_assert_eq!(again, specs);
    }
}
