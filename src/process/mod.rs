//! The one child-process supervisor: every program the tool runs (cargo,
//! a binary under its runner, QEMU) runs in a process group of its own, so
//! that a time limit or the stop flag (Ctrl-C, SIGTERM) ends it and
//! everything it started; its CPU time is read when it is reaped.

#[cfg(unix)]
#[path = "unix.rs"]
mod platform;
#[cfg(windows)]
#[path = "windows.rs"]
mod platform;

use platform::try_wait_cpu;
pub use platform::{kill_group, own_cpu_seconds, spawn};

use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The stop flag (Ctrl-C, SIGTERM) was raised while a child ran; it and
/// everything it started were stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// Whether a runner's program is QEMU (`qemu-system-*`): its runs can be
/// counted by the plugin and stopped at an instruction budget.
pub fn is_qemu(program: &str) -> bool {
    std::path::Path::new(program)
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("qemu-system-"))
}

/// What a child runs under.
#[derive(Clone, Copy)]
pub struct Limits<'a> {
    /// Raised by a signal: stop at once.
    pub stop: &'a AtomicBool,
    pub timeout: Option<Duration>,
}

/// How a supervised child ended.
#[derive(Debug)]
pub enum Ended {
    /// It exited; CPU seconds of it and every child it waited for.
    Exited {
        status: ExitStatus,
        cpu_seconds: f64,
    },
    /// The time limit passed; the group was killed.
    TimedOut,
    /// The stop flag was raised; the group was killed.
    Stopped,
    /// Waiting for it failed (the group was killed).
    Lost(std::io::Error),
}

/// The end of a child and how long it ran.
#[derive(Debug)]
pub struct Finished {
    pub ended: Ended,
    pub wall_seconds: f64,
}

/// Wait for `child` under `limits`. Between checks `idle` is called with
/// the time it may take (it may return earlier, e.g. after handling a line
/// of output); `None` sleeps.
pub fn supervise(
    child: &mut Child,
    limits: Limits<'_>,
    mut idle: Option<&mut dyn FnMut(Duration)>,
) -> Finished {
    let started = Instant::now();
    let tick = Duration::from_millis(20);
    let ended = loop {
        if limits.stop.load(Ordering::SeqCst) {
            kill_group(child);
            break Ended::Stopped;
        }
        if limits.timeout.is_some_and(|t| started.elapsed() > t) {
            kill_group(child);
            break Ended::TimedOut;
        }
        match try_wait_cpu(child) {
            Ok(Some((status, cpu_seconds))) => {
                break Ended::Exited {
                    status,
                    cpu_seconds,
                }
            }
            Ok(None) => {}
            Err(e) => {
                kill_group(child);
                break Ended::Lost(e);
            }
        }
        match idle.as_mut() {
            Some(f) => f(tick * 5),
            None => std::thread::sleep(tick),
        }
    };
    Finished {
        ended,
        wall_seconds: started.elapsed().as_secs_f64(),
    }
}

/// A finished child with what it wrote.
pub struct Captured {
    pub finished: Finished,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Captured {
    /// All it wrote: stdout, then stderr.
    pub fn all(&self) -> Vec<u8> {
        [&self.stdout[..], &self.stderr[..]].concat()
    }
}

/// Run `cmd` to its end (or the limits), capturing stdout and stderr.
pub fn run_captured(cmd: &mut Command, limits: Limits<'_>) -> std::io::Result<Captured> {
    run_with_input(cmd, limits, std::process::Stdio::null())
}

/// `run_captured` with `input` as the child's standard input.
pub fn run_with_input(
    cmd: &mut Command,
    limits: Limits<'_>,
    input: std::process::Stdio,
) -> std::io::Result<Captured> {
    use std::io::Read;
    cmd.stdin(input)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = spawn(cmd)?;
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = r.read_to_end(&mut b);
            b
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped")));
    let err = drain(Box::new(child.stderr.take().expect("piped")));
    let finished = supervise(&mut child, limits, None);
    Ok(Captured {
        finished,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// `Command::output` under the stop flag and `timeout`, in a process group
/// of its own: for the short questions the tool asks (git, `cargo
/// metadata`, a tool's version). A stop or the time limit is an error of
/// kind `Interrupted` or `TimedOut`.
pub fn output(cmd: &mut Command, timeout: Duration) -> std::io::Result<std::process::Output> {
    use std::io::{Error, ErrorKind};
    let limits = Limits {
        stop: crate::stop_flag(),
        timeout: Some(timeout),
    };
    let run = run_captured(cmd, limits)?;
    let status = match run.finished.ended {
        Ended::Exited { status, .. } => status,
        Ended::Stopped => return Err(Error::new(ErrorKind::Interrupted, "interrupted")),
        Ended::TimedOut => {
            return Err(Error::new(
                ErrorKind::TimedOut,
                format!("did not finish within {} s", timeout.as_secs()),
            ))
        }
        Ended::Lost(e) => return Err(e),
    };
    Ok(std::process::Output {
        status,
        stdout: run.stdout,
        stderr: run.stderr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_timeout_and_stop() {
        let stop = AtomicBool::new(false);
        let limits = Limits {
            stop: &stop,
            timeout: Some(Duration::from_millis(300)),
        };
        let mut c = spawn(Command::new("true").stdin(std::process::Stdio::null())).unwrap();
        let f = supervise(&mut c, limits, None);
        assert!(matches!(f.ended, Ended::Exited { status, .. } if status.success()));
        // A child of the child is ended with it (same process group).
        let mut c = spawn(Command::new("sh").args(["-c", "sleep 30 & sleep 30"])).unwrap();
        let f = supervise(&mut c, limits, None);
        assert!(matches!(f.ended, Ended::TimedOut), "{f:?}");
        assert!(f.wall_seconds < 5.0);
        stop.store(true, Ordering::SeqCst);
        let mut c = spawn(Command::new("sleep").arg("30")).unwrap();
        let f = supervise(&mut c, limits, None);
        assert!(matches!(f.ended, Ended::Stopped));
    }

    #[test]
    fn output_keeps_the_streams_apart_and_times_out() {
        let mut c = Command::new("sh");
        c.args(["-c", "echo out; echo err >&2; exit 3"]);
        let o = output(&mut c, Duration::from_secs(30)).unwrap();
        assert_eq!(
            (&o.stdout[..], &o.stderr[..]),
            (&b"out\n"[..], &b"err\n"[..])
        );
        assert_eq!(o.status.code(), Some(3));
        let e = output(Command::new("sleep").arg("30"), Duration::from_millis(200)).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
    }
}
