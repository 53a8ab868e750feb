//! binaryen's `wasm-opt` as a step after the link: the module a
//! configuration built, optimised at its level with the features the
//! module uses enabled (those its `target_features` section declares and
//! those its instructions need), so no run fails validation ("Bulk memory
//! operations require bulk memory", rust#141080).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use wasmparser::{BinaryReader, Parser, Payload, Validator, WasmFeatures};

use crate::matrix::WasmOpt;

/// A feature: rustc's name (in `target_features`), wasmparser's flag, and
/// the `wasm-opt` switch that enables it.
const FEATURES: &[(&str, WasmFeatures, &str)] = &[
    (
        "bulk-memory",
        WasmFeatures::BULK_MEMORY,
        "--enable-bulk-memory",
    ),
    (
        "bulk-memory-opt",
        WasmFeatures::BULK_MEMORY,
        "--enable-bulk-memory",
    ),
    (
        "sign-ext",
        WasmFeatures::SIGN_EXTENSION,
        "--enable-sign-ext",
    ),
    (
        "mutable-globals",
        WasmFeatures::MUTABLE_GLOBAL,
        "--enable-mutable-globals",
    ),
    (
        "nontrapping-fptoint",
        WasmFeatures::SATURATING_FLOAT_TO_INT,
        "--enable-nontrapping-float-to-int",
    ),
    (
        "multivalue",
        WasmFeatures::MULTI_VALUE,
        "--enable-multivalue",
    ),
    (
        "reference-types",
        WasmFeatures::REFERENCE_TYPES,
        "--enable-reference-types",
    ),
    (
        "call-indirect-overlong",
        WasmFeatures::REFERENCE_TYPES,
        "--enable-reference-types",
    ),
    ("simd128", WasmFeatures::SIMD, "--enable-simd"),
    (
        "relaxed-simd",
        WasmFeatures::RELAXED_SIMD,
        "--enable-relaxed-simd",
    ),
    ("tail-call", WasmFeatures::TAIL_CALL, "--enable-tail-call"),
    (
        "extended-const",
        WasmFeatures::EXTENDED_CONST,
        "--enable-extended-const",
    ),
    ("atomics", WasmFeatures::THREADS, "--enable-threads"),
    (
        "exception-handling",
        WasmFeatures::EXCEPTIONS,
        "--enable-exception-handling",
    ),
    (
        "multimemory",
        WasmFeatures::MULTI_MEMORY,
        "--enable-multimemory",
    ),
    ("memory64", WasmFeatures::MEMORY64, "--enable-memory64"),
];

/// The features a module declares (`+name` in its `target_features`
/// section), or `None` when it has no such section.
fn declared(module: &[u8]) -> Option<Vec<String>> {
    for payload in Parser::new(0).parse_all(module) {
        let Ok(Payload::CustomSection(c)) = payload else {
            continue;
        };
        if c.name() != "target_features" {
            continue;
        }
        let mut r = BinaryReader::new(c.data(), 0);
        let count = r.read_var_u32().ok()?;
        let mut names = Vec::new();
        for _ in 0..count {
            let prefix = r.read_u8().ok()?;
            let name = r.read_string().ok()?;
            if prefix == b'+' {
                names.push(name.to_string());
            }
        }
        return Some(names);
    }
    None
}

/// The features a module's instructions and types need: each one the
/// module does not validate without.
fn needed(module: &[u8]) -> Vec<String> {
    let all = FEATURES
        .iter()
        .fold(WasmFeatures::WASM1, |acc, (_, f, _)| acc | *f);
    if Validator::new_with_features(all)
        .validate_all(module)
        .is_err()
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (name, flag, _) in FEATURES {
        let without = all.difference(*flag);
        if Validator::new_with_features(without)
            .validate_all(module)
            .is_err()
        {
            out.push(name.to_string());
        }
    }
    out
}

/// The `wasm-opt` switches for a module: one per feature it declares or
/// its instructions use (wasm-bindgen rewrites the section of a stripped
/// build without features the code still uses).
pub fn enable_flags(module: &[u8]) -> Vec<&'static str> {
    let mut names = declared(module).unwrap_or_default();
    names.extend(needed(module));
    let mut flags: Vec<&'static str> = FEATURES
        .iter()
        .filter(|(n, _, _)| names.iter().any(|m| m == n))
        .map(|(_, _, flag)| *flag)
        .collect();
    flags.sort_unstable();
    flags.dedup();
    flags
}

/// The switches the installed `wasm-opt` knows (`--enable-*` in its help).
fn known_flags(wasm_opt: &Path) -> Result<String, String> {
    let out = crate::process::output(
        Command::new(wasm_opt).arg("--help"),
        Duration::from_secs(30),
    )
    .map_err(|e| missing(&e.to_string()))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether binaryen's `wasm-opt` runs here.
pub fn installed() -> bool {
    known_flags(Path::new("wasm-opt")).is_ok()
}

fn missing(why: &str) -> String {
    format!("wasm-opt (binaryen) cannot run ({why})\n  hint: install binaryen (apt install binaryen, brew install binaryen, npm i -g binaryen) or drop the wasm-opt setting")
}

/// Optimise `module` at `level` in place; the CPU seconds it took.
pub fn optimize(module: &Path, level: WasmOpt) -> Result<f64, String> {
    let Some(switch) = level.switch() else {
        return Ok(0.0);
    };
    let bytes =
        std::fs::read(module).map_err(|e| format!("cannot read {}: {e}", module.display()))?;
    if !bytes.starts_with(b"\0asm") {
        return Err(format!(
            "wasm-opt = \"{level}\" needs a WebAssembly module; {} is not one\n  hint: set wasm-opt only for wasm32 targets",
            module.display()
        ));
    }
    let wasm_opt = Path::new("wasm-opt");
    let known = known_flags(wasm_opt)?;
    let flags = enable_flags(&bytes);
    if let Some(f) = flags.iter().find(|f| !known.contains(*f)) {
        return Err(format!(
            "this wasm-opt does not know {f}, a feature the module uses\n  hint: install a newer binaryen"
        ));
    }
    let out = module.with_extension("opt.wasm");
    let mut cmd = Command::new(wasm_opt);
    cmd.arg(&switch)
        .args(&flags)
        .arg(module)
        .arg("-o")
        .arg(&out);
    let limits = crate::process::Limits {
        stop: crate::stop_flag(),
        timeout: Some(Duration::from_secs(1800)),
    };
    let run =
        crate::process::run_captured(&mut cmd, limits).map_err(|e| missing(&e.to_string()))?;
    let crate::process::Ended::Exited {
        status,
        cpu_seconds,
    } = run.finished.ended
    else {
        let _ = std::fs::remove_file(&out);
        return Err("wasm-opt was stopped".into());
    };
    if !status.success() {
        let _ = std::fs::remove_file(&out);
        let err = String::from_utf8_lossy(&run.stderr);
        let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(format!("wasm-opt {switch} failed: {first}"));
    }
    std::fs::rename(&out, module)
        .map_err(|e| format!("cannot replace {}: {e}", module.display()))?;
    Ok(cpu_seconds)
}
