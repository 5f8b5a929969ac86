//! Python call lists as BFCL writes them: `[f(a=1), g(b="x")]`, and a parser for them that also
//! reads what models write: single-quoted strings, tuples, `True`/`False`/`None`.

use super::CodecError;
use crate::record::Call;
use serde_json::{Map, Number, Value};

/// A JSON value as a Python literal.
pub fn literal(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Array(a) => format!("[{}]", a.iter().map(literal).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!(
                    "{}: {}",
                    serde_json::to_string(k).unwrap_or_default(),
                    literal(v)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Renders calls as a Python call list, `[f(a=1), g(b="x")]`: strings double-quoted with JSON
/// escapes, numbers as written, `True`/`False`/`None`, lists and dicts. Arguments keep their order.
pub fn python_call_list(calls: &[Call]) -> String {
    let parts: Vec<String> = calls
        .iter()
        .map(|c| {
            format!(
                "{}({})",
                c.name,
                c.arguments
                    .iter()
                    .map(|(k, v)| format!("{k}={}", literal(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// A JSON-syntax number: integers exactly, other numbers through the correctly rounded
/// `f64` parser (so every float `literal` writes reads back as the same value).
fn number(w: &str) -> Option<Number> {
    // Only JSON number syntax: no `inf`, `nan`, `+1`, `.5`, `1_000`.
    let digits = w.strip_prefix('-').unwrap_or(w);
    if !digits.starts_with(|c: char| c.is_ascii_digit())
        || !w
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    if let Ok(i) = w.parse::<i64>() {
        return Some(i.into());
    }
    if let Ok(u) = w.parse::<u64>() {
        return Some(u.into());
    }
    w.parse::<f64>().ok().and_then(Number::from_f64)
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn err(&self, m: &str) -> CodecError {
        CodecError::new("python call list", self.i, m)
    }
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> Result<(), CodecError> {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected `{}`", c as char)))
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn ident(&mut self) -> Result<String, CodecError> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric()
                || matches!(self.s[self.i], b'_' | b'.' | b'-'))
        {
            self.i += 1;
        }
        if start == self.i {
            return Err(self.err("expected a name"));
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    /// A Python single-quoted string with its escapes (`\\'`, `\\\\`, `\\n`, `\\t`, `\\"`).
    fn single_quoted(&mut self) -> Result<Value, CodecError> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.s.get(self.i).copied() {
                None => return Err(self.err("unterminated string")),
                Some(b'\'') => {
                    self.i += 1;
                    break;
                }
                Some(b'\\') => {
                    let c = self.s.get(self.i + 1).copied();
                    out.push(match c {
                        Some(b'n') => b'\n',
                        Some(b't') => b'\t',
                        Some(b'r') => b'\r',
                        Some(c) => c,
                        None => return Err(self.err("unterminated string")),
                    });
                    self.i += 2;
                }
                Some(c) => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
        String::from_utf8(out)
            .map(Value::String)
            .map_err(|_| self.err("bad UTF-8"))
    }

    fn value(&mut self) -> Result<Value, CodecError> {
        match self.peek() {
            Some(b'"') => {
                // A JSON string literal: find its end, honouring escapes.
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len() && self.s[self.i] != b'"' {
                    if self.s[self.i] == b'\\' {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                self.i += 1;
                let text = std::str::from_utf8(self.s.get(start..self.i).unwrap_or_default())
                    .map_err(|_| self.err("bad UTF-8"))?;
                serde_json::from_str(text).map_err(|e| self.err(&e.to_string()))
            }
            Some(b'\'') => self.single_quoted(),
            Some(open @ (b'[' | b'(')) => {
                // A tuple reads as a list.
                let close = if open == b'[' { b']' } else { b')' };
                self.i += 1;
                let mut out = Vec::new();
                while self.peek() != Some(close) {
                    if self.peek().is_none() {
                        return Err(self.err("unexpected end"));
                    }
                    out.push(self.value()?);
                    if self.peek() == Some(b',') {
                        self.i += 1;
                    }
                }
                self.eat(close)?;
                Ok(Value::Array(out))
            }
            Some(b'{') => {
                self.i += 1;
                let mut out = Map::new();
                while self.peek() != Some(b'}') {
                    if self.peek().is_none() {
                        return Err(self.err("unexpected end"));
                    }
                    let k = match self.value()? {
                        Value::String(s) => s,
                        _ => return Err(self.err("dict keys must be strings")),
                    };
                    self.eat(b':')?;
                    out.insert(k, self.value()?);
                    if self.peek() == Some(b',') {
                        self.i += 1;
                    }
                }
                self.eat(b'}')?;
                Ok(Value::Object(out))
            }
            Some(_) => {
                let start = self.i;
                while self.i < self.s.len()
                    && !matches!(self.s[self.i], b',' | b')' | b']' | b'}')
                    && !self.s[self.i].is_ascii_whitespace()
                {
                    self.i += 1;
                }
                let word = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                match word.as_str() {
                    "True" => Ok(Value::Bool(true)),
                    "False" => Ok(Value::Bool(false)),
                    "None" => Ok(Value::Null),
                    w => number(w)
                        .map(Value::Number)
                        .ok_or_else(|| self.err(&format!("not a literal: {w}"))),
                }
            }
            None => Err(self.err("unexpected end")),
        }
    }
}

/// A parsed call: (function name, arguments).
pub type ParsedCall = (String, Map<String, Value>);

/// Parses a Python call list `[f(a=1), g(b="x")]` (as [`python_call_list`] writes it) into
/// (name, arguments) pairs.
pub fn parse_python_call_list(s: &str) -> Result<Vec<ParsedCall>, CodecError> {
    let mut p = P {
        s: s.as_bytes(),
        i: 0,
    };
    p.eat(b'[')?;
    let mut out = Vec::new();
    while p.peek() != Some(b']') {
        let name = p.ident()?;
        p.eat(b'(')?;
        let mut args = Map::new();
        while p.peek() != Some(b')') {
            if p.peek().is_none() {
                return Err(p.err("unexpected end"));
            }
            let k = p.ident()?;
            p.eat(b'=')?;
            args.insert(k, p.value()?);
            if p.peek() == Some(b',') {
                p.i += 1;
            }
        }
        p.eat(b')')?;
        out.push((name, args));
        if p.peek() == Some(b',') {
            p.i += 1;
        }
    }
    p.eat(b']')?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("trailing text"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    use crate::calls::tests::arb_value;

    proptest! {
        #[test]
        fn call_lists_round_trip(calls in prop::collection::vec(("[a-z][a-z_]{0,8}", prop::collection::btree_map("[a-z][a-z_]{0,6}", arb_value(), 0..4)), 0..4)) {
            let calls: Vec<Call> = calls.into_iter().enumerate().map(|(i, (n, a))| Call { id: format!("c{i}"), name: n, arguments: a.into_iter().collect() }).collect();
            let text = python_call_list(&calls);
            let back = parse_python_call_list(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let want: Vec<(String, Map<String, Value>)> = calls.into_iter().map(|c| (c.name, c.arguments)).collect();
            prop_assert_eq!(back, want);
        }
    }

    #[test]
    fn renders_python_literals() {
        let c = Call {
            id: "c0".into(),
            name: "f".into(),
            arguments: json!({"a": 1, "b": "x\"y", "c": true, "d": null, "e": [1.5]})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        };
        assert_eq!(
            python_call_list(&[c]),
            r#"[f(a=1, b="x\"y", c=True, d=None, e=[1.5])]"#
        );
        assert!(parse_python_call_list("[f(a=1)").is_err());
    }

    #[test]
    fn parses_nested_values_and_whitespace() {
        let got = parse_python_call_list(
            r#" [ f ( a = [1, -2.5e3, None] , b={"k": {"x": False}} ),g() ] "#,
        )
        .expect("parses");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "f");
        assert_eq!(
            Value::Object(got[0].1.clone()),
            json!({"a": [1, -2500.0, null], "b": {"k": {"x": false}}})
        );
        assert_eq!(got[1], ("g".to_string(), Map::new()));
        assert_eq!(parse_python_call_list("[]").expect("empty"), vec![]);
    }

    #[test]
    fn rejects_malformed_lists() {
        for bad in [
            "",
            "f(a=1)",
            "[f(a=1)] extra",
            "[f(a=)]",
            "[f(a=\"open)]",
            "[f(a=nan)]",
            "[f(1)]",
            "[f(a={1: 2})]",
        ] {
            assert!(parse_python_call_list(bad).is_err(), "accepted {bad:?}");
        }
    }
}
