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
    compare, instruction_granular, run_artifact, runner_from_arg, Interrupted, Runner,
    Verification, VerifyStatus,
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
    bail!(
        "--verify: no runner for {target}\n  hint: set `runner` under [target.{target}] in .cargo/config.toml (as for `cargo run`), or pass --runner \"qemu-system-arm -machine ... -kernel\""
    )
}

fn run_one(
    runner: &Runner,
    c: &ConfigResult,
    cwd: &Path,
    timeout: Duration,
) -> Option<Result<Verification, Interrupted>> {
    let artifact = c.artifact.as_ref().filter(|_| c.ok)?;
    Some(run_artifact(
        runner,
        artifact,
        cwd,
        timeout,
        crate::stop_flag(),
    ))
}

/// Run the baseline first, then every other binary, and compare; false
/// when interrupted (the rows not run have no verification).
pub fn verify_all(report: &mut Report, runner: &Runner, cwd: &Path, timeout: Duration) -> bool {
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
    let mut reference = match run_one(runner, &report.configs[base], cwd, timeout) {
        None => return true,
        Some(Err(_)) => return false,
        Some(Ok(v)) => v,
    };
    if reference.status != VerifyStatus::Error {
        reference.status = VerifyStatus::Baseline;
    }
    for i in (0..report.configs.len()).filter(|&i| i != base) {
        let mut v = match run_one(runner, &report.configs[i], cwd, timeout) {
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
