//! An OpenAI-compatible endpoint for anything that answers chat requests without a model
//! (hardgen's deterministic policies): `POST /v1/chat/completions`, `GET /v1/models`,
//! `GET /health`. It lets the whole HTTP path (client, codecs, retries, cache) run in tests and
//! demos with no language model.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Answers one chat-completions request body with the assistant message
/// (`{"role": "assistant", "content": ..., "tool_calls": [...]}`), or a reason the request is
/// unusable (answered with HTTP 400).
pub trait Responder: Send + Sync + 'static {
    /// The model name `/v1/models` lists and responses carry.
    fn model(&self) -> &str;
    /// The assistant message for `request`.
    fn respond(&self, request: &Value) -> Result<Value, String>;
}

#[derive(Clone)]
struct Shared {
    responder: Arc<dyn Responder>,
    served: Arc<AtomicU64>,
    received: Arc<AtomicU64>,
}

/// A bound server: its address and a counter of answered completions.
pub struct Bound {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Completions answered so far.
    pub served: Arc<AtomicU64>,
    listener: tokio::net::TcpListener,
    router: Router,
}

impl Bound {
    /// The base URL clients use (`http://ADDR/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Serves until the task is dropped or the process ends.
    pub async fn run(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router).await
    }
}

/// Binds `addr` (`127.0.0.1:0` picks a free port) for `responder`.
pub async fn bind(addr: &str, responder: Arc<dyn Responder>) -> std::io::Result<Bound> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let served = Arc::new(AtomicU64::new(0));
    let shared = Shared {
        responder,
        served: Arc::clone(&served),
        received: Arc::new(AtomicU64::new(0)),
    };
    let router = Router::new()
        .route("/v1/chat/completions", post(completions))
        .route("/v1/models", get(models))
        .route("/health", get(health))
        .with_state(shared);
    Ok(Bound {
        addr: listener.local_addr()?,
        served,
        listener,
        router,
    })
}

/// Liveness, with the request counts (received, and answered with 200) since start: crash tests
/// read them to count what a killed client had in flight.
async fn health(State(s): State<Shared>) -> Json<Value> {
    Json(json!({"status": "ok",
        "received": s.received.load(Ordering::Relaxed),
        "served": s.served.load(Ordering::Relaxed)}))
}

async fn models(State(s): State<Shared>) -> Json<Value> {
    Json(json!({"object": "list", "data": [
        {"id": s.responder.model(), "object": "model", "created": 0, "owned_by": "hardgen"}]}))
}

/// A rough token count (4 bytes a token) so clients' token accounting has figures.
fn tokens(v: &Value) -> u64 {
    (v.to_string().len() as u64).div_ceil(4)
}

async fn completions(
    State(s): State<Shared>,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> (StatusCode, Json<Value>) {
    let bad = |msg: String| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"message": msg, "type": "invalid_request_error"}})),
        )
    };
    s.received.fetch_add(1, Ordering::Relaxed);
    let Ok(Json(req)) = body else {
        return bad("the body is not a JSON object".into());
    };
    if !req.get("messages").is_some_and(Value::is_array) {
        return bad("`messages` must be an array".into());
    }
    // The policies are fast and synchronous; run them off the I/O threads anyway.
    let r = Arc::clone(&s.responder);
    let req2 = req.clone();
    let message = match tokio::task::spawn_blocking(move || r.respond(&req2)).await {
        Ok(Ok(m)) => m,
        Ok(Err(e)) => return bad(e),
        Err(e) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({"error": {"message": e.to_string(), "type": "server_error"}})),
            )
        }
    };
    let n = s.served.fetch_add(1, Ordering::Relaxed);
    let finish = if message
        .get("tool_calls")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty())
    {
        "tool_calls"
    } else {
        "stop"
    };
    let (prompt, completion) = (tokens(&req["messages"]), tokens(&message));
    (
        StatusCode::OK,
        Json(json!({
            "id": format!("chatcmpl-{n}"),
            "object": "chat.completion",
            "created": 0,
            "model": s.responder.model(),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
        })),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;
    impl Responder for Echo {
        fn model(&self) -> &str {
            "echo"
        }
        fn respond(&self, request: &Value) -> Result<Value, String> {
            let last = request["messages"]
                .as_array()
                .and_then(|m| m.last())
                .and_then(|m| m["content"].as_str())
                .ok_or("no user text")?;
            Ok(json!({"role": "assistant", "content": last}))
        }
    }

    #[tokio::test]
    async fn completions_models_and_health_answer_like_an_openai_server() {
        let bound = bind("127.0.0.1:0", Arc::new(Echo)).await.expect("bind");
        let url = bound.base_url();
        let served = Arc::clone(&bound.served);
        tokio::spawn(bound.run());
        let client = crate::Client::new(crate::ClientConfig::new(&url, "echo")).expect("client");
        let r = client
            .chat(&crate::ChatRequest {
                messages: vec![json!({"role": "user", "content": "hi there"})],
                ..crate::ChatRequest::default()
            })
            .await
            .expect("chat");
        assert_eq!(r.content.as_deref(), Some("hi there"));
        assert!(r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0);
        assert_eq!(served.load(Ordering::Relaxed), 1);
        let http = reqwest::Client::new();
        let models: Value = http
            .get(format!("{url}/models"))
            .send()
            .await
            .expect("models")
            .json()
            .await
            .expect("json");
        assert_eq!(models["data"][0]["id"], "echo");
        let base = url.trim_end_matches("/v1");
        let health = http
            .get(format!("{base}/health"))
            .send()
            .await
            .expect("health");
        assert!(health.status().is_success());
        let bad = http
            .post(format!("{url}/chat/completions"))
            .body("{\"messages\": 3}")
            .header("content-type", "application/json")
            .send()
            .await
            .expect("post");
        assert_eq!(bad.status().as_u16(), 400);
    }
}
