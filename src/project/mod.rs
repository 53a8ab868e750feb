//! The project to build: package, binary, and the cargo configuration it is
//! built under.

mod cargo_config;
pub mod profile;
mod select;

pub use cargo_config::{
    cargo_home, target_env_key, target_key, CargoConfig, ConfigError, Runner, Rustflags,
    RustflagsSource,
};
pub use select::{select, select_package, BinKind, Project, ProjectError, Selection};

/// cargo's flags for a feature selection: the one place `build`, `cargo
/// tree` and every other cargo call spell it.
pub fn feature_args(features: &[String], all: bool, no_default: bool) -> Vec<String> {
    let mut a = Vec::new();
    if !features.is_empty() {
        a.extend(["--features".into(), features.join(",")]);
    }
    if all {
        a.push("--all-features".into());
    }
    if no_default {
        a.push("--no-default-features".into());
    }
    a
}
