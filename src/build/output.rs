//! Reading what cargo prints while it builds: the artifact and the build
//! scripts' link paths from its JSON messages (stdout), and status lines,
//! the first error and the linker's region overflows from stderr.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

use cargo_metadata::Message;
use serde::{Deserialize, Serialize};

use crate::project::BinKind;

/// A memory region the linker could not fit the program into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Overflow {
    pub region: String,
    /// The linker's last (cumulative) figure for the region.
    pub bytes: u64,
}

/// What the build told about linking: where the linker looked for scripts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkFacts {
    /// `cargo:rustc-link-search` paths of every build script that ran.
    pub search_paths: Vec<PathBuf>,
    /// Output files of the root package's build scripts (their
    /// `rustc-link-arg` lines name linker scripts).
    pub root_build_outputs: Vec<PathBuf>,
}

/// From stdout: the binary, link facts, how many units cargo reported.
#[derive(Debug, Default)]
pub struct StdoutFacts {
    pub artifact: Option<PathBuf>,
    pub link: LinkFacts,
    /// Compiler artifacts reported (fresh or built).
    pub units: usize,
}

/// From stderr: the first error line, whether anything was compiled, overflows.
#[derive(Debug, Default)]
pub struct StderrFacts {
    pub first_error: Option<String>,
    /// The linker's own first error (more telling than rustc's "linking failed").
    pub linker_error: Option<String>,
    pub compiled: usize,
    pub overflows: Vec<Overflow>,
}

/// Lines sent to the progress display.
pub enum Progress {
    /// A unit finished (`Compiling` seen or an artifact reported).
    Unit(String),
    Status(String),
}

/// The linker's overflow messages: lld's `section '.text' will not fit in
/// region 'FLASH': overflowed by 7488 bytes` and GNU ld's `region `FLASH'
/// overflowed by 7488 bytes`. The last figure per region is cumulative.
pub fn parse_overflow(line: &str, into: &mut Vec<Overflow>) {
    let found = if let Some(i) = line.find("will not fit in region '") {
        let rest = &line[i + "will not fit in region '".len()..];
        rest.split_once("': overflowed by ")
            .map(|(region, n)| (region.to_string(), n))
    } else if let Some(i) = line.find("region `") {
        let rest = &line[i + "region `".len()..];
        rest.split_once("' overflowed by ")
            .map(|(region, n)| (region.to_string(), n))
    } else {
        None
    };
    let Some((region, n)) = found else { return };
    let Some(bytes) = n
        .split_whitespace()
        .next()
        .and_then(|d| d.parse::<u64>().ok())
    else {
        return;
    };
    match into.iter_mut().find(|o| o.region == region) {
        Some(o) => o.bytes = bytes,
        None => into.push(Overflow { region, bytes }),
    }
}

/// `rust-lld: error: cannot find linker script memory.x` → that message.
fn linker_error(line: &str) -> Option<String> {
    let line = line.trim_start_matches("= note:").trim();
    let at = line
        .find("lld: error: ")
        .or_else(|| line.find("ld: error: "))?;
    let start = line[..at].rfind(' ').map_or(0, |i| i + 1);
    Some(line[start..].to_string())
}

/// What to do about a build error the linker reported, when we know.
pub fn hint_for(error: &str) -> Option<String> {
    let script = error.split("cannot find linker script ").nth(1)?.trim();
    Some(format!(
        "the link names `{script}` but neither the workspace root nor any -L directory has it: \
         a PAC provides memory.x with its `rt` feature (a HAL with its memory-x or ld feature); \
         or put it in the workspace root, or have a build script copy it to OUT_DIR and print \
         cargo:rustc-link-search"
    ))
}

/// Read cargo's stderr to the end: log every line, report status lines.
pub fn read_stderr(
    stderr: impl Read,
    log: Arc<Mutex<std::fs::File>>,
    tx: Sender<Progress>,
) -> StderrFacts {
    let mut facts = StderrFacts::default();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        let _ = writeln!(log.lock().unwrap_or_else(|e| e.into_inner()), "{line}");
        let t = line.trim_start();
        if facts.first_error.is_none() && t.starts_with("error") {
            facts.first_error = Some(t.to_string());
        }
        parse_overflow(t, &mut facts.overflows);
        if facts.linker_error.is_none() {
            facts.linker_error = linker_error(t);
        }
        if t.starts_with("Compiling") {
            facts.compiled += 1;
        }
        if t.starts_with("Compiling") || t.starts_with("Finished") {
            let _ = tx.send(Progress::Status(t.to_string()));
        }
    }
    facts
}

/// Read cargo's JSON messages to the end.
pub fn read_stdout(
    stdout: impl Read,
    log: Arc<Mutex<std::fs::File>>,
    tx: Sender<Progress>,
    binary: &str,
    kind: BinKind,
    package_id_prefix: &str,
) -> StdoutFacts {
    let mut facts = StdoutFacts::default();
    for msg in Message::parse_stream(BufReader::new(stdout)).map_while(Result::ok) {
        match msg {
            Message::CompilerArtifact(a) => {
                facts.units += 1;
                let _ = tx.send(Progress::Unit(a.target.name.clone()));
                let wanted = match kind {
                    BinKind::Lib => "cdylib",
                    other => other.word(),
                };
                let is_ours = a.target.name == binary
                    && a.target.kind.iter().any(|k| k.to_string() == wanted);
                if is_ours {
                    // A cdylib is no executable: its file is the `.wasm`
                    // (or shared library) among what was written.
                    let library = || {
                        a.filenames.iter().find(|f| {
                            matches!(f.extension(), Some("wasm" | "so" | "dylib" | "dll"))
                        })
                    };
                    match (a.executable, kind) {
                        (Some(exe), _) => facts.artifact = Some(exe.into_std_path_buf()),
                        (None, BinKind::Lib) => {
                            facts.artifact = library().map(|f| f.clone().into_std_path_buf())
                        }
                        _ => {}
                    }
                }
            }
            Message::BuildScriptExecuted(b) => {
                for p in &b.linked_paths {
                    // `native=/path`, `all=/path` or a bare path.
                    let s = p.as_str();
                    let path = s.split_once('=').map_or(s, |(_, p)| p);
                    facts.link.search_paths.push(PathBuf::from(path));
                }
                if b.package_id.repr.contains(package_id_prefix) {
                    if let Some(dir) = b.out_dir.as_std_path().parent() {
                        facts.link.root_build_outputs.push(dir.join("output"));
                    }
                }
            }
            Message::TextLine(line) => {
                let _ = writeln!(log.lock().unwrap_or_else(|e| e.into_inner()), "{line}");
            }
            _ => {}
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linker_errors_and_their_hints() {
        let e =
            linker_error("  = note: rust-lld: error: cannot find linker script memory.x").unwrap();
        assert_eq!(e, "rust-lld: error: cannot find linker script memory.x");
        assert!(hint_for(&e).unwrap().contains("`rt` feature"));
        assert_eq!(linker_error("error: linking with `rust-lld` failed"), None);
    }

    #[test]
    fn overflow_messages_keep_the_last_figure_per_region() {
        let mut o = Vec::new();
        for line in [
            "note: rust-lld: error: section '.text' will not fit in region 'FLASH': overflowed by 7488 bytes",
            "rust-lld: error: section '.rodata' will not fit in region 'FLASH': overflowed by 7520 bytes",
            "ld: region `RAM' overflowed by 12 bytes",
            "error: linking with `rust-lld` failed: exit status: 1",
        ] {
            parse_overflow(line, &mut o);
        }
        assert_eq!(
            o,
            [
                Overflow {
                    region: "FLASH".into(),
                    bytes: 7520
                },
                Overflow {
                    region: "RAM".into(),
                    bytes: 12
                }
            ]
        );
    }
}
