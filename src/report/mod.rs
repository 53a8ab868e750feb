//! The one serializable `Report`: the only input of every exporter.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::matrix::{BaseProfile, Settings};
use crate::measure::Measurement;
use crate::memory::{MemoryMap, RegionUse};
use crate::toolchain::Toolchain;

/// Bumped whenever a field changes meaning or is removed.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    /// `cargo-weigh <version>`.
    pub tool: String,
    /// False when the run was interrupted before every configuration finished.
    pub complete: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<ProjectInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toolchain: Option<Toolchain>,
    /// Where the configurations came from (a preset or a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<MemoryMap>,
    /// Limits the run was checked against, and what was over them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<crate::budget::Budget>,
    /// Prices the cost figures were computed with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<crate::cost::CostModel>,
    /// What `cargo weigh optimize` did and found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimize: Option<crate::optimize::Summary>,
    /// What each setting buys (see `ablation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ablation: Option<crate::ablation::Ablation>,
    /// The runner `--verify` used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner: Option<String>,
    /// Hash of the sources, Cargo.lock, cargo configuration and toolchain
    /// the run built (shards must agree on it to be merged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<String>,
    /// `K/N` when this report is one shard of a matrix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// Builds run at the same time (`--parallel`), when more than one: each
    /// build's time then includes waiting for the others' job slots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_builds: Option<u32>,
    /// What sccache (as `RUSTC_WRAPPER`) did during the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compiler_cache: Option<crate::build::CompilerCacheUse>,
    /// How long the run took, and how much of it was the tool's own work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<RunTiming>,
    /// Name of the configuration the deltas are against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    pub configs: Vec<ConfigResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectInfo {
    pub package: String,
    pub version: String,
    pub manifest_path: PathBuf,
    pub binary: String,
    pub binary_kind: crate::project::BinKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigResult {
    pub name: String,
    /// Position in the whole matrix (kept across shards, for `merge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix_index: Option<usize>,
    /// Hash of the effective build inputs; names the artifact slot.
    pub id: String,
    /// What the configuration changes, in words.
    pub changes: String,
    pub profile: BaseProfile,
    pub settings: Settings,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rustflags: Vec<String>,
    /// Standard-library crates built from source for this build.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub build_std: Vec<String>,
    /// Features of the standard library asked for (`-Zbuild-std-features`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub build_std_features: Vec<String>,
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
    /// What the binary places in each memory region, by address.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionUse>,
    /// Regions the linker could not fit the program into (the build failed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overflow: Vec<RegionOverflow>,
    /// Flash used as % of the chip's flash, when the flash size is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flash_pct: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ram_pct: Option<f64>,
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
    /// Change against the baseline configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<Delta>,
    /// Cost figures, when the run has a cost model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<crate::cost::ConfigCost>,
    /// Where the bytes go (with `--attribute`): crates, and the largest symbols.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<crate::attribute::Attribution>,
    /// With `--keep-debug`: the unstripped twin of a stripped build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debug_file: Option<PathBuf>,
    /// Result of running the binary with `--verify`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<crate::verify::Verification>,
    /// Built from this configuration's compiled dependencies, rebuilding
    /// only the root crate (it differs only in `strip` or thin/fat LTO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares_build_of: Option<String>,
    /// For a shared build: the CPU seconds this run spent (the root crate);
    /// `build_cpu_seconds` adds the base's build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_build_cpu_seconds: Option<f64>,
}

impl ConfigResult {
    /// The configuration this row was built from.
    pub fn config(&self) -> crate::matrix::Config {
        crate::matrix::Config {
            name: self.name.clone(),
            profile: self.profile,
            settings: self.settings.clone(),
            rustflags: self.rustflags.clone(),
            build_std: self.build_std.clone(),
            build_std_features: self.build_std_features.clone(),
        }
    }
}

/// A region the program did not fit into, from the linker's own message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionOverflow {
    pub region: String,
    /// How far over the region's end the program reached.
    pub over_bytes: u64,
    /// The region's length, when the memory map is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    /// What the region would need to be: its length plus the overflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_bytes: Option<u64>,
}

/// The run as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunTiming {
    /// From the start of the run to the report (builds included).
    pub wall_seconds: f64,
    /// CPU time of cargo-weigh itself, not of the builds it ran (they are
    /// child processes): locating, measuring, stripping, reporting.
    pub own_cpu_seconds: f64,
}

/// Differences to the baseline: bytes (signed) and build seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    pub file_bytes: i64,
    pub stripped_bytes: i64,
    pub flash_bytes: i64,
    pub ram_bytes: i64,
    pub image_bytes: i64,
    /// Flash change relative to the baseline's flash, in %.
    pub flash_change_pct: Option<f64>,
    /// Change in build CPU seconds.
    pub build_cpu_seconds: Option<f64>,
}

impl ConfigResult {
    /// A row for a file measured outside any build (`cargo weigh measure`).
    pub fn for_file(name: String, artifact: PathBuf, size: Measurement) -> Self {
        ConfigResult {
            name,
            matrix_index: None,
            id: String::new(),
            changes: String::new(),
            profile: BaseProfile::Release,
            settings: Settings::default(),
            rustflags: Vec::new(),
            build_std: Vec::new(),
            build_std_features: Vec::new(),
            ok: true,
            error: None,
            log: None,
            artifact: Some(artifact),
            size: Some(size),
            memory_map: None,
            regions: Vec::new(),
            overflow: Vec::new(),
            flash_pct: None,
            ram_pct: None,
            build_cpu_seconds: None,
            build_wall_seconds: None,
            measured_at: None,
            fresh: false,
            reused: false,
            delta: None,
            cost: None,
            attribution: None,
            debug_file: None,
            verify: None,
            shares_build_of: None,
            root_build_cpu_seconds: None,
        }
    }
}

fn diff(a: u64, b: u64) -> i64 {
    (a as i64).saturating_sub(b as i64)
}

fn pct(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| round2(part as f64 * 100.0 / whole as f64))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Report {
    pub fn new(configs: Vec<ConfigResult>) -> Self {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: format!("cargo-weigh {}", env!("CARGO_PKG_VERSION")),
            complete: true,
            project: None,
            target: None,
            toolchain: None,
            matrix: None,
            memory: None,
            budget: None,
            cost: None,
            ablation: None,
            optimize: None,
            runner: None,
            sources: None,
            shard: None,
            parallel_builds: None,
            timing: None,
            compiler_cache: None,
            baseline: None,
            configs,
        }
    }

    /// Fill the derived figures: region use (by address: flash and RAM
    /// become what the regions hold), % of flash/RAM and deltas against
    /// `baseline` (the first successful configuration by default).
    pub fn finalize(&mut self, baseline: Option<&str>) {
        let memory = self.memory.clone();
        for c in &mut self.configs {
            let map = c.memory_map.as_ref().or(memory.as_ref());
            if let (Some(m), Some(size)) = (map, c.size.as_mut()) {
                if !m.regions.is_empty() {
                    c.regions = m.usage(size);
                    if let Some((flash, ram)) = m.by_address(size) {
                        (size.flash_bytes, size.ram_bytes) = (flash, ram);
                    }
                }
                let used = |kind, total: u64| {
                    c.regions
                        .iter()
                        .find(|r| r.kind == kind)
                        .map_or(total, |r| r.used_bytes)
                };
                let flash_used = used(crate::memory::RegionKind::Flash, size.flash_bytes);
                let ram_used = used(crate::memory::RegionKind::Ram, size.ram_bytes);
                c.flash_pct = m.flash_bytes.and_then(|f| pct(flash_used, f));
                c.ram_pct = m.ram_bytes.and_then(|r| pct(ram_used, r));
            }
            if let Some(m) = map {
                for o in &mut c.overflow {
                    o.length = m
                        .regions
                        .iter()
                        .find(|r| r.name == o.region)
                        .map(|r| r.length);
                    o.needs_bytes = o.length.map(|l| l + o.over_bytes);
                }
            }
        }
        let base_idx = match baseline {
            Some(name) => self.configs.iter().position(|c| c.name == name),
            None => self.configs.iter().position(|c| c.size.is_some()),
        };
        self.baseline = base_idx.map(|i| self.configs[i].name.clone());
        let Some(i) = base_idx else { return };
        let (Some(base), base_time) = (
            self.configs[i].size.clone(),
            self.configs[i].build_cpu_seconds,
        ) else {
            return;
        };
        for c in &mut self.configs {
            let Some(s) = &c.size else { continue };
            c.delta = Some(Delta {
                file_bytes: diff(s.file_bytes, base.file_bytes),
                stripped_bytes: diff(s.stripped_bytes, base.stripped_bytes),
                flash_bytes: diff(s.flash_bytes, base.flash_bytes),
                ram_bytes: diff(s.ram_bytes, base.ram_bytes),
                image_bytes: diff(s.image_bytes, base.image_bytes),
                flash_change_pct: (base.flash_bytes > 0).then(|| {
                    round2(
                        diff(s.flash_bytes, base.flash_bytes) as f64 * 100.0
                            / base.flash_bytes as f64,
                    )
                }),
                build_cpu_seconds: match (c.build_cpu_seconds, base_time) {
                    (Some(a), Some(b)) => Some(round2(a - b)),
                    _ => None,
                },
            });
        }
    }

    /// One memory map for the report when the rows agree (each row keeps
    /// its own only when it differs), with the command line's sizes.
    pub fn gather_memory(&mut self, flash: Option<u64>, ram: Option<u64>) {
        let first = self.configs.iter().find_map(|c| c.memory_map.clone());
        let shared = first.map(|m| m.with_overrides(flash, ram));
        for c in &mut self.configs {
            if let Some(m) = c.memory_map.take() {
                let m = m.with_overrides(flash, ram);
                if Some(&m) != shared.as_ref() {
                    c.memory_map = Some(m);
                }
            }
        }
        self.memory = match shared {
            Some(m) => Some(m),
            None if flash.is_some() || ram.is_some() => Some(MemoryMap {
                source: "command line".into(),
                regions: Vec::new(),
                flash_bytes: flash,
                ram_bytes: ram,
            }),
            None => self.memory.take(),
        };
    }

    pub fn any_failed(&self) -> bool {
        self.configs.iter().any(|c| !c.ok)
    }

    /// Configurations whose verification did not match the baseline.
    pub fn misbehaving(&self) -> Vec<&ConfigResult> {
        use crate::verify::VerifyStatus;
        self.configs
            .iter()
            .filter(|c| {
                c.verify.as_ref().is_some_and(|v| {
                    matches!(v.status, VerifyStatus::Different | VerifyStatus::Error)
                })
            })
            .collect()
    }

    pub fn over_budget(&self) -> bool {
        self.budget
            .as_ref()
            .is_some_and(|b| !b.violations.is_empty())
    }
}
