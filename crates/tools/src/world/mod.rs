//! The built-in world: domain files (data) compiled into an executable, stateful environment,
//! plus the dependency facts and statistics derived from the same data.

pub mod dsl;
mod engine;
mod gen;
pub mod model;
pub mod oracle;
pub mod pools;
pub mod value;

pub use engine::{Snapshot, Table, World};
pub use gen::stream_seed;
pub use model::{Dependency, Entity, WorldDef, WorldError};

use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, OnceLock};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/domains.rs"));
}

/// Parses one domain file; errors name the file and the JSON path.
pub fn parse_domain(text: &str, source: &str) -> Result<dsl::DomainDef, WorldError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| WorldError {
        source_name: source.to_string(),
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// The built-in world definition, compiled once per process.
pub fn builtin() -> Result<Arc<WorldDef>, WorldError> {
    static DEF: OnceLock<Result<Arc<WorldDef>, WorldError>> = OnceLock::new();
    DEF.get_or_init(|| {
        let files = embedded::DOMAIN_FILES
            .iter()
            .map(|(name, text)| Ok((name.to_string(), parse_domain(text, name)?)))
            .collect::<Result<Vec<_>, WorldError>>()?;
        model::compile(&files).map(Arc::new)
    })
    .clone()
}

/// Compiles a world from every `*.json` domain file in a directory (a user-made world).
pub fn load_dir(dir: &Path) -> Result<WorldDef, WorldError> {
    let io = |e: std::io::Error| WorldError {
        source_name: dir.display().to_string(),
        path: String::new(),
        message: e.to_string(),
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for p in paths {
        let name = p.display().to_string();
        let text = std::fs::read_to_string(&p).map_err(io)?;
        files.push((name.clone(), parse_domain(&text, &name)?));
    }
    model::compile(&files)
}

/// Counts that describe how dependency-rich a world is.
#[derive(Debug, Clone, Serialize)]
pub struct WorldStats {
    /// Number of tools.
    pub tools: usize,
    /// Number of domains.
    pub domains: usize,
    /// Number of collections (tables).
    pub collections: usize,
    /// Tools with a required parameter that only another tool's result can supply.
    pub dependent_tools: usize,
    /// `dependent_tools / tools`.
    pub dependent_share: f64,
    /// True dependency edges (producer tool, field) -> (consumer tool, param).
    pub dependency_edges: usize,
    /// Distinct (producer tool, consumer tool) pairs whose tools are in different domains.
    pub cross_domain_links: usize,
    /// The smallest, over domains, of each domain's longest dependent chain (calls).
    pub min_longest_chain: usize,
    /// Per-domain figures.
    pub per_domain: Vec<DomainStats>,
}

/// Figures of one domain.
#[derive(Debug, Clone, Serialize)]
pub struct DomainStats {
    /// Domain name.
    pub domain: String,
    /// Tools in the domain.
    pub tools: usize,
    /// Dependent tools in the domain.
    pub dependent_tools: usize,
    /// Longest dependent chain ending in the domain (calls).
    pub longest_chain: usize,
    /// That chain, as tool names in call order.
    pub chain: Vec<String>,
}

impl WorldDef {
    /// Every true dependency edge, derived from the declared ref types and token scopes.
    pub fn dependencies(&self) -> Vec<Dependency> {
        let mut producers: HashMap<&Entity, Vec<(usize, &str)>> = HashMap::new();
        for (ti, rs) in self.result_entities.iter().enumerate() {
            for (path, e) in rs {
                producers.entry(e).or_default().push((ti, path));
            }
        }
        let mut out = Vec::new();
        for (ti, ps) in self.param_entities.iter().enumerate() {
            for (param, e, required) in ps {
                for &(pi, path) in producers.get(e).map(Vec::as_slice).unwrap_or(&[]) {
                    if pi != ti {
                        out.push(Dependency {
                            from_tool: self.tools[pi].name.clone(),
                            from_field: path.to_string(),
                            to_tool: self.tools[ti].name.clone(),
                            to_param: param.clone(),
                            required: *required,
                        });
                    }
                }
            }
        }
        out
    }

    /// Whether tool `ti` has a required parameter only another tool's result can supply.
    pub fn is_dependent(&self, ti: usize) -> bool {
        self.param_entities[ti].iter().any(|(_, _, req)| *req)
    }

    /// For each tool, the shortest chain of calls that can legally end with it (None: unreachable).
    /// A chain is needed because each required id/token param must come from a producer's result.
    pub fn shortest_chains(&self) -> Vec<Option<Vec<usize>>> {
        let n = self.tools.len();
        let mut producers: HashMap<&Entity, Vec<usize>> = HashMap::new();
        for (ti, rs) in self.result_entities.iter().enumerate() {
            for (_, e) in rs {
                let v = producers.entry(e).or_default();
                if !v.contains(&ti) {
                    v.push(ti);
                }
            }
        }
        // depth[t] = 1 + max over required params of min over producers of depth[producer].
        let mut depth: Vec<Option<usize>> = vec![None; n];
        let mut best_prod: Vec<Vec<usize>> = vec![Vec::new(); n];
        loop {
            let mut changed = false;
            for ti in 0..n {
                let mut worst = 0usize;
                let mut picks = Vec::new();
                let mut ok = true;
                for (_, e, req) in &self.param_entities[ti] {
                    if !*req {
                        continue;
                    }
                    let best = producers
                        .get(e)
                        .into_iter()
                        .flatten()
                        .filter(|&&p| p != ti)
                        .filter_map(|&p| depth[p].map(|d| (d, p)))
                        .min();
                    match best {
                        Some((d, p)) => {
                            worst = worst.max(d);
                            picks.push(p);
                        }
                        None => ok = false,
                    }
                }
                let nd = if ok { Some(worst + 1) } else { None };
                if nd.is_some() && (depth[ti].is_none() || nd < depth[ti]) {
                    depth[ti] = nd;
                    best_prod[ti] = picks;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        (0..n)
            .map(|ti| {
                depth[ti]?;
                let mut order = Vec::new();
                let mut seen = BTreeSet::new();
                fn visit(
                    t: usize,
                    bp: &[Vec<usize>],
                    seen: &mut BTreeSet<usize>,
                    order: &mut Vec<usize>,
                ) {
                    if !seen.insert(t) {
                        return;
                    }
                    for &p in &bp[t] {
                        visit(p, bp, seen, order);
                    }
                    order.push(t);
                }
                visit(ti, &best_prod, &mut seen, &mut order);
                Some(order)
            })
            .collect()
    }

    /// Counts for `hardgen tools stats`.
    pub fn stats(&self) -> WorldStats {
        let deps = self.dependencies();
        let mut pairs = BTreeSet::new();
        for d in &deps {
            let (a, b) = (self.by_name[&d.from_tool], self.by_name[&d.to_tool]);
            if self.tools[a].domain != self.tools[b].domain {
                pairs.insert((a, b));
            }
        }
        let chains = self.shortest_chains();
        let per_domain: Vec<DomainStats> = self
            .domains
            .iter()
            .enumerate()
            .map(|(di, d)| {
                let ids: Vec<usize> = (0..self.tools.len())
                    .filter(|&t| self.tools[t].domain == di)
                    .collect();
                // The longest of the *necessary* chains: every call in it is required by the next.
                let longest = ids
                    .iter()
                    .filter_map(|&t| chains[t].as_ref())
                    .max_by_key(|c| (dependent_depth(self, c), c.len()))
                    .cloned()
                    .unwrap_or_default();
                DomainStats {
                    domain: d.name.clone(),
                    tools: ids.len(),
                    dependent_tools: ids.iter().filter(|&&t| self.is_dependent(t)).count(),
                    longest_chain: dependent_depth(self, &longest),
                    chain: longest
                        .iter()
                        .map(|&t| self.tools[t].name.clone())
                        .collect(),
                }
            })
            .collect();
        let dependent = (0..self.tools.len())
            .filter(|&t| self.is_dependent(t))
            .count();
        WorldStats {
            tools: self.tools.len(),
            domains: self.domains.len(),
            collections: self.colls.len(),
            dependent_tools: dependent,
            dependent_share: if self.tools.is_empty() {
                0.0
            } else {
                dependent as f64 / self.tools.len() as f64
            },
            dependency_edges: deps.len(),
            cross_domain_links: pairs.len(),
            min_longest_chain: per_domain
                .iter()
                .map(|d| d.longest_chain)
                .min()
                .unwrap_or(0),
            per_domain,
        }
    }
}

/// Length of the longest strictly dependent path through a chain (the chain's critical path).
fn dependent_depth(def: &WorldDef, chain: &[usize]) -> usize {
    // The chain is built from shortest producers, so its last tool's depth is the critical path.
    let Some(&last) = chain.last() else { return 0 };
    let mut depth: HashMap<usize, usize> = HashMap::new();
    for &t in chain {
        let d = def.param_entities[t]
            .iter()
            .filter(|(_, _, r)| *r)
            .filter_map(|(_, e, _)| {
                chain
                    .iter()
                    .filter(|&&p| p != t && def.result_entities[p].iter().any(|(_, pe)| pe == e))
                    .filter_map(|p| depth.get(p))
                    .min()
                    .copied()
            })
            .max()
            .map_or(1, |d| d + 1);
        depth.insert(t, d);
    }
    depth.get(&last).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests;
