//! Natural phrasings of tools and parameters, derived from their names and descriptions
//! (deterministic templates: every tool gets at least two phrasings).

/// Verbs of tool names and how a user would say them.
const VERBS: &[(&str, &str)] = &[
    ("get", "look up"),
    ("list", "show me"),
    ("search", "find"),
    ("find", "find"),
    ("lookup", "look up"),
    ("count", "count"),
    ("total", "work out the total"),
    ("largest", "find the largest"),
    ("authorize", "authorize"),
    ("add", "add"),
    ("create", "create"),
    ("set", "set"),
    ("update", "update"),
    ("cancel", "cancel"),
    ("book", "book"),
    ("issue", "issue"),
    ("block", "block"),
    ("freeze", "freeze"),
    ("unfreeze", "unfreeze"),
    ("transfer", "transfer"),
    ("schedule", "schedule"),
];

/// The verb a tool name starts with, lowercased: "get" for `get_station`, `getStation` and
/// `GetStation` alike (collections written by others use every case).
pub fn name_verb(name: &str) -> String {
    // Up to the first `_` or the next capital (called for every tool of every item: no
    // word list is built).
    let name = own_name(name).trim_start_matches('_');
    let end = name
        .char_indices()
        .skip(1)
        .find(|(_, c)| matches!(c, '_' | '.') || c.is_ascii_uppercase())
        .map_or(name.len(), |(i, _)| i);
    name[..end].to_ascii_lowercase()
}

/// The name a dotted tool name is called by: its last part when that has several words
/// (`vex_api.VexApi.export_project_as_cyclone_dx1` is `export_project_as_cyclone_dx1`), else
/// the whole name (`send.message` sends a message).
pub fn own_name(name: &str) -> &str {
    let Some((_, last)) = name.rsplit_once('.') else {
        return name;
    };
    let end = last
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '_' || c.is_ascii_uppercase())
        .map_or(last.len(), |(i, _)| i);
    // A last part of several words is a name of its own; one word is the object of what
    // comes before ("send.message").
    if end < last.len() {
        last
    } else {
        name
    }
}

/// Words of a snake_case name, with common abbreviations spelled out.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in own_name(name)
        .split(['_', '.'])
        .filter(|w| !w.is_empty())
        .flat_map(camel_parts)
    {
        // After a noun, "follow up" is the noun "follow-up" ("the contact follow-up"); first,
        // it is the verb ("follow up with the contact").
        if (w == "up" || w == "ups") && out.len() > 1 && out.last().is_some_and(|l| l == "follow") {
            out.pop();
            out.push(format!("follow-{w}"));
            continue;
        }
        // "last4" is what a card shows: its "last four digits".
        if let Some(n) = counted_digits(&w) {
            out.extend([n.0.to_string(), n.1.to_string(), "digits".to_string()]);
            continue;
        }
        out.push(match w.as_str() {
            "id" => "ID".to_string(),
            "ids" => "IDs".to_string(),
            // tau-bench's `address1`, `address2`.
            "address1" => "address line 1".to_string(),
            "address2" => "address line 2".to_string(),
            "iban" => "IBAN".to_string(),
            "pin" => "PIN".to_string(),
            "mb" => "MB".to_string(),
            "gb" => "GB".to_string(),
            "kwh" => "kWh".to_string(),
            "eur" => "EUR".to_string(),
            // Initialisms read in capitals ("the ISBN", "an RSVP of accepted").
            other if is_initialism(other) => other.to_ascii_uppercase(),
            // `add_mapping2`: a second version of a tool, not "the mapping2".
            other => versioned(other).unwrap_or(other).to_string(),
        });
    }
    out
}

/// A word with a version digit after five letters or more (`mapping2` -> `mapping`); "base64",
/// "html5", "s3" keep theirs.
fn versioned(w: &str) -> Option<&str> {
    let b = w.as_bytes();
    let n = b.len();
    (n >= 6 && b[n - 1].is_ascii_digit() && b[..n - 1].iter().all(u8::is_ascii_alphabetic))
        .then(|| &w[..n - 1])
}

/// The item and the state of a name that puts an item in a state (`mark_lease_repair_fixed`:
/// ["lease", "repair"] and "fixed"; `mark_stay_no_show`: ["stay"] and "a no-show"), from the
/// words after the verb.
pub fn marked_state<S: AsRef<str>>(verb: &str, rest: &[S]) -> Option<(Vec<String>, String)> {
    let w: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
    let n = w.len();
    let (cut, state) = match w.as_slice() {
        [.., "no", "show"] => (2, "a no-show".to_string()),
        [.., "sold", "out"] if verb == "mark" => (2, "sold out".to_string()),
        [.., last] if verb == "mark" && is_state_word(last) => (1, (*last).to_string()),
        _ => return None,
    };
    (n > cut).then(|| (w[..n - cut].iter().map(|x| x.to_string()).collect(), state))
}

/// Whether a word names a state an item is marked as ("read", "fixed", "attended", "lost").
fn is_state_word(w: &str) -> bool {
    (w.len() > 4 && w.ends_with("ed"))
        || matches!(
            w,
            "read"
                | "unread"
                | "lost"
                | "paid"
                | "done"
                | "complete"
                | "available"
                | "unavailable"
                | "spam"
                | "urgent"
                | "late"
                | "sold"
        )
}

/// Whether a word is an adverb of manner ("permanently", "manually"): an -ly word that is not
/// a noun or an adjective of time ("supply", "reply", "daily", "monthly").
fn manner_adverb(w: &str) -> bool {
    w.len() > 5
        && w.ends_with("ly")
        && !matches!(
            w,
            "supply"
                | "assembly"
                | "family"
                | "anomaly"
                | "monopoly"
                | "daily"
                | "weekly"
                | "monthly"
                | "quarterly"
                | "yearly"
                | "hourly"
                | "nightly"
                | "friendly"
        )
}

/// Whether a lowercase word is an initialism said in capitals ("sms" is "SMS").
pub fn is_initialism(w: &str) -> bool {
    matches!(
        w,
        "isbn" | "iata" | "sku" | "rsvp" | "vat" | "vin" | "url" | "sms" | "pdf" | "api"
    )
}

/// `last4` -> ("last", "four"), `first6` -> ("first", "six"): a number of leading or trailing
/// digits, as card and account numbers are shown.
fn counted_digits(w: &str) -> Option<(&'static str, &'static str)> {
    const NUMBERS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let (side, n) = if let Some(n) = w.strip_prefix("last") {
        ("last", n)
    } else {
        ("first", w.strip_prefix("first")?)
    };
    let d = n
        .parse::<usize>()
        .ok()
        .filter(|d| (2..10).contains(d) && n.len() == 1)?;
    Some((side, NUMBERS[d]))
}

/// `entityType` -> ["entity", "type"]; words without an inner capital stay whole (`IBAN`).
fn camel_parts(w: &str) -> Vec<String> {
    let cs: Vec<char> = w.chars().collect();
    let mut out = vec![String::new()];
    for (i, &c) in cs.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| cs[j]);
        let next = cs.get(i + 1).copied();
        // "currentTemp" splits before "T"; "currentACTemperature" also before the "T" that
        // ends the initialism "AC" (an upper-case letter between another and a lower-case).
        let after_lower = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
        let ends_initialism = prev.is_some_and(|p| p.is_ascii_uppercase())
            && next.is_some_and(|n| n.is_ascii_lowercase());
        if c.is_ascii_uppercase() && (after_lower || ends_initialism) {
            out.push(String::new());
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    if out.len() > 1 {
        // An initialism inside a camelCase name keeps its capitals ("AC"); other parts are
        // words, and "ID" is read as the word "id" is (see [`words`]).
        out.iter_mut()
            .filter(|p| p == &"ID" || !(p.len() > 1 && p.chars().all(|c| c.is_ascii_uppercase())))
            .for_each(|p| *p = p.to_ascii_lowercase());
    }
    out
}

/// First words of tool names that are not verbs (`highest_meter_reading`): the request says
/// "find the highest meter reading".
pub const NOT_VERBS: &[&str] = &[
    "highest", "lowest", "largest", "smallest", "latest", "earliest", "newest", "oldest",
    "cheapest", "top", "best", "most", "least", "next", "average", "total", "biggest",
];

/// Past participles that do not end in "-ed" ("sent on", "paid by").
const IRREGULAR_PARTICIPLES: &[&str] = &[
    "sent", "paid", "made", "held", "given", "kept", "bought", "sold", "built", "taken", "written",
    "done", "seen", "won", "begun", "spent", "found", "met", "set", "brought", "shown", "drawn",
    "chosen", "frozen", "stolen", "hidden", "known", "left", "read", "put", "run", "lost",
];

/// Whether a word is a past participle ("opened", "sent"): "sent on or after X" reads as it is,
/// "with sent on or after X" does not.
pub fn is_participle(w: &str) -> bool {
    // "need", "speed" and "feed" end in "-ed" too.
    (w.len() > 3 && w.ends_with("ed") && !w.ends_with("eed")) || IRREGULAR_PARTICIPLES.contains(&w)
}

/// Whether a word can follow its noun and take a date the way a participle does ("opened on X",
/// "due on X"): a participle, or "due".
pub fn follows_noun(w: &str) -> bool {
    is_participle(w) || w == "due"
}

/// (verb phrase, object phrase) of a tool name: `set_card_limit` -> ("set", "the card limit").
pub fn verb_object(tool: &str) -> (String, String) {
    let w = words(tool);
    // `Media_3_PlayMovie`, `Services_4_FindProvider`: a service and its version, then the
    // action ("play the movie").
    if w.len() >= 3
        && w[1].bytes().all(|b| b.is_ascii_digit())
        && crate::lexicon::is_common_verb(&w[2])
    {
        return verb_object(&w[2..].join("_"));
    }
    if w.first().is_some_and(|f| NOT_VERBS.contains(&f.as_str())) {
        return ("find".into(), format!("the {}", w.join(" ")));
    }
    let (verb, rest) = match w.split_first() {
        Some((v, rest)) => (v.clone(), rest.to_vec()),
        None => (tool.to_string(), Vec::new()),
    };
    let mut said = VERBS
        .iter()
        .find(|(v, _)| *v == verb)
        .map_or(verb.clone(), |(_, s)| s.to_string());
    let mut rest = rest;
    // "advance_to_interviews": a destination, not an object ("advance to interviews").
    if rest
        .first()
        .is_some_and(|p| matches!(p.as_str(), "to" | "into"))
    {
        return (format!("{said} {}", rest.join(" ")), String::new());
    }
    // "check_out_reserved_vehicle": a phrasal verb ("check out the reserved vehicle").
    if rest.len() > 1
        && matches!(
            rest[0].as_str(),
            "out" | "in" | "up" | "off" | "back" | "down"
        )
    {
        said = format!("{said} {}", rest.remove(0));
    }
    // "mark_stay_no_show": "mark the stay as a no-show"; "mark_lease_repair_fixed": "mark the
    // lease repair as fixed".
    if let Some((item, state)) = marked_state(&verb, &rest) {
        return (said, format!("the {} as {state}", item.join(" ")));
    }
    // "delete_file_permanently": a closing adverb says how, before the verb ("permanently
    // delete the file"); left in the object it would read as a noun ("the file permanently").
    if rest.len() > 1 && rest.last().is_some_and(|w| manner_adverb(w)) {
        if let Some(adv) = rest.pop() {
            said = format!("{adv} {said}");
        }
    }
    // "find_employee_by_email": the "by" part names a filter the request states apart.
    if let Some(i) = rest.iter().position(|x| x == "by").filter(|i| *i > 0) {
        rest.truncate(i);
    }
    // Words that only link parts are dropped from what follows the link.
    let content = |ws: &[String]| {
        ws.iter()
            .filter(|x| !matches!(x.as_str(), "by" | "of" | "for"))
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    };
    // "count_seats_left_for_show": "the seats left for the show", not "the seats left show".
    let object = match rest
        .iter()
        .position(|x| matches!(x.as_str(), "of" | "for"))
        .filter(|i| *i > 0 && *i + 1 < rest.len())
    {
        Some(i) => format!(
            "{} {} the {}",
            rest[..i].join(" "),
            rest[i],
            content(&rest[i + 1..])
        ),
        None => content(&rest),
    };
    (
        said,
        if object.is_empty() {
            String::new()
        } else if ["all ", "every ", "each "]
            .iter()
            .any(|d| object.starts_with(d))
        {
            // "segment all objects", not "segment the all objects".
            object
        } else {
            format!("the {object}")
        },
    )
}

/// Where a description's first clause stops being the action and goes on to its inputs, an
/// aside or a use ("..., specifying the restaurant", " by providing the order ID", " (").
pub const CLAUSE_CUTS: &[&str] = &[
    // "Multiplies two integers and returns the product": what comes back is not the request.
    " and returns ",
    " and return the ",
    ", returning ",
    " and returning ",
    " (",
    ";",
    " with an optional",
    " with the ",
    // "register ... as a driver with their licence number, class and expiry date": inputs.
    " with their ",
    " with its ",
    ":",
    ", optionally",
    // "..., with the kind of damage and a repair fee": the inputs, said with their values.
    ", with ",
    ", then",
    " — ",
    ", sorted",
    ", newest",
    ", cheapest",
    ", soonest",
    ", best",
    ", closest",
    ", earliest",
    ", most",
    ", lowest",
    ", largest",
    // "..., for example to find someone's id": a use, not the request.
    ", for example",
    ", e.g.",
    ", such as",
    // "..., specifying the restaurant, items and quantities": the inputs again.
    ", specifying",
    ", including",
    " by providing",
    " by specifying",
    // "generate fake records with options to include banking data": the optional inputs.
    " with options to ",
    // "Calculate the area of a triangle given its base and height": the inputs again.
    " given its ",
    " given their ",
    " given the ",
    " given a ",
    " given an ",
    // "the area of a rectangle with given length and width", "an object under given
    // conditions": the values follow.
    " with given ",
    " under given ",
];

/// Asides a description makes about the tool's own scope, which a person asking never says
/// ("a file of any extension from current directory" is "a file"); removed wherever they are.
pub const SCOPE_ASIDES: &[&str] = &[
    " of any extension",
    " from currrent directory",
    " from current directory",
    " from the current directory",
    " at current directory",
    " at the current directory",
    " in current directory",
    " in the current directory",
];

/// `text` without its [`SCOPE_ASIDES`].
pub fn without_scope(text: &str) -> String {
    let mut out = text.to_string();
    for a in SCOPE_ASIDES {
        while let Some(i) = out.find(a) {
            let end = i + a.len();
            // Whole words only: "in the current directory" but not "... directory_name".
            if out[end..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                break;
            }
            out.replace_range(i..end, "");
        }
    }
    out
}

/// Whether a tool's name opens with a word that is not a verb while its description opens
/// with one (`liter_to_gallon`: "Convert liters to gallons"), or ends with its action as a
/// noun (`order_status_check`: "Check the current status of an order").
pub fn names_no_verb(name: &str, description: &str) -> bool {
    let verb = name_verb(name);
    let first = hardgen_core::spec::own_description(description)
        .split(' ')
        .next()
        .unwrap_or("");
    if !crate::lexicon::is_common_verb(&verb)
        && !NOT_VERBS.contains(&verb.as_str())
        && crate::lexicon::imperative(first).is_some()
    {
        return true;
    }
    // `order_status_check` "Check the current status of an order", `inventory_management`
    // "Manage inventory-related queries": the name ends with what the tool does, and starts
    // with what it does it to ("order the status check" would misread it).
    let d = first.to_lowercase();
    let d = crate::lexicon::imperative(&d).unwrap_or(d);
    let stem = d.strip_suffix('e').unwrap_or(&d);
    let words = words(name);
    // "make_job_offer": a light verb with its noun ("make the job offer") is a verb phrase.
    let light = matches!(
        verb.as_str(),
        "make" | "do" | "get" | "set" | "have" | "take" | "give" | "create" | "add" | "new"
    );
    !light
        && words.len() > 1
        && stem.len() >= 4
        && d != verb
        && d.chars().all(|c| c.is_ascii_lowercase())
        && words.last().is_some_and(|l| {
            // An action named as a noun: "check", "lookup", "management", "validation" (not
            // "place_grocery_order": an order is a thing one places).
            let noun_of_act = *l == d
                && matches!(
                    d.as_str(),
                    "check" | "lookup" | "search" | "update" | "review" | "scan" | "test"
                );
            noun_of_act || (l.starts_with(stem) && (l.ends_with("ment") || l.ends_with("ion")))
        })
}

/// What the agent sets out to do with tool `tool` described by `description`: the name's
/// words when it opens with a verb ([`goal`]); otherwise the description's first clause when
/// that opens with one (BFCL's `percentage`, "Calculate the percentage of a part relative to a
/// whole" -> "calculate the percentage of a part relative to a whole"), where [`goal`] would
/// read "percentage" as the verb; else "work out the {name}".
pub fn goal_in(tool: &str, description: &str) -> String {
    let w = words(tool);
    let first = w.first().map(String::as_str).unwrap_or("");
    // `order_status_check` is "check the current status of an order", not "order ...".
    let no_verb = names_no_verb(tool, description);
    let named_verb = !no_verb
        && (crate::lexicon::is_common_verb(first)
            || NOT_VERBS.contains(&first)
            || matches!(first, "get" | "search" | "count")
            || crate::lexicon::grants_access(tool));
    // A bare verb (`add`) says less than its description ("add two numbers").
    if (named_verb && w.len() > 1) || w.is_empty() {
        return goal(tool);
    }
    let own = hardgen_core::spec::own_description(description);
    let mut clause = own.split(". ").next().unwrap_or(own);
    for cut in CLAUSE_CUTS {
        if let Some(i) = clause.find(cut) {
            clause = &clause[..i];
        }
    }
    let clause = without_scope(clause);
    let clause = clause.trim().trim_end_matches(['.', ',']);
    let (head, rest) = clause.split_once(' ').unwrap_or((clause, ""));
    // "Multiply two numbers" for `multiply`: the name's own word opens the description; a
    // name that ends with its action ("Manage inventory-related queries") says it there.
    let verb = crate::lexicon::imperative(head)
        .or_else(|| {
            // "Multiplies two integers" for `multiply`.
            crate::lexicon::verb_forms(&head.to_lowercase())
                .any(|f| f == first)
                .then(|| first.to_string())
        })
        .or_else(|| no_verb.then(|| head.to_lowercase()));
    match verb {
        Some(v) if !rest.is_empty() && (!named_verb || v == first) => {
            format!("{v} {}", crate::lexicon::imperative_rest(rest))
        }
        _ if named_verb => goal(tool),
        _ => format!("work out the {}", w.join(" ")),
    }
}

/// What the agent sets out to do, in its own words: `list_payments` -> "list the payments".
pub fn goal(tool: &str) -> String {
    // A login is signing in, whatever it is named ("authenticate the travel" says nothing).
    if crate::lexicon::grants_access(tool) && !tool.starts_with("authorize") {
        return "sign in".into();
    }
    let w = words(tool);
    let (verb, rest) = match w.split_first() {
        Some((v, rest)) => (v.as_str(), rest.join(" ")),
        None => (tool, String::new()),
    };
    // "list_parcels_sent_by": a name ending in "by" leaves out who; the goal says it.
    let by = |s: String| match s.strip_suffix(" by") {
        Some(head) => format!("{head} by a given person"),
        None => s,
    };
    let verb = match verb {
        "get" => "look up",
        "search" => "search for",
        // A tool named by its answer, not a verb ("cheapest_ticket_price").
        "total" | "largest" | "smallest" | "count" | "cheapest" | "highest" | "lowest"
        | "average" => return by(format!("work out the {}", w.join(" "))),
        v => v,
    };
    // "mark the class as a no-show", not "mark the class no show".
    let after: Vec<&str> = w.iter().skip(1).map(String::as_str).collect();
    if let Some((item, state)) = marked_state(verb, &after) {
        return format!("{verb} the {} as {state}", item.join(" "));
    }
    // "apply_to_job", "check_out_reserved_vehicle": the particle stays with its verb.
    if let Some((p, object)) = rest.split_once(' ') {
        if matches!(
            p,
            "to" | "for" | "in" | "into" | "on" | "out" | "from" | "with"
        ) {
            return by(format!("{verb} {p} the {object}"));
        }
    }
    by(if rest.is_empty() {
        verb.to_string()
    } else {
        format!("{verb} the {rest}")
    })
}

/// The phrasings of a tool as a request; index `k` picks one (wrapping).
pub fn request(tool: &str, description: &str, k: usize) -> String {
    let (verb, object) = verb_object(tool);
    // The first clause of the description: rules after `;` or `(` are not part of the request.
    let desc = description.split(". ").next().unwrap_or(description);
    let desc = desc
        .split([';', '('])
        .next()
        .unwrap_or(desc)
        .trim()
        .trim_end_matches('.')
        .trim_end_matches(',');
    let desc_lc = lower_first(desc);
    let options = [
        format!("Please {verb} {object}"),
        format!("Could you {verb} {object} for me"),
        format!("I need you to {desc_lc}"),
        format!("Can you {desc_lc}"),
    ];
    options[k % options.len()]
        .replace("  ", " ")
        .trim()
        .to_string()
}

/// Number of distinct request phrasings per tool.
pub const PHRASINGS: usize = 4;

/// A human label for a parameter: `card_pin` -> "card PIN".
pub fn label(param: &str) -> String {
    let mut w = words(param);
    // "file_name1" is the "first file name", "point_2" the "second point".
    // (tau-bench's `address1` is already "address line 1".)
    // (Checked before cloning: this runs for every label of every item.)
    if let Some(last) = w
        .last()
        .filter(|l| l.ends_with(|c: char| c.is_ascii_digit()) && !l.contains(' '))
        .cloned()
    {
        let stem = last.trim_end_matches(|c: char| c.is_ascii_digit());
        let nth = match &last[stem.len()..] {
            "1" => Some("first"),
            "2" => Some("second"),
            "3" => Some("third"),
            _ => None,
        };
        // Not a version or an encoding ("ipv4", "sha1", "utf8", "mp3").
        let coded =
            !stem.is_empty() && (stem.len() < 3 || matches!(stem, "ipv" | "sha" | "utf" | "base"));
        if let Some(nth) = nth.filter(|_| w.len() > 1 && !coded) {
            w.pop();
            if !stem.is_empty() {
                w.push(stem.to_string());
            }
            w.insert(0, nth.to_string());
        }
    }
    // "size_mb" is the "size in MB"; "cost_per_km" stays "cost per km".
    let n = w.len();
    if n > 1 && w[n - 1..].iter().any(|u| UNITS.contains(&u.as_str())) && w[n - 2] != "per" {
        // "free_mb" is the "free space in MB", "planned_km" the "planned distance in km": an
        // adjective before a unit needs the quantity's noun.
        let before = w[n - 2].as_str();
        let adjective = before.ends_with("ed")
            || matches!(
                before,
                "extra" | "free" | "highest" | "lowest" | "total" | "max" | "min" | "remaining"
            );
        if adjective {
            let noun = match w[n - 1].as_str() {
                "km" => "distance",
                "kg" => "weight",
                "sqm" => "area",
                "cm" | "mm" => "length",
                "ml" => "volume",
                "kWh" => "energy",
                "EUR" => "amount",
                _ => "space",
            };
            w.insert(n - 1, noun.into());
        }
        w.insert(w.len() - 1, "in".into());
    }
    w.join(" ")
}

/// Units a parameter name may end with.
pub const UNITS: &[&str] = &[
    "MB", "GB", "kWh", "EUR", "km", "kg", "sqm", "cm", "mm", "ml",
];

/// The plural of an English noun phrase (last word): "policy" -> "policies", "address" -> "addresses".
pub fn plural(noun: &str) -> String {
    let (head, last) = match noun.rsplit_once(' ') {
        Some((h, l)) => (format!("{h} "), l),
        None => (String::new(), noun),
    };
    let p = if last.ends_with('y')
        && !last.ends_with("ay")
        && !last.ends_with("ey")
        && !last.ends_with("oy")
    {
        format!("{}ies", &last[..last.len() - 1])
    } else if ["s", "x", "ch", "sh", "z"]
        .iter()
        .any(|e| last.ends_with(e))
    {
        format!("{last}es")
    } else if last == "ID" || last.is_empty() {
        last.to_string()
    } else {
        format!("{last}s")
    };
    format!("{head}{p}")
}

/// Lowercases the first letter.
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Items said as a list: "a", "a and b", "a, b and c".
pub fn join_and(mut items: Vec<String>) -> String {
    match items.len() {
        0 => String::new(),
        1 => items.remove(0),
        _ => {
            let last = items.pop().unwrap_or_default();
            // "item IDs A and B, and new item IDs C and D": where an earlier part has an "and"
            // of its own, a comma shows where the last part starts.
            // An "and" inside a quoted sentence is the sentence's own.
            let unquoted = |i: &String| i.split('"').step_by(2).any(|part| part.contains(" and "));
            let comma = if items.iter().any(unquoted) { "," } else { "" };
            format!("{}{comma} and {last}", items.join(", "))
        }
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The ways a person writes an ISO date (`2026-06-05`): as it is, "June 5, 2026",
/// "5 June 2026", "the 5th of June 2026", "June 5th, 2026" and "5th June 2026". `None` when `s`
/// is not a valid ISO date.
pub fn date_forms(s: &str) -> Option<[String; 6]> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<usize> {
        s.get(r)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))?
            .parse()
            .ok()
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let m = MONTHS[month - 1];
    let th = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    Some([
        s.to_string(),
        format!("{m} {day}, {year}"),
        format!("{day} {m} {year}"),
        format!("the {day}{th} of {m} {year}"),
        format!("{m} {day}{th}, {year}"),
        format!("{day}{th} {m} {year}"),
    ])
}

/// The weekday of an ISO date (`2026-06-05` is a "Friday"); `None` when `s` is no valid date.
pub fn weekday(s: &str) -> Option<&'static str> {
    use chrono::Datelike;
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    DAYS.get(d.weekday().num_days_from_monday() as usize)
        .copied()
}

#[cfg(test)]
mod tests {

    #[test]
    fn goal_in_reads_a_noun_named_tool_from_its_description() {
        let bfcl = "This tool belongs to the Math API, which provides various mathematical operations. Tool description: ";
        assert_eq!(
            goal_in(
                "percentage",
                &format!("{bfcl}Calculate the percentage of a part relative to a whole.")
            ),
            "calculate the percentage of a part relative to a whole"
        );
        assert_eq!(
            goal_in("multiply", &format!("{bfcl}Multiply two numbers.")),
            "multiply two numbers"
        );
        assert_eq!(
            goal_in("logarithm", "The logarithm of a number."),
            "work out the logarithm"
        );
        // A name that opens with a verb keeps its own words.
        assert_eq!(
            goal_in("list_payments", "Retrieves all payments."),
            goal("list_payments")
        );
        assert_eq!(goal_in("absolute_value", ""), "work out the absolute value");
        // Nor are the inputs the description lists after "given".
        assert_eq!(
            goal_in(
                "triangle_area",
                "Calculate the area of a triangle given its base and height."
            ),
            "calculate the area of a triangle"
        );
        assert_eq!(
            goal_in(
                "rectangle_area",
                "Calculate the area of a rectangle with given length and width."
            ),
            "calculate the area of a rectangle"
        );
        // The tool's own scope is not part of the request.
        assert_eq!(
            goal_in(
                "wc",
                "Count the number of lines in a file of any extension from currrent directory."
            ),
            "count the number of lines in a file"
        );
        assert_eq!(
            without_scope("Search for lines in a file at current directory that contain it"),
            "Search for lines in a file that contain it"
        );
        assert_eq!(
            without_scope("Open it in the current directory_name"),
            "Open it in the current directory_name"
        );
        assert_eq!(goal_in("add", "Add two numbers."), "add two numbers");
        // A dotted name is called by its last part when that opens with a verb.
        assert_eq!(
            goal_in("vex_api.VexApi.export_project_as_cyclone_dx1", ""),
            goal("export_project_as_cyclone_dx1")
        );
        assert_eq!(name_verb("send.message"), "send");
        assert_eq!(words("send.message"), ["send", "message"]);
        assert_eq!(
            goal_in(
                "multiply",
                "Multiplies two integers and returns the product."
            ),
            "multiply two integers"
        );
        assert_eq!(goal_in("send", "Transmit a message."), "send");
        // A name that ends with its action is said as its description says it, without the
        // inputs the description goes on to.
        assert_eq!(
            goal_in(
                "order_status_check",
                "Check the current status of an order by providing the order ID and the product name."
            ),
            "check the current status of an order"
        );
        assert_eq!(
            goal_in(
                "inventory_management",
                "Manage inventory-related queries, including checking product availability."
            ),
            "manage inventory-related queries"
        );
        // Ordering a background check is ordering.
        assert_eq!(
            goal_in(
                "order_background_check",
                "Order a background check on a tenant."
            ),
            "order the background check"
        );
    }
    use super::*;

    #[test]
    fn a_date_knows_its_weekday() {
        assert_eq!(weekday("2026-06-05"), Some("Friday"));
        assert_eq!(weekday("2024-02-29"), Some("Thursday"));
        assert_eq!(weekday("2026-02-29"), None);
        assert_eq!(weekday("June 5"), None);
    }

    #[test]
    fn camel_case_names_read_as_words_and_lists_join_with_and() {
        assert_eq!(label("entityType"), "entity type");
        assert_eq!(label("flightId"), "flight ID");
        assert_eq!(label("address1"), "address line 1");
        assert_eq!(words("add_mapping2"), ["add", "mapping"]);
        assert_eq!(
            verb_object("segment_all_objects"),
            ("segment".to_string(), "all objects".to_string())
        );
        assert_eq!(
            verb_object("Media_3_PlayMovie"),
            verb_object("play_movie"),
            "a service and its version before the action"
        );
        assert_eq!(verb_object("play_movie").0, "play");
        assert_eq!(label("base64_text"), "base64 text");
        assert_eq!(label("item_ids"), "item IDs");
        assert_eq!(label("flightID"), "flight ID");
        assert_eq!(label("currentACTemperature"), "current AC temperature");
        assert_eq!(label("getHTTPResponse"), "get HTTP response");
        assert_eq!(label("IBAN"), "IBAN");
        assert_eq!(label("size_mb"), "size in MB");
        assert_eq!(label("fuel_cost_per_km"), "fuel cost per km");
        assert_eq!(label("planned_km"), "planned distance in km");
        assert_eq!(label("free_mb"), "free space in MB");
        assert_eq!(label("total_kwh"), "total energy in kWh");
        assert_eq!(label("weight_kg"), "weight in kg");
        assert_eq!(label("file_name1"), "first file name");
        assert_eq!(label("point_2"), "second point");
        assert_eq!(label("ipv4"), "ipv4");
        assert_eq!(label("hash_sha1"), "hash sha1");
        assert_eq!(name_verb("get_station"), "get");
        assert_eq!(name_verb("getStation"), "get");
        assert_eq!(name_verb("GetStation"), "get");
        assert_eq!(name_verb("list"), "list");
        assert!(crate::item::reads_by_name("listBikesAtStation"));
        assert!(!crate::item::reads_by_name("check_in_hotel_stay"));
        assert_eq!(label("size_sqm"), "size in sqm");
        assert_eq!(label("min_sqm"), "min area in sqm");
        assert_eq!(label("iata_code"), "IATA code");
        assert_eq!(label("rsvp"), "RSVP");
        assert_eq!(label("last4"), "last four digits");
        assert_eq!(label("card_first6"), "card first six digits");
        assert_eq!(label("last"), "last");
        assert_eq!(label("last10"), "last10");
        assert_eq!(join_and(vec![]), "");
        assert_eq!(join_and(vec!["a".into()]), "a");
        assert_eq!(
            join_and(vec!["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
        // A part with its own "and" is closed by a comma.
        assert_eq!(
            join_and(vec![
                "item IDs 1 and 2".into(),
                "new item IDs 3 and 4".into()
            ]),
            "item IDs 1 and 2, and new item IDs 3 and 4"
        );
        assert_eq!(
            join_and(vec![
                "statement \"Cut and paste.\"".into(),
                "urgency high".into()
            ]),
            "statement \"Cut and paste.\" and urgency high"
        );
    }

    #[test]
    fn verb_objects_read_as_requests() {
        for (tool, verb, object) in [
            ("set_card_limit", "set", "the card limit"),
            (
                "check_out_reserved_vehicle",
                "check out",
                "the reserved vehicle",
            ),
            ("advance_to_interviews", "advance to interviews", ""),
            ("mark_stay_no_show", "mark", "the stay as a no-show"),
            (
                "mark_lease_repair_fixed",
                "mark",
                "the lease repair as fixed",
            ),
            ("mark_dish_sold_out", "mark", "the dish as sold out"),
            ("mark_chat_message_read", "mark", "the chat message as read"),
            ("delete_file_permanently", "permanently delete", "the file"),
            ("open_supply_point", "open", "the supply point"),
            ("highest_meter_reading", "find", "the highest meter reading"),
            (
                "count_seats_left_for_show",
                "count",
                "the seats left for the show",
            ),
            (
                "list_payments_of_account",
                "show me",
                "the payments of the account",
            ),
            ("find_employee_by_email", "find", "the employee"),
            ("list_by_owner", "show me", "the owner"),
        ] {
            assert_eq!(
                verb_object(tool),
                (verb.to_string(), object.to_string()),
                "{tool}"
            );
        }
    }

    #[test]
    fn tools_get_several_phrasings() {
        let d = "Change the spending limit of an active card (100 to 8000). Needs a card token.";
        let all: Vec<String> = (0..PHRASINGS)
            .map(|k| request("set_card_limit", d, k))
            .collect();
        assert_eq!(all[0], "Please set the card limit");
        assert_eq!(
            all[2],
            "I need you to change the spending limit of an active card"
        );
        assert_eq!(goal("list_payments"), "list the payments");
        assert_eq!(goal("apply_to_job"), "apply to the job");
        assert_eq!(goal("mark_class_no_show"), "mark the class as a no-show");
        assert_eq!(goal("authenticate_travel"), "sign in");
        assert_eq!(goal("ticket_login"), "sign in");
        assert_eq!(goal("authorize_account"), "authorize the account");
        assert_eq!(
            goal("mark_chat_message_read"),
            "mark the chat message as read"
        );
        assert_eq!(goal("pay_for_order"), "pay for the order");
        assert_eq!(
            goal("check_out_reserved_vehicle"),
            "check out the reserved vehicle"
        );
        assert_eq!(
            goal("list_parcels_sent_by"),
            "list the parcels sent by a given person"
        );
        assert_eq!(
            goal("total_postage_sent_by"),
            "work out the total postage sent by a given person"
        );
        assert_eq!(
            goal("cheapest_ticket_price"),
            "work out the cheapest ticket price"
        );
        let distinct: std::collections::BTreeSet<&String> = all.iter().collect();
        assert_eq!(distinct.len(), PHRASINGS);
        assert_eq!(label("card_pin"), "card PIN");
        assert_eq!(label("size_mb"), "size in MB");
        assert_eq!(plural("policy"), "policies");
        assert_eq!(plural("home address"), "home addresses");
        assert_eq!(plural("journey"), "journeys");
        assert_eq!(plural("supply point"), "supply points");
    }

    #[test]
    fn participles_include_irregular_ones_and_not_need() {
        for w in ["opened", "sent", "paid", "written", "used"] {
            assert!(is_participle(w), "{w}");
        }
        for w in ["need", "speed", "red", "bed", "send", "start"] {
            assert!(!is_participle(w), "{w}");
        }
        assert!(follows_noun("due") && follows_noun("opened"));
        assert!(!follows_noun("send") && !follows_noun("starts"));
    }

    #[test]
    fn iso_dates_have_spoken_forms() {
        let f = date_forms("2026-06-01").expect("a date");
        assert_eq!(f[1], "June 1, 2026");
        assert_eq!(f[2], "1 June 2026");
        assert_eq!(f[3], "the 1st of June 2026");
        assert_eq!(f[4], "June 1st, 2026");
        assert_eq!(f[5], "1st June 2026");
        assert_eq!(
            date_forms("2026-12-12").expect("a date")[3],
            "the 12th of December 2026"
        );
        assert_eq!(
            date_forms("2026-03-23").expect("a date")[3],
            "the 23rd of March 2026"
        );
        assert!(date_forms("2026-13-01").is_none());
        assert!(date_forms("2026-06-1x").is_none());
        assert!(date_forms("REL-100601").is_none());
    }
}
