//! Configurations to build: presets, project files, matrix expansion.

pub mod applied;
mod config;
mod file;
mod identity;
mod presets;
mod settings;
mod source;

pub use config::{BaseProfile, Config};
pub use file::{load_project_file, ConfigFile, FileError};
pub use identity::BuildInputs;
pub use presets::{preset, PRESETS};
pub use settings::{Debug, Lto, OptLevel, Panic, Settings, Strip, WasmOpt, KEYS};
pub use source::{select, MatrixSource, SelectError};
