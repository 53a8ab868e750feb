//! The stripped file's headers, encoded: the ELF header (the input's,
//! with new table positions and counts), the program headers and the
//! section headers as BFD regenerates them.

use object::elf;

use super::input::{Backend, Ehdr, Input, Phdr, Sec};
use super::layout::{out_addralign, Layout};

/// Appends fields in the file's byte order and class.
pub(super) struct Enc {
    pub buf: Vec<u8>,
    big: bool,
    is_64: bool,
}

impl Enc {
    pub fn new(eh: &Ehdr) -> Enc {
        Enc {
            buf: Vec::new(),
            big: eh.big,
            is_64: eh.is_64,
        }
    }
    fn u16(&mut self, v: u16) {
        let b = if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.buf.extend_from_slice(&b);
    }
    fn u32(&mut self, v: u32) {
        let b = if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.buf.extend_from_slice(&b);
    }
    fn u64(&mut self, v: u64) {
        let b = if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.buf.extend_from_slice(&b);
    }
    /// An address-sized field (truncated in 32-bit files, as BFD writes them).
    fn word(&mut self, v: u64) {
        if self.is_64 {
            self.u64(v);
        } else {
            self.u32(v as u32);
        }
    }
}

/// Table positions and counts that go into the ELF header.
pub(super) struct Tables {
    pub phoff: u64,
    pub phnum: u16,
    pub shoff: u64,
    pub shnum: u16,
    pub shstrndx: u16,
}

/// The input's ELF header with the new tables.
pub(super) fn elf_header(eh: &Ehdr, t: &Tables) -> Vec<u8> {
    let mut head = Enc::new(eh);
    // e_ident, e_type, e_machine, e_version and e_entry as they were.
    let entry_end = if eh.is_64 { 0x20 } else { 0x1c };
    head.buf.extend_from_slice(&eh.raw[..entry_end]);
    head.word(if t.phnum == 0 { 0 } else { t.phoff });
    head.word(t.shoff);
    let flags_at = head.buf.len();
    head.buf.extend_from_slice(&eh.raw[flags_at..flags_at + 4]);
    head.u16(eh.size() as u16);
    head.u16(if t.phnum == 0 {
        0
    } else {
        eh.phdr_size() as u16
    });
    head.u16(t.phnum);
    head.u16(eh.shdr_size() as u16);
    head.u16(t.shnum);
    head.u16(t.shstrndx);
    head.buf
}

pub(super) fn program_headers(eh: &Ehdr, phdrs: &[Phdr]) -> Vec<u8> {
    let mut e = Enc::new(eh);
    for p in phdrs {
        e.u32(p.p_type);
        if eh.is_64 {
            e.u32(p.flags);
        }
        e.word(p.offset);
        e.word(p.vaddr);
        e.word(p.paddr);
        e.word(p.filesz);
        e.word(p.memsz);
        if !eh.is_64 {
            e.u32(p.flags);
        }
        e.word(p.align);
    }
    e.buf
}

/// One section header's fields.
pub(super) struct Shdr {
    pub name: u32,
    pub sh_type: u32,
    pub flags: u64,
    pub addr: u64,
    pub offset: u64,
    pub size: u64,
    pub link: u32,
    pub info: u32,
    pub addralign: u64,
    pub entsize: u64,
}

pub(super) fn put_shdr(e: &mut Enc, h: &Shdr) {
    e.u32(h.name);
    e.u32(h.sh_type);
    e.word(h.flags);
    e.word(h.addr);
    e.word(h.offset);
    e.word(h.size);
    e.u32(h.link);
    e.u32(h.info);
    e.word(h.addralign);
    e.word(h.entsize);
}

/// Input indices → output indices (0 for removed sections).
pub(super) struct Numbering {
    pub new_index: Vec<u32>,
    pub dynsym: Option<u32>,
    pub dynstr: Option<u32>,
}

impl Numbering {
    pub fn new(input: &Input) -> Numbering {
        let mut new_index = vec![0u32; input.secs.len()];
        let mut next = 1u32;
        for (i, _) in input.secs.iter().enumerate().filter(|(_, s)| s.kept) {
            new_index[i] = next;
            next = next.saturating_add(1);
        }
        let named = |n: &[u8]| {
            input
                .secs
                .iter()
                .position(|s| s.kept && s.name == n)
                .map(|i| new_index[i])
        };
        Numbering {
            dynsym: named(b".dynsym"),
            dynstr: named(b".dynstr"),
            new_index,
        }
    }
    fn map(&self, input_index: u32) -> u32 {
        self.new_index
            .get(input_index as usize)
            .copied()
            .unwrap_or(0)
    }
}

/// A kept section's header as BFD writes it (`elf_fake_sections`,
/// `assign_section_numbers`, `copy_special_section_fields`).
pub(super) fn section_header(
    input: &Input,
    l: &Layout,
    num: &Numbering,
    i: usize,
    name: u32,
) -> Shdr {
    let s = &input.secs[i];
    let sh_type = l.sh_type[i];
    let mut h = Shdr {
        name,
        sh_type,
        // Groups are all removed: their members leave them
        // (`_bfd_elf_fixup_group_sections`).
        flags: s.flags & !u64::from(elf::SHF_INFO_LINK | elf::SHF_GROUP),
        addr: s.addr,
        offset: l.offset[i],
        size: s.size,
        link: 0,
        info: 0,
        addralign: out_addralign(s),
        entsize: entsize(input, s, sh_type),
    };
    if s.flags & u64::from(elf::SHF_LINK_ORDER) != 0 {
        h.link = num.map(s.link);
    }
    match sh_type {
        elf::SHT_REL | elf::SHT_RELA => {
            h.link = num.map(s.link);
            if h.link == 0 && s.alloc() {
                h.link = num.dynsym.unwrap_or(0);
            }
            h.info = num.map(s.info);
            if h.info != 0 {
                h.flags |= u64::from(elf::SHF_INFO_LINK);
            }
        }
        elf::SHT_DYNAMIC | elf::SHT_DYNSYM | elf::SHT_GNU_VERNEED | elf::SHT_GNU_VERDEF => {
            h.link = num.dynstr.unwrap_or(0);
        }
        elf::SHT_HASH | elf::SHT_GNU_HASH | elf::SHT_GNU_VERSYM => {
            h.link = num.dynsym.unwrap_or(0);
        }
        _ => {}
    }
    if matches!(
        sh_type,
        elf::SHT_DYNSYM | elf::SHT_GNU_VERNEED | elf::SHT_GNU_VERDEF
    ) {
        h.info = s.info;
    }
    special_fields(input, num, s, &mut h);
    h
}

/// `copy_special_section_fields`: OS- and processor-specific sections (and
/// non-empty NOBITS ones) get their links from the input.
fn special_fields(input: &Input, num: &Numbering, s: &Sec, h: &mut Shdr) {
    if (h.sh_type != elf::SHT_NOBITS && h.sh_type < elf::SHT_LOOS)
        || h.size == 0
        || (h.info != 0 && h.link != 0)
    {
        return;
    }
    if h.sh_type == elf::SHT_NOBITS {
        if h.link == 0 {
            h.link = s.link;
        }
        if h.info == 0 {
            h.info = s.info;
        }
        return;
    }
    if input.target.backend == Backend::Arm && h.sh_type == elf::SHT_ARM_EXIDX {
        h.flags = u64::from(elf::SHF_ALLOC | elf::SHF_LINK_ORDER);
        h.info = 0;
        if num.map(s.link) != 0 {
            h.link = num.map(s.link);
        }
        return;
    }
    if s.link != 0 && num.map(s.link) != 0 {
        h.link = num.map(s.link);
    }
    if s.info != 0 {
        if s.flags & u64::from(elf::SHF_INFO_LINK) != 0 {
            if num.map(s.info) != 0 {
                h.info = num.map(s.info);
                h.flags |= u64::from(elf::SHF_INFO_LINK);
            }
        } else {
            h.info = s.info;
        }
    }
}

/// sh_entsize: fixed by type for the tables BFD knows, else the input's.
fn entsize(input: &Input, s: &Sec, sh_type: u32) -> u64 {
    let w = if input.ehdr.is_64 { 8 } else { 4 };
    match sh_type {
        elf::SHT_INIT_ARRAY | elf::SHT_FINI_ARRAY | elf::SHT_PREINIT_ARRAY => w,
        elf::SHT_HASH => 4,
        elf::SHT_DYNSYM => {
            if input.ehdr.is_64 {
                24
            } else {
                16
            }
        }
        elf::SHT_DYNAMIC => 2 * w,
        elf::SHT_GNU_VERSYM => 2,
        elf::SHT_GNU_VERDEF | elf::SHT_GNU_VERNEED => 0,
        elf::SHT_GROUP => 4,
        elf::SHT_GNU_HASH => {
            if input.ehdr.is_64 {
                0
            } else {
                4
            }
        }
        _ => s.entsize,
    }
}
