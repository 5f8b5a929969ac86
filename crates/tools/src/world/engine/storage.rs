//! World state: lazily generated, copy-on-write tables, issued tokens, snapshots and the digest.

use super::interp::Res;
use crate::env::Environment;
use crate::validate::validate_args;
use crate::world::gen::generate_table;
use crate::world::model::{Coll, Kind, WorldDef, G};
use crate::world::value::Val;
use hardgen_core::{ArgError, ToolCall, ToolError, ToolSpec};
use serde_json::{Map, Value};
use std::sync::Arc;

/// Rows of one collection.
#[derive(Debug, Clone)]
pub struct Table {
    /// Rows; the id of row `i` is `<prefix>-<1001 + i>`. Rows are shared too, so the first
    /// change to a shared table copies a vector of pointers, not every cell.
    rows: Vec<Arc<[Val]>>,
    /// XOR of the rows' hashes (each with its index), kept up to date by every change, so the
    /// digest of a changed table costs one word instead of a walk over all its cells.
    hash: u64,
}

/// The hash of row `idx` holding `row`.
fn row_hash(idx: usize, row: &[Val]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&(idx as u64).to_le_bytes());
    for v in row {
        v.hash_into(&mut h);
    }
    h.digest()
}

impl Table {
    /// A table of `rows`.
    pub fn new(rows: Vec<Arc<[Val]>>) -> Table {
        let hash = rows
            .iter()
            .enumerate()
            .fold(0, |acc, (i, r)| acc ^ row_hash(i, r));
        Table { rows, hash }
    }

    /// The rows.
    pub fn rows(&self) -> &[Arc<[Val]>] {
        &self.rows
    }

    /// The content hash: equal tables have equal hashes.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// Replaces row `idx` (which exists).
    pub(super) fn set_row(&mut self, idx: usize, row: Arc<[Val]>) {
        self.hash ^= row_hash(idx, &self.rows[idx]) ^ row_hash(idx, &row);
        self.rows[idx] = row;
    }

    /// Appends a row.
    pub(super) fn push_row(&mut self, row: Arc<[Val]>) {
        self.hash ^= row_hash(self.rows.len(), &row);
        self.rows.push(row);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub(super) value: String,
    pub(super) scope: String,
    pub(super) coll: usize,
    pub(super) row: usize,
    pub(super) uses_left: u32,
}

/// A saved world state; restoring it is O(collections).
#[derive(Debug, Clone)]
pub struct Snapshot {
    seed: u64,
    tables: Vec<Option<Arc<Table>>>,
    dirty: Vec<bool>,
    tokens: Arc<Vec<Token>>,
    issued: u64,
}

/// The built-in world as an [`Environment`].
#[derive(Debug, Clone)]
pub struct World {
    pub(super) def: Arc<WorldDef>,
    pub(super) seed: u64,
    /// `None` until a call touches the table: seeded rows are generated on first use.
    pub(super) tables: Vec<Option<Arc<Table>>>,
    /// Tables changed since reset; the rest equal their seeded content.
    dirty: Vec<bool>,
    pub(super) tokens: Arc<Vec<Token>>,
    pub(super) issued: u64,
    /// Seeded tables of `pristine_seed`, kept so resetting to the same seed again (once per trace)
    /// shares them copy-on-write instead of generating them anew.
    pristine: Vec<Option<Arc<Table>>>,
    pristine_seed: u64,
}

impl World {
    /// A world over `def`, reset to `seed`.
    pub fn new(def: Arc<WorldDef>, seed: u64) -> Self {
        let n = def.colls.len();
        World {
            def,
            seed,
            tables: vec![None; n],
            dirty: vec![false; n],
            tokens: Arc::new(Vec::new()),
            issued: 0,
            pristine: vec![None; n],
            pristine_seed: seed,
        }
    }

    /// The compiled definition.
    pub fn def(&self) -> &Arc<WorldDef> {
        &self.def
    }

    /// The seed of the last reset.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub(super) fn ensure(&mut self, c: usize) {
        if self.tables[c].is_some() {
            return;
        }
        let t = self.pristine(c);
        self.tables[c] = Some(t);
    }

    /// The seeded rows of collection `c` as the seed makes them (never the changed ones).
    fn pristine(&mut self, c: usize) -> Arc<Table> {
        if self.pristine_seed != self.seed {
            self.pristine.iter_mut().for_each(|t| *t = None);
            self.pristine_seed = self.seed;
        }
        if let Some(t) = &self.pristine[c] {
            return t.clone();
        }
        let mut rows = generate_table(&self.def.colls[c], c, self.seed);
        self.fill_where(c, &mut rows);
        self.fill_same(c, &mut rows);
        let t = Arc::new(Table::new(rows));
        self.pristine[c] = Some(t.clone());
        t
    }

    /// Moves refs with a `where` that point at a non-matching seeded row to a matching one,
    /// chosen from the row number (no draw, so every other value stays as generated). Runs
    /// before `fill_same`, so fields that follow such a ref see the row it ends on.
    fn fill_where(&mut self, c: usize, rows: &mut [Arc<[Val]>]) {
        let def = self.def.clone();
        for (fi, f) in def.colls[c].fields.iter().enumerate() {
            let G::RefWhere(tc, _, _, tf, values) = &f.gen else {
                continue;
            };
            let target = self.pristine(*tc);
            let ok = |r: &Arc<[Val]>| values.iter().any(|v| r[*tf].matches_text(v));
            let matching: Vec<usize> = (0..target.rows.len())
                .filter(|i| ok(&target.rows[*i]))
                .collect();
            if matching.is_empty() {
                continue;
            }
            for (ri, row) in rows.iter_mut().enumerate() {
                let hit = match &row[fi] {
                    Val::Str(id) => def.colls[*tc]
                        .parse_id(id)
                        .and_then(|i| target.rows.get(i))
                        .is_some_and(ok),
                    _ => false,
                };
                if !hit {
                    let i = matching[(ri * 7 + fi) % matching.len()];
                    let mut vals = row.to_vec();
                    vals[fi] = Val::Str(Arc::from(def.colls[*tc].id_of(i)));
                    *row = Arc::from(vals);
                }
            }
        }
    }

    /// Fills the `same` fields of freshly generated rows from the seeded rows they point at
    /// (the compiler only lets a field follow an earlier ref, so this never loops on itself).
    fn fill_same(&mut self, c: usize, rows: &mut [Arc<[Val]>]) {
        let def = self.def.clone();
        for (fi, f) in def.colls[c].fields.iter().enumerate() {
            let G::Same(via, tc, tf) = f.gen else {
                continue;
            };
            let target = self.pristine(tc);
            for row in rows.iter_mut() {
                let v = match &row[via] {
                    Val::Str(id) => def.colls[tc]
                        .parse_id(id)
                        .and_then(|i| target.rows.get(i))
                        .map(|r| r[tf].clone()),
                    _ => None,
                };
                if let Some(v) = v {
                    let mut vals = row.to_vec();
                    vals[fi] = v;
                    *row = Arc::from(vals);
                }
            }
        }
    }

    /// Rows of collection `c`, generating them on first use.
    pub fn table(&mut self, c: usize) -> &Table {
        self.ensure(c);
        match &self.tables[c] {
            Some(t) => t,
            None => unreachable!("ensured above"),
        }
    }

    pub(super) fn table_mut(&mut self, c: usize) -> &mut Table {
        self.ensure(c);
        self.dirty[c] = true;
        match &mut self.tables[c] {
            Some(t) => Arc::make_mut(t),
            None => unreachable!("ensured above"),
        }
    }

    pub(super) fn coll(&self, c: usize) -> &Coll {
        &self.def.colls[c]
    }

    /// Row index of id `id` in collection `c`, or NotFound.
    pub(super) fn resolve(&mut self, c: usize, id: &str) -> Res<usize> {
        let len = self.table(c).rows.len();
        match self.coll(c).parse_id(id) {
            Some(i) if i < len && self.coll(c).id_of(i) == id => Ok(i),
            _ => Err(ToolError::NotFound {
                what: self.coll(c).name.clone(),
                id: id.to_string(),
            }),
        }
    }

    pub(super) fn row_json(&self, c: usize, idx: usize, row: &[Val]) -> Value {
        let coll = self.coll(c);
        let mut m = Map::with_capacity(row.len() + 1);
        m.insert(coll.id_key.clone(), Value::String(coll.id_of(idx)));
        for (f, v) in coll.fields.iter().zip(row) {
            if !f.hidden {
                m.insert(f.name.clone(), v.to_json());
            }
        }
        Value::Object(m)
    }

    pub(super) fn stored_row_json(&mut self, c: usize, idx: usize) -> Value {
        self.ensure(c);
        let t = self.tables[c].clone();
        match t {
            Some(t) => self.row_json(c, idx, &t.rows[idx]),
            None => Value::Null,
        }
    }

    /// Saves the state.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            seed: self.seed,
            tables: self.tables.clone(),
            dirty: self.dirty.clone(),
            tokens: self.tokens.clone(),
            issued: self.issued,
        }
    }

    /// Restores a saved state.
    pub fn restore(&mut self, s: &Snapshot) {
        self.seed = s.seed;
        self.tables.clone_from(&s.tables);
        self.dirty.clone_from(&s.dirty);
        self.tokens = s.tokens.clone();
        self.issued = s.issued;
    }
}

impl Environment for World {
    type Snapshot = Snapshot;

    fn specs(&self) -> &[ToolSpec] {
        &self.def.specs
    }

    fn reset(&mut self, seed: u64) {
        self.seed = seed;
        for t in &mut self.tables {
            *t = None;
        }
        self.dirty.iter_mut().for_each(|d| *d = false);
        self.tokens = Arc::new(Vec::new());
        self.issued = 0;
    }

    fn execute(&mut self, call: &ToolCall) -> Result<Value, ToolError> {
        let Some(&ti) = self.def.by_name.get(&call.name) else {
            return Err(ToolError::UnknownTool {
                name: call.name.clone(),
            });
        };
        validate_args(&self.def.validators[ti], &call.name, &call.arguments)?;
        for (param, lo, hi) in self.def.date_floors.get(ti).into_iter().flatten() {
            let Some(d) = call.arguments.get(param).and_then(Value::as_str) else {
                continue;
            };
            // ISO dates compare as strings.
            let detail = match (lo, hi) {
                (Some(lo), _) if d < lo.as_str() => format!("must not be before {lo}"),
                (_, Some(hi)) if d > hi.as_str() => format!("must not be after {hi}"),
                _ => continue,
            };
            return Err(ToolError::InvalidArguments {
                tool: call.name.clone(),
                error: ArgError::OutOfRange {
                    param: param.clone(),
                    detail,
                },
            });
        }
        self.run(ti, &call.arguments)
    }

    fn snapshot(&self) -> Snapshot {
        World::snapshot(self)
    }

    fn restore(&mut self, s: &Snapshot) {
        World::restore(self, s)
    }

    fn user_knowledge(
        &mut self,
        tool: &str,
        param: &str,
        args: &Map<String, Value>,
    ) -> Option<Value> {
        let def = self.def.clone();
        let t = &def.tools[*def.by_name.get(tool)?];
        let Kind::Authorize {
            secret: Some(sf), ..
        } = &t.kind
        else {
            return None;
        };
        let coll = &def.colls[t.coll];
        if coll.fields[*sf].name != param {
            return None;
        }
        let idx = self
            .resolve(t.coll, args.get(&coll.id_key)?.as_str()?)
            .ok()?;
        Some(self.table(t.coll).rows[idx][*sf].to_json())
    }

    fn digest(&self) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&self.seed.to_le_bytes());
        // Unchanged tables equal their seeded content, a function of the seed already hashed;
        // only changed tables are hashed, each by its running content hash. (A table changed and
        // then changed back counts as changed.)
        for (c, t) in self.tables.iter().enumerate() {
            let (true, Some(t)) = (self.dirty[c], t) else {
                continue;
            };
            h.update(&(c as u64).to_le_bytes());
            h.update(&(t.rows.len() as u64).to_le_bytes());
            h.update(&t.hash.to_le_bytes());
        }
        for t in self.tokens.iter() {
            h.update(t.value.as_bytes());
            h.update(t.scope.as_bytes());
            h.update(&(t.coll as u64).to_le_bytes());
            h.update(&(t.row as u64).to_le_bytes());
            h.update(&t.uses_left.to_le_bytes());
        }
        h.update(&self.issued.to_le_bytes());
        h.digest()
    }
}

#[cfg(test)]
mod tests {
    use super::Table;
    use crate::world::value::Val;
    use std::sync::Arc;

    fn row(a: i64, s: &str) -> Arc<[Val]> {
        Arc::from(vec![Val::Int(a), Val::Str(Arc::from(s))])
    }

    #[test]
    fn a_tables_running_hash_is_the_hash_of_its_content() {
        let base = Table::new(vec![row(1, "a"), row(2, "b")]);
        let mut t = base.clone();
        t.set_row(1, row(3, "b"));
        assert_ne!(t.hash(), base.hash(), "a changed cell changes the hash");
        assert_eq!(t.hash(), Table::new(vec![row(1, "a"), row(3, "b")]).hash());
        t.push_row(row(4, "c"));
        assert_eq!(
            t.hash(),
            Table::new(vec![row(1, "a"), row(3, "b"), row(4, "c")]).hash()
        );
        // The same rows in another order are another table.
        assert_ne!(
            Table::new(vec![row(2, "b"), row(1, "a")]).hash(),
            base.hash()
        );
        let mut back = base.clone();
        back.set_row(0, row(9, "z"));
        back.set_row(0, row(1, "a"));
        assert_eq!(back.hash(), base.hash(), "changed and changed back");
    }
}
