//! Sharing compiled dependencies between configurations.
//!
//! Cargo hashes the whole profile into every unit it compiles, `strip` and
//! the kind of LTO included, so two configurations that differ only there
//! rebuild every dependency although rustc compiles them identically: strip
//! acts at the link, and thin and fat LTO both compile dependencies to the
//! same bitcode-only units. Such configurations form a *family*: it has one
//! cargo target directory, its first configuration (the base) is built as
//! usual, and the others rebuild only the root crate, with the base's
//! profile and `-C strip=...` / `-C lto=...` for that crate (rustc takes the
//! last value of a `-C` option). The base's dependencies are then reused.
//!
//! Across LTO modes: cargo compiles dependencies to objects only without
//! LTO (`-C embed-bitcode=no`) and to bitcode only with it
//! (`-C linker-plugin-lto`), so `release` and `lto-fat` share nothing. When
//! a run has both kinds in one family otherwise, the family compiles its
//! dependencies with `-C embed-bitcode=yes` (objects with bitcode inside, as
//! cargo itself does when a crate is needed both ways); its base is a
//! configuration without LTO, whose link uses the objects, and the others
//! rebuild the root crate with `-C lto=thin|fat|off`, whose LTO reads the
//! bitcode. The images equal their own builds' (tests/firmware.rs).
//!
//! The difference from a build of their own: the dependencies' crate hashes
//! (in symbol names) are the base's. Sizes are the same (tests/firmware.rs);
//! a few instructions may come in another order, as between any two builds
//! whose crate hashes differ. `--no-share` builds every configuration alone.

use crate::matrix::{BuildInputs, Config, Lto, Settings};

/// The rustflag that makes a family's dependencies carry bitcode too.
pub const EMBED_BITCODE: &str = "-Cembed-bitcode=yes";

/// Whether a build with this effective `lto` links with LTO.
pub fn links_with_lto(lto: Lto) -> bool {
    matches!(lto, Lto::Thin | Lto::Fat)
}

/// The family a configuration would have if linking with or without LTO
/// did not change its dependencies. `lto = "off"` stays apart: it also
/// turns off the thin-local LTO inside every dependency.
pub fn lto_free_family(config: &Config, build_std: &[String], workspace: &str) -> String {
    let mut s = dependency_settings(config, true);
    if s.lto != Some(Lto::Off) {
        s.lto = None;
    }
    let id = BuildInputs::of(config)
        .with_settings(s)
        .with_build_std(build_std)
        .without_link_args()
        .id(workspace);
    format!("{id}-bitcode")
}

/// What compiles the dependencies: the configuration without `strip`, and
/// with thin and fat LTO alike (both bitcode-only dependencies).
fn dependency_settings(config: &Config, share: bool) -> Settings {
    let mut s = config.settings.clone();
    if share {
        s.strip = None;
        if matches!(s.lto, Some(Lto::Thin)) {
            s.lto = Some(Lto::Fat);
        }
    }
    s
}

/// A configuration's final-link arguments for the root crate's rustc.
pub fn link_args(config: &Config) -> Vec<String> {
    config
        .link_args
        .iter()
        .map(|a| format!("-Clink-arg={a}"))
        .collect()
}

/// The family of a configuration: a short stable name for its target
/// directory. `build_std` is what is built from source for it in effect;
/// `workspace` keeps two checkouts of one project apart (cargo hashes a
/// workspace's own packages by their path relative to its root, so they
/// would overwrite each other's units in one directory).
pub fn family(config: &Config, share: bool, build_std: &[String], workspace: &str) -> String {
    BuildInputs::of(config)
        .with_settings(dependency_settings(config, share))
        .with_build_std(build_std)
        .without_link_args()
        .id(workspace)
}

/// The rustc arguments for the root crate that turn `base`'s build into
/// `config`'s, when both are of one family; `None` when `config` must be
/// built with its own profile (e.g. it leaves `strip` to the project's
/// profile while the base sets it: that default cannot be restated).
/// `lto` gives each one's effective LTO (their own or the profile's).
pub fn root_args(base: &Config, config: &Config, lto: (Lto, Lto)) -> Option<Vec<String>> {
    if base.profile != config.profile
        || base.rustflags != config.rustflags
        || base.build_std != config.build_std
        || base.build_std_features != config.build_std_features
        || !base.link_args.is_empty()
        // A wasm-opt level is the same cargo build, not a shared one.
        || base.wasm_opt != config.wasm_opt
    {
        return None;
    }
    let (b, c) = (&base.settings, &config.settings);
    let mut rest_b = b.clone();
    let mut rest_c = c.clone();
    rest_b.strip = None;
    rest_c.strip = None;
    rest_b.lto = None;
    rest_c.lto = None;
    if rest_b != rest_c {
        return None;
    }
    let mut args = Vec::new();
    if b.strip != c.strip {
        args.push(format!("-Cstrip={}", c.strip?.as_str()));
    }
    args.extend(link_args(config));
    let (lb, lc) = lto;
    if lb != lc {
        // Bitcode-only dependencies cannot be linked without LTO, and
        // cargo's default (thin-local, no flag) cannot be restated.
        let from_lto = links_with_lto(lb);
        if (from_lto && !links_with_lto(lc)) || lc == Lto::False {
            return None;
        }
        args.push(format!("-Clto={}", lc.as_str()));
    }
    Some(args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{BaseProfile, OptLevel, Strip};

    fn release(f: impl FnOnce(&mut Settings)) -> Config {
        let mut s = Settings::default();
        f(&mut s);
        Config::new("c", BaseProfile::Release, s)
    }

    #[test]
    fn strip_and_lto_kind_share_a_family() {
        let plain = release(|_| {});
        let strip = release(|s| s.strip = Some(Strip::Symbols));
        let thin = release(|s| s.lto = Some(Lto::Thin));
        let fat = release(|s| s.lto = Some(Lto::Fat));
        let off = release(|s| s.lto = Some(Lto::Off));
        let f = |c: &Config, share| family(c, share, &[], "/w");
        assert_eq!(f(&plain, true), f(&strip, true));
        assert_eq!(f(&thin, true), f(&fat, true));
        assert_ne!(f(&plain, true), f(&thin, true));
        assert_ne!(f(&off, true), f(&fat, true));
        assert_ne!(f(&plain, false), f(&strip, false));
        assert_ne!(
            f(&plain, true),
            family(&plain, true, &["core".into()], "/w")
        );
        assert_ne!(
            f(&plain, true),
            family(&plain, true, &[], "/other/checkout")
        );
        let none = (Lto::False, Lto::False);
        assert_eq!(
            root_args(&plain, &strip, none),
            Some(vec!["-Cstrip=symbols".to_string()])
        );
        assert_eq!(
            root_args(&thin, &fat, (Lto::Thin, Lto::Fat)),
            Some(vec!["-Clto=fat".to_string()])
        );
        assert_eq!(root_args(&plain, &plain, none), Some(vec![]));
        // From a build without LTO (its dependencies carrying bitcode).
        assert_eq!(
            root_args(&plain, &fat, (Lto::False, Lto::Fat)),
            Some(vec!["-Clto=fat".to_string()])
        );
        assert_eq!(
            root_args(&plain, &off, (Lto::False, Lto::Off)),
            Some(vec!["-Clto=off".to_string()])
        );
        assert_eq!(root_args(&off, &plain, (Lto::Off, Lto::False)), None);
        assert_eq!(root_args(&fat, &plain, (Lto::Fat, Lto::False)), None);
        assert_eq!(
            lto_free_family(&plain, &[], "/w"),
            lto_free_family(&fat, &[], "/w")
        );
        assert_eq!(
            lto_free_family(&plain, &[], "/w"),
            lto_free_family(&thin, &[], "/w")
        );
        // lto = "off" changes how every dependency is compiled.
        assert_ne!(
            lto_free_family(&off, &[], "/w"),
            lto_free_family(&thin, &[], "/w")
        );
    }

    #[test]
    fn what_changes_dependencies_is_never_derived() {
        let plain = release(|_| {});
        let strip = release(|s| s.strip = Some(Strip::Symbols));
        let z = release(|s| s.opt_level = Some(OptLevel::Z));
        let none = (Lto::False, Lto::False);
        assert_eq!(root_args(&plain, &z, none), None);
        // The project's own strip cannot be restated for the root crate.
        assert_eq!(root_args(&strip, &plain, none), None);
        let mut dev = plain.clone();
        dev.profile = BaseProfile::Dev;
        assert_eq!(root_args(&plain, &dev, none), None);
    }
}
