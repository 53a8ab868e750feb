//! What attribution gives: bytes per section, crate and symbol.

use serde::{Deserialize, Serialize};

/// The kind of memory a section is, for per-kind totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SymbolRow {
    pub name: String,
    /// Start of the bytes counted for this symbol.
    #[serde(default)]
    pub address: u64,
    pub crate_name: String,
    pub section: String,
    pub kind: Kind,
    #[serde(rename = "size_bytes", alias = "bytes")]
    pub bytes: u64,
    pub origin: Origin,
    /// A function's bytes by the crate their source came from (the DWARF
    /// line table: code inlined from other crates counts for them, as in
    /// the crate table); empty when all of it is `crate_name`'s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_by_crate: Vec<CratePart>,
    /// With `top --retained`: its bytes and those only it keeps, from the
    /// reference graph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retained_bytes: Option<u64>,
}

/// Some bytes of a symbol and the crate they are counted for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CratePart {
    pub crate_name: String,
    pub bytes: u64,
}

impl SymbolRow {
    /// The symbol's bytes per crate as the crate table counts them.
    pub fn parts(&self) -> Vec<CratePart> {
        if self.code_by_crate.is_empty() {
            vec![CratePart {
                crate_name: self.crate_name.clone(),
                bytes: self.bytes,
            }]
        } else {
            self.code_by_crate.clone()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CrateRow {
    pub name: String,
    /// Bytes per kind (text, rodata, data, bss).
    #[serde(rename = "text_bytes", alias = "text")]
    pub text: u64,
    #[serde(rename = "rodata_bytes", alias = "rodata")]
    pub rodata: u64,
    #[serde(rename = "data_bytes", alias = "data")]
    pub data: u64,
    #[serde(rename = "bss_bytes", alias = "bss")]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SectionRow {
    pub name: String,
    pub kind: Kind,
    #[serde(rename = "size_bytes", alias = "size")]
    pub size: u64,
    /// Bytes covered by symbols (or line-table ranges).
    #[serde(rename = "attributed_bytes", alias = "attributed")]
    pub attributed: u64,
    /// The rest: alignment padding, anonymous constants, unnamed code.
    #[serde(rename = "unattributed_bytes", alias = "unattributed")]
    pub unattributed: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Attribution {
    /// `dwarf` when code bytes came from the line table, else `symbols`.
    pub code_source: String,
    pub sections: Vec<SectionRow>,
    /// Sorted by total bytes, largest first; includes `[unattributed]`.
    pub crates: Vec<CrateRow>,
    /// Sorted by bytes, largest first.
    pub symbols: Vec<SymbolRow>,
    /// Symbols smaller than this were left out (a size record keeps the
    /// largest only): a symbol missing here may still be in the binary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbols_below: Option<u64>,
    pub notes: Vec<String>,
    /// What the bytes are a share of: `flash` (ELF), `loaded` (Mach-O,
    /// PE), `module` (WebAssembly).
    #[serde(default = "flash_word", skip_serializing_if = "is_flash")]
    pub total_word: String,
}

fn flash_word() -> String {
    "flash".into()
}

fn is_flash(w: &String) -> bool {
    w == "flash"
}

pub const UNATTRIBUTED: &str = "[unattributed]";
