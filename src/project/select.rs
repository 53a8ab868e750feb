//! Choosing the package and binary with `cargo metadata`, as cargo would.

use std::path::{Path, PathBuf};

use cargo_metadata::{Metadata, MetadataCommand, Package, Target};
use serde::{Deserialize, Serialize};

/// What the user asked for on the command line, cargo-style.
pub use crate::options::ProjectOptions as Selection;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum BinKind {
    Bin,
    Example,
    /// The library's `cdylib`: a `.wasm` module on WebAssembly targets.
    Lib,
}

impl BinKind {
    /// The word cargo uses for it: target kind and flag (`--bin`, ...).
    pub fn word(self) -> &'static str {
        match self {
            BinKind::Bin => "bin",
            BinKind::Example => "example",
            BinKind::Lib => "lib",
        }
    }
}

/// The resolved project: one package, one binary.
#[derive(Debug, Clone)]
pub struct Project {
    pub package: String,
    pub version: String,
    pub manifest_path: PathBuf,
    pub package_dir: PathBuf,
    pub workspace_root: PathBuf,
    pub target_directory: PathBuf,
    pub binary: String,
    pub kind: BinKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("`{path}` does not exist\n  hint: pass the path of a Cargo.toml with --manifest-path, or run in a Cargo project")]
    NoManifest { path: PathBuf },
    #[error("no Cargo.toml in `{dir}` or any parent directory\n  hint: run cargo weigh inside a Cargo project or pass --manifest-path path/to/Cargo.toml")]
    NotAProject { dir: PathBuf },
    #[error("`cargo metadata` failed for `{manifest}`:\n{message}\n  hint: fix the manifest so that `cargo metadata` succeeds")]
    Metadata { manifest: PathBuf, message: String },
    #[error("`{manifest}` is a virtual workspace; choose a package with -p/--package, one of: {}", .members.join(", "))]
    VirtualWorkspace {
        manifest: PathBuf,
        members: Vec<String>,
    },
    #[error("package `{name}` is not in this workspace; choose one of: {}", .members.join(", "))]
    UnknownPackage { name: String, members: Vec<String> },
    #[error("package `{package}` has no binary target to measure\n  hint: cargo weigh builds executables and `cdylib` libraries (WebAssembly modules); add a `src/main.rs` or a `[[bin]]`, `crate-type = [\"cdylib\"]` under `[lib]`, or use --example NAME{}", examples_hint(.examples))]
    NoBinary {
        package: String,
        examples: Vec<String>,
    },
    #[error("package `{package}` has no cdylib library to measure (--lib)\n  hint: add `crate-type = [\"cdylib\"]` under `[lib]` (a WebAssembly module, a plugin), or drop --lib")]
    NoCdylib { package: String },
    #[error("package `{package}` has several binaries; choose one with --bin NAME: {}", .bins.join(", "))]
    SeveralBinaries { package: String, bins: Vec<String> },
    #[error("package `{package}` has no {kind} named `{name}`{}; {}", crate::suggest::hint(.name, .available.iter().map(String::as_str)), available_list(.kind, .available))]
    UnknownBinary {
        package: String,
        kind: &'static str,
        name: String,
        available: Vec<String>,
    },
    #[error("package `{package}` has no feature `{feature}`{}; {}\n  hint: features are checked before anything is built", crate::suggest::hint(.feature, .available.iter().map(String::as_str)), available_list("feature", .available))]
    UnknownFeature {
        package: String,
        feature: String,
        available: Vec<String>,
    },
}

fn examples_hint(examples: &[String]) -> String {
    if examples.is_empty() {
        String::new()
    } else {
        format!(" (examples: {})", examples.join(", "))
    }
}

fn available_list(kind: &str, names: &[String]) -> String {
    if names.is_empty() {
        format!("it has no {kind} targets")
    } else {
        format!("available: {}", names.join(", "))
    }
}

/// The package a command is about, without choosing a binary: its
/// manifest, and the workspace root (whose Cargo.toml holds the profiles).
/// The package's manifest, its workspace root and cargo's target directory.
pub fn select_package(
    cargo: &Path,
    sel: &Selection,
    cwd: &Path,
) -> Result<(PathBuf, PathBuf, PathBuf), ProjectError> {
    let manifest = find_manifest(sel, cwd)?;
    let metadata = metadata(cargo, &manifest)?;
    let package = choose_package(&metadata, &manifest, sel.package.as_deref())?;
    Ok((
        PathBuf::from(package.manifest_path.as_std_path()),
        metadata.workspace_root.clone().into_std_path_buf(),
        metadata.target_directory.clone().into_std_path_buf(),
    ))
}

fn find_manifest(sel: &Selection, cwd: &Path) -> Result<PathBuf, ProjectError> {
    match &sel.manifest_path {
        Some(p) => {
            let p = if p.is_absolute() {
                p.clone()
            } else {
                cwd.join(p)
            };
            // `--manifest-path dir` is a common slip; cargo wants the file.
            let p = if p.is_dir() { p.join("Cargo.toml") } else { p };
            if !p.is_file() {
                return Err(ProjectError::NoManifest { path: p });
            }
            Ok(p)
        }
        None => cwd
            .ancestors()
            .map(|d| d.join("Cargo.toml"))
            .find(|p| p.is_file())
            .ok_or_else(|| ProjectError::NotAProject {
                dir: cwd.to_path_buf(),
            }),
    }
}

/// Resolve the selection against `cargo metadata`.
pub fn select(cargo: &Path, sel: &Selection, cwd: &Path) -> Result<Project, ProjectError> {
    let manifest = find_manifest(sel, cwd)?;
    let metadata = metadata(cargo, &manifest)?;
    let package = choose_package(&metadata, &manifest, sel.package.as_deref())?;
    let (binary, kind) = choose_binary(package, sel)?;
    check_features(package, &sel.features)?;
    let manifest_path = PathBuf::from(package.manifest_path.as_std_path());
    Ok(Project {
        package: package.name.to_string(),
        version: package.version.to_string(),
        package_dir: manifest_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        manifest_path,
        workspace_root: metadata.workspace_root.clone().into_std_path_buf(),
        target_directory: metadata.target_directory.clone().into_std_path_buf(),
        binary,
        kind,
    })
}

/// `cargo metadata --no-deps`, run as every child is (stop flag, time
/// limit, process group), read by cargo_metadata.
fn metadata(cargo: &Path, manifest: &Path) -> Result<Metadata, ProjectError> {
    let mut query = MetadataCommand::new();
    query.cargo_path(cargo).manifest_path(manifest).no_deps();
    if let Some(dir) = manifest.parent() {
        query.current_dir(dir);
    }
    let failed = |message: String| ProjectError::Metadata {
        manifest: manifest.to_path_buf(),
        message,
    };
    let out = crate::process::output(&mut query.cargo_command(), METADATA_TIME_LIMIT)
        .map_err(|e| failed(format!("cannot run {}: {e}", cargo.display())))?;
    if !out.status.success() {
        return Err(failed(
            String::from_utf8_lossy(&out.stderr).trim_end().to_string(),
        ));
    }
    let json = String::from_utf8_lossy(&out.stdout);
    let line = json.lines().find(|l| l.starts_with('{')).unwrap_or("");
    MetadataCommand::parse(line).map_err(|e| failed(e.to_string()))
}

/// Enough for a workspace whose manifests cargo must first download.
const METADATA_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

fn choose_package<'m>(
    metadata: &'m Metadata,
    manifest: &Path,
    wanted: Option<&str>,
) -> Result<&'m Package, ProjectError> {
    let members: Vec<&Package> = metadata.workspace_packages();
    let names = || {
        members
            .iter()
            .map(|p| p.name.to_string())
            .collect::<Vec<_>>()
    };
    if let Some(name) = wanted {
        return members
            .iter()
            .copied()
            .find(|p| p.name.as_str() == name)
            .ok_or_else(|| ProjectError::UnknownPackage {
                name: name.to_string(),
                members: names(),
            });
    }
    // The package whose manifest was named, as cargo does without -p.
    let canonical = manifest
        .canonicalize()
        .unwrap_or_else(|_| manifest.to_path_buf());
    if let Some(p) = members.iter().copied().find(|p| {
        p.manifest_path
            .as_std_path()
            .canonicalize()
            .map(|m| m == canonical)
            .unwrap_or(false)
    }) {
        return Ok(p);
    }
    if members.len() == 1 {
        return Ok(members[0]);
    }
    Err(ProjectError::VirtualWorkspace {
        manifest: manifest.to_path_buf(),
        members: names(),
    })
}

/// `-F` names the package's features (or `dep/feature`, checked by cargo).
fn check_features(package: &Package, features: &[String]) -> Result<(), ProjectError> {
    let mut known: Vec<String> = package.features.keys().cloned().collect();
    // An optional dependency is a feature of its own unless some feature
    // names it with `dep:` (then only that feature enables it).
    let hidden: Vec<&str> = package
        .features
        .values()
        .flatten()
        .filter_map(|v| v.strip_prefix("dep:"))
        .collect();
    known.extend(
        package
            .dependencies
            .iter()
            .filter(|d| d.optional)
            .map(|d| d.rename.clone().unwrap_or_else(|| d.name.clone()))
            .filter(|n| !hidden.contains(&n.as_str())),
    );
    known.sort();
    known.dedup();
    for f in features.iter().filter(|f| !f.contains('/')) {
        if !known.contains(f) {
            known.sort();
            return Err(ProjectError::UnknownFeature {
                package: package.name.to_string(),
                feature: f.clone(),
                available: known,
            });
        }
    }
    Ok(())
}

fn targets_of<'p>(package: &'p Package, kind: &str) -> Vec<&'p Target> {
    package
        .targets
        .iter()
        .filter(|t| t.kind.iter().any(|k| k.to_string() == kind))
        .collect()
}

fn choose_binary(package: &Package, sel: &Selection) -> Result<(String, BinKind), ProjectError> {
    let bins = targets_of(package, "bin");
    let examples = targets_of(package, "example");
    let names = |ts: &[&Target]| ts.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    let find = |ts: &[&Target], name: &str, kind: &'static str| {
        ts.iter()
            .find(|t| t.name == name)
            .map(|t| t.name.clone())
            .ok_or_else(|| ProjectError::UnknownBinary {
                package: package.name.to_string(),
                kind,
                name: name.to_string(),
                available: names(ts),
            })
    };
    if let Some(name) = &sel.example {
        return Ok((find(&examples, name, "example")?, BinKind::Example));
    }
    if let Some(name) = &sel.bin {
        return Ok((find(&bins, name, "binary")?, BinKind::Bin));
    }
    // A package without binaries whose library is a cdylib (a WebAssembly
    // module, a plugin) weighs that, as `--lib` asks for.
    let cdylib = targets_of(package, "cdylib")
        .first()
        .map(|t| t.name.clone());
    match (sel.lib || bins.is_empty(), cdylib) {
        (true, Some(name)) => return Ok((name, BinKind::Lib)),
        (true, None) if sel.lib => {
            return Err(ProjectError::NoCdylib {
                package: package.name.to_string(),
            })
        }
        _ => {}
    }
    match bins.len() {
        0 => Err(ProjectError::NoBinary {
            package: package.name.to_string(),
            examples: names(&examples),
        }),
        1 => Ok((bins[0].name.clone(), BinKind::Bin)),
        _ => match &package.default_run {
            Some(d) => Ok((find(&bins, d, "binary")?, BinKind::Bin)),
            None => Err(ProjectError::SeveralBinaries {
                package: package.name.to_string(),
                bins: names(&bins),
            }),
        },
    }
}
