//! Where a report goes. A file is created (as a temporary beside it) before
//! any work starts, so a bad path fails at once, and it only takes its name
//! when the report is complete: never a half-written file.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::options::Format;

pub enum Sink {
    Stdout,
    File {
        path: PathBuf,
        tmp: tempfile::NamedTempFile,
    },
    /// Not a regular file (`/dev/null`, a pipe, a terminal): written in
    /// place, never replaced by a rename.
    Stream {
        path: PathBuf,
        file: std::fs::File,
    },
}

impl Sink {
    pub fn open(path: Option<&Path>) -> anyhow::Result<Sink> {
        let Some(path) = path else {
            return Ok(Sink::Stdout);
        };
        let target = std::fs::metadata(path).ok();
        if target.as_ref().is_some_and(|m| !m.is_file() && !m.is_dir()) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
            return Ok(Sink::Stream {
                path: path.to_path_buf(),
                file,
            });
        }
        // Through a symbolic link: the file it names takes the report.
        let resolved;
        let path = match std::fs::symlink_metadata(path) {
            Ok(l) if l.file_type().is_symlink() && target.is_some() => {
                resolved = std::fs::canonicalize(path)
                    .with_context(|| format!("cannot follow `{}`", path.display()))?;
                resolved.as_path()
            }
            _ => path,
        };
        if path.is_dir() {
            anyhow::bail!(
                "output path `{}` is a directory\n  hint: give a file name, e.g. {}/report.json",
                path.display(),
                path.display()
            );
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            anyhow::bail!(
                "cannot write `{}`: the directory `{}` does not exist\n  hint: create it first (mkdir -p {})",
                path.display(),
                dir.display(),
                dir.display()
            );
        }
        let tmp = tempfile::Builder::new()
            .prefix(".cargo-weigh-")
            .tempfile_in(&dir)
            .with_context(|| {
                format!(
                    "cannot write `{}`: the directory `{}` is not writable\n  hint: choose another --output path",
                    path.display(),
                    dir.display()
                )
            })?;
        Ok(Sink::File {
            path: path.to_path_buf(),
            tmp,
        })
    }

    /// `--format html` without `-o`, on a terminal: a page is not terminal
    /// output, so it goes to `default` (as cargo's `--timings` page does).
    /// Redirected, it stays on standard output.
    pub fn or_page(
        self,
        format: Format,
        default: impl FnOnce() -> PathBuf,
    ) -> anyhow::Result<Sink> {
        use std::io::IsTerminal;
        match self {
            Sink::Stdout if format == Format::Html && std::io::stdout().is_terminal() => {
                let path = default();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create `{}`", dir.display()))?;
                }
                Sink::open(Some(&path))
            }
            other => Ok(other),
        }
    }

    /// Write the bytes; for a file, say where on stderr.
    pub fn write(self, bytes: &[u8]) -> anyhow::Result<()> {
        if let Some(path) = self.finish(bytes)? {
            eprintln!("report written to {}", path.display());
        }
        Ok(())
    }

    /// Write the bytes and give the file its name (atomic rename); the
    /// path written, for a file.
    pub fn finish(self, bytes: &[u8]) -> anyhow::Result<Option<PathBuf>> {
        match self {
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                // A closed pipe (`| head`) is not an error worth a message.
                match out.write_all(bytes).and_then(|_| out.flush()) {
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(None),
                    other => other
                        .context("cannot write to standard output")
                        .map(|_| None),
                }
            }
            Sink::Stream { path, mut file } => {
                file.write_all(bytes)
                    .and_then(|_| file.flush())
                    .with_context(|| format!("cannot write `{}`", path.display()))?;
                Ok(Some(path))
            }
            Sink::File { path, mut tmp } => {
                let write = tmp
                    .as_file_mut()
                    .write_all(bytes)
                    .and_then(|_| tmp.as_file_mut().sync_all());
                write.with_context(|| {
                    format!(
                        "cannot write `{}` (disk full?); nothing was written",
                        path.display()
                    )
                })?;
                // Temporary files are private; a report is an ordinary file.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let _ = std::fs::set_permissions(
                        tmp.path(),
                        std::fs::Permissions::from_mode(0o644),
                    );
                }
                tmp.persist(&path)
                    .map_err(|e| e.error)
                    .with_context(|| format!("cannot create `{}`", path.display()))?;
                Ok(Some(path))
            }
        }
    }
}
