//! Placeholder; replaced by the checker throughput bench.
fn main() {}
