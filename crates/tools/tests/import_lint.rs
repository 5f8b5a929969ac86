//! `lint_text`: one test per finding kind, each pointing at the JSON path of the problem.

use hardgen_tools::import::{lint_file, lint_text, Finding, FindingKind, Format};
use std::path::PathBuf;

fn lint(text: &str, format: Format) -> Vec<Finding> {
    lint_text(text, "lint.json", format).unwrap_or_else(|e| panic!("{e}"))
}

fn of(findings: &[Finding], kind: FindingKind) -> Vec<(&str, &str)> {
    findings
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| (f.tool.as_str(), f.path.as_str()))
        .collect()
}

const GOOD: &str = r#"{"name": "get_weather", "description": "Current weather for a city.",
  "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"}}, "required": ["city"]},
  "returns": {"type": "object"}}"#;

#[test]
fn a_clean_spec_has_no_findings() {
    assert_eq!(lint(&format!("[{GOOD}]"), Format::Auto), vec![]);
}

#[test]
fn vague_descriptions_are_found() {
    let text = format!(
        "[{}, {}, {}]",
        GOOD.replace("Current weather for a city.", ""),
        GOOD.replace("get_weather", "get_weather_2")
            .replace("Current weather for a city.", "Get weather 2"),
        GOOD.replace("get_weather", "w3")
            .replace("Current weather for a city.", "Gets the weather")
    );
    let f = lint(&text, Format::Openai);
    assert_eq!(
        of(&f, FindingKind::VagueDescription),
        [
            ("get_weather", "$[0].description"),
            ("get_weather_2", "$[1].description"),
            ("w3", "$[2].description")
        ]
    );
}

#[test]
fn parameters_without_type_are_found() {
    let text = format!("[{}]", GOOD.replace(r#""type": "string", "#, ""));
    let f = lint(&text, Format::Openai);
    assert_eq!(
        of(&f, FindingKind::MissingType),
        [("get_weather", "$[0].parameters.properties.city")]
    );
}

#[test]
fn parameters_without_description_are_found() {
    let text = r#"[{"name": "f", "description": "Finds things by a query.", "parameters": {"q": {"type": "str"}}}]"#;
    let f = lint(text, Format::Xlam);
    assert_eq!(
        of(&f, FindingKind::MissingParamDescription),
        [("f", "$[0].parameters.q")]
    );
}

#[test]
fn missing_returns_are_found() {
    let text = format!(
        "{{\"type\": \"function\", \"function\": {}}}",
        GOOD.replace(r#","returns": {"type": "object"}"#, "")
            .replace(
                r#",
  "returns": {"type": "object"}"#,
                ""
            )
    );
    let f = lint(&text, Format::Openai);
    assert_eq!(
        of(&f, FindingKind::MissingReturns),
        [("get_weather", "$.function.returns")]
    );
}

#[test]
fn duplicate_names_are_findings_not_errors() {
    let f = lint(&format!("[{GOOD}, {GOOD}]"), Format::Auto);
    assert_eq!(
        of(&f, FindingKind::DuplicateName),
        [("get_weather", "$[1].name")]
    );
    assert!(f[0].message.contains("first at $[0]"), "{:?}", f[0]);
}

#[test]
fn required_names_missing_from_properties_are_found() {
    let text = format!(
        "[{}]",
        GOOD.replace(
            r#""required": ["city"]"#,
            r#""required": ["city", "country"]"#
        )
    );
    let f = lint(&text, Format::Openai);
    assert_eq!(
        of(&f, FindingKind::RequiredNotInProperties),
        [("get_weather", "$[0].parameters.required[1]")]
    );
}

#[test]
fn unknown_xlam_types_are_read_as_string_with_a_finding() {
    let text = r#"[{"name": "f", "description": "Calls back with the result.", "parameters": {"cb": {"type": "Callable", "description": "Callback"}}}]"#;
    let f = lint(text, Format::Xlam);
    assert_eq!(
        of(&f, FindingKind::UnknownType),
        [("f", "$[0].parameters.cb.type")]
    );
}

#[test]
fn openapi_fixture_findings_point_into_the_document() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/openapi.json");
    let f = lint_file(&path, Format::Auto).expect("lints");
    assert!(of(&f, FindingKind::MissingReturns)
        .contains(&("delete_pets_petId", "$.paths./pets/{petId}.delete.returns")));
    assert!(
        of(&f, FindingKind::MissingParamDescription).is_empty(),
        "{f:?}"
    );
}
