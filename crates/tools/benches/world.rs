//! Benchmarks of the built-in world: one validated call, reset, snapshot/restore.
//! Run with `cargo bench -p hardgen-tools --bench world`.

use criterion::{criterion_group, criterion_main, Criterion};
use hardgen_core::ToolCall;
use hardgen_tools::{builtin, Environment, World};
use serde_json::json;
use std::hint::black_box;

fn world() -> World {
    match builtin() {
        Ok(def) => World::new(def, 1),
        Err(e) => panic!("built-in world: {e}"),
    }
}

fn bench(c: &mut Criterion) {
    let mut w = world();
    let get = ToolCall::new("get_account", json!({"account_id": "BKA-1003"}));
    let _ = w.execute(&get);
    c.bench_function("validated_call/get_account", |b| {
        b.iter(|| black_box(w.execute(black_box(&get))))
    });
    let search = ToolCall::new(
        "list_transactions",
        json!({"account_id": "BKA-1003", "category": "dining"}),
    );
    let _ = w.execute(&search);
    c.bench_function("validated_call/list_transactions", |b| {
        b.iter(|| black_box(w.execute(black_box(&search))))
    });
    let bad = ToolCall::new("get_account", json!({"account_id": 12}));
    c.bench_function("validated_call/rejected_arguments", |b| {
        b.iter(|| black_box(w.execute(black_box(&bad))))
    });

    let mut seed = 0u64;
    c.bench_function("reset", |b| {
        b.iter(|| {
            seed += 1;
            w.reset(black_box(seed));
        })
    });
    c.bench_function("reset_then_first_call", |b| {
        b.iter(|| {
            seed += 1;
            w.reset(seed);
            black_box(w.execute(&get))
        })
    });
    let ncoll = w.def().colls.len();
    c.bench_function("reset_and_materialize_every_table", |b| {
        b.iter(|| {
            seed += 1;
            w.reset(seed);
            for ci in 0..ncoll {
                black_box(w.table(ci).rows().len());
            }
        })
    });

    w.reset(9);
    for ci in 0..ncoll {
        w.table(ci);
    }
    let snap = w.snapshot();
    c.bench_function("snapshot", |b| b.iter(|| black_box(w.snapshot())));
    c.bench_function("restore", |b| b.iter(|| w.restore(black_box(&snap))));
    c.bench_function("digest", |b| b.iter(|| black_box(w.digest())));
}

criterion_group!(benches, bench);
criterion_main!(benches);
