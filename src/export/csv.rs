//! CSV: one row per configuration, stable column names. The article's
//! `config,raw_kb,stripped_kb,flash_pct` columns are included, measured
//! honestly (flash_pct is flash bytes over the chip's flash).

use super::Exporter;
use crate::report::Report;

pub struct CsvExporter;

pub const COLUMNS: &[&str] = &[
    "config",
    "ok",
    "profile",
    "changes",
    "file_bytes",
    "stripped_bytes",
    "flash_bytes",
    "image_bytes",
    "ram_bytes",
    "text",
    "data",
    "bss",
    "build_cpu_seconds",
    "build_wall_seconds",
    "cached",
    "flash_delta_bytes",
    "flash_delta_pct",
    "raw_kb",
    "stripped_kb",
    "flash_kb",
    "flash_pct",
    "ram_pct",
    "artifact",
    "error",
    "log",
    "verify",
    "over_budget",
    "cost_per_unit",
    "cost_total",
    "tier",
    "tier_price",
    "flash_saving_total",
    "tier_saving_total",
    "ota_cost_per_year",
    "ota_saving_per_year",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// Money with four decimals: exact enough, without float noise.
fn money(v: f64) -> String {
    format!("{v:.4}")
}

fn kb(b: u64) -> String {
    format!("{:.2}", b as f64 / 1024.0)
}

impl Exporter for CsvExporter {
    fn render(&self, report: &Report) -> anyhow::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(COLUMNS)?;
        for c in &report.configs {
            let s = c.size.as_ref();
            let d = c.delta.as_ref();
            let cost = c.cost.as_ref();
            w.write_record([
                c.config.name.clone(),
                c.ok.to_string(),
                c.config.profile.as_str().to_string(),
                c.changes.clone(),
                opt(s.map(|s| s.file_bytes)),
                opt(s.map(|s| s.stripped_bytes)),
                opt(s.map(|s| s.flash_bytes)),
                opt(s.map(|s| s.image_bytes)),
                opt(s.map(|s| s.ram_bytes)),
                opt(s.map(|s| s.berkeley.text)),
                opt(s.map(|s| s.berkeley.data)),
                opt(s.map(|s| s.berkeley.bss)),
                opt(c.build_cpu_seconds.map(|t| format!("{t:.3}"))),
                opt(c.build_wall_seconds.map(|t| format!("{t:.3}"))),
                c.fresh.to_string(),
                opt(d.map(|d| d.flash_bytes)),
                opt(d.and_then(|d| d.flash_change_pct)),
                opt(s.map(|s| kb(s.file_bytes))),
                opt(s.map(|s| kb(s.stripped_bytes))),
                opt(s.map(|s| kb(s.flash_bytes))),
                opt(c.flash_pct),
                opt(c.ram_pct),
                opt(c.artifact.as_ref().map(|p| p.display().to_string())),
                c.error.clone().unwrap_or_default(),
                opt(c.log.as_ref().map(|p| p.display().to_string())),
                c.verify
                    .as_ref()
                    .and_then(|v| serde_json::to_value(v.status).ok())
                    .and_then(|s| s.as_str().map(String::from))
                    .unwrap_or_default(),
                report
                    .budget
                    .as_ref()
                    .map(|b| {
                        b.violations
                            .iter()
                            .any(|v| v.starts_with(&format!("{}: ", c.config.name)))
                            .to_string()
                    })
                    .unwrap_or_default(),
                opt(cost.and_then(|k| k.flash_cost_per_unit).map(money)),
                opt(cost.and_then(|k| k.flash_cost_total).map(money)),
                opt(cost.and_then(|k| k.tier.clone())),
                opt(cost.and_then(|k| k.tier_price).map(money)),
                opt(cost.and_then(|k| k.flash_saving_total).map(money)),
                opt(cost.and_then(|k| k.tier_saving_total).map(money)),
                opt(cost.and_then(|k| k.ota_cost_per_year).map(money)),
                opt(cost.and_then(|k| k.ota_saving_per_year).map(money)),
            ])?;
        }
        Ok(w.into_inner()?)
    }
}
