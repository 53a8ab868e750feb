//! The report: plain data, what a run built and measured (`results`) and
//! what the analysis derived from it. Exporters render it; saved as JSON it
//! is read back by `show`, `diff`, `merge`, `check --report`, `apply`.

mod data;
mod io;

pub use data::{MatrixInfo, ProjectInfo, Report, RunTiming, SCHEMA_VERSION};
pub use io::{read_report, ReadError};
