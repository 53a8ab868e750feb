//! `--verify`: run each configuration's binary with the target's runner (as
//! `cargo run` would) and compare its output and exit status with the
//! baseline's, so a smaller build that behaves differently is flagged.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use crate::project::Runner;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Run `artifact` under `runner` (or directly, for an empty runner) with a timeout.
pub fn run_artifact(
    runner: &Runner,
    artifact: &Path,
    cwd: &Path,
    timeout: Duration,
) -> Verification {
    let mut cmd = match runner.argv.split_first() {
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args).arg(artifact);
            c
        }
        None => Command::new(artifact),
    };
    cmd.current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let error = |detail: String| Verification {
        status: VerifyStatus::Error,
        exit_code: None,
        timed_out: false,
        output: String::new(),
        detail: Some(detail),
    };
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let what = runner
                .argv
                .first()
                .map(String::as_str)
                .unwrap_or("the binary");
            return error(format!(
                "cannot run `{what}` (runner from {}): {e}",
                runner.source
            ));
        }
    };
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out_thread = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        b
    });
    let err_thread = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stderr.read_to_end(&mut b);
        b
    });
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if started.elapsed() > timeout => {
                timed_out = true;
                // SAFETY: signalling the process group we created.
                unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return error(format!("waiting for the runner failed: {e}")),
        }
    };
    let mut output = out_thread.join().unwrap_or_default();
    output.extend(err_thread.join().unwrap_or_default());
    let mut text = String::from_utf8_lossy(&output).into_owned();
    if text.len() > KEEP {
        let mut cut = KEEP;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    Verification {
        status: VerifyStatus::Same,
        exit_code: status.and_then(|s| s.code()),
        timed_out,
        output: text,
        detail: None,
    }
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
