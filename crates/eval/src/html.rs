//! The evaluation report as one self-contained HTML page: headline figures, bar charts (inline
//! SVG, no scripts, no network) and the tables behind them.

use crate::evaluate::{Report, Tally};
use crate::judge::FailureKind;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart: one bar per (label, value, note), values in `0..=max`.
pub fn bars(title: &str, rows: &[(String, f64, String)], max: f64, color: &str) -> String {
    let row_h = 22.0;
    let label_w = 190.0;
    let bar_w = 420.0;
    let h = row_h * rows.len() as f64 + 34.0;
    let mut s = format!(
        "<figure><figcaption>{}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        label_w + bar_w + 110.0,
        esc(title)
    );
    for (i, (label, v, note)) in rows.iter().enumerate() {
        let y = 10.0 + row_h * i as f64;
        let w = if max > 0.0 {
            bar_w * (v / max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{bar_w}\" height=\"16\" fill=\"#eee\"/>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"{color}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            label_w - 6.0,
            y + 12.0,
            esc(label),
            label_w + bar_w + 6.0,
            y + 12.0,
            esc(note)
        ));
    }
    s.push_str("</svg></figure>");
    s
}

fn tally_rows<K: ToString>(m: impl Iterator<Item = (K, Tally)>) -> Vec<(String, f64, String)> {
    m.map(|(k, t)| {
        (
            k.to_string(),
            t.accuracy,
            format!("{:.1}% of {}", 100.0 * t.accuracy, t.total),
        )
    })
    .collect()
}

fn table(head: &str, rows: &[(String, f64, String)]) -> String {
    let mut s = format!("<table><tr><th>{}</th><th>result</th></tr>", esc(head));
    for (k, _, note) in rows {
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}</td></tr>",
            esc(k),
            esc(note)
        ));
    }
    s.push_str("</table>");
    s
}

/// The whole page.
pub fn page(r: &Report) -> String {
    let domain = tally_rows(r.by_domain.iter().map(|(k, t)| (k.clone(), *t)));
    let length = tally_rows(
        r.by_length
            .iter()
            .map(|(k, t)| (format!("{k} call{}", if *k == 1 { "" } else { "s" }), *t)),
    );
    let round = tally_rows(
        r.by_round
            .iter()
            .map(|(k, t)| (format!("round {}", k + 1), *t)),
    );
    let failed = r.overall.total - r.overall.passed;
    let kinds: Vec<(String, f64, String)> = FailureKind::ALL
        .iter()
        .map(|k| {
            let n = r.by_failure.get(k.as_str()).copied().unwrap_or(0);
            (k.as_str().to_string(), n as f64, n.to_string())
        })
        .collect();
    let kmax = kinds.iter().map(|k| k.1).fold(0.0, f64::max);
    let mut s = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>hardgen evaluation</title>\
         <style>body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:960px}\
         h1{font-size:1.5em}figure{margin:1em 0}figcaption{font-weight:600;margin-bottom:.3em}\
         table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}\
         .big{font-size:2.2em;font-weight:700}.grid{display:flex;gap:3em}</style></head><body>",
    );
    s.push_str(&format!(
        "<h1>Evaluation of {}</h1><div class=\"grid\"><div><div class=\"big\">{:.1}%</div>accuracy</div>\
         <div><div class=\"big\">{}</div>rounds</div><div><div class=\"big\">{}</div>failed</div>\
         <div><div class=\"big\">{:.0} ms</div>mean latency</div></div>",
        esc(&r.agent),
        100.0 * r.overall.accuracy,
        r.overall.total,
        failed,
        r.mean_latency_ms
    ));
    s.push_str(&bars("Accuracy by domain", &domain, 1.0, "#3b7dd8"));
    s.push_str(&bars("Accuracy by trace length", &length, 1.0, "#2a9d8f"));
    s.push_str(&bars("Accuracy by round", &round, 1.0, "#8e6bbf"));
    s.push_str(&bars("Failures by kind", &kinds, kmax, "#d8573b"));
    s.push_str("<h2>Tables</h2>");
    s.push_str(&table("domain", &domain));
    s.push_str(&table("trace length", &length));
    s.push_str(&table("round", &round));
    s.push_str(&table("failure kind", &kinds));
    s.push_str(&format!(
        "<p>Tokens: {} in, {} out.</p></body></html>\n",
        r.tokens.0, r.tokens.1
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_self_contained_and_escapes_text() {
        let mut r = Report {
            agent: "a<b>".into(),
            ..Report::default()
        };
        r.overall = Tally {
            total: 4,
            passed: 1,
            accuracy: 0.25,
        };
        r.by_domain.insert("banking".into(), r.overall);
        r.by_failure.insert("no_call".into(), 3);
        let p = page(&r);
        assert!(p.contains("a&lt;b&gt;") && !p.contains("a<b>"));
        assert!(p.contains("<svg") && p.contains("banking") && p.contains("25.0% of 4"));
        assert!(
            !p.contains("<script") && !p.contains("http://")
                || p.contains("http://www.w3.org/2000/svg")
        );
        assert!(!p.contains("src=\"http"));
    }
}
