//! The one dispatch from a document (a run report, a diff, an attribution,
//! a history, a bisect result, an explanation) to the format asked for.

use super::model::Table;
use super::{escape, markdown, terminal};
use crate::options::Format;

/// What the tool writes, in each format it writes it.
pub trait Document {
    fn json(&self) -> anyhow::Result<Vec<u8>>;
    fn csv(&self) -> anyhow::Result<Vec<u8>>;
    fn html(&self) -> Vec<u8>;
    fn markdown(&self) -> String;
    /// The terminal text at a width (none: unbounded).
    fn terminal(&self, width: Option<usize>) -> String;
}

/// `doc` in `format`; the terminal text fits the terminal's width.
pub fn render(doc: &dyn Document, format: Format) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        Format::Json => doc.json()?,
        Format::Csv => doc.csv()?,
        Format::Html => doc.html(),
        Format::Markdown => doc.markdown().into_bytes(),
        Format::Table => doc.terminal(terminal::width()).into_bytes(),
    })
}

/// A heading, the tables, then the notes as a list.
pub(super) fn markdown_sections(title: &str, tables: &[Table], notes: &[String]) -> String {
    let mut out = format!("### {}\n\n", escape::markdown(title));
    for t in tables {
        out.push_str(&markdown::render(t));
        out.push('\n');
    }
    for n in notes {
        out.push_str(&format!("- {}\n", escape::markdown(n)));
    }
    out
}

/// A first line, the tables, then the notes, each wrapped to `width`.
pub(super) fn terminal_sections(
    head: &str,
    tables: &[Table],
    notes: &[String],
    width: Option<usize>,
) -> String {
    let mut out = terminal::wrap(head, width, "  ");
    for t in tables {
        out.push_str(&terminal::render(t, width));
    }
    for n in notes {
        out.push_str(&terminal::wrap(n, width, "  "));
    }
    out
}
