//! Role seams for models: today the query writer. The offline realizer always writes a draft
//! (and its checks hold for it); a configured model rewrites the draft into its own words, and
//! the rewrite must pass the same checks (complete, no leak, grammatical, every relation named)
//! or it is retried once with the problem shown, then the round is rejected with the check's
//! reason. A server that cannot be reached is an error of the run, never a rejected sample.

use hardgen_llm::{ChatRequest, Client};
use serde_json::json;

/// What a query writer is given for one round.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTask {
    /// The offline realizer's request for the round (it passes every check).
    pub draft: String,
    /// Values the request must state word for word.
    pub must_state: Vec<String>,
}

/// An infrastructure failure of a role (server unreachable, retries exhausted): the run stops
/// with this error instead of rejecting the sample.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{role} ({model}): {message}")]
pub struct RoleError {
    /// Role name (`query_writer`).
    pub role: String,
    /// Model name.
    pub model: String,
    /// What failed.
    pub message: String,
}

/// What makes a model's rewrite unusable before the query checks run: far longer than the
/// draft, a sentence said twice, or talk about the request instead of the request.
/// Returns (reason, detail).
pub fn rewrite_problem(draft: &str, text: &str) -> Option<(&'static str, String)> {
    let words = |s: &str| s.split_whitespace().count();
    let (d, t) = (words(draft), words(text));
    if t == 0 {
        return Some(("empty", "the rewrite is empty".into()));
    }
    if t > 2 * d + 20 {
        return Some((
            "too_long",
            format!("the rewrite has {t} words, the request {d}"),
        ));
    }
    let lower = text.to_lowercase();
    for meta in [
        "original request",
        "rewritten request",
        "here is",
        "here's",
        "i made",
        "rewrite",
    ] {
        if lower.contains(meta) {
            return Some((
                "meta_text",
                format!("the rewrite talks about the request (\"{meta}\")"),
            ));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for sentence in lower
        .split(['.', '?', '!', '\n'])
        .map(str::trim)
        .filter(|s| s.split_whitespace().count() >= 3)
    {
        if !seen.insert(sentence) {
            return Some(("repetitive", format!("\"{sentence}\" is said twice")));
        }
    }
    None
}

/// A query writer backed by a model.
pub trait QueryRewriter: Send + Sync {
    /// The model's name, recorded in `generator.query_writer`.
    fn model(&self) -> &str;
    /// The model's request for `task`; `feedback` is the problem found in its previous answer.
    fn rewrite(&self, task: &QueryTask, feedback: Option<&str>) -> Result<String, RoleError>;
}

/// The system prompt of the LLM query writer.
pub const QUERY_SYSTEM_PROMPT: &str = "You rewrite a request that a user sends to an assistant \
with tools, so that it reads like a real person wrote it. Keep every value exactly as written \
(names, numbers, dates, codes). Keep how things are related (\"the owner of the group\", \"the \
account that paid\"). Do not add ids, values, steps or explanations, and do not answer the \
request. Reply with the rewritten request only.";

/// The user prompt for one task.
pub fn query_prompt(task: &QueryTask, feedback: Option<&str>) -> String {
    let mut p = format!(
        "Request: {}\nValues to keep word for word: {}",
        task.draft,
        task.must_state.join("; ")
    );
    if let Some(f) = feedback {
        p.push_str(&format!(
            "\nYour previous rewrite was rejected: {f}. Write it again."
        ));
    }
    p
}

/// A query writer over an OpenAI-compatible server: the client does the retries, this runs on a
/// worker thread and waits on the given runtime.
pub struct LlmQueryWriter {
    client: Client,
    runtime: tokio::runtime::Handle,
    /// Sampling seed sent with every request.
    pub seed: u64,
    /// Sampling temperature.
    pub temperature: f64,
}

impl LlmQueryWriter {
    /// A writer using `client`, waiting on `runtime`.
    pub fn new(client: Client, runtime: tokio::runtime::Handle) -> LlmQueryWriter {
        LlmQueryWriter {
            client,
            runtime,
            seed: 0,
            temperature: 0.7,
        }
    }
}

/// The request text of a model's answer: trimmed, without a code fence or surrounding quotes.
pub fn clean_reply(text: &str) -> String {
    let t = text.trim();
    let t = hardgen_core::calls::repair::strip_fences(t).unwrap_or(t);
    let t = t
        .strip_prefix("Request:")
        .or_else(|| t.strip_prefix("Rewritten request:"))
        .unwrap_or(t)
        .trim();
    let quoted = t.len() >= 2
        && ((t.starts_with('"') && t.ends_with('"')) || (t.starts_with('\'') && t.ends_with('\'')));
    if quoted {
        t[1..t.len() - 1].trim().to_string()
    } else {
        t.to_string()
    }
}

impl QueryRewriter for LlmQueryWriter {
    fn model(&self) -> &str {
        &self.client.config().model
    }

    fn rewrite(&self, task: &QueryTask, feedback: Option<&str>) -> Result<String, RoleError> {
        let req = ChatRequest {
            messages: vec![
                json!({"role": "system", "content": QUERY_SYSTEM_PROMPT}),
                json!({"role": "user", "content": query_prompt(task, feedback)}),
            ],
            seed: Some(self.seed),
            temperature: Some(self.temperature),
            // Room for a rewrite a little longer than the draft, so a rambling model stops early.
            max_tokens: Some(
                u32::try_from(task.draft.len() / 3 + 48)
                    .unwrap_or(400)
                    .min(400),
            ),
            ..ChatRequest::default()
        };
        let r = self
            .runtime
            .block_on(self.client.chat(&req))
            .map_err(|e| RoleError {
                role: "query_writer".into(),
                model: self.model().to_string(),
                message: e.to_string(),
            })?;
        Ok(clean_reply(r.content.as_deref().unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_cleaned_of_fences_labels_and_quotes() {
        assert_eq!(clean_reply("  \"Book it.\" "), "Book it.");
        assert_eq!(clean_reply("```\nBook it.\n```"), "Book it.");
        assert_eq!(clean_reply("Rewritten request: Book it."), "Book it.");
        assert_eq!(clean_reply("\""), "\"");
    }

    #[test]
    fn unusable_rewrites_are_named() {
        let d = "Please list the cards of the group named Board.";
        assert_eq!(
            rewrite_problem(d, "Show me the cards of the Board group."),
            None
        );
        assert_eq!(rewrite_problem(d, " ").map(|p| p.0), Some("empty"));
        let long = "word ".repeat(60);
        assert_eq!(rewrite_problem(d, &long).map(|p| p.0), Some("too_long"));
        assert_eq!(
            rewrite_problem(d, "Here is the rewritten request: list the Board cards.").map(|p| p.0),
            Some("meta_text")
        );
        assert_eq!(
            rewrite_problem(d, "List the Board cards. List the Board cards.").map(|p| p.0),
            Some("repetitive")
        );
    }

    #[test]
    fn the_prompt_carries_the_draft_the_values_and_the_feedback() {
        let t = QueryTask {
            draft: "Please list the cards of the group named Board.".into(),
            must_state: vec!["Board".into()],
        };
        let p = query_prompt(&t, Some("Board is not in the query"));
        assert!(p.contains("named Board") && p.contains("word for word: Board"));
        assert!(p.ends_with("rejected: Board is not in the query. Write it again."));
        assert!(!query_prompt(&t, None).contains("rejected"));
    }
}
