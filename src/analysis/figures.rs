//! The figures derived from each row's measurement: region use by
//! address (flash and RAM become what the regions hold), shares of the
//! chip, what an overflowing region would need, and deltas against the
//! baseline.

use crate::memory::MemoryMap;
use crate::results::{ConfigResult, Delta};

fn diff(a: u64, b: u64) -> i64 {
    (a as i64).saturating_sub(b as i64)
}

/// Shares and changes keep four decimals: a small share is not 0.0.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn pct(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| round4(part as f64 * 100.0 / whole as f64))
}

/// One memory map for the report when the rows agree (each row keeps its
/// own only when it differs), with the command line's sizes.
pub fn gather_memory(
    rows: &mut [ConfigResult],
    memory: Option<MemoryMap>,
    flash: Option<u64>,
    ram: Option<u64>,
) -> Option<MemoryMap> {
    let first = rows.iter().find_map(|c| c.memory_map.clone());
    let shared = first.map(|m| m.with_overrides(flash, ram));
    for c in rows.iter_mut() {
        if let Some(m) = c.memory_map.take() {
            let m = m.with_overrides(flash, ram);
            if Some(&m) != shared.as_ref() {
                c.memory_map = Some(m);
            }
        }
    }
    match (shared, memory) {
        (Some(m), _) => Some(m),
        (None, Some(m)) => Some(m.with_overrides(flash, ram)),
        (None, None) if flash.is_some() || ram.is_some() => Some(MemoryMap {
            source: "command line".into(),
            regions: Vec::new(),
            flash_bytes: flash,
            ram_bytes: ram,
            note: None,
        }),
        (None, None) => None,
    }
}

/// Region use, RAM by address, shares of the chip, overflow needs. Flash
/// is what the measurement says (every stored byte, wherever it runs):
/// the one figure the progress line, the table and the gate show.
pub fn regions(rows: &mut [ConfigResult], memory: Option<&MemoryMap>) {
    for c in rows.iter_mut() {
        let map = c.memory_map.clone();
        let Some(m) = map.as_ref().or(memory) else {
            continue;
        };
        if let Some(size) = c.size.as_mut() {
            if !m.regions.is_empty() {
                c.derived.regions = m.usage(size);
                if let Some(ram) = m.ram_by_address(size) {
                    size.ram_bytes = ram;
                }
            }
            c.derived.flash_pct = m.flash_bytes.and_then(|f| pct(size.flash_bytes, f));
            c.derived.ram_pct = m.ram_bytes.and_then(|r| pct(size.ram_bytes, r));
        }
        for o in &mut c.overflow {
            o.length = m
                .regions
                .iter()
                .find(|r| r.name == o.region)
                .map(|r| r.length);
            o.needs_bytes = o.length.map(|l| l + o.over_bytes);
        }
    }
}

/// The baseline: the one named, else the first that was measured.
pub fn baseline(rows: &[ConfigResult], named: Option<&str>) -> Option<String> {
    match named {
        Some(name) => rows.iter().find(|c| c.config.name == name),
        None => rows.iter().find(|c| c.size.is_some()),
    }
    .map(|c| c.config.name.clone())
}

/// Every measured row's change against the baseline's.
fn brotli(m: &crate::measure::Measurement) -> Option<u64> {
    m.wasm.as_ref().map(|w| w.shipped_brotli_bytes())
}

pub fn deltas(rows: &mut [ConfigResult], baseline: Option<&str>) {
    let Some(base) = baseline.and_then(|b| rows.iter().find(|c| c.config.name == b)) else {
        return;
    };
    let base_run = base.checks.runtime.clone();
    let (Some(base), base_time) = (base.size.clone(), base.build_cpu_seconds) else {
        return;
    };
    let base_insns = base_run.as_ref().and_then(|r| r.comparable_instructions());
    let base_stack = base_run.as_ref().and_then(|r| r.stack_bytes);
    for c in rows.iter_mut() {
        let Some(s) = &c.size else { continue };
        let change = |now: u64, was: u64| {
            (was > 0).then(|| round4(diff(now, was) as f64 * 100.0 / was as f64))
        };
        c.derived.delta = Some(Delta {
            file_delta_bytes: diff(s.file_bytes, base.file_bytes),
            stripped_delta_bytes: diff(s.stripped_bytes, base.stripped_bytes),
            flash_delta_bytes: diff(s.flash_bytes, base.flash_bytes),
            ram_delta_bytes: diff(s.ram_bytes, base.ram_bytes),
            image_delta_bytes: s.image_bytes.zip(base.image_bytes).map(|(a, b)| diff(a, b)),
            flash_change_pct: change(s.flash_bytes, base.flash_bytes),
            stripped_change_pct: change(s.stripped_bytes, base.stripped_bytes),
            build_cpu_delta_seconds: match (c.build_cpu_seconds, base_time) {
                (Some(a), Some(b)) => Some(round4(a - b)),
                _ => None,
            },
            instructions_change_pct: c
                .checks
                .runtime
                .as_ref()
                .and_then(|r| r.comparable_instructions())
                .zip(base_insns)
                .and_then(|(now, was)| change(now, was)),
            stack_delta_bytes: c
                .checks
                .runtime
                .as_ref()
                .and_then(|r| r.stack_bytes)
                .zip(base_stack)
                .map(|(now, was)| diff(now, was)),
            brotli_delta_bytes: brotli(s).zip(brotli(&base)).map(|(a, b)| diff(a, b)),
            brotli_change_pct: brotli(s).zip(brotli(&base)).and_then(|(a, b)| change(a, b)),
        });
    }
}
