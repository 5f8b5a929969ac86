//! The compiled world: domain files resolved into indexed collections and tools, with their
//! JSON Schemas, validators and the true dependency edges derived from the data.
//!
//! `ir` holds the types, `compile` the passes over the files, `build` one function per tool
//! operation, `schema` the parameter and result schemas, `rules` rules, expressions and tokens.

mod build;
mod compile;
mod ir;
mod rules;
mod schema;

pub use compile::compile;
pub use ir::*;
