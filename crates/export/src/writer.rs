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
    ]))
}

/// Writes records to every requested format in a directory.
pub struct Exporter {
    dir: PathBuf,
    opts: ExportOptions,
    jsonl: Vec<(Format, PathBuf, BufWriter<File>)>,
    parquet: Option<(PathBuf, ArrowWriter<File>, Rows)>,
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
    /// Opens the files of `formats` in `dir` (created if missing).
    pub fn create(
        dir: &Path,
        formats: &[Format],
        opts: ExportOptions,
    ) -> Result<Exporter, ExportError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut jsonl = Vec::new();
        let mut parquet = None;
        for f in formats {
            let path = dir.join(f.file_name());
            let file = File::create(&path).map_err(io(&path))?;
            if *f == Format::Parquet {
                let props = WriterProperties::builder()
                    .set_compression(Compression::ZSTD(ZstdLevel::default()))
                    .build();
                let w = ArrowWriter::try_new(file, schema(), Some(props)).map_err(pq(&path))?;
                parquet = Some((path, w, Rows::default()));
            } else if !jsonl.iter().any(|(g, _, _)| g == f) {
                jsonl.push((*f, path, BufWriter::new(file)));
            }
        }
        Ok(Exporter {
            dir: dir.to_path_buf(),
            opts,
            jsonl,
            parquet,
        })
    }

    /// Writes one record to every format.
    pub fn write(&mut self, rec: &Record) -> Result<(), ExportError> {
        for (f, path, w) in &mut self.jsonl {
            for v in render(*f, rec, &self.opts) {
                serde_json::to_writer(&mut *w, &v).map_err(|e| ExportError::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
                w.write_all(b"\n").map_err(io(path))?;
            }
        }
        if let Some((path, w, rows)) = &mut self.parquet {
            let calls: usize = rec.rounds.iter().map(|r| r.difficulty.calls).sum();
            let attempts = rec
                .rounds
                .iter()
                .map(|r| r.verdict.attempts)
                .max()
                .unwrap_or(0);
            let hidden: usize = rec.rounds.iter().map(|r| r.difficulty.hidden_values).sum();
            let distractors = rec.rounds.first().map_or(0, |r| r.difficulty.distractors);
            for v in render(Format::Parquet, rec, &self.opts) {
                rows.id
                    .push(v["id"].as_str().unwrap_or_default().to_string());
                rows.messages.push(v["messages"].to_string());
                rows.tools.push(v["tools"].to_string());
                rows.domains.push(rec.domains.join(","));
                rows.calls.push(calls as i64);
                rows.attempts.push(i64::from(attempts));
                rows.generator
                    .push(serde_json::to_string(&rec.generator).unwrap_or_default());
                rows.hidden_values.push(hidden as i64);
                rows.distractors.push(distractors as i64);
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
            std::fs::write(&card, dataset_card()).map_err(io(&card))?;
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
        ],
    )
    .map_err(|e| ExportError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    w.write(&batch).map_err(pq(path))
}

/// The Hugging Face dataset card written beside `data.parquet`.
pub fn dataset_card() -> String {
    "---\nlicense: apache-2.0\ntask_categories:\n- text-generation\ntags:\n- tool-use\n- function-calling\n- synthetic\n\
configs:\n- config_name: default\n  data_files: data.parquet\n\
dataset_info:\n  features:\n  - name: id\n    dtype: string\n  - name: messages\n    dtype: string\n  - name: tools\n    dtype: string\n\
  - name: domains\n    dtype: string\n  - name: calls\n    dtype: int64\n  - name: attempts\n    dtype: int64\n  - name: generator\n    dtype: string\n\
  - name: hidden_values\n    dtype: int64\n  - name: distractors\n    dtype: int64\n---\n\n\
# hardgen tool-use dataset\n\nHard, verified tool-use trajectories generated by hardgen. Every tool result was produced by executing \
the tool in hardgen's built-in world, and every kept trajectory was re-executed and checked against its gold trace.\n\n\
- `messages`: OpenAI chat messages as a JSON string (assistant reasoning in `reasoning_content`, tool calls with JSON-string arguments).\n\
- `tools`: the tools offered (the ones used plus distractors), OpenAI function JSON.\n\
- `calls`, `hidden_values`, `distractors`, `attempts`: difficulty signals; `generator`: which implementation produced each role.\n"
        .to_string()
}
