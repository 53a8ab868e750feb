//! Rendering `cargo weigh why` in every format: one table per symbol, a
//! row per step from the root to it.

use std::path::PathBuf;

use serde::Serialize;

use super::html;
use super::model::{Cell, Column, Table};
use crate::graph::{Chain, Node, RootWhy, StepVia};
use crate::options::Format;
use crate::units::human;

/// One symbol asked about and the chains that keep it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WhyMatch {
    #[serde(flatten)]
    pub node: Node,
    /// The bytes that would go with it: its own and those only it keeps.
    pub retained_bytes: u64,
    pub chains: Vec<Chain>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WhyReport {
    pub schema_version: u32,
    pub file: PathBuf,
    pub pattern: String,
    /// `--crate`: the pattern is a crate, its symbols the roots reach
    /// first are shown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_crate: bool,
    /// With `--crate`: the dependency path from the project to the crate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crate_path: Option<Vec<String>>,
    /// How many symbols matched (the largest retainers are shown).
    pub matched: usize,
    pub matches: Vec<WhyMatch>,
    pub notes: Vec<String>,
}

fn via(v: Option<StepVia>, root: RootWhy) -> &'static str {
    match v {
        None => match root {
            RootWhy::Entry => "entry point",
            RootWhy::Unreferenced => "root: kept by the linker",
            RootWhy::KeptByLinker => "root: kept with its cycle",
            RootWhy::Exported => "root: exported",
            RootWhy::Module => "root: read by the host",
        },
        Some(StepVia::Call) => "called by the line above",
        Some(StepVia::Address) => "address taken above",
        Some(StepVia::Data) => "pointed to by the data above",
        Some(StepVia::FunctionPointer) => "function pointer in the data above",
    }
}

fn chain_table(m: &WhyMatch, i: usize, c: &Chain) -> Table {
    let mut t = Table::new(vec![
        Column::left("Step", 0),
        Column::left("How", 2),
        Column::left("Crate", 1),
        Column::left("Section", 3),
        Column::right("Size", 4),
    ])
    .titled(format!(
        "{} ({}, {} B, retains {}): chain {}",
        m.node.name,
        m.node.crate_name,
        m.node.bytes,
        human(m.retained_bytes),
        i + 1
    ));
    for s in &c.steps {
        let how = match &s.relocation {
            Some(r) => format!("{} ({r})", via(s.via, c.root)),
            None => via(s.via, c.root).to_string(),
        };
        t.push(vec![
            Cell::text(s.name.clone()),
            Cell::text(how),
            Cell::text(s.crate_name.clone()),
            Cell::text(s.section.clone()),
            Cell::number(human(s.size_bytes), s.size_bytes as f64),
        ]);
    }
    t
}

fn tables(r: &WhyReport) -> Vec<Table> {
    r.matches
        .iter()
        .flat_map(|m| {
            m.chains
                .iter()
                .enumerate()
                .map(move |(i, c)| chain_table(m, i, c))
        })
        .collect()
}

fn lines(r: &WhyReport) -> Vec<String> {
    let mut out = r.notes.clone();
    if let Some(p) = &r.crate_path {
        out.push(format!("dependency path: {}", p.join(" → ")));
    }
    if r.matched > r.matches.len() {
        let which = if r.by_crate {
            "the roots reach first"
        } else {
            "retain most"
        };
        out.push(format!(
            "{} symbols match `{}`: the {} that {which} are shown (-n N for more)",
            r.matched,
            r.pattern,
            r.matches.len()
        ));
    }
    out.push("retains: the bytes that would go with it, its own and those nothing else keeps (dominator tree of the references)".into());
    out
}

/// A row per step of every chain.
fn csv(r: &WhyReport) -> anyhow::Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "symbol",
        "chain",
        "step",
        "name",
        "crate",
        "section",
        "size_bytes",
        "via",
        "relocation",
        "place",
    ])?;
    for m in &r.matches {
        for (i, c) in m.chains.iter().enumerate() {
            for (k, s) in c.steps.iter().enumerate() {
                let via = s
                    .via
                    .map(|v| format!("{v:?}").to_lowercase())
                    .unwrap_or_else(|| format!("{:?}", c.root).to_lowercase());
                w.write_record([
                    m.node.name.clone(),
                    (i + 1).to_string(),
                    (k + 1).to_string(),
                    s.name.clone(),
                    s.crate_name.clone(),
                    s.section.clone(),
                    s.size_bytes.to_string(),
                    via,
                    s.relocation.clone().unwrap_or_default(),
                    s.place.map(|p| format!("{p:#x}")).unwrap_or_default(),
                ])?;
            }
        }
    }
    Ok(w.into_inner()?)
}

impl super::document::Document for WhyReport {
    fn json(&self) -> anyhow::Result<Vec<u8>> {
        super::json::render(self)
    }
    fn csv(&self) -> anyhow::Result<Vec<u8>> {
        csv(self)
    }
    fn html(&self) -> Vec<u8> {
        html::tables_page(&title(self), &tables(self), &lines(self))
    }
    fn markdown(&self) -> String {
        super::document::markdown_sections(&title(self), &tables(self), &lines(self))
    }
    fn terminal(&self, width: Option<usize>) -> String {
        super::document::terminal_sections(&title(self), &tables(self), &lines(self), width)
    }
}

fn title(r: &WhyReport) -> String {
    format!(
        "Why `{}` is in {}",
        r.pattern,
        super::views::shown_path(&r.file)
    )
}

pub fn render_why(r: &WhyReport, format: Format) -> anyhow::Result<Vec<u8>> {
    super::document::render(r, format)
}
