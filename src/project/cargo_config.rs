//! The one reader of cargo's configuration: the `.cargo/config.toml` files
//! from the directory cargo runs in up to the root and in `$CARGO_HOME`,
//! their environment-variable forms, and `--config KEY=VALUE` arguments,
//! merged as cargo merges them. Rustflags routing, the runner, the compiler
//! wrapper, the build target and the result cache all ask this module.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--config `{arg}` is not KEY=VALUE (TOML) nor a readable TOML file: {detail}\n  hint: e.g. --config 'build.rustflags=[\"-Cdebuginfo=0\"]'")]
    BadArg { arg: String, detail: String },
}

/// Where a value came from: a file (relative paths are relative to the
/// directory holding its `.cargo/`), the environment, or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    Env(String),
    CommandLine,
}

impl Origin {
    /// The directory a relative path in this value is relative to.
    fn base_dir(&self, cwd: &Path) -> PathBuf {
        match self {
            Origin::File(p) => p
                .parent()
                .and_then(Path::parent)
                .unwrap_or(cwd)
                .to_path_buf(),
            _ => cwd.to_path_buf(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Origin::File(p) => p.display().to_string(),
            Origin::Env(v) => format!("${v}"),
            Origin::CommandLine => "--config".into(),
        }
    }
}

/// One layer of configuration, lowest precedence first in `CargoConfig`.
#[derive(Debug, Clone)]
struct Layer {
    origin: Origin,
    table: toml::Table,
}

/// Which of cargo's rustflags sources is in force for a target: cargo uses
/// only the first that is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustflagsSource {
    /// `CARGO_ENCODED_RUSTFLAGS` or `RUSTFLAGS`.
    Env,
    /// `target.<triple>.rustflags` and every matching `target.'cfg(..)'.rustflags`.
    Target,
    /// `build.rustflags`.
    Build,
    None,
}

/// The rustflags cargo passes to the target's crates, and their source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rustflags {
    pub source: RustflagsSource,
    pub flags: Vec<String>,
}

/// A command cargo runs a binary with (`cargo run`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runner {
    pub argv: Vec<String>,
    /// Where it came from, for messages.
    pub source: String,
}

/// The merged cargo configuration of one directory.
#[derive(Debug, Clone)]
pub struct CargoConfig {
    cwd: PathBuf,
    /// Lowest precedence first: `$CARGO_HOME`, then the root-most file down
    /// to the closest, then `--config` arguments.
    layers: Vec<Layer>,
    env: BTreeMap<String, String>,
}

/// Environment variables that change what cargo builds, beside the
/// `CARGO_*` forms of configuration keys.
const BUILD_ENV: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC_BOOTSTRAP",
    "CARGO_HOME",
    "CARGO_INCREMENTAL",
];

/// `CARGO_*` variables that are configuration keys changing the build.
fn is_build_env(name: &str) -> bool {
    BUILD_ENV.contains(&name)
        || (name.starts_with("CARGO_PROFILE_")
            || name.starts_with("CARGO_BUILD_")
            || name.starts_with("CARGO_TARGET_")
            || name.starts_with("CARGO_UNSTABLE_"))
            && !matches!(name, "CARGO_TARGET_DIR" | "CARGO_BUILD_JOBS")
}

/// `$CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> Option<PathBuf> {
    cargo_home_in(&std::env::vars().collect::<Vec<_>>())
}

fn cargo_home_in(env: &[(String, String)]) -> Option<PathBuf> {
    let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    if let Some(h) = var("CARGO_HOME") {
        return Some(PathBuf::from(h));
    }
    var("HOME").map(|h| PathBuf::from(h).join(".cargo"))
}

/// `CARGO_TARGET_<TRIPLE>_<KEY>`: the environment form of a target key.
pub fn target_env_key(target: &str, key: &str) -> String {
    format!(
        "CARGO_TARGET_{}_{}",
        target.to_uppercase().replace(['-', '.'], "_"),
        key.to_uppercase().replace('-', "_")
    )
}

/// A `.json` target spec is keyed by its file stem in `[target.*]`.
pub fn target_key(target: &str) -> String {
    if target.ends_with(".json") {
        Path::new(target)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        target.to_string()
    }
}

/// A string list as cargo reads it: a TOML array, or words of a string.
fn words(v: &toml::Value) -> Vec<String> {
    match v {
        toml::Value::String(s) => s.split_whitespace().map(String::from).collect(),
        toml::Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

fn lookup<'t>(table: &'t toml::Table, dotted: &[&str]) -> Option<&'t toml::Value> {
    let (first, rest) = dotted.split_first()?;
    let mut cur = table.get(*first)?;
    for p in rest {
        cur = cur.as_table()?.get(*p)?;
    }
    Some(cur)
}

/// Parse one `--config` argument: `KEY=VALUE` in TOML, or a TOML file.
fn parse_cli(arg: &str, cwd: &Path) -> Result<toml::Table, ConfigError> {
    let bad = |detail: String| ConfigError::BadArg {
        arg: arg.to_string(),
        detail,
    };
    if arg.contains('=') {
        return arg.parse::<toml::Table>().map_err(|e| bad(e.to_string()));
    }
    let path = cwd.join(arg);
    let text = std::fs::read_to_string(&path).map_err(|e| bad(e.to_string()))?;
    text.parse::<toml::Table>().map_err(|e| bad(e.to_string()))
}

impl CargoConfig {
    /// The configuration cargo sees when run in `cwd` with `--config` `cli`.
    pub fn discover(cwd: &Path, cli: &[String]) -> Result<CargoConfig, ConfigError> {
        Self::discover_with_env(cwd, cli, std::env::vars())
    }

    /// As `discover`, with the environment given.
    pub fn discover_with_env(
        cwd: &Path,
        cli: &[String],
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<CargoConfig, ConfigError> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let mut files: Vec<PathBuf> = Vec::new();
        for d in cwd.ancestors() {
            // Cargo prefers `config` when both exist.
            if let Some(p) = ["config", "config.toml"]
                .iter()
                .map(|n| d.join(".cargo").join(n))
                .find(|p| p.is_file())
            {
                files.push(p);
            }
        }
        if let Some(home) = cargo_home_in(&env) {
            if let Some(p) = ["config", "config.toml"]
                .iter()
                .map(|n| home.join(n))
                .find(|p| p.is_file())
            {
                if !files.contains(&p) {
                    files.push(p);
                }
            }
        }
        let mut layers: Vec<Layer> = files
            .into_iter()
            .rev()
            .filter_map(|path| {
                // A file cargo cannot read makes cargo fail with its own
                // message; here it simply contributes nothing.
                let table = std::fs::read_to_string(&path).ok()?.parse().ok()?;
                Some(Layer {
                    origin: Origin::File(path),
                    table,
                })
            })
            .collect();
        for arg in cli {
            layers.push(Layer {
                origin: Origin::CommandLine,
                table: parse_cli(arg, cwd)?,
            });
        }
        let env = env.into_iter().filter(|(k, _)| is_build_env(k)).collect();
        Ok(CargoConfig {
            cwd: cwd.to_path_buf(),
            layers,
            env,
        })
    }

    /// The configuration files read, closest first.
    pub fn files(&self) -> Vec<&Path> {
        self.layers
            .iter()
            .rev()
            .filter_map(|l| match &l.origin {
                Origin::File(p) => Some(p.as_path()),
                _ => None,
            })
            .collect()
    }

    fn env(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }

    /// `a.b.c`: the command line, then the environment, then the closest file.
    fn scalar(&self, dotted: &[&str], env: Option<&str>) -> Option<(toml::Value, Origin)> {
        let cli = self
            .layers
            .iter()
            .rev()
            .filter(|l| l.origin == Origin::CommandLine)
            .find_map(|l| lookup(&l.table, dotted).map(|v| (v.clone(), l.origin.clone())));
        if cli.is_some() {
            return cli;
        }
        if let Some(v) = env.and_then(|e| self.env(e).map(|v| (e, v))) {
            return Some((toml::Value::String(v.1.into()), Origin::Env(v.0.into())));
        }
        self.layers
            .iter()
            .rev()
            .find_map(|l| lookup(&l.table, dotted).map(|v| (v.clone(), l.origin.clone())))
    }

    /// A string list joined over every layer, lowest precedence first, with
    /// the environment form after the files (as cargo merges arrays).
    fn list(&self, dotted: &[&str], env: Option<&str>) -> Option<Vec<String>> {
        let mut out: Option<Vec<String>> = None;
        let files = self
            .layers
            .iter()
            .filter(|l| l.origin != Origin::CommandLine);
        let cli = self
            .layers
            .iter()
            .filter(|l| l.origin == Origin::CommandLine);
        for l in files {
            if let Some(v) = lookup(&l.table, dotted) {
                out.get_or_insert_with(Vec::new).extend(words(v));
            }
        }
        if let Some(v) = env.and_then(|e| self.env(e)) {
            out.get_or_insert_with(Vec::new)
                .extend(v.split_whitespace().map(String::from));
        }
        for l in cli {
            if let Some(v) = lookup(&l.table, dotted) {
                out.get_or_insert_with(Vec::new).extend(words(v));
            }
        }
        out
    }

    /// The target cargo builds for without `--target`: `build.target`
    /// (`CARGO_BUILD_TARGET`), or `None` for the host. A `.json` spec path is
    /// made absolute.
    pub fn build_target(&self) -> Option<String> {
        let (value, origin) = self.scalar(&["build", "target"], Some("CARGO_BUILD_TARGET"))?;
        let t = match value {
            toml::Value::String(s) => s,
            toml::Value::Array(a) => a.first()?.as_str()?.to_string(),
            _ => return None,
        };
        if t.is_empty() {
            return None;
        }
        if t.ends_with(".json") {
            return Some(origin.base_dir(&self.cwd).join(t).display().to_string());
        }
        Some(t)
    }

    /// The compiler wrapper: `RUSTC_WRAPPER`, else `build.rustc-wrapper`.
    pub fn rustc_wrapper(&self) -> Option<PathBuf> {
        if let Some(w) = self.env("RUSTC_WRAPPER") {
            return (!w.is_empty()).then(|| PathBuf::from(w));
        }
        let (value, origin) = self.scalar(
            &["build", "rustc-wrapper"],
            Some("CARGO_BUILD_RUSTC_WRAPPER"),
        )?;
        let w = value.as_str()?;
        if w.is_empty() {
            return None;
        }
        Some(if w.contains('/') && !w.starts_with('/') {
            origin.base_dir(&self.cwd).join(w)
        } else {
            PathBuf::from(w)
        })
    }

    /// Profile keys set outside Cargo.toml (`[profile.<name>]` in config
    /// files and `CARGO_PROFILE_<NAME>_<KEY>`), as `(key, TOML text)`.
    pub fn profile_keys(&self, profile: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for l in self
            .layers
            .iter()
            .filter(|l| l.origin != Origin::CommandLine)
        {
            if let Some(t) = lookup(&l.table, &["profile", profile]).and_then(|v| v.as_table()) {
                for (k, v) in t {
                    out.insert(k.clone(), v.to_string());
                }
            }
        }
        let prefix = format!(
            "CARGO_PROFILE_{}_",
            profile.to_uppercase().replace('-', "_")
        );
        for (k, v) in &self.env {
            if let Some(key) = k.strip_prefix(&prefix) {
                out.insert(key.to_lowercase().replace('_', "-"), v.clone());
            }
        }
        for l in self
            .layers
            .iter()
            .filter(|l| l.origin == Origin::CommandLine)
        {
            if let Some(t) = lookup(&l.table, &["profile", profile]).and_then(|v| v.as_table()) {
                for (k, v) in t {
                    out.insert(k.clone(), v.to_string());
                }
            }
        }
        out
    }

    /// `--config` arguments, as given, to pass on to cargo.
    pub fn has_cli_layers(&self) -> bool {
        self.layers.iter().any(|l| l.origin == Origin::CommandLine)
    }

    /// Hash of everything here that changes a build: every file's bytes,
    /// the build environment, the `--config` values.
    pub fn digest(&self, h: &mut Sha256) {
        for l in &self.layers {
            match &l.origin {
                Origin::File(p) => h.update(std::fs::read(p).unwrap_or_default()),
                _ => h.update(l.table.to_string().as_bytes()),
            }
            h.update([0xff]);
        }
        for (k, v) in &self.env {
            h.update(k.as_bytes());
            h.update([b'=']);
            h.update(v.as_bytes());
            h.update([0]);
        }
    }
    /// The same as `digest` without what only moves or wraps the build on
    /// this machine (compiler wrappers, `CARGO_HOME`, jobs, the target
    /// directory, network and registry settings): the configuration part of
    /// a size record's key, equal on two machines that build the same.
    pub fn digest_portable(&self, h: &mut Sha256) {
        for l in &self.layers {
            for key in ["build", "target", "profile", "unstable", "env"] {
                let Some(mut v) = l.table.get(key).cloned() else {
                    continue;
                };
                if let Some(t) = v.as_table_mut().filter(|_| key == "build") {
                    for local in ["rustc-wrapper", "jobs", "target-dir"] {
                        t.remove(local);
                    }
                }
                h.update(key.as_bytes());
                h.update(v.to_string().as_bytes());
            }
            h.update([0xff]);
        }
        for (k, v) in &self.env {
            if matches!(k.as_str(), "RUSTC_WRAPPER" | "CARGO_HOME") {
                continue;
            }
            h.update(k.as_bytes());
            h.update([b'=']);
            h.update(v.as_bytes());
            h.update([0]);
        }
    }
}

mod target;
#[cfg(test)]
mod tests;
