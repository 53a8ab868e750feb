//! "Does it fit?" on a firmware whose linker scripts come from a
//! dependency's build script (as a PAC's `memory.x` and cortex-m-rt's
//! `link.x` do): the regions are found as the linker finds them, counted by
//! address, and checked against lld's own `--print-memory-usage`; a build
//! that does not fit reports the linker's figure.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use common::*;

const MATRIX: &str = "[[config]]\nname = \"release\"\n\
    [[config]]\nname = \"lld-says\"\n\
    rustflags = [\"-C\", \"link-arg=--print-memory-usage\", \"-W\", \"linker-messages\"]\n";

fn matrix(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("depmem.toml");
    std::fs::write(&p, MATRIX).unwrap();
    p
}

fn depmem(dir: &Path) -> std::process::Command {
    weigh_project(
        &fixture("depmem"),
        &matrix(dir),
        &shared_target_dir("depmem"),
    )
}

/// One run of the fixture, shared by the tests here.
fn report() -> &'static serde_json::Value {
    static R: OnceLock<serde_json::Value> = OnceLock::new();
    R.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        json_stdout(depmem(dir.path()).args(["--quiet", "--format", "json"]))
    })
}

fn row(name: &str) -> &'static serde_json::Value {
    report()["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
}

#[test]
fn regions_come_from_the_dependencys_linker_scripts() {
    let r = report();
    let mem = &r["memory"];
    assert!(
        mem["source"].as_str().unwrap().contains("/out/memory.x"),
        "{mem}"
    );
    assert_eq!(mem["flash_bytes"], 256 * 1024);
    // Every RAM region counts, not the first one listed: RAM and RAM2.
    assert_eq!(mem["ram_bytes"], (32 + 16) * 1024);
    let c = row("release");
    assert!(c["flash_pct"].as_f64().unwrap() > 0.0, "{c}");
    let names: Vec<&str> = c["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["FLASH", "RAM", "RAM2"]);
}

#[test]
fn region_use_equals_what_lld_prints() {
    regions_equal_what_lld_prints(row("lld-says"), 3);
}

#[test]
fn ram_is_counted_by_address() {
    let c = row("release");
    let region = |name: &str| {
        c["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    };
    let section = |name: &str| {
        c["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()["size_bytes"]
            .as_u64()
            .unwrap()
    };
    // The stack reservation is not "used"; code copied to RAM is.
    let ram = region("RAM");
    let reserved = ram["reserved_bytes"].as_u64().unwrap();
    // The stack section and its alignment gap.
    assert!(
        (section(".stack")..section(".stack") + 8).contains(&reserved),
        "{ram}"
    );
    assert!(ram["used_bytes"].as_u64().unwrap() < 4096, "{ram}");
    assert_eq!(region("RAM2")["used_bytes"], section(".ram2"));
    let (text, data, bss) = berkeley_size(
        "arm-none-eabi-size",
        Path::new(c["artifact"].as_str().unwrap()),
    );
    assert_eq!(c["flash_bytes"].as_u64().unwrap(), text + data);
    assert_eq!(
        c["ram_bytes"],
        section(".data") + section(".ramfunc") + section(".bss") + section(".ram2"),
        "binutils counts the stack as bss ({bss}) and the RAM code as text"
    );
    assert_eq!(c["berkeley"]["bss_bytes"], bss);
}

#[test]
fn check_uses_the_dependencys_memory_map() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(weigh()
        .arg("check")
        .arg("--manifest-path")
        .arg(fixture("depmem/Cargo.toml"))
        .arg("--matrix-file")
        .arg(matrix(dir.path()))
        .arg("--target-dir")
        .arg(shared_target_dir("depmem"))
        .args(["--quiet", "--only", "release"]));
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let out = run(weigh()
        .arg("check")
        .arg("--manifest-path")
        .arg(fixture("depmem/Cargo.toml"))
        .arg("--matrix-file")
        .arg(matrix(dir.path()))
        .arg("--target-dir")
        .arg(shared_target_dir("depmem"))
        .args(["--quiet", "--only", "release", "--max-ram", "64"]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out).1);
}

/// The last "overflowed by N bytes" of a region in lld's messages.
fn lld_overflow(log: &str, region: &str) -> u64 {
    let needle = format!("will not fit in region '{region}': overflowed by ");
    log.lines()
        .rev()
        .filter_map(|l| l.split(&needle).nth(1))
        .find_map(|rest| rest.split_whitespace().next()?.parse().ok())
        .expect("lld's overflow message in the log")
}

/// On a 4 KiB part the program does not fit: the row says by how much,
/// with the linker's own (last, cumulative) figure, in the table, the JSON
/// and `check`.
#[test]
fn a_program_that_does_not_fit_says_by_how_much() {
    let dir = tempfile::tempdir().unwrap();
    let small = |cmd: &mut std::process::Command| {
        cmd.args(["--quiet", "--only", "release", "-F", "small-flash"]);
    };
    let mut json_run = depmem(dir.path());
    small(json_run.args(["--format", "json"]));
    let out = run(&mut json_run);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out).1);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &r["configs"][0];
    let log = std::fs::read_to_string(c["log"].as_str().unwrap()).unwrap();
    let over = lld_overflow(&log, "FLASH");
    assert_eq!(c["ok"], false);
    assert_eq!(c["overflow"][0]["region"], "FLASH");
    assert_eq!(c["overflow"][0]["over_bytes"], over);
    assert_eq!(c["overflow"][0]["length_bytes"], 4096);
    assert_eq!(c["overflow"][0]["needs_bytes"], 4096 + over);
    let said = format!(
        "does not fit: FLASH over by {}",
        cargo_weigh::units::exact(over)
    );
    assert_eq!(c["error"], said.as_str());

    let mut table = depmem(dir.path());
    small(&mut table);
    let (stdout, _) = text(&run(&mut table));
    assert!(stdout.contains(&said), "{stdout}");

    let mut check = weigh();
    check
        .arg("check")
        .arg("--manifest-path")
        .arg(fixture("depmem/Cargo.toml"))
        .arg("--matrix-file")
        .arg(matrix(dir.path()))
        .arg("--target-dir")
        .arg(shared_target_dir("depmem"));
    small(&mut check);
    let out = run(&mut check);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains(&format!("over budget: release: {said}")),
        "{stderr}"
    );
    // Said once, not also as a failure.
    assert_eq!(stderr.matches("does not fit").count(), 1, "{stderr}");
}
