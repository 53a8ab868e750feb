//! Which crate a symbol or a source file belongs to.

use std::collections::HashMap;
use std::path::Path;

use object::read::archive::ArchiveFile;
use object::{Object, ObjectSymbol};

use super::types::Origin;

/// Symbols defined by each rlib that went into a binary: exact crate names
/// for the symbols they define (not under LTO, where rlibs hold bitcode).
#[derive(Debug, Default, Clone)]
pub struct RlibIndex {
    by_symbol: HashMap<String, String>,
    pub rlibs: usize,
}

impl RlibIndex {
    /// Index every `lib<crate>-<hash>.rlib` in the given directories.
    pub fn build(dirs: &[&Path]) -> RlibIndex {
        let mut index = RlibIndex::default();
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                let Some(file) = p.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                let Some(stem) = file
                    .strip_prefix("lib")
                    .and_then(|f| f.strip_suffix(".rlib"))
                else {
                    continue;
                };
                let krate = stem
                    .rsplit_once('-')
                    .map(|(n, _)| n)
                    .unwrap_or(stem)
                    .to_string();
                if index.add_rlib(&p, &krate).is_ok() {
                    index.rlibs += 1;
                }
            }
        }
        index
    }

    fn add_rlib(&mut self, path: &Path, krate: &str) -> Result<(), object::Error> {
        let Ok(file) = std::fs::File::open(path) else {
            return Ok(());
        };
        // SAFETY: read-only private map of a build output; object bounds-checks reads.
        let Ok(bytes) = (unsafe { memmap2::Mmap::map(&file) }) else {
            return Ok(());
        };
        let archive = ArchiveFile::parse(&*bytes)?;
        // The archive's symbol index names every global symbol of every
        // member, bitcode included (dependencies of an LTO build hold no
        // object code): enough for the crate of exported symbols.
        if let Ok(Some(index)) = archive.symbols() {
            for sym in index.flatten() {
                let name = String::from_utf8_lossy(sym.name()).into_owned();
                self.by_symbol
                    .entry(name)
                    .or_insert_with(|| krate.to_string());
            }
        }
        for member in archive.members().flatten() {
            let name = String::from_utf8_lossy(member.name());
            if !name.ends_with(".o") {
                continue;
            }
            let Ok(data) = member.data(&*bytes) else {
                continue;
            };
            let Ok(obj) = object::File::parse(data) else {
                continue;
            };
            for sym in obj.symbols() {
                if sym.is_definition() && sym.size() > 0 {
                    if let Ok(n) = sym.name() {
                        self.by_symbol
                            .entry(n.to_string())
                            .or_insert_with(|| krate.to_string());
                    }
                }
            }
        }
        Ok(())
    }

    /// The crate defining `symbol`; Mach-O archives name it with the
    /// underscore attribution leaves out.
    pub fn lookup(&self, symbol: &str) -> Option<&str> {
        self.by_symbol
            .get(symbol)
            .or_else(|| self.by_symbol.get(&format!("_{symbol}")))
            .map(String::as_str)
    }
}

const PRIMITIVES: &[&str] = &[
    "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32",
    "f64", "bool", "char", "str", "T", "F", "_",
];

/// The crate a demangled Rust path names first: `core::fmt::write` → `core`;
/// `<stm32::Led as core::ops::Drop>::drop` → `stm32` (the implementing type),
/// or the trait's crate when the type is a primitive or a reference;
/// `<char>::escape_debug_ext` (an inherent method of a primitive) → `core`;
/// `<dyn core::any::Any>::is` → `core`.
pub fn crate_from_demangled(name: &str) -> Option<String> {
    let n = name.trim_start_matches('&').trim_start_matches("mut ");
    if let Some(rest) = n.strip_prefix('<') {
        let (ty, after) = match rest.find(" as ") {
            Some(i) => (&rest[..i], Some(&rest[i + 4..])),
            None => (rest, None),
        };
        let ty = strip_type_prefixes(ty);
        let first = ty.split("::").next().unwrap_or("");
        let first = first
            .split(['<', '>', ';', ']', ')', ' ', ','])
            .next()
            .unwrap_or("");
        if PRIMITIVES.contains(&first) && after.is_none() {
            // Inherent methods of primitives are defined in core.
            return Some("core".into());
        }
        if ty.contains("::") && !PRIMITIVES.contains(&first) && is_ident(first) {
            return Some(first.to_string());
        }
        return after.and_then(crate_from_demangled);
    }
    let first = n.split("::").next()?;
    (n.contains("::") && is_ident(first)).then(|| first.to_string())
}

/// `&mut [dyn T]` → `T`: references, pointers, slices, tuples and `dyn`.
fn strip_type_prefixes(mut ty: &str) -> &str {
    loop {
        let t = ty
            .trim_start_matches(['&', '*', '[', '(', ' '])
            .trim_start_matches("mut ")
            .trim_start_matches("const ")
            .trim_start_matches("dyn ")
            .trim_start_matches("impl ");
        if t == ty {
            return t;
        }
        ty = t;
    }
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The crate of a symbol and how it was found (the rlib index first, then
/// v0 mangling, then a guess from the demangled path).
pub fn crate_of_symbol(mangled: &str, rlibs: Option<&RlibIndex>) -> (String, Origin) {
    // LLVM's anonymous constants carry a per-build hash: one name for all.
    if mangled.starts_with("anon.") {
        return ("[anonymous]".into(), Origin::Heuristic);
    }
    if let Some(k) = rlibs.and_then(|i| i.lookup(mangled)) {
        return (k.to_string(), Origin::Exact);
    }
    let Ok(demangled) = rustc_demangle::try_demangle(mangled) else {
        return ("[unmangled]".into(), Origin::Heuristic);
    };
    match crate_from_demangled(&format!("{demangled:#}")) {
        Some(k) if mangled.starts_with("_R") => (k, Origin::V0),
        Some(k) => (k, Origin::Heuristic),
        None => ("[unmangled]".into(), Origin::Heuristic),
    }
}

pub fn crate_from_path(path: &str, own: Option<&str>) -> String {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    if let Some(i) = parts.iter().position(|p| *p == "library") {
        // library/core/src/..., library/compiler-builtins/compiler-builtins/src/...,
        // library/stdarch/crates/core_arch/src/...: the directory before `src`.
        if let Some(k) = parts[i + 1..]
            .windows(2)
            .find(|w| w[1] == "src")
            .map(|w| w[0])
        {
            return k.replace('-', "_");
        }
        if let Some(k) = parts
            .get(i + 1)
            .filter(|_| parts.get(i + 2).is_some_and(|p| p.ends_with(".rs")))
        {
            return k.replace('-', "_");
        }
    }
    // The prebuilt standard library's own dependencies: /rust/deps/<name>-<version>/src/...
    if let Some(i) = parts.windows(2).position(|w| w == ["rust", "deps"]) {
        if let Some(d) = parts.get(i + 2) {
            return without_version(d).replace('-', "_");
        }
    }
    for marker in ["registry", "git"] {
        if let Some(i) = parts.iter().position(|p| *p == marker) {
            // registry/src/<index>/<name>-<version>/...; git/checkouts/<repo>/<rev>/<crate dir>/...
            let dir = if marker == "registry" {
                parts.get(i + 3)
            } else {
                parts.get(i + 4)
            };
            if let Some(d) = dir {
                return without_version(d).replace('-', "_");
            }
        }
    }
    own.unwrap_or("[own]").to_string()
}

/// `cortex-m-rt-0.7.5` → `cortex-m-rt`.
fn without_version(dir: &str) -> &str {
    match dir.rfind('-') {
        Some(j) if dir[j + 1..].starts_with(|c: char| c.is_ascii_digit()) => &dir[..j],
        _ => dir,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_from_demangled_paths() {
        assert_eq!(
            crate_from_demangled("core::fmt::write").as_deref(),
            Some("core")
        );
        assert_eq!(
            crate_from_demangled("<stm32f4xx_hal::gpio::Pin as core::fmt::Debug>::fmt").as_deref(),
            Some("stm32f4xx_hal")
        );
        assert_eq!(
            crate_from_demangled("<u32 as core::fmt::Display>::fmt").as_deref(),
            Some("core")
        );
        assert_eq!(
            crate_from_demangled("<&T as core::fmt::Debug>::fmt").as_deref(),
            Some("core")
        );
        assert_eq!(crate_from_demangled("main"), None);
        // Inherent methods of primitives, trait objects, slices of them.
        assert_eq!(
            crate_from_demangled("<char>::escape_debug_ext").as_deref(),
            Some("core")
        );
        assert_eq!(
            crate_from_demangled("<[u8]>::copy_from_slice").as_deref(),
            Some("core")
        );
        assert_eq!(
            crate_from_demangled("<dyn core::any::Any>::is").as_deref(),
            Some("core")
        );
        assert_eq!(
            crate_from_demangled("<&mut dyn embedded_io::Write as core::fmt::Write>::write_str")
                .as_deref(),
            Some("embedded_io")
        );
        assert_eq!(
            crate_from_demangled("<[heapless::String<8>] as core::fmt::Debug>::fmt").as_deref(),
            Some("heapless")
        );
    }

    #[test]
    fn legacy_and_v0_mangling() {
        use super::super::symbols::display_name;
        let opts = None;
        let legacy = "_ZN4core3fmt5write17h0123456789abcdefE";
        let (k, o) = crate_of_symbol(legacy, opts);
        assert_eq!(
            (display_name(legacy).as_str(), k.as_str(), o),
            ("core::fmt::write", "core", Origin::Heuristic)
        );
        let v0 = "_RNvNtCs1234_4core3fmt5write";
        let (k, o) = crate_of_symbol(v0, opts);
        assert_eq!(
            (display_name(v0).as_str(), k.as_str(), o),
            ("core::fmt::write", "core", Origin::V0)
        );
        let (k, _) = crate_of_symbol("Reset", opts);
        assert_eq!(k, "[unmangled]");
        assert_eq!(display_name("anon.1234.5"), "[anonymous constants]");
    }

    #[test]
    fn crates_from_source_paths() {
        let own = Some("blinky");
        assert_eq!(
            crate_from_path("/rustc/abc123/library/core/src/fmt/mod.rs", own),
            "core"
        );
        assert_eq!(
            crate_from_path("/usr/lib/rustlib/src/rust/library/core/src/ptr/mod.rs", own),
            "core"
        );
        assert_eq!(
            crate_from_path("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/stm32f4xx-hal-0.15.0/src/gpio.rs", own),
            "stm32f4xx_hal"
        );
        assert_eq!(crate_from_path("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cortex-m-rt-0.7.5/src/lib.rs", own), "cortex_m_rt");
        assert_eq!(crate_from_path("src/main.rs", own), "blinky");
        // compiler-builtins sits one level deeper in the library tree, and
        // the prebuilt std's dependencies under /rust/deps.
        assert_eq!(
            crate_from_path(
                "/rustc/abc/library/compiler-builtins/compiler-builtins/src/mem/mod.rs",
                own
            ),
            "compiler_builtins"
        );
        assert_eq!(
            crate_from_path(
                "/rustc/abc/library/stdarch/crates/core_arch/src/arm/mod.rs",
                own
            ),
            "core_arch"
        );
        assert_eq!(
            crate_from_path("/rust/deps/compiler_builtins-0.1.146/src/int/udiv.rs", own),
            "compiler_builtins"
        );
    }
}
