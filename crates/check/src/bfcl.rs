//! BFCL-compatible AST checker (in progress).
