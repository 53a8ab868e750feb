//! Symbol-table attribution: each allocated section's symbols, sized,
//! de-duplicated and clipped so that no byte is counted twice.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::HashMap;

use object::{Object, ObjectSection, ObjectSymbol, SectionFlags, SectionKind, SymbolKind};

use super::crates::crate_of_symbol;
use super::options::Options;
use super::types::{Kind, Origin, SymbolRow};

pub struct Section {
    pub name: String,
    pub kind: Kind,
    pub address: u64,
    pub size: u64,
}

/// One symbol's counted bytes, borrowing its name from the file: a debug
/// binary has 100 000 symbols, and only the largest are ever shown.
pub struct Sym<'a> {
    pub mangled: Cow<'a, str>,
    pub address: u64,
    pub bytes: u64,
    /// Index into `Table::sections`.
    pub section: usize,
    /// Index into `Table::crates`.
    pub krate: u32,
    pub origin: Origin,
}

pub struct Table<'a> {
    pub sections: Vec<Section>,
    pub symbols: Vec<Sym<'a>>,
    /// Crate names, each once.
    pub crates: Vec<String>,
}

impl Table<'_> {
    pub fn crate_name(&self, sym: &Sym<'_>) -> &str {
        &self.crates[sym.krate as usize]
    }
}

/// For a loaded section, whether it is code and whether it is writable,
/// in each format's own terms; `None` for what is not loaded (debug info).
fn traits_of(section: &object::Section<'_, '_>) -> Option<(bool, bool)> {
    use object::{macho, pe};
    match section.flags() {
        SectionFlags::Elf { sh_flags } => {
            let alloc = sh_flags & u64::from(object::elf::SHF_ALLOC) != 0;
            let write = sh_flags & u64::from(object::elf::SHF_WRITE) != 0;
            let exec = sh_flags & u64::from(object::elf::SHF_EXECINSTR) != 0;
            alloc.then_some((exec, write))
        }
        SectionFlags::MachO { flags } => {
            let segment = section.segment_name().ok().flatten().unwrap_or("");
            let debug = flags & macho::S_ATTR_DEBUG != 0 || segment == "__DWARF";
            let exec =
                flags & (macho::S_ATTR_PURE_INSTRUCTIONS | macho::S_ATTR_SOME_INSTRUCTIONS) != 0;
            // __DATA_CONST is made read-only once dyld has bound it.
            let write = segment.starts_with("__DATA") && segment != "__DATA_CONST";
            (!debug).then_some((exec, write))
        }
        SectionFlags::Coff { characteristics } => {
            let name = section.name().unwrap_or("");
            let debug = name.starts_with(".debug") || name.starts_with(".stab");
            let exec = characteristics & (pe::IMAGE_SCN_CNT_CODE | pe::IMAGE_SCN_MEM_EXECUTE) != 0;
            let write = characteristics & pe::IMAGE_SCN_MEM_WRITE != 0;
            (!debug).then_some((exec, write))
        }
        _ => None,
    }
}

fn kind_of(section: &object::Section<'_, '_>) -> Option<Kind> {
    let (exec, write) = traits_of(section)?;
    if section.size() == 0 {
        return None;
    }
    let nobits = matches!(
        section.kind(),
        SectionKind::UninitializedData | SectionKind::UninitializedTls | SectionKind::Common
    ) || section.file_range().is_none();
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

/// The sections attribution counts, and their index by object section index.
fn counted_sections(
    file: &object::File<'_>,
) -> (Vec<Section>, HashMap<object::SectionIndex, usize>) {
    let mut sections = Vec::new();
    let mut by_index = HashMap::new();
    for s in file.sections() {
        let Some(kind) = kind_of(&s) else { continue };
        by_index.insert(s.index(), sections.len());
        let name = s.name().unwrap_or("?");
        // Mach-O names a section within its segment, as `measure` does.
        let name = match s.segment_name().ok().flatten() {
            Some(segment) => format!("{segment},{name}"),
            None => name.to_string(),
        };
        sections.push(Section {
            name,
            kind,
            address: s.address(),
            size: s.size(),
        });
    }
    (sections, by_index)
}

/// Symbols that name bytes in a counted section: (section, address, size, name).
/// Mach-O symbols have no size: each reaches the next symbol of its
/// section (or the section's end), and loses the underscore Mach-O puts
/// before every C-level name.
fn sized_symbols<'a>(
    file: &object::File<'a>,
    sections: &[Section],
    by_index: &HashMap<object::SectionIndex, usize>,
) -> Vec<(usize, u64, u64, Cow<'a, str>)> {
    if !matches!(file.format(), object::BinaryFormat::MachO) {
        return symbols_with_sizes(file, by_index);
    }
    let mut raw: Vec<_> = file
        .symbols()
        .filter(|s| s.is_definition() && s.kind() != SymbolKind::Section)
        .filter_map(|s| {
            let section = *by_index.get(&s.section_index()?)?;
            // `__mh_execute_header` names the file's header, before its section.
            let within = &sections[section];
            if s.address() < within.address || s.address() >= within.address + within.size {
                return None;
            }
            let name = match String::from_utf8_lossy(s.name_bytes().ok()?) {
                Cow::Borrowed(n) => Cow::Borrowed(n.strip_prefix('_').unwrap_or(n)),
                Cow::Owned(n) => Cow::Owned(n.strip_prefix('_').unwrap_or(&n).to_string()),
            };
            Some((section, s.address(), 0u64, name))
        })
        .filter(|r| !r.3.is_empty() && !r.3.starts_with("ltmp"))
        .collect();
    raw.sort_by_key(|r| (r.0, r.1));
    let ends: Vec<u64> = (0..raw.len())
        .map(|i| {
            let (section, address) = (raw[i].0, raw[i].1);
            raw[i + 1..]
                .iter()
                .find(|n| n.0 != section || n.1 > address)
                .filter(|n| n.0 == section)
                .map_or(sections[section].address + sections[section].size, |n| n.1)
        })
        .collect();
    for (r, end) in raw.iter_mut().zip(ends) {
        r.2 = end.saturating_sub(r.1);
    }
    raw.retain(|r| r.2 > 0);
    raw
}

/// Symbols whose table gives their size (ELF, COFF).
fn symbols_with_sizes<'a>(
    file: &object::File<'a>,
    by_index: &HashMap<object::SectionIndex, usize>,
) -> Vec<(usize, u64, u64, Cow<'a, str>)> {
    let mut raw = Vec::new();
    for sym in file.symbols() {
        let Some(&section) = sym.section_index().and_then(|i| by_index.get(&i)) else {
            continue;
        };
        if sym.size() == 0
            || matches!(
                sym.kind(),
                SymbolKind::Section | SymbolKind::File | SymbolKind::Label
            )
        {
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
        raw.push((section, address, sym.size(), name));
    }
    raw
}

pub fn collect<'a>(file: &object::File<'a>, opts: &Options) -> Result<Table<'a>, String> {
    let (sections, by_index) = counted_sections(file);
    let raw = sized_symbols(file, &sections, &by_index);
    Ok(table(sections, raw, opts))
}

/// `(section index, address, size, mangled name)` of each symbol.
pub type RawSymbol<'a> = (usize, u64, u64, Cow<'a, str>);

/// The table of sections and sized symbols, whatever format they came from.
pub fn table<'a>(sections: Vec<Section>, mut raw: Vec<RawSymbol<'a>>, opts: &Options) -> Table<'a> {
    // Aliases first by address; the longer symbol wins a tie.
    raw.sort_by_key(|r| (r.0, r.1, Reverse(r.2)));
    let mut symbols = Vec::with_capacity(raw.len());
    let mut crates: Vec<String> = Vec::new();
    let mut crate_ids: HashMap<String, u32> = HashMap::new();
    let mut cursor: Option<(usize, u64)> = None;
    for (section, address, size, mangled) in raw {
        let s = &sections[section];
        let start = match cursor {
            Some((i, end)) if i == section => address.max(end),
            _ => address,
        };
        // Clip to the section, then to what is not counted yet.
        let end = address
            .saturating_add(size)
            .min(s.address.saturating_add(s.size));
        if end <= start {
            continue;
        }
        cursor = Some((section, end));
        let (krate, origin) = crate_of_symbol(&mangled, opts.rlibs.as_ref());
        let krate = match crate_ids.get(&krate) {
            Some(&id) => id,
            None => {
                crates.push(krate.clone());
                crate_ids.insert(krate, (crates.len() - 1) as u32);
                (crates.len() - 1) as u32
            }
        };
        symbols.push(Sym {
            mangled,
            address: start,
            bytes: end - start,
            section,
            krate,
            origin,
        });
    }
    Table {
        sections,
        symbols,
        crates,
    }
}

/// The name shown for a symbol: demangled, without the hash.
pub fn display_name(mangled: &str) -> String {
    if mangled.starts_with("anon.") || mangled.starts_with(".Lanon.") {
        return "[anonymous constants]".into();
    }
    match rustc_demangle::try_demangle(mangled) {
        Ok(d) => format!("{d:#}"),
        Err(_) => mangled.to_string(),
    }
}

/// Merge instantiations of one generic: `f::<u8>` and `f::<u16>` → `f::<_>`
/// (per section; the first instantiation's address and crate stay).
pub fn group(rows: Vec<SymbolRow>) -> Vec<SymbolRow> {
    let mut out: Vec<SymbolRow> = Vec::new();
    let mut at: HashMap<(String, String), usize> = HashMap::new();
    for mut r in rows {
        r.name = strip_generics(&r.name);
        let key = (r.name.clone(), r.section.clone());
        match at.get(&key) {
            Some(&i) => {
                let (mut parts, more) = (out[i].parts(), r.parts());
                for p in more {
                    match parts.iter_mut().find(|q| q.crate_name == p.crate_name) {
                        Some(q) => q.bytes += p.bytes,
                        None => parts.push(p),
                    }
                }
                out[i].bytes += r.bytes;
                let own_only = parts.len() == 1 && parts[0].crate_name == out[i].crate_name;
                out[i].code_by_crate = if own_only { Vec::new() } else { parts };
            }
            None => {
                at.insert(key, out.len());
                out.push(r);
            }
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
