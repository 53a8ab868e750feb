//! Section, segment and size arithmetic over the raw ELF structures.
//!
//! Works on 32/64-bit, little/big-endian files alike by being generic over
//! `object`'s `FileHeader`, borrowing the input bytes throughout.

use object::elf;
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};
use object::{Endianness, FileKind};

use super::bytes::{describe_unknown, in_file, loaded_hash};
use super::types::{Berkeley, BytesError, Measurement, SectionClass, SectionSize};

/// One allocated section's figures before they become a `SectionSize`.
struct Raw<'data> {
    bytes: &'data [u8],
    name: String,
    flags: u64,
    nobits: bool,
    size: u64,
    addr: u64,
    lma: u64,
}

/// What the file holds besides the program: debug info and the symbol table.
#[derive(Default)]
struct NotLoaded {
    has_debug_info: bool,
    debug_info_bytes: u64,
    symbol_table_bytes: u64,
}

impl NotLoaded {
    fn count(&mut self, name: &str, sh_type: u32, flags: u64, size: u64) {
        self.has_debug_info |= name == ".debug_info";
        if flags & u64::from(elf::SHF_ALLOC) != 0 || sh_type == elf::SHT_NOBITS {
            return;
        }
        if name.starts_with(".debug") || name.starts_with(".zdebug") {
            self.debug_info_bytes = self.debug_info_bytes.saturating_add(size);
        } else if sh_type == elf::SHT_SYMTAB || name == ".strtab" {
            self.symbol_table_bytes = self.symbol_table_bytes.saturating_add(size);
        }
    }
}

/// The bytes flashed: what `objcopy -O binary` writes (every allocated
/// section with contents at its load address, from the lowest to the
/// highest, gaps filled with zeros) when the stored bytes form one image;
/// else the stored sections one after another in load-address order (the
/// payload of an image made of segments, as an ESP32's is).
pub fn flash_image(data: &[u8]) -> Result<Vec<u8>, BytesError> {
    let (raws, _) = match FileKind::parse(data) {
        Ok(FileKind::Elf32) => raw_sections::<elf::FileHeader32<Endianness>>(data)?,
        Ok(FileKind::Elf64) => raw_sections::<elf::FileHeader64<Endianness>>(data)?,
        _ => return Err(BytesError::NotElf(describe_unknown(data))),
    };
    let mut loaded = stored(&raws);
    loaded.sort_by_key(|r| r.lma);
    let Some(len) = image_len(&raws) else {
        return Ok(loaded
            .iter()
            .flat_map(|r| r.bytes.iter().copied())
            .collect());
    };
    let lo = loaded.first().map_or(0, |r| r.lma);
    let mut image = vec![0u8; len as usize];
    for r in loaded {
        let at = (r.lma - lo) as usize;
        image[at..at + r.bytes.len()].copy_from_slice(r.bytes);
    }
    Ok(image)
}

/// The allocated sections with contents: what is stored in flash.
fn stored<'a, 'data>(raws: &'a [Raw<'data>]) -> Vec<&'a Raw<'data>> {
    raws.iter()
        .filter(|r| r.flags & u64::from(elf::SHF_ALLOC) != 0 && !r.nobits && r.size > 0)
        .collect()
}

/// Every section's figures (and bytes, for allocated ones), borrowed from `data`.
fn raw_sections<Elf: FileHeader<Endian = Endianness>>(
    data: &[u8],
) -> Result<(Vec<Raw<'_>>, NotLoaded), BytesError> {
    let corrupt = |e: object::Error| BytesError::Corrupt(e.to_string());
    let header = Elf::parse(data).map_err(corrupt)?;
    let endian = header.endian().map_err(corrupt)?;
    let sections = header.sections(endian, data).map_err(corrupt)?;
    let segments = header.program_headers(endian, data).map_err(corrupt)?;

    let mut out = Vec::new();
    let mut extra = NotLoaded::default();
    for section in sections.iter() {
        let name = sections.section_name(endian, section).map_err(corrupt)?;
        let name = String::from_utf8_lossy(name).into_owned();
        let sh_type = section.sh_type(endian);
        if sh_type == elf::SHT_NULL {
            continue;
        }
        let flags: u64 = section.sh_flags(endian).into();
        let size: u64 = section.sh_size(endian).into();
        extra.count(&name, sh_type, flags, size);
        let addr: u64 = section.sh_addr(endian).into();
        let offset: u64 = section.sh_offset(endian).into();
        let nobits = sh_type == elf::SHT_NOBITS;
        if !nobits && size > 0 {
            in_file(&name, offset, size, data.len())?;
        }
        let lma = load_address::<Elf>(endian, segments, addr, offset, nobits);
        let alloc = flags & u64::from(elf::SHF_ALLOC) != 0;
        let bytes = if alloc && !nobits && size > 0 {
            &data[offset as usize..(offset + size) as usize]
        } else {
            &[][..]
        };
        out.push(Raw {
            name,
            flags,
            nobits,
            size,
            addr,
            lma,
            bytes,
        });
    }

    Ok((out, extra))
}

pub fn measure<Elf: FileHeader<Endian = Endianness>>(
    data: &[u8],
) -> Result<Measurement, BytesError> {
    let corrupt = |e: object::Error| BytesError::Corrupt(e.to_string());
    let header = Elf::parse(data).map_err(corrupt)?;
    let endian = header.endian().map_err(corrupt)?;
    let (out, extra) = raw_sections::<Elf>(data)?;
    let sections: Vec<SectionSize> = out.iter().map(classify).collect();
    let berkeley = berkeley(&out);
    let flash_bytes = sections
        .iter()
        .fold(0u64, |a, s| a.saturating_add(s.flash_bytes));
    let ram_bytes = sections
        .iter()
        .filter(|s| !s.is_reservation())
        .fold(0u64, |a, s| a.saturating_add(s.ram_bytes));
    Ok(Measurement {
        file_bytes: data.len() as u64,
        stripped_bytes: super::strip::stripped_len(data)
            .map_err(|e| BytesError::Corrupt(format!("cannot strip: {e}")))?,
        flash_bytes,
        ram_bytes,
        image_bytes: image_len(&out),
        berkeley,
        format: format_name(header, endian),
        has_debug_info: extra.has_debug_info,
        debug_info_bytes: extra.debug_info_bytes,
        symbol_table_bytes: extra.symbol_table_bytes,
        flash_hash: flash_hash(&out),
        normalized_bytes: super::normalized::normalized_bytes(data),
        sections,
        wasm: None,
    })
}

/// The address a section's bytes are stored at: the load segment containing
/// its file offset maps it (`p_paddr`), as `objcopy` and the linker see it.
fn load_address<Elf: FileHeader>(
    endian: Elf::Endian,
    segments: &[Elf::ProgramHeader],
    addr: u64,
    offset: u64,
    nobits: bool,
) -> u64 {
    if nobits {
        return addr;
    }
    for seg in segments {
        if seg.p_type(endian) != elf::PT_LOAD {
            continue;
        }
        let p_offset: u64 = seg.p_offset(endian).into();
        let p_filesz: u64 = seg.p_filesz(endian).into();
        let p_vaddr: u64 = seg.p_vaddr(endian).into();
        let p_paddr: u64 = seg.p_paddr(endian).into();
        let in_file = offset >= p_offset && offset < p_offset.saturating_add(p_filesz);
        let in_vm = addr >= p_vaddr && addr < p_vaddr.saturating_add(seg.p_memsz(endian).into());
        if in_file && in_vm {
            return p_paddr.wrapping_add(addr - p_vaddr);
        }
    }
    addr
}

fn classify(raw: &Raw) -> SectionSize {
    let alloc = raw.flags & u64::from(elf::SHF_ALLOC) != 0;
    let write = raw.flags & u64::from(elf::SHF_WRITE) != 0;
    let class = match (alloc, write, raw.nobits) {
        (false, _, _) => SectionClass::Other,
        (true, false, _) => SectionClass::Text,
        (true, true, false) => SectionClass::Data,
        (true, true, true) => SectionClass::Bss,
    };
    let flash_bytes = if alloc && !raw.nobits { raw.size } else { 0 };
    let ram_bytes = if alloc && write { raw.size } else { 0 };
    SectionSize {
        name: raw.name.clone(),
        class,
        size: raw.size,
        address: raw.addr,
        load_address: raw.lma,
        flash_bytes,
        ram_bytes,
    }
}

/// binutils' `size` (Berkeley): code or read-only → text; else with contents
/// → data; else bss. Only allocated sections count.
fn berkeley(raws: &[Raw]) -> Berkeley {
    let mut b = Berkeley {
        text: 0,
        data: 0,
        bss: 0,
    };
    for r in raws {
        if r.flags & u64::from(elf::SHF_ALLOC) == 0 {
            continue;
        }
        let code = r.flags & u64::from(elf::SHF_EXECINSTR) != 0;
        let readonly = r.flags & u64::from(elf::SHF_WRITE) == 0;
        if code || readonly {
            b.text = b.text.saturating_add(r.size);
        } else if !r.nobits {
            b.data = b.data.saturating_add(r.size);
        } else {
            b.bss = b.bss.saturating_add(r.size);
        }
    }
    b
}

/// SHA-256 of the loaded bytes and their addresses. The GNU build id is
/// left out: it is a hash of the whole file (symbols and debug info too),
/// so it differs between builds whose loaded code is identical.
fn flash_hash(raws: &[Raw]) -> String {
    loaded_hash(
        raws.iter()
            .filter(|r| r.name != ".note.gnu.build-id")
            .map(|r| (r.lma, r.bytes))
            .collect(),
    )
}

/// A gap between stored bytes larger than this is not padding to a page
/// but another memory (a second bank, an ESP32's cache windows, an nRF's
/// UICR): the bytes no longer form one image.
const MAX_IMAGE_GAP: u64 = 64 * 1024;

/// Length of `objcopy -O binary` output (from the lowest to the highest
/// load address of any allocated section with contents) when the stored
/// bytes form one image: no gap between them over `MAX_IMAGE_GAP`.
fn image_len(raws: &[Raw]) -> Option<u64> {
    let mut loaded = stored(raws);
    loaded.sort_by_key(|r| r.lma);
    let Some(first) = loaded.first() else {
        return Some(0);
    };
    let mut end = first.lma;
    for r in &loaded {
        if r.lma > end.saturating_add(MAX_IMAGE_GAP) {
            return None;
        }
        end = end.max(r.lma.saturating_add(r.size));
    }
    Some(end - first.lma)
}

fn format_name<Elf: FileHeader<Endian = Endianness>>(header: &Elf, endian: Endianness) -> String {
    let class = if header.is_class_64() {
        "elf64"
    } else {
        "elf32"
    };
    let order = if endian == Endianness::Little {
        "little"
    } else {
        "big"
    };
    let machine = match header.e_machine(endian) {
        elf::EM_ARM => "arm",
        elf::EM_X86_64 => "x86-64",
        elf::EM_386 => "i386",
        elf::EM_AARCH64 => "aarch64",
        elf::EM_RISCV => "riscv",
        elf::EM_AVR => "avr",
        elf::EM_XTENSA => "xtensa",
        elf::EM_MIPS => "mips",
        elf::EM_PPC | elf::EM_PPC64 => "powerpc",
        elf::EM_MSP430 => "msp430",
        _ => "unknown",
    };
    format!("{class}-{order}{machine}")
}
