//! Equivalent wordings the offline query writer picks among (seeded), so that ten thousand
//! queries do not repeat the same few verbs and connectives. Every entry keeps the meaning: a
//! wording that could name another operation or relation does not belong here.

/// Ways to say a request's leading verb; the first is the tool's own word.
const VERBS: &[&[&str]] = &[
    &["list", "show me", "pull up", "give me"],
    &["find", "look up", "locate", "track down"],
    &["get", "fetch", "retrieve"],
    &["show", "display"],
    &["search for", "look for", "hunt for"],
    &["search", "look through", "browse"],
    &["create", "set up", "make"],
    &["cancel", "call off"],
    &["update", "change", "edit"],
    &["book", "reserve"],
    &["delete", "remove", "erase"],
    &["record", "log", "note down"],
    &["approve", "sign off on"],
    &["reject", "decline", "turn down"],
    &["decline", "turn down"],
    &["submit", "send in"],
    &["schedule", "arrange"],
    &["assign", "allocate"],
    // "pay for an order" is not "settle for an order".
    &["pay for"],
    &["pay", "settle"],
    &["upload", "put"],
    &["request", "ask for"],
    &["write", "draft"],
    &["renew", "extend"],
    &["buy", "purchase"],
    &["propose", "suggest"],
    &["activate", "enable"],
    &["disconnect", "cut off"],
    &["discard", "drop"],
    &["save", "store"],
    &["quote", "get a quote for"],
    &["dispute", "contest", "challenge"],
    &["plan", "organise", "set up"],
    &["file", "lodge", "submit"],
    &["complete", "finish", "wrap up"],
    &["finish", "complete", "wrap up"],
    &["start", "begin", "kick off"],
    &["merge", "combine"],
    &["attach", "add"],
    &["freeze", "put a freeze on"],
    &["transfer", "move"],
    &["lend", "loan", "check out"],
    &["score", "rate"],
    &["assess", "evaluate"],
    &["amend", "modify"],
];

/// The action with its leading verb said one of its equivalent ways (`k` picks, wrapping).
pub fn verb(act: &str, k: usize) -> String {
    for forms in VERBS {
        let own = forms[0];
        let Some(rest) = act.strip_prefix(own) else {
            continue;
        };
        // A whole word only ("listen" is not "list").
        if !(rest.is_empty() || rest.starts_with(' ')) {
            continue;
        }
        let mut form = forms[k % forms.len()];
        // "list who is on a shift" is said "show me (tell me) who is on a shift": "pull up who"
        // and "give me who" are not English.
        // A figure is worked out, not "located" or "tracked down": "work out the total".
        if own == "find"
            && rest
                .strip_prefix(" the ")
                .and_then(|r| r.split(' ').next())
                .is_some_and(|w| COMPUTED.contains(&w))
        {
            form = ["find", "work out", "figure out"][k % 3];
        }
        if own == "list"
            && WH_WORDS
                .iter()
                .any(|w| rest.strip_prefix(' ').is_some_and(|r| r.starts_with(w)))
        {
            form = ["show me", "tell me"][k % 2];
        }
        // "reserve a reservation", "move the move": a form that repeats its object's stem
        // keeps the tool's own word.
        let stem: String = form.chars().take(5).collect();
        if form != own
            && stem.len() == 5
            && rest
                .split(' ')
                .any(|w| w.to_ascii_lowercase().starts_with(&stem))
        {
            form = own;
        }
        // "display me the dishes" is not said: "display the dishes".
        let rest = match rest.strip_prefix(" me ") {
            Some(r) if form == "display" => format!(" {r}"),
            _ => rest.to_string(),
        };
        return format!("{form}{rest}");
    }
    act.to_string()
}

/// Verbs tool names and descriptions open with, in their imperative form: a name whose first
/// word is none of these (`liter_to_gallon`) does not say its action.
const COMMON_VERBS: &[&str] = &[
    "accept",
    "activate",
    "add",
    "adjust",
    "advance",
    "allocate",
    "amend",
    "analyze",
    "analyse",
    "append",
    "apply",
    "approve",
    "archive",
    "assign",
    "attach",
    "authenticate",
    "authorize",
    "block",
    "book",
    "buy",
    "calculate",
    "call",
    "cancel",
    "change",
    "charge",
    "check",
    "claim",
    "clear",
    "close",
    "comment",
    "compare",
    "complete",
    "compute",
    "confirm",
    "connect",
    "contact",
    "convert",
    "copy",
    "count",
    "create",
    "deactivate",
    "decline",
    "delete",
    "deliver",
    "deposit",
    "detach",
    "disable",
    "display",
    "download",
    "edit",
    "enable",
    "end",
    "enroll",
    "estimate",
    "export",
    "fetch",
    "file",
    "fill",
    "filter",
    "find",
    "finish",
    "follow",
    "freeze",
    "fund",
    "generate",
    "get",
    "give",
    "grant",
    "handle",
    "hold",
    "import",
    "invite",
    "issue",
    "join",
    "leave",
    "link",
    "list",
    "load",
    "lock",
    "log",
    "login",
    "logout",
    "look",
    "lookup",
    "make",
    "mark",
    "merge",
    "modify",
    "move",
    "notify",
    "open",
    "order",
    "pause",
    "pay",
    "place",
    "plan",
    "post",
    "predict",
    "print",
    "publish",
    "purchase",
    "put",
    "query",
    "raise",
    "rate",
    "read",
    "receive",
    "record",
    "redeem",
    "refund",
    "register",
    "reject",
    "release",
    "reload",
    "remove",
    "rename",
    "renew",
    "reopen",
    "replace",
    "reply",
    "report",
    "request",
    "reschedule",
    "reserve",
    "reset",
    "resolve",
    "restore",
    "resume",
    "retrieve",
    "return",
    "revoke",
    "run",
    "save",
    "schedule",
    "search",
    "select",
    "sell",
    "send",
    "set",
    "share",
    "show",
    "sign",
    "sort",
    "start",
    "stop",
    "store",
    "submit",
    "subscribe",
    "summarize",
    "summarise",
    "suspend",
    "switch",
    "tag",
    "track",
    "transfer",
    "translate",
    "turn",
    "unblock",
    "unfollow",
    "unfreeze",
    "unlock",
    "unsubscribe",
    "update",
    "upload",
    "validate",
    "verify",
    "view",
    "withdraw",
    "write",
    "assess",
    "bill",
    "collect",
    "discard",
    "disconnect",
    "discontinue",
    "dispatch",
    "dispute",
    "escalate",
    "extend",
    "flag",
    "grade",
    "hand",
    "hire",
    "lend",
    "mute",
    "pass",
    "postpone",
    "propose",
    "quote",
    "reactivate",
    "reconnect",
    "redirect",
    "refill",
    "reimburse",
    "reinstate",
    "relist",
    "retire",
    "scan",
    "score",
    "seat",
    "settle",
    "ship",
    "uphold",
    "retweet",
    "mention",
    "like",
    "pin",
    "unpin",
    "undo",
    "waive",
    "vote",
    "install",
    "deploy",
    "repair",
    "fix",
    "dismiss",
    "snooze",
    "forward",
    "invoice",
    "quit",
    "borrow",
    "lease",
    "rent",
    "hide",
    "unhide",
    "ban",
    "kick",
    // Verbs of service and device APIs written by others ("Initiates a push event").
    "initiate",
    "trigger",
    "push",
    "pull",
    "restart",
    "render",
    "sync",
    "flip",
    "invoke",
    "execute",
    "launch",
    "terminate",
    "rotate",
    // Verbs of tools written by others (BFCL live, MCP servers): "Initializes a pipeline",
    // "This tool is used to bypass ...".
    "perform",
    "initialize",
    "initialise",
    "bypass",
    "provide",
    "process",
    "play",
    "encrypt",
    "decrypt",
    "encode",
    "decode",
    "monitor",
    "detect",
    "extract",
    "parse",
    "compress",
    "decompress",
    "ping",
    "classify",
    "resize",
    "crop",
    "remind",
    "evaluate",
    "inspect",
    "attempt",
    "interact",
    "solve",
];

/// Whether `w` (lowercase) is a verb a tool's action opens with.
pub fn is_common_verb(w: &str) -> bool {
    COMMON_VERBS.contains(&w)
}

/// The imperative of a description's opening verb in the third person ("Converts" ->
/// "convert", "Retrieves" -> "retrieve", "Applies" -> "apply"), lowercase; None when `w` is
/// not a [`COMMON_VERBS`] verb in either form.
pub fn imperative(w: &str) -> Option<String> {
    verb_forms(&w.to_lowercase()).find(|s| is_common_verb(s))
}

/// The rest of a clause whose opening verb was put in the imperative, with a second verb
/// joined by "and" or "or" put there too ("and deletes a specific event" -> "and delete a
/// specific event").
pub fn imperative_rest(rest: &str) -> String {
    let mut words: Vec<String> = rest.split(' ').map(str::to_string).collect();
    if words.len() >= 2 && matches!(words[0].as_str(), "and" | "or") {
        let w = words[1].to_lowercase();
        if let Some(v) = imperative(&w).filter(|v| *v != w) {
            words[1] = v;
        }
    }
    words.join(" ")
}

/// The forms a lowercase opening verb may stand for: itself, then its stems if it is in the
/// third person ("applies" -> "apply", "matches" -> "match", "converts" -> "convert").
pub fn verb_forms(w: &str) -> impl Iterator<Item = String> {
    [
        Some(w.to_string()),
        w.strip_suffix("ies").map(|s| format!("{s}y")),
        w.strip_suffix("es").map(str::to_string),
        w.strip_suffix('s').map(str::to_string),
    ]
    .into_iter()
    .flatten()
}

/// First words of a figure a tool computes ("the total kWh billed", "the average score").
const COMPUTED: [&str; 9] = [
    "total", "average", "number", "highest", "lowest", "largest", "smallest", "sum", "mean",
];

/// Words that open a clause a list verb cannot take as its object ("list who has read").
const WH_WORDS: [&str; 6] = ["who ", "what ", "which ", "where ", "when ", "how "];

/// Connectives from an item to an item of its own kind ("the card *of* the hold").
pub const OWNED: &[&str] = &[
    "of",
    "for",
    "belonging to",
    "linked to",
    "tied to",
    "associated with",
    "attached to",
    "connected to",
    "that belongs to",
    "related to",
    "that goes with",
];

/// Ways to name an item after its noun: `{t}` is the name.
pub const NAMES: &[&str] = &[
    "named {t}",
    "called {t}",
    "that goes by {t}",
    "known as {t}",
    "going by {t}",
    "listed as {t}",
    "under the name {t}",
    "with the name {t}",
    "labelled {t}",
    "that's called {t}",
];

/// Ways to name a person after the noun (a subset of [`NAMES`]: no "labelled", no "listed as").
pub const PERSON_NAMES: &[&str] = &[
    "named {t}",
    "called {t}",
    "that goes by {t}",
    "known as {t}",
    "going by {t}",
    "with the name {t}",
    "that's called {t}",
];

/// Ways to give a title after a noun.
pub const TITLES: &[&str] = &[
    "titled {t}",
    "called {t}",
    "with the title {t}",
    "named {t}",
    "listed as {t}",
    "entitled {t}",
    "that's called {t}",
];

/// Ways to place an item in a city.
pub const CITIES: &[&str] = &[
    "in {t}",
    "based in {t}",
    "located in {t}",
    "over in {t}",
    "situated in {t}",
    "out in {t}",
    "found in {t}",
    "somewhere in {t}",
    "down in {t}",
];

/// Openings of naming and placing qualifiers (they read best right after the noun).
pub fn is_naming(q: &str) -> bool {
    NAMES
        .iter()
        .chain(TITLES)
        .filter_map(|n| n.split(" {t}").next())
        .any(|n| q.starts_with(n))
}

/// Whether a word is a preposition (a label's last word that names no slot: "send on").
pub fn is_preposition(w: &str) -> bool {
    matches!(
        w,
        "on" | "at" | "by" | "in" | "of" | "to" | "for" | "from" | "with" | "per" | "until"
    )
}

/// Ways to join the steps of a request: `{a}` the earlier steps, `{b}` the last.
pub const THEN: &[&str] = &[
    "{a}, and then {b}",
    "{a}, then {b}",
    "{a}, and after that {b}",
    "{a}, and once that's done, {b}",
    "{a}, and finally {b}",
    "{a}; after that, {b}",
    "{a}, and when that's finished, {b}",
    "{a}, and right after that, {b}",
    "{a}, and as a last step, {b}",
    "{a}, and next {b}",
    "{a}, and to wrap up, {b}",
];

/// Ways to start a later step's own sentence: `{c}` is the step.
const NEXT: &[&str] = &[
    "Then {c}.",
    "After that, {c}.",
    "Next, {c}.",
    "Once that's done, {c}.",
];

/// Ways to start the last step's own sentence (none of them a [`NEXT`] opening, so two
/// sentences in a row never start alike).
const LAST: &[&str] = &[
    "Finally, {c}.",
    "Last, {c}.",
    "To finish, {c}.",
    "And lastly, {c}.",
];

/// A later step of a request as a sentence of its own (`last`: the final step).
pub fn next_sentence(c: &str, k: usize, last: bool) -> String {
    let forms = if last { LAST } else { NEXT };
    forms[k % forms.len()].replace("{c}", c)
}

/// Whether a tool issues access (a token later calls pass on): `authorize_account`,
/// `authenticate_travel`, `ticket_login`. The token is the session's, not an item to name.
pub fn grants_access(tool: &str) -> bool {
    tool.split('_').next() == Some("authorize") || signs_in(tool)
}

/// Whether a tool signs a user in (`authenticate_travel`, `ticket_login`): a session, where
/// [`grants_access`] also counts authorizing one item (`authorize_card`).
pub fn signs_in(tool: &str) -> bool {
    let first = tool.split('_').next().unwrap_or("");
    matches!(first, "authenticate" | "login" | "signin")
        || tool.ends_with("_login")
        || tool.ends_with("_authenticate")
}

/// The past participle of a verb that [`past`] leaves out (the item alone does not complete
/// it, or the query side does not use it), for reports that go on with the rest of the tool's
/// words ("I've assigned the employee to the shift", "I've marked the class attended").
pub fn participle(verb: &str) -> Option<&'static str> {
    Some(match verb {
        "add" => "added",
        "apply" => "applied",
        "assign" => "assigned",
        "attach" => "attached",
        "ban" => "banned",
        "bill" => "billed",
        "change" => "changed",
        "charge" => "charged",
        "claim" => "claimed",
        "clear" => "cleared",
        "collect" => "collected",
        "convert" => "converted",
        "deny" => "denied",
        "deploy" => "deployed",
        "disable" => "disabled",
        "edit" => "edited",
        "enable" => "enabled",
        "enroll" => "enrolled",
        "extend" => "extended",
        "follow" => "followed",
        "hand" => "handed",
        "hide" => "hidden",
        "hire" => "hired",
        "import" => "imported",
        "install" => "installed",
        "invite" => "invited",
        "join" => "joined",
        "leave" => "left",
        "lend" => "lent",
        "link" => "linked",
        "lock" => "locked",
        "log" => "logged",
        "mark" => "marked",
        "merge" => "merged",
        "modify" => "modified",
        "move" => "moved",
        "pass" => "passed",
        "pin" => "pinned",
        "publish" => "published",
        "quote" => "quoted",
        "receive" => "received",
        "redeem" => "redeemed",
        "redirect" => "redirected",
        "rename" => "renamed",
        "replace" => "replaced",
        "reset" => "reset",
        "restart" => "restarted",
        "return" => "returned",
        "scan" => "scanned",
        "score" => "scored",
        "set" => "set",
        "share" => "shared",
        "stop" => "stopped",
        "subscribe" => "subscribed",
        "suspend" => "suspended",
        "switch" => "switched",
        "tag" => "tagged",
        "transfer" => "transferred",
        "unfollow" => "unfollowed",
        "uninstall" => "uninstalled",
        "unlink" => "unlinked",
        "unlock" => "unlocked",
        "unpin" => "unpinned",
        "unpublish" => "unpublished",
        "unsubscribe" => "unsubscribed",
        "write" => "written",
        _ => return None,
    })
}

/// Fills `{a}` and `{b}` of a [`THEN`] pattern.
pub fn then(a: &str, b: &str, k: usize) -> String {
    THEN[k % THEN.len()].replace("{a}", a).replace("{b}", b)
}

/// The past tense of a write tool's verb, for the verbs whose past tense with the made or
/// changed item as object reads as a full report ("I've revoked the share link"). Verbs that
/// need more after the item ("mark ... delivered", "set ... to") are not here.
pub fn past(verb: &str) -> Option<&'static str> {
    Some(match verb {
        "accept" => "accepted",
        "activate" => "activated",
        "amend" => "amended",
        "approve" => "approved",
        "archive" => "archived",
        "assess" => "assessed",
        "block" => "blocked",
        "book" => "booked",
        "buy" => "bought",
        "cancel" => "cancelled",
        "close" => "closed",
        "complete" => "completed",
        "confirm" => "confirmed",
        "create" => "created",
        "decline" => "declined",
        "delete" => "deleted",
        "detach" => "detached",
        "discard" => "discarded",
        "disconnect" => "disconnected",
        "dispatch" => "dispatched",
        "dispute" => "disputed",
        "escalate" => "escalated",
        "file" => "filed",
        "finish" => "finished",
        "flag" => "flagged",
        "freeze" => "frozen",
        "grade" => "graded",
        "issue" => "issued",
        "make" => "made",
        "open" => "opened",
        "order" => "ordered",
        "pause" => "paused",
        "pay" => "paid",
        "place" => "placed",
        "plan" => "planned",
        "post" => "posted",
        "postpone" => "postponed",
        "propose" => "proposed",
        "reactivate" => "reactivated",
        "reconnect" => "reconnected",
        "record" => "recorded",
        "refund" => "refunded",
        "register" => "registered",
        "reimburse" => "reimbursed",
        "reinstate" => "reinstated",
        "reject" => "rejected",
        "release" => "released",
        "relist" => "relisted",
        "remove" => "removed",
        "renew" => "renewed",
        "reopen" => "reopened",
        "report" => "reported",
        "request" => "requested",
        "reschedule" => "rescheduled",
        "reserve" => "reserved",
        "resolve" => "resolved",
        "restore" => "restored",
        "resume" => "resumed",
        "retire" => "retired",
        "revoke" => "revoked",
        "save" => "saved",
        "schedule" => "scheduled",
        "send" => "sent",
        "settle" => "settled",
        "ship" => "shipped",
        "sign" => "signed",
        "start" => "started",
        "submit" => "submitted",
        "unfreeze" => "unfrozen",
        "update" => "updated",
        "upload" => "uploaded",
        "uphold" => "upheld",
        "verify" => "verified",
        "withdraw" => "withdrawn",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_of_any_dialect_grant_access_and_other_tools_do_not() {
        for t in [
            "authorize_account",
            "authenticate_travel",
            "ticket_login",
            "login",
            "desk_login",
        ] {
            assert!(grants_access(t), "{t}");
        }
        for t in [
            "get_login_status",
            "book_flight",
            "loginless_search",
            "authority_list",
        ] {
            assert!(!grants_access(t), "{t}");
        }
    }

    #[test]
    fn third_person_verbs_give_their_imperative() {
        assert_eq!(imperative("Converts").as_deref(), Some("convert"));
        assert_eq!(
            imperative_rest("and deletes a specific event"),
            "and delete a specific event"
        );
        // Only a verb right after the conjunction; nouns stay as they are.
        assert_eq!(imperative_rest("and places a hold"), "and place a hold");
        assert_eq!(imperative_rest("events and deletes"), "events and deletes");
        assert_eq!(imperative_rest("and details"), "and details");
        assert_eq!(imperative("Applies").as_deref(), Some("apply"));
        assert_eq!(imperative("Searches").as_deref(), Some("search"));
        assert_eq!(imperative("book").as_deref(), Some("book"));
        assert_eq!(imperative("This"), None);
        assert_eq!(imperative("liter"), None);
    }

    #[test]
    fn verbs_change_only_the_leading_word() {
        assert_eq!(verb("list the bills", 1), "show me the bills");
        assert_eq!(verb("list the bills", 0), "list the bills");
        assert_eq!(verb("listen to it", 1), "listen to it");
        // Never "reserve a reservation".
        assert_eq!(verb("book a reservation", 1), "book a reservation");
        assert_eq!(verb("book a flight", 1), "reserve a flight");
        assert_eq!(verb("search for flights", 1), "look for flights");
        assert_eq!(verb("pay for an order", 1), "pay for an order");
        assert_eq!(verb("cancel", 1), "call off");
        assert_eq!(verb("show me the dishes", 1), "display the dishes");
        // A figure is worked out, never "tracked down".
        assert_eq!(
            verb("find the total kWh billed", 2),
            "figure out the total kWh billed"
        );
        assert_eq!(verb("find the tariff", 2), "locate the tariff");
        // A list of who or what is shown or told, never "pulled up" or "given".
        assert_eq!(
            verb("list who is on a shift", 0),
            "show me who is on a shift"
        );
        assert_eq!(
            verb("list who is on a shift", 3),
            "tell me who is on a shift"
        );
        // Every verb has another wording, except guards that keep a phrasal verb as it is.
        for forms in VERBS {
            assert!(forms.len() >= 2 || forms[0].contains(' '), "{forms:?}");
        }
    }

    #[test]
    fn later_steps_get_sentences_that_start_differently() {
        assert_eq!(
            next_sentence("archive it", 1, false),
            "After that, archive it."
        );
        assert_eq!(next_sentence("archive it", 0, true), "Finally, archive it.");
        for a in NEXT {
            assert!(!LAST.contains(a), "{a}");
        }
    }

    #[test]
    fn naming_wordings_are_recognised() {
        for n in NAMES.iter().chain(TITLES) {
            assert!(is_naming(&n.replace("{t}", "X")), "{n}");
        }
        for n in PERSON_NAMES {
            assert!(NAMES.contains(n), "{n} is a naming wording too");
        }
        assert!(!is_naming("whose name is X"));
        assert_eq!(then("a", "b", 1), "a, then b");
    }
}
