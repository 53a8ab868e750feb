//! The report's data.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::ablation::Ablation;
use crate::budget::Budget;
use crate::build::CompilerCacheUse;
use crate::cost::CostModel;
use crate::memory::MemoryMap;
use crate::optimize::Summary;
use crate::results::ConfigResult;
use crate::toolchain::Toolchain;

/// Bumped whenever a field changes meaning or is removed.
pub const SCHEMA_VERSION: u32 = 2;

/// Where a run's configurations came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MatrixInfo {
    /// `preset`, `file`, `optimize`, or `files` (`cargo weigh measure`).
    pub kind: String,
    /// The preset's name, or the file's path.
    pub name: String,
    /// Configurations in this run.
    #[serde(default)]
    pub configurations: usize,
    /// `K/N` when this report is one shard of a matrix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// Where the configurations came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<MatrixInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<MemoryMap>,
    /// Limits the run was checked against, and what was over them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
    /// Prices the cost figures were computed with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostModel>,
    /// What `cargo weigh optimize` did and found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimize: Option<Summary>,
    /// What each setting buys (see `ablation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ablation: Option<Ablation>,
    /// The runner `--verify` used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner: Option<String>,
    /// Hash of the sources, Cargo.lock, cargo configuration and toolchain
    /// the run built (shards must agree on it to be merged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<String>,
    /// Builds run at the same time (`--parallel`), when more than one: each
    /// build's time then includes waiting for the others' job slots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_builds: Option<u32>,
    /// What sccache (as `RUSTC_WRAPPER`) did during the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compiler_cache: Option<CompilerCacheUse>,
    /// How long the run took, and how much of it was the tool's own work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<RunTiming>,
    /// Name of the configuration the deltas are against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    pub configs: Vec<ConfigResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProjectInfo {
    pub package: String,
    pub version: String,
    pub manifest_path: PathBuf,
    pub binary: String,
    pub binary_kind: crate::project::BinKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

/// The run as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RunTiming {
    /// From the start of the run to the report (builds included).
    pub wall_seconds: f64,
    /// CPU time of cargo-weigh itself, not of the builds it ran (they are
    /// child processes): locating, measuring, stripping, reporting.
    pub own_cpu_seconds: f64,
}

impl Report {
    /// The configuration `name` of a saved report (`path` names it in the
    /// error, with the closest name and every name there is).
    pub fn config_named(
        &self,
        name: &str,
        path: &std::path::Path,
    ) -> Result<&ConfigResult, String> {
        self.configs
            .iter()
            .find(|c| c.config.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self
                    .configs
                    .iter()
                    .map(|c| c.config.name.as_str())
                    .collect();
                format!(
                    "no configuration `{name}` in `{}`{}; choose one of: {}",
                    path.display(),
                    crate::suggest::hint(name, names.iter().copied()),
                    names.join(", ")
                )
            })
    }

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
            parallel_builds: None,
            timing: None,
            compiler_cache: None,
            baseline: None,
            configs,
        }
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
                c.checks.verify.as_ref().is_some_and(|v| {
                    matches!(v.status, VerifyStatus::Different | VerifyStatus::Error)
                })
            })
            .collect()
    }

    /// Rows whose run time was asked for but could not be measured.
    pub fn unmeasured(&self) -> Vec<&ConfigResult> {
        self.configs
            .iter()
            .filter(|c| {
                c.checks
                    .runtime
                    .as_ref()
                    .is_some_and(|r| r.error.is_some() && r.instructions.is_none())
            })
            .collect()
    }

    pub fn over_budget(&self) -> bool {
        self.budget
            .as_ref()
            .is_some_and(|b| !b.violations.is_empty())
    }
}
