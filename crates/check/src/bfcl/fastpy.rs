//! Fast path of [`super::pyexpr::ast_parse`]: a single-pass parser of the common shape of
//! prompting output, `[name.attr(kw=value, ...), ...]` with literal values (strings without
//! prefixes or triple quotes, decimal numbers, `-number`, `True` / `False` / `None`, bare
//! names, lists, tuples, parentheses and dicts), producing the values directly.
//!
//! It returns `None` as soon as the text leaves that subset (anything else: comments, line
//! continuations, operators, calls as values, positional arguments, underscores in numbers,
//! string prefixes, implicit concatenation, unhashable keys, deep nesting,
//! non-ASCII identifiers, ...), and the full tokenizer and parser then decide. On the inputs it
//! accepts it gives exactly what the full path gives (checked by differential tests).

use super::pyexpr::{hashable, is_keyword, negate, unescape, Call};
use super::types::PyValue;

/// Deepest value nesting the fast path accepts (the full parser allows 200 nested
/// expressions, and each level here is at most three of those).
const MAX_DEPTH: usize = 48;

struct Fast<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
}

/// Parses `cleaned` (the text `ast_parse` hands to Python's parser) when it is in the fast
/// subset; `None` otherwise.
pub(super) fn parse(cleaned: &str) -> Option<Vec<Call>> {
    let b = cleaned.as_bytes();
    if b.first() != Some(&b'[') {
        return None;
    }
    let mut p = Fast {
        s: cleaned,
        b,
        i: 1,
        depth: 0,
    };
    let mut calls = Vec::new();
    p.ws();
    if p.peek() == Some(b']') {
        p.i += 1;
    } else {
        loop {
            calls.push(p.call()?);
            p.ws();
            match p.bump()? {
                b',' => {
                    p.ws();
                    if p.peek() == Some(b']') {
                        p.i += 1;
                        break;
                    }
                }
                b']' => break,
                _ => return None,
            }
        }
    }
    (p.i == b.len()).then_some(calls)
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident_continue(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'a> Fast<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    /// Blanks between tokens (always inside brackets here, where newlines are blanks too).
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\x0c' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// An ASCII identifier (not followed by a non-ASCII character, which would continue it).
    fn ident(&mut self) -> Option<&'a str> {
        let st = self.i;
        if !self.peek().is_some_and(is_ident_start) {
            return None;
        }
        self.i += 1;
        while self.peek().is_some_and(is_ident_continue) {
            self.i += 1;
        }
        if self.peek().is_some_and(|c| c >= 0x80) {
            return None;
        }
        self.s.get(st..self.i)
    }

    /// A non-keyword identifier.
    fn name(&mut self) -> Option<&'a str> {
        let n = self.ident()?;
        (!is_keyword(n)).then_some(n)
    }

    fn call(&mut self) -> Option<Call> {
        let mut name = String::from(self.name()?);
        loop {
            self.ws();
            match self.bump()? {
                b'.' => {
                    self.ws();
                    name.push('.');
                    name.push_str(self.name()?);
                }
                b'(' => break,
                _ => return None,
            }
        }
        self.ws();
        let mut args: Vec<(Option<String>, PyValue)> = Vec::new();
        if self.peek() == Some(b')') {
            self.i += 1;
            return Some(Call { name, args });
        }
        loop {
            let k = self.name()?;
            self.ws();
            if self.bump()? != b'=' || self.peek() == Some(b'=') {
                return None;
            }
            self.ws();
            let v = self.value()?;
            // A repeated keyword keeps its first place and its last value (BFCL's dict).
            if let Some(slot) = args.iter_mut().find(|(k2, _)| k2.as_deref() == Some(k)) {
                slot.1 = v;
            } else {
                args.push((Some(k.to_string()), v));
            }
            self.ws();
            match self.bump()? {
                b',' => {
                    self.ws();
                    if self.peek() == Some(b')') {
                        self.i += 1;
                        break;
                    }
                }
                b')' => break,
                _ => return None,
            }
        }
        Some(Call { name, args })
    }

    fn value(&mut self) -> Option<PyValue> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let v = self.value_inner();
        self.depth -= 1;
        v
    }

    fn value_inner(&mut self) -> Option<PyValue> {
        let c = self.peek()?;
        match c {
            b'\'' | b'"' => self.string(c),
            b'0'..=b'9' => self.number(),
            b'-' => {
                self.i += 1;
                self.ws();
                if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    return None;
                }
                // BFCL's `-operand.value`.
                negate(&self.number()?).ok()
            }
            b'[' => {
                self.i += 1;
                self.list()
            }
            b'(' => {
                self.i += 1;
                self.paren()
            }
            b'{' => {
                self.i += 1;
                self.dict()
            }
            c if is_ident_start(c) => {
                let n = self.ident()?;
                match n {
                    "None" => Some(PyValue::None),
                    "True" => Some(PyValue::Bool(true)),
                    "False" => Some(PyValue::Bool(false)),
                    n if is_keyword(n) => None,
                    n => Some(PyValue::Str(n.to_string())),
                }
            }
            _ => None,
        }
    }

    /// A string literal without prefix, not triple-quoted, on one line.
    fn string(&mut self, q: u8) -> Option<PyValue> {
        self.i += 1;
        let st = self.i;
        let mut escaped = false;
        loop {
            match self.peek()? {
                c if c == q => break,
                b'\\' => {
                    escaped = true;
                    match self.b.get(self.i + 1) {
                        None | Some(b'\n' | b'\r') => return None,
                        Some(_) => self.i += 2,
                    }
                }
                b'\n' | b'\r' => return None,
                _ => self.i += 1,
            }
        }
        if self.i == st && self.b.get(self.i + 1) == Some(&q) {
            // `'''`: a triple-quoted string.
            return None;
        }
        let body = self.s.get(st..self.i)?;
        self.i += 1;
        let text = if escaped {
            unescape(body, false).ok()?
        } else {
            body.to_string()
        };
        Some(PyValue::Str(text))
    }

    /// A decimal literal: digits, optional fraction, optional exponent.
    fn number(&mut self) -> Option<PyValue> {
        let st = self.i;
        let digits = |p: &mut Fast<'_>| {
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.i += 1;
            }
        };
        digits(self);
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            is_float = true;
            self.i += 1;
            digits(self);
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return None;
            }
            digits(self);
            is_float = true;
        }
        if self
            .peek()
            .is_some_and(|c| is_ident_continue(c) || c >= 0x80)
        {
            return None;
        }
        let text = self.s.get(st..self.i)?;
        if is_float {
            text.parse::<f64>().ok().map(PyValue::Float)
        } else if text.len() > 1 && text.starts_with('0') {
            None
        } else {
            PyValue::int_from_decimal(false, text)
        }
    }

    fn list(&mut self) -> Option<PyValue> {
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Some(PyValue::List(items));
        }
        loop {
            items.push(self.value()?);
            self.ws();
            match self.bump()? {
                b',' => {
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.i += 1;
                        break;
                    }
                }
                b']' => break,
                _ => return None,
            }
        }
        Some(PyValue::List(items))
    }

    fn paren(&mut self) -> Option<PyValue> {
        self.ws();
        if self.peek() == Some(b')') {
            self.i += 1;
            return Some(PyValue::Tuple(Vec::new()));
        }
        let first = self.value()?;
        self.ws();
        match self.bump()? {
            b')' => return Some(first),
            b',' => {}
            _ => return None,
        }
        let mut items = vec![first];
        loop {
            self.ws();
            if self.peek() == Some(b')') {
                self.i += 1;
                break;
            }
            items.push(self.value()?);
            self.ws();
            match self.bump()? {
                b',' => {}
                b')' => break,
                _ => return None,
            }
        }
        Some(PyValue::Tuple(items))
    }

    fn dict(&mut self) -> Option<PyValue> {
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Some(PyValue::Dict(items));
        }
        loop {
            let k = self.value()?;
            self.ws();
            if self.bump()? != b':' {
                return None;
            }
            self.ws();
            let v = self.value()?;
            if !hashable(&k) {
                return None;
            }
            PyValue::dict_insert(&mut items, k, v);
            self.ws();
            match self.bump()? {
                b',' => {
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                        break;
                    }
                }
                b'}' => break,
                _ => return None,
            }
        }
        Some(PyValue::Dict(items))
    }
}

#[cfg(test)]
mod tests {
    use super::super::pyexpr::ast_parse_full;
    use super::*;
    use proptest::prelude::*;

    fn same(a: &PyValue, b: &PyValue) -> bool {
        match (a, b) {
            (PyValue::Float(x), PyValue::Float(y)) => x.to_bits() == y.to_bits(),
            (PyValue::List(x), PyValue::List(y)) | (PyValue::Tuple(x), PyValue::Tuple(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
            }
            (PyValue::Dict(x), PyValue::Dict(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((k1, v1), (k2, v2))| same(k1, k2) && same(v1, v2))
            }
            _ => a.py_type() == b.py_type() && a == b,
        }
    }

    /// When the fast path accepts `text`, the full parser gives the same calls.
    fn agree(text: &str) -> Result<bool, String> {
        let Some(fast) = parse(text) else {
            return Ok(false);
        };
        let full = ast_parse_full(text).map_err(|e| format!("{text:?}: full path failed: {e}"))?;
        let ok = fast.len() == full.len()
            && fast.iter().zip(&full).all(|(a, b)| {
                a.name == b.name
                    && a.args.len() == b.args.len()
                    && a.args
                        .iter()
                        .zip(&b.args)
                        .all(|((k1, v1), (k2, v2))| k1 == k2 && same(v1, v2))
            });
        if ok {
            Ok(true)
        } else {
            Err(format!("{text:?}: fast {fast:?} != full {full:?}"))
        }
    }

    #[test]
    fn fast_path_taken_and_agrees() {
        for text in [
            "[]",
            "[ ]",
            "[f()]",
            "[f(),]",
            "[a.b.c(x=1)]",
            "[a . b(x = 1 ,)]",
            "[f(a='x', b=\"y\", c=-1.5, d=[1, (2, 3)], e={'k': 0}, g=None, h=True, i=abc)]",
            "[f(a=(1,), b=(), c=(1), d=[], e={}, f='', g='it\\'s', h='\\n\\x41\\u00e9')]",
            "[f(a=1e3, b=1E-2, c=2., d=0, e=0.5, f=-0, g=-0.0, h=1.e2, i=01.5)]",
            "[f(a={1: 'a', True: 'b', 1.0: 'c', (1, 2): 'd'})]",
            "[f(a=1),\n g(b=[1,\n 2])]",
            "[f(a='Été', b='\u{1F600}')]",
            "[f(a=170141183460469231731687303715884105727)]",
            "[f(a=170141183460469231731687303715884105728, b=-170141183460469231731687303715884105728)]",
            "[f(a=123456789012345678901234567890123456789012, b=-1e400)]",
            "[f(a=1, b=2, a=3), g(x={'k': 1, 'j': 2, 'k': 3})]",
        ] {
            assert_eq!(agree(text), Ok(true), "{text}");
        }
    }

    #[test]
    fn fast_path_declines() {
        for text in [
            "f(a=1)",
            "[f(a=1)] ",
            "[f(1)]",
            "[f(a=1_000)]",
            "[f(a=0x1F)]",
            "[f(a=00)]",
            "[f(a=07)]",
            "[f(a=1j)]",
            "[f(a=.5)]",
            "[f(a=+5)]",
            "[f(a=-x)]",
            "[f(a=1+2)]",
            "[f(a='a' 'b')]",
            "[f(a=r'x')]",
            "[f(a='''x''')]",
            "[f(a=g(b=1))]",
            "[f(a=x.y)]",
            "[f(a=x[0])]",
            "[f(a={1, 2})]",
            "[f(a={[1]: 2})]",
            "[f(a=1)  # c\n]",
            "[f(a=1) \\\n]",
            "[f(class=1)]",
            "[True(a=1)]",
            "[f(a=1)][0]",
            "[f(a==1)]",
            "[f(**k)]",
            "[f(é=1)]",
            "[f(a=xé)]",
            "[f(a='x\\\ny')]",
        ] {
            assert!(parse(text).is_none(), "{text}");
        }
        let deep = format!("[f(a={}1{})]", "[".repeat(100), "]".repeat(100));
        assert!(parse(&deep).is_none());
    }

    fn literal() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("None".to_string()),
            Just("True".to_string()),
            "[a-z_][a-z0-9_]{0,4}",
            "-?[0-9]{1,3}(\\.[0-9]{0,3})?([eE][+-]?[0-9]{1,3})?",
            "'[a-zA-Z0-9 ,./\"é\\\\-]{0,8}'",
            "\"[a-zA-Z0-9 ,./'\\\\n-]{0,8}\"",
            any::<f64>().prop_map(|f| format!("{f:?}")),
            any::<i64>().prop_map(|i| i.to_string()),
            "-?[1-9][0-9]{36,44}",
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(", "))),
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("({},)", v.join(", "))),
                inner.clone().prop_map(|v| format!("( {v} )")),
                prop::collection::vec((inner.clone(), inner), 0..4).prop_map(|kv| {
                    let items: Vec<String> = kv.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    format!("{{{}}}", items.join(", "))
                }),
            ]
        })
    }

    fn call_text() -> impl Strategy<Value = String> {
        (
            "[a-z_][a-z0-9_]{0,5}(\\.[a-z_][a-z0-9_]{0,4}){0,2}",
            prop::collection::vec(("[a-z_][a-z0-9]{0,3}", literal()), 0..4),
            "[ \n]{0,2}",
        )
            .prop_map(|(name, args, sp)| {
                let args: Vec<String> = args.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{name}({})", args.join(&format!(",{sp}")))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn agrees_with_full_parser(calls in prop::collection::vec(call_text(), 0..3)) {
            let text = format!("[{}]", calls.join(", "));
            agree(&text).map_err(TestCaseError::fail)?;
        }

        #[test]
        fn agrees_on_mutations(
            calls in prop::collection::vec(call_text(), 1..3),
            at in any::<prop::sample::Index>(),
            ins in "[\\[\\](){}a-z0-9_=,.'\" :+\\-*/#\\\\\n\té]{0,2}",
            del in 0usize..3,
        ) {
            let text = format!("[{}]", calls.join(", "));
            let chars: Vec<char> = text.chars().collect();
            let k = at.index(chars.len());
            let end = (k + del).min(chars.len());
            let mutated: String = chars[..k].iter().chain(ins.chars().collect::<Vec<_>>().iter()).chain(chars[end..].iter()).collect();
            agree(&mutated).map_err(TestCaseError::fail)?;
        }

        #[test]
        fn agrees_on_noise(s in "\\[[\\[\\](){}a-z0-9_=,.'\" :+\\-eE#\\\\\n]{0,40}\\]") {
            agree(&s).map_err(TestCaseError::fail)?;
        }
    }
}
