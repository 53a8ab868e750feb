//! Rendering a diff: a terminal table, Markdown for a sticky pull-request
//! comment, or JSON.

use comfy_table::{presets::UTF8_FULL_CONDENSED, CellAlignment, ContentArrangement, Table};

use super::{kib, printable, signed_kib, Format};
use crate::diff::{Change, Diff, Status};

fn opt(v: Option<u64>) -> String {
    v.map(kib).unwrap_or_else(|| "-".into())
}

fn pct(c: &Change) -> String {
    match c.before {
        Some(b) if b > 0 => format!("{:+.2}%", c.delta as f64 * 100.0 / b as f64),
        _ => "-".into(),
    }
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Grew => "grew",
        Status::Shrank => "shrank",
        Status::Appeared => "new",
        Status::Disappeared => "gone",
        Status::Same => "same",
    }
}

fn rows(list: &[Change], limit: usize) -> Vec<Vec<String>> {
    list.iter()
        .take(limit)
        .map(|c| {
            vec![
                printable(&c.name),
                opt(c.before),
                opt(c.after),
                signed_kib(c.delta),
                pct(c),
                status(c.status).into(),
            ]
        })
        .collect()
}

const HEADERS: [&str; 6] = ["", "Before", "After", "Change", "%", ""];

pub fn render_diff(d: &Diff, format: Format, limit: usize) -> anyhow::Result<Vec<u8>> {
    match format {
        Format::Html => {
            let text = render_diff(d, Format::Table, limit)?;
            Ok(super::html::pre_page(
                "cargo weigh diff",
                &String::from_utf8_lossy(&text),
            ))
        }
        Format::Json => {
            let mut v = serde_json::to_vec_pretty(d)?;
            v.push(b'\n');
            Ok(v)
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record([
                "config", "what", "name", "before", "after", "delta", "status",
            ])?;
            for c in &d.configs {
                for (what, list) in [
                    ("total", &c.totals),
                    ("section", &c.sections),
                    ("crate", &c.crates),
                    ("symbol", &c.symbols),
                ] {
                    for x in list {
                        w.write_record([
                            c.name.clone(),
                            what.to_string(),
                            x.name.clone(),
                            x.before.map(|v| v.to_string()).unwrap_or_default(),
                            x.after.map(|v| v.to_string()).unwrap_or_default(),
                            x.delta.to_string(),
                            status(x.status).to_string(),
                        ])?;
                    }
                }
            }
            Ok(w.into_inner()?)
        }
        Format::Markdown => {
            let esc = |s: &str| {
                printable(s)
                    .replace('|', "\\|")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('`', "'")
            };
            let mut out = format!(
                "### cargo weigh diff: {} → {}\n\n",
                esc(&d.before),
                esc(&d.after)
            );
            let table = |out: &mut String, first: &str, rows: Vec<Vec<String>>| {
                out.push_str(&format!(
                    "| {first} | Before | After | Change | % | |\n|:--|--:|--:|--:|--:|:--|\n"
                ));
                for r in rows {
                    let cells: Vec<String> = r.iter().map(|c| esc(c)).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            };
            for c in &d.configs {
                out.push_str(&format!("**{}**\n\n", esc(&c.name)));
                table(&mut out, "Total", rows(&c.totals, usize::MAX));
                if !c.sections.is_empty() {
                    table(&mut out, "Section", rows(&c.sections, limit));
                }
                if !c.crates.is_empty() {
                    table(&mut out, "Crate", rows(&c.crates, limit));
                }
                if !c.symbols.is_empty() {
                    table(&mut out, "Symbol", rows(&c.symbols, limit));
                }
            }
            for n in &d.notes {
                out.push_str(&format!("- {}\n", esc(n)));
            }
            Ok(out.into_bytes())
        }
        Format::Table => {
            let mut out = format!("{} → {}\n", d.before, d.after);
            for c in &d.configs {
                out.push_str(&format!("\n{}\n", c.name));
                for (first, list, lim) in [
                    ("Total", &c.totals, usize::MAX),
                    ("Section", &c.sections, limit),
                    ("Crate", &c.crates, limit),
                    ("Symbol", &c.symbols, limit),
                ] {
                    if list.is_empty() {
                        continue;
                    }
                    let mut t = Table::new();
                    let mut h = HEADERS;
                    h[0] = first;
                    t.load_preset(UTF8_FULL_CONDENSED)
                        .set_content_arrangement(ContentArrangement::Disabled)
                        .set_header(h);
                    for r in rows(list, lim) {
                        t.add_row(r);
                    }
                    for i in 1..5 {
                        if let Some(col) = t.column_mut(i) {
                            col.set_cell_alignment(CellAlignment::Right);
                        }
                    }
                    out.push_str(&format!("{t}\n"));
                }
            }
            for n in &d.notes {
                out.push_str(n);
                out.push('\n');
            }
            Ok(out.into_bytes())
        }
    }
}
