//! `cargo weigh record push|fetch|show|import`: the size records of a
//! repository's commits, shared through its remote as git notes.

use std::process::ExitCode;

use anyhow::Context;

use crate::history::{short, Repo};
use crate::options::RecordAction;
use crate::records::{self, find, Found, Store, NOTES_REF};

pub fn record(action: &RecordAction) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let repo = Repo::containing(&cwd).with_context(|| {
        format!(
            "{} is not in a git repository\n  hint: size records are notes of a repository's commits; run this inside it",
            cwd.display()
        )
    })?;
    match action {
        RecordAction::Push(remote) => {
            let n = records::push(&repo.top, remote)
                .map_err(|e| unreachable_remote("push the size records to", remote, e))?;
            if n == 0 {
                eprintln!("no size records here to push\n  hint: `cargo weigh history RANGE --record` records what it measures");
            } else {
                eprintln!("{remote} has the size records of {n} commit(s) ({NOTES_REF})");
            }
        }
        RecordAction::Fetch(remote) => match records::fetch(&repo.top, remote)
            .map_err(|e| unreachable_remote("fetch the size records from", remote, e))?
        {
            None => eprintln!("{remote} has no size records yet ({NOTES_REF})"),
            Some(n) => eprintln!("size records of {n} commit(s) here after fetching {remote}"),
        },
        RecordAction::Show { rev, dir } => return show(&repo, rev, dir.as_deref()),
        RecordAction::Import(dirs) => {
            let notes = Store::Notes(repo.top.clone());
            let (mut commits, mut added) = (0, 0);
            for dir in dirs {
                let from = Store::Dir(dir.clone());
                for commit in from.commits()? {
                    added += notes.add(&commit, &from.load(&commit)?)?;
                    commits += 1;
                }
            }
            eprintln!("imported {added} new record(s) of {commits} commit(s) into {NOTES_REF}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn unreachable_remote(what: &str, remote: &str, e: crate::history::GitError) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot {what} `{remote}`: {e}\n  hint: name a remote `git remote -v` lists (default origin); pushing needs write access to it"
    )
}

/// A commit's records, one JSON line each on stdout; exit 1 when records
/// of one key disagree.
fn show(repo: &Repo, rev: &str, dir: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let commit = repo.commit(rev)?;
    let store = match dir {
        Some(d) => Store::Dir(d.to_path_buf()),
        None => Store::Notes(repo.top.clone()),
    };
    let all = store.load(&commit.sha)?;
    let mut keys: Vec<&str> = all.iter().map(|r| r.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut disagree = 0;
    for r in &all {
        println!("{}", serde_json::to_string(r)?);
    }
    for key in keys {
        if let Found::Disagree(rs) = find(&all, key) {
            disagree += 1;
            let names: Vec<String> = rs
                .iter()
                .map(|r| {
                    let flash = r.row.size.as_ref().map(|m| m.flash_bytes);
                    format!(
                        "{} (flash {:?}, by {})",
                        r.row.config.name, flash, r.measured_by
                    )
                })
                .collect();
            eprintln!(
                "records of {} disagree for key {}: {}",
                short(&commit.sha),
                &key[..12],
                names.join(" vs ")
            );
        }
    }
    eprintln!(
        "{} record(s) of {} {}",
        all.len(),
        short(&commit.sha),
        commit.summary
    );
    Ok(if disagree > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
