//! Properties of measurement, on ELF objects generated here: totals add up,
//! a stripped file is never larger than its source, the same bytes measure
//! the same, and damaged files are errors, never panics.

use cargo_weigh::attribute::{attribute, Options};
use cargo_weigh::measure::{measure_bytes, strip_bytes};
use object::write::Object;
use object::{Architecture, BinaryFormat, Endianness, SectionKind};
use proptest::prelude::*;

fn kind(k: u8) -> SectionKind {
    match k % 5 {
        0 => SectionKind::Text,
        1 => SectionKind::ReadOnlyData,
        2 => SectionKind::Data,
        3 => SectionKind::UninitializedData,
        _ => SectionKind::Debug,
    }
}

fn elf(sections: &[(u8, u16, u8)], big: bool, wide: bool) -> Vec<u8> {
    let (arch, endian) = match (big, wide) {
        (false, false) => (Architecture::Arm, Endianness::Little),
        (false, true) => (Architecture::X86_64, Endianness::Little),
        (true, false) => (Architecture::PowerPc, Endianness::Big),
        (true, true) => (Architecture::PowerPc64, Endianness::Big),
    };
    let mut obj = Object::new(BinaryFormat::Elf, arch, endian);
    for (i, (k, size, align)) in sections.iter().enumerate() {
        let kind = kind(*k);
        let name = format!(".s{i}");
        let id = obj.add_section(Vec::new(), name.into_bytes(), kind);
        let align = 1u64 << (align % 5);
        if kind == SectionKind::UninitializedData {
            obj.append_section_bss(id, u64::from(*size), align);
        } else {
            obj.append_section_data(id, &vec![0xa5; usize::from(*size)], align);
        }
    }
    obj.write().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn totals_add_up(sections in prop::collection::vec((any::<u8>(), 0u16..4096, any::<u8>()), 0..12), big: bool, wide: bool) {
        let bytes = elf(&sections, big, wide);
        let m = measure_bytes(&bytes).unwrap();
        prop_assert_eq!(m.sections.iter().map(|s| s.flash_bytes).sum::<u64>(), m.flash_bytes);
        prop_assert_eq!(m.sections.iter().map(|s| s.ram_bytes).sum::<u64>(), m.ram_bytes);
        prop_assert_eq!(m.berkeley.text + m.berkeley.data, m.flash_bytes);
        prop_assert_eq!(m.berkeley.data + m.berkeley.bss, m.ram_bytes);
        prop_assert!(m.stripped_bytes <= m.file_bytes);
        prop_assert_eq!(measure_bytes(&bytes).unwrap(), m.clone());
        // The stripped file keeps every loaded byte.
        let stripped = strip_bytes(&bytes).unwrap();
        let again = measure_bytes(&stripped).unwrap();
        prop_assert_eq!(again.flash_bytes, m.flash_bytes);
        prop_assert_eq!(again.flash_hash, m.flash_hash);
        prop_assert_eq!(stripped.len() as u64, m.stripped_bytes);
        // Attribution adds up per section.
        let a = attribute(&bytes, &Options::default()).unwrap();
        for s in &a.sections {
            prop_assert_eq!(s.attributed + s.unattributed, s.size);
        }
    }

    #[test]
    fn damaged_files_never_panic(sections in prop::collection::vec((any::<u8>(), 0u16..512, any::<u8>()), 1..6),
                                 flips in prop::collection::vec((any::<u16>(), any::<u8>()), 1..16),
                                 cut in any::<u16>()) {
        let mut bytes = elf(&sections, false, false);
        for (at, v) in flips {
            let i = usize::from(at) % bytes.len();
            bytes[i] = v;
        }
        let cut = usize::from(cut) % (bytes.len() + 1);
        let _ = measure_bytes(&bytes[..cut]);
        let _ = measure_bytes(&bytes);
        let _ = strip_bytes(&bytes);
        let _ = attribute(&bytes, &Options::default());
    }
}

/// Inputs the fuzzer found (fuzz/run); each once crashed cargo weigh.
#[test]
fn fuzz_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if !e.file_name().to_string_lossy().starts_with("fuzz-") {
            continue;
        }
        let bytes = std::fs::read(e.path()).unwrap();
        if let Ok(m) = measure_bytes(&bytes) {
            assert_eq!(strip_bytes(&bytes).unwrap().len() as u64, m.stripped_bytes);
        }
        let _ = attribute(&bytes, &Options::default());
        n += 1;
    }
    assert!(n > 0);
}
