//! Differences between two builds: per configuration and section, then the
//! crates and symbols that grew, shrank, appeared or disappeared, sorted by
//! absolute change. Identical inputs give zero everywhere.

mod chains;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use chains::{first_chain, Chain};

use crate::attribute::Attribution;
use crate::report::Report;
use crate::results::ConfigResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Grew,
    Shrank,
    Appeared,
    Disappeared,
    Same,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Change {
    pub name: String,
    #[serde(rename = "before_bytes")]
    pub before: Option<u64>,
    #[serde(rename = "after_bytes")]
    pub after: Option<u64>,
    /// After − before: positive when it grew.
    #[serde(rename = "delta_bytes")]
    pub delta: i64,
    pub status: Status,
}

impl Change {
    pub fn new(name: &str, before: Option<u64>, after: Option<u64>) -> Change {
        let delta = (after.unwrap_or(0) as i64).saturating_sub(before.unwrap_or(0) as i64);
        let status = match (before, after) {
            (None, Some(_)) => Status::Appeared,
            (Some(_), None) => Status::Disappeared,
            _ if delta > 0 => Status::Grew,
            _ if delta < 0 => Status::Shrank,
            _ => Status::Same,
        };
        Change {
            name: name.to_string(),
            before,
            after,
            delta,
            status,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConfigDiff {
    pub name: String,
    /// file, stripped, flash, image, RAM.
    pub totals: Vec<Change>,
    pub sections: Vec<Change>,
    pub crates: Vec<Change>,
    pub symbols: Vec<Change>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Diff {
    pub before: String,
    pub after: String,
    pub configs: Vec<ConfigDiff>,
    /// For each crate that appeared, what pulled it in (`diff --git`, `bisect`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chains: Vec<Chain>,
    /// Notes: configurations only on one side, attribution missing, …
    pub notes: Vec<String>,
}

impl Diff {
    /// Largest flash growth of any configuration: (bytes, percent).
    pub fn worst_flash_growth(&self) -> Option<(&str, i64, f64)> {
        self.configs
            .iter()
            .filter_map(|c| {
                let f = c.totals.iter().find(|t| t.name == "flash")?;
                let pct = match f.before {
                    Some(b) if b > 0 => f.delta as f64 * 100.0 / b as f64,
                    _ => 0.0,
                };
                Some((c.name.as_str(), f.delta, pct))
            })
            .max_by_key(|(_, d, _)| *d)
    }
}

/// Changes of two name → bytes maps, unchanged entries dropped, largest first.
pub fn compare_maps(a: &BTreeMap<String, u64>, b: &BTreeMap<String, u64>) -> Vec<Change> {
    let names: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut out: Vec<Change> = names
        .into_iter()
        .map(|n| Change::new(n, a.get(n).copied(), b.get(n).copied()))
        .filter(|c| c.status != Status::Same)
        .collect();
    out.sort_by(|x, y| y.delta.abs().cmp(&x.delta.abs()).then(x.name.cmp(&y.name)));
    out
}

fn sum_into(map: &mut BTreeMap<String, u64>, key: String, v: u64) {
    let e = map.entry(key).or_insert(0);
    *e = e.saturating_add(v);
}

fn crate_map(a: &Attribution) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for c in &a.crates {
        sum_into(&mut m, c.name.clone(), c.total());
    }
    m
}

fn symbol_map(a: &Attribution) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for s in &a.symbols {
        sum_into(&mut m, format!("{} [{}]", s.name, s.section), s.bytes);
    }
    m
}

/// Symbol changes; a symbol missing from a side that kept only its
/// largest symbols is not known to be new or gone there, and is left out.
fn compare_symbols(a: &Attribution, b: &Attribution) -> Vec<Change> {
    let (ma, mb) = (symbol_map(a), symbol_map(b));
    compare_maps(&ma, &mb)
        .into_iter()
        .filter(|c| {
            let known = |m: &BTreeMap<String, u64>, x: &Attribution| {
                m.contains_key(&c.name) || x.symbols_below.is_none()
            };
            known(&ma, a) && known(&mb, b)
        })
        .collect()
}

/// Diff of one configuration measured twice.
pub fn compare_configs(a: &ConfigResult, b: &ConfigResult) -> ConfigDiff {
    let (sa, sb) = (a.size.as_ref(), b.size.as_ref());
    let total = |name: &str, f: fn(&crate::measure::Measurement) -> Option<u64>| {
        Change::new(name, sa.and_then(f), sb.and_then(f))
    };
    let mut totals = vec![
        total("file", |m| Some(m.file_bytes)),
        total("stripped", |m| Some(m.stripped_bytes)),
        total("flash", |m| Some(m.flash_bytes)),
        total("image", |m| m.image_bytes),
        total("ram", |m| Some(m.ram_bytes)),
    ];
    // A WebAssembly module is judged on the wire: its transfer sizes first.
    if sa.or(sb).is_some_and(|m| m.wasm.is_some()) {
        totals.splice(
            0..0,
            [
                total("brotli", |m| {
                    m.wasm.as_ref().map(|w| w.shipped_brotli_bytes())
                }),
                total("gzip", |m| m.wasm.as_ref().map(|w| w.shipped_gzip_bytes())),
            ],
        );
    }
    let sections = |m: Option<&crate::measure::Measurement>| {
        let mut map = BTreeMap::new();
        for s in m.map(|m| m.sections.as_slice()).unwrap_or(&[]) {
            if s.class != crate::measure::SectionClass::Other {
                sum_into(&mut map, s.name.clone(), s.size);
            }
        }
        map
    };
    let empty = BTreeMap::new();
    let (ca, cb) = (a.checks.attribution.as_ref(), b.checks.attribution.as_ref());
    ConfigDiff {
        name: b.config.name.clone(),
        totals,
        sections: compare_maps(&sections(sa), &sections(sb)),
        crates: match (ca, cb) {
            (Some(x), Some(y)) => compare_maps(&crate_map(x), &crate_map(y)),
            _ => compare_maps(&empty, &empty),
        },
        symbols: match (ca, cb) {
            (Some(x), Some(y)) => compare_symbols(x, y),
            _ => Vec::new(),
        },
    }
}

impl Diff {
    /// Drop crate and symbol changes smaller than `min` bytes (the jitter
    /// of alignment and inlining), saying how many were dropped.
    pub fn hide_small(&mut self, min: u64) {
        if min == 0 {
            return;
        }
        let mut hidden = 0;
        for c in &mut self.configs {
            for list in [&mut c.crates, &mut c.symbols] {
                let before = list.len();
                list.retain(|x| x.delta.unsigned_abs() >= min);
                hidden += before - list.len();
            }
        }
        if hidden > 0 {
            self.notes.push(format!(
                "{hidden} crate and symbol changes smaller than {min} B not shown (--min-change)"
            ));
        }
    }
}

/// Diff two reports, configurations matched by name.
pub fn compare_reports(a: &Report, b: &Report, before: &str, after: &str) -> Diff {
    let mut notes = Vec::new();
    let mut configs = Vec::new();
    for cb in &b.configs {
        match a.configs.iter().find(|ca| ca.config.name == cb.config.name) {
            Some(ca) => configs.push(compare_configs(ca, cb)),
            None => notes.push(format!("`{}` is only in {after}", cb.config.name)),
        }
    }
    for ca in &a.configs {
        if !b.configs.iter().any(|cb| cb.config.name == ca.config.name) {
            notes.push(format!("`{}` is only in {before}", ca.config.name));
        }
    }
    let attributed = |r: &Report| r.configs.iter().any(|c| c.checks.attribution.is_some());
    if !attributed(a) || !attributed(b) {
        notes.push("crates and symbols are compared only when both reports have attribution (run with --attribute)".into());
    }
    Diff {
        before: before.to_string(),
        after: after.to_string(),
        configs,
        chains: Vec::new(),
        notes,
    }
}

impl Diff {
    /// Crates that appeared in any configuration.
    pub fn new_crates(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.configs {
            for k in c.crates.iter().filter(|k| k.status == Status::Appeared) {
                if !k.name.starts_with('[') && !out.contains(&k.name.as_str()) {
                    out.push(&k.name);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_order() {
        let a: BTreeMap<String, u64> =
            [("x".into(), 10), ("gone".into(), 5), ("same".into(), 7)].into();
        let b: BTreeMap<String, u64> =
            [("x".into(), 4), ("new".into(), 50), ("same".into(), 7)].into();
        let c = compare_maps(&a, &b);
        let got: Vec<(&str, i64, Status)> = c
            .iter()
            .map(|c| (c.name.as_str(), c.delta, c.status))
            .collect();
        assert_eq!(
            got,
            [
                ("new", 50, Status::Appeared),
                ("x", -6, Status::Shrank),
                ("gone", -5, Status::Disappeared)
            ]
        );
        assert!(compare_maps(&a, &a).is_empty());
    }

    #[test]
    fn small_changes_are_hidden_and_counted() {
        let a: BTreeMap<String, u64> = [("jitter".into(), 100), ("grew".into(), 100)].into();
        let b: BTreeMap<String, u64> = [("jitter".into(), 104), ("grew".into(), 400)].into();
        let mut d = Diff {
            configs: vec![ConfigDiff {
                name: "release".into(),
                totals: Vec::new(),
                sections: Vec::new(),
                crates: compare_maps(&a, &b),
                symbols: compare_maps(&a, &b),
            }],
            ..Diff::default()
        };
        d.hide_small(16);
        let names: Vec<&str> = d.configs[0]
            .crates
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["grew"]);
        assert_eq!(d.configs[0].symbols.len(), 1);
        assert!(d.notes[0].starts_with("2 crate and symbol changes smaller than 16 B"));
    }

    fn attribution(symbols: &[(&str, u64)], below: Option<u64>) -> Attribution {
        let rows = symbols
            .iter()
            .map(|(n, b)| {
                serde_json::from_value(serde_json::json!({
                    "name": n, "crate_name": "c", "section": ".text", "kind": "text",
                    "size_bytes": b, "origin": "exact",
                }))
                .expect("a symbol row")
            })
            .collect();
        Attribution {
            code_source: "symbols".into(),
            sections: Vec::new(),
            crates: Vec::new(),
            symbols: rows,
            symbols_below: below,
            notes: Vec::new(),
            total_word: "flash".into(),
        }
    }

    /// A record keeps its largest symbols: one missing there is not "new"
    /// in the other build (this listed every small symbol as appeared).
    #[test]
    fn symbols_a_record_left_out_are_not_new() {
        let record = attribution(&[("big", 500), ("mid", 200)], Some(200));
        let built = attribution(&[("big", 500), ("mid", 210), ("small", 40)], None);
        let got: Vec<(String, i64)> = compare_symbols(&record, &built)
            .into_iter()
            .map(|c| (c.name, c.delta))
            .collect();
        assert_eq!(got, [("mid [.text]".to_string(), 10)]);
        let complete = attribution(&[("big", 500), ("mid", 200)], None);
        assert_eq!(
            compare_symbols(&complete, &built).len(),
            2,
            "small appeared"
        );
    }
}
