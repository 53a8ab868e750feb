//! What each command was asked to do, as plain data: the command line
//! (`cli`) is turned into these, and everything past `app` reads them.

use std::path::PathBuf;
use std::time::Duration;

use crate::units::Growth;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// A table for the terminal, ending with the verdict.
    #[default]
    Table,
    /// One row per configuration (columns documented in README).
    Csv,
    /// The whole report (schema: docs/report.schema.json).
    Json,
    /// GitHub-flavoured Markdown (for pull-request comments).
    Markdown,
    /// One self-contained HTML page with charts (no network).
    Html,
}

/// When to use colours (as cargo's `--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Color {
    #[default]
    Auto,
    Always,
    Never,
}

/// Which package and binary, with which features, for which target.
#[derive(Debug, Clone, Default)]
pub struct ProjectOptions {
    pub manifest_path: Option<PathBuf>,
    pub package: Option<String>,
    pub bin: Option<String>,
    pub example: Option<String>,
    /// `--lib`: the package's `cdylib` (a WebAssembly module, a shared library).
    pub lib: bool,
    /// Features, split at commas and spaces.
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    pub target: Option<String>,
}

/// How cargo is run.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    pub target_dir: Option<PathBuf>,
    pub jobs: Option<u32>,
    pub cargo: Option<PathBuf>,
    /// Crates built from source when the target has no prebuilt `core`.
    pub build_std: Vec<String>,
    /// `--config KEY=VALUE` arguments, passed on to cargo.
    pub cargo_config: Vec<String>,
    pub locked: bool,
    pub offline: bool,
    pub frozen: bool,
    pub timeout: Option<Duration>,
    /// Families built at the same time.
    pub parallel: usize,
    /// Configurations of one family share their dependencies.
    pub share: bool,
    /// Rows of earlier runs may be reused.
    pub cache: bool,
    pub color: Color,
}

/// `--shard K/N`: configurations K, K+N, ... (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl Shard {
    pub fn parse(spec: &str) -> Result<Shard, String> {
        let parsed = spec.split_once('/').and_then(|(k, n)| {
            Some((
                k.trim().parse::<usize>().ok()?,
                n.trim().parse::<usize>().ok()?,
            ))
        });
        match parsed {
            Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok(Shard { k, n }),
            _ => Err(format!(
                "`{spec}`: expected K/N with 1 ≤ K ≤ N, e.g. --shard 2/4"
            )),
        }
    }

    /// The matrix positions of this shard among `len` configurations.
    pub fn indices(&self, len: usize) -> Vec<usize> {
        (self.k - 1..len).step_by(self.n).collect()
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// Which configurations.
#[derive(Debug, Clone, Default)]
pub struct MatrixOptions {
    pub preset: Option<String>,
    pub matrix_file: Option<PathBuf>,
    pub only: Vec<String>,
    pub shard: Option<Shard>,
    /// The configuration the others are compared with.
    pub baseline: Option<String>,
    /// The record of what `apply` last wrote into a profile of its own
    /// (`check`'s default): its configuration is the whole matrix.
    pub applied: Option<PathBuf>,
}

/// Prices given on the command line (on top of `[cost]` in weigh.toml).
#[derive(Debug, Clone, Default)]
pub struct PriceOptions {
    pub price_per_kib: Option<f64>,
    pub units: Option<u64>,
    pub currency: Option<String>,
    pub ota: Option<crate::cost::Ota>,
}

impl PriceOptions {
    /// The file's `[cost]` table with these prices on top.
    pub fn over(&self, file: Option<crate::cost::CostModel>) -> crate::cost::CostModel {
        let mut m = file.unwrap_or_default();
        m.price_per_kib = self.price_per_kib.or(m.price_per_kib);
        m.units = self.units.or(m.units);
        m.currency = self.currency.clone().or(m.currency);
        if let Some(ota) = &self.ota {
            m.ota = Some(ota.clone());
        }
        m
    }
}

/// Limits for the gate.
#[derive(Debug, Clone, Default)]
pub struct BudgetOptions {
    pub max_flash: Option<u64>,
    pub max_ram: Option<u64>,
    pub max_region: Vec<crate::memory::RegionLimit>,
    pub max_growth: Option<Growth>,
    /// The saved report growth is measured from.
    pub baseline_report: Option<PathBuf>,
    /// Peak stack observed with `--runtime`.
    pub max_stack: Option<u64>,
    /// WebAssembly transfer sizes.
    pub max_brotli: Option<u64>,
    pub max_gzip: Option<u64>,
}

/// Running binaries (`--verify`).
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// `--runner`, else the target's runner from the cargo configuration.
    pub runner: Option<String>,
    pub timeout: Duration,
    /// Under QEMU, firmware that never exits stops after this many instructions.
    pub limit: u64,
}

/// Measuring run time (`--runtime`).
#[derive(Debug, Clone, Default)]
pub struct RuntimeOptions {
    /// `--runner`, else the target's runner.
    pub runner: Option<String>,
    /// Host workload: arguments and standard input.
    pub args: Vec<String>,
    pub stdin: Option<PathBuf>,
    /// Firmware that never exits stops after this many instructions.
    pub limit: u64,
    pub timeout: Duration,
    /// Host: timed runs for the median.
    pub runs: usize,
}

/// What to work out beside the sizes.
#[derive(Debug, Clone, Default)]
pub struct AnalysisOptions {
    pub ablation: bool,
    pub attribute: bool,
    pub keep_debug: bool,
    pub verify: Option<VerifyOptions>,
    pub runtime: Option<RuntimeOptions>,
    /// Compressed payloads (`--ota`), with the delta from a released build.
    pub ota: Option<OtaOptions>,
    pub budget: BudgetOptions,
    pub prices: PriceOptions,
    /// `--flash-size`/`--ram-size`: they win over the linker's memory map.
    pub flash_size: Option<u64>,
    pub ram_size: Option<u64>,
}

/// `--ota` / `--ota-baseline`.
#[derive(Debug, Clone, Default)]
pub struct OtaOptions {
    /// A released build: an ELF file or a saved report.
    pub baseline: Option<PathBuf>,
}

/// Where the answer goes and how much is said.
#[derive(Debug, Clone)]
pub struct OutputOptions {
    pub format: Format,
    pub output: Option<PathBuf>,
    /// Every column, not only those that fit.
    pub wide: bool,
    pub quiet: bool,
    /// Legends and notes about how figures were made.
    pub verbose: bool,
    /// Show what each setting buys (`--ablation`).
    pub ablation: bool,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions {
            format: Format::Table,
            output: None,
            wide: false,
            quiet: false,
            verbose: false,
            ablation: false,
        }
    }
}

/// A matrix run (`cargo weigh`, `check`).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub project: ProjectOptions,
    pub compile: CompileOptions,
    pub matrix: MatrixOptions,
    pub analysis: AnalysisOptions,
    pub output: OutputOptions,
    /// Size records of the commit measured (history, bisect, diff --git).
    pub records: RecordsOptions,
}

/// The search for the smallest configuration (`optimize`).
#[derive(Debug, Clone, Default)]
pub struct OptimizeOptions {
    pub project: ProjectOptions,
    pub compile: CompileOptions,
    pub output: OutputOptions,
    /// Stop after this many builds.
    pub max_builds: usize,
    /// Reject configurations whose build takes more CPU seconds.
    pub max_build_seconds: Option<f64>,
    /// Keep `panic = "unwind"`.
    pub keep_unwind: bool,
    /// No nightly-only options.
    pub stable_only: bool,
    pub flash_size: Option<u64>,
    pub ram_size: Option<u64>,
    /// Run-time limits (`--max-slowdown`, `--max-stack`) and how to measure.
    pub max_slowdown_pct: Option<f64>,
    pub max_stack: Option<u64>,
    pub runtime: RuntimeOptions,
}

/// Attribution of one binary (`top`).
#[derive(Debug, Clone, Default)]
pub struct TopOptions {
    pub project: ProjectOptions,
    pub compile: CompileOptions,
    pub matrix: MatrixOptions,
    pub output: OutputOptions,
    /// An ELF file built elsewhere, instead of a build of the project.
    pub file: Option<PathBuf>,
    /// How many symbols to list.
    pub limit: usize,
    pub crates_only: bool,
    /// A regular expression the symbol and crate names must match.
    pub filter: Option<String>,
    /// A section name (`.text`) or kind (`text`, `rodata`, `data`, `bss`).
    pub section: Option<String>,
    pub group_generics: bool,
    pub no_dwarf: bool,
    /// Sort by retained size (the reference graph), with panic/fmt costs.
    pub retained: bool,
    /// Copies of generics (the reference graph).
    pub generics: bool,
    /// Directories of rlibs to index for crate names.
    pub rlibs: Vec<PathBuf>,
}

/// `why`: the chains that keep symbols in the binary.
#[derive(Debug, Clone)]
pub struct WhyOptions {
    /// What is built (or read) and how: `top`'s options (its file, rlibs,
    /// project, configuration, output).
    pub top: TopOptions,
    pub pattern: String,
    /// `pattern` is a crate name.
    pub krate: bool,
    pub all_paths: usize,
}

/// The CI gate (`check`): a matrix run, or a saved report judged again.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub run: RunOptions,
    /// Judge this saved report instead of building.
    pub report: Option<PathBuf>,
    /// Gate every configuration, not only the project's own profile.
    pub all: bool,
}

/// What `diff` compares.
#[derive(Debug, Clone)]
pub enum DiffInputs {
    /// Two saved reports or two ELF files.
    Files(PathBuf, PathBuf),
    /// Two configurations of one saved report.
    Within {
        report: PathBuf,
        from: String,
        to: String,
    },
    /// The project at a git revision against the working tree.
    Git { rev: String, run: Box<RunOptions> },
}

/// `diff`.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    pub inputs: DiffInputs,
    /// Exit 1 when a configuration's flash grew more than this.
    pub fail_on_growth: Option<Growth>,
    /// Crates and symbols listed per configuration.
    pub limit: usize,
    /// Crate and symbol changes smaller than this are not shown.
    pub min_change: u64,
    pub output: OutputOptions,
}

/// `history`.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    pub range: String,
    pub shard: Option<Shard>,
    /// How each commit is built and measured.
    pub run: RunOptions,
}

/// `bisect`.
#[derive(Debug, Clone)]
pub struct BisectOptions {
    pub range: String,
    pub grew: Growth,
    pub metric: Option<Metric>,
    /// Crates and symbols listed in the step's diff.
    pub limit: usize,
    pub run: RunOptions,
}

/// Where `apply` finds the configuration.
#[derive(Debug, Clone)]
pub enum ApplyFrom {
    /// A saved report: the configuration as measured.
    Report(PathBuf),
    /// The project's matrix file or a preset.
    Matrix {
        preset: Option<String>,
        matrix_file: Option<PathBuf>,
    },
}

/// `apply`: one configuration written into Cargo.toml.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    pub config: String,
    pub from: ApplyFrom,
    /// A named profile instead of `[profile.release]`.
    pub profile: Option<String>,
    pub force: bool,
    pub dry_run: bool,
    pub manifest_path: Option<PathBuf>,
    pub package: Option<String>,
    pub target: Option<String>,
    pub cargo: Option<PathBuf>,
}

/// `measure`: ELF files built elsewhere.
#[derive(Debug, Clone, Default)]
pub struct MeasureOptions {
    pub files: Vec<PathBuf>,
    pub memory_x: Option<PathBuf>,
    pub baseline: Option<String>,
    pub flash_size: Option<u64>,
    pub ram_size: Option<u64>,
    pub output: OutputOptions,
}

/// `show` and `merge`: saved reports rendered again.
#[derive(Debug, Clone, Default)]
pub struct ReportsOptions {
    pub reports: Vec<PathBuf>,
    pub baseline: Option<String>,
    pub output: OutputOptions,
}

mod metric;
mod records;
pub use metric::Metric;
pub use records::{PlanFormat, RecordAction, RecordsOptions};

/// `cargo weigh plan RANGE --shards N`.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub range: String,
    pub shards: usize,
    pub format: PlanFormat,
    /// How each commit would be measured (its configurations and keys).
    pub run: RunOptions,
}
