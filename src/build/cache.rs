//! The result cache: a configuration whose inputs have not changed since a
//! run measured it is not built or measured again; its row is reused, every
//! number identical.
//!
//! The key is the configuration's identity plus a digest of this run's
//! inputs: this tool's build, the toolchain (`rustc -vV`, `cargo -V`,
//! `rust-toolchain` files), the cargo configuration (files, `--config`,
//! the environment forms), and the content of every file of the package and
//! its workspace. What a build read beyond that is checked as cargo does:
//! the environment variables and files its dep-info and build scripts name
//! (`# env-dep:`, `rerun-if-env-changed`), stored with the row.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::project::CargoConfig;
use crate::results::ConfigResult;
use crate::toolchain::Toolchain;

pub struct ResultCache {
    dir: PathBuf,
    /// Hash of everything but the configuration; also in the report, so
    /// that `merge` can refuse shards built from different sources.
    pub inputs: String,
    /// The same inputs without this machine's own (cargo weigh's build,
    /// the toolchain's path): the part of a size record's key that is not
    /// the configuration.
    pub portable: String,
    /// Whether rows may be reused (`--no-cache` turns this off).
    pub enabled: bool,
    /// Trees whose content is in `inputs`: files there need no other check.
    roots: Vec<PathBuf>,
}

/// A stored row and what its build read outside the hashed inputs.
#[derive(Serialize, Deserialize)]
struct Entry {
    row: ConfigResult,
    /// Environment variables read, with their value then (`None`: unset).
    env: BTreeMap<String, Option<String>>,
    /// Files read outside the hashed trees, with length and modification time.
    files: Vec<(PathBuf, u64, i128)>,
}

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

/// This program's own build: a rebuilt cargo-weigh may measure differently.
fn tool_identity(h: &mut Sha256) {
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Some(meta) = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
    {
        h.update(meta.len().to_le_bytes());
        if let Ok(t) = meta.modified() {
            h.update(format!("{t:?}").as_bytes());
        }
    }
}

/// `rust-toolchain` files from `dir` up: rustup picks the toolchain by them.
fn toolchain_files(h: &mut Sha256, dir: &Path) {
    for d in dir.ancestors() {
        for name in ["rust-toolchain", "rust-toolchain.toml"] {
            if let Ok(bytes) = std::fs::read(d.join(name)) {
                h.update(name.as_bytes());
                h.update(bytes);
            }
        }
    }
}

fn stat(path: &Path) -> Option<(u64, i128)> {
    let m = std::fs::metadata(path).ok()?;
    let t = m.modified().ok()?;
    let nanos = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    Some((m.len(), nanos))
}

impl ResultCache {
    pub fn new(
        weigh_dir: &Path,
        roots: &[&Path],
        cargo_config: &CargoConfig,
        toolchain: &Toolchain,
    ) -> ResultCache {
        let mut h = Sha256::new();
        for part in [&toolchain.rustc_version, &toolchain.cargo_version] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        let mut portable_config = h.clone();
        cargo_config.digest(&mut h);
        cargo_config.digest_portable(&mut portable_config);
        let skip = vec![weigh_dir.to_path_buf()];
        let mut seen: Vec<&Path> = Vec::new();
        // The project's files, hashed once into both.
        let mut tree = Sha256::new();
        for root in roots {
            toolchain_files(&mut tree, root);
            if seen.iter().any(|s| root.starts_with(s)) {
                continue;
            }
            seen.push(root);
            hash_tree(&mut tree, root, root, &skip);
        }
        let tree = tree.finalize();
        h.update(tree);
        portable_config.update(tree);
        let hex = |d: &[u8]| -> String { d.iter().map(|b| format!("{b:02x}")).collect() };
        let portable = hex(&portable_config.finalize());
        // This machine's: a rebuilt cargo weigh or another rustc binary.
        tool_identity(&mut h);
        h.update(toolchain.rustc.display().to_string().as_bytes());
        let inputs = hex(&h.finalize());
        ResultCache {
            dir: weigh_dir.join("cache"),
            inputs,
            portable,
            enabled: true,
            roots: seen.into_iter().map(Path::to_path_buf).collect(),
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
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        entry.row.artifact.as_ref().filter(|a| a.is_file())?;
        let env_same = entry.env.iter().all(|(k, v)| std::env::var(k).ok() == *v);
        let files_same = entry
            .files
            .iter()
            .all(|(p, len, t)| stat(p) == Some((*len, *t)));
        (env_same && files_same).then_some(entry.row)
    }

    /// Store a successful row (atomically: a cache entry is whole or absent)
    /// with what its build read, from the dep-info and build-script output
    /// files under `profile_dir` (`<target>/<profile>`).
    pub fn put(&self, id: &str, row: &ConfigResult, profile_dir: &Path) {
        if !row.ok || std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let read = super::depinfo::reads_of_build(profile_dir);
        let files = read
            .files
            .into_iter()
            .filter(|p| !self.roots.iter().any(|r| p.starts_with(r)))
            .filter_map(|p| stat(&p).map(|(len, t)| (p, len, t)))
            .collect();
        let env = read
            .env
            .into_iter()
            .map(|k| {
                let v = std::env::var(&k).ok();
                (k, v)
            })
            .collect();
        let entry = Entry {
            row: row.clone(),
            env,
            files,
        };
        // A row that cannot be stored is built again next time.
        if let Ok(bytes) = serde_json::to_vec(&entry) {
            let _ = crate::atomic::write(&self.path(id), &bytes);
        }
    }
}
