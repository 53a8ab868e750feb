//! Notes under the table: only what is true of this run (rows reused or
//! shared, core built from source, the memory map used, prices, the
//! compiler cache, an optimize search); legends only when asked (`-v`).

use crate::report::Report;
use crate::results::ConfigResult;
use crate::units::{human, money};

fn reused(report: &Report) -> Option<String> {
    let rows: Vec<&ConfigResult> = report.configs.iter().filter(|c| c.reused).collect();
    if rows.is_empty() {
        return None;
    }
    // One group per measurement time: usually one run measured them all.
    let mut groups: Vec<(Option<&str>, Vec<&str>)> = Vec::new();
    for c in &rows {
        let at = c.measured_at.as_deref();
        match groups.iter_mut().find(|(t, _)| *t == at) {
            Some((_, names)) => names.push(&c.config.name),
            None => groups.push((at, vec![&c.config.name])),
        }
    }
    let every = rows.len() == report.configs.len() && groups.len() == 1;
    let said: Vec<String> = groups
        .iter()
        .map(|(at, names)| {
            let who = if every {
                "every configuration".to_string()
            } else {
                names.join(", ")
            };
            match at {
                Some(t) => format!("{who} (measured {t})"),
                None => who,
            }
        })
        .collect();
    Some(format!(
        "reused, nothing they depend on changed since they were measured: {} (--no-cache rebuilds)",
        said.join("; ")
    ))
}

fn shared(report: &Report) -> Option<String> {
    let rows: Vec<String> = report
        .configs
        .iter()
        .filter(|c| !c.reused)
        .filter_map(|c| {
            Some(format!(
                "{} from {}",
                c.config.name,
                c.shares_build_of.as_ref()?
            ))
        })
        .collect();
    (!rows.is_empty()).then(|| {
        format!(
            "≈: built from another configuration's compiled dependencies, the root crate rebuilt: {}; the time shown is what a build of its own costs",
            rows.join(", ")
        )
    })
}

fn prices(report: &Report) -> Option<String> {
    let m = report.cost.as_ref()?;
    let c = m.currency();
    let mut parts = Vec::new();
    if let Some(p) = m.price_per_kib {
        parts.push(format!("flash at {} per KiB", money(p, c)));
    }
    if !m.tiers.is_empty() {
        let tiers: Vec<String> = m
            .tiers
            .iter()
            .map(|t| {
                format!(
                    "{} {} ({})",
                    t.name,
                    money(t.price, c),
                    human(t.flash_bytes)
                )
            })
            .collect();
        parts.push(format!("chips: {}", tiers.join(", ")));
    }
    if let Some(u) = m.units {
        parts.push(format!("{} units", crate::units::thousands(u)));
    }
    if let Some(o) = &m.ota {
        parts.push(format!(
            "OTA: {} devices × {} updates/yr × {} per MB",
            o.devices,
            o.updates_per_year,
            money(o.price_per_mb, c)
        ));
    }
    let assumptions = parts.join("; ");
    if report.configs.len() > 1 && !super::cost_varies(report) {
        // No column: say why there is none.
        let tier = report
            .configs
            .iter()
            .find_map(|c| c.derived.cost.as_ref()?.tier.clone());
        let same = match tier {
            Some(t) => format!("every configuration fits the {t}"),
            None => "every configuration costs the same".into(),
        };
        return Some(format!("Δ cost: none, {same} ({assumptions})"));
    }
    Some(format!(
        "cost: the cheapest chip that holds the flash, else the flash at its price; Δ Cost is the production run's cost against the baseline's ({assumptions})"
    ))
}

fn legend(report: &Report, firmware: bool) -> Vec<String> {
    let what = if firmware {
        "Flash = the bytes stored in flash (code, constants, the .data image), by address; RAM = static RAM by address"
    } else {
        "Loaded = allocated sections with contents = size's text+data; RAM = data+bss"
    };
    let mut out = vec![format!(
        "{what}; Stripped = the file strip writes; Build CPU = CPU seconds of the build's processes, comparable whatever ran at the same time"
    )];
    let base = report
        .configs
        .iter()
        .find(|c| Some(&c.config.name) == report.baseline.as_ref());
    if let Some((c, m)) = base.and_then(|c: &ConfigResult| Some((c, c.size.as_ref()?))) {
        let rest = m
            .file_bytes
            .saturating_sub(m.flash_bytes + m.debug_info_bytes + m.symbol_table_bytes);
        out.push(format!(
            "File of {}: {} = {} loaded + {} debug info + {} symbols + {} padding, headers and other sections",
            c.config.name,
            human(m.file_bytes),
            human(m.flash_bytes),
            human(m.debug_info_bytes),
            human(m.symbol_table_bytes),
            human(rest)
        ));
    }
    out
}

/// Rows without one raw image, and why (shown in the Image column as `-`).
fn no_image(report: &Report, firmware: bool) -> Option<String> {
    let names: Vec<&str> = report
        .configs
        .iter()
        .filter(|c| c.size.as_ref().is_some_and(|s| s.image_bytes.is_none()))
        .map(|c| c.config.name.as_str())
        .collect();
    if names.is_empty() || !firmware {
        return None;
    }
    let who = if names.len() == report.configs.len() {
        "any configuration".to_string()
    } else {
        names.join(", ")
    };
    Some(format!(
        "Image: none for {who}: the stored bytes lie more than 64 KiB apart (separate memories, as an ESP32 image's segments), so no one raw file holds them; what is flashed is the Flash figure, in those places"
    ))
}

/// How run time was measured, once for the run.
fn runtime(report: &Report) -> Option<String> {
    let rt = report
        .configs
        .iter()
        .find_map(|c| c.checks.runtime.as_ref())?;
    let mut note = format!("run time: {}", rt.method);
    if rt.stack_bytes.is_some() {
        note.push_str("; Stack = the deepest store below the initial stack pointer");
    }
    if report.configs.iter().any(|c| {
        c.checks
            .runtime
            .as_ref()
            .is_some_and(|r| r.stopped_at_limit)
    }) {
        note.push_str("; ≥ (limit): the firmware did not exit and was stopped at --runtime-limit");
    }
    Some(note)
}

/// How the OTA column was made, once for the run.
fn ota(report: &Report) -> Option<String> {
    let o = report.configs.iter().find_map(|c| c.checks.ota.as_ref())?;
    let codecs: Vec<&str> = o.codecs.iter().map(|c| c.codec.as_str()).collect();
    let mut note = format!(
        "OTA: what an update sends, the {} compressed with the smallest of {}",
        o.payload,
        codecs.join(", ")
    );
    if let Some(from) = &o.delta_from {
        note.push_str(&format!(
            ", or the bsdiff delta from {} when smaller",
            super::shown_path(std::path::Path::new(from))
        ));
    }
    Some(note)
}

/// The notes, legends included with `verbose`.
pub fn notes(report: &Report, firmware: bool, verbose: bool) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(tc) = report.toolchain.as_ref().filter(|t| !t.prebuilt_core) {
        out.push(format!(
            "core was built from source (-Zbuild-std) with rustc {}: sizes include that build's settings",
            tc.release
        ));
    }
    if let Some(m) = &report.memory {
        let source = super::shown_path(std::path::Path::new(&m.source));
        out.push(format!("memory map: {source}"));
    }
    out.extend(no_image(report, firmware));
    out.extend(reused(report));
    out.extend(shared(report));
    out.extend(prices(report));
    if let Some(c) = &report.compiler_cache {
        out.push(format!(
            "{}: {} hits, {} misses, {} not cacheable during this run (its server's counters)",
            c.wrapper, c.hits, c.misses, c.not_cached
        ));
    }
    if let Some(r) = &report.runner {
        out.push(format!("verified with: {r}"));
    }
    out.extend(runtime(report));
    out.extend(ota(report));
    if verbose {
        out.extend(legend(report, firmware));
    }
    out
}
