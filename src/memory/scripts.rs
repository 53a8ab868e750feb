//! Finding the linker scripts a build used, as the linker finds them:
//! `-T` arguments from the rustflags and from the package's build scripts
//! (`cargo:rustc-link-arg`), looked up in the directory the linker runs in
//! (cargo runs rustc in the workspace root) and then along every `-L`
//! directory (build scripts' `rustc-link-search`, as PACs and cortex-m-rt
//! use to provide `memory.x` and `link.x`); `INCLUDE` the same way.

use std::path::{Path, PathBuf};

use super::map::{MemoryMap, Region};
use super::parse::{parse_memory, MemoryError};

/// What one link was given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkInputs {
    /// Where the linker runs (the workspace root).
    pub cwd: PathBuf,
    /// Linker scripts named by `-T`, in order.
    pub scripts: Vec<String>,
    /// Library search directories (`-L`), in order.
    pub search: Vec<PathBuf>,
}

/// Linker arguments in rustflags: `-C link-arg=X`, `-Clink-args=X Y`,
/// and `-L [KIND=]DIR` as rustc's own search path.
fn link_args(flags: &[String]) -> (Vec<String>, Vec<PathBuf>) {
    let mut args = Vec::new();
    let mut search = Vec::new();
    let mut iter = flags.iter();
    while let Some(f) = iter.next() {
        if f == "-L" {
            if let Some(d) = iter.next() {
                search.push(PathBuf::from(d.split_once('=').map_or(d.as_str(), |x| x.1)));
            }
            continue;
        }
        if let Some(d) = f.strip_prefix("-L") {
            search.push(PathBuf::from(d.split_once('=').map_or(d, |x| x.1)));
            continue;
        }
        let c = if f == "-C" {
            iter.next().map(String::as_str).unwrap_or("")
        } else if let Some(c) = f.strip_prefix("-C") {
            c
        } else {
            continue;
        };
        if let Some(a) = c.strip_prefix("link-arg=") {
            args.push(a.to_string());
        } else if let Some(a) = c.strip_prefix("link-args=") {
            args.extend(a.split_whitespace().map(String::from));
        }
    }
    (args, search)
}

/// `-Tfile`, `-T file`, `--script=file`, `-Wl,-Tfile` among linker arguments.
fn scripts_and_dirs(args: &[String], scripts: &mut Vec<String>, search: &mut Vec<PathBuf>) {
    let args: Vec<&str> = args
        .iter()
        .flat_map(|a| match a.strip_prefix("-Wl,") {
            Some(rest) => rest.split(',').collect::<Vec<_>>(),
            None => vec![a.as_str()],
        })
        .collect();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        let next = args.get(i + 1).copied();
        if a == "-T" || a == "--script" {
            scripts.extend(next.map(String::from));
            i += 1;
        } else if let Some(s) = a.strip_prefix("--script=").or_else(|| a.strip_prefix("-T")) {
            scripts.push(s.to_string());
        } else if a == "-L" {
            search.extend(next.map(PathBuf::from));
            i += 1;
        } else if let Some(d) = a.strip_prefix("-L") {
            search.push(PathBuf::from(d));
        }
        i += 1;
    }
}

/// The linker arguments a package's build script gave its binary:
/// `rustc-link-arg`, `rustc-link-arg-bins`, `rustc-link-arg-bin=NAME=`
/// (or `-examples` for an example), from its `output` file.
fn build_script_args(output: &str, binary: &str, example: bool) -> Vec<String> {
    let mut out = Vec::new();
    for line in output.lines() {
        let Some(rest) = line
            .strip_prefix("cargo::")
            .or_else(|| line.strip_prefix("cargo:"))
        else {
            continue;
        };
        let kind_arg = if example {
            rest.strip_prefix("rustc-link-arg-examples=")
        } else {
            rest.strip_prefix("rustc-link-arg-bins=")
        };
        if let Some(a) = rest.strip_prefix("rustc-link-arg=").or(kind_arg) {
            out.push(a.to_string());
        } else if let Some((name, a)) = rest
            .strip_prefix("rustc-link-arg-bin=")
            .and_then(|r| r.split_once('='))
        {
            if name == binary && !example {
                out.push(a.to_string());
            }
        }
    }
    out
}

impl LinkInputs {
    /// The link of a build: its rustflags, the root package's build-script
    /// outputs, and the search paths every build script added.
    pub fn of_build(
        cwd: &Path,
        rustflags: &[String],
        root_build_outputs: &[PathBuf],
        build_search: &[PathBuf],
        binary: &str,
        example: bool,
    ) -> LinkInputs {
        let (args, mut search) = link_args(rustflags);
        let mut scripts = Vec::new();
        scripts_and_dirs(&args, &mut scripts, &mut search);
        for out in root_build_outputs {
            if let Ok(text) = std::fs::read_to_string(out) {
                let args = build_script_args(&text, binary, example);
                scripts_and_dirs(&args, &mut scripts, &mut search);
            }
        }
        search.extend(build_search.iter().cloned());
        LinkInputs {
            cwd: cwd.to_path_buf(),
            scripts,
            search,
        }
    }

    /// A script named by `-T` or `INCLUDE`: as given (relative to the
    /// linker's directory), then in each search directory; for `INCLUDE`,
    /// also beside the including script.
    fn find(&self, name: &str, beside: Option<&Path>) -> Option<PathBuf> {
        let p = Path::new(name);
        if p.is_absolute() {
            return p.is_file().then(|| p.to_path_buf());
        }
        std::iter::once(self.cwd.as_path())
            .chain(beside)
            .chain(self.search.iter().map(PathBuf::as_path))
            .map(|d| d.join(name))
            .find(|c| c.is_file())
    }

    /// The memory map of the link: every `MEMORY` region of the scripts
    /// named and the files they `INCLUDE`. `None` when none has one.
    pub fn memory_map(&self) -> Result<Option<MemoryMap>, MemoryError> {
        let mut seen: Vec<PathBuf> = Vec::new();
        let mut regions: Vec<Region> = Vec::new();
        let mut sources: Vec<String> = Vec::new();
        let mut queue: Vec<PathBuf> = self
            .scripts
            .iter()
            .filter_map(|s| self.find(s, None))
            .collect();
        queue.reverse();
        while let Some(path) = queue.pop() {
            if seen.contains(&path) {
                continue;
            }
            seen.push(path.clone());
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let found = parse_memory(&text).map_err(|error| MemoryError {
                path: path.clone(),
                error,
            })?;
            if !found.is_empty() {
                sources.push(path.display().to_string());
                regions.extend(found);
            }
            let dir = path.parent().map(Path::to_path_buf);
            let mut included: Vec<PathBuf> = includes(&text)
                .into_iter()
                .filter_map(|n| self.find(&n, dir.as_deref()))
                .collect();
            included.reverse();
            queue.extend(included);
        }
        Ok((!regions.is_empty()).then(|| MemoryMap::from_regions(sources.join(", "), regions)))
    }
}

/// Names a linker script pulls in with `INCLUDE name`.
fn includes(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("INCLUDE"))
        .map(|rest| rest.trim().trim_matches('"').trim_end_matches(';').trim())
        .filter(|name| !name.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn scripts_from_rustflags_and_build_scripts() {
        let (args, search) = link_args(&words(&[
            "-C",
            "link-arg=-Tlink.x",
            "-Clink-arg=-Tdefmt.x",
            "-C",
            "link-args=-Tfoo.ld --gc-sections -L/x",
            "-L",
            "native=/lib/a",
        ]));
        let mut scripts = Vec::new();
        let mut dirs = search;
        scripts_and_dirs(&args, &mut scripts, &mut dirs);
        assert_eq!(scripts, ["link.x", "defmt.x", "foo.ld"]);
        assert_eq!(dirs, [PathBuf::from("/lib/a"), PathBuf::from("/x")]);
        let out = "cargo:rustc-link-arg-bins=-Tlink.x\ncargo::rustc-link-arg-bin=other=-Tno.x\n\
                   cargo:rustc-link-arg-bin=fw=-Tyes.x\ncargo:rustc-link-search=/o\n";
        assert_eq!(build_script_args(out, "fw", false), ["-Tlink.x", "-Tyes.x"]);
        assert!(build_script_args(out, "fw", true).is_empty());
    }

    #[test]
    fn memory_found_along_the_search_path_through_include() {
        let dir = tempfile::tempdir().unwrap();
        let (root, out) = (dir.path().join("ws"), dir.path().join("out"));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(
            out.join("link.x"),
            "INCLUDE memory.x\nINCLUDE device.x\nSECTIONS {}\n",
        )
        .unwrap();
        std::fs::write(
            out.join("memory.x"),
            "MEMORY { FLASH : ORIGIN = 0, LENGTH = 64K\n RAM : ORIGIN = 0x20000000, LENGTH = 8K }",
        )
        .unwrap();
        let inputs = LinkInputs {
            cwd: root.clone(),
            scripts: words(&["link.x"]),
            search: vec![out.clone()],
        };
        let m = inputs.memory_map().unwrap().unwrap();
        assert!(m.source.ends_with("out/memory.x"), "{}", m.source);
        assert_eq!(m.flash_bytes, Some(64 * 1024));
        // A memory.x in the linker's directory comes first, as for the linker.
        std::fs::write(
            root.join("memory.x"),
            "MEMORY { FLASH : ORIGIN = 0, LENGTH = 32K }",
        )
        .unwrap();
        let m = inputs.memory_map().unwrap().unwrap();
        assert_eq!(m.flash_bytes, Some(32 * 1024));
        // Without the search path the script is not found: no map.
        let none = LinkInputs {
            search: Vec::new(),
            ..inputs
        };
        assert!(none.memory_map().unwrap().is_none());
    }
}
