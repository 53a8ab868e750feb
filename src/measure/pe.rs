//! PE images (Windows executables): the sections as the loader maps them.
//! A section stores `min(VirtualSize, SizeOfRawData)` bytes and occupies
//! `VirtualSize` in memory; a writable section's tail beyond its stored
//! bytes is zero-filled memory (lld merges `.bss` into `.data` that way).

use object::pe;
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader, PeFile};
use object::{LittleEndian as LE, Object, ObjectSection, SectionFlags};

use super::types::{Berkeley, BytesError, Measurement, SectionClass, SectionSize};

/// Measure a PE image held in memory.
pub fn measure<Pe: ImageNtHeaders>(data: &[u8]) -> Result<Measurement, BytesError> {
    let corrupt = |e: object::Error| BytesError::Corrupt(e.to_string());
    let file = PeFile::<Pe>::parse(data).map_err(corrupt)?;
    let mut sections = Vec::new();
    let mut stored = Vec::new();
    let mut debug_info_bytes = 0u64;
    let mut has_debug_info = false;
    for s in file.sections() {
        let name = s.name().unwrap_or("").to_string();
        let characteristics = match s.flags() {
            SectionFlags::Coff { characteristics } => characteristics,
            _ => 0,
        };
        let size = s.size();
        let (offset, kept) = s.file_range().unwrap_or((0, 0));
        if is_debug(&name) {
            has_debug_info |= name == ".debug_info";
            debug_info_bytes += kept;
            sections.push(section(name, SectionClass::Other, size, s.address(), 0, 0));
            continue;
        }
        super::bytes::in_file(&name, offset, kept, data.len())?;
        let writable = characteristics & pe::IMAGE_SCN_MEM_WRITE != 0;
        let class = match (writable, kept > 0) {
            (false, _) => SectionClass::Text,
            (true, true) => SectionClass::Data,
            (true, false) => SectionClass::Bss,
        };
        let ram = if writable { size.max(kept) } else { 0 };
        stored.push((
            s.address(),
            &data[offset as usize..(offset + kept) as usize],
        ));
        sections.push(section(name, class, size.max(kept), s.address(), kept, ram));
    }
    let berkeley = berkeley(&sections);
    Ok(Measurement {
        file_bytes: data.len() as u64,
        stripped_bytes: stripped_len(&file),
        flash_bytes: sections.iter().map(|s| s.flash_bytes).sum(),
        ram_bytes: sections.iter().map(|s| s.ram_bytes).sum(),
        image_bytes: None,
        berkeley,
        format: format_name(file.nt_headers().file_header().machine.get(LE)),
        has_debug_info,
        debug_info_bytes,
        symbol_table_bytes: symbol_table_len(&file, data),
        flash_hash: super::bytes::loaded_hash(stored),
        normalized_bytes: None,
        sections,
        wasm: None,
    })
}

/// DWARF (MinGW links keep it in the image) and the old stabs.
fn is_debug(name: &str) -> bool {
    name.starts_with(".debug") || name.starts_with(".zdebug") || name.starts_with(".stab")
}

fn section(
    name: String,
    class: SectionClass,
    size: u64,
    address: u64,
    flash_bytes: u64,
    ram_bytes: u64,
) -> SectionSize {
    SectionSize {
        name,
        class,
        size,
        address,
        load_address: address,
        flash_bytes,
        ram_bytes,
    }
}

/// Read-only → text; the stored bytes of writable sections → data; their
/// zero-filled rest → bss.
fn berkeley(sections: &[SectionSize]) -> Berkeley {
    let mut b = Berkeley {
        text: 0,
        data: 0,
        bss: 0,
    };
    for s in sections {
        match s.class {
            SectionClass::Text => b.text += s.flash_bytes,
            SectionClass::Data | SectionClass::Bss => {
                b.data += s.flash_bytes;
                b.bss += s.ram_bytes - s.flash_bytes;
            }
            SectionClass::Other => {}
        }
    }
    b
}

/// The COFF symbol table and its string table (MinGW links keep them).
fn symbol_table_len<Pe: ImageNtHeaders>(file: &PeFile<'_, Pe>, data: &[u8]) -> u64 {
    let header = file.nt_headers().file_header();
    let at = u64::from(header.pointer_to_symbol_table.get(LE));
    let count = u64::from(header.number_of_symbols.get(LE));
    if at == 0 || count == 0 {
        return 0;
    }
    let strings_at = at + count * pe::IMAGE_SIZEOF_SYMBOL as u64;
    let strings = data
        .get(strings_at as usize..strings_at as usize + 4)
        .map_or(0, |b| {
            u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        });
    (strings_at + strings).min(data.len() as u64) - at
}

/// The file `strip` writes: the headers laid out again for the sections
/// kept, then each kept section's raw data; the symbol table, debug
/// sections and anything after the last section are gone.
fn stripped_len<Pe: ImageNtHeaders>(file: &PeFile<'_, Pe>) -> u64 {
    let nt = file.nt_headers();
    let align = u64::from(nt.optional_header().file_alignment()).max(1);
    let up = |n: u64| n.div_ceil(align) * align;
    let kept: Vec<u64> = file
        .sections()
        .filter(|s| !is_debug(s.name().unwrap_or("")))
        .map(|s| {
            s.file_range()
                .map_or(0, |_| u64::from(raw_size(file, s.index())))
        })
        .collect();
    let headers = u64::from(file.dos_header().nt_headers_offset())
        + 4
        + std::mem::size_of::<pe::ImageFileHeader>() as u64
        + u64::from(nt.file_header().size_of_optional_header.get(LE))
        + kept.len() as u64 * std::mem::size_of::<pe::ImageSectionHeader>() as u64;
    up(headers) + kept.iter().map(|&n| up(n)).sum::<u64>()
}

fn raw_size<Pe: ImageNtHeaders>(file: &PeFile<'_, Pe>, index: object::SectionIndex) -> u32 {
    file.section_table()
        .section(index)
        .map_or(0, |h| h.size_of_raw_data.get(LE))
}

/// BFD's names: `pei-x86-64`, `pei-i386`, `pei-aarch64-little`.
fn format_name(machine: u16) -> String {
    match machine {
        pe::IMAGE_FILE_MACHINE_AMD64 => "pei-x86-64".into(),
        pe::IMAGE_FILE_MACHINE_I386 => "pei-i386".into(),
        pe::IMAGE_FILE_MACHINE_ARM64 => "pei-aarch64-little".into(),
        pe::IMAGE_FILE_MACHINE_ARMNT => "pei-arm-little".into(),
        other => format!("pei-{other:#06x}"),
    }
}
