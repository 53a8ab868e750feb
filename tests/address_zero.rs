//! Attribution on a chip whose flash starts at address 0 (nRF5x, SAMD,
//! LPC, the lm3s6965 and mps2 QEMU boards): the linker leaves the DWARF
//! line rows of functions it discarded at address 0, where real code is;
//! they must never win. The tiny fixture (flash at 0) is attributed as the
//! same program linked at 0x08000000, and every view (crate table, symbol
//! rows, the HTML treemap) counts each byte for the same crate.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use serde_json::Value;

fn top(manifest: &Path, target: &Path, config: &str) -> Value {
    json_stdout(
        weigh()
            .arg("top")
            .arg("--manifest-path")
            .arg(manifest)
            .arg("--matrix-file")
            .arg(fixture("tiny-matrix.toml"))
            .arg("--target-dir")
            .arg(target)
            .args([
                "--only", config, "-n", "100000", "--quiet", "--format", "json",
            ]),
    )
}

/// Crate → (text, rodata, data) of `top`'s crate table.
fn crates(a: &Value) -> BTreeMap<String, (u64, u64, u64)> {
    a["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let b = |k: &str| c[k].as_u64().unwrap();
            (
                c["name"].as_str().unwrap().to_string(),
                (b("text_bytes"), b("rodata_bytes"), b("data_bytes")),
            )
        })
        .filter(|(_, v)| *v != (0, 0, 0))
        .collect()
}

/// Every code byte of every symbol, counted for the crate its symbol row
/// says, adds up to the crate table's code per crate.
fn symbol_code_equals_crate_code(a: &Value) {
    let mut parts: BTreeMap<String, u64> = BTreeMap::new();
    for s in a["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "text")
    {
        match s["code_by_crate"].as_array() {
            Some(ps) => {
                for p in ps {
                    *parts
                        .entry(p["crate_name"].as_str().unwrap().into())
                        .or_default() += p["bytes"].as_u64().unwrap();
                }
            }
            None => {
                *parts
                    .entry(s["crate_name"].as_str().unwrap().into())
                    .or_default() += s["size_bytes"].as_u64().unwrap();
            }
        }
    }
    for (name, (text, _, _)) in crates(a) {
        if name.starts_with('[') {
            continue;
        }
        assert_eq!(parts.get(&name).copied().unwrap_or(0), text, "{name}");
    }
}

#[test]
fn flash_at_zero_is_attributed_as_flash_elsewhere() {
    let at_zero = top(
        &fixture("tiny/Cargo.toml"),
        &shared_target_dir("tiny"),
        "release",
    );
    // The same program with only the flash origin moved.
    let moved = shared_target_dir("tiny-at-0x08000000");
    let project = moved.join("project");
    let _ = std::fs::remove_dir_all(&project);
    copy_dir(&fixture("tiny"), &project);
    let memory = std::fs::read_to_string(project.join("memory.x")).unwrap();
    let memory = memory.replace("FLASH : ORIGIN = 0x00000000", "FLASH : ORIGIN = 0x08000000");
    assert!(memory.contains("0x08000000"), "{memory}");
    std::fs::write(project.join("memory.x"), memory).unwrap();
    let elsewhere = top(
        &project.join("Cargo.toml"),
        &moved.join("target"),
        "release",
    );

    let (a, b) = (crates(&at_zero), crates(&elsewhere));
    assert_eq!(a, b, "flash at 0 against flash at 0x08000000");
    let tiny = a.get("tiny").expect("the program's own crate");
    assert!(tiny.0 > 1024, "tiny's own code is counted: {a:?}");
    symbol_code_equals_crate_code(&at_zero);
    symbol_code_equals_crate_code(&elsewhere);
}

/// The page's treemap: each crate's box is `top`'s figure for the same
/// binary, and the boxes nested in it add up to exactly that (no symbol of
/// another crate's code inflating it).
#[test]
fn treemap_boxes_hold_what_top_counts() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    let out = run(tiny_weigh("tiny-matrix.toml")
        .args([
            "--only",
            "release,opt-z",
            "--attribute",
            "--quiet",
            "--format",
            "html",
            "-o",
        ])
        .arg(&page));
    assert!(out.status.success(), "{}", text(&out).1);
    let html = std::fs::read_to_string(&page).unwrap();
    let start = html.find("id=attribution-data>").unwrap() + "id=attribution-data>".len();
    let end = start + html[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&html[start..end].replace("\\u003c", "<")).unwrap();
    let report = json_stdout(tiny_weigh("tiny-matrix.toml").args([
        "--only",
        "release,opt-z",
        "--quiet",
        "--format",
        "json",
    ]));
    for config in ["release", "opt-z"] {
        let d = &data[config];
        let row = report["configs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == config)
            .unwrap();
        let artifact = row["artifact"].as_str().unwrap();
        // The rlibs the build linked: the sysroot's (the fixture has no
        // dependencies), as the run indexes them.
        let rustc = report["toolchain"]["rustc"].as_str().unwrap();
        let sysroot = std::process::Command::new(rustc)
            .args(["--print", "sysroot"])
            .output()
            .unwrap();
        let rlibs = Path::new(String::from_utf8_lossy(&sysroot.stdout).trim())
            .join("lib/rustlib/thumbv7em-none-eabihf/lib");
        let from_top = crates(&json_stdout(
            weigh()
                .args([
                    "top", artifact, "-n", "100000", "--quiet", "--format", "json", "--rlibs",
                ])
                .arg(&rlibs),
        ));
        for c in d["crates"].as_array().unwrap() {
            let name = c["name"].as_str().unwrap();
            let v = c["v"].as_u64().unwrap();
            let (t, r, dd) = from_top.get(name).copied().unwrap_or_default();
            assert_eq!(v, t + r + dd, "{config} {name}: the box is top's figure");
            let inside = |rest: bool| -> u64 {
                d["parts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|p| p["crate"] == name)
                    .filter(|p| p["name"].as_str().unwrap().starts_with("(the rest of ") == rest)
                    .map(|p| p["v"].as_u64().unwrap())
                    .sum()
            };
            assert!(
                inside(false) <= v,
                "{config} {name}: symbols {} > box {v}",
                inside(false)
            );
            assert_eq!(inside(false) + inside(true), v, "{config} {name}");
        }
    }
}
