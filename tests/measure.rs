//! Measurement on ELF files made in the test: a C program linked by the
//! host's cc (checked against binutils' `size`), and objects of other
//! classes and byte orders written with `object`.

mod common;

use cargo_weigh::measure::{measure_bytes, measure_file, SectionClass};
use common::*;
use object::write::Object;
use object::{Architecture, BinaryFormat, Endianness, SectionKind};

#[test]
fn c_program_linked_by_cc_matches_size() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("prog.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\nint table[4096] = {1, 2, 3};\nstatic char scratch[65536];\nconst char msg[] = \"hello\";\n\
         int main(int argc, char **argv) { scratch[argc] = (char)table[argc]; puts(msg); return scratch[1]; }\n",
    )
    .unwrap();
    let exe = dir.path().join("prog");
    let st = std::process::Command::new("cc")
        .arg("-O1")
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap();
    assert!(st.success());
    let m = measure_file(&exe).unwrap();
    let (text, data, bss) = berkeley_size("size", &exe);
    assert_eq!(
        (m.berkeley.text, m.berkeley.data, m.berkeley.bss),
        (text, data, bss)
    );
    assert!(m.ram_bytes >= 4096 * 4 + 65536);
    assert_eq!(m.file_bytes, std::fs::metadata(&exe).unwrap().len());
    // Section figures add up to the totals.
    assert_eq!(
        m.sections.iter().map(|s| s.flash_bytes).sum::<u64>(),
        m.flash_bytes
    );
    assert_eq!(
        m.sections.iter().map(|s| s.ram_bytes).sum::<u64>(),
        m.ram_bytes
    );
    // The stripped file is written for real, as large as `strip`'s.
    let theirs = strip_size("strip", &exe, dir.path());
    assert_eq!(m.stripped_bytes, theirs);
    let stripped = cargo_weigh::measure::strip_bytes(&std::fs::read(&exe).unwrap()).unwrap();
    let again = measure_bytes(&stripped).unwrap();
    assert_eq!(
        again.flash_bytes, m.flash_bytes,
        "stripping keeps every loaded byte"
    );
    assert_eq!(again.file_bytes, m.stripped_bytes);
    // binutils reads the file we wrote, with the same figures.
    let ours = dir.path().join("prog.ours-stripped");
    std::fs::write(&ours, &stripped).unwrap();
    assert_eq!(berkeley_size("size", &ours), (text, data, bss));
    let ran = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("chmod +x {0} && {0}", ours.display()))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout),
        "hello\n",
        "the stripped program still runs"
    );
}

fn object_with(arch: Architecture, endian: Endianness) -> Vec<u8> {
    let mut obj = Object::new(BinaryFormat::Elf, arch, endian);
    let text = obj.add_section(Vec::new(), b".text".to_vec(), SectionKind::Text);
    obj.append_section_data(text, &[0u8; 100], 4);
    let ro = obj.add_section(Vec::new(), b".rodata".to_vec(), SectionKind::ReadOnlyData);
    obj.append_section_data(ro, &[1u8; 30], 4);
    let data = obj.add_section(Vec::new(), b".data".to_vec(), SectionKind::Data);
    obj.append_section_data(data, &[2u8; 12], 4);
    let bss = obj.add_section(Vec::new(), b".bss".to_vec(), SectionKind::UninitializedData);
    obj.append_section_bss(bss, 64, 4);
    let comment = obj.add_section(Vec::new(), b".comment".to_vec(), SectionKind::OtherString);
    obj.append_section_data(comment, b"made in a test\0", 1);
    obj.write().unwrap()
}

#[test]
fn classes_and_byte_orders() {
    for (arch, endian, format) in [
        (Architecture::Arm, Endianness::Little, "elf32-littlearm"),
        (Architecture::PowerPc64, Endianness::Big, "elf64-bigpowerpc"),
        (Architecture::PowerPc, Endianness::Big, "elf32-bigpowerpc"),
        (
            Architecture::X86_64,
            Endianness::Little,
            "elf64-littlex86-64",
        ),
    ] {
        let bytes = object_with(arch, endian);
        let m = measure_bytes(&bytes).unwrap();
        assert_eq!(m.format, format);
        assert_eq!(m.flash_bytes, 100 + 30 + 12, "{format}");
        assert_eq!(m.ram_bytes, 12 + 64, "{format}");
        assert_eq!(
            (m.berkeley.text, m.berkeley.data, m.berkeley.bss),
            (130, 12, 64),
            "{format}"
        );
        let comment = m.sections.iter().find(|s| s.name == ".comment").unwrap();
        assert_eq!(comment.class, SectionClass::Other);
        assert_eq!(measure_bytes(&bytes).unwrap(), m, "deterministic");
    }
}

#[test]
fn damaged_files_are_errors_not_panics() {
    let bytes = object_with(Architecture::Arm, Endianness::Little);
    for cut in [4, 20, 52, bytes.len() / 2, bytes.len() - 1] {
        let _ = measure_bytes(&bytes[..cut]); // must not panic
    }
    assert!(measure_bytes(&bytes[..20]).is_err());
    // A section table pointing past the end of the file.
    let mut bad = bytes.clone();
    let shoff_at = 0x20; // e_shoff in an ELF32 header
    bad[shoff_at..shoff_at + 4].copy_from_slice(&0xfff0_0000u32.to_le_bytes());
    assert!(measure_bytes(&bad).is_err());
    assert!(measure_bytes(b"MZ\x90\x00not a PE really").is_err());
}

/// The normalized flash ignores alignment padding and the build id: a C
/// program linked with functions aligned to 16 and no build id, and to 256
/// with one, loads different byte counts but the same normalized figure,
/// which is what `nm -S` and `readelf -S` add up to (sized symbols of the
/// stored sections, each byte once, and stored sections with none; notes
/// left out).
#[test]
fn normalized_flash_ignores_padding_and_the_build_id() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("prog.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\nint table[64] = {1};\nconst char msg[] = \"hello\";\n\
         int a(int x) { return x * 3 + table[x & 63]; }\nint b(int x) { return a(x) ^ 7; }\n\
         int main(int argc, char **argv) { puts(msg); return b(argc); }\n",
    )
    .unwrap();
    let build = |name: &str, align: &str, id: &str| {
        let exe = dir.path().join(name);
        let st = std::process::Command::new("cc")
            .args([
                "-O1",
                &format!("-falign-functions={align}"),
                &format!("-Wl,--build-id={id}"),
            ])
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .status()
            .unwrap();
        assert!(st.success());
        exe
    };
    let (plain, padded) = (build("p16", "16", "none"), build("p256", "256", "sha1"));
    let (m1, m2) = (
        measure_file(&plain).unwrap(),
        measure_file(&padded).unwrap(),
    );
    assert_ne!(
        m1.flash_bytes, m2.flash_bytes,
        "padding and the build id load bytes"
    );
    assert_eq!(m1.normalized_bytes, m2.normalized_bytes);
    assert!(m1.normalized_bytes.unwrap() < m1.flash_bytes);
    for exe in [&plain, &padded] {
        assert_eq!(
            measure_file(exe).unwrap().normalized_bytes,
            Some(nm_normalized(exe))
        );
    }
}

/// The normalized figure from `readelf -S` (stored sections) and `nm -S`
/// (sized symbols by address).
fn nm_normalized(exe: &std::path::Path) -> u64 {
    let out = |tool: &str, args: &[&str]| {
        let o = std::process::Command::new(tool)
            .args(args)
            .arg(exe)
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    let sections = out("readelf", &["-S", "-W"]);
    let hex = |s: &str| u64::from_str_radix(s, 16).unwrap();
    // [Nr] Name Type Address Off Size ES Flg ...
    let stored: Vec<(u64, u64)> = sections
        .lines()
        .filter_map(|l| {
            let l = l.split_once(']')?.1;
            let f: Vec<&str> = l.split_whitespace().collect();
            let (kind, addr, size, flags) = (f.get(1)?, f.get(2)?, f.get(4)?, f.get(6)?);
            (flags.contains('A') && *kind != "NOBITS" && *kind != "NOTE" && hex(size) > 0)
                .then(|| (hex(addr), hex(addr) + hex(size)))
        })
        .collect();
    let symbols = out("nm", &["-S", "--defined-only"]);
    let ranges: Vec<(u64, u64)> = symbols
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 4).then(|| (hex(f[0]), hex(f[0]) + hex(f[1])))
        })
        .filter(|(a, b)| a < b)
        .collect();
    stored
        .iter()
        .map(|&(start, end)| {
            let mut inside: Vec<(u64, u64)> = ranges
                .iter()
                .filter(|(a, _)| *a >= start && *a < end)
                .map(|&(a, b)| (a, b.min(end)))
                .collect();
            if inside.is_empty() {
                return end - start;
            }
            inside.sort_unstable();
            let (mut covered, mut reach) = (0, start);
            for (a, b) in inside {
                let a = a.max(reach);
                if b > a {
                    covered += b - a;
                    reach = b;
                }
            }
            covered
        })
        .sum()
}
