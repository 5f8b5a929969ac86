//! Lenient JSON for model output: valid JSON reads as is; otherwise code fences and prose
//! around the value are cut, single quotes, bare keys, trailing commas and Python literals are
//! fixed, and every fix is named so the sample can record it.

use super::CodecError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One repair made to a model's text before it parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Repair {
    /// A Markdown code fence around the value was removed.
    CodeFence,
    /// Text before or after the value was cut.
    SurroundingText,
    /// Single-quoted strings were requoted.
    SingleQuotes,
    /// Bare object keys were quoted.
    UnquotedKeys,
    /// Commas before a closing bracket were removed.
    TrailingComma,
    /// `True`, `False`, `None` were read as JSON literals.
    PythonLiterals,
    /// A JSON string holding the object was unwrapped.
    StringForObject,
    /// A `<tool_call>` block had no closing tag.
    UnclosedBlock,
}

/// The inside of a Markdown code fence (```` ```json ... ``` ````), if the text is one.
pub fn strip_fences(t: &str) -> Option<&str> {
    let inner = t.strip_prefix("```")?;
    let inner = inner.strip_suffix("```").unwrap_or(inner);
    // Drop the language tag on the opening line.
    let start = inner.find('\n').map_or(0, |i| i + 1);
    let tag = &inner[..start];
    if tag.trim().chars().all(|c| c.is_ascii_alphanumeric()) {
        Some(inner[start..].trim())
    } else {
        Some(inner.trim())
    }
}

/// Parses `text` as JSON, repairing common model mistakes; `what` names the text in errors.
pub fn parse_lenient(text: &str, what: &str) -> Result<(Value, Vec<Repair>), CodecError> {
    let t = text.trim();
    if let Ok(v) = serde_json::from_str::<Value>(t) {
        return Ok((v, Vec::new()));
    }
    let mut repairs = Vec::new();
    let mut t = t;
    if let Some(inner) = strip_fences(t) {
        repairs.push(Repair::CodeFence);
        t = inner;
    }
    // Prose around one object or array: keep from the first opener to the last closer.
    let open = t.find(['{', '[']);
    let close = t.rfind(['}', ']']);
    if let (Some(a), Some(b)) = (open, close) {
        if a < b && (a > 0 || b + 1 < t.len()) {
            repairs.push(Repair::SurroundingText);
            t = &t[a..=b];
        }
    }
    let fixed = rewrite(t, &mut repairs);
    match serde_json::from_str::<Value>(&fixed) {
        Ok(v) => Ok((v, repairs)),
        Err(e) => {
            // serde_json reports line and column; point at the byte in the original text.
            let at = text
                .lines()
                .take(e.line().saturating_sub(1))
                .map(|l| l.len() + 1)
                .sum::<usize>()
                + e.column().saturating_sub(1);
            Err(CodecError::new(what, at.min(text.len()), &e.to_string()))
        }
    }
}

/// Rewrites single quotes, bare keys, trailing commas and Python literals outside strings.
fn rewrite(t: &str, repairs: &mut Vec<Repair>) -> String {
    let note = |r: Repair, repairs: &mut Vec<Repair>| {
        if !repairs.contains(&r) {
            repairs.push(r);
        }
    };
    let c: Vec<char> = t.chars().collect();
    let mut out = String::with_capacity(t.len() + 8);
    let mut i = 0;
    // The last non-space character written, to tell a key position from a value position.
    let last_sig = |out: &str| out.trim_end().chars().last();
    while i < c.len() {
        match c[i] {
            '"' => {
                // A JSON string: copy through its closing quote.
                out.push('"');
                i += 1;
                while i < c.len() && c[i] != '"' {
                    if c[i] == '\\' && i + 1 < c.len() {
                        out.push(c[i]);
                        i += 1;
                    }
                    out.push(c[i]);
                    i += 1;
                }
                if i < c.len() {
                    out.push('"');
                    i += 1;
                }
            }
            '\'' => {
                note(Repair::SingleQuotes, repairs);
                i += 1;
                let mut s = String::new();
                while i < c.len() && c[i] != '\'' {
                    if c[i] == '\\' && i + 1 < c.len() {
                        i += 1;
                        match c[i] {
                            '\'' => s.push('\''),
                            'n' => s.push('\n'),
                            't' => s.push('\t'),
                            'r' => s.push('\r'),
                            other => s.push(other),
                        }
                    } else {
                        s.push(c[i]);
                    }
                    i += 1;
                }
                i += 1;
                out.push_str(&serde_json::to_string(&s).unwrap_or_else(|_| "\"\"".into()));
            }
            ',' => {
                let mut j = i + 1;
                while j < c.len() && c[j].is_whitespace() {
                    j += 1;
                }
                if j < c.len() && matches!(c[j], '}' | ']') {
                    note(Repair::TrailingComma, repairs);
                } else {
                    out.push(',');
                }
                i += 1;
            }
            ch if ch.is_ascii_digit() || ch == '-' => {
                while i < c.len()
                    && (c[i].is_ascii_alphanumeric() || matches!(c[i], '.' | '+' | '-'))
                {
                    out.push(c[i]);
                    i += 1;
                }
            }
            ch if ch.is_alphabetic() || ch == '_' => {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                let word: String = c[start..i].iter().collect();
                let mut j = i;
                while j < c.len() && c[j].is_whitespace() {
                    j += 1;
                }
                let key = j < c.len() && c[j] == ':' && matches!(last_sig(&out), Some('{' | ','));
                if key {
                    note(Repair::UnquotedKeys, repairs);
                    out.push_str(&serde_json::to_string(&word).unwrap_or_default());
                } else {
                    let lit = match word.as_str() {
                        "True" => Some("true"),
                        "False" => Some("false"),
                        "None" => Some("null"),
                        _ => None,
                    };
                    match lit {
                        Some(l) => {
                            note(Repair::PythonLiterals, repairs);
                            out.push_str(l);
                        }
                        None => out.push_str(&word),
                    }
                }
            }
            ch => {
                out.push(ch);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn valid_json_needs_no_repair() {
        assert_eq!(
            parse_lenient(r#"{"a": [1, "x"]}"#, "t").expect("valid"),
            (json!({"a": [1, "x"]}), vec![])
        );
    }

    #[test]
    fn each_mistake_is_repaired_and_named() {
        for (text, want, repair) in [
            (
                "```json\n{\"a\": 1}\n```",
                json!({"a": 1}),
                Repair::CodeFence,
            ),
            (
                "Sure! {\"a\": 1} Hope that helps.",
                json!({"a": 1}),
                Repair::SurroundingText,
            ),
            (
                "{'a': 'it\\'s'}",
                json!({"a": "it's"}),
                Repair::SingleQuotes,
            ),
            (
                "{a: 1, b_c: \"x\"}",
                json!({"a": 1, "b_c": "x"}),
                Repair::UnquotedKeys,
            ),
            (
                "{\"a\": [1, 2,], }",
                json!({"a": [1, 2]}),
                Repair::TrailingComma,
            ),
            (
                "{\"a\": True, \"b\": None}",
                json!({"a": true, "b": null}),
                Repair::PythonLiterals,
            ),
        ] {
            let (v, r) = parse_lenient(text, "t").unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(v, want, "{text}");
            assert!(r.contains(&repair), "{text}: {r:?}");
        }
    }

    #[test]
    fn strings_keep_their_words_and_numbers_their_exponents() {
        let (v, r) = parse_lenient("{'note': 'True, None: ok', n: -1.5e3,}", "t").expect("repairs");
        assert_eq!(v, json!({"note": "True, None: ok", "n": -1500.0}));
        assert!(!r.contains(&Repair::PythonLiterals));
    }

    #[test]
    fn unrepairable_text_names_the_place() {
        let e = parse_lenient("{\"a\": }", "arguments").expect_err("broken");
        assert!(e.to_string().starts_with("arguments, byte"), "{e}");
        assert_eq!(
            Repair::StringForObject,
            serde_json::from_value(json!("string_for_object")).expect("snake case")
        );
    }
}
