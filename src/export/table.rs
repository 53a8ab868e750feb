//! The terminal table.

use comfy_table::{
    presets::UTF8_FULL_CONDENSED, CellAlignment, ColumnConstraint, ContentArrangement, Table, Width,
};

use super::{headers, notes, optional, rows, Exporter, HEADERS};
use crate::report::Report;

pub struct TableExporter;

impl Exporter for TableExporter {
    fn render(&self, report: &Report) -> anyhow::Result<Vec<u8>> {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(headers(report));
        let cols = optional(report);
        for r in rows(report) {
            t.add_row(r.cells(cols));
        }
        // Long setting lists wrap instead of widening the table.
        if let Some(col) = t.column_mut(1) {
            col.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(44)));
        }
        for i in 2..HEADERS.len() {
            if let Some(col) = t.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        let mut out = String::new();
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
        Ok(out.into_bytes())
    }
}
