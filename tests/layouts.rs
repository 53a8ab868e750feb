//! Unusual memory layouts (tests/fixtures/layouts): a boot segment listed
//! before the flash and linked after the vector table (RP2040), a
//! core-coupled RAM listed before the main RAM (STM32F3), and an ESP32-like
//! image (code copied to instruction RAM with a data-RAM placeholder for
//! the same bytes, code in RTC memory far from the rest). Per-region use
//! equals lld's `--print-memory-usage` on the same link, totals use every
//! region, flash is every stored byte, RAM counts the IRAM code once, and
//! `check` gates what it says it gates.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use serde_json::Value;

const ARM: &str = "thumbv7em-none-eabihf";
const RISCV: &str = "riscv32imac-unknown-none-elf";

const MATRIX: &str = "[[config]]\nname = \"release\"\n\
    [[config]]\nname = \"lld-says\"\n\
    rustflags = [\"-C\", \"link-arg=--print-memory-usage\", \"-W\", \"linker-messages\"]\n\
    [[config]]\nname = \"dev\"\nprofile = \"dev\"\n";

fn matrix() -> std::path::PathBuf {
    let p = shared_target_dir("layouts-matrix.toml");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, MATRIX).unwrap();
    p
}

fn layouts(target: &str) -> Command {
    let mut c = weigh_project(
        &fixture("layouts"),
        &matrix(),
        &shared_target_dir("layouts"),
    );
    c.args(["--target", target]);
    c
}

/// One run per target, shared by the tests here.
fn report(target: &'static str) -> &'static Value {
    static R: [OnceLock<Value>; 2] = [OnceLock::new(), OnceLock::new()];
    R[usize::from(target == RISCV)]
        .get_or_init(|| json_stdout(layouts(target).args(["--quiet", "--format", "json"])))
}

fn row(target: &'static str, name: &str) -> &'static Value {
    report(target)["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no row {name}"))
}

fn section(c: &Value, name: &str) -> u64 {
    c["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .map_or(0, |s| s["size_bytes"].as_u64().unwrap())
}

/// Per region, ours (static + reserved) against lld's own table.
fn regions_equal_lld(target: &'static str, count: usize) {
    regions_equal_what_lld_prints(row(target, "lld-says"), count);
}

/// The bytes stored, as readelf lists the sections: every allocated one
/// with contents (`A` in its flags, not NOBITS).
fn stored_by_sections(readelf: &str, file: &Path) -> u64 {
    let out = tool(readelf).args(["-SW"]).arg(file).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let l = l.split_once(']')?.1;
            let f: Vec<&str> = l.split_whitespace().collect();
            // name type addr off size es flags ...
            let (kind, size, flags) = (f.get(1)?, f.get(4)?, f.get(6)?);
            let alloc = flags.contains('A') && *kind != "NOBITS";
            alloc.then(|| u64::from_str_radix(size, 16).ok()).flatten()
        })
        .sum()
}

#[test]
fn boot_segment_and_ccm_first_regions_equal_lld_and_totals_use_every_region() {
    regions_equal_lld(ARM, 4);
    let r = report(ARM);
    assert_eq!(r["memory"]["flash_bytes"], 256 * 1024, "BOOT2 + FLASH");
    assert_eq!(r["memory"]["ram_bytes"], (8 + 40) * 1024, "CCMRAM + RAM");
    let c = row(ARM, "release");
    let artifact = Path::new(c["artifact"].as_str().unwrap());
    let (text, data, _) = berkeley_size("arm-none-eabi-size", artifact);
    let flash = c["flash_bytes"].as_u64().unwrap();
    assert_eq!(flash, text + data);
    assert_eq!(flash, stored_by_sections("arm-none-eabi-readelf", artifact));
    assert!(
        section(c, ".boot2") == 256 && section(c, ".ccmram") > 0,
        "{c}"
    );
    let ram = c["ram_bytes"].as_u64().unwrap();
    assert_eq!(
        ram,
        section(c, ".data") + section(c, ".bss") + section(c, ".ccmram")
    );
    let pct = |part: u64, whole: u64| ((part as f64 * 100.0 / whole as f64) * 1e4).round() / 1e4;
    assert_eq!(c["flash_pct"].as_f64().unwrap(), pct(flash, 256 * 1024));
    assert_eq!(c["ram_pct"].as_f64().unwrap(), pct(ram, 48 * 1024));
}

#[test]
fn esp_like_image_counts_stored_bytes_once_and_iram_code_once() {
    regions_equal_lld(RISCV, 5);
    let c = row(RISCV, "release");
    let artifact = Path::new(c["artifact"].as_str().unwrap());
    // Flash: every byte stored, the IRAM code's and the RTC code's too.
    assert_eq!(
        c["flash_bytes"].as_u64().unwrap(),
        stored_by_sections("riscv64-unknown-elf-readelf", artifact)
    );
    // RAM: the IRAM code once, never its DRAM placeholder; no stack.
    let ram = section(c, ".rwtext")
        + section(c, ".data")
        + section(c, ".bss")
        + section(c, ".rtc_fast.text");
    assert!(
        section(c, ".rwdata_dummy") == section(c, ".rwtext") && ram > 0,
        "{c}"
    );
    assert_eq!(c["ram_bytes"].as_u64().unwrap(), ram);
    // IRAM and DRAM are one SRAM: no RAM total, and the report says why.
    let r = report(RISCV);
    assert!(r["memory"]["ram_bytes"].is_null(), "{}", r["memory"]);
    assert!(c["ram_pct"].is_null());
    let note = r["memory"]["note"].as_str().unwrap();
    assert!(
        note.contains("IRAM and DRAM") && note.contains("--ram-size"),
        "{note}"
    );
    // One figure: the progress line says the flash the table says.
    let progress = run(layouts(RISCV).args(["--only", "release", "--format", "json"]));
    let said = format!(
        "flash {}",
        cargo_weigh::units::human(c["flash_bytes"].as_u64().unwrap())
    );
    let stderr = String::from_utf8_lossy(&progress.stderr);
    assert!(stderr.contains(&said), "{said} not in: {stderr}");
    // Code in RTC memory is far from the rest: no single raw image, and
    // the table says why.
    assert!(c["image_bytes"].is_null(), "{c}");
    let table = run(layouts(RISCV).args(["--quiet", "--only", "release", "--wide"]));
    let words = String::from_utf8_lossy(&table.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        words.contains(
            "Image: none for any configuration: the stored bytes lie more than 64 KiB apart"
        ),
        "{words}"
    );
    let kinds: Vec<(&str, &str)> = c["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("ICACHE", "unknown"),
            ("IRAM", "ram"),
            ("DRAM", "ram"),
            ("IROM", "flash"),
            ("RTC_FAST", "ram")
        ]
    );
}

#[test]
fn the_table_ends_with_every_region_and_what_is_reserved() {
    let out = run(layouts(ARM).args(["--quiet", "--only", "release"]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    for region in ["BOOT2", "FLASH", "CCMRAM", "RAM"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.contains(region) && l.contains(" %")),
            "{region} missing:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("reserved after that (stack, heap) in release: RAM"),
        "{stdout}"
    );
    let md = run(layouts(ARM).args(["--quiet", "--only", "release", "--format", "markdown"]));
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("| BOOT2 | flash | 256 B | 256 B (100.0 %) |"),
        "{md}"
    );
}

#[test]
fn stripped_equals_the_targets_own_strip() {
    let scratch = tempfile::tempdir().unwrap();
    for (target, strip) in [
        (ARM, "arm-none-eabi-strip"),
        (RISCV, "riscv64-unknown-elf-strip"),
    ] {
        for name in ["release", "dev"] {
            let c = row(target, name);
            let artifact = Path::new(c["artifact"].as_str().unwrap());
            assert_eq!(
                c["stripped_bytes"].as_u64().unwrap(),
                strip_size(strip, artifact, scratch.path()),
                "{target} {name}"
            );
        }
    }
}

fn check(args: &[&str]) -> (Option<i32>, String) {
    let out = run(weigh()
        .arg("check")
        .arg("--manifest-path")
        .arg(fixture("layouts/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("layouts"))
        .args(["--quiet", "--format", "json", "--output"])
        .arg(shared_target_dir("layouts-check.json"))
        .args(args));
    let (stdout, stderr) = text(&out);
    (out.status.code(), format!("{stdout}{stderr}"))
}

#[test]
fn check_gates_the_own_profile_against_every_region() {
    let (code, said) = check(&[]);
    assert_eq!(code, Some(0), "{said}");
    let r = json(&shared_target_dir("layouts-check.json"));
    let b = &r["budget"];
    assert_eq!(b["gated"], serde_json::json!(["release"]), "{b}");
    assert_eq!(r["configs"].as_array().unwrap().len(), 1);
    let limits: Vec<(&str, u64)> = b["max_region"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["region"].as_str().unwrap(),
                l["max_bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        limits,
        [
            ("BOOT2", 256),
            ("FLASH", 256 * 1024 - 256),
            ("CCMRAM", 8 * 1024),
            ("RAM", 40 * 1024)
        ]
    );
    assert_eq!(
        b["max_ram"],
        48 * 1024,
        "every RAM region, not the first listed"
    );

    let (code, said) = check(&["--max-region", "CCMRAM=1K"]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("over budget: release: CCMRAM 2.00 KiB"),
        "{said}"
    );
    let (code, said) = check(&["--max-region", "CCM=1K"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("BOOT2, FLASH, CCMRAM, RAM"), "{said}");
}

/// A budget the project's own profile meets and its dev build does not:
/// gated by default, the dev row is not; named, it is.
#[test]
fn check_gates_what_it_names() {
    let release = row(ARM, "release")["flash_bytes"].as_u64().unwrap();
    let limit = release.to_string();
    let (code, said) = check(&["--max-flash", &limit]);
    assert_eq!(code, Some(0), "{said}");
    let m = matrix();
    let m = m.to_str().unwrap();
    let (code, said) = check(&["--max-flash", &limit, "--matrix-file", m, "--all"]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("over budget: dev: flash"), "{said}");
    assert!(!said.contains("over budget: release"), "{said}");
}

/// A growth gate with nothing in common with its baseline report is an
/// error before anything is built, never a pass.
#[test]
fn growth_against_a_report_without_these_configurations_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("before.json");
    let mut r = report(ARM).clone();
    r["configs"] = Value::Array(vec![row(ARM, "release").clone()]);
    std::fs::write(&saved, r.to_string()).unwrap();
    let m = matrix();
    let (code, said) = check(&[
        "--max-growth",
        "2%",
        "--baseline-report",
        saved.to_str().unwrap(),
        "--matrix-file",
        m.to_str().unwrap(),
        "--only",
        "lld-says,dev",
    ]);
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("compares nothing")
            && said.contains("lld-says, dev")
            && said.contains("(release)"),
        "{said}"
    );
    assert!(!said.contains("built"), "nothing is built first: {said}");
}
