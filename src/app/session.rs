//! What every building command shares: the project located, the cargo
//! configuration read, the toolchain chosen, the build environment, the
//! result cache, the stop flag and the run lock.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;

use crate::build::{
    lock_run, BuildEnv, ProgressMode, ResultCache, RunLock, Runner, RunnerOptions, RustflagsRoute,
};
use crate::matrix::{BaseProfile, Lto};
use crate::options::{CompileOptions, ProjectOptions};
use crate::project::{self, CargoConfig, Project};
use crate::report::{MatrixInfo, ProjectInfo, Report};
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

/// Cargo's target directory for this run: `--target-dir`, else cargo's.
pub fn target_root(located: &Located, compile: &CompileOptions) -> PathBuf {
    match &compile.target_dir {
        Some(d) if d.is_absolute() => d.clone(),
        Some(d) => located.cwd.join(d),
        None => located.project.target_directory.clone(),
    }
}

/// Find the package and binary (cargo metadata), read the cargo
/// configuration where cargo will run, and settle the target.
pub fn locate(opts: &ProjectOptions, compile: &CompileOptions) -> anyhow::Result<Located> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let metadata_cargo = toolchain::any_cargo(compile.cargo.as_deref())?;
    let project = project::select(&metadata_cargo, opts, &cwd)?;
    // Cargo runs in the package's directory: its configuration is read there.
    let cargo_config = CargoConfig::discover(&project.package_dir, &compile.cargo_config)?;
    let named = opts.target.clone().or_else(|| cargo_config.build_target());
    let explicit_target = named.is_some();
    let target = match named {
        Some(t) => t,
        None => toolchain::host_triple(compile.cargo.as_deref(), &project.package_dir)?,
    };
    Ok(Located {
        project,
        cargo_config,
        target,
        explicit_target,
        features: opts.features.clone(),
        cwd,
    })
}

/// Everything needed to build configurations of one project.
pub struct Session {
    pub env: BuildEnv,
    pub cargo_config: CargoConfig,
    /// The target's `cfg` values, for `target.'cfg(..)'` tables.
    pub cfgs: Vec<cargo_platform::Cfg>,
    pub stop: Arc<AtomicBool>,
    /// Everything but the configuration that decides what a build makes.
    pub context: String,
    /// The context of a size record's key: nothing of this machine.
    pub portable_context: String,
    pub cache: Option<ResultCache>,
    compile: CompileOptions,
    lockfile: PathBuf,
    had_lockfile: bool,
}

/// The identity of a run's builds beside their configuration; `manifest`
/// as this machine has it, or (for records) within the workspace.
fn context(
    l: &Located,
    tc: &toolchain::Toolchain,
    opts: &ProjectOptions,
    manifest: &std::path::Path,
) -> String {
    let p = &l.project;
    format!(
        "{}|{}|{}|{}|{}|{}|{}|{:?}|{}|{}|{}",
        tc.rustc_version,
        tc.cargo_version,
        l.explicit_target,
        manifest.display(),
        l.target,
        p.package,
        p.binary,
        p.kind,
        l.features.join(","),
        opts.all_features,
        opts.no_default_features
    )
}

fn context_within(
    l: &Located,
    tc: &toolchain::Toolchain,
    opts: &ProjectOptions,
    within: Result<&std::path::Path, std::path::StripPrefixError>,
) -> String {
    match within {
        Ok(m) => context(l, tc, opts, m),
        Err(_) => context(l, tc, opts, &l.project.manifest_path),
    }
}

impl Session {
    pub fn open(
        located: Located,
        opts: &ProjectOptions,
        compile: &CompileOptions,
        wants_std: bool,
    ) -> anyhow::Result<Session> {
        let package_dir = located.project.package_dir.clone();
        let tc = toolchain::discover(
            compile.cargo.as_deref(),
            &located.target,
            wants_std,
            &package_dir,
        )?;
        if let Some(note) = &tc.note {
            eprintln!("note: {note}");
        }
        let cfgs = tc.target_cfgs(&located.target);
        let project_rustflags = located.cargo_config.rustflags(&located.target, &cfgs);
        let target_root = target_root(&located, compile);
        let lockfile = located.project.workspace_root.join("Cargo.lock");
        let had_lockfile = lockfile.exists();
        let p = &located.project;
        let context = context(&located, &tc, opts, &p.manifest_path);
        let within = p.manifest_path.strip_prefix(&p.workspace_root);
        let portable_context = context_within(&located, &tc, opts, within);
        let Located {
            project,
            cargo_config,
            target,
            explicit_target,
            features,
            ..
        } = located;
        let profile_lto = profile_lto(&project.workspace_root, &cargo_config);
        let env = BuildEnv {
            toolchain: tc,
            rustflags: RustflagsRoute::for_flags(&project_rustflags),
            project_rustflags: project_rustflags.flags.clone(),
            cargo_config_args: compile.cargo_config.clone(),
            cargo_flags: cargo_flags(compile),
            weigh_dir: target_root.join("weigh"),
            project,
            target,
            explicit_target,
            features,
            all_features: opts.all_features,
            no_default_features: opts.no_default_features,
            default_build_std: compile.build_std.clone(),
            jobs: compile.jobs,
            locked: had_lockfile || compile.locked,
            share: compile.share,
            sources: String::new(),
            profile_lto,
            bitcode_families: Default::default(),
        };
        let mut env = env;
        let mut cache = ResultCache::new(
            &env.weigh_dir,
            &[&env.project.workspace_root, &env.project.package_dir],
            &cargo_config,
            &env.toolchain,
        );
        cache.enabled = compile.cache;
        env.sources = cache.inputs[..16].to_string();
        Ok(Session {
            cache: Some(cache),
            env,
            cargo_config,
            cfgs,
            stop: Arc::clone(crate::stop_flag()),
            context,
            portable_context,
            compile: compile.clone(),
            lockfile,
            had_lockfile,
        })
    }

    /// One run per target directory at a time; `None` if interrupted while
    /// waiting. Whether the project has a Cargo.lock of its own is decided
    /// once the lock is held: a run that finished meanwhile removed the one
    /// its cargo wrote.
    pub fn lock(&mut self, quiet: bool) -> anyhow::Result<Option<RunLock>> {
        let lock = lock_run(&self.env.weigh_dir, &self.stop, quiet)
            .with_context(|| format!("cannot lock {}", self.env.weigh_dir.display()))?;
        self.had_lockfile = self.lockfile.exists();
        self.env.locked = self.had_lockfile || self.compile.locked;
        Ok(lock)
    }

    /// The matrix runner for this session.
    pub fn runner(&self, quiet: bool) -> Runner<'_> {
        let options = RunnerOptions {
            lanes: self.compile.parallel,
            timeout: self.compile.timeout,
            progress: ProgressMode::detect(quiet),
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
    pub fn report(&self, results: Vec<ConfigResult>, complete: bool, matrix: MatrixInfo) -> Report {
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
        report.matrix = Some(matrix);
        report.sources = self.cache.as_ref().map(|c| c.inputs.clone());
        report
    }
}

/// Cargo's own flags passed through: `--offline`, `--frozen`, `--color`.
fn cargo_flags(compile: &CompileOptions) -> Vec<String> {
    let mut flags = Vec::new();
    if compile.offline {
        flags.push("--offline".into());
    }
    if compile.frozen {
        flags.push("--frozen".into());
    }
    let color = match compile.color {
        crate::options::Color::Auto => None,
        crate::options::Color::Always => Some("always"),
        crate::options::Color::Never => Some("never"),
    };
    if let Some(c) = color {
        flags.extend(["--color".into(), c.into()]);
    }
    flags
}

/// The effective `lto` of the project's release and dev profiles.
fn profile_lto(root: &std::path::Path, config: &CargoConfig) -> (Lto, Lto) {
    let of = |p| {
        project::profile::effective(root, config, p)
            .lto
            .unwrap_or(Lto::False)
    };
    (of(BaseProfile::Release), of(BaseProfile::Dev))
}
