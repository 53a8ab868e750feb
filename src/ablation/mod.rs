//! What each setting buys: from the baseline, the effect of each single
//! setting on its own; from the smallest configuration, the cost of
//! reverting each of its settings. Pairs whose flash images are identical
//! are named as such.

use serde::{Deserialize, Serialize};

use crate::matrix::{Config, Settings};
use crate::results::{ConfigResult, Objective};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Effect {
    /// `lto=fat`, or `lto` (reverted to the baseline's value).
    pub setting: String,
    pub from: String,
    pub to: String,
    pub flash_delta_bytes: i64,
    pub stripped_delta_bytes: i64,
    /// WebAssembly: change in the brotli transfer size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brotli_delta_bytes: Option<i64>,
    /// Change in build CPU seconds (only between builds that compiled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_cpu_delta_seconds: Option<f64>,
    /// Both builds put exactly the same bytes into flash.
    pub identical_flash: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Ablation {
    pub objective: Objective,
    pub smallest: String,
    /// Each single setting added to the baseline, sorted by effect.
    pub single: Vec<Effect>,
    /// Each setting of the smallest configuration reverted, sorted by effect.
    pub revert: Vec<Effect>,
    /// Groups of configurations with identical flash images.
    pub identical: Vec<Vec<String>>,
}

/// `(key, value)` pairs that are set.
fn pairs(s: &Settings) -> Vec<(&'static str, String)> {
    s.toml_pairs()
}

fn same_extras(a: &ConfigResult, b: &ConfigResult) -> bool {
    let (a, b) = (&a.config, &b.config);
    a.profile == b.profile && a.rustflags == b.rustflags && a.build_std == b.build_std
}

/// The single key in which `b` differs from `a`, if exactly one.
fn one_difference(a: &Settings, b: &Settings) -> Option<&'static str> {
    let (pa, pb) = (pairs(a), pairs(b));
    let keys: std::collections::BTreeSet<&'static str> =
        pa.iter().chain(pb.iter()).map(|(k, _)| *k).collect();
    let differing: Vec<&'static str> = keys
        .into_iter()
        .filter(|k| pa.iter().find(|(x, _)| x == k) != pb.iter().find(|(x, _)| x == k))
        .collect();
    (differing.len() == 1).then(|| differing[0])
}

fn effect(setting: String, from: &ConfigResult, to: &ConfigResult) -> Option<Effect> {
    let (a, b) = (from.size.as_ref()?, to.size.as_ref()?);
    Some(Effect {
        setting,
        from: from.config.name.clone(),
        to: to.config.name.clone(),
        flash_delta_bytes: b.flash_bytes as i64 - a.flash_bytes as i64,
        stripped_delta_bytes: b.stripped_bytes as i64 - a.stripped_bytes as i64,
        brotli_delta_bytes: Objective::Brotli
            .of(to)
            .zip(Objective::Brotli.of(from))
            .map(|(y, x)| y as i64 - x as i64),
        // A cached build's time says nothing about its cost.
        build_cpu_delta_seconds: from
            .build_cpu_seconds
            .zip(to.build_cpu_seconds)
            .filter(|_| !from.fresh && !to.fresh)
            .map(|(x, y)| ((y - x) * 100.0).round() / 100.0),
        identical_flash: a.flash_hash == b.flash_hash,
    })
}

fn value_of(s: &Settings, key: &str) -> String {
    pairs(s)
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.trim_matches('"').to_string())
        .unwrap_or_else(|| "default".into())
}

/// The ablation view of whatever the rows hold, from `baseline`.
pub fn analyse(rows: &[ConfigResult], baseline: &str, objective: Objective) -> Option<Ablation> {
    let base = rows.iter().find(|c| c.config.name == baseline)?;
    base.size.as_ref()?;
    let smallest = rows
        .iter()
        .filter(|c| same_extras(c, base))
        .filter_map(|c| objective.of(c).map(|v| (v, c)))
        .min_by_key(|(v, c)| (*v, pairs(&c.config.settings).len()))?
        .1;
    let mut single = Vec::new();
    let mut revert = Vec::new();
    for c in rows.iter().filter(|c| same_extras(c, base)) {
        let (cs, bs, ss) = (
            &c.config.settings,
            &base.config.settings,
            &smallest.config.settings,
        );
        if let Some(key) = one_difference(bs, cs) {
            if let Some(e) = effect(format!("{key}={}", value_of(cs, key)), base, c) {
                single.push(e);
            }
        }
        if c.config.name != smallest.config.name {
            if let Some(key) = one_difference(ss, cs) {
                // Reverting: the other configuration leaves the key as the baseline has it.
                if value_of(cs, key) == value_of(bs, key) {
                    if let Some(e) =
                        effect(format!("{key} back to {}", value_of(bs, key)), smallest, c)
                    {
                        revert.push(e);
                    }
                }
            }
        }
    }
    let by_effect = |v: &mut Vec<Effect>| {
        v.sort_by_key(|e| match objective {
            Objective::Flash => -(e.flash_delta_bytes.abs()),
            Objective::Stripped => -(e.stripped_delta_bytes.abs()),
            Objective::Brotli => -(e.brotli_delta_bytes.unwrap_or(0).abs()),
        })
    };
    by_effect(&mut single);
    by_effect(&mut revert);
    Some(Ablation {
        objective,
        smallest: smallest.config.name.clone(),
        single,
        revert,
        identical: identical_groups(rows),
    })
}

fn identical_groups(rows: &[ConfigResult]) -> Vec<Vec<String>> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for c in rows {
        let Some(s) = &c.size else { continue };
        let name = c.config.name.clone();
        match groups.iter_mut().find(|(h, _)| *h == s.flash_hash) {
            Some((_, names)) => names.push(name),
            None => groups.push((s.flash_hash.clone(), vec![name])),
        }
    }
    groups
        .into_iter()
        .map(|(_, n)| n)
        .filter(|n| n.len() > 1)
        .collect()
}

/// Configurations to add so the view is complete: the baseline plus each
/// setting of the smallest, and the smallest minus each of its settings.
pub fn missing_configs(
    rows: &[ConfigResult],
    baseline: &str,
    objective: Objective,
    all: &[Config],
) -> Vec<Config> {
    let Some(base_cfg) = all.iter().find(|c| c.name == baseline) else {
        return Vec::new();
    };
    let Some(smallest) = rows
        .iter()
        .filter(|c| {
            c.config.profile == base_cfg.profile && c.config.rustflags == base_cfg.rustflags
        })
        .filter_map(|c| objective.of(c).map(|v| (v, c)))
        .min_by_key(|(v, _)| *v)
        .map(|(_, c)| c)
    else {
        return Vec::new();
    };
    let have: Vec<&Settings> = rows.iter().map(|c| &c.config.settings).collect();
    let smallest_name = &smallest.config.name;
    let smallest = &smallest.config;
    let mut out: Vec<Config> = Vec::new();
    for (key, value) in pairs(&smallest.settings) {
        let value = value.trim_matches('"').to_string();
        if value_of(&base_cfg.settings, key) == value {
            continue;
        }
        let mut single = base_cfg.settings.clone();
        if single.set(key, &value).is_ok()
            && !have.contains(&&single)
            && !out.iter().any(|c| c.settings == single)
        {
            let mut c = base_cfg.clone();
            c.name = format!("+{key}={value}");
            c.settings = single;
            out.push(c);
        }
        let mut reverted = smallest.settings.clone();
        if reset(&mut reverted, key, &base_cfg.settings)
            && !have.contains(&&reverted)
            && !out.iter().any(|c| c.settings == reverted)
        {
            let mut c = base_cfg.clone();
            c.name = format!("{smallest_name} -{key}");
            c.settings = reverted;
            out.push(c);
        }
    }
    out
}

/// Set `key` in `s` to what `base` has (possibly unset).
fn reset(s: &mut Settings, key: &str, base: &Settings) -> bool {
    match key {
        "opt-level" => s.opt_level = base.opt_level,
        "lto" => s.lto = base.lto,
        "codegen-units" => s.codegen_units = base.codegen_units,
        "panic" => s.panic = base.panic,
        "strip" => s.strip = base.strip,
        "debug" => s.debug = base.debug,
        "overflow-checks" => s.overflow_checks = base.overflow_checks,
        "debug-assertions" => s.debug_assertions = base.debug_assertions,
        "incremental" => s.incremental = base.incremental,
        _ => return false,
    }
    true
}
