//! cargo-weigh: build a Cargo project under a matrix of profile settings and
//! measure every binary from the ELF itself.
//!
//! Data flows one way: `cli` → `options` → `matrix` → `project`/`toolchain`
//! → `build` (which calls `measure`) → `analysis` → `report` → `export`.
//! `app` holds one file per command and wires the stages together; see
//! docs/architecture.md. Linux, macOS and Windows: `process` keeps what
//! differs (process groups and `wait4`, or job objects).

pub mod ablation;
pub mod analysis;
pub mod app;
pub mod atomic;
pub mod attribute;
pub mod budget;
pub mod build;
pub mod cli;
pub mod compare;
pub mod cost;
pub mod edit;
pub mod export;
pub mod graph;
pub mod history;
pub mod matrix;
pub mod measure;
pub mod memory;
pub mod optimize;
pub mod options;
pub mod ota;
pub mod process;
pub mod project;
pub mod records;
pub mod report;
pub mod results;
pub mod runtime;
pub mod sink;
pub mod suggest;
pub mod toolchain;
pub mod units;
pub mod verify;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

/// Raised by SIGINT or SIGTERM. Installed first thing in `main`, so an
/// interruption at any point ends in an orderly way (children stopped,
/// temporary files removed, an incomplete report written).
pub fn stop_flag() -> &'static Arc<AtomicBool> {
    static STOP: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    STOP.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // Registration only fails for forbidden signals; these are not.
            let _ = signal_hook::flag::register(sig, Arc::clone(&flag));
        }
        flag
    })
}
