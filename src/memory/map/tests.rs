use super::*;
use crate::measure::{Berkeley, SectionSize};

/// A section as the ELF reader classifies it: `nobits` for sections
/// without contents (`.bss`, placeholders).
fn section(name: &str, class: SectionClass, address: u64, load: u64, size: u64) -> SectionSize {
    let flash = if class == SectionClass::Bss { 0 } else { size };
    SectionSize {
        name: name.into(),
        class,
        size,
        address,
        load_address: load,
        flash_bytes: flash,
        ram_bytes: if matches!(class, SectionClass::Data | SectionClass::Bss) {
            size
        } else {
            0
        },
    }
}

/// A non-writable section without contents.
fn placeholder(name: &str, address: u64, size: u64) -> SectionSize {
    SectionSize {
        flash_bytes: 0,
        ..section(name, SectionClass::Text, address, address, size)
    }
}

fn region(name: &str, origin: u64, length: u64) -> Region {
    Region {
        name: name.into(),
        attributes: String::new(),
        origin,
        length,
    }
}

fn measurement(sections: Vec<SectionSize>) -> Measurement {
    Measurement {
        file_bytes: 0,
        stripped_bytes: 0,
        flash_bytes: 0,
        ram_bytes: 0,
        image_bytes: None,
        berkeley: Berkeley {
            text: 0,
            data: 0,
            bss: 0,
        },
        format: String::new(),
        has_debug_info: false,
        debug_info_bytes: 0,
        symbol_table_bytes: 0,
        flash_hash: String::new(),
        normalized_bytes: None,
        sections,
        wasm: None,
    }
}

fn used(u: &[RegionUse]) -> Vec<(&str, RegionKind, u64, u64)> {
    u.iter()
        .map(|r| (r.name.as_str(), r.kind, r.used_bytes, r.reserved_bytes))
        .collect()
}

#[test]
fn usage_by_address_with_ram_code_a_second_ram_and_a_stack_reservation() {
    let map = MemoryMap::from_regions(
        "memory.x".into(),
        vec![
            region("FLASH", 0, 4096),
            region("RAM", 0x2000_0000, 1024),
            region("RAM2", 0x2000_0400, 512),
        ],
    );
    let m = measurement(vec![
        section(".text", SectionClass::Text, 0, 0, 1000),
        section(".data", SectionClass::Data, 0x2000_0000, 1000, 8),
        // Code that runs from RAM: stored in flash, copied at start-up.
        section(".ramfunc", SectionClass::Text, 0x2000_0008, 1008, 40),
        section(".bss", SectionClass::Bss, 0x2000_0030, 0x2000_0030, 16),
        section(".stack", SectionClass::Bss, 0x2000_0040, 0x2000_0040, 960),
        section(".ram2", SectionClass::Bss, 0x2000_0400, 0x2000_0400, 100),
    ]);
    assert_eq!(
        used(&map.usage(&m)),
        [
            ("FLASH", RegionKind::Flash, 1048, 0),
            ("RAM", RegionKind::Ram, 0x40, 960),
            ("RAM2", RegionKind::Ram, 100, 0),
        ]
    );
    // RAM counts the code that runs there; the stack is not "used".
    assert_eq!(map.ram_by_address(&m), Some(8 + 40 + 16 + 100));
    // Totals over every region of a kind.
    assert_eq!((map.flash_bytes, map.ram_bytes), (Some(4096), Some(1536)));
}

/// RP2040: a 256-byte boot region listed first, then the flash. The
/// total is both; an STM32F3's CCM RAM listed before its main RAM counts
/// with it, not instead of it.
#[test]
fn totals_are_over_every_region_of_a_kind_whatever_comes_first() {
    let map = MemoryMap::from_regions(
        "memory.x".into(),
        vec![
            region("BOOT2", 0x1000_0000, 0x100),
            region("FLASH", 0x1000_0100, 2048 * 1024 - 0x100),
            region("CCMRAM", 0x1000_0000 + (4 << 20), 8 << 10),
            region("RAM", 0x2000_0000, 40 << 10),
        ],
    );
    assert_eq!(map.flash_bytes, Some(2048 * 1024));
    assert_eq!(map.ram_bytes, Some(48 << 10));
    assert!(map.note.is_none());
}

/// ESP32-C3: code stored in flash and copied to IRAM, a placeholder in
/// DRAM for the same bytes (one SRAM, two views), a cache region nothing
/// uses and IROM/DROM windows onto one flash chip.
#[test]
fn an_instruction_ram_copy_counts_once_and_aliased_windows_give_no_total() {
    let map = MemoryMap::from_regions(
        "memory.x".into(),
        vec![
            region("ICACHE", 0x4037_C000, 0x4000),
            region("IRAM", 0x4038_0000, 64 << 10),
            region("DRAM", 0x3FC8_0000, 64 << 10),
            region("IROM", 0x4200_0020, (4 << 20) - 0x20),
            region("DROM", 0x3C00_0020, (4 << 20) - 0x20),
        ],
    );
    let m = measurement(vec![
        section(
            ".rwtext",
            SectionClass::Text,
            0x4038_0000,
            0x4038_0000,
            3124,
        ),
        placeholder(".rwdata_dummy", 0x3FC8_0000, 3124),
        section(".data", SectionClass::Data, 0x3FC8_0C34, 0x3FC8_0C34, 800),
        section(".bss", SectionClass::Bss, 0x3FC8_0F54, 0x3FC8_0F54, 3324),
        placeholder(".stack", 0x3FC8_1C50, 8192),
        section(
            ".rodata",
            SectionClass::Text,
            0x3C00_0020,
            0x3C00_0020,
            9000,
        ),
        placeholder(".rotext_dummy", 0x4200_0020, 0x1_0000),
        section(".text", SectionClass::Text, 0x4201_0020, 0x4201_0020, 20000),
    ]);
    let u = map.usage(&m);
    assert_eq!(
        used(&u),
        [
            ("ICACHE", RegionKind::Unknown, 0, 0),
            ("IRAM", RegionKind::Ram, 3124, 0),
            // The placeholder is where the IRAM code sits in this view.
            ("DRAM", RegionKind::Ram, 0x0F54 + 3324, 8192),
            ("IROM", RegionKind::Flash, 0x1_0000 + 20000, 0),
            ("DROM", RegionKind::Flash, 9000, 0),
        ]
    );
    assert_eq!(map.ram_by_address(&m), Some(3124 + 800 + 3324));
    assert_eq!((map.flash_bytes, map.ram_bytes), (None, None));
    let note = map.note.clone().unwrap();
    assert!(
        note.contains("IROM and DROM") && note.contains("--flash-size"),
        "{note}"
    );
    let sized = map.with_overrides(Some(1 << 20), Some(320 << 10));
    assert_eq!(
        (sized.flash_bytes, sized.ram_bytes, sized.note),
        (Some(1 << 20), Some(320 << 10), None)
    );
}

#[test]
fn kinds_come_from_attributes_then_names() {
    let with = |name: &str, attributes: &str| Region {
        attributes: attributes.into(),
        ..region(name, 0, 1)
    };
    assert_eq!(with("X", "rx").declared_kind(), Some(RegionKind::Flash));
    assert_eq!(
        with("dram2_seg", "RW").declared_kind(),
        Some(RegionKind::Ram)
    );
    assert_eq!(with("BOOT2", "").declared_kind(), Some(RegionKind::Flash));
    assert_eq!(with("AXISRAM", "").declared_kind(), Some(RegionKind::Ram));
    assert_eq!(with("DTCM", "").declared_kind(), Some(RegionKind::Ram));
    assert_eq!(with("ICACHE", "").declared_kind(), None);
    // RTC fast/slow memory is SRAM kept over deep sleep.
    assert_eq!(with("RTC_FAST", "").declared_kind(), Some(RegionKind::Ram));
}

/// An empty section the linker kept (cortex-m-rt's `.gnu.sgstubs`, aligned
/// to 32) moved the location counter: lld counts the region used up to
/// it, rp-pico's FLASH 3,776 B where its last bytes end at 3,760.
#[test]
fn an_empty_aligned_section_counts_up_to_its_address() {
    let map = MemoryMap::from_regions("memory.x".into(), vec![region("FLASH", 0x100, 4096)]);
    let m = measurement(vec![
        section(".text", SectionClass::Text, 0x100, 0x100, 3760),
        section(
            ".gnu.sgstubs",
            SectionClass::Text,
            0x100 + 3776,
            0x100 + 3776,
            0,
        ),
    ]);
    assert_eq!(
        used(&map.usage(&m)),
        [("FLASH", RegionKind::Flash, 3776, 0)]
    );
}
