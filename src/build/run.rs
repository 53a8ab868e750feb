//! Running cargo for one configuration: log, artifact, timings, isolation.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::command::{BuildEnv, Recipe};
use super::output::{read_stderr, read_stdout, LinkFacts, Overflow, Progress, StderrFacts};
use crate::matrix::Config;
use crate::process::{self, Ended, Limits};

/// The result of one configuration's build.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    pub ok: bool,
    /// Our own copy of the binary, safe from the next build.
    pub artifact: Option<PathBuf>,
    pub log: PathBuf,
    pub wall_seconds: f64,
    /// CPU time of cargo and everything it ran (rustc, the linker, build
    /// scripts): comparable between builds whatever else ran at the time.
    pub cpu_seconds: f64,
    /// First error line, for a failed build.
    pub error: Option<String>,
    /// Memory regions the linker could not fit the program into.
    pub overflows: Vec<Overflow>,
    /// Crates built from source with `-Zbuild-std`, if any.
    pub build_std: Vec<String>,
    /// Cargo compiled nothing: every unit was fresh from an earlier run, so
    /// the time is not this configuration's build cost.
    pub fresh: bool,
    /// Units cargo compiled in this build.
    pub compiled_units: usize,
    /// Where the linker searched for scripts (for the memory map).
    pub link: LinkFacts,
    /// Measured without a step that should have run (wasm-bindgen could
    /// not): the row is shown but not cached, so the next run, with the
    /// right tool, measures what ships.
    pub provisional: bool,
}

impl BuildOutcome {
    /// Not built yet.
    fn new(log: PathBuf, build_std: Vec<String>) -> BuildOutcome {
        BuildOutcome {
            ok: false,
            artifact: None,
            log,
            wall_seconds: 0.0,
            cpu_seconds: 0.0,
            error: None,
            overflows: Vec::new(),
            build_std,
            fresh: false,
            compiled_units: 0,
            link: LinkFacts::default(),
            provisional: false,
        }
    }
}

/// What a build runs under: the stop flag (signals), a time limit, and the
/// jobserver shared by builds running at the same time.
pub struct Control<'a> {
    pub stop: &'a AtomicBool,
    pub timeout: Option<Duration>,
    pub jobserver: Option<&'a jobserver::Client>,
}

pub use crate::process::Interrupted;

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

/// The first lines of a build's log: what was built, where, how.
fn log_header(env: &BuildEnv, config: &Config, recipe: &Recipe, log: &mut File) {
    let _ = writeln!(
        log,
        "# configuration: {} ({})",
        config.name,
        config.summary()
    );
    if let Some(base) = &recipe.base {
        let _ = writeln!(
            log,
            "# shares the dependencies of `{}`; only the root crate is rebuilt with {}",
            base.name,
            recipe.root_args.join(" ")
        );
    }
    let _ = writeln!(log, "# cwd: {}", env.project.package_dir.display());
    let args: Vec<String> = env
        .args(config, recipe)
        .iter()
        .map(|a| {
            let a = a.to_string_lossy();
            // A NUL byte cannot be quoted; cargo could not take it either.
            shlex::try_quote(&a).map_or_else(|_| a.to_string(), |q| q.into_owned())
        })
        .collect();
    let _ = writeln!(
        log,
        "# command: {} {}",
        env.toolchain.cargo.display(),
        args.join(" ")
    );
}

/// Build one configuration. `progress` receives cargo's status lines
/// (`Compiling core ...`); `stop` is checked while cargo runs.
pub fn build_one(
    env: &BuildEnv,
    config: &Config,
    recipe: &Recipe,
    id: &str,
    control: &Control<'_>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<BuildOutcome, Interrupted> {
    let logs = env.weigh_dir.join("logs");
    let log_path = logs.join(format!("{}-{id}.log", slug(&config.name)));
    let mut outcome = BuildOutcome::new(log_path.clone(), env.build_std_for(config));
    let mut file = match std::fs::create_dir_all(&logs).and_then(|_| File::create(&log_path)) {
        Ok(f) => f,
        Err(e) => {
            outcome.error = Some(format!("cannot write log `{}`: {e}", log_path.display()));
            return Ok(outcome);
        }
    };
    log_header(env, config, recipe, &mut file);
    let log = Arc::new(Mutex::new(file));
    let mut cmd = env.command(config, recipe);
    if let Some(client) = control.jobserver {
        client.configure(&mut cmd);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match process::spawn(&mut cmd) {
        Ok(c) => c,
        Err(e) => {
            outcome.error = Some(format!("cannot run {}: {e}", env.toolchain.cargo.display()));
            return Ok(outcome);
        }
    };
    let (tx, rx) = mpsc::channel::<Progress>();
    let stderr = child.stderr.take().expect("piped");
    let (err_log, err_tx) = (Arc::clone(&log), tx.clone());
    let stderr_thread = std::thread::spawn(move || read_stderr(stderr, err_log, err_tx));
    let stdout = child.stdout.take().expect("piped");
    let out_log = Arc::clone(&log);
    let (binary, kind) = (env.project.binary.clone(), env.project.kind);
    let root = format!("file://{}#", env.project.package_dir.display());
    let stdout_thread =
        std::thread::spawn(move || read_stdout(stdout, out_log, tx, &binary, kind, &root));
    let limits = Limits {
        stop: control.stop,
        timeout: control.timeout,
    };
    let mut idle = |wait: Duration| {
        if let Ok(p) = rx.recv_timeout(wait) {
            progress(&p);
        }
    };
    let finished = process::supervise(&mut child, limits, Some(&mut idle));
    let errs = stderr_thread.join().unwrap_or_default();
    let outs = stdout_thread.join().unwrap_or_default();
    outcome.wall_seconds = finished.wall_seconds;
    outcome.compiled_units = errs.compiled;
    outcome.fresh = errs.compiled == 0;
    outcome.link = outs.link;
    if let Ended::Stopped = finished.ended {
        note(&log, "interrupted");
        return Err(Interrupted);
    }
    let timed_out = matches!(finished.ended, Ended::TimedOut);
    conclude(
        env,
        id,
        control,
        finished.ended,
        errs,
        outs.artifact,
        &mut outcome,
    );
    if timed_out {
        note(&log, outcome.error.as_deref().unwrap_or(""));
    }
    after_link(env, config, &log, &mut outcome);
    Ok(outcome)
}

/// What runs on the kept artifact after the link, in wasm-pack's order:
/// `wasm-bindgen` (a module built with it ships as its output), then
/// `wasm-opt`, its CPU time part of the build's.
fn after_link(env: &BuildEnv, config: &Config, log: &Arc<Mutex<File>>, outcome: &mut BuildOutcome) {
    let Some(module) = outcome.artifact.clone().filter(|_| outcome.ok) else {
        return;
    };
    let locked = super::wasm_bindgen::locked_version(&env.project.workspace_root);
    match super::wasm_bindgen::bind(&module, locked.as_deref()) {
        Ok(Some(shipped)) => {
            note(log, &format!("wasm-bindgen wrote {}", shipped.display()));
            outcome.artifact = Some(shipped);
        }
        Ok(None) => {}
        Err(e) => {
            note(log, &e);
            outcome.provisional = true;
            // Once per run: every configuration would say the same.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| eprintln!("note: {e}"));
        }
    }
    let (Some(level), Some(path)) = (config.wasm_opt, outcome.artifact.clone()) else {
        return;
    };
    match super::wasm_opt::optimize(&path, level) {
        Ok(cpu) => {
            note(log, &format!("wasm-opt {level}: {cpu:.2} s CPU"));
            outcome.cpu_seconds += cpu;
        }
        Err(e) => {
            note(log, &e);
            outcome.ok = false;
            outcome.error = Some(e);
        }
    }
}

fn note(log: &Arc<Mutex<File>>, what: &str) {
    let _ = writeln!(log.lock().unwrap_or_else(|e| e.into_inner()), "# {what}");
}

/// What cargo's end means for the configuration: kept, timed out, or
/// failed with the most telling error (the linker's, with a hint).
fn conclude(
    env: &BuildEnv,
    id: &str,
    control: &Control<'_>,
    ended: Ended,
    errs: StderrFacts,
    artifact: Option<PathBuf>,
    outcome: &mut BuildOutcome,
) {
    outcome.overflows = errs.overflows;
    match ended {
        Ended::Stopped => {}
        Ended::TimedOut => {
            let limit = control.timeout.map_or(0, |t| t.as_secs());
            outcome.error = Some(format!(
                "timed out after {limit}s (--timeout); the build was stopped"
            ));
        }
        Ended::Lost(e) => outcome.error = Some(format!("waiting for cargo failed: {e}")),
        Ended::Exited {
            status,
            cpu_seconds,
        } => {
            outcome.cpu_seconds = cpu_seconds;
            if status.success() {
                keep(env, id, artifact, outcome);
                return;
            }
            let error = errs
                .linker_error
                .or(errs.first_error)
                .unwrap_or_else(|| format!("cargo exited with {status}"));
            outcome.error = Some(match super::output::hint_for(&error) {
                Some(hint) => format!("{error}\n  hint: {hint}"),
                None => error,
            });
        }
    }
}

/// Copy the built binary into the configuration's slot.
fn keep(env: &BuildEnv, id: &str, built: Option<PathBuf>, outcome: &mut BuildOutcome) {
    let Some(built) = built else {
        outcome.error = Some("cargo reported no executable for the binary".into());
        return;
    };
    let slot = env.weigh_dir.join("artifacts").join(id);
    prune(&slot, KEEP_SOURCE_STATES);
    match keep_artifact(&built, &slot.join(&env.sources)) {
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
}

/// Binaries kept per configuration: one per state of the sources, the
/// most recent few (a history walks back and forth over them).
const KEEP_SOURCE_STATES: usize = 8;

/// Remove all but the `keep - 1` most recently written entries of `slot`.
fn prune(slot: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(slot) else {
        return;
    };
    let mut dirs: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.0));
    for (_, d) in dirs.into_iter().skip(keep.saturating_sub(1)) {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Copy the binary into its configuration's slot, atomically, so a cache
/// entry is never half-written; still executable (e.g. for --verify).
fn keep_artifact(built: &Path, dir: &Path) -> std::io::Result<PathBuf> {
    let dest = dir.join(built.file_name().unwrap_or_default());
    crate::atomic::copy(built, &dest)?;
    Ok(dest)
}
