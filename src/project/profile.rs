//! The profile as cargo will apply it: cargo's defaults, then
//! `[profile.<name>]` of the workspace root's Cargo.toml, then the cargo
//! configuration (`[profile]` in config files, `CARGO_PROFILE_*`). Used to
//! tell when a setting changes nothing (`opt-level = 3` on a release profile
//! that already has it).

use std::path::Path;

use crate::matrix::{BaseProfile, Debug, Lto, OptLevel, Panic, Settings, KEYS};

use super::CargoConfig;

/// Cargo's built-in values of a profile.
fn defaults(profile: BaseProfile) -> Settings {
    match profile {
        BaseProfile::Release => Settings {
            opt_level: Some(OptLevel::O3),
            lto: Some(Lto::False),
            codegen_units: Some(16),
            panic: Some(Panic::Unwind),
            strip: None,
            debug: Some(Debug::None),
            overflow_checks: Some(false),
            debug_assertions: Some(false),
            incremental: Some(false),
        },
        BaseProfile::Dev => Settings {
            opt_level: Some(OptLevel::O0),
            lto: Some(Lto::False),
            codegen_units: Some(256),
            panic: Some(Panic::Unwind),
            strip: None,
            debug: Some(Debug::Full),
            overflow_checks: Some(true),
            debug_assertions: Some(true),
            incremental: Some(true),
        },
    }
}

/// A TOML value as the text `Settings::set` reads.
fn text(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The effective settings of `profile` for a workspace, every key that
/// cargo gives a value set (`strip` only when it is written somewhere: its
/// default depends on `debug`).
pub fn effective(workspace_root: &Path, config: &CargoConfig, profile: BaseProfile) -> Settings {
    let mut s = defaults(profile);
    let name = profile.as_str();
    let manifest = std::fs::read_to_string(workspace_root.join("Cargo.toml"))
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok());
    if let Some(table) = manifest
        .as_ref()
        .and_then(|m| m.get("profile"))
        .and_then(|p| p.get(name))
        .and_then(|p| p.as_table())
    {
        for (k, v) in table {
            if let (true, Some(t)) = (KEYS.contains(&k.as_str()), text(v)) {
                let _ = s.set(k, &t);
            }
        }
    }
    for (k, v) in config.profile_keys(name) {
        // Environment values are plain text, file values TOML literals.
        let t = v.trim_matches('"');
        if KEYS.contains(&k.as_str()) {
            let _ = s.set(&k, t);
        }
    }
    if std::env::var("CARGO_INCREMENTAL").is_ok_and(|v| v == "0") {
        s.incremental = Some(false);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_and_environment_over_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"x\"\n[profile.release]\nopt-level = \"s\"\nlto = true\n",
        )
        .unwrap();
        let c = CargoConfig::discover_with_env(
            dir.path(),
            &[],
            vec![
                ("CARGO_HOME".to_string(), "/nonexistent".to_string()),
                (
                    "CARGO_PROFILE_RELEASE_CODEGEN_UNITS".to_string(),
                    "1".to_string(),
                ),
            ],
        )
        .unwrap();
        let s = effective(dir.path(), &c, BaseProfile::Release);
        assert_eq!(s.opt_level, Some(OptLevel::S));
        assert_eq!(s.lto, Some(Lto::Fat));
        assert_eq!(s.codegen_units, Some(1));
        assert_eq!(s.overflow_checks, Some(false));
        assert_eq!(
            effective(dir.path(), &c, BaseProfile::Dev).opt_level,
            Some(OptLevel::O0)
        );
    }
}
