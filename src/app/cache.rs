//! The result cache: a configuration whose inputs have not changed since a
//! run measured it is not built or measured again; its row is reused, every
//! number identical. Inputs: the configuration's build inputs, the
//! toolchain, the cargo config files and build environment, Cargo.lock, and
//! the content of every file of the package and its workspace.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::report::ConfigResult;

pub struct ResultCache {
    dir: PathBuf,
    /// Hash of everything but the configuration; also in the report, so
    /// that `merge` can refuse shards built from different sources.
    pub inputs: String,
    /// Whether rows may be reused (`--no-cache` turns this off).
    pub enabled: bool,
}

/// Environment variables that change what cargo builds.
const ENV: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTC_WRAPPER",
    "CARGO_BUILD_TARGET",
    "RUSTC_BOOTSTRAP",
];

fn hash_tree(h: &mut Sha256, root: &Path, dir: &Path, skip: &[PathBuf]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let name = e.file_name();
        if name == "target" || name == ".git" || skip.iter().any(|s| s == &p) {
            continue;
        }
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            hash_tree(h, root, &p, skip);
        } else if ft.is_file() {
            h.update(
                p.strip_prefix(root)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .as_bytes(),
            );
            h.update([0]);
            if let Ok(bytes) = std::fs::read(&p) {
                h.update((bytes.len() as u64).to_le_bytes());
                h.update(&bytes);
            }
        }
    }
}

impl ResultCache {
    pub fn new(
        weigh_dir: &Path,
        roots: &[&Path],
        cargo_configs: &[PathBuf],
        rustc_version: &str,
    ) -> ResultCache {
        let mut h = Sha256::new();
        h.update(rustc_version.as_bytes());
        for var in ENV {
            h.update(var.as_bytes());
            h.update(std::env::var(var).unwrap_or_default().as_bytes());
            h.update([0]);
        }
        for c in cargo_configs {
            h.update(c.to_string_lossy().as_bytes());
            h.update(std::fs::read(c).unwrap_or_default());
        }
        let skip = vec![weigh_dir.to_path_buf()];
        let mut seen: Vec<&Path> = Vec::new();
        for root in roots {
            if seen.iter().any(|s| root.starts_with(s)) {
                continue;
            }
            seen.push(root);
            hash_tree(&mut h, root, root, &skip);
        }
        let inputs = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        ResultCache {
            dir: weigh_dir.join("cache"),
            inputs,
            enabled: true,
        }
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}-{}.json", &self.inputs[..16]))
    }

    /// The stored row, if its inputs are unchanged and its artifact is still there.
    pub fn get(&self, id: &str) -> Option<ConfigResult> {
        if !self.enabled {
            return None;
        }
        let bytes = std::fs::read(self.path(id)).ok()?;
        let row: ConfigResult = serde_json::from_slice(&bytes).ok()?;
        row.artifact.as_ref().filter(|a| a.is_file())?;
        Some(row)
    }

    /// Store a successful row (atomically: a cache entry is whole or absent).
    pub fn put(&self, id: &str, row: &ConfigResult) {
        if !row.ok || std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let Ok(mut tmp) = tempfile::NamedTempFile::new_in(&self.dir) else {
            return;
        };
        let Ok(bytes) = serde_json::to_vec(row) else {
            return;
        };
        if std::io::Write::write_all(&mut tmp, &bytes).is_ok() {
            let _ = tmp.persist(self.path(id));
        }
    }
}
