//! Where history keeps its checkout: `$TMPDIR/cargo-weigh-<uid>`, made
//! with mode 0700 and, when it already exists, used only if it is a real
//! directory of this user that nobody else can write to. A directory of
//! a predictable name that another user made could hold sources whose
//! build scripts would then run as this user.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PrivateDirError {
    #[error("{path} is not this user's own directory ({why}): refusing to build commits there\n  hint: another user may have made it to plant sources; remove it, or point TMPDIR at a directory of your own")]
    NotOurs { path: PathBuf, why: String },
    #[error("cannot make {path}: {source}\n  hint: point TMPDIR at a writable directory")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Why `path` may not be used, if it may not.
#[cfg(unix)]
fn refusal(path: &std::path::Path) -> Result<Option<String>, std::io::Error> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = std::fs::symlink_metadata(path)?;
    let uid = unsafe { libc::geteuid() };
    Ok(if meta.file_type().is_symlink() {
        Some("a symbolic link".into())
    } else if !meta.is_dir() {
        Some("not a directory".into())
    } else if meta.uid() != uid {
        Some(format!("owned by user {}, not {uid}", meta.uid()))
    } else if meta.permissions().mode() & 0o077 != 0 {
        Some(format!(
            "mode {:o}: others may write or read it",
            meta.permissions().mode() & 0o777
        ))
    } else {
        None
    })
}

/// On Windows the temporary directory is the user's own (`%TEMP%` under
/// the profile).
#[cfg(not(unix))]
pub fn private_dir() -> Result<PathBuf, PrivateDirError> {
    let path = std::env::temp_dir().join("cargo-weigh");
    std::fs::create_dir_all(&path).map_err(|source| PrivateDirError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// This user's private directory under the system's temporary directory.
#[cfg(unix)]
pub fn private_dir() -> Result<PathBuf, PrivateDirError> {
    use std::os::unix::fs::DirBuilderExt;
    let uid = unsafe { libc::geteuid() };
    let path = std::env::temp_dir().join(format!("cargo-weigh-{uid}"));
    let io = |source| PrivateDirError::Io {
        path: path.clone(),
        source,
    };
    match std::fs::DirBuilder::new().mode(0o700).create(&path) {
        Ok(()) => return Ok(path),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(e)),
    }
    match refusal(&path).map_err(io)? {
        None => Ok(path),
        Some(why) => Err(PrivateDirError::NotOurs { path, why }),
    }
}
