//! The walk over a binary's sections: code by the line table when there
//! is one, everything else by symbols, an unattributed row per section.

use std::collections::BTreeMap;

use super::options::Options;
use super::types::{
    Attribution, CratePart, CrateRow, Kind, Origin, SectionRow, SymbolRow, UNATTRIBUTED,
};
use super::{dwarf, symbols};

/// Attribute the allocated bytes of an ELF file.
pub fn attribute(data: &[u8], opts: &Options) -> Result<Attribution, String> {
    attribute_with(data, opts, &|| {})
}

/// Attribute a memory-mapped file, giving its pages back as the walk goes
/// on (see `measure::release_pages`).
pub fn attribute_map(map: &memmap2::Mmap, opts: &Options) -> Result<Attribution, String> {
    attribute_with(map, opts, &|| crate::measure::release_pages(map))
}

/// Bytes per crate and kind, as the walk finds them.
#[derive(Default)]
struct CrateTotals(BTreeMap<String, CrateRow>);

impl CrateTotals {
    fn add(&mut self, name: &str, kind: Kind, bytes: u64, heuristic: bool) {
        let row = self.0.entry(name.to_string()).or_insert_with(|| CrateRow {
            name: name.to_string(),
            text: 0,
            rodata: 0,
            data: 0,
            bss: 0,
            heuristic: false,
        });
        let slot = match kind {
            Kind::Text => &mut row.text,
            Kind::Rodata => &mut row.rodata,
            Kind::Data => &mut row.data,
            Kind::Bss => &mut row.bss,
        };
        *slot = slot.saturating_add(bytes);
        row.heuristic |= heuristic;
    }

    /// Largest first, ties by name.
    fn into_rows(self) -> Vec<CrateRow> {
        let mut crates: Vec<CrateRow> = self.0.into_values().collect();
        crates.sort_by(|a, b| b.total().cmp(&a.total()).then(a.name.cmp(&b.name)));
        crates
    }
}

/// A code section by the line table; bytes without line rows (assembly,
/// startup code) go to their symbol's crate. Returns the bytes attributed.
fn code_by_lines(
    table: &symbols::Table<'_>,
    index: usize,
    lines: &dwarf::LineRanges,
    crates: &mut CrateTotals,
) -> u64 {
    let s = &table.sections[index];
    let per_crate = lines.in_range(s.address, s.address.saturating_add(s.size));
    let mut total: u64 = per_crate.values().fold(0u64, |a, b| a.saturating_add(*b));
    for (krate, bytes) in per_crate {
        crates.add(&krate, Kind::Text, bytes, false);
    }
    for r in table.symbols.iter().filter(|r| r.section == index) {
        let end = r.address.saturating_add(r.bytes);
        let uncovered = r.bytes.saturating_sub(lines.covered(r.address, end));
        if uncovered > 0 {
            // As the symbol rows name them (`largest_symbols`).
            let unit = lines
                .at(r.address)
                .filter(|_| r.origin == Origin::Heuristic || table.crate_name(r) == "__rustc");
            let guessed = r.origin == Origin::Heuristic && unit.is_none();
            let krate = unit.unwrap_or_else(|| table.crate_name(r));
            crates.add(krate, Kind::Text, uncovered, guessed);
            total = total.saturating_add(uncovered);
        }
    }
    total
}

/// A section by its symbols. Returns the bytes attributed.
fn by_symbols(table: &symbols::Table<'_>, index: usize, crates: &mut CrateTotals) -> u64 {
    let kind = table.sections[index].kind;
    let mut total = 0u64;
    for r in table.symbols.iter().filter(|r| r.section == index) {
        let guessed = r.origin == Origin::Heuristic;
        crates.add(table.crate_name(r), kind, r.bytes, guessed);
        total = total.saturating_add(r.bytes);
    }
    total
}

fn attribute_with(data: &[u8], opts: &Options, release: &dyn Fn()) -> Result<Attribution, String> {
    if data.starts_with(b"\0asm") {
        return attribute_wasm(data, opts);
    }
    let file = object::File::parse(data).map_err(|e| e.to_string())?;
    let table = symbols::collect(&file, opts)?;
    release();
    let line_ranges = if opts.no_dwarf {
        None
    } else {
        dwarf::code_by_crate(&file, opts.own_crate.as_deref(), release)
    };
    release();
    let mut crates = CrateTotals::default();
    let sections = by_sections(&table, line_ranges.as_ref(), &mut crates);
    let mut notes = Vec::new();
    let code_source = if line_ranges.is_some() {
        "dwarf".to_string()
    } else {
        if !opts.no_dwarf {
            notes.extend(no_line_table(file.format()).map(String::from));
        }
        "symbols".to_string()
    };
    if table.symbols.is_empty() {
        notes.push(no_symbols(file.format()).into());
    }
    let total_word = match file.format() {
        object::BinaryFormat::MachO | object::BinaryFormat::Pe | object::BinaryFormat::Coff => {
            "loaded"
        }
        _ => "flash",
    };
    Ok(Attribution {
        total_word: total_word.into(),
        code_source,
        sections,
        crates: crates.into_rows(),
        symbols: largest_symbols(&table, opts, line_ranges.as_ref()),
        symbols_below: None,
        notes,
    })
}

/// Every section's bytes to crates: code by the line table when there is
/// one, else by symbols; what nothing covers in an unattributed row.
fn by_sections(
    table: &symbols::Table<'_>,
    line_ranges: Option<&dwarf::LineRanges>,
    crates: &mut CrateTotals,
) -> Vec<SectionRow> {
    let mut sections = Vec::new();
    for (index, s) in table.sections.iter().enumerate() {
        let attributed = match (line_ranges, s.kind) {
            (Some(lines), Kind::Text) => code_by_lines(table, index, lines, crates),
            _ => by_symbols(table, index, crates),
        };
        let unattributed = s.size.saturating_sub(attributed);
        if unattributed > 0 {
            crates.add(UNATTRIBUTED, s.kind, unattributed, false);
        }
        sections.push(SectionRow {
            name: s.name.clone(),
            kind: s.kind,
            size: s.size,
            attributed: attributed.min(s.size),
            unattributed,
        });
    }
    sections
}

/// A WebAssembly module: functions from its code section, named by its
/// name section; data segments unattributed.
fn attribute_wasm(data: &[u8], opts: &Options) -> Result<Attribution, String> {
    let mut module = super::wasm::read(data)?;
    let data_named = !module.data_symbols.is_empty();
    let mut raw = module.functions;
    raw.append(&mut module.data_symbols);
    let table = symbols::table(module.sections, raw, opts);
    let mut crates = CrateTotals::default();
    let sections = by_sections(&table, None, &mut crates);
    let mut notes = vec![if data_named {
        "functions by the module's name section, their sizes as the code section holds them; data by the symbols of its linking section (linked with --emit-relocs)"
    } else {
        "functions by the module's name section, their sizes as the code section holds them; data segments carry no names in a linked module and are counted unattributed (a module linked with -C link-arg=--emit-relocs names its data, but that link also writes the zero-filled .bss as a data segment)"
    }
    .to_string()];
    if !module.named {
        notes.push("the module has no name section (stripped, or after wasm-opt): functions are known by index only; measure a build that keeps names (strip = \"none\", wasm-opt off) for names: the code is the same".into());
    }
    Ok(Attribution {
        total_word: "module".into(),
        code_source: "symbols".into(),
        sections,
        crates: crates.into_rows(),
        symbols: largest_symbols(&table, opts, None),
        symbols_below: None,
        notes,
    })
}

/// Why code is attributed by symbols (a PE file's `no_symbols` says it).
fn no_line_table(format: object::BinaryFormat) -> Option<&'static str> {
    Some(match format {
        object::BinaryFormat::Pe | object::BinaryFormat::Coff => return None,
        object::BinaryFormat::MachO => "a Mach-O executable carries no DWARF (it stays in the object files and a .dSYM): code is attributed by symbols, so code inlined from one crate into another counts for the crate of the symbol",
        _ => "no DWARF line table in this binary: code is attributed by symbols, so code inlined from one crate into another counts for the crate of the symbol (build with debug = \"line-tables-only\" for exact figures)",
    })
}

fn no_symbols(format: object::BinaryFormat) -> &'static str {
    match format {
        object::BinaryFormat::Pe | object::BinaryFormat::Coff => "the PE file carries no symbols (an MSVC-style link keeps them in the .pdb beside it, which cargo weigh does not read): crates and symbols are unknown",
        _ => "the binary has no symbol table (stripped?): symbols are unknown",
    }
}

/// A function's code by the crate of its line rows, the bytes no row
/// covers counted for its own crate (as `code_by_lines` counts them);
/// empty when that is all of it.
fn code_parts(lines: &dwarf::LineRanges, row: &SymbolRow) -> Vec<CratePart> {
    let end = row.address.saturating_add(row.bytes);
    let mut by = lines.in_range(row.address, end);
    let covered: u64 = by.values().sum();
    *by.entry(row.crate_name.clone()).or_insert(0) += row.bytes.saturating_sub(covered);
    by.retain(|_, b| *b > 0);
    if by.len() == 1 && by.contains_key(&row.crate_name) {
        return Vec::new();
    }
    let mut parts: Vec<CratePart> = by
        .into_iter()
        .map(|(crate_name, bytes)| CratePart { crate_name, bytes })
        .collect();
    parts.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.crate_name.cmp(&b.crate_name)));
    parts
}

/// The symbols asked for, largest first (ties by name), as report rows:
/// only those are demangled for keeps.
fn largest_symbols(
    table: &symbols::Table<'_>,
    opts: &Options,
    lines: Option<&dwarf::LineRanges>,
) -> Vec<SymbolRow> {
    let row = |r: &symbols::Sym<'_>| {
        let mut row = SymbolRow {
            name: symbols::display_name(&r.mangled),
            address: r.address,
            crate_name: table.crate_name(r).to_string(),
            section: table.sections[r.section].name.clone(),
            kind: table.sections[r.section].kind,
            bytes: r.bytes,
            origin: r.origin,
            code_by_crate: Vec::new(),
            retained_bytes: None,
        };
        // A function no rlib names (the binary crate's own, startup code,
        // handlers, C): the compilation unit that holds it is its crate.
        let by_lines = lines
            .filter(|_| {
                // `__rustc` is rustc's own namespace for items it names
                // (the panic handler): the unit knows who defined them.
                (row.origin == Origin::Heuristic || row.crate_name == "__rustc")
                    && row.kind == Kind::Text
            })
            .and_then(|l| l.at(r.address));
        if let Some(k) = by_lines {
            row.crate_name = k.to_string();
            row.origin = Origin::Exact;
        }
        if let Some(l) = lines.filter(|_| row.kind == Kind::Text) {
            row.code_by_crate = code_parts(l, &row);
        }
        row
    };
    let in_section = |section: &str, kind: Kind| {
        opts.symbol_section
            .as_deref()
            .is_none_or(|want| want == section || want == kind.as_str())
    };
    let matches = |name: &str, krate: &str| {
        opts.symbol_filter
            .as_ref()
            .is_none_or(|re| re.is_match(name) || re.is_match(krate))
    };
    let mut rows: Vec<SymbolRow> = if opts.group_generics {
        // Grouping needs every name first.
        symbols::group(table.symbols.iter().map(row).collect())
            .into_iter()
            .filter(|r| in_section(&r.section, r.kind) && matches(&r.name, &r.crate_name))
            .collect()
    } else {
        let mut chosen: Vec<&symbols::Sym<'_>> = table
            .symbols
            .iter()
            .filter(|r| {
                let s = &table.sections[r.section];
                in_section(&s.name, s.kind)
                    && (opts.symbol_filter.is_none()
                        || matches(&symbols::display_name(&r.mangled), table.crate_name(r)))
            })
            .collect();
        if let Some(n) = opts.keep_symbols.filter(|&n| n > 0 && n < chosen.len()) {
            // Everything at least as large as the n-th stays, for the tie-break by name.
            let mut sizes: Vec<u64> = chosen.iter().map(|r| r.bytes).collect();
            let (_, nth, _) = sizes.select_nth_unstable_by(n - 1, |a, b| b.cmp(a));
            let least = *nth;
            chosen.retain(|r| r.bytes >= least);
        }
        chosen.into_iter().map(row).collect()
    };
    rows.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.name.cmp(&b.name)));
    if let Some(n) = opts.keep_symbols {
        rows.truncate(n);
    }
    rows
}
