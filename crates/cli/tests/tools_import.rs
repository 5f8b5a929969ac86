//! `hardgen tools import --format openapi` and `hardgen tools lint` run as the binary.

mod common;

use serde_json::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tools/tests/fixtures/import")
        .join(name)
        .display()
        .to_string()
}

/// Runs and returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    common::run(args)
}

#[test]
fn import_openapi_then_lint_with_exit_codes() {
    let file = fixture("openapi.json");
    let (code, out, err) = run(&["tools", "import", &file, "--format", "openapi"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    let names: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["listPets", "post_pets", "showPetById", "delete_pets_petId"]
    );
    assert_eq!(v[2]["function"]["parameters"]["required"][0], "petId");

    // Findings: exit 1, one line each naming file and JSON path.
    let (code, out, err) = run(&["tools", "lint", &file]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("openapi.json: $.paths./pets/{petId}.delete.returns: missing_returns"),
        "{out}"
    );
    let (code, out, _) = run(&["tools", "lint", &file, "--json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("JSON findings");
    assert!(v.as_array().is_some_and(|a| a
        .iter()
        .all(|f| f["path"].is_string() && f["kind"].is_string())));

    // Specs without `returns` are findings too; a malformed file exits 1 with the path on stderr.
    let (code, out, err) = run(&["tools", "lint", &fixture("toolace_tools.json")]);
    assert_eq!(code, 1, "no returns in that file: {out}{err}");
    let (code, _, err) = run(&["tools", "import", &fixture("openapi_bad.json")]);
    assert_eq!(code, 1);
    assert!(
        err.contains("openapi_bad.json: $.paths./pets.get.parameters[0]"),
        "{err}"
    );
}

#[test]
fn lint_of_a_clean_file_exits_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("clean.json");
    std::fs::write(
        &path,
        r#"[{"name": "get_weather", "description": "Current weather for a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City"}}},
            "returns": {"type": "object"}}]"#,
    )
    .expect("writes");
    let (code, out, err) = run(&["tools", "lint", &path.display().to_string()]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}
