//! Firmware under QEMU with cargo weigh's plugin: every executed
//! instruction counted, the first semihosting call noted, stores into the
//! stack watched; `-icount` makes time, and so interrupts, follow the
//! instruction count, so two runs of one binary count the same.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use object::{Object, ObjectSection, SectionFlags};

use super::types::{Interrupted, Runtime};
use crate::process::{self, Ended, Limits};
use crate::project::Runner;

/// Where the stack lives: stores in `[lowest, initial_sp)` are stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StackRange {
    /// The first word of the vector table.
    pub initial_sp: u64,
    /// The end of the static data below it (or the RAM region's start).
    pub lowest: u64,
}

fn writable_alloc(s: &object::Section<'_, '_>) -> bool {
    match s.flags() {
        SectionFlags::Elf { sh_flags } => {
            let f = sh_flags as u32;
            f & object::elf::SHF_ALLOC != 0 && f & object::elf::SHF_WRITE != 0
        }
        _ => false,
    }
}

/// The stack of a Cortex-M image: its initial SP from the vector table, and
/// the static data below it (`region_start`, the RAM region holding the
/// stack, when known). `None` when the image has no vector table.
pub fn stack_range(elf: &[u8], region_start: Option<u64>) -> Option<StackRange> {
    let file = object::File::parse(elf).ok()?;
    let table = file.section_by_name(".vector_table").or_else(|| {
        file.sections()
            .filter(|s| s.size() >= 4 && s.file_range().is_some())
            .min_by_key(|s| s.address())
    })?;
    let word = table.data().ok()?.get(..4)?;
    let sp = u64::from(u32::from_le_bytes(word.try_into().ok()?));
    if sp == 0 || sp % 4 != 0 {
        return None;
    }
    let mut lowest = region_start.unwrap_or(0);
    for s in file
        .sections()
        .filter(|s| writable_alloc(s) && s.size() > 0)
    {
        let (start, end) = (s.address(), s.address().saturating_add(s.size()));
        // A section holding the stack itself (a `.stack` reservation).
        if start < sp && sp <= end {
            continue;
        }
        if end <= sp {
            lowest = lowest.max(end);
        }
    }
    Some(StackRange {
        initial_sp: sp,
        lowest,
    })
}

/// A firmware run and what it printed.
pub struct FirmwareRun {
    pub runtime: Runtime,
    pub output: Vec<u8>,
}

use crate::process::is_qemu;

/// `key=value` lines the plugin wrote.
fn field(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
}

/// The runner's command with the plugin, `-icount` and the binary.
fn command(runner: &Runner, artifact: &Path, plugin_arg: String) -> Command {
    let mut cmd = Command::new(&runner.argv[0]);
    let rest = &runner.argv[1..];
    if !rest.iter().any(|a| a.contains("icount")) {
        // 32 ns of virtual time per instruction: about a 30 MHz core.
        cmd.args(["-icount", "shift=5,align=off,sleep=off"]);
    }
    cmd.args(["-plugin", &plugin_arg]).args(rest).arg(artifact);
    cmd
}

const METHOD: &str =
    "QEMU with cargo weigh's plugin counting every executed instruction, -icount (deterministic)";

/// The figures from what the plugin wrote; `None` when it wrote nothing.
fn read_results(text: &str, range: Option<StackRange>, exit_code: Option<i32>) -> Option<Runtime> {
    let instructions = field(text, "instructions")?;
    let stack_bytes = range.and_then(|r| {
        field(text, "lowest_stack_store").map(|low| r.initial_sp.saturating_sub(low))
    });
    let stopped_at_limit = text.contains("stopped_at_limit=true");
    Some(Runtime {
        method: METHOD.into(),
        instructions: Some(instructions),
        boot_instructions: field(text, "boot"),
        stopped_at_limit,
        stack_bytes,
        stack_note: Some(match range {
            Some(_) => "bytes below the initial stack pointer the program stored to; the frame the core stacks on an exception counts only when the handler stores below it".into(),
            None => "not observed: no vector table to find the initial stack pointer in".into(),
        }),
        static_stack_bytes: None,
        static_stack_note: None,
        wall_seconds: None,
        wall_spread: None,
        // Stopped by the plugin, QEMU exits 0: that is not the firmware's.
        exit_code: exit_code.filter(|_| !stopped_at_limit),
        error: None,
    })
}

/// What measuring one firmware binary takes.
pub struct FirmwareJob<'a> {
    pub runner: &'a Runner,
    pub plugin: &'a Path,
    pub range: Option<StackRange>,
    /// Stop after this many instructions (firmware that never exits).
    pub budget: u64,
    pub timeout: Duration,
    pub cwd: &'a Path,
    pub stop: &'a AtomicBool,
}

/// Run `artifact` under the job's QEMU runner and count.
pub fn measure_firmware(
    job: &FirmwareJob<'_>,
    artifact: &Path,
) -> Result<FirmwareRun, Interrupted> {
    let fail = |e: String| FirmwareRun {
        runtime: Runtime::failed(METHOD, e),
        output: Vec::new(),
    };
    let Some(program) = job.runner.argv.first().filter(|p| is_qemu(p)) else {
        return Ok(fail(format!(
            "instruction counting needs QEMU as the runner, not `{}` (runner from {})\n  hint: pass --runner \"qemu-system-arm -machine <board> -cpu <core> -nographic -semihosting-config enable=on,target=native -kernel\"",
            job.runner.argv.join(" "),
            job.runner.source
        )));
    };
    let Ok(out) = tempfile::NamedTempFile::new() else {
        return Ok(fail("cannot create a temporary file".into()));
    };
    let mut arg = format!(
        "{},out={},limit={}",
        job.plugin.display(),
        out.path().display(),
        job.budget
    );
    if let Some(r) = job.range {
        arg.push_str(&format!(",lo={:#x},hi={:#x}", r.lowest, r.initial_sp));
    }
    let mut cmd = command(job.runner, artifact, arg);
    cmd.current_dir(job.cwd);
    let limits = Limits {
        stop: job.stop,
        timeout: Some(job.timeout),
    };
    let run = match process::run_captured(&mut cmd, limits) {
        Ok(r) => r,
        Err(e) => return Ok(fail(format!("cannot run `{program}`: {e}"))),
    };
    let exit_code = match run.finished.ended {
        Ended::Stopped => return Err(Interrupted),
        Ended::TimedOut => return Ok(fail(format!(
            "neither exited nor reached the budget of {} instructions within {} s: it waits for something QEMU never delivers\n  hint: give it more time with --runtime-timeout, or a smaller --runtime-limit",
            job.budget,
            job.timeout.as_secs()
        ))),
        Ended::Lost(e) => return Ok(fail(format!("waiting for QEMU failed: {e}"))),
        Ended::Exited { status, .. } => status.code(),
    };
    let text = std::fs::read_to_string(out.path()).unwrap_or_default();
    let Some(runtime) = read_results(&text, job.range, exit_code) else {
        let said = String::from_utf8_lossy(&run.stderr);
        return Ok(fail(format!(
            "QEMU ran but the plugin reported nothing (exit status {exit_code:?}): {}",
            said.lines().next().unwrap_or("")
        )));
    };
    Ok(FirmwareRun {
        runtime,
        output: run.all(),
    })
}
