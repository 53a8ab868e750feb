//! The one derive step every command calls, in one fixed order: the memory
//! map, region use by address, the baseline and deltas, what each setting
//! buys (ablation), cost, and the budget gate. It reads what was built and
//! measured and writes only derived fields: running it twice gives the same.

mod cost;
mod figures;

use crate::budget::Budget;
use crate::cost::CostModel;
use crate::report::Report;
use crate::results::{ConfigResult, Objective};

pub use figures::gather_memory;

/// What the analysis needs beside the rows.
#[derive(Debug, Default, Clone)]
pub struct Inputs<'a> {
    /// The configuration deltas are against (default: the first measured).
    pub baseline: Option<&'a str>,
    /// `--flash-size`/`--ram-size`: they win over the linker's memory map.
    pub flash_size: Option<u64>,
    pub ram_size: Option<u64>,
    /// Prices (none: no cost figures).
    pub cost: Option<&'a CostModel>,
    /// Limits to gate on (none: the report's gate is left as it is).
    pub budget: Option<Budget>,
    /// The rows of the saved report growth is measured from.
    pub growth_baseline: Option<&'a [ConfigResult]>,
}

/// What the steps that run on built binaries need before the figures are
/// derived: the link's memory map (the stack's region, the default budget)
/// and which row is the baseline (what `--verify` compares with). The first
/// step of `derive`.
pub fn locate(report: &mut Report, inputs: &Inputs<'_>) {
    report.memory = gather_memory(
        &mut report.configs,
        report.memory.take(),
        inputs.flash_size,
        inputs.ram_size,
    );
    report.baseline = figures::baseline(&report.configs, inputs.baseline);
}

/// Derive every figure of `report` from its rows.
pub fn derive(report: &mut Report, inputs: &Inputs<'_>) {
    locate(report, inputs);
    figures::regions(&mut report.configs, report.memory.as_ref());
    figures::deltas(&mut report.configs, report.baseline.as_deref());
    let objective = Objective::for_target(report.target.as_deref().unwrap_or(""));
    report.ablation = report
        .baseline
        .as_deref()
        .and_then(|b| crate::ablation::analyse(&report.configs, b, objective));
    report.cost = inputs.cost.filter(|m| !m.is_off()).cloned();
    if let Some(model) = &report.cost {
        cost::apply_costs(&mut report.configs, model, report.baseline.as_deref());
    }
    if let Some(b) = inputs.budget.clone().filter(|b| !b.is_empty()) {
        let violations = crate::budget::check(&report.configs, &b, inputs.growth_baseline);
        report.budget = Some(Budget { violations, ..b });
    }
}

/// Derive a saved report again with what it was made with (its baseline
/// and prices; its gate stays as it was), and sizes from the command line.
pub fn rederive(report: &mut Report, flash_size: Option<u64>, ram_size: Option<u64>) {
    let baseline = report.baseline.clone();
    let cost = report.cost.clone();
    if flash_size.is_some() || ram_size.is_some() {
        for c in &mut report.configs {
            c.memory_map = c
                .memory_map
                .take()
                .map(|m| m.with_overrides(flash_size, ram_size));
        }
    }
    derive(
        report,
        &Inputs {
            baseline: baseline.as_deref(),
            flash_size,
            ram_size,
            cost: cost.as_ref(),
            budget: None,
            growth_baseline: None,
        },
    );
}
