//! Tables of what the reference graph says (`top --retained`,
//! `--generics`): what formatting and panics retain and who calls them,
//! and the copies of generic functions.

use super::super::model::{Cell, Column, Table};
use crate::graph::References;
use crate::units::human;

fn bytes(v: u64) -> Cell {
    Cell::number(human(v), v as f64)
}

/// Formatting, panics, and both: their own bytes and what they retain;
/// then the call sites into them a developer can change.
pub fn panic_and_fmt(r: &References) -> Vec<Table> {
    if r.panic_and_fmt.is_empty() {
        return Vec::new();
    }
    let mut t = Table::new(vec![
        Column::left("Group", 0),
        Column::right("Symbols", 2),
        Column::right("Own", 1),
        Column::right("Retains", 0),
    ])
    .titled("What formatting and panics cost (Retains: what removing every reference into them would save)");
    for g in &r.panic_and_fmt {
        t.push(vec![
            Cell::text(g.group.clone()),
            Cell::number(g.symbols.to_string(), g.symbols as f64),
            bytes(g.own_bytes),
            bytes(g.retained_bytes),
        ]);
    }
    if let Some(m) = &r.panic_measured {
        // Built and measured: core from source with and without it.
        t.push(vec![
            Cell::text("built with panic = \"immediate-abort\" (measured)"),
            Cell::text("-"),
            Cell::text("-"),
            Cell::number(
                crate::units::signed_human(-m.saved_bytes),
                -m.saved_bytes as f64,
            ),
        ]);
    }
    let mut sites = Table::new(vec![
        Column::right("References", 0),
        Column::left("Crate", 1),
        Column::left("Calls formatting or panics", 0),
    ])
    .titled("Where formatting and panics are called from");
    for c in r
        .panic_and_fmt
        .last()
        .map_or(&[][..], |g| &g.call_sites[..])
    {
        sites.push(vec![
            Cell::number(c.references.to_string(), c.references as f64),
            Cell::text(c.crate_name.clone()),
            Cell::text(c.name.clone()),
        ]);
    }
    vec![t, sites]
}

/// One row per generic with copies: how many, their bytes, the largest,
/// and the crates whose code made them.
pub fn generics(r: &References) -> Option<Table> {
    if r.generics.is_empty() {
        return None;
    }
    let mut t = Table::new(vec![
        Column::right("Bytes", 0),
        Column::right("Copies", 0),
        Column::left("Generic", 0),
        Column::left("Largest copy", 3),
        Column::left("Made for", 1),
    ])
    .titled("Copies of generic functions (monomorphised), the most bytes first");
    for g in &r.generics {
        let largest = g
            .largest
            .first()
            .map(|c| format!("{} B", c.size_bytes))
            .unwrap_or_default();
        let made: Vec<String> = g
            .caused_by
            .iter()
            .map(|c| format!("{} ×{}", c.crate_name, c.copies))
            .collect();
        t.push(vec![
            bytes(g.total_bytes),
            Cell::number(g.copies.to_string(), g.copies as f64),
            Cell::text(g.generic.clone()),
            Cell::text(largest),
            Cell::text(made.join(", ")),
        ]);
    }
    Some(t)
}
