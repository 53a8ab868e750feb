//! The codecs: each payload compressed as the real tools compress it, and
//! the bsdiff delta (the `ota` feature).

use super::types::Compressed;

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
    let mut w = liblzma::write::XzEncoder::new(Vec::new(), preset);
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
