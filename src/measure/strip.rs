//! Writing the stripped file: every non-allocated section (debug info,
//! comments, attributes) and the symbol tables removed.

use object::build::elf::{Builder, SectionData};
use object::elf;

/// The stripped file's bytes.
pub fn strip_bytes(data: &[u8]) -> Result<Vec<u8>, object::build::Error> {
    let mut builder = Builder::read(data)?;
    for symbol in builder.symbols.iter_mut() {
        symbol.delete = true;
    }
    for section in builder.sections.iter_mut() {
        let alloc = section.sh_flags & u64::from(elf::SHF_ALLOC) != 0;
        // The section-name table must stay for the file to stay valid.
        let keep = alloc || matches!(section.data, SectionData::SectionString);
        if !keep {
            section.delete = true;
        }
    }
    let mut out = Vec::new();
    builder.write(&mut out)?;
    Ok(out)
}

/// Length of the stripped file: really written (to memory), not estimated.
pub fn stripped_len(data: &[u8]) -> Result<u64, object::build::Error> {
    strip_bytes(data).map(|v| v.len() as u64)
}
