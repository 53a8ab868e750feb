//! Memory regions, and what a binary places in each, by address.
//!
//! Every allocated section belongs to the region its run address (VMA)
//! falls in, and, when its bytes are stored elsewhere (`.data`, code copied
//! to RAM), also to the region of its load address (LMA): what lld's
//! `--print-memory-usage` counts. Totals are over every region of a kind,
//! never the first one listed.

use serde::{Deserialize, Serialize};

use crate::measure::{Measurement, SectionClass};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Region {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub attributes: String,
    pub origin: u64,
    #[serde(rename = "length_bytes")]
    pub length: u64,
}

/// What a region is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum RegionKind {
    /// Non-volatile: code, constants, load images.
    Flash,
    Ram,
    /// Neither its attributes nor its name say, and the binary places
    /// nothing there (a cache, a region of another core).
    Unknown,
}

impl Region {
    pub fn contains(&self, addr: u64) -> bool {
        addr >= self.origin && addr - self.origin < self.length
    }

    fn named(&self, words: &[&str]) -> bool {
        let n = self.name.to_ascii_uppercase();
        words.iter().any(|w| n.contains(w))
    }

    /// From its attributes (`rwx`, `rx`), else its name (`RAM`, `FLASH`,
    /// `BOOT2`), else `None`.
    pub fn declared_kind(&self) -> Option<RegionKind> {
        let a = self.attributes.to_ascii_lowercase();
        if !a.is_empty() && !a.starts_with('!') {
            return Some(if a.contains('w') {
                RegionKind::Ram
            } else {
                RegionKind::Flash
            });
        }
        if self.named(&["CACHE"]) {
            None
        } else if self.named(&["RAM", "TCM", "CCM", "RTC"]) {
            Some(RegionKind::Ram)
        } else if self.named(&["FLASH", "ROM", "BOOT"]) {
            Some(RegionKind::Flash)
        } else {
            None
        }
    }
}

/// A limit on the static bytes one region holds (`--max-region`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RegionLimit {
    pub region: String,
    pub max_bytes: u64,
}

/// The memory map of a build and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MemoryMap {
    pub source: String,
    pub regions: Vec<Region>,
    /// The non-volatile memory the flash figure is a share of: every
    /// flash region's length together (or `--flash-size`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flash_bytes: Option<u64>,
    /// Likewise every RAM region's (or `--ram-size`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ram_bytes: Option<u64>,
    /// Why a total is missing, when the regions cannot give one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What one binary places in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RegionUse {
    pub name: String,
    pub kind: RegionKind,
    #[serde(rename = "length_bytes")]
    pub length: u64,
    /// From the region's start to the end of the last byte placed there,
    /// as the linker counts (alignment gaps included), reservations left out.
    pub used_bytes: u64,
    /// Space taken by sections that only reserve it (`.stack`, `.heap`,
    /// placeholders): `used_bytes + reserved_bytes` is the linker's own figure.
    #[serde(default)]
    pub reserved_bytes: u64,
}

impl RegionUse {
    /// The share of the region its static bytes take, in %.
    pub fn used_pct(&self) -> Option<f64> {
        (self.length > 0).then(|| self.used_bytes as f64 * 100.0 / self.length as f64)
    }
}

/// Windows onto one memory under two names (Espressif's IROM/DROM onto
/// the flash chip, IRAM/DRAM onto one SRAM): their lengths cannot be added.
fn windows(regions: &[Region]) -> Vec<(&'static str, &'static str, RegionKind)> {
    let has = |n: &str| regions.iter().any(|r| r.name.eq_ignore_ascii_case(n));
    [
        ("IROM", "DROM", RegionKind::Flash),
        ("IRAM", "DRAM", RegionKind::Ram),
    ]
    .into_iter()
    .filter(|(a, b, _)| has(a) && has(b))
    .collect()
}

impl MemoryMap {
    pub fn from_regions(source: String, regions: Vec<Region>) -> MemoryMap {
        let aliased = windows(&regions);
        let total = |k: RegionKind| {
            if aliased.iter().any(|(_, _, w)| *w == k) {
                return None;
            }
            let mut of_kind = regions
                .iter()
                .filter(|r| r.declared_kind() == Some(k))
                .peekable();
            of_kind.peek()?;
            Some(of_kind.fold(0u64, |a, r| a.saturating_add(r.length)))
        };
        let note = (!aliased.is_empty()).then(|| {
            let said: Vec<String> = aliased
                .iter()
                .map(|(a, b, k)| match k {
                    RegionKind::Flash => format!(
                        "{a} and {b} are two windows onto the flash chip: pass --flash-size (your app partition's size) for Flash %"
                    ),
                    _ => format!("{a} and {b} are two windows onto one SRAM: pass --ram-size for RAM %"),
                })
                .collect();
            format!("no total from the memory map: {}", said.join("; "))
        });
        let (flash, ram) = (total(RegionKind::Flash), total(RegionKind::Ram));
        MemoryMap {
            source,
            flash_bytes: flash,
            ram_bytes: ram,
            note,
            regions,
        }
    }

    /// Apply `--flash-size`/`--ram-size`, which win over the map.
    pub fn with_overrides(mut self, flash: Option<u64>, ram: Option<u64>) -> MemoryMap {
        if flash.is_some() || ram.is_some() {
            if !self.source.ends_with(" (sizes from the command line)") {
                self.source = format!("{} (sizes from the command line)", self.source);
            }
            if flash.is_some() && ram.is_some() {
                self.note = None;
            }
        }
        self.flash_bytes = flash.or(self.flash_bytes);
        self.ram_bytes = ram.or(self.ram_bytes);
        self
    }

    fn region_at(&self, addr: u64) -> Option<usize> {
        self.regions.iter().position(|r| r.contains(addr))
    }

    /// A region's kind: declared, else RAM when writable data or code
    /// runs there, else flash when bytes are stored there, else unknown.
    fn kind_of(&self, i: usize, m: &Measurement) -> RegionKind {
        let r = &self.regions[i];
        if let Some(k) = r.declared_kind() {
            return k;
        }
        let placed = m.sections.iter().filter(|s| s.class != SectionClass::Other);
        let mut stored = false;
        for s in placed.filter(|s| s.size > 0 && !s.is_placeholder()) {
            let runs_here = r.contains(s.address);
            let copied = s.load_address != s.address;
            if runs_here && (matches!(s.class, SectionClass::Data | SectionClass::Bss) || copied) {
                return RegionKind::Ram;
            }
            stored |= s.flash_bytes > 0 && r.contains(s.load_address);
        }
        if stored {
            RegionKind::Flash
        } else {
            RegionKind::Unknown
        }
    }

    /// Per region, what the binary places there, by address: each
    /// allocated section where it runs, and where its bytes are stored
    /// when that is elsewhere (`.data`, code copied to RAM at start-up).
    pub fn usage(&self, m: &Measurement) -> Vec<RegionUse> {
        let n = self.regions.len();
        // Per region: the end of the static bytes and of everything.
        let (mut end_static, mut end_all) = (vec![None::<u64>; n], vec![None::<u64>; n]);
        let mut place = |addr: u64, size: u64, reservation: bool| {
            let Some(i) = self.region_at(addr) else {
                return;
            };
            let e = addr.saturating_add(size);
            let grow = |x: &mut Option<u64>| *x = Some(x.map_or(e, |x| x.max(e)));
            grow(&mut end_all[i]);
            if !reservation {
                grow(&mut end_static[i]);
            }
        };
        // An empty section the linker kept still moved its location counter
        // to its (aligned) address: lld counts up to there, and so do we.
        for s in m.sections.iter().filter(|s| s.class != SectionClass::Other) {
            place(s.address, s.size, s.is_reservation());
            if s.flash_bytes > 0 && s.load_address != s.address {
                place(s.load_address, s.size, false);
            }
        }
        self.regions
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let used = end_static[i].map_or(0, |e| e.saturating_sub(r.origin));
                let all = end_all[i].map_or(0, |e| e.saturating_sub(r.origin));
                RegionUse {
                    name: r.name.clone(),
                    kind: self.kind_of(i, m),
                    length: r.length,
                    used_bytes: used,
                    // Reservations after the static bytes take the rest of
                    // the extent (alignment included), as the linker counts;
                    // one before them is inside the used extent already.
                    reserved_bytes: all.saturating_sub(used),
                }
            })
            .collect()
    }

    /// Static RAM by address: the bytes of every section that runs in a
    /// RAM region (data, zero-initialised data, code copied there),
    /// reservations and placeholders left out; `None` when writable data
    /// lies outside every region (the map does not describe this binary).
    pub fn ram_by_address(&self, m: &Measurement) -> Option<u64> {
        let kinds: Vec<RegionKind> = (0..self.regions.len())
            .map(|i| self.kind_of(i, m))
            .collect();
        let mut ram = 0u64;
        for s in m.sections.iter().filter(|s| s.class != SectionClass::Other) {
            if s.size == 0 || s.is_reservation() {
                continue;
            }
            match self.region_at(s.address) {
                Some(i) if kinds[i] == RegionKind::Ram => ram = ram.saturating_add(s.size),
                Some(_) => {}
                None if s.ram_bytes > 0 => return None,
                None => {}
            }
        }
        Some(ram)
    }
}

#[cfg(test)]
mod tests;
