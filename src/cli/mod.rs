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
    /// List the built-in presets and their configurations.
    Presets,
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
    /// Parallel jobs for each cargo build.
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<u32>,
    /// Stop a configuration's build after this many seconds and mark it failed.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub output: OutputArgs,
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
