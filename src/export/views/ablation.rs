//! What each setting buys: from the baseline, each single setting; from
//! the smallest, what reverting each of its settings costs.

use super::super::model::{Cell, Column, Table};
use crate::ablation::Effect;
use crate::report::Report;
use crate::units::signed_human;

fn row(e: &Effect, firmware: bool) -> Vec<Cell> {
    let note = if e.identical_flash && firmware {
        "no effect: identical flash image"
    } else if e.identical_flash {
        "no effect: identical loaded bytes"
    } else if e.flash_delta_bytes == 0 {
        "same size, different bytes"
    } else {
        ""
    };
    vec![
        Cell::text(e.setting.clone()),
        Cell::text(e.to.clone()),
        Cell::number(
            signed_human(e.flash_delta_bytes),
            e.flash_delta_bytes as f64,
        ),
        Cell::number(
            signed_human(e.stripped_delta_bytes),
            e.stripped_delta_bytes as f64,
        ),
        e.build_cpu_delta_seconds.map_or_else(
            || Cell::text("-"),
            |b| Cell::number(crate::units::signed_seconds(b), b),
        ),
        Cell::text(note),
    ]
}

/// Flash on firmware; a host binary's allocated bytes are "loaded".
fn table(title: String, effects: &[Effect], firmware: bool) -> Table {
    let mut t = Table::new(vec![
        Column::left("Setting", 0),
        Column::left("Configuration", 3),
        Column::right(if firmware { "Δ Flash" } else { "Δ Loaded" }, 0),
        Column::right("Δ Stripped", 2),
        Column::right("Δ Build CPU", 1),
        Column::left("Note", 4),
    ])
    .titled(title);
    for e in effects {
        t.push(row(e, firmware));
    }
    t
}

/// The ablation tables (none when no two configurations are one setting apart).
pub fn ablation(report: &Report) -> Vec<Table> {
    let Some(a) = &report.ablation else {
        return Vec::new();
    };
    let firmware = super::objective(report) == crate::results::Objective::Flash;
    let mut out = Vec::new();
    if !a.single.is_empty() {
        let base = report.baseline.as_deref().unwrap_or("baseline");
        out.push(table(
            format!("What each setting buys on its own (from {base})"),
            &a.single,
            firmware,
        ));
    }
    if !a.revert.is_empty() {
        out.push(table(
            format!(
                "What reverting each setting of the smallest ({}) costs",
                a.smallest
            ),
            &a.revert,
            firmware,
        ));
    }
    out
}
