//! The summary table: a row per configuration, the columns that mean
//! something for the target (flash for firmware, the stripped file and the
//! loaded size for hosts). About six by default; `--wide` adds the rest.

use super::super::model::{Cell, Column, Table, Tone};
use super::{cost_varies, objective, smallest};
use crate::report::Report;
use crate::results::{ConfigResult, Objective};
use crate::units::{human, share, signed_human, signed_pct};
use crate::verify::VerifyStatus;

/// A column and how to fill its cell for a row.
struct Col {
    column: Column,
    cell: fn(&Report, &ConfigResult) -> Cell,
}

fn size_cell(v: Option<u64>, c: &ConfigResult) -> Cell {
    match v {
        Some(v) => Cell::number(human(v), v as f64),
        None if !c.overflow.is_empty() => Cell::text("does not fit").tone(Tone::Bad),
        None => Cell::text("FAILED").tone(Tone::Bad),
    }
}

fn flash(_: &Report, c: &ConfigResult) -> Cell {
    size_cell(c.size.as_ref().map(|s| s.flash_bytes), c)
}

fn stripped(_: &Report, c: &ConfigResult) -> Cell {
    size_cell(c.size.as_ref().map(|s| s.stripped_bytes), c)
}

fn ram(_: &Report, c: &ConfigResult) -> Cell {
    opt(c.size.as_ref().map(|s| s.ram_bytes))
}

fn file(_: &Report, c: &ConfigResult) -> Cell {
    opt(c.size.as_ref().map(|s| s.file_bytes))
}

fn wasm_cell(c: &ConfigResult, of: fn(&crate::measure::WasmSizes) -> u64) -> Cell {
    match c.size.as_ref().map(|s| s.wasm.as_ref().map(of)) {
        Some(v) => opt(v),
        None => size_cell(None, c),
    }
}

fn brotli(_: &Report, c: &ConfigResult) -> Cell {
    wasm_cell(c, |w| w.shipped_brotli_bytes())
}

fn gzip(_: &Report, c: &ConfigResult) -> Cell {
    wasm_cell(c, |w| w.shipped_gzip_bytes())
}

fn glue(_: &Report, c: &ConfigResult) -> Cell {
    wasm_cell(c, |w| w.js_glue.as_ref().map_or(0, |g| g.bytes))
}

fn code(_: &Report, c: &ConfigResult) -> Cell {
    wasm_cell(c, |w| w.code_bytes)
}

fn data(_: &Report, c: &ConfigResult) -> Cell {
    wasm_cell(c, |w| w.data_bytes)
}

fn image(_: &Report, c: &ConfigResult) -> Cell {
    opt(c.size.as_ref().and_then(|s| s.image_bytes))
}

fn opt(v: Option<u64>) -> Cell {
    v.map_or_else(|| Cell::text("-"), |v| Cell::number(human(v), v as f64))
}

fn is_baseline(r: &Report, c: &ConfigResult) -> bool {
    r.baseline.as_deref() == Some(c.config.name.as_str())
}

fn delta_pct(r: &Report, c: &ConfigResult) -> Cell {
    let objective = objective(r);
    match (&c.derived.delta, is_baseline(r, c)) {
        (Some(_), true) => Cell::text("baseline"),
        (Some(d), false) => {
            let (delta, base) = objective.delta(d);
            match base {
                Some(p) => Cell::number(signed_pct(p), p),
                None => Cell::number(signed_human(delta), delta as f64),
            }
        }
        (None, _) => Cell::text("-"),
    }
}

fn delta_bytes(r: &Report, c: &ConfigResult) -> Cell {
    let v = c.derived.delta.as_ref().map(|d| objective(r).delta(d).0);
    match (v, is_baseline(r, c)) {
        (Some(_), true) => Cell::text("baseline"),
        (Some(v), false) => Cell::number(signed_human(v), v as f64),
        (None, _) => Cell::text("-"),
    }
}

fn build(_: &Report, c: &ConfigResult) -> Cell {
    let Some(s) = c.build_cpu_seconds else {
        return Cell::text("-");
    };
    // A build cargo found fresh took no compiling: its time is not what
    // the configuration costs, reused or not.
    let text = if c.fresh {
        format!("{s:.1} s cached")
    } else if c.reused {
        // Not a time this run spent: that of the run which measured it.
        match c.measured_at.as_deref().and_then(run_of) {
            Some(when) => format!("{s:.1} s ({when} run)"),
            None => format!("{s:.1} s (earlier run)"),
        }
    } else if c.shares_build_of.is_some() {
        format!("≈{s:.1} s")
    } else {
        format!("{s:.1} s")
    };
    Cell::number(text, s)
}

/// When an earlier run measured a row: its time of day when that was
/// today (UTC, as recorded), else its date.
fn run_of(measured_at: &str) -> Option<String> {
    let (date, time) = measured_at.split_once('T')?;
    let today = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    Some(if today.starts_with(date) {
        time.get(..5)?.to_string()
    } else {
        date.to_string()
    })
}

fn flash_pct(_: &Report, c: &ConfigResult) -> Cell {
    c.derived
        .flash_pct
        .map_or_else(|| Cell::text("-"), |p| Cell::number(share(p), p))
}

fn changes(_: &Report, c: &ConfigResult) -> Cell {
    Cell::text(c.changes.clone())
}

fn verify(_: &Report, c: &ConfigResult) -> Cell {
    match c.checks.verify.as_ref().map(|v| v.status) {
        None => Cell::text("-"),
        Some(VerifyStatus::Baseline) => Cell::text("baseline"),
        Some(VerifyStatus::Same) => Cell::text("same"),
        Some(VerifyStatus::Different) => Cell::text("DIFFERENT").tone(Tone::Bad),
        Some(VerifyStatus::Error) => Cell::text("ERROR").tone(Tone::Bad),
    }
}

fn cost(r: &Report, c: &ConfigResult) -> Cell {
    let currency = r.cost.as_ref().map_or("", |m| m.currency());
    match c.derived.cost.as_ref().and_then(|k| k.delta_total()) {
        Some(v) if is_baseline(r, c) => Cell::number("baseline", v),
        Some(v) => Cell::number(crate::units::signed_money(v, currency), v),
        None => Cell::text("-"),
    }
}

fn instructions(_: &Report, c: &ConfigResult) -> Cell {
    match c.checks.runtime.as_ref() {
        Some(r) if r.stopped_at_limit => r.instructions.map_or_else(
            || Cell::text("-"),
            |i| Cell::number(format!("≥{} (limit)", crate::units::count(i)), i as f64),
        ),
        Some(r) => r.instructions.map_or_else(
            || Cell::text("not run").tone(Tone::Bad),
            |i| Cell::number(crate::units::count(i), i as f64),
        ),
        None => Cell::text("-"),
    }
}

fn delta_instructions(r: &Report, c: &ConfigResult) -> Cell {
    match c
        .derived
        .delta
        .as_ref()
        .and_then(|d| d.instructions_change_pct)
    {
        Some(_) if is_baseline(r, c) => Cell::text("baseline"),
        Some(p) => Cell::number(signed_pct(p), p),
        None => Cell::text("-"),
    }
}

fn stack(_: &Report, c: &ConfigResult) -> Cell {
    opt(c.checks.runtime.as_ref().and_then(|r| r.stack_bytes))
}

/// What an update sends: the delta when smaller, else the compressed image.
fn ota(_: &Report, c: &ConfigResult) -> Cell {
    match &c.checks.ota {
        Some(o) => {
            let sent = o.sent_bytes();
            let how = if o.delta_bytes == Some(sent) {
                " Δ"
            } else {
                ""
            };
            Cell::number(format!("{}{how}", human(sent)), sent as f64)
        }
        None => Cell::text("-"),
    }
}

/// Host binaries: the median wall time of the workload, ± its spread.
fn run_wall(_: &Report, c: &ConfigResult) -> Cell {
    let r = c.checks.runtime.as_ref();
    match (
        r.and_then(|r| r.wall_seconds),
        r.and_then(|r| r.wall_spread),
    ) {
        (Some(t), Some(sp)) => Cell::number(format!("{} ±{sp:.1} %", run_seconds(t)), t),
        (Some(t), None) => Cell::number(run_seconds(t), t),
        _ => Cell::text("-"),
    }
}

/// Workloads run for milliseconds: three significant digits.
fn run_seconds(t: f64) -> String {
    if t < 1.0 {
        format!("{:.3} ms", t * 1000.0).replace(".000 ms", " ms")
    } else {
        format!("{t:.2} s")
    }
}

/// RAM left when the peak stack is added to the static data.
fn ram_free(_: &Report, c: &ConfigResult) -> Cell {
    match c.ram_headroom() {
        Some((_, left)) if left >= 0 => Cell::number(human(left as u64), left as f64),
        Some((_, left)) => {
            Cell::number(format!("over {}", human(left.unsigned_abs())), left as f64)
        }
        None => Cell::text("-"),
    }
}

fn static_stack(_: &Report, c: &ConfigResult) -> Cell {
    let Some(r) = c.checks.runtime.as_ref() else {
        return Cell::text("-");
    };
    if let Some(b) = r.static_stack_bytes {
        return Cell::number(human(b), b as f64);
    }
    // Unbounded: the note starts with the bound found, `≥ N B, ...`.
    let at_least = r
        .static_stack_note
        .as_deref()
        .and_then(|n| n.strip_prefix("≥ "))
        .and_then(|n| n.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok());
    match at_least {
        Some(b) => Cell::number(format!("≥ {}", human(b)), b as f64),
        None => Cell::text("-"),
    }
}

fn cost_per_unit(r: &Report, c: &ConfigResult) -> Cell {
    let currency = r.cost.as_ref().map_or("", |m| m.currency());
    match c.derived.cost.as_ref().and_then(|k| k.per_unit()) {
        Some(v) => Cell::number(crate::units::money(v, currency), v),
        None => Cell::text("-"),
    }
}

/// With `--runtime`: instructions, their change, the stack and what it
/// leaves of RAM; the static bound and host wall time in `--wide`.
fn runtime_columns(report: &Report, wide: bool, several: bool, out: &mut Vec<Col>) {
    if !report.configs.iter().any(|c| c.checks.runtime.is_some()) {
        return;
    }
    let col = |column, cell| Col { column, cell };
    out.push(col(Column::right("Instructions", 2), instructions));
    if several {
        out.push(col(Column::right("Δ Instr", 2), delta_instructions));
    }
    if report.configs.iter().any(|c| {
        c.checks
            .runtime
            .as_ref()
            .is_some_and(|r| r.stack_bytes.is_some())
    }) {
        out.push(col(Column::right("Stack", 3), stack));
    }
    if report.configs.iter().any(|c| c.ram_headroom().is_some()) {
        out.push(col(Column::right("RAM free", 4), ram_free));
    }
    let bounded = |c: &ConfigResult| {
        c.checks
            .runtime
            .as_ref()
            .is_some_and(|r| r.static_stack_note.is_some())
    };
    if wide && report.configs.iter().any(bounded) {
        out.push(col(Column::right("Static stack", 7), static_stack));
    }
    if wide
        && report.configs.iter().any(|c| {
            c.checks
                .runtime
                .as_ref()
                .is_some_and(|r| r.wall_seconds.is_some())
        })
    {
        out.push(col(Column::right("Run time", 7), run_wall));
    }
}

fn columns(report: &Report, wide: bool) -> Vec<Col> {
    let col = |column, cell| Col { column, cell };
    let mut out = vec![col(
        Column::left("Configuration", 0),
        changes_or_name as fn(&Report, &ConfigResult) -> Cell,
    )];
    // With one configuration there is nothing to compare against.
    let several = report.configs.len() > 1;
    match objective(report) {
        Objective::Flash => {
            out.push(col(Column::right("Flash", 0), flash));
            if several {
                out.push(col(Column::right("Δ Flash", 1), delta_pct));
            }
            out.push(col(Column::right("RAM", 3), ram));
            out.push(col(Column::right("Stripped", 5), stripped));
        }
        Objective::Stripped => {
            out.push(col(Column::right("Stripped", 0), stripped));
            if several {
                out.push(col(Column::right("Δ Stripped", 1), delta_pct));
            }
            out.push(col(Column::right("Loaded", 5), flash));
            out.push(col(Column::right("RAM", 6), ram));
        }
        Objective::Brotli => {
            out.push(col(Column::right("Wasm", 0), file));
            if several {
                out.push(col(Column::right("Δ brotli", 1), delta_pct));
            }
            out.push(col(Column::right("brotli", 0), brotli));
            out.push(col(Column::right("gzip", 3), gzip));
            out.push(col(Column::right("code", 5), code));
            out.push(col(Column::right("data", 6), data));
            let glued = report.configs.iter().any(|c| {
                let wasm = c.size.as_ref().and_then(|s| s.wasm.as_ref());
                wasm.is_some_and(|w| w.js_glue.is_some())
            });
            if glued {
                out.push(col(Column::right("JS glue", 4), glue));
            }
        }
    }
    out.push(col(Column::right("Build CPU", 4), build));
    if report.configs.iter().any(|c| c.checks.verify.is_some()) {
        out.push(col(Column::left("Verify", 2), verify));
    }
    runtime_columns(report, wide, several, &mut out);
    if report.configs.iter().any(|c| c.checks.ota.is_some()) {
        out.push(col(Column::right("OTA", 4), ota));
    }
    // One cost column: the change when there is something to compare,
    // what a unit costs when there is not.
    if cost_varies(report) {
        out.push(col(Column::right("Δ Cost", 3), cost));
    } else if !several && report.configs.iter().any(|c| c.derived.cost.is_some()) {
        out.push(col(Column::right("Cost/unit", 3), cost_per_unit));
    }
    if wide {
        out.push(col(Column::left("Changes", 7), changes));
        if several {
            out.push(col(Column::right("Δ Bytes", 7), delta_bytes));
        }
        if report.memory.is_some() {
            out.push(col(Column::right("Flash %", 7), flash_pct));
        }
        out.push(col(Column::right("Image", 8), image));
        out.push(col(Column::right("File", 8), file));
    }
    out
}

fn changes_or_name(_: &Report, c: &ConfigResult) -> Cell {
    Cell::text(c.config.name.clone())
}

/// The summary table of a report.
pub fn summary(report: &Report, wide: bool) -> Table {
    let cols = columns(report, wide);
    let mut t = Table::new(cols.iter().map(|c| c.column.clone()).collect());
    let best = smallest(report).map(|c| c.config.name.clone());
    for c in &report.configs {
        let mut row: Vec<Cell> = cols.iter().map(|col| (col.cell)(report, c)).collect();
        if best.as_deref() == Some(c.config.name.as_str()) {
            row[0].tone = Tone::Best;
        }
        t.push(row);
    }
    t
}
