//! `cargo weigh show`: a saved report, derived again and rendered.

use std::process::ExitCode;

use crate::cli::ShowArgs;
use crate::output::Sink;
use crate::report::read_report;

pub fn show(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let out = args.output.options();
    let sink = Sink::open(out.output.as_deref())?;
    let mut report = read_report(&args.report)?;
    crate::analysis::rederive(&mut report, None, None);
    if let Some(path) = sink.finish(&crate::export::render(&report, &out)?)? {
        eprintln!("report written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
