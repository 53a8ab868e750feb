//! Writing the stripped file exactly as binutils' `strip` (default options,
//! `--strip-all`) writes it: symbol tables, relocations for them and
//! debugging sections removed; other non-allocated sections (`.comment`,
//! `.ARM.attributes`, notes) kept.
//!
//! `strip` does not keep the input's layout: BFD lays the file out anew
//! (`_bfd_elf_compute_section_file_positions`). The program headers are
//! copied, with the segments placed in the order of their load addresses,
//! each at the smallest offset congruent with its address modulo its
//! p_align (`layout`); segments without file contents take no room;
//! non-allocated sections follow in section order, then the new
//! section-name table and the section headers. Gaps are zeros. `input`
//! reads the file as BFD does, `segments` builds BFD's segment map,
//! `headers` encodes the new headers.
//!
//! The output borrows every section's bytes from the input: only headers
//! and the name table are built, so a huge binary is never copied.
//!
//! Checked byte for byte (binutils 2.40) against `arm-none-eabi-strip`,
//! `riscv64-unknown-elf-strip` and Debian's `strip` on firmware, host
//! executables, shared libraries and objects. Not emulated: BFD rebuilds
//! the program headers from scratch (`rewrite_elf_program_header`) when a
//! segment held a section `strip` removes, which linkers do not produce,
//! and `strip` merges duplicate GNU build-attribute notes
//! (`.gnu.build.attributes`, from GCC's annobin plugin); such files come
//! out as if the headers were copied and the notes kept whole.

mod headers;
mod input;
mod layout;
mod others;
mod segments;
#[cfg(test)]
mod tests;

use object::elf;
use object::read::elf::FileHeader;
use object::{Endianness, FileKind};
use std::io::Write;

use headers::{Enc, Numbering, Tables};
use input::Input;

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

/// Bytes at a file offset: built here or borrowed from the input.
struct Piece<'data> {
    at: u64,
    owned: Vec<u8>,
    borrowed: &'data [u8],
}

/// The stripped file: pieces at their offsets, zeros between them.
struct Out<'data> {
    pieces: Vec<Piece<'data>>,
}

impl<'data> Out<'data> {
    fn own(&mut self, at: u64, bytes: Vec<u8>) {
        self.pieces.push(Piece {
            at,
            owned: bytes,
            borrowed: &[],
        });
    }
    fn borrow(&mut self, at: u64, bytes: &'data [u8]) {
        self.pieces.push(Piece {
            at,
            owned: Vec::new(),
            borrowed: bytes,
        });
    }
    fn len(&self) -> u64 {
        self.pieces
            .iter()
            .map(|p| {
                p.at.saturating_add((p.owned.len() + p.borrowed.len()) as u64)
            })
            .max()
            .unwrap_or(0)
    }
    /// In offset order; where pieces overlap (only in damaged files) the
    /// earlier one wins.
    fn write_to(mut self, w: &mut dyn Write) -> std::io::Result<()> {
        self.pieces.sort_by_key(|p| p.at);
        let zeros = [0u8; 8192];
        let mut pos = 0u64;
        for p in &self.pieces {
            let bytes = if p.owned.is_empty() {
                p.borrowed
            } else {
                &p.owned[..]
            };
            while pos < p.at {
                let n = (p.at - pos).min(zeros.len() as u64) as usize;
                w.write_all(&zeros[..n])?;
                pos += n as u64;
            }
            let skip = usize::try_from(pos - p.at).unwrap_or(usize::MAX);
            if let Some(rest) = bytes.get(skip..) {
                w.write_all(rest)?;
                pos += rest.len() as u64;
            }
        }
        Ok(())
    }
}

/// A stripped file far larger than its input comes only from damaged
/// offsets or alignments: refuse rather than write gigabytes of zeros.
fn check_len(out: &Out, input_len: usize) -> Result<(), String> {
    let len = out.len();
    let limit = (input_len as u64)
        .saturating_mul(2)
        .saturating_add(64 << 20);
    if len > limit {
        return Err(format!(
            "the stripped layout would be {len} bytes, from a {input_len}-byte file"
        ));
    }
    Ok(())
}

fn strip_generic<Elf: FileHeader<Endian = Endianness>>(data: &[u8]) -> Result<Out<'_>, String> {
    let input = input::parse::<Elf>(data)?;
    if input.secs.is_empty() {
        return Err("the file has no section headers for strip to rewrite".into());
    }
    let l = lay_out(&input);
    let mut out = Out { pieces: Vec::new() };
    for (i, s) in input.secs.iter().enumerate() {
        if !s.kept || l.sh_type[i] == elf::SHT_NOBITS {
            continue;
        }
        let bytes = s.data.ok_or_else(|| {
            let name = String::from_utf8_lossy(s.name);
            format!("section `{name}` lies outside the file")
        })?;
        if !bytes.is_empty() {
            out.borrow(l.offset[i], bytes);
        }
    }
    let num = Numbering::new(&input);
    let kept: Vec<usize> = (0..input.secs.len())
        .filter(|&i| input.secs[i].kept)
        .collect();
    let mut names: Vec<&[u8]> = kept.iter().map(|&i| input.secs[i].name).collect();
    names.push(b".shstrtab");
    let (table, name_at) = string_table(&names);
    let shstrtab_at = l.next;
    let word = if input.ehdr.is_64 { 8 } else { 4 };
    let shoff = layout::align_up(shstrtab_at.wrapping_add(table.len() as u64), word);
    let shnum = kept.len() + 2;
    if shnum >= elf::SHN_LORESERVE as usize || l.phdrs.len() >= 0xffff {
        return Err("too many sections or segments to write a stripped file".into());
    }
    let tables = Tables {
        phoff: l.e_phoff,
        phnum: l.phdrs.len() as u16,
        shoff,
        shnum: shnum as u16,
        shstrndx: (shnum - 1) as u16,
    };
    out.own(0, headers::elf_header(&input.ehdr, &tables));
    if !l.phdrs.is_empty() {
        out.own(l.e_phoff, headers::program_headers(&input.ehdr, &l.phdrs));
    }
    out.own(
        shoff,
        section_headers(&input, &l, &num, &kept, &name_at, shstrtab_at, table.len()),
    );
    out.own(shstrtab_at, table);
    check_len(&out, data.len())?;
    Ok(out)
}

/// Lay the stripped file out as BFD does: objects section after section;
/// executables by segment, then the other sections.
fn lay_out(input: &Input) -> layout::Layout {
    let mut l = layout::Layout::new(input);
    if !input.ehdr.linked() {
        layout::relocatable(input, &mut l);
        return l;
    }
    let mut maps = segments::copy_program_headers(input);
    segments::modify_segment_map(input, &mut maps);
    layout::load_sections(input, &mut maps, &mut l);
    others::non_load_sections(input, &mut l);
    others::non_load_segments(input, &maps, &mut l);
    l
}

/// The null header, the kept sections' and the name table's own.
fn section_headers(
    input: &Input,
    l: &layout::Layout,
    num: &Numbering,
    kept: &[usize],
    name_at: &[u32],
    shstrtab_at: u64,
    shstrtab_len: usize,
) -> Vec<u8> {
    let mut e = Enc::new(&input.ehdr);
    let null = headers::Shdr {
        name: 0,
        sh_type: 0,
        flags: 0,
        addr: 0,
        offset: 0,
        size: 0,
        link: 0,
        info: 0,
        addralign: 0,
        entsize: 0,
    };
    headers::put_shdr(&mut e, &null);
    for (k, &i) in kept.iter().enumerate() {
        let h = headers::section_header(input, l, num, i, name_at[k]);
        headers::put_shdr(&mut e, &h);
    }
    let own = headers::Shdr {
        name: name_at[kept.len()],
        sh_type: elf::SHT_STRTAB,
        offset: shstrtab_at,
        size: shstrtab_len as u64,
        addralign: 1,
        ..null
    };
    headers::put_shdr(&mut e, &own);
    e.buf
}

/// The section-name table as BFD writes it (`elf-strtab.c`), and each
/// name's offset. Names are laid down in the order BFD first met them
/// (`.symtab`, `.strtab` and `.shstrtab` when the file header was set up,
/// then the sections' in order), each once; a name that ends another
/// shares that one's bytes, the other being found by sorting the names
/// by their reversed bytes and walking the sorted list from its end.
fn string_table(names: &[&[u8]]) -> (Vec<u8>, Vec<u32>) {
    use std::collections::HashMap;
    let mut entries: Vec<&[u8]> = Vec::new();
    let mut slot: HashMap<&[u8], usize> = HashMap::new();
    let used: std::collections::HashSet<&[u8]> = names.iter().copied().collect();
    let early: [&[u8]; 3] = [b".symtab", b".strtab", b".shstrtab"];
    for n in early
        .iter()
        .copied()
        .filter(|n| used.contains(n))
        .chain(names.iter().copied())
    {
        if !n.is_empty() && !slot.contains_key(n) {
            slot.insert(n, entries.len());
            entries.push(n);
        }
    }
    // Which entry's bytes each entry lives in (itself when not merged).
    let mut host: Vec<usize> = (0..entries.len()).collect();
    let mut sorted: Vec<usize> = (0..entries.len()).collect();
    sorted.sort_by(|&a, &b| entries[a].iter().rev().cmp(entries[b].iter().rev()));
    if let Some((&last, rest)) = sorted.split_last() {
        let mut e = last;
        for &c in rest.iter().rev() {
            if entries[e].len() > entries[c].len() && entries[e].ends_with(entries[c]) {
                host[c] = e;
            } else {
                e = c;
            }
        }
    }
    let mut table = vec![0u8];
    let mut at = vec![0usize; entries.len()];
    for (k, n) in entries.iter().enumerate() {
        if host[k] == k {
            at[k] = table.len();
            table.extend_from_slice(n);
            table.push(0);
        }
    }
    let offset = |n: &[u8]| -> u32 {
        let Some(&k) = slot.get(n) else { return 0 };
        let h = host[k];
        (at[h] + entries[h].len() - entries[k].len()) as u32
    };
    let offsets = names.iter().map(|n| offset(n)).collect();
    (table, offsets)
}
