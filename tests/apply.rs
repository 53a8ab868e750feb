//! `cargo weigh apply`: the chosen configuration written into Cargo.toml
//! makes a plain `cargo build --release` reproduce the measured firmware.

mod common;

use common::*;

#[test]
fn applied_configuration_reproduces_the_measured_flash() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("tiny");
    copy_dir(&fixture("tiny"), &project);
    // A comment the edit must keep.
    let manifest = project.join("Cargo.toml");
    let original = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{original}\n# release profile below is managed by hand\n"),
    )
    .unwrap();

    let report_path = tmp.path().join("report.json");
    let out = run(weigh()
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--matrix-file")
        .arg(fixture("tiny-verify.toml"))
        .arg("--target-dir")
        .arg(tmp.path().join("weigh-target"))
        .args([
            "--quiet",
            "--only",
            "release,z-fat",
            "--format",
            "json",
            "--output",
        ])
        .arg(&report_path));
    assert!(out.status.success(), "{}", text(&out).1);
    let report = json(&report_path);
    let measured = report["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "z-fat")
        .unwrap()
        .clone();

    // --dry-run shows the diff and changes nothing.
    let before = std::fs::read(&manifest).unwrap();
    let dry = run(weigh()
        .arg("apply")
        .arg("z-fat")
        .arg("--report")
        .arg(&report_path)
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--dry-run"));
    let (stdout, stderr) = text(&dry);
    assert!(dry.status.success(), "{stderr}");
    assert!(
        stdout.contains("+opt-level = \"z\"") && stdout.contains("+lto = \"fat\""),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(&manifest).unwrap(),
        before,
        "--dry-run wrote nothing"
    );

    let applied = run(weigh()
        .arg("apply")
        .arg("z-fat")
        .arg("--report")
        .arg(&report_path)
        .arg("--manifest-path")
        .arg(&manifest));
    let (_, stderr) = text(&applied);
    assert!(applied.status.success(), "{stderr}");
    let after = std::fs::read_to_string(&manifest).unwrap();
    assert!(
        after.contains("# release profile below is managed by hand"),
        "comments kept:\n{after}"
    );
    assert!(
        after.starts_with(&original[..original.len().min(200)]),
        "the rest of the file is unchanged"
    );

    // A plain release build, with the toolchain the report recorded.
    if measured["std_built_from_source"]
        .as_array()
        .is_some_and(|a| !a.is_empty())
    {
        assert!(
            stderr.contains("-Zbuild-std=core"),
            "apply says how to reproduce: {stderr}"
        );
    }
    let m = plain_release_build(&project, &report, &measured);
    assert_eq!(
        m.flash_bytes,
        measured["flash_bytes"].as_u64().unwrap(),
        "plain cargo build reproduces the flash size"
    );
    assert_eq!(
        m.flash_hash,
        measured["flash_hash"].as_str().unwrap(),
        "and the very same flash bytes"
    );

    // Applying again changes nothing; a conflicting value is refused.
    let again = run(weigh()
        .arg("apply")
        .arg("z-fat")
        .arg("--report")
        .arg(&report_path)
        .arg("--manifest-path")
        .arg(&manifest));
    assert!(text(&again).0.contains("nothing to change"));
    let opt_s = run(weigh()
        .arg("apply")
        .arg("opt-s")
        .arg("--preset")
        .arg("standard")
        .arg("--manifest-path")
        .arg(&manifest));
    let (_, stderr) = text(&opt_s);
    assert_eq!(opt_s.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("opt-level = \"z\"") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&manifest).unwrap(),
        after,
        "a refused apply writes nothing"
    );
}

/// After `apply NAME --profile P`, what the project ships is that
/// configuration: `check` gates it by default, not `release` as it is.
#[test]
fn check_gates_what_apply_wrote_into_a_profile_of_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("tiny");
    copy_dir(&fixture("tiny"), &project);
    let manifest = project.join("Cargo.toml");
    // Its own target directory: the record must not reach other tests.
    let target = tmp.path().join("target");
    let applied = run(weigh()
        .arg("apply")
        .arg("z-fat")
        .arg("--matrix-file")
        .arg(fixture("tiny-verify.toml"))
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["--profile", "small"])
        .env("CARGO_TARGET_DIR", &target));
    assert!(applied.status.success(), "{}", text(&applied).1);
    let check = |extra: &[&str]| {
        json_stdout(
            weigh()
                .arg("check")
                .arg("--manifest-path")
                .arg(&manifest)
                .arg("--target-dir")
                .arg(&target)
                .args(["--quiet", "--format", "json"])
                .args(extra),
        )
    };
    let r = check(&[]);
    assert_eq!(
        r["budget"]["gated"],
        serde_json::json!(["z-fat (profile small)"]),
        "{}",
        r["budget"]
    );
    let gated = &r["configs"][0];
    assert_eq!(gated["settings"]["opt-level"], "z", "{gated}");
    assert_eq!(gated["settings"]["lto"], "fat", "{gated}");
    // Named, the matrix is gated instead.
    let m = fixture("tiny-verify.toml");
    let r = check(&["--matrix-file", m.to_str().unwrap(), "--only", "release"]);
    assert_eq!(r["budget"]["gated"], serde_json::json!(["release"]));
}
