//! A configuration: a name and everything that changes the build.

use serde::{Deserialize, Serialize};

use super::settings::Settings;

/// Which of cargo's built-in profiles a configuration starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum BaseProfile {
    Dev,
    #[default]
    Release,
}

impl BaseProfile {
    pub fn as_str(self) -> &'static str {
        match self {
            BaseProfile::Dev => "dev",
            BaseProfile::Release => "release",
        }
    }
}

/// One build of the matrix: a name and everything that changes the build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Config {
    pub name: String,
    pub profile: BaseProfile,
    pub settings: Settings,
    /// Extra flags for rustc, appended to the project's own rustflags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rustflags: Vec<String>,
    /// Standard-library crates to build from source (`-Zbuild-std=...`).
    /// Empty means: only when the toolchain has no prebuilt `core` for the target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub build_std: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub build_std_features: Vec<String>,
    /// Arguments for the final link only (`-C link-arg=...` to the root
    /// crate): they change no compiled crate, so the build shares its
    /// family's dependencies (`--emit-relocs` for the reference graph).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub link_args: Vec<String>,
    /// WebAssembly: binaryen's `wasm-opt` at this level after the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wasm_opt: Option<super::settings::WasmOpt>,
}

impl Config {
    pub fn new(name: &str, profile: BaseProfile, settings: Settings) -> Self {
        Config {
            name: name.to_string(),
            profile,
            settings,
            rustflags: Vec::new(),
            build_std: Vec::new(),
            build_std_features: Vec::new(),
            link_args: Vec::new(),
            wasm_opt: None,
        }
    }

    /// What the configuration changes, in one line (`dev profile`, `opt-level=z lto=fat`).
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.profile == BaseProfile::Dev {
            parts.push("dev profile".to_string());
        }
        let s = self.settings.summary();
        if !s.is_empty() {
            parts.push(s);
        }
        if !self.rustflags.is_empty() {
            parts.push(format!("rustflags={}", self.rustflags.join(" ")));
        }
        if let Some(w) = self.wasm_opt {
            parts.push(format!("wasm-opt={w}"));
        }
        if !self.build_std.is_empty() {
            parts.push(format!("build-std={}", self.build_std.join(",")));
        }
        if !self.build_std_features.is_empty() {
            parts.push(format!(
                "build-std-features={}",
                self.build_std_features.join(",")
            ));
        }
        if parts.is_empty() {
            "(profile as is)".to_string()
        } else {
            parts.join(" ")
        }
    }
}
