//! The declarative world language: a domain file declares collections (seeded tables) and tools
//! (operations over them). The engine in `engine/` interprets it; `World::dependencies` derives
//! the true dependency edges from it, so the data is the single source of truth.
//!
//! Conventions a domain file must follow (checked when the world loads):
//! - Every collection row has an implicit primary id `<PREFIX>-<n>` (n from 1001), returned as
//!   `<collection>_id`. A `ref` field holds the id of a row of another collection; it is returned
//!   under its field name, which should be `<target>_id` or end in `_id`. A `where` on a ref
//!   (`{"field": "offer_status", "values": ["accepted"]}`, an enum field of the target) keeps
//!   seeded rows consistent with what the field says ("Accepted offer the lease comes from").
//! - A *target path* (used by rules, auth and expressions) is one of: an input param that is a ref
//!   (e.g. `"account_id"`), `"self"` (the row being created/changed/read), or `"self.<ref field>"`
//!   (the row that a ref field of self points to).
//! - Dates are `YYYY-MM-DD` strings; the world's "today" is 2026-06-01. A date input may give
//!   `not_before` / `not_after` (a link expires after today, an incident happened before it):
//!   the schema states them as `formatMinimum` / `formatMaximum` and the engine refuses a date
//!   outside them with `out_of_range`.

use serde::Deserialize;
use serde_json::Value;

/// One domain file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainDef {
    /// Domain name, snake_case (`banking`).
    pub domain: String,
    /// One sentence about the domain.
    pub description: String,
    /// Seeded tables of this domain.
    pub collections: Vec<CollectionDef>,
    /// Tools over the collections.
    pub tools: Vec<ToolDef>,
}

/// A seeded table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionDef {
    /// Singular snake_case name (`account`); the id is returned as `account_id`.
    pub name: String,
    /// Id prefix, 2-4 uppercase letters (`AC` gives `AC-1001`), unique in the world.
    pub prefix: String,
    /// Rows generated at reset (1..=200).
    pub count: u32,
    /// What one row is, used in descriptions (`a bank account`).
    pub desc: String,
    /// Fields in order.
    pub fields: Vec<FieldDef>,
}

/// A field of a collection. (No `deny_unknown_fields` here: serde cannot combine it with
/// `flatten`; the flattened generator rejects unknown keys instead.)
#[derive(Debug, Clone, Deserialize)]
pub struct FieldDef {
    /// snake_case field name.
    pub name: String,
    /// Description, reused for parameters that set or filter this field.
    pub desc: String,
    /// How seeded rows get a value; also fixes the field's JSON type.
    #[serde(flatten)]
    pub gen: Gen,
}

/// Value generator of a field (tag `gen`).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "gen", rename_all = "snake_case", deny_unknown_fields)]
pub enum Gen {
    /// Random pick from a built-in pool (`pool`) or an inline list (`values`). Type string.
    Pick {
        /// Built-in pool name (see `pools.rs`).
        #[serde(default)]
        pool: Option<String>,
        /// Inline values.
        #[serde(default)]
        values: Option<Vec<String>>,
    },
    /// Like `pick` but without repetition across rows (count must not exceed the pool). Type string.
    Unique {
        /// Built-in pool name.
        #[serde(default)]
        pool: Option<String>,
        /// Inline values.
        #[serde(default)]
        values: Option<Vec<String>>,
    },
    /// A closed set (statuses, kinds): the JSON Schema gets `enum`. Type string.
    Enum {
        /// Allowed values; seeded rows use them (weighted if `weights`).
        values: Vec<String>,
        /// Optional relative weights, same length as `values`.
        #[serde(default)]
        weights: Option<Vec<u32>>,
    },
    /// Integer in `[min, max]`.
    Int {
        /// Lower bound.
        min: i64,
        /// Upper bound.
        max: i64,
    },
    /// Amount with 2 decimals in `[min, max]`. Type number.
    Money {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Number with `decimals` decimals in `[min, max]`.
    Number {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// Decimal places kept.
        #[serde(default)]
        decimals: u8,
    },
    /// Boolean, true with probability `p`.
    Bool {
        /// Probability of true.
        p: f64,
    },
    /// Date `YYYY-MM-DD` in `[from, from + days)`.
    Date {
        /// First date.
        from: String,
        /// Span in days.
        days: u32,
    },
    /// Date `YYYY-MM-DD` from `min` to `max` days after the earlier date field `after` of the
    /// same row, so that an end never precedes its start (check-out after check-in).
    DateAfter {
        /// An earlier date field of this collection.
        after: String,
        /// Fewest days after it.
        min: u32,
        /// Most days after it.
        max: u32,
    },
    /// Whole days from the earlier date field `from` to the earlier date field `to` of the same
    /// row (nights of a stay). Type integer.
    DaysBetween {
        /// The earlier date field.
        from: String,
        /// The later date field.
        to: String,
    },
    /// "First Last" from the name pools.
    PersonName,
    /// Unique e-mail derived from a string field of the same row (`name_field`, usually a person name).
    Email {
        /// Field to derive from (must come earlier).
        name_field: String,
    },
    /// Phone number `+<cc> <digits>`.
    Phone,
    /// Unique uppercase code of `len` characters (letters, plus digits if `digits`), e.g. seat or
    /// PNR; or shaped by `pattern` (`#` a digit, `@` a letter, `*` a letter or digit, anything
    /// else as written: `"978##########"` for an ISBN, `"#########"` for a nine-digit number).
    Code {
        /// Length (without `pattern`).
        #[serde(default)]
        len: u8,
        /// Allow digits (without `pattern`).
        #[serde(default)]
        digits: bool,
        /// The code's shape; replaces `len` and `digits`.
        #[serde(default)]
        pattern: Option<String>,
    },
    /// A short sentence of `words` words from the word pool.
    Text {
        /// Number of words.
        words: u8,
    },
    /// Several generated parts joined by `sep` (default one space), e.g. adjective + noun.
    Concat {
        /// The parts.
        parts: Vec<Gen>,
        /// Separator.
        #[serde(default)]
        sep: Option<String>,
    },
    /// One of `parts`, chosen evenly per row: a curated list beside a composed name.
    OneOf {
        /// The alternatives.
        parts: Vec<Gen>,
    },
    /// Values of `of` that never repeat across the seeded rows (a repeat is drawn again), so a
    /// composed name can be looked up; `of` must allow at least four values per row.
    Distinct {
        /// The generator whose values are kept apart.
        of: Box<Gen>,
    },
    /// Id of a row of another collection: `"contact"` (same domain) or `"contacts.contact"`.
    Ref {
        /// Target collection.
        to: String,
        /// Only rows of the target with `field` (an enum, or a bool as `"true"`/`"false"`) in
        /// `values` are pointed at (a lease comes from an *accepted* offer): a seeded row whose
        /// draw misses is moved to a matching row.
        #[serde(default, rename = "where")]
        only: Option<Cond>,
    },
    /// The ref `field` of the row that the earlier ref field `via` points at, so that related
    /// rows agree (a file is on the drive of its folder: `{"gen": "same", "via": "folder_id",
    /// "field": "drive_id"}`).
    Same {
        /// An earlier ref field of this collection.
        via: String,
        /// A ref field of the collection `via` points at.
        field: String,
    },
}

/// A tool: name, description and the operation it performs (unknown keys are rejected by `Op`).
#[derive(Debug, Clone, Deserialize)]
pub struct ToolDef {
    /// Unique snake_case tool name.
    pub name: String,
    /// What it does, for a model; mention what it needs and what it returns.
    pub description: String,
    /// The operation.
    #[serde(flatten)]
    pub op: Op,
}

/// The closed set of operations (tag `op`).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// Filter rows by literal or id parameters; returns `{"results": [row...], "count": n}`
    /// sorted by `sort` and cut to the `limit` param (default 10, max 50).
    Search {
        /// Collection searched.
        collection: String,
        /// Filters, each one parameter.
        filters: Vec<Filter>,
        /// Constant sort.
        #[serde(default)]
        sort: Option<Sort>,
        /// Only rows whose field has one of these values (e.g. only `active`).
        #[serde(default)]
        only: Option<Cond>,
    },
    /// Find the single row whose string field `by` equals the param (case-insensitive). Returns the row.
    Lookup {
        /// Collection.
        collection: String,
        /// Field matched; should be unique (`unique`, `email` or `code` generator).
        by: String,
    },
    /// Read one row by its id param `<collection>_id`. Returns the row.
    Get {
        /// Collection.
        collection: String,
        /// Token scope required, if any (param `token`; see `Authorize`).
        #[serde(default)]
        auth: Option<Auth>,
    },
    /// Rows of `collection` whose ref field `via` equals the id param; `{"results": [...], "count": n}`.
    ListChildren {
        /// Child collection.
        collection: String,
        /// Ref field of the child pointing to the parent; the param is named after the field.
        via: String,
        /// Extra optional filters.
        #[serde(default)]
        filters: Vec<Filter>,
        /// Constant sort.
        #[serde(default)]
        sort: Option<Sort>,
        /// Token scope required, if any.
        #[serde(default)]
        auth: Option<Auth>,
    },
    /// Aggregate a numeric field over the children of one parent:
    /// returns `{<via>: id, "count": n, <as>: value}`.
    Aggregate {
        /// Child collection.
        collection: String,
        /// Ref field to the parent (param named after it).
        via: String,
        /// sum | avg | min | max | count.
        func: AggFunc,
        /// Numeric field aggregated (not needed for count).
        #[serde(default)]
        field: Option<String>,
        /// Result key (default `<func>_<field>`).
        #[serde(default, rename = "as")]
        as_key: Option<String>,
        /// Only children matching this condition.
        #[serde(default)]
        only: Option<Cond>,
    },
    /// Insert a row. Params: one per input. Fields not set by inputs/set/compute get a zero value
    /// (first enum value, min, empty); every ref field must be set. Returns the new row.
    Create {
        /// Collection inserted into.
        collection: String,
        /// Parameters.
        inputs: Vec<Input>,
        /// Constant field values (e.g. `{"status": "pending"}`).
        #[serde(default)]
        set: serde_json::Map<String, Value>,
        /// Computed numeric fields, in order (later ones may use earlier ones via `self`).
        #[serde(default)]
        compute: Vec<Compute>,
        /// Business rules, checked in order before anything changes; effects apply only if all pass.
        #[serde(default)]
        rules: Vec<Rule>,
        /// Token scope required, if any.
        #[serde(default)]
        auth: Option<Auth>,
    },
    /// Move the row (id param `<collection>_id`) along a state machine: `field` must be in `from`,
    /// becomes `to`. Optional inputs set more fields. Returns the updated row.
    Transition {
        /// Collection.
        collection: String,
        /// Status field (an `enum` field).
        field: String,
        /// Allowed current values.
        from: Vec<String>,
        /// New value.
        to: String,
        /// Extra params that set fields.
        #[serde(default)]
        inputs: Vec<Input>,
        /// Business rules (refunds, capacity release, ...).
        #[serde(default)]
        rules: Vec<Rule>,
        /// Token scope required, if any.
        #[serde(default)]
        auth: Option<Auth>,
    },
    /// Change fields of a row (id param `<collection>_id`); inputs are the settable fields (optional
    /// params; at least one must be given). Returns the updated row.
    Update {
        /// Collection.
        collection: String,
        /// Settable fields.
        inputs: Vec<Input>,
        /// Only when the row matches this condition.
        #[serde(default)]
        only: Option<Cond>,
        /// Business rules.
        #[serde(default)]
        rules: Vec<Rule>,
        /// Token scope required, if any.
        #[serde(default)]
        auth: Option<Auth>,
    },
    /// Move `amount` of numeric `field` from one row to another (params `from_<collection>_id`,
    /// `to_<collection>_id`, `amount`); fails if the source has too little or `max` is exceeded.
    /// Returns `{"from_<c>_id", "to_<c>_id", "amount", "from_<field>", "to_<field>"}`.
    Transfer {
        /// Collection.
        collection: String,
        /// Numeric field moved.
        field: String,
        /// Largest single amount.
        #[serde(default)]
        max: Option<f64>,
        /// Both rows must match this condition (e.g. status open).
        #[serde(default)]
        only: Option<Cond>,
        /// Token scope required, checked against the source row.
        #[serde(default)]
        auth: Option<Auth>,
    },
    /// Issue a token for one row (id param `<collection>_id`) with `scope` and `uses` uses.
    /// If `secret` names a field, the caller must pass its value in a param of the same name.
    /// Returns `{"token", "scope", "<collection>_id", "uses_left"}`.
    Authorize {
        /// Collection of the subject row.
        collection: String,
        /// Scope name, matched by `auth.scope` of protected tools.
        scope: String,
        /// How many protected calls the token allows.
        uses: u32,
        /// Field whose value must be presented (a PIN or code).
        #[serde(default)]
        secret: Option<String>,
        /// Only rows matching this condition may be authorized.
        #[serde(default)]
        only: Option<Cond>,
    },
}

/// A search/list filter; one optional (or required) parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Field filtered.
    pub field: String,
    /// How the param is compared.
    pub mode: FilterMode,
    /// Param name (default: field for contains/eq, `min_<f>`/`max_<f>`, `<f>_from`/`<f>_to`).
    #[serde(default)]
    pub param: Option<String>,
    /// Whether the param is required.
    #[serde(default)]
    pub required: bool,
}

/// Comparison of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterMode {
    /// Case-insensitive substring of a string field.
    Contains,
    /// Equality (strings case-insensitive; ids exact; numbers; booleans).
    Eq,
    /// field >= param (numbers).
    Min,
    /// field <= param (numbers).
    Max,
    /// field >= param (dates).
    After,
    /// field <= param (dates).
    Before,
}

/// A constant sort.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sort {
    /// Field sorted by.
    pub field: String,
    /// Descending instead of ascending.
    #[serde(default)]
    pub desc: bool,
}

/// A row condition: `field` has one of `values` (strings; `"true"`/`"false"` for booleans).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cond {
    /// Field tested.
    pub field: String,
    /// Accepted values.
    pub values: Vec<String>,
}

/// Aggregate function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggFunc {
    /// Sum.
    Sum,
    /// Mean (0 for no rows).
    Avg,
    /// Minimum (0 for no rows).
    Min,
    /// Maximum (0 for no rows).
    Max,
    /// Number of rows.
    Count,
}

/// A parameter of a create/transition/update tool.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Field set by the param (its type and description come from the field). Omit for a free
    /// param used only in expressions or rules; then give `type`.
    #[serde(default)]
    pub field: Option<String>,
    /// Param name (default: the field name).
    #[serde(default)]
    pub param: Option<String>,
    /// Type of a free param: integer | number | string | date.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Description of a free param (fields use the field's).
    #[serde(default)]
    pub desc: Option<String>,
    /// Lower bound (numbers).
    #[serde(default)]
    pub min: Option<f64>,
    /// Upper bound (numbers).
    #[serde(default)]
    pub max: Option<f64>,
    /// Earliest date accepted (dates, `YYYY-MM-DD`): a link cannot expire, a loan fall due
    /// before the world's today. Shown as `formatMinimum` in the schema and enforced.
    #[serde(default)]
    pub not_before: Option<String>,
    /// Latest date accepted (dates): an incident is not reported before it happens. Shown
    /// as `formatMaximum` and enforced.
    #[serde(default)]
    pub not_after: Option<String>,
    /// Optional param with this default. Without it the param is required (for `update`, all are optional).
    #[serde(default)]
    pub default: Option<Value>,
}

/// A computed field of a created row.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compute {
    /// Numeric field set.
    pub field: String,
    /// Expression; result rounded to the field's decimals (money: 2, int: 0).
    pub expr: Expr,
}

/// Token requirement of a protected tool: param `token`, issued by an `authorize` tool of the same
/// scope for the row at `subject` (a target path).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// Scope.
    pub scope: String,
    /// Target path of the row the token must be for.
    pub subject: String,
}

/// A numeric expression.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum Expr {
    /// Literal.
    Num(f64),
    /// Value of a param: `{"param": "nights"}`.
    Param {
        /// Param name.
        param: String,
    },
    /// Field of a row: `{"field": ["room_id", "nightly_rate"]}` (target path, field).
    Field {
        /// [target path, field name].
        field: [String; 2],
    },
    /// Product.
    Mul {
        /// Factors.
        mul: Vec<Expr>,
    },
    /// Sum.
    Add {
        /// Terms.
        add: Vec<Expr>,
    },
    /// Difference a - b.
    Sub {
        /// [a, b].
        sub: Box<[Expr; 2]>,
    },
    /// Days from the first date param to the second: `{"days": ["check_in", "check_out"]}`.
    Days {
        /// [from param, to param].
        days: [String; 2],
    },
}

/// A business rule (tag `rule`). All rules are checked before any effect applies.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// The row at `target` must have `field` in `values`, else InvalidState.
    Require {
        /// Target path.
        target: String,
        /// Field tested.
        field: String,
        /// Accepted values.
        values: Vec<String>,
    },
    /// Subtract `amount` from numeric `field` of the row at `target`; LimitExceeded if it would go below 0.
    Debit {
        /// Target path.
        target: String,
        /// Numeric field.
        field: String,
        /// Amount.
        amount: Expr,
    },
    /// Add `amount` to numeric `field` of the row at `target`.
    Credit {
        /// Target path.
        target: String,
        /// Numeric field.
        field: String,
        /// Amount.
        amount: Expr,
    },
    /// `value` must be <= `limit`, else LimitExceeded with `message`.
    AtMost {
        /// Checked value.
        value: Expr,
        /// Upper limit.
        limit: Expr,
        /// Explanation.
        message: String,
    },
    /// At most `max` rows of this collection may share the ref field `via` (counting only rows
    /// matching `only`), else LimitExceeded.
    Quota {
        /// Ref field.
        via: String,
        /// Allowed rows.
        max: u32,
        /// Rows counted.
        #[serde(default)]
        only: Option<Cond>,
    },
    /// No other row of this collection may have the same values of `fields` (rows matching `only`),
    /// else Conflict.
    Unique {
        /// Fields compared.
        fields: Vec<String>,
        /// Rows considered.
        #[serde(default)]
        only: Option<Cond>,
    },
    /// `field` of the row at `target` must equal the value of `param` (ownership: the payee must
    /// belong to the paying account), else NotPermitted. `param` may be `self.<field>` to compare
    /// with a field of the row itself (the agent must work in the case's own queue).
    Same {
        /// Target path.
        target: String,
        /// Field of that row.
        field: String,
        /// Param whose value it must equal.
        param: String,
    },
    /// `field` of the row at `target` must *not* equal the value of `param` (one person in two
    /// roles: a course's instructor does not enrol in it), else NotPermitted.
    Differ {
        /// Target path.
        target: String,
        /// Field of that row.
        field: String,
        /// Param whose value it must differ from.
        param: String,
    },
    /// Date param `param` must not be before date `field` of the row at `target` (a regrade
    /// is not requested before the work was handed in), else InvalidState. Target `self` of an
    /// update is the row before the call (a renewal's due date never moves back).
    NotBefore {
        /// Date param.
        param: String,
        /// Target path.
        target: String,
        /// Date field of that row.
        field: String,
    },
    /// Date param `first` must be strictly before date param `second`, else InvalidState.
    Before {
        /// Earlier date param.
        first: String,
        /// Later date param.
        second: String,
    },
}
