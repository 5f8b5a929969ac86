//! The compiled world's types: collections, fields, tools and their operations, rules, and the
//! entities that give the true dependencies.

use crate::world::dsl::{AggFunc, FilterMode};
use crate::world::value::Val;
use hardgen_core::ToolSpec;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
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
    /// Date `.1..=.2` days after the date field at index `.0`.
    DateAfter(usize, u32, u32),
    /// Days from the date field at index `.0` to the date field at index `.1`.
    DaysBetween(usize, usize),
    /// Person name.
    PersonName,
    /// E-mail from the field at this index.
    Email(usize),
    /// Phone number.
    Phone,
    /// Unique code of this shape (`#` digit, `@` letter, `*` either, other characters as they are).
    Code(Arc<str>),
    /// Short text.
    Text(u8),
    /// Concatenation.
    Concat(Vec<G>, String),
    /// One of several generators, chosen evenly.
    OneOf(Vec<G>),
    /// The generator's values without repetition within a table.
    Distinct(Box<G>),
    /// Reference to collection (index) with `count` seeded rows and its id prefix.
    Ref(usize, u32, String),
    /// Like `Ref`, then moved (once the table is generated) to a row of the target whose field
    /// `.3` holds one of `.4`.
    RefWhere(usize, u32, String, usize, Vec<String>),
    /// The value of field `.2` of the row of collection `.1` that this row's field `.0` points
    /// at (filled in once the table is generated).
    Same(usize, usize, usize),
}

impl G {
    /// About how many different values the generator can give (saturating; large for numbers
    /// and codes), so `distinct` can refuse a generator too small for its table.
    pub fn variety(&self) -> u64 {
        match self {
            G::Pick(l) | G::Unique(l) | G::Enum(l, _) => l.len() as u64,
            G::Int(lo, hi) => hi.saturating_sub(*lo).unsigned_abs().saturating_add(1),
            G::Bool(_) => 2,
            G::Date(_, span) => u64::from(*span),
            G::DateAfter(_, lo, hi) => u64::from(hi.saturating_sub(*lo)) + 1,
            G::Concat(parts, _) => parts.iter().fold(1, |n, p| n.saturating_mul(p.variety())),
            G::OneOf(parts) => parts.iter().fold(0, |n, p| n.saturating_add(p.variety())),
            G::Distinct(g) => g.variety(),
            G::Num(..)
            | G::DaysBetween(..)
            | G::PersonName
            | G::Email(_)
            | G::Phone
            | G::Code(..)
            | G::Text(_)
            | G::Ref(..)
            | G::RefWhere(..)
            | G::Same(..) => u64::MAX,
        }
    }
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

impl Target {
    /// The collection of the row looked at, for a rule or expression of collection `own`.
    pub fn coll(&self, own: usize) -> usize {
        match self {
            Target::SelfRow => own,
            Target::Param(_, tc) | Target::SelfRef(_, tc) => *tc,
        }
    }
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
    /// Field of target differs from a param.
    Differ(Target, usize, String),
    /// Date param before date param.
    Before(String, String),
    /// Date param not before a date field of the target.
    NotBefore(String, Target, usize),
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
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
    #[serde(default = "required_default")]
    pub required: bool,
}

fn required_default() -> bool {
    true
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

/// Date bounds of one param: (param, earliest, latest).
pub type DateBound = (String, Option<String>, Option<String>);

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
    /// Date bounds per tool, from the `formatMinimum`/`formatMaximum` of its params:
    /// (param, earliest, latest).
    pub date_floors: Vec<Vec<DateBound>>,
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
