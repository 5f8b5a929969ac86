//! Scores the built-in policies on a generated directory: `cargo run --release --example
//! policy_eval -p hardgen-synth -- DIR [verbose]` (verbose shows the oracle's failed rounds).
use hardgen_synth::policy::{run_record_round, solves, PolicyKind};
use hardgen_tools::world::World;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let verbose = args.next().is_some();
    let def = hardgen_tools::world::builtin().expect("world");
    let mut env = World::new(def, 0);
    let (mut n, mut o, mut b) = (0, 0, 0);
    hardgen_synth::run::read_records(&dir, |rec| {
        for r in 0..rec.rounds.len() {
            n += 1;
            let solved = solves(PolicyKind::Oracle, &rec, r, &mut env);
            o += usize::from(solved);
            b += usize::from(solves(PolicyKind::Baseline, &rec, r, &mut env));
            if verbose && !solved {
                let round = &rec.rounds[r];
                println!("\n== {} r{r}: {}", rec.id, round.query);
                for g in &round.gold {
                    println!(
                        "  gold {}({})",
                        g.name,
                        serde_json::Value::Object(g.arguments.clone())
                    );
                }
                let (calls, answer) = run_record_round(PolicyKind::Oracle, &rec, r, &mut env);
                for c in calls {
                    let res = c.result.to_string();
                    let cut = res.char_indices().nth(100).map_or(res.len(), |(i, _)| i);
                    println!(
                        "  made {}({}) -> {}",
                        c.name,
                        serde_json::Value::Object(c.arguments),
                        &res[..cut]
                    );
                }
                println!("  answer: {answer}");
            }
        }
        Ok(())
    })
    .expect("read");
    let pct = |k: usize| 100.0 * k as f64 / n.max(1) as f64;
    println!(
        "rounds {n}: oracle {o} ({:.1}%), baseline {b} ({:.1}%)",
        pct(o),
        pct(b)
    );
}
