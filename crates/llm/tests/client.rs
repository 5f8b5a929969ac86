//! The client against a scripted local endpoint started by each test: answers, retries on 429
//! (with `Retry-After`), 5xx, stalls, truncated bodies, dropped connections and non-JSON bodies,
//! gives up with a clear error, never retries a 400, never leaks the key, and keeps its limits.

use hardgen_llm::mock::{MockServer, Step};
use hardgen_llm::{ApiKey, ChatRequest, Client, ClientConfig, LlmError};
use std::time::{Duration, Instant};

fn config(server: &MockServer) -> ClientConfig {
    let mut c = ClientConfig::new(&server.base_url(), "mock-model");
    c.api_key = None;
    c.backoff_base = Duration::from_millis(10);
    c.backoff_max = Duration::from_millis(50);
    c.timeout = Duration::from_secs(5);
    c
}

async fn start(script: Vec<Step>) -> MockServer {
    MockServer::start(script, Duration::ZERO)
        .await
        .expect("mock server starts")
}

#[tokio::test]
async fn answers_are_parsed_and_counted() {
    let s = start(vec![]).await;
    let c = Client::new(config(&s)).expect("client");
    let r = c.chat(&ChatRequest::user("hi")).await.expect("answer");
    assert_eq!(r.content.as_deref(), Some("ok"));
    let st = c.stats();
    assert_eq!(
        (st.requests, st.attempts, st.retries, st.errors),
        (1, 1, 0, 0)
    );
    assert_eq!((st.prompt_tokens, st.completion_tokens), (10, 1));
    assert!(s.heads()[0].starts_with("POST /v1/chat/completions "));
}

#[tokio::test]
async fn a_429_waits_for_retry_after() {
    let s = start(vec![Step::Status(429, Some(1))]).await;
    let c = Client::new(config(&s)).expect("client");
    let t = Instant::now();
    c.chat(&ChatRequest::user("hi")).await.expect("answer");
    assert!(t.elapsed() >= Duration::from_secs(1), "{:?}", t.elapsed());
    assert_eq!(c.stats().retries, 1);
    assert_eq!(s.served(), 2);
}

#[tokio::test]
async fn server_errors_cut_bodies_dropped_connections_and_garbage_are_retried() {
    let s = start(vec![
        Step::Status(500, None),
        Step::Status(503, None),
        Step::Truncate,
        Step::Drop,
        Step::NotJson,
    ])
    .await;
    let c = Client::new(config(&s)).expect("client");
    let r = c.chat(&ChatRequest::user("hi")).await.expect("answer");
    assert_eq!(r.content.as_deref(), Some("ok"));
    assert_eq!(c.stats().retries, 5);
    assert_eq!(s.served(), 6);
}

#[tokio::test]
async fn a_stall_past_the_timeout_is_retried() {
    let s = start(vec![Step::Stall(Duration::from_secs(10))]).await;
    let mut cfg = config(&s);
    cfg.timeout = Duration::from_millis(300);
    let c = Client::new(cfg).expect("client");
    let t = Instant::now();
    c.chat(&ChatRequest::user("hi")).await.expect("answer");
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(c.stats().retries, 1);
}

#[tokio::test]
async fn giving_up_says_how_often_and_why() {
    let s = start(vec![Step::Status(500, None); 3]).await;
    let mut cfg = config(&s);
    cfg.max_retries = 1;
    let c = Client::new(cfg).expect("client");
    let e = c
        .chat(&ChatRequest::user("hi"))
        .await
        .expect_err("gives up");
    let msg = e.to_string();
    assert!(
        matches!(e, LlmError::Exhausted { attempts: 2, .. }),
        "{msg}"
    );
    assert!(
        msg.contains("HTTP 500") && msg.contains("/v1/chat/completions"),
        "{msg}"
    );
    assert_eq!(c.stats().errors, 1);
}

#[tokio::test]
async fn a_client_error_is_not_retried_and_the_key_never_shows() {
    let s = start(vec![Step::Status(401, None)]).await;
    let mut cfg = config(&s);
    cfg.api_key = Some(ApiKey::new("sk-test-secret"));
    cfg.headers.push(("X-Team".into(), "data".into()));
    let c = Client::new(cfg).expect("client");
    let e = c.chat(&ChatRequest::user("hi")).await.expect_err("401");
    assert!(matches!(e, LlmError::Status { status: 401, .. }));
    assert_eq!(s.served(), 1);
    let shown = format!("{e} {e:?} {c:?} {:?}", c.config());
    assert!(!shown.contains("sk-test-secret"), "{shown}");
    let head = s.heads()[0].to_lowercase();
    assert!(
        head.contains("authorization: bearer sk-test-secret"),
        "{head}"
    );
    assert!(head.contains("x-team: data"), "{head}");
}

#[tokio::test]
async fn concurrency_and_pacing_are_bounded() {
    // Two at a time, 100 ms each: six requests need at least three rounds.
    let s = MockServer::start(vec![], Duration::from_millis(100))
        .await
        .expect("server");
    let mut cfg = config(&s);
    cfg.concurrency = 2;
    let c = Client::new(cfg).expect("client");
    let t = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let c = c.clone();
        set.spawn(async move { c.chat(&ChatRequest::user("hi")).await.is_ok() });
    }
    while let Some(ok) = set.join_next().await {
        assert!(ok.expect("task"));
    }
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );

    // 600 requests per minute: one every 100 ms.
    let s = start(vec![]).await;
    let mut cfg = config(&s);
    cfg.requests_per_minute = Some(600);
    let c = Client::new(cfg).expect("client");
    let t = Instant::now();
    for _ in 0..4 {
        c.chat(&ChatRequest::user("hi")).await.expect("answer");
    }
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn the_tokens_per_minute_limit_holds_a_request_that_would_overshoot() {
    let s = start(vec![]).await;
    let mut cfg = config(&s);
    let one = (ChatRequest::user("hi").body("mock-model").to_string().len() as u64).div_ceil(4);
    // Room for two requests in a minute, not three.
    cfg.tokens_per_minute = Some(2 * one + 1);
    let c = Client::new(cfg).expect("client");
    for _ in 0..2 {
        tokio::time::timeout(Duration::from_secs(5), c.chat(&ChatRequest::user("hi")))
            .await
            .expect("within the limit: not held")
            .expect("answer");
    }
    let third =
        tokio::time::timeout(Duration::from_millis(400), c.chat(&ChatRequest::user("hi"))).await;
    assert!(third.is_err(), "the third request was not held");
    assert_eq!(s.served(), 2);
}

#[tokio::test]
async fn load_runs_report_their_figures() {
    let s = MockServer::start(vec![Step::Status(503, None)], Duration::from_millis(5))
        .await
        .expect("server");
    let c = Client::new(config(&s)).expect("client");
    let r = hardgen_llm::load::run(&c, 40, 8, None).await;
    assert_eq!(
        (r.requests, r.concurrency, r.errors, r.retries),
        (40, 8, 0, 1)
    );
    assert!(
        r.rps > 0.0 && r.p50_ms >= 5.0 && r.p99_ms >= r.p50_ms,
        "{r:?}"
    );
    let j = serde_json::to_value(r).expect("json");
    for k in ["rps", "p50_ms", "p99_ms", "errors", "retries", "cpu_s"] {
        assert!(j.get(k).is_some(), "missing {k}");
    }
}

#[tokio::test]
async fn the_cache_answers_a_repeated_request_without_the_server() {
    let dir = tempfile::tempdir().expect("tmp");
    let cache = std::sync::Arc::new(
        hardgen_llm::Cache::open(&dir.path().join("hardgen.sqlite")).expect("cache"),
    );
    let s = start(vec![
        Step::Reply("first".into()),
        Step::Reply("second".into()),
    ])
    .await;
    let c = Client::new(config(&s))
        .expect("client")
        .with_cache(cache.clone());
    let a = c.chat(&ChatRequest::user("hi")).await.expect("answer");
    let b = c.chat(&ChatRequest::user("hi")).await.expect("cached");
    assert_eq!(
        (a.content.as_deref(), b.content.as_deref()),
        (Some("first"), Some("first"))
    );
    let other = c.chat(&ChatRequest::user("bye")).await.expect("answer");
    assert_eq!(other.content.as_deref(), Some("second"));
    assert_eq!(s.served(), 2);
    assert_eq!(c.stats().cache_hits, 1);
    assert_eq!(cache.len().expect("len"), 2);
}
