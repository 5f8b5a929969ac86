//! Built-in agent policies: deterministic rule-based agents, **not language models**. They read
//! what a model would read (the user's request, the offered tools' schemas, the results so far)
//! and answer with one call or a final answer. They never see the gold.
//!
//! - `baseline`: the weak agent of `DESIGN.md` section 3: picks the tool whose name best matches
//!   the request, fills its arguments from values written in the request, never plans a
//!   prerequisite call. It fails exactly where a value must first be looked up.
//! - `oracle`: the same tool choice and value reading, plus backward planning: an argument that
//!   the request does not state is taken from an earlier result, or a tool that can produce it
//!   (its name names the missing entity, its own arguments can be filled) is called first. It
//!   solves most offline requests; it is a planner, not a copy of the answer.

use crate::phrase;
use crate::reasoner::{answer_states, answer_values_after, summarize};
use serde_json::{Map, Value};

/// Which built-in policy answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Plans prerequisite lookups.
    Oracle,
    /// One call built from the request's literal values.
    Baseline,
}

impl std::str::FromStr for PolicyKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "oracle" => Ok(PolicyKind::Oracle),
            "baseline" => Ok(PolicyKind::Baseline),
            other => Err(format!("unknown policy `{other}` (oracle, baseline)")),
        }
    }
}

impl PolicyKind {
    /// The policy's name (`oracle`, `baseline`).
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Oracle => "oracle",
            PolicyKind::Baseline => "baseline",
        }
    }
}

/// An offered tool as the policy reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolView {
    /// Function name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Its JSON-schema parameters.
    pub parameters: Value,
}

impl ToolView {
    /// Reads an OpenAI tool (`{"type": "function", "function": {...}}`) or a bare function.
    pub fn from_openai(v: &Value) -> Option<ToolView> {
        let f = v.get("function").unwrap_or(v);
        Some(ToolView {
            name: f.get("name")?.as_str()?.to_string(),
            description: f
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            parameters: f.get("parameters").cloned().unwrap_or(Value::Null),
        })
    }

    fn params(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.parameters
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
    }

    fn required(&self, p: &str) -> bool {
        self.parameters
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(p)))
    }
}

/// One executed call the policy can read: tool, arguments, result (an `{"error": ..}` object
/// when it failed).
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// Tool name.
    pub name: String,
    /// Arguments it was called with.
    pub arguments: Map<String, Value>,
    /// What it returned.
    pub result: Value,
}

impl Seen {
    fn failed(&self) -> bool {
        self.result.get("error").is_some()
    }
}

/// What the policy sees at one turn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observation {
    /// The user's request.
    pub query: String,
    /// Offered tools.
    pub tools: Vec<ToolView>,
    /// Calls made so far, in order.
    pub history: Vec<Seen>,
}

/// The policy's move.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Call a tool.
    Call {
        /// Tool name.
        name: String,
        /// Arguments.
        arguments: Map<String, Value>,
    },
    /// Finish with this answer.
    Answer(String),
}

/// Most calls a policy makes before it answers anyway.
const MAX_CALLS: usize = 12;

/// Failed calls after which a policy gives up.
const MAX_FAILURES: usize = 3;

/// Words a user says when asking to read.
const ASK_WORDS: &[&str] = &[
    "get", "find", "search", "list", "look", "show", "check", "what", "which", "tell", "see",
];

/// Whether a tool name's first word only reads (`find`, `list`, `highest`, ...).
fn reads(verb: &str) -> bool {
    crate::item::READ_VERBS.contains(&verb) || phrase::NOT_VERBS.contains(&verb)
}

/// The policy's next move for `obs`.
pub fn act(kind: PolicyKind, obs: &Observation) -> Action {
    let Some(target) = choose_target(obs) else {
        return Action::Answer("None of the offered tools can do this.".into());
    };
    if let Some(done) = obs
        .history
        .iter()
        .rev()
        .find(|s| s.name == target.name && !s.failed())
    {
        return Action::Answer(answer(&target.name, &done.arguments, &done.result));
    }
    let failures: Vec<&Seen> = obs.history.iter().filter(|s| s.failed()).collect();
    let give_up = match kind {
        PolicyKind::Baseline => !failures.is_empty(),
        PolicyKind::Oracle => failures.len() >= MAX_FAILURES,
    };
    if obs.history.len() >= MAX_CALLS || give_up {
        let why = failures
            .last()
            .map(|s| format!(" ({} failed: {})", s.name, s.result["error"]))
            .unwrap_or_default();
        return Action::Answer(format!("I could not complete the request{why}."));
    }
    let next = match kind {
        PolicyKind::Oracle => plan(obs, target, &mut Vec::new()).or_else(|| explore(obs, target)),
        PolicyKind::Baseline => None,
    };
    if let Some(a) = next {
        return a;
    }
    let arguments = fill(obs, target, kind == PolicyKind::Oracle).0;
    if ran(obs, &target.name, &arguments) {
        return Action::Answer(format!(
            "I could not complete the request: {} needs values I could not find.",
            phrase::words(&target.name).join(" ")
        ));
    }
    Action::Call {
        name: target.name.clone(),
        arguments,
    }
}

/// The final answer after `tool` was called with `args` and returned `result`: states the
/// values a reader needs.
fn answer(tool: &str, args: &Map<String, Value>, result: &Value) -> String {
    let values = answer_values_after(args, result);
    let summary = summarize(result);
    let mut text = format!(
        "Finished: {} gave {summary}.",
        phrase::words(tool).join(" ")
    );
    let missing: Vec<&String> = values.iter().filter(|v| !answer_states(&text, v)).collect();
    if !missing.is_empty() {
        let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        text.push_str(&format!(" Key values: {}.", list.join(", ")));
    }
    text
}

/// Lowercase words of a text.
fn tokens(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether two words share a stem (first five letters, or the whole shorter word).
fn same_stem(a: &str, b: &str) -> bool {
    let n = a.len().min(b.len()).min(5);
    n >= 3 && a.get(..n) == b.get(..n)
}

/// How well a tool's name matches request words `q`: its verb counts most (exact form more
/// than a shared stem, "post" over "closed"), object words count, a name word the request
/// lacks costs; words after `by`/`for` name a filter, not the object.
fn name_score(name: &str, q: &[String]) -> i64 {
    let mut score = 0i64;
    let mut filter = false;
    for (i, w) in name.split('_').map(str::to_lowercase).enumerate() {
        if w == "by" || w == "for" || w == "with" || w == "of" || w == "on" {
            filter = true;
            continue;
        }
        let exact = q.contains(&w);
        let stem = exact || q.iter().any(|x| same_stem(x, &w));
        let asked =
            i == 0 && reads(w.as_str()) && ASK_WORDS.iter().any(|v| q.iter().any(|x| x == v));
        match (i, stem || asked, filter) {
            (0, true, _) if stem => score += 4 + i64::from(exact),
            (0, true, _) => score += 2,
            (_, true, false) => score += 2,
            (_, false, false) => score -= 1,
            _ => {}
        }
    }
    score
}

/// The tool the request is about. When the request lists steps ("..., and then X"), the last
/// step names it.
fn choose_target(obs: &Observation) -> Option<&ToolView> {
    let lc = obs.query.to_lowercase();
    let clause = lc.rsplit(" and then ").next().unwrap_or(&lc);
    let q = tokens(clause);
    obs.tools
        .iter()
        .map(|t| (name_score(&t.name, &q), t))
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.name.cmp(&a.1.name)))
        .map(|(_, t)| t)
}

/// Whether `tool` already ran with `args` (successfully or not): never repeat a call.
fn ran(obs: &Observation, tool: &str, args: &Map<String, Value>) -> bool {
    obs.history
        .iter()
        .any(|s| s.name == tool && &s.arguments == args)
}

/// Backward planning: the call to make next so that `tool` can run, or None when nothing
/// fills its missing arguments.
fn plan<'a>(obs: &'a Observation, tool: &'a ToolView, stack: &mut Vec<&'a str>) -> Option<Action> {
    if stack.contains(&tool.name.as_str()) || stack.len() > 6 {
        return None;
    }
    let (args, missing) = fill(obs, tool, true);
    if missing.is_empty() {
        return (!ran(obs, &tool.name, &args)).then(|| Action::Call {
            name: tool.name.clone(),
            arguments: args,
        });
    }
    stack.push(&tool.name);
    let mut out = None;
    'params: for p in &missing {
        for producer in producers(obs, tool, p) {
            if let Some(a) = plan(obs, producer, stack) {
                out = Some(a);
                break 'params;
            }
        }
    }
    stack.pop();
    out
}

/// When no chain is known: a read the request points at that has not run yet (its name shares
/// words with the request and its arguments can be filled), to learn what the results hold.
fn explore(obs: &Observation, target: &ToolView) -> Option<Action> {
    let q = tokens(&obs.query);
    obs.tools
        .iter()
        .filter(|t| {
            let verb = first_word(&t.name);
            t.name != target.name && (reads(&verb) || q.iter().any(|x| same_stem(x, &verb)))
        })
        .filter_map(|t| {
            let (args, missing) = fill(obs, t, true);
            (missing.is_empty() && !ran(obs, &t.name, &args))
                .then(|| (name_score(&t.name, &q) + args.len() as i64, t, args))
        })
        .filter(|(score, _, _)| *score > 0)
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.name.cmp(&a.1.name)))
        .map(|(_, t, args)| Action::Call {
            name: t.name.clone(),
            arguments: args,
        })
}

fn first_word(name: &str) -> String {
    crate::phrase::name_verb(name)
}

/// Tools that may give `param`: their name or description names the entity (`conversation_id`
/// -> `find_conversation_by_invite_code`); reads, and writes the request asks for; best first.
fn producers<'a>(obs: &'a Observation, consumer: &ToolView, param: &str) -> Vec<&'a ToolView> {
    let entity: Vec<&str> = param
        .strip_suffix("_id")
        .unwrap_or(param)
        .split('_')
        .filter(|w| w.len() > 2)
        .collect();
    let q = tokens(&obs.query);
    let mut found: Vec<(i64, &ToolView)> = obs
        .tools
        .iter()
        .filter(|t| t.name != consumer.name)
        .filter(|t| !obs.history.iter().any(|s| s.name == t.name && !s.failed()))
        .filter_map(|t| {
            let words: Vec<&str> = t.name.split('_').collect();
            let read = reads(words[0]);
            let asked = q.iter().any(|x| same_stem(x, words[0]));
            let authorizes = param == "token" && words[0] == "authorize";
            if !(read || asked || authorizes) {
                return None;
            }
            let head = words
                .iter()
                .position(|w| matches!(*w, "by" | "for" | "of" | "on" | "with"))
                .unwrap_or(words.len());
            // The entity before `by` is what the tool returns; after it, what it needs.
            let returns_it = entity
                .iter()
                .filter(|e| words[..head].iter().any(|w| same_stem(w, e)))
                .count() as i64;
            let desc = t.description.to_lowercase();
            let says = entity.iter().filter(|e| desc.contains(*e)).count() as i64;
            if returns_it + says == 0 && !authorizes {
                return None;
            }
            let score = returns_it * 4
                + says
                + i64::from(authorizes) * 10
                + i64::from(read) * 2
                + name_score(&t.name, &q).max(0);
            Some((score, t))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    found.into_iter().map(|(_, t)| t).collect()
}

/// Arguments for `tool` (from the request and, when `use_results`, earlier results) and the
/// required parameters still missing.
fn fill(
    obs: &Observation,
    tool: &ToolView,
    use_results: bool,
) -> (Map<String, Value>, Vec<String>) {
    let mut args = Map::new();
    let mut missing = Vec::new();
    for (p, schema) in tool.params() {
        let required = tool.required(p);
        let from_query = from_query(&obs.query, p, schema, required);
        let from_results = if use_results {
            from_results(obs, p, schema)
        } else {
            None
        };
        // Ids and tokens come from results when a result has them; stated values win otherwise.
        let id_like = p.ends_with("_id") || p == "token";
        let v = if id_like {
            from_results.or(from_query)
        } else {
            from_query.or(if required { from_results } else { None })
        };
        match v {
            Some(v) => {
                args.insert(p.clone(), v);
            }
            None if required => missing.push(p.clone()),
            None => {}
        }
    }
    (args, missing)
}

/// Whether `v` satisfies `schema` (type, enum, pattern, range).
fn fits(schema: &Value, v: &Value) -> bool {
    // Compiling a schema costs far more than checking a value: compiled ones are kept per thread.
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Option<jsonschema::Validator>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    COMPILED.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 4096 {
            c.clear();
        }
        c.entry(schema.to_string())
            .or_insert_with(|| hardgen_tools::validate::compile(schema).ok())
            .as_ref()
            .is_some_and(|v2| v2.is_valid(v))
    })
}

/// The value of `param` in an earlier result: a field of that name (or ending in `_param`), from
/// the newest result first; in a list, the item that shares the most words with the request.
fn from_results(obs: &Observation, param: &str, schema: &Value) -> Option<Value> {
    let q = obs.query.to_lowercase();
    for s in obs.history.iter().rev().filter(|s| !s.failed()) {
        let mut candidates = Vec::new();
        collect_fields(&s.result, param, &q, 0, &mut candidates);
        candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
        if let Some((_, v)) = candidates.into_iter().find(|(_, v)| fits(schema, v)) {
            return Some(v);
        }
    }
    None
}

/// Fields named like `param` under `v`, scored by exactness and by how much of their object the
/// request mentions.
fn collect_fields(v: &Value, param: &str, q: &str, depth: usize, out: &mut Vec<(i64, Value)>) {
    match v {
        Value::Object(m) => {
            let mentioned = m
                .values()
                .filter_map(|x| match x {
                    Value::String(s) if s.len() >= 3 => Some(s.to_lowercase()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .filter(|s| q.contains(s.as_str()))
                .count() as i64;
            for (k, x) in m {
                if x.is_object() || x.is_array() {
                    collect_fields(x, param, q, depth + 1, out);
                } else if k == param {
                    out.push((100 + mentioned * 10 - depth as i64, x.clone()));
                } else if k.ends_with(&format!("_{param}")) {
                    let prefix = &k[..k.len() - param.len() - 1];
                    let said = i64::from(q.contains(&prefix.replace('_', " ")));
                    out.push((50 + said * 20 + mentioned * 10 - depth as i64, x.clone()));
                } else if let Some(entity) = shared_entity(k, param) {
                    // `owner_contact_id` for `author_contact_id`: the same kind of id in
                    // another role; the role the request names wins.
                    let role = &k[..k.len() - entity.len()];
                    let said = i64::from(q.contains(&role.replace('_', " ").trim().to_string()));
                    out.push((30 + said * 20 + mentioned * 10 - depth as i64, x.clone()));
                }
            }
        }
        Value::Array(a) => {
            for x in a {
                collect_fields(x, param, q, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// The id kind two role-prefixed id fields share (`contact_id` of `owner_contact_id` and
/// `author_contact_id`).
fn shared_entity<'a>(key: &'a str, param: &str) -> Option<&'a str> {
    let k_entity = key.strip_suffix("_id")?.rsplit('_').next()?;
    let p_entity = param.strip_suffix("_id")?.rsplit('_').next()?;
    (k_entity == p_entity && k_entity.len() > 2).then(|| &key[key.len() - k_entity.len() - 3..])
}

/// Byte ranges of `needle` in `hay` as a whole phrase (not inside a longer word).
fn phrase_at(hay: &str, needle: &str) -> Vec<(usize, usize)> {
    if needle.is_empty() {
        return Vec::new();
    }
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    hay.match_indices(needle)
        .filter(|(i, m)| {
            !word(hay[..*i].chars().next_back()) && !word(hay[i + m.len()..].chars().next())
        })
        .map(|(i, m)| (i, i + m.len()))
        .collect()
}

/// Where the request names `param`, as anchors: `After(end)` of a mention whose value follows
/// ("the invite code is X", "the drive named X") and `Before(start)` of one whose value comes
/// first ("X as the file name").
#[derive(Debug, Clone, Copy)]
enum Anchor {
    After(usize),
    Before(usize),
}

/// Phrases that give an entity's name ("the drive named X").
const NAMED: &[&str] = &[
    " named ",
    " called ",
    " that goes by ",
    " by the name of ",
    " titled ",
    " with the title ",
    " with the name ",
    " whose name is ",
    " whose title is ",
];

fn anchors(q_lc: &str, param: &str) -> Vec<Anchor> {
    let label = phrase::label(param).to_lowercase();
    let mut out: Vec<Anchor> = Vec::new();
    for (s, e) in phrase_at(q_lc, &label) {
        let before = &q_lc[..s];
        if before.ends_with(" as the ") || before.ends_with(" as ") {
            let k = if before.ends_with(" as the ") { 8 } else { 4 };
            out.push(Anchor::Before(s - k));
        } else {
            out.push(Anchor::After(e));
        }
    }
    // A name or title: "the drive named X", "the course called X".
    if let Some(entity) = param
        .strip_suffix("_name")
        .or_else(|| param.strip_suffix("_title"))
    {
        let entity = phrase::label(entity).to_lowercase();
        for (_, e) in phrase_at(q_lc, &entity) {
            for n in NAMED {
                if q_lc[e..].starts_with(n) {
                    out.push(Anchor::After(e + n.len()));
                }
            }
        }
    }
    out
}

/// Words that join a label to its value ("the subject is X", "a limit of 5", "set to X").
const JOINERS: &[&str] = &[
    "is", "of", "was", "are", "named", "called", "to", "as", "=", ":", "be", "should", "set", "at",
    "equal", "being",
];

/// Words that end a free-text value.
const STOPS: &[&str] = &[
    "that",
    "which",
    "and",
    "with",
    "where",
    "whose",
    "for",
    "so",
    "then",
    "but",
    "please",
    "if",
    "using",
    "as",
    "belonging",
    "linked",
    "tied",
    "associated",
    "attached",
    "connected",
    "belongs",
    "known",
    "going",
    "listed",
    "situated",
    "having",
    "holding",
    "shows",
    "when",
    "who",
    "after",
    "before",
    "by",
    "while",
];

/// Words that end a free-text value when a determiner or a number follows ("Presentations of
/// the drive", "EV Overnight in 2 to 12 instalments"), but not at the end ("log in").
const SOFT_STOPS: &[&str] = &["of", "in", "on", "from", "at", "to"];

/// Words that start a value written before its label ("with X as the name").
const STARTS: &[&str] = &["with", "and", "using", "set", "then", "give", "it"];

/// Tokens of `text` with byte offsets (punctuation trimmed; inner '-', '.', ':' kept).
fn offset_tokens(text: &str) -> Vec<(usize, &str)> {
    let mut toks = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                let raw: &str = &text[s..i];
                let w = raw.trim_matches(|c: char| {
                    matches!(
                        c,
                        ',' | ';' | '?' | '!' | '(' | ')' | '"' | '\'' | '.' | ':'
                    )
                });
                if !w.is_empty() {
                    toks.push((s + raw.find(w).unwrap_or(0), w));
                }
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    toks
}

/// Free text after an anchor: joiners skipped, up to a stop word or a clause break.
fn text_after(query: &str, at: usize) -> String {
    let mut words = Vec::new();
    let mut skipped = 0;
    let all: Vec<&str> = query[at..].split_whitespace().collect();
    for (i, &w) in all.iter().enumerate() {
        let lc = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        let next = all.get(i + 1).map(|n| n.to_lowercase()).unwrap_or_default();
        let after = all.get(i + 2).map(|n| n.to_lowercase()).unwrap_or_default();
        let soft = SOFT_STOPS.contains(&lc.as_str())
            && (matches!(next.as_str(), "the" | "a" | "an" | "this" | "or")
                || (next == "that" && after == "same")
                || next.starts_with(|c: char| c.is_ascii_digit()));
        if !words.is_empty() && soft {
            break;
        }
        if words.is_empty() && skipped < 2 && JOINERS.contains(&lc.as_str()) {
            skipped += 1;
            continue;
        }
        if words.is_empty() && (lc == "the" || lc == "a") && skipped > 0 {
            continue;
        }
        if !words.is_empty() && STOPS.contains(&lc.as_str()) {
            break;
        }
        words.push(w);
        if w.ends_with([',', ';', '?', '!']) || (w.ends_with('.') && w.len() > 1) {
            break;
        }
    }
    trim_value(&words.join(" "))
}

/// Free text before an anchor ("with Monteverde City Airport as the file name").
fn text_before(query: &str, at: usize) -> String {
    let mut words: Vec<&str> = Vec::new();
    for w in query[..at].split_whitespace().rev() {
        let lc = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if w.ends_with([',', ';', '.', '?', '!']) && !words.is_empty() {
            break;
        }
        if STARTS.contains(&lc.as_str()) {
            break;
        }
        words.push(w);
    }
    words.reverse();
    trim_value(&words.join(" "))
}

fn trim_value(s: &str) -> String {
    s.trim_matches(|c: char| matches!(c, '.' | ',' | ';' | '?' | '!' | '"' | '\'' | ':'))
        .to_string()
}

/// A value for `param` written in the request, checked against its schema.
fn from_query(query: &str, param: &str, schema: &Value, required: bool) -> Option<Value> {
    if param == "token" {
        return None;
    }
    let q_lc = query.to_lowercase();
    let anchors = anchors(&q_lc, param);
    if anchors.is_empty() && !required {
        return None;
    }
    let toks = offset_tokens(query);
    // The candidate nearest an anchor (after an `After`, before a `Before`); with no anchor,
    // only a value that is the single candidate in the whole request.
    let nearest = |cands: Vec<(usize, Value)>| -> Option<Value> {
        if anchors.is_empty() {
            return (cands.len() == 1).then(|| cands[0].1.clone());
        }
        cands
            .into_iter()
            .filter_map(|(off, v)| {
                anchors
                    .iter()
                    .filter_map(|a| match *a {
                        Anchor::After(e) => off.checked_sub(e),
                        Anchor::Before(s) => s.checked_sub(off),
                    })
                    .min()
                    .map(|d| (d, v))
            })
            .min_by_key(|(d, _)| *d)
            .map(|(_, v)| v)
    };
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("");
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        let cands: Vec<(usize, Value)> = options
            .iter()
            .filter_map(|o| {
                let s = o.as_str()?.to_lowercase();
                let said = s.replace('_', " ");
                let at = phrase_at(&q_lc, &s)
                    .first()
                    .or(phrase_at(&q_lc, &said).first())
                    .copied()?;
                Some((at.0, o.clone()))
            })
            .collect();
        return nearest(cands);
    }
    match ty {
        "integer" | "number" => {
            let cands: Vec<(usize, Value)> = toks
                .iter()
                .filter_map(|(off, w)| {
                    let w = w.trim_start_matches(['$', '€', '£']);
                    let v = if ty == "integer" {
                        w.parse::<i64>().ok().map(Value::from)
                    } else {
                        w.parse::<f64>()
                            .ok()
                            .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
                    }?;
                    fits(schema, &v).then_some((*off, v))
                })
                .collect();
            nearest(cands)
        }
        "boolean" => None,
        "string" if schema.get("pattern").is_some() || schema.get("format").is_some() => {
            let cands: Vec<(usize, Value)> = toks
                .iter()
                .map(|(off, w)| (*off, Value::from(*w)))
                .filter(|(_, v)| fits(schema, v))
                .collect();
            nearest(cands)
        }
        "string" => anchors
            .iter()
            .map(|a| match *a {
                Anchor::After(e) => text_after(query, e),
                Anchor::Before(s) => text_before(query, s),
            })
            .map(Value::from)
            .find(|v| v.as_str().is_some_and(|s| !s.is_empty()) && fits(schema, v)),
        _ => None,
    }
}

/// A built-in policy behind the chat-completions API (`hardgen serve`). It reads the request in
/// any of the three tool-call modes a hardgen role uses and answers in the same mode: `tools` in
/// the request -> `tool_calls`; a JSON-schema `response_format` -> one `{"name", "arguments"}`
/// object; functions listed in the system prompt -> a Hermes `<tool_call>` block. A request with
/// no tools (the query writer, tool maker and verifier roles) gets its `Draft: ...` (or
/// `Request: ...`) line back unchanged: the policy cannot write, it keeps the offline answer.
pub struct PolicyResponder {
    /// Which policy.
    pub kind: PolicyKind,
    name: String,
}

impl PolicyResponder {
    /// A responder for `kind`, named `hardgen-<kind>` in responses.
    pub fn new(kind: PolicyKind) -> PolicyResponder {
        PolicyResponder {
            kind,
            name: format!("hardgen-{}", kind.name()),
        }
    }
}

/// The text of a message's `content` (a string, or OpenAI content parts).
fn content_text(m: &Value) -> String {
    match m.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    }
}

/// A tool result as sent back (a JSON string, or any text).
fn result_value(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|_| Value::from(text))
}

impl Observation {
    /// Reads a chat-completions request: the first user message is the request (anything after
    /// a blank line is context the policy ignores), tools come from `tools` or from JSON lines in
    /// the system prompt, and the history from assistant calls (native `tool_calls`, Hermes
    /// blocks, constrained JSON) and the results sent back (`tool` messages or `Result of NAME:`
    /// lines).
    pub fn from_chat(req: &Value) -> Observation {
        use hardgen_core::calls;
        let messages = req
            .get("messages")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut obs = Observation::default();
        let mut tools: Vec<ToolView> = req
            .get("tools")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(ToolView::from_openai)
            .collect();
        let mut pending: Vec<(String, String, Map<String, Value>)> = Vec::new();
        let mut first_user = true;
        for m in messages {
            let text = content_text(m);
            match m.get("role").and_then(Value::as_str).unwrap_or("") {
                "system" if tools.is_empty() => {
                    tools.extend(
                        text.lines()
                            .filter(|l| l.trim_start().starts_with('{'))
                            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                            .filter_map(|v| ToolView::from_openai(&v)),
                    );
                }
                "user" if first_user => {
                    first_user = false;
                    obs.query = text.split("\n\n").next().unwrap_or_default().to_string();
                }
                "user" => {
                    for line in text.lines() {
                        if let Some((name, rest)) = line
                            .strip_prefix("Result of ")
                            .and_then(|l| l.split_once(": "))
                        {
                            let args = pending
                                .iter()
                                .position(|(_, n, _)| n == name)
                                .map(|i| pending.remove(i).2)
                                .unwrap_or_default();
                            obs.history.push(Seen {
                                name: name.to_string(),
                                arguments: args,
                                result: result_value(rest),
                            });
                        }
                    }
                }
                "assistant" => {
                    for c in m
                        .get("tool_calls")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let name = c
                            .pointer("/function/name")
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        let args = c
                            .pointer("/function/arguments")
                            .and_then(Value::as_str)
                            .and_then(|a| calls::decode_arguments(a).ok())
                            .map(|(a, _)| a)
                            .unwrap_or_default();
                        let id = c.get("id").and_then(Value::as_str).unwrap_or_default();
                        pending.push((id.to_string(), name.to_string(), args));
                    }
                    if let Ok((found, _)) = calls::hermes_decode(&text) {
                        for d in found {
                            pending.push((String::new(), d.name, d.arguments));
                        }
                    }
                    if let Ok(v) = serde_json::from_str::<Value>(text.trim()) {
                        if let (Some(n), Some(a)) = (
                            v.get("name").and_then(Value::as_str),
                            v.get("arguments").and_then(Value::as_object),
                        ) {
                            pending.push((String::new(), n.to_string(), a.clone()));
                        }
                    }
                }
                "tool" => {
                    let id = m
                        .get("tool_call_id")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let i = pending
                        .iter()
                        .position(|(pid, _, _)| pid == id)
                        .or((!pending.is_empty()).then_some(0));
                    if let Some(i) = i {
                        let (_, name, arguments) = pending.remove(i);
                        obs.history.push(Seen {
                            name,
                            arguments,
                            result: result_value(&text),
                        });
                    }
                }
                _ => {}
            }
        }
        obs.tools = tools;
        obs
    }
}

impl hardgen_llm::server::Responder for PolicyResponder {
    fn model(&self) -> &str {
        &self.name
    }

    fn respond(&self, req: &Value) -> Result<Value, String> {
        let obs = Observation::from_chat(req);
        let constrained =
            req.pointer("/response_format/type").and_then(Value::as_str) == Some("json_schema");
        let native = req
            .get("tools")
            .and_then(Value::as_array)
            .is_some_and(|t| !t.is_empty());
        if obs.tools.is_empty() {
            // Not an agent turn: a rewrite request gets its draft back; anything else is refused.
            let last = req
                .get("messages")
                .and_then(Value::as_array)
                .and_then(|m| m.last())
                .map(content_text)
                .unwrap_or_default();
            let draft = last
                .lines()
                .find_map(|l| l.strip_prefix("Draft: "))
                .or_else(|| last.lines().find_map(|l| l.strip_prefix("Request: ")));
            return match draft {
                Some(draft) => Ok(serde_json::json!({"role": "assistant", "content": draft})),
                None => Err(format!(
                    "the {} policy answers agent turns (offered tools) and requests to improve \
                     a draft (a `Draft: ` or `Request: ` line); this request has neither",
                    self.kind.name()
                )),
            };
        }
        let action = act(self.kind, &obs);
        let n = obs.history.len();
        Ok(match (action, constrained, native) {
            (Action::Call { name, arguments }, true, _) => serde_json::json!({"role": "assistant",
                "content": serde_json::json!({"name": name, "arguments": arguments}).to_string()}),
            (Action::Answer(text), true, _) => serde_json::json!({"role": "assistant",
                "content": serde_json::json!({"name": "final_answer", "arguments": {"text": text}}).to_string()}),
            (Action::Call { name, arguments }, false, true) => {
                serde_json::json!({"role": "assistant",
                "content": null, "tool_calls": [{"id": format!("call_{n}"), "type": "function",
                "function": {"name": name, "arguments": Value::Object(arguments).to_string()}}]})
            }
            (Action::Call { name, arguments }, false, false) => {
                serde_json::json!({"role": "assistant",
                "content": hardgen_core::calls::hermes_encode(&[hardgen_core::record::Call {
                    id: format!("call_{n}"), name, arguments }])})
            }
            (Action::Answer(text), false, _) => {
                serde_json::json!({"role": "assistant", "content": text})
            }
        })
    }
}

/// A built-in policy as an in-process [`hardgen_llm::ChatModel`]: the same requests and answers
/// as `hardgen serve --policy`, without HTTP. Agents, probes and evaluation take it wherever they
/// take a model. Not a language model: it reads the request with fixed rules.
pub struct PolicyModel {
    responder: PolicyResponder,
    stats: std::sync::Mutex<hardgen_llm::Stats>,
}

impl PolicyModel {
    /// The policy `kind` as a chat model.
    pub fn new(kind: PolicyKind) -> PolicyModel {
        PolicyModel {
            responder: PolicyResponder::new(kind),
            stats: std::sync::Mutex::new(hardgen_llm::Stats::default()),
        }
    }

    fn answer(
        &self,
        req: &hardgen_llm::ChatRequest,
    ) -> Result<hardgen_llm::ChatResponse, hardgen_llm::LlmError> {
        use hardgen_llm::server::Responder;
        let body = serde_json::to_value(req)
            .map_err(|e| hardgen_llm::LlmError::BadResponse(e.to_string()))?;
        let message = self
            .responder
            .respond(&body)
            .map_err(hardgen_llm::LlmError::BadResponse)?;
        let finish = if message.get("tool_calls").is_some() {
            "tool_calls"
        } else {
            "stop"
        };
        let raw = serde_json::json!({"model": self.responder.model(), "choices": [{"index": 0,
            "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}});
        let mut st = self
            .stats
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        st.requests += 1;
        st.attempts += 1;
        hardgen_llm::ChatResponse::parse(raw)
    }
}

impl hardgen_llm::ChatModel for PolicyModel {
    fn model(&self) -> &str {
        use hardgen_llm::server::Responder;
        self.responder.model()
    }
    fn complete<'a>(
        &'a self,
        req: &'a hardgen_llm::ChatRequest,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<hardgen_llm::ChatResponse, hardgen_llm::LlmError>,
                > + Send
                + 'a,
        >,
    > {
        let out = self.answer(req);
        Box::pin(std::future::ready(out))
    }
    fn stats(&self) -> hardgen_llm::Stats {
        *self
            .stats
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One run of a policy on a request against `env`: the calls it made (executed) and its answer.
pub fn run_round<E: hardgen_tools::Environment>(
    kind: PolicyKind,
    query: &str,
    tools: &[ToolView],
    env: &mut E,
) -> (Vec<Seen>, String) {
    let mut obs = Observation {
        query: query.to_string(),
        tools: tools.to_vec(),
        history: Vec::new(),
    };
    for _ in 0..=MAX_CALLS {
        match act(kind, &obs) {
            Action::Answer(text) => return (obs.history, text),
            Action::Call { name, arguments } => {
                let result = match env.execute(&hardgen_core::ToolCall {
                    name: name.clone(),
                    arguments: arguments.clone(),
                }) {
                    Ok(v) => v,
                    Err(e) => e.to_result_json(),
                };
                obs.history.push(Seen {
                    name,
                    arguments,
                    result,
                });
            }
        }
    }
    (obs.history, String::new())
}

/// Runs `kind` on round `r` of `rec` from the record's start state with the earlier rounds'
/// gold replayed, offered the record's tools: its calls and its answer.
pub fn run_record_round<E: hardgen_tools::Environment>(
    kind: PolicyKind,
    rec: &hardgen_core::Record,
    r: usize,
    env: &mut E,
) -> (Vec<Seen>, String) {
    let earlier = &rec.rounds[..r.min(rec.rounds.len())];
    crate::verify::replay_gold(env, rec, earlier.iter().flat_map(|x| &x.gold));
    let tools: Vec<ToolView> = rec
        .tools
        .iter()
        .filter_map(|t| ToolView::from_openai(&t.to_openai_plain()))
        .collect();
    let query = rec.rounds.get(r).map_or("", |x| x.query.as_str());
    run_round(kind, query, &tools, env)
}

/// Whether `kind` solves round `r` of `rec`: from the record's start state with the earlier
/// rounds' gold replayed, its calls reproduce every gold call (name, arguments, result).
pub fn solves<E: hardgen_tools::Environment>(
    kind: PolicyKind,
    rec: &hardgen_core::Record,
    r: usize,
    env: &mut E,
) -> bool {
    let Some(round) = rec.rounds.get(r) else {
        return false;
    };
    let (calls, _) = run_record_round(kind, rec, r, env);
    let mut used = vec![false; calls.len()];
    round.gold.iter().all(|g| {
        let hit = calls.iter().enumerate().position(|(i, c)| {
            !used[i] && c.name == g.name && c.arguments == g.arguments && c.result == g.result
        });
        hit.map(|i| used[i] = true).is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tools() -> Vec<ToolView> {
        [
            json!({"name": "find_conversation_by_invite_code", "description": "Find a conversation by its invite code.",
                "parameters": {"type": "object", "properties": {"invite_code": {"type": "string"}}, "required": ["invite_code"]}}),
            json!({"name": "archive_conversation", "description": "Archive a conversation.",
                "parameters": {"type": "object", "properties": {"conversation_id": {"type": "string", "pattern": "^MSC-[0-9]{4,}$"}}, "required": ["conversation_id"]}}),
            json!({"name": "list_hotel_reviews", "description": "List reviews of a hotel.",
                "parameters": {"type": "object", "properties": {"hotel_id": {"type": "string"}}, "required": ["hotel_id"]}}),
        ]
        .iter()
        .filter_map(ToolView::from_openai)
        .collect()
    }

    #[test]
    fn the_oracle_looks_up_what_the_request_does_not_state() {
        let mut obs = Observation {
            query: "My task today: archive the conversation where the invite code is 3PKY43N5."
                .into(),
            tools: tools(),
            history: Vec::new(),
        };
        let first = act(PolicyKind::Oracle, &obs);
        assert_eq!(
            first,
            Action::Call {
                name: "find_conversation_by_invite_code".into(),
                arguments: json!({"invite_code": "3PKY43N5"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
            }
        );
        obs.history.push(Seen {
            name: "find_conversation_by_invite_code".into(),
            arguments: Map::new(),
            result: json!({"conversation_id": "MSC-1061", "title": "Holiday group"}),
        });
        let Action::Call { name, arguments } = act(PolicyKind::Oracle, &obs) else {
            panic!("expected a call")
        };
        assert_eq!(name, "archive_conversation");
        assert_eq!(arguments["conversation_id"], "MSC-1061");
        obs.history.push(Seen {
            name,
            arguments,
            result: json!({"conversation_id": "MSC-1061", "status": "archived"}),
        });
        let Action::Answer(a) = act(PolicyKind::Oracle, &obs) else {
            panic!("expected an answer")
        };
        assert!(a.contains("MSC-1061") && a.contains("archived"), "{a}");
    }

    #[test]
    fn the_baseline_never_plans_a_prerequisite() {
        let obs = Observation {
            query: "Please archive the conversation where the invite code is 3PKY43N5.".into(),
            tools: tools(),
            history: Vec::new(),
        };
        let Action::Call { name, arguments } = act(PolicyKind::Baseline, &obs) else {
            panic!("expected a call")
        };
        assert_eq!(name, "archive_conversation");
        assert!(arguments.is_empty());
    }

    proptest::proptest! {
        /// The server reads whatever a client sends: no request body makes the policy panic.
        #[test]
        fn any_request_gets_an_answer_or_an_error(
            query in "\\PC{0,80}",
            content in "\\PC{0,80}",
            args in "\\PC{0,40}",
            with_tools in proptest::bool::ANY,
        ) {
            let tools = if with_tools { tools().iter().map(|t| json!({"type": "function", "function":
                {"name": t.name, "description": t.description, "parameters": t.parameters}})).collect() } else { Vec::new() };
            let req = json!({"messages": [
                {"role": "system", "content": content},
                {"role": "user", "content": query},
                {"role": "assistant", "content": content, "tool_calls": [{"id": "a", "type": "function",
                    "function": {"name": "archive_conversation", "arguments": args}}]},
                {"role": "tool", "tool_call_id": "a", "content": content},
                {"role": "user", "content": format!("Result of x: {content}")},
            ], "tools": tools});
            for kind in [PolicyKind::Oracle, PolicyKind::Baseline] {
                let _ = hardgen_llm::server::Responder::respond(&PolicyResponder::new(kind), &req);
            }
        }
    }

    #[test]
    fn values_are_read_by_label_and_schema() {
        let q = "Post a reply with a subject of Cannot log in that is not closed, priority high, limit 5.";
        assert_eq!(
            from_query(q, "subject", &json!({"type": "string"}), true),
            Some(json!("Cannot log in"))
        );
        assert_eq!(
            from_query(
                q,
                "priority",
                &json!({"type": "string", "enum": ["low", "high"]}),
                false
            ),
            Some(json!("high"))
        );
        assert_eq!(
            from_query(q, "limit", &json!({"type": "integer"}), false),
            Some(json!(5))
        );
        assert_eq!(
            from_query(
                q,
                "hotel_id",
                &json!({"type": "string", "pattern": "^LDH-[0-9]{4}$"}),
                true
            ),
            None
        );
    }
}
