//! The project to build: package, binary, target triple, memory map.

mod cargo_config;
mod select;

pub use cargo_config::{build_target, CargoConfig};
pub use select::{select, select_package, BinKind, Project, ProjectError, Selection};
