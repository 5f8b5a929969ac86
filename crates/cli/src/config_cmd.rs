//! The model configuration from `hardgen.toml`, the environment and flags (shared by
//! `hardgen generate` and `hardgen config show`), and building the model roles from it.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use hardgen_synth::config::{self, ConfigFile, Overrides, Resolved, RoleConfig};
use hardgen_synth::roles::{self, CallMode, LlmCall, ModelRoles};
use std::path::Path;
use std::sync::Arc;

/// Model flags of `hardgen generate` (and `hardgen config show`); each wins over `hardgen.toml`
/// for every role.
#[derive(Debug, Args, Clone, Default)]
pub struct LlmFlags {
    /// Base URL of an OpenAI-compatible server (ending in /v1) for every model role. Key from
    /// HARDGEN_API_KEY or OPENAI_API_KEY.
    #[arg(long, env = "HARDGEN_LLM_BASE_URL")]
    pub llm_base_url: Option<String>,
    /// Model name for every model role.
    #[arg(long, env = "HARDGEN_LLM_MODEL")]
    pub llm_model: Option<String>,
    /// Roles the model takes (comma-separated): tool_maker, query_writer, reasoner, verifier
    /// (default: every role that has an endpoint).
    #[arg(long, value_delimiter = ',')]
    pub llm_roles: Option<Vec<String>>,
    /// How the reasoner asks for tool calls: native (OpenAI tools), text (Hermes or Python calls
    /// in the text) or constrained (JSON-schema output, for models without tool calling; the
    /// tool maker and verifier then also get JSON-schema answers). Default: native.
    #[arg(long)]
    pub llm_tool_mode: Option<String>,
    /// Retries of one model request (429, 5xx, timeouts, cut-off bodies) before the run stops
    /// (default 5).
    #[arg(long)]
    pub llm_max_retries: Option<u32>,
    /// Timeout of one model request, in seconds (default 120).
    #[arg(long)]
    pub llm_timeout: Option<f64>,
    /// Sampling temperature (default 0.7; the reasoner 0.2).
    #[arg(long)]
    pub llm_temperature: Option<f64>,
    /// Most tokens of one answer (default: each role's own budget).
    #[arg(long)]
    pub llm_max_tokens: Option<u32>,
    /// Model requests in flight at once per role (default: the worker count).
    #[arg(long)]
    pub llm_concurrency: Option<usize>,
    /// Requests started per minute, per role.
    #[arg(long)]
    pub llm_requests_per_minute: Option<u32>,
    /// Tokens per minute, per role.
    #[arg(long)]
    pub llm_tokens_per_minute: Option<u64>,
    /// Price per million prompt tokens (for the cost estimate and --max-cost).
    #[arg(long)]
    pub llm_input_price: Option<f64>,
    /// Price per million completion tokens.
    #[arg(long)]
    pub llm_output_price: Option<f64>,
    /// Stop the run cleanly between items once the estimated model spend reaches this.
    #[arg(long)]
    pub max_cost: Option<f64>,
    /// Do not keep model answers in DIR/hardgen.sqlite (by default a rerun into the same
    /// directory is answered from it and sends nothing twice).
    #[arg(long)]
    pub llm_no_cache: bool,
}

impl LlmFlags {
    fn overrides(&self) -> Overrides {
        Overrides {
            base_url: self.llm_base_url.clone(),
            model: self.llm_model.clone(),
            roles: self.llm_roles.clone(),
            temperature: self.llm_temperature,
            max_tokens: self.llm_max_tokens,
            tool_mode: self.llm_tool_mode.clone(),
            timeout: self.llm_timeout,
            max_retries: self.llm_max_retries,
            concurrency: self.llm_concurrency,
            requests_per_minute: self.llm_requests_per_minute,
            tokens_per_minute: self.llm_tokens_per_minute,
            input_price_per_mtok: self.llm_input_price,
            output_price_per_mtok: self.llm_output_price,
            max_cost: self.max_cost,
            no_cache: self.llm_no_cache,
        }
    }
}

/// Reads the config file (`--config`, `HARDGEN_CONFIG` or `./hardgen.toml`) and resolves
/// every role with the flags.
pub fn resolve(flags: &LlmFlags, config: Option<&Path>) -> Result<Resolved> {
    let path = config::locate(config, std::env::var("HARDGEN_CONFIG").ok());
    let file = path.as_deref().map(ConfigFile::read).transpose()?;
    let env = |k: &str| std::env::var(k).ok();
    Ok(config::resolve(
        path.as_deref().zip(file.as_ref()),
        &env,
        &flags.overrides(),
    )?)
}

/// `hardgen config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Print the resolved model configuration (file, environment, flags) with secrets masked.
    Show {
        /// The same model flags `hardgen generate` takes.
        #[command(flatten)]
        flags: LlmFlags,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `hardgen config show`.
pub fn run(cmd: ConfigCmd, config: Option<&Path>) -> Result<u8> {
    let ConfigCmd::Show { flags, json } = cmd;
    let r = resolve(&flags, config)?;
    let shown = r.show();
    if json {
        say!("{}", serde_json::to_string_pretty(&shown)?);
        return Ok(0);
    }
    say!(
        "config file: {}",
        r.file.as_deref().unwrap_or("none (built-in defaults)")
    );
    say!(
        "max cost:    {}",
        r.max_cost.map_or("none".to_string(), |c| c.to_string())
    );
    say!("cache:       {}", if r.cache { "on" } else { "off" });
    for role in shown["roles"].as_array().into_iter().flatten() {
        let name = role["role"].as_str().unwrap_or_default();
        match (role["base_url"].as_str(), role["model"].as_str()) {
            (Some(u), Some(m)) => {
                say!("[{name}] model {m} at {u}");
                for k in [
                    "api_key",
                    "tool_mode",
                    "temperature",
                    "max_tokens",
                    "concurrency",
                    "timeout",
                    "max_retries",
                    "requests_per_minute",
                    "tokens_per_minute",
                    "input_price_per_mtok",
                    "output_price_per_mtok",
                    "headers",
                    "prompts",
                ] {
                    say!("  {k:<22} {}", role[k]);
                }
            }
            _ => say!("[{name}] offline"),
        }
    }
    Ok(0)
}

/// What `generate` builds from a resolved configuration: the roles, the runtime they wait on,
/// and the endpoints to record.
pub struct Built {
    /// Model roles for the run.
    pub roles: ModelRoles,
    /// Keeps the runtime alive while the roles use it.
    pub runtime: Option<tokio::runtime::Runtime>,
    /// Endpoints by base URL and model.
    pub endpoints: Vec<hardgen_synth::run::LlmEndpoint>,
}

/// A model client for one role's settings.
pub fn client_for(r: &RoleConfig, jobs: usize) -> Result<hardgen_llm::Client> {
    let (Some(url), Some(model)) = (&r.base_url, &r.model) else {
        anyhow::bail!("{}: no endpoint", r.role);
    };
    let mut c = hardgen_llm::ClientConfig::new(url, model);
    c.api_key = r
        .api_key_env
        .as_deref()
        .and_then(|k| std::env::var(k).ok())
        .filter(|v| !v.trim().is_empty())
        .map(hardgen_llm::ApiKey::new);
    c.max_retries = r.max_retries;
    c.timeout = std::time::Duration::try_from_secs_f64(r.timeout)
        .with_context(|| format!("{} timeout {} is not seconds", r.role, r.timeout))?;
    c.concurrency = r.concurrency.unwrap_or(jobs).max(1);
    c.requests_per_minute = r.requests_per_minute;
    c.tokens_per_minute = r.tokens_per_minute;
    c.prices = hardgen_llm::Prices {
        input_per_mtok: r.input_price_per_mtok,
        output_per_mtok: r.output_price_per_mtok,
    };
    c.headers = r
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(hardgen_llm::Client::new(c)?)
}

/// Builds the model roles of `resolved` (one client per role, one shared answer cache in
/// `out` unless turned off).
pub fn build(resolved: &Resolved, out: &Path, jobs: usize, seed: u64) -> Result<Built> {
    if !resolved.any_model() {
        return Ok(Built {
            roles: ModelRoles::default(),
            runtime: None,
            endpoints: Vec::new(),
        });
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the async runtime for the model client")?;
    let cache = if resolved.cache {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        Some(Arc::new(hardgen_llm::Cache::open(
            &out.join("hardgen.sqlite"),
        )?))
    } else {
        None
    };
    let mut roles = ModelRoles::default();
    let mut clients = Vec::new();
    let mut endpoints: Vec<hardgen_synth::run::LlmEndpoint> = Vec::new();
    for r in resolved.roles.iter().filter(|r| r.uses_model()) {
        let mut client = client_for(r, jobs)?;
        if let Some(c) = &cache {
            client = client.with_cache(Arc::clone(c));
        }
        clients.push(client.clone());
        let (url, model) = (
            r.base_url.clone().unwrap_or_default(),
            r.model.clone().unwrap_or_default(),
        );
        match endpoints
            .iter_mut()
            .find(|e| e.base_url == url && e.model == model)
        {
            Some(e) => e.roles.push(r.role.clone()),
            None => endpoints.push(hardgen_synth::run::LlmEndpoint {
                base_url: url,
                model,
                roles: vec![r.role.clone()],
            }),
        }
        let mode: CallMode = r.tool_mode.parse().map_err(anyhow::Error::msg)?;
        let prompts = hardgen_synth::prompts::Prompts::new(
            &r.role,
            r.system_prompt.clone(),
            r.user_prompt.clone(),
        )?;
        let model: Arc<dyn hardgen_llm::ChatModel> = Arc::new(client.clone());
        let call = |role: &'static str, prompts| {
            let mut c = LlmCall::new(role, Arc::clone(&model), runtime.handle().clone());
            c.seed = seed;
            c.temperature = r.temperature;
            c.max_tokens = r.max_tokens;
            c.prompts = prompts;
            c.constrained = mode == CallMode::Constrained;
            c
        };
        match r.role.as_str() {
            "query_writer" => {
                roles.query_writer = Some(Arc::new(roles::LlmQueryWriter(call(
                    "query_writer",
                    prompts,
                ))))
            }
            "tool_maker" => {
                roles.tool_maker = Some(Arc::new(roles::LlmToolMaker(call("tool_maker", prompts))))
            }
            "verifier" => {
                roles.verifier = Some(Arc::new(roles::LlmVerifier(call("verifier", prompts))))
            }
            _ => {
                let mut x =
                    roles::LlmReasoner::new(Arc::clone(&model), runtime.handle().clone(), mode);
                x.seed = seed;
                x.temperature = r.temperature;
                if let Some(m) = r.max_tokens {
                    x.max_tokens = m;
                }
                x.prompts = prompts;
                roles.reasoner = Some(Arc::new(x));
            }
        }
    }
    // The run's figures add up every role's client (the cache counts hits per client).
    roles.stats = Some(Arc::new(move || {
        clients
            .iter()
            .map(hardgen_llm::Client::stats)
            .fold(hardgen_llm::Stats::default(), |a, s| a + s)
    }));
    Ok(Built {
        roles,
        runtime: Some(runtime),
        endpoints,
    })
}
