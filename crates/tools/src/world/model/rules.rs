//! Target paths, numeric expressions, business rules and token requirements of compiled tools.

use super::build::ToolBuilder;
use super::compile::is_snake;
use super::ir::*;
use super::schema::Params;
use crate::world::dsl;
use serde_json::{json, Value};

impl ToolBuilder<'_> {
    /// Resolves a target path against the tool's collection and params.
    pub(super) fn target(
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

    pub(super) fn target_field(
        &self,
        c: usize,
        t: &Target,
        f: &str,
        sub: &str,
    ) -> Result<usize, WorldError> {
        self.field(t.coll(c), f, sub)
    }

    pub(super) fn expr(
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
                if !matches!(
                    self.colls[target.coll(c)].fields[fi].ty,
                    Ty::Int | Ty::Num(_)
                ) {
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

    pub(super) fn rules(
        &self,
        c: usize,
        rs: &[dsl::Rule],
        p: &Params,
    ) -> Result<Vec<Rule>, WorldError> {
        let mut out = Vec::new();
        for (i, r) in rs.iter().enumerate() {
            let sub = format!(".rules[{i}]");
            let numeric = |t: &Target, f: &str| -> Result<usize, WorldError> {
                let fi = self.target_field(c, t, f, &sub)?;
                if matches!(self.colls[t.coll(c)].fields[fi].ty, Ty::Int | Ty::Num(_)) {
                    Ok(fi)
                } else {
                    Err(self.err(&sub, format!("field {f:?} is not numeric")))
                }
            };
            let date_param = |d: &str| -> Result<(), WorldError> {
                match p.props.get(d).and_then(|s| s.get("pattern")) {
                    Some(_) => Ok(()),
                    None => Err(self.err(&sub, format!("{d:?} is not a date param"))),
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
                dsl::Rule::Differ {
                    target,
                    field,
                    param,
                } => {
                    let t = self.target(c, target, p, true, &sub)?;
                    let fi = self.target_field(c, &t, field, &sub)?;
                    if !p.props.contains_key(param) {
                        return Err(self.err(&sub, format!("unknown param {param:?}")));
                    }
                    Rule::Differ(t, fi, param.clone())
                }
                dsl::Rule::NotBefore {
                    param,
                    target,
                    field,
                } => {
                    date_param(param)?;
                    let t = self.target(c, target, p, true, &sub)?;
                    let fi = self.target_field(c, &t, field, &sub)?;
                    if self.colls[t.coll(c)].fields[fi].ty != Ty::Date {
                        return Err(self.err(&sub, format!("{field:?} is not a date field")));
                    }
                    Rule::NotBefore(param.clone(), t, fi)
                }
                dsl::Rule::Before { first, second } => {
                    date_param(first)?;
                    date_param(second)?;
                    Rule::Before(first.clone(), second.clone())
                }
            });
        }
        Ok(out)
    }

    pub(super) fn auth(
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
                        self.colls[subject.coll(c)].name)}),
            true,
            Some(Entity::Token(a.scope.clone())),
        );
        Ok(Some(Auth {
            scope: a.scope.clone(),
            subject,
        }))
    }
}
