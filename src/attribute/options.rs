//! What to attribute, and with which help.

use super::crates::RlibIndex;

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
    pub symbol_filter: Option<regex_lite::Regex>,
    /// Only symbols of this section (`.text`) or kind (`text`).
    pub symbol_section: Option<String>,
}
