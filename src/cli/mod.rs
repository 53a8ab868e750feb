//! The command line (clap): each command takes only the groups of
//! arguments it uses, values are checked by the parsers in `parse`, and
//! `convert` turns them into the plain `options` the rest reads.

mod args;
mod convert;
mod parse;
pub mod records;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use args::{
    AnalysisArgs, BudgetArgs, CompileArgs, CostArgs, FeatureArgs, MatrixArgs, MemoryArgs,
    OutputArgs, PackageArgs, RuntimeArgs, SelectArgs,
};

const ABOUT: &str = "Build a Cargo project under a matrix of release-profile settings and measure every binary from the ELF itself: flash, RAM, stripped, image, build time. Ends with the verdict: the smallest configuration and how to apply it.";

#[derive(Debug, Parser)]
#[command(
    name = "cargo-weigh",
    bin_name = "cargo weigh",
    version,
    about = ABOUT,
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
    /// Build the matrix (or read a saved report) and exit 1 when a
    /// configuration is over budget or does not fit: a CI gate.
    Check(Box<CheckArgs>),
    /// Search for the smallest configuration.
    Optimize(Box<OptimizeArgs>),
    /// Where the bytes go: crates and symbols of a binary or of one configuration's build.
    Top(Box<TopArgs>),
    /// Why a symbol is in the binary: the chain of references from a root that keeps it, and what would go with it.
    Why(Box<WhyArgs>),
    /// Compare two builds: saved reports, binaries, or the project at a git revision.
    Diff(Box<DiffArgs>),
    /// Size over time: build and measure each commit of a git range (your checkout untouched).
    History(Box<HistoryArgs>),
    /// Find the commit whose size grew by at least a threshold over its parent.
    Bisect(Box<BisectArgs>),
    /// Write a configuration into Cargo.toml as a profile, showing the diff first.
    Apply(Box<ApplyArgs>),
    /// Measure binaries built elsewhere (any ELF file, C firmware too). Runs nothing.
    Measure(MeasureArgs),
    /// Render a saved JSON report in another format.
    Show(ShowArgs),
    /// Join the JSON reports of shards (`--shard K/N`) into one report.
    Merge(MergeArgs),
    /// Size records of measured commits (git notes): push, fetch, show, import.
    Record(records::RecordCmdArgs),
    /// The CI jobs (a GitHub Actions matrix) that measure the commits of a range not yet recorded.
    Plan(Box<records::PlanArgs>),
    /// List the built-in presets and their configurations.
    Presets,
}

/// The matrix run (`cargo weigh`).
#[derive(Debug, Args, Clone, Default)]
pub struct RunArgs {
    #[command(flatten)]
    pub package: PackageArgs,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub compile: CompileArgs,
    #[command(flatten)]
    pub matrix: MatrixArgs,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
    #[command(flatten)]
    pub budget: BudgetArgs,
    #[command(flatten)]
    pub cost: CostArgs,
    #[command(flatten)]
    pub memory: MemoryArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// Check this saved JSON report instead of building.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Gate every configuration of the matrix (or of the report), not only
    /// the project's own profile (`release` as it is).
    #[arg(long, conflicts_with = "only")]
    pub all: bool,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args, Clone)]
pub struct OptimizeArgs {
    /// Stop after this many builds.
    #[arg(long, value_name = "N", default_value_t = 40)]
    pub max_builds: usize,
    /// Reject configurations whose build takes more CPU seconds than this.
    #[arg(long, value_name = "SECONDS")]
    pub max_build_time: Option<f64>,
    /// Keep panic = "unwind" (do not search the panic strategy).
    #[arg(long)]
    pub keep_unwind: bool,
    /// Only stable options: no -Z flags, no build-std features, no immediate-abort.
    #[arg(long)]
    pub stable_only: bool,
    /// Only configurations at most this much slower than the start, in executed instructions (measured with --runtime's method): 5% or 5.
    #[arg(long, value_name = "PCT", value_parser = parse::percent)]
    pub max_slowdown: Option<f64>,
    /// Only configurations whose observed peak stack is at most this, e.g. 8K.
    #[arg(long, value_name = "SIZE", value_parser = parse::size)]
    pub max_stack: Option<u64>,
    /// Runner for measuring run time (default: the target's runner from the cargo configuration).
    #[arg(long, value_name = "CMD")]
    pub runner: Option<String>,
    /// Host binaries: the workload's arguments for measuring run time.
    #[arg(long, value_name = "ARGS", allow_hyphen_values = true)]
    pub runtime_args: Option<String>,
    #[command(flatten)]
    pub package: PackageArgs,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub compile: CompileArgs,
    #[command(flatten)]
    pub memory: MemoryArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub struct TopArgs {
    /// An ELF file to attribute (default: build one configuration of the project).
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
    /// Sort symbols by what they retain (their bytes and those only they keep, from the references the link kept), with what formatting and panics cost.
    #[arg(long)]
    pub retained: bool,
    /// The copies of each generic function, and the crates that made them.
    #[arg(long)]
    pub generics: bool,
    #[command(flatten)]
    pub build: OneBuildArgs,
}

/// One configuration of the project built to be read (`top`, `why`), or
/// rlibs named for a file built elsewhere.
#[derive(Debug, Args, Clone)]
pub struct OneBuildArgs {
    /// Directories of rlibs to index for exact crate names (default: the build's own).
    #[arg(long, value_name = "DIR")]
    pub rlibs: Vec<PathBuf>,
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// What every command that builds the project takes: which package and
/// binary, its features, how it compiles, which configurations, the output.
#[derive(Debug, Args, Clone)]
pub struct ProjectArgs {
    #[command(flatten)]
    pub package: PackageArgs,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub compile: CompileArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub struct WhyArgs {
    /// The symbol: part of its name (`core::fmt::write`), or a glob over the whole name (`*panic*`).
    #[arg(value_name = "SYMBOL")]
    pub pattern: String,
    /// An ELF file linked with `-C link-arg=--emit-relocs` (default: build one configuration so).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// SYMBOL names a crate: its dependency path from the project, and its symbols the roots reach first.
    #[arg(long = "crate")]
    pub krate: bool,
    /// Chains per symbol: its shortest, then the shortest through each other symbol that refers to it.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub all_paths: usize,
    /// How many matching symbols to explain (the largest first).
    #[arg(short = 'n', long, value_name = "N", default_value_t = 5)]
    pub limit: usize,
    #[command(flatten)]
    pub build: OneBuildArgs,
}

/// Size records of the commits measured.
#[derive(Debug, Args, Clone, Default)]
pub struct RecordArgs {
    /// Keep what is measured as size records of its commit (git notes under refs/notes/cargo-weigh, or --records-dir); `cargo weigh record push` shares them.
    #[arg(long)]
    pub record: bool,
    /// Build and measure every commit, even one whose size record matches.
    #[arg(long)]
    pub no_records: bool,
    /// Keep and read records in this directory (a file per commit) instead of git notes: for a CI cache or artifact.
    #[arg(long, value_name = "DIR")]
    pub records_dir: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct HistoryArgs {
    /// Commits to measure, oldest first: a git range `A..B` (reachable from B, not from A) or revisions separated by commas.
    #[arg(value_name = "RANGE")]
    pub range: String,
    /// Measure only shard K of N of the commits (K, K+N, ...); join with `cargo weigh merge`.
    #[arg(long, value_name = "K/N", value_parser = parse::shard)]
    pub shard: Option<crate::options::Shard>,
    #[command(flatten)]
    pub records: RecordArgs,
    #[command(flatten)]
    pub project: ProjectArgs,
}

#[derive(Debug, Args, Clone)]
pub struct BisectArgs {
    /// The range to search, `GOOD..BAD` (first parents only, as a line).
    #[arg(value_name = "RANGE")]
    pub range: String,
    /// The growth to find over a commit's parent: a size (2K, 512) or a percentage (1%).
    #[arg(long, value_name = "SIZE|PCT", value_parser = parse::growth)]
    pub grew: crate::budget::Growth,
    /// What grew (default: flash on bare metal, the stripped file on a host).
    #[arg(long, value_enum)]
    pub metric: Option<crate::options::Metric>,
    /// How many crates and symbols the step's diff lists.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    #[command(flatten)]
    pub records: RecordArgs,
    #[command(flatten)]
    pub project: ProjectArgs,
}

#[derive(Debug, Args, Clone)]
pub struct DiffArgs {
    /// Before and after: JSON reports or ELF files (with --git: none).
    #[arg(value_name = "BEFORE AFTER", num_args = 0..=2)]
    pub inputs: Vec<PathBuf>,
    /// Build the project at this git revision (never touching your checkout) and diff the working tree against it.
    #[arg(long, value_name = "REV")]
    pub git: Option<String>,
    /// Of one report: the configuration to diff from (with --to).
    #[arg(long, value_name = "NAME", requires = "to")]
    pub from: Option<String>,
    /// Of one report: the configuration to diff to (with --from).
    #[arg(long, value_name = "NAME", requires = "from")]
    pub to: Option<String>,
    /// Fail (exit 1) when any configuration's flash grew more than this: 1% or 512 (bytes).
    #[arg(long, value_name = "LIMIT", value_parser = parse::growth)]
    pub fail_on_growth: Option<crate::budget::Growth>,
    /// How many crates and symbols to list per configuration.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// Hide crate and symbol changes smaller than this (alignment and inlining jitter), e.g. 16.
    #[arg(long, value_name = "SIZE", value_parser = parse::size, default_value = "0")]
    pub min_change: u64,
    #[command(flatten)]
    pub records: RecordArgs,
    #[command(flatten)]
    pub project: ProjectArgs,
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
pub struct MeasureArgs {
    /// ELF files to measure.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Linker memory map with a MEMORY block (e.g. memory.x) for flash/RAM %.
    #[arg(long, value_name = "FILE")]
    pub memory_x: Option<PathBuf>,
    /// The file the others are compared with (default: the first).
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    #[command(flatten)]
    pub memory: MemoryArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub struct ShowArgs {
    /// A JSON report written by `cargo weigh --format json`.
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub struct MergeArgs {
    /// JSON reports of the shards.
    #[arg(required = true, value_name = "REPORT")]
    pub reports: Vec<PathBuf>,
    /// The configuration the others are compared with (default: the first).
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
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
