//! Running cargo for one configuration: log, artifact, timings, isolation.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cargo_metadata::Message;

use super::{BuildEnv, Recipe};
use crate::matrix::Config;

/// The result of one configuration's build.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    pub ok: bool,
    /// Our own copy of the binary, safe from the next build.
    pub artifact: Option<PathBuf>,
    pub log: PathBuf,
    pub wall_seconds: f64,
    pub cpu_seconds: f64,
    /// First error line, for a failed build.
    pub error: Option<String>,
    /// Crates built from source with `-Zbuild-std`, if any.
    pub build_std: Vec<String>,
    /// Cargo compiled nothing: every unit was fresh from an earlier run, so
    /// the time is not this configuration's build cost.
    pub fresh: bool,
}

/// What a build runs under: the stop flag (signals), a time limit, and the
/// jobserver shared by builds running at the same time.
pub struct Control<'a> {
    pub stop: &'a AtomicBool,
    pub timeout: Option<Duration>,
    pub jobserver: Option<&'a jobserver::Client>,
}

/// The run was stopped by a signal; the child processes were stopped.
#[derive(Debug)]
pub struct Interrupted;

fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    s.chars().take(48).collect()
}

/// Reap `child` if it has exited, with the CPU time of it and everything it
/// waited for (rustc, build scripts). Per child, so builds running at the
/// same time in other threads are not counted.
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

/// Stop cargo and every rustc it started (they share its process group).
fn stop_group(child: &mut Child) {
    let pgid = child.id() as i32;
    // SAFETY: signalling a process group we created.
    unsafe { libc::kill(-pgid, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    unsafe { libc::kill(-pgid, libc::SIGKILL) };
    let _ = child.wait();
}

/// Build one configuration. `progress` receives cargo's status lines
/// (`Compiling core ...`); `stop` is checked while cargo runs.
pub fn build_one(
    env: &BuildEnv,
    config: &Config,
    recipe: &Recipe,
    id: &str,
    control: &Control<'_>,
    progress: &mut dyn FnMut(&str),
) -> Result<BuildOutcome, Interrupted> {
    let Control {
        stop,
        timeout,
        jobserver,
    } = *control;
    let logs = env.weigh_dir.join("logs");
    let log_path = logs.join(format!("{}-{id}.log", slug(&config.name)));
    let build_std = env.build_std_for(config);
    let mut outcome = BuildOutcome {
        ok: false,
        artifact: None,
        log: log_path.clone(),
        wall_seconds: 0.0,
        cpu_seconds: 0.0,
        error: None,
        build_std: build_std.clone(),
        fresh: false,
    };
    let log = match std::fs::create_dir_all(&logs).and_then(|_| File::create(&log_path)) {
        Ok(f) => Arc::new(Mutex::new(f)),
        Err(e) => {
            outcome.error = Some(format!("cannot write log `{}`: {e}", log_path.display()));
            return Ok(outcome);
        }
    };
    let mut cmd = env.command(config, recipe);
    if let Some(client) = jobserver {
        client.configure(&mut cmd);
    }
    {
        let mut l = log.lock().unwrap();
        let _ = writeln!(l, "# configuration: {} ({})", config.name, config.summary());
        if let Some(base) = &recipe.base {
            let _ = writeln!(
                l,
                "# shares the dependencies of `{}`; only the root crate is rebuilt with {}",
                base.name,
                recipe.root_args.join(" ")
            );
        }
        let _ = writeln!(l, "# cwd: {}", env.project.package_dir.display());
        let _ = writeln!(
            l,
            "# command: {} {}",
            env.toolchain.cargo.display(),
            env.args(config, recipe)
                .iter()
                .map(|a| {
                    let a = a.to_string_lossy();
                    // A NUL byte cannot be quoted; cargo could not take it either.
                    shlex::try_quote(&a).map_or_else(|_| a.to_string(), |q| q.into_owned())
                })
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);

    let started = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            outcome.error = Some(format!("cannot run {}: {e}", env.toolchain.cargo.display()));
            return Ok(outcome);
        }
    };

    let (tx, rx) = mpsc::channel::<String>();
    let stderr = child.stderr.take().expect("piped");
    let stderr_log = Arc::clone(&log);
    let stderr_thread = std::thread::spawn(move || {
        let mut first_error = None;
        let mut compiled = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = writeln!(stderr_log.lock().unwrap(), "{line}");
            let t = line.trim_start();
            if first_error.is_none() && t.starts_with("error") {
                first_error = Some(t.to_string());
            }
            compiled |= t.starts_with("Compiling");
            if t.starts_with("Compiling") || t.starts_with("Finished") {
                let _ = tx.send(t.to_string());
            }
        }
        (first_error, compiled)
    });
    let stdout = child.stdout.take().expect("piped");
    let stdout_log = Arc::clone(&log);
    let (binary, kind) = (env.project.binary.clone(), env.project.kind);
    let stdout_thread = std::thread::spawn(move || {
        let mut artifact = None;
        for msg in Message::parse_stream(BufReader::new(stdout)).map_while(Result::ok) {
            match msg {
                Message::CompilerArtifact(a) => {
                    let is_ours = a.target.name == binary
                        && a.target.kind.iter().any(|k| {
                            let k = k.to_string();
                            match kind {
                                crate::project::BinKind::Bin => k == "bin",
                                crate::project::BinKind::Example => k == "example",
                            }
                        });
                    if is_ours {
                        if let Some(exe) = a.executable {
                            artifact = Some(exe.into_std_path_buf());
                        }
                    }
                }
                Message::TextLine(line) => {
                    let _ = writeln!(stdout_log.lock().unwrap(), "{line}");
                }
                _ => {}
            }
        }
        artifact
    });

    let (status, cpu) = loop {
        if stop.load(Ordering::SeqCst) {
            stop_group(&mut child);
            let _ = writeln!(log.lock().unwrap(), "# interrupted");
            return Err(Interrupted);
        }
        if let Some(limit) = timeout {
            if started.elapsed() > limit {
                stop_group(&mut child);
                let _ = stderr_thread.join();
                let _ = stdout_thread.join();
                outcome.wall_seconds = started.elapsed().as_secs_f64();
                outcome.error = Some(format!(
                    "timed out after {}s (--timeout); the build was stopped",
                    limit.as_secs()
                ));
                let _ = writeln!(
                    log.lock().unwrap(),
                    "# {}",
                    outcome.error.as_deref().unwrap_or("")
                );
                return Ok(outcome);
            }
        }
        match try_wait_cpu(&child) {
            Ok(Some(done)) => break done,
            Ok(None) => {}
            Err(e) => {
                outcome.error = Some(format!("waiting for cargo failed: {e}"));
                return Ok(outcome);
            }
        }
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            progress(&line);
        }
    };
    outcome.wall_seconds = started.elapsed().as_secs_f64();
    outcome.cpu_seconds = cpu;
    let (first_error, compiled) = stderr_thread.join().unwrap_or((None, true));
    outcome.fresh = !compiled;
    let artifact = stdout_thread.join().unwrap_or(None);

    if !status.success() {
        outcome.error = Some(first_error.unwrap_or_else(|| format!("cargo exited with {status}")));
        return Ok(outcome);
    }
    let Some(built) = artifact else {
        outcome.error = Some("cargo reported no executable for the binary".into());
        return Ok(outcome);
    };
    match keep_artifact(&built, &env.weigh_dir.join("artifacts").join(id)) {
        Ok(kept) => {
            outcome.ok = true;
            outcome.artifact = Some(kept);
        }
        Err(e) => {
            outcome.error = Some(format!(
                "cannot keep the artifact `{}`: {e}",
                built.display()
            ))
        }
    }
    Ok(outcome)
}

/// Copy the binary into its configuration's slot, atomically (temp + rename),
/// so a cache entry is never half-written.
fn keep_artifact(built: &Path, dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let name = built.file_name().unwrap_or_default();
    let dest = dir.join(name);
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    let mut source = File::open(built)?;
    std::io::copy(&mut source, tmp.as_file_mut())?;
    // Keep the executable bit: a kept binary can still be run (e.g. --verify).
    std::fs::set_permissions(tmp.path(), source.metadata()?.permissions())?;
    tmp.persist(&dest).map_err(|e| e.error)?;
    Ok(dest)
}
