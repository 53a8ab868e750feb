//! What every edit shares: the planned change of one file, its errors,
//! and reading and walking a TOML document without losing its formatting.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table};

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not valid TOML: {message}\n  hint: fix the file first; cargo weigh will not rewrite a file it cannot parse")]
    Parse { path: PathBuf, message: String },
    #[error("`{path}`: [{table}] already sets {}\n  hint: pass --force to overwrite them, or --profile NAME to write a separate profile", .conflicts.join(", "))]
    Conflict {
        path: PathBuf,
        table: String,
        conflicts: Vec<String>,
    },
    #[error("`{path}`: `{table}` is not a table\n  hint: fix the file by hand")]
    NotATable { path: PathBuf, table: String },
    #[error("cannot write `{path}`: {source}\n  hint: the file is unchanged")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One file's planned change.
#[derive(Debug, Clone)]
pub struct FileEdit {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
}

impl FileEdit {
    pub fn changed(&self) -> bool {
        self.before != self.after
    }

    /// A unified diff for the terminal.
    pub fn diff(&self) -> String {
        let name = self.path.display().to_string();
        similar::TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{name}"), &format!("b/{name}"))
            .to_string()
    }

    /// Write atomically (see `atomic`): the file is either the old one or
    /// the new one, never half-written.
    pub fn write(&self) -> Result<(), ApplyError> {
        crate::atomic::write(&self.path, self.after.as_bytes()).map_err(|source| {
            ApplyError::Write {
                path: self.path.clone(),
                source,
            }
        })
    }
}

pub(super) fn parse(path: &Path, text: &str) -> Result<DocumentMut, ApplyError> {
    text.parse::<DocumentMut>().map_err(|e| ApplyError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// The table at `path`, made (implicit headers) where missing.
pub(super) fn table_mut<'d>(
    doc: &'d mut DocumentMut,
    path: &[&str],
    file: &Path,
) -> Result<&'d mut Table, ApplyError> {
    let mut t = doc.as_table_mut();
    for (i, key) in path.iter().enumerate() {
        let item = t.entry(key).or_insert_with(|| {
            let mut new = Table::new();
            // `[profile.release]` rather than an empty `[profile]` header.
            new.set_implicit(i + 1 < path.len());
            Item::Table(new)
        });
        t = item.as_table_mut().ok_or_else(|| ApplyError::NotATable {
            path: file.to_path_buf(),
            table: path[..=i].join("."),
        })?;
    }
    Ok(t)
}
