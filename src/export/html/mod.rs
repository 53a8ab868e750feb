//! One self-contained HTML page (inline CSS, JS and SVG; nothing fetched),
//! in the spirit of cargo's `--timings` page: the verdict, the summary
//! (sortable, scrolls inside the page), charts with axes, memory regions,
//! what each setting buys, and where the bytes go (a configuration
//! selector, a crates → symbols treemap with search, a symbol table).
//! Every name from a binary or a user is escaped; data for the script is
//! JSON with `<` escaped, and the script only sets `textContent`.

mod assets;
mod charts;
mod compare;
mod history;
mod items;
mod labels;
mod page;
mod retained;
mod table;

use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use compare::page as diff_page;
pub use history::page as history_page;
use items::{Attributed, Item};
use table::table;

use super::escape::{html as esc, script_json};
use super::views::{ablation, notes, summary, verdict};
use crate::report::Report;
use crate::results::Objective;
use crate::units::human;

fn regions(report: &Report, out: &mut String) {
    let rows: Vec<_> = report
        .configs
        .iter()
        .filter(|c| !c.derived.regions.is_empty())
        .collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("<h2>Memory regions</h2><div class=scroll><table class=sortable><thead><tr><th class=l>Configuration</th><th class=l>Region</th><th>Used</th><th>Reserved</th><th>Size</th><th class=l>Use</th></tr></thead><tbody>");
    for c in rows {
        for r in &c.derived.regions {
            let pct = if r.length > 0 {
                r.used_bytes as f64 * 100.0 / r.length as f64
            } else {
                0.0
            };
            let over = if r.used_bytes > r.length { " over" } else { "" };
            let _ = write!(out, "<tr><td class=l>{}</td><td class=l>{} ({:?})</td><td data-sort=\"{}\">{}</td><td data-sort=\"{}\">{}</td><td data-sort=\"{}\">{}</td><td class=l data-sort=\"{pct}\"><span class=\"bar{over}\"><span style=\"width:{:.2}%\"></span></span> {pct:.2} %</td></tr>",
                esc(&c.config.name), esc(&r.name), r.kind, r.used_bytes, esc(&human(r.used_bytes)), r.reserved_bytes, esc(&human(r.reserved_bytes)), r.length, esc(&human(r.length)), pct.min(100.0));
        }
    }
    out.push_str("</tbody></table></div>");
    if let Some(m) = &report.memory {
        let _ = write!(out, "<p class=note>Memory map: {}</p>", esc(&m.source));
    }
}

/// The treemap's nested boxes: every crate's total is its box, and what
/// it holds adds up to exactly that.
fn treemap_parts(a: &crate::attribute::Attribution) -> Vec<Item> {
    let mut out = Vec::new();
    for k in &a.crates {
        let mut inside = 0u64;
        // The boxes are flash: what is only in RAM (bss) is not in them.
        let stored = a
            .symbols
            .iter()
            .filter(|s| s.kind != crate::attribute::Kind::Bss);
        for s in stored {
            for p in s.parts().into_iter().filter(|p| p.crate_name == k.name) {
                inside += p.bytes;
                let label = if s.crate_name == k.name {
                    human(p.bytes)
                } else {
                    format!(
                        "{} of {}'s code inlined into {}",
                        human(p.bytes),
                        k.name,
                        s.crate_name
                    )
                };
                out.push(Item {
                    name: s.name.clone(),
                    krate: Some(k.name.clone()),
                    section: Some(s.section.clone()),
                    v: p.bytes,
                    label,
                });
            }
        }
        let rest = k.flash().saturating_sub(inside);
        if rest > 0 {
            out.push(Item {
                name: format!("(the rest of {})", k.name),
                krate: Some(k.name.clone()),
                section: None,
                v: rest,
                label: human(rest),
            });
        }
    }
    out
}

/// Name the method: `top` builds with a line table, a plain run's
/// binaries may have none, and the two count inlined code differently.
fn method_notes(report: &Report, out: &mut String) {
    let sources: std::collections::BTreeSet<&str> = report
        .configs
        .iter()
        .filter_map(|c| Some(c.checks.attribution.as_ref()?.code_source.as_str()))
        .collect();
    for source in sources {
        let said = if source == "dwarf" {
            "Code is counted by the DWARF line table: code inlined from one crate into another counts for the crate it came from (as <code>cargo weigh top</code> counts it)."
        } else {
            "Code is counted by symbol: these binaries have no line table, so a function counts whole for the crate that defines it, code it inlined from other crates included. <code>cargo weigh top --only NAME</code> builds with <code>debug = \"line-tables-only\"</code> and counts inlined code for the crate it came from."
        };
        let _ = write!(out, "<p class=note>{said}</p>");
    }
}

/// The configurations attributed, the one the verdict names selected
/// (else the baseline): the one a reader came for.
fn config_options<'a>(report: &Report, names: impl Iterator<Item = &'a str>, out: &mut String) {
    let names: Vec<&str> = names.collect();
    let chosen = match &report.optimize {
        Some(o) => Some(o.best.as_str()),
        None => super::views::smallest(report).map(|c| c.config.name.as_str()),
    }
    .filter(|n| names.contains(n))
    .or(report.baseline.as_deref().filter(|n| names.contains(n)));
    for name in names {
        let selected = if Some(name) == chosen {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<option value=\"{0}\"{selected}>{0}</option>",
            esc(name)
        );
    }
}

fn attribution(report: &Report, out: &mut String) {
    let mut data: BTreeMap<&str, Attributed> = BTreeMap::new();
    for c in &report.configs {
        let Some(a) = &c.checks.attribution else {
            continue;
        };
        let crates = a
            .crates
            .iter()
            .map(|k| Item {
                name: k.name.clone(),
                krate: None,
                section: None,
                v: k.flash(),
                label: human(k.flash()),
            })
            .collect();
        let symbols = a
            .symbols
            .iter()
            .map(|s| Item {
                name: s.name.clone(),
                krate: Some(s.crate_name.clone()),
                section: Some(s.section.clone()),
                v: s.bytes,
                label: human(s.bytes),
            })
            .collect();
        let parts = treemap_parts(a);
        data.insert(
            &c.config.name,
            Attributed {
                crates,
                symbols,
                parts,
            },
        );
    }
    out.push_str("<h2>Where the bytes go</h2>");
    if data.is_empty() {
        out.push_str(
            "<p class=note>Run with <code>--attribute</code> to see where the bytes go.</p>",
        );
        return;
    }
    method_notes(report, out);
    out.push_str("<p><label>Configuration <select id=config>");
    config_options(report, data.keys().copied(), out);
    out.push_str("</select></label><label>Search symbols <input id=search type=search placeholder=\"name or crate\"></label> <span id=count></span></p><div id=treemap role=img aria-label=\"crates and their symbols\"></div>");
    out.push_str("<div class=scroll><table class=sortable id=symbols><thead><tr><th>Bytes</th><th class=l>Section</th><th class=l>Crate</th><th class=l>Symbol</th></tr></thead><tbody></tbody></table></div>");
    let _ = write!(
        out,
        "<script type=\"application/json\" id=attribution-data>{}</script>",
        script_json(&data)
    );
}

fn head(report: &Report, out: &mut String) {
    let title = super::text::title(report).unwrap_or_else(|| "cargo weigh".into());
    let _ = write!(out, "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width\"><title>{}</title><style>{}</style></head><body><h1>{}</h1>", esc(&title), assets::CSS, esc(&title));
    if let Some(tc) = &report.toolchain {
        let _ = write!(
            out,
            "<p class=note>{} · rustc {}</p>",
            esc(&report.tool),
            esc(&tc.release)
        );
    }
    if !report.complete {
        out.push_str("<p class=bad>Incomplete: the run was interrupted.</p>");
    }
}

/// The whole page.
pub fn page(report: &Report) -> Vec<u8> {
    let mut out = String::new();
    head(report, &mut out);
    out.push_str("<div class=verdict>");
    for line in verdict::verdict(report) {
        let _ = write!(out, "<p>{}</p>", esc(&line));
    }
    out.push_str("</div><h2>Summary</h2>");
    table(&summary::summary(report, true), "summary", &mut out);
    let firmware = super::views::objective(report) == Objective::Flash;
    for n in notes::notes(report, firmware, true) {
        let _ = write!(out, "<p class=note>{}</p>", esc(&n));
    }
    out.push_str(if firmware {
        "<h2>Flash per configuration</h2>"
    } else {
        "<h2>Stripped file per configuration</h2>"
    });
    charts::size_bars(report, firmware, &mut out);
    charts::scatter(report, firmware, charts::Against::BuildTime, &mut out);
    charts::scatter(report, firmware, charts::Against::Instructions, &mut out);
    regions(report, &mut out);
    let tables = ablation::ablation(report);
    if !tables.is_empty() {
        out.push_str("<h2>What each setting buys</h2>");
        for (i, t) in tables.iter().enumerate() {
            let _ = write!(out, "<p>{}</p>", esc(t.title.as_deref().unwrap_or("")));
            table(t, &format!("ablation-{i}"), &mut out);
        }
    }
    attribution(report, &mut out);
    let _ = writeln!(out, "<script>{}</script></body></html>", assets::SCRIPT);
    out.into_bytes()
}

/// A minimal page of tables (for `top`).
pub use page::tables_page;
pub use retained::retained_page;
