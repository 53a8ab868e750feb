//! The result of building and measuring one configuration, in three parts
//! each written by one stage: what the build produced and measured
//! (`ConfigResult`'s own fields), what was measured on the binary afterwards
//! (`Checks`: attribution, verify, runtime, OTA), and what follows from the
//! rows (`Derived`, by `analysis::derive` only: region use, shares, deltas,
//! cost). JSON shows the three flattened, as one row.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::attribute::Attribution;
use crate::cost::ConfigCost;
use crate::matrix::Config;
use crate::measure::Measurement;
use crate::memory::{MemoryMap, RegionUse};
use crate::runtime::Runtime;
use crate::verify::Verification;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConfigResult {
    /// The configuration built: name, profile, settings, extra flags.
    #[serde(flatten)]
    pub config: Config,
    /// Position in the whole matrix (kept across shards, for `merge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix_index: Option<usize>,
    /// Hash of the effective build inputs; names the artifact slot.
    pub id: String,
    /// What the configuration changes, in words.
    pub changes: String,
    /// Standard-library crates built from source for this build (asked
    /// for, or because the target has no prebuilt `core`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub std_built_from_source: Vec<String>,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<PathBuf>,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Measurement>,
    /// The memory map of this build's link, when it differs from the
    /// report's (`memory`); rows of one run usually share one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_map: Option<MemoryMap>,
    /// Regions the linker could not fit the program into (the build failed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overflow: Vec<RegionOverflow>,
    /// CPU seconds of the build's own processes (cargo, rustc, the linker,
    /// build scripts): comparable between rows whatever ran at the same
    /// time. For a shared build, its base's plus its own root crate's: what
    /// a build of its own costs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_cpu_seconds: Option<f64>,
    /// Wall time of what this run did for the row (depends on what else ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_wall_seconds: Option<f64>,
    /// When the row was built and measured (RFC 3339, UTC): for a reused
    /// row, the earlier run's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured_at: Option<String>,
    /// Nothing was compiled: the build was already up to date from an
    /// earlier run, so `build_cpu_seconds` is not its cold build cost.
    #[serde(default)]
    pub fresh: bool,
    /// Not built or measured in this run: an earlier run's row, reused
    /// because none of its inputs changed (every number is that run's).
    #[serde(default)]
    pub reused: bool,
    /// Not built here: taken from the size record of its commit (another
    /// run, maybe on another machine, measured the same inputs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_record: bool,
    /// With `--keep-debug`: the unstripped twin of a stripped build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debug_file: Option<PathBuf>,
    /// Built from this configuration's compiled dependencies, rebuilding
    /// only the root crate (it differs only in `strip` or thin/fat LTO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares_build_of: Option<String>,
    /// For a shared build: the CPU seconds this run spent (the root crate);
    /// `build_cpu_seconds` adds the base's build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_build_cpu_seconds: Option<f64>,
    /// What was measured on the built binary afterwards.
    #[serde(flatten)]
    pub checks: Checks,
    /// What `analysis::derive` computed from the rows.
    #[serde(flatten)]
    pub derived: Derived,
}

/// What is measured on a built binary after the build: each written by its
/// own stage (attribution, `--verify`, `--runtime`, `--ota`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Checks {
    /// Where the bytes go (with `--attribute`): crates, and the largest symbols.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Attribution>,
    /// Result of running the binary with `--verify`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Verification>,
    /// Run-time figures with `--runtime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Runtime>,
    /// What an update sends (`--ota`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ota: Option<crate::ota::Ota>,
}

/// What follows from the rows, written only by `analysis::derive`: running
/// it again gives the same.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Derived {
    /// What the binary places in each memory region, by address.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionUse>,
    /// Flash used as % of the chip's flash, when the flash size is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flash_pct: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ram_pct: Option<f64>,
    /// Change against the baseline configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<Delta>,
    /// Cost figures, when the run has a cost model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<ConfigCost>,
}

impl ConfigResult {
    /// A row for `config` with nothing built or measured yet.
    pub fn new(config: Config) -> ConfigResult {
        ConfigResult {
            changes: config.summary(),
            config,
            matrix_index: None,
            id: String::new(),
            std_built_from_source: Vec::new(),
            ok: false,
            error: None,
            log: None,
            artifact: None,
            size: None,
            memory_map: None,
            overflow: Vec::new(),
            build_cpu_seconds: None,
            build_wall_seconds: None,
            measured_at: None,
            fresh: false,
            reused: false,
            from_record: false,
            debug_file: None,
            shares_build_of: None,
            root_build_cpu_seconds: None,
            checks: Checks::default(),
            derived: Derived::default(),
        }
    }

    /// A row for a file measured outside any build (`cargo weigh measure`).
    pub fn for_file(name: String, artifact: PathBuf, size: Measurement) -> ConfigResult {
        let mut config = Config::new(
            &name,
            crate::matrix::BaseProfile::Release,
            Default::default(),
        );
        config.name = name;
        let mut row = ConfigResult::new(config);
        row.changes = String::new();
        row.ok = true;
        row.artifact = Some(artifact);
        row.size = Some(size);
        row
    }

    /// The configuration's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The RAM region the stack grows in (the largest) and what is left of
    /// it once the observed peak stack is added to its static data; negative
    /// when they do not fit together.
    pub fn ram_headroom(&self) -> Option<(&crate::memory::RegionUse, i64)> {
        let peak = self.checks.runtime.as_ref()?.stack_bytes?;
        let r = self
            .derived
            .regions
            .iter()
            .filter(|r| r.kind == crate::memory::RegionKind::Ram)
            .max_by_key(|r| r.length)?;
        Some((r, r.length as i64 - (r.used_bytes + peak) as i64))
    }
}

/// A region the program did not fit into, from the linker's own message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RegionOverflow {
    pub region: String,
    /// How far over the region's end the program reached.
    pub over_bytes: u64,
    /// The region's length, when the memory map is known.
    #[serde(
        default,
        rename = "length_bytes",
        skip_serializing_if = "Option::is_none"
    )]
    pub length: Option<u64>,
    /// What the region would need to be: its length plus the overflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_bytes: Option<u64>,
}

/// Differences to the baseline: bytes (signed) and build seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Delta {
    pub file_delta_bytes: i64,
    pub stripped_delta_bytes: i64,
    pub flash_delta_bytes: i64,
    pub ram_delta_bytes: i64,
    /// `null` when either build has no single image.
    #[serde(default)]
    pub image_delta_bytes: Option<i64>,
    /// Flash change relative to the baseline's flash, in %.
    pub flash_change_pct: Option<f64>,
    /// Stripped-file change relative to the baseline's, in %.
    pub stripped_change_pct: Option<f64>,
    /// Change in build CPU seconds.
    pub build_cpu_delta_seconds: Option<f64>,
    /// With `--runtime`: change in instructions executed, in % (positive:
    /// slower), when both runs exited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions_change_pct: Option<f64>,
    /// With `--runtime`: change in the observed peak stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_delta_bytes: Option<i64>,
    /// WebAssembly: change in the brotli transfer size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brotli_delta_bytes: Option<i64>,
    /// WebAssembly: the same relative to the baseline's, in %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brotli_change_pct: Option<f64>,
}

/// The figure being minimised: flash for firmware, the brotli transfer
/// size for WebAssembly, the stripped file otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    Flash,
    Stripped,
    Brotli,
}

impl Objective {
    /// Bare-metal targets (`*-none-*`, target specs) are judged by flash,
    /// WebAssembly by what it weighs on the wire.
    pub fn for_target(target: &str) -> Objective {
        if target.starts_with("wasm") {
            Objective::Brotli
        } else if target.contains("-none") || target.ends_with(".json") {
            Objective::Flash
        } else {
            Objective::Stripped
        }
    }

    /// What is minimised, in words: `flash`, `stripped size`, `brotli size`.
    pub fn word(self) -> &'static str {
        match self {
            Objective::Flash => "flash",
            Objective::Stripped => "stripped size",
            Objective::Brotli => "brotli size",
        }
    }

    pub fn of(self, c: &ConfigResult) -> Option<u64> {
        let s = c.size.as_ref()?;
        match self {
            Objective::Flash => Some(s.flash_bytes),
            Objective::Stripped => Some(s.stripped_bytes),
            Objective::Brotli => s.wasm.as_ref().map(|w| w.shipped_brotli_bytes()),
        }
    }

    /// Its change against the baseline: bytes and percent.
    pub fn delta(self, d: &Delta) -> (i64, Option<f64>) {
        match self {
            Objective::Flash => (d.flash_delta_bytes, d.flash_change_pct),
            Objective::Stripped => (d.stripped_delta_bytes, d.stripped_change_pct),
            Objective::Brotli => (d.brotli_delta_bytes.unwrap_or(0), d.brotli_change_pct),
        }
    }

    /// The metric history and bisect follow for it.
    pub fn metric(self) -> crate::options::Metric {
        use crate::options::Metric;
        match self {
            Objective::Flash => Metric::Flash,
            Objective::Stripped => Metric::Stripped,
            Objective::Brotli => Metric::Brotli,
        }
    }
}
