//! Tool Maker (offline): a trace round becomes an advanced tool whose parameters are the round's
//! external inputs and whose implementation is the gold calls it wraps.

pub use crate::item::Made;
use crate::item::SpecIndex;
use crate::schema_text::{self as st, Specs};
use hardgen_core::record::{AdvancedStep, Binding, GoldCall};
use hardgen_core::trace::parse_from_step;
use hardgen_core::{AdvancedTool, ToolCall, Trace};
use hardgen_graph::schema::values_at;
use hardgen_tools::Environment;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Why a round cannot become an advanced tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakerReject {
    /// Machine reason.
    pub reason: hardgen_core::Reason,
    /// Details.
    pub detail: String,
}

fn first_sentence(s: &str) -> String {
    // BFCL's preamble about the whole system is not what this tool does.
    let s = hardgen_core::spec::own_description(s);
    let s = s.split(". ").next().unwrap_or(s).trim_end_matches('.');
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Builds the advanced tool of round `round` of `trace`: the target's successful call and the
/// calls of the round it transitively depends on.
pub fn make(
    trace: &Trace,
    round: usize,
    specs: &SpecIndex<'_>,
    min_calls: usize,
    max_calls: usize,
) -> Result<Made, MakerReject> {
    let target = trace.targets.get(round).ok_or(MakerReject {
        reason: hardgen_core::Reason::NoRound,
        detail: format!("trace has no round {round}"),
    })?;
    let t_idx = trace
        .calls
        .iter()
        .rposition(|c| c.round == round && &c.name == target && c.result.is_some())
        .ok_or_else(|| MakerReject {
            reason: hardgen_core::Reason::TargetNotReached,
            detail: format!("{target} never succeeded"),
        })?;
    let links = shortcut_echoes(trace, round, specs);
    // Ancestors of the target inside this round.
    let mut keep = BTreeSet::new();
    let mut stack = vec![t_idx];
    while let Some(i) = stack.pop() {
        if trace.calls[i].round == round && keep.insert(i) {
            stack.extend(links[i].1.iter().copied());
        }
    }
    if keep.len() < min_calls {
        return Err(MakerReject {
            reason: hardgen_core::Reason::TooShort,
            detail: format!("{} gold call(s), need {min_calls}", keep.len()),
        });
    }
    if keep.len() > max_calls {
        return Err(MakerReject {
            reason: hardgen_core::Reason::TooLong,
            detail: format!("{} gold calls, at most {max_calls}", keep.len()),
        });
    }
    let order: Vec<usize> = keep.into_iter().collect();
    let pos: BTreeMap<usize, usize> = order.iter().enumerate().map(|(p, &i)| (i, p)).collect();
    let mut inputs = Map::new();
    let mut context = BTreeSet::new();
    let mut selectors = BTreeSet::new();
    let mut context_refs = BTreeMap::new();
    let mut gold = Vec::new();
    let mut implementation = Vec::new();
    for (p, &i) in order.iter().enumerate() {
        let call = &trace.calls[i];
        specs.get(&call.name).ok_or_else(|| MakerReject {
            reason: hardgen_core::Reason::UnknownTool,
            detail: call.name.clone(),
        })?;
        let mut bindings = BTreeMap::new();
        let mut prov = BTreeMap::new();
        for (arg, value) in &call.arguments {
            let source = links[i].0.get(arg).and_then(|s| parse_from_step(s));
            let binding = match source {
                Some((k, path)) if pos.contains_key(&k) => {
                    let res = trace.calls[k].result.as_ref().unwrap_or(&Value::Null);
                    let vals = values_at(res, path);
                    let index = vals.iter().position(|v| *v == value).unwrap_or(0);
                    prov.insert(arg.clone(), format!("step:{}:{path}", pos[&k]));
                    let distinct: BTreeSet<String> = vals.iter().map(|v| v.to_string()).collect();
                    if distinct.len() <= 1 {
                        Binding::Step {
                            step: pos[&k],
                            path: path.to_string(),
                            index,
                        }
                    } else {
                        // Several candidates: the query must say which one, by an attribute.
                        let (field, fv) = selector(res, path, index, &trace.calls[k].arguments).ok_or_else(|| MakerReject {
                            reason: hardgen_core::Reason::Ambiguous,
                            detail: format!("{} picks one of {} values of {path} with nothing to tell them apart", call.name, distinct.len()),
                        })?;
                        let leaf = field.rsplit('.').next().unwrap_or(&field).to_string();
                        let name = input_name(&leaf, &fv, &call.name, &inputs);
                        if !inputs.contains_key(&name) {
                            inputs.insert(name.clone(), fv.clone());
                            selectors.insert(name.clone());
                        }
                        Binding::Select {
                            step: pos[&k],
                            path: path.to_string(),
                            field,
                            param: name,
                        }
                    }
                }
                other => {
                    // A user-given value, or one from an earlier round (already in the conversation).
                    let name = input_name(arg, value, &call.name, &inputs);
                    if !inputs.contains_key(&name) {
                        inputs.insert(name.clone(), value.clone());
                    }
                    if let Some((k, path)) = other {
                        context.insert(name.clone());
                        context_refs.insert(name.clone(), (k, path.to_string()));
                    }
                    prov.insert(arg.clone(), format!("input:{name}"));
                    Binding::Input { param: name }
                }
            };
            bindings.insert(arg.clone(), binding);
        }
        implementation.push(AdvancedStep {
            tool: call.name.clone(),
            bindings,
        });
        gold.push(GoldCall {
            step: p,
            name: call.name.clone(),
            arguments: call.arguments.clone(),
            provenance: prov,
            depends_on: links[i]
                .1
                .iter()
                .filter_map(|k| pos.get(k).copied())
                .collect(),
            result: call.result.clone().unwrap_or(Value::Null),
        });
    }
    // One call with nothing to say ("search teams") is no task at all.
    if gold.len() == 1 && inputs.is_empty() {
        return Err(MakerReject {
            reason: hardgen_core::Reason::Trivial,
            detail: format!("{target} alone, with no input"),
        });
    }
    if let Some(detail) = detour(&gold, specs) {
        return Err(MakerReject {
            reason: hardgen_core::Reason::Detour,
            detail,
        });
    }
    if let Some(detail) = empty_read_of_new(&gold, &implementation, specs) {
        return Err(MakerReject {
            reason: hardgen_core::Reason::EmptyReadOfNew,
            detail,
        });
    }
    if let Some(detail) = reread_of_new(&gold, &implementation, specs) {
        return Err(MakerReject {
            reason: hardgen_core::Reason::RereadOfNew,
            detail,
        });
    }
    if let Some(detail) = undoes_new(&gold, &implementation, specs) {
        return Err(MakerReject {
            reason: hardgen_core::Reason::UndoesNew,
            detail,
        });
    }
    if let Some(detail) = repeated_call(&gold, specs) {
        return Err(MakerReject {
            reason: hardgen_core::Reason::RepeatedCall,
            detail,
        });
    }
    let Some((name, description, parameters, returns)) =
        signature(&gold, &implementation, &inputs, specs)
    else {
        return Err(MakerReject {
            reason: hardgen_core::Reason::UnknownTool,
            detail: target.clone(),
        });
    };
    let tool = AdvancedTool {
        name,
        description,
        parameters,
        returns,
        implementation,
        steps: (0..gold.len()).collect(),
    };
    Ok(Made {
        tool,
        gold,
        inputs,
        context_inputs: context,
        selectors,
        context_refs,
        trace_steps: order,
    })
}

/// A chain that comes back to a kind of item it already passed through, as another item:
/// product -> its quotes -> one applicant -> her quotes -> another product -> ... No person
/// asks for "the policy of the applicant of a quote of the product of a quote of the applicant
/// of a quote of Event Cancellation"; they would name the second item. Each path from the
/// target back to the user's inputs is walked on its own, so a call that takes two items of one
/// kind by two routes (switch from this tariff to that one) is fine.
fn detour(gold: &[GoldCall], specs: &SpecIndex<'_>) -> Option<String> {
    // Per call, the items each of its step-fed ids passes: the id itself, and the item whose
    // field it was ("the organizer of the meeting Release planning" passes that meeting), with
    // the step it came from.
    type Link = (Vec<(String, Value)>, usize);
    let links: Vec<Vec<Link>> = gold
        .iter()
        .map(|c| {
            c.provenance
                .iter()
                .filter_map(|(arg, p)| {
                    let (k, path) = parse_from_step(p)?;
                    let v = c.arguments.get(arg)?;
                    let mut items = vec![(id_kind(specs.get(&c.name), arg), v.clone())];
                    items.extend(gold.get(k).and_then(|src| passed_item(src, path, v, specs)));
                    Some((items, k))
                })
                .collect()
        })
        .collect();
    fn walk(links: &[Vec<Link>], at: usize, path: &mut Vec<(String, Value)>) -> Option<String> {
        for (items, from) in links.get(at)? {
            for (kind, v) in items {
                if let Some((_, other)) = path.iter().find(|(k, x)| k == kind && x != v) {
                    return Some(format!(
                        "the chain passes two items of kind {kind} ({other} and {v})"
                    ));
                }
            }
            let n = path.len();
            path.extend(items.iter().cloned());
            let found = (*from < at).then(|| walk(links, *from, path)).flatten();
            path.truncate(n);
            if found.is_some() {
                return found;
            }
        }
        None
    }
    walk(&links, gold.len().checked_sub(1)?, &mut Vec::new())
}

/// The item of `src`'s result that holds `value` at `path` when that field relates it to another
/// item (an organizer of a meeting): the (kind, own id) of that meeting.
fn passed_item(
    src: &GoldCall,
    path: &str,
    value: &Value,
    specs: &SpecIndex<'_>,
) -> Option<(String, Value)> {
    let spec = specs.get(&src.name)?;
    if st::is_own_id(spec, path) {
        return None;
    }
    let returns = spec.returns.as_ref()?;
    let own = st::own_id(st::item_schema(returns, path)?)?;
    let (prefix, leaf) = st::split_path(path);
    let item = if prefix.is_empty() {
        &src.result
    } else {
        values_list(&src.result, prefix.trim_end_matches("[]"))?
            .iter()
            .find(|it| it.get(leaf) == Some(value))?
    };
    let own_path = if prefix.is_empty() {
        own.to_string()
    } else {
        format!("{prefix}.{own}")
    };
    let kind = st::field_schema(returns, &own_path)
        .and_then(|f| f.get("pattern"))
        .and_then(Value::as_str)
        .map_or_else(|| id_kind(None, own), str::to_string);
    Some((kind, item.get(own)?.clone()))
}

/// The kind of item an id parameter names: its pattern (`^CTC-[0-9]{4,}$`: every contact id,
/// whatever the parameter is called), else the word before `_id` (`holder_contact_id`: contact).
fn id_kind(spec: Option<&hardgen_core::ToolSpec>, param: &str) -> String {
    let pattern = spec
        .and_then(|s| s.parameters.get("properties"))
        .and_then(|p| p.get(param))
        .and_then(|p| p.get("pattern"))
        .and_then(Value::as_str);
    match pattern {
        Some(p) => p.to_string(),
        None => {
            let stem = param.strip_suffix("_id").unwrap_or(param);
            stem.rsplit('_').next().unwrap_or(stem).to_string()
        }
    }
}

/// The target is a read that found nothing about an item a write of the round made (its own
/// id): "list the visits of the slot I just opened" has one answer, known before asking.
fn empty_read_of_new(
    gold: &[GoldCall],
    implementation: &[AdvancedStep],
    specs: &SpecIndex<'_>,
) -> Option<String> {
    let last = gold.last()?;
    let spec = specs.get(&last.name)?;
    if !crate::toolset::reads(spec) || !hardgen_graph::sampler::empty_result(&last.result) {
        return None;
    }
    let (maker, _) = made_by_round(gold, implementation, specs).next()?;
    Some(format!(
        "{} finds nothing for what {} just made",
        last.name, maker.name
    ))
}

/// The target is a read of an item a write of the round made (its own id) whose every field
/// the write already returned: "quote the stay, then look up the quote" reads what is known.
fn reread_of_new(
    gold: &[GoldCall],
    implementation: &[AdvancedStep],
    specs: &SpecIndex<'_>,
) -> Option<String> {
    let last = gold.last()?;
    let spec = specs.get(&last.name)?;
    if !crate::toolset::reads(spec) || hardgen_graph::sampler::empty_result(&last.result) {
        return None;
    }
    made_by_round(gold, implementation, specs)
        .find(|(maker, _)| within(&last.result, &maker.result))
        .map(|(maker, _)| {
            format!(
                "{} returns only what {} just returned",
                last.name, maker.name
            )
        })
}

/// The target's arguments that are the own id of an item a write of the round made: (that
/// write's gold call, the result path the id came from).
fn made_by_round<'g>(
    gold: &'g [GoldCall],
    implementation: &'g [AdvancedStep],
    specs: &'g SpecIndex<'_>,
) -> impl Iterator<Item = (&'g GoldCall, &'g str)> + 'g {
    implementation
        .last()
        .into_iter()
        .flat_map(|step| step.bindings.values())
        .filter_map(move |b| {
            let Binding::Step { step, path, .. } = b else {
                return None;
            };
            let maker = gold.get(*step)?;
            specs
                .get(&maker.name)
                .is_some_and(|s| !crate::toolset::reads(s) && st::is_own_id(s, path))
                .then_some((maker, path.as_str()))
        })
}

/// Whether every field of object `a` is in object `b` with the same value.
fn within(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x
            .iter()
            .all(|(k, v)| y.get(k).is_some_and(|w| within(v, w))),
        _ => a == b,
    }
}

/// First words of tools that take an item back: cancel, revoke, delete, ...
const UNDO_VERBS: &[&str] = &[
    "delete",
    "remove",
    "revoke",
    "cancel",
    "trash",
    "archive",
    "withdraw",
    "close",
    "void",
    "discard",
    "decline",
    "reject",
    "leave",
    "unenroll",
    "drop",
    "deactivate",
    "disable",
];

/// The target takes back an item a write of the round made (its own id): "create a share link,
/// then revoke it" undoes the request itself; no person asks that, also where no read lists
/// such items ("buy a pass, then cancel that same pass"). Closing or archiving what was just
/// made is kept where no read lists such items (a task set whose tasks are only ever made,
/// then closed: "add the task and mark it closed" is a way to log done work).
fn undoes_new(
    gold: &[GoldCall],
    implementation: &[AdvancedStep],
    specs: &SpecIndex<'_>,
) -> Option<String> {
    let last = gold.last()?;
    let words = crate::phrase::words(&last.name);
    let undo = words
        .first()
        .is_some_and(|v| UNDO_VERBS.contains(&v.to_lowercase().as_str()))
        || words.iter().any(|w| w == "trash");
    if !undo {
        return None;
    }
    let finishes = words
        .first()
        .is_some_and(|v| matches!(v.to_lowercase().as_str(), "close" | "archive"));
    made_by_round(gold, implementation, specs)
        .find(|(_, path)| {
            !finishes || listed_by_a_read(specs, path.rsplit('.').next().unwrap_or(path))
        })
        .map(|(maker, _)| format!("{} takes back what {} just made", last.name, maker.name))
}

/// Whether a read tool hands out `field` without being given it (items of that kind exist
/// before the round and can be found).
fn listed_by_a_read(specs: &SpecIndex<'_>, field: &str) -> bool {
    fn has(schema: &Value, field: &str) -> bool {
        match schema {
            Value::Object(m) => {
                m.get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| p.contains_key(field))
                    || m.values().any(|v| has(v, field))
            }
            Value::Array(a) => a.iter().any(|v| has(v, field)),
            _ => false,
        }
    }
    specs.all().iter().any(|s| {
        crate::toolset::reads(s)
            && !has(&s.parameters, field)
            && s.returns.as_ref().is_some_and(|r| has(r, field))
    })
}

/// A gold call made again with the same arguments to no purpose: a change or an authorization
/// issued twice (the sampler redoes it after a failed call that the gold leaves out), or a read
/// from the same sources that returns what it returned before. A read after a change that
/// alters its answer is kept, and so is a lookup of a value that came from elsewhere.
fn repeated_call(gold: &[GoldCall], specs: &SpecIndex<'_>) -> Option<String> {
    // One request signs in once: a second login as someone else ("use client ID X, ...,
    // client ID Y, ...") leaves the reader to guess which steps run as whom.
    if let Some(c) = gold.iter().enumerate().find_map(|(i, c)| {
        (crate::lexicon::signs_in(&c.name) && gold[..i].iter().any(|e| e.name == c.name))
            .then_some(c)
    }) {
        return Some(format!("{} signs in twice in one request", c.name));
    }
    gold.iter().enumerate().find_map(|(i, c)| {
        let read = specs.get(&c.name).is_some_and(crate::toolset::reads);
        gold[..i]
            .iter()
            .any(|e| {
                e.name == c.name
                    && e.arguments == c.arguments
                    && (!read || (e.provenance == c.provenance && e.result == c.result))
            })
            .then(|| format!("{} called twice with the same arguments", c.name))
    })
}

/// Each call's (provenance, depends_on) with echoes cut out: a value a read-only call or an
/// authorization only handed back (`list_title_holds` taking the title id that
/// `list_title_copies` was given and repeats in each row) is taken from where that call got it,
/// so a lookup that adds nothing is not part of the gold.
fn shortcut_echoes(
    trace: &Trace,
    round: usize,
    specs: &SpecIndex<'_>,
) -> Vec<(hardgen_core::trace::Provenance, Vec<usize>)> {
    let read_only = |name: &str| specs.get(name).and_then(|s| s.read_only) == Some(true);
    let mut out: Vec<_> = trace
        .calls
        .iter()
        .map(|c| (c.provenance.clone(), c.depends_on.clone()))
        .collect();
    for (i, call) in trace.calls.iter().enumerate() {
        if call.round != round {
            continue;
        }
        let mut cut = BTreeSet::new();
        for (arg, v) in &call.arguments {
            // A few hops at most: each goes to an earlier call.
            for _ in 0..8 {
                let Some((k, _)) = out[i].0.get(arg).and_then(|p| parse_from_step(p)) else {
                    break;
                };
                let Some(kc) = trace.calls.get(k).filter(|kc| kc.round == round && k < i) else {
                    break;
                };
                // An authorization only hands back the id it checked; a value taken from it
                // (not its token) comes from where it got that id, so an authorization whose
                // token nothing uses is not part of the gold.
                // A credential is named as the sampler names one: `token` or `*_token`.
                let issues_token = kc
                    .result
                    .as_ref()
                    .and_then(Value::as_object)
                    .is_some_and(|m| m.keys().any(|f| f == "token" || f.ends_with("_token")));
                if !read_only(&kc.name) && !issues_token {
                    break;
                }
                let Some(src) = kc
                    .arguments
                    .iter()
                    .find(|(b, x)| *x == v && out[k].0.contains_key(*b))
                    .and_then(|(b, _)| out[k].0.get(b).cloned())
                else {
                    break;
                };
                cut.insert(k);
                out[i].0.insert(arg.clone(), src);
            }
        }
        // A read-only call changes no state: once no argument comes from it, nothing does.
        let still: BTreeSet<usize> = out[i]
            .0
            .values()
            .filter_map(|p| parse_from_step(p).map(|(k, _)| k))
            .collect();
        for k in &still {
            if !out[i].1.contains(k) {
                out[i].1.push(*k);
            }
        }
        out[i].1.retain(|k| !cut.contains(k) || still.contains(k));
        out[i].1.sort_unstable();
    }
    out
}

/// The advanced tool's name, description, parameter schema and result schema, derived from its
/// gold calls, steps and inputs alone (so a stored record's advanced tool can be checked).
pub fn signature(
    gold: &[GoldCall],
    steps: &[AdvancedStep],
    inputs: &Map<String, Value>,
    specs: &(impl Specs + ?Sized),
) -> Option<(String, String, Value, Value)> {
    let target = gold.last()?;
    let target_spec = specs.spec(&target.name)?;
    let mut props = Map::new();
    for (param, v) in inputs {
        let mut schema = None;
        for (p, step) in steps.iter().enumerate() {
            for (arg, b) in &step.bindings {
                match b {
                    Binding::Select {
                        field, param: x, ..
                    } if x == param => {
                        let leaf = field.rsplit('.').next().unwrap_or(field);
                        let ty = if v.is_number() { "number" } else { "string" };
                        schema.get_or_insert_with(|| json!({"type": ty, "description": format!("Which item to use: the one whose {} is this", leaf.replace('_', " "))}));
                    }
                    Binding::Input { param: x } if x == param => {
                        let s = gold
                            .get(p)
                            .and_then(|g| specs.spec(&g.name))
                            .and_then(|s| s.parameters.get("properties")?.get(arg.as_str()))
                            .cloned()
                            .unwrap_or_else(|| json!({}));
                        schema.get_or_insert(s);
                    }
                    _ => {}
                }
            }
        }
        props.insert(param.clone(), schema.unwrap_or_else(|| json!({})));
    }
    let required: Vec<String> = inputs.keys().cloned().collect();
    let mut name = target.name.clone();
    let named: Vec<&str> = inputs.keys().map(String::as_str).take(2).collect();
    if !named.is_empty() {
        name = format!("{name}_from_{}", named.join("_and_"));
    }
    name.truncate(64);
    let steps_text: Vec<String> = gold
        .iter()
        .map(|g| {
            specs
                .spec(g.name.as_str())
                .map(|s| first_sentence(&s.description))
                .unwrap_or_default()
        })
        .collect();
    let description = format!(
        "{} in one call. Internally it will {}. Returns what {} returns.",
        capitalize(&first_sentence(&target_spec.description)),
        steps_text.join(", then "),
        target.name
    );
    Some((
        name,
        description,
        // Built in place: `json!` would copy the properties once more.
        Value::Object(
            [
                ("type".to_string(), Value::from("object")),
                ("properties".to_string(), Value::Object(props)),
                ("required".to_string(), Value::from(required)),
            ]
            .into_iter()
            .collect(),
        ),
        target_spec.returns.clone().unwrap_or(json!({})),
    ))
}

/// A field of list item `index` (sibling of `path`'s leaf) whose string value no other item has:
/// (field path, value). Names are preferred; ids and codes are not used. A field the list call
/// already filtered on (`min_spots_left` for `spots_left`) comes last: "the class with 16 spots
/// left" after "classes with at least 10 spots left" says the same thing twice.
fn selector(
    res: &Value,
    path: &str,
    index: usize,
    filters: &serde_json::Map<String, Value>,
) -> Option<(String, Value)> {
    // "date_from" bounds "slot_date" as much as "min_spots_left" bounds "spots_left".
    let filtered = |field: &str| {
        filters.keys().any(|a| {
            a.contains(field)
                || hardgen_graph::schema::bound_base(a).is_some_and(|stem| {
                    field.ends_with(&format!("_{stem}")) || stem.ends_with(&format!("_{field}"))
                })
        })
    };
    selector_where(res, path, index, |k, _| !filtered(k))
        .or_else(|| selector_where(res, path, index, |_, _| true))
}

/// Like [`selector`], among the fields `ok` accepts (by name and value).
pub fn selector_where(
    res: &Value,
    path: &str,
    index: usize,
    ok: impl Fn(&str, &Value) -> bool,
) -> Option<(String, Value)> {
    let (prefix, _) = path.rsplit_once("[].")?;
    let items = values_list(res, prefix)?;
    let item = items.get(index)?.as_object()?;
    // Names first, then other text, numbers, and state words; ids, codes of other items and
    // flags never.
    let mut keys: Vec<&String> = item
        .keys()
        .filter(|k| {
            !hardgen_core::spec::is_identifier_name(k)
                && (item[*k].is_string() || item[*k].is_number())
                && ok(k, &item[*k])
        })
        .collect();
    // A state word ("booked") is shared by many items across queries; a name, date or amount
    // picks the item in fewer words that repeat, so words come after them.
    let word = |v: &Value| {
        v.as_str().is_some_and(|s| {
            s.chars()
                .all(|c| c.is_ascii_lowercase() || c == ' ' || c == '-' || c == '_')
        })
    };
    keys.sort_by_key(|k| {
        let v = &item[*k];
        (!k.contains("name"), word(v), !v.is_string(), k.len())
    });
    keys.into_iter()
        .find(|k| {
            items
                .iter()
                .filter(|it| it.get(k.as_str()) == item.get(k.as_str()))
                .count()
                == 1
        })
        .map(|k| (format!("{prefix}[].{k}"), item[k].clone()))
}

fn values_list<'a>(res: &'a Value, prefix: &str) -> Option<&'a Vec<Value>> {
    let mut cur = res;
    for seg in prefix.split('.') {
        cur = cur.get(seg)?;
    }
    cur.as_array()
}

/// Resolves a `Select` binding against a result.
pub fn select(res: &Value, path: &str, field: &str, want: &Value) -> Option<Value> {
    let vals = values_at(res, path);
    let keys = values_at(res, field);
    keys.iter()
        .position(|k| *k == want)
        .and_then(|i| vals.get(i))
        .map(|v| (*v).clone())
}

/// `s` with its first letter upper-case.
pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A parameter name for an external input: the argument name, made unique when two calls take
/// different values under the same name.
fn input_name(arg: &str, value: &Value, tool: &str, taken: &Map<String, Value>) -> String {
    match taken.get(arg) {
        None => arg.to_string(),
        Some(v) if v == value => arg.to_string(),
        Some(_) => {
            let noun = tool.split('_').next_back().unwrap_or(tool);
            let mut n = format!("{noun}_{arg}");
            let mut k = 2;
            while taken.get(&n).is_some_and(|v| v != value) {
                n = format!("{noun}_{arg}_{k}");
                k += 1;
            }
            n
        }
    }
}

/// Runs an advanced tool's implementation with `inputs`: each step's arguments from the inputs or
/// from earlier steps' results. Returns each step's outcome (the composite tool, executed).
pub fn execute_advanced<E: Environment>(
    tool: &AdvancedTool,
    inputs: &Map<String, Value>,
    env: &mut E,
) -> Vec<Result<Value, String>> {
    execute_advanced_calls(tool, inputs, env)
        .into_iter()
        .map(|(_, o)| o)
        .collect()
}

/// Like [`execute_advanced`], with the arguments each step was called with.
pub fn execute_advanced_calls<E: Environment>(
    tool: &AdvancedTool,
    inputs: &Map<String, Value>,
    env: &mut E,
) -> Vec<(Map<String, Value>, Result<Value, String>)> {
    let mut out: Vec<(Map<String, Value>, Result<Value, String>)> = Vec::new();
    for step in &tool.implementation {
        let mut args = Map::new();
        let mut missing = None;
        for (arg, b) in &step.bindings {
            let v = match b {
                Binding::Input { param } => inputs.get(param).cloned(),
                Binding::Step { step, path, index } => match out.get(*step) {
                    Some((_, Ok(r))) => values_at(r, path).get(*index).map(|v| (*v).clone()),
                    _ => None,
                },
                Binding::Select {
                    step,
                    path,
                    field,
                    param,
                } => match (out.get(*step), inputs.get(param)) {
                    (Some((_, Ok(r))), Some(want)) => select(r, path, field, want),
                    _ => None,
                },
            };
            match v {
                Some(v) => {
                    args.insert(arg.clone(), v);
                }
                None => missing = Some(arg.clone()),
            }
        }
        if let Some(a) = missing {
            out.push((args, Err(format!("no value for `{a}` of {}", step.tool))));
            continue;
        }
        let res = env
            .execute(&ToolCall {
                name: step.tool.clone(),
                arguments: args.clone(),
            })
            .map_err(|e| e.to_string());
        out.push((args, res));
    }
    out
}

/// The round with each pick from a list by an attribute the list tool can filter on made into
/// that filter (the value the user states): a careful agent searches for "the drive named
/// Marketing team" instead of listing every drive and scanning. `None` when no pick can be.
/// A list two picks read from (two different items) stays as it is.
fn narrowed(made: &Made, specs: &(impl Specs + ?Sized)) -> Option<Made> {
    let mut m = made.clone();
    let mut picks: BTreeMap<usize, BTreeSet<(String, String)>> = BTreeMap::new();
    for s in &m.tool.implementation {
        for b in s.bindings.values() {
            if let Binding::Select {
                step, field, param, ..
            } = b
            {
                picks
                    .entry(*step)
                    .or_default()
                    .insert((field.clone(), param.clone()));
            }
        }
    }
    let mut changed = false;
    for (k, ps) in picks {
        let Some((field, param)) = ps.first().filter(|_| ps.len() == 1).cloned() else {
            continue;
        };
        let leaf = field.rsplit('.').next().unwrap_or(&field).to_string();
        let Some(step) = m.tool.implementation.get_mut(k) else {
            continue;
        };
        let takes = specs.spec(&step.tool).is_some_and(|s| {
            s.parameters
                .get("properties")
                .and_then(|p| p.get(&leaf))
                .is_some()
        });
        if !takes || step.bindings.contains_key(&leaf) {
            continue;
        }
        step.bindings.insert(leaf, Binding::Input { param });
        // A pick by position from this list had one value anyway: the first one now.
        for s in &mut m.tool.implementation {
            for b in s.bindings.values_mut() {
                if let Binding::Step { step, index, .. } = b {
                    if *step == k {
                        *index = 0;
                    }
                }
            }
        }
        changed = true;
    }
    changed.then_some(m)
}

/// Narrows every round's picks into filters ([`narrowed`]), executing the rounds in order from
/// the world's start so each narrowed gold holds the real results; a round whose narrowed gold
/// fails, or leaves a pick by position with several candidates, keeps its own gold. Returns
/// whether any round changed.
pub fn narrow_all<E: Environment>(
    mades: &mut [Made],
    specs: &(impl Specs + ?Sized),
    env: &mut E,
    seed: u64,
) -> bool {
    let candidates: Vec<Option<Made>> = mades.iter().map(|m| narrowed(m, specs)).collect();
    if candidates.iter().all(Option::is_none) {
        return false;
    }
    let mut any = false;
    env.reset(seed);
    for (m, cand) in mades.iter_mut().zip(candidates) {
        let snap = env.snapshot();
        let taken = cand.and_then(|mut c| {
            let out = execute_advanced_calls(&c.tool, &c.inputs, env);
            let single = c.tool.implementation.iter().all(|s| {
                s.bindings.values().all(|b| match b {
                    Binding::Step { step, path, .. } => out.get(*step).is_some_and(|(_, r)| {
                        r.as_ref().is_ok_and(|r| {
                            let vals = values_at(r, path);
                            !vals.is_empty() && vals.iter().all(|v| Some(v) == vals.first())
                        })
                    }),
                    _ => true,
                })
            });
            if !single || out.iter().any(|(_, r)| r.is_err()) {
                return None;
            }
            for ((g, s), (args, res)) in c.gold.iter_mut().zip(&c.tool.implementation).zip(out) {
                for (a, b) in &s.bindings {
                    if let (false, Binding::Input { param }) = (g.arguments.contains_key(a), b) {
                        g.provenance.insert(a.clone(), format!("input:{param}"));
                    }
                }
                g.arguments = args;
                g.result = res.unwrap_or(Value::Null);
            }
            let (name, description, parameters, returns) =
                signature(&c.gold, &c.tool.implementation, &c.inputs, specs)?;
            c.tool.name = name;
            c.tool.description = description;
            c.tool.parameters = parameters;
            c.tool.returns = returns;
            Some(c)
        });
        match taken {
            Some(c) => {
                *m = c;
                any = true;
            }
            None => {
                env.restore(&snap);
                execute_advanced_calls(&m.tool, &m.inputs, env);
            }
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardgen_core::ToolSpec;
    use serde_json::json;

    struct Specs(Vec<ToolSpec>);
    impl crate::item::SpecLookup for Specs {
        fn spec_by_name(&self, name: &str) -> Option<&ToolSpec> {
            self.0.iter().find(|s| s.name == name)
        }
    }

    fn id(pattern: &str) -> Value {
        json!({"type": "string", "pattern": pattern})
    }

    #[test]
    fn a_second_login_is_a_repeated_call() {
        let login = |step: usize, client: &str| GoldCall {
            step,
            name: "authenticate_travel".into(),
            arguments: json!({"client_id": client})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            provenance: Default::default(),
            depends_on: Vec::new(),
            result: json!({"access_token": format!("ACC-{step}")}),
        };
        let specs = Specs(Vec::new());
        let specs = SpecIndex(&specs);
        assert_eq!(
            repeated_call(&[login(0, "CLI-1"), login(1, "CLI-2")], &specs).as_deref(),
            Some("authenticate_travel signs in twice in one request")
        );
        assert_eq!(repeated_call(&[login(0, "CLI-1")], &specs), None);
        // Authorizing two items (a card, then an account) is not a second login.
        let mut a = login(0, "CLI-1");
        a.name = "authorize_card".into();
        let mut b = login(1, "CLI-2");
        b.name = "authorize_card".into();
        assert_eq!(repeated_call(&[a, b], &specs), None);
    }

    /// A product's quotes (each with its applicant), a contact's quotes, a holder's policies.
    fn insurance() -> Specs {
        let quote = json!({"type": "object", "properties": {
            "quote_id": id("^Q-"), "product_id": id("^P-"), "applicant_contact_id": id("^C-")}});
        let list = |item: Value| {
            json!({"type": "object", "properties": {
            "results": {"type": "array", "items": item}}})
        };
        let spec = |name: &str, param: &str, pattern: &str, returns: Value| ToolSpec {
            name: name.into(),
            description: String::new(),
            domain: "insurance".into(),
            parameters: json!({"type": "object", "properties": {param: id(pattern)}}),
            returns: Some(returns),
            read_only: Some(true),
        };
        Specs(vec![
            spec(
                "list_product_quotes",
                "product_id",
                "^P-",
                list(quote.clone()),
            ),
            spec(
                "list_quotes_of_contact",
                "applicant_contact_id",
                "^C-",
                list(quote),
            ),
            spec(
                "list_policies_of_holder",
                "holder_contact_id",
                "^C-",
                list(json!({"type": "object", "properties": {"policy_id": id("^L-")}})),
            ),
        ])
    }

    fn call(
        step: usize,
        name: &str,
        arg: &str,
        v: &str,
        from: Option<&str>,
        result: Value,
    ) -> GoldCall {
        let mut arguments = Map::new();
        arguments.insert(arg.into(), json!(v));
        let mut provenance = BTreeMap::new();
        provenance.insert(
            arg.into(),
            from.map_or(format!("input:{arg}"), str::to_string),
        );
        GoldCall {
            step,
            name: name.into(),
            arguments,
            provenance,
            depends_on: Vec::new(),
            result,
        }
    }

    #[test]
    fn an_id_an_authorization_only_echoes_comes_from_where_it_got_it() {
        let spec = |name: &str, read_only: bool| ToolSpec {
            name: name.into(),
            description: String::new(),
            domain: "banking".into(),
            parameters: json!({"type": "object", "properties": {}}),
            returns: None,
            read_only: Some(read_only),
        };
        let specs = Specs(vec![
            spec("search_accounts", true),
            spec("authorize_account", false),
            spec("transfer_funds", false),
        ]);
        let specs = SpecIndex(&specs);
        let tc = |step: usize, name: &str, args: Value, prov: &[(&str, &str)], result: Value| {
            hardgen_core::trace::TraceCall {
                step,
                round: 0,
                name: name.into(),
                arguments: args.as_object().cloned().unwrap_or_default(),
                provenance: prov
                    .iter()
                    .map(|(a, p)| (a.to_string(), p.to_string()))
                    .collect(),
                depends_on: (0..step).collect(),
                result: Some(result),
                error: None,
            }
        };
        let accounts = json!({"results": [{"account_id": "A-1"}, {"account_id": "A-2"}]});
        let token = |a: &str| json!({"token": format!("tk_{a}"), "account_id": a});
        let trace = Trace {
            id: "t".into(),
            seed: 1,
            targets: vec!["transfer_funds".into()],
            reached: vec![true],
            calls: vec![
                tc(0, "search_accounts", json!({}), &[], accounts),
                tc(
                    1,
                    "authorize_account",
                    json!({"account_id": "A-1", "pin": 1}),
                    &[
                        ("account_id", "step:0:results[].account_id"),
                        ("pin", "input:pin"),
                    ],
                    token("A-1"),
                ),
                tc(
                    2,
                    "authorize_account",
                    json!({"account_id": "A-2", "pin": 2}),
                    &[
                        ("account_id", "step:0:results[].account_id"),
                        ("pin", "input:pin"),
                    ],
                    token("A-2"),
                ),
                tc(
                    3,
                    "transfer_funds",
                    json!({"from_account_id": "A-2", "to_account_id": "A-1", "token": "tk_A-2"}),
                    &[
                        ("from_account_id", "step:2:account_id"),
                        ("to_account_id", "step:1:account_id"),
                        ("token", "step:2:token"),
                    ],
                    json!({"amount": 5}),
                ),
            ],
        };
        let links = shortcut_echoes(&trace, 0, &specs);
        let (prov, deps) = &links[3];
        // The destination account was only authorized, never used with its token: it comes
        // from the search, and that authorization is no longer a step of the transfer.
        assert_eq!(prov["to_account_id"], "step:0:results[].account_id");
        assert_eq!(prov["from_account_id"], "step:0:results[].account_id");
        assert_eq!(prov["token"], "step:2:token");
        assert_eq!(deps, &vec![0, 2]);
    }

    #[test]
    fn a_chain_back_through_another_item_of_a_kind_it_passed_is_a_detour() {
        let specs = insurance();
        let specs = SpecIndex(&specs);
        let quote = |q: &str, p: &str, c: &str| json!({"quote_id": q, "product_id": p, "applicant_contact_id": c});
        let quotes = |qs: Vec<Value>| json!({ "results": qs });
        let policies = json!({"results": [{"policy_id": "L-1"}]});
        // Product P-1 -> applicant C-1 -> her quote on P-2 -> its applicant C-2 -> policies.
        let zigzag = [
            call(
                0,
                "list_product_quotes",
                "product_id",
                "P-1",
                None,
                quotes(vec![quote("Q-1", "P-1", "C-1")]),
            ),
            call(
                1,
                "list_quotes_of_contact",
                "applicant_contact_id",
                "C-1",
                Some("step:0:results[].applicant_contact_id"),
                quotes(vec![quote("Q-2", "P-2", "C-1")]),
            ),
            call(
                2,
                "list_product_quotes",
                "product_id",
                "P-2",
                Some("step:1:results[].product_id"),
                quotes(vec![quote("Q-3", "P-2", "C-2")]),
            ),
            call(
                3,
                "list_policies_of_holder",
                "holder_contact_id",
                "C-2",
                Some("step:2:results[].applicant_contact_id"),
                policies.clone(),
            ),
        ];
        let why = detour(&zigzag, &specs).expect("a detour");
        assert!(why.contains("two items of kind"), "{why}");
        // The straight chain (product -> applicant -> policies) passes each kind once.
        let straight = [zigzag[0].clone(), {
            let mut c = zigzag[3].clone();
            c.step = 1;
            c.arguments.insert("holder_contact_id".into(), json!("C-1"));
            c.provenance.insert(
                "holder_contact_id".into(),
                "step:0:results[].applicant_contact_id".into(),
            );
            c
        }];
        assert_eq!(detour(&straight, &specs), None);
        // The passed item counts too: C-1's policies reached through quote Q-1 of P-1, after
        // a quote Q-9 of P-1 led to C-1 and back to product P-1's other quote.
        let via_items = [
            call(
                0,
                "list_quotes_of_contact",
                "applicant_contact_id",
                "C-1",
                None,
                quotes(vec![quote("Q-9", "P-1", "C-1")]),
            ),
            call(
                1,
                "list_product_quotes",
                "product_id",
                "P-1",
                Some("step:0:results[].product_id"),
                quotes(vec![quote("Q-1", "P-1", "C-3")]),
            ),
            call(
                2,
                "list_policies_of_holder",
                "holder_contact_id",
                "C-3",
                Some("step:1:results[].applicant_contact_id"),
                policies,
            ),
        ];
        let why = detour(&via_items, &specs).expect("a detour through passed quotes");
        assert!(why.contains("^Q-"), "{why}");
    }

    #[test]
    fn a_selector_avoids_the_field_the_list_was_filtered_on() {
        let res = json!({"results": [
            {"gym_class_id": "C-1", "spots_left": 16, "title": "Yoga"},
            {"gym_class_id": "C-2", "spots_left": 12, "title": "Spin"},
        ]});
        let args = |k: &str| {
            let mut m = serde_json::Map::new();
            m.insert(k.into(), json!(10));
            m
        };
        let path = "results[].gym_class_id";
        // Numbers come after strings anyway; with only numbers left the filter decides.
        let (f, v) = selector(&res, path, 0, &args("limit")).expect("a selector");
        assert_eq!((f.as_str(), v), ("results[].title", json!("Yoga")));
        let res = json!({"results": [
            {"gym_class_id": "C-1", "spots_left": 16, "capacity": 20},
            {"gym_class_id": "C-2", "spots_left": 12, "capacity": 25},
        ]});
        let (f, _) = selector(&res, path, 0, &args("limit")).expect("a selector");
        assert_eq!(f, "results[].capacity");
        let (f, _) = selector(&res, path, 0, &args("min_capacity")).expect("a selector");
        assert_eq!(f, "results[].spots_left");
        // A bound on the field's last words ("date_from" for "slot_date") filters it too.
        let res = json!({"results": [
            {"gym_class_id": "C-1", "slot_date": "2026-06-03", "capacity": 20},
            {"gym_class_id": "C-2", "slot_date": "2026-06-09", "capacity": 25},
        ]});
        let (f, _) = selector(&res, path, 0, &args("limit")).expect("a selector");
        assert_eq!(f, "results[].slot_date");
        let (f, _) = selector(&res, path, 0, &args("date_from")).expect("a selector");
        assert_eq!(f, "results[].capacity");
        // When only the filtered field tells the items apart, it is still used.
        let res = json!({"results": [
            {"gym_class_id": "C-1", "spots_left": 16},
            {"gym_class_id": "C-2", "spots_left": 12},
        ]});
        let (f, _) = selector(&res, path, 0, &args("min_spots_left")).expect("a selector");
        assert_eq!(f, "results[].spots_left");
    }
}
