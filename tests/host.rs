//! Host builds and the cargo conventions: package/binary selection, errors,
//! outputs. Host builds are quick; they share one target directory.

mod common;

use common::*;

fn host_weigh(fixture_name: &str) -> std::process::Command {
    let mut c = weigh();
    c.arg("--manifest-path")
        .arg(fixture(fixture_name).join("Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir(fixture_name))
        .arg("--quiet");
    c
}

#[test]
fn host_binary_matches_binutils_size() {
    let r = json_stdout(host_weigh("hostapp").args(["--preset", "release", "--format", "json"]));
    let host = r["toolchain"]["host"].as_str().unwrap();
    assert_eq!(r["target"], host, "default target is the host");
    let c = &r["configs"][0];
    let artifact = std::path::PathBuf::from(c["artifact"].as_str().unwrap());
    let (text, data, bss) = berkeley_size("size", &artifact);
    assert_eq!(c["berkeley"]["text_bytes"].as_u64().unwrap(), text);
    assert_eq!(c["berkeley"]["data_bytes"].as_u64().unwrap(), data);
    assert_eq!(c["berkeley"]["bss_bytes"].as_u64().unwrap(), bss);
    let scratch = tempfile::tempdir().unwrap();
    assert_eq!(
        c["stripped_bytes"].as_u64().unwrap(),
        strip_size("strip", &artifact, scratch.path()),
        "stripped is what `strip` writes"
    );
    // And the binary really is the program the fixture describes.
    let ran = std::process::Command::new(&artifact)
        .arg("abc")
        .output()
        .unwrap();
    assert!(ran.status.success());
}

#[test]
fn several_binaries_need_bin_and_the_error_lists_them() {
    let before = snapshot_tree(&fixture("multibin"));
    let out = run(&mut host_weigh("multibin"));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--bin") && stderr.contains("alpha") && stderr.contains("beta"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(before, snapshot_tree(&fixture("multibin")));
}

#[test]
fn unknown_bin_lists_the_binaries() {
    let out = run(host_weigh("multibin").args(["--bin", "gamma"]));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("`gamma`") && stderr.contains("alpha, beta"),
        "{stderr}"
    );
}

#[test]
fn chosen_bin_is_built_and_markdown_renders() {
    let out = run(host_weigh("multibin").args([
        "--bin", "beta", "--preset", "release", "--format", "markdown",
    ]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("| release |"), "{stdout}");
    assert!(stdout.contains("multibin (beta)"), "{stdout}");
}

#[test]
fn not_a_cargo_project() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(weigh().current_dir(dir.path()));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("no Cargo.toml") && stderr.contains("--manifest-path"),
        "{stderr}"
    );
}

#[test]
fn output_in_a_missing_directory_fails_before_building() {
    let target = tempfile::tempdir().unwrap();
    let out = run(weigh()
        .arg("--manifest-path")
        .arg(fixture("hostapp/Cargo.toml"))
        .arg("--target-dir")
        .arg(target.path())
        .args(["--output", "/nonexistent-dir/report.json"]));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("/nonexistent-dir") && stderr.contains("does not exist"),
        "{stderr}"
    );
    assert!(!target.path().join("weigh").exists(), "nothing was built");
}

#[test]
fn unknown_preset_and_baseline_are_errors() {
    let out = run(host_weigh("hostapp").args(["--preset", "huge"]));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("huge") && stderr.contains("standard") && stderr.contains("seed"),
        "{stderr}"
    );
    let out = run(host_weigh("hostapp").args(["--preset", "seed", "--baseline", "nope"]));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("nope") && stderr.contains("Default Release"),
        "{stderr}"
    );
}

#[test]
fn unknown_target_is_a_clear_error() {
    let out = run(host_weigh("hostapp").args(["--target", "thumbv99-none-eabi"]));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("unknown target `thumbv99-none-eabi`") && stderr.contains("target-list"),
        "{stderr}"
    );
}

#[test]
fn bad_budget_string_is_rejected() {
    let out = run(host_weigh("hostapp").args(["--flash-size", "12Q"]));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("--flash-size") && stderr.contains("12Q") && stderr.contains("128K"),
        "{stderr}"
    );
}

#[test]
fn measure_reports_files_and_rejects_non_elf() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "hello").unwrap();
    let out = run(weigh().arg("measure").arg(&txt));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("notes.txt") && stderr.contains("not a binary cargo weigh reads"),
        "{stderr}"
    );
    let empty = dir.path().join("empty.elf");
    std::fs::write(&empty, "").unwrap();
    let out = run(weigh().arg("measure").arg(&empty));
    assert!(text(&out).1.contains("is empty"));
    let out = run(weigh().arg("measure").arg(dir.path()));
    assert!(text(&out).1.contains("is a directory"));
    let out = run(weigh().arg("measure").arg(dir.path().join("missing")));
    assert!(text(&out).1.contains("missing"));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn measure_runs_nothing() {
    // `measure` reads files only: it works with no cargo or rustc on PATH.
    let me = std::path::PathBuf::from(env!("CARGO_BIN_EXE_cargo-weigh"));
    let out = run(weigh()
        .env("PATH", "/nonexistent")
        .env_remove("CARGO")
        .arg("measure")
        .arg(&me)
        .args(["--format", "csv"]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("config,"), "{stdout}");
    // diff of two binaries and show of a saved report read files only, too.
    let out = run(weigh()
        .env("PATH", "/nonexistent")
        .env_remove("CARGO")
        .arg("diff")
        .arg(&me)
        .arg(&me)
        .args(["--format", "json"]));
    assert!(out.status.success(), "{}", text(&out).1);
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("r.json");
    let out = run(weigh()
        .env("PATH", "/nonexistent")
        .arg("measure")
        .arg(&me)
        .args(["--format", "json", "--output"])
        .arg(&saved));
    assert!(out.status.success());
    let out = run(weigh()
        .env("PATH", "/nonexistent")
        .env_remove("CARGO")
        .arg("show")
        .arg(&saved)
        .args(["--format", "markdown"]));
    assert!(
        out.status.success() && text(&out).0.contains("| cargo-weigh |"),
        "{}",
        text(&out).1
    );
}

const MANIFEST: &str =
    "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n";

#[test]
fn no_lockfile_stays_no_lockfile_and_examples_build() {
    let dir = project(&[
        ("Cargo.toml", MANIFEST),
        ("src/lib.rs", "pub fn f() -> u32 { 7 }\n"),
        (
            "examples/demo.rs",
            "fn main() { println!(\"{}\", p::f()); }\n",
        ),
    ]);
    let before = snapshot_tree(dir.path());
    let r = json_stdout(weigh().current_dir(dir.path()).args([
        "--example",
        "demo",
        "--preset",
        "release",
        "--format",
        "json",
        "--quiet",
    ]));
    assert_eq!(r["project"]["binary"], "demo");
    assert_eq!(r["project"]["binary_kind"], "example");
    assert!(r["configs"][0]["flash_bytes"].as_u64().unwrap() > 0);
    assert!(
        !dir.path().join("Cargo.lock").exists(),
        "no Cargo.lock was left behind"
    );
    assert_eq!(before, snapshot_tree(dir.path()));
}

#[test]
fn package_without_binaries_is_an_error() {
    let dir = project(&[("Cargo.toml", MANIFEST), ("src/lib.rs", "pub fn f() {}\n")]);
    let out = run(weigh().current_dir(dir.path()));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("package `p` has no binary target"),
        "{stderr}"
    );
}

#[test]
fn virtual_workspace_needs_a_package() {
    let dir = project(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
        ),
        (
            "a/Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("a/src/main.rs", "fn main() {}\n"),
        (
            "b/Cargo.toml",
            "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("b/src/main.rs", "fn main() { println!(\"b\"); }\n"),
    ]);
    let out = run(weigh().current_dir(dir.path()));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("virtual workspace") && stderr.contains("-p") && stderr.contains("a, b"),
        "{stderr}"
    );
    let out = run(weigh().current_dir(dir.path()).args([
        "-p", "b", "--preset", "release", "--format", "csv", "--quiet",
    ]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.lines().nth(1).unwrap().starts_with("release,true"),
        "{stdout}"
    );
}

#[test]
fn weigh_toml_errors_name_file_and_line() {
    let dir = project(&[
        ("Cargo.toml", MANIFEST),
        ("src/main.rs", "fn main() {}\n"),
        (
            "weigh.toml",
            "[[config]]\nname = \"a\"\nopt-level = \"fast\"\n",
        ),
    ]);
    let out = run(weigh().current_dir(dir.path()));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("weigh.toml") && stderr.contains("line 3") && stderr.contains("\"z\""),
        "{stderr}"
    );
}

#[test]
fn dev_profile_and_settings_reach_cargo() {
    let dir = project(&[
        ("Cargo.toml", MANIFEST),
        ("src/main.rs", "fn main() { let v: Vec<u64> = std::env::args().map(|a| a.len() as u64).collect(); println!(\"{}\", v.iter().sum::<u64>()); }\n"),
        ("weigh.toml", "[[config]]\nname = \"dev\"\nprofile = \"dev\"\n\n[[config]]\nname = \"small\"\nopt-level = \"z\"\nstrip = true\npanic = \"abort\"\n"),
    ]);
    let r = json_stdout(
        weigh()
            .current_dir(dir.path())
            .args(["--format", "json", "--quiet"]),
    );
    let dev = &r["configs"][0];
    let small = &r["configs"][1];
    assert_eq!(dev["profile"], "dev");
    assert!(
        dev["has_debug_info"] == true,
        "the dev profile carries debug info"
    );
    assert!(small["has_debug_info"] == false);
    let log = std::fs::read_to_string(small["log"].as_str().unwrap()).unwrap();
    assert!(
        log.contains("profile.release.opt-level=\"z\"")
            && log.contains("profile.release.strip=\"symbols\""),
        "{log}"
    );
    assert!(small["stripped_bytes"].as_u64() <= small["file_bytes"].as_u64());
}

#[test]
fn cost_columns_from_flags_in_every_format() {
    let json_out = run(host_weigh("hostapp").args([
        "--preset",
        "release",
        "--format",
        "json",
        "--price-per-kib",
        "0.5",
        "--units",
        "10",
        "--currency",
        "EUR",
    ]));
    let (stdout, stderr) = text(&json_out);
    assert!(json_out.status.success(), "{stderr}");
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let c = &r["configs"][0];
    let expect = c["flash_bytes"].as_f64().unwrap() / 1024.0 * 0.5;
    assert!((c["cost"]["flash_cost_per_unit"].as_f64().unwrap() - expect).abs() < 1e-6);
    assert!((c["cost"]["flash_cost_total"].as_f64().unwrap() - expect * 10.0).abs() < 1e-5);
    assert_eq!(r["cost"]["currency"], "EUR");
    for format in ["table", "markdown"] {
        let out = run(host_weigh("hostapp").args([
            "--preset",
            "release",
            "--format",
            format,
            "--price-per-kib",
            "0.5",
            "--units",
            "10",
        ]));
        assert!(text(&out).0.contains("Cost/unit"), "{format}");
    }
    let out = run(host_weigh("hostapp").args([
        "--preset",
        "release",
        "--format",
        "csv",
        "--price-per-kib",
        "0.5",
        "--units",
        "10",
    ]));
    let csv = text(&out).0;
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == "cost_per_unit").unwrap();
    assert!((row[i].parse::<f64>().unwrap() - expect).abs() < 1e-3);
    // No prices, no cost: nothing invented.
    let out = run(host_weigh("hostapp").args(["--preset", "release", "--format", "json"]));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r.get("cost").is_none() && r["configs"][0].get("cost").is_none());
}

#[test]
fn the_blinky_example_cost_file_is_valid() {
    let dir = repo().join("examples/blinky");
    let f = cargo_weigh::matrix::load_project_file(None, &dir, &dir.join("Cargo.toml"))
        .unwrap()
        .unwrap();
    assert!(
        f.configs.is_empty(),
        "prices only: the default matrix is used"
    );
    let cost = f.cost.unwrap();
    assert_eq!(cost.tiers.len(), 2);
    assert_eq!(cost.tiers[0].flash_bytes, 128 * 1024);
    assert!(cost.price_per_kib.is_some() && cost.units.is_some());
}

/// sccache as the project's rustc wrapper: passed through to cargo, and its
/// hits and misses during the run reported. A second run in another target
/// directory compiles the library dependency from sccache's cache.
#[test]
fn sccache_hits_are_reported() {
    let dir = project(&[
        (
            "app/Cargo.toml",
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n\
             [dependencies]\ndep = { path = \"../dep\" }\n",
        ),
        (
            "app/src/main.rs",
            "fn main() { println!(\"{}\", dep::answer()); }\n",
        ),
        (
            "app/.cargo/config.toml",
            "[build]\nrustc-wrapper = \"sccache\"\n",
        ),
        (
            "dep/Cargo.toml",
            "[package]\nname = \"dep\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("dep/src/lib.rs", "pub fn answer() -> u32 { 42 }\n"),
    ]);
    let cache = dir.path().join("sccache");
    // A server of this test's own, on a free port, with an empty cache.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let weigh_into = |target: &str| -> serde_json::Value {
        json_stdout(
            weigh()
                .arg("--manifest-path")
                .arg(dir.path().join("app/Cargo.toml"))
                .arg("--target-dir")
                .arg(dir.path().join(target))
                .args(["--preset", "release", "--quiet", "--format", "json"])
                .env("SCCACHE_DIR", &cache)
                .env("SCCACHE_SERVER_PORT", &port)
                .env_remove("RUSTC_WRAPPER"),
        )
    };
    let first = weigh_into("t1");
    let second = weigh_into("t2");
    let _ = tool("sccache")
        .arg("--stop-server")
        .env("SCCACHE_DIR", &cache)
        .env("SCCACHE_SERVER_PORT", &port)
        .output();
    let (a, b) = (&first["compiler_cache"], &second["compiler_cache"]);
    assert_eq!(a["wrapper"], "sccache", "{first}");
    assert_eq!(a["hits"], 0, "{a}");
    assert!(a["misses"].as_u64().unwrap() >= 1, "{a}");
    assert!(b["hits"].as_u64().unwrap() >= 1, "{b}");
    assert_eq!(b["misses"], 0, "{b}");
    assert_eq!(
        first["configs"][0]["flash_bytes"], second["configs"][0]["flash_bytes"],
        "the cached library links into the same program"
    );
}

/// A hosted binary has no flash: its tables say what they measure.
#[test]
fn host_tables_speak_of_loaded_bytes_not_flash() {
    let out = run(host_weigh("hostapp").args(["--only", "release,strip", "--wide"]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Δ Loaded"), "{stdout}");
    assert!(!stdout.contains("Flash"), "{stdout}");
    assert!(!stdout.contains("flash image"), "{stdout}");
}
