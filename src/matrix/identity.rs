//! The one identity of a build: what goes into it, hashed one way. Artifact
//! slots and the result cache key on a configuration's inputs as given,
//! sharing families on the inputs its dependencies see, the optimizer on
//! the inputs in effect: the same function each time.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use super::config::{BaseProfile, Config};
use super::settings::Settings;

/// Everything in a configuration that changes what cargo builds.
#[derive(Debug, Clone)]
pub struct BuildInputs<'a> {
    pub profile: BaseProfile,
    pub settings: Cow<'a, Settings>,
    pub rustflags: &'a [String],
    pub build_std: &'a [String],
    pub build_std_features: &'a [String],
    pub link_args: &'a [String],
    /// A step after the link: cargo builds the same.
    pub wasm_opt: Option<super::settings::WasmOpt>,
}

impl<'a> BuildInputs<'a> {
    /// The inputs as the configuration gives them (its name left out).
    pub fn of(config: &'a Config) -> BuildInputs<'a> {
        BuildInputs {
            profile: config.profile,
            settings: Cow::Borrowed(&config.settings),
            rustflags: &config.rustflags,
            build_std: &config.build_std,
            build_std_features: &config.build_std_features,
            link_args: &config.link_args,
            wasm_opt: config.wasm_opt,
        }
    }

    /// The same inputs without the final link's arguments and what runs
    /// after the link: what the dependencies see.
    pub fn without_link_args(mut self) -> BuildInputs<'a> {
        self.link_args = &[];
        self.wasm_opt = None;
        self
    }

    /// The same inputs with other settings (those in effect, or those the
    /// dependencies see).
    pub fn with_settings(mut self, settings: Settings) -> BuildInputs<'a> {
        self.settings = Cow::Owned(settings);
        self
    }

    /// The same inputs with the crates built from source in effect.
    pub fn with_build_std(mut self, build_std: &'a [String]) -> BuildInputs<'a> {
        self.build_std = build_std;
        self
    }

    /// A short stable hex id of these inputs within `context` (a workspace,
    /// a target): equal inputs, equal ids, whatever the configuration is called.
    pub fn id(&self, context: &str) -> String {
        self.digest(context)[..12].to_string()
    }

    /// The whole digest of these inputs within `context` (hex): the key of
    /// a size record.
    pub fn digest(&self, context: &str) -> String {
        let mut h = Sha256::new();
        h.update(context.as_bytes());
        h.update([0]);
        h.update(self.profile.as_str());
        for (k, v) in self.settings.toml_pairs() {
            h.update([0]);
            h.update(k);
            h.update(b"=");
            h.update(v);
        }
        for list in [self.rustflags, self.build_std, self.build_std_features] {
            h.update([1]);
            for item in list {
                h.update(item.as_bytes());
                h.update([0]);
            }
        }
        // Only when present: every id made before link arguments existed
        // stays what it was.
        if !self.link_args.is_empty() {
            h.update([2]);
            for item in self.link_args {
                h.update(item.as_bytes());
                h.update([0]);
            }
        }
        if let Some(w) = self.wasm_opt {
            h.update([3]);
            h.update(w.as_str());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{Lto, OptLevel};

    fn config(name: &str, opt: OptLevel) -> Config {
        let mut c = Config::new(name, BaseProfile::Release, Settings::default());
        c.settings.opt_level = Some(opt);
        c
    }

    #[test]
    fn names_do_not_matter_and_every_input_does() {
        let (a, b) = (config("a", OptLevel::Z), config("b", OptLevel::Z));
        assert_eq!(BuildInputs::of(&a).id("w"), BuildInputs::of(&b).id("w"));
        assert_ne!(BuildInputs::of(&a).id("w"), BuildInputs::of(&a).id("v"));
        let s = config("s", OptLevel::S);
        assert_ne!(BuildInputs::of(&a).id("w"), BuildInputs::of(&s).id("w"));
        let mut flags = a.clone();
        flags.rustflags = vec!["-Cforce-frame-pointers".into()];
        assert_ne!(BuildInputs::of(&a).id("w"), BuildInputs::of(&flags).id("w"));
        let std = vec!["core".to_string()];
        let built = BuildInputs::of(&a).with_build_std(&std);
        assert_ne!(BuildInputs::of(&a).id("w"), built.id("w"));
        let mut fat = a.settings.clone();
        fat.lto = Some(Lto::Fat);
        let other = BuildInputs::of(&a).with_settings(fat);
        assert_ne!(BuildInputs::of(&a).id("w"), other.id("w"));
    }
}
