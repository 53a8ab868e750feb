//! `cargo weigh record …` and `cargo weigh plan`: size records shared
//! through the repository, and CI jobs for the commits not yet recorded.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{
    CompileArgs, FeatureArgs, OutputArgs, PackageArgs, ProjectArgs, RecordArgs, SelectArgs,
};
use crate::options::{PlanFormat, PlanOptions, RecordAction};

#[derive(Debug, Args, Clone)]
pub struct RecordCmdArgs {
    #[command(subcommand)]
    pub action: RecordActionArgs,
}

#[derive(Debug, Subcommand, Clone)]
pub enum RecordActionArgs {
    /// Push the size records (refs/notes/cargo-weigh) to a remote, joining theirs first when they moved on.
    Push {
        /// The remote (default: origin).
        #[arg(default_value = "origin")]
        remote: String,
    },
    /// Fetch a remote's size records and join them with ours (never a conflict: records are lines).
    Fetch {
        #[arg(default_value = "origin")]
        remote: String,
    },
    /// The size records of a commit, one JSON line each, and whether any disagree.
    Show {
        /// The commit (default: HEAD).
        #[arg(default_value = "HEAD")]
        rev: String,
        /// Read records from this directory instead of git notes.
        #[arg(long, value_name = "DIR")]
        records_dir: Option<PathBuf>,
    },
    /// Add the records of directories (`--records-dir` of CI jobs) to the repository's notes.
    Import {
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
    },
}

impl RecordCmdArgs {
    pub fn options(&self) -> RecordAction {
        match &self.action {
            RecordActionArgs::Push { remote } => RecordAction::Push(remote.clone()),
            RecordActionArgs::Fetch { remote } => RecordAction::Fetch(remote.clone()),
            RecordActionArgs::Show { rev, records_dir } => RecordAction::Show {
                rev: rev.clone(),
                dir: records_dir.clone(),
            },
            RecordActionArgs::Import { dirs } => RecordAction::Import(dirs.clone()),
        }
    }
}

#[derive(Debug, Args, Clone)]
pub struct PlanArgs {
    /// Commits to cover: a git range `A..B` or revisions separated by commas.
    #[arg(value_name = "RANGE")]
    pub range: String,
    /// How many jobs at most (GitHub allows 256 in one matrix).
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub shards: u32,
    /// `github-matrix`: `{"include":[{"job":1,"revs":"…"}]}` for `strategy.matrix`; `json`: the commits and configurations missing too.
    #[arg(long, value_enum, default_value = "github-matrix")]
    pub format: PlanFormat,
    /// Read records from this directory instead of git notes.
    #[arg(long, value_name = "DIR")]
    pub records_dir: Option<PathBuf>,
    /// No progress.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub package: PackageArgs,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub compile: CompileArgs,
    #[command(flatten)]
    pub select: SelectArgs,
}

impl PlanArgs {
    pub fn options(&self) -> PlanOptions {
        let project = ProjectArgs {
            package: self.package.clone(),
            features: self.features.clone(),
            compile: self.compile.clone(),
            select: self.select.clone(),
            output: OutputArgs {
                quiet: self.quiet,
                ..OutputArgs::default()
            },
        };
        let records = RecordArgs {
            records_dir: self.records_dir.clone(),
            ..RecordArgs::default()
        };
        PlanOptions {
            range: self.range.clone(),
            shards: self.shards as usize,
            format: self.format,
            run: project.commit_run(false, &records),
        }
    }
}
