//! Stripping ELF files made here, byte for byte against binutils' own
//! `strip` when it is installed (each test prints why it skips that part
//! when not), and always against the figures that `strip` 2.40 gave.

use super::input::Phdr;
use super::{string_table, strip_bytes, stripped_len};
use object::elf;
use object::read::elf::{ElfFile32, ElfFile64, ProgramHeader};
use object::{Object, ObjectSection};

/// A section of a test file; its bytes are `fill` repeated.
struct Sec {
    name: &'static str,
    sh_type: u32,
    flags: u64,
    addr: u64,
    offset: u64,
    size: u64,
    align: u64,
    link: u32,
    fill: u8,
}

fn sec(name: &'static str, sh_type: u32, flags: u32, addr: u64, offset: u64, size: u64) -> Sec {
    Sec {
        name,
        sh_type,
        flags: u64::from(flags),
        addr,
        offset,
        size,
        align: 4,
        link: 0,
        fill: 0xa5,
    }
}

fn load(offset: u64, vaddr: u64, filesz: u64, memsz: u64, flags: u32, align: u64) -> Phdr {
    Phdr {
        p_type: elf::PT_LOAD,
        flags,
        offset,
        vaddr,
        paddr: vaddr,
        filesz,
        memsz,
        align,
    }
}

/// An executable (`ET_EXEC`) or object; a symbol table, its strings, debug
/// information and the section-name table are added after `secs`.
struct Spec {
    is_64: bool,
    machine: u16,
    e_type: u16,
    e_flags: u32,
    phdrs: Vec<Phdr>,
    secs: Vec<Sec>,
}

struct Le {
    buf: Vec<u8>,
    is_64: bool,
}

impl Le {
    fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn word(&mut self, v: u64) {
        if self.is_64 {
            self.buf.extend_from_slice(&v.to_le_bytes());
        } else {
            self.u32(v as u32);
        }
    }
}

/// Debug information, a symbol table and its strings after the
/// sections, then the section-name table; the names and their offsets.
fn add_tables(secs: &mut Vec<Sec>, is_64: bool) -> (Vec<u8>, Vec<u32>) {
    let end = secs
        .iter()
        .filter(|s| s.sh_type != elf::SHT_NOBITS)
        .map(|s| s.offset + s.size)
        .max()
        .unwrap_or(0)
        .max(0x200);
    let symtab_size = if is_64 { 48 } else { 32 };
    let extra = [
        (".debug_info", elf::SHT_PROGBITS, 0x40, 1u64),
        (".symtab", elf::SHT_SYMTAB, symtab_size, 4),
        (".strtab", elf::SHT_STRTAB, 6, 1),
    ];
    let mut at = end;
    for (name, sh_type, size, align) in extra {
        let mut s = sec(name, sh_type, 0, 0, at, size);
        s.align = align;
        s.fill = 0;
        if sh_type == elf::SHT_SYMTAB {
            s.link = secs.len() as u32 + 3;
        }
        at += size;
        secs.push(s);
    }
    let mut names = vec![0u8];
    let mut name_at = Vec::new();
    for n in secs.iter().map(|s| s.name).chain([".shstrtab"]) {
        name_at.push(names.len() as u32);
        names.extend_from_slice(n.as_bytes());
        names.push(0);
    }
    let mut s = sec(".shstrtab", elf::SHT_STRTAB, 0, 0, at, names.len() as u64);
    s.align = 1;
    secs.push(s);
    (names, name_at)
}

/// The ELF header and the program headers.
fn file_header(spec: &Spec, shoff: u64, shnum: u16) -> Le {
    let mut e = Le {
        buf: Vec::new(),
        is_64: spec.is_64,
    };
    e.buf.extend_from_slice(b"\x7fELF");
    e.buf
        .extend_from_slice(&[if spec.is_64 { 2 } else { 1 }, 1, 1]);
    e.buf.resize(16, 0);
    e.u16(spec.e_type);
    e.u16(spec.machine);
    e.u32(1);
    e.word(0x1000_0101);
    let (ehsize, phentsize, shentsize): (u16, u16, u16) = if spec.is_64 {
        (64, 56, 64)
    } else {
        (52, 32, 40)
    };
    e.word(if spec.phdrs.is_empty() {
        0
    } else {
        u64::from(ehsize)
    });
    e.word(shoff);
    e.u32(spec.e_flags);
    for v in [
        ehsize,
        phentsize,
        spec.phdrs.len() as u16,
        shentsize,
        shnum,
        shnum - 1,
    ] {
        e.u16(v);
    }
    for p in &spec.phdrs {
        e.u32(p.p_type);
        if spec.is_64 {
            e.u32(p.flags);
        }
        for v in [p.offset, p.vaddr, p.paddr, p.filesz, p.memsz] {
            e.word(v);
        }
        if !spec.is_64 {
            e.u32(p.flags);
        }
        e.word(p.align);
    }
    e
}

fn build(mut spec: Spec) -> Vec<u8> {
    let mut secs = std::mem::take(&mut spec.secs);
    let (names, name_at) = add_tables(&mut secs, spec.is_64);
    let word = if spec.is_64 { 8 } else { 4 };
    let names_end = secs.last().map_or(0, |s| s.offset + s.size);
    let shoff = names_end.div_ceil(word) * word;
    let mut e = file_header(&spec, shoff, secs.len() as u16 + 1);
    let mut file = vec![0u8; shoff as usize];
    file[..e.buf.len()].copy_from_slice(&e.buf);
    for s in secs.iter().filter(|s| s.sh_type != elf::SHT_NOBITS) {
        let bytes = if s.name == ".shstrtab" {
            names.clone()
        } else {
            vec![s.fill; s.size as usize]
        };
        file[s.offset as usize..][..bytes.len()].copy_from_slice(&bytes);
    }
    e.buf = file;
    e.buf
        .resize(e.buf.len() + if spec.is_64 { 64 } else { 40 }, 0);
    for (k, s) in secs.iter().enumerate() {
        e.u32(name_at[k]);
        e.u32(s.sh_type);
        for v in [s.flags, s.addr, s.offset, s.size] {
            e.word(v);
        }
        e.u32(s.link);
        e.u32(u32::from(s.sh_type == elf::SHT_SYMTAB));
        e.word(s.align);
        let symtab = s.sh_type == elf::SHT_SYMTAB;
        e.word(if symtab { word * 2 + 8 } else { 0 });
    }
    e.buf
}

/// Our stripped file; compared with `tool`'s when it runs here.
fn strip_like(tool: &str, input: &[u8]) -> Vec<u8> {
    let ours = strip_bytes(input).expect("strips");
    assert_eq!(stripped_len(input).unwrap(), ours.len() as u64);
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::write(&src, input).unwrap();
    let ran = std::process::Command::new(tool)
        .arg("-o")
        .arg(&dst)
        .arg(&src)
        .output();
    match ran {
        Ok(o) if o.status.success() => {
            let theirs = std::fs::read(&dst).unwrap();
            let first = ours.iter().zip(&theirs).position(|(a, b)| a != b);
            assert!(
                ours == theirs,
                "differs from {tool}: {} vs {} bytes, first difference at {first:?}",
                ours.len(),
                theirs.len()
            );
        }
        Ok(o) => panic!("{tool} failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => eprintln!("skipping the comparison with {tool}: {e}"),
    }
    ours
}

/// (p_offset, p_vaddr, p_filesz) of each program header.
fn segments32(bytes: &[u8]) -> Vec<(u64, u64, u64)> {
    let f = ElfFile32::<object::Endianness>::parse(bytes).unwrap();
    let e = f.endian();
    f.elf_program_headers()
        .iter()
        .map(|p| {
            (
                u64::from(p.p_offset(e)),
                u64::from(p.p_vaddr(e)),
                u64::from(p.p_filesz(e)),
            )
        })
        .collect()
}

fn section_offset(bytes: &[u8], name: &str) -> u64 {
    let f = object::File::parse(bytes).unwrap();
    let s = f.section_by_name(name).unwrap();
    s.file_range().map_or(0, |(o, _)| o)
}

const R: u32 = elf::PF_R;
const RX: u32 = elf::PF_R | elf::PF_X;
const RW: u32 = elf::PF_R | elf::PF_W;
const A: u32 = elf::SHF_ALLOC;
const AX: u32 = elf::SHF_ALLOC | elf::SHF_EXECINSTR;
const WA: u32 = elf::SHF_ALLOC | elf::SHF_WRITE;

/// An RP2040-like image: the 256-byte boot block at the lowest address
/// placed after the vector table in the file (as lld places it), pages of
/// 64 KiB, RAM without contents.
fn rp2040(align: u64, paged: bool) -> Spec {
    let (vt, boot, bss) = if paged {
        (0x10100, 0x20000, 0x30000)
    } else {
        (0xb4, 0x174, 0x274)
    };
    let mut boot2 = sec(".boot2", elf::SHT_PROGBITS, A, 0x1000_0000, boot, 0x100);
    boot2.align = 1;
    boot2.fill = 0xb2;
    let mut attrs = sec(
        ".ARM.attributes",
        elf::SHT_ARM_ATTRIBUTES,
        0,
        0,
        bss + 0x40,
        0x32,
    );
    attrs.align = 1;
    Spec {
        is_64: false,
        machine: elf::EM_ARM,
        e_type: elf::ET_EXEC,
        e_flags: 0x0500_0200,
        phdrs: vec![
            load(vt, 0x1000_0100, 0xc0, 0xc0, R, align),
            load(
                boot,
                0x1000_0000,
                0x100,
                0x100,
                R,
                align.min(if paged { align } else { 1 }),
            ),
            load(bss, 0x2000_0000, 0, 4, RW, align),
        ],
        secs: vec![
            sec(".vector_table", elf::SHT_PROGBITS, A, 0x1000_0100, vt, 0xc0),
            boot2,
            sec(".bss", elf::SHT_NOBITS, WA, 0x2000_0000, bss, 4),
            sec(".comment", elf::SHT_PROGBITS, 0, 0, bss, 0x40),
            attrs,
        ],
    }
}

#[test]
fn paged_loads_out_of_address_order_are_moved_and_a_page_saved() {
    let input = build(rp2040(0x10000, true));
    let out = strip_like("arm-none-eabi-strip", &input);
    // The boot block's page comes first now; the vector table follows it
    // in the same page, and RAM takes no room.
    assert_eq!(out.len(), 66496, "{} bytes", out.len());
    assert_eq!(
        segments32(&out),
        [
            (0x10100, 0x1000_0100, 0xc0),
            (0x10000, 0x1000_0000, 0x100),
            (0, 0x2000_0000, 0)
        ]
    );
    assert_eq!(&out[0x10000..0x10100], &[0xb2; 0x100][..]);
    assert_eq!(section_offset(&out, ".comment"), 0x101c0);
}

#[test]
fn unpaged_loads_are_packed_in_address_order() {
    let input = build(rp2040(4, false));
    let out = strip_like("arm-none-eabi-strip", &input);
    assert_eq!(out.len(), 1108, "{} bytes", out.len());
    // After the header and three program headers: the boot block, then the
    // vector table.
    assert_eq!(
        segments32(&out)[..2],
        [(0x194, 0x1000_0100, 0xc0), (0x94, 0x1000_0000, 0x100)]
    );
}

#[test]
fn exception_index_without_its_segment_gets_one() {
    let mut spec = rp2040(0x10000, true);
    let text = spec.secs.len() as u32 + 1;
    spec.secs.push(sec(
        ".text",
        elf::SHT_PROGBITS,
        AX,
        0x1000_01c0,
        0x201c0,
        0x40,
    ));
    let mut exidx = sec(
        ".ARM.exidx",
        elf::SHT_ARM_EXIDX,
        A | elf::SHF_LINK_ORDER,
        0x1000_0200,
        0x20200,
        0x10,
    );
    exidx.link = text;
    spec.secs.push(exidx);
    spec.phdrs
        .push(load(0x201c0, 0x1000_01c0, 0x50, 0x50, RX, 0x10000));
    let out = strip_like("arm-none-eabi-strip", &build(spec));
    let f = ElfFile32::<object::Endianness>::parse(&*out).unwrap();
    let e = f.endian();
    let first = &f.elf_program_headers()[0];
    assert_eq!(first.p_type(e), elf::PT_ARM_EXIDX, "added in front");
    assert_eq!(first.p_offset(e), section_offset(&out, ".ARM.exidx") as u32);
    assert_eq!(out.len(), 66672, "{} bytes", out.len());
}

#[test]
fn riscv_placeholder_segment_and_attributes() {
    let mut eh = sec(".eh_frame", elf::SHT_PROGBITS, 0, 0, 0x6000, 0x30);
    eh.fill = 0xe4;
    let mut attrs = sec(
        ".riscv.attributes",
        elf::SHT_RISCV_ATTRIBUTES,
        0,
        0,
        0x6030,
        0x20,
    );
    attrs.align = 1;
    let mut text = sec(".text", elf::SHT_PROGBITS, AX, 0x2001_0000, 0x1000, 0x2e44);
    text.align = 16;
    let spec = Spec {
        is_64: false,
        machine: elf::EM_RISCV,
        e_type: elf::ET_EXEC,
        e_flags: 1,
        phdrs: vec![
            load(0x1000, 0x2000_0000, 0, 0x10000, R, 0x1000),
            load(0x1000, 0x2001_0000, 0x2e44, 0x2e44, RX, 0x1000),
            load(0x6000, 0x8000_0000, 0, 0x4000, RW, 0x1000),
        ],
        secs: vec![
            sec(
                ".text.dummy",
                elf::SHT_NOBITS,
                A,
                0x2000_0000,
                0x1000,
                0x10000,
            ),
            text,
            sec(".bss", elf::SHT_NOBITS, WA, 0x8000_0000, 0x6000, 0x4000),
            eh,
            attrs,
        ],
    };
    let out = strip_like("riscv64-unknown-elf-strip", &build(spec));
    assert_eq!(out.len(), 16416, "{} bytes", out.len());
    let f = ElfFile32::<object::Endianness>::parse(&*out).unwrap();
    let types: Vec<u32> = f
        .elf_program_headers()
        .iter()
        .map(|p| p.p_type(f.endian()))
        .collect();
    assert_eq!(
        types,
        [0x7000_0003, 1, 1, 1],
        "PT_RISCV_ATTRIBUTES added first"
    );
    // The kept .eh_frame right after the last loaded byte.
    assert_eq!(section_offset(&out, ".eh_frame"), 0x3e44);
}

#[test]
fn x86_64_headers_in_the_first_load_and_padding_between_sections() {
    let phdrs_end = 64 + 6 * 56;
    let mut note = sec(".note.test", elf::SHT_NOTE, A, 0x40_0200, 0x200, 0x18);
    note.fill = 0;
    let mut text = sec(".text", elf::SHT_PROGBITS, AX, 0x40_1000, 0x1000, 0x40);
    text.align = 16;
    let mut fini = sec(".fini", elf::SHT_PROGBITS, AX, 0x40_1050, 0x1050, 0x10);
    fini.align = 16;
    let mut data = sec(".data", elf::SHT_PROGBITS, WA, 0x40_2000, 0x2000, 0x20);
    data.align = 8;
    let spec = Spec {
        is_64: true,
        machine: elf::EM_X86_64,
        e_type: elf::ET_EXEC,
        e_flags: 0,
        phdrs: vec![
            Phdr {
                p_type: elf::PT_PHDR,
                ..load(64, 0x40_0040, phdrs_end - 64, phdrs_end - 64, R, 8)
            },
            load(0, 0x40_0000, 0x250, 0x250, R, 0x1000),
            load(0x1000, 0x40_1000, 0x60, 0x60, RX, 0x1000),
            load(0x2000, 0x40_2000, 0x20, 0x120, RW, 0x1000),
            Phdr {
                p_type: elf::PT_NOTE,
                ..load(0x200, 0x40_0200, 0x18, 0x18, R, 4)
            },
            Phdr {
                p_type: elf::PT_GNU_STACK,
                ..load(0, 0, 0, 0, RW, 16)
            },
        ],
        secs: vec![
            note,
            sec(".rodata", elf::SHT_PROGBITS, A, 0x40_0220, 0x220, 0x30),
            text,
            fini,
            data,
            sec(".bss", elf::SHT_NOBITS, WA, 0x40_2020, 0x2020, 0x100),
            sec(".comment", elf::SHT_PROGBITS, 0, 0, 0x2020, 0x20),
        ],
    };
    let mut input = build(spec);
    // Trap fill between .text and .fini, as lld writes it.
    input[0x1040..0x1050].fill(0xcc);
    let out = strip_like("strip", &input);
    assert_eq!(out.len(), 8976, "{} bytes", out.len());
    assert_eq!(
        &out[0x1040..0x1050],
        &[0u8; 16],
        "BFD writes sections, not gaps"
    );
    let f = ElfFile64::<object::Endianness>::parse(&*out).unwrap();
    assert_eq!(f.elf_program_headers().len(), 6);
}

#[test]
fn object_files_are_laid_out_section_after_section() {
    use object::write::{Object as Obj, Symbol, SymbolSection};
    use object::{
        Architecture, BinaryFormat, Endianness, SectionKind, SymbolFlags, SymbolKind, SymbolScope,
    };
    let mut obj = Obj::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    let text = obj.add_section(Vec::new(), b".text".to_vec(), SectionKind::Text);
    obj.append_section_data(text, &[0x90; 100], 16);
    let data = obj.add_section(Vec::new(), b".data".to_vec(), SectionKind::Data);
    obj.append_section_data(data, &[7; 30], 8);
    let bss = obj.add_section(Vec::new(), b".bss".to_vec(), SectionKind::UninitializedData);
    obj.append_section_bss(bss, 64, 32);
    let debug = obj.add_section(Vec::new(), b".debug_info".to_vec(), SectionKind::Debug);
    obj.append_section_data(debug, &[1; 50], 1);
    let inline = obj.add_section(Vec::new(), b".text.f".to_vec(), SectionKind::Text);
    obj.append_section_data(inline, &[0xc3; 8], 16);
    obj.add_symbol(Symbol {
        name: b"f".to_vec(),
        value: 0,
        size: 8,
        kind: SymbolKind::Text,
        scope: SymbolScope::Linkage,
        weak: true,
        section: SymbolSection::Section(inline),
        flags: SymbolFlags::None,
    });
    let input = obj.write().unwrap();
    let out = strip_like("strip", &input);
    assert_eq!(section_offset(&out, ".text"), 64);
    assert_eq!(section_offset(&out, ".data"), 64 + 104);
    assert_eq!(out.len(), 656, "{} bytes", out.len());
}

#[test]
fn section_names_share_bytes_as_bfd_merges_them() {
    let names: [&[u8]; 5] = [
        b".text",
        b".rel.text",
        b".rela.text",
        b".data",
        b".shstrtab",
    ];
    let (table, at) = string_table(&names);
    // In the order BFD met the names (its own first); `.text` lives at the
    // end of `.rela.text`, the neighbour of its reversed bytes, not in the
    // first or shortest name that ends with it.
    assert_eq!(
        &table[..],
        &b"\0.shstrtab\0.rel.text\0.rela.text\0.data\0"[..]
    );
    assert_eq!(at, [26, 11, 21, 32, 1]);
}
