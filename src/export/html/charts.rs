//! The page's charts as inline SVG: axes with ticks and units, every bar
//! and point labelled with its configuration.

use std::fmt::Write as _;

use super::super::escape::html as esc;
use crate::report::Report;
use crate::units::human;

pub const PALETTE: [&str; 8] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
];

/// Round tick steps (1, 2, 5 × 10ⁿ) from 0 to at least `max`.
pub fn ticks(max: f64) -> Vec<f64> {
    let max = if max > 0.0 { max } else { 1.0 };
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let n = (max / step).ceil() as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

/// The unit an axis of bytes up to `max` is ticked in: (bytes per unit, name).
pub fn byte_unit(max: f64) -> (f64, &'static str) {
    if max >= 1024.0 * 1024.0 {
        (1024.0 * 1024.0, "MiB")
    } else if max >= 1024.0 {
        (1024.0, "KiB")
    } else {
        (1.0, "B")
    }
}

/// Ticks of an axis of bytes, round in its unit: (bytes, label).
pub fn byte_ticks(max: f64) -> Vec<(f64, String)> {
    let (per, unit) = byte_unit(max);
    ticks(max / per)
        .into_iter()
        .map(|t| (t * per, format!("{} {unit}", trim_number(t))))
        .collect()
}

/// 5, 2.5, 0.25: no trailing zeros.
fn trim_number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Flash (or the stripped file) per configuration, sections stacked, on a
/// labelled axis.
pub fn size_bars(report: &Report, firmware: bool, out: &mut String) {
    let rows: Vec<_> = report
        .configs
        .iter()
        .filter_map(|c| Some((c, c.size.as_ref()?)))
        .collect();
    if rows.is_empty() {
        return;
    }
    let value = |m: &crate::measure::Measurement| {
        if firmware {
            m.flash_bytes
        } else {
            m.stripped_bytes
        }
    };
    let max = rows.iter().map(|(_, m)| value(m)).max().unwrap_or(1) as f64;
    let ts = byte_ticks(max);
    let top = ts.last().map_or(1.0, |t| t.0).max(1.0);
    let (label_w, bar_w, row_h, pad_top) = (230.0, 720.0, 22.0, 10.0);
    let height = pad_top + row_h * rows.len() as f64 + 50.0;
    let what = if firmware { "flash" } else { "stripped file" };
    let _ = write!(out, "<svg class=chart role=img aria-label=\"{what} per configuration\" viewBox=\"0 0 {} {height}\" width=\"{}\">", label_w + bar_w + 110.0, label_w + bar_w + 110.0);
    let axis_y = pad_top + row_h * rows.len() as f64 + 4.0;
    for (t, label) in &ts {
        let x = label_w + t / top * bar_w;
        let _ = write!(out, "<line x1=\"{x:.1}\" y1=\"{pad_top}\" x2=\"{x:.1}\" y2=\"{axis_y}\" class=\"grid\"/><text class=\"tick\" x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>", axis_y + 14.0, esc(label));
    }
    let unit = byte_unit(top).1;
    let _ = write!(out, "<line x1=\"{label_w}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" class=\"axis\"/><text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{what} ({unit})</text>", label_w + bar_w, label_w + bar_w / 2.0, axis_y + 34.0);
    let mut names: Vec<&str> = Vec::new();
    for (i, (c, m)) in rows.iter().enumerate() {
        let y = pad_top + i as f64 * row_h;
        let _ = write!(
            out,
            "<text class=label x=\"{}\" y=\"{}\" text-anchor=end>{}</text>",
            label_w - 8.0,
            y + 13.0,
            esc(&c.config.name)
        );
        let mut x = label_w;
        let parts: Vec<(&str, u64)> = if firmware {
            m.sections
                .iter()
                .filter(|s| s.flash_bytes > 0)
                .map(|s| (s.name.as_str(), s.flash_bytes))
                .collect()
        } else {
            vec![("stripped", m.stripped_bytes)]
        };
        for (name, bytes) in parts {
            let i = names.iter().position(|n| *n == name).unwrap_or_else(|| {
                names.push(name);
                names.len() - 1
            });
            let w = bytes as f64 / top * bar_w;
            let _ = write!(out, "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"{}\"><title>{}: {}</title></rect>", PALETTE[i % PALETTE.len()], esc(name), esc(&human(bytes)));
            x += w;
        }
        let _ = write!(
            out,
            "<text class=value x=\"{:.1}\" y=\"{}\">{}</text>",
            x + 6.0,
            y + 13.0,
            esc(&human(value(m)))
        );
    }
    out.push_str("</svg><div class=legend>");
    for (i, n) in names.iter().enumerate() {
        let _ = write!(
            out,
            "<span><i style=\"background:{}\"></i>{}</span>",
            PALETTE[i % PALETTE.len()],
            esc(n)
        );
    }
    out.push_str("</div>");
}

/// What a scatter puts against size.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// Build CPU seconds (rows cargo found up to date have none).
    BuildTime,
    /// Instructions executed (`--runtime`).
    Instructions,
}

impl Against {
    fn of(self, c: &crate::results::ConfigResult) -> Option<f64> {
        match self {
            Against::BuildTime => c.build_cpu_seconds.filter(|_| !c.fresh),
            Against::Instructions => c
                .checks
                .runtime
                .as_ref()?
                .comparable_instructions()
                .map(|i| i as f64),
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Against::BuildTime => "Size against build time",
            Against::Instructions => "Size against speed (instructions executed)",
        }
    }

    fn axis(self) -> &'static str {
        match self {
            Against::BuildTime => "build CPU time (seconds)",
            Against::Instructions => "instructions executed (millions)",
        }
    }

    fn tick(self, v: f64) -> String {
        match self {
            Against::BuildTime => format!("{v} s"),
            Against::Instructions => trim_number(v / 1e6),
        }
    }
}

/// The points of a scatter: size, the other figure, name, on the front.
fn points(report: &Report, firmware: bool, against: Against) -> Vec<(f64, f64, String, bool)> {
    let pts: Vec<(f64, f64, String)> = report
        .configs
        .iter()
        .filter_map(|c| {
            let m = c.size.as_ref()?;
            let v = if firmware {
                m.flash_bytes
            } else {
                m.stripped_bytes
            };
            Some((v as f64, against.of(c)?, c.config.name.clone()))
        })
        .fold(Vec::new(), |mut acc: Vec<(f64, f64, String)>, p| {
            // Configurations at one point share one label.
            match acc.iter_mut().find(|q| q.0 == p.0 && q.1 == p.1) {
                Some(q) => q.2 = format!("{} = {}", q.2, p.2),
                None => acc.push(p),
            }
            acc
        });
    pts.iter()
        .map(|(s, t, n)| {
            let dominated = pts
                .iter()
                .any(|(s2, t2, _)| s2 <= s && t2 <= t && (s2 < s || t2 < t));
            (*s, *t, n.clone(), !dominated)
        })
        .collect()
}

/// Size against build CPU time or instructions, both axes ticked, every
/// point named, the Pareto front joined.
pub fn scatter(report: &Report, firmware: bool, against: Against, out: &mut String) {
    let pts = points(report, firmware, against);
    if pts.len() < 2 {
        // Without run times there is no speed to show, nor a heading for it.
        if against == Against::BuildTime {
            let _ = write!(out, "<h2>{}</h2>", against.heading());
            out.push_str("<p class=note>No build times to compare: cargo found the builds up to date (cached). Run with <code>--no-cache</code> after <code>cargo clean</code> to time them.</p>");
        }
        return;
    }
    let _ = write!(out, "<h2>{}</h2>", against.heading());
    let (w, h, left, bottom, top_pad) = (760.0, 320.0, 80.0, 50.0, 14.0);
    let scale = if against == Against::Instructions {
        1e6
    } else {
        1.0
    };
    let xs: Vec<f64> = ticks(pts.iter().map(|p| p.1 / scale).fold(0.0, f64::max))
        .into_iter()
        .map(|t| t * scale)
        .collect();
    let ys = byte_ticks(pts.iter().map(|p| p.0).fold(0.0, f64::max));
    let xt = *xs.last().unwrap_or(&1.0);
    let yt = ys.last().map_or(1.0, |t| t.0).max(1.0);
    let px = |t: f64| left + t / xt * w;
    let py = |s: f64| top_pad + h - s / yt * h;
    let what = if firmware { "flash" } else { "stripped file" };
    let _ = write!(out, "<svg class=chart role=img aria-label=\"{what} against build CPU time\" viewBox=\"0 0 {} {}\" width=\"{}\">", left + w + 160.0, top_pad + h + bottom, left + w + 160.0);
    for t in &xs {
        let _ = write!(out, "<line class=grid x1=\"{0:.1}\" y1=\"{top_pad}\" x2=\"{0:.1}\" y2=\"{1}\"/><text class=tick x=\"{0:.1}\" y=\"{2}\" text-anchor=middle>{3}</text>", px(*t), top_pad + h, top_pad + h + 14.0, esc(&against.tick(*t)));
    }
    for (s, label) in &ys {
        let _ = write!(out, "<line class=grid x1=\"{left}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\"/><text class=tick x=\"{2}\" y=\"{3:.1}\" text-anchor=end>{4}</text>", py(*s), left + w, left - 6.0, py(*s) + 4.0, esc(label));
    }
    let _ = write!(out, "<line class=axis x1=\"{left}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\"/><line class=axis x1=\"{left}\" y1=\"{top_pad}\" x2=\"{left}\" y2=\"{0}\"/>", top_pad + h, left + w);
    let _ = write!(out, "<text class=axis-label x=\"{}\" y=\"{}\" text-anchor=middle>{}</text><text class=axis-label transform=\"rotate(-90)\" x=\"{}\" y=\"16\" text-anchor=middle>{what} ({})</text>", left + w / 2.0, top_pad + h + 40.0, against.axis(), -(top_pad + h / 2.0), byte_unit(yt).1);
    let mut front: Vec<&(f64, f64, String, bool)> = pts.iter().filter(|p| p.3).collect();
    front.sort_by(|a, b| a.1.total_cmp(&b.1));
    let line: Vec<String> = front
        .iter()
        .map(|p| format!("{:.1},{:.1}", px(p.1), py(p.0)))
        .collect();
    let _ = write!(out, "<polyline class=front points=\"{}\"/>", line.join(" "));
    let anchors: Vec<(f64, f64, usize)> = pts
        .iter()
        .map(|(s, t, name, _)| (px(*t), py(*s), name.chars().count()))
        .collect();
    let placed = super::labels::place(&anchors);
    for ((s, t, name, on_front), at) in pts.iter().zip(placed) {
        let class = if *on_front { "pt front-pt" } else { "pt" };
        let _ = write!(out, "<circle class=\"{class}\" cx=\"{:.1}\" cy=\"{:.1}\" r=5><title>{}: {}, {}</title></circle><text class=pt-label x=\"{:.1}\" y=\"{:.1}\">{}</text>", px(*t), py(*s), esc(name), esc(&human(*s as u64)), esc(&against.tick(*t)), at.x, at.y, esc(name));
    }
    out.push_str(match against {
        Against::BuildTime => "</svg><p class=note>Joined: the Pareto front, configurations no other beats on both size and build time. Rows whose build was already up to date (cached) have no build time to show.</p>",
        Against::Instructions => "</svg><p class=note>Joined: the Pareto front, configurations no other beats on both size and speed (fewer instructions executed).</p>",
    });
}
