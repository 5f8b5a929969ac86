//! The model configuration of a run: `hardgen.toml` with an `[llm]` section (defaults for every
//! role) and one `[roles.NAME]` section per role (`tool_maker`, `query_writer`, `reasoner`,
//! `verifier`), overridden by environment variables and CLI flags. [`resolve`] gives each role
//! its endpoint and settings (or none: the offline implementation); [`Resolved::show`] prints it
//! with secrets masked.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The roles a model can take, in pipeline order.
pub const ROLES: &[&str] = &["tool_maker", "query_writer", "reasoner", "verifier"];

/// The file a run reads when no `--config` is given and it exists.
pub const DEFAULT_FILE: &str = "hardgen.toml";

/// A configuration problem, naming the file and the key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ConfigError {
    /// The file (or `flags`).
    pub file: String,
    /// What is wrong, with the key.
    pub message: String,
}

/// Settings of one role, or of every role (`[llm]`). Every field is optional: a role takes its
/// own value, else `[llm]`'s, else the default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSettings {
    /// Whether the role uses the model (default: yes, when it has a base URL and a model).
    pub enabled: Option<bool>,
    /// Base URL ending in `/v1`.
    pub base_url: Option<String>,
    /// Model name.
    pub model: Option<String>,
    /// Name of the environment variable that holds the key (default: `HARDGEN_API_KEY`, then
    /// `OPENAI_API_KEY`). Keys never go in the file.
    pub api_key_env: Option<String>,
    /// Sampling temperature.
    pub temperature: Option<f64>,
    /// Most tokens of one answer.
    pub max_tokens: Option<u32>,
    /// Requests in flight at once.
    pub concurrency: Option<usize>,
    /// `native`, `text` or `constrained` (the reasoner's tool calls).
    pub tool_mode: Option<String>,
    /// Timeout of one request, in seconds.
    pub timeout: Option<f64>,
    /// Retries of one request.
    pub max_retries: Option<u32>,
    /// Requests started per minute.
    pub requests_per_minute: Option<u32>,
    /// Tokens per minute.
    pub tokens_per_minute: Option<u64>,
    /// Price per million prompt tokens (for the cost estimate).
    pub input_price_per_mtok: Option<f64>,
    /// Price per million completion tokens.
    pub output_price_per_mtok: Option<f64>,
    /// Extra HTTP headers.
    pub headers: Option<BTreeMap<String, String>>,
    /// A minijinja template file for the role's system prompt (relative to the config file).
    pub system_prompt: Option<PathBuf>,
    /// A minijinja template file for the role's user prompt.
    pub user_prompt: Option<PathBuf>,
}

/// `hardgen.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Defaults for every role, plus `max_cost`.
    #[serde(default)]
    pub llm: LlmSection,
    /// Per-role settings.
    #[serde(default)]
    pub roles: BTreeMap<String, RoleSettings>,
}

/// The `[llm]` section: role defaults and run-wide limits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmSection {
    /// Defaults for every role.
    #[serde(flatten)]
    pub defaults: RoleSettings,
    /// Estimated spend after which the run stops between items.
    pub max_cost: Option<f64>,
    /// Whether answers are cached in the run directory (default: yes).
    pub cache: Option<bool>,
}

impl ConfigFile {
    /// Reads and checks a config file: unknown keys and roles are errors naming the key.
    pub fn read(path: &Path) -> Result<ConfigFile, ConfigError> {
        let err = |message: String| ConfigError {
            file: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        ConfigFile::parse(&text).map_err(err)
    }

    /// Parses config text.
    pub fn parse(text: &str) -> Result<ConfigFile, String> {
        let f: ConfigFile = toml::from_str(text).map_err(|e| e.to_string().trim().to_string())?;
        if let Some(bad) = f.roles.keys().find(|r| !ROLES.contains(&r.as_str())) {
            return Err(format!(
                "[roles.{bad}]: unknown role (roles: {})",
                ROLES.join(", ")
            ));
        }
        Ok(f)
    }
}

/// Values given on the command line (or through their environment variables); each wins over
/// the file for every role.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// `--llm-base-url`.
    pub base_url: Option<String>,
    /// `--llm-model`.
    pub model: Option<String>,
    /// `--llm-roles`: only these roles use the model.
    pub roles: Option<Vec<String>>,
    /// `--llm-temperature`.
    pub temperature: Option<f64>,
    /// `--llm-max-tokens`.
    pub max_tokens: Option<u32>,
    /// `--llm-tool-mode`.
    pub tool_mode: Option<String>,
    /// `--llm-timeout`.
    pub timeout: Option<f64>,
    /// `--llm-max-retries`.
    pub max_retries: Option<u32>,
    /// `--llm-concurrency`.
    pub concurrency: Option<usize>,
    /// `--llm-requests-per-minute`.
    pub requests_per_minute: Option<u32>,
    /// `--llm-tokens-per-minute`.
    pub tokens_per_minute: Option<u64>,
    /// `--llm-input-price`.
    pub input_price_per_mtok: Option<f64>,
    /// `--llm-output-price`.
    pub output_price_per_mtok: Option<f64>,
    /// `--max-cost`.
    pub max_cost: Option<f64>,
    /// `--llm-no-cache`.
    pub no_cache: bool,
}

/// One role, resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleConfig {
    /// Role name.
    pub role: String,
    /// Base URL (None: the role runs offline).
    pub base_url: Option<String>,
    /// Model name.
    pub model: Option<String>,
    /// Environment variable that holds the key, if one is set.
    pub api_key_env: Option<String>,
    /// Sampling temperature.
    pub temperature: f64,
    /// Most tokens of one answer (None: the role's own budget).
    pub max_tokens: Option<u32>,
    /// Requests in flight at once (None: the run's worker count).
    pub concurrency: Option<usize>,
    /// Tool-call mode.
    pub tool_mode: String,
    /// Timeout of one request, seconds.
    pub timeout: f64,
    /// Retries of one request.
    pub max_retries: u32,
    /// Requests per minute.
    pub requests_per_minute: Option<u32>,
    /// Tokens per minute.
    pub tokens_per_minute: Option<u64>,
    /// Price per million prompt tokens.
    pub input_price_per_mtok: f64,
    /// Price per million completion tokens.
    pub output_price_per_mtok: f64,
    /// Extra headers (values masked when shown).
    pub headers: BTreeMap<String, String>,
    /// System prompt template (None: the built-in one).
    #[serde(skip)]
    pub system_prompt: Option<String>,
    /// User prompt template (None: the built-in one).
    #[serde(skip)]
    pub user_prompt: Option<String>,
    /// Where the prompt templates come from (`built-in` or a path).
    pub prompts: String,
}

impl RoleConfig {
    /// Whether a model takes this role.
    pub fn uses_model(&self) -> bool {
        self.base_url.is_some() && self.model.is_some()
    }
}

/// The resolved configuration of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    /// The config file read, if any.
    pub file: Option<String>,
    /// Every role, in pipeline order.
    pub roles: Vec<RoleConfig>,
    /// Spend after which the run stops between items.
    pub max_cost: Option<f64>,
    /// Whether model answers are cached in the run directory.
    pub cache: bool,
}

/// Finds the config file: `--config`, else `HARDGEN_CONFIG`, else `./hardgen.toml` if present.
pub fn locate(flag: Option<&Path>, env: Option<String>) -> Option<PathBuf> {
    flag.map(Path::to_path_buf)
        .or_else(|| env.filter(|e| !e.is_empty()).map(PathBuf::from))
        .or_else(|| {
            let p = PathBuf::from(DEFAULT_FILE);
            p.is_file().then_some(p)
        })
}

/// The key environment variable a role uses: its own, else the first of the defaults that is set.
fn key_env(named: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    match named {
        Some(n) => env(n).map(|_| n.to_string()),
        None => ["HARDGEN_API_KEY", "OPENAI_API_KEY"]
            .iter()
            .find(|n| env(n).is_some_and(|v| !v.is_empty()))
            .map(|n| n.to_string()),
    }
}

/// Resolves every role: flags over the role's section over `[llm]` over the defaults.
pub fn resolve(
    file: Option<(&Path, &ConfigFile)>,
    env: &dyn Fn(&str) -> Option<String>,
    cli: &Overrides,
) -> Result<Resolved, ConfigError> {
    let empty = ConfigFile::default();
    let (path, f) = file.map_or((None, &empty), |(p, f)| (Some(p), f));
    let fname = path.map_or_else(|| "flags".to_string(), |p| p.display().to_string());
    let err = |message: String| ConfigError {
        file: fname.clone(),
        message,
    };
    if let Some(roles) = &cli.roles {
        if let Some(bad) = roles.iter().find(|r| !ROLES.contains(&r.as_str())) {
            return Err(ConfigError {
                file: "flags".into(),
                message: format!("--llm-roles: unknown role `{bad}` ({})", ROLES.join(", ")),
            });
        }
    }
    let base_dir = path.and_then(Path::parent).unwrap_or(Path::new("."));
    let read_template = |p: &Path, key: &str| -> Result<String, ConfigError> {
        let full = base_dir.join(p);
        let text = std::fs::read_to_string(&full)
            .map_err(|e| err(format!("{key}: cannot read {}: {e}", full.display())))?;
        minijinja::Environment::new()
            .template_from_str(&text)
            .map_err(|e| {
                err(format!(
                    "{key}: {} is not a valid template: {e}",
                    full.display()
                ))
            })?;
        Ok(text)
    };
    let d = &f.llm.defaults;
    let mut roles = Vec::new();
    for role in ROLES {
        let own = f.roles.get(*role).cloned().unwrap_or_default();
        macro_rules! pick {
            ($field:ident) => {
                cli.$field
                    .clone()
                    .or_else(|| own.$field.clone())
                    .or_else(|| d.$field.clone())
            };
        }
        macro_rules! pick_file {
            ($field:ident) => {
                own.$field.clone().or_else(|| d.$field.clone())
            };
        }
        let enabled = match &cli.roles {
            Some(list) => list.iter().any(|r| r == role),
            None => own.enabled.or(d.enabled).unwrap_or(true),
        };
        let base_url: Option<String> = pick!(base_url).filter(|_| enabled);
        let model: Option<String> = pick!(model).filter(|_| enabled);
        if base_url.is_some() != model.is_some() {
            return Err(err(format!(
                "[roles.{role}]: a model role needs both base_url and model (one is missing)"
            )));
        }
        if let Some(u) = &base_url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(err(format!(
                    "[roles.{role}] base_url: `{u}` is not an http(s) URL"
                )));
            }
        }
        let tool_mode = pick!(tool_mode).unwrap_or_else(|| "native".into());
        tool_mode
            .parse::<crate::roles::CallMode>()
            .map_err(|e| err(format!("[roles.{role}] tool_mode: {e}")))?;
        let temperature = pick!(temperature).unwrap_or(if *role == "reasoner" { 0.2 } else { 0.7 });
        if !(0.0..=2.0).contains(&temperature) {
            return Err(err(format!(
                "[roles.{role}] temperature: {temperature} is outside 0..=2"
            )));
        }
        let timeout = pick!(timeout).unwrap_or(120.0);
        if !(timeout.is_finite() && timeout > 0.0) {
            return Err(err(format!(
                "[roles.{role}] timeout: must be positive seconds"
            )));
        }
        let (system_prompt, user_prompt) = (
            pick_file!(system_prompt)
                .map(|p| read_template(&p, "system_prompt"))
                .transpose()?,
            pick_file!(user_prompt)
                .map(|p| read_template(&p, "user_prompt"))
                .transpose()?,
        );
        let prompts = match (pick_file!(system_prompt), pick_file!(user_prompt)) {
            (None, None) => "built-in".to_string(),
            (s, u) => [s, u]
                .into_iter()
                .flatten()
                .map(|p| base_dir.join(p).display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        };
        roles.push(RoleConfig {
            role: role.to_string(),
            api_key_env: base_url
                .as_ref()
                .and_then(|_| key_env(pick_file!(api_key_env).as_deref(), env)),
            base_url,
            model,
            temperature,
            max_tokens: pick!(max_tokens),
            concurrency: pick!(concurrency),
            tool_mode,
            timeout,
            max_retries: pick!(max_retries).unwrap_or(5),
            requests_per_minute: pick!(requests_per_minute),
            tokens_per_minute: pick!(tokens_per_minute),
            input_price_per_mtok: pick!(input_price_per_mtok).unwrap_or(0.0),
            output_price_per_mtok: pick!(output_price_per_mtok).unwrap_or(0.0),
            headers: pick_file!(headers).unwrap_or_default(),
            system_prompt,
            user_prompt,
            prompts,
        });
    }
    Ok(Resolved {
        file: path.map(|p| p.display().to_string()),
        roles,
        max_cost: cli.max_cost.or(f.llm.max_cost),
        cache: !cli.no_cache && f.llm.cache.unwrap_or(true),
    })
}

/// Whether a header carries a secret (its value is masked when shown).
fn secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["auth", "key", "token", "secret", "cookie", "password"]
        .iter()
        .any(|s| n.contains(s))
}

impl Resolved {
    /// The role named `role`.
    pub fn role(&self, role: &str) -> Option<&RoleConfig> {
        self.roles.iter().find(|r| r.role == role)
    }

    /// Whether any role uses a model.
    pub fn any_model(&self) -> bool {
        self.roles.iter().any(RoleConfig::uses_model)
    }

    /// The configuration as JSON with secrets masked: keys appear only as the name of the
    /// variable that holds them, secret header values as `***`.
    pub fn show(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(roles) = v.get_mut("roles").and_then(|r| r.as_array_mut()) {
            for r in roles {
                let key = match r.get("api_key_env").and_then(|k| k.as_str()) {
                    Some(k) => format!("*** (from ${k})"),
                    None => "none".to_string(),
                };
                r["api_key"] = serde_json::Value::from(key);
                if let Some(h) = r.get_mut("headers").and_then(|h| h.as_object_mut()) {
                    for (name, value) in h.iter_mut() {
                        if secret_header(name) {
                            *value = serde_json::Value::from("***");
                        }
                    }
                }
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    const FILE: &str = r#"
[llm]
base_url = "http://127.0.0.1:8000/v1"
model = "big"
temperature = 0.5
max_cost = 2.5
headers = { "X-Api-Key" = "secret-value", "X-Team" = "data" }

[roles.reasoner]
model = "small"
tool_mode = "constrained"

[roles.verifier]
enabled = false
"#;

    #[test]
    fn roles_take_their_section_then_llm_then_defaults_and_flags_win() {
        let f = ConfigFile::parse(FILE).expect("parses");
        let r = resolve(
            Some((Path::new("hardgen.toml"), &f)),
            &env(&[("OPENAI_API_KEY", "sk-1")]),
            &Overrides::default(),
        )
        .expect("resolves");
        let reasoner = r.role("reasoner").expect("role");
        assert_eq!(reasoner.model.as_deref(), Some("small"));
        assert_eq!(reasoner.tool_mode, "constrained");
        assert_eq!(reasoner.temperature, 0.5);
        assert_eq!(
            r.role("query_writer").and_then(|q| q.model.as_deref()),
            Some("big")
        );
        assert!(!r.role("verifier").expect("role").uses_model());
        assert_eq!(r.max_cost, Some(2.5));
        assert_eq!(reasoner.api_key_env.as_deref(), Some("OPENAI_API_KEY"));

        let cli = Overrides {
            model: Some("flagged".into()),
            roles: Some(vec!["reasoner".into()]),
            max_cost: Some(1.0),
            ..Overrides::default()
        };
        let r = resolve(Some((Path::new("hardgen.toml"), &f)), &env(&[]), &cli).expect("resolves");
        assert_eq!(
            r.role("reasoner").and_then(|q| q.model.as_deref()),
            Some("flagged")
        );
        assert!(!r.role("query_writer").expect("role").uses_model());
        assert_eq!(r.max_cost, Some(1.0));
    }

    #[test]
    fn show_masks_keys_and_secret_headers() {
        let f = ConfigFile::parse(FILE).expect("parses");
        let r = resolve(
            Some((Path::new("hardgen.toml"), &f)),
            &env(&[("HARDGEN_API_KEY", "sk-very-secret")]),
            &Overrides::default(),
        )
        .expect("resolves");
        let shown = r.show().to_string();
        assert!(!shown.contains("sk-very-secret") && !shown.contains("secret-value"));
        assert!(shown.contains("*** (from $HARDGEN_API_KEY)"), "{shown}");
        assert!(shown.contains("\"X-Team\":\"data\""), "{shown}");
    }

    #[test]
    fn bad_files_name_the_key() {
        let e = ConfigFile::parse("[roles.writer]\nmodel = \"m\"").expect_err("unknown role");
        assert!(e.contains("[roles.writer]"), "{e}");
        let e = ConfigFile::parse("[llm]\nmodle = \"m\"").expect_err("unknown key");
        assert!(e.contains("modle"), "{e}");
        let f = ConfigFile::parse("[roles.reasoner]\nbase_url = \"http://x/v1\"").expect("parses");
        let e = resolve(
            Some((Path::new("h.toml"), &f)),
            &env(&[]),
            &Overrides::default(),
        )
        .expect_err("no model");
        assert!(e.to_string().starts_with("h.toml: [roles.reasoner]"), "{e}");
        let f = ConfigFile::parse(
            "[llm]\nbase_url = \"http://x/v1\"\nmodel = \"m\"\ntool_mode = \"smoke\"",
        )
        .expect("parses");
        let e = resolve(
            Some((Path::new("h.toml"), &f)),
            &env(&[]),
            &Overrides::default(),
        )
        .expect_err("bad mode");
        assert!(e.to_string().contains("tool_mode"), "{e}");
    }
}
