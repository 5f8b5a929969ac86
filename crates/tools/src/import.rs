//! Reading tool spec files (OpenAI or BFCL dialect) from disk.

use hardgen_core::{parse_specs, SpecError, ToolSpec};
use std::path::Path;

/// Why a spec file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file was read but a spec in it is malformed.
    #[error(transparent)]
    Spec(#[from] SpecError),
}

/// Reads and checks every tool spec in `path`; parameter schemas must also compile.
pub fn load_specs(path: &Path) -> Result<Vec<ToolSpec>, ImportError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
        path: name.clone(),
        source,
    })?;
    let specs = parse_specs(&text, &name)?;
    for s in &specs {
        crate::validate::compile(&s.parameters).map_err(|message| SpecError {
            source_name: name.clone(),
            path: format!("tool {:?}.parameters", s.name),
            message,
        })?;
    }
    Ok(specs)
}
