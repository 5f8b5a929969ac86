//! Phases II and III: turn an executed trace into an advanced tool, a hard query, and a verified
//! reasoning trajectory. Every role has a deterministic offline implementation.

pub mod config;
pub mod dedup;
pub mod distract;
pub mod ground;
pub mod item;
pub mod lexicon;
pub mod maker;
pub mod par;
pub mod phrase;
pub mod pipeline;
pub mod policy;
pub mod prompts;
pub mod query;
pub mod reasoner;
pub mod roles;
pub mod run;
pub mod schema_text;
pub mod store;
pub mod toolset;
pub mod variant;
pub mod verify;
