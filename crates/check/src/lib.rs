//! Checkers shared by the verifier, evaluation and (later) the reward: a BFCL-compatible AST
//! checker with BFCL's file formats, and the multi-turn end-state checker.

pub mod bfcl;
pub mod multi_turn;
