//! One run of a binary under its runner, with a time limit; under QEMU,
//! with an instruction budget (cargo weigh's plugin, `-icount`) so that
//! firmware that never exits stops at the same point on every run.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::types::{Interrupted, Verification, VerifyStatus};
use crate::process::{self, Ended, Limits};
use crate::project::Runner;

/// Output kept in the report.
const KEEP: usize = 4096;

/// Stop QEMU runs after this many instructions, counted by this plugin.
#[derive(Debug, Clone, Copy)]
pub struct Budget<'a> {
    pub plugin: &'a Path,
    pub instructions: u64,
}

/// A run: its verification and everything it printed (compared in full).
pub struct Run {
    pub verification: Verification,
    pub output: Vec<u8>,
}

fn is_qemu(runner: &Runner) -> bool {
    runner
        .argv
        .first()
        .is_some_and(|p| crate::process::is_qemu(p))
}

/// The command; with a budget, QEMU also gets the plugin and `-icount`.
fn command(runner: &Runner, artifact: &Path, budget: Option<(&Budget<'_>, &Path)>) -> Command {
    let Some((program, args)) = runner.argv.split_first() else {
        return Command::new(artifact);
    };
    let mut c = Command::new(program);
    if let Some((b, out)) = budget {
        if !args.iter().any(|a| a.contains("icount")) {
            c.args(["-icount", "shift=5,align=off,sleep=off"]);
        }
        c.arg("-plugin").arg(format!(
            "{},out={},limit={}",
            b.plugin.display(),
            out.display(),
            b.instructions
        ));
    }
    c.args(args).arg(artifact);
    c
}

fn kept(output: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(output).into_owned();
    if text.len() > KEEP {
        let mut cut = KEEP;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

/// Run `artifact` under `runner` (or directly, for an empty runner) with a
/// timeout and, for QEMU, the budget; stopped at once when `stop` is raised.
pub fn run_artifact(
    runner: &Runner,
    artifact: &Path,
    cwd: &Path,
    timeout: Duration,
    stop: &AtomicBool,
    budget: Option<&Budget<'_>>,
) -> Result<Run, Interrupted> {
    let out = tempfile::NamedTempFile::new().ok();
    let budget = budget
        .filter(|_| is_qemu(runner))
        .zip(out.as_ref().map(|o| o.path()));
    let mut cmd = command(runner, artifact, budget);
    cmd.current_dir(cwd);
    let error = |detail: String| Run {
        verification: Verification {
            status: VerifyStatus::Error,
            exit_code: None,
            timed_out: false,
            output: String::new(),
            detail: Some(detail),
            stopped_at_limit: false,
        },
        output: Vec::new(),
    };
    let limits = Limits {
        stop,
        timeout: Some(timeout),
    };
    let captured = match process::run_captured(&mut cmd, limits) {
        Ok(c) => c,
        Err(e) => {
            let what = runner.argv.first().map_or("the binary", String::as_str);
            return Ok(error(format!(
                "cannot run `{what}` (runner from {}): {e}",
                runner.source
            )));
        }
    };
    let output = captured.all();
    let (exit_code, timed_out) = match captured.finished.ended {
        Ended::Stopped => return Err(Interrupted),
        Ended::Lost(e) => return Ok(error(format!("waiting for the runner failed: {e}"))),
        Ended::TimedOut => (None, true),
        Ended::Exited { status, .. } => (status.code(), false),
    };
    let stopped_at_limit = budget.is_some_and(|(_, path)| {
        std::fs::read_to_string(path).is_ok_and(|t| t.contains("stopped_at_limit=true"))
    });
    Ok(Run {
        verification: Verification {
            status: VerifyStatus::Same,
            exit_code: exit_code.filter(|_| !stopped_at_limit),
            timed_out,
            output: kept(&output),
            detail: None,
            stopped_at_limit,
        },
        output,
    })
}
