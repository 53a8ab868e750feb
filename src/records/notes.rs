//! Records in git notes under their own ref: they travel with `git push`
//! and `git fetch` of that ref, and two machines' notes merge line by line
//! (`git notes merge -s cat_sort_uniq`), never in conflict.

use std::path::Path;

use crate::history::{GitError, Repo};

pub const NOTES_REF: &str = "refs/notes/cargo-weigh";
/// Where `fetch` puts the remote's notes before merging them.
const FETCHED_REF: &str = "refs/notes/cargo-weigh-fetched";

fn repo(path: &Path) -> Repo {
    Repo {
        top: path.to_path_buf(),
    }
}

/// Git with an identity for the notes commits when the user has none
/// configured (a CI runner): the notes ref is a branch of commits.
fn git_writing(r: &Repo, args: &[&str]) -> Result<String, GitError> {
    if r.git(&["config", "user.email"]).is_ok() {
        return r.git(args);
    }
    let mut all = vec![
        "-c",
        "user.name=cargo-weigh",
        "-c",
        "user.email=cargo-weigh@localhost",
    ];
    all.extend_from_slice(args);
    r.git(&all)
}

/// The note of `commit` (empty when it has none).
pub fn show(path: &Path, commit: &str) -> Result<String, GitError> {
    let r = repo(path);
    if r.git(&["rev-parse", "--verify", "--quiet", NOTES_REF])
        .is_err()
    {
        return Ok(String::new());
    }
    match r.git(&["notes", "--ref", NOTES_REF, "show", commit]) {
        Ok(t) => Ok(t),
        Err(GitError::Failed { message, .. }) if message.contains("no note found") => {
            Ok(String::new())
        }
        Err(e) => Err(e),
    }
}

/// Replace the note of `commit` with `text`.
pub fn write(path: &Path, commit: &str, text: &str) -> Result<(), GitError> {
    let r = repo(path);
    let file = tempfile::NamedTempFile::new()?;
    std::fs::write(file.path(), text)?;
    let from = file.path().to_string_lossy().into_owned();
    git_writing(
        &r,
        &[
            "notes", "--ref", NOTES_REF, "add", "-f", "-F", &from, commit,
        ],
    )?;
    Ok(())
}

/// Commits that have a note.
pub fn annotated(path: &Path) -> Result<Vec<String>, GitError> {
    let r = repo(path);
    if r.git(&["rev-parse", "--verify", "--quiet", NOTES_REF])
        .is_err()
    {
        return Ok(Vec::new());
    }
    let list = r.git(&["notes", "--ref", NOTES_REF, "list"])?;
    Ok(list
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1).map(String::from))
        .collect())
}

/// Fetch `remote`'s records and join them with ours; how many commits
/// have records afterwards (`None`: the remote has none yet).
pub fn fetch(path: &Path, remote: &str) -> Result<Option<usize>, GitError> {
    let r = repo(path);
    let spec = format!("+{NOTES_REF}:{FETCHED_REF}");
    match r.git(&["fetch", "--quiet", remote, &spec]) {
        Ok(_) => {}
        Err(GitError::Failed { message, .. }) if message.contains("couldn't find remote ref") => {
            return Ok(None)
        }
        Err(e) => return Err(e),
    }
    if r.git(&["rev-parse", "--verify", "--quiet", NOTES_REF])
        .is_ok()
    {
        git_writing(
            &r,
            &[
                "notes",
                "--ref",
                NOTES_REF,
                "merge",
                "--quiet",
                "-s",
                "cat_sort_uniq",
                FETCHED_REF,
            ],
        )?;
    } else {
        r.git(&["update-ref", NOTES_REF, FETCHED_REF])?;
    }
    r.git(&["update-ref", "-d", FETCHED_REF])?;
    Ok(Some(annotated(path)?.len()))
}

fn rejected(e: &GitError) -> bool {
    matches!(e, GitError::Failed { message, .. }
        if ["rejected", "non-fast-forward", "fetch first"].iter().any(|w| message.contains(w)))
}

/// Push our records to `remote`, first joining theirs when they moved on
/// (another machine pushed meanwhile); how many commits have records.
pub fn push(path: &Path, remote: &str) -> Result<usize, GitError> {
    let r = repo(path);
    if r.git(&["rev-parse", "--verify", "--quiet", NOTES_REF])
        .is_err()
    {
        return Ok(0);
    }
    let spec = format!("{NOTES_REF}:{NOTES_REF}");
    let mut last = None;
    for _ in 0..3 {
        match r.git(&["push", "--quiet", remote, &spec]) {
            Ok(_) => return Ok(annotated(path)?.len()),
            // Another machine pushed meanwhile: join theirs, push again.
            Err(e @ GitError::Failed { .. }) if rejected(&e) => {
                last = Some(e);
                fetch(path, remote)?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.expect("a push was tried"))
}
