//! The configurations of a run, chosen one way for every command:
//! `--preset`, else the project's file, else the standard preset; then
//! `--only` (names checked, with "did you mean") and `--shard`.

use std::path::Path;

use super::config::Config;
use super::file::{load_project_file, FileError};
use super::presets::{preset, PRESETS};
use crate::cost::CostModel;
use crate::options::MatrixOptions;
use crate::suggest::hint;

/// Where the matrix of a run came from, and what it holds.
#[derive(Debug, Clone)]
pub struct MatrixSource {
    pub configs: Vec<Config>,
    /// Position of each configuration in the whole matrix (for shards).
    pub positions: Vec<usize>,
    /// The baseline the file names, if it is still in the run.
    pub baseline: Option<String>,
    /// In words, for messages: `preset standard`, the file's path.
    pub origin: String,
    /// `preset`, `file`, or `applied` (what `apply` last wrote).
    pub kind: &'static str,
    /// The preset's name or the file's path.
    pub name: String,
    pub cost: Option<CostModel>,
}

#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("unknown preset `{name}`{hint}; choose one of: {}", .presets.join(", "))]
    Preset {
        name: String,
        hint: String,
        presets: Vec<&'static str>,
    },
    #[error("--only: no configuration named `{name}` in {origin}{hint}; choose from: {}", .names.join(", "))]
    Only {
        name: String,
        origin: String,
        hint: String,
        names: Vec<String>,
    },
    #[error("{path}: baseline `{name}` is not a configuration of its matrix{hint}; choose one of: {}\n  hint: fix `baseline` in the file (or remove it: the first configuration is the baseline)", .names.join(", "))]
    FileBaseline {
        path: String,
        name: String,
        hint: String,
        names: Vec<String>,
    },
    #[error("--baseline `{name}` is not a configuration of this run{hint}; choose one of: {}", .names.join(", "))]
    Baseline {
        name: String,
        hint: String,
        names: Vec<String>,
    },
}

fn preset_configs(name: &str) -> Result<Vec<Config>, SelectError> {
    let presets: Vec<&'static str> = PRESETS.iter().map(|(n, _)| *n).collect();
    preset(name).ok_or_else(|| SelectError::Preset {
        name: name.to_string(),
        hint: hint(name, presets.iter().copied()),
        presets,
    })
}

/// The whole matrix, before `--only` and `--shard`.
fn whole(
    opts: &MatrixOptions,
    package_dir: &Path,
    manifest: &Path,
) -> Result<MatrixSource, SelectError> {
    let file = load_project_file(opts.matrix_file.as_deref(), package_dir, manifest)?;
    // Prices and the baseline come from the file even under --preset.
    let cost = file.as_ref().and_then(|f| f.cost.clone());
    let preset = |name: &str| -> Result<(Vec<Config>, &'static str, String), SelectError> {
        Ok((preset_configs(name)?, "preset", name.to_string()))
    };
    let ((configs, kind, name), baseline) = match (&opts.preset, file) {
        _ if opts.applied.is_some() => {
            let path = opts.applied.as_deref().unwrap_or(Path::new(""));
            let configs = super::applied::load(path)
                .map(|a| a.as_config())
                .into_iter()
                .collect();
            ((configs, "applied", path.display().to_string()), None)
        }
        (Some(name), f) => (preset(name)?, f.and_then(|f| f.baseline)),
        (None, Some(f)) if !f.configs.is_empty() => (
            (f.configs, "file", f.path.display().to_string()),
            f.baseline,
        ),
        (None, Some(f)) => (preset("standard")?, f.baseline),
        (None, None) => (preset("standard")?, None),
    };
    let origin = match kind {
        "preset" => format!("preset {name}"),
        _ => name.clone(),
    };
    let positions = (0..configs.len()).collect();
    Ok(MatrixSource {
        configs,
        positions,
        baseline,
        origin,
        kind,
        name,
        cost,
    })
}

/// The configurations to build, in matrix order.
pub fn select(
    opts: &MatrixOptions,
    package_dir: &Path,
    manifest: &Path,
) -> Result<MatrixSource, SelectError> {
    let mut source = whole(opts, package_dir, manifest)?;
    let names: Vec<String> = source.configs.iter().map(|c| c.name.clone()).collect();
    // The file's baseline names one of its configurations (under --preset
    // the file's matrix is not the run's, and its baseline may not apply).
    if let Some(b) = source.baseline.as_ref().filter(|_| opts.preset.is_none()) {
        if !names.contains(b) {
            let path = load_project_file(opts.matrix_file.as_deref(), package_dir, manifest)?
                .map(|f| f.path.display().to_string())
                .unwrap_or_else(|| "weigh.toml".into());
            return Err(SelectError::FileBaseline {
                path,
                name: b.clone(),
                hint: hint(b, names.iter().map(String::as_str)),
                names,
            });
        }
    }
    for o in &opts.only {
        if !names.contains(o) {
            return Err(SelectError::Only {
                name: o.clone(),
                origin: source.origin.clone(),
                hint: hint(o, names.iter().map(String::as_str)),
                names,
            });
        }
    }
    let keep: Vec<usize> = (0..source.configs.len())
        .filter(|&i| opts.only.is_empty() || opts.only.contains(&source.configs[i].name))
        .collect();
    let in_run: Vec<String> = keep.iter().map(|&i| names[i].clone()).collect();
    let keep = match opts.shard {
        Some(shard) => shard
            .indices(keep.len())
            .into_iter()
            .map(|i| keep[i])
            .collect(),
        None => keep,
    };
    source.positions = keep.clone();
    source.configs = keep.iter().map(|&i| source.configs[i].clone()).collect();
    let kept: Vec<&str> = source.configs.iter().map(|c| c.name.as_str()).collect();
    // The file's baseline counts only while --only keeps it; --baseline must exist.
    source.baseline = source.baseline.filter(|b| kept.contains(&b.as_str()));
    if let Some(b) = &opts.baseline {
        if !in_run.contains(b) {
            return Err(SelectError::Baseline {
                name: b.clone(),
                hint: hint(b, in_run.iter().map(String::as_str)),
                names: in_run,
            });
        }
        source.baseline = Some(b.clone());
    }
    Ok(source)
}
