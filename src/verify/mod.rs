//! `--verify`: run each configuration's binary with the target's runner (as
//! `cargo run` would) and compare its output and exit status with the
//! baseline's, so a smaller build that behaves differently is flagged.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::process::{self, Captured, Ended, Limits};
pub use crate::project::Runner;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum VerifyStatus {
    /// The reference run.
    Baseline,
    /// Same exit status and output as the baseline.
    Same,
    /// Different exit status or output.
    Different,
    /// Could not be run at all.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Verification {
    pub status: VerifyStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    /// Standard output then standard error, as text (at most 4 KiB kept).
    pub output: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Parse `--runner "qemu-system-arm -M ... -kernel"`.
pub fn runner_from_arg(arg: &str) -> Runner {
    Runner {
        argv: arg.split_whitespace().map(String::from).collect(),
        source: "--runner".into(),
    }
}

const KEEP: usize = 4096;

/// The stop flag was raised while a binary ran; it was stopped.
#[derive(Debug)]
pub struct Interrupted;

/// `qemu-system-*` delivers a pended interrupt only at the end of a
/// translation block, so code that LTO or inlining merged into longer blocks
/// sees it later than hardware would. One instruction per block makes
/// delivery instruction-granular; the runner gets that flag (`-singlestep`
/// up to QEMU 8.0, `-accel tcg,one-insn-per-tb=on` after).
pub fn instruction_granular(runner: Runner) -> Runner {
    let Some(program) = runner.argv.first() else {
        return runner;
    };
    let is_qemu = Path::new(program)
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("qemu-system-"));
    let already = runner
        .argv
        .iter()
        .any(|a| a == "-singlestep" || a.contains("one-insn-per-tb"));
    if !is_qemu || already {
        return runner;
    }
    let version = Command::new(program)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let (major, minor) = qemu_version(&version).unwrap_or((7, 2));
    let flag: &[&str] = if (major, minor) >= (8, 1) {
        &["-accel", "tcg,one-insn-per-tb=on"]
    } else {
        &["-singlestep"]
    };
    let mut argv = vec![program.clone()];
    argv.extend(flag.iter().map(|f| f.to_string()));
    argv.extend(runner.argv[1..].iter().cloned());
    Runner {
        argv,
        source: format!(
            "{}, with one instruction per translation block so interrupts are taken between any two instructions",
            runner.source
        ),
    }
}

/// `QEMU emulator version 7.2.11 (...)` → (7, 2).
fn qemu_version(text: &str) -> Option<(u32, u32)> {
    let v = text.split("version ").nth(1)?.split_whitespace().next()?;
    let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// Run `artifact` under `runner` (or directly, for an empty runner) with a
/// timeout; stopped at once when `stop` is raised.
pub fn run_artifact(
    runner: &Runner,
    artifact: &Path,
    cwd: &Path,
    timeout: Duration,
    stop: &AtomicBool,
) -> Result<Verification, Interrupted> {
    let mut cmd = match runner.argv.split_first() {
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args).arg(artifact);
            c
        }
        None => Command::new(artifact),
    };
    cmd.current_dir(cwd);
    let error = |detail: String| Verification {
        status: VerifyStatus::Error,
        exit_code: None,
        timed_out: false,
        output: String::new(),
        detail: Some(detail),
    };
    let limits = Limits {
        stop,
        timeout: Some(timeout),
    };
    let Captured { finished, output } = match process::run_captured(&mut cmd, limits) {
        Ok(c) => c,
        Err(e) => {
            let what = runner
                .argv
                .first()
                .map(String::as_str)
                .unwrap_or("the binary");
            return Ok(error(format!(
                "cannot run `{what}` (runner from {}): {e}",
                runner.source
            )));
        }
    };
    let (exit_code, timed_out) = match finished.ended {
        Ended::Stopped => return Err(Interrupted),
        Ended::Lost(e) => return Ok(error(format!("waiting for the runner failed: {e}"))),
        Ended::TimedOut => (None, true),
        Ended::Exited { status, .. } => (status.code(), false),
    };
    let mut text = String::from_utf8_lossy(&output).into_owned();
    if text.len() > KEEP {
        let mut cut = KEEP;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    Ok(Verification {
        status: VerifyStatus::Same,
        exit_code,
        timed_out,
        output: text,
        detail: None,
    })
}

/// Mark each run against the baseline's: same status and output, or not.
pub fn compare(baseline: &Verification, other: &mut Verification) {
    if other.status == VerifyStatus::Error {
        return;
    }
    let same = other.exit_code == baseline.exit_code
        && other.timed_out == baseline.timed_out
        && other.output == baseline.output;
    if same {
        other.status = VerifyStatus::Same;
    } else {
        other.status = VerifyStatus::Different;
        let what = if other.exit_code != baseline.exit_code || other.timed_out != baseline.timed_out
        {
            format!(
                "exit status {} instead of {}",
                show_exit(other),
                show_exit(baseline)
            )
        } else {
            let first = first_difference(&baseline.output, &other.output);
            format!("output differs: `{}` instead of `{}`", first.1, first.0)
        };
        other.detail = Some(what);
    }
}

fn show_exit(v: &Verification) -> String {
    match (v.timed_out, v.exit_code) {
        (true, _) => "timeout".into(),
        (false, Some(c)) => c.to_string(),
        (false, None) => "killed by a signal".into(),
    }
}

/// The first differing line of two outputs.
fn first_difference(a: &str, b: &str) -> (String, String) {
    let mut la = a.lines();
    let mut lb = b.lines();
    loop {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => {
                return (
                    x.unwrap_or("<end of output>").chars().take(120).collect(),
                    y.unwrap_or("<end of output>").chars().take(120).collect(),
                )
            }
        }
    }
}
