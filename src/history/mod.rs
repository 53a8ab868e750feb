//! Size over time: the project measured at each commit of a git range
//! (`history`), and the commit whose growth crossed a threshold (`bisect`).

mod git;
mod private;

pub use git::{commits, Checkout, Commit, GitError, Repo};
pub use private::{private_dir, PrivateDirError};

use serde::{Deserialize, Serialize};

pub use crate::options::Metric;
use crate::results::ConfigResult;

/// One commit's measurements.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Point {
    /// The full commit hash.
    pub commit: String,
    /// Its place in the whole range, oldest first (shards keep it).
    #[serde(default)]
    pub index: usize,
    /// The first line of its message.
    pub summary: String,
    /// The committer date, ISO 8601.
    pub date: String,
    /// Why the commit could not be measured at all (its rows may still
    /// hold build errors of their own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub configs: Vec<ConfigResult>,
    /// Every configuration came from the commit's size records.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_records: bool,
}

/// The points of a range, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct History {
    pub schema_version: u32,
    /// The range or revisions as given.
    pub range: String,
    /// The project, from the newest point.
    #[serde(default)]
    pub project: String,
    /// The target triple the points were built for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Shard `K/N` when this file holds only part of the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    pub points: Vec<Point>,
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Metric {
    /// The size of a built row (`None`: it did not build).
    pub fn of(self, c: &ConfigResult) -> Option<u64> {
        let s = c.size.as_ref().filter(|_| c.ok)?;
        match self {
            Metric::Flash => Some(s.flash_bytes),
            Metric::Ram => Some(s.ram_bytes),
            Metric::Stripped => Some(s.stripped_bytes),
            Metric::Image => s.image_bytes,
            Metric::File => Some(s.file_bytes),
            Metric::Brotli => s.wasm.as_ref().map(|w| w.shipped_brotli_bytes()),
            Metric::Normalized => s.normalized_bytes,
        }
    }
}

impl Point {
    /// The short hash and summary, as `git log --oneline` shows them.
    pub fn oneline(&self) -> String {
        format!("{} {}", short(&self.commit), self.summary)
    }

    pub fn config(&self, name: &str) -> Option<&ConfigResult> {
        self.configs.iter().find(|c| c.config.name == name)
    }
}

pub fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}

impl History {
    /// Every configuration name, in the order first seen.
    pub fn config_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in &self.points {
            for c in &p.configs {
                if !out.contains(&c.config.name) {
                    out.push(c.config.name.clone());
                }
            }
        }
        out
    }

    /// Flash on bare metal, the stripped file on a host (as the report).
    pub fn metric(&self) -> Metric {
        crate::results::Objective::for_target(self.target.as_deref().unwrap_or("-none")).metric()
    }
}
