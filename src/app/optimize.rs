//! `cargo weigh optimize`: the search, wired to real builds. Each batch the
//! search asks for is built like a matrix (families, several at a time,
//! the result cache); the report is saved where `apply` finds it.

use std::path::Path;
use std::process::ExitCode;

use crate::export;
use crate::matrix::{BaseProfile, Config, Settings};
use crate::optimize::{RunLimits, Search, SearchSpace, Step, WasmSpace};
use crate::options::{Format, OptimizeOptions, OutputOptions};
use crate::report::{MatrixInfo, Report};
use crate::results::Objective;
use crate::sink::Sink;
use crate::units::human;

use super::session::{self, Session};

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

/// What may be searched here, and notes on what is not and why.
fn search_space(opts: &OptimizeOptions, s: &Session) -> (SearchSpace, Vec<String>) {
    let space = SearchSpace {
        keep_unwind: opts.keep_unwind,
        nightly: !opts.stable_only && s.env.toolchain.has_rust_src,
        effective: crate::project::profile::effective(
            &s.env.project.workspace_root,
            &s.cargo_config,
            BaseProfile::Release,
        ),
        target_aborts: s.env.toolchain.target_always_aborts(&s.cfgs),
        wasm: s.env.target.starts_with("wasm").then(|| WasmSpace {
            wasm_opt: crate::build::wasm_opt_installed(),
        }),
    };
    let mut skipped = Vec::new();
    match space.wasm {
        None => skipped.push("strip and debug are not searched: they change the file on disk, never the flash or the stripped size".to_string()),
        Some(w) if !w.wasm_opt => skipped.push("wasm-opt is not searched: binaryen is not installed (apt install binaryen, brew install binaryen, npm i -g binaryen)".into()),
        Some(_) => {}
    }
    if !space.nightly {
        skipped.push(if opts.stable_only {
            "nightly-only options skipped (--stable-only)".into()
        } else {
            format!(
                "nightly-only options (panic=immediate-abort, -Zlocation-detail=none, -Zfmt-debug=none, optimize_for_size) skipped: {} has no rust-src to build core with; to search them: `rustup component add rust-src`",
                s.env.toolchain.rustc.display()
            )
        });
    }
    (space, skipped)
}

/// Run the search with real builds; the report of every configuration
/// built, analysed against the start, with the search's summary.
fn search(opts: &OptimizeOptions, s: &Session) -> anyhow::Result<(Report, bool)> {
    let objective = Objective::for_target(&s.env.target);
    let what = objective.word();
    let (space, skipped) = search_space(opts, s);
    let builder = s.runner(opts.output.quiet);
    eprintln!(
        "optimize: minimising {what} of {} for {}",
        s.env.project.binary, s.env.target
    );
    let limits = RunLimits {
        max_slowdown_pct: opts.max_slowdown_pct,
        max_stack: opts.max_stack,
    };
    // With run-time limits, every candidate is also run and measured.
    let measurer = match limits.any() {
        true => Some(super::runtime::Measurer::new(&opts.runtime, s)?),
        false => None,
    };
    let mut evaluate = |batch: &[Config]| {
        let mut built = builder.build_all(batch);
        let Some(m) = &measurer else {
            return (built.rows, built.complete);
        };
        for row in built.rows.iter_mut().flatten() {
            match m.measure(row, None) {
                Some(Ok(rt)) => row.checks.runtime = Some(rt),
                Some(Err(_)) => return (built.rows, false),
                None => {}
            }
        }
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
        max_builds: opts.max_builds,
        max_build_seconds: opts.max_build_seconds,
        run_limits: limits,
        space,
        evaluate: &mut evaluate,
        on_step: &mut on_step,
    };
    let start = Config::new("release", BaseProfile::Release, Settings::default());
    let (results, mut summary, complete) = search.run(start);
    s.restore_lockfile();
    summary.notes.extend(skipped);
    let matrix = MatrixInfo {
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
            flash_size: opts.flash_size,
            ram_size: opts.ram_size,
            ..Default::default()
        },
    );
    report.optimize = Some(summary);
    Ok((report, complete))
}

pub fn optimize(opts: &OptimizeOptions) -> anyhow::Result<ExitCode> {
    let sink = Sink::open(opts.output.output.as_deref())?;
    let located = session::locate(&opts.project, &opts.compile)?;
    let mut s = Session::open(located, &opts.project, &opts.compile, false)?;
    let Some(_lock) = s.lock(opts.output.quiet)? else {
        return Ok(ExitCode::from(130));
    };
    let (mut report, complete) = search(opts, &s)?;
    let saved = s.env.weigh_dir.join("optimize.json");
    let best = report
        .optimize
        .as_ref()
        .map(|o| o.best.clone())
        .unwrap_or_default();
    let apply = apply_command(&best, &saved, opts.project.manifest_path.as_deref());
    if let Some(o) = report.optimize.as_mut() {
        o.notes.push(format!("apply it: {apply}"));
    }
    let json = OutputOptions {
        format: Format::Json,
        ..Default::default()
    };
    Sink::open(Some(&saved))?.finish(&export::render(&report, &json)?)?;
    let page = s.env.weigh_dir.join("optimize.html");
    sink.or_page(opts.output.format, || page)?
        .write(&export::render(&report, &opts.output)?)?;
    let objective = Objective::for_target(&s.env.target);
    let best_value = report
        .configs
        .iter()
        .find(|c| c.config.name == best)
        .and_then(|c| objective.of(c));
    // On a terminal the table's verdict says it last; else say it here.
    if let Some(v) = best_value.filter(|_| !export::shows_verdict(&opts.output)) {
        let builds = report.optimize.as_ref().map_or(0, |o| o.builds);
        eprintln!(
            "optimize: best {best}: {} {} after {builds} builds",
            objective.word(),
            human(v)
        );
        eprintln!("  apply it: {apply}");
    }
    Ok(if complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(130)
    })
}
