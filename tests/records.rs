//! Size records on a scratch repository made from the tiny fixture: one
//! clone measures and pushes its records to a bare remote; a second clone
//! fetches them and runs `history` with nothing built (its target directory
//! holds no build) and the same figures, and `diff --git` builds only the
//! working tree; records of the same commit from two clones merge; a
//! forged record is reported and measured again.

mod common;

use std::path::Path;

use cargo_weigh::records::Record;
use common::*;

/// A clone of `remote` at `dir` (made from the tiny fixture when `seed`).
fn scratch(remote: &Path, dir: &Path) -> Vec<String> {
    copy_dir(&fixture("tiny"), dir);
    let _ = std::fs::remove_dir_all(dir.join("target"));
    std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    let main = dir.join("src/main.rs");
    let mut shas = Vec::new();
    for (i, msg) in ["tiny", "a comment", "more code"].iter().enumerate() {
        if i == 1 {
            let s = std::fs::read_to_string(&main).unwrap();
            std::fs::write(&main, s + "\n// A comment only.\n").unwrap();
        }
        if i == 2 {
            let s = std::fs::read_to_string(&main).unwrap();
            let grown = s.replace(
                "fn run() -> bool {",
                "static MORE: [u32; 64] = [7; 64];\nfn run() -> bool {\n    let _ = unsafe { ptr::read_volatile(&MORE[(ptr::read_volatile(addr_of!(SEED)) as usize) % 64]) };",
            );
            std::fs::write(&main, grown).unwrap();
        }
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", msg]);
        shas.push(git(dir, &["rev-parse", "HEAD"]));
    }
    git(dir, &["remote", "add", "origin", remote.to_str().unwrap()]);
    git(dir, &["push", "-q", "origin", "main"]);
    shas
}

/// `cargo weigh ARGS` in `repo` with `target`; stdout JSON (if any), stderr.
fn weigh_at(repo: &Path, target: &Path, args: &[&str]) -> (std::process::Output, String) {
    let mut cmd = weigh();
    cmd.current_dir(repo).args(args);
    if args[0] != "record" {
        cmd.arg("--target-dir").arg(target);
    }
    let out = run(&mut cmd);
    let err = text(&out).1;
    (out, err)
}

fn history(repo: &Path, target: &Path, revs: &str, extra: &[&str]) -> (serde_json::Value, String) {
    let mut args = vec!["history", revs, "--only", "release", "--format", "json"];
    args.extend_from_slice(extra);
    let (out, err) = weigh_at(repo, target, &args);
    assert!(out.status.success(), "{err}");
    (serde_json::from_slice(&out.stdout).unwrap(), err)
}

/// The figures of each point (what two measurements must agree on).
fn figures(h: &serde_json::Value) -> Vec<serde_json::Value> {
    h["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let c = &p["configs"][0];
            serde_json::json!([
                p["commit"],
                c["flash_bytes"],
                c["ram_bytes"],
                c["stripped_bytes"],
                c["file_bytes"],
                c["image_bytes"],
                c["sections"],
                c["regions"]
            ])
        })
        .collect()
}

/// Whether anything was compiled under `target` (a build leaves `.d`
/// dep-info files and the crate's output).
fn built_anything(target: &Path) -> bool {
    fn walk(dir: &Path) -> bool {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                let p = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                name.ends_with(".d") || name == "thumbv7em-none-eabihf" || (p.is_dir() && walk(&p))
            })
    }
    walk(target)
}

#[test]
fn records_travel_with_the_repository_merge_and_disagree_loudly() {
    let tmp = tempfile::tempdir().unwrap();
    let remote = tmp.path().join("remote.git");
    git(
        tmp.path(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let (ta, tb) = (tmp.path().join("ta"), tmp.path().join("tb"));
    let shas = scratch(&remote, &a);
    let revs = shas.join(",");

    // A measures and records, then pushes.
    let (ha, _) = history(&a, &ta, &revs, &["--record"]);
    assert!(ha["points"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["from_records"].is_null()));
    let (out, err) = weigh_at(&a, &ta, &["record", "push"]);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("the size records of 3 commit(s)"), "{err}");

    // plan: nothing left for release; every commit lacks z-fat-cgu1.
    let plan = |only: &str| {
        let (out, err) = weigh_at(
            &a,
            &ta,
            &["plan", &revs, "--only", only, "--shards", "2", "-q"],
        );
        assert!(out.status.success(), "{err}");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    assert_eq!(plan("release"), serde_json::json!({"include": []}));
    let jobs = plan("release,z-fat-cgu1");
    let revs_of = |i: usize| jobs["include"][i]["revs"].as_str().unwrap().to_string();
    assert_eq!(jobs["include"].as_array().unwrap().len(), 2, "{jobs}");
    assert_eq!(revs_of(0), format!("{},{}", shas[0], shas[2]));
    assert_eq!(revs_of(1), shas[1]);

    // B fetches them: the same history with nothing built.
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "-b",
            "main",
            remote.to_str().unwrap(),
            b.to_str().unwrap(),
        ],
    );
    let (out, err) = weigh_at(&b, &tb, &["record", "fetch"]);
    assert!(out.status.success(), "{err}");
    let (hb, err) = history(&b, &tb, &revs, &[]);
    assert_eq!(
        err.matches("from its size records: nothing built").count(),
        3,
        "{err}"
    );
    assert!(hb["points"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["from_records"] == true));
    assert_eq!(figures(&ha), figures(&hb));
    assert!(!built_anything(&tb), "B built something");
    let grew = |h: &serde_json::Value| {
        let f = figures(h);
        f[2][1].as_u64().unwrap() - f[1][1].as_u64().unwrap()
    };
    assert!(grew(&hb) >= 256, "the third commit grew: {}", grew(&hb));

    // bisect on B finds the growth from the records alone.
    let range = format!("{}..{}", shas[0], shas[2]);
    let (out, err) = weigh_at(
        &b,
        &tb,
        &[
            "bisect", &range, "--grew", "200", "--only", "release", "--format", "json",
        ],
    );
    assert!(out.status.success(), "{err}");
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found["commit"], shas[2].as_str(), "{found}");
    assert!(!built_anything(&tb), "bisect built something: {err}");

    // A figure the build has not (brotli of firmware) is said, not passed.
    let (out, err) = weigh_at(
        &b,
        &tb,
        &[
            "bisect", &range, "--grew", "1", "--metric", "brotli", "--only", "release",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("has no brotli figure") && err.contains("--metric flash"),
        "{err}"
    );

    // A pull request on B: diff --git builds its head, not main.
    git(&b, &["checkout", "-q", "-b", "pr"]);
    let main_rs = b.join("src/main.rs");
    let s = std::fs::read_to_string(&main_rs).unwrap();
    std::fs::write(&main_rs, s + "\n// The pull request.\n").unwrap();
    let (out, err) = weigh_at(&b, &tb, &["diff", "--git", "main", "--only", "release"]);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("main from its size records: nothing built for it"),
        "{err}"
    );
    let said = text(&out).0;
    assert!(
        said.contains("no size change in 1 configuration\n"),
        "{said}"
    );
    assert_eq!(
        err.matches("built release").count(),
        1,
        "only the head: {err}"
    );
    assert!(
        !built_anything(&tb.join("weigh/history")),
        "the base was built"
    );
    git(&b, &["checkout", "-q", "--", "."]);

    // A remote that is not there is named, with what to do.
    let (out, err) = weigh_at(&b, &tb, &["record", "push", "nosuch"]);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("`nosuch`") && err.contains("hint: name a remote"),
        "{err}"
    );

    // B measures the newest commit itself and records it: the pushes merge.
    let last = shas[2].as_str();
    let (hb2, _) = history(&b, &tb, last, &["--record", "--no-records"]);
    assert!(hb2["points"][0]["from_records"].is_null());
    let (out, err) = weigh_at(&b, &tb, &["record", "push"]);
    assert!(out.status.success(), "{err}");
    let (out, err) = weigh_at(&a, &ta, &["record", "fetch"]);
    assert!(out.status.success(), "{err}");
    let (out, err) = weigh_at(&a, &ta, &["record", "show", last]);
    assert!(out.status.success(), "records agree: {err}");
    let lines = text(&out).0;
    assert!(
        lines.lines().count() >= 2,
        "both machines' records: {lines}"
    );
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/record.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for line in lines.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&record)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }

    // A forged record (64 B more flash) is reported, and measured again.
    let note = git(
        &a,
        &["notes", "--ref", "refs/notes/cargo-weigh", "show", last],
    );
    let mut forged = Record::from_line(note.lines().next().unwrap()).unwrap();
    forged.row.size.as_mut().unwrap().flash_bytes += 64;
    forged.row.build_cpu_seconds = Some(0.5);
    let file = tmp.path().join("note");
    std::fs::write(&file, format!("{note}\n{}\n", forged.line())).unwrap();
    let args = [
        "notes",
        "--ref",
        "refs/notes/cargo-weigh",
        "add",
        "-f",
        "-F",
    ];
    git(&a, &[&args[..], &[file.to_str().unwrap(), last]].concat());
    let (out, err) = weigh_at(&a, &ta, &["record", "show", last]);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("disagree"), "{err}");
    let (h, err) = history(&a, &ta, last, &[]);
    assert!(
        err.contains("disagree") && err.contains("measuring it again"),
        "{err}"
    );
    assert!(h["points"][0]["from_records"].is_null());
    assert_eq!(figures(&h)[0], figures(&ha)[2]);
}

/// A record is small: under 1 % of the binary, or 4 KiB for firmware whose
/// 1 % is less (crates and the 20 largest symbols included).
#[test]
fn records_are_small() {
    let cases = [
        (
            repo().join("examples/blinky/Cargo.toml"),
            shared_target_dir("blinky"),
        ),
        (fixture("hostapp/Cargo.toml"), shared_target_dir("hostapp")),
    ];
    for (manifest, target) in cases {
        let r = json_stdout(
            weigh()
                .arg("--manifest-path")
                .arg(&manifest)
                .arg("--target-dir")
                .arg(&target)
                .args(["--only", "release", "--attribute", "-q", "--format", "json"]),
        );
        let mut row: cargo_weigh::results::ConfigResult =
            serde_json::from_value(r["configs"][0].clone()).unwrap();
        row.memory_map = serde_json::from_value(r["memory"].clone()).unwrap();
        assert!(row.checks.attribution.is_some());
        let record = Record::new(
            "0".repeat(64),
            &"f".repeat(40),
            r["target"].as_str().unwrap(),
            "rustc 1.95.0 (59807616e 2026-04-14)",
            &row,
        );
        let bytes = record.line().len() as u64;
        let file = row.size.as_ref().unwrap().file_bytes;
        let bound = (file / 100).max(4096);
        assert!(
            bytes <= bound,
            "{}: {bytes} B > {bound} B (file {file} B)",
            manifest.display()
        );
    }
}
