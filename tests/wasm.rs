//! WebAssembly: the wasm fixture (a cdylib, its target from its
//! `.cargo/config.toml`) weighed like any project, every figure compared
//! with an independent tool: sections with `wasm-objdump -h` and `-x`, the
//! stripped module with `wasm-strip`, transfer sizes with the `gzip` and
//! `brotli` command-line tools.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// The fixture under two configurations, built once for every test here.
fn report() -> &'static serde_json::Value {
    static REPORT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    REPORT.get_or_init(|| {
        let out = run(weigh()
            .arg("--manifest-path")
            .arg(fixture("wasm/Cargo.toml"))
            .arg("--target-dir")
            .arg(shared_target_dir("wasm"))
            .args([
                "--only",
                "release,lto-thin,min-sized-rust",
                "--format",
                "json",
            ]));
        assert!(out.status.success(), "{}", text(&out).1);
        serde_json::from_slice(&out.stdout).unwrap()
    })
}

fn rows() -> &'static [serde_json::Value] {
    report()["configs"].as_array().unwrap()
}

fn artifact(row: &serde_json::Value) -> PathBuf {
    PathBuf::from(row["artifact"].as_str().unwrap())
}

/// The JSON report of `fixture` (`wasm` or `wasm-bindgen`) under the
/// matrix file `matrix`, in the shared target directory.
fn weigh_matrix(fixture_name: &str, matrix: &str, dir: &Path) -> serde_json::Value {
    let file = dir.join("weigh.toml");
    std::fs::write(&file, matrix).unwrap();
    let out = run(weigh()
        .arg("--manifest-path")
        .arg(fixture(&format!("{fixture_name}/Cargo.toml")))
        .arg("--target-dir")
        .arg(shared_target_dir(fixture_name))
        .arg("--matrix-file")
        .arg(&file)
        .args(["--format", "json"]));
    assert!(out.status.success(), "{}", text(&out).1);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn tool(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .expect("the tool runs (scripts/setup installs it)");
    assert!(out.status.success(), "{cmd:?}: {}", text(&out).1);
    out.stdout
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap()
}

/// `wasm-objdump -h`: (name, payload size) per section, custom sections by
/// their own name.
fn objdump_sections(file: &Path) -> Vec<(String, u64)> {
    let out = String::from_utf8(tool(Command::new("wasm-objdump").arg("-h").arg(file))).unwrap();
    out.lines()
        .filter(|l| l.contains("start=") && l.contains("(size="))
        .map(|l| {
            let kind = l.split_whitespace().next().unwrap();
            let size = l.split("(size=").nth(1).unwrap().split(')').next().unwrap();
            let name = match kind {
                "Custom" => l.split('"').nth(1).unwrap().to_string(),
                k => k.to_string(),
            };
            (name, hex(size))
        })
        .collect()
}

#[test]
fn the_target_comes_from_the_projects_cargo_config() {
    assert_eq!(report()["target"], "wasm32-unknown-unknown");
    for row in rows() {
        assert!(artifact(row).extension().is_some_and(|e| e == "wasm"));
    }
}

#[test]
fn sections_code_and_data_equal_wasm_objdump() {
    for row in rows() {
        let file = artifact(row);
        let ours: Vec<(String, u64)> = row["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let name = s["name"].as_str().unwrap().to_string();
                (name, s["size_bytes"].as_u64().unwrap())
            })
            .collect();
        let theirs = objdump_sections(&file);
        assert_eq!(ours, theirs, "{}", file.display());
        let code = theirs.iter().find(|(n, _)| n == "Code").unwrap().1;
        assert_eq!(row["wasm"]["code_bytes"].as_u64().unwrap(), code);
        // The data segments' bytes, as `wasm-objdump -x` lists them.
        let details =
            String::from_utf8(tool(Command::new("wasm-objdump").arg("-x").arg(&file))).unwrap();
        let segments: u64 = details
            .lines()
            // Data segments (element segments name a table instead).
            .filter(|l| l.trim_start().starts_with("- segment[") && l.contains(" memory="))
            .map(|l| {
                let size = l.split("size=").nth(1).unwrap();
                size.split_whitespace()
                    .next()
                    .unwrap()
                    .parse::<u64>()
                    .unwrap()
            })
            .sum();
        assert!(segments > 0, "the fixture has data");
        assert_eq!(row["wasm"]["data_bytes"].as_u64().unwrap(), segments);
        let functions = details
            .lines()
            .find(|l| l.starts_with("Code[") || l.starts_with("Function["))
            .and_then(|l| l.split('[').nth(1)?.split(']').next()?.parse::<u64>().ok())
            .unwrap();
        assert_eq!(row["wasm"]["functions"].as_u64().unwrap(), functions);
    }
}

#[test]
fn stripped_equals_wasm_strip_and_transfer_sizes_equal_gzip_and_brotli() {
    let tmp = tempfile::tempdir().unwrap();
    for row in rows() {
        let file = artifact(row);
        let stripped = tmp.path().join("stripped.wasm");
        tool(
            Command::new("wasm-strip")
                .arg(&file)
                .arg("-o")
                .arg(&stripped),
        );
        let len = std::fs::metadata(&stripped).unwrap().len();
        assert_eq!(row["stripped_bytes"].as_u64().unwrap(), len);
        assert_eq!(
            row["file_bytes"].as_u64().unwrap(),
            std::fs::metadata(&file).unwrap().len()
        );
        let gzip = tool(Command::new("gzip").args(["-9", "-n", "-c"]).arg(&file));
        let brotli = tool(Command::new("brotli").args(["-q", "11", "-c"]).arg(&file));
        assert_eq!(
            row["wasm"]["gzip_bytes"].as_u64().unwrap(),
            gzip.len() as u64
        );
        assert_eq!(
            row["wasm"]["brotli_bytes"].as_u64().unwrap(),
            brotli.len() as u64
        );
        // The compressed bytes are the module: they decompress to the file.
        let back = tmp.path().join("back.wasm");
        std::fs::write(tmp.path().join("m.br"), &brotli).unwrap();
        tool(
            Command::new("brotli")
                .args(["-d", "-f", "-o"])
                .arg(&back)
                .arg(tmp.path().join("m.br")),
        );
        assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&file).unwrap());
    }
}

#[test]
fn the_table_speaks_wasm_and_the_objective_is_brotli() {
    let out = run(weigh()
        .arg("--manifest-path")
        .arg(fixture("wasm/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("wasm"))
        .args(["--only", "release,min-sized-rust"])
        .env("COLUMNS", "120"));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let header = stdout
        .lines()
        .find(|l| l.contains("Configuration"))
        .unwrap();
    for col in ["Wasm", "Δ brotli", "brotli", "gzip", "code", "data"] {
        assert!(header.contains(col), "{col} in {header}");
    }
    assert!(!header.contains("Flash"), "{header}");
    // The smallest on the wire, said in the last line.
    let brotli = |name: &str| {
        rows().iter().find(|r| r["name"] == name).unwrap()["wasm"]["brotli_bytes"]
            .as_u64()
            .unwrap()
    };
    let best = if brotli("min-sized-rust") <= brotli("release") {
        "min-sized-rust"
    } else {
        "release"
    };
    let verdict = stdout
        .lines()
        .find(|l| l.starts_with("smallest: "))
        .unwrap();
    assert!(
        verdict.starts_with(&format!("smallest: {best}")) && verdict.contains("brotli size"),
        "{verdict}"
    );
}

#[test]
fn transfer_budgets_gate_on_the_measured_bytes() {
    let release = rows().iter().find(|r| r["name"] == "release").unwrap();
    let brotli = release["wasm"]["brotli_bytes"].as_u64().unwrap();
    let gate = |flag: &str, limit: u64| {
        run(weigh()
            .arg("check")
            .arg("--manifest-path")
            .arg(fixture("wasm/Cargo.toml"))
            .arg("--target-dir")
            .arg(shared_target_dir("wasm"))
            .args([flag, &limit.to_string()]))
    };
    let over = gate("--max-brotli", brotli - 1);
    let (stdout, stderr) = text(&over);
    assert_eq!(over.status.code(), Some(1), "{stdout}{stderr}");
    let said = format!("{stdout}{stderr}");
    assert!(
        said.contains("over budget: release: brotli") && said.contains("by 1 B"),
        "{said}"
    );
    let within = gate("--max-brotli", brotli);
    let (stdout, stderr) = text(&within);
    assert_eq!(within.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("within budget (release): brotli ≤"),
        "{stdout}"
    );
}

/// `wasm-opt` as an axis: each level's module is what binaryen's own
/// `wasm-opt` writes from the unoptimised one, byte for byte.
#[test]
fn wasm_opt_levels_are_binaryens_output() {
    let tmp = tempfile::tempdir().unwrap();
    let matrix = "[matrix]\nlto = [\"fat\"]\nwasm-opt = [\"off\", \"Oz\"]\n";
    let r = weigh_matrix("wasm", matrix, tmp.path());
    let row = |name: &str| {
        let rows = r["configs"].as_array().unwrap();
        rows.iter().find(|c| c["name"] == name).unwrap().clone()
    };
    let (off, oz) = (row("lto=fat,wasm-opt=off"), row("lto=fat,wasm-opt=Oz"));
    assert_eq!(oz["wasm_opt"], "Oz");
    let theirs = tmp.path().join("theirs.wasm");
    tool(
        Command::new("wasm-opt")
            .arg("-Oz")
            .arg(artifact(&off))
            .arg("-o")
            .arg(&theirs),
    );
    assert_eq!(
        std::fs::read(artifact(&oz)).unwrap(),
        std::fs::read(&theirs).unwrap()
    );
    let brotli = |c: &serde_json::Value| c["wasm"]["brotli_bytes"].as_u64().unwrap();
    assert!(
        brotli(&oz) < brotli(&off),
        "wasm-opt -Oz shrinks the fixture"
    );
}

/// A module shipped without its `target_features` section (wasm-strip,
/// strip = true) still gets exactly the features its instructions use:
/// binaryen alone rejects it, with them it optimises.
#[test]
fn features_are_found_in_the_instructions_when_the_section_is_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let release = rows().iter().find(|r| r["name"] == "release").unwrap();
    let stripped = tmp.path().join("stripped.wasm");
    tool(
        Command::new("wasm-strip")
            .arg(artifact(release))
            .arg("-o")
            .arg(&stripped),
    );
    let flags = cargo_weigh::build::wasm_opt_flags(&std::fs::read(&stripped).unwrap());
    for needed in ["--enable-bulk-memory", "--enable-sign-ext"] {
        assert!(flags.contains(&needed), "{needed} in {flags:?}");
    }
    let bare = Command::new("wasm-opt")
        .arg("-Oz")
        .arg(&stripped)
        .arg("-o")
        .arg(tmp.path().join("bare.wasm"))
        .output()
        .unwrap();
    assert!(!bare.status.success(), "binaryen alone rejects the module");
    assert!(String::from_utf8_lossy(&bare.stderr).contains("bulk memory"));
    tool(
        Command::new("wasm-opt")
            .arg("-Oz")
            .args(&flags)
            .arg(&stripped)
            .arg("-o")
            .arg(tmp.path().join("ok.wasm")),
    );
}

/// `apply` of a configuration with a wasm-opt level: into wasm-pack's own
/// setting when the package uses wasm-pack (with the features the measured
/// module needs), else a note saying what to run after cargo.
#[test]
fn apply_writes_wasm_packs_wasm_opt_setting() {
    let tmp = tempfile::tempdir().unwrap();
    let matrix = "[matrix]\nlto = [\"fat\"]\nwasm-opt = [\"off\", \"Oz\"]\n";
    let report = tmp.path().join("r.json");
    let measured = weigh_matrix("wasm", matrix, tmp.path());
    std::fs::write(&report, serde_json::to_vec(&measured).unwrap()).unwrap();
    let apply = |project: &Path| {
        run(weigh()
            .args(["apply", "lto=fat,wasm-opt=Oz", "--report"])
            .arg(&report)
            .arg("--manifest-path")
            .arg(project.join("Cargo.toml")))
    };
    // A wasm-pack project: the setting lands in wasm-pack's table.
    let packed = tmp.path().join("packed");
    copy_dir(&fixture("wasm"), &packed);
    let manifest = packed.join("Cargo.toml");
    let original = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{original}\n[package.metadata.wasm-pack.profile.release]\n# tuned by hand\nwasm-opt = [\"-O3\", \"--enable-mutable-globals\"]\n"),
    )
    .unwrap();
    let out = apply(&packed);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let doc: toml::Table = std::fs::read_to_string(&manifest).unwrap().parse().unwrap();
    let args: Vec<&str> = doc["package"]["metadata"]["wasm-pack"]["profile"]["release"]["wasm-opt"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(args[0], "-Oz");
    // The project's own flags stay; its level is replaced.
    assert!(
        args.contains(&"--enable-mutable-globals") && !args.contains(&"-O3"),
        "{args:?}"
    );
    assert!(
        args.contains(&"--enable-bulk-memory") && args.contains(&"--enable-sign-ext"),
        "{args:?}"
    );
    assert_eq!(doc["profile"]["release"]["lto"].as_str(), Some("fat"));
    assert!(std::fs::read_to_string(&manifest)
        .unwrap()
        .contains("# tuned by hand"));
    assert!(stderr.contains("wasm-pack runs wasm-opt -Oz"), "{stderr}");
    // Without wasm-pack: nothing of wasm-pack's written, the step said.
    let plain = tmp.path().join("plain");
    copy_dir(&fixture("wasm"), &plain);
    let out = apply(&plain);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let written = std::fs::read_to_string(plain.join("Cargo.toml")).unwrap();
    assert!(!written.contains("wasm-pack"), "{written}");
    assert!(stderr.contains("run `wasm-opt -Oz --enable-"), "{stderr}");
}

/// `top` on a module: one row per function, each the size of its body as
/// `wasm-objdump -x` lists the code section.
#[test]
fn top_counts_every_function_body_as_wasm_objdump_does() {
    let release = rows().iter().find(|r| r["name"] == "release").unwrap();
    let file = artifact(release);
    let out = run(weigh()
        .arg("top")
        .arg(&file)
        .args(["--format", "json", "-n", "100000"]));
    assert!(out.status.success(), "{}", text(&out).1);
    let top: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ours: Vec<u64> = top["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["size_bytes"].as_u64().unwrap())
        .collect();
    let details =
        String::from_utf8(tool(Command::new("wasm-objdump").arg("-x").arg(&file))).unwrap();
    let mut theirs: Vec<u64> = details
        .lines()
        .skip_while(|l| !l.starts_with("Code["))
        .skip(1)
        .take_while(|l| l.trim_start().starts_with("- func["))
        .map(|l| {
            let size = l.split("size=").nth(1).unwrap();
            size.split_whitespace().next().unwrap().parse().unwrap()
        })
        .collect();
    assert!(theirs.len() > 20, "the fixture's functions");
    ours.sort_unstable();
    theirs.sort_unstable();
    assert_eq!(ours, theirs);
    let names: Vec<&str> = top["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"summarize"), "named by the name section");
    assert_eq!(top["total_word"], "module");
}

/// A diff of modules (and so the pull-request comment) leads with the
/// brotli size: its change is the reports' difference.
#[test]
fn a_diff_of_modules_leads_with_the_brotli_change() {
    let tmp = tempfile::tempdir().unwrap();
    let saved = tmp.path().join("r.json");
    std::fs::write(&saved, serde_json::to_vec(report()).unwrap()).unwrap();
    let out = run(weigh().arg("diff").arg(&saved).args([
        "--from",
        "release",
        "--to",
        "min-sized-rust",
        "--format",
        "json",
    ]));
    assert!(out.status.success(), "{}", text(&out).1);
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let totals = d["configs"][0]["totals"].as_array().unwrap();
    assert_eq!(totals[0]["name"], "brotli");
    let brotli = |name: &str| {
        let row = rows().iter().find(|r| r["name"] == name).unwrap();
        row["wasm"]["brotli_bytes"].as_i64().unwrap()
    };
    assert_eq!(
        totals[0]["delta_bytes"].as_i64().unwrap(),
        brotli("min-sized-rust") - brotli("release"),
        "{}",
        totals[0]
    );
    let md = run(weigh().arg("diff").arg(&saved).args([
        "--from",
        "release",
        "--to",
        "min-sized-rust",
        "--format",
        "markdown",
    ]));
    let (comment, _) = text(&md);
    let first = comment
        .lines()
        .find(|l| l.starts_with("| release"))
        .unwrap();
    assert!(first.contains("| brotli |"), "{first}");
}

/// `history` over a module's commits follows the brotli size, each point
/// the module's brotli size at that commit.
#[test]
fn history_of_a_module_follows_its_brotli_size() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    copy_dir(&fixture("wasm"), &repo);
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(&repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out).1);
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "first"]);
    let lib = repo.join("src/lib.rs");
    let grown = std::fs::read_to_string(&lib).unwrap()
        + "\n#[no_mangle]\npub extern \"C\" fn describe(n: u64) -> usize {\n    format!(\"{n:?} {:e} {:x}\", n as f64, n).len()\n}\n";
    std::fs::write(&lib, grown).unwrap();
    git(&["commit", "-q", "-am", "a formatting export"]);
    let out = run(weigh()
        .current_dir(&repo)
        .args([
            "history",
            "HEAD~1,HEAD",
            "--preset",
            "release",
            "--format",
            "json",
        ])
        .arg("--target-dir")
        .arg(tmp.path().join("target")));
    assert!(out.status.success(), "{}", text(&out).1);
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let points = h["points"].as_array().unwrap();
    assert_eq!(points.len(), 2, "{}", text(&out).1);
    let brotli: Vec<u64> = points
        .iter()
        .map(|p| {
            let row = &p["configs"][0];
            let file = artifact(row);
            let cli = tool(Command::new("brotli").args(["-q", "11", "-c"]).arg(&file));
            let ours = row["wasm"]["brotli_bytes"].as_u64().unwrap();
            assert_eq!(ours, cli.len() as u64);
            ours
        })
        .collect();
    assert!(
        brotli[1] > brotli[0],
        "float formatting grows the module: {brotli:?}"
    );
    let table = run(weigh()
        .current_dir(&repo)
        .args(["history", "HEAD~1,HEAD", "--preset", "release"])
        .arg("--target-dir")
        .arg(tmp.path().join("target")));
    let (stdout, _) = text(&table);
    assert!(stdout.contains("brotli of each configuration"), "{stdout}");
}

/// `cargo weigh --preset release` on the wasm-bindgen fixture (its shared
/// target directory), with more arguments.
fn bindgen_release(args: &[&str]) -> Command {
    let mut c = weigh();
    c.arg("--manifest-path")
        .arg(fixture("wasm-bindgen/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("wasm-bindgen"))
        .args(["--preset", "release"])
        .args(args);
    c
}

/// A wasm-bindgen module ships as what the `wasm-bindgen` CLI writes:
/// the `_bg.wasm` byte for byte, its JS glue counted on the wire too.
#[test]
fn a_wasm_bindgen_module_is_weighed_as_wasm_bindgen_writes_it() {
    let out = run(&mut bindgen_release(&["--format", "json"]));
    assert!(out.status.success(), "{}", text(&out).1);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &r["configs"][0];
    let shipped = artifact(row);
    let name = shipped.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(name, "bindgen_fixture_bg.wasm");
    // The CLI itself on the module cargo built (kept beside the output).
    let built = shipped
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("bindgen_fixture.wasm");
    let tmp = tempfile::tempdir().unwrap();
    tool(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--out-dir"])
            .arg(tmp.path())
            .arg(&built),
    );
    let theirs = tmp.path().join(&name);
    assert_eq!(
        std::fs::read(&shipped).unwrap(),
        std::fs::read(&theirs).unwrap()
    );
    let js = tmp.path().join("bindgen_fixture.js");
    let glue = &row["wasm"]["js_glue"];
    assert_eq!(
        glue["bytes"].as_u64().unwrap(),
        std::fs::metadata(&js).unwrap().len()
    );
    let js_brotli = tool(Command::new("brotli").args(["-q", "11", "-c"]).arg(&js)).len() as u64;
    assert_eq!(glue["brotli_bytes"].as_u64().unwrap(), js_brotli);
    let module_brotli = tool(
        Command::new("brotli")
            .args(["-q", "11", "-c"])
            .arg(&shipped),
    )
    .len() as u64;
    assert_eq!(row["wasm"]["brotli_bytes"].as_u64().unwrap(), module_brotli);
    // On the wire: both files, as the table's brotli column says.
    let table = run(&mut bindgen_release(&["--format", "csv"]));
    let csv = text(&table).0;
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let header = rd.headers().unwrap().clone();
    let at = header.iter().position(|h| h == "brotli_bytes").unwrap();
    let rec = rd.records().next().unwrap().unwrap();
    assert_eq!(rec[at].parse::<u64>().unwrap(), module_brotli + js_brotli);
}

/// When the `wasm-bindgen` found is not the crate's version (a stand-in
/// that fails as a mismatched CLI does), the module cargo built is weighed
/// and the message says which CLI to install; that row is not cached (it
/// was, and the right CLI then changed nothing).
#[test]
fn a_wasm_bindgen_cli_that_fails_leaves_the_built_module_and_says_what_to_install() {
    let bin = tempfile::tempdir().unwrap();
    let fake = bin.path().join("wasm-bindgen");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'error: it looks like the Rust project used to create this wasm file was linked against version of wasm-bindgen that uses a different bindgen format than this binary' >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap()
    );
    let out = run(bindgen_release(&["--no-cache", "--format", "json"]).env("PATH", path));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let r: serde_json::Value = serde_json::from_slice(stdout.as_bytes()).unwrap();
    let row = &r["configs"][0];
    assert_eq!(
        artifact(row).file_name().unwrap().to_string_lossy(),
        "bindgen_fixture.wasm"
    );
    assert!(row["wasm"]["js_glue"].is_null(), "{row}");
    let said = format!("{stderr}{}", r["notes"]);
    assert!(
        said.contains("hint: cargo install wasm-bindgen-cli --version 0.2.130"),
        "{said}"
    );
    assert!(said.contains("different bindgen format"), "{said}");
    // That row is not kept: with the right CLI the next run weighs what
    // ships, not the cached fallback.
    let out = run(&mut bindgen_release(&["--format", "json"]));
    assert!(out.status.success(), "{}", text(&out).1);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        artifact(&r["configs"][0])
            .file_name()
            .unwrap()
            .to_string_lossy(),
        "bindgen_fixture_bg.wasm"
    );
}

/// wasm-opt on wasm-bindgen's output of a stripped build: the features
/// its instructions use are enabled even where its `target_features`
/// section leaves them out (bulk memory failed validation on
/// blurhash-wasm 0.2.0).
#[test]
fn wasm_opt_after_wasm_bindgen_on_a_stripped_build_validates() {
    let tmp = tempfile::tempdir().unwrap();
    let matrix = "[matrix]\nopt-level = [\"s\"]\nlto = [\"fat\"]\nstrip = [\"symbols\"]\nwasm-opt = [\"off\", \"Oz\"]\n";
    let r = weigh_matrix("wasm-bindgen", matrix, tmp.path());
    for row in r["configs"].as_array().unwrap() {
        assert_eq!(row["ok"], true, "{}: {}", row["name"], row["error"]);
    }
}

/// A library that is also an rlib is linked by cargo without LTO whatever
/// the profile says: its `lto-thin` row is cargo's own build with that
/// setting (here the same module as release), never a size the user could
/// not get (blurhash-wasm 0.2.0 showed 12 % that `lto = "fat"` never gives).
#[test]
fn a_library_with_an_rlib_is_built_as_cargo_builds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    copy_dir(&fixture("wasm"), &project);
    let built = Command::new("cargo")
        .current_dir(&project)
        .args(["build", "--release", "--lib", "--quiet"])
        .arg("--target-dir")
        .arg(tmp.path().join("t"))
        .env("CARGO_PROFILE_RELEASE_LTO", "thin")
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .unwrap();
    assert!(built.success());
    let module = tmp
        .path()
        .join("t/wasm32-unknown-unknown/release/wasm_fixture.wasm");
    let theirs = cargo_weigh::measure::measure_file(&module).unwrap();
    let row = rows().iter().find(|r| r["name"] == "lto-thin").unwrap();
    assert_eq!(row["flash_hash"].as_str().unwrap(), theirs.flash_hash);
    assert!(row["shares_build_of"].is_null(), "built on its own: {row}");
}

/// `--max-growth` on a module compares what it weighs on the wire.
#[test]
fn growth_of_a_module_is_its_brotli_growth() {
    let tmp = tempfile::tempdir().unwrap();
    let mut base = report().clone();
    let release = base["configs"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["name"] == "release")
        .unwrap();
    let now = release["wasm"]["brotli_bytes"].as_u64().unwrap();
    release["wasm"]["brotli_bytes"] = (now - 100).into();
    let saved = tmp.path().join("base.json");
    std::fs::write(&saved, serde_json::to_vec(&base).unwrap()).unwrap();
    let out = run(weigh()
        .arg("check")
        .arg("--manifest-path")
        .arg(fixture("wasm/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("wasm"))
        .args(["--max-growth", "10", "--baseline-report"])
        .arg(&saved));
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let said = format!("{stdout}{stderr}");
    assert!(
        said.contains("release: brotli grew by 100 B") && said.contains(&now.to_string()),
        "{said}"
    );
}
