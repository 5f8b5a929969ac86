//! Multi-turn checker: after each turn the agent's end state equals the gold's, and the gold's
//! results are an unordered sub-multiset of the agent's results; a turn whose gold makes calls
//! needs agent calls (BFCL's multi-turn state and response checks, over any environment that
//! gives a state digest).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One turn as the checker sees it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Turn<'a> {
    /// Results of the gold calls of this turn, in order.
    pub gold_results: Vec<&'a Value>,
    /// Results of the agent's calls of this turn (errors included), in order.
    pub agent_results: Vec<&'a Value>,
    /// State digest after the gold turn.
    pub gold_state: u64,
    /// State digest after the agent's turn.
    pub agent_state: u64,
}

/// Why a turn fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnError {
    /// The gold makes calls; the agent made none.
    NoCall,
    /// The end states differ.
    StateMismatch,
    /// A gold result is missing from the agent's results.
    MissingResult,
}

impl TurnError {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TurnError::NoCall => "no_call",
            TurnError::StateMismatch => "state_mismatch",
            TurnError::MissingResult => "missing_result",
        }
    }
}

/// Checks one turn.
pub fn check_turn(t: &Turn<'_>) -> Result<(), TurnError> {
    if !t.gold_results.is_empty() && t.agent_results.is_empty() {
        return Err(TurnError::NoCall);
    }
    if t.gold_state != t.agent_state {
        return Err(TurnError::StateMismatch);
    }
    if !sub_multiset(&t.gold_results, &t.agent_results) {
        return Err(TurnError::MissingResult);
    }
    Ok(())
}

/// Checks turns in order; the first failing turn's index and reason.
pub fn check_turns(turns: &[Turn<'_>]) -> Result<(), (usize, TurnError)> {
    for (i, t) in turns.iter().enumerate() {
        check_turn(t).map_err(|e| (i, e))?;
    }
    Ok(())
}

/// Whether every item of `small` has its own equal item in `big` (order-free, with repeats).
pub fn sub_multiset(small: &[&Value], big: &[&Value]) -> bool {
    let mut used = vec![false; big.len()];
    small.iter().all(|s| {
        let hit = big.iter().enumerate().position(|(i, b)| !used[i] && b == s);
        hit.map(|i| used[i] = true).is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_rule_of_a_turn() {
        let (a, b, c) = (json!({"id": 1}), json!({"id": 2}), json!({"error": "x"}));
        let ok = Turn {
            gold_results: vec![&a, &b],
            agent_results: vec![&c, &b, &a],
            gold_state: 7,
            agent_state: 7,
        };
        assert_eq!(check_turn(&ok), Ok(()));
        let none = Turn {
            agent_results: vec![],
            ..ok.clone()
        };
        assert_eq!(check_turn(&none), Err(TurnError::NoCall));
        let state = Turn {
            agent_state: 8,
            ..ok.clone()
        };
        assert_eq!(check_turn(&state), Err(TurnError::StateMismatch));
        let missing = Turn {
            agent_results: vec![&a, &c],
            ..ok.clone()
        };
        assert_eq!(check_turn(&missing), Err(TurnError::MissingResult));
        // Repeats count: two equal gold results need two agent results.
        let twice = Turn {
            gold_results: vec![&a, &a],
            agent_results: vec![&a, &b],
            ..ok.clone()
        };
        assert_eq!(check_turn(&twice), Err(TurnError::MissingResult));
        // A turn with no gold calls passes with no agent calls when the state agrees.
        let empty = Turn {
            gold_results: vec![],
            agent_results: vec![],
            ..ok.clone()
        };
        assert_eq!(check_turn(&empty), Ok(()));
        assert_eq!(
            check_turns(&[ok, state]),
            Err((1, TurnError::StateMismatch))
        );
    }
}
