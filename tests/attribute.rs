//! Attribution (`top`, `--attribute`), diffs between builds, and the HTML
//! report, on real builds.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn kinds_add_up(a: &serde_json::Value) {
    let crates = a["crates"].as_array().unwrap();
    for kind in ["text", "rodata", "data", "bss"] {
        let by_sections: u64 = a["sections"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["kind"] == kind)
            .map(|s| {
                assert_eq!(
                    s["attributed_bytes"].as_u64().unwrap()
                        + s["unattributed_bytes"].as_u64().unwrap(),
                    s["size_bytes"].as_u64().unwrap()
                );
                s["size_bytes"].as_u64().unwrap()
            })
            .sum();
        let by_crates: u64 = crates
            .iter()
            .map(|c| c[format!("{kind}_bytes")].as_u64().unwrap())
            .sum();
        assert_eq!(
            by_crates, by_sections,
            "{kind}: crates add up to the sections"
        );
    }
}

#[test]
fn top_on_the_firmware_uses_the_line_table_and_adds_up() {
    let a = json_stdout(tiny_subcommand("top", "tiny-verify.toml").args([
        "--only", "z-fat", "--quiet", "--format", "json", "-n", "1000",
    ]));
    assert_eq!(a["code_source"], "dwarf", "{}", a["notes"]);
    kinds_add_up(&a);
    let names: Vec<&str> = a["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"tiny") && names.contains(&"core"),
        "{names:?}"
    );
    // The flash of the attributed build equals the configuration's flash.
    let flash: u64 = a["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["text_bytes"].as_u64().unwrap()
                + c["rodata_bytes"].as_u64().unwrap()
                + c["data_bytes"].as_u64().unwrap()
        })
        .sum();
    let m = run(
        tiny_weigh("tiny-verify.toml").args(["--only", "z-fat", "--quiet", "--format", "json"])
    );
    let r: serde_json::Value = serde_json::from_slice(&m.stdout).unwrap();
    assert_eq!(flash, r["configs"][0]["flash_bytes"].as_u64().unwrap());
    assert!(
        a["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("has the same flash as")),
        "{}",
        a["notes"]
    );
}

#[test]
fn top_of_a_file_runs_nothing_and_filters() {
    // Any binary will do; this crate's own test binary has thousands of symbols.
    let me = PathBuf::from(env!("CARGO_BIN_EXE_cargo-weigh"));
    let a = json_stdout(
        weigh()
            .env("PATH", "/nonexistent")
            .env_remove("CARGO")
            .arg("top")
            .arg(&me)
            .args(["--format", "json", "-n", "5", "--section", "text"]),
    );
    let symbols = a["symbols"].as_array().unwrap();
    assert_eq!(symbols.len(), 5);
    assert!(symbols.iter().all(|s| s["kind"] == "text"));
    let sizes: Vec<u64> = symbols
        .iter()
        .map(|s| s["size_bytes"].as_u64().unwrap())
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]));
    let out = run(weigh()
        .arg("top")
        .arg(&me)
        .args(["--format", "json", "--filter", "^clap", "--crates"]));
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let crates: Vec<&str> = a["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        !crates.is_empty() && crates.iter().all(|c| c.starts_with("clap")),
        "{crates:?}"
    );
}

/// Build the host fixture (a copy) with attribution, as a report file.
fn report_of(project: &Path, target: &Path, out: &Path) -> serde_json::Value {
    let o = run(weigh()
        .arg("--manifest-path")
        .arg(project.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target)
        .args([
            "--preset",
            "release",
            "--attribute",
            "--quiet",
            "--format",
            "json",
            "--output",
        ])
        .arg(out));
    assert!(o.status.success(), "{}", text(&o).1);
    json(out)
}

#[test]
fn diff_of_a_report_with_itself_is_zero_and_a_format_call_shows_up() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("hostapp");
    copy_dir(&fixture("hostapp"), &project);
    let target = tmp.path().join("target");
    let before = tmp.path().join("before.json");
    report_of(&project, &target, &before);

    let same = run(weigh()
        .arg("diff")
        .arg(&before)
        .arg(&before)
        .args(["--format", "json"]));
    let d: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    for c in d["configs"].as_array().unwrap() {
        assert!(c["totals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["delta_bytes"] == 0));
        for list in ["sections", "crates", "symbols"] {
            assert!(c[list].as_array().unwrap().is_empty(), "{list}: {c}");
        }
    }

    // As a pull-request comment: short, and it says so.
    let md = run(weigh()
        .arg("diff")
        .arg(&before)
        .arg(&before)
        .args(["--format", "markdown"]));
    let md = text(&md).0;
    assert!(md.lines().count() <= 8, "{md}");
    assert!(md.contains("No size change in"), "{md}");

    // A one-line change that formats a string.
    let main = project.join("src/main.rs");
    let src = std::fs::read_to_string(&main).unwrap();
    let src = src.replace(
        "    println!(\"{greeting}: {} args, score {total}\", args.len());",
        "    let line = format!(\"{greeting}: {} args, score {total:>12.3e}\", args.len());\n    println!(\"{line}\");",
    );
    std::fs::write(&main, src).unwrap();
    let after = tmp.path().join("after.json");
    report_of(&project, &target, &after);
    let out = run(weigh()
        .arg("diff")
        .arg(&before)
        .arg(&after)
        .args(["--format", "json", "-n", "1000"]));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let symbols = d["configs"][0]["symbols"].as_array().unwrap();
    let new: Vec<&str> = symbols
        .iter()
        .filter(|s| s["status"] == "appeared")
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        new.iter().any(|n| n.contains("fmt")),
        "new symbols: {new:?}"
    );
    // Markdown for a pull-request comment, and the growth gate.
    let md = run(weigh()
        .arg("diff")
        .arg(&before)
        .arg(&after)
        .args(["--format", "markdown"]));
    assert!(text(&md)
        .0
        .starts_with("<!-- cargo-weigh diff -->\n### cargo weigh diff"));
    let gate = run(weigh()
        .arg("diff")
        .arg(&before)
        .arg(&after)
        .args(["--fail-on-growth", "0"]));
    let grew = d["configs"][0]["totals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "flash")
        .unwrap()["delta_bytes"]
        .as_i64()
        .unwrap();
    assert_eq!(
        gate.status.code(),
        Some(if grew > 0 { 1 } else { 0 }),
        "{}",
        text(&gate).1
    );
}

#[test]
fn diff_against_a_git_revision_leaves_the_checkout_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("hostapp");
    copy_dir(&fixture("hostapp"), &project);
    let git = |args: &[&str]| {
        let st = Command::new("git")
            .current_dir(&project)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t")
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    let main = project.join("src/main.rs");
    let src = std::fs::read_to_string(&main)
        .unwrap()
        .replace("score {total}\"", "score {total:>12.3e}\"");
    std::fs::write(&main, &src).unwrap();
    let before = snapshot_tree(&project);
    let d = json_stdout(
        weigh()
            .arg("diff")
            .arg("--git")
            .arg("HEAD")
            .arg("--manifest-path")
            .arg(project.join("Cargo.toml"))
            .args(["--preset", "release", "--quiet", "--format", "json"]),
    );
    assert_eq!(d["before"], "HEAD");
    assert!(
        !d["configs"][0]["symbols"].as_array().unwrap().is_empty(),
        "{d}"
    );
    let mut after = snapshot_tree(&project);
    after.retain(|p, _| !p.starts_with(".git"));
    let mut before = before;
    before.retain(|p, _| !p.starts_with(".git"));
    assert_eq!(before, after, "the working tree is untouched");
    assert_eq!(std::fs::read_to_string(&main).unwrap(), src);
}

#[test]
fn html_report_is_self_contained_and_escapes_names() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("hostapp");
    copy_dir(&fixture("hostapp"), &project);
    let json_path = tmp.path().join("r.json");
    let mut r = report_of(&project, &tmp.path().join("target"), &json_path);
    // A hostile name, as a binary could carry it.
    let evil = "<script>alert(\"x\")</script>&'\n,\"";
    r["configs"][0]["attribution"]["symbols"][0]["name"] = evil.into();
    r["configs"][0]["name"] = evil.into();
    std::fs::write(&json_path, serde_json::to_vec(&r).unwrap()).unwrap();
    let html_path = tmp.path().join("r.html");
    let out = run(weigh()
        .arg("show")
        .arg(&json_path)
        .args(["--format", "html", "--output"])
        .arg(&html_path));
    assert!(out.status.success(), "{}", text(&out).1);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(
        !html.contains("<script>alert"),
        "raw markup from a name reached the page"
    );
    assert!(html.contains("&lt;script&gt;alert"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing is fetched"
    );
    assert!(html.contains("<svg"), "charts are inline SVG");
    // CSV quotes it, JSON keeps it as data.
    let csv = run(weigh()
        .arg("show")
        .arg(&json_path)
        .args(["--format", "csv"]));
    let mut rd = csv::Reader::from_reader(&csv.stdout[..]);
    let first = rd.records().next().unwrap().unwrap();
    assert_eq!(&first[0], evil);

    // A real browser: the page loads without script errors; a screenshot is made.
    let shot = tmp.path().join("r.png");
    let chromium = headless_chromium(&tmp.path().join("profile"))
        .args(["--disable-quic", "--enable-logging=stderr", "--v=0"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,2000")
        .arg(format!("file://{}", html_path.display()))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&chromium.stderr);
    assert!(
        shot.is_file() && std::fs::metadata(&shot).unwrap().len() > 1000,
        "no screenshot: {log}"
    );
    assert!(!log.contains("Uncaught"), "script error in the page: {log}");
    let dom = headless_chromium(&tmp.path().join("profile2"))
        .arg("--dump-dom")
        .arg(format!("file://{}", html_path.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    // The script filled the symbol table (it runs), and the hostile name is text.
    assert!(
        dom.contains("id=\"count\">") && !dom.contains("<script>alert"),
        "{}",
        &dom[..dom.len().min(2000)]
    );
}

#[test]
fn hostile_symbol_names_stay_data_in_every_format() {
    use object::write::{Object, Symbol, SymbolSection};
    use object::{
        Architecture, BinaryFormat, Endianness, SectionKind, SymbolFlags, SymbolKind, SymbolScope,
    };
    let evil = "<script>alert(\"x\")</script>, 'q'\nnext";
    let mut obj = Object::new(BinaryFormat::Elf, Architecture::Arm, Endianness::Little);
    let code = obj.add_section(Vec::new(), b".text".to_vec(), SectionKind::Text);
    obj.append_section_data(code, &[0; 32], 4);
    for (name, value) in [
        (evil.as_bytes().to_vec(), 0u64),
        (b"bad\xff\xfeutf8".to_vec(), 16),
    ] {
        obj.add_symbol(Symbol {
            name,
            value,
            size: 16,
            kind: SymbolKind::Text,
            scope: SymbolScope::Linkage,
            weak: false,
            section: SymbolSection::Section(code),
            flags: SymbolFlags::None,
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("evil.o");
    std::fs::write(&file, obj.write().unwrap()).unwrap();
    let out = |format: &str| {
        let o = run(weigh().arg("top").arg(&file).args(["--format", format]));
        assert!(o.status.success(), "{format}: {}", text(&o).1);
        String::from_utf8(o.stdout).expect("valid UTF-8 output")
    };
    // JSON: the name, exactly; the invalid bytes as replacement characters.
    let j: serde_json::Value = serde_json::from_str(&out("json")).unwrap();
    let names: Vec<&str> = j["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&evil), "{names:?}");
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("bad\u{fffd}\u{fffd}utf8")),
        "{names:?}"
    );
    // HTML: escaped, never markup.
    let html = out("html");
    assert!(!html.contains("<script>alert") && html.contains("&lt;script&gt;alert"));
    // Markdown and the table: one line per row, no raw newline from a name.
    let table = out("table");
    assert!(!table.contains("\nnext"), "a name broke a table line");
    // CSV of crates parses.
    let csv_out = out("csv");
    let mut rd = csv::Reader::from_reader(csv_out.as_bytes());
    assert!(rd.records().all(|r| r.is_ok()));
}

/// Chromium without a window, first-run steps or network chatter, with a
/// profile directory of its own.
fn headless_chromium(profile: &std::path::Path) -> std::process::Command {
    let mut c = tool("chromium");
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Under LTO, cargo compiles dependencies to bitcode: their rlibs hold no
/// object files, only the archive's symbol index. A symbol a dependency
/// defines is still named for its crate, exactly (not guessed).
#[test]
fn lto_builds_name_dependency_symbols_by_their_rlib() {
    let tmp = tempfile::tempdir().unwrap();
    let matrix = tmp.path().join("fat.toml");
    std::fs::write(&matrix, "[[config]]\nname = \"fat\"\nlto = \"fat\"\n").unwrap();
    let a = json_stdout(
        weigh()
            .arg("top")
            .arg("--manifest-path")
            .arg(fixture("depmem/Cargo.toml"))
            .arg("--matrix-file")
            .arg(&matrix)
            .arg("--target-dir")
            .arg(shared_target_dir("depmem"))
            .args(["--only", "fat", "--quiet", "--format", "json", "-n", "1000"]),
    );
    let board = a["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "BOARD_NAME")
        .unwrap_or_else(|| panic!("BOARD_NAME not in {a}"));
    assert_eq!(board["crate_name"], "board", "{board}");
    assert_eq!(board["origin"], "exact", "{board}");
}

/// Demangled name → the crates whose rlib's archive index (read by `nm -s`,
/// an independent reader) defines it, over every rlib the builds under
/// `target_dir` used and the toolchain's for `triple`.
fn rlib_definitions(
    nm: &str,
    target_dir: &Path,
    triple: &str,
) -> std::collections::HashMap<String, std::collections::BTreeSet<String>> {
    let sysroot = String::from_utf8(
        Command::new("rustc")
            .args(["--print", "sysroot"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let mut dirs = vec![Path::new(sysroot.trim()).join(format!("lib/rustlib/{triple}/lib"))];
    for family in std::fs::read_dir(target_dir.join("weigh/build"))
        .unwrap()
        .flatten()
    {
        dirs.push(family.path().join(triple).join("release/deps"));
        dirs.push(family.path().join("release/deps"));
    }
    let mut out: std::collections::HashMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            let Some(krate) = file
                .strip_prefix("lib")
                .and_then(|f| f.strip_suffix(".rlib"))
                .and_then(|f| f.rsplit_once('-'))
                .map(|(k, _)| k.to_string())
            else {
                continue;
            };
            let listing = tool(nm).args(["-s", "-C"]).arg(e.path()).output().unwrap();
            let text = String::from_utf8_lossy(&listing.stdout);
            let index = text
                .split_once("Archive index:\n")
                .map_or("", |(_, rest)| rest.split("\n\n").next().unwrap_or(""));
            for line in index.lines() {
                if let Some((name, _)) = line.rsplit_once(" in ") {
                    out.entry(name.to_string())
                        .or_default()
                        .insert(krate.clone());
                }
            }
        }
    }
    out
}

/// Each symbol's crate against the rlib that defines it, on three projects
/// (a dependency-free firmware, a firmware with a dependency crate, a host
/// binary with std): a name one rlib alone defines, and the report names
/// once, must be named for that rlib's crate.
#[test]
fn every_symbol_is_named_for_the_rlib_that_defines_it() {
    let projects = [
        (
            "tiny",
            "thumbv7em-none-eabihf",
            "arm-none-eabi-nm",
            "--only",
            "release",
        ),
        (
            "depmem",
            "thumbv7em-none-eabihf",
            "arm-none-eabi-nm",
            "--preset",
            "release",
        ),
        (
            "hostapp",
            "x86_64-unknown-linux-gnu",
            "nm",
            "--preset",
            "release",
        ),
    ];
    for (name, triple, nm, flag, value) in projects {
        let target = shared_target_dir(name);
        let mut cmd = weigh();
        cmd.arg("top")
            .arg("--manifest-path")
            .arg(fixture(&format!("{name}/Cargo.toml")))
            .arg("--target-dir")
            .arg(&target)
            .args([flag, value, "-n", "100000", "--quiet", "--format", "json"]);
        if name == "tiny" {
            cmd.arg("--matrix-file").arg(fixture("tiny-matrix.toml"));
        }
        let a = json_stdout(&mut cmd);
        let defined = rlib_definitions(nm, &target, triple);
        let symbols = a["symbols"].as_array().unwrap();
        let mut times = std::collections::HashMap::new();
        for s in symbols {
            *times.entry(s["name"].as_str().unwrap()).or_insert(0) += 1;
        }
        let (mut checked, mut wrong) = (0, Vec::new());
        for s in symbols {
            let n = s["name"].as_str().unwrap();
            let Some(crates) = defined.get(n).filter(|c| c.len() == 1 && times[n] == 1) else {
                continue;
            };
            checked += 1;
            let theirs = crates.iter().next().unwrap();
            if s["crate_name"] != theirs.as_str() {
                wrong.push(format!(
                    "{n}: ours {}, the rlib's {theirs}",
                    s["crate_name"]
                ));
            }
        }
        assert!(checked >= 5, "{name}: only {checked} symbols to check");
        // One mangled name can be defined in several rlibs (a generic
        // instance each instantiated; the linker keeps one), of which the
        // index may list one: at most 1 % may differ, and they are shown.
        assert!(
            wrong.len() * 100 <= checked,
            "{name}: {} of {checked} differ:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }
}

/// Startup code and handlers a firmware writes itself have no rlib and
/// unmangled names; the compilation unit that holds their code names the
/// crate (they were `[unmangled]`), and so for rustc's `__rustc` items.
#[test]
fn startup_code_and_handlers_are_named_for_their_crate() {
    let a = json_stdout(
        weigh()
            .arg("top")
            .arg("--manifest-path")
            .arg(fixture("depmem/Cargo.toml"))
            .arg("--target-dir")
            .arg(shared_target_dir("depmem"))
            .args([
                "--preset", "release", "-n", "1000", "--quiet", "--format", "json",
            ]),
    );
    let symbols = a["symbols"].as_array().unwrap();
    for name in [
        "Reset",
        "DefaultHandler",
        "HardFault",
        "__rustc::rust_begin_unwind",
    ] {
        let s = symbols
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in {a}"));
        assert_eq!(s["crate_name"], "depmem", "{s}");
        assert_eq!(s["origin"], "exact", "{s}");
    }
}
