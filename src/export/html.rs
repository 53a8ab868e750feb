//! One self-contained HTML page (inline CSS, JS and SVG; nothing fetched),
//! in the spirit of cargo's `--timings` page. Every name that comes from a
//! binary or a user is escaped; data for the script is embedded as JSON
//! with `<` escaped, and the script only ever sets `textContent`.

use std::fmt::Write as _;

use super::{kib, notes, rows, Exporter, Row};
use crate::report::Report;

pub struct HtmlExporter;

/// Escape text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push('�'),
            c => out.push(c),
        }
    }
    out
}

/// JSON that is safe inside `<script type="application/json">`.
fn script_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

const CSS: &str = r#"
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
td:first-child,th:first-child,td.l,th.l{text-align:left}th{background:#f6f6f6;cursor:default}th.sort{cursor:pointer}
.bad{color:#b00020;font-weight:600}.note{color:#555;margin:2px 0}.sym{font-family:ui-monospace,monospace;white-space:normal;word-break:break-all;text-align:left}
.bar{height:14px;background:#eee;position:relative;width:420px;display:inline-block;vertical-align:middle}
.bar>span{position:absolute;left:0;top:0;bottom:0;background:#4e79a7}
svg text{font-size:11px;fill:#333}
"#;

const PALETTE: [&str; 8] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
];

fn summary_table(report: &Report, out: &mut String) {
    out.push_str("<table id=summary><thead><tr>");
    for h in super::headers(report) {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    let cols = super::optional(report);
    for (r, c) in rows(report).into_iter().zip(&report.configs) {
        let failed = !c.ok;
        out.push_str("<tr>");
        for (i, cell) in Row::cells(r, cols).into_iter().enumerate() {
            let class = if failed && i == 2 || cell == "DIFFERENT" {
                " class=bad"
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{}</td>", esc(&cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// Flash per configuration, sections stacked.
fn flash_bars(report: &Report, out: &mut String) {
    let ok: Vec<_> = report.configs.iter().filter(|c| c.size.is_some()).collect();
    if ok.is_empty() {
        return;
    }
    let max = ok
        .iter()
        .map(|c| c.size.as_ref().map(|s| s.flash_bytes).unwrap_or(0))
        .max()
        .unwrap_or(1)
        .max(1);
    let mut names: Vec<String> = Vec::new();
    for c in &ok {
        for s in &c.size.as_ref().expect("filtered").sections {
            if s.flash_bytes > 0 && !names.contains(&s.name) {
                names.push(s.name.clone());
            }
        }
    }
    let (label_w, bar_w, row_h) = (220.0, 640.0, 22.0);
    let height = row_h * ok.len() as f64 + 40.0;
    let _ = write!(
        out,
        "<svg role=img aria-label=\"flash per configuration\" width=\"{}\" height=\"{height}\">",
        label_w + bar_w + 120.0
    );
    for (i, c) in ok.iter().enumerate() {
        let y = 10.0 + i as f64 * row_h;
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\">{}</text>",
            y + 13.0,
            esc(&c.config.name)
        );
        let mut x = label_w;
        let m = c.size.as_ref().expect("filtered");
        for s in m.sections.iter().filter(|s| s.flash_bytes > 0) {
            let w = s.flash_bytes as f64 / max as f64 * bar_w;
            let color =
                PALETTE[names.iter().position(|n| n == &s.name).unwrap_or(0) % PALETTE.len()];
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"{color}\"><title>{}: {}</title></rect>",
                esc(&s.name),
                esc(&kib(s.flash_bytes))
            );
            x += w;
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{}\">{}</text>",
            x + 6.0,
            y + 13.0,
            esc(&kib(m.flash_bytes))
        );
    }
    let ly = 10.0 + ok.len() as f64 * row_h + 12.0;
    for (i, n) in names.iter().enumerate() {
        let x = label_w + i as f64 * 110.0;
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{ly}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            PALETTE[i % PALETTE.len()],
            x + 14.0,
            ly + 9.0,
            esc(n)
        );
    }
    out.push_str("</svg>");
}

/// Size against build time, Pareto front marked.
fn scatter(report: &Report, out: &mut String) {
    let pts: Vec<(u64, f64, &str, bool)> = report
        .configs
        .iter()
        .filter_map(|c| {
            Some((
                c.size.as_ref()?.flash_bytes,
                c.build_cpu_seconds?,
                c.config.name.as_str(),
                c.fresh,
            ))
        })
        .collect();
    if pts.len() < 2 {
        return;
    }
    let front: Vec<&str> = pts
        .iter()
        .filter(|(s, t, _, f)| {
            !f && !pts
                .iter()
                .any(|(s2, t2, _, f2)| !f2 && s2 <= s && t2 <= t && (s2 < s || t2 < t))
        })
        .map(|p| p.2)
        .collect();
    let (w, h, pad) = (640.0, 300.0, 50.0);
    let max_s = pts.iter().map(|p| p.0).max().unwrap_or(1).max(1) as f64;
    let max_t = pts.iter().map(|p| p.1).fold(0.1, f64::max);
    let _ = write!(
        out,
        "<svg role=img aria-label=\"size against build time\" width=\"{}\" height=\"{}\">",
        w + pad * 2.0,
        h + pad * 2.0
    );
    let _ = write!(
        out,
        "<line x1=\"{pad}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\"/><line x1=\"{pad}\" y1=\"{pad}\" x2=\"{pad}\" y2=\"{}\" stroke=\"#999\"/>",
        h + pad,
        w + pad,
        h + pad,
        h + pad
    );
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\">build seconds (max {max_t:.1})</text>",
        w / 2.0,
        h + pad + 30.0
    );
    let _ = write!(
        out,
        "<text x=\"4\" y=\"{}\">flash (max {})</text>",
        pad - 12.0,
        esc(&kib(max_s as u64))
    );
    for (s, t, name, fresh) in &pts {
        let x = pad + t / max_t * w;
        let y = pad + h - (*s as f64 / max_s) * h;
        let on_front = front.contains(name);
        let (r, fill) = if on_front {
            (6, "#e15759")
        } else if *fresh {
            (4, "#bbb")
        } else {
            (4, "#4e79a7")
        };
        let _ = write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\" fill=\"{fill}\"><title>{}: {}, {t:.1} s{}</title></circle>",
            esc(name),
            esc(&kib(*s)),
            if *fresh { " (cached)" } else if on_front { " (Pareto front)" } else { "" }
        );
    }
    out.push_str("</svg><p class=note>Red: the Pareto front (no configuration is both smaller and faster to build). Grey: cached builds, whose time is not a build's cost.</p>");
}

fn region_bars(report: &Report, out: &mut String) {
    let Some(m) = &report.memory else { return };
    let mut any = false;
    for c in report.configs.iter().filter(|c| !c.regions.is_empty()) {
        if !any {
            out.push_str("<table><thead><tr><th>Configuration</th><th class=l>Region</th><th>Used</th><th>Size</th><th class=l>Use</th></tr></thead><tbody>");
            any = true;
        }
        for r in &c.regions {
            let pct = if r.length > 0 {
                r.used_bytes as f64 * 100.0 / r.length as f64
            } else {
                0.0
            };
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=l>{}</td><td>{}</td><td>{}</td><td class=l><span class=bar><span style=\"width:{:.2}%\"></span></span> {pct:.2}%</td></tr>",
                esc(&c.config.name),
                esc(&r.name),
                esc(&kib(r.used_bytes)),
                esc(&kib(r.length)),
                pct.min(100.0)
            );
        }
    }
    if any {
        out.push_str("</tbody></table>");
        let _ = write!(out, "<p class=note>Memory map: {}</p>", esc(&m.source));
    }
}

/// Crate bars and a sortable, filterable symbol table for one configuration.
fn attribution(report: &Report, out: &mut String) {
    let Some(c) = report
        .configs
        .iter()
        .filter(|c| c.attribution.is_some())
        .min_by_key(|c| c.size.as_ref().map(|s| s.flash_bytes))
    else {
        out.push_str(
            "<p class=note>Run with <code>--attribute</code> to see where the bytes go.</p>",
        );
        return;
    };
    let a = c.attribution.as_ref().expect("filtered");
    let _ = write!(
        out,
        "<p>Configuration <b>{}</b> (the smallest attributed one); code attributed by {}.</p>",
        esc(&c.config.name),
        esc(&a.code_source)
    );
    let total: u64 = a
        .crates
        .iter()
        .fold(0u64, |t, k| t.saturating_add(k.total()))
        .max(1);
    out.push_str("<table><thead><tr><th>Crate</th><th>text</th><th>rodata</th><th>data</th><th>bss</th><th class=l>Share</th></tr></thead><tbody>");
    for k in &a.crates {
        let pct = k.total() as f64 * 100.0 / total as f64;
        let _ = write!(
            out,
            "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=l><span class=bar><span style=\"width:{pct:.2}%\"></span></span> {pct:.1}%</td></tr>",
            esc(&k.name),
            if k.heuristic { " ~" } else { "" },
            esc(&kib(k.text)),
            esc(&kib(k.rodata)),
            esc(&kib(k.data)),
            esc(&kib(k.bss)),
        );
    }
    out.push_str("</tbody></table><p class=note>~: crate guessed from a demangled path.</p>");
    let symbols: Vec<(&str, &str, &str, u64)> = a
        .symbols
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.crate_name.as_str(),
                s.section.as_str(),
                s.bytes,
            )
        })
        .collect();
    let _ = write!(
        out,
        "<p><label>Filter symbols: <input id=filter type=search placeholder=\"name or crate\"></label> <span id=count></span></p>\
         <table id=symbols><thead><tr><th class=\"sort l\" data-k=0>Symbol</th><th class=\"sort l\" data-k=1>Crate</th><th class=\"sort l\" data-k=2>Section</th><th class=sort data-k=3>Bytes</th></tr></thead><tbody></tbody></table>\
         <script type=\"application/json\" id=symbol-data>{}</script>",
        script_json(&symbols)
    );
}

const SCRIPT: &str = r#"
(function(){
  var el=document.getElementById('symbol-data'); if(!el) return;
  var rows=JSON.parse(el.textContent), key=3, desc=true;
  var body=document.querySelector('#symbols tbody'), input=document.getElementById('filter'), count=document.getElementById('count');
  function draw(){
    var q=(input.value||'').toLowerCase();
    var shown=rows.filter(function(r){return !q||r[0].toLowerCase().indexOf(q)>=0||r[1].toLowerCase().indexOf(q)>=0;});
    shown.sort(function(a,b){var x=a[key],y=b[key];var c=(typeof x==='number')?x-y:String(x).localeCompare(String(y));return desc?-c:c;});
    while(body.firstChild) body.removeChild(body.firstChild);
    shown.forEach(function(r){
      var tr=document.createElement('tr');
      r.forEach(function(v,i){var td=document.createElement('td');td.textContent=String(v);if(i==0)td.className='sym';if(i==1||i==2)td.className='l';tr.appendChild(td);});
      body.appendChild(tr);
    });
    count.textContent=shown.length+' of '+rows.length;
  }
  document.querySelectorAll('#symbols th.sort').forEach(function(th){
    th.addEventListener('click',function(){var k=+th.getAttribute('data-k');if(k===key)desc=!desc;else{key=k;desc=(k===3);}draw();});
  });
  input.addEventListener('input',draw);
  draw();
})();
"#;

impl Exporter for HtmlExporter {
    fn render(&self, report: &Report) -> anyhow::Result<Vec<u8>> {
        let mut out = String::from("<!DOCTYPE html><html lang=en><head><meta charset=utf-8>");
        let title = match (&report.project, &report.target) {
            (Some(p), Some(t)) => format!("cargo weigh: {} {} for {t}", p.package, p.binary),
            _ => "cargo weigh".into(),
        };
        let _ = write!(
            out,
            "<title>{}</title><style>{CSS}</style></head><body><h1>{}</h1>",
            esc(&title),
            esc(&title)
        );
        if let Some(tc) = &report.toolchain {
            let _ = write!(
                out,
                "<p class=note>{} · rustc {} · {}</p>",
                esc(&report.tool),
                esc(&tc.release),
                esc(report.matrix.as_deref().unwrap_or(""))
            );
        }
        if !report.complete {
            out.push_str("<p class=bad>Incomplete: the run was interrupted.</p>");
        }
        out.push_str("<h2>Summary</h2>");
        summary_table(report, &mut out);
        for n in notes(report) {
            let _ = write!(out, "<p class=note>{}</p>", esc(&n));
        }
        out.push_str("<h2>Flash per configuration</h2>");
        flash_bars(report, &mut out);
        out.push_str("<h2>Size against build time</h2>");
        scatter(report, &mut out);
        if report.memory.is_some() {
            out.push_str("<h2>Memory regions</h2>");
            region_bars(report, &mut out);
        }
        out.push_str("<h2>Where the bytes go</h2>");
        attribution(report, &mut out);
        let _ = writeln!(out, "<script>{SCRIPT}</script></body></html>");
        Ok(out.into_bytes())
    }
}

/// A minimal page holding preformatted text (for `top` and `diff`).
pub fn pre_page(title: &str, text: &str) -> Vec<u8> {
    format!(
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{}</title><style>{CSS}</style></head><body><h1>{}</h1><pre>{}</pre></body></html>\n",
        esc(title),
        esc(title),
        esc(text)
    )
    .into_bytes()
}
