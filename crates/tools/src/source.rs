//! Where tools come from: the `SOURCE` of `--tools SOURCE`.

use std::path::PathBuf;
use std::str::FromStr;

/// A tool source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolSource {
    /// The built-in executable world.
    Builtin,
    /// A spec file (any format `hardgen tools import` reads); `simulated` runs it on the
    /// [`crate::sim::Simulated`] executor.
    File {
        /// The spec file.
        path: PathBuf,
        /// Whether calls run on the simulated executor (a file has no executor of its own).
        simulated: bool,
    },
    /// An MCP server: a command (`mcp+stdio:"CMD ARGS"`) or a streamable-HTTP URL
    /// (`mcp+http:URL`), with options after `;` (see [`crate::mcp::McpConfig::parse`]).
    Mcp(crate::mcp::McpConfig),
}

/// A `--tools` value that is not a source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tool source `{given}`: {message}")]
pub struct SourceError {
    /// The text given.
    pub given: String,
    /// What is wrong with it.
    pub message: String,
}

impl FromStr for ToolSource {
    type Err = SourceError;

    fn from_str(s: &str) -> Result<ToolSource, SourceError> {
        let err = |message: &str| SourceError {
            given: s.to_string(),
            message: message.to_string(),
        };
        if s == "builtin" {
            return Ok(ToolSource::Builtin);
        }
        if let Some(rest) = s.strip_prefix("file:") {
            let (path, simulated) = match rest.strip_suffix(":simulated") {
                Some(p) => (p, true),
                None => (rest, false),
            };
            if path.is_empty() {
                return Err(err("expected file:PATH or file:PATH:simulated"));
            }
            return Ok(ToolSource::File {
                path: PathBuf::from(path),
                simulated,
            });
        }
        for (prefix, stdio) in [("mcp+stdio:", true), ("mcp+http:", false)] {
            if let Some(rest) = s.strip_prefix(prefix) {
                return crate::mcp::McpConfig::parse(stdio, rest)
                    .map(ToolSource::Mcp)
                    .map_err(|m| err(&m));
            }
        }
        // A bare path: say the spelling that runs it.
        if s.contains('/') || s.contains('.') {
            return Err(err(&format!(
                "a spec file is given as file:{s}:simulated (its calls then run on the simulated executor)"
            )));
        }
        Err(err(
            "expected builtin, file:PATH[:simulated], mcp+stdio:\"CMD ARGS\" or mcp+http:URL",
        ))
    }
}

impl std::fmt::Display for ToolSource {
    /// The source as `--tools` takes it (parses back to the same source).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ToolSource::Builtin => write!(f, "builtin"),
            ToolSource::File { path, simulated } => {
                write!(f, "file:{}", path.display())?;
                if *simulated {
                    write!(f, ":simulated")?;
                }
                Ok(())
            }
            ToolSource::Mcp(cfg) => write!(f, "{}", cfg.to_source()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_and_bad_ones_say_what_is_expected() {
        assert_eq!("builtin".parse(), Ok(ToolSource::Builtin));
        assert_eq!(
            "file:specs/a.json:simulated".parse(),
            Ok(ToolSource::File {
                path: "specs/a.json".into(),
                simulated: true
            })
        );
        assert_eq!(
            "file:a.json".parse(),
            Ok(ToolSource::File {
                path: "a.json".into(),
                simulated: false
            })
        );
        assert_eq!(
            "mcp+stdio:\"node s.js\"".parse(),
            Ok(ToolSource::Mcp(crate::mcp::McpConfig::new(
                crate::mcp::McpTarget::Stdio("node s.js".into())
            )))
        );
        assert!(matches!(
            "mcp+http:http://127.0.0.1:9/mcp".parse::<ToolSource>(),
            Ok(ToolSource::Mcp(_))
        ));
        for text in [
            "builtin",
            "file:a/b.json:simulated",
            "mcp+stdio:\"node s.js\"",
            "mcp+stdio:\"env S={workdir}/s.json node s.js\";reset=reset_state;pool=0",
            "mcp+http:http://127.0.0.1:8/mcp;state=dump",
        ] {
            let s: ToolSource = text.parse().expect(text);
            assert_eq!(s.to_string(), text);
        }
        for bad in ["", "file:", "mcp+http:ftp://x", "world"] {
            let e = bad.parse::<ToolSource>().expect_err(bad);
            assert!(e.to_string().contains("expected"), "{e}");
        }
        let e = "specs/tools.json"
            .parse::<ToolSource>()
            .expect_err("bare path");
        assert!(
            e.to_string().contains("file:specs/tools.json:simulated"),
            "{e}"
        );
    }
}
