//! Where the bytes go: sections, crates and symbols of one binary.

use super::super::model::{Cell, Column, Table};
use crate::attribute::{Attribution, Origin};
use crate::units::human;

fn size(v: u64) -> Cell {
    Cell::number(human(v), v as f64)
}

pub fn sections(a: &Attribution) -> Table {
    let mut t = Table::new(vec![
        Column::left("Section", 0),
        Column::left("Kind", 3),
        Column::right("Size", 0),
        Column::right("Attributed", 2),
        Column::right("Unattributed", 1),
    ]);
    for s in &a.sections {
        t.push(vec![
            Cell::text(s.name.clone()),
            Cell::text(s.kind.as_str()),
            size(s.size),
            size(s.attributed),
            size(s.unattributed),
        ]);
    }
    t
}

pub fn crates(a: &Attribution) -> Table {
    let flash: u64 = a
        .crates
        .iter()
        .fold(0u64, |t, c| t.saturating_add(c.flash()));
    let mut t = Table::new(vec![
        Column::left("Crate", 0),
        Column::right("text", 2),
        Column::right("rodata", 3),
        Column::right("data", 4),
        Column::right("bss", 5),
        Column::right(&capitalised(&a.total_word), 0),
        Column::right(&format!("% of {}", a.total_word), 1),
    ]);
    for c in &a.crates {
        let pct = if flash > 0 {
            c.flash() as f64 * 100.0 / flash as f64
        } else {
            0.0
        };
        t.push(vec![
            Cell::text(format!("{}{}", c.name, if c.heuristic { " ~" } else { "" })),
            size(c.text),
            size(c.rodata),
            size(c.data),
            size(c.bss),
            size(c.flash()),
            Cell::number(format!("{pct:.1} %"), pct),
        ]);
    }
    t
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub fn symbols(a: &Attribution) -> Table {
    let retained = a.symbols.iter().any(|s| s.retained_bytes.is_some());
    let mut columns = vec![Column::right("Bytes", 0)];
    if retained {
        columns.push(Column::right("Retains", 0));
    }
    columns.extend([
        Column::left("Section", 2),
        Column::left("Crate", 1),
        Column::left("Symbol", 0),
    ]);
    let mut t = Table::new(columns);
    for s in &a.symbols {
        let guessed = if s.origin == Origin::Heuristic {
            " ~"
        } else {
            ""
        };
        let mut row = vec![size(s.bytes)];
        if retained {
            row.push(s.retained_bytes.map_or_else(|| Cell::text("-"), size));
        }
        row.extend([
            Cell::text(s.section.clone()),
            Cell::text(format!("{}{guessed}", s.crate_name)),
            Cell::text(s.name.clone()),
        ]);
        t.push(row);
    }
    t
}

pub fn notes(a: &Attribution) -> Vec<String> {
    let how = if a.code_source == "dwarf" {
        "the DWARF line table (exact under inlining)"
    } else {
        "symbols"
    };
    let mut n = vec![format!(
        "code attributed by {how}; `~` marks crates guessed from a demangled path; [unattributed] is padding and unnamed bytes"
    )];
    n.extend(a.notes.iter().cloned());
    n
}
