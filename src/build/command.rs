//! Composing the cargo command line for one configuration.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use crate::matrix::{BaseProfile, Config, Lto, Panic};
use crate::project::{target_key, BinKind, Project, Rustflags, RustflagsSource};
use crate::toolchain::Toolchain;

/// How extra rustflags are appended without replacing the project's own:
/// cargo uses only the first of RUSTFLAGS, the target tables and
/// `build.rustflags`, so the extra flags go to whichever the project uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustflagsRoute {
    /// `CARGO_ENCODED_RUSTFLAGS`, holding the user's environment flags first.
    Env(Vec<String>),
    /// `--config target.<triple>.rustflags=[...]`, merged after the project's.
    TargetTable,
    /// `--config build.rustflags=[...]`.
    BuildTable,
}

impl RustflagsRoute {
    pub fn for_flags(project: &Rustflags) -> Self {
        match project.source {
            RustflagsSource::Env => RustflagsRoute::Env(project.flags.clone()),
            RustflagsSource::Target => RustflagsRoute::TargetTable,
            RustflagsSource::Build | RustflagsSource::None => RustflagsRoute::BuildTable,
        }
    }
}

fn toml_string_array(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| toml::Value::String(s.clone()).to_string())
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// Everything about a run that is the same for every configuration.
#[derive(Debug, Clone)]
pub struct BuildEnv {
    pub toolchain: Toolchain,
    pub project: Project,
    /// The target triple built for (the host's when none is named).
    pub target: String,
    /// Whether the user or their configuration named the target: only then
    /// is `--target` passed, so "profile as is" is the user's own build.
    pub explicit_target: bool,
    /// The project's own rustflags for the target, from the cargo configuration.
    pub project_rustflags: Vec<String>,
    /// `--config` arguments passed on to cargo.
    pub cargo_config_args: Vec<String>,
    /// Cargo's own flags passed through (`--offline`, `--frozen`, `--color`).
    pub cargo_flags: Vec<String>,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    /// `<target-dir>/weigh`: cargo's target dir, artifacts and logs live below.
    pub weigh_dir: PathBuf,
    pub rustflags: RustflagsRoute,
    /// Crates for `-Zbuild-std` when the target has no prebuilt core.
    pub default_build_std: Vec<String>,
    pub jobs: Option<u32>,
    pub locked: bool,
    /// Configurations of one family share their dependencies (`--no-share` turns it off).
    pub share: bool,
    /// The effective `lto` of the project's release and dev profiles.
    pub profile_lto: (Lto, Lto),
    /// Families (`share::lto_free_family`) whose configurations in this run
    /// link both with and without LTO: their dependencies carry bitcode.
    pub bitcode_families: std::collections::HashSet<String>,
    /// The sources' digest (the result cache's): each state of the sources
    /// keeps its own copy of a configuration's binary, so a row reused
    /// from the cache points at the binary it measured.
    pub sources: String,
}

/// How one configuration is built: with its own profile, or as its family's
/// base build with only the root crate rebuilt (see `share`).
#[derive(Debug, Clone)]
pub struct Recipe {
    /// Names the cargo target directory of the family.
    pub family: String,
    /// The configuration whose profile builds the dependencies, if not this one.
    pub base: Option<Config>,
    /// rustc arguments for the root crate only (`cargo rustc -- ...`).
    pub root_args: Vec<String>,
}

impl Recipe {
    /// A configuration built with its own profile.
    pub fn alone(env: &BuildEnv, config: &Config) -> Recipe {
        Recipe {
            family: env.family(config),
            base: None,
            // Final-link arguments go to the root crate alone.
            root_args: super::share::link_args(config),
        }
    }

    /// Built from `base`'s dependencies when the two are of one family and
    /// the difference can be said to the root crate alone.
    pub fn from_base(env: &BuildEnv, base: &Config, config: &Config) -> Recipe {
        let alone = Recipe::alone(env, config);
        // A library's cdylib is built as cargo builds it: with an rlib
        // beside it cargo links it without LTO whatever the profile says,
        // which arguments to the root crate would not reproduce.
        let library = env.project.kind == BinKind::Lib;
        if !env.share || library || alone.family != env.family(base) || base == config {
            return alone;
        }
        // No arguments: the same build in effect (`lto = true` and
        // `"fat"`): cargo finds the base's build fresh.
        match super::share::root_args(base, config, (env.lto_of(base), env.lto_of(config))) {
            Some(args) => Recipe {
                base: Some(base.clone()),
                root_args: args,
                ..alone
            },
            _ => alone,
        }
    }
}

impl BuildEnv {
    /// Cargo's target directory for one family of configurations.
    pub fn cargo_target_dir(&self, family: &str) -> PathBuf {
        self.weigh_dir.join("build").join(family)
    }

    /// A configuration's effective LTO: its own, else its profile's.
    pub fn lto_of(&self, config: &Config) -> Lto {
        config.settings.lto.unwrap_or(match config.profile {
            BaseProfile::Release => self.profile_lto.0,
            BaseProfile::Dev => self.profile_lto.1,
        })
    }

    /// The family sharing dependencies across LTO modes that `config`
    /// belongs to in this run, if any.
    fn bitcode_family(&self, config: &Config) -> Option<String> {
        if !self.share {
            return None;
        }
        let f = super::share::lto_free_family(
            &self.lto_written(config),
            &self.build_std_for(config),
            &self.project.workspace_root.to_string_lossy(),
        );
        self.bitcode_families.contains(&f).then_some(f)
    }

    /// Mark the families whose configurations link both with and without
    /// LTO (and where one without could be the base) for bitcode sharing.
    pub fn plan_bitcode_families(&mut self, configs: &[Config]) {
        self.bitcode_families.clear();
        if !self.share {
            return;
        }
        let mut kinds: std::collections::HashMap<String, (bool, bool)> = Default::default();
        for c in configs {
            let f = super::share::lto_free_family(
                &self.lto_written(c),
                &self.build_std_for(c),
                &self.project.workspace_root.to_string_lossy(),
            );
            let e = kinds.entry(f).or_default();
            let lto = self.lto_of(c);
            e.0 |= super::share::links_with_lto(lto);
            e.1 |= lto == Lto::False;
        }
        self.bitcode_families = kinds
            .into_iter()
            .filter(|(_, (with, base))| *with && *base)
            .map(|(f, _)| f)
            .collect();
    }

    /// Extra rustflags of `config`'s family (bitcode in its dependencies).
    pub fn family_rustflags(&self, config: &Config) -> Vec<String> {
        match self.bitcode_family(config) {
            Some(_) => vec![super::share::EMBED_BITCODE.to_string()],
            None => Vec::new(),
        }
    }

    /// `config` with its effective LTO written out when the profile sets
    /// one: `lto` left to a profile with fat LTO compiles dependencies as
    /// `lto = "fat"` does, so the two share a family.
    fn lto_written(&self, config: &Config) -> Config {
        let mut c = config.clone();
        if c.settings.lto.is_none() && self.lto_of(config) != Lto::False {
            c.settings.lto = Some(self.lto_of(config));
        }
        c
    }

    /// The family of a configuration (see `share`).
    pub fn family(&self, config: &Config) -> String {
        if let Some(f) = self.bitcode_family(config) {
            return f;
        }
        let written;
        let config = if self.share {
            written = self.lto_written(config);
            &written
        } else {
            config
        };
        super::share::family(
            config,
            self.share,
            &self.build_std_for(config),
            &self.project.workspace_root.to_string_lossy(),
        )
    }

    /// Where cargo keeps the compiled crates of a configuration's build.
    pub fn deps_dir(&self, config: &Config) -> PathBuf {
        let profile_dir = match config.profile {
            BaseProfile::Dev => "debug",
            BaseProfile::Release => "release",
        };
        let mut dir = self.cargo_target_dir(&self.family(config));
        if self.passes_target(config) {
            dir.push(&self.target);
        }
        dir.join(profile_dir).join("deps")
    }

    /// The rustflags the root crate's link sees: the project's and the
    /// configuration's own.
    pub fn link_flags(&self, config: &Config) -> Vec<String> {
        let mut flags = self.project_rustflags.clone();
        flags.extend(config.rustflags.iter().cloned());
        flags
    }

    /// `--target` is passed when the target was named, or when `core` is
    /// built from source (`-Zbuild-std` needs it).
    pub fn passes_target(&self, config: &Config) -> bool {
        self.explicit_target || !self.build_std_for(config).is_empty()
    }

    /// Crates to build from source for this configuration, if any.
    pub fn build_std_for(&self, config: &Config) -> Vec<String> {
        if !config.build_std.is_empty() {
            config.build_std.clone()
        } else if !self.toolchain.prebuilt_core {
            self.default_build_std.clone()
        } else {
            Vec::new()
        }
    }

    /// The full cargo command for one configuration.
    pub fn command(&self, config: &Config, recipe: &Recipe) -> Command {
        let mut cmd = Command::new(&self.toolchain.cargo);
        cmd.current_dir(&self.project.package_dir);
        cmd.args(self.args(config, recipe));
        // The cargo chosen may not be the one on PATH: pin its rustc.
        cmd.env("RUSTC", &self.toolchain.rustc);
        let build_std = self.build_std_for(config);
        let unstable = !build_std.is_empty()
            || config.settings.panic == Some(Panic::ImmediateAbort)
            || config.rustflags.iter().any(|f| f.starts_with("-Z"));
        if unstable && self.toolchain.needs_bootstrap() {
            cmd.env("RUSTC_BOOTSTRAP", "1");
        }
        if let RustflagsRoute::Env(base) = &self.rustflags {
            let mut all = base.clone();
            all.extend(config.rustflags.iter().cloned());
            all.extend(self.family_rustflags(config));
            cmd.env_remove("RUSTFLAGS");
            cmd.env("CARGO_ENCODED_RUSTFLAGS", all.join("\x1f"));
        }
        // Our own target dir wins over the user's CARGO_TARGET_DIR.
        cmd.env_remove("CARGO_TARGET_DIR");
        cmd
    }

    pub fn args(&self, config: &Config, recipe: &Recipe) -> Vec<OsString> {
        // A derived build compiles with its base's profile (same units).
        let config = recipe.base.as_ref().unwrap_or(config);
        let verb = if recipe.base.is_some() || !recipe.root_args.is_empty() {
            "rustc"
        } else {
            "build"
        };
        let mut a = vec![verb.to_string()];
        a.extend(self.selection_args(config, recipe));
        a.extend(self.settings_args(config));
        if verb == "rustc" {
            a.push("--".into());
            a.extend(recipe.root_args.iter().cloned());
        }
        a.into_iter().map(OsString::from).collect()
    }

    /// What to build and where: the package, binary, target, features and
    /// cargo's own flags, as the user gave them.
    fn selection_args(&self, config: &Config, recipe: &Recipe) -> Vec<String> {
        let mut a: Vec<String> = vec![
            "--message-format=json-render-diagnostics".into(),
            "--manifest-path".into(),
            self.project.manifest_path.display().to_string(),
            "-p".into(),
            self.project.package.clone(),
        ];
        a.push(format!("--{}", self.project.kind.word()));
        if self.project.kind != BinKind::Lib {
            a.push(self.project.binary.clone());
        }
        if self.passes_target(config) {
            a.extend(["--target".into(), self.target.clone()]);
        }
        for c in &self.cargo_config_args {
            a.extend(["--config".into(), c.clone()]);
        }
        a.push("--target-dir".into());
        a.push(self.cargo_target_dir(&recipe.family).display().to_string());
        a.extend(["--profile".into(), config.profile.as_str().into()]);
        if self.locked {
            a.push("--locked".into());
        }
        a.extend(self.cargo_flags.iter().cloned());
        if let Some(j) = self.jobs {
            a.push(format!("-j{j}"));
        }
        a.extend(crate::project::feature_args(
            &self.features,
            self.all_features,
            self.no_default_features,
        ));
        a
    }

    /// The configuration itself: profile keys, rustflags (routed where
    /// cargo reads them), std built from source.
    fn settings_args(&self, config: &Config) -> Vec<String> {
        let mut a: Vec<String> = Vec::new();
        let profile = match config.profile {
            BaseProfile::Dev => "dev",
            BaseProfile::Release => "release",
        };
        for (key, value) in config.settings.toml_pairs() {
            a.extend([
                "--config".into(),
                format!("profile.{profile}.{key}={value}"),
            ]);
        }
        let mut extra = config.rustflags.clone();
        extra.extend(self.family_rustflags(config));
        if !extra.is_empty() {
            let list = toml_string_array(&extra);
            match &self.rustflags {
                RustflagsRoute::Env(_) => {}
                RustflagsRoute::TargetTable => a.extend([
                    "--config".into(),
                    format!(
                        "target.{}.rustflags={list}",
                        toml::Value::String(target_key(&self.target))
                    ),
                ]),
                RustflagsRoute::BuildTable => {
                    a.extend(["--config".into(), format!("build.rustflags={list}")])
                }
            }
        }
        let build_std = self.build_std_for(config);
        if !build_std.is_empty() {
            a.push(format!("-Zbuild-std={}", build_std.join(",")));
            if !config.build_std_features.is_empty() {
                a.push(format!(
                    "-Zbuild-std-features={}",
                    config.build_std_features.join(",")
                ));
            }
        }
        if config.settings.panic == Some(Panic::ImmediateAbort) {
            a.push("-Zpanic-immediate-abort".into());
        }
        a
    }
}
