//! Rendering an attribution (`cargo weigh top`) in every format.

use std::path::Path;

use serde::Serialize;

use super::views::attribution::{crates, notes, sections, symbols};
use super::{html, markdown, terminal};
use crate::attribute::Attribution;
use crate::graph::References;
use crate::options::Format;

#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(super) struct JsonOut<'a> {
    schema_version: u32,
    file: &'a Path,
    #[serde(flatten)]
    attribution: &'a Attribution,
    /// With `--retained` or `--generics`: what the reference graph says.
    #[serde(skip_serializing_if = "Option::is_none")]
    references: Option<&'a References>,
}

fn csv(a: &Attribution) -> anyhow::Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "crate",
        "text_bytes",
        "rodata_bytes",
        "data_bytes",
        "bss_bytes",
        "flash_bytes",
        "guessed",
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

pub fn render_attribution(
    a: &Attribution,
    refs: Option<&References>,
    file: &Path,
    format: Format,
    crates_only: bool,
) -> anyhow::Result<Vec<u8>> {
    let mut tables = vec![crates(a)];
    if !crates_only {
        tables.push(symbols(a));
    }
    if let Some(r) = refs {
        tables.extend(super::views::references::panic_and_fmt(r));
        tables.extend(super::views::references::generics(r));
    }
    let title = format!("Where the bytes go: {}", super::views::shown_path(file));
    Ok(match format {
        Format::Json => super::json::render(&JsonOut {
            schema_version: crate::report::SCHEMA_VERSION,
            file,
            attribution: a,
            references: refs,
        })?,
        Format::Csv => csv(a)?,
        Format::Html => match refs.filter(|r| !r.tree.is_empty()) {
            Some(r) => html::retained_page(&title, &tables, &notes(a), &r.tree),
            None => html::tables_page(&title, &tables, &notes(a)),
        },
        Format::Markdown => {
            let mut out = format!("### {}\n\n", super::escape::markdown(&title));
            for t in &tables {
                out.push_str(&markdown::render(t));
                out.push('\n');
            }
            for n in notes(a) {
                out.push_str(&format!("- {}\n", super::escape::markdown(&n)));
            }
            out.into_bytes()
        }
        Format::Table => {
            let width = terminal::width();
            let mut out = format!("{}\n", super::views::shown_path(file));
            out.push_str(&terminal::render(&sections(a), width));
            for t in &tables {
                out.push_str(&terminal::render(t, width));
            }
            for n in notes(a) {
                out.push_str(&terminal::wrap(&n, width, "  "));
            }
            out.into_bytes()
        }
    })
}
