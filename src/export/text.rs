//! A report for the terminal: a title, the table that fits, what optimize
//! did, notes about this run, and the verdict last.

use super::terminal::{render, wrap};
use super::views::{ablation, notes, optimize, regions, summary, verdict};
use crate::options::OutputOptions;
use crate::report::Report;
use crate::results::Objective;

/// `blinky (blinky) for thumbv7em-none-eabihf: 7 configurations, preset seed`.
pub fn title(report: &Report) -> Option<String> {
    let p = report.project.as_ref()?;
    let target = report.target.as_deref().unwrap_or("?");
    let what = if p.binary == p.package {
        p.package.clone()
    } else {
        format!("{} ({})", p.package, p.binary)
    };
    let matrix = report
        .matrix
        .as_ref()
        .map(|m| format!(", {} {}", m.kind, m.name))
        .unwrap_or_default();
    let n = report.configs.len();
    let noun = if n == 1 {
        "configuration"
    } else {
        "configurations"
    };
    Some(format!("{what} for {target}: {n} {noun}{matrix}"))
}

pub fn report(report: &Report, out: &OutputOptions, width: Option<usize>) -> String {
    let mut s = String::new();
    if report.configs.is_empty() && !report.complete {
        return "interrupted before anything was built\n".into();
    }
    if let Some(t) = title(report) {
        s.push_str(&wrap(&t, width, "  "));
    }
    // `--wide` means every column, however wide the terminal.
    let summary = summary::summary(report, out.wide);
    if out.wide {
        s.push_str(&render(&summary, None));
    } else {
        s.push_str(&super::terminal::render_saying_hidden(&summary, width));
    }
    if out.wide || out.verbose || out.ablation {
        for t in ablation::ablation(report) {
            s.push('\n');
            s.push_str(&render(&t, width));
        }
    }
    if let Some(t) = regions::regions(report) {
        s.push('\n');
        s.push_str(&render(&t, width));
    }
    let firmware = super::views::objective(report) == Objective::Flash;
    for line in optimize::optimize(report)
        .iter()
        .chain(&regions::notes(report))
        .chain(&notes::notes(report, firmware, out.verbose))
    {
        s.push_str(&wrap(line, width, "  "));
    }
    for line in verdict::verdict(report) {
        s.push_str(&wrap_verdict(&line, width));
    }
    s
}

/// A verdict line; a command it ends with (`→ cargo weigh apply ...`) goes
/// whole on a line of its own rather than broken, to be copied.
fn wrap_verdict(line: &str, width: Option<usize>) -> String {
    match (line.split_once(" → "), width) {
        (Some((head, command)), Some(w)) if line.chars().count() > w => {
            format!("{}  → {command}\n", wrap(head, width, "  "))
        }
        _ => wrap(line, width, "  "),
    }
}
