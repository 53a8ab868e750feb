//! What every building command shares: the project located, the toolchain
//! chosen, the build environment, signals, the run lock and the progress bar.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::attribute::{attribute_map, Options, RlibIndex};
use crate::build::{lock_run, BuildEnv, RunLock, RustflagsRoute};
use crate::build::{ProgressMode, ResultCache, Runner, RunnerOptions};
use crate::cli::RunArgs;
use crate::project::{self, CargoConfig, Project, Selection};
use crate::report::{ProjectInfo, Report};
use crate::results::ConfigResult;
use crate::toolchain;

/// The project and target a command works on.
pub struct Located {
    pub project: Project,
    pub cargo_config: CargoConfig,
    pub target: String,
    /// Named by `--target` or the cargo configuration (else the host's).
    pub explicit_target: bool,
    pub features: Vec<String>,
    pub cwd: PathBuf,
}

pub fn locate(args: &RunArgs) -> anyhow::Result<Located> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let metadata_cargo = toolchain::any_cargo(args.cargo.as_deref())?;
    let features: Vec<String> = args
        .features
        .iter()
        .flat_map(|f| f.split([',', ' ']))
        .filter(|f| !f.is_empty())
        .map(String::from)
        .collect();
    let selection = Selection {
        manifest_path: args.manifest_path.clone(),
        package: args.package.clone(),
        bin: args.bin.clone(),
        example: args.example.clone(),
        features: features.clone(),
        all_features: args.all_features,
        no_default_features: args.no_default_features,
    };
    let project = project::select(&metadata_cargo, &selection, &cwd)?;
    // Cargo runs in the package's directory: its configuration is read there.
    let cargo_config = CargoConfig::discover(&project.package_dir, &args.cargo_config)?;
    let named = args.target.clone().or_else(|| cargo_config.build_target());
    let explicit_target = named.is_some();
    let target = match named {
        Some(t) => t,
        None => toolchain::host_triple(args.cargo.as_deref(), &project.package_dir)?,
    };
    Ok(Located {
        project,
        cargo_config,
        target,
        explicit_target,
        features,
        cwd,
    })
}

/// Everything needed to build configurations of one project.
pub struct Session {
    pub env: BuildEnv,
    pub cargo_config: CargoConfig,
    /// The target's `cfg` values, for `target.'cfg(..)'` tables.
    pub cfgs: Vec<cargo_platform::Cfg>,
    /// `--flash-size`/`--ram-size`: they win over the linker's memory map.
    pub sizes: (Option<u64>, Option<u64>),
    pub stop: Arc<AtomicBool>,
    pub(super) context: String,
    lockfile: PathBuf,
    had_lockfile: bool,
    pub(super) timeout: Option<Duration>,
    pub(super) cache: Option<ResultCache>,
}

impl Session {
    pub fn open(
        args: &RunArgs,
        located: Located,
        wants_std: bool,
        flash: Option<u64>,
        ram: Option<u64>,
    ) -> anyhow::Result<Session> {
        let Located {
            project,
            cargo_config,
            target,
            explicit_target,
            features,
            cwd,
        } = located;
        let tc = toolchain::discover(
            args.cargo.as_deref(),
            &target,
            wants_std,
            &project.package_dir,
        )?;
        let cfgs = tc.target_cfgs(&target);
        let project_rustflags = cargo_config.rustflags(&target, &cfgs);
        let target_root = match &args.target_dir {
            Some(d) if d.is_absolute() => d.clone(),
            Some(d) => cwd.join(d),
            None => project.target_directory.clone(),
        };
        let lockfile = project.workspace_root.join("Cargo.lock");
        let had_lockfile = lockfile.exists();
        if let Some(note) = &tc.note {
            if !args.quiet {
                eprintln!("note: {note}");
            }
        }
        let stop = Arc::clone(crate::stop_flag());
        // The manifest's path keeps two checkouts (diff --git) in separate
        // slots, the toolchain two toolchains' builds of one configuration.
        let context = format!(
            "{}|{}|{}|{}|{}|{}|{}|{:?}|{}|{}|{}",
            tc.rustc_version,
            tc.cargo_version,
            explicit_target,
            project.manifest_path.display(),
            target,
            project.package,
            project.binary,
            project.kind,
            features.join(","),
            args.all_features,
            args.no_default_features
        );
        let env = BuildEnv {
            toolchain: tc,
            rustflags: RustflagsRoute::for_flags(&project_rustflags),
            project_rustflags: project_rustflags.flags.clone(),
            cargo_config_args: args.cargo_config.clone(),
            weigh_dir: target_root.join("weigh"),
            project,
            target,
            explicit_target,
            features,
            all_features: args.all_features,
            no_default_features: args.no_default_features,
            default_build_std: args.build_std.clone(),
            jobs: args.jobs,
            locked: had_lockfile,
            share: !args.no_share,
        };
        let mut cache = ResultCache::new(
            &env.weigh_dir,
            &[&env.project.workspace_root, &env.project.package_dir],
            &cargo_config,
            &env.toolchain,
        );
        cache.enabled = !args.no_cache;
        let cache = Some(cache);
        Ok(Session {
            cache,
            env,
            cargo_config,
            cfgs,
            sizes: (flash, ram),
            stop,
            context,
            lockfile,
            had_lockfile,
            timeout: args.timeout.map(Duration::from_secs),
        })
    }

    /// One run per target directory at a time; `None` if interrupted while waiting.
    pub fn lock(&self, quiet: bool) -> anyhow::Result<Option<RunLock>> {
        lock_run(&self.env.weigh_dir, &self.stop, quiet)
            .with_context(|| format!("cannot lock {}", self.env.weigh_dir.display()))
    }

    pub fn builder<'a>(&'a self, args: &RunArgs) -> Runner<'a> {
        let options = RunnerOptions {
            lanes: args.parallel.max(1) as usize,
            timeout: self.timeout,
            progress: ProgressMode::detect(args.quiet),
        };
        Runner::new(
            &self.env,
            &self.stop,
            &self.context,
            self.cache.as_ref(),
            options,
        )
    }

    /// Cargo writes a Cargo.lock where there was none; the user did not ask for it.
    pub fn restore_lockfile(&self) {
        if !self.had_lockfile && self.lockfile.exists() {
            let _ = std::fs::remove_file(&self.lockfile);
        }
    }

    /// A report of these results with the session's project facts filled in.
    pub fn report(&self, results: Vec<ConfigResult>, complete: bool, origin: String) -> Report {
        let p = &self.env.project;
        let mut report = Report::new(results);
        report.complete = complete;
        report.project = Some(ProjectInfo {
            package: p.package.clone(),
            version: p.version.clone(),
            manifest_path: p.manifest_path.clone(),
            binary: p.binary.clone(),
            binary_kind: p.kind,
            features: self.env.features.clone(),
        });
        report.target = Some(self.env.target.clone());
        report.toolchain = Some(self.env.toolchain.clone());
        report.matrix = Some(origin);
        report.sources = self.cache.as_ref().map(|c| c.inputs.clone());
        report
    }
}

impl Session {
    /// Attribute every built binary (symbol table, line table when present;
    /// rlibs of this build for exact crate names), keeping the largest symbols.
    pub fn attribute_all(&self, report: &mut Report) {
        let own = self.env.project.package.replace('-', "_");
        let mut indexes: std::collections::HashMap<PathBuf, Option<RlibIndex>> = Default::default();
        for c in report.configs.iter_mut() {
            // A stripped build is attributed from its unstripped twin (same code).
            let Some(path) = c.debug_file.clone().or(c.artifact.clone()).filter(|_| c.ok) else {
                continue;
            };
            let config = c.config.clone();
            let index = indexes
                .entry(self.env.deps_dir(&config))
                .or_insert_with(|| self.rlib_index(&config))
                .clone();
            let opts = Options {
                own_crate: Some(own.clone()),
                rlibs: index,
                keep_symbols: Some(KEEP_SYMBOLS),
                ..Options::default()
            };
            let Ok(bytes) = crate::measure::map_file(&path) else {
                continue;
            };
            if let Ok(a) = attribute_map(&bytes, &opts) {
                c.attribution = Some(a);
            }
        }
    }
}

impl Session {
    /// The symbols of the rlibs a configuration's build linked: its family's
    /// compiled crates and the sysroot's; `None` when there are none.
    pub fn rlib_index(&self, config: &crate::matrix::Config) -> Option<RlibIndex> {
        let sysroot_lib = self
            .env
            .toolchain
            .sysroot
            .join("lib/rustlib")
            .join(&self.env.target)
            .join("lib");
        let index = RlibIndex::build(&[&self.env.deps_dir(config), &sysroot_lib]);
        (index.rlibs > 0).then_some(index)
    }
}

/// Symbols kept per configuration in a report (all crates are kept).
const KEEP_SYMBOLS: usize = 500;
