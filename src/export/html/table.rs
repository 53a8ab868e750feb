//! A model table as HTML.

use std::fmt::Write as _;

use super::super::escape::html as esc;
use super::super::model::{Align, Table, Tone};

/// A model table as a sortable HTML table in a scroll container.
pub fn table(t: &Table, id: &str, out: &mut String) {
    let _ = write!(
        out,
        "<div class=scroll><table class=sortable id=\"{}\"><thead><tr>",
        esc(id)
    );
    for c in &t.columns {
        let class = if c.align == Align::Left {
            " class=l"
        } else {
            ""
        };
        let _ = write!(out, "<th{class}>{}</th>", esc(&c.header));
    }
    out.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        out.push_str("<tr>");
        for (cell, col) in r.iter().zip(&t.columns) {
            let mut class = Vec::new();
            if col.align == Align::Left {
                class.push("l");
            }
            match cell.tone {
                Tone::Bad => class.push("bad"),
                Tone::Best => class.push("best"),
                Tone::Plain => {}
            }
            let class = if class.is_empty() {
                String::new()
            } else {
                format!(" class=\"{}\"", class.join(" "))
            };
            let sort = cell
                .sort
                .map(|v| format!(" data-sort=\"{v}\""))
                .unwrap_or_default();
            let _ = write!(out, "<td{class}{sort}>{}</td>", esc(&cell.text));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
}
