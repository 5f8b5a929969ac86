//! Scores the built-in policies on a generated directory: `cargo run --release --example
//! policy_eval -p hardgen-synth -- DIR [verbose]`.
use hardgen_synth::policy::{run_round, solves, PolicyKind, ToolView};
use hardgen_tools::world::World;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let verbose = args.next().is_some();
    let def = hardgen_tools::world::builtin().expect("world");
    let mut env = World::new(def, 0);
    let mut n = 0;
    let (mut o, mut b) = (0, 0);
    hardgen_synth::run::read_records(&dir, |rec| {
        for r in 0..rec.rounds.len() {
            n += 1;
            let os = solves(PolicyKind::Oracle, &rec, r, &mut env);
            o += usize::from(os);
            b += usize::from(solves(PolicyKind::Baseline, &rec, r, &mut env));
            if verbose && !os {
                let tools: Vec<ToolView> = rec
                    .tools
                    .iter()
                    .filter_map(|t| ToolView::from_openai(&t.to_openai_plain()))
                    .collect();
                let _ = solves(PolicyKind::Oracle, &rec, r, &mut env);
                env_reset_and_show(&rec, r, &tools, &mut env);
            }
        }
        Ok(())
    })
    .expect("read");
    println!(
        "rounds {n}: oracle {o} ({:.1}%), baseline {b} ({:.1}%)",
        100.0 * o as f64 / n as f64,
        100.0 * b as f64 / n as f64
    );
}

fn env_reset_and_show(rec: &hardgen_core::Record, r: usize, tools: &[ToolView], env: &mut World) {
    use hardgen_tools::Environment;
    env.reset(rec.seed);
    for earlier in &rec.rounds[..r] {
        for g in &earlier.gold {
            let _ = env.execute(&hardgen_core::ToolCall {
                name: g.name.clone(),
                arguments: g.arguments.clone(),
            });
        }
    }
    let round = &rec.rounds[r];
    println!("\n== {} r{r}: {}", rec.id, round.query);
    for g in &round.gold {
        println!(
            "  gold {}({})",
            g.name,
            serde_json::Value::Object(g.arguments.clone())
        );
    }
    let (calls, ans) = run_round(PolicyKind::Oracle, &round.query, tools, env);
    for c in calls {
        let res = c.result.to_string();
        println!(
            "  made {}({}) -> {}",
            c.name,
            serde_json::Value::Object(c.arguments.clone()),
            &res[..res.len().min(100)]
        );
    }
    println!("  answer: {ans}");
}
