//! Wiring the stages together for each command.

mod apply;
mod diff;
mod merge;
mod optimize;
mod run;
mod session;
mod top;

pub(crate) use run::run_matrix;

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::budget::{Budget, Growth};
use crate::cli::{BudgetArgs, Cli, Command, CostArgs, MeasureArgs, OutputArgs, RunArgs};
use crate::cost::{CostModel, Ota};
use crate::export::exporter;
use crate::matrix::{self, MatrixSource};
use crate::measure::measure_file;
use crate::memory::{parse_memory, MemoryMap};
use crate::output::Sink;
use crate::project;
use crate::report::read_report;
use crate::report::Report;
use crate::results::ConfigResult;
use crate::units::parse_size;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Measure(args)) => measure(args),
        Some(Command::Presets) => {
            presets();
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Apply(args)) => apply::apply(args),
        Some(Command::Merge(args)) => merge::merge(args),
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
                 or give the project a memory map (a linker script with a MEMORY block, e.g. memory.x) or --flash-size/--ram-size"
            );
        }
    }
    Ok(budget)
}

/// Print one line per violation, and choose the exit status.
fn gate(report: &Report) -> ExitCode {
    for v in report.budget.iter().flat_map(|b| &b.violations) {
        eprintln!("over budget: {v}");
    }
    for c in report.misbehaving() {
        let detail = c
            .verify
            .as_ref()
            .and_then(|v| v.detail.clone())
            .unwrap_or_default();
        eprintln!("behaves differently: {}: {detail}", c.config.name);
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
    crate::analysis::rederive(&mut report, flash, ram);
    let budget = check_limits(budget, report.memory.as_ref())?;
    let saved = report.baseline.clone();
    let growth = baseline.as_ref().map(|r| r.configs.as_slice());
    crate::analysis::derive(
        &mut report,
        &crate::analysis::Inputs {
            baseline: saved.as_deref(),
            cost: None,
            budget: Some(budget),
            growth_baseline: growth,
            ..Default::default()
        },
    );
    let code = gate(&report);
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
        let name = if rows.iter().any(|r: &ConfigResult| r.config.name == name) {
            file.display().to_string()
        } else {
            name
        };
        rows.push(ConfigResult::for_file(name, file.clone(), m));
    }
    let names: Vec<&str> = rows.iter().map(|r| r.config.name.as_str()).collect();
    check_baseline(args.output.baseline.as_deref(), &names)?;
    let mut report = Report::new(rows);
    report.memory = map;
    crate::analysis::derive(
        &mut report,
        &crate::analysis::Inputs {
            baseline: args.output.baseline.as_deref(),
            flash_size: flash,
            ram_size: ram,
            ..Default::default()
        },
    );
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
