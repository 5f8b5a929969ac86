//! Graph and sampler tests on the built-in world (or `$HARDGEN_TEST_WORLD`).

use hardgen_graph::legality::{check_legal, replay_mismatches};
use hardgen_graph::score::{edge_diff, score_edges};
use hardgen_graph::{ApiGraph, GraphConfig, Sampler, SamplerConfig};
use hardgen_tools::{world, World, WorldDef};
use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;
use std::sync::Arc;

fn def() -> Arc<WorldDef> {
    if let Ok(dir) = std::env::var("HARDGEN_TEST_WORLD") {
        return Arc::new(world::load_dir(std::path::Path::new(&dir)).expect("test world"));
    }
    world::builtin().expect("built-in world")
}

#[test]
fn schema_graph_matches_declared_dependencies() {
    let d = def();
    let g = ApiGraph::from_specs(&d.specs, GraphConfig::default());
    let truth = d.dependencies();
    let s = score_edges(&g, &truth);
    println!(
        "precision {:.3} recall {:.3} ({} predicted, {} true)",
        s.precision, s.recall, s.predicted, s.actual
    );
    let (fp, fneg) = edge_diff(&g, &truth);
    for x in fp.iter().take(15) {
        println!("FP {x}");
    }
    for x in fneg.iter().take(15) {
        println!("FN {x}");
    }
    assert!(
        s.precision >= 0.99 && s.recall >= 0.99,
        "precision {} recall {}",
        s.precision,
        s.recall
    );
}

fn sampler(rounds: usize) -> (Sampler, World) {
    sampler_with(SamplerConfig {
        rounds,
        ..SamplerConfig::default()
    })
}

fn sampler_with(cfg: SamplerConfig) -> (Sampler, World) {
    let d = def();
    let g = ApiGraph::from_specs(&d.specs, GraphConfig::default());
    let mut s = Sampler::new(g, cfg);
    let mut w = World::new(d, 1);
    let pools = s.harvest(&mut w, 1);
    s.set_pools(pools);
    (s, w)
}

#[test]
fn sampled_traces_are_legal_replayable_and_long_enough() {
    // Twelve calls and five tries per tool: the world's necessary chains reach 6 calls, and
    // detours around business rules (a frozen account, a return not yet approved) need room.
    let (s, mut w) = sampler_with(SamplerConfig {
        max_calls: 12,
        max_failures_per_tool: 5,
        ..SamplerConfig::default()
    });
    let mut total = 0;
    let mut reached = 0;
    let mut independent = 0;
    let n = 300usize;
    for i in 0..n {
        let mut rng = ChaCha8Rng::seed_from_u64(i as u64);
        let t = s.sample(&mut w, 1, format!("t{i}"), &[], &mut rng);
        if let Err(e) = check_legal(s.graph(), &t) {
            panic!(
                "trace {i} illegal: {e}\n{}",
                serde_json::to_string_pretty(&t).unwrap_or_default()
            );
        }
        let mut fresh = World::new(def(), 0);
        assert!(
            replay_mismatches(&mut fresh, &t).is_empty(),
            "trace {i} does not replay"
        );
        total += t.calls.len();
        reached += usize::from(t.reached.iter().all(|r| *r));
        // One item never fills two roles of a call (a contact merged into itself).
        for c in &t.calls {
            let ids: Vec<&serde_json::Value> = c
                .arguments
                .iter()
                .filter(|(p, _)| c.provenance.get(*p).is_some_and(|x| x.starts_with("step")))
                .map(|(_, v)| v)
                .collect();
            let distinct: std::collections::BTreeSet<String> =
                ids.iter().map(|v| v.to_string()).collect();
            assert_eq!(
                distinct.len(),
                ids.len(),
                "trace {i}: {} takes one item twice: {:?}",
                c.name,
                c.arguments
            );
        }

        independent += t
            .calls
            .iter()
            .skip(1)
            .filter(|c| c.depends_on.is_empty())
            .count();
    }
    let mean = total as f64 / n as f64;
    println!("mean calls {mean:.2}, reached {reached}/{n}, independent calls {independent}");
    assert!(mean >= 3.0, "mean trace length {mean}");
    // 70%: the 23-domain world has more state rules (an order not yet delivered, a pet already
    // registered) that a blind trace can hit; it reached 229/300 when the bar was set.
    assert!(reached * 10 >= n * 7, "reached {reached}/{n}");
    assert!(independent > 0);
}

#[test]
fn sampler_reaches_every_target_the_graph_can_reach() {
    // Room for detours (an account without cards, a frozen account) so only the graph decides;
    // every optional filter may be drawn, as some states are only found through one.
    let (s, mut w) = sampler_with(SamplerConfig {
        max_calls: 24,
        max_failures_per_tool: 8,
        max_optional: usize::MAX,
        ..SamplerConfig::default()
    });
    let depths = s.depths().to_vec();
    let mut unreachable = Vec::new();
    // Every attempt starts from the same world, so earlier targets' changes (bags loaded,
    // cards used up) cannot decide whether a later target is reached.
    let start = w.snapshot();
    for (t, d) in depths.iter().enumerate() {
        if d.is_some() && !s.reachable(t) {
            unreachable.push(s.graph().nodes[t].name.clone());
        }
        let name = &s.graph().nodes[t].name;
        // Business rules (a frozen account, a copy already on loan) can defeat one attempt; the
        // graph decides whether some attempt gets to call the target.
        let called = (0..16u64).any(|k| {
            w.restore(&start);
            let mut rng = ChaCha8Rng::seed_from_u64(k * 7919 + t as u64);
            let tr = s.sample(&mut w, 1, format!("r{t}"), &[t], &mut rng);
            tr.calls.iter().any(|c| &c.name == name)
        });
        match d {
            Some(_) if !s.reachable(t) => {}
            Some(_) => assert!(called, "target {name} (depth {d:?}) was never called"),
            None => assert!(!called, "target {name} has no path, yet was called"),
        }
    }
    // Literal inputs come from value pools; every tool of the world must be fillable.
    assert!(
        unreachable.is_empty(),
        "tools whose literal inputs no pool can fill: {unreachable:?}"
    );
}

#[test]
fn a_target_that_says_nothing_is_called_again_on_another_input() {
    use hardgen_graph::sampler::empty_result;
    let (s, mut w) = sampler_with(SamplerConfig {
        max_calls: 12,
        max_failures_per_tool: 5,
        ..SamplerConfig::default()
    });
    let start = w.snapshot();
    let (mut kept_empty, mut recovered, mut searches) = (0, 0, 0);
    // Rarely non-empty in the world: most accounts count no failed logins, most new files
    // have no versions yet.
    let names = [
        "count_failed_attempts",
        "average_interview_score",
        "total_folder_storage",
        "list_file_versions",
        "list_slot_visits",
        "list_file_share_links",
        "list_lesson_submissions",
        "list_application_offers",
    ];
    for name in names {
        let Some(t) = s.graph().nodes.iter().position(|n| n.name == name) else {
            continue;
        };
        for k in 0..20u64 {
            w.restore(&start);
            let mut rng = ChaCha8Rng::seed_from_u64(k);
            let tr = s.sample(&mut w, 1, format!("e{k}"), &[t], &mut rng);
            let over_nothing =
                |c: &hardgen_core::TraceCall| c.result.as_ref().is_some_and(empty_result);
            let mut runs: Vec<_> = tr
                .calls
                .iter()
                .filter(|c| c.name == name && c.result.is_some())
                .collect();
            // Calls after the first real figure are the trace's free tail, not retries.
            if let Some(i) = runs.iter().position(|c| !over_nothing(c)) {
                runs.truncate(i + 1);
            }
            let Some(last) = runs.last() else { continue };
            for pair in runs.windows(2) {
                assert_ne!(
                    pair[0].arguments, pair[1].arguments,
                    "{name} repeated its input"
                );
            }
            let empty = over_nothing(last);
            kept_empty += usize::from(empty);
            recovered += usize::from(!empty && runs.len() > 1);
            searches += usize::from(!empty && runs.len() > 1 && name.starts_with("list_"));
        }
    }
    assert!(
        recovered > 0,
        "no empty figure was ever replaced by a real one"
    );
    assert!(
        searches > 0,
        "no empty search was ever replaced by one that found something"
    );
    println!("kept empty {kept_empty}, recovered {recovered} ({searches} searches)");
}

#[test]
#[ignore = "diagnostic: prints why targets were not reached"]
fn diagnose_unreached() {
    let (s, mut w) = sampler(1);
    for i in 0..300u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(i);
        let t = s.sample(&mut w, 1, format!("t{i}"), &[], &mut rng);
        if !t.calls.iter().any(|c| c.name == t.targets[0]) {
            let last = t.calls.iter().rev().find(|c| c.name == t.targets[0]);
            println!(
                "{} calls={} last_target_err={:?} seq={:?}",
                t.targets[0],
                t.calls.len(),
                last.and_then(|c| c.error.as_ref().map(|e| e.to_string())),
                t.calls
                    .iter()
                    .map(|c| (c.name.as_str(), c.error.as_ref().map(|e| e.kind())))
                    .collect::<Vec<_>>()
            );
        }
    }
}

fn shared_sampler() -> &'static Sampler {
    static S: std::sync::OnceLock<Sampler> = std::sync::OnceLock::new();
    S.get_or_init(|| sampler(3).0)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Any seed, any number of rounds: the trace is legal and replays to the same results.
    #[test]
    fn any_trace_is_legal_and_replays(seed in proptest::prelude::any::<u64>(), world_seed in 0u64..4) {
        let s = shared_sampler();
        let mut w = World::new(def(), world_seed);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let t = s.sample(&mut w, world_seed, "p".into(), &[], &mut rng);
        proptest::prop_assert!(check_legal(s.graph(), &t).is_ok(), "{:?}", check_legal(s.graph(), &t));
        let mut fresh = World::new(def(), 0);
        proptest::prop_assert!(replay_mismatches(&mut fresh, &t).is_empty());
    }
}

#[test]
fn targets_fed_by_producers_are_downstream_of_them() {
    let (s, _) = sampler(1);
    let g = s.graph();
    let n = g.nodes.len();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    // Nothing marked: no target.
    assert_eq!(s.pick_target_fed_by(&mut rng, &vec![false; n]), None);
    // One producer: every pick consumes its value directly or through one tool in between.
    let from = g.edges[0].from;
    let mut producers = vec![false; n];
    producers[from] = true;
    let direct: Vec<usize> = g
        .edges
        .iter()
        .filter(|e| e.from == from)
        .map(|e| e.to)
        .collect();
    let mut via_one = false;
    for _ in 0..200 {
        let t = s
            .pick_target_fed_by(&mut rng, &producers)
            .expect("a target downstream of the producer");
        let near = direct.contains(&t)
            || g.edges
                .iter()
                .any(|e| e.to == t && direct.contains(&e.from));
        assert!(
            near,
            "{} is not downstream of {}",
            g.nodes[t].name, g.nodes[from].name
        );
        via_one |= !direct.contains(&t);
    }
    assert!(via_one, "no pick two hops away in 200 draws");
}

#[test]
fn credential_issuers_are_seldom_targets() {
    // A tool whose token other tools take ("authorize_*") is a means: with share 0 it is never
    // the target, with share 1 it is drawn like any other tool.
    let issuers = |share: f64| {
        let (s, _) = sampler_with(SamplerConfig {
            issuer_target_share: share,
            ..SamplerConfig::default()
        });
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        (0..400)
            .filter_map(|k| s.pick_target_deeper_than(&mut rng, k % 6))
            .filter(|&t| s.graph().nodes[t].name.starts_with("authorize"))
            .count()
    };
    assert_eq!(issuers(0.0), 0);
    // (A test world without authorizations has nothing more to show.)
    if def().specs.iter().any(|s| s.name.starts_with("authorize")) {
        assert!(issuers(1.0) > 10, "{}", issuers(1.0));
    }
}
