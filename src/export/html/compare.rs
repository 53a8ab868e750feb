//! A diff as an HTML page: the summary of what changed, then per
//! configuration its sections, crates and symbols.

use std::fmt::Write as _;

use super::super::escape::html as esc;
use super::super::views::compare;
use super::assets;
use super::table::table;
use crate::compare::Diff;

pub fn page(d: &Diff, limit: usize) -> Vec<u8> {
    let title = format!("cargo weigh diff: {} → {}", d.before, d.after);
    let mut out = String::new();
    let _ = write!(out, "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{}</title><style>{}</style></head><body><h1>{}</h1>", esc(&title), assets::CSS, esc(&title));
    let summary = compare::summary(d);
    if summary.rows.is_empty() {
        let _ = write!(
            out,
            "<div class=verdict><p>No size change in {} configurations.</p></div>",
            d.configs.len()
        );
    } else {
        table(&summary, "summary", &mut out);
        let same = compare::unchanged(d);
        if same > 0 {
            let _ = write!(
                out,
                "<p class=note>No size change in {same} other configurations.</p>"
            );
        }
    }
    for (i, c) in d.configs.iter().enumerate() {
        let details = compare::details(c, limit);
        if details.is_empty() {
            continue;
        }
        let _ = write!(out, "<h2>{}</h2>", esc(&c.name));
        for (j, t) in details.iter().enumerate() {
            table(t, &format!("c{i}-{j}"), &mut out);
        }
    }
    for c in &d.chains {
        let _ = write!(out, "<p class=note>new crate {}</p>", esc(&c.describe()));
    }
    for n in &d.notes {
        let _ = write!(out, "<p class=note>{}</p>", esc(n));
    }
    let _ = writeln!(out, "<script>{}</script></body></html>", assets::SCRIPT);
    out.into_bytes()
}
