//! The *test oracle*: builds plausible arguments for any tool by reading the world's hidden state
//! (existing ids, secrets). It is for checking the world itself (coverage, schema conformance,
//! benchmarks), never for generating data: data comes from executed traces.

use super::engine::World;
use super::gen::gen_value;
use super::model::{Entity, Input, Kind, Rule, Target, Ty};
use super::value;
use crate::Environment;
use hardgen_core::ToolCall;
use rand::rngs::ChaCha8Rng;
use rand::RngExt;
use serde_json::{json, Map, Value};
use std::collections::HashSet;

/// Builds arguments for tool `ti`; may first call an authorize tool to obtain a needed token.
pub fn oracle_args(world: &mut World, ti: usize, rng: &mut ChaCha8Rng) -> Map<String, Value> {
    let def = world.def().clone();
    let tool = &def.tools[ti];
    let spec = &def.specs[ti];
    let c = tool.coll;
    let mut args = Map::new();
    let pick_row = |world: &mut World, coll: usize, rng: &mut ChaCha8Rng| -> usize {
        let n = world.table(coll).rows().len().max(1);
        rng.random_range(0..n)
    };
    let field_value = |world: &mut World, coll: usize, fi: usize, rng: &mut ChaCha8Rng| -> Value {
        let n = world.table(coll).rows().len();
        if n == 0 {
            return Value::Null;
        }
        let r = rng.random_range(0..n);
        world.table(coll).rows()[r][fi].to_json()
    };
    for (name, schema) in spec.params() {
        if name == "token" || name == "limit" {
            continue;
        }
        // Optional params are given half of the time.
        let required = spec.required_params().any(|r| r == name);
        // (Update inputs are all optional but one is needed, so they are always given.)
        if !required && !matches!(tool.kind, Kind::Update { .. }) && rng.random_bool(0.5) {
            continue;
        }
        let entity = def.param_entities[ti]
            .iter()
            .find(|(p, _, _)| p == name)
            .map(|(_, e, _)| e.clone());
        let v = match entity {
            Some(Entity::Id(tc)) => {
                let r = pick_row(world, tc, rng);
                json!(def.colls[tc].id_of(r))
            }
            _ => match &tool.kind {
                Kind::Search { filters, .. } | Kind::List { filters, .. } => {
                    match filters.iter().find(|f| f.param == name) {
                        Some(f) => field_value(world, c, f.field, rng),
                        None => Value::Null,
                    }
                }
                Kind::Lookup { field } => field_value(world, c, *field, rng),
                Kind::Create { inputs, .. }
                | Kind::Transition { inputs, .. }
                | Kind::Update { inputs, .. } => match inputs.iter().find(|i| i.param == name) {
                    Some(inp) => input_value(world, c, inp, schema, rng),
                    None => Value::Null,
                },
                Kind::Authorize {
                    secret: Some(_), ..
                } => Value::Null, // filled below from the chosen row
                _ => number_in(schema, rng),
            },
        };
        if !v.is_null() {
            args.insert(name.to_string(), v);
        }
    }
    // Ownership rules (`same`): make the checked param agree with the row it is checked against,
    // so success paths are reachable; the rule's failure path is covered by random picks.
    let rules = match &tool.kind {
        Kind::Create { rules, .. }
        | Kind::Transition { rules, .. }
        | Kind::Update { rules, .. } => rules.as_slice(),
        _ => &[],
    };
    for r in rules {
        if let Rule::Same(Target::Param(p, tc), fi, param, None) = r {
            if rng.random_bool(0.7) {
                let row = args
                    .get(p)
                    .and_then(Value::as_str)
                    .and_then(|id| def.colls[*tc].parse_id(id));
                if let Some(v) =
                    row.and_then(|idx| world.table(*tc).rows().get(idx).map(|r| r[*fi].to_json()))
                {
                    args.insert(param.clone(), v);
                }
            }
        }
    }
    if let Kind::Authorize {
        secret: Some(sf), ..
    } = &tool.kind
    {
        if let Some(idx) = args
            .get(&def.colls[c].id_key)
            .and_then(Value::as_str)
            .and_then(|id| def.colls[c].parse_id(id))
        {
            let v = world
                .table(c)
                .rows()
                .get(idx)
                .map(|r| r[*sf].to_json())
                .unwrap_or(Value::Null);
            args.insert(def.colls[c].fields[*sf].name.clone(), v);
        }
    }
    if let Some(auth) = &tool.auth {
        let subject: Option<(usize, String)> = match &auth.subject {
            Target::SelfRow => args
                .get(&def.colls[c].id_key)
                .and_then(Value::as_str)
                .map(|s| (c, s.to_string())),
            Target::Param(p, tc) => args
                .get(p)
                .and_then(Value::as_str)
                .map(|s| (*tc, s.to_string())),
            Target::SelfRef(fi, tc) => args
                .get(&def.colls[c].id_key)
                .and_then(Value::as_str)
                .and_then(|id| def.colls[c].parse_id(id))
                .and_then(|idx| {
                    world
                        .table(c)
                        .rows()
                        .get(idx)
                        .and_then(|r| r[*fi].as_str().map(str::to_string))
                })
                .map(|s| (*tc, s)),
        };
        // Without a token to be had (say, the account is frozen) a well-formed dud is passed,
        // so the call runs and fails as not permitted.
        let token = subject
            .and_then(|(tc, id)| obtain_token(world, &auth.scope, tc, &id))
            .unwrap_or_else(|| format!("tk_{}_000000000000", auth.scope));
        args.insert("token".into(), json!(token));
    }
    args
}

/// Calls the authorize tool of `scope` for row `id` of collection `tc`, passing its secret.
fn obtain_token(world: &mut World, scope: &str, tc: usize, id: &str) -> Option<String> {
    let def = world.def().clone();
    let (ai, secret) = def
        .tools
        .iter()
        .enumerate()
        .find_map(|(i, t)| match &t.kind {
            Kind::Authorize {
                scope: s, secret, ..
            } if s == scope && t.coll == tc => Some((i, *secret)),
            _ => None,
        })?;
    let coll = &def.colls[tc];
    let mut a = Map::new();
    a.insert(coll.id_key.clone(), json!(id));
    if let Some(sf) = secret {
        let idx = coll.parse_id(id)?;
        let v = world.table(tc).rows().get(idx)?[sf].to_json();
        a.insert(coll.fields[sf].name.clone(), v);
    }
    let r = world
        .execute(&ToolCall {
            name: def.tools[ai].name.clone(),
            arguments: a,
        })
        .ok()?;
    r.get("token").and_then(Value::as_str).map(str::to_string)
}

fn input_value(
    world: &mut World,
    c: usize,
    inp: &Input,
    schema: &Value,
    rng: &mut ChaCha8Rng,
) -> Value {
    let def = world.def().clone();
    if let Ty::Ref(tc) = inp.ty {
        let n = world.table(tc).rows().len().max(1);
        return json!(def.colls[tc].id_of(rng.random_range(0..n)));
    }
    match (inp.field, &inp.ty) {
        (_, Ty::Int | Ty::Num(_))
            if schema.get("minimum").is_some() || schema.get("maximum").is_some() =>
        {
            number_in(schema, rng)
        }
        (_, Ty::Date) if value::date_bounds(schema) != (None, None) => {
            let (lo, hi) = value::date_bounds(schema);
            let day = |d: Option<String>| d.as_deref().and_then(value::parse_date);
            let d = value::day_within(day(lo), day(hi), rng).unwrap_or(0);
            json!(value::format_date(d))
        }
        (Some(fi), _) => {
            let mut seen = HashSet::new();
            let v = gen_value(&def.colls[c].fields[fi].gen, rng, &[], 0, &mut seen).to_json();
            // Keep amounts modest so budget rules pass often enough to cover success paths.
            match v.as_f64() {
                Some(x) if matches!(inp.ty, Ty::Num(_)) => {
                    json!((x.min(200.0) * 100.0).round() / 100.0)
                }
                _ => v,
            }
        }
        (None, Ty::Date) => json!(super::value::format_date(
            super::value::parse_date("2026-06-01").unwrap_or(0) + rng.random_range(0..90)
        )),
        (None, Ty::Bool) => json!(rng.random_bool(0.5)),
        (None, Ty::Str) => json!("note"),
        _ => number_in(schema, rng),
    }
}

fn number_in(schema: &Value, rng: &mut ChaCha8Rng) -> Value {
    let lo = schema.get("minimum").and_then(Value::as_f64).unwrap_or(1.0);
    // Mostly modest amounts (budgets pass), sometimes the whole declared range.
    let top = schema
        .get("maximum")
        .and_then(Value::as_f64)
        .unwrap_or(lo + 9.0);
    let hi = if rng.random_bool(0.5) {
        top
    } else {
        top.min(lo + 200.0)
    };
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => {
            json!(rng.random_range(lo.ceil() as i64..=hi.floor().max(lo.ceil()) as i64))
        }
        Some("number") => {
            json!(((lo + rng.random_range(0.0..1.0) * (hi - lo)) * 100.0).round() / 100.0)
        }
        Some("boolean") => json!(rng.random_bool(0.5)),
        _ => Value::Null,
    }
}
