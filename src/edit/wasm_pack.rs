//! `wasm-opt` is no cargo setting: a project built with wasm-pack gets it
//! in `[package.metadata.wasm-pack.profile.<profile>] wasm-opt = [...]`,
//! the one place wasm-pack reads it from.

use std::path::Path;

use super::document::{parse, table_mut, ApplyError, FileEdit};

/// Whether the package is built with wasm-pack: it configures wasm-pack,
/// or depends on wasm-bindgen (what wasm-pack exists for).
pub fn uses_wasm_pack(manifest_text: &str) -> bool {
    let Ok(doc) = manifest_text.parse::<toml_edit::DocumentMut>() else {
        return false;
    };
    let configured = doc
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("wasm-pack"))
        .is_some();
    let bindgen = ["dependencies", "target"].iter().any(|t| {
        doc.get(t)
            .is_some_and(|d| d.to_string().contains("wasm-bindgen"))
    });
    configured || bindgen
}

/// The edit of the package's manifest (its text `before`, maybe already
/// edited) that makes wasm-pack run `wasm-opt` with `args` for `profile`
/// (wasm-pack's: dev, profiling, release).
pub fn plan_wasm_pack(
    manifest: &Path,
    before: &str,
    profile: &str,
    args: &[String],
) -> Result<FileEdit, ApplyError> {
    let mut doc = parse(manifest, before)?;
    let table = table_mut(
        &mut doc,
        &["package", "metadata", "wasm-pack", "profile", profile],
        manifest,
    )?;
    // The level is ours; flags the project already passes stay (wasm-pack
    // runs wasm-opt on wasm-bindgen's output, which may need more).
    let kept: Vec<String> = table
        .get("wasm-opt")
        .and_then(|i| i.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str())
                .filter(|v| !is_level(v))
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let mut list = toml_edit::Array::new();
    for a in args.iter().chain(kept.iter().filter(|k| !args.contains(k))) {
        list.push(a.as_str());
    }
    match table.get_mut("wasm-opt").and_then(|i| i.as_value_mut()) {
        // Keep the comment and spacing around an existing value.
        Some(old) => {
            let decor = old.decor().clone();
            *old = toml_edit::Value::Array(list);
            *old.decor_mut() = decor;
        }
        None => {
            table.insert("wasm-opt", toml_edit::value(list));
        }
    }
    Ok(FileEdit {
        path: manifest.to_path_buf(),
        before: before.to_string(),
        after: doc.to_string(),
    })
}

/// An optimisation level switch of wasm-opt (`-O`, `-O3`, `-Oz`, `-Os`).
fn is_level(arg: &str) -> bool {
    arg.strip_prefix("-O").is_some_and(|rest| {
        rest.is_empty() || matches!(rest, "0" | "1" | "2" | "3" | "4" | "s" | "z")
    })
}
