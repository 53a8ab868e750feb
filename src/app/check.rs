//! `cargo weigh check`: the matrix run (or a saved report) as a CI gate.

use std::process::ExitCode;

use super::run::{budget, finish, run_matrix};
use crate::analysis::{self, Inputs};
use crate::options::CheckOptions;
use crate::report::read_report;
use crate::sink::Sink;

pub fn check(args: &CheckOptions) -> anyhow::Result<ExitCode> {
    let opts = &args.run;
    let sink = Sink::open(opts.output.output.as_deref())?;
    let (report, page) = match &args.report {
        Some(path) => {
            let mut report = read_report(path)?;
            let a = &opts.analysis;
            analysis::rederive(&mut report, a.flash_size, a.ram_size);
            let growth = a
                .budget
                .baseline_report
                .as_deref()
                .map(read_report)
                .transpose()?;
            let budget = budget(&a.budget, true, &report)?;
            let baseline = report.baseline.clone();
            let inputs = Inputs {
                baseline: baseline.as_deref(),
                budget: Some(budget),
                growth_baseline: growth.as_ref().map(|r| r.configs.as_slice()),
                ..Inputs::default()
            };
            analysis::derive(&mut report, &inputs);
            (report, path.with_extension("html"))
        }
        None => {
            let (report, weigh_dir) = run_matrix(opts, true)?;
            (report, weigh_dir.join("report.html"))
        }
    };
    let sink = sink.or_page(opts.output.format, || page)?;
    finish(report, sink, &opts.output)
}
