//! The verdict, the last thing printed: the smallest configuration, what it
//! saves and how to apply it; then one line each for what does not fit,
//! what failed, what behaves differently, what is over budget.

use super::{objective, smallest};
use crate::report::Report;
use crate::results::ConfigResult;
use crate::units::{exact, human, signed_pct};
use crate::verify::VerifyStatus;

/// The names of the other configurations with the same loaded bytes.
fn same_image<'a>(report: &'a Report, c: &ConfigResult) -> Vec<&'a str> {
    let Some(hash) = c.size.as_ref().map(|s| &s.flash_hash) else {
        return Vec::new();
    };
    report
        .configs
        .iter()
        .filter(|o| o.config.name != c.config.name)
        .filter(|o| o.size.as_ref().map(|s| &s.flash_hash) == Some(hash))
        .map(|o| o.config.name.as_str())
        .collect()
}

/// A shell word (quoted only when needed).
fn word(s: &str) -> String {
    shlex::try_quote(s).map_or_else(|_| s.to_string(), |q| q.into_owned())
}

/// The command that writes `c` into Cargo.toml, as it can be run here.
fn apply_command(report: &Report, c: &ConfigResult) -> String {
    let mut cmd = format!("cargo weigh apply {}", word(&c.config.name));
    let origin = report.matrix.as_ref();
    match origin.map(|m| (m.kind.as_str(), m.name.as_str())) {
        Some(("preset", name)) if name != "standard" => cmd.push_str(&format!(" --preset {name}")),
        Some(("file", path)) => cmd.push_str(&format!(" --matrix-file {}", word(path))),
        _ => {}
    }
    let here = std::env::current_dir().ok();
    if let Some(p) = &report.project {
        let dir = p.manifest_path.parent();
        if dir.is_some() && dir != here.as_deref() {
            let shown = here
                .as_deref()
                .and_then(|h| p.manifest_path.strip_prefix(h).ok())
                .unwrap_or(&p.manifest_path);
            cmd.push_str(&format!(
                " --manifest-path {}",
                word(&shown.display().to_string())
            ));
        }
    }
    cmd
}

/// The configuration the verdict names: optimize's best (which keeps its
/// limits), else the smallest measured.
fn chosen(report: &Report) -> Option<(&ConfigResult, &'static str)> {
    match &report.optimize {
        Some(o) => report
            .configs
            .iter()
            .find(|c| c.config.name == o.best)
            .map(|c| (c, "best")),
        None => smallest(report).map(|c| (c, "smallest")),
    }
}

fn smallest_line(report: &Report) -> Option<String> {
    let (c, label) = chosen(report)?;
    let o = objective(report);
    let what = o.word();
    let measured = report.configs.iter().filter(|c| c.size.is_some()).count();
    if measured == 1 {
        return Some(format!("{}: {what} {}", c.config.name, human(o.of(c)?)));
    }
    let mut names = vec![c.config.name.as_str()];
    names.extend(same_image(report, c));
    // Half a matrix has no verdict to apply: only what it got to.
    let label = if report.complete {
        label
    } else {
        "smallest so far"
    };
    let mut line = format!("{label}: {}, {what} {}", names.join(" = "), human(o.of(c)?));
    let base = report.baseline.as_deref().filter(|b| *b != c.config.name);
    let change = c.derived.delta.as_ref().and_then(|d| o.delta(d).1);
    if let (Some(b), Some(p)) = (base, change) {
        line.push_str(&format!(" ({} vs {b})", signed_pct(p)));
    }
    if let Some(p) = c
        .derived
        .delta
        .as_ref()
        .and_then(|d| d.instructions_change_pct)
        .filter(|_| base.is_some())
    {
        line.push_str(&format!(", {} instructions", signed_pct(p)));
    }
    // optimize says how to apply from its saved report.
    let saved = report.optimize.as_ref().and_then(|o| {
        o.notes
            .iter()
            .find_map(|n| n.strip_prefix("apply it: ").map(String::from))
    });
    let appliable = c.changes != "(profile as is)" && !c.changes.is_empty() && c.log.is_some();
    if appliable && report.complete {
        let command = saved.unwrap_or_else(|| apply_command(report, c));
        line.push_str(&format!(" → {command}"));
    }
    Some(line)
}

fn trouble(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for c in &report.configs {
        for o in &c.overflow {
            let need = match (o.needs_bytes, o.length) {
                (Some(n), Some(l)) => format!(" (needs {}, has {})", human(n), human(l)),
                _ => String::new(),
            };
            out.push(format!(
                "{}: does not fit: {} over by {}{need}",
                c.config.name,
                o.region,
                exact(o.over_bytes)
            ));
        }
        if !c.ok && c.overflow.is_empty() {
            let error = c.error.as_deref().unwrap_or("unknown error");
            let first = error.lines().next().unwrap_or(error);
            let log = c
                .log
                .as_ref()
                .map(|l| format!(" (log: {})", super::shown_path(l)))
                .unwrap_or_default();
            out.push(format!("failed: {}: {first}{log}", c.config.name));
        }
        if let Some(e) = c.checks.runtime.as_ref().and_then(|r| r.error.as_ref()) {
            let first = e.lines().next().unwrap_or(e);
            out.push(format!("not measured: {}: {first}", c.config.name));
        }
        if let Some(v) = c
            .checks
            .verify
            .as_ref()
            .filter(|v| matches!(v.status, VerifyStatus::Different | VerifyStatus::Error))
        {
            out.push(format!(
                "behaves differently: {}: {}",
                c.config.name,
                v.detail.clone().unwrap_or_default()
            ));
        }
    }
    for v in report.budget.iter().flat_map(|b| &b.violations) {
        if !v.contains(": does not fit: ") {
            out.push(format!("over budget: {v}"));
        }
    }
    out
}

/// What a clean gate compared: the configurations and every limit.
fn within_budget(report: &Report) -> Option<String> {
    let b = report.budget.as_ref().filter(|b| b.violations.is_empty())?;
    let mut limits = Vec::new();
    if let Some(f) = b.max_flash {
        limits.push(format!("flash ≤ {}", human(f)));
    }
    if let Some(r) = b.max_ram {
        limits.push(format!("RAM ≤ {}", human(r)));
    }
    for r in &b.max_region {
        limits.push(format!("region {} ≤ {}", r.region, human(r.max_bytes)));
    }
    if let Some(g) = &b.max_growth {
        limits.push(format!("growth ≤ {}", g.describe()));
    }
    if let Some(s) = b.max_stack {
        limits.push(format!("stack ≤ {}", human(s)));
    }
    if let Some(s) = b.max_brotli {
        limits.push(format!("brotli ≤ {}", human(s)));
    }
    if let Some(s) = b.max_gzip {
        limits.push(format!("gzip ≤ {}", human(s)));
    }
    let who = match b.gated.as_slice() {
        [] => String::new(),
        [one] => format!(" ({one})"),
        many => format!(" ({} configurations: {})", many.len(), many.join(", ")),
    };
    Some(format!("within budget{who}: {}", limits.join(", ")))
}

/// The verdict's lines.
pub fn verdict(report: &Report) -> Vec<String> {
    let mut out: Vec<String> = smallest_line(report).into_iter().collect();
    out.extend(trouble(report));
    if smallest(report).is_none() && report.configs.len() > 1 {
        out.push(format!(
            "nothing was measured: all {} configurations failed",
            report.configs.len()
        ));
    }
    out.extend(within_budget(report));
    if !report.complete {
        let built = report.configs.len();
        out.push(format!(
            "incomplete: interrupted after {built} configuration(s); the rest were not built"
        ));
    }
    out
}
