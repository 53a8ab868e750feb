//! `cargo weigh apply`: find the configuration, plan the edits, show them,
//! and write them unless `--dry-run`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::edit::{plan_cargo_config, plan_manifest, FileEdit};
use crate::matrix::{self, BaseProfile, Config, Panic};
use crate::options::{ApplyFrom, ApplyOptions};
use crate::options::{MatrixOptions, ProjectOptions};
use crate::project::{select_package, CargoConfig};
use crate::report::read_report;
use crate::toolchain;

/// What to write: the configuration, its target (for rustflags), and the
/// crates it was measured with built from source.
struct Chosen {
    config: Config,
    target: Option<String>,
    built_std: Vec<String>,
    /// The binary it was measured as (a report's row), when still there.
    artifact: Option<std::path::PathBuf>,
}

/// The configuration from a saved report: as measured.
fn from_report(path: &Path, name: &str) -> anyhow::Result<Chosen> {
    let report = read_report(path)?;
    let c = report
        .config_named(name, path)
        .map_err(anyhow::Error::msg)?;
    // Building std from source only because the target has no prebuilt
    // core is the toolchain's business, printed below; std features or
    // immediate-abort need it in .cargo/config.toml.
    let needs_std = !c.config.build_std_features.is_empty()
        || c.config.settings.panic == Some(Panic::ImmediateAbort);
    let mut config = c.config.clone();
    config.build_std = if needs_std {
        c.std_built_from_source.clone()
    } else {
        Vec::new()
    };
    Ok(Chosen {
        config,
        target: report.target.clone(),
        built_std: c.std_built_from_source.clone(),
        artifact: c.artifact.clone().filter(|p| p.is_file()),
    })
}

/// The configuration from the project's matrix or a preset.
fn from_matrix(
    name: &str,
    preset: Option<&String>,
    matrix_file: Option<&std::path::PathBuf>,
    package_dir: &Path,
    manifest: &Path,
) -> anyhow::Result<Chosen> {
    let opts = MatrixOptions {
        preset: preset.cloned(),
        matrix_file: matrix_file.cloned(),
        only: vec![name.to_string()],
        ..MatrixOptions::default()
    };
    let source = matrix::select(&opts, package_dir, manifest).map_err(|e| match e {
        matrix::SelectError::Only { name, hint, names, .. } => anyhow::anyhow!(
            "no configuration `{name}`{hint}; choose one of: {}\n  hint: or take it from a saved report with --report FILE",
            names.join(", ")
        ),
        other => other.into(),
    })?;
    let config = source
        .configs
        .into_iter()
        .next()
        .context("no configuration")?;
    Ok(Chosen {
        built_std: config.build_std.clone(),
        config,
        target: None,
        artifact: None,
    })
}

/// Show the edits and write them unless `--dry-run`; false when nothing changes.
fn write(edits: &[FileEdit], dry_run: bool) -> anyhow::Result<bool> {
    let changed: Vec<_> = edits.iter().filter(|e| e.changed()).collect();
    if changed.is_empty() {
        return Ok(false);
    }
    for e in &changed {
        print!("{}", e.diff());
    }
    if dry_run {
        println!("--dry-run: nothing was written");
        return Ok(true);
    }
    for e in &changed {
        e.write()?;
        eprintln!("wrote {}", e.path.display());
    }
    Ok(true)
}

/// Remember what was applied (for `check`); a failure only costs `check`
/// its default, so it is said, not fatal.
fn record(path: &Path, applied: &crate::matrix::applied::Applied) {
    let written = serde_json::to_vec_pretty(applied)
        .map_err(std::io::Error::other)
        .and_then(|json| crate::edit::write_atomically(path, &json));
    if let Err(e) = written {
        eprintln!(
            "note: cannot record what was applied in {}: {e}; `check` will gate `release` as it is",
            path.display()
        );
    }
}

pub fn apply(args: &ApplyOptions) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let cargo = toolchain::any_cargo(args.cargo.as_deref())?;
    let selection = ProjectOptions {
        manifest_path: args.manifest_path.clone(),
        package: args.package.clone(),
        ..ProjectOptions::default()
    };
    let (manifest, workspace_root, target_dir) = select_package(&cargo, &selection, &cwd)?;
    let package_dir = manifest.parent().unwrap_or(&workspace_root).to_path_buf();
    // Cargo reads profiles only from the workspace root's manifest.
    let root_manifest = workspace_root.join("Cargo.toml");
    let chosen = match &args.from {
        ApplyFrom::Report(path) => from_report(path, &args.config)?,
        ApplyFrom::Matrix {
            preset,
            matrix_file,
        } => from_matrix(
            &args.config,
            preset.as_ref(),
            matrix_file.as_ref(),
            &package_dir,
            &manifest,
        )?,
    };
    let target = match args.target.clone().or(chosen.target) {
        Some(t) => t,
        None => match CargoConfig::discover(&package_dir, &[])?.build_target() {
            Some(t) => t,
            None => toolchain::host_triple(args.cargo.as_deref(), &package_dir)?,
        },
    };
    let config = chosen.config;
    let mut edits = vec![plan_manifest(
        &root_manifest,
        &config,
        args.profile.as_deref(),
        args.force,
    )?];
    edits.extend(plan_cargo_config(&workspace_root, &config, &target)?);
    let wasm_note = wasm_opt_step(
        &config,
        &manifest,
        args.profile.as_deref(),
        chosen.artifact.as_deref(),
        &mut edits,
    )?;
    let changed = write(&edits, args.dry_run)?;
    if let Some(note) = &wasm_note {
        eprintln!("{note}");
    }
    if !args.dry_run {
        // Also when nothing changed: the project has it, it is what ships.
        record(
            &crate::matrix::applied::path(&target_dir.join("weigh")),
            &crate::matrix::applied::Applied {
                profile: args.profile.clone().unwrap_or_else(|| "release".into()),
                config: config.clone(),
            },
        );
    }
    if !changed {
        println!(
            "nothing to change: {} already has the settings of `{}`",
            root_manifest.display(),
            config.name
        );
        return Ok(ExitCode::SUCCESS);
    }
    if !args.dry_run {
        say_how_to_build(args.profile.as_deref(), &config, &chosen.built_std);
    }
    Ok(ExitCode::SUCCESS)
}

fn say_how_to_build(profile: Option<&str>, config: &Config, built_std: &[String]) {
    let profile_flag = match (profile, config.profile) {
        (Some(p), _) => format!("--profile {p}"),
        (None, BaseProfile::Release) => "--release".into(),
        (None, BaseProfile::Dev) => String::new(),
    };
    if built_std.is_empty() {
        eprintln!("build it with: cargo build {profile_flag}");
    } else {
        eprintln!(
            "build it with: RUSTC_BOOTSTRAP=1 cargo build {profile_flag} -Zbuild-std={} (it was measured with core built from source)",
            built_std.join(",")
        );
    }
}

/// `wasm-opt` is no cargo setting: for a wasm-pack project it goes into
/// the package's `[package.metadata.wasm-pack.profile.*]` (with the
/// features the measured module uses); otherwise the returned note says
/// what to run after cargo.
fn wasm_opt_step(
    config: &Config,
    manifest: &Path,
    profile: Option<&str>,
    artifact: Option<&Path>,
    edits: &mut Vec<crate::edit::FileEdit>,
) -> anyhow::Result<Option<String>> {
    let Some(switch) = config.wasm_opt.and_then(|w| w.switch()) else {
        return Ok(None);
    };
    let mut args = vec![switch];
    if let Some(bytes) = artifact.and_then(|a| std::fs::read(a).ok()) {
        args.extend(
            crate::build::wasm_opt_flags(&bytes)
                .iter()
                .map(|f| f.to_string()),
        );
    }
    let existing = edits.iter().position(|e| e.path == manifest);
    let text = match existing {
        Some(i) => edits[i].after.clone(),
        None => std::fs::read_to_string(manifest)
            .with_context(|| format!("cannot read {}", manifest.display()))?,
    };
    if !crate::edit::uses_wasm_pack(&text) {
        return Ok(Some(format!(
            "wasm-opt is not a cargo setting and this package does not use wasm-pack: after cargo builds the module, run `wasm-opt {} MODULE.wasm -o MODULE.wasm` (binaryen)",
            args.join(" ")
        )));
    }
    let wasm_pack_profile = match (profile, config.profile) {
        (Some(p), _) => p,
        (None, BaseProfile::Dev) => "dev",
        (None, BaseProfile::Release) => "release",
    };
    let edit = crate::edit::plan_wasm_pack(manifest, &text, wasm_pack_profile, &args)?;
    match existing {
        // One file edited twice: one edit from the original to the end.
        Some(i) => edits[i].after = edit.after,
        None => edits.push(edit),
    }
    Ok(Some(format!(
        "wasm-pack runs wasm-opt {} on `wasm-pack build` ({wasm_pack_profile} profile)",
        args.join(" ")
    )))
}
