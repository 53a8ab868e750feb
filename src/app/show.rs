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
    let sink = sink.or_page(out.format, || args.reports[0].with_extension("html"))?;
    sink.write(&crate::export::render(&report, out)?)?;
    Ok(ExitCode::SUCCESS)
}
