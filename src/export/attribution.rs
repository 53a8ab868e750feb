//! Rendering an attribution (`cargo weigh top`).

use std::path::Path;

use comfy_table::{presets::UTF8_FULL_CONDENSED, CellAlignment, ContentArrangement, Table};
use serde::Serialize;

use super::{kib, printable, Format};
use crate::attribute::{Attribution, Origin};

fn right(t: &mut Table, from: usize, to: usize) {
    for i in from..to {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

fn crate_rows(a: &Attribution) -> Vec<Vec<String>> {
    let flash: u64 = a
        .crates
        .iter()
        .fold(0u64, |t, c| t.saturating_add(c.flash()));
    a.crates
        .iter()
        .map(|c| {
            let pct = if flash > 0 {
                c.flash() as f64 * 100.0 / flash as f64
            } else {
                0.0
            };
            vec![
                format!(
                    "{}{}",
                    printable(&c.name),
                    if c.heuristic { " ~" } else { "" }
                ),
                kib(c.text),
                kib(c.rodata),
                kib(c.data),
                kib(c.bss),
                kib(c.flash()),
                format!("{pct:.1}%"),
            ]
        })
        .collect()
}

const CRATE_HEADERS: [&str; 7] = [
    "Crate",
    "text",
    "rodata",
    "data",
    "bss",
    "Flash",
    "% of flash",
];

fn symbol_rows(a: &Attribution) -> Vec<Vec<String>> {
    a.symbols
        .iter()
        .map(|s| {
            vec![
                kib(s.bytes),
                s.section.clone(),
                format!(
                    "{}{}",
                    printable(&s.crate_name),
                    if s.origin == Origin::Heuristic {
                        " ~"
                    } else {
                        ""
                    }
                ),
                printable(&s.name),
            ]
        })
        .collect()
}

fn section_rows(a: &Attribution) -> Vec<Vec<String>> {
    a.sections
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.kind.as_str().into(),
                kib(s.size),
                kib(s.attributed),
                kib(s.unattributed),
            ]
        })
        .collect()
}

fn notes(a: &Attribution) -> Vec<String> {
    let mut n = vec![format!(
        "code attributed by {}; `~` marks crates guessed from a demangled path (not exact); [unattributed] is padding and unnamed bytes",
        if a.code_source == "dwarf" { "the DWARF line table (exact under inlining)" } else { "symbols" }
    )];
    n.extend(a.notes.iter().cloned());
    n
}

#[derive(Serialize)]
struct JsonOut<'a> {
    file: &'a Path,
    #[serde(flatten)]
    attribution: &'a Attribution,
}

pub fn render_attribution(
    a: &Attribution,
    file: &Path,
    format: Format,
    crates_only: bool,
) -> anyhow::Result<Vec<u8>> {
    match format {
        Format::Html => {
            let text = render_attribution(a, file, Format::Table, crates_only)?;
            Ok(super::html::pre_page(
                &format!("cargo weigh top: {}", file.display()),
                &String::from_utf8_lossy(&text),
            ))
        }
        Format::Json => {
            let mut v = serde_json::to_vec_pretty(&JsonOut {
                file,
                attribution: a,
            })?;
            v.push(b'\n');
            Ok(v)
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record([
                "crate",
                "text",
                "rodata",
                "data",
                "bss",
                "flash",
                "heuristic",
            ])?;
            for c in &a.crates {
                w.write_record([
                    c.name.clone(),
                    c.text.to_string(),
                    c.rodata.to_string(),
                    c.data.to_string(),
                    c.bss.to_string(),
                    c.flash().to_string(),
                    c.heuristic.to_string(),
                ])?;
            }
            Ok(w.into_inner()?)
        }
        Format::Markdown => {
            let esc = |s: &str| {
                printable(s)
                    .replace('|', "\\\\|")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            };
            let mut out = format!(
                "### Where the bytes go: `{}`\n\n",
                esc(&file.display().to_string())
            );
            let table = |out: &mut String, headers: &[&str], rows: Vec<Vec<String>>| {
                out.push_str(&format!(
                    "| {} |\n|{}\n",
                    headers.join(" | "),
                    ":--|".repeat(headers.len())
                ));
                for r in rows {
                    let cells: Vec<String> = r.iter().map(|c| esc(c)).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            };
            table(&mut out, &CRATE_HEADERS, crate_rows(a));
            if !crates_only {
                table(
                    &mut out,
                    &["Bytes", "Section", "Crate", "Symbol"],
                    symbol_rows(a),
                );
            }
            for n in notes(a) {
                out.push_str(&format!("- {}\n", esc(&n)));
            }
            Ok(out.into_bytes())
        }
        Format::Table => {
            let mut out = format!("{}\n", file.display());
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(["Section", "Kind", "Size", "Attributed", "Unattributed"]);
            for r in section_rows(a) {
                t.add_row(r);
            }
            right(&mut t, 2, 5);
            out.push_str(&format!("{t}\n"));
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(CRATE_HEADERS);
            for r in crate_rows(a) {
                t.add_row(r);
            }
            right(&mut t, 1, 7);
            out.push_str(&format!("{t}\n"));
            if !crates_only {
                let mut t = Table::new();
                t.load_preset(UTF8_FULL_CONDENSED)
                    .set_content_arrangement(ContentArrangement::Disabled)
                    .set_header(["Bytes", "Section", "Crate", "Symbol"]);
                for r in symbol_rows(a) {
                    t.add_row(r);
                }
                right(&mut t, 0, 1);
                out.push_str(&format!("{t}\n"));
            }
            for n in notes(a) {
                out.push_str(&n);
                out.push('\n');
            }
            Ok(out.into_bytes())
        }
    }
}
