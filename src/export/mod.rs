//! Exporters: each renders a `&Report` to bytes, one file per format.

mod attribution;
mod csv;
mod diff;
mod html;
mod json;
mod markdown;
mod table;

use crate::report::Report;

pub use attribution::render_attribution;
pub use diff::render_diff;
pub use html::esc as html_escape;

pub use crate::options::Format;

/// The report in the format asked for.
pub fn render(report: &Report, out: &crate::options::OutputOptions) -> anyhow::Result<Vec<u8>> {
    exporter(out.format).render(report)
}

/// Whether a person sees the table with its verdict on the terminal (then
/// the reasons a run is not clean are in it, not repeated on stderr).
pub fn shows_verdict(out: &crate::options::OutputOptions) -> bool {
    use std::io::IsTerminal;
    out.format == Format::Table && out.output.is_none() && std::io::stdout().is_terminal()
}

pub trait Exporter {
    fn render(&self, report: &Report) -> anyhow::Result<Vec<u8>>;
}

pub fn exporter(format: Format) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(table::TableExporter),
        Format::Csv => Box::new(csv::CsvExporter),
        Format::Json => Box::new(json::JsonExporter),
        Format::Markdown => Box::new(markdown::MarkdownExporter),
        Format::Html => Box::new(html::HtmlExporter),
    }
}

/// Human units: bytes below 1 KiB, else KiB (MiB from 10 MiB), two decimals.
pub(crate) fn kib(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 10 * MIB {
        format!("{:.2} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.2} MiB", bytes as f64 / MIB as f64)
    }
}

pub(crate) fn signed_kib(bytes: i64) -> String {
    let sign = if bytes > 0 {
        "+"
    } else if bytes < 0 {
        "-"
    } else {
        "±"
    };
    format!("{sign}{}", kib(bytes.unsigned_abs()))
}

pub(crate) fn signed_pct(p: f64) -> String {
    if p == 0.0 {
        "±0.0%".into()
    } else {
        format!("{p:+.1}%")
    }
}

/// The rows every tabular exporter shows, as text cells.
pub(crate) struct Row {
    pub name: String,
    pub changes: String,
    pub file: String,
    pub stripped: String,
    pub flash: String,
    pub ram: String,
    pub flash_pct: String,
    pub delta: String,
    pub build: String,
    /// `--verify` result, when the run verified.
    pub verify: String,
    /// Per-unit cost (tier or flash price) and the saving, with a cost model.
    pub cost: String,
    pub saving: String,
}

impl Row {
    /// The cells in `headers(report)` order.
    pub fn cells(self, cols: Optional) -> Vec<String> {
        let mut v = vec![
            self.name,
            self.changes,
            self.file,
            self.stripped,
            self.flash,
            self.ram,
        ];
        if cols.firmware {
            v.push(self.flash_pct);
        }
        v.extend([self.delta, self.build]);
        if cols.cost {
            v.push(self.cost);
            v.push(self.saving);
        }
        if cols.verify {
            v.push(self.verify);
        }
        v
    }
}

/// Which optional columns a report has.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Optional {
    pub cost: bool,
    pub verify: bool,
    /// A bare-metal target: flash and its share of the chip; else the
    /// loaded size of a hosted binary.
    pub firmware: bool,
}

pub(crate) fn optional(report: &Report) -> Optional {
    Optional {
        cost: report.cost.is_some(),
        verify: report.configs.iter().any(|c| c.verify.is_some()),
        firmware: report.target.as_deref().is_none_or(|t| {
            crate::results::Objective::for_target(t) == crate::results::Objective::Flash
        }),
    }
}

pub(crate) fn headers(report: &Report) -> Vec<&'static str> {
    let cols = optional(report);
    let mut h = if cols.firmware {
        HEADERS.to_vec()
    } else {
        vec![
            "Config",
            "Changes",
            "File",
            "Stripped",
            "Loaded",
            "RAM",
            "Δ Loaded",
            "Build CPU",
        ]
    };
    if cols.cost {
        h.push("Cost/unit");
        h.push("Saving");
    }
    if cols.verify {
        h.push("Verify");
    }
    h
}

fn money(v: f64, currency: &str) -> String {
    let s = if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    };
    if currency.is_empty() {
        s
    } else {
        format!("{s} {currency}")
    }
}

fn cost_cells(report: &Report, c: &crate::results::ConfigResult) -> (String, String) {
    let currency = report.cost.as_ref().map(|m| m.currency()).unwrap_or("");
    let Some(cost) = &c.cost else {
        return ("-".into(), "-".into());
    };
    let unit = match (&cost.tier, cost.tier_price, cost.flash_cost_per_unit) {
        (Some(t), Some(p), _) => format!("{} ({t})", money(p, currency)),
        (Some(t), None, _) => t.clone(),
        (None, _, Some(f)) => money(f, currency),
        _ => "-".into(),
    };
    let mut saving = Vec::new();
    if let Some(s) = cost.flash_saving_total {
        saving.push(format!("flash {}", money(s, currency)));
    }
    if let Some(s) = cost.tier_saving_total {
        saving.push(format!("chip {}", money(s, currency)));
    }
    if let Some(o) = cost.ota_saving_per_year {
        saving.push(format!("OTA {}/yr", money(o, currency)));
    }
    let saving = if saving.is_empty() {
        "-".into()
    } else {
        saving.join(", ")
    };
    (unit, saving)
}

fn verify_cell(c: &crate::results::ConfigResult) -> String {
    use crate::verify::VerifyStatus;
    match c.verify.as_ref().map(|v| v.status) {
        None => "-".into(),
        Some(VerifyStatus::Baseline) => "reference".into(),
        Some(VerifyStatus::Same) => "same".into(),
        Some(VerifyStatus::Different) => "DIFFERENT".into(),
        Some(VerifyStatus::Error) => "ERROR".into(),
    }
}

pub(crate) const HEADERS: [&str; 9] = [
    "Config",
    "Changes",
    "File",
    "Stripped",
    "Flash",
    "RAM",
    "Flash %",
    "Δ Flash",
    "Build CPU",
];

pub(crate) fn rows(report: &Report) -> Vec<Row> {
    report
        .configs
        .iter()
        .map(|c| {
            let build = c
                .build_cpu_seconds
                .map(|s| {
                    if c.reused {
                        format!("{s:.1} s (reused)")
                    } else if c.shares_build_of.is_some() {
                        format!("≈{s:.1} s (shared)")
                    } else if c.fresh {
                        format!("{s:.1} s (cached)")
                    } else {
                        format!("{s:.1} s")
                    }
                })
                .unwrap_or_else(|| "-".into());
            match &c.size {
                Some(s) => Row {
                    name: c.config.name.clone(),
                    changes: c.changes.clone(),
                    file: kib(s.file_bytes),
                    stripped: kib(s.stripped_bytes),
                    flash: kib(s.flash_bytes),
                    ram: kib(s.ram_bytes),
                    flash_pct: c
                        .flash_pct
                        .map(|p| format!("{p:.2}%"))
                        .unwrap_or_else(|| "-".into()),
                    delta: match &c.delta {
                        Some(d) if report.baseline.as_deref() == Some(c.config.name.as_str()) => {
                            "baseline".into()
                        }
                        Some(d) => match d.flash_change_pct {
                            Some(p) => format!("{} ({})", signed_kib(d.flash_bytes), signed_pct(p)),
                            None => signed_kib(d.flash_bytes),
                        },
                        None => "-".into(),
                    },
                    build,
                    verify: verify_cell(c),
                    cost: cost_cells(report, c).0,
                    saving: cost_cells(report, c).1,
                },
                None => Row {
                    name: c.config.name.clone(),
                    changes: c.changes.clone(),
                    file: "FAILED".into(),
                    stripped: "-".into(),
                    flash: "-".into(),
                    ram: "-".into(),
                    flash_pct: "-".into(),
                    delta: "-".into(),
                    build,
                    verify: verify_cell(c),
                    cost: "-".into(),
                    saving: "-".into(),
                },
            }
        })
        .collect()
}

/// Lines under the table: failures with their log, and what the columns mean.
pub(crate) fn notes(report: &Report) -> Vec<String> {
    let mut notes = Vec::new();
    for c in report.configs.iter().filter(|c| !c.ok) {
        let log = c
            .log
            .as_ref()
            .map(|l| format!(" (log: {})", l.display()))
            .unwrap_or_default();
        notes.push(format!(
            "FAILED {}: {}{log}",
            c.config.name,
            c.error.as_deref().unwrap_or("unknown error")
        ));
    }
    if let Some(b) = &report.budget {
        for v in &b.violations {
            notes.push(format!("OVER BUDGET {v}"));
        }
        if b.violations.is_empty() {
            let mut limits = Vec::new();
            if let Some(f) = b.max_flash {
                limits.push(format!("flash ≤ {}", kib(f)));
            }
            if let Some(r) = b.max_ram {
                limits.push(format!("RAM ≤ {}", kib(r)));
            }
            if let Some(g) = &b.max_growth {
                limits.push(format!(
                    "growth ≤ {g:?} against {}",
                    b.baseline_report.as_deref().unwrap_or("?")
                ));
            }
            notes.push(format!("within budget ({})", limits.join(", ")));
        }
    }
    for c in report.configs.iter().filter(|c| c.verify.is_some()) {
        let v = c.verify.as_ref().expect("filtered");
        if let Some(d) = &v.detail {
            notes.push(format!("VERIFY {}: {d}", c.config.name));
        }
    }
    if let Some(m) = &report.cost {
        let mut parts = Vec::new();
        if let Some(p) = m.price_per_kib {
            parts.push(format!("flash at {} per KiB", money(p, m.currency())));
        }
        if let Some(u) = m.units {
            parts.push(format!("{u} units"));
        }
        if !m.tiers.is_empty() {
            parts.push(format!("{} chip tiers", m.tiers.len()));
        }
        if let Some(o) = &m.ota {
            parts.push(format!(
                "OTA: {} devices × {} updates/yr × {} per MB",
                o.devices,
                o.updates_per_year,
                money(o.price_per_mb, m.currency())
            ));
        }
        notes.push(format!(
            "Cost/unit: the cheapest chip tier that fits, else flash × price per KiB; Saving: against the baseline for the whole run ({})",
            parts.join(", ")
        ));
    }
    if let Some(o) = &report.optimize {
        let value = |name: &str| {
            report
                .configs
                .iter()
                .find(|c| c.config.name == name)
                .and_then(|c| o.objective.of(c))
        };
        let what = match o.objective {
            crate::results::Objective::Flash => "flash",
            crate::results::Objective::Stripped => "stripped size",
        };
        if let (Some(a), Some(b)) = (value(&o.start), value(&o.best)) {
            notes.push(format!(
                "BEST {}: {what} {} (from {} with {}, {}) after {} builds",
                o.best,
                kib(b),
                kib(a),
                o.start,
                signed_kib(b as i64 - a as i64),
                o.builds
            ));
        }
        for (i, s) in o.steps.iter().enumerate() {
            notes.push(format!(
                "step {}: {} → {}: {} → {} ({})",
                i + 1,
                s.axis,
                s.to,
                kib(s.before),
                kib(s.after),
                signed_kib(s.after as i64 - s.before as i64)
            ));
        }
        if !o.pareto.is_empty() {
            notes.push(format!(
                "Pareto front ({what} vs build time): {}",
                o.pareto.join(" | ")
            ));
        }
        for n in &o.notes {
            notes.push(format!("optimize: {n}"));
        }
    }
    notes.extend(identical_notes(report));
    if let Some(r) = &report.runner {
        notes.push(format!("verified with: {r}"));
    }
    if !report.complete {
        notes.push("INCOMPLETE: the run was interrupted; rows missing above were not built".into());
    }
    if let Some(tc) = &report.toolchain {
        if !tc.prebuilt_core {
            notes.push(format!(
                "core was built from source (-Zbuild-std) with rustc {}: sizes include that build's settings",
                tc.release
            ));
        }
    }
    if let Some(m) = &report.memory {
        if let Some(f) = m.flash_bytes {
            notes.push(format!("Flash % of {} flash ({})", kib(f), m.source));
        }
        notes.extend(region_notes(report));
    }
    let reused: Vec<String> = report
        .configs
        .iter()
        .filter(|c| c.reused)
        .map(|c| match &c.measured_at {
            Some(t) => format!("{} ({t})", c.config.name),
            None => c.config.name.clone(),
        })
        .collect();
    if !reused.is_empty() {
        notes.push(format!(
            "(reused): nothing these configurations depend on changed since they were measured: {}; --no-cache rebuilds",
            reused.join(", ")
        ));
    }
    let shared: Vec<String> = report
        .configs
        .iter()
        .filter(|c| !c.reused)
        .filter_map(|c| {
            let (base, own) = (c.shares_build_of.as_ref()?, c.root_build_cpu_seconds?);
            Some(format!("{} from {base} ({own:.1} s)", c.config.name))
        })
        .collect();
    if !shared.is_empty() {
        notes.push(format!(
            "(shared): built from another configuration's compiled dependencies, rebuilding only the own crate, as they differ only in strip or thin/fat LTO: {}; the time shown adds that build's, the cost of a build of its own (--no-share builds each alone)",
            shared.join(", ")
        ));
    }
    if let Some(c) = &report.compiler_cache {
        notes.push(format!(
            "{}: {} cache hits, {} misses, {} not cacheable during this run (its server's counters: builds elsewhere at the same time count too)",
            c.wrapper, c.hits, c.misses, c.not_cached
        ));
    }
    if report.configs.iter().any(|c| c.fresh) {
        notes.push("(cached): cargo found every unit up to date from an earlier run; the time is not a cold build's".into());
    }
    notes.extend(legend(report));
    notes
}

/// What the columns mean for this target, and what the file of the
/// baseline is made of (debug info, symbols, or padding and headers).
fn legend(report: &Report) -> Vec<String> {
    let what = if optional(report).firmware {
        "Flash = allocated sections with contents (code, constants, .data image), by address; RAM = static RAM by address"
    } else {
        "Loaded = allocated sections with contents (code, constants, data) = size's text+data; RAM = data+bss"
    };
    let mut out = vec![format!(
        "{what}; Stripped = the file strip writes; Build CPU = CPU seconds of the build's processes, comparable whatever ran at the same time"
    )];
    let base = report
        .configs
        .iter()
        .find(|c| Some(&c.config.name) == report.baseline.as_ref());
    if let Some((c, m)) = base.and_then(|c| Some((c, c.size.as_ref()?))) {
        let rest = m
            .file_bytes
            .saturating_sub(m.flash_bytes + m.debug_info_bytes + m.symbol_table_bytes);
        out.push(format!(
            "File of {}: {} = {} loaded + {} debug info + {} symbols + {} padding, headers and other sections",
            c.config.name,
            kib(m.file_bytes),
            kib(m.flash_bytes),
            kib(m.debug_info_bytes),
            kib(m.symbol_table_bytes),
            kib(rest)
        ));
    }
    out
}

#[cfg(test)]
mod tests;

/// The ablation view as tables: (title, rows of cells). Empty when the run
/// holds no pair of configurations one setting apart.
pub(crate) fn ablation_tables(report: &Report) -> Vec<(String, Vec<Vec<String>>)> {
    let Some(a) = &report.ablation else {
        return Vec::new();
    };
    let row = |e: &crate::ablation::Effect| {
        vec![
            e.setting.clone(),
            e.to.clone(),
            signed_kib(e.flash_bytes),
            signed_kib(e.stripped_bytes),
            e.build_cpu_seconds
                .map(|b| format!("{b:+.1} s"))
                .unwrap_or_else(|| "-".into()),
            if e.identical_flash {
                "no effect: identical flash image".into()
            } else if e.flash_bytes == 0 {
                "same flash size (different bytes)".into()
            } else {
                String::new()
            },
        ]
    };
    let mut out = Vec::new();
    if !a.single.is_empty() {
        let base = report.baseline.as_deref().unwrap_or("baseline");
        out.push((
            format!("What each setting buys on its own (from {base})"),
            a.single.iter().map(row).collect(),
        ));
    }
    if !a.revert.is_empty() {
        out.push((
            format!(
                "What reverting each setting of the smallest ({}) costs",
                a.smallest
            ),
            a.revert.iter().map(row).collect(),
        ));
    }
    out
}

pub(crate) const ABLATION_HEADERS: [&str; 6] = [
    "Setting",
    "Config",
    "Δ Flash",
    "Δ Stripped",
    "Δ Build",
    "Note",
];

/// Lines naming configurations that put identical bytes into flash.
pub(crate) fn identical_notes(report: &Report) -> Vec<String> {
    report
        .ablation
        .iter()
        .flat_map(|a| a.identical.iter())
        .map(|g| format!("identical flash image: {}", g.join(" = ")))
        .collect()
}

/// Region use of the baseline and of the smallest configuration: bytes,
/// percentage and headroom per memory region.
fn region_notes(report: &Report) -> Vec<String> {
    let ok: Vec<_> = report
        .configs
        .iter()
        .filter(|c| !c.regions.is_empty())
        .collect();
    let mut picks: Vec<&crate::results::ConfigResult> = Vec::new();
    if let Some(b) = ok
        .iter()
        .find(|c| Some(&c.config.name) == report.baseline.as_ref())
    {
        picks.push(b);
    }
    if let Some(s) = ok
        .iter()
        .min_by_key(|c| c.size.as_ref().map(|s| s.flash_bytes))
    {
        if !picks.iter().any(|p| p.config.name == s.config.name) {
            picks.push(s);
        }
    }
    picks
        .into_iter()
        .map(|c| {
            let parts: Vec<String> = c
                .regions
                .iter()
                .map(|r| {
                    let pct = if r.length > 0 {
                        r.used_bytes as f64 * 100.0 / r.length as f64
                    } else {
                        0.0
                    };
                    let free = r.length.saturating_sub(r.used_bytes);
                    let over = if r.used_bytes > r.length {
                        " OVERFLOW"
                    } else {
                        ""
                    };
                    format!(
                        "{} {} of {} ({pct:.2}%, {} free){over}",
                        r.name,
                        kib(r.used_bytes),
                        kib(r.length),
                        kib(free)
                    )
                })
                .collect();
            format!("regions of {}: {}", c.config.name, parts.join("; "))
        })
        .collect()
}

/// Names from a binary, for a terminal or a table cell: control characters
/// replaced, very long generic names cut.
pub(crate) fn printable(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(160)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if s.chars().count() > 160 {
        out.push('…');
    }
    out
}
