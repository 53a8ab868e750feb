//! A flash figure for growth alerts that moves only when code or data
//! does (Chromium's "normalized" size is the model): the bytes of the
//! sized symbols in the stored sections, each byte once, plus the whole of
//! each stored section no symbol describes; the alignment padding between
//! symbols and the notes (the GNU build id) left out.

use object::{Object, ObjectSection, ObjectSymbol, SectionKind};

/// `None` for a file that is not ELF (or has no symbols to tell code from
/// padding: then the flash figure is all there is).
pub fn normalized_bytes(data: &[u8]) -> Option<u64> {
    let file = object::File::parse(data).ok()?;
    if file.format() != object::BinaryFormat::Elf || file.symbols().next().is_none() {
        return None;
    }
    let thumb = file.architecture() == object::Architecture::Arm;
    // Every sized symbol's range, by section: one pass over the symbols.
    let mut by_section: std::collections::HashMap<object::SectionIndex, Vec<(u64, u64)>> =
        std::collections::HashMap::new();
    for s in file.symbols().filter(|s| s.size() > 0) {
        let Some(index) = s.section_index() else {
            continue;
        };
        let a = if thumb && s.kind() == object::SymbolKind::Text {
            s.address() & !1
        } else {
            s.address()
        };
        by_section.entry(index).or_default().push((a, a + s.size()));
    }
    let mut total = 0u64;
    for section in file.sections() {
        let alloc = matches!(section.flags(), object::SectionFlags::Elf { sh_flags }
            if sh_flags & u64::from(object::elf::SHF_ALLOC) != 0);
        let stored =
            alloc && section.kind() != SectionKind::UninitializedData && section.size() > 0;
        if !stored || section.kind() == SectionKind::Note {
            continue;
        }
        let (start, end) = (section.address(), section.address() + section.size());
        let mut ranges: Vec<(u64, u64)> = by_section
            .remove(&section.index())
            .unwrap_or_default()
            .into_iter()
            .map(|(a, b)| (a.max(start), b.min(end)))
            .filter(|(a, b)| a < b)
            .collect();
        if ranges.is_empty() {
            total += section.size();
            continue;
        }
        ranges.sort_unstable();
        let mut covered = 0;
        let mut reach = start;
        for (a, b) in ranges {
            let a = a.max(reach);
            if b > a {
                covered += b - a;
                reach = b;
            }
        }
        total += covered;
    }
    Some(total)
}
