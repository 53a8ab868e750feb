//! The second half of BFD's layout: sections no load placed
//! (`assign_file_positions_for_non_load_sections`), then the offsets and
//! file sizes of the segments other than loads, from where their sections
//! went.

use object::elf;

use super::input::{Input, Phdr, Sec};
use super::layout::{align_up, bias, out_addralign, Layout};
use super::segments::MapSeg;

/// Sections no load placed, in section order: allocated ones congruent
/// with their address, the others at their alignment.
pub(super) fn non_load_sections(input: &Input, l: &mut Layout) {
    let mut off = l.next;
    for (i, s) in input.secs.iter().enumerate().filter(|(_, s)| s.kept) {
        if l.offset[i] != 0 || l.sh_type[i] == elf::SHT_NOBITS {
            continue;
        }
        if s.alloc() {
            let align = if input.d_paged && s.size != 0 {
                input.target.maxpagesize
            } else {
                out_addralign(s)
            };
            off = off.wrapping_add(bias(s.addr, off, align));
        } else {
            off = align_up(off, out_addralign(s));
        }
        l.offset[i] = off;
        off = off.wrapping_add(s.size);
    }
    l.next = off;
}

/// Offsets and file sizes of the segments other than loads, from the
/// sections now placed; `PT_GNU_RELRO` from the load holding its start.
pub(super) fn non_load_segments(input: &Input, maps: &[MapSeg], l: &mut Layout) {
    for (j, m) in maps.iter().enumerate() {
        let p_type = l.phdrs[j].p_type;
        if p_type == elf::PT_GNU_RELRO {
            relro(input, maps, j, l);
        } else if p_type == elf::PT_GNU_STACK {
            if let Some(size) = m.p_size {
                l.phdrs[j].memsz = size;
            }
        } else if !m.sections.is_empty() && p_type != elf::PT_LOAD && p_type != elf::PT_PHDR {
            let p = &mut l.phdrs[j];
            p.filesz = 0;
            p.offset = l.offset[m.sections[0]];
            for &i in m.sections.iter().rev() {
                if l.sh_type[i] != elf::SHT_NOBITS {
                    let s = &input.secs[i];
                    p.filesz = l.offset[i].wrapping_sub(p.offset).wrapping_add(s.size);
                    if p_type == elf::PT_NOTE && s.alloc() {
                        p.memsz = p.filesz;
                    }
                    break;
                }
            }
        }
    }
}

/// `PT_GNU_RELRO`: from its first section with contents in the load that
/// holds its range, to its original end; all zeros when none.
fn relro(input: &Input, maps: &[MapSeg], j: usize, l: &mut Layout) {
    let secs = &input.secs;
    let m = &maps[j];
    let (start, end) = match (m.sections.first(), m.p_size) {
        (Some(&i), Some(size)) => (secs[i].addr, secs[i].addr.wrapping_add(size)),
        _ => (0, 0),
    };
    let is_tbss = |s: &Sec| s.tls() && s.nobits();
    let found = (start < end)
        .then(|| {
            maps.iter().enumerate().find(|(k, lm)| {
                let (Some(&first), Some(&last)) = (lm.sections.first(), lm.sections.last()) else {
                    return false;
                };
                let last_end = secs[last].addr.wrapping_add(if is_tbss(&secs[last]) {
                    0
                } else {
                    secs[last].size
                });
                l.phdrs[*k].p_type == elf::PT_LOAD && last_end > start && secs[first].addr < end
            })
        })
        .flatten()
        .and_then(|(k, lm)| {
            let i = lm
                .sections
                .iter()
                .copied()
                .find(|&i| secs[i].addr >= start && secs[i].addr < end && secs[i].size != 0)?;
            Some((k, i))
        });
    let Some((k, i)) = found else {
        l.phdrs[j] = Phdr::default();
        return;
    };
    let lp = l.phdrs[k];
    let p = &mut l.phdrs[j];
    p.vaddr = secs[i].addr;
    p.paddr = l.lma[i];
    p.offset = l.offset[i];
    p.memsz = end.wrapping_sub(p.vaddr);
    p.filesz = p.memsz;
    let room = lp.vaddr.wrapping_add(lp.filesz).wrapping_sub(p.vaddr);
    if p.filesz > room {
        p.filesz = room;
    }
    if !m.p_align_valid {
        p.align = 1;
    }
    if !m.p_flags_valid {
        p.flags = elf::PF_R;
    }
}
