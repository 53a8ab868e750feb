//! Budgets: does each configuration fit, and did it grow against a saved
//! report? A CI gate (`cargo weigh check`, `--max-flash`, `--max-ram`,
//! `--max-growth` with `--baseline-report`, `--max-brotli`/`--max-gzip`
//! for WebAssembly).

use serde::{Deserialize, Serialize};

use crate::results::ConfigResult;
pub use crate::units::Growth;
use crate::units::{exact, human};

pub use crate::memory::RegionLimit;

/// The limits of a run. `None` everywhere means no gate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Budget {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_flash: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ram: Option<u64>,
    /// Limits per region (`--max-region`, or every region's length in
    /// `check` without explicit limits).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub max_region: Vec<RegionLimit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_growth: Option<Growth>,
    /// Where the growth is measured from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_report: Option<String>,
    /// The observed peak stack (`--runtime`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_stack: Option<u64>,
    /// WebAssembly: the module's brotli transfer size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_brotli: Option<u64>,
    /// WebAssembly: the module's gzip transfer size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_gzip: Option<u64>,
    /// The configurations gated (empty: every one of the report).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gated: Vec<String>,
    /// One line per configuration over budget.
    #[serde(default)]
    pub violations: Vec<String>,
}

impl Budget {
    pub fn is_empty(&self) -> bool {
        self.max_flash.is_none()
            && self.max_ram.is_none()
            && self.max_region.is_empty()
            && self.max_growth.is_none()
            && self.max_stack.is_none()
            && self.max_brotli.is_none()
            && self.max_gzip.is_none()
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
    let Some(peak) = c.checks.runtime.as_ref().and_then(|r| r.stack_bytes) else {
        // A limit nobody could check is not a pass.
        if budget.max_stack.is_some() && c.error.is_none() {
            let why = match &c.checks.runtime {
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

/// The static bytes of each limited region.
fn regions(c: &ConfigResult, budget: &Budget, out: &mut Vec<String>) {
    for l in &budget.max_region {
        match c.derived.regions.iter().find(|r| r.name == l.region) {
            Some(r) => over(c.name(), &r.name, r.used_bytes, Some(l.max_bytes), out),
            // A limit nobody could check is not a pass.
            None => out.push(line(
                c.name(),
                format!(
                    "--max-region {} not checked: no such region in its memory map",
                    l.region
                ),
            )),
        }
    }
}

/// Why a gate would compare nothing.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    #[error("--max-growth compares nothing: no configuration is in both this run ({ours}) and {report} ({theirs})\n  hint: gate configurations the baseline report has (--only NAME), or save a new baseline report of these")]
    NoCommonConfiguration {
        report: String,
        ours: String,
        theirs: String,
    },
    #[error("--max-region {region}: no region named `{region}` in the memory map ({source_}); its regions: {names}\n  hint: use one of those names (they are case-sensitive, as in the linker script)")]
    UnknownRegion {
        region: String,
        source_: String,
        names: String,
    },
}

/// Growth must compare at least one configuration: `ours` (measured, or
/// about to be) must meet one measured in the saved report.
pub fn growth_comparable(
    ours: &[&str],
    baseline: &[ConfigResult],
    report: &str,
) -> Result<(), BudgetError> {
    let theirs: Vec<&str> = baseline
        .iter()
        .filter(|c| c.size.is_some())
        .map(|c| c.name())
        .collect();
    if ours.iter().any(|n| theirs.contains(n)) {
        return Ok(());
    }
    let list = |v: &[&str]| {
        if v.is_empty() {
            "none measured".to_string()
        } else {
            v.join(", ")
        }
    };
    Err(BudgetError::NoCommonConfiguration {
        report: report.to_string(),
        ours: list(ours),
        theirs: list(&theirs),
    })
}

/// Every `--max-region` names a region of the map.
pub fn regions_known(
    limits: &[RegionLimit],
    map: Option<&crate::memory::MemoryMap>,
) -> Result<(), BudgetError> {
    for l in limits {
        if map.is_some_and(|m| m.regions.iter().any(|r| r.name == l.region)) {
            continue;
        }
        let names: Vec<&str> = map
            .map(|m| m.regions.iter().map(|r| r.name.as_str()).collect())
            .unwrap_or_default();
        return Err(BudgetError::UnknownRegion {
            region: l.region.clone(),
            source_: map.map_or("none found".into(), |m| m.source.clone()),
            names: if names.is_empty() {
                "none".into()
            } else {
                names.join(", ")
            },
        });
    }
    Ok(())
}

/// Check every configuration gated; one line per violation. `baseline`
/// holds the rows of the saved report growth is measured from.
pub fn check(
    rows: &[ConfigResult],
    budget: &Budget,
    baseline: Option<&[ConfigResult]>,
) -> Vec<String> {
    let mut out = Vec::new();
    let gated =
        |c: &&ConfigResult| budget.gated.is_empty() || budget.gated.iter().any(|g| g == c.name());
    for c in rows.iter().filter(gated) {
        overflows(c, &mut out);
        let Some(s) = &c.size else { continue };
        over(c.name(), "flash", s.flash_bytes, budget.max_flash, &mut out);
        over(c.name(), "RAM", s.ram_bytes, budget.max_ram, &mut out);
        regions(c, budget, &mut out);
        stack(c, budget, &mut out);
        if let Some(w) = &s.wasm {
            over(
                c.name(),
                "brotli",
                w.shipped_brotli_bytes(),
                budget.max_brotli,
                &mut out,
            );
            over(
                c.name(),
                "gzip",
                w.shipped_gzip_bytes(),
                budget.max_gzip,
                &mut out,
            );
        }
        let old = baseline
            .and_then(|b| b.iter().find(|o| o.name() == c.name()))
            .and_then(|o| o.size.as_ref());
        if let (Some(limit), Some(old)) = (budget.max_growth, old) {
            // What grows: a module's size on the wire, else flash.
            let (what, was, now) = match (&old.wasm, &s.wasm) {
                (Some(o), Some(n)) => {
                    ("brotli", o.shipped_brotli_bytes(), n.shipped_brotli_bytes())
                }
                _ => ("flash", old.flash_bytes, s.flash_bytes),
            };
            if let Some((grew, pct)) = limit.exceeded(was, now) {
                out.push(line(
                    c.name(),
                    format!(
                        "{what} grew by {grew} B ({pct:+.2}%) from {was} to {now}, more than the allowed {}",
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
