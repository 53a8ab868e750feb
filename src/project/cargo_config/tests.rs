use super::*;
use cargo_platform::Cfg;
use std::str::FromStr;

const THUMB: &str = "thumbv7em-none-eabihf";

fn thumb_cfgs() -> Vec<Cfg> {
    [
        "target_arch=\"arm\"",
        "target_os=\"none\"",
        "target_abi=\"eabihf\"",
        "target_pointer_width=\"32\"",
        "panic=\"abort\"",
    ]
    .iter()
    .map(|c| Cfg::from_str(c).unwrap())
    .collect()
}

/// A project directory with `.cargo/config.toml` holding `body`, read
/// with `env` as the whole environment (and no CARGO_HOME config).
fn config_with(body: &str, env: &[(&str, &str)], cli: &[&str]) -> (tempfile::TempDir, CargoConfig) {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join(".cargo")).unwrap();
    std::fs::write(project.join(".cargo/config.toml"), body).unwrap();
    let mut vars: Vec<(String, String)> =
        vec![("CARGO_HOME".into(), "/nonexistent/cargo-home".into())];
    vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let cli: Vec<String> = cli.iter().map(|s| s.to_string()).collect();
    let c = CargoConfig::discover_with_env(&project, &cli, vars).unwrap();
    (dir, c)
}

#[test]
fn a_cfg_table_that_does_not_match_leaves_build_rustflags_in_force() {
    let body = "[build]\nrustflags = [\"-Cforce-frame-pointers=yes\"]\n\
                [target.'cfg(unix)']\nrustflags = [\"-Ctarget-cpu=native\"]\n";
    let (_d, c) = config_with(body, &[], &[]);
    let r = c.rustflags(THUMB, &thumb_cfgs());
    assert_eq!(r.source, RustflagsSource::Build);
    assert_eq!(r.flags, ["-Cforce-frame-pointers=yes"]);
}

#[test]
fn matching_cfg_tables_join_the_triples_table() {
    let body = "[target.thumbv7em-none-eabihf]\nrustflags = [\"-C\", \"link-arg=-Tlink.x\"]\n\
                [target.'cfg(all(target_arch = \"arm\", target_os = \"none\"))']\n\
                rustflags = [\"-C\", \"link-arg=-Tdefmt.x\"]\n\
                [build]\nrustflags = [\"-Cignored\"]\n";
    let (_d, c) = config_with(body, &[], &[]);
    let r = c.rustflags(THUMB, &thumb_cfgs());
    assert_eq!(r.source, RustflagsSource::Target);
    assert_eq!(
        r.flags,
        ["-C", "link-arg=-Tlink.x", "-C", "link-arg=-Tdefmt.x"]
    );
}

#[test]
fn environment_forms_win_in_cargos_order() {
    let body = "[build]\nrustflags = [\"-Cfile\"]\n";
    let (_d, c) = config_with(body, &[("CARGO_BUILD_RUSTFLAGS", "-Cenv")], &[]);
    assert_eq!(c.rustflags(THUMB, &[]).flags, ["-Cfile", "-Cenv"]);
    let (_d, c) = config_with(
        body,
        &[("CARGO_TARGET_THUMBV7EM_NONE_EABIHF_RUSTFLAGS", "-Ct")],
        &[],
    );
    let r = c.rustflags(THUMB, &[]);
    assert_eq!(
        (r.source, r.flags),
        (RustflagsSource::Target, vec!["-Ct".to_string()])
    );
    let (_d, c) = config_with(body, &[("RUSTFLAGS", "-Ca -Cb")], &[]);
    assert_eq!(c.rustflags(THUMB, &[]).flags, ["-Ca", "-Cb"]);
    let (_d, c) = config_with(
        body,
        &[
            ("RUSTFLAGS", "-Ca"),
            ("CARGO_ENCODED_RUSTFLAGS", "-Cx\x1f-Cy z"),
        ],
        &[],
    );
    let r = c.rustflags(THUMB, &[]);
    assert_eq!(
        (r.source, r.flags),
        (
            RustflagsSource::Env,
            vec!["-Cx".to_string(), "-Cy z".into()]
        )
    );
}

#[test]
fn runner_from_the_triple_then_a_matching_cfg() {
    let body = "[target.'cfg(unix)']\nrunner = \"wrong\"\n\
                [target.'cfg(target_os = \"none\")']\nrunner = \"qemu-system-arm -kernel\"\n";
    let (_d, c) = config_with(body, &[], &[]);
    let r = c.runner(THUMB, &thumb_cfgs()).unwrap();
    assert_eq!(r.argv, ["qemu-system-arm", "-kernel"]);
    assert!(r.source.contains("cfg(target_os"), "{}", r.source);
    let (_d, c) = config_with(
        body,
        &[("CARGO_TARGET_THUMBV7EM_NONE_EABIHF_RUNNER", "probe-rs run")],
        &[],
    );
    assert_eq!(
        c.runner(THUMB, &thumb_cfgs()).unwrap().argv,
        ["probe-rs", "run"]
    );
}

#[test]
fn build_target_and_command_line_precedence() {
    let body = "[build]\ntarget = \"thumbv6m-none-eabi\"\n";
    let (_d, c) = config_with(body, &[], &[]);
    assert_eq!(c.build_target().as_deref(), Some("thumbv6m-none-eabi"));
    let (_d, c) = config_with(
        body,
        &[("CARGO_BUILD_TARGET", "riscv32imc-unknown-none-elf")],
        &[],
    );
    assert_eq!(
        c.build_target().as_deref(),
        Some("riscv32imc-unknown-none-elf")
    );
    let (_d, c) = config_with(
        body,
        &[("CARGO_BUILD_TARGET", "x")],
        &["build.target=\"cli\""],
    );
    assert_eq!(c.build_target().as_deref(), Some("cli"));
    let (_d, c) = config_with("", &[], &[]);
    assert_eq!(c.build_target(), None);
}

#[test]
fn profile_keys_from_files_and_environment() {
    let body = "[profile.release]\nopt-level = \"s\"\nlto = true\n";
    let (_d, c) = config_with(body, &[("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")], &[]);
    let keys = c.profile_keys("release");
    assert_eq!(keys.get("opt-level").map(String::as_str), Some("z"));
    assert_eq!(keys.get("lto").map(String::as_str), Some("true"));
}

#[test]
fn the_digest_changes_with_every_input() {
    let digest = |body: &str, env: &[(&str, &str)]| {
        let (_d, c) = config_with(body, env, &[]);
        let mut h = Sha256::new();
        c.digest(&mut h);
        h.finalize().to_vec()
    };
    let base = digest("", &[]);
    assert_eq!(base, digest("", &[]));
    assert_ne!(base, digest("[build]\nrustflags = []\n", &[]));
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_THUMBV7EM_NONE_EABIHF_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_PROFILE_RELEASE_OPT_LEVEL",
        "RUSTC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        assert_ne!(base, digest("", &[(var, "x")]), "{var}");
    }
    // Not build inputs.
    assert_eq!(
        base,
        digest("", &[("CARGO_TARGET_DIR", "/t"), ("TERM", "dumb")])
    );
}

#[test]
fn bad_command_line_config_is_an_error() {
    let e = CargoConfig::discover_with_env(Path::new("/"), &["no such file".into()], Vec::new())
        .unwrap_err()
        .to_string();
    assert!(e.contains("KEY=VALUE"), "{e}");
}
