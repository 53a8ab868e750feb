//! `why` and retained sizes on a WebAssembly module, checked against
//! twiggy's dominator tree of the same module and against the calls
//! `wasm-objdump -d` disassembles.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use cargo_weigh::attribute::{symbols::display_name, Kind, Options};
use cargo_weigh::graph;
use common::*;

/// `why PATTERN` on the wasm fixture's release build (built by `why`
/// itself, in the target directory tests/wasm.rs shares).
fn why(pattern: &str) -> serde_json::Value {
    let out = run(weigh()
        .arg("why")
        .arg(pattern)
        .arg("--manifest-path")
        .arg(fixture("wasm/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("wasm"))
        .args(["--all-paths", "1", "--format", "json", "--quiet"]));
    assert!(out.status.success(), "{}", text(&out).1);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn module() -> &'static PathBuf {
    static FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FILE.get_or_init(|| PathBuf::from(why("summarize")["file"].as_str().unwrap()))
}

fn tool(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .expect("the tool runs (scripts/setup installs it)");
    assert!(out.status.success(), "{cmd:?}: {}", text(&out).1);
    String::from_utf8(out.stdout).unwrap()
}

fn is_data(name: &str) -> bool {
    name.starts_with("data segment \"") || name.starts_with("data[")
}

/// twiggy's items: name → (shallow, retained without data segments);
/// names twiggy gives twice are left out. Also checks the tree is whole.
fn twiggy(file: &Path) -> HashMap<String, (u64, u64)> {
    let json = tool(
        Command::new("twiggy")
            .args(["dominators", "-f", "json"])
            .arg(file),
    );
    let tree: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut items = HashMap::new();
    let mut twice = std::collections::HashSet::new();
    fn walk(
        n: &serde_json::Value,
        items: &mut HashMap<String, (u64, u64)>,
        twice: &mut std::collections::HashSet<String>,
    ) -> (u64, u64) {
        let name = n["name"].as_str().unwrap().to_string();
        let shallow = n["shallow_size"].as_u64().unwrap();
        let (mut all, mut no_data) = (shallow, if is_data(&name) { 0 } else { shallow });
        for c in n["children"].as_array().into_iter().flatten() {
            let (a, d) = walk(c, items, twice);
            all += a;
            no_data += d;
        }
        assert_eq!(all, n["retained_size"].as_u64().unwrap(), "{name}: whole");
        let key = match name.split_once(':') {
            Some((t, _)) if t.starts_with("type[") => t.to_string(),
            _ => name,
        };
        if items.insert(key.clone(), (shallow, no_data)).is_some() {
            twice.insert(key);
        }
        (all, no_data)
    }
    for root in tree["items"].as_array().unwrap() {
        walk(root, &mut items, &mut twice);
    }
    items.retain(|k, _| !twice.contains(k) && k != "<meta root>");
    items
}

/// Our nodes by twiggy's names (functions as `rustc_demangle` prints
/// their raw names): name → (bytes, retained without data segments).
fn ours(file: &Path) -> (HashMap<String, (u64, u64)>, u64) {
    let data = std::fs::read(file).unwrap();
    let g = graph::build(&data, &Options::default()).unwrap();
    let (_, idom) = graph::dominator_tree(&g);
    let mut no_data = vec![0u64; g.nodes.len()];
    for (v, n) in g.nodes.iter().enumerate() {
        if n.kind == Kind::Data {
            continue;
        }
        let mut at = Some(v);
        while let Some(a) = at {
            no_data[a] += n.bytes;
            at = idom[a];
        }
    }
    let mut by_name = HashMap::new();
    for (i, n) in g.nodes.iter().enumerate() {
        let name = if n.kind == Kind::Text {
            rustc_demangle::demangle(&n.mangled).to_string()
        } else {
            n.name.clone()
        };
        by_name.insert(name, (n.bytes, no_data[i]));
    }
    (by_name, g.total_bytes())
}

/// Every byte of the module is one node's; every item twiggy names has
/// our size; the 20 items that retain most (data segments set aside:
/// twiggy maps an address inside a segment to the segment after it) retain
/// what twiggy says.
#[test]
fn retained_sizes_equal_twiggys_dominators() {
    let file = module();
    let (ours, total) = ours(file);
    assert_eq!(total, std::fs::metadata(file).unwrap().len());
    let theirs = twiggy(file);
    assert!(
        theirs.len() > 50,
        "twiggy read the module: {}",
        theirs.len()
    );
    for (name, (shallow, _)) in &theirs {
        let Some((bytes, _)) = ours.get(name) else {
            panic!("twiggy's `{name}` is none of our nodes");
        };
        assert_eq!(bytes, shallow, "{name}");
    }
    let mut top: Vec<(&String, &(u64, u64))> = theirs.iter().collect();
    top.sort_by_key(|(n, s)| (std::cmp::Reverse(s.1), n.to_string()));
    for (name, (_, retained)) in top.into_iter().take(20) {
        assert_eq!(ours[name].1, *retained, "retained by {name}");
    }
}

/// A chain from an export to a function: each `call` step is a call to
/// the next function at the place `wasm-objdump -d` shows it.
#[test]
fn why_chains_on_a_module_are_its_calls() {
    let exported = why("summarize");
    let function = exported["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "summarize")
        .expect("the function and its export match");
    let chain = &function["chains"][0];
    assert_eq!(chain["root"], "exported", "{chain}");
    assert_eq!(chain["steps"][0]["name"], "export \"summarize\"");
    assert_eq!(chain["steps"][1]["relocation"], "export");
    let r = why("finish_grow");
    let steps = r["matches"][0]["chains"][0]["steps"].as_array().unwrap();
    let disassembly = tool(Command::new("wasm-objdump").arg("-d").arg(module()));
    let mut calls = 0;
    for step in &steps[1..] {
        if step["relocation"] != "call" {
            continue;
        }
        let place = format!(" {:06x}:", step["place"].as_u64().unwrap());
        let line = disassembly
            .lines()
            .find(|l| l.starts_with(&place))
            .unwrap_or_else(|| panic!("no instruction at{place}"));
        let callee = line.split(" <").nth(1).unwrap().trim_end_matches('>');
        let instruction = line.split('|').nth(1).unwrap().trim_start();
        assert!(instruction.starts_with("call "), "{line}");
        assert_eq!(
            display_name(callee),
            step["name"].as_str().unwrap(),
            "{line}"
        );
        calls += 1;
    }
    assert!(calls >= 2, "{steps:?}");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/why.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for report in [&r, &exported] {
        let errors: Vec<String> = validator
            .iter_errors(report)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    let notes = r["notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| n.as_str().unwrap().contains("twiggy")));
}

/// A module linked with `--emit-relocs` names its data in its `linking`
/// section: `top` counts each data symbol `wasm-objdump -x` lists there,
/// at its size, and the data section's bytes by them.
#[test]
fn data_symbols_of_a_linking_section_are_attributed() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO"))
        .args([
            "rustc",
            "--release",
            "--lib",
            "--crate-type",
            "cdylib",
            "--manifest-path",
        ])
        .arg(fixture("wasm/Cargo.toml"))
        .arg("--target-dir")
        .arg(dir.path())
        .args(["--target", "wasm32-unknown-unknown"])
        .args(["--", "-C", "link-arg=--emit-relocs"])
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    let file = dir
        .path()
        .join("wasm32-unknown-unknown/release/wasm_fixture.wasm");
    let linking = tool(
        Command::new("wasm-objdump")
            .args(["-x", "-j", "linking"])
            .arg(&file),
    );
    let mut theirs: Vec<(String, u64)> = linking
        .lines()
        .filter(|l| l.contains(": D <") && l.contains(" size="))
        .filter_map(|l| {
            let name = l.split(" <").nth(1)?.split("> ").next()?.to_string();
            let size: u64 = l
                .split(" size=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()?;
            (size > 0).then_some((display_name(&name), size))
        })
        .collect();
    assert!(theirs.len() > 5, "{linking}");
    let out = run(weigh().arg("top").arg(&file).args([
        "--section",
        "data",
        "-n",
        "100000",
        "--format",
        "json",
    ]));
    assert!(out.status.success(), "{}", text(&out).1);
    let top: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ours: Vec<(String, u64)> = top["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["size_bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    theirs.sort();
    ours.sort();
    assert_eq!(ours, theirs);
    let names = top["symbols"].as_array().unwrap().iter();
    assert!(
        names
            .clone()
            .any(|s| s["name"] == "wasm_fixture::NAMES" && s["crate_name"] == "wasm_fixture"),
        "{}",
        top["symbols"]
    );
}
