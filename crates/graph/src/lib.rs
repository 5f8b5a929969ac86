//! API graph G = (T, D, P) and legal, directed hard-trace sampling.

pub mod graph;
pub mod schema;

pub use graph::{ApiGraph, Constraint, Edge, GraphConfig, Node};
pub mod legality;
pub mod sampler;

pub use sampler::{Pools, Sampler, SamplerConfig};
pub mod render;
pub mod score;
