//! Distractors: tools similar to the ones a trace uses (same domain, similar names), offered
//! beside them so the agent has to choose.

use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;

/// Tool names split into words and their domains, prepared once per world.
#[derive(Debug, Clone)]
pub struct Catalog {
    words: Vec<Vec<String>>,
    domains: Vec<String>,
}

impl Catalog {
    /// Prepares the catalog from tool names and domains (same order).
    pub fn new(names: &[String], domains: &[String]) -> Catalog {
        Catalog {
            words: names
                .iter()
                .map(|n| n.split('_').map(str::to_string).collect())
                .collect(),
            domains: domains.to_vec(),
        }
    }

    /// Up to `k` distractor indexes for the tools `used`: same domain first, then shared name words.
    pub fn pick(&self, used: &[usize], k: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
        let used_words: Vec<&str> = used
            .iter()
            .flat_map(|&i| self.words[i].iter().map(String::as_str))
            .collect();
        let mut cands: Vec<(usize, usize)> = (0..self.words.len())
            .filter(|i| !used.contains(i))
            .map(|i| {
                let overlap = self.words[i]
                    .iter()
                    .filter(|w| used_words.contains(&w.as_str()))
                    .count();
                let same = usize::from(used.iter().any(|&u| self.domains[u] == self.domains[i]));
                (i, same * 10 + overlap)
            })
            .filter(|(_, s)| *s > 0)
            .collect();
        cands.shuffle(rng);
        cands.sort_by_key(|(_, s)| std::cmp::Reverse(*s));
        cands.into_iter().take(k).map(|(i, _)| i).collect()
    }
}
