//! The executable world: lazily materialised, copy-on-write tables, so reset and snapshot are cheap
//! (`storage`), and the interpreter of compiled tool operations (`interp`).

mod interp;
mod storage;

pub use storage::{Snapshot, Table, World};
