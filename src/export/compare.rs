//! Rendering a diff: a short Markdown comment for a pull request (one
//! summary of what changed, details folded), a terminal table, JSON, CSV,
//! an HTML page.

use serde::Serialize;

use super::escape::markdown as md;
use super::views::compare::{details, summary, unchanged};
use super::{html, markdown, terminal};
use crate::compare::Diff;
use crate::options::Format;

#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(super) struct JsonOut<'a> {
    schema_version: u32,
    #[serde(flatten)]
    diff: &'a Diff,
}

fn csv(d: &Diff) -> anyhow::Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "config",
        "what",
        "name",
        "before_bytes",
        "after_bytes",
        "delta_bytes",
        "status",
    ])?;
    for c in &d.configs {
        for (what, list) in [
            ("total", &c.totals),
            ("section", &c.sections),
            ("crate", &c.crates),
            ("symbol", &c.symbols),
        ] {
            for x in list {
                w.write_record([
                    c.name.clone(),
                    what.to_string(),
                    x.name.clone(),
                    x.before.map(|v| v.to_string()).unwrap_or_default(),
                    x.after.map(|v| v.to_string()).unwrap_or_default(),
                    x.delta.to_string(),
                    serde_json::to_value(x.status)
                        .ok()
                        .and_then(|s| s.as_str().map(String::from))
                        .unwrap_or_default(),
                ])?;
            }
        }
    }
    Ok(w.into_inner()?)
}

/// Marks the pull-request comment so a bot finds and updates its own.
pub const COMMENT_MARKER: &str = "<!-- cargo-weigh diff -->";

/// The pull-request comment: what changed in a few lines, the rest folded.
fn markdown_comment(d: &Diff, limit: usize) -> String {
    let mut out = format!(
        "{COMMENT_MARKER}\n### cargo weigh diff: {} → {}\n\n",
        md(&d.before),
        md(&d.after)
    );
    let s = summary(d);
    if s.rows.is_empty() {
        out.push_str(&format!(
            "No size change in {} configurations.\n",
            d.configs.len()
        ));
    } else {
        out.push_str(&markdown::render(&s));
        let same = unchanged(d);
        if same > 0 {
            out.push_str(&format!(
                "\nNo size change in {same} other configurations.\n"
            ));
        }
        out.push_str("\n<details><summary>Sections, crates and symbols</summary>\n\n");
        for c in d.configs.iter() {
            let tables = details(c, limit);
            if tables.len() > 1 {
                out.push_str(&format!("**{}**\n\n", md(&c.name)));
                for t in tables.iter().skip(1) {
                    out.push_str(&markdown::render(t));
                    out.push('\n');
                }
            }
        }
        out.push_str("</details>\n");
    }
    for c in &d.chains {
        out.push_str(&format!("- new crate {}\n", md(&c.describe())));
    }
    for n in &d.notes {
        out.push_str(&format!("- {}\n", md(n)));
    }
    out
}

pub(super) fn terminal_text_at(d: &Diff, limit: usize, width: Option<usize>) -> String {
    let mut out = format!("{} → {}\n", d.before, d.after);
    let s = summary(d);
    if s.rows.is_empty() {
        out.push_str(&format!(
            "no size change in {}\n",
            crate::units::plural(d.configs.len() as u64, "configuration")
        ));
    }
    for c in &d.configs {
        let tables = details(c, limit);
        if tables.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{}\n", c.name));
        for t in &tables {
            out.push_str(&terminal::render(t, width));
        }
    }
    for c in &d.chains {
        out.push_str(&terminal::wrap(
            &format!("new crate {}", c.describe()),
            width,
            "  ",
        ));
    }
    for n in &d.notes {
        out.push_str(&terminal::wrap(n, width, "  "));
    }
    out
}

/// A diff with how many crates and symbols to list per configuration.
struct DiffDoc<'a> {
    diff: &'a Diff,
    limit: usize,
}

impl super::document::Document for DiffDoc<'_> {
    fn json(&self) -> anyhow::Result<Vec<u8>> {
        super::json::render(&JsonOut {
            schema_version: crate::report::SCHEMA_VERSION,
            diff: self.diff,
        })
    }
    fn csv(&self) -> anyhow::Result<Vec<u8>> {
        csv(self.diff)
    }
    fn html(&self) -> Vec<u8> {
        html::diff_page(self.diff, self.limit)
    }
    fn markdown(&self) -> String {
        markdown_comment(self.diff, self.limit)
    }
    fn terminal(&self, width: Option<usize>) -> String {
        terminal_text_at(self.diff, self.limit, width)
    }
}

pub fn render_diff(d: &Diff, format: Format, limit: usize) -> anyhow::Result<Vec<u8>> {
    super::document::render(&DiffDoc { diff: d, limit }, format)
}
