//! Writing the stripped file exactly as binutils' `strip` (default options)
//! writes it: symbol tables and debugging sections removed, other
//! non-allocated sections (`.comment`, `.ARM.attributes`, notes) kept.
//!
//! Like `strip`, the file keeps everything up to its last loaded byte where
//! it was; then come the kept non-allocated sections, each at its
//! alignment, a new section-name table (names that end another name share
//! its bytes, as BFD's string tables do) and the section header table,
//! aligned to the word size. (Rewriting through `object::build` would also
//! regenerate `.dynamic` and `.gnu.hash`, which changes loaded bytes of
//! hosted binaries.)

use object::elf;
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};
use object::{Endianness, FileKind};
use std::io::Write;

/// Write the stripped file to `w`.
pub fn strip_to(data: &[u8], w: &mut dyn Write) -> Result<(), String> {
    let out = match FileKind::parse(data) {
        Ok(FileKind::Elf32) => strip_generic::<elf::FileHeader32<Endianness>>(data)?,
        Ok(FileKind::Elf64) => strip_generic::<elf::FileHeader64<Endianness>>(data)?,
        _ => return Err("not an ELF file".into()),
    };
    out.write_to(w).map_err(|e| e.to_string())
}

/// The stripped file's bytes.
pub fn strip_bytes(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut v = Vec::new();
    strip_to(data, &mut v)?;
    Ok(v)
}

/// Counts what is written and keeps nothing.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Length of the stripped file: really written, through the same writer
/// path as the file, into a counter (no copy of a huge binary in memory).
pub fn stripped_len(data: &[u8]) -> Result<u64, String> {
    let mut c = Counter(0);
    strip_to(data, &mut c)?;
    Ok(c.0)
}

/// Field offsets that differ between ELF classes.
struct Layout {
    is_64: bool,
    e_shoff: usize,
    e_shnum: usize,
    e_shstrndx: usize,
    sh_link: usize,
    sh_info: usize,
    sh_offset: usize,
    sh_size: usize,
}

const L32: Layout = Layout {
    is_64: false,
    e_shoff: 0x20,
    e_shnum: 0x30,
    e_shstrndx: 0x32,
    sh_link: 24,
    sh_info: 28,
    sh_offset: 16,
    sh_size: 20,
};
const L64: Layout = Layout {
    is_64: true,
    e_shoff: 0x28,
    e_shnum: 0x3c,
    e_shstrndx: 0x3e,
    sh_link: 40,
    sh_info: 44,
    sh_offset: 24,
    sh_size: 32,
};

/// The stripped file: the original's ELF header (patched), the original
/// bytes up to the last loaded byte (borrowed, never copied), then a new tail.
struct Out<'data> {
    head: Vec<u8>,
    body: &'data [u8],
    tail: Vec<u8>,
    big: bool,
}

impl Out<'_> {
    /// Bytes at absolute file offset `at`: in the header or in the tail.
    fn slot(&mut self, at: usize, n: usize) -> &mut [u8] {
        if at < self.head.len() {
            &mut self.head[at..at + n]
        } else {
            let i = at - self.head.len() - self.body.len();
            &mut self.tail[i..i + n]
        }
    }
    fn len(&self) -> usize {
        self.head.len() + self.body.len() + self.tail.len()
    }
    fn put_u16(&mut self, at: usize, v: u16) {
        let b = if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.slot(at, 2).copy_from_slice(&b);
    }
    fn put_u32(&mut self, at: usize, v: u32) {
        let b = if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.slot(at, 4).copy_from_slice(&b);
    }
    fn put_word(&mut self, at: usize, v: u64, is_64: bool) {
        if is_64 {
            let b = if self.big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            };
            self.slot(at, 8).copy_from_slice(&b);
        } else {
            self.put_u32(at, v as u32);
        }
    }
    fn extend(&mut self, bytes: &[u8]) {
        self.tail.extend_from_slice(bytes);
    }
    fn align(&mut self, to: usize) {
        while self.len() % to != 0 {
            self.tail.push(0);
        }
    }
    fn write_to(&self, w: &mut dyn Write) -> std::io::Result<()> {
        w.write_all(&self.head)?;
        w.write_all(self.body)?;
        w.write_all(&self.tail)
    }
}

/// Sections binutils' `strip` (default `--strip-all`) removes: symbol and
/// string tables, debugging sections (recognised by name, as BFD does),
/// the old section-name table (a new one is written), relocations.
fn removed_by_strip(name: &[u8], sh_type: u32) -> bool {
    const DEBUG: &[&[u8]] = &[
        b".debug",
        b".zdebug",
        b".gnu.linkonce.wi.",
        b".line",
        b".stab",
        b".gnu.debuglto_",
    ];
    matches!(
        sh_type,
        elf::SHT_SYMTAB | elf::SHT_STRTAB | elf::SHT_REL | elf::SHT_RELA | elf::SHT_SYMTAB_SHNDX
    ) || DEBUG.iter().any(|d| name.starts_with(d))
}

/// The section-name table for `names` as BFD writes it (a NUL first, then
/// each distinct name with its NUL, where a name that is the end of
/// another one, `.data` of `.tdata`, shares its bytes), and each name's offset.
fn string_table(names: &[&[u8]]) -> (Vec<u8>, Vec<u32>) {
    let mut table = vec![0u8];
    let mut unique: Vec<&[u8]> = names.iter().copied().filter(|n| !n.is_empty()).collect();
    unique.sort();
    unique.dedup();
    let longest: Vec<&[u8]> = unique
        .iter()
        .copied()
        .filter(|n| !unique.iter().any(|m| m.len() > n.len() && m.ends_with(n)))
        .collect();
    let mut at = std::collections::HashMap::new();
    for n in &longest {
        at.insert(*n, table.len());
        table.extend_from_slice(n);
        table.push(0);
    }
    let offsets = names
        .iter()
        .map(|n| {
            if n.is_empty() {
                return 0;
            }
            // The shortest kept name this one ends.
            let (host, start) = longest
                .iter()
                .filter(|m| m.ends_with(n))
                .map(|m| (m, at[m]))
                .min_by_key(|(m, _)| m.len())
                .expect("every name is kept or ends a kept one");
            (start + host.len() - n.len()) as u32
        })
        .collect();
    (table, offsets)
}

/// The sections a stripped file keeps, by their index in the input.
struct Kept {
    /// Input indices, in order; the null section first.
    indices: Vec<usize>,
    /// Input index → index in the output (0 when removed).
    new_index: Vec<u32>,
    /// Input index → new file offset, for the non-allocated sections moved
    /// after the loaded bytes.
    placed: Vec<Option<u64>>,
    /// Kept position → offset of its name in the new section-name table.
    name_at: Vec<u32>,
}

/// Keep the null section, every allocated one and the non-allocated ones
/// strip keeps (comments, attributes, notes), in their order.
fn kept_sections<Elf: FileHeader<Endian = Endianness>>(
    sections: &object::read::elf::SectionTable<'_, Elf>,
    all: &[&Elf::SectionHeader],
    endian: Endianness,
) -> Kept {
    let mut indices = Vec::new();
    let mut new_index = vec![0u32; all.len()];
    for (i, s) in all.iter().enumerate() {
        let flags: u64 = s.sh_flags(endian).into();
        let alloc = flags & u64::from(elf::SHF_ALLOC) != 0;
        let name = sections.section_name(endian, s).unwrap_or_default();
        if i == 0 || alloc || !removed_by_strip(name, s.sh_type(endian)) {
            new_index[i] = indices.len() as u32;
            indices.push(i);
        }
    }
    Kept {
        indices,
        new_index,
        placed: vec![None; all.len()],
        name_at: Vec::new(),
    }
}

/// Non-allocated sections kept: after the loaded bytes, each at its alignment.
fn place_unloaded<Elf: FileHeader<Endian = Endianness>>(
    out: &mut Out<'_>,
    kept: &mut Kept,
    all: &[&Elf::SectionHeader],
    endian: Endianness,
    data: &[u8],
    end: usize,
) -> Result<(), String> {
    for &i in kept.indices.iter().skip(1) {
        let s = all[i];
        let flags: u64 = s.sh_flags(endian).into();
        if flags & u64::from(elf::SHF_ALLOC) != 0 {
            continue;
        }
        let offset: u64 = s.sh_offset(endian).into();
        let size: u64 = s.sh_size(endian).into();
        if offset.saturating_add(size) <= end as u64 {
            // Already inside the bytes kept in place (objects, odd layouts).
            continue;
        }
        let align: u64 = s.sh_addralign(endian).into();
        out.align(align.max(1) as usize);
        kept.placed[i] = Some(out.len() as u64);
        if s.sh_type(endian) != elf::SHT_NOBITS {
            out.extend(s.data(endian, data).map_err(|e| e.to_string())?);
        }
    }
    Ok(())
}

/// The kept sections' headers, copied with new names, offsets and links.
fn kept_headers<Elf: FileHeader<Endian = Endianness>>(
    out: &mut Out<'_>,
    kept: &Kept,
    all: &[&Elf::SectionHeader],
    endian: Endianness,
    data: &[u8],
    shdr_table: usize,
    layout: &Layout,
) -> Result<(), String> {
    let shentsize = if layout.is_64 { 64 } else { 40 };
    for (k, &i) in kept.indices.iter().enumerate() {
        let raw = shdr_table
            .checked_add(i * shentsize)
            .and_then(|from| data.get(from..from.checked_add(shentsize)?))
            .ok_or("section header table is truncated")?;
        let at = out.len();
        out.extend(raw);
        if i == 0 {
            continue;
        }
        let s = all[i];
        out.put_u32(at, kept.name_at[k]);
        if let Some(offset) = kept.placed[i] {
            out.put_word(at + layout.sh_offset, offset, layout.is_64);
        }
        let new = |index: u32| kept.new_index.get(index as usize).copied().unwrap_or(0);
        out.put_u32(at + layout.sh_link, new(s.sh_link(endian)));
        let flags: u64 = s.sh_flags(endian).into();
        if flags & u64::from(elf::SHF_INFO_LINK) != 0 {
            out.put_u32(at + layout.sh_info, new(s.sh_info(endian)));
        }
    }
    Ok(())
}

/// The section-name table's own header, last.
fn shstrtab_header(out: &mut Out<'_>, name: u32, offset: usize, size: usize, layout: &Layout) {
    let shentsize = if layout.is_64 { 64 } else { 40 };
    let at = out.len();
    out.extend(&vec![0u8; shentsize]);
    out.put_u32(at, name);
    out.put_u32(at + 4, elf::SHT_STRTAB);
    out.put_word(at + layout.sh_offset, offset as u64, layout.is_64);
    out.put_word(at + layout.sh_size, size as u64, layout.is_64);
    let align_at = if layout.is_64 { 48 } else { 32 };
    out.put_word(at + align_at, 1, layout.is_64);
}

fn strip_generic<Elf: FileHeader<Endian = Endianness>>(data: &[u8]) -> Result<Out<'_>, String> {
    let e = |e: object::Error| e.to_string();
    let header = Elf::parse(data).map_err(e)?;
    let endian = header.endian().map_err(e)?;
    let sections = header.sections(endian, data).map_err(e)?;
    let segments = header.program_headers(endian, data).map_err(e)?;
    let layout = if header.is_class_64() { L64 } else { L32 };

    let all: Vec<&Elf::SectionHeader> = sections.iter().collect();
    let mut kept = kept_sections::<Elf>(&sections, &all, endian);
    let end = loaded_end::<Elf>(data, header, endian, segments, &all, &kept.indices)?;
    let ehsize =
        usize::from(header.e_ehsize(endian)).clamp(if layout.is_64 { 64 } else { 52 }, end);
    let mut out = Out {
        head: data[..ehsize].to_vec(),
        body: &data[ehsize..end],
        tail: Vec::new(),
        big: endian == Endianness::Big,
    };
    if kept.indices.is_empty() {
        // No section table to rebuild: the loaded bytes alone.
        out.put_word(layout.e_shoff, 0, layout.is_64);
        out.put_u16(layout.e_shnum, 0);
        out.put_u16(layout.e_shstrndx, 0);
        return Ok(out);
    }
    place_unloaded::<Elf>(&mut out, &mut kept, &all, endian, data, end)?;
    // The new section-name table: kept names and its own.
    let mut names: Vec<&[u8]> = Vec::with_capacity(kept.indices.len() + 1);
    for &i in &kept.indices {
        names.push(if i == 0 {
            &[][..]
        } else {
            sections.section_name(endian, all[i]).map_err(e)?
        });
    }
    names.push(b".shstrtab");
    let (table, name_at) = string_table(&names);
    kept.name_at = name_at;
    let shstrtab_offset = out.len();
    out.extend(&table);
    out.align(if layout.is_64 { 8 } else { 4 });

    let shoff = out.len();
    let shdr_table = header.e_shoff(endian).into() as usize;
    kept_headers::<Elf>(&mut out, &kept, &all, endian, data, shdr_table, &layout)?;
    let n = kept.indices.len();
    shstrtab_header(
        &mut out,
        kept.name_at[n],
        shstrtab_offset,
        table.len(),
        &layout,
    );
    if n + 1 >= elf::SHN_LORESERVE as usize {
        return Err("too many sections to write a stripped file".into());
    }
    out.put_word(layout.e_shoff, shoff as u64, layout.is_64);
    out.put_u16(layout.e_shnum, (n + 1) as u16);
    out.put_u16(layout.e_shstrndx, n as u16);
    Ok(out)
}

/// The end of the last loaded byte, program header or kept allocated
/// section: everything before stays where it is. Offsets and sizes come
/// from the file: a damaged one must not overflow.
fn loaded_end<Elf: FileHeader<Endian = Endianness>>(
    data: &[u8],
    header: &Elf,
    endian: Endianness,
    segments: &[Elf::ProgramHeader],
    all: &[&Elf::SectionHeader],
    kept: &[usize],
) -> Result<usize, String> {
    let mut end = u64::from(header.e_ehsize(endian));
    let phend = header
        .e_phoff(endian)
        .into()
        .saturating_add(u64::from(header.e_phnum(endian)) * u64::from(header.e_phentsize(endian)));
    if !segments.is_empty() {
        end = end.max(phend);
    }
    for seg in segments {
        let filesz: u64 = seg.p_filesz(endian).into();
        if filesz > 0 {
            end = end.max(seg.p_offset(endian).into().saturating_add(filesz));
        }
    }
    for &i in kept.iter().skip(1) {
        let s = all[i];
        let flags: u64 = s.sh_flags(endian).into();
        if flags & u64::from(elf::SHF_ALLOC) != 0 && s.sh_type(endian) != elf::SHT_NOBITS {
            end = end.max(
                s.sh_offset(endian)
                    .into()
                    .saturating_add(s.sh_size(endian).into()),
            );
        }
    }
    let min_header: u64 = if header.is_class_64() { 64 } else { 52 };
    let end = usize::try_from(end.max(min_header)).map_err(|_| "file too large".to_string())?;
    if end > data.len() {
        return Err(format!(
            "loaded contents end at {end}, after the end of the file ({})",
            data.len()
        ));
    }
    Ok(end)
}
