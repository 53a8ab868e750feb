//! Where records are kept: the repository's notes, or a directory (one
//! file of lines per commit) that a CI cache or artifact carries.

use std::path::PathBuf;

use super::notes;
use super::record::{parse_lines, Record};
use crate::options::RecordsOptions;

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{0}")]
    Git(#[from] crate::history::GitError),
    #[error("cannot {what} {path}: {source}\n  hint: --records-dir names a directory this user can write to")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone)]
pub enum Store {
    /// Notes of the repository at this path (`refs/notes/cargo-weigh`).
    Notes(PathBuf),
    /// `<dir>/<commit>.jsonl`.
    Dir(PathBuf),
}

impl Store {
    fn file(dir: &std::path::Path, commit: &str) -> PathBuf {
        dir.join(format!("{commit}.jsonl"))
    }

    /// The lines kept for `commit` (empty when none).
    fn text(&self, commit: &str) -> Result<String, RecordError> {
        match self {
            Store::Notes(repo) => Ok(notes::show(repo, commit)?),
            Store::Dir(dir) => {
                let path = Store::file(dir, commit);
                match std::fs::read_to_string(&path) {
                    Ok(t) => Ok(t),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
                    Err(source) => Err(RecordError::Io {
                        what: "read",
                        path,
                        source,
                    }),
                }
            }
        }
    }

    /// Every record kept for `commit`.
    pub fn load(&self, commit: &str) -> Result<Vec<Record>, RecordError> {
        Ok(parse_lines(&self.text(commit)?))
    }

    /// Add records to `commit`'s; a line already there is not repeated.
    pub fn add(&self, commit: &str, records: &[Record]) -> Result<usize, RecordError> {
        let old = self.text(commit)?;
        let mut lines: Vec<String> = old
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(String::from)
            .collect();
        let before = lines.len();
        for r in records {
            let line = r.line();
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        let added = lines.len() - before;
        if added == 0 {
            return Ok(0);
        }
        // Sorted as git's cat_sort_uniq merge leaves them.
        lines.sort();
        let text = lines.join("\n") + "\n";
        match self {
            Store::Notes(repo) => notes::write(repo, commit, &text)?,
            Store::Dir(dir) => {
                let io = |what, source| RecordError::Io {
                    what,
                    path: dir.clone(),
                    source,
                };
                std::fs::create_dir_all(dir).map_err(|e| io("create", e))?;
                crate::atomic::write(&Store::file(dir, commit), text.as_bytes())
                    .map_err(|e| io("write into", e))?;
            }
        }
        Ok(added)
    }

    /// Commits with records, for `record import`.
    pub fn commits(&self) -> Result<Vec<String>, RecordError> {
        match self {
            Store::Notes(repo) => Ok(notes::annotated(repo)?),
            Store::Dir(dir) => {
                let entries = std::fs::read_dir(dir).map_err(|source| RecordError::Io {
                    what: "read",
                    path: dir.clone(),
                    source,
                })?;
                let mut out: Vec<String> = entries
                    .flatten()
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        name.strip_suffix(".jsonl").map(String::from)
                    })
                    .collect();
                out.sort();
                Ok(out)
            }
        }
    }
}

/// The store and commit of a run that measures a commit.
pub fn store_of(opts: &RecordsOptions) -> Option<(Store, &str)> {
    let (repo, commit) = opts.at.as_ref()?;
    let store = match &opts.dir {
        Some(d) => Store::Dir(d.clone()),
        None => Store::Notes(repo.clone()),
    };
    Some((store, commit.as_str()))
}
