//! A 200 MB+ ELF (mostly debug info, as real large binaries are) is
//! measured with bounded memory: the file is memory-mapped and only headers
//! and loaded bytes are touched. Alone in its test binary so the children's
//! peak memory is this measurement's.

mod common;

use common::*;
use object::read::elf::FileHeader;
use object::write::Object;
use object::{Architecture, BinaryFormat, Endianness, SectionKind};

const HUGE: u64 = 210 * 1024 * 1024;

fn huge_elf(path: &std::path::Path) {
    let mut obj = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    let text = obj.add_section(Vec::new(), b".text".to_vec(), SectionKind::Text);
    obj.append_section_data(text, &[0xc3; 4096], 16);
    let debug = obj.add_section(Vec::new(), b".debug_info".to_vec(), SectionKind::Debug);
    obj.append_section_data(debug, &[0; 8], 1);
    let mut bytes = obj.write().unwrap();
    // Point .debug_info at a 210 MB region at the end of a sparse file.
    let (index, shoff) = {
        let header = object::elf::FileHeader64::<Endianness>::parse(&*bytes).unwrap();
        let endian = header.endian().unwrap();
        let sections = header.sections(endian, &*bytes).unwrap();
        let (index, _) = sections
            .iter()
            .enumerate()
            .find(|(_, s)| sections.section_name(endian, *s).unwrap() == b".debug_info")
            .unwrap();
        (index, header.e_shoff(endian) as usize)
    };
    let at = shoff + index * 64;
    let data_at = bytes.len() as u64;
    bytes[at + 24..at + 32].copy_from_slice(&data_at.to_le_bytes());
    bytes[at + 32..at + 40].copy_from_slice(&HUGE.to_le_bytes());
    std::fs::write(path, &bytes).unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_len(data_at + HUGE).unwrap();
}

#[test]
fn a_200_mb_binary_is_measured_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.o");
    huge_elf(&path);
    assert!(std::fs::metadata(&path).unwrap().len() > 200 * 1024 * 1024);
    let r = json_stdout(weigh().arg("measure").arg(&path).args(["--format", "json"]));
    let c = &r["configs"][0];
    assert!(c["file_bytes"].as_u64().unwrap() > HUGE);
    assert_eq!(c["flash_bytes"].as_u64().unwrap(), 4096);
    assert!(c["stripped_bytes"].as_u64().unwrap() < 64 * 1024, "{c}");
    // Peak resident memory of the child (KiB on Linux).
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    let peak_mib = ru.ru_maxrss as f64 / 1024.0;
    assert!(
        peak_mib < 64.0,
        "measuring a {} MB file took {peak_mib:.1} MiB",
        HUGE >> 20
    );
}
