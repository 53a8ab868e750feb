//! `cargo weigh apply`: write a configuration into the user's Cargo.toml
//! (and `.cargo/config.toml` for what is not a profile key), keeping
//! comments, order and formatting (toml_edit), showing the diff first,
//! refusing to overwrite a different value unless forced, and writing
//! atomically (temp file + rename).

use std::path::Path;

use toml_edit::{Array, Value};

use crate::matrix::{BaseProfile, Config, Settings};

pub use crate::atomic::write as write_atomically;
pub use document::{ApplyError, FileEdit};
pub use wasm_pack::{plan_wasm_pack, uses_wasm_pack};

use document::{parse, table_mut};

mod document;
mod wasm_pack;

/// A value as text, for comparing with our settings' spelling.
fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.value().clone()),
        Value::Integer(i) => Some(i.value().to_string()),
        Value::Boolean(b) => Some(b.value().to_string()),
        _ => None,
    }
}

/// Do two spellings mean the same setting (`lto = true` and `"fat"`)?
fn same_setting(key: &str, existing: &Value, wanted: &str) -> bool {
    let Some(existing) = as_text(existing) else {
        return false;
    };
    let (mut a, mut b) = (Settings::default(), Settings::default());
    match (a.set(key, &existing), b.set(key, wanted.trim_matches('"'))) {
        (Ok(()), Ok(())) => a == b,
        _ => existing == wanted.trim_matches('"'),
    }
}

/// The Cargo.toml edit for `config`, into `[profile.<profile>]`.
pub fn plan_manifest(
    manifest: &Path,
    config: &Config,
    profile: Option<&str>,
    force: bool,
) -> Result<FileEdit, ApplyError> {
    let before = std::fs::read_to_string(manifest).map_err(|source| ApplyError::Read {
        path: manifest.to_path_buf(),
        source,
    })?;
    let mut doc = parse(manifest, &before)?;
    let base = match config.profile {
        BaseProfile::Dev => "dev",
        BaseProfile::Release => "release",
    };
    let name = profile.unwrap_or(base);
    let table = table_mut(&mut doc, &["profile", name], manifest)?;
    if name != base && !table.contains_key("inherits") {
        table.insert("inherits", toml_edit::value(base));
    }
    let mut conflicts = Vec::new();
    for (key, literal) in config.settings.toml_pairs() {
        if let Some(existing) = table.get(key).and_then(|i| i.as_value()) {
            if same_setting(key, existing, &literal) {
                continue;
            }
            if !force {
                conflicts.push(format!(
                    "{key} = {} (wanted {literal})",
                    existing.to_string().trim()
                ));
                continue;
            }
        }
        let value: Value = literal.parse().expect("our own TOML literal");
        match table.get_mut(key).and_then(|i| i.as_value_mut()) {
            // Keep the comment and spacing around an existing value.
            Some(old) => {
                let decor = old.decor().clone();
                *old = value;
                *old.decor_mut() = decor;
            }
            None => {
                table.insert(key, toml_edit::value(value));
            }
        }
    }
    if !conflicts.is_empty() {
        return Err(ApplyError::Conflict {
            path: manifest.to_path_buf(),
            table: format!("profile.{name}"),
            conflicts,
        });
    }
    Ok(FileEdit {
        path: manifest.to_path_buf(),
        before,
        after: doc.to_string(),
    })
}

/// The `.cargo/config.toml` edit for what is not a profile key: extra
/// rustflags (appended under `[target.<triple>]`) and `build-std`.
pub fn plan_cargo_config(
    dir: &Path,
    config: &Config,
    target: &str,
) -> Result<Option<FileEdit>, ApplyError> {
    if config.rustflags.is_empty() && config.build_std.is_empty() {
        return Ok(None);
    }
    let path = dir.join(".cargo").join("config.toml");
    let before = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(ApplyError::Read { path, source }),
    };
    let mut doc = parse(&path, &before)?;
    if !config.rustflags.is_empty() {
        let t = table_mut(&mut doc, &["target", target], &path)?;
        let flags = t
            .entry("rustflags")
            .or_insert(toml_edit::value(Array::new()));
        let array = flags.as_array_mut().ok_or_else(|| ApplyError::NotATable {
            path: path.clone(),
            table: format!("target.{target}.rustflags"),
        })?;
        let present: Vec<String> = array
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        if !present
            .windows(config.rustflags.len())
            .any(|w| w == config.rustflags.as_slice())
        {
            for f in &config.rustflags {
                array.push(f.as_str());
            }
        }
    }
    if !config.build_std.is_empty() {
        let t = table_mut(&mut doc, &["unstable"], &path)?;
        let mut crates = Array::new();
        for c in &config.build_std {
            crates.push(c.as_str());
        }
        t.insert("build-std", toml_edit::value(crates));
        if !config.build_std_features.is_empty() {
            let mut feats = Array::new();
            for f in &config.build_std_features {
                feats.push(f.as_str());
            }
            t.insert("build-std-features", toml_edit::value(feats));
        }
    }
    Ok(Some(FileEdit {
        path,
        before,
        after: doc.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{Lto, OptLevel, Strip};
    use std::path::PathBuf;

    fn config() -> Config {
        let s = Settings {
            opt_level: Some(OptLevel::Z),
            lto: Some(Lto::Fat),
            codegen_units: Some(1),
            strip: Some(Strip::Symbols),
            ..Settings::default()
        };
        Config::new("small", BaseProfile::Release, s)
    }

    fn manifest(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("Cargo.toml");
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    const BASE: &str = "[package]\nname = \"x\" # the name\nversion = \"0.1.0\"\n\n# Size matters here.\n[profile.release]\nlto = true # keep this comment\ndebug = 2\n\n[features]\ndefault = []\n";

    #[test]
    fn keeps_comments_order_and_formatting() {
        let (_d, p) = manifest(BASE);
        let e = plan_manifest(&p, &config(), None, false).unwrap();
        assert!(e.after.contains("# Size matters here."));
        assert!(e.after.contains("# keep this comment"), "{}", e.after);
        assert!(e.after.contains("name = \"x\" # the name"));
        // lto = true already means fat: left as the user wrote it.
        assert!(e.after.contains("lto = true"), "{}", e.after);
        assert!(e.after.contains("opt-level = \"z\""));
        assert!(e.after.contains("codegen-units = 1"));
        assert!(e.after.contains("strip = \"symbols\""));
        // [features] still comes after the profile.
        assert!(e.after.find("[profile.release]").unwrap() < e.after.find("[features]").unwrap());
        let doc: toml::Table = e.after.parse().unwrap();
        assert_eq!(doc["profile"]["release"]["opt-level"].as_str(), Some("z"));
        assert!(e.diff().contains("+opt-level = \"z\""), "{}", e.diff());
    }

    #[test]
    fn refuses_conflicts_unless_forced() {
        let text = BASE.replace("lto = true", "lto = \"thin\"");
        let (_d, p) = manifest(&text);
        let err = plan_manifest(&p, &config(), None, false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("lto = \"thin\"") && err.contains("--force"),
            "{err}"
        );
        let e = plan_manifest(&p, &config(), None, true).unwrap();
        assert!(
            e.after.contains("lto = \"fat\" # keep this comment"),
            "{}",
            e.after
        );
    }

    #[test]
    fn named_profile_inherits_release() {
        let (_d, p) = manifest(BASE);
        let e = plan_manifest(&p, &config(), Some("small"), false).unwrap();
        let doc: toml::Table = e.after.parse().unwrap();
        assert_eq!(
            doc["profile"]["small"]["inherits"].as_str(),
            Some("release")
        );
        assert_eq!(doc["profile"]["small"]["lto"].as_str(), Some("fat"));
        assert_eq!(
            doc["profile"]["release"]["lto"].as_bool(),
            Some(true),
            "release untouched"
        );
    }

    #[test]
    fn rustflags_and_build_std_go_to_cargo_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".cargo")).unwrap();
        std::fs::write(
            dir.path().join(".cargo/config.toml"),
            "# ours\n[target.thumbv7em-none-eabihf]\nrustflags = [\"-C\", \"link-arg=-Tlink.x\"]\n",
        )
        .unwrap();
        let mut c = config();
        c.rustflags = vec!["-Zlocation-detail=none".into()];
        c.build_std = vec!["core".into()];
        let e = plan_cargo_config(dir.path(), &c, "thumbv7em-none-eabihf")
            .unwrap()
            .unwrap();
        let doc: toml::Table = e.after.parse().unwrap();
        let flags = doc["target"]["thumbv7em-none-eabihf"]["rustflags"]
            .as_array()
            .unwrap();
        assert_eq!(flags.len(), 3, "appended, not replaced");
        assert_eq!(doc["unstable"]["build-std"][0].as_str(), Some("core"));
        assert!(e.after.starts_with("# ours"));
    }

    #[test]
    fn atomic_write_replaces_the_file() {
        let (_d, p) = manifest(BASE);
        let e = plan_manifest(&p, &config(), None, false).unwrap();
        e.write().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), e.after);
        let leftovers: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .flatten()
            .filter(|f| f.file_name().to_string_lossy().starts_with(".cargo-weigh-"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
