//! What `optimize` did: the steps that made it smaller, the Pareto front,
//! why it stopped.

use crate::report::Report;
use crate::units::{human, signed_human};

pub fn optimize(report: &Report) -> Vec<String> {
    let Some(o) = &report.optimize else {
        return Vec::new();
    };
    let mut out: Vec<String> = o
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "step {}: {} → {}: {} → {} ({})",
                i + 1,
                s.axis,
                s.to,
                human(s.before),
                human(s.after),
                signed_human(s.after as i64 - s.before as i64)
            )
        })
        .collect();
    out.push(format!("{} builds", o.builds));
    if !o.pareto.is_empty() {
        out.push(format!(
            "Pareto front (size vs build CPU time): {}",
            o.pareto.join(" | ")
        ));
    }
    // The apply command ends the verdict.
    out.extend(
        o.notes
            .iter()
            .filter(|n| !n.starts_with("apply it: "))
            .map(|n| format!("optimize: {n}")),
    );
    out
}
