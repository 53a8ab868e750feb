//! Size records: how a command uses them, and the `record` and `plan`
//! commands.

use std::path::PathBuf;

/// How records are used by a command that measures commits.
#[derive(Debug, Clone, Default)]
pub struct RecordsOptions {
    /// Take a commit's configuration from its record when one matches.
    pub read: bool,
    /// Record what was measured (`--record`).
    pub write: bool,
    /// The store is this directory, not the repository's notes.
    pub dir: Option<PathBuf>,
    /// The repository and commit being measured (set per commit).
    pub at: Option<(PathBuf, String)>,
}

/// `cargo weigh record …`.
#[derive(Debug, Clone)]
pub enum RecordAction {
    Push(String),
    Fetch(String),
    Show { rev: String, dir: Option<PathBuf> },
    Import(Vec<PathBuf>),
}

/// What `plan` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    GithubMatrix,
    Json,
}
