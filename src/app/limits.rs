//! The budget a run gates on: the limits asked for, or in `check` without
//! any the chip's memory (the flash and RAM totals and every region's
//! length), checked for comparing something before anything is judged.

use std::path::Path;

use anyhow::bail;

use crate::budget::{growth_comparable, regions_known, Budget, RegionLimit};
use crate::options::BudgetOptions;
use crate::report::Report;
use crate::results::ConfigResult;

/// Before building: some configuration of the run is in the saved report
/// growth is measured from.
pub fn growth_names_overlap(
    configs: &[crate::matrix::Config],
    growth: &Report,
    b: &BudgetOptions,
) -> anyhow::Result<()> {
    let planned: Vec<&str> = configs.iter().map(|c| c.name.as_str()).collect();
    let path = b
        .baseline_report
        .as_deref()
        .unwrap_or(Path::new("the baseline report"));
    Ok(growth_comparable(
        &planned,
        &growth.configs,
        &path.display().to_string(),
    )?)
}

/// The budget asked for. `check` holds the configurations `check` gates
/// (empty: all); `growth` the saved report's rows and its path.
pub fn budget(
    b: &BudgetOptions,
    check: Option<&[String]>,
    report: &Report,
    growth: Option<(&[ConfigResult], &Path)>,
) -> anyhow::Result<Budget> {
    let mut budget = Budget {
        max_flash: b.max_flash,
        max_ram: b.max_ram,
        max_region: b.max_region.clone(),
        max_stack: b.max_stack,
        max_brotli: b.max_brotli,
        max_gzip: b.max_gzip,
        max_growth: b.max_growth,
        baseline_report: b.baseline_report.as_ref().map(|p| p.display().to_string()),
        gated: check.map(<[String]>::to_vec).unwrap_or_default(),
        violations: Vec::new(),
    };
    if check.is_some() && budget.is_empty() {
        let map = report.memory.as_ref();
        budget.max_flash = map.and_then(|m| m.flash_bytes);
        budget.max_ram = map.and_then(|m| m.ram_bytes);
        budget.max_region = map
            .map(|m| {
                m.regions
                    .iter()
                    .map(|r| RegionLimit {
                        region: r.name.clone(),
                        max_bytes: r.length,
                    })
                    .collect()
            })
            .unwrap_or_default();
        if budget.is_empty() {
            bail!(
                "check needs a budget: pass --max-flash/--max-ram/--max-region, --max-growth with --baseline-report, \
                 or give the project a memory map (a linker script with a MEMORY block, e.g. memory.x) or --flash-size/--ram-size"
            );
        }
    }
    if budget.gated.is_empty() {
        budget.gated = report
            .configs
            .iter()
            .map(|c| c.name().to_string())
            .collect();
    }
    regions_known(&budget.max_region, report.memory.as_ref())?;
    transfer_measured(&budget, report)?;
    if let (Some(_), Some((rows, path))) = (budget.max_growth, growth) {
        let measured: Vec<&str> = report
            .configs
            .iter()
            .filter(|c| c.size.is_some() && budget.gated.iter().any(|g| g == c.name()))
            .map(|c| c.name())
            .collect();
        growth_comparable(&measured, rows, &path.display().to_string())?;
    }
    Ok(budget)
}

/// A transfer-size budget on a build that makes no WebAssembly module
/// would pass without comparing anything.
fn transfer_measured(budget: &Budget, report: &Report) -> anyhow::Result<()> {
    let asked = [
        ("--max-brotli", budget.max_brotli),
        ("--max-gzip", budget.max_gzip),
    ];
    let any_module = report
        .configs
        .iter()
        .any(|c| c.size.as_ref().is_some_and(|s| s.wasm.is_some()));
    let measured = report.configs.iter().any(|c| c.size.is_some());
    for (flag, _) in asked.iter().filter(|(_, v)| v.is_some()) {
        if measured && !any_module {
            bail!(
                "{flag} compares nothing: {} builds no WebAssembly module\n  hint: transfer sizes are measured for wasm32 targets; pass --target wasm32-unknown-unknown or drop {flag}",
                report.target.as_deref().unwrap_or("the host")
            );
        }
    }
    Ok(())
}
