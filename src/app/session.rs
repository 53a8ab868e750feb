//! What every building command shares: the project located, the toolchain
//! chosen, the build environment, signals, the run lock and the progress bar.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{memory_from, result_row};
use crate::attribute::{attribute_map, Options, RlibIndex};
use crate::build::{build_one, lock_run, BuildEnv, Control, Recipe, RunLock, RustflagsRoute};
use crate::cli::RunArgs;
use crate::matrix::Config;
use crate::memory::MemoryMap;
use crate::project::{self, build_target, CargoConfig, Project, Selection};
use crate::report::{ConfigResult, ProjectInfo, Report};
use crate::toolchain;

/// The project and target a command works on.
pub struct Located {
    pub project: Project,
    pub cargo_configs: Vec<CargoConfig>,
    pub target: String,
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
    let cargo_configs = CargoConfig::discover(&project.package_dir);
    let target = match &args.target {
        Some(t) => t.clone(),
        None => match build_target(&cargo_configs) {
            Some(t) => t,
            None => toolchain::host_triple(args.cargo.as_deref())?,
        },
    };
    Ok(Located {
        project,
        cargo_configs,
        target,
        features,
        cwd,
    })
}

/// Everything needed to build configurations of one project.
pub struct Session {
    pub env: BuildEnv,
    pub cargo_configs: Vec<CargoConfig>,
    pub memory: Option<MemoryMap>,
    pub stop: Arc<AtomicBool>,
    context: String,
    lockfile: PathBuf,
    had_lockfile: bool,
    timeout: Option<Duration>,
    cache: Option<super::cache::ResultCache>,
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
            cargo_configs,
            target,
            features,
            cwd,
        } = located;
        let tc = toolchain::discover(args.cargo.as_deref(), &target, wants_std)?;
        let scripts = crate::memory::linker_scripts(&crate::build::configured_rustflags(
            &cargo_configs,
            &target,
        ));
        let map = MemoryMap::discover(&[&project.package_dir, &project.workspace_root], &scripts)?;
        let memory = memory_from(map, flash, ram);
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
            "{}|{}|{}|{}|{}|{:?}|{}|{}|{}",
            tc.rustc_version,
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
            rustflags: RustflagsRoute::detect(&cargo_configs, &target),
            weigh_dir: target_root.join("weigh"),
            project,
            target,
            features,
            all_features: args.all_features,
            no_default_features: args.no_default_features,
            default_build_std: args.build_std.clone(),
            jobs: args.jobs,
            locked: had_lockfile,
            share: !args.no_share,
        };
        let configs: Vec<PathBuf> = cargo_configs.iter().map(|c| c.path.clone()).collect();
        let mut cache = super::cache::ResultCache::new(
            &env.weigh_dir,
            &[&env.project.workspace_root, &env.project.package_dir],
            &configs,
            &env.toolchain.rustc_version,
        );
        cache.enabled = !args.no_cache;
        let cache = Some(cache);
        Ok(Session {
            cache,
            env,
            cargo_configs,
            memory,
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

    pub fn builder<'a>(&'a self, args: &RunArgs) -> Builder<'a> {
        Builder::new(self, args)
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
        report.memory = self.memory.clone();
        report.sources = self.cache.as_ref().map(|c| c.inputs.clone());
        report
    }
}

impl Session {
    /// Attribute every built binary (symbol table, line table when present;
    /// rlibs of this build for exact crate names), keeping the largest symbols.
    pub fn attribute_all(&self, report: &mut Report) {
        let sysroot_lib = self
            .env
            .toolchain
            .sysroot
            .join("lib/rustlib")
            .join(&self.env.target)
            .join("lib");
        let own = self.env.project.package.replace('-', "_");
        let mut indexes: std::collections::HashMap<PathBuf, Option<RlibIndex>> = Default::default();
        for c in report.configs.iter_mut() {
            // A stripped build is attributed from its unstripped twin (same code).
            let Some(path) = c.debug_file.clone().or(c.artifact.clone()).filter(|_| c.ok) else {
                continue;
            };
            let deps = self.env.deps_dir(&c.config());
            let index = indexes
                .entry(deps.clone())
                .or_insert_with(|| {
                    let i = RlibIndex::build(&[&deps, &sysroot_lib]);
                    (i.rlibs > 0).then_some(i)
                })
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

/// Symbols kept per configuration in a report (all crates are kept).
const KEEP_SYMBOLS: usize = 500;

fn progress_bar(len: usize, quiet: bool) -> ProgressBar {
    let pb = ProgressBar::new(len as u64);
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    pb.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:24} {pos}/{len} {prefix:.bold} {wide_msg} ETA {eta}",
        )
        .expect("valid template"),
    );
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// Builds configurations, several at a time, under one progress bar.
pub struct Builder<'a> {
    env: BuildEnv,
    stop: &'a AtomicBool,
    context: &'a str,
    timeout: Option<Duration>,
    quiet: bool,
    cache: Option<&'a super::cache::ResultCache>,
    /// The first configuration seen of each family (the others reuse its
    /// dependencies) and, once built, its build time.
    bases: Mutex<HashMap<String, (Config, Option<f64>)>>,
    lanes: usize,
    /// Shared by the builds running at once (only when more than one).
    jobserver: Option<jobserver::Client>,
}

/// The rows of `build_all`, in the order of its configurations.
pub struct Built {
    /// `None` for a configuration not built (the run was interrupted).
    pub rows: Vec<Option<ConfigResult>>,
    pub complete: bool,
    /// How many builds could run at the same time (families on lanes).
    pub lanes: usize,
}

impl<'a> Builder<'a> {
    fn new(session: &'a Session, args: &RunArgs) -> Builder<'a> {
        let lanes = args.parallel.max(1) as usize;
        let mut env = session.env.clone();
        let jobserver = if lanes > 1 {
            let slots = env
                .jobs
                .map(|j| j as usize)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let client = jobserver::Client::new(slots.max(1)).ok();
            if client.is_some() {
                // Cargo under a jobserver takes its slots from it (and warns about -j).
                env.jobs = None;
            }
            client
        } else {
            None
        };
        Builder {
            env,
            stop: &session.stop,
            context: &session.context,
            timeout: session.timeout,
            quiet: args.quiet,
            cache: session.cache.as_ref(),
            bases: Mutex::new(HashMap::new()),
            lanes: if jobserver.is_some() { lanes } else { 1 },
            jobserver,
        }
    }

    /// How `config` is built: from its family's first configuration's
    /// dependencies when it can be, else with its own profile.
    fn recipe(&self, config: &Config) -> Recipe {
        let family = self.env.family(config);
        let mut bases = self.bases.lock().unwrap_or_else(|e| e.into_inner());
        match bases.get(&family) {
            Some((base, _)) => Recipe::from_base(&self.env, base, config),
            None => {
                bases.insert(family, (config.clone(), None));
                Recipe::alone(&self.env, config)
            }
        }
    }

    /// Every configuration, families on `--parallel` lanes; each family's
    /// builds run in order in one lane (they share a target directory).
    pub fn build_all(&self, configs: &[Config]) -> Built {
        let pb = progress_bar(configs.len(), self.quiet);
        let mut rows: Vec<Option<ConfigResult>> = vec![None; configs.len()];
        let mut families: Vec<(String, Vec<(usize, Recipe)>)> = Vec::new();
        for (i, config) in configs.iter().enumerate() {
            let recipe = self.recipe(config);
            if let Some(row) = self.cached(config) {
                rows[i] = Some(row);
                pb.inc(1);
                continue;
            }
            match families.iter_mut().find(|(f, _)| *f == recipe.family) {
                Some((_, jobs)) => jobs.push((i, recipe)),
                None => families.push((recipe.family.clone(), vec![(i, recipe)])),
            }
        }
        let lanes = self.lanes.min(families.len()).max(1);
        let queue = Mutex::new(families.into_iter());
        let rows = Mutex::new(rows);
        let interrupted = AtomicBool::new(false);
        let building: Mutex<Vec<String>> = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..lanes {
                scope.spawn(|| loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                    let Some((_, jobs)) = next else { return };
                    for (i, recipe) in jobs {
                        if interrupted.load(Ordering::SeqCst) {
                            return;
                        }
                        // The bar names every build under way.
                        let name = configs[i].name.clone();
                        let show = |names: &[String]| pb.set_prefix(names.join(" + "));
                        let mut names = building.lock().unwrap_or_else(|e| e.into_inner());
                        names.push(name.clone());
                        show(&names);
                        drop(names);
                        let built = self.build_uncached(&configs[i], &recipe, &pb);
                        let mut names = building.lock().unwrap_or_else(|e| e.into_inner());
                        names.retain(|n| *n != name);
                        show(&names);
                        drop(names);
                        match built {
                            Some(row) => {
                                rows.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(row)
                            }
                            None => {
                                interrupted.store(true, Ordering::SeqCst);
                                return;
                            }
                        }
                        pb.inc(1);
                    }
                });
            }
        });
        pb.finish_and_clear();
        Built {
            rows: rows.into_inner().unwrap_or_else(|e| e.into_inner()),
            complete: !interrupted.load(Ordering::SeqCst),
            lanes,
        }
    }

    /// Build and measure one configuration; `None` when interrupted.
    pub fn build(&self, config: &Config) -> Option<ConfigResult> {
        let recipe = self.recipe(config);
        if let Some(row) = self.cached(config) {
            return Some(row);
        }
        let pb = progress_bar(1, self.quiet);
        pb.set_prefix(config.name.clone());
        let r = self.build_uncached(config, &recipe, &pb);
        pb.finish_and_clear();
        r
    }

    fn cached(&self, config: &Config) -> Option<ConfigResult> {
        let mut row = self.cache?.get(&config.id(self.context))?;
        if row.shares_build_of.is_some() && !self.env.share {
            return None;
        }
        row.name = config.name.clone();
        row.reused = true;
        self.note_base_time(config, &row);
        Some(row)
    }

    /// Keep a family base's build time: a shared build's own time counts it.
    fn note_base_time(&self, config: &Config, row: &ConfigResult) {
        let mut bases = self.bases.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((base, time)) = bases.get_mut(&self.env.family(config)) {
            if base == config {
                *time = row.build_seconds;
            }
        }
    }

    fn base_time(&self, recipe: &Recipe) -> Option<f64> {
        let bases = self.bases.lock().unwrap_or_else(|e| e.into_inner());
        bases.get(&recipe.family).and_then(|(_, t)| *t)
    }

    fn build_uncached(
        &self,
        config: &Config,
        recipe: &Recipe,
        pb: &ProgressBar,
    ) -> Option<ConfigResult> {
        let id = config.id(self.context);
        // This build's own slot; cargo takes the rest from the shared pool.
        let _slot = match &self.jobserver {
            Some(client) => Some(self.acquire(client)?),
            None => None,
        };
        let outcome = build_one(
            &self.env,
            config,
            recipe,
            &id,
            &Control {
                stop: self.stop,
                timeout: self.timeout,
                jobserver: self.jobserver.as_ref(),
            },
            &mut |line| pb.set_message(line.to_string()),
        )
        .ok()?;
        let mut row = result_row(config, id.clone(), outcome);
        if let Some(base) = &recipe.base {
            // What a build of its own costs: the base's (same dependencies)
            // and this root crate; this run spent only the latter.
            row.shares_build_of = Some(base.name.clone());
            row.root_build_seconds = row.build_seconds;
            if let (Some(own), Some(deps)) = (row.build_seconds, self.base_time(recipe)) {
                row.build_seconds = Some(((own + deps) * 1000.0).round() / 1000.0);
            }
        } else {
            self.note_base_time(config, &row);
        }
        if let Some(c) = self.cache {
            c.put(&id, &row);
        }
        Some(row)
    }

    /// A job slot, waiting while the other builds hold them all; `None` if
    /// interrupted meanwhile.
    fn acquire(&self, client: &jobserver::Client) -> Option<Option<jobserver::Acquired>> {
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return None;
            }
            match client.try_acquire() {
                Ok(Some(token)) => return Some(Some(token)),
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                // A jobserver that fails is no reason not to build.
                Err(_) => return Some(None),
            }
        }
    }
}
