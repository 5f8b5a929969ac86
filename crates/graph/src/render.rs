//! Renderings of the API graph for people: Graphviz DOT, and a self-contained HTML page with an
//! SVG drawing (domains as clusters on a ring, nodes coloured by domain and sized by weight).

use crate::graph::ApiGraph;
use std::collections::BTreeMap;
use std::fmt::Write as _;

const PALETTE: [&str; 16] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
];

fn domains(g: &ApiGraph) -> Vec<String> {
    let mut d: Vec<String> = g.nodes.iter().map(|n| n.domain.clone()).collect();
    d.sort();
    d.dedup();
    d
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Graphviz DOT: one node per tool (coloured by domain), one edge per tool pair (labelled with
/// the parameters it feeds).
pub fn to_dot(g: &ApiGraph) -> String {
    let ds = domains(g);
    let mut out = String::from(
        "digraph api {\n  rankdir=LR;\n  node [shape=box, style=filled, fontsize=10];\n",
    );
    for n in &g.nodes {
        let ci = ds.iter().position(|d| d == &n.domain).unwrap_or(0) % PALETTE.len();
        // Failure weights set by a probe show as a thicker border (weight 1 is the default).
        let pen = if (n.weight - 1.0).abs() > f64::EPSILON {
            format!(", penwidth={:.1}", 0.5 + 2.5 * n.weight.min(3.0))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  \"{}\" [fillcolor=\"{}40\", color=\"{}\", tooltip=\"{} (weight {:.2})\"{pen}];",
            n.name, PALETTE[ci], PALETTE[ci], n.domain, n.weight
        );
    }
    let mut pairs: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    for e in &g.edges {
        let v = pairs.entry((e.from, e.to)).or_default();
        if !v.contains(&e.to_param) {
            v.push(e.to_param.clone());
        }
    }
    for ((a, b), params) in pairs {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\"];",
            g.nodes[a].name,
            g.nodes[b].name,
            params.join(",")
        );
    }
    out.push_str("}\n");
    out
}

/// A self-contained HTML page drawing the graph as SVG (no scripts, no network).
pub fn to_html(g: &ApiGraph, title: &str) -> String {
    let ds = domains(g);
    let size = 2400.0_f64;
    let c = size / 2.0;
    let ring = size * 0.36;
    // Domains sit on a ring; each domain's tools on a small circle (two circles when crowded).
    let mut pos = vec![(0.0, 0.0); g.nodes.len()];
    for (di, d) in ds.iter().enumerate() {
        let members: Vec<usize> = (0..g.nodes.len())
            .filter(|&i| &g.nodes[i].domain == d)
            .collect();
        let a = std::f64::consts::TAU * di as f64 / ds.len().max(1) as f64;
        let (cx, cy) = (c + ring * a.cos(), c + ring * a.sin());
        let m = members.len().max(1);
        for (k, &i) in members.iter().enumerate() {
            let (r, kk, mm) = if m > 14 && k % 2 == 1 {
                (150.0, k / 2, m.div_ceil(2))
            } else if m > 14 {
                (95.0, k / 2, m.div_ceil(2))
            } else {
                (110.0, k, m)
            };
            let b =
                std::f64::consts::TAU * kk as f64 / mm as f64 + if k % 2 == 1 { 0.2 } else { 0.0 };
            pos[i] = (cx + r * b.cos(), cy + r * b.sin());
        }
    }
    let max_w = g
        .nodes
        .iter()
        .map(|n| n.weight)
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let mut svg = String::new();
    let _ = write!(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 {size} {size}\" font-family=\"sans-serif\" style=\"display:block;max-width:{size}px;margin:auto\">");
    svg.push_str("<defs><marker id=\"arr\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#555\"/></marker></defs>");
    let mut pairs: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    for e in &g.edges {
        let v = pairs.entry((e.from, e.to)).or_default();
        if !v.contains(&e.to_param) {
            v.push(e.to_param.clone());
        }
    }
    svg.push_str("<g stroke-width=\"0.7\" fill=\"none\">");
    for ((a, b), params) in &pairs {
        let ((x1, y1), (x2, y2)) = (pos[*a], pos[*b]);
        let cross = g.nodes[*a].domain != g.nodes[*b].domain;
        let col = if cross {
            "#777777"
        } else {
            PALETTE[ds
                .iter()
                .position(|d| d == &g.nodes[*a].domain)
                .unwrap_or(0)
                % PALETTE.len()]
        };
        let op = if cross { 0.08 } else { 0.25 };
        // Curve through a point pulled toward the centre, so intra-domain edges stay inside their cluster.
        let (mx, my) = (
            (x1 + x2) / 2.0 * 0.85 + c * 0.15,
            (y1 + y2) / 2.0 * 0.85 + c * 0.15,
        );
        let _ = write!(
            svg,
            "<path d=\"M{x1:.1},{y1:.1} Q{mx:.1},{my:.1} {x2:.1},{y2:.1}\" stroke=\"{col}\" stroke-opacity=\"{op}\" marker-end=\"url(#arr)\"><title>{} -&gt; {} ({})</title></path>",
            esc(&g.nodes[*a].name),
            esc(&g.nodes[*b].name),
            esc(&params.join(", "))
        );
    }
    svg.push_str("</g>");
    for (di, d) in ds.iter().enumerate() {
        let a = std::f64::consts::TAU * di as f64 / ds.len().max(1) as f64;
        let (x, y) = (c + (ring + 215.0) * a.cos(), c + (ring + 215.0) * a.sin());
        let _ = write!(svg, "<text x=\"{x:.0}\" y=\"{y:.0}\" font-size=\"28\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"{}\">{}</text>", PALETTE[di % PALETTE.len()], esc(d));
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let di = ds.iter().position(|d| d == &n.domain).unwrap_or(0);
        let r = 3.0 + 9.0 * (n.weight / max_w).sqrt();
        let (x, y) = pos[i];
        let (indeg, outdeg) = (
            pairs.keys().filter(|k| k.1 == i).count(),
            pairs.keys().filter(|k| k.0 == i).count(),
        );
        let _ = write!(
            svg,
            "<g><title>{} [{}] weight {:.2}, {indeg} in / {outdeg} out</title><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"{}\" stroke=\"#222\" stroke-width=\"0.5\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"8\" fill=\"#222\">{}</text></g>",
            esc(&n.name),
            esc(&n.domain),
            n.weight,
            PALETTE[di % PALETTE.len()],
            x + r + 1.5,
            y + 3.0,
            esc(&n.name)
        );
    }
    svg.push_str("</svg>");
    let cross = pairs
        .keys()
        .filter(|(a, b)| g.nodes[*a].domain != g.nodes[*b].domain)
        .count();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{margin:0;font-family:sans-serif;background:#fafafa}}header{{padding:12px 20px;background:#fff;border-bottom:1px solid #ddd;position:sticky;top:0}}\
         h1{{font-size:20px;margin:0 0 4px}}p{{margin:0;color:#444;font-size:14px}}</style></head><body>\
         <header><h1>{t}</h1><p>{n} tools in {d} domains, {e} prerequisite edges ({p} tool pairs, {cross} across domains, drawn grey). \
         Node size follows failure weight; hover a node or edge for details.</p></header>{svg}</body></html>\n",
        t = esc(title),
        n = g.nodes.len(),
        d = ds.len(),
        e = g.edges.len(),
        p = pairs.len(),
    )
}
