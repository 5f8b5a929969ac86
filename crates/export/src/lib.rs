//! Renderings of records into training files. Every format is a pure function of a record
//! (plus options); the `Exporter` streams records to files, so memory stays flat in their number.

pub mod formats;
pub mod python;
mod writer;

pub use formats::{examples, read_openai_line, render, ExportOptions, Format};
pub use writer::Exporter;

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
pub use writer::dataset_card;
