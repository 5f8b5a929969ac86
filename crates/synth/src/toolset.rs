//! The tools a run generates over, whatever executes them: the built-in world, or a spec
//! collection on the simulated executor. Everything the pipeline needs to know about the tools
//! (specs, name index, which tools only read) is here; executing them goes through
//! [`ToolSet::env`].

use hardgen_core::{SpecError, ToolSpec};
use hardgen_tools::mcp::McpEnv;
use hardgen_tools::sim::Simulated;
use hardgen_tools::{AnyEnv, World, WorldDef};
use std::collections::HashMap;
use std::sync::Arc;

/// What runs the calls.
#[derive(Clone)]
enum Executor {
    World(Arc<WorldDef>),
    Simulated(Simulated),
    Mcp(Box<McpEnv>),
    Mixed(Vec<ToolSet>),
}

/// The tools of a run; see the module docs.
#[derive(Clone)]
pub struct ToolSet {
    /// Tool specs, in index order.
    pub specs: Vec<ToolSpec>,
    /// The same specs, shared into records.
    pub shared_specs: Vec<Arc<ToolSpec>>,
    /// Tool name to index.
    pub by_name: HashMap<String, usize>,
    /// Whether each tool only reads (no state change, no token use).
    pub read_only: Vec<bool>,
    executor: Executor,
}

impl ToolSet {
    /// The built-in world's tools, executed for real.
    pub fn world(def: Arc<WorldDef>) -> ToolSet {
        let read_only = def.specs.iter().map(reads).collect();
        ToolSet {
            specs: def.specs.clone(),
            shared_specs: def.shared_specs.clone(),
            by_name: def.by_name.clone(),
            read_only,
            executor: Executor::World(def),
        }
    }

    /// A spec collection on the simulated executor (guarantee `simulated`). A tool without a
    /// `returns` schema that hands out ids other tools take gets one inferred (see
    /// [`hardgen_tools::infer::infer_returns`]), so its results can feed later calls; one that
    /// works an answer out gets that answer ([`hardgen_tools::infer::infer_answers`]).
    pub fn simulated(mut specs: Vec<ToolSpec>, seed: u64) -> Result<ToolSet, SpecError> {
        hardgen_tools::infer::infer_returns(&mut specs);
        hardgen_tools::infer::infer_answers(&mut specs);
        let read_only: Vec<bool> = specs.iter().map(reads).collect();
        let sim = Simulated::new(specs.clone(), seed)?.with_reads(read_only.clone());
        Ok(ToolSet::from_parts(
            specs,
            read_only,
            Executor::Simulated(sim),
        ))
    }

    /// A set over `specs` (names unique), with the index and shared copies made here.
    fn from_parts(specs: Vec<ToolSpec>, read_only: Vec<bool>, executor: Executor) -> ToolSet {
        ToolSet {
            shared_specs: specs.iter().cloned().map(Arc::new).collect(),
            by_name: specs
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.clone(), i))
                .collect(),
            specs,
            read_only,
            executor,
        }
    }

    /// An MCP server's tools, executed on the server (each executor starts its own
    /// connections).
    pub fn mcp(env: McpEnv) -> ToolSet {
        let specs = hardgen_tools::Environment::specs(&env).to_vec();
        let read_only = specs.iter().map(reads).collect();
        ToolSet::from_parts(specs, read_only, Executor::Mcp(Box::new(env)))
    }

    /// Tool sets side by side (the built-in world beside an MCP server): a call runs on the
    /// set that has its tool. A tool name in two sets is an error naming it.
    pub fn mixed(parts: Vec<ToolSet>) -> Result<ToolSet, String> {
        let mut specs: Vec<ToolSpec> = Vec::new();
        let mut read_only = Vec::new();
        let mut names = std::collections::HashSet::new();
        for p in &parts {
            for (s, ro) in p.specs.iter().zip(&p.read_only) {
                if !names.insert(s.name.clone()) {
                    return Err(format!(
                        "tool `{}` is given by two sources (an MCP source can rename its tools \
                         with ;prefix=NAME_)",
                        s.name
                    ));
                }
                specs.push(s.clone());
                read_only.push(*ro);
            }
        }
        Ok(ToolSet::from_parts(
            specs,
            read_only,
            Executor::Mixed(parts),
        ))
    }

    /// A fresh executor at `seed`.
    pub fn env(&self, seed: u64) -> AnyEnv {
        match &self.executor {
            Executor::World(def) => AnyEnv::World(World::new(def.clone(), seed)),
            Executor::Simulated(s) => {
                let mut s = s.clone();
                hardgen_tools::Environment::reset(&mut s, seed);
                AnyEnv::Simulated(s)
            }
            Executor::Mcp(m) => {
                let mut m = McpEnv::clone(m);
                hardgen_tools::Environment::reset(&mut m, seed);
                AnyEnv::Mcp(Box::new(m))
            }
            Executor::Mixed(parts) => {
                let envs = parts.iter().map(|p| p.env(seed)).collect();
                // Names were checked unique when the set was made.
                match hardgen_tools::env::Mixed::new(envs) {
                    Ok(m) => AnyEnv::Mixed(m),
                    Err(_) => unreachable!("tool names of a mixed set are unique"),
                }
            }
        }
    }

    /// The executor's name on records (`generator.executor`): `builtin`, `simulated` or `mcp`,
    /// or those of mixed sets joined by `+` (`builtin+mcp`).
    pub fn executor(&self) -> String {
        match &self.executor {
            Executor::World(_) => "builtin".into(),
            Executor::Simulated(_) => hardgen_tools::sim::GUARANTEE.into(),
            Executor::Mcp(_) => "mcp".into(),
            Executor::Mixed(parts) => parts
                .iter()
                .map(ToolSet::executor)
                .collect::<Vec<_>>()
                .join("+"),
        }
    }

    /// Whether the executor is the built-in world alone (names follow its conventions and its
    /// digest is a true state digest).
    pub fn is_builtin(&self) -> bool {
        matches!(self.executor, Executor::World(_))
    }

    /// Whether every part's start state comes from a seed (an MCP server's does not, so one
    /// environment serves every item).
    pub fn seeded(&self) -> bool {
        match &self.executor {
            Executor::World(_) | Executor::Simulated(_) => true,
            Executor::Mcp(_) => false,
            Executor::Mixed(parts) => parts.iter().all(ToolSet::seeded),
        }
    }

    /// Whether tool `name` runs on the simulated executor (its values are made up).
    pub fn simulates(&self, name: &str) -> bool {
        match &self.executor {
            Executor::Simulated(_) => self.by_name.contains_key(name),
            Executor::World(_) | Executor::Mcp(_) => false,
            Executor::Mixed(parts) => parts.iter().any(|p| p.simulates(name)),
        }
    }

    /// The spec of a tool name.
    pub fn spec(&self, name: &str) -> Option<&ToolSpec> {
        self.by_name.get(name).map(|&i| &self.specs[i])
    }
}

impl From<Arc<WorldDef>> for ToolSet {
    fn from(def: Arc<WorldDef>) -> ToolSet {
        ToolSet::world(def)
    }
}

/// Whether a tool only reads: what its spec says (`read_only`), else whether its name starts
/// with a reading verb (`get_`, `list_`, `search_`, ...) or its own description opens with a
/// verb that reads or computes ([`describes_a_read`]).
pub fn reads(spec: &ToolSpec) -> bool {
    spec.read_only.unwrap_or_else(|| {
        crate::item::reads_by_name(&spec.name) || describes_a_read(&spec.description)
    })
}

/// Opening verbs of a description of a tool that changes nothing: it looks something up or
/// works a figure out from its inputs.
const READING_OPENINGS: &[&str] = &[
    "get",
    "retrieve",
    "fetch",
    "find",
    "look",
    "list",
    "search",
    "count",
    "display",
    "show",
    "view",
    "return",
    "compare",
    "filter",
    "verify",
    "calculate",
    "compute",
    "convert",
    "estimate",
    "multiply",
    "divide",
    "subtract",
    "round",
    "raise",
];

/// Whether a description (past a system preamble) opens with a [`READING_OPENINGS`] verb, in
/// either form ("Calculate the mean ...", "Displays the log"), or says "Add two numbers":
/// BFCL's `percentage`, `multiply` and `displayCarStatus` do not say so by name.
pub fn describes_a_read(description: &str) -> bool {
    let own = hardgen_core::spec::own_description(description);
    let mut words = own.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let w = first.to_lowercase();
    if crate::lexicon::verb_forms(&w).any(|f| READING_OPENINGS.contains(&f.as_str())) {
        return true;
    }
    // Adding numbers computes; adding a contact changes something.
    matches!(w.as_str(), "add" | "adds" | "sum" | "sums")
        && own
            .split(['.', ';'])
            .next()
            .is_some_and(|c| c.contains(" numbers"))
}

#[cfg(test)]
mod tests {
    use super::describes_a_read;

    #[test]
    fn a_description_that_computes_or_looks_up_is_a_read() {
        let bfcl = "This tool belongs to the Math API, which provides various mathematical operations. Tool description: ";
        for d in [
            "Calculate the percentage of a part relative to a whole.",
            "Multiply two numbers.",
            "Add two numbers.",
            "Displays the log messages.",
            "Retrieve the current content of the memory.",
        ] {
            assert!(describes_a_read(&format!("{bfcl}{d}")), "{d}");
        }
        for d in [
            "Add a contact to the workspace.",
            "Create a new directory in the current directory.",
            "Sets the headlights of the vehicle.",
            "",
            "This function queries the search engine",
        ] {
            assert!(!describes_a_read(d), "{d}");
        }
    }
}
