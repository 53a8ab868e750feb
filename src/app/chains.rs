//! For `diff --git` and `bisect`: what pulled each new crate into the
//! build, from `cargo tree -i` on the newer side (as BloatBot does).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::compare::{first_chain, Chain, Diff};
use crate::options::ProjectOptions;
use crate::process::{run_captured, Limits};

/// Add the chain of every crate that appeared; crates cargo does not know
/// by that name (the standard library's) are left out.
pub fn add_chains(d: &mut Diff, manifest: &Path, project: &ProjectOptions, target: Option<&str>) {
    let new: Vec<String> = d.new_crates().into_iter().map(String::from).collect();
    for krate in new {
        if let Some(path) = crate_path(&krate, manifest, project, target) {
            d.chains.push(Chain { krate, path });
        }
    }
}

/// The first dependency path from the project to `krate`, project first
/// (`cargo tree -i`); `None` for a crate cargo does not know by that name.
pub fn crate_path(
    krate: &str,
    manifest: &Path,
    project: &ProjectOptions,
    target: Option<&str>,
) -> Option<Vec<String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // Attribution names crates as rustc does (underscores); packages are
    // often spelled with dashes.
    for spec in [krate.to_string(), krate.replace('_', "-")] {
        let mut cmd = Command::new(&cargo);
        cmd.args([
            "tree", "--quiet", "--prefix", "depth", "-e", "normal", "-i", &spec,
        ])
        .arg("--manifest-path")
        .arg(manifest);
        if let Some(t) = target {
            cmd.args(["--target", t]);
        }
        cmd.args(crate::project::feature_args(
            &project.features,
            project.all_features,
            project.no_default_features,
        ));
        let limits = Limits {
            stop: crate::stop_flag(),
            timeout: Some(Duration::from_secs(60)),
        };
        let out = run_captured(&mut cmd, limits).ok()?;
        let path = first_chain(&String::from_utf8_lossy(&out.stdout));
        if path.len() > 1 {
            return Some(path);
        }
    }
    None
}
