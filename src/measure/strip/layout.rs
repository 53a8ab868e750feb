//! File positions as BFD assigns them when it writes the stripped file
//! (`_bfd_elf_compute_section_file_positions`): loaded sections by segment
//! (`assign_file_positions_for_load_sections`), then the others in section
//! order (`assign_file_positions_for_non_load_sections`), then the section
//! name table and the section headers.
//!
//! Offsets follow BFD's unsigned arithmetic, wrapping where it wraps, so a
//! damaged file gives a strange layout, never a panic.

use object::elf;

use super::input::{low_bit, Input, Phdr, Sec};
use super::segments::{self, MapSeg};

/// Where everything goes in the output.
pub(super) struct Layout {
    /// The program headers, in map order.
    pub phdrs: Vec<Phdr>,
    pub e_phoff: u64,
    /// Input index → the section's offset in the output (`sh_offset`).
    pub offset: Vec<u64>,
    /// Input index → its type in the output (notes in `PT_NOTE` become `SHT_NOTE`).
    pub sh_type: Vec<u32>,
    /// Input index → its load address, as the layout may move it.
    pub lma: Vec<u64>,
    /// Where the next unplaced bytes go: the section-name table.
    pub next: u64,
}

/// `vma_page_aligned_bias`: how far to move `off` to be congruent with
/// `vma` modulo `align`.
pub(super) fn bias(vma: u64, off: u64, align: u64) -> u64 {
    vma.wrapping_sub(off) % align.max(1)
}

/// `BFD_ALIGN` to a power of two (or any other positive value).
pub(super) fn align_up(off: u64, align: u64) -> u64 {
    if align <= 1 {
        return off;
    }
    match off % align {
        0 => off,
        r => off.wrapping_add(align - r),
    }
}

/// sh_addralign as BFD writes it (`elf_fake_sections`): the highest power
/// of two dividing both the alignment and the address.
pub(super) fn out_addralign(s: &Sec) -> u64 {
    low_bit(s.align() | s.addr)
}

impl Layout {
    /// Nothing placed yet: sections where BFD leaves them unless moved.
    pub fn new(input: &Input) -> Layout {
        let n = input.secs.len();
        Layout {
            phdrs: Vec::new(),
            e_phoff: 0,
            offset: vec![0; n],
            sh_type: input.secs.iter().map(|s| s.sh_type).collect(),
            lma: input.secs.iter().map(|s| s.lma).collect(),
            next: input.ehdr.size(),
        }
    }
}

/// Objects (`assign_file_positions_except_relocs` for neither executables
/// nor shared objects): every section in order, each at its alignment.
pub(super) fn relocatable(input: &Input, l: &mut Layout) {
    let mut off = input.ehdr.size();
    for (i, s) in input.secs.iter().enumerate().filter(|(_, s)| s.kept) {
        off = align_up(off, out_addralign(s));
        l.offset[i] = off;
        if !s.nobits() {
            off = off.wrapping_add(s.size);
        }
    }
    l.next = off;
}

/// Running state of `assign_file_positions_for_load_sections`.
struct LoadState {
    off: u64,
    maxpagesize: u64,
    /// The loaded segment holding the program headers, by map index.
    phdr_load: Option<usize>,
    /// That segment also holds the file header.
    phdr_load_filehdr: bool,
    /// The first segment visited holds the file header.
    first_has_filehdr: Option<usize>,
    actual: u64,
}

pub(super) fn load_sections(input: &Input, maps: &mut [MapSeg], l: &mut Layout) {
    let eh = &input.ehdr;
    l.phdrs = vec![Phdr::default(); maps.len()];
    if maps.is_empty() {
        l.next = eh.size();
        return;
    }
    l.e_phoff = eh.size();
    for m in maps.iter_mut() {
        if m.sections.len() > 1 {
            segments::sort_sections(&input.secs, &mut m.sections);
        }
    }
    let order = segments::sorted_segments(&input.secs, maps);
    let phdr_load = order
        .iter()
        .take_while(|&&j| maps[j].p_type == elf::PT_LOAD)
        .find(|&&j| maps[j].includes_phdrs)
        .copied();
    let actual = maps.len() as u64;
    let mut st = LoadState {
        off: eh.size(),
        maxpagesize: if input.d_paged {
            input.target.maxpagesize
        } else {
            1
        },
        phdr_load,
        phdr_load_filehdr: phdr_load.is_some_and(|j| maps[j].includes_filehdr),
        first_has_filehdr: Some(order[0]).filter(|&j| maps[j].includes_filehdr),
        actual,
    };
    if phdr_load.is_none() {
        st.off = st.off.wrapping_add(actual.wrapping_mul(eh.phdr_size()));
    }
    for &j in &order {
        load_segment(input, &maps[j], j, &mut st, l);
    }
    l.next = st.off;
}

/// One segment's header fields before its sections are placed.
fn segment_start(input: &Input, m: &MapSeg, st: &mut LoadState, l: &Layout) -> Phdr {
    let mut p = Phdr {
        p_type: m.p_type,
        flags: m.p_flags,
        ..Phdr::default()
    };
    let first = m.sections.first().map(|&i| l.lma[i]);
    p.vaddr = match m.sections.first() {
        None => m.p_vaddr_offset,
        Some(&i) => input.secs[i].addr.wrapping_add(m.p_vaddr_offset),
    };
    p.paddr = if m.p_paddr_valid {
        m.p_paddr
    } else {
        first.map_or(0, |lma| lma.wrapping_add(m.p_vaddr_offset))
    };
    if p.p_type == elf::PT_LOAD && input.d_paged {
        if m.p_align_valid {
            st.maxpagesize = m.p_align;
        }
        p.align = st.maxpagesize;
    } else if m.p_align_valid {
        p.align = m.p_align;
    } else if m.sections.is_empty() {
        p.align = if input.ehdr.is_64 { 8 } else { 4 };
    }
    p
}

fn load_segment(input: &Input, m: &MapSeg, j: usize, st: &mut LoadState, l: &mut Layout) {
    let eh = &input.ehdr;
    let phdrs_size = st.actual.wrapping_mul(eh.phdr_size());
    let mut p = segment_start(input, m, st, l);
    if st.phdr_load == Some(j) {
        if !m.includes_filehdr {
            p.offset = st.off;
        }
        st.off = st.off.wrapping_add(phdrs_size);
    }
    let mut no_contents = false;
    let mut off_adjust = 0u64;
    if p.p_type == elf::PT_LOAD && !m.sections.is_empty() {
        let align = if m.p_align_valid {
            p.align
        } else {
            max_section_align(input, m).max(st.maxpagesize)
        };
        no_contents = m.sections.iter().all(|&i| input.secs[i].nobits());
        off_adjust = bias(p.vaddr, st.off, align);
        st.off = st.off.wrapping_add(off_adjust);
        if !no_contents {
            off_adjust = 0;
        }
    } else if p.p_type == elf::PT_NOTE {
        for &i in &m.sections {
            l.sh_type[i] = elf::SHT_NOTE;
        }
    }
    headers_in_segment(input, m, &mut p, st, l);
    if p.p_type == elf::PT_LOAD {
        if !m.includes_filehdr && !m.includes_phdrs {
            p.offset = st.off;
            if no_contents {
                let align = st.maxpagesize.max(p.align).max(1);
                p.offset = st.off % align;
            }
        } else {
            let adjust = st.off.wrapping_sub(p.offset.wrapping_add(p.filesz));
            if !no_contents {
                p.filesz = p.filesz.wrapping_add(adjust);
            }
            p.memsz = p.memsz.wrapping_add(adjust);
        }
    }
    place_sections(input, m, &mut p, &mut off_adjust, st, l);
    st.off = st.off.wrapping_sub(off_adjust);
    l.phdrs[j] = p;
}

/// The largest section alignment, for maps whose p_align is not kept.
fn max_section_align(input: &Input, m: &MapSeg) -> u64 {
    m.sections
        .iter()
        .map(|&i| input.secs[i].align())
        .max()
        .unwrap_or(1)
}

/// A segment that holds the file header or the program headers.
fn headers_in_segment(input: &Input, m: &MapSeg, p: &mut Phdr, st: &LoadState, l: &mut Layout) {
    let eh = &input.ehdr;
    if m.includes_filehdr {
        p.filesz = eh.size();
        p.memsz = eh.size();
        if p.p_type == elf::PT_LOAD {
            if !m.sections.is_empty() {
                // BFD gives up here when the headers do not fit below the
                // first section ("try linking with -N"); go on regardless.
                p.vaddr = p.vaddr.wrapping_sub(st.off);
                if !m.p_paddr_valid {
                    p.paddr = p.paddr.wrapping_sub(st.off);
                }
            }
        } else if let Some(first) = st.first_has_filehdr {
            let fh = l.phdrs[first];
            p.vaddr = fh.vaddr;
            if !m.p_paddr_valid {
                p.paddr = fh.paddr;
            }
        }
    }
    if !m.includes_phdrs {
        return;
    }
    let phdrs_size = st.actual.wrapping_mul(eh.phdr_size());
    p.filesz = p.filesz.wrapping_add(phdrs_size);
    p.memsz = p.memsz.wrapping_add(phdrs_size);
    if m.includes_filehdr {
        return;
    }
    if p.p_type == elf::PT_LOAD {
        l.e_phoff = p.offset;
        if !m.sections.is_empty() {
            let back = st.off.wrapping_sub(p.offset);
            p.vaddr = p.vaddr.wrapping_sub(back);
            if !m.p_paddr_valid {
                p.paddr = p.paddr.wrapping_sub(back);
            }
        }
    } else if let Some(h) = st.phdr_load {
        let hp = l.phdrs[h];
        // The loaded segment with the headers was visited first.
        let skip = if st.phdr_load_filehdr { eh.size() } else { 0 };
        p.vaddr = hp.vaddr.wrapping_add(skip);
        if !m.p_paddr_valid {
            p.paddr = hp.paddr.wrapping_add(skip);
        }
        p.offset = hp.offset.wrapping_add(skip);
    } else {
        p.offset = eh.size();
    }
}

/// The per-section loop: offsets of sections in loads, sizes and flags.
fn place_sections(
    input: &Input,
    m: &MapSeg,
    p: &mut Phdr,
    off_adjust: &mut u64,
    st: &mut LoadState,
    l: &mut Layout,
) {
    for (k, &i) in m.sections.iter().enumerate() {
        let s = &input.secs[i];
        let nobits = l.sh_type[i] == elf::SHT_NOBITS;
        if (p.p_type == elf::PT_LOAD || p.p_type == elf::PT_TLS)
            && (!nobits || (s.alloc() && (!s.tls() || p.p_type == elf::PT_TLS)))
        {
            grow_to_section(&mut l.lma[i], k == 0, nobits, p, off_adjust, &mut st.off);
        }
        if p.p_type == elf::PT_LOAD {
            l.offset[i] = st.off;
            if !nobits {
                st.off = st.off.wrapping_add(s.size);
            }
        } else if nobits && s.tls() && l.offset[i] == 0 {
            // A .tbss without a load segment: where a load would put it.
            l.offset[i] = st.off.wrapping_add(bias(s.addr, st.off, s.align()));
        }
        if !nobits {
            p.filesz = p.filesz.wrapping_add(s.size);
            if s.alloc() {
                p.memsz = p.memsz.wrapping_add(s.size);
            }
        } else if s.alloc() && (p.p_type == elf::PT_TLS || !s.tls()) {
            p.memsz = p.memsz.wrapping_add(s.size);
        }
        if s.align() > p.align && !m.p_align_valid && (p.p_type != elf::PT_LOAD || !input.d_paged) {
            p.align = s.align();
        }
        if !m.p_flags_valid {
            p.flags |= elf::PF_R;
            if s.flags & u64::from(elf::SHF_EXECINSTR) != 0 {
                p.flags |= elf::PF_X;
            }
            if s.flags & u64::from(elf::SHF_WRITE) != 0 {
                p.flags |= elf::PF_W;
            }
        }
    }
}

/// Grow the segment up to a section's load address (padding between
/// sections, zeros in the file when contents follow).
fn grow_to_section(
    lma: &mut u64,
    first: bool,
    nobits: bool,
    p: &mut Phdr,
    off_adjust: &mut u64,
    off: &mut u64,
) {
    let p_start = p.paddr;
    let p_end = p_start.wrapping_add(p.memsz);
    let s_start = *lma;
    let mut adjust = s_start.wrapping_sub(p_end);
    if adjust != 0 && (s_start < p_end || p_end < p_start) {
        // "section lma adjusted": BFD moves the section to the end.
        adjust = 0;
        *lma = p_end;
    }
    p.memsz = p.memsz.wrapping_add(adjust);
    if p.p_type == elf::PT_LOAD {
        if !nobits {
            *off_adjust = 0;
            if p.filesz.wrapping_add(adjust) < p.memsz {
                adjust = p.memsz.wrapping_sub(p.filesz);
            }
        }
        if !nobits || first {
            *off = off.wrapping_add(adjust);
            if nobits {
                *off_adjust = off_adjust.wrapping_add(adjust);
            }
        }
    }
    if !nobits {
        p.filesz = p.filesz.wrapping_add(adjust);
    }
}
