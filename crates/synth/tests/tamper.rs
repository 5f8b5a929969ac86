//! `reverify` checks everything a record claims: every single-field edit of a kept record (its
//! rounds, domains, seed and offered tools) is reported, except the free-text wording of the
//! reasoning and of the final answer around the values it must state.

use hardgen_core::Record;
use hardgen_synth::pipeline::{GenConfig, Generator};
use hardgen_synth::verify::reverify;
use hardgen_tools::{world, World};
use serde_json::Value;

/// Every scalar leaf of `v` with its path.
fn leaves(v: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(k.clone());
                leaves(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(i.to_string());
                leaves(x, path, out);
                path.pop();
            }
        }
        other => out.push((path.clone(), other.clone())),
    }
}

fn at<'a>(v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let mut cur = v;
    for p in path {
        cur = match cur {
            Value::Object(m) => m.get_mut(p)?,
            Value::Array(a) => a.get_mut(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn edited(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Bool(b) => Value::Bool(!b),
        Value::Number(n) if n.is_u64() => Value::from(n.as_u64()? + 1),
        Value::Number(n) => Value::from(n.as_f64()? + 1.0),
        Value::String(s) => Value::String(format!("{s}x")),
        _ => return None,
    })
}

fn check_all_edits(rounds: usize) {
    let def = world::builtin().expect("built-in world");
    let cfg = GenConfig {
        seed: 11,
        rounds,
        ..GenConfig::default()
    };
    let mut g = Generator::new(def.clone(), cfg);
    let rec = (0..40).find_map(|i| g.item(i).ok()).expect("a kept record");
    let mut env = World::new(def.clone(), 0);
    let mut gold = World::new(def, 0);
    reverify(&rec, &mut env, &mut gold).expect("the record as generated verifies");
    let full = serde_json::to_value(&rec).expect("record to JSON");
    let mut all = Vec::new();
    leaves(&full, &mut Vec::new(), &mut all);
    let mut missed = Vec::new();
    let mut tried = 0;
    for (path, v) in all {
        let top = path[0].as_str();
        let free_text = path.iter().any(|p| p == "reasoning")
            || (path.len() > 1
                && path.last().is_some_and(|p| p == "content")
                && path.iter().any(|p| p == "trajectory")
                && full_role(&full, &path) == Some("assistant"));
        if free_text || top == "id" || top == "generator" || path.iter().any(|p| p == "hints") {
            continue;
        }
        if top == "tools"
            && path
                .last()
                .is_some_and(|p| p != "name" && p != "description")
        {
            continue;
        }
        let Some(nv) = edited(&v) else { continue };
        let mut e = full.clone();
        if let Some(x) = at(&mut e, &path) {
            *x = nv;
        }
        let Ok(r) = serde_json::from_value::<Record>(e) else {
            continue;
        };
        tried += 1;
        if reverify(&r, &mut env, &mut gold).is_ok() {
            missed.push(path.join("."));
        }
    }
    assert!(tried > 100, "only {tried} edits tried");
    assert!(
        missed.is_empty(),
        "{} of {tried} edits went unnoticed: {missed:?}",
        missed.len()
    );
}

/// The role of the message that holds `path` (`rounds.R.trajectory.I....`).
fn full_role<'a>(full: &'a Value, path: &[String]) -> Option<&'a str> {
    let i = path.iter().position(|p| p == "trajectory")?;
    let mut cur = full;
    for p in &path[..i + 2] {
        cur = match cur {
            Value::Object(m) => m.get(p)?,
            Value::Array(a) => a.get(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    cur.get("role")?.as_str()
}

#[test]
fn every_edit_of_a_single_round_record_is_reported() {
    check_all_edits(1);
}

#[test]
fn every_edit_of_a_multi_round_record_is_reported() {
    check_all_edits(3);
}
