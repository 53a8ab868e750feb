//! The HTML pages in a real browser (headless Chromium) at 1280 px: nothing
//! overflows the page (wide tables scroll inside their box), every chart
//! has labelled axes and ticks, every point and bar is named, the tables
//! sort, the attribution has its selector and treemap. The page under test
//! is loaded in a frame of a small harness page whose script measures the
//! layout and writes its findings into the DOM Chromium dumps.

mod common;

use std::path::Path;

use common::*;

/// What the harness measures, as JSON in `<pre id=result>`.
const HARNESS: &str = r#"<!DOCTYPE html><html><body style="margin:0">
<iframe id=f src="PAGE" style="width:1280px;height:4000px;border:0"></iframe>
<pre id=result></pre>
<script>
document.getElementById('f').addEventListener('load', function () {
  try { measure(this.contentDocument); }
  catch (e) { document.getElementById('result').textContent = JSON.stringify({error: String(e)}); }
});
function measure(d) {
  var w = d.documentElement.clientWidth, out = {};
  out.width = w;
  out.scroll_width = d.documentElement.scrollWidth;
  out.overflowing = [];
  d.querySelectorAll('body *').forEach(function (e) {
    if (e.closest('.scroll') || e.closest('svg') || e.closest('script')) return;
    var r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > w + 0.5) out.overflowing.push(e.tagName + '.' + e.className + ' ' + Math.round(r.right));
  });
  out.charts = [];
  // A heading with nothing under it before the next heading.
  out.empty_headings = Array.prototype.filter.call(d.querySelectorAll('h2'), function (h) {
    var n = h.nextElementSibling; return !n || n.tagName === 'H2';
  }).map(function (h) { return h.textContent; });
  d.querySelectorAll('svg.chart').forEach(function (s) {
    var r = s.getBoundingClientRect();
    // Only what is drawn: an element the browser does not render has no box.
    var drawn = function (sel) { return Array.prototype.filter.call(s.querySelectorAll(sel), function (e) { return e.getBoundingClientRect().width > 0; }); };
    out.charts.push({
      label: s.getAttribute('aria-label'),
      right: Math.round(r.right),
      axis_labels: drawn('.axis-label').map(function (t) { return t.textContent; }),
      ticks: drawn('.tick').length,
      points: drawn('circle').length,
      point_labels: drawn('.pt-label').length,
      // Pairs of point labels whose drawn boxes overlap.
      overprinted: (function () {
        var r = drawn('.pt-label').map(function (t) { return t.getBoundingClientRect(); }), n = 0;
        for (var i = 0; i < r.length; i++) for (var j = i + 1; j < r.length; j++)
          if (r[i].left < r[j].right && r[j].left < r[i].right && r[i].top < r[j].bottom && r[j].top < r[i].bottom) n++;
        return n;
      })(),
      bars: drawn('rect').length,
      bar_labels: drawn('.label').length
    });
  });
  var summary = d.getElementById('summary');
  var flash = summary && Array.prototype.find.call(summary.querySelectorAll('th'), function (th) { return th.textContent === 'Flash'; });
  if (flash) {
    flash.click();
    var cells = Array.prototype.map.call(summary.tBodies[0].rows, function (r) { return +r.cells[flash.cellIndex].getAttribute('data-sort'); });
    out.sorted = cells.every(function (v, i) { return i === 0 || cells[i - 1] <= v; });
  }
  out.selector = d.querySelectorAll('#config option').length;
  out.treemap_boxes = d.querySelectorAll('#treemap div').length;
  out.treemap_titles = Array.prototype.slice.call(d.querySelectorAll('#treemap div'), 0, 40).map(function (e) { return e.title; });
  out.ablation_tables = d.querySelectorAll('[id^=ablation-]').length;
  out.diff_rows = d.querySelectorAll('table').length;
  document.getElementById('result').textContent = JSON.stringify(out);
}
</script></body></html>"#;

/// Load `page` in the harness at 1280 px and return the measurements.
fn measure(page: &Path, dir: &Path) -> serde_json::Value {
    let harness = dir.join(format!(
        "harness-{}.html",
        page.file_stem().unwrap().to_string_lossy()
    ));
    std::fs::write(
        &harness,
        HARNESS.replace("PAGE", &page.file_name().unwrap().to_string_lossy()),
    )
    .unwrap();
    let out = tool("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--allow-file-access-from-files",
            "--window-size=1300,4100",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("file://{}", harness.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom.find("<pre id=\"result\">").expect("the harness ran") + 17;
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end]
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    serde_json::from_str(&json).unwrap_or_else(|e| {
        panic!(
            "no measurements ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn fits(m: &serde_json::Value, what: &str) {
    assert_eq!(m["width"], 1280, "{what}: {m}");
    assert!(
        m["scroll_width"].as_u64().unwrap() <= 1280,
        "{what}: the page scrolls sideways: {m}"
    );
    assert!(
        m["overflowing"].as_array().unwrap().is_empty(),
        "{what}: elements past the right edge: {m}"
    );
}

#[test]
fn report_and_diff_pages_fit_1280_px_with_labelled_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("report.json");
    let out = run(tiny_weigh("tiny-verify.toml")
        .args([
            "--attribute",
            "--ablation",
            "--quiet",
            "--format",
            "json",
            "--output",
        ])
        .arg(&report));
    assert!(out.status.success(), "{}", text(&out).1);
    // Build times for the scatter: a report of real builds has them; the
    // cached rows here get some, as a real cold run would.
    let mut r = json(&report);
    for (i, c) in r["configs"].as_array_mut().unwrap().iter_mut().enumerate() {
        c["fresh"] = false.into();
        c["build_cpu_seconds"] = (10.0 + i as f64 * 1.5).into();
    }
    std::fs::write(&report, serde_json::to_vec(&r).unwrap()).unwrap();
    let page = tmp.path().join("report.html");
    let show = run(weigh()
        .arg("show")
        .arg(&report)
        .args(["--format", "html", "-o"])
        .arg(&page));
    assert!(show.status.success(), "{}", text(&show).1);

    let m = measure(&page, tmp.path());
    fits(&m, "report page");
    // No "Size against speed" heading without run times.
    assert_eq!(m["empty_headings"], serde_json::json!([]), "{m}");
    let charts = m["charts"].as_array().unwrap();
    assert_eq!(charts.len(), 2, "bars and scatter: {m}");
    let configs = r["configs"].as_array().unwrap().len() as u64;
    for c in charts {
        assert!(c["right"].as_u64().unwrap() <= 1280, "{c}");
        let labels = c["axis_labels"].as_array().unwrap();
        assert!(!labels.is_empty(), "a chart without axis labels: {c}");
        for l in labels {
            let l = l.as_str().unwrap();
            assert!(
                l.contains('(') && l.ends_with(')'),
                "an axis label without its unit: {l}"
            );
        }
        assert!(c["ticks"].as_u64().unwrap() >= 3, "{c}");
    }
    let bars = &charts[0];
    assert_eq!(bars["bar_labels"], configs, "every bar named: {bars}");
    let scatter = &charts[1];
    assert_eq!(scatter["points"], configs, "{scatter}");
    assert_eq!(
        scatter["overprinted"], 0,
        "labels print over each other: {scatter}"
    );
    assert_eq!(
        scatter["point_labels"], scatter["points"],
        "every point named"
    );
    assert_eq!(m["sorted"], true, "clicking Flash sorts the summary: {m}");
    assert_eq!(
        m["selector"], configs,
        "a configuration selector for attribution"
    );
    assert!(m["treemap_boxes"].as_u64().unwrap() > 3, "{m}");
    assert!(m["ablation_tables"].as_u64().unwrap() >= 1, "{m}");

    // The diff page of two configurations of the report.
    let diff = tmp.path().join("diff.html");
    let d = run(weigh()
        .arg("diff")
        .arg(&report)
        .args([
            "--from", "release", "--to", "z-fat", "--format", "html", "-o",
        ])
        .arg(&diff));
    assert!(d.status.success(), "{}", text(&d).1);
    let m = measure(&diff, tmp.path());
    fits(&m, "diff page");
    assert!(m["diff_rows"].as_u64().unwrap() >= 2, "{m}");
}

/// The history page: one line per configuration in each chart, named at
/// its end; configurations with the same RAM end at one point and their
/// names must not print over each other.
#[test]
fn history_charts_name_every_line_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let r = json_stdout(tiny_weigh("tiny-verify.toml").args(["--quiet", "--format", "json"]));
    let configs = r["configs"].clone();
    let points: Vec<serde_json::Value> = (0..3)
        .map(|i| {
            serde_json::json!({
                "commit": format!("{i:040x}"),
                "index": i,
                "summary": format!("commit {i}"),
                "date": "2026-12-01T00:00:00Z",
                "configs": configs,
            })
        })
        .collect();
    let h = serde_json::json!({
        "schema_version": r["schema_version"],
        "range": "a..b",
        "project": "tiny",
        "target": r["target"],
        "points": points,
        "notes": [],
    });
    let file = tmp.path().join("history.json");
    std::fs::write(&file, h.to_string()).unwrap();
    let page = tmp.path().join("history.html");
    let out = run(weigh()
        .arg("merge")
        .arg(&file)
        .args(["--format", "html", "-o"])
        .arg(&page));
    assert!(out.status.success(), "{}", text(&out).1);
    let m = measure(&page, tmp.path());
    fits(&m, "history page");
    let charts = m["charts"].as_array().unwrap();
    assert!(charts.len() >= 2, "{m}");
    for c in charts {
        assert!(c["point_labels"].as_u64().unwrap() >= 1, "{c}");
        assert_eq!(c["overprinted"], 0, "labels print over each other: {c}");
    }
}

/// `top --retained --format html`: a treemap of what symbols retain, each
/// box naming the chain that keeps it.
#[test]
fn retained_treemap_names_the_chain_of_every_box() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("retained.html");
    let out = run(tiny_subcommand("top", "tiny-matrix.toml")
        .args([
            "--only",
            "release",
            "--retained",
            "--quiet",
            "--format",
            "html",
            "-o",
        ])
        .arg(&page));
    assert!(out.status.success(), "{}", text(&out).1);
    let m = measure(&page, tmp.path());
    fits(&m, "retained page");
    assert!(m["treemap_boxes"].as_u64().unwrap() > 3, "{m}");
    let titles: Vec<&str> = m["treemap_titles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("Reset: retains ")),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .all(|t| t.contains("retains ") && t.contains("kept by ")),
        "{titles:?}"
    );
}
