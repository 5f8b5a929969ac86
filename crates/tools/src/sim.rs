//! The `simulated` executor: runs tools that have a spec but no implementation (an imported
//! collection). Results conform to each tool's `returns` schema and are deterministic from the
//! seed, the tool and its arguments; a trajectory stays consistent: an identifier handed out by
//! one result is accepted by later calls (an unknown one is `not found`), and an item fetched
//! again by its id shows the fields it was first given. Data made this way carries the
//! guarantee `simulated`, never `executed`: the values are plausible, not true.

use crate::env::Environment;
use crate::validate;
use crate::world::{pools, stream_seed};
use hardgen_core::spec::{is_identifier_name, stated_choices};
use hardgen_core::{SpecError, ToolCall, ToolError, ToolSpec};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use xxhash_rust::xxh3::xxh3_64;

/// The guarantee a record made on this executor carries.
pub const GUARANTEE: &str = "simulated";

/// Kinds of object (the last word of a tool's name) that are people: their names are names of
/// people.
const PEOPLE: &[&str] = &[
    "contact",
    "person",
    "user",
    "member",
    "employee",
    "customer",
    "attendee",
    "patient",
    "student",
    "guest",
    "author",
    "owner",
    "client",
    "passenger",
    "driver",
    "candidate",
    "applicant",
    "friend",
    "recipient",
    "participant",
    "speaker",
    "instructor",
    "teacher",
    "agent",
    "tenant",
    "landlord",
    "traveler",
    "traveller",
    "cardholder",
    "holder",
    "visitor",
    "volunteer",
    "therapist",
    "stylist",
    "doctor",
    "dentist",
    "physician",
    "nurse",
    "trainer",
    "coach",
    "tutor",
    "artist",
    "actor",
    "director",
    "manager",
    "assignee",
    "reviewer",
    "sender",
    "receiver",
    "payee",
    "payer",
    "caller",
    "worker",
    "technician",
];

/// IATA codes of real airports: what a user types for "the 3 letter code of the airport".
const AIRPORTS: &[&str] = &[
    "LHR", "JFK", "CDG", "AMS", "FRA", "MAD", "LIS", "DUB", "SFO", "LAX", "ORD", "BOS", "SEA",
    "YYZ", "NRT", "HND", "PEK", "HKG", "SIN", "SYD", "FCO", "ZRH", "CPH", "OSL", "ARN", "MUC",
];

/// Stock tickers a user would name.
/// Lines of text that hold a searched word `{p}`, about some other matter `{w}` (so a long
/// list of hits is not a few lines over and over).
const MATCHED_LINES: &[&str] = &[
    "Please review the {p} notes before the {w} meeting.",
    "Updated {p} figures for the {w} project are in the shared folder.",
    "TODO: finish the {p} section of the {w} report.",
    "The {p} question came up again at the {w} review.",
    "Next step: send the {p} summary to the {w} team.",
    "Note: the {p} plan for {w} needs a second check.",
    "Can we talk about the {p} part of the {w} budget?",
    "Reminder: {p} items for {w} are due on Friday.",
];

const TICKERS: &[&str] = &[
    "AAPL", "MSFT", "NVDA", "GOOG", "AMZN", "TSLA", "META", "NFLX", "AMD", "INTC", "ORCL", "IBM",
    "ADBE", "CRM", "PYPL", "UBER", "SHOP", "SAP", "ASML", "TSM",
];

/// What a support desk answers.
const REPLIES: &[&str] = &[
    "Thank you for contacting us. We have received your message and will reply within 24 hours.",
    "Thanks for reaching out. A support agent has been assigned and will contact you shortly.",
    "We are sorry for the trouble. Your request has been logged and we will follow up by e-mail.",
    "Thank you for your message. Our team is looking into it and will get back to you today.",
];

/// First words of tool names that read rather than change (`get_order_details`).
const READ_VERBS: &[&str] = &[
    "get", "check", "is", "has", "estimate", "display", "view", "list", "search", "find", "show",
    "fetch", "retrieve", "read", "query", "lookup", "count", "verify",
];

/// The most rows a list of a long-context world holds, however small its rows.
const LONG_ROWS: usize = 400;

/// Short messages, notes and replies as people write them.
const MESSAGES: &[&str] = &[
    "Can we move this to Friday afternoon?",
    "Please call me back after 5 pm.",
    "The item arrived damaged and I would like a replacement.",
    "Thanks, that works for me.",
    "I was charged twice for the same order.",
    "Running ten minutes late, sorry.",
    "Could you send me the updated schedule?",
    "My card was declined at checkout.",
    "Please cancel the second reservation.",
    "The issue is fixed after restarting the router.",
    "I cannot log in since the last update.",
    "Let me know once the refund has gone through.",
    "Reset the password and cleared the cache.",
    "Great news, congratulations to the whole team!",
    "The heating in room 12 is not working.",
    "Is there a vegetarian option on the menu?",
    "Meeting moved to 3 pm, same room.",
    "Can you review my pull request before lunch?",
    "The delivery window was missed again today.",
    "Happy birthday! Hope you have a great day.",
    "Please add me to the waiting list.",
    "Who has the keys to the storage room?",
    "I left my umbrella in the conference room.",
    "The new schedule looks good to me.",
    "Could we get a quote for 20 more units?",
    "My flight lands at 7, see you at the hotel.",
    "Reminder: timesheets are due on Friday.",
    "The parking lot will be closed on Monday.",
    "Any update on my application?",
    "Lunch is on me today, thanks for the help.",
    "The report is attached, let me know what you think.",
    "Sorry, I have to miss tomorrow's call.",
    "The coffee machine on floor 2 is broken again.",
    "Can someone cover my shift on Saturday?",
    "We hit our sales target for the quarter!",
    "Please confirm the booking for two people.",
    "The link in your last e-mail does not open.",
    "I would like to change my delivery address.",
    "Is the gym open on public holidays?",
    "Your order has been shipped and is on its way.",
    "Just checking in on the status of the repair.",
    "Welcome to the team, glad to have you here!",
    "The Wi-Fi password has changed, ask reception.",
    "Can I pay the invoice in two instalments?",
    "Traffic is terrible, starting without me is fine.",
    "The projector in room B needs a new bulb.",
    "Thanks for the quick reply, problem solved.",
    "Could you resend the contract with the corrections?",
];

/// Subjects and titles of tickets, posts and documents.
const SUBJECTS: &[&str] = &[
    "Cannot log in",
    "Refund request",
    "Late delivery",
    "Billing question",
    "App keeps crashing",
    "Printer not connecting",
    "Wrong item received",
    "Password reset not working",
    "Quarterly report",
    "Team offsite plan",
    "Website down",
    "Invoice missing",
    "Account locked",
    "Update billing address",
    "Feature request: dark mode",
    "Order never arrived",
    "Duplicate charge",
    "Slow page loading",
    "Cannot upload files",
    "Change of delivery date",
    "Warranty claim",
    "Annual budget review",
    "Onboarding checklist",
    "Server maintenance window",
    "Email notifications not sent",
    "Subscription cancellation",
    "Broken link on homepage",
    "Data export request",
];

/// Kinds of object that are places or businesses: their names are a place and the kind
/// ("Ashford Restaurant", "Wrenmere Hotel"), not two random words ("Training memo").
const VENUES: &[&str] = &[
    "restaurant",
    "hotel",
    "store",
    "shop",
    "cafe",
    "bar",
    "pub",
    "gym",
    "clinic",
    "hospital",
    "pharmacy",
    "school",
    "university",
    "venue",
    "museum",
    "park",
    "theater",
    "theatre",
    "cinema",
    "library",
    "bakery",
    "salon",
    "spa",
    "garage",
    "airport",
    "station",
    "stadium",
    "gallery",
    "market",
    "branch",
    "campus",
    "office",
    "warehouse",
    "farm",
    "resort",
    "hostel",
    "studio",
    "church",
    "zoo",
    "marina",
    "club",
    "court",
    "arena",
    "centre",
    "center",
];

/// Kinds of object that are dishes, and the words their names are made of ("Smoky Lentil
/// Stew"): a recipe called "Sales delivery" teaches nothing but noise.
const DISHES: &[&str] = &["recipe", "dish", "meal", "menu"];
const DISH_FIRST: &[&str] = &[
    "Lemon", "Garlic", "Spicy", "Roasted", "Creamy", "Smoky", "Herb", "Honey", "Ginger", "Chili",
    "Coconut", "Mushroom", "Tomato", "Pesto", "Miso", "Harissa",
];
const DISH_LAST: &[&str] = &[
    "Chicken",
    "Pasta",
    "Risotto",
    "Curry",
    "Salad",
    "Soup",
    "Tacos",
    "Noodles",
    "Lentil Stew",
    "Tart",
    "Salmon",
    "Flatbread",
    "Omelette",
    "Gnocchi",
    "Dumplings",
    "Rice Bowl",
];
/// Kinds of object that are ingredients or groceries, and their names.
const FOODS: &[&str] = &["ingredient", "grocery", "food", "produce"];
const FOOD_NAMES: &[&str] = &[
    "Basmati rice",
    "Red lentils",
    "Cherry tomatoes",
    "Garlic",
    "Fresh ginger",
    "Coconut milk",
    "Olive oil",
    "Parmesan",
    "Spinach",
    "Red onion",
    "Chickpeas",
    "Lemons",
    "Basil",
    "Chicken thighs",
    "Salmon fillet",
    "Greek yogurt",
    "Brown mushrooms",
    "Tofu",
    "Egg noodles",
    "Butter",
    "Plain flour",
    "Free-range eggs",
    "Honey",
    "Soy sauce",
    "Smoked paprika",
    "Cumin seeds",
    "Mozzarella",
    "Sweet potatoes",
    "Avocados",
    "Limes",
    "Feta",
    "Courgettes",
];
/// Kinds of object that have titles like works ("The Quiet Harbour").
const WORKS: &[&str] = &[
    "song", "track", "album", "playlist", "movie", "film", "book", "podcast", "episode", "show",
    "series", "article", "novel", "game",
];
const WORK_FIRST: &[&str] = &[
    "Quiet", "Golden", "Northern", "Midnight", "Silver", "Wild", "Lost", "Summer", "Paper",
    "Electric", "Hidden", "Last", "Distant", "Velvet", "Broken", "Early",
];
const WORK_LAST: &[&str] = &[
    "Harbour", "Lights", "Garden", "River", "Season", "Letters", "Roads", "Echoes", "Tide",
    "Orchard", "Signals", "Hours", "Maps", "Voices", "Skies", "Shore",
];

/// Kinds of object that are rooms, named by their type ("Deluxe Double", "Garden Suite").
const ROOMS: &[&str] = &["room", "suite", "cabin", "berth"];
const ROOM_FIRST: &[&str] = &[
    "Standard",
    "Deluxe",
    "Superior",
    "Executive",
    "Family",
    "Garden",
    "Sea View",
    "Junior",
];
const ROOM_LAST: &[&str] = &["Double", "Twin", "King", "Single", "Suite", "Studio"];

/// Kinds whose names are two words, each from its own list: (kinds, first words, last words).
const PAIRED: &[(&[&str], &[&str], &[&str])] = &[
    (DISHES, DISH_FIRST, DISH_LAST),
    (ROOMS, ROOM_FIRST, ROOM_LAST),
    (WORKS, WORK_FIRST, WORK_LAST),
];

/// Requests and states of a thing switched on, and of one switched off: a `start` call
/// leaves the engine `running`.
const ON_WORDS: &[&str] = &[
    "start", "on", "run", "running", "started", "enable", "enabled", "activate", "active", "open",
    "opened", "unlock", "unlocked",
];
const OFF_WORDS: &[&str] = &[
    "stop",
    "off",
    "stopped",
    "disable",
    "disabled",
    "deactivate",
    "inactive",
    "close",
    "closed",
    "lock",
    "locked",
];
/// Kinds whose `*_name` is a code name ("the Atlas project").
const CODENAMED: &[&str] = &[
    "project",
    "alert",
    "mapping",
    "workspace",
    "dashboard",
    "config",
    "configuration",
    "service",
    "point",
    "plan",
    "team",
    "app",
    "application",
    "environment",
    "cluster",
    "pipeline",
    "campaign",
    "model",
    "bucket",
    "repo",
    "repository",
    "website",
    "site",
    "policy",
    "rule",
    "channel",
    "server",
    "instance",
    "database",
    "table",
    "index",
    "widget",
    "report",
    "profile",
    "template",
    "job",
    "workflow",
    "integration",
    "webhook",
    "number",
    "string",
    "variable",
    "version",
    "release",
    "build",
    "device",
    "robot",
];
/// Kinds whose `*_name` is a title saying what the item is about.
const TITLED: &[&str] = &[
    "ticket", "task", "issue", "bug", "note", "todo", "story", "incident", "request", "case",
];
/// Names teams give projects, alerts and mappings ("Atlas", "Nimbus").
const CODENAMES: &[&str] = &[
    "Atlas",
    "Orion",
    "Phoenix",
    "Nimbus",
    "Aurora",
    "Falcon",
    "Zephyr",
    "Apollo",
    "Vega",
    "Polaris",
    "Helios",
    "Titan",
    "Cobalt",
    "Juniper",
    "Horizon",
    "Summit",
    "Beacon",
    "Quartz",
    "Ember",
    "Meridian",
    "Cascade",
    "Lighthouse",
    "Keystone",
    "Northstar",
];
/// Variables of a data set.
const VARIABLES: &[&str] = &[
    "age",
    "income",
    "education_years",
    "hours_worked",
    "price",
    "square_feet",
    "temperature",
    "sales",
];
/// Genres of books, films and music.
const GENRES: &[&str] = &[
    "mystery",
    "science fiction",
    "fantasy",
    "biography",
    "history",
    "jazz",
    "classical",
    "comedy",
    "thriller",
];
/// Species as a naturalist names them.
const SPECIES: &[&str] = &[
    "red fox",
    "bald eagle",
    "African elephant",
    "monarch butterfly",
    "snow leopard",
    "green sea turtle",
    "gray wolf",
];
/// Performing artists.
const ARTISTS: &[&str] = &[
    "Taylor Swift",
    "Coldplay",
    "Adele",
    "Ed Sheeran",
    "Beyoncé",
    "Arctic Monkeys",
    "Norah Jones",
];
/// Topics of study, law and news.
const TOPICS: &[&str] = &[
    "data privacy",
    "climate policy",
    "contract law",
    "renewable energy",
    "public health",
    "tax reform",
    "machine learning",
    "urban planning",
];
/// Facts an assistant keeps in memory about its user.
const MEMORY_FACTS: &[&str] = &[
    "Prefers window seats on long flights.",
    "The quarterly report is due on March 31.",
    "Allergic to peanuts.",
    "Works from home on Fridays.",
    "Favourite cuisine is Thai.",
    "Daughter's birthday is on June 12.",
    "Uses the metric system.",
    "Gym sessions are on Monday and Thursday evenings.",
    "Drives an electric car.",
    "Prefers e-mail over phone calls.",
    "Is learning Spanish.",
    "Has a cat called Miso.",
    "Takes the 8:15 train to work.",
    "Budget for the kitchen renovation is 12,000 euros.",
    "Likes aisle seats at the cinema.",
    "Book club meets on the first Tuesday of the month.",
];
/// Questions a developer asks a coding assistant.
const CODE_QUESTIONS: &[&str] = &[
    "How do I reverse a linked list in place?",
    "Why does my recursive function hit the recursion limit?",
    "How can I read a large CSV file line by line?",
    "What is the difference between a list and a tuple?",
];
/// Questions on computer security.
const SECURITY_QUESTIONS: &[&str] = &[
    "How does a SQL injection attack work?",
    "What is a cross-site scripting vulnerability?",
    "How can I harden an SSH server?",
    "What does a port scan reveal about a host?",
];
/// Products as shops list them.
const PRODUCTS: &[&str] = &[
    "Wireless mouse",
    "USB-C charger",
    "Running shoes",
    "Desk lamp",
    "Water bottle",
    "Hiking backpack",
    "Bluetooth speaker",
    "Yoga mat",
    "Coffee grinder",
    "Noise-cancelling headphones",
];
/// Banks, as a customer names theirs.
const BANKS: &[&str] = &[
    "Chase",
    "Barclays",
    "HSBC",
    "Wells Fargo",
    "Santander",
    "Citibank",
    "ING",
    "Lloyds",
];
/// Git branches as repositories name them.
const BRANCHES: &[&str] = &[
    "main",
    "develop",
    "release/2.4",
    "feature/login-page",
    "hotfix/timeout",
    "staging",
];
/// Browser user agents.
const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
];

/// One of `xs`, drawn uniformly.
fn one_of(rng: &mut ChaCha8Rng, xs: &[&'static str]) -> &'static str {
    xs[rng.random_range(0..xs.len())]
}

/// Tools, their compiled parameter validators and name index (shared by clones).
struct Catalog {
    specs: Vec<ToolSpec>,
    by_name: HashMap<String, usize>,
    validators: Vec<jsonschema::Validator>,
    /// Identifier parameters no result has a field for (`client_id`, `refresh_token` of a
    /// login): the user's own, so any value is accepted and made-up ones are offered.
    external: BTreeSet<String>,
    /// [`choices`] of every parameter and result field that has them, by name.
    hints: BTreeMap<String, Vec<String>>,
}

/// The one top-level numeric field of a result schema (`{"result": number}`), if it has
/// exactly one.
fn sole_number(schema: &Value) -> Option<String> {
    let props = schema.get("properties")?.as_object()?;
    let mut nums = props.iter().filter(|(_, s)| {
        matches!(
            s.get("type").and_then(Value::as_str),
            Some("number" | "integer")
        )
    });
    let (k, _) = nums.next()?;
    nums.next().is_none().then(|| k.clone())
}

/// The result of a tool that does arithmetic on its inputs, by what its name and description
/// say it does (sum, difference, product, quotient, power, square root, logarithm, absolute
/// value, rounding, percentage, minimum, maximum, mean, median, standard deviation); None for
/// every other tool, or when the inputs are not all there. Inputs named like a precision or
/// a number of decimal places round the result instead of taking part in it.
fn arithmetic(spec: &ToolSpec, args: &Map<String, Value>) -> Option<Value> {
    let said = format!(
        "{} {}",
        spec.name.replace('_', " "),
        hardgen_core::spec::own_description(&spec.description)
    )
    .to_lowercase();
    let props = spec
        .parameters
        .get("properties")
        .and_then(Value::as_object)?;
    // No item to act on: a calculator takes numbers only.
    if props.keys().any(|k| is_identifier_name(k)) {
        return None;
    }
    // `si_unit_conversion(value, unit_in, unit_out)`: the units are arguments.
    let text = |k: &str| args.get(k).and_then(Value::as_str);
    let units = [
        ("unit_in", "unit_out"),
        ("from_unit", "to_unit"),
        ("source_unit", "target_unit"),
    ]
    .iter()
    .find_map(|(a, b)| Some((text(a)?, text(b)?)));
    if let Some((from, to)) = units {
        let mut nums = args.values().filter_map(Value::as_f64);
        let (Some(x), None) = (nums.next(), nums.next()) else {
            return None;
        };
        let y = (convert_units(from, to)?)(x);
        let r = (y * 10_000.0).round() / 10_000.0;
        return serde_json::Number::from_f64(r).map(Value::Number);
    }
    let rounding =
        |k: &str| k.contains("precision") || k.contains("decimal") || k.contains("digits");
    let mut xs: Vec<f64> = Vec::new();
    let mut places: Option<i32> = None;
    let mut named: BTreeMap<&str, f64> = BTreeMap::new();
    for k in props.keys() {
        match args.get(k) {
            Some(Value::Number(n)) if rounding(k) => {
                places = n.as_f64().map(|p| p.clamp(0.0, 10.0) as i32);
            }
            Some(Value::Number(n)) => {
                let x = n.as_f64()?;
                named.insert(k.as_str(), x);
                xs.push(x);
            }
            Some(Value::Array(a)) => {
                for v in a {
                    xs.push(v.as_f64()?);
                }
            }
            Some(Value::String(_)) => return None,
            _ => {}
        }
    }
    if xs.is_empty() {
        return None;
    }
    let has = |w: &[&str]| {
        w.iter()
            .any(|x| said.split(|c: char| !c.is_alphanumeric()).any(|t| t == *x))
    };
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let two = || (xs.len() == 2).then(|| (xs[0], xs[1]));
    let x = if let Some(y) = conversion(&spec.name).and_then(|f| (xs.len() == 1).then(|| f(xs[0])))
    {
        y
    } else if has(&["factorial"]) {
        let k = xs[0];
        ((0.0..=20.0).contains(&k) && k.fract() == 0.0)
            .then(|| (1..=k as u64).product::<u64>() as f64)?
    } else if has(&["gcd", "hcf", "lcm"])
        || (has(&["common"]) && has(&["divisor", "factor", "multiple"]))
    {
        let (a, b) = two()?;
        let (a, b) = (a.abs() as u64, b.abs() as u64);
        let gcd = |mut x: u64, mut y: u64| {
            while y != 0 {
                (x, y) = (y, x % y);
            }
            x
        };
        let g = gcd(a, b);
        if has(&["lcm", "multiple"]) {
            a.checked_div(g).map_or(0.0, |q| (q * b) as f64)
        } else {
            g as f64
        }
    } else if has(&["hypot", "hypotenuse", "euclidean"]) {
        xs.iter().map(|x| x * x).sum::<f64>().sqrt()
    } else if has(&["circumference"]) {
        2.0 * std::f64::consts::PI * named.get("radius").copied()?
    } else if has(&["area"]) && has(&["circle"]) {
        std::f64::consts::PI * named.get("radius").copied()?.powi(2)
    } else if has(&["area"]) && has(&["triangle"]) && named.contains_key("side3") {
        // Heron's formula.
        let (a, b, c) = (
            named.get("side1").copied()?,
            named.get("side2").copied()?,
            named.get("side3").copied()?,
        );
        let p = (a + b + c) / 2.0;
        let sq = p * (p - a) * (p - b) * (p - c);
        (sq >= 0.0).then(|| sq.sqrt())?
    } else if has(&["speed", "velocity"])
        && !has(&["final", "initial"])
        && named.contains_key("distance")
    {
        let t = ["time", "duration"]
            .iter()
            .find_map(|k| named.get(k))
            .copied()?;
        (t != 0.0).then(|| named["distance"] / t)?
    } else if has(&["density"]) {
        let (m, v) = (named.get("mass").copied()?, named.get("volume").copied()?);
        (v != 0.0).then(|| m / v)?
    } else if has(&["future"]) && has(&["value"]) {
        // FV = PV (1 + r)^n, a rate above 1 being a percentage.
        let pv = [
            "present_value",
            "principal",
            "initial_investment",
            "investment",
        ]
        .iter()
        .find_map(|k| named.get(k))
        .copied()?;
        let r = ["annual_interest_rate", "interest_rate", "rate"]
            .iter()
            .find_map(|k| named.get(k))
            .copied()?;
        let n = ["years", "time", "periods", "time_years"]
            .iter()
            .find_map(|k| named.get(k))
            .copied()?;
        let r = if r > 1.0 { r / 100.0 } else { r };
        pv * (1.0 + r).powf(n)
    } else if has(&["displacement"]) {
        // s = u t + a t^2 / 2.
        let u = ["initial_velocity", "initial_speed"]
            .iter()
            .find_map(|k| named.get(k))
            .copied()
            .unwrap_or(0.0);
        let t = named.get("time").copied()?;
        let a = named.get("acceleration").copied().unwrap_or(0.0);
        u * t + a * t * t / 2.0
    } else if has(&["area"]) && has(&["triangle"]) {
        named.get("base").copied()? * named.get("height").copied()? / 2.0
    } else if said.contains("standard deviation") || has(&["stdev", "std"]) {
        (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt()
    } else if said.contains("square root") || has(&["sqrt"]) {
        (xs[0] >= 0.0).then(|| xs[0].sqrt())?
    } else if has(&["logarithm", "log"]) {
        let value = named
            .get("value")
            .or(named.get("number"))
            .copied()
            .unwrap_or(xs[0]);
        let base = named.get("base").copied().unwrap_or(std::f64::consts::E);
        (value > 0.0 && base > 0.0 && base != 1.0).then(|| value.ln() / base.ln())?
    } else if has(&["percentage", "percent"]) {
        // Only with its roles named: `calculate_tip(bill, tip_percentage)` is no ratio.
        let part = named.get("part").copied()?;
        let whole = named.get("whole").copied()?;
        (whole != 0.0).then(|| part / whole * 100.0)?
    } else if has(&["power", "exponent"]) {
        let base = named.get("base").copied()?;
        let exp = named.get("exponent").copied()?;
        base.powf(exp)
    } else if has(&["absolute"]) {
        xs[0].abs()
    } else if has(&["round"]) {
        xs[0]
    } else if has(&["minimum", "min"]) {
        xs.iter().copied().fold(f64::INFINITY, f64::min)
    } else if has(&["maximum", "max"]) {
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    } else if has(&["median"]) {
        let mut s = xs.clone();
        s.sort_by(f64::total_cmp);
        let m = s.len() / 2;
        if s.len().is_multiple_of(2) {
            (s[m - 1] + s[m]) / 2.0
        } else {
            s[m]
        }
    } else if has(&["mean", "average"]) {
        mean
    } else if has(&["subtract", "difference", "minus"]) {
        let (a, b) = two()?;
        a - b
    } else if has(&["divide", "quotient"]) {
        let (a, b) = two()?;
        (b != 0.0).then(|| a / b)?
    } else if has(&["multiply", "product", "times"]) {
        xs.iter().product()
    } else if has(&["sum", "add", "plus"]) {
        xs.iter().sum()
    } else {
        return None;
    };
    let p = 10f64.powi(places.unwrap_or(if has(&["round"]) { 0 } else { 4 }));
    let r = (x * p).round() / p;
    r.is_finite()
        .then(|| serde_json::Number::from_f64(r).map(Value::Number))?
}

/// The real roots of `a x^2 + b x + c = 0` from arguments `a`, `b` and `c` (smaller first; none
/// when there are none); None without the three numbers or with `a` zero.
fn quadratic_roots(args: &Map<String, Value>) -> Option<Value> {
    let n = |k: &str| args.get(k).and_then(Value::as_f64);
    let (a, b, c) = (n("a")?, n("b")?, n("c")?);
    if a == 0.0 {
        return None;
    }
    let d = b * b - 4.0 * a * c;
    let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
    let roots: Vec<f64> = if d < 0.0 {
        Vec::new()
    } else if d == 0.0 {
        vec![round(-b / (2.0 * a))]
    } else {
        let (r1, r2) = ((-b - d.sqrt()) / (2.0 * a), (-b + d.sqrt()) / (2.0 * a));
        vec![round(r1.min(r2)), round(r1.max(r2))]
    };
    Some(Value::Array(roots.into_iter().map(Value::from).collect()))
}

/// The conversion a tool named `{unit}_to_{unit}` does (`liter_to_gallon`,
/// `convert_km_to_miles`, `celsius_to_fahrenheit`); None for other names and for units of
/// different kinds.
fn conversion(tool: &str) -> Option<Box<dyn Fn(f64) -> f64>> {
    let words = crate::infer::name_words(tool);
    let at = words.iter().position(|w| w == "to")?;
    convert_units(words.get(at.checked_sub(1)?)?, words.get(at + 1)?)
}

/// The conversion from one unit to another of the same kind, by their names in any common
/// form ("km", "kilometers", "Feet"); None for unknown units or units of different kinds.
fn convert_units(from: &str, to: &str) -> Option<Box<dyn Fn(f64) -> f64>> {
    // (unit, kind, size in the kind's base unit)
    const UNITS: &[(&str, &str, f64)] = &[
        ("liter", "volume", 1.0),
        ("litre", "volume", 1.0),
        ("l", "volume", 1.0),
        ("milliliter", "volume", 0.001),
        ("ml", "volume", 0.001),
        ("gallon", "volume", 3.785_411_784),
        ("meter", "length", 1.0),
        ("metre", "length", 1.0),
        ("m", "length", 1.0),
        ("km", "length", 1000.0),
        ("kilometer", "length", 1000.0),
        ("centimeter", "length", 0.01),
        ("millimeter", "length", 0.001),
        ("mm", "length", 0.001),
        ("mile", "length", 1609.344),
        ("foot", "length", 0.3048),
        ("feet", "length", 0.3048),
        ("ft", "length", 0.3048),
        ("inch", "length", 0.0254),
        ("inche", "length", 0.0254),
        ("in", "length", 0.0254),
        ("yard", "length", 0.9144),
        ("cm", "length", 0.01),
        ("kg", "mass", 1.0),
        ("kilogram", "mass", 1.0),
        ("gram", "mass", 0.001),
        ("g", "mass", 0.001),
        ("pound", "mass", 0.453_592_37),
        ("lb", "mass", 0.453_592_37),
        ("ounce", "mass", 0.028_349_523),
        ("oz", "mass", 0.028_349_523),
    ];
    let norm = |u: &str| {
        let u = u.trim().to_ascii_lowercase();
        match u.strip_suffix('s') {
            Some(one) if u.len() > 2 => one.to_string(),
            _ => u,
        }
    };
    let (from, to) = (norm(from), norm(to));
    let temp = |u: &str| matches!(u, "celsiu" | "celsius" | "fahrenheit" | "kelvin");
    if temp(&from) && temp(&to) {
        let to_c: fn(f64) -> f64 = match from.as_str() {
            "fahrenheit" => |x| (x - 32.0) * 5.0 / 9.0,
            "kelvin" => |x| x - 273.15,
            _ => |x| x,
        };
        let from_c: fn(f64) -> f64 = match to.as_str() {
            "fahrenheit" => |c| c * 9.0 / 5.0 + 32.0,
            "kelvin" => |c| c + 273.15,
            _ => |c| c,
        };
        return Some(Box::new(move |x| from_c(to_c(x))));
    }
    let unit = |u: &str| {
        UNITS
            .iter()
            .find(|(n, _, _)| *n == u)
            .map(|&(_, k, f)| (k, f))
    };
    let ((k1, f1), (k2, f2)) = (unit(&from)?, unit(&to)?);
    (k1 == k2).then(|| Box::new(move |x: f64| x * f1 / f2) as Box<dyn Fn(f64) -> f64>)
}

/// A word of the named value pool ("first_names", "cities").
fn pool_word(rng: &mut ChaCha8Rng, pool: &str) -> String {
    let p = pools::pool(pool).unwrap_or(&["item"]);
    p[rng.random_range(0..p.len())].to_string()
}

/// Calls `f` with every named property of a schema, at any depth.
fn for_each_field(schema: &Value, f: &mut dyn FnMut(&str, &Value)) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, s) in props {
            f(k, s);
            for_each_field(s, f);
        }
    }
    if let Some(items) = schema.get("items") {
        for_each_field(items, f);
    }
}

/// The text of an identifier value: a string as it is, an integer id (`ticket_id: 4021`) in
/// digits.
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// What a read finds for a name that matches nothing: its lists empty (and their counts 0)
/// when its result has lists, else a `not found` error naming the parameter.
fn nothing_found(spec: &ToolSpec, param: &str, v: &str) -> Result<Value, ToolError> {
    let ty = |s: &Value| s.get("type").and_then(Value::as_str).map(str::to_string);
    let schema = spec.returns.as_ref();
    if schema.and_then(ty).as_deref() == Some("array") {
        return Ok(Value::Array(Vec::new()));
    }
    let props = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    let lists: Vec<&String> = props
        .into_iter()
        .flatten()
        .filter(|(_, s)| ty(s).as_deref() == Some("array"))
        .map(|(k, _)| k)
        .collect();
    if lists.is_empty() {
        return Err(ToolError::NotFound {
            what: param.replace('_', " "),
            id: v.to_string(),
        });
    }
    let mut out = Map::new();
    for (k, s) in props.into_iter().flatten() {
        let counts = matches!(ty(s).as_deref(), Some("integer" | "number"))
            && (k == "count" || k.starts_with("total") || k.starts_with("num"));
        if lists.contains(&k) {
            out.insert(k.clone(), Value::Array(Vec::new()));
        } else if counts {
            out.insert(k.clone(), Value::from(0));
        }
    }
    Ok(Value::Object(out))
}

/// What a trajectory has built up so far (saved and restored as a whole).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimState {
    /// Identifier values results have handed out, with the kinds they were shown as
    /// (`contact` for `owner_contact_id`).
    known: BTreeMap<String, BTreeSet<String>>,
    /// The scalar fields first shown with each identifier value.
    items: BTreeMap<String, Map<String, Value>>,
    /// Hashes of the results so far: the digest (no inner state to compare).
    log: Vec<u64>,
}

/// An [`Environment`] over specs alone; see the module docs.
#[derive(Clone)]
pub struct Simulated {
    catalog: Arc<Catalog>,
    seed: u64,
    state: SimState,
    /// Which tools only read (by index; none unless [`Simulated::with_reads`] says): a read
    /// given a mistyped name finds nothing.
    reads: Arc<Vec<bool>>,
    /// The text pools' names at a seed (see [`Simulated::pool_names`]), made once per seed.
    names: Option<(u64, Arc<Vec<String>>)>,
    /// The size, in estimated tokens, of every list of items a read returns (a long-context
    /// world); None for the usual few rows.
    list_tokens: Option<usize>,
}

impl Simulated {
    /// Builds the executor; a parameter schema that does not compile is an error naming the
    /// tool.
    pub fn new(specs: Vec<ToolSpec>, seed: u64) -> Result<Simulated, SpecError> {
        let mut validators = Vec::with_capacity(specs.len());
        let mut by_name = HashMap::new();
        for (i, s) in specs.iter().enumerate() {
            let v = validate::compile(&s.parameters).map_err(|message| SpecError {
                source_name: s.name.clone(),
                path: "parameters".into(),
                message,
            })?;
            validators.push(v);
            by_name.insert(s.name.clone(), i);
        }
        let mut returned = BTreeSet::new();
        for r in specs.iter().filter_map(|s| s.returns.as_ref()) {
            for_each_field(r, &mut |k, _| {
                returned.insert(k.to_string());
            });
        }
        // Nested ones too (`payment_methods: [{payment_id, amount}]`).
        let mut external = BTreeSet::new();
        for s in &specs {
            for_each_field(&s.parameters, &mut |k, _| {
                // A list of ids (`item_ids`) is of ids of its singular name.
                let one = k
                    .strip_suffix('s')
                    .filter(|o| is_identifier_name(o))
                    .unwrap_or(k);
                if is_identifier_name(one) && !returned.contains(one) {
                    external.insert(one.to_string());
                }
            });
        }
        let mut hints: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in &specs {
            let mut put = |schema: &Value| {
                for_each_field(schema, &mut |name, field| {
                    let d = field.get("description").and_then(Value::as_str);
                    let c = d.map(stated_choices).unwrap_or_default();
                    if !c.is_empty() {
                        hints.entry(name.to_string()).or_insert(c);
                    }
                });
            };
            put(&s.parameters);
            if let Some(r) = &s.returns {
                put(r);
            }
        }
        Ok(Simulated {
            catalog: Arc::new(Catalog {
                specs,
                by_name,
                validators,
                external,
                hints,
            }),
            seed,
            state: SimState::default(),
            reads: Arc::new(Vec::new()),
            names: None,
            list_tokens: None,
        })
    }

    /// The same executor, told which tools only read (by spec index): a read whose text
    /// argument is a known name with two neighbouring letters swapped finds nothing, as a
    /// real search for a misspelt name does.
    pub fn with_reads(mut self, reads: Vec<bool>) -> Simulated {
        self.reads = Arc::new(reads);
        self
    }

    /// Every text value of [`Simulated::text_pools`] at the current seed and every value a
    /// description lists: the names a user of these tools states, which a typo is recognised
    /// against.
    fn pool_names(&mut self) -> Arc<Vec<String>> {
        if let Some((seed, names)) = &self.names {
            if *seed == self.seed {
                return names.clone();
            }
        }
        // Values a description lists ("[Enum]: Rivermist, Stonebrook, ...") are names too.
        let mut names: Vec<String> = self
            .text_pools()
            .into_values()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .chain(self.catalog.hints.values().flatten().cloned())
            .collect();
        names.sort();
        names.dedup();
        let names = Arc::new(names);
        self.names = Some((self.seed, names.clone()));
        names
    }

    /// The mistyped text argument of a read, if one is: (parameter, value).
    fn mistyped<'a>(
        &mut self,
        t: usize,
        args: &'a Map<String, Value>,
    ) -> Option<(&'a str, &'a str)> {
        if !self.reads.get(t).copied().unwrap_or(false) {
            return None;
        }
        let texts: Vec<(&str, &str)> = args
            .iter()
            .filter(|(k, _)| !is_identifier_name(k))
            .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
            .collect();
        if texts.is_empty() {
            return None;
        }
        let names = self.pool_names();
        texts
            .into_iter()
            .find(|(_, v)| names.iter().any(|n| hardgen_core::text::is_typo(v, n)))
    }

    /// Plausible values for every free-text parameter (not an identifier, not an enum), by
    /// parameter name: what a user of these tools would type (`query`, `title`, `note`). A
    /// world has its own data to draw these from; a spec collection does not.
    pub fn text_pools(&self) -> BTreeMap<String, Vec<Value>> {
        let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(self.seed, 0x7E47, 0));
        // Eight made-up values for a parameter (texts, or lists and objects of them).
        let eight = |rng: &mut ChaCha8Rng, schema: &Value, name: &str| -> Vec<Value> {
            let empty = Map::new();
            let mut g = self.unbound_gen(rng, &empty);
            (0..8)
                .map(|_| match schema.get("type").and_then(Value::as_str) {
                    Some("array" | "object") => g.value(schema, name, 0),
                    _ => Value::String(g.text(schema, name)),
                })
                .collect()
        };
        // A name several tools take is drawn as the tool that says most about its form
        // describes it: BFCL's `book_flight(travel_from)` is "the location the travel is from",
        // `get_flight_cost(travel_from)` "the 3 letter code of the departing airport"; both
        // take airport codes.
        let mut formed: BTreeMap<&str, (u8, &ToolSpec, &Value)> = BTreeMap::new();
        for spec in &self.catalog.specs {
            let props = spec.parameters.get("properties").and_then(Value::as_object);
            for (name, schema) in props.into_iter().flatten() {
                let rank = self.form_said(schema, name);
                if formed.get(name.as_str()).is_none_or(|(r, _, _)| rank > *r) {
                    formed.insert(name, (rank, spec, schema));
                }
            }
        }
        for spec in &self.catalog.specs {
            let props = spec.parameters.get("properties").and_then(Value::as_object);
            for (name, schema) in props.into_iter().flatten() {
                let (spec, schema) = formed
                    .get(name.as_str())
                    .map_or((spec, schema), |&(_, s, x)| (s, x));
                let typed = match schema.get("type").and_then(Value::as_str) {
                    Some("string") => {
                        !is_identifier_name(name) || self.catalog.external.contains(name)
                    }
                    // Entities to create (`entities: [{name, observations}]`): made up
                    // whole, unless some part must name an existing item.
                    Some("array" | "object") => !names_items(name, schema, &self.catalog.external),
                    _ => false,
                };
                if !typed || schema.get("enum").is_some() || out.contains_key(name) {
                    continue;
                }
                // `find_city(name)`: a bare name is the name of the tool's kind of object;
                // `get_symbol_by_name(name: "Name of the company.")` a company's.
                let described = schema
                    .get("description")
                    .and_then(Value::as_str)
                    .and_then(named_of)
                    .filter(|_| matches!(name.as_str(), "name" | "title"));
                let as_name = match described {
                    Some(kind) => format!("{kind}_name"),
                    None => kind_name(name, &spec.name),
                };
                out.insert(name.clone(), eight(&mut rng, schema, &as_name));
            }
        }
        // A person's name under the kind of object too (`contact.name`): a sampler that draws
        // by kind (`create_contact`) then names a contact like a person, not like a folder.
        // Its own random stream, so the pools above stay as they were.
        let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(self.seed, 0x7E48, 0));
        for spec in &self.catalog.specs {
            let entity = spec.name.rsplit('_').next().unwrap_or(&spec.name);
            if !PEOPLE.contains(&entity) {
                continue;
            }
            let props = spec.parameters.get("properties").and_then(Value::as_object);
            for (name, schema) in props.into_iter().flatten() {
                let key = format!("{entity}.{name}");
                if !name.ends_with("name") || out.contains_key(&key) {
                    continue;
                }
                out.insert(key, eight(&mut rng, schema, name));
            }
        }
        out
    }

    /// A generator of made-up parameter values: no call's arguments, nothing recalled, no
    /// tool's result being written. `empty` stands in for the arguments.
    fn unbound_gen<'a>(
        &'a self,
        rng: &'a mut ChaCha8Rng,
        empty: &'a Map<String, Value>,
    ) -> Gen<'a> {
        Gen {
            rng,
            args: empty,
            recalled: empty,
            made: Vec::new(),
            in_list: false,
            long: None,
            hints: &self.catalog.hints,
            tool: "",
            verb: String::new(),
        }
    }

    /// How much a string parameter's schema says about the form of its values: 3 for a
    /// closed list, 2 for a code or format [`Gen::typed_text`] knows ("the 3 letter code of
    /// the departing airport"), 1 for another kind of text it knows ("the location the travel
    /// is from"), else 0.
    fn form_said(&self, schema: &Value, name: &str) -> u8 {
        if schema.get("type").and_then(Value::as_str) != Some("string") {
            return 0;
        }
        let desc = schema
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !stated_choices(desc).is_empty() {
            return 3;
        }
        let empty = Map::new();
        let mut scratch = ChaCha8Rng::seed_from_u64(0);
        let mut g = self.unbound_gen(&mut scratch, &empty);
        let d = desc.to_ascii_lowercase();
        if g.typed_text(&name.to_ascii_lowercase(), &d).is_none() {
            return 0;
        }
        let coded = d.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            matches!(
                w,
                "code" | "format" | "letter" | "digit" | "digits" | "iso" | "iata"
            )
        });
        if coded {
            2
        } else {
            1
        }
    }

    fn result(&mut self, t: usize, spec: &ToolSpec, args: &Map<String, Value>) -> Value {
        // Keyed by the arguments in name order: the same call with its arguments written in
        // another order (a replay through an advanced tool) gives the same result.
        let sorted: BTreeMap<&String, &Value> = args.iter().collect();
        let key = format!(
            "{}\u{1f}{}",
            spec.name,
            serde_json::to_string(&sorted).unwrap_or_default()
        );
        let mut rng =
            ChaCha8Rng::seed_from_u64(stream_seed(self.seed, 0x51A1, xxh3_64(key.as_bytes())));
        // Fields already known for the items the arguments name: shown again as they were.
        let mut recalled: Map<String, Value> = Map::new();
        for v in args.values().filter_map(id_text) {
            if let Some(item) = self.state.items.get(&v) {
                for (k, x) in item {
                    recalled.entry(k.clone()).or_insert_with(|| x.clone());
                }
            }
        }
        // Only a read lists what the world holds; a change shows what it changed.
        let long = self
            .list_tokens
            .filter(|_| self.reads.get(t).copied().unwrap_or(false));
        let out = match &spec.returns {
            Some(schema) => {
                let mut g = Gen {
                    rng: &mut rng,
                    args,
                    recalled: &recalled,
                    made: Vec::new(),
                    in_list: false,
                    long,
                    hints: &self.catalog.hints,
                    tool: &spec.name,
                    verb: tool_verb(&spec.name),
                };
                let mut v = g.value(schema, "result", 0);
                // A calculator's answer is worked out, not made up: the minimum of 3 and 5 is 3.
                if let (Some(x), Some(field)) = (arithmetic(spec, args), sole_number(schema)) {
                    // A figure its field cannot hold (a probability of 12) is not that figure.
                    let fits_field = schema
                        .pointer(&format!("/properties/{field}"))
                        .is_some_and(|f| fits(f, &x));
                    if let (Some(m), true) = (v.as_object_mut(), fits_field) {
                        m.insert(field, x);
                    }
                }
                // So are an equation's roots.
                if let (Some(m), Some(r)) = (v.as_object_mut(), quadratic_roots(args)) {
                    if m.contains_key("roots") {
                        m.insert("roots".into(), r);
                    }
                }
                let made = g.made;
                // The latest fields win: after "close the task", fetching it shows it closed.
                for (field, id, fields) in made {
                    self.state
                        .known
                        .entry(id.clone())
                        .or_default()
                        .insert(id_kind(&field));
                    self.state.items.entry(id).or_default().extend(fields);
                }
                v
            }
            // No declared result: an acknowledgement that echoes the arguments.
            None => {
                let mut m = args.clone();
                m.insert("ok".into(), Value::Bool(true));
                Value::Object(m)
            }
        };
        self.state.log.push(xxh3_64(
            serde_json::to_string(&out).unwrap_or_default().as_bytes(),
        ));
        out
    }
}

/// The kind of thing an identifier names: the last word before its suffix (`owner_contact_id`
/// -> `contact`, `flightId` -> `flight`); empty for a bare `id`.
/// The quoted strings at the start of `text`, up to where the sentence or its parenthesis
/// ends outside the quotes.
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                // The closing quote is one followed by a non-letter (not "don't").
                let body = &text[i + 1..];
                let end = body.char_indices().find(|&(j, x)| {
                    x == c
                        && !body[j + 1..]
                            .chars()
                            .next()
                            .is_some_and(char::is_alphanumeric)
                });
                let Some((j, _)) = end else { break };
                let v = body[..j].trim();
                if !v.is_empty() && v.split(' ').count() <= 4 {
                    out.push(v.to_string());
                }
                // Past the closing quote.
                let stop = i + 1 + j + c.len_utf8();
                while chars.peek().is_some_and(|&(k, _)| k < stop) {
                    chars.next();
                }
            }
            ')' | ';' | '\n' => break,
            '.' if chars.peek().is_none_or(|&(_, n)| n == ' ') => break,
            _ => {}
        }
    }
    out
}

/// Whether a list or object parameter holds identifiers somewhere (`contact_ids`, a nested
/// `folder_id`) that results hand out: those must come from results, so the value cannot be
/// made up whole. An id no tool returns (`external`: tau-bench's `payment_methods: [{payment_id,
/// amount}]`) is the user's to give, like a name.
fn names_items(name: &str, schema: &Value, external: &BTreeSet<String>) -> bool {
    let id = |n: &str| is_identifier_name(n) && !external.contains(n);
    if id(name) || name.strip_suffix('s').is_some_and(id) {
        return true;
    }
    let props = schema.get("properties").and_then(Value::as_object);
    props
        .into_iter()
        .flatten()
        .any(|(k, s)| names_items(k, s, external))
        || schema
            .get("items")
            .is_some_and(|i| names_items("", i, external))
}

/// `example` with its digits drawn again, keeping its shape ("+1-555-0100" -> "+1-555-0472",
/// "SAVE10" -> "SAVE35"); a country code ("+1") stays. Dates and times are left as they are
/// (new digits would not make a day).
fn reshaped(example: &str, rng: &mut ChaCha8Rng) -> String {
    // An IPv4 address keeps every part a byte ("515.184.5.1" is no address).
    let parts: Vec<&str> = example.split('.').collect();
    if parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit()))
    {
        return format!(
            "{}.{}.{}.{}",
            rng.random_range(10..224u16),
            rng.random_range(0..256u16),
            rng.random_range(0..256u16),
            rng.random_range(1..255u16)
        );
    }
    let b = example.as_bytes();
    let dated =
        b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-';
    if dated || example.contains(':') {
        return example.to_string();
    }
    let mut country = example.starts_with('+');
    example
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                if c != '+' {
                    country = false;
                }
                return c;
            }
            if country {
                c
            } else {
                char::from(b'0' + rng.random_range(0..10u8))
            }
        })
        .collect()
}

/// The examples a parameter description gives ("Cuisine, e.g. italian or thai" -> italian,
/// thai): text after "e.g.", "for example" or "such as", up to the end of the clause.
pub(crate) fn examples(description: &str) -> Vec<String> {
    let lower = description.to_lowercase();
    let Some((at, len)) = [
        "e.g.",
        "for example",
        "such as",
        "for instance",
        "in the format",
    ]
    .iter()
    .filter_map(|m| lower.find(m).map(|i| (i, m.len())))
    .min() else {
        return Vec::new();
    };
    let rest = description[at + len..].trim_start_matches([',', ':', ' ']);
    // Quoted examples are the quoted text alone: "such as 'en' for English, 'zh' for
    // Chinese" gives en and zh; "(e.g., 'username@example.com')" keeps its dots.
    if rest.starts_with(['\'', '"', '`']) {
        return quoted(rest);
    }
    let clause = rest.split([')', ';', '\n', '.']).next().unwrap_or("");
    clause
        .split(',')
        .flat_map(|x| x.split(" or "))
        .map(|x| {
            x.trim()
                .trim_start_matches("and ")
                // "such as ['S', 'M', 'L']": a list written as code.
                .trim_matches(|c| matches!(c, '"' | '\'' | '`' | '[' | ']'))
                .trim()
                .to_string()
        })
        .filter(|x| !x.is_empty() && x.split(' ').count() <= 4)
        .collect()
}

/// The kind a description says a name is of ("Name of the company." -> company).
fn named_of(description: &str) -> Option<String> {
    let d = description.to_ascii_lowercase();
    let rest = ["name of the ", "name of a ", "name of an "]
        .iter()
        .find_map(|m| d.split_once(m).map(|(_, r)| r))?;
    let word: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
    (word.len() > 2).then_some(word)
}

/// The name a value is made under: a bare `name` or `title` of a thing of `kind` (the tool's
/// or the object's) is `{kind}_name`, so it is drawn as that kind's name; others stay.
fn kind_name(name: &str, kind_or_tool: &str) -> String {
    let seg = kind_or_tool.rsplit(['_', '.']).next().unwrap_or("");
    // `Media_3_PlayMovie` -> movie: the last word of a camelCase name too.
    let from = seg
        .char_indices()
        .skip(1)
        .filter(|(_, c)| c.is_ascii_uppercase())
        .map(|(i, _)| i)
        .last()
        .unwrap_or(0);
    let lower = seg[from..].to_ascii_lowercase();
    let kind = lower.as_str();
    // "search_restaurants" -> restaurant, "list_companies" -> company; "address" stays.
    let kind = match kind.strip_suffix("ies") {
        Some(stem) => format!("{stem}y"),
        None if kind.ends_with("ss") => kind.to_string(),
        None => kind.strip_suffix('s').unwrap_or(kind).to_string(),
    };
    if matches!(name, "name" | "title") && !kind.is_empty() {
        format!("{kind}_name")
    } else {
        name.to_string()
    }
}

fn id_kind(name: &str) -> String {
    let n = name.to_ascii_lowercase();
    // Tokens are told apart by value, not by name (`token`, `session_token`).
    if n.ends_with("token") {
        return "token".into();
    }
    let stem = ["_id", "id", "_key", "_handle", "_uuid"]
        .iter()
        .find_map(|s| n.strip_suffix(s))
        .unwrap_or(&n);
    stem.rsplit('_').next().unwrap_or("").to_string()
}

/// Whether a remembered value still fits a field's schema (its enum and JSON type).
fn fits(schema: &Value, v: &Value) -> bool {
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        return e.contains(v);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => v.is_string(),
        Some("integer") => v.is_i64() || v.is_u64(),
        Some("number") => v.as_f64().is_some_and(|x| {
            schema
                .get("minimum")
                .and_then(Value::as_f64)
                .is_none_or(|lo| x >= lo)
                && schema
                    .get("maximum")
                    .and_then(Value::as_f64)
                    .is_none_or(|hi| x <= hi)
        }),
        Some("boolean") => v.is_boolean(),
        _ => true,
    }
}

/// Words of id names that stand for a person (`user_id`, `customer_id`): an example id written
/// from a person's names is made from other names.
const PEOPLE_IDS: &[&str] = &[
    "user",
    "customer",
    "member",
    "client",
    "person",
    "guest",
    "passenger",
    "employee",
    "owner",
    "patient",
    "student",
    "account",
    "buyer",
    "seller",
];

/// Lowercase hexadecimal digits.
const HEX: &[u8] = b"0123456789abcdef";

/// Letters and digits of an opaque token (a page cursor, a bearer token), without look-alikes.
const TOKEN_CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

/// `k` decimal digits (a card, account or docket number).
fn digits(rng: &mut ChaCha8Rng, k: usize) -> String {
    (0..k)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// A name as a word of an id: its letters, lowercase ("O'Brien" -> "obrien").
fn id_word(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_lowercase()
}

/// Whether an example id is a code of capitals and digits mixed ("ZFA04Y": a letter after a
/// digit), not a prefix and a number ("HAT001", "#W0000000", whose letters are kept).
fn is_code(example: &str) -> bool {
    let b = example.as_bytes();
    b.len() >= 4
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && b.windows(2)
            .any(|w| w[0].is_ascii_digit() && w[1].is_ascii_uppercase())
}

/// `n` characters drawn one by one from `alphabet` (hex digits, an opaque token's letters).
fn drawn_chars(rng: &mut ChaCha8Rng, alphabet: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

/// Whether two rows of a list show the same name, title, text (a message, its content) or
/// identifier (or are the same value); an identifier the call gave (the owner every row
/// shares) does not count.
fn same_name(a: &Value, b: &Value, args: &Map<String, Value>) -> bool {
    match (a.as_object(), b.as_object()) {
        (Some(x), Some(y)) => x.iter().any(|(k, v)| {
            (k.ends_with("name")
                || k.ends_with("title")
                || ["content", "message", "subject", "text"]
                    .iter()
                    .any(|w| k.ends_with(w))
                || (is_identifier_name(k) && !args.contains_key(k)))
                && (v.is_string() || v.is_number())
                && y.get(k) == Some(v)
        }),
        _ => a == b && !a.is_null(),
    }
}

/// The first word of a tool's name, lowercased (`close_ticket`, `activateParkingBrake`).
fn tool_verb(tool: &str) -> String {
    crate::infer::name_words(tool)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// A name lowercased without separators: `current_speed`, `currentSpeed` -> `currentspeed`.
fn squashed(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The range a number without schema bounds is drawn from: the one its description states
/// ("from 1 to 5"), else the one its unit or name makes plausible (a car battery's volts, a
/// temperature in degrees Celsius, a percentage). None when neither says anything.
fn plausible(schema: &Value, name: &str) -> Option<(f64, f64)> {
    if schema.get("minimum").is_some() || schema.get("maximum").is_some() {
        return None;
    }
    let d = schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    if let Some(r) = hardgen_core::spec::stated_range(&d) {
        return Some(r);
    }
    let n = name.to_ascii_lowercase();
    let says = |w: &str| n.contains(w) || d.contains(w);
    Some(if n.ends_with("priority") {
        (1.0, 5.0)
    } else if n == "tempo" || n == "bpm" || d.contains("beats per minute") {
        (60.0, 180.0)
    } else if n == "alpha" || d.contains("significance level") {
        // A test's significance level.
        (0.01, 0.1)
    } else if n.ends_with("year") || n.contains("year_range") {
        (1990.0, 2026.0)
    } else if matches!(n.as_str(), "quantity" | "qty") {
        // Items in a basket or an order line: a few, not 477 meals.
        (1.0, 5.0)
    } else if says("volt") {
        (11.8, 14.6)
    } else if says("temperature") || d.contains("celsius") {
        (-5.0, 32.0)
    } else if says("percent") && says("change") {
        (-8.0, 8.0)
    } else if says("percent") || says("humidity") {
        (0.0, 100.0)
    } else if says("km/h") || says("speed") {
        (0.0, 130.0)
    } else if d.contains("newton") {
        (50.0, 600.0)
    } else if d.contains("gallon") || d.contains("litre") || d.contains("liter") {
        // A car's tank: about 15 gallons, 55 liters.
        if d.contains("gallon") {
            (0.5, 15.0)
        } else {
            (2.0, 55.0)
        }
    } else if says("door") {
        // A car's doors: "the number of remaining unlocked doors" is at most 4.
        (0.0, 4.0)
    } else if says("angle") || d.contains("degrees") {
        (0.0, 30.0)
    } else if says("latitude") {
        (-60.0, 70.0)
    } else if says("longitude") {
        (-180.0, 180.0)
    } else {
        return None;
    })
}

/// Writes one result from a schema.
struct Gen<'a> {
    rng: &'a mut ChaCha8Rng,
    args: &'a Map<String, Value>,
    recalled: &'a Map<String, Value>,
    /// (field, identifier, the scalar fields of its object) for every identifier shown.
    made: Vec<(String, String, Map<String, Value>)>,
    /// Generating the rows of a list the result holds at its top: they match the call's
    /// filters.
    in_list: bool,
    /// The closed lists of values descriptions give, by parameter or field name, from any
    /// tool of the collection ("Options are: economy, business, first").
    hints: &'a BTreeMap<String, Vec<String>>,
    /// The tool whose result is being written; empty for made-up parameter values.
    tool: &'a str,
    /// The tool's verb ([`tool_verb`]), worked out once per result, not once per field.
    verb: String,
    /// Estimated tokens each list of items at the result's top reaches (a long-context
    /// world, see [`Simulated::set_list_tokens`]); None for the usual few rows.
    long: Option<usize>,
}

/// A list row's number kept within the call's bounds on its field: `minBatteryPercent=40` or
/// `min_battery_percent=40` for `batteryPercent`/`battery_percent` (and `max...` alike).
fn within_bounds(v: Value, field: &str, args: &Map<String, Value>) -> Value {
    let Some(x) = v.as_f64() else { return v };
    let camel = |p: &str| {
        let mut c = field.chars();
        c.next()
            .map(|f| format!("{p}{}{}", f.to_ascii_uppercase(), c.as_str()))
            .unwrap_or_default()
    };
    let bound = |p: &str| {
        args.get(&format!("{p}_{field}"))
            .or_else(|| args.get(&camel(p)))
            .and_then(Value::as_f64)
    };
    let mut y = x;
    if let Some(lo) = bound("min") {
        y = y.max(lo);
    }
    if let Some(hi) = bound("max") {
        y = y.min(hi);
    }
    if y == x {
        v
    } else if v.is_i64() || v.is_u64() {
        Value::from(y.round() as i64)
    } else {
        Value::from(y)
    }
}

impl<'a> Gen<'a> {
    fn value(&mut self, schema: &Value, name: &str, depth: usize) -> Value {
        if depth > 6 {
            return Value::Null;
        }
        if let Some(parts) = schema.as_array() {
            // A tuple's text that the list calls a key is a stored value's key.
            let keyed = parts.iter().any(|p| {
                p.get("description")
                    .and_then(Value::as_str)
                    .is_some_and(|d| d.to_ascii_lowercase().contains(" key"))
            });
            let text = if keyed { "key" } else { name };
            return Value::Array(
                parts
                    .iter()
                    .map(|p| {
                        let is_text = p.get("type").and_then(Value::as_str) == Some("string");
                        self.value(p, if is_text { text } else { name }, depth + 1)
                    })
                    .collect(),
            );
        }
        if let Some(e) = schema
            .get("enum")
            .and_then(Value::as_array)
            .filter(|e| !e.is_empty())
        {
            return e[self.rng.random_range(0..e.len())].clone();
        }
        let ty = match schema.get("type") {
            Some(Value::String(t)) => t.as_str(),
            // ["string", "null"]: the first non-null type.
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null"),
            _ if schema.get("properties").is_some() => "object",
            _ if schema.get("items").is_some() => "array",
            _ => "string",
        };
        match ty {
            "object" => self.object(schema, depth),
            "array" => {
                let mut items = schema.get("items").cloned().unwrap_or(Value::Null);
                // "List of stock symbols to check" over bare `{"type": "string"}` items: the
                // list's description says what each item is.
                if let (Some(m), Some(d)) = (items.as_object_mut(), schema.get("description")) {
                    m.entry("description").or_insert_with(|| d.clone());
                }
                // A tuple (`"items": [{"type": "float"}, {"type": "string"}]`, "the BM25+ score
                // and the key") is drawn position by position, each told what it holds.
                if let Some(parts) = items.as_array_mut() {
                    let d = schema.get("description").cloned().unwrap_or(Value::Null);
                    for p in parts.iter_mut().filter_map(Value::as_object_mut) {
                        p.entry("description").or_insert_with(|| d.clone());
                    }
                    return self.value(&items, name, depth + 1);
                }
                // "A list of numbers" to add up or average has a few of them, not one.
                let numbers = matches!(
                    items.get("type").and_then(Value::as_str),
                    Some("number" | "integer")
                );
                let lo = schema
                    .get("minItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(if numbers { 2 } else { 1 });
                let hi = schema
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(3)
                    .max(lo);
                let n = self.rng.random_range(lo..=hi.min(lo + 4));
                // In a long-context world a list of items at the result's top holds as many
                // as fill its token budget (4 characters a token, a comma between rows).
                let budget = self
                    .long
                    .filter(|_| depth <= 1 && items.get("properties").is_some())
                    .map(|tokens| tokens * 4);
                // `event_ids` holds event ids, each drawn as one (not two title-case words).
                let one = name
                    .strip_suffix('s')
                    .filter(|o| is_identifier_name(o))
                    .unwrap_or(name);
                let outer = std::mem::replace(&mut self.in_list, depth == 1);
                let mut rows: Vec<Value> = Vec::with_capacity(n as usize);
                let mut chars = 0;
                while match budget {
                    Some(b) => chars < b && rows.len() < LONG_ROWS,
                    None => (rows.len() as u64) < n,
                } {
                    // Two garlics in one list of ingredients read as a bug: a row that repeats
                    // an earlier one's name, identifier (or value) is drawn again, a few times
                    // at most.
                    let mut row = Value::Null;
                    for _ in 0..4 {
                        let made = self.made.len();
                        row = self.value(&items, one, depth + 1);
                        if !rows.iter().any(|r| same_name(r, &row, self.args)) {
                            break;
                        }
                        self.made.truncate(made);
                    }
                    if budget.is_some() {
                        chars += serde_json::to_string(&row).map_or(0, |t| t.len()) + 1;
                    }
                    rows.push(row);
                }
                self.in_list = outer;
                // `add_to_watchlist(stock="NFLX")` shows a watchlist that holds NFLX.
                let added = matches!(self.verb.as_str(), "add" | "append" | "insert");
                let mut given = self.args.values().filter(|v| v.is_string());
                if let (true, Some(a), None) = (added && depth <= 1, given.next(), given.next()) {
                    let texts = rows.iter().all(Value::is_string);
                    if texts && !rows.contains(a) {
                        if let Some(last) = rows.last_mut() {
                            *last = a.clone();
                        }
                    }
                }
                Value::Array(rows)
            }
            // An item's number, not a count: four or five digits, as ticket numbers look.
            "integer" if is_identifier_name(name) && schema.get("maximum").is_none() => {
                let lo = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
                Value::from(self.rng.random_range(lo.max(1001)..lo.max(1001) + 60_000))
            }
            "integer" => {
                let (lo, hi) = match plausible(schema, name) {
                    Some((lo, hi)) => (lo.ceil() as i64, hi.floor() as i64),
                    None => {
                        let lo = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
                        (
                            lo,
                            schema
                                .get("maximum")
                                .and_then(Value::as_i64)
                                .unwrap_or(lo + 500),
                        )
                    }
                };
                Value::from(self.rng.random_range(lo..=hi.max(lo)))
            }
            "number" => {
                let (lo, hi) = plausible(schema, name).unwrap_or_else(|| {
                    let lo = schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0);
                    (
                        lo,
                        schema
                            .get("maximum")
                            .and_then(Value::as_f64)
                            .unwrap_or(lo + 1000.0),
                    )
                });
                let x = lo + (hi - lo).max(0.0) * self.rng.random::<f64>();
                Value::from((x * 100.0).round() / 100.0)
            }
            "boolean" => Value::Bool(self.rng.random_bool(0.5)),
            "null" => Value::Null,
            _ => Value::String(self.text(schema, name)),
        }
    }

    fn object(&mut self, schema: &Value, depth: usize) -> Value {
        let mut m = Map::new();
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return Value::Object(m);
        };
        // The object's own identifier: an id field no argument gives (a new or listed item).
        let mut own: Option<String> = None;
        // `{"restaurant_id", "name"}`: the object is a restaurant, by its own id (the first
        // the call did not give: `add_member(project_id, name)` makes a member).
        let ids = || props.keys().filter(|k| is_identifier_name(k));
        let kind = ids()
            .find(|k| !self.args.contains_key(*k))
            .or_else(|| ids().next())
            .map(|id| id_kind(id))
            .unwrap_or_default();
        for (k, s) in props {
            let scalar = !matches!(
                s.get("type").and_then(Value::as_str),
                Some("object" | "array")
            );
            // `find_city(name="Lisbon")` shows `city_name: "Lisbon"`: the bare name the call
            // gave is the found item's name.
            let given = self
                .args
                .get(k)
                // `user_name` shows the `username` the call gave.
                .or_else(|| {
                    let bare = squashed(k);
                    self.args
                        .iter()
                        .find(|(a, _)| squashed(a) == bare)
                        .map(|(_, v)| v)
                })
                .or_else(|| {
                    // `case_name` shows the `case_title` (or `title`) the call gave, and the
                    // other way round.
                    let names = ["name", "title"];
                    names
                        .into_iter()
                        .any(|a| kind_name(a, &kind) == *k)
                        .then(|| {
                            names
                                .into_iter()
                                .flat_map(|a| [a.to_string(), kind_name(a, &kind)])
                                .find_map(|a| self.args.get(&a).filter(|v| v.is_string()))
                        })
                        .flatten()
                })
                // `adjustClimateControl(temperature=21)` shows `currentTemperature: 21`.
                .or_else(|| {
                    let bare = squashed(k);
                    let bare = ["current", "new"]
                        .iter()
                        .find_map(|p| bare.strip_prefix(p))
                        .filter(|b| !b.is_empty())?;
                    self.args
                        .iter()
                        .find(|(a, v)| squashed(a) == bare && v.is_number())
                        .map(|(_, v)| v)
                })
                // `cd(folder="docs")` shows `current_working_directory: "docs"`; `echo` prints
                // the content it was given.
                .or_else(|| {
                    let f = k.to_ascii_lowercase();
                    let dir = scalar && (f.contains("directory") || f.ends_with("folder"));
                    let echo = matches!(self.verb.as_str(), "echo" | "display" | "print");
                    // The argument shown is of the field's kind: text for text, a list for a
                    // list (`display_log(messages=[...])` shows those messages).
                    let same_kind = |v: &Value| if scalar { v.is_string() } else { v.is_array() };
                    self.args
                        .iter()
                        .find(|(a, v)| {
                            same_kind(v)
                                && ((dir
                                    && matches!(
                                        a.as_str(),
                                        "folder" | "dir" | "directory" | "dir_name" | "folder_name"
                                    ))
                                    || (echo
                                        && matches!(
                                            a.as_str(),
                                            "content" | "text" | "message" | "messages" | "lines"
                                        )))
                        })
                        .map(|(_, v)| v)
                });
            // The rows of a list a call filtered: `bikeType="cargo"` lists cargo bikes.
            let row = self.in_list && depth == 2;
            // An outcome first: "a message describing the result of the send attempt" is not
            // the message sent.
            let v = if let Some(v) = (depth == 0).then(|| self.outcome(k, s)).flatten() {
                v
            } else if let Some(a) = given.filter(|_| depth <= 1 || (row && scalar)) {
                // The item the call named, or the value it set: echoed.
                a.clone()
            } else if let Some(r) = self
                .recalled
                .get(k)
                .filter(|r| depth <= 1 && scalar && fits(s, r))
            {
                // Known from earlier; a state the schema no longer allows (a task closed now)
                // is drawn afresh.
                r.clone()
            } else if let Some(a) = (depth == 0 && !self.recalled.contains_key(k))
                .then(|| self.looked_up(k, s))
                .flatten()
            {
                a
            } else {
                let v = self.value(s, &kind_name(k, &kind), depth + 1);
                if row {
                    within_bounds(v, k, self.args)
                } else {
                    v
                }
            };
            if own.is_none() && is_identifier_name(k) {
                own = id_text(&v);
            }
            m.insert(k.clone(), v);
        }
        // Every identifier an object shows becomes known; its scalars are remembered under it.
        let mut scalars: Map<String, Value> = m
            .iter()
            .filter(|(_, v)| !v.is_object() && !v.is_array())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // A new item is what the call made it: `place_order(symbol="CRM")` makes an order of
        // CRM, so fetching that order later shows CRM even though the reply left it out.
        let new_item = depth == 0
            && own.as_deref().is_some_and(|id| {
                !self
                    .args
                    .values()
                    .any(|a| id_text(a).as_deref() == Some(id))
            });
        if new_item {
            for (k, v) in self.args {
                if !v.is_object() && !v.is_array() && !is_identifier_name(k) {
                    scalars.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        for (k, v) in &m {
            if let (true, Some(id)) = (is_identifier_name(k), id_text(v)) {
                let fields = if own.as_deref() == Some(id.as_str()) {
                    scalars.clone()
                } else {
                    Map::new()
                };
                self.made.push((k.clone(), id, fields));
            }
        }
        Value::Object(m)
    }

    /// The outcome a change reports about itself: the call went through, so "True if the
    /// booking was successful" is true, "Status of the close operation" says it closed, and a
    /// reply from customer support reads as one. None for everything else (and for reads:
    /// "True if the vehicle can drive the distance" is an answer, not an outcome).
    fn outcome(&mut self, field: &str, schema: &Value) -> Option<Value> {
        if self.tool.is_empty() || schema.get("enum").is_some() {
            return None;
        }
        let d = schema
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        let verb = self.verb.as_str();
        let reads = READ_VERBS.contains(&verb) || self.tool.contains("_get_");
        match schema.get("type").and_then(Value::as_str) {
            Some("boolean") => (d.contains("success") || (!reads && d.starts_with("true if")))
                .then_some(Value::Bool(true)),
            Some("string") if d.contains("from customer support") || d.contains("from support") => {
                Some(Value::String(one_of(self.rng, REPLIES).to_string()))
            }
            // A new item starts in its first state ("Open", not "Cancelled").
            Some("string")
                if crate::infer::MAKE_VERBS.contains(&verb)
                    && (field.ends_with("status") || field.ends_with("state"))
                    && !d.contains("operation") =>
            {
                let first = self.hints.get(field).and_then(|c| c.first()).cloned();
                Some(Value::String(first.unwrap_or_else(|| "open".into())))
            }
            Some("string") if !reads => {
                let of_operation = ["operation", "action", "attempt", "transaction"]
                    .iter()
                    .any(|w| d.contains(w))
                    || d.contains("status message");
                let f = field.to_ascii_lowercase();
                // The transaction's id is an id, not its outcome.
                let says = ["status", "state", "message", "result"]
                    .iter()
                    .any(|w| f.ends_with(w));
                if !of_operation || !says {
                    return None;
                }
                if f.ends_with("status") || f.ends_with("state") {
                    // "Cancelled" where the field's known states have it, else "success".
                    let stem = verb.trim_end_matches('e');
                    let state = self.hints.get(field).and_then(|c| {
                        c.iter()
                            .find(|x| stem.len() >= 4 && x.to_ascii_lowercase().starts_with(stem))
                    });
                    return Some(Value::String(
                        state.cloned().unwrap_or_else(|| "success".into()),
                    ));
                }
                // "The result of the copy operation" -> "The copy operation completed
                // successfully".
                let said = ["operation", "action", "attempt"].iter().find_map(|w| {
                    let before = &d[..d.find(&format!(" {w}"))?];
                    let noun = &before[before.rfind("the ")? + 4..];
                    (!noun.is_empty() && noun.split(' ').count() <= 2).then(|| {
                        let end = if *w == "attempt" {
                            "succeeded"
                        } else {
                            "completed successfully"
                        };
                        format!("The {noun} {w} {end}")
                    })
                });
                Some(Value::String(
                    said.unwrap_or_else(|| "Completed successfully".into()),
                ))
            }
            _ => None,
        }
    }

    /// A bare `id` of the item a lookup was asked for ("ID of the order" for
    /// `get_order_details(order_id)`) is that item's id, not a new one.
    fn looked_up(&self, field: &str, schema: &Value) -> Option<Value> {
        if field != "id" {
            return None;
        }
        let d = schema
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        let mut ids = self.args.iter().filter(|(a, _)| is_identifier_name(a));
        let (a, v) = ids.next()?;
        let kind = id_kind(a);
        (ids.next().is_none()
            && !kind.is_empty()
            && (d.contains(&kind) || self.tool.contains(&kind)))
        .then(|| v.clone())
    }

    /// A new id of the form of `example`: new digits, and where it is written from a person's
    /// names ("sara_doe_496") other names ("omar_lind_8120").
    fn id_like(&mut self, example: &str, name: &str) -> String {
        let parts: Vec<&str> = example.split('_').collect();
        let person = PEOPLE_IDS.iter().any(|w| name.contains(w));
        let named = person
            && parts.len() == 3
            && parts[..2]
                .iter()
                .all(|w| !w.is_empty() && w.bytes().all(|c| c.is_ascii_lowercase()))
            && parts[2].bytes().all(|c| c.is_ascii_digit());
        if named {
            // The id of the user a call names ("Femi Castillo") is made from that name.
            let given = |k: &str| {
                self.args
                    .get(k)
                    .and_then(Value::as_str)
                    .map(id_word)
                    .filter(|v| !v.is_empty())
            };
            let (first, last) = match given("first_name").zip(given("last_name")) {
                Some(names) => names,
                None => (
                    id_word(&pool_word(self.rng, "first_names")),
                    id_word(&pool_word(self.rng, "last_names")),
                ),
            };
            return format!("{first}_{last}_{}", digits(self.rng, parts[2].len().max(3)));
        }
        // "ZFA04Y": a code of letters and digits mixed is drawn anew letter by letter.
        if is_code(example) {
            return example
                .chars()
                .map(|c| match c {
                    'A'..='Z' => char::from(b'A' + self.rng.random_range(0..26u8)),
                    '0'..='9' => char::from(b'0' + self.rng.random_range(0..10u8)),
                    c => c,
                })
                .collect();
        }
        reshaped(example, self.rng)
    }

    /// A street line or an apartment like an address example ("123 Main St", "Apt 1"), drawn
    /// anew: one example would give every user the same street and flat.
    fn address_part(&mut self, example: &str) -> Option<String> {
        let (head, rest) = example.split_once(' ')?;
        if head.bytes().all(|c| c.is_ascii_digit()) {
            let suffix = rest.rsplit(' ').next().unwrap_or("");
            let street = [
                "St", "St.", "Street", "Ave", "Avenue", "Rd", "Road", "Lane", "Ln", "Blvd",
                "Drive", "Dr",
            ]
            .contains(&suffix);
            return street.then(|| {
                format!(
                    "{} {}",
                    self.rng.random_range(2..990),
                    pool_word(self.rng, "streets")
                )
            });
        }
        let unit = ["Apt", "Apt.", "Suite", "Unit", "Flat", "Room", "Floor"].contains(&head)
            && rest.bytes().all(|c| c.is_ascii_digit());
        unit.then(|| format!("{head} {}", self.rng.random_range(1..60)))
    }

    fn text(&mut self, schema: &Value, name: &str) -> String {
        let n = name.to_ascii_lowercase();
        // A passenger's `dob` is decades back, not this year.
        if n == "dob" || n.contains("birth") {
            return format!(
                "{}-{:02}-{:02}",
                self.rng.random_range(1950..2007),
                self.rng.random_range(1..13),
                self.rng.random_range(1..29)
            );
        }
        match schema.get("format").and_then(Value::as_str) {
            Some("date") => return self.date(),
            Some("date-time") => {
                return format!("{}T{:02}:00:00Z", self.date(), self.rng.random_range(7..20))
            }
            Some("email") => {
                let who = pool_word(self.rng, "first_names").to_lowercase();
                return format!(
                    "{who}{}@{}",
                    self.rng.random_range(1..99),
                    pool_word(self.rng, "mail_domains")
                );
            }
            _ => {}
        }
        let desc = schema
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("");
        // A closed list in the description, or in another tool's for the same name (BFCL
        // states `travel_class`'s options only on one of the tools that take it).
        let own = stated_choices(desc);
        if let Some(c) = Some(&own)
            .filter(|c| !c.is_empty())
            .or_else(|| self.hints.get(name))
        {
            // The state a change asked for: `mode="engage"` leaves the brake "engaged";
            // `pressBrakePedal` leaves the pedal "pressed".
            let verb = self.verb.clone();
            // A flag set on names its state too: `activate=true` leaves the cruise "active".
            let flags = self
                .args
                .iter()
                .filter(|(_, v)| v.as_bool() == Some(true))
                .map(|(a, _)| a.as_str());
            let asked = self
                .args
                .values()
                .filter_map(Value::as_str)
                .chain(flags)
                .chain((!self.tool.is_empty()).then_some(verb.as_str()))
                .map(|a| a.to_ascii_lowercase())
                .filter(|a| a.len() >= 2)
                .find_map(|a| {
                    // "engage" -> "engaged", "activate" -> "active", "close" -> "closed".
                    let shared = |x: &str| {
                        x.bytes()
                            .zip(a.bytes())
                            .take_while(|(p, q)| p.eq_ignore_ascii_case(q))
                            .count()
                    };
                    c.iter()
                        .find(|x| x.to_ascii_lowercase() == a)
                        .or_else(|| {
                            c.iter()
                                .find(|x| shared(x) >= 4 && shared(x) >= a.len().min(5))
                        })
                        .or_else(|| {
                            // "start" leaves the engine "running", "stop" leaves it "stopped".
                            let side = |w: &str| {
                                if ON_WORDS.contains(&w) {
                                    Some(true)
                                } else if OFF_WORDS.contains(&w) {
                                    Some(false)
                                } else {
                                    None
                                }
                            };
                            let want = side(&a)?;
                            c.iter()
                                .find(|x| side(&x.to_ascii_lowercase()) == Some(want))
                        })
                });
            if let Some(x) = asked.filter(|_| !self.tool.is_empty()) {
                return x.clone();
            }
            return c[self.rng.random_range(0..c.len())].clone();
        }
        let dl = desc.to_ascii_lowercase();
        if let Some(v) = self.typed_text(&n, &dl) {
            return v;
        }
        // "The unique identifier of the item to order": an id, whatever its name.
        if is_identifier_name(name)
            || dl.starts_with("the unique identifier of")
            || dl.starts_with("unique identifier of")
            || dl.starts_with("the identifier of")
        {
            // "The order id, such as '#W0000000'": the example says the form ids take.
            let shaped: Vec<String> = examples(desc)
                .into_iter()
                .filter(|e| e.chars().filter(char::is_ascii_digit).count() >= 3 || is_code(e))
                .collect();
            if !shaped.is_empty() {
                let e = &shaped[self.rng.random_range(0..shaped.len())];
                return self.id_like(e, &n);
            }
            // "contact_id" -> "CON-4821": a prefix a reader can tell apart per kind (a
            // name only the description calls an id keeps all of its letters: "uuid" -> UUI).
            let base = if is_identifier_name(name) {
                n.trim_end_matches("_id").trim_end_matches("id")
            } else {
                n.as_str()
            };
            let stem: String = base
                .chars()
                .filter(char::is_ascii_alphabetic)
                .take(3)
                .collect::<String>()
                .to_uppercase();
            let stem = if stem.is_empty() {
                "ID".to_string()
            } else {
                stem
            };
            return format!("{stem}-{}", self.rng.random_range(1000..10000));
        }
        let described_date = schema
            .get("description")
            .and_then(Value::as_str)
            .is_some_and(|d| d.to_ascii_lowercase().contains("yyyy-mm-dd"));
        if n.ends_with("date") || n.ends_with("_on") || described_date {
            return self.date();
        }
        let described_email = schema
            .get("description")
            .and_then(Value::as_str)
            .is_some_and(|d| d.to_ascii_lowercase().contains("email address"));
        if n.contains("email")
            || (described_email && schema.get("type").and_then(Value::as_str) != Some("array"))
        {
            let who = pool_word(self.rng, "first_names").to_lowercase();
            return format!("{who}@{}", pool_word(self.rng, "mail_domains"));
        }
        // "Cuisine, e.g. italian": the description's own examples are what a user would say.
        let examples = schema
            .get("description")
            .and_then(Value::as_str)
            .map(examples)
            .unwrap_or_default();
        // One or two examples ("City name, e.g. Lisbon") are a sample, not the whole range:
        // where the kind has values of its own (a city), they take half the draws.
        let own_kind =
            ["city", "country", "company"].iter().any(|k| n.contains(k)) || n.ends_with("name");
        if !examples.is_empty() && (examples.len() > 2 || !own_kind || self.rng.random_bool(0.5)) {
            let e = examples[self.rng.random_range(0..examples.len())].clone();
            // One example of a shape ("+1-555-0100", "SAVE10") stands for many values of
            // that shape: every draw the same phone number would make every request alike.
            // A code with a digit or two is a name ("utf-8", "mp3"): new digits would make
            // one up ("utf-3").
            if let Some(v) = self.address_part(&e) {
                return v;
            }
            if examples.len() <= 2 && e.chars().filter(char::is_ascii_digit).count() >= 3 {
                return reshaped(&e, self.rng);
            }
            return e;
        }
        // Attributes a shopper names in words of their own.
        if n.contains("color") || n.contains("colour") {
            return one_of(
                self.rng,
                &[
                    "red", "blue", "black", "white", "green", "grey", "navy", "beige",
                ],
            )
            .to_string();
        }
        if n == "size" || n.ends_with("_size") {
            return one_of(self.rng, &["XS", "S", "M", "L", "XL"]).to_string();
        }
        if n.contains("material") || n.contains("fabric") {
            return one_of(
                self.rng,
                &["cotton", "wool", "leather", "linen", "polyester", "denim"],
            )
            .to_string();
        }
        // A UUID looks like one.
        if n.ends_with("uuid") {
            let hex = |rng: &mut ChaCha8Rng, k: usize| drawn_chars(rng, HEX, k);
            return format!(
                "{}-{}-{}-{}-{}",
                hex(self.rng, 8),
                hex(self.rng, 4),
                hex(self.rng, 4),
                hex(self.rng, 4),
                hex(self.rng, 12)
            );
        }
        // A street address, not two random words.
        let place = n.contains("street")
            || n == "address"
            || (n.ends_with("_address")
                && !["email", "ip", "mac", "wallet", "web"]
                    .iter()
                    .any(|k| n.contains(k)));
        if place {
            let road = one_of(self.rng, &["Street", "Road", "Lane", "Avenue", "Way"]);
            return format!(
                "{} {} {road}",
                self.rng.random_range(1..200),
                pool_word(self.rng, "places")
            );
        }
        // `guest_name` -> guest: the kind of thing a `*_name` names.
        let name_kind = n
            .strip_suffix("name")
            .map(|k| k.trim_end_matches('_').rsplit('_').next().unwrap_or(""));
        if let Some(kind) = name_kind {
            // A dish, a room or a work: two words from its own lists.
            for (kinds, first, last) in PAIRED {
                if kinds.contains(&kind) {
                    return format!("{} {}", one_of(self.rng, first), one_of(self.rng, last));
                }
            }
            if FOODS.contains(&kind) {
                return one_of(self.rng, FOOD_NAMES).to_string();
            }
            if VENUES.contains(&kind) {
                let mut k = kind.to_string();
                if let Some(f) = k.get_mut(0..1) {
                    f.make_ascii_uppercase();
                }
                return format!("{} {k}", pool_word(self.rng, "places"));
            }
            // A recipe's or a store's name is not a person's: two words, like a title.
            if kind.is_empty()
                || PEOPLE.contains(&kind)
                || matches!(kind, "full" | "first" | "last" | "user" | "display")
            {
                return format!(
                    "{} {}",
                    pool_word(self.rng, "first_names"),
                    pool_word(self.rng, "last_names")
                );
            }
        }
        if n.contains("city") || n.contains("cities") {
            return pool_word(self.rng, "cities");
        }
        // Codes and formats a user types as such ("convert 30 EUR to JPY", not "Strategy plan").
        if n.contains("currency") {
            return one_of(
                self.rng,
                &[
                    "EUR", "USD", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "INR",
                ],
            )
            .to_string();
        }
        if n.contains("language") || n == "lang" || n.ends_with("_lang") {
            return one_of(
                self.rng,
                &[
                    "English",
                    "Spanish",
                    "French",
                    "German",
                    "Japanese",
                    "Portuguese",
                    "Italian",
                ],
            )
            .to_string();
        }
        if n.contains("phone") {
            return format!(
                "+44 7{:03} {:06}",
                self.rng.random_range(100..1000),
                self.rng.random_range(0..1_000_000)
            );
        }
        if n.ends_with("time") && !n.contains("timezone") {
            return format!(
                "{:02}:{:02}",
                self.rng.random_range(7..22),
                15 * self.rng.random_range(0..4)
            );
        }
        if n.contains("zip") || n.contains("postcode") || n.contains("postal") {
            return format!("{:05}", self.rng.random_range(10000..100000));
        }
        if n.contains("url") || n.contains("website") || n.ends_with("uri") || n.ends_with("uris") {
            return format!(
                "https://{}.example.com",
                pool_word(self.rng, "places").to_lowercase()
            );
        }
        if n.contains("country") {
            return pool_word(self.rng, "countries");
        }
        if n.contains("company") || n.contains("organization") {
            return pool_word(self.rng, "companies");
        }
        if let Some(kind) = name_kind {
            // A variable's name is written as a program would (`total_cost`).
            if dl.contains("variable") {
                return format!(
                    "{}_{}",
                    pool_word(self.rng, "words").to_lowercase(),
                    pool_word(self.rng, "words").to_lowercase()
                );
            }
            // A ticket or a task is titled by what it is about ("Broken link on homepage").
            if TITLED.contains(&kind) {
                return one_of(self.rng, SUBJECTS).to_string();
            }
            // A project, alert or mapping is named as teams name theirs ("Atlas"), not by
            // two random words ("Public feedback").
            if CODENAMED.contains(&kind) {
                return one_of(self.rng, CODENAMES).to_string();
            }
        }
        let a = pool_word(self.rng, "words");
        let b = pool_word(self.rng, "words");
        let mut s = format!("{a} {b}");
        if let Some(f) = s.get_mut(0..1) {
            f.make_ascii_uppercase();
        }
        s
    }

    /// The text a call searches for (its `keyword`, `query`, `pattern`, ...), if it gives one.
    fn sought(&self) -> Option<&'a str> {
        let args: &'a Map<String, Value> = self.args;
        ["pattern", "name", "query", "keyword", "term", "search_term"]
            .iter()
            .find_map(|a| args.get(*a)?.as_str())
            .filter(|p| !p.trim().is_empty())
    }

    /// A line of text that holds the searched word `p` ([`MATCHED_LINES`]).
    fn matched_line(&mut self, p: &str) -> String {
        let w = pool_word(self.rng, "words").to_lowercase();
        one_of(self.rng, MATCHED_LINES)
            .replace("{p}", p)
            .replace("{w}", &w)
    }

    /// A file's name as a directory shows it: a word and an extension (`budget.csv`).
    fn file_name(&mut self) -> String {
        let ext = one_of(self.rng, &["txt", "csv", "md", "pdf", "log", "json"]);
        format!("{}.{ext}", self.folder_name())
    }

    /// A folder's name: one lowercase word (`reports`).
    fn folder_name(&mut self) -> String {
        pool_word(self.rng, "words")
            .to_lowercase()
            .replace(' ', "_")
    }

    /// An entry of a directory listing: mostly files, some folders.
    fn file_or_folder(&mut self) -> String {
        if self.rng.random_bool(0.7) {
            self.file_name()
        } else {
            self.folder_name()
        }
    }

    /// Values whose form the name or description fixes, as a person would type them: a
    /// first name alone, a login name, a password, an airport or stock code, a card or
    /// passport number, a short message. None for everything else.
    fn typed_text(&mut self, n: &str, d: &str) -> Option<String> {
        let last_word = n.rsplit('_').next().unwrap_or(n);
        if matches!(n, "first_name" | "firstname" | "given_name") || n.ends_with("_first_name") {
            return Some(pool_word(self.rng, "first_names"));
        }
        if matches!(n, "last_name" | "lastname" | "surname" | "family_name")
            || n.ends_with("_last_name")
        {
            return Some(pool_word(self.rng, "last_names"));
        }
        // "Tag name should start with #": a hashtag; "Mention name should start with @": a
        // handle; "List of users mentioned": usernames.
        let starts = |c: char| {
            ["start with ", "starts with ", "begin with ", "begins with "]
                .iter()
                .any(|p| d.contains(&format!("{p}{c}")))
        };
        // A tweet's or post's `tags` are hashtags ("#travel"), another item's plain words.
        let social = ["tweet", "post", "social"]
            .iter()
            .any(|w| d.contains(w) || self.tool.contains(w));
        if matches!(n, "tags" | "tag" | "hashtags" | "hashtag") && !starts('#') {
            let w: String = pool_word(self.rng, "words")
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            return Some(if social { format!("#{w}") } else { w });
        }
        if starts('#') {
            let w = pool_word(self.rng, "words").to_lowercase();
            return Some(format!("#{}", w.replace(' ', "")));
        }
        let handle = starts('@');
        // Who made or changed an item is a user: `created_by` "nadia.rossi", not two words.
        let by_person = matches!(
            n,
            "created_by"
                | "updated_by"
                | "modified_by"
                | "assigned_by"
                | "reported_by"
                | "requested_by"
                | "approved_by"
                | "owned_by"
                | "author"
                | "creator"
        );
        if by_person
            || n.contains("username")
            || n.contains("user_name")
            || n == "handle"
            || n == "nickname"
            || n == "user"
            || handle
            || d.contains("usernames")
            || d.starts_with("list of users")
        {
            let first = pool_word(self.rng, "first_names").to_lowercase();
            let last = pool_word(self.rng, "last_names").to_lowercase();
            let name = match self.rng.random_range(0..3) {
                0 => format!("{first}.{last}"),
                1 => format!("{first}_{}", digits(self.rng, 2)),
                _ => format!("{}{last}", first.chars().next().unwrap_or('a')),
            };
            return Some(if handle { format!("@{name}") } else { name });
        }
        // A server's address: a host name or an IP address, never two words.
        if (matches!(last_word, "host" | "hostname" | "server") || n.ends_with("host_name"))
            && (d.contains("host") || d.contains("ip address") || d.contains("address"))
        {
            let w = pool_word(self.rng, "words").to_lowercase();
            let w: String = w.chars().filter(char::is_ascii_alphanumeric).collect();
            return Some(if self.rng.random_bool(0.3) {
                format!(
                    "10.{}.{}.{}",
                    self.rng.random_range(0..256u16),
                    self.rng.random_range(0..256u16),
                    self.rng.random_range(1..255u16)
                )
            } else {
                format!("{w}{}.example.com", self.rng.random_range(1..10u8))
            });
        }
        if n.contains("password") || n.contains("secret") || n.contains("passphrase") {
            let w = pool_word(self.rng, "words");
            return Some(format!(
                "{w}#{}{}",
                digits(self.rng, 3),
                char::from(b'A' + self.rng.random_range(0..26u8))
            ));
        }
        if n.contains("airport")
            || d.contains("airport code")
            || d.contains("letter code of")
            || d.contains("iata")
        {
            return Some(one_of(self.rng, AIRPORTS).to_string());
        }
        if n == "symbol"
            || n.ends_with("_symbol")
            || n == "ticker"
            || n == "stock"
            || d.contains("stock symbol")
        {
            return Some(one_of(self.rng, TICKERS).to_string());
        }
        if n.contains("card_number") || n == "card_no" {
            return Some(format!("4{}", digits(self.rng, 15)));
        }
        if n.contains("passport") {
            return Some(format!(
                "{}{}",
                char::from(b'A' + self.rng.random_range(0..26u8)),
                digits(self.rng, 8)
            ));
        }
        if d.contains("zipcode") || d.contains("zip code") || d.contains("postal code") {
            return Some(digits(self.rng, 5));
        }
        if d.contains("mm/yyyy") {
            return Some(format!(
                "{:02}/{}",
                self.rng.random_range(1..13),
                self.rng.random_range(2027..2031)
            ));
        }
        if d.contains("street, city") {
            return Some(format!(
                "{} {}, {}",
                self.rng.random_range(2..240),
                pool_word(self.rng, "streets"),
                pool_word(self.rng, "cities")
            ));
        }
        if n == "location"
            || n.ends_with("_location")
            || d.starts_with("the location")
            || d.contains("name of the location")
        {
            return Some(pool_word(self.rng, "cities"));
        }
        // A web domain (`generate_phishing_domains(domain)`), not two title-case words.
        if n == "domain" || n.ends_with("_domain") {
            let w = pool_word(self.rng, "places").to_lowercase();
            let w: String = w.chars().filter(char::is_ascii_alphanumeric).collect();
            return Some(format!(
                "{w}.{}",
                one_of(self.rng, &["com", "org", "net", "io"])
            ));
        }
        // A page cursor is an opaque token, as APIs hand them out.
        if last_word == "cursor" {
            return Some(drawn_chars(self.rng, TOKEN_CHARS, 12));
        }
        if matches!(last_word, "permission" | "permissions") {
            return Some(
                one_of(self.rng, &["read", "write", "delete", "share", "admin"]).to_string(),
            );
        }
        // A size or usage said as text (`du`'s "disk_usage") is an amount of storage.
        if matches!(last_word, "usage" | "space") || n == "disk_size" || n == "file_size" {
            let unit = one_of(self.rng, &["KB", "MB", "GB"]);
            return Some(format!(
                "{}.{} {unit}",
                self.rng.random_range(1..900),
                self.rng.random_range(0..10)
            ));
        }
        let listing = d.contains("list of") && (d.contains("directory") || d.contains("folder"));
        // What a search matched holds what it searched for: `grep(pattern="budget")` finds
        // lines with "budget" in them, `find(name="notes")` paths with "notes" in them.
        let sought = self.sought().filter(|_| d.contains("match"));
        if let Some(p) = sought {
            let p = p.trim().to_string();
            if d.contains("line") {
                return Some(self.matched_line(&p));
            }
            if listing {
                let name = if p.contains('.') {
                    p
                } else {
                    let ext = one_of(self.rng, &["txt", "csv", "md", "pdf", "log", "json"]);
                    format!("{p}.{ext}")
                };
                let dir = self.folder_name();
                return Some(format!("{dir}/{name}"));
            }
        }
        // "A list of the contents of the specified directory", "matching file and directory
        // paths": a file system's entries are file and folder names, never sentences.
        if listing && (d.contains("content") || d.contains("path") || d.contains("file")) {
            let entry = self.file_or_folder();
            if d.contains("path") && self.rng.random_bool(0.5) {
                let dir = self.folder_name();
                return Some(format!("{dir}/{entry}"));
            }
            return Some(entry);
        }
        // A mathematical function is a formula in x ("3x^2 + 2x - 5"), not two words.
        if matches!(
            last_word,
            "function" | "equation" | "expression" | "polynomial"
        ) && (d.contains("function") || d.contains("equation") || d.contains("math"))
            && !d.contains("name of")
        {
            let (a, b, c) = (
                self.rng.random_range(1..10),
                self.rng.random_range(1..10),
                self.rng.random_range(1..10),
            );
            return Some(match self.rng.random_range(0..3) {
                0 => format!("{a}x^2 + {b}x - {c}"),
                1 => format!("{a}x^3 - {b}x + {c}"),
                _ => format!("{a}x^2 - {b}"),
            });
        }
        // A stock watchlist holds ticker symbols.
        if n.contains("watchlist") {
            return Some(one_of(self.rng, TICKERS).to_string());
        }
        if (matches!(
            last_word,
            "message"
                | "content"
                | "contents"
                | "description"
                | "desc"
                | "statement"
                | "prompt"
                | "question"
                | "answer"
                | "lines"
                | "excerpt"
                | "snippet"
                | "comment"
                | "text"
                | "body"
                | "note"
                | "resolution"
                | "reply"
                | "feedback"
                | "failure"
                | "reason"
        ) || (last_word == "log" && d.contains("messages")))
            && !n.ends_with("type")
        {
            // A search's hits say what was searched for: `search_messages(keyword="budget")`
            // finds messages about the budget.
            let search = matches!(
                self.verb.as_str(),
                "search" | "find" | "grep" | "lookup" | "filter"
            );
            if let Some(p) = self.sought().filter(|_| self.in_list && search) {
                let p = p.trim().to_string();
                return Some(self.matched_line(&p));
            }
            return Some(one_of(self.rng, MESSAGES).to_string());
        }
        // A court case is "Smith v. Jones".
        if n.contains("case") && matches!(last_word, "title" | "name") {
            return Some(format!(
                "{} v. {}",
                pool_word(self.rng, "last_names"),
                pool_word(self.rng, "last_names")
            ));
        }
        if matches!(last_word, "title" | "subject" | "summary") && !n.contains("name") {
            return Some(one_of(self.rng, SUBJECTS).to_string());
        }
        if matches!(
            last_word,
            "keyword" | "keywords" | "query" | "pattern" | "term"
        ) {
            return Some(pool_word(self.rng, "words").to_lowercase());
        }
        // A picture is a file of one ("team_offsite.jpg"), never two title-case words.
        if matches!(
            last_word,
            "photo" | "image" | "img" | "picture" | "avatar" | "thumbnail"
        ) || n.ends_with("image_path")
            || n.ends_with("img_path")
        {
            let w = pool_word(self.rng, "words")
                .to_lowercase()
                .replace(' ', "_");
            let ext = one_of(self.rng, &["jpg", "png", "jpeg"]);
            return Some(format!("{w}.{ext}"));
        }
        // A hash or checksum is hex digits.
        if matches!(last_word, "hash" | "checksum" | "digest" | "sha" | "etag") {
            return Some(drawn_chars(self.rng, HEX, 16));
        }
        if n.contains("file_name") || n == "filename" || n == "file" || n == "source" {
            return Some(self.file_name());
        }
        if n.contains("dir_name")
            || matches!(n, "folder" | "directory" | "dir" | "destination" | "path")
        {
            return Some(self.folder_name());
        }
        // An address's state ("The province, such as 'CA'") is a place, not a status.
        if matches!(last_word, "state" | "province" | "region")
            && ["province", "region", "address", "us state", "state code"]
                .iter()
                .any(|w| d.contains(w))
        {
            return Some(
                one_of(
                    self.rng,
                    &["CA", "NY", "TX", "WA", "IL", "MA", "FL", "OR", "ON", "BC"],
                )
                .to_string(),
            );
        }
        if last_word == "status" || last_word == "state" {
            return Some(
                one_of(
                    self.rng,
                    &["active", "pending", "completed", "open", "closed"],
                )
                .to_string(),
            );
        }
        // A piece of music's key.
        if n == "key"
            && ["music", "song", "piece", "musical"]
                .iter()
                .any(|w| d.contains(w))
        {
            return Some(
                one_of(
                    self.rng,
                    &["C major", "G major", "D minor", "A minor", "E flat major"],
                )
                .to_string(),
            );
        }
        // A stored value's key is written as a program would: `project_deadline`.
        if n == "key" || n == "memory_key" {
            let a = pool_word(self.rng, "words").to_lowercase();
            let b = pool_word(self.rng, "words").to_lowercase();
            return Some(format!("{a}_{b}"));
        }
        // Units of one kind, so any two convert into each other.
        if n == "unit" || n.starts_with("unit_") || n.ends_with("_unit") {
            return Some(
                one_of(
                    self.rng,
                    &[
                        "meters",
                        "kilometers",
                        "centimeters",
                        "miles",
                        "feet",
                        "inches",
                    ],
                )
                .to_string(),
            );
        }
        if n == "token_type" {
            return Some("Bearer".into());
        }
        if n == "scope" || n.ends_with("_scope") {
            return Some(one_of(self.rng, &["read", "write", "read_write"]).to_string());
        }
        // A kind with no list of its own is a tier, as products and plans name them, not two
        // random words ("an insurance type of Ledger operations").
        if last_word == "type" && !n.contains("file") && !n.contains("mime") {
            return Some(
                one_of(self.rng, &["basic", "standard", "premium", "comprehensive"]).to_string(),
            );
        }
        if last_word == "year" {
            return Some(self.rng.random_range(2022..2028).to_string());
        }
        self.service_text(n, last_word, d)
    }

    /// Values of web services and finance whose form their name fixes: an account number, a
    /// bank, a git branch, an identity provider, OAuth grant and response types, an HTTP
    /// `Authorization` header or user agent, a thought or search words. None for the rest.
    fn service_text(&mut self, n: &str, last_word: &str, d: &str) -> Option<String> {
        // "Flight number, such as 'HAT001'": the description's examples say the form.
        if !examples(d).is_empty() {
            return None;
        }
        if n.contains("account_number")
            || n.contains("account_no")
            || (last_word == "account" && !d.contains("email") && !d.contains("name"))
        {
            return Some(digits(self.rng, 10));
        }
        if n == "bank" || n == "bank_name" {
            return Some(one_of(self.rng, BANKS).to_string());
        }
        if last_word == "branch" && !d.contains("bank") {
            return Some(one_of(self.rng, BRANCHES).to_string());
        }
        if last_word == "provider" {
            let identity = [
                "identity", "oauth", "openid", "oidc", "login", "sso", "sign",
            ]
            .iter()
            .any(|w| d.contains(w));
            return Some(if identity {
                one_of(self.rng, &["Google", "GitHub", "Okta", "Auth0", "Keycloak"]).to_string()
            } else if d.contains("cloud") {
                one_of(self.rng, &["AWS", "Azure", "Google Cloud"]).to_string()
            } else {
                pool_word(self.rng, "companies")
            });
        }
        if matches!(n, "grant_type" | "grant_types") {
            return Some(
                one_of(
                    self.rng,
                    &["authorization_code", "client_credentials", "refresh_token"],
                )
                .to_string(),
            );
        }
        if matches!(n, "response_type" | "response_types") {
            return Some(one_of(self.rng, &["code", "id_token", "token"]).to_string());
        }
        if n == "authorization" {
            return Some(format!("Bearer {}", drawn_chars(self.rng, TOKEN_CHARS, 24)));
        }
        if n == "user_agent" || n == "useragent" {
            return Some(one_of(self.rng, USER_AGENTS).to_string());
        }
        if matches!(
            last_word,
            "thought" | "thoughts" | "messages" | "notes" | "comments"
        ) {
            return Some(one_of(self.rng, MESSAGES).to_string());
        }
        // "The user's specific question or request regarding programming": a question on
        // the topic the description names.
        if last_word == "input" && d.contains("question") {
            let topic = if ["program", "code", "coding"].iter().any(|w| d.contains(w)) {
                CODE_QUESTIONS
            } else if ["hack", "secur", "exploit", "vulnerab"]
                .iter()
                .any(|w| d.contains(w))
            {
                SECURITY_QUESTIONS
            } else {
                return None;
            };
            return Some(one_of(self.rng, topic).to_string());
        }
        if last_word == "genre" || last_word == "genres" {
            return Some(one_of(self.rng, GENRES).to_string());
        }
        if matches!(last_word, "parties" | "party") {
            return Some(pool_word(self.rng, "companies"));
        }
        // A data set's variables and columns are named as a program names them.
        if matches!(
            last_word,
            "var" | "variable" | "variables" | "predictors" | "columns" | "column"
        ) || (last_word == "target" && (d.contains("variable") || d.contains("predict")))
        {
            return Some(one_of(self.rng, VARIABLES).to_string());
        }
        if last_word == "court" {
            return Some(
                one_of(
                    self.rng,
                    &[
                        "Supreme Court",
                        "Court of Appeal",
                        "District Court",
                        "High Court",
                    ],
                )
                .to_string(),
            );
        }
        if last_word == "docket" || n.contains("docket_number") {
            return Some(format!("{}-{}", digits(self.rng, 2), digits(self.rng, 4)));
        }
        if matches!(n, "string" | "input_string" | "text_string") {
            return Some(one_of(self.rng, MESSAGES).to_string());
        }
        if last_word == "habitat" {
            return Some(
                one_of(
                    self.rng,
                    &["forest", "wetland", "grassland", "desert", "coastal"],
                )
                .to_string(),
            );
        }
        if last_word == "species" {
            return Some(one_of(self.rng, SPECIES).to_string());
        }
        if matches!(last_word, "artist" | "band" | "composer" | "singer") {
            return Some(one_of(self.rng, ARTISTS).to_string());
        }
        if matches!(last_word, "topic" | "topics" | "subject_area" | "field") {
            return Some(one_of(self.rng, TOPICS).to_string());
        }
        if n.contains("scenario") && d.contains("climate") {
            return Some(one_of(self.rng, &["RCP4.5", "RCP8.5", "SSP2-4.5"]).to_string());
        }
        // Groceries to order are foods.
        if matches!(last_word, "items" | "item" | "products")
            && ["grocer", "food", "ingredient"]
                .iter()
                .any(|w| d.contains(w))
        {
            return Some(one_of(self.rng, FOOD_NAMES).to_string());
        }
        // `wave_file`, `data_source`: a file's name.
        if matches!(last_word, "file" | "source") && !d.contains("url") {
            let ext = one_of(self.rng, &["csv", "json", "wav", "txt"]);
            let ext = if n.contains("wave") || n.contains("audio") {
                "wav"
            } else {
                ext
            };
            return Some(format!(
                "{}.{ext}",
                pool_word(self.rng, "words").to_lowercase()
            ));
        }
        // A value kept in an assistant's memory is a fact about the user.
        if matches!(n, "value" | "content" | "memory")
            && (d.contains("memory") || self.tool.contains("memory"))
        {
            return Some(one_of(self.rng, MEMORY_FACTS).to_string());
        }
        if n == "q" || n == "search_query" {
            return Some(pool_word(self.rng, "words").to_lowercase());
        }
        if last_word == "version" {
            return Some(format!(
                "{}.{}.{}",
                self.rng.random_range(1..5u8),
                self.rng.random_range(0..10u8),
                self.rng.random_range(0..20u8)
            ));
        }
        // `ticket_number` as text: a number, as such references are printed.
        if last_word == "number" {
            return Some(digits(self.rng, 8));
        }
        if last_word == "role" {
            return Some(
                one_of(
                    self.rng,
                    &["admin", "editor", "viewer", "developer", "maintainer"],
                )
                .to_string(),
            );
        }
        if last_word == "usergroup" || n == "user_group" || n == "group" {
            return Some(
                one_of(
                    self.rng,
                    &["admins", "developers", "finance", "support", "marketing"],
                )
                .to_string(),
            );
        }
        // A restaurant's food item is a dish; a list of ingredients is groceries.
        if n.contains("food") || last_word == "dish" {
            return Some(format!(
                "{} {}",
                one_of(self.rng, DISH_FIRST),
                one_of(self.rng, DISH_LAST)
            ));
        }
        if n.contains("ingredients") {
            return Some(format!(
                "{}, {}",
                one_of(self.rng, FOOD_NAMES),
                one_of(self.rng, FOOD_NAMES).to_lowercase()
            ));
        }
        if last_word == "product" || n == "product_name" || d.starts_with("the name of the product")
        {
            return Some(one_of(self.rng, PRODUCTS).to_string());
        }
        None
    }

    fn date(&mut self) -> String {
        format!(
            "2026-{:02}-{:02}",
            self.rng.random_range(1..13),
            self.rng.random_range(1..29)
        )
    }
}

impl Environment for Simulated {
    type Snapshot = SimState;

    fn specs(&self) -> &[ToolSpec] {
        &self.catalog.specs
    }

    fn reset(&mut self, seed: u64) {
        self.seed = seed;
        self.state = SimState::default();
    }

    fn execute(&mut self, call: &ToolCall) -> Result<Value, ToolError> {
        let catalog = self.catalog.clone();
        let Some(&t) = catalog.by_name.get(&call.name) else {
            return Err(ToolError::UnknownTool {
                name: call.name.clone(),
            });
        };
        validate::validate_args(&catalog.validators[t], &call.name, &call.arguments)?;
        // An identifier must have been handed out by an earlier result of this trajectory, as
        // the same kind of thing: a project id is not a task id.
        for (k, v) in &call.arguments {
            if catalog.external.contains(k) {
                continue;
            }
            if let (true, Some(id)) = (is_identifier_name(k), id_text(v)) {
                let want = id_kind(k);
                let fits = self.state.known.get(&id).is_some_and(|kinds| {
                    want.is_empty() || kinds.iter().any(|g| g.is_empty() || *g == want)
                });
                if !fits {
                    return Err(ToolError::NotFound {
                        what: k.trim_end_matches("_id").replace('_', " "),
                        id: id.to_string(),
                    });
                }
            }
        }
        if let Some((param, v)) = self.mistyped(t, &call.arguments) {
            return nothing_found(&catalog.specs[t], param, v);
        }
        Ok(self.result(t, &catalog.specs[t], &call.arguments))
    }

    fn snapshot(&self) -> SimState {
        self.state.clone()
    }

    fn restore(&mut self, snapshot: &SimState) {
        self.state = snapshot.clone();
    }

    fn set_list_tokens(&mut self, tokens: Option<usize>) -> bool {
        self.list_tokens = tokens;
        true
    }

    fn digest(&self) -> u64 {
        let mut bytes = Vec::with_capacity(self.state.log.len() * 8);
        for h in &self.state.log {
            bytes.extend_from_slice(&h.to_le_bytes());
        }
        xxh3_64(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(name: &str, params: Value, returns: Value) -> ToolSpec {
        ToolSpec {
            read_only: None,
            name: name.into(),
            description: format!("{name} tool"),
            domain: "notes".into(),
            parameters: params,
            returns: Some(returns),
        }
    }

    fn specs() -> Vec<ToolSpec> {
        let note = json!({"type": "object", "properties": {
            "note_id": {"type": "string"}, "title": {"type": "string"},
            "stars": {"type": "integer", "minimum": 1, "maximum": 5},
            "state": {"type": "string", "enum": ["draft", "final"]}}});
        vec![
            spec(
                "create_note",
                json!({"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]}),
                note.clone(),
            ),
            spec(
                "get_note",
                json!({"type": "object", "properties": {"note_id": {"type": "string"}}, "required": ["note_id"]}),
                note,
            ),
            spec(
                "search_notes",
                json!({"type": "object", "properties": {"q": {"type": "string"}}}),
                json!({"type": "object", "properties": {"results": {"type": "array", "maxItems": 3, "items": {"type": "object", "properties": {"note_id": {"type": "string"}}}}}}),
            ),
        ]
    }

    fn call(name: &str, args: Value) -> ToolCall {
        ToolCall {
            name: name.into(),
            arguments: args.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn a_change_reports_that_it_went_through_and_a_lookup_names_what_it_looked_up() {
        let obj = |props: Value| json!({"type": "object", "properties": props});
        let order = obj(json!({
            "order_id": {"type": "integer", "description": "ID of the new order."},
            "status": {"type": "string", "description": "Initial status of the order."}}));
        let specs = vec![
            spec(
                "place_order",
                obj(json!({"symbol": {"type": "string"}})),
                order,
            ),
            spec(
                "get_order_details",
                obj(json!({"order_id": {"type": "integer"}})),
                obj(json!({
                    "id": {"type": "integer", "description": "ID of the order."},
                    "status": {"type": "string", "description":
                        "Current status of the order. [Enum]: [\"Open\", \"Pending\", \"Cancelled\"]"}})),
            ),
            spec(
                "cancel_order",
                obj(json!({"order_id": {"type": "integer"}})),
                obj(json!({
                    "status": {"type": "string", "description": "New status after the cancellation attempt."},
                    "cancel_status": {"type": "boolean", "description": "True if successful, False if failed"},
                    "message": {"type": "string", "description": "A message describing the result of the attempt."},
                    "result": {"type": "string", "description": "The result of the cancel operation."},
                    "transaction_id": {"type": "string", "description": "The ID of the transaction"}})),
            ),
            spec(
                "contact_support",
                obj(json!({"message": {"type": "string"}})),
                obj(
                    json!({"reply": {"type": "string", "description": "The message from customer support"}}),
                ),
            ),
            spec(
                "estimate_range",
                obj(json!({"distance": {"type": "number"}})),
                obj(
                    json!({"can_drive": {"type": "boolean", "description": "True if the car can drive it."}}),
                ),
            ),
        ];
        let mut sim = Simulated::new(specs, 5).expect("specs");
        let placed = sim
            .execute(&call("place_order", json!({"symbol": "IBM"})))
            .expect("runs");
        // A new order starts in the first state the collection lists.
        assert_eq!(placed["status"], "Open");
        let id = placed["order_id"].clone();
        let got = sim
            .execute(&call("get_order_details", json!({"order_id": id})))
            .expect("runs");
        assert_eq!(got["id"], id, "{got}");
        assert_eq!(got["status"], "Open", "{got}");
        let cancelled = sim
            .execute(&call("cancel_order", json!({"order_id": id})))
            .expect("runs");
        assert_eq!(cancelled["status"], "Cancelled", "{cancelled}");
        assert_eq!(cancelled["cancel_status"], true, "{cancelled}");
        assert_eq!(
            cancelled["message"], "Completed successfully",
            "{cancelled}"
        );
        assert_eq!(
            cancelled["result"], "The cancel operation completed successfully",
            "{cancelled}"
        );
        assert!(
            cancelled["transaction_id"]
                .as_str()
                .is_some_and(|t| t.starts_with("TRA-")),
            "{cancelled}"
        );
        let reply = sim
            .execute(&call("contact_support", json!({"message": "Help"})))
            .expect("runs");
        assert!(
            REPLIES.contains(&reply["reply"].as_str().unwrap_or("")),
            "{reply}"
        );
        // An answer is not an outcome: a read's flag goes either way.
        let flags: BTreeSet<bool> = (0..40)
            .filter_map(|d| {
                sim.execute(&call("estimate_range", json!({"distance": d})))
                    .ok()?["can_drive"]
                    .as_bool()
            })
            .collect();
        assert_eq!(flags.len(), 2, "{flags:?}");
    }

    #[test]
    fn a_setting_shows_the_state_it_asked_for_and_numbers_fit_their_units() {
        let obj = |props: Value| json!({"type": "object", "properties": props});
        let specs = vec![
            spec(
                "activateParkingBrake",
                obj(
                    json!({"mode": {"type": "string", "description": "[Enum]: [\"engage\", \"release\"]"}}),
                ),
                obj(json!({"parkingBrakeStatus": {"type": "string",
                    "description": "The status of the brake. [Enum]: [\"engaged\", \"released\"]"}})),
            ),
            spec(
                "setCruiseControl",
                obj(json!({"speed": {"type": "number"}, "activate": {"type": "boolean"}})),
                obj(json!({
                    "cruiseStatus": {"type": "string", "description": "[Enum]: [\"active\", \"inactive\"]"},
                    "currentSpeed": {"type": "number", "description": "The current speed in km/h."}})),
            ),
            spec(
                "startEngine",
                obj(json!({"ignitionMode": {"type": "string"}})),
                obj(json!({
                    "batteryVoltage": {"type": "number", "description": "The battery voltage in volts."},
                    "fuelLevel": {"type": "number", "description": "The fuel level in gallons."},
                    "pedal": {"type": "number", "description": "Between 0 (off) and 1 (full)."},
                    "priority": {"type": "integer", "description": "From 1 to 5."},
                    "ticket_priority": {"type": "integer"},
                    "remainingUnlockedDoors": {"type": "integer", "description": "The number of remaining unlocked doors."},
                    "engineState": {"type": "string", "description": "[Enum]: [\"running\", \"stopped\"]"}})),
            ),
            spec(
                "liter_to_gallon",
                obj(json!({"liter": {"type": "number"}})),
                obj(json!({"gallon": {"type": "number"}})),
            ),
            spec(
                "celsius_to_fahrenheit",
                obj(json!({"celsius": {"type": "number"}})),
                obj(json!({"fahrenheit": {"type": "number"}})),
            ),
        ];
        let mut sim = Simulated::new(specs, 3).expect("specs");
        // "START" leaves the engine running, "STOP" stopped (no shared spelling).
        for (mode, state) in [("START", "running"), ("STOP", "stopped")] {
            let r = sim
                .execute(&call("startEngine", json!({"ignitionMode": mode})))
                .expect("runs");
            assert_eq!(r["engineState"], state, "{r}");
        }
        for (mode, state) in [("engage", "engaged"), ("release", "released")] {
            let r = sim
                .execute(&call("activateParkingBrake", json!({"mode": mode})))
                .expect("runs");
            assert_eq!(r["parkingBrakeStatus"], state, "{r}");
        }
        for speed in [30.0, 55.5, 90.0] {
            let r = sim
                .execute(&call(
                    "setCruiseControl",
                    json!({"speed": speed, "activate": true}),
                ))
                .expect("runs");
            assert_eq!(r["currentSpeed"], speed, "{r}");
            assert_eq!(r["cruiseStatus"], "active", "{r}");
        }
        for mode in ["START", "STOP", "ACC", "RUN"] {
            let r = sim
                .execute(&call("startEngine", json!({"ignitionMode": mode})))
                .expect("runs");
            let x = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
            assert!((11.8..=14.6).contains(&x("batteryVoltage")), "{r}");
            assert!((0.5..=15.0).contains(&x("fuelLevel")), "{r}");
            assert!((0.0..=1.0).contains(&x("pedal")), "{r}");
            assert!((1.0..=5.0).contains(&x("priority")), "{r}");
            assert!((1.0..=5.0).contains(&x("ticket_priority")), "{r}");
            assert!((0.0..=4.0).contains(&x("remainingUnlockedDoors")), "{r}");
        }
        let r = sim
            .execute(&call("liter_to_gallon", json!({"liter": 10.0})))
            .expect("runs");
        assert_eq!(r["gallon"], 2.6417, "{r}");
        let r = sim
            .execute(&call("celsius_to_fahrenheit", json!({"celsius": 100})))
            .expect("runs");
        assert_eq!(r["fahrenheit"], 212.0, "{r}");
        let convert = spec(
            "si_unit_conversion",
            json!({"type": "object", "properties": {"value": {"type": "number"},
                "unit_in": {"type": "string"}, "unit_out": {"type": "string"}}}),
            json!({"type": "object", "properties": {"result": {"type": "number"}}}),
        );
        let mut units = Simulated::new(vec![convert], 1).expect("specs");
        let r = units
            .execute(&call(
                "si_unit_conversion",
                json!({"value": 2, "unit_in": "kilometers", "unit_out": "feet"}),
            ))
            .expect("runs");
        assert_eq!(r["result"], 6561.6798, "{r}");
        // Any two units the collection offers convert into each other.
        let pool = units.text_pools();
        for (a, b) in pool["unit_in"].iter().zip(&pool["unit_out"]) {
            let (a, b) = (a.as_str().unwrap_or(""), b.as_str().unwrap_or(""));
            assert!(convert_units(a, b).is_some(), "{a} -> {b}");
        }
        assert!(conversion("kg_to_miles").is_none());
        assert!(conversion("get_order_details").is_none());
    }

    #[test]
    fn a_list_does_not_show_one_name_twice() {
        let list = spec(
            "get_recipe_ingredients",
            json!({"type": "object", "properties": {"recipe": {"type": "string"}}}),
            json!({"type": "object", "properties": {"results": {"type": "array",
                "minItems": 4, "maxItems": 4, "items": {"type": "object", "properties": {
                    "ingredient_id": {"type": "string"}, "ingredient_name": {"type": "string"}}}}}}),
        );
        let mut sim = Simulated::new(vec![list], 2).expect("specs");
        for k in 0..40 {
            let r = sim
                .execute(&call(
                    "get_recipe_ingredients",
                    json!({"recipe": format!("r{k}")}),
                ))
                .expect("runs");
            let names: Vec<&str> = r["results"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x["ingredient_name"].as_str())
                .collect();
            let distinct: BTreeSet<&str> = names.iter().copied().collect();
            assert_eq!(distinct.len(), names.len(), "{r}");
        }
    }

    #[test]
    fn listed_rows_match_the_calls_filters() {
        let bikes = spec(
            "listBikes",
            json!({"type": "object", "properties": {
                "bikeType": {"type": "string", "enum": ["classic", "cargo"]},
                "minBatteryPercent": {"type": "integer"}}}),
            json!({"type": "object", "properties": {"bikes": {"type": "array", "minItems": 4, "maxItems": 6,
                "items": {"type": "object", "properties": {
                    "bikeId": {"type": "string"},
                    "bikeType": {"type": "string", "enum": ["classic", "cargo"]},
                    "batteryPercent": {"type": "integer", "minimum": 0, "maximum": 100}}}}}}),
        );
        let mut env = Simulated::new(vec![bikes], 3).expect("specs compile");
        for seed in 0..5 {
            let args = json!({"bikeType": "cargo", "minBatteryPercent": 60 + seed});
            let out = env.execute(&call("listBikes", args)).expect("list");
            let rows = out["bikes"].as_array().expect("rows");
            assert!(rows.len() >= 4);
            for r in rows {
                assert_eq!(r["bikeType"], "cargo", "{out}");
                assert!(
                    r["batteryPercent"].as_i64().expect("int") >= 60 + seed,
                    "{out}"
                );
            }
        }
    }

    #[test]
    fn results_follow_the_schema_and_ids_stay_consistent() {
        let mut env = Simulated::new(specs(), 7).expect("specs compile");
        let made = env
            .execute(&call("create_note", json!({"title": "Groceries"})))
            .expect("create");
        assert_eq!(made["title"], "Groceries", "a given value is echoed");
        let stars = made["stars"].as_i64().expect("integer");
        assert!((1..=5).contains(&stars));
        assert!(["draft", "final"].contains(&made["state"].as_str().expect("enum")));
        let id = made["note_id"].as_str().expect("id").to_string();
        // Fetched again, the item shows the fields it was made with.
        let got = env
            .execute(&call("get_note", json!({"note_id": id})))
            .expect("a made id is found");
        assert_eq!(got, made);
        let err = env
            .execute(&call("get_note", json!({"note_id": "NOT-1"})))
            .expect_err("unknown id");
        assert!(matches!(err, ToolError::NotFound { .. }), "{err}");
        let bad = env
            .execute(&call("create_note", json!({})))
            .expect_err("missing title");
        assert_eq!(id_kind("owner_contact_id"), "contact");
        assert_eq!(id_kind("flightId"), "flight");
        assert_eq!(id_kind("id"), "");
        assert!(matches!(bad, ToolError::InvalidArguments { .. }), "{bad}");
    }

    #[test]
    fn a_made_item_is_fetched_with_what_the_call_gave_even_when_the_reply_left_it_out() {
        let order = |extra: Value| {
            let mut p = json!({"order_id": {"type": "integer"}, "status": {"type": "string"}});
            if let (Some(p), Some(e)) = (p.as_object_mut(), extra.as_object()) {
                p.extend(e.clone());
            }
            json!({"type": "object", "properties": p})
        };
        let specs = vec![
            spec(
                "place_order",
                json!({"type": "object", "properties": {"symbol": {"type": "string"}, "amount": {"type": "integer"}}, "required": ["symbol", "amount"]}),
                order(json!({})),
            ),
            spec(
                "get_order_details",
                json!({"type": "object", "properties": {"order_id": {"type": "integer"}}, "required": ["order_id"]}),
                order(json!({"symbol": {"type": "string"}, "amount": {"type": "integer"}})),
            ),
        ];
        for seed in 0..8 {
            let mut env = Simulated::new(specs.clone(), seed).expect("specs compile");
            let made = env
                .execute(&call("place_order", json!({"symbol": "CRM", "amount": 7})))
                .expect("placed");
            let got = env
                .execute(&call(
                    "get_order_details",
                    json!({"order_id": made["order_id"]}),
                ))
                .expect("found");
            assert_eq!(got["symbol"], "CRM", "seed {seed}: {got}");
            assert_eq!(got["amount"], 7, "seed {seed}: {got}");
            assert_eq!(got["status"], made["status"], "seed {seed}: {got}");
        }
    }

    #[test]
    fn a_calculator_works_its_answer_out() {
        let calc = |name: &str, description: &str, params: Value| {
            let mut sim = Simulated::new(
                vec![ToolSpec {
                    description: description.to_string(),
                    ..spec(
                        name,
                        params,
                        json!({"type": "object", "properties": {"result": {"type": "number"}}}),
                    )
                }],
                1,
            )
            .expect("specs compile");
            let name = name.to_string();
            move |args: Value| {
                sim.execute(&ToolCall {
                    name: name.clone(),
                    arguments: args.as_object().cloned().unwrap_or_default(),
                })
                .expect("runs")["result"]
                    .clone()
            }
        };
        let two = |a: &str, b: &str| json!({"type": "object", "properties": {a: {"type": "number"}, b: {"type": "number"}}});
        let one = |a: &str| json!({"type": "object", "properties": {a: {"type": "number"}}});
        let mut area = calc(
            "calculate_triangle_area",
            "Calculate the area of a triangle.",
            two("base", "height"),
        );
        assert_eq!(area(json!({"base": 6, "height": 5})), json!(15.0));
        let mut round = calc(
            "calculate_circumference",
            "Calculates the circumference of a circle.",
            one("radius"),
        );
        assert_eq!(round(json!({"radius": 2})), json!(12.5664));
        let mut fact = calc(
            "math.factorial",
            "Calculate the factorial of a given number.",
            one("number"),
        );
        assert_eq!(fact(json!({"number": 5})), json!(120.0));
        let mut gcd = calc(
            "math.gcd",
            "Compute the greatest common divisor of two numbers",
            two("num1", "num2"),
        );
        assert_eq!(gcd(json!({"num1": 12, "num2": 18})), json!(6.0));
        let mut hyp = calc("math.hypot", "Calculate the Euclidean norm.", two("x", "y"));
        assert_eq!(hyp(json!({"x": 3, "y": 4})), json!(5.0));
        let sides = json!({"type": "object", "properties": {"side1": {"type": "number"},
            "side2": {"type": "number"}, "side3": {"type": "number"}}});
        let mut heron = calc(
            "math.triangle_area_heron",
            "Calculate the area of a triangle using Heron's formula.",
            sides,
        );
        assert_eq!(
            heron(json!({"side1": 3, "side2": 4, "side3": 5})),
            json!(6.0)
        );
        let motion = json!({"type": "object", "properties": {"initial_speed": {"type": "number"},
            "acceleration": {"type": "number"}, "time": {"type": "number"}}});
        let mut disp = calc(
            "calculate_displacement",
            "Calculate the displacement of an object.",
            motion,
        );
        assert_eq!(
            disp(json!({"initial_speed": 4, "acceleration": 5, "time": 4})),
            json!(56.0)
        );
        let mut speed = calc(
            "calculate_speed",
            "Calculate the speed of an object.",
            two("distance", "time"),
        );
        assert_eq!(speed(json!({"distance": 10, "time": 4})), json!(2.5));
        let mut density = calc(
            "calculate_density",
            "Calculate the density of a substance.",
            two("mass", "volume"),
        );
        assert_eq!(density(json!({"mass": 9, "volume": 3})), json!(3.0));
        let fv = json!({"type": "object", "properties": {"present_value": {"type": "number"},
            "annual_interest_rate": {"type": "number"}, "years": {"type": "number"}}});
        let mut future = calc(
            "calculate_future_value",
            "Calculate the future value of an investment.",
            fv,
        );
        assert_eq!(
            future(json!({"present_value": 100, "annual_interest_rate": 10, "years": 2})),
            json!(121.0)
        );
        // Roots are worked out; a figure its field cannot hold is not forced into it.
        let abc = json!({"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}, "c": {"type": "number"}}});
        let roots = json!({"type": "object", "properties": {"roots": {"type": "array", "items": {"type": "number"}}}});
        let mut sim =
            Simulated::new(vec![spec("solve_quadratic", abc, roots)], 1).expect("specs compile");
        let r = sim
            .execute(&call("solve_quadratic", json!({"a": 1, "b": -3, "c": 2})))
            .expect("runs");
        assert_eq!(r["roots"], json!([1.0, 2.0]));
        let r = sim
            .execute(&call("solve_quadratic", json!({"a": 1, "b": 0, "c": 1})))
            .expect("runs");
        assert_eq!(r["roots"], json!([]));
        let p = json!({"type": "object", "properties": {"probability": {"type": "number", "minimum": 0, "maximum": 1}}});
        let dice = ToolSpec {
            description: "Calculate the probability of rolling a number several times in a row."
                .into(),
            ..spec("dice_roll", two("desired_number", "number_of_times"), p)
        };
        let mut sim = Simulated::new(vec![dice], 1).expect("specs compile");
        for n in 1..6 {
            let r = sim
                .execute(&call(
                    "dice_roll",
                    json!({"desired_number": 6, "number_of_times": n}),
                ))
                .expect("runs");
            let x = r["probability"].as_f64().unwrap_or(-1.0);
            assert!((0.0..=1.0).contains(&x), "{r}");
        }
        let nums = json!({"type": "object", "properties": {"numbers": {"type": "array", "items": {"type": "number"}}}});
        let mut min = calc(
            "min_value",
            "Find the minimum value in a list of numbers.",
            nums.clone(),
        );
        assert_eq!(
            min(json!({"numbers": [389.64, 479.65, 801.4]})),
            json!(389.64)
        );
        let mut sd = calc(
            "standard_deviation",
            "Calculate the standard deviation of a list of numbers.",
            nums,
        );
        assert_eq!(
            sd(json!({"numbers": [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]})),
            json!(2.0)
        );
        let ab = json!({"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}});
        let mut sub = calc("subtract", "Subtract one number from another.", ab);
        assert_eq!(sub(json!({"a": 10.5, "b": 0.5})), json!(10.0));
        let pw = json!({"type": "object", "properties": {"part": {"type": "number"}, "whole": {"type": "number"}}});
        let mut pct = calc("percentage", "This tool belongs to the Math API. Tool description: Calculate the percentage of a part relative to a whole.", pw);
        assert_eq!(pct(json!({"part": 16.5, "whole": 66.0})), json!(25.0));
        let rn = json!({"type": "object", "properties": {"number": {"type": "number"}, "decimal_places": {"type": "integer"}}});
        let mut round = calc(
            "round_number",
            "Round a number to a specified number of decimal places.",
            rn,
        );
        assert_eq!(
            round(json!({"number": 1.23456, "decimal_places": 2})),
            json!(1.23)
        );
        let n = json!({"type": "object", "properties": {"number": {"type": "number"}}});
        let nums2 = json!({"type": "object", "properties": {"numbers": {"type": "array", "items": {"type": "number"}}}});
        let ab2 = json!({"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}});
        let cases: Vec<(&str, &str, Value, Value, Value)> = vec![
            (
                "sum_values",
                "Calculate the sum of a list of numbers.",
                nums2.clone(),
                json!({"numbers": [1.5, 2.5, 3.0]}),
                json!(7.0),
            ),
            (
                "max_value",
                "Find the maximum value in a list of numbers.",
                nums2.clone(),
                json!({"numbers": [1.0, 9.5, 3.0]}),
                json!(9.5),
            ),
            (
                "mean",
                "Calculate the mean of a list of numbers.",
                nums2.clone(),
                json!({"numbers": [1.0, 2.0, 6.0]}),
                json!(3.0),
            ),
            (
                "median",
                "Find the median of a list of numbers.",
                nums2,
                json!({"numbers": [5.0, 1.0, 3.0, 4.0]}),
                json!(3.5),
            ),
            (
                "add",
                "Add two numbers.",
                ab2.clone(),
                json!({"a": 1.25, "b": 2.0}),
                json!(3.25),
            ),
            (
                "multiply",
                "Multiply two numbers.",
                ab2.clone(),
                json!({"a": 1.5, "b": 4.0}),
                json!(6.0),
            ),
            (
                "divide",
                "Divide one number by another.",
                ab2,
                json!({"a": 9.0, "b": 4.0}),
                json!(2.25),
            ),
            (
                "absolute_value",
                "Calculate the absolute value of a number.",
                n.clone(),
                json!({"number": -4.5}),
                json!(4.5),
            ),
            (
                "square_root",
                "Calculate the square root of a number.",
                n,
                json!({"number": 20.25}),
                json!(4.5),
            ),
            (
                "power",
                "Raise a number to a power.",
                json!({"type": "object", "properties": {"base": {"type": "number"}, "exponent": {"type": "number"}}}),
                json!({"base": 2.0, "exponent": 10.0}),
                json!(1024.0),
            ),
            (
                "logarithm",
                "Compute the logarithm of a number.",
                json!({"type": "object", "properties": {"value": {"type": "number"}, "base": {"type": "number"}}}),
                json!({"value": 1000.0, "base": 10.0}),
                json!(3.0),
            ),
        ];
        for (name, description, params, args, want) in cases {
            let mut f = calc(name, description, params);
            assert_eq!(f(args), want, "{name}");
        }
        // Not a calculator: an input that is text, or roles a name alone does not settle.
        let tip = json!({"type": "object", "properties": {"bill": {"type": "number"}, "tip_percentage": {"type": "number"}}});
        let mut f = calc(
            "calculate_tip",
            "Calculate the tip as a percentage of the bill.",
            tip,
        );
        assert_ne!(
            f(json!({"bill": 50.0, "tip_percentage": 10.0})),
            json!(500.0)
        );
    }

    #[test]
    fn closed_lists_in_descriptions_are_the_whole_range() {
        assert_eq!(
            stated_choices("The base currency. [Enum]: USD, RMB, EUR"),
            ["USD", "RMB", "EUR"]
        );
        assert_eq!(
            stated_choices(r#"The mode to set. [Enum]: ["engage", "release"]"#),
            ["engage", "release"]
        );
        assert_eq!(
            stated_choices("The class of the travel. Options are: economy, business, first."),
            ["economy", "business", "first"]
        );
        assert_eq!(
            stated_choices("The grant type. Here are the options: read_write, read, write"),
            ["read_write", "read", "write"]
        );
        assert_eq!(
            stated_choices("Type of the order (Buy/Sell)."),
            ["Buy", "Sell"]
        );
        assert_eq!(
            stated_choices("Mode of operation ('l' for lines, 'w' for words, 'c' for characters)."),
            ["l", "w", "c"]
        );
        assert!(stated_choices("The name of the city (optional)").is_empty());
        assert!(stated_choices("Cuisine, e.g. italian or thai").is_empty());
    }

    #[test]
    fn values_take_the_form_their_name_or_description_gives() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let empty = Map::new();
        let hints = BTreeMap::from([(
            "travel_class".to_string(),
            vec!["economy".to_string(), "first".to_string()],
        )]);
        let mut g = Gen {
            rng: &mut rng,
            args: &empty,
            recalled: &empty,
            made: Vec::new(),
            in_list: false,
            long: None,
            hints: &hints,
            tool: "",
            verb: String::new(),
        };
        let plain = json!({"type": "string"});
        for _ in 0..8 {
            let first = g.text(&plain, "user_first_name");
            assert!(pools::FIRST_NAMES.contains(&first.as_str()), "{first}");
            let last = g.text(&plain, "last_name");
            assert!(pools::LAST_NAMES.contains(&last.as_str()), "{last}");
            let from = g.text(
                &json!({"type": "string", "description": "The 3 letter code of the departing airport"}),
                "travel_from",
            );
            assert!(AIRPORTS.contains(&from.as_str()), "{from}");
            let c = g.text(&plain, "travel_class");
            assert!(c == "economy" || c == "first", "{c}");
            let card = g.text(&plain, "card_number");
            assert!(
                card.len() == 16 && card.chars().all(|c| c.is_ascii_digit()),
                "{card}"
            );
            let sym = g.text(
                &json!({"type": "string", "description": "Symbol of the stock to trade."}),
                "symbol",
            );
            assert!(TICKERS.contains(&sym.as_str()), "{sym}");
            let msg = g.text(&plain, "message");
            assert!(MESSAGES.contains(&msg.as_str()), "{msg}");
            // A ticket's description is a sentence, not two title-case words.
            let desc = g.text(&plain, "description");
            assert!(MESSAGES.contains(&desc.as_str()), "{desc}");
            // A passenger's date of birth is decades back.
            let dob = g.text(&plain, "dob");
            assert!(dob.as_str() < "2007" && dob.len() == 10, "{dob}");
            // An address's state is a region code, not a status.
            let state = g.text(
                &json!({"type": "string", "description": "The province, such as 'CA'."}),
                "state",
            );
            assert!(
                state.len() == 2 && state.chars().all(|c| c.is_ascii_uppercase()),
                "{state}"
            );
            let cursor = g.text(&plain, "cursor");
            assert!(cursor.len() == 12 && !cursor.contains(' '), "{cursor}");
            let domain = g.text(&plain, "domain");
            assert!(domain.contains('.') && !domain.contains(' '), "{domain}");
            let uri = g.text(&plain, "redirect_uris");
            assert!(uri.starts_with("https://"), "{uri}");
            // `du`'s disk usage is an amount of storage.
            let usage = g.text(&plain, "disk_usage");
            assert!(
                ["KB", "MB", "GB"].iter().any(|u| usage.ends_with(u)),
                "{usage}"
            );
            let user = g.text(&plain, "username");
            assert!(!user.contains(' ') && user == user.to_lowercase(), "{user}");
            let host = g.text(
                &json!({"type": "string", "description": "The hostname or IP address of the server."}),
                "host",
            );
            assert!(
                !host.contains(' ') && (host.ends_with(".example.com") || host.starts_with("10.")),
                "{host}"
            );
            let photo = g.text(&plain, "photo");
            assert!(
                photo.ends_with(".jpg") || photo.ends_with(".png") || photo.ends_with(".jpeg"),
                "{photo}"
            );
            assert!(!photo.contains(' '), "{photo}");
            let hash = g.text(&plain, "hash");
            assert!(
                hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()),
                "{hash}"
            );
            // A line's quantity is a few items.
            let q = g.value(&json!({"type": "integer"}), "quantity", 1);
            assert!((1..=5).contains(&q.as_i64().unwrap_or(0)), "{q}");
            // Web services' and banks' values, each in its own form.
            let acct = g.text(&plain, "destination_account");
            assert!(
                acct.len() == 10 && acct.chars().all(|c| c.is_ascii_digit()),
                "{acct}"
            );
            let bank = g.text(&plain, "bank_name");
            assert!(BANKS.contains(&bank.as_str()), "{bank}");
            let branch = g.text(&plain, "base_branch");
            assert!(BRANCHES.contains(&branch.as_str()), "{branch}");
            let idp = g.text(
                &json!({"type": "string", "description": "The OpenID Connect provider."}),
                "provider",
            );
            assert!(["Google", "GitHub", "Okta", "Auth0", "Keycloak"].contains(&idp.as_str()));
            let grant = g.text(&plain, "grant_types");
            assert!(grant.contains('_') && !grant.contains(' '), "{grant}");
            let auth = g.text(&plain, "Authorization");
            assert!(auth.starts_with("Bearer ") && auth.len() == 31, "{auth}");
            let ua = g.text(&plain, "user_agent");
            assert!(ua.starts_with("Mozilla/5.0"), "{ua}");
            let ask = g.text(
                &json!({"type": "string", "description": "The user's specific question or request regarding programming."}),
                "input",
            );
            assert!(CODE_QUESTIONS.contains(&ask.as_str()), "{ask}");
            let key = g.text(
                &json!({"type": "string", "description": "The key of the piece, e.g., C Major."}),
                "key",
            );
            assert!(key.ends_with("major") || key.ends_with("minor"), "{key}");
            let alpha = g.value(
                &json!({"type": "number", "description": "Significance level for the test."}),
                "alpha",
                1,
            );
            assert!(
                alpha.as_f64().is_some_and(|a| a > 0.0 && a <= 0.1),
                "{alpha}"
            );
            let var = g.text(&plain, "independent_var");
            assert!(VARIABLES.contains(&var.as_str()), "{var}");
            let genre = g.text(&plain, "genre");
            assert!(GENRES.contains(&genre.as_str()), "{genre}");
            let case = g.text(&plain, "case_title");
            assert!(case.contains(" v. "), "{case}");
            let wave = g.text(&plain, "wave_file");
            assert!(wave.ends_with(".wav") && !wave.contains(' '), "{wave}");
            let items = g.text(
                &json!({"type": "string", "description": "Grocery items to order."}),
                "items",
            );
            assert!(FOOD_NAMES.contains(&items.as_str()), "{items}");
            let fact = g.text(
                &json!({"type": "string", "description": "The value to store in the long-term memory."}),
                "value",
            );
            assert!(MEMORY_FACTS.contains(&fact.as_str()), "{fact}");
            let who = g.text(&plain, "therapist_name");
            assert!(
                pools::FIRST_NAMES.contains(&who.split(' ').next().unwrap_or("")),
                "{who}"
            );
            let project = g.text(&plain, "project_name");
            assert!(CODENAMES.contains(&project.as_str()), "{project}");
            let var = g.text(
                &json!({"type": "string", "description": "The identifier for the variable."}),
                "number_name",
            );
            assert!(var.contains('_') && var == var.to_lowercase(), "{var}");
            let ids = g.value(
                &json!({"type": "array", "items": {"type": "string"}}),
                "event_ids",
                1,
            );
            assert!(
                ids.as_array().is_some_and(|a| a
                    .iter()
                    .all(|v| v.as_str().is_some_and(|s| s.starts_with("EVE-")))),
                "{ids}"
            );
            let flight = g.text(
                &json!({"type": "string", "description": "Flight number, such as 'HAT001'."}),
                "flight_number",
            );
            assert!(flight.starts_with("HAT"), "{flight}");
            let v = g.text(&plain, "project_version");
            assert_eq!(v.split('.').count(), 3, "{v}");
            let food = g.text(&plain, "foodItem");
            assert!(DISH_FIRST.iter().any(|f| food.starts_with(f)), "{food}");
            let product = g.text(&plain, "product");
            assert!(PRODUCTS.contains(&product.as_str()), "{product}");
            let item = g.text(
                &json!({"type": "string", "description": "The unique identifier of the item to order."}),
                "item",
            );
            assert!(item.starts_with("ITE-"), "{item}");
            let team = g.text(&plain, "teamUuid");
            assert_eq!(team.len(), 36, "{team}");
            // A code with one digit is a name, not a shape to draw again.
            let enc = g.text(
                &json!({"type": "string", "description": "The encoding, e.g. utf-8."}),
                "encoding",
            );
            assert_eq!(enc, "utf-8");
        }
    }

    #[test]
    fn integer_ids_are_handed_out_and_ids_no_result_has_are_the_users_own() {
        let mut sim = Simulated::new(
            vec![
                spec(
                    "login",
                    json!({"type": "object", "properties": {"client_id": {"type": "string"}},
                        "required": ["client_id"]}),
                    json!({"type": "object", "properties": {"access_token": {"type": "string"}}}),
                ),
                spec(
                    "create_ticket",
                    json!({"type": "object", "properties": {"title": {"type": "string"}}}),
                    json!({"type": "object", "properties": {"ticket_id": {"type": "integer"}}}),
                ),
                spec(
                    "get_ticket",
                    json!({"type": "object", "properties": {"ticket_id": {"type": "integer"}},
                        "required": ["ticket_id"]}),
                    json!({"type": "object", "properties": {"ticket_id": {"type": "integer"},
                        "status": {"type": "string"}}}),
                ),
            ],
            2,
        )
        .expect("specs compile");
        let call = |name: &str, args: Value| ToolCall {
            name: name.into(),
            arguments: args.as_object().cloned().unwrap_or_default(),
        };
        // The user's own client id: any value is accepted, and the pools offer some.
        assert!(sim
            .execute(&call("login", json!({"client_id": "CLI-1"})))
            .is_ok());
        assert!(sim.text_pools().contains_key("client_id"));
        let made = sim
            .execute(&call("create_ticket", json!({"title": "Printer"})))
            .expect("created");
        let id = made["ticket_id"].as_i64().expect("an integer id");
        assert!(id > 1000, "{id}");
        let got = sim
            .execute(&call("get_ticket", json!({"ticket_id": id})))
            .expect("a handed-out id is found");
        assert_eq!(got["ticket_id"], json!(id));
        sim.execute(&call("get_ticket", json!({"ticket_id": id + 1})))
            .expect_err("an unknown number is not found");
    }

    #[test]
    fn text_pools_make_up_lists_of_new_items_but_not_lists_of_ids() {
        let entities = json!({"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "entityType": {"type": "string"},
            "observations": {"type": "array", "items": {"type": "string"}}},
            "required": ["name", "entityType", "observations"]}});
        let ids = json!({"type": "array", "items": {"type": "string"}});
        let links = json!({"type": "array", "items": {"type": "object", "properties": {
            "folder_id": {"type": "string"}, "label": {"type": "string"}}}});
        // tau-bench's `payment_methods: [{payment_id, amount}]`: no tool returns a payment id.
        let payments = json!({"type": "array", "items": {"type": "object", "properties": {
            "payment_id": {"type": "string"}, "amount": {"type": "number"}}}});
        let sim = Simulated::new(
            vec![spec(
                "create_entities",
                json!({"type": "object", "properties": {
                    "entities": entities, "contact_ids": ids, "links": links,
                    "payment_methods": payments, "item_ids": ids}}),
                json!({"type": "object", "properties": {
                    "contact_id": {"type": "string"}, "folder_id": {"type": "string"}}}),
            )],
            3,
        )
        .expect("specs compile");
        let pools = sim.text_pools();
        let made = pools
            .get("entities")
            .expect("a list of new items is made up");
        assert_eq!(made.len(), 8);
        for v in made {
            let items = v.as_array().expect("a list");
            assert!(!items.is_empty());
            for it in items {
                assert!(it["name"].is_string(), "{it}");
                assert!(it["observations"].is_array(), "{it}");
            }
        }
        assert!(!pools.contains_key("contact_ids"), "ids come from results");
        assert!(
            !pools.contains_key("links"),
            "a nested id comes from results"
        );
        // Ids no result hands out are the user's to give, nested or listed.
        let paid = &pools.get("payment_methods").expect("made up")[0];
        assert!(paid[0]["payment_id"].is_string(), "{paid}");
        assert!(pools.contains_key("item_ids"));
    }

    #[test]
    fn the_same_seed_and_calls_give_the_same_results_and_digest() {
        let run = |seed: u64| {
            let mut env = Simulated::new(specs(), seed).expect("specs compile");
            let r = env
                .execute(&call("search_notes", json!({"q": "x"})))
                .expect("search");
            let first = r["results"][0]["note_id"].as_str().expect("id").to_string();
            let snap = env.snapshot();
            let got = env
                .execute(&call("get_note", json!({"note_id": first})))
                .expect("get");
            let d = env.digest();
            env.restore(&snap);
            assert_ne!(env.digest(), d, "restore drops the later result");
            (r, got, d)
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3).0, run(4).0);
    }

    #[test]
    fn an_example_of_a_shape_is_drawn_again_in_that_shape() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let phones: std::collections::BTreeSet<String> =
            (0..20).map(|_| reshaped("+1-555-0100", &mut rng)).collect();
        assert!(phones.len() > 10, "{phones:?}");
        for p in &phones {
            assert!(
                p.starts_with("+1-") && p.len() == "+1-555-0100".len(),
                "{p}"
            );
        }
        let code = reshaped("SAVE10", &mut rng);
        assert!(code.starts_with("SAVE") && code.len() == 6, "{code}");
        assert_eq!(reshaped("2026-05-01", &mut rng), "2026-05-01");
        assert_eq!(reshaped("09:30", &mut rng), "09:30");
        for _ in 0..20 {
            let ip = reshaped("192.168.1.1", &mut rng);
            assert!(
                ip.split('.')
                    .all(|p| p.parse::<u16>().is_ok_and(|x| x < 256)),
                "{ip}"
            );
        }
    }

    #[test]
    fn tags_authors_and_hosts_read_as_such() {
        let obj = |props: Value| json!({"type": "object", "properties": props});
        let specs = vec![spec(
            "post_tweet",
            obj(json!({"content": {"type": "string"}})),
            obj(json!({
                "tags": {"type": "array", "items": {"type": "string"}},
                "created_by": {"type": "string", "description": "Who posted it."},
                "host_name": {"type": "string", "description": "The host that served it."}})),
        )];
        let mut sim = Simulated::new(specs, 5).expect("specs");
        let r = sim
            .execute(&call("post_tweet", json!({"content": "Hello"})))
            .expect("runs");
        let tags = r["tags"].as_array().expect("tags");
        assert!(!tags.is_empty());
        for t in tags {
            let t = t.as_str().expect("tag");
            assert!(t.starts_with('#') && !t.contains(' '), "{t}");
        }
        for field in ["created_by", "host_name"] {
            let v = r[field].as_str().expect(field);
            assert!(!v.contains(' '), "{field}: {v}");
        }
    }

    #[test]
    fn ids_take_the_form_their_description_shows() {
        let obj = |props: Value| json!({"type": "object", "properties": props});
        let specs = vec![spec(
            "find_user_id_by_name_zip",
            obj(json!({"first_name": {"type": "string"}, "last_name": {"type": "string"}})),
            obj(json!({
                    "user_id": {"type": "string", "description": "Id of the user, such as 'sara_doe_496'"},
                    "order_id": {"type": "string", "description": "The order id, such as '#W0000000'."},
                    "payment_method_id": {"type": "string", "description":
                        "Such as 'gift_card_0000000' or 'credit_card_0000000'."},
                    "address1": {"type": "string", "description": "The first line, such as '123 Main St'."},
                    "address2": {"type": "string", "description": "The second line, such as 'Apt 1'."}})),
        )];
        let mut sim = Simulated::new(specs, 5).expect("specs");
        let mut streets = std::collections::BTreeSet::new();
        for first in [
            "Femi", "Ana", "Jo", "Kees", "Liv", "Omar", "Pia", "Raj", "Sven", "Tove",
        ] {
            let r = sim
                .execute(&call(
                    "find_user_id_by_name_zip",
                    json!({"first_name": first, "last_name": "Castillo"}),
                ))
                .expect("runs");
            let user = r["user_id"].as_str().expect("user id");
            // The user a call names is the one its id is made from (same call, same answer).
            let lower = first.to_lowercase();
            assert!(user.starts_with(&format!("{lower}_castillo_")), "{user}");
            let order = r["order_id"].as_str().expect("order id");
            assert!(
                order.len() == 9
                    && order.starts_with("#W")
                    && order[2..].bytes().all(|c| c.is_ascii_digit()),
                "{order}"
            );
            // A payment method's id is no person's name.
            let pay = r["payment_method_id"].as_str().expect("payment id");
            assert!(
                pay.starts_with("gift_card_") || pay.starts_with("credit_card_"),
                "{pay}"
            );
            let line = r["address1"].as_str().expect("address");
            assert!(!line.contains("Main St"), "{line}");
            streets.insert(line.to_string());
            assert!(r["address2"].as_str().expect("apt").starts_with("Apt "));
        }
        assert!(streets.len() > 5, "{streets:?}");
        assert!(is_code("ZFA04Y") && !is_code("HAT001") && !is_code("#W0000000"));
    }

    #[test]
    fn examples_written_as_a_list_in_code_are_plain_values() {
        assert_eq!(
            examples("List of sizes to check, such as ['S', 'M', 'L', 'XL']."),
            vec!["S", "M", "L", "XL"]
        );
        // Quoted examples are the quoted text, whatever follows each.
        assert_eq!(
            examples("The source language code, such as 'en' for English, 'zh' for Chinese."),
            vec!["en", "zh"]
        );
        assert_eq!(
            examples("The address of the recipient (e.g., 'username@example.com')."),
            vec!["username@example.com"]
        );
        assert_eq!(
            examples("It should be in the format 'A1234567B'. Optional."),
            vec!["A1234567B"]
        );
        assert_eq!(
            examples("A name such as \"O'Brien's Pub\", say."),
            vec!["O'Brien's Pub"]
        );
    }

    #[test]
    fn the_order_arguments_are_written_in_does_not_change_the_result() {
        // A replay through an advanced tool passes the same arguments in another order.
        let specs = vec![spec(
            "search_notes",
            json!({"type": "object", "properties": {"q": {"type": "string"}, "tag": {"type": "string"}}}),
            json!({"type": "object", "properties": {"results": {"type": "array", "maxItems": 4, "items": {"type": "object", "properties": {"note_id": {"type": "string"}}}}}}),
        )];
        let mut a = Simulated::new(specs.clone(), 5).expect("specs compile");
        let mut b = Simulated::new(specs, 5).expect("specs compile");
        let one = a.execute(&call("search_notes", json!({"q": "x", "tag": "y"})));
        let two = b.execute(&call("search_notes", json!({"tag": "y", "q": "x"})));
        assert_eq!(one.expect("search"), two.expect("search"));
    }

    #[test]
    fn a_description_s_examples_are_the_values_and_things_are_not_named_like_people() {
        assert_eq!(
            examples("Cuisine, e.g. italian or thai"),
            ["italian", "thai"]
        );
        assert_eq!(
            examples("City name (for example 'London', 'Paris')"),
            ["London", "Paris"]
        );
        assert_eq!(examples("Name of the city"), Vec::<String>::new());
        // "Check-in date, YYYY-MM-DD" is a date whatever the parameter is called.
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let empty = Map::new();
        let mut g = Gen {
            rng: &mut rng,
            args: &empty,
            recalled: &empty,
            made: Vec::new(),
            in_list: false,
            long: None,
            hints: &BTreeMap::new(),
            tool: "",
            verb: String::new(),
        };
        let cuisine = json!({"type": "string", "description": "Cuisine, e.g. italian or thai"});
        for _ in 0..8 {
            let v = g.text(&cuisine, "cuisine");
            assert!(v == "italian" || v == "thai", "{v}");
        }
        let check_in = json!({"type": "string", "description": "Check-in date, YYYY-MM-DD"});
        let d = g.text(&check_in, "check_in");
        assert!(d.len() == 10 && d.starts_with("2026-"), "{d}");
        // A person's name has two capitalised words from the name pools; a recipe's does not.
        let plain = json!({"type": "string"});
        let person = g.text(&plain, "customer_name");
        let first = person.split(' ').next().unwrap_or("");
        assert!(pools::FIRST_NAMES.contains(&first), "{person}");
        for _ in 0..8 {
            let recipe = g.text(&plain, "recipe_name");
            let first = recipe.split(' ').next().unwrap_or("");
            assert!(!pools::FIRST_NAMES.contains(&first), "{recipe}");
        }
    }

    #[test]
    fn places_are_named_like_places_and_one_example_is_not_the_whole_range() {
        assert_eq!(kind_name("name", "find_city"), "city_name");
        assert_eq!(kind_name("title", "search_restaurants"), "restaurant_name");
        assert_eq!(kind_name("name", "list_companies"), "company_name");
        assert_eq!(kind_name("name", "get_address"), "address_name");
        assert_eq!(kind_name("guest_name", "reserve_table"), "guest_name");
        assert_eq!(kind_name("title", "Media_3_PlayMovie"), "movie_name");
        assert_eq!(named_of("Name of the company."), Some("company".into()));
        assert_eq!(named_of("The name to look up."), None);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let empty = Map::new();
        let mut g = Gen {
            rng: &mut rng,
            args: &empty,
            recalled: &empty,
            made: Vec::new(),
            in_list: false,
            long: None,
            hints: &BTreeMap::new(),
            tool: "",
            verb: String::new(),
        };
        let plain = json!({"type": "string"});
        for _ in 0..8 {
            let r = g.text(&plain, "restaurant_name");
            let (place, kind) = r.split_once(' ').unwrap_or_default();
            assert!(
                pools::places().contains(&place) && kind == "Restaurant",
                "{r}"
            );
        }
        let city = json!({"type": "string", "description": "City name, e.g. Lisbon"});
        let drawn: BTreeSet<String> = (0..20).map(|_| g.text(&city, "city_name")).collect();
        assert!(drawn.contains("Lisbon") && drawn.len() > 3, "{drawn:?}");
        assert!(drawn
            .iter()
            .all(|c| c == "Lisbon" || pools::CITIES.contains(&c.as_str())));
        // Dishes, ingredients and songs are named like them.
        let dish = g.text(&plain, "recipe_name");
        assert!(DISH_FIRST.iter().any(|f| dish.starts_with(f)), "{dish}");
        let food = g.text(&plain, "ingredient_name");
        assert!(FOOD_NAMES.contains(&food.as_str()), "{food}");
        let room = g.text(&plain, "room_name");
        assert!(ROOM_FIRST.iter().any(|f| room.starts_with(f)), "{room}");
        let song = g.text(&plain, "song_name");
        assert!(WORK_FIRST.iter().any(|f| song.starts_with(f)), "{song}");
        // Codes are codes: a currency is an ISO code, a time is HH:MM.
        let cur = g.text(
            &json!({"type": "string", "description": "ISO code"}),
            "from_currency",
        );
        assert!(
            cur.len() == 3 && cur.chars().all(|c| c.is_ascii_uppercase()),
            "{cur}"
        );
        let t = g.text(&plain, "start_time");
        assert!(t.len() == 5 && &t[2..3] == ":", "{t}");
    }

    #[test]
    fn a_found_item_is_named_as_the_call_named_it() {
        let mut find = spec(
            "find_city",
            json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
            json!({"type": "object", "properties": {"city_id": {"type": "string"}, "city_name": {"type": "string"}}}),
        );
        find.description = "Look up a city by name.".into();
        let mut add = spec(
            "add_member",
            json!({"type": "object", "properties": {"project_id": {"type": "string"}, "name": {"type": "string"}}}),
            json!({"type": "object", "properties": {"project_id": {"type": "string"}, "member_id": {"type": "string"}, "project_name": {"type": "string"}, "member_name": {"type": "string"}}}),
        );
        add.description = "Add a member to a project.".into();
        let create = spec(
            "create_project",
            json!({"type": "object", "properties": {"title": {"type": "string"}}}),
            json!({"type": "object", "properties": {"project_id": {"type": "string"}, "project_name": {"type": "string"}}}),
        );
        let mut sim = Simulated::new(vec![find, add, create], 5).expect("specs compile");
        let project = sim
            .execute(&call("create_project", json!({"title": "Garden"})))
            .expect("created");
        assert_eq!(project["project_name"], "Garden", "{project}");
        let id = project["project_id"].clone();
        let city = sim
            .execute(&call("find_city", json!({"name": "Lisbon"})))
            .expect("found");
        assert_eq!(city["city_name"], "Lisbon", "{city}");
        let member = sim
            .execute(&call(
                "add_member",
                json!({"project_id": id, "name": "Ana Silva"}),
            ))
            .expect("added");
        assert_eq!(member["member_name"], "Ana Silva", "{member}");
        assert_ne!(member["project_name"], "Ana Silva", "{member}");
    }

    #[test]
    fn a_read_given_a_misspelt_known_name_finds_nothing() {
        let mut find = spec(
            "find_airport",
            json!({"type": "object", "properties": {"city": {"type": "string",
                "description": "The city. [Enum]: Rivermist, Stonebrook"}}, "required": ["city"]}),
            json!({"type": "object", "properties": {"airport": {"type": "string"}}}),
        );
        find.description = "Find the airport of a city.".into();
        let mut s = specs();
        s.push(find);
        // create_note, get_note, search_notes, find_airport: the last two only read.
        let reads = vec![false, false, true, true];
        let mut sim = Simulated::new(s.clone(), 3)
            .expect("specs compile")
            .with_reads(reads.clone());
        let title = sim.text_pools()["q"][0]
            .as_str()
            .expect("a text")
            .to_string();
        let b = title.as_bytes();
        let i = (1..b.len() - 2)
            .find(|&i| {
                b[i] != b[i + 1] && b[i].is_ascii_alphabetic() && b[i + 1].is_ascii_alphabetic()
            })
            .expect("two different letters");
        let mut typo = b.to_vec();
        typo.swap(i, i + 1);
        let typo = String::from_utf8(typo).expect("ascii swap");
        // A list read finds an empty list; a read without a list says not found.
        let found = sim
            .execute(&call("search_notes", json!({"q": title})))
            .expect("found");
        assert!(
            !found["results"].as_array().expect("list").is_empty(),
            "{found}"
        );
        let none = sim
            .execute(&call("search_notes", json!({"q": typo})))
            .expect("ran");
        assert_eq!(none, json!({"results": []}));
        let ok = sim.execute(&call("find_airport", json!({"city": "Stonebrook"})));
        assert!(ok.is_ok(), "{ok:?}");
        match sim.execute(&call("find_airport", json!({"city": "Stoenbrook"}))) {
            Err(ToolError::NotFound { what, id }) => {
                assert_eq!((what.as_str(), id.as_str()), ("city", "Stoenbrook"))
            }
            other => panic!("expected not found, got {other:?}"),
        }
        // A change takes any name, and an executor not told which tools read finds everything.
        assert!(sim
            .execute(&call("create_note", json!({"title": typo})))
            .is_ok());
        let mut plain = Simulated::new(s, 3).expect("specs compile");
        let all = plain
            .execute(&call("search_notes", json!({"q": typo})))
            .expect("ran");
        assert!(
            !all["results"].as_array().expect("list").is_empty(),
            "{all}"
        );
    }

    #[test]
    fn a_name_several_tools_take_is_drawn_in_the_form_one_of_them_states() {
        let p = |d: &str| {
            json!({"type": "object", "properties": {"travel_from": {"type": "string", "description": d}},
                "required": ["travel_from"]})
        };
        let ok = json!({"type": "object", "properties": {"ok": {"type": "boolean"}}});
        let book = spec(
            "book_flight",
            p("The location the travel is from"),
            ok.clone(),
        );
        let cost = spec(
            "get_flight_cost",
            p("The 3 letter code of the departing airport"),
            ok,
        );
        let sim = Simulated::new(vec![book.clone(), cost], 4).expect("specs compile");
        let pool = sim.text_pools()["travel_from"].clone();
        assert!(!pool.is_empty());
        for v in &pool {
            let code = v.as_str().unwrap_or("");
            assert!(
                code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()),
                "{v}"
            );
        }
        // Alone, a location is a place's name.
        let alone = Simulated::new(vec![book], 4).expect("specs compile");
        let places = alone.text_pools()["travel_from"].clone();
        assert!(
            places
                .iter()
                .any(|v| v.as_str().is_some_and(|s| s.len() > 3)),
            "{places:?}"
        );
    }

    #[test]
    fn a_list_s_description_says_what_its_bare_items_are() {
        let notify = spec(
            "notify_price_change",
            json!({"type": "object", "properties": {"stocks": {"type": "array",
                "items": {"type": "string"}, "description": "List of stock symbols to check."}},
                "required": ["stocks"]}),
            json!({"type": "object", "properties": {"ok": {"type": "boolean"}}}),
        );
        let sim = Simulated::new(vec![notify], 2).expect("specs compile");
        for list in &sim.text_pools()["stocks"] {
            for v in list.as_array().expect("a list") {
                let s = v.as_str().unwrap_or("");
                assert!(
                    (1..=5).contains(&s.len()) && s.chars().all(|c| c.is_ascii_uppercase()),
                    "{list}"
                );
            }
        }
    }

    #[test]
    fn a_file_system_lists_files_and_shows_what_it_was_given() {
        let obj = |props: Value| json!({"type": "object", "properties": props});
        let s = |d: &str| json!({"type": "string", "description": d});
        let list =
            |d: &str, items: Value| json!({"type": "array", "description": d, "items": items});
        let specs = vec![
            spec(
                "ls",
                obj(json!({})),
                obj(json!({"current_directory_content":
                list("A list of the contents of the specified directory.", json!({"type": "string"}))})),
            ),
            spec(
                "find",
                obj(json!({"path": s("Path to search.")})),
                obj(json!({"matches":
                list("A list of matching file and directory paths relative to the given path.",
                    json!({"type": "string"}))})),
            ),
            spec(
                "search_messages",
                obj(json!({"keyword": s("Word to look for.")})),
                obj(json!({"results": list("Matching messages.", obj(json!({
                    "receiver_id": s("Receiver."), "message": s("The message.")})))})),
            ),
            spec(
                "grep",
                obj(json!({"file_name": s("File to search."), "pattern": s("Pattern.")})),
                obj(json!({"matching_lines":
                    list("Lines that match the pattern.", json!({"type": "string"}))})),
            ),
            spec(
                "cd",
                obj(json!({"folder": s("Folder to go to.")})),
                obj(json!({"current_working_directory": s("The new current directory.")})),
            ),
            spec(
                "echo",
                obj(json!({"content": s("Text to print.")})),
                obj(json!({"terminal_output": s("The printed text.")})),
            ),
            spec(
                "display_log",
                obj(json!({"messages": list("Messages to show.", json!({"type": "string"}))})),
                obj(
                    json!({"log": list("The list of messages displayed.", json!({"type": "string"}))}),
                ),
            ),
            spec(
                "add_to_watchlist",
                obj(json!({"stock": s("Symbol of the stock.")})),
                obj(json!({"watchlist": list("the watchlist.", json!({"type": "string"}))})),
            ),
            spec(
                "key_search",
                obj(json!({"query": s("Words to look for.")})),
                obj(json!({"ranked_results":
                list("A list of tuples containing the BM25+ score and the key.",
                    json!({"type": "array", "items": [{"type": "number"}, {"type": "string"}]}))})),
            ),
        ];
        let mut sim = Simulated::new(specs, 4).expect("specs compile");
        let file = |v: &Value| {
            let s = v.as_str().unwrap_or("");
            !s.is_empty()
                && !s.contains(' ')
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || "._/".contains(c))
        };
        let ls = sim.execute(&call("ls", json!({}))).expect("ls");
        let entries = ls["current_directory_content"].as_array().expect("a list");
        assert!(entries.iter().all(file), "{ls}");
        let found = sim
            .execute(&call("find", json!({"path": "docs"})))
            .expect("find");
        assert!(
            found["matches"]
                .as_array()
                .expect("a list")
                .iter()
                .all(file),
            "{found}"
        );
        let named = sim.execute(&call("find", json!({"path": "docs", "name": "annual"})));
        let named = named.expect("find");
        let paths = named["matches"].as_array().expect("a list");
        let has = |v: &Value, w: &str| v.as_str().is_some_and(|s| s.contains(w));
        assert!(paths.iter().all(|p| file(p) && has(p, "annual")), "{named}");
        let lines = sim.execute(&call(
            "grep",
            json!({"file_name": "a.txt", "pattern": "budget"}),
        ));
        let lines = lines.expect("grep");
        let lines = lines["matching_lines"].as_array().expect("a list");
        assert!(lines.iter().all(|l| has(l, "budget")), "{lines:?}");
        let hits = sim.execute(&call("search_messages", json!({"keyword": "budget"})));
        let hits = hits.expect("search");
        for row in hits["results"].as_array().expect("a list") {
            assert!(has(&row["message"], "budget"), "{hits}");
        }
        let cd = sim
            .execute(&call("cd", json!({"folder": "reports"})))
            .expect("cd");
        assert_eq!(cd["current_working_directory"], "reports");
        let echo = sim
            .execute(&call("echo", json!({"content": "Hello there"})))
            .expect("echo");
        assert_eq!(echo["terminal_output"], "Hello there");
        let shown = json!(["Lunch at one.", "Back at two."]);
        let log = sim
            .execute(&call("display_log", json!({"messages": shown})))
            .expect("log");
        assert_eq!(log["log"], shown);
        let w = sim
            .execute(&call("add_to_watchlist", json!({"stock": "NFLX"})))
            .expect("add");
        let w = w["watchlist"].as_array().expect("a list");
        assert!(w.contains(&json!("NFLX")), "{w:?}");
        assert!(
            w.iter()
                .all(|t| TICKERS.contains(&t.as_str().unwrap_or(""))),
            "{w:?}"
        );
        let ranked = sim
            .execute(&call("key_search", json!({"query": "trip"})))
            .expect("search");
        for row in ranked["ranked_results"].as_array().expect("a list") {
            let pair = row.as_array().expect("a tuple");
            assert_eq!(pair.len(), 2, "{ranked}");
            assert!(pair[0].is_number(), "{ranked}");
            let key = pair[1].as_str().unwrap_or("");
            assert!(key.contains('_') && !key.contains(' '), "{ranked}");
        }
    }

    #[test]
    fn tags_and_mentions_take_the_form_their_description_says() {
        let post = spec(
            "post_tweet",
            json!({"type": "object", "properties": {
                "tags": {"type": "array", "items": {"type": "string"},
                    "description": "List of tags for the tweet. Tag name should start with #."},
                "mentions": {"type": "array", "items": {"type": "string"},
                    "description": "List of users mentioned in the tweet. Mention name should start with @."},
                "mentioned_usernames": {"type": "array", "items": {"type": "string"},
                    "description": "List of usernames to be mentioned."}}}),
            json!({"type": "object", "properties": {"ok": {"type": "boolean"}}}),
        );
        let pools = Simulated::new(vec![post], 6)
            .expect("specs compile")
            .text_pools();
        let items = |k: &str| -> Vec<String> {
            pools[k]
                .iter()
                .flat_map(|l| l.as_array().cloned().unwrap_or_default())
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        assert!(items("tags")
            .iter()
            .all(|t| t.starts_with('#') && !t.contains(' ')));
        assert!(items("mentions")
            .iter()
            .all(|t| t.starts_with('@') && !t.contains(' ')));
        assert!(items("mentioned_usernames")
            .iter()
            .all(|t| !t.contains(' ') && t == &t.to_lowercase()));
    }

    #[test]
    fn a_world_of_many_items_lists_reads_to_their_size_and_nothing_else() {
        let tasks = json!({"type": "object", "properties": {"tasks": {"type": "array",
            "items": {"type": "object", "properties": {
                "task_id": {"type": "integer"}, "title": {"type": "string"}}}}}});
        let tags = json!({"type": "object", "properties": {"tags": {"type": "array",
            "items": {"type": "string"}}}});
        let none = json!({"type": "object", "properties": {}});
        let set = vec![
            spec("list_tasks", none.clone(), tasks.clone()),
            spec("import_tasks", none.clone(), tasks),
            spec("list_tags", none, tags),
        ];
        let rows = |sim: &mut Simulated, tool: &str, field: &str| -> Vec<Value> {
            sim.reset(5);
            let out = sim.execute(&call(tool, json!({}))).expect("runs");
            out[field].as_array().cloned().expect("a list")
        };
        let make = || {
            Simulated::new(set.clone(), 5)
                .expect("specs compile")
                .with_reads(vec![true, false, true])
        };
        let mut sim = make();
        let usual = rows(&mut sim, "list_tasks", "tasks");
        assert!(usual.len() <= 3, "{usual:?}");
        assert!(sim.set_list_tokens(Some(500)));
        let long = rows(&mut sim, "list_tasks", "tasks");
        let chars = serde_json::to_string(&long).expect("JSON").len();
        assert!((2000..2200).contains(&chars), "{chars} characters");
        // Rows are told apart: no identifier shown twice.
        let ids: BTreeSet<String> = long.iter().map(|r| r["task_id"].to_string()).collect();
        assert_eq!(ids.len(), long.len());
        // A change shows what it changed, and a list of bare values keeps its usual size.
        assert!(rows(&mut sim, "import_tasks", "tasks").len() <= 3);
        assert!(rows(&mut sim, "list_tags", "tags").len() <= 3);
        // The same size on another executor gives the same list; back to none, the usual one.
        let mut other = make();
        other.set_list_tokens(Some(500));
        assert_eq!(rows(&mut other, "list_tasks", "tasks"), long);
        other.set_list_tokens(None);
        assert_eq!(rows(&mut other, "list_tasks", "tasks"), usual);
    }

    #[test]
    fn a_broken_parameter_schema_names_the_tool() {
        let mut s = specs();
        s[1].parameters = json!({"type": "object", "properties": {"note_id": {"type": 12}}});
        let err = Simulated::new(s, 1).err().expect("rejected");
        assert_eq!(err.source_name, "get_note");
    }
}
