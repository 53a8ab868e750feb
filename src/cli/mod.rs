//! Command-line arguments (clap derive), turned into plain options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::export::Format;

#[derive(Debug, Parser)]
#[command(
    name = "cargo-weigh",
    bin_name = "cargo weigh",
    version,
    about = "Build a Cargo project under a matrix of release-profile settings and measure every binary: file, stripped, flash, RAM, build time.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Measure binaries built elsewhere (any ELF file, C firmware too). Runs nothing.
    Measure(MeasureArgs),
    /// Build the matrix (or read a saved report) and fail with exit status 1
    /// when a configuration is over budget: a CI gate.
    Check(Box<CheckArgs>),
    /// Write a configuration into Cargo.toml as a profile (and what is not a
    /// profile key into .cargo/config.toml), showing the diff first.
    Apply(ApplyArgs),
    /// Search for the smallest configuration (greedy coordinate descent over
    /// the profile settings, and nightly-only size options when available).
    Optimize(Box<OptimizeArgs>),
    /// Where the bytes go: crates and symbols of a binary (or of the project's
    /// build), for every allocated section, adding up to each section's size.
    Top(Box<TopArgs>),
    /// Compare two builds: saved JSON reports or binaries (or the project at
    /// another git revision with --git REV).
    Diff(Box<DiffArgs>),
    /// Join the JSON reports of shards (`--shard K/N`) into one report.
    Merge(MergeArgs),
    /// Render a saved JSON report in another format (e.g. Markdown for a pull request).
    Show(ShowArgs),
    /// List the built-in presets and their configurations.
    Presets,
}

#[derive(Debug, Args, Clone)]
pub struct TopArgs {
    /// An ELF file to attribute (default: build the project's configuration).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// How many symbols to list.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// Show crates only.
    #[arg(long)]
    pub crates: bool,
    /// Only symbols (and crates) whose name matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub filter: Option<String>,
    /// Only this section (`.text`) or kind (`text`, `rodata`, `data`, `bss`).
    #[arg(long, value_name = "NAME")]
    pub section: Option<String>,
    /// Group generic instantiations (`f::<u8>`, `f::<u16>` → `f::<_>`).
    #[arg(long)]
    pub group_generics: bool,
    /// Attribute by symbols even when the binary has a DWARF line table.
    #[arg(long)]
    pub no_dwarf: bool,
    /// Directories of rlibs to index for exact crate names (default: next to the binary).
    #[arg(long, value_name = "DIR")]
    pub rlibs: Vec<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args, Clone)]
pub struct DiffArgs {
    /// Before and after: JSON reports or ELF files (with --git: none).
    #[arg(value_name = "BEFORE AFTER", num_args = 0..=2)]
    pub inputs: Vec<PathBuf>,
    /// Build the project's matrix at this git revision (in a separate
    /// directory, never touching your checkout) and diff the working tree against it.
    #[arg(long, value_name = "REV")]
    pub git: Option<String>,
    /// Fail (exit 1) when any configuration's flash grew more than this: 1% or 512 (bytes).
    #[arg(long, value_name = "LIMIT")]
    pub fail_on_growth: Option<String>,
    /// How many crates and symbols to list per configuration.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args, Clone)]
pub struct MergeArgs {
    /// JSON reports of the shards.
    #[arg(required = true, value_name = "REPORT")]
    pub reports: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub struct ShowArgs {
    /// A JSON report written by `cargo weigh --format json`.
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct OptimizeArgs {
    /// Stop after this many builds.
    #[arg(long, value_name = "N", default_value_t = 40)]
    pub max_builds: usize,
    /// Reject configurations whose (uncached) build takes longer than this.
    #[arg(long, value_name = "SECONDS")]
    pub max_build_time: Option<f64>,
    /// Keep panic = "unwind" (do not search the panic strategy).
    #[arg(long)]
    pub keep_unwind: bool,
    /// Only stable options: no -Z flags, no build-std features, no immediate-abort.
    #[arg(long)]
    pub stable_only: bool,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args, Clone)]
pub struct ApplyArgs {
    /// Name of the configuration (from --report, or the project's matrix or preset).
    #[arg(value_name = "CONFIG")]
    pub config: String,
    /// Take the configuration from this saved JSON report.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write a named profile (`inherits = "release"`) instead of [profile.release].
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Overwrite keys that already have another value.
    #[arg(long)]
    pub force: bool,
    /// Show the diff and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Package whose workspace gets the profile.
    #[arg(short, long, value_name = "SPEC")]
    pub package: Option<String>,
    /// Preset to find the configuration in (default: the project's file, else standard).
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Configuration file to find it in.
    #[arg(long, value_name = "FILE")]
    pub matrix_file: Option<PathBuf>,
    /// Target for extra rustflags (default: the report's, else build.target, else the host).
    #[arg(long, value_name = "TRIPLE")]
    pub target: Option<String>,
    /// Cargo to use for `cargo metadata`.
    #[arg(long, value_name = "PATH")]
    pub cargo: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// Check this saved JSON report instead of building.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args, Clone, Default)]
pub struct BudgetArgs {
    /// Fail (exit 1) when a configuration's flash is over this size, e.g. 64K.
    #[arg(long, value_name = "SIZE")]
    pub max_flash: Option<String>,
    /// Fail (exit 1) when a configuration's RAM is over this size, e.g. 16K.
    #[arg(long, value_name = "SIZE")]
    pub max_ram: Option<String>,
    /// Fail when flash grew more than this against --baseline-report: 2% or 512 (bytes).
    #[arg(long, value_name = "LIMIT", requires = "baseline_report")]
    pub max_growth: Option<String>,
    /// A saved JSON report to compare with (configurations matched by name).
    #[arg(long, value_name = "FILE")]
    pub baseline_report: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write the report to this file instead of standard output (checked before any build starts).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Flash size of the chip, e.g. 512K, 1M, 0x80000 (overrides memory.x).
    #[arg(long, value_name = "SIZE")]
    pub flash_size: Option<String>,
    /// RAM size of the chip, e.g. 128K (overrides memory.x).
    #[arg(long, value_name = "SIZE")]
    pub ram_size: Option<String>,
    /// Configuration the others are compared with (default: the first).
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Package to build.
    #[arg(short, long, value_name = "SPEC")]
    pub package: Option<String>,
    /// Binary to build.
    #[arg(long, value_name = "NAME", conflicts_with = "example")]
    pub bin: Option<String>,
    /// Example to build.
    #[arg(long, value_name = "NAME")]
    pub example: Option<String>,
    /// Target triple (default: build.target from .cargo/config.toml, else the host).
    #[arg(long, value_name = "TRIPLE")]
    pub target: Option<String>,
    /// Override a cargo configuration value (as cargo's --config), passed on to cargo.
    #[arg(long = "config", value_name = "KEY=VALUE")]
    pub cargo_config: Vec<String>,
    /// Features to activate (comma or space separated; repeatable).
    #[arg(short = 'F', long, value_name = "FEATURES")]
    pub features: Vec<String>,
    #[arg(long)]
    pub all_features: bool,
    #[arg(long)]
    pub no_default_features: bool,
    /// Directory for all generated artifacts (the tool builds in <DIR>/weigh/).
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Built-in set of configurations: standard (default), seed, release.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Configuration file (default: weigh.toml beside Cargo.toml, or [package.metadata.weigh]).
    #[arg(long, value_name = "FILE")]
    pub matrix_file: Option<PathBuf>,
    /// Build only these configurations (comma separated names).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Cargo to build with (default: $CARGO, cargo on PATH, /usr/bin/cargo: the first that can build the target).
    #[arg(long, value_name = "PATH")]
    pub cargo: Option<PathBuf>,
    /// Standard-library crates to build from source when the target has no prebuilt core.
    #[arg(
        long,
        value_name = "CRATES",
        default_value = "core",
        value_delimiter = ','
    )]
    pub build_std: Vec<String>,
    /// Parallel jobs in all (default: the number of CPUs). With `--parallel`
    /// above 1, the builds running at once share these job slots.
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<u32>,
    /// Configurations built at the same time, sharing one jobserver so one
    /// build's serial steps (LTO, linking) overlap another's parallel work.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    pub parallel: u32,
    /// Build every configuration with its own profile: configurations that
    /// differ only in `strip` or thin/fat LTO no longer share dependencies.
    #[arg(long)]
    pub no_share: bool,
    /// Stop a configuration's build after this many seconds and mark it failed.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
    /// Build only shard K of N of the matrix (configurations K, K+N, ...),
    /// for CI matrix jobs; join the reports with `cargo weigh merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Build and measure every configuration even when an earlier run's
    /// result is still valid (nothing it depends on changed).
    #[arg(long)]
    pub no_cache: bool,
    /// For each configuration that strips, also keep its symbols and debug
    /// info in `<artifact>.debug` (for gdb's `symbol-file`).
    #[arg(long)]
    pub keep_debug: bool,
    /// Attribute every binary's bytes to crates and symbols (from its symbol
    /// table and, when present, its line table) and keep it in the report.
    #[arg(long)]
    pub attribute: bool,
    /// Also build what isolates each setting of the smallest configuration
    /// (baseline + that setting; smallest without it) for the ablation view.
    #[arg(long)]
    pub ablation: bool,
    /// Run every binary with the target's runner (as `cargo run` would) and
    /// flag configurations whose output or exit status differ from the baseline's.
    #[arg(long)]
    pub verify: bool,
    /// Runner command for --verify (default: target.<triple>.runner from .cargo/config.toml).
    #[arg(long, value_name = "CMD")]
    pub runner: Option<String>,
    /// Seconds each --verify run may take before it is stopped.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub verify_timeout: u64,
    #[command(flatten)]
    pub budget: BudgetArgs,
    #[command(flatten)]
    pub cost: CostArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Prices for the cost columns (all off by default; `[cost]` in weigh.toml
/// sets them too, and chip tiers can only be given there).
#[derive(Debug, Args, Clone, Default)]
pub struct CostArgs {
    /// Price of one KiB of flash per unit.
    #[arg(long, value_name = "PRICE")]
    pub price_per_kib: Option<f64>,
    /// Units in the production run.
    #[arg(long, value_name = "N")]
    pub units: Option<u64>,
    /// Currency label for the cost columns, e.g. USD.
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// OTA: devices receiving each update.
    #[arg(long, value_name = "N", requires_all = ["ota_updates_per_year", "ota_price_per_mb"])]
    pub ota_devices: Option<u64>,
    /// OTA: updates per year.
    #[arg(long, value_name = "N", requires = "ota_devices")]
    pub ota_updates_per_year: Option<f64>,
    /// OTA: price of one megabyte (10^6 bytes) of transfer.
    #[arg(long, value_name = "PRICE", requires = "ota_devices")]
    pub ota_price_per_mb: Option<f64>,
}

#[derive(Debug, Args, Clone)]
pub struct MeasureArgs {
    /// ELF files to measure.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Linker memory map with a MEMORY block (e.g. memory.x) for flash/RAM %.
    #[arg(long, value_name = "FILE")]
    pub memory_x: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments as cargo passes them to a subcommand: `cargo-weigh weigh ...`.
pub fn args_from_env() -> Vec<std::ffi::OsString> {
    let mut args: Vec<_> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "weigh") {
        args.remove(1);
    }
    args
}
