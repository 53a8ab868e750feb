//! `cargo weigh why`: the reference graph of a final binary, from the
//! relocations a link with `--emit-relocs` kept. Every step of a printed
//! chain is a relocation `readelf -r` lists; the chains lld's own
//! `--why-live` prints on the same link are paths of the graph; retained
//! sizes add up; what a symbol retains is what removing it saves; the
//! measured binary is untouched. On thumbv7em, riscv32imac and x86-64.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

const ARM: &str = "thumbv7em-none-eabihf";
const RISCV: &str = "riscv32imac-unknown-none-elf";

fn why(project: &str, target_dir: &str, args: &[&str]) -> Value {
    json_stdout(
        weigh()
            .arg("why")
            .arg("--manifest-path")
            .arg(fixture(&format!("{project}/Cargo.toml")))
            .arg("--target-dir")
            .arg(shared_target_dir(target_dir))
            .args(["--quiet", "--format", "json"])
            .args(args),
    )
}

/// `readelf -rW`'s relocations: (offset, type, symbol name).
fn readelf_relocations(readelf: &str, file: &Path) -> Vec<(u64, String, String)> {
    let out = tool(readelf).arg("-rW").arg(file).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let offset = u64::from_str_radix(f.first()?, 16).ok()?;
            let kind = f.get(2)?.to_string();
            kind.starts_with("R_")
                .then(|| (offset, kind, f.get(4).unwrap_or(&"").to_string()))
        })
        .collect()
}

/// Every step after a root is a relocation the link kept at that place.
fn steps_are_relocations(report: &Value, readelf: &str) {
    let file = PathBuf::from(report["file"].as_str().unwrap());
    let relocs = readelf_relocations(readelf, &file);
    assert!(!relocs.is_empty(), "{} has no relocations", file.display());
    let mut checked = 0;
    for m in report["matches"].as_array().unwrap() {
        for c in m["chains"].as_array().unwrap() {
            for s in c["steps"].as_array().unwrap().iter().skip(1) {
                let place = s["place"].as_u64().unwrap();
                let kind = s["relocation"].as_str().unwrap();
                assert!(
                    relocs.iter().any(|(o, k, _)| *o == place && k == kind),
                    "{kind} at {place:#x} ({}) is not among the relocations readelf lists",
                    s["name"]
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 1, "no step checked: {report}");
}

#[test]
fn chains_on_thumbv7em_are_relocations_and_keep_the_flash_image() {
    let r = why(
        "tiny",
        "tiny",
        &[
            "pad_integral",
            "--matrix-file",
            fixture("tiny-matrix.toml").to_str().unwrap(),
            "--only",
            "release",
            "--all-paths",
            "3",
        ],
    );
    steps_are_relocations(&r, "arm-none-eabi-readelf");
    let m = &r["matches"][0];
    let steps = m["chains"][0]["steps"].as_array().unwrap();
    assert_eq!(m["chains"][0]["root"], "entry", "{m}");
    assert_eq!(steps[0]["name"], "Reset", "{m}");
    assert_eq!(
        steps.last().unwrap()["name"],
        "<core::fmt::Formatter>::pad_integral"
    );
    // What it writes is what docs/why.schema.json publishes.
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/why.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&r).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // The measured binary is the user's: the graph's build loads the same bytes.
    let notes = r["notes"].to_string();
    assert!(
        notes.contains("has the same flash as `release`, byte for byte"),
        "{notes}"
    );
}

#[test]
fn chains_on_riscv32imac_and_x86_64_are_relocations() {
    let r = why("layouts", "layouts", &["fast", "--target", RISCV]);
    steps_are_relocations(&r, "riscv64-unknown-elf-readelf");
    let r = why(
        "hostapp",
        "hostapp",
        &["hostapp::main", "--preset", "release"],
    );
    steps_are_relocations(&r, "readelf");
}

/// lld's own chains (`--why-live`), on a plain `cargo rustc` link of a
/// copy of the fixture: each "referenced by" is an edge of our graph.
fn lld_chains_are_paths(project: &str, target: Option<&str>, glob: &str, driver: bool) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(project), dir.path());
    let wl = if driver { "-Wl," } else { "" };
    let mut cmd = Command::new("cargo");
    cmd.current_dir(dir.path())
        .env_remove("CARGO_TARGET_DIR")
        .args(["rustc", "--release"]);
    if let Some(t) = target {
        cmd.args(["--target", t]);
    }
    let out = cmd
        .args(["--", "-W", "linker-messages"])
        .arg(format!("-Clink-arg={wl}--emit-relocs"))
        .arg(format!("-Clink-arg={wl}--why-live={glob}"))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    let name = |l: &str| -> Option<String> {
        let inner = l.rsplit_once(":(")?.1;
        let inner = inner.split_once(')').map_or(inner, |x| x.0);
        Some(strip_hash(inner))
    };
    let mut chains: Vec<Vec<String>> = Vec::new();
    for l in log.lines() {
        if l.contains("live symbol:") {
            chains.push(name(l).into_iter().collect());
        } else if l.contains(">>> referenced by") {
            if let (Some(c), Some(n)) = (chains.last_mut(), name(l)) {
                c.push(n);
            }
        }
    }
    assert!(!chains.is_empty(), "no --why-live chain in:\n{log}");
    let triple = target.map_or(String::new(), |t| format!("{t}/"));
    let bin = dir.path().join(format!("target/{triple}release/{project}"));
    let g = cargo_weigh::graph::build(&std::fs::read(&bin).unwrap(), &Default::default()).unwrap();
    let find = |n: &str| g.nodes.iter().position(|x| strip_hash(&x.name) == n);
    let mut pairs = 0;
    for c in &chains {
        for w in c.windows(2) {
            let (to, from) = (&w[0], &w[1]);
            let (Some(f), Some(t)) = (find(from), find(to)) else {
                panic!("{from} → {to}: not a node of the graph (chain {c:?})");
            };
            assert!(
                g.out[f].iter().any(|&e| g.edges[e].to == t),
                "lld says {from} refers to {to}; the graph has no such edge"
            );
            pairs += 1;
        }
    }
    assert!(pairs >= 1, "{chains:?}");
}

/// Names as lld prints them and as we do, without a legacy hash.
fn strip_hash(name: &str) -> String {
    match name.rsplit_once("::h") {
        Some((head, h)) if h.len() == 16 && h.chars().all(|c| c.is_ascii_hexdigit()) => head.into(),
        _ => name.into(),
    }
}

#[test]
fn lld_why_live_chains_are_paths_of_the_graph() {
    lld_chains_are_paths("tiny", Some(ARM), "*pad_integral*", false);
    lld_chains_are_paths("layouts", Some(RISCV), "*fast*", false);
    lld_chains_are_paths("layouts", Some(ARM), "*work*", false);
    lld_chains_are_paths("hostapp", None, "*hostapp*main*", true);
}

#[test]
fn retained_sizes_add_up() {
    let r = why(
        "tiny",
        "tiny",
        &[
            "Reset",
            "--matrix-file",
            fixture("tiny-matrix.toml").to_str().unwrap(),
            "--only",
            "release",
        ],
    );
    let file = r["file"].as_str().unwrap();
    let g = cargo_weigh::graph::build(&std::fs::read(file).unwrap(), &Default::default()).unwrap();
    let retained = cargo_weigh::graph::retained_sizes(&g);
    let roots: u64 = g.roots.iter().map(|&(n, _)| retained[n]).sum();
    assert_eq!(roots, g.total_bytes(), "the roots retain every byte");
    for (n, node) in g.nodes.iter().enumerate() {
        assert!(retained[n] >= node.bytes);
        if g.out[n].is_empty() {
            assert_eq!(
                retained[n], node.bytes,
                "a leaf retains itself: {}",
                node.name
            );
        }
    }
}

/// What a function retains is what building without it saves: the
/// layouts fixture with `--cfg weigh_table` calls `table_sum`, which has a
/// table of its own.
#[test]
fn removing_a_symbol_saves_what_it_retains() {
    let matrix = shared_target_dir("why-table.toml");
    std::fs::create_dir_all(matrix.parent().unwrap()).unwrap();
    std::fs::write(
        &matrix,
        "[[config]]\nname = \"release\"\n[[config]]\nname = \"table\"\nrustflags = [\"--cfg\", \"weigh_table\"]\n",
    )
    .unwrap();
    let m = matrix.to_str().unwrap();
    let r = why(
        "layouts",
        "layouts",
        &["table_sum", "--matrix-file", m, "--only", "table"],
    );
    let retained = r["matches"][0]["retained_bytes"].as_u64().unwrap();
    assert!(retained > 1024, "its code and its 1 KiB table: {r}");
    let sizes = json_stdout(
        weigh_project(&fixture("layouts"), &matrix, &shared_target_dir("layouts"))
            .args(["--quiet", "--format", "json"]),
    );
    let flash = |name: &str| {
        sizes["configs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()["flash_bytes"]
            .as_u64()
            .unwrap()
    };
    let saved = flash("table") - flash("release");
    // The call site goes too, and alignment moves a few bytes.
    assert!(
        saved.abs_diff(retained) <= 16,
        "saved {saved} B, retained {retained} B"
    );
}

/// `top --retained`: symbols sorted by what they retain, what formatting
/// and panics retain (the two together at least each alone), and
/// `panic = "immediate-abort"` built and measured where core can be
/// built from source (else said why not).
#[test]
fn top_retained_sorts_by_retained_and_prices_panics_and_fmt() {
    let a = json_stdout(
        weigh()
            .arg("top")
            .arg("--manifest-path")
            .arg(fixture("tiny/Cargo.toml"))
            .arg("--matrix-file")
            .arg(fixture("tiny-matrix.toml"))
            .arg("--target-dir")
            .arg(shared_target_dir("tiny"))
            .args([
                "--only",
                "release",
                "--retained",
                "-n",
                "8",
                "--quiet",
                "--format",
                "json",
            ]),
    );
    let symbols = a["symbols"].as_array().unwrap();
    let retained: Vec<u64> = symbols
        .iter()
        .map(|s| s["retained_bytes"].as_u64().unwrap())
        .collect();
    assert!(retained.windows(2).all(|w| w[0] >= w[1]), "{retained:?}");
    assert_eq!(symbols[0]["name"], "Reset", "the entry retains most");
    for s in symbols {
        assert!(
            s["retained_bytes"].as_u64() >= s["size_bytes"].as_u64(),
            "{s}"
        );
    }
    let groups = a["references"]["panic_and_fmt"].as_array().unwrap();
    let of = |name: &str| {
        groups.iter().find(|g| g["group"] == name).unwrap()["retained_bytes"]
            .as_u64()
            .unwrap()
    };
    assert!(of("core::fmt") > 0 && of("panic") > 0, "{groups:?}");
    assert!(of("core::fmt and panic") >= of("core::fmt").max(of("panic")));
    match a["references"].get("panic_measured") {
        Some(m) => assert!(m["saved_bytes"].as_i64().unwrap() > 0, "{m}"),
        None => assert!(
            a["notes"].to_string().contains("not measured"),
            "{}",
            a["notes"]
        ),
    }
}

/// `top --generics` on a host binary: copies grouped by their generic,
/// each with the crates whose code made them.
#[test]
fn top_generics_groups_copies_with_who_made_them() {
    let a = json_stdout(
        weigh()
            .arg("top")
            .arg("--manifest-path")
            .arg(fixture("hostapp/Cargo.toml"))
            .arg("--target-dir")
            .arg(shared_target_dir("hostapp"))
            .args([
                "--preset",
                "release",
                "--generics",
                "-n",
                "20",
                "--quiet",
                "--format",
                "json",
            ]),
    );
    let generics = a["references"]["generics"].as_array().unwrap();
    assert!(!generics.is_empty(), "{a}");
    for g in generics {
        let copies = g["copies"].as_u64().unwrap();
        assert!(copies >= 2, "{g}");
        let made: u64 = g["caused_by"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["copies"].as_u64().unwrap())
            .sum();
        assert_eq!(made, copies, "{g}");
        let largest = g["largest"][0]["size_bytes"].as_u64().unwrap();
        assert!(
            largest * copies >= g["total_bytes"].as_u64().unwrap(),
            "{g}"
        );
    }
}

/// `why --crate`: the dependency path cargo knows, and the crate's
/// symbols the roots reach first, each with its chain.
#[test]
fn why_a_crate_is_here() {
    let r = why(
        "depmem",
        "depmem",
        &["board", "--crate", "--preset", "release"],
    );
    assert_eq!(
        r["crate_path"],
        serde_json::json!(["depmem", "board"]),
        "{r}"
    );
    let m = &r["matches"][0];
    assert_eq!(m["crate_name"], "board", "{m}");
    let steps = m["chains"][0]["steps"].as_array().unwrap();
    assert_eq!(steps.last().unwrap()["crate_name"], "board");
}
