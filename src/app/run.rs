//! The matrix run behind `cargo weigh`, `check` and `diff --git`: select
//! the configurations, build and measure them, derive, verify, attribute.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use super::{attribution, gate::gate, runtime, session, verify};
use crate::ablation;
use crate::analysis::{self, Inputs};
use crate::build::Runner;
use crate::export;
use crate::matrix::{Config, MatrixSource, Strip};
use crate::options::{OutputOptions, RunOptions};
use crate::report::{read_report, MatrixInfo, Report, RunTiming};
use crate::results::{ConfigResult, Objective};
use crate::sink::Sink;

/// `cargo weigh`: the matrix, rendered.
pub fn weigh(opts: &RunOptions) -> anyhow::Result<ExitCode> {
    // Opened first: a bad output path fails before anything is built.
    let sink = Sink::open(opts.output.output.as_deref())?;
    let started = Instant::now();
    let (mut report, weigh_dir) = run_matrix(opts, None)?;
    let sink = sink.or_page(opts.output.format, || weigh_dir.join("report.html"))?;
    report.timing = Some(RunTiming {
        wall_seconds: round_ms(started.elapsed().as_secs_f64()),
        own_cpu_seconds: round_ms(crate::process::own_cpu_seconds()),
    });
    finish(report, sink, &opts.output)
}

/// Render, write, say where, and choose the exit status.
pub fn finish(report: Report, sink: Sink, out: &OutputOptions) -> anyhow::Result<ExitCode> {
    let code = gate(&report, !export::shows_verdict(out));
    sink.write(&export::render(&report, out)?)?;
    if !report.complete {
        eprintln!("interrupted: the report is marked incomplete (\"complete\": false)");
    }
    Ok(code)
}

/// The matrix as the report names it.
fn info(source: &MatrixSource, opts: &RunOptions) -> MatrixInfo {
    MatrixInfo {
        kind: source.kind.to_string(),
        name: source.name.clone(),
        configurations: source.configs.len(),
        shard: opts.matrix.shard.map(|s| s.to_string()),
    }
}

use crate::units::round_ms;

/// What runs on the built binaries, set up before anything is built.
struct AfterBuild {
    runner: Option<crate::verify::Runner>,
    measurer: Option<runtime::Measurer>,
    ota: Option<super::ota::OtaRun>,
}

impl AfterBuild {
    fn prepare(opts: &RunOptions, s: &session::Session) -> anyhow::Result<AfterBuild> {
        let a = &opts.analysis;
        Ok(AfterBuild {
            runner: a
                .verify
                .as_ref()
                .map(|v| verify::runner(v, s))
                .transpose()?,
            measurer: a
                .runtime
                .as_ref()
                .map(|rt| runtime::Measurer::new(rt, s))
                .transpose()?,
            ota: a
                .ota
                .as_ref()
                .map(|o| super::ota::OtaRun::prepare(o, &s.env.target))
                .transpose()?,
        })
    }
}

/// Run every built row like the baseline; false when interrupted.
impl AfterBuild {
    /// Verify, run-time cost, attribution and OTA on the built binaries, in
    /// that order; an interrupted step leaves the report incomplete.
    fn check_all(&self, report: &mut Report, opts: &RunOptions, s: &session::Session) {
        if let (Some(runner), Some(v)) = (&self.runner, &opts.analysis.verify) {
            if !verify_rows(report, runner, v, s) {
                report.complete = false;
            }
        }
        if let Some(m) = &self.measurer {
            if !runtime::runtime_all(report, m, opts.output.quiet) {
                report.complete = false;
            }
        }
        if opts.analysis.attribute {
            attribution::attribute_all(s, report);
        }
        if let Some(o) = &self.ota {
            o.measure_all(report);
        }
    }
}

fn verify_rows(
    report: &mut Report,
    runner: &crate::verify::Runner,
    v: &crate::options::VerifyOptions,
    s: &session::Session,
) -> bool {
    // The plugin stops firmware that never exits at the same point
    // every run; without it, the time limit stops it.
    let plugin = crate::runtime::installed_plugin(&s.env.weigh_dir.join("qemu")).ok();
    let runs = verify::Runs {
        runner,
        cwd: &s.env.project.package_dir,
        timeout: v.timeout,
        budget: plugin.as_deref().map(|p| crate::verify::Budget {
            plugin: p,
            instructions: v.limit,
        }),
    };
    verify::verify_all(report, &runs)
}

/// Build and measure the matrix of `opts`, derive everything, apply the
/// gate; `check` (the configurations it gates, empty for all) asks for a
/// budget (the chip's memory by default). Returns the report and the
/// tool's directory in the target directory.
pub fn run_matrix(
    opts: &RunOptions,
    check: Option<&[String]>,
) -> anyhow::Result<(Report, PathBuf)> {
    let located = session::locate(&opts.project, &opts.compile)?;
    let source = crate::matrix::select(
        &opts.matrix,
        &located.project.package_dir,
        &located.project.manifest_path,
    )?;
    let growth = opts
        .analysis
        .budget
        .baseline_report
        .as_deref()
        .map(read_report)
        .transpose()?;
    if let (Some(g), Some(_)) = (&growth, opts.analysis.budget.max_growth) {
        // Said before anything is built: a gate that would compare nothing.
        super::limits::growth_names_overlap(&source.configs, g, &opts.analysis.budget)?;
    }
    let wants_std = source.configs.iter().any(|c| !c.build_std.is_empty());
    let mut s = session::Session::open(located, &opts.project, &opts.compile, wants_std)?;
    s.env.plan_bitcode_families(&source.configs);
    // Before any build: a missing runner or a bad baseline is said at once.
    let after = AfterBuild::prepare(opts, &s)?;
    let Some(_lock) = s.lock(opts.output.quiet)? else {
        eprintln!("interrupted while waiting for the other run; nothing was built");
        return Ok((
            s.report(Vec::new(), false, info(&source, opts)),
            s.env.weigh_dir.clone(),
        ));
    };
    let sccache = crate::build::Sccache::detect(s.cargo_config.rustc_wrapper());
    let sccache_before = sccache.as_ref().and_then(|c| c.counters());
    let run = s.runner(opts.output.quiet);
    let (todo, recorded) = super::records::take(opts, &s, &source);
    let (mut results, complete, lanes) = build_rows(&run, &todo, opts, &s.env.target);
    if !recorded.is_empty() {
        results.extend(recorded);
        // Matrix order; the ablation's extra rows after.
        results.sort_by_key(|r| r.matrix_index.unwrap_or(usize::MAX));
    }
    s.restore_lockfile();

    let mut report = s.report(results, complete, info(&source, opts));
    report.compiler_cache = sccache.and_then(|c| c.since(sccache_before));
    report.parallel_builds = (lanes > 1).then_some(lanes as u32);
    let prices = opts.analysis.prices.over(source.cost.clone());
    let mut inputs = Inputs {
        baseline: source.baseline.as_deref(),
        flash_size: opts.analysis.flash_size,
        ram_size: opts.analysis.ram_size,
        cost: Some(&prices),
        budget: None,
        growth_baseline: growth.as_ref().map(|r| r.configs.as_slice()),
    };
    // The steps on built binaries write only `checks`; every figure is
    // derived once, after them.
    analysis::locate(&mut report, &inputs);
    after.check_all(&mut report, opts, &s);
    super::records::keep(opts, &s, &report);
    // The memory map is the link's: known once something was built.
    let growth_from = opts.analysis.budget.baseline_report.as_deref();
    let growth_rows = growth.as_ref().zip(growth_from);
    inputs.budget = Some(super::limits::budget(
        &opts.analysis.budget,
        check,
        &report,
        growth_rows.map(|(r, p)| (r.configs.as_slice(), p)),
    )?);
    analysis::derive(&mut report, &inputs);
    Ok((report, s.env.weigh_dir.clone()))
}

/// Every configuration built (and the ablation's extra ones, and the
/// unstripped twins `--keep-debug`/`--attribute` need); whether the run
/// finished; how many builds ran at once.
fn build_rows(
    run: &Runner<'_>,
    source: &MatrixSource,
    opts: &RunOptions,
    target: &str,
) -> (Vec<ConfigResult>, bool, usize) {
    let built = run.build_all(&source.configs);
    let (mut complete, lanes) = (built.complete, built.lanes);
    // Rows of an interrupted run may have gaps (builds run several at a time).
    let mut results: Vec<ConfigResult> = built
        .rows
        .into_iter()
        .zip(&source.positions)
        .filter_map(|(row, &i)| {
            row.map(|mut r| {
                r.matrix_index = Some(i);
                r
            })
        })
        .collect();
    if opts.analysis.ablation && complete {
        let extra = ablation_configs(&results, source, target);
        if !extra.is_empty() && !opts.output.quiet {
            eprintln!(
                "ablation: {} more configuration(s) to isolate each setting",
                extra.len()
            );
        }
        let more = run.build_all(&extra);
        results.extend(more.rows.into_iter().flatten());
        complete = more.complete;
    }
    if (opts.analysis.keep_debug || opts.analysis.attribute) && complete {
        complete = keep_debug(run, &source.configs, &mut results);
    }
    (results, complete, lanes)
}

/// What isolates each setting of the smallest configuration.
fn ablation_configs(results: &[ConfigResult], source: &MatrixSource, target: &str) -> Vec<Config> {
    let mut so_far = Report::new(results.to_vec());
    let inputs = Inputs {
        baseline: source.baseline.as_deref(),
        ..Inputs::default()
    };
    analysis::derive(&mut so_far, &inputs);
    let objective = Objective::for_target(target);
    match so_far.baseline.as_deref() {
        Some(b) => ablation::missing_configs(&so_far.configs, b, objective, &source.configs),
        None => Vec::new(),
    }
}

/// For every stripped build, build its twin without strip and keep that file
/// as `<artifact>.debug`: the same code, with its symbols and debug info.
fn keep_debug(run: &Runner<'_>, configs: &[Config], results: &mut [ConfigResult]) -> bool {
    for r in results.iter_mut().filter(|r| r.ok) {
        let Some(config) = configs.iter().find(|c| c.name == r.config.name) else {
            continue;
        };
        if config.settings.strip.is_none_or(|s| s == Strip::None) {
            continue;
        }
        let mut twin = config.clone();
        twin.settings.strip = Some(Strip::None);
        twin.name = format!("{} (unstripped)", config.name);
        let Some(built) = run.build(&twin) else {
            return false;
        };
        let (Some(from), Some(to)) = (
            built.artifact.as_ref().filter(|_| built.ok),
            r.artifact.as_ref(),
        ) else {
            r.error = Some(format!(
                "--keep-debug: the unstripped build failed: {}",
                built.error.unwrap_or_default()
            ));
            continue;
        };
        let same =
            built.size.as_ref().map(|m| &m.flash_hash) == r.size.as_ref().map(|m| &m.flash_hash);
        let dest = PathBuf::from(format!("{}.debug", to.display()));
        match std::fs::copy(from, &dest) {
            Ok(_) if same => r.debug_file = Some(dest),
            Ok(_) => {
                r.debug_file = Some(dest);
                r.error = Some("--keep-debug: the unstripped build's flash image differs; its debug file may not match".into());
            }
            Err(e) => {
                r.error = Some(format!(
                    "--keep-debug: cannot write {}: {e}",
                    dest.display()
                ))
            }
        }
    }
    true
}
