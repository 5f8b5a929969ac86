//! Name resolution and the compile passes: collections and prefixes, fields and generators,
//! hidden secrets, then every tool (built by `build.rs`) and its argument validator.

use super::build::ToolBuilder;
use super::ir::*;
use crate::world::dsl::{self, DomainDef, Gen, Op};
use crate::world::pools;
use crate::world::value::parse_date;
use hardgen_core::ToolSpec;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The file being compiled, so errors can name it.
pub(super) struct Ctx<'a> {
    pub(super) source: &'a str,
}

impl Ctx<'_> {
    pub(super) fn err(&self, path: impl Into<String>, message: impl Into<String>) -> WorldError {
        WorldError {
            source_name: self.source.to_string(),
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Tail of the JSON Schema pattern of an id (`<PREFIX>-<n>`).
pub(super) const ID_PATTERN_SUFFIX: &str = "-[0-9]{4,}$";

/// Compiles parsed domain files (with their file names) into a world definition.
pub fn compile(files: &[(String, DomainDef)]) -> Result<WorldDef, WorldError> {
    // Pass 1: collection names and prefixes, so refs may point across domains.
    let mut coll_index: HashMap<String, usize> = HashMap::new();
    let mut shells: Vec<(usize, &dsl::CollectionDef)> = Vec::new();
    let mut prefixes = HashSet::new();
    let mut short_names: HashMap<String, String> = HashMap::new();
    let mut domains = Vec::new();
    for (di, (source, d)) in files.iter().enumerate() {
        let cx = Ctx { source };
        if domains.iter().any(|x: &DomainInfo| x.name == d.domain) {
            return Err(cx.err("domain", format!("domain {:?} is defined twice", d.domain)));
        }
        domains.push(DomainInfo {
            name: d.domain.clone(),
            description: d.description.clone(),
            source: source.clone(),
        });
        for (ci, c) in d.collections.iter().enumerate() {
            let p = format!("collections[{ci}]");
            if !is_snake(&c.name) {
                return Err(cx.err(
                    format!("{p}.name"),
                    format!("{:?} is not snake_case", c.name),
                ));
            }
            if let Some(other) = short_names.insert(c.name.clone(), d.domain.clone()) {
                return Err(cx.err(
                    format!("{p}.name"),
                    format!(
                        "collection name {:?} is already used in domain {other:?}",
                        c.name
                    ),
                ));
            }
            if c.prefix.len() < 2
                || c.prefix.len() > 4
                || !c.prefix.chars().all(|ch| ch.is_ascii_uppercase())
            {
                return Err(cx.err(
                    format!("{p}.prefix"),
                    "prefix must be 2-4 uppercase letters",
                ));
            }
            if !prefixes.insert(c.prefix.clone()) {
                return Err(cx.err(
                    format!("{p}.prefix"),
                    format!("prefix {:?} is already used", c.prefix),
                ));
            }
            if !(1..=200).contains(&c.count) {
                return Err(cx.err(format!("{p}.count"), "count must be 1..=200"));
            }
            coll_index.insert(format!("{}.{}", d.domain, c.name), shells.len());
            shells.push((di, c));
        }
    }
    // Pass 2: fields.
    let mut colls = Vec::new();
    for &(di, c) in &shells {
        let (source, d) = &files[di];
        let cx = Ctx { source };
        let ci = d
            .collections
            .iter()
            .position(|x| x.name == c.name)
            .unwrap_or(0);
        let mut fields: Vec<Field> = Vec::new();
        for (fi, f) in c.fields.iter().enumerate() {
            let p = format!("collections[{ci}].fields[{fi}]");
            if !is_snake(&f.name) || f.name == format!("{}_id", c.name) {
                return Err(cx.err(format!("{p}.name"), format!("bad field name {:?}", f.name)));
            }
            if fields.iter().any(|x| x.name == f.name) {
                return Err(cx.err(format!("{p}.name"), format!("duplicate field {:?}", f.name)));
            }
            let (gen, ty) = compile_gen(
                &f.gen,
                &cx,
                &p,
                &d.domain,
                &coll_index,
                &shells,
                &fields,
                c.count,
            )?;
            if matches!(ty, Ty::Ref(_)) && !f.name.ends_with("_id") {
                return Err(cx.err(format!("{p}.name"), "a ref field's name must end in `_id`"));
            }
            fields.push(Field {
                name: f.name.clone(),
                desc: f.desc.clone(),
                gen,
                ty,
                hidden: false,
            });
        }
        colls.push(Coll {
            domain: di,
            name: c.name.clone(),
            prefix: c.prefix.clone(),
            count: c.count,
            desc: c.desc.clone(),
            fields,
            id_key: format!("{}_id", c.name),
        });
    }
    // A `same` field that follows another takes its type once that one has it.
    loop {
        let mut pending = Vec::new();
        for (ci, c) in colls.iter().enumerate() {
            for (fi, f) in c.fields.iter().enumerate() {
                if let (G::Same(_, tc, tf), Ty::Ref(SAME_PENDING)) = (&f.gen, &f.ty) {
                    pending.push((ci, fi, colls[*tc].fields[*tf].ty.clone()));
                }
            }
        }
        let before = pending.len();
        let mut resolved = 0;
        for (ci, fi, ty) in pending {
            if ty != Ty::Ref(SAME_PENDING) {
                colls[ci].fields[fi].ty = ty;
                resolved += 1;
            }
        }
        if before == 0 {
            break;
        }
        if resolved == 0 {
            let (source, _) = &files[shells[0].0];
            return Err(
                Ctx { source }.err("collections", "`same` fields follow each other in a cycle")
            );
        }
    }
    // A `same` field is filled from the seeded rows it follows: those must not, in turn, wait
    // for this collection's rows.
    for (start, &(di, c)) in shells.iter().enumerate() {
        let mut seen = HashSet::new();
        let mut todo = vec![start];
        while let Some(x) = todo.pop() {
            for f in &colls[x].fields {
                if let G::Same(_, tc, _) = f.gen {
                    if tc == start {
                        let (source, _) = &files[di];
                        return Err(Ctx { source }.err(
                            format!("collections {:?}", c.name),
                            "`same` fields form a cycle back to this collection",
                        ));
                    }
                    if seen.insert(tc) {
                        todo.push(tc);
                    }
                }
            }
        }
    }
    // Secrets are hidden everywhere, so a PIN can only come from the user.
    for (_, d) in files {
        for t in &d.tools {
            if let Op::Authorize {
                collection,
                secret: Some(s),
                ..
            } = &t.op
            {
                if let Some(ci) = coll_index.get(&qualify(&d.domain, collection)) {
                    if let Some(fi) = colls[*ci].field(s) {
                        colls[*ci].fields[fi].hidden = true;
                    }
                }
            }
        }
    }
    // Pass 3: tools.
    let mut tools = Vec::new();
    let mut specs = Vec::new();
    let mut by_name = HashMap::new();
    let mut param_entities = Vec::new();
    let mut result_entities = Vec::new();
    for (di, (source, d)) in files.iter().enumerate() {
        let cx = Ctx { source };
        for (ti, t) in d.tools.iter().enumerate() {
            let p = format!("tools[{ti}]");
            if !is_snake(&t.name) {
                return Err(cx.err(
                    format!("{p}.name"),
                    format!("{:?} is not snake_case", t.name),
                ));
            }
            if by_name.insert(t.name.clone(), tools.len()).is_some() {
                return Err(cx.err(
                    format!("{p}.name"),
                    format!("tool name {:?} is used twice", t.name),
                ));
            }
            let b = ToolBuilder {
                cx: &cx,
                path: p,
                domain: &d.domain,
                coll_index: &coll_index,
                colls: &colls,
            };
            let built = b.build(t, di)?;
            specs.push(built.spec);
            tools.push(built.tool);
            param_entities.push(built.params);
            result_entities.push(built.results);
        }
    }
    let mut validators = Vec::with_capacity(specs.len());
    for (i, s) in specs.iter().enumerate() {
        let v = jsonschema::validator_for(&s.parameters).map_err(|e| WorldError {
            source_name: domains[tools[i].domain].source.clone(),
            path: format!("tool {}", s.name),
            message: format!("parameter schema does not compile: {e}"),
        })?;
        validators.push(v);
    }
    let date_floors = specs.iter().map(date_floors).collect();
    let shared_specs = specs.iter().cloned().map(Arc::new).collect();
    Ok(WorldDef {
        domains,
        colls,
        tools,
        specs,
        shared_specs,
        by_name,
        validators,
        date_floors,
        param_entities,
        result_entities,
    })
}

/// Whether a name is snake_case.
pub(super) fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `<domain>.<name>` unless the name is already qualified.
/// The type of a `same` field not known yet (it follows another `same` field).
const SAME_PENDING: usize = usize::MAX;

pub(super) fn qualify(domain: &str, name: &str) -> String {
    if name.contains('.') {
        name.to_string()
    } else {
        format!("{domain}.{name}")
    }
}

fn strings(list: &[&'static str]) -> Vec<Arc<str>> {
    list.iter().map(|s| Arc::from(*s)).collect()
}

/// The index of the earlier date field `name`, or an error at `at`.
fn earlier_date(
    cx: &Ctx<'_>,
    at: &str,
    earlier: &[Field],
    name: &str,
) -> Result<usize, WorldError> {
    earlier
        .iter()
        .position(|f| f.name == name && f.ty == Ty::Date)
        .ok_or_else(|| cx.err(at, format!("no earlier date field {name:?}")))
}

/// Compiles the parts of a `concat`, `one_of` or `distinct` (at least one; no refs or
/// e-mails, which are tied to other fields).
fn compile_parts(
    parts: &[Gen],
    cx: &Ctx<'_>,
    p: &str,
    domain: &str,
    coll_index: &HashMap<String, usize>,
    shells: &[(usize, &dsl::CollectionDef)],
    earlier: &[Field],
) -> Result<Vec<G>, WorldError> {
    if parts.is_empty() {
        return Err(cx.err(format!("{p}.parts"), "give at least one part"));
    }
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let at = format!("{p}.parts[{i}]");
        let (g, _) = compile_gen(part, cx, &at, domain, coll_index, shells, earlier, 0)?;
        if matches!(g, G::Ref(..) | G::RefWhere(..) | G::Email(_) | G::Same(..)) {
            return Err(cx.err(at, "refs and e-mails cannot be combined with other values"));
        }
        out.push(g);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn compile_gen(
    g: &Gen,
    cx: &Ctx<'_>,
    p: &str,
    domain: &str,
    coll_index: &HashMap<String, usize>,
    shells: &[(usize, &dsl::CollectionDef)],
    earlier: &[Field],
    count: u32,
) -> Result<(G, Ty), WorldError> {
    let values = |pool: &Option<String>,
                  values: &Option<Vec<String>>|
     -> Result<Vec<Arc<str>>, WorldError> {
        match (pool, values) {
            (Some(name), None) => pools::pool(name).map(strings).ok_or_else(|| {
                cx.err(
                    format!("{p}.pool"),
                    format!(
                        "unknown pool {name:?}; known: {}",
                        pools::pool_names().collect::<Vec<_>>().join(", ")
                    ),
                )
            }),
            (None, Some(v)) if !v.is_empty() => {
                Ok(v.iter().map(|s| Arc::from(s.as_str())).collect())
            }
            _ => Err(cx.err(p, "give exactly one of `pool` or a non-empty `values`")),
        }
    };
    Ok(match g {
        Gen::Pick { pool, values: v } => (G::Pick(values(pool, v)?), Ty::Str),
        Gen::Unique { pool, values: v } => {
            let list = values(pool, v)?;
            if (list.len() as u32) < count {
                return Err(cx.err(
                    p,
                    format!(
                        "unique pool has {} values but the collection has {count} rows",
                        list.len()
                    ),
                ));
            }
            (G::Unique(list), Ty::Str)
        }
        Gen::Enum { values: v, weights } => {
            if v.is_empty() {
                return Err(cx.err(format!("{p}.values"), "enum needs values"));
            }
            if let Some(w) = weights {
                if w.len() != v.len() || w.iter().all(|x| *x == 0) {
                    return Err(cx.err(
                        format!("{p}.weights"),
                        "weights must match values and not all be 0",
                    ));
                }
            }
            (
                G::Enum(
                    v.iter().map(|s| Arc::from(s.as_str())).collect(),
                    weights.clone(),
                ),
                Ty::Enum(v.clone()),
            )
        }
        Gen::Int { min, max } => {
            if min > max {
                return Err(cx.err(p, "min is above max"));
            }
            (G::Int(*min, *max), Ty::Int)
        }
        Gen::Money { min, max } => {
            if min > max {
                return Err(cx.err(p, "min is above max"));
            }
            (G::Num(*min, *max, 2), Ty::Num(2))
        }
        Gen::Number { min, max, decimals } => {
            if min > max {
                return Err(cx.err(p, "min is above max"));
            }
            (G::Num(*min, *max, *decimals), Ty::Num(*decimals))
        }
        Gen::Bool { p: prob } => (G::Bool(*prob), Ty::Bool),
        Gen::Date { from, days } => {
            let d = parse_date(from)
                .ok_or_else(|| cx.err(format!("{p}.from"), "not a YYYY-MM-DD date"))?;
            if *days == 0 {
                return Err(cx.err(format!("{p}.days"), "days must be at least 1"));
            }
            (G::Date(d, *days), Ty::Date)
        }
        Gen::DateAfter { after, min, max } => {
            if min > max {
                return Err(cx.err(p, "min is above max"));
            }
            (
                G::DateAfter(
                    earlier_date(cx, &format!("{p}.after"), earlier, after)?,
                    *min,
                    *max,
                ),
                Ty::Date,
            )
        }
        Gen::DaysBetween { from, to } => (
            G::DaysBetween(
                earlier_date(cx, &format!("{p}.from"), earlier, from)?,
                earlier_date(cx, &format!("{p}.to"), earlier, to)?,
            ),
            Ty::Int,
        ),
        Gen::PersonName => (G::PersonName, Ty::Str),
        Gen::Email { name_field } => {
            let i = earlier
                .iter()
                .position(|f| &f.name == name_field && f.ty == Ty::Str)
                .ok_or_else(|| {
                    cx.err(
                        format!("{p}.name_field"),
                        format!("no earlier string field {name_field:?}"),
                    )
                })?;
            (G::Email(i), Ty::Str)
        }
        Gen::Phone => (G::Phone, Ty::Str),
        Gen::Code {
            len,
            digits,
            pattern,
        } => {
            let pattern = match pattern {
                Some(pat) => {
                    // Enough free characters that a table's codes can all differ.
                    let free = pat.chars().filter(|c| matches!(c, '#' | '@' | '*')).count();
                    if free < 3 || pat.chars().count() > 40 {
                        return Err(cx.err(
                            format!("{p}.pattern"),
                            "a code pattern has at most 40 characters, at least 3 of them # (digit), @ (letter) or * (either)",
                        ));
                    }
                    pat.clone()
                }
                None => {
                    if !(3..=20).contains(len) {
                        return Err(cx.err(format!("{p}.len"), "code length must be 3..=20"));
                    }
                    let c = if *digits { "*" } else { "@" };
                    c.repeat(usize::from(*len))
                }
            };
            (G::Code(Arc::from(pattern)), Ty::Str)
        }
        Gen::Text { words } => (G::Text((*words).max(1)), Ty::Str),
        Gen::Concat { parts, sep } => {
            let out = compile_parts(parts, cx, p, domain, coll_index, shells, earlier)?;
            (
                G::Concat(out, sep.clone().unwrap_or_else(|| " ".into())),
                Ty::Str,
            )
        }
        Gen::OneOf { parts } => {
            let out = compile_parts(parts, cx, p, domain, coll_index, shells, earlier)?;
            (G::OneOf(out), Ty::Str)
        }
        Gen::Distinct { of } => {
            let parts = std::slice::from_ref(of.as_ref());
            let mut out = compile_parts(parts, cx, p, domain, coll_index, shells, earlier)?;
            let g = out
                .pop()
                .ok_or_else(|| cx.err(format!("{p}.of"), "missing generator"))?;
            // A repeat is drawn again: with four values per row a draw seldom repeats.
            if g.variety() / 4 < u64::from(count) {
                return Err(cx.err(
                    format!("{p}.of"),
                    format!(
                        "distinct needs at least 4 possible values per row: about {} for {count} rows",
                        g.variety()
                    ),
                ));
            }
            (G::Distinct(Box::new(g)), Ty::Str)
        }
        Gen::Same { via, field } => {
            let (vi, tc) = earlier
                .iter()
                .enumerate()
                .find_map(|(i, f)| match f.ty {
                    Ty::Ref(tc) if f.name == *via => Some((i, tc)),
                    _ => None,
                })
                .ok_or_else(|| {
                    cx.err(
                        format!("{p}.via"),
                        format!("{via:?} is not an earlier ref field"),
                    )
                })?;
            let target = shells[tc].1;
            let (tf, to) = target
                .fields
                .iter()
                .enumerate()
                .find_map(|(i, f)| match &f.gen {
                    Gen::Ref { to, .. } if f.name == *field => Some((i, Some(to))),
                    Gen::Same { .. } if f.name == *field => Some((i, None)),
                    _ => None,
                })
                .ok_or_else(|| {
                    cx.err(
                        format!("{p}.field"),
                        format!("{field:?} is not a ref field of {:?}", target.name),
                    )
                })?;
            let Some(to) = to else {
                // Following another `same` field: its type is known once every collection
                // is compiled (see `SAME_PENDING`).
                return Ok((G::Same(vi, tc, tf), Ty::Ref(SAME_PENDING)));
            };
            // The target's own domain qualifies its ref.
            let tdomain = coll_index
                .iter()
                .find(|(_, &i)| i == tc)
                .and_then(|(k, _)| k.split_once('.'))
                .map_or(domain, |(d, _)| d);
            let q = qualify(tdomain, to);
            let ci = *coll_index
                .get(&q)
                .ok_or_else(|| cx.err(format!("{p}.field"), format!("unknown collection {q:?}")))?;
            (G::Same(vi, tc, tf), Ty::Ref(ci))
        }
        Gen::Ref { to, only } => {
            let q = qualify(domain, to);
            let ci = *coll_index
                .get(&q)
                .ok_or_else(|| cx.err(format!("{p}.to"), format!("unknown collection {q:?}")))?;
            let (count, prefix) = (shells[ci].1.count, shells[ci].1.prefix.clone());
            let Some(only) = only else {
                return Ok((G::Ref(ci, count, prefix), Ty::Ref(ci)));
            };
            let target = shells[ci].1;
            let tf = target
                .fields
                .iter()
                .position(|f| f.name == only.field)
                .ok_or_else(|| {
                    cx.err(
                        format!("{p}.where.field"),
                        format!("{:?} is not a field of {:?}", only.field, target.name),
                    )
                })?;
            // The tested field is matched against seeded rows: it must be one the target
            // generates from a list of values (`enum`, or `bool` with "true" and "false"), and
            // every value must be one of them.
            let bools = ["true".to_string(), "false".to_string()];
            let values = match &target.fields[tf].gen {
                Gen::Enum { values, .. } => values,
                Gen::Bool { .. } => &bools[..],
                _ => {
                    return Err(cx.err(
                        format!("{p}.where.field"),
                        format!(
                            "{:?} of {:?} is not an enum or bool field",
                            only.field, target.name
                        ),
                    ))
                }
            };
            if only.values.is_empty() || only.values.iter().any(|v| !values.contains(v)) {
                return Err(cx.err(
                    format!("{p}.where.values"),
                    format!("values must be some of {values:?}"),
                ));
            }
            (
                G::RefWhere(ci, count, prefix, tf, only.values.clone()),
                Ty::Ref(ci),
            )
        }
    })
}

/// The `formatMinimum`/`formatMaximum` dates of a spec's params: JSON Schema validators do
/// not check them.
fn date_floors(spec: &ToolSpec) -> Vec<DateBound> {
    spec.parameters
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(p, s)| {
            let (lo, hi) = crate::world::value::date_bounds(s);
            (lo.is_some() || hi.is_some()).then(|| (p.clone(), lo, hi))
        })
        .collect()
}
