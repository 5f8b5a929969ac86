//! Seeded generation of table rows from compiled field generators.

use super::model::{Coll, G};
use super::pools::{places, FIRST_NAMES, LAST_NAMES, MAIL_DOMAINS, WORDS};
use super::value::{format_date, parse_date, round_to, Val};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::collections::HashSet;
use std::sync::Arc;

/// Mixes a seed with stream numbers so each table (and each created row) has its own stream.
pub fn stream_seed(seed: u64, a: u64, b: u64) -> u64 {
    let mut x =
        seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    // splitmix64 finalizer
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Generates all seeded rows of a collection.
pub fn generate_table(coll: &Coll, ci: usize, seed: u64) -> Vec<Arc<[Val]>> {
    let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(seed, ci as u64 + 1, 0));
    // Unique pools are shuffled once per table so rows take distinct values.
    let mut perms: Vec<Option<Vec<usize>>> = coll
        .fields
        .iter()
        .map(|f| match &f.gen {
            G::Unique(list) => {
                let mut idx: Vec<usize> = (0..list.len()).collect();
                for i in (1..idx.len()).rev() {
                    let j = rng.random_range(0..=i);
                    idx.swap(i, j);
                }
                Some(idx)
            }
            _ => None,
        })
        .collect();
    let mut seen: Vec<HashSet<Arc<str>>> = coll.fields.iter().map(|_| HashSet::new()).collect();
    (0..coll.count as usize)
        .map(|row| {
            let mut vals: Vec<Val> = Vec::with_capacity(coll.fields.len());
            for (fi, f) in coll.fields.iter().enumerate() {
                let v = match (&f.gen, perms[fi].as_mut()) {
                    (G::Unique(list), Some(perm)) => Val::Str(list[perm[row % perm.len()]].clone()),
                    (g, _) => gen_value(g, &mut rng, &vals, row, &mut seen[fi]),
                };
                vals.push(v);
            }
            Arc::from(vals)
        })
        .collect()
}

/// Generates one value. `row` numbers e-mails; `seen` keeps codes unique within the table.
pub fn gen_value(
    g: &G,
    rng: &mut ChaCha8Rng,
    earlier: &[Val],
    row: usize,
    seen: &mut HashSet<Arc<str>>,
) -> Val {
    match g {
        G::Pick(list) | G::Unique(list) => Val::Str(list[rng.random_range(0..list.len())].clone()),
        G::Enum(list, weights) => {
            let i = match weights {
                Some(w) => {
                    let total: u32 = w.iter().sum();
                    let mut r = rng.random_range(0..total);
                    let mut i = 0;
                    while r >= w[i] {
                        r -= w[i];
                        i += 1;
                    }
                    i
                }
                None => rng.random_range(0..list.len()),
            };
            Val::Str(list[i].clone())
        }
        G::Int(lo, hi) => Val::Int(rng.random_range(*lo..=*hi)),
        G::Num(lo, hi, d) => {
            let x = if hi > lo {
                rng.random_range(*lo..*hi)
            } else {
                *lo
            };
            Val::Num(round_to(x, *d))
        }
        G::Bool(p) => Val::Bool(rng.random_bool(p.clamp(0.0, 1.0))),
        G::Date(from, span) => Val::Str(Arc::from(format_date(
            from + i64::from(rng.random_range(0..*span)),
        ))),
        G::DateAfter(fi, lo, hi) => {
            let start = earlier.get(*fi).and_then(Val::as_str).and_then(parse_date);
            let d = start.unwrap_or(0) + i64::from(rng.random_range(*lo..=*hi));
            Val::Str(Arc::from(format_date(d)))
        }
        G::DaysBetween(a, b) => {
            let day = |i: &usize| earlier.get(*i).and_then(Val::as_str).and_then(parse_date);
            Val::Int(match (day(a), day(b)) {
                (Some(a), Some(b)) => b - a,
                _ => 0,
            })
        }
        G::PersonName => {
            let f = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
            // A third of surnames are place names ("Ashford", "Whitfield"), as many are.
            let l = if rng.random_ratio(1, 3) {
                let p = places();
                p[rng.random_range(0..p.len())]
            } else {
                LAST_NAMES[rng.random_range(0..LAST_NAMES.len())]
            };
            Val::Str(Arc::from(format!("{f} {l}")))
        }
        G::Email(fi) => {
            let base = earlier
                .get(*fi)
                .and_then(Val::as_str)
                .unwrap_or("user")
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(".");
            let dom = MAIL_DOMAINS[rng.random_range(0..MAIL_DOMAINS.len())];
            Val::Str(Arc::from(format!("{base}{}@{dom}", row + 1)))
        }
        G::Phone => {
            let cc = [351, 47, 48, 33, 81, 254, 34, 43][rng.random_range(0..8)];
            Val::Str(Arc::from(format!(
                "+{cc} {:03} {:03} {:03}",
                rng.random_range(100..1000),
                rng.random_range(0..1000),
                rng.random_range(0..1000)
            )))
        }
        G::Code(pattern) => loop {
            // No I, O, 0 or 1 where letters may stand: they are misread for each other.
            const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
            const ALNUM: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
            const DIGITS: &[u8] = b"0123456789";
            let s: String = pattern
                .chars()
                .map(|c| {
                    let set = match c {
                        '#' => DIGITS,
                        '@' => LETTERS,
                        '*' => ALNUM,
                        other => return other,
                    };
                    set[rng.random_range(0..set.len())] as char
                })
                .collect();
            let s: Arc<str> = Arc::from(s);
            if seen.insert(s.clone()) {
                break Val::Str(s);
            }
        },
        G::Text(n) => {
            let words: Vec<&str> = (0..*n)
                .map(|_| WORDS[rng.random_range(0..WORDS.len())])
                .collect();
            let mut s = words.join(" ");
            if let Some(first) = s.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            Val::Str(Arc::from(s))
        }
        G::Concat(parts, sep) => {
            let texts: Vec<String> = parts
                .iter()
                .map(|p| match gen_value(p, rng, earlier, row, seen) {
                    Val::Str(s) => s.to_string(),
                    Val::Int(i) => i.to_string(),
                    Val::Num(x) => x.to_string(),
                    Val::Bool(b) => b.to_string(),
                })
                .collect();
            // "Pocket money" + "money bag" is "Pocket money bag", not "Pocket money money bag".
            let mut out = String::new();
            for t in texts {
                let last = out.rsplit(' ').next().unwrap_or("");
                let first = t.split(' ').next().unwrap_or("");
                let doubled = sep == " " && !last.is_empty() && last.eq_ignore_ascii_case(first);
                match (doubled, t.split_once(' ')) {
                    (true, Some((_, rest))) => {
                        out.push(' ');
                        out.push_str(rest);
                    }
                    (true, None) => {}
                    (false, _) => {
                        if !out.is_empty() {
                            out.push_str(sep);
                        }
                        out.push_str(&t);
                    }
                }
            }
            Val::Str(Arc::from(out))
        }
        G::OneOf(parts) => {
            let part = &parts[rng.random_range(0..parts.len())];
            gen_value(part, rng, earlier, row, seen)
        }
        G::Distinct(inner) => {
            // Compilation guarantees four values per row, so a repeat is rare and 64 draws
            // all repeating practically never happens; the last draw is kept if they do.
            let mut v = Val::Str(Arc::from(""));
            for _ in 0..64 {
                v = gen_value(inner, rng, earlier, row, &mut HashSet::new());
                if let Val::Str(s) = &v {
                    if seen.insert(s.clone()) {
                        break;
                    }
                }
            }
            v
        }
        // Filled in from the referenced row once the table exists; no draw, so the other
        // fields keep their values.
        G::Same(..) => Val::Str(Arc::from("")),
        G::Ref(_, count, prefix) | G::RefWhere(_, count, prefix, ..) => Val::Str(Arc::from(
            format!("{prefix}-{}", 1001 + rng.random_range(0..(*count).max(1))),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concat(a: &str, b: &str, sep: &str) -> String {
        let g = G::Concat(
            vec![G::Pick(vec![Arc::from(a)]), G::Pick(vec![Arc::from(b)])],
            sep.to_string(),
        );
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        match gen_value(&g, &mut rng, &[], 0, &mut HashSet::new()) {
            Val::Str(s) => s.to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn concat_says_a_shared_word_once() {
        assert_eq!(concat("Pocket money", "money bag", " "), "Pocket money bag");
        assert_eq!(concat("Dinner club", "Club", " "), "Dinner club");
        assert_eq!(concat("Green", "Saver", " "), "Green Saver");
        assert_eq!(concat("Ash", "ford", ""), "Ashford");
        // Only whole words: "Bay" and "Bayview" are different words.
        assert_eq!(concat("Bay", "Bayview Hotel", " "), "Bay Bayview Hotel");
    }
}
