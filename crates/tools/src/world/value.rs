//! Cell values of world tables: small, cheap to clone, converted to JSON only at the edge.

use serde_json::Value;
use std::sync::Arc;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// Integer.
    Int(i64),
    /// Number (already rounded to the field's decimals).
    Num(f64),
    /// Boolean.
    Bool(bool),
    /// String (shared; pool values are not copied per row).
    Str(Arc<str>),
}

impl Val {
    /// The value as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            Val::Int(i) => Value::from(*i),
            Val::Num(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Val::Bool(b) => Value::Bool(*b),
            Val::Str(s) => Value::String(s.to_string()),
        }
    }

    /// Numeric view (ints widen), if numeric.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Int(i) => Some(*i as f64),
            Val::Num(f) => Some(*f),
            _ => None,
        }
    }

    /// String view, if a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Text form used for conditions (`"true"`, `"open"`, `"12"`).
    pub fn matches_text(&self, text: &str) -> bool {
        match self {
            Val::Str(s) => s.eq_ignore_ascii_case(text),
            Val::Bool(b) => text == if *b { "true" } else { "false" },
            Val::Int(i) => text.parse::<i64>() == Ok(*i),
            Val::Num(f) => text.parse::<f64>().is_ok_and(|t| (t - f).abs() < 1e-9),
        }
    }

    /// Feeds the value into a hasher, for state digests.
    pub fn hash_into(&self, h: &mut xxhash_rust::xxh3::Xxh3) {
        match self {
            Val::Int(i) => {
                h.update(&[1]);
                h.update(&i.to_le_bytes());
            }
            Val::Num(f) => {
                h.update(&[2]);
                h.update(&f.to_bits().to_le_bytes());
            }
            Val::Bool(b) => h.update(&[3, u8::from(*b)]),
            Val::Str(s) => {
                h.update(&[4]);
                h.update(&(s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
        }
    }
}

/// Rounds to `decimals` places.
pub fn round_to(x: f64, decimals: u8) -> f64 {
    let m = 10f64.powi(i32::from(decimals));
    (x * m).round() / m
}

/// The earliest and latest dates a param schema allows (`formatMinimum`, `formatMaximum`).
pub fn date_bounds(schema: &Value) -> (Option<String>, Option<String>) {
    let bound = |k: &str| schema.get(k).and_then(Value::as_str).map(str::to_string);
    (bound("formatMinimum"), bound("formatMaximum"))
}

/// A day between bounds (days since 1970-01-01): up to 90 days after the earliest, else up to
/// 60 days before the latest (a request made some weeks ago, not on the last day allowed).
/// None without bounds.
pub fn day_within(
    lo: Option<i64>,
    hi: Option<i64>,
    rng: &mut rand::rngs::ChaCha8Rng,
) -> Option<i64> {
    use rand::RngExt;
    match (lo, hi) {
        (Some(lo), hi) => {
            let span = hi.map_or(90, |hi| (hi - lo).clamp(0, 90));
            Some(lo + rng.random_range(0..=span))
        }
        (None, Some(hi)) => Some(hi - rng.random_range(0..60)),
        (None, None) => None,
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, if well formed.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Formats days since 1970-01-01 as `YYYY-MM-DD`.
pub fn format_date(days: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for s in ["1970-01-01", "2026-06-01", "2024-02-29", "2026-12-31"] {
            let d = parse_date(s).expect("valid date");
            assert_eq!(format_date(d), s);
        }
        assert_eq!(parse_date("2026-06-01"), Some(20605));
        assert_eq!(parse_date("2025-02-29"), None);
        assert_eq!(parse_date("2026-6-1"), None);
    }

    #[test]
    fn conditions_match_text() {
        assert!(Val::Str("Open".into()).matches_text("open"));
        assert!(Val::Bool(true).matches_text("true"));
        assert!(!Val::Int(3).matches_text("4"));
    }
}
