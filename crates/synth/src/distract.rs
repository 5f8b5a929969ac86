//! Distractors: tools similar to the ones a trace uses (same domain, similar names), offered
//! beside them so the agent has to choose.

use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use std::collections::BTreeSet;

/// Up to `k` distractor indexes for the tools `used`, from `names`/`domains` (same order).
pub fn pick(
    used: &[usize],
    names: &[String],
    domains: &[String],
    k: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<usize> {
    let used_set: BTreeSet<usize> = used.iter().copied().collect();
    let doms: BTreeSet<&str> = used.iter().map(|&i| domains[i].as_str()).collect();
    let words: BTreeSet<&str> = used.iter().flat_map(|&i| names[i].split('_')).collect();
    let mut cands: Vec<(usize, usize)> = (0..names.len())
        .filter(|i| !used_set.contains(i))
        .map(|i| {
            let overlap = names[i].split('_').filter(|w| words.contains(w)).count();
            let same = usize::from(doms.contains(domains[i].as_str()));
            (i, same * 10 + overlap)
        })
        .filter(|(_, s)| *s > 0)
        .collect();
    cands.shuffle(rng);
    cands.sort_by_key(|(_, s)| std::cmp::Reverse(*s));
    cands.into_iter().take(k).map(|(i, _)| i).collect()
}
