//! Attribution of the binaries a run built (`--attribute`, `top`, `diff`):
//! symbol table, line table when present, and the build's rlibs for exact
//! crate names.

use std::collections::HashMap;
use std::path::PathBuf;

use super::session::Session;
use crate::attribute::{attribute_map, Options, RlibIndex};
use crate::matrix::Config;
use crate::report::Report;

/// Symbols kept per configuration in a report (all crates are kept).
const KEEP_SYMBOLS: usize = 500;

/// The symbols of the rlibs a configuration's build linked: its family's
/// compiled crates and the sysroot's; `None` when there are none.
pub fn rlib_index(s: &Session, config: &Config) -> Option<RlibIndex> {
    let sysroot_lib = s
        .env
        .toolchain
        .sysroot
        .join("lib/rustlib")
        .join(&s.env.target)
        .join("lib");
    let index = RlibIndex::build(&[&s.env.deps_dir(config), &sysroot_lib]);

    (index.rlibs > 0).then_some(index)
}

/// Attribute every built binary, keeping the largest symbols.
pub fn attribute_all(s: &Session, report: &mut Report) {
    let own = s.env.project.package.replace('-', "_");
    let mut indexes: HashMap<PathBuf, Option<RlibIndex>> = HashMap::new();
    for c in report.configs.iter_mut() {
        // A stripped build is attributed from its unstripped twin (same code).
        let Some(path) = c.debug_file.clone().or(c.artifact.clone()).filter(|_| c.ok) else {
            continue;
        };
        let index = indexes
            .entry(s.env.deps_dir(&c.config))
            .or_insert_with(|| rlib_index(s, &c.config))
            .clone();
        let opts = Options {
            own_crate: Some(own.clone()),
            rlibs: index,
            keep_symbols: Some(KEEP_SYMBOLS),
            ..Options::default()
        };
        let Ok(bytes) = crate::measure::map_file(&path) else {
            continue;
        };
        if let Ok(a) = attribute_map(&bytes, &opts) {
            c.checks.attribution = Some(a);
        }
    }
}
