//! The memory regions under the table: per region its kind, its size and
//! what the baseline and the chosen configuration place there, as lld's
//! `--print-memory-usage` counts (static bytes; reservations apart).

use super::super::model::{Cell, Column, Table};
use crate::memory::{RegionKind, RegionUse};
use crate::report::Report;
use crate::results::ConfigResult;
use crate::units::{human, share};

/// The rows whose regions are shown: the baseline, and the configuration
/// the verdict names when it is another one.
fn shown(report: &Report) -> Vec<&ConfigResult> {
    let with_regions = |c: &&ConfigResult| !c.derived.regions.is_empty();
    let base = report
        .configs
        .iter()
        .filter(with_regions)
        .find(|c| Some(&c.config.name) == report.baseline.as_ref())
        .or_else(|| report.configs.iter().find(with_regions));
    let chosen = match &report.optimize {
        Some(o) => report.configs.iter().find(|c| c.config.name == o.best),
        None => super::smallest(report),
    }
    .filter(with_regions);
    let mut out: Vec<&ConfigResult> = base.into_iter().collect();
    if let Some(c) = chosen.filter(|c| out.iter().all(|b| b.config.name != c.config.name)) {
        out.push(c);
    }
    out
}

fn kind(k: RegionKind) -> &'static str {
    match k {
        RegionKind::Flash => "flash",
        RegionKind::Ram => "RAM",
        RegionKind::Unknown => "-",
    }
}

fn used(r: &RegionUse) -> Cell {
    let pct = r
        .used_pct()
        .map(|p| format!(" ({})", share(p)))
        .unwrap_or_default();
    Cell::number(format!("{}{pct}", human(r.used_bytes)), r.used_bytes as f64)
}

/// One row per region, one column per shown configuration; `None`
/// without a memory map.
pub fn regions(report: &Report) -> Option<Table> {
    let rows = shown(report);
    let first = rows.first()?;
    let mut columns = vec![
        Column::left("Region", 0),
        Column::left("Kind", 3),
        Column::right("Size", 1),
    ];
    for c in &rows {
        columns.push(Column::right(&format!("{} used", c.config.name), 2));
    }
    let mut t = Table::new(columns).titled("Memory regions");
    for (i, r) in first.derived.regions.iter().enumerate() {
        let mut row = vec![
            Cell::text(r.name.clone()),
            Cell::text(kind(r.kind)),
            Cell::number(human(r.length), r.length as f64),
        ];
        for c in &rows {
            row.push(
                c.derived
                    .regions
                    .get(i)
                    .map_or_else(|| Cell::text("-"), used),
            );
        }
        t.push(row);
    }
    Some(t)
}

/// What the used figures leave out: the reservations of the first shown
/// row, named, and why a total is missing.
pub fn notes(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let rows = shown(report);
    if let Some(first) = rows.first() {
        let reserved: Vec<String> = first
            .derived
            .regions
            .iter()
            .filter(|r| r.reserved_bytes > 0)
            .map(|r| format!("{} {}", r.name, human(r.reserved_bytes)))
            .collect();
        let mut line = "used: from the region's start to the end of its last static byte, as the linker counts".to_string();
        if !reserved.is_empty() {
            line.push_str(&format!(
                "; reserved after that (stack, heap) in {}: {}",
                first.config.name,
                reserved.join(", ")
            ));
        }
        out.push(line);
    }
    if let Some(n) = report.memory.as_ref().and_then(|m| m.note.as_ref()) {
        out.push(n.clone());
    }
    out
}
