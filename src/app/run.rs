//! The matrix run behind `cargo weigh` and `check`: build, measure, verify,
//! attribute, gate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;

use super::merge::shard_indices;
use super::{check_baseline, check_limits, cost_model, gate, limits, matrix_for, session, sizes};
use crate::ablation;
use crate::analysis::{self, Inputs};
use crate::cli::RunArgs;
use crate::matrix::Config;
use crate::report::Report;
use crate::results::ConfigResult;
use crate::results::Objective;
use crate::verify::{
    self, compare, instruction_granular, run_artifact, runner_from_arg, Runner, Verification,
    VerifyStatus,
};

/// Build and measure the matrix of `args`, apply the gates; the report and
/// the exit status it calls for.
pub(crate) fn run_matrix(args: &RunArgs, check_mode: bool) -> anyhow::Result<(Report, ExitCode)> {
    let (flash, ram) = sizes(&args.output)?;
    let (budget, baseline_report) = limits(&args.budget)?;
    let located = session::locate(args)?;
    let source = matrix_for(args, &located.project)?;
    let names: Vec<&str> = source.configs.iter().map(|c| c.name.as_str()).collect();
    // The file's baseline counts only while --only keeps it; --baseline must exist.
    let file_baseline = source
        .baseline
        .clone()
        .filter(|b| names.contains(&b.as_str()));
    let baseline = args.output.baseline.clone().or(file_baseline);
    check_baseline(baseline.as_deref(), &names)?;

    let mut source = source;
    let indices: Vec<usize> = match &args.shard {
        Some(spec) => shard_indices(spec, source.configs.len())?,
        None => (0..source.configs.len()).collect(),
    };
    source.configs = indices.iter().map(|&i| source.configs[i].clone()).collect();
    let wants_std = source.configs.iter().any(|c| !c.build_std.is_empty());
    let s = session::Session::open(args, located, wants_std, flash, ram)?;
    let runner = if args.verify {
        Some(verify_runner(args, &s)?)
    } else {
        None
    };
    let Some(_lock) = s.lock(args.quiet)? else {
        eprintln!("interrupted while waiting for the other run; nothing was built");
        return Ok((
            s.report(Vec::new(), false, source.origin.clone()),
            ExitCode::from(130),
        ));
    };
    let sccache = crate::build::Sccache::detect(s.cargo_config.rustc_wrapper());
    let sccache_before = sccache.as_ref().and_then(|c| c.counters());
    let run = s.builder(args);
    let built = run.build_all(&source.configs);
    let mut complete = built.complete;
    let lanes = built.lanes;
    // Rows of an interrupted run may have gaps (builds run several at a time).
    let mut results: Vec<ConfigResult> = built
        .rows
        .into_iter()
        .zip(&indices)
        .filter_map(|(row, &i)| {
            row.map(|mut r| {
                r.matrix_index = Some(i);
                r
            })
        })
        .collect();
    let objective = Objective::for_target(&s.env.target);
    if args.ablation && complete {
        let mut so_far = Report::new(results.clone());
        analysis::derive(
            &mut so_far,
            &Inputs {
                baseline: baseline.as_deref(),
                ..Inputs::default()
            },
        );
        let extra = match so_far.baseline.as_deref() {
            Some(b) => ablation::missing_configs(&so_far.configs, b, objective, &source.configs),
            None => Vec::new(),
        };
        if !extra.is_empty() && !args.quiet {
            eprintln!(
                "ablation: {} more configuration(s) to isolate each setting",
                extra.len()
            );
        }
        let more = run.build_all(&extra);
        results.extend(more.rows.into_iter().flatten());
        complete = more.complete;
    }
    // Attribution needs symbols: stripped builds get their unstripped twin.
    if (args.keep_debug || args.attribute) && complete {
        complete = keep_debug(&run, &source.configs, &mut results);
    }
    s.restore_lockfile();

    let mut report = s.report(results, complete, source.origin.clone());
    report.compiler_cache = sccache.and_then(|c| c.since(sccache_before));
    report.shard = args.shard.clone();
    report.parallel_builds = (lanes > 1).then_some(lanes as u32);
    let prices = cost_model(source.cost.clone(), &args.cost);
    let inputs = Inputs {
        baseline: baseline.as_deref(),
        flash_size: s.sizes.0,
        ram_size: s.sizes.1,
        cost: Some(&prices),
        budget: None,
        growth_baseline: None,
    };
    analysis::derive(&mut report, &inputs);
    if let Some(runner) = &runner {
        let timeout = Duration::from_secs(args.verify_timeout);
        if !verify_all(&mut report, runner, &s.env.project.package_dir, timeout) {
            report.complete = false;
        }
    }
    if args.attribute {
        s.attribute_all(&mut report);
    }
    // The memory map is the link's: known once something was built.
    let budget = if check_mode {
        check_limits(budget, report.memory.as_ref())?
    } else {
        budget
    };
    let growth = baseline_report.as_ref().map(|r| r.configs.as_slice());
    analysis::derive(
        &mut report,
        &Inputs {
            budget: Some(budget),
            growth_baseline: growth,
            ..inputs
        },
    );
    let code = gate(&report);
    Ok((report, code))
}

/// For every stripped build, build its twin without strip and keep that file
/// as `<artifact>.debug`: the same code, with its symbols and debug info.
fn keep_debug(
    run: &crate::build::Runner<'_>,
    configs: &[Config],
    results: &mut [ConfigResult],
) -> bool {
    use crate::matrix::Strip;
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

/// The runner for `--verify`: `--runner`, the project's configured runner,
/// or (for the host) the binary itself.
fn verify_runner(args: &RunArgs, s: &session::Session) -> anyhow::Result<Runner> {
    if let Some(r) = &args.runner {
        return Ok(instruction_granular(runner_from_arg(r)));
    }
    let target = &s.env.target;
    if let Some(r) = s.cargo_config.runner(target, &s.cfgs) {
        return Ok(instruction_granular(r));
    }
    if *target == s.env.toolchain.host {
        return Ok(Runner {
            argv: Vec::new(),
            source: "the host (binaries run directly)".into(),
        });
    }
    bail!(
        "--verify: no runner for {target}\n  hint: set `runner` under [target.{target}] in .cargo/config.toml (as for `cargo run`), or pass --runner \"qemu-system-arm -machine ... -kernel\""
    )
}

/// Run the baseline first, then every other binary, and compare; false
/// when interrupted (the rows not run have no verification).
fn verify_all(report: &mut Report, runner: &Runner, cwd: &Path, timeout: Duration) -> bool {
    report.runner = Some(format!(
        "{} (from {})",
        runner.argv.join(" "),
        runner.source
    ));
    let base = report
        .baseline
        .clone()
        .and_then(|b| report.configs.iter().position(|c| c.config.name == b));
    let Some(base) = base else { return true };
    let stop = crate::stop_flag();
    let run = |c: &ConfigResult| -> Option<Result<Verification, verify::Interrupted>> {
        let a = c.artifact.as_ref().filter(|_| c.ok)?;
        Some(run_artifact(runner, a, cwd, timeout, stop))
    };
    let mut reference = match run(&report.configs[base]) {
        None => return true,
        Some(Err(_)) => return false,
        Some(Ok(v)) => v,
    };
    if reference.status != VerifyStatus::Error {
        reference.status = VerifyStatus::Baseline;
    }
    for i in 0..report.configs.len() {
        if i == base {
            continue;
        }
        let mut v = match run(&report.configs[i]) {
            None => continue,
            Some(Err(_)) => return false,
            Some(Ok(v)) => v,
        };
        if reference.status == VerifyStatus::Error {
            v.status = VerifyStatus::Error;
            v.detail = Some("the baseline could not be run, so nothing to compare with".into());
        } else {
            compare(&reference, &mut v);
        }
        report.configs[i].verify = Some(v);
    }
    report.configs[base].verify = Some(reference);
    true
}
