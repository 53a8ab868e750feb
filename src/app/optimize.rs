//! `cargo weigh optimize`: the search, wired to real builds. Each batch the
//! search asks for is built like a matrix (families, several at a time,
//! the result cache); the report is saved where `apply` finds it.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::OptimizeArgs;
use crate::export;
use crate::matrix::{BaseProfile, Config, Settings};
use crate::optimize::{Search, SearchSpace, Step};
use crate::options::Format;
use crate::output::Sink;
use crate::results::Objective;
use crate::units::human;

use super::session;

/// The command that applies the best configuration, as it can be run.
fn apply_command(best: &str, report: &Path, manifest: Option<&Path>) -> String {
    let q = |s: &str| shlex::try_quote(s).map_or_else(|_| s.to_string(), |q| q.into_owned());
    let mut cmd = format!(
        "cargo weigh apply {} --report {}",
        q(best),
        q(&report.display().to_string())
    );
    if let Some(m) = manifest {
        cmd.push_str(&format!(" --manifest-path {}", q(&m.display().to_string())));
    }
    cmd
}

pub fn optimize(args: &OptimizeArgs) -> anyhow::Result<ExitCode> {
    let out = args.output.options();
    let sink = Sink::open(out.output.as_deref())?;
    let project = args
        .package
        .project(&args.features, args.compile.target.as_ref());
    let compile = args.compile.options(&args.output);
    let located = session::locate(&project, &compile)?;
    let s = session::Session::open(located, &project, &compile, false)?;
    let objective = Objective::for_target(&s.env.target);
    let space = SearchSpace {
        keep_unwind: args.keep_unwind,
        nightly: !args.stable_only && s.env.toolchain.has_rust_src,
        effective: crate::project::profile::effective(
            &s.env.project.workspace_root,
            &s.cargo_config,
            BaseProfile::Release,
        ),
        target_aborts: s.env.toolchain.target_always_aborts(&s.cfgs),
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
    let Some(_lock) = s.lock(out.quiet)? else {
        return Ok(ExitCode::from(130));
    };
    let builder = s.runner(out.quiet);
    let what = match objective {
        Objective::Flash => "flash",
        Objective::Stripped => "stripped size",
    };
    eprintln!(
        "optimize: minimising {what} of {} for {}",
        s.env.project.binary, s.env.target
    );
    let mut evaluate = |batch: &[Config]| {
        let built = builder.build_all(batch);
        (built.rows, built.complete)
    };
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
        space,
        evaluate: &mut evaluate,
        on_step: &mut on_step,
    };
    let start = Config::new("release", BaseProfile::Release, Settings::default());
    let (results, mut summary, complete) = search.run(start);
    s.restore_lockfile();
    summary.notes.extend(skipped);
    let matrix = crate::report::MatrixInfo {
        kind: "optimize".into(),
        name: "search".into(),
        configurations: results.len(),
        shard: None,
    };
    let mut report = s.report(results, complete, matrix);
    crate::analysis::derive(
        &mut report,
        &crate::analysis::Inputs {
            baseline: Some(&summary.start),
            flash_size: args.memory.flash_size,
            ram_size: args.memory.ram_size,
            ..Default::default()
        },
    );
    let saved = s.env.weigh_dir.join("optimize.json");
    let best = summary.best.clone();
    let best_value = report
        .configs
        .iter()
        .find(|c| c.config.name == best)
        .and_then(|c| objective.of(c));
    let apply = apply_command(&best, &saved, args.package.manifest_path.as_deref());
    summary.notes.push(format!("apply it: {apply}"));
    report.optimize = Some(summary);
    let json = crate::options::OutputOptions {
        format: Format::Json,
        ..Default::default()
    };
    Sink::open(Some(&saved))?.finish(&export::render(&report, &json)?)?;
    sink.finish(&crate::export::render(&report, &out)?)?;
    if let Some(v) = best_value {
        let builds = report.optimize.as_ref().map_or(0, |o| o.builds);
        eprintln!(
            "optimize: best {best}: {what} {} after {builds} builds",
            human(v)
        );
        eprintln!("  apply it: {apply}");
    }
    Ok(if !complete {
        ExitCode::from(130)
    } else {
        ExitCode::SUCCESS
    })
}
