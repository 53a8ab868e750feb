//! The one child-process supervisor: every program the tool runs (cargo,
//! a binary under its runner, QEMU) runs in a process group of its own, so
//! that a time limit or the stop flag (Ctrl-C, SIGTERM) ends it and
//! everything it started; its CPU time is read when it is reaped.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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

/// CPU time of this process alone (measuring, stripping, reporting): the
/// builds run in child processes.
pub fn own_cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

/// Start `cmd` as the leader of a new process group.
pub fn spawn(cmd: &mut Command) -> std::io::Result<Child> {
    cmd.process_group(0).spawn()
}

/// Reap `child` if it has exited, with the CPU time of it and everything it
/// waited for. Per child, so other children running at the same time in
/// other threads are not counted.
fn try_wait_cpu(child: &Child) -> std::io::Result<Option<(ExitStatus, f64)>> {
    let mut status = 0;
    // SAFETY: wait4 only writes into the values we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, libc::WNOHANG, &mut ru) };
    match pid {
        0 => Ok(None),
        p if p < 0 => Err(std::io::Error::last_os_error()),
        _ => {
            let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
            Ok(Some((
                ExitStatus::from_raw(status),
                t(ru.ru_utime) + t(ru.ru_stime),
            )))
        }
    }
}

/// End the child's process group: SIGTERM (cargo then removes its lock
/// files), SIGKILL after three seconds; the child is reaped.
pub fn kill_group(child: &mut Child) {
    let pgid = -(child.id() as i32);
    // SAFETY: signalling a process group this module created.
    unsafe { libc::kill(pgid, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            // The leader is gone; its group may not be.
            unsafe { libc::kill(pgid, libc::SIGKILL) };
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    unsafe { libc::kill(pgid, libc::SIGKILL) };
    let _ = child.wait();
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

/// A finished child with what it wrote: stdout, then stderr.
pub struct Captured {
    pub finished: Finished,
    pub output: Vec<u8>,
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
    let mut output = out.join().unwrap_or_default();
    output.extend(err.join().unwrap_or_default());
    Ok(Captured { finished, output })
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
}
