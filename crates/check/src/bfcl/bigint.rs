//! Integers of any size, for Python `int`s outside `i128` (Python's ints are unbounded, and
//! BFCL decodes literals such as `x=123456789012345678901234567890123456789012`). Only what the
//! decoder and the checker need: parsing, decimal text, sign, `+ - *`, powers, conversion to
//! `float` and exact comparison with a `float`.

use std::cmp::Ordering;
use std::fmt;

/// Limb base: a power of ten, so that decimal text is a plain per-limb print.
const BASE: u64 = 1_000_000_000;
const BASE_DIGITS: usize = 9;

/// Python's cap on the digits of a decimal int ↔ str conversion
/// (`sys.int_info.default_max_str_digits`): longer decimal literals are a `SyntaxError`.
pub const MAX_STR_DIGITS: usize = 4300;

/// Largest magnitude (in base-10⁹ limbs, about 37 000 digits) an operation may produce; past it
/// the decoder reports an overflow instead of spending quadratic time (Python would go on).
pub const MAX_LIMBS: usize = 4096;

/// An integer of any size.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BigInt {
    neg: bool,
    /// Magnitude in base 10⁹, least significant limb first, no high zero limbs (zero is empty).
    mag: Vec<u32>,
}

impl BigInt {
    /// The value of an `i128`.
    pub fn from_i128(v: i128) -> BigInt {
        let mut m = v.unsigned_abs();
        let mut mag = Vec::new();
        while m > 0 {
            mag.push((m % u128::from(BASE)) as u32);
            m /= u128::from(BASE);
        }
        BigInt { neg: v < 0, mag }
    }

    /// The value as an `i128`, when it fits.
    pub fn to_i128(&self) -> Option<i128> {
        let mut m: u128 = 0;
        for &l in self.mag.iter().rev() {
            m = m
                .checked_mul(u128::from(BASE))?
                .checked_add(u128::from(l))?;
        }
        if !self.neg {
            i128::try_from(m).ok()
        } else if m == 1u128 << 127 {
            Some(i128::MIN)
        } else {
            i128::try_from(m).ok().map(|v| -v)
        }
    }

    /// Parses unsigned digits of `radix` (2 to 36; no sign, no underscores).
    pub fn parse_radix(digits: &str, radix: u32) -> Option<BigInt> {
        if digits.is_empty() || !(2..=36).contains(&radix) {
            return None;
        }
        let mut v = BigInt {
            neg: false,
            mag: Vec::new(),
        };
        if radix == 10 {
            // Nine digits per limb, from the least significant end.
            let b = digits.as_bytes();
            if !b.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let mut end = b.len();
            while end > 0 {
                let start = end.saturating_sub(BASE_DIGITS);
                let chunk = digits.get(start..end)?;
                v.mag.push(chunk.parse().ok()?);
                end = start;
            }
        } else {
            for c in digits.chars() {
                v.mul_small_add(radix, c.to_digit(radix)?);
            }
        }
        v.trim();
        Some(v)
    }

    /// `self * m + a` in place (magnitude only).
    fn mul_small_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for l in &mut self.mag {
            let x = u64::from(*l) * u64::from(m) + carry;
            *l = (x % BASE) as u32;
            carry = x / BASE;
        }
        while carry > 0 {
            self.mag.push((carry % BASE) as u32);
            carry /= BASE;
        }
    }

    fn trim(&mut self) {
        while self.mag.last() == Some(&0) {
            self.mag.pop();
        }
        if self.mag.is_empty() {
            self.neg = false;
        }
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.neg
    }

    /// `-self`.
    pub fn negated(mut self) -> BigInt {
        if !self.mag.is_empty() {
            self.neg = !self.neg;
        }
        self
    }

    /// The number of limbs of the magnitude (a size measure for limits).
    pub fn limbs(&self) -> usize {
        self.mag.len()
    }

    fn cmp_mag(a: &[u32], b: &[u32]) -> Ordering {
        a.len()
            .cmp(&b.len())
            .then_with(|| a.iter().rev().cmp(b.iter().rev()))
    }

    fn add_mag(a: &[u32], b: &[u32]) -> Vec<u32> {
        let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
        let mut carry = 0u64;
        for i in 0..a.len().max(b.len()) {
            let x = u64::from(a.get(i).copied().unwrap_or(0))
                + u64::from(b.get(i).copied().unwrap_or(0))
                + carry;
            out.push((x % BASE) as u32);
            carry = x / BASE;
        }
        if carry > 0 {
            out.push(carry as u32);
        }
        out
    }

    /// `a - b` for magnitudes with `a >= b`.
    fn sub_mag(a: &[u32], b: &[u32]) -> Vec<u32> {
        let mut out = Vec::with_capacity(a.len());
        let mut borrow = 0i64;
        for (i, &x) in a.iter().enumerate() {
            let mut d = i64::from(x) - i64::from(b.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(d < 0);
            if d < 0 {
                d += BASE as i64;
            }
            out.push(d as u32);
        }
        out
    }

    /// `self + other`.
    pub fn add(&self, other: &BigInt) -> BigInt {
        let mut r = if self.neg == other.neg {
            BigInt {
                neg: self.neg,
                mag: BigInt::add_mag(&self.mag, &other.mag),
            }
        } else {
            match BigInt::cmp_mag(&self.mag, &other.mag) {
                Ordering::Less => BigInt {
                    neg: other.neg,
                    mag: BigInt::sub_mag(&other.mag, &self.mag),
                },
                _ => BigInt {
                    neg: self.neg,
                    mag: BigInt::sub_mag(&self.mag, &other.mag),
                },
            }
        };
        r.trim();
        r
    }

    /// `self - other`.
    pub fn sub(&self, other: &BigInt) -> BigInt {
        self.add(&other.clone().negated())
    }

    /// `self * other`.
    pub fn mul(&self, other: &BigInt) -> BigInt {
        let (a, b) = (&self.mag, &other.mag);
        let mut acc = vec![0u64; a.len() + b.len()];
        for (i, &x) in a.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &y) in b.iter().enumerate() {
                let t = acc[i + j] + u64::from(x) * u64::from(y) + carry;
                acc[i + j] = t % BASE;
                carry = t / BASE;
            }
            let mut k = i + b.len();
            while carry > 0 {
                let t = acc[k] + carry;
                acc[k] = t % BASE;
                carry = t / BASE;
                k += 1;
            }
        }
        let mut r = BigInt {
            neg: self.neg != other.neg,
            mag: acc.into_iter().map(|l| l as u32).collect(),
        };
        r.trim();
        r
    }

    /// `self ** exp`, or `None` when the result would pass `max_limbs` limbs.
    pub fn pow(&self, mut exp: u64, max_limbs: usize) -> Option<BigInt> {
        let mut result = BigInt::from_i128(1);
        let mut base = self.clone();
        loop {
            if exp & 1 == 1 {
                if result.limbs() + base.limbs() > max_limbs + 1 {
                    return None;
                }
                result = result.mul(&base);
            }
            exp >>= 1;
            if exp == 0 {
                break;
            }
            if 2 * base.limbs() > max_limbs + 1 {
                return None;
            }
            base = base.mul(&base);
        }
        (result.limbs() <= max_limbs).then_some(result)
    }

    /// Python's `float(self)`: correctly rounded (half to even); `None` where Python raises
    /// `OverflowError` (too large for a float).
    pub fn to_f64(&self) -> Option<f64> {
        // Rust's decimal parsing rounds correctly, as CPython's int-to-float does.
        let f: f64 = self.to_string().parse().ok()?;
        f.is_finite().then_some(f)
    }

    /// Python's `self == f` (exact, not through a rounded conversion).
    pub fn eq_f64(&self, f: f64) -> bool {
        // A finite integral float prints its exact value with `{:.0}`.
        f.is_finite() && f.fract() == 0.0 && format!("{f:.0}") == self.to_string()
    }
}

impl fmt::Display for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some((top, rest)) = self.mag.split_last() else {
            return f.write_str("0");
        };
        if self.neg {
            f.write_str("-")?;
        }
        write!(f, "{top}")?;
        for l in rest.iter().rev() {
            write!(f, "{l:09}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(s: &str) -> BigInt {
        let (neg, d) = s.strip_prefix('-').map_or((false, s), |d| (true, d));
        let v = BigInt::parse_radix(d, 10).expect("digits");
        if neg {
            v.negated()
        } else {
            v
        }
    }

    #[test]
    fn text_and_i128_round_trip() {
        for s in [
            "0",
            "1",
            "-1",
            "1000000000",
            "999999999",
            "123456789012345678901234567890123456789012",
            "-170141183460469231731687303715884105729",
        ] {
            assert_eq!(big(s).to_string(), s);
        }
        assert_eq!(big("0000012").to_string(), "12");
        for v in [0, 1, -1, i128::MAX, i128::MIN, 10i128.pow(27) + 7] {
            assert_eq!(BigInt::from_i128(v).to_i128(), Some(v));
            assert_eq!(BigInt::from_i128(v).to_string(), v.to_string());
        }
        assert_eq!(
            big("170141183460469231731687303715884105728").to_i128(),
            None
        );
        assert_eq!(
            big("-170141183460469231731687303715884105728").to_i128(),
            Some(i128::MIN)
        );
        let hex =
            BigInt::parse_radix("ffffffffffffffffffffffffffffffffff", 16).map(|v| v.to_string());
        assert_eq!(
            hex.as_deref(),
            Some("87112285931760246646623899502532662132735")
        );
        assert!(BigInt::parse_radix("12a", 10).is_none());
        assert!(BigInt::parse_radix("", 16).is_none());
    }

    #[test]
    fn arithmetic() {
        let a = big("123456789012345678901234567890");
        let b = big("-987654321098765432109876543210");
        assert_eq!(a.add(&b).to_string(), "-864197532086419753208641975320");
        assert_eq!(a.sub(&b).to_string(), "1111111110111111111011111111100");
        assert_eq!(
            a.mul(&b).to_string(),
            "-121932631137021795226185032733622923332237463801111263526900"
        );
        assert_eq!(a.sub(&a).to_string(), "0");
        assert!(!a.sub(&a).is_negative());
        assert_eq!(
            BigInt::from_i128(2)
                .pow(200, MAX_LIMBS)
                .map(|v| v.to_string())
                .as_deref(),
            Some("1606938044258990275541962092341162602522202993782792835301376")
        );
        assert_eq!(BigInt::from_i128(10).pow(1_000_000, MAX_LIMBS), None);
        assert_eq!(
            BigInt::from_i128(7).pow(0, MAX_LIMBS),
            Some(BigInt::from_i128(1))
        );
    }

    #[test]
    fn floats() {
        let p = BigInt::from_i128(2).pow(200, MAX_LIMBS).expect("small");
        assert_eq!(p.to_f64(), Some(2f64.powi(200)));
        assert!(p.eq_f64(2f64.powi(200)));
        let d = BigInt::from_i128(10).pow(40, MAX_LIMBS).expect("small");
        // 1e40 is not exactly 10**40.
        assert!(!d.eq_f64(1e40));
        assert_eq!(d.to_f64(), Some(1e40));
        assert_eq!(
            BigInt::from_i128(10)
                .pow(400, MAX_LIMBS)
                .and_then(|v| v.to_f64()),
            None
        );
    }
}
