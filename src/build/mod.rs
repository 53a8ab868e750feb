//! One `cargo build` per configuration, in the tool's own target directory.
//!
//! Settings reach cargo as `--config profile.<p>.<key>=<value>` arguments;
//! the user's Cargo.toml is never edited. The artifact path comes from
//! cargo's JSON messages, and the file is copied out before the next
//! configuration's build can overwrite it.

mod command;
mod depinfo;
mod lock;
mod output;
mod run;
mod share;
mod wrapper;

pub use command::{BuildEnv, Recipe, RustflagsRoute};
pub use depinfo::{reads_of_build, BuildReads};
pub use lock::{lock_run, RunLock};
pub use output::{LinkFacts, Overflow, Progress};
pub use run::{build_one, BuildOutcome, Control, Interrupted};
pub use wrapper::{CompilerCacheUse, Sccache};
