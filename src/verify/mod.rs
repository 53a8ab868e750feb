//! `--verify`: run each configuration's binary with the target's runner (as
//! `cargo run` would) and compare its output and exit status with the
//! baseline's, so a smaller build that behaves differently is flagged.

use std::process::Command;

pub use crate::project::Runner;

mod compare;
mod run;
mod types;

pub use compare::compare;
pub use run::{run_artifact, Budget, Run};
pub use types::{Interrupted, Verification, VerifyStatus};

/// Parse `--runner "qemu-system-arm -M ... -kernel"`.
pub fn runner_from_arg(arg: &str) -> Runner {
    Runner {
        argv: arg.split_whitespace().map(String::from).collect(),
        source: "--runner".into(),
    }
}

/// `qemu-system-*` delivers a pended interrupt only at the end of a
/// translation block, so code that LTO or inlining merged into longer blocks
/// sees it later than hardware would. One instruction per block makes
/// delivery instruction-granular; the runner gets that flag (`-singlestep`
/// up to QEMU 8.0, `-accel tcg,one-insn-per-tb=on` after).
pub fn instruction_granular(runner: Runner) -> Runner {
    let Some(program) = runner.argv.first() else {
        return runner;
    };
    let is_qemu = crate::process::is_qemu(program);
    let already = runner
        .argv
        .iter()
        .any(|a| a == "-singlestep" || a.contains("one-insn-per-tb"));
    if !is_qemu || already {
        return runner;
    }
    let version = crate::process::output(
        Command::new(program).arg("--version"),
        std::time::Duration::from_secs(30),
    )
    .ok()
    .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    .unwrap_or_default();
    let (major, minor) = qemu_version(&version).unwrap_or((7, 2));
    let flag: &[&str] = if (major, minor) >= (8, 1) {
        &["-accel", "tcg,one-insn-per-tb=on"]
    } else {
        &["-singlestep"]
    };
    let mut argv = vec![program.clone()];
    argv.extend(flag.iter().map(|f| f.to_string()));
    argv.extend(runner.argv[1..].iter().cloned());
    Runner {
        argv,
        source: format!(
            "{}, with one instruction per translation block so interrupts are taken between any two instructions",
            runner.source
        ),
    }
}

/// `QEMU emulator version 7.2.11 (...)` → (7, 2).
fn qemu_version(text: &str) -> Option<(u32, u32)> {
    let v = text.split("version ").nth(1)?.split_whitespace().next()?;
    let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}
