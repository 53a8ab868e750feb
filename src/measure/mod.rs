//! Measurement of a linked binary from the file itself: ELF (Linux, every
//! embedded target), Mach-O (macOS), PE (Windows) and WebAssembly modules.
//!
//! Everything here reads bytes and never runs a program: `measure` must be safe
//! on any file a user points it at.

mod bytes;
mod elf;
mod macho;
mod normalized;
mod pe;
mod strip;
mod types;
mod wasm;

use std::fs::File;
use std::path::Path;

pub use elf::flash_image;
pub use strip::strip_bytes;
pub use types::{
    Berkeley, BytesError, GlueSizes, MeasureError, Measurement, SectionClass, SectionSize,
    WasmSizes,
};

/// Measure a binary held in memory: ELF, Mach-O, PE or WebAssembly.
pub fn measure_bytes(data: &[u8]) -> Result<Measurement, BytesError> {
    use object::{elf as e, macho as m, pe as p, Endianness, FileKind};
    if data.starts_with(b"\0asm") {
        return wasm::measure(data);
    }
    match FileKind::parse(data) {
        Ok(FileKind::Elf32) => elf::measure::<e::FileHeader32<Endianness>>(data),
        Ok(FileKind::Elf64) => elf::measure::<e::FileHeader64<Endianness>>(data),
        Ok(FileKind::MachO32) => macho::measure::<m::MachHeader32<Endianness>>(data),
        Ok(FileKind::MachO64) => macho::measure::<m::MachHeader64<Endianness>>(data),
        Ok(FileKind::Pe32) => pe::measure::<p::ImageNtHeaders32>(data),
        Ok(FileKind::Pe64) => pe::measure::<p::ImageNtHeaders64>(data),
        Ok(FileKind::MachOFat32 | FileKind::MachOFat64) => Err(BytesError::NotElf(
            "a universal Mach-O holding several architectures; measure one (lipo -thin ARCH)"
                .into(),
        )),
        Ok(other) => Err(BytesError::NotElf(format!("detected {other:?}"))),
        Err(_) if data.starts_with(b"\x7fELF") => Err(BytesError::Corrupt(
            "the ELF header is truncated or has an unknown class".into(),
        )),
        Err(_) => Err(BytesError::NotElf(bytes::describe_unknown(data))),
    }
}

/// Whether `data` is a binary cargo weigh reads, with the measurement's
/// clear errors, without its costly figures (a module's compression).
pub fn check_bytes(data: &[u8]) -> Result<(), BytesError> {
    if data.starts_with(b"\0asm") {
        return wasm::check(data);
    }
    measure_bytes(data).map(drop)
}

/// Measure a file on disk. The file is memory-mapped, never copied whole.
pub fn measure_file(path: &Path) -> Result<Measurement, MeasureError> {
    let map = map_file(path)?;
    let mut m = measure_bytes(&map).map_err(|e| e.at(path))?;
    if let Some(w) = m.wasm.as_mut() {
        w.js_glue = wasm::glue_of(path).map_err(|e| e.at(path))?;
    }
    Ok(m)
}

/// Map a file read-only, with the errors `measure` gives for what is not a
/// binary (a directory, an empty file, a missing one).
pub fn map_file(path: &Path) -> Result<memmap2::Mmap, MeasureError> {
    let io = |source| MeasureError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(MeasureError::Directory {
            path: path.to_path_buf(),
        });
    }
    if meta.len() == 0 {
        return Err(MeasureError::Empty {
            path: path.to_path_buf(),
        });
    }
    let file = File::open(path).map_err(io)?;
    // SAFETY: the map is read-only and private; a file changed underneath us
    // would give wrong figures, not memory unsafety in safe callers of `object`,
    // which bounds-checks every read.
    unsafe { memmap2::Mmap::map(&file) }.map_err(io)
}

/// Give back the pages of a mapped file read so far. The kernel maps 64 KiB
/// around every page touched, so walking a large file would otherwise keep
/// most of it resident; dropped pages are read again from the file if needed.
pub fn release_pages(map: &memmap2::Mmap) {
    // SAFETY: the map is read-only and private: nothing in it can be lost.
    #[cfg(unix)]
    let _ = unsafe { map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
    // Elsewhere the system decides what stays resident.
    #[cfg(not(unix))]
    let _ = map;
}
