//! Groups of arguments, each under its own help heading; commands flatten
//! the groups they use, and only those.

use std::path::PathBuf;

use clap::Args;

use super::parse::{features, growth, region_limit, seconds, shard, size};
use crate::budget::Growth;
use crate::options::{Color, Format, Shard};

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Package Selection")]
pub struct PackageArgs {
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Package to build.
    #[arg(short, long, value_name = "SPEC")]
    pub package: Option<String>,
    /// Binary to build.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["example", "lib"])]
    pub bin: Option<String>,
    /// Example to build.
    #[arg(long, value_name = "NAME", conflicts_with = "lib")]
    pub example: Option<String>,
    /// The package's library, built as its `cdylib` (a WebAssembly module, a shared library).
    #[arg(long)]
    pub lib: bool,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Feature Selection")]
pub struct FeatureArgs {
    /// Features to activate (comma or space separated; repeatable).
    #[arg(short = 'F', long, value_name = "FEATURES", value_parser = features)]
    pub features: Vec<Vec<String>>,
    /// Activate all available features.
    #[arg(long)]
    pub all_features: bool,
    /// Do not activate the `default` feature.
    #[arg(long)]
    pub no_default_features: bool,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Compilation Options")]
pub struct CompileArgs {
    /// Target triple (default: build.target from the cargo configuration, else the host).
    #[arg(long, value_name = "TRIPLE")]
    pub target: Option<String>,
    /// Directory for all generated artifacts (the tool builds in <DIR>/weigh/).
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Parallel jobs in all (default: the number of CPUs), shared by the builds running at once.
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<u32>,
    /// Override a cargo configuration value (as cargo's --config); passed on to cargo.
    #[arg(long = "config", value_name = "KEY=VALUE")]
    pub cargo_config: Vec<String>,
    /// Assert that Cargo.lock will remain unchanged (passed on to cargo).
    #[arg(long)]
    pub locked: bool,
    /// Run without accessing the network (passed on to cargo).
    #[arg(long)]
    pub offline: bool,
    /// Equivalent to --locked and --offline.
    #[arg(long)]
    pub frozen: bool,
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
    /// Stop a configuration's build after this many seconds and mark it failed.
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    pub timeout: Option<std::time::Duration>,
    /// Configurations built at the same time, sharing the job slots.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    pub parallel: u32,
    /// Build every configuration with its own profile (no shared dependencies).
    #[arg(long)]
    pub no_share: bool,
    /// Build and measure even when an earlier run's row is still valid.
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Matrix")]
pub struct SelectArgs {
    /// Built-in set of configurations: standard (default), seed, release.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Configuration file (default: weigh.toml beside Cargo.toml, or [package.metadata.weigh]).
    #[arg(long, value_name = "FILE")]
    pub matrix_file: Option<PathBuf>,
    /// Only these configurations (comma separated names).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub only: Vec<String>,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Matrix")]
pub struct MatrixArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// The configuration the others are compared with (default: the first).
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// Build only shard K of N (configurations K, K+N, ...); join with `cargo weigh merge`.
    #[arg(long, value_name = "K/N", value_parser = shard)]
    pub shard: Option<Shard>,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Analysis")]
pub struct AnalysisArgs {
    /// Also build what isolates each setting of the smallest configuration.
    #[arg(long)]
    pub ablation: bool,
    /// Attribute every binary's bytes to crates and symbols.
    #[arg(long)]
    pub attribute: bool,
    /// For each configuration that strips, keep its symbols in `<artifact>.debug`.
    #[arg(long)]
    pub keep_debug: bool,
    /// Run every binary (with the target's runner) and flag output that differs from the baseline's.
    #[arg(long)]
    pub verify: bool,
    /// Runner command for --verify and --runtime (default: the target's runner from the cargo configuration).
    #[arg(long, value_name = "CMD")]
    pub runner: Option<String>,
    /// Seconds each --verify run may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub verify_timeout: u64,
    /// Under QEMU, firmware that never exits is stopped after this many instructions (the same point every run) and its complete lines compared.
    #[arg(long, value_name = "N", default_value_t = 20_000_000)]
    pub verify_limit: u64,
    /// What an update sends: the image (stripped file on a host) compressed with zstd, xz, lz4 and heatshrink.
    #[arg(long)]
    pub ota: bool,
    /// Also the bsdiff delta from this released build: an ELF file, or a saved JSON report (its binaries, matched by configuration name). Implies --ota.
    #[arg(long, value_name = "REPORT_OR_ELF")]
    pub ota_baseline: Option<PathBuf>,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Run time")]
pub struct RuntimeArgs {
    /// Also run every binary and measure it: instructions (exact, under QEMU for firmware, valgrind for hosts), boot, peak stack, a static stack bound.
    #[arg(long)]
    pub runtime: bool,
    /// Host binaries: the workload's arguments (split as a shell would).
    #[arg(
        long,
        value_name = "ARGS",
        requires = "runtime",
        allow_hyphen_values = true
    )]
    pub runtime_args: Option<String>,
    /// Host binaries: a file given to the workload as standard input.
    #[arg(long, value_name = "FILE", requires = "runtime")]
    pub runtime_stdin: Option<PathBuf>,
    /// Firmware that never exits is stopped after this many instructions.
    #[arg(long, value_name = "N", default_value_t = 200_000_000)]
    pub runtime_limit: u64,
    /// Seconds each measured run may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub runtime_timeout: u64,
    /// Host binaries: timed runs for the median wall time.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runtime_runs: u32,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Budget")]
pub struct BudgetArgs {
    /// Fail (exit 1) when a configuration's flash is over this size, e.g. 64K.
    #[arg(long, value_name = "SIZE", value_parser = size)]
    pub max_flash: Option<u64>,
    /// Fail (exit 1) when a configuration's RAM is over this size, e.g. 16K.
    #[arg(long, value_name = "SIZE", value_parser = size)]
    pub max_ram: Option<u64>,
    /// Fail when the static bytes a region of the memory map holds are over this, e.g. AXISRAM=400K (repeatable).
    #[arg(long, value_name = "REGION=SIZE", value_parser = region_limit)]
    pub max_region: Vec<crate::memory::RegionLimit>,
    /// Fail when flash (a WebAssembly module: its brotli size) grew more than this against --baseline-report: 2% or 512 (bytes).
    #[arg(long, value_name = "LIMIT", value_parser = growth, requires = "baseline_report")]
    pub max_growth: Option<Growth>,
    /// A saved JSON report growth is measured from (configurations matched by name).
    #[arg(long, value_name = "FILE")]
    pub baseline_report: Option<PathBuf>,
    /// WebAssembly: fail when a module's brotli transfer size is over this, e.g. 100K.
    #[arg(long, value_name = "SIZE", value_parser = size)]
    pub max_brotli: Option<u64>,
    /// WebAssembly: fail when a module's gzip transfer size is over this, e.g. 120K.
    #[arg(long, value_name = "SIZE", value_parser = size)]
    pub max_gzip: Option<u64>,
    /// Fail when a configuration's observed peak stack (with --runtime) is over this size, e.g. 8K.
    #[arg(long, value_name = "SIZE", value_parser = size)]
    pub max_stack: Option<u64>,
}

/// Prices for the cost column (off by default; `[cost]` in weigh.toml sets them too).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Cost")]
pub struct CostArgs {
    /// Price of one KiB of flash per unit.
    #[arg(long, value_name = "PRICE")]
    pub price_per_kib: Option<f64>,
    /// Units in the production run.
    #[arg(long, value_name = "N")]
    pub units: Option<u64>,
    /// Currency label, e.g. USD.
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

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, alias = "message-format", value_enum, default_value = "table")]
    pub format: Format,
    /// Write to this file (checked before any build starts).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Every column, not only those that fit the terminal.
    #[arg(long)]
    pub wide: bool,
    /// No progress.
    #[arg(short, long)]
    pub quiet: bool,
    /// Notes on how every figure was made, and cargo's own output in logs.
    #[arg(short, long)]
    pub verbose: bool,
    /// Coloring: auto, always, never (passed on to cargo).
    #[arg(long, value_enum, value_name = "WHEN")]
    pub color: Option<Color>,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Memory")]
pub struct MemoryArgs {
    /// Flash size of the chip, e.g. 512K, 1M, 0x80000 (overrides the linker's memory map).
    #[arg(long, value_name = "SIZE", value_parser = size)]
    pub flash_size: Option<u64>,
    /// RAM size of the chip, e.g. 128K.
    #[arg(long, value_name = "SIZE", value_parser = size)]
    pub ram_size: Option<u64>,
}
