//! What the run store costs per sample: `run::generate_with` on one core, writing records, with
//! and without the store (every item's outcome committed to SQLite in the run directory).
//! Run with `cargo bench -p hardgen-synth --bench store`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hardgen_synth::pipeline::GenConfig;
use hardgen_synth::run::{self, EncodeFn, Encoded, RunConfig, RunError, Sink, Summary};
use hardgen_synth::store::Store;
use hardgen_tools::builtin;
use std::path::PathBuf;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// No exports: the bench measures generation and the store.
struct NoExport;

impl Sink for NoExport {
    fn encoder(&self) -> EncodeFn {
        Box::new(|_| Ok(Box::new(()) as Encoded))
    }
    fn write(&mut self, _: &hardgen_core::Record, _: Encoded) -> Result<(), RunError> {
        Ok(())
    }
    fn finish(self: Box<Self>, _: &Summary) -> Result<Vec<PathBuf>, RunError> {
        Ok(Vec::new())
    }
}

fn bench(c: &mut Criterion) {
    let def = match builtin() {
        Ok(d) => d,
        Err(e) => panic!("built-in world: {e}"),
    };
    const ITEMS: u64 = 1000;
    let cfg = RunConfig {
        world: None,
        n: ITEMS,
        gen: GenConfig::default(),
        formats: Vec::new(),
        split_turns: false,
        think_inline: false,
        llm: Vec::new(),
        max_cost: None,
        tools: Vec::new(),
    };
    let mut grp = c.benchmark_group("run");
    grp.throughput(Throughput::Elements(ITEMS));
    grp.sample_size(10);
    for with_store in [false, true] {
        let name = if with_store {
            "with_store"
        } else {
            "without_store"
        };
        grp.bench_function(name, |b| {
            b.iter(|| {
                let dir = tempfile::tempdir().expect("tmp");
                let store = with_store.then(|| Store::open(dir.path()).expect("store"));
                run::generate_with(
                    def.clone(),
                    &cfg,
                    1,
                    dir.path(),
                    Box::new(NoExport),
                    &mut |_, _| {},
                    Default::default(),
                    store.as_ref(),
                )
                .expect("run")
            })
        });
    }
    // The store alone: the same 1000 outcomes (real records, serialized) put as a run does.
    let mut g = hardgen_synth::pipeline::Generator::new(def.clone(), GenConfig::default());
    let lines: Vec<(bool, String)> = (0..ITEMS)
        .map(|i| match g.item(i) {
            Ok(r) => (true, serde_json::to_string(&r).expect("record")),
            Err(j) => (false, serde_json::to_string(&j).expect("rejection")),
        })
        .collect();
    grp.bench_function("store_puts_only", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().expect("tmp");
            let st = Store::open(dir.path()).expect("store");
            for (i, (kept, text)) in lines.iter().enumerate() {
                if i % 64 == 0 {
                    st.begin().expect("begin");
                }
                st.put_item("generate", i as u64, *kept, text).expect("put");
                if i % 64 == 63 || i + 1 == lines.len() {
                    st.commit().expect("commit");
                }
            }
        })
    });
    grp.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
