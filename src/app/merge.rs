//! `--shard K/N` and `cargo weigh merge`: one matrix split across CI jobs.

use std::process::ExitCode;

use anyhow::bail;

use crate::report::read_report;
use crate::report::Report;
use crate::sink::Sink;

/// Join shard reports: same schema, toolchain, target, project and sources.
pub(super) fn merge(args: &crate::options::ReportsOptions) -> anyhow::Result<ExitCode> {
    let sink = Sink::open(args.output.output.as_deref())?;
    if is_history(&args.reports[0]) {
        return super::history::merge_histories(&args.reports, sink, args.output.format);
    }
    let mut reports = Vec::new();
    for p in &args.reports {
        reports.push((p, read_report(p)?));
    }
    let (first_path, first) = &reports[0];
    let key = |r: &Report| {
        (
            r.toolchain.as_ref().map(|t| t.rustc_version.clone()),
            r.target.clone(),
            r.project
                .as_ref()
                .map(|p| (p.package.clone(), p.binary.clone(), p.features.clone())),
            r.sources.clone(),
        )
    };
    for (p, r) in &reports[1..] {
        let (a, b) = (key(first), key(r));
        let what = if a.0 != b.0 {
            "toolchain"
        } else if a.1 != b.1 {
            "target"
        } else if a.2 != b.2 {
            "project"
        } else if a.3 != b.3 {
            "sources"
        } else {
            continue;
        };
        bail!(
            "cannot merge `{}` with `{}`: they were built from different {what}s\n  hint: merge shards of one run only (same commit, toolchain and target)",
            p.display(),
            first_path.display()
        );
    }
    let mut merged = first.clone();
    merged.configs.clear();
    if let Some(m) = merged.matrix.as_mut() {
        m.shard = None;
    }
    merged.complete = reports.iter().all(|(_, r)| r.complete);
    for (p, r) in &reports {
        for c in &r.configs {
            if merged
                .configs
                .iter()
                .any(|m| m.config.name == c.config.name)
            {
                bail!("configuration `{}` is in more than one report (again in `{}`)\n  hint: each shard must be a different K of the same N", c.config.name, p.display());
            }
            merged.configs.push(c.clone());
        }
    }
    merged
        .configs
        .sort_by_key(|c| c.matrix_index.unwrap_or(usize::MAX));
    let baseline = args
        .baseline
        .clone()
        .or_else(|| merged.configs.first().map(|c| c.config.name.clone()));
    let model = merged.cost.clone();
    crate::analysis::derive(
        &mut merged,
        &crate::analysis::Inputs {
            baseline: baseline.as_deref(),
            cost: model.as_ref(),
            ..Default::default()
        },
    );
    let sink = sink.or_page(args.output.format, || "weigh-merged.html".into())?;
    sink.write(&crate::export::render(&merged, &args.output)?)?;
    Ok(ExitCode::SUCCESS)
}

/// A history's JSON has `points` where a report has `configs`.
fn is_history(path: &std::path::Path) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|v| v.get("points").is_some())
}
