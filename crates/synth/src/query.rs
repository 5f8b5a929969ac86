//! Query writer (offline): a hard query at the level of the advanced tool. It states the goal and
//! every external input, names every relation the gold follows (the owner of the group, the
//! holder of the account), hides every intermediate value, and varies its sentence plans.

pub use crate::item::value_text;
use crate::item::Made;
use crate::lexicon;
use crate::phrase;
use crate::schema_text::{self as st, Specs};
use hardgen_core::record::{AdvancedStep, Binding, GoldCall};
use hardgen_core::ToolSpec;
use rand::rngs::ChaCha8Rng;
use rand::seq::IndexedRandom;
use rand::RngExt;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Irrelevant context sentences (noise the agent must ignore).
/// Context sentences a query may open or close with.
pub(crate) const CONTEXT: &[&str] = &[
    "I'm sorting out a few things before the weekend.",
    "My colleague said this should be quick.",
    "This is for the quarterly review, so accuracy matters.",
    "I tried earlier but got distracted.",
    "No need to explain every step.",
    "I'm on my phone, so keep it short.",
    "Thanks in advance!",
    "It's been on my list all week.",
    "My manager asked me to sort this out today.",
    "I'd rather not do it by hand.",
    "I've got a meeting in ten minutes.",
    "Let me know if anything looks off.",
    "This came up in this morning's stand-up.",
    "It's for a client, so please be careful.",
    "I've been meaning to get to this.",
    "Appreciate the help.",
    "We're closing the books this week.",
    "I'll double-check afterwards.",
    "Sorry for the rush.",
    "This one's a priority.",
    "Cheers!",
    "Hopefully this is a simple one.",
    "I'm covering for a colleague who is off sick.",
    "The system was down yesterday, so this is overdue.",
    "I'm at my desk for another hour or so.",
    "Someone reminded me about this over lunch.",
    "I keep forgetting to do this.",
    "It should have been done last week, honestly.",
    "We had a few complaints about this.",
    "I'm new to this tool, so bear with me.",
    "My inbox is a mess today.",
    "I'm working from home today.",
    "This is part of the monthly clean-up.",
    "The team lead wants it sorted by the end of the week.",
    "I'm doing a batch of these this afternoon.",
    "The auditors might look at this later.",
    "I don't have the admin screen open right now.",
    "It's a small thing, but it matters to the customer.",
    "I only just got the details.",
    "Quick favour while I grab a coffee.",
    "I've had this note on my desk for days.",
    "We're a bit short-staffed this week.",
    "I promised to get back to them today.",
    "This was flagged in yesterday's report.",
    "I'd do it myself but I'm between meetings.",
    "Trying to clear my to-do list before the holidays.",
    "The previous attempt didn't go through.",
    "Let's keep this one simple.",
    "No rush, but today would be ideal.",
    "It's the last item on my list.",
    "I'm double-booked all morning.",
    "Finance asked about this again.",
];

/// Short thank-yous a request may end with.
pub(crate) const SIGN_OFFS: &[&str] = &[
    "Thanks!",
    "Thank you.",
    "Thanks a lot.",
    "Much appreciated.",
    "Many thanks.",
    "Thank you so much!",
    "Thanks, that's all.",
    "Appreciate it.",
    "Thanks for your help.",
    "Cheers.",
];

/// `query` split before the aside or sign-off it ends with (the request, then the aside):
/// notes added later go before it.
pub(crate) fn split_closing(query: &str) -> Option<(&str, &'static str)> {
    CONTEXT.iter().chain(SIGN_OFFS).find_map(|c| {
        let head = query.strip_suffix(*c)?.strip_suffix(' ')?;
        Some((head, *c))
    })
}

/// Sentence plans for a request: (opening, closing punctuation). `{a}` is the action.
const PLANS: &[(&str, &str)] = &[
    ("Please {a}", "."),
    ("Could you {a}", "?"),
    ("Can you {a}", "?"),
    ("Would you {a}", "?"),
    ("I'd like you to {a}", "."),
    ("I need you to {a}", "."),
    ("Help me {a}", "."),
    ("Go ahead and {a}", "."),
    ("I want you to {a}", "."),
    ("Kindly {a}", "."),
    ("Quick one: {a}", "."),
    ("When you have a moment, {a}", "."),
    ("Could you please {a}", "?"),
    ("Hi! Please {a}", "."),
    ("Hey, can you {a}", "?"),
    ("I'm hoping you can {a}", "."),
    ("Would you mind helping me {a}", "?"),
    ("Let's {a}", "."),
    ("Time to {a}", "."),
    ("Hello, I'd like to {a}", "."),
    ("Is it possible to {a}", "?"),
    ("Do you think you could {a}", "?"),
    ("My task today: {a}", "."),
    ("I'd appreciate it if you could {a}", "."),
    ("Please help me {a}", "."),
    ("Can we {a}", "?"),
    ("Next up, {a}", "."),
    ("One more thing: {a}", "."),
    ("Would it be possible to {a}", "?"),
    ("I was asked to {a}", "; can you do that?"),
    ("Could I ask you to {a}", "?"),
    ("Any chance you could {a}", "?"),
    ("Would you be able to {a}", "?"),
    ("Please go ahead and {a}", "."),
    ("I'd love it if you could {a}", "."),
    ("Can I get you to {a}", "?"),
    ("Task for you: {a}", "."),
    ("Your task: {a}", "."),
    ("So, could you {a}", "?"),
    ("If you can, please {a}", "."),
    ("Right, let's {a}", "."),
    ("I'd be grateful if you could {a}", "."),
    ("Are you able to {a}", "?"),
    ("First thing today: {a}", "."),
    ("Could you help me {a}", "?"),
    ("Could you go ahead and {a}", "?"),
    ("Would you kindly {a}", "?"),
    ("Can you please {a}", "?"),
    ("I'm trying to {a}", "."),
    ("We need to {a}", "."),
    ("I have to {a}", "; can you help?"),
    ("Hi there, could you {a}", "?"),
    ("Good morning! Can you {a}", "?"),
    ("Hello! Please {a}", "."),
    ("Here's what I need: {a}", "."),
    ("Another request: {a}", "."),
    ("Small favour: {a}", "."),
    ("Need you to {a}", "."),
    ("I'd like to {a}", "."),
    ("Could you take care of this and {a}", "?"),
    ("If it's not too much trouble, could you {a}", "?"),
    ("Please, when you get a chance, {a}", "."),
    ("Would you help me {a}", "?"),
    ("I'm looking to {a}", "."),
    ("Can you help me {a}", "?"),
    // The bare request, as people often type it ("Show me the payments of ...").
    ("{a}", "."),
];

/// Share of queries that are the bare request, with no polite opening.
const BARE_SHARE: f64 = 0.5;

/// Plan openings that address the assistant without saying "you".
const IMPERATIVE: &[&str] = &[
    "{a}",
    "Please {a}",
    "Go ahead",
    "Kindly",
    "Quick one",
    "Hi! Please {a}",
    "Next up",
    "One more thing",
    "Task for you",
    "Your task",
    "First thing today",
    "Hello! Please {a}",
    "Here's what I need",
    "Another request",
    "Small favour",
    "Please, when you get a chance",
];

/// Sentence plans for requests (for tests that render every plan).
pub fn plans() -> impl Iterator<Item = (&'static str, &'static str)> {
    PLANS.iter().copied()
}

/// Renders sentence plan `k` around an action (no context sentence).
pub fn render(k: usize, action: &str) -> String {
    let (open, close) = PLANS[k % PLANS.len()];
    let mut q = fill(open, action);
    q.push_str(close);
    q
}

/// A plan's opening with the action put in, in the right person.
fn fill(open: &str, act: &str) -> String {
    // "I was asked to give me ..." and "help me show me ..." have the wrong person: a plan where
    // the user acts says "see"/"get" for the verbs that address the assistant.
    let addressed = open.contains("you") && !open.contains("me {a}") && !open.contains(" we ");
    let imperative = IMPERATIVE.iter().any(|p| open.starts_with(p)) && !open.contains("me {a}");
    let act = if addressed || imperative {
        act.to_string()
    } else {
        act.replace("show me ", "see ")
            .replace("give me ", "get ")
            .replace("tell me ", "find out ")
    };
    // "I'm looking to look up ..." echoes itself: "I'd like to look up ...".
    let open = if open.contains("looking to") && act.starts_with("look") {
        "I'd like to {a}"
    } else {
        open
    };
    let q = open.replace("{a}", &act);
    // The bare request starts the sentence itself.
    let mut c = q.chars();
    match c.next() {
        Some(f) if open.starts_with("{a}") => f.to_uppercase().chain(c).collect(),
        _ => q,
    }
}

/// Grammar problems of a query, as a reader would spot them: it must start with a capital and
/// end with punctuation, hold no doubled word, no "a" before a vowel or "an" before a
/// consonant, no leftover template slot, no space before a comma, no empty clause.
pub fn grammar_problems(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !q.chars().next().is_some_and(char::is_uppercase) {
        out.push("does not start with a capital".to_string());
    }
    if !q.trim_end().ends_with(['.', '?', '!']) {
        out.push("does not end with punctuation".to_string());
    }
    for bad in [
        "{",
        "}",
        "  ",
        " ,",
        ",,",
        "..",
        " .",
        " ?",
        "for me for",
        ", ,",
        // "convert the value, with from meters": a clause with its own preposition.
        " with from ",
        " with without ",
    ] {
        if q.contains(bad) {
            out.push(format!("contains {bad:?}"));
        }
    }
    let words: Vec<&str> = q.split_whitespace().collect();
    for w in words.windows(2) {
        let (a, b) = (
            w[0].to_lowercase(),
            w[1].trim_matches(|c: char| !c.is_alphanumeric()),
        );
        if a == b.to_lowercase() && a.chars().all(char::is_alphabetic) {
            out.push(format!("doubled word {a:?}"));
        }
        let lower = b.chars().next().is_some_and(char::is_lowercase);
        if matches!(a.as_str(), "a" | "an") && lower && article(b) != a {
            out.push(format!("\"{a} {b}\""));
        }
    }
    // "help me give me the quotes": one "me" too many.
    for w in words.windows(3) {
        if w[0].eq_ignore_ascii_case("me") && w[2] == "me" {
            out.push(format!("\"me {} me\"", w[1]));
        }
    }
    // "using that same card as the card": the role says again what the item's noun said.
    for (i, _) in q.match_indices(" as the ") {
        let role: Vec<&str> = q[i + 8..]
            .split([',', '.', '?', '!', ';'])
            .next()
            .unwrap_or("")
            .split(' ')
            .take_while(|w| !matches!(*w, "and" | "for" | "with" | "to" | "from" | "of"))
            .collect();
        let role = role.join(" ");
        if !role.is_empty() && q[..i].ends_with(&format!(" {role}")) {
            out.push(format!("role said twice: \"{role} as the {role}\""));
        }
    }
    // The word after the opening must be a verb, not an article or a preposition.
    for (open, _) in PLANS {
        let lead = open.split("{a}").next().unwrap_or("");
        if let Some(rest) = q.strip_prefix(lead) {
            let next = rest.split_whitespace().next().unwrap_or("");
            if ["the", "a", "an", "for", "of", "to", "with", "me"].contains(&next)
                || phrase::NOT_VERBS.contains(&next)
            {
                out.push(format!("no verb after {lead:?}"));
            }
        }
    }
    out
}

/// Words that refer back to something earlier in the conversation (the grounding check looks
/// for one of them when a value comes from an earlier round).
pub const ANAPHORA: &[&str] = &["from before", "that same", "we just", "from earlier"];

/// Why a query was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryReject {
    /// `incomplete`, `leak`, `ungrammatical`, `relation_missing`, `context_unreferenced`, or for a
    /// model's rewrite `empty`, `too_long`, `meta_text`, `not_a_request`, `drifted`, `repetitive` (see `roles::rewrite_problem`).
    pub reason: hardgen_core::Reason,
    /// Which value or relation.
    pub detail: String,
}

/// The parts of a round the writer and the checks need (from a `Made` or a stored `Round`).
#[derive(Debug, Clone, Copy)]
pub struct RoundView<'a> {
    /// Gold calls.
    pub gold: &'a [GoldCall],
    /// Advanced-tool steps (bindings).
    pub steps: &'a [AdvancedStep],
    /// External inputs.
    pub inputs: &'a Map<String, Value>,
}

impl<'a> RoundView<'a> {
    /// The view of a made round.
    pub fn of_made(m: &'a Made) -> Self {
        RoundView {
            gold: &m.gold,
            steps: &m.tool.implementation,
            inputs: &m.inputs,
        }
    }
    /// The view of a stored round.
    pub fn of_round(r: &'a hardgen_core::Round) -> Self {
        RoundView {
            gold: &r.gold,
            steps: &r.advanced_tool.implementation,
            inputs: &r.external_inputs,
        }
    }

    /// The authorizing step a binding takes an access token from, if any: a person states the
    /// code they authorize with ("my manager code is 134112"), never "the token of the team".
    pub fn credential_step(&self, b: &Binding) -> Option<usize> {
        let (k, path) = match b {
            Binding::Step { step, path, .. } | Binding::Select { step, path, .. } => (*step, path),
            Binding::Input { .. } => return None,
        };
        login_token(&self.gold.get(k)?.name, path).then_some(k)
    }

    /// The argument through which step `k` was given `v` itself, bound (not user-given): a
    /// result field that echoes it names an item the sentence has already described.
    pub fn echoed_by(&self, k: usize, v: &Value) -> Option<&'a str> {
        let (step, g) = (self.steps.get(k)?, self.gold.get(k)?);
        g.arguments.iter().find_map(|(a, x)| {
            (x == v
                && matches!(
                    step.bindings.get(a),
                    Some(Binding::Step { .. } | Binding::Select { .. })
                ))
            .then_some(a.as_str())
        })
    }

    /// Whether step `k` was given `v` through a bound argument (see [`RoundView::echoed_by`]).
    pub fn echoes(&self, k: usize, v: &Value) -> bool {
        self.echoed_by(k, v).is_some()
    }

    /// The user-given inputs of authorizing step `k` (param, value): the codes to state.
    pub fn credential_inputs(&self, k: usize) -> Vec<(&'a str, &'a Value)> {
        let (Some(step), Some(g)) = (self.steps.get(k), self.gold.get(k)) else {
            return Vec::new();
        };
        step.bindings
            .iter()
            .filter(|(_, b)| matches!(b, Binding::Input { .. }))
            .filter_map(|(arg, _)| Some((arg.as_str(), g.arguments.get(arg)?)))
            .collect()
    }
}

/// Builds the noun phrases of one round.
struct Writer<'a, S: Specs + ?Sized> {
    view: RoundView<'a>,
    specs: &'a S,
    /// Inputs from earlier rounds: param -> (producing tool, path).
    context: &'a dyn Fn(&str) -> Option<(String, String)>,
    /// Picks among equivalent wordings.
    rng: std::cell::RefCell<&'a mut ChaCha8Rng>,
    /// Items already described in this query (step, list prefix, selecting value): said again
    /// as "that same <noun>".
    said: std::cell::RefCell<Vec<String>>,
    /// First words of the qualifiers said so far ("having", "whose"): the next one starts
    /// differently when it can ("the pet having ... having ..." reads badly).
    leads: std::cell::RefCell<Vec<String>>,
    /// Connectives from an item to its owner used so far in this query.
    connectives: std::cell::RefCell<Vec<&'static str>>,
    /// (said key, noun) of every item described so far: "that same account" only while one
    /// account has been named.
    nouns: std::cell::RefCell<Vec<(String, String)>>,
    /// Relations to items said before, left out of a qualifier list: (argument, "that same X").
    dropped: std::cell::RefCell<Vec<(String, String)>>,
    /// A deep item described in a sentence of its own before the request (see
    /// [`Writer::hoist`]): its phrase and its noun.
    hoisted: std::cell::RefCell<Option<(String, String)>>,
    /// Whether a deep item may be hoisted at all (only when the plain query runs long).
    hoist: bool,
    /// Whether an item could have been hoisted (the query is worth writing again).
    could_hoist: std::cell::Cell<bool>,
    /// (noun, first full phrase) of every item described so far: an item first described
    /// inside a phrase that the sentence puts after its "that same" mention swaps with it.
    described: std::cell::RefCell<Vec<(String, String)>>,
}

/// A value as the query says it: free text of several words with punctuation (a message body,
/// "Re: Budget numbers"), or long, is put in quotes so the sentence around it stays readable.
pub fn said_text(v: &Value) -> String {
    said_text_as(v, 0)
}

/// [`said_text`] in wording `k`: a date takes one of its forms by the date and `k`.
pub fn said_text_as(v: &Value, k: usize) -> String {
    let t = value_text(v);
    let Value::String(s) = v else { return t };
    // A person writes a date many ways ("June 5, 2026"); the agent must turn it back into the
    // ISO form the tool takes.
    if let Some(forms) = phrase::date_forms(s) {
        let h = xxhash_rust::xxh3::xxh3_64(s.as_bytes()) as usize;
        let i = h.wrapping_add(k) % forms.len();
        // One written date in three (never the ISO form) says its weekday too, as people
        // do when they plan ("Friday, June 5, 2026").
        if i > 0 && (h >> 16).wrapping_add(k / forms.len()).is_multiple_of(3) {
            if let Some(day) = phrase::weekday(s) {
                return format!("{day}, {}", forms[i]);
            }
        }
        return forms[i].clone();
    }
    let words = s.split_whitespace().count();
    let punctuated = s.contains(['.', ',', ';', ':', '!', '?', '\n']);
    // "a description of Washer jet blocked and tyres as the issue kind": a phrase in sentence
    // case runs into the words after it; a Title Case name ("Woodland Trust Bank") does not.
    let sentence_case = words >= 3
        && s.starts_with(|c: char| c.is_uppercase())
        && s.split_whitespace()
            .skip(1)
            .filter(|w| w.chars().all(char::is_lowercase))
            .count()
            >= 2;
    if words >= 2 && (punctuated || words >= 6 || sentence_case) && !s.contains('"') {
        format!("\"{}\"", s.trim_end_matches('\n'))
    } else {
        t
    }
}

/// How an attribute with a value is said after a noun ("named Family", "in Busan"); `k` picks
/// one of the equivalent wordings (0 is the plainest).
pub fn attribute(field: &str, v: &Value, k: usize) -> String {
    attribute_as(field, v, k, true)
}

/// Field names that, after their item's noun ("loan_status" of a book loan), need no owner.
const OWN_FIELDS: &[&str] = &[
    "status",
    "date",
    "type",
    "reference",
    "code",
    "label",
    "number",
    "kind",
    "level",
];

/// [`attribute`] of an item called `noun`: a name of something else ("courier_name" of a food
/// order) is a plain field, not what the item is called ("the food order called Greta Becker").
fn attribute_of(noun: &str, field: &str, v: &Value, k: usize) -> String {
    // "the book loan whose status is returned", not "whose loan status": the noun says whose.
    let field = match field.split_once('_') {
        Some((owner, own)) if noun.split(' ').any(|w| w == owner) && OWN_FIELDS.contains(&own) => {
            own
        }
        _ => field,
    };
    // "the zipcode for Puno", never "the zipcode somewhere in Puno": a place's own attribute
    // is not an item located there.
    // ("get_zipcode_based_on_city": the object is "zipcode based on city").
    let of_place = noun.split(' ').any(|w| {
        matches!(
            w,
            "zipcode" | "zip" | "postcode" | "weather" | "forecast" | "timezone" | "population"
        )
    });
    if of_place && matches!(field, "city" | "location" | "place" | "town") {
        let t = said_text_as(v, k / 7);
        return if k.is_multiple_of(2) {
            format!("for {t}")
        } else {
            format!("of {t}")
        };
    }
    let said = attribute_as(field, v, k, !names_other_item(noun, field));
    // A person is "registered with" an e-mail, not "marked with" or "carrying" one.
    let person = noun.rsplit(' ').next().is_some_and(|w| PEOPLE.contains(&w));
    let listed = [
        "that shows ",
        "showing ",
        "carrying ",
        "marked with ",
        "listed with ",
        "recorded with ",
    ];
    match listed.iter().find_map(|p| said.strip_prefix(p)) {
        Some(rest) if person => {
            let lead = ["registered with", "on file with", "with", "having"][k % 4];
            format!("{lead} {rest}")
        }
        _ => said,
    }
}

/// Nouns of people, whose attributes read "registered with" or "on file with".
const PEOPLE: &[&str] = &[
    "user",
    "customer",
    "member",
    "client",
    "guest",
    "passenger",
    "patient",
    "employee",
    "person",
    "contact",
    "student",
    "traveler",
    "buyer",
    "applicant",
    "candidate",
];

/// Whether `field` is the name of something other than the item called `noun`
/// ("courier_name" of a food order); a person's name field ("full_name") is not.
fn names_other_item(noun: &str, field: &str) -> bool {
    field.strip_suffix("_name").is_some_and(|owner| {
        let kind = owner.rsplit('_').next().unwrap_or(owner);
        !matches!(kind, "full" | "first" | "last" | "person" | "display")
            && !noun
                .split(' ')
                .any(|w| w.trim_end_matches('s') == kind.trim_end_matches('s'))
    })
}

/// [`attribute`], with the naming wordings ("called X") only when `named` (the field names the
/// item itself).
fn attribute_as(field: &str, v: &Value, k: usize, named: bool) -> String {
    let l = phrase::label(field);
    // The wording index moves the date form too, past the attribute's own few wordings.
    let t = said_text_as(v, k / 7);
    let pick = |opts: &[String]| opts[k % opts.len()].clone();
    if let Value::Bool(b) = v {
        // "the service that is unisex", not "that has is unisex".
        if let Some(rest) = l.strip_prefix("is ") {
            return if *b {
                format!("that is {rest}")
            } else {
                format!("that is not {rest}")
            };
        }
        if let Some(forms) = bool_forms(&l, *b) {
            return pick(&forms);
        }
        return if *b {
            pick(&[
                format!("with {l}"),
                format!("that has {l}"),
                format!("offering {l}"),
            ])
        } else {
            pick(&[
                format!("without {l}"),
                format!("that has no {l}"),
                format!("lacking {l}"),
            ])
        };
    }
    let fill = |forms: &[&str]| forms[k % forms.len()].replace("{t}", &t);
    // A measure reads with its unit after the number: "with a size of 75.7 MB".
    if let Some((q, unit)) = unit_label(&l).filter(|_| v.is_number() && !bounded(field)) {
        return pick(&[
            format!("whose {q} is {t} {unit}"),
            format!("with {} {q} of {t} {unit}", article(q)),
            format!("where the {q} is {t} {unit}"),
        ]);
    }
    // A search's free text is not a field of the item: "the project matching roadmap".
    if SEARCH_TEXT.contains(&field) {
        // Participles only: the noun may be plural ("projects matching X"), and the request
        // may itself be a search ("search projects matching X").
        return pick(&[
            format!("matching {t}"),
            format!("matching the text {t}"),
            format!("found with the search text {t}"),
        ]);
    }
    // A work's title names it ("the course titled X"); a job title describes a person.
    if field == "title" || (field.ends_with("_title") && !field.contains("job")) {
        return fill(lexicon::TITLES);
    }
    // A first or a last name alone says which it is: "the user named Quispe going by
    // Yannick" leaves a reader guessing which name is which.
    if matches!(field, "first_name" | "given_name") {
        return pick(&[
            format!("with the first name {t}"),
            format!("whose first name is {t}"),
        ]);
    }
    if matches!(field, "last_name" | "family_name" | "surname") {
        return pick(&[
            format!("with the last name {t}"),
            format!("whose last name is {t}"),
            format!("surnamed {t}"),
        ]);
    }
    // People are named, not labelled or listed ("the doctor named X", never "labelled X").
    if matches!(field, "full_name" | "person_name")
        || (named
            && field
                .strip_suffix("_name")
                .is_some_and(|owner| names_person(&owner.replace('_', " "))))
    {
        return fill(lexicon::PERSON_NAMES);
    }
    if named && (field == "name" || field.ends_with("_name")) {
        return fill(lexicon::NAMES);
    }
    if field == "city" {
        return fill(lexicon::CITIES);
    }
    if let Some(base) = field.strip_prefix("min_") {
        let b = phrase::label(base);
        // "with at least 2631.8 MB of free space", not "having free space in MB 2631.8 or more".
        if let Some((q, unit)) = unit_label(&b) {
            return pick(&[
                format!("with at least {t} {unit} of {q}"),
                format!("with {} {q} of no less than {t} {unit}", article(q)),
                format!("having {t} {unit} of {q} or more"),
            ]);
        }
        let second = if plural_label(&b) {
            format!("with no less than {}", count_of(&t, &b))
        } else {
            format!("with {} {b} of no less than {t}", article(&b))
        };
        // "having 3 or more seats", "having a star rating of 3 or more".
        let third = if plural_label(&b) {
            format!("having {t} or more {b}")
        } else {
            format!("having {} {b} of {t} or more", article(&b))
        };
        return pick(&[format!("with {b} of at least {t}"), second, third]);
    }
    if let Some(base) = field.strip_prefix("max_") {
        let b = phrase::label(base);
        // "with at least 2631.8 MB of free space", not "having free space in MB 2631.8 or more".
        if let Some((q, unit)) = unit_label(&b) {
            return pick(&[
                format!("with at most {t} {unit} of {q}"),
                format!("with {} {q} of no more than {t} {unit}", article(q)),
                format!("having {t} {unit} of {q} or less"),
            ]);
        }
        // "no more than 3 stops", but "a fee of no more than 433.6".
        let second = if plural_label(&b) {
            format!("with no more than {}", count_of(&t, &b))
        } else {
            format!("with {} {b} of no more than {t}", article(&b))
        };
        let third = if plural_label(&b) {
            format!("having {t} or fewer {b}")
        } else {
            format!("having {} {b} of {t} or less", article(&b))
        };
        return pick(&[format!("with {b} of at most {t}"), second, third]);
    }
    if field == "limit" {
        return pick(&[
            format!("(at most {t} of them)"),
            format!("(no more than {t} of them)"),
            format!("(up to {t})"),
        ]);
    }
    for (suffix, from) in [
        ("_from", true),
        ("_since", true),
        ("_after", true),
        ("_to", false),
        ("_until", false),
        ("_before", false),
    ] {
        if let Some(d) = bound_adjective(field) {
            // "the vaccination valid until X", not "with valid up to X".
            return pick(&[format!("{l} {t}"), format!("with a {d} of {t}")]);
        }
        if let Some(base) = field.strip_suffix(suffix) {
            if let Some(end) = end_of(field, v, &t) {
                return end;
            }
            // "starts_on_from": "that starts on or after".
            if let Some(verb) = base
                .strip_suffix("_on")
                .or_else(|| base.strip_suffix("_at"))
            {
                let v = phrase::label(verb);
                let when = if from { "on or after" } else { "on or before" };
                // "purchased on or after" is a participle; "that starts on or after" a verb.
                if v.split(' ').next().is_some_and(phrase::follows_noun) {
                    return format!("{v} {when} {t}");
                }
                // "last activity on or after" is a noun: "with last activity on or after".
                let first = v.split(' ').next().unwrap_or("");
                if !first.ends_with('s') || first.ends_with("ss") {
                    return format!("with {v} {when} {t}");
                }
                return format!("that {v} {when} {t}");
            }
            let b = bound_adjective(base).unwrap_or_else(|| phrase::label(base));
            return if from {
                pick(&[
                    format!("with {b} from {t} on"),
                    format!("with {b} no earlier than {t}"),
                ])
            } else {
                pick(&[
                    format!("with {b} up to {t}"),
                    format!("with {b} no later than {t}"),
                ])
            };
        }
    }
    if ["_on", "_at", "_by"].iter().any(|s| field.ends_with(s)) {
        let first = l.split(' ').next().unwrap_or("");
        // "starts on" is a verb: "that starts on"; "opened on" reads as it is.
        if first.ends_with('s') && !first.ends_with("ss") {
            return pick(&[format!("that {l} {t}"), format!("which {l} {t}")]);
        }
        return format!("{l} {t}");
    }
    // "last four digits" is what a number shows, not how many there are: "ending in 4312".
    if l.ends_with(" digits") && (l.starts_with("last ") || l.starts_with("first ")) {
        let edge = if l.starts_with("last ") {
            format!("ending in {t}")
        } else {
            format!("starting with {t}")
        };
        return pick(&[edge, format!("whose {l} are {t}"), format!("with {l} {t}")]);
    }
    if plural_label(&l) {
        // "with 12 minutes", not "with a minutes of 12".
        return if v.is_number() {
            let n = count_of(&t, &l);
            pick(&[
                format!("with {n}"),
                format!("that has {n}"),
                format!("having {n}"),
                format!("holding {n}"),
                format!("with exactly {n}"),
            ])
        } else {
            pick(&[
                format!("whose {l} are {t}"),
                format!("where the {l} are {t}"),
                format!("with {l} {t}"),
            ])
        };
    }
    let a = article(&l);
    // A state or kind word ("indoor", "out of service") reads after "is", never after a
    // label as if it were a name: "whose area is indoor", not "carrying area indoor".
    let word = v
        .as_str()
        .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    if word && !field.ends_with("_name") && field != "name" {
        return pick(&[
            format!("whose {l} is {t}"),
            format!("where the {l} is {t}"),
            format!("whose {l} reads {t}"),
            format!("with {l} {t}"),
            format!("with {a} {l} of {t}"),
            format!("listed with {l} {t}"),
            format!("marked with {l} {t}"),
        ]);
    }
    pick(&[
        format!("whose {l} is {t}"),
        format!("with {l} {t}"),
        format!("where the {l} is {t}"),
        format!("that has {l} {t}"),
        format!("with {a} {l} of {t}"),
        format!("having {l} {t}"),
        format!("that shows {l} {t}"),
        format!("listed with {l} {t}"),
        format!("carrying {l} {t}"),
        format!("showing {l} {t}"),
        format!("recorded with {l} {t}"),
        format!("marked with {l} {t}"),
        format!("whose {l} reads {t}"),
    ])
}

/// Whether a state said before `noun` would say one of its words twice ("the booked class
/// booking", "the ordered food order"): such a state stays after the noun.
fn echoes_noun(adj: &str, noun: &str) -> bool {
    let stem = adj
        .strip_suffix("ed")
        .or_else(|| adj.strip_suffix('d'))
        .unwrap_or(adj);
    stem.len() >= 4 && noun.split(' ').any(|w| w.starts_with(stem))
}

/// A state value that reads as an adjective before its noun ("blocked" of a card's `status`):
/// one word, a participle or a plain state word.
fn status_adjective(field: &str, v: &Value) -> Option<String> {
    if field != "status" && !field.ends_with("_status") {
        return None;
    }
    let w = v.as_str()?;
    let plain = [
        "open", "live", "active", "pending", "paid", "unpaid", "valid", "ready",
    ];
    let odd = ["resulted", "worked", "seated", "attached"];
    let word = !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase());
    (word && ((w.ends_with("ed") && !odd.contains(&w)) || plain.contains(&w)))
        .then(|| w.to_string())
}

/// The item's own short name, to say before its noun ("Garden purse" of an account's
/// `nickname`: "the Garden purse account"): one to three words, capitalized, not quoted, and
/// the name of the item itself (not a person's, nor another item's).
fn prenominal_name(noun: &str, field: &str, v: &Value) -> Option<String> {
    let own = matches!(field, "name" | "nickname")
        || (field.ends_with("_name") && !names_other_item(noun, field));
    let person = matches!(
        field,
        "full_name" | "first_name" | "last_name" | "person_name" | "display_name"
    );
    // "the Lisbon city": a place is named alone or after its noun, never before it; so is a
    // pet ("the pet Nemo").
    let last = noun.rsplit(' ').next();
    let place = matches!(
        last,
        Some("city" | "town" | "country" | "region" | "village" | "state")
    );
    if !own || person || names_person(noun) || place || last == Some("pet") {
        return None;
    }
    let s = v.as_str()?;
    let t = said_text_as(v, 0);
    let words = s.split_whitespace().count();
    let plain = s
        .chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '\'' || c == '&');
    // "the Maplebury Sorting Centre depot" says its kind twice; "Tamsin's workspace" takes no
    // "the".
    let last = s.rsplit(' ').next().unwrap_or(s);
    let kind = words > 1 && last.starts_with(char::is_uppercase) && !phrase::is_initialism(last);
    (plain
        && (1..=2).contains(&words)
        && !kind
        && !s.contains('\'')
        && t == s
        && s.starts_with(char::is_uppercase))
    .then(|| s.to_string())
}

/// A name to say right after its noun: a person's after their role ("the courier Timo
/// Zamora"), a pet's after "pet" ("the pet Nemo"): capitalized words only.
fn person_name(noun: &str, field: &str, v: &Value) -> Option<String> {
    let pet = noun.rsplit(' ').next() == Some("pet") && matches!(field, "name" | "pet_name");
    let person = matches!(field, "full_name" | "person_name" | "name") && names_person(noun);
    if !pet && !person {
        return None;
    }
    let s = v.as_str()?;
    let words: Vec<&str> = s.split_whitespace().collect();
    let fits = if pet { 1..=2 } else { 2..=3 };
    (fits.contains(&words.len()) && words.iter().all(|w| w.starts_with(char::is_uppercase)))
        .then(|| s.to_string())
}

/// Whether a noun names a person ("courier", "job applicant"), by its head word.
fn names_person(noun: &str) -> bool {
    let head = noun.rsplit(' ').next().unwrap_or(noun);
    matches!(
        head,
        "contact"
            | "employee"
            | "courier"
            | "driver"
            | "member"
            | "guest"
            | "passenger"
            | "customer"
            | "user"
            | "agent"
            | "applicant"
            | "candidate"
            | "patient"
            | "owner"
            | "teacher"
            | "student"
            | "instructor"
            | "doctor"
            | "vet"
            | "tenant"
            | "landlord"
            | "participant"
            | "person"
            | "holder"
            | "manager"
            | "recipient"
            | "sender"
            | "reviewer"
            | "author"
            | "traveller"
            | "attendee"
            | "invitee"
            | "learner"
            | "technician"
            | "pharmacist"
            | "physician"
            | "specialist"
    )
}

/// An attribute after a plural noun: its verb agrees ("that have", "that show").
fn plural_verbs(a: &str) -> String {
    for (one, many) in [
        ("that has ", "that have "),
        ("that shows ", "that show "),
        ("that is ", "that are "),
        ("that's ", "that are "),
        ("which is ", "which are "),
        ("that goes by ", "that go by "),
        ("that goes with ", "that go with "),
        ("that belongs to ", "that belong to "),
        ("that falls under ", "that fall under "),
    ] {
        if let Some(rest) = a.strip_prefix(one) {
            return format!("{many}{rest}");
        }
    }
    a.to_string()
}

/// Parameter names of a search's free text.
const SEARCH_TEXT: &[&str] = &[
    "query",
    "q",
    "keyword",
    "keywords",
    "search",
    "term",
    "search_term",
    "search_text",
];

/// A count with its plural label: "12 minutes", but "1 passenger", "1 stop left".
/// A measure's label split into quantity and unit: "size in MB" -> ("size", "MB").
pub(crate) fn unit_label(l: &str) -> Option<(&str, &str)> {
    let (q, unit) = l.rsplit_once(" in ")?;
    phrase::UNITS.contains(&unit).then_some((q, unit))
}

/// Whether a field is a bound of a range (`min_size_mb`, `opened_from`): said as a bound.
fn bounded(field: &str) -> bool {
    hardgen_graph::schema::bound_base(field).is_some()
}

fn count_of(t: &str, l: &str) -> String {
    // "number of adults" 6 is "6 adults".
    let l = l
        .strip_prefix("number of ")
        .or_else(|| l.strip_prefix("count of "))
        .unwrap_or(l);
    if t != "1" {
        return format!("{t} {l}");
    }
    let words: Vec<&str> = l.split(' ').collect();
    let at = match words.as_slice() {
        [_, "left" | "remaining"] => 0,
        _ => words.len().saturating_sub(1),
    };
    let one: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i == at {
                singular(w)
            } else {
                (*w).to_string()
            }
        })
        .collect();
    format!("1 {}", one.join(" "))
}

/// The singular of a noun phrase (its last word): "vehicle reservations" -> "vehicle reservation".
pub(crate) fn singular_phrase(p: &str) -> String {
    match p.rsplit_once(' ') {
        Some((head, last)) => format!("{head} {}", singular(last)),
        None => singular(p),
    }
}

/// The singular of a plural noun ("policies" -> "policy", "boxes" -> "box", "seats" -> "seat").
fn singular(w: &str) -> String {
    if let Some(stem) = w.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["ches", "shes", "xes", "sses", "zes"]
        .iter()
        .any(|e| w.ends_with(e))
    {
        w[..w.len() - 2].to_string()
    } else {
        w.strip_suffix('s').unwrap_or(w).to_string()
    }
}

/// Whether a field label names a plural noun ("minutes", "class credits", "stops left").
pub(crate) fn plural_label(l: &str) -> bool {
    let words: Vec<&str> = l.split(' ').collect();
    // "stops left", "places remaining": the noun comes first.
    let noun = match words.as_slice() {
        [n, "left" | "remaining"] => n,
        [.., last] => last,
        [] => return false,
    };
    // "item IDs" too.
    (noun.len() > 3 || *noun == "IDs")
        && noun.ends_with('s')
        && !["ss", "us", "is", "ics"].iter().any(|e| noun.ends_with(e))
}

/// Wordings of a flag whose label is a verb phrase or an adjective ("offers delivery",
/// "has pool", "accepting new patients", "spicy", "pets allowed"); `None` for other noun
/// phrases.
fn bool_forms(l: &str, yes: bool) -> Option<Vec<String>> {
    let words: Vec<&str> = l.split(' ').collect();
    let (first, rest) = (words[0], words[1..].join(" "));
    // One word: an adjective reads "that is spicy"; a noun ("pool") keeps "with pool".
    let adjective = [
        "y", "ite", "ous", "ive", "ful", "able", "ic", "ed", "ent", "ote", "al",
    ]
    .iter()
    .any(|e| first.ends_with(e))
        || [
            "overdue",
            "due",
            "late",
            "open",
            "free",
            "new",
            "urgent",
            "unread",
            "pending",
            "public",
            "private",
            "hidden",
            "paid",
            "unpaid",
            "empty",
            "full",
            "online",
            "offline",
            "outstanding",
            "remote",
            "vegan",
        ]
        .contains(&first);
    if words.len() == 1 && adjective {
        return Some(if yes {
            vec![format!("that is {l}"), format!("marked {l}")]
        } else {
            vec![format!("that is not {l}"), format!("not marked {l}")]
        });
    }
    // "open sundays": the days the item is open ("the branch that is closed on Sundays").
    if let ["open", days] = words.as_slice() {
        if DAYS.contains(days) {
            let d = crate::maker::capitalize(days);
            return Some(if yes {
                vec![format!("that is open on {d}"), format!("open on {d}")]
            } else {
                vec![format!("that is closed on {d}"), format!("not open on {d}")]
            });
        }
    }
    // "on shift", "in stock": a state the item is in ("the agents not on shift").
    if words.len() > 1 && matches!(first, "on" | "in" | "at" | "off" | "out") {
        let not = if yes { "" } else { "not " };
        return Some(vec![format!("that is {not}{l}"), format!("{not}{l}")]);
    }
    if first == "has" {
        // "has a pool", "has an assignment", but "has video": a thing takes an article.
        let mass = [
            "video",
            "audio",
            "wifi",
            "parking",
            "breakfast",
            "internet",
            "heating",
            "storage",
            "access",
            "insurance",
            "catering",
            "power",
            "water",
            "electricity",
        ];
        // "has_composting": an activity, said without an article ("with composting").
        let a = if words.len() == 2
            && !mass.contains(&words[1])
            && !rest.ends_with('s')
            && !rest.ends_with("ing")
        {
            format!("{} ", article(&rest))
        } else {
            String::new()
        };
        return Some(if yes {
            vec![format!("that has {a}{rest}"), format!("with {a}{rest}")]
        } else {
            vec![format!("that has no {rest}"), format!("without {a}{rest}")]
        });
    }
    if first.ends_with("ing") {
        let not = if yes { "" } else { "not " };
        return Some(vec![format!("that is {not}{l}")]);
    }
    // "pets allowed", "breakfast included": a noun and a participle.
    if words.len() == 2 && words[1].ends_with("ed") {
        let be = if first.ends_with('s') { "are" } else { "is" };
        return Some(if yes {
            vec![
                format!("where {first} {be} {}", words[1]),
                format!("with {l}"),
            ]
        } else {
            vec![format!("where {first} {be} not {}", words[1])]
        });
    }
    // "verified purchase": the item is one ("the review that is a verified purchase").
    if words.len() == 2 && first.ends_with("ed") && !words[1].ends_with(['s', 'd']) {
        let a = article(l);
        return Some(if yes {
            vec![format!("that is {a} {l}"), format!("marked as {a} {l}")]
        } else {
            vec![
                format!("that is not {a} {l}"),
                format!("not marked as {a} {l}"),
            ]
        });
    }
    // "include financials": an option of the call, not something the item has or offers.
    if words.len() > 1 && matches!(first, "include" | "show" | "return") {
        return Some(if yes {
            vec![format!("including {rest}"), format!("with {rest} included")]
        } else {
            vec![format!("without {rest}"), format!("excluding {rest}")]
        });
    }
    let verb = first.len() > 3 && first.ends_with('s') && !first.ends_with("ss");
    if verb && !words[words.len() - 1].ends_with("ed") {
        let base = &first[..first.len() - 1];
        return Some(if yes {
            vec![format!("that {l}"), format!("which {l}")]
        } else {
            vec![format!("that does not {base} {rest}")]
        });
    }
    None
}

/// Plural day names a flag may follow "open" with.
const DAYS: &[&str] = &[
    "mondays",
    "tuesdays",
    "wednesdays",
    "thursdays",
    "fridays",
    "saturdays",
    "sundays",
];

/// Whether the text states a flag: its label, or the label's words as `bool_forms` says them.
fn states_flag(text_lc: &str, param: &str) -> bool {
    let l = phrase::label(param).to_lowercase();
    if text_lc.contains(&l) {
        return true;
    }
    let Some((first, rest)) = l.split_once(' ') else {
        return false;
    };
    let base = first.strip_suffix('s').unwrap_or(first);
    (matches!(first, "has" | "include" | "show" | "return") && text_lc.contains(rest))
        // `is_unisex` as an input: "with unisex turned on"; as an item's mark: "that is not
        // unisex". A bare "refundable or not" states nothing.
        || (first == "is"
            && [" turned on", " turned off"]
                .iter()
                .any(|t| text_lc.contains(&format!("{rest}{t}"))))
        || (first == "is" && text_lc.contains(&format!("is not {rest}")))
        // A flag inside a record: "name Ana, not active" or "name Ana, active".
        || (first == "is"
            && [format!(", not {rest}"), format!(", {rest}")]
                .iter()
                .any(|f| text_lc.contains(f.as_str())))
        || text_lc.contains(&format!("{base} {rest}"))
        || (first == "open" && text_lc.contains(&format!("closed on {rest}")))
        || text_lc.contains(&format!("{first} on {rest}"))
        || [" is not ", " are not ", " is ", " are "]
            .iter()
            .any(|be| text_lc.contains(&format!("{first}{be}{rest}")))
}

/// "a" or "an" before a phrase.
pub fn article(phrase: &str) -> &'static str {
    let lc = phrase.to_lowercase();
    // Said with a consonant ("a unit price", "a one-off fee") or a silent h ("an hour").
    if ["uni", "use", "usu", "uti", "eu", "one"]
        .iter()
        .any(|p| lc.starts_with(p))
    {
        return "a";
    }
    if ["hour", "honest", "honou"]
        .iter()
        .any(|p| lc.starts_with(p))
    {
        return "an";
    }
    // An initialism is said letter by letter: "an RSVP", "an SKU", "a PIN", "a VAT number".
    let first = phrase.split([' ', '-']).next().unwrap_or("");
    if first.len() > 1 && first.chars().all(|c| c.is_ascii_uppercase()) {
        return if "AEFHILMNORSX".contains(&first[..1]) {
            "an"
        } else {
            "a"
        };
    }
    match phrase.chars().next() {
        Some(c) if "aeiouAEIOU".contains(c) => "an",
        _ => "a",
    }
}

impl<'a, S: Specs + ?Sized> Writer<'a, S> {
    /// A wording index.
    fn vary(&self) -> usize {
        self.rng.borrow_mut().random_range(0..60)
    }

    /// One of the equivalent wordings `f(k)`, drawn like [`Writer::vary`], moved on to the next
    /// ones while its first word was used by an earlier qualifier of this query.
    fn fresh(&self, f: impl Fn(usize) -> String) -> String {
        let k = self.vary();
        let lead = |s: &str| s.split(' ').next().unwrap_or("").to_string();
        let pick = {
            let used = self.leads.borrow();
            (0..16)
                .map(|d| f(k + d))
                .find(|s| !used.contains(&lead(s)))
                .unwrap_or_else(|| f(k))
        };
        self.leads.borrow_mut().push(lead(&pick));
        pick
    }

    /// "{connective} {np}" with a connective from `forms` this query has not used yet (the
    /// next one in turn when all are used).
    fn fresh_from(&self, forms: &[&'static str], np: &str) -> String {
        let k = self.vary();
        let by = {
            let used = self.connectives.borrow();
            (0..forms.len())
                .map(|d| forms[(k + d) % forms.len()])
                .find(|f| !used.contains(f))
                .unwrap_or(forms[k % forms.len()])
        };
        self.connectives.borrow_mut().push(by);
        format!("{by} {np}")
    }

    /// Whether the item a binding takes its value from was described earlier in the query.
    fn said_before(&self, b: &Binding) -> bool {
        let (k, path, sel) = match b {
            Binding::Step { step, path, .. } => (*step, path, None),
            Binding::Select {
                step, path, param, ..
            } => (*step, path, self.view.inputs.get(param)),
            Binding::Input { .. } => return false,
        };
        self.said.borrow().contains(&said_key(k, path, sel))
    }

    fn spec(&self, k: usize) -> Option<&'a ToolSpec> {
        self.specs.spec(&self.view.gold.get(k)?.name)
    }

    /// The item of step `k`'s result at `path`, picked by `sel` (field leaf, value).
    /// `related`: the phrase names the item only through a relation of it ("the card of ...").
    fn item(
        &self,
        k: usize,
        path: &str,
        sel: Option<(&str, &Value)>,
        depth: usize,
        related: bool,
    ) -> String {
        let noun = self
            .spec(k)
            .map(|s| st::item_noun(s, path))
            .unwrap_or_else(|| "item".into());
        let key = said_key(k, path, sel.map(|(_, v)| v));
        let ambiguous = self
            .nouns
            .borrow()
            .iter()
            .any(|(other, n)| *n == noun && *other != key);
        let first = !self.said.borrow().contains(&key);
        if !first {
            // With two accounts named, "that same account" could be either: say which again.
            if !ambiguous {
                return format!("that same {noun}");
            }
        } else {
            self.said.borrow_mut().push(key.clone());
        }
        self.nouns.borrow_mut().push((key, noun.clone()));
        // A read of one item by its id alone ("get the member card" given the hold's card) is
        // that item: its phrase is the id's ("the member card of the book hold ..."), not "the
        // member card of the member card of the book hold ...".
        if let Some(step) = self.view.steps.get(k).filter(|_| sel.is_none()) {
            if let [(arg, b @ (Binding::Step { .. } | Binding::Select { .. }))] =
                step.bindings.iter().collect::<Vec<_>>().as_slice()
            {
                if st::id_noun(arg) == noun && self.view.credential_step(b).is_none() {
                    let np = self.bound(k, arg, depth + 1);
                    if np.starts_with(&format!("the {noun} ")) {
                        return np;
                    }
                }
            }
        }
        // (qualifier, names another item through a relation)
        let mut quals: Vec<(String, bool)> = Vec::new();
        // Relations this item's own qualifiers drop (nested items keep theirs apart).
        let mark = self.dropped.borrow().len();
        // A state reads best before the noun, three times in four: "the blocked card".
        let mut adj: Option<String> = None;
        // A person is named after their role: "the courier Timo Zamora".
        let mut apposed: Option<String> = None;
        let mut before = |f: &str, v: &Value| {
            let state = status_adjective(f, v).filter(|a| !echoes_noun(a, &noun));
            if adj.is_none()
                && apposed.is_none()
                && state.is_some()
                && !self.vary().is_multiple_of(4)
            {
                adj = state;
                return true;
            }
            // An item's own short name reads before its noun a third of the time ("the Garden
            // purse account"); the named wordings keep the rest.
            if adj.is_none() && apposed.is_none() {
                if let Some(name) = prenominal_name(&noun, f, v) {
                    if self.vary().is_multiple_of(3) {
                        adj = Some(name);
                        return true;
                    }
                }
                if let Some(name) = person_name(&noun, f, v) {
                    if self.vary().is_multiple_of(3) {
                        apposed = Some(name);
                        return true;
                    }
                }
            }
            false
        };
        if let Some((f, v)) = sel {
            if !before(f, v) {
                quals.push((self.fresh(|k| attribute_of(&noun, f, v, k)), false));
            }
        }
        if let Some(step) = self.view.steps.get(k) {
            for (arg, b) in &step.bindings {
                // A filter on the very attribute the item is picked by is said once.
                let given = self.view.gold.get(k).and_then(|g| g.arguments.get(arg));
                if sel.is_some_and(|(f, v)| f == arg && given == Some(v)) {
                    continue;
                }
                // The session the item was read in is no attribute of it ("the booking for
                // which that same travel is the access token").
                if self.carried_login(b) {
                    continue;
                }
                let nested =
                    !matches!(b, Binding::Input { param } if (self.context)(param).is_none());
                if !nested && given.is_some_and(|v| before(arg, v)) {
                    continue;
                }
                quals.push((self.qualifier(k, arg, b, depth, &noun), nested));
            }
        }
        quals.retain(|(q, _)| !q.is_empty());
        let dropped: Vec<(String, String)> = self.dropped.borrow_mut().drain(mark..).collect();
        // "the pickup branch of the book hold" names no hold: "of the book hold on that same
        // book title" does.
        // "the gym membership having 11 class credits" picks among that same site's members:
        // with other qualifiers, the relation to an item said before is kept too, or the
        // reader cannot tell where the membership comes from.
        if !quals.is_empty() || adj.is_some() || apposed.is_some() || depth > 0 || related {
            if let Some((arg, np)) = dropped.into_iter().next() {
                // Marked: kept only where the other item comes earlier in the sentence
                // (see [`settle_anchors`]).
                let noun = np.trim_start_matches("that same ");
                let q = self.role(&arg, &np);
                quals.push((
                    format!("{ANCHOR_OPEN}{noun}{ANCHOR_MID}{q}{ANCHOR_CLOSE}"),
                    true,
                ));
            }
        }
        // Names read best right after the noun; relations to other items go last, so a later
        // clause never seems to qualify a nested noun ("the policy for which the applicant of
        // the quote X is the holder, whose policy number is Y" would).
        quals.sort_by_key(|(q, nested)| qualifier_order(q, *nested));
        let quals: Vec<String> = quals.into_iter().map(|(q, _)| q).collect();
        // `get_user_tickets()` finds the caller's own: "my ticket", not "the ticket".
        // `find_user_id_by_email` finds a user, not one of mine: "the user".
        let mine = self.view.gold.get(k).is_some_and(|g| {
            let words: Vec<&str> = g.name.split('_').collect();
            (words.contains(&"user") || words.contains(&"my"))
                && !g.arguments.keys().any(|a| a.contains("user"))
                && !matches!(noun.rsplit(' ').next(), Some("user" | "users"))
        });
        let mut s = match (adj, apposed) {
            (_, Some(p)) => format!("the {noun} {p}"),
            (Some(a), None) if mine => format!("my {a} {noun}"),
            (Some(a), None) => format!("the {a} {noun}"),
            (None, None) if mine => format!("my {noun}"),
            (None, None) => format!("the {noun}"),
        };
        for (i, q) in quals.iter().enumerate() {
            let and = i > 0 && q.starts_with("whose") && quals[i - 1].starts_with("whose");
            s.push_str(if and { " and " } else { " " });
            s.push_str(q);
        }
        // (Only a phrase that says more than its noun can be moved; see
        // [`described_before_same`].)
        if first && !ambiguous && s.split(' ').count() >= noun.split(' ').count() + 3 {
            self.described.borrow_mut().push((noun, s.clone()));
        }
        s
    }

    /// How argument `arg` of step `k` narrows that step's item.
    fn qualifier(&self, k: usize, arg: &str, b: &Binding, depth: usize, noun: &str) -> String {
        let v = self.view.gold.get(k).and_then(|g| g.arguments.get(arg));
        match b {
            Binding::Input { param } if (self.context)(param).is_some() => {
                let np = self.context_np(param);
                self.role(arg, &np)
            }
            Binding::Input { .. } => match v {
                // `get_order_details(order_id)` shows the order's payment method: "the
                // payment method of the order #W1", not "whose order ID is #W1".
                Some(Value::String(v)) if self.details_of_other(k, arg, noun) => {
                    format!("of the {} {v}", st::id_noun(arg))
                }
                Some(v) => self.fresh(|k| attribute_of(noun, arg, v, k)),
                None => String::new(),
            },
            _ if self.view.credential_step(b).is_some() => String::new(),
            _ => {
                let np = self.bound(k, arg, depth + 1);
                // An item already described adds nothing by being named again here, unless
                // it is all that tells this item apart ([`Writer::item`] asks again).
                if np.starts_with("that same ") {
                    self.dropped.borrow_mut().push((arg.to_string(), np));
                    return String::new();
                }
                self.role(arg, &np)
            }
        }
    }

    /// Whether step `k` shows the details of another item, named by its id input `arg` (a
    /// `get_order_details(order_id)` read for a payment method), not a `noun` found by `arg`.
    fn details_of_other(&self, k: usize, arg: &str, noun: &str) -> bool {
        let Some(g) = self.view.gold.get(k) else {
            return false;
        };
        let kind = st::id_noun(arg);
        let words: Vec<&str> = g.name.split('_').collect();
        hardgen_core::spec::is_identifier_name(arg)
            && g.arguments.len() == 1
            && kind != noun
            && !kind.contains(' ')
            && words.contains(&kind.as_str())
            && matches!(
                words.last(),
                Some(&("details" | "info" | "information" | "profile"))
            )
    }

    /// "of NP" when the parameter names the NP's own kind, else "whose <role> is NP".
    fn role(&self, arg: &str, np: &str) -> String {
        let role = st::id_noun(arg);
        let head = np
            .strip_prefix("the ")
            .or_else(|| np.strip_prefix("that same "))
            .unwrap_or(np)
            .split(" from before")
            .next()
            .unwrap_or(np);
        // "owner contact" before "the owner of the drive X": the phrase names the kind.
        let person = role
            .strip_suffix(" contact")
            .filter(|r| st::is_person_role(r.rsplit(' ').next().unwrap_or(r)) || *r == "person")
            .is_some_and(|r| {
                head.starts_with(&format!("{r} of ")) || head.starts_with(&format!("{r} behind "))
            });
        if head.starts_with(&role) || of_kind(head, &role) || person {
            // A connective not used yet in this query ("belonging to ... belonging to" reads
            // as a stutter).
            return self.fresh_from(lexicon::OWNED, np);
        }
        let words: Vec<&str> = role.split(' ').collect();
        let last = words[words.len() - 1];
        let first = words[0];
        // "holder contact" before "the contact ...": say "holder"; an agent noun reads well alone.
        let agent = st::is_person_role(first);
        let short = if words.len() > 1 && (head.starts_with(last) || last == "contact") && agent {
            words[..words.len() - 1].join(" ")
        } else {
            role
        };
        self.fresh(|k| role_form(&short, np, k))
    }

    /// The noun phrase of a value bound to an earlier step.
    fn bound(&self, j: usize, arg: &str, depth: usize) -> String {
        let Some(b) = self.view.steps.get(j).and_then(|s| s.bindings.get(arg)) else {
            return String::new();
        };
        // A step that only echoes an id it was given (an authorization returning the id it
        // checked) is not a new item: say what it was given.
        if let (Binding::Step { step, .. } | Binding::Select { step, .. }, Some(v)) =
            (b, self.view.gold.get(j).and_then(|g| g.arguments.get(arg)))
        {
            if let Some(a) = self.view.echoed_by(*step, v) {
                if depth <= 12 && *step < j {
                    return self.bound(*step, a, depth + 1);
                }
            }
        }
        let (k, path, sel) = match b {
            Binding::Step { step, path, .. } => (*step, path.as_str(), None),
            Binding::Select {
                step,
                path,
                field,
                param,
            } => (
                *step,
                path.as_str(),
                self.view
                    .inputs
                    .get(param)
                    .map(|v| (st::split_path(field).1, v)),
            ),
            Binding::Input { param } => {
                return if (self.context)(param).is_some() {
                    self.context_np(param)
                } else {
                    self.view
                        .inputs
                        .get(param)
                        .map(value_text)
                        .unwrap_or_default()
                }
            }
        };
        if depth > 12 || k >= j {
            return String::new();
        }
        let related = self.spec(k).is_some_and(|s| !st::is_own_id(s, path));
        let item = self.item(k, path, sel, depth, related);
        let item = match self.spec(k) {
            Some(s) => self.hoist(item, depth, &st::item_noun(s, path)),
            None => item,
        };
        match self.spec(k) {
            Some(s) if related => format!("the {} {item}", st::relation(s, path)),
            _ => item,
        }
    }

    /// The deepest item of a long chain of relations, when it is told apart by its own
    /// attributes, is described in a sentence before the request and called "that <noun>" in
    /// the chain: one sentence of five nested relations loses the reader ("... of the ticket
    /// tied to the vehicle having plate X whose class reads pickup, with ..." becomes "It
    /// concerns the vehicle having plate X whose class reads pickup. ... tied to that vehicle").
    /// A first writing (`hoist` off) only notes that such an item exists.
    fn hoist(&self, np: String, depth: usize, noun: &str) -> String {
        let own = np.strip_prefix("the ").is_some_and(|rest| {
            rest.split(' ').count() >= noun.split(' ').count() + 3
                && !rest.contains("that same")
                && !rest.contains(ANCHOR_OPEN)
        });
        if depth < HOIST_DEPTH || !own || self.hoisted.borrow().is_some() {
            return np;
        }
        if !self.hoist {
            self.could_hoist.set(true);
            return np;
        }
        *self.hoisted.borrow_mut() = Some((np, noun.to_string()));
        format!("that {noun}")
    }

    /// Whether `b` is an earlier round's login token (carried over unsaid, as a session).
    fn carried_login(&self, b: &Binding) -> bool {
        matches!(b, Binding::Input { param } if (self.context)(param)
            .is_some_and(|(tool, path)| login_token(&tool, &path)))
    }

    /// An earlier round's value, referred to by what the user knows.
    fn context_np(&self, param: &str) -> String {
        let Some((tool, path)) = (self.context)(param) else {
            return String::new();
        };
        match self.specs.spec(&tool) {
            Some(s) if st::is_own_id(s, &path) => {
                format!("that same {}", st::item_noun(s, &path))
            }
            Some(s) => {
                let relation = st::relation(s, &path);
                // Said once in full; again as "that same person" (the relation's own noun),
                // not "the person behind the employee from before" two or three times.
                let key = format!("ctx|{tool}|{path}");
                let head = relation
                    .split(' ')
                    .take_while(|w| {
                        !matches!(
                            *w,
                            "of" | "behind"
                                | "that"
                                | "who"
                                | "for"
                                | "on"
                                | "in"
                                | "at"
                                | "to"
                                | "from"
                                | "with"
                                | "by"
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                // With two earlier people in play, "that same person" could be either.
                let ambiguous = self
                    .nouns
                    .borrow()
                    .iter()
                    .any(|(other, n)| *n == head && *other != key);
                if self.said.borrow().contains(&key) && !head.is_empty() && !ambiguous {
                    return format!("that same {head}");
                }
                self.said.borrow_mut().push(key.clone());
                self.nouns.borrow_mut().push((key, head));
                format!("the {relation} the {} from before", st::item_noun(s, &path))
            }
            None => format!("that same {}", st::id_noun(param)),
        }
    }
}

/// Whether field `path` of tool `tool`'s result is the token an authorization hands out.
fn login_token(tool: &str, path: &str) -> bool {
    lexicon::grants_access(tool) && st::split_path(path).1.ends_with("token")
}

/// Wording `k` of "the item whose {role} is {np}" after an item's noun.
fn role_form(short: &str, np: &str, k: usize) -> String {
    // A long phrase before its role ("having the author of the product review ... related to
    // that product as the buyer") keeps the reader waiting for what it is: the role goes first.
    if np.split(' ').count() > 7 {
        return match k % 4 {
            0 => format!("whose {short} is {np}"),
            1 => format!("where the {short} is {np}"),
            2 => being(short, np),
            _ => format!("for which the {short} is {np}"),
        };
    }
    match k % 10 {
        0 => format!("whose {short} is {np}"),
        1 => format!("with {np} as its {short}"),
        2 => format!("where the {short} is {np}"),
        3 => format!("that has {np} as its {short}"),
        4 => format!("where {np} is the {short}"),
        5 => format!("with {np} as the {short}"),
        6 => format!("having {np} as the {short}"),
        7 => format!("whose {short} is {np}"),
        8 => being(short, np),
        _ => format!("for which {np} is the {short}"),
    }
}

/// Whether a noun phrase's head (its first three words at most) ends with the noun `role`:
/// "the payer account of the booking" is an account already, so "the card belonging to the payer
/// account of ...", not "where the payer account of ... is the account".
fn of_kind(head: &str, role: &str) -> bool {
    let words: Vec<&str> = head.split(' ').collect();
    let suffix = format!(" {role}");
    (2..=words.len().min(3)).any(|n| words[..n].join(" ").ends_with(&suffix))
}

/// The noun of the items a tool's result lists (`results` of book titles: "book title").
fn listed_noun(spec: &ToolSpec) -> Option<String> {
    let props = spec.returns.as_ref()?.get("properties")?.as_object()?;
    let (list, _) = props
        .iter()
        .find(|(_, v)| v.get("type").and_then(Value::as_str) == Some("array"))?;
    let item = st::item_schema(spec.returns.as_ref()?, &format!("{list}[].x"))?;
    st::own_id(item).map(st::id_noun)
}

/// A verb's bare id object with its article and in capitals: tau-bench's "Find user id by
/// email" is "find the user ID by email".
fn id_object(d: &str) -> String {
    const DET: [&str; 16] = [
        "the", "a", "an", "my", "all", "every", "any", "some", "its", "their", "your", "this",
        "that", "these", "those", "each",
    ];
    let words: Vec<&str> = d.split(' ').collect();
    if words.len() < 2 || DET.contains(&words[1].to_lowercase().as_str()) {
        return d.to_string();
    }
    let end = words[1..]
        .iter()
        .position(|w| {
            matches!(
                *w,
                "by" | "for" | "of" | "with" | "from" | "in" | "on" | "to" | "and" | "or"
            )
        })
        .map_or(words.len(), |p| p + 1);
    let head = words[end - 1].to_lowercase();
    if end < 2 || !(head == "id" || head == "ids") {
        return d.to_string();
    }
    let mut out = vec![words[0].to_string(), "the".to_string()];
    for (i, w) in words.iter().enumerate().skip(1) {
        out.push(if i == end - 1 {
            head.replace("id", "ID")
        } else {
            w.to_string()
        });
    }
    out.join(" ")
}

/// The action of a tool as an imperative clause, from its description when it starts with the
/// tool's own verb, else from its name.
pub fn action(spec: &ToolSpec) -> String {
    let verb = phrase::name_verb(&spec.name);
    let verb = verb.as_str();
    let first = hardgen_core::spec::own_description(&spec.description)
        .split(". ")
        .next()
        .unwrap_or("");
    // "Cancel a confirmed (not yet checked-in) flight booking": an aside, not the request.
    let mut d = without_asides(first.trim().trim_end_matches('.'));
    // The description's verb in the imperative ("Converts the liter to gallon" says "Convert"),
    // and "Show the plots on one site" for `list_site_plots` with the tool's own verb (so that
    // the rules for that verb apply: "Look for sites by town" is "Search for sites by town").
    if let Some((dv, rest)) = d.split_once(' ') {
        let low = lexicon::imperative(dv).unwrap_or_else(|| dv.to_lowercase());
        let said = if low != verb && same_verb(verb, &low) {
            verb
        } else {
            low.as_str()
        };
        // "Cancels and deletes an event": both verbs in the imperative.
        let rest = lexicon::imperative_rest(rest);
        if said != dv.to_lowercase() || rest != d[dv.len() + 1..] {
            d = format!("{}{} {rest}", said[..1].to_uppercase(), &said[1..]);
        }
    }
    // "... in 2 to 12 monthly instalments": a rule on the inputs, said with their values.
    if let Some(i) = number_range(&d) {
        d.truncate(i);
    }
    for cut in phrase::CLAUSE_CUTS {
        if let Some(i) = d.find(cut) {
            d.truncate(i);
        }
    }
    let mut d = phrase::without_scope(&d);
    // "Contact customer support, get immediate support on an issue": a second action that
    // restates the first.
    if let Some(i) = d.match_indices(", ").map(|(i, _)| i).find(|&i| {
        d[i + 2..]
            .split(' ')
            .next()
            .is_some_and(lexicon::is_common_verb)
    }) {
        d.truncate(i);
    }
    // "..., for a customer paying from one of their own open bank accounts": a precondition
    // the chosen account meets, said last; the account and the customer are said by their
    // own clauses.
    if let Some(i) = d.rfind(", ") {
        if d[i..].contains(" one of their own ") {
            d.truncate(i);
        }
    }
    // "Book a class on a membership with class credits left": a precondition, which the
    // chosen membership meets.
    if let Some(i) = d.rfind(" with ") {
        if d.ends_with(" left") || d.ends_with(" remaining") {
            d.truncate(i);
        }
    }
    if d.starts_with("Search ") {
        if let Some(i) = d.find(" by ") {
            d.truncate(i);
        }
        // "Search the catalogue" finds book titles: the filters said after it describe them,
        // so they are named ("the catalogue for book titles whose author is ...").
        if let Some(noun) = listed_noun(spec) {
            let lower = d.to_lowercase();
            // "Search openings" already names job openings by their head word.
            let head = noun.rsplit(' ').next().unwrap_or(&noun);
            if !lower.contains(head) && !lower.ends_with(" for") {
                d.push_str(&format!(" for {}", phrase::plural(&noun)));
            }
        }
    }
    // "Find the contact with an exact e-mail address": the value is said after the action.
    // "Book a flight given the travel information", "Display the status of the vehicle based
    // on the provided display option", "Get the cost of a flight based on location, date, and
    // class": what the inputs are for, said by the inputs themselves.
    for cut in [
        " with an exact",
        " with the exact",
        " with a public",
        " by its exact",
        " given the ",
        " based on ",
    ] {
        if let Some(i) = d.find(cut) {
            d.truncate(i);
        }
    }
    // "Post a tweet for the authenticated user": the caller is the one asking; "sent by the
    // current user" are the ones "sent by me".
    for (said, plain) in [
        (" for the authenticated user", ""),
        (" for the current user", ""),
        (" by the authenticated user", " by me"),
        (" by the current user", " by me"),
    ] {
        d = d.replace(said, plain);
    }
    for tail in [" by id", " by its id"] {
        if let Some(x) = d.strip_suffix(tail) {
            d = x.to_string();
        }
    }
    // "..., highest rent first": an ordering, not part of the request.
    if let Some(i) = d.rfind(", ") {
        if d.ends_with(" first") || d.ends_with(" order") {
            d.truncate(i);
        }
    }
    for tail in [" in date order", " in order"] {
        if let Some(x) = d.strip_suffix(tail) {
            d = x.to_string();
        }
    }
    // ", filtered by date range, visit mode or ...": the tool's optional filters, which the
    // request states by their values.
    if let Some(i) = d.find(", filtered by").or_else(|| d.find(", optionally")) {
        d.truncate(i);
    }
    // A trailing "by <parameter>" or "by state" names an optional filter, not the request;
    // "by a contact" names who did it.
    if let Some(i) = d.rfind(" by ") {
        let tail = d[i + 4..].replace(' ', "_");
        let params = spec.parameters.get("properties").and_then(Value::as_object);
        // "made by card" says how, not which: a participle keeps its "by".
        let before = d[..i].rsplit(' ').next().unwrap_or("");
        let participle = before.ends_with("ed")
            || matches!(
                before,
                "made"
                    | "paid"
                    | "sent"
                    | "held"
                    | "led"
                    | "run"
                    | "owned"
                    | "written"
                    | "given"
                    | "taken"
                    | "chosen"
                    | "drawn"
                    | "shown"
                    | "known"
                    | "driven"
                    | "done"
                    | "built"
                    | "bought"
                    | "kept"
            );
        // "locate a support agent by work e-mail": the input (agent_email) is said by its value.
        // "by a contact" names who does it, not a key.
        let agent = ["a ", "an ", "the ", "its ", "their "]
            .iter()
            .any(|a| d[i + 4..].starts_with(a));
        let names_input = !agent
            && params.is_some_and(|p| {
                d[i + 4..].split(' ').any(|w| {
                    let w = w.replace('-', "");
                    w.len() >= 4 && p.keys().any(|k| k.split('_').any(|x| x == w))
                })
            });
        // "line by line", "one by one": a manner, kept whole.
        let repeated = before == tail;
        let bare = (!tail.contains('_') || names_input) && !participle && !repeated;
        // "by type or from a date": alternatives of optional filters.
        let alternatives = d[i + 4..].contains(" or ");
        if bare || alternatives || params.is_some_and(|p| p.keys().any(|k| k.contains(&tail))) {
            d.truncate(i);
        }
    }
    // "remove a member from a group by ending an active membership": the means, not the
    // request (the membership is named as the request's object).
    if let Some(i) = d.find(" by ") {
        if d[i + 4..]
            .split(' ')
            .next()
            .is_some_and(|w| w.ends_with("ing"))
        {
            d.truncate(i);
        }
    }
    // "..., so it stops working at once": the reason, not the request.
    if let Some(i) = d.find(" so ") {
        d.truncate(i);
    }
    // "the hotels whose nearest airport is the given one": a clause about the tool's input,
    // which the request names by its own words.
    if let Some(g) = d.find(" the given") {
        let clause = [" whose ", " that ", " which ", " with "]
            .iter()
            .filter_map(|c| d[..g].rfind(c))
            .max();
        if let Some(i) = clause {
            d.truncate(i);
        }
    }
    // "Fetch the plot whose label matches exactly": the value is said after the action.
    if let Some(i) = d.find(" whose ") {
        if d.ends_with(" matches exactly") || d.ends_with(" matches") {
            d.truncate(i);
        }
    }
    let d = drop_states(
        &st::lower_first(d.trim().trim_end_matches([',', ' '])),
        spec,
    );
    let d = id_object(&d);
    // "Encrypt, encode, and decode text": a list of verbs opens with the name's own.
    let dverb = d.split(' ').next().unwrap_or("").trim_end_matches(',');
    // A dotted name's own part may open with no verb (`solve.quadratic_equation`, "Quadratic
    // equation solver"): the description then only repeats the name.
    let named_by_noun = spec.name.contains('.') && !lexicon::is_common_verb(verb);
    if !verb.is_empty() && dverb == verb && d.split(' ').count() >= 2 && !named_by_noun {
        // "Highest meter value recorded for a supply point" names a value, not an action.
        if phrase::NOT_VERBS.contains(&dverb) {
            return format!("find the {d}");
        }
        return d;
    }
    // `liter_to_gallon`, `trading_login`: a name that does not open with a verb says less
    // than a description that does ("Convert liters to gallons"); so does a bare verb
    // (`contact`: "retrieve the contact details of a person").
    let bare_verb = phrase::words(&spec.name).len() == 1
        && lexicon::imperative(dverb).is_some_and(|v| v == dverb);
    if (bare_verb || phrase::names_no_verb(&spec.name, &spec.description))
        && d.split(' ').count() >= 2
    {
        return d;
    }
    // `web_search`: a noun and a verb name a kind of run ("run a web search", not "web the
    // search").
    let w = phrase::words(&spec.name);
    if let [noun, act] = w.as_slice() {
        if !lexicon::is_common_verb(noun)
            && !phrase::NOT_VERBS.contains(&noun.as_str())
            && matches!(
                act.as_str(),
                "search" | "scan" | "lookup" | "check" | "test"
            )
        {
            return format!("run a {noun} {act}");
        }
    }
    // `XSS_Scanner.scan`: the last part is the action, the rest the tool that does it ("scan
    // with the XSS scanner", not "XSS the scanner scan"); `random_forest.train` acts on it
    // ("train the random forest").
    if let Some((tool, last)) = spec.name.rsplit_once('.') {
        let low = last.to_lowercase();
        if (lexicon::is_common_verb(&low)
            || matches!(
                low.as_str(),
                "train" | "fit" | "predict" | "forecast" | "simulate"
            ))
            && last.chars().all(|c| c.is_ascii_alphabetic())
        {
            let words = phrase::words(tool);
            let by = words
                .iter()
                .map(|w| {
                    if w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase()) {
                        w.clone()
                    } else {
                        w.to_lowercase()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
            let instrument = words.last().is_some_and(|w| {
                matches!(
                    w.to_lowercase().as_str(),
                    "scanner"
                        | "tool"
                        | "api"
                        | "client"
                        | "bot"
                        | "service"
                        | "engine"
                        | "system"
                        | "solver"
                        | "calculator"
                        | "helper"
                        | "manager"
                )
            });
            let with = if instrument { "with the" } else { "the" };
            return format!("{low} {with} {by}");
        }
        // `sculpture.create_custom`: "create a custom sculpture"; `solve.quadratic_equation`:
        // the first part is the verb ("solve the quadratic equation").
        let parts = phrase::words(last);
        let first = spec.name.split('.').next().unwrap_or("");
        if let [v, adj] = parts.as_slice() {
            if lexicon::is_common_verb(v) && matches!(adj.as_str(), "custom" | "new") {
                let what = phrase::words(tool).join(" ").to_lowercase();
                return format!("{v} a {adj} {what}");
            }
        }
        if lexicon::is_common_verb(&first.to_lowercase())
            && parts.first().is_some_and(|w| !lexicon::is_common_verb(w))
        {
            return format!("{} the {}", first.to_lowercase(), parts.join(" "));
        }
    }
    let (v, o) = phrase::verb_object(&spec.name);
    placed(format!("{v} {o}").trim())
}

/// Prepositions that put an item in a place or direction ("at the depot", "to the carrier").
const PLACES: &[&str] = &["at", "on", "to", "from", "into", "with"];

/// A name-made action with its places articled: "receive the parcel at the depot", "find the
/// cheapest fare on the flight" (a tool name drops them: `receive_parcel_at_depot`). Set
/// phrases ("on sale", "to repair") keep theirs.
fn placed(act: &str) -> String {
    let words: Vec<&str> = act.split(' ').collect();
    let mut out: Vec<&str> = Vec::with_capacity(words.len() + 2);
    for (i, w) in words.iter().enumerate() {
        out.push(w);
        let next = words.get(i + 1).copied().unwrap_or("");
        let place = PLACES.contains(w);
        // Only inside the object: "advance to interviews" names a stage, not a place.
        let inside = i >= 2 && words[..i].contains(&"the");
        let bare = !next.is_empty()
            && !matches!(
                next,
                "the" | "a" | "an" | "its" | "their" | "sale" | "repair" | "hold" | "time"
            );
        if place && inside && bare {
            out.push("the");
        }
    }
    out.join(" ")
}

/// The text without its parenthesised asides (an unclosed one cuts the rest).
fn without_asides(d: &str) -> String {
    let mut out = String::with_capacity(d.len());
    let mut rest = d;
    while let Some(i) = rest.find(" (") {
        out.push_str(&rest[..i]);
        match rest[i..].find(')') {
            Some(j) => rest = &rest[i + j + 1..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Where " in N to M" (a range the inputs must keep) starts in a description, if it does.
fn number_range(d: &str) -> Option<usize> {
    let words: Vec<(usize, &str)> = d
        .split(' ')
        .scan(0, |at, w| {
            let here = *at;
            *at += w.len() + 1;
            Some((here, w))
        })
        .collect();
    let num = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit());
    words.windows(4).find_map(|w| {
        (matches!(w[0].1, "in" | "from" | "of" | "between")
            && num(w[1].1)
            && matches!(w[2].1, "to" | "and")
            && num(w[3].1))
        .then(|| w[0].0.saturating_sub(1))
    })
}

/// State words a description puts before a noun as a precondition ("an issued or disputed
/// bill"); a person asking for the action names the item, not the state it must be in.
const STATES: &[&str] = &[
    "active",
    "open",
    "available",
    "scheduled",
    "confirmed",
    "pending",
    "booked",
    "live",
    "issued",
    "disputed",
    "approved",
    "reimbursed",
    "returned",
    "filed",
    "assessed",
    "lapsed",
    "resolved",
    "closed",
    "assigned",
    "waiting",
    "sent",
    "accepted",
    "damaged",
    "worn",
    "checked-in",
    "completed",
    "attended",
    "written",
    "requested",
    "placed",
    "delivered",
    "muted",
    "existing",
    "valid",
    "enrolled",
    "graded",
    "published",
    "answered",
    "cancelled",
    "postponed",
    "paid",
    "unpaid",
    "proposed",
];

/// Enum values anywhere in a spec's parameters or returns (lowercase).
fn enum_words(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(e)) = m.get("enum") {
                out.extend(e.iter().filter_map(Value::as_str).map(str::to_lowercase));
            }
            m.values().for_each(|x| enum_words(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| enum_words(x, out)),
        _ => {}
    }
}

/// Drops state words between an article and its noun: "an issued or disputed energy bill" ->
/// "an energy bill".
fn drop_states(d: &str, spec: &ToolSpec) -> String {
    let mut states = BTreeSet::new();
    enum_words(&spec.parameters, &mut states);
    if let Some(r) = &spec.returns {
        enum_words(r, &mut states);
    }
    let is_state = |w: &str| {
        let w = w.trim_end_matches(',');
        // Spec enums also hold nouns ("delivery", "admin"): only their participles are states.
        STATES.contains(&w) || (states.contains(w) && w.ends_with("ed"))
    };
    let words: Vec<&str> = d.split(' ').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if matches!(w, "a" | "an") && i > 0 {
            let mut j = i + 1;
            while j < words.len() && (is_state(words[j]) || (words[j] == "or" && j > i + 1)) {
                j += 1;
            }
            // Only when a noun follows, and the last dropped word is a state, not "or".
            // A state word followed by "of", "with", ... was the noun itself ("an admin of").
            let noun = words.get(j).is_some_and(|n| {
                !matches!(
                    *n,
                    "of" | "from"
                        | "with"
                        | "to"
                        | "for"
                        | "in"
                        | "on"
                        | "by"
                        | "as"
                        | "at"
                        | "and"
                        | "that"
                        | "which"
                        | "who"
                        | "before"
                        | "after"
                        | "into"
                        // "update an existing one": "one" stands for the noun, the state is
                        // what it says.
                        | "one"
                        | "ones"
                )
            });
            if j > i + 1 && noun && words[j - 1] != "or" {
                out.push(article(words[j]).to_string());
                i = j;
                continue;
            }
        }
        out.push(w.to_string());
        i += 1;
    }
    out.join(" ")
}

/// Whether [`action`] comes from the description (so its "a <noun>" slots can take phrases).
fn action_from_description(spec: &ToolSpec) -> bool {
    let verb = phrase::name_verb(&spec.name);
    let verb = verb.as_str();
    st::lower_first(hardgen_core::spec::own_description(&spec.description).trim())
        .split(' ')
        .next()
        .is_some_and(|d| {
            // "Places a hold ..." for `placeHold`: the same verb in the third person.
            let d = lexicon::imperative(d).unwrap_or_else(|| d.to_string());
            d == verb || same_verb(verb, &d)
        })
        || phrase::names_no_verb(&spec.name, &spec.description)
}

/// Whether a description that opens with `desc` ("show", "fetch") describes a tool whose name
/// opens with `name` ("list", "find"): the verbs other authors use for the same operation.
fn same_verb(name: &str, desc: &str) -> bool {
    const SAME: [(&str, &[&str]); 4] = [
        ("list", &["show", "return", "get", "fetch"]),
        ("find", &["fetch", "get", "locate", "return"]),
        ("get", &["fetch", "show", "return", "retrieve"]),
        ("search", &["look", "find"]),
    ];
    SAME.iter().any(|(n, ds)| *n == name && ds.contains(&desc))
}

/// The item a binding takes its value from: (step, list prefix, selecting input).
type SourceKey = (usize, String, Option<String>);

/// The [`SourceKey`] of a binding (None for inputs).
fn source_key(b: &Binding) -> Option<SourceKey> {
    match b {
        Binding::Step { step, path, index } => {
            Some((*step, format!("{}#{index}", st::split_path(path).0), None))
        }
        Binding::Select {
            step, path, param, ..
        } => Some((
            *step,
            st::split_path(path).0.to_string(),
            Some(param.clone()),
        )),
        Binding::Input { .. } => None,
    }
}

/// Replaces the first whole-word "a/an/one [adjective] <noun>" in `text` by `with` (a comma
/// after the noun stays: "with an urgency, from ...").
/// An action without a vague time ("on a later date"), for a request that gives the date.
fn without_vague_time(act: &str) -> String {
    let mut out = act.to_string();
    for vague in [
        " on a later date",
        " at a later date",
        " on a future date",
        " for a later date",
        " at a later time",
    ] {
        out = out.replace(vague, "");
    }
    out
}

/// "on a date and time slot" with "a time slot": each input of a pair its own article, so that
/// filling one in ("on the date June 3 and time slot") leaves the other a noun phrase ("and
/// a time slot") that can take its value in turn.
fn articled_pairs(act: &str, labels: &[String]) -> String {
    let mut out = act.to_string();
    // "between a pickup and a return date" shares "date": each input gets its whole label
    // ("a pickup date and a return date"), or filling in one leaves "a pickup" stranded.
    for l in labels {
        let Some((head, last)) = l.rsplit_once(' ') else {
            continue;
        };
        for m in labels {
            let Some(other) = m.strip_suffix(last).and_then(|h| h.strip_suffix(' ')) else {
                continue;
            };
            if m == l {
                continue;
            }
            for a in [article(head), "the"] {
                for b in [article(other), "the"] {
                    let short = format!(" {a} {head} and {b} {other} {last}");
                    let Some(i) = out.find(&short) else {
                        continue;
                    };
                    let end = i + short.len();
                    if out[end..].is_empty() || out[end..].starts_with([',', ' ', '.']) {
                        let whole = format!(" {a} {head} {last} and {b} {other} {last}");
                        out.replace_range(i..end, &whole);
                    }
                }
            }
        }
    }
    for l in labels {
        let bare = format!(" and {l}");
        let Some(i) = out.find(&bare) else {
            continue;
        };
        // Only a pair of inputs ("a date and time slot"), not "sort and filter": the words
        // before "and" must end an indefinite noun phrase that is an input too.
        let head = &out[..i];
        // The input may be named by its last word ("a date" for the booking date).
        let paired = labels.iter().filter(|m| *m != l).any(|m| {
            let last = m.rsplit(' ').next().unwrap_or(m);
            [m.as_str(), last].iter().any(|m| {
                [format!(" a {m}"), format!(" an {m}")]
                    .iter()
                    .any(|a| head.ends_with(a.as_str()))
            })
        });
        let end = i + bare.len();
        let whole = out[end..].is_empty() || out[end..].starts_with([',', ' ', '.']);
        if paired && whole {
            out.replace_range(i..end, &format!(" and {} {l}", article(l)));
        }
    }
    out
}

fn substitute(text: &str, noun: &str, with: &str) -> Option<String> {
    substitute_after(text, noun, with, &[1, 2])
}

/// [`substitute`] for the last word of a role ("focus" of "audit focus"): only right after
/// the article, since "a return date" is no slot for the pickup date.
fn substitute_last(text: &str, last_word: &str, with: &str) -> Option<String> {
    substitute_after(text, last_word, with, &[1])
}

/// "see a courier's rounds" for the courier `np`: "see the rounds of {np}" (never "see a
/// courier's rounds for the courier ..."). None when no "a {noun}'s" is there, when what is
/// owned runs past three words, or when a relative clause follows it (it would then seem to
/// describe the item: "the claims of the policy X that are still open").
fn possessive(text: &str, noun: &str, np: &str) -> Option<String> {
    let words: Vec<&str> = text.split(' ').collect();
    let owner = format!("{noun}'s");
    let i = words
        .windows(2)
        .position(|w| matches!(w[0], "a" | "an") && w[1] == owner)?;
    let start = i + 2;
    let stop = |w: &str| {
        crate::lexicon::is_preposition(w)
            || matches!(
                w,
                "that" | "which" | "who" | "whose" | "and" | "over" | "between"
            )
    };
    let len = words[start..]
        .iter()
        .position(|w| stop(w) || w.ends_with(','))
        .map_or(words.len() - start, |k| {
            // A comma closes what is owned with its last word.
            k + usize::from(words[start + k].ends_with(',') && !stop(words[start + k]))
        });
    let rest = &words[start + len..];
    if len == 0 || len > 3 {
        return None;
    }
    if rest
        .first()
        .is_some_and(|w| matches!(*w, "that" | "which" | "who" | "whose"))
    {
        // "count a policy's claims that are still open": the owner goes after the clause
        // ("count the claims that are still open for the policy X"), when nothing follows it.
        if len > 1 || rest.iter().any(|w| w.contains([',', ';'])) {
            return None;
        }
        let mut out: Vec<String> = words[..i].iter().map(|w| w.to_string()).collect();
        out.push(format!("the {}", words[start]));
        out.extend(rest.iter().map(|w| w.to_string()));
        out.push(format!("for {np}"));
        return Some(out.join(" "));
    }
    let owned = words[start..start + len].join(" ");
    let (owned, comma) = match owned.strip_suffix(',') {
        Some(o) => (o.to_string(), ","),
        None => (owned, ""),
    };
    let mut out: Vec<String> = words[..i].iter().map(|w| w.to_string()).collect();
    out.push(format!("the {owned} of {np}{comma}"));
    out.extend(rest.iter().map(|w| w.to_string()));
    Some(out.join(" "))
}

/// [`substitute`] with the noun `skips` words after the article (2 lets one word qualify it:
/// "a new folder").
fn substitute_after(text: &str, noun: &str, with: &str, skips: &[usize]) -> Option<String> {
    let words: Vec<&str> = text.split(' ').collect();
    let nw: Vec<&str> = noun.split(' ').collect();
    // A preposition names no slot: the "on" of "send on" is not the "on" of "a conversation
    // on a later date".
    if nw.last().is_some_and(|w| crate::lexicon::is_preposition(w)) {
        return None;
    }
    for i in 0..words.len() {
        if !matches!(words[i], "a" | "an" | "one") {
            continue;
        }
        for &skip in skips {
            let start = i + skip;
            let end = start + nw.len();
            if end > words.len() {
                continue;
            }
            let last = words[end - 1];
            let bare = last.trim_end_matches(',');
            if words[start..end - 1] != nw[..nw.len() - 1] || bare != nw[nw.len() - 1] {
                continue;
            }
            let mut out: Vec<String> = words[..i].iter().map(|w| w.to_string()).collect();
            // "an emergency contact" filled with "the holder of that account" must keep its
            // role: "the holder of that account as the emergency contact".
            let said: Vec<&str> = with.split(' ').collect();
            let role = if nw.len() > 1 && !nw.iter().all(|w| said.contains(w)) {
                format!(" as the {noun}")
            } else {
                String::new()
            };
            out.push(format!("{with}{role}{}", &last[bare.len()..]));
            // "a lesson of the enrolled course" filled with a lesson described by its own
            // relations: the description's "of the enrolled course" would dangle after it.
            let mut rest = &words[end..];
            // "a trigger identifier" filled with "the trigger TRI-7365": the value is the
            // identifier, so the word does not trail after it.
            if bare == last
                && rest
                    .first()
                    .is_some_and(|w| matches!(*w, "identifier" | "id" | "ID"))
            {
                rest = &rest[1..];
            }
            if bare == last && said.len() > 4 && rest.len() >= 3 && rest[..2] == ["of", "the"] {
                let end = rest[2..]
                    .iter()
                    .position(|w| crate::lexicon::is_preposition(w) || *w == "and")
                    .map_or(rest.len(), |p| p + 2);
                let phrase = &rest[2..end];
                // Only a description from the tool's text ("the enrolled course"), never an
                // item a later binding fills ("of the order for which ...").
                let described = phrase.len() >= 2
                    && (phrase[0].ends_with("ed")
                        || matches!(phrase[0], "current" | "own" | "active" | "open" | "same"));
                let clause = matches!(rest.get(end + 1).copied(), Some("which" | "whom"));
                if described
                    && !clause
                    && phrase.len() <= 3
                    && !phrase.iter().any(|w| w.contains([',', '"']))
                {
                    rest = &rest[end..];
                }
            }
            // "a version that is not pinned" filled with an item the request identifies: the
            // description's clause is the tool's precondition, which the item meets, and after
            // a described item it would seem to describe the last thing named ("the drive
            // Legal that is not pinned").
            if bare == last
                && said.len() >= 3
                && matches!(said[0], "the" | "that")
                && rest.len() >= 3
                && matches!(rest[0], "that" | "which")
                && matches!(rest[1], "is" | "are")
            {
                // The clause ends at its comma, or where a new phrase starts after its own
                // ("that is on the shelf | on a member card").
                let comma = rest.iter().position(|w| w.ends_with(',')).map(|p| p + 1);
                let phrase = rest
                    .iter()
                    .skip(4)
                    .position(|w| crate::lexicon::is_preposition(w))
                    .map(|p| p + 4);
                let end = match (comma, phrase) {
                    (Some(c), Some(p)) => c.min(p),
                    (c, p) => c.or(p).unwrap_or(rest.len()),
                };
                let clause = &rest[..end];
                if end <= 6 && !clause.iter().any(|w| w.contains('"')) {
                    if clause.last().is_some_and(|w| w.ends_with(',')) && end < rest.len() {
                        if let Some(o) = out.last_mut() {
                            o.push(',');
                        }
                    }
                    rest = &rest[end..];
                }
            }
            out.extend(rest.iter().map(|w| w.to_string()));
            return Some(out.join(" "));
        }
    }
    None
}

/// The words a description puts before an input it leaves to the caller ("a specified number
/// of decimal places", "the given location").
const STAND_INS: [&str; 5] = [
    "the given",
    "a given",
    "the specified",
    "a specified",
    "a specific",
];

/// `text` with the description's stand-in for input `noun` ("the given location", "a specific
/// keyword", "the specified amount") replaced by its value `t`: a place by its name alone ("to
/// Greenfield"), anything else with its noun ("containing the keyword pipeline"). None when
/// the text has no such stand-in.
fn given_slot(text: &str, noun: &str, t: &str) -> Option<String> {
    // "to a specified number of decimal places" -> "to 2 decimal places".
    for q in STAND_INS {
        let k = format!("{q} number of {noun}");
        if let Some(at) = text.find(&k) {
            let end = at + k.len();
            if (at == 0 || text[..at].ends_with(' '))
                && (text[end..].is_empty() || text[end..].starts_with([' ', ',']))
            {
                return Some(format!("{}{t} {noun}{}", &text[..at], &text[end..]));
            }
        }
    }
    let place = matches!(noun, "location" | "city" | "place" | "destination" | "town");
    // The stand-in may name the input by its head: "for a specific company" is the company
    // name's, "a specific card" the desired card's, "in a specific area" the location's.
    let mut nouns = vec![noun.to_string()];
    if let Some(stem) = [" name", " title"]
        .iter()
        .find_map(|s| noun.strip_suffix(s))
    {
        nouns.push(stem.to_string());
    }
    if let Some((_, head)) = noun.rsplit_once(' ') {
        if !matches!(head, "name" | "title" | "id" | "ID" | "number") {
            nouns.push(head.to_string());
        }
    }
    if place {
        nouns.extend(["area", "region"].map(String::from));
    }
    // "under specific path" (no article) too.
    let stand_in = nouns.iter().find_map(|n| {
        [
            "the given",
            "a given",
            "the specified",
            "a specified",
            "a specific",
            "the provided",
            "specific",
            "specified",
        ]
        .iter()
        .map(|q| format!("{q} {n}"))
        .find_map(|k| {
            let at = text.find(&k)?;
            let end = at + k.len();
            let before_ok = at == 0 || text[..at].ends_with(' ');
            let after_ok = text[end..].is_empty() || text[end..].starts_with([' ', ',']);
            // "a specific type of vehicle" is not the vehicle type's stand-in "the type premium".
            let whole = n == noun || !text[end..].starts_with(" of ");
            (before_ok && after_ok && whole).then_some((at, end, n.as_str()))
        })
    });
    let (at, end, said) = stand_in?;
    // "generate a specified number of fake records" -> "generate 9 fake records".
    if said == noun && matches!(noun, "number" | "count" | "quantity") {
        if let Some(rest) = text[end..].strip_prefix(" of ") {
            // "1 fake record": the first plural among the next words takes the number.
            let rest = if t == "1" {
                let mut words: Vec<String> = rest.split(' ').map(str::to_string).collect();
                if let Some(w) = words
                    .iter_mut()
                    .take(3)
                    .find(|w| w.len() > 3 && w.ends_with('s'))
                {
                    *w = singular(w);
                }
                words.join(" ")
            } else {
                rest.to_string()
            };
            return Some(format!("{}{t} {rest}", &text[..at]));
        }
    }
    let value = if place {
        t.to_string()
    } else {
        format!("the {said} {t}")
    };
    Some(format!("{}{value}{}", &text[..at], &text[end..]))
}

/// `text` with the name `t` of the item it makes said right after the item's noun: "create a
/// folder on the drive" with the folder name Weekly certificates is "create a folder called
/// Weekly certificates on the drive". `role` is the input's label ("folder name"); None when
/// it names no item of the text or the noun is not there after "a", "an" or "a new".
fn named_slot(text: &str, role: &str, t: &str) -> Option<String> {
    let noun = ["name", "title"]
        .iter()
        .find_map(|w| role.strip_suffix(&format!(" {w}")))?;
    for art in ["a new", "a", "an"] {
        let k = format!("{art} {noun}");
        let mut from = 0;
        while let Some(at) = text[from..].find(&k).map(|i| i + from) {
            let end = at + k.len();
            let before_ok = at == 0 || text[..at].ends_with(' ');
            let after_ok = text[end..].is_empty() || text[end..].starts_with([' ', ',']);
            if before_ok && after_ok {
                // "remove a file or directory called X", not "a file called X or directory".
                // Only when a noun ends the "or" ("a file or display it in ..." is two verbs).
                let end = text[end..]
                    .strip_prefix(" or ")
                    .and_then(|rest| rest.split([' ', ',']).next().map(|w| (w, rest)))
                    .filter(|(w, rest)| {
                        let after = rest[w.len()..].trim_start_matches(' ');
                        let next = after.split(' ').next().unwrap_or("");
                        !w.is_empty()
                            && (after.is_empty()
                                || after.starts_with([',', '.'])
                                || matches!(next, "from" | "to" | "in" | "at" | "on" | "with"))
                    })
                    .map_or(end, |(w, _)| end + 4 + w.len());
                return Some(format!("{} called {t}{}", &text[..end], &text[end..]));
            }
            from = end;
        }
    }
    None
}

/// `items` with a "from X" and a "to Y" made one range ("from feet to inches"): "from feet
/// and to inches" reads as two requests.
fn from_to(mut items: Vec<String>) -> Vec<String> {
    let from = items.iter().filter(|l| l.starts_with("from ")).count();
    let to = items.iter().filter(|l| l.starts_with("to ")).count();
    if from != 1 || to != 1 {
        return items;
    }
    let (Some(f), Some(t)) = (
        items.iter().position(|l| l.starts_with("from ")),
        items.iter().position(|l| l.starts_with("to ")),
    ) else {
        return items;
    };
    let range = format!("{} {}", items[f], items[t]);
    items[f] = range;
    items.remove(t);
    items
}

/// `text` without the description's stand-in for an input the request leaves at its default
/// ("round the number to a specified number of decimal places" -> "round the number"): a
/// reader would ask which. None when the text has no such phrase.
fn unsaid_slot(text: &str, noun: &str) -> Option<String> {
    // Most texts hold no stand-in: skip the 90 searches below (this runs for every input).
    if !text.contains(noun) || !STAND_INS.iter().any(|q| text.contains(q)) {
        return None;
    }
    for prep in ["to", "for", "with", "by", "in", "at", "from", "of", "using"] {
        for q in STAND_INS {
            for k in [
                format!(" {prep} {q} {noun}"),
                format!(" {prep} {q} number of {noun}"),
            ] {
                let Some(at) = text.find(&k) else {
                    continue;
                };
                let end = at + k.len();
                if text[end..].is_empty() || text[end..].starts_with([' ', ',', '.']) {
                    return Some(format!("{}{}", &text[..at], &text[end..]));
                }
            }
        }
    }
    None
}

/// `text` with value `t` put after the first "the {noun}" that ends a clause or is followed
/// by a preposition ("set the daily limit for ..." -> "set the daily limit to 50 for ..."); `to`
/// says "to" before the value. None when the noun is not there.
fn definite_slot(text: &str, noun: &str, t: &str, to: bool) -> Option<String> {
    let key = format!("the {noun}");
    let mut from = 0;
    while let Some(at) = text[from..].find(&key).map(|i| i + from) {
        let end = at + key.len();
        let before_ok = at == 0 || text[..at].ends_with(' ');
        let rest = &text[end..];
        let next = rest
            .trim_start_matches([' ', ','])
            .split(' ')
            .next()
            .unwrap_or("");
        let after_ok = rest.is_empty()
            || rest.starts_with(',')
            || (rest.starts_with(' ')
                && (matches!(next, "for" | "on" | "in" | "at" | "with")
                    // "change the priority of the case to urgent", never "to urgent of".
                    || (!to && next == "of")));
        // "..., setting the approved amount to 147.94": the verb before the slot sets it.
        let sets = [
            "set ",
            "setting ",
            "change ",
            "changing ",
            "update ",
            "updating ",
        ]
        .iter()
        .any(|v| text[..at].ends_with(v));
        if before_ok && after_ok {
            let link = if to || sets { " to " } else { " " };
            return Some(format!("{}{link}{t}{rest}", &text[..end]));
        }
        from = end;
    }
    None
}

/// The request for gold step `last` alone: its action with its arguments woven in.
fn call_phrase<S: Specs + ?Sized>(
    w: &Writer<'_, S>,
    made: &Made,
    specs: &S,
    last: usize,
) -> String {
    definite_stand_ins(woven_phrase(w, made, specs, last))
}

/// `text` with the description's leftover stand-ins made definite: "retrieve the projects of
/// a specified team, with uuid UUI-4930" is "... of the team, with uuid UUI-4930". A user
/// who gives the values says which item they mean; "a specified team" is the tool's wording,
/// never a request's. Noun uses ("the parameters specified") and "specific heat" stay.
fn definite_stand_ins(text: String) -> String {
    const LEFT: [&str; 8] = [
        "a specific ",
        "a specified ",
        "a given ",
        "the specified ",
        "the given ",
        "the provided ",
        "specified ",
        // "predict the profit for given investment".
        "for given ",
    ];
    // Most requests hold none: no copy, no scans past this one.
    if !LEFT.iter().any(|q| text.contains(q)) {
        return text;
    }
    let mut out = text;
    for q in LEFT {
        let mut from = 0;
        while let Some(at) = out[from..].find(q).map(|i| i + from) {
            let end = at + q.len();
            let before_ok = at == 0 || out[..at].ends_with(' ');
            // A noun follows ("a given period"), not a clause ("specified by the user").
            let next = out[end..].split([' ', ',', '.']).next().unwrap_or("");
            let noun = next.chars().next().is_some_and(char::is_alphabetic)
                && !matches!(
                    next,
                    "by" | "in" | "on" | "at" | "for" | "to" | "with" | "as" | "and" | "or"
                );
            if before_ok && noun {
                let keep = if q.starts_with("for ") {
                    "for the "
                } else {
                    "the "
                };
                out.replace_range(at..end, keep);
                from = at + keep.len();
            } else {
                from = end;
            }
        }
    }
    out
}

/// [`call_phrase`] before its leftover stand-ins are made definite.
fn woven_phrase<S: Specs + ?Sized>(
    w: &Writer<'_, S>,
    made: &Made,
    specs: &S,
    last: usize,
) -> String {
    let Some(target) = specs.spec(&made.gold[last].name) else {
        return String::new();
    };
    let mut act = lexicon::verb(&action(target), w.vary());
    // "close the task with a note" when no note is given: the description's optional input
    // is not part of this request.
    let given = &made.gold[last].arguments;
    let params = target
        .parameters
        .get("properties")
        .and_then(Value::as_object);
    let labels: Vec<String> = params
        .into_iter()
        .flat_map(|m| m.keys())
        .map(|p| phrase::label(p))
        .collect();
    act = articled_pairs(&act, &labels);
    // "schedule a message ... on a later date" says no more once the date itself is given
    // ("to be sent on 7 July 2026").
    let dated = given
        .values()
        .any(|v| v.as_str().is_some_and(|t| phrase::date_forms(t).is_some()));
    if dated {
        act = without_vague_time(&act);
    }
    // An input a result supplies is not the user's to specify: "delete the website using the
    // specified website ID" drops its stand-in, as for an input left at its default.
    let from_result = |p: &str| {
        made.tool
            .implementation
            .get(last)
            .and_then(|s| s.bindings.get(p))
            .is_some_and(|b| !matches!(b, Binding::Input { .. }))
    };
    for p in params.into_iter().flat_map(|m| m.keys()) {
        if given.contains_key(p) && !from_result(p) {
            continue;
        }
        let l = phrase::label(p);
        for with in [format!(" with a {l}"), format!(" with an {l}")] {
            if let Some(i) = act.find(&with) {
                let end = i + with.len();
                if act[end..].is_empty() || act[end..].starts_with([',', ' ']) {
                    act.replace_range(i..end, "");
                }
            }
        }
        if let Some(cut) = unsaid_slot(&act, &l) {
            act = cut;
        }
    }
    // A quote reads like a request with inputs ("quote the stay ... for 2 guests"), not like a
    // search whose inputs describe what is found.
    let verb = phrase::name_verb(&target.name);
    let verb = verb.as_str();
    let reads = crate::item::reads_by_name(&target.name) && verb != "quote";
    let slots = action_from_description(target);
    let mut literals: Vec<String> = Vec::new();
    let mut bound: Vec<(String, String)> = Vec::new();
    // (first description, noun, later "that" phrase, its relation) per item said twice.
    let mut twice: Vec<(String, String, String, String)> = Vec::new();
    if let Some(step) = made.tool.implementation.get(last) {
        // Own ids first: the item itself is named once, its other fields refer back to it.
        let mut args: Vec<(&String, &Binding)> = step.bindings.iter().collect();
        let own = |b: &Binding| match b {
            Binding::Step { step, path, .. } | Binding::Select { step, path, .. } => made
                .gold
                .get(*step)
                .and_then(|g| specs.spec(&g.name))
                .is_some_and(|s| st::is_own_id(s, path)),
            Binding::Input { .. } => false,
        };
        args.sort_by_key(|(_, b)| !own(b));
        // Items said so far: their key, noun, and the words that describe them in full.
        let mut said: Vec<(SourceKey, String, String)> = Vec::new();
        for (arg, b) in args {
            if w.view.credential_step(b).is_some() {
                continue;
            }
            // An earlier round's login carries over as it does within a round: no "for that
            // same travel" for the token `authenticate_travel` handed out.
            if w.carried_login(b) {
                continue;
            }
            let is_context = matches!(b, Binding::Input { param } if (w.context)(param).is_some());
            if matches!(b, Binding::Input { .. }) && !is_context {
                let v = made.gold[last]
                    .arguments
                    .get(arg)
                    .cloned()
                    .unwrap_or(Value::Null);
                let role = st::id_noun(arg);
                let t = said_text_as(&v, w.vary());
                // "generate a specified number of fake records" is "generate 9 fake records",
                // not "the number 9 of fake records".
                let counted = matches!(role.as_str(), "number" | "count" | "quantity")
                    .then(|| given_slot(&act, &role, &t))
                    .flatten();
                let put = if counted.is_some() {
                    counted
                } else if slots && !v.is_boolean() {
                    let with = format!("the {role} {t}");
                    // "with a focus" is the "audit focus": the last word names the slot too.
                    let last_word = role.rsplit_once(' ').map(|(_, w)| w);
                    // "shipped to a city" takes "the city Milan", not "the ship to city Milan".
                    substitute(&act, &role, &with).or_else(|| {
                        last_word.and_then(|lw| substitute_last(&act, lw, &format!("the {lw} {t}")))
                    })
                } else {
                    None
                };
                // "get the nearest airport to the given location": the description's stand-in
                // for the input takes its value ("... to Greenfield").
                let put = put.or_else(|| given_slot(&act, &role, &t));
                // "create a folder called Weekly certificates on the drive ...": the new item's
                // name goes with its noun, never after another item's ("... on the drive
                // called Fenna's notes, with the folder name set to ...").
                let put = put.or_else(|| (!reads).then(|| named_slot(&act, &role, &t)).flatten());
                // "set the daily limit to 3861.88", "verify the certificate code 4KQ2": an
                // action that already names the input takes its value there.
                let put = put.or_else(|| {
                    let to = matches!(act.split(' ').next(), Some("set" | "change" | "update"));
                    (!reads && !v.is_boolean())
                        .then(|| definite_slot(&act, &role, &t, to))
                        .flatten()
                });
                let shown = spoken_field(target, arg);
                // `ls(a=false)`: "without showing hidden files and directories", never "with a
                // turned off".
                match (put, flag_said(target, arg, &v)) {
                    (Some(s), _) => act = s,
                    (None, Some(flag)) => literals.push(flag),
                    (None, None) if reads => {
                        let (_, noun) = phrase::verb_object(&target.name);
                        literals.push(attribute_of(&noun, &shown, &v, w.vary()))
                    }
                    (None, None) => {
                        literals.push(literal_clause(&shown, &v, &mut w.rng.borrow_mut()))
                    }
                }
                continue;
            }
            let key = source_key(b);
            let earlier = key
                .as_ref()
                .and_then(|k| said.iter().find(|(x, _, _)| x == k));
            // "upload a file into that same folder", not "... for the drive of that folder" or
            // "... for that same drive": the folder's drive is the drive it was created on,
            // which the sentence has named. A value that the step of another argument of this
            // call was given is implied by that argument's item.
            let value = made.gold[last].arguments.get(arg);
            let implied = made.tool.implementation.get(last).is_some_and(|this| {
                this.bindings.iter().any(|(other, ob)| match ob {
                    // A token names no item in the sentence: it implies nothing.
                    Binding::Step { step, .. } | Binding::Select { step, .. } => {
                        other != arg
                            && w.view.credential_step(ob).is_none()
                            && value.is_some_and(|v| w.view.echoes(*step, v))
                    }
                    Binding::Input { .. } => false,
                })
            });
            // Only an item of the argument's own kind (the folder's drive, not the hold's
            // holder as the ticket holder), and only when the action has no slot to say it in
            // ("send a message to a conversation").
            let role = st::id_noun(arg);
            let kind = match b {
                Binding::Step { step, path, .. } | Binding::Select { step, path, .. } => made
                    .gold
                    .get(*step)
                    .and_then(|g| specs.spec(&g.name))
                    .map(|s| {
                        if st::is_own_id(s, path) {
                            st::item_noun(s, path)
                        } else {
                            st::id_noun(st::split_path(path).1)
                        }
                    }),
                Binding::Input { .. } => None,
            };
            let slot = substitute(&act, &role, &role).is_some();
            if implied
                && (earlier.is_some() || w.said_before(b))
                && kind.as_deref() == Some(role.as_str())
                && !slot
            {
                continue;
            }
            let np = match (earlier, b) {
                (
                    Some((_, noun, item)),
                    Binding::Step { step, path, .. } | Binding::Select { step, path, .. },
                ) => {
                    let rel = made
                        .gold
                        .get(*step)
                        .and_then(|g| specs.spec(&g.name))
                        .map(|s| st::relation(s, path))
                        .unwrap_or_default();
                    let np = format!("the {rel} that {noun}");
                    if !item.is_empty() {
                        twice.push((item.clone(), noun.clone(), np.clone(), rel));
                    }
                    np
                }
                _ => w.bound(last, arg, 0),
            };
            if let (
                Some(k),
                Binding::Step { step, path, .. } | Binding::Select { step, path, .. },
            ) = (key, b)
            {
                if earlier.is_none() {
                    let spec = made.gold.get(*step).and_then(|g| specs.spec(&g.name));
                    let noun = spec.map(|s| st::item_noun(s, path)).unwrap_or_default();
                    // "the owner contact of the drive X" describes "the drive X".
                    let item = match spec {
                        Some(s) if !st::is_own_id(s, path) => np
                            .strip_prefix(&format!("the {} ", st::relation(s, path)))
                            .unwrap_or_default()
                            .to_string(),
                        _ => np.clone(),
                    };
                    let item = if item.starts_with("the ") {
                        item
                    } else {
                        String::new()
                    };
                    said.push((k, noun, item));
                }
            }
            bound.push((st::id_noun(arg), np));
        }
    }
    // The item the call acts on (the one it returns) first: "redirect the parcel with
    // tracking code X to the depot Y", not "redirect the parcel for the depot Y, with the
    // parcel with tracking code X". Only that item: in "change the gym plan" the plan is the
    // new value, and the membership is what changes.
    if !slots {
        let own = target
            .returns
            .as_ref()
            .and_then(st::own_id)
            .map(st::id_noun);
        if let Some(i) = bound
            .iter()
            .position(|(role, np)| Some(role) == own.as_ref() && merged(&act, np).is_some())
        {
            let b = bound.remove(i);
            bound.insert(0, b);
        }
    }
    let mut said_for = false;
    // The "with ..." clauses of the bound items, said as one list after the action with the
    // literal inputs: "with the payer account of that parcel, the recipient being ... and a
    // weight in kg of 1.1", not "with ..., with ..., with ...".
    let mut withs: Vec<String> = Vec::new();
    for (role, np) in &bound {
        // "upload a file into the folder of the drive X" needs no "for that same drive": the
        // sentence already names it.
        if let Some(noun) = np.strip_prefix("that same ") {
            if act.contains(&format!(" {noun} ")) || act.ends_with(&format!(" {noun}")) {
                // "and then cancel a viewing" after booking one: say which.
                if let Some(s) = substitute(&act, noun, np) {
                    act = s;
                }
                continue;
            }
        }
        let last_word = role.rsplit(' ').next().unwrap_or(role);
        // A person's role names the contact: "for a guest" takes "the guest of that booking"
        // (a phrase that says the role itself, so none is lost); "the properties a letting
        // agent handles" takes "..., namely the agent of the property X".
        let person_slot = || {
            role.strip_suffix(" contact")
                .filter(|r| !r.contains(' ') && np.split(' ').any(|w| w == *r))
                .and_then(|r| {
                    // "a guest", "a letting agent": the role's word after at most one other.
                    let s = substitute(&act, r, np)?;
                    // Not before a last verb: "the classes {a long phrase} leads".
                    let closing = s.split_once(np.as_str()).is_some_and(|(_, after)| {
                        let after = after.trim();
                        !after.is_empty() && !after.contains(' ')
                    });
                    Some(if closing || center_embedded(&s, np) {
                        named_after(&act, r, np)
                    } else {
                        s
                    })
                })
        };
        // "send a message to a user" for the receiver: the person the description names in
        // general terms is the one the role names ("... to the receiver of that message").
        let any_person = || {
            let person = matches!(
                last_word,
                "receiver"
                    | "recipient"
                    | "sender"
                    | "user"
                    | "member"
                    | "person"
                    | "customer"
                    | "attendee"
                    | "participant"
                    | "follower"
            );
            if !person || act.contains(&format!(" {last_word}")) {
                return None;
            }
            ["user", "person", "recipient", "someone"]
                .iter()
                .find_map(|g| substitute(&act, g, np))
        };
        let put = if slots {
            substitute(&act, role, np)
                .map(|s| (s, role.as_str()))
                .or_else(|| substitute_last(&act, last_word, np).map(|s| (s, last_word)))
                // "the quotes {a long phrase} asked for" loses the reader before its verb: the
                // slot stays "a contact" and the phrase follows it.
                .map(|(s, noun)| {
                    if center_embedded(&s, np) {
                        named_after(&act, noun, np)
                    } else {
                        s
                    }
                })
                .or_else(|| possessive(&act, last_word, np))
                .or_else(person_slot)
                .or_else(any_person)
        } else {
            person_slot().or_else(any_person)
        };
        // "invite to booking" + "the booking X" is "invite to the booking X", not "invite to
        // booking for the booking X" (nor "assign ... to shift, with the shift X").
        let destination = [" to ", " into ", " for ", " of "].iter().find_map(|p| {
            act.strip_suffix(&format!("{p}{last_word}"))
                .or_else(|| act.strip_suffix(&format!("{p}the {last_word}")))
                .filter(|_| np.starts_with("the ") || np.starts_with("that same "))
                .map(|stem| format!("{stem}{p}{np}"))
        });
        if let Some(s) = put {
            act = s;
        } else if let Some(d) = destination.clone().filter(|_| said_for) {
            act = d;
        } else if !said_for {
            said_for = true;
            // "look up the order" + "the order whose status is ..." is one noun phrase, not
            // "look up the order for the order whose ...".
            let destination = destination.or_else(|| apposed(&act, role, np));
            // "authorize the account" needs no "for the account" when nothing more is said,
            // nor "pay one of its own payees" a "for the payee".
            let bare = np.strip_prefix("the ").is_some_and(|noun| {
                act.ends_with(&format!(" {noun}")) || act.contains(&format!(" {noun}s"))
            });
            // "start a basket ... paid from the account X", not "for the account X": the tool
            // takes its payment from that account.
            let pays = role.ends_with("account")
                && ["paid from", "paying from"]
                    .iter()
                    .any(|p| target.description.contains(p));
            // "edit the ticket" + "my ticket" is "edit my ticket", not "... for my ticket".
            // ("my open ticket" too: the noun is the phrase's tail.)
            let mine = np.strip_prefix("my ").and_then(|rest| {
                std::iter::once(0)
                    .chain(rest.match_indices(' ').map(|(i, _)| i + 1))
                    .find_map(|i| act.strip_suffix(&format!("the {}", &rest[i..])))
                    .map(|stem| format!("{stem}{np}"))
            });
            match (merged(&act, np), destination) {
                (Some(m), _) => act = m,
                (None, Some(d)) => act = d,
                (None, None) if mine.is_some() => act = mine.unwrap_or_default(),
                (None, None) if bare => {}
                (None, None) if pays => {
                    act = paid_from(&act, np).unwrap_or_else(|| format!("{act}, paid from {np}"));
                }
                // "for the doctor X" names its role by its noun; "for the owner of the drive
                // X" would hide that the owner is the emergency contact.
                (None, None) if !names_role(role, np) && np.split(' ').count() > 4 => {
                    with_or_push(&mut act, &mut withs, &role_clause(role, np));
                }
                (None, None) => {
                    // A card a change is paid with: "book a flight with that same card".
                    let with = role.rsplit(' ').next() == Some("card")
                        && matches!(
                            verb,
                            "book" | "reserve" | "purchase" | "buy" | "pay" | "order" | "rent"
                        );
                    // "modify the payment method of the order X to the payment method of the
                    // order Y": a change of what the action names is a change to it; a payment
                    // is made using a method, not for it.
                    let changes = matches!(verb, "modify" | "change" | "update" | "switch")
                        && act.contains(&format!(" the {role} of "));
                    let prep = direction(role).unwrap_or(if with {
                        "with"
                    } else if changes {
                        "to"
                    } else if role.contains("payment") {
                        "using"
                    } else {
                        "for"
                    });
                    act.push_str(&format!(" {prep} {np}"));
                }
            }
        } else if let Some(p) = (np.starts_with(&format!("the {role}"))
            || np.ends_with(&format!(" {role}")))
        .then(|| described_direction(&target.description, last_word))
        .flatten()
        {
            // "Move a parcel ... to another depot": "... to the depot Y" ("to the concession
            // gym plan", not "using the concession gym plan").
            act.push_str(&format!(" {p} {np}"));
        } else if np.starts_with(&format!("the {role}")) {
            withs.push(np.clone());
        } else if np.split(' ').count() > 4 {
            // A described item ("the card with network visa of ...") would leave "as the payment
            // card" trailing after its last clause.
            with_or_push(&mut act, &mut withs, &role_clause(role, np));
        } else if np.ends_with(&format!(" {role}")) {
            // "using that same card", not "using that same card as the card".
            act.push_str(&format!(", using {np}"));
        } else {
            act.push_str(&format!(", using {np} as the {role}"));
        }
    }
    if reads {
        // A read's literals are filters of its object, not more inputs: the clauses stay apart.
        for b in withs.drain(..) {
            act.push_str(&format!(", with {b}"));
        }
    }
    let (dated, literals): (Vec<String>, Vec<String>) = if reads {
        (Vec::new(), literals)
    } else {
        // "expires on 2026-06-16" reads ", expiring on 2026-06-16" after the action.
        let mut literals = literals
            .into_iter()
            .map(|l| gerund_dated(&l))
            .collect::<Vec<_>>();
        // Clauses with their own preposition come after those that follow "with".
        literals.sort_by_key(|l| prepositional(l));
        literals.into_iter().partition(|l| trails(l))
    };
    // "a message to be sent to the chat ..." + "to be sent on 7 July": one "to be sent".
    let mut trailing = Vec::new();
    for d in dated {
        match within_action(&act, &d) {
            Some(a) => act = a,
            None => trailing.push(d),
        }
    }
    let dated = trailing;
    if !withs.is_empty() {
        act.push_str(&with_list(withs, literals));
        for d in &dated {
            act.push_str(&format!(", {d}"));
        }
        return described_first(act, &twice);
    }
    for d in &dated {
        act.push_str(&format!(", {d}"));
    }
    if !literals.is_empty() {
        let joined = phrase::join_and(from_to(literals));
        if reads {
            // Filters of a read say which items: "find the restaurant called Brasa Negra".
            // After an item named by its relations they would qualify the last noun of those
            // ("the reservations of the driver of the employee with status confirmed"): they
            // get a clause of their own.
            // "search conversations that have status active", not "that has".
            let plural = object_is_plural(&act, !bound.is_empty());
            let joined = if plural {
                plural_verbs(&joined)
            } else {
                joined
            };
            // A read of one item takes its other inputs as they come ("quote the fare ... with
            // 2 passengers"): they are not filters.
            // "search shows at all venues" + "named X": the filter follows its noun ("search
            // shows named X at all venues"), not the venues.
            let (_, object) = phrase::verb_object(&target.name);
            let noun = object.rsplit(' ').next().unwrap_or("");
            let tail_at = act
                .find(&format!(" {noun} "))
                .map(|i| i + noun.len() + 1)
                .filter(|&i| {
                    let next = act[i + 1..].split(' ').next().unwrap_or("");
                    matches!(next, "at" | "in" | "on" | "across" | "from" | "over")
                });
            if let Some(i) = tail_at.filter(|_| bound.is_empty() && !joined.starts_with('(')) {
                let rest = act.split_off(i);
                act.push(' ');
                act.push_str(&joined);
                act.push_str(&rest);
                return described_first(act, &twice);
            }
            if bound.is_empty() || joined.starts_with('(') || !plural {
                act.push(' ');
            } else {
                let ones = [", only the ones ", ", just those ", ", only those "];
                act.push_str(ones[w.vary() % ones.len()]);
            }
            act.push_str(&joined);
            return described_first(act, &twice);
        } else if prepositional(&joined) {
            // "convert the value 76.42, from meters and to feet", "get the contents of the
            // current directory, without showing hidden files": no "with" before a clause
            // that has its own preposition.
            act.push_str(", ");
        } else {
            // After a described item its own last clause would seem to go on ("the
            // transaction with date from May 4 on with a credit limit of 50"): a comma ends it.
            act.push_str(if bound.is_empty() && w.vary().is_multiple_of(2) {
                " with "
            } else {
                ", with "
            });
        }
        act.push_str(&joined);
    }
    described_first(act, &twice)
}

/// Whether an input clause starts with a preposition of its own ("from meters", "to feet",
/// "without showing hidden files"), so it takes no "with".
fn prepositional(l: &str) -> bool {
    ["from ", "to ", "without "]
        .iter()
        .any(|p| l.starts_with(p) && !l.starts_with("to be "))
}

/// Whether an input clause of a write follows the action by itself, after a comma ("opened on
/// 2026-04-30", "expiring on ...", "to be sent on ..."), rather than after "with". A value
/// that ends in -ing ("faulty_wiring as the repair issue") is no gerund.
fn trails(l: &str) -> bool {
    let mut words = l.split(' ');
    let first = words.next().unwrap_or("");
    let second = words.next().unwrap_or("");
    let participle = phrase::follows_noun(first) && matches!(second, "on" | "at" | "by");
    let gerund = first.ends_with("ing") && !first.contains('_') && lexicon::is_preposition(second);
    participle || l.starts_with("to be ") || gerund
}

/// Where a qualifier goes after its noun: names first, then attributes, "whose" clauses, and
/// relations to other items last; shorter first within each.
fn qualifier_order(q: &str, nested: bool) -> (u8, usize) {
    let cat = if nested {
        3
    } else if lexicon::is_naming(q) {
        0
    } else if !q.starts_with("whose") && !q.starts_with("of ") {
        1
    } else {
        2
    };
    (cat, q.len())
}

/// The key under which the item of step `k`'s result at `path`, picked by `sel`, is said.
fn said_key(k: usize, path: &str, sel: Option<&Value>) -> String {
    format!(
        "{k}|{}|{}",
        st::split_path(path).0,
        sel.map(|v| v.to_string()).unwrap_or_default()
    )
}

/// Whether a read's object is plural: its words before the first preposition after the verb
/// ("the storage upgrades bought for ...") when the item was named by its relations, else the
/// last word ("search conversations").
fn object_is_plural(act: &str, related: bool) -> bool {
    let words: Vec<&str> = act.split(' ').collect();
    let preps = [
        "of", "for", "on", "in", "at", "from", "by", "with", "to", "under", "where", "whose",
        "that",
    ];
    let plural = |w: &&str| {
        w.len() > 3 && w.ends_with('s') && !["ss", "us", "is"].iter().any(|e| w.ends_with(e))
    };
    let end = words
        .iter()
        .skip(1)
        .position(|w| preps.contains(w))
        .map(|i| i + 1);
    match end.filter(|_| related) {
        Some(i) => words[1..i].iter().any(plural),
        None => words.last().is_some_and(plural),
    }
}

/// "a version written by the owner of that drive for the drive X" as "... written by the owner
/// of the drive X for that drive": an item is described where the sentence first mentions it
/// and referred back to after. `twice` holds (description, noun, later phrase, its relation).
fn described_first(mut act: String, twice: &[(String, String, String, String)]) -> String {
    for (item, noun, later, rel) in twice {
        if let (Some(r), Some(f)) = (act.find(later.as_str()), act.find(item.as_str())) {
            if r < f {
                let mark = "\u{1}";
                act = act
                    .replacen(item.as_str(), mark, 1)
                    .replacen(later.as_str(), &format!("the {rel} {item}"), 1)
                    .replacen(mark, &format!("that {noun}"), 1);
            }
        }
    }
    act
}

/// Whether `np` sits in `s` before a short closing verb ("the conversations {np} takes part
/// in"): a long phrase there hides which words belong to the main clause.
fn center_embedded(s: &str, np: &str) -> bool {
    let Some((_, after)) = s.split_once(np) else {
        return false;
    };
    let tail: Vec<&str> = after.split_whitespace().collect();
    // A closing verb ("teaches", "holds", "asked for", "has booked") or a closing "as lost";
    // not "when they arrive".
    let verb = |w: &str| {
        matches!(w, "as" | "has" | "have")
            || (w.len() > 3 && (w.ends_with('s') || w.ends_with("ed")))
    };
    np.split(' ').count() > 5
        && !after.starts_with(',')
        && (1..=3).contains(&tail.len())
        && verb(tail[0])
}

/// "list the courses a contact teaches" with the contact said after the clause: ", where that
/// contact is the person who ..." (", namely the contact who ..." when `np` starts with the
/// noun itself).
fn named_after(act: &str, noun: &str, np: &str) -> String {
    if np.starts_with(&format!("the {noun} ")) {
        format!("{act}, namely {np}")
    } else {
        format!("{act}, where that {noun} is {np}")
    }
}

/// "with the author being {np}", but "with the same author as the product review ..." when
/// `np` is that role of another item ("the author of the product review ...").
fn being(role: &str, np: &str) -> String {
    // "the to account" is no way to say it: "to the account marked with IBAN X".
    if let Some(prep) = direction(role) {
        return format!("{prep} {np}");
    }
    // "paid with card": "paid with the card ...", not "with the paid with card being ...".
    let words: Vec<&str> = role.split(' ').collect();
    if words.len() >= 3 && lexicon::is_preposition(words[words.len() - 2]) {
        return format!("{} {np}", words[..words.len() - 1].join(" "));
    }
    match np.strip_prefix(&format!("the {role} of ")) {
        Some(item) => format!("with the same {role} as {item}"),
        None => format!("with the {role} being {np}"),
    }
}

/// The inputs of a write as one clause: the bound items' `withs` ("the recipient being the
/// owner of that drive") then the `literals` ("a permission of comment"): ", with A, B and C",
/// not ", with A, with B, with C".
fn with_list(mut withs: Vec<String>, literals: Vec<String>) -> String {
    let items = withs.len();
    withs.extend(literals);
    // After a long described item a bare "and" would seem to go on describing it ("the drive
    // whose plan reads plus and edit as the permission"): a comma closes it.
    let n = withs.len();
    let long = n > 1 && n - 2 < items && withs[n - 2].split(' ').count() > 6;
    match withs.pop() {
        Some(last) if long => format!(", with {}, and {last}", withs.join(", ")),
        Some(last) => {
            withs.push(last);
            format!(", with {}", phrase::join_and(withs))
        }
        None => String::new(),
    }
}

/// The action with its "paid from <an account>" slot ("paid from one of the buyer's own open
/// bank accounts") filled with `np`.
fn paid_from(act: &str, np: &str) -> Option<String> {
    let at = act.find("paid from ")? + "paid from ".len();
    let rest = &act[at..];
    let mut end = 0;
    for (n, w) in rest.split(' ').enumerate() {
        end += w.len() + usize::from(n > 0);
        if w == "account" || w == "accounts" {
            return Some(format!("{}{np}{}", &act[..at], &rest[end..]));
        }
        if n >= 7 {
            break;
        }
    }
    None
}

/// Puts a [`role_clause`] into the action, or its body into `withs` when it is a ", with ..."
/// clause (said later in one list).
fn with_or_push(act: &mut String, withs: &mut Vec<String>, clause: &str) {
    match clause.strip_prefix(", with ") {
        Some(body) => withs.push(body.to_string()),
        None => act.push_str(clause),
    }
}

/// [`being`] after the action: ", with the recipient being {np}", but " to {np}" for a
/// direction role (no comma before "to the account ...").
fn role_clause(role: &str, np: &str) -> String {
    let sep = if direction(role).is_some() { " " } else { ", " };
    format!("{sep}{}", being(said_role(role), np))
}

/// The preposition a tool's description puts before an item of kind `noun` ("Move a parcel
/// ... to another depot": "to"), if it puts one of "to", "into", "onto".
fn described_direction(description: &str, noun: &str) -> Option<&'static str> {
    let d = description.to_lowercase();
    ["to", "into", "onto"].into_iter().find(|p| {
        ["a", "an", "another", "the", "a new", "a different"]
            .iter()
            .any(|a| d.contains(&format!(" {p} {a} {noun}")))
    })
}

/// The direction word of a role named by it ("from" of "from account", "to" of "to account").
fn direction(role: &str) -> Option<&str> {
    role.split_once(' ')
        .map(|(p, _)| p)
        .filter(|p| matches!(*p, "from" | "to" | "into"))
}

/// A role as a person would say it: "recipient" for "recipient contact" (a role word before
/// "contact" names the person already), other roles unchanged.
fn said_role(role: &str) -> &str {
    match role.strip_suffix(" contact") {
        Some(r) if st::is_person_role(r.rsplit(' ').next().unwrap_or(r)) => r,
        // "reader conversation participant": the reader (its kind is said by the phrase).
        _ => match role.split_once(' ') {
            Some((first, rest))
                if rest.contains(' ') && first.len() > 3 && st::is_person_role(first) =>
            {
                first
            }
            _ => role,
        },
    }
}

/// The action with dated clause `d` ("to be sent on 7 July") put where the action already says
/// its verb ("a message to be sent to ..." -> "a message to be sent on 7 July to ..."); None when
/// the action does not say it.
fn within_action(act: &str, d: &str) -> Option<String> {
    let (verb, _) = [" on ", " at ", " by "]
        .iter()
        .find_map(|p| d.split_once(p))?;
    if !verb.starts_with("to be ") {
        return None;
    }
    let at = act.find(&format!("{verb} "))? + verb.len();
    Some(format!("{}{}{}", &act[..at], &d[verb.len()..], &act[at..]))
}

/// "expires on X" as "expiring on X" (a verb in -s before on/at/by), "send on X" as "to be
/// sent on X" (a bare verb); other clauses unchanged.
fn gerund_dated(l: &str) -> String {
    let mut w = l.splitn(3, ' ');
    let (Some(verb), Some(prep), Some(rest)) = (w.next(), w.next(), w.next()) else {
        return l.to_string();
    };
    if !matches!(prep, "on" | "at" | "by") {
        return l.to_string();
    }
    if let Some(done) = lexicon::past(verb).filter(|_| !phrase::is_participle(verb)) {
        return format!("to be {done} {prep} {rest}");
    }
    let verb_s = verb.len() > 3 && verb.ends_with('s') && !verb.ends_with("ss");
    if !verb_s {
        return l.to_string();
    }
    let stem = &verb[..verb.len() - 1];
    let stem = match stem.strip_suffix('e') {
        Some(s) if !stem.ends_with("ee") => s,
        _ => stem,
    };
    format!("{stem}ing {prep} {rest}")
}

/// Words that start a qualifier after a noun ("the order *whose* status ...").
const QUALIFIER_STARTS: &[&str] = &[
    "whose",
    "with",
    "where",
    "that",
    "that's",
    "which",
    "of",
    "belonging",
    "linked",
    "named",
    "called",
    "titled",
    "by",
    "in",
    "based",
    "located",
    "over",
    "having",
    "without",
    "marked",
    "for",
    "who",
    "listed",
    "known",
    "going",
    "under",
    "tied",
    "associated",
    "attached",
    "connected",
    "situated",
    "found",
    "out",
    "holding",
    "shows",
    "carrying",
    "showing",
    "recorded",
    "related",
    "labelled",
    "entitled",
    "somewhere",
    "down",
    "bound",
    "falls",
    "goes",
    "serves",
    "happens",
];

/// Verbs whose "a <noun>" is a new item, not one described elsewhere.
const NEW_VERBS: &[&str] = &[
    "create", "add", "make", "open", "register", "book", "issue", "start", "upload", "draft",
    "log", "file", "request", "schedule", "save", "record", "post", "send", "submit", "write",
    "place", "put", "set", "generate", "raise", "report", "new", "build", "buy", "order",
];

/// The action with its object replaced by `np` when `np` describes that same object: "look up
/// the order" + "the order whose status is delivered" gives "look up the order whose status is
/// delivered" (never "the order line ..." for "the order").
fn merged(act: &str, np: &str) -> Option<String> {
    // "activate a payment plan" + "that same bill payment plan" is "activate that same bill
    // payment plan", not "activate a payment plan for that same bill payment plan".
    // "as one of its active participants" + "that same conversation participant" (or "the
    // conversation participant with role X"): "as that same conversation participant".
    if let Some((front, kinds)) = act.rsplit_once(" one of its ") {
        let last = kinds.rsplit(' ').next().map(singular).unwrap_or_default();
        let head: Vec<&str> = np.split(' ').skip(1).take(3).collect();
        let described = np.starts_with("the ") || np.starts_with("that same ");
        if described && !last.is_empty() && head.contains(&last.as_str()) {
            return Some(format!("{front} {np}"));
        }
    }
    if let Some(noun) = np.strip_prefix("that same ") {
        // "as one of its active participants" + "that same conversation participant": "as
        // that same conversation participant".
        if let Some((front, kinds)) = act.rsplit_once(" one of its ") {
            let last = kinds.rsplit(' ').next().map(singular).unwrap_or_default();
            if !last.is_empty() && noun.rsplit(' ').next() == Some(last.as_str()) {
                return Some(format!("{front} {np}"));
            }
        }
        let (front, object) = act
            .rsplit_once(" the ")
            .or_else(|| act.rsplit_once(" a "))
            .or_else(|| act.rsplit_once(" an "))?;
        let object = object.replace('-', " ");
        let makes = NEW_VERBS.contains(&front.split(' ').next().unwrap_or(""));
        let longer = if noun.ends_with(&format!(" {object}")) || noun == object {
            noun
        } else if object.ends_with(&format!(" {noun}")) {
            object.as_str()
        } else {
            return None;
        };
        return (!makes).then(|| format!("{front} that same {longer}"));
    }
    let words: Vec<&str> = np.split(' ').collect();
    if words.first() != Some(&"the") {
        return None;
    }
    // The action's object: what follows its last "the" ("edit the file share link"), or its
    // last "a" ("refund a send-credit purchase"), which the description then replaces.
    let (object, indefinite) = match act.rsplit_once(" the ") {
        Some((_, o)) => (o.replace('-', " "), None),
        None => {
            let (front, o) = act.rsplit_once(" a ").or_else(|| act.rsplit_once(" an "))?;
            (o.replace('-', " "), Some(front))
        }
    };
    // "renew the loan" + "the Recruitment vendor loan marked overdue": the item's name comes
    // before its noun, and the phrase says which loan ("renew the Recruitment vendor loan
    // marked overdue", not "renew the loan for the Recruitment vendor loan ...").
    if let (None, Some(front)) = (indefinite, act.strip_suffix(&format!(" the {object}"))) {
        let named = words
            .get(1)
            .is_some_and(|w| w.starts_with(char::is_uppercase));
        let at = words
            .iter()
            .skip(2)
            .position(|w| *w == object)
            .map(|i| i + 2);
        if let (true, Some(j)) = (named && !object.contains(' '), at) {
            let ends = words.get(j + 1).is_none_or(|next| {
                QUALIFIER_STARTS.contains(next)
                    || (next.len() > 4 && next.ends_with("ed"))
                    || matches!(*next, "for" | "of" | "that" | "with")
            });
            if ends {
                return Some(format!("{front} {np}"));
            }
        }
    }
    (2..words.len()).rev().find_map(|k| {
        // (Hyphens read as spaces on both sides: "send-credit purchase", "contact follow-up".)
        let said_head = words[1..k].join(" ");
        let head = said_head.replace('-', " ");
        let next = words[k];
        // A participle qualifies too: "the shift assignment assigned on ...".
        let participle = (next.len() > 4 && next.ends_with("ed"))
            || matches!(next, "given" | "made" | "sent" | "paid" | "held" | "due");
        // "the file share link" is described by "the share link that ...": its last words.
        let same = object == head || object.ends_with(&format!(" {head}"));
        // "the loan not marked overdue": a negated participle.
        let qualifies = QUALIFIER_STARTS.contains(&next) || participle || next == "not";
        // "refund a send-credit purchase" + "the send credit purchase purchased on ...":
        // "refund the send credit purchase purchased on ...".
        // A verb that makes a new one ("create a share link") is not about the one described.
        if let Some(front) = indefinite {
            let makes = NEW_VERBS.contains(&front.split(' ').next().unwrap_or(""));
            // "cancel an active or frozen membership" + "the gym membership holding ...":
            // states the tool accepts, then the noun of the item described ("cancel the gym
            // membership holding ...", not "... membership for the gym membership ...").
            // "unfreeze a frozen membership" + "the gym membership for which ...": the same
            // kind of item (one head noun), said with the words the tool's description gave it.
            let same_head = object.rsplit(' ').next() == head.rsplit(' ').next()
                && head.split(' ').count() <= 3;
            let stated = same_head && (object.contains(" or ") || object.split(' ').count() <= 3);
            return ((same && object == head) || stated)
                .then_some(())
                .filter(|()| qualifies && !makes)
                .map(|()| format!("{front} {np}"));
        }
        // "the owner of that same drive" needs no "of that file" after it: the drive is named
        // already (the grounding check rejects the round if it is another drive).
        if same && object.ends_with(&format!("that same {head}")) {
            return Some(act.to_string());
        }
        if same && qualifies {
            // "paying the fee from a bank account" + "the account that paid for ...": the
            // qualifier picks one, so "from the bank account that paid for ...".
            let mut act = act.to_string();
            let article = [" a ", " an "]
                .iter()
                .filter_map(|a| act.rfind(a).map(|i| (i, a.len())))
                .max();
            if let Some((i, n)) = article {
                let after = act[i + n..].split(' ').count();
                if after <= 3
                    && act.ends_with(&format!(" {}", head.rsplit(' ').next().unwrap_or("")))
                {
                    // "keep a given contact" names one: "keep the contact ...".
                    let end = if act[i + n..].starts_with("given ") {
                        i + n + "given ".len()
                    } else {
                        i + n
                    };
                    act.replace_range(i..end, " the ");
                }
            }
            return Some(format!("{act} {}", words[k..].join(" ")));
        }
        // "cancel the shift assignment" + "the assigned shift assignment tied to ...": "cancel
        // the assigned shift assignment tied to ...".
        let state_of = head.split_once(' ').filter(|(a, rest)| {
            *rest == object && status_adjective("status", &Value::String(a.to_string())).is_some()
        });
        if let (Some(_), None, true) = (state_of, indefinite, qualifies) {
            let (front, _) = act.rsplit_once(" the ")?;
            return Some(format!("{front} the {said_head} {}", words[k..].join(" ")));
        }
        // "mark the stay as a no-show" + "the stay of the review ...": the qualifier goes
        // after the object, before the rest of the action.
        // "hand the shipment to the carrier" + "the order shipment linked to ...": the
        // longer of the two nouns ("hand the order shipment linked to ... to the carrier").
        if !qualifies {
            return None;
        }
        let last = head.rsplit(' ').next().unwrap_or(&head);
        let (at, len, noun) = act.match_indices(" the ").find_map(|(i, _)| {
            let noun: Vec<&str> = act[i + 5..]
                .split(' ')
                .take_while(|x| *x != "as" && !PLACES.contains(x))
                .collect();
            let noun = noun.join(" ");
            // "the chat message read", "the shipment delivered": the noun, then the state it
            // is marked with (which stays in the rest).
            let n = match noun.rsplit_once(' ') {
                Some((n, state)) if is_state(state) => n,
                _ => noun.as_str(),
            };
            let bare = n.replace('-', " ");
            let longer = if bare == head || bare.ends_with(&format!(" {head}")) {
                n
            } else if bare == last && head.ends_with(&format!(" {bare}")) {
                said_head.as_str()
            } else {
                return None;
            };
            Some((i, 5 + n.len(), longer.to_string()))
        })?;
        let (front, rest) = (&act[..at], &act[at + len..]);
        let after = rest.trim_start().split(' ').next().unwrap_or("");
        let qualifier = words[k..].join(" ");
        // "mark the chat message read" + "the chat message whose body is X": "mark the chat
        // message whose body is X as read" (the state after a long phrase takes "as").
        let state = rest.trim();
        if is_state(state) {
            return Some(format!("{front} the {noun} {qualifier} as {state}"));
        }
        (after == "as" || PLACES.contains(&after))
            .then(|| format!("{front} the {noun} {qualifier}{rest}"))
    })
}

/// Whether a word is a state an item is marked with ("delivered", "read").
fn is_state(w: &str) -> bool {
    phrase::is_participle(w) || w == "read"
}

/// Whether a noun phrase says the role it fills: its head is a word of the role ("the doctor
/// X" as "gp doctor", "the payer account of ..." as "payer account") or names its kind.
fn names_role(role: &str, np: &str) -> bool {
    let head = np
        .strip_prefix("the ")
        .or_else(|| np.strip_prefix("that same "))
        .unwrap_or(np);
    let first = head.split(' ').next().unwrap_or("");
    // "the contact who teaches ..." is a contact, not the "emergency contact", and "the account
    // with nickname X" is not the "billing account": the qualifier names the role.
    let kind = ["contact", "account"]
        .into_iter()
        .find(|k| role.ends_with(&format!(" {k}")));
    role.split(' ')
        .filter(|w| Some(*w) != kind)
        .any(|w| w == first)
        || of_kind(head, role)
}

/// "the orders of a buyer" + role "buyer contact" + "the author contact of X": "the orders of
/// the buyer who is the author contact of X" (not "the orders of a buyer for the author ...").
fn apposed(act: &str, role: &str, np: &str) -> Option<String> {
    let first_word = role.split(' ').next().unwrap_or(role);
    let person = role.ends_with(" contact");
    if !np.starts_with("the ") || (role.contains(' ') && !person) {
        return None;
    }
    let stem = [" a ", " an "]
        .iter()
        .find_map(|a| act.strip_suffix(&format!("{a}{first_word}")))?;
    // "the stays of a guest" + "the guest of the booking X": "the stays of the guest of the
    // booking X", not "of the guest that is the guest of ...".
    if np.starts_with(&format!("the {first_word} ")) {
        return Some(format!("{stem} {np}"));
    }
    let who = if person { "who" } else { "that" };
    Some(format!("{stem} the {first_word} {who} is {np}"))
}

/// Words that never end a noun compound ("the card *of* the card").
const NOT_NOUN: &[&str] = &[
    "of", "for", "to", "with", "that", "which", "who", "whose", "where", "is", "are", "being",
    "the", "a", "an", "and", "or", "on", "in", "at", "by", "from", "same", "as",
];

/// "the card limit for the card" says the owner twice: the compound drops its first word when
/// an owning connective ([`lexicon::OWNED`], "on", "at") follows and names that word again.
pub fn compact_compounds(q: &str) -> String {
    let words: Vec<&str> = q.split(' ').collect();
    let plain = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase());
    /// A word without the punctuation that closes a clause after it.
    fn bare(w: &str) -> &str {
        w.trim_end_matches([',', '.', '?', '!', ';'])
    }
    let mut drop = vec![false; words.len()];
    for i in 0..words.len() {
        if words[i] != "the" || !words.get(i + 1).is_some_and(|a| plain(a)) {
            continue;
        }
        let a = words[i + 1];
        // One or two more words make the compound ("the file share link for the file").
        for len in 1..=2 {
            let b = &words[(i + 2).min(words.len())..(i + 2 + len).min(words.len())];
            if b.len() < len || !b.iter().all(|w| plain(w) && !NOT_NOUN.contains(w)) {
                break;
            }
            let rest = &words[i + 2 + len..];
            let owned = lexicon::OWNED.iter().chain(&["on", "at"]).find(|c| {
                let c: Vec<&str> = c.split(' ').collect();
                let (n, owner) = (c.len(), rest.get(c.len() + 1).copied().unwrap_or(""));
                // The owner is the word itself, not a compound of it ("the hotel review").
                let whole = owner != a
                    || rest.get(n + 2).map(|w| bare(w)).is_none_or(|next| {
                        !plain(next) || NOT_NOUN.contains(&next) || QUALIFIER_STARTS.contains(&next)
                    });
                rest.len() > n + 1
                    && rest[..n] == c[..]
                    && rest[n] == "the"
                    && bare(owner) == a
                    && whole
            });
            if owned.is_some() {
                drop[i + 1] = true;
                break;
            }
        }
    }
    words
        .iter()
        .zip(&drop)
        .filter(|(_, d)| !**d)
        .map(|(w, _)| *w)
        .collect::<Vec<_>>()
        .join(" ")
}

/// An item described in full inside a phrase that the sentence puts after the item's "that
/// same" mention ("from the payer account of that same booking to the payee for the payer
/// account of the booking X") is described at its first mention and "that same" later.
fn described_before_same(mut q: String, described: &[(String, String)]) -> String {
    if !q.contains("that same ") {
        return q;
    }
    for (noun, np) in described {
        // Only a phrase that says more than its noun.
        if np.split(' ').count() < noun.split(' ').count() + 3 {
            continue;
        }
        let same = format!("that same {noun}");
        let Some(s) = q
            .match_indices(same.as_str())
            .map(|(i, _)| i)
            .find(|&i| !q[i + same.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '-'))
        else {
            continue;
        };
        if let Some(f) = q.find(np.as_str()).filter(|&f| s + same.len() <= f) {
            q = format!(
                "{}{np}{}{same}{}",
                &q[..s],
                &q[s + same.len()..f],
                &q[f + np.len()..]
            );
        }
    }
    q
}

/// "that same product" where no product was named before (an item rendered inside an earlier
/// phrase but described later in the sentence) says "the product". Within one round only: in a
/// later round "that same X" refers back to an earlier one.
fn no_forward_same(q: &str) -> String {
    let mut out = String::with_capacity(q.len());
    let mut rest = q;
    while let Some(i) = rest.find("that same ") {
        let after = &rest[i + "that same ".len()..];
        let noun = after
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .next()
            .unwrap_or("");
        let before = format!("{out}{}", &rest[..i]).to_lowercase();
        let named = before
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .any(|w| w == noun);
        // Only when the item is described later ("... the product whose sku is X"): an item
        // an earlier step made may be named by another word ("send a message", "delete that
        // same chat message").
        let words: Vec<&str> = after.split(' ').skip(1).collect();
        let described_later = words
            .windows(3)
            .any(|w| w[0] == "the" && (w[1] == noun || w[2] == noun));
        out.push_str(&rest[..i]);
        let forward = !named && described_later && !noun.is_empty();
        // An item an earlier step made under another name ("suggest paying the bill, then
        // activate that same bill payment plan"): its head noun was never said, so it is
        // "the new bill payment plan".
        let head = {
            let mut last = "";
            for w in after.split(' ') {
                let bare = w.trim_end_matches(CLAUSE_ENDS);
                if bare.is_empty() || after_noun(bare) {
                    break;
                }
                last = bare;
                if bare.len() < w.len() {
                    break;
                }
            }
            last
        };
        let made_unnamed = !forward
            && !head.is_empty()
            && !before
                .split(|c: char| !c.is_alphanumeric() && c != '-')
                .any(|w| w == head || (w.len() >= 4 && head.starts_with(w)));
        out.push_str(if forward {
            "the "
        } else if made_unnamed {
            "the new "
        } else {
            "that same "
        });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Marks of a qualifier that ties an item to one described before: `{open}{noun}{mid}{qualifier}{close}`.
const ANCHOR_OPEN: char = '\u{2}';
const ANCHOR_MID: char = '\u{4}';
const ANCHOR_CLOSE: char = '\u{3}';

/// Keeps each marked anchor qualifier ("the book hold *for that same book title*") where its
/// noun was said earlier in the text, and drops it where the noun only comes later (a "that
/// same" before its item is a forward reference a reader cannot follow).
fn settle_anchors(q: &str) -> String {
    let mut out = String::with_capacity(q.len());
    let mut rest = q;
    while let Some(i) = rest.find(ANCHOR_OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + ANCHOR_OPEN.len_utf8()..];
        let (Some(m), Some(c)) = (after.find(ANCHOR_MID), after.find(ANCHOR_CLOSE)) else {
            rest = after;
            continue;
        };
        if m > c {
            rest = after;
            continue;
        }
        let noun = &after[..m];
        let qual = &after[m + ANCHOR_MID.len_utf8()..c];
        if said_as_noun(&out, noun) {
            out.push_str(qual);
        } else if out.ends_with(' ') {
            out.pop();
        }
        rest = &after[c + ANCHOR_CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    out.replace([ANCHOR_OPEN, ANCHOR_MID, ANCHOR_CLOSE], "")
}

/// Whether `text` names a `noun` as a whole noun ("the meeting whose ...", "the meeting,"),
/// not as the first half of a longer one ("the meeting attachment").
fn said_as_noun(text: &str, noun: &str) -> bool {
    noun_after(text, noun, &["the", "a", "an", "same", "that"])
}

/// Whether `text` has `noun` as a whole noun right after one of `dets`.
fn noun_after(text: &str, noun: &str, dets: &[&str]) -> bool {
    let lc = text.to_lowercase();
    let words: Vec<&str> = lc.split(' ').collect();
    let n: Vec<&str> = noun.split(' ').collect();
    (1..words.len().saturating_sub(n.len() - 1)).any(|i| {
        let at = &words[i..i + n.len()];
        let last = at[n.len() - 1];
        let whole = at[..n.len() - 1] == n[..n.len() - 1]
            && last.trim_end_matches(CLAUSE_ENDS) == n[n.len() - 1];
        let next = words.get(i + n.len()).copied().unwrap_or("");
        whole
            && dets.contains(&words[i - 1])
            && (last.ends_with(CLAUSE_ENDS) || next.is_empty() || after_noun(next) || next == "is")
    })
}

/// How deep in a chain of relations an item is said in a sentence of its own.
const HOIST_DEPTH: usize = 1;

/// Words in a query's longest sentence above which its deepest item is hoisted.
const HOIST_WORDS: usize = 40;

/// Sentences that describe a hoisted item before the request: `{np}` is its phrase. Few
/// words before it, so that no four-word opening recurs.
const LEADS: &[&str] = &[
    "It concerns {np}.",
    "Start from {np}.",
    "It's to do with {np}.",
    "First find {np}.",
    "Take {np}.",
    "Find {np}.",
    "It involves {np}.",
    "Begin with {np}.",
    "Look for {np}.",
];

/// The sentences that may describe a hoisted item before a request (`{np}` its phrase).
pub fn leads() -> &'static [&'static str] {
    LEADS
}

/// Greetings a message may open with: nothing comes before them.
const GREETINGS: &[&str] = &["Hi", "Hey", "Hello", "Good morning"];

/// Openings besides [`GREETINGS`] that only start a message, never follow a sentence.
const AFTER_LEAD_NOT: &[&str] = &[
    "Next up",
    "One more thing",
    "Another request",
    "First thing today",
];

/// Openings that continue a conversation ("One more thing: ..."): a first message has
/// nothing to continue.
const CONTINUING: &[&str] = &["Next up, ", "One more thing: ", "Another request: "];

/// A conversation's first request as it opens: without an opening that continues one
/// ("One more thing: cancel the payment" is "Cancel the payment").
pub fn first_turn(q: &str) -> String {
    for open in CONTINUING {
        if let Some(rest) = q.strip_prefix(open) {
            return crate::maker::capitalize(rest);
        }
    }
    q.to_string()
}

/// Punctuation that ends a clause, and with it a noun phrase.
const CLAUSE_ENDS: [char; 5] = [',', '.', ';', '?', ':'];

/// Whether a word ends the noun before it ("the meeting *whose* ...", "the folder *to* ..."),
/// rather than going on with it ("the meeting *attachment*").
fn after_noun(w: &str) -> bool {
    QUALIFIER_STARTS.contains(&w)
        || matches!(w, "to" | "on" | "at" | "from" | "into" | "and" | "as")
}

/// Writes the query of a made round. `context_tool` names the tool and path an earlier-round
/// input came from.
pub fn write<S: Specs + ?Sized>(
    made: &Made,
    specs: &S,
    context_tool: &dyn Fn(usize) -> Option<String>,
    rng: &mut ChaCha8Rng,
) -> String {
    let (q, could_hoist) = write_as(made, specs, context_tool, rng, false);
    let longest = q
        .split_inclusive(['.', '?', '!'])
        .map(|x| x.split_whitespace().count())
        .max()
        .unwrap_or(0);
    if longest <= HOIST_WORDS || !could_hoist {
        return q;
    }
    // A sentence too long to follow is written again with its deepest item said first,
    // unless "that <noun>" could then mean another item of that kind the request names.
    let (hoisted, _) = write_as(made, specs, context_tool, rng, true);
    if hoisted.is_empty() {
        q
    } else {
        hoisted
    }
}

/// Whether `text` names an item of kind `noun` other than through "that (same) <noun>" ("the
/// employee known as Adele Olsen" beside "the team of that employee").
fn names_other(text: &str, noun: &str) -> bool {
    noun_after(text, noun, &["the", "a", "an", "another"])
}

/// [`write`], with `hoist` allowing the deepest item of a long chain a sentence of its own;
/// also whether an item could have been hoisted. Empty when the hoisted item's "that <noun>"
/// could mean another item the request names.
fn write_as<S: Specs + ?Sized>(
    made: &Made,
    specs: &S,
    context_tool: &dyn Fn(usize) -> Option<String>,
    rng: &mut ChaCha8Rng,
    hoist: bool,
) -> (String, bool) {
    let ctx = |param: &str| -> Option<(String, String)> {
        let (k, path) = made.context_refs.get(param)?;
        Some((context_tool(*k)?, path.clone()))
    };
    let w = Writer {
        view: RoundView::of_made(made),
        specs,
        context: &ctx,
        rng: std::cell::RefCell::new(rng),
        said: std::cell::RefCell::new(Vec::new()),
        leads: std::cell::RefCell::new(Vec::new()),
        connectives: std::cell::RefCell::new(Vec::new()),
        nouns: std::cell::RefCell::new(Vec::new()),
        dropped: std::cell::RefCell::new(Vec::new()),
        hoisted: std::cell::RefCell::new(None),
        hoist,
        could_hoist: std::cell::Cell::new(false),
        described: std::cell::RefCell::new(Vec::new()),
    };
    let Some(last) = made.gold.len().checked_sub(1) else {
        return (String::new(), false);
    };
    // Steps that change something are asked for, in order ("create a folder ..., upload a
    // file ... to that same folder, and then list ..."): a request never hides a change.
    let mut clauses: Vec<String> = Vec::new();
    for k in 0..last {
        if !crate::item::asked_step(&made.gold[k].name) {
            continue;
        }
        clauses.push(call_phrase(&w, made, specs, k));
        // Later mentions of what this step made say "that same <noun>".
        w.said.borrow_mut().push(format!("{k}||"));
    }
    clauses.push(call_phrase(&w, made, specs, last));
    let n = clauses.len();
    let words: usize = clauses.iter().map(|c| c.split(' ').count()).sum();
    // Three steps, or two long ones, are half the time separate sentences ("Could you ...?
    // After that, ... Finally, ..."), as people write a list of things to do; a very long
    // request always is (one sentence of 60 words loses the reader).
    let sentences =
        (n >= 3 || (n == 2 && words > 40)) && (w.vary().is_multiple_of(2) || words > 60);
    let (act, later) = if sentences {
        const SEP: char = '\u{5}';
        let joined = settle_anchors(&clauses.join(&SEP.to_string()));
        let mut parts = joined.split(SEP).map(str::to_string);
        let first = parts.next().unwrap_or_default();
        let rest: Vec<String> = parts.collect();
        let k = w.vary();
        let last = rest.len().saturating_sub(1);
        let later: Vec<String> = rest
            .iter()
            .enumerate()
            .map(|(i, c)| lexicon::next_sentence(c, k + i, i == last))
            .collect();
        (first, later)
    } else {
        let act = match n {
            1 => clauses.remove(0),
            n => lexicon::then(&clauses[..n - 1].join(", "), &clauses[n - 1], w.vary()),
        };
        (settle_anchors(&act), Vec::new())
    };
    let mut rng = w.rng.borrow_mut();
    let (open, close) = if rng.random_bool(BARE_SHARE) {
        ("{a}", ".")
    } else {
        PLANS
            .choose(&mut **rng)
            .copied()
            .unwrap_or(("Please {a}", "."))
    };
    let hoisted = w.hoisted.borrow_mut().take();
    if let Some((_, noun)) = &hoisted {
        if names_other(&act, noun) || later.iter().any(|s| names_other(s, noun)) {
            return (String::new(), false);
        }
    }
    let hoisted = hoisted.map(|(np, _)| np);
    // After a sentence about the item, a greeting or "next up" no longer opens the message.
    let (open, close) = match &hoisted {
        Some(_)
            if GREETINGS
                .iter()
                .chain(AFTER_LEAD_NOT)
                .any(|g| open.starts_with(g)) =>
        {
            ("{a}", ".")
        }
        _ => (open, close),
    };
    let mut q = fill(open, &act);
    q.push_str(close);
    if let Some(np) = hoisted {
        let lead = LEADS[rng.random_range(0..LEADS.len())].replace("{np}", &np);
        q = format!("{lead} {q}");
    }
    for sentence in &later {
        q.push(' ');
        q.push_str(sentence);
    }
    if made.context_inputs.is_empty() {
        q = described_before_same(q, &w.described.borrow());
        q = no_forward_same(&q);
    }
    let mut codes: Vec<(&str, &Value)> = Vec::new();
    for k in 0..last {
        if lexicon::grants_access(&w.view.gold[k].name) {
            for c in w.view.credential_inputs(k) {
                if !codes.contains(&c) && (w.context)(c.0).is_none() {
                    codes.push(c);
                }
            }
        }
    }
    // A login of many fields is one sentence, not six.
    if codes.len() > 2 {
        let parts: Vec<String> = codes
            .iter()
            .map(|(p, v)| format!("{} {}", phrase::label(p), value_text(v)))
            .collect();
        let all = phrase::join_and(parts);
        let said = match rng.random_range(0..3) {
            0 => format!(" My login details: {all}."),
            1 => format!(" To sign in, use {all}."),
            _ => format!(" For the login, use {all}."),
        };
        q.push_str(&said);
        codes.clear();
    }
    for (param, v) in codes {
        let l = phrase::label(param);
        let t = value_text(v);
        let said = match rng.random_range(0..7) {
            0 => format!(" My {l} is {t}."),
            1 => format!(" The {l} is {t}."),
            2 => format!(" You'll need the {l}: {t}."),
            3 => format!(" Use {l} {t} to authorize."),
            4 => format!(" {}: {t}.", crate::maker::capitalize(&l)),
            5 => format!(" Here's the {l}: {t}."),
            _ => format!(" For the authorization, the {l} is {t}."),
        };
        q.push_str(&said);
    }
    // A person says "water stain", not "water_stain": the agent maps it back to the enum.
    let mut enums = BTreeSet::new();
    for g in &made.gold {
        if let Some(spec) = specs.spec(&g.name) {
            enum_words(&spec.parameters, &mut enums);
            if let Some(r) = &spec.returns {
                enum_words(r, &mut enums);
            }
        }
    }
    for e in enums.iter().filter(|e| is_snake_word(e)) {
        q = replace_word(&q, e, &e.replace('_', " "));
    }
    // "by SMS", not "by sms".
    for e in enums.iter().filter(|e| phrase::is_initialism(e)) {
        q = replace_word(&q, e, &e.to_ascii_uppercase());
    }
    // "the limit for the card", not "the card limit for the card"; kept whole where the
    // compound is the noun that names a hop of the chain.
    let compact = compact_compounds(&q);
    if compact != q
        && missing_relation(w.view, &compact.to_lowercase(), specs).is_none()
        && missing_relation(w.view, &q.to_lowercase(), specs).is_none()
    {
        q = compact;
    }
    if rng.random_bool(0.12) {
        if let Some(c) = CONTEXT.choose(&mut **rng) {
            // A greeting opens the message and a thank-you closes it: neither has an aside
            // on the wrong side.
            let greets = GREETINGS
                .iter()
                .chain(AFTER_LEAD_NOT)
                .any(|g| q.starts_with(g));
            let closing = [
                "Thanks",
                "Cheers",
                "Appreciate",
                "Let me know",
                "I'll double-check",
            ]
            .iter()
            .any(|x| c.starts_with(x));
            q = if rng.random_bool(0.5) && !greets && !closing {
                format!("{c} {q}")
            } else {
                format!("{q} {c}")
            };
        }
    }
    // People often end a request with a word of thanks (few of the asides above do): three
    // requests in ten; one sign-off at most.
    if split_closing(&q).is_none() && rng.random_bool(0.3) {
        if let Some(c) = SIGN_OFFS.choose(&mut **rng) {
            q = format!("{q} {c}");
        }
    }
    let could = w.could_hoist.get();
    (q, could)
}

/// Whether a value is lowercase words joined by underscores (`water_stain`), the way enum
/// values are written and people never write.
/// Whether `s` is an enum-like value in snake case (`damp_wall`), said as words.
pub fn is_snake_word(s: &str) -> bool {
    // "16_plus" is words too (a number first); "draft_2026" is a name and "tk_f337eb" a code.
    s.contains('_')
        && s.split('_').enumerate().all(|(i, w)| {
            !w.is_empty()
                && (w.chars().all(|c| c.is_ascii_lowercase())
                    || (i == 0 && w.chars().all(|c| c.is_ascii_digit())))
        })
        && s.chars().any(|c| c.is_ascii_lowercase())
}

/// `text` with every whole-word `word` replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let part = |c: char| c.is_alphanumeric() || c == '_';
    while let Some(i) = rest.find(word) {
        let end = i + word.len();
        let before = rest[..i].chars().next_back().is_none_or(|c| !part(c));
        let after = rest[end..].chars().next().is_none_or(|c| !part(c));
        out.push_str(&rest[..i]);
        out.push_str(if before && after { with } else { word });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// An adjective with a bound ("valid_until", "available_from") as the date it names
/// ("valid-until date"): the field is a date to set or compare, not a range of "valid".
fn bound_adjective(field: &str) -> Option<String> {
    let (adj, bound) = field.rsplit_once('_')?;
    let adjective = matches!(
        adj,
        "valid" | "available" | "effective" | "active" | "open" | "free" | "blocked" | "booked"
    );
    let bounds = matches!(
        bound,
        "until" | "from" | "to" | "since" | "after" | "before"
    );
    (adjective && bounds).then(|| format!("{adj}-{bound} date"))
}

/// A literal argument of the target as a clause after "with".
/// The name an input is said by: its own, or where that ends in a bare letter or number
/// (`a`, `cityA`, `file_name1`, `top_k`) the noun its description gives ("The zipcode of the
/// first city." -> "zipcode of the first city"), which a person can follow.
pub(crate) fn spoken_field(spec: &ToolSpec, arg: &str) -> String {
    let last = phrase::words(arg).pop().unwrap_or_default();
    let cryptic = last.len() == 1 || last.ends_with(|c: char| c.is_ascii_digit());
    let schema = spec.parameters.get("properties").and_then(|p| p.get(arg));
    let flag = schema.and_then(|s| s.get("type")).and_then(Value::as_str) == Some("boolean");
    let description = schema
        .and_then(|s| s.get("description"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let first = description
        .split(['.', ',', ';', '('])
        .next()
        .unwrap_or("")
        .trim();
    let lower = first.to_lowercase();
    let mut words: Vec<&str> = lower
        .split_whitespace()
        .skip_while(|w| matches!(*w, "the" | "a" | "an"))
        .collect();
    // "name of the first file in current directory" -> "name of the first file".
    if words.len() > 5 {
        if let Some(cut) =
            (2..words.len()).find(|&i| matches!(words[i], "in" | "to" | "for" | "from"))
        {
            words.truncate(cut);
        }
    }
    let said = !words.is_empty()
        && words.len() <= 6
        && !lexicon::is_common_verb(words[0])
        && words
            .iter()
            .all(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    // Spaces, not underscores: "number to subtract from" is no `_from` bound.
    if cryptic && !flag && said {
        words.join(" ")
    } else {
        arg.to_string()
    }
}

/// A flag with a one-letter name said by what its description says it does: `a` described
/// "Show hidden files and directories" is "showing hidden files and directories" when set and
/// "without showing hidden files and directories" when not. None for other inputs, or when the
/// description does not start with a verb.
fn flag_said(spec: &ToolSpec, arg: &str, v: &Value) -> Option<String> {
    let on = v.as_bool()?;
    let last = phrase::words(arg).pop().unwrap_or_default();
    if !(last.len() == 1 || last.ends_with(|c: char| c.is_ascii_digit())) {
        return None;
    }
    let description = spec
        .parameters
        .get("properties")?
        .get(arg)?
        .get("description")?
        .as_str()?;
    let first = description.split(['.', ',', ';', '(']).next()?.trim();
    let words: Vec<String> = first.split_whitespace().map(str::to_lowercase).collect();
    let (verb, rest) = words.split_first()?;
    let verb = lexicon::imperative(verb)?;
    let plain = rest
        .iter()
        .all(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if rest.is_empty() || rest.len() > 6 || !plain {
        return None;
    }
    let doing = format!("{} {}", gerund(&verb), rest.join(" "));
    Some(if on {
        doing
    } else {
        format!("without {doing}")
    })
}

/// "show" -> "showing", "include" -> "including", "run" -> "running".
fn gerund(verb: &str) -> String {
    let b = verb.as_bytes();
    let vowel = |c: u8| b"aeiou".contains(&c);
    if let Some(stem) = verb.strip_suffix('e').filter(|_| !verb.ends_with("ee")) {
        return format!("{stem}ing");
    }
    // One syllable ending consonant-vowel-consonant doubles its last letter.
    let n = b.len();
    if n == 3 && !vowel(b[0]) && vowel(b[1]) && !vowel(b[2]) && !b"wxy".contains(&b[2]) {
        return format!("{verb}{}ing", char::from(b[2]));
    }
    format!("{verb}ing")
}

/// "from Pau", "to feet": an input that is where something starts or ends, not a bound
/// (`travel_from="Pau"`, `unit_out="feet"`); None for numbers, dates and other fields.
fn end_of(field: &str, v: &Value, t: &str) -> Option<String> {
    let orderable = v.is_number()
        || v.as_str().is_some_and(|s| {
            phrase::date_forms(s).is_some() || s.starts_with(|c: char| c.is_ascii_digit())
        });
    if orderable {
        return None;
    }
    let from = field.ends_with("_from")
        || matches!(
            field,
            "unit_in" | "from_unit" | "source_unit" | "from_currency"
        );
    let to = field.ends_with("_to")
        || matches!(
            field,
            "unit_out" | "to_unit" | "target_unit" | "to_currency"
        );
    match (from, to) {
        (true, _) => Some(format!("from {t}")),
        (_, true) => Some(format!("to {t}")),
        _ => None,
    }
}

fn literal_clause(arg: &str, v: &Value, rng: &mut ChaCha8Rng) -> String {
    let l = phrase::label(arg);
    let t = said_text_as(v, rng.random_range(0..6));
    if let Some(end) = end_of(arg, v, &t) {
        return end;
    }
    if let Some(d) = bound_adjective(arg) {
        return match rng.random_range(0..2) {
            0 => format!("{} {d} of {t}", article(&d)),
            _ => format!("the {d} set to {t}"),
        };
    }
    // "opened on 2026-04-30", never "an opened on of 2026-04-30".
    let dated = ["_on", "_at", "_by"].iter().any(|x| arg.ends_with(x));
    if bounded(arg) || dated {
        return attribute(arg, v, rng.random_range(0..6))
            .trim_start_matches("with ")
            .trim_start_matches("having ")
            .trim_start_matches("that ")
            .trim_start_matches("which ")
            .to_string();
    }
    // A PIN or password is given, never "set to" (that would change it).
    let secret = arg
        .split('_')
        .any(|w| matches!(w, "pin" | "password" | "passcode" | "secret"))
        || arg == "manager_code";
    if secret {
        return match rng.random_range(0..3) {
            0 => format!("{l} {t}"),
            1 => format!("{t} as the {l}"),
            _ => format!("{} {l} of {t}", article(&l)),
        };
    }
    if let Some((q, unit)) = unit_label(&l).filter(|_| v.is_number()) {
        return match rng.random_range(0..3) {
            0 => format!("{} {q} of {t} {unit}", article(q)),
            1 => format!("the {q} set to {t} {unit}"),
            _ => format!("{t} {unit} as the {q}"),
        };
    }
    // An input is said after "with": "unisex turned on", not "is unisex turned on".
    let l = match (l.strip_prefix("is "), v) {
        (Some(rest), Value::Bool(_)) => rest.to_string(),
        _ => l,
    };
    match v {
        Value::Bool(true) => format!("{l} turned on"),
        Value::Bool(false) => format!("{l} turned off"),
        // A count of a plural noun: "with 18 months", never "with a months of 18".
        // "with 9 passengers", never "with the passengers set to 9".
        Value::Number(_) if plural_label(&l) => count_of(&t, &l),
        // "with item IDs A and B": a list after its label, or the next input's values would
        // seem to continue it ("with A and B and C and D as the new item IDs").
        Value::Array(_) => match rng.random_range(0..6) {
            0 => format!("the {l} set to {t}"),
            _ => format!("{l} {t}"),
        },
        // "the X set to" is the longest way: one time in six.
        _ => match rng.random_range(0..6) {
            0 => format!("the {l} set to {t}"),
            1 | 4 => format!("{l} {t}"),
            2 => format!("{t} as the {l}"),
            _ if plural_label(&l) => format!("{t} as the {l}"),
            _ => format!("{} {l} of {t}", article(&l)),
        },
    }
}

/// Intermediate values of a made round: arguments that come from earlier steps' results.
pub fn intermediate_values(made: &Made) -> BTreeSet<String> {
    bound_values(&made.tool.implementation, &made.gold)
}

/// Arguments of the gold calls that are bound to earlier steps (not to inputs).
fn bound_values(steps: &[AdvancedStep], gold: &[GoldCall]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (step, g) in steps.iter().zip(gold) {
        for (arg, b) in &step.bindings {
            if !matches!(b, Binding::Input { .. }) {
                if let Some(v) = g.arguments.get(arg) {
                    out.insert(value_text(v));
                }
            }
        }
    }
    out
}

/// Whether `text` states `v`: the value's text as a whole word (case-insensitive); a boolean is
/// stated by its parameter's label.
pub fn states(text_lc: &str, v: &Value, param: &str) -> bool {
    match v {
        Value::Bool(_) => return states_flag(text_lc, param),
        // A list or record is stated when each of its parts is.
        Value::Array(a) if !a.is_empty() => return a.iter().all(|x| states(text_lc, x, param)),
        Value::Object(m) if !m.is_empty() => {
            return m.iter().all(|(k, x)| x.is_null() || states(text_lc, x, k))
        }
        _ => {}
    }
    let t = value_text(v).to_lowercase();
    if t.is_empty() {
        return false;
    }
    // "June 5, 2026" states 2026-06-05.
    if let Some(forms) = phrase::date_forms(&t) {
        if forms[1..]
            .iter()
            .any(|f| states(text_lc, &Value::String(f.to_lowercase()), param))
        {
            return true;
        }
    }
    // An enum value said as words ("water stain" for water_stain).
    if is_snake_word(&t) && states(text_lc, &Value::String(t.replace('_', " ")), param) {
        return true;
    }
    let mut from = 0;
    while let Some(pos) = text_lc[from..].find(&t) {
        let at = from + pos;
        let end = at + t.len();
        let b = text_lc.as_bytes();
        let word = |c: u8| c.is_ascii_alphanumeric();
        let before_ok = at == 0 || !word(b[at - 1]) || !word(t.as_bytes()[0]);
        let after_ok = end == b.len()
            || !word(b[end])
            || !t.as_bytes().last().copied().is_some_and(word)
            // "2026-01-02." or "39 kWh" are fine; "390" is not "39".
            ;
        // A number followed by a digit or a decimal point with digits is another number.
        let number_cont = end < b.len()
            && v.is_number()
            && (b[end].is_ascii_digit()
                || (b[end] == b'.' && end + 1 < b.len() && b[end + 1].is_ascii_digit()));
        if before_ok && after_ok && !number_cont {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The checks of a written query: complete (every user-given input is stated), no leak (no
/// intermediate value is), every relation the gold follows is named, and every earlier-round
/// value is referred back to.
pub fn check(made: &Made, query: &str, specs: &(impl Specs + ?Sized)) -> Result<(), QueryReject> {
    let q = query.to_lowercase();
    for (k, v) in &made.inputs {
        if made.context_inputs.contains(k) {
            // An earlier round's token carries over unsaid, as a login does within a round.
            let token = made
                .context_refs
                .get(k)
                .is_some_and(|(_, path)| st::split_path(path).1.ends_with("token"));
            if !token && !ANAPHORA.iter().any(|a| q.contains(a)) {
                return Err(QueryReject {
                    reason: hardgen_core::Reason::ContextUnreferenced,
                    detail: format!(
                        "{k} comes from an earlier round but the query does not refer back to it"
                    ),
                });
            }
            continue;
        }
        if !states(&q, v, k) {
            return Err(QueryReject {
                reason: hardgen_core::Reason::Incomplete,
                detail: format!("{k} = {} is not in the query", value_text(v)),
            });
        }
    }
    for v in intermediate_values(made) {
        if v.len() >= 3
            && (q.contains(&v.to_lowercase()) || states(&q, &Value::String(v.clone()), ""))
        {
            return Err(QueryReject {
                reason: hardgen_core::Reason::Leak,
                detail: format!("intermediate value {v} is in the query"),
            });
        }
    }
    if let Some(p) = grammar_problems(query).into_iter().next() {
        return Err(QueryReject {
            reason: hardgen_core::Reason::Ungrammatical,
            detail: p,
        });
    }
    if let Some(missing) = missing_relation(RoundView::of_made(made), &q, specs) {
        return Err(QueryReject {
            reason: hardgen_core::Reason::RelationMissing,
            detail: missing,
        });
    }
    Ok(())
}

/// The first relation hop of a round whose words the (lowercased) query does not contain.
pub fn missing_relation(
    view: RoundView<'_>,
    q: &str,
    specs: &(impl Specs + ?Sized),
) -> Option<String> {
    for (j, step) in view.steps.iter().enumerate() {
        for (arg, b) in &step.bindings {
            let (k, path) = match b {
                Binding::Step { step, path, .. } | Binding::Select { step, path, .. } => {
                    (*step, path)
                }
                Binding::Input { .. } => continue,
            };
            let Some(spec) = view.gold.get(k).and_then(|g| specs.spec(&g.name)) else {
                return Some(format!("step {k} has no known tool"));
            };
            if let Some(a) = view.credential_step(b) {
                // A token is named by the code it was issued for.
                if let Some((p, _)) = view
                    .credential_inputs(a)
                    .into_iter()
                    .find(|(p, _)| !q.contains(&phrase::label(p).to_lowercase()))
                {
                    return Some(format!(
                        "step {j} takes {arg} from the authorization at step {a} but the query never says the {}",
                        phrase::label(p)
                    ));
                }
                continue;
            }
            let (words, label) = if st::is_own_id(spec, path) {
                (st::item_noun(spec, path), st::item_noun(spec, path))
            } else {
                (
                    st::relation(spec, path),
                    st::id_noun(st::split_path(path).1),
                )
            };
            // ("contact follow-up" is said "contact follow up" too.)
            let said = |w: &str| {
                let w = w.to_lowercase();
                q.contains(&w)
                    || ((w.contains('-') || q.contains('-'))
                        && q.replace('-', " ").contains(&w.replace('-', " ")))
            };
            if !said(&words) && !said(&label) {
                return Some(format!(
                    "step {j} takes {arg} from {path} of step {k} but the query never says \"{words}\""
                ));
            }
        }
    }
    None
}

/// Intermediate values of a stored round (arguments bound to earlier steps).
pub fn intermediate_values_of(round: &hardgen_core::Round) -> BTreeSet<String> {
    bound_values(&round.advanced_tool.implementation, &round.gold)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_is_registered_with_an_attribute_not_marked_with_it() {
        let v = serde_json::json!("ana@example.org");
        let leads = [
            "that shows ",
            "showing ",
            "carrying ",
            "marked with ",
            "listed with ",
        ];
        let person: Vec<String> = (0..26)
            .map(|k| attribute_of("user", "email", &v, k))
            .collect();
        assert!(
            person
                .iter()
                .all(|a| !leads.iter().any(|l| a.starts_with(l))),
            "{person:?}"
        );
        assert!(person
            .iter()
            .any(|a| a.starts_with("registered with email")));
        // Other items keep every wording.
        let order: Vec<String> = (0..26)
            .map(|k| attribute_of("order", "email", &v, k))
            .collect();
        assert!(
            order.iter().any(|a| a.starts_with("marked with ")),
            "{order:?}"
        );
    }

    use serde_json::json;

    #[test]
    fn initialisms_take_the_article_of_their_first_letter() {
        assert_eq!(article("RSVP of accepted"), "an");
        assert_eq!(article("SKU"), "an");
        assert_eq!(article("PIN"), "a");
        assert_eq!(article("VAT number"), "a");
        assert_eq!(article("IBAN"), "an");
        assert_eq!(article("unit price"), "a");
        assert_eq!(article("order"), "an");
        assert_eq!(article("Rome office"), "a");
    }

    #[test]
    fn a_name_without_a_verb_is_asked_for_in_its_descriptions_words() {
        let tool = |name: &str, description: &str| ToolSpec {
            name: name.into(),
            description: description.into(),
            domain: "d".into(),
            parameters: json!({"type": "object", "properties": {}}),
            returns: None,
            read_only: None,
        };
        let pre =
            "This tool belongs to the vehicle system, which lets users drive. Tool description: ";
        assert_eq!(
            action(&tool(
                "liter_to_gallon",
                &format!("{pre}Converts the liter to gallon.")
            )),
            "convert the liter to gallon"
        );
        assert!(
            action(&tool("mv", &format!("{pre}Move a file, keep its name.")))
                .starts_with("move a file")
        );
        assert_eq!(
            action(&tool(
                "sort",
                &format!("{pre}Sort the contents of a file line by line.")
            )),
            "sort the contents of a file line by line"
        );
        // A lead about the tool itself, a service's versioned name, a one-word verb name.
        assert_eq!(
            action(&tool(
                "Cloudflare_Bypass",
                "This tool is used to bypass Cloudflare protection in order to retrieve the true IP address of a webpage."
            )),
            "bypass Cloudflare protection in order to retrieve the true IP address of a webpage"
        );
        assert_eq!(
            action(&tool("Media_3_PlayMovie", "Stream the selected movie.")),
            "play the movie"
        );
        // Dotted names: the part that acts and the part acted on.
        assert_eq!(
            action(&tool(
                "random_forest.train",
                "Train a Random Forest Model on given data"
            )),
            "train the random forest"
        );
        assert_eq!(
            action(&tool(
                "sculpture.create_custom",
                "Order a custom sculpture."
            )),
            "create a custom sculpture"
        );
        assert_eq!(
            action(&tool(
                "solve.quadratic_equation",
                "Quadratic equation solver."
            )),
            "solve the quadratic equation"
        );
        assert!(action(&tool(
            "contact",
            "Retrieve the contact details of a person, including their phone number."
        ))
        .starts_with("retrieve the contact details of a person"));
        // A name that opens with its verb keeps it; the preamble never shows.
        let redirect = action(&tool(
            "redirect_parcel",
            "Moves a parcel waiting at a depot to another depot.",
        ));
        assert!(redirect.starts_with("redirect"), "{redirect}");
        let support = action(&tool(
            "contact_customer_support",
            &format!("{pre}Contact customer support, get immediate support on an issue."),
        ));
        assert_eq!(support, "contact customer support");
        // The caller is the one asking: no "for the authenticated user".
        assert_eq!(
            action(&tool(
                "post_tweet",
                &format!("{pre}Post a tweet for the authenticated user.")
            )),
            "post a tweet"
        );
        let sent = action(&tool(
            "view_messages_sent",
            &format!("{pre}View all historical messages sent by the current user."),
        ));
        assert!(sent.ends_with("sent by me"), "{sent}");
        // A name that ends with what it does: "order" is not the verb of `order_status_check`.
        let status = action(&tool(
            "order_status_check",
            "Check the current status of an order by providing the order ID and the product name.",
        ));
        assert_eq!(status, "check the current status of an order");
        let stock = action(&tool(
            "inventory_management",
            "Manage inventory-related queries, including checking product availability.",
        ));
        assert_eq!(stock, "manage inventory-related queries");
        // A light verb with its noun stays as it is.
        assert!(!names_no_verb_of(&tool(
            "make_job_offer",
            "Offer the job on an application."
        )));
        assert!(!names_no_verb_of(&tool(
            "place_grocery_order",
            "Order a shopping list."
        )));
    }

    fn names_no_verb_of(t: &ToolSpec) -> bool {
        phrase::names_no_verb(&t.name, &t.description)
    }

    fn spec_with(parameters: Value, returns: Option<Value>) -> ToolSpec {
        ToolSpec {
            name: "list_bills".into(),
            description: "List bills".into(),
            domain: "energy".into(),
            parameters,
            returns,
            read_only: Some(true),
        }
    }

    #[test]
    fn another_item_of_the_hoisted_kind_makes_that_noun_ambiguous() {
        let act =
            "assign the employee known as Adele Olsen to the shift of the team of that employee";
        assert!(names_other(act, "employee"));
        assert!(names_other("Then, close another gym site.", "gym site"));
        // "that same conversation" is the hoisted item again.
        assert!(!names_other(
            "the message of that same conversation",
            "conversation"
        ));
        // "that employee" alone, and the noun inside a longer one, name no other item.
        assert!(!names_other(
            "list the shifts of the team of that employee",
            "employee"
        ));
        assert!(!names_other("the employee ID of that employee", "gym site"));
        assert!(!names_other("the member card of that card", "card"));
        assert!(!names_other(
            "the stay in the hotel review of that hotel",
            "hotel"
        ));
    }

    #[test]
    fn a_state_that_echoes_the_noun_is_not_put_before_it() {
        assert!(echoes_noun("booked", "class booking"));
        assert!(echoes_noun("ordered", "food order"));
        assert!(echoes_noun("reserved", "vehicle reservation"));
        assert!(!echoes_noun("blocked", "card"));
        assert!(!echoes_noun("paid", "energy bill"));
        assert!(!echoes_noun("live", "supply point"));
    }

    #[test]
    fn compact_compounds_drops_the_repeated_owner() {
        assert_eq!(
            compact_compounds("Set the card limit for the card with network visa."),
            "Set the limit for the card with network visa."
        );
        assert_eq!(
            compact_compounds("Cancel the book hold that belongs to the book titled Dune."),
            "Cancel the hold that belongs to the book titled Dune."
        );
        assert_eq!(
            compact_compounds("Make the file share link for the file, please."),
            "Make the share link for the file, please."
        );
        // No owner said again, or the owner is another noun: unchanged.
        for q in [
            "Show the book of the book loan.",
            "Set the card limit for the account.",
            "Show the card limit.",
            "Show the hotel stay of the hotel review.",
        ] {
            assert_eq!(compact_compounds(q), q);
        }
    }

    #[test]
    fn qualifiers_of_plural_nouns_take_plural_verbs() {
        assert_eq!(
            plural_verbs("that goes by Blue Light"),
            "that go by Blue Light"
        );
        assert_eq!(
            plural_verbs("that has status open"),
            "that have status open"
        );
        assert_eq!(plural_verbs("named Blue Light"), "named Blue Light");
        // Every singular wording of a name or an owner has its plural.
        for w in lexicon::NAMES.iter().chain(lexicon::OWNED) {
            let one = format!("{} X", w.replace(" {t}", ""));
            if one.starts_with("that ") && !one.starts_with("that's ") {
                assert_ne!(plural_verbs(&one), one, "{w}");
            }
        }
    }

    #[test]
    fn a_person_role_drops_the_word_contact() {
        assert_eq!(said_role("recipient contact"), "recipient");
        assert_eq!(said_role("new holder contact"), "new holder");
        assert_eq!(said_role("emergency contact"), "emergency contact");
        assert_eq!(said_role("refund account"), "refund account");
    }

    #[test]
    fn dated_inputs_follow_the_action_as_participles() {
        assert_eq!(
            gerund_dated("expires on 2026-06-16"),
            "expiring on 2026-06-16"
        );
        assert_eq!(
            gerund_dated("send on 10 July 2026"),
            "to be sent on 10 July 2026"
        );
        assert_eq!(gerund_dated("opened on 2026-04-30"), "opened on 2026-04-30");
        // An action that says the verb already takes the date there, once.
        assert_eq!(
            within_action(
                "schedule a message to be sent to the chat",
                "to be sent on 7 July"
            )
            .as_deref(),
            Some("schedule a message to be sent on 7 July to the chat")
        );
        assert_eq!(
            within_action("schedule a message", "to be sent on 7 July"),
            None
        );
        assert_eq!(within_action("send the file", "expiring on 7 July"), None);
        assert_eq!(gerund_dated("due on 2026-07-08"), "due on 2026-07-08");
        assert_eq!(gerund_dated("send it later"), "send it later");
    }

    #[test]
    fn relations_to_other_items_come_after_the_items_own_attributes() {
        let mut quals = [
            (
                "for which the applicant of the quote X is the holder contact",
                true,
            ),
            ("whose policy number is LKSC9XH9C", false),
            ("with status open", false),
            ("named Board", false),
        ];
        quals.sort_by_key(|(q, n)| qualifier_order(q, *n));
        let order: Vec<&str> = quals.iter().map(|(q, _)| *q).collect();
        assert_eq!(
            order,
            [
                "named Board",
                "with status open",
                "whose policy number is LKSC9XH9C",
                "for which the applicant of the quote X is the holder contact"
            ]
        );
        // A short relation still goes after a long attribute.
        assert!(
            qualifier_order("of X", true)
                > qualifier_order("whose very long attribute is here", false)
        );
    }

    #[test]
    fn a_read_object_is_plural_by_its_own_words_not_its_relations() {
        // The relation's nouns ("accounts") do not make "the card" plural.
        assert!(!object_is_plural(
            "look up the card of the holder of the accounts",
            true
        ));
        assert!(object_is_plural(
            "list the storage upgrades bought for the drive X",
            true
        ));
        assert!(object_is_plural("search conversations", false));
        assert!(!object_is_plural("show the status", false));
        assert!(!object_is_plural("look up the bus", false));
    }

    #[test]
    fn an_item_is_described_before_it_is_referred_back_to() {
        let twice = [(
            "the drive labelled Cycling team".to_string(),
            "drive".to_string(),
            "the owner contact of that drive".to_string(),
            "owner contact of".to_string(),
        )];
        assert_eq!(
            described_first(
                "save a version written by the owner contact of that drive for the drive labelled Cycling team".into(),
                &twice
            ),
            "save a version written by the owner contact of the drive labelled Cycling team for that drive"
        );
        // Already in order: unchanged.
        let ordered = "upload a file for the drive labelled Cycling team, written by the owner contact of that drive";
        assert_eq!(described_first(ordered.into(), &twice), ordered);
    }

    #[test]
    fn a_result_that_echoes_a_bound_argument_names_no_new_item() {
        let obj = |v: Value| v.as_object().cloned().unwrap_or_default();
        use hardgen_core::record::{AdvancedStep, Binding, GoldCall};
        let gold = vec![
            GoldCall {
                step: 0,
                name: "find_drive".into(),
                arguments: obj(json!({"drive_name": "Cycling team"})),
                provenance: Default::default(),
                depends_on: vec![],
                result: json!({"drive_id": "FLD-1"}),
            },
            GoldCall {
                step: 1,
                name: "create_folder".into(),
                arguments: obj(json!({"drive_id": "FLD-1", "folder_name": "Scans"})),
                provenance: Default::default(),
                depends_on: vec![0],
                result: json!({"folder_id": "FLF-1", "drive_id": "FLD-1", "folder_name": "Scans"}),
            },
        ];
        let input = |p: &str| Binding::Input { param: p.into() };
        let steps = vec![
            AdvancedStep {
                tool: "find_drive".into(),
                bindings: [("drive_name".to_string(), input("drive_name"))].into(),
            },
            AdvancedStep {
                tool: "create_folder".into(),
                bindings: [
                    (
                        "drive_id".to_string(),
                        Binding::Step {
                            step: 0,
                            path: "drive_id".into(),
                            index: 0,
                        },
                    ),
                    ("folder_name".to_string(), input("folder_name")),
                ]
                .into(),
            },
        ];
        let inputs = Map::new();
        let view = RoundView {
            gold: &gold,
            steps: &steps,
            inputs: &inputs,
        };
        // The folder's drive is the drive it was given: no new item.
        assert!(view.echoes(1, &json!("FLD-1")));
        // Its own new id and the user-given name are not echoes of a bound argument.
        assert!(!view.echoes(1, &json!("FLF-1")));
        assert!(!view.echoes(1, &json!("Scans")));
        assert!(!view.echoes(0, &json!("Cycling team")));
        assert!(!view.echoes(5, &json!("FLD-1")));
    }

    #[test]
    fn a_preposition_is_no_slot_to_put_a_value_in() {
        let act = "schedule a message to a conversation on a later date";
        assert_eq!(substitute(act, "on", "the send on 2026-06-04"), None);
        assert_eq!(substitute(act, "send on", "the send on 2026-06-04"), None);
        assert_eq!(
            substitute(act, "conversation", "the conversation Team").as_deref(),
            Some("schedule a message to the conversation Team on a later date")
        );
    }

    #[test]
    fn an_item_named_already_takes_no_qualifier() {
        let act = "save a version, written by the owner contact of that same drive";
        assert_eq!(merged(act, "the drive of that file").as_deref(), Some(act));
        // An item not named yet is described by the qualifier.
        assert_eq!(
            merged("edit the file share link", "the share link of that file").as_deref(),
            Some("edit the file share link of that file")
        );
    }

    #[test]
    fn a_filled_role_keeps_its_name() {
        let act = "register a contact as a patient with an emergency contact, and a PIN";
        assert_eq!(
            substitute(act, "emergency contact", "the owner of the drive Legal").as_deref(),
            Some("register a contact as a patient with the owner of the drive Legal as the emergency contact, and a PIN")
        );
        // A phrase that says the role already needs nothing more.
        assert_eq!(
            substitute(act, "emergency contact", "the emergency contact Ana").as_deref(),
            Some("register a contact as a patient with the emergency contact Ana, and a PIN")
        );
    }

    #[test]
    fn a_precondition_clause_is_dropped_after_an_identified_item() {
        let act = "discard an available version that is not pinned";
        assert_eq!(
            substitute(
                act,
                "version",
                "the version of the file Q3 of the drive Legal"
            )
            .as_deref(),
            Some("discard the version of the file Q3 of the drive Legal")
        );
        // The comma that closed the clause stays before what follows it.
        let act = "cancel a booking that is still booked, freeing the table";
        assert_eq!(
            substitute(act, "booking", "that same table booking").as_deref(),
            Some("cancel that same table booking, freeing the table")
        );
        // An indefinite filler keeps the clause; so does a long one.
        assert_eq!(
            substitute(act, "booking", "a booking").as_deref(),
            Some("cancel a booking that is still booked, freeing the table")
        );
        // A clause ends where a phrase of the action's own starts.
        let act = "lend a copy that is on the shelf on a member card";
        assert_eq!(
            substitute(act, "copy", "the copy C").as_deref(),
            Some("lend the copy C on a member card")
        );
        let act = "cancel a booking that is held for a guest who has not yet arrived today";
        assert_eq!(
            substitute(act, "booking", "the booking B").as_deref(),
            Some("cancel the booking B that is held for a guest who has not yet arrived today")
        );
    }

    #[test]
    fn actions_drop_the_list_of_optional_filters() {
        let spec = ToolSpec {
            name: "list_doctor_slots".into(),
            description: "List the consultation slots of a doctor, filtered by date range, visit mode or a minimum number of free places.".into(),
            domain: "health".into(),
            parameters: json!({"type": "object", "properties": {"doctor_id": {"type": "string"}}}),
            returns: None,
            read_only: Some(true),
        };
        let a = action(&spec);
        assert!(a.contains("consultation slots of a doctor"), "{a}");
        assert!(!a.contains("filtered"), "{a}");
    }

    #[test]
    fn a_place_s_own_attribute_is_of_the_place_not_in_it() {
        let v = Value::from("Puno");
        for k in 0..4 {
            let said = attribute_of("zipcode based on city", "city", &v, k);
            assert!(said == "for Puno" || said == "of Puno", "{said}");
        }
        // An item located in a city is still in it.
        let hotel = attribute_of("hotel", "city", &v, 0);
        assert!(hotel.contains("in Puno"), "{hotel}");
    }

    #[test]
    fn a_one_letter_flag_is_said_by_what_it_does() {
        let spec = ToolSpec {
            read_only: None,
            name: "ls".into(),
            description: "List the contents of the current directory.".into(),
            domain: "files".into(),
            parameters: serde_json::json!({"type": "object", "properties": {
                "a": {"type": "boolean", "description": "Show hidden files and directories. Defaults to False."},
                "path": {"type": "string", "description": "Show this path."}}}),
            returns: None,
        };
        let said = |arg: &str, v: Value| flag_said(&spec, arg, &v);
        assert_eq!(
            said("a", Value::Bool(false)).as_deref(),
            Some("without showing hidden files and directories")
        );
        assert_eq!(
            said("a", Value::Bool(true)).as_deref(),
            Some("showing hidden files and directories")
        );
        // A named input, or a value that is not a flag, is said as before.
        assert_eq!(said("path", Value::Bool(true)), None);
        assert_eq!(said("a", Value::from("x")), None);
        assert_eq!(gerund("run"), "running");
        assert_eq!(gerund("include"), "including");
        assert_eq!(gerund("show"), "showing");
    }

    #[test]
    fn leftover_stand_ins_become_definite() {
        assert_eq!(
            definite_stand_ins("retrieve the projects of a specified team, with uuid UUI-1".into()),
            "retrieve the projects of the team, with uuid UUI-1"
        );
        assert_eq!(
            definite_stand_ins("mark specified reminders as done at a given time".into()),
            "mark the reminders as done at the time"
        );
        assert_eq!(
            definite_stand_ins("predict the profit for given investment".into()),
            "predict the profit for the investment"
        );
        // A clause, a noun use and a physics term stay.
        for keep in [
            "use the parameters specified",
            "the rate specified by the user",
            "the specific latent heat",
            "user-specified filters",
        ] {
            assert_eq!(definite_stand_ins(keep.into()), keep);
        }
    }

    #[test]
    fn a_given_input_in_the_description_takes_its_value() {
        assert_eq!(
            given_slot(
                "get the nearest airport to the given location",
                "location",
                "Greenfield"
            )
            .as_deref(),
            Some("get the nearest airport to Greenfield")
        );
        assert_eq!(
            given_slot(
                "search for messages containing a specific keyword",
                "keyword",
                "pipeline"
            )
            .as_deref(),
            Some("search for messages containing the keyword pipeline")
        );
        assert_eq!(
            given_slot("fund the account with the specified amount", "amount", "50").as_deref(),
            Some("fund the account with the amount 50")
        );
        assert_eq!(
            given_slot("generate a specified number of fake records", "number", "9").as_deref(),
            Some("generate 9 fake records")
        );
        assert_eq!(
            given_slot("generate a specified number of fake records", "number", "1").as_deref(),
            Some("generate 1 fake record")
        );
        // The stand-in may name the input by its head word.
        assert_eq!(
            given_slot(
                "get the closing price for a specific company",
                "company name",
                "Hollowell Outfitters"
            )
            .as_deref(),
            Some("get the closing price for the company Hollowell Outfitters")
        );
        assert_eq!(
            given_slot(
                "the probability of a specific card",
                "desired card",
                "the ace"
            )
            .as_deref(),
            Some("the probability of the card the ace")
        );
        assert_eq!(
            given_slot(
                "the average house price in a specific area",
                "location",
                "El Alto"
            )
            .as_deref(),
            Some("the average house price in El Alto")
        );
        assert_eq!(
            given_slot(
                "the emissions of a specific type of vehicle",
                "vehicle type",
                "van"
            ),
            None
        );
        // Another noun, or the noun inside a longer word, is not the stand-in.
        assert_eq!(given_slot("get the given user", "location", "Paris"), None);
        assert_eq!(
            given_slot(
                "round a number to a specified number of decimal places",
                "decimal places",
                "2"
            )
            .as_deref(),
            Some("round a number to 2 decimal places")
        );
        assert_eq!(
            named_slot(
                "create a folder on the drive",
                "folder name",
                "Weekly certificates"
            )
            .as_deref(),
            Some("create a folder called Weekly certificates on the drive")
        );
        assert_eq!(
            named_slot("remove a file or directory", "file name", "a.txt").as_deref(),
            Some("remove a file or directory called a.txt")
        );
        assert_eq!(
            named_slot("write to a file or display it", "file name", "a.txt").as_deref(),
            Some("write to a file called a.txt or display it")
        );
        // Not a name, or not the noun of the text: no slot.
        assert_eq!(
            named_slot("create a folder on the drive", "folder size", "2"),
            None
        );
        assert_eq!(
            named_slot("create a folder on the drive", "drive name", "X"),
            None
        );
        assert_eq!(
            named_slot("create a folderish thing", "folder name", "X"),
            None
        );
        // An input left at its default takes its stand-in away.
        assert_eq!(
            unsaid_slot(
                "round a number to a specified number of decimal places",
                "decimal places"
            )
            .as_deref(),
            Some("round a number")
        );
        assert_eq!(
            unsaid_slot(
                "find the nearest airport to the given location, fast",
                "location"
            )
            .as_deref(),
            Some("find the nearest airport, fast")
        );
        assert_eq!(
            unsaid_slot("round a number to the nearest ten", "decimal places"),
            None
        );
        assert_eq!(unsaid_slot("send to a specified userbase", "user"), None);
        assert_eq!(given_slot("list the given keywords", "keyword", "x"), None);
        assert_eq!(
            given_slot("find files under specific path", "path", "docs").as_deref(),
            Some("find files under the path docs")
        );
    }

    #[test]
    fn a_from_and_a_to_make_one_range() {
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            from_to(v(&["from feet", "with value 3", "to inches"])),
            v(&["from feet to inches", "with value 3"])
        );
        // Two of either are left as they are.
        let two = v(&["from feet", "from Lagos", "to inches"]);
        assert_eq!(from_to(two.clone()), two);
    }

    #[test]
    fn definite_slot_puts_the_value_after_the_named_input() {
        assert_eq!(
            definite_slot(
                "assess the claim, setting the approved amount",
                "approved amount",
                "147.94",
                false
            )
            .as_deref(),
            Some("assess the claim, setting the approved amount to 147.94")
        );
        assert_eq!(
            definite_slot(
                "set the daily limit for the account",
                "daily limit",
                "50",
                true
            )
            .as_deref(),
            Some("set the daily limit to 50 for the account")
        );
        assert_eq!(
            definite_slot(
                "verify the certificate code",
                "certificate code",
                "4KQ2",
                false
            )
            .as_deref(),
            Some("verify the certificate code 4KQ2")
        );
        // Not inside a longer noun ("the codes"), nor before a word that goes on the noun.
        assert_eq!(definite_slot("read the codes", "code", "7", false), None);
        assert_eq!(
            definite_slot("check the code word", "code", "7", false),
            None
        );
        assert_eq!(definite_slot("check a code", "code", "7", false), None);
    }

    #[test]
    fn a_slot_named_with_identifier_takes_the_value_in_its_place() {
        assert_eq!(
            substitute(
                "initiate a push event using a trigger identifier and a token",
                "trigger",
                "the trigger TRI-1"
            )
            .as_deref(),
            Some("initiate a push event using the trigger TRI-1 and a token")
        );
    }

    #[test]
    fn drop_states_drops_state_words_between_an_article_and_its_noun() {
        let plain = spec_with(json!({"type": "object", "properties": {}}), None);
        // "one" is no noun to put the article on ("update a one").
        assert_eq!(
            drop_states("add a server or update an existing one", &plain),
            "add a server or update an existing one"
        );
        // Built-in states, one or several joined by "or"; the article agrees with the noun.
        assert_eq!(
            drop_states("settle an issued or disputed energy bill", &plain),
            "settle an energy bill"
        );
        assert_eq!(
            drop_states("cancel an active booking", &plain),
            "cancel a booking"
        );
        assert_eq!(
            drop_states("cancel a scheduled order", &plain),
            "cancel an order"
        );
        // Not at the start of the text, not without a following noun, not ending on "or".
        assert_eq!(
            drop_states("an active booking", &plain),
            "an active booking"
        );
        assert_eq!(drop_states("find an active", &plain), "find an active");
        assert_eq!(
            drop_states("find an active or booking", &plain),
            "find an active or booking"
        );
        assert_eq!(
            drop_states("find a or active booking", &plain),
            "find a or active booking"
        );
        // A state word before "of", "with", ... was the noun itself.
        for p in [
            "of", "from", "with", "to", "for", "in", "on", "by", "as", "at", "and", "that",
            "which", "who", "before", "after", "into",
        ] {
            let d = format!("list an active {p} them");
            assert_eq!(drop_states(&d, &plain), d, "{p}");
        }
        // A trailing comma on a state word is still the state.
        assert_eq!(
            drop_states("find an active, booking", &plain),
            "find a booking"
        );
        // Not a state: kept.
        assert_eq!(
            drop_states("find a blue booking", &plain),
            "find a blue booking"
        );
        // The spec's enum participles are states (parameters and returns); its enum nouns are not.
        let enums = spec_with(
            json!({"type": "object", "properties": {
                "status": {"type": "string", "enum": ["Archived", "admin"]}}}),
            Some(json!({"type": "object", "properties": {
                "kind": {"type": "array", "items": {"enum": ["shredded"]}}}})),
        );
        assert_eq!(drop_states("find an archived bill", &enums), "find a bill");
        assert_eq!(drop_states("find a shredded bill", &enums), "find a bill");
        assert_eq!(
            drop_states("find an admin bill", &enums),
            "find an admin bill"
        );
        assert_eq!(
            drop_states("find a shredded bill", &plain),
            "find a shredded bill"
        );
    }

    #[test]
    fn states_flag_accepts_the_label_or_its_words_in_another_form() {
        // The label itself.
        assert!(states_flag(
            "only the ones with auto renew please",
            "auto_renew"
        ));
        assert!(!states_flag("only the renewing ones", "auto_renew"));
        assert!(states_flag("with unisex turned on", "is_unisex"));
        assert!(states_flag("the service that is not unisex", "is_unisex"));
        assert!(states_flag(
            "service data name ana, not active",
            "is_active"
        ));
        assert!(states_flag("service data name ana, active", "is_active"));
        // One-word labels: only the word itself.
        assert!(states_flag("include archived", "archived"));
        assert!(!states_flag("include old ones", "archived"));
        // "has pets" is stated by "pets", "includes tax" by "include tax".
        assert!(states_flag("a flat where pets are fine", "has_pets"));
        assert!(!states_flag("a flat where pets are fine", "allows_pets"));
        assert!(states_flag("prices that include tax", "includes_tax"));
        assert!(!states_flag("prices with tax", "includes_tax"));
        // "card_active" said as "card is not active" / "card are not active".
        assert!(states_flag("only if the card is not active", "card_active"));
        assert!(states_flag("where the card are not active", "card_active"));
        assert!(!states_flag("where the card is blocked", "card_active"));
        assert!(!states_flag("where the card was not active", "card_active"));
        // Days a place opens, either way round.
        assert!(states_flag(
            "the branch that is closed on sundays",
            "open_sundays"
        ));
        assert!(states_flag("the branch open on sundays", "open_sundays"));
        assert!(!states_flag("the branch closed on mondays", "open_sundays"));
    }

    #[test]
    fn a_date_named_by_an_adjective_and_a_bound_is_one_date() {
        use rand::SeedableRng;
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..8 {
            let c = literal_clause("valid_until", &json!("2026-10-03"), &mut rng);
            assert!(c.contains("valid-until date"), "{c}");
            assert!(!c.contains("no later than") && !c.contains("up to"), "{c}");
        }
        for k in 0..6 {
            let a = attribute("valid_until", &json!("2026-10-03"), k);
            assert!(
                a == format!("valid until {}", said_text_as(&json!("2026-10-03"), k / 7))
                    || a.starts_with("with a valid-until date of "),
                "{a}"
            );
            let f = attribute("valid_until_from", &json!("2026-10-03"), k);
            assert!(f.starts_with("with valid-until date "), "{f}");
        }
        assert_eq!(bound_adjective("date_to"), None);
        assert_eq!(
            bound_adjective("available_from").as_deref(),
            Some("available-from date")
        );
    }

    #[test]
    fn flags_of_days_and_states_read_as_phrases() {
        assert_eq!(
            bool_forms("open sundays", false),
            Some(vec![
                "that is closed on Sundays".to_string(),
                "not open on Sundays".to_string()
            ])
        );
        assert_eq!(
            bool_forms("open sundays", true).map(|f| f[1].clone()),
            Some("open on Sundays".to_string())
        );
        assert_eq!(
            bool_forms("on shift", false),
            Some(vec![
                "that is not on shift".to_string(),
                "not on shift".to_string()
            ])
        );
        assert_eq!(
            plural_verbs(&bool_forms("on shift", true).unwrap_or_default()[0]),
            "that are on shift"
        );
        // "the loan that is overdue", never "offering overdue".
        assert_eq!(
            bool_forms("overdue", true).map(|f| f[0].clone()),
            Some("that is overdue".to_string())
        );
        assert_eq!(bool_forms("pool", true), None);
        // An option of the call: "including financials", never "offering include financials".
        assert_eq!(
            bool_forms("include financials", true).map(|f| f[0].clone()),
            Some("including financials".to_string())
        );
        assert_eq!(
            bool_forms("include financials", false).map(|f| f[0].clone()),
            Some("without financials".to_string())
        );
    }

    #[test]
    fn enum_words_and_plural_agreement() {
        assert!(is_snake_word("damp_wall") && is_snake_word("16_plus"));
        assert!(!is_snake_word("tk_check_f337eb") && !is_snake_word("12_34"));
        assert!(!is_snake_word("plain") && !is_snake_word("_x"));
        assert_eq!(
            plural_verbs("that has status active"),
            "that have status active"
        );
        assert_eq!(
            plural_verbs("that shows age rating 16 plus"),
            "that show age rating 16 plus"
        );
        assert_eq!(
            plural_verbs("whose status is active"),
            "whose status is active"
        );
    }

    #[test]
    fn lists_and_records_are_said_in_words_and_stated_part_by_part() {
        let v = json!([{"name": "Ana Silva", "entityType": "person",
                        "observations": ["likes tea", "works remotely"]}]);
        let said = crate::item::value_text(&v);
        assert_eq!(
            said,
            "name Ana Silva, entity type person, observations likes tea and works remotely"
        );
        let q = format!("please remember {said}").to_lowercase();
        assert!(states(&q, &v, "entities"));
        let missing = "please remember ana silva, a person who likes tea";
        assert!(
            !states(missing, &v, "entities"),
            "one observation is not said"
        );
        assert!(states("tags red and blue", &json!(["red", "blue"]), "tags"));
    }

    #[test]
    fn free_text_with_punctuation_or_many_words_is_quoted() {
        use serde_json::json;
        for (v, said) in [
            (
                json!("Thanks Bob, hosting looks right to me."),
                "\"Thanks Bob, hosting looks right to me.\"",
            ),
            (json!("Re: Budget numbers"), "\"Re: Budget numbers\""),
            (
                json!("Project final proposal annual client notes"),
                "\"Project final proposal annual client notes\"",
            ),
            (
                json!("item,amount\nhosting,4500\n"),
                "\"item,amount\nhosting,4500\"",
            ),
            (json!("greta@mail.test"), "greta@mail.test"),
            (json!("budget-2025.csv"), "budget-2025.csv"),
            (json!("Upper circle"), "Upper circle"),
            // A phrase in sentence case is quoted; a Title Case name or two words are not.
            (
                json!("Battery drains overnight"),
                "\"Battery drains overnight\"",
            ),
            (json!("Woodland Trust Bank"), "Woodland Trust Bank"),
            (json!("Class of 2010"), "Class of 2010"),
            (json!("say \"hi\", then go"), "say \"hi\", then go"),
            (json!(87.4), "87.4"),
        ] {
            assert_eq!(said_text(&v), said, "{v}");
        }
    }

    #[test]
    fn enum_values_are_said_as_words_and_still_count_as_stated() {
        assert!(is_snake_word("water_stain"));
        assert!(!is_snake_word("draft_2026"));
        assert!(!is_snake_word("routine"));
        assert_eq!(
            replace_word(
                "with water_stain, not water_stains",
                "water_stain",
                "water stain"
            ),
            "with water stain, not water_stains"
        );
        let v = Value::String("water_stain".into());
        assert!(states("damage kind water stain.", &v, "damage_kind"));
        assert!(states("damage kind water_stain.", &v, "damage_kind"));
        assert!(!states("damage kind water.", &v, "damage_kind"));
        assert_eq!(
            attribute("job_title", &Value::String("Chef".into()), 0),
            "whose job title is Chef"
        );
    }

    #[test]
    fn a_by_phrase_naming_an_input_is_said_by_its_value() {
        let spec = ToolSpec {
            name: "find_support_agent_by_email".into(),
            description: "Find a support agent by work e-mail.".into(),
            domain: "support".into(),
            parameters: json!({"type": "object", "properties": {"agent_email": {"type": "string"}}}),
            returns: None,
            read_only: Some(true),
        };
        assert_eq!(action(&spec), "find a support agent");
        // A participle keeps its "by": it says how, not which.
        let spec = ToolSpec {
            name: "list_card_payments".into(),
            description: "List the payments made by card.".into(),
            parameters: json!({"type": "object", "properties": {"account_id": {"type": "string"}}}),
            ..spec
        };
        assert_eq!(action(&spec), "list the payments made by card");
        // "by a contact" names who does it, though a parameter is a contact.
        let spec = ToolSpec {
            name: "save_file_version".into(),
            description: "Save a new version of a file, written by a contact.".into(),
            parameters: json!({"type": "object", "properties": {"author_contact_id": {"type": "string"}}}),
            ..spec
        };
        assert_eq!(
            action(&spec),
            "save a new version of a file, written by a contact"
        );
        // What the inputs are for is said by the inputs.
        let spec = ToolSpec {
            name: "book_flight".into(),
            description: "Book a flight given the travel information.".into(),
            ..spec
        };
        assert_eq!(action(&spec), "book a flight");
        let spec = ToolSpec {
            name: "displayCarStatus".into(),
            description: "Display the status of the vehicle based on the provided display option."
                .into(),
            ..spec
        };
        assert_eq!(action(&spec), "display the status of the vehicle");
    }

    #[test]
    fn a_search_of_a_container_names_the_items_it_finds() {
        let listing = |id: &str| {
            json!({"type": "object", "properties": {
                "results": {"type": "array", "items": {"type": "object", "properties": {
                    id: {"type": "string"}, "title": {"type": "string"}}}},
                "count": {"type": "integer"}}})
        };
        let spec = ToolSpec {
            name: "search_catalogue".into(),
            description: "Search the catalogue by title text, author text or genre.".into(),
            domain: "library".into(),
            parameters: json!({"type": "object", "properties": {"author": {"type": "string"}}}),
            returns: Some(listing("book_title_id")),
            read_only: Some(true),
        };
        assert_eq!(action(&spec), "search the catalogue for book titles");
        // Openings are job openings already: said once.
        let spec = ToolSpec {
            name: "search_job_openings".into(),
            description: "Search openings by job title or city.".into(),
            returns: Some(listing("job_opening_id")),
            ..spec
        };
        assert_eq!(action(&spec), "search openings");
    }

    #[test]
    fn actions_drop_a_clause_about_the_given_input() {
        let spec = ToolSpec {
            name: "list_hotels_near_airport".into(),
            description: "List the hotels whose nearest airport is the given one (needs the airport id); closest first.".into(),
            domain: "lodging".into(),
            parameters: json!({"type": "object", "properties": {}}),
            returns: None,
            read_only: Some(true),
        };
        assert_eq!(action(&spec), "list the hotels");
    }

    #[test]
    fn actions_drop_preconditions_reasons_and_input_lists() {
        let spec = |name: &str, description: &str| ToolSpec {
            read_only: None,
            name: name.into(),
            description: description.into(),
            domain: "d".into(),
            parameters: json!({"type": "object", "properties": {"member_id": {"type": "string",
                "enum": ["admin", "member"]}}}),
            returns: Some(
                json!({"type": "object", "properties": {"status": {"type": "string",
                "enum": ["reported", "fixed"]}}}),
            ),
        };
        for (name, description, want) in [
            (
                "freeze_account",
                "Freeze an open account so nothing can be paid from it.",
                "freeze an account",
            ),
            (
                "pay_bill",
                "Pay an issued or disputed energy bill.",
                "pay an energy bill",
            ),
            (
                "refer_patient",
                "Refer a booked, checked-in or completed appointment.",
                "refer an appointment",
            ),
            (
                "report_damage",
                "Report damage on an open or returned loan, with the kind of damage.",
                "report damage on a loan",
            ),
            // Enum values that are nouns stay; enum participles are states.
            (
                "add_member",
                "Add a contact on behalf of an admin of that group.",
                "add a contact on behalf of an admin of that group",
            ),
            (
                "charge_fee",
                "Charge the fee of a reported damage.",
                "charge the fee of a damage",
            ),
            (
                "book_class",
                "Book a class on an active membership with class credits left: one credit is used.",
                "book a class on a membership",
            ),
            // Alternative filters are said by their values, if at all.
            (
                "list_site_classes",
                "List the classes at a site by type or from a date, with free spots.",
                "list the classes at a site",
            ),
            // A dotted name's last word is the action, the rest the tool doing it.
            ("XSS_Scanner.scan", "", "scan with the XSS scanner"),
            ("web_search", "", "run a web search"),
        ] {
            assert_eq!(action(&spec(name, description)), want, "{description}");
        }
    }

    #[test]
    fn an_object_described_again_is_merged_not_repeated() {
        assert_eq!(
            merged("look up the order", "the order whose status is delivered").as_deref(),
            Some("look up the order whose status is delivered")
        );
        assert_eq!(
            merged(
                "collect the book hold",
                "the book hold linked to the title X"
            )
            .as_deref(),
            Some("collect the book hold linked to the title X")
        );
        // Another noun that starts the same way is not the same object.
        assert_eq!(merged("find the order", "the order line of the cart"), None);
        // A name before the noun.
        assert_eq!(
            merged(
                "renew the loan",
                "the Recruitment vendor loan marked overdue"
            )
            .as_deref(),
            Some("renew the Recruitment vendor loan marked overdue")
        );
        assert_eq!(
            merged("renew the loan", "the Recruitment vendor loan").as_deref(),
            Some("renew the Recruitment vendor loan")
        );
        assert_eq!(merged("renew the loan", "the Recruitment loan desk"), None);
        assert_eq!(
            merged("renew the loan", "the loan not marked overdue").as_deref(),
            Some("renew the loan not marked overdue")
        );
        assert_eq!(
            merged(
                "cancel the shift assignment",
                "the shift assignment assigned on 2026-05-18"
            )
            .as_deref(),
            Some("cancel the shift assignment assigned on 2026-05-18")
        );
        assert_eq!(merged("find the bed", "the bed shed"), None);
        // The qualifier picks one account: "the", not "a".
        assert_eq!(
            merged(
                "enroll a contact, paying the fee from a bank account",
                "the account that paid for the enrollment X"
            )
            .as_deref(),
            Some("enroll a contact, paying the fee from the bank account that paid for the enrollment X")
        );
        assert_eq!(
            merged(
                "list the merge proposals that would keep a given contact",
                "the contact named X"
            )
            .as_deref(),
            Some("list the merge proposals that would keep the contact named X")
        );
        // States the tool accepts, then the item itself: one object, said once.
        assert_eq!(
            merged(
                "call off an active or frozen membership",
                "the gym membership with 3 class credits"
            )
            .as_deref(),
            Some("call off the gym membership with 3 class credits")
        );
        // The tool's words for the item ("a frozen membership"), then the item: said once.
        assert_eq!(
            merged(
                "unfreeze a frozen membership",
                "the gym membership whose home site is X"
            )
            .as_deref(),
            Some("unfreeze the gym membership whose home site is X")
        );
        // A longer description of the item is more than its kind: both stay.
        assert_eq!(
            merged(
                "unfreeze a frozen membership",
                "the premium gym club membership with X"
            ),
            None
        );
        assert_eq!(
            merged(
                "cancel an active or frozen membership",
                "the book hold with X"
            ),
            None
        );
        assert_eq!(
            merged(
                "open an active or frozen membership",
                "the gym membership with X"
            ),
            None
        );
        assert_eq!(
            merged(
                "cancel the shift assignment",
                "the assigned shift assignment tied to the shift X"
            )
            .as_deref(),
            Some("cancel the assigned shift assignment tied to the shift X")
        );
        assert_eq!(
            merged("activate a payment plan", "that same bill payment plan").as_deref(),
            Some("activate that same bill payment plan")
        );
        assert_eq!(
            merged("edit the file share link", "that same share link").as_deref(),
            Some("edit that same file share link")
        );
        assert_eq!(
            merged("create a payment plan", "that same payment plan"),
            None
        );
        assert_eq!(merged("close the account", "that same card"), None);
        assert_eq!(
            merged(
                "send a message as one of its active participants",
                "that same conversation participant"
            )
            .as_deref(),
            Some("send a message as that same conversation participant")
        );
        assert_eq!(
            merged(
                "send a message as one of its active participants",
                "the conversation participant having role moderator"
            )
            .as_deref(),
            Some("send a message as the conversation participant having role moderator")
        );
        assert_eq!(
            merged(
                "send a message as one of its active participants",
                "the card of X"
            ),
            None
        );
        assert_eq!(
            merged(
                "edit the file share link",
                "the share link that has link code J72"
            )
            .as_deref(),
            Some("edit the file share link that has link code J72")
        );
        assert_eq!(
            merged("create a share link", "the share link that has code X"),
            None
        );
        assert_eq!(merged("archive the group", "the contact who owns it"), None);
        assert_eq!(
            merged(
                "refund a send-credit purchase",
                "the send credit purchase purchased on 2026-03-28"
            )
            .as_deref(),
            Some("refund the send credit purchase purchased on 2026-03-28")
        );
        assert_eq!(
            merged("remove a member from a group", "the group membership of X"),
            None
        );
    }

    #[test]
    fn states_matches_whole_values() {
        assert!(states("kwh 39 today", &json!(39), "kwh"));
        assert!(!states("kwh 390 today", &json!(39), "kwh"));
        assert!(!states("kwh 39.5 today", &json!(39), "kwh"));
        assert!(states("on 2026-01-02.", &json!("2026-01-02"), "d"));
        assert!(states(
            "with emergency service",
            &json!(true),
            "emergency_service"
        ));
        assert!(!states("with nothing", &json!(true), "emergency_service"));
        assert!(!states("anything", &json!(""), "x"));
        assert!(states("group named family", &json!("Family"), "group_name"));
    }

    #[test]
    fn a_role_shared_with_another_item_is_the_same_role() {
        assert_eq!(
            being("author", "the author of the product review with headline X"),
            "with the same author as the product review with headline X"
        );
        assert_eq!(
            being("guest", "the owner of the drive Y"),
            "with the guest being the owner of the drive Y"
        );
    }

    #[test]
    fn a_given_date_replaces_a_vague_later_date() {
        assert_eq!(
            without_vague_time(
                "schedule a message to a conversation on a later date, as one of its participants"
            ),
            "schedule a message to a conversation, as one of its participants"
        );
        assert_eq!(
            without_vague_time("book a table on a date"),
            "book a table on a date"
        );
    }

    #[test]
    fn the_inputs_of_a_write_are_one_with_list() {
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            with_list(
                v(&["the payer account of that parcel", "the sender being the recipient of that parcel"]),
                v(&["a weight in kg of 1.1"])
            ),
            ", with the payer account of that parcel, the sender being the recipient of that parcel, and a weight in kg of 1.1"
        );
        // Short items, or a long literal before the last: no comma before "and".
        assert_eq!(
            with_list(
                v(&["the team of that employee"]),
                v(&["an amount of 5", "merchant Echo"])
            ),
            ", with the team of that employee, an amount of 5 and merchant Echo"
        );
        assert_eq!(
            with_list(
                v(&["the room type of that hotel"]),
                v(&["the check out set to 25th July 2026", "4 guests"])
            ),
            ", with the room type of that hotel, the check out set to 25th July 2026 and 4 guests"
        );
        assert_eq!(
            with_list(
                v(&["the recipient being the owner of that drive"]),
                Vec::new()
            ),
            ", with the recipient being the owner of that drive"
        );
    }

    #[test]
    fn a_long_phrase_comes_after_its_role() {
        let long = "the author of the product review with headline X of that product";
        for k in 0..20 {
            let s = role_form("buyer", long, k);
            let role_at = s.find("buyer").unwrap_or(usize::MAX);
            assert!(role_at < s.find(long).unwrap_or(0), "{s}");
        }
        // A short one may come first.
        assert_eq!(
            role_form("buyer", "the contact X", 6),
            "having the contact X as the buyer"
        );
    }

    #[test]
    fn a_paying_account_fills_the_paid_from_slot() {
        let np = "the account with IBAN X1";
        assert_eq!(
            paid_from(
                "open a cart for a buyer, to be paid from one of the buyer's own open bank accounts and shipped to a city",
                np
            )
            .as_deref(),
            Some("open a cart for a buyer, to be paid from the account with IBAN X1 and shipped to a city")
        );
        assert_eq!(
            paid_from(
                "buy extra space, paid from a bank account at 0.002 per MB",
                np
            )
            .as_deref(),
            Some("buy extra space, paid from the account with IBAN X1 at 0.002 per MB")
        );
        // No account within reach of "paid from": no slot.
        assert_eq!(
            paid_from("buy space paid from the prepaid balance of the drive", np),
            None
        );
        assert_eq!(paid_from("buy extra space", np), None);
    }

    #[test]
    fn counts_and_is_flags_read_as_english() {
        assert_eq!(count_of("6", "number of adults"), "6 adults");
        assert_eq!(count_of("1", "number of adults"), "1 adult");
        let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
        assert_eq!(
            literal_clause("is_unisex", &json!(true), &mut rng),
            "unisex turned on"
        );
        // An item is told apart by the flag in a clause of its own.
        assert_eq!(attribute("is_unisex", &json!(true), 0), "that is unisex");
        assert_eq!(
            attribute("is_unisex", &json!(false), 1),
            "that is not unisex"
        );
    }

    #[test]
    fn a_bare_id_object_gets_its_article() {
        assert_eq!(
            id_object("find user id by email"),
            "find the user ID by email"
        );
        assert_eq!(id_object("find user ids"), "find the user IDs");
        assert_eq!(id_object("find the user id"), "find the user id");
        assert_eq!(id_object("list payments by date"), "list payments by date");
    }

    #[test]
    fn paired_inputs_each_get_an_article() {
        let labels = [
            "booking date".to_string(),
            "time slot".to_string(),
            "order".to_string(),
        ];
        // Two inputs that share a last word are both said in full.
        let dates = ["pickup date".to_string(), "return date".to_string()];
        let act = articled_pairs("reserve it between a pickup and a return date", &dates);
        assert_eq!(act, "reserve it between a pickup date and a return date");
        let act = articled_pairs("reserve it between an arrival and a return date", &dates);
        assert_eq!(act, "reserve it between an arrival and a return date");
        let act = articled_pairs("book a table for a guest on a date and time slot", &labels);
        assert_eq!(act, "book a table for a guest on a date and a time slot");
        // Each input then takes its own value.
        let act = substitute_last(&act, "date", "the date June 3").unwrap_or_default();
        let act = substitute(&act, "time slot", "the time slot 21:00").unwrap_or_default();
        assert_eq!(
            act,
            "book a table for a guest on the date June 3 and the time slot 21:00"
        );
        // Not a pair of inputs: "sort and filter", or "and order" after a non-input noun.
        for text in ["sort and filter the rows", "pick a colour and order it"] {
            assert_eq!(articled_pairs(text, &labels), text);
        }
        // A longer word is not the input ("and orders").
        let text = "find a date and orders";
        assert_eq!(articled_pairs(text, &labels), text);
    }

    #[test]
    fn a_name_made_action_articles_its_places() {
        assert_eq!(
            placed("receive the parcel at depot"),
            "receive the parcel at the depot"
        );
        assert_eq!(
            placed("find the cheapest fare on flight"),
            "find the cheapest fare on the flight"
        );
        // Set phrases and a verb's own destination stay as they are.
        assert_eq!(placed("count the seats on sale"), "count the seats on sale");
        assert_eq!(placed("advance to interviews"), "advance to interviews");
        assert_eq!(
            placed("move the file to the trash"),
            "move the file to the trash"
        );
    }

    #[test]
    fn a_described_item_goes_before_the_place_under_its_longer_noun() {
        assert_eq!(
            merged(
                "hand the shipment to the carrier",
                "the order shipment linked to the order X"
            )
            .as_deref(),
            Some("hand the order shipment linked to the order X to the carrier")
        );
        assert_eq!(
            merged(
                "link the bank account to the contact",
                "the account showing nickname Rent buffer"
            )
            .as_deref(),
            Some("link the bank account showing nickname Rent buffer to the contact")
        );
        assert_eq!(
            merged(
                "receive the parcel at the depot",
                "the parcel with tracking code X"
            )
            .as_deref(),
            Some("receive the parcel with tracking code X at the depot")
        );
        assert_eq!(
            merged(
                "mark the shipment delivered",
                "the order shipment for the order X"
            )
            .as_deref(),
            Some("mark the order shipment for the order X as delivered")
        );
        assert_eq!(
            merged(
                "mark the chat message read",
                "the chat message whose body is Hi"
            )
            .as_deref(),
            Some("mark the chat message whose body is Hi as read")
        );
        // Another noun is not the object.
        assert_eq!(
            merged("hand the shipment to the carrier", "the order with code X"),
            None
        );
    }

    #[test]
    fn a_long_phrase_is_not_put_before_a_closing_verb() {
        let np = "the applicant of the insurance quote with risk factor 1.48";
        assert!(center_embedded(
            &format!("list the quotes {np} asked for"),
            np
        ));
        // A short phrase reads, and so does one followed by a preposition or nothing.
        assert!(!center_embedded(
            "list the quotes the contact X asked for",
            "the contact X"
        ));
        assert!(!center_embedded(&format!("list the quotes of {np}"), np));
        assert!(!center_embedded(&format!("send {np} to the carrier"), np));
        assert!(!center_embedded(
            &format!("seat the guests of {np} when they arrive"),
            np
        ));
        assert_eq!(
            named_after(
                "list the courses a contact teaches",
                "contact",
                "the contact who teaches X"
            ),
            "list the courses a contact teaches, namely the contact who teaches X"
        );
        assert_eq!(
            named_after(
                "list the pets a contact owns",
                "contact",
                "the person behind the employee X"
            ),
            "list the pets a contact owns, where that contact is the person behind the employee X"
        );
    }

    #[test]
    fn a_direction_role_is_said_by_its_direction() {
        assert_eq!(
            being("to account", "the account marked with IBAN X"),
            "to the account marked with IBAN X"
        );
        assert_eq!(direction("from account"), Some("from"));
        assert_eq!(
            being("paid with card", "the card X"),
            "paid with the card X"
        );
        assert_eq!(said_role("reader conversation participant"), "reader");
        assert_eq!(said_role("recipient contact"), "recipient");
        assert_eq!(said_role("home site"), "home site");
        assert_eq!(direction("account"), None);
        assert_eq!(
            being("author", "the author of the review X"),
            "with the same author as the review X"
        );
    }

    #[test]
    fn substitute_replaces_whole_words_only() {
        // A person's role after one adjective is its slot too.
        assert_eq!(
            substitute(
                "list the properties a letting agent handles",
                "agent",
                "the agent of the property X"
            )
            .as_deref(),
            Some("list the properties the agent of the property X handles")
        );
        assert_eq!(
            substitute(
                "list the supply points a contact holds",
                "contact",
                "the owner"
            )
            .as_deref(),
            Some("list the supply points the owner holds")
        );
        assert_eq!(substitute("list a contacts", "contact", "x"), None);
        // A described item takes no "of the enrolled course" after it; a bare one keeps it.
        assert_eq!(
            substitute(
                "submit an assignment for a lesson of the enrolled course for the enrollment",
                "lesson",
                "the lesson titled X of the course Y"
            )
            .as_deref(),
            Some("submit an assignment for the lesson titled X of the course Y for the enrollment")
        );
        assert_eq!(
            substitute(
                "submit work for a lesson of the enrolled course",
                "lesson",
                "the lesson X"
            )
            .as_deref(),
            Some("submit work for the lesson X of the enrolled course")
        );
        assert_eq!(
            possessive("show me a courier's rounds", "courier", "the courier Jo").as_deref(),
            Some("show me the rounds of the courier Jo")
        );
        assert_eq!(
            possessive(
                "list a vet's slots from a date",
                "vet",
                "the vet Ana at the clinic Paws"
            )
            .as_deref(),
            Some("list the slots of the vet Ana at the clinic Paws from a date")
        );
        assert_eq!(
            possessive(
                "track the score over an application's completed interviews",
                "application",
                "the job application X"
            )
            .as_deref(),
            Some("track the score over the completed interviews of the job application X")
        );
        // A relative clause after what is owned would seem to describe the item: the owner
        // goes after the clause, or (with more after it) nothing is filled.
        assert_eq!(
            possessive(
                "count a policy's claims that are open",
                "policy",
                "the policy X"
            )
            .as_deref(),
            Some("count the claims that are open for the policy X")
        );
        assert_eq!(
            possessive(
                "count a policy's claims that are open, newest first",
                "policy",
                "the policy X"
            ),
            None
        );
        assert_eq!(
            possessive("list a case's surveys", "contact", "the contact X"),
            None
        );
        // A role's last word fills only a slot of that very word: the return date of "between
        // a pickup and a return date" is not the pickup date's.
        let act = "reserve a car between a pickup and a return date";
        assert_eq!(substitute_last(act, "date", "the pickup date May 1"), None);
        assert_eq!(
            substitute_last("run an audit with a focus", "focus", "the audit focus vat").as_deref(),
            Some("run an audit with the audit focus vat")
        );
        assert_eq!(substitute("list a case's surveys", "case", "x"), None);
    }

    #[test]
    fn only_dated_inputs_trail_the_action_without_with() {
        assert!(trails("opened on 2026-04-30"));
        assert!(trails("expiring on 2026-06-16"));
        assert!(trails("to be sent on 7 July 2026"));
        assert!(!trails("faulty_wiring as the repair issue"));
        assert!(!trails("Pending newsletters as the folder name"));
        assert!(!trails("the repair issue set to heating"));
    }

    #[test]
    fn a_pin_is_given_not_set() {
        use rand::SeedableRng;
        for seed in 0..40 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let said = literal_clause("card_pin", &json!(9985), &mut rng);
            assert!(said.contains("9985") && !said.contains("set to"), "{said}");
        }
    }

    #[test]
    fn a_state_word_goes_before_the_noun_and_nothing_else_does() {
        let adj = |f: &str, v: Value| status_adjective(f, &v);
        assert_eq!(adj("status", json!("blocked")).as_deref(), Some("blocked"));
        assert_eq!(
            adj("booking_status", json!("open")).as_deref(),
            Some("open")
        );
        // Several words, nouns, odd participles and other fields stay after the noun.
        assert_eq!(adj("status", json!("in_repair")), None);
        assert_eq!(adj("status", json!("basket")), None);
        assert_eq!(adj("status", json!("resulted")), None);
        assert_eq!(adj("kind", json!("blocked")), None);
        assert_eq!(adj("status", json!(3)), None);
    }

    #[test]
    fn a_short_own_name_may_go_before_the_noun_and_a_person_s_after_the_role() {
        let pre = |noun: &str, f: &str, v: &str| prenominal_name(noun, f, &json!(v));
        assert_eq!(
            pre("account", "nickname", "Garden purse").as_deref(),
            Some("Garden purse")
        );
        assert_eq!(
            pre("group", "group_name", "Board").as_deref(),
            Some("Board")
        );
        // Another item's name, a person's, a long or quoted one, a name that ends in its own
        // kind ("Maplebury Sorting Centre"), a possessive and a lower-case word stay after it.
        assert_eq!(pre("food order", "courier_name", "Greta"), None);
        assert_eq!(pre("employee", "full_name", "Ana Lima"), None);
        assert_eq!(pre("depot", "depot_name", "Maplebury Sorting Centre"), None);
        assert_eq!(pre("depot", "depot_name", "Queens Yard"), None);
        assert_eq!(pre("drive", "drive_name", "Tamsin's workspace"), None);
        assert_eq!(pre("folder", "folder_name", "done"), None);
        assert_eq!(pre("pet", "name", "Nemo"), None);
        assert_eq!(prenominal_name("group", "group_name", &json!(3)), None);
        let app = |noun: &str, f: &str, v: &str| person_name(noun, f, &json!(v));
        assert_eq!(
            app("courier", "name", "Timo Zamora").as_deref(),
            Some("Timo Zamora")
        );
        assert_eq!(app("pet", "name", "Nemo").as_deref(), Some("Nemo"));
        assert_eq!(app("courier", "name", "Timo"), None);
        assert_eq!(app("depot", "name", "Queens Yard"), None);
        assert_eq!(app("employee", "full_name", "ana lima"), None);
    }

    #[test]
    fn a_name_of_something_else_is_a_plain_field() {
        // A food order is not "called" its courier.
        for k in 0..20 {
            let said = attribute_of("food order", "courier_name", &json!("Greta Becker"), k);
            assert!(
                said.contains("courier name") && !said.contains("called"),
                "{said}"
            );
        }
        assert_eq!(
            attribute_of("hotels", "hotel_name", &json!("Aurora"), 0),
            "named Aurora"
        );
        assert_eq!(
            attribute_of("employee", "full_name", &json!("Ana Lima"), 0),
            attribute("full_name", &json!("Ana Lima"), 0)
        );
    }

    #[test]
    fn a_phrase_whose_head_is_the_role_names_the_kind() {
        assert!(of_kind(
            "payer account of that same flight booking",
            "account"
        ));
        assert!(of_kind("holder contact of the drive", "contact"));
        assert!(!of_kind("account of the payer", "payer"));
        assert!(!of_kind("card with network visa of the account", "account"));
    }

    #[test]
    fn a_phrase_names_its_role_by_its_head() {
        assert!(names_role(
            "gp doctor",
            "the doctor listed with license number X"
        ));
        assert!(names_role(
            "payer account",
            "the payer account of the parcel X"
        ));
        assert!(names_role("drive", "that same drive"));
        assert!(!names_role("emergency contact", "the owner of the drive X"));
        assert!(!names_role(
            "recipient contact",
            "the person who owns the calendar X"
        ));
        // "contact" alone does not name the emergency contact; it names a plain contact.
        assert!(!names_role(
            "emergency contact",
            "the contact who teaches the course X"
        ));
        assert!(names_role(
            "contact",
            "the contact who teaches the course X"
        ));
        assert!(names_role(
            "contact merge proposal",
            "the contact merge proposal whose keep contact is X"
        ));
        assert!(!names_role(
            "billing account",
            "the account with nickname X"
        ));
        assert!(names_role("account", "the account with nickname X"));
    }

    #[test]
    fn an_indefinite_object_of_the_role_takes_the_item_as_apposition() {
        assert_eq!(
            apposed(
                "list the orders of a buyer",
                "buyer contact",
                "the author of the review X"
            )
            .as_deref(),
            Some("list the orders of the buyer who is the author of the review X")
        );
        assert_eq!(
            apposed(
                "list the stays of a guest",
                "guest",
                "the guest of the booking X"
            )
            .as_deref(),
            Some("list the stays of the guest of the booking X")
        );
        // Another object, a role of two words that is no person, or an item said before: as is.
        assert_eq!(
            apposed(
                "list the orders of a buyer",
                "payer account",
                "the account X"
            ),
            None
        );
        assert_eq!(
            apposed("list the orders", "buyer contact", "the contact X"),
            None
        );
        assert_eq!(
            apposed(
                "list the orders of a buyer",
                "buyer contact",
                "that same contact"
            ),
            None
        );
    }

    #[test]
    fn an_anchor_qualifier_stays_only_after_its_item() {
        let mark =
            |noun: &str, q: &str| format!("{ANCHOR_OPEN}{noun}{ANCHOR_MID}{q}{ANCHOR_CLOSE}");
        let q = format!(
            "place a hold on the book title with isbn X at the branch of the book hold {}, on its card",
            mark("book title", "for that same book title")
        );
        assert_eq!(
            settle_anchors(&q),
            "place a hold on the book title with isbn X at the branch of the book hold for that same book title, on its card"
        );
        // The meeting comes after the attachment: no forward "that same meeting".
        let q = format!(
            "attach the file of the meeting attachment {} to the meeting titled Y",
            mark("meeting", "of that same meeting")
        );
        assert_eq!(
            settle_anchors(&q),
            "attach the file of the meeting attachment to the meeting titled Y"
        );
        assert!(said_as_noun("the meeting, then", "meeting"));
        assert!(said_as_noun("for the book title whose isbn", "book title"));
        assert!(!said_as_noun("the meeting attachment", "meeting"));
        assert!(!said_as_noun("the title", "book title"));
    }

    #[test]
    fn that_same_needs_an_earlier_mention() {
        assert_eq!(
            no_forward_same("Add 3 of that same product to the order of the product X."),
            "Add 3 of the product to the order of the product X."
        );
        let ok = "Book the class X, then cancel that same class booking.";
        assert_eq!(no_forward_same(ok), ok);
        let made = "Send a message to the group X, then delete that same chat message.";
        assert_eq!(no_forward_same(made), made);
        // What an earlier step made under another name is "the new" one.
        assert_eq!(
            no_forward_same(
                "Suggest paying the bill X, then activate that same bill payment plan."
            ),
            "Suggest paying the bill X, then activate the new bill payment plan."
        );
    }

    #[test]
    fn an_item_is_described_at_its_first_mention() {
        let np = "the flight booking whose reference reads GVSXFV".to_string();
        let described = vec![("flight booking".to_string(), np)];
        assert_eq!(
            described_before_same(
                "Pay from the payer account of that same flight booking to the payee for the \
                 payer account of the flight booking whose reference reads GVSXFV."
                    .into(),
                &described
            ),
            "Pay from the payer account of the flight booking whose reference reads GVSXFV to \
             the payee for the payer account of that same flight booking."
        );
        // Described first already, or "that same flight bookings" (another word): unchanged.
        let ok =
            "Pay the flight booking whose reference reads GVSXFV for that same flight booking.";
        assert_eq!(described_before_same(ok.into(), &described), ok);
        let other =
            "Pay that same flight bookings, the flight booking whose reference reads GVSXFV.";
        assert_eq!(described_before_same(other.into(), &described), other);
        // A bare noun is no description to move.
        let bare = vec![(
            "flight booking".to_string(),
            "the flight booking".to_string(),
        )];
        let q = "Pay that same flight booking for the flight booking now.";
        assert_eq!(described_before_same(q.into(), &bare), q);
    }

    #[test]
    fn one_me_too_many_is_ungrammatical() {
        let p = grammar_problems("Would you mind helping me give me the quotes?");
        assert!(p.iter().any(|x| x.contains("me give me")), "{p:?}");
        assert!(grammar_problems("Would you mind helping me get the quotes?").is_empty());
        assert!(!grammar_problems("Convert the value 3, with from meters and to feet.").is_empty());
        assert!(!grammar_problems("List the files, with without showing hidden ones.").is_empty());
    }

    #[test]
    fn a_kind_word_is_said_after_is_never_carried() {
        let forms: Vec<String> = (0..40)
            .map(|k| attribute("area", &json!("indoor"), k))
            .collect();
        assert!(
            forms.iter().any(|s| s == "whose area is indoor"),
            "{forms:?}"
        );
        for s in &forms {
            assert!(
                !["carrying", "having", "showing", "that shows", "that has"]
                    .iter()
                    .any(|w| s.starts_with(w)),
                "{s}"
            );
        }
        // A code still may be carried.
        assert!((0..40).any(|k| attribute("plate", &json!("U52DGQU"), k).starts_with("carrying")));
    }

    #[test]
    fn a_first_message_continues_nothing() {
        assert_eq!(
            first_turn("One more thing: cancel the payment."),
            "Cancel the payment."
        );
        assert_eq!(
            first_turn("Next up, show me the fares."),
            "Show me the fares."
        );
        assert_eq!(first_turn("Please cancel it."), "Please cancel it.");
        // Every continuing opening is a plan's, so none is left in a first message.
        for open in CONTINUING {
            let plan = format!("{}{{a}}", open);
            assert!(PLANS.iter().any(|(o, _)| *o == plan), "{plan}");
        }
    }

    fn rng_of(seed: u64) -> ChaCha8Rng {
        use rand::SeedableRng;
        ChaCha8Rng::seed_from_u64(seed)
    }

    #[test]
    fn an_input_named_by_a_bare_letter_is_said_by_its_description() {
        let spec = ToolSpec {
            read_only: None,
            name: "estimate_distance".into(),
            description: String::new(),
            domain: "d".into(),
            parameters: json!({"type": "object", "properties": {
                "cityA": {"type": "string", "description": "The zipcode of the first city."},
                "a": {"type": "number", "description": "Number to subtract from."},
                "file_name1": {"type": "string", "description": "The name of the first file in current directory."},
                "k": {"type": "integer", "description": "The number of results to return."},
                "x": {"type": "boolean", "description": "Show hidden files."},
                "y": {"type": "number", "description": "Compute the value for this."},
                "city": {"type": "string", "description": "The city."}}}),
            returns: None,
        };
        assert_eq!(spoken_field(&spec, "cityA"), "zipcode of the first city");
        assert_eq!(spoken_field(&spec, "a"), "number to subtract from");
        assert_eq!(spoken_field(&spec, "file_name1"), "name of the first file");
        assert_eq!(spoken_field(&spec, "k"), "number of results to return");
        // A flag, a description that is an instruction, and a plain name stay as named.
        assert_eq!(spoken_field(&spec, "x"), "x");
        assert_eq!(spoken_field(&spec, "y"), "y");
        assert_eq!(spoken_field(&spec, "city"), "city");
        // "number to subtract from" is no lower bound.
        let c = literal_clause("number to subtract from", &json!(5.77), &mut rng_of(3));
        assert!(
            c.contains("5.77") && !c.contains("earlier") && !c.contains("least"),
            "{c}"
        );
    }

    #[test]
    fn attributes_read_as_phrases() {
        assert_eq!(attribute("group_name", &json!("Board"), 0), "named Board");
        // The item's own noun says whose status: "the book loan whose status is returned".
        assert_eq!(
            attribute_of("book loan", "loan_status", &json!("returned"), 0),
            "whose status is returned"
        );
        assert_eq!(
            attribute_of("book hold", "loan_status", &json!("returned"), 0),
            "whose loan status is returned"
        );
        // A person is never "labelled".
        for k in 0..40 {
            for field in ["full_name", "doctor_name", "courier_name"] {
                let said = attribute(field, &json!("Ana Lima"), k);
                assert!(
                    !said.contains("labelled") && !said.contains("listed"),
                    "{said}"
                );
            }
        }
        // A thing's name may be labelled.
        assert!((0..40).any(|k| attribute("drive_name", &json!("Q3"), k).contains("labelled")));
        assert_eq!(attribute("city", &json!("Oslo"), 0), "in Oslo");
        assert_eq!(
            literal_clause("unit_out", &json!("feet"), &mut rng_of(1)),
            "to feet"
        );
        assert_eq!(
            literal_clause("unit_in", &json!("miles"), &mut rng_of(2)),
            "from miles"
        );
        // A bound reads with its noun in place: "3 or more seats", "a star rating of 3 or more".
        assert_eq!(
            attribute("min_seats", &json!(3), 2),
            "having 3 or more seats"
        );
        assert_eq!(
            attribute("min_star_rating", &json!(3), 2),
            "having a star rating of 3 or more"
        );
        assert_eq!(
            attribute("max_stops", &json!(1), 2),
            "having 1 or fewer stops"
        );
        // A place at either end of a journey is not a bound; a number or a date is.
        for k in 0..6 {
            assert_eq!(attribute("travel_from", &json!("Pau"), k), "from Pau");
            assert_eq!(attribute("travel_to", &json!("Lille"), k), "to Lille");
        }
        assert!(
            (0..6).all(|k| attribute("price_from", &json!(20), k).contains("20")
                && attribute("price_from", &json!(20), k) != "from 20")
        );
        // A measure says its unit after the number.
        assert_eq!(
            attribute("size_mb", &json!(75.7), 1),
            "with a size of 75.7 MB"
        );
        assert_eq!(
            attribute("min_free_mb", &json!(5), 0),
            "with at least 5 MB of free space"
        );
        // Shown digits are not a count: never "having 4312 last four digits".
        assert_eq!(attribute("last4", &json!(4312), 0), "ending in 4312");
        for k in 0..6 {
            let said = attribute("last4", &json!(4312), k);
            assert!(
                !said.contains("having") && !said.contains("exactly"),
                "{said}"
            );
        }
        assert_eq!(
            attribute("opened_on", &json!("2026-01-01"), 0),
            "opened on 1st January 2026"
        );
        // Another wording index may say the date another way, with its weekday or without.
        let forms: BTreeSet<String> = (0..60)
            .map(|k| attribute("opened_on", &json!("2026-01-01"), k))
            .collect();
        assert!(forms.len() >= 8, "{forms:?}");
        assert!(forms.contains("opened on 1st January 2026"), "{forms:?}");
        assert!(!forms.iter().any(|f| f.contains("day, 2026-")), "{forms:?}");
        assert!(states(
            "due friday, june 5th, 2026.",
            &json!("2026-06-05"),
            "due_on"
        ));
        assert!(states(
            "due june 5th, 2026.",
            &json!("2026-06-05"),
            "due_on"
        ));
        assert!(states("due 5th june 2026.", &json!("2026-06-05"), "due_on"));
        // A date said in words states the ISO date; another date does not.
        let said = "the case opened on the 1st of january 2026";
        assert!(states(said, &json!("2026-01-01"), "opened_on"));
        assert!(states("due june 5, 2026.", &json!("2026-06-05"), "due_on"));
        assert!(!states(said, &json!("2026-01-11"), "opened_on"));
        assert_eq!(
            attribute("min_year", &json!(3), 0),
            "with year of at least 3"
        );
        assert_eq!(attribute("pool", &json!(false), 0), "without pool");
        assert_eq!(attribute("spicy", &json!(true), 0), "that is spicy");
        assert_eq!(
            attribute("offers_delivery", &json!(true), 0),
            "that offers delivery"
        );
        assert_eq!(
            attribute("offers_delivery", &json!(false), 0),
            "that does not offer delivery"
        );
        assert_eq!(attribute("has_pool", &json!(false), 1), "without a pool");
        assert_eq!(
            attribute("has_composting", &json!(true), 1),
            "with composting"
        );
        assert_eq!(
            attribute("has_assignment", &json!(true), 0),
            "that has an assignment"
        );
        assert_eq!(attribute("has_video", &json!(true), 1), "with video");
        assert_eq!(
            attribute("accepting_new_patients", &json!(true), 0),
            "that is accepting new patients"
        );
        assert_eq!(
            attribute("pets_allowed", &json!(true), 0),
            "where pets are allowed"
        );
        assert_eq!(
            attribute("pets_allowed", &json!(true), 1),
            "with pets allowed"
        );
        assert_eq!(
            attribute("verified_purchase", &json!(true), 0),
            "that is a verified purchase"
        );
        assert_eq!(
            attribute("verified_purchase", &json!(false), 1),
            "not marked as a verified purchase"
        );
        assert!(states(
            "the review that is not a verified purchase",
            &json!(false),
            "verified_purchase"
        ));
        assert!(states(
            "the hotel where pets are allowed",
            &json!(true),
            "pets_allowed"
        ));
        assert_eq!(
            attribute("pets_allowed", &json!(false), 2),
            "where pets are not allowed"
        );
        assert!(states(
            "the hotel where pets are not allowed",
            &json!(false),
            "pets_allowed"
        ));
        for (f, b) in [
            ("offers_delivery", false),
            ("has_pool", false),
            ("has_assignment", true),
            ("spicy", true),
        ] {
            for k in 0..3 {
                assert!(states(&attribute(f, &json!(b), k), &json!(b), f), "{f} {k}");
            }
        }
        assert_eq!(
            attribute("status", &json!("open"), 0),
            "whose status is open"
        );
        assert_eq!(
            attribute("starts_on", &json!("2026-01-01"), 0),
            "that starts on 1st January 2026"
        );
    }
}
