//! The one way the tool writes a file: always either the old or the new
//! one. The new content is written unnamed (`O_TMPFILE`, on Linux) or under
//! a temporary name beside the file, synced, then renamed over it. Reports,
//! manifest edits, cached rows, kept binaries and the QEMU plugin all go
//! through here.

#[cfg(target_os = "linux")]
mod linux;

use std::fs::{File, Permissions};
use std::io::Write;
use std::path::Path;

/// Write `contents` to `path`, keeping its permissions (a new file gets
/// rw-r--r--).
pub fn write(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mode = std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions())
        .or_else(new_file_permissions);
    replace(path, mode, |f| f.write_all(contents))
}

/// Copy the file `from` to `to` with `from`'s permissions (a kept binary
/// stays executable).
pub fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut source = File::open(from)?;
    let mode = source.metadata()?.permissions();
    replace(to, Some(mode), |f| std::io::copy(&mut source, f).map(drop))
}

/// Whether a file could be created in `dir` (checked before work starts,
/// so a bad output path fails at once).
pub fn can_create_in(dir: &Path) -> std::io::Result<()> {
    tempfile::Builder::new()
        .prefix(".cargo-weigh-")
        .tempfile_in(dir)
        .map(drop)
}

fn replace(
    path: &Path,
    mode: Option<Permissions>,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    #[cfg(target_os = "linux")]
    {
        linux::remove_stale_names(dir);
        // Unnamed until complete, so a process killed while writing leaves
        // nothing behind; filesystems without O_TMPFILE get a named one.
        if let Some(mut file) = linux::unnamed_file(dir) {
            fill(&mut file)?;
            if let Some(mode) = mode {
                file.set_permissions(mode)?;
            }
            file.sync_all()?;
            return linux::link_over(&file, dir, path);
        }
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".cargo-weigh-")
        .tempfile_in(dir)?;
    fill(tmp.as_file_mut())?;
    if let Some(mode) = mode {
        tmp.as_file().set_permissions(mode)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A new file's permissions: rw-r--r-- where there are modes (a temporary
/// file is made private); elsewhere what the system gives.
fn new_file_permissions() -> Option<Permissions> {
    #[cfg(unix)]
    return Some(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    #[cfg(not(unix))]
    return None;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_keeps_permissions_and_copy_takes_the_source_s() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a");
        write(&path, b"one").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o644);
        std::fs::set_permissions(&path, Permissions::from_mode(0o600)).unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(
            (std::fs::read(&path).unwrap(), mode(&path)),
            (b"two".to_vec(), 0o600)
        );
        std::fs::set_permissions(&path, Permissions::from_mode(0o755)).unwrap();
        let copied = dir.path().join("sub/b");
        copy(&path, &copied).unwrap();
        assert_eq!(
            (std::fs::read(&copied).unwrap(), mode(&copied)),
            (b"two".to_vec(), 0o755)
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 2, "no temporary left: {names:?}");
    }
}
