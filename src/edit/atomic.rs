//! Replacing a file so it is always either the old or the new one: the new
//! content is written unnamed (`O_TMPFILE`, on Linux) or under a temporary
//! name, synced, then renamed over the old file.

#[cfg(target_os = "linux")]
mod linux;

use std::io::Write;
use std::path::Path;

/// Write `contents` to `path` atomically, keeping its permissions.
pub fn write(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mode = std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions())
        .or_else(new_file_permissions);
    #[cfg(target_os = "linux")]
    {
        linux::remove_stale_names(dir);
        // Unnamed until complete, so a process killed while writing leaves
        // nothing behind; filesystems without O_TMPFILE get a named one.
        if let Some(mut file) = linux::unnamed_file(dir) {
            file.write_all(contents)?;
            if let Some(mode) = mode.clone() {
                file.set_permissions(mode)?;
            }
            file.sync_all()?;
            return linux::link_over(&file, dir, path);
        }
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".cargo-weigh-")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    if let Some(mode) = mode {
        std::fs::set_permissions(tmp.path(), mode)?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A new file's permissions: rw-r--r-- where there are modes (a temporary
/// file is made private); elsewhere what the system gives.
fn new_file_permissions() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    return Some(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    #[cfg(not(unix))]
    return None;
}
