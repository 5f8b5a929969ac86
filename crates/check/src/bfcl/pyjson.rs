//! Python's `json.loads` into [`PyValue`]s, for the JSON that BFCL reads with it and whose
//! Python-side values serde_json cannot hold: integers past `u64` stay ints (serde_json,
//! without its `arbitrary_precision` feature, turns them into floats), and `NaN`, `Infinity`
//! and `-Infinity` are accepted, as Python accepts them.
//!
//! Objects become dicts in key order, a repeated key keeping its first place and its last
//! value. Gap: a lone surrogate escape (`"\ud800"`) becomes U+FFFD (a Rust string cannot hold
//! it; Python keeps it).

use super::bigint::MAX_STR_DIGITS;
use super::types::PyValue;

/// Nesting depth past which Python's decoder raises `RecursionError`.
const MAX_DEPTH: usize = 1000;

/// Parses a whole JSON text (`json.loads(text)`); `Err` with a message where Python raises.
pub fn loads(text: &str) -> Result<PyValue, String> {
    let mut p = P {
        b: text.as_bytes(),
        s: text,
        i: 0,
        depth: 0,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i != p.b.len() {
        return Err(format!("Extra data: char {}", p.i));
    }
    Ok(v)
}

/// Whether a JSON text may hold an integer past `u64` (a run of 20 or more digits, inside a
/// string or not): only such texts need [`loads`] rather than serde_json.
pub fn may_have_big_int(text: &str) -> bool {
    let mut run = 0;
    for b in text.bytes() {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 20 {
            return true;
        }
    }
    false
}

struct P<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
    depth: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.b[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what}: char {}", self.i))
    }

    fn value(&mut self) -> Result<PyValue, String> {
        let Some(&c) = self.b.get(self.i) else {
            return self.err("Expecting value");
        };
        match c {
            b'{' | b'[' => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return self.err("maximum recursion depth exceeded");
                }
                self.i += 1;
                let v = if c == b'{' {
                    self.object()
                } else {
                    self.array()
                };
                self.depth -= 1;
                v
            }
            b'"' => self.string().map(PyValue::Str),
            b'-' | b'0'..=b'9' => {
                if self.eat("-Infinity") {
                    return Ok(PyValue::Float(f64::NEG_INFINITY));
                }
                self.number()
            }
            _ if self.eat("null") => Ok(PyValue::None),
            _ if self.eat("true") => Ok(PyValue::Bool(true)),
            _ if self.eat("false") => Ok(PyValue::Bool(false)),
            _ if self.eat("NaN") => Ok(PyValue::Float(f64::NAN)),
            _ if self.eat("Infinity") => Ok(PyValue::Float(f64::INFINITY)),
            _ => self.err("Expecting value"),
        }
    }

    fn object(&mut self) -> Result<PyValue, String> {
        let mut items = Vec::new();
        self.ws();
        if self.eat("}") {
            return Ok(PyValue::Dict(items));
        }
        loop {
            self.ws();
            if self.b.get(self.i) != Some(&b'"') {
                return self.err("Expecting property name enclosed in double quotes");
            }
            let k = self.string()?;
            self.ws();
            if !self.eat(":") {
                return self.err("Expecting ':' delimiter");
            }
            self.ws();
            let v = self.value()?;
            PyValue::dict_insert(&mut items, PyValue::Str(k), v);
            self.ws();
            if self.eat("}") {
                return Ok(PyValue::Dict(items));
            }
            if !self.eat(",") {
                return self.err("Expecting ',' delimiter");
            }
        }
    }

    fn array(&mut self) -> Result<PyValue, String> {
        let mut items = Vec::new();
        self.ws();
        if self.eat("]") {
            return Ok(PyValue::List(items));
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            if self.eat("]") {
                return Ok(PyValue::List(items));
            }
            if !self.eat(",") {
                return self.err("Expecting ',' delimiter");
            }
        }
    }

    /// `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`: an int without fraction or exponent.
    fn number(&mut self) -> Result<PyValue, String> {
        let st = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.b.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i - s
        };
        let neg = self.eat("-");
        let int_start = self.i;
        match self.b.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return self.err("Expecting value"),
        }
        let int_end = self.i;
        let mut is_float = false;
        // A '.' or 'e' without digits after it ends the number there (Python then fails on
        // the extra data).
        if self.b.get(self.i) == Some(&b'.')
            && self.b.get(self.i + 1).is_some_and(u8::is_ascii_digit)
        {
            self.i += 1;
            digits(self);
            is_float = true;
        }
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            let save = self.i;
            self.i += 1;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            if digits(self) == 0 {
                self.i = save;
            } else {
                is_float = true;
            }
        }
        if is_float {
            return self.s[st..self.i]
                .parse::<f64>()
                .map(PyValue::Float)
                .or_else(|_| self.err("invalid number"));
        }
        let int_text = &self.s[int_start..int_end];
        PyValue::int_from_decimal(neg, int_text).ok_or_else(|| {
            format!(
                "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion: value has {} digits",
                int_text.len()
            )
        })
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
        let Some(h) = h else {
            return self.err("Invalid \\uXXXX escape");
        };
        self.i += 4;
        u32::from_str_radix(h, 16).or_else(|_| self.err("Invalid \\uXXXX escape"))
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let st = self.i;
            while self
                .b
                .get(self.i)
                .is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20)
            {
                self.i += 1;
            }
            out.push_str(&self.s[st..self.i]);
            match self.b.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let Some(&e) = self.b.get(self.i) else {
                        return self.err("Unterminated string starting at");
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\x08'),
                        b'f' => out.push('\x0c'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let u = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&u)
                                && self.b[self.i..].starts_with(b"\\u")
                            {
                                // A surrogate pair, when a low surrogate follows.
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00))
                                } else {
                                    self.i = save;
                                    None
                                }
                            } else {
                                char::from_u32(u)
                            };
                            out.push(c.unwrap_or('\u{fffd}'));
                        }
                        _ => return self.err("Invalid \\escape"),
                    }
                }
                Some(_) => return self.err("Invalid control character at"),
                None => return self.err("Unterminated string starting at"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_json_loads() {
        let v = loads(
            r#" {"a": 1180591620717411303434, "b": [-1, 2.5, 1e3, NaN, -Infinity, true, null],
               "c": "x\u00e9\ud83d\ude00\n", "a": 7, "d": {}} "#,
        )
        .unwrap_or(PyValue::None);
        assert_eq!(
            v.repr(),
            "{'a': 7, 'b': [-1, 2.5, 1000.0, nan, -inf, True, None], 'c': 'xé\u{1F600}\\n', 'd': {}}"
        );
        let big = loads("[1180591620717411303434, -18446744073709551616]").unwrap_or(PyValue::None);
        assert_eq!(
            big.repr(),
            "[1180591620717411303434, -18446744073709551616]"
        );
        assert!(
            matches!(&big, PyValue::List(x) if x[0] == PyValue::Int(1_180_591_620_717_411_303_434))
        );
        for bad in [
            "",
            "[1,]",
            "{'a': 1}",
            "01",
            "[1] x",
            "\"a\tb\"",
            "1.",
            "-",
            "[\"\\x\"]",
            "{\"a\" 1}",
        ] {
            assert!(loads(bad).is_err(), "{bad:?}");
        }
        assert!(loads(&format!("{}1{}", "[".repeat(1001), "]".repeat(1001))).is_err());
        assert!(loads(&"9".repeat(4301)).is_err());
        assert!(may_have_big_int("{\"x\": 1180591620717411303434}"));
        assert!(!may_have_big_int(
            "{\"x\": 1844674407370955161, \"y\": \"12345\"}"
        ));
    }
}
