//! Symbol-table attribution: each allocated section's symbols, sized,
//! de-duplicated and clipped so that no byte is counted twice.

use object::{Object, ObjectSection, ObjectSymbol, SectionFlags, SectionKind, SymbolKind};

use super::crates::crate_of_symbol;
use super::{Kind, Options, SymbolRow};

pub struct Section {
    pub name: String,
    pub kind: Kind,
    pub address: u64,
    pub size: u64,
}

pub struct Table {
    pub sections: Vec<Section>,
    pub symbols: Vec<SymbolRow>,
}

fn kind_of(section: &object::Section<'_, '_>) -> Option<Kind> {
    let flags = match section.flags() {
        SectionFlags::Elf { sh_flags } => sh_flags,
        _ => return None,
    };
    let alloc = flags & u64::from(object::elf::SHF_ALLOC) != 0;
    if !alloc || section.size() == 0 {
        return None;
    }
    let write = flags & u64::from(object::elf::SHF_WRITE) != 0;
    let exec = flags & u64::from(object::elf::SHF_EXECINSTR) != 0;
    let nobits = matches!(
        section.kind(),
        SectionKind::UninitializedData | SectionKind::UninitializedTls
    );
    Some(match (exec, write, nobits) {
        (true, _, _) => Kind::Text,
        (false, false, _) => Kind::Rodata,
        (false, true, false) => Kind::Data,
        (false, true, true) => Kind::Bss,
    })
}

/// ARM/AArch64/RISC-V mapping symbols (`$t`, `$d`, `$x`) mark code/data
/// boundaries, not objects.
fn is_mapping_symbol(name: &str) -> bool {
    name.starts_with('$') && (name.len() == 2 || name.as_bytes().get(2) == Some(&b'.'))
}

pub fn collect(file: &object::File<'_>, opts: &Options) -> Result<Table, String> {
    let mut sections = Vec::new();
    let mut index_kind = std::collections::HashMap::new();
    for s in file.sections() {
        let Some(kind) = kind_of(&s) else { continue };
        let name = s.name().unwrap_or("?").to_string();
        index_kind.insert(s.index(), (name.clone(), kind, s.address(), s.size()));
        sections.push(Section {
            name,
            kind,
            address: s.address(),
            size: s.size(),
        });
    }

    // (section index, address, size, name)
    let mut raw: Vec<(object::SectionIndex, u64, u64, String)> = Vec::new();
    for sym in file.symbols() {
        let Some(index) = sym.section_index() else {
            continue;
        };
        if !index_kind.contains_key(&index) || sym.size() == 0 {
            continue;
        }
        if matches!(
            sym.kind(),
            SymbolKind::Section | SymbolKind::File | SymbolKind::Label
        ) {
            continue;
        }
        // Names are data: bytes that are not UTF-8 are kept, lossily.
        let Ok(bytes) = sym.name_bytes() else {
            continue;
        };
        let name = String::from_utf8_lossy(bytes);
        if name.is_empty() || is_mapping_symbol(&name) {
            continue;
        }
        // Thumb code addresses have bit 0 set in the symbol table.
        let mut address = sym.address();
        if matches!(file.architecture(), object::Architecture::Arm)
            && sym.kind() == SymbolKind::Text
        {
            address &= !1;
        }
        raw.push((index, address, sym.size(), name.to_string()));
    }
    // Aliases first by address; the longer symbol wins a tie.
    raw.sort_by(|a, b| {
        (a.0 .0, a.1, std::cmp::Reverse(a.2)).cmp(&(b.0 .0, b.1, std::cmp::Reverse(b.2)))
    });
    let mut symbols = Vec::new();
    let mut cursor: Option<(object::SectionIndex, u64)> = None;
    for (index, address, size, mangled) in raw {
        let (section, kind, s_addr, s_size) = index_kind[&index].clone();
        let start = match cursor {
            Some((i, end)) if i == index => address.max(end),
            _ => address,
        };
        // Clip to the section, then to what is not counted yet.
        let end = address
            .saturating_add(size)
            .min(s_addr.saturating_add(s_size));
        if end <= start {
            continue;
        }
        cursor = Some((index, end));
        let (name, crate_name, origin) = crate_of_symbol(&mangled, opts);
        symbols.push(SymbolRow {
            address: start,
            name,
            crate_name,
            section,
            kind,
            bytes: end - start,
            origin,
        });
    }
    if opts.group_generics {
        symbols = group(symbols);
    }
    Ok(Table { sections, symbols })
}

/// Merge instantiations of one generic: `f::<u8>` and `f::<u16>` → `f::<_>`.
fn group(rows: Vec<SymbolRow>) -> Vec<SymbolRow> {
    let mut out: Vec<SymbolRow> = Vec::new();
    for mut r in rows {
        r.name = strip_generics(&r.name);
        match out
            .iter_mut()
            .find(|o| o.name == r.name && o.section == r.section)
        {
            Some(o) => o.bytes += r.bytes,
            None => out.push(r),
        }
    }
    out
}

fn strip_generics(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    let bytes: Vec<char> = name.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        // `::<` opens generic arguments; a bare `<` at depth 0 starts an impl path.
        if c == '<' && depth > 0 {
            depth += 1;
        } else if c == '<' && i >= 2 && bytes[i - 1] == ':' && bytes[i - 2] == ':' {
            depth = 1;
            out.push_str("<_>");
        } else if c == '>' && depth > 0 {
            depth -= 1;
        } else if depth == 0 {
            out.push(c);
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::strip_generics;

    #[test]
    fn generics_are_grouped() {
        assert_eq!(
            strip_generics("core::ptr::drop_in_place::<alloc::vec::Vec<u8>>"),
            "core::ptr::drop_in_place::<_>"
        );
        assert_eq!(
            strip_generics("<T as core::fmt::Debug>::fmt"),
            "<T as core::fmt::Debug>::fmt"
        );
    }
}
