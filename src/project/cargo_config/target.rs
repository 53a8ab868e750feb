//! What the configuration says for one target: its rustflags (the triple's
//! table and every matching `cfg()` table) and its runner.

use std::str::FromStr;

use cargo_platform::{Cfg, Platform};

use super::{
    target_env_key, target_key, words, CargoConfig, Layer, Origin, Runner, Rustflags,
    RustflagsSource,
};

impl CargoConfig {
    /// `target.'cfg(..)'` tables that match `target`, in file order.
    fn matching_cfg_tables<'a>(
        &'a self,
        layer: &'a Layer,
        target: &'a str,
        cfgs: &'a [Cfg],
    ) -> impl Iterator<Item = (&'a String, &'a toml::Value)> + 'a {
        layer
            .table
            .get("target")
            .and_then(|t| t.as_table())
            .into_iter()
            .flat_map(|t| t.iter())
            .filter(move |(k, _)| {
                k.starts_with("cfg(")
                    && Platform::from_str(k).is_ok_and(|p| p.matches(target, cfgs))
            })
    }

    /// The rustflags cargo uses for the target's crates: the first source
    /// set of `CARGO_ENCODED_RUSTFLAGS`, `RUSTFLAGS`, the target tables (the
    /// triple's and every matching `cfg()` one, joined), `build.rustflags`.
    pub fn rustflags(&self, target: &str, cfgs: &[Cfg]) -> Rustflags {
        if let Some(enc) = self.env("CARGO_ENCODED_RUSTFLAGS") {
            let flags = enc
                .split('\x1f')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            return Rustflags {
                source: RustflagsSource::Env,
                flags,
            };
        }
        if let Some(flags) = self.env("RUSTFLAGS") {
            return Rustflags {
                source: RustflagsSource::Env,
                flags: flags.split_whitespace().map(String::from).collect(),
            };
        }
        let key = target_key(target);
        let env = target_env_key(&key, "rustflags");
        let mut target_flags = self
            .list(&["target", &key, "rustflags"], Some(&env))
            .unwrap_or_default();
        let mut any_cfg = false;
        for layer in &self.layers {
            for (_, table) in self.matching_cfg_tables(layer, target, cfgs) {
                if let Some(f) = table.get("rustflags") {
                    any_cfg = true;
                    target_flags.extend(words(f));
                }
            }
        }
        if !target_flags.is_empty() || any_cfg {
            return Rustflags {
                source: RustflagsSource::Target,
                flags: target_flags,
            };
        }
        match self.list(&["build", "rustflags"], Some("CARGO_BUILD_RUSTFLAGS")) {
            Some(flags) => Rustflags {
                source: RustflagsSource::Build,
                flags,
            },
            None => Rustflags {
                source: RustflagsSource::None,
                flags: Vec::new(),
            },
        }
    }

    /// The linker cargo gives rustc: `CARGO_TARGET_<TRIPLE>_LINKER`, else
    /// `target.<triple>.linker` (`None`: the target's default).
    pub fn linker(&self, target: &str) -> Option<String> {
        let key = target_key(target);
        let env = target_env_key(&key, "linker");
        let (value, _) = self.scalar(&["target", &key, "linker"], Some(&env))?;
        value.as_str().map(String::from)
    }

    /// The runner `cargo run` uses: `CARGO_TARGET_<TRIPLE>_RUNNER`,
    /// `target.<triple>.runner`, else a matching `target.'cfg(..)'.runner`.
    pub fn runner(&self, target: &str, cfgs: &[Cfg]) -> Option<Runner> {
        let key = target_key(target);
        let env = target_env_key(&key, "runner");
        if let Some((value, origin)) = self.scalar(&["target", &key, "runner"], Some(&env)) {
            return Some(self.runner_from(&value, &origin, format!("target.{key}.runner")));
        }
        for layer in self.layers.iter().rev() {
            for (k, table) in self.matching_cfg_tables(layer, target, cfgs) {
                if let Some(v) = table.get("runner") {
                    return Some(self.runner_from(
                        v,
                        &layer.origin,
                        format!("target.'{k}'.runner"),
                    ));
                }
            }
        }
        None
    }

    fn runner_from(&self, value: &toml::Value, origin: &Origin, key: String) -> Runner {
        let mut argv = words(value);
        // A program path with a slash is relative to the config's directory.
        if let Some(first) = argv.first_mut() {
            if first.contains('/') && !first.starts_with('/') {
                *first = origin
                    .base_dir(&self.cwd)
                    .join(&*first)
                    .display()
                    .to_string();
            }
        }
        Runner {
            argv,
            source: format!("{key} in {}", origin.describe()),
        }
    }
}
