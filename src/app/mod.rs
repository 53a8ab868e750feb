//! The commands: each file takes its command's options and runs the
//! pipeline (locate → build → measure → analysis → report → export).

mod apply;
mod attribution;
mod bisect;
mod chains;
mod check;
mod diff;
mod gate;
mod history;
mod limits;
mod measure;
mod merge;
mod optimize;
mod ota;
mod panic_cost;
mod plan;
mod presets;
mod record;
mod records;
mod references;
mod run;
mod runtime;
mod session;
mod show;
mod top;
mod verify;
mod why;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => run::weigh(&cli.run.options()),
        Some(Command::Check(args)) => check::check(&args.options()),
        Some(Command::Optimize(args)) => optimize::optimize(&args.options()),
        Some(Command::Top(args)) => top::top(&args.options()),
        Some(Command::Why(args)) => why::why(&args.options()),
        Some(Command::Diff(args)) => diff::diff(&args.options()?),
        Some(Command::History(args)) => history::history(&args.options()),
        Some(Command::Bisect(args)) => bisect::bisect(&args.options()),
        Some(Command::Apply(args)) => apply::apply(&args.options()),
        Some(Command::Measure(args)) => measure::measure(&args.options()),
        Some(Command::Show(args)) => show::show(&args.options()),
        Some(Command::Merge(args)) => merge::merge(&args.options()),
        Some(Command::Record(args)) => record::record(&args.options()),
        Some(Command::Plan(args)) => plan::plan(&args.options()),
        Some(Command::Presets) => presets::presets(),
    }
}
