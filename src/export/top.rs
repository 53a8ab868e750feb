//! Rendering an attribution (`cargo weigh top`) in every format.

use std::path::Path;

use serde::Serialize;

use super::html;
use super::model::Table;
use super::views::attribution::{crates, notes, sections, symbols};
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

/// An attribution as `top` shows it.
struct TopDoc<'a> {
    attribution: &'a Attribution,
    refs: Option<&'a References>,
    file: &'a Path,
    crates_only: bool,
}

impl TopDoc<'_> {
    fn title(&self) -> String {
        format!(
            "Where the bytes go: {}",
            super::views::shown_path(self.file)
        )
    }

    fn tables(&self) -> Vec<Table> {
        let mut tables = vec![crates(self.attribution)];
        if !self.crates_only {
            tables.push(symbols(self.attribution));
        }
        if let Some(r) = self.refs {
            tables.extend(super::views::references::panic_and_fmt(r));
            tables.extend(super::views::references::generics(r));
        }
        tables
    }
}

impl super::document::Document for TopDoc<'_> {
    fn json(&self) -> anyhow::Result<Vec<u8>> {
        super::json::render(&JsonOut {
            schema_version: crate::report::SCHEMA_VERSION,
            file: self.file,
            attribution: self.attribution,
            references: self.refs,
        })
    }
    fn csv(&self) -> anyhow::Result<Vec<u8>> {
        csv(self.attribution)
    }
    fn html(&self) -> Vec<u8> {
        let notes = notes(self.attribution);
        match self.refs.filter(|r| !r.tree.is_empty()) {
            Some(r) => html::retained_page(&self.title(), &self.tables(), &notes, &r.tree),
            None => html::tables_page(&self.title(), &self.tables(), &notes),
        }
    }
    fn markdown(&self) -> String {
        super::document::markdown_sections(&self.title(), &self.tables(), &notes(self.attribution))
    }
    fn terminal(&self, width: Option<usize>) -> String {
        // The sections first: where each kind of byte lives in this file.
        let mut tables = vec![sections(self.attribution)];
        tables.extend(self.tables());
        let head = super::views::shown_path(self.file);
        super::document::terminal_sections(&head, &tables, &notes(self.attribution), width)
    }
}

pub fn render_attribution(
    attribution: &Attribution,
    refs: Option<&References>,
    file: &Path,
    format: Format,
    crates_only: bool,
) -> anyhow::Result<Vec<u8>> {
    let doc = TopDoc {
        attribution,
        refs,
        file,
        crates_only,
    };
    super::document::render(&doc, format)
}
