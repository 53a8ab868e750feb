//! Where the bytes go: every allocated section's bytes attributed to
//! symbols and crates, with an explicit unattributed/padding row so each
//! section adds up. Code bytes are attributed through the DWARF line table
//! when the binary has one (exact under LTO and inlining: the line table
//! names the source file every instruction came from); otherwise, and for
//! data, through the symbol table.

mod crates;
mod dwarf;
mod options;
pub mod symbols;
mod types;
mod walk;
mod wasm;

pub use crates::{crate_from_path, RlibIndex};
pub use options::Options;
pub use symbols::display_name;
pub use types::{
    Attribution, CratePart, CrateRow, Kind, Origin, SectionRow, SymbolRow, UNATTRIBUTED,
};
pub use walk::{attribute, attribute_map};

#[cfg(test)]
mod tests;
