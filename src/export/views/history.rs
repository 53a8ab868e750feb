//! A history as tables: one row per commit with each configuration's size
//! and its change from the commit before, and a sparkline per configuration.

use super::super::model::{Cell, Column, Table, Tone};
use crate::history::{short, History};
use crate::units::{human, signed_human};

/// One row per commit: each configuration's size and its change from the
/// last commit where it was measured.
pub fn trend(h: &History) -> Table {
    let metric = h.metric();
    let names = h.config_names();
    let mut cols = vec![Column::left("Commit", 0), Column::left("Date", 6)];
    for (i, n) in names.iter().enumerate() {
        cols.push(Column::right(n, (2 * i) as u8));
        cols.push(Column::right("Δ", (2 * i + 1) as u8));
    }
    cols.push(Column::left("Summary", 5));
    let mut t = Table::new(cols);
    let mut last: Vec<Option<u64>> = vec![None; names.len()];
    for p in &h.points {
        let mut row = vec![
            Cell::text(short(&p.commit)),
            Cell::text(p.date.get(..10).unwrap_or(&p.date)),
        ];
        for (i, n) in names.iter().enumerate() {
            let c = p.config(n);
            match c.and_then(|c| metric.of(c)) {
                Some(v) => {
                    row.push(Cell::number(human(v), v as f64));
                    row.push(match last[i] {
                        Some(old) if old != v => {
                            let d = v as i64 - old as i64;
                            Cell::number(signed_human(d), d as f64)
                        }
                        Some(_) => Cell::number("±0", 0.0),
                        None => Cell::text(""),
                    });
                    last[i] = Some(v);
                }
                None => {
                    let why = if p.error.is_some() || c.is_some_and(|c| !c.ok) {
                        "FAILED"
                    } else {
                        "-"
                    };
                    row.push(Cell::text(why).tone(Tone::Bad));
                    row.push(Cell::text(""));
                }
            }
        }
        let summary = match (&p.error, p.configs.iter().find_map(|c| c.error.as_ref())) {
            (Some(e), _) | (None, Some(e)) => format!("{} ({})", p.summary, first_line(e)),
            _ if p.from_records => format!("{} (record)", p.summary),
            _ => p.summary.clone(),
        };
        row.push(Cell::text(summary));
        t.push(row);
    }
    t
}

fn first_line(s: &str) -> &str {
    s.lines().find(|l| !l.trim().is_empty()).unwrap_or(s).trim()
}

/// `release flash ▁▁▂█ 8.08 KiB → 12.1 KiB (+4.00 KiB)` per configuration.
pub fn sparklines(h: &History) -> Vec<String> {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let metric = h.metric();
    let mut out = Vec::new();
    for n in h.config_names() {
        let vals: Vec<Option<u64>> = h
            .points
            .iter()
            .map(|p| p.config(&n).and_then(|c| metric.of(c)))
            .collect();
        let known: Vec<u64> = vals.iter().flatten().copied().collect();
        let (Some(lo), Some(hi)) = (known.iter().min(), known.iter().max()) else {
            continue;
        };
        let line: String = vals
            .iter()
            .map(|v| match v {
                Some(v) if hi > lo => BARS[((v - lo) * 7 / (hi - lo)) as usize],
                Some(_) => BARS[0],
                None => '×',
            })
            .collect();
        let (first, last) = (known[0], known[known.len() - 1]);
        out.push(format!(
            "{n} {}: {line} {} → {} ({})",
            metric.name(),
            human(first),
            human(last),
            signed_human(last as i64 - first as i64)
        ));
    }
    out
}
