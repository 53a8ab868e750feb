//! Process groups, `wait4`'s CPU time and signals (Unix).

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

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
pub(super) fn try_wait_cpu(child: &mut Child) -> std::io::Result<Option<(ExitStatus, f64)>> {
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
