//! Where a report goes. A file's directory is checked before any work
//! starts, so a bad path fails at once, and the file is written atomically
//! when the report is complete: never a half-written file.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::options::Format;

pub enum Sink {
    Stdout,
    File(PathBuf),
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
        crate::atomic::can_create_in(&dir).with_context(|| {
            format!(
                "cannot write `{}`: the directory `{}` is not writable\n  hint: choose another --output path",
                path.display(),
                dir.display()
            )
        })?;
        Ok(Sink::File(path.to_path_buf()))
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

    /// Write the bytes (a file atomically); the
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
            Sink::File(path) => {
                crate::atomic::write(&path, bytes).map_err(|e| {
                    let full = e.kind() == std::io::ErrorKind::StorageFull;
                    anyhow::anyhow!(
                        "cannot write `{}`{}; nothing was written: {e}",
                        path.display(),
                        if full { " (disk full)" } else { "" }
                    )
                })?;
                Ok(Some(path))
            }
        }
    }
}
