//! `cargo weigh check`: the project's own profile (or what `--only`,
//! `--preset`, `--matrix-file`, `--all` name) built, or a saved report
//! read, as a CI gate.

use std::process::ExitCode;

use anyhow::bail;

use super::limits::budget;
use super::run::{finish, run_matrix};
use crate::analysis::{self, Inputs};
use crate::options::{CheckOptions, RunOptions};
use crate::report::{read_report, Report};
use crate::sink::Sink;

/// The configuration a project ships when nobody says otherwise: its
/// release profile as it is.
const OWN_PROFILE: &str = "release";

/// Whether the configurations to gate were named (else: the own profile).
fn named(args: &CheckOptions) -> bool {
    let m = &args.run.matrix;
    args.all || !m.only.is_empty() || m.preset.is_some() || m.matrix_file.is_some()
}

/// The run that builds what is gated: by default what the project ships,
/// the configuration `apply` last wrote into a profile of its own, else
/// the release profile as it is.
fn own_run(args: &CheckOptions) -> anyhow::Result<RunOptions> {
    let mut run = args.run.clone();
    if named(args) {
        return Ok(run);
    }
    let located = super::session::locate(&run.project, &run.compile)?;
    let weigh_dir = super::session::target_root(&located, &run.compile).join("weigh");
    let record = crate::matrix::applied::path(&weigh_dir);
    match crate::matrix::applied::load(&record).filter(|a| a.profile != OWN_PROFILE) {
        Some(_) => run.matrix.applied = Some(record),
        None => {
            run.matrix.preset = Some("standard".into());
            run.matrix.only = vec![OWN_PROFILE.into()];
        }
    }
    Ok(run)
}

/// Of a saved report: the configurations gated (empty: all).
fn gated_in(report: &Report, args: &CheckOptions) -> anyhow::Result<Vec<String>> {
    let names: Vec<&str> = report.configs.iter().map(|c| c.name()).collect();
    let wanted: Vec<String> = if args.all {
        return Ok(Vec::new());
    } else if args.run.matrix.only.is_empty() {
        vec![OWN_PROFILE.into()]
    } else {
        args.run.matrix.only.clone()
    };
    for w in &wanted {
        if !names.contains(&w.as_str()) {
            bail!(
                "check: the report has no configuration `{w}`{}; it has: {}\n  hint: gate one of those with --only NAME, or all of them with --all",
                if args.run.matrix.only.is_empty() { " (the project's own profile, gated by default)" } else { "" },
                names.join(", ")
            );
        }
    }
    Ok(wanted)
}

pub fn check(args: &CheckOptions) -> anyhow::Result<ExitCode> {
    let opts = &args.run;
    let sink = Sink::open(opts.output.output.as_deref())?;
    let (report, page) = match &args.report {
        Some(path) => {
            let mut report = read_report(path)?;
            let a = &opts.analysis;
            analysis::rederive(&mut report, a.flash_size, a.ram_size);
            let growth_from = a.budget.baseline_report.as_deref();
            let growth = growth_from.map(read_report).transpose()?;
            let gated = gated_in(&report, args)?;
            let rows = growth.as_ref().map(|r| r.configs.as_slice());
            let budget = budget(&a.budget, Some(&gated), &report, rows.zip(growth_from))?;
            let baseline = report.baseline.clone();
            let inputs = Inputs {
                baseline: baseline.as_deref(),
                budget: Some(budget),
                growth_baseline: rows,
                ..Inputs::default()
            };
            analysis::derive(&mut report, &inputs);
            (report, path.with_extension("html"))
        }
        None => {
            let (report, weigh_dir) = run_matrix(&own_run(args)?, Some(&[]))?;
            (report, weigh_dir.join("report.html"))
        }
    };
    let sink = sink.or_page(opts.output.format, || page)?;
    finish(report, sink, &opts.output)
}
