//! The chip's memory regions, from the project's linker memory map
//! (`memory.x`, the cortex-m-rt convention) or from `--flash-size`/`--ram-size`.

mod parse;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use parse::{parse_memory, parse_size, ParseError};

use crate::measure::Measurement;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub attributes: String,
    pub origin: u64,
    pub length: u64,
}

impl Region {
    pub fn contains(&self, addr: u64) -> bool {
        addr >= self.origin && addr - self.origin < self.length
    }

    fn named(&self, words: &[&str]) -> bool {
        let n = self.name.to_ascii_uppercase();
        words.iter().any(|w| n.contains(w))
    }

    fn writable(&self) -> bool {
        let a = self.attributes.to_ascii_lowercase();
        a.contains('w') && !a.starts_with('!')
    }
}

/// The memory map of a run and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryMap {
    pub source: String,
    pub regions: Vec<Region>,
    /// Size of the flash the budget counts against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flash_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ram_bytes: Option<u64>,
}

/// Bytes used in one region by one binary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionUse {
    pub name: String,
    pub used_bytes: u64,
    pub length: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid memory map `{path}`: {error}\n  hint: fix the MEMORY block, or pass --flash-size/--ram-size instead")]
pub struct MemoryError {
    pub path: PathBuf,
    pub error: ParseError,
}

impl MemoryMap {
    /// Read `memory.x` from the first directory that has one.
    pub fn discover(dirs: &[&Path]) -> Result<Option<MemoryMap>, MemoryError> {
        for dir in dirs {
            let path = dir.join("memory.x");
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let regions = parse_memory(&text).map_err(|error| MemoryError {
                path: path.clone(),
                error,
            })?;
            if regions.is_empty() {
                continue;
            }
            return Ok(Some(MemoryMap::from_regions(
                path.display().to_string(),
                regions,
            )));
        }
        Ok(None)
    }

    pub fn from_regions(source: String, regions: Vec<Region>) -> MemoryMap {
        let flash = regions
            .iter()
            .find(|r| r.named(&["FLASH", "ROM"]))
            .or_else(|| regions.iter().find(|r| !r.writable()))
            .map(|r| r.length);
        let ram = regions
            .iter()
            .find(|r| r.named(&["RAM"]))
            .or_else(|| regions.iter().find(|r| r.writable()))
            .map(|r| r.length);
        MemoryMap {
            source,
            regions,
            flash_bytes: flash,
            ram_bytes: ram,
        }
    }

    /// Apply `--flash-size`/`--ram-size`, which win over the map.
    pub fn with_overrides(mut self, flash: Option<u64>, ram: Option<u64>) -> MemoryMap {
        if flash.is_some() || ram.is_some() {
            self.source = format!("{} (sizes from the command line)", self.source);
        }
        self.flash_bytes = flash.or(self.flash_bytes);
        self.ram_bytes = ram.or(self.ram_bytes);
        self
    }

    /// Per region, the bytes a binary places there: flash bytes by load
    /// address, RAM bytes by run address.
    pub fn usage(&self, m: &Measurement) -> Vec<RegionUse> {
        let mut used = vec![0u64; self.regions.len()];
        for s in &m.sections {
            if s.flash_bytes > 0 {
                if let Some(i) = self.regions.iter().position(|r| r.contains(s.load_address)) {
                    used[i] += s.flash_bytes;
                }
            }
            if s.ram_bytes > 0 {
                if let Some(i) = self.regions.iter().position(|r| r.contains(s.address)) {
                    // .data's run copy lands here; its image was counted above.
                    used[i] += s.ram_bytes;
                }
            }
        }
        self.regions
            .iter()
            .zip(used)
            .map(|(r, used_bytes)| RegionUse {
                name: r.name.clone(),
                used_bytes,
                length: r.length,
            })
            .collect()
    }
}
