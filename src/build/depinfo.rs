//! What a build read, from the files cargo and rustc leave behind: rustc's
//! dep-info (`deps/*.d`: source files and `# env-dep:` variables) and build
//! scripts' output (`build/*/output`: `rerun-if-env-changed`,
//! `rerun-if-changed`). The result cache checks these as cargo's own
//! fingerprints do.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct BuildReads {
    /// Files read (absolute), registry sources left out: cargo treats them as immutable.
    pub files: Vec<PathBuf>,
    /// Environment variables read that the user sets (not cargo's own `CARGO_*`).
    pub env: BTreeSet<String>,
}

/// Cargo sets these for every compilation; they follow from inputs
/// hashed elsewhere (the manifest, the configuration).
fn set_by_cargo(name: &str) -> bool {
    name.starts_with("CARGO_") || matches!(name, "OUT_DIR" | "CARGO")
}

/// Unescape a path of a Makefile-style dep-info line (`\ ` is a space).
fn unescape(s: &str) -> String {
    s.replace("\\ ", " ").replace("\\#", "#")
}

fn env_name(s: &str) -> &str {
    s.split_once('=').map_or(s, |(name, _)| name)
}

fn read_dep_info(text: &str, files: &mut BTreeSet<PathBuf>, env: &mut BTreeSet<String>) {
    for line in text.lines() {
        if let Some(var) = line.strip_prefix("# env-dep:") {
            let name = env_name(var);
            if !set_by_cargo(name) {
                env.insert(name.to_string());
            }
        } else if let Some(path) = line.strip_suffix(':') {
            // Each dependency also has a rule of its own: `path:`.
            if !path.starts_with('#') && !path.contains(": ") {
                files.insert(PathBuf::from(unescape(path)));
            }
        }
    }
}

fn read_build_output(text: &str, files: &mut BTreeSet<PathBuf>, env: &mut BTreeSet<String>) {
    for line in text.lines() {
        let Some(rest) = line
            .strip_prefix("cargo::")
            .or_else(|| line.strip_prefix("cargo:"))
        else {
            continue;
        };
        if let Some(var) = rest.strip_prefix("rerun-if-env-changed=") {
            if !set_by_cargo(var) {
                env.insert(var.to_string());
            }
        } else if let Some(path) = rest.strip_prefix("rerun-if-changed=") {
            // Relative paths are relative to a package root this file does not name.
            if Path::new(path).is_absolute() {
                files.insert(PathBuf::from(path));
            }
        }
    }
}

/// Everything read by the builds under `profile_dir` (`<target-dir>[/<triple>]/<profile>`).
pub fn reads_of_build(profile_dir: &Path) -> BuildReads {
    let mut files = BTreeSet::new();
    let mut env = BTreeSet::new();
    let read_dir = |d: PathBuf| {
        std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
    };
    for p in read_dir(profile_dir.join("deps")).filter(|p| p.extension().is_some_and(|e| e == "d"))
    {
        if let Ok(text) = std::fs::read_to_string(&p) {
            read_dep_info(&text, &mut files, &mut env);
        }
    }
    for dir in read_dir(profile_dir.join("build")) {
        if let Ok(text) = std::fs::read_to_string(dir.join("output")) {
            read_build_output(&text, &mut files, &mut env);
        }
    }
    let registry = crate::project::cargo_home().map(|h| h.join("registry"));
    let files = files
        .into_iter()
        .filter(|p| p.is_absolute() && !p.starts_with(profile_dir))
        .filter(|p| registry.as_ref().is_none_or(|r| !p.starts_with(r)))
        .collect();
    BuildReads { files, env }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_info_and_build_script_output() {
        let mut files = BTreeSet::new();
        let mut env = BTreeSet::new();
        read_dep_info(
            "/t/deps/tiny-1.d: /p/src/main.rs /p/my\\ dir/x.rs\n\n\
             /p/src/main.rs:\n/p/my\\ dir/x.rs:\n\n\
             # env-dep:CARGO_PKG_NAME=tiny\n# env-dep:DEFMT_LOG=info\n# env-dep:UNSET_ONE\n",
            &mut files,
            &mut env,
        );
        read_build_output(
            "cargo:rustc-link-search=/o\ncargo::rerun-if-env-changed=BOARD\n\
             cargo:rerun-if-changed=/abs/memory.x\ncargo:rerun-if-changed=build.rs\n",
            &mut files,
            &mut env,
        );
        let files: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(files, ["/abs/memory.x", "/p/my dir/x.rs", "/p/src/main.rs"]);
        let env: Vec<&str> = env.iter().map(String::as_str).collect();
        assert_eq!(env, ["BOARD", "DEFMT_LOG", "UNSET_ONE"]);
    }
}
