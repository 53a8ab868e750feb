//! The chip's memory regions, from the linker scripts a build used (see
//! `scripts`) or `--flash-size`/`--ram-size`, and what a binary places in
//! each, counted by address as the linker counts.

mod map;
mod parse;
mod scripts;

pub use map::{MemoryMap, Region, RegionKind, RegionLimit, RegionUse};
pub use parse::{parse_memory, MemoryError, ParseError};
pub use scripts::LinkInputs;
