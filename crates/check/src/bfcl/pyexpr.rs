//! Decoder of BFCL's prompting output `[func(param=value), ...]`: a hand-written tokenizer and
//! recursive-descent parser of Python's expression grammar (what `ast.parse(s, mode="eval")`
//! accepts), followed by BFCL's `resolve_ast_call` / `resolve_ast_by_type` rules.
//!
//! BFCL's rules reproduced here: only keyword arguments of a call are kept (positional ones
//! are dropped); a call with keywords used as a value becomes `{name: {args}}`, one without
//! keywords becomes its `ast.unparse` text; names become their identifier string; a subscript
//! becomes `unparse(value) + "[" + unparse(slice) + "]"`; `...` becomes `"..."`; any unary
//! operator yields `-operand.value` (so `+5` gives `-5` and `not True` gives `-1`); binary
//! operations are evaluated (`eval`); attributes, comparisons, boolean operations, sets,
//! f-strings, lambdas and comprehensions as values fail the decoding.

use super::bigint::{BigInt, MAX_LIMBS, MAX_STR_DIGITS};
use super::types::{float_repr, str_repr, PyValue};
use std::fmt;

/// Why decoding failed (BFCL reports every such case as `ast_decoder:decoder_failed`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DecodeError {
    /// What went wrong.
    pub message: String,
}

fn err<T>(message: impl Into<String>) -> Result<T, DecodeError> {
    Err(DecodeError {
        message: message.into(),
    })
}

/// One decoded call: the function name and its keyword arguments in order (`None` is the key
/// of a `**mapping` argument, as in BFCL).
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Dotted function name (`a.b.c`).
    pub name: String,
    /// Keyword arguments in order.
    pub args: Vec<(Option<String>, PyValue)>,
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Int(i128),
    /// An integer literal too large for `i128`.
    BigInt(BigInt),
    Float(f64),
    Imag(f64),
    Str(String),
    Bytes(Vec<u8>),
    FStr(String),
    Op(&'static str),
    Newline,
    End,
}

const OPS3: &[&str] = &["**=", "//=", ">>=", "<<=", "..."];
const OPS2: &[&str] = &[
    "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=",
    "|=", "^=", "@=",
];
const OPS1: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "+", "-", "*", "/", "%", "&", "|", "^", "~",
    "<", ">", "=", "@",
];

pub(super) fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "False"
            | "None"
            | "True"
            | "and"
            | "as"
            | "assert"
            | "async"
            | "await"
            | "break"
            | "class"
            | "continue"
            | "def"
            | "del"
            | "elif"
            | "else"
            | "except"
            | "finally"
            | "for"
            | "from"
            | "global"
            | "if"
            | "import"
            | "in"
            | "is"
            | "lambda"
            | "nonlocal"
            | "not"
            | "or"
            | "pass"
            | "raise"
            | "return"
            | "try"
            | "while"
            | "with"
            | "yield"
    )
}

fn is_id_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_id_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

struct Lexer<'a> {
    src: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
    depth: usize,
}

impl<'a> Lexer<'a> {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).map(|&(_, c)| c)
    }

    fn byte_pos(&self) -> usize {
        self.chars.get(self.pos).map_or(self.src.len(), |&(b, _)| b)
    }

    fn tokenize(src: &'a str) -> Result<Vec<(Tok, usize, usize)>, DecodeError> {
        let mut lx = Lexer {
            src,
            chars: src.char_indices().collect(),
            pos: 0,
            depth: 0,
        };
        let mut out = Vec::new();
        loop {
            // Skip blanks, comments and (inside brackets) newlines.
            while let Some(c) = lx.peek(0) {
                match c {
                    ' ' | '\t' | '\x0c' => lx.pos += 1,
                    '#' => {
                        while let Some(c) = lx.peek(0) {
                            if c == '\n' || c == '\r' {
                                break;
                            }
                            lx.pos += 1;
                        }
                    }
                    '\\' => {
                        if lx.peek(1) == Some('\n') {
                            lx.pos += 2;
                        } else if lx.peek(1) == Some('\r') {
                            lx.pos += if lx.peek(2) == Some('\n') { 3 } else { 2 };
                        } else {
                            return err("unexpected character after line continuation character");
                        }
                    }
                    '\n' | '\r' if lx.depth > 0 => lx.pos += 1,
                    _ => break,
                }
            }
            let start = lx.byte_pos();
            let Some(c) = lx.peek(0) else {
                out.push((Tok::End, start, start));
                return Ok(out);
            };
            let tok = if c == '\n' || c == '\r' {
                lx.pos += 1;
                Tok::Newline
            } else if is_id_start(c) {
                let s = lx.pos;
                while lx.peek(0).is_some_and(is_id_continue) {
                    lx.pos += 1;
                }
                let word: String = lx.chars[s..lx.pos].iter().map(|&(_, c)| c).collect();
                let q = lx.peek(0);
                if (q == Some('\'') || q == Some('"')) && is_string_prefix(&word) {
                    lx.string(&word.to_ascii_lowercase())?
                } else {
                    Tok::Name(word)
                }
            } else if c.is_ascii_digit()
                || (c == '.' && lx.peek(1).is_some_and(|d| d.is_ascii_digit()))
            {
                lx.number()?
            } else if c == '\'' || c == '"' {
                lx.string("")?
            } else {
                let rest = &src.as_bytes()[start..];
                let op = if c.is_ascii() {
                    let first = rest.first().copied().unwrap_or(0);
                    let pick = |ops: &'static [&'static str]| {
                        ops.iter()
                            .find(|op| op.as_bytes()[0] == first && rest.starts_with(op.as_bytes()))
                    };
                    pick(OPS3).or_else(|| pick(OPS2)).or_else(|| pick(OPS1))
                } else {
                    None
                };
                match op {
                    Some(op) => {
                        lx.pos += op.len();
                        match *op {
                            "(" | "[" | "{" => lx.depth += 1,
                            ")" | "]" | "}" => {
                                if lx.depth == 0 {
                                    return err(format!("unmatched '{op}'"));
                                }
                                lx.depth -= 1;
                            }
                            _ => {}
                        }
                        Tok::Op(op)
                    }
                    None => return err(format!("invalid character {c:?}")),
                }
            };
            let end = lx.byte_pos();
            out.push((tok, start, end));
        }
    }

    fn number(&mut self) -> Result<Tok, DecodeError> {
        let s = self.pos;
        let text_of = |lx: &Lexer<'_>, a: usize, b: usize| -> String {
            lx.chars[a..b].iter().map(|&(_, c)| c).collect()
        };
        let c0 = self.peek(0);
        let c1 = self.peek(1).map(|c| c.to_ascii_lowercase());
        if c0 == Some('0') && matches!(c1, Some('x' | 'o' | 'b')) {
            let radix = match c1 {
                Some('x') => 16,
                Some('o') => 8,
                _ => 2,
            };
            self.pos += 2;
            let ds = self.pos;
            while self
                .peek(0)
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                self.pos += 1;
            }
            let body = text_of(self, ds, self.pos);
            if !valid_underscores(&body) || body.is_empty() {
                return err("invalid number literal");
            }
            let digits: String = body.chars().filter(|&c| c != '_').collect();
            if !digits.chars().all(|c| c.is_digit(radix)) {
                return err("invalid digit in number literal");
            }
            if let Ok(v) = i128::from_str_radix(&digits, radix) {
                return Ok(Tok::Int(v));
            }
            // Python has no limit for these bases; the cap bounds the quadratic conversion.
            if digits.len() > MAX_LIMBS * 9 {
                return err("integer literal too large");
            }
            return match BigInt::parse_radix(&digits, radix) {
                Some(v) => Ok(Tok::BigInt(v)),
                None => err("invalid digit in number literal"),
            };
        }
        let digits_run = |lx: &mut Lexer<'_>| {
            while lx.peek(0).is_some_and(|c| c.is_ascii_digit() || c == '_') {
                lx.pos += 1;
            }
        };
        digits_run(self);
        let int_end = self.pos;
        let mut is_float = false;
        if self.peek(0) == Some('.') {
            is_float = true;
            self.pos += 1;
            digits_run(self);
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(0), Some('+' | '-')) {
                self.pos += 1;
            }
            if self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                is_float = true;
                digits_run(self);
            } else {
                self.pos = save;
                return err("invalid decimal literal");
            }
        }
        let mut imag = false;
        if matches!(self.peek(0), Some('j' | 'J')) {
            imag = true;
            self.pos += 1;
        }
        if self.peek(0).is_some_and(is_id_continue) {
            return err("invalid decimal literal");
        }
        let text = text_of(self, s, self.pos);
        // Underscores only between digits.
        for part in text.split(['.', 'e', 'E', '+', '-', 'j', 'J']) {
            if !valid_underscores(part) {
                return err("invalid decimal literal");
            }
        }
        let clean: String = text
            .chars()
            .filter(|&c| c != '_' && c != 'j' && c != 'J')
            .collect();
        if imag {
            return Ok(Tok::Imag(clean.parse::<f64>().unwrap_or(f64::INFINITY)));
        }
        if is_float {
            return Ok(Tok::Float(clean.parse::<f64>().unwrap_or(f64::INFINITY)));
        }
        let int_text = text_of(self, s, int_end).replace('_', "");
        if int_text.len() > 1 && int_text.starts_with('0') && int_text.chars().any(|c| c != '0') {
            return err("leading zeros in decimal integer literals are not permitted");
        }
        match PyValue::int_from_decimal(false, &int_text) {
            Some(PyValue::Int(v)) => Ok(Tok::Int(v)),
            Some(PyValue::BigInt(v)) => Ok(Tok::BigInt(v)),
            _ => err(format!(
                "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion: value has {} digits",
                int_text.len()
            )),
        }
    }

    fn string(&mut self, prefix: &str) -> Result<Tok, DecodeError> {
        let raw = prefix.contains('r');
        let bytes = prefix.contains('b');
        let fstr = prefix.contains('f');
        let Some(q) = self.peek(0) else {
            return err("unterminated string literal");
        };
        let triple = self.peek(1) == Some(q) && self.peek(2) == Some(q);
        self.pos += if triple { 3 } else { 1 };
        let body_start = self.pos;
        loop {
            let Some(c) = self.peek(0) else {
                return err("unterminated string literal");
            };
            if c == '\\' {
                if self.peek(1).is_none() {
                    return err("unterminated string literal");
                }
                self.pos += 2;
                continue;
            }
            if (c == '\n' || c == '\r') && !triple {
                return err("unterminated string literal");
            }
            if c == q && (!triple || (self.peek(1) == Some(q) && self.peek(2) == Some(q))) {
                break;
            }
            self.pos += 1;
        }
        let body: String = self.chars[body_start..self.pos]
            .iter()
            .map(|&(_, c)| c)
            .collect();
        self.pos += if triple { 3 } else { 1 };
        // Python normalises newlines in source to "\n".
        let body = body.replace("\r\n", "\n").replace('\r', "\n");
        if fstr {
            return Ok(Tok::FStr(body));
        }
        if bytes {
            if !body.is_ascii() {
                return err("bytes can only contain ASCII literal characters");
            }
            let s = if raw { body } else { unescape(&body, true)? };
            return Ok(Tok::Bytes(s.chars().map(|c| c as u32 as u8).collect()));
        }
        Ok(Tok::Str(if raw { body } else { unescape(&body, false)? }))
    }
}

fn valid_underscores(s: &str) -> bool {
    !(s.starts_with('_') || s.ends_with('_') || s.contains("__"))
}

fn is_string_prefix(w: &str) -> bool {
    matches!(
        w.to_ascii_lowercase().as_str(),
        "r" | "u" | "b" | "f" | "br" | "rb" | "fr" | "rf"
    )
}

pub(super) fn unescape(s: &str, bytes: bool) -> Result<String, DecodeError> {
    let mut out = String::with_capacity(s.len());
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c != '\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&e) = cs.get(i + 1) else {
            out.push('\\');
            break;
        };
        i += 2;
        match e {
            '\n' => {}
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                let mut n = 1;
                while n < 3 && cs.get(i).is_some_and(|c| c.is_digit(8)) {
                    v = v * 8 + cs[i].to_digit(8).unwrap_or(0);
                    i += 1;
                    n += 1;
                }
                if bytes {
                    out.push(char::from((v & 0xff) as u8));
                } else {
                    out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                }
            }
            'x' | 'u' | 'U' if !(bytes && e != 'x') => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = cs.iter().skip(i).take(n).collect();
                if hex.chars().count() != n || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return err(format!("truncated \\{e} escape"));
                }
                i += n;
                let v = u32::from_str_radix(&hex, 16).unwrap_or(0);
                if v > 0x10ffff {
                    return err("illegal Unicode character");
                }
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'N' if !bytes => {
                // Named escapes need Unicode's name table; keep the text (documented gap).
                out.push('\\');
                out.push('N');
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Syntax tree

/// A constant of the tree (`ast.Constant`).
#[derive(Debug, Clone)]
enum Const {
    Value(PyValue),
    Ellipsis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnOp {
    Neg,
    Pos,
    Invert,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    MatMul,
    LShift,
    RShift,
    BitOr,
    BitXor,
    BitAnd,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::MatMul => "@",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::BitAnd => "&",
        }
    }

    fn prec(self) -> u8 {
        match self {
            BinOp::BitOr => P_BOR,
            BinOp::BitXor => P_BXOR,
            BinOp::BitAnd => P_BAND,
            BinOp::LShift | BinOp::RShift => P_SHIFT,
            BinOp::Add | BinOp::Sub => P_ARITH,
            BinOp::Pow => P_POWER,
            _ => P_TERM,
        }
    }
}

#[derive(Debug, Clone)]
enum Expr {
    Const(Const),
    /// f-string with its source text (for unparsing).
    JoinedStr(String),
    Name(String),
    Attribute(Box<Expr>, String),
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        keywords: Vec<(Option<String>, Expr)>,
    },
    Subscript(Box<Expr>, Box<Expr>),
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    Unary(UnOp, Box<Expr>),
    Bin(Box<Expr>, BinOp, Box<Expr>),
    BoolOp(bool, Vec<Expr>),
    Compare(Box<Expr>, Vec<(&'static str, Expr)>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Set(Vec<Expr>),
    Dict(Vec<(Option<Expr>, Expr)>),
    Starred(Box<Expr>),
    Walrus(Box<Expr>, Box<Expr>),
    IfExp(Box<Expr>, Box<Expr>, Box<Expr>),
    /// Lambdas and comprehensions, kept as source text.
    Opaque(String),
}

// Precedences of `ast.unparse` (`_Precedence`).
const P_TUPLE: u8 = 1;
const P_TEST: u8 = 3;
const P_OR: u8 = 4;
const P_AND: u8 = 5;
const P_NOT: u8 = 6;
const P_CMP: u8 = 7;
const P_BOR: u8 = 8;
const P_BXOR: u8 = 9;
const P_BAND: u8 = 10;
const P_SHIFT: u8 = 11;
const P_ARITH: u8 = 12;
const P_TERM: u8 = 13;
const P_FACTOR: u8 = 14;
const P_POWER: u8 = 15;
const P_ATOM: u8 = 17;

struct Parser<'a> {
    src: &'a str,
    toks: Vec<(Tok, usize, usize)>,
    pos: usize,
    nesting: usize,
}

const MAX_NESTING: usize = 200;

impl<'a> Parser<'a> {
    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).map_or(&Tok::End, |t| &t.0)
    }

    fn peek_at(&self, k: usize) -> &Tok {
        self.toks.get(self.pos + k).map_or(&Tok::End, |t| &t.0)
    }

    fn start(&self) -> usize {
        self.toks.get(self.pos).map_or(self.src.len(), |t| t.1)
    }

    fn prev_end(&self) -> usize {
        if self.pos == 0 {
            return 0;
        }
        self.toks.get(self.pos - 1).map_or(self.src.len(), |t| t.2)
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if n == kw)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if self.is_op(op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_op(&mut self, op: &str) -> Result<(), DecodeError> {
        if self.eat_op(op) {
            Ok(())
        } else {
            err(format!("invalid syntax: expected '{op}'"))
        }
    }

    fn enter(&mut self) -> Result<(), DecodeError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return err("too many nested parentheses");
        }
        Ok(())
    }

    /// `eval` input: expressions NEWLINE* ENDMARKER.
    fn parse_eval(&mut self) -> Result<Expr, DecodeError> {
        let e = self.expressions()?;
        while matches!(self.peek(), Tok::Newline) {
            self.pos += 1;
        }
        if !matches!(self.peek(), Tok::End) {
            return err("invalid syntax");
        }
        Ok(e)
    }

    /// expression (',' expression)* [','] → a tuple when there is a comma.
    fn expressions(&mut self) -> Result<Expr, DecodeError> {
        let first = self.expression()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.starts_expression() {
                items.push(self.expression()?);
            } else {
                break;
            }
        }
        Ok(Expr::Tuple(items))
    }

    fn starts_expression(&self) -> bool {
        match self.peek() {
            Tok::Name(n) => {
                !is_keyword(n)
                    || matches!(
                        n.as_str(),
                        "None" | "True" | "False" | "not" | "lambda" | "await"
                    )
            }
            Tok::Op(o) => matches!(*o, "(" | "[" | "{" | "-" | "+" | "~" | "..."),
            Tok::Newline | Tok::End => false,
            _ => true,
        }
    }

    fn expression(&mut self) -> Result<Expr, DecodeError> {
        self.enter()?;
        let r = self.expression_inner();
        self.nesting -= 1;
        r
    }

    fn expression_inner(&mut self) -> Result<Expr, DecodeError> {
        if self.is_kw("lambda") {
            return self.lambda();
        }
        let body = self.disjunction()?;
        if self.eat_kw("if") {
            let test = self.disjunction()?;
            if !self.eat_kw("else") {
                return err("expected 'else' after 'if' expression");
            }
            let orelse = self.expression()?;
            return Ok(Expr::IfExp(
                Box::new(test),
                Box::new(body),
                Box::new(orelse),
            ));
        }
        Ok(body)
    }

    fn lambda(&mut self) -> Result<Expr, DecodeError> {
        let s = self.start();
        self.pos += 1;
        // Parameters: names with optional defaults, '*', '**', '/', separated by commas.
        while !self.is_op(":") {
            if self.eat_op("*") || self.eat_op("**") || self.eat_op("/") {
            } else if let Tok::Name(n) = self.peek().clone() {
                if is_keyword(&n) {
                    return err("invalid syntax in lambda parameters");
                }
                self.pos += 1;
                if self.eat_op("=") {
                    self.expression()?;
                }
            } else {
                return err("invalid syntax in lambda parameters");
            }
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op(":")?;
        self.expression()?;
        Ok(Expr::Opaque(self.src[s..self.prev_end()].to_string()))
    }

    fn named_expression(&mut self) -> Result<Expr, DecodeError> {
        if let (Tok::Name(n), Tok::Op(":=")) = (self.peek().clone(), self.peek_at(1)) {
            if is_keyword(&n) {
                return err("cannot use assignment expressions with keyword");
            }
            self.pos += 2;
            let v = self.expression()?;
            return Ok(Expr::Walrus(Box::new(Expr::Name(n)), Box::new(v)));
        }
        self.expression()
    }

    fn star_named_expression(&mut self) -> Result<Expr, DecodeError> {
        if self.eat_op("*") {
            let v = self.bitwise_or()?;
            return Ok(Expr::Starred(Box::new(v)));
        }
        self.named_expression()
    }

    fn disjunction(&mut self) -> Result<Expr, DecodeError> {
        let first = self.conjunction()?;
        if !self.is_kw("or") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_kw("or") {
            items.push(self.conjunction()?);
        }
        Ok(Expr::BoolOp(false, items))
    }

    fn conjunction(&mut self) -> Result<Expr, DecodeError> {
        let first = self.inversion()?;
        if !self.is_kw("and") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_kw("and") {
            items.push(self.inversion()?);
        }
        Ok(Expr::BoolOp(true, items))
    }

    fn inversion(&mut self) -> Result<Expr, DecodeError> {
        if self.eat_kw("not") {
            self.enter()?;
            let v = self.inversion();
            self.nesting -= 1;
            return Ok(Expr::Unary(UnOp::Not, Box::new(v?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, DecodeError> {
        let left = self.bitwise_or()?;
        let mut ops = Vec::new();
        loop {
            let op: &'static str = match self.peek() {
                Tok::Op("==") => "==",
                Tok::Op("!=") => "!=",
                Tok::Op("<") => "<",
                Tok::Op("<=") => "<=",
                Tok::Op(">") => ">",
                Tok::Op(">=") => ">=",
                Tok::Name(n) if n == "in" => "in",
                Tok::Name(n) if n == "is" => {
                    if matches!(self.peek_at(1), Tok::Name(m) if m == "not") {
                        self.pos += 1;
                        "is not"
                    } else {
                        "is"
                    }
                }
                Tok::Name(n) if n == "not" => {
                    if matches!(self.peek_at(1), Tok::Name(m) if m == "in") {
                        self.pos += 1;
                        "not in"
                    } else {
                        break;
                    }
                }
                _ => break,
            };
            self.pos += 1;
            ops.push((op, self.bitwise_or()?));
        }
        if ops.is_empty() {
            Ok(left)
        } else {
            Ok(Expr::Compare(Box::new(left), ops))
        }
    }

    fn binop_at(&self) -> Option<BinOp> {
        let Tok::Op(o) = self.peek() else {
            return None;
        };
        Some(match *o {
            "|" => BinOp::BitOr,
            "^" => BinOp::BitXor,
            "&" => BinOp::BitAnd,
            "<<" => BinOp::LShift,
            ">>" => BinOp::RShift,
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            "//" => BinOp::FloorDiv,
            "%" => BinOp::Mod,
            "@" => BinOp::MatMul,
            _ => return None,
        })
    }

    /// Binary operators from `|` to `*` by precedence climbing (all left-associative).
    fn binary_climb(&mut self, min: u8) -> Result<Expr, DecodeError> {
        let mut left = self.factor()?;
        while let Some(op) = self.binop_at() {
            let p = op.prec();
            if p < min {
                break;
            }
            self.pos += 1;
            let right = self.binary_climb(p + 1)?;
            left = Expr::Bin(Box::new(left), op, Box::new(right));
        }
        Ok(left)
    }

    fn bitwise_or(&mut self) -> Result<Expr, DecodeError> {
        self.binary_climb(P_BOR)
    }

    fn factor(&mut self) -> Result<Expr, DecodeError> {
        let op = match self.peek() {
            Tok::Op("-") => UnOp::Neg,
            Tok::Op("+") => UnOp::Pos,
            Tok::Op("~") => UnOp::Invert,
            _ => return self.power(),
        };
        self.pos += 1;
        self.enter()?;
        let v = self.factor();
        self.nesting -= 1;
        Ok(Expr::Unary(op, Box::new(v?)))
    }

    fn power(&mut self) -> Result<Expr, DecodeError> {
        if self.is_kw("await") {
            return err("'await' outside function");
        }
        let base = self.primary()?;
        if self.eat_op("**") {
            self.enter()?;
            let exp = self.factor();
            self.nesting -= 1;
            return Ok(Expr::Bin(Box::new(base), BinOp::Pow, Box::new(exp?)));
        }
        Ok(base)
    }

    fn primary(&mut self) -> Result<Expr, DecodeError> {
        let mut e = self.atom()?;
        loop {
            if self.eat_op(".") {
                match self.peek().clone() {
                    Tok::Name(n) if !is_keyword(&n) => {
                        self.pos += 1;
                        e = Expr::Attribute(Box::new(e), n);
                    }
                    _ => return err("invalid syntax after '.'"),
                }
            } else if self.is_op("(") {
                self.pos += 1;
                self.enter()?;
                let r = self.call_args(e);
                self.nesting -= 1;
                e = r?;
            } else if self.is_op("[") {
                self.pos += 1;
                self.enter()?;
                let r = self.slices();
                self.nesting -= 1;
                let slice = r?;
                self.expect_op("]")?;
                e = Expr::Subscript(Box::new(e), Box::new(slice));
            } else {
                break;
            }
        }
        Ok(e)
    }

    fn call_args(&mut self, func: Expr) -> Result<Expr, DecodeError> {
        let mut args = Vec::new();
        let mut keywords: Vec<(Option<String>, Expr)> = Vec::new();
        let mut seen_kwunpack = false;
        let start_tok = self.pos;
        while !self.is_op(")") {
            if self.eat_op("**") {
                let v = self.expression()?;
                keywords.push((None, v));
                seen_kwunpack = true;
            } else if self.eat_op("*") {
                if seen_kwunpack {
                    return err("iterable argument unpacking follows keyword argument unpacking");
                }
                let v = self.expression()?;
                args.push(Expr::Starred(Box::new(v)));
            } else if matches!((self.peek(), self.peek_at(1)), (Tok::Name(_), Tok::Op("="))) {
                let n = match self.toks.get_mut(self.pos) {
                    Some(t) => match std::mem::replace(&mut t.0, Tok::Op("<name>")) {
                        Tok::Name(n) => n,
                        _ => String::new(),
                    },
                    None => String::new(),
                };
                if is_keyword(&n) {
                    return err("expression cannot contain assignment");
                }
                self.pos += 2;
                let v = self.expression()?;
                // A repeated keyword parses since Python 3.9 (`resolve_call` keeps the last
                // value, as BFCL's dict assignment does).
                keywords.push((Some(n), v));
            } else {
                let v = self.named_expression()?;
                if self.is_kw("for") || self.is_kw("async") {
                    // A generator expression as the sole argument.
                    let s = self.toks.get(start_tok).map_or(0, |t| t.1);
                    self.comp_for()?;
                    if !args.is_empty() || !keywords.is_empty() || !self.is_op(")") {
                        return err("Generator expression must be parenthesized");
                    }
                    args.push(Expr::Opaque(format!("({})", &self.src[s..self.prev_end()])));
                    break;
                }
                if !keywords.is_empty() {
                    return err(if seen_kwunpack {
                        "positional argument follows keyword argument unpacking"
                    } else {
                        "positional argument follows keyword argument"
                    });
                }
                args.push(v);
            }
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op(")")?;
        Ok(Expr::Call {
            func: Box::new(func),
            args,
            keywords,
        })
    }

    fn slices(&mut self) -> Result<Expr, DecodeError> {
        let first = self.slice()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.is_op("]") {
                break;
            }
            items.push(self.slice()?);
        }
        Ok(Expr::Tuple(items))
    }

    fn slice(&mut self) -> Result<Expr, DecodeError> {
        if self.is_op("*") {
            return self.star_named_expression();
        }
        let lower = if self.is_op(":") {
            None
        } else {
            let e = self.named_expression()?;
            if !self.is_op(":") {
                return Ok(e);
            }
            Some(Box::new(e))
        };
        self.expect_op(":")?;
        let upper = if self.is_op(":") || self.is_op(",") || self.is_op("]") {
            None
        } else {
            Some(Box::new(self.expression()?))
        };
        let step = if self.eat_op(":") {
            if self.is_op(",") || self.is_op("]") {
                None
            } else {
                Some(Box::new(self.expression()?))
            }
        } else {
            None
        };
        Ok(Expr::Slice(lower, upper, step))
    }

    /// for_if_clauses (syntax only).
    fn comp_for(&mut self) -> Result<(), DecodeError> {
        let mut any = false;
        loop {
            self.eat_kw("async");
            if !self.eat_kw("for") {
                break;
            }
            any = true;
            // Targets: star_targets up to 'in'.
            loop {
                self.eat_op("*");
                self.bitwise_or()?;
                if !self.eat_op(",") || self.is_kw("in") {
                    break;
                }
            }
            if !self.eat_kw("in") {
                return err("invalid syntax: expected 'in'");
            }
            self.disjunction()?;
            while self.eat_kw("if") {
                self.disjunction()?;
            }
        }
        if any {
            Ok(())
        } else {
            err("invalid syntax")
        }
    }

    fn atom(&mut self) -> Result<Expr, DecodeError> {
        let start = self.start();
        let tok = match self.toks.get_mut(self.pos) {
            Some(t) if matches!(t.0, Tok::Name(_)) => {
                std::mem::replace(&mut t.0, Tok::Op("<name>"))
            }
            Some(t) => t.0.clone(),
            None => Tok::End,
        };
        match tok {
            Tok::Name(n) => {
                self.pos += 1;
                match n.as_str() {
                    "None" => Ok(Expr::Const(Const::Value(PyValue::None))),
                    "True" => Ok(Expr::Const(Const::Value(PyValue::Bool(true)))),
                    "False" => Ok(Expr::Const(Const::Value(PyValue::Bool(false)))),
                    k if is_keyword(k) => err(format!("invalid syntax near '{k}'")),
                    _ => Ok(Expr::Name(n)),
                }
            }
            Tok::Int(i) => {
                self.pos += 1;
                Ok(Expr::Const(Const::Value(PyValue::Int(i))))
            }
            Tok::BigInt(v) => {
                self.pos += 1;
                Ok(Expr::Const(Const::Value(PyValue::BigInt(v))))
            }
            Tok::Float(f) => {
                self.pos += 1;
                Ok(Expr::Const(Const::Value(PyValue::Float(f))))
            }
            Tok::Imag(f) => {
                self.pos += 1;
                Ok(Expr::Const(Const::Value(PyValue::Complex(0.0, f))))
            }
            Tok::Str(_) | Tok::Bytes(_) | Tok::FStr(_) => self.strings(),
            Tok::Op("...") => {
                self.pos += 1;
                Ok(Expr::Const(Const::Ellipsis))
            }
            Tok::Op("(") => {
                self.pos += 1;
                self.enter()?;
                let r = self.paren(start);
                self.nesting -= 1;
                r
            }
            Tok::Op("[") => {
                self.pos += 1;
                self.enter()?;
                let r = self.list(start);
                self.nesting -= 1;
                r
            }
            Tok::Op("{") => {
                self.pos += 1;
                self.enter()?;
                let r = self.brace(start);
                self.nesting -= 1;
                r
            }
            _ => err("invalid syntax"),
        }
    }

    fn strings(&mut self) -> Result<Expr, DecodeError> {
        let start = self.start();
        let mut s = String::new();
        let mut b: Vec<u8> = Vec::new();
        let (mut has_str, mut has_bytes, mut has_f) = (false, false, false);
        loop {
            match self.peek().clone() {
                Tok::Str(x) => {
                    has_str = true;
                    s.push_str(&x);
                }
                Tok::FStr(_) => has_f = true,
                Tok::Bytes(x) => {
                    has_bytes = true;
                    b.extend_from_slice(&x);
                }
                _ => break,
            }
            self.pos += 1;
        }
        if has_bytes && (has_str || has_f) {
            return err("cannot mix bytes and nonbytes literals");
        }
        if has_f {
            return Ok(Expr::JoinedStr(
                self.src[start..self.prev_end()].to_string(),
            ));
        }
        if has_bytes {
            return Ok(Expr::Const(Const::Value(PyValue::Bytes(b))));
        }
        Ok(Expr::Const(Const::Value(PyValue::Str(s))))
    }

    fn paren(&mut self, start: usize) -> Result<Expr, DecodeError> {
        if self.eat_op(")") {
            return Ok(Expr::Tuple(Vec::new()));
        }
        if self.is_kw("yield") {
            return err("'yield' outside function");
        }
        let first = self.star_named_expression()?;
        if self.is_kw("for") || self.is_kw("async") {
            self.comp_for()?;
            self.expect_op(")")?;
            return Ok(Expr::Opaque(self.src[start..self.prev_end()].to_string()));
        }
        if self.eat_op(")") {
            if matches!(first, Expr::Starred(_)) {
                return err("cannot use starred expression here");
            }
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.is_op(")") {
                break;
            }
            items.push(self.star_named_expression()?);
        }
        self.expect_op(")")?;
        Ok(Expr::Tuple(items))
    }

    fn list(&mut self, start: usize) -> Result<Expr, DecodeError> {
        let mut items = Vec::new();
        while !self.is_op("]") {
            let e = self.star_named_expression()?;
            if items.is_empty() && (self.is_kw("for") || self.is_kw("async")) {
                self.comp_for()?;
                self.expect_op("]")?;
                return Ok(Expr::Opaque(self.src[start..self.prev_end()].to_string()));
            }
            items.push(e);
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op("]")?;
        Ok(Expr::List(items))
    }

    fn brace(&mut self, start: usize) -> Result<Expr, DecodeError> {
        if self.eat_op("}") {
            return Ok(Expr::Dict(Vec::new()));
        }
        // Dict when the first item is `k: v` or `**m`, else set.
        if self.eat_op("**") {
            let v = self.bitwise_or()?;
            return self.dict_rest(start, vec![(None, v)]);
        }
        let first = self.star_named_expression()?;
        if self.eat_op(":") {
            let v = self.expression()?;
            if self.is_kw("for") || self.is_kw("async") {
                self.comp_for()?;
                self.expect_op("}")?;
                return Ok(Expr::Opaque(self.src[start..self.prev_end()].to_string()));
            }
            return self.dict_rest(start, vec![(Some(first), v)]);
        }
        if self.is_kw("for") || self.is_kw("async") {
            self.comp_for()?;
            self.expect_op("}")?;
            return Ok(Expr::Opaque(self.src[start..self.prev_end()].to_string()));
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.is_op("}") {
                break;
            }
            items.push(self.star_named_expression()?);
        }
        self.expect_op("}")?;
        Ok(Expr::Set(items))
    }

    fn dict_rest(
        &mut self,
        _start: usize,
        mut items: Vec<(Option<Expr>, Expr)>,
    ) -> Result<Expr, DecodeError> {
        while self.eat_op(",") {
            if self.is_op("}") {
                break;
            }
            if self.eat_op("**") {
                let v = self.bitwise_or()?;
                items.push((None, v));
            } else {
                let k = self.expression()?;
                self.expect_op(":")?;
                let v = self.expression()?;
                items.push((Some(k), v));
            }
        }
        self.expect_op("}")?;
        Ok(Expr::Dict(items))
    }
}

// ---------------------------------------------------------------------------------------------
// BFCL's resolution of the tree

fn resolve_call(func: &Expr, keywords: &[(Option<String>, Expr)]) -> Result<Call, DecodeError> {
    let mut parts = Vec::new();
    let mut f = func;
    while let Expr::Attribute(v, attr) = f {
        parts.push(attr.as_str());
        f = v;
    }
    if let Expr::Name(n) = f {
        parts.push(n.as_str());
    }
    parts.reverse();
    let name = parts.join(".");
    let mut args: Vec<(Option<String>, PyValue)> = Vec::with_capacity(keywords.len());
    for (k, v) in keywords {
        let value = resolve_value(v)?;
        if let Some(slot) = args.iter_mut().find(|(k2, _)| k2 == k) {
            slot.1 = value;
        } else {
            args.push((k.clone(), value));
        }
    }
    Ok(Call { name, args })
}

fn call_to_value(c: Call) -> PyValue {
    let args = c
        .args
        .into_iter()
        .map(|(k, v)| (k.map_or(PyValue::None, PyValue::Str), v))
        .collect();
    PyValue::Dict(vec![(PyValue::Str(c.name), PyValue::Dict(args))])
}

pub(super) fn hashable(v: &PyValue) -> bool {
    match v {
        PyValue::List(_) | PyValue::Dict(_) => false,
        PyValue::Tuple(items) => items.iter().all(hashable),
        _ => true,
    }
}

fn unsupported(kind: &str) -> DecodeError {
    DecodeError {
        message: format!("Unsupported AST type: <class 'ast.{kind}'>"),
    }
}

fn resolve_value(e: &Expr) -> Result<PyValue, DecodeError> {
    match e {
        Expr::Const(Const::Value(v)) => Ok(v.clone()),
        Expr::Const(Const::Ellipsis) => Ok(PyValue::Str("...".into())),
        Expr::Unary(_, operand) => match &**operand {
            // `-value.operand.value`, whatever the operator.
            Expr::Const(Const::Value(v)) => negate(v),
            Expr::Const(Const::Ellipsis) => err("bad operand type for unary -: 'ellipsis'"),
            Expr::Attribute(..) | Expr::Subscript(..) | Expr::Walrus(..) => {
                err("bad operand type for unary -: 'Name'")
            }
            _ => err("'UnaryOp' object has no attribute 'value'"),
        },
        Expr::List(items) => items
            .iter()
            .map(resolve_value)
            .collect::<Result<_, _>>()
            .map(PyValue::List),
        Expr::Tuple(items) => items
            .iter()
            .map(resolve_value)
            .collect::<Result<_, _>>()
            .map(PyValue::Tuple),
        Expr::Dict(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (k, v) in items {
                let Some(k) = k else {
                    return Err(unsupported("NoneType"));
                };
                let key = resolve_value(k)?;
                let value = resolve_value(v)?;
                if !hashable(&key) {
                    return err(format!("unhashable type: '{}'", key.py_type().name()));
                }
                PyValue::dict_insert(&mut out, key, value);
            }
            Ok(PyValue::Dict(out))
        }
        Expr::Bin(..) => eval(e),
        Expr::Name(n) => Ok(PyValue::Str(n.clone())),
        Expr::Call { func, keywords, .. } => {
            if keywords.is_empty() {
                Ok(PyValue::Str(unparse(e)))
            } else {
                resolve_call(func, keywords).map(call_to_value)
            }
        }
        Expr::Subscript(v, s) => Ok(PyValue::Str(format!("{}[{}]", unparse(v), unparse(s)))),
        Expr::Opaque(text) if text.starts_with("lambda") => {
            err("'Lambda' object has no attribute 'body'")
        }
        Expr::Opaque(_) => Err(unsupported("comprehension")),
        Expr::JoinedStr(_) => Err(unsupported("JoinedStr")),
        Expr::Attribute(..) => Err(unsupported("Attribute")),
        Expr::Compare(..) => Err(unsupported("Compare")),
        Expr::BoolOp(..) => Err(unsupported("BoolOp")),
        Expr::Set(_) => Err(unsupported("Set")),
        Expr::Starred(_) => Err(unsupported("Starred")),
        Expr::Walrus(..) => Err(unsupported("NamedExpr")),
        Expr::IfExp(..) => Err(unsupported("IfExp")),
        Expr::Slice(..) => Err(unsupported("Slice")),
    }
}

pub(super) fn negate(v: &PyValue) -> Result<PyValue, DecodeError> {
    match v {
        PyValue::Int(i) => Ok(i.checked_neg().map_or_else(
            || PyValue::from_bigint(BigInt::from_i128(*i).negated()),
            PyValue::Int,
        )),
        PyValue::BigInt(b) => Ok(PyValue::from_bigint(b.clone().negated())),
        PyValue::Bool(b) => Ok(PyValue::Int(-i128::from(*b))),
        PyValue::Float(f) => Ok(PyValue::Float(-f)),
        PyValue::Complex(r, i) => Ok(PyValue::Complex(-r, -i)),
        other => err(format!(
            "bad operand type for unary -: '{}'",
            other.py_type().name()
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// `eval` of binary operations (constants, displays, unary and binary operators only; names,
// calls and the rest raise, as `NameError`s would in BFCL's process for unknown names)

fn eval(e: &Expr) -> Result<PyValue, DecodeError> {
    match e {
        Expr::Const(Const::Value(v)) => Ok(v.clone()),
        Expr::Const(Const::Ellipsis) => err("unsupported operand: Ellipsis"),
        Expr::List(items) => items
            .iter()
            .map(eval)
            .collect::<Result<_, _>>()
            .map(PyValue::List),
        Expr::Tuple(items) => items
            .iter()
            .map(eval)
            .collect::<Result<_, _>>()
            .map(PyValue::Tuple),
        Expr::Dict(items) => {
            let mut out = Vec::new();
            for (k, v) in items {
                let Some(k) = k else {
                    return err("dict unpacking in eval is not supported");
                };
                let key = eval(k)?;
                if !hashable(&key) {
                    return err("unhashable type");
                }
                let value = eval(v)?;
                PyValue::dict_insert(&mut out, key, value);
            }
            Ok(PyValue::Dict(out))
        }
        Expr::Unary(op, v) => {
            let v = eval(v)?;
            match op {
                UnOp::Neg => negate(&v),
                UnOp::Pos => match v {
                    PyValue::Bool(b) => Ok(PyValue::Int(i128::from(b))),
                    PyValue::Int(_)
                    | PyValue::BigInt(_)
                    | PyValue::Float(_)
                    | PyValue::Complex(..) => Ok(v),
                    _ => err("bad operand type for unary +"),
                },
                UnOp::Invert => match v {
                    PyValue::Bool(b) => Ok(PyValue::Int(!i128::from(b))),
                    PyValue::Int(i) => Ok(PyValue::Int(!i)),
                    // `~x == -x - 1`.
                    PyValue::BigInt(b) => {
                        Ok(PyValue::from_bigint(b.negated().sub(&BigInt::from_i128(1))))
                    }
                    _ => err("bad operand type for unary ~"),
                },
                UnOp::Not => Ok(PyValue::Bool(!truthy(&v))),
            }
        }
        Expr::Bin(l, op, r) => {
            let (l, r) = (eval(l)?, eval(r)?);
            binop(&l, *op, &r)
        }
        Expr::Name(n) => err(format!("name '{n}' is not defined")),
        _ => err("unsupported expression in eval"),
    }
}

fn truthy(v: &PyValue) -> bool {
    match v {
        PyValue::None => false,
        PyValue::Bool(b) => *b,
        PyValue::Int(i) => *i != 0,
        PyValue::BigInt(_) => true,
        PyValue::Float(f) => *f != 0.0,
        PyValue::Complex(r, i) => *r != 0.0 || *i != 0.0,
        PyValue::Str(s) => !s.is_empty(),
        PyValue::Bytes(b) => !b.is_empty(),
        PyValue::List(a) | PyValue::Tuple(a) => !a.is_empty(),
        PyValue::Dict(a) => !a.is_empty(),
    }
}

fn as_int(v: &PyValue) -> Option<i128> {
    match v {
        PyValue::Int(i) => Some(*i),
        PyValue::Bool(b) => Some(i128::from(*b)),
        _ => None,
    }
}

/// An int operand of any size.
fn as_big(v: &PyValue) -> Option<BigInt> {
    match v {
        PyValue::BigInt(b) => Some(b.clone()),
        other => as_int(other).map(BigInt::from_i128),
    }
}

/// A float operand (`None` for a big int too large for a float, where Python raises).
fn as_float(v: &PyValue) -> Option<f64> {
    match v {
        PyValue::Float(f) => Some(*f),
        PyValue::BigInt(b) => b.to_f64(),
        other => as_int(other).map(|i| i as f64),
    }
}

fn overflow() -> DecodeError {
    DecodeError {
        message: "integer overflow".into(),
    }
}

fn repeat(items: &[PyValue], n: i128) -> Result<Vec<PyValue>, DecodeError> {
    let n = usize::try_from(n.max(0)).map_err(|_| overflow())?;
    if items.len().saturating_mul(n) > 1 << 24 {
        return Err(overflow());
    }
    Ok(items
        .iter()
        .cloned()
        .cycle()
        .take(items.len() * n)
        .collect())
}

fn binop(l: &PyValue, op: BinOp, r: &PyValue) -> Result<PyValue, DecodeError> {
    use PyValue as V;
    // Sequences.
    match (l, op, r) {
        (V::Str(a), BinOp::Add, V::Str(b)) => return Ok(V::Str(format!("{a}{b}"))),
        (V::Bytes(a), BinOp::Add, V::Bytes(b)) => return Ok(V::Bytes([&a[..], &b[..]].concat())),
        (V::List(a), BinOp::Add, V::List(b)) => return Ok(V::List([&a[..], &b[..]].concat())),
        (V::Tuple(a), BinOp::Add, V::Tuple(b)) => return Ok(V::Tuple([&a[..], &b[..]].concat())),
        (V::Str(s), BinOp::Mul, n) | (n, BinOp::Mul, V::Str(s)) if as_int(n).is_some() => {
            let n = usize::try_from(as_int(n).unwrap_or(0).max(0)).map_err(|_| overflow())?;
            if s.len().saturating_mul(n) > 1 << 24 {
                return Err(overflow());
            }
            return Ok(V::Str(s.repeat(n)));
        }
        (V::List(a), BinOp::Mul, n) | (n, BinOp::Mul, V::List(a)) if as_int(n).is_some() => {
            return repeat(a, as_int(n).unwrap_or(0)).map(V::List);
        }
        (V::Tuple(a), BinOp::Mul, n) | (n, BinOp::Mul, V::Tuple(a)) if as_int(n).is_some() => {
            return repeat(a, as_int(n).unwrap_or(0)).map(V::Tuple);
        }
        _ => {}
    }
    if let (Some(a), Some(b)) = (as_int(l), as_int(r)) {
        let both_bool = matches!((l, r), (V::Bool(_), V::Bool(_)));
        // Past i128, Python's ints go on growing: the big-int path.
        let or_big = |v: Option<i128>| v.map_or_else(|| big_binop(l, op, r), |v| Ok(V::Int(v)));
        return match op {
            BinOp::Add => or_big(a.checked_add(b)),
            BinOp::Sub => or_big(a.checked_sub(b)),
            BinOp::Mul => or_big(a.checked_mul(b)),
            BinOp::Div => {
                if b == 0 {
                    err("division by zero")
                } else {
                    Ok(V::Float(a as f64 / b as f64))
                }
            }
            BinOp::FloorDiv => {
                if b == 0 {
                    err("integer division or modulo by zero")
                } else if b == -1 {
                    // The one quotient past i128 (`i128::MIN // -1`).
                    Ok(a.checked_neg()
                        .map_or_else(|| V::from_bigint(BigInt::from_i128(a).negated()), V::Int))
                } else {
                    Ok(V::Int(
                        a.div_euclid(b) - i128::from(b < 0 && a.rem_euclid(b) != 0),
                    ))
                }
            }
            BinOp::Mod => {
                if b == 0 {
                    err("integer division or modulo by zero")
                } else if b == -1 {
                    // `rem_euclid` overflows on `i128::MIN % -1`.
                    Ok(V::Int(0))
                } else {
                    let m = a.rem_euclid(b);
                    Ok(V::Int(if b < 0 && m != 0 { m + b } else { m }))
                }
            }
            BinOp::Pow => {
                if b < 0 {
                    if a == 0 {
                        return err("0.0 cannot be raised to a negative power");
                    }
                    Ok(V::Float((a as f64).powf(b as f64)))
                } else {
                    or_big(u32::try_from(b).ok().and_then(|e| a.checked_pow(e)))
                }
            }
            BinOp::LShift => {
                if b < 0 {
                    return err("negative shift count");
                }
                or_big(
                    u32::try_from(b)
                        .ok()
                        .and_then(|s| a.checked_shl(s).filter(|v| v >> s == a)),
                )
            }
            BinOp::RShift => {
                if b < 0 {
                    return err("negative shift count");
                }
                Ok(V::Int(a >> b.min(127)))
            }
            BinOp::BitOr if both_bool => Ok(V::Bool(a | b != 0)),
            BinOp::BitAnd if both_bool => Ok(V::Bool(a & b != 0)),
            BinOp::BitXor if both_bool => Ok(V::Bool((a ^ b) != 0)),
            BinOp::BitOr => Ok(V::Int(a | b)),
            BinOp::BitAnd => Ok(V::Int(a & b)),
            BinOp::BitXor => Ok(V::Int(a ^ b)),
            BinOp::MatMul => err("unsupported operand type(s) for @"),
        };
    }
    if let (Some(_), Some(_)) = (as_big(l), as_big(r)) {
        // At least one big int (both within i128 was handled above).
        return big_binop(l, op, r);
    }
    if let (Some(a), Some(b)) = (as_float(l), as_float(r)) {
        return match op {
            BinOp::Add => Ok(V::Float(a + b)),
            BinOp::Sub => Ok(V::Float(a - b)),
            BinOp::Mul => Ok(V::Float(a * b)),
            BinOp::Div => {
                if b == 0.0 {
                    err("float division by zero")
                } else {
                    Ok(V::Float(a / b))
                }
            }
            BinOp::FloorDiv => {
                if b == 0.0 {
                    err("float floor division by zero")
                } else {
                    Ok(V::Float((a / b).floor()))
                }
            }
            BinOp::Mod => {
                if b == 0.0 {
                    err("float modulo")
                } else {
                    let m = a % b;
                    Ok(V::Float(if m != 0.0 && (m < 0.0) != (b < 0.0) {
                        m + b
                    } else {
                        m
                    }))
                }
            }
            BinOp::Pow => {
                if a == 0.0 && b < 0.0 {
                    return err("0.0 cannot be raised to a negative power");
                }
                let v = a.powf(b);
                if v.is_nan() {
                    return err("complex result");
                }
                if v.is_infinite() && a.is_finite() && b.is_finite() {
                    return err("(34, 'Numerical result out of range')");
                }
                Ok(V::Float(v))
            }
            _ => err("unsupported operand type(s) for float"),
        };
    }
    err(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        op.symbol(),
        l.py_type().name(),
        r.py_type().name()
    ))
}

/// `l op r` on ints of any size. Floor division, modulo, right shift and the bitwise
/// operators on ints past `i128` are not implemented (reported as an overflow), and true
/// division goes through both operands' nearest floats (Python rounds the exact quotient).
fn big_binop(l: &PyValue, op: BinOp, r: &PyValue) -> Result<PyValue, DecodeError> {
    let (Some(a), Some(b)) = (as_big(l), as_big(r)) else {
        return Err(overflow());
    };
    let bounded = |v: BigInt| {
        if v.limbs() > MAX_LIMBS {
            Err(overflow())
        } else {
            Ok(PyValue::from_bigint(v))
        }
    };
    match op {
        BinOp::Add => bounded(a.add(&b)),
        BinOp::Sub => bounded(a.sub(&b)),
        BinOp::Mul => {
            if a.limbs() + b.limbs() > MAX_LIMBS + 1 {
                return Err(overflow());
            }
            bounded(a.mul(&b))
        }
        BinOp::Pow if b.is_negative() => {
            // int ** negative int is float ** float in Python.
            match (a.to_f64(), b.to_f64()) {
                (Some(0.0), _) => err("0.0 cannot be raised to a negative power"),
                (Some(x), Some(y)) => Ok(PyValue::Float(x.powf(y))),
                _ => Err(overflow()),
            }
        }
        BinOp::Pow => {
            let e = b
                .to_i128()
                .and_then(|e| u64::try_from(e).ok())
                .ok_or_else(overflow)?;
            a.pow(e, MAX_LIMBS)
                .map(PyValue::from_bigint)
                .ok_or_else(overflow)
        }
        BinOp::LShift => {
            if b.is_negative() {
                return err("negative shift count");
            }
            let s = b
                .to_i128()
                .and_then(|s| u64::try_from(s).ok())
                .ok_or_else(overflow)?;
            let p = BigInt::from_i128(2)
                .pow(s, MAX_LIMBS)
                .ok_or_else(overflow)?;
            if a.limbs() + p.limbs() > MAX_LIMBS + 1 {
                return Err(overflow());
            }
            bounded(a.mul(&p))
        }
        BinOp::Div => match (a.to_f64(), b.to_f64()) {
            (_, Some(0.0)) => err("division by zero"),
            (Some(x), Some(y)) => Ok(PyValue::Float(x / y)),
            _ => err("integer division result too large for a float"),
        },
        _ => Err(overflow()),
    }
}

// ---------------------------------------------------------------------------------------------
// `ast.unparse`

fn unparse(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, e, P_TEST);
    out
}

fn str_literal(s: &str) -> String {
    // `ast.unparse`'s `_str_literal_helper`: escape backslashes and non-printables (not "\n" or
    // "\t"), then use the first quote style absent from the text.
    let mut esc = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\n' || c == '\t' {
            esc.push(c);
        } else if c == '\\' {
            esc.push_str("\\\\");
        } else {
            let r = str_repr(&c.to_string());
            let inner = &r[1..r.len() - 1];
            if inner.starts_with('\\') && inner != "\\'" && inner != "\\\"" {
                esc.push_str(inner);
            } else {
                esc.push(c);
            }
        }
    }
    let mut quotes: Vec<&str> = vec!["'", "\"", "\"\"\"", "\'\'\'"];
    if esc.contains('\n') {
        quotes.retain(|q| q.len() == 3);
    }
    quotes.retain(|q| !esc.contains(q));
    if quotes.is_empty() {
        return str_repr(s);
    }
    if let Some(last) = esc.chars().last() {
        quotes.sort_by_key(|q| q.starts_with(last));
        if quotes[0].starts_with(last) {
            esc.pop();
            esc.push('\\');
            esc.push(last);
        }
    }
    format!("{q}{esc}{q}", q = quotes[0])
}

fn const_text(v: &PyValue) -> String {
    match v {
        PyValue::Str(s) => str_literal(s),
        PyValue::Float(f) if f.is_infinite() => {
            if *f > 0.0 {
                "1e309".into()
            } else {
                "-1e309".into()
            }
        }
        PyValue::Float(f) => float_repr(*f),
        other => other.repr(),
    }
}

fn write_seq(out: &mut String, items: &[Expr]) {
    for (n, it) in items.iter().enumerate() {
        if n > 0 {
            out.push_str(", ");
        }
        write_expr(out, it, P_TEST);
    }
}

fn write_expr(out: &mut String, e: &Expr, prec: u8) {
    let paren = |out: &mut String, own: u8, f: &dyn Fn(&mut String)| {
        if prec > own {
            out.push('(');
            f(out);
            out.push(')');
        } else {
            f(out);
        }
    };
    match e {
        Expr::Const(Const::Value(v)) => out.push_str(&const_text(v)),
        Expr::Const(Const::Ellipsis) => out.push_str("..."),
        Expr::JoinedStr(s) | Expr::Opaque(s) => out.push_str(s),
        Expr::Name(n) => out.push_str(n),
        Expr::Attribute(v, a) => {
            write_expr(out, v, P_ATOM);
            if matches!(
                **v,
                Expr::Const(Const::Value(PyValue::Int(_) | PyValue::BigInt(_)))
            ) {
                out.push(' ');
            }
            out.push('.');
            out.push_str(a);
        }
        Expr::Call {
            func,
            args,
            keywords,
        } => {
            write_expr(out, func, P_ATOM);
            out.push('(');
            let mut first = true;
            for a in args {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                write_expr(out, a, P_TEST);
            }
            for (k, v) in keywords {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                match k {
                    Some(k) => {
                        out.push_str(k);
                        out.push('=');
                    }
                    None => out.push_str("**"),
                }
                write_expr(out, v, P_TEST);
            }
            out.push(')');
        }
        Expr::Subscript(v, s) => {
            write_expr(out, v, P_ATOM);
            out.push('[');
            match &**s {
                Expr::Tuple(items) if !items.is_empty() => {
                    write_seq(out, items);
                    if items.len() == 1 {
                        out.push(',');
                    }
                }
                other => write_expr(out, other, P_TUPLE),
            }
            out.push(']');
        }
        Expr::Slice(a, b, c) => {
            if let Some(a) = a {
                write_expr(out, a, P_TEST);
            }
            out.push(':');
            if let Some(b) = b {
                write_expr(out, b, P_TEST);
            }
            if let Some(c) = c {
                out.push(':');
                write_expr(out, c, P_TEST);
            }
        }
        Expr::Unary(op, v) => {
            let (sym, own) = match op {
                UnOp::Neg => ("-", P_FACTOR),
                UnOp::Pos => ("+", P_FACTOR),
                UnOp::Invert => ("~", P_FACTOR),
                UnOp::Not => ("not ", P_NOT),
            };
            paren(out, own, &|out| {
                out.push_str(sym);
                write_expr(out, v, own);
            });
        }
        Expr::Bin(l, op, r) => {
            let own = op.prec();
            let (lp, rp) = if *op == BinOp::Pow {
                (own + 1, own)
            } else {
                (own, own + 1)
            };
            paren(out, own, &|out| {
                write_expr(out, l, lp);
                out.push(' ');
                out.push_str(op.symbol());
                out.push(' ');
                write_expr(out, r, rp);
            });
        }
        Expr::BoolOp(and, items) => {
            let own = if *and { P_AND } else { P_OR };
            paren(out, own, &|out| {
                for (n, it) in items.iter().enumerate() {
                    if n > 0 {
                        out.push_str(if *and { " and " } else { " or " });
                    }
                    write_expr(out, it, own + 1);
                }
            });
        }
        Expr::Compare(l, ops) => paren(out, P_CMP, &|out| {
            write_expr(out, l, P_CMP + 1);
            for (op, r) in ops {
                out.push(' ');
                out.push_str(op);
                out.push(' ');
                write_expr(out, r, P_CMP + 1);
            }
        }),
        Expr::List(items) => {
            out.push('[');
            write_seq(out, items);
            out.push(']');
        }
        Expr::Tuple(items) => {
            let parens = items.is_empty() || prec > P_TUPLE;
            if parens {
                out.push('(');
            }
            write_seq(out, items);
            if items.len() == 1 {
                out.push(',');
            }
            if parens {
                out.push(')');
            }
        }
        Expr::Set(items) => {
            out.push('{');
            write_seq(out, items);
            out.push('}');
        }
        Expr::Dict(items) => {
            out.push('{');
            for (n, (k, v)) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                match k {
                    Some(k) => {
                        write_expr(out, k, P_TEST);
                        out.push_str(": ");
                        write_expr(out, v, P_TEST);
                    }
                    None => {
                        out.push_str("**");
                        write_expr(out, v, P_BOR + 1);
                    }
                }
            }
            out.push('}');
        }
        Expr::Starred(v) => {
            out.push('*');
            write_expr(out, v, P_BOR + 1);
        }
        Expr::Walrus(t, v) => {
            out.push('(');
            write_expr(out, t, P_ATOM);
            out.push_str(" := ");
            write_expr(out, v, P_ATOM);
            out.push(')');
        }
        Expr::IfExp(t, b, o) => paren(out, P_TEST, &|out| {
            write_expr(out, b, P_TEST + 1);
            out.push_str(" if ");
            write_expr(out, t, P_TEST + 1);
            out.push_str(" else ");
            write_expr(out, o, P_TEST);
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Entry points

/// BFCL's `ast_parse` for Python (`input.strip().strip("'")`, `ast.parse(mode="eval")`, a
/// call or a display of calls): the calls in order.
pub fn ast_parse(input: &str) -> Result<Vec<Call>, DecodeError> {
    // `[...]` needs no stripping (neither end is a space or a quote).
    let cleaned = if input.starts_with('[') && input.ends_with(']') {
        input
    } else {
        input.trim_matches(py_space).trim_matches('\'')
    };
    if let Some(calls) = super::fastpy::parse(cleaned) {
        return Ok(calls);
    }
    ast_parse_full(cleaned)
}

/// [`ast_parse`] on already-cleaned text, by the full tokenizer and parser.
pub(super) fn ast_parse_full(cleaned: &str) -> Result<Vec<Call>, DecodeError> {
    let toks = Lexer::tokenize(cleaned)?;
    let mut p = Parser {
        src: cleaned,
        toks,
        pos: 0,
        nesting: 0,
    };
    let body = p.parse_eval()?;
    match body {
        Expr::Call { func, keywords, .. } => Ok(vec![resolve_call(&func, &keywords)?]),
        Expr::List(items) | Expr::Tuple(items) | Expr::Set(items) => {
            let mut out = Vec::with_capacity(items.len());
            for it in &items {
                match it {
                    Expr::Call { func, keywords, .. } => out.push(resolve_call(func, keywords)?),
                    _ => return err("AssertionError: an element is not a call"),
                }
            }
            Ok(out)
        }
        _ => err("AttributeError: the expression has no attribute 'elts'"),
    }
}

/// Python's `str.strip()` whitespace.
fn py_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\x1c'..='\x1f')
}

/// BFCL's `default_decode_ast_prompting`: strips "`", "\n" and " " at both ends, adds the
/// missing `[` / `]`, then [`ast_parse`].
pub fn decode_calls(text: &str) -> Result<Vec<Call>, DecodeError> {
    if text.starts_with('[') && text.ends_with(']') {
        return ast_parse(text);
    }
    let stripped = text.trim_matches(|c| c == '`' || c == '\n' || c == ' ');
    if stripped.starts_with('[') && stripped.ends_with(']') {
        return ast_parse(stripped);
    }
    let mut s = String::with_capacity(stripped.len() + 2);
    if !stripped.starts_with('[') {
        s.push('[');
    }
    s.push_str(stripped);
    if !s.ends_with(']') {
        s.push(']');
    }
    ast_parse(&s)
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.name)?;
        for (n, (k, v)) in self.args.iter().enumerate() {
            if n > 0 {
                f.write_str(", ")?;
            }
            match k {
                Some(k) => write!(f, "{k}={}", v.repr())?,
                None => write!(f, "**{}", v.repr())?,
            }
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::super::types::PyType;
    use super::*;

    fn one(text: &str) -> Call {
        let mut calls = decode_calls(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(calls.len(), 1, "{text}");
        calls.remove(0)
    }

    fn arg(c: &Call, k: &str) -> PyValue {
        c.args
            .iter()
            .find(|(n, _)| n.as_deref() == Some(k))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {k}"))
    }

    #[test]
    fn literals() {
        let c = one(
            r#"[calc.area(base=10, h=-2.5e3, s='it''s', t="a\tb", u=True, v=None, w=[1, (2, 3)], x={'k': 0x1F}, y=1_000, z="""tri"ple""")]"#,
        );
        assert_eq!(c.name, "calc.area");
        assert_eq!(arg(&c, "base"), PyValue::Int(10));
        assert!(matches!(arg(&c, "h"), PyValue::Float(f) if f == -2500.0));
        assert_eq!(arg(&c, "s"), PyValue::Str("its".into()));
        assert_eq!(arg(&c, "t"), PyValue::Str("a\tb".into()));
        assert!(matches!(arg(&c, "u"), PyValue::Bool(true)));
        assert!(matches!(arg(&c, "v"), PyValue::None));
        assert_eq!(arg(&c, "w").repr(), "[1, (2, 3)]");
        assert_eq!(arg(&c, "x").repr(), "{'k': 31}");
        assert_eq!(arg(&c, "y"), PyValue::Int(1000));
        assert_eq!(arg(&c, "z"), PyValue::Str("tri\"ple".into()));
    }

    #[test]
    fn bfcl_resolution_quirks() {
        let c = one("f(a=+5, b=not True, c=x, d=g(1, 'a'), e=h(k=1), f=arr[0], g=..., h=2*3+1, i='a'*2, j=7//2, k=-7//2, l=2**-1)");
        assert_eq!(arg(&c, "a"), PyValue::Int(-5));
        assert_eq!(arg(&c, "b"), PyValue::Int(-1));
        assert_eq!(arg(&c, "c"), PyValue::Str("x".into()));
        assert_eq!(arg(&c, "d"), PyValue::Str("g(1, 'a')".into()));
        assert_eq!(arg(&c, "e").repr(), "{'h': {'k': 1}}");
        assert_eq!(arg(&c, "f"), PyValue::Str("arr[0]".into()));
        assert_eq!(arg(&c, "g"), PyValue::Str("...".into()));
        assert_eq!(arg(&c, "h"), PyValue::Int(7));
        assert_eq!(arg(&c, "i"), PyValue::Str("aa".into()));
        assert_eq!(arg(&c, "j"), PyValue::Int(3));
        assert_eq!(arg(&c, "k"), PyValue::Int(-4));
        assert!(matches!(arg(&c, "l"), PyValue::Float(f) if f == 0.5));
        // Positional arguments are dropped.
        assert!(one("f(1, 2, a=3)").args.len() == 1);
    }

    #[test]
    fn repeated_keywords_keep_the_last_value() {
        // Python >= 3.9 parses `f(a=1, a=2)`; BFCL's dict keeps the first place, last value.
        let c = one("f(a=1, b=2, a=3)");
        assert_eq!(c.to_string(), "f(a=3, b=2)");
        let c = one("f(a=g(x=1, x='y'), b={'k': 1, 'j': 2, 'k': 3}, c={1: 'a', True: 'b'})");
        assert_eq!(
            c.to_string(),
            "f(a={'g': {'x': 'y'}}, b={'k': 3, 'j': 2}, c={1: 'b'})"
        );
    }

    #[test]
    fn ints_past_i128() {
        let c = one(
            "f(a=123456789012345678901234567890123456789012, b=-170141183460469231731687303715884105728, c=0x1ffffffffffffffffffffffffffffffff, d=10**40, e=2**127, f=0-(2**127)-1, g=2**130/2**127, h=0+~(2**127), i=-170141183460469231731687303715884105727-1, j=_)",
        );
        let a = arg(&c, "a");
        assert_eq!(a.py_type(), PyType::Int);
        assert_eq!(a.repr(), "123456789012345678901234567890123456789012");
        assert_eq!(a.to_str(), a.repr());
        assert_eq!(arg(&c, "b"), PyValue::Int(i128::MIN));
        assert_eq!(
            arg(&c, "c").repr(),
            "680564733841876926926749214863536422911"
        );
        assert_eq!(arg(&c, "d").repr(), format!("1{}", "0".repeat(40)));
        // Python compares an int with a float exactly: 1e40 != 10**40, 2.0**127 == 2**127.
        assert_ne!(arg(&c, "d"), PyValue::Float(1e40));
        assert_eq!(arg(&c, "e"), PyValue::Float(2f64.powi(127)));
        assert_ne!(arg(&c, "e"), arg(&c, "d"));
        assert_eq!(
            arg(&c, "f").repr(),
            "-170141183460469231731687303715884105729"
        );
        assert!(matches!(arg(&c, "g"), PyValue::Float(f) if f == 8.0));
        assert_eq!(arg(&c, "h"), arg(&c, "f"));
        assert_eq!(arg(&c, "i"), PyValue::Int(i128::MIN));
        let big = |t: &str| one(t).args.first().map(|(_, v)| v.repr());
        assert_eq!(
            big("f(a=-170141183460469231731687303715884105727-1//-1)"),
            Some("-170141183460469231731687303715884105726".into())
        );
        assert_eq!(
            big("f(a=(-170141183460469231731687303715884105727-1)//-1)"),
            Some("170141183460469231731687303715884105728".into())
        );
        // Python's 4300-digit limit on decimal literals is a SyntaxError.
        assert!(decode_calls(&format!("[f(a={})]", "1".repeat(4300))).is_ok());
        assert!(decode_calls(&format!("[f(a={})]", "1".repeat(4301))).is_err());
        // Operations not carried past i128, and sizes past the cap, fail the decoding.
        assert!(decode_calls("[f(a=10**40 // 3)]").is_err());
        assert!(decode_calls("[f(a=10**100000)]").is_err());
    }

    #[test]
    fn failures() {
        for bad in [
            "I cannot help with that.",
            "[f(a=math.pi)]",
            "[f(a=x > 1)]",
            "[f(a={1, 2})]",
            "[f(a=f'{x}')]",
            "[f(a=lambda x: x)]",
            "[f(a=1, 2)]",
            "[f(a=-x)]",
            "[f(a=[i for i in y])]",
            "[f(a=1)]\n[g(b=2)]",
            "[f(a=1), 3]",
            "[f(a='unterminated)]",
            "[f(a=01)]",
            "[f(a=n+1)]",
            "```python\n[f(a=1)]\n```",
            "[f(class=1)]",
            "[f(a={[1]: 2})]",
        ] {
            assert!(decode_calls(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn wrapping_and_empty() {
        assert_eq!(decode_calls("```\nf(a=1)\n```").map(|c| c.len()), Ok(1));
        assert_eq!(decode_calls("[]").map(|c| c.len()), Ok(0));
        assert_eq!(decode_calls("").map(|c| c.len()), Ok(0));
        assert_eq!(
            decode_calls("f(a=1), g(b=[1,\n 2])").map(|c| c.len()),
            Ok(2)
        );
        assert_eq!(decode_calls("[f(a=1)  # note\n]").map(|c| c.len()), Ok(1));
        assert_eq!(one("a.b.c(x=1)").name, "a.b.c");
    }
}
