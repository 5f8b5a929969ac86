//! Benchmarks of the graph stage: building the API graph of the whole built-in world, and
//! sampled-and-executed calls per second (criterion reports elements/s = calls/s, one core).
//! Run with `cargo bench -p hardgen-graph --bench sampler`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hardgen_graph::{ApiGraph, GraphConfig, Sampler, SamplerConfig};
use hardgen_tools::{builtin, World};
use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let def = match builtin() {
        Ok(d) => d,
        Err(e) => panic!("built-in world: {e}"),
    };
    c.bench_function("graph_build/builtin_world", |b| {
        b.iter(|| {
            black_box(ApiGraph::from_specs(
                black_box(&def.specs),
                GraphConfig::default(),
            ))
        })
    });

    let graph = ApiGraph::from_specs(&def.specs, GraphConfig::default());
    let mut sampler = Sampler::new(graph, SamplerConfig::default());
    let mut world = World::new(def.clone(), 1);
    let pools = sampler.harvest(&mut world, 1);
    sampler.set_pools(pools);
    const TRACES: u64 = 200;
    let run = |world: &mut World| -> usize {
        (0..TRACES)
            .map(|i| {
                let mut rng = ChaCha8Rng::seed_from_u64(i);
                sampler
                    .sample(world, 1, String::new(), &[], &mut rng)
                    .calls
                    .len()
            })
            .sum()
    };
    let calls = run(&mut world);
    println!("{TRACES} traces = {calls} executed calls per iteration");
    let mut g = c.benchmark_group("sample_and_execute");
    g.throughput(Throughput::Elements(calls as u64));
    g.bench_function("200_traces", |b| b.iter(|| black_box(run(&mut world))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
