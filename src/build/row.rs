//! A build's outcome turned into a result row: the binary measured, the
//! memory map of its link, the linker's overflows.

use super::command::BuildEnv;
use super::run::BuildOutcome;
use crate::matrix::Config;
use crate::measure::measure_file;
use crate::memory::{LinkInputs, MemoryMap};
use crate::project::BinKind;
use crate::results::{ConfigResult, RegionOverflow};
use crate::units::exact;

use crate::units::round_ms as ms;

/// The memory map of the build's link (its linker scripts, found as the
/// linker finds them).
fn memory_map(
    env: &BuildEnv,
    config: &Config,
    outcome: &BuildOutcome,
) -> Result<Option<MemoryMap>, String> {
    LinkInputs::of_build(
        &env.project.workspace_root,
        &env.link_flags(config),
        &outcome.link.root_build_outputs,
        &outcome.link.search_paths,
        &env.project.binary,
        env.project.kind == BinKind::Example,
    )
    .memory_map()
    .map_err(|e| e.to_string())
}

/// The row of one configuration's build.
pub fn result_row(
    env: &BuildEnv,
    config: &Config,
    id: String,
    outcome: BuildOutcome,
) -> ConfigResult {
    let mut row = ConfigResult::new(config.clone());
    row.id = id;
    row.error = outcome.error.clone();
    row.size = match (&outcome.artifact, outcome.ok) {
        (Some(path), true) => match measure_file(path) {
            Ok(m) => Some(m),
            Err(e) => {
                row.error = Some(e.to_string());
                None
            }
        },
        _ => None,
    };
    match memory_map(env, config, &outcome) {
        Ok(m) => row.memory_map = m,
        Err(e) => {
            row.error.get_or_insert(e);
        }
    }
    row.overflow = outcome
        .overflows
        .iter()
        .map(|o| RegionOverflow {
            region: o.region.clone(),
            over_bytes: o.bytes,
            length: None,
            needs_bytes: None,
        })
        .collect();
    if !row.overflow.is_empty() {
        let what: Vec<String> = row
            .overflow
            .iter()
            .map(|o| format!("{} over by {}", o.region, exact(o.over_bytes)))
            .collect();
        row.error = Some(format!("does not fit: {}", what.join(", ")));
    }
    row.ok = row.size.is_some();
    row.std_built_from_source = outcome.build_std;
    row.log = Some(outcome.log);
    row.artifact = outcome.artifact;
    row.build_cpu_seconds = Some(ms(outcome.cpu_seconds));
    row.build_wall_seconds = Some(ms(outcome.wall_seconds));
    row.measured_at =
        Some(humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string());
    row.fresh = outcome.fresh;
    row
}
