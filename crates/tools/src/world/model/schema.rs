//! Parameter and result JSON Schemas of compiled tools, and the entity each parameter or result
//! field carries (the raw material of the true dependencies).

use super::build::ToolBuilder;
use super::compile::ID_PATTERN_SUFFIX;
use super::ir::*;
use crate::world::dsl::{self, FilterMode};
use crate::world::value::parse_date;
use serde_json::{json, Map, Value};

/// Accumulates a tool's parameter schema.
#[derive(Default)]
pub(super) struct Params {
    pub(super) props: Map<String, Value>,
    pub(super) required: Vec<String>,
    pub(super) entities: Vec<(String, Entity, bool)>,
    /// At least one of these must be given (update tools).
    pub(super) any_of: Vec<String>,
}

impl Params {
    pub(super) fn add(
        &mut self,
        name: &str,
        schema: Value,
        required: bool,
        entity: Option<Entity>,
    ) {
        self.props.insert(name.to_string(), schema);
        if required {
            self.required.push(name.to_string());
        }
        if let Some(e) = entity {
            self.entities.push((name.to_string(), e, required));
        }
    }
    pub(super) fn schema(&self) -> Value {
        let mut s = json!({"type": "object", "properties": self.props, "required": self.required,
               "additionalProperties": false});
        if !self.any_of.is_empty() {
            let alts: Vec<Value> = self
                .any_of
                .iter()
                .map(|p| json!({"required": [p]}))
                .collect();
            s["anyOf"] = Value::Array(alts);
        }
        s
    }
}

impl ToolBuilder<'_> {
    /// JSON Schema of a value of type `ty` with a description.
    pub(super) fn value_schema(&self, ty: &Ty, desc: &str) -> Value {
        match ty {
            Ty::Str => json!({"type": "string", "description": desc}),
            Ty::Enum(v) => json!({"type": "string", "enum": v, "description": desc}),
            Ty::Int => json!({"type": "integer", "description": desc}),
            Ty::Num(_) => json!({"type": "number", "description": desc}),
            Ty::Bool => json!({"type": "boolean", "description": desc}),
            Ty::Date => json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                               "description": format!("{desc} (YYYY-MM-DD)")}),
            Ty::Ref(c) => json!({"type": "string",
                "pattern": format!("^{}{ID_PATTERN_SUFFIX}", self.colls[*c].prefix),
                "description": desc}),
        }
    }

    pub(super) fn id_param(&self, p: &mut Params, c: usize, name: &str, desc: &str) {
        let schema = self.value_schema(&Ty::Ref(c), desc);
        p.add(name, schema, true, Some(Entity::Id(c)));
    }

    pub(super) fn row_schema(&self, c: usize) -> (Value, Vec<(String, Entity)>) {
        let coll = &self.colls[c];
        let mut props = Map::new();
        let mut ents = vec![(coll.id_key.clone(), Entity::Id(c))];
        props.insert(
            coll.id_key.clone(),
            self.value_schema(&Ty::Ref(c), &format!("Id of {}", coll.desc)),
        );
        for f in coll.fields.iter().filter(|f| !f.hidden) {
            props.insert(f.name.clone(), self.value_schema(&f.ty, &f.desc));
            if let Ty::Ref(t) = f.ty {
                ents.push((f.name.clone(), Entity::Id(t)));
            }
        }
        let required: Vec<&String> = props.keys().collect();
        (
            json!({"type": "object", "properties": props, "required": required, "additionalProperties": false}),
            ents,
        )
    }

    pub(super) fn list_schema(&self, c: usize) -> (Value, Vec<(String, Entity)>) {
        let (row, ents) = self.row_schema(c);
        (
            json!({"type": "object", "properties": {
                "results": {"type": "array", "items": row, "description": format!("Matching rows: {}", self.colls[c].desc)},
                "count": {"type": "integer", "description": "Number of matches before the limit"}},
                "required": ["results", "count"], "additionalProperties": false}),
            ents.into_iter()
                .map(|(k, e)| (format!("results[].{k}"), e))
                .collect(),
        )
    }

    pub(super) fn filters(
        &self,
        c: usize,
        fs: &[dsl::Filter],
        p: &mut Params,
    ) -> Result<Vec<Filter>, WorldError> {
        let mut out = Vec::new();
        for (i, f) in fs.iter().enumerate() {
            let sub = format!(".filters[{i}]");
            let fi = self.field(c, &f.field, &format!("{sub}.field"))?;
            let field = &self.colls[c].fields[fi];
            let ok = match f.mode {
                FilterMode::Contains => field.ty == Ty::Str,
                FilterMode::Eq => true,
                FilterMode::Min | FilterMode::Max => matches!(field.ty, Ty::Int | Ty::Num(_)),
                FilterMode::After | FilterMode::Before => field.ty == Ty::Date,
            };
            if !ok {
                return Err(self.err(
                    &sub,
                    format!("mode {:?} does not fit field {:?}", f.mode, f.field),
                ));
            }
            let param = f.param.clone().unwrap_or_else(|| match f.mode {
                FilterMode::Contains | FilterMode::Eq => f.field.clone(),
                FilterMode::Min => format!("min_{}", f.field),
                FilterMode::Max => format!("max_{}", f.field),
                FilterMode::After => format!("{}_from", f.field),
                FilterMode::Before => format!("{}_to", f.field),
            });
            if p.props.contains_key(&param) {
                return Err(self.err(&sub, format!("param {param:?} is declared twice")));
            }
            let (schema, entity) = match f.mode {
                FilterMode::Contains => (
                    json!({"type": "string", "description": format!("Text contained in: {}", field.desc)}),
                    None,
                ),
                FilterMode::Eq => (
                    self.value_schema(&field.ty, &field.desc),
                    match field.ty {
                        Ty::Ref(t) => Some(Entity::Id(t)),
                        _ => None,
                    },
                ),
                FilterMode::Min => (
                    json!({"type": "number", "description": format!("Minimum of: {}", field.desc)}),
                    None,
                ),
                FilterMode::Max => (
                    json!({"type": "number", "description": format!("Maximum of: {}", field.desc)}),
                    None,
                ),
                FilterMode::After => (
                    self.value_schema(
                        &Ty::Date,
                        &format!("Earliest {}", field.desc.to_lowercase()),
                    ),
                    None,
                ),
                FilterMode::Before => (
                    self.value_schema(&Ty::Date, &format!("Latest {}", field.desc.to_lowercase())),
                    None,
                ),
            };
            p.add(&param, schema, f.required, entity);
            out.push(Filter {
                field: fi,
                mode: f.mode,
                param,
            });
        }
        Ok(out)
    }

    pub(super) fn limit(p: &mut Params) {
        p.add(
            "limit",
            json!({"type": "integer", "minimum": 1, "maximum": 50, "default": 10, "description": "Most results to return"}),
            false,
            None,
        );
    }

    pub(super) fn inputs(
        &self,
        c: usize,
        ins: &[dsl::Input],
        p: &mut Params,
        all_optional: bool,
    ) -> Result<Vec<Input>, WorldError> {
        let mut out = Vec::new();
        for (i, inp) in ins.iter().enumerate() {
            let sub = format!(".inputs[{i}]");
            let (field, ty, desc) = match (&inp.field, &inp.kind) {
                (Some(f), None) => {
                    let fi = self.field(c, f, &format!("{sub}.field"))?;
                    let fd = &self.colls[c].fields[fi];
                    (
                        Some(fi),
                        fd.ty.clone(),
                        inp.desc.clone().unwrap_or_else(|| fd.desc.clone()),
                    )
                }
                (None, Some(k)) => {
                    let ty = match k.as_str() {
                        "integer" => Ty::Int,
                        "number" => Ty::Num(2),
                        "string" => Ty::Str,
                        "date" => Ty::Date,
                        "boolean" => Ty::Bool,
                        other => {
                            return Err(
                                self.err(&format!("{sub}.type"), format!("unknown type {other:?}"))
                            )
                        }
                    };
                    let desc = inp.desc.clone().ok_or_else(|| {
                        self.err(&format!("{sub}.desc"), "a free param needs `desc`")
                    })?;
                    (None, ty, desc)
                }
                _ => return Err(self.err(&sub, "give either `field` or `type` (a free param)")),
            };
            let param = inp
                .param
                .clone()
                .or_else(|| inp.field.clone())
                .ok_or_else(|| self.err(&format!("{sub}.param"), "a free param needs `param`"))?;
            if p.props.contains_key(&param) {
                return Err(self.err(&sub, format!("param {param:?} is declared twice")));
            }
            let mut schema = self.value_schema(&ty, &desc);
            if let Some(o) = schema.as_object_mut() {
                if let Some(lo) = inp.min {
                    o.insert("minimum".into(), json!(lo));
                } else if matches!(ty, Ty::Num(2)) {
                    o.insert("minimum".into(), json!(0));
                }
                if let Some(hi) = inp.max {
                    o.insert("maximum".into(), json!(hi));
                }
                if let Some(d) = &inp.default {
                    o.insert("default".into(), d.clone());
                }
                let bounds = [
                    ("not_before", "formatMinimum", &inp.not_before),
                    ("not_after", "formatMaximum", &inp.not_after),
                ];
                for (key, keyword, bound) in bounds {
                    let Some(b) = bound else { continue };
                    if ty != Ty::Date || parse_date(b).is_none() {
                        return Err(self.err(
                            &format!("{sub}.{key}"),
                            format!("{key} needs a date param and a YYYY-MM-DD date"),
                        ));
                    }
                    o.insert(keyword.into(), json!(b));
                    let said = key.replace('_', " ");
                    let d = format!("{desc} (YYYY-MM-DD, {said} {b})");
                    o.insert("description".into(), json!(d));
                }
            }
            if let Some(d) = &inp.default {
                if !jsonschema::is_valid(&schema, d) {
                    return Err(self.err(
                        &format!("{sub}.default"),
                        format!("default {d} does not fit the param"),
                    ));
                }
            }
            let required = !all_optional && inp.default.is_none();
            let entity = match ty {
                Ty::Ref(t) => Some(Entity::Id(t)),
                _ => None,
            };
            p.add(&param, schema, required, entity);
            out.push(Input {
                param,
                field,
                ty,
                default: inp.default.clone(),
                required,
            });
        }
        Ok(out)
    }
}
