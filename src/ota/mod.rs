//! What an over-the-air update sends: the flash image (or, for a hosted
//! binary, the stripped file) compressed with the codecs firmware updaters
//! use, and the bsdiff delta against a released build.

mod types;

pub use types::{Compressed, Ota};

#[cfg(feature = "ota")]
mod codecs;
#[cfg(feature = "ota")]
pub use codecs::{compress, delta};

/// What a build without the codecs says.
pub const NOT_BUILT: &str = "this cargo-weigh was built without its `ota` feature (the xz, zstd, lz4, heatshrink and bsdiff codecs)\n  hint: cargo install cargo-weigh --features ota (it is on by default)";

/// The payload of a binary: its flash image on bare metal, its stripped
/// file on a host.
pub fn payload(elf: &[u8], firmware: bool) -> Result<Vec<u8>, String> {
    if firmware {
        crate::measure::flash_image(elf).map_err(|e| e.to_string())
    } else {
        crate::measure::strip_bytes(elf)
    }
}

/// The OTA figures of a binary, with the delta from `baseline`'s payload.
#[cfg(not(feature = "ota"))]
pub fn measure(_: &[u8], _: bool, _: Option<(&[u8], &str)>) -> Result<Ota, String> {
    Err(NOT_BUILT.into())
}

/// The OTA figures of a binary, with the delta from `baseline`'s payload.
#[cfg(feature = "ota")]
pub fn measure(elf: &[u8], firmware: bool, baseline: Option<(&[u8], &str)>) -> Result<Ota, String> {
    let p = payload(elf, firmware)?;
    let codecs = compress(&p);
    Ok(Ota {
        payload: if firmware { "image" } else { "stripped file" }.into(),
        payload_bytes: p.len() as u64,
        compressed_image_bytes: codecs.first().map_or(p.len() as u64, |c| c.bytes),
        codecs,
        delta_bytes: baseline.and_then(|(old, _)| delta(old, &p)),
        delta_from: baseline.map(|(_, name)| name.to_string()),
    })
}
