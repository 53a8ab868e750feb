//! Wiring the stages together for each command.

mod apply;
mod cache;
mod diff;
mod optimize;
mod session;
mod top;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::ablation::{self, Objective};
use crate::budget::{read_report, Budget, Growth};
use crate::cli::{BudgetArgs, Cli, Command, CostArgs, MeasureArgs, OutputArgs, RunArgs};
use crate::cost::{CostModel, Ota};
use crate::export::exporter;
use crate::matrix::{self, Config, MatrixSource};
use crate::measure::measure_file;
use crate::memory::{parse_memory, parse_size, MemoryMap};
use crate::output::Sink;
use crate::project::{self, CargoConfig};
use crate::report::{ConfigResult, Report};
use crate::toolchain;
use crate::verify::{
    compare, run_artifact, runner_for, runner_from_arg, target_cfgs, Runner, VerifyStatus,
};

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Measure(args)) => measure(args),
        Some(Command::Presets) => {
            presets();
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Apply(args)) => apply::apply(args),
        Some(Command::Merge(args)) => merge(args),
        Some(Command::Top(args)) => top::top(*args),
        Some(Command::Diff(args)) => diff::diff(*args),
        Some(Command::Show(args)) => {
            let sink = Sink::open(args.output.as_deref())?;
            let report = read_report(&args.report)?;
            sink.finish(&exporter(args.format).render(&report)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Optimize(args)) => optimize::optimize(*args),
        Some(Command::Check(args)) => match &args.report {
            Some(path) => check_saved(path, &args.run),
            None => weigh(args.run, true),
        },
        None => weigh(cli.run, false),
    }
}

/// The limits asked for on the command line, and the saved report to
/// measure growth from.
fn limits(args: &BudgetArgs) -> anyhow::Result<(Budget, Option<Report>)> {
    let size = |flag: &str, v: &Option<String>| -> anyhow::Result<Option<u64>> {
        v.as_deref()
            .map(|s| parse_size(s).map_err(|e| anyhow::anyhow!("{flag}: {e}")))
            .transpose()
    };
    let budget = Budget {
        max_flash: size("--max-flash", &args.max_flash)?,
        max_ram: size("--max-ram", &args.max_ram)?,
        max_growth: args
            .max_growth
            .as_deref()
            .map(|g| Growth::parse(g).map_err(|e| anyhow::anyhow!("--max-growth: {e}")))
            .transpose()?,
        baseline_report: args
            .baseline_report
            .as_ref()
            .map(|p| p.display().to_string()),
        violations: Vec::new(),
    };
    let baseline = args
        .baseline_report
        .as_deref()
        .map(read_report)
        .transpose()?;
    Ok((budget, baseline))
}

/// In `check`, without explicit limits the chip's memory is the budget.
fn check_limits(mut budget: Budget, memory: Option<&MemoryMap>) -> anyhow::Result<Budget> {
    if budget.is_empty() {
        budget.max_flash = memory.and_then(|m| m.flash_bytes);
        budget.max_ram = memory.and_then(|m| m.ram_bytes);
        if budget.is_empty() {
            bail!(
                "check needs a budget: pass --max-flash/--max-ram, --max-growth with --baseline-report, \
                 or give the project a memory.x (or --flash-size/--ram-size)"
            );
        }
    }
    Ok(budget)
}

/// Apply the budget, print one line per violation, and choose the exit status.
fn gate(report: &mut Report, budget: Budget, baseline: Option<&Report>) -> ExitCode {
    if !budget.is_empty() {
        let mut budget = budget;
        budget.violations = crate::budget::check(report, &budget, baseline);
        for v in &budget.violations {
            eprintln!("over budget: {v}");
        }
        report.budget = Some(budget);
    }
    for c in report.misbehaving() {
        let detail = c
            .verify
            .as_ref()
            .and_then(|v| v.detail.clone())
            .unwrap_or_default();
        eprintln!("behaves differently: {}: {detail}", c.name);
    }
    if !report.complete {
        ExitCode::from(130)
    } else if report.any_failed() || report.over_budget() || !report.misbehaving().is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn check_saved(path: &Path, args: &RunArgs) -> anyhow::Result<ExitCode> {
    let (budget, baseline) = limits(&args.budget)?;
    let sink = Sink::open(args.output.output.as_deref())?;
    let mut report = read_report(path)?;
    let (flash, ram) = sizes(&args.output)?;
    if flash.is_some() || ram.is_some() {
        report.memory = memory_from(report.memory.take(), flash, ram);
        report.finalize(report.baseline.clone().as_deref());
    }
    let budget = check_limits(budget, report.memory.as_ref())?;
    let code = gate(&mut report, budget, baseline.as_ref());
    sink.finish(&exporter(args.output.format).render(&report)?)?;
    Ok(code)
}

fn presets() {
    for (name, about) in matrix::PRESETS {
        println!("{name}: {about}");
        for c in matrix::preset(name).unwrap_or_default() {
            println!("  {:<22} {}", c.name, c.summary());
        }
    }
}

fn sizes(out: &OutputArgs) -> anyhow::Result<(Option<u64>, Option<u64>)> {
    let parse = |flag: &str, v: &Option<String>| -> anyhow::Result<Option<u64>> {
        v.as_deref()
            .map(|s| parse_size(s).map_err(|e| anyhow::anyhow!("{flag}: {e}")))
            .transpose()
    };
    Ok((
        parse("--flash-size", &out.flash_size)?,
        parse("--ram-size", &out.ram_size)?,
    ))
}

fn memory_from(map: Option<MemoryMap>, flash: Option<u64>, ram: Option<u64>) -> Option<MemoryMap> {
    match map {
        Some(m) => Some(m.with_overrides(flash, ram)),
        None if flash.is_some() || ram.is_some() => Some(MemoryMap {
            source: "command line".into(),
            regions: Vec::new(),
            flash_bytes: flash,
            ram_bytes: ram,
        }),
        None => None,
    }
}

fn check_baseline(baseline: Option<&str>, names: &[&str]) -> anyhow::Result<()> {
    if let Some(b) = baseline {
        if !names.contains(&b) {
            bail!(
                "--baseline `{b}` is not a configuration of this run; choose one of: {}",
                names.join(", ")
            );
        }
    }
    Ok(())
}

fn measure(args: MeasureArgs) -> anyhow::Result<ExitCode> {
    let (flash, ram) = sizes(&args.output)?;
    let map = match &args.memory_x {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read memory map `{}`", path.display()))?;
            let regions = parse_memory(&text).map_err(|error| crate::memory::MemoryError {
                path: path.clone(),
                error,
            })?;
            Some(MemoryMap::from_regions(path.display().to_string(), regions))
        }
        None => None,
    };
    let sink = Sink::open(args.output.output.as_deref())?;
    let mut rows = Vec::new();
    for file in &args.files {
        let m = measure_file(file)?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = if rows.iter().any(|r: &ConfigResult| r.name == name) {
            file.display().to_string()
        } else {
            name
        };
        rows.push(ConfigResult::for_file(name, file.clone(), m));
    }
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    check_baseline(args.output.baseline.as_deref(), &names)?;
    let mut report = Report::new(rows);
    report.memory = memory_from(map, flash, ram);
    report.finalize(args.output.baseline.as_deref());
    sink.finish(&exporter(args.output.format).render(&report)?)?;
    Ok(ExitCode::SUCCESS)
}

/// The configurations of this run: `--preset`, else the project file, else `standard`.
pub(crate) fn matrix_for(
    args: &RunArgs,
    project: &project::Project,
) -> anyhow::Result<MatrixSource> {
    let preset_names = || {
        matrix::PRESETS
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let file = matrix::load_project_file(
        args.matrix_file.as_deref(),
        &project.package_dir,
        &project.manifest_path,
    )?;
    // Prices and the baseline come from the file even under --preset.
    let cost = file.as_ref().and_then(|f| f.cost.clone());
    let mut source = if let Some(name) = &args.preset {
        let configs = matrix::preset(name).with_context(|| {
            format!("unknown preset `{name}`; choose one of: {}", preset_names())
        })?;
        MatrixSource {
            configs,
            baseline: None,
            origin: format!("preset {name}"),
            cost,
        }
    } else {
        match file {
            Some(f) if !f.configs.is_empty() => MatrixSource {
                configs: f.configs,
                baseline: f.baseline,
                origin: f.path.display().to_string(),
                cost,
            },
            Some(f) => MatrixSource {
                configs: matrix::preset("standard").expect("built in"),
                baseline: f.baseline,
                origin: format!("preset standard, prices from {}", f.path.display()),
                cost,
            },
            None => MatrixSource {
                configs: matrix::preset("standard").expect("built in"),
                baseline: None,
                origin: "preset standard".into(),
                cost,
            },
        }
    };
    if !args.only.is_empty() {
        let names: Vec<String> = source.configs.iter().map(|c| c.name.clone()).collect();
        for o in &args.only {
            if !names.contains(o) {
                bail!(
                    "--only: no configuration named `{o}` in {}; choose from: {}",
                    source.origin,
                    names.join(", ")
                );
            }
        }
        source.configs.retain(|c| args.only.contains(&c.name));
    }
    Ok(source)
}

fn weigh(args: RunArgs, check_mode: bool) -> anyhow::Result<ExitCode> {
    // Opened first: a bad output path fails before anything is built.
    let sink = Sink::open(args.output.output.as_deref())?;
    let started = std::time::Instant::now();
    let (mut report, code) = run_matrix(&args, check_mode)?;
    report.timing = Some(crate::report::RunTiming {
        wall_seconds: round_ms(started.elapsed().as_secs_f64()),
        own_cpu_seconds: round_ms(own_cpu_seconds()),
    });
    sink.finish(&exporter(args.output.format).render(&report)?)?;
    if !report.complete {
        eprintln!("interrupted: the report is marked incomplete (\"complete\": false)");
    }
    Ok(code)
}

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
    let budget = if check_mode {
        check_limits(budget, s.memory.as_ref())?
    } else {
        budget
    };
    let runner = if args.verify {
        Some(verify_runner(
            args,
            &s.cargo_configs,
            &s.env.target,
            &s.env.toolchain,
        )?)
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
    let sccache = crate::build::Sccache::detect(&s.cargo_configs);
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
        so_far.finalize(baseline.as_deref());
        let extra = ablation::missing_configs(&so_far, objective, &source.configs);
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
    report.finalize(baseline.as_deref());
    report.ablation = ablation::analyse(&report, objective);
    crate::cost::apply(&mut report, &cost_model(source.cost.clone(), &args.cost));
    if let Some(runner) = &runner {
        verify_all(
            &mut report,
            runner,
            &s.env.project.package_dir,
            Duration::from_secs(args.verify_timeout),
        );
    }
    if args.attribute {
        s.attribute_all(&mut report);
    }
    let code = gate(&mut report, budget, baseline_report.as_ref());
    Ok((report, code))
}

/// For every stripped build, build its twin without strip and keep that file
/// as `<artifact>.debug`: the same code, with its symbols and debug info.
fn keep_debug(
    run: &session::Builder<'_>,
    configs: &[Config],
    results: &mut [ConfigResult],
) -> bool {
    use crate::matrix::Strip;
    for r in results.iter_mut().filter(|r| r.ok) {
        let Some(config) = configs.iter().find(|c| c.name == r.name) else {
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
fn verify_runner(
    args: &RunArgs,
    cargo_configs: &[CargoConfig],
    target: &str,
    tc: &toolchain::Toolchain,
) -> anyhow::Result<Runner> {
    if let Some(r) = &args.runner {
        return Ok(runner_from_arg(r));
    }
    let cfgs = target_cfgs(&tc.rustc, target);
    if let Some(r) = runner_for(cargo_configs, target, &cfgs) {
        return Ok(r);
    }
    if target == tc.host {
        return Ok(Runner {
            argv: Vec::new(),
            source: "the host (binaries run directly)".into(),
        });
    }
    bail!(
        "--verify: no runner for {target}\n  hint: set `runner` under [target.{target}] in .cargo/config.toml (as for `cargo run`), or pass --runner \"qemu-system-arm -machine ... -kernel\""
    )
}

/// Run the baseline first, then every other binary, and compare.
fn verify_all(report: &mut Report, runner: &Runner, cwd: &Path, timeout: Duration) {
    report.runner = Some(format!(
        "{} (from {})",
        runner.argv.join(" "),
        runner.source
    ));
    let base = report
        .baseline
        .clone()
        .and_then(|b| report.configs.iter().position(|c| c.name == b));
    let Some(base) = base else { return };
    let run = |c: &ConfigResult| {
        c.artifact
            .as_ref()
            .filter(|_| c.ok)
            .map(|a| run_artifact(runner, a, cwd, timeout))
    };
    let Some(mut reference) = run(&report.configs[base]) else {
        return;
    };
    if reference.status != VerifyStatus::Error {
        reference.status = VerifyStatus::Baseline;
    }
    for (i, c) in report.configs.iter_mut().enumerate() {
        if i == base {
            continue;
        }
        if let Some(mut v) = c
            .artifact
            .as_ref()
            .filter(|_| c.ok)
            .map(|a| run_artifact(runner, a, cwd, timeout))
        {
            if reference.status == VerifyStatus::Error {
                v.status = VerifyStatus::Error;
                v.detail = Some("the baseline could not be run, so nothing to compare with".into());
            } else {
                compare(&reference, &mut v);
            }
            c.verify = Some(v);
        }
    }
    report.configs[base].verify = Some(reference);
}

/// `K/N` → the matrix positions of shard K (1-based): K-1, K-1+N, ...
fn shard_indices(spec: &str, len: usize) -> anyhow::Result<Vec<usize>> {
    let parsed = spec.split_once('/').and_then(|(k, n)| {
        Some((
            k.trim().parse::<usize>().ok()?,
            n.trim().parse::<usize>().ok()?,
        ))
    });
    match parsed {
        Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok((k - 1..len).step_by(n).collect()),
        _ => bail!("--shard `{spec}`: expected K/N with 1 ≤ K ≤ N, e.g. --shard 2/4"),
    }
}

/// Join shard reports: same schema, toolchain, target, project and sources.
fn merge(args: crate::cli::MergeArgs) -> anyhow::Result<ExitCode> {
    let sink = Sink::open(args.output.output.as_deref())?;
    let mut reports = Vec::new();
    for p in &args.reports {
        reports.push((p, read_report(p)?));
    }
    let (first_path, first) = &reports[0];
    let key = |r: &Report| {
        (
            r.toolchain.as_ref().map(|t| t.rustc_version.clone()),
            r.target.clone(),
            r.project
                .as_ref()
                .map(|p| (p.package.clone(), p.binary.clone(), p.features.clone())),
            r.sources.clone(),
        )
    };
    for (p, r) in &reports[1..] {
        let (a, b) = (key(first), key(r));
        let what = if a.0 != b.0 {
            "toolchain"
        } else if a.1 != b.1 {
            "target"
        } else if a.2 != b.2 {
            "project"
        } else if a.3 != b.3 {
            "sources"
        } else {
            continue;
        };
        bail!(
            "cannot merge `{}` with `{}`: they were built from different {what}s\n  hint: merge shards of one run only (same commit, toolchain and target)",
            p.display(),
            first_path.display()
        );
    }
    let mut merged = first.clone();
    merged.configs.clear();
    merged.shard = None;
    merged.complete = reports.iter().all(|(_, r)| r.complete);
    for (p, r) in &reports {
        for c in &r.configs {
            if merged.configs.iter().any(|m| m.name == c.name) {
                bail!("configuration `{}` is in more than one report (again in `{}`)\n  hint: each shard must be a different K of the same N", c.name, p.display());
            }
            merged.configs.push(c.clone());
        }
    }
    merged
        .configs
        .sort_by_key(|c| c.matrix_index.unwrap_or(usize::MAX));
    let baseline = args
        .output
        .baseline
        .clone()
        .or_else(|| merged.configs.first().map(|c| c.name.clone()));
    merged.finalize(baseline.as_deref());
    let objective = Objective::for_target(merged.target.as_deref().unwrap_or(""));
    merged.ablation = ablation::analyse(&merged, objective);
    if let Some(model) = merged.cost.clone() {
        crate::cost::apply(&mut merged, &model);
    }
    sink.finish(&exporter(args.output.format).render(&merged)?)?;
    Ok(ExitCode::SUCCESS)
}

/// The file's `[cost]` table with the command line's prices on top.
fn cost_model(file: Option<CostModel>, args: &CostArgs) -> CostModel {
    let mut m = file.unwrap_or_default();
    m.price_per_kib = args.price_per_kib.or(m.price_per_kib);
    m.units = args.units.or(m.units);
    m.currency = args.currency.clone().or(m.currency);
    if let (Some(devices), Some(updates_per_year), Some(price_per_mb)) = (
        args.ota_devices,
        args.ota_updates_per_year,
        args.ota_price_per_mb,
    ) {
        m.ota = Some(Ota {
            devices,
            updates_per_year,
            price_per_mb,
        });
    }
    m
}

fn round_ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

/// CPU time of this process alone (measuring, stripping, reporting): the
/// builds run in child processes.
fn own_cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

pub(crate) fn result_row(
    config: &Config,
    id: String,
    outcome: crate::build::BuildOutcome,
) -> ConfigResult {
    let mut error = outcome.error.clone();
    let size = match (&outcome.artifact, outcome.ok) {
        (Some(path), true) => match measure_file(path) {
            Ok(m) => Some(m),
            Err(e) => {
                error = Some(e.to_string());
                None
            }
        },
        _ => None,
    };
    ConfigResult {
        name: config.name.clone(),
        matrix_index: None,
        id,
        changes: config.summary(),
        profile: config.profile,
        settings: config.settings.clone(),
        rustflags: config.rustflags.clone(),
        build_std: outcome.build_std,
        build_std_features: config.build_std_features.clone(),
        ok: size.is_some(),
        error,
        log: Some(outcome.log),
        artifact: outcome.artifact,
        size,
        regions: Vec::new(),
        flash_pct: None,
        ram_pct: None,
        build_seconds: Some((outcome.wall_seconds * 1000.0).round() / 1000.0),
        cpu_seconds: Some((outcome.cpu_seconds * 1000.0).round() / 1000.0),
        fresh: outcome.fresh,
        reused: false,
        cost: None,
        attribution: None,
        debug_file: None,
        verify: None,
        delta: None,
        shares_build_of: None,
        root_build_seconds: None,
    }
}
