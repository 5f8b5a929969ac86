//! `hardgen tools ...`: list, show, call, export and count the tools of a world; import and lint
//! foreign spec collections.

use crate::exit;
use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use hardgen_core::{ToolCall, ToolSpec};
use hardgen_tools::import::{self, Format};
use hardgen_tools::{world, Environment, World, WorldDef};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Subcommands of `hardgen tools`.
#[derive(Debug, Subcommand)]
pub enum ToolsCmd {
    /// List tools (a table, or a JSON array of specs with --json).
    List {
        /// Only tools of this domain.
        #[arg(long)]
        domain: Option<String>,
        /// Print the specs as a JSON array (OpenAI function shape plus `domain` and `returns`).
        #[arg(long)]
        json: bool,
    },
    /// Print one tool's spec as JSON.
    Show {
        /// Tool name.
        name: String,
    },
    /// Execute one call in a fresh world and print the result (or the typed error, exit code 3).
    Call {
        /// Tool name.
        name: String,
        /// Arguments as a JSON object.
        #[arg(long, default_value = "{}")]
        args: String,
        /// World seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Write all specs in a dialect.
    Export {
        /// Output dialect.
        #[arg(long, value_enum, default_value_t = Dialect::Openai)]
        format: Dialect,
        /// Output file (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Size and dependency figures of the world.
    Stats {
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Read a tool spec collection (OpenAI, BFCL, xLAM, ToolACE or OpenAPI 3 JSON), check it, and
    /// print the specs in hardgen's OpenAI shape.
    Import {
        /// Spec file.
        file: PathBuf,
        /// Input dialect (default: detect from the content).
        #[arg(long, default_value = "auto", value_parser = format_parser())]
        format: Format,
    },
    /// Report vague descriptions, untyped or undescribed parameters, missing `returns`, duplicate
    /// names and bad `required` entries (exit code 1 when there are findings).
    Lint {
        /// Spec file.
        file: PathBuf,
        /// Input dialect (default: detect from the content).
        #[arg(long, default_value = "auto", value_parser = format_parser())]
        format: Format,
        /// Print the findings as a JSON array of `{tool, path, kind, message}`.
        #[arg(long)]
        json: bool,
    },
    /// The world's true dependencies: which result field feeds which parameter.
    Deps {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

/// Spec dialects for export.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Dialect {
    /// `{"type": "function", "function": {..., "returns", "domain"}}`.
    Openai,
    /// BFCL: `{"name", "description", "parameters" (type dict), "response"}`.
    Bfcl,
}

/// `--format` of import and lint: the dialect names `hardgen_tools::import::Format` reads
/// (listed in `--help`).
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Format::NAMES)
        .map(|s| s.parse::<Format>().unwrap_or(Format::Auto))
}

/// Exit code of `hardgen tools lint` when it has findings (like linters; errors also exit 1).
const LINT_FINDINGS: u8 = 1;

/// The world to work on: the domain files in `world_dir`, or the built-in world.
pub fn open(world_dir: Option<&Path>) -> Result<Arc<WorldDef>> {
    match world_dir {
        Some(d) => {
            Ok(Arc::new(world::load_dir(d).with_context(|| {
                format!("loading world from {}", d.display())
            })?))
        }
        None => Ok(world::builtin().context("the built-in world does not compile")?),
    }
}

fn find<'a>(def: &'a WorldDef, name: &str) -> Result<&'a ToolSpec> {
    if let Some(&i) = def.by_name.get(name) {
        return Ok(&def.specs[i]);
    }
    let best = def
        .specs
        .iter()
        .map(|s| (strsim::jaro_winkler(name, &s.name), &s.name))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((score, n)) if score > 0.8 => bail!("unknown tool `{name}`; did you mean `{n}`?"),
        _ => bail!("unknown tool `{name}`; `hardgen tools list` shows all tools"),
    }
}

fn print_json(v: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

/// Runs a `tools` subcommand; returns the process exit code.
pub fn run(cmd: ToolsCmd, world_dir: Option<&Path>) -> Result<u8> {
    // Foreign specs need no world.
    match &cmd {
        ToolsCmd::Import { file, format } => {
            let specs = import::load_specs_as(file, *format)?;
            print_json(&specs)?;
            return Ok(0);
        }
        ToolsCmd::Lint { file, format, json } => {
            let findings = import::lint_file(file, *format)?;
            if *json {
                print_json(&findings)?;
            } else {
                let mut out = std::io::stdout().lock();
                for f in &findings {
                    let kind = serde_json::to_value(f.kind)?;
                    let kind = kind.as_str().unwrap_or_default();
                    writeln!(out, "{}: {}: {kind}: {}", file.display(), f.path, f.message)?;
                }
            }
            if findings.is_empty() {
                return Ok(0);
            }
            eprintln!("{} finding(s) in {}", findings.len(), file.display());
            return Ok(LINT_FINDINGS);
        }
        _ => {}
    }
    let def = open(world_dir)?;
    match cmd {
        ToolsCmd::List { domain, json } => {
            if let Some(d) = &domain {
                if !def.domains.iter().any(|x| &x.name == d) {
                    let names: Vec<&str> = def.domains.iter().map(|x| x.name.as_str()).collect();
                    bail!("unknown domain `{d}`; domains: {}", names.join(", "));
                }
            }
            let specs: Vec<&ToolSpec> = def
                .specs
                .iter()
                .filter(|s| domain.as_ref().is_none_or(|d| &s.domain == d))
                .collect();
            if json {
                print_json(&specs)?;
            } else {
                let mut out = std::io::stdout().lock();
                for s in specs {
                    let params: Vec<String> = s
                        .params()
                        .map(|(p, _)| {
                            if s.required_params().any(|r| r == p) {
                                format!("{p}*")
                            } else {
                                p.to_string()
                            }
                        })
                        .collect();
                    let desc: String = s.description.chars().take(70).collect();
                    writeln!(
                        out,
                        "{:<34} {:<10} ({}) {desc}",
                        s.name,
                        s.domain,
                        params.join(", ")
                    )?;
                }
            }
            Ok(0)
        }
        ToolsCmd::Show { name } => {
            print_json(find(&def, &name)?)?;
            Ok(0)
        }
        ToolsCmd::Call { name, args, seed } => {
            find(&def, &name)?;
            let args: Value = serde_json::from_str(&args)
                .with_context(|| format!("--args is not valid JSON: {args}"))?;
            if !args.is_object() {
                bail!("--args must be a JSON object, got {args}");
            }
            let mut w = World::new(def.clone(), seed);
            match w.execute(&ToolCall::new(name, args)) {
                Ok(r) => {
                    print_json(&r)?;
                    Ok(0)
                }
                Err(e) => {
                    print_json(&e.to_result_json())?;
                    eprintln!("error: {e}");
                    Ok(exit::TOOL_ERROR)
                }
            }
        }
        ToolsCmd::Export { format, out } => {
            let v: Vec<Value> = def
                .specs
                .iter()
                .map(|s| match format {
                    Dialect::Openai => serde_json::to_value(s).unwrap_or(Value::Null),
                    Dialect::Bfcl => s.to_bfcl(),
                })
                .collect();
            let text = serde_json::to_string_pretty(&v)? + "\n";
            match out {
                Some(p) => {
                    std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))?
                }
                None => std::io::stdout().lock().write_all(text.as_bytes())?,
            }
            Ok(0)
        }
        ToolsCmd::Stats { json } => {
            let s = def.stats();
            if json {
                print_json(&s)?;
            } else {
                say!("tools               {}", s.tools);
                say!("domains             {}", s.domains);
                say!("collections         {}", s.collections);
                say!(
                    "dependent_share     {:.3} ({} tools)",
                    s.dependent_share,
                    s.dependent_tools
                );
                say!("dependency_edges    {}", s.dependency_edges);
                say!("cross_domain_links  {}", s.cross_domain_links);
                say!("min_longest_chain   {}", s.min_longest_chain);
                for d in &s.per_domain {
                    say!(
                        "  {:<10} {:>3} tools, longest chain {}: {}",
                        d.domain,
                        d.tools,
                        d.longest_chain,
                        d.chain.join(" -> ")
                    );
                }
            }
            Ok(0)
        }
        ToolsCmd::Import { .. } | ToolsCmd::Lint { .. } => Ok(0),
        ToolsCmd::Deps { json } => {
            let deps = def.dependencies();
            if json {
                print_json(&deps)?;
            } else {
                for d in deps {
                    say!(
                        "{}.{} -> {}.{}",
                        d.from_tool,
                        d.from_field,
                        d.to_tool,
                        d.to_param
                    );
                }
            }
            Ok(0)
        }
    }
}
