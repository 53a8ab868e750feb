//! What `apply` last wrote, kept in the tool's directory of the target
//! directory: `check` gates that configuration by default (it is what the
//! project ships), `release` as it is when nothing was applied.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::config::Config;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    /// The profile it was written into (`release` by default).
    pub profile: String,
    pub config: Config,
}

impl Applied {
    /// The configuration, named for where it went.
    pub fn as_config(&self) -> Config {
        let mut c = self.config.clone();
        c.name = format!("{} (profile {})", c.name, self.profile);
        c
    }
}

/// Where the record of a tool directory is.
pub fn path(weigh_dir: &Path) -> PathBuf {
    weigh_dir.join("applied.json")
}

/// What was applied last, if anything (an unreadable record is ignored).
pub fn load(record: &Path) -> Option<Applied> {
    let bytes = std::fs::read(record).ok()?;
    serde_json::from_slice(&bytes).ok()
}
