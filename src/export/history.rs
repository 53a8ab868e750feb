//! Rendering a history: one row per commit with each configuration's size
//! and its change from the commit before, a sparkline per configuration,
//! CSV of every figure, JSON, and an HTML page with the trend chart.

use super::escape::markdown as md;
use super::views::history::{sparklines, trend};
use super::{html, markdown};
use crate::history::{History, Metric};
use crate::options::Format;

impl super::document::Document for History {
    fn json(&self) -> anyhow::Result<Vec<u8>> {
        super::json::render(self)
    }
    fn csv(&self) -> anyhow::Result<Vec<u8>> {
        csv(self)
    }
    fn html(&self) -> Vec<u8> {
        html::history_page(self)
    }
    fn markdown(&self) -> String {
        let mut out = format!("### cargo weigh history: {}\n\n", md(&title(self)));
        out.push_str(&markdown::render(&trend(self)));
        out.push('\n');
        for l in sparklines(self) {
            out.push_str(&format!("- `{}`\n", md(&l)));
        }
        for n in &self.notes {
            out.push_str(&format!("- {}\n", md(n)));
        }
        out
    }
    fn terminal(&self, width: Option<usize>) -> String {
        let notes: Vec<String> = sparklines(self)
            .into_iter()
            .chain(self.notes.iter().cloned())
            .collect();
        super::document::terminal_sections(&title(self), &[trend(self)], &notes, width)
    }
}

pub fn render_history(h: &History, format: Format) -> anyhow::Result<Vec<u8>> {
    super::document::render(h, format)
}

fn title(h: &History) -> String {
    let shard = h
        .shard
        .as_ref()
        .map(|s| format!(", shard {s}"))
        .unwrap_or_default();
    format!(
        "{} {}: {} commits, {} of each configuration{shard}",
        h.project,
        h.range,
        h.points.len(),
        h.metric().name()
    )
}

fn csv(h: &History) -> anyhow::Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "commit",
        "date",
        "summary",
        "config",
        "ok",
        "flash_bytes",
        "ram_bytes",
        "stripped_bytes",
        "image_bytes",
        "file_bytes",
        "error",
    ])?;
    let opt = |c: Option<&crate::results::ConfigResult>, m: Metric| {
        c.and_then(|c| m.of(c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    for p in &h.points {
        if p.configs.is_empty() {
            let e = p.error.clone().unwrap_or_default();
            w.write_record([
                &p.commit, &p.date, &p.summary, "", "false", "", "", "", "", "", &e,
            ])?;
        }
        for c in &p.configs {
            w.write_record([
                p.commit.clone(),
                p.date.clone(),
                p.summary.clone(),
                c.config.name.clone(),
                c.ok.to_string(),
                opt(Some(c), Metric::Flash),
                opt(Some(c), Metric::Ram),
                opt(Some(c), Metric::Stripped),
                opt(Some(c), Metric::Image),
                opt(Some(c), Metric::File),
                c.error.clone().unwrap_or_default(),
            ])?;
        }
    }
    Ok(w.into_inner()?)
}
