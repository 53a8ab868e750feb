//! Built-in sets of configurations.

use super::config::{BaseProfile, Config};
use super::settings::{Debug, Lto, OptLevel, Panic, Settings, Strip};

/// Names and one-line descriptions of the presets.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "standard",
        "release vs opt-level s/z, codegen-units 1, thin/fat LTO, panic abort, strip, and min-sized-rust's combination",
    ),
    (
        "seed",
        "the seven configurations of the article cargo-weigh grew from (debug, release, strip, thin/fat LTO, its optimized profile)",
    ),
    ("release", "the release profile as the project has it, alone"),
];

pub fn preset(name: &str) -> Option<Vec<Config>> {
    match name {
        "standard" => Some(standard()),
        "seed" => Some(seed()),
        "release" => Some(vec![Config::new(
            "release",
            BaseProfile::Release,
            Settings::default(),
        )]),
        _ => None,
    }
}

fn release(name: &str, f: impl FnOnce(&mut Settings)) -> Config {
    let mut s = Settings::default();
    f(&mut s);
    Config::new(name, BaseProfile::Release, s)
}

fn standard() -> Vec<Config> {
    vec![
        release("release", |_| {}),
        release("opt-s", |s| s.opt_level = Some(OptLevel::S)),
        release("opt-z", |s| s.opt_level = Some(OptLevel::Z)),
        release("cgu1", |s| s.codegen_units = Some(1)),
        release("lto-thin", |s| s.lto = Some(Lto::Thin)),
        release("lto-fat", |s| s.lto = Some(Lto::Fat)),
        release("panic-abort", |s| s.panic = Some(Panic::Abort)),
        release("strip", |s| s.strip = Some(Strip::Symbols)),
        release("z-fat-cgu1", |s| {
            s.opt_level = Some(OptLevel::Z);
            s.lto = Some(Lto::Fat);
            s.codegen_units = Some(1);
        }),
        // https://github.com/johnthagen/min-sized-rust, without nightly-only steps.
        release("min-sized-rust", |s| {
            s.opt_level = Some(OptLevel::Z);
            s.lto = Some(Lto::Fat);
            s.codegen_units = Some(1);
            s.panic = Some(Panic::Abort);
            s.strip = Some(Strip::Symbols);
        }),
    ]
}

/// The article's optimized `[profile.release]`, with the given LTO.
fn article_optimized(s: &mut Settings, lto: Lto) {
    s.opt_level = Some(OptLevel::Z);
    s.lto = Some(lto);
    s.codegen_units = Some(1);
    s.strip = Some(Strip::Symbols);
    s.panic = Some(Panic::Abort);
    s.debug = Some(Debug::None);
    s.overflow_checks = Some(false);
    s.incremental = Some(false);
}

fn seed() -> Vec<Config> {
    vec![
        Config::new("Default Debug", BaseProfile::Dev, Settings::default()),
        release("Default Release", |_| {}),
        release("Release + Strip", |s| s.strip = Some(Strip::Symbols)),
        release("Release + LTO Thin", |s| s.lto = Some(Lto::Thin)),
        release("Release + LTO Full", |s| s.lto = Some(Lto::Fat)),
        release("Optimized (thin LTO)", |s| article_optimized(s, Lto::Thin)),
        release("Optimized (fat LTO)", |s| article_optimized(s, Lto::Fat)),
    ]
}
