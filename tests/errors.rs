//! Bad input, through the CLI: every row of docs/errors.md, the simple ones
//! as one table (`CASES`), the others as tests of their number. Each checks
//! the exit status, that the message names the input and says how to fix
//! it, that nothing panicked, and that no file of the project changed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Run, then check status, message and that `project` is untouched.
fn check(cmd: &mut Command, project: Option<&Path>, code: i32, needles: &[&str]) -> String {
    let before = project.map(snapshot_tree);
    let out = cmd.output().expect("runs");
    let (stdout, stderr) = text(&out);
    let all = format!("{stdout}{stderr}");
    assert_eq!(out.status.code(), Some(code), "exit status; output:\n{all}");
    for n in needles {
        assert!(all.contains(n), "`{n}` missing in:\n{all}");
    }
    assert!(
        !all.contains("panicked") && !all.contains("RUST_BACKTRACE"),
        "a panic:\n{all}"
    );
    if let (Some(p), Some(b)) = (project, before) {
        assert!(snapshot_tree(p) == b, "a file of the project changed");
    }
    all
}

const PKG: &str =
    "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n";
const MAIN: &str = "fn main() { println!(\"hi\"); }\n";

fn with_weigh_toml(body: &str) -> tempfile::TempDir {
    project(&[
        ("Cargo.toml", PKG),
        ("src/main.rs", MAIN),
        ("weigh.toml", body),
    ])
}

fn in_dir(dir: &Path) -> Command {
    let mut c = weigh();
    c.current_dir(dir).arg("--quiet");
    c
}

// --- the table: files of a project, arguments, exit, what the message says --

/// One row of docs/errors.md that needs nothing but a few files and a
/// command line. `{dir}` in an argument is the project's directory.
struct Case {
    row: &'static str,
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    code: i32,
    needles: &'static [&'static str],
}

const HOST: &[(&str, &str)] = &[("Cargo.toml", PKG), ("src/main.rs", MAIN)];

const fn toml(body: &'static str) -> [(&'static str, &'static str); 3] {
    [
        ("Cargo.toml", PKG),
        ("src/main.rs", MAIN),
        ("weigh.toml", body),
    ]
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case { row: "1 not a Cargo project", files: &[], args: &[], code: 2,
        needles: &["no Cargo.toml", "--manifest-path"] },
    Case { row: "2 missing --manifest-path", files: &[],
        args: &["--manifest-path", "/nonexistent/Cargo.toml"], code: 2,
        needles: &["/nonexistent/Cargo.toml", "does not exist", "--manifest-path"] },
    Case { row: "4 unknown package", files: HOST, args: &["--quiet", "-p", "nope"], code: 2,
        needles: &["`nope`", "choose one of: p"] },
    Case { row: "5 package without binaries",
        files: &[("Cargo.toml", PKG), ("src/lib.rs", "pub fn f() {}\n")],
        args: &["--quiet"], code: 2,
        needles: &["package `p` has no binary target", "--example"] },
    Case { row: "6 several binaries without --bin",
        files: &[("Cargo.toml", PKG), ("src/bin/one.rs", MAIN), ("src/bin/two.rs", MAIN)],
        args: &["--quiet"], code: 2, needles: &["several binaries", "--bin", "one, two"] },
    Case { row: "7 unknown --bin", files: HOST, args: &["--quiet", "--bin", "zzz"], code: 2,
        needles: &["no binary named `zzz`", "available: p"] },
    Case { row: "8 unknown target", files: HOST,
        args: &["--quiet", "--target", "thumbv99-none-eabi"], code: 2,
        needles: &["unknown target `thumbv99-none-eabi`", "--print target-list"] },
    Case { row: "8 a target's typo gets the target meant", files: HOST,
        args: &["--quiet", "--target", "thumbv7em-none-eabhf"], code: 2,
        needles: &["did you mean `thumbv7em-none-eabihf`?"] },
    Case { row: "11 weigh.toml: unknown key",
        files: &toml("[[config]]\nname = \"a\"\nopt_level = 3\n"), args: &["--quiet"], code: 2,
        needles: &["weigh.toml", "line 3", "opt_level", "opt-level"] },
    Case { row: "12 weigh.toml: wrong type",
        files: &toml("[[config]]\nname = \"a\"\ncodegen-units = \"many\"\n"), args: &["--quiet"],
        code: 2, needles: &["weigh.toml", "line 3", "codegen-units"] },
    Case { row: "13 weigh.toml: wrong value",
        files: &toml("[[config]]\nname = \"a\"\nlto = \"medium\"\n"), args: &["--quiet"], code: 2,
        needles: &["weigh.toml", "line 3", "medium", "\"thin\", \"fat\""] },
    Case { row: "14 weigh.toml: unknown preset", files: &toml("preset = \"huge\"\n"),
        args: &["--quiet"], code: 2,
        needles: &["weigh.toml", "line 1", "unknown preset `huge`", "standard, seed"] },
    Case { row: "15 weigh.toml: empty matrix", files: &toml("[matrix]\n"), args: &["--quiet"],
        code: 2, needles: &["weigh.toml", "matrix is empty", "lto = [\"thin\", \"fat\"]"] },
    Case { row: "16 weigh.toml: duplicate name",
        files: &toml("[[config]]\nname = \"a\"\n\n[[config]]\nname = \"a\"\n"),
        args: &["--quiet"], code: 2,
        needles: &["weigh.toml", "line 5", "duplicate configuration name `a`", "line 2"] },
    Case { row: "17 weigh.toml: not TOML", files: &toml("[[config]\nname = \n"),
        args: &["--quiet"], code: 2, needles: &["weigh.toml", "line 1"] },
    Case { row: "18 unknown --preset", files: HOST, args: &["--quiet", "--preset", "tiny"],
        code: 2, needles: &["unknown preset `tiny`", "standard, seed, release"] },
    Case { row: "19 --only names no configuration", files: HOST,
        args: &["--quiet", "--only", "release,nope"], code: 2,
        needles: &["--only", "`nope`", "opt-z"] },
    Case { row: "20 unknown --baseline", files: HOST, args: &["--quiet", "--baseline", "nope"],
        code: 2, needles: &["--baseline `nope`", "release, opt-s"] },
    Case { row: "22 budget string", files: HOST, args: &["--quiet", "--max-flash", "12Q"],
        code: 2, needles: &["--max-flash", "12Q", "128K"] },
    Case { row: "23 --max-growth without --baseline-report", files: HOST,
        args: &["--quiet", "--max-growth", "2%"], code: 2, needles: &["--baseline-report"] },
    Case { row: "25 measure a directory", files: &[], args: &["measure", "{dir}"], code: 2,
        needles: &["is a directory", "pass the ELF file"] },
    Case { row: "26 measure an empty file", files: &[("empty.elf", "")],
        args: &["measure", "{dir}/empty.elf"], code: 2,
        needles: &["empty.elf", "is empty", "rebuild"] },
    Case { row: "27 measure a text file", files: &[("notes.txt", "just text\n")],
        args: &["measure", "{dir}/notes.txt"], code: 2,
        needles: &["notes.txt", "not a binary cargo weigh reads", "looks like text"] },
    Case { row: "34 --output in a missing directory", files: HOST,
        args: &["--quiet", "--output", "/nonexistent-dir/r.json"], code: 2,
        needles: &["/nonexistent-dir", "does not exist", "mkdir -p"] },
    // /proc refuses new files even to root.
    Case { row: "35 --output in a read-only directory", files: HOST,
        args: &["--quiet", "--output", "/proc/report.json"], code: 2,
        needles: &["/proc/report.json", "not writable", "--output"] },
    Case { row: "38 apply an unknown configuration", files: HOST, args: &["apply", "nope"],
        code: 2, needles: &["no configuration `nope`", "min-sized-rust", "--report"] },
    Case { row: "40 diff with one input", files: &[], args: &["diff", "only.json"], code: 2,
        needles: &["two inputs", "cargo weigh diff old.json new.json"] },
    Case { row: "42 --parallel 0", files: &[], args: &["--parallel", "0"], code: 2,
        needles: &["--parallel", "0 is not in 1.."] },
    Case { row: "55 weigh.toml: a baseline that names no configuration",
        files: &toml("preset = \"standard\"\nbaseline = \"relase\"\n"), args: &["--quiet"],
        code: 2,
        needles: &["weigh.toml: baseline `relase`", "did you mean `release`", "fix `baseline`"] },
    Case { row: "58 a region budget naming no region", files: HOST,
        args: &["check", "--quiet", "--max-region", "AXISRAM=400K"], code: 2,
        needles: &["--max-region AXISRAM", "no region named `AXISRAM`", "(none found)"] },
    Case { row: "61 a transfer-size budget on a build that makes no module", files: HOST,
        args: &["check", "--quiet", "--max-brotli", "100K"], code: 2,
        needles: &["--max-brotli compares nothing", "no WebAssembly module", "--target wasm32-unknown-unknown"] },
    Case { row: "62 --ota on a WebAssembly target", files: HOST,
        args: &["--quiet", "--target", "wasm32-unknown-unknown", "--ota"], code: 2,
        needles: &["--ota: wasm32-unknown-unknown builds a WebAssembly module", "brotli", "drop --ota"] },
    Case { row: "63 --verify or --runtime on a WebAssembly module", files: HOST,
        args: &["--quiet", "--target", "wasm32-unknown-unknown", "--verify"], code: 2,
        needles: &["--verify: wasm32-unknown-unknown builds a module for a JavaScript host", "drop --verify"] },
    Case { row: "63 --runtime on a WebAssembly module", files: HOST,
        args: &["--quiet", "--target", "wasm32-unknown-unknown", "--runtime"], code: 2,
        needles: &["--runtime: instructions are counted under QEMU", "drop --runtime"] },
    Case { row: "64 measure a truncated WebAssembly module", files: &[("cut.wasm", "\0asm\x01\0\0\0\x01\x05")],
        args: &["measure", "{dir}/cut.wasm"], code: 2,
        needles: &["cut.wasm", "is a damaged WebAssembly module", "rebuild"] },
    Case { row: "65 --lib on a package without a cdylib", files: HOST, args: &["--quiet", "--lib"],
        code: 2, needles: &["has no cdylib library", "crate-type = [\"cdylib\"]", "drop --lib"] },
    Case { row: "66 record push outside a git repository", files: &[], args: &["record", "push"],
        code: 2, needles: &["is not in a git repository", "run this inside it"] },
    Case { row: "67 plan outside a git repository", files: HOST, args: &["plan", "HEAD~3..HEAD"],
        code: 2, needles: &["is not in a git repository", "inside its repository"] },
    Case { row: "58 a region budget without a name", files: HOST,
        args: &["check", "--quiet", "--max-region", "400K"], code: 2,
        needles: &["`400K` is not NAME=SIZE"] },
];

fn run_case(case: &Case) -> Result<(), String> {
    let d = project(case.files);
    let dir = d.path().to_str().unwrap();
    let mut cmd = weigh();
    cmd.current_dir(d.path())
        .args(case.args.iter().map(|a| a.replace("{dir}", dir)));
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check(&mut cmd, Some(d.path()), case.code, case.needles)
    }));
    checked.map(drop).map_err(|e| {
        let why = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("row {}: {why}", case.row)
    })
}

/// Every row of the table, two at a time (the machine has two cores); all
/// failures are said together.
#[test]
fn rows_of_the_table() {
    let failed: Vec<String> = std::thread::scope(|s| {
        let (left, right): (Vec<_>, Vec<_>) =
            CASES.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        let run_all = |cases: Vec<(usize, &'static Case)>| {
            move || {
                cases
                    .into_iter()
                    .filter_map(|(_, c)| run_case(c).err())
                    .collect::<Vec<_>>()
            }
        };
        let a = s.spawn(run_all(left));
        let b = s.spawn(run_all(right));
        let mut all = a.join().unwrap();
        all.extend(b.join().unwrap());
        all
    });
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

// --- project and target selection -----------------------------------------

#[test]
fn e03_virtual_workspace_without_package() {
    let d = project(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\"]\nresolver = \"2\"\n",
        ),
        (
            "a/Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("a/src/main.rs", MAIN),
        (
            "b/Cargo.toml",
            "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
    ]);
    std::fs::write(
        d.path().join("Cargo.toml"),
        "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.path().join("b/src")).unwrap();
    std::fs::write(d.path().join("b/src/main.rs"), MAIN).unwrap();
    check(
        &mut in_dir(d.path()),
        Some(d.path()),
        2,
        &["virtual workspace", "-p/--package", "a, b"],
    );
}

/// A toolchain that knows the target but has neither its core nor rust-src:
/// rustup's own stable toolchain for thumbv6m (never added by scripts/setup).
fn rustup_cargo() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from)?;
    let c = home.join(".cargo/bin/cargo");
    c.is_file().then_some(c)
}

#[test]
fn e09_target_not_installed() {
    let Some(cargo) = rustup_cargo() else {
        panic!("this test needs rustup's cargo in ~/.cargo/bin")
    };
    let d = project(&[("Cargo.toml", PKG), ("src/main.rs", MAIN)]);
    check(
        in_dir(d.path())
            .arg("--cargo")
            .arg(&cargo)
            .args(["--target", "armebv7r-none-eabi"]),
        Some(d.path()),
        2,
        &[
            "armebv7r-none-eabi",
            "not installed",
            "rustup target add armebv7r-none-eabi",
            "rust-src",
        ],
    );
}

#[test]
fn e10_build_std_without_rust_src() {
    let Some(cargo) = rustup_cargo() else {
        panic!("this test needs rustup's cargo in ~/.cargo/bin")
    };
    let d = with_weigh_toml("[[config]]\nname = \"std\"\nbuild-std = [\"core\"]\n");
    check(
        in_dir(d.path()).arg("--cargo").arg(&cargo),
        Some(d.path()),
        2,
        &["build-std", "rust-src", "rustup component add rust-src"],
    );
}

// --- configuration files ----------------------------------------------------

#[test]
fn e21_memory_x_does_not_parse() {
    let d = project(&[(
        "memory.x",
        "MEMORY\n{\n  FLASH : ORIGIN = 0x08000000, LENGTH = 512Q\n}\n",
    )]);
    let elf = std::path::PathBuf::from(env!("CARGO_BIN_EXE_cargo-weigh"));
    check(
        weigh()
            .arg("measure")
            .arg(&elf)
            .arg("--memory-x")
            .arg(d.path().join("memory.x")),
        Some(d.path()),
        2,
        &["memory.x", "line 3", "512Q", "--flash-size"],
    );
}

// --- measure on bad files ---------------------------------------------------

fn measure(path: &Path, code: i32, needles: &[&str]) {
    check(weigh().arg("measure").arg(path), None, code, needles);
}

#[test]
fn e24_measure_missing_file() {
    measure(
        Path::new("/nonexistent/fw.elf"),
        2,
        &["/nonexistent/fw.elf", "check the path"],
    );
    // The cause is said once, before the hint.
    let all = check(
        weigh().arg("measure").arg("/nonexistent/fw.elf"),
        None,
        2,
        &[],
    );
    assert_eq!(all.matches("No such file").count(), 1, "{all}");
    assert!(all.trim_end().ends_with("produced by a linker"), "{all}");
}

fn small_elf(big: bool, wide: bool) -> Vec<u8> {
    use object::write::Object;
    use object::{Architecture, BinaryFormat, Endianness, SectionKind};
    let (arch, endian) = match (big, wide) {
        (false, _) => (Architecture::Arm, Endianness::Little),
        (true, false) => (Architecture::PowerPc, Endianness::Big),
        (true, true) => (Architecture::PowerPc64, Endianness::Big),
    };
    let mut obj = Object::new(BinaryFormat::Elf, arch, endian);
    let t = obj.add_section(Vec::new(), b".text".to_vec(), SectionKind::Text);
    obj.append_section_data(t, &[0; 64], 4);
    let d = obj.add_section(Vec::new(), b".data".to_vec(), SectionKind::Data);
    obj.append_section_data(d, &[1; 16], 4);
    obj.write().unwrap()
}

#[test]
fn e28_measure_truncated_elf() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("cut.elf");
    let bytes = small_elf(false, false);
    std::fs::write(&p, &bytes[..bytes.len() / 3]).unwrap();
    measure(&p, 2, &["cut.elf", "damaged ELF", "rebuild"]);
}

#[test]
fn e29_measure_corrupt_section_table() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("bad-shdr.elf");
    let mut bytes = small_elf(false, false);
    bytes[0x20..0x24].copy_from_slice(&0x7fff_fff0u32.to_le_bytes()); // e_shoff far past the end
    std::fs::write(&p, &bytes).unwrap();
    measure(&p, 2, &["bad-shdr.elf", "damaged ELF"]);
}

#[test]
fn e30_measure_32_bit_big_endian() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("be32.o");
    std::fs::write(&p, small_elf(true, false)).unwrap();
    let out = check(
        weigh().arg("measure").arg(&p).args(["--format", "csv"]),
        None,
        0,
        &["be32.o"],
    );
    assert!(out.contains(",80,"), "flash of 64 + 16 bytes: {out}");
}

#[test]
fn e31_measure_64_bit_big_endian() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("be64.o");
    std::fs::write(&p, small_elf(true, true)).unwrap();
    let out = check(
        weigh().arg("measure").arg(&p).args(["--format", "json"]),
        None,
        0,
        &["elf64-bigpowerpc"],
    );
    assert!(out.contains("\"flash_bytes\": 80"), "{out}");
}

#[test]
fn e32_measure_non_elf_object() {
    use object::write::Object;
    use object::{Architecture, BinaryFormat, Endianness, SectionKind};
    let mut obj = Object::new(BinaryFormat::Coff, Architecture::X86_64, Endianness::Little);
    let t = obj.add_section(Vec::new(), b".text".to_vec(), SectionKind::Text);
    obj.append_section_data(t, &[0; 16], 4);
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("thing.obj");
    std::fs::write(&p, obj.write().unwrap()).unwrap();
    measure(
        &p,
        2,
        &[
            "thing.obj",
            "not a binary cargo weigh reads",
            "Coff",
            "Mach-O",
        ],
    );
}

// --- reports, outputs, builds -------------------------------------------------

#[test]
fn e33_diff_of_reports_with_different_schema_versions() {
    let d = tempfile::tempdir().unwrap();
    let me = PathBuf::from(env!("CARGO_BIN_EXE_cargo-weigh"));
    let a = d.path().join("a.json");
    assert!(weigh()
        .arg("measure")
        .arg(&me)
        .args(["--format", "json", "-o"])
        .arg(&a)
        .status()
        .unwrap()
        .success());
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&a).unwrap()).unwrap();
    v["schema_version"] = 7.into();
    let b = d.path().join("b.json");
    std::fs::write(&b, serde_json::to_vec(&v).unwrap()).unwrap();
    check(
        weigh().arg("diff").arg(&a).arg(&b),
        None,
        2,
        &["b.json", "schema_version 7", "regenerate"],
    );
}

#[test]
fn e36_a_failing_build_in_one_configuration() {
    let d = project(&[
        ("Cargo.toml", &format!("{PKG}\n[lints.rust]\nunexpected_cfgs = {{ level = \"allow\" }}\n")),
        ("src/main.rs", "#[cfg(broken)]\ncompile_error!(\"broken on purpose\");\nfn main() {}\n"),
        ("weigh.toml", "[[config]]\nname = \"good\"\n\n[[config]]\nname = \"bad\"\nrustflags = [\"--cfg\", \"broken\"]\n"),
    ]);
    let out = check(
        in_dir(d.path()).args(["--format", "csv"]),
        Some(d.path()),
        1,
        &["good,true", "bad,false", "broken on purpose"],
    );
    assert!(out.contains(".log"), "the log is named: {out}");
}

#[test]
fn e37_a_build_that_hangs() {
    let d = project(&[
        ("Cargo.toml", PKG),
        ("src/main.rs", MAIN),
        (
            "build.rs",
            "fn main() { std::thread::sleep(std::time::Duration::from_secs(120)); }\n",
        ),
    ]);
    let started = std::time::Instant::now();
    check(
        in_dir(d.path()).args(["--preset", "release", "--timeout", "3"]),
        Some(d.path()),
        1,
        &["timed out after 3s", "--timeout"],
    );
    assert!(
        started.elapsed().as_secs() < 60,
        "the hung build was stopped"
    );
}

#[test]
fn e39_top_bad_filter() {
    let me = PathBuf::from(env!("CARGO_BIN_EXE_cargo-weigh"));
    check(
        weigh().arg("top").arg(&me).args(["--filter", "(unclosed"]),
        None,
        2,
        &["--filter", "regular expression"],
    );
}

#[test]
fn e41_verify_runner_not_found() {
    let d = project(&[("Cargo.toml", PKG), ("src/main.rs", MAIN)]);
    check(
        in_dir(d.path()).args([
            "--preset",
            "standard",
            "--only",
            "release,opt-z",
            "--verify",
            "--runner",
            "no-such-runner --flag",
            "--format",
            "csv",
        ]),
        Some(d.path()),
        1,
        &["no-such-runner", "cannot run"],
    );
}

#[test]
fn e43_a_linker_script_no_dependency_provides() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("depmem"), dir.path());
    // The board crate writes its scripts but no longer tells the linker where.
    let build = dir.path().join("board/build.rs");
    let text = std::fs::read_to_string(&build).unwrap();
    std::fs::write(
        &build,
        text.replace(
            "println!(\"cargo:rustc-link-search={}\", out.display());",
            "",
        ),
    )
    .unwrap();
    check(
        weigh()
            .arg("--manifest-path")
            .arg(dir.path().join("Cargo.toml"))
            .args(["--preset", "release", "--quiet"]),
        Some(dir.path()),
        1,
        &[
            "cannot find linker script link.x",
            "`rt` feature",
            "rustc-link-search",
        ],
    );
}

#[test]
fn e44_a_program_that_does_not_fit() {
    check(
        weigh()
            .arg("--manifest-path")
            .arg(fixture("depmem/Cargo.toml"))
            .arg("--target-dir")
            .arg(shared_target_dir("depmem"))
            .args(["--preset", "release", "--quiet", "-F", "small-flash"]),
        Some(&fixture("depmem")),
        1,
        &["does not fit: FLASH over by"],
    );
}

#[test]
fn e45_nightly_options_without_rust_src() {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .unwrap()
        .stdout;
    let src = PathBuf::from(String::from_utf8(sysroot).unwrap().trim())
        .join("lib/rustlib/src/rust/library/core");
    let d = project(&[("Cargo.toml", PKG), ("src/main.rs", MAIN)]);
    let mut cmd = weigh();
    cmd.current_dir(d.path())
        .args(["optimize", "--max-builds", "1", "--format", "json"]);
    if src.is_dir() {
        // With rust-src the options are searched: no such note.
        let all = check(&mut cmd, Some(d.path()), 0, &[]);
        assert!(!all.contains("has no rust-src"), "{all}");
    } else {
        check(
            &mut cmd,
            Some(d.path()),
            0,
            &["has no rust-src", "rustup component add rust-src"],
        );
    }
}

#[test]
fn e46_runtime_without_a_runner() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("tiny"), dir.path());
    let config = dir.path().join(".cargo/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("runner"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&config, without).unwrap();
    let target = dir.path().join("target");
    check(
        weigh()
            .arg("--manifest-path")
            .arg(dir.path().join("Cargo.toml"))
            .args(["--only", "release", "--runtime"]),
        Some(dir.path()),
        2,
        &[
            "--runtime: no runner for thumbv7em-none-eabihf",
            "hint: set `runner` under [target.thumbv7em-none-eabihf]",
        ],
    );
    assert!(
        !target.join("thumbv7em-none-eabihf").exists(),
        "nothing is built"
    );
}

#[test]
fn e51_history_and_bisect_outside_a_repository_or_without_a_range() {
    let dir = with_weigh_toml("");
    check(
        weigh()
            .current_dir(dir.path())
            .args(["history", "HEAD~3..HEAD"]),
        Some(dir.path()),
        2,
        &[
            "is not in a git repository",
            "hint: history, bisect and diff --git build",
        ],
    );
    check(
        weigh()
            .current_dir(dir.path())
            .args(["diff", "--git", "HEAD"]),
        Some(dir.path()),
        2,
        &["is not in a git repository", "diff --git build"],
    );
    check(
        weigh()
            .current_dir(dir.path())
            .args(["bisect", "main", "--grew", "2K"]),
        Some(dir.path()),
        2,
        &["bisect takes a range GOOD..BAD, not `main`"],
    );
}

#[test]
fn e52_ota_baseline_that_is_not_a_build() {
    let dir = project(&[
        ("Cargo.toml", PKG),
        ("src/main.rs", MAIN),
        ("notes.txt", "v1.2\n"),
    ]);
    check(
        weigh().current_dir(dir.path()).args([
            "--preset",
            "release",
            "--ota-baseline",
            "notes.txt",
        ]),
        Some(dir.path()),
        2,
        &["--ota-baseline: notes.txt is neither an ELF file nor a JSON report"],
    );
    assert!(!dir.path().join("target").exists(), "nothing is built");
}

/// `-o /dev/null`, a named pipe, a symbolic link: the report goes through
/// them; the atomic rename that protects a regular file must never replace
/// them with one (as root, `-o /dev/null` once turned the device into a
/// regular file for every program on the machine). A FIFO stands in for
/// the device here.
#[test]
fn output_to_a_pipe_or_a_link_is_written_through_not_replaced() {
    let d = tempfile::tempdir().unwrap();
    let elf = d.path().join("fw.elf");
    std::fs::write(&elf, small_elf(false, false)).unwrap();
    let fifo = d.path().join("pipe");
    let st = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(st.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = weigh()
        .arg("measure")
        .arg(&elf)
        .args(["--format", "json", "-o"])
        .arg(&fifo)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
    use std::os::unix::fs::FileTypeExt;
    // Checked before reading: a replaced pipe would leave the reader waiting.
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    let got = reader.join().unwrap();
    assert!(got.contains("\"configs\""), "{got}");

    let real = d.path().join("real.json");
    std::fs::write(&real, "old").unwrap();
    let link = d.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = weigh()
        .arg("measure")
        .arg(&elf)
        .args(["--format", "json", "-o"])
        .arg(&link)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .contains("\"configs\""));
}

#[test]
fn e56_feature_that_is_an_optional_dependency_behind_dep() {
    let d = project(&[
        (
            "Cargo.toml",
            "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n\
             [dependencies]\nsemi = { path = \"semi\", optional = true }\n\n\
             [features]\nlog = [\"dep:semi\"]\n",
        ),
        ("src/main.rs", MAIN),
        (
            "semi/Cargo.toml",
            "[package]\nname = \"semi\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("semi/src/lib.rs", ""),
    ]);
    let out = check(
        in_dir(d.path()).args(["-F", "semi"]),
        Some(d.path()),
        2,
        &["has no feature `semi`", "log"],
    );
    assert!(!out.contains("did you mean `semi`"), "{out}");
    assert!(!d.path().join("target").exists(), "nothing is built");
}

#[test]
fn e57_growth_gate_that_compares_nothing() {
    let d = project(&[("Cargo.toml", PKG), ("src/main.rs", MAIN)]);
    let base = d.path().join("base.json");
    let out = run(weigh()
        .args(["measure", "/bin/true", "--format", "json", "-o"])
        .arg(&base));
    assert!(out.status.success(), "{}", text(&out).1);
    check(
        weigh()
            .current_dir(d.path())
            .args([
                "check",
                "--quiet",
                "--max-growth",
                "2%",
                "--baseline-report",
            ])
            .arg(&base),
        None,
        2,
        &[
            "--max-growth compares nothing",
            "(release)",
            "(true)",
            "hint:",
        ],
    );
    assert!(!d.path().join("target").exists(), "nothing is built");
}

#[test]
fn e59_linker_script_with_non_ascii_and_quoted_strings() {
    let d = project(&[(
        "m.x",
        "INCLUDE \"€.x\"\nASSERT(1, \"needs 32bit alignment\");\n\
         MEMORY { FLASH : ORIGIN = 0x08000000, LENGTH = 64K\n RAM : ORIGIN = 0x20000000, LENGTH = 16K }\n",
    )]);
    let out = check(
        weigh()
            .arg("measure")
            .arg("--memory-x")
            .arg(d.path().join("m.x"))
            .args(["/bin/true", "--format", "json"]),
        Some(d.path()),
        0,
        &["\"FLASH\"", "\"RAM\""],
    );
    assert!(out.contains("\"flash_bytes\": 65536"), "{out}");
}
