//! Evaluation: an agent on every round of a generated dataset, each round from the record's
//! start state with the earlier rounds' gold replayed; accuracy by domain, trace length, round
//! and failure kind, as a table, JSON and a self-contained HTML report.

use crate::agent::{Agent, Transcript};
use crate::judge::{judge, Context, FailureKind, Judged};
use crate::EvalError;
use hardgen_core::Record;
use hardgen_synth::verify::replay_gold;
use hardgen_tools::Environment;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Passed out of total.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Tally {
    /// Rounds.
    pub total: usize,
    /// Rounds passed.
    pub passed: usize,
    /// passed / total (0 when empty).
    pub accuracy: f64,
}

impl Tally {
    fn add(&mut self, passed: bool) {
        self.total += 1;
        self.passed += usize::from(passed);
        self.accuracy = self.passed as f64 / self.total as f64;
    }
}

/// The outcome of one round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundResult {
    /// Record id.
    pub id: String,
    /// Round index.
    pub round: usize,
    /// The round's target tool.
    pub target: String,
    /// The target's domain.
    pub domain: String,
    /// Gold calls.
    pub calls: usize,
    /// The record's hard variant (left out when standard).
    #[serde(
        default = "hardgen_core::record::standard_variant",
        skip_serializing_if = "is_standard"
    )]
    pub variant: String,
    /// The verdict.
    #[serde(flatten)]
    pub judged: Judged,
}

fn is_standard(v: &str) -> bool {
    v == "standard"
}

/// An evaluation report.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Report {
    /// The agent evaluated.
    pub agent: String,
    /// All rounds.
    pub overall: Tally,
    /// By the target's domain.
    pub by_domain: BTreeMap<String, Tally>,
    /// By gold length (calls).
    pub by_length: BTreeMap<usize, Tally>,
    /// By round index (0 is the first).
    pub by_round: BTreeMap<usize, Tally>,
    /// Failed rounds by failure kind.
    pub by_failure: BTreeMap<String, usize>,
    /// Per tool (the round's target): rounds and passes, for failure weights.
    pub by_target: BTreeMap<String, Tally>,
    /// By hard variant (`standard` for the rest); empty when every round is standard.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_variant: BTreeMap<String, Tally>,
    /// Prompt and completion tokens over all rounds.
    pub tokens: (u64, u64),
    /// Mean wall time per round in milliseconds.
    pub mean_latency_ms: f64,
    /// Every round's outcome.
    pub rounds: Vec<RoundResult>,
}

impl Report {
    /// Adds one round's outcome.
    pub fn add(&mut self, r: RoundResult, t: &Transcript) {
        let p = r.judged.passed;
        self.overall.add(p);
        self.by_domain.entry(r.domain.clone()).or_default().add(p);
        self.by_length.entry(r.calls).or_default().add(p);
        self.by_round.entry(r.round).or_default().add(p);
        self.by_target.entry(r.target.clone()).or_default().add(p);
        if r.variant != "standard" || !self.by_variant.is_empty() {
            // Once a variant round is seen, the standard ones before it are counted too.
            if self.by_variant.is_empty() {
                let before: Vec<bool> = self.rounds.iter().map(|x| x.judged.passed).collect();
                let t = self.by_variant.entry("standard".into()).or_default();
                for b in before {
                    t.add(b);
                }
            }
            self.by_variant.entry(r.variant.clone()).or_default().add(p);
        }
        if let Some(k) = r.judged.kind {
            *self.by_failure.entry(k.as_str().to_string()).or_default() += 1;
        }
        self.tokens.0 += t.prompt_tokens;
        self.tokens.1 += t.completion_tokens;
        let n = self.overall.total as f64;
        self.mean_latency_ms += (t.latency_ms as f64 - self.mean_latency_ms) / n;
        self.rounds.push(r);
    }

    /// The report as an aligned text table.
    pub fn table(&self) -> String {
        let mut s = format!(
            "agent {}: {} of {} rounds passed ({:.1}%)\n",
            self.agent,
            self.overall.passed,
            self.overall.total,
            100.0 * self.overall.accuracy
        );
        let mut section = |title: &str, rows: Vec<(String, Tally)>| {
            s.push_str(&format!(
                "\n{title:<24} {:>7} {:>7} {:>8}\n",
                "rounds", "passed", "accuracy"
            ));
            for (k, t) in rows {
                s.push_str(&format!(
                    "  {k:<22} {:>7} {:>7} {:>7.1}%\n",
                    t.total,
                    t.passed,
                    100.0 * t.accuracy
                ));
            }
        };
        section(
            "by domain",
            self.by_domain
                .iter()
                .map(|(k, t)| (k.clone(), *t))
                .collect(),
        );
        section(
            "by trace length (calls)",
            self.by_length
                .iter()
                .map(|(k, t)| (k.to_string(), *t))
                .collect(),
        );
        section(
            "by round",
            self.by_round
                .iter()
                .map(|(k, t)| ((k + 1).to_string(), *t))
                .collect(),
        );
        if !self.by_variant.is_empty() {
            section(
                "by variant",
                self.by_variant
                    .iter()
                    .map(|(k, t)| (k.clone(), *t))
                    .collect(),
            );
        }
        s.push_str(&format!("\n{:<24} {:>7}\n", "failures by kind", "rounds"));
        for k in FailureKind::ALL {
            let n = self.by_failure.get(k.as_str()).copied().unwrap_or(0);
            s.push_str(&format!("  {:<22} {n:>7}\n", k.as_str()));
        }
        s.push_str(&format!(
            "\ntokens {} in / {} out; mean latency {:.1} ms per round\n",
            self.tokens.0, self.tokens.1, self.mean_latency_ms
        ));
        s
    }
}

/// One evaluated round with its transcript (what `transcripts.jsonl` holds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluated {
    /// The outcome.
    #[serde(flatten)]
    pub result: RoundResult,
    /// What the agent did.
    pub transcript: Transcript,
}

/// Rebuilds the state before round `upto`: the record's start, then the earlier rounds' gold.
fn replay<E: Environment>(rec: &Record, upto: usize, env: &mut E) {
    let earlier = &rec.rounds[..upto.min(rec.rounds.len())];
    replay_gold(env, rec, earlier.iter().flat_map(|r| &r.gold));
}

/// The request of round `r` as the agent gets it: the round's query first (a reader of the
/// first paragraph gets the task), then what was said and answered in earlier rounds.
pub fn round_query(rec: &Record, r: usize) -> String {
    let Some(round) = rec.rounds.get(r) else {
        return String::new();
    };
    let mut q = round.query.clone();
    if r > 0 {
        q.push_str("\n\nEarlier in this conversation:");
        for (k, earlier) in rec.rounds[..r].iter().enumerate() {
            q.push_str(&format!("\n- request {}: {}", k + 1, earlier.query));
            let answer = earlier.trajectory.iter().rev().find_map(|m| match m {
                hardgen_core::record::Message::Assistant {
                    content: Some(c), ..
                } if !c.is_empty() => Some(c.clone()),
                _ => None,
            });
            if let Some(a) = answer {
                q.push_str(&format!("\n  your answer: {a}"));
            }
        }
    }
    q
}

/// What an agent did on a round: everything (for the transcript) and its last run (what the
/// calls are judged on: the state it left is that run's).
struct Runs {
    whole: Transcript,
    last_run: Transcript,
}

impl From<Transcript> for Runs {
    fn from(t: Transcript) -> Runs {
        Runs {
            whole: t.clone(),
            last_run: t,
        }
    }
}

/// The transcript of a round that went on after the user's reply: the first run, the reply,
/// the second run.
fn continued(first: Transcript, reply: String, second: Transcript) -> Runs {
    let mut whole = first;
    whole
        .messages
        .push(hardgen_core::record::Message::User { content: reply });
    whole.messages.extend(second.messages.iter().cloned());
    whole.calls.extend(second.calls.iter().cloned());
    whole.answer.clone_from(&second.answer);
    whole.errors.extend(second.errors.iter().cloned());
    whole.repairs.extend(second.repairs.iter().cloned());
    whole.steps += second.steps;
    whole.prompt_tokens += second.prompt_tokens;
    whole.completion_tokens += second.completion_tokens;
    whole.latency_ms += second.latency_ms;
    Runs {
        whole,
        last_run: second,
    }
}

/// Runs `agent` on round `r` of `rec` and judges it.
pub fn evaluate_round<E: Environment>(
    agent: &Agent,
    rec: &Record,
    r: usize,
    env: &mut E,
    domain_of: &dyn Fn(&str) -> String,
) -> Result<Evaluated, EvalError> {
    let round = rec.rounds.get(r).ok_or_else(|| EvalError::Data {
        what: rec.id.clone(),
        message: format!("no round {r}"),
    })?;
    // A tool offered only later in the round (missing function) is not offered at the start.
    let tools: Vec<Value> = rec
        .tools
        .iter()
        .filter(|t| !round.tools_added.iter().any(|a| a.tools.contains(&t.name)))
        .map(|t| t.to_openai_plain())
        .collect();
    let query = round_query(rec, r);
    replay(rec, r, env);
    let first = agent.run(&query, &tools, env)?;
    // A variant round is judged first on its judgement (the question, the refusal); when the
    // task goes on (the user gives the value, corrects the name, offers the tool), the agent
    // gets the conversation with that reply from the same start and is judged on its calls.
    let calls: Vec<(&str, &serde_json::Map<String, Value>)> = first
        .calls
        .iter()
        .map(|c| (c.name.as_str(), &c.arguments))
        .collect();
    let verdict = hardgen_synth::variant::judge_agent(rec, &calls, &first.answer);
    let (transcript, said, decided) = match verdict {
        None => (Runs::from(first), query, None),
        Some(Err(why)) => (
            Runs::from(first),
            query,
            Some(Judged {
                passed: false,
                check: None,
                kind: Some(FailureKind::MissedJudgement),
                why: Some(why),
            }),
        ),
        Some(Ok(())) => match hardgen_synth::variant::reply_after_judgement(rec) {
            None => (
                Runs::from(first),
                query,
                Some(Judged {
                    passed: true,
                    check: None,
                    kind: None,
                    why: None,
                }),
            ),
            Some(reply) => {
                let said = format!("{query}\n{reply}");
                let all: Vec<Value> = rec.tools.iter().map(|t| t.to_openai_plain()).collect();
                replay(rec, r, env);
                let second = agent.run(&said, &all, env)?;
                (continued(first, reply, second), said, None)
            }
        },
    };
    let agent_state = env.digest();
    replay(rec, r + 1, env);
    let gold_state = env.digest();
    let earlier: Vec<Value> = rec.rounds[..r]
        .iter()
        .flat_map(|x| x.gold.iter().map(|g| g.result.clone()))
        .collect();
    let ctx = Context {
        said: &said,
        earlier_results: &earlier,
    };
    let judged = match decided {
        Some(j) => j,
        None => judge(
            &round.gold,
            &transcript.last_run,
            &ctx,
            gold_state,
            agent_state,
        ),
    };
    let transcript = transcript.whole;
    Ok(Evaluated {
        result: RoundResult {
            id: rec.id.clone(),
            round: r,
            target: round.target.clone(),
            domain: domain_of(&round.target),
            calls: round.gold.len(),
            variant: rec.variant.clone(),
            judged,
        },
        transcript,
    })
}

/// Evaluates `agent` on every round of `records`; `each` sees every evaluated round (to write
/// transcripts and store results as they come).
pub fn evaluate<E: Environment>(
    agent: &Agent,
    records: &[Record],
    env: &mut E,
    domain_of: &dyn Fn(&str) -> String,
    each: &mut dyn FnMut(&Evaluated) -> Result<(), EvalError>,
) -> Result<Report, EvalError> {
    evaluate_resumed(agent, records, env, domain_of, &[], &mut |e, _| each(e))
}

/// Like [`evaluate`], taking the first rounds' outcomes from `done` (a resumed run) instead of
/// running the agent again; `each` gets every round and whether it is new.
pub fn evaluate_resumed<E: Environment>(
    agent: &Agent,
    records: &[Record],
    env: &mut E,
    domain_of: &dyn Fn(&str) -> String,
    done: &[Evaluated],
    each: &mut dyn FnMut(&Evaluated, bool) -> Result<(), EvalError>,
) -> Result<Report, EvalError> {
    let mut report = Report {
        agent: agent.name().to_string(),
        ..Report::default()
    };
    let mut k = 0usize;
    for rec in records {
        for r in 0..rec.rounds.len() {
            let (e, new) = match done.get(k) {
                Some(e) if e.result.id == rec.id && e.result.round == r => (e.clone(), false),
                _ => (evaluate_round(agent, rec, r, env, domain_of)?, true),
            };
            k += 1;
            each(&e, new)?;
            report.add(e.result, &e.transcript);
        }
    }
    Ok(report)
}
