//! MCP (Model Context Protocol) servers as tool environments, through the `rmcp` SDK: a command
//! spoken to over stdio, or a streamable-HTTP URL.
//!
//! Each trajectory starts from a fresh state: a stdio server is a fresh process (taken from a
//! warm pool, so start-up time is hidden) in a fresh temporary working directory (copied from a
//! template directory when one is given; `{workdir}` in the command is replaced by it), unless
//! the config names the server's own reset tool, which is then called instead. A server that
//! crashes, hangs or writes garbage is restarted, the trajectory's earlier calls are replayed,
//! and the call is retried, up to `retries` times; each restart is an event ([`Environment::take_events`]).
//!
//! What a remote server cannot offer natively comes from replay: a snapshot is the list of calls
//! since the last reset, and restoring one resets and replays them. The state digest comes from
//! the state tool the config names, or else from the sequence of calls and results since the
//! reset ([`Environment::digest_source`] says which).

use crate::env::Environment;
use hardgen_core::spec::inline_refs;
use hardgen_core::{ToolCall, ToolError, ToolSpec};
use rmcp::model::CallToolRequestParams;
use rmcp::service::{RoleClient, RunningService};
use rmcp::ServiceExt;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// Where the server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpTarget {
    /// A command started per trajectory, spoken to over stdin/stdout.
    Stdio(String),
    /// A streamable-HTTP endpoint (`http://host:port/mcp`).
    Http(String),
}

/// An MCP source and how to run it (the part of `--tools mcp+...` after the target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpConfig {
    /// The server.
    pub target: McpTarget,
    /// The server's own reset tool (called instead of restarting the process).
    pub reset_tool: Option<String>,
    /// A tool whose result is the server's full state (digests for end-state checks).
    pub state_tool: Option<String>,
    /// A directory copied into each trajectory's working directory (stdio only).
    pub template: Option<PathBuf>,
    /// Stdio server processes kept started ahead (0: a cold start per trajectory).
    pub pool: usize,
    /// Seconds a call may take before the server counts as hung.
    pub timeout_secs: u64,
    /// Restarts per call before the call fails as `unavailable`.
    pub retries: u32,
    /// Put before every tool name (`office_` makes `create_contact` `office_create_contact`), so
    /// a server can sit beside other sources with tools of the same names.
    pub prefix: String,
}

/// Defaults of the options.
const DEFAULT_POOL: usize = 2;
const DEFAULT_TIMEOUT: u64 = 20;
const DEFAULT_RETRIES: u32 = 2;

impl McpConfig {
    /// A config with default options for `target`.
    pub fn new(target: McpTarget) -> McpConfig {
        McpConfig {
            target,
            reset_tool: None,
            state_tool: None,
            template: None,
            pool: DEFAULT_POOL,
            timeout_secs: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
            prefix: String::new(),
        }
    }

    /// Parses `"CMD ARGS"[;key=value...]` (stdio) or `URL[;key=value...]` (http); keys are
    /// `reset`, `state`, `template`, `pool`, `timeout`, `retries`, `prefix`.
    pub fn parse(stdio: bool, text: &str) -> Result<McpConfig, String> {
        let text = text.trim();
        let (head, rest) = match text.strip_prefix('"') {
            Some(quoted) => match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => return Err("the command's closing quote is missing".into()),
            },
            None => text.split_once(';').map_or((text, ""), |(h, r)| (h, r)),
        };
        let head = head.trim();
        let target = if stdio {
            if head.is_empty() {
                return Err("expected mcp+stdio:\"CMD ARGS\"".into());
            }
            shell_words::split(head).map_err(|e| format!("command `{head}`: {e}"))?;
            McpTarget::Stdio(head.to_string())
        } else {
            if !(head.starts_with("http://") || head.starts_with("https://")) {
                return Err("expected mcp+http:http://HOST/PATH".into());
            }
            McpTarget::Http(head.to_string())
        };
        let mut cfg = McpConfig::new(target);
        for opt in rest.split(';').map(str::trim).filter(|o| !o.is_empty()) {
            let Some((k, v)) = opt.split_once('=') else {
                return Err(format!("option `{opt}`: expected key=value"));
            };
            let num = |what: &str| {
                v.parse::<u64>()
                    .map_err(|_| format!("option `{k}`: {what} expected, got `{v}`"))
            };
            match k {
                "reset" => cfg.reset_tool = Some(v.to_string()),
                "state" => cfg.state_tool = Some(v.to_string()),
                "template" => cfg.template = Some(PathBuf::from(v)),
                "pool" => cfg.pool = num("a count")? as usize,
                "timeout" => cfg.timeout_secs = num("seconds")?.max(1),
                "retries" => cfg.retries = num("a count")? as u32,
                "prefix" => cfg.prefix = v.to_string(),
                _ => {
                    return Err(format!(
                    "unknown option `{k}` (known: reset, state, template, pool, timeout, retries, prefix)"
                ))
                }
            }
        }
        Ok(cfg)
    }

    /// The source as `--tools` takes it (parses back to the same config).
    pub fn to_source(&self) -> String {
        let mut s = match &self.target {
            McpTarget::Stdio(cmd) => format!("mcp+stdio:\"{cmd}\""),
            McpTarget::Http(url) => format!("mcp+http:{url}"),
        };
        if let Some(r) = &self.reset_tool {
            s.push_str(&format!(";reset={r}"));
        }
        if let Some(r) = &self.state_tool {
            s.push_str(&format!(";state={r}"));
        }
        if let Some(t) = &self.template {
            s.push_str(&format!(";template={}", t.display()));
        }
        if self.pool != DEFAULT_POOL {
            s.push_str(&format!(";pool={}", self.pool));
        }
        if self.timeout_secs != DEFAULT_TIMEOUT {
            s.push_str(&format!(";timeout={}", self.timeout_secs));
        }
        if self.retries != DEFAULT_RETRIES {
            s.push_str(&format!(";retries={}", self.retries));
        }
        if !self.prefix.is_empty() {
            s.push_str(&format!(";prefix={}", self.prefix));
        }
        s
    }

    /// A short name for messages: the command or URL.
    pub fn label(&self) -> &str {
        match &self.target {
            McpTarget::Stdio(c) | McpTarget::Http(c) => c,
        }
    }
}

/// A failure to reach or use an MCP server.
#[derive(Debug, thiserror::Error)]
#[error("MCP server `{server}`: {message}")]
pub struct McpError {
    /// The command or URL.
    pub server: String,
    /// What went wrong.
    pub message: String,
}

/// One live connection, with the working directory its process runs in.
struct Conn {
    service: RunningService<RoleClient, ()>,
    /// Removed when the connection is dropped (after the process is gone).
    _workdir: Option<tempfile::TempDir>,
}

/// Which environment's state each shared server (an HTTP server with a reset tool) holds now:
/// several environments (workers, the verifier's two) take turns on one server, each getting
/// its own state back by reset and replay when the server last ran another's calls.
static OWNERS: LazyLock<Mutex<HashMap<String, u64>>> = LazyLock::new(Default::default);
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// An MCP server as an [`Environment`]; see the module docs.
pub struct McpEnv {
    /// This environment's number among those sharing a server.
    id: u64,
    cfg: Arc<McpConfig>,
    specs: Arc<Vec<ToolSpec>>,
    rt: Option<Runtime>,
    conn: Option<Conn>,
    pool: VecDeque<JoinHandle<Result<Conn, String>>>,
    /// Calls since the last reset, with their results (replay and digest).
    log: Vec<(ToolCall, Result<Value, ToolError>)>,
    events: Vec<String>,
    seed: u64,
}

impl Clone for McpEnv {
    /// A new environment over the same server and tools: it starts its own processes.
    fn clone(&self) -> McpEnv {
        McpEnv {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            cfg: self.cfg.clone(),
            specs: self.specs.clone(),
            rt: None,
            conn: None,
            pool: VecDeque::new(),
            log: Vec::new(),
            events: Vec::new(),
            seed: self.seed,
        }
    }
}

impl Drop for McpEnv {
    fn drop(&mut self) {
        // Processes die with their transports; the runtime must outlive them.
        self.conn = None;
        if let Some(rt) = &self.rt {
            for h in self.pool.drain(..) {
                h.abort();
                let _ = rt.block_on(h);
            }
        }
    }
}

/// A snapshot: the calls since the reset (restored by reset and replay).
#[derive(Clone, Debug, Default)]
pub struct McpSnapshot {
    calls: Arc<Vec<ToolCall>>,
}

fn runtime(server: &str) -> Result<Runtime, McpError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| McpError {
            server: server.to_string(),
            message: format!("cannot start an async runtime: {e}"),
        })
}

/// Copies a template directory's files into `to`.
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A word of the command that names an existing relative path, made absolute: the server runs
/// in its working directory, but the command was written where hardgen was started.
fn absolute(word: String) -> String {
    let p = Path::new(&word);
    if word.starts_with('-') || p.is_absolute() || !p.exists() {
        return word;
    }
    std::env::current_dir()
        .map(|d| d.join(p).to_string_lossy().into_owned())
        .unwrap_or(word)
}

/// Starts and initialises one connection (a process in a fresh workdir, or an HTTP session).
async fn connect(cfg: Arc<McpConfig>) -> Result<Conn, String> {
    match &cfg.target {
        McpTarget::Stdio(cmd) => {
            let dir = tempfile::Builder::new()
                .prefix("hardgen-mcp-")
                .tempdir()
                .map_err(|e| format!("cannot make a working directory: {e}"))?;
            if let Some(t) = &cfg.template {
                copy_dir(t, dir.path())
                    .map_err(|e| format!("cannot copy template {}: {e}", t.display()))?;
            }
            let line = cmd.replace("{workdir}", &dir.path().to_string_lossy());
            let words: Vec<String> = shell_words::split(&line)
                .map_err(|e| format!("command: {e}"))?
                .into_iter()
                .map(absolute)
                .collect();
            let (prog, args) = words.split_first().ok_or("empty command")?;
            let mut c = tokio::process::Command::new(prog);
            c.args(args).current_dir(dir.path());
            let (transport, _) = rmcp::transport::TokioChildProcess::builder(c)
                .stderr(std::process::Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot start `{prog}`: {e}"))?;
            let service = tokio::time::timeout(
                Duration::from_secs(cfg.timeout_secs.max(30)),
                ().serve(transport),
            )
            .await
            .map_err(|_| "no answer to initialize".to_string())?
            .map_err(|e| format!("initialize failed: {e}"))?;
            Ok(Conn {
                service,
                _workdir: Some(dir),
            })
        }
        McpTarget::Http(url) => {
            let transport = rmcp::transport::StreamableHttpClientTransport::from_uri(url.as_str());
            let service =
                tokio::time::timeout(Duration::from_secs(cfg.timeout_secs), ().serve(transport))
                    .await
                    .map_err(|_| "no answer to initialize".to_string())?
                    .map_err(|e| format!("initialize failed: {e}"))?;
            Ok(Conn {
                service,
                _workdir: None,
            })
        }
    }
}

/// The text parts of a tool result's content, joined.
fn content_text(r: &Value) -> String {
    r.get("content")
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// A `tools/call` result as our result value: `structuredContent`, else the text parsed as
/// JSON, else the text; `isError` results are tool errors.
pub fn result_value(r: &Value) -> Result<Value, ToolError> {
    let text = content_text(r);
    if r.get("isError").and_then(Value::as_bool) == Some(true) {
        let message = if text.is_empty() {
            "the tool reported an error without a message".to_string()
        } else {
            text
        };
        return Err(ToolError::Failed { message });
    }
    if let Some(s) = r.get("structuredContent").filter(|s| !s.is_null()) {
        return Ok(s.clone());
    }
    Ok(serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text)))
}

/// An MCP tool listing (`tools/list` entries as JSON) as our specs, dropping `hidden` tools (the
/// reset and state tools), with each tool's `readOnlyHint`.
pub fn specs_of(
    tools: &[Value],
    domain: &str,
    source: &str,
    hidden: &[&str],
    prefix: &str,
) -> Result<Vec<ToolSpec>, hardgen_core::SpecError> {
    let mut funcs = Vec::new();
    for t in tools {
        let name = t.get("name").and_then(Value::as_str).unwrap_or_default();
        if hidden.contains(&name) {
            continue;
        }
        let mut f = Map::new();
        f.insert("name".into(), json!(format!("{prefix}{name}")));
        let desc = t
            .get("description")
            .or_else(|| t.get("title"))
            .cloned()
            .unwrap_or_else(|| json!(""));
        f.insert("description".into(), desc);
        let params = t
            .get("inputSchema")
            .map(inline_refs)
            .unwrap_or_else(|| json!({"type": "object", "properties": {}}));
        f.insert("parameters".into(), params);
        if let Some(o) = t.get("outputSchema").filter(|o| o.is_object()) {
            f.insert("returns".into(), inline_refs(o));
        }
        f.insert("domain".into(), json!(domain));
        if let Some(hint) = t
            .pointer("/annotations/readOnlyHint")
            .filter(|h| h.is_boolean())
        {
            f.insert("read_only".into(), hint.clone());
        }
        funcs.push(json!({"type": "function", "function": f}));
    }
    let text = Value::Array(funcs).to_string();
    hardgen_core::spec::parse_specs(&text, source)
}

impl McpEnv {
    /// Connects once to list the server's tools; the environment then starts its own
    /// connections (per trajectory for stdio servers).
    pub fn connect(cfg: McpConfig) -> Result<McpEnv, McpError> {
        let cfg = Arc::new(cfg);
        let server = cfg.label().to_string();
        let err = |message: String| McpError {
            server: server.clone(),
            message,
        };
        let rt = runtime(&server)?;
        let (tools, name) = rt
            .block_on(async {
                let conn = connect(cfg.clone()).await?;
                let listed = tokio::time::timeout(
                    Duration::from_secs(cfg.timeout_secs),
                    conn.service.list_all_tools(),
                )
                .await
                .map_err(|_| "no answer to tools/list".to_string())?
                .map_err(|e| format!("tools/list failed: {e}"))?;
                let name = conn
                    .service
                    .peer_info()
                    .and_then(|i| i.server_info.as_ref().map(|s| s.name.clone()))
                    .unwrap_or_default();
                let tools: Vec<Value> = listed
                    .iter()
                    .map(|t| serde_json::to_value(t).unwrap_or(Value::Null))
                    .collect();
                drop(conn);
                Ok::<_, String>((tools, name))
            })
            .map_err(err)?;
        let domain = domain_name(&name);
        let hidden: Vec<&str> = [cfg.reset_tool.as_deref(), cfg.state_tool.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        for h in &hidden {
            if !tools
                .iter()
                .any(|t| t.get("name").and_then(Value::as_str) == Some(h))
            {
                return Err(err(format!(
                    "the server has no tool `{h}` (named in the config)"
                )));
            }
        }
        let specs = specs_of(
            &tools,
            &domain,
            &format!("mcp:{server}"),
            &hidden,
            &cfg.prefix,
        )
        .map_err(|e| err(e.to_string()))?;
        if specs.is_empty() {
            return Err(err("the server lists no tools".into()));
        }
        Ok(McpEnv {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            cfg,
            specs: Arc::new(specs),
            rt: Some(rt),
            conn: None,
            pool: VecDeque::new(),
            log: Vec::new(),
            events: Vec::new(),
            seed: 0,
        })
    }

    /// The config this environment runs.
    pub fn config(&self) -> &McpConfig {
        &self.cfg
    }

    /// Restarts, retries and replay failures not yet taken, oldest first.
    pub fn events(&self) -> &[String] {
        &self.events
    }

    fn rt(&mut self) -> &Runtime {
        let cfg = self.cfg.clone();
        self.rt.get_or_insert_with(|| {
            runtime(cfg.label())
                .expect("a tokio runtime (threads and timers) can always be built here")
        })
    }

    /// Starts pool connections until `pool` are on their way.
    fn fill_pool(&mut self) {
        let want = self.cfg.pool;
        let cfg = self.cfg.clone();
        let n = self.pool.len();
        let rt = self.rt();
        let mut new = Vec::new();
        for _ in n..want {
            new.push(rt.spawn(connect(cfg.clone())));
        }
        self.pool.extend(new);
    }

    /// A fresh connection: from the pool when there is one, else started now.
    fn fresh_conn(&mut self) -> Result<Conn, String> {
        let cfg = self.cfg.clone();
        let next = self.pool.pop_front();
        let conn = {
            let rt = self.rt();
            match next {
                Some(h) => rt
                    .block_on(h)
                    .map_err(|e| format!("start-up task failed: {e}"))
                    .and_then(|c| c),
                None => rt.block_on(connect(cfg)),
            }
        };
        self.fill_pool();
        conn
    }

    /// One `tools/call` on the live connection, as JSON; `Err` is a transport failure.
    fn call_raw(&self, name: &str, args: &Map<String, Value>) -> Result<Value, String> {
        let conn = self.conn.as_ref().ok_or("not connected")?;
        let rt = self.rt.as_ref().ok_or("no runtime")?;
        let mut params = CallToolRequestParams::new(name.to_string());
        params.arguments = Some(args.clone());
        let timeout = Duration::from_secs(self.cfg.timeout_secs);
        let out = rt.block_on(async {
            tokio::time::timeout(timeout, conn.service.call_tool(params)).await
        });
        match out {
            Err(_) => Err(format!("`{name}` gave no answer in {}s", timeout.as_secs())),
            Ok(Err(e)) => Err(format!("`{name}`: {e}")),
            Ok(Ok(r)) => serde_json::to_value(&r).map_err(|e| e.to_string()),
        }
    }

    /// A tool's name on the server (without the configured prefix).
    fn server_name<'a>(&self, name: &'a str) -> &'a str {
        name.strip_prefix(self.cfg.prefix.as_str()).unwrap_or(name)
    }

    /// The turn on a server that other environments share (None: this one is not shared).
    fn shared(&self) -> Option<MutexGuard<'static, HashMap<String, u64>>> {
        match (&self.cfg.target, &self.cfg.reset_tool) {
            (McpTarget::Http(_), Some(_)) => Some(OWNERS.lock().unwrap_or_else(|p| p.into_inner())),
            _ => None,
        }
    }

    /// Marks a shared server as holding this environment's state.
    fn own(&self, turn: &mut Option<MutexGuard<'static, HashMap<String, u64>>>) {
        if let Some(owners) = turn {
            owners.insert(self.cfg.label().to_string(), self.id);
        }
    }

    /// A call on the server holding this environment's state: a shared server that last ran
    /// another environment's calls is reset and this one's calls replayed first.
    fn call_synced(&self, name: &str, args: &Map<String, Value>) -> Result<Value, String> {
        let mut turn = self.shared();
        let owner = turn.as_ref().and_then(|o| o.get(self.cfg.label()).copied());
        if turn.is_some() && owner != Some(self.id) {
            if let Some(r) = &self.cfg.reset_tool {
                self.call_raw(r, &Map::new())?;
            }
            for (c, _) in &self.log {
                self.call_raw(self.server_name(&c.name), &c.arguments)?;
            }
            self.own(&mut turn);
        }
        self.call_raw(name, args)
    }

    /// Replaces the connection with a fresh one at the start state; replays `calls`.
    fn restart(&mut self, calls: &[ToolCall]) -> Result<(), String> {
        self.conn = None;
        let c = self.fresh_conn()?;
        self.conn = Some(c);
        let mut turn = self.shared();
        if let Some(r) = self.cfg.reset_tool.clone() {
            self.call_raw(&r, &Map::new())?;
        }
        for c in calls {
            self.call_raw(self.server_name(&c.name), &c.arguments)?;
        }
        self.own(&mut turn);
        Ok(())
    }

    /// Resets the state: the reset tool on a live connection, else a fresh connection.
    fn reset_state(&mut self) -> Result<(), String> {
        if let (Some(r), true) = (self.cfg.reset_tool.clone(), self.conn.is_some()) {
            let mut turn = self.shared();
            if self.call_raw(&r, &Map::new()).is_ok() {
                self.own(&mut turn);
                return Ok(());
            }
            drop(turn);
            self.events
                .push(format!("reset tool `{r}` failed; restarted the server"));
        } else if matches!(self.cfg.target, McpTarget::Http(_)) && self.conn.is_some() {
            // An HTTP server without a reset tool keeps its state: nothing to do.
            return Ok(());
        }
        self.restart(&[])
    }

    fn unavailable(&self, reason: String) -> ToolError {
        ToolError::Unavailable {
            reason: format!("{}: {reason}", self.cfg.label()),
        }
    }
}

/// A domain name from the server's name (`hardgen-test-office` -> `hardgen_test_office`).
fn domain_name(server: &str) -> String {
    let d: String = server
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let d = d.trim_matches('_').to_string();
    if d.is_empty() {
        "mcp".into()
    } else {
        d
    }
}

impl Environment for McpEnv {
    type Snapshot = McpSnapshot;

    fn specs(&self) -> &[ToolSpec] {
        &self.specs
    }

    fn reset(&mut self, seed: u64) {
        // MCP servers are not seeded: every trajectory starts from the server's start state.
        self.seed = seed;
        // Every call (tool errors too) is logged, so a stdio server with an empty log is still
        // in its start state: starting another process would only cost time.
        if self.log.is_empty()
            && self.conn.is_some()
            && matches!(self.cfg.target, McpTarget::Stdio(_))
        {
            return;
        }
        self.log.clear();
        for attempt in 0..=self.cfg.retries {
            match self.reset_state() {
                Ok(()) => return,
                Err(e) => self
                    .events
                    .push(format!("reset attempt {}: {e}", attempt + 1)),
            }
        }
        // Calls will report the server as unavailable.
        self.conn = None;
    }

    fn execute(&mut self, call: &ToolCall) -> Result<Value, ToolError> {
        if !self.specs.iter().any(|s| s.name == call.name) {
            return Err(ToolError::UnknownTool {
                name: call.name.clone(),
            });
        }
        if self.conn.is_none() {
            let calls: Vec<ToolCall> = self.log.iter().map(|(c, _)| c.clone()).collect();
            if let Err(e) = self.restart(&calls) {
                return Err(self.unavailable(e));
            }
        }
        let mut last = String::new();
        for attempt in 0..=self.cfg.retries {
            if attempt > 0 {
                self.events.push(format!(
                    "restarted the server and retried `{}` (attempt {}): {last}",
                    call.name,
                    attempt + 1
                ));
                let calls: Vec<ToolCall> = self.log.iter().map(|(c, _)| c.clone()).collect();
                if let Err(e) = self.restart(&calls) {
                    last = e;
                    continue;
                }
            }
            match self.call_synced(self.server_name(&call.name), &call.arguments) {
                Ok(r) => {
                    let out = result_value(&r);
                    self.log.push((call.clone(), out.clone()));
                    return out;
                }
                Err(e) => last = e,
            }
        }
        self.conn = None;
        Err(self.unavailable(last))
    }

    fn snapshot(&self) -> McpSnapshot {
        McpSnapshot {
            calls: Arc::new(self.log.iter().map(|(c, _)| c.clone()).collect()),
        }
    }

    fn restore(&mut self, s: &McpSnapshot) {
        let same = self.log.len() == s.calls.len()
            && self
                .log
                .iter()
                .zip(s.calls.iter())
                .all(|((a, _), b)| a == b);
        if same {
            return;
        }
        let seed = self.seed;
        self.reset(seed);
        for c in s.calls.iter() {
            let before = self.log.len();
            let _ = self.execute(c);
            if self.log.len() == before {
                self.events.push(format!("replay of `{}` failed", c.name));
            }
        }
    }

    fn take_events(&mut self) -> Vec<String> {
        std::mem::take(&mut self.events)
    }

    fn digest_source(&self) -> Option<&'static str> {
        Some(if self.cfg.state_tool.is_some() {
            "state_tool"
        } else {
            "call_sequence"
        })
    }

    fn digest(&self) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let state = self
            .cfg
            .state_tool
            .as_deref()
            .and_then(|t| self.call_synced(t, &Map::new()).ok());
        match state {
            Some(s) => h.update(result_value(&s).unwrap_or_default().to_string().as_bytes()),
            None => {
                for (c, r) in &self.log {
                    h.update(c.name.as_bytes());
                    h.update(Value::Object(c.arguments.clone()).to_string().as_bytes());
                    match r {
                        Ok(v) => h.update(v.to_string().as_bytes()),
                        Err(e) => h.update(e.to_string().as_bytes()),
                    }
                }
            }
        }
        h.digest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_parse_with_options_and_print_back() {
        let c = McpConfig::parse(
            true,
            "\"python s.py --x {workdir}/a\";reset=reset_state;pool=0;prefix=office_",
        )
        .expect("parses");
        assert_eq!(
            c.target,
            McpTarget::Stdio("python s.py --x {workdir}/a".into())
        );
        assert_eq!(c.reset_tool.as_deref(), Some("reset_state"));
        assert_eq!(c.pool, 0);
        assert_eq!(c.retries, DEFAULT_RETRIES);
        assert_eq!(
            c.to_source(),
            "mcp+stdio:\"python s.py --x {workdir}/a\";reset=reset_state;pool=0;prefix=office_"
        );
        assert_eq!(c.prefix, "office_");
        let h = McpConfig::parse(false, "http://127.0.0.1:9/mcp;state=dump;timeout=5").expect("ok");
        assert_eq!(h.target, McpTarget::Http("http://127.0.0.1:9/mcp".into()));
        assert_eq!(h.state_tool.as_deref(), Some("dump"));
        assert_eq!(h.timeout_secs, 5);
        for (stdio, bad, says) in [
            (true, "", "expected"),
            (true, "\"node s.js", "quote"),
            (true, "\"node s.js\";color=red", "unknown option `color`"),
            (true, "\"node s.js\";pool=many", "a count expected"),
            (true, "\"node 's.js\"", "command"),
            (false, "ftp://x", "expected mcp+http"),
            (false, "http://x;reset", "key=value"),
        ] {
            let e = McpConfig::parse(stdio, bad).expect_err(bad);
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn templates_are_copied_whole_and_command_paths_resolved_from_here() {
        let from = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(from.path().join("db/logs")).expect("dirs");
        std::fs::write(from.path().join("db/store.json"), "{}").expect("file");
        std::fs::write(from.path().join("db/logs/a.txt"), "x").expect("file");
        let to = tempfile::tempdir().expect("tmp");
        copy_dir(from.path(), to.path()).expect("copies");
        assert_eq!(
            std::fs::read_to_string(to.path().join("db/store.json")).expect("copied"),
            "{}"
        );
        assert!(to.path().join("db/logs/a.txt").exists());
        // An existing relative path becomes absolute; flags, absolute paths and words stay.
        let here = std::env::current_dir().expect("cwd");
        assert_eq!(
            absolute("Cargo.toml".into()),
            here.join("Cargo.toml").to_string_lossy()
        );
        for w in ["--port", "/usr/bin/env", "node", "S={workdir}/s.json"] {
            assert_eq!(absolute(w.into()), w);
        }
    }

    #[test]
    fn results_come_from_structured_content_then_json_text_then_text() {
        let r = json!({"content": [{"type": "text", "text": "{\"a\": 2}"}],
                       "structuredContent": {"a": 1}});
        assert_eq!(result_value(&r), Ok(json!({"a": 1})));
        let r = json!({"content": [{"type": "text", "text": "{\"a\": 2}"}]});
        assert_eq!(result_value(&r), Ok(json!({"a": 2})));
        let r = json!({"content": [{"type": "text", "text": "plain words"}]});
        assert_eq!(result_value(&r), Ok(json!("plain words")));
        let r = json!({"content": [{"type": "text", "text": "no such file"}], "isError": true});
        assert_eq!(
            result_value(&r),
            Err(ToolError::Failed {
                message: "no such file".into()
            })
        );
        let r = json!({"content": [], "isError": true});
        assert!(matches!(result_value(&r), Err(ToolError::Failed { .. })));
    }

    #[test]
    fn listings_become_specs_without_hidden_tools_and_with_read_only_hints() {
        let tools = vec![
            json!({"name": "list_files", "description": "List files.",
                   "inputSchema": {"type": "object", "properties": {"folder_id": {"type": "string"}}},
                   "outputSchema": {"type": "object", "properties": {"results": {"type": "array"}}},
                   "annotations": {"readOnlyHint": true}}),
            json!({"name": "delete_file", "description": "Delete a file.",
                   "inputSchema": {"type": "object", "properties": {"file_id": {"type": "string"}},
                                   "required": ["file_id"]}}),
            json!({"name": "reset_state", "description": "Reset.",
                   "inputSchema": {"type": "object"}}),
        ];
        let specs = specs_of(&tools, "office", "mcp:test", &["reset_state"], "").expect("ok");
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["list_files", "delete_file"]);
        let ro: Vec<Option<bool>> = specs.iter().map(|s| s.read_only).collect();
        assert_eq!(ro, [Some(true), None]);
        assert!(specs[0].returns.is_some());
        assert!(specs[1].returns.is_none());
        assert_eq!(specs[0].domain, "office");
        let bad = vec![json!({"name": "x y", "inputSchema": {"type": "object"}})];
        let e = specs_of(&bad, "d", "mcp:test", &[], "").expect_err("bad name");
        assert!(e.to_string().contains("mcp:test"), "{e}");
        assert_eq!(domain_name("hardgen-test-office"), "hardgen_test_office");
        assert_eq!(domain_name("--"), "mcp");
    }
}
