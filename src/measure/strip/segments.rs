//! The output's segment map, as BFD builds it when `strip` copies an
//! executable (`copy_private_bfd_data` → `copy_elf_program_header`, then
//! `elf_modify_segment_map` and the backend's additions), and the orders
//! in which the layout visits segments and sections.

use object::elf;
use std::cmp::Ordering;

use super::input::{in_segment, Backend, Input, Sec};

/// One entry of BFD's `elf_segment_map`.
#[derive(Clone, Debug, Default)]
pub(super) struct MapSeg {
    pub p_type: u32,
    pub p_flags: u32,
    pub p_flags_valid: bool,
    pub p_paddr: u64,
    pub p_paddr_valid: bool,
    pub p_align: u64,
    pub p_align_valid: bool,
    /// p_memsz kept as it was (`PT_GNU_RELRO`, `PT_GNU_STACK`).
    pub p_size: Option<u64>,
    pub p_vaddr_offset: u64,
    pub includes_filehdr: bool,
    pub includes_phdrs: bool,
    /// Input section indices, sorted as `elf_sort_sections` sorts them.
    pub sections: Vec<usize>,
}

/// `copy_elf_program_header`: one map entry per input segment, holding the
/// sections the segment holds.
pub(super) fn copy_program_headers(input: &Input) -> Vec<MapSeg> {
    let paddr_valid = input.phdrs.iter().any(|p| p.paddr != 0);
    let eh = &input.ehdr;
    let phdrs_end = eh
        .phoff
        .saturating_add(eh.phnum.saturating_mul(eh.phentsize));
    let mut phdr_included = false;
    let mut maps = Vec::with_capacity(input.phdrs.len() + 1);
    for p in &input.phdrs {
        let mut m = MapSeg {
            p_type: p.p_type,
            p_flags: p.flags,
            p_flags_valid: true,
            p_paddr: p.paddr,
            p_paddr_valid: paddr_valid,
            p_align: p.align,
            // p_align is always kept on the targets we emulate
            // (`elf_is_p_align_valid`: maxpagesize equals minpagesize, or
            // no default p_align).
            p_align_valid: true,
            includes_filehdr: p.offset == 0 && p.filesz >= eh.ehsize,
            ..MapSeg::default()
        };
        if matches!(p.p_type, elf::PT_GNU_RELRO | elf::PT_GNU_STACK) {
            m.p_size = Some(p.memsz);
        }
        if !phdr_included || p.p_type != elf::PT_LOAD {
            m.includes_phdrs =
                p.offset <= eh.phoff && p.offset.saturating_add(p.filesz) >= phdrs_end;
            phdr_included |= p.p_type == elf::PT_LOAD && m.includes_phdrs;
        }
        let mut lowest: Option<&Sec> = None;
        for (i, s) in input.secs.iter().enumerate() {
            if !s.bfd || !in_segment(s, p, true) {
                continue;
            }
            m.sections.push(i);
            if s.alloc() {
                if lowest.is_none_or(|l| s.lma < l.lma) {
                    lowest = Some(s);
                }
                let seg_off = if s.load() {
                    s.offset.wrapping_sub(p.offset)
                } else {
                    s.addr.wrapping_sub(p.vaddr)
                };
                if s.lma.wrapping_sub(p.paddr) != seg_off {
                    m.p_paddr_valid = false;
                }
            }
        }
        m.p_vaddr_offset = if m.sections.is_empty() {
            p.vaddr
        } else if m.p_paddr_valid {
            let mut hdr = 0u64;
            if m.includes_filehdr {
                hdr = eh.ehsize;
            }
            if m.includes_phdrs {
                hdr = hdr.wrapping_add(eh.phnum.wrapping_mul(eh.phentsize));
            }
            let low = lowest.map_or(0, |l| l.lma);
            m.p_paddr.wrapping_add(hdr).wrapping_sub(low)
        } else {
            0
        };
        maps.push(m);
    }
    maps
}

/// `elf_modify_segment_map` without removing empty loads (the map was
/// copied), then the backend's own segment: `PT_ARM_EXIDX` first for
/// `.ARM.exidx`, `PT_RISCV_ATTRIBUTES` after any PHDR and INTERP.
pub(super) fn modify_segment_map(input: &Input, maps: &mut Vec<MapSeg>) {
    for m in maps.iter_mut() {
        if m.p_type == elf::PT_LOAD {
            m.sections
                .retain(|&i| input.secs[i].alloc() && !is_excluded(&input.secs[i]));
        } else {
            m.sections.retain(|&i| !is_excluded(&input.secs[i]));
        }
    }
    let find = |name: &[u8]| input.secs.iter().position(|s| s.kept && s.name == name);
    let added = |p_type: u32, i: usize| MapSeg {
        p_type,
        sections: vec![i],
        ..MapSeg::default()
    };
    match input.target.backend {
        Backend::Arm => {
            if let Some(i) = find(b".ARM.exidx").filter(|&i| input.secs[i].load()) {
                if !maps.iter().any(|m| m.p_type == elf::PT_ARM_EXIDX) {
                    maps.insert(0, added(elf::PT_ARM_EXIDX, i));
                }
            }
        }
        Backend::RiscV => {
            if let Some(i) = find(b".riscv.attributes") {
                if !maps.iter().any(|m| m.p_type == PT_RISCV_ATTRIBUTES) {
                    let at = maps
                        .iter()
                        .position(|m| !matches!(m.p_type, elf::PT_PHDR | elf::PT_INTERP))
                        .unwrap_or(maps.len());
                    maps.insert(at, added(PT_RISCV_ATTRIBUTES, i));
                }
            }
        }
        Backend::Other => {}
    }
}

/// `PT_LOPROC + 3` on RISC-V.
const PT_RISCV_ATTRIBUTES: u32 = 0x7000_0003;

fn is_excluded(s: &Sec) -> bool {
    s.flags & u64::from(elf::SHF_EXCLUDE) != 0
}

/// `elf_sort_sections`: by LMA, then VMA, then sections without file
/// contents last, then by size (empty first), then as they were.
pub(super) fn sort_sections(secs: &[Sec], sections: &mut [usize]) {
    let key_end = |s: &Sec| !s.load() && !s.tls() && s.size != 0;
    let load_size = |s: &Sec| if s.load() { s.size } else { 0 };
    // A stable sort keeps equal sections in their map order, as the
    // comparison's final tie-break (target_index) does.
    sections.sort_by(|&a, &b| {
        let (x, y) = (&secs[a], &secs[b]);
        x.lma
            .cmp(&y.lma)
            .then(x.addr.cmp(&y.addr))
            .then(key_end(x).cmp(&key_end(y)))
            .then(load_size(x).cmp(&load_size(y)))
    });
}

/// `elf_sort_segments`: the order the layout visits the map in. By type
/// (`PT_NULL` last), the one holding the file header first, then loads by
/// physical address, then as they were.
pub(super) fn sorted_segments(secs: &[Sec], maps: &[MapSeg]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..maps.len()).collect();
    let lma = |m: &MapSeg| {
        if m.p_paddr_valid {
            m.p_paddr
        } else {
            m.sections
                .first()
                .map_or(0, |&i| secs[i].lma.wrapping_add(m.p_vaddr_offset))
        }
    };
    order.sort_by(|&a, &b| {
        let (m1, m2) = (&maps[a], &maps[b]);
        if m1.p_type != m2.p_type {
            return match (m1.p_type == elf::PT_NULL, m2.p_type == elf::PT_NULL) {
                (true, _) => Ordering::Greater,
                (_, true) => Ordering::Less,
                _ => m1.p_type.cmp(&m2.p_type),
            };
        }
        let by_hdr = m2.includes_filehdr.cmp(&m1.includes_filehdr);
        let by_lma = if m1.p_type == elf::PT_LOAD {
            lma(m1).cmp(&lma(m2))
        } else {
            Ordering::Equal
        };
        by_hdr.then(by_lma).then(a.cmp(&b))
    });
    order
}
