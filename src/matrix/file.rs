//! The project file: `weigh.toml`, or `[package.metadata.weigh]` in Cargo.toml.
//!
//! Errors carry the file, the line, and the allowed values; serde's own
//! messages (through `toml`) already name the line and the expected values.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::config::{BaseProfile, Config};
use super::presets::{preset, PRESETS};
use super::settings::{Debug, Lto, OptLevel, Panic, Settings, Strip, KEYS};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid configuration file `{path}`:\n{message}")]
    Invalid { path: PathBuf, message: String },
}

/// Configurations read from a project file, and where they came from.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub configs: Vec<Config>,
    pub baseline: Option<String>,
    pub cost: Option<crate::cost::CostModel>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawFile {
    preset: Option<Spanned<String>>,
    baseline: Option<String>,
    #[serde(default, rename = "config")]
    configs: Vec<RawConfig>,
    matrix: Option<Spanned<RawMatrix>>,
    cost: Option<crate::cost::CostModel>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawConfig {
    name: Spanned<String>,
    #[serde(default)]
    profile: BaseProfile,
    opt_level: Option<OptLevel>,
    lto: Option<Lto>,
    codegen_units: Option<u32>,
    panic: Option<Panic>,
    strip: Option<Strip>,
    debug: Option<Debug>,
    overflow_checks: Option<bool>,
    debug_assertions: Option<bool>,
    incremental: Option<bool>,
    #[serde(default)]
    rustflags: Vec<String>,
    #[serde(default)]
    build_std: Vec<String>,
    #[serde(default)]
    build_std_features: Vec<String>,
    wasm_opt: Option<super::settings::WasmOpt>,
}

type Axis<T> = Option<Spanned<Vec<T>>>;

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawMatrix {
    #[serde(default)]
    profile: BaseProfile,
    opt_level: Axis<OptLevel>,
    lto: Axis<Lto>,
    codegen_units: Axis<u32>,
    panic: Axis<Panic>,
    strip: Axis<Strip>,
    debug: Axis<Debug>,
    overflow_checks: Axis<bool>,
    debug_assertions: Axis<bool>,
    incremental: Axis<bool>,
    wasm_opt: Axis<super::settings::WasmOpt>,
}

/// Cargo.toml wrapper: only `package.metadata.weigh` is read.
#[derive(Deserialize)]
struct Manifest {
    package: Option<ManifestPackage>,
}
#[derive(Deserialize)]
struct ManifestPackage {
    metadata: Option<ManifestMetadata>,
}
#[derive(Deserialize)]
struct ManifestMetadata {
    weigh: Option<RawFile>,
}

/// Find and read the project's configuration: an explicit file, else
/// `weigh.toml` beside the manifest, else `[package.metadata.weigh]`.
pub fn load_project_file(
    explicit: Option<&Path>,
    package_dir: &Path,
    manifest: &Path,
) -> Result<Option<ConfigFile>, FileError> {
    if let Some(path) = explicit {
        return parse_file(path, false).map(Some);
    }
    let beside = package_dir.join("weigh.toml");
    if beside.is_file() {
        return parse_file(&beside, false).map(Some);
    }
    if manifest.is_file() {
        let text = read(manifest)?;
        if text.contains("weigh") {
            return parse_text(manifest, &text, true);
        }
    }
    Ok(None)
}

fn read(path: &Path) -> Result<String, FileError> {
    std::fs::read_to_string(path).map_err(|source| FileError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn parse_file(path: &Path, in_manifest: bool) -> Result<ConfigFile, FileError> {
    let text = read(path)?;
    parse_text(path, &text, in_manifest)?.ok_or_else(|| FileError::Invalid {
        path: path.to_path_buf(),
        message: "no configurations".into(),
    })
}

/// Every name given and unique (the preset's names at offset 0).
fn unique_names(
    text: &str,
    names: Vec<(String, std::ops::Range<usize>)>,
    mut seen: HashMap<String, usize>,
    preset: bool,
) -> Result<(), (std::ops::Range<usize>, String)> {
    for (name, span) in names {
        if name.trim().is_empty() {
            return Err((span, "a configuration name is empty; give it a name".into()));
        }
        if let Some(first) = seen.insert(name.clone(), span.start) {
            let where_first = if first == 0 && preset {
                "the preset".to_string()
            } else {
                format!("line {}", line_of(text, first))
            };
            return Err((
                span,
                format!("duplicate configuration name `{name}` (first defined at {where_first}); names must be unique"),
            ));
        }
    }
    Ok(())
}

/// Parse the text of a weigh file (or a Cargo.toml holding one).
pub(crate) fn parse_text(
    path: &Path,
    text: &str,
    in_manifest: bool,
) -> Result<Option<ConfigFile>, FileError> {
    let invalid = |message: String| FileError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let raw = if in_manifest {
        let m: Manifest = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        match m.package.and_then(|p| p.metadata).and_then(|m| m.weigh) {
            Some(raw) => raw,
            None => return Ok(None),
        }
    } else {
        toml::from_str::<RawFile>(text).map_err(|e| invalid(e.to_string()))?
    };
    let at = |span: std::ops::Range<usize>, msg: String| invalid(at_line(text, span.start, &msg));

    let mut configs = Vec::new();
    if let Some(p) = &raw.preset {
        match preset(p.get_ref()) {
            Some(list) => configs.extend(list),
            None => {
                let names: Vec<_> = PRESETS.iter().map(|(n, _)| *n).collect();
                return Err(at(
                    p.span(),
                    format!(
                        "unknown preset `{}`, expected one of {}",
                        p.get_ref(),
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    let seen: HashMap<String, usize> = configs.iter().map(|c| (c.name.clone(), 0)).collect();
    let mut names = Vec::new();
    for rc in raw.configs {
        names.push((rc.name.get_ref().clone(), rc.name.span()));
        configs.push(config_from_raw(rc));
    }
    if let Some(m) = raw.matrix {
        let span = m.span();
        let expanded =
            expand(m.into_inner()).map_err(|(msg, s)| at(s.unwrap_or(span.clone()), msg))?;
        for c in expanded {
            names.push((c.name.clone(), span.clone()));
            configs.push(c);
        }
    }
    unique_names(text, names, seen, raw.preset.is_some()).map_err(|(span, msg)| at(span, msg))?;
    if configs.is_empty() && raw.cost.is_none() {
        return Err(invalid(
            "the file defines no configurations: add `preset = \"standard\"`, a `[[config]]` table or a `[matrix]`".into(),
        ));
    }
    Ok(Some(ConfigFile {
        path: path.to_path_buf(),
        configs,
        baseline: raw.baseline,
        cost: raw.cost,
    }))
}

fn config_from_raw(rc: RawConfig) -> Config {
    let settings = Settings {
        opt_level: rc.opt_level,
        lto: rc.lto,
        codegen_units: rc.codegen_units,
        panic: rc.panic,
        strip: rc.strip,
        debug: rc.debug,
        overflow_checks: rc.overflow_checks,
        debug_assertions: rc.debug_assertions,
        incremental: rc.incremental,
    };
    Config {
        link_args: Vec::new(),
        name: rc.name.into_inner(),
        profile: rc.profile,
        settings,
        rustflags: rc.rustflags,
        build_std: rc.build_std,
        build_std_features: rc.build_std_features,
        wasm_opt: rc.wasm_opt,
    }
}

type SpanErr = (String, Option<std::ops::Range<usize>>);

/// Every combination of the listed values, axes in `KEYS` order.
fn expand(m: RawMatrix) -> Result<Vec<Config>, SpanErr> {
    // Each axis becomes a list of (key, value-as-text); combinations are built
    // by setting the keys through `Settings::set`, which owns the spelling.
    fn axis<T: ToString>(key: &str, a: Axis<T>) -> Result<Option<(String, Vec<String>)>, SpanErr> {
        match a {
            None => Ok(None),
            Some(s) if s.get_ref().is_empty() => Err((
                format!("the matrix axis `{key}` is empty; list at least one value or remove it"),
                Some(s.span()),
            )),
            Some(s) => Ok(Some((
                key.to_string(),
                s.into_inner().iter().map(|v| v.to_string()).collect(),
            ))),
        }
    }
    let axes: Vec<(String, Vec<String>)> = [
        axis("opt-level", m.opt_level)?,
        axis("lto", m.lto)?,
        axis("codegen-units", m.codegen_units)?,
        axis("panic", m.panic)?,
        axis("strip", m.strip)?,
        axis("debug", m.debug)?,
        axis("overflow-checks", m.overflow_checks)?,
        axis("debug-assertions", m.debug_assertions)?,
        axis("incremental", m.incremental)?,
    ]
    .into_iter()
    .flatten()
    .collect();
    debug_assert!(axes.iter().all(|(k, _)| KEYS.contains(&k.as_str())));
    let wasm_opt = match m.wasm_opt {
        Some(s) if s.get_ref().is_empty() => {
            return Err((
                "the matrix axis `wasm-opt` is empty; list at least one value or remove it".into(),
                Some(s.span()),
            ))
        }
        Some(s) => s.into_inner().into_iter().map(Some).collect(),
        None => vec![None],
    };
    if axes.is_empty() && wasm_opt == [None] {
        return Err((
            format!("the matrix is empty: give at least one axis, e.g. `lto = [\"thin\", \"fat\"]` (axes: {})", KEYS.join(", ")),
            None,
        ));
    }
    let mut combos: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for (key, values) in &axes {
        let mut next = Vec::with_capacity(combos.len() * values.len());
        for combo in &combos {
            for v in values {
                let mut c = combo.clone();
                c.push((key.clone(), v.clone()));
                next.push(c);
            }
        }
        combos = next;
    }
    let mut out = Vec::new();
    for combo in combos {
        let mut s = Settings::default();
        for (k, v) in &combo {
            s.set(k, v)
                .map_err(|allowed| (format!("`{k}`: expected {allowed}"), None))?;
        }
        // wasm-opt runs after the link: the last axis, the same build.
        for level in &wasm_opt {
            let mut parts: Vec<String> = combo.iter().map(|(k, v)| format!("{k}={v}")).collect();
            parts.extend(level.map(|l| format!("wasm-opt={l}")));
            let mut c = Config::new(&parts.join(","), m.profile, s.clone());
            c.wasm_opt = *level;
            out.push(c);
        }
    }
    Ok(out)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn at_line(text: &str, offset: usize, msg: &str) -> String {
    let line = line_of(text, offset);
    let src = text.lines().nth(line - 1).unwrap_or("");
    format!("line {line}: {msg}\n  {line} | {src}")
}

#[cfg(test)]
mod tests;
