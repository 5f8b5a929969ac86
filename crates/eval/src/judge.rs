//! Scoring one round: pass or fail by the multi-turn checker (end state and results), and for a
//! failure the kind a reader would name (wrong tool, wrong argument, missing step, hallucinated
//! value, no call, format error).

use crate::agent::{AgentCall, Transcript};
use hardgen_check::multi_turn::{check_turn, Turn, TurnError};
use hardgen_core::record::GoldCall;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Why an agent failed a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// It called a tool the solution does not use instead of the one it needs.
    WrongTool,
    /// It called the right tool with a wrong argument.
    WrongArgument,
    /// Its calls were right but it stopped before the solution was complete.
    MissingStep,
    /// An argument value it used was neither stated by the user nor seen in a result.
    HallucinatedValue,
    /// It made no call where the solution needs calls.
    NoCall,
    /// Its output could not be read as a call, or named a tool or arguments that do not exist.
    FormatError,
    /// A hard-variant round needed judgement (ask for the missing value, say it cannot be
    /// done, ask about a mistyped name) and it called tools or answered instead.
    MissedJudgement,
}

impl FailureKind {
    /// Every kind, in report order.
    pub const ALL: [FailureKind; 7] = [
        FailureKind::WrongTool,
        FailureKind::WrongArgument,
        FailureKind::MissingStep,
        FailureKind::HallucinatedValue,
        FailureKind::NoCall,
        FailureKind::FormatError,
        FailureKind::MissedJudgement,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::WrongTool => "wrong_tool",
            FailureKind::WrongArgument => "wrong_argument",
            FailureKind::MissingStep => "missing_step",
            FailureKind::HallucinatedValue => "hallucinated_value",
            FailureKind::NoCall => "no_call",
            FailureKind::FormatError => "format_error",
            FailureKind::MissedJudgement => "missed_judgement",
        }
    }
}

/// The verdict on one round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judged {
    /// Whether the agent solved it.
    pub passed: bool,
    /// The checker's reason when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<TurnError>,
    /// The failure kind when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FailureKind>,
    /// What it did wrong, in words, when a variant's judgement failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// What the agent could know when it made its calls: the user's text (and earlier rounds'
/// conversation) plus every result it saw before each call.
pub struct Context<'a> {
    /// The user's text, earlier rounds included.
    pub said: &'a str,
    /// Results the agent saw before this round (earlier rounds).
    pub earlier_results: &'a [Value],
}

/// Judges a round from the gold, the transcript and the two end-state digests.
pub fn judge(
    gold: &[GoldCall],
    t: &Transcript,
    ctx: &Context<'_>,
    gold_state: u64,
    agent_state: u64,
) -> Judged {
    let turn = Turn {
        gold_results: gold.iter().map(|g| &g.result).collect(),
        agent_results: t.calls.iter().map(|c| &c.result).collect(),
        gold_state,
        agent_state,
    };
    match check_turn(&turn) {
        Ok(()) => Judged {
            passed: true,
            check: None,
            kind: None,
            why: None,
        },
        Err(e) => Judged {
            passed: false,
            check: Some(e),
            kind: Some(kind(gold, t, ctx)),
            why: None,
        },
    }
}

/// The failure kind of a failed round, most telling first.
pub fn kind(gold: &[GoldCall], t: &Transcript, ctx: &Context<'_>) -> FailureKind {
    let message = |c: &AgentCall| {
        c.result
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    // Skipping the lookup that gives a required id shows as a call without it.
    let skipped = |c: &AgentCall| {
        c.error.as_deref() == Some("invalid_arguments")
            && message(c).contains("missing required parameter")
    };
    let unreadable = t.calls.iter().any(|c| {
        c.error.as_deref() == Some("unknown_tool")
            || (c.error.as_deref() == Some("invalid_arguments")
                && message(c).contains("must be of type"))
    });
    if t.calls.is_empty() {
        let a = t.answer.trim_start();
        let tried = a.contains("<tool_call>") || a.starts_with('{') || a.starts_with('[');
        return if tried {
            FailureKind::FormatError
        } else {
            FailureKind::NoCall
        };
    }
    if unreadable {
        return FailureKind::FormatError;
    }
    if hallucinated(t, ctx).is_some() {
        return FailureKind::HallucinatedValue;
    }
    let mut used = vec![false; t.calls.len()];
    let mut first_missing: Option<&GoldCall> = None;
    for g in gold {
        let hit = t.calls.iter().enumerate().position(|(i, c)| {
            !used[i] && c.name == g.name && c.arguments == g.arguments && c.result == g.result
        });
        match hit {
            Some(i) => used[i] = true,
            None => {
                first_missing.get_or_insert(g);
            }
        }
    }
    let off_gold = t
        .calls
        .iter()
        .any(|c| c.error.is_none() && !gold.iter().any(|g| g.name == c.name));
    let called = |g: &GoldCall| {
        t.calls
            .iter()
            .filter(|c| c.name == g.name)
            .collect::<Vec<_>>()
    };
    match first_missing {
        Some(g) if !called(g).is_empty() && called(g).iter().all(|c| skipped(c)) => {
            FailureKind::MissingStep
        }
        Some(g) if !called(g).is_empty() => FailureKind::WrongArgument,
        Some(_) if off_gold => FailureKind::WrongTool,
        Some(_) => FailureKind::MissingStep,
        // Every gold call was made, yet the state differs: an extra call changed it.
        None if off_gold => FailureKind::WrongTool,
        None => FailureKind::WrongArgument,
    }
}

/// The first argument value (call index, argument) that the user never stated and no earlier
/// result held.
pub fn hallucinated(t: &Transcript, ctx: &Context<'_>) -> Option<(usize, String)> {
    let said = ctx.said.to_lowercase();
    let mut seen: Vec<&Value> = ctx.earlier_results.iter().collect();
    for (i, c) in t.calls.iter().enumerate() {
        for (arg, v) in &c.arguments {
            if !grounded(v, &said, &seen) {
                return Some((i, arg.clone()));
            }
        }
        seen.push(&c.result);
    }
    None
}

/// Whether a value is stated in the text or appears in a result seen.
fn grounded(v: &Value, said_lc: &str, seen: &[&Value]) -> bool {
    match v {
        Value::Null | Value::Bool(_) => true,
        Value::Array(xs) => xs.iter().all(|x| grounded(x, said_lc, seen)),
        Value::Object(m) => m.values().all(|x| grounded(x, said_lc, seen)),
        Value::String(s) if s.trim().is_empty() => true,
        _ => {
            let text = match v {
                Value::String(s) => s.to_lowercase(),
                other => other.to_string(),
            };
            said_lc.contains(&text)
                || said_lc.contains(&text.replace('_', " "))
                || seen.iter().any(|r| holds(r, v))
        }
    }
}

/// Whether a result holds a leaf equal to `v`.
fn holds(r: &Value, v: &Value) -> bool {
    match r {
        Value::Array(xs) => xs.iter().any(|x| holds(x, v)),
        Value::Object(m) => m.values().any(|x| holds(x, v)),
        leaf => leaf == v,
    }
}

/// The calls of a transcript as gold-shaped triples, for tests and reports.
pub fn call_names(calls: &[AgentCall]) -> Vec<&str> {
    calls.iter().map(|c| c.name.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn gold(name: &str, args: Value, result: Value) -> GoldCall {
        serde_json::from_value(json!({"step": 0, "name": name, "arguments": args,
            "provenance": {}, "depends_on": [], "result": result}))
        .expect("gold call")
    }

    fn call(name: &str, args: Value, result: Value, error: Option<&str>) -> AgentCall {
        AgentCall {
            name: name.into(),
            arguments: args.as_object().cloned().unwrap_or_default(),
            result,
            error: error.map(str::to_string),
        }
    }

    fn t(calls: Vec<AgentCall>, answer: &str) -> Transcript {
        Transcript {
            calls,
            answer: answer.into(),
            ..Transcript::default()
        }
    }

    #[test]
    fn every_failure_kind_from_a_hand_built_round() {
        let g = vec![
            gold(
                "find_group",
                json!({"name": "Board"}),
                json!({"group_id": "G-1"}),
            ),
            gold(
                "archive_group",
                json!({"group_id": "G-1"}),
                json!({"ok": true}),
            ),
        ];
        let ctx = Context {
            said: "Archive the group named Board.",
            earlier_results: &[],
        };
        let find = call(
            "find_group",
            json!({"name": "Board"}),
            json!({"group_id": "G-1"}),
            None,
        );
        let archive = call(
            "archive_group",
            json!({"group_id": "G-1"}),
            json!({"ok": true}),
            None,
        );
        let k = |calls: Vec<AgentCall>, answer: &str| kind(&g, &t(calls, answer), &ctx);
        assert_eq!(k(vec![], "I cannot."), FailureKind::NoCall);
        assert_eq!(
            k(vec![], "<tool_call>{bad</tool_call>"),
            FailureKind::FormatError
        );
        assert_eq!(
            k(
                vec![call("nope", json!({}), json!({}), Some("unknown_tool"))],
                ""
            ),
            FailureKind::FormatError
        );
        assert_eq!(
            k(
                vec![call(
                    "archive_group",
                    json!({"group_id": "G-9"}),
                    json!({}),
                    None
                )],
                ""
            ),
            FailureKind::HallucinatedValue
        );
        assert_eq!(k(vec![find.clone()], "Done."), FailureKind::MissingStep);
        let no_id = json!({"error": {"kind": "invalid_arguments",
            "message": "invalid arguments for `archive_group`: missing required parameter `group_id`"}});
        assert_eq!(
            k(
                vec![call(
                    "archive_group",
                    json!({}),
                    no_id,
                    Some("invalid_arguments")
                )],
                ""
            ),
            FailureKind::MissingStep
        );
        let typed = json!({"error": {"kind": "invalid_arguments",
            "message": "invalid arguments for `find_group`: parameter `name` must be of type string, got number"}});
        assert_eq!(
            k(
                vec![call(
                    "find_group",
                    json!({"name": 7}),
                    typed,
                    Some("invalid_arguments")
                )],
                ""
            ),
            FailureKind::FormatError
        );
        assert_eq!(
            k(
                vec![
                    find.clone(),
                    call(
                        "archive_group",
                        json!({"group_id": "G-1", "note": "Board"}),
                        json!({"ok": true}),
                        None
                    )
                ],
                ""
            ),
            FailureKind::WrongArgument
        );
        assert_eq!(
            k(
                vec![
                    find.clone(),
                    call(
                        "delete_group",
                        json!({"group_id": "G-1"}),
                        json!({"ok": true}),
                        None
                    )
                ],
                ""
            ),
            FailureKind::WrongTool
        );
        // Passing needs both the results and the state.
        let ok = t(vec![find.clone(), archive.clone()], "Archived.");
        assert!(judge(&g, &ok, &ctx, 5, 5).passed);
        let j = judge(&g, &ok, &ctx, 5, 6);
        assert!(!j.passed);
        assert_eq!(j.check, Some(TurnError::StateMismatch));
        assert_eq!(j.kind, Some(FailureKind::WrongArgument));
        assert_eq!(call_names(&ok.calls), vec!["find_group", "archive_group"]);
    }

    #[test]
    fn values_from_text_or_earlier_results_are_grounded() {
        let earlier = [json!({"results": [{"id": "CTC-7"}]})];
        let ctx = Context {
            said: "List the loans in repair for card 42.",
            earlier_results: &earlier,
        };
        let ok = t(
            vec![call(
                "list_loans",
                json!({"status": "in_repair", "card": 42, "holder": "CTC-7", "open": true}),
                json!([]),
                None,
            )],
            "",
        );
        assert_eq!(hallucinated(&ok, &ctx), None);
        let bad = t(
            vec![call(
                "list_loans",
                json!({"holder": "CTC-8"}),
                json!([]),
                None,
            )],
            "",
        );
        assert_eq!(hallucinated(&bad, &ctx), Some((0, "holder".into())));
    }
}
