//! The `hardgen` binary: parses flags, opens the tool world, dispatches to a command module.

/// Prints a line to stdout. A closed pipe (`hardgen tools list | head`) ends the program quietly,
/// as other command-line tools do, instead of panicking.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($t)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

mod check_cmd;
mod config_cmd;
mod eval_cmd;
mod gen_cmd;
mod graph_cmd;
mod llm_cmd;
mod serve_cmd;
mod tools_cmd;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

// Generation allocates many small JSON values; mimalloc makes it markedly faster (see the
// `generate` benchmark).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// hardgen: hard, verifiable tool-use training data for LLM agents.
#[derive(Debug, Parser)]
#[command(name = "hardgen", version, about)]
struct Cli {
    /// Use the domain files in this directory instead of the built-in world.
    #[arg(long, global = true, env = "HARDGEN_WORLD")]
    world: Option<PathBuf>,
    /// Model configuration file (default: HARDGEN_CONFIG, else ./hardgen.toml if present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect, call and export the tools of the world.
    #[command(subcommand)]
    Tools(tools_cmd::ToolsCmd),
    /// Build the API graph G = (T, D, P) and print it (json, dot, html) or its stats.
    Graph(graph_cmd::GraphCmd),
    /// Sample legal, directed, executed traces as JSON Lines.
    Traces(graph_cmd::TracesCmd),
    /// Generate a verified dataset (offline end to end) into a directory.
    Generate(gen_cmd::GenerateCmd),
    /// Print the summary of a generated directory.
    Stats {
        /// Run directory.
        dir: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Re-execute every record of a generated directory in a fresh world (the `--world` the run used, unless one is given) and report any that no longer verifies.
    Verify {
        /// Run directory.
        dir: PathBuf,
    },
    /// Talk to an OpenAI-compatible chat-completions endpoint (load benchmark).
    #[command(subcommand)]
    Llm(llm_cmd::LlmCmd),
    /// Serve a built-in deterministic policy (oracle, baseline) as an OpenAI-compatible
    /// endpoint: /v1/chat/completions, /v1/models, /health. Not a language model.
    Serve(serve_cmd::ServeCmd),
    /// Evaluate an agent (a model or a built-in policy) on a generated dataset: accuracy by
    /// domain, trace length, round and failure kind (table, JSON, HTML report).
    Eval(eval_cmd::EvalCmd),
    /// Probe a target and a reference agent on every tool: per-tool failure rates, the failure
    /// API set, and the graph weights it gives.
    Probe(eval_cmd::ProbeCmd),
    /// The closed loop: probe, weight the graph, generate, evaluate the target, feed its
    /// failures back, repeat (directed vs random pass rates side by side).
    Loop(eval_cmd::LoopCmd),
    /// Checkers: `hardgen check bfcl` scores model outputs with BFCL's AST checker semantics.
    #[command(subcommand)]
    Check(check_cmd::CheckCmd),
    /// Show progress per stage of a run directory (from its run store).
    Status {
        /// Run directory.
        dir: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show the resolved model configuration (hardgen.toml, environment, flags), secrets masked.
    #[command(subcommand)]
    Config(config_cmd::ConfigCmd),
}

/// Exit codes, documented in the README.
pub mod exit {
    /// Bad input: unreadable file, malformed JSON, unknown tool, invalid world.
    pub const INPUT: u8 = 1;
    /// The tool ran and returned a typed error (printed as JSON on stdout).
    pub const TOOL_ERROR: u8 = 3;
    /// `hardgen verify` found records that no longer verify.
    pub const UNVERIFIED: u8 = 4;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Tools(cmd) => tools_cmd::run(cmd, cli.world.as_deref()),
        Command::Graph(cmd) => graph_cmd::run_graph(cmd, || tools_cmd::open(cli.world.as_deref())),
        Command::Generate(cmd) => {
            gen_cmd::run_generate(cmd, cli.world.as_deref(), cli.config.as_deref())
        }
        Command::Stats { dir, json } => gen_cmd::run_stats(&dir, json),
        Command::Llm(cmd) => llm_cmd::run(cmd),
        Command::Check(cmd) => check_cmd::run(cmd),
        Command::Status { dir, json } => gen_cmd::run_status(&dir, json),
        Command::Eval(cmd) => tools_cmd::open(cli.world.as_deref())
            .and_then(|def| eval_cmd::run_eval(cmd, def, cli.config.as_deref())),
        Command::Probe(cmd) => tools_cmd::open(cli.world.as_deref())
            .and_then(|def| eval_cmd::run_probe(cmd, def, cli.config.as_deref())),
        Command::Loop(cmd) => tools_cmd::open(cli.world.as_deref())
            .and_then(|def| eval_cmd::run_loop_cmd(cmd, def, cli.config.as_deref())),
        Command::Serve(cmd) => serve_cmd::run(cmd),
        Command::Config(cmd) => config_cmd::run(cmd, cli.config.as_deref()),
        Command::Verify { dir } => gen_cmd::run_verify(&dir, cli.world.as_deref()),
        Command::Traces(cmd) => {
            tools_cmd::open(cli.world.as_deref()).and_then(|def| graph_cmd::run_traces(cmd, def))
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::INPUT)
        }
    }
}
