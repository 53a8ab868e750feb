//! `cargo weigh history` and `bisect`: the project measured at commits of
//! a git range, each built in one checkout outside the user's work tree
//! that follows the commits, with one target directory, so each commit
//! costs an incremental build and a re-run costs nothing (result cache).

use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use anyhow::Context;

use super::run::run_matrix;
use crate::history::{commits, short, Checkout, Commit, History, Point, Repo};
use crate::options::{HistoryOptions, RunOptions};
use crate::report::Report;
use crate::sink::Sink;

/// The repository, the checkout that follows the commits and where the
/// project sits in it.
pub(super) struct Walk {
    pub repo: Repo,
    checkout: Checkout,
    manifest: PathBuf,
    target_dir: PathBuf,
    run: RunOptions,
}

impl Walk {
    pub fn open(run: &RunOptions) -> anyhow::Result<Walk> {
        let located = super::session::locate(&run.project, &run.compile)?;
        let repo = Repo::containing(&located.project.workspace_root).with_context(|| {
            format!(
                "{} is not in a git repository\n  hint: history, bisect and diff --git build the project's commits; run them inside its repository",
                located.project.manifest_path.display()
            )
        })?;
        let manifest = located
            .project
            .manifest_path
            .strip_prefix(&repo.top)
            .context("the project's manifest is outside its repository")?
            .to_path_buf();
        let target_root = run
            .compile
            .target_dir
            .clone()
            .unwrap_or(located.project.target_directory.clone());
        // Outside any directory with a Cargo.toml above it (cargo would
        // take that for the workspace), one per repository and target dir,
        // in a directory only this user can write to.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&repo.top, &target_root).hash(&mut h);
        let dir = crate::history::private_dir()?
            .join(format!("history-{:016x}", h.finish()))
            .join("tree");
        Ok(Walk {
            repo,
            checkout: Checkout::new(dir),
            manifest,
            target_dir: target_root.join("weigh").join("history"),
            run: run.clone(),
        })
    }

    /// The commit `rev` names.
    pub fn commit(&self, rev: &str) -> anyhow::Result<Commit> {
        Ok(self.repo.commit(rev)?)
    }

    /// The project's manifest in the user's work tree.
    pub fn manifest_in_tree(&self) -> PathBuf {
        self.repo.top.join(&self.manifest)
    }

    /// The project's manifest in the checkout, switched to `commit`.
    pub fn manifest_at(&mut self, commit: &Commit) -> Result<PathBuf, String> {
        self.checkout
            .switch(&self.repo, &commit.sha)
            .map_err(|e| e.to_string())?;
        Ok(self.checkout.dir.join(&self.manifest))
    }

    pub fn project(&self) -> &crate::options::ProjectOptions {
        &self.run.project
    }

    /// The checkout switched to `commit` and the options that build it
    /// there (its size records named).
    pub fn at(&mut self, commit: &Commit) -> Result<RunOptions, String> {
        self.checkout
            .switch(&self.repo, &commit.sha)
            .map_err(|e| e.to_string())?;
        let mut run = self.run.clone();
        run.records.at = Some((self.repo.top.clone(), commit.sha.clone()));
        run.project.manifest_path = Some(self.checkout.dir.join(&self.manifest));
        run.compile.target_dir = Some(self.target_dir.clone());
        Ok(run)
    }

    /// Build and measure the matrix at `commit`.
    pub fn measure(&mut self, commit: &Commit) -> Result<Report, String> {
        let run = self.at(commit)?;
        run_matrix(&run, None)
            .map(|(r, _)| r)
            .map_err(|e| format!("{e:#}"))
    }
}

pub fn point(index: usize, commit: &Commit, measured: &Result<Report, String>) -> Point {
    let (configs, error) = match measured {
        Ok(r) => (r.configs.clone(), None),
        Err(e) => (Vec::new(), Some(e.clone())),
    };
    Point {
        from_records: !configs.is_empty() && configs.iter().all(|c| c.from_record),
        commit: commit.sha.clone(),
        index,
        summary: commit.summary.clone(),
        date: commit.date.clone(),
        error,
        configs,
    }
}

pub fn history(opts: &HistoryOptions) -> anyhow::Result<ExitCode> {
    let sink = Sink::open(opts.run.output.output.as_deref())?;
    let mut walk = Walk::open(&opts.run)?;
    let all = commits(&walk.repo, &opts.range, false)?;
    if all.is_empty() {
        anyhow::bail!(
            "no commits in `{}`\n  hint: A..B lists the commits after A up to B; to include A, start from its parent (A~1..B)",
            opts.range
        );
    }
    let mine: Vec<(usize, &Commit)> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| opts.shard.is_none_or(|s| i % s.n == s.k - 1))
        .collect();
    let mut h = History {
        schema_version: crate::report::SCHEMA_VERSION,
        range: opts.range.clone(),
        project: String::new(),
        target: None,
        shard: opts.shard.map(|s| format!("{}/{}", s.k, s.n)),
        points: Vec::new(),
        notes: Vec::new(),
    };
    for (i, &(index, c)) in mine.iter().enumerate() {
        if crate::stop_flag().load(Ordering::Relaxed) {
            h.notes.push(format!(
                "interrupted: {} of {} commits measured",
                i,
                mine.len()
            ));
            break;
        }
        if !opts.run.output.quiet {
            eprintln!(
                "history: [{}/{}] {} {}",
                i + 1,
                mine.len(),
                short(&c.sha),
                c.summary
            );
        }
        let measured = walk.measure(c);
        if let Ok(r) = &measured {
            h.target = r.target.clone().or(h.target.take());
            if let Some(p) = &r.project {
                h.project = p.package.clone();
            }
        }
        if let Err(e) = &measured {
            eprintln!("history: {} not measured: {}", short(&c.sha), first_line(e));
        }
        let p = point(index, c, &measured);
        if p.from_records && !opts.run.output.quiet {
            eprintln!(
                "history: {} from its size records: nothing built",
                short(&c.sha)
            );
        }
        h.points.push(p);
    }
    let recorded = h.points.iter().filter(|p| p.from_records).count();
    if recorded > 0 {
        h.notes.push(format!(
            "{recorded} of {} commits from size records (measured before, here or elsewhere): nothing built for them",
            h.points.len()
        ));
    }
    let sink = sink.or_page(opts.run.output.format, || "weigh-history.html".into())?;
    sink.write(&crate::export::render_history(&h, opts.run.output.format)?)?;
    Ok(ExitCode::SUCCESS)
}

pub fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Join the histories of shards (`history --shard K/N`) into one.
pub fn merge_histories(
    paths: &[PathBuf],
    sink: Sink,
    format: crate::options::Format,
) -> anyhow::Result<ExitCode> {
    let mut parts = Vec::new();
    for p in paths {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
        let h: History = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a cargo weigh history", p.display()))?;
        parts.push((p, h));
    }
    let (first_path, first) = &parts[0];
    let mut merged = first.clone();
    merged.shard = None;
    merged.points.clear();
    for (p, h) in &parts {
        if h.range != first.range || h.target != first.target {
            anyhow::bail!(
                "cannot merge `{}` with `{}`: they are histories of different ranges or targets\n  hint: merge the shards of one `history RANGE --shard K/N` run",
                p.display(),
                first_path.display()
            );
        }
        for pt in &h.points {
            if merged.points.iter().any(|m| m.commit == pt.commit) {
                anyhow::bail!("commit {} is in more than one history (again in `{}`)\n  hint: each shard must be a different K of the same N", short(&pt.commit), p.display());
            }
            merged.points.push(pt.clone());
        }
        merged.notes.extend(h.notes.iter().cloned());
    }
    merged.points.sort_by_key(|p| p.index);
    sink.write(&crate::export::render_history(&merged, format)?)?;
    Ok(ExitCode::SUCCESS)
}
