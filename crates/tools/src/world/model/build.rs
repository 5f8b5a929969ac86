//! Compiling one tool: one function per operation, each giving the tool's parameters, compiled
//! operation, result schema and result entities.

use super::compile::{is_snake, qualify, Ctx};
use super::ir::*;
use super::schema::Params;
use crate::world::dsl::{self, AggFunc, Op};
use crate::world::value::{parse_date, Val};
use hardgen_core::ToolSpec;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// What one op's function yields: main collection, operation, result schema, result entities and
/// token requirement.
type Parts = (usize, Kind, Value, Vec<(String, Entity)>, Option<Auth>);

/// One compiled tool with its spec and the entities of its params and results.
pub(super) struct Built {
    pub(super) tool: Tool,
    pub(super) spec: ToolSpec,
    pub(super) params: Vec<(String, Entity, bool)>,
    pub(super) results: Vec<(String, Entity)>,
}

/// Compiles the tools of one domain file against the world's collections.
pub(super) struct ToolBuilder<'a> {
    pub(super) cx: &'a Ctx<'a>,
    pub(super) path: String,
    pub(super) domain: &'a str,
    pub(super) coll_index: &'a HashMap<String, usize>,
    pub(super) colls: &'a [Coll],
}

impl ToolBuilder<'_> {
    pub(super) fn err(&self, sub: &str, msg: impl Into<String>) -> WorldError {
        self.cx.err(format!("{}{sub}", self.path), msg)
    }

    pub(super) fn coll(&self, name: &str, sub: &str) -> Result<usize, WorldError> {
        self.coll_index
            .get(&qualify(self.domain, name))
            .copied()
            .ok_or_else(|| self.err(sub, format!("unknown collection {name:?}")))
    }

    pub(super) fn field(&self, c: usize, name: &str, sub: &str) -> Result<usize, WorldError> {
        self.colls[c].field(name).ok_or_else(|| {
            self.err(
                sub,
                format!("collection {:?} has no field {name:?}", self.colls[c].name),
            )
        })
    }

    pub(super) fn cond(
        &self,
        c: usize,
        cond: &Option<dsl::Cond>,
        sub: &str,
    ) -> Result<Option<Cond>, WorldError> {
        cond.as_ref()
            .map(|k| {
                Ok(Cond {
                    field: self.field(c, &k.field, &format!("{sub}.field"))?,
                    values: k.values.clone(),
                })
            })
            .transpose()
    }

    pub(super) fn sort(
        &self,
        c: usize,
        s: &Option<dsl::Sort>,
    ) -> Result<Option<(usize, bool)>, WorldError> {
        s.as_ref()
            .map(|s| Ok((self.field(c, &s.field, ".sort.field")?, s.desc)))
            .transpose()
    }

    /// Compiles one tool: the op's own function gives its parts, then the spec is assembled.
    pub(super) fn build(&self, t: &dsl::ToolDef, di: usize) -> Result<Built, WorldError> {
        let mut p = Params::default();
        let (coll_name, kind, returns, results, auth) = match &t.op {
            Op::Search {
                collection,
                filters,
                sort,
                only,
            } => self.search(&mut p, collection, filters, sort, only)?,
            Op::Lookup { collection, by } => self.lookup(&mut p, collection, by)?,
            Op::Get { collection, auth } => self.get(&mut p, collection, auth)?,
            Op::ListChildren {
                collection,
                via,
                filters,
                sort,
                auth,
            } => self.list_children(&mut p, collection, via, filters, sort, auth)?,
            Op::Aggregate {
                collection,
                via,
                func,
                field,
                as_key,
                only,
            } => self.aggregate(&mut p, collection, via, func, field, as_key, only)?,
            Op::Create {
                collection,
                inputs,
                set,
                compute,
                rules,
                auth,
            } => self.create(&mut p, collection, inputs, set, compute, rules, auth)?,
            Op::Transition {
                collection,
                field,
                from,
                to,
                inputs,
                rules,
                auth,
            } => self.transition(&mut p, collection, field, from, to, inputs, rules, auth)?,
            Op::Update {
                collection,
                inputs,
                only,
                rules,
                auth,
            } => self.update(&mut p, collection, inputs, only, rules, auth)?,
            Op::Transfer {
                collection,
                field,
                max,
                only,
                auth,
            } => self.transfer(&mut p, collection, field, max, only, auth)?,
            Op::Authorize {
                collection,
                scope,
                uses,
                secret,
                only,
            } => self.authorize(&mut p, collection, scope, uses, secret, only)?,
        };
        // A read needs no token of its own (a token's use is a state change).
        let reads = matches!(
            kind,
            Kind::Search { .. } | Kind::Lookup { .. } | Kind::Aggregate { .. }
        ) || (matches!(kind, Kind::Get | Kind::List { .. }) && auth.is_none());
        Ok(Built {
            tool: Tool {
                name: t.name.clone(),
                domain: di,
                coll: coll_name,
                kind,
                auth,
            },
            spec: ToolSpec {
                read_only: Some(reads),
                name: t.name.clone(),
                description: t.description.clone(),
                domain: self.domain.to_string(),
                parameters: p.schema(),
                returns: Some(returns),
            },
            params: p.entities,
            results,
        })
    }

    /// Compiles a `search` tool: its parameters, operation, result schema and token need.
    fn search(
        &self,
        p: &mut Params,
        collection: &str,
        filters: &[dsl::Filter],
        sort: &Option<dsl::Sort>,
        only: &Option<dsl::Cond>,
    ) -> Result<Parts, WorldError> {
        let c = self.coll(collection, ".collection")?;
        let filters = self.filters(c, filters, p)?;
        Self::limit(p);
        let (r, e) = self.list_schema(c);
        let kind = Kind::Search {
            filters,
            sort: self.sort(c, sort)?,
            only: self.cond(c, only, ".only")?,
        };
        Ok((c, kind, r, e, None))
    }

    /// Compiles a `lookup` tool: its parameters, operation, result schema and token need.
    fn lookup(&self, p: &mut Params, collection: &str, by: &str) -> Result<Parts, WorldError> {
        let c = self.coll(collection, ".collection")?;
        let fi = self.field(c, by, ".by")?;
        let f = &self.colls[c].fields[fi];
        if f.ty != Ty::Str
            || !matches!(
                f.gen,
                G::Unique(_) | G::Distinct(_) | G::Email(_) | G::Code(..)
            )
        {
            return Err(self.err(
                ".by",
                "lookup needs a unique string field (unique, distinct, email or code)",
            ));
        }
        p.add(
            by,
            json!({"type": "string", "description": f.desc}),
            true,
            None,
        );
        let (r, e) = self.row_schema(c);
        Ok((c, Kind::Lookup { field: fi }, r, e, None))
    }

    /// Compiles a `get` tool: its parameters, operation, result schema and token need.
    fn get(
        &self,
        p: &mut Params,
        collection: &str,
        auth: &Option<dsl::Auth>,
    ) -> Result<Parts, WorldError> {
        let c = self.coll(collection, ".collection")?;
        let key = self.colls[c].id_key.clone();
        self.id_param(p, c, &key, &format!("Id of {}", self.colls[c].desc));
        let a = self.auth(c, auth, p, true)?;
        let (r, e) = self.row_schema(c);
        Ok((c, Kind::Get, r, e, a))
    }

    /// Compiles a `list_children` tool: its parameters, operation, result schema and token need.
    fn list_children(
        &self,
        p: &mut Params,
        collection: &str,
        via: &str,
        filters: &[dsl::Filter],
        sort: &Option<dsl::Sort>,
        auth: &Option<dsl::Auth>,
    ) -> Result<Parts, WorldError> {
        let c = self.coll(collection, ".collection")?;
        let vi = self.field(c, via, ".via")?;
        let Ty::Ref(parent) = self.colls[c].fields[vi].ty else {
            return Err(self.err(".via", format!("{via:?} is not a ref field")));
        };
        let desc = self.colls[c].fields[vi].desc.clone();
        self.id_param(p, parent, via, &desc);
        let filters = self.filters(c, filters, p)?;
        Self::limit(p);
        let a = self.auth(c, auth, p, false)?;
        let (r, e) = self.list_schema(c);
        let kind = Kind::List {
            via: vi,
            filters,
            sort: self.sort(c, sort)?,
        };
        Ok((c, kind, r, e, a))
    }

    /// Compiles a `aggregate` tool: its parameters, operation, result schema and token need.
    #[allow(clippy::too_many_arguments)]
    fn aggregate(
        &self,
        p: &mut Params,
        collection: &str,
        via: &str,
        func: &AggFunc,
        field: &Option<String>,
        as_key: &Option<String>,
        only: &Option<dsl::Cond>,
    ) -> Result<Parts, WorldError> {
        let c = self.coll(collection, ".collection")?;
        let vi = self.field(c, via, ".via")?;
        let Ty::Ref(parent) = self.colls[c].fields[vi].ty else {
            return Err(self.err(".via", format!("{via:?} is not a ref field")));
        };
        let desc = self.colls[c].fields[vi].desc.clone();
        self.id_param(p, parent, via, &desc);
        let fi = match (func, field) {
            (AggFunc::Count, None) => None,
            (_, Some(f)) => {
                let fi = self.field(c, f, ".field")?;
                if !matches!(self.colls[c].fields[fi].ty, Ty::Int | Ty::Num(_)) {
                    return Err(self.err(".field", "aggregated field must be numeric"));
                }
                Some(fi)
            }
            (_, None) => return Err(self.err(".field", "this function needs a numeric `field`")),
        };
        let fname = |f: AggFunc| match f {
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::Count => "count",
        };
        let key = as_key.clone().unwrap_or_else(|| match field {
            Some(f) => format!("{}_{f}", fname(*func)),
            None => "total".to_string(),
        });
        if key == "count" || key == *via {
            return Err(self.err(".as", "result key clashes with `count` or the id"));
        }
        // "Number of vehicle reservations counted": what the count counts, in the words the
        // item's id gives, so an answer can say "over 3 vehicle reservations".
        let noun = self.colls[c]
            .id_key
            .trim_end_matches("_id")
            .replace('_', " ");
        let counted = match noun.rsplit_once(' ') {
            Some((head, last)) => format!("{head} {}", crate::infer::plural(last)),
            None => crate::infer::plural(&noun),
        };
        let r = json!({"type": "object", "properties": {
            via.to_string(): self.value_schema(&Ty::Ref(parent), &desc),
            "count": {"type": "integer", "description": format!("Number of {counted} counted")},
            key.clone(): {"type": "number", "description": format!("{} of {} over {}", fname(*func), field.clone().unwrap_or_else(|| "rows".into()), self.colls[c].desc)}},
            "required": [via, "count", key], "additionalProperties": false});
        let kind = Kind::Aggregate {
            via: vi,
            func: *func,
            field: fi,
            key,
            only: self.cond(c, only, ".only")?,
        };
        Ok((
            c,
            kind,
            r,
            vec![(via.to_string(), Entity::Id(parent))],
            None,
        ))
    }

    /// Compiles a `create` tool: its parameters, operation, result schema and token need.
    #[allow(clippy::too_many_arguments)]
    fn create(
        &self,
        p: &mut Params,
        collection: &str,
        inputs: &[dsl::Input],
        set: &Map<String, Value>,
        compute: &[dsl::Compute],
        rules: &[dsl::Rule],
        auth: &Option<dsl::Auth>,
    ) -> Result<Parts, WorldError> {
        let c = self.coll(collection, ".collection")?;
        let inputs = self.inputs(c, inputs, p, false)?;
        let mut set_vals = Vec::new();
        for (k, v) in set {
            let fi = self.field(c, k, ".set")?;
            set_vals.push((fi, self.literal(&self.colls[c].fields[fi].ty, v, ".set")?));
        }
        let mut comp = Vec::new();
        for (i, cm) in compute.iter().enumerate() {
            let sub = format!(".compute[{i}]");
            let fi = self.field(c, &cm.field, &sub)?;
            if !matches!(self.colls[c].fields[fi].ty, Ty::Int | Ty::Num(_)) {
                return Err(self.err(&sub, "computed field must be numeric"));
            }
            comp.push((fi, self.expr(c, &cm.expr, p, true, &sub)?));
        }
        for (fi, f) in self.colls[c].fields.iter().enumerate() {
            let covered =
                inputs.iter().any(|x| x.field == Some(fi)) || set_vals.iter().any(|x| x.0 == fi);
            if matches!(f.ty, Ty::Ref(_)) && !covered {
                return Err(self.err(
                    ".inputs",
                    format!("ref field {:?} must be set by an input", f.name),
                ));
            }
        }
        let rules = self.rules(c, rules, p)?;
        let a = self.auth(c, auth, p, false)?;
        let (r, e) = self.row_schema(c);
        let kind = Kind::Create {
            inputs,
            set: set_vals,
            compute: comp,
            rules,
        };
        Ok((c, kind, r, e, a))
    }

    /// Compiles a `transition` tool: its parameters, operation, result schema and token need.
    #[allow(clippy::too_many_arguments)]
    fn transition(
        &self,
        p: &mut Params,
        collection: &str,
        field: &str,
        from: &[String],
        to: &str,
        inputs: &[dsl::Input],
        rules: &[dsl::Rule],
        auth: &Option<dsl::Auth>,
    ) -> Result<Parts, WorldError> {
        let c = self.coll(collection, ".collection")?;
        let key = self.colls[c].id_key.clone();
        self.id_param(p, c, &key, &format!("Id of {}", self.colls[c].desc));
        let fi = self.field(c, field, ".field")?;
        let Ty::Enum(vals) = &self.colls[c].fields[fi].ty else {
            return Err(self.err(".field", "a transition needs an enum field"));
        };
        for v in from.iter().map(String::as_str).chain(std::iter::once(to)) {
            if !vals.iter().any(|x| x == v) {
                return Err(self.err(".to", format!("{v:?} is not a value of {field:?}")));
            }
        }
        let inputs = self.inputs(c, inputs, p, false)?;
        let rules = self.rules(c, rules, p)?;
        let a = self.auth(c, auth, p, true)?;
        let (r, e) = self.row_schema(c);
        let kind = Kind::Transition {
            field: fi,
            from: from.to_vec(),
            to: Val::Str(Arc::from(to)),
            inputs,
            rules,
        };
        Ok((c, kind, r, e, a))
    }

    /// Compiles a `update` tool: its parameters, operation, result schema and token need.
    fn update(
        &self,
        p: &mut Params,
        collection: &str,
        inputs: &[dsl::Input],
        only: &Option<dsl::Cond>,
        rules: &[dsl::Rule],
        auth: &Option<dsl::Auth>,
    ) -> Result<Parts, WorldError> {
        let c = self.coll(collection, ".collection")?;
        let key = self.colls[c].id_key.clone();
        self.id_param(p, c, &key, &format!("Id of {}", self.colls[c].desc));
        if inputs.is_empty() {
            return Err(self.err(".inputs", "update needs at least one input"));
        }
        // One settable field: required. Several: each optional, at least one (anyOf).
        let inputs = self.inputs(c, inputs, p, inputs.len() > 1)?;
        if inputs.len() > 1 {
            p.any_of = inputs.iter().map(|i| i.param.clone()).collect();
        }
        if inputs.iter().any(|i| i.field.is_none()) {
            return Err(self.err(".inputs", "update inputs must set fields"));
        }
        let rules = self.rules(c, rules, p)?;
        let a = self.auth(c, auth, p, true)?;
        let (r, e) = self.row_schema(c);
        let kind = Kind::Update {
            inputs,
            only: self.cond(c, only, ".only")?,
            rules,
        };
        Ok((c, kind, r, e, a))
    }

    /// Compiles a `transfer` tool: its parameters, operation, result schema and token need.
    fn transfer(
        &self,
        p: &mut Params,
        collection: &str,
        field: &str,
        max: &Option<f64>,
        only: &Option<dsl::Cond>,
        auth: &Option<dsl::Auth>,
    ) -> Result<Parts, WorldError> {
        let c = self.coll(collection, ".collection")?;
        let fi = self.field(c, field, ".field")?;
        if !matches!(self.colls[c].fields[fi].ty, Ty::Num(_) | Ty::Int) {
            return Err(self.err(".field", "transfer field must be numeric"));
        }
        let name = &self.colls[c].name;
        let desc = &self.colls[c].desc;
        let (fk, tk) = (format!("from_{name}_id"), format!("to_{name}_id"));
        self.id_param(p, c, &fk, &format!("Id of the source: {desc}"));
        self.id_param(p, c, &tk, &format!("Id of the destination: {desc}"));
        let mut amount = json!({"type": "number", "exclusiveMinimum": 0, "description": format!("Amount of {field} to move")});
        if let (Some(m), Some(o)) = (max, amount.as_object_mut()) {
            o.insert("maximum".into(), json!(m));
        }
        p.add("amount", amount, true, None);
        let a = self.auth(c, auth, p, false)?;
        let idschema = self.value_schema(&Ty::Ref(c), desc);
        let r = json!({"type": "object", "properties": {
            fk.clone(): idschema, tk.clone(): idschema,
            "amount": {"type": "number"},
            format!("from_{field}"): {"type": "number", "description": format!("{field} of the source after the transfer")},
            format!("to_{field}"): {"type": "number", "description": format!("{field} of the destination after the transfer")}},
            "required": [fk, tk, "amount", format!("from_{field}"), format!("to_{field}")],
            "additionalProperties": false});
        let kind = Kind::Transfer {
            field: fi,
            max: *max,
            only: self.cond(c, only, ".only")?,
        };
        Ok((
            c,
            kind,
            r,
            vec![(fk, Entity::Id(c)), (tk, Entity::Id(c))],
            a,
        ))
    }

    /// Compiles a `authorize` tool: its parameters, operation, result schema and token need.
    fn authorize(
        &self,
        p: &mut Params,
        collection: &str,
        scope: &str,
        uses: &u32,
        secret: &Option<String>,
        only: &Option<dsl::Cond>,
    ) -> Result<Parts, WorldError> {
        let c = self.coll(collection, ".collection")?;
        let key = self.colls[c].id_key.clone();
        self.id_param(p, c, &key, &format!("Id of {}", self.colls[c].desc));
        let sfi = match secret {
            Some(s) => {
                let fi = self.field(c, s, ".secret")?;
                let f = &self.colls[c].fields[fi];
                let schema = self.value_schema(&f.ty, &f.desc);
                p.add(s, schema, true, None);
                Some(fi)
            }
            None => None,
        };
        if !is_snake(scope) {
            return Err(self.err(".scope", "scope must be snake_case"));
        }
        if *uses == 0 {
            return Err(self.err(".uses", "uses must be at least 1"));
        }
        let r = json!({"type": "object", "properties": {
            "token": {"type": "string", "pattern": format!("^tk_{scope}_[0-9a-f]{{12}}$"), "description": format!("Access token of scope `{scope}`")},
            "scope": {"type": "string", "enum": [scope]},
            key.clone(): self.value_schema(&Ty::Ref(c), &format!("Id of {}", self.colls[c].desc)),
            "uses_left": {"type": "integer", "description": "Protected calls the token still allows"}},
            "required": ["token", "scope", key, "uses_left"], "additionalProperties": false});
        let kind = Kind::Authorize {
            scope: scope.to_string(),
            uses: *uses,
            secret: sfi,
            only: self.cond(c, only, ".only")?,
        };
        Ok((
            c,
            kind,
            r,
            vec![
                ("token".into(), Entity::Token(scope.to_string())),
                (key, Entity::Id(c)),
            ],
            None,
        ))
    }

    pub(super) fn literal(&self, ty: &Ty, v: &Value, sub: &str) -> Result<Val, WorldError> {
        let bad = || self.err(sub, format!("value {v} does not fit the field"));
        Ok(match (ty, v) {
            (Ty::Enum(vals), Value::String(s)) if vals.contains(s) => {
                Val::Str(Arc::from(s.as_str()))
            }
            (Ty::Str, Value::String(s)) => Val::Str(Arc::from(s.as_str())),
            (Ty::Date, Value::String(s)) if parse_date(s).is_some() => {
                Val::Str(Arc::from(s.as_str()))
            }
            (Ty::Int, Value::Number(n)) => Val::Int(n.as_i64().ok_or_else(bad)?),
            (Ty::Num(_), Value::Number(n)) => Val::Num(n.as_f64().ok_or_else(bad)?),
            (Ty::Bool, Value::Bool(b)) => Val::Bool(*b),
            _ => return Err(bad()),
        })
    }
}
