//! Every sentence plan renders grammatically with the action of every tool of the built-in world
//! (so every operation kind), and a generation run never writes an ungrammatical query.

use hardgen_synth::pipeline::{GenConfig, Generator};
use hardgen_synth::query::{action, grammar_problems, leads, plans, render};
use hardgen_synth::roles::rewrite_problem;
use hardgen_tools::world;

#[test]
fn every_plan_with_every_tool_action_is_grammatical() {
    let def = world::builtin().expect("built-in world");
    let n = plans().count();
    let mut bad = Vec::new();
    for spec in &def.specs {
        let a = action(spec);
        assert!(!a.is_empty(), "{}: empty action", spec.name);
        for k in 0..n {
            let q = render(k, &a);
            let p = grammar_problems(&q);
            if !p.is_empty() {
                bad.push(format!("{}: {q} -> {p:?}", spec.name));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} ungrammatical renderings: {:?}",
        bad.len(),
        &bad[..bad.len().min(10)]
    );
}

#[test]
fn the_grammar_check_catches_broken_sentences() {
    for q in [
        "Can you the highest meter value recorded for a supply point?",
        "Could you highest the meter reading?",
        "please list the cards.",
        "List the the cards.",
        "Show a incident report.",
        "Find the tariff with an unit price of 0.3.",
        "Could you list the cards",
        "Please {a}.",
        "Please list the cards , now.",
        "Book the stay, using that same stay quote as the stay quote.",
    ] {
        assert!(!grammar_problems(q).is_empty(), "not caught: {q}");
    }
    assert!(grammar_problems("Please list the cards of the account named Travel fund.").is_empty());
    assert!(grammar_problems("Move 20, using the Gift account as the to account.").is_empty());
}

#[test]
fn generated_queries_are_grammatical() {
    let def = world::builtin().expect("built-in world");
    let cfg = GenConfig {
        seed: 4,
        world_seeds: 2,
        ..GenConfig::default()
    };
    let mut g = Generator::new(def, cfg);
    let mut kept = 0;
    let mut hoisted = 0;
    for i in 0..150 {
        match g.item(i) {
            Ok(r) => {
                kept += 1;
                for round in &r.rounds {
                    // A long chain's deepest item said first ("It concerns the course X.")
                    // is referred to later as "that course", never as "that same".
                    if let Some((np, rest)) = leads().iter().find_map(|l| {
                        let (pre, post) = l.split_once("{np}")?;
                        let np = round.query.strip_prefix(pre)?.split_once(post)?.0;
                        let rest = &round.query[pre.len() + np.len()..];
                        // A lead comes before the request; "Find the drive X." alone is the
                        // request itself.
                        (rest.len() > post.len()).then_some((np, rest))
                    }) {
                        hoisted += 1;
                        assert!(!np.contains("that same"), "{}: {}", r.id, round.query);
                        // "the blocked card ..." is "that card": one of the first words.
                        let mut head = np.split(' ').skip(1).take(3);
                        assert!(
                            head.any(|w| rest.contains(&format!("that {w}"))),
                            "{}: {}",
                            r.id,
                            round.query
                        );
                    }
                    let p = grammar_problems(&round.query);
                    assert!(p.is_empty(), "{}: {} -> {p:?}", r.id, round.query);
                    // A model that returned the draft unchanged passes the rewrite checks.
                    let q = &round.query;
                    assert_eq!(rewrite_problem(q, q), None, "{}: {q}", r.id);
                }
            }
            Err(e) => assert_ne!(e.reason, "ungrammatical", "{}: {}", e.id, e.detail),
        }
    }
    assert!(kept > 100, "kept {kept} of 150");
    assert!(hoisted > 0, "no long query had its deepest item said first");
}

#[test]
fn the_item_a_call_changes_is_its_object_and_the_new_value_follows_to() {
    // Targets whose inputs are two items: the one the call acts on (the parcel, the
    // membership) and where it goes (a depot, another membership's plan).
    let def = world::builtin().expect("built-in world");
    let cfg = GenConfig {
        seed: 5,
        world_seeds: 2,
        ..GenConfig::default()
    };
    let mut g = Generator::new(def, cfg);
    let weights: std::collections::BTreeMap<String, f64> = [
        ("redirect_parcel".to_string(), 1.0),
        ("change_gym_plan".to_string(), 1.0),
    ]
    .into();
    g.set_weights(&weights, Some(0.0));
    let mut seen = 0;
    for i in 0..30 {
        let Ok(r) = g.item(i) else { continue };
        for round in &r.rounds {
            let q = round.query.to_lowercase();
            match round.gold.last().map(|c| c.name.as_str()) {
                Some("redirect_parcel") => {
                    seen += 1;
                    // "to the depot X" or a depot named by its name ("to the steelworks
                    // depot").
                    assert!(
                        q.contains(" to the depot")
                            || (q.contains(" to the ") && q.contains(" depot")),
                        "{q}"
                    );
                    assert!(!q.contains("with the parcel"), "{q}");
                }
                Some("change_gym_plan") => {
                    seen += 1;
                    assert!(q.contains("change the gym plan for the"), "{q}");
                    // "to the gym plan of ...", or a plan found by its name: "to the
                    // concession gym plan" (never "using the concession gym plan").
                    assert!(
                        q.contains(" to the gym plan ")
                            || (q.contains(" gym plan")
                                && q.contains(" to the ")
                                && !q.contains("using the")),
                        "{q}"
                    );
                }
                _ => {}
            }
        }
    }
    assert!(seen >= 5, "only {seen} rounds aimed at the two tools");
}
