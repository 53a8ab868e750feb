//! A diff as tables: the summary a pull request needs (changed
//! configurations only), and per configuration its sections, crates and
//! symbols.

use super::super::model::{Cell, Column, Table};
use crate::compare::{Change, ConfigDiff, Diff, Status};
use crate::units::{human, signed_human, signed_pct};

fn opt(v: Option<u64>) -> Cell {
    v.map_or_else(|| Cell::text("-"), |v| Cell::number(human(v), v as f64))
}

fn pct(c: &Change) -> Cell {
    match c.before {
        Some(b) if b > 0 => {
            let p = c.delta as f64 * 100.0 / b as f64;
            Cell::number(signed_pct(p), p)
        }
        _ => Cell::text("-"),
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

/// The figure a configuration is judged by: a module's brotli size; else
/// flash when it changed, else the stripped file.
pub fn headline(c: &ConfigDiff) -> Option<&Change> {
    let find = |n: &str| c.totals.iter().find(|t| t.name == n);
    if let Some(brotli) = find("brotli") {
        return Some(brotli);
    }
    find("flash")
        .filter(|f| f.delta != 0 || find("stripped").is_none_or(|s| s.delta == 0))
        .or_else(|| find("stripped"))
}

/// Changed configurations only: configuration, before → after, Δ, %.
pub fn summary(d: &Diff) -> Table {
    let mut t = Table::new(vec![
        Column::left("Configuration", 0),
        Column::left("Figure", 3),
        Column::right("Before", 2),
        Column::right("After", 0),
        Column::right("Δ", 0),
        Column::right("%", 1),
    ]);
    for c in d
        .configs
        .iter()
        .filter(|c| c.totals.iter().any(|t| t.delta != 0))
    {
        let Some(h) = headline(c) else { continue };
        t.push(vec![
            Cell::text(c.name.clone()),
            Cell::text(h.name.clone()),
            opt(h.before),
            opt(h.after),
            Cell::number(signed_human(h.delta), h.delta as f64),
            pct(h),
        ]);
    }
    t
}

/// Configurations with no size change at all.
pub fn unchanged(d: &Diff) -> usize {
    d.configs
        .iter()
        .filter(|c| c.totals.iter().all(|t| t.delta == 0))
        .count()
}

/// Changes of one kind (totals, sections, crates, symbols) of a configuration.
pub fn changes(first: &str, list: &[Change], limit: usize) -> Table {
    let mut t = Table::new(vec![
        Column::left(first, 0),
        Column::right("Before", 2),
        Column::right("After", 1),
        Column::right("Change", 0),
        Column::right("%", 3),
        Column::left("", 4),
    ]);
    for c in list.iter().take(limit) {
        t.push(vec![
            Cell::text(c.name.clone()),
            opt(c.before),
            opt(c.after),
            Cell::number(signed_human(c.delta), c.delta as f64),
            pct(c),
            Cell::text(status(c.status)),
        ]);
    }
    t
}

/// The detail tables of one configuration (kinds that changed).
pub fn details(c: &ConfigDiff, limit: usize) -> Vec<Table> {
    [
        ("Total", &c.totals, usize::MAX),
        ("Section", &c.sections, limit),
        ("Crate", &c.crates, limit),
        ("Symbol", &c.symbols, limit),
    ]
    .into_iter()
    .filter(|(_, list, _)| {
        list.iter()
            .any(|x| x.delta != 0 || x.status != Status::Same)
    })
    .map(|(first, list, lim)| changes(first, list, lim))
    .collect()
}
