//! The relocations a link kept (`--emit-relocs`), each turned into an edge
//! from the thing that holds its place to the thing it refers to.
//!
//! A relocation names a symbol. A sized function or object is the target
//! itself; a section symbol (a reference to local code or data the
//! compiler did not name) is resolved by address: the addend where the
//! format has one (RELA), else the value the link wrote at the place
//! (REL: an absolute word, a Thumb `BL`/`B.W`). Linker-script symbols
//! (`__sbss`, `_stack_start`) mark addresses, not things: no edge.

use object::elf;
use object::{Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget};

/// One reference: the byte address of its place, the address it refers
/// to, and its relocation type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub place: u64,
    pub target: u64,
    /// The symbol index it names (for the target's own symbol).
    pub symbol: Option<usize>,
    pub r_type: u32,
}

/// Sections whose references keep nothing alive: unwinding tables point at
/// every function they describe, the linker keeps them for their functions.
fn keeps_nothing(name: &str) -> bool {
    name.starts_with(".ARM.exidx")
        || name.starts_with(".ARM.extab")
        || name.starts_with(".eh_frame")
        || name.starts_with(".gcc_except_table")
        || name.starts_with(".debug")
}

/// The target of a Thumb-2 `BL`/`B.W` at `place` from its two halfwords.
fn thumb_branch(place: u64, hi: u16, lo: u16) -> u64 {
    let s = u32::from((hi >> 10) & 1);
    let imm10 = u32::from(hi & 0x3ff);
    let j1 = u32::from((lo >> 13) & 1);
    let j2 = u32::from((lo >> 11) & 1);
    let imm11 = u32::from(lo & 0x7ff);
    let i1 = !(j1 ^ s) & 1;
    let i2 = !(j2 ^ s) & 1;
    let imm = (s << 24) | (i1 << 23) | (i2 << 22) | (imm10 << 12) | (imm11 << 1);
    // Sign-extend 25 bits.
    let offset = ((imm << 7) as i32) >> 7;
    place.wrapping_add(4).wrapping_add(offset as i64 as u64)
}

/// Where a REL relocation against a section symbol points, read back from
/// the bytes the link wrote; `None` for a type this does not decode.
fn written_target(data: &[u8], place: u64, r_type: u32, little: bool) -> Option<u64> {
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = data.get(at..at + 2)?.try_into().ok()?;
        Some(if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    match r_type {
        elf::R_ARM_ABS32 | elf::R_ARM_TARGET1 => {
            let b: [u8; 4] = data.get(0..4)?.try_into().ok()?;
            let v = if little {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            };
            Some(u64::from(v))
        }
        elf::R_ARM_THM_PC22 | elf::R_ARM_THM_JUMP24 => {
            Some(thumb_branch(place, u16_at(0)?, u16_at(2)?))
        }
        _ => None,
    }
}

/// Every reference of every allocated section that keeps something alive.
pub fn references(file: &object::File<'_>) -> Vec<Reference> {
    let little = file.is_little_endian();
    let linked = file.kind() != object::ObjectKind::Relocatable;
    let mut out = Vec::new();
    for section in file.sections() {
        let alloc = matches!(section.flags(), object::SectionFlags::Elf { sh_flags }
            if sh_flags & u64::from(elf::SHF_ALLOC) != 0);
        let name = section.name().unwrap_or("");
        if !alloc || keeps_nothing(name) {
            continue;
        }
        let bytes = section.data().unwrap_or(&[]);
        for (offset, r) in section.relocations() {
            let RelocationTarget::Symbol(index) = r.target() else {
                continue;
            };
            let RelocationFlags::Elf { r_type } = r.flags() else {
                continue;
            };
            let Ok(sym) = file.symbol_by_index(index) else {
                continue;
            };
            // A linked file's relocations name the virtual address of
            // their place; a relocatable object's, its section offset.
            let place = if linked {
                offset
            } else {
                section.address().wrapping_add(offset)
            };
            let target = match sym.kind() {
                object::SymbolKind::Section if r.has_implicit_addend() => {
                    let within = place.wrapping_sub(section.address());
                    let at = usize::try_from(within).ok().and_then(|o| bytes.get(o..));
                    match at.and_then(|b| written_target(b, place, r_type, little)) {
                        Some(t) => t,
                        None => continue,
                    }
                }
                object::SymbolKind::Section => sym.address().wrapping_add(r.addend() as u64),
                // A script's marker: an address, not a thing.
                _ if sym.size() == 0 => continue,
                _ => sym.address(),
            };
            let own = sym.kind() != object::SymbolKind::Section;
            out.push(Reference {
                place,
                target,
                symbol: own.then_some(index.0),
                r_type,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thumb_bl_targets_decode() {
        // `bl` from 0x1000 to 0x1400: offset 0x3fc after the pc (+4).
        assert_eq!(super::thumb_branch(0x1000, 0xf000, 0xf9fe), 0x1400);
        // Backwards, from 0x2000 to 0x1000.
        assert_eq!(super::thumb_branch(0x2000, 0xf7fe, 0xfffe), 0x1000);
    }
}
