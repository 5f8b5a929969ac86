//! Duplicate removal: exact (normalised text) and near duplicates (MinHash over word 3-shingles
//! with banded LSH), and the same task asked again in other words (the same variant and gold
//! calls). Memory is a few hashes per kept item.

use std::collections::HashSet;
use xxhash_rust::xxh3::xxh3_64_with_seed;

const HASHES: usize = 16;
const BANDS: usize = 2;

/// Outcome of offering a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// New.
    New,
    /// Same normalised text as an earlier one.
    Exact,
    /// Shares a MinHash band with an earlier one (word 3-shingle Jaccard about 0.9 or more).
    Near,
    /// Another wording of an earlier item's task: the same variant and the same gold calls,
    /// names and arguments (a small collection draws the same chain again and again).
    SameTask,
}

/// Remembers texts seen so far.
#[derive(Debug, Default)]
pub struct Dedup {
    exact: HashSet<u64>,
    bands: HashSet<u64>,
    tasks: HashSet<u64>,
}

fn normalise(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '@' && c != '.')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl Dedup {
    /// Checks `text` and remembers it when new.
    pub fn offer(&mut self, text: &str) -> Seen {
        self.offer_fingerprint(&fingerprint(text))
    }

    /// Like [`Dedup::offer`], with the text's [`Fingerprint`] made already (on another thread).
    pub fn offer_fingerprint(&mut self, fp: &Fingerprint) -> Seen {
        if self.exact.contains(&fp.exact) {
            return Seen::Exact;
        }
        if fp.bands.iter().any(|k| self.bands.contains(k)) {
            return Seen::Near;
        }
        if fp.task.is_some_and(|t| self.tasks.contains(&t)) {
            return Seen::SameTask;
        }
        self.exact.insert(fp.exact);
        self.bands.extend(fp.bands);
        self.tasks.extend(fp.task);
        Seen::New
    }
}

/// What [`Dedup`] compares: a hash of the normalised text and its MinHash band keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    exact: u64,
    bands: [u64; BANDS],
    /// The task's hash, when the text is a record's (see [`record_fingerprint`]).
    task: Option<u64>,
}

/// The fingerprint of a record: its queries, and its task (variant and every round's gold call
/// names and arguments).
pub fn record_fingerprint(rec: &hardgen_core::Record) -> Fingerprint {
    let text: Vec<&str> = rec.rounds.iter().map(|x| x.query.as_str()).collect();
    let mut fp = fingerprint(&text.join("\n"));
    // Arguments in name order: the same call written in another order is the same task.
    type Args<'a> = std::collections::BTreeMap<&'a String, &'a serde_json::Value>;
    let gold: Vec<Vec<(&str, Args)>> = rec
        .rounds
        .iter()
        .map(|r| {
            r.gold
                .iter()
                .map(|g| (g.name.as_str(), g.arguments.iter().collect()))
                .collect()
        })
        .collect();
    let task = serde_json::to_vec(&(&rec.variant, gold)).unwrap_or_default();
    fp.task = Some(xxh3_64_with_seed(&task, 7));
    fp
}

/// The fingerprint of a text (pure, so workers can make it in parallel).
pub fn fingerprint(text: &str) -> Fingerprint {
    let words = normalise(text);
    let joined = words.join(" ");
    let exact = xxh3_64_with_seed(joined.as_bytes(), 0);
    let mut sig = [u64::MAX; HASHES];
    let shingles: Vec<String> = if words.len() < 3 {
        vec![joined]
    } else {
        words.windows(3).map(|w| w.join(" ")).collect()
    };
    for s in &shingles {
        for (k, slot) in sig.iter_mut().enumerate() {
            *slot = (*slot).min(xxh3_64_with_seed(s.as_bytes(), k as u64 + 1));
        }
    }
    let per = HASHES / BANDS;
    let mut bands = [0u64; BANDS];
    for (b, key) in bands.iter_mut().enumerate() {
        let mut bytes = Vec::with_capacity(per * 8 + 1);
        bytes.push(b as u8);
        for x in &sig[b * per..(b + 1) * per] {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
        *key = xxh3_64_with_seed(&bytes, 99);
    }
    Fingerprint {
        exact,
        bands,
        task: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_exact_and_near_duplicates() {
        let mut d = Dedup::default();
        let a = "Please set the card limit — the IBAN is GC8TZ96JJVC8JY; card PIN: 4821; credit limit: 2500.";
        assert_eq!(d.offer(a), Seen::New);
        assert_eq!(d.offer(&a.to_uppercase()), Seen::Exact);
        assert_eq!(d.offer("Please set the card limit — the IBAN is GC8TZ96JJVC8JY; card PIN: 4821; credit limit: 2500. Thanks!"), Seen::Near);
        assert_eq!(
            d.offer(
                "Could you book the flight for me — origin airport code: LIS; date 2026-07-01."
            ),
            Seen::New
        );
    }

    #[test]
    fn the_same_task_in_other_words_is_a_duplicate_and_another_variant_is_not() {
        use hardgen_core::record::GoldCall;
        let gold = |v: &str| -> hardgen_core::Record {
            let mut rec: hardgen_core::Record = serde_json::from_value(serde_json::json!({
                "id": "hg-s1-000001", "seed": 1,
                "generator": {"tool_maker": "offline", "query_writer": "offline",
                    "reasoner": "offline", "verifier": "rules", "executor": "builtin"},
                "domains": [], "tools": [], "rounds": [], "variant": v}))
            .expect("record");
            let call: GoldCall = serde_json::from_value(serde_json::json!({
                "step": 0, "name": "delete_message", "arguments": {"receiver_id": "REC-6704"},
                "provenance": {}, "result": true, "depends_on": []}))
            .expect("gold call");
            let round = serde_json::json!({
                "target": "delete_message",
                "advanced_tool": {"name": "t", "description": "", "parameters": {},
                    "returns": {}, "implementation": [], "steps": [0]},
                "query": "", "external_inputs": {}, "gold": [call], "trajectory": [],
                "verdict": {"passed": true, "attempts": 1, "checks": {}, "hints": []},
                "difficulty": {"calls": 1, "hidden_values": 0, "distractors": 0,
                    "target_agent_failed": null}});
            rec.rounds = vec![serde_json::from_value(round).expect("round")];
            rec
        };
        let ask = |q: &str, v: &str| {
            let mut r = gold(v);
            r.rounds[0].query = q.into();
            record_fingerprint(&r)
        };
        let mut d = Dedup::default();
        assert_eq!(
            d.offer_fingerprint(&ask("Erase the latest message I sent.", "standard")),
            Seen::New
        );
        assert_eq!(
            d.offer_fingerprint(&ask(
                "Could you remove my last message to the team?",
                "standard"
            )),
            Seen::SameTask
        );
        assert_eq!(
            d.offer_fingerprint(&ask(
                "Could you remove my last message to the team?",
                "long_context"
            )),
            Seen::New
        );
        // A text alone carries no task.
        assert_eq!(
            d.offer("Could you remove my last message to Ana?"),
            Seen::New
        );
    }
}
