#![cfg(feature = "schema")]
//! The published JSON Schemas (docs/*.schema.json): current with the code,
//! and real output of the tool valid against them: a firmware report with
//! every analysis (verify under QEMU, ablation, attribution, cost, budget),
//! a diff and an attribution.

mod common;

use std::path::PathBuf;

use common::*;

fn docs(name: &str) -> PathBuf {
    repo().join("docs").join(name)
}

#[test]
fn published_schemas_are_the_code_s() {
    let update = std::env::var_os("WEIGH_UPDATE_SCHEMAS").is_some();
    for (name, schema) in cargo_weigh::export::schemas() {
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        let path = docs(name);
        if update {
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let published = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            published == text,
            "{} is not the schema of the code; regenerate it: WEIGH_UPDATE_SCHEMAS=1 cargo test --test schema",
            path.display()
        );
    }
}

fn validate(schema: &str, value: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(docs(schema)).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn real_reports_diffs_and_attributions_validate() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("report.json");
    let out = run(tiny_weigh("tiny-verify.toml")
        .args([
            "--verify",
            "--ablation",
            "--attribute",
            "--price-per-kib",
            "0.1",
            "--units",
            "1000",
            "--max-flash",
            "64K",
            "--quiet",
            "--format",
            "json",
            "--output",
        ])
        .arg(&report));
    // The `different` configuration behaves differently: exit 1, report written.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out).1);
    let r = json(&report);
    for field in ["ablation", "budget", "cost", "memory", "matrix"] {
        assert!(
            r.get(field).is_some(),
            "{field} missing: the test covers less"
        );
    }
    assert!(r["configs"][0].get("verify").is_some());
    assert!(r["configs"][0].get("attribution").is_some());
    validate("report.schema.json", &r);
    // The schema does reject what it does not describe.
    let mut wrong = r.clone();
    wrong["configs"][0]["flash_bytes"] = "8 KiB".into();
    wrong["configs"][0]["settings"]["lto"] = "fatter".into();
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(docs("report.schema.json")).unwrap())
            .unwrap();
    let errors = jsonschema::validator_for(&schema)
        .unwrap()
        .iter_errors(&wrong)
        .count();
    assert_eq!(
        errors, 2,
        "a string for a size and an unknown lto are both caught"
    );

    let diff = json_stdout(
        weigh()
            .arg("diff")
            .arg(&report)
            .args(["--from", "release", "--to", "z-fat", "--format", "json"]),
    );
    assert!(!diff["configs"][0]["symbols"].as_array().unwrap().is_empty());
    validate("diff.schema.json", &diff);

    let top = json_stdout(
        tiny_subcommand("top", "tiny-verify.toml")
            .args(["--only", "z-fat", "--quiet", "--format", "json"]),
    );
    validate("top.schema.json", &top);
}
