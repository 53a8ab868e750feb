//! The compiler cache cargo runs rustc through (`RUSTC_WRAPPER`, or
//! `build.rustc-wrapper` in a cargo config), passed through untouched; when
//! it is sccache, its hits and misses during the run are reported.

use std::path::PathBuf;
use std::process::Command;

use serde::{Deserialize, Serialize};

/// What sccache did during one run (its server's counters, before and after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CompilerCacheUse {
    /// The wrapper as configured (`sccache`, or its path).
    pub wrapper: String,
    pub hits: u64,
    pub misses: u64,
    /// Compilations sccache does not cache (binaries, linking, build-script runs).
    pub not_cached: u64,
}

/// An sccache that cargo will run rustc through.
pub struct Sccache {
    program: PathBuf,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Counters {
    hits: u64,
    misses: u64,
    not_cached: u64,
}

impl Sccache {
    /// The wrapper cargo will use (from the cargo configuration), if it is sccache.
    pub fn detect(wrapper: Option<PathBuf>) -> Option<Sccache> {
        let wrapper = wrapper?;
        let is_sccache = wrapper
            .file_stem()
            .is_some_and(|s| s.to_string_lossy() == "sccache");
        is_sccache.then_some(Sccache { program: wrapper })
    }

    /// The server's counters now; `None` when sccache cannot say (it then
    /// starts its server with the first compilation, from zero).
    pub fn counters(&self) -> Option<Counters> {
        let mut cmd = Command::new(&self.program);
        cmd.args(["--show-stats", "--stats-format=json"]);
        let out = crate::process::output(&mut cmd, std::time::Duration::from_secs(60)).ok()?;
        if !out.status.success() {
            return None;
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
        let stats = v.get("stats")?;
        let sum = |key: &str| -> u64 {
            stats
                .get(key)
                .and_then(|m| m.get("counts"))
                .and_then(|c| c.as_object())
                .map(|c| c.values().filter_map(|n| n.as_u64()).sum())
                .unwrap_or(0)
        };
        let count = |key: &str| stats.get(key).and_then(|n| n.as_u64()).unwrap_or(0);
        Some(Counters {
            hits: sum("cache_hits"),
            misses: sum("cache_misses"),
            not_cached: count("requests_not_cacheable"),
        })
    }

    /// What happened between `before` and now.
    pub fn since(&self, before: Option<Counters>) -> Option<CompilerCacheUse> {
        let after = self.counters()?;
        let before = before.unwrap_or_default();
        Some(CompilerCacheUse {
            wrapper: self.program.display().to_string(),
            hits: after.hits.saturating_sub(before.hits),
            misses: after.misses.saturating_sub(before.misses),
            not_cached: after.not_cached.saturating_sub(before.not_cached),
        })
    }
}
