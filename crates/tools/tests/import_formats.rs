//! Importers: each format's fixture normalises to the expected specs; bad input names file and path.

use hardgen_core::ToolSpec;
use hardgen_tools::import::{load_specs, load_specs_as, parse_as, Format, ImportError};
use serde_json::{json, Value};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn load(name: &str, format: Format) -> Vec<ToolSpec> {
    load_specs_as(&fixture(name), format).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn names(specs: &[ToolSpec]) -> Vec<&str> {
    specs.iter().map(|s| s.name.as_str()).collect()
}

fn required(s: &ToolSpec) -> Vec<&str> {
    s.required_params().collect()
}

fn ptype(s: &ToolSpec, p: &str) -> Value {
    s.parameters["properties"][p]["type"].clone()
}

fn spec_err(name: &str, format: Format) -> hardgen_core::SpecError {
    match load_specs_as(&fixture(name), format) {
        Err(ImportError::Spec(e)) => e,
        other => panic!("expected a spec error, got {other:?}"),
    }
}

#[test]
fn openai_fixture_reads_as_before_with_auto_and_explicit_format() {
    let specs = load("openai.json", Format::Openai);
    assert_eq!(names(&specs), ["get_current_weather", "get_forecast"]);
    assert_eq!(required(&specs[1]), ["location", "days"]);
    assert_eq!(ptype(&specs[1], "days"), "integer");
    assert!(specs[0].returns.is_some() && specs[1].returns.is_none());
    // Auto detection and the old entry point give the same specs.
    assert_eq!(load("openai.json", Format::Auto), specs);
    assert_eq!(load_specs(&fixture("openai.json")).expect("loads"), specs);
}

#[test]
fn bfcl_fixture_maps_gorilla_types() {
    let specs = load("bfcl.jsonl", Format::Bfcl);
    assert_eq!(names(&specs), ["calculate_triangle_area", "math.factorial"]);
    assert_eq!(required(&specs[0]), ["base", "height"]);
    assert_eq!(specs[0].parameters["type"], "object");
    assert_eq!(ptype(&specs[1], "scale"), "number");
    assert_eq!(load("bfcl.jsonl", Format::Auto), specs);
}

#[test]
fn xlam_fixture_maps_python_types_defaults_and_optionals() {
    let specs = load("xlam.json", Format::Xlam);
    assert_eq!(
        names(&specs),
        [
            "live_giveaways_by_type",
            "find_n_largest_numbers",
            "calculate_median"
        ]
    );
    // A default makes `type` optional; `tools` was a JSON string in that row.
    assert!(required(&specs[0]).is_empty());
    assert_eq!(specs[0].parameters["properties"]["type"]["default"], "game");
    assert_eq!(required(&specs[1]), ["nums", "n"]);
    assert_eq!(
        specs[1].parameters["properties"]["nums"],
        json!({"type": "array", "items": {"type": "integer"}, "description": "The list of numbers."})
    );
    assert_eq!(ptype(&specs[1], "n"), "integer");
    let m = &specs[2];
    // Optional[...] and ", optional" are not required; defaults are not either.
    assert_eq!(required(m), ["numbers"]);
    assert_eq!(ptype(m, "numbers"), "array");
    assert_eq!(ptype(m, "precision"), "integer");
    assert_eq!(ptype(m, "weights"), "object");
    assert_eq!(ptype(m, "strict"), "boolean");
    assert_eq!(ptype(m, "ratio"), "number");
    assert!(specs.iter().all(|s| s.returns.is_none()));
    assert_eq!(load("xlam.json", Format::Auto), specs);
}

#[test]
fn xlam_json_lines_and_plain_tool_arrays() {
    let row = r#"{"tools": "[{\"name\": \"f\", \"description\": \"d\", \"parameters\": {\"q\": {\"type\": \"str\", \"description\": \"query\"}}}]"}"#;
    let text = format!("{row}\n{}\n", row.replace("\\\"f\\\"", "\\\"g\\\""));
    let specs = parse_as(&text, "x.jsonl", Format::Auto).expect("jsonl rows");
    assert_eq!(names(&specs), ["f", "g"]);
    assert_eq!(required(&specs[0]), ["q"]);
    let plain = r#"[{"name": "h", "description": "d", "parameters": {"n": {"type": "Optional[int]"}, "t": {"type": "Tuple[int, int]"}}}]"#;
    let specs = parse_as(plain, "x.json", Format::Auto).expect("plain tools");
    assert_eq!(required(&specs[0]), ["t"]);
    assert_eq!(ptype(&specs[0], "t"), "array");
}

#[test]
fn toolace_system_prompt_list_normalises_types_and_names() {
    let specs = load("toolace.json", Format::Toolace);
    assert_eq!(names(&specs), ["Get_Stock_Quote", "market_calendar"]);
    assert_eq!(required(&specs[0]), ["symbol"]);
    assert_eq!(ptype(&specs[0], "precision"), "number");
    // `required` beside `parameters` moves inside; `tuple` is an array, `any` has no type.
    assert_eq!(required(&specs[1]), ["exchange"]);
    assert_eq!(ptype(&specs[1], "range"), "array");
    assert!(specs[1].parameters["properties"]["filters"]
        .get("type")
        .is_none());
    assert_eq!(load("toolace.json", Format::Auto), specs);
}

#[test]
fn toolace_plain_array_and_tools_rows() {
    let specs = load("toolace_tools.json", Format::Toolace);
    assert_eq!(names(&specs), ["search_recipes", "nutrition_facts"]);
    assert_eq!(required(&specs[0]), ["ingredient"]);
    assert_eq!(required(&specs[1]), ["recipe_id"]);
    assert_eq!(load("toolace_tools.json", Format::Auto), specs);
    let row = r#"[{"tools": "[{\"name\": \"a\", \"parameters\": {\"type\": \"dict\", \"properties\": {}}}]"}]"#;
    let specs = parse_as(row, "r.json", Format::Toolace).expect("row with tools string");
    assert_eq!(names(&specs), ["a"]);
}

#[test]
fn openapi_fixture_gives_one_tool_per_operation() {
    let specs = load("openapi.json", Format::Openapi);
    assert_eq!(
        names(&specs),
        ["listPets", "post_pets", "showPetById", "delete_pets_petId"]
    );
    let list = &specs[0];
    assert_eq!(list.description, "List all pets, newest first");
    assert!(required(list).is_empty());
    assert_eq!(ptype(list, "limit"), "integer");
    // Header parameter through a $ref into components/parameters.
    assert_eq!(ptype(list, "X-Trace-Id"), "string");
    let ret = list.returns.as_ref().expect("200 returns");
    assert_eq!(ret["type"], "array");
    assert_eq!(ret["items"]["properties"]["name"]["type"], "string");
    // The self-reference is cut, not followed forever.
    assert_eq!(
        ret["items"]["properties"]["parent"],
        json!({"type": "object"})
    );

    let create = &specs[1];
    assert_eq!(required(create), ["name"]);
    assert_eq!(ptype(create, "tag"), "string");
    assert_eq!(
        create.returns.as_ref().map(|r| r["required"].clone()),
        Some(json!(["id", "name"]))
    );

    let show = &specs[2];
    assert_eq!(required(show), ["petId"], "path parameters are required");
    assert!(
        show.parameters["properties"].get("session").is_none(),
        "cookies are skipped"
    );
    let delete = &specs[3];
    assert_eq!(delete.description, "Delete a pet from the store by its id");
    assert!(delete.returns.is_none());
    // GET reads, DELETE writes, POST is left to the name.
    let ro: Vec<Option<bool>> = specs.iter().map(|s| s.read_only).collect();
    assert_eq!(ro, [Some(true), None, Some(true), Some(false)]);
    assert_eq!(load("openapi.json", Format::Auto), specs);
}

#[test]
fn malformed_openapi_names_file_and_parameter_path() {
    let e = spec_err("openapi_bad.json", Format::Auto);
    assert!(e.source_name.ends_with("openapi_bad.json"), "{e}");
    assert_eq!(e.path, "$.paths./pets.get.parameters[0]");
    let e = parse_as(
        r##"{"openapi": "3.0.0", "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}}}}}}}"##,
        "api.json",
        Format::Openapi,
    )
    .expect_err("dangling ref");
    assert_eq!(
        e.path,
        "$.paths./a.get.responses.200.content.application/json.schema.$ref"
    );
    let e = parse_as(
        r#"{"swagger": "2.0", "paths": {}}"#,
        "old.json",
        Format::Openapi,
    )
    .expect_err("swagger 2");
    assert_eq!(e.path, "$.swagger");
}

#[test]
fn malformed_xlam_names_file_row_tool_and_field() {
    let e = spec_err("xlam_bad.json", Format::Xlam);
    assert!(e.source_name.ends_with("xlam_bad.json"), "{e}");
    assert_eq!(e.path, "$[3].tools[1].parameters.x.type");
    assert!(
        e.to_string()
            .contains("xlam_bad.json: $[3].tools[1].parameters.x.type"),
        "{e}"
    );
    let e = parse_as(r#"[{"tools": "[{\"name\": "}]"#, "rows.json", Format::Xlam)
        .expect_err("bad tools string");
    assert_eq!(e.path, "$[0].tools");
    let e = parse_as(
        "{\"tools\": []}\n{\"tools\": [{\"name\": \"has space\"}]}\n",
        "rows.jsonl",
        Format::Xlam,
    )
    .expect_err("bad name");
    assert_eq!(e.path, "line 2.tools[0].name");
}

#[test]
fn malformed_toolace_names_path() {
    let e = parse_as(
        r#"[{"name": "ok", "parameters": {"type": "dict", "properties": {"a": {"type": "strng"}}}}]"#,
        "t.json",
        Format::Toolace,
    )
    .expect_err("unknown type");
    assert_eq!(e.path, "$[0].parameters.properties.a.type");
    let e = parse_as(
        r#"[{"system": "no tools here"}]"#,
        "t.json",
        Format::Toolace,
    )
    .expect_err("no list");
    assert_eq!(e.path, "$[0].system");
}

#[test]
fn duplicate_names_are_errors_on_import() {
    let e = parse_as(
        r#"[{"name": "a", "parameters": {"x": {"type": "str"}}}, {"name": "a", "parameters": {"y": {"type": "int"}}}]"#,
        "dup.json",
        Format::Xlam,
    )
    .expect_err("duplicate");
    assert_eq!(e.path, "tool #1");
}

#[test]
fn every_format_name_parses_and_an_unknown_one_lists_them() {
    use hardgen_tools::import::Format;
    for name in Format::NAMES {
        assert!(name.parse::<Format>().is_ok(), "{name}");
    }
    assert_eq!("openapi".parse::<Format>(), Ok(Format::Openapi));
    let err = "yaml".parse::<Format>().expect_err("not a format");
    assert!(err.contains("openai, bfcl"), "{err}");
}
