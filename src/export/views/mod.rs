//! Views: a report (or an attribution, or a diff) turned into tables and
//! lines of text, the same for every format.

pub mod ablation;
pub mod attribution;
pub mod compare;
pub mod notes;
pub mod optimize;
pub mod summary;
pub mod verdict;

use crate::report::Report;
use crate::results::{ConfigResult, Objective};

/// What the report is about: firmware (flash) or a hosted binary.
pub fn objective(report: &Report) -> Objective {
    Objective::for_target(report.target.as_deref().unwrap_or("-none"))
}

/// The smallest measured configuration (fewest settings on a tie).
pub fn smallest(report: &Report) -> Option<&ConfigResult> {
    let o = objective(report);
    report
        .configs
        .iter()
        .filter_map(|c| Some((o.of(c)?, c)))
        .min_by_key(|(v, c)| (*v, c.config.settings.toml_pairs().len()))
        .map(|(_, c)| c)
}
