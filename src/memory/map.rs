//! Memory regions, and what a binary places in each, by address.

use serde::{Deserialize, Serialize};

use crate::measure::{Measurement, SectionClass};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Region {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub attributes: String,
    pub origin: u64,
    #[serde(rename = "length_bytes")]
    pub length: u64,
}

/// What a region is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RegionKind {
    /// Non-volatile: code, constants, load images.
    Flash,
    Ram,
}

impl Region {
    pub fn contains(&self, addr: u64) -> bool {
        addr >= self.origin && addr - self.origin < self.length
    }

    fn named(&self, words: &[&str]) -> bool {
        let n = self.name.to_ascii_uppercase();
        words.iter().any(|w| n.contains(w))
    }

    /// From its attributes (`rwx`, `rx`), else its name (`RAM`, `FLASH`),
    /// else `None`.
    fn declared_kind(&self) -> Option<RegionKind> {
        let a = self.attributes.to_ascii_lowercase();
        if !a.is_empty() && !a.starts_with('!') {
            return Some(if a.contains('w') {
                RegionKind::Ram
            } else {
                RegionKind::Flash
            });
        }
        if self.named(&["RAM", "TCM", "CCM"]) {
            Some(RegionKind::Ram)
        } else if self.named(&["FLASH", "ROM"]) {
            Some(RegionKind::Flash)
        } else {
            None
        }
    }
}

/// The memory map of a build and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MemoryMap {
    pub source: String,
    pub regions: Vec<Region>,
    /// Size of the flash the budget counts against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flash_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ram_bytes: Option<u64>,
}

/// What one binary places in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RegionUse {
    pub name: String,
    pub kind: RegionKind,
    #[serde(rename = "length_bytes")]
    pub length: u64,
    /// From the region's start to the end of the last byte placed there,
    /// as the linker counts (alignment gaps included), reservations left out.
    pub used_bytes: u64,
    /// Space taken by sections that only reserve it (`.stack`, `.heap`):
    /// `used_bytes + reserved_bytes` is the linker's own figure.
    #[serde(default)]
    pub reserved_bytes: u64,
}

/// A section that only reserves RAM for the stack or the heap.
fn is_reservation(name: &str, class: SectionClass) -> bool {
    let n = name.to_ascii_lowercase();
    class == SectionClass::Bss && (n.contains("stack") || n.contains("heap"))
}

impl MemoryMap {
    pub fn from_regions(source: String, regions: Vec<Region>) -> MemoryMap {
        let kind = |k| {
            regions
                .iter()
                .find(|r| r.declared_kind() == Some(k))
                .map(|r| r.length)
        };
        let (flash, ram) = (kind(RegionKind::Flash), kind(RegionKind::Ram));
        MemoryMap {
            source,
            flash_bytes: flash.or_else(|| regions.first().map(|r| r.length)),
            ram_bytes: ram,
            regions,
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

    /// A region's kind: declared, else RAM when writable or zero-filled
    /// sections run there.
    fn kind_of(&self, i: usize, m: &Measurement) -> RegionKind {
        let r = &self.regions[i];
        r.declared_kind().unwrap_or_else(|| {
            let ram = m.sections.iter().any(|s| {
                matches!(s.class, SectionClass::Data | SectionClass::Bss) && r.contains(s.address)
            });
            if ram {
                RegionKind::Ram
            } else {
                RegionKind::Flash
            }
        })
    }

    /// Per region, what the binary places there, by address: each
    /// allocated section where it runs, and where its bytes are stored
    /// when that is elsewhere (`.data`, code copied to RAM at start-up).
    pub fn usage(&self, m: &Measurement) -> Vec<RegionUse> {
        let n = self.regions.len();
        // Per region: the end of the static bytes, of everything, and the
        // bytes of reservations.
        let (mut end_static, mut end_all) = (vec![None::<u64>; n], vec![None::<u64>; n]);
        let mut reserved = vec![0u64; n];
        let mut place = |addr: u64, size: u64, reservation: bool| {
            let Some(i) = self.regions.iter().position(|r| r.contains(addr)) else {
                return;
            };
            let e = addr.saturating_add(size);
            let grow = |x: &mut Option<u64>| *x = Some(x.map_or(e, |x| x.max(e)));
            grow(&mut end_all[i]);
            if reservation {
                reserved[i] += size;
            } else {
                grow(&mut end_static[i]);
            }
        };
        for s in m.sections.iter().filter(|s| s.class != SectionClass::Other) {
            if s.size == 0 {
                continue;
            }
            place(s.address, s.size, is_reservation(&s.name, s.class));
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
                    // A reservation after the static bytes takes the rest of
                    // the extent (its alignment included), as the linker counts.
                    reserved_bytes: if all > used { all - used } else { reserved[i] },
                }
            })
            .collect()
    }

    /// Flash and static RAM by address: the section bytes stored in flash
    /// regions and the bytes placed in RAM regions (reservations left out);
    /// `None` when a section lies outside every region.
    pub fn by_address(&self, m: &Measurement) -> Option<(u64, u64)> {
        let kinds: Vec<RegionKind> = (0..self.regions.len())
            .map(|i| self.kind_of(i, m))
            .collect();
        let kind_at = |addr: u64| {
            self.regions
                .iter()
                .position(|r| r.contains(addr))
                .map(|i| kinds[i])
        };
        let (mut flash, mut ram) = (0u64, 0u64);
        for s in m.sections.iter().filter(|s| s.class != SectionClass::Other) {
            if s.size == 0 {
                continue;
            }
            let run = kind_at(s.address)?;
            if s.flash_bytes > 0 && kind_at(s.load_address)? == RegionKind::Flash {
                flash += s.size;
            }
            if !is_reservation(&s.name, s.class) && run == RegionKind::Ram {
                ram += s.size;
            }
        }
        Some((flash, ram))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::SectionSize;

    fn section(name: &str, class: SectionClass, address: u64, load: u64, size: u64) -> SectionSize {
        let flash = if class == SectionClass::Bss { 0 } else { size };
        SectionSize {
            name: name.into(),
            class,
            size,
            address,
            load_address: load,
            flash_bytes: flash,
            ram_bytes: if class == SectionClass::Text { 0 } else { size },
        }
    }

    #[test]
    fn usage_by_address_with_ram_code_a_second_ram_and_a_stack_reservation() {
        let map = MemoryMap::from_regions(
            "memory.x".into(),
            vec![
                Region {
                    name: "FLASH".into(),
                    attributes: String::new(),
                    origin: 0,
                    length: 4096,
                },
                Region {
                    name: "RAM".into(),
                    attributes: String::new(),
                    origin: 0x2000_0000,
                    length: 1024,
                },
                Region {
                    name: "RAM2".into(),
                    attributes: String::new(),
                    origin: 0x2000_0400,
                    length: 512,
                },
            ],
        );
        let sections = vec![
            section(".text", SectionClass::Text, 0, 0, 1000),
            section(".data", SectionClass::Data, 0x2000_0000, 1000, 8),
            // Code that runs from RAM: stored in flash, copied at start-up.
            section(".ramfunc", SectionClass::Text, 0x2000_0008, 1008, 40),
            section(".bss", SectionClass::Bss, 0x2000_0030, 0x2000_0030, 16),
            section(".stack", SectionClass::Bss, 0x2000_0040, 0x2000_0040, 960),
            section(".ram2", SectionClass::Bss, 0x2000_0400, 0x2000_0400, 100),
        ];
        let m = Measurement {
            file_bytes: 0,
            stripped_bytes: 0,
            flash_bytes: 0,
            ram_bytes: 0,
            image_bytes: 0,
            berkeley: crate::measure::Berkeley {
                text: 0,
                data: 0,
                bss: 0,
            },
            format: String::new(),
            has_debug_info: false,
            debug_info_bytes: 0,
            symbol_table_bytes: 0,
            flash_hash: String::new(),
            sections,
        };
        let u = map.usage(&m);
        let got: Vec<(&str, RegionKind, u64, u64)> = u
            .iter()
            .map(|r| (r.name.as_str(), r.kind, r.used_bytes, r.reserved_bytes))
            .collect();
        assert_eq!(
            got,
            [
                ("FLASH", RegionKind::Flash, 1048, 0),
                ("RAM", RegionKind::Ram, 0x40, 960),
                ("RAM2", RegionKind::Ram, 100, 0),
            ]
        );
        // RAM counts the code that runs there; the stack is not "used".
        assert_eq!(map.by_address(&m), Some((1048, 8 + 40 + 16 + 100)));
        assert_eq!((map.flash_bytes, map.ram_bytes), (Some(4096), Some(1024)));
    }
}
