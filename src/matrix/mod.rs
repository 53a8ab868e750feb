//! Configurations to build: presets, project files, matrix expansion.

mod config;
mod file;
mod presets;
mod settings;

pub use config::{BaseProfile, Config};
pub use file::{load_project_file, ConfigFile, FileError, MatrixSource};
pub use presets::{preset, PRESETS};
pub use settings::{Debug, Lto, OptLevel, Panic, Settings, Strip, KEYS};
