//! Result schemas for specs that declare none. Most published tool collections (OpenAI tools,
//! BFCL) give parameters only; on the simulated executor such a tool could only echo its
//! arguments, so no call would ever feed another and every trace would be one call long. The
//! collection itself says what the results must hold: a `recipe_id` that `get_recipe_ingredients`
//! takes is handed out by the tool that finds recipes. [`infer_returns`] gives each such producer
//! a `returns` schema with that identifier and a name; tools that produce nothing another tool
//! takes keep no schema (their results stay an acknowledgement).

use hardgen_core::spec::is_identifier_name;
use hardgen_core::ToolSpec;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Gives every spec without `returns` that hands out an identifier other tools of the
/// collection take a `returns` schema (a list of items when the tool finds several, one item
/// otherwise); returns the names of the tools it gave one, in spec order.
pub fn infer_returns(specs: &mut [ToolSpec]) -> Vec<String> {
    // Kind of item -> (the parameter name that takes its id, the tools that take it).
    let mut kinds: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (i, s) in specs.iter().enumerate() {
        for p in params(s) {
            let Some(kind) = item_kind(&p) else { continue };
            let e = kinds.entry(kind).or_insert_with(|| (p.clone(), Vec::new()));
            e.1.push(i);
        }
    }
    let mut named = Vec::new();
    for i in 0..specs.len() {
        if specs[i].returns.is_some() {
            continue;
        }
        let own_params = params(&specs[i]);
        let words = name_words(&specs[i].name);
        let desc = specs[i].description.to_lowercase();
        let mut items = Map::new();
        let mut list = false;
        for (kind, (field, takers)) in &kinds {
            // A tool that needs the item's id reads it, it does not hand it out.
            if own_params
                .iter()
                .any(|p| item_kind(p).as_deref() == Some(kind))
            {
                continue;
            }
            let plural = plural(kind);
            // Made by the verb ("book_table" makes a booking) only where something other than
            // undoing it takes the id: a booking that can only be cancelled stays the user's own
            // (booking and cancelling it at once is no task).
            let by_verb = makes_by_verb(&words, kind)
                && takers.iter().any(|&t| {
                    let first = name_words(&specs[t].name)
                        .into_iter()
                        .next()
                        .unwrap_or_default();
                    !matches!(
                        first.as_str(),
                        "cancel" | "delete" | "remove" | "undo" | "revoke" | "void" | "refund"
                    )
                });
            // The item named after a preposition is whom the tool acts on, not what it hands
            // out: `ask_to_user` returns an answer, `list_orders_for_user` orders.
            // `concert.book_ticket` books a ticket: the verb of the name's last part is no
            // book it hands out.
            let verb_at = specs[i]
                .name
                .rsplit('.')
                .next()
                .map(name_words)
                .and_then(|own| own.first().cloned())
                // `order_food` does make an order: only verbs whose noun is another thing.
                .filter(|v| {
                    matches!(
                        v.as_str(),
                        "book"
                            | "file"
                            | "ship"
                            | "list"
                            | "check"
                            | "search"
                            | "map"
                            | "set"
                            | "run"
                            | "watch"
                            | "lock"
                            | "stamp"
                            | "test"
                            | "park"
                    )
                })
                .and_then(|v| words.iter().rposition(|w| *w == v));
            let by_noun = words
                .iter()
                .enumerate()
                .position(|(j, w)| (*w == *kind || *w == plural) && Some(j) != verb_at)
                .is_some_and(|i| {
                    !words[..i].iter().any(|w| {
                        matches!(
                            w.as_str(),
                            "to" | "for" | "from" | "with" | "about" | "into" | "on" | "of"
                        )
                    })
                });
            let named_here = by_noun || by_verb;
            // "Id of a recipe returned by search_recipes": the taker says where it comes from.
            let by_name = takers.iter().any(|&t| {
                param_description(&specs[t], field)
                    .is_some_and(|d| mentions(&d.to_lowercase(), &specs[i].name))
            });
            let in_details = takers.iter().any(|&t| {
                param_description(&specs[t], field)
                    .is_some_and(|d| names_details(&d.to_lowercase(), &words))
            });
            let pointed = by_name || in_details;
            if !named_here && !pointed {
                continue;
            }
            list |= words.contains(&plural) || mentions(&desc, &plural);
            // The taker's example ("The user id, such as 'sara_doe_496'") says the form the
            // ids take, so the results hand out ids the takers would accept.
            let example = takers
                .iter()
                .filter_map(|&t| param_description(&specs[t], field))
                .find_map(|d| crate::sim::examples(&d).into_iter().next());
            // "payment_method_id": the id of a payment method, not of "the method".
            let what = field
                .strip_suffix("_id")
                .filter(|_| in_details)
                .map_or_else(|| kind.clone(), |s| s.replace('_', " "));
            let described = match example {
                Some(e) => format!("Id of the {what}, such as '{e}'"),
                None => format!("Id of the {what}"),
            };
            items.insert(
                field.clone(),
                json!({"type": "string", "description": described}),
            );
            // A booking made under a guest's name shows that name (`guest_name`, echoed from
            // the call), not a made-up "reservation name".
            let (name_key, what) = match own_params.iter().find(|p| p.ends_with("_name")) {
                Some(p) => (p.clone(), p.trim_end_matches("_name").replace('_', " ")),
                // A booking the verb makes has no name of its own ("booking name Sales client").
                None if by_verb && !by_noun && !pointed => continue,
                // The details of an order show its payment method's id, not a name for it.
                None if in_details && !by_noun && !by_name => continue,
                // A reservation just booked has an id, not a name nobody gave it ("reservation
                // name Quote yearly").
                None if !list
                    && words
                        .first()
                        .is_some_and(|w| MAKE_VERBS.contains(&w.as_str())) =>
                {
                    continue
                }
                None => (format!("{kind}_name"), format!("the {kind}")),
            };
            items.entry(name_key).or_insert_with(
                || json!({"type": "string", "description": format!("Name of {what}")}),
            );
        }
        if items.is_empty() {
            continue;
        }
        let item = json!({"type": "object", "properties": items});
        specs[i].returns = Some(if list {
            json!({"type": "object", "properties": {
                "results": {"type": "array", "items": item, "minItems": 1, "maxItems": 4}}})
        } else {
            item
        });
        named.push(specs[i].name.clone());
    }
    named
}

/// Verbs of a tool that works an answer out of its inputs (in the name or opening its
/// description): `calculate_triangle_area`, `diabetes_prediction` ("Predict the likelihood of
/// ..."), `solve_quadratic`.
const ANSWER_VERBS: &[&str] = &[
    "calculate",
    "compute",
    "estimate",
    "solve",
    "predict",
    "forecast",
    "evaluate",
    "determine",
    "measure",
];

/// Opening verbs of a description of a read.
const READ_OPENINGS: &[&str] = &[
    "get", "retrieve", "fetch", "find", "check", "obtain", "look",
];

/// Nouns a read of one figure names as what it returns ("the air quality *index*").
const FIGURES: &[&str] = &[
    "price",
    "cost",
    "rate",
    "index",
    "temperature",
    "score",
    "total",
    "distance",
    "population",
    "elevation",
    "balance",
    "percentage",
    "level",
    "duration",
    "speed",
    "altitude",
    "humidity",
    "rating",
];

/// What a computation may work out that is not a number.
const NOT_FIGURES: &[&str] = &[
    "route",
    "routes",
    "itinerary",
    "plan",
    "schedule",
    "path",
    "directions",
    "recommendation",
    "recommendations",
    "list",
    "summary",
    "report",
    "text",
    "translation",
    "description",
    "name",
    "address",
    "location",
    "map",
    "image",
    "chart",
    "graph",
    "model",
    "code",
];

/// Words that end the noun phrase of what a computation works out ("the area *of* a triangle").
const PHRASE_ENDS: &[&str] = &[
    "of",
    "for",
    "in",
    "on",
    "at",
    "over",
    "given",
    "based",
    "using",
    "with",
    "from",
    "to",
    "between",
    "by",
    "that",
    "which",
    "and",
    "or",
    "when",
    "if",
    "after",
    "within",
    "per",
    "produced",
    "generated",
    "caused",
    "required",
    "needed",
];

/// Gives every spec still without `returns` that works an answer out of its inputs (an
/// [`ANSWER_VERBS`] verb, no item id to act on) a result with that answer, named by what
/// its description says it works out: "Calculate the area of a triangle" returns `area`, a
/// number; "Predict the likelihood of diabetes" a `probability` from 0 to 1; "Solve a
/// quadratic equation" its `roots`. Without one, such a tool's simulated result could only
/// echo its arguments, and a request for the answer would get "a 3, b 10, c 2" back.
/// Returns the names of the tools it gave one, in spec order.
pub fn infer_answers(specs: &mut [ToolSpec]) -> Vec<String> {
    let mut named = Vec::new();
    for s in specs.iter_mut() {
        if s.returns.is_some() || params(s).iter().any(|p| is_identifier_name(p)) {
            continue;
        }
        let Some(returns) = answer_schema(&s.name, &s.description) else {
            continue;
        };
        s.returns = Some(returns);
        named.push(s.name.clone());
    }
    named
}

/// The result schema of a computation named `name` described by `description`, if it is one
/// (see [`infer_answers`]).
fn answer_schema(name: &str, description: &str) -> Option<Value> {
    let own = hardgen_core::spec::own_description(description).to_lowercase();
    let said: Vec<&str> = own
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let plain = |w: &str| verb_of(w, ANSWER_VERBS);
    let last = name.rsplit('.').next().unwrap_or(name);
    let words = name_words(last);
    let by_name = words.iter().any(|w| plain(w).is_some());
    let by_description = said.first().is_some_and(|w| plain(w).is_some());
    // A read of one figure ("Retrieve the air quality index for a location", "Get the
    // current price of a stock") answers with it too; a read of anything else stays as is.
    let reads_figure = !by_name && !by_description && {
        let opens = said
            .first()
            .is_some_and(|w| verb_of(w, READ_OPENINGS).is_some());
        let noun = noun_phrase(said.get(1..).unwrap_or_default());
        opens && noun.last().is_some_and(|t| FIGURES.contains(t)) && noun.len() <= 4
    };
    if !by_name && !by_description && !reads_figure {
        return None;
    }
    let by_description = by_description || reads_figure;
    let has = |w: &str| said.contains(&w);
    if has("quadratic") || has("roots") {
        return Some(json!({"type": "object", "properties": {"roots": {
            "type": "array", "items": {"type": "number"},
            "description": "The real roots of the equation"}}}));
    }
    if ["likelihood", "probability", "chance", "risk"]
        .iter()
        .any(|w| has(w))
    {
        return Some(json!({"type": "object", "properties": {"probability": {
            "type": "number", "minimum": 0, "maximum": 1,
            "description": "The probability, from 0 to 1"}}}));
    }
    // What the verb works out: the words after it (past an article) up to a preposition.
    let start = if by_description { 1 } else { 0 };
    let mut phrase: Vec<&str> = noun_phrase(&said[start..])
        .into_iter()
        .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
        .collect();
    phrase.truncate(3);
    if !by_description || phrase.is_empty() {
        // `calculate_triangle_area`: the name's words after its verb.
        let at = words.iter().position(|w| plain(w).is_some())?;
        let rest: Vec<&str> = words[at + 1..].iter().map(String::as_str).collect();
        if rest.is_empty() {
            return None;
        }
        phrase = rest;
    }
    // "the return on assets" is one figure, named by all of it.
    if phrase == ["return"] {
        if let Some(at) = said.iter().position(|w| *w == "return") {
            if said.get(at + 1) == Some(&"on") {
                if let Some(what) = said.get(at + 2) {
                    phrase = vec!["return", "on", what];
                }
            }
        }
    }
    // A route, a plan or a list is no figure: such a tool keeps no inferred answer.
    let last_word = *phrase.last()?;
    if NOT_FIGURES.contains(&last_word) {
        return None;
    }
    let key = phrase.join("_");
    let what = phrase.join(" ");
    let tail = *phrase.last()?;
    // "the prime factorization of a number": a list of whole numbers.
    let whole_list = matches!(
        tail,
        "factorization" | "factorisation" | "factors" | "primes" | "divisors"
    );
    let field = match tail {
        _ if whole_list => {
            json!({"type": "array", "items": {"type": "integer"}, "description": format!("The {what}")})
        }
        "date" | "day" => {
            json!({"type": "string", "format": "date", "description": format!("The {what}")})
        }
        "time" => json!({"type": "string", "description": format!("The {what}, as HH:MM")}),
        _ => json!({"type": "number", "description": format!("The {what}")}),
    };
    Some(json!({"type": "object", "properties": {key: field}}))
}

/// The verb of `verbs` that word `w` is, in its plain form or with an -s/-es ("Predicts" is
/// "predict").
fn verb_of(w: &str, verbs: &[&'static str]) -> Option<&'static str> {
    verbs
        .iter()
        .copied()
        .find(|v| w == *v || w.strip_suffix('s') == Some(v) || w.strip_suffix("es") == Some(v))
}

/// The noun phrase `words` open with: past an article, up to a [`PHRASE_ENDS`] word.
fn noun_phrase<'w>(words: &[&'w str]) -> Vec<&'w str> {
    words
        .iter()
        .copied()
        .skip_while(|w| matches!(*w, "the" | "a" | "an"))
        .take_while(|w| !PHRASE_ENDS.contains(w))
        .collect()
}

/// Whether a description says a value is found in what the tool named by `words` shows:
/// "looked up from the user or order details" names `get_user_details` and
/// `get_order_details` (the noun of the name a few words before its "details").
fn names_details(desc: &str, words: &[String]) -> bool {
    let [_, nouns @ .., last] = words else {
        return false;
    };
    if nouns.is_empty()
        || !matches!(
            last.as_str(),
            "details" | "info" | "information" | "profile"
        )
    {
        return false;
    }
    let said: Vec<&str> = desc
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .collect();
    said.iter().enumerate().any(|(at, w)| {
        *w == last.as_str() && {
            let before = &said[at.saturating_sub(4)..at];
            nouns.iter().all(|n| before.contains(&n.as_str()))
        }
    })
}

/// First words of tool names that make a new item (`book_table`, `place_order`,
/// `create_ticket`).
pub(crate) const MAKE_VERBS: &[&str] = &[
    "book",
    "reserve",
    "order",
    "register",
    "subscribe",
    "schedule",
    "submit",
    "place",
    "create",
    "open",
    "start",
    "send",
    "post",
    "file",
    "rent",
    "purchase",
    "buy",
    "enroll",
    "add",
    "new",
    "make",
];

/// Whether a tool's verb makes the kind of item its own noun does not name: `book_table`
/// makes a booking, `reserve_room` a reservation, `register_user` a registration.
fn makes_by_verb(words: &[String], kind: &str) -> bool {
    let Some(verb) = words.first() else {
        return false;
    };
    if !MAKE_VERBS.contains(&verb.as_str()) {
        return false;
    }
    let stem = verb.trim_end_matches('e');
    [
        format!("{verb}ing"),
        format!("{stem}ing"),
        format!("{stem}ation"),
        format!("{verb}ment"),
        format!("{stem}tion"),
    ]
    .iter()
    .any(|n| n == kind)
        || (verb == "register" && kind == "registration")
        || (verb == "subscribe" && kind == "subscription")
        || (matches!(verb.as_str(), "purchase" | "buy") && kind == "purchase")
}

/// Parameter names of a spec.
fn params(s: &ToolSpec) -> Vec<String> {
    s.parameters
        .get("properties")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The description of one parameter.
fn param_description(s: &ToolSpec, p: &str) -> Option<String> {
    s.parameters
        .get("properties")?
        .get(p)?
        .get("description")?
        .as_str()
        .map(str::to_string)
}

/// The kind of item an identifier parameter names (`recipe_id`, `recipeId` -> `recipe`); none
/// for tokens, keys and a bare `id` (they name no kind another tool could hand out).
fn item_kind(p: &str) -> Option<String> {
    if !is_identifier_name(p) {
        return None;
    }
    let stem = p
        .strip_suffix("_id")
        .or_else(|| p.strip_suffix("Id"))?
        .to_string();
    let last = name_words(&stem).pop()?;
    (!last.is_empty()).then_some(last)
}

/// Lowercase words of a snake_case or camelCase name.
pub(crate) fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' || c == ' ' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        } else if c.is_uppercase() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            cur.extend(c.to_lowercase());
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// English plural of a one-word noun.
pub(crate) fn plural(w: &str) -> String {
    if let Some(stem) = w
        .strip_suffix('y')
        .filter(|s| !s.ends_with(['a', 'e', 'o', 'u']))
    {
        format!("{stem}ies")
    } else if w.ends_with('s') || w.ends_with("sh") || w.ends_with("ch") || w.ends_with('x') {
        format!("{w}es")
    } else {
        format!("{w}s")
    }
}

/// Whether `text` has `word` as a whole word.
fn mentions(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_computation_without_a_result_returns_what_it_works_out() {
        let spec = |name: &str, d: &str, props: Value| ToolSpec {
            read_only: None,
            name: name.into(),
            description: d.into(),
            domain: "maths".into(),
            parameters: json!({"type": "object", "properties": props}),
            returns: None,
        };
        let num = json!({"type": "number"});
        let mut specs = vec![
            spec(
                "calculate_triangle_area",
                "Calculate the area of a triangle given its base and height.",
                json!({"base": num, "height": num}),
            ),
            spec(
                "diabetes_prediction",
                "Predict the likelihood of diabetes type 2 based on weight.",
                json!({"weight": num}),
            ),
            spec(
                "solve_quadratic",
                "Solve a quadratic equation given coefficients a, b, and c.",
                json!({"a": num, "b": num, "c": num}),
            ),
            spec(
                "prime_factorize",
                "Calculate the prime factorization of a given integer.",
                json!({"number": num}),
            ),
            spec(
                "calculate_electric_field",
                "Calculate the electric field produced by a charge.",
                json!({"charge": num}),
            ),
            spec(
                "financial_ratios.calculate_ROA",
                "Calculate the return on assets for a company.",
                json!({"net_income": num}),
            ),
            spec(
                "air_quality",
                "Retrieve the air quality index for a specific location.",
                json!({"location": {"type": "string"}}),
            ),
            // Not computations (a change, a lookup of an item by id, a read) or no figure.
            spec(
                "route_planner.calculate_route",
                "Calculate the route to a destination.",
                json!({"destination": {"type": "string"}}),
            ),
            spec(
                "send_email",
                "Send an email.",
                json!({"to": {"type": "string"}}),
            ),
            spec(
                "calculate_order_total",
                "Calculate the total of an order.",
                json!({"order_id": {"type": "string"}}),
            ),
            spec(
                "get_weather",
                "Get the weather for a city.",
                json!({"city": {"type": "string"}}),
            ),
        ];
        let named = infer_answers(&mut specs);
        assert_eq!(
            named,
            vec![
                "calculate_triangle_area",
                "diabetes_prediction",
                "solve_quadratic",
                "prime_factorize",
                "calculate_electric_field",
                "financial_ratios.calculate_ROA",
                "air_quality"
            ]
        );
        let field = |i: usize, k: &str| {
            specs[i]
                .returns
                .as_ref()
                .and_then(|r| r.pointer(&format!("/properties/{k}")))
                .cloned()
        };
        assert_eq!(
            field(0, "area").and_then(|f| f.get("type").cloned()),
            Some(json!("number"))
        );
        assert_eq!(
            field(1, "probability").and_then(|f| f.get("maximum").cloned()),
            Some(json!(1))
        );
        assert_eq!(
            field(2, "roots").and_then(|f| f.get("type").cloned()),
            Some(json!("array"))
        );
        assert_eq!(
            field(3, "prime_factorization").and_then(|f| f.pointer("/items/type").cloned()),
            Some(json!("integer"))
        );
        assert!(
            field(4, "electric_field").is_some(),
            "{:?}",
            specs[4].returns
        );
        assert!(
            field(5, "return_on_assets").is_some(),
            "{:?}",
            specs[5].returns
        );
        assert!(
            field(6, "air_quality_index").is_some(),
            "{:?}",
            specs[6].returns
        );
        assert!(specs[7..].iter().all(|s| s.returns.is_none()));
    }

    use super::*;

    fn spec(name: &str, description: &str, params: Value) -> ToolSpec {
        ToolSpec {
            name: name.into(),
            description: description.into(),
            domain: String::new(),
            parameters: json!({"type": "object", "properties": params}),
            returns: None,
            read_only: None,
        }
    }

    fn collection() -> Vec<ToolSpec> {
        vec![
            spec(
                "search_recipes",
                "Search recipes by cuisine.",
                json!({"cuisine": {"type": "string"}}),
            ),
            spec(
                "get_recipe_ingredients",
                "List the ingredients of one recipe.",
                json!({"recipe_id": {"type": "string", "description": "Id of a recipe returned by search_recipes"}}),
            ),
            spec(
                "add_to_shopping_list",
                "Add an ingredient to the shopping list.",
                json!({"ingredient_id": {"type": "string"}, "quantity": {"type": "number"}}),
            ),
            spec(
                "find_store",
                "Find grocery stores in a city.",
                json!({"city": {"type": "string"}}),
            ),
            spec(
                "place_order",
                "Order from a store.",
                json!({"store_id": {"type": "string"}, "token": {"type": "string"}}),
            ),
        ]
    }

    #[test]
    fn an_id_the_takers_find_in_details_is_in_those_details() {
        // tau-bench retail: "These can be looked up from the user or order details."
        let mut specs = vec![
            spec(
                "get_order_details",
                "Get the status and details of an order.",
                json!({"order_id": {"type": "string"}}),
            ),
            spec(
                "get_product_details",
                "Get the inventory details of a product.",
                json!({"product_id": {"type": "string"}}),
            ),
            spec(
                "modify_pending_order_payment",
                "Modify the payment method of a pending order.",
                json!({"order_id": {"type": "string"}, "payment_method_id": {"type": "string",
                    "description": "The payment method id, such as 'gift_card_0000000'. These can be looked up from the user or order details."}}),
            ),
        ];
        let named = infer_returns(&mut specs);
        assert_eq!(named, ["get_order_details"]);
        let r = specs[0].returns.as_ref().expect("order details");
        let id = &r["properties"]["payment_method_id"];
        assert_eq!(
            id["description"],
            "Id of the payment method, such as 'gift_card_0000000'"
        );
        // The details show the method's id, not a made-up name for it.
        assert_eq!(r["properties"].as_object().map(|p| p.len()), Some(1));
        assert!(specs[1].returns.is_none());
    }

    #[test]
    fn producers_get_the_ids_their_consumers_take() {
        let mut specs = collection();
        let named = infer_returns(&mut specs);
        assert_eq!(
            named,
            ["search_recipes", "get_recipe_ingredients", "find_store"]
        );
        let r = specs[0].returns.as_ref().expect("search_recipes returns");
        let item = &r["properties"]["results"]["items"]["properties"];
        assert!(item.get("recipe_id").is_some() && item.get("recipe_name").is_some());
        // The ingredients of one recipe are a list; the recipe id it takes is not handed out.
        let r = specs[1].returns.as_ref().expect("ingredients returns");
        let item = &r["properties"]["results"]["items"]["properties"];
        assert!(item.get("ingredient_id").is_some() && item.get("recipe_id").is_none());
        // "Find grocery stores": a list, named by the description's plural.
        assert!(
            specs[3].returns.as_ref().expect("find_store")["properties"]["results"].is_object()
        );
        // Tools whose results nothing takes keep none; a token names no kind.
        assert!(specs[2].returns.is_none() && specs[4].returns.is_none());
    }

    #[test]
    fn an_item_named_after_a_preposition_is_acted_on_not_handed_out() {
        let mut specs = vec![
            spec(
                "ask_to_user",
                "Prompts the user and records their answer.",
                json!({"answer": {"type": "string"}}),
            ),
            spec(
                "find_user",
                "Find a user by e-mail.",
                json!({"email": {"type": "string"}}),
            ),
            spec(
                "add_mapping",
                "Map a user to a resource.",
                json!({"user_id": {"type": "string"}, "resource_id": {"type": "string"}}),
            ),
        ];
        assert_eq!(infer_returns(&mut specs), ["find_user"]);
        assert!(specs[0].returns.is_none());
    }

    #[test]
    fn a_verb_in_a_name_is_not_the_item_it_hands_out() {
        let mut specs = vec![
            spec(
                "concert.book_ticket",
                "Book a concert ticket.",
                json!({"artist": {"type": "string"}}),
            ),
            spec(
                "library.search_book",
                "Search for a book.",
                json!({"book_name": {"type": "string"}}),
            ),
            spec(
                "library.reserve_book",
                "Reserve a book.",
                json!({"book_id": {"type": "string"}}),
            ),
        ];
        assert_eq!(infer_returns(&mut specs), ["library.search_book"]);
    }

    #[test]
    fn an_item_made_under_a_name_shows_that_name() {
        let mut specs = vec![
            spec(
                "reserve_table",
                "Reserve a table for a guest.",
                json!({"restaurant_id": {"type": "string"}, "guest_name": {"type": "string"}}),
            ),
            spec(
                "cancel_reservation",
                "Cancel a reservation.",
                json!({"reservation_id": {"type": "string", "description": "Reservation id returned by reserve_table"}}),
            ),
        ];
        infer_returns(&mut specs);
        let r = specs[0].returns.as_ref().expect("reserve_table returns");
        let props = &r["properties"];
        assert!(props["reservation_id"].is_object(), "{r}");
        assert!(
            props["guest_name"].is_object() && props.get("reservation_name").is_none(),
            "{r}"
        );
    }

    #[test]
    fn a_verb_that_makes_an_item_hands_out_its_id() {
        let mut specs = vec![
            spec(
                "book_table",
                "Book a table at a restaurant.",
                json!({"restaurant_id": {"type": "string"}, "party_size": {"type": "integer"}}),
            ),
            spec(
                "cancel_booking",
                "Cancel a table booking.",
                json!({"booking_id": {"type": "string"}}),
            ),
            spec(
                "show_table",
                "Show a table.",
                json!({"table_id": {"type": "string"}}),
            ),
        ];
        // Only cancelling takes the booking: it stays the user's own.
        let mut only_undo = specs.clone();
        infer_returns(&mut only_undo);
        assert!(only_undo[0]
            .returns
            .as_ref()
            .is_none_or(|r| r["properties"].get("booking_id").is_none()));
        specs.push(spec(
            "add_booking_note",
            "Add a note to a booking.",
            json!({"booking_id": {"type": "string"}, "note": {"type": "string"}}),
        ));
        infer_returns(&mut specs);
        let r = specs[0].returns.as_ref().expect("book_table returns");
        assert!(r["properties"]["booking_id"].is_object(), "{r}");
        assert!(r["properties"].get("booking_name").is_none(), "{r}");
        // Cancelling a booking makes nothing: it takes the id it would hand out.
        assert!(specs[1].returns.is_none());
        assert!(makes_by_verb(
            &["reserve".into(), "room".into()],
            "reservation"
        ));
        assert!(!makes_by_verb(
            &["cancel".into(), "room".into()],
            "cancellation"
        ));
    }

    #[test]
    fn a_declared_schema_is_kept_and_a_single_item_is_an_object() {
        let mut specs = collection();
        specs[0].returns = Some(json!({"type": "object"}));
        specs[3].description = "Find the nearest grocery store in a city.".into();
        infer_returns(&mut specs);
        assert_eq!(specs[0].returns, Some(json!({"type": "object"})));
        let r = specs[3].returns.as_ref().expect("find_store");
        assert!(r["properties"]["store_id"].is_object(), "{r}");
    }

    #[test]
    fn words_plurals_and_kinds() {
        assert_eq!(
            name_words("getRecipeIngredients"),
            ["get", "recipe", "ingredients"]
        );
        assert_eq!(plural("category"), "categories");
        assert_eq!(plural("day"), "days");
        assert_eq!(plural("box"), "boxes");
        assert_eq!(item_kind("owner_contact_id").as_deref(), Some("contact"));
        assert_eq!(item_kind("flightId").as_deref(), Some("flight"));
        assert_eq!(item_kind("session_token"), None);
        assert_eq!(item_kind("id"), None);
        assert!(mentions(
            "id of a recipe returned by search_recipes",
            "search_recipes"
        ));
        assert!(!mentions("see search_recipes_v2", "search_recipes"));
    }
}
