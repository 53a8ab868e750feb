//! `cargo weigh diff`: two reports, two binaries, or the project at another
//! git revision.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context};

use crate::attribute::{attribute_map, Options};
use crate::budget::Growth;
use crate::cli::DiffArgs;
use crate::diff::{compare_reports, Diff};
use crate::export::render_diff;
use crate::measure::{map_file, measure_bytes};
use crate::output::Sink;
use crate::report::read_report;
use crate::report::Report;
use crate::results::ConfigResult;

use super::{run_matrix, session};

pub fn diff(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let limit = args
        .fail_on_growth
        .as_deref()
        .map(|g| Growth::parse(g).map_err(|e| anyhow::anyhow!("--fail-on-growth: {e}")))
        .transpose()?;
    let sink = Sink::open(args.run.output.output.as_deref())?;
    let d = match (&args.git, args.inputs.as_slice()) {
        (Some(rev), []) => git_diff(rev, &args)?,
        (None, [a, b]) => {
            let (ra, rb) = (load(a)?, load(b)?);
            compare_reports(&ra, &rb, &a.display().to_string(), &b.display().to_string())
        }
        _ => bail!("diff takes two inputs (JSON reports or binaries), or --git REV and none\n  hint: cargo weigh diff old.json new.json"),
    };
    sink.finish(&render_diff(&d, args.run.output.format, args.limit)?)?;
    if let (Some(limit), Some((name, bytes, pct))) = (limit, d.worst_flash_growth()) {
        let over = match limit {
            Growth::Bytes(b) => bytes > b as i64,
            Growth::Percent(p) => pct > p,
        };
        if over {
            eprintln!(
                "flash grew: {name}: {bytes:+} B ({pct:+.2}%), more than --fail-on-growth {}",
                args.fail_on_growth.as_deref().unwrap_or("")
            );
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
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

/// Export REV into a temporary directory (git archive: the checkout and the
/// repository's worktree list stay untouched), build both, compare.
fn git_diff(rev: &str, args: &DiffArgs) -> anyhow::Result<Diff> {
    let located = session::locate(&args.run)?;
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
    let tar = tmp.path().join("src.tar");
    git(
        &top,
        &[
            "archive",
            "--format=tar",
            "-o",
            &tar.display().to_string(),
            &commit,
        ],
    )?;
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src)?;
    let st = Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(&src)
        .status()
        .context("cannot run tar")?;
    if !st.success() {
        bail!("cannot unpack the archive of {rev}");
    }
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
    let mut before = args.run.clone();
    before.manifest_path = Some(src.join(rel));
    before.attribute = true;
    // A target directory of its own per revision: cargo hashes a workspace's
    // own package by its path relative to the workspace root, so two
    // checkouts of one project would overwrite each other's binaries.
    let root_dir = args
        .run
        .target_dir
        .clone()
        .unwrap_or(located.project.target_directory.clone());
    before.target_dir = Some(
        root_dir
            .join("weigh")
            .join(format!("git-{}", &commit[..commit.len().min(12)])),
    );
    before.output.output = None;
    let mut after = args.run.clone();
    after.attribute = true;
    after.output.output = None;
    eprintln!(
        "diff --git: building {rev} ({})",
        &commit[..commit.len().min(12)]
    );
    let (ra, _) = run_matrix(&before, false)?;
    eprintln!("diff --git: building the working tree");
    let (rb, _) = run_matrix(&after, false)?;
    Ok(compare_reports(&ra, &rb, rev, "working tree"))
}
