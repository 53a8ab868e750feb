//! `cargo weigh optimize`: the search, wired to real builds.

use std::process::ExitCode;

use crate::ablation::Objective;
use crate::cli::OptimizeArgs;
use crate::export::exporter;
use crate::matrix::{BaseProfile, Config, Settings};
use crate::optimize::{axes, Search, SearchSpace, Step};
use crate::output::Sink;

use super::{session, sizes};

fn human(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else {
        format!("{:.2} KiB", bytes as f64 / 1024.0)
    }
}

pub fn optimize(args: OptimizeArgs) -> anyhow::Result<ExitCode> {
    let run_args = &args.run;
    let (flash, ram) = sizes(&run_args.output)?;
    let sink = Sink::open(run_args.output.output.as_deref())?;
    let located = session::locate(run_args)?;
    let s = session::Session::open(run_args, located, false, flash, ram)?;
    let objective = Objective::for_target(&s.env.target);
    let space = SearchSpace {
        keep_unwind: args.keep_unwind,
        nightly: !args.stable_only && s.env.toolchain.has_rust_src,
    };
    let mut skipped = vec!["strip and debug are not searched: they change the file on disk, never the flash or the stripped size".to_string()];
    if !space.nightly {
        skipped.push(if args.stable_only {
            "nightly-only options skipped (--stable-only)".into()
        } else {
            format!(
                "nightly-only options (panic=immediate-abort, -Zlocation-detail=none, -Zfmt-debug=none, optimize_for_size) skipped: {} has no rust-src to build core with; to search them: `rustup component add rust-src`",
                s.env.toolchain.rustc.display()
            )
        });
    }
    let Some(_lock) = s.lock(run_args.quiet)? else {
        return Ok(ExitCode::from(130));
    };
    let builder = s.builder(run_args);
    let what = match objective {
        Objective::Flash => "flash",
        Objective::Stripped => "stripped size",
    };
    eprintln!(
        "optimize: minimising {what} of {} for {}",
        s.env.project.binary, s.env.target
    );
    let mut evaluate = |c: &Config| builder.build(c);
    let mut on_step = |step: &Step| {
        eprintln!(
            "  step: {} → {}: {what} {} → {} ({:+} B)   [{}]",
            step.axis,
            step.to,
            human(step.before),
            human(step.after),
            step.after as i64 - step.before as i64,
            step.config
        );
    };
    let mut search = Search {
        objective,
        max_builds: args.max_builds,
        max_build_seconds: args.max_build_time,
        evaluate: &mut evaluate,
        on_step: &mut on_step,
    };
    let start = Config::new("release", BaseProfile::Release, Settings::default());
    let (results, mut summary, complete) = search.run(start, &axes(space));
    s.restore_lockfile();
    summary.notes.extend(skipped);
    eprintln!(
        "optimize: best {} after {} builds; {}",
        summary.best,
        summary.builds,
        summary.notes.first().cloned().unwrap_or_default()
    );
    let mut report = s.report(results, complete, "optimize".into());
    report.finalize(Some(&summary.start));
    report.optimize = Some(summary);
    sink.finish(&exporter(run_args.output.format).render(&report)?)?;
    Ok(if !complete {
        ExitCode::from(130)
    } else {
        ExitCode::SUCCESS
    })
}
