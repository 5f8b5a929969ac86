//! Regression test on the bfcl-agree fixture (crates/check/tests/fixtures/bfcl-agree): cases where
//! hardgen once disagreed with BFCL's own checker (repeated keyword arguments, int literals past
//! i128, multi-character Java character literals). Every case must now get BFCL's verdict.

use hardgen_check::bfcl::{score_files, CheckError};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bfcl-agree")
}

/// BFCL's verdicts by id: (`valid`, `error_type`).
fn bfcl_verdicts() -> HashMap<String, (bool, Option<String>)> {
    let text = std::fs::read_to_string(dir().join("bfcl_verdicts.jsonl")).expect("fixture");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("fixture line is JSON");
            (
                v["id"].as_str().expect("id").to_string(),
                (
                    v["valid"].as_bool().expect("valid"),
                    v["error_type"].as_str().map(str::to_string),
                ),
            )
        })
        .collect()
}

#[test]
fn every_case_gets_bfcls_verdict() -> Result<(), CheckError> {
    let d = dir();
    let (report, verdicts) = score_files(
        &d.join("questions.jsonl"),
        &d.join("answers.jsonl"),
        &d.join("results.jsonl"),
        None,
    )?;
    let bfcl = bfcl_verdicts();
    assert_eq!(verdicts.len(), bfcl.len());
    assert_eq!(report.total, bfcl.len());
    let mut wrong = Vec::new();
    for v in &verdicts {
        let Some((valid, error_type)) = bfcl.get(&v.id) else {
            wrong.push(format!("{}: not in bfcl_verdicts.jsonl", v.id));
            continue;
        };
        if v.valid != *valid || v.error_type != *error_type {
            wrong.push(format!(
                "{}: ours ({}, {:?}) vs BFCL ({valid}, {error_type:?}) {:?}",
                v.id, v.valid, v.error_type, v.error
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    Ok(())
}

#[test]
fn json_ints_past_u64_in_a_results_file_stay_ints() -> Result<(), CheckError> {
    // A decoded call list with 2**70 + 10: Python's json.loads keeps an int, so BFCL reports a
    // wrong value (value_error:others), not a float (type_error:simple).
    let d = std::env::temp_dir().join(format!("hardgen-bfcl-bigint-{}", std::process::id()));
    std::fs::create_dir_all(&d).map_err(|source| CheckError::Io {
        path: d.clone(),
        source,
    })?;
    let write = |name: &str, text: &str| {
        std::fs::write(d.join(name), text).map_err(|source| CheckError::Io {
            path: d.join(name),
            source,
        })
    };
    write(
        "q.jsonl",
        r#"{"id": "simple_python_0", "question": [], "function": [{"name": "f", "description": "", "parameters": {"type": "dict", "properties": {"n": {"type": "integer", "description": ""}}, "required": ["n"]}}]}
{"id": "simple_python_1", "question": [], "function": [{"name": "f", "description": "", "parameters": {"type": "dict", "properties": {"n": {"type": "integer", "description": ""}}, "required": ["n"]}}]}
"#,
    )?;
    write(
        "a.jsonl",
        r#"{"id": "simple_python_0", "ground_truth": [{"f": {"n": [10]}}]}
{"id": "simple_python_1", "ground_truth": [{"f": {"n": [10]}}]}
"#,
    )?;
    write(
        "r.jsonl",
        r#"{"id": "simple_python_0", "result": [{"f": {"n": 1180591620717411303434}}]}
{"id": "simple_python_1", "result": [{"f": {"n": 10}}], "note": "12345678901234567890123"}
"#,
    )?;
    let r = score_files(
        &d.join("q.jsonl"),
        &d.join("a.jsonl"),
        &d.join("r.jsonl"),
        None,
    );
    let _ = std::fs::remove_dir_all(&d);
    let (_, verdicts) = r?;
    let et: Vec<Option<&str>> = verdicts.iter().map(|v| v.error_type.as_deref()).collect();
    assert_eq!(et, [Some("value_error:others"), None]);
    Ok(())
}
