//! Building configurations: families of configurations that share their
//! dependencies, several at a time under one jobserver, one progress bar.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::session::Session;
use crate::build::{build_one, BuildEnv, Control, Recipe};
use crate::cli::RunArgs;
use crate::matrix::Config;
use crate::measure::measure_file;
use crate::memory::LinkInputs;
use crate::report::{ConfigResult, RegionOverflow};

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
    pub(super) fn new(session: &'a Session, args: &RunArgs) -> Builder<'a> {
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
            &mut |p| {
                if let crate::build::Progress::Status(line) = p {
                    pb.set_message(line.to_string())
                }
            },
        )
        .ok()?;
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
        if let Some(c) = self.cache {
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

pub(crate) fn result_row(
    env: &BuildEnv,
    config: &Config,
    id: String,
    outcome: crate::build::BuildOutcome,
) -> ConfigResult {
    let mut error = outcome.error.clone();
    let size = match (&outcome.artifact, outcome.ok) {
        (Some(path), true) => match measure_file(path) {
            Ok(m) => Some(m),
            Err(e) => {
                error = Some(e.to_string());
                None
            }
        },
        _ => None,
    };
    let link = LinkInputs::of_build(
        &env.project.workspace_root,
        &env.link_flags(config),
        &outcome.link.root_build_outputs,
        &outcome.link.search_paths,
        &env.project.binary,
        env.project.kind == crate::project::BinKind::Example,
    );
    let memory_map = match link.memory_map() {
        Ok(m) => m,
        Err(e) => {
            error.get_or_insert_with(|| e.to_string());
            None
        }
    };
    let overflow: Vec<RegionOverflow> = outcome
        .overflows
        .iter()
        .map(|o| RegionOverflow {
            region: o.region.clone(),
            over_bytes: o.bytes,
            length: None,
            needs_bytes: None,
        })
        .collect();
    if !overflow.is_empty() {
        let what: Vec<String> = overflow
            .iter()
            .map(|o| format!("{} over by {}", o.region, crate::units::exact(o.over_bytes)))
            .collect();
        error = Some(format!("does not fit: {}", what.join(", ")));
    }
    ConfigResult {
        name: config.name.clone(),
        matrix_index: None,
        id,
        changes: config.summary(),
        profile: config.profile,
        settings: config.settings.clone(),
        rustflags: config.rustflags.clone(),
        build_std: outcome.build_std,
        build_std_features: config.build_std_features.clone(),
        ok: size.is_some(),
        error,
        log: Some(outcome.log),
        artifact: outcome.artifact,
        size,
        memory_map,
        regions: Vec::new(),
        overflow,
        flash_pct: None,
        ram_pct: None,
        build_cpu_seconds: Some((outcome.cpu_seconds * 1000.0).round() / 1000.0),
        build_wall_seconds: Some((outcome.wall_seconds * 1000.0).round() / 1000.0),
        measured_at: Some(
            humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        ),
        fresh: outcome.fresh,
        reused: false,
        cost: None,
        attribution: None,
        debug_file: None,
        verify: None,
        delta: None,
        shares_build_of: None,
        root_build_cpu_seconds: None,
    }
}
