//! CSV: one row per configuration, raw values (bytes, seconds), every
//! column documented in README.md (the article's `config`, KiB figures and
//! `flash_pct` included, measured honestly).

use crate::report::Report;
use crate::results::ConfigResult;

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
    "text_bytes",
    "data_bytes",
    "bss_bytes",
    "flash_delta_bytes",
    "flash_change_pct",
    "stripped_delta_bytes",
    "build_cpu_seconds",
    "build_wall_seconds",
    "fresh",
    "reused",
    "measured_at",
    "flash_pct",
    "ram_pct",
    "overflow",
    "verify",
    "over_budget",
    "cost_delta",
    "cost_per_unit",
    "tier",
    "ota_cost_per_year",
    "instructions",
    "instructions_change_pct",
    "boot_instructions",
    "stack_bytes",
    "static_stack_bytes",
    "ram_free_bytes",
    "run_wall_seconds",
    "run_wall_spread_pct",
    "compressed_image_bytes",
    "ota_codec",
    "ota_delta_bytes",
    "file_kib",
    "stripped_kib",
    "flash_kib",
    "artifact",
    "log",
    "error",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn kib(b: u64) -> String {
    format!("{:.2}", b as f64 / 1024.0)
}

fn record(report: &Report, c: &ConfigResult) -> Vec<String> {
    let s = c.size.as_ref();
    let d = c.delta.as_ref();
    let k = c.cost.as_ref();
    let r = c.runtime.as_ref();
    let over = report.budget.as_ref().map(|b| {
        let prefix = format!("{}: ", c.config.name);
        b.violations
            .iter()
            .any(|v| v.starts_with(&prefix))
            .to_string()
    });
    let overflow: Vec<String> = c
        .overflow
        .iter()
        .map(|o| format!("{}:{}", o.region, o.over_bytes))
        .collect();
    vec![
        c.config.name.clone(),
        c.ok.to_string(),
        c.config.profile.as_str().to_string(),
        c.changes.clone(),
        opt(s.map(|s| s.file_bytes)),
        opt(s.map(|s| s.stripped_bytes)),
        opt(s.map(|s| s.flash_bytes)),
        opt(s.and_then(|s| s.image_bytes)),
        opt(s.map(|s| s.ram_bytes)),
        opt(s.map(|s| s.berkeley.text)),
        opt(s.map(|s| s.berkeley.data)),
        opt(s.map(|s| s.berkeley.bss)),
        opt(d.map(|d| d.flash_delta_bytes)),
        opt(d.and_then(|d| d.flash_change_pct)),
        opt(d.map(|d| d.stripped_delta_bytes)),
        opt(c.build_cpu_seconds.map(|t| format!("{t:.3}"))),
        opt(c.build_wall_seconds.map(|t| format!("{t:.3}"))),
        c.fresh.to_string(),
        c.reused.to_string(),
        c.measured_at.clone().unwrap_or_default(),
        opt(c.flash_pct),
        opt(c.ram_pct),
        overflow.join(" "),
        c.verify
            .as_ref()
            .and_then(|v| serde_json::to_value(v.status).ok())
            .and_then(|s| s.as_str().map(String::from))
            .unwrap_or_default(),
        over.unwrap_or_default(),
        opt(k.and_then(|k| k.delta_total()).map(|v| format!("{v:.4}"))),
        opt(k.and_then(|k| k.per_unit()).map(|v| format!("{v:.4}"))),
        opt(k.and_then(|k| k.tier.clone())),
        opt(k
            .and_then(|k| k.ota_cost_per_year)
            .map(|v| format!("{v:.4}"))),
        opt(r.and_then(|r| r.instructions)),
        opt(d.and_then(|d| d.instructions_change_pct)),
        opt(r.and_then(|r| r.boot_instructions)),
        opt(r.and_then(|r| r.stack_bytes)),
        opt(r.and_then(|r| r.static_stack_bytes)),
        opt(c.ram_headroom().map(|(_, left)| left)),
        opt(r.and_then(|r| r.wall_seconds).map(|t| format!("{t:.6}"))),
        opt(r.and_then(|r| r.wall_spread).map(|p| format!("{p:.1}"))),
        opt(c.ota.as_ref().map(|o| o.compressed_image_bytes)),
        opt(c
            .ota
            .as_ref()
            .and_then(|o| o.codecs.first().map(|k| k.codec.clone()))),
        opt(c.ota.as_ref().and_then(|o| o.delta_bytes)),
        opt(s.map(|s| kib(s.file_bytes))),
        opt(s.map(|s| kib(s.stripped_bytes))),
        opt(s.map(|s| kib(s.flash_bytes))),
        opt(c.artifact.as_ref().map(|p| p.display().to_string())),
        opt(c.log.as_ref().map(|p| p.display().to_string())),
        c.error.clone().unwrap_or_default(),
    ]
}

pub fn render(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for c in &report.configs {
        w.write_record(record(report, c))?;
    }
    Ok(w.into_inner()?)
}
