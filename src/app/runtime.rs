//! `--runtime`: every built binary run and measured: firmware under QEMU
//! with the counting plugin, host binaries with the workload; the static
//! stack bound from each firmware image.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;

use super::session::Session;
use crate::memory::MemoryMap;
use crate::options::RuntimeOptions;
use crate::report::Report;
use crate::results::ConfigResult;
use crate::runtime::{
    installed_plugin, measure_firmware, measure_host, stack_range, static_stack, FirmwareJob,
    HostWorkload, Interrupted, Runtime, StackRange, StaticStack,
};
use crate::units::{human, thousands};
use crate::verify::{runner_from_arg, Runner};

/// The runner for firmware: `--runner`, else the target's from the cargo
/// configuration (as given: counting needs no one-instruction blocks).
fn firmware_runner(opts: &RuntimeOptions, s: &Session) -> anyhow::Result<Runner> {
    if let Some(r) = &opts.runner {
        return Ok(runner_from_arg(r));
    }
    let target = &s.env.target;
    if target.starts_with("wasm") {
        bail!("--runtime: instructions are counted under QEMU (firmware) or valgrind (hosts); {target} is neither\n  hint: drop --runtime for a WebAssembly module");
    }
    match s.cargo_config.runner(target, &s.cfgs) {
        Some(r) => Ok(r),
        None => bail!(
            "--runtime: no runner for {target}\n  hint: set `runner` under [target.{target}] in .cargo/config.toml (a qemu-system-* command, as for `cargo run`), or pass --runner \"qemu-system-arm -machine ... -kernel\""
        ),
    }
}

/// The stack range of an image, bounded below by the RAM region holding it.
fn range_of(bytes: &[u8], memory: Option<&MemoryMap>) -> Option<StackRange> {
    let mut r = stack_range(bytes, None)?;
    let region = memory.and_then(|m| {
        m.regions
            .iter()
            .find(|g| g.origin < r.initial_sp && r.initial_sp <= g.origin.saturating_add(g.length))
    });
    if let Some(g) = region {
        r.lowest = r.lowest.max(g.origin);
    }
    Some(r)
}

/// A line of progress, as the builds say theirs.
fn say(quiet: bool, k: usize, n: usize, c: &ConfigResult) {
    let Some(rt) = c.checks.runtime.as_ref().filter(|_| !quiet) else {
        return;
    };
    let what = match (&rt.error, rt.instructions) {
        (Some(e), None) => format!("not measured: {}", e.lines().next().unwrap_or("")),
        (_, Some(i)) => {
            let limit = if rt.stopped_at_limit {
                " (stopped at the limit)"
            } else {
                ""
            };
            let stack = rt
                .stack_bytes
                .map(|b| format!(", stack {}", human(b)))
                .unwrap_or_default();
            format!("{} instructions{limit}{stack}", thousands(i))
        }
        _ => "no figures".into(),
    };
    eprintln!("[{k}/{n}] ran {}: {what}", c.config.name);
}

/// The static bound of each firmware image; a stripped image takes the
/// bound of another configuration with the same flash image.
fn static_bounds(report: &Report) -> HashMap<String, StaticStack> {
    let mut out: HashMap<String, StaticStack> = HashMap::new();
    let mut by_image: HashMap<String, (String, StaticStack)> = HashMap::new();
    for c in report.configs.iter().filter(|c| c.ok) {
        let Some(path) = c.artifact.as_ref() else {
            continue;
        };
        let Ok(bytes) = std::fs::read(c.debug_file.as_ref().unwrap_or(path)) else {
            continue;
        };
        let s = static_stack(&bytes);
        if let Some(h) = c.size.as_ref().map(|m| m.flash_hash.clone()) {
            if !s.note.contains("no symbol table") {
                by_image
                    .entry(h)
                    .or_insert((c.config.name.clone(), s.clone()));
            }
        }
        out.insert(c.config.name.clone(), s);
    }
    for c in &report.configs {
        let hash = c.size.as_ref().map(|m| &m.flash_hash);
        let Some((twin, s)) = hash.and_then(|h| by_image.get(h)) else {
            continue;
        };
        if out
            .get(&c.config.name)
            .is_some_and(|s| s.note.contains("no symbol table"))
        {
            let note = format!("{} (from {twin}, the same flash image)", s.note);
            out.insert(
                c.config.name.clone(),
                StaticStack {
                    bytes: s.bytes,
                    note,
                },
            );
        }
    }
    out
}

/// How this session's binaries are run and measured.
pub struct Measurer {
    runner: Option<Runner>,
    /// The plugin, or why there is none (firmware only).
    plugin: Option<Result<PathBuf, String>>,
    host: HostWorkload,
    limit: u64,
    timeout: Duration,
    cwd: PathBuf,
}

impl Measurer {
    pub fn new(opts: &RuntimeOptions, s: &Session) -> anyhow::Result<Measurer> {
        let firmware = s.env.target != s.env.toolchain.host;
        Ok(Measurer {
            runner: if firmware {
                Some(firmware_runner(opts, s)?)
            } else {
                None
            },
            plugin: firmware.then(|| installed_plugin(&s.env.weigh_dir.join("qemu"))),
            host: HostWorkload {
                args: opts.args.clone(),
                stdin: opts.stdin.clone(),
                runs: opts.runs,
                timeout: opts.timeout,
            },
            limit: opts.limit,
            timeout: opts.timeout,
            cwd: s.env.project.package_dir.clone(),
        })
    }

    /// Measure one built row (`None`: it has no binary).
    pub fn measure(
        &self,
        c: &ConfigResult,
        memory: Option<&MemoryMap>,
    ) -> Option<Result<Runtime, Interrupted>> {
        let artifact = c.artifact.as_ref().filter(|_| c.ok)?;
        let stop = crate::stop_flag();
        let (Some(runner), Some(plugin)) = (&self.runner, &self.plugin) else {
            return Some(measure_host(artifact, &self.host, &self.cwd, stop));
        };
        let plugin = match plugin {
            Ok(p) => p,
            Err(e) => {
                return Some(Ok(Runtime::failed(
                    "QEMU with cargo weigh's plugin",
                    e.clone(),
                )))
            }
        };
        let bytes = std::fs::read(artifact).unwrap_or_default();
        let job = FirmwareJob {
            runner,
            plugin,
            range: range_of(&bytes, memory.or(c.memory_map.as_ref())),
            budget: self.limit,
            timeout: self.timeout,
            cwd: &self.cwd,
            stop,
        };
        Some(measure_firmware(&job, artifact).map(|r| r.runtime))
    }

    pub fn firmware(&self) -> bool {
        self.runner.is_some()
    }
}

/// Measure every built configuration; false when interrupted.
pub fn runtime_all(report: &mut Report, measurer: &Measurer, quiet: bool) -> bool {
    let bounds = if measurer.firmware() {
        static_bounds(report)
    } else {
        HashMap::new()
    };
    let n = report.configs.len();
    for i in 0..n {
        let mut rt = match measurer.measure(&report.configs[i], report.memory.as_ref()) {
            None => continue,
            Some(Err(Interrupted)) => return false,
            Some(Ok(rt)) => rt,
        };
        if let Some(b) = bounds.get(&report.configs[i].config.name) {
            rt.static_stack_bytes = b.bytes;
            rt.static_stack_note = Some(b.note.clone());
        }
        report.configs[i].checks.runtime = Some(rt);
        say(quiet, i + 1, n, &report.configs[i]);
    }
    true
}
