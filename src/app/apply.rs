//! `cargo weigh apply`: find the configuration, plan the edits, show them,
//! and write them unless `--dry-run`.

use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::apply::{plan_cargo_config, plan_manifest};
use crate::cli::ApplyArgs;
use crate::matrix;
use crate::project::{select_package, CargoConfig, Selection};
use crate::report::read_report;
use crate::toolchain;

pub fn apply(args: ApplyArgs) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let cargo = toolchain::any_cargo(args.cargo.as_deref())?;
    let selection = Selection {
        manifest_path: args.manifest_path.clone(),
        package: args.package.clone(),
        ..Selection::default()
    };
    let (manifest, workspace_root) = select_package(&cargo, &selection, &cwd)?;
    let package_dir = manifest.parent().unwrap_or(&workspace_root).to_path_buf();
    // Cargo reads profiles only from the workspace root's manifest.
    let root_manifest = workspace_root.join("Cargo.toml");

    let (config, target, reproduce_with_build_std) = match &args.report {
        Some(path) => {
            let report = read_report(path)?;
            let names: Vec<String> = report
                .configs
                .iter()
                .map(|c| c.config.name.clone())
                .collect();
            let c = report
                .configs
                .iter()
                .find(|c| c.config.name == args.config)
                .with_context(|| {
                    format!(
                        "no configuration `{}` in `{}`; choose one of: {}",
                        args.config,
                        path.display(),
                        names.join(", ")
                    )
                })?;
            // Building std from source only because the target has no
            // prebuilt core is the toolchain's business, printed below; std
            // features or immediate-abort need it in .cargo/config.toml.
            let needs_std = !c.config.build_std_features.is_empty()
                || c.config.settings.panic == Some(matrix::Panic::ImmediateAbort);
            let mut config = c.config.clone();
            config.build_std = if needs_std {
                c.std_built_from_source.clone()
            } else {
                Vec::new()
            };
            (
                config,
                report.target.clone(),
                c.std_built_from_source.clone(),
            )
        }
        None => {
            let configs = match &args.preset {
                Some(p) => matrix::preset(p).with_context(|| format!("unknown preset `{p}`"))?,
                None => match matrix::load_project_file(
                    args.matrix_file.as_deref(),
                    &package_dir,
                    &manifest,
                )? {
                    Some(f) if !f.configs.is_empty() => f.configs,
                    _ => matrix::preset("standard").expect("built in"),
                },
            };
            let names: Vec<String> = configs.iter().map(|c| c.name.clone()).collect();
            let Some(config) = configs.into_iter().find(|c| c.name == args.config) else {
                bail!(
                    "no configuration `{}`; choose one of: {}\n  hint: or take it from a saved report with --report FILE",
                    args.config,
                    names.join(", ")
                );
            };
            let build_std = config.build_std.clone();
            (config, None, build_std)
        }
    };
    let target = match args.target.clone().or(target) {
        Some(t) => t,
        None => match CargoConfig::discover(&package_dir, &[])?.build_target() {
            Some(t) => t,
            None => toolchain::host_triple(args.cargo.as_deref(), &package_dir)?,
        },
    };

    let mut edits = vec![plan_manifest(
        &root_manifest,
        &config,
        args.profile.as_deref(),
        args.force,
    )?];
    edits.extend(plan_cargo_config(&workspace_root, &config, &target)?);
    let changed: Vec<_> = edits.iter().filter(|e| e.changed()).collect();
    if changed.is_empty() {
        println!(
            "nothing to change: {} already has the settings of `{}`",
            root_manifest.display(),
            config.name
        );
        return Ok(ExitCode::SUCCESS);
    }
    for e in &changed {
        print!("{}", e.diff());
    }
    if args.dry_run {
        println!("--dry-run: nothing was written");
        return Ok(ExitCode::SUCCESS);
    }
    for e in &changed {
        e.write()?;
        eprintln!("wrote {}", e.path.display());
    }
    let profile_flag = match (args.profile.as_deref(), config.profile) {
        (Some(p), _) => format!("--profile {p}"),
        (None, matrix::BaseProfile::Release) => "--release".into(),
        (None, matrix::BaseProfile::Dev) => String::new(),
    };
    if reproduce_with_build_std.is_empty() {
        eprintln!("build it with: cargo build {profile_flag}");
    } else {
        eprintln!(
            "build it with: RUSTC_BOOTSTRAP=1 cargo build {profile_flag} -Zbuild-std={} (it was measured with core built from source)",
            reproduce_with_build_std.join(",")
        );
    }
    Ok(ExitCode::SUCCESS)
}
