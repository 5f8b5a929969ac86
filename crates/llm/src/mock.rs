//! A scripted OpenAI-compatible endpoint on loopback, for tests and benchmarks. It is not a
//! model: every answer is the fixed text `ok`, or, with a [`Responder`] behind it (a built-in
//! policy), that responder's answer. Each request takes the next step of a script (answer,
//! error status with or without `Retry-After`, stall, truncated body, dropped connection, a 200
//! that is not JSON); when the script runs out it answers. Written over raw TCP
//! so it can misbehave in ways a well-behaved HTTP framework will not.

use crate::server::Responder;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A chat completion with content `ok`.
    Answer,
    /// A chat completion with this content.
    Reply(String),
    /// A chat completion whose `choices[0].message` is this object (tool calls, reasoning).
    Message(serde_json::Value),
    /// An error status, with `Retry-After: <seconds>` when given.
    Status(u16, Option<u64>),
    /// Waits this long, then answers.
    Stall(Duration),
    /// Announces the whole body but sends half of it, then closes.
    Truncate,
    /// Closes the connection without answering.
    Drop,
    /// A 200 whose body is not JSON.
    NotJson,
}

/// Answers a request body: the responder's message, or the fixed `ok` answer.
fn respond(responder: Option<&Arc<dyn Responder>>, body: &[u8]) -> String {
    let Some(r) = responder else {
        return answer_body();
    };
    let req: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    match r.respond(&req) {
        Ok(m) => message_body(&m),
        Err(e) => answer_body_with(&e),
    }
}

/// A running mock endpoint; stops when dropped.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    served: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
    bodies: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

/// The body of an answer with `content`.
fn answer_body_with(content: &str) -> String {
    serde_json::json!({
        "id": "chatcmpl-mock", "object": "chat.completion", "model": "mock",
        "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 1}
    })
    .to_string()
}

/// The body of an answer whose message is `message`.
fn message_body(message: &serde_json::Value) -> String {
    serde_json::json!({
        "id": "chatcmpl-mock", "object": "chat.completion", "model": "mock",
        "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 1}
    })
    .to_string()
}

/// The body of an answer.
fn answer_body() -> String {
    answer_body_with("ok")
}

impl MockServer {
    /// Starts on `127.0.0.1:0` in the current tokio runtime; every answer waits `latency` first.
    pub async fn start(script: Vec<Step>, latency: Duration) -> std::io::Result<MockServer> {
        MockServer::start_with(script, latency, None).await
    }

    /// Like [`MockServer::start`], but `Answer` (and a stalled or cut answer) is `responder`'s
    /// answer to the request: a built-in policy behind a misbehaving connection.
    pub async fn start_with(
        script: Vec<Step>,
        latency: Duration,
        responder: Option<Arc<dyn Responder>>,
    ) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let served = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(script);
        let seen = Seen {
            served: Arc::clone(&served),
            heads: Arc::clone(&heads),
            bodies: Arc::clone(&bodies),
        };
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (script, seen) = (Arc::clone(&script), seen.clone());
                let responder = responder.clone();
                tokio::spawn(async move {
                    // A connection error only ends this connection.
                    let _ = serve(sock, &script, &seen, latency, responder.as_ref()).await;
                });
            }
        });
        Ok(MockServer {
            addr,
            served,
            heads,
            bodies,
            task,
        })
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Requests received so far.
    pub fn served(&self) -> usize {
        self.served.load(Ordering::Relaxed)
    }

    /// The request bodies received so far, in order.
    pub fn bodies(&self) -> Vec<String> {
        self.bodies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The request heads (request line and headers) received so far, in order.
    pub fn heads(&self) -> Vec<String> {
        self.heads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What the server has seen, shared by its connections.
#[derive(Clone)]
struct Seen {
    served: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
    bodies: Arc<Mutex<Vec<String>>>,
}

/// Serves one keep-alive connection until the client closes it or a step closes it.
async fn serve(
    sock: TcpStream,
    script: &[Step],
    seen: &Seen,
    latency: Duration,
    responder: Option<&Arc<dyn Responder>>,
) -> std::io::Result<()> {
    sock.set_nodelay(true)?;
    let mut r = BufReader::new(sock);
    loop {
        let mut head = String::new();
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            if line == "\r\n" || line == "\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            head.push_str(&line);
        }
        let mut body = vec![0u8; len];
        r.read_exact(&mut body).await?;
        // Record before counting, so a caller that saw the count also sees the request.
        seen.heads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(head);
        seen.bodies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(String::from_utf8_lossy(&body).into_owned());
        let k = seen.served.fetch_add(1, Ordering::Relaxed);
        let step = script.get(k).cloned().unwrap_or(Step::Answer);
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let w = r.get_mut();
        let reply = |status: &str, extra: &str, body: &str| {
            format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
                body.len()
            )
        };
        match step {
            Step::Answer => {
                w.write_all(reply("200 OK", "", &respond(responder, &body)).as_bytes())
                    .await?
            }
            Step::Reply(text) => {
                w.write_all(reply("200 OK", "", &answer_body_with(&text)).as_bytes())
                    .await?
            }
            Step::Message(m) => {
                w.write_all(reply("200 OK", "", &message_body(&m)).as_bytes())
                    .await?
            }
            Step::Status(code, after) => {
                let extra = after.map_or(String::new(), |s| format!("Retry-After: {s}\r\n"));
                let body = format!("{{\"error\": {{\"message\": \"mock status {code}\"}}}}");
                w.write_all(reply(&format!("{code} Mock"), &extra, &body).as_bytes())
                    .await?;
            }
            Step::Stall(d) => {
                tokio::time::sleep(d).await;
                w.write_all(reply("200 OK", "", &respond(responder, &body)).as_bytes())
                    .await?;
            }
            Step::Truncate => {
                let answer = respond(responder, &body);
                let full = reply("200 OK", "", &answer);
                let cut = full.len() - answer.len() / 2;
                w.write_all(&full.as_bytes()[..cut]).await?;
                w.shutdown().await?;
                return Ok(());
            }
            Step::Drop => return Ok(()),
            Step::NotJson => {
                w.write_all(reply("200 OK", "", "<html>busy</html>").as_bytes())
                    .await?
            }
        }
        w.flush().await?;
    }
}
