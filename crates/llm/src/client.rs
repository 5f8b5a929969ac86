//! The HTTP client: one `reqwest` connection pool, a semaphore for concurrency, a pacer for
//! requests per minute, and a retry loop that knows which failures are worth another try.

use crate::cache::Cache;
use crate::types::{ChatRequest, ChatResponse, LlmError};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// An API key. Its `Debug` and `Display` print `***`, so it cannot leak through a log line or
/// an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    /// The key from `HARDGEN_API_KEY`, else `OPENAI_API_KEY` (None when neither is set or both
    /// are empty).
    pub fn from_env() -> Option<ApiKey> {
        ["HARDGEN_API_KEY", "OPENAI_API_KEY"]
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .find(|v| !v.trim().is_empty())
            .map(ApiKey)
    }

    /// The key itself, for the `Authorization` header only.
    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Prices in a currency unit per million tokens, for the cost estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Prices {
    /// Per million prompt tokens.
    pub input_per_mtok: f64,
    /// Per million completion tokens.
    pub output_per_mtok: f64,
}

/// How to reach one model.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL ending in `/v1` (`http://127.0.0.1:8080/v1`).
    pub base_url: String,
    /// Model name sent with every request.
    pub model: String,
    /// Bearer key (see [`ApiKey::from_env`]).
    pub api_key: Option<ApiKey>,
    /// Extra headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// Timeout of one attempt, connection to last byte.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff; doubled per retry, with jitter, up to `backoff_max`.
    pub backoff_base: Duration,
    /// Longest backoff (a `Retry-After` asking for longer is honoured up to 10 minutes).
    pub backoff_max: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests started per minute (None: no pacing).
    pub requests_per_minute: Option<u32>,
    /// Tokens (prompt estimate + completions) per minute (None: no limit). A request waits
    /// until the last minute's tokens leave room for it.
    pub tokens_per_minute: Option<u64>,
    /// Prices for the cost estimate.
    pub prices: Prices,
}

impl ClientConfig {
    /// Defaults for `base_url` and `model`: key from the environment, 120 s timeout, 5 retries
    /// from 0.5 s to 30 s, 16 requests at once, no pacing, no prices.
    pub fn new(base_url: &str, model: &str) -> ClientConfig {
        ClientConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            model: model.to_string(),
            api_key: ApiKey::from_env(),
            headers: Vec::new(),
            timeout: Duration::from_secs(120),
            max_retries: 5,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            concurrency: 16,
            requests_per_minute: None,
            tokens_per_minute: None,
            prices: Prices::default(),
        }
    }
}

/// Counters of a client, shared by its clones.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    attempts: AtomicU64,
    retries: AtomicU64,
    errors: AtomicU64,
    prompt_tokens: AtomicU64,
    completion_tokens: AtomicU64,
    cache_hits: AtomicU64,
}

/// A snapshot of a client's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Requests made (each counted once, however many attempts it took).
    pub requests: u64,
    /// HTTP attempts.
    pub attempts: u64,
    /// Attempts after a failed one.
    pub retries: u64,
    /// Requests that failed for good.
    pub errors: u64,
    /// Prompt tokens over answered requests.
    pub prompt_tokens: u64,
    /// Completion tokens over answered requests.
    pub completion_tokens: u64,
    /// Estimated cost from the configured prices (answers from the cache cost nothing).
    pub cost: f64,
    /// Requests answered from the response cache.
    pub cache_hits: u64,
}

impl std::ops::Add for Stats {
    type Output = Stats;
    /// The figures of two clients together.
    fn add(self, o: Stats) -> Stats {
        Stats {
            requests: self.requests + o.requests,
            attempts: self.attempts + o.attempts,
            retries: self.retries + o.retries,
            errors: self.errors + o.errors,
            prompt_tokens: self.prompt_tokens + o.prompt_tokens,
            completion_tokens: self.completion_tokens + o.completion_tokens,
            cost: self.cost + o.cost,
            cache_hits: self.cache_hits + o.cache_hits,
        }
    }
}

/// What every role and agent talks to: a chat model. [`Client`] is the HTTP implementation
/// (any OpenAI-compatible server); others (an in-process policy, a test double) plug in the
/// same way.
pub trait ChatModel: Send + Sync {
    /// The model's name.
    fn model(&self) -> &str;
    /// Answers one request (retries, limits and caching are the implementation's business).
    fn complete<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<ChatResponse, LlmError>> + Send + 'a>,
    >;
    /// Counters so far.
    fn stats(&self) -> Stats;
}

impl ChatModel for Client {
    fn model(&self) -> &str {
        &self.cfg.model
    }
    fn complete<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<ChatResponse, LlmError>> + Send + 'a>,
    > {
        Box::pin(self.chat(req))
    }
    fn stats(&self) -> Stats {
        Client::stats(self)
    }
}

/// A chat-completions client. Cheap to clone: clones share the connection pool, the limits and
/// the counters.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    cfg: Arc<ClientConfig>,
    url: Arc<str>,
    gate: Arc<Semaphore>,
    /// When the next request may start (requests-per-minute pacing).
    next_slot: Arc<Mutex<Option<Instant>>>,
    /// Tokens spent in the last minute, by when (tokens-per-minute limit).
    spent: Arc<Mutex<std::collections::VecDeque<(Instant, u64)>>>,
    counters: Arc<Counters>,
    cache: Option<Arc<Cache>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.url)
            .field("model", &self.cfg.model)
            .finish_non_exhaustive()
    }
}

/// A failed attempt: retryable or not, with what to tell the user.
enum Failure {
    Retry {
        why: String,
        after: Option<Duration>,
    },
    Fatal(LlmError),
}

impl Client {
    /// Builds a client; fails on a bad header or base URL.
    pub fn new(cfg: ClientConfig) -> Result<Client, LlmError> {
        if !(cfg.base_url.starts_with("http://") || cfg.base_url.starts_with("https://")) {
            return Err(LlmError::Config(format!(
                "base URL `{}` must start with http:// or https://",
                cfg.base_url
            )));
        }
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, v) in &cfg.headers {
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| LlmError::Config(format!("bad header name `{k}`")))?;
            let value = reqwest::header::HeaderValue::from_str(v)
                .map_err(|_| LlmError::Config(format!("bad value for header `{k}`")))?;
            headers.insert(name, value);
        }
        if let Some(key) = &cfg.api_key {
            let mut v = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", key.expose()))
                .map_err(|_| LlmError::Config("the API key is not a valid header value".into()))?;
            v.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, v);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(cfg.timeout)
            .pool_max_idle_per_host(cfg.concurrency.max(1))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| LlmError::Config(e.to_string()))?;
        Ok(Client {
            http,
            url: format!("{}/chat/completions", cfg.base_url).into(),
            gate: Arc::new(Semaphore::new(cfg.concurrency.max(1))),
            next_slot: Arc::new(Mutex::new(None)),
            spent: Arc::new(Mutex::new(std::collections::VecDeque::new())),
            counters: Arc::new(Counters::default()),
            cache: None,
            cfg: Arc::new(cfg),
        })
    }

    /// Answers repeated requests from `cache` and stores new answers in it.
    pub fn with_cache(mut self, cache: Arc<Cache>) -> Client {
        self.cache = Some(cache);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.cfg
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let (p, o) = (get(&c.prompt_tokens), get(&c.completion_tokens));
        Stats {
            requests: get(&c.requests),
            attempts: get(&c.attempts),
            retries: get(&c.retries),
            errors: get(&c.errors),
            prompt_tokens: p,
            completion_tokens: o,
            cache_hits: get(&c.cache_hits),
            cost: (p as f64 * self.cfg.prices.input_per_mtok
                + o as f64 * self.cfg.prices.output_per_mtok)
                / 1e6,
        }
    }

    /// Sends one request, retrying what is worth retrying.
    pub async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let body = req.body(&self.cfg.model);
        if let Some(c) = &self.cache {
            if let Some(raw) = c.get(&body)? {
                self.counters.cache_hits.fetch_add(1, Ordering::Relaxed);
                return ChatResponse::parse(raw);
            }
        }
        let mut last = String::new();
        let attempts = self.cfg.max_retries.saturating_add(1);
        for attempt in 0..attempts {
            if attempt > 0 {
                self.counters.retries.fetch_add(1, Ordering::Relaxed);
            }
            let outcome = {
                let _permit =
                    self.gate.acquire().await.map_err(|_| {
                        LlmError::Config("the client's request gate was closed".into())
                    })?;
                self.pace().await;
                self.pace_tokens(&body).await;
                self.counters.attempts.fetch_add(1, Ordering::Relaxed);
                self.attempt(&body).await
            };
            match outcome {
                Ok(r) => {
                    self.spend(&body, &r);
                    if let Some(cache) = &self.cache {
                        cache.put(&body, &r.raw)?;
                    }
                    let c = &self.counters;
                    c.prompt_tokens
                        .fetch_add(r.usage.prompt_tokens, Ordering::Relaxed);
                    c.completion_tokens
                        .fetch_add(r.usage.completion_tokens, Ordering::Relaxed);
                    return Ok(r);
                }
                Err(Failure::Fatal(e)) => {
                    self.counters.errors.fetch_add(1, Ordering::Relaxed);
                    return Err(e);
                }
                Err(Failure::Retry { why, after }) => {
                    last = why;
                    if attempt + 1 < attempts {
                        tokio::time::sleep(self.backoff(attempt, after)).await;
                    }
                }
            }
        }
        self.counters.errors.fetch_add(1, Ordering::Relaxed);
        Err(LlmError::Exhausted {
            url: self.url.to_string(),
            attempts,
            last,
        })
    }

    /// One HTTP attempt, classified.
    async fn attempt(&self, body: &serde_json::Value) -> Result<ChatResponse, Failure> {
        let retry = |why: String| Failure::Retry { why, after: None };
        let resp = self
            .http
            .post(&*self.url)
            .json(body)
            .send()
            .await
            .map_err(|e| retry(describe(&e)))?;
        let status = resp.status();
        let after = retry_after(resp.headers());
        let bytes = resp.bytes().await.map_err(|e| retry(describe(&e)))?;
        if status.as_u16() == 429 || status.is_server_error() {
            return Err(Failure::Retry {
                why: format!("HTTP {}: {}", status.as_u16(), excerpt(&bytes)),
                after,
            });
        }
        if !status.is_success() {
            return Err(Failure::Fatal(LlmError::Status {
                url: self.url.to_string(),
                status: status.as_u16(),
                message: excerpt(&bytes),
            }));
        }
        // A 200 whose body does not parse was cut off or garbled on the way: ask again.
        let raw: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| retry(format!("response body is not JSON ({e})")))?;
        ChatResponse::parse(raw).map_err(|e| retry(e.to_string()))
    }

    /// Waits for this request's start slot under the requests-per-minute limit.
    async fn pace(&self) {
        let Some(rpm) = self.cfg.requests_per_minute.filter(|r| *r > 0) else {
            return;
        };
        let gap = Duration::from_secs(60) / rpm;
        let slot = {
            let mut next = self
                .next_slot
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + gap);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// A request's prompt tokens, estimated before it is sent (4 bytes a token).
    fn estimate(body: &serde_json::Value) -> u64 {
        (body.to_string().len() as u64).div_ceil(4)
    }

    /// Waits until the last minute's tokens leave room for `body` under the tokens-per-minute
    /// limit (a request larger than the whole limit waits for an empty minute).
    async fn pace_tokens(&self, body: &serde_json::Value) {
        let Some(tpm) = self.cfg.tokens_per_minute.filter(|t| *t > 0) else {
            return;
        };
        let need = Self::estimate(body).min(tpm);
        loop {
            let wait = {
                let mut spent = self.spent.lock().unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                while spent
                    .front()
                    .is_some_and(|(t, _)| now.duration_since(*t) >= Duration::from_secs(60))
                {
                    spent.pop_front();
                }
                let used: u64 = spent.iter().map(|(_, n)| n).sum();
                if used + need <= tpm {
                    // Hold the room now so requests in flight together do not overshoot.
                    spent.push_back((now, need));
                    return;
                }
                spent.front().map_or(Duration::ZERO, |(t, _)| {
                    Duration::from_secs(60) - now.duration_since(*t)
                })
            };
            tokio::time::sleep(wait.max(Duration::from_millis(5))).await;
        }
    }

    /// Books an answer's completion tokens (and any prompt tokens above the estimate).
    fn spend(&self, body: &serde_json::Value, r: &ChatResponse) {
        if self.cfg.tokens_per_minute.is_none() {
            return;
        }
        let extra = (r.usage.prompt_tokens + r.usage.completion_tokens)
            .saturating_sub(Self::estimate(body));
        self.spent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back((Instant::now(), extra));
    }

    /// The wait before retry `attempt + 1`: exponential with jitter in [d/2, d], or what the
    /// server asked for in `Retry-After` if that is longer.
    fn backoff(&self, attempt: u32, asked: Option<Duration>) -> Duration {
        let exp = self
            .cfg
            .backoff_base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.cfg.backoff_max);
        let jitter = exp.mul_f64(0.5 + 0.5 * unit_noise());
        match asked {
            Some(a) => a.min(Duration::from_secs(600)).max(jitter),
            None => jitter,
        }
    }
}

/// `Retry-After` in seconds (an HTTP date is ignored: the backoff applies).
fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = h.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    let secs: f64 = v.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// A transport error in a few words (the URL is ours, so it holds no secret).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the response body was cut off"
    } else {
        "the request failed"
    };
    let mut cause = String::new();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        cause = s.to_string();
        src = s.source();
    }
    if cause.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} ({cause})")
    }
}

/// The first 200 characters of a body, for error messages.
fn excerpt(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s = s.trim();
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// A number in [0, 1) for backoff jitter. Jitter only spreads retries in time and never touches
/// data, so it need not be seeded; a counter mixed by SplitMix64 is enough.
fn unit_noise() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let mut z = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_print_masked() {
        let k = ApiKey::new("sk-secret");
        assert_eq!(format!("{k:?} {k}"), "*** ***");
        let mut cfg = ClientConfig::new("http://x/v1", "m");
        cfg.api_key = Some(k);
        assert!(!format!("{cfg:?}").contains("sk-secret"));
    }

    #[test]
    fn backoff_grows_is_capped_and_honours_retry_after() {
        let mut cfg = ClientConfig::new("http://127.0.0.1:9/v1", "m");
        cfg.backoff_base = Duration::from_millis(100);
        cfg.backoff_max = Duration::from_secs(1);
        let c = Client::new(cfg).expect("client");
        for _ in 0..50 {
            let d0 = c.backoff(0, None);
            assert!(d0 >= Duration::from_millis(50) && d0 <= Duration::from_millis(100));
            let d3 = c.backoff(3, None);
            assert!(d3 >= Duration::from_millis(400) && d3 <= Duration::from_millis(800));
            assert!(c.backoff(20, None) <= Duration::from_secs(1));
            assert_eq!(
                c.backoff(0, Some(Duration::from_secs(3))),
                Duration::from_secs(3)
            );
        }
    }

    #[test]
    fn bad_configuration_is_reported() {
        let e = Client::new(ClientConfig::new("localhost:8080/v1", "m")).expect_err("no scheme");
        assert!(e.to_string().contains("must start with http"));
        let mut cfg = ClientConfig::new("http://x/v1", "m");
        cfg.headers.push(("bad header".into(), "v".into()));
        assert!(Client::new(cfg).is_err());
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, "2".parse().expect("value"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("value"),
        );
        assert_eq!(retry_after(&h), None);
    }
}
