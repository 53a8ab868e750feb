//! `cargo weigh show`: a saved report, derived again and rendered.

use std::process::ExitCode;

use crate::options::ReportsOptions;
use crate::report::read_report;
use crate::sink::Sink;

pub fn show(args: &ReportsOptions) -> anyhow::Result<ExitCode> {
    let out = &args.output;
    let sink = Sink::open(out.output.as_deref())?;
    let mut report = read_report(&args.reports[0])?;
    crate::analysis::rederive(&mut report, None, None);
    if let Some(path) = sink.finish(&crate::export::render(&report, out)?)? {
        eprintln!("report written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
