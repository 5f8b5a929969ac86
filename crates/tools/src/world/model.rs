//! The compiled world: domain files resolved into indexed collections and tools, with their
//! JSON Schemas, validators and the true dependency edges derived from the data.

use super::dsl::{self, AggFunc, DomainDef, FilterMode, Gen, Op};
use super::pools;
use super::value::{parse_date, Val};
use hardgen_core::ToolSpec;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A domain file that does not make sense: names the file and the path inside it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{source_name}: {path}: {message}")]
pub struct WorldError {
    /// File name of the domain.
    pub source_name: String,
    /// Path inside the file, e.g. `tools[3].rules[0].target`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Field type as the engine and the schemas see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// Free string.
    Str,
    /// Closed set of strings.
    Enum(Vec<String>),
    /// Integer.
    Int,
    /// Number with decimals.
    Num(u8),
    /// Boolean.
    Bool,
    /// `YYYY-MM-DD`.
    Date,
    /// Id of a row of collection (index).
    Ref(usize),
}

/// Compiled value generator.
#[derive(Debug, Clone)]
pub enum G {
    /// Pick with repetition.
    Pick(Vec<Arc<str>>),
    /// Pick without repetition.
    Unique(Vec<Arc<str>>),
    /// Enum pick, optionally weighted.
    Enum(Vec<Arc<str>>, Option<Vec<u32>>),
    /// Integer range.
    Int(i64, i64),
    /// Number range with decimals.
    Num(f64, f64, u8),
    /// Boolean with probability.
    Bool(f64),
    /// Date: first day (days since epoch) and span.
    Date(i64, u32),
    /// Person name.
    PersonName,
    /// E-mail from the field at this index.
    Email(usize),
    /// Phone number.
    Phone,
    /// Unique code.
    Code(u8, bool),
    /// Short text.
    Text(u8),
    /// Concatenation.
    Concat(Vec<G>, String),
    /// Reference to collection (index) with `count` seeded rows and its id prefix.
    Ref(usize, u32, String),
}

/// A compiled field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Name.
    pub name: String,
    /// Description.
    pub desc: String,
    /// Generator.
    pub gen: G,
    /// Type.
    pub ty: Ty,
    /// Secret (a PIN): never shown in results.
    pub hidden: bool,
}

/// A compiled collection.
#[derive(Debug, Clone)]
pub struct Coll {
    /// Domain index.
    pub domain: usize,
    /// Name (`account`).
    pub name: String,
    /// Id prefix (`BKA`).
    pub prefix: String,
    /// Seeded rows.
    pub count: u32,
    /// What a row is.
    pub desc: String,
    /// Fields.
    pub fields: Vec<Field>,
    /// Result key of the primary id (`account_id`).
    pub id_key: String,
}

impl Coll {
    /// Field index by name.
    pub fn field(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
    /// Id string of row `idx`.
    pub fn id_of(&self, idx: usize) -> String {
        format!("{}-{}", self.prefix, 1001 + idx)
    }
    /// Row index of an id string, if it has this collection's shape (existence is checked by the caller).
    pub fn parse_id(&self, id: &str) -> Option<usize> {
        let rest = id.strip_prefix(self.prefix.as_str())?.strip_prefix('-')?;
        let n: usize = rest.parse().ok()?;
        n.checked_sub(1001)
    }
}

/// Where a rule or expression looks: a ref param, the row itself, or a row a field of self points to.
#[derive(Debug, Clone)]
pub enum Target {
    /// The row being read/created/changed.
    SelfRow,
    /// The row named by a ref param (param, collection).
    Param(String, usize),
    /// The row a ref field of self points to (field index, collection).
    SelfRef(usize, usize),
}

/// Compiled numeric expression.
#[derive(Debug, Clone)]
pub enum Expr {
    /// Literal.
    Num(f64),
    /// Param value.
    Param(String),
    /// Field of a target row.
    Field(Target, usize),
    /// Product.
    Mul(Vec<Expr>),
    /// Sum.
    Add(Vec<Expr>),
    /// Difference.
    Sub(Box<Expr>, Box<Expr>),
    /// Days between two date params.
    Days(String, String),
}

/// Compiled condition.
#[derive(Debug, Clone)]
pub struct Cond {
    /// Field index.
    pub field: usize,
    /// Accepted values.
    pub values: Vec<String>,
}

/// Compiled filter.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Field index.
    pub field: usize,
    /// Comparison.
    pub mode: FilterMode,
    /// Param name.
    pub param: String,
}

/// Compiled input.
#[derive(Debug, Clone)]
pub struct Input {
    /// Param name.
    pub param: String,
    /// Field set, if any.
    pub field: Option<usize>,
    /// Type of the param.
    pub ty: Ty,
    /// Default when optional.
    pub default: Option<Value>,
    /// Required param.
    pub required: bool,
}

/// Compiled rule.
#[derive(Debug, Clone)]
pub enum Rule {
    /// Field of target in values.
    Require(Target, usize, Vec<String>),
    /// Subtract from a numeric field.
    Debit(Target, usize, Expr),
    /// Add to a numeric field.
    Credit(Target, usize, Expr),
    /// value <= limit.
    AtMost(Expr, Expr, String),
    /// At most n rows share the ref field.
    Quota(usize, u32, Option<Cond>),
    /// No other row with the same values.
    Unique(Vec<usize>, Option<Cond>),
    /// Field of target equals a param, or (`Some(field)`) a field of the row itself.
    Same(Target, usize, String, Option<usize>),
    /// Date param before date param.
    Before(String, String),
}

/// Compiled token requirement.
#[derive(Debug, Clone)]
pub struct Auth {
    /// Scope.
    pub scope: String,
    /// Row the token must be for.
    pub subject: Target,
}

/// The operation of a compiled tool.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Filtered search.
    Search {
        /// Filters.
        filters: Vec<Filter>,
        /// Sort field and descending flag.
        sort: Option<(usize, bool)>,
        /// Row condition.
        only: Option<Cond>,
    },
    /// Unique lookup.
    Lookup {
        /// Field matched.
        field: usize,
    },
    /// Read by id.
    Get,
    /// Children of a parent.
    List {
        /// Ref field to the parent.
        via: usize,
        /// Filters.
        filters: Vec<Filter>,
        /// Sort.
        sort: Option<(usize, bool)>,
    },
    /// Aggregate over children.
    Aggregate {
        /// Ref field to the parent.
        via: usize,
        /// Function.
        func: AggFunc,
        /// Field aggregated.
        field: Option<usize>,
        /// Result key.
        key: String,
        /// Row condition.
        only: Option<Cond>,
    },
    /// Insert.
    Create {
        /// Inputs.
        inputs: Vec<Input>,
        /// Constant fields.
        set: Vec<(usize, Val)>,
        /// Computed fields.
        compute: Vec<(usize, Expr)>,
        /// Rules.
        rules: Vec<Rule>,
    },
    /// State change.
    Transition {
        /// Status field.
        field: usize,
        /// Allowed current values.
        from: Vec<String>,
        /// New value.
        to: Val,
        /// Extra inputs.
        inputs: Vec<Input>,
        /// Rules.
        rules: Vec<Rule>,
    },
    /// Field update.
    Update {
        /// Settable fields.
        inputs: Vec<Input>,
        /// Row condition.
        only: Option<Cond>,
        /// Rules.
        rules: Vec<Rule>,
    },
    /// Move an amount between rows.
    Transfer {
        /// Numeric field.
        field: usize,
        /// Largest amount.
        max: Option<f64>,
        /// Row condition.
        only: Option<Cond>,
    },
    /// Issue a token.
    Authorize {
        /// Scope.
        scope: String,
        /// Uses.
        uses: u32,
        /// Secret field.
        secret: Option<usize>,
        /// Row condition.
        only: Option<Cond>,
    },
}

/// A compiled tool.
#[derive(Debug, Clone)]
pub struct Tool {
    /// Name.
    pub name: String,
    /// Domain index.
    pub domain: usize,
    /// Main collection index.
    pub coll: usize,
    /// Operation.
    pub kind: Kind,
    /// Token requirement.
    pub auth: Option<Auth>,
}

/// What kind of value a param needs or a result field carries, for dependency derivation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Entity {
    /// Id of a row of collection (index).
    Id(usize),
    /// Token of a scope.
    Token(String),
}

/// A true dependency: `from_tool`'s result field `from_field` can feed `to_tool`'s param `to_param`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// Producing tool.
    pub from_tool: String,
    /// Result field path (`results[].account_id`).
    pub from_field: String,
    /// Consuming tool.
    pub to_tool: String,
    /// Parameter fed.
    pub to_param: String,
    /// Whether the parameter is required.
    pub required: bool,
}

/// Domain metadata.
#[derive(Debug, Clone)]
pub struct DomainInfo {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// File the domain came from.
    pub source: String,
}

/// The compiled world definition (immutable, shared by all environments).
pub struct WorldDef {
    /// Domains.
    pub domains: Vec<DomainInfo>,
    /// Collections.
    pub colls: Vec<Coll>,
    /// Tools, in spec order.
    pub tools: Vec<Tool>,
    /// Specs, same order.
    pub specs: Vec<ToolSpec>,
    /// The same specs, shared (records hold these instead of copies).
    pub shared_specs: Vec<Arc<ToolSpec>>,
    /// Tool index by name.
    pub by_name: HashMap<String, usize>,
    /// Argument validators, same order.
    pub validators: Vec<jsonschema::Validator>,
    /// Entity kinds of params per tool: (param, entity, required).
    pub param_entities: Vec<Vec<(String, Entity, bool)>>,
    /// Entity kinds of result fields per tool: (path, entity).
    pub result_entities: Vec<Vec<(String, Entity)>>,
}

impl std::fmt::Debug for WorldDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorldDef")
            .field("domains", &self.domains.len())
            .field("tools", &self.tools.len())
            .finish()
    }
}

struct Ctx<'a> {
    source: &'a str,
}

impl Ctx<'_> {
    fn err(&self, path: impl Into<String>, message: impl Into<String>) -> WorldError {
        WorldError {
            source_name: self.source.to_string(),
            path: path.into(),
            message: message.into(),
        }
    }
}

const ID_PATTERN_SUFFIX: &str = "-[0-9]{4,}$";

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
    let shared_specs = specs.iter().cloned().map(Arc::new).collect();
    Ok(WorldDef {
        domains,
        colls,
        tools,
        specs,
        shared_specs,
        by_name,
        validators,
        param_entities,
        result_entities,
    })
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn qualify(domain: &str, name: &str) -> String {
    if name.contains('.') {
        name.to_string()
    } else {
        format!("{domain}.{name}")
    }
}

fn strings(list: &[&'static str]) -> Vec<Arc<str>> {
    list.iter().map(|s| Arc::from(*s)).collect()
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
        Gen::Code { len, digits } => {
            if !(3..=20).contains(len) {
                return Err(cx.err(format!("{p}.len"), "code length must be 3..=20"));
            }
            (G::Code(*len, *digits), Ty::Str)
        }
        Gen::Text { words } => (G::Text((*words).max(1)), Ty::Str),
        Gen::Concat { parts, sep } => {
            let mut out = Vec::new();
            for (i, part) in parts.iter().enumerate() {
                let (g, _) = compile_gen(
                    part,
                    cx,
                    &format!("{p}.parts[{i}]"),
                    domain,
                    coll_index,
                    shells,
                    earlier,
                    0,
                )?;
                if matches!(g, G::Ref(..) | G::Email(_)) {
                    return Err(cx.err(
                        format!("{p}.parts[{i}]"),
                        "refs and e-mails cannot be concatenated",
                    ));
                }
                out.push(g);
            }
            (
                G::Concat(out, sep.clone().unwrap_or_else(|| " ".into())),
                Ty::Str,
            )
        }
        Gen::Ref { to } => {
            let q = qualify(domain, to);
            let ci = *coll_index
                .get(&q)
                .ok_or_else(|| cx.err(format!("{p}.to"), format!("unknown collection {q:?}")))?;
            (
                G::Ref(ci, shells[ci].1.count, shells[ci].1.prefix.clone()),
                Ty::Ref(ci),
            )
        }
    })
}

struct Built {
    tool: Tool,
    spec: ToolSpec,
    params: Vec<(String, Entity, bool)>,
    results: Vec<(String, Entity)>,
}

struct ToolBuilder<'a> {
    cx: &'a Ctx<'a>,
    path: String,
    domain: &'a str,
    coll_index: &'a HashMap<String, usize>,
    colls: &'a [Coll],
}

/// Accumulates a tool's parameter schema.
#[derive(Default)]
struct Params {
    props: Map<String, Value>,
    required: Vec<String>,
    entities: Vec<(String, Entity, bool)>,
    /// At least one of these must be given (update tools).
    any_of: Vec<String>,
}

impl Params {
    fn add(&mut self, name: &str, schema: Value, required: bool, entity: Option<Entity>) {
        self.props.insert(name.to_string(), schema);
        if required {
            self.required.push(name.to_string());
        }
        if let Some(e) = entity {
            self.entities.push((name.to_string(), e, required));
        }
    }
    fn schema(&self) -> Value {
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
    fn err(&self, sub: &str, msg: impl Into<String>) -> WorldError {
        self.cx.err(format!("{}{sub}", self.path), msg)
    }

    fn coll(&self, name: &str, sub: &str) -> Result<usize, WorldError> {
        self.coll_index
            .get(&qualify(self.domain, name))
            .copied()
            .ok_or_else(|| self.err(sub, format!("unknown collection {name:?}")))
    }

    fn field(&self, c: usize, name: &str, sub: &str) -> Result<usize, WorldError> {
        self.colls[c].field(name).ok_or_else(|| {
            self.err(
                sub,
                format!("collection {:?} has no field {name:?}", self.colls[c].name),
            )
        })
    }

    fn cond(
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

    fn sort(&self, c: usize, s: &Option<dsl::Sort>) -> Result<Option<(usize, bool)>, WorldError> {
        s.as_ref()
            .map(|s| Ok((self.field(c, &s.field, ".sort.field")?, s.desc)))
            .transpose()
    }

    /// JSON Schema of a value of type `ty` with a description.
    fn value_schema(&self, ty: &Ty, desc: &str) -> Value {
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

    fn id_param(&self, p: &mut Params, c: usize, name: &str, desc: &str) {
        let schema = self.value_schema(&Ty::Ref(c), desc);
        p.add(name, schema, true, Some(Entity::Id(c)));
    }

    fn row_schema(&self, c: usize) -> (Value, Vec<(String, Entity)>) {
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

    fn list_schema(&self, c: usize) -> (Value, Vec<(String, Entity)>) {
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

    fn filters(
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

    fn limit(p: &mut Params) {
        p.add(
            "limit",
            json!({"type": "integer", "minimum": 1, "maximum": 50, "default": 10, "description": "Most results to return"}),
            false,
            None,
        );
    }

    fn inputs(
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

    /// Resolves a target path against the tool's collection and params.
    fn target(
        &self,
        c: usize,
        t: &str,
        p: &Params,
        has_self: bool,
        sub: &str,
    ) -> Result<Target, WorldError> {
        if t == "self" {
            if !has_self {
                return Err(self.err(sub, "`self` is not available in this tool"));
            }
            return Ok(Target::SelfRow);
        }
        if let Some(f) = t.strip_prefix("self.") {
            if !has_self {
                return Err(self.err(sub, "`self` is not available in this tool"));
            }
            let fi = self.field(c, f, sub)?;
            return match self.colls[c].fields[fi].ty {
                Ty::Ref(tc) => Ok(Target::SelfRef(fi, tc)),
                _ => Err(self.err(sub, format!("field {f:?} is not a ref"))),
            };
        }
        match p.entities.iter().find(|(n, _, _)| n == t) {
            Some((_, Entity::Id(tc), _)) => Ok(Target::Param(t.to_string(), *tc)),
            _ => Err(self.err(
                sub,
                format!("{t:?} is not a ref param of this tool, `self` or `self.<ref field>`"),
            )),
        }
    }

    fn target_field(&self, c: usize, t: &Target, f: &str, sub: &str) -> Result<usize, WorldError> {
        let tc = match t {
            Target::SelfRow => c,
            Target::Param(_, tc) | Target::SelfRef(_, tc) => *tc,
        };
        self.field(tc, f, sub)
    }

    fn expr(
        &self,
        c: usize,
        e: &dsl::Expr,
        p: &Params,
        has_self: bool,
        sub: &str,
    ) -> Result<Expr, WorldError> {
        Ok(match e {
            dsl::Expr::Num(x) => Expr::Num(*x),
            dsl::Expr::Param { param } => {
                match p
                    .props
                    .get(param)
                    .and_then(|s| s.get("type"))
                    .and_then(Value::as_str)
                {
                    Some("integer" | "number") => Expr::Param(param.clone()),
                    _ => return Err(self.err(sub, format!("{param:?} is not a numeric param"))),
                }
            }
            dsl::Expr::Field { field: [t, f] } => {
                let target = self.target(c, t, p, has_self, sub)?;
                let fi = self.target_field(c, &target, f, sub)?;
                let tc = match &target {
                    Target::SelfRow => c,
                    Target::Param(_, tc) | Target::SelfRef(_, tc) => *tc,
                };
                if !matches!(self.colls[tc].fields[fi].ty, Ty::Int | Ty::Num(_)) {
                    return Err(self.err(sub, format!("field {f:?} is not numeric")));
                }
                Expr::Field(target, fi)
            }
            dsl::Expr::Mul { mul } => Expr::Mul(
                mul.iter()
                    .map(|x| self.expr(c, x, p, has_self, sub))
                    .collect::<Result<_, _>>()?,
            ),
            dsl::Expr::Add { add } => Expr::Add(
                add.iter()
                    .map(|x| self.expr(c, x, p, has_self, sub))
                    .collect::<Result<_, _>>()?,
            ),
            dsl::Expr::Sub { sub: parts } => Expr::Sub(
                Box::new(self.expr(c, &parts[0], p, has_self, sub)?),
                Box::new(self.expr(c, &parts[1], p, has_self, sub)?),
            ),
            dsl::Expr::Days { days: [a, b] } => {
                for d in [a, b] {
                    if p.props.get(d).and_then(|s| s.get("pattern")).is_none() {
                        return Err(self.err(sub, format!("{d:?} is not a date param")));
                    }
                }
                Expr::Days(a.clone(), b.clone())
            }
        })
    }

    fn rules(&self, c: usize, rs: &[dsl::Rule], p: &Params) -> Result<Vec<Rule>, WorldError> {
        let mut out = Vec::new();
        for (i, r) in rs.iter().enumerate() {
            let sub = format!(".rules[{i}]");
            let numeric = |t: &Target, f: &str| -> Result<usize, WorldError> {
                let fi = self.target_field(c, t, f, &sub)?;
                let tc = match t {
                    Target::SelfRow => c,
                    Target::Param(_, tc) | Target::SelfRef(_, tc) => *tc,
                };
                if matches!(self.colls[tc].fields[fi].ty, Ty::Int | Ty::Num(_)) {
                    Ok(fi)
                } else {
                    Err(self.err(&sub, format!("field {f:?} is not numeric")))
                }
            };
            out.push(match r {
                dsl::Rule::Require {
                    target,
                    field,
                    values,
                } => {
                    let t = self.target(c, target, p, true, &sub)?;
                    let fi = self.target_field(c, &t, field, &sub)?;
                    Rule::Require(t, fi, values.clone())
                }
                dsl::Rule::Debit {
                    target,
                    field,
                    amount,
                } => {
                    let t = self.target(c, target, p, true, &sub)?;
                    let fi = numeric(&t, field)?;
                    Rule::Debit(t, fi, self.expr(c, amount, p, true, &sub)?)
                }
                dsl::Rule::Credit {
                    target,
                    field,
                    amount,
                } => {
                    let t = self.target(c, target, p, true, &sub)?;
                    let fi = numeric(&t, field)?;
                    Rule::Credit(t, fi, self.expr(c, amount, p, true, &sub)?)
                }
                dsl::Rule::AtMost {
                    value,
                    limit,
                    message,
                } => Rule::AtMost(
                    self.expr(c, value, p, true, &sub)?,
                    self.expr(c, limit, p, true, &sub)?,
                    message.clone(),
                ),
                dsl::Rule::Quota { via, max, only } => {
                    let fi = self.field(c, via, &sub)?;
                    Rule::Quota(fi, *max, self.cond(c, only, &sub)?)
                }
                dsl::Rule::Unique { fields, only } => Rule::Unique(
                    fields
                        .iter()
                        .map(|f| self.field(c, f, &sub))
                        .collect::<Result<_, _>>()?,
                    self.cond(c, only, &sub)?,
                ),
                dsl::Rule::Same {
                    target,
                    field,
                    param,
                } => {
                    let t = self.target(c, target, p, true, &sub)?;
                    let fi = self.target_field(c, &t, field, &sub)?;
                    let own = match param.strip_prefix("self.") {
                        Some(f) => Some(self.field(c, f, &sub)?),
                        None if p.props.contains_key(param) => None,
                        None => {
                            return Err(self.err(
                                &sub,
                                format!("unknown param {param:?} (or use `self.<field>`)"),
                            ))
                        }
                    };
                    Rule::Same(t, fi, param.clone(), own)
                }
                dsl::Rule::Before { first, second } => {
                    for d in [first, second] {
                        if p.props.get(d).and_then(|s| s.get("pattern")).is_none() {
                            return Err(self.err(&sub, format!("{d:?} is not a date param")));
                        }
                    }
                    Rule::Before(first.clone(), second.clone())
                }
            });
        }
        Ok(out)
    }

    fn auth(
        &self,
        c: usize,
        a: &Option<dsl::Auth>,
        p: &mut Params,
        has_self: bool,
    ) -> Result<Option<Auth>, WorldError> {
        let Some(a) = a else { return Ok(None) };
        if !is_snake(&a.scope) {
            return Err(self.err(".auth.scope", "scope must be snake_case"));
        }
        let subject = self.target(c, &a.subject, p, has_self, ".auth.subject")?;
        p.add(
            "token",
            json!({"type": "string", "pattern": format!("^tk_{}_[0-9a-f]{{12}}$", a.scope),
                   "description": format!("Access token of scope `{}` issued by an authorize tool for the {}", a.scope,
                        match &subject { Target::SelfRow => self.colls[c].name.clone(),
                                         Target::Param(_, tc) | Target::SelfRef(_, tc) => self.colls[*tc].name.clone() })}),
            true,
            Some(Entity::Token(a.scope.clone())),
        );
        Ok(Some(Auth {
            scope: a.scope.clone(),
            subject,
        }))
    }

    fn build(&self, t: &dsl::ToolDef, di: usize) -> Result<Built, WorldError> {
        let mut p = Params::default();
        let (coll_name, kind, returns, results, auth) = match &t.op {
            Op::Search {
                collection,
                filters,
                sort,
                only,
            } => {
                let c = self.coll(collection, ".collection")?;
                let filters = self.filters(c, filters, &mut p)?;
                Self::limit(&mut p);
                let (r, e) = self.list_schema(c);
                let kind = Kind::Search {
                    filters,
                    sort: self.sort(c, sort)?,
                    only: self.cond(c, only, ".only")?,
                };
                (c, kind, r, e, None)
            }
            Op::Lookup { collection, by } => {
                let c = self.coll(collection, ".collection")?;
                let fi = self.field(c, by, ".by")?;
                let f = &self.colls[c].fields[fi];
                if f.ty != Ty::Str || !matches!(f.gen, G::Unique(_) | G::Email(_) | G::Code(..)) {
                    return Err(self.err(
                        ".by",
                        "lookup needs a unique string field (unique, email or code)",
                    ));
                }
                p.add(
                    by,
                    json!({"type": "string", "description": f.desc}),
                    true,
                    None,
                );
                let (r, e) = self.row_schema(c);
                (c, Kind::Lookup { field: fi }, r, e, None)
            }
            Op::Get { collection, auth } => {
                let c = self.coll(collection, ".collection")?;
                let key = self.colls[c].id_key.clone();
                self.id_param(&mut p, c, &key, &format!("Id of {}", self.colls[c].desc));
                let a = self.auth(c, auth, &mut p, true)?;
                let (r, e) = self.row_schema(c);
                (c, Kind::Get, r, e, a)
            }
            Op::ListChildren {
                collection,
                via,
                filters,
                sort,
                auth,
            } => {
                let c = self.coll(collection, ".collection")?;
                let vi = self.field(c, via, ".via")?;
                let Ty::Ref(parent) = self.colls[c].fields[vi].ty else {
                    return Err(self.err(".via", format!("{via:?} is not a ref field")));
                };
                let desc = self.colls[c].fields[vi].desc.clone();
                self.id_param(&mut p, parent, via, &desc);
                let filters = self.filters(c, filters, &mut p)?;
                Self::limit(&mut p);
                let a = self.auth(c, auth, &mut p, false)?;
                let (r, e) = self.list_schema(c);
                let kind = Kind::List {
                    via: vi,
                    filters,
                    sort: self.sort(c, sort)?,
                };
                (c, kind, r, e, a)
            }
            Op::Aggregate {
                collection,
                via,
                func,
                field,
                as_key,
                only,
            } => {
                let c = self.coll(collection, ".collection")?;
                let vi = self.field(c, via, ".via")?;
                let Ty::Ref(parent) = self.colls[c].fields[vi].ty else {
                    return Err(self.err(".via", format!("{via:?} is not a ref field")));
                };
                let desc = self.colls[c].fields[vi].desc.clone();
                self.id_param(&mut p, parent, via, &desc);
                let fi = match (func, field) {
                    (AggFunc::Count, None) => None,
                    (_, Some(f)) => {
                        let fi = self.field(c, f, ".field")?;
                        if !matches!(self.colls[c].fields[fi].ty, Ty::Int | Ty::Num(_)) {
                            return Err(self.err(".field", "aggregated field must be numeric"));
                        }
                        Some(fi)
                    }
                    (_, None) => {
                        return Err(self.err(".field", "this function needs a numeric `field`"))
                    }
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
                let r = json!({"type": "object", "properties": {
                    via.clone(): self.value_schema(&Ty::Ref(parent), &desc),
                    "count": {"type": "integer", "description": "Number of rows aggregated"},
                    key.clone(): {"type": "number", "description": format!("{} of {} over {}", fname(*func), field.clone().unwrap_or_else(|| "rows".into()), self.colls[c].desc)}},
                    "required": [via, "count", key], "additionalProperties": false});
                let kind = Kind::Aggregate {
                    via: vi,
                    func: *func,
                    field: fi,
                    key,
                    only: self.cond(c, only, ".only")?,
                };
                (c, kind, r, vec![(via.clone(), Entity::Id(parent))], None)
            }
            Op::Create {
                collection,
                inputs,
                set,
                compute,
                rules,
                auth,
            } => {
                let c = self.coll(collection, ".collection")?;
                let inputs = self.inputs(c, inputs, &mut p, false)?;
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
                    comp.push((fi, self.expr(c, &cm.expr, &p, true, &sub)?));
                }
                for (fi, f) in self.colls[c].fields.iter().enumerate() {
                    let covered = inputs.iter().any(|x| x.field == Some(fi))
                        || set_vals.iter().any(|x| x.0 == fi);
                    if matches!(f.ty, Ty::Ref(_)) && !covered {
                        return Err(self.err(
                            ".inputs",
                            format!("ref field {:?} must be set by an input", f.name),
                        ));
                    }
                }
                let rules = self.rules(c, rules, &p)?;
                let a = self.auth(c, auth, &mut p, false)?;
                let (r, e) = self.row_schema(c);
                let kind = Kind::Create {
                    inputs,
                    set: set_vals,
                    compute: comp,
                    rules,
                };
                (c, kind, r, e, a)
            }
            Op::Transition {
                collection,
                field,
                from,
                to,
                inputs,
                rules,
                auth,
            } => {
                let c = self.coll(collection, ".collection")?;
                let key = self.colls[c].id_key.clone();
                self.id_param(&mut p, c, &key, &format!("Id of {}", self.colls[c].desc));
                let fi = self.field(c, field, ".field")?;
                let Ty::Enum(vals) = &self.colls[c].fields[fi].ty else {
                    return Err(self.err(".field", "a transition needs an enum field"));
                };
                for v in from.iter().chain(std::iter::once(to)) {
                    if !vals.contains(v) {
                        return Err(self.err(".to", format!("{v:?} is not a value of {field:?}")));
                    }
                }
                let inputs = self.inputs(c, inputs, &mut p, false)?;
                let rules = self.rules(c, rules, &p)?;
                let a = self.auth(c, auth, &mut p, true)?;
                let (r, e) = self.row_schema(c);
                let kind = Kind::Transition {
                    field: fi,
                    from: from.clone(),
                    to: Val::Str(Arc::from(to.as_str())),
                    inputs,
                    rules,
                };
                (c, kind, r, e, a)
            }
            Op::Update {
                collection,
                inputs,
                only,
                rules,
                auth,
            } => {
                let c = self.coll(collection, ".collection")?;
                let key = self.colls[c].id_key.clone();
                self.id_param(&mut p, c, &key, &format!("Id of {}", self.colls[c].desc));
                if inputs.is_empty() {
                    return Err(self.err(".inputs", "update needs at least one input"));
                }
                // One settable field: required. Several: each optional, at least one (anyOf).
                let inputs = self.inputs(c, inputs, &mut p, inputs.len() > 1)?;
                if inputs.len() > 1 {
                    p.any_of = inputs.iter().map(|i| i.param.clone()).collect();
                }
                if inputs.iter().any(|i| i.field.is_none()) {
                    return Err(self.err(".inputs", "update inputs must set fields"));
                }
                let rules = self.rules(c, rules, &p)?;
                let a = self.auth(c, auth, &mut p, true)?;
                let (r, e) = self.row_schema(c);
                let kind = Kind::Update {
                    inputs,
                    only: self.cond(c, only, ".only")?,
                    rules,
                };
                (c, kind, r, e, a)
            }
            Op::Transfer {
                collection,
                field,
                max,
                only,
                auth,
            } => {
                let c = self.coll(collection, ".collection")?;
                let fi = self.field(c, field, ".field")?;
                if !matches!(self.colls[c].fields[fi].ty, Ty::Num(_) | Ty::Int) {
                    return Err(self.err(".field", "transfer field must be numeric"));
                }
                let name = &self.colls[c].name;
                let desc = &self.colls[c].desc;
                let (fk, tk) = (format!("from_{name}_id"), format!("to_{name}_id"));
                self.id_param(&mut p, c, &fk, &format!("Id of the source: {desc}"));
                self.id_param(&mut p, c, &tk, &format!("Id of the destination: {desc}"));
                let mut amount = json!({"type": "number", "exclusiveMinimum": 0, "description": format!("Amount of {field} to move")});
                if let (Some(m), Some(o)) = (max, amount.as_object_mut()) {
                    o.insert("maximum".into(), json!(m));
                }
                p.add("amount", amount, true, None);
                let a = self.auth(c, auth, &mut p, false)?;
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
                (
                    c,
                    kind,
                    r,
                    vec![(fk, Entity::Id(c)), (tk, Entity::Id(c))],
                    a,
                )
            }
            Op::Authorize {
                collection,
                scope,
                uses,
                secret,
                only,
            } => {
                let c = self.coll(collection, ".collection")?;
                let key = self.colls[c].id_key.clone();
                self.id_param(&mut p, c, &key, &format!("Id of {}", self.colls[c].desc));
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
                    scope: scope.clone(),
                    uses: *uses,
                    secret: sfi,
                    only: self.cond(c, only, ".only")?,
                };
                (
                    c,
                    kind,
                    r,
                    vec![
                        ("token".into(), Entity::Token(scope.clone())),
                        (key, Entity::Id(c)),
                    ],
                    None,
                )
            }
        };
        Ok(Built {
            tool: Tool {
                name: t.name.clone(),
                domain: di,
                coll: coll_name,
                kind,
                auth,
            },
            spec: ToolSpec {
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

    fn literal(&self, ty: &Ty, v: &Value, sub: &str) -> Result<Val, WorldError> {
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
