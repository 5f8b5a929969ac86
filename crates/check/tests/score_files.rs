//! Scores a small BFCL-format fixture set (several categories merged in one file).

use hardgen_check::bfcl::{score_files, CheckError, Verdict};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run(
    results: &str,
    category: Option<&str>,
) -> Result<(hardgen_check::bfcl::Report, Vec<Verdict>), CheckError> {
    score_files(
        &fixture("questions.jsonl"),
        &fixture("possible_answers.jsonl"),
        &fixture(results),
        category,
    )
}

#[test]
fn per_category_accuracy_and_verdicts() -> Result<(), CheckError> {
    let (report, verdicts) = run("results.jsonl", None)?;
    let get = |id: &str| verdicts.iter().find(|v| v.id == id).cloned();
    let et = |id: &str| get(id).and_then(|v| v.error_type);
    assert_eq!(et("simple_python_1").as_deref(), Some("value_error:string"));
    assert_eq!(et("multiple_1").as_deref(), Some("type_error:simple"));
    assert_eq!(
        et("parallel_multiple_0").as_deref(),
        Some("parallel_function_checker_no_order:wrong_count")
    );
    assert_eq!(
        et("irrelevance_1").as_deref(),
        Some("irrelevance_error:decoder_success")
    );
    for ok in [
        "simple_python_0",
        "simple_python_2",
        "multiple_0",
        "parallel_0",
        "irrelevance_0",
        "live_simple_0-0-0",
        "live_relevance_0-0-0",
        "live_irrelevance_0-0-0",
        "simple_java_0",
        "simple_javascript_0",
    ] {
        assert!(get(ok).is_some_and(|v| v.valid), "{ok}: {:?}", get(ok));
    }
    let cat = |c: &str| report.categories.iter().find(|s| s.category == c).cloned();
    let sp = cat("simple_python").expect("simple_python");
    assert_eq!((sp.total, sp.correct, sp.missing), (3, 2, 1));
    let irr = cat("irrelevance").expect("irrelevance");
    assert_eq!((irr.total, irr.correct), (2, 1));
    assert!((irr.accuracy - 0.5).abs() < 1e-12);
    assert_eq!((report.total, report.correct), (14, 10));
    Ok(())
}

#[test]
fn category_filter() -> Result<(), CheckError> {
    let (report, verdicts) = run("results.jsonl", Some("parallel"))?;
    assert_eq!(verdicts.len(), 1);
    assert_eq!(report.categories.len(), 1);
    assert!((report.accuracy - 1.0).abs() < 1e-12);
    Ok(())
}

#[test]
fn errors_name_file_line_and_id() {
    let e = run("results_unknown_id.jsonl", None)
        .err()
        .map(|e| e.to_string());
    let e = e.unwrap_or_default();
    assert!(
        e.contains("results_unknown_id.jsonl:15") && e.contains("simple_python_99"),
        "{e}"
    );
    let e = run("results_bad_json.jsonl", None)
        .err()
        .map(|e| e.to_string());
    let e = e.unwrap_or_default();
    assert!(
        e.contains("results_bad_json.jsonl:2") && e.contains("invalid JSON"),
        "{e}"
    );
}

fn run_set(
    prefix: &str,
    category: Option<&str>,
) -> Result<(hardgen_check::bfcl::Report, Vec<Verdict>), CheckError> {
    score_files(
        &fixture(&format!("{prefix}_questions.jsonl")),
        &fixture(&format!("{prefix}_answers.jsonl")),
        &fixture(&format!("{prefix}_results.jsonl")),
        category,
    )
}

#[test]
fn bare_ids_are_scored_as_the_given_category() -> Result<(), CheckError> {
    let (report, verdicts) = run_set("numeric", Some("simple_python"))?;
    let ids: Vec<&str> = verdicts.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["0", "1", "17"]);
    assert!(verdicts.iter().all(|v| v.category == "simple_python"));
    assert_eq!(
        verdicts[1].error_type.as_deref(),
        Some("value_error:others")
    );
    assert_eq!(report.categories.len(), 1);
    assert_eq!(report.categories[0].category, "simple_python");
    assert_eq!((report.total, report.correct), (3, 2));
    // The category's rules apply: as an irrelevance entry, a call is an error.
    let (report, verdicts) = run_set("numeric", Some("irrelevance"))?;
    assert!(verdicts.iter().all(|v| v.category == "irrelevance"
        && v.error_type.as_deref() == Some("irrelevance_error:decoder_success")));
    assert_eq!((report.total, report.correct), (3, 0));
    // Without a category, bare ids keep the category their id yields.
    let (_, verdicts) = run_set("numeric", None)?;
    assert!(verdicts.iter().all(|v| v.category == v.id));
    Ok(())
}

#[test]
fn merged_file_filtered_by_category() -> Result<(), CheckError> {
    let (report, verdicts) = run_set("mixed", Some("simple_python"))?;
    let got: Vec<(&str, &str)> = verdicts
        .iter()
        .map(|v| (v.id.as_str(), v.category.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("simple_python_0", "simple_python"),
            ("my_case_3", "simple_python"),
            ("42", "simple_python")
        ]
    );
    assert_eq!((report.total, report.correct), (3, 3));
    let (_, verdicts) = run_set("mixed", Some("parallel"))?;
    let ids: Vec<&str> = verdicts.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["parallel_0", "my_case_3", "42"]);
    assert!(verdicts.iter().all(|v| v.category == "parallel" && v.valid));
    // `all` scores every entry under its own category.
    let (report, _) = run_set("mixed", Some("all"))?;
    assert_eq!(report.total, 5);
    let cats: Vec<&str> = report
        .categories
        .iter()
        .map(|c| c.category.as_str())
        .collect();
    assert_eq!(
        cats,
        ["42", "multiple", "my_case", "parallel", "simple_python"]
    );
    Ok(())
}
