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
