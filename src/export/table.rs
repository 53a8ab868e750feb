//! The terminal table.

use comfy_table::{presets::UTF8_FULL_CONDENSED, CellAlignment, ContentArrangement, Table};

use super::{ablation_tables, headers, notes, optional, rows, Exporter, ABLATION_HEADERS, HEADERS};
use crate::report::Report;

pub struct TableExporter;

impl Exporter for TableExporter {
    fn render(&self, report: &Report) -> anyhow::Result<Vec<u8>> {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            // Never squeezed to the terminal: numbers must stay on one line.
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(headers(report));
        let cols = optional(report);
        for r in rows(report) {
            let mut cells = r.cells(cols);
            // Long setting lists wrap instead of widening the table.
            cells[1] = wrap_words(&cells[1], 44);
            t.add_row(cells);
        }
        for i in 2..HEADERS.len() {
            if let Some(col) = t.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        let mut out = String::new();
        let mut after = String::new();
        for (title, rows) in ablation_tables(report) {
            let mut a = Table::new();
            a.load_preset(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(ABLATION_HEADERS);
            for r in rows {
                a.add_row(r);
            }
            for i in 2..5 {
                if let Some(col) = a.column_mut(i) {
                    col.set_cell_alignment(CellAlignment::Right);
                }
            }
            after.push_str(&format!("\n{title}\n{a}\n"));
        }
        if let (Some(p), Some(target)) = (&report.project, &report.target) {
            out.push_str(&format!(
                "{} {} ({}) for {target}\n",
                p.package,
                p.binary,
                report.matrix.as_deref().unwrap_or("")
            ));
        }
        out.push_str(&t.to_string());
        out.push('\n');
        for n in notes(report) {
            out.push_str(&n);
            out.push('\n');
        }
        out.push_str(&after);
        Ok(out.into_bytes())
    }
}

/// Break text at spaces into lines of at most `width` characters.
fn wrap_words(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn wraps_at_spaces() {
        assert_eq!(super::wrap_words("a bb ccc dddd", 6), "a bb\nccc\ndddd");
        assert_eq!(super::wrap_words("short", 44), "short");
    }
}
