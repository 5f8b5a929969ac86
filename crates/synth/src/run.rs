//! The generation run: items in order, duplicate removal, streaming output to a run directory
//! (`records.jsonl`, `rejected.jsonl`, `summary.json`, `config.json`), and the summary that
//! `hardgen stats` prints for any output.

use crate::dedup::{Dedup, Seen};
use crate::pipeline::{GenConfig, Generator};
use hardgen_core::{Record, Rejection};
use hardgen_tools::{World, WorldDef};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File of kept records (canonical shape).
pub const RECORDS: &str = "records.jsonl";
/// File of rejections.
pub const REJECTED: &str = "rejected.jsonl";
/// Summary file.
pub const SUMMARY: &str = "summary.json";
/// Resolved configuration file.
pub const CONFIG: &str = "config.json";

/// An I/O or format failure of a run, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// A line of a run file is not what hardgen writes.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// File.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Writing an export failed.
    #[error("export: {0}")]
    Export(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RunError + '_ {
    move |source| RunError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What a run produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Kept records.
    pub kept: usize,
    /// Rejections by `stage:reason`.
    pub rejected: BTreeMap<String, usize>,
    /// Rounds by verifier attempts used.
    pub attempts: BTreeMap<u32, usize>,
    /// Rounds by gold trace length.
    pub trace_lengths: BTreeMap<usize, usize>,
    /// Records by domain.
    pub domains: BTreeMap<String, usize>,
    /// Rounds kept.
    pub rounds: usize,
    /// Mean intermediate values hidden per round.
    pub mean_hidden_values: f64,
    /// Mean gold calls per round.
    pub mean_calls: f64,
    /// Mean distractors per record.
    pub mean_distractors: f64,
}

impl Summary {
    /// Counts a kept record.
    pub fn add_record(&mut self, r: &Record) {
        let (n, rounds) = (self.rounds as f64, r.rounds.len() as f64);
        let hidden: usize = r.rounds.iter().map(|x| x.difficulty.hidden_values).sum();
        let calls: usize = r.rounds.iter().map(|x| x.difficulty.calls).sum();
        if n + rounds > 0.0 {
            self.mean_hidden_values = (self.mean_hidden_values * n + hidden as f64) / (n + rounds);
            self.mean_calls = (self.mean_calls * n + calls as f64) / (n + rounds);
        }
        let d = r.rounds.first().map_or(0, |x| x.difficulty.distractors) as f64;
        self.mean_distractors =
            (self.mean_distractors * self.kept as f64 + d) / (self.kept as f64 + 1.0);
        self.kept += 1;
        self.rounds += r.rounds.len();
        for x in &r.rounds {
            *self.attempts.entry(x.verdict.attempts).or_default() += 1;
            *self.trace_lengths.entry(x.difficulty.calls).or_default() += 1;
        }
        for d in &r.domains {
            *self.domains.entry(d.clone()).or_default() += 1;
        }
    }

    /// Counts a rejection.
    pub fn add_rejection(&mut self, r: &Rejection) {
        *self
            .rejected
            .entry(format!("{}:{}", r.stage, r.reason))
            .or_default() += 1;
    }

    /// The summary as a table for people.
    pub fn table(&self) -> String {
        let total_rej: usize = self.rejected.values().sum();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "kept                 {:>8}   ({} rounds)",
            self.kept, self.rounds
        );
        let _ = writeln!(s, "rejected             {total_rej:>8}");
        for (k, v) in &self.rejected {
            let _ = writeln!(s, "  {k:<30} {v:>8}");
        }
        let _ = writeln!(s, "attempts used        {}", hist(&self.attempts));
        let _ = writeln!(s, "trace lengths        {}", hist(&self.trace_lengths));
        let _ = writeln!(s, "mean gold calls      {:>8.2}", self.mean_calls);
        let _ = writeln!(s, "mean hidden values   {:>8.2}", self.mean_hidden_values);
        let _ = writeln!(s, "mean distractors     {:>8.2}", self.mean_distractors);
        let _ = writeln!(s, "domains              {}", self.domains.len());
        for (k, v) in &self.domains {
            let _ = writeln!(s, "  {k:<30} {v:>8}");
        }
        s
    }
}

fn hist<K: std::fmt::Display>(m: &BTreeMap<K, usize>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect::<Vec<_>>()
        .join("  ")
}

/// What to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// Items to generate (kept + rejected).
    pub n: u64,
    /// Generation settings.
    pub gen: GenConfig,
    /// Export formats (names).
    pub formats: Vec<String>,
    /// One example per assistant turn.
    pub split_turns: bool,
    /// Reasoning inline as `<think>` in the OpenAI export.
    pub think_inline: bool,
}

/// Receives each finished record (for exports).
pub trait Sink {
    /// Writes one kept record.
    fn write(&mut self, rec: &Record) -> Result<(), RunError>;
    /// Finishes; returns files written.
    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, RunError>;
}

/// Runs generation into `dir`. `progress(done, kept)` is called after every item.
pub fn generate(
    def: Arc<WorldDef>,
    cfg: &RunConfig,
    dir: &Path,
    mut sink: Box<dyn Sink>,
    progress: &mut dyn FnMut(u64, usize),
) -> Result<(Summary, Vec<PathBuf>), RunError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let cpath = dir.join(CONFIG);
    std::fs::write(
        &cpath,
        serde_json::to_string_pretty(cfg).unwrap_or_default() + "\n",
    )
    .map_err(io(&cpath))?;
    let rpath = dir.join(RECORDS);
    let jpath = dir.join(REJECTED);
    let mut records = BufWriter::new(std::fs::File::create(&rpath).map_err(io(&rpath))?);
    let mut rejected = BufWriter::new(std::fs::File::create(&jpath).map_err(io(&jpath))?);
    let mut gen = Generator::new(def, cfg.gen.clone());
    let mut dedup = Dedup::default();
    let mut summary = Summary::default();
    for i in 0..cfg.n {
        let out = gen.item(i).and_then(|r| {
            let text: Vec<&str> = r.rounds.iter().map(|x| x.query.as_str()).collect();
            match dedup.offer(&text.join("\n")) {
                Seen::New => Ok(r),
                Seen::Exact => Err(Rejection {
                    id: r.id,
                    stage: "dedup".into(),
                    reason: "duplicate".into(),
                    detail: String::new(),
                }),
                Seen::Near => Err(Rejection {
                    id: r.id,
                    stage: "dedup".into(),
                    reason: "near_duplicate".into(),
                    detail: String::new(),
                }),
            }
        });
        match out {
            Ok(r) => {
                serde_json::to_writer(&mut records, &r).map_err(|e| RunError::Io {
                    path: rpath.display().to_string(),
                    source: e.into(),
                })?;
                records.write_all(b"\n").map_err(io(&rpath))?;
                sink.write(&r)?;
                summary.add_record(&r);
            }
            Err(j) => {
                serde_json::to_writer(&mut rejected, &j).map_err(|e| RunError::Io {
                    path: jpath.display().to_string(),
                    source: e.into(),
                })?;
                rejected.write_all(b"\n").map_err(io(&jpath))?;
                summary.add_rejection(&j);
            }
        }
        progress(i + 1, summary.kept);
    }
    records.flush().map_err(io(&rpath))?;
    rejected.flush().map_err(io(&jpath))?;
    let mut files = vec![rpath, jpath];
    files.extend(sink.finish()?);
    let spath = dir.join(SUMMARY);
    std::fs::write(
        &spath,
        serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n",
    )
    .map_err(io(&spath))?;
    files.push(spath);
    Ok((summary, files))
}

/// Reads a JSON Lines file of `T`, one value at a time; errors name the file and line.
fn read_jsonl<T: serde::de::DeserializeOwned>(
    path: &Path,
    mut each: impl FnMut(T) -> Result<(), RunError>,
) -> Result<(), RunError> {
    let f = std::fs::File::open(path).map_err(io(path))?;
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(io(path))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: T = serde_json::from_str(&line).map_err(|e| RunError::Parse {
            path: path.display().to_string(),
            line: i + 1,
            message: e.to_string(),
        })?;
        each(v)?;
    }
    Ok(())
}

/// Reads `records.jsonl` of a run directory, one record at a time.
pub fn read_records(
    dir: &Path,
    each: impl FnMut(Record) -> Result<(), RunError>,
) -> Result<(), RunError> {
    read_jsonl(&dir.join(RECORDS), each)
}

/// The summary of any run directory, recomputed from its files.
pub fn stats(dir: &Path) -> Result<Summary, RunError> {
    let mut s = Summary::default();
    read_records(dir, |r| {
        s.add_record(&r);
        Ok(())
    })?;
    let path = dir.join(REJECTED);
    if path.exists() {
        read_jsonl(&path, |j: Rejection| {
            s.add_rejection(&j);
            Ok(())
        })?;
    }
    Ok(s)
}

/// Re-executes every record of a run in a fresh world; returns (checked, failures as (id, problem)).
pub fn verify_dir(
    def: Arc<WorldDef>,
    dir: &Path,
) -> Result<(usize, Vec<(String, String)>), RunError> {
    let mut env = World::new(def.clone(), 0);
    let mut gold = World::new(def, 0);
    let mut n = 0;
    let mut bad = Vec::new();
    read_records(dir, |r| {
        n += 1;
        if let Err(e) = crate::verify::reverify(&r, &mut env, &mut gold) {
            bad.push((r.id.clone(), e));
        }
        Ok(())
    })?;
    Ok((n, bad))
}
