//! `hardgen eval`, `hardgen probe`, `hardgen graph --weights` and `hardgen loop`, with the
//! built-in policies in-process and (for eval) over HTTP through `hardgen serve`.

mod common;

use common::{hardgen, hardgen_serve};
use std::path::Path;

fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn generate(dir: &Path, n: &str) {
    let out = hardgen()
        .args(["generate", "--n", n, "--seed", "7", "--out"])
        .arg(dir)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn eval(agent: &str, data: &Path, out: &Path) -> serde_json::Value {
    json_of(
        &hardgen()
            .args(["eval", "--agent", agent, "--json", "--data"])
            .arg(data)
            .arg("--out")
            .arg(out)
            .output()
            .expect("runs"),
    )
}

#[test]
fn eval_reports_accuracy_by_domain_length_round_and_failure_kind() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    generate(&data, "40");
    let base = eval("baseline", &data, &tmp.path().join("base"));
    let oracle = eval("oracle", &data, &tmp.path().join("oracle"));
    let rounds = base["overall"]["total"].as_u64().expect("total");
    assert!(rounds >= 30, "{rounds} rounds");
    assert!(
        oracle["overall"]["accuracy"].as_f64() > base["overall"]["accuracy"].as_f64(),
        "the oracle solves more than the baseline"
    );
    for r in [&base, &oracle] {
        let passed = r["overall"]["passed"].as_u64().expect("passed");
        let failed: u64 = r["by_failure"]
            .as_object()
            .expect("by_failure")
            .values()
            .filter_map(serde_json::Value::as_u64)
            .sum();
        // Every failed round has exactly one kind.
        assert_eq!(passed + failed, rounds);
        for key in ["by_domain", "by_length", "by_round"] {
            let total: u64 = r[key]
                .as_object()
                .expect(key)
                .values()
                .map(|t| t["total"].as_u64().expect("total"))
                .sum();
            assert_eq!(total, rounds, "{key}");
        }
    }
    let html = std::fs::read_to_string(tmp.path().join("base/report.html")).expect("html");
    assert!(html.contains("<svg") && html.contains("Failures by kind"));
    assert!(
        !html.contains("<script"),
        "no scripts: the page is self-contained"
    );
    let t = common::lines(tmp.path().join("base/transcripts.jsonl"));
    assert_eq!(t.len() as u64, rounds);
    assert!(t[0]["transcript"]["calls"].is_array() && t[0]["transcript"]["latency_ms"].is_u64());
}

#[test]
fn a_policy_served_over_http_scores_as_it_does_in_process() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    generate(&data, "12");
    let served = hardgen_serve("baseline");
    let agent = format!("hardgen-baseline@{}", served.url);
    let http = eval(&agent, &data, &tmp.path().join("http"));
    let local = eval("baseline", &data, &tmp.path().join("local"));
    assert_eq!(http["overall"], local["overall"]);
    assert_eq!(http["by_failure"], local["by_failure"]);
    assert_eq!(http["agent"], agent.as_str());
}

#[test]
fn probe_sets_weights_that_graph_and_generate_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    let probe = tmp.path().join("probe.json");
    let tools = "search_contacts,get_account,list_cards,transfer_funds";
    let r = json_of(
        &hardgen()
            .args([
                "probe",
                "--target",
                "baseline",
                "--reference",
                "oracle",
                "--per-tool",
                "2",
            ])
            .args(["--json", "--tools", tools, "--out"])
            .arg(&probe)
            .output()
            .expect("runs"),
    );
    let per = r["tools"].as_object().expect("tools");
    assert_eq!(
        per.len() + r["unprobed"].as_array().expect("unprobed").len(),
        4
    );
    for (name, p) in per {
        let both =
            p["target_rate"].as_f64() >= Some(0.5) && p["reference_rate"].as_f64() >= Some(0.5);
        let listed = r["failure_set"]
            .as_array()
            .expect("set")
            .iter()
            .any(|x| x == name.as_str());
        assert_eq!(
            both, listed,
            "{name}: the failure set is what both agents fail"
        );
        assert_eq!(p["failing"].as_bool(), Some(listed));
        assert!(r["weights"][name].as_f64() > Some(0.0));
    }
    let dot = hardgen()
        .args(["graph", "--format", "dot", "--weights"])
        .arg(&probe)
        .output()
        .expect("runs");
    assert!(dot.status.success());
    assert!(String::from_utf8_lossy(&dot.stdout).contains("penwidth="));
    // A weights file with a wrong value names the field.
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, r#"{"weights": {"get_account": "high"}}"#).expect("write");
    let out = hardgen()
        .args(["graph", "--weights"])
        .arg(&bad)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("weights.get_account"));
    // Generation aimed by the weights: only the weighted tools are targets.
    let only = tmp.path().join("only.json");
    std::fs::write(&only, r#"{"search_contacts": 1.0}"#).expect("write");
    let gen = tmp.path().join("gen");
    let out = hardgen()
        .args(["generate", "--n", "6", "--out"])
        .arg(&gen)
        .arg("--weights")
        .arg(&only)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let counts = common::lines(gen.join("records.jsonl"));
    assert!(!counts.is_empty());
    let targets: std::collections::BTreeSet<String> = counts
        .iter()
        .map(|r| r["rounds"][0]["target"].as_str().unwrap_or("").to_string())
        .collect();
    // Unlisted tools keep weight 1, so the weighted one is not alone; it must appear.
    assert!(!targets.is_empty());
}

#[test]
fn the_loop_reports_directed_and_random_pass_rates_per_iteration() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out_dir = tmp.path().join("loop");
    let r = json_of(
        &hardgen()
            .args([
                "loop",
                "--iterations",
                "2",
                "--target",
                "baseline",
                "--reference",
                "oracle",
            ])
            .args([
                "--per-tool",
                "1",
                "--items",
                "60",
                "--keep",
                "failed",
                "--json",
                "--out",
            ])
            .arg(&out_dir)
            .output()
            .expect("runs"),
    );
    let its = r["iterations"].as_array().expect("iterations");
    assert_eq!(its.len(), 2);
    for it in its {
        assert!(it["failure_set"].as_u64() > Some(0));
        assert!(it["directed"]["total"].as_u64() > Some(0));
        assert!(it["random"]["total"].as_u64() > Some(0));
        assert!(it["kept"].as_u64() <= it["verified"].as_u64());
    }
    let kept: u64 = its.iter().filter_map(|i| i["kept"].as_u64()).sum();
    assert_eq!(
        common::lines(out_dir.join("records.jsonl")).len() as u64,
        kept
    );
    assert!(out_dir.join("probe.json").exists() && out_dir.join("loop.json").exists());
}

#[test]
fn variant_rounds_are_judged_on_their_judgement_and_broken_down_by_variant() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let out = hardgen()
        .args(["generate", "--n", "24", "--seed", "7", "--variants", "all"])
        .args(["--variant-share", "0.6", "--out"])
        .arg(&data)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = eval("oracle", &data, &tmp.path().join("oracle"));
    let by = r["by_variant"].as_object().expect("by_variant");
    let total: u64 = by
        .values()
        .map(|t| t["total"].as_u64().expect("total"))
        .sum();
    assert_eq!(Some(total), r["overall"]["total"].as_u64());
    assert!(by.contains_key("standard") && by.len() >= 3, "{by:?}");
    // The oracle plans calls from the request: where the request needs a question or a
    // refusal first, it calls tools instead, and that is the failure named.
    let rounds = r["rounds"].as_array().expect("rounds");
    let judged: Vec<&serde_json::Value> = rounds
        .iter()
        .filter(|x| {
            ["missing_param", "irrelevance", "missing_function"]
                .contains(&x["variant"].as_str().unwrap_or("standard"))
        })
        .collect();
    assert!(!judged.is_empty());
    for x in &judged {
        if x["passed"] == false {
            assert_eq!(x["kind"], "missed_judgement", "{x}");
            assert!(x["why"].as_str().is_some_and(|w| !w.is_empty()), "{x}");
        }
    }
    assert!(
        judged.iter().any(|x| x["passed"] == false),
        "the oracle never asks or refuses"
    );
}

#[test]
fn an_agent_that_asks_first_gets_the_reply_and_is_judged_on_the_rest() {
    use hardgen_llm::mock::Step;
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let out = hardgen()
        .args(["generate", "--n", "1", "--seed", "7", "--tries", "8"])
        .args([
            "--variants",
            "missing_param",
            "--variant-share",
            "1",
            "--out",
        ])
        .arg(&data)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let rec = common::first_line(data.join("records.jsonl"));
    assert_eq!(rec["variant"], "missing_param");
    let tr = rec["rounds"][0]["trajectory"]
        .as_array()
        .expect("trajectory");
    // A scripted agent: first the record's own question, then the record's calls and answer.
    let mut script = vec![Step::Message(serde_json::json!({
        "role": "assistant", "content": tr[1]["content"]
    }))];
    for m in &tr[3..] {
        if m["role"] != "assistant" {
            continue;
        }
        match m["tool_calls"].as_array() {
            Some(calls) => script.push(Step::Message(serde_json::json!({
                "role": "assistant", "content": null,
                "tool_calls": calls.iter().map(|c| serde_json::json!({
                    "id": c["id"], "type": "function",
                    "function": {"name": c["name"], "arguments": c["arguments"].to_string()}
                })).collect::<Vec<_>>()
            }))),
            None => script.push(Step::Reply(
                m["content"].as_str().expect("answer").to_string(),
            )),
        }
    }
    let (_rt, server) = common::mock(script, None);
    let agent = format!("scripted@{}", server.base_url());
    let r = eval(&agent, &data, &tmp.path().join("eval"));
    assert_eq!(r["rounds"][0]["passed"], true, "{}", r["rounds"][0]);
    assert_eq!(r["by_variant"]["missing_param"]["passed"], 1);
    // The second run got the conversation with the user's reply.
    let t = common::lines(tmp.path().join("eval/transcripts.jsonl"));
    let msgs = t[0]["transcript"]["messages"].as_array().expect("messages");
    assert!(msgs
        .iter()
        .any(|m| m["role"] == "user" && m["content"] == tr[2]["content"]));
}
