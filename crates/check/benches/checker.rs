//! Throughput of the BFCL AST checker over a generated mix of 100k cases (simple, multiple,
//! parallel; strings, numbers, lists, dicts; raw prompting text and decoded outputs).
//!
//! Two paths are measured, each per case and per call:
//! - `prepared_*`: the realistic path, model outputs checked against questions prepared once
//!   ([`Prepared::new`] outside the timed loop: descriptions and ground truth converted once),
//!   judged with [`Prepared::judge`] (no per-entry copy of the id and category);
//! - `full_*`: [`check_entry`], which also converts the question's JSON on every entry.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hardgen_check::bfcl::{check_entry, CheckOptions, Prepared};
use serde_json::{json, Value};
use std::hint::black_box;

// As in the CLI: the checker allocates many small values, and glibc's allocator degrades on
// the large heap this bench builds.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One generated case. Its function descriptions are shared with the other cases (they are
/// the same three descriptions): copying them per case made the bench's heap ~1 GB larger
/// than the data it checks, which only slowed down its construction (the prepared path does
/// not read the JSON descriptions; the full path reads them once per entry).
struct Case {
    id: String,
    functions: std::rc::Rc<Vec<Value>>,
    truth: Value,
    result: Value,
}

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const CITIES: [&str; 6] = [
    "Paris",
    "New York, NY",
    "Berkeley",
    "San Francisco",
    "Tokyo",
    "Rome",
];

fn doc(name: &str) -> Value {
    json!({"name": name, "description": "d", "parameters": {"type": "dict", "properties": {
        "city": {"type": "string", "description": "c"},
        "days": {"type": "integer", "description": "n"},
        "temp": {"type": "float", "description": "t"},
        "tags": {"type": "array", "items": {"type": "string"}, "description": "t"},
        "opts": {"type": "dict", "properties": {}, "description": "o"}
    }, "required": ["city", "days"]}})
}

fn make_cases(n: usize) -> (Vec<Case>, u64) {
    let mut rng = Lcg(42);
    let mut cases = Vec::with_capacity(n);
    let mut calls = 0u64;
    let docs = std::rc::Rc::new(
        (0..3)
            .map(|f| doc(&format!("api_{f}.get_weather")))
            .collect::<Vec<Value>>(),
    );
    for i in 0..n {
        let kind = rng.below(3);
        let (cat, k) = match kind {
            0 => ("simple_python", 1),
            1 => ("multiple", 1),
            _ => ("parallel", 2 + rng.below(2) as usize),
        };
        let functions = docs.clone();
        let mut truth = Vec::new();
        let mut texts = Vec::new();
        let mut decoded = Vec::new();
        for _ in 0..k {
            let f = if kind == 1 { rng.below(3) } else { 0 };
            let name = format!("api_{f}.get_weather");
            let city = CITIES[rng.below(CITIES.len() as u64) as usize];
            let days = rng.below(10) as i64;
            let temp = rng.below(400) as f64 / 10.0;
            let wrong = rng.below(5) == 0;
            truth.push(json!({name.clone(): {
                "city": [city, city.to_lowercase()], "days": [days], "temp": [temp, ""],
                "tags": [["a", "b"], ""], "opts": [{"unit": ["c", "celsius"]}, ""]
            }}));
            let got_city = if wrong { "Lyon" } else { city };
            texts.push(format!(
                "{name}(city='{got_city}', days={days}, temp={temp:?}, tags=['A', 'b'], opts={{'unit': 'Celsius'}})"
            ));
            decoded.push(
                json!({name: {"city": got_city, "days": days, "temp": temp, "tags": ["a", "B"]}}),
            );
            calls += 1;
        }
        let result = if rng.below(2) == 0 {
            Value::String(format!("[{}]", texts.join(", ")))
        } else {
            Value::Array(decoded)
        };
        cases.push(Case {
            id: format!("{cat}_{i}"),
            functions,
            truth: Value::Array(truth),
            result,
        });
    }
    (cases, calls)
}

fn bench(c: &mut Criterion) {
    let (cases, calls) = make_cases(100_000);
    let prepared: Vec<Prepared<'_>> = cases
        .iter()
        .map(|case| Prepared::new(&case.id, &case.functions, Some(&case.truth)))
        .collect();
    let run_prepared = || {
        let mut ok = 0usize;
        for (p, case) in prepared.iter().zip(&cases) {
            ok += usize::from(p.judge(&case.result, CheckOptions::default()).valid);
        }
        black_box(ok)
    };
    let run_full = || {
        let mut ok = 0usize;
        for case in &cases {
            let v = check_entry(
                &case.id,
                &case.functions,
                Some(&case.truth),
                &case.result,
                CheckOptions::default(),
            );
            ok += usize::from(v.valid);
        }
        black_box(ok)
    };
    // Both paths must agree.
    assert_eq!(run_prepared(), run_full());
    let mut g = c.benchmark_group("bfcl_ast");
    g.sample_size(10);
    g.throughput(Throughput::Elements(cases.len() as u64));
    g.bench_function("prepared_cases_100k", |b| b.iter(run_prepared));
    g.throughput(Throughput::Elements(calls));
    g.bench_function("prepared_calls", |b| b.iter(run_prepared));
    g.throughput(Throughput::Elements(cases.len() as u64));
    g.bench_function("full_cases_100k", |b| b.iter(run_full));
    g.throughput(Throughput::Elements(calls));
    g.bench_function("full_calls", |b| b.iter(run_full));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
