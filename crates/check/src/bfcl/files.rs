//! BFCL's file formats (JSON Lines questions, possible answers and model results, several
//! categories possibly merged in one file) and per-category scoring.
//!
//! Missing results follow BFCL's `--partial-eval` default (`allow_missing=True`): a question
//! with no result is not scored; it is counted in [`CategoryScore::missing`]. A result whose
//! id has no question, a duplicated result id, or an AST question with no possible answer is
//! an error. Multi-turn, agentic, executable, REST, SQL and chatable categories are not
//! scored by the AST checker and are an error.

use super::pyjson;
use super::types::PyValue;
use super::{category_of, CheckOptions, Prepared, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Errors of reading and scoring BFCL files.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line is not JSON.
    #[error("{path}:{line}: invalid JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The cause.
        source: serde_json::Error,
    },
    /// A required field is missing or has the wrong type.
    #[error("{path}:{line}: field `{field}`: {message}")]
    Field {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A result names an id that no question has.
    #[error("{path}:{line}: result id `{id}` has no question")]
    UnknownId {
        /// The results file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The id.
        id: String,
    },
    /// An id appears twice in one file.
    #[error("{path}:{line}: duplicate id `{id}`")]
    Duplicate {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The id.
        id: String,
    },
    /// An AST question has no possible answer.
    #[error("{path}: no possible answer for question `{id}`")]
    MissingAnswer {
        /// The possible-answers file.
        path: PathBuf,
        /// The question id.
        id: String,
    },
    /// The category is not scored by the AST checker.
    #[error("entry `{id}`: category `{category}` is not scored by the AST checker")]
    Unsupported {
        /// The entry id.
        id: String,
        /// Its category.
        category: String,
    },
}

/// Scores of one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryScore {
    /// Category name.
    pub category: String,
    /// Entries scored.
    pub total: usize,
    /// Entries correct.
    pub correct: usize,
    /// `correct / total` (0 when nothing was scored).
    pub accuracy: f64,
    /// Questions of this category with no result (not scored).
    pub missing: usize,
}

/// Per-category and overall scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Categories by name.
    pub categories: Vec<CategoryScore>,
    /// Entries scored.
    pub total: usize,
    /// Entries correct.
    pub correct: usize,
    /// Micro-average accuracy (`correct / total`).
    pub accuracy: f64,
    /// Unweighted mean of the category accuracies.
    pub macro_accuracy: f64,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Report {
    /// Builds a report from verdicts (and per-category missing counts).
    pub fn from_verdicts(verdicts: &[Verdict], missing: &BTreeMap<String, usize>) -> Report {
        let mut by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for v in verdicts {
            let e = by.entry(v.category.clone()).or_default();
            e.0 += 1;
            e.1 += usize::from(v.valid);
        }
        for c in missing.keys() {
            by.entry(c.clone()).or_default();
        }
        let categories: Vec<CategoryScore> = by
            .into_iter()
            .map(|(category, (total, correct))| CategoryScore {
                missing: missing.get(&category).copied().unwrap_or(0),
                category,
                total,
                correct,
                accuracy: ratio(correct, total),
            })
            .collect();
        let total = verdicts.len();
        let correct = verdicts.iter().filter(|v| v.valid).count();
        let scored: Vec<&CategoryScore> = categories.iter().filter(|c| c.total > 0).collect();
        let macro_accuracy = if scored.is_empty() {
            0.0
        } else {
            scored.iter().map(|c| c.accuracy).sum::<f64>() / scored.len() as f64
        };
        Report {
            categories,
            total,
            correct,
            accuracy: ratio(correct, total),
            macro_accuracy,
        }
    }
}

/// Reads a JSON Lines file: (1-based line, value) of every non-blank line.
fn read_jsonl(path: &Path) -> Result<Vec<(usize, Value)>, CheckError> {
    Ok(read_jsonl_py(path, false)?
        .into_iter()
        .map(|(n, v, _)| (n, v))
        .collect())
}

/// [`read_jsonl`], and with `py`, also the line as Python's `json.loads` reads it where that
/// differs (an integer past `u64`, which serde_json turns into a float).
fn read_jsonl_py(
    path: &Path,
    py: bool,
) -> Result<Vec<(usize, Value, Option<PyValue>)>, CheckError> {
    let text = std::fs::read_to_string(path).map_err(|source| CheckError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v = serde_json::from_str(line).map_err(|source| CheckError::Json {
            path: path.to_path_buf(),
            line: n + 1,
            source,
        })?;
        let pv = (py && pyjson::may_have_big_int(line))
            .then(|| pyjson::loads(line).ok())
            .flatten();
        out.push((n + 1, v, pv));
    }
    Ok(out)
}

fn field<'a>(
    path: &Path,
    line: usize,
    v: &'a Value,
    name: &'static str,
) -> Result<&'a Value, CheckError> {
    v.get(name).ok_or_else(|| CheckError::Field {
        path: path.to_path_buf(),
        line,
        field: name,
        message: "missing".into(),
    })
}

fn id_of(path: &Path, line: usize, v: &Value) -> Result<String, CheckError> {
    field(path, line, v, "id")?
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| CheckError::Field {
            path: path.to_path_buf(),
            line,
            field: "id",
            message: "expected a string".into(),
        })
}

fn supported(category: &str) -> bool {
    !(category.contains("multi_turn")
        || category.contains("memory")
        || category.contains("web_search")
        || category.contains("format_sensitivity")
        || category.contains("exec")
        || category.contains("rest")
        || category.contains("sql")
        || category.contains("chatable"))
}

/// BFCL's test categories (v1 to v4 names): an id whose derived category is one of these is
/// a BFCL id; any other id (`0`, `my_case_3`, ...) has no known category.
const KNOWN_CATEGORIES: &[&str] = &[
    "simple",
    "simple_python",
    "simple_java",
    "simple_javascript",
    "java",
    "javascript",
    "multiple",
    "parallel",
    "parallel_multiple",
    "irrelevance",
    "relevance",
    "live_simple",
    "live_multiple",
    "live_parallel",
    "live_parallel_multiple",
    "live_irrelevance",
    "live_relevance",
    "multi_turn_base",
    "multi_turn_miss_func",
    "multi_turn_miss_param",
    "multi_turn_long_context",
    "multi_turn_composite",
    "memory_kv",
    "memory_vector",
    "memory_rec_sum",
    "web_search_base",
    "web_search_no_snippet",
    "format_sensitivity",
    "exec_simple",
    "exec_multiple",
    "exec_parallel",
    "exec_parallel_multiple",
    "executable_simple",
    "executable_multiple_function",
    "executable_parallel_function",
    "executable_parallel_multiple_function",
    "rest",
    "sql",
    "chatable",
];

/// Whether `category` (as [`category_of`] derives it) is one of BFCL's categories.
pub fn is_known_category(category: &str) -> bool {
    KNOWN_CATEGORIES.contains(&category)
}

/// Scores BFCL files: `questions` (`{"id", "question", "function"}` lines), `answers`
/// (`{"id", "ground_truth"}` lines; none for relevance categories) and `results`
/// (`{"id", "result"}` lines). Verdicts come in question-file order.
///
/// With `category` `C` (other than `"all"`), entries whose id yields a known BFCL category
/// ([`is_known_category`]) are scored only when that category is `C`, and entries whose id
/// has no known category (`0`, `my_case_3`, ...) are scored as category `C`. Without it (or
/// with `"all"`), every entry is scored under the category its id yields.
pub fn score_files(
    questions: &Path,
    answers: &Path,
    results: &Path,
    category: Option<&str>,
) -> Result<(Report, Vec<Verdict>), CheckError> {
    // The category an entry is scored as, or `None` when `category` filters it out.
    let forced = category.filter(|c| *c != "all");
    let scored_as = |derived: String| -> Option<String> {
        match forced {
            None => Some(derived),
            Some(c) if !is_known_category(&derived) => Some(c.to_string()),
            Some(c) => (c == derived).then_some(derived),
        }
    };
    // Results by id.
    // With the result as Python reads it, where serde_json reads it otherwise.
    type Res = (usize, Value, Option<PyValue>);
    let mut by_id: HashMap<String, Res> = HashMap::new();
    for (line, v, pv) in read_jsonl_py(results, true)? {
        let id = id_of(results, line, &v)?;
        let r = field(results, line, &v, "result")?.clone();
        let pr = pv.and_then(|p| p.dict_get_str("result").cloned());
        if by_id.insert(id.clone(), (line, r, pr)).is_some() {
            return Err(CheckError::Duplicate {
                path: results.to_path_buf(),
                line,
                id,
            });
        }
    }
    // Possible answers by id.
    let mut truth: HashMap<String, Value> = HashMap::new();
    for (line, v) in read_jsonl(answers)? {
        let id = id_of(answers, line, &v)?;
        let gt = field(answers, line, &v, "ground_truth")?.clone();
        if truth.insert(id.clone(), gt).is_some() {
            return Err(CheckError::Duplicate {
                path: answers.to_path_buf(),
                line,
                id,
            });
        }
    }
    let mut missing: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let qs = read_jsonl(questions)?;
    // Every scored entry, in question order; judged below on all cores.
    let mut tasks: Vec<(Prepared<'_>, Res)> = Vec::new();
    for (line, q) in &qs {
        let line = *line;
        let id = id_of(questions, line, q)?;
        if seen.insert(id.clone(), line).is_some() {
            return Err(CheckError::Duplicate {
                path: questions.to_path_buf(),
                line,
                id,
            });
        }
        let Some(cat) = scored_as(category_of(&id)) else {
            by_id.remove(&id);
            continue;
        };
        let Some(res) = by_id.remove(&id) else {
            *missing.entry(cat).or_default() += 1;
            continue;
        };
        if !supported(&cat) {
            return Err(CheckError::Unsupported { id, category: cat });
        }
        let functions = field(questions, line, q, "function")?
            .as_array()
            .ok_or_else(|| CheckError::Field {
                path: questions.to_path_buf(),
                line,
                field: "function",
                message: "expected an array of function descriptions".into(),
            })?;
        let possible = truth.get(&id);
        if possible.is_none() && !super::is_relevance_category(&cat) {
            return Err(CheckError::MissingAnswer {
                path: answers.to_path_buf(),
                id,
            });
        }
        let prepared = Prepared::build(&id, cat, functions, possible.ok_or("no ground truth"));
        tasks.push((prepared, res));
    }
    let verdicts = par_map(
        &tasks,
        threads(),
        |(prepared, (_, result, py_result))| match py_result {
            Some(r) => prepared.check_py(r, CheckOptions::default()),
            None => prepared.check(result, CheckOptions::default()),
        },
    );
    // Results left over have no question.
    if let Some((id, (line, ..))) = by_id.into_iter().min_by_key(|(_, (l, ..))| *l) {
        return Err(CheckError::UnknownId {
            path: results.to_path_buf(),
            line,
            id,
        });
    }
    let report = Report::from_verdicts(&verdicts, &missing);
    Ok((report, verdicts))
}

/// Worker threads for judging: every core.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// `f` over `items` on `threads` scoped threads (contiguous chunks), results in item order:
/// entries are independent, so the verdicts do not depend on the thread count.
pub fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                // A judge that panicked is a bug in the checker; surface it as such.
                Err(p) => std::panic::resume_unwind(p),
            })
            .collect()
    })
}
