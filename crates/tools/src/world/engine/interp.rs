//! The interpreter: runs a compiled tool operation against the world's tables, checking every
//! rule before any effect applies.

use super::storage::{Token, World};
use crate::world::gen::{gen_value, stream_seed};
use crate::world::model::{Cond, Expr, Filter, Kind, Rule, Target, Ty};
use crate::world::value::{parse_date, round_to, Val};
use hardgen_core::{ArgError, ToolError};
use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::sync::Arc;

/// A row being read or changed by one call: where it is and its values.
struct Current {
    coll: usize,
    /// `None` while the row is being created.
    idx: Option<usize>,
    row: Vec<Val>,
}

/// A numeric change to apply once every rule has passed.
struct Effect {
    coll: usize,
    idx: Option<usize>,
    field: usize,
    delta: f64,
}

/// Result of one step of a call.
pub(super) type Res<T> = Result<T, ToolError>;

fn state_err(reason: String) -> ToolError {
    ToolError::InvalidState { reason }
}

impl World {
    fn id_arg<'a>(args: &'a Map<String, Value>, name: &str) -> &'a str {
        args.get(name).and_then(Value::as_str).unwrap_or("")
    }

    fn limit(args: &Map<String, Value>) -> usize {
        args.get("limit")
            .and_then(Value::as_u64)
            .unwrap_or(10)
            .clamp(1, 50) as usize
    }

    fn filter_ok(f: &Filter, ty: &Ty, v: &Val, arg: &Value) -> bool {
        match f.mode {
            crate::world::dsl::FilterMode::Contains => match (v, arg.as_str()) {
                (Val::Str(s), Some(n)) => contains_ci(s, n),
                _ => false,
            },
            crate::world::dsl::FilterMode::Eq => match (ty, v) {
                (Ty::Ref(_), Val::Str(s)) => arg.as_str() == Some(s),
                (_, Val::Str(s)) => arg.as_str().is_some_and(|a| a.eq_ignore_ascii_case(s)),
                (_, Val::Bool(b)) => arg.as_bool() == Some(*b),
                (_, x) => x
                    .as_f64()
                    .zip(arg.as_f64())
                    .is_some_and(|(a, b)| (a - b).abs() < 1e-9),
            },
            crate::world::dsl::FilterMode::Min => v
                .as_f64()
                .zip(arg.as_f64())
                .is_some_and(|(a, b)| a >= b - 1e-9),
            crate::world::dsl::FilterMode::Max => v
                .as_f64()
                .zip(arg.as_f64())
                .is_some_and(|(a, b)| a <= b + 1e-9),
            crate::world::dsl::FilterMode::After => {
                v.as_str().zip(arg.as_str()).is_some_and(|(a, b)| a >= b)
            }
            crate::world::dsl::FilterMode::Before => {
                v.as_str().zip(arg.as_str()).is_some_and(|(a, b)| a <= b)
            }
        }
    }

    fn cond_ok(cond: &Option<Cond>, row: &[Val]) -> bool {
        cond.as_ref()
            .is_none_or(|k| k.values.iter().any(|v| row[k.field].matches_text(v)))
    }

    /// Filters, sorts and cuts rows of `c`; `pre` selects candidates before the filters.
    fn select(
        &mut self,
        c: usize,
        args: &Map<String, Value>,
        filters: &[Filter],
        sort: Option<(usize, bool)>,
        pre: impl Fn(&[Val]) -> bool,
    ) -> Value {
        self.ensure(c);
        let Some(table) = self.tables[c].clone() else {
            return Value::Null;
        };
        let coll = self.coll(c);
        let active: Vec<(&Filter, &Value)> = filters
            .iter()
            .filter_map(|f| args.get(&f.param).map(|a| (f, a)))
            .collect();
        let mut hits: Vec<usize> = (0..table.rows().len())
            .filter(|&i| {
                let r = &table.rows()[i];
                pre(r)
                    && active
                        .iter()
                        .all(|(f, a)| Self::filter_ok(f, &coll.fields[f.field].ty, &r[f.field], a))
            })
            .collect();
        if let Some((sf, desc)) = sort {
            hits.sort_by(|&a, &b| {
                let o = cmp_val(&table.rows()[a][sf], &table.rows()[b][sf]);
                if desc {
                    o.reverse()
                } else {
                    o
                }
            });
        }
        let count = hits.len();
        let results: Vec<Value> = hits
            .into_iter()
            .take(Self::limit(args))
            .map(|i| self.row_json(c, i, &table.rows()[i]))
            .collect();
        // Built in place: `json!` would serialize the rows into a second copy.
        let mut out = serde_json::Map::with_capacity(2);
        out.insert("results".into(), Value::Array(results));
        out.insert("count".into(), Value::from(count));
        Value::Object(out)
    }

    /// Converts a validated JSON argument into a cell of type `ty`.
    fn to_val(ty: &Ty, v: &Value) -> Val {
        match ty {
            Ty::Int => Val::Int(
                v.as_i64()
                    .unwrap_or_else(|| v.as_f64().unwrap_or(0.0) as i64),
            ),
            Ty::Num(d) => Val::Num(round_to(v.as_f64().unwrap_or(0.0), *d)),
            Ty::Bool => Val::Bool(v.as_bool().unwrap_or(false)),
            _ => Val::Str(Arc::from(v.as_str().unwrap_or(""))),
        }
    }

    /// Row a target points to: (collection, index or None for the row being created, values).
    fn target_row(
        &mut self,
        t: &Target,
        cur: &Current,
        args: &Map<String, Value>,
    ) -> Res<(usize, Option<usize>, Vec<Val>)> {
        match t {
            Target::SelfRow => Ok((cur.coll, cur.idx, cur.row.clone())),
            Target::Param(p, tc) => {
                let idx = self.resolve(*tc, Self::id_arg(args, p))?;
                Ok((*tc, Some(idx), self.table(*tc).rows()[idx].to_vec()))
            }
            Target::SelfRef(fi, tc) => {
                let id = cur.row[*fi].as_str().unwrap_or("").to_string();
                let idx = self.resolve(*tc, &id)?;
                Ok((*tc, Some(idx), self.table(*tc).rows()[idx].to_vec()))
            }
        }
    }

    fn label(&self, c: usize, idx: Option<usize>) -> String {
        match idx {
            Some(i) => format!("{} {}", self.coll(c).name, self.coll(c).id_of(i)),
            None => format!("the new {}", self.coll(c).name),
        }
    }

    fn eval(&mut self, e: &Expr, cur: &Current, args: &Map<String, Value>) -> Res<f64> {
        Ok(match e {
            Expr::Num(x) => *x,
            Expr::Param(p) => args.get(p).and_then(Value::as_f64).unwrap_or(0.0),
            Expr::Field(t, fi) => {
                let (_, _, row) = self.target_row(t, cur, args)?;
                row[*fi].as_f64().unwrap_or(0.0)
            }
            Expr::Mul(xs) => {
                let mut acc = 1.0;
                for x in xs {
                    acc *= self.eval(x, cur, args)?;
                }
                acc
            }
            Expr::Add(xs) => {
                let mut acc = 0.0;
                for x in xs {
                    acc += self.eval(x, cur, args)?;
                }
                acc
            }
            Expr::Sub(a, b) => self.eval(a, cur, args)? - self.eval(b, cur, args)?,
            Expr::Days(a, b) => {
                let d = |p: &str| {
                    args.get(p)
                        .and_then(Value::as_str)
                        .and_then(parse_date)
                        .unwrap_or(0)
                };
                (d(b) - d(a)) as f64
            }
        })
    }

    /// Checks every rule; returns the numeric effects to apply if all pass.
    fn check_rules(
        &mut self,
        rules: &[Rule],
        cur: &Current,
        args: &Map<String, Value>,
    ) -> Res<Vec<Effect>> {
        let mut effects: Vec<Effect> = Vec::new();
        for r in rules {
            match r {
                Rule::Require(t, fi, values) => {
                    let (tc, idx, row) = self.target_row(t, cur, args)?;
                    if !values.iter().any(|v| row[*fi].matches_text(v)) {
                        let fname = &self.coll(tc).fields[*fi].name;
                        return Err(state_err(format!(
                            "{} has {fname} {}; needs {}",
                            self.label(tc, idx),
                            show(&row[*fi]),
                            values.join(" or ")
                        )));
                    }
                }
                Rule::Debit(t, fi, amount) | Rule::Credit(t, fi, amount) => {
                    let (tc, idx, row) = self.target_row(t, cur, args)?;
                    let amt = self.eval(amount, cur, args)?;
                    let debit = matches!(r, Rule::Debit(..));
                    let pending: f64 = effects
                        .iter()
                        .filter(|e| e.coll == tc && e.idx == idx && e.field == *fi)
                        .map(|e| e.delta)
                        .sum();
                    let now = row[*fi].as_f64().unwrap_or(0.0) + pending;
                    if debit && now + 1e-9 < amt {
                        let fname = &self.coll(tc).fields[*fi].name;
                        return Err(ToolError::LimitExceeded {
                            reason: format!(
                                "{fname} of {} is {now:.2}, needs {amt:.2}",
                                self.label(tc, idx)
                            ),
                        });
                    }
                    effects.push(Effect {
                        coll: tc,
                        idx,
                        field: *fi,
                        delta: if debit { -amt } else { amt },
                    });
                }
                Rule::AtMost(v, l, msg) => {
                    let (v, l) = (self.eval(v, cur, args)?, self.eval(l, cur, args)?);
                    if v > l + 1e-9 {
                        return Err(ToolError::LimitExceeded {
                            reason: format!("{msg} ({v:.2} > {l:.2})"),
                        });
                    }
                }
                Rule::Quota(via, max, only) => {
                    if Self::cond_ok(only, &cur.row) {
                        let key = cur.row[*via].clone();
                        let n = self
                            .table(cur.coll)
                            .rows()
                            .iter()
                            .enumerate()
                            .filter(|(i, r)| {
                                Some(*i) != cur.idx && r[*via] == key && Self::cond_ok(only, r)
                            })
                            .count();
                        if n + 1 > *max as usize {
                            let c = self.coll(cur.coll);
                            return Err(ToolError::LimitExceeded {
                                reason: format!(
                                    "at most {max} {} per {} {}",
                                    c.name,
                                    c.fields[*via].name,
                                    show(&key)
                                ),
                            });
                        }
                    }
                }
                Rule::Unique(fields, only) => {
                    if Self::cond_ok(only, &cur.row) {
                        let clash =
                            self.table(cur.coll)
                                .rows()
                                .iter()
                                .enumerate()
                                .position(|(i, r)| {
                                    Some(i) != cur.idx
                                        && fields.iter().all(|f| r[*f] == cur.row[*f])
                                        && Self::cond_ok(only, r)
                                });
                        if let Some(i) = clash {
                            let c = self.coll(cur.coll);
                            let names: Vec<String> = fields
                                .iter()
                                .map(|f| format!("{} {}", c.fields[*f].name, show(&cur.row[*f])))
                                .collect();
                            return Err(ToolError::Conflict {
                                reason: format!(
                                    "{} {} already has {}",
                                    c.name,
                                    c.id_of(i),
                                    names.join(", ")
                                ),
                            });
                        }
                    }
                }
                Rule::Same(t, fi, param, own) => {
                    let (tc, idx, row) = self.target_row(t, cur, args)?;
                    let want = match own {
                        Some(f) => cur.row[*f].to_json(),
                        None => args.get(param).cloned().unwrap_or(Value::Null),
                    };
                    let param = param.trim_start_matches("self.");
                    if row[*fi].to_json() != want {
                        return Err(ToolError::NotPermitted {
                            reason: format!(
                                "{} does not belong to {param} {}",
                                self.label(tc, idx),
                                want.as_str()
                                    .map_or_else(|| want.to_string(), str::to_string)
                            ),
                        });
                    }
                }
                Rule::Differ(t, fi, param) => {
                    let (tc, idx, row) = self.target_row(t, cur, args)?;
                    let got = args.get(param).cloned().unwrap_or(Value::Null);
                    if row[*fi].to_json() == got {
                        return Err(ToolError::NotPermitted {
                            reason: format!(
                                "{param} {} is the {} of {}",
                                got.as_str().map_or_else(|| got.to_string(), str::to_string),
                                self.coll(tc).fields[*fi].name,
                                self.label(tc, idx)
                            ),
                        });
                    }
                }
                Rule::NotBefore(param, t, fi) => {
                    // An optional date left out has nothing to check.
                    let Some(x) = args.get(param).and_then(Value::as_str) else {
                        continue;
                    };
                    let (tc, idx, mut row) = self.target_row(t, cur, args)?;
                    // `self` of a change is the row as stored before it: a renewal's new due
                    // date is compared with the current one, not with itself.
                    if let (Target::SelfRow, Some(i)) = (t, idx) {
                        row = self.table(tc).rows()[i].to_vec();
                    }
                    let y = row[*fi].to_json();
                    let y = y.as_str().unwrap_or("");
                    // ISO dates compare as strings.
                    if x < y {
                        return Err(state_err(format!(
                            "{param} ({x}) is before the {} of {} ({y})",
                            self.coll(tc).fields[*fi].name.replace('_', " "),
                            self.label(tc, idx)
                        )));
                    }
                }
                Rule::Before(a, b) => {
                    let (x, y) = (
                        args.get(a).and_then(Value::as_str).unwrap_or(""),
                        args.get(b).and_then(Value::as_str).unwrap_or(""),
                    );
                    if x >= y {
                        return Err(state_err(format!("{a} ({x}) must be before {b} ({y})")));
                    }
                }
            }
        }
        Ok(effects)
    }

    /// Checks the token of a protected call; returns its index so the caller can spend one use.
    fn check_auth(
        &mut self,
        tool: usize,
        cur: &Current,
        args: &Map<String, Value>,
    ) -> Res<Option<usize>> {
        let def = self.def.clone();
        let Some(auth) = &def.tools[tool].auth else {
            return Ok(None);
        };
        let (tc, idx, _) = self.target_row(&auth.subject, cur, args)?;
        let given = Self::id_arg(args, "token");
        let Some(ti) = self.tokens.iter().position(|t| t.value == given) else {
            return Err(ToolError::NotPermitted {
                reason: format!("token {given} was not issued"),
            });
        };
        let t = &self.tokens[ti];
        if t.scope != auth.scope {
            return Err(ToolError::NotPermitted {
                reason: format!("token has scope {}, needs {}", t.scope, auth.scope),
            });
        }
        if Some(t.row) != idx || t.coll != tc {
            return Err(ToolError::NotPermitted {
                reason: format!(
                    "token was issued for {}, not {}",
                    self.label(t.coll, Some(t.row)),
                    self.label(tc, idx)
                ),
            });
        }
        if t.uses_left == 0 {
            return Err(ToolError::NotPermitted {
                reason: "token has no uses left".into(),
            });
        }
        Ok(Some(ti))
    }

    fn apply(
        &mut self,
        effects: Vec<Effect>,
        new_row: Option<(usize, usize)>,
        token: Option<usize>,
    ) {
        for e in effects {
            let idx = match e
                .idx
                .or(new_row.filter(|(c, _)| *c == e.coll).map(|(_, i)| i))
            {
                Some(i) => i,
                None => continue,
            };
            let d = match &self.coll(e.coll).fields[e.field].ty {
                Ty::Num(d) => Some(*d),
                _ => None,
            };
            let mut vals = self.table(e.coll).rows()[idx].to_vec();
            let cell = &mut vals[e.field];
            *cell = match (&*cell, d) {
                (Val::Int(i), _) => Val::Int(i + e.delta.round() as i64),
                (Val::Num(x), Some(d)) => Val::Num(round_to(x + e.delta, d)),
                (Val::Num(x), None) => Val::Num(x + e.delta),
                (other, _) => other.clone(),
            };
            self.table_mut(e.coll).set_row(idx, Arc::from(vals));
        }
        if let Some(ti) = token {
            let toks = Arc::make_mut(&mut self.tokens);
            toks[ti].uses_left -= 1;
        }
    }

    pub(super) fn run(&mut self, ti: usize, args: &Map<String, Value>) -> Res<Value> {
        let def = self.def.clone();
        let tool = &def.tools[ti];
        let c = tool.coll;
        let coll = &def.colls[c];
        match &tool.kind {
            Kind::Search {
                filters,
                sort,
                only,
            } => {
                let only = only.clone();
                Ok(self.select(c, args, filters, *sort, move |r| Self::cond_ok(&only, r)))
            }
            Kind::Lookup { field } => {
                let key = Self::id_arg(args, &coll.fields[*field].name);
                let hit = self.table(c).rows().iter().position(|r| {
                    r[*field]
                        .as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case(key))
                });
                match hit {
                    Some(i) => Ok(self.stored_row_json(c, i)),
                    None => Err(ToolError::NotFound {
                        what: coll.name.clone(),
                        id: key.to_string(),
                    }),
                }
            }
            Kind::Get => {
                let idx = self.resolve(c, Self::id_arg(args, &coll.id_key))?;
                let cur = Current {
                    coll: c,
                    idx: Some(idx),
                    row: self.table(c).rows()[idx].to_vec(),
                };
                let tok = self.check_auth(ti, &cur, args)?;
                self.apply(Vec::new(), None, tok);
                Ok(self.stored_row_json(c, idx))
            }
            Kind::List { via, filters, sort } => {
                let Ty::Ref(parent) = coll.fields[*via].ty else {
                    unreachable!("checked at compile")
                };
                let pid = Self::id_arg(args, &coll.fields[*via].name).to_string();
                self.resolve(parent, &pid)?;
                let cur = Current {
                    coll: c,
                    idx: None,
                    row: Vec::new(),
                };
                let tok = self.check_auth(ti, &cur, args)?;
                self.apply(Vec::new(), None, tok);
                let via = *via;
                Ok(self.select(c, args, filters, *sort, move |r| {
                    r[via].as_str() == Some(pid.as_str())
                }))
            }
            Kind::Aggregate {
                via,
                func,
                field,
                key,
                only,
            } => {
                let Ty::Ref(parent) = coll.fields[*via].ty else {
                    unreachable!("checked at compile")
                };
                let vname = &coll.fields[*via].name;
                let pid = Self::id_arg(args, vname).to_string();
                self.resolve(parent, &pid)?;
                let vals: Vec<f64> = self
                    .table(c)
                    .rows()
                    .iter()
                    .filter(|r| r[*via].as_str() == Some(pid.as_str()) && Self::cond_ok(only, r))
                    .map(|r| field.map_or(1.0, |f| r[f].as_f64().unwrap_or(0.0)))
                    .collect();
                use crate::world::dsl::AggFunc;
                let n = vals.len();
                let v = match func {
                    AggFunc::Count => n as f64,
                    // `+ 0.0`: an empty f64 sum is -0.0, which would read as "total -0.0".
                    AggFunc::Sum => vals.iter().sum::<f64>() + 0.0,
                    AggFunc::Avg if n > 0 => vals.iter().sum::<f64>() / n as f64,
                    AggFunc::Min if n > 0 => vals.iter().copied().fold(f64::INFINITY, f64::min),
                    AggFunc::Max if n > 0 => vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    _ => 0.0,
                };
                let mut m = Map::new();
                m.insert(vname.clone(), Value::String(pid));
                m.insert("count".into(), Value::from(n));
                m.insert(key.clone(), Val::Num(round_to(v, 2)).to_json());
                Ok(Value::Object(m))
            }
            Kind::Create {
                inputs,
                set,
                compute,
                rules,
            } => {
                let nf = coll.fields.len();
                let mut row: Vec<Option<Val>> = vec![None; nf];
                for inp in inputs {
                    let Some(v) = args.get(&inp.param).or(inp.default.as_ref()) else {
                        continue;
                    };
                    if let Ty::Ref(tc) = inp.ty {
                        self.resolve(tc, v.as_str().unwrap_or(""))?;
                    }
                    if let Some(fi) = inp.field {
                        row[fi] = Some(Self::to_val(&inp.ty, v));
                    }
                }
                for (fi, v) in set {
                    row[*fi] = Some(v.clone());
                }
                let new_idx = self.table(c).rows().len();
                // Unset fields get values from the field's own generator, seeded per new row.
                let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(
                    self.seed,
                    c as u64 + 1,
                    new_idx as u64 + 1,
                ));
                let existing: HashSet<Arc<str>> = HashSet::new();
                let mut filled: Vec<Val> = Vec::with_capacity(nf);
                for (fi, f) in coll.fields.iter().enumerate() {
                    let v = match row[fi].take() {
                        Some(v) => v,
                        None => {
                            self.fresh_value(c, fi, &mut rng, &filled, new_idx, &existing, &f.gen)
                        }
                    };
                    filled.push(v);
                }
                let mut cur = Current {
                    coll: c,
                    idx: None,
                    row: filled,
                };
                for (fi, e) in compute {
                    let x = self.eval(e, &cur, args)?;
                    cur.row[*fi] = match coll.fields[*fi].ty {
                        Ty::Int => Val::Int(x.round() as i64),
                        Ty::Num(d) => Val::Num(round_to(x, d)),
                        _ => Val::Num(x),
                    };
                }
                let tok = self.check_auth(ti, &cur, args)?;
                let effects = self.check_rules(rules, &cur, args)?;
                let row = Arc::from(cur.row);
                self.table_mut(c).push_row(row);
                self.apply(effects, Some((c, new_idx)), tok);
                Ok(self.stored_row_json(c, new_idx))
            }
            Kind::Transition {
                field,
                from,
                to,
                inputs,
                rules,
            } => {
                let idx = self.resolve(c, Self::id_arg(args, &coll.id_key))?;
                let mut cur = Current {
                    coll: c,
                    idx: Some(idx),
                    row: self.table(c).rows()[idx].to_vec(),
                };
                if !from.iter().any(|f| cur.row[*field].matches_text(f)) {
                    return Err(state_err(format!(
                        "{} {} is {}; only {} can become {}",
                        coll.name,
                        coll.id_of(idx),
                        show(&cur.row[*field]),
                        from.join(" or "),
                        show(to)
                    )));
                }
                for inp in inputs {
                    if let (Some(fi), Some(v)) =
                        (inp.field, args.get(&inp.param).or(inp.default.as_ref()))
                    {
                        if let Ty::Ref(tc) = inp.ty {
                            self.resolve(tc, v.as_str().unwrap_or(""))?;
                        }
                        cur.row[fi] = Self::to_val(&inp.ty, v);
                    }
                }
                cur.row[*field] = to.clone();
                self.finish_change(ti, cur, rules, args)
            }
            Kind::Update {
                inputs,
                only,
                rules,
            } => {
                let idx = self.resolve(c, Self::id_arg(args, &coll.id_key))?;
                let mut cur = Current {
                    coll: c,
                    idx: Some(idx),
                    row: self.table(c).rows()[idx].to_vec(),
                };
                if let Some(k) = only {
                    if !Self::cond_ok(&Some(k.clone()), &cur.row) {
                        return Err(state_err(format!(
                            "{} {} has {} {}; needs {}",
                            coll.name,
                            coll.id_of(idx),
                            coll.fields[k.field].name,
                            show(&cur.row[k.field]),
                            k.values.join(" or ")
                        )));
                    }
                }
                let mut any = false;
                let mut changed = false;
                for inp in inputs {
                    if let (Some(fi), Some(v)) = (inp.field, args.get(&inp.param)) {
                        if let Ty::Ref(tc) = inp.ty {
                            self.resolve(tc, v.as_str().unwrap_or(""))?;
                        }
                        let new = Self::to_val(&inp.ty, v);
                        changed |= cur.row[fi] != new;
                        cur.row[fi] = new;
                        any = true;
                    }
                }
                if !any {
                    let names: Vec<&str> = inputs.iter().map(|i| i.param.as_str()).collect();
                    return Err(ToolError::InvalidArguments {
                        tool: tool.name.clone(),
                        error: ArgError::MissingRequired {
                            param: names.join(" or "),
                        },
                    });
                }
                // An update that sets every field to the value it has is refused, as real
                // services do: a trace must never hold a change that changes nothing.
                if !changed {
                    return Err(state_err(format!(
                        "{} {} already has these values; nothing to change",
                        coll.name,
                        coll.id_of(idx)
                    )));
                }
                self.finish_change(ti, cur, rules, args)
            }
            Kind::Transfer { field, max, only } => {
                let (fk, tk) = (
                    format!("from_{}_id", coll.name),
                    format!("to_{}_id", coll.name),
                );
                let a = self.resolve(c, Self::id_arg(args, &fk))?;
                let b = self.resolve(c, Self::id_arg(args, &tk))?;
                if a == b {
                    return Err(state_err("source and destination are the same".into()));
                }
                let amount = round_to(args.get("amount").and_then(Value::as_f64).unwrap_or(0.0), 2);
                for i in [a, b] {
                    let r = self.table(c).rows()[i].to_vec();
                    if !Self::cond_ok(only, &r) {
                        let k = only
                            .as_ref()
                            .map(|k| (k.field, k.values.join(" or ")))
                            .unwrap_or((0, String::new()));
                        return Err(state_err(format!(
                            "{} {} has {} {}; needs {}",
                            coll.name,
                            coll.id_of(i),
                            coll.fields[k.0].name,
                            show(&r[k.0]),
                            k.1
                        )));
                    }
                }
                let cur = Current {
                    coll: c,
                    idx: Some(a),
                    row: self.table(c).rows()[a].to_vec(),
                };
                let tok = self.check_auth(ti, &cur, args)?;
                if let Some(m) = max {
                    if amount > *m + 1e-9 {
                        return Err(ToolError::LimitExceeded {
                            reason: format!("at most {m:.2} per transfer"),
                        });
                    }
                }
                let have = cur.row[*field].as_f64().unwrap_or(0.0);
                if have + 1e-9 < amount {
                    return Err(ToolError::LimitExceeded {
                        reason: format!(
                            "{} of {} {} is {have:.2}, needs {amount:.2}",
                            coll.fields[*field].name,
                            coll.name,
                            coll.id_of(a)
                        ),
                    });
                }
                let effects = vec![
                    Effect {
                        coll: c,
                        idx: Some(a),
                        field: *field,
                        delta: -amount,
                    },
                    Effect {
                        coll: c,
                        idx: Some(b),
                        field: *field,
                        delta: amount,
                    },
                ];
                self.apply(effects, None, tok);
                let fname = &coll.fields[*field].name;
                let (fa, fb) = (
                    self.table(c).rows()[a][*field].to_json(),
                    self.table(c).rows()[b][*field].to_json(),
                );
                let mut m = Map::new();
                m.insert(fk, Value::String(coll.id_of(a)));
                m.insert(tk, Value::String(coll.id_of(b)));
                m.insert("amount".into(), Val::Num(amount).to_json());
                m.insert(format!("from_{fname}"), fa);
                m.insert(format!("to_{fname}"), fb);
                Ok(Value::Object(m))
            }
            Kind::Authorize {
                scope,
                uses,
                secret,
                only,
            } => {
                let idx = self.resolve(c, Self::id_arg(args, &coll.id_key))?;
                let row = self.table(c).rows()[idx].to_vec();
                if let Some(k) = only {
                    if !Self::cond_ok(&Some(k.clone()), &row) {
                        return Err(state_err(format!(
                            "{} {} has {} {}; needs {}",
                            coll.name,
                            coll.id_of(idx),
                            coll.fields[k.field].name,
                            show(&row[k.field]),
                            k.values.join(" or ")
                        )));
                    }
                }
                if let Some(sf) = secret {
                    let given = args
                        .get(&coll.fields[*sf].name)
                        .cloned()
                        .unwrap_or(Value::Null);
                    if row[*sf].to_json() != given {
                        return Err(ToolError::NotPermitted {
                            reason: format!(
                                "wrong {} for {} {}",
                                coll.fields[*sf].name,
                                coll.name,
                                coll.id_of(idx)
                            ),
                        });
                    }
                }
                self.issued += 1;
                let value = format!(
                    "tk_{scope}_{:012x}",
                    stream_seed(self.seed, 0xA11CE, self.issued) & 0xFFFF_FFFF_FFFF
                );
                Arc::make_mut(&mut self.tokens).push(Token {
                    value: value.clone(),
                    scope: scope.clone(),
                    coll: c,
                    row: idx,
                    uses_left: *uses,
                });
                let mut m = Map::new();
                m.insert("token".into(), Value::String(value));
                m.insert("scope".into(), Value::String(scope.clone()));
                m.insert(coll.id_key.clone(), Value::String(coll.id_of(idx)));
                m.insert("uses_left".into(), Value::from(*uses));
                Ok(Value::Object(m))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn fresh_value(
        &self,
        c: usize,
        fi: usize,
        rng: &mut ChaCha8Rng,
        filled: &[Val],
        new_idx: usize,
        existing: &HashSet<Arc<str>>,
        g: &crate::world::model::G,
    ) -> Val {
        // Codes must stay unique against the stored rows too.
        let mut seen: HashSet<Arc<str>> = existing.clone();
        if matches!(g, crate::world::model::G::Code(..)) {
            if let Some(t) = &self.tables[c] {
                seen.extend(t.rows().iter().filter_map(|r| match &r[fi] {
                    Val::Str(s) => Some(s.clone()),
                    _ => None,
                }));
            }
        }
        gen_value(g, rng, filled, new_idx, &mut seen)
    }

    fn finish_change(
        &mut self,
        ti: usize,
        cur: Current,
        rules: &[Rule],
        args: &Map<String, Value>,
    ) -> Res<Value> {
        let tok = self.check_auth(ti, &cur, args)?;
        let effects = self.check_rules(rules, &cur, args)?;
        let (c, idx) = (cur.coll, cur.idx.unwrap_or(0));
        self.table_mut(c).set_row(idx, Arc::from(cur.row));
        self.apply(effects, None, tok);
        Ok(self.stored_row_json(c, idx))
    }
}

fn show(v: &Val) -> String {
    match v {
        Val::Str(s) => s.to_string(),
        other => other.to_json().to_string(),
    }
}

fn cmp_val(a: &Val, b: &Val) -> std::cmp::Ordering {
    match (a, b) {
        (Val::Str(x), Val::Str(y)) => x.cmp(y),
        _ => a
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&b.as_f64().unwrap_or(0.0))
            .unwrap_or(std::cmp::Ordering::Equal),
    }
}

/// ASCII case-insensitive substring test without allocating.
fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}
