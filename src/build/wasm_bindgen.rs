//! A module built with wasm-bindgen ships as what the `wasm-bindgen` CLI
//! writes from it: `<name>_bg.wasm` and the JavaScript glue `<name>.js`
//! (what wasm-pack runs). The CLI must be the crate's own version; when it
//! is missing or another version, the module cargo built is weighed and
//! the message says how to get the right one.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use wasmparser::{Parser, Payload};

/// The custom section wasm-bindgen's macros leave for its CLI.
const MARKER: &str = "__wasm_bindgen_unstable";

/// Whether the module was built with wasm-bindgen.
pub fn uses_wasm_bindgen(module: &[u8]) -> bool {
    Parser::new(0)
        .parse_all(module)
        .any(|p| matches!(p, Ok(Payload::CustomSection(c)) if c.name() == MARKER))
}

/// Run `wasm-bindgen --target web` on `module` into `bindgen/` beside it;
/// the `_bg.wasm` it wrote (its glue `<name>.js` beside). `Ok(None)`: the
/// module does not use wasm-bindgen.
pub fn bind(module: &Path, locked_version: Option<&str>) -> Result<Option<PathBuf>, String> {
    let bytes =
        std::fs::read(module).map_err(|e| format!("cannot read {}: {e}", module.display()))?;
    if !bytes.starts_with(b"\0asm") || !uses_wasm_bindgen(&bytes) {
        return Ok(None);
    }
    let install = |why: String| {
        let version = locked_version
            .map(|v| format!(" --version {v}"))
            .unwrap_or_default();
        format!("{why}; weighed the module cargo built, not what wasm-bindgen ships (`_bg.wasm` and its JS glue)\n  hint: cargo install wasm-bindgen-cli{version}")
    };
    let dir = module.with_file_name("bindgen");
    let stem = module
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut cmd = Command::new("wasm-bindgen");
    cmd.args(["--target", "web", "--out-dir"])
        .arg(&dir)
        .args(["--out-name", &stem])
        .arg(module);
    let out = crate::process::output(&mut cmd, Duration::from_secs(600))
        .map_err(|e| install(format!("wasm-bindgen cannot run ({e})")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("failed");
        return Err(install(format!("wasm-bindgen: {first}")));
    }
    Ok(Some(dir.join(format!("{stem}_bg.wasm"))))
}

/// The version of wasm-bindgen the project's Cargo.lock pins, if one does.
pub fn locked_version(workspace_root: &Path) -> Option<String> {
    let lock: toml::Table = std::fs::read_to_string(workspace_root.join("Cargo.lock"))
        .ok()?
        .parse()
        .ok()?;
    lock.get("package")?.as_array()?.iter().find_map(|p| {
        (p.get("name")?.as_str()? == "wasm-bindgen")
            .then(|| p.get("version")?.as_str().map(String::from))
            .flatten()
    })
}
