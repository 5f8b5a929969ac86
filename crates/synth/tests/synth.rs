//! End-to-end offline generation on the built-in world (or `$HARDGEN_TEST_WORLD`).

use hardgen_core::Record;
use hardgen_synth::maker;
use hardgen_synth::pipeline::{GenConfig, Generator};
use hardgen_synth::reasoner::ReasonerConfig;
use hardgen_synth::verify::reverify;
use hardgen_tools::{world, Environment, World, WorldDef};
use std::collections::BTreeMap;
use std::sync::Arc;

fn def() -> Arc<WorldDef> {
    if let Ok(dir) = std::env::var("HARDGEN_TEST_WORLD") {
        return Arc::new(world::load_dir(std::path::Path::new(&dir)).expect("test world"));
    }
    world::builtin().expect("built-in world")
}

fn run(cfg: GenConfig, n: u64) -> (Vec<Record>, BTreeMap<String, usize>) {
    let mut g = Generator::new(def(), cfg);
    let mut kept = Vec::new();
    let mut rejected = BTreeMap::new();
    for i in 0..n {
        match g.item(i) {
            Ok(r) => kept.push(r),
            Err(e) => {
                *rejected
                    .entry(format!("{}:{}", e.stage, e.reason))
                    .or_insert(0) += 1
            }
        }
    }
    (kept, rejected)
}

#[test]
fn offline_generation_keeps_verified_records() {
    let (kept, rejected) = run(GenConfig::default(), 150);
    println!("kept {} rejected {rejected:?}", kept.len());
    // Redraws keep almost every item.
    assert!(
        kept.len() >= 135,
        "kept {} of 150: {rejected:?}",
        kept.len()
    );
    let mut env = World::new(def(), 0);
    let mut gold = World::new(def(), 0);
    for r in &kept {
        reverify(r, &mut env, &mut gold).unwrap_or_else(|e| panic!("{}: {e}", r.id));
        for round in &r.rounds {
            assert!(
                round.verdict.passed && round.verdict.attempts >= 1 && round.verdict.attempts <= 3
            );
            // One-call rounds exist (entry tools as targets), never a call without input.
            assert!(!round.gold.is_empty() && round.gold.len() <= 8);
            assert!(round.gold.len() > 1 || !round.external_inputs.is_empty());
            // No intermediate value in the query; every user-given input is.
            for v in hardgen_synth::query::intermediate_values_of(round) {
                assert!(
                    !round.query.to_lowercase().contains(&v.to_lowercase()) || v.len() < 3,
                    "{}: leak {v}",
                    r.id
                );
            }
        }
    }
}

#[test]
fn advanced_tools_reproduce_their_traces() {
    let (kept, _) = run(
        GenConfig {
            rounds: 2,
            ..GenConfig::default()
        },
        40,
    );
    assert!(!kept.is_empty());
    let mut env = World::new(def(), 0);
    for r in &kept {
        env.reset(r.seed);
        for round in &r.rounds {
            let outs =
                maker::execute_advanced(&round.advanced_tool, &round.external_inputs, &mut env);
            let results: Vec<_> = outs.into_iter().map(|o| o.ok()).collect();
            let gold: Vec<_> = round.gold.iter().map(|g| Some(g.result.clone())).collect();
            assert_eq!(results, gold, "{}", r.id);
        }
    }
}

#[test]
fn a_slip_is_corrected_after_a_hint() {
    // Two calls or more, so every round has a step a slip can get wrong.
    let cfg = GenConfig {
        min_calls: 2,
        reasoner: ReasonerConfig {
            error_rate: 1.0,
            hint_uptake: 1.0,
        },
        ..GenConfig::default()
    };
    let (kept, rejected) = run(cfg, 60);
    assert!(!kept.is_empty(), "{rejected:?}");
    for r in &kept {
        for round in &r.rounds {
            assert_eq!(
                round.verdict.attempts, 2,
                "{}: the first attempt always slips, the second takes the hint",
                r.id
            );
            assert!(!round.verdict.hints.is_empty());
            // Hints never carry gold values.
            for g in &round.gold {
                for v in g
                    .result
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| v.as_str().filter(|_| k.ends_with("_id")))
                {
                    for h in &round.verdict.hints {
                        assert!(!h.contains(v), "hint leaks {v}: {h}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_sample_that_never_gets_it_right_is_discarded_after_three_attempts() {
    // One draw per item, so the verifier's rejection is what the item ends with.
    let cfg = GenConfig {
        min_calls: 2,
        tries: 1,
        reasoner: ReasonerConfig {
            error_rate: 1.0,
            hint_uptake: 0.0,
        },
        ..GenConfig::default()
    };
    let (kept, rejected) = run(cfg, 30);
    // A slip can be harmless (guessing a value that happens to exist is rare but possible).
    assert!(kept.len() <= 2, "kept {}", kept.len());
    assert!(
        rejected
            .get("verifier:failed_attempts")
            .copied()
            .unwrap_or(0)
            > 0,
        "{rejected:?}"
    );
}

#[test]
#[ignore = "prints one record"]
fn show_one() {
    let (kept, _) = run(
        GenConfig {
            rounds: 2,
            ..GenConfig::default()
        },
        10,
    );
    println!(
        "{}",
        serde_json::to_string_pretty(&kept[0]).unwrap_or_default()
    );
}

#[test]
fn generated_rounds_are_grounded_and_an_unseen_argument_is_not() {
    use hardgen_synth::ground::ungrounded_rounds;
    let (kept, _) = run(
        GenConfig {
            rounds: 2,
            ..GenConfig::default()
        },
        30,
    );
    assert!(!kept.is_empty());
    for r in &kept {
        assert_eq!(ungrounded_rounds(r), 0, "{}", r.id);
    }
    let mut r = kept[0].clone();
    if let Some(g) = r.rounds[0].gold.first_mut() {
        g.arguments
            .insert("extra".into(), "nowhere-in-the-conversation".into());
    }
    assert_eq!(ungrounded_rounds(&r), 1);
}

#[test]
fn summary_counts_bigrams_openings_targets_and_rejections() {
    use hardgen_synth::run::Summary;
    let (kept, _) = run(GenConfig::default(), 20);
    assert!(kept.len() >= 2);
    let mut a = kept[0].clone();
    a.rounds[0].query = "Please find the open ticket. Please find it".into();
    let mut b = kept[1].clone();
    b.rounds[0].query = "please find the open loan".into();
    let mut s = Summary::default();
    s.add_record(&a);
    s.add_record(&b);
    // Bigrams: 7 + 4 = 11; distinct: please find, find the, the open, open ticket, ticket please,
    // find it, open loan = 7.
    assert!((s.distinct_bigram_ratio - 7.0 / 11.0).abs() < 1e-12);
    assert!((s.top_opening_share - 1.0).abs() < 1e-12, "one opening");
    let targets: std::collections::BTreeSet<&str> = [&a, &b]
        .iter()
        .map(|r| r.rounds[0].target.as_str())
        .collect();
    assert_eq!(s.targets_covered, targets.len());
    let long = [&a, &b]
        .iter()
        .filter(|r| r.rounds[0].gold.len() >= 3)
        .count();
    assert!((s.share_3plus - long as f64 / 2.0).abs() < 1e-12);
    assert_eq!(s.length_histogram, s.trace_lengths);
    s.add_rejection(&hardgen_core::Rejection {
        id: "x".into(),
        stage: hardgen_core::Stage::Dedup,
        reason: hardgen_core::Reason::Duplicate,
        detail: String::new(),
        variant: "standard".into(),
    });
    assert_eq!(s.rejections["dedup"]["duplicate"], 1);
    assert_eq!(s.rejected["dedup:duplicate"], 1);
    let v = serde_json::to_value(&s).expect("json");
    for k in [
        "mean_calls",
        "share_3plus",
        "length_histogram",
        "targets_covered",
        "distinct_bigram_ratio",
        "top_opening_share",
        "ungrounded",
        "rejections",
    ] {
        assert!(v.get(k).is_some(), "{k} missing");
    }
}

#[test]
fn the_oracle_policy_solves_more_than_the_baseline_and_neither_sees_the_gold() {
    use hardgen_synth::policy::{solves, PolicyKind};
    let (kept, _) = run(GenConfig::default(), 200);
    let mut env = World::new(def(), 0);
    let (mut oracle, mut baseline, mut rounds) = (0, 0, 0);
    for rec in &kept {
        for r in 0..rec.rounds.len() {
            rounds += 1;
            oracle += usize::from(solves(PolicyKind::Oracle, rec, r, &mut env));
            baseline += usize::from(solves(PolicyKind::Baseline, rec, r, &mut env));
        }
    }
    println!("rounds {rounds}: oracle {oracle}, baseline {baseline}");
    // The baseline never plans a lookup, so it fails wherever a value is implicit; the oracle
    // plans them. Both read only the request, the tools and their own results.
    // (The gold searches lists by the attributes the user states; the heuristic oracle finds
    // those values in the request less often than it planned lookups: about 1 in 6, measured
    // over 200 items so that a change in what is drawn does not swing it much.)
    assert!(oracle * 8 >= rounds, "oracle {oracle} of {rounds}");
    assert!(
        baseline * 2 < oracle,
        "baseline {baseline}, oracle {oracle}"
    );
    let implicit = kept
        .iter()
        .flat_map(|r| r.rounds.iter())
        .filter(|r| r.gold.len() > 1)
        .count();
    assert!(implicit > 0);
}
