//! Finding a cargo/rustc pair that can build the target.
//!
//! Order: `--cargo`, `$CARGO` (set by cargo for subcommands), `cargo` on
//! PATH, then `/usr/bin/cargo` (Debian's packaged toolchain). The first whose
//! rustc has a prebuilt `core` for the target wins; failing that, the first
//! with library sources (`rust-src`) builds `core` with `-Zbuild-std`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    #[error("no working cargo found (tried: {})\n  hint: install Rust (https://rustup.rs), or pass --cargo PATH", .tried.join(", "))]
    NoCargo { tried: Vec<String> },
    #[error("unknown target `{target}`{suggestion}: no rustc found knows it (tried: {})\n  hint: check the spelling; `rustc --print target-list` lists the targets", .tried.join(", "))]
    UnknownTarget {
        target: String,
        /// `; did you mean ...?`, or empty.
        suggestion: String,
        tried: Vec<String>,
    },
    #[error("target `{target}` is not installed for any toolchain found, and none has the library sources to build it (tried: {})\n  hint: run `rustup target add {target}`, or `rustup component add rust-src` to build core with -Zbuild-std; on Debian without rustup: `apt-get install rustc-web cargo-web rust-web-src lld-22`", .tried.join(", "))]
    TargetMissing { target: String, tried: Vec<String> },
    #[error("build-std was requested but {rustc} has no library sources (rust-src)\n  hint: `rustup component add rust-src` (or on Debian `apt-get install rust-web-src`)")]
    NoRustSrc { rustc: String },
}

/// The toolchain chosen for a run, recorded in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Toolchain {
    pub cargo: PathBuf,
    pub rustc: PathBuf,
    /// Output of `rustc -vV`.
    pub rustc_version: String,
    /// Output of `cargo -V`.
    #[serde(default)]
    pub cargo_version: String,
    pub release: String,
    pub host: String,
    pub nightly: bool,
    pub sysroot: PathBuf,
    /// Whether the target has a prebuilt `core`; if not, `core` is built from source.
    pub prebuilt_core: bool,
    pub has_rust_src: bool,
    /// Why this toolchain was chosen over an earlier candidate, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Toolchain {
    /// Whether `-Zbuild-std` needs `RUSTC_BOOTSTRAP=1` here.
    pub fn needs_bootstrap(&self) -> bool {
        !self.nightly
    }

    /// The target's `cfg` values (`rustc --print cfg`), for `cfg(..)` tables.
    pub fn target_cfgs(&self, target: &str) -> Vec<cargo_platform::Cfg> {
        let Some(out) = run(
            &self.rustc,
            &["--print", "cfg", "--target", target],
            Path::new("."),
        ) else {
            return Vec::new();
        };
        out.lines()
            .filter_map(|l| l.parse::<cargo_platform::Cfg>().ok())
            .collect()
    }

    /// Whether the target aborts on panic whatever the profile says
    /// (`panic = "unwind"` then builds exactly what `"abort"` builds).
    pub fn target_always_aborts(&self, cfgs: &[cargo_platform::Cfg]) -> bool {
        cfgs.iter().any(|c| {
            matches!(c, cargo_platform::Cfg::KeyPair(k, v) if k.as_str() == "panic" && v == "abort")
        })
    }
}

struct Probe {
    cargo: PathBuf,
    cargo_version: String,
    rustc: PathBuf,
    verbose: String,
    sysroot: PathBuf,
    /// Where the probe ran: rustup picks the toolchain by `rust-toolchain.toml` there.
    dir: PathBuf,
}

impl Probe {
    fn field(&self, key: &str) -> String {
        self.verbose
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }

    fn target_list(&self) -> Vec<String> {
        run(&self.rustc, &["--print", "target-list"], &self.dir)
            .map(|list| list.lines().map(|l| l.trim().to_string()).collect())
            .unwrap_or_default()
    }

    fn knows_target(&self, target: &str) -> bool {
        target.ends_with(".json") || self.target_list().iter().any(|t| t == target)
    }

    fn prebuilt_core(&self, target: &str) -> bool {
        let Some(dir) = run(
            &self.rustc,
            &["--print", "target-libdir", "--target", target],
            &self.dir,
        ) else {
            return false;
        };
        let Ok(entries) = std::fs::read_dir(dir.trim()) else {
            return false;
        };
        entries.flatten().any(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.starts_with("libcore-") && n.ends_with(".rlib")
        })
    }

    fn rust_src(&self) -> bool {
        self.sysroot
            .join("lib/rustlib/src/rust/library/core/Cargo.toml")
            .is_file()
    }
}

/// A toolchain query's answer, asked once per process: `history` opens a
/// session per commit, and the toolchain changes only with the
/// `rust-toolchain` files rustup reads (part of the key).
fn run(program: &Path, args: &[&str], dir: &Path) -> Option<String> {
    type Answers =
        std::collections::HashMap<(PathBuf, Vec<String>, PathBuf, Vec<u8>), Option<String>>;
    static ANSWERS: std::sync::OnceLock<std::sync::Mutex<Answers>> = std::sync::OnceLock::new();
    let mut files = Vec::new();
    for d in dir.ancestors() {
        for name in ["rust-toolchain", "rust-toolchain.toml"] {
            files.extend(std::fs::read(d.join(name)).unwrap_or_default());
            files.push(0);
        }
    }
    let key = (
        program.to_path_buf(),
        args.iter().map(|a| a.to_string()).collect(),
        dir.to_path_buf(),
        files,
    );
    let answers = ANSWERS.get_or_init(Default::default);
    if let Some(a) = answers.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return a.clone();
    }
    let answer = ask(program, args, dir);
    answers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, answer.clone());
    answer
}

fn ask(program: &Path, args: &[&str], dir: &Path) -> Option<String> {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(dir).env_remove("RUSTC_WRAPPER");
    let out = crate::process::output(&mut cmd, std::time::Duration::from_secs(120)).ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The rustc that a cargo binary uses: `$RUSTC` when set (cargo honours
/// it), else the one beside it (rustup toolchains, distro packages and
/// proxies all ship them together).
fn rustc_for(cargo: &Path) -> PathBuf {
    if let Some(r) = std::env::var_os("RUSTC").filter(|r| !r.is_empty()) {
        return PathBuf::from(r);
    }
    let beside = cargo.with_file_name("rustc");
    if beside.is_file() {
        beside
    } else {
        PathBuf::from("rustc")
    }
}

fn candidates(explicit: Option<&Path>) -> Vec<PathBuf> {
    let mut list = Vec::new();
    if let Some(p) = explicit {
        list.push(p.to_path_buf());
        return list;
    }
    if let Some(c) = std::env::var_os("CARGO") {
        list.push(PathBuf::from(c));
    }
    if let Ok(c) = which::which("cargo") {
        list.push(c);
    }
    list.push(PathBuf::from("/usr/bin/cargo"));
    let mut seen = Vec::new();
    list.retain(|p| {
        let fresh = !seen.contains(p);
        seen.push(p.clone());
        fresh
    });
    list
}

fn probe(cargo: &Path, dir: &Path) -> Option<Probe> {
    let cargo_version = run(cargo, &["--version"], dir)?.trim().to_string();
    let rustc = rustc_for(cargo);
    let verbose = run(&rustc, &["-vV"], dir)?;
    let sysroot = PathBuf::from(run(&rustc, &["--print", "sysroot"], dir)?.trim());
    // The toolchain's own rustc rather than a rustup proxy, which would pick
    // its toolchain again from wherever cargo runs it.
    let real = sysroot.join("bin/rustc");
    let rustc = if std::env::var_os("RUSTC").is_none() && real.is_file() {
        real
    } else {
        rustc
    };
    Some(Probe {
        cargo: cargo.to_path_buf(),
        cargo_version,
        rustc,
        verbose,
        sysroot,
        dir: dir.to_path_buf(),
    })
}

/// The host triple of the first working toolchain (as seen from `dir`),
/// the target cargo builds for when none is named.
/// The format a target's linker writes: Mach-O for Apple's systems, PE
/// for Windows and UEFI, WebAssembly for wasm, else ELF.
pub fn binary_format(target: &str) -> object::BinaryFormat {
    if target.contains("-apple-") {
        object::BinaryFormat::MachO
    } else if target.contains("-windows") || target.ends_with("-uefi") {
        object::BinaryFormat::Pe
    } else if target.starts_with("wasm") {
        object::BinaryFormat::Wasm
    } else {
        object::BinaryFormat::Elf
    }
}

/// A format as its users name it.
pub fn format_word(format: object::BinaryFormat) -> &'static str {
    match format {
        object::BinaryFormat::MachO => "Mach-O",
        object::BinaryFormat::Pe => "PE",
        object::BinaryFormat::Wasm => "WebAssembly",
        object::BinaryFormat::Coff => "COFF",
        _ => "ELF",
    }
}

pub fn host_triple(explicit: Option<&Path>, dir: &Path) -> Result<String, ToolchainError> {
    let cands = candidates(explicit);
    cands
        .iter()
        .find_map(|c| probe(c, dir))
        .map(|p| p.field("host:"))
        .ok_or_else(|| ToolchainError::NoCargo {
            tried: cands.iter().map(|c| c.display().to_string()).collect(),
        })
}

/// The cargo to use for `cargo metadata` (any working one will do).
pub fn any_cargo(explicit: Option<&Path>) -> Result<PathBuf, ToolchainError> {
    let cands = candidates(explicit);
    cands
        .iter()
        .find(|c| run(c, &["--version"], Path::new(".")).is_some())
        .cloned()
        .ok_or_else(|| ToolchainError::NoCargo {
            tried: cands.iter().map(|c| c.display().to_string()).collect(),
        })
}

/// Choose the toolchain for `target`, as cargo run in `dir` would see it
/// (rustup's `rust-toolchain.toml`). `want_build_std` forces a toolchain
/// with library sources.
pub fn discover(
    explicit: Option<&Path>,
    target: &str,
    want_build_std: bool,
    dir: &Path,
) -> Result<Toolchain, ToolchainError> {
    let cands = candidates(explicit);
    let tried = |probes: &[Probe]| -> Vec<String> {
        if probes.is_empty() {
            cands.iter().map(|c| c.display().to_string()).collect()
        } else {
            probes
                .iter()
                .map(|p| format!("{} ({})", p.cargo.display(), p.field("release:")))
                .collect()
        }
    };
    let probes: Vec<Probe> = cands.iter().filter_map(|c| probe(c, dir)).collect();
    if probes.is_empty() {
        return Err(ToolchainError::NoCargo {
            tried: tried(&probes),
        });
    }
    let knowing: Vec<&Probe> = probes.iter().filter(|p| p.knows_target(target)).collect();
    if knowing.is_empty() {
        let known: Vec<String> = probes.iter().flat_map(Probe::target_list).collect();
        return Err(ToolchainError::UnknownTarget {
            target: target.to_string(),
            suggestion: crate::suggest::hint(target, known.iter().map(String::as_str)),
            tried: tried(&probes),
        });
    }
    let with_core = knowing.iter().find(|p| p.prebuilt_core(target));
    let with_src = knowing.iter().find(|p| p.rust_src());
    let (chosen, prebuilt) = match (want_build_std, with_core, with_src) {
        (false, Some(p), _) => (*p, true),
        (_, _, Some(p)) => (*p, p.prebuilt_core(target)),
        (true, Some(p), None) => {
            return Err(ToolchainError::NoRustSrc {
                rustc: p.rustc.display().to_string(),
            })
        }
        (_, None, None) => {
            return Err(ToolchainError::TargetMissing {
                target: target.to_string(),
                tried: tried(&probes),
            })
        }
    };
    let note = (!std::ptr::eq(chosen, &probes[0])).then(|| {
        format!(
            "{} is used because {} has no prebuilt core for {target}{}",
            chosen.cargo.display(),
            probes[0].cargo.display(),
            if probes[0].rust_src() {
                ""
            } else {
                " and no rust-src"
            }
        )
    });
    Ok(Toolchain {
        cargo: chosen.cargo.clone(),
        rustc: chosen.rustc.clone(),
        rustc_version: chosen.verbose.clone(),
        cargo_version: chosen.cargo_version.clone(),
        release: chosen.field("release:"),
        host: chosen.field("host:"),
        nightly: chosen.field("release:").contains("nightly")
            || chosen.field("release:").contains("dev"),
        sysroot: chosen.sysroot.clone(),
        prebuilt_core: prebuilt,
        has_rust_src: chosen.rust_src(),
        note,
    })
}
