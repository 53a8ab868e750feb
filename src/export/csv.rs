//! CSV: one row per configuration, raw values (bytes, seconds), every
//! column documented in README.md (the article's `config`, KiB figures and
//! `flash_pct` included, measured honestly).

use crate::report::Report;
use crate::results::ConfigResult;

/// One CSV row: the header is its field names, in this order.
#[derive(serde::Serialize, Default)]
struct Row {
    config: String,
    ok: bool,
    profile: String,
    changes: String,
    file_bytes: Option<u64>,
    stripped_bytes: Option<u64>,
    flash_bytes: Option<u64>,
    image_bytes: Option<u64>,
    ram_bytes: Option<u64>,
    text_bytes: Option<u64>,
    data_bytes: Option<u64>,
    bss_bytes: Option<u64>,
    flash_delta_bytes: Option<i64>,
    flash_change_pct: Option<String>,
    stripped_delta_bytes: Option<i64>,
    build_cpu_seconds: Option<String>,
    build_wall_seconds: Option<String>,
    fresh: bool,
    reused: bool,
    measured_at: Option<String>,
    flash_pct: Option<String>,
    ram_pct: Option<String>,
    overflow: String,
    verify: Option<String>,
    over_budget: Option<bool>,
    cost_delta: Option<String>,
    cost_per_unit: Option<String>,
    tier: Option<String>,
    ota_cost_per_year: Option<String>,
    instructions: Option<u64>,
    instructions_change_pct: Option<String>,
    boot_instructions: Option<u64>,
    stack_bytes: Option<u64>,
    static_stack_bytes: Option<u64>,
    ram_free_bytes: Option<i64>,
    run_wall_seconds: Option<String>,
    run_wall_spread_pct: Option<String>,
    compressed_image_bytes: Option<u64>,
    ota_codec: Option<String>,
    ota_delta_bytes: Option<u64>,
    file_kib: Option<String>,
    stripped_kib: Option<String>,
    flash_kib: Option<String>,
    artifact: Option<String>,
    log: Option<String>,
    error: Option<String>,
    brotli_bytes: Option<u64>,
    gzip_bytes: Option<u64>,
}

/// The column names, in order (what README.md documents).
pub fn columns() -> Vec<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(Row::default()).expect("a row serializes");
    let bytes = w.into_inner().expect("written to memory");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let header = text.lines().next().unwrap_or_default();
    header.split(',').map(String::from).collect()
}

fn fixed(v: f64, places: usize) -> String {
    format!("{v:.places$}")
}

fn kib(b: u64) -> String {
    fixed(b as f64 / 1024.0, 2)
}

fn row(report: &Report, c: &ConfigResult) -> Row {
    let s = c.size.as_ref();
    let d = c.derived.delta.as_ref();
    let k = c.derived.cost.as_ref();
    let r = c.checks.runtime.as_ref();
    let over = report.budget.as_ref().map(|b| {
        let prefix = format!("{}: ", c.config.name);
        b.violations.iter().any(|v| v.starts_with(&prefix))
    });
    let overflow: Vec<String> = c
        .overflow
        .iter()
        .map(|o| format!("{}:{}", o.region, o.over_bytes))
        .collect();
    let shown = |v: Option<f64>| v.map(|v| v.to_string());
    let path = |p: Option<&std::path::PathBuf>| p.map(|p| p.display().to_string());
    Row {
        config: c.config.name.clone(),
        ok: c.ok,
        profile: c.config.profile.as_str().to_string(),
        changes: c.changes.clone(),
        file_bytes: s.map(|s| s.file_bytes),
        stripped_bytes: s.map(|s| s.stripped_bytes),
        flash_bytes: s.map(|s| s.flash_bytes),
        image_bytes: s.and_then(|s| s.image_bytes),
        ram_bytes: s.map(|s| s.ram_bytes),
        text_bytes: s.map(|s| s.berkeley.text),
        data_bytes: s.map(|s| s.berkeley.data),
        bss_bytes: s.map(|s| s.berkeley.bss),
        flash_delta_bytes: d.map(|d| d.flash_delta_bytes),
        flash_change_pct: shown(d.and_then(|d| d.flash_change_pct)),
        stripped_delta_bytes: d.map(|d| d.stripped_delta_bytes),
        build_cpu_seconds: c.build_cpu_seconds.map(|t| fixed(t, 3)),
        build_wall_seconds: c.build_wall_seconds.map(|t| fixed(t, 3)),
        fresh: c.fresh,
        reused: c.reused,
        measured_at: c.measured_at.clone(),
        flash_pct: shown(c.derived.flash_pct),
        ram_pct: shown(c.derived.ram_pct),
        overflow: overflow.join(" "),
        verify: c
            .checks
            .verify
            .as_ref()
            .and_then(|v| serde_json::to_value(v.status).ok())
            .and_then(|s| s.as_str().map(String::from)),
        over_budget: over,
        cost_delta: k.and_then(|k| k.delta_total()).map(|v| fixed(v, 4)),
        cost_per_unit: k.and_then(|k| k.per_unit()).map(|v| fixed(v, 4)),
        tier: k.and_then(|k| k.tier.clone()),
        ota_cost_per_year: k.and_then(|k| k.ota_cost_per_year).map(|v| fixed(v, 4)),
        instructions: r.and_then(|r| r.instructions),
        instructions_change_pct: shown(d.and_then(|d| d.instructions_change_pct)),
        boot_instructions: r.and_then(|r| r.boot_instructions),
        stack_bytes: r.and_then(|r| r.stack_bytes),
        static_stack_bytes: r.and_then(|r| r.static_stack_bytes),
        ram_free_bytes: c.ram_headroom().map(|(_, left)| left),
        run_wall_seconds: r.and_then(|r| r.wall_seconds).map(|t| fixed(t, 6)),
        run_wall_spread_pct: r.and_then(|r| r.wall_spread).map(|p| fixed(p, 1)),
        compressed_image_bytes: c.checks.ota.as_ref().map(|o| o.compressed_image_bytes),
        ota_codec: c
            .checks
            .ota
            .as_ref()
            .and_then(|o| o.codecs.first().map(|k| k.codec.clone())),
        ota_delta_bytes: c.checks.ota.as_ref().and_then(|o| o.delta_bytes),
        file_kib: s.map(|s| kib(s.file_bytes)),
        stripped_kib: s.map(|s| kib(s.stripped_bytes)),
        flash_kib: s.map(|s| kib(s.flash_bytes)),
        artifact: path(c.artifact.as_ref()),
        log: path(c.log.as_ref()),
        error: c.error.clone(),
        brotli_bytes: s
            .and_then(|s| s.wasm.as_ref())
            .map(|w| w.shipped_brotli_bytes()),
        gzip_bytes: s
            .and_then(|s| s.wasm.as_ref())
            .map(|w| w.shipped_gzip_bytes()),
    }
}

pub fn render(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if report.configs.is_empty() {
        w.write_record(columns())?;
    }
    for c in &report.configs {
        w.serialize(row(report, c))?;
    }
    Ok(w.into_inner()?)
}
