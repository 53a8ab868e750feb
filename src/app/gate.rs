//! The exit status a report calls for, and the lines that say why on
//! stderr: failures, budget violations, behaviour that differs.

use std::process::ExitCode;

use crate::report::Report;

/// Choose the exit status: 130 when interrupted, 1 when a configuration
/// failed, is over budget, behaves differently or could not be measured
/// at run time, else 0. With `say`, the
/// reasons go to stderr (when the table with its verdict is not what the
/// person sees).
pub fn gate(report: &Report, say: bool) -> ExitCode {
    if say {
        reasons(report);
    }
    if !report.complete {
        ExitCode::from(130)
    } else if report.any_failed()
        || report.over_budget()
        || !report.misbehaving().is_empty()
        || !report.unmeasured().is_empty()
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One line per failure, violation and difference, on stderr.
fn reasons(report: &Report) {
    let violations: Vec<&String> = report.budget.iter().flat_map(|b| &b.violations).collect();
    // A program that does not fit is said once: as over budget when a
    // budget counts it, else as failed.
    let said_as_over = |c: &&crate::results::ConfigResult| {
        !c.overflow.is_empty()
            && violations
                .iter()
                .any(|v| v.starts_with(&format!("{}: does not fit: ", c.config.name)))
    };
    for c in report
        .configs
        .iter()
        .filter(|c| !c.ok)
        .filter(|c| !said_as_over(c))
    {
        let error = c.error.as_deref().unwrap_or("unknown error");
        let log = c
            .log
            .as_ref()
            .map(|l| format!(" (log: {})", l.display()))
            .unwrap_or_default();
        eprintln!("FAILED {}: {error}{log}", c.config.name);
    }
    for v in report.budget.iter().flat_map(|b| &b.violations) {
        eprintln!("over budget: {v}");
    }
    for c in report.unmeasured() {
        let e = c
            .checks
            .runtime
            .as_ref()
            .and_then(|r| r.error.as_deref())
            .unwrap_or("");
        eprintln!("not measured: {}: {e}", c.config.name);
    }
    for c in report.misbehaving() {
        let detail = c
            .checks
            .verify
            .as_ref()
            .and_then(|v| v.detail.clone())
            .unwrap_or_default();
        eprintln!("behaves differently: {}: {detail}", c.config.name);
    }
}
