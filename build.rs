//! Builds the QEMU plugin (`qemu/weigh_plugin.rs`) into a shared object for
//! the host, with the same rustc, so `--runtime` can count instructions
//! under QEMU. Without it (a failed build) the tool still works and says
//! that instruction counting is not available.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let src = "qemu/weigh_plugin.rs";
    println!("cargo:rerun-if-changed={src}");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let lib = out.join("libweigh_qemu.so");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let target = std::env::var("TARGET").unwrap_or_default();
    let built = Command::new(rustc)
        .args([
            "--edition",
            "2021",
            "--crate-type",
            "cdylib",
            "--crate-name",
            "weigh_qemu",
        ])
        .args([
            "-C",
            "opt-level=2",
            "-C",
            "panic=abort",
            "-C",
            "strip=symbols",
        ])
        .args(["--target", &target])
        .arg("-o")
        .arg(&lib)
        .arg(src)
        .status()
        .is_ok_and(|s| s.success());
    if !built {
        println!(
            "cargo:warning=the QEMU plugin did not build: --runtime cannot count instructions"
        );
        let _ = std::fs::write(&lib, b"");
    }
}
