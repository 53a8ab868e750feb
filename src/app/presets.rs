//! `cargo weigh presets`: the built-in sets of configurations.

use std::process::ExitCode;

use crate::matrix;

pub fn presets() -> anyhow::Result<ExitCode> {
    for (name, about) in matrix::PRESETS {
        println!("{name}: {about}");
        for c in matrix::preset(name).unwrap_or_default() {
            println!("  {:<22} {}", c.name, c.summary());
        }
    }
    Ok(ExitCode::SUCCESS)
}
