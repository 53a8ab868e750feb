//! `--verify` under QEMU and the budget gate (`check`, `--max-flash`,
//! `--max-growth`), on the tiny Cortex-M4 fixture.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::*;

fn tiny(args: &[&str]) -> std::process::Command {
    let mut c = tiny_weigh("tiny-verify.toml");
    c.arg("--quiet").args(args);
    c
}

struct Verified {
    code: Option<i32>,
    stderr: String,
    report: serde_json::Value,
    saved: PathBuf,
}

/// Every configuration run under QEMU once, shared by the tests here.
fn verified() -> &'static Verified {
    static RUN: OnceLock<Verified> = OnceLock::new();
    RUN.get_or_init(|| {
        tool("qemu-system-arm");
        let saved = shared_target_dir("verify-report.json");
        let out = run(tiny(&["--verify", "--format", "json", "--output"]).arg(&saved));
        Verified {
            code: out.status.code(),
            stderr: text(&out).1,
            report: json(&saved),
            saved,
        }
    })
}

fn status(name: &str) -> String {
    let c = verified().report["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"));
    c["verify"]["status"].as_str().unwrap_or("none").to_string()
}

#[test]
fn every_configuration_runs_under_qemu_like_the_baseline() {
    let v = verified();
    assert_eq!(status("release"), "baseline", "{}", v.stderr);
    for name in ["opt-z", "z-fat", "dev"] {
        assert_eq!(status(name), "same", "{name}: {}", v.stderr);
    }
    let base = &v.report["configs"][0]["verify"];
    assert_eq!(base["exit_code"], 0);
    assert!(
        base["output"].as_str().unwrap().contains("sorted=yes"),
        "the firmware really ran: {base}"
    );
    assert!(v.report["runner"]
        .as_str()
        .unwrap()
        .contains("qemu-system-arm"));
}

#[test]
fn a_configuration_that_behaves_differently_is_flagged() {
    let v = verified();
    assert_eq!(status("different"), "different");
    assert_eq!(
        v.code,
        Some(1),
        "exit status 1 when a build behaves differently"
    );
    assert!(
        v.stderr.contains("behaves differently: different"),
        "{}",
        v.stderr
    );
    let csv = run(weigh().args(["check", "--report"]).arg(&v.saved).args([
        "--max-flash",
        "1M",
        "--format",
        "csv",
    ]));
    let (stdout, _) = text(&csv);
    let different = stdout
        .lines()
        .find(|l| l.starts_with("different,"))
        .unwrap();
    assert!(different.contains(",different,"), "{different}");
}

#[test]
fn check_fails_below_the_measured_flash_and_passes_above() {
    let v = verified();
    let release = v.report["configs"][0]["flash_bytes"].as_u64().unwrap();
    let max_flash = v.report["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["flash_bytes"].as_u64().unwrap())
        .max()
        .unwrap();
    let below = run(weigh()
        .args(["check", "--report"])
        .arg(&v.saved)
        .args(["--max-flash", &(release - 1).to_string()]));
    let (_, stderr) = text(&below);
    assert_eq!(below.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("over budget: release: flash")),
        "{stderr}"
    );
    let above = run(weigh()
        .args(["check", "--report"])
        .arg(&v.saved)
        .args(["--max-flash", &max_flash.to_string()]));
    let (_, stderr) = text(&above);
    // Within budget; exit 1 only because `different` misbehaves in the saved report.
    assert!(!stderr.contains("over budget"), "{stderr}");
}

#[test]
fn check_builds_and_uses_the_memory_map_by_default() {
    // Everything fits the fixture's 256K of flash: exit 0.
    let mut c = tiny_subcommand("check", "tiny-verify.toml");
    c.args(["--quiet", "--only", "release,opt-z", "--format", "json"]);
    let out = run(&mut c);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["budget"]["max_flash"], 256 * 1024);
    assert_eq!(r["budget"]["violations"].as_array().unwrap().len(), 0);
    // The same with a flash size below what opt-z needs fails.
    c.args(["--flash-size", "1K"]);
    let out = run(&mut c);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn growth_against_a_saved_report() {
    let v = verified();
    let same = run(weigh()
        .args(["check", "--report"])
        .arg(&v.saved)
        .args(["--max-growth", "0%", "--baseline-report"])
        .arg(&v.saved));
    assert!(
        !text(&same).1.contains("over budget"),
        "no growth against itself"
    );
    // A baseline report where every configuration was 100 bytes smaller.
    let mut older = v.report.clone();
    for c in older["configs"].as_array_mut().unwrap() {
        if let Some(f) = c["flash_bytes"].as_u64() {
            c["flash_bytes"] = (f - 100).into();
        }
    }
    let older_path = shared_target_dir("older-report.json");
    std::fs::write(&older_path, serde_json::to_vec(&older).unwrap()).unwrap();
    let grew = run(weigh()
        .args(["check", "--report"])
        .arg(&v.saved)
        .args(["--max-growth", "50", "--baseline-report"])
        .arg(&older_path));
    let (_, stderr) = text(&grew);
    assert_eq!(grew.status.code(), Some(1));
    assert!(stderr.contains("release: flash grew by 100 B"), "{stderr}");
    let fine = run(weigh()
        .args(["check", "--report"])
        .arg(&v.saved)
        .args(["--max-growth", "20%", "--baseline-report"])
        .arg(&older_path));
    assert!(!text(&fine).1.contains("over budget"));
    // Reports of another schema version are refused.
    older["schema_version"] = 99.into();
    std::fs::write(&older_path, serde_json::to_vec(&older).unwrap()).unwrap();
    let refused = run(weigh()
        .args(["check", "--report"])
        .arg(&v.saved)
        .args(["--max-growth", "5%", "--baseline-report"])
        .arg(&older_path));
    let (_, stderr) = text(&refused);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr.contains("schema_version 99"), "{stderr}");
}

/// QEMU takes a pended interrupt at the end of a translation block: plain
/// QEMU runs of the `irq` fixture print in a different order in a debug
/// and a release build. `--verify` runs with one instruction per block, as
/// hardware behaves, and finds every configuration the same.
#[test]
fn interrupt_timing_at_translation_block_granularity_is_not_a_difference() {
    tool("qemu-system-arm");
    let dir = tempfile::tempdir().unwrap();
    let matrix = dir.path().join("irq.toml");
    std::fs::write(
        &matrix,
        "baseline = \"release\"\n[[config]]\nname = \"release\"\n\
         [[config]]\nname = \"dev\"\nprofile = \"dev\"\n\
         [[config]]\nname = \"opt-1\"\nopt-level = 1\n\
         [[config]]\nname = \"z-fat\"\nopt-level = \"z\"\nlto = \"fat\"\ncodegen-units = 1\n",
    )
    .unwrap();
    let r = json_stdout(
        weigh_project(&fixture("irq"), &matrix, &shared_target_dir("irq"))
            .args(["--verify", "--quiet", "--format", "json"]),
    );
    let rows = r["configs"].as_array().unwrap();
    let plain = |name: &str| -> String {
        let c = rows.iter().find(|c| c["name"] == name).unwrap();
        let out = std::process::Command::new("qemu-system-arm")
            .args(["-machine", "mps2-an386", "-cpu", "cortex-m4", "-nographic"])
            .args(["-semihosting-config", "enable=on,target=native", "-kernel"])
            .arg(c["artifact"].as_str().unwrap())
            .output()
            .unwrap();
        // Semihosting output reaches QEMU's stderr.
        let mut all = out.stdout;
        all.extend(out.stderr);
        String::from_utf8_lossy(&all).into_owned()
    };
    assert_ne!(
        plain("release"),
        plain("dev"),
        "the fixture no longer shows translation-block timing"
    );
    for c in rows {
        let v = &c["verify"];
        let expected = if c["name"] == "release" {
            "baseline"
        } else {
            "same"
        };
        assert_eq!(v["status"], expected, "{}: {v}", c["name"]);
        assert_eq!(
            v["output"], "irq: handler ran\nirq: main after pend\n",
            "{}: the hardware order",
            c["name"]
        );
    }
    assert!(
        r["runner"]
            .as_str()
            .unwrap()
            .contains("one instruction per translation block"),
        "{}",
        r["runner"]
    );
}
