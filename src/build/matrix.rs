//! Building a list of configurations: families that share their
//! dependencies, several families at a time under one jobserver, rows
//! reused from the result cache, progress as configurations finish.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::cache::ResultCache;
use super::command::{BuildEnv, Recipe};
use super::output::Progress as CargoLine;
use super::progress::{Mode, Progress};
use super::row::result_row;
use super::run::{build_one, Control};
use crate::matrix::{BuildInputs, Config};
use crate::results::{ConfigResult, Objective};

/// How the runner runs.
#[derive(Debug, Clone, Copy)]
pub struct RunnerOptions {
    /// Families built at the same time.
    pub lanes: usize,
    /// A build's time limit.
    pub timeout: Option<Duration>,
    pub progress: Mode,
}

/// Builds configurations, several at a time.
pub struct Runner<'a> {
    env: BuildEnv,
    stop: &'a AtomicBool,
    /// Everything but the configuration that decides a build (see `Config::id`).
    context: &'a str,
    cache: Option<&'a ResultCache>,
    options: RunnerOptions,
    /// The first configuration seen of each family (the others reuse its
    /// dependencies) and, once built, its build CPU time.
    bases: Mutex<HashMap<String, (Config, Option<f64>)>>,
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

impl<'a> Runner<'a> {
    pub fn new(
        env: &BuildEnv,
        stop: &'a AtomicBool,
        context: &'a str,
        cache: Option<&'a ResultCache>,
        options: RunnerOptions,
    ) -> Runner<'a> {
        let mut env = env.clone();
        let jobserver = (options.lanes > 1)
            .then(|| {
                let slots = env
                    .jobs
                    .map(|j| j as usize)
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
                jobserver::Client::new(slots.max(1)).ok()
            })
            .flatten();
        if jobserver.is_some() {
            // Cargo under a jobserver takes its slots from it (and warns about -j).
            env.jobs = None;
        }
        let lanes = if jobserver.is_some() {
            options.lanes
        } else {
            1
        };
        Runner {
            env,
            stop,
            context,
            cache,
            options: RunnerOptions { lanes, ..options },
            bases: Mutex::new(HashMap::new()),
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

    /// In a family shared across LTO modes the base must link without LTO
    /// (its dependencies' objects serve it, their bitcode the others).
    fn choose_bitcode_bases(&self, configs: &[Config]) {
        let mut bases = self.bases.lock().unwrap_or_else(|e| e.into_inner());
        for c in configs {
            let family = self.env.family(c);
            if self.env.bitcode_families.contains(&family)
                && self.env.lto_of(c) == crate::matrix::Lto::False
            {
                bases.entry(family).or_insert_with(|| (c.clone(), None));
            }
        }
    }

    fn progress(&self, total: usize) -> Progress {
        let objective = Objective::for_target(&self.env.target);
        Progress::new(self.options.progress, total, objective)
    }

    /// Every configuration, families on lanes; each family's builds run in
    /// order in one lane (they share a target directory).
    pub fn build_all(&self, configs: &[Config]) -> Built {
        let progress = self.progress(configs.len());
        let mut rows: Vec<Option<ConfigResult>> = vec![None; configs.len()];
        let mut families: Vec<(String, Vec<(usize, Recipe)>)> = Vec::new();
        self.choose_bitcode_bases(configs);
        for (i, config) in configs.iter().enumerate() {
            let recipe = self.recipe(config);
            if let Some(row) = self.cached(config) {
                progress.finished(&row);
                rows[i] = Some(row);
                continue;
            }
            match families.iter_mut().find(|(f, _)| *f == recipe.family) {
                Some((_, jobs)) => jobs.push((i, recipe)),
                None => families.push((recipe.family.clone(), vec![(i, recipe)])),
            }
        }
        // Each family's base first: the others rebuild only its root crate.
        for (_, jobs) in &mut families {
            jobs.sort_by_key(|(_, r)| r.base.is_some());
        }
        let lanes = self.options.lanes.min(families.len()).max(1);
        let queue = Mutex::new(families.into_iter());
        let rows = Mutex::new(rows);
        let interrupted = AtomicBool::new(false);
        std::thread::scope(|scope| {
            for _ in 0..lanes {
                scope.spawn(|| loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                    let Some((_, jobs)) = next else { return };
                    for (i, recipe) in jobs {
                        if interrupted.load(Ordering::SeqCst) {
                            return;
                        }
                        let Some(row) = self.build_uncached(&configs[i], &recipe, &progress) else {
                            interrupted.store(true, Ordering::SeqCst);
                            return;
                        };
                        progress.finished(&row);
                        rows.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(row);
                    }
                });
            }
        });
        progress.finish();
        Built {
            rows: rows.into_inner().unwrap_or_else(|e| e.into_inner()),
            complete: !interrupted.load(Ordering::SeqCst),
            lanes,
        }
    }

    /// Build and measure one configuration; `None` when interrupted.
    pub fn build(&self, config: &Config) -> Option<ConfigResult> {
        let mut built = self.build_all(std::slice::from_ref(config));
        built.rows.pop().flatten()
    }

    fn cached(&self, config: &Config) -> Option<ConfigResult> {
        let mut row = self.cache?.get(&BuildInputs::of(config).id(self.context))?;
        if row.shares_build_of.is_some() && !self.env.share {
            return None;
        }
        row.config.name = config.name.clone();
        row.reused = true;
        self.note_base_time(config, &row);
        Some(row)
    }

    /// Keep a family base's build time: a shared build's own time counts it.
    fn note_base_time(&self, config: &Config, row: &ConfigResult) {
        let mut bases = self.bases.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((base, time)) = bases.get_mut(&self.env.family(config)) {
            if base == config {
                *time = row.build_cpu_seconds;
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
        progress: &Progress,
    ) -> Option<ConfigResult> {
        let id = BuildInputs::of(config).id(self.context);
        // This build's own slot; cargo takes the rest from the shared pool.
        let _slot = match &self.jobserver {
            Some(client) => Some(self.acquire(client)?),
            None => None,
        };
        progress.started(&config.name);
        let control = Control {
            stop: self.stop,
            timeout: self.options.timeout,
            jobserver: self.jobserver.as_ref(),
        };
        let mut on_line = |line: &CargoLine| {
            if let CargoLine::Unit(_) = line {
                progress.unit(&config.name);
            }
        };
        let outcome = build_one(&self.env, config, recipe, &id, &control, &mut on_line).ok()?;
        let provisional = outcome.provisional;
        let mut row = result_row(&self.env, config, id.clone(), outcome);
        if let Some(base) = &recipe.base {
            // What a build of its own costs: the base's (same dependencies)
            // and this root crate; this run spent only the latter.
            row.shares_build_of = Some(base.name.clone());
            row.root_build_cpu_seconds = row.build_cpu_seconds;
            if let (Some(own), Some(deps)) = (row.build_cpu_seconds, self.base_time(recipe)) {
                row.build_cpu_seconds = Some(((own + deps) * 1000.0).round() / 1000.0);
            }
        } else {
            self.note_base_time(config, &row);
        }
        if let Some(c) = self.cache.filter(|_| !provisional) {
            let deps = self.env.deps_dir(config);
            c.put(&id, &row, deps.parent().unwrap_or(&deps));
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
