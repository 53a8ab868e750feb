//! A GitHub-flavoured Markdown table, for pull-request comments.

use super::{ablation_tables, headers, notes, optional, rows, Exporter, ABLATION_HEADERS};
use crate::report::Report;

pub struct MarkdownExporter;

/// Cell text is data from binaries and users: keep it from breaking the table.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Exporter for MarkdownExporter {
    fn render(&self, report: &Report) -> anyhow::Result<Vec<u8>> {
        let mut out = String::new();
        if let (Some(p), Some(target)) = (&report.project, &report.target) {
            out.push_str(&format!(
                "### cargo weigh: `{}` `{}` for `{target}`\n\n",
                cell(&p.package),
                cell(&p.binary)
            ));
        }
        let headers = headers(report);
        out.push_str(&format!(
            "| {} |
",
            headers.join(" | ")
        ));
        out.push_str("|:--|:--|");
        out.push_str(&"--:|".repeat(headers.len() - 2));
        out.push('\n');
        let cols = optional(report);
        for r in rows(report) {
            let cells: Vec<String> = r.cells(cols).iter().map(|c| cell(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out.push('\n');
        for (title, rows) in ablation_tables(report) {
            out.push_str(&format!("**{}**\n\n", cell(&title)));
            out.push_str(&format!(
                "| {} |\n|:--|:--|--:|--:|--:|:--|\n",
                ABLATION_HEADERS.join(" | ")
            ));
            for r in rows {
                let cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
            out.push('\n');
        }
        for n in notes(report) {
            out.push_str(&format!("- {}\n", cell(&n)));
        }
        Ok(out.into_bytes())
    }
}
