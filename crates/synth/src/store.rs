//! The run store: one SQLite file per run directory (`hardgen.sqlite`, shared with the LLM
//! response cache) holding the resolved configuration, every item's outcome, and the results of
//! later stages (probe, evaluation, loop iterations) as JSON by key. Files are written from it,
//! and a command run again on the same directory resumes where it stopped.
//!
//! Crash safety: SQLite in WAL mode; an item's outcome is committed before the item counts as
//! done, so a killed process loses at most the items it had not yet committed, and those are
//! made again, identically (every item depends only on the seed and its number).

use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};

/// The store's file name in a run directory.
pub const FILE: &str = "hardgen.sqlite";

/// The stage under which versions of the API graph are kept (`generate`, `loop-iteration-0001`, ...).
pub const GRAPH_STAGE: &str = "graph";

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed (the message names the file).
    #[error("run store {path}: {message}")]
    Db {
        /// The database file.
        path: String,
        /// What failed.
        message: String,
    },
    /// The directory holds a run with another configuration.
    #[error("{path} holds a run with another configuration ({what} differs); use another directory, or --force to start over")]
    Mismatch {
        /// The database file.
        path: String,
        /// The first differing setting.
        what: String,
    },
}

/// The run store of one directory.
pub struct Store {
    path: PathBuf,
    db: Connection,
}

/// Compresses an item's outcome (its JSON) for the store, with one compression context per
/// thread (making one per item costs more than the item).
pub fn pack(outcome: &[u8]) -> std::io::Result<Vec<u8>> {
    thread_local! {
        static PACKER: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
            const { std::cell::RefCell::new(None) };
    }
    PACKER.with(|p| {
        let mut p = p.borrow_mut();
        let mut c = match p.take() {
            Some(c) => c,
            None => zstd::bulk::Compressor::new(1)?,
        };
        let out = c.compress(outcome);
        *p = Some(c);
        out
    })
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (or creates) the store of `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join(FILE);
        let err = |e: rusqlite::Error| StoreError::Db {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let db = Connection::open(&path).map_err(err)?;
        db.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
        // NORMAL in WAL mode: a commit survives a killed process (not a power cut) without an
        // fsync per item.
        db.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        db.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS items (stage TEXT NOT NULL, idx INTEGER NOT NULL,
                 kept INTEGER NOT NULL, outcome BLOB NOT NULL, PRIMARY KEY (stage, idx));
             CREATE TABLE IF NOT EXISTS results (stage TEXT NOT NULL, key TEXT NOT NULL,
                 value TEXT NOT NULL, PRIMARY KEY (stage, key));",
        )
        .map_err(err)?;
        Ok(Store { path, db })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |e| StoreError::Db {
            path: self.path.display().to_string(),
            message: e.to_string(),
        }
    }

    /// A stored setting.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.db
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.err())
    }

    /// Stores a setting.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.db
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Binds the store to a stage's configuration: stores it the first time, and refuses a
    /// different one later (naming the first differing top-level key) unless `force`, which
    /// clears the stage and starts over.
    pub fn bind_config(
        &self,
        stage: &str,
        config: &serde_json::Value,
        force: bool,
    ) -> Result<(), StoreError> {
        let key = format!("config:{stage}");
        let text = config.to_string();
        match self.meta(&key)? {
            Some(old) if old == text => Ok(()),
            Some(old) if !force => {
                let old: serde_json::Value = serde_json::from_str(&old).unwrap_or_default();
                let what = differing_key(&old, config);
                Err(StoreError::Mismatch {
                    path: self.path.display().to_string(),
                    what,
                })
            }
            _ => {
                self.clear(stage)?;
                self.set_meta(&key, &text)
            }
        }
    }

    /// Forgets every item and result of a stage.
    pub fn clear(&self, stage: &str) -> Result<(), StoreError> {
        self.db
            .execute("DELETE FROM items WHERE stage = ?1", params![stage])
            .map_err(self.err())?;
        self.db
            .execute("DELETE FROM results WHERE stage = ?1", params![stage])
            .map(|_| ())
            .map_err(self.err())
    }

    /// Outcomes of a stage's items `0..k` that are stored, in order, as (kept, JSON text); the
    /// stored items always form such a prefix.
    pub fn items(&self, stage: &str) -> Result<Vec<(bool, String)>, StoreError> {
        let mut q = self
            .db
            .prepare("SELECT idx, kept, outcome FROM items WHERE stage = ?1 ORDER BY idx")
            .map_err(self.err())?;
        let rows = q
            .query_map(params![stage], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)? != 0,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for (k, row) in rows.enumerate() {
            let (idx, kept, packed) = row.map_err(self.err())?;
            if usize::try_from(idx).ok() != Some(k) {
                break;
            }
            let text = zstd::decode_all(packed.as_slice())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| StoreError::Db {
                    path: self.path.display().to_string(),
                    message: format!("item {idx} of stage {stage} is not a stored outcome"),
                })?;
            out.push((kept, text));
        }
        Ok(out)
    }

    /// Stores the outcome of item `idx` of a stage (compressed: records are large and
    /// repetitive, and the store's cost per item is mostly bytes written).
    pub fn put_item(
        &self,
        stage: &str,
        idx: u64,
        kept: bool,
        outcome: &str,
    ) -> Result<(), StoreError> {
        let packed = pack(outcome.as_bytes()).map_err(|e| StoreError::Db {
            path: self.path.display().to_string(),
            message: format!("compressing item {idx}: {e}"),
        })?;
        self.put_packed(stage, idx, kept, &packed)
    }

    /// Stores an outcome [`pack`]ed already (by a worker thread, so that the one thread that
    /// writes the store only inserts).
    pub fn put_packed(
        &self,
        stage: &str,
        idx: u64,
        kept: bool,
        packed: &[u8],
    ) -> Result<(), StoreError> {
        // Cached: preparing the statement anew for every item cost more than the insert.
        self.db
            .prepare_cached(
                "INSERT OR REPLACE INTO items (stage, idx, kept, outcome) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    stage,
                    i64::try_from(idx).unwrap_or(i64::MAX),
                    i64::from(kept),
                    packed
                ])
            })
            .map(|_| ())
            .map_err(self.err())
    }

    /// Starts a transaction (items stored until [`Store::commit`] land together).
    pub fn begin(&self) -> Result<(), StoreError> {
        self.db.execute_batch("BEGIN").map_err(self.err())
    }

    /// Commits the open transaction.
    pub fn commit(&self) -> Result<(), StoreError> {
        self.db.execute_batch("COMMIT").map_err(self.err())
    }

    /// Counts of a stage's stored items: (all, kept).
    pub fn counts(&self, stage: &str) -> Result<(u64, u64), StoreError> {
        self.db
            .query_row(
                "SELECT COUNT(*), COALESCE(SUM(kept), 0) FROM items WHERE stage = ?1",
                params![stage],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
            .map(|(a, k)| (a.max(0) as u64, k.max(0) as u64))
            .map_err(self.err())
    }

    /// A stored result of a stage.
    pub fn result(&self, stage: &str, key: &str) -> Result<Option<String>, StoreError> {
        self.db
            .query_row(
                "SELECT value FROM results WHERE stage = ?1 AND key = ?2",
                params![stage, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())
    }

    /// Stores a result of a stage.
    pub fn put_result(&self, stage: &str, key: &str, value: &str) -> Result<(), StoreError> {
        self.db
            .execute(
                "INSERT OR REPLACE INTO results (stage, key, value) VALUES (?1, ?2, ?3)",
                params![stage, key, value],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Stores a version of the API graph (nodes, edges, constraints and failure weights) under
    /// `version`, in the stage [`GRAPH_STAGE`].
    pub fn put_graph(
        &self,
        version: &str,
        graph: &hardgen_graph::ApiGraph,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(graph).map_err(|e| StoreError::Db {
            path: self.path.display().to_string(),
            message: format!("graph {version} does not serialise: {e}"),
        })?;
        self.put_result(GRAPH_STAGE, version, &text)
    }

    /// A stored version of the API graph.
    pub fn graph(&self, version: &str) -> Result<Option<hardgen_graph::ApiGraph>, StoreError> {
        let Some(text) = self.result(GRAPH_STAGE, version)? else {
            return Ok(None);
        };
        hardgen_graph::ApiGraph::from_json(&text)
            .map(Some)
            .map_err(|e| StoreError::Db {
                path: self.path.display().to_string(),
                message: format!("stored graph {version} is unreadable: {e}"),
            })
    }

    /// Keys of a stage's stored results, sorted.
    pub fn result_keys(&self, stage: &str) -> Result<Vec<String>, StoreError> {
        let mut q = self
            .db
            .prepare("SELECT key FROM results WHERE stage = ?1 ORDER BY key")
            .map_err(self.err())?;
        let rows = q
            .query_map(params![stage], |r| r.get::<_, String>(0))
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// Every stage with stored configuration, items or results.
    pub fn stages(&self) -> Result<Vec<String>, StoreError> {
        let mut q = self
            .db
            .prepare(
                "SELECT substr(key, 8) FROM meta WHERE key LIKE 'config:%'
                 UNION SELECT stage FROM items UNION SELECT stage FROM results ORDER BY 1",
            )
            .map_err(self.err())?;
        let rows = q
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// Stored model responses (the LLM cache's table in the same file), if any.
    pub fn model_responses(&self) -> Result<u64, StoreError> {
        let has: Option<String> = self
            .db
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'responses'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())?;
        if has.is_none() {
            return Ok(0);
        }
        self.db
            .query_row("SELECT COUNT(*) FROM responses", [], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(self.err())
    }
}

/// The first top-level key whose value differs between two configurations.
fn differing_key(old: &serde_json::Value, new: &serde_json::Value) -> String {
    let (Some(a), Some(b)) = (old.as_object(), new.as_object()) else {
        return "the configuration".into();
    };
    for (k, v) in b {
        if a.get(k) != Some(v) {
            if let (Some(x), Some(y)) = (a.get(k), Some(v)) {
                if x.is_object() && y.is_object() {
                    let inner = differing_key(x, y);
                    return format!("{k}.{inner}");
                }
            }
            return k.clone();
        }
    }
    a.keys()
        .find(|k| !b.contains_key(*k))
        .cloned()
        .unwrap_or_else(|| "the configuration".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_resume_as_a_prefix_and_configs_are_bound() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = Store::open(dir.path()).expect("open");
        s.bind_config("generate", &json!({"n": 3, "gen": {"seed": 1}}), false)
            .expect("bind");
        s.begin().expect("begin");
        s.put_item("generate", 0, true, "{\"a\":1}").expect("put");
        s.put_item("generate", 2, false, "{\"b\":2}").expect("put");
        s.commit().expect("commit");
        // Item 1 is missing, so only item 0 counts as done.
        assert_eq!(
            s.items("generate").expect("items"),
            vec![(true, "{\"a\":1}".into())]
        );
        assert_eq!(s.counts("generate").expect("counts"), (2, 1));
        drop(s);
        let s = Store::open(dir.path()).expect("reopen");
        s.bind_config("generate", &json!({"n": 3, "gen": {"seed": 1}}), false)
            .expect("same config");
        let e = s
            .bind_config("generate", &json!({"n": 3, "gen": {"seed": 2}}), false)
            .expect_err("refused");
        assert!(e.to_string().contains("gen.seed"), "{e}");
        s.bind_config("generate", &json!({"n": 3, "gen": {"seed": 2}}), true)
            .expect("forced");
        assert!(s.items("generate").expect("items").is_empty());
        s.put_result("loop", "iteration-1", "{}").expect("result");
        assert_eq!(
            s.result_keys("loop").expect("keys"),
            vec!["iteration-1".to_string()]
        );
        assert_eq!(
            s.stages().expect("stages"),
            vec!["generate".to_string(), "loop".to_string()]
        );
        assert_eq!(s.model_responses().expect("responses"), 0);
    }
}
