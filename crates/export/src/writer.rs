//! Streaming writers: one file per format, records written as they come.

use crate::formats::{render, ExportOptions, Format};
use crate::ExportError;
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use hardgen_core::Record;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows buffered before a Parquet batch is written.
const BATCH: usize = 2048;

/// Parquet rows being collected.
#[derive(Default)]
struct Rows {
    id: Vec<String>,
    messages: Vec<String>,
    tools: Vec<String>,
    domains: Vec<String>,
    calls: Vec<i64>,
    attempts: Vec<i64>,
    generator: Vec<String>,
    hidden_values: Vec<i64>,
    distractors: Vec<i64>,
    variant: Vec<String>,
}

fn schema() -> Arc<Schema> {
    let s = |n: &str| Field::new(n, DataType::Utf8, false);
    let i = |n: &str| Field::new(n, DataType::Int64, false);
    Arc::new(Schema::new(vec![
        s("id"),
        s("messages"),
        s("tools"),
        s("domains"),
        i("calls"),
        i("attempts"),
        s("generator"),
        i("hidden_values"),
        i("distractors"),
        s("variant"),
    ]))
}

/// The flat metadata columns of a record's Parquet rows.
struct Metadata {
    /// Domains, comma-joined.
    domains: String,
    /// Gold calls over all rounds.
    calls: i64,
    /// Most reasoner attempts any round needed.
    attempts: i64,
    /// Generator per role, as JSON.
    generator: String,
    /// Hidden intermediate values over all rounds.
    hidden_values: i64,
    /// Distractor tools offered (the most any round offered; the tool list is shared).
    distractors: i64,
    /// The record's hard variant.
    variant: String,
}

impl Metadata {
    fn of(rec: &Record) -> Metadata {
        let n = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
        let rounds = &rec.rounds;
        Metadata {
            domains: rec.domains.join(","),
            calls: n(rounds.iter().map(|r| r.gold.len()).sum()),
            attempts: rounds
                .iter()
                .map(|r| i64::from(r.verdict.attempts))
                .max()
                .unwrap_or(0),
            generator: serde_json::to_string(&rec.generator).unwrap_or_default(),
            hidden_values: n(rounds.iter().map(|r| r.difficulty.hidden_values).sum()),
            distractors: n(rounds
                .iter()
                .map(|r| r.difficulty.distractors)
                .max()
                .unwrap_or(0)),
            variant: rec.variant.clone(),
        }
    }
}

/// Writes records to every requested format in a directory, streaming: JSON Lines go out line
/// by line through a `BufWriter`, Parquet rows are buffered up to about 2048 and then written
/// as a row group, so memory stays flat in the number of records.
pub struct Exporter {
    dir: PathBuf,
    encoder: Encoder,
    jsonl: Vec<(Format, PathBuf, BufWriter<File>)>,
    parquet: Option<(PathBuf, ArrowWriter<File>, Rows)>,
}

/// Renders records for the formats of an [`Exporter`] without touching its files, so worker
/// threads can do the rendering and the writer only copies bytes.
#[derive(Debug, Clone)]
pub struct Encoder {
    opts: ExportOptions,
    jsonl: Vec<Format>,
    parquet: bool,
}

/// One Parquet row: id, messages, tools, then the metadata columns.
struct Row {
    id: String,
    messages: String,
    tools: String,
    meta: Arc<Metadata>,
}

/// A record rendered by an [`Encoder`]: the JSON Lines text per format, then Parquet rows.
pub struct Encoded {
    lines: Vec<Vec<u8>>,
    rows: Vec<Row>,
}

impl Encoder {
    /// Renders one record for every format.
    pub fn encode(&self, rec: &Record) -> Result<Encoded, ExportError> {
        let mut lines = Vec::with_capacity(self.jsonl.len());
        for f in &self.jsonl {
            let mut out = Vec::new();
            for v in render(*f, rec, &self.opts) {
                serde_json::to_writer(&mut out, &v).map_err(|e| ExportError::Io {
                    path: f.file_name().to_string(),
                    message: e.to_string(),
                })?;
                out.push(b'\n');
            }
            lines.push(out);
        }
        let mut rows = Vec::new();
        if self.parquet {
            let meta = Arc::new(Metadata::of(rec));
            for v in render(Format::Parquet, rec, &self.opts) {
                rows.push(Row {
                    id: v["id"].as_str().unwrap_or_default().to_string(),
                    messages: v["messages"].to_string(),
                    tools: v["tools"].to_string(),
                    meta: Arc::clone(&meta),
                });
            }
        }
        Ok(Encoded { lines, rows })
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |e| ExportError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn pq(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> ExportError + '_ {
    move |e| ExportError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl Exporter {
    /// Opens the files of `formats` in `dir` (created if missing); repeated formats count once.
    pub fn create(
        dir: &Path,
        formats: &[Format],
        opts: ExportOptions,
    ) -> Result<Exporter, ExportError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut jsonl: Vec<(Format, PathBuf, BufWriter<File>)> = Vec::new();
        let mut parquet = None;
        for (k, f) in formats.iter().enumerate() {
            if formats[..k].contains(f) {
                continue;
            }
            let path = dir.join(f.file_name());
            let file = File::create(&path).map_err(io(&path))?;
            if *f == Format::Parquet {
                let props = WriterProperties::builder()
                    .set_compression(Compression::ZSTD(ZstdLevel::default()))
                    .set_max_row_group_row_count(Some(BATCH))
                    .build();
                let w = ArrowWriter::try_new(file, schema(), Some(props)).map_err(pq(&path))?;
                parquet = Some((path, w, Rows::default()));
            } else {
                jsonl.push((*f, path, BufWriter::new(file)));
            }
        }
        let encoder = Encoder {
            opts,
            jsonl: jsonl.iter().map(|(f, _, _)| *f).collect(),
            parquet: parquet.is_some(),
        };
        Ok(Exporter {
            dir: dir.to_path_buf(),
            encoder,
            jsonl,
            parquet,
        })
    }

    /// The renderer of this exporter's formats, for use on other threads.
    pub fn encoder(&self) -> Encoder {
        self.encoder.clone()
    }

    /// Writes one record to every format.
    pub fn write(&mut self, rec: &Record) -> Result<(), ExportError> {
        let e = self.encoder.encode(rec)?;
        self.write_encoded(e)
    }

    /// Writes one record rendered by this exporter's [`Encoder`].
    pub fn write_encoded(&mut self, e: Encoded) -> Result<(), ExportError> {
        for ((_, path, w), text) in self.jsonl.iter_mut().zip(&e.lines) {
            w.write_all(text).map_err(io(path))?;
        }
        if let Some((path, w, rows)) = &mut self.parquet {
            for r in e.rows {
                rows.id.push(r.id);
                rows.messages.push(r.messages);
                rows.tools.push(r.tools);
                rows.domains.push(r.meta.domains.clone());
                rows.calls.push(r.meta.calls);
                rows.attempts.push(r.meta.attempts);
                rows.generator.push(r.meta.generator.clone());
                rows.hidden_values.push(r.meta.hidden_values);
                rows.distractors.push(r.meta.distractors);
                rows.variant.push(r.meta.variant.clone());
            }
            if rows.id.len() >= BATCH {
                flush_rows(path, w, rows)?;
            }
        }
        Ok(())
    }

    /// Flushes and closes every file; writes `dataset_info.json` (ShareGPT) and `README.md`
    /// (Parquet dataset card). Returns the files written.
    pub fn finish(self) -> Result<Vec<PathBuf>, ExportError> {
        self.finish_with(&[])
    }

    /// Like [`Exporter::finish`], with the run's quality figures (JSON key, JSON value text)
    /// listed in the dataset card.
    pub fn finish_with(self, figures: &[(String, String)]) -> Result<Vec<PathBuf>, ExportError> {
        let mut files = Vec::new();
        for (f, path, mut w) in self.jsonl {
            w.flush().map_err(io(&path))?;
            files.push(path);
            if f == Format::Sharegpt {
                let info = self.dir.join("dataset_info.json");
                let v = serde_json::json!({"hardgen": {"file_name": Format::Sharegpt.file_name(), "formatting": "sharegpt",
                    "columns": {"messages": "conversations", "system": "system", "tools": "tools"}}});
                std::fs::write(
                    &info,
                    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n",
                )
                .map_err(io(&info))?;
                files.push(info);
            }
        }
        if let Some((path, mut w, mut rows)) = self.parquet {
            flush_rows(&path, &mut w, &mut rows)?;
            w.close().map_err(pq(&path))?;
            files.push(path.clone());
            let card = self.dir.join("README.md");
            std::fs::write(&card, dataset_card_with(figures)).map_err(io(&card))?;
            files.push(card);
        }
        Ok(files)
    }
}

fn flush_rows(path: &Path, w: &mut ArrowWriter<File>, rows: &mut Rows) -> Result<(), ExportError> {
    if rows.id.is_empty() {
        return Ok(());
    }
    let r = std::mem::take(rows);
    let s = |v: Vec<String>| Arc::new(StringArray::from(v)) as ArrayRef;
    let i = |v: Vec<i64>| Arc::new(Int64Array::from(v)) as ArrayRef;
    let batch = RecordBatch::try_new(
        schema(),
        vec![
            s(r.id),
            s(r.messages),
            s(r.tools),
            s(r.domains),
            i(r.calls),
            i(r.attempts),
            s(r.generator),
            i(r.hidden_values),
            i(r.distractors),
            s(r.variant),
        ],
    )
    .map_err(|e| ExportError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    w.write(&batch).map_err(pq(path))?;
    // Close the row group now: the writer would otherwise keep encoded rows in memory until its
    // own (much larger) row-group limit.
    w.flush().map_err(pq(path))
}

/// The Hugging Face dataset card written beside `data.parquet`: a YAML header naming the data
/// file and its features, then a short description of the columns.
pub fn dataset_card() -> String {
    dataset_card_with(&[])
}

/// [`dataset_card`] followed, when `figures` is not empty, by a "Quality figures" table of
/// (JSON key, JSON value text) pairs, as in the run's `summary.json`.
pub fn dataset_card_with(figures: &[(String, String)]) -> String {
    let mut card = base_card();
    if !figures.is_empty() {
        card.push_str(
            "\n## Quality figures\n\nAs in the run's `summary.json` (`hardgen stats DIR --json`).\n\n\
| figure | value |\n|---|---|\n",
        );
        for (k, v) in figures {
            card.push_str(&format!("| `{k}` | `{}` |\n", v.replace('|', "\\|")));
        }
    }
    card
}

fn base_card() -> String {
    let mut features = String::new();
    for f in schema().fields() {
        let dtype = match f.data_type() {
            DataType::Int64 => "int64",
            _ => "string",
        };
        features.push_str(&format!("  - name: {}\n    dtype: {dtype}\n", f.name()));
    }
    format!(
        "---\n\
license: apache-2.0\n\
task_categories:\n- text-generation\n\
tags:\n- tool-use\n- function-calling\n- synthetic\n\
configs:\n- config_name: default\n  data_files: data.parquet\n\
dataset_info:\n  features:\n{features}\
---\n\n\
# hardgen tool-use dataset\n\n\
Hard, verified, multi-step tool-use trajectories generated by hardgen. Every tool result was \
produced by executing the tool in hardgen's built-in world, and every kept trajectory was \
re-executed and checked against its gold trace. One row is one record (all its rounds as one \
conversation), or one assistant turn when exported with split turns (`id` ends in `-tN`).\n\n\
| column | meaning |\n|---|---|\n\
| `id` | record id (`-tN` suffix per assistant turn when split) |\n\
| `messages` | OpenAI chat messages as a JSON string: reasoning in `reasoning_content` (or inline \
`<think>`), tool calls with JSON-string `arguments`, tool results as JSON-string `content` |\n\
| `tools` | the tools offered (the ones used plus distractors) as OpenAI function JSON |\n\
| `domains` | domains touched, comma-separated |\n\
| `calls` | gold tool calls over all rounds |\n\
| `attempts` | most verifier attempts any round needed (1 = first try) |\n\
| `generator` | which implementation produced each role, as JSON |\n\
| `hidden_values` | intermediate values the queries hide, over all rounds |\n\
| `distractors` | distractor tools offered |\n\
| `variant` | hard variant: `standard`, `missing_param` (the assistant asks for a value the query \
leaves out), `missing_function` (a needed tool is offered late), `irrelevance` (no offered tool \
serves the request; no call), `error_recovery` (a mistyped name finds nothing; the assistant \
asks), `long_context` (the item needed sits deep in a long result) or `parallel` (independent \
calls in one turn) |\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_header_lists_every_column_with_its_dtype() {
        let card = dataset_card();
        let header = card
            .strip_prefix("---\n")
            .and_then(|c| c.split("\n---\n").next())
            .unwrap_or_default();
        assert!(header.contains("data_files: data.parquet"));
        for f in schema().fields() {
            assert!(
                header.contains(&format!("- name: {}\n", f.name())),
                "{}",
                f.name()
            );
        }
        assert_eq!(header.matches("dtype: int64").count(), 4);
        assert_eq!(header.matches("dtype: string").count(), 6);
    }

    #[test]
    fn card_lists_quality_figures_when_given() {
        assert!(!dataset_card().contains("Quality figures"));
        let card = dataset_card_with(&[
            ("share_3plus".into(), "0.25".into()),
            ("rejections".into(), r#"{"dedup":{"duplicate":2}}"#.into()),
        ]);
        assert!(card.starts_with(&dataset_card()));
        assert!(card.contains("| `share_3plus` | `0.25` |\n"), "{card}");
        assert!(card.contains("| `rejections` | `{\"dedup\":{\"duplicate\":2}}` |\n"));
    }
}
