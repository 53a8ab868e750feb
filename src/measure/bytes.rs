//! What every format's reader shares: bounds, the loaded-bytes hash, and
//! how to describe bytes that are no binary at all.

use super::types::BytesError;

/// A section's bytes must lie inside the file.
pub fn in_file(name: &str, offset: u64, size: u64, len: usize) -> Result<(), BytesError> {
    match offset.checked_add(size) {
        Some(end) if end <= len as u64 => Ok(()),
        _ => Err(BytesError::Corrupt(format!(
            "section `{name}` claims bytes {offset}..{} but the file has only {len} bytes",
            offset.saturating_add(size)
        ))),
    }
}

/// SHA-256 of loaded bytes and their addresses, in address order: equal
/// hashes mean two builds load exactly the same bytes.
pub fn loaded_hash(mut parts: Vec<(u64, &[u8])>) -> String {
    use sha2::{Digest, Sha256};
    parts.retain(|(_, b)| !b.is_empty());
    parts.sort_by_key(|&(at, _)| at);
    let mut h = Sha256::new();
    for (at, bytes) in parts {
        h.update(at.to_le_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub fn describe_unknown(data: &[u8]) -> String {
    let head = &data[..data.len().min(512)];
    if std::str::from_utf8(head).is_ok() {
        "it looks like text".into()
    } else {
        "unrecognised format".into()
    }
}
