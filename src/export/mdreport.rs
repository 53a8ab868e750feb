//! A report as Markdown for a pull request: the summary table, the verdict
//! as a list, notes folded away.

use super::escape::markdown;
use super::markdown::render;
use super::views::{ablation, notes, optimize, regions, summary, verdict};
use crate::options::OutputOptions;
use crate::report::Report;
use crate::results::Objective;

pub fn report(report: &Report, out: &OutputOptions) -> String {
    let mut s = String::new();
    if let Some(t) = super::text::title(report) {
        s.push_str(&format!("### cargo weigh: {}\n\n", markdown(&t)));
    }
    s.push_str(&render(&summary::summary(report, out.wide)));
    s.push('\n');
    for line in verdict::verdict(report) {
        s.push_str(&format!("- {}\n", markdown(&line)));
    }
    if let Some(t) = regions::regions(report) {
        s.push('\n');
        s.push_str(&render(&t));
    }
    let firmware = super::views::objective(report) == Objective::Flash;
    let mut more: Vec<String> = optimize::optimize(report);
    more.extend(regions::notes(report));
    more.extend(notes::notes(report, firmware, out.verbose));
    let tables = if out.wide || out.ablation {
        ablation::ablation(report)
    } else {
        Vec::new()
    };
    if !more.is_empty() || !tables.is_empty() {
        s.push_str("\n<details><summary>Notes</summary>\n\n");
        for t in &tables {
            s.push_str(&render(t));
            s.push('\n');
        }
        for n in &more {
            s.push_str(&format!("- {}\n", markdown(n)));
        }
        s.push_str("\n</details>\n");
    }
    s
}
