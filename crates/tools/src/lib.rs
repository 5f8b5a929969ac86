//! Tool environments for hardgen: the `Environment` contract, argument validation, spec import,
//! and the executable built-in world.

pub mod env;
pub mod import;
pub mod infer;
pub mod mcp;
pub mod sim;
pub mod source;
pub mod validate;
pub mod world;

pub use env::{AnyEnv, Environment};
pub use world::{builtin, Dependency, Snapshot, World, WorldDef, WorldError, WorldStats};
