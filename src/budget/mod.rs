//! Budgets: does each configuration fit, and did it grow against a saved
//! report? A CI gate (`cargo weigh check`, `--max-flash`, `--max-ram`,
//! `--max-growth` with `--baseline-report`).

use serde::{Deserialize, Serialize};

use crate::results::ConfigResult;
pub use crate::units::Growth;
use crate::units::{exact, human};

/// The limits of a run. `None` everywhere means no gate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Budget {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_flash: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ram: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_growth: Option<Growth>,
    /// Where the growth is measured from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_report: Option<String>,
    /// The observed peak stack (`--runtime`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_stack: Option<u64>,
    /// One line per configuration over budget.
    #[serde(default)]
    pub violations: Vec<String>,
}

impl Budget {
    pub fn is_empty(&self) -> bool {
        self.max_flash.is_none()
            && self.max_ram.is_none()
            && self.max_growth.is_none()
            && self.max_stack.is_none()
    }
}

/// A violation's line: the configuration, then what is over.
fn line(name: &str, what: String) -> String {
    format!("{name}: {what}")
}

/// Regions the linker could not fit the program into.
fn overflows(c: &ConfigResult, out: &mut Vec<String>) {
    for o in &c.overflow {
        let need = match (o.needs_bytes, o.length) {
            (Some(n), Some(l)) => {
                format!(" (needs {} of {}, has {})", human(n), o.region, human(l))
            }
            _ => String::new(),
        };
        let what = format!(
            "does not fit: {} over by {}{need}",
            o.region,
            exact(o.over_bytes)
        );
        out.push(line(c.name(), what));
    }
}

/// A size over its limit.
fn over(name: &str, what: &str, size: u64, max: Option<u64>, out: &mut Vec<String>) {
    if let Some(max) = max.filter(|m| size > *m) {
        out.push(line(
            name,
            format!(
                "{what} {} ({}) is over the budget of {} ({}) by {}",
                human(size),
                exact(size),
                human(max),
                exact(max),
                exact(size - max)
            ),
        ));
    }
}

/// The observed stack: over its limit, or with the static data over the
/// RAM region that holds both.
fn stack(c: &ConfigResult, budget: &Budget, out: &mut Vec<String>) {
    let Some(peak) = c.runtime.as_ref().and_then(|r| r.stack_bytes) else {
        // A limit nobody could check is not a pass.
        if budget.max_stack.is_some() && c.error.is_none() {
            let why = match &c.runtime {
                Some(r) if r.error.is_some() => "its run was not measured",
                Some(_) => "peak stack is measured for firmware under QEMU only",
                None => "it was not run",
            };
            out.push(line(c.name(), format!("--max-stack not checked: {why}")));
        }
        return;
    };
    over(c.name(), "peak stack", peak, budget.max_stack, out);
    if let Some((r, _)) = c.ram_headroom().filter(|(_, left)| *left < 0) {
        out.push(line(
            c.name(),
            format!(
                "does not fit: {} static data {} + peak stack {} = {}, over its {} by {}",
                r.name,
                human(r.used_bytes),
                human(peak),
                human(r.used_bytes + peak),
                human(r.length),
                exact(r.used_bytes + peak - r.length)
            ),
        ));
    }
}

/// Check every configuration; one line per violation. `baseline` holds
/// the rows of the saved report growth is measured from.
pub fn check(
    rows: &[ConfigResult],
    budget: &Budget,
    baseline: Option<&[ConfigResult]>,
) -> Vec<String> {
    let mut out = Vec::new();
    for c in rows {
        overflows(c, &mut out);
        let Some(s) = &c.size else { continue };
        over(c.name(), "flash", s.flash_bytes, budget.max_flash, &mut out);
        over(c.name(), "RAM", s.ram_bytes, budget.max_ram, &mut out);
        stack(c, budget, &mut out);
        let old = baseline
            .and_then(|b| b.iter().find(|o| o.name() == c.name()))
            .and_then(|o| o.size.as_ref());
        if let (Some(limit), Some(old)) = (budget.max_growth, old) {
            if let Some((grew, pct)) = limit.exceeded(old.flash_bytes, s.flash_bytes) {
                out.push(line(
                    c.name(),
                    format!(
                        "flash grew by {grew} B ({pct:+.2}%) from {} to {}, more than the allowed {}",
                        old.flash_bytes,
                        s.flash_bytes,
                        limit.describe()
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_parses() {
        assert_eq!(Growth::parse("2%"), Ok(Growth::Percent(2.0)));
        assert_eq!(Growth::parse("1.5 %"), Ok(Growth::Percent(1.5)));
        assert_eq!(Growth::parse("1K"), Ok(Growth::Bytes(1024)));
        assert!(Growth::parse("-3%").is_err());
        assert!(Growth::parse("lots").unwrap_err().contains("lots"));
    }
}
