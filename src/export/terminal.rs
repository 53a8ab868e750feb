//! Tables for the terminal: narrowed to its width by dropping the least
//! important columns first; numbers never wrap, only the first column may.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Width};

use super::escape::{cell, printable};
use super::model::{Align, Table};

/// The width to fit: `$COLUMNS`, else the terminal's, else none.
pub fn width() -> Option<usize> {
    if let Some(c) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return Some(c);
    }
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size_of(std::io::stdout())
        .map(|(terminal_size::Width(w), _)| usize::from(w))
}

/// Characters a line takes on a terminal (one per char: no wide glyphs here).
fn cols(s: &str) -> usize {
    s.chars().count()
}

/// The width a table takes, each column as wide as its widest cell.
fn natural_width(t: &Table) -> usize {
    let mut total = 1;
    for (i, c) in t.columns.iter().enumerate() {
        let widest = t
            .rows
            .iter()
            .flat_map(|r| r[i].text.lines().map(cols))
            .chain(std::iter::once(cols(&c.header)))
            .max()
            .unwrap_or(0);
        total += widest + 3;
    }
    total
}

/// Drop the least important columns until the table fits `width` (the
/// first column, and those with drop order 0, stay).
pub fn fit(t: Table, width: usize) -> Table {
    fit_saying(t, width).0
}

/// `fit`, with the headers of the columns it dropped, in table order.
pub fn fit_saying(mut t: Table, width: usize) -> (Table, Vec<String>) {
    let all: Vec<String> = t.columns.iter().map(|c| c.header.clone()).collect();
    while natural_width(&t) > width {
        let drop = t
            .columns
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, c)| c.drop_order > 0)
            .max_by_key(|(i, c)| (c.drop_order, *i))
            .map(|(i, _)| i);
        match drop {
            Some(i) => t = t.without(i),
            None => break,
        }
    }
    let kept: Vec<&String> = t.columns.iter().map(|c| &c.header).collect();
    let dropped = all.into_iter().filter(|h| !kept.contains(&h)).collect();
    (t, dropped)
}

/// The table fitted to `width`, and a line naming the columns that did
/// not fit (the legend may explain them: they are only hidden).
pub fn render_saying_hidden(t: &Table, width: Option<usize>) -> String {
    let Some(w) = width else {
        return render(t, None);
    };
    let (fitted, dropped) = fit_saying(t.clone(), w);
    let mut s = render(&fitted, Some(w));
    if !dropped.is_empty() {
        let n = dropped.len();
        let what = if n == 1 { "column" } else { "columns" };
        s.push_str(&wrap(
            &format!(
                "{n} {what} hidden at {w} columns ({}): --wide shows them",
                dropped.join(", ")
            ),
            width,
            "  ",
        ));
    }
    s
}

/// Render a table (fitted to `width` when given).
pub fn render(t: &Table, width: Option<usize>) -> String {
    let t = match width {
        Some(w) => fit(t.clone(), w),
        None => t.clone(),
    };
    let mut out = comfy_table::Table::new();
    out.load_preset(UTF8_FULL_CONDENSED)
        .set_header(t.columns.iter().map(|c| c.header.clone()));
    for r in &t.rows {
        out.add_row(
            r.iter()
                .map(|c| printable(&cell(&c.text)).replace('\u{fffd}', "?")),
        );
    }
    match width {
        Some(w) => {
            out.set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(w.min(u16::MAX as usize) as u16);
        }
        None => {
            out.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    for (i, c) in t.columns.iter().enumerate() {
        if let Some(col) = out.column_mut(i) {
            if c.align == Align::Right {
                col.set_cell_alignment(CellAlignment::Right);
            }
            // Numbers stay on one line; the first column may wrap.
            if i > 0 {
                col.set_constraint(ColumnConstraint::Absolute(Width::Fixed(
                    (t.rows
                        .iter()
                        .map(|r| cols(&r[i].text))
                        .chain(std::iter::once(cols(&c.header)))
                        .max()
                        .unwrap_or(0)
                        + 2) as u16,
                )));
            }
        }
    }
    let mut s = String::new();
    if let Some(title) = &t.title {
        s.push_str(&wrap(title, width, ""));
    }
    s.push_str(&out.to_string());
    s.push('\n');
    s
}

/// Text broken at spaces into lines of at most `width` columns, later
/// lines indented; one line per `\n` of the text; unchanged without a width.
pub fn wrap(text: &str, width: Option<usize>, indent: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let Some(w) = width else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let mut current = String::new();
        for word in line.split(' ') {
            let room = w.saturating_sub(cols(&current));
            if !current.trim().is_empty() && cols(word) + 1 > room {
                out.push_str(current.trim_end());
                out.push('\n');
                current = indent.to_string();
            } else if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push_str(current.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::model::{Cell, Column, Table};
    use super::*;

    fn table() -> Table {
        let mut t = Table::new(vec![
            Column::left("Configuration", 0),
            Column::right("Flash", 0),
            Column::right("Stripped", 4),
            Column::right("Build", 2),
        ]);
        t.push(vec![
            Cell::text("opt-level=z lto=fat codegen-units=1"),
            Cell::text("1.78 KiB"),
            Cell::text("66.23 KiB"),
            Cell::text("30.6 s"),
        ]);
        t
    }

    #[test]
    fn narrow_terminals_drop_the_least_important_first() {
        let wide = render(&table(), Some(200));
        assert!(wide.contains("Stripped") && wide.contains("Build"));
        let narrow = render(&table(), Some(60));
        assert!(!narrow.contains("Stripped"), "{narrow}");
        assert!(
            narrow.contains("Build") && narrow.contains("1.78 KiB"),
            "{narrow}"
        );
        for line in render(&table(), Some(40)).lines() {
            assert!(cols(line) <= 40, "{line:?}");
        }
    }

    #[test]
    fn wraps_at_spaces_with_an_indent() {
        assert_eq!(
            wrap("a bb ccc dddd", Some(6), "  "),
            "a bb\n  ccc\n  dddd\n"
        );
        assert_eq!(wrap("short", None, ""), "short\n");
    }
}
