//! Building configurations, one `cargo build` each, in the tool's own
//! target directory, and measuring what they produce into result rows.
//!
//! Settings reach cargo as `--config profile.<p>.<key>=<value>` arguments;
//! the user's Cargo.toml is never edited. The artifact path comes from
//! cargo's JSON messages, and the file is copied out before the next
//! configuration's build can overwrite it.

mod cache;
mod command;
mod depinfo;
mod lock;
mod matrix;
mod output;
mod progress;
mod row;
mod run;
mod share;
mod wasm_bindgen;
mod wasm_opt;
mod wrapper;

pub use cache::ResultCache;
pub use command::{BuildEnv, Recipe, RustflagsRoute};
pub use depinfo::{reads_of_build, BuildReads};
pub use lock::{lock_run, RunLock};
pub use matrix::{Built, Runner, RunnerOptions};
pub use output::{LinkFacts, Overflow};
pub use progress::Mode as ProgressMode;
pub use run::{build_one, BuildOutcome, Control, Interrupted};
pub use wasm_opt::{enable_flags as wasm_opt_flags, installed as wasm_opt_installed};
pub use wrapper::{CompilerCacheUse, Sccache};
