//! Host binaries: instructions retired by the workload, counted by
//! valgrind's cachegrind (`Ir`, deterministic for a deterministic program),
//! and wall time as the median of several runs with its spread.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use super::types::{Interrupted, Runtime};
use crate::process::{self, Ended, Limits};

/// What to run a host binary with.
#[derive(Debug, Clone)]
pub struct HostWorkload {
    pub args: Vec<String>,
    /// A file given as standard input.
    pub stdin: Option<PathBuf>,
    /// Timed runs for the median.
    pub runs: usize,
    pub timeout: Duration,
}

const METHOD: &str =
    "valgrind --tool=cachegrind (instructions retired, Ir); wall time the median of direct runs";

fn input(w: &HostWorkload) -> Result<Stdio, String> {
    match &w.stdin {
        Some(p) => std::fs::File::open(p)
            .map(Stdio::from)
            .map_err(|e| format!("cannot read --runtime-stdin `{}`: {e}", p.display())),
        None => Ok(Stdio::null()),
    }
}

/// One run of `cmd` under the workload; its exit code, or why it failed.
fn run(
    cmd: &mut Command,
    w: &HostWorkload,
    stop: &AtomicBool,
) -> Result<Result<Option<i32>, String>, Interrupted> {
    let stdin = match input(w) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    let limits = Limits {
        stop,
        timeout: Some(w.timeout),
    };
    let done = match process::run_with_input(cmd, limits, stdin) {
        Ok(d) => d,
        Err(e) => return Ok(Err(format!("cannot run it: {e}"))),
    };
    Ok(match done.finished.ended {
        Ended::Stopped => return Err(Interrupted),
        Ended::TimedOut => Err(format!(
            "the workload did not finish within {} s\n  hint: a smaller workload, or more time with --runtime-timeout",
            w.timeout.as_secs()
        )),
        Ended::Lost(e) => Err(format!("waiting for it failed: {e}")),
        Ended::Exited { status, .. } => Ok(status.code()),
    })
}

/// Instructions retired, from cachegrind's summary line.
fn instructions(
    artifact: &Path,
    w: &HostWorkload,
    cwd: &Path,
    stop: &AtomicBool,
) -> Result<Result<u64, String>, Interrupted> {
    // `VALGRIND` names another valgrind, as build systems allow.
    let valgrind = std::env::var_os("VALGRIND").unwrap_or_else(|| "valgrind".into());
    if which::which(&valgrind).is_err() {
        return Ok(Err(format!(
            "valgrind (`{}`) is not installed, so host instructions are not counted\n  hint: apt-get install valgrind (or your system's package), or set VALGRIND to its path",
            valgrind.to_string_lossy()
        )));
    }
    let Ok(out) = tempfile::NamedTempFile::new() else {
        return Ok(Err("cannot create a temporary file".into()));
    };
    let mut cmd = Command::new(&valgrind);
    cmd.args(["--tool=cachegrind", "--cache-sim=no", "--quiet"])
        .arg(format!("--cachegrind-out-file={}", out.path().display()))
        .arg("--")
        .arg(artifact)
        .args(&w.args)
        .current_dir(cwd);
    if let Err(e) = run(&mut cmd, w, stop)? {
        return Ok(Err(format!("under valgrind: {e}")));
    }
    let text = std::fs::read_to_string(out.path()).unwrap_or_default();
    Ok(text
        .lines()
        .find_map(|l| l.strip_prefix("summary:")?.trim().parse().ok())
        .ok_or_else(|| "valgrind wrote no instruction count".to_string()))
}

/// Median and spread (% of the median) of the timed runs.
fn median_spread(mut times: Vec<f64>) -> Option<(f64, f64)> {
    times.sort_by(f64::total_cmp);
    let median = *times.get(times.len() / 2)?;
    let spread = (times.last()? - times.first()?) / median * 100.0;
    Some((median, (spread * 100.0).round() / 100.0))
}

/// Measure a host binary with a workload.
pub fn measure_host(
    artifact: &Path,
    w: &HostWorkload,
    cwd: &Path,
    stop: &AtomicBool,
) -> Result<Runtime, Interrupted> {
    let mut times = Vec::new();
    let mut exit_code = None;
    for _ in 0..w.runs.max(1) {
        let mut cmd = Command::new(artifact);
        cmd.args(&w.args).current_dir(cwd);
        let started = Instant::now();
        match run(&mut cmd, w, stop)? {
            Ok(code) => exit_code = code,
            Err(e) => return Ok(Runtime::failed(METHOD, e)),
        }
        times.push(started.elapsed().as_secs_f64());
    }
    let counted = instructions(artifact, w, cwd, stop)?;
    let mut r = Runtime::failed(METHOD, String::new());
    r.error = counted.as_ref().err().cloned();
    r.instructions = counted.ok();
    if let Some((median, spread)) = median_spread(times) {
        r.wall_seconds = Some((median * 1e6).round() / 1e6);
        r.wall_spread = Some(spread);
    }
    r.exit_code = exit_code;
    r.stack_note = Some("not measured for host binaries".into());
    Ok(r)
}

#[cfg(test)]
mod tests {
    #[test]
    fn median_and_spread() {
        let (m, s) = super::median_spread(vec![1.0, 1.2, 0.8]).unwrap();
        assert_eq!(m, 1.0);
        assert!((s - 40.0).abs() < 1e-9);
    }
}
