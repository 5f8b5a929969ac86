//! Role seams for models: query writer, reasoner (here), tool maker and verifier ([`judged`]). The offline realizer always writes a draft
//! (and its checks hold for it); a configured model rewrites the draft into its own words, and
//! the rewrite must pass the same checks (complete, no leak, grammatical, every relation named)
//! or it is retried once with the problem shown, then the round is rejected with the check's
//! reason. A server that cannot be reached is an error of the run, never a rejected sample.

use hardgen_core::calls::repair::Repair;
use hardgen_core::Reason;
use hardgen_llm::{ChatModel, ChatRequest};
use serde_json::json;

pub mod judged;
pub mod seams;
pub use judged::{LlmToolMaker, LlmVerifier, MakerTask, ModelToolMaker, ModelVerifier, VerifyTask};

/// The roles a model takes in a run (None: the offline implementation).
#[derive(Clone, Default)]
pub struct ModelRoles {
    /// Rewrites every offline query.
    pub query_writer: Option<std::sync::Arc<dyn QueryRewriter>>,
    /// Attempts every round as an agent.
    pub reasoner: Option<std::sync::Arc<dyn ModelReasoner>>,
    /// Names and describes every advanced tool.
    pub tool_maker: Option<std::sync::Arc<dyn ModelToolMaker>>,
    /// Writes the hint after every failed attempt (the rules still decide).
    pub verifier: Option<std::sync::Arc<dyn ModelVerifier>>,
    /// The model client's counters, read when the run ends (for the summary).
    pub stats: Option<std::sync::Arc<dyn Fn() -> hardgen_llm::Stats + Send + Sync>>,
}

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

/// Words that carry no content of a request.
const STOP: &[&str] = &[
    "please",
    "could",
    "would",
    "that",
    "this",
    "with",
    "from",
    "have",
    "your",
    "what",
    "which",
    "where",
    "when",
    "there",
    "their",
    "them",
    "then",
    "than",
    "into",
    "also",
    "just",
    "like",
    "need",
    "want",
    "some",
    "same",
    "thanks",
    "help",
    "hello",
    "time",
    "next",
    "quick",
    "kindly",
    "able",
    "possible",
    "think",
    "today",
    "appreciate",
    "hoping",
    "mind",
    "task",
    "thing",
];

/// Phrases that make a sentence a request.
const REQUEST_MARKERS: &[&str] = &[
    "please",
    "can you",
    "could you",
    "would you",
    "will you",
    "i need",
    "i want",
    "i'd like",
    "i would like",
    "help me",
    "let's",
    "kindly",
    "go ahead",
    "i'm hoping",
    "is it possible",
    "would it be",
    "do you think",
    "i was asked",
    "i'd appreciate",
    "my task",
    "one more thing",
    "next up",
    "time to",
    "quick one",
    "when you have",
    "i'd love",
    "if you could",
    "are you able",
    "any chance",
    "task for you",
    "your task",
    "first thing",
    "could i ask",
    "can i get you",
    "can we",
    "could we",
    "need you to",
    "i'm trying to",
    "we need to",
    "i have to",
    "here's what i need",
    "another request",
    "small favour",
    "i'm looking to",
];

/// Verbs a request often starts with ("Show me ...", "Find ...").
const IMPERATIVES: &[&str] = &[
    "show", "find", "get", "look", "give", "tell", "list", "check", "book", "cancel", "create",
    "add", "send", "make", "set", "update", "pull", "fetch", "search", "open", "close", "pay",
    "remove", "move", "mark", "start", "stop", "register", "schedule", "report", "count", "buy",
    "end", "log", "put", "use", "ask", "run", "fix", "tag", "let", "cut",
];

/// What makes a model's rewrite unusable before the query checks run: far longer than the
/// draft, a sentence said twice, or talk about the request instead of the request.
/// Returns (reason, detail).
pub fn rewrite_problem(draft: &str, text: &str) -> Option<(Reason, String)> {
    let words = |s: &str| s.split_whitespace().count();
    let (d, t) = (words(draft), words(text));
    if t == 0 {
        return Some((Reason::Empty, "the rewrite is empty".into()));
    }
    if t > 2 * d + 20 {
        return Some((
            Reason::TooLong,
            format!("the rewrite has {t} words, the request {d}"),
        ));
    }
    let lower = text.to_lowercase();
    let draft_lower = draft.to_lowercase();
    for meta in [
        "original request",
        "rewritten request",
        "here is",
        "here's",
        "i made",
        "rewrite",
        "the answer",
        "the user",
        "i'm here to",
        "as an ai",
        "ready to help",
        "happy to help",
        "glad to help",
        "i can help",
        "the request:",
    ] {
        // A phrase the draft itself holds (a message body "Here is the document") is content.
        if lower.contains(meta) && !draft_lower.contains(meta) {
            return Some((
                Reason::MetaText,
                format!("the rewrite talks about the request (\"{meta}\")"),
            ));
        }
    }
    let content = |s: &str| -> std::collections::BTreeSet<String> {
        s.to_lowercase()
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| w.len() >= 4 && !STOP.contains(w))
            .map(str::to_string)
            .collect()
    };
    // Still one request: one paragraph, asking (a question, a request phrase, or an imperative
    // that starts with a word of the draft), not a statement about the items.
    if text.trim().contains('\n') {
        return Some((
            Reason::NotARequest,
            "the rewrite spans several lines".into(),
        ));
    }
    // The first word of each sentence: "I'm on my phone. Show me ..." asks in its second.
    let firsts: Vec<&str> = lower
        .split_inclusive(['.', '!', '?'])
        .filter_map(|sentence| {
            sentence
                .split(|c: char| !c.is_alphanumeric() && c != '\'')
                .find(|w| !w.is_empty())
        })
        .collect();
    let draft_words = content(draft);
    let asks = lower.contains('?')
        || REQUEST_MARKERS.iter().any(|m| lower.contains(m))
        || firsts
            .iter()
            .any(|f| IMPERATIVES.contains(f) || (f.len() > 2 && draft_words.contains(*f)));
    if !asks {
        return Some((
            Reason::NotARequest,
            "the rewrite states something instead of asking for it".into(),
        ));
    }
    // A rewrite says the same thing in other words: at least half of the draft's content words
    // (its action and nouns) stay, so a reply that drifted to another topic is caught.
    let want = draft_words;
    let have = content(text);
    let kept = want.iter().filter(|w| have.contains(*w)).count();
    if !want.is_empty() && kept * 2 < want.len() {
        return Some((
            Reason::Drifted,
            format!(
                "the rewrite keeps {kept} of the request's {} content words",
                want.len()
            ),
        ));
    }
    // Any sentence said twice, even a greeting ("Hi! Thanks! Hi!"), unless the draft repeats it.
    let mut seen = std::collections::BTreeSet::new();
    for sentence in lower
        .split(['.', '?', '!', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let in_draft = draft_lower
            .split(['.', '?', '!', '\n'])
            .filter(|d| d.trim() == sentence)
            .count();
        if !seen.insert(sentence) && in_draft < 2 {
            return Some((Reason::Repetitive, format!("\"{sentence}\" is said twice")));
        }
    }
    None
}

/// The action the draft asks for, dropped or swapped in the rewrite ("authorize the shift"
/// became "request the shift"): `target`'s verb when it changes something and the draft says it.
pub fn action_dropped(target: &str, draft: &str, text: &str) -> Option<(Reason, String)> {
    let verb = crate::phrase::name_verb(target);
    let verb = verb.as_str();
    if crate::item::reads_by_name(target) || crate::phrase::NOT_VERBS.contains(&verb) {
        return None;
    }
    let stem: String = verb.chars().take(5).collect();
    let says = |s: &str| {
        s.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w.starts_with(&stem))
    };
    (says(draft) && !says(text)).then(|| {
        (
            Reason::Drifted,
            format!("the rewrite drops the action the request asks for (\"{verb}\")"),
        )
    })
}

/// A query writer backed by a model.
pub trait QueryRewriter: Send + Sync {
    /// The model's name, recorded in `generator.query_writer`.
    fn model(&self) -> &str;
    /// The model's request for `task`; `feedback` is the problem found in its previous answer.
    fn rewrite(&self, task: &QueryTask, feedback: Option<&str>) -> Result<String, RoleError>;
}

/// The user prompt of the query writer for one task (the built-in template).
pub fn query_prompt(task: &QueryTask, feedback: Option<&str>) -> String {
    crate::prompts::Prompts::built_in("query_writer")
        .user(&query_context(task, feedback))
        .unwrap_or_default()
}

fn query_context(task: &QueryTask, feedback: Option<&str>) -> serde_json::Value {
    json!({"draft": task.draft, "must_state": task.must_state, "feedback": feedback})
}

/// One role's requests to a model: the client (it does the retries), the runtime the worker
/// threads wait on, sampling settings and the role's prompt templates.
pub struct LlmCall {
    client: std::sync::Arc<dyn ChatModel>,
    runtime: tokio::runtime::Handle,
    role: &'static str,
    /// Sampling seed sent with every request.
    pub seed: u64,
    /// Sampling temperature.
    pub temperature: f64,
    /// Most tokens of an answer (None: the role's own budget).
    pub max_tokens: Option<u32>,
    /// The prompt templates.
    pub prompts: crate::prompts::Prompts,
    /// Ask for JSON answers through a JSON-schema `response_format` (grammar-constrained on
    /// servers that support it); otherwise the prompt alone asks for JSON.
    pub constrained: bool,
}

impl LlmCall {
    /// Requests of `role` through `client`, waiting on `runtime`; built-in prompts.
    pub fn new(
        role: &'static str,
        client: std::sync::Arc<dyn ChatModel>,
        runtime: tokio::runtime::Handle,
    ) -> LlmCall {
        LlmCall {
            client,
            runtime,
            role,
            seed: 0,
            temperature: 0.7,
            max_tokens: None,
            prompts: crate::prompts::Prompts::built_in(role),
            constrained: false,
        }
    }

    /// The model's name.
    pub fn model(&self) -> &str {
        self.client.model()
    }

    fn error(&self, message: String) -> RoleError {
        RoleError {
            role: self.role.into(),
            model: self.model().to_string(),
            message,
        }
    }

    /// Renders the prompts for `ctx` and returns the answer's text; `schema` (name, JSON
    /// schema) is sent as `response_format` when the role is constrained.
    pub fn ask(
        &self,
        ctx: &serde_json::Value,
        default_max_tokens: u32,
        schema: Option<(&str, serde_json::Value)>,
    ) -> Result<String, RoleError> {
        let system = self
            .prompts
            .system(ctx)
            .map_err(|e| self.error(e.to_string()))?;
        let user = self
            .prompts
            .user(ctx)
            .map_err(|e| self.error(e.to_string()))?;
        let req = ChatRequest {
            messages: vec![
                json!({"role": "system", "content": system}),
                json!({"role": "user", "content": user}),
            ],
            seed: Some(self.seed),
            temperature: Some(self.temperature),
            max_tokens: Some(self.max_tokens.unwrap_or(default_max_tokens)),
            response_format: schema.filter(|_| self.constrained).map(|(name, s)| {
                json!({"type": "json_schema", "json_schema": {"name": name, "strict": true, "schema": s}})
            }),
            ..ChatRequest::default()
        };
        let r = self
            .runtime
            .block_on(self.client.complete(&req))
            .map_err(|e| self.error(e.to_string()))?;
        Ok(r.content.unwrap_or_default())
    }
}

/// A query writer over an OpenAI-compatible server.
pub struct LlmQueryWriter(pub LlmCall);

impl LlmQueryWriter {
    /// A writer using `client`, waiting on `runtime`.
    pub fn new(
        client: std::sync::Arc<dyn ChatModel>,
        runtime: tokio::runtime::Handle,
    ) -> LlmQueryWriter {
        LlmQueryWriter(LlmCall::new("query_writer", client, runtime))
    }
}

/// The request text of a model's answer: trimmed, without a code fence or surrounding quotes.
pub fn clean_reply(text: &str) -> String {
    let t = text.trim();
    let t = hardgen_core::calls::repair::strip_fences(t).unwrap_or(t);
    // A label the model put before the request ("The request: ...").
    let lower = t.to_lowercase();
    let label = [
        "the rewritten request:",
        "rewritten request:",
        "the request:",
        "request:",
    ]
    .iter()
    .find(|l| lower.starts_with(*l))
    .map_or(0, |l| l.len());
    let t = t.get(label..).unwrap_or(t).trim();
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
        self.0.model()
    }

    fn rewrite(&self, task: &QueryTask, feedback: Option<&str>) -> Result<String, RoleError> {
        // Room for a rewrite a little longer than the draft, so a rambling model stops early.
        let budget = u32::try_from(task.draft.len() / 3 + 48)
            .unwrap_or(400)
            .min(400);
        let text = self.0.ask(&query_context(task, feedback), budget, None)?;
        Ok(clean_reply(&text))
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
        assert_eq!(clean_reply("The request: Book it."), "Book it.");
        assert_eq!(clean_reply("\""), "\"");
    }

    #[test]
    fn every_sentence_plan_reads_as_a_request() {
        for k in 0..crate::query::plans().count() {
            let q = crate::query::render(k, "withdraw the application named Ada");
            assert_eq!(rewrite_problem(&q, &q), None, "{q}");
        }
    }

    #[test]
    fn unusable_rewrites_are_named() {
        let d = "Please list the cards of the group named Board.";
        assert_eq!(
            rewrite_problem(d, "Show me the cards of the Board group."),
            None
        );
        assert_eq!(rewrite_problem(d, " ").map(|p| p.0), Some(Reason::Empty));
        let long = "word ".repeat(60);
        assert_eq!(
            rewrite_problem(d, &long).map(|p| p.0),
            Some(Reason::TooLong)
        );
        assert_eq!(
            rewrite_problem(d, "Here is the rewritten request: list the Board cards.").map(|p| p.0),
            Some(Reason::MetaText)
        );
        assert_eq!(
            rewrite_problem(d, "List the Board cards. List the Board cards.").map(|p| p.0),
            Some(Reason::Repetitive)
        );
        assert_eq!(
            rewrite_problem(
                d,
                "Hi! Which cards? Hi! Please list the cards of the Board group."
            )
            .map(|p| p.0),
            Some(Reason::Repetitive)
        );
        assert_eq!(
            rewrite_problem(d, "The answer is: yes, Board.").map(|p| p.0),
            Some(Reason::MetaText)
        );
        assert_eq!(
            rewrite_problem(d, "Could I have a sunny weekend with the Board?").map(|p| p.0),
            Some(Reason::Drifted)
        );
        assert_eq!(
            rewrite_problem(d, "The cards of the group named Board are listed.").map(|p| p.0),
            Some(Reason::NotARequest)
        );
        assert_eq!(
            rewrite_problem(d, "Board\nThe cards of the group named Board.").map(|p| p.0),
            Some(Reason::NotARequest)
        );
        assert_eq!(
            rewrite_problem(d, "List every card in the group named Board.").map(|p| p.0),
            None
        );
        // A short verb of the draft's own still asks.
        let buy = "Buy 5 extra class credits for the gym membership.";
        assert_eq!(rewrite_problem(buy, buy), None);
        // A request after an aside still asks.
        assert_eq!(
            rewrite_problem(
                d,
                "I'm on my phone. List the cards of the group named Board."
            )
            .map(|p| p.0),
            None
        );
        let d = "Please authorize the courier shift for the courier named Hana.";
        assert_eq!(
            action_dropped(
                "authorize_courier_shift",
                d,
                "Please request the courier shift for Hana."
            )
            .map(|p| p.0),
            Some(Reason::Drifted)
        );
        assert_eq!(
            action_dropped(
                "authorize_courier_shift",
                d,
                "Can you authorize Hana's courier shift?"
            ),
            None
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

/// How a model is asked for tool calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallMode {
    /// OpenAI `tools` in the request, `tool_calls` in the answer.
    #[default]
    Native,
    /// Calls written in the text: Hermes `<tool_call>` blocks or a Python call list.
    Text,
    /// The call requested as JSON-schema output `{"name": <offered tool or final_answer>,
    /// "arguments": {...}}`, for models without tool calling.
    Constrained,
}

impl std::str::FromStr for CallMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "native" => Ok(CallMode::Native),
            "text" => Ok(CallMode::Text),
            "constrained" => Ok(CallMode::Constrained),
            other => Err(format!(
                "unknown tool-call mode `{other}` (native, text, constrained)"
            )),
        }
    }
}

/// What the reasoner sees for one attempt: what a model under test would see, never the gold.
#[derive(Debug, Clone, PartialEq)]
pub struct ReasonTask {
    /// The user's request.
    pub query: String,
    /// Offered tools, OpenAI shape.
    pub tools: Vec<serde_json::Value>,
    /// The advanced tool's description (the composite the request is about).
    pub advanced: String,
    /// The verifier's hints after earlier failed attempts.
    pub hints: Vec<String>,
    /// Most model turns.
    pub max_steps: usize,
}

pub use crate::item::Exec;

/// What the reasoner is given to write the turn of a hard variant that makes no call (a
/// question for a missing value, a refusal, the answer to a failed lookup).
#[derive(Debug, Clone, PartialEq)]
pub struct JudgeTask {
    /// The variant (`missing_param`, `irrelevance`, ...).
    pub variant: String,
    /// The situation in plain words: what cannot be done or is not known, and what to do.
    pub situation: String,
    /// The conversation before the turn, one line per message.
    pub conversation: Vec<String>,
    /// The offline realizer's turn (it passes the variant's rule).
    pub draft: String,
}

/// The Reasoner role: one attempt at a round from what an agent would see ([`ReasonTask`]),
/// its calls executed for real. Implementations: [`LlmReasoner`] (a model's agent loop) and
/// [`seams::OfflineReasoner`] (narrates the gold, the offline data path).
pub trait ModelReasoner: Send + Sync {
    /// The reasoner's name, recorded in `generator.reasoner`.
    fn model(&self) -> &str;
    /// One attempt at `task`; call ids continue from `next_call`.
    fn attempt(
        &self,
        task: &ReasonTask,
        exec: &mut Exec<'_>,
        next_call: &mut usize,
    ) -> Result<crate::reasoner::Attempt, RoleError>;
    /// The no-call turn of a hard variant: (reasoning, message); `feedback` is the problem the
    /// variant's rule found in the previous answer. `None`: the offline realizer's turn stays.
    fn judge(
        &self,
        _task: &JudgeTask,
        _feedback: Option<&str>,
    ) -> Result<Option<(String, String)>, RoleError> {
        Ok(None)
    }
}

/// An agent loop over an OpenAI-compatible server.
pub struct LlmReasoner {
    client: std::sync::Arc<dyn ChatModel>,
    runtime: tokio::runtime::Handle,
    /// How calls are asked for.
    pub mode: CallMode,
    /// Sampling seed.
    pub seed: u64,
    /// Sampling temperature.
    pub temperature: f64,
    /// Most tokens of one step.
    pub max_tokens: u32,
    /// The prompt templates.
    pub prompts: crate::prompts::Prompts,
    /// The templates of a variant's no-call turn (role `judgement`).
    pub judge_prompts: crate::prompts::Prompts,
}

impl LlmReasoner {
    /// A reasoner using `client`, waiting on `runtime`.
    pub fn new(
        client: std::sync::Arc<dyn ChatModel>,
        runtime: tokio::runtime::Handle,
        mode: CallMode,
    ) -> LlmReasoner {
        LlmReasoner {
            client,
            runtime,
            mode,
            seed: 0,
            temperature: 0.2,
            max_tokens: 256,
            prompts: crate::prompts::Prompts::built_in("reasoner"),
            judge_prompts: crate::prompts::Prompts::built_in("judgement"),
        }
    }

    /// The JSON schema of one constrained step.
    fn step_schema(tools: &[serde_json::Value]) -> serde_json::Value {
        let mut names: Vec<serde_json::Value> = tools
            .iter()
            .filter_map(|t| t.pointer("/function/name").cloned())
            .collect();
        names.push(json!("final_answer"));
        json!({"type": "json_schema", "json_schema": {"name": "step", "strict": true, "schema": {
            "type": "object",
            "properties": {"name": {"type": "string", "enum": names}, "arguments": {"type": "object"}},
            "required": ["name", "arguments"]}}})
    }
}

/// A model turn, decoded: calls (name, arguments) or a final answer.
enum Turn {
    Calls(Vec<(String, serde_json::Map<String, serde_json::Value>)>),
    Final(String),
}

/// The calls of decoded text (Hermes or Python), their repairs added to `repairs`.
fn calls_of(found: Vec<hardgen_core::calls::Decoded>, repairs: &mut Vec<Repair>) -> Turn {
    Turn::Calls(
        found
            .into_iter()
            .map(|d| {
                repairs.extend(d.repairs);
                (d.name, d.arguments)
            })
            .collect(),
    )
}

/// Decodes a turn by mode, with the repairs its text needed; text that holds no call is the
/// final answer.
fn decode_turn(mode: CallMode, r: &hardgen_llm::ChatResponse) -> (Turn, Vec<Repair>) {
    use hardgen_core::calls;
    let content = r.content.clone().unwrap_or_default();
    let content = calls::split_think(content.trim_start())
        .map_or(content.clone(), |(_, rest)| rest.to_string());
    let mut repairs = Vec::new();
    let turn = match mode {
        CallMode::Native if !r.tool_calls.is_empty() => Turn::Calls(
            r.tool_calls
                .iter()
                .map(|c| {
                    let args = match calls::decode_arguments(&c.arguments) {
                        Ok((m, fixed)) => {
                            repairs.extend(fixed);
                            m
                        }
                        Err(_) => serde_json::Map::new(),
                    };
                    (c.name.clone(), args)
                })
                .collect(),
        ),
        CallMode::Text => match calls::hermes_decode(&content) {
            Ok((found, _)) if !found.is_empty() => calls_of(found, &mut repairs),
            _ => match calls::python_decode(&content) {
                Ok(found) if !found.is_empty() => calls_of(found, &mut repairs),
                _ => Turn::Final(content.trim().to_string()),
            },
        },
        CallMode::Constrained => match calls::parse_lenient(&content, "step") {
            Ok((v, fixed)) => {
                repairs.extend(fixed);
                let name = v
                    .get("name")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("");
                let args = v
                    .get("arguments")
                    .and_then(serde_json::Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                if name == "final_answer" || name.is_empty() {
                    let text = args
                        .get("text")
                        .or_else(|| args.get("answer"))
                        .and_then(serde_json::Value::as_str)
                        .map_or_else(|| content.trim().to_string(), str::to_string);
                    Turn::Final(text)
                } else {
                    Turn::Calls(vec![(name.to_string(), args)])
                }
            }
            Err(_) => Turn::Final(content.trim().to_string()),
        },
        CallMode::Native => Turn::Final(content.trim().to_string()),
    };
    (turn, repairs)
}

impl ModelReasoner for LlmReasoner {
    fn model(&self) -> &str {
        self.client.model()
    }

    fn judge(
        &self,
        task: &JudgeTask,
        feedback: Option<&str>,
    ) -> Result<Option<(String, String)>, RoleError> {
        let ctx = json!({"variant": task.variant, "situation": task.situation,
            "conversation": task.conversation, "draft": task.draft, "feedback": feedback});
        let err = |message: String| RoleError {
            role: "reasoner".into(),
            model: self.model().to_string(),
            message,
        };
        let system = self
            .judge_prompts
            .system(&ctx)
            .map_err(|e| err(e.to_string()))?;
        let user = self
            .judge_prompts
            .user(&ctx)
            .map_err(|e| err(e.to_string()))?;
        let schema = json!({"type": "object",
            "properties": {"reasoning": {"type": "string"}, "reply": {"type": "string"}},
            "required": ["reasoning", "reply"]});
        let req = ChatRequest {
            messages: vec![
                json!({"role": "system", "content": system}),
                json!({"role": "user", "content": user}),
            ],
            response_format: (self.mode == CallMode::Constrained).then(|| {
                json!({"type": "json_schema", "json_schema": {"name": "turn", "strict": true, "schema": schema}})
            }),
            seed: Some(self.seed),
            temperature: Some(self.temperature),
            max_tokens: Some(self.max_tokens.max(160)),
            ..ChatRequest::default()
        };
        let r = self
            .runtime
            .block_on(self.client.complete(&req))
            .map_err(|e| err(e.to_string()))?;
        let text = r.content.unwrap_or_default();
        // A JSON answer as asked; else the text is the message (its <think> the reasoning).
        let (why, reply) = match hardgen_core::calls::parse_lenient(&text, "turn") {
            Ok((v, _)) if v.get("reply").is_some_and(serde_json::Value::is_string) => (
                v.get("reasoning")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                v["reply"].as_str().unwrap_or_default().to_string(),
            ),
            _ => match hardgen_core::calls::split_think(text.trim_start()) {
                Some((t, rest)) => (t.trim().to_string(), rest.trim().to_string()),
                None => (r.reasoning.unwrap_or_default(), clean_reply(&text)),
            },
        };
        Ok(Some((why, reply)))
    }

    fn attempt(
        &self,
        task: &ReasonTask,
        exec: &mut Exec<'_>,
        next_call: &mut usize,
    ) -> Result<crate::reasoner::Attempt, RoleError> {
        use hardgen_core::record::{Call, Message};
        let mode = match self.mode {
            CallMode::Native => "native",
            CallMode::Text => "text",
            CallMode::Constrained => "constrained",
        };
        let functions: Vec<String> = task.tools.iter().map(|t| t.to_string()).collect();
        let ctx = json!({"query": task.query, "advanced": task.advanced, "hints": task.hints,
            "mode": mode, "functions": functions});
        let prompt_err = |e: crate::prompts::PromptError| RoleError {
            role: "reasoner".into(),
            model: self.model().to_string(),
            message: e.to_string(),
        };
        let system = self.prompts.system(&ctx).map_err(prompt_err)?;
        let user = self.prompts.user(&ctx).map_err(prompt_err)?;
        let mut wire = vec![
            json!({"role": "system", "content": system}),
            json!({"role": "user", "content": user}),
        ];
        let mut messages = Vec::new();
        let mut calls = Vec::new();
        let mut answer = String::new();
        let mut repairs = Vec::new();
        for _ in 0..task.max_steps.max(1) {
            let req = ChatRequest {
                messages: wire.clone(),
                tools: if self.mode == CallMode::Native {
                    task.tools.clone()
                } else {
                    Vec::new()
                },
                response_format: (self.mode == CallMode::Constrained)
                    .then(|| Self::step_schema(&task.tools)),
                seed: Some(self.seed),
                temperature: Some(self.temperature),
                // A step is one call or a short answer.
                max_tokens: Some(self.max_tokens),
                ..ChatRequest::default()
            };
            let r = self
                .runtime
                .block_on(self.client.complete(&req))
                .map_err(|e| RoleError {
                    role: "reasoner".into(),
                    model: self.model().to_string(),
                    message: e.to_string(),
                })?;
            let reasoning = r
                .reasoning
                .clone()
                .or_else(|| {
                    let c = r.content.as_deref().unwrap_or_default().trim_start();
                    hardgen_core::calls::split_think(c).map(|(t, _)| t.trim().to_string())
                })
                .filter(|t| !t.is_empty());
            let (turn, fixed) = decode_turn(self.mode, &r);
            repairs.extend(fixed);
            match turn {
                Turn::Final(text) => {
                    answer = text.clone();
                    messages.push(Message::Assistant {
                        reasoning,
                        content: Some(text),
                        tool_calls: Vec::new(),
                    });
                    break;
                }
                Turn::Calls(found) => {
                    let turn: Vec<Call> = found
                        .into_iter()
                        .map(|(name, arguments)| {
                            let id = format!("c{}", *next_call);
                            *next_call += 1;
                            Call {
                                id,
                                name,
                                arguments,
                            }
                        })
                        .collect();
                    messages.push(Message::Assistant {
                        reasoning,
                        content: None,
                        tool_calls: turn.clone(),
                    });
                    let mut said = Vec::new();
                    for c in &turn {
                        let out = exec(&c.name, &c.arguments);
                        let content = match &out {
                            Ok(v) => v.clone(),
                            Err(e) => e.to_result_json(),
                        };
                        said.push((c.clone(), content.clone()));
                        messages.push(Message::Tool {
                            tool_call_id: c.id.clone(),
                            name: c.name.clone(),
                            content,
                        });
                        calls.push((c.clone(), out));
                    }
                    // The model's own turn goes back as it was; results as the mode reads them.
                    if self.mode == CallMode::Native {
                        wire.push(json!({"role": "assistant", "content": r.content, "tool_calls":
                            turn.iter().map(|c| json!({"id": c.id, "type": "function", "function":
                                {"name": c.name, "arguments": serde_json::Value::Object(c.arguments.clone()).to_string()}})).collect::<Vec<_>>()}));
                        for (c, content) in said {
                            wire.push(json!({"role": "tool", "tool_call_id": c.id, "content": content.to_string()}));
                        }
                    } else {
                        wire.push(json!({"role": "assistant", "content": r.content.clone().unwrap_or_default()}));
                        let text: Vec<String> = said
                            .iter()
                            .map(|(c, content)| format!("Result of {}: {content}", c.name))
                            .collect();
                        wire.push(json!({"role": "user", "content": text.join("\n")}));
                    }
                }
            }
        }
        if messages.last().is_none_or(|m| {
            !matches!(
                m,
                Message::Assistant {
                    content: Some(_),
                    ..
                }
            )
        }) {
            // Out of steps: the round still ends with an answer, which the verifier judges.
            messages.push(Message::Assistant {
                reasoning: None,
                content: Some(String::new()),
                tool_calls: Vec::new(),
            });
        }
        Ok(crate::reasoner::Attempt {
            messages,
            calls,
            answer,
            slip: None,
            repairs,
        })
    }
}
