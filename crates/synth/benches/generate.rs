//! Verified samples per second, offline, one core: the whole pipeline per item (sample and
//! execute a trace, make the advanced tool, write and check the query, run reasoner and verifier).
//! Run with `cargo bench -p hardgen-synth --bench generate`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hardgen_synth::pipeline::{GenConfig, Generator};
use hardgen_tools::builtin;
use std::hint::black_box;

// The `hardgen` binary uses mimalloc too: generation allocates many small JSON values.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let def = match builtin() {
        Ok(d) => d,
        Err(e) => panic!("built-in world: {e}"),
    };
    let mut g = Generator::new(def, GenConfig::default());
    const ITEMS: u64 = 500;
    let kept = (0..ITEMS).filter(|&i| g.item(i).is_ok()).count();
    println!("{ITEMS} items -> {kept} verified samples per iteration");
    let mut grp = c.benchmark_group("generate");
    grp.throughput(Throughput::Elements(kept as u64));
    grp.sample_size(10);
    grp.bench_function("verified_samples", |b| {
        b.iter(|| black_box((0..ITEMS).filter(|&i| g.item(i).is_ok()).count()))
    });
    grp.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
