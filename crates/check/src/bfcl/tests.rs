//! Checker tests on BFCL-shaped entries, one per error type and category kind.

use super::*;
use serde_json::json;

fn docs() -> Vec<Value> {
    vec![json!({
        "name": "calculate_triangle_area",
        "description": "Calculate the area of a triangle.",
        "parameters": {"type": "dict", "properties": {
            "base": {"type": "integer", "description": "base"},
            "height": {"type": "float", "description": "height"},
            "unit": {"type": "string", "description": "unit"},
            "dims": {"type": "array", "items": {"type": "integer"}, "description": "dims"},
            "point": {"type": "tuple", "items": {"type": "float"}, "description": "point"},
            "opts": {"type": "dict", "description": "opts", "properties": {}},
            "rows": {"type": "array", "items": {"type": "dict"}, "description": "rows"},
            "flag": {"type": "boolean", "description": "flag"}
        }, "required": ["base", "height"]}
    })]
}

fn truth() -> Value {
    json!([{"calculate_triangle_area": {
        "base": [10], "height": [5.0], "unit": ["units", "cm", ""],
        "dims": [[1, 2], ""], "point": [[1.0, 2.0], ""],
        "opts": [{"mode": ["fast", "Quick"], "n": [1, ""]}, ""],
        "rows": [[{"a": [1]}, {"a": [2]}], ""], "flag": [true, ""]
    }}])
}

fn check(text: &str) -> Verdict {
    check_entry(
        "simple_python_0",
        &docs(),
        Some(&truth()),
        &json!(text),
        CheckOptions::default(),
    )
}

fn et(text: &str) -> Option<String> {
    check(text).error_type
}

#[test]
fn simple_valid_variants() {
    for ok in [
        "[calculate_triangle_area(base=10, height=5)]",
        "calculate_triangle_area(base=10, height=5.0, unit='Units')",
        "```\ncalculate_triangle_area(base=10, height=5, unit='c-m')\n```",
        "[calculate_triangle_area(base=10, height=5, dims=[1, 2], point=(1.0, 2.0))]",
        "[calculate_triangle_area(base=10, height=5, opts={'mode': 'QUICK'})]",
        "[calculate_triangle_area(base=10, height=5, rows=[{'a': 1}, {'a': 2}], flag=True)]",
    ] {
        let v = check(ok);
        assert!(v.valid, "{ok}: {v:?}");
        assert_eq!(v.category, "simple_python");
    }
}

#[test]
fn every_simple_error_type() {
    let cases = [
        ("[]", "simple_function_checker:wrong_count"),
        (
            "[area(base=10, height=5)]",
            "simple_function_checker:wrong_func_name",
        ),
        (
            "[calculate_triangle_area(base=10)]",
            "simple_function_checker:missing_required",
        ),
        (
            "[calculate_triangle_area(base=10, height=5, color='r')]",
            "simple_function_checker:unexpected_param",
        ),
        (
            "[calculate_triangle_area(base='10', height=5)]",
            "type_error:simple",
        ),
        (
            "[calculate_triangle_area(base=10.0, height=5)]",
            "type_error:simple",
        ),
        // With "" among the answers, BFCL's nested type check passes; the list check fails.
        (
            "[calculate_triangle_area(base=10, height=5, dims=[1, '2'])]",
            "value_error:list/tuple",
        ),
        (
            "[calculate_triangle_area(base=10, height=5, unit='inch')]",
            "value_error:string",
        ),
        (
            "[calculate_triangle_area(base=11, height=5)]",
            "value_error:others",
        ),
        (
            "[calculate_triangle_area(base=10, height=5, dims=[2, 1])]",
            "value_error:list/tuple",
        ),
        (
            "[calculate_triangle_area(base=10, height=5, opts={'mode': 'slow'})]",
            "value_error:dict_value",
        ),
        (
            "[calculate_triangle_area(base=10, height=5, opts={'speed': 1})]",
            "value_error:dict_key",
        ),
        (
            "[calculate_triangle_area(base=10, height=5, rows=[{'a': 1}])]",
            "value_error:list_dict_count",
        ),
        // The "" answer is tried last and its count error is what BFCL reports.
        (
            "[calculate_triangle_area(base=10, height=5, rows=[{'a': 1}, {'a': 3}])]",
            "value_error:list_dict_count",
        ),
        (
            "[calculate_triangle_area(base=10, height=5, flag=False)]",
            "value_error:others",
        ),
        (
            "calculate_triangle_area(base=10, height=5",
            "ast_decoder:decoder_failed",
        ),
        ("I think the area is 25.", "ast_decoder:decoder_failed"),
    ];
    for (text, want) in cases {
        assert_eq!(et(text).as_deref(), Some(want), "{text}");
    }
    // An optional parameter without "" among its answers must be given.
    let gt = json!([{"calculate_triangle_area": {"base": [10], "height": [5.0], "unit": ["cm"]}}]);
    let v = check_entry(
        "simple_python_1",
        &docs(),
        Some(&gt),
        &json!("[calculate_triangle_area(base=10, height=5)]"),
        CheckOptions::default(),
    );
    assert_eq!(
        v.error_type.as_deref(),
        Some("simple_function_checker:missing_optional")
    );
}

#[test]
fn tuple_and_float_rules() {
    // A list is accepted for a tuple param; a tuple is not accepted for an array param.
    assert!(check("[calculate_triangle_area(base=10, height=5, point=[1.0, 2.0])]").valid);
    assert_eq!(
        et("[calculate_triangle_area(base=10, height=5, dims=(1, 2))]").as_deref(),
        Some("type_error:simple")
    );
    // int → float at the top level only: nested ints in a float array fail the nested check
    // (unless "" is among the answers, which makes BFCL's nested check pass).
    assert!(check("[calculate_triangle_area(base=10, height=5, point=[1, 2.0])]").valid);
    let gt = json!([{"calculate_triangle_area": {"base": [10], "height": [5.0], "point": [[1.0, 2.0]]}}]);
    let v = check_entry(
        "simple_python_2",
        &docs(),
        Some(&gt),
        &json!("[calculate_triangle_area(base=10, height=5, point=[1, 2.0])]"),
        CheckOptions::default(),
    );
    assert_eq!(v.error_type.as_deref(), Some("type_error:nested"));
}

fn multi_docs() -> Vec<Value> {
    let f = |name: &str| {
        json!({"name": name, "description": "", "parameters": {"type": "dict",
            "properties": {"city": {"type": "string", "description": ""}}, "required": ["city"]}})
    };
    vec![f("get_weather"), f("get_time")]
}

#[test]
fn multiple_and_parallel() {
    let gt = json!([{"get_time": {"city": ["Paris"]}}]);
    let ok = check_entry(
        "multiple_3",
        &multi_docs(),
        Some(&gt),
        &json!("[get_time(city='paris')]"),
        CheckOptions::default(),
    );
    assert!(ok.valid, "{ok:?}");
    let wrong = check_entry(
        "multiple_3",
        &multi_docs(),
        Some(&gt),
        &json!("[get_time(city='Paris'), get_weather(city='Paris')]"),
        CheckOptions::default(),
    );
    assert_eq!(
        wrong.error_type.as_deref(),
        Some("multiple_function_checker:wrong_count")
    );

    let gt =
        json!([{"get_weather": {"city": ["Paris"]}}, {"get_weather": {"city": ["Rome", "Paris"]}}]);
    // Greedy: answer 0 takes output 1 ("Paris"), answer 1 then takes output 0 ("Rome").
    let ok = check_entry(
        "parallel_9",
        &multi_docs(),
        Some(&gt),
        &json!("[get_weather(city='Rome'), get_weather(city='Paris')]"),
        CheckOptions::default(),
    );
    assert!(ok.valid, "{ok:?}");
    // Greedy is not optimal: answer 0 takes "Paris" (output 0), answer 1 cannot take "London".
    let gt2 = json!([{"get_weather": {"city": ["Paris", "London"]}}, {"get_weather": {"city": ["Paris"]}}]);
    let v = check_entry(
        "parallel_multiple_2",
        &multi_docs(),
        Some(&gt2),
        &json!("[get_weather(city='Paris'), get_weather(city='London')]"),
        CheckOptions::default(),
    );
    assert_eq!(
        v.error_type.as_deref(),
        Some("parallel_function_checker_no_order:cannot_find_match")
    );
    let v = check_entry(
        "live_parallel_1-1-0",
        &multi_docs(),
        Some(&gt),
        &json!("[get_weather(city='Rome')]"),
        CheckOptions::default(),
    );
    assert_eq!(
        v.error_type.as_deref(),
        Some("parallel_function_checker_no_order:wrong_count")
    );
}

#[test]
fn relevance_and_irrelevance() {
    let d = multi_docs();
    let irr = |r: Value| check_entry("irrelevance_4", &d, None, &r, CheckOptions::default());
    assert!(irr(json!("Sorry, I can't help with that.")).valid);
    assert!(irr(json!("[]")).valid);
    assert!(irr(json!([])).valid);
    assert_eq!(
        irr(json!("[get_time(city='x')]")).error_type.as_deref(),
        Some("irrelevance_error:decoder_success")
    );
    let rel = |r: Value| {
        check_entry(
            "live_relevance_2-2-0",
            &d,
            None,
            &r,
            CheckOptions::default(),
        )
    };
    assert!(rel(json!("[get_time(city='x')]")).valid);
    assert_eq!(
        rel(json!("[]")).error_type.as_deref(),
        Some("relevance_error:decoder_failed")
    );
    let li = check_entry(
        "live_irrelevance_7-0-0",
        &d,
        None,
        &json!("no call"),
        CheckOptions::default(),
    );
    assert!(li.valid);
    assert_eq!(li.category, "live_irrelevance");
}

#[test]
fn decoded_lists_and_wrong_format() {
    let out = vec![json!({"calculate_triangle_area": {"base": 10, "height": 5}})];
    assert!(check_call_list(&docs(), &truth(), &out, "simple_python").valid);
    let fc = vec![json!({"calculate_triangle_area": "{\"base\": 10, \"height\": 5.0}"})];
    assert!(check_call_list(&docs(), &truth(), &fc, "simple_python").valid);
    let bad = vec![json!({"a": {}, "b": {}})];
    assert_eq!(
        check_call_list(&docs(), &truth(), &bad, "simple_python")
            .error_type
            .as_deref(),
        Some("ast_decoder:decoder_wrong_output_format")
    );
}

#[test]
fn java_multi_character_char_literal() {
    // tree-sitter-java parses `'timeout'` as a character_literal and BFCL strips its quotes.
    let jd = vec![
        json!({"name": "Cfg.update", "description": "", "parameters": {"type": "dict",
        "properties": {"key": {"type": "String"}, "n": {"type": "long"}}, "required": ["key"]}}),
    ];
    let gt = json!([{"Cfg.update": {"key": ["timeout"], "n": [123456789012345678u64, ""]}}]);
    let run = |text: &str| {
        check_entry(
            "simple_java_3",
            &jd,
            Some(&gt),
            &json!(text),
            CheckOptions::default(),
        )
    };
    assert!(run("[Cfg.update(key='timeout')]").valid);
    assert!(run("[Cfg.update(key='timeout', n=123456789012345678L)]").valid);
    assert_eq!(
        run("[Cfg.update(key='')]").error_type.as_deref(),
        Some("ast_decoder:decoder_failed")
    );
    // A long past i128 is still an int (a wrong value, not a type error).
    assert_eq!(
        run("[Cfg.update(key='timeout', n=1234567890123456789012345678901234567890L)]")
            .error_type
            .as_deref(),
        Some("value_error:others")
    );
}

#[test]
fn java_and_javascript_decoder_edges() {
    let jd = vec![
        json!({"name": "Cfg.update", "description": "", "parameters": {"type": "dict",
        "properties": {"key": {"type": "String"}, "n": {"type": "integer"},
                       "v": {"type": "any"}}, "required": ["key"]}}),
    ];
    let gt = json!([{"Cfg.update": {"key": ["timeout"], "n": [5, ""], "v": ["", "x"]}}]);
    let et = |id: &str, text: &str| {
        check_entry(id, &jd, Some(&gt), &json!(text), CheckOptions::default()).error_type
    };
    let java = |text: &str| et("simple_java_1", text);
    // A trailing comma after two arguments of `Cls.m` is a MISSING identifier: `None: ''`.
    assert_eq!(
        java("[Cfg.update(key=\"timeout\", n=5,)]").as_deref(),
        Some("simple_function_checker:unexpected_param")
    );
    assert_eq!(
        java("[Cfg.update(key=\"timeout\",)]").as_deref(),
        Some("ast_decoder:decoder_failed")
    );
    // Text in single quotes is one character_literal: no call.
    assert_eq!(
        java("'[Cfg.update(key=\"timeout\")]'").as_deref(),
        Some("ast_decoder:decoder_wrong_output_format")
    );
    // A raw newline inside a Java string literal is kept.
    assert_eq!(
        java("[Cfg.update(key=\"time\nout\")]").as_deref(),
        Some("value_error:string")
    );
    assert_eq!(
        java("[Cfg.update(key=\"timeout\", v={1, 2})]").as_deref(),
        Some("ast_decoder:decoder_failed")
    );
    let js = |text: &str| et("simple_javascript_1", text);
    for bad in [
        "I would call the function with the given parameters.",
        "[update(key='timeout', v=...x)]",
    ] {
        assert_eq!(
            js(bad).as_deref(),
            Some("ast_decoder:decoder_failed"),
            "{bad}"
        );
    }
    assert_eq!(
        js("Hello").as_deref(),
        Some("ast_decoder:decoder_wrong_output_format")
    );
}

#[test]
fn json_ints_past_u64_stay_ints() {
    // BFCL's handlers `json.loads` argument strings: 2**70 + 10 stays an int (a wrong value),
    // where serde_json would make it a float (a type error).
    let out = vec![
        json!({"calculate_triangle_area": "{\"base\": 1180591620717411303434, \"height\": 5}"}),
    ];
    assert_eq!(
        check_call_list(&docs(), &truth(), &out, "simple_python")
            .error_type
            .as_deref(),
        Some("value_error:others")
    );
    let out = vec![json!({"calculate_triangle_area": "{\"base\": 10, \"height\": NaN}"})];
    assert_eq!(
        check_call_list(&docs(), &truth(), &out, "simple_python")
            .error_type
            .as_deref(),
        Some("value_error:others")
    );
}

#[test]
fn java_and_javascript() {
    let jd = vec![
        json!({"name": "Cfg.update", "description": "", "parameters": {"type": "dict",
        "properties": {"key": {"type": "String"}, "n": {"type": "integer"},
                       "vals": {"type": "Array", "items": {"type": "integer"}}},
        "required": ["key", "n"]}}),
    ];
    let gt = json!([{"Cfg.update": {"key": ["timeout"], "n": [5], "vals": [[1, 2], ""]}}]);
    let v = check_entry(
        "simple_java_3",
        &jd,
        Some(&gt),
        &json!("[Cfg.update(key=\"timeout\", n=5, vals=new int[]{1, 2})]"),
        CheckOptions::default(),
    );
    assert!(v.valid, "{v:?}");
    let v = check_entry(
        "java_3",
        &jd,
        Some(&gt),
        &json!("[Cfg.update(key=\"timeout\", n=6)]"),
        CheckOptions::default(),
    );
    assert_eq!(v.error_type.as_deref(), Some("value_error:others"));
    let v = check_entry(
        "java_3",
        &jd,
        Some(&gt),
        &json!("Hello"),
        CheckOptions::default(),
    );
    assert_eq!(
        v.error_type.as_deref(),
        Some("ast_decoder:decoder_wrong_output_format")
    );
    // Decoded (non-string) values are a Java type error.
    let out = vec![json!({"Cfg.update": {"key": "timeout", "n": 5}})];
    assert_eq!(
        check_call_list(&jd, &gt, &out, "simple_java")
            .error_type
            .as_deref(),
        Some("type_error:java")
    );

    let sd = vec![
        json!({"name": "sortItems", "description": "", "parameters": {"type": "dict",
        "properties": {"items": {"type": "array", "items": {"type": "String"}}, "desc": {"type": "Boolean"}},
        "required": ["items"]}}),
    ];
    let gt = json!([{"sortItems": {"items": [["b", "a"]], "desc": [true, ""]}}]);
    let v = check_entry(
        "simple_javascript_1",
        &sd,
        Some(&gt),
        &json!("[sortItems(items=['b', 'a'], desc=true)]"),
        CheckOptions::default(),
    );
    assert!(v.valid, "{v:?}");
    let out = vec![json!({"sortItems": {"items": ["b", "a"]}})];
    assert_eq!(
        check_call_list(&sd, &gt, &out, "javascript")
            .error_type
            .as_deref(),
        Some("type_error:js")
    );
}

#[test]
fn categories() {
    assert_eq!(category_of("simple_python_3"), "simple_python");
    assert_eq!(category_of("live_simple_2-1-0"), "live_simple");
    assert_eq!(category_of("parallel_multiple_7"), "parallel_multiple");
    assert_eq!(category_of("simple_3"), "simple");
    assert_eq!(category_of("java_5"), "java");
    assert_eq!(category_of("javascript_2"), "javascript");
    assert_eq!(category_of("rest_0"), "rest");
    assert_eq!(category_of("text:simple_python_5"), "simple_python");
    assert_eq!(
        Language::of_category("simple_javascript"),
        Language::JavaScript
    );
    assert_eq!(Language::of_category("java"), Language::Java);
}

#[test]
fn decode_prompting_json() {
    let v = decode_prompting("[f(a=(1, 2), b={'k': [True, None]}), g.h(x=-1.5)]").expect("decodes");
    assert_eq!(
        v,
        vec![
            json!({"f": {"a": [1, 2], "b": {"k": [true, null]}}}),
            json!({"g.h": {"x": -1.5}})
        ]
    );
    assert!(decode_prompting("not a call").is_err());
}

#[test]
fn standardize_like_bfcl() {
    assert_eq!(ast::standardize_string("April 1, 2024"), "april12024");
    assert_eq!(
        ast::standardize_string("It's New-York_City*^/."),
        "it\"snewyorkcity"
    );
}

#[test]
fn par_map_keeps_item_order_at_any_thread_count() {
    use super::files::par_map;
    let items: Vec<u64> = (0..1001).collect();
    let one = par_map(&items, 1, |x| x * 3 + 1);
    for n in [2, 3, 7, 2000] {
        assert_eq!(par_map(&items, n, |x| x * 3 + 1), one, "{n} threads");
    }
    assert_eq!(one[1000], 3001);
    assert!(par_map(&Vec::<u64>::new(), 4, |x| *x).is_empty());
}
