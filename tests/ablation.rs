//! The ablation view on the tiny firmware: what each setting buys.

mod common;

use common::*;

#[test]
fn ablation_isolates_each_setting_of_the_smallest() {
    let r = json_stdout(tiny_weigh("tiny-verify.toml").args([
        "--quiet",
        "--only",
        "release,z-fat",
        "--ablation",
        "--format",
        "json",
    ]));
    let configs = r["configs"].as_array().unwrap();
    let flash = |name: &str| {
        configs
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing: {r}"))["flash_bytes"]
            .as_i64()
            .unwrap()
    };
    // Built: the baseline plus each setting of z-fat, and z-fat minus each.
    for name in [
        "+opt-level=z",
        "+lto=fat",
        "+codegen-units=1",
        "z-fat -opt-level",
        "z-fat -lto",
        "z-fat -codegen-units",
    ] {
        flash(name);
    }
    let a = &r["ablation"];
    assert_eq!(
        a["objective"], "flash",
        "a bare-metal target is judged by flash"
    );
    let single = a["single"].as_array().unwrap();
    assert_eq!(single.len(), 3, "{a}");
    for e in single {
        let to = e["to"].as_str().unwrap();
        assert_eq!(e["from"], "release");
        assert_eq!(
            e["flash_delta_bytes"].as_i64().unwrap(),
            flash(to) - flash("release"),
            "{e}"
        );
    }
    // Sorted by size of the effect.
    let sizes: Vec<i64> = single
        .iter()
        .map(|e| e["flash_delta_bytes"].as_i64().unwrap().abs())
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    let smallest = a["smallest"].as_str().unwrap();
    let min = configs
        .iter()
        .map(|c| c["flash_bytes"].as_i64().unwrap())
        .min()
        .unwrap();
    assert_eq!(flash(smallest), min);
    for e in a["revert"].as_array().unwrap() {
        assert_eq!(e["from"], smallest);
        assert!(
            e["flash_delta_bytes"].as_i64().unwrap() >= 0,
            "reverting a setting of the smallest cannot shrink it: {e}"
        );
    }
    // The table shows both views.
    let table = run(tiny_weigh("tiny-verify.toml").args([
        "--quiet",
        "--only",
        "release,z-fat",
        "--ablation",
    ]));
    let (stdout, _) = text(&table);
    assert!(
        stdout.contains("What each setting buys on its own (from release)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("What reverting each setting of the smallest"),
        "{stdout}"
    );
}
