//! `cargo weigh diff`: two reports, two binaries, two configurations of one
//! report, or the project at another git revision.

use std::path::Path;
use std::process::ExitCode;

use super::history::Walk;
use super::run::run_matrix;
use crate::attribute::{attribute_map, Options};
use crate::compare::{compare_configs, compare_reports, Diff};
use crate::export::render_diff;
use crate::history::short;
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
    row.checks.attribution = attribute_map(&map, &Options::default()).ok();
    let mut r = Report::new(vec![row]);
    crate::analysis::derive(&mut r, &crate::analysis::Inputs::default());
    Ok(r)
}

/// Build the matrix at REV in history's checkout (its target directory too,
/// so a commit `history` or an earlier diff built is not built again) and
/// in the working tree, attributed, and compare.
fn git_diff(rev: &str, after: &RunOptions) -> anyhow::Result<Diff> {
    let mut walk = Walk::open(after)?;
    let commit = walk.commit(rev)?;
    eprintln!("diff --git: {rev} is {}", short(&commit.sha));
    let ra = walk.measure(&commit).map_err(anyhow::Error::msg)?;
    if !ra.configs.is_empty() && ra.configs.iter().all(|c| c.from_record) {
        eprintln!("diff --git: {rev} from its size records: nothing built for it");
    }
    eprintln!("diff --git: building the working tree");
    let (rb, _) = run_matrix(after, None)?;
    let mut d = compare_reports(&ra, &rb, rev, "working tree");
    super::chains::add_chains(
        &mut d,
        &walk.manifest_in_tree(),
        &after.project,
        rb.target.as_deref(),
    );
    Ok(d)
}
