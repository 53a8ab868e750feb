//! `cargo weigh optimize` on the tiny firmware: at least as small as the
//! best of the standard preset, every step printed, and the result applied
//! and reproduced by a plain `cargo build --release`.

mod common;

use common::*;

#[test]
fn optimize_beats_the_standard_preset_and_its_result_applies() {
    let tmp = tempfile::tempdir().unwrap();
    let standard = run(weigh()
        .arg("--manifest-path")
        .arg(fixture("tiny/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("tiny"))
        .args(["--preset", "standard", "--quiet", "--format", "json"]));
    assert!(standard.status.success(), "{}", text(&standard).1);
    let standard: serde_json::Value = serde_json::from_slice(&standard.stdout).unwrap();
    let best_standard = standard["configs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["flash_bytes"].as_u64())
        .min()
        .unwrap();

    let report_path = tmp.path().join("optimize.json");
    let out = run(weigh()
        .arg("optimize")
        .arg("--manifest-path")
        .arg(fixture("tiny/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("tiny"))
        .args(["--stable-only", "--quiet", "--format", "json", "--output"])
        .arg(&report_path));
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let r = json(&report_path);
    let o = &r["optimize"];
    assert_eq!(o["objective"], "flash");
    let best = o["best"].as_str().unwrap();
    let configs = r["configs"].as_array().unwrap();
    let best_cfg = configs.iter().find(|c| c["name"] == best).unwrap();
    let best_flash = best_cfg["flash_bytes"].as_u64().unwrap();
    assert!(
        best_flash <= best_standard,
        "optimize found {best_flash} B, standard's best is {best_standard} B"
    );
    // Each kept step is printed as it happens, and the steps only go down.
    let steps = o["steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    assert_eq!(stderr.matches("  step: ").count(), steps.len(), "{stderr}");
    for s in steps {
        assert!(s["after_bytes"].as_u64() < s["before_bytes"].as_u64());
    }
    assert_eq!(
        steps.last().unwrap()["after_bytes"].as_u64(),
        Some(best_flash)
    );
    assert!(
        !o["pareto"].as_array().unwrap().is_empty() || configs.iter().all(|c| c["fresh"] == true)
    );
    assert!(
        configs.iter().all(|c| c["settings"]
            .get("panic")
            .is_none_or(|p| p != "immediate-abort")),
        "--stable-only"
    );
    // Overflow checks are tried both ways, also when the profile leaves
    // them off (on tiny they make z with fat LTO smaller).
    let checked = |c: &serde_json::Value| c["settings"]["overflow-checks"] == true;
    assert!(
        configs.iter().any(checked),
        "overflow-checks = true never measured"
    );
    let smaller_with = configs
        .iter()
        .filter(|c| checked(c))
        .filter_map(|c| c["flash_bytes"].as_u64())
        .min()
        .unwrap();
    assert!(
        best_flash <= smaller_with,
        "best {best_flash} B, a checked build {smaller_with} B"
    );

    // Apply the best to a copy and rebuild it the plain way.
    let project = tmp.path().join("tiny");
    copy_dir(&fixture("tiny"), &project);
    let applied = run(weigh()
        .arg("apply")
        .arg(best)
        .arg("--report")
        .arg(&report_path)
        .arg("--manifest-path")
        .arg(project.join("Cargo.toml")));
    assert!(applied.status.success(), "{}", text(&applied).1);
    assert_eq!(
        plain_release_build(&project, &r, best_cfg).flash_bytes,
        best_flash,
        "cargo build --release reproduces the optimized flash"
    );
}

/// Whatever stops the search, the best it names is the smallest it
/// measured (it named the starting configuration under --max-builds).
#[test]
fn under_max_builds_the_best_is_the_smallest_measured() {
    let out = run(weigh()
        .arg("optimize")
        .arg("--manifest-path")
        .arg(fixture("tiny/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("tiny"))
        .args([
            "--stable-only",
            "--max-builds",
            "2",
            "--quiet",
            "--format",
            "json",
        ]));
    assert!(out.status.success(), "{}", text(&out).1);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let configs = r["configs"].as_array().unwrap();
    assert_eq!(configs.len(), 2);
    let smallest = configs
        .iter()
        .min_by_key(|c| c["flash_bytes"].as_u64().unwrap())
        .unwrap();
    assert_eq!(r["optimize"]["best"], smallest["name"]);
    assert_ne!(r["optimize"]["best"], "release");
    // The printed command applies it as printed: the report is saved.
    let (_, stderr) = text(&out);
    let cmd = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("apply it: "))
        .expect("the apply command");
    let saved = shared_target_dir("tiny").join("weigh/optimize.json");
    assert!(cmd.contains(&saved.display().to_string()), "{cmd}");
    assert_eq!(json(&saved)["optimize"]["best"], smallest["name"]);
}

/// With `--max-slowdown`, every candidate is run under QEMU and one that
/// executes more instructions than allowed is never chosen, however small.
#[test]
fn max_slowdown_keeps_the_best_within_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let report_path = tmp.path().join("optimize.json");
    let out = run(weigh()
        .arg("optimize")
        .arg("--manifest-path")
        .arg(fixture("tiny/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("tiny"))
        .args(["--stable-only", "--max-slowdown", "5%", "--max-builds", "8"])
        .args(["--quiet", "--format", "json", "--output"])
        .arg(&report_path));
    assert!(out.status.success(), "{}", text(&out).1);
    let r = json(&report_path);
    let o = &r["optimize"];
    let configs = r["configs"].as_array().unwrap();
    let row = |name: &str| configs.iter().find(|c| c["name"] == name).unwrap();
    let insns = |c: &serde_json::Value| c["runtime"]["instructions"].as_u64().unwrap();
    let start = insns(row(o["start"].as_str().unwrap()));
    let best = row(o["best"].as_str().unwrap());
    assert!(
        insns(best) as f64 <= start as f64 * 1.05,
        "best {} runs {} instructions, start {start}",
        best["name"],
        insns(best)
    );
    // Something smaller was turned down for being slower.
    let smallest = configs
        .iter()
        .min_by_key(|c| c["flash_bytes"].as_u64().unwrap_or(u64::MAX))
        .unwrap();
    assert!(
        smallest["flash_bytes"].as_u64() < best["flash_bytes"].as_u64(),
        "{o}"
    );
    assert!(
        o["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("over --max-slowdown 5 %")),
        "{o}"
    );
}
