//! One `cargo weigh` run per target directory at a time. Cargo locks its
//! own build directory, but between cargo finishing and the artifact being
//! copied out, another run could overwrite the uplifted binary; a second run
//! therefore waits for the first (and says so).

use std::fs::{File, TryLockError};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Held for the whole run; released when dropped (or the process ends).
pub struct RunLock {
    _file: File,
}

/// Take the lock of `weigh_dir`, waiting while another run holds it.
/// Returns `None` when `stop` was raised while waiting.
pub fn lock_run(
    weigh_dir: &Path,
    stop: &AtomicBool,
    quiet: bool,
) -> std::io::Result<Option<RunLock>> {
    std::fs::create_dir_all(weigh_dir)?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(weigh_dir.join(".lock"))?;
    let mut told = false;
    loop {
        // flock(2) on Unix, LockFileEx on Windows.
        match file.try_lock() {
            Ok(()) => return Ok(Some(RunLock { _file: file })),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(e),
        }
        if !told && !quiet {
            eprintln!(
                "waiting: another cargo weigh run is using {} (it finishes first, then this one starts)",
                weigh_dir.display()
            );
            told = true;
        }
        if stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
