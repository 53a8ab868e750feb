//! The QEMU plugin build.rs compiled (`qemu/weigh_plugin.rs`), carried in
//! the binary and written out once where QEMU can load it.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const PLUGIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libweigh_qemu.so"));

/// The plugin's path under `dir` (written there when missing).
pub fn installed_plugin(dir: &Path) -> Result<PathBuf, String> {
    if PLUGIN.is_empty() {
        return Err("this cargo-weigh was built without its QEMU plugin (its build failed: see the build's warnings), so it cannot count instructions".into());
    }
    let digest = Sha256::digest(PLUGIN);
    let name: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let path = dir.join(format!("weigh-qemu-{name}.so"));
    if path.is_file() {
        return Ok(path);
    }
    crate::atomic::write(&path, PLUGIN)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
