//! cargo-weigh: build a Cargo project under a matrix of profile settings and
//! measure every binary from the ELF itself.
//!
//! Stages, data flowing one way: `cli` → `matrix` → `project`/`toolchain` →
//! `build` → `measure` → `report` → `export`. `app` wires them together.

pub mod ablation;
pub mod app;
pub mod apply;
pub mod attribute;
pub mod budget;
pub mod build;
pub mod cli;
pub mod cost;
pub mod diff;
pub mod export;
pub mod matrix;
pub mod measure;
pub mod memory;
pub mod optimize;
pub mod output;
pub mod project;
pub mod report;
pub mod toolchain;
pub mod verify;
