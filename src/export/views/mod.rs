//! Views: a report (or an attribution, or a diff) turned into tables and
//! lines of text, the same for every format.

pub mod ablation;
pub mod attribution;
pub mod compare;
pub mod history;
pub mod notes;
pub mod optimize;
pub mod references;
pub mod regions;
pub mod summary;
pub mod verdict;

use crate::report::Report;
use crate::results::{ConfigResult, Objective};

/// What the report is about: firmware (flash) or a hosted binary. Files
/// measured as they are (no target) are firmware unless they are Mach-O or
/// PE, formats only operating systems load.
pub fn objective(report: &Report) -> Objective {
    match report.target.as_deref() {
        Some(target) => Objective::for_target(target),
        None if report
            .configs
            .iter()
            .any(|c| c.size.as_ref().is_some_and(|m| m.wasm.is_some())) =>
        {
            Objective::Brotli
        }
        None if report
            .configs
            .iter()
            .any(|c| c.size.as_ref().is_some_and(|m| m.is_hosted_format())) =>
        {
            Objective::Stripped
        }
        None => Objective::Flash,
    }
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

/// Whether the cost differs between rows (a constant column says nothing).
pub fn cost_varies(r: &Report) -> bool {
    let mut v = r
        .configs
        .iter()
        .filter_map(|c| c.derived.cost.as_ref()?.delta_total());
    let first = v.next();
    first.is_some() && v.any(|x| Some(x) != first)
}

/// A path as the person typing commands here would write it: relative to
/// the current directory when inside it.
pub fn shown_path(path: &std::path::Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|here| {
            path.strip_prefix(here)
                .ok()
                .map(|p| p.display().to_string())
        })
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| path.display().to_string())
}
