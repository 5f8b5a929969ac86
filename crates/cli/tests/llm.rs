//! `hardgen llm bench` against a scripted local endpoint started by the test.

mod common;

use assert_cmd::Command;
use common::{first_line, generate_one as generate, hardgen, mock};
use hardgen_llm::mock::{MockServer, Step};
use std::time::Duration;

#[test]
fn llm_bench_prints_its_figures_as_json() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = rt
        .block_on(MockServer::start(
            vec![Step::Status(429, Some(0))],
            Duration::from_millis(2),
        ))
        .expect("mock server");
    let out = Command::cargo_bin("hardgen")
        .expect("binary")
        .args([
            "llm",
            "bench",
            "--base-url",
            &server.base_url(),
            "--model",
            "m",
        ])
        .args(["--concurrency", "4", "--requests", "20", "--json"])
        .env_remove("OPENAI_API_KEY")
        .env_remove("HARDGEN_API_KEY")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for k in ["rps", "p50_ms", "p99_ms", "errors", "retries", "cpu_s"] {
        assert!(
            v.get(k).is_some_and(|x| x.is_number()),
            "{k} missing in {v}"
        );
    }
    assert_eq!(v["errors"], 0);
    assert_eq!(v["retries"], 1);
    assert_eq!(server.served(), 21);
}

#[test]
fn llm_bench_reports_an_unreachable_endpoint() {
    let out = Command::cargo_bin("hardgen")
        .expect("binary")
        .args([
            "llm",
            "bench",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--model",
            "m",
        ])
        .args(["--requests", "2", "--max-retries", "0", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["errors"], 2);
}

/// A scripted endpoint (no responder behind it).
fn serve(script: Vec<Step>) -> (tokio::runtime::Runtime, MockServer) {
    mock(script, None)
}

/// The offline record of the test item (the same item every LLM test runs), made in `tmp`.
fn offline_record(tmp: &std::path::Path) -> serde_json::Value {
    let offline = tmp.join("offline");
    assert!(generate(&offline, &[]).status.success());
    first_line(offline.join("records.jsonl"))
}

/// The offline query of the test item: a rewrite every check accepts.
fn offline_query(tmp: &std::path::Path) -> String {
    offline_record(tmp)["rounds"][0]["query"]
        .as_str()
        .expect("query")
        .to_string()
}

#[test]
fn the_model_rewrites_queries_and_a_failed_rewrite_is_retried_with_the_problem() {
    let tmp = tempfile::tempdir().expect("tmp");
    // The offline query of the same item: a rewrite the checks accept.
    let query = offline_query(tmp.path());

    let (_rt, server) = serve(vec![
        Step::Reply("Hello there.".into()),
        Step::Reply(query.clone()),
    ]);
    let out_dir = tmp.path().join("llm");
    let out = generate(
        &out_dir,
        &[
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "mock-model",
            "--llm-roles",
            "query_writer",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rec = first_line(out_dir.join("records.jsonl"));
    assert_eq!(rec["generator"]["query_writer"], "mock-model");
    assert_eq!(rec["rounds"][0]["query"], query.as_str());
    assert_eq!(server.served(), 2);
    let bodies = server.bodies();
    assert!(
        bodies[0].contains("\"model\":\"mock-model\""),
        "{}",
        bodies[0]
    );
    assert!(bodies[1].contains("was rejected"), "{}", bodies[1]);
    let config = std::fs::read_to_string(out_dir.join("config.json")).expect("config");
    assert!(config.contains("\"model\": \"mock-model\""), "{config}");
    common::verifies(&out_dir);
}

#[test]
fn a_rewrite_that_fails_twice_is_rejected_with_the_checks_reason() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_rt, server) = serve(vec![
        Step::Reply("Please do it.".into()),
        Step::Reply("Please do it now.".into()),
    ]);
    let out = generate(
        tmp.path(),
        &[
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "mock-model",
            "--llm-roles",
            "query_writer",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rej = first_line(tmp.path().join("rejected.jsonl"));
    assert_eq!(rej["stage"], "query_writer");
    assert_eq!(rej["reason"], "drifted");
    assert!(
        rej["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("mock-model: ")),
        "{rej}"
    );
    assert_eq!(server.served(), 2);
}

#[test]
fn an_unreachable_model_stops_the_run_with_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_rt, server) = serve(vec![Step::Status(500, None); 10]);
    let out = generate(
        tmp.path(),
        &[
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "mock-model",
            "--llm-max-retries",
            "1",
            "--llm-roles",
            "query_writer",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("query_writer (mock-model)") && err.contains("HTTP 500"),
        "{err}"
    );
    assert!(err.contains(&server.base_url()), "{err}");
    // Nothing was rejected for it: a server failure is not a property of the sample.
    let rejected = std::fs::read_to_string(tmp.path().join("rejected.jsonl")).unwrap_or_default();
    assert!(rejected.is_empty(), "{rejected}");
}

#[test]
fn a_rerun_is_answered_from_the_cache_and_gives_the_same_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let query = offline_query(tmp.path());
    let (_rt, server) = serve(vec![Step::Reply(query)]);
    let dir = tmp.path().join("llm");
    let args = [
        "--llm-base-url",
        &server.base_url(),
        "--llm-model",
        "mock-model",
        "--llm-roles",
        "query_writer",
    ];
    assert!(generate(&dir, &args).status.success());
    let first = std::fs::read(dir.join("records.jsonl")).expect("records");
    assert!(dir.join("hardgen.sqlite").exists());
    assert!(generate(&dir, &args).status.success());
    assert_eq!(server.served(), 1, "the rerun asked the server again");
    assert_eq!(
        std::fs::read(dir.join("records.jsonl")).expect("records"),
        first
    );
}

/// The offline record of the test item: its gold calls and final answer.
fn offline_gold(tmp: &std::path::Path) -> (Vec<(String, serde_json::Value)>, String) {
    let rec = offline_record(tmp);
    let round = &rec["rounds"][0];
    let gold = round["gold"]
        .as_array()
        .expect("gold")
        .iter()
        .map(|g| {
            (
                g["name"].as_str().expect("name").to_string(),
                g["arguments"].clone(),
            )
        })
        .collect();
    let answer = round["trajectory"]
        .as_array()
        .expect("trajectory")
        .iter()
        .rev()
        .find_map(|m| m["content"].as_str().filter(|_| m["role"] == "assistant"))
        .expect("final answer")
        .to_string();
    (gold, answer)
}

fn reasoner_run(dir: &std::path::Path, server: &MockServer, mode: &str) -> serde_json::Value {
    let out = generate(
        dir,
        &[
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "mock-model",
            "--llm-roles",
            "reasoner",
            "--llm-tool-mode",
            mode,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::verifies(dir);
    first_line(dir.join("records.jsonl"))
}

#[test]
fn a_model_reasoner_in_constrained_mode_runs_the_calls_for_real() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (gold, answer) = offline_gold(tmp.path());
    let mut script: Vec<Step> = gold
        .iter()
        .map(|(name, args)| {
            Step::Reply(serde_json::json!({"name": name, "arguments": args}).to_string())
        })
        .collect();
    script.push(Step::Reply(
        serde_json::json!({"name": "final_answer", "arguments": {"text": answer}}).to_string(),
    ));
    let n = script.len();
    let (_rt, server) = serve(script);
    let rec = reasoner_run(&tmp.path().join("llm"), &server, "constrained");
    assert_eq!(rec["generator"]["reasoner"], "mock-model");
    assert_eq!(server.served(), n);
    // Each request asked for one JSON step naming an offered tool or final_answer.
    let body: serde_json::Value = serde_json::from_str(&server.bodies()[0]).expect("JSON");
    let names = &body["response_format"]["json_schema"]["schema"]["properties"]["name"]["enum"];
    assert!(names
        .as_array()
        .is_some_and(|a| a.contains(&serde_json::json!("final_answer"))));
    assert!(names
        .as_array()
        .is_some_and(|a| a.contains(&serde_json::json!(gold[0].0))));
    // The calls in the record are the model's, with the results the world gave.
    let calls: Vec<&serde_json::Value> = rec["rounds"][0]["trajectory"]
        .as_array()
        .expect("trajectory")
        .iter()
        .filter_map(|m| m["tool_calls"].as_array())
        .flatten()
        .collect();
    assert_eq!(calls.len(), gold.len());
}

#[test]
fn a_model_reasoner_with_native_tool_calls_is_verified() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (gold, answer) = offline_gold(tmp.path());
    let mut script: Vec<Step> = gold
        .iter()
        .enumerate()
        .map(|(i, (name, args))| {
            // The first call's arguments come in a code fence: read, and the repair recorded.
            let text = if i == 0 {
                format!("```json\n{args}\n```")
            } else {
                args.to_string()
            };
            Step::Message(serde_json::json!({"role": "assistant", "content": null,
                "reasoning_content": format!("step {i}"),
                "tool_calls": [{"id": format!("x{i}"), "type": "function",
                    "function": {"name": name, "arguments": text}}]}))
        })
        .collect();
    script.push(Step::Reply(answer));
    let (_rt, server) = serve(script);
    let rec = reasoner_run(&tmp.path().join("llm"), &server, "native");
    assert_eq!(rec["generator"]["reasoner"], "mock-model");
    let body: serde_json::Value = serde_json::from_str(&server.bodies()[0]).expect("JSON");
    assert!(body["tools"].as_array().is_some_and(|t| !t.is_empty()));
    // The second request carries the first call and its result back as OpenAI messages.
    let second: serde_json::Value = serde_json::from_str(&server.bodies()[1]).expect("JSON");
    let roles: Vec<&str> = second["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["role"].as_str())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "tool"]);
    let first_turn = &rec["rounds"][0]["trajectory"][1];
    assert_eq!(first_turn["reasoning"], "step 0");
    assert_eq!(
        rec["rounds"][0]["repairs"],
        serde_json::json!([{"role": "reasoner", "repair": "code_fence"}])
    );
}

#[test]
fn retries_are_counted_in_the_summary_and_nothing_is_lost() {
    let tmp = tempfile::tempdir().expect("tmp");
    let query = offline_query(tmp.path());
    let (_rt, server) = serve(vec![
        Step::Status(429, Some(0)),
        Step::Status(503, None),
        Step::Truncate,
        Step::Reply(query),
    ]);
    let dir = tmp.path().join("llm");
    let out = generate(
        &dir,
        &[
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "mock-model",
            "--llm-roles",
            "query_writer",
            "--llm-no-cache",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
            .expect("JSON");
    assert_eq!(summary["kept"], 1, "{summary}");
    assert_eq!(summary["llm"]["requests"], 1, "{summary}");
    assert_eq!(summary["llm"]["retries"], 3, "{summary}");
    assert_eq!(summary["llm"]["errors"], 0, "{summary}");
    // The run store is there (it holds the items), but no model answer was kept.
    let status = hardgen()
        .args(["status", "--json"])
        .arg(&dir)
        .output()
        .expect("status");
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).expect("JSON");
    assert_eq!(status["model_responses"], 0, "{status}");
    assert_eq!(status["stages"][0]["stage"], "generate", "{status}");
    assert_eq!(status["stages"][0]["finished"], true, "{status}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("model requests"));
}

/// The scripted steps of a constrained model reasoner that makes the offline gold calls and
/// gives the offline answer.
fn gold_script(tmp: &std::path::Path) -> Vec<Step> {
    let (gold, answer) = offline_gold(tmp);
    let mut script: Vec<Step> = gold
        .iter()
        .map(|(name, args)| {
            Step::Reply(serde_json::json!({"name": name, "arguments": args}).to_string())
        })
        .collect();
    script.push(Step::Reply(
        serde_json::json!({"name": "final_answer", "arguments": {"text": answer}}).to_string(),
    ));
    script
}

fn irrelevance_run(dir: &std::path::Path, server: &MockServer) -> std::process::Output {
    generate(
        dir,
        &[
            "--llm-base-url",
            &server.base_url(),
            "--llm-model",
            "mock-model",
            "--llm-roles",
            "reasoner",
            "--llm-tool-mode",
            "constrained",
            "--variants",
            "irrelevance",
            "--variant-share",
            "1",
        ],
    )
}

#[test]
fn a_model_reasoner_writes_a_variants_no_call_turn_from_a_variant_aware_prompt() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut script = gold_script(tmp.path());
    let refusal = "Sorry, I can't do that here: none of my tools handles it.";
    script.push(Step::Reply(
        serde_json::json!({"reasoning": "No offered tool does this.", "reply": refusal})
            .to_string(),
    ));
    let n = script.len();
    let (_rt, server) = serve(script);
    let dir = tmp.path().join("llm");
    let out = irrelevance_run(&dir, &server);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::verifies(&dir);
    let rec = first_line(dir.join("records.jsonl"));
    assert_eq!(rec["variant"], "irrelevance");
    assert_eq!(rec["rounds"][0]["trajectory"][1]["content"], refusal);
    assert_eq!(
        rec["rounds"][0]["trajectory"][1]["reasoning"],
        "No offered tool does this."
    );
    assert_eq!(server.served(), n);
    // The last request told the model the situation of the variant and showed the draft.
    let body: serde_json::Value = serde_json::from_str(&server.bodies()[n - 1]).expect("JSON");
    let system = body["messages"][0]["content"].as_str().unwrap_or("");
    let user = body["messages"][1]["content"].as_str().unwrap_or("");
    assert!(system.contains("none of the offered tools can"), "{system}");
    assert!(user.contains("Draft: "), "{user}");
    assert!(user.starts_with("Conversation so far:\nUser: "), "{user}");
}

#[test]
fn a_model_turn_that_breaks_the_variants_rule_is_retried_then_rejected() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut script = gold_script(tmp.path());
    // Twice an answer that does not refuse: the retry shows the problem, then the item goes.
    for _ in 0..2 {
        script.push(Step::Reply(
            serde_json::json!({"reasoning": "r", "reply": "Sure, all done."}).to_string(),
        ));
    }
    let n = script.len();
    let (_rt, server) = serve(script);
    let dir = tmp.path().join("llm");
    let out = irrelevance_run(&dir, &server);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.served(), n);
    let retry: serde_json::Value = serde_json::from_str(&server.bodies()[n - 1]).expect("JSON");
    let user = retry["messages"][1]["content"].as_str().unwrap_or("");
    assert!(user.contains("Your previous answer was rejected"), "{user}");
    let rejected = common::lines(dir.join("rejected.jsonl"));
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["reason"], "variant_broken");
    assert_eq!(rejected[0]["variant"], "irrelevance");
}
