//! Snapshot tests of every exporter on one fixed report.

use super::{render as render_report, render_text};
use crate::matrix::{BaseProfile, Lto, OptLevel, Settings};
use crate::measure::{Berkeley, Measurement, SectionClass, SectionSize};
use crate::memory::{MemoryMap, Region};
use crate::options::{Format, OutputOptions};
use crate::report::Report;
use crate::results::ConfigResult;

fn section(name: &str, class: SectionClass, size: u64, addr: u64, lma: u64) -> SectionSize {
    let alloc = class != SectionClass::Other;
    SectionSize {
        name: name.into(),
        class,
        size,
        address: addr,
        load_address: lma,
        flash_bytes: if alloc && class != SectionClass::Bss {
            size
        } else {
            0
        },
        ram_bytes: if matches!(class, SectionClass::Data | SectionClass::Bss) {
            size
        } else {
            0
        },
    }
}

fn measurement(text: u64, data: u64, bss: u64, debug: u64) -> Measurement {
    let sections = vec![
        section(".vector_table", SectionClass::Text, 64, 0, 0),
        section(".text", SectionClass::Text, text - 64, 64, 64),
        section(".data", SectionClass::Data, data, 0x2000_0000, text),
        section(
            ".bss",
            SectionClass::Bss,
            bss,
            0x2000_0000 + data,
            0x2000_0000 + data,
        ),
        section(".debug_info", SectionClass::Other, debug, 0, 0),
    ];
    Measurement {
        file_bytes: text + data + debug + 1000,
        stripped_bytes: text + data + 300,
        flash_bytes: text + data,
        ram_bytes: data + bss,
        image_bytes: Some(text + data),
        berkeley: Berkeley { text, data, bss },
        format: "elf32-littlearm".into(),
        has_debug_info: debug > 0,
        debug_info_bytes: debug,
        symbol_table_bytes: 0,
        flash_hash: format!("{text:08x}{data:08x}"),
        normalized_bytes: None,
        sections,
        wasm: None,
    }
}

fn row(name: &str, settings: Settings, m: Option<Measurement>, secs: f64) -> ConfigResult {
    let mut c = ConfigResult::for_file(
        name.into(),
        format!("/t/weigh/artifacts/{name}/fw").into(),
        m.clone().unwrap_or_else(|| measurement(64 + 8, 0, 0, 0)),
    );
    c.changes = settings.summary();
    c.config.settings = settings;
    c.config.profile = BaseProfile::Release;
    c.build_cpu_seconds = Some(secs * 1.5);
    c.build_wall_seconds = Some(secs);
    if m.is_none() {
        c.ok = false;
        c.size = None;
        c.artifact = None;
        c.error =
            Some("error: deliberately broken, with a | pipe, a \"quote\" and <b>tags</b>".into());
        c.log = Some("/t/weigh/logs/broken.log".into());
    }
    c
}

fn memory_map() -> MemoryMap {
    MemoryMap::from_regions(
        "memory.x".into(),
        vec![
            Region {
                name: "FLASH".into(),
                attributes: String::new(),
                origin: 0,
                length: 512 * 1024,
            },
            Region {
                name: "RAM".into(),
                attributes: String::new(),
                origin: 0x2000_0000,
                length: 128 * 1024,
            },
        ],
    )
}

fn prices() -> crate::cost::CostModel {
    crate::cost::CostModel {
        currency: Some("USD".into()),
        price_per_kib: Some(0.12),
        units: Some(100_000),
        tiers: vec![
            crate::cost::Tier {
                name: "4K part".into(),
                flash_bytes: 4096,
                price: 0.5,
            },
            crate::cost::Tier {
                name: "16K part".into(),
                flash_bytes: 16384,
                price: 0.9,
            },
        ],
        ota: Some(crate::cost::Ota {
            devices: 1000,
            updates_per_year: 4.0,
            price_per_mb: 1.5,
        }),
    }
}

fn report() -> Report {
    let z = Settings {
        opt_level: Some(OptLevel::Z),
        ..Settings::default()
    };
    let fat = Settings {
        opt_level: Some(OptLevel::Z),
        lto: Some(Lto::Fat),
        codegen_units: Some(1),
        ..Settings::default()
    };
    let mut r = Report::new(vec![
        row(
            "release",
            Settings::default(),
            Some(measurement(8264, 8, 1028, 120_000)),
            12.5,
        ),
        row("opt-z", z, Some(measurement(6100, 8, 1028, 110_000)), 11.0),
        row(
            "z,fat \"lto\"",
            fat,
            Some(measurement(4000, 8, 1028, 90_000)),
            19.25,
        ),
        row("broken", Settings::default(), None, 3.0),
    ]);
    r.tool = "cargo-weigh (test)".into();
    r.target = Some("thumbv7em-none-eabihf".into());
    r.project = Some(crate::report::ProjectInfo {
        package: "fw".into(),
        version: "0.1.0".into(),
        manifest_path: "/t/fw/Cargo.toml".into(),
        binary: "fw".into(),
        binary_kind: crate::project::BinKind::Bin,
        features: Vec::new(),
    });
    r.matrix = Some(crate::report::MatrixInfo {
        kind: "file".into(),
        name: "weigh.toml".into(),
        configurations: 4,
        shard: None,
    });
    r.memory = Some(memory_map());
    let prices = prices();
    crate::analysis::derive(
        &mut r,
        &crate::analysis::Inputs {
            cost: Some(&prices),
            ..Default::default()
        },
    );
    r
}

fn options(format: Format) -> OutputOptions {
    OutputOptions {
        format,
        ..OutputOptions::default()
    }
}

fn render(f: Format) -> String {
    match f {
        Format::Table => render_text(&report(), &options(f), Some(100)),
        _ => String::from_utf8(render_report(&report(), &options(f)).unwrap()).unwrap(),
    }
}

#[test]
fn table() {
    insta::assert_snapshot!(render(Format::Table));
}

#[test]
fn the_table_fits_and_ends_with_the_verdict() {
    for width in [100, 80] {
        let text = render_text(&report(), &options(Format::Table), Some(width));
        for line in text.lines() {
            assert!(line.chars().count() <= width, "{width}: {line:?}\n{text}");
        }
        let last: Vec<&str> = text.lines().rev().take(3).collect();
        assert!(
            text.contains("smallest: z,fat \"lto\", flash 3.91 KiB (−51.5 % vs release)"),
            "{text}"
        );
        assert!(
            last.iter().any(|l| l.starts_with("failed: broken")),
            "{text}"
        );
    }
    let wide = render_text(
        &report(),
        &OutputOptions {
            wide: true,
            ..options(Format::Table)
        },
        None,
    );
    assert!(wide.contains("Image") && wide.contains("Changes"), "{wide}");
}

/// Columns dropped for a narrow terminal are named, and `--wide` shows
/// every one whatever the width.
#[test]
fn hidden_columns_are_named_and_wide_shows_them() {
    let narrow = render_text(&report(), &options(Format::Table), Some(60));
    let words = narrow.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(
            "3 columns hidden at 60 columns (Stripped, Build CPU, Δ Cost): --wide shows them"
        ),
        "{narrow}"
    );
    let wide = OutputOptions {
        wide: true,
        ..options(Format::Table)
    };
    let all = render_text(&report(), &wide, Some(60));
    assert!(!all.contains("hidden at"), "{all}");
    for h in ["Changes", "Image", "File", "Δ Cost"] {
        assert!(all.contains(h), "{h}:\n{all}");
    }
}

/// A reused row's build time is another run's: the table says which.
#[test]
fn reused_rows_say_which_run_measured_them() {
    let mut r = report();
    r.configs[0].reused = true;
    r.configs[0].measured_at = Some("2026-01-02T03:04:05Z".into());
    let text = render_text(&r, &options(Format::Table), Some(100));
    assert!(text.contains("(2026-01-02 run)"), "{text}");
    assert!(!text.contains(" s reused"), "{text}");
}

#[test]
fn csv() {
    let out = render(Format::Csv);
    // Data from binaries and users is quoted, never breaks the columns.
    let mut rd = csv::Reader::from_reader(out.as_bytes());
    for rec in rd.records() {
        assert_eq!(rec.unwrap().len(), super::csv::columns().len());
    }
    insta::assert_snapshot!(out);
}

#[test]
fn markdown() {
    let out = render(Format::Markdown);
    assert!(!out.contains("<b>"), "HTML in names is escaped");
    insta::assert_snapshot!(out);
}

#[test]
fn json_round_trips_and_has_the_promised_fields() {
    let out = render(Format::Json);
    let back: Report = serde_json::from_str(&out).unwrap();
    assert_eq!(back, report());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema_version"], 2);
    for key in [
        "name",
        "settings",
        "ok",
        "file_bytes",
        "stripped_bytes",
        "flash_bytes",
        "image_bytes",
        "ram_bytes",
        "sections",
        "build_cpu_seconds",
        "artifact",
    ] {
        assert!(
            v["configs"][0].get(key).is_some(),
            "configs[].{key} missing"
        );
    }
    insta::assert_snapshot!(out);
}

#[test]
fn rows_add_up() {
    let r = report();
    for c in r.configs.iter().filter_map(|c| c.size.as_ref()) {
        assert_eq!(c.flash_bytes, c.berkeley.text + c.berkeley.data);
        assert_eq!(c.ram_bytes, c.berkeley.data + c.berkeley.bss);
        assert_eq!(
            c.sections.iter().map(|s| s.flash_bytes).sum::<u64>(),
            c.flash_bytes
        );
    }
    let z = &r.configs[1];
    assert_eq!(
        z.derived.delta.as_ref().unwrap().flash_delta_bytes,
        6108 - 8272
    );
}

#[test]
fn shared_builds_and_parallel_runs_are_said_in_the_table() {
    let mut r = report();
    r.configs[2].shares_build_of = Some("opt-z".into());
    r.configs[2].root_build_cpu_seconds = Some(0.4);
    r.parallel_builds = Some(2);
    let table = render_text(&r, &options(Format::Table), Some(100));
    assert!(table.contains("≈28.9 s"), "{table}");
    let words = table.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("z,fat \"lto\" from opt-z"), "{table}");
    // CPU time does not include waiting for the other builds' job slots.
    assert!(!table.contains("includes waiting"), "{table}");
    let json: serde_json::Value =
        serde_json::from_slice(&render_report(&r, &options(Format::Json)).unwrap()).unwrap();
    assert_eq!(json["configs"][2]["shares_build_of"], "opt-z");
    assert_eq!(json["parallel_builds"], 2);
}

#[test]
fn interrupted_before_anything_was_built_says_so_and_nothing_else() {
    let mut r = Report::new(Vec::new());
    r.complete = false;
    r.target = Some("thumbv7em-none-eabihf".into());
    let table = render_text(&r, &options(Format::Table), Some(100));
    assert_eq!(table, "interrupted before anything was built\n");
}

#[test]
fn verdict() {
    let lines = super::views::verdict::verdict(&report());
    insta::assert_snapshot!(lines.join("\n"), @r#"
    smallest: z,fat "lto", flash 3.91 KiB (−51.5 % vs release)
    failed: broken: error: deliberately broken, with a | pipe, a "quote" and <b>tags</b> (log: /t/weigh/logs/broken.log)
    "#);
}

/// An interrupted run names the smallest of what it built, never a
/// configuration to apply from half a matrix.
#[test]
fn an_interrupted_run_offers_nothing_to_apply() {
    let mut r = report();
    for c in &mut r.configs {
        c.log = Some("/t/weigh/logs/x.log".into());
    }
    let whole = super::views::verdict::verdict(&r).join("\n");
    assert!(whole.contains("→ cargo weigh apply"), "{whole}");
    r.complete = false;
    let half = super::views::verdict::verdict(&r).join("\n");
    assert!(!half.contains("apply"), "{half}");
    assert!(half.starts_with("smallest so far: "), "{half}");
}

/// The README documents every CSV column, in order.
#[test]
fn readme_documents_every_csv_column() {
    let readme = include_str!("../../README.md");
    let table = &readme[readme.find("| `config` |").expect("the CSV table")..];
    let documented: Vec<&str> = table
        .lines()
        .take_while(|l| l.starts_with('|'))
        .flat_map(|l| l.split('|').nth(1).unwrap_or("").split(','))
        .map(|c| c.trim().trim_matches('`'))
        .collect();
    assert_eq!(documented, super::csv::columns());
}
