//! `hardgen check bfcl`: BFCL's AST checker on model outputs given in BFCL's own file formats.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;

/// `hardgen check` subcommands.
#[derive(Debug, Subcommand)]
pub enum CheckCmd {
    /// Score results against BFCL questions and possible answers (BFCL's AST checker
    /// semantics): accuracy per category, and one verdict per result with --verdicts.
    Bfcl(BfclArgs),
}

/// `hardgen check bfcl`.
#[derive(Debug, Args)]
pub struct BfclArgs {
    /// Questions, JSON Lines as BFCL ships them (`id`, `question`, `function`); several
    /// categories may be merged in one file.
    #[arg(long)]
    questions: PathBuf,
    /// Possible answers, JSON Lines (`id`, `ground_truth`).
    #[arg(long)]
    answers: PathBuf,
    /// Model results, JSON Lines `{"id", "result"}`: the decoded call list or the raw text in
    /// BFCL's prompting format `[func(param=value)]`.
    #[arg(long)]
    results: PathBuf,
    /// Score only this category (default: every category, taken from the ids: `simple_python`,
    /// `parallel_multiple`, `live_simple`, ...); ids without a known category prefix get it.
    #[arg(long)]
    category: Option<String>,
    /// Write one verdict per result as JSON Lines (`id`, `valid`, `error_type`, ...).
    #[arg(long)]
    verdicts: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `hardgen check ...`.
pub fn run(cmd: CheckCmd) -> Result<u8> {
    let CheckCmd::Bfcl(a) = cmd;
    let (report, verdicts) = hardgen_check::bfcl::score_files(
        &a.questions,
        &a.answers,
        &a.results,
        a.category.as_deref(),
    )?;
    if let Some(p) = &a.verdicts {
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        );
        for v in &verdicts {
            serde_json::to_writer(&mut w, v)?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
    }
    if a.json {
        say!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(0);
    }
    say!(
        "{:<28} {:>7} {:>7} {:>9} {:>8}",
        "category",
        "total",
        "correct",
        "accuracy",
        "missing"
    );
    for c in &report.categories {
        say!(
            "{:<28} {:>7} {:>7} {:>8.2}% {:>8}",
            c.category,
            c.total,
            c.correct,
            100.0 * c.accuracy,
            c.missing
        );
    }
    say!(
        "{:<28} {:>7} {:>7} {:>8.2}%\nmacro accuracy (mean of categories): {:.2}%",
        "overall",
        report.total,
        report.correct,
        100.0 * report.accuracy,
        100.0 * report.macro_accuracy
    );
    Ok(0)
}
