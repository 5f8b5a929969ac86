//! The tool maker and verifier roles on a model, `hardgen config show` and `--max-cost`, against
//! scripted local endpoints and `hardgen serve`.

mod common;

use common::{first_line, generate_one as generate, hardgen, mock, oracle, verifies};
use hardgen_llm::mock::Step;

#[test]
fn a_model_tool_maker_names_the_tool_and_a_bad_answer_is_retried_then_rejected() {
    let tmp = tempfile::tempdir().expect("tmp");
    let offline = tmp.path().join("offline");
    assert!(generate(&offline, &[]).status.success());
    let rec = first_line(offline.join("records.jsonl"));
    let tool = &rec["rounds"][0]["advanced_tool"];
    let params: serde_json::Map<String, serde_json::Value> = tool["parameters"]["properties"]
        .as_object()
        .expect("params")
        .keys()
        .map(|k| (k.clone(), serde_json::json!(format!("The {k} to use"))))
        .collect();
    let field = tool["returns"]["properties"]
        .as_object()
        .and_then(|m| m.keys().next().cloned())
        .expect("a result field");
    let good = serde_json::json!({"name": "do_the_whole_thing", "description":
        "Finds what the request points at and acts on it in one call.",
        "parameters": params, "returns": [field]})
    .to_string();
    // First answer: a parameter too many; the retry (with the problem shown) is valid.
    let mut extra = params.clone();
    extra.insert("made_up".into(), serde_json::json!("Not an input"));
    let bad = serde_json::json!({"name": "do_the_whole_thing", "description":
        "Finds what the request points at and acts on it in one call.",
        "parameters": extra, "returns": [field]})
    .to_string();
    let (_rt, server) = mock(vec![Step::Reply(bad.clone()), Step::Reply(good)], None);
    let dir = tmp.path().join("made");
    let out = generate(
        &dir,
        &[
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "maker-model",
            "--llm-roles",
            "tool_maker",
            "--llm-no-cache",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made = first_line(dir.join("records.jsonl"));
    let t = &made["rounds"][0]["advanced_tool"];
    assert_eq!(t["name"], "do_the_whole_thing");
    assert_eq!(made["generator"]["tool_maker"], "maker-model");
    assert_eq!(
        t["returns"]["properties"].as_object().map(|m| m.len()),
        Some(1)
    );
    let bodies = server.bodies();
    assert!(
        bodies[1].contains("rejected") && bodies[1].contains("made_up"),
        "{}",
        bodies[1]
    );
    verifies(&dir);

    // Wrong twice: the round is rejected with the check's reason.
    let (_rt2, server) = mock(vec![Step::Reply(bad.clone()), Step::Reply(bad)], None);
    let dir = tmp.path().join("rejected");
    let out = generate(
        &dir,
        &[
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "maker-model",
            "--llm-roles",
            "tool_maker",
            "--llm-no-cache",
        ],
    );
    assert!(out.status.success());
    let r = first_line(dir.join("rejected.jsonl"));
    assert_eq!(
        (r["stage"].as_str(), r["reason"].as_str()),
        (Some("tool_maker"), Some("inputs_mismatch"))
    );
    assert!(
        r["detail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("maker-model: "),
        "{r}"
    );
}

#[test]
fn a_model_verifier_writes_the_hint_and_a_leaking_hint_is_retried() {
    let tmp = tempfile::tempdir().expect("tmp");
    // Every offline attempt slips, so the verifier is asked; the first hint leaks an id of
    // the world (not in the query), the second is kept.
    let offline = tmp.path().join("offline");
    assert!(generate(&offline, &["--error-rate", "1"]).status.success());
    let text = std::fs::read_to_string(offline.join("records.jsonl")).unwrap_or_default()
        + &std::fs::read_to_string(offline.join("rejected.jsonl")).unwrap_or_default();
    let v: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("one item")).expect("JSON");
    let secret = v["rounds"][0]["gold"]
        .as_array()
        .and_then(|g| g.last())
        .and_then(|g| g["result"].as_object())
        .and_then(|m| {
            m.values()
                .find_map(|x| x.as_str().filter(|s| s.contains('-')).map(str::to_string))
        });
    let leak = format!(
        "{{\"hint\": \"Use {}.\"}}",
        secret.unwrap_or_else(|| "CTC-1001".into())
    );
    let good = "{\"hint\": \"Look up the missing value with a search before you act.\"}";
    let mut script = vec![Step::Reply(leak), Step::Reply(good.into())];
    script.extend(std::iter::repeat_n(Step::Reply(good.into()), 4));
    let (_rt, server) = mock(script, None);
    let dir = tmp.path().join("run");
    let out = generate(
        &dir,
        &[
            "--error-rate",
            "1",
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "judge",
            "--llm-roles",
            "verifier",
            "--llm-no-cache",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(server.served() >= 2, "the verifier was never asked");
    let bodies = server.bodies();
    assert!(bodies[1].contains("gives away a value"), "{}", bodies[1]);
    match std::fs::read_to_string(dir.join("records.jsonl"))
        .unwrap_or_default()
        .lines()
        .next()
    {
        Some(line) => {
            let rec: serde_json::Value = serde_json::from_str(line).expect("JSON");
            assert_eq!(rec["generator"]["verifier"], "judge");
            assert_eq!(
                rec["rounds"][0]["verdict"]["hints"][0],
                "Look up the missing value with a search before you act."
            );
            verifies(&dir);
        }
        None => {
            let r = first_line(dir.join("rejected.jsonl"));
            assert!(
                r["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("Look up the missing value"),
                "{r}"
            );
        }
    }
}

#[test]
fn config_show_resolves_file_env_and_flags_and_masks_secrets() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cfg = tmp.path().join("hardgen.toml");
    std::fs::write(
        &cfg,
        r#"
[llm]
base_url = "http://127.0.0.1:9/v1"
model = "big"
max_cost = 3.0
headers = { "X-Api-Key" = "header-secret", "X-Team" = "data" }

[roles.reasoner]
model = "small"
tool_mode = "constrained"

[roles.verifier]
enabled = false
"#,
    )
    .expect("write");
    let out = hardgen()
        .arg("--config")
        .arg(&cfg)
        .args(["config", "show", "--json"])
        .env("HARDGEN_API_KEY", "sk-top-secret")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("sk-top-secret") && !text.contains("header-secret"),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let role = |n: &str| {
        v["roles"]
            .as_array()
            .and_then(|r| r.iter().find(|x| x["role"] == n))
            .cloned()
            .expect("role")
    };
    assert_eq!(role("reasoner")["model"], "small");
    assert_eq!(role("reasoner")["tool_mode"], "constrained");
    assert_eq!(role("query_writer")["model"], "big");
    assert_eq!(role("verifier")["model"], serde_json::Value::Null);
    assert_eq!(role("reasoner")["api_key"], "*** (from $HARDGEN_API_KEY)");
    assert_eq!(v["max_cost"], 3.0);

    // A flag wins over the file for every role.
    let out = hardgen()
        .arg("--config")
        .arg(&cfg)
        .args([
            "config",
            "show",
            "--json",
            "--llm-model",
            "flagged",
            "--max-cost",
            "1",
        ])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        v["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .filter(|r| r["role"] != "verifier")
            .all(|r| r["model"] == "flagged"),
        "{v}"
    );
    assert_eq!(v["max_cost"], 1.0);

    // A bad file names itself and the key.
    std::fs::write(&cfg, "[roles.writer]\nmodel = \"m\"\n").expect("write");
    let out = hardgen()
        .arg("--config")
        .arg(&cfg)
        .args(["config", "show"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("hardgen.toml") && err.contains("[roles.writer]"),
        "{err}"
    );
}

#[test]
fn max_cost_stops_the_run_cleanly_between_items() {
    let (_rt, server) = mock(Vec::new(), Some(oracle()));
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("run");
    let out = hardgen()
        .args([
            "generate",
            "--n",
            "6",
            "--seed",
            "3",
            "--world-seeds",
            "1",
            "--jobs",
            "1",
        ])
        .arg("--out")
        .arg(&dir)
        .args([
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "hardgen-oracle",
            "--llm-input-price",
            "1000",
            "--max-cost",
            "0.5",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
            .expect("JSON");
    let stopped = summary["stopped"].as_str().unwrap_or_default();
    assert!(stopped.starts_with("max cost 0.5 reached"), "{summary}");
    assert!(
        summary["llm"]["cost"].as_f64().unwrap_or(0.0) >= 0.5,
        "{summary}"
    );
    let lines = |f: &str| {
        std::fs::read_to_string(dir.join(f))
            .unwrap_or_default()
            .lines()
            .count()
    };
    assert!(lines("records.jsonl") + lines("rejected.jsonl") < 6);
    assert!(String::from_utf8_lossy(&out.stdout).contains("stopped early"));
    verifies(&dir);
}
