//! Duplicate removal: exact (normalised text) and near duplicates (MinHash over word 3-shingles
//! with banded LSH). Memory is a few hashes per kept item.

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
}

/// Remembers texts seen so far.
#[derive(Debug, Default)]
pub struct Dedup {
    exact: HashSet<u64>,
    bands: HashSet<u64>,
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
        self.exact.insert(fp.exact);
        self.bands.extend(fp.bands);
        Seen::New
    }
}

/// What [`Dedup`] compares: a hash of the normalised text and its MinHash band keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    exact: u64,
    bands: [u64; BANDS],
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
    Fingerprint { exact, bands }
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
}
