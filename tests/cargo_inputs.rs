//! The build measured is the user's build: every input cargo reads reaches
//! the result cache's key, the cargo configuration is evaluated as cargo
//! evaluates it, and a host project's "profile as is" row is the binary a
//! plain `cargo build --release` writes.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// The `release` row of the tiny firmware copy in `dir`.
fn release_row(dir: &Path, env: &[(&str, &str)], extra: &[&str]) -> serde_json::Value {
    let mut cmd = weigh_project(dir, &fixture("tiny-matrix.toml"), &dir.join("target"));
    cmd.current_dir(dir)
        .args(["--only", "release", "--quiet", "--format", "json"])
        .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    json_stdout(&mut cmd)["configs"][0].clone()
}

/// A rustc wrapper that only runs the compiler (`RUSTC_WRAPPER` and
/// `RUSTC_WORKSPACE_WRAPPER` call it with rustc's path first).
fn pass_through_wrapper(dir: &Path) -> String {
    let p = dir.join("wrap.sh");
    std::fs::write(&p, "#!/bin/sh\nexec \"$@\"\n").unwrap();
    let mut perm = std::fs::metadata(&p).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&p, perm).unwrap();
    p.display().to_string()
}

/// One input changed at a time: the row is built again (not reused) and
/// measures what a `--no-cache` build with that input measures; the input
/// reverted, the first row comes back.
#[test]
fn every_input_cargo_reads_changes_the_cache_key() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("tiny");
    copy_dir(&fixture("tiny"), &dir);
    let wrapper = pass_through_wrapper(root.path());
    let rustc = String::from_utf8(
        Command::new("rustc")
            .args(["--print", "sysroot"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let rustc = format!("{}/bin/rustc", rustc.trim());
    let link = "-C link-arg=-Tlink.x -C force-frame-pointers=yes";
    let home = root.path().join("cargo-home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join("config.toml"),
        "[profile.release]\nopt-level = \"s\"\n",
    )
    .unwrap();
    let home = home.display().to_string();
    type Change<'a> = (&'a str, Vec<(&'a str, &'a str)>, Option<(&'a str, &'a str)>);
    let changes: Vec<Change> = vec![
        (
            "CARGO_PROFILE_*",
            vec![("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")],
            None,
        ),
        ("RUSTFLAGS", vec![("RUSTFLAGS", link)], None),
        (
            "CARGO_ENCODED_RUSTFLAGS",
            vec![(
                "CARGO_ENCODED_RUSTFLAGS",
                "-Clink-arg=-Tlink.x\x1f-Copt-level=1",
            )],
            None,
        ),
        (
            "CARGO_BUILD_RUSTFLAGS",
            vec![("CARGO_BUILD_RUSTFLAGS", "-Cdebuginfo=1")],
            None,
        ),
        (
            "CARGO_TARGET_<TRIPLE>_RUSTFLAGS",
            vec![(
                "CARGO_TARGET_THUMBV7EM_NONE_EABIHF_RUSTFLAGS",
                "-Copt-level=s",
            )],
            None,
        ),
        (
            "CARGO_BUILD_TARGET",
            vec![("CARGO_BUILD_TARGET", "thumbv7em-none-eabihf")],
            None,
        ),
        ("RUSTC", vec![("RUSTC", &rustc)], None),
        ("RUSTC_WRAPPER", vec![("RUSTC_WRAPPER", &wrapper)], None),
        (
            "RUSTC_WORKSPACE_WRAPPER",
            vec![("RUSTC_WORKSPACE_WRAPPER", &wrapper)],
            None,
        ),
        ("CARGO_HOME config", vec![("CARGO_HOME", &home)], None),
        (
            "rust-toolchain.toml",
            vec![],
            Some(("rust-toolchain.toml", "[toolchain]\nchannel = \"stable\"\n")),
        ),
        (
            ".cargo/config.toml",
            vec![],
            Some((".cargo/config.toml", "[profile.release]\nopt-level = 1\n")),
        ),
        (
            "a config file up the tree",
            vec![],
            Some((
                "../.cargo/config.toml",
                "[profile.release]\ncodegen-units = 1\n",
            )),
        ),
    ];
    let first = release_row(&dir, &[], &[]);
    let config_file = std::fs::read_to_string(dir.join(".cargo/config.toml")).unwrap();
    for (what, env, file) in &changes {
        if let Some((path, body)) = file {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            if *path == ".cargo/config.toml" {
                std::fs::write(&p, format!("{config_file}\n{body}")).unwrap();
            } else {
                std::fs::write(&p, body).unwrap();
            }
        }
        let changed = release_row(&dir, env, &[]);
        assert_eq!(changed["reused"], false, "{what}: the old row was reused");
        assert!(changed["ok"].as_bool().unwrap(), "{what}: {changed}");
        let fresh = release_row(&dir, env, &["--no-cache"]);
        assert_eq!(
            changed["flash_hash"], fresh["flash_hash"],
            "{what}: the row differs from a --no-cache build"
        );
        if let Some((path, _)) = file {
            if *path == ".cargo/config.toml" {
                std::fs::write(dir.join(path), &config_file).unwrap();
            } else {
                std::fs::remove_file(dir.join(path)).unwrap();
            }
        }
        let back = release_row(&dir, &[], &[]);
        assert_eq!(back["flash_hash"], first["flash_hash"], "{what}: reverted");
    }
    // The opt-level change is seen in the numbers, not only in the key.
    let z = release_row(&dir, &[("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")], &[]);
    assert_ne!(z["flash_bytes"], first["flash_bytes"]);
}

/// An environment variable a build script reads (`rerun-if-env-changed`)
/// is part of what the row depends on, as it is for cargo.
#[test]
fn a_variable_read_by_a_build_script_is_an_input() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("tiny"), dir.path());
    std::fs::write(
        dir.path().join("build.rs"),
        "fn main() {\n    println!(\"cargo:rerun-if-env-changed=TINY_SEED\");\n    \
         let seed = std::env::var(\"TINY_SEED\").unwrap_or_else(|_| \"0x2545_F491\".into());\n    \
         let out = std::env::var(\"OUT_DIR\").unwrap();\n    \
         std::fs::write(format!(\"{out}/seed.rs\"), seed).unwrap();\n}\n",
    )
    .unwrap();
    let main_rs = dir.path().join("src/main.rs");
    let src = std::fs::read_to_string(&main_rs).unwrap();
    assert!(src.contains("0x2545_F491"));
    let src = src.replacen(
        "0x2545_F491",
        "include!(concat!(env!(\"OUT_DIR\"), \"/seed.rs\"))",
        1,
    );
    std::fs::write(&main_rs, src).unwrap();
    let a = release_row(dir.path(), &[], &[]);
    let b = release_row(dir.path(), &[("TINY_SEED", "0x1234_5678")], &[]);
    assert_eq!(b["reused"], false);
    assert_ne!(a["flash_hash"], b["flash_hash"]);
    let again = release_row(dir.path(), &[("TINY_SEED", "0x1234_5678")], &[]);
    assert_eq!(again["reused"], true);
}

/// `[target.'cfg(unix)']` does not apply to a Cortex-M target: the
/// project's `build.rustflags` (its linker script) stay in force when a
/// configuration adds flags of its own.
#[test]
fn a_cfg_table_that_does_not_match_leaves_build_rustflags_in_force() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("tiny"), dir.path());
    std::fs::write(
        dir.path().join(".cargo/config.toml"),
        "[build]\ntarget = \"thumbv7em-none-eabihf\"\nrustflags = [\"-C\", \"link-arg=-Tlink.x\"]\n\
         [target.'cfg(unix)']\nrustflags = [\"-C\", \"target-cpu=native\"]\n",
    )
    .unwrap();
    let r = json_stdout(
        weigh_project(
            dir.path(),
            &fixture("tiny-matrix.toml"),
            &dir.path().join("target"),
        )
        .args([
            "--only",
            "release,frame-pointers",
            "--quiet",
            "--format",
            "json",
        ]),
    );
    for c in r["configs"].as_array().unwrap() {
        assert!(c["ok"].as_bool().unwrap(), "{}", c["error"]);
        // Linked with link.x: the vector table is there.
        assert!(
            c["sections"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["name"] == ".vector_table"),
            "{} was linked without the project's linker script",
            c["name"]
        );
    }
}

/// A host project's "profile as is" row is the user's own `cargo build
/// --release` (no `--target`: that would change the crate's identity,
/// visible here in a `TypeId`).
#[test]
fn the_release_row_of_a_host_project_is_the_users_own_build() {
    let dir = project(&[
        (
            "Cargo.toml",
            "[package]\nname = \"typeid\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
        ),
        (
            "src/main.rs",
            "struct Local;\nfn main() {\n    let mut h = std::collections::hash_map::DefaultHasher::new();\n    \
             std::hash::Hash::hash(&std::any::TypeId::of::<Local>(), &mut h);\n    \
             println!(\"{}\", std::hash::Hasher::finish(&h));\n}\n",
        ),
    ]);
    let r = json_stdout(
        weigh()
            .arg("--manifest-path")
            .arg(dir.path().join("Cargo.toml"))
            .args(["--preset", "release", "--quiet", "--format", "json"]),
    );
    let row = &r["configs"][0];
    let st = Command::new("cargo")
        .current_dir(dir.path())
        .env_remove("CARGO_TARGET_DIR")
        .args(["build", "--release", "--quiet"])
        .status()
        .unwrap();
    assert!(st.success());
    let theirs = dir.path().join("target/release/typeid");
    let m = cargo_weigh::measure::measure_file(&theirs).unwrap();
    assert_eq!(row["flash_hash"], m.flash_hash, "loaded bytes differ");
    let out = |p: &Path| Command::new(p).output().unwrap().stdout;
    let ours = std::path::PathBuf::from(row["artifact"].as_str().unwrap());
    assert_eq!(out(&ours), out(&theirs));
}

/// `lto = false` is cargo's default (thin-local LTO): a configuration
/// written that way builds exactly the profile as it is, and says so.
#[test]
fn lto_false_is_cargos_default_not_off() {
    let dir = tempfile::tempdir().unwrap();
    let matrix = dir.path().join("lto.toml");
    std::fs::write(
        &matrix,
        "[[config]]\nname = \"release\"\n[[config]]\nname = \"lto-false\"\nlto = false\n",
    )
    .unwrap();
    let r = json_stdout(
        weigh_project(&fixture("tiny"), &matrix, &shared_target_dir("tiny"))
            .args(["--quiet", "--format", "json"]),
    );
    let rows = r["configs"].as_array().unwrap();
    assert_eq!(rows[1]["settings"]["lto"], false);
    assert_eq!(rows[0]["flash_hash"], rows[1]["flash_hash"]);
    let log = std::fs::read_to_string(rows[1]["log"].as_str().unwrap()).unwrap();
    assert!(log.contains("profile.release.lto=false"), "{log}");
}
