//! hardgen-llm: the one way hardgen reaches a language model, the OpenAI-compatible
//! chat-completions API (vLLM, SGLang, llama.cpp server, Ollama, hosted APIs).
//!
//! [`Client`] sends [`ChatRequest`]s with bounded concurrency over reused connections, retries
//! 429, 5xx, timeouts, truncated bodies and dropped connections with jittered exponential backoff
//! (honouring `Retry-After`), paces requests to a requests-per-minute limit, and counts requests,
//! retries, errors, tokens and cost. The API key never appears in a log line, a record or an error.
//! [`load::run`] drives any endpoint with many small requests (`hardgen llm bench`), and [`mock`]
//! is a scripted local endpoint for tests and benchmarks (it is not a model). [`server`] puts any
//! [`server::Responder`] (hardgen's built-in policies) behind an OpenAI-compatible endpoint.

pub mod cache;
pub mod client;
pub mod load;
pub mod mock;
pub mod server;
pub mod types;

pub use cache::Cache;
pub use client::{ApiKey, ChatModel, Client, ClientConfig, Prices, Stats};
pub use types::{ChatRequest, ChatResponse, LlmError, ToolCallOut, Usage};
