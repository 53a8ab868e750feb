//! The tiny Cortex-M4 fixture, built for real for thumbv7em-none-eabihf under
//! several configurations through the CLI, checked against binutils.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::*;

struct Run {
    code: Option<i32>,
    stderr: String,
    report: serde_json::Value,
    csv: String,
    tree_before: std::collections::BTreeMap<PathBuf, Vec<u8>>,
    tree_after: std::collections::BTreeMap<PathBuf, Vec<u8>>,
    scratch: PathBuf,
}

/// One matrix run shared by every test here (a cold build costs ~1 minute).
fn tiny_run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let project = fixture("tiny");
        let scratch = shared_target_dir("firmware-scratch");
        std::fs::create_dir_all(&scratch).unwrap();
        let before = snapshot_tree(&project);
        let json_out = scratch.join("report.json");
        let _ = std::fs::remove_file(&json_out);
        let out = run(weigh_project(
            &project,
            &fixture("tiny-matrix.toml"),
            &shared_target_dir("tiny"),
        )
        .args(["--format", "json", "--output"])
        .arg(&json_out)
        // Built in this run: the tests below rebuild and compare with it.
        .args(["--quiet", "--no-cache"]));
        let (_, stderr) = text(&out);
        let report = json(&json_out);
        // The same run exported as CSV, from the JSON report's artifacts.
        let csv = run(weigh_project(
            &project,
            &fixture("tiny-matrix.toml"),
            &shared_target_dir("tiny"),
        )
        .args(["--format", "csv", "--quiet", "--only", "release,opt-z"]));
        let after = snapshot_tree(&project);
        Run {
            code: out.status.code(),
            stderr,
            report,
            csv: String::from_utf8_lossy(&csv.stdout).into_owned(),
            tree_before: before,
            tree_after: after,
            scratch,
        }
    })
}

fn configs() -> &'static Vec<serde_json::Value> {
    tiny_run().report["configs"].as_array().unwrap()
}

fn config(name: &str) -> &'static serde_json::Value {
    configs()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no config {name}"))
}

fn ok_configs() -> Vec<&'static serde_json::Value> {
    configs().iter().filter(|c| c["ok"] == true).collect()
}

fn artifact(c: &serde_json::Value) -> PathBuf {
    PathBuf::from(c["artifact"].as_str().expect("artifact path"))
}

#[test]
fn every_configuration_was_built_for_the_thumb_target() {
    let r = &tiny_run().report;
    assert_eq!(
        r["target"],
        "thumbv7em-none-eabihf",
        "{}",
        tiny_run().stderr
    );
    assert_eq!(r["schema_version"], 2);
    assert_eq!(configs().len(), 5);
    assert_eq!(ok_configs().len(), 4, "{}", tiny_run().stderr);
    for c in ok_configs() {
        let m = cargo_weigh::measure::measure_file(&artifact(c)).unwrap();
        assert_eq!(m.format, "elf32-littlearm");
    }
}

#[test]
fn flash_and_ram_equal_arm_none_eabi_size() {
    for c in ok_configs() {
        let (text, data, bss) = berkeley_size("arm-none-eabi-size", &artifact(c));
        assert_eq!(
            c["flash_bytes"].as_u64().unwrap(),
            text + data,
            "flash of {}",
            c["name"]
        );
        assert_eq!(
            c["ram_bytes"].as_u64().unwrap(),
            data + bss,
            "RAM of {}",
            c["name"]
        );
        assert_eq!(c["berkeley"]["text_bytes"].as_u64().unwrap(), text);
        assert!(data > 0 && bss > 0, "the fixture has .data and .bss");
    }
}

#[test]
fn image_equals_objcopy_binary() {
    for c in ok_configs() {
        let size = objcopy_binary_size("arm-none-eabi-objcopy", &artifact(c), &tiny_run().scratch);
        assert_eq!(
            c["image_bytes"].as_u64().unwrap(),
            size,
            "image of {}",
            c["name"]
        );
    }
}

/// Stripped is the size of the file `arm-none-eabi-strip` writes, exactly
/// (`.comment` and `.ARM.attributes` kept, as strip keeps them).
#[test]
fn stripped_size_equals_arm_none_eabi_strip() {
    for c in ok_configs() {
        let theirs = strip_size("arm-none-eabi-strip", &artifact(c), &tiny_run().scratch);
        let ours = c["stripped_bytes"].as_u64().unwrap();
        assert_eq!(ours, theirs, "{}", c["name"]);
        assert!(ours <= c["file_bytes"].as_u64().unwrap());
        // The file we write is a valid ELF with the same loaded bytes.
        let written =
            cargo_weigh::measure::strip_bytes(&std::fs::read(artifact(c)).unwrap()).unwrap();
        let path = tiny_run().scratch.join("ours.stripped");
        std::fs::write(&path, &written).unwrap();
        assert_eq!(
            berkeley_size("arm-none-eabi-size", &path),
            berkeley_size("arm-none-eabi-size", &artifact(c))
        );
    }
}

#[test]
fn settings_reach_the_compiler() {
    let release = config("release")["flash_bytes"].as_u64().unwrap();
    let z = config("opt-z")["flash_bytes"].as_u64().unwrap();
    assert!(
        z < release,
        "opt-level z ({z}) should be smaller than opt-level 3 ({release})"
    );
    // strip = "symbols" really stripped: no symbol table left in the file.
    let stripped = std::fs::read(artifact(config("strip"))).unwrap();
    let file = object::File::parse(&*stripped).unwrap();
    use object::Object;
    assert!(file.section_by_name(".symtab").is_none());
    assert_eq!(
        config("strip")["flash_bytes"],
        config("release")["flash_bytes"]
    );
}

#[test]
fn extra_rustflags_keep_the_projects_own() {
    // The fixture links with `-Tlink.x` from its .cargo/config.toml; a
    // configuration with extra rustflags must still have its vector table.
    let c = config("frame-pointers");
    assert_eq!(c["ok"], true, "{c}");
    let names: Vec<&str> = c["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&".vector_table"), "{names:?}");
}

#[test]
fn a_failing_configuration_is_isolated() {
    let run = tiny_run();
    assert_eq!(
        run.code,
        Some(1),
        "non-zero exit when a configuration fails"
    );
    let broken = config("broken");
    assert_eq!(broken["ok"], false);
    let err = broken["error"].as_str().unwrap();
    assert!(err.contains("weigh_broken"), "first error line: {err}");
    let log = PathBuf::from(broken["log"].as_str().unwrap());
    assert!(std::fs::read_to_string(log)
        .unwrap()
        .contains("deliberately broken"));
}

#[test]
fn artifacts_are_kept_per_configuration() {
    let paths: std::collections::BTreeSet<PathBuf> =
        ok_configs().iter().map(|c| artifact(c)).collect();
    assert_eq!(
        paths.len(),
        ok_configs().len(),
        "one artifact per configuration"
    );
    for p in &paths {
        assert!(
            p.to_string_lossy().contains("/weigh/artifacts/"),
            "{}",
            p.display()
        );
    }
    // Sizes of the kept files still match the report (not overwritten by a later build).
    for c in ok_configs() {
        assert_eq!(
            std::fs::metadata(artifact(c)).unwrap().len(),
            c["file_bytes"].as_u64().unwrap()
        );
    }
}

#[test]
fn the_project_is_left_byte_identical() {
    let run = tiny_run();
    assert_eq!(
        run.tree_before.keys().collect::<Vec<_>>(),
        run.tree_after.keys().collect::<Vec<_>>()
    );
    assert!(
        run.tree_before == run.tree_after,
        "a file of the project changed"
    );
}

#[test]
fn memory_map_gives_flash_percent() {
    let r = &tiny_run().report;
    assert_eq!(r["memory"]["flash_bytes"].as_u64(), Some(256 * 1024));
    let c = config("release");
    let regions = c["regions"].as_array().unwrap();
    let flash = regions.iter().find(|r| r["name"] == "FLASH").unwrap();
    // Region use is the linker's extent: the bytes plus alignment gaps
    // (tests/memory_map.rs compares it with lld's own figure).
    let used = flash["used_bytes"].as_u64().unwrap();
    let bytes = c["flash_bytes"].as_u64().unwrap();
    assert!((bytes..bytes + 16).contains(&used), "{used} vs {bytes}");
    let expect = used as f64 * 100.0 / (256.0 * 1024.0);
    assert!((c["flash_pct"].as_f64().unwrap() - expect).abs() < 0.01);
    let ram = regions.iter().find(|r| r["name"] == "RAM").unwrap();
    assert_eq!(ram["used_bytes"], c["ram_bytes"]);
}

#[test]
fn deltas_are_against_the_baseline() {
    let r = &tiny_run().report;
    assert_eq!(r["baseline"], "release");
    let release = config("release");
    let z = config("opt-z");
    let d = z["delta"]["flash_delta_bytes"].as_i64().unwrap();
    assert_eq!(
        d,
        z["flash_bytes"].as_i64().unwrap() - release["flash_bytes"].as_i64().unwrap()
    );
    assert_eq!(release["delta"]["flash_delta_bytes"], 0);
}

#[test]
fn csv_has_stable_columns_including_the_articles() {
    let csv = &tiny_run().csv;
    let header = csv.lines().next().unwrap();
    for col in [
        "config",
        "file_kib",
        "stripped_kib",
        "flash_pct",
        "flash_bytes",
        "ram_bytes",
        "build_cpu_seconds",
    ] {
        assert!(
            header.split(',').any(|c| c == col),
            "{col} missing in {header}"
        );
    }
    assert_eq!(csv.lines().count(), 3, "{csv}");
}

#[test]
fn a_second_run_reuses_the_builds() {
    // Everything is built already: cargo finds every unit fresh.
    let before = std::time::Instant::now();
    let _ = tiny_run();
    let out = run(tiny_weigh("tiny-matrix.toml").args([
        "--only",
        "release,opt-z",
        "--format",
        "json",
        "--quiet",
        "--no-cache",
    ]));
    let _ = before;
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for c in r["configs"].as_array().unwrap() {
        let log = std::fs::read_to_string(c["log"].as_str().unwrap()).unwrap();
        assert!(
            !log.contains("Compiling tiny"),
            "{} was rebuilt:\n{log}",
            c["name"]
        );
        assert_eq!(
            c["flash_bytes"],
            config(c["name"].as_str().unwrap())["flash_bytes"]
        );
    }
}

#[test]
fn keep_debug_writes_the_unstripped_twin() {
    let _ = tiny_run();
    let r = json_stdout(tiny_weigh("tiny-matrix.toml").args([
        "--only",
        "release,strip",
        "--keep-debug",
        "--quiet",
        "--format",
        "json",
    ]));
    let strip = r["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "strip")
        .unwrap();
    let release = &r["configs"][0];
    assert!(
        release.get("debug_file").is_none(),
        "only stripping configurations get one"
    );
    let debug = PathBuf::from(strip["debug_file"].as_str().expect("debug_file"));
    assert!(strip.get("error").is_none(), "{strip}");
    assert_eq!(
        debug,
        PathBuf::from(format!("{}.debug", strip["artifact"].as_str().unwrap()))
    );
    use object::{Object, ObjectSymbol};
    let bytes = std::fs::read(&debug).unwrap();
    let file = object::File::parse(&*bytes).unwrap();
    assert!(
        file.symbols().any(|s| s.name() == Ok("Reset")),
        "the debug file has the symbols"
    );
    let m = cargo_weigh::measure::measure_bytes(&bytes).unwrap();
    assert_eq!(
        m.flash_hash,
        strip["flash_hash"].as_str().unwrap(),
        "same code as the stripped firmware"
    );
}

#[test]
fn an_unchanged_rerun_reuses_every_row_with_identical_numbers() {
    // A target directory of its own: other tests here rebuild with --no-cache.
    let weigh_once = || {
        json_stdout(
            weigh_project(
                &fixture("tiny"),
                &fixture("tiny-matrix.toml"),
                &shared_target_dir("tiny-reuse"),
            )
            .args([
                "--only",
                "release,opt-z,strip",
                "--format",
                "json",
                "--quiet",
            ]),
        )
    };
    let a = weigh_once();
    let b = weigh_once();
    for (x, y) in a["configs"]
        .as_array()
        .unwrap()
        .iter()
        .zip(b["configs"].as_array().unwrap())
    {
        assert_eq!(y["reused"], true, "{}", y["name"]);
        for k in [
            "file_bytes",
            "stripped_bytes",
            "flash_bytes",
            "ram_bytes",
            "image_bytes",
            "flash_hash",
            "build_cpu_seconds",
            "measured_at",
            "artifact",
        ] {
            assert_eq!(x[k], y[k], "{k} of {}", y["name"]);
        }
    }
}

#[test]
fn shards_merge_into_the_whole_matrix() {
    let _ = tiny_run();
    let dir = tempfile::tempdir().unwrap();
    let base = || {
        let mut c = tiny_weigh("tiny-verify.toml");
        c.args([
            "--only",
            "release,opt-z,z-fat",
            "--quiet",
            "--format",
            "json",
        ]);
        c
    };
    let whole = json_stdout(&mut base());
    let mut parts = Vec::new();
    for k in ["1/2", "2/2"] {
        let p = dir.path().join(format!("shard-{}.json", &k[..1]));
        let out = run(base().args(["--shard", k, "--output"]).arg(&p));
        assert!(out.status.success(), "{}", text(&out).1);
        parts.push(p);
    }
    assert_eq!(
        json(&parts[0])["configs"].as_array().unwrap().len(),
        2,
        "shard 1/2 has configurations 1 and 3"
    );
    let merged = run(weigh().arg("merge").args(&parts).args(["--format", "json"]));
    assert!(merged.status.success(), "{}", text(&merged).1);
    let merged: serde_json::Value = serde_json::from_slice(&merged.stdout).unwrap();
    let view = |r: &serde_json::Value| -> Vec<(String, u64)> {
        r["configs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().into(),
                    c["flash_bytes"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(view(&merged), view(&whole));
    assert_eq!(merged["baseline"], "release");
    // Reports of different sources are refused.
    let mut other = json(&parts[1]);
    other["sources"] = "0000".into();
    let bad = dir.path().join("other.json");
    std::fs::write(&bad, serde_json::to_vec(&other).unwrap()).unwrap();
    let out = run(weigh().arg("merge").arg(&parts[0]).arg(&bad));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("different sources"),
        "{}",
        text(&out).1
    );
}

/// Configurations that differ only in strip or thin/fat LTO share their
/// dependencies' build and rebuild only the root crate; what they measure
/// must be what a build of their own measures.
#[test]
fn shared_builds_measure_like_builds_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let matrix = dir.path().join("share.toml");
    std::fs::write(
        &matrix,
        "[[config]]\nname = \"thin\"\nopt-level = \"z\"\nlto = \"thin\"\n\n\
         [[config]]\nname = \"fat\"\nopt-level = \"z\"\nlto = \"fat\"\n\n\
         [[config]]\nname = \"fat-strip\"\nopt-level = \"z\"\nlto = \"fat\"\nstrip = \"symbols\"\n",
    )
    .unwrap();
    let report = |extra: &[&str]| -> Vec<serde_json::Value> {
        let r = json_stdout(
            weigh_project(&fixture("tiny"), &matrix, &shared_target_dir("tiny"))
                .args(["--quiet", "--format", "json"])
                .args(extra),
        );
        r["configs"].as_array().unwrap().clone()
    };
    let shared = report(&["--no-cache"]);
    let alone = report(&["--no-share", "--no-cache"]);
    let base = |rows: &[serde_json::Value], name: &str| {
        rows.iter().find(|c| c["name"] == name).unwrap()["shares_build_of"].clone()
    };
    assert_eq!(base(&shared, "thin"), serde_json::Value::Null);
    assert_eq!(base(&shared, "fat"), "thin");
    assert_eq!(base(&shared, "fat-strip"), "thin");
    for name in ["fat", "fat-strip"] {
        assert_eq!(base(&alone, name), serde_json::Value::Null);
        let a = shared.iter().find(|c| c["name"] == name).unwrap();
        let b = alone.iter().find(|c| c["name"] == name).unwrap();
        for key in ["flash_bytes", "ram_bytes", "stripped_bytes"] {
            assert_eq!(a[key], b[key], "{name}: {key} shared vs alone");
        }
        assert!(a["ok"].as_bool().unwrap(), "{a}");
    }
    // Fat LTO really happened in the shared build: smaller than thin.
    let flash = |name: &str| {
        shared.iter().find(|c| c["name"] == name).unwrap()["flash_bytes"]
            .as_u64()
            .unwrap()
    };
    assert!(flash("fat") <= flash("thin"));
    // Build times are CPU seconds: a shared build costs its base's build
    // plus its own root crate, comparable with a build of its own.
    let secs = |rows: &[serde_json::Value], name: &str, key: &str| {
        rows.iter().find(|c| c["name"] == name).unwrap()[key]
            .as_f64()
            .unwrap()
    };
    let sum =
        secs(&shared, "thin", "build_cpu_seconds") + secs(&shared, "fat", "root_build_cpu_seconds");
    assert!((secs(&shared, "fat", "build_cpu_seconds") - sum).abs() < 0.002);
}

/// Two checkouts of one project in one target directory keep their builds
/// apart: cargo gives their units the same hashes (it hashes a workspace's
/// own package by its path relative to the workspace root), so without that
/// one checkout's run could take the other's binary as up to date.
#[test]
fn two_checkouts_in_one_target_dir_keep_their_builds_apart() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    let weigh_in = |checkout: &str| -> serde_json::Value {
        let matrix = fixture("tiny-matrix.toml");
        let r = json_stdout(
            weigh_project(&dir.path().join(checkout), &matrix, &target).args([
                "--only",
                "release",
                "--no-cache",
                "--quiet",
                "--format",
                "json",
            ]),
        );
        r["configs"][0].clone()
    };
    copy_dir(&fixture("tiny"), &dir.path().join("a"));
    let a = weigh_in("a");
    // Checkout b is another revision: a different seed in its source.
    copy_dir(&fixture("tiny"), &dir.path().join("b"));
    let main_rs = dir.path().join("b/src/main.rs");
    let src = std::fs::read_to_string(&main_rs).unwrap();
    assert!(src.contains("0x2545_F491"));
    std::fs::write(&main_rs, src.replace("0x2545_F491", "0x1234_5678")).unwrap();
    let b = weigh_in("b");
    assert_ne!(
        a["flash_hash"], b["flash_hash"],
        "b's change reaches its binary"
    );
    let again = weigh_in("a");
    assert_eq!(
        again["flash_hash"], a["flash_hash"],
        "a measured b's binary"
    );
    let log = std::fs::read_to_string(again["log"].as_str().unwrap()).unwrap();
    assert!(!log.contains("Compiling tiny"), "a was rebuilt:\n{log}");
}

/// Across LTO modes: with a configuration without LTO in the run, the
/// family compiles its dependencies with bitcode inside, builds that one as
/// its base and only relinks the root crate of the others with
/// `-C lto=thin|fat`. On a firmware with a dependency crate and on a host
/// binary with one, each measures what a build of its own measures.
#[test]
fn lto_modes_share_dependencies_and_measure_like_their_own_builds() {
    let dir = tempfile::tempdir().unwrap();
    let matrix = dir.path().join("lto.toml");
    std::fs::write(
        &matrix,
        "[[config]]\nname = \"z\"\nopt-level = \"z\"\n\n\
         [[config]]\nname = \"z-thin\"\nopt-level = \"z\"\nlto = \"thin\"\n\n\
         [[config]]\nname = \"z-fat\"\nopt-level = \"z\"\nlto = \"fat\"\n\n\
         [[config]]\nname = \"z-fat-strip\"\nopt-level = \"z\"\nlto = \"fat\"\nstrip = \"symbols\"\n",
    )
    .unwrap();
    // A host binary whose table lives in a dependency crate.
    let host = dir.path().join("host");
    std::fs::create_dir_all(host.join("src")).unwrap();
    std::fs::create_dir_all(host.join("dep/src")).unwrap();
    std::fs::write(
        host.join("Cargo.toml"),
        "[package]\nname = \"host\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n[dependencies]\ndep = { path = \"dep\" }\n",
    )
    .unwrap();
    std::fs::write(
        host.join("dep/Cargo.toml"),
        "[package]\nname = \"dep\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        host.join("dep/src/lib.rs"),
        "pub fn mix(x: u64) -> u64 { (0..64).fold(x, |a, i| a.rotate_left(i).wrapping_mul(0x9e37_79b9_7f4a_7c15)) }\npub fn unused_here(x: u64) -> u64 { x.wrapping_mul(3) }\n",
    )
    .unwrap();
    std::fs::write(
        host.join("src/main.rs"),
        "fn main() { println!(\"{}\", dep::mix(std::env::args().count() as u64)); }\n",
    )
    .unwrap();
    let projects = [
        (fixture("depmem"), shared_target_dir("depmem")),
        (host.clone(), dir.path().join("host-target")),
    ];
    for (project, target) in projects {
        let report = |extra: &[&str]| -> Vec<serde_json::Value> {
            let r = json_stdout(
                weigh_project(&project, &matrix, &target)
                    .args(["--quiet", "--format", "json", "--no-cache"])
                    .args(extra),
            );
            r["configs"].as_array().unwrap().clone()
        };
        let shared = report(&[]);
        let alone = report(&["--no-share"]);
        let row = |rows: &[serde_json::Value], name: &str| {
            rows.iter().find(|c| c["name"] == name).unwrap().clone()
        };
        for name in ["z-thin", "z-fat", "z-fat-strip"] {
            let (a, b) = (row(&shared, name), row(&alone, name));
            assert_eq!(a["shares_build_of"], "z", "{}: {a}", project.display());
            assert_eq!(b["shares_build_of"], serde_json::Value::Null);
            for key in ["flash_bytes", "ram_bytes", "stripped_bytes", "image_bytes"] {
                assert_eq!(
                    a[key],
                    b[key],
                    "{}: {name}: {key} shared vs alone",
                    project.display()
                );
            }
        }
        // The base is the build of its own, byte for byte.
        assert_eq!(
            row(&shared, "z")["flash_hash"],
            row(&alone, "z")["flash_hash"]
        );
        // Fat LTO really happened: dead code across crates is gone.
        let stripped = |name: &str| row(&shared, name)["stripped_bytes"].as_u64().unwrap();
        assert!(stripped("z-fat") < stripped("z"), "{}", project.display());
    }
}

/// A configuration that leaves `lto` to a profile with fat LTO compiles its
/// dependencies as `lto = "thin"` does: one family, the root relinked.
#[test]
fn lto_from_the_profile_shares_with_lto_written_out() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("app");
    std::fs::create_dir_all(p.join("src")).unwrap();
    std::fs::create_dir_all(p.join("dep/src")).unwrap();
    std::fs::write(
        p.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n[dependencies]\ndep = { path = \"dep\" }\n\n[profile.release]\nlto = true\n",
    )
    .unwrap();
    std::fs::write(
        p.join("dep/Cargo.toml"),
        "[package]\nname = \"dep\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        p.join("dep/src/lib.rs"),
        "pub fn f(x: usize) -> usize { x.rotate_left(7) ^ 0x5a5a }\n",
    )
    .unwrap();
    std::fs::write(
        p.join("src/main.rs"),
        "fn main() { println!(\"{}\", dep::f(std::env::args().count())); }\n",
    )
    .unwrap();
    let matrix = dir.path().join("m.toml");
    std::fs::write(
        &matrix,
        "[[config]]\nname = \"release\"\n\n[[config]]\nname = \"thin\"\nlto = \"thin\"\n\n[[config]]\nname = \"fat\"\nlto = \"fat\"\n",
    )
    .unwrap();
    let target = dir.path().join("target");
    let rows = |extra: &[&str]| -> Vec<serde_json::Value> {
        json_stdout(
            weigh_project(&p, &matrix, &target)
                .args(["--quiet", "--format", "json", "--no-cache"])
                .args(extra),
        )["configs"]
            .as_array()
            .unwrap()
            .clone()
    };
    let (shared, alone) = (rows(&[]), rows(&["--no-share"]));
    // `lto = "fat"` is the profile's `lto = true` written out: the same build.
    for i in [1, 2] {
        assert_eq!(shared[i]["shares_build_of"], "release", "{}", shared[i]);
        for key in ["stripped_bytes", "flash_bytes"] {
            assert_eq!(shared[i][key], alone[i][key], "{key}");
        }
    }
    assert_eq!(shared[2]["flash_hash"], shared[0]["flash_hash"]);
}
