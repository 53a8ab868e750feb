//! Where the bytes go: every allocated section's bytes attributed to
//! symbols and crates, with an explicit unattributed/padding row so each
//! section adds up. Code bytes are attributed through the DWARF line table
//! when the binary has one (exact under LTO and inlining: the line table
//! names the source file every instruction came from); otherwise, and for
//! data, through the symbol table.

mod crates;
mod dwarf;
mod symbols;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crates::{crate_from_path, RlibIndex};

/// The kind of memory a section is, for per-kind totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Text,
    Rodata,
    Data,
    Bss,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Rodata => "rodata",
            Kind::Data => "data",
            Kind::Bss => "bss",
        }
    }
}

/// How a row's crate was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The DWARF line table (code) or the rlib symbol index: exact.
    Exact,
    /// v0 mangling names the crate: exact.
    V0,
    /// Guessed from the demangled path.
    Heuristic,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SymbolRow {
    pub name: String,
    /// Start of the bytes counted for this symbol.
    #[serde(default)]
    pub address: u64,
    pub crate_name: String,
    pub section: String,
    pub kind: Kind,
    pub bytes: u64,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrateRow {
    pub name: String,
    /// Bytes per kind (text, rodata, data, bss).
    pub text: u64,
    pub rodata: u64,
    pub data: u64,
    pub bss: u64,
    /// True when any of its bytes were attributed by a guess.
    pub heuristic: bool,
}

impl CrateRow {
    pub fn total(&self) -> u64 {
        self.text
            .saturating_add(self.rodata)
            .saturating_add(self.data)
            .saturating_add(self.bss)
    }

    /// Bytes that occupy flash (everything but bss).
    pub fn flash(&self) -> u64 {
        self.text
            .saturating_add(self.rodata)
            .saturating_add(self.data)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionRow {
    pub name: String,
    pub kind: Kind,
    pub size: u64,
    /// Bytes covered by symbols (or line-table ranges).
    pub attributed: u64,
    /// The rest: alignment padding, anonymous constants, unnamed code.
    pub unattributed: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// `dwarf` when code bytes came from the line table, else `symbols`.
    pub code_source: String,
    pub sections: Vec<SectionRow>,
    /// Sorted by total bytes, largest first; includes `[unattributed]`.
    pub crates: Vec<CrateRow>,
    /// Sorted by bytes, largest first.
    pub symbols: Vec<SymbolRow>,
    pub notes: Vec<String>,
}

pub const UNATTRIBUTED: &str = "[unattributed]";

#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Crate of the binary's own code (the package's crate name).
    pub own_crate: Option<String>,
    /// Symbols of the rlibs that went into the binary.
    pub rlibs: Option<RlibIndex>,
    /// Do not use the line table even when present.
    pub no_dwarf: bool,
    /// Group generic instantiations (`foo::<T>` → `foo::<_>`).
    pub group_generics: bool,
    /// Keep only the largest symbols (all when `None`); crates and sections
    /// always count every symbol.
    pub keep_symbols: Option<usize>,
    /// Only symbols whose demangled name or crate matches.
    pub symbol_filter: Option<regex::Regex>,
    /// Only symbols of this section (`.text`) or kind (`text`).
    pub symbol_section: Option<String>,
}

/// Attribute the allocated bytes of an ELF file.
pub fn attribute(data: &[u8], opts: &Options) -> Result<Attribution, String> {
    attribute_with(data, opts, &|| {})
}

/// Attribute a memory-mapped file, giving its pages back as the walk goes
/// on (see `measure::release_pages`).
pub fn attribute_map(map: &memmap2::Mmap, opts: &Options) -> Result<Attribution, String> {
    attribute_with(map, opts, &|| crate::measure::release_pages(map))
}

fn attribute_with(data: &[u8], opts: &Options, release: &dyn Fn()) -> Result<Attribution, String> {
    let file = object::File::parse(data).map_err(|e| e.to_string())?;
    let table = symbols::collect(&file, opts)?;
    release();
    let mut notes = Vec::new();
    let mut crates: BTreeMap<String, CrateRow> = BTreeMap::new();
    let mut add = |name: &str, kind: Kind, bytes: u64, heuristic: bool| {
        let row = crates.entry(name.to_string()).or_insert_with(|| CrateRow {
            name: name.to_string(),
            text: 0,
            rodata: 0,
            data: 0,
            bss: 0,
            heuristic: false,
        });
        match kind {
            Kind::Text => row.text = row.text.saturating_add(bytes),
            Kind::Rodata => row.rodata = row.rodata.saturating_add(bytes),
            Kind::Data => row.data = row.data.saturating_add(bytes),
            Kind::Bss => row.bss = row.bss.saturating_add(bytes),
        }
        row.heuristic |= heuristic;
    };

    let line_ranges = if opts.no_dwarf {
        None
    } else {
        dwarf::code_by_crate(&file, opts.own_crate.as_deref(), release)
    };
    release();
    let mut sections = Vec::new();
    for (index, s) in table.sections.iter().enumerate() {
        let in_section = || table.symbols.iter().filter(move |r| r.section == index);
        let sym_bytes: u64 = in_section().fold(0u64, |a, r| a.saturating_add(r.bytes));
        let (attributed, by_dwarf) = match (&line_ranges, s.kind) {
            (Some(lines), Kind::Text) => {
                let per_crate = lines.in_range(s.address, s.address.saturating_add(s.size));
                let mut total: u64 = per_crate.values().fold(0u64, |a, b| a.saturating_add(*b));
                for (krate, bytes) in per_crate {
                    add(&krate, Kind::Text, bytes, false);
                }
                // Code without line rows (assembly, startup code): its symbol's crate.
                for r in in_section() {
                    let uncovered = r.bytes.saturating_sub(
                        lines.covered(r.address, r.address.saturating_add(r.bytes)),
                    );
                    if uncovered > 0 {
                        add(
                            table.crate_name(r),
                            Kind::Text,
                            uncovered,
                            r.origin == Origin::Heuristic,
                        );
                        total = total.saturating_add(uncovered);
                    }
                }
                (total, true)
            }
            _ => (sym_bytes, false),
        };
        if !by_dwarf {
            for r in in_section() {
                add(
                    table.crate_name(r),
                    s.kind,
                    r.bytes,
                    r.origin == Origin::Heuristic,
                );
            }
        }
        let unattributed = s.size.saturating_sub(attributed);
        if unattributed > 0 {
            add(UNATTRIBUTED, s.kind, unattributed, false);
        }
        sections.push(SectionRow {
            name: s.name.clone(),
            kind: s.kind,
            size: s.size,
            attributed: attributed.min(s.size),
            unattributed,
        });
    }
    let code_source = if line_ranges.is_some() {
        "dwarf".to_string()
    } else {
        if !opts.no_dwarf {
            notes.push(
                "no DWARF line table in this binary: code is attributed by symbols, so code inlined \
                 from one crate into another counts for the crate of the symbol (build with \
                 debug = \"line-tables-only\" for exact figures)"
                    .into(),
            );
        }
        "symbols".to_string()
    };
    if table.symbols.is_empty() {
        notes.push("the binary has no symbol table (stripped?): symbols are unknown".into());
    }
    let mut crates: Vec<CrateRow> = crates.into_values().collect();
    crates.sort_by(|a, b| b.total().cmp(&a.total()).then(a.name.cmp(&b.name)));
    let symbols = largest_symbols(&table, opts);
    Ok(Attribution {
        code_source,
        sections,
        crates,
        symbols,
        notes,
    })
}

/// The symbols asked for, largest first (ties by name), as report rows:
/// only those are demangled for keeps.
fn largest_symbols(table: &symbols::Table<'_>, opts: &Options) -> Vec<SymbolRow> {
    let row = |r: &symbols::Sym<'_>| SymbolRow {
        name: symbols::display_name(&r.mangled),
        address: r.address,
        crate_name: table.crate_name(r).to_string(),
        section: table.sections[r.section].name.clone(),
        kind: table.sections[r.section].kind,
        bytes: r.bytes,
        origin: r.origin,
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

#[cfg(test)]
mod tests;
