//! Renderings of records into training files: OpenAI, LLaMA-Factory ShareGPT, BFCL style,
//! Hermes/Qwen and Parquet. Every format is a pure function of a record (plus options); the
//! [`Exporter`] streams records to files, so memory stays flat in their number.

pub mod formats;
mod writer;

pub use formats::{examples, openai_messages, read_openai_line, render, ExportOptions, Format};
pub use hardgen_core::calls::python::{parse_python_call_list, python_call_list, ParsedCall};
pub use writer::{dataset_card, Encoded, Encoder, Exporter};

/// A failure to write or read an export, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading or writing a file failed.
    #[error("{path}: {message}")]
    Io {
        /// File.
        path: String,
        /// What failed.
        message: String,
    },
    /// Input that is not in the expected shape.
    #[error("{0}")]
    Parse(String),
}
