use super::*;
use crate::matrix::{BaseProfile, Config};
use crate::results::ConfigResult;

fn row(flash: u64) -> ConfigResult {
    let m: crate::measure::Measurement = serde_json::from_value(serde_json::json!({
        "format": "elf", "file_bytes": 9000, "stripped_bytes": 8000, "flash_bytes": flash,
        "ram_bytes": 10, "flash_hash": "ab", "berkeley": {"text_bytes": flash, "data_bytes": 0, "bss_bytes": 10},
        "has_debug_info": false, "debug_info_bytes": 0, "symbol_table_bytes": 0, "sections": [],
    }))
    .expect("a measurement");
    let mut r = ConfigResult::for_file("release".into(), "/tmp/x/firmware.elf".into(), m);
    r.config = Config::new("release", BaseProfile::Release, Default::default());
    r.ok = true;
    r.build_cpu_seconds = Some(1.5);
    r
}

fn record(flash: u64, seconds: f64) -> Record {
    let mut r = row(flash);
    r.build_cpu_seconds = Some(seconds);
    Record::new(
        "k1".into(),
        "c0ffee",
        "thumbv7em-none-eabihf",
        "rustc 1.95.0",
        &r,
    )
}

#[test]
fn a_record_keeps_no_path_of_the_machine() {
    let r = record(100, 1.0);
    assert!(r.row.artifact.is_none() && r.row.log.is_none());
    assert!(!r.line().contains("/tmp/x"), "{}", r.line());
    assert_eq!(parse_lines(&r.line()), vec![r]);
}

#[test]
fn records_of_one_key_agree_on_figures_not_on_times() {
    let (a, b) = (record(100, 1.0), record(100, 2.0));
    assert!(matches!(find(&[a.clone(), b], "k1"), Found::One(_)));
    assert!(matches!(
        find(std::slice::from_ref(&a), "other"),
        Found::None
    ));
    let forged = record(101, 1.0);
    assert!(matches!(find(&[a, forged], "k1"), Found::Disagree(v) if v.len() == 2));
}

#[test]
fn damaged_lines_and_other_versions_are_skipped() {
    let good = record(100, 1.0);
    let mut later = good.clone();
    later.schema_version = RECORD_SCHEMA + 1;
    let text = format!("{}\n{{\"key\": 1\n{}\n", good.line(), later.line());
    assert_eq!(parse_lines(&text), vec![good]);
}

#[test]
fn a_directory_store_adds_each_line_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::Dir(dir.path().join("records"));
    assert!(store.load("c0ffee").unwrap().is_empty());
    let (a, b) = (record(100, 1.0), record(100, 2.0));
    assert_eq!(store.add("c0ffee", std::slice::from_ref(&a)).unwrap(), 1);
    assert_eq!(store.add("c0ffee", &[a.clone(), b.clone()]).unwrap(), 1);
    assert_eq!(store.load("c0ffee").unwrap().len(), 2);
    assert_eq!(store.commits().unwrap(), vec!["c0ffee".to_string()]);
}
