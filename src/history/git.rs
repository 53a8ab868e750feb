//! Git for history and bisect: the commits of a range, and one checkout
//! outside the user's work tree that follows them, rewriting only the
//! files a commit changed so the next build is incremental.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git: {0}\n  hint: install git")]
    Missing(std::io::Error),
    #[error("git {args} failed: {message}")]
    Failed { args: String, message: String },
    #[error("`{rev}` is not a commit of {repo}\n  hint: name a branch, a tag or a hash (git log --oneline lists them)")]
    NotACommit { rev: String, repo: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The repository holding a project.
#[derive(Debug, Clone)]
pub struct Repo {
    pub top: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Commit {
    pub sha: String,
    pub summary: String,
    pub date: String,
}

impl Repo {
    pub fn containing(dir: &Path) -> Result<Repo, GitError> {
        let top = git(dir, &["rev-parse", "--show-toplevel"])?;
        Ok(Repo {
            top: PathBuf::from(top),
        })
    }

    pub fn git(&self, args: &[&str]) -> Result<String, GitError> {
        git(&self.top, args)
    }

    /// The full hash of a revision that names a commit.
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        self.git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
    }

    /// The commit `rev` names, or the error saying it names none.
    pub fn commit(&self, rev: &str) -> Result<Commit, GitError> {
        let sha = self.resolve(rev).map_err(|_| GitError::NotACommit {
            rev: rev.to_string(),
            repo: self.top.display().to_string(),
        })?;
        self.describe(&sha)
    }

    fn describe(&self, sha: &str) -> Result<Commit, GitError> {
        let line = self.git(&["show", "-s", "--format=%H%x00%s%x00%cI", sha])?;
        let mut f = line.split('\0');
        Ok(Commit {
            sha: f.next().unwrap_or(sha).to_string(),
            summary: f.next().unwrap_or("").to_string(),
            date: f.next().unwrap_or("").to_string(),
        })
    }
}

/// The commits of `spec`, oldest first: `A..B` as git reads it (reachable
/// from B, not from A; `first_parent` follows merges' first parents only,
/// a line bisect can halve), or revisions separated by commas.
pub fn commits(repo: &Repo, spec: &str, first_parent: bool) -> Result<Vec<Commit>, GitError> {
    let not_a_commit = |rev: &str| GitError::NotACommit {
        rev: rev.to_string(),
        repo: repo.top.display().to_string(),
    };
    let shas: Vec<String> = if let Some((a, b)) = spec.split_once("..") {
        // Each end named plainly, not in git's own words about paths.
        for end in [a, b.trim_start_matches('.')] {
            if !end.is_empty() && repo.resolve(end).is_err() {
                return Err(not_a_commit(end));
            }
        }
        let mut args = vec!["rev-list", "--reverse", "--topo-order"];
        if first_parent {
            args.push("--first-parent");
        }
        args.push(spec);
        repo.git(&args)?.lines().map(String::from).collect()
    } else {
        spec.split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| repo.resolve(r).map_err(|_| not_a_commit(r)))
            .collect::<Result<_, _>>()?
    };
    shas.iter().map(|s| repo.describe(s)).collect()
}

fn git(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    let out = run(&mut cmd)?;
    if !out.status.success() {
        let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(GitError::Failed {
            args: args.join(" "),
            message: if message.is_empty() {
                format!("exit status {}", out.status)
            } else {
                message
            },
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}

/// A directory holding the tree of one commit at a time. Files keep their
/// modification time while unchanged and get a new one when a commit
/// changes them, which is what cargo's fingerprints need.
pub struct Checkout {
    pub dir: PathBuf,
    marker: PathBuf,
}

impl Checkout {
    pub fn new(dir: PathBuf) -> Checkout {
        let marker = dir.with_extension("commit");
        Checkout { dir, marker }
    }

    fn at(&self) -> Option<String> {
        let sha = std::fs::read_to_string(&self.marker).ok()?;
        self.dir.is_dir().then(|| sha.trim().to_string())
    }

    /// Make the directory hold `sha`'s tree.
    pub fn switch(&mut self, repo: &Repo, sha: &str) -> Result<(), GitError> {
        let _ = std::fs::remove_file(&self.marker);
        let changed = match self.at_before(repo, sha) {
            Some(paths) => paths,
            None => {
                if self.dir.exists() {
                    std::fs::remove_dir_all(&self.dir)?;
                }
                std::fs::create_dir_all(&self.dir)?;
                Vec::new()
            }
        };
        let fresh = std::fs::read_dir(&self.dir)?.next().is_none();
        if fresh {
            extract(repo, sha, &[], &self.dir)?;
        } else if !changed.is_empty() {
            extract(repo, sha, &changed, &self.dir)?;
        }
        std::fs::write(&self.marker, sha)?;
        Ok(())
    }

    /// The paths `sha` adds or modifies against the commit checked out,
    /// after removing the ones it deletes; `None` when there is no usable
    /// checkout to update.
    fn at_before(&self, repo: &Repo, sha: &str) -> Option<Vec<String>> {
        let prev = self.at()?;
        if prev == sha {
            return Some(Vec::new());
        }
        let out = repo
            .git(&["diff", "--name-status", "--no-renames", "-z", &prev, sha])
            .ok()?;
        let mut fields = out.split('\0').filter(|f| !f.is_empty());
        let mut changed = Vec::new();
        while let (Some(status), Some(path)) = (fields.next(), fields.next()) {
            if status.starts_with('D') {
                let _ = std::fs::remove_file(self.dir.join(path));
            } else {
                changed.push(path.to_string());
            }
        }
        Some(changed)
    }
}

/// Git runs under the stop flag, in a process group of its own; a missing
/// git says so.
fn run(cmd: &mut Command) -> Result<std::process::Output, GitError> {
    crate::process::output(cmd, GIT_TIME_LIMIT).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => GitError::Missing(e),
        _ => GitError::Io(e),
    })
}

/// Longer than any git command here takes on a large repository.
const GIT_TIME_LIMIT: Duration = Duration::from_secs(600);

/// `git archive` of `sha` (only `paths` when given) unpacked into `dir`
/// with the time of unpacking as every file's modification time. The
/// archive is written beside `dir` first, so each program runs supervised.
fn extract(repo: &Repo, sha: &str, paths: &[String], dir: &Path) -> Result<(), GitError> {
    let parent = dir.parent().unwrap_or(dir);
    let archive = tempfile::Builder::new()
        .suffix(".tar")
        .tempfile_in(parent)?;
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(&repo.top)
        .args(["archive", "--format=tar", "-o"])
        .arg(archive.path())
        .args([sha, "--"])
        .args(paths);
    let failed = |out: std::process::Output| GitError::Failed {
        args: format!("archive {sha}"),
        message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    };
    let archived = run(&mut cmd)?;
    if !archived.status.success() {
        return Err(failed(archived));
    }
    let mut cmd = Command::new("tar");
    cmd.args(["-x", "-m", "-f"])
        .arg(archive.path())
        .arg("-C")
        .arg(dir);
    let unpacked = crate::process::output(&mut cmd, GIT_TIME_LIMIT)?;
    if !unpacked.status.success() {
        return Err(failed(unpacked));
    }
    Ok(())
}
