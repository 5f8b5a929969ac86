//! The generation run: items in order, duplicate removal, streaming output to a run directory
//! (`records.jsonl`, `rejected.jsonl`, `summary.json`, `config.json`), and the summary that
//! `hardgen stats` prints for any output.

use crate::dedup::{self, Dedup, Fingerprint, Seen};
use crate::pipeline::{GenConfig, Generator, Outcome};
use crate::toolset::ToolSet;
use hardgen_core::{Record, Rejection};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use xxhash_rust::xxh3::xxh3_64;

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
    /// A role's model could not be reached (retries exhausted); the items written so far stay.
    #[error("model: {0}")]
    Role(#[from] crate::roles::RoleError),
    /// The run stopped on purpose between items (`--max-cost`); not a failure.
    #[error("stopped: {0}")]
    Stopped(String),
    /// The run store failed or holds another run.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
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
    /// Rejections by stage, then reason.
    #[serde(default)]
    pub rejections: BTreeMap<String, BTreeMap<String, usize>>,
    /// Rounds by verifier attempts used.
    pub attempts: BTreeMap<u32, usize>,
    /// Rounds by gold trace length (same as `length_histogram`, kept for compatibility).
    pub trace_lengths: BTreeMap<usize, usize>,
    /// Rounds by gold calls.
    #[serde(default)]
    pub length_histogram: BTreeMap<usize, usize>,
    /// Records by domain.
    pub domains: BTreeMap<String, usize>,
    /// Rounds kept.
    pub rounds: usize,
    /// Mean intermediate values hidden per round.
    pub mean_hidden_values: f64,
    /// Mean gold calls per round.
    pub mean_calls: f64,
    /// Share of kept rounds with at least 3 gold calls.
    #[serde(default)]
    pub share_3plus: f64,
    /// Mean distractors per record.
    pub mean_distractors: f64,
    /// Distinct target tools over kept rounds.
    #[serde(default)]
    pub targets_covered: usize,
    /// Distinct word bigrams over all word bigrams of the round queries (lowercase words split
    /// on non-alphanumeric characters).
    #[serde(default)]
    pub distinct_bigram_ratio: f64,
    /// Share of round queries that start with the most frequent lowercase 4-word opening.
    #[serde(default)]
    pub top_opening_share: f64,
    /// Kept rounds that fail grounding (`ground::ungrounded_rounds`).
    #[serde(default)]
    pub ungrounded: usize,
    /// Kept records, rounds and gold-call figures by hard variant (shown once a run has a
    /// variant other than `standard`).
    #[serde(default, skip_serializing_if = "only_standard")]
    pub by_variant: BTreeMap<String, VariantFigures>,
    /// Model requests of a run with LLM roles: requests, attempts, retries, errors, cache
    /// hits, tokens and estimated cost (absent for an offline run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm: Option<hardgen_llm::Stats>,
    /// Why the run stopped before its last item (`--max-cost`), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// Running counts behind the figures above (not written).
    #[serde(skip)]
    acc: Tally,
}

/// Counts the figures of a [`Summary`] are computed from, so they can be kept while streaming.
/// Bigrams and openings are kept as 64-bit hashes to bound memory.
#[derive(Debug, Clone, Default, PartialEq)]
struct Tally {
    /// Rounds with at least 3 gold calls.
    rounds_3plus: usize,
    /// Target tools seen.
    targets: BTreeSet<String>,
    /// Distinct bigrams (hashed).
    bigrams: HashSet<u64>,
    /// All bigrams.
    bigram_total: u64,
    /// Queries by opening (hashed).
    openings: HashMap<u64, usize>,
    /// Count of the most frequent opening.
    top_opening: usize,
    /// Queries seen.
    queries: usize,
}

/// Lowercase words of a text, split on non-alphanumeric characters.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The figures of one hard variant in a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VariantFigures {
    /// Records kept.
    pub kept: usize,
    /// Their rounds.
    pub rounds: usize,
    /// Mean gold calls per round.
    pub mean_calls: f64,
    /// Share of rounds with 3 or more gold calls.
    pub share_3plus: f64,
    /// Rounds that fail grounding.
    pub ungrounded: usize,
    /// Items drawn for the variant and rejected (kept share = kept / (kept + rejected)).
    #[serde(default)]
    pub rejected: usize,
}

fn only_standard(m: &BTreeMap<String, VariantFigures>) -> bool {
    m.keys().all(|k| k == "standard")
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// The per-record inputs of the text and grounding figures, computed where the record is made
/// (a worker thread) so the single writer thread only merges hashes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordFigures {
    /// Rounds that fail grounding.
    pub ungrounded: usize,
    /// Per round query: its word-bigram hashes and its 4-word opening hash.
    pub queries: Vec<(Vec<u64>, u64)>,
}

impl RecordFigures {
    /// The figures of one record.
    pub fn of(r: &Record) -> RecordFigures {
        let queries = r
            .rounds
            .iter()
            .map(|x| {
                let w = words(&x.query);
                let mut pair = String::new();
                let bigrams = w
                    .windows(2)
                    .map(|p| {
                        pair.clear();
                        pair.push_str(&p[0]);
                        pair.push(' ');
                        pair.push_str(&p[1]);
                        xxh3_64(pair.as_bytes())
                    })
                    .collect();
                let opening = w
                    .iter()
                    .take(4)
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(" ");
                (bigrams, xxh3_64(opening.as_bytes()))
            })
            .collect();
        RecordFigures {
            ungrounded: crate::ground::ungrounded_rounds(r),
            queries,
        }
    }
}

impl Summary {
    /// Counts a kept record.
    pub fn add_record(&mut self, r: &Record) {
        self.add_record_with(r, &RecordFigures::of(r));
    }

    /// Counts a kept record whose [`RecordFigures`] were computed already.
    pub fn add_record_with(&mut self, r: &Record, f: &RecordFigures) {
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
            *self.length_histogram.entry(x.difficulty.calls).or_default() += 1;
            if x.difficulty.calls >= 3 {
                self.acc.rounds_3plus += 1;
            }
            if !self.acc.targets.contains(&x.target) {
                self.acc.targets.insert(x.target.clone());
            }
        }
        for (bigrams, opening) in &f.queries {
            self.add_query(bigrams, *opening);
        }
        for d in &r.domains {
            *self.domains.entry(d.clone()).or_default() += 1;
        }
        self.ungrounded += f.ungrounded;
        let v = self.by_variant.entry(r.variant.clone()).or_default();
        let (n, m) = (v.rounds as f64, r.rounds.len() as f64);
        let three = r.rounds.iter().filter(|x| x.difficulty.calls >= 3).count() as f64;
        if n + m > 0.0 {
            v.mean_calls = (v.mean_calls * n + calls as f64) / (n + m);
            v.share_3plus = (v.share_3plus * n + three) / (n + m);
        }
        v.kept += 1;
        v.rounds += r.rounds.len();
        v.ungrounded += f.ungrounded;
        let t = &self.acc;
        self.share_3plus = ratio(t.rounds_3plus, self.rounds);
        self.targets_covered = t.targets.len();
        self.distinct_bigram_ratio = ratio(
            t.bigrams.len(),
            usize::try_from(t.bigram_total).unwrap_or(usize::MAX),
        );
        self.top_opening_share = ratio(t.top_opening, t.queries);
    }

    /// Counts one round query's bigram hashes and opening hash.
    fn add_query(&mut self, bigrams: &[u64], opening: u64) {
        let t = &mut self.acc;
        t.bigrams.extend(bigrams.iter().copied());
        t.bigram_total += bigrams.len() as u64;
        let c = t.openings.entry(opening).or_default();
        *c += 1;
        t.top_opening = t.top_opening.max(*c);
        t.queries += 1;
    }

    /// Counts a rejection.
    pub fn add_rejection(&mut self, r: &Rejection) {
        *self
            .rejected
            .entry(format!("{}:{}", r.stage, r.reason))
            .or_default() += 1;
        *self
            .rejections
            .entry(r.stage.to_string())
            .or_default()
            .entry(r.reason.to_string())
            .or_default() += 1;
        self.by_variant
            .entry(r.variant.clone())
            .or_default()
            .rejected += 1;
    }

    /// The quality figures as (JSON key, JSON value text) pairs, for the dataset card.
    pub fn figures(&self) -> Vec<(String, String)> {
        let j = |v: serde_json::Value| v.to_string();
        let mut out = vec![
            ("kept".into(), j(self.kept.into())),
            ("rounds".into(), j(self.rounds.into())),
            ("mean_calls".into(), j(self.mean_calls.into())),
            ("share_3plus".into(), j(self.share_3plus.into())),
            (
                "length_histogram".into(),
                j(serde_json::to_value(&self.length_histogram).unwrap_or_default()),
            ),
            ("targets_covered".into(), j(self.targets_covered.into())),
            (
                "distinct_bigram_ratio".into(),
                j(self.distinct_bigram_ratio.into()),
            ),
            ("top_opening_share".into(), j(self.top_opening_share.into())),
            ("ungrounded".into(), j(self.ungrounded.into())),
            (
                "rejections".into(),
                j(serde_json::to_value(&self.rejections).unwrap_or_default()),
            ),
        ];
        if !only_standard(&self.by_variant) {
            out.push((
                "by_variant".into(),
                j(serde_json::to_value(&self.by_variant).unwrap_or_default()),
            ));
        }
        out
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
        let _ = writeln!(s, "share 3+ calls       {:>8.3}", self.share_3plus);
        let _ = writeln!(s, "mean hidden values   {:>8.2}", self.mean_hidden_values);
        let _ = writeln!(s, "mean distractors     {:>8.2}", self.mean_distractors);
        let _ = writeln!(s, "targets covered      {:>8}", self.targets_covered);
        let _ = writeln!(
            s,
            "distinct bigrams     {:>8.3}",
            self.distinct_bigram_ratio
        );
        let _ = writeln!(s, "top opening share    {:>8.3}", self.top_opening_share);
        let _ = writeln!(s, "ungrounded rounds    {:>8}", self.ungrounded);
        if !only_standard(&self.by_variant) {
            let _ = writeln!(
                s,
                "variants                 kept   rejected   kept share   mean calls   share 3+"
            );
            for (k, v) in &self.by_variant {
                let _ = writeln!(
                    s,
                    "  {k:<18} {:>8}   {:>8}   {:>10.3}   {:>10.2}   {:>8.3}",
                    v.kept,
                    v.rejected,
                    ratio(v.kept, v.kept + v.rejected),
                    v.mean_calls,
                    v.share_3plus
                );
            }
        }
        if let Some(why) = &self.stopped {
            let _ = writeln!(s, "stopped early        {why}");
        }
        if let Some(l) = &self.llm {
            let _ = writeln!(
                s,
                "model requests       {:>8}   (retries {}, errors {}, from cache {}, tokens {} in / {} out)",
                l.requests, l.retries, l.errors, l.cache_hits, l.prompt_tokens, l.completion_tokens
            );
        }
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
    /// The model endpoints of the LLM roles (one per base URL and model; never the key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub llm: Vec<LlmEndpoint>,
    /// Estimated model spend after which the run stops between items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cost: Option<f64>,
    /// The `--tools` sources, as given (empty: the built-in world); `hardgen verify` rebuilds
    /// the executor from them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<String>,
    /// The `--world` directory the run's tools were loaded from (absolute; none: the built-in
    /// world); `hardgen verify` loads it again when it is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub world: Option<String>,
}

/// Where some LLM roles of a run were sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmEndpoint {
    /// Base URL, ending in `/v1`.
    pub base_url: String,
    /// Model name.
    pub model: String,
    /// Roles that used it.
    pub roles: Vec<String>,
}

/// Receives each finished record (for exports).
pub trait Sink {
    /// The renderer of kept records for [`Sink::write`]; it runs on the worker threads, so a
    /// sink's costly formatting scales with `--jobs` while writing stays in order.
    fn encoder(&self) -> EncodeFn;
    /// Writes one kept record, given what the encoder made of it.
    fn write(&mut self, rec: &Record, encoded: Encoded) -> Result<(), RunError>;
    /// Finishes with the run's final summary (for a dataset card); returns files written.
    fn finish(self: Box<Self>, summary: &Summary) -> Result<Vec<PathBuf>, RunError>;
}

/// A sink's rendering of one record (its own type, opaque to the run).
pub type Encoded = Box<dyn std::any::Any + Send>;

/// A sink's renderer, shared by the worker threads.
pub type EncodeFn = Box<dyn Fn(&Record) -> Result<Encoded, RunError> + Send + Sync>;

/// What a worker hands back for one item: the outcome and, when kept, everything the writer
/// needs made already: the `records.jsonl` line, the sink's rendering, the duplicate
/// fingerprint and the summary figures.
/// An item's outcome, its prepared parts (when kept) and, when the run has a store, the
/// outcome as the store keeps it: (kept, compressed JSON), packed by the worker.
type Done = Result<
    (
        Outcome,
        Option<Result<Prepared, RunError>>,
        Option<(bool, Vec<u8>)>,
    ),
    RunError,
>;

/// The worker-side work on a kept record.
struct Prepared {
    line: Vec<u8>,
    encoded: Encoded,
    fingerprint: Fingerprint,
    figures: RecordFigures,
}

fn json_err(path: &Path) -> impl FnOnce(serde_json::Error) -> RunError + '_ {
    move |e| RunError::Io {
        path: path.display().to_string(),
        source: e.into(),
    }
}

/// Output buffer of each JSON Lines file of a run.
const WRITE_BUFFER: usize = 1 << 20;

/// Runs generation into `dir` on `jobs` worker threads (at least one). Items are generated in
/// any order but duplicate removal, writing, the sink and the summary see them in index order,
/// so every file is byte-identical whatever `jobs` is. `progress(done, kept)` is called after
/// every item, on the calling thread.
pub fn generate(
    tools: impl Into<ToolSet>,
    cfg: &RunConfig,
    jobs: usize,
    dir: &Path,
    sink: Box<dyn Sink>,
    progress: &mut dyn FnMut(u64, usize),
) -> Result<(Summary, Vec<PathBuf>), RunError> {
    generate_with(
        tools,
        cfg,
        jobs,
        dir,
        sink,
        progress,
        Default::default(),
        None,
    )
}

/// Like [`generate`], with models in some roles (see [`crate::roles`]) and, when given, the
/// run store: items it already holds are read back instead of made again (a resumed run writes
/// the same files as an uninterrupted one), and every new item's outcome is stored.
#[allow(clippy::too_many_arguments)]
pub fn generate_with(
    tools: impl Into<ToolSet>,
    cfg: &RunConfig,
    jobs: usize,
    dir: &Path,
    mut sink: Box<dyn Sink>,
    progress: &mut dyn FnMut(u64, usize),
    roles: crate::roles::ModelRoles,
    store: Option<&crate::store::Store>,
) -> Result<(Summary, Vec<PathBuf>), RunError> {
    let stored: Vec<(bool, String)> = match store {
        Some(s) => s.items(STAGE)?,
        None => Vec::new(),
    };
    let resumed = stored.len() as u64;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let cpath = dir.join(CONFIG);
    std::fs::write(
        &cpath,
        serde_json::to_string_pretty(cfg).unwrap_or_default() + "\n",
    )
    .map_err(io(&cpath))?;
    let rpath = dir.join(RECORDS);
    let jpath = dir.join(REJECTED);
    let mut records = BufWriter::with_capacity(
        WRITE_BUFFER,
        std::fs::File::create(&rpath).map_err(io(&rpath))?,
    );
    let mut rejected = BufWriter::with_capacity(
        WRITE_BUFFER,
        std::fs::File::create(&jpath).map_err(io(&jpath))?,
    );
    let jobs = usize::try_from(cfg.n).map_or(jobs, |n| jobs.min(n)).max(1);
    let mut first = Generator::over_jobs(Arc::new(tools.into()), cfg.gen.clone(), jobs);
    let stats = roles.stats;
    let offline = stats.is_none();
    if let Some(r) = roles.query_writer {
        first = first.with_query_rewriter(r);
    }
    if let Some(r) = roles.tool_maker {
        first = first.with_model_tool_maker(r);
    }
    if let Some(r) = roles.verifier {
        first = first.with_model_verifier(r);
    }
    if let Some(r) = roles.reasoner {
        first = first.with_model_reasoner(r);
    }
    if let Some(s) = store {
        // The graph version generation samples from (failure weights included).
        s.put_graph(STAGE, first.graph())?;
    }
    // One generator per worker; with one worker the first is used as it is (a clone copies
    // every world).
    let mut gens: Vec<Generator> = (1..jobs).map(|_| first.clone()).collect();
    gens.push(first);
    let mut dedup = Dedup::default();
    let mut summary = Summary::default();
    let encode = sink.encoder();
    let storing = store.is_some();
    let store_path = store
        .map(|s| s.path().display().to_string())
        .unwrap_or_default();
    let work = |g: &mut Generator, i: u64| -> Done {
        let storing = storing && i >= resumed;
        let out = match stored.get(usize::try_from(i).unwrap_or(usize::MAX)) {
            Some((kept, text)) => stored_outcome(*kept, text)?,
            None => g.try_item(i)?,
        };
        let pack = |text: &[u8]| {
            crate::store::pack(text).map_err(|e| RunError::Io {
                path: store_path.clone(),
                source: e,
            })
        };
        let prepared = out.as_ref().ok().map(|r| {
            Ok(Prepared {
                line: serde_json::to_vec(r).map_err(json_err(&rpath))?,
                encoded: encode(r)?,
                fingerprint: dedup::record_fingerprint(r),
                figures: RecordFigures::of(r),
            })
        });
        // The outcome as made, rejections too (a resume replays them).
        let stored = match (&out, &prepared) {
            _ if !storing => None,
            (Ok(_), Some(Ok(p))) => Some((true, pack(&p.line)?)),
            // Preparing failed: the run stops on that error.
            (Ok(_), _) => None,
            (Err(j), _) => Some((
                false,
                pack(&serde_json::to_vec(j).map_err(json_err(&jpath))?)?,
            )),
        };
        Ok((out, prepared, stored))
    };
    let mut consume = |i: u64, done: Done| -> Result<(), RunError> {
        let (out, prepared, stored) = done?;
        let prepared = prepared.transpose()?;
        // The outcome as made (before duplicate removal, which a resume replays).
        if let (Some(st), Some((kept, packed))) = (store, stored) {
            // Offline, items are committed 64 at a time (a kill redoes at most those, the same
            // way); with model roles, one small commit per item (no fsync in WAL mode with
            // synchronous=NORMAL), since a long transaction would make the roles' cache
            // writers, on the same file, wait.
            let batch = if offline { STORE_BATCH } else { 1 };
            if batch > 1 && (i - resumed).is_multiple_of(batch) {
                st.begin()?;
            }
            st.put_packed(STAGE, i, kept, &packed)?;
            if batch > 1 && ((i + 1 - resumed).is_multiple_of(batch) || i + 1 == cfg.n) {
                st.commit()?;
            }
        }
        let out = out.and_then(|r| {
            let Some(p) = &prepared else { return Ok(r) };
            let (reason, detail) = match dedup.offer_fingerprint(&p.fingerprint) {
                Seen::New => return Ok(r),
                Seen::Exact => (hardgen_core::Reason::Duplicate, ""),
                Seen::Near => (hardgen_core::Reason::NearDuplicate, ""),
                Seen::SameTask => (
                    hardgen_core::Reason::Duplicate,
                    "the same gold calls as an earlier record, in other words",
                ),
            };
            Err(Rejection {
                id: r.id,
                stage: hardgen_core::Stage::Dedup,
                reason,
                detail: detail.into(),
                variant: r.variant,
            })
        });
        match out {
            Ok(r) => {
                // A kept outcome always comes with its prepared parts.
                let Some(p) = prepared else {
                    return Err(RunError::Export(format!("{}: nothing prepared", r.id)));
                };
                records.write_all(&p.line).map_err(io(&rpath))?;
                records.write_all(b"\n").map_err(io(&rpath))?;
                sink.write(&r, p.encoded)?;
                summary.add_record_with(&r, &p.figures);
            }
            Err(j) => {
                serde_json::to_writer(&mut rejected, &j).map_err(json_err(&jpath))?;
                rejected.write_all(b"\n").map_err(io(&jpath))?;
                summary.add_rejection(&j);
            }
        }
        progress(i + 1, summary.kept);
        Ok(())
    };
    let mut consume = |i: u64, done: Done| -> Result<(), RunError> {
        consume(i, done)?;
        // The spend is checked between items: what is written stays, nothing is half done.
        if let (Some(max), Some(f)) = (cfg.max_cost, &stats) {
            let cost = f().cost;
            if cost >= max && i + 1 < cfg.n {
                return Err(RunError::Stopped(format!(
                    "max cost {max} reached after {} items (estimated spend {cost:.4})",
                    i + 1
                )));
            }
        }
        Ok(())
    };
    let ran = crate::par::ordered(cfg.n, gens, &work, &mut consume);
    if let (Some(st), true) = (store, offline) {
        // A batch cut short by an error or a stop is still committed (nothing open: no-op).
        let _ = st.commit();
    }
    match ran {
        Ok(()) => {}
        Err(RunError::Stopped(why)) => summary.stopped = Some(why),
        Err(e) => return Err(e),
    }
    records.flush().map_err(io(&rpath))?;
    rejected.flush().map_err(io(&jpath))?;
    let mut files = vec![rpath, jpath];
    summary.llm = stats.map(|f| f());
    files.extend(sink.finish(&summary)?);
    let spath = dir.join(SUMMARY);
    std::fs::write(
        &spath,
        serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n",
    )
    .map_err(io(&spath))?;
    files.push(spath);
    Ok((summary, files))
}

/// Items committed together to the run store in an offline run.
const STORE_BATCH: u64 = 64;

/// The stage name of generation in the run store.
pub const STAGE: &str = "generate";

/// An item's outcome as the store holds it.
fn stored_outcome(kept: bool, text: &str) -> Result<Outcome, RunError> {
    let bad = |e: serde_json::Error| RunError::Parse {
        path: crate::store::FILE.into(),
        line: 0,
        message: format!("a stored item is not a record or rejection: {e}"),
    };
    Ok(if kept {
        Ok(serde_json::from_str::<Record>(text).map_err(bad)?)
    } else {
        Err(serde_json::from_str::<Rejection>(text).map_err(bad)?)
    })
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

/// Re-executes every record of a run on fresh executors of `tools` (the world, or the simulated
/// executor of the run's specs); returns (checked, failures as (id, problem)).
pub fn verify_dir(
    tools: impl Into<ToolSet>,
    dir: &Path,
) -> Result<(usize, Vec<(String, String)>), RunError> {
    let tools: ToolSet = tools.into();
    let mut env = tools.env(0);
    let mut gold = tools.env(0);
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
