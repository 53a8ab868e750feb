//! Helpers shared by the integration tests: running the real binary on the
//! real fixtures, and the independent tools (binutils) to compare with.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// A target directory shared by every test of this crate, so fixtures are
/// built once per CI run and reused (cargo's own caching does the rest).
pub fn shared_target_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

pub fn weigh() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-weigh"));
    c.env_remove("CARGO_TARGET_DIR");
    c
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("cargo-weigh runs")
}

pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `dir` (but `target/`) with its bytes, to prove that a
/// run left the user's project byte-identical.
pub fn snapshot_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A binutils tool; the tests need it (scripts/setup installs it).
pub fn tool(name: &str) -> Command {
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|d| d.join(name).is_file());
    assert!(
        found,
        "`{name}` is not installed; run scripts/setup (it installs binutils-arm-none-eabi)"
    );
    Command::new(name)
}

/// `(text, data, bss)` as `<prefix>size` (Berkeley) prints them.
pub fn berkeley_size(size_tool: &str, file: &Path) -> (u64, u64, u64) {
    let out = tool(size_tool).arg(file).output().unwrap();
    assert!(
        out.status.success(),
        "{size_tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().nth(1).expect("a result line");
    let f: Vec<u64> = line
        .split_whitespace()
        .take(3)
        .map(|v| v.parse().unwrap())
        .collect();
    (f[0], f[1], f[2])
}

/// Size of the file `<prefix>strip` writes.
pub fn strip_size(strip_tool: &str, file: &Path, out_dir: &Path) -> u64 {
    let out = out_dir.join(format!(
        "{}.stripped",
        file.file_name().unwrap().to_string_lossy()
    ));
    let st = tool(strip_tool)
        .arg("-o")
        .arg(&out)
        .arg(file)
        .status()
        .unwrap();
    assert!(st.success());
    std::fs::metadata(&out).unwrap().len()
}

/// Size of the raw image `<prefix>objcopy -O binary` writes.
pub fn objcopy_binary_size(objcopy: &str, file: &Path, out_dir: &Path) -> u64 {
    let out = out_dir.join(format!(
        "{}.bin",
        file.file_name().unwrap().to_string_lossy()
    ));
    let st = tool(objcopy)
        .args(["-O", "binary"])
        .arg(file)
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    std::fs::metadata(&out).unwrap().len()
}

pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).expect("valid JSON report")
}

/// Copy a fixture (without its target directory) somewhere writable.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.file_name().is_some_and(|n| n == "target") {
            continue;
        }
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// Write a small project into a temporary directory.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, body) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    dir
}

/// `cargo weigh` on the tiny firmware with one of its matrix files, in the
/// target directory the tests share.
pub fn tiny_weigh(matrix: &str) -> Command {
    weigh_project(
        &fixture("tiny"),
        &fixture(matrix),
        &shared_target_dir("tiny"),
    )
}

/// A subcommand (`check`, `top`) of `cargo weigh` on the tiny firmware, like `tiny_weigh`.
pub fn tiny_subcommand(subcommand: &str, matrix: &str) -> Command {
    let mut c = weigh();
    c.arg(subcommand)
        .arg("--manifest-path")
        .arg(fixture("tiny/Cargo.toml"))
        .arg("--matrix-file")
        .arg(fixture(matrix))
        .arg("--target-dir")
        .arg(shared_target_dir("tiny"));
    c
}

/// `cargo weigh` on the project in `dir` with a matrix file and target directory.
pub fn weigh_project(dir: &Path, matrix: &Path, target: &Path) -> Command {
    let mut c = weigh();
    c.arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .arg("--matrix-file")
        .arg(matrix)
        .arg("--target-dir")
        .arg(target);
    c
}

/// Run `cmd`, which must succeed, and parse what it prints as JSON.
pub fn json_stdout(cmd: &mut Command) -> serde_json::Value {
    let out = run(cmd);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

/// `cargo build --release` of the tiny firmware copy in `project`, measured,
/// with the toolchain a report recorded and, when the report's row built
/// them from source, its `build_std` crates: what a user gets after `apply`.
pub fn plain_release_build(
    project: &Path,
    report: &serde_json::Value,
    row: &serde_json::Value,
) -> cargo_weigh::measure::Measurement {
    let tc = &report["toolchain"];
    let mut build = Command::new(tc["cargo"].as_str().unwrap());
    build
        .current_dir(project)
        .env("RUSTC", tc["rustc"].as_str().unwrap())
        .env_remove("CARGO_TARGET_DIR")
        .args(["build", "--release"]);
    if let Some(std) = row["std_built_from_source"]
        .as_array()
        .filter(|a| !a.is_empty())
    {
        let crates: Vec<&str> = std.iter().map(|c| c.as_str().unwrap()).collect();
        build
            .env("RUSTC_BOOTSTRAP", "1")
            .arg(format!("-Zbuild-std={}", crates.join(",")));
    }
    let st = build.output().unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let built = project.join("target/thumbv7em-none-eabihf/release/tiny");
    cargo_weigh::measure::measure_file(&built).unwrap()
}

/// lld's table: region → (used, size) in bytes.
pub fn lld_memory_usage(log: &str) -> Vec<(String, u64, u64)> {
    let bytes = |n: &str, unit: &str| -> u64 {
        let n: u64 = n.parse().unwrap();
        n * match unit {
            "B" => 1,
            "KB" => 1024,
            "MB" => 1024 * 1024,
            "GB" => 1024 * 1024 * 1024,
            u => panic!("unit {u}"),
        }
    };
    log.lines()
        .filter_map(|l| {
            let l = l.trim_start_matches("warning: linker stdout:").trim();
            let (name, rest) = l.split_once(':')?;
            let w: Vec<&str> = rest.split_whitespace().collect();
            if w.len() != 5 || !w[4].ends_with('%') {
                return None;
            }
            Some((
                name.trim().to_string(),
                bytes(w[0], w[1]),
                bytes(w[2], w[3]),
            ))
        })
        .collect()
}

/// A row built with `--print-memory-usage`: per region, its length and
/// its static bytes plus reservations are lld's own figures.
pub fn regions_equal_what_lld_prints(row: &serde_json::Value, count: usize) {
    let log = std::fs::read_to_string(row["log"].as_str().unwrap()).unwrap();
    let lld = lld_memory_usage(&log);
    assert_eq!(
        lld.len(),
        count,
        "lld's table not found in the build log:\n{log}"
    );
    for (name, used, size) in lld {
        let ours = row["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name.as_str())
            .unwrap_or_else(|| panic!("no region {name} in {}", row["regions"]));
        assert_eq!(ours["length_bytes"], size, "{name}");
        let total = ours["used_bytes"].as_u64().unwrap() + ours["reserved_bytes"].as_u64().unwrap();
        assert_eq!(total, used, "{name}: ours {ours}");
    }
}

/// A tool of rustup's `llvm-tools` component (llvm-strip, llvm-size, ...),
/// for the Mach-O and PE files binutils does not read.
pub fn llvm_tool(name: &str) -> Command {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc runs");
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let found = std::fs::read_dir(sysroot.join("lib/rustlib"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("bin").join(name))
        .find(|p| p.is_file());
    let path = found.unwrap_or_else(|| {
        panic!("`{name}` is not installed; run scripts/setup (rustup component add llvm-tools)")
    });
    Command::new(path)
}

/// `git ARGS` in `dir` with an identity of its own; its trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out).1);
    text(&out).0.trim().to_string()
}
