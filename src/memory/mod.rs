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
    /// Read the memory map: the linker scripts named by `-T` flags (and the
    /// files they `INCLUDE`) when one holds a MEMORY block, else `memory.x`
    /// from the first directory that has one.
    pub fn discover(
        dirs: &[&Path],
        linker_scripts: &[String],
    ) -> Result<Option<MemoryMap>, MemoryError> {
        let mut candidates: Vec<PathBuf> = Vec::new();
        for script in linker_scripts {
            if let Some(p) = dirs.iter().map(|d| d.join(script)).find(|p| p.is_file()) {
                let included = includes(&p);
                candidates.push(p);
                candidates.extend(included);
            }
        }
        candidates.extend(dirs.iter().map(|d| d.join("memory.x")));
        for path in candidates {
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

/// Files a linker script pulls in with `INCLUDE name`, beside it.
fn includes(script: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(script) else {
        return Vec::new();
    };
    let dir = script.parent().unwrap_or(Path::new("."));
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("INCLUDE"))
        .map(|rest| rest.trim().trim_matches('"').trim_end_matches(';').trim())
        .filter(|name| !name.is_empty())
        .map(|name| dir.join(name))
        .collect()
}

/// Linker scripts named in rustflags: `-Tfile`, `-C link-arg=-Tfile`.
pub fn linker_scripts(flags: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut iter = flags.iter();
    while let Some(f) = iter.next() {
        let arg = if f == "-C" {
            iter.next().map(String::as_str).unwrap_or("")
        } else {
            f.strip_prefix("-C").unwrap_or(f)
        };
        let arg = arg
            .strip_prefix("link-arg=")
            .or_else(|| arg.strip_prefix("link-args="))
            .unwrap_or(arg);
        for word in arg.split_whitespace() {
            if let Some(name) = word.strip_prefix("-T") {
                if !name.is_empty() {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_block_found_through_linker_script_flags() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("board.ld"),
            "INCLUDE regions.ld\nSECTIONS { }\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("regions.ld"),
            "MEMORY { ROM (rx) : ORIGIN = 0, LENGTH = 64K\n RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 8K }",
        )
        .unwrap();
        let m = MemoryMap::discover(&[dir.path()], &["board.ld".into()])
            .unwrap()
            .unwrap();
        assert!(m.source.ends_with("regions.ld"), "{}", m.source);
        assert_eq!(m.flash_bytes, Some(64 * 1024));
        assert_eq!(m.ram_bytes, Some(8 * 1024));
        // Without the flag and without memory.x there is no map.
        assert!(MemoryMap::discover(&[dir.path()], &[]).unwrap().is_none());
    }

    #[test]
    fn a_broken_memory_x_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("memory.x"),
            "MEMORY {\n FLASH : ORIGIN = 0x0, LENGTH = 12Q\n}",
        )
        .unwrap();
        let e = MemoryMap::discover(&[dir.path()], &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("memory.x") && e.contains("line 2") && e.contains("--flash-size"),
            "{e}"
        );
    }
}
