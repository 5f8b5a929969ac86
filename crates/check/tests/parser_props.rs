//! Property tests of the BFCL prompting-format parser.

use hardgen_check::bfcl::pyexpr::{decode_calls, Call};
use hardgen_check::bfcl::types::PyValue;
use proptest::prelude::*;

fn value() -> impl Strategy<Value = PyValue> {
    let leaf = prop_oneof![
        Just(PyValue::None),
        any::<bool>().prop_map(PyValue::Bool),
        any::<i64>().prop_map(|i| PyValue::Int(i128::from(i))),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(PyValue::Float),
        any::<String>().prop_map(PyValue::Str),
        "[a-zA-Z0-9 ,./'\"-]{0,12}".prop_map(PyValue::Str),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(PyValue::List),
            prop::collection::vec(inner.clone(), 0..4).prop_map(PyValue::Tuple),
            prop::collection::vec(("[a-z]{1,5}", inner), 0..4).prop_map(|kv| {
                let mut items = Vec::new();
                for (k, v) in kv {
                    PyValue::dict_insert(&mut items, PyValue::Str(k), v);
                }
                PyValue::Dict(items)
            }),
        ]
    })
}

fn call() -> impl Strategy<Value = Call> {
    (
        "[a-z_][a-z0-9_]{0,8}(\\.[a-z_][a-z0-9_]{0,6}){0,2}",
        prop::collection::vec(("[a-z_][a-z0-9_]{0,6}", value()), 0..5),
    )
        .prop_filter("no keywords", |(name, args)| {
            let kw = |w: &str| {
                matches!(
                    w,
                    "and"
                        | "as"
                        | "assert"
                        | "async"
                        | "await"
                        | "break"
                        | "class"
                        | "continue"
                        | "def"
                        | "del"
                        | "elif"
                        | "else"
                        | "except"
                        | "finally"
                        | "for"
                        | "from"
                        | "global"
                        | "if"
                        | "import"
                        | "in"
                        | "is"
                        | "lambda"
                        | "nonlocal"
                        | "not"
                        | "or"
                        | "pass"
                        | "raise"
                        | "return"
                        | "try"
                        | "while"
                        | "with"
                        | "yield"
                )
            };
            !name.split('.').any(kw) && !args.iter().any(|(k, _)| kw(k))
        })
        .prop_map(|(name, args)| {
            let mut out: Vec<(Option<String>, PyValue)> = Vec::new();
            for (k, v) in args {
                if !out.iter().any(|(k2, _)| k2.as_deref() == Some(k.as_str())) {
                    out.push((Some(k), v));
                }
            }
            Call { name, args: out }
        })
}

fn same(a: &PyValue, b: &PyValue) -> bool {
    // Python equality plus same container kinds and float sign/bits.
    match (a, b) {
        (PyValue::Float(x), PyValue::Float(y)) => x.to_bits() == y.to_bits(),
        (PyValue::List(x), PyValue::List(y)) | (PyValue::Tuple(x), PyValue::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (PyValue::Dict(x), PyValue::Dict(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| same(k1, k2) && same(v1, v2))
        }
        _ => a.py_type() == b.py_type() && a == b,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics(s in any::<String>()) {
        let _ = decode_calls(&s);
    }

    #[test]
    fn never_panics_on_call_like_text(s in "[\\[\\](){}a-z0-9_=,.'\" :+\\-*/#\\\\\n]{0,40}") {
        let _ = decode_calls(&s);
    }

    #[test]
    fn round_trip(calls in prop::collection::vec(call(), 0..4), spaced in any::<bool>()) {
        let sep = if spaced { ", " } else { "," };
        let text = format!(
            "[{}]",
            calls.iter().map(ToString::to_string).collect::<Vec<_>>().join(sep)
        );
        let got = decode_calls(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(got.len(), calls.len());
        for (g, c) in got.iter().zip(&calls) {
            prop_assert_eq!(&g.name, &c.name);
            prop_assert_eq!(g.args.len(), c.args.len());
            for ((k1, v1), (k2, v2)) in g.args.iter().zip(&c.args) {
                prop_assert_eq!(k1, k2);
                prop_assert!(same(v1, v2), "{} vs {} in {}", v1.repr(), v2.repr(), text);
            }
        }
    }
}
