//! The response cache: answered requests by a hash of their body (model included), in an
//! embedded SQLite file in the run directory, so a rerun sends nothing twice and gives the same
//! data byte for byte. The body never holds the API key (it travels in a header), so neither does
//! the cache.

use crate::types::LlmError;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// A response cache in one SQLite file.
#[derive(Debug)]
pub struct Cache {
    path: PathBuf,
    db: Mutex<Connection>,
}

fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> LlmError + '_ {
    move |e| LlmError::Cache(format!("{}: {e}", path.display()))
}

impl Cache {
    /// Opens (or creates) the cache at `path`.
    pub fn open(path: &Path) -> Result<Cache, LlmError> {
        let db = Connection::open(path).map_err(db_err(path))?;
        // WAL: readers never wait for the writer; one small transaction per answer.
        db.pragma_update(None, "journal_mode", "WAL")
            .map_err(db_err(path))?;
        // The run store writes to the same file from the same process: wait for it briefly.
        db.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(db_err(path))?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS responses (
                key TEXT PRIMARY KEY,
                model TEXT NOT NULL,
                response TEXT NOT NULL
            )",
        )
        .map_err(db_err(path))?;
        Ok(Cache {
            path: path.to_path_buf(),
            db: Mutex::new(db),
        })
    }

    /// The key of a request body: a 128-bit hash of its canonical JSON text.
    pub fn key(body: &Value) -> String {
        format!(
            "{:032x}",
            xxhash_rust::xxh3::xxh3_128(body.to_string().as_bytes())
        )
    }

    /// The stored response of a request body, if any.
    pub fn get(&self, body: &Value) -> Result<Option<Value>, LlmError> {
        let db = self.db.lock().unwrap_or_else(PoisonError::into_inner);
        let text: Option<String> = db
            .query_row(
                "SELECT response FROM responses WHERE key = ?1",
                params![Self::key(body)],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err(&self.path))?;
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| {
                LlmError::Cache(format!(
                    "{}: a stored response is not JSON: {e}",
                    self.path.display()
                ))
            })
        })
        .transpose()
    }

    /// Stores the response of a request body.
    pub fn put(&self, body: &Value, response: &Value) -> Result<(), LlmError> {
        let model = body
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let db = self.db.lock().unwrap_or_else(PoisonError::into_inner);
        db.execute(
            "INSERT OR REPLACE INTO responses (key, model, response) VALUES (?1, ?2, ?3)",
            params![Self::key(body), model, response.to_string()],
        )
        .map_err(db_err(&self.path))?;
        Ok(())
    }

    /// Stored responses.
    pub fn len(&self) -> Result<usize, LlmError> {
        let db = self.db.lock().unwrap_or_else(PoisonError::into_inner);
        db.query_row("SELECT COUNT(*) FROM responses", [], |r| r.get::<_, i64>(0))
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(db_err(&self.path))
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> Result<bool, LlmError> {
        self.len().map(|n| n == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stores_and_finds_responses_by_body() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("cache.sqlite");
        let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
        let other = json!({"model": "m2", "messages": [{"role": "user", "content": "hi"}]});
        {
            let c = Cache::open(&path).expect("opens");
            assert_eq!(c.get(&body).expect("reads"), None);
            c.put(&body, &json!({"choices": []})).expect("writes");
            assert_eq!(c.len().expect("len"), 1);
            assert_eq!(c.get(&other).expect("reads"), None);
        }
        // Reopened: still there.
        let c = Cache::open(&path).expect("reopens");
        assert_eq!(c.get(&body).expect("reads"), Some(json!({"choices": []})));
    }

    #[test]
    fn an_unusable_file_is_named() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("cache.sqlite");
        std::fs::write(
            &path,
            "not a database, just text that is long enough to matter",
        )
        .expect("write");
        let e = Cache::open(&path).expect_err("not SQLite");
        assert!(e.to_string().contains("cache.sqlite"), "{e}");
    }
}
