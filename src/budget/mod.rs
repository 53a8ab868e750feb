//! Budgets: does each configuration fit, and did it grow against a saved
//! report? A CI gate (`cargo weigh check`, `--max-flash`, `--max-ram`,
//! `--max-growth` with `--baseline-report`).

use serde::{Deserialize, Serialize};

use crate::memory::parse_size;
use crate::report::{Report, SCHEMA_VERSION};

/// Allowed growth of flash against a saved report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Growth {
    Bytes(u64),
    Percent(f64),
}

impl Growth {
    /// `2%`, `1.5%`, `512`, `1K`.
    pub fn parse(s: &str) -> Result<Growth, String> {
        let t = s.trim();
        if let Some(p) = t.strip_suffix('%') {
            return p
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map(Growth::Percent)
                .ok_or_else(|| format!("invalid growth `{s}`: expected a percentage like 2% or a size like 512 or 1K"));
        }
        parse_size(t).map(Growth::Bytes).map_err(|_| {
            format!("invalid growth `{s}`: expected a percentage like 2% or a size like 512 or 1K")
        })
    }

    fn describe(&self) -> String {
        match self {
            Growth::Bytes(b) => format!("{b} B"),
            Growth::Percent(p) => format!("{p}%"),
        }
    }
}

/// The limits of a run. `None` everywhere means no gate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// One line per configuration over budget.
    #[serde(default)]
    pub violations: Vec<String>,
}

impl Budget {
    pub fn is_empty(&self) -> bool {
        self.max_flash.is_none() && self.max_ram.is_none() && self.max_growth.is_none()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    #[error("cannot read baseline report `{path}`: {source}\n  hint: save one with `cargo weigh --format json --output {path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not a cargo-weigh JSON report: {detail}\n  hint: save one with `cargo weigh --format json --output FILE`")]
    Parse { path: String, detail: String },
    #[error("`{path}` has schema_version {found}, this cargo-weigh reads {SCHEMA_VERSION}\n  hint: regenerate the baseline report with this version")]
    Schema { path: String, found: u64 },
}

/// Read a saved JSON report, checking its schema version first.
pub fn read_report(path: &std::path::Path) -> Result<Report, BudgetError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| BudgetError::Read {
        path: shown.clone(),
        source,
    })?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| BudgetError::Parse {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
    let found = value
        .get("schema_version")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| BudgetError::Parse {
            path: shown.clone(),
            detail: "no schema_version".into(),
        })?;
    if found != u64::from(SCHEMA_VERSION) {
        return Err(BudgetError::Schema { path: shown, found });
    }
    serde_json::from_value(value).map_err(|e| BudgetError::Parse {
        path: shown,
        detail: e.to_string(),
    })
}

fn human(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else {
        format!("{:.2} KiB", bytes as f64 / 1024.0)
    }
}

/// Check every successful configuration; returns one line per violation.
pub fn check(report: &Report, budget: &Budget, baseline: Option<&Report>) -> Vec<String> {
    let mut out = Vec::new();
    for c in &report.configs {
        for o in &c.overflow {
            let need = match (o.needs_bytes, o.length) {
                (Some(n), Some(l)) => format!(
                    " (needs {} of {}, has {})",
                    crate::units::human(n),
                    o.region,
                    crate::units::human(l)
                ),
                _ => String::new(),
            };
            out.push(format!(
                "{}: does not fit: {} over by {}{need}",
                c.name,
                o.region,
                crate::units::exact(o.over_bytes)
            ));
        }
        let Some(s) = &c.size else { continue };
        if let Some(max) = budget.max_flash {
            if s.flash_bytes > max {
                out.push(format!(
                    "{}: flash {} ({} B) is over the budget of {} ({} B) by {} B",
                    c.name,
                    human(s.flash_bytes),
                    s.flash_bytes,
                    human(max),
                    max,
                    s.flash_bytes - max
                ));
            }
        }
        if let Some(max) = budget.max_ram {
            if s.ram_bytes > max {
                out.push(format!(
                    "{}: RAM {} ({} B) is over the budget of {} ({} B) by {} B",
                    c.name,
                    human(s.ram_bytes),
                    s.ram_bytes,
                    human(max),
                    max,
                    s.ram_bytes - max
                ));
            }
        }
        if let (Some(limit), Some(base)) = (budget.max_growth, baseline) {
            let Some(old) = base
                .configs
                .iter()
                .find(|o| o.name == c.name)
                .and_then(|o| o.size.as_ref())
            else {
                continue;
            };
            let grew = s.flash_bytes as i64 - old.flash_bytes as i64;
            let over = match limit {
                Growth::Bytes(b) => grew > b as i64,
                Growth::Percent(p) => {
                    old.flash_bytes > 0 && grew as f64 * 100.0 / old.flash_bytes as f64 > p
                }
            };
            if over {
                let pct = if old.flash_bytes > 0 {
                    grew as f64 * 100.0 / old.flash_bytes as f64
                } else {
                    0.0
                };
                out.push(format!(
                    "{}: flash grew by {grew} B ({pct:+.2}%) from {} to {}, more than the allowed {}",
                    c.name,
                    old.flash_bytes,
                    s.flash_bytes,
                    limit.describe()
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
