//! `cargo weigh diff`: two reports, two binaries, two configurations of one
//! report, or the project at another git revision.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context};

use super::run::run_matrix;
use crate::attribute::{attribute_map, Options};
use crate::compare::{compare_configs, compare_reports, Diff};
use crate::export::render_diff;
use crate::measure::{map_file, measure_bytes};
use crate::options::{DiffInputs, DiffOptions, RunOptions};
use crate::report::{read_report, Report};
use crate::results::ConfigResult;
use crate::sink::Sink;

pub fn diff(args: &DiffOptions) -> anyhow::Result<ExitCode> {
    let sink = Sink::open(args.output.output.as_deref())?;
    let mut d = match &args.inputs {
        DiffInputs::Git { rev, run } => git_diff(rev, run)?,
        DiffInputs::Within { report, from, to } => within(report, from, to)?,
        DiffInputs::Files(a, b) => {
            let (ra, rb) = (load(a)?, load(b)?);
            compare_reports(&ra, &rb, &a.display().to_string(), &b.display().to_string())
        }
    };
    d.hide_small(args.min_change);
    let sink = sink.or_page(args.output.format, || "weigh-diff.html".into())?;
    sink.write(&render_diff(&d, args.output.format, args.limit)?)?;
    let Some(limit) = args.fail_on_growth else {
        return Ok(ExitCode::SUCCESS);
    };
    for c in &d.configs {
        let Some(f) = c.totals.iter().find(|t| t.name == "flash") else {
            continue;
        };
        let (Some(old), Some(new)) = (f.before, f.after) else {
            continue;
        };
        if let Some((grew, pct)) = limit.exceeded(old, new) {
            eprintln!(
                "flash grew: {}: {grew:+} B ({pct:+.2}%), more than --fail-on-growth {}",
                c.name,
                limit.describe()
            );
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Two configurations of one saved report.
fn within(path: &Path, from: &str, to: &str) -> anyhow::Result<Diff> {
    let report = read_report(path)?;
    let find = |name: &str| report.config_named(name, path).map_err(anyhow::Error::msg);
    let mut c = compare_configs(find(from)?, find(to)?);
    c.name = format!("{from} → {to}");
    Ok(Diff {
        before: from.to_string(),
        after: to.to_string(),
        configs: vec![c],
        chains: Vec::new(),
        notes: Vec::new(),
    })
}

/// A saved report, or a binary measured and attributed here (runs nothing).
fn load(path: &Path) -> anyhow::Result<Report> {
    let map = map_file(path)?;
    if map.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Ok(read_report(path)?);
    }
    let m = measure_bytes(&map).map_err(|e| e.at(path))?;
    let mut row = ConfigResult::for_file("binary".into(), path.to_path_buf(), m);
    row.attribution = attribute_map(&map, &Options::default()).ok();
    let mut r = Report::new(vec![row]);
    crate::analysis::derive(&mut r, &crate::analysis::Inputs::default());
    Ok(r)
}

fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The tree of `commit` exported into `dir/src` with `git archive`: the
/// checkout and the repository's worktree list stay untouched.
fn export_tree(top: &Path, commit: &str, dir: &Path) -> anyhow::Result<PathBuf> {
    let tar = dir.join("src.tar");
    git(
        top,
        &[
            "archive",
            "--format=tar",
            "-o",
            &tar.display().to_string(),
            commit,
        ],
    )?;
    let src = dir.join("src");
    std::fs::create_dir_all(&src)?;
    let st = Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(&src)
        .status()
        .context("cannot run tar")?;
    if !st.success() {
        bail!("cannot unpack the archive of {commit}");
    }
    Ok(src)
}

/// Build the matrix at REV and in the working tree, attributed, and compare.
fn git_diff(rev: &str, after: &RunOptions) -> anyhow::Result<Diff> {
    let located = super::session::locate(&after.project, &after.compile)?;
    let root = located.project.workspace_root.clone();
    let top = PathBuf::from(
        git(&root, &["rev-parse", "--show-toplevel"])
            .context("--git needs the project in a git repository")?,
    );
    let commit = git(
        &top,
        &["rev-parse", "--verify", &format!("{rev}^{{commit}}")],
    )
    .with_context(|| format!("--git: `{rev}` is not a commit of {}", top.display()))?;
    let tmp = tempfile::tempdir().context("cannot create a temporary directory")?;
    let src = export_tree(&top, &commit, tmp.path())?;
    let rel = located
        .project
        .manifest_path
        .strip_prefix(&top)
        .with_context(|| {
            format!(
                "{} is not inside {}",
                located.project.manifest_path.display(),
                top.display()
            )
        })?;
    let mut before = after.clone();
    before.project.manifest_path = Some(src.join(rel));
    // A target directory of its own per revision: cargo hashes a workspace's
    // own package by its path relative to the workspace root, so two
    // checkouts of one project would overwrite each other's binaries.
    let root_dir = after
        .compile
        .target_dir
        .clone()
        .unwrap_or(located.project.target_directory.clone());
    before.compile.target_dir = Some(
        root_dir
            .join("weigh")
            .join(format!("git-{}", &commit[..commit.len().min(12)])),
    );
    eprintln!(
        "diff --git: building {rev} ({})",
        &commit[..commit.len().min(12)]
    );
    let (ra, _) = run_matrix(&before, None)?;
    eprintln!("diff --git: building the working tree");
    let (rb, _) = run_matrix(after, None)?;
    let mut d = compare_reports(&ra, &rb, rev, "working tree");
    super::chains::add_chains(
        &mut d,
        &located.project.manifest_path,
        &after.project,
        rb.target.as_deref(),
    );
    Ok(d)
}
