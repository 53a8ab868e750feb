//! What an over-the-air update sends: the flash image (or, for a hosted
//! binary, the stripped file) compressed with the codecs firmware updaters
//! use, and the bsdiff delta against a released build.

use serde::{Deserialize, Serialize};

/// One codec's output size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Compressed {
    /// `zstd -19`, `xz -9e`, `lz4 -12`, `heatshrink -w 8 -l 4`.
    pub codec: String,
    pub bytes: u64,
}

/// The OTA figures of one configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ota {
    /// What is sent: `image` (firmware) or `stripped file` (hosted).
    pub payload: String,
    pub payload_bytes: u64,
    /// The smallest of the codecs.
    pub compressed_image_bytes: u64,
    pub codecs: Vec<Compressed>,
    /// The bsdiff patch (BSDIFF40, bzip2 inside) from the `--ota-baseline`
    /// build to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_bytes: Option<u64>,
    /// What the delta is taken against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_from: Option<String>,
}

impl Ota {
    /// What an update sends: the delta when there is one, else the
    /// smallest compressed payload.
    pub fn sent_bytes(&self) -> u64 {
        self.delta_bytes
            .unwrap_or(self.compressed_image_bytes)
            .min(self.compressed_image_bytes)
    }
}

/// The payload compressed by every codec, smallest first.
pub fn compress(payload: &[u8]) -> Vec<Compressed> {
    let mut out = Vec::new();
    let mut add = |codec: &str, bytes: Option<usize>| {
        if let Some(b) = bytes {
            out.push(Compressed {
                codec: codec.into(),
                bytes: b as u64,
            });
        }
    };
    add(
        "zstd -19",
        zstd::bulk::compress(payload, 19).ok().map(|v| v.len()),
    );
    add("xz -9e", xz(payload));
    add(
        "lz4 (block)",
        Some(lz4_flex::block::compress_prepend_size(payload).len()),
    );
    add("heatshrink -w 8 -l 4", heatshrink_len(payload, 8, 4));
    out.sort_by_key(|c| c.bytes);
    out
}

fn xz(payload: &[u8]) -> Option<usize> {
    use std::io::Write;
    // xz -9e: preset 9 with the EXTREME flag (liblzma's 1 << 31).
    let preset = 9 | (1u32 << 31);
    let mut w = xz2::write::XzEncoder::new(Vec::new(), preset);
    w.write_all(payload).ok()?;
    w.finish().ok().map(|v| v.len())
}

/// heatshrink with a 2^w window and 2^l lookahead, the small-target
/// setting (a few hundred bytes of RAM to decode).
fn heatshrink_len(payload: &[u8], w: u8, l: u8) -> Option<usize> {
    let cfg = heatshrink::Config::new(w, l).ok()?;
    let mut buf = vec![0u8; payload.len() + payload.len() / 8 + 64];
    heatshrink::encode(payload, &mut buf, &cfg)
        .ok()
        .map(|o| o.len())
}

/// The bsdiff patch from `old` to `new` (None when too large to index).
pub fn delta(old: &[u8], new: &[u8]) -> Option<u64> {
    if old.len() > qbsdiff::bsdiff::MAX_LENGTH {
        return None;
    }
    let mut patch = Vec::new();
    qbsdiff::Bsdiff::new(old, new)
        .parallel_scheme(qbsdiff::ParallelScheme::Never)
        .compare(std::io::Cursor::new(&mut patch))
        .ok()?;
    Some(patch.len() as u64)
}

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
