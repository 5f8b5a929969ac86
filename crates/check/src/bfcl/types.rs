//! Python values as BFCL's checker sees them after `ast` decoding or `json.loads`: Python's
//! equality (`1 == 1.0 == True`, `[1] != (1,)`), Python's `type(x).__name__` and `repr`.

use super::bigint::{BigInt, MAX_STR_DIGITS};
use serde_json::{Map, Number, Value};

/// A Python value (the subset BFCL's decoder and JSON files can produce).
#[derive(Debug, Clone)]
pub enum PyValue {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// `int` within `i128`.
    Int(i128),
    /// `int` outside `i128` (never a value that fits in `i128`: build it with
    /// [`PyValue::from_bigint`]).
    BigInt(BigInt),
    /// `float`.
    Float(f64),
    /// `complex` (from imaginary literals).
    Complex(f64, f64),
    /// `str`.
    Str(String),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `list`.
    List(Vec<PyValue>),
    /// `tuple`.
    Tuple(Vec<PyValue>),
    /// `dict`, in insertion order.
    Dict(Vec<(PyValue, PyValue)>),
}

/// Python's type of a value (what `type(x)` compares).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyType {
    /// `NoneType`.
    NoneType,
    /// `bool`.
    Bool,
    /// `int`.
    Int,
    /// `float`.
    Float,
    /// `complex`.
    Complex,
    /// `str`.
    Str,
    /// `bytes`.
    Bytes,
    /// `list`.
    List,
    /// `tuple`.
    Tuple,
    /// `dict`.
    Dict,
    /// `set` (only as an expected type of Java's `Set`).
    Set,
}

impl PyType {
    /// `type.__name__`.
    pub fn name(self) -> &'static str {
        match self {
            PyType::NoneType => "NoneType",
            PyType::Bool => "bool",
            PyType::Int => "int",
            PyType::Float => "float",
            PyType::Complex => "complex",
            PyType::Str => "str",
            PyType::Bytes => "bytes",
            PyType::List => "list",
            PyType::Tuple => "tuple",
            PyType::Dict => "dict",
            PyType::Set => "set",
        }
    }

    /// `str(type)`, e.g. `<class 'int'>`.
    pub fn class_str(self) -> String {
        format!("<class '{}'>", self.name())
    }
}

impl PyValue {
    /// `type(self)`.
    pub fn py_type(&self) -> PyType {
        match self {
            PyValue::None => PyType::NoneType,
            PyValue::Bool(_) => PyType::Bool,
            PyValue::Int(_) | PyValue::BigInt(_) => PyType::Int,
            PyValue::Float(_) => PyType::Float,
            PyValue::Complex(..) => PyType::Complex,
            PyValue::Str(_) => PyType::Str,
            PyValue::Bytes(_) => PyType::Bytes,
            PyValue::List(_) => PyType::List,
            PyValue::Tuple(_) => PyType::Tuple,
            PyValue::Dict(_) => PyType::Dict,
        }
    }

    /// The string, when this is a `str`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PyValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is the empty string `""` (BFCL's marker of an optional parameter).
    pub fn is_empty_str(&self) -> bool {
        matches!(self, PyValue::Str(s) if s.is_empty())
    }

    /// `key in self` for a dict (Python equality of keys).
    pub fn dict_get(&self, key: &PyValue) -> Option<&PyValue> {
        match self {
            PyValue::Dict(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A dict's value under a string key.
    pub fn dict_get_str(&self, key: &str) -> Option<&PyValue> {
        match self {
            PyValue::Dict(items) => items
                .iter()
                .find(|(k, _)| matches!(k, PyValue::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Inserts into a dict like `d[k] = v` (keeps the first position of a repeated key).
    pub fn dict_insert(items: &mut Vec<(PyValue, PyValue)>, key: PyValue, value: PyValue) {
        if let Some(slot) = items.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = value;
        } else {
            items.push((key, value));
        }
    }

    /// An `int`: [`PyValue::Int`] when it fits in `i128`, else [`PyValue::BigInt`].
    pub fn from_bigint(v: BigInt) -> PyValue {
        v.to_i128().map_or(PyValue::BigInt(v), PyValue::Int)
    }

    /// Python's `int` of unsigned decimal digits (no underscores) with a sign; `None` for
    /// non-digits or past Python's 4300-digit conversion limit (where Python raises).
    pub fn int_from_decimal(neg: bool, digits: &str) -> Option<PyValue> {
        if let Ok(v) = digits.parse::<i128>() {
            return Some(PyValue::Int(if neg { -v } else { v }));
        }
        if digits.trim_start_matches('0').len() > MAX_STR_DIGITS {
            return None;
        }
        let v = BigInt::parse_radix(digits, 10)?;
        Some(PyValue::from_bigint(if neg { v.negated() } else { v }))
    }

    /// Converts a JSON value (`json.loads` semantics: arrays become lists).
    pub fn from_json(v: &Value) -> PyValue {
        match v {
            Value::Null => PyValue::None,
            Value::Bool(b) => PyValue::Bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    PyValue::Int(i128::from(i))
                } else if let Some(u) = n.as_u64() {
                    PyValue::Int(i128::from(u))
                } else {
                    // An integer past u64 keeps its digits only when serde_json has its
                    // `arbitrary_precision` feature (its text is then the literal); without
                    // it the number is already an `f64`, whose text has a '.' or an 'e'.
                    let text = n.to_string();
                    let (neg, digits) = text
                        .strip_prefix('-')
                        .map_or((false, text.as_str()), |d| (true, d));
                    digits
                        .bytes()
                        .all(|b| b.is_ascii_digit())
                        .then(|| PyValue::int_from_decimal(neg, digits))
                        .flatten()
                        .unwrap_or_else(|| PyValue::Float(n.as_f64().unwrap_or(f64::NAN)))
                }
            }
            Value::String(s) => PyValue::Str(s.clone()),
            Value::Array(a) => PyValue::List(a.iter().map(PyValue::from_json).collect()),
            Value::Object(o) => PyValue::Dict(
                o.iter()
                    .map(|(k, v)| (PyValue::Str(k.clone()), PyValue::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Converts to JSON (`json.dumps`-like: tuples become arrays, non-string keys become
    /// their `str`, non-finite floats and complex numbers become strings).
    pub fn to_json(&self) -> Value {
        match self {
            PyValue::None => Value::Null,
            PyValue::Bool(b) => Value::Bool(*b),
            PyValue::Int(i) => {
                if let Ok(x) = i64::try_from(*i) {
                    Value::Number(x.into())
                } else if let Ok(x) = u64::try_from(*i) {
                    Value::Number(x.into())
                } else {
                    big_json(&i.to_string())
                }
            }
            PyValue::BigInt(b) => big_json(&b.to_string()),
            PyValue::Float(f) => {
                Number::from_f64(*f).map_or_else(|| Value::String(self.repr()), Value::Number)
            }
            PyValue::Complex(..) | PyValue::Bytes(_) => Value::String(self.repr()),
            PyValue::Str(s) => Value::String(s.clone()),
            PyValue::List(a) | PyValue::Tuple(a) => {
                Value::Array(a.iter().map(PyValue::to_json).collect())
            }
            PyValue::Dict(items) => {
                let mut m = Map::new();
                for (k, v) in items {
                    let key = match k {
                        PyValue::Str(s) => s.clone(),
                        other => other.to_str(),
                    };
                    m.insert(key, v.to_json());
                }
                Value::Object(m)
            }
        }
    }

    /// Numeric view for Python's cross-type numeric equality (big ints are compared apart).
    fn numeric(&self) -> Option<(f64, f64, Option<i128>)> {
        match self {
            PyValue::Bool(b) => Some((f64::from(u8::from(*b)), 0.0, Some(i128::from(*b)))),
            PyValue::Int(i) => Some((*i as f64, 0.0, Some(*i))),
            PyValue::Float(f) => Some((*f, 0.0, None)),
            PyValue::Complex(r, i) => Some((*r, *i, None)),
            _ => None,
        }
    }

    /// `str(self)`.
    pub fn to_str(&self) -> String {
        match self {
            PyValue::Str(s) => s.clone(),
            other => other.repr(),
        }
    }

    /// `repr(self)`.
    pub fn repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    fn write_repr(&self, out: &mut String) {
        match self {
            PyValue::None => out.push_str("None"),
            PyValue::Bool(true) => out.push_str("True"),
            PyValue::Bool(false) => out.push_str("False"),
            PyValue::Int(i) => out.push_str(&i.to_string()),
            PyValue::BigInt(b) => out.push_str(&b.to_string()),
            PyValue::Float(f) => out.push_str(&float_repr(*f)),
            PyValue::Complex(r, i) => {
                if *r == 0.0 && r.is_sign_positive() {
                    out.push_str(&complex_part(*i));
                    out.push('j');
                } else {
                    out.push('(');
                    out.push_str(&complex_part(*r));
                    if *i >= 0.0 || i.is_nan() {
                        out.push('+');
                    }
                    out.push_str(&complex_part(*i));
                    out.push_str("j)");
                }
            }
            PyValue::Str(s) => out.push_str(&str_repr(s)),
            PyValue::Bytes(b) => out.push_str(&bytes_repr(b)),
            PyValue::List(items) => {
                out.push('[');
                for (n, v) in items.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    v.write_repr(out);
                }
                out.push(']');
            }
            PyValue::Tuple(items) => {
                out.push('(');
                for (n, v) in items.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    v.write_repr(out);
                }
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            PyValue::Dict(items) => {
                out.push('{');
                for (n, (k, v)) in items.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    k.write_repr(out);
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
        }
    }
}

impl PartialEq for PyValue {
    fn eq(&self, other: &PyValue) -> bool {
        match (self, other) {
            (PyValue::None, PyValue::None) => true,
            (PyValue::Str(a), PyValue::Str(b)) => a == b,
            (PyValue::Bytes(a), PyValue::Bytes(b)) => a == b,
            (PyValue::List(a), PyValue::List(b)) | (PyValue::Tuple(a), PyValue::Tuple(b)) => a == b,
            (PyValue::Dict(a), PyValue::Dict(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && v == v2))
            }
            (PyValue::Int(a), PyValue::Int(b)) => a == b,
            (PyValue::BigInt(a), PyValue::BigInt(b)) => a == b,
            // A big int never equals an `Int` or a `bool` (those fit in i128), and equals a
            // float only exactly, as Python compares them.
            (PyValue::BigInt(a), other) | (other, PyValue::BigInt(a)) => match other {
                PyValue::Float(f) => a.eq_f64(*f),
                PyValue::Complex(r, i) => *i == 0.0 && a.eq_f64(*r),
                _ => false,
            },
            _ => match (self.numeric(), other.numeric()) {
                (Some((ar, ai, aint)), Some((br, bi, bint))) => {
                    if let (Some(x), Some(y)) = (aint, bint) {
                        return x == y;
                    }
                    ar == br && ai == bi
                }
                _ => false,
            },
        }
    }
}

/// An integer's JSON number from its decimal text: exact where serde_json can hold it
/// (`arbitrary_precision`), else the nearest `f64`, else (past `f64`) its digits as a string.
fn big_json(digits: &str) -> Value {
    serde_json::from_str::<Number>(digits)
        .map_or_else(|_| Value::String(digits.into()), Value::Number)
}

fn complex_part(f: f64) -> String {
    // Python prints complex parts like floats but drops a trailing ".0".
    let s = float_repr(f);
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

/// Python's `repr(float)`: shortest round-trip digits, scientific below 1e-4 or from 1e16.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let sci = format!("{f:e}"); // e.g. "1.5e-7", "-1e16"
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let sign = if neg { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let point = exp + 1; // digits before the decimal point
        if point <= 0 {
            format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
        } else if point >= n {
            format!("{sign}{digits}{}.0", "0".repeat((point - n) as usize))
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!("{sign}{a}.{b}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let mant = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mant}e{esign}{:02}", exp.abs())
    }
}

fn printable(c: char) -> bool {
    !(c.is_control()
        || matches!(c as u32, 0xAD | 0x2028 | 0x2029 | 0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF)
        || (c.is_whitespace() && c != ' ')
        || (0xD800..=0xDFFF).contains(&(c as u32))
        || (0xE000..=0xF8FF).contains(&(c as u32)))
}

/// Python's `repr(str)`.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if printable(c) => out.push(c),
            c => {
                let n = c as u32;
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from("b");
    out.push(quote);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c as char == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_repr() {
        for (f, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (123.456, "123.456"),
            (1.5e-7, "1.5e-07"),
            (1.2345e20, "1.2345e+20"),
        ] {
            assert_eq!(float_repr(f), s);
        }
    }

    #[test]
    fn python_equality_and_repr() {
        assert_eq!(PyValue::Int(1), PyValue::Float(1.0));
        assert_eq!(PyValue::Bool(true), PyValue::Int(1));
        assert_ne!(
            PyValue::List(vec![PyValue::Int(1)]),
            PyValue::Tuple(vec![PyValue::Int(1)])
        );
        assert_eq!(PyValue::Str("it's".into()).repr(), "\"it's\"");
        assert_eq!(PyValue::Str("a\nb".into()).repr(), "'a\\nb'");
        assert_eq!(PyValue::Tuple(vec![PyValue::Int(1)]).repr(), "(1,)");
        assert_eq!(PyValue::Complex(0.0, 2.0).repr(), "2j");
    }

    #[test]
    fn big_ints_are_python_ints() {
        let big = |neg, d| PyValue::int_from_decimal(neg, d).unwrap_or(PyValue::None);
        let a = big(false, "123456789012345678901234567890123456789012");
        assert!(matches!(a, PyValue::BigInt(_)));
        assert_eq!(a.py_type(), PyType::Int);
        assert_eq!(a.to_str(), "123456789012345678901234567890123456789012");
        assert_eq!(
            a,
            big(false, "00123456789012345678901234567890123456789012")
        );
        assert_ne!(a, big(true, "123456789012345678901234567890123456789012"));
        assert_ne!(a, PyValue::Float(1.2345678901234568e41));
        assert_eq!(big(false, "12"), PyValue::Int(12));
        assert_eq!(
            big(true, "170141183460469231731687303715884105728"),
            PyValue::Int(i128::MIN)
        );
        let two127 = big(false, "170141183460469231731687303715884105728");
        assert_eq!(two127, PyValue::Float(2f64.powi(127)));
        assert_eq!(PyValue::Float(2f64.powi(127)), two127);
        assert_ne!(two127, PyValue::Int(i128::MAX));
        assert_eq!(two127, PyValue::Complex(2f64.powi(127), 0.0));
        assert_eq!(
            PyValue::List(vec![two127.clone()]).repr(),
            "[170141183460469231731687303715884105728]"
        );
        assert_eq!(PyValue::int_from_decimal(false, &"9".repeat(4301)), None);
        assert_eq!(PyValue::int_from_decimal(false, "12x"), None);
        // Without serde_json's arbitrary_precision a JSON int past u64 is already an f64.
        let j: Value =
            serde_json::from_str("123456789012345678901234567890").unwrap_or(Value::Null);
        assert!(matches!(
            PyValue::from_json(&j),
            PyValue::Float(_) | PyValue::BigInt(_)
        ));
        assert!(two127.to_json().is_number());
        assert_eq!(
            big(false, &"9".repeat(400)).to_json(),
            Value::String("9".repeat(400))
        );
    }
}
