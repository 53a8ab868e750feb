use std::path::Path;

use super::parse_text;
use crate::matrix::{Lto, OptLevel};

fn parse(text: &str) -> Result<super::ConfigFile, String> {
    parse_text(Path::new("weigh.toml"), text, false)
        .map(|o| o.expect("some"))
        .map_err(|e| e.to_string())
}

#[test]
fn configs_and_matrix_expand() {
    let f = parse(
        r#"
baseline = "mine"
[[config]]
name = "mine"
opt-level = "z"
lto = true
codegen-units = 1

[matrix]
opt-level = [3, "s", "z"]
lto = ["thin", "fat"]
"#,
    )
    .unwrap();
    assert_eq!(f.configs.len(), 1 + 3 * 2);
    assert_eq!(f.baseline.as_deref(), Some("mine"));
    assert_eq!(f.configs[0].settings.lto, Some(Lto::Fat));
    assert_eq!(f.configs[1].name, "opt-level=3,lto=thin");
    assert_eq!(f.configs[6].name, "opt-level=z,lto=fat");
    assert_eq!(f.configs[6].settings.opt_level, Some(OptLevel::Z));
}

#[test]
fn preset_plus_own_configs() {
    let f = parse("preset = \"seed\"\n[[config]]\nname = \"extra\"\npanic = \"abort\"\n").unwrap();
    assert_eq!(f.configs.len(), 8);
}

#[test]
fn unknown_key_names_line_and_allowed_keys() {
    let e = parse("[[config]]\nname = \"a\"\nopt_level = 3\n").unwrap_err();
    assert!(e.contains("line 3"), "{e}");
    assert!(e.contains("opt-level"), "{e}");
    assert!(e.contains("weigh.toml"), "{e}");
}

#[test]
fn wrong_value_lists_allowed_values() {
    let e = parse("[[config]]\nname = \"a\"\nlto = \"medium\"\n").unwrap_err();
    assert!(e.contains("line 3"), "{e}");
    assert!(e.contains("thin") && e.contains("fat"), "{e}");
    let e = parse("[[config]]\nname = \"a\"\ncodegen-units = \"many\"\n").unwrap_err();
    assert!(e.contains("line 3"), "{e}");
}

#[test]
fn duplicate_names_point_at_both_lines() {
    let e = parse("[[config]]\nname = \"a\"\n[[config]]\nname = \"a\"\n").unwrap_err();
    assert!(
        e.contains("line 4") && e.contains("line 2") && e.contains("duplicate"),
        "{e}"
    );
}

#[test]
fn empty_matrix_and_empty_axis_are_errors() {
    let e = parse("[matrix]\n").unwrap_err();
    assert!(e.contains("matrix is empty"), "{e}");
    let e = parse("[matrix]\nlto = []\n").unwrap_err();
    assert!(e.contains("`lto` is empty") && e.contains("line 2"), "{e}");
}

#[test]
fn unknown_preset_lists_presets() {
    let e = parse("preset = \"tiny\"\n").unwrap_err();
    assert!(
        e.contains("line 1") && e.contains("standard") && e.contains("seed"),
        "{e}"
    );
}

#[test]
fn manifest_metadata_is_read() {
    let text = "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[package.metadata.weigh]\npreset = \"release\"\n";
    let f = parse_text(Path::new("Cargo.toml"), text, true)
        .unwrap()
        .unwrap();
    assert_eq!(f.configs.len(), 1);
    let none = parse_text(
        Path::new("Cargo.toml"),
        "[package]\nname = \"weigh\"\n",
        true,
    )
    .unwrap();
    assert!(none.is_none());
}

#[test]
fn lto_values_mean_what_they_mean_to_cargo() {
    let f = parse(
        "[[config]]\nname = \"a\"\nlto = false\n[[config]]\nname = \"b\"\nlto = \"off\"\n\
         [[config]]\nname = \"c\"\nlto = true\n[matrix]\nlto = [false, \"thin\"]\n",
    )
    .unwrap();
    let lto: Vec<Option<Lto>> = f.configs.iter().map(|c| c.settings.lto).collect();
    assert_eq!(
        lto,
        [
            Some(Lto::False),
            Some(Lto::Off),
            Some(Lto::Fat),
            Some(Lto::False),
            Some(Lto::Thin)
        ]
    );
    // `false` is passed to cargo as the boolean (its default), not "off".
    assert_eq!(
        f.configs[0].settings.toml_pairs(),
        [("lto", "false".to_string())]
    );
    assert_eq!(
        f.configs[1].settings.toml_pairs(),
        [("lto", "\"off\"".to_string())]
    );
    assert_eq!(f.configs[3].name, "lto=false");
    for bad in ["\"no\"", "\"n\"", "\"yes\"", "\"false\""] {
        let e = parse(&format!("[[config]]\nname = \"a\"\nlto = {bad}\n")).unwrap_err();
        assert!(e.contains("false, true"), "{bad}: {e}");
    }
}
