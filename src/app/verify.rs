//! `--verify`: the runner, and every binary run and compared with the
//! baseline's run.

use std::path::Path;
use std::time::Duration;

use anyhow::bail;

use super::session::Session;
use crate::options::VerifyOptions;
use crate::report::Report;
use crate::results::ConfigResult;
use crate::verify::{
    compare, instruction_granular, run_artifact, runner_from_arg, Budget, Interrupted, Run, Runner,
    VerifyStatus,
};

/// The runner: `--runner`, the project's configured runner, or (for the
/// host) the binary itself. QEMU runs one instruction per translation block.
pub fn runner(opts: &VerifyOptions, s: &Session) -> anyhow::Result<Runner> {
    if let Some(r) = &opts.runner {
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
    if target.starts_with("wasm32-wasi") {
        bail!("--verify: no runner for {target}\n  hint: pass --runner wasmtime (or set `runner` under [target.{target}] in .cargo/config.toml)");
    }
    if target.starts_with("wasm") {
        bail!("--verify: {target} builds a module for a JavaScript host, which cargo weigh cannot run\n  hint: drop --verify, or test the module where it runs (wasm-bindgen-test, a browser)");
    }
    bail!(
        "--verify: no runner for {target}\n  hint: set `runner` under [target.{target}] in .cargo/config.toml (as for `cargo run`), or pass --runner \"qemu-system-arm -machine ... -kernel\""
    )
}

/// How each binary is run: the runner, where, for how long, and (QEMU)
/// the instruction budget that stops firmware that never exits.
pub struct Runs<'a> {
    pub runner: &'a Runner,
    pub cwd: &'a Path,
    pub timeout: Duration,
    pub budget: Option<Budget<'a>>,
}

fn run_one(runs: &Runs<'_>, c: &ConfigResult) -> Option<Result<Run, Interrupted>> {
    let artifact = c.artifact.as_ref().filter(|_| c.ok)?;
    Some(run_artifact(
        runs.runner,
        artifact,
        runs.cwd,
        runs.timeout,
        crate::stop_flag(),
        runs.budget.as_ref(),
    ))
}

/// Run the baseline first, then every other binary, and compare; false
/// when interrupted (the rows not run have no verification).
pub fn verify_all(report: &mut Report, runs: &Runs<'_>) -> bool {
    let runner = runs.runner;
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
    let mut reference = match run_one(runs, &report.configs[base]) {
        None => return true,
        Some(Err(_)) => return false,
        Some(Ok(v)) => v,
    };
    if reference.verification.status != VerifyStatus::Error {
        reference.verification.status = VerifyStatus::Baseline;
    }
    for i in (0..report.configs.len()).filter(|&i| i != base) {
        let mut run = match run_one(runs, &report.configs[i]) {
            None => continue,
            Some(Err(_)) => return false,
            Some(Ok(r)) => r,
        };
        if reference.verification.status == VerifyStatus::Error {
            run.verification.status = VerifyStatus::Error;
            run.verification.detail =
                Some("the baseline could not be run, so nothing to compare with".into());
        } else {
            compare(&reference, &mut run);
        }
        report.configs[i].checks.verify = Some(run.verification);
    }
    report.configs[base].checks.verify = Some(reference.verification);
    let stopped = report
        .configs
        .iter()
        .any(|c| c.checks.verify.as_ref().is_some_and(|v| v.stopped_at_limit));
    if let (true, Some(b), Some(r)) = (stopped, &runs.budget, report.runner.as_mut()) {
        r.push_str(&format!(
            "; firmware that did not exit was stopped after {} instructions under -icount (the same point every run) and its complete lines compared",
            crate::units::thousands(b.instructions)
        ));
    }
    true
}
