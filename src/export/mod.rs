//! From a report (or an attribution, or a diff) to bytes: views build one
//! table model (`model`), one writer per format renders it.

mod bisect;
mod compare;
mod csv;
mod document;
mod escape;
mod history;
mod html;
mod json;
mod markdown;
mod mdreport;
mod model;
#[cfg(feature = "schema")]
mod schema;
mod terminal;
mod text;
mod top;
mod views;
mod why;

pub use bisect::Bisected;
pub use compare::render_diff;
pub use document::{render as render_document, Document};
pub use escape::html as html_escape;
pub use history::render_history;
pub use json::render as render_json;
#[cfg(feature = "schema")]
pub use schema::schemas;
pub use top::render_attribution;
pub use why::{render_why, WhyMatch, WhyReport};

use crate::options::{Format, OutputOptions};
use crate::report::Report;

/// A run report with what the user asked to see of it.
struct ReportDoc<'a> {
    report: &'a Report,
    out: &'a OutputOptions,
}

impl Document for ReportDoc<'_> {
    fn json(&self) -> anyhow::Result<Vec<u8>> {
        json::render(self.report)
    }
    fn csv(&self) -> anyhow::Result<Vec<u8>> {
        csv::render(self.report)
    }
    fn html(&self) -> Vec<u8> {
        html::page(self.report)
    }
    fn markdown(&self) -> String {
        mdreport::report(self.report, self.out)
    }
    fn terminal(&self, width: Option<usize>) -> String {
        text::report(self.report, self.out, width)
    }
}

/// The report in the format asked for.
pub fn render(report: &Report, out: &OutputOptions) -> anyhow::Result<Vec<u8>> {
    document::render(&ReportDoc { report, out }, out.format)
}

/// The terminal text of a report at a given width (for tests and the README).
pub fn render_text(report: &Report, out: &OutputOptions, width: Option<usize>) -> String {
    text::report(report, out, width)
}

/// Whether a person sees the table with its verdict on the terminal (then
/// the reasons a run is not clean are in it, not repeated on stderr).
pub fn shows_verdict(out: &OutputOptions) -> bool {
    use std::io::IsTerminal;
    out.format == Format::Table && out.output.is_none() && std::io::stdout().is_terminal()
}

#[cfg(test)]
mod tests;
