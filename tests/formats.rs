//! macOS and Windows binaries (Mach-O and PE) measured as the tools of
//! those formats see them: the `foreign` fixture linked by lld for
//! aarch64-apple-darwin and x86_64-pc-windows-msvc, every figure compared
//! with llvm-objdump, llvm-size, llvm-readobj, llvm-strip and GNU size and
//! strip (which read PE).

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// `cargo weigh --only release` of the fixture for `target`: the report
/// and the binary its row measured.
fn weigh_for(target: &str) -> (serde_json::Value, PathBuf) {
    let out = run(weigh()
        .arg("--manifest-path")
        .arg(fixture("foreign/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("foreign"))
        .args([
            "--target", target, "--only", "release", "--format", "json", "-q",
        ]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let row = report["configs"][0].clone();
    let artifact = PathBuf::from(row["artifact"].as_str().unwrap());
    (row, artifact)
}

fn stdout_of(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    text(&out).0
}

fn size_after(strip: &mut std::process::Command, file: &Path) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stripped");
    stdout_of(strip.arg("-o").arg(&out).arg(file));
    std::fs::metadata(out).unwrap().len()
}

fn u(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn a_mach_o_executable_is_measured_as_llvm_tools_see_it() {
    let (row, file) = weigh_for("aarch64-apple-darwin");
    assert_eq!(row["format"], "mach-o-arm64");
    assert_eq!(
        u(&row["file_bytes"]),
        std::fs::metadata(&file).unwrap().len()
    );
    // Every section as llvm-objdump lists it: name, size, and BSS or not.
    let listing = stdout_of(llvm_tool("llvm-objdump").arg("-h").arg(&file));
    let mut listed = Vec::new();
    for line in listing.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() == 5 && f[0].parse::<u32>().is_ok() {
            let size = u64::from_str_radix(f[2], 16).unwrap();
            listed.push((f[1].to_string(), size, f[4] == "BSS"));
        }
    }
    let ours: Vec<(String, u64, bool)> = row["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let name = s["name"].as_str().unwrap();
            let short = name.split(',').nth(1).unwrap().to_string();
            (short, u(&s["size_bytes"]), s["class"] == "bss")
        })
        .collect();
    assert_eq!(ours, listed);
    let stored: u64 = listed.iter().filter(|s| !s.2).map(|s| s.1).sum();
    assert_eq!(u(&row["flash_bytes"]), stored);
    // RAM: the __DATA segment's sections, as llvm-size -m totals them.
    let segments = stdout_of(llvm_tool("llvm-size").arg("-m").arg(&file));
    let data_total = segments
        .split("Segment __DATA:")
        .nth(1)
        .and_then(|rest| rest.lines().find_map(|l| l.trim().strip_prefix("total ")))
        .map(|n| n.trim().parse::<u64>().unwrap())
        .unwrap_or_else(|| panic!("{segments}"));
    assert_eq!(u(&row["ram_bytes"]), data_total);
    assert!(data_total >= 8, "SEED and COUNTER: {segments}");
    assert_eq!(
        u(&row["stripped_bytes"]),
        size_after(&mut llvm_tool("llvm-strip"), &file)
    );
    assert!(row["image_bytes"].is_null());
}

#[test]
fn a_pe_executable_is_measured_as_binutils_and_llvm_see_it() {
    let (row, file) = weigh_for("x86_64-pc-windows-msvc");
    assert_eq!(row["format"], "pei-x86-64");
    assert_eq!(
        u(&row["file_bytes"]),
        std::fs::metadata(&file).unwrap().len()
    );
    // BFD reads PE images: its text and data are the stored bytes.
    let (text, data, _) = berkeley_size("size", &file);
    assert_eq!(
        (
            u(&row["berkeley"]["text_bytes"]),
            u(&row["berkeley"]["data_bytes"])
        ),
        (text, data),
        "{row}"
    );
    assert_eq!(u(&row["flash_bytes"]), text + data);
    // RAM: the virtual size of every writable section.
    let sections = stdout_of(llvm_tool("llvm-readobj").arg("--sections").arg(&file));
    let writable: u64 = sections
        .split("Section {")
        .filter(|s| s.contains("IMAGE_SCN_MEM_WRITE"))
        .map(|s| {
            let v = s
                .lines()
                .find_map(|l| l.trim().strip_prefix("VirtualSize: 0x"))
                .unwrap();
            u64::from_str_radix(v, 16).unwrap()
        })
        .sum();
    assert_eq!(u(&row["ram_bytes"]), writable);
    assert!(writable >= 8, "SEED and COUNTER: {sections}");
    let gnu = strip_size("strip", &file, tempfile::tempdir().unwrap().path());
    assert_eq!(u(&row["stripped_bytes"]), gnu);
    assert_eq!(gnu, size_after(&mut llvm_tool("llvm-strip"), &file));
}

/// What the table shows for a host format: the stripped file first, then
/// what is loaded, never "Flash"; `top` names the program's own symbols
/// (Mach-O keeps them, without sizes); `why` says it needs an ELF file.
#[test]
fn host_formats_are_shown_in_their_words_and_top_and_why_know_them() {
    let manifest = fixture("foreign/Cargo.toml");
    let weigh_it = |args: &[&str]| {
        let mut c = weigh();
        c.arg(args[0])
            .arg("--manifest-path")
            .arg(&manifest)
            .arg("--target-dir")
            .arg(shared_target_dir("foreign"))
            .args(&args[1..]);
        run(&mut c)
    };
    let out = weigh_it(&[
        "weigh",
        "--target",
        "aarch64-apple-darwin",
        "--only",
        "release",
    ]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let header = stdout
        .lines()
        .find(|l| l.contains("Configuration"))
        .unwrap();
    let stripped = header.find("Stripped").expect(header);
    assert!(
        header.find("Loaded").is_some_and(|l| l > stripped),
        "{header}"
    );
    assert!(!stdout.contains("Flash"), "{stdout}");

    let out = weigh_it(&[
        "top",
        "--target",
        "aarch64-apple-darwin",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out).1);
    let top: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let symbols = top["symbols"].as_array().unwrap();
    let bytes_of = |name: &str| {
        symbols
            .iter()
            .find(|s| s["name"] == name)
            .map(|s| u(&s["size_bytes"]))
            .unwrap_or_else(|| panic!("{name} in {symbols:?}"))
    };
    // 64 u16 and a u32, as the source declares them.
    assert_eq!(bytes_of("foreign::TABLE"), 128);
    assert_eq!(bytes_of("foreign::SEED"), 4);

    for target in ["aarch64-apple-darwin", "x86_64-pc-windows-msvc"] {
        let out = weigh_it(&["why", "main", "--target", target]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out).1.contains("only in ELF files"),
            "{}",
            text(&out).1
        );
    }
}
