//! A history as an HTML page: the trend of each configuration's size over
//! the commits (a line per configuration, every point named and linked to
//! that commit's crates), the trend table, and per commit its crates.

use std::fmt::Write as _;

use super::super::escape::html as esc;
use super::super::views::history::{sparklines, trend};
use super::charts::{byte_ticks, byte_unit, PALETTE};
use super::{assets, table::table};
use crate::history::{short, History, Metric};
use crate::units::human;

pub fn page(h: &History) -> Vec<u8> {
    let title = format!("cargo weigh history: {} {}", h.project, h.range);
    let mut out = String::new();
    let _ = write!(out, "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{}</title><style>{}</style></head><body><h1>{}</h1>", esc(&title), assets::CSS, esc(&title));
    out.push_str("<div class=verdict>");
    for l in sparklines(h) {
        let _ = write!(out, "<p>{}</p>", esc(&l));
    }
    out.push_str("</div>");
    for m in [h.metric(), Metric::Ram] {
        let (names, series) = by_config(h, m);
        let title = format!("{} over the commits", m.name());
        chart(h, &title, m.name(), &(names, series), &mut out);
    }
    if let Some(first) = h.config_names().first() {
        let title = format!("Sections of {first} over the commits");
        chart(h, &title, "size", &by_section(h, first), &mut out);
    }
    out.push_str("<h2>Commits</h2>");
    table(&trend(h), "trend", &mut out);
    crates(h, &mut out);
    for n in &h.notes {
        let _ = write!(out, "<p class=note>{}</p>", esc(n));
    }
    let _ = writeln!(out, "<script>{}</script></body></html>", assets::SCRIPT);
    out.into_bytes()
}

type Series = (Vec<String>, Vec<Vec<Option<u64>>>);

/// Each configuration's `metric` per commit.
fn by_config(h: &History, metric: Metric) -> Series {
    let names = h.config_names();
    let series = names
        .iter()
        .map(|n| {
            h.points
                .iter()
                .map(|p| p.config(n).and_then(|c| metric.of(c)))
                .collect()
        })
        .collect();
    (names, series)
}

/// Each loaded section's size in configuration `name` per commit.
fn by_section(h: &History, name: &str) -> Series {
    let sizes = |p: &crate::history::Point| {
        p.config(name)
            .filter(|c| c.ok)
            .and_then(|c| c.size.as_ref())
            .map(|s| s.sections.clone())
            .unwrap_or_default()
    };
    let mut names: Vec<String> = Vec::new();
    for p in &h.points {
        for s in sizes(p).iter().filter(|s| s.flash_bytes + s.ram_bytes > 0) {
            if !names.contains(&s.name) {
                names.push(s.name.clone());
            }
        }
    }
    let series = names
        .iter()
        .map(|n| {
            h.points
                .iter()
                .map(|p| sizes(p).iter().find(|s| &s.name == n).map(|s| s.size))
                .collect()
        })
        .collect();
    (names, series)
}

/// One line per series over the commits, on a labelled axis.
/// Each line is named at its last point; lines ending together get their
/// names placed apart.
fn line_names(
    names: &[String],
    series: &[Vec<Option<u64>>],
    px: &dyn Fn(usize) -> f64,
    py: &dyn Fn(f64) -> f64,
) -> Vec<super::labels::Placed> {
    let ends: Vec<(f64, f64, usize)> = names
        .iter()
        .zip(series)
        .filter_map(|(name, vals)| {
            let (i, v) = vals
                .iter()
                .enumerate()
                .rev()
                .find_map(|(i, v)| Some((i, (*v)?)))?;
            Some((px(i) + 1.0, py(v as f64) + 10.0, name.chars().count()))
        })
        .collect();
    super::labels::place(&ends)
}

fn chart(h: &History, title: &str, axis: &str, (names, series): &Series, out: &mut String) {
    let max = series
        .iter()
        .flatten()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0);
    if max == 0 || h.points.is_empty() {
        return;
    }
    let _ = write!(out, "<h2>{}</h2>", esc(title));
    let (w, ht, left, bottom, top_pad) = (760.0, 300.0, 80.0, 70.0, 14.0);
    let ys = byte_ticks(max as f64);
    let yt = ys.last().map_or(1.0, |t| t.0).max(1.0);
    let n = h.points.len();
    let px = |i: usize| {
        left + if n > 1 {
            i as f64 / (n - 1) as f64 * w
        } else {
            w / 2.0
        }
    };
    let py = |v: f64| top_pad + ht - v / yt * ht;
    let _ = write!(
        out,
        "<svg class=chart role=img aria-label=\"{}\" viewBox=\"0 0 {} {}\" width=\"{}\">",
        esc(title),
        left + w + 160.0,
        top_pad + ht + bottom,
        left + w + 160.0
    );
    for (v, label) in &ys {
        let _ = write!(out, "<line class=grid x1=\"{left}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\"/><text class=tick x=\"{2}\" y=\"{3:.1}\" text-anchor=end>{4}</text>", py(*v), left + w, left - 6.0, py(*v) + 4.0, esc(label));
    }
    for (i, p) in h.points.iter().enumerate() {
        if p.error.is_some() || p.configs.iter().any(|c| !c.ok) {
            let _ = write!(out, "<text class=pt-label x=\"{:.1}\" y=\"{:.1}\" text-anchor=middle style=\"fill:#c0392b\">×<title>{}: does not build</title></text>", px(i), top_pad + ht - 4.0, esc(&p.oneline()));
        }
        let _ = write!(out, "<text class=tick x=\"{0:.1}\" y=\"{1}\" text-anchor=end transform=\"rotate(-40 {0:.1} {1})\">{2}</text>", px(i), top_pad + ht + 14.0, esc(short(&p.commit)));
    }
    let _ = write!(out, "<line class=axis x1=\"{left}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\"/><line class=axis x1=\"{left}\" y1=\"{top_pad}\" x2=\"{left}\" y2=\"{0}\"/>", top_pad + ht, left + w);
    let _ = write!(out, "<text class=axis-label transform=\"rotate(-90)\" x=\"{}\" y=\"16\" text-anchor=middle>{} ({})</text>", -(top_pad + ht / 2.0), esc(axis), byte_unit(yt).1);
    let mut placed = line_names(names, series, &px, &py).into_iter();
    for (k, (name, vals)) in names.iter().zip(series).enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let pts: Vec<String> = vals
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some(format!("{:.1},{:.1}", px(i), py((*v)? as f64))))
            .collect();
        let _ = write!(
            out,
            "<polyline fill=none stroke=\"{color}\" stroke-width=2 points=\"{}\"/>",
            pts.join(" ")
        );
        for (i, v) in vals.iter().enumerate() {
            let Some(v) = v else { continue };
            let p = &h.points[i];
            let _ = write!(out, "<a href=\"#c-{}\"><circle class=pt style=\"fill:{color}\" cx=\"{:.1}\" cy=\"{:.1}\" r=4><title>{}: {} {}: {}</title></circle></a>", esc(short(&p.commit)), px(i), py(*v as f64), esc(name), esc(short(&p.commit)), esc(&p.summary), esc(&human(*v)));
        }
        if vals.iter().any(Option::is_some) {
            let at = placed.next().expect("a place per line with a point");
            let _ = write!(
                out,
                "<text class=pt-label fill=\"{color}\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                at.x,
                at.y,
                esc(name)
            );
        }
    }
    out.push_str("</svg>");
}

/// Per commit, the largest crates of each configuration (when attributed).
fn crates(h: &History, out: &mut String) {
    for p in &h.points {
        let _ = write!(
            out,
            "<h3 id=\"c-{}\">{}</h3>",
            esc(short(&p.commit)),
            esc(&p.oneline())
        );
        if let Some(e) = &p.error {
            let _ = write!(out, "<p class=note>not measured: {}</p>", esc(e));
        }
        for c in &p.configs {
            let Some(a) = &c.checks.attribution else {
                continue;
            };
            let mut rows: Vec<_> = a.crates.iter().collect();
            rows.sort_by_key(|r| std::cmp::Reverse(r.flash()));
            let list: Vec<String> = rows
                .iter()
                .take(8)
                .map(|r| format!("{} {}", esc(&r.name), esc(&human(r.flash()))))
                .collect();
            let _ = write!(
                out,
                "<p class=note><b>{}</b>: {}</p>",
                esc(&c.config.name),
                list.join(" · ")
            );
        }
    }
}
