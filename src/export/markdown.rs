//! Tables as GitHub-flavoured Markdown.

use super::escape::{cell, markdown};
use super::model::{Align, Table};

/// A Markdown table (title in bold above it).
pub fn render(t: &Table) -> String {
    let mut out = String::new();
    if let Some(title) = &t.title {
        out.push_str(&format!("**{}**\n\n", markdown(title)));
    }
    let headers: Vec<String> = t.columns.iter().map(|c| markdown(&c.header)).collect();
    out.push_str(&format!("| {} |\n|", headers.join(" | ")));
    for c in &t.columns {
        out.push_str(match c.align {
            Align::Left => ":--|",
            Align::Right => "--:|",
        });
    }
    out.push('\n');
    for r in &t.rows {
        let cells: Vec<String> = r.iter().map(|c| markdown(&cell(&c.text))).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}
