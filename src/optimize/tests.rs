use super::*;
use crate::matrix::{BaseProfile, Settings};
use crate::measure::{Berkeley, Measurement};

/// A made-up size function: fat LTO and opt-level z help, and they help more together.
fn fake_size(c: &Config) -> u64 {
    let s = &c.settings;
    let mut size = 10_000u64;
    if s.lto == Some(crate::matrix::Lto::Fat) {
        size -= 4_000;
    }
    if s.opt_level == Some(crate::matrix::OptLevel::Z) {
        size -= if s.lto == Some(crate::matrix::Lto::Fat) {
            2_000
        } else {
            500
        };
    }
    if s.codegen_units == Some(1) {
        size -= 100;
    }
    if c.rustflags.iter().any(|f| f == "-Zlocation-detail=none") {
        size -= 50;
    }
    size
}

fn result(c: &Config) -> ConfigResult {
    let size = fake_size(c);
    let m = Measurement {
        file_bytes: size * 10,
        stripped_bytes: size,
        flash_bytes: size,
        ram_bytes: 0,
        image_bytes: size,
        berkeley: Berkeley {
            text: size,
            data: 0,
            bss: 0,
        },
        format: "elf32-littlearm".into(),
        has_debug_info: false,
        flash_hash: size.to_string(),
        sections: Vec::new(),
    };
    let mut r = ConfigResult::for_file(c.name.clone(), "/dev/null".into(), m);
    r.settings = c.settings.clone();
    r.build_cpu_seconds = Some(if c.settings.lto == Some(crate::matrix::Lto::Fat) {
        20.0
    } else {
        10.0
    });
    r
}

fn search(space: SearchSpace, max_builds: usize) -> (Vec<ConfigResult>, Summary) {
    let mut evaluate = |c: &Config| Some(result(c));
    let mut steps = Vec::new();
    let mut on_step = |s: &Step| steps.push(s.clone());
    let mut s = Search {
        objective: Objective::Flash,
        max_builds,
        max_build_seconds: None,
        evaluate: &mut evaluate,
        on_step: &mut on_step,
    };
    let (r, sum, complete) = s.run(
        Config::new("release", BaseProfile::Release, Settings::default()),
        &axes(space),
    );
    assert!(complete);
    (r, sum)
}

#[test]
fn finds_the_combined_minimum_and_prints_each_step() {
    let (results, sum) = search(
        SearchSpace {
            keep_unwind: false,
            nightly: false,
        },
        100,
    );
    assert_eq!(
        fake_size_of(&results, &sum.best),
        10_000 - 4_000 - 2_000 - 100
    );
    assert!(sum.steps.len() >= 2);
    assert!(sum
        .steps
        .windows(2)
        .all(|w| w[1].before == w[0].after && w[1].after < w[0].after));
    assert!(sum.notes.iter().any(|n| n.contains("local minimum")));
    // Never builds the same configuration twice.
    let mut names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), results.len());
}

fn fake_size_of(results: &[ConfigResult], name: &str) -> u64 {
    results
        .iter()
        .find(|r| r.name == name)
        .unwrap()
        .size
        .as_ref()
        .unwrap()
        .flash_bytes
}

#[test]
fn nightly_options_are_tried_only_when_allowed() {
    let (results, _) = search(
        SearchSpace {
            keep_unwind: true,
            nightly: false,
        },
        100,
    );
    assert!(results
        .iter()
        .all(|r| !r.name.contains("-Z") && r.settings.panic.is_none()));
    let (results, sum) = search(
        SearchSpace {
            keep_unwind: false,
            nightly: true,
        },
        100,
    );
    assert!(results
        .iter()
        .any(|r| r.name.contains("-Zlocation-detail=none")));
    assert_eq!(
        fake_size_of(&results, &sum.best),
        10_000 - 4_000 - 2_000 - 100 - 50
    );
}

#[test]
fn max_builds_stops_the_search() {
    let (results, sum) = search(
        SearchSpace {
            keep_unwind: false,
            nightly: false,
        },
        4,
    );
    assert_eq!(results.len(), 4);
    assert!(sum.notes.iter().any(|n| n.contains("--max-builds 4")));
}

#[test]
fn pareto_front_keeps_only_undominated_points() {
    let (results, sum) = search(
        SearchSpace {
            keep_unwind: false,
            nightly: false,
        },
        100,
    );
    // The smallest is on the front; so is the fastest-building smallest-non-LTO one.
    assert!(sum.pareto.contains(&sum.best));
    for name in &sum.pareto {
        let r = results.iter().find(|r| &r.name == name).unwrap();
        let (s, t) = (
            r.size.as_ref().unwrap().flash_bytes,
            r.build_cpu_seconds.unwrap(),
        );
        assert!(!results.iter().any(|o| {
            let (s2, t2) = (
                o.size.as_ref().unwrap().flash_bytes,
                o.build_cpu_seconds.unwrap(),
            );
            s2 <= s && t2 <= t && (s2 < s || t2 < t)
        }));
    }
}
