//! Java and JavaScript categories: BFCL decodes their prompting output with tree-sitter
//! (`parse_java_function_call` / `parse_javascript_function_call` on `text[1:-1]`), keeping
//! every argument as source text, and its checker converts that text with
//! `java_type_converter` / `js_type_converter`. The decoders here approximate the tree-sitter
//! walk with a token scanner (same outputs on call-shaped text; syntax-error detection is
//! coarser); the converters port BFCL's regular expressions by hand.

use super::pyexpr::{Call, DecodeError};
use super::types::PyValue;

fn fail<T>(m: &str) -> Result<T, DecodeError> {
    Err(DecodeError {
        message: m.to_string(),
    })
}

#[derive(Debug, Clone, PartialEq)]
enum K {
    Ident,
    Str,
    Char,
    Num,
    Punct,
}

#[derive(Debug, Clone)]
struct T {
    k: K,
    s: usize,
    e: usize,
    /// A newline precedes this token.
    nl: bool,
}

fn lex(src: &str, js: bool) -> Result<Vec<T>, DecodeError> {
    let b: Vec<(usize, char)> = src.char_indices().collect();
    let end = src.len();
    let at = |i: usize| b.get(i).map(|&(_, c)| c);
    let off = |i: usize| b.get(i).map_or(end, |&(o, _)| o);
    let mut out = Vec::new();
    let mut i = 0;
    let mut nl = false;
    let mut stack: Vec<char> = Vec::new();
    while let Some(c) = at(i) {
        if c.is_whitespace() {
            nl |= c == '\n';
            i += 1;
            continue;
        }
        if c == '/' && at(i + 1) == Some('/') {
            while at(i).is_some_and(|c| c != '\n') {
                i += 1;
            }
            continue;
        }
        if c == '/' && at(i + 1) == Some('*') {
            i += 2;
            while at(i).is_some() && !(at(i) == Some('*') && at(i + 1) == Some('/')) {
                i += 1;
            }
            if at(i).is_none() {
                return fail("unterminated comment");
            }
            i += 2;
            continue;
        }
        let s = i;
        let k = if c == '"' || c == '\'' || (js && c == '`') {
            i += 1;
            loop {
                match at(i) {
                    None => return fail("unterminated string"),
                    Some('\\') => i += 2,
                    // tree-sitter-java's string_literal takes a raw newline (its
                    // character_literal does not); JavaScript's quotes do not either.
                    Some('\n') if c == '\'' || (js && c == '"') => {
                        return fail("unterminated string")
                    }
                    Some(x) if x == c => {
                        i += 1;
                        break;
                    }
                    _ => i += 1,
                }
            }
            if c == '\'' && !js {
                // tree-sitter-java's `character_literal` is any non-empty run of characters
                // and escapes (`'mapArea'` too): only `''` is a syntax error.
                if i - s == 2 {
                    return fail("invalid character literal");
                }
                K::Char
            } else {
                K::Str
            }
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            while at(i).is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                i += 1;
            }
            K::Ident
        } else if c.is_ascii_digit() || (c == '.' && at(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            while let Some(d) = at(i) {
                let exp_sign = (d == '+' || d == '-')
                    && matches!(at(i.wrapping_sub(1)), Some('e' | 'E'))
                    && !src[off(s)..off(i)].starts_with("0x");
                if d.is_ascii_alphanumeric() || d == '.' || d == '_' || exp_sign {
                    i += 1;
                } else {
                    break;
                }
            }
            K::Num
        } else {
            match c {
                '(' | '[' | '{' => stack.push(c),
                ')' | ']' | '}' => {
                    let open = match c {
                        ')' => '(',
                        ']' => '[',
                        _ => '{',
                    };
                    if stack.pop() != Some(open) {
                        return fail("unbalanced brackets");
                    }
                }
                _ => {}
            }
            i += 1;
            K::Punct
        };
        out.push(T {
            k,
            s: off(s),
            e: off(i),
            nl,
        });
        nl = false;
    }
    if !stack.is_empty() {
        return fail("unbalanced brackets");
    }
    Ok(out)
}

struct Src<'a> {
    text: &'a str,
    toks: Vec<T>,
}

impl Src<'_> {
    fn tx(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| &self.text[t.s..t.e])
    }

    fn span(&self, a: usize, b: usize) -> &str {
        if a >= b {
            return "";
        }
        let (Some(x), Some(y)) = (self.toks.get(a), self.toks.get(b - 1)) else {
            return "";
        };
        &self.text[x.s..y.e]
    }

    /// Index just past the bracket group opening at `i`.
    fn close(&self, i: usize) -> usize {
        let mut depth = 0usize;
        let mut j = i;
        while j < self.toks.len() {
            match self.tx(j) {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return j + 1;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        self.toks.len()
    }

    /// Splits `[a, b)` at top-level occurrences of `sep`.
    fn split(&self, a: usize, b: usize, sep: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let (mut start, mut j) = (a, a);
        while j < b {
            match self.tx(j) {
                "(" | "[" | "{" => {
                    j = self.close(j);
                    continue;
                }
                "new" => {
                    // Skip the created type, generic arguments included.
                    j += 1;
                    while j < b && (self.toks[j].k == K::Ident || self.tx(j) == ".") {
                        j += 1;
                    }
                    if self.tx(j) == "<" {
                        let mut d = 0i32;
                        while j < b {
                            d += i32::from(self.tx(j) == "<") - i32::from(self.tx(j) == ">");
                            j += 1;
                            if d <= 0 {
                                break;
                            }
                        }
                    }
                    continue;
                }
                x if x == sep => {
                    out.push((start, j));
                    start = j + 1;
                }
                _ => {}
            }
            j += 1;
        }
        if start < b || !out.is_empty() {
            out.push((start, b));
        }
        out
    }

    /// Position of a top-level assignment `=` in `[a, b)`.
    fn assign_at(&self, a: usize, b: usize) -> Option<usize> {
        let mut j = a;
        while j < b {
            match self.tx(j) {
                "(" | "[" | "{" => {
                    j = self.close(j);
                    continue;
                }
                "=" => {
                    let next = self.tx(j + 1);
                    let prev = if j > a { self.tx(j - 1) } else { "" };
                    let glued_next = self
                        .toks
                        .get(j + 1)
                        .is_some_and(|t| self.toks.get(j).is_some_and(|u| u.e == t.s));
                    let glued_prev = j > a
                        && self
                            .toks
                            .get(j - 1)
                            .is_some_and(|t| self.toks.get(j).is_some_and(|u| t.e == u.s));
                    let part_of_op = (glued_next && matches!(next, "=" | ">"))
                        || (glued_prev
                            && matches!(
                                prev,
                                "=" | "!"
                                    | "<"
                                    | ">"
                                    | "+"
                                    | "-"
                                    | "*"
                                    | "/"
                                    | "%"
                                    | "&"
                                    | "|"
                                    | "^"
                            ));
                    if !part_of_op {
                        return Some(j);
                    }
                }
                _ => {}
            }
            j += 1;
        }
        None
    }

    /// Java's `traverse_node` text of the expression `[a, b)`.
    fn java_text(&self, a: usize, b: usize, nested: bool) -> String {
        if b == a + 1 && matches!(self.toks[a].k, K::Str | K::Char) {
            let t = self.tx(a);
            return if nested {
                t.to_string()
            } else {
                t.chars()
                    .skip(1)
                    .take(t.chars().count().saturating_sub(2))
                    .collect()
            };
        }
        let mut out = String::new();
        let mut j = a;
        while j < b {
            let t = self.tx(j);
            if t == "new" {
                // new Type [] {init}  |  new Type(args) [class body]
                let mut k = j + 1;
                let mut ty = String::new();
                while k < b && !matches!(self.tx(k), "(" | "[") {
                    if self.tx(k) == "<" {
                        let mut d = 0i32;
                        while k < b {
                            let x = self.tx(k);
                            d += i32::from(x == "<") - i32::from(x == ">");
                            ty.push_str(x);
                            k += 1;
                            if d <= 0 {
                                break;
                            }
                        }
                        continue;
                    }
                    ty.push_str(self.tx(k));
                    k += 1;
                }
                if self.tx(k) == "[" {
                    while self.tx(k) == "[" {
                        k = self.close(k);
                    }
                    out.push_str(&format!("new {ty}[]"));
                    if self.tx(k) == "{" {
                        let c = self.close(k).min(b);
                        out.push_str(&self.java_text(k, c, true));
                        k = c;
                    }
                } else if self.tx(k) == "(" {
                    let c = self.close(k).min(b);
                    let args: Vec<String> = self
                        .split(k + 1, c.saturating_sub(1), ",")
                        .into_iter()
                        .filter(|(x, y)| x < y)
                        .map(|(x, y)| self.java_text(x, y, true))
                        .collect();
                    out.push_str(&format!("new {ty}({})", args.join(", ")));
                    k = c;
                    if self.tx(k) == "{" {
                        k = self.close(k).min(b);
                    }
                } else {
                    out.push_str(&format!("new {ty}"));
                }
                j = k;
                continue;
            }
            if self.toks[j].k == K::Ident {
                // A chain containing a call is a method_invocation: its raw text.
                let mut k = j + 1;
                let mut has_call = false;
                while k < b {
                    match self.tx(k) {
                        "." if self.toks.get(k + 1).is_some_and(|t| t.k == K::Ident) => k += 2,
                        "(" => {
                            has_call = true;
                            k = self.close(k);
                        }
                        "[" => k = self.close(k),
                        _ => break,
                    }
                }
                let k = k.min(b);
                if has_call {
                    out.push_str(self.span(j, k));
                } else {
                    for x in j..k {
                        if matches!(self.tx(x), "(" | "[") {
                            let c = self.close(x).min(k);
                            out.push_str(&self.java_text(x, c, true));
                        } else {
                            out.push_str(self.tx(x));
                        }
                    }
                    // Re-walk brackets properly: simple join is enough for index chains.
                }
                j = k;
                continue;
            }
            out.push_str(t);
            j += 1;
        }
        out
    }
}

fn strip_outer(text: &str) -> &str {
    // Python's `s[1:-1]` on code points.
    let mut it = text.char_indices();
    let start = it.next().map_or(0, |(_, c)| c.len_utf8());
    let end = text.char_indices().last().map_or(0, |(i, _)| i);
    if end <= start {
        ""
    } else {
        &text[start..end]
    }
}

/// What a Java/JS decoder returned: calls, or a non-list value (BFCL then reports
/// `ast_decoder:decoder_wrong_output_format`).
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    /// A list of calls.
    Calls(Vec<Call>),
    /// `{}` or `None`: not in function-calling format.
    NotAList,
}

/// BFCL's Java decoding of an already bracketed string (`parse_java_function_call(s[1:-1])`).
pub fn decode_java(bracketed: &str) -> Result<Decoded, DecodeError> {
    let text = strip_outer(bracketed);
    let toks = lex(text, false)?;
    let src = Src { text, toks };
    let n = src.toks.len();
    // Statements end at ';'. Anything between statements other than calls is an error.
    let stmts = src.split(0, n, ";");
    let mut found: Option<Call> = None;
    for (a, b) in stmts {
        if a >= b {
            continue;
        }
        if src.split(a, b, ",").len() > 1 {
            return fail("Error parsing java the source code.");
        }
        if found.is_some() {
            continue;
        }
        // A call: name chain then (args) ending the statement.
        let mut k = a;
        let mut parts = Vec::new();
        while k < b && src.toks[k].k == K::Ident {
            parts.push(src.tx(k).to_string());
            k += 1;
            if src.tx(k) == "." {
                k += 1;
            } else {
                break;
            }
        }
        if parts.is_empty() || src.tx(k) != "(" || src.close(k) != b {
            // A lone name chain or literal is an expression without a call (`'[f(a=1)]'` is
            // a character_literal); other text is an error.
            if !parts.is_empty() && k == b && src.tx(b - 1) != "." {
                continue;
            }
            if b == a + 1 && matches!(src.toks[a].k, K::Str | K::Char | K::Num) {
                continue;
            }
            return fail("Error parsing java the source code.");
        }
        let c = src.close(k);
        let mut args: Vec<(Option<String>, PyValue)> = Vec::new();
        let pieces = src.split(k + 1, c - 1, ",");
        for (n, &(x, y)) in pieces.iter().enumerate() {
            if x >= y {
                // tree-sitter recovers a trailing comma after three or more arguments, or
                // two of a method called on an object (`Cls.m(a=x, b=y,)`), as a MISSING
                // identifier, which BFCL takes as the positional argument `None: ''`; after
                // one argument it is an ERROR (after two without an object, it depends on
                // the arguments: taken as an ERROR here).
                if n + 1 == pieces.len() && (n >= 3 || (n == 2 && parts.len() >= 2)) {
                    if args.iter().any(|(k, _)| k.is_none()) {
                        return fail(
                            "Error: Multiple arguments with the same name are not supported.",
                        );
                    }
                    args.push((None, PyValue::Str(String::new())));
                    continue;
                }
                return fail("Error parsing java the source code.");
            }
            let (key, value) = if let Some(eq) = src.assign_at(x, y) {
                // An array initializer is not an expression (`p={1, 2}`): an ERROR.
                if src.tx(eq + 1) == "{" {
                    return fail("Error parsing java the source code.");
                }
                (
                    Some(src.span(x, eq).to_string()),
                    src.java_text(eq + 1, y, false),
                )
            } else if y == x + 1 && src.toks[x].k == K::Ident
                || (y == x + 3 && src.tx(x + 1) == "." && src.tx(x + 2) == "class")
            {
                (None, src.span(x, y).to_string())
            } else {
                continue;
            };
            if args.iter().any(|(k, _)| *k == key) {
                return fail("Error: Multiple arguments with the same name are not supported.");
            }
            args.push((key, PyValue::Str(value)));
        }
        found = Some(Call {
            name: parts.join("."),
            args,
        });
    }
    Ok(found.map_or(Decoded::NotAList, |c| Decoded::Calls(vec![c])))
}

/// JavaScript words that may stand right before or after another word or literal on one line
/// (`new Foo`, `typeof x`, `let x`, `get x() {}`, `x instanceof Y`, ...).
fn js_word_joins(w: &str) -> bool {
    matches!(
        w,
        "break"
            | "case"
            | "catch"
            | "class"
            | "const"
            | "continue"
            | "debugger"
            | "default"
            | "delete"
            | "do"
            | "else"
            | "export"
            | "extends"
            | "finally"
            | "for"
            | "function"
            | "if"
            | "import"
            | "in"
            | "instanceof"
            | "new"
            | "return"
            | "super"
            | "switch"
            | "this"
            | "throw"
            | "try"
            | "typeof"
            | "var"
            | "void"
            | "while"
            | "with"
            | "yield"
            | "let"
            | "static"
            | "await"
            | "async"
            | "get"
            | "set"
            | "of"
            | "from"
            | "as"
    )
}

/// BFCL's JavaScript decoding of an already bracketed string.
pub fn decode_js(bracketed: &str) -> Result<Decoded, DecodeError> {
    let text = strip_outer(bracketed);
    let toks = lex(text, true)?;
    let src = Src { text, toks };
    let n = src.toks.len();
    // Two words or literals in a row on one line (prose such as "I would call ...") are an
    // ERROR for tree-sitter-javascript, which BFCL raises as a SyntaxError; a template right
    // after an expression is a tagged template.
    for j in 1..n {
        let (p, t) = (&src.toks[j - 1], &src.toks[j]);
        let operand = |t: &T| matches!(t.k, K::Ident | K::Num | K::Str);
        if !t.nl
            && operand(p)
            && operand(t)
            && !src.tx(j).starts_with('`')
            && !js_word_joins(src.tx(j - 1))
            && !js_word_joins(src.tx(j))
        {
            return fail("Error js parsing the source code.");
        }
    }
    // Statements: split at top-level ';' and at newlines between complete expressions.
    let mut bounds = Vec::new();
    let mut start = 0;
    let mut j = 0;
    while j < n {
        match src.tx(j) {
            "(" | "[" | "{" => {
                j = src.close(j);
                if j < n && src.toks[j].nl {
                    bounds.push((start, j));
                    start = j;
                }
                continue;
            }
            ";" => {
                bounds.push((start, j));
                start = j + 1;
            }
            _ => {}
        }
        j += 1;
        if j < n
            && src.toks[j].nl
            && j > start
            && !matches!(
                src.tx(j - 1),
                "." | "," | "=" | "+" | "-" | "*" | "/" | "(" | "[" | "{" | ":" | "?" | "&&" | "||"
            )
            && !matches!(
                src.tx(j),
                "." | "," | ")" | "]" | "}" | "=" | "+" | "*" | "/" | "?" | ":"
            )
        {
            bounds.push((start, j));
            start = j;
        }
    }
    bounds.push((start, n));
    for (a, b) in bounds {
        if a >= b {
            continue;
        }
        // call_expression directly in the statement: callee then a final (args).
        if src.tx(b - 1) != ")" {
            continue;
        }
        // Find the opening parenthesis of the last group.
        let mut open = None;
        let mut k = a;
        while k < b {
            if matches!(src.tx(k), "(" | "[" | "{") {
                let c = src.close(k);
                if c == b && src.tx(k) == "(" && k > a {
                    open = Some(k);
                }
                k = c;
            } else {
                k += 1;
            }
        }
        let Some(open) = open else { continue };
        // The callee must be a primary chain (no top-level operators or commas).
        let callee_ok = (a..open).all(|x| {
            src.toks[x].k != K::Punct || matches!(src.tx(x), "." | "(" | ")" | "[" | "]" | "?")
        });
        if !callee_ok {
            continue;
        }
        let name = src.span(a, open).to_string();
        let mut args: Vec<(Option<String>, PyValue)> = Vec::new();
        for (x, y) in src.split(open + 1, b - 1, ",") {
            if x >= y {
                continue;
            }
            let (key, value) = if let Some(eq) = src.assign_at(x, y) {
                // A spread (`p=...x`) is not an expression: an ERROR.
                if src.tx(eq + 1) == "." {
                    return fail("Error js parsing the source code.");
                }
                let mut v = src.span(eq + 1, y).to_string();
                if v.len() >= 2
                    && ((v.starts_with('"') && v.ends_with('"'))
                        || (v.starts_with('\'') && v.ends_with('\'')))
                {
                    v = strip_outer(&v).to_string();
                }
                (Some(src.span(x, eq).to_string()), v)
            } else if y == x + 1 && src.toks[x].k == K::Ident {
                (None, src.tx(x).to_string())
            } else {
                continue;
            };
            if args.iter().any(|(k, _)| *k == key) {
                return fail("Error: Multiple arguments with the same name are not supported.");
            }
            args.push((key, PyValue::Str(value)));
        }
        return Ok(Decoded::Calls(vec![Call { name, args }]));
    }
    Ok(Decoded::NotAList)
}

// ---------------------------------------------------------------------------------------------
// Converters

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// `^-?\d+$`
fn re_int(s: &str) -> bool {
    is_digits(s.strip_prefix('-').unwrap_or(s))
}

/// `^-?\d+(\.\d+)?([eE][+-]?\d+)?$` (with `exp`), or without the exponent part.
fn re_float(s: &str, exp: bool) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (mant, e) = match s.find(['e', 'E']) {
        Some(i) if exp => (&s[..i], Some(&s[i + 1..])),
        _ => (s, None),
    };
    let mant_ok = match mant.split_once('.') {
        Some((a, b)) => is_digits(a) && is_digits(b),
        None => is_digits(mant),
    };
    let e_ok = e.is_none_or(|e| {
        is_digits(
            e.strip_prefix('+')
                .or_else(|| e.strip_prefix('-'))
                .unwrap_or(e),
        )
    });
    mant_ok && e_ok
}

/// Python's `int(s)` (an int of any size; `None` where Python raises).
fn py_int(s: &str) -> Option<PyValue> {
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    if body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return None;
    }
    PyValue::int_from_decimal(neg, &body.replace('_', ""))
}

/// Python's `float(s)`.
fn py_float(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() || t.contains("__") || t.starts_with('_') || t.ends_with('_') {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, "inf" | "infinity" | "nan") {
        return t.parse().ok().or(Some(if t.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }));
    }
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-' | '_'))
    {
        return None;
    }
    t.replace('_', "").parse().ok()
}

fn parse_java_value(s: &str) -> PyValue {
    if s == "true" {
        return PyValue::Bool(true);
    }
    if s == "false" {
        return PyValue::Bool(false);
    }
    if s.starts_with('"') && s.ends_with('"') {
        return PyValue::Str(strip_outer(s).to_string());
    }
    if let Some(b) = s.strip_suffix(['l', 'L']) {
        if re_int(b) {
            return py_int(b).unwrap_or_else(|| PyValue::Str(s.into()));
        }
    }
    if let Some(b) = s.strip_suffix(['f', 'F']) {
        if re_float(b, true) {
            return py_float(b).map_or(PyValue::Str(s.into()), PyValue::Float);
        }
    }
    if let Some(i) = py_int(s) {
        return i;
    }
    if let Some(f) = py_float(s) {
        return PyValue::Float(f);
    }
    PyValue::Str(s.into())
}

/// Finds `needle` preceded by `new` + whitespace: returns the index just after `needle`.
fn find_new(s: &str, from: usize, needle: &str) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(p) = s.get(i..)?.find("new") {
        let start = i + p;
        let rest = &s[start + 3..];
        let ws = rest.len() - rest.trim_start().len();
        if ws > 0 && rest[ws..].starts_with(needle) {
            return Some((start, start + 3 + ws + needle.len()));
        }
        i = start + 3;
    }
    None
}

/// `<\w*>` at the start of `s`: the index after it.
fn generic_word(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('<')?;
    let w = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    rest[w..].starts_with('>').then_some(w + 2)
}

fn java_element(e: &str, nested: Option<&str>) -> Result<PyValue, String> {
    match nested {
        Some("char") | Some("String") => Ok(PyValue::Str(strip_outer(e).to_string())),
        Some(t) => java_type_converter(e, t, None),
        None => Ok(parse_java_value(e)),
    }
}

fn parse_arraylist(s: &str, nested: Option<&str>) -> Result<PyValue, String> {
    // new\s+ArrayList<\w*>\(Arrays\.asList\((.+?)\)\)
    let mut from = 0;
    while let Some((_, after)) = find_new(s, from, "ArrayList") {
        from = after;
        let Some(g) = generic_word(&s[after..]) else {
            continue;
        };
        let rest = &s[after + g..];
        if let Some(body) = rest.strip_prefix("(Arrays.asList(") {
            let line_end = body.find('\n').unwrap_or(body.len());
            if let Some(k) = body[..line_end].get(1..).and_then(|b| b.find("))")) {
                let group = &body[..k + 1];
                return group
                    .split(',')
                    .map(|e| java_element(e.trim(), nested))
                    .collect::<Result<_, _>>()
                    .map(PyValue::List);
            }
        }
    }
    // new\s+ArrayList<\w*>\(\)\s*\{\{\s*(.+?)\s*\}\}  (DOTALL), then add\((.+?)\)
    let mut from = 0;
    while let Some((_, after)) = find_new(s, from, "ArrayList") {
        from = after;
        let Some(g) = generic_word(&s[after..]) else {
            continue;
        };
        if let Some(rest) = s[after + g..].strip_prefix("()") {
            let rest = rest.trim_start();
            if let Some(body) = rest.strip_prefix("{{") {
                if let Some(k) = body.find("}}") {
                    let adds = body[..k].trim();
                    if !adds.is_empty() {
                        let mut out = Vec::new();
                        let mut p = 0;
                        while let Some(q) = adds[p..].find("add(") {
                            let st = p + q + 4;
                            let line_end = adds[st..].find('\n').map_or(adds.len(), |x| st + x);
                            match adds[st..line_end].get(1..).and_then(|b| b.find(')')) {
                                Some(r) => {
                                    let v = adds[st..st + r + 1].trim();
                                    out.push(java_element(v, nested)?);
                                    p = st + r + 2;
                                }
                                None => p = st,
                            }
                        }
                        return Ok(PyValue::List(out));
                    }
                }
            }
        }
    }
    let mut from = 0;
    while let Some((_, after)) = find_new(s, from, "ArrayList") {
        from = after;
        if let Some(g) = generic_word(&s[after..]) {
            if s[after + g..].starts_with("()") {
                return Ok(PyValue::List(Vec::new()));
            }
        }
    }
    Ok(PyValue::Str(s.to_string()))
}

fn parse_array(s: &str, nested: Option<&str>) -> Result<PyValue, String> {
    // new\s+\w+\[\]\s*\{(.*?)\}
    let mut from = 0;
    while let Some(p) = s.get(from..).and_then(|r| r.find("new")) {
        let start = from + p;
        from = start + 3;
        let rest = &s[start + 3..];
        let ws = rest.len() - rest.trim_start().len();
        if ws == 0 {
            continue;
        }
        let r = &rest[ws..];
        let w = r
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(r.len());
        if w == 0 {
            continue;
        }
        let Some(r) = r[w..].strip_prefix("[]") else {
            continue;
        };
        let Some(r) = r.trim_start().strip_prefix('{') else {
            continue;
        };
        let Some(k) = r.find(['}', '\n']).filter(|&k| r.as_bytes()[k] == b'}') else {
            continue;
        };
        return r[..k]
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(|x| match nested {
                Some(t) => java_type_converter(x, t, None),
                None => Ok(parse_java_value(x)),
            })
            .collect::<Result<_, _>>()
            .map(PyValue::List);
    }
    Ok(PyValue::Str(s.to_string()))
}

fn parse_hashmap(s: &str) -> PyValue {
    let mut from = 0;
    while let Some((_, after)) = find_new(s, from, "HashMap<") {
        from = after;
        // <.*?> then \s*\(\) then \s*\{\s*\{?\s*(.*?)\s*\}?\s*\}
        let line_end = s[after..].find('\n').map_or(s.len(), |x| after + x);
        let mut gt = after;
        while let Some(q) = s[gt..line_end].find('>') {
            let close = gt + q + 1;
            let rest = s[close..].trim_start();
            if let Some(rest) = rest.strip_prefix("()") {
                let r = rest.trim_start();
                if let Some(body) = r.strip_prefix('{') {
                    let body = body.trim_start();
                    let body = body.strip_prefix('{').unwrap_or(body);
                    if let Some(end) = body.find('}') {
                        let puts = body[..end].trim();
                        let mut out = Vec::new();
                        let mut p = 0;
                        while let Some(q) = puts[p..].find("put(\"") {
                            let ks = p + q + 5;
                            let Some(ke) = puts[ks..].find("\",") else {
                                break;
                            };
                            let key = &puts[ks..ks + ke];
                            if key.contains('\n') {
                                p = ks;
                                continue;
                            }
                            let vs = ks + ke + 2;
                            let vs = vs + (puts[vs..].len() - puts[vs..].trim_start().len());
                            let Some(ve) = puts[vs..].find(')') else {
                                break;
                            };
                            let v = &puts[vs..vs + ve];
                            PyValue::dict_insert(
                                &mut out,
                                PyValue::Str(key.to_string()),
                                parse_java_value(v.trim()),
                            );
                            p = vs + ve + 1;
                        }
                        return PyValue::Dict(out);
                    }
                }
                return PyValue::Dict(Vec::new());
            }
            gt = close;
        }
    }
    PyValue::Str(s.to_string())
}

/// BFCL's `java_type_converter`; `Err` where BFCL raises (unsupported types).
pub fn java_type_converter(
    value: &str,
    expected: &str,
    nested: Option<&str>,
) -> Result<PyValue, String> {
    let s = || PyValue::Str(value.to_string());
    Ok(match expected {
        "byte" | "short" | "integer" => {
            if re_int(value) {
                py_int(value).unwrap_or_else(s)
            } else {
                s()
            }
        }
        "float" => match value.strip_suffix(['f', 'F']) {
            Some(b) if re_float(b, true) => py_float(b).map_or_else(s, PyValue::Float),
            _ => s(),
        },
        "double" => {
            if re_float(value, true) {
                py_float(value).map_or_else(s, PyValue::Float)
            } else {
                s()
            }
        }
        "long" => match value.strip_suffix(['l', 'L']) {
            Some(b) if re_int(b) => py_int(b).unwrap_or_else(s),
            _ => s(),
        },
        "boolean" => match value {
            "true" => PyValue::Bool(true),
            "false" => PyValue::Bool(false),
            _ => s(),
        },
        "char" | "String" | "any" => s(),
        "ArrayList" => parse_arraylist(value, nested)?,
        "Array" => parse_array(value, nested)?,
        "HashMap" => parse_hashmap(value),
        "Set" | "Hashtable" | "Queue" | "Stack" => {
            return Err(format!("{expected} conversion is not implemented"))
        }
        other => return Err(format!("Unsupported type: {other}")),
    })
}

fn parse_js_value(s: &str) -> PyValue {
    let v = s.trim();
    match v {
        "true" => PyValue::Bool(true),
        "false" => PyValue::Bool(false),
        _ if (v.starts_with('"') && v.ends_with('"'))
            || (v.starts_with('\'') && v.ends_with('\'')) =>
        {
            PyValue::Str(strip_outer(v).to_string())
        }
        _ => py_int(v)
            .or_else(|| py_float(v).map(PyValue::Float))
            .unwrap_or_else(|| PyValue::Str(v.to_string())),
    }
}

/// `\[(.*?)\]` matched at `s`'s start (no newline inside): the inner text and the rest.
fn bracket_lazy(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('[')?;
    let k = body.find([']', '\n'])?;
    (body.as_bytes()[k] == b']').then(|| (&body[..k], &body[k + 1..]))
}

fn js_array(code: &str, nested: Option<&str>) -> Result<PyValue, String> {
    // 2-D: \[\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\]  or  new Array([..], ..)
    let two_d = |s: &str| -> Option<usize> {
        let (open, close) = if let Some(r) = s.strip_prefix('[') {
            (s.len() - r.len(), ']')
        } else {
            let r = s.strip_prefix("new")?;
            let t = r.trim_start();
            if t.len() == r.len() {
                return None;
            }
            let t = t.strip_prefix("Array(")?;
            (s.len() - t.len(), ')')
        };
        let mut r = s[open..].trim_start();
        let mut first = true;
        loop {
            if !first {
                let t = r.strip_prefix(',')?;
                r = t.trim_start();
            }
            let (_, rest) = bracket_lazy(r)?;
            r = rest.trim_start();
            first = false;
            if r.starts_with(close) {
                return Some(s.len() - r.len() + 1);
            }
            if !r.starts_with(',') {
                return None;
            }
        }
    };
    if let Some(end) = two_d(code) {
        let m = &code[..end];
        let mut inner = Vec::new();
        let mut p = 0;
        while let Some(q) = m[p..].find('[') {
            let st = p + q;
            match bracket_lazy(&m[st..]) {
                Some((body, _)) => {
                    inner.push(body.to_string());
                    p = st + body.len() + 2;
                }
                None => p = st + 1,
            }
        }
        let mut out = Vec::new();
        for (idx, a) in inner.iter().enumerate() {
            let mut a = a.trim();
            if idx == 0 {
                a = a.strip_prefix('[').unwrap_or(a);
            }
            out.push(PyValue::List(
                a.split(',').map(|e| parse_js_value(e.trim())).collect(),
            ));
        }
        return Ok(PyValue::List(out));
    }
    // 1-D: \[(.*?)\] | \bnew\s+Array\((.*?)\)
    let elements: Option<&str> = if let Some((body, _)) = bracket_lazy(code) {
        Some(body)
    } else if let Some(r) = code.strip_prefix("new") {
        let t = r.trim_start();
        if t.len() < r.len() {
            t.strip_prefix("Array(").and_then(|b| {
                let k = b.find([')', '\n'])?;
                (b.as_bytes()[k] == b')').then(|| &b[..k])
            })
        } else {
            None
        }
    } else {
        None
    };
    let Some(body) = elements else {
        return Ok(PyValue::Str(code.to_string()));
    };
    let body = body.trim();
    let parts: Vec<&str> = if body.is_empty() {
        Vec::new()
    } else {
        body.split(',').collect()
    };
    let mut out = Vec::new();
    for e in parts {
        let e = e.trim();
        let v = match nested {
            Some(t) => {
                let r = if e.starts_with('\'') || e.starts_with('"') {
                    js_type_converter(e, t, Some("String"))
                } else {
                    js_type_converter(e, t, None)
                };
                match r {
                    Ok(v) => v,
                    Err(_) => return Ok(PyValue::Str(code.to_string())),
                }
            }
            None => parse_js_value(e),
        };
        out.push(v);
    }
    Ok(PyValue::List(out))
}

fn js_dict(code: &str) -> PyValue {
    if code == "{}" {
        return PyValue::Dict(Vec::new());
    }
    let Some(body) = code.strip_prefix('{') else {
        return PyValue::Str(code.to_string());
    };
    let Some(k) = body
        .find(['}', '\n'])
        .filter(|&k| body.as_bytes()[k] == b'}')
    else {
        return PyValue::Str(code.to_string());
    };
    let content = &body[..k];
    // findall(r"([^:]+):\s*(.*?)(?:,\s*(?=[^,]+:)|$)", content)
    let b = content.as_bytes();
    let mut out = Vec::new();
    let mut p = 0;
    while p < b.len() {
        let Some(colon) = content[p..].find(':').map(|x| p + x) else {
            break;
        };
        if colon == p {
            p += 1;
            continue;
        }
        let key = &content[p..colon];
        let mut vs = colon + 1;
        while vs < b.len() && (b[vs] as char).is_whitespace() {
            vs += 1;
        }
        // Lazy value: stop at the first ", <non-commas>:" or at the end.
        let mut e = vs;
        let mut end_after = None;
        while e <= b.len() {
            if e == b.len() || (b[e] == b'\n' && e + 1 == b.len()) {
                end_after = Some(e);
                break;
            }
            if b[e] == b'\n' {
                break;
            }
            if b[e] == b',' {
                let mut q = e + 1;
                while q < b.len() && (b[q] as char).is_whitespace() {
                    q += 1;
                }
                let next_comma = content[q..].find(',').map_or(b.len(), |x| q + x);
                if content[q..next_comma].find(':').is_some_and(|x| x >= 1) {
                    let value = &content[vs..e];
                    out.push((key.to_string(), value.to_string()));
                    p = q;
                    end_after = None;
                    e = usize::MAX;
                    break;
                }
            }
            e += 1;
        }
        if e == usize::MAX {
            continue;
        }
        match end_after {
            Some(end) => {
                out.push((key.to_string(), content[vs..end].to_string()));
                p = end.max(p + 1);
                if end == b.len() {
                    break;
                }
            }
            None => p += 1,
        }
    }
    let mut items = Vec::new();
    for (k, v) in out {
        let key = k.trim().trim_matches(['\'', '"']).to_string();
        let v = v.trim();
        let value = if v.starts_with('[') && v.ends_with(']') {
            js_array(v, None).unwrap_or_else(|_| PyValue::Str(v.to_string()))
        } else if v.starts_with('{') && v.ends_with('}') {
            js_dict(v)
        } else {
            parse_js_value(v.trim_matches(['\'', '"']))
        };
        PyValue::dict_insert(&mut items, PyValue::Str(key), value);
    }
    PyValue::Dict(items)
}

/// BFCL's `js_type_converter`; `Err` where BFCL raises (unsupported types).
pub fn js_type_converter(
    value: &str,
    expected: &str,
    nested: Option<&str>,
) -> Result<PyValue, String> {
    let s = || PyValue::Str(value.to_string());
    Ok(match expected {
        "String" => {
            if (value.starts_with('"') && value.ends_with('"'))
                || (value.starts_with('\'') && value.ends_with('\''))
            {
                PyValue::Str(strip_outer(value).to_string())
            } else {
                s()
            }
        }
        "integer" => {
            if re_int(value) {
                py_int(value).unwrap_or_else(s)
            } else {
                s()
            }
        }
        "float" => {
            if re_float(value, false) {
                py_float(value).map_or_else(s, PyValue::Float)
            } else {
                s()
            }
        }
        "Bigint" => match value.strip_suffix('n') {
            Some(b) if re_int(b) => py_int(b).unwrap_or_else(s),
            _ => s(),
        },
        "Boolean" => match value {
            "true" => PyValue::Bool(true),
            "false" => PyValue::Bool(false),
            _ => s(),
        },
        "dict" => js_dict(value.trim()),
        "array" => js_array(value.trim(), nested)?,
        "any" => s(),
        other => return Err(format!("Unsupported type: {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(d: Decoded) -> Vec<(Option<String>, PyValue)> {
        match d {
            Decoded::Calls(mut c) => c.remove(0).args,
            Decoded::NotAList => panic!("not a list"),
        }
    }

    #[test]
    fn java_decoding_keeps_source_text() {
        let d = decode_java(r#"[Svc.update(key="a b", n=5, arr=new int[] {1, 2}, l=new ArrayList<>(Arrays.asList("x", "y")), m=new HashMap<String, String>() {{ put("k", "v"); }}, flag=true)]"#)
            .expect("decodes");
        let a = args(d);
        let get = |k: &str| {
            a.iter()
                .find(|(n, _)| n.as_deref() == Some(k))
                .map(|(_, v)| v.repr())
        };
        assert_eq!(get("key").as_deref(), Some("'a b'"));
        assert_eq!(get("n").as_deref(), Some("'5'"));
        assert_eq!(get("arr").as_deref(), Some("'new int[]{1,2}'"));
        assert_eq!(
            get("l").as_deref(),
            Some("'new ArrayList<>(Arrays.asList(\"x\", \"y\"))'")
        );
        assert_eq!(get("m").as_deref(), Some("'new HashMap<String,String>()'"));
        assert_eq!(decode_java("[Hello]"), Ok(Decoded::NotAList));
        assert!(decode_java("[no call here]").is_err());
        assert!(decode_java("[f(a=\"x)]").is_err());
    }

    #[test]
    fn java_converters() {
        let c = |v: &str, t: &str, n: Option<&str>| java_type_converter(v, t, n).map(|v| v.repr());
        assert_eq!(c("123", "integer", None), Ok("123".into()));
        assert_eq!(c("3.14f", "float", None), Ok("3.14".into()));
        assert_eq!(c("3.14", "float", None), Ok("'3.14'".into()));
        assert_eq!(c("123L", "long", None), Ok("123".into()));
        assert_eq!(c("true", "boolean", None), Ok("True".into()));
        assert_eq!(
            c("new int[]{1,2,3}", "Array", Some("integer")),
            Ok("[1, 2, 3]".into())
        );
        assert_eq!(
            c(
                "new ArrayList<>(Arrays.asList(\"a\", \"b\"))",
                "ArrayList",
                Some("String")
            ),
            Ok("['a', 'b']".into())
        );
        assert_eq!(
            c("new HashMap<String,String>()", "HashMap", None),
            Ok("{}".into())
        );
        assert_eq!(
            c(
                "new HashMap<String, Object>() {{ put(\"key1\", 1); put(\"key2\", \"value\"); }}",
                "HashMap",
                None
            ),
            Ok("{'key1': 1, 'key2': 'value'}".into())
        );
        assert!(c("x", "Set", None).is_err());
    }

    #[test]
    fn js_decoding_and_converters() {
        let a =
            args(decode_js("[processData(data='abc', count=5, opts={a: 1})]").expect("decodes"));
        assert_eq!(a[0].1, PyValue::Str("abc".into()));
        assert_eq!(a[1].1, PyValue::Str("5".into()));
        assert_eq!(a[2].1, PyValue::Str("{a: 1}".into()));
        assert_eq!(decode_js("[f(a=1), g(b=2)]"), Ok(Decoded::NotAList));
        let c = |v: &str, t: &str, n: Option<&str>| js_type_converter(v, t, n).map(|v| v.repr());
        assert_eq!(
            c("[1, 2, 3]", "array", Some("integer")),
            Ok("[1, 2, 3]".into())
        );
        assert_eq!(
            c("['a', 'b']", "array", Some("String")),
            Ok("['a', 'b']".into())
        );
        assert_eq!(
            c("[[1, 2], [3, 4]]", "array", Some("array")),
            Ok("[[1, 2], [3, 4]]".into())
        );
        assert_eq!(
            c(
                "{'key1': 123, 'key2': 'value', 'key3': false}",
                "dict",
                None
            ),
            Ok("{'key1': 123, 'key2': 'value', 'key3': False}".into())
        );
        assert_eq!(c("123n", "Bigint", None), Ok("123".into()));
        assert_eq!(c("3.14", "float", None), Ok("3.14".into()));
        assert_eq!(c("1e5", "float", None), Ok("'1e5'".into()));
    }
}
