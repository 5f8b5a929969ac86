//! Distractors: tools similar to the ones a trace uses (same domain, similar names), offered
//! beside them so the agent has to choose.

use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use std::collections::HashMap;

/// Tool names split into words and their domains, prepared once per world (as interned ids,
/// so picking compares integers, not strings).
#[derive(Debug, Clone)]
pub struct Catalog {
    words: Vec<Vec<u32>>,
    domains: Vec<u32>,
}

/// The id of `s` in `ids`, added when new.
fn intern(ids: &mut HashMap<String, u32>, s: &str) -> u32 {
    let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
    *ids.entry(s.to_string()).or_insert(next)
}

impl Catalog {
    /// Prepares the catalog from tool names and domains (same order).
    pub fn new(names: &[String], domains: &[String]) -> Catalog {
        let mut word_ids = HashMap::new();
        let mut domain_ids = HashMap::new();
        Catalog {
            words: names
                .iter()
                .map(|n| n.split('_').map(|w| intern(&mut word_ids, w)).collect())
                .collect(),
            domains: domains.iter().map(|d| intern(&mut domain_ids, d)).collect(),
        }
    }

    /// Up to `k` distractor indexes for the tools `used`: same domain first, then shared name words.
    pub fn pick(&self, used: &[usize], k: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
        let used_words: Vec<u32> = used
            .iter()
            .flat_map(|&i| self.words[i].iter().copied())
            .collect();
        let used_domains: Vec<u32> = used.iter().map(|&u| self.domains[u]).collect();
        let mut cands: Vec<(usize, usize)> = (0..self.words.len())
            .filter(|i| !used.contains(i))
            .map(|i| {
                let overlap = self.words[i]
                    .iter()
                    .filter(|w| used_words.contains(w))
                    .count();
                let same = usize::from(used_domains.contains(&self.domains[i]));
                (i, same * 10 + overlap)
            })
            .filter(|(_, s)| *s > 0)
            .collect();
        cands.shuffle(rng);
        cands.sort_by_key(|(_, s)| std::cmp::Reverse(*s));
        cands.into_iter().take(k).map(|(i, _)| i).collect()
    }
}
