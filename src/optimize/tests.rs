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
        image_bytes: Some(size),
        berkeley: Berkeley {
            text: size,
            data: 0,
            bss: 0,
        },
        format: "elf32-littlearm".into(),
        has_debug_info: false,
        debug_info_bytes: 0,
        symbol_table_bytes: 0,
        flash_hash: size.to_string(),
        normalized_bytes: None,
        sections: Vec::new(),
        wasm: None,
    };
    let mut r = ConfigResult::for_file(c.name.clone(), "/dev/null".into(), m);
    r.config.settings = c.settings.clone();
    r.build_cpu_seconds = Some(if c.settings.lto == Some(crate::matrix::Lto::Fat) {
        20.0
    } else {
        10.0
    });
    r
}

fn space(nightly: bool, keep_unwind: bool) -> SearchSpace {
    SearchSpace {
        wasm: None,
        keep_unwind,
        nightly,
        effective: crate::project::profile::effective(
            std::path::Path::new("/nonexistent"),
            &crate::project::CargoConfig::discover_with_env(
                std::path::Path::new("/nonexistent"),
                &[],
                Vec::new(),
            )
            .unwrap(),
            BaseProfile::Release,
        ),
        target_aborts: true,
    }
}

fn search_with(
    space: SearchSpace,
    max_builds: usize,
    size: &dyn Fn(&Config) -> u64,
) -> (Vec<ConfigResult>, Summary) {
    let mut evaluate = |batch: &[Config]| {
        let rows = batch
            .iter()
            .map(|c| {
                let mut r = result(c);
                let v = size(c);
                if let Some(m) = r.size.as_mut() {
                    m.flash_bytes = v;
                    m.flash_hash = v.to_string();
                }
                Some(r)
            })
            .collect();
        (rows, true)
    };
    let mut steps = Vec::new();
    let mut on_step = |s: &Step| steps.push(s.clone());
    let mut s = Search {
        objective: Objective::Flash,
        max_builds,
        max_build_seconds: None,
        run_limits: RunLimits::default(),
        space,
        evaluate: &mut evaluate,
        on_step: &mut on_step,
    };
    let (r, sum, complete) = s.run(Config::new(
        "release",
        BaseProfile::Release,
        Settings::default(),
    ));
    assert!(complete);
    (r, sum)
}

fn search(space: SearchSpace, max_builds: usize) -> (Vec<ConfigResult>, Summary) {
    search_with(space, max_builds, &fake_size)
}

#[test]
fn finds_the_combined_minimum_and_prints_each_step() {
    let (results, sum) = search(space(false, false), 100);
    assert_eq!(
        fake_size_of(&results, &sum.best),
        10_000 - 4_000 - 2_000 - 100
    );
    assert!(!sum.steps.is_empty());
    assert!(sum
        .steps
        .windows(2)
        .all(|w| w[1].before == w[0].after && w[1].after < w[0].after));
    assert!(sum.notes.iter().any(|n| n.contains("local minimum")));
    // Never builds the same configuration twice.
    let mut names: Vec<&str> = results.iter().map(|r| r.config.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), results.len());
}

fn fake_size_of(results: &[ConfigResult], name: &str) -> u64 {
    results
        .iter()
        .find(|r| r.config.name == name)
        .unwrap()
        .size
        .as_ref()
        .unwrap()
        .flash_bytes
}

#[test]
fn nightly_options_are_tried_only_when_allowed() {
    let (results, _) = search(space(false, true), 100);
    assert!(results
        .iter()
        .all(|r| !r.config.name.contains("-Z") && r.config.settings.panic.is_none()));
    let (results, sum) = search(space(true, false), 100);
    assert!(results
        .iter()
        .any(|r| r.config.name.contains("-Zlocation-detail=none")));
    assert_eq!(
        fake_size_of(&results, &sum.best),
        10_000 - 4_000 - 2_000 - 100 - 50
    );
}

#[test]
fn the_best_is_the_smallest_measured_whatever_stopped_the_search() {
    let (results, sum) = search(space(false, false), 2);
    assert_eq!(results.len(), 2);
    assert!(sum.notes.iter().any(|n| n.contains("--max-builds 2")));
    let smallest = results
        .iter()
        .min_by_key(|r| r.size.as_ref().unwrap().flash_bytes)
        .unwrap();
    assert_eq!(sum.best, smallest.config.name);
    assert_ne!(sum.best, "release");
}

#[test]
fn settings_identical_in_effect_are_not_built() {
    let (results, _) = search(space(false, false), 100);
    for r in &results {
        let s = &r.config.settings;
        // Release is opt-level 3 already; the target aborts on panic.
        assert!(
            !(r.config.name.contains("opt-level=3")
                && s.lto.is_none()
                && s.codegen_units.is_none()),
            "{}",
            r.config.name
        );
        assert!(s.panic.is_none(), "{}", r.config.name);
    }
}

/// Size landscapes where opt-level and LTO interact, as measured on real
/// firmware: the search reaches the grid's optimum with at most 30 % of
/// the grid's builds.
#[test]
fn reaches_the_grid_optimum_on_interacting_landscapes() {
    use crate::matrix::{Lto, OptLevel};
    let opt = |c: &Config| c.settings.opt_level.unwrap_or(OptLevel::O3);
    let lto = |c: &Config| c.settings.lto.unwrap_or(Lto::False);
    let cgu1 = |c: &Config| c.settings.codegen_units == Some(1);
    // Blinky-like: s with fat LTO is the smallest, z close behind.
    let blinky = |c: &Config| -> u64 {
        let base = match opt(c) {
            OptLevel::O0 => 60_000,
            OptLevel::O1 => 12_000,
            OptLevel::O2 | OptLevel::O3 => 8_200,
            OptLevel::S => 7_400,
            OptLevel::Z => 7_300,
        };
        let lto_cut = match (lto(c), opt(c)) {
            (Lto::Fat, OptLevel::S) => 6_440,
            (Lto::Fat, OptLevel::Z) => 5_500,
            (Lto::Fat, _) => 4_000,
            (Lto::Thin, _) => 20,
            _ => 0,
        };
        base - lto_cut - if cgu1(c) { 30 } else { 0 }
    };
    // Prebuilt-core-like: opt-level z makes it larger; 2 with fat LTO wins.
    let prebuilt = |c: &Config| -> u64 {
        let base = match opt(c) {
            OptLevel::O0 => 60_000,
            OptLevel::O1 => 9_000,
            OptLevel::O2 => 8_000,
            OptLevel::O3 => 8_264,
            OptLevel::S => 8_900,
            OptLevel::Z => 9_600,
        };
        base - if lto(c) == Lto::Fat { 3_000 } else { 0 } - if cgu1(c) { 40 } else { 0 }
    };
    let landscapes: [&dyn Fn(&Config) -> u64; 2] = [&blinky, &prebuilt];
    for (n, size) in landscapes.into_iter().enumerate() {
        let mut grid = u64::MAX;
        for o in ["0", "1", "2", "3", "s", "z"] {
            for l in ["off", "thin", "fat"] {
                for cgu in ["1", "16"] {
                    let mut c = Config::new("g", BaseProfile::Release, Settings::default());
                    c.settings.set("opt-level", o).unwrap();
                    c.settings.set("lto", l).unwrap();
                    c.settings.set("codegen-units", cgu).unwrap();
                    grid = grid.min(size(&c));
                }
            }
        }
        let (results, sum) = search_with(space(false, true), 100, size);
        let best = results.iter().find(|r| r.config.name == sum.best).unwrap();
        assert_eq!(
            best.size.as_ref().unwrap().flash_bytes,
            grid,
            "landscape {n}"
        );
        // About a quarter of the 36-point grid, plus the one probe of
        // overflow checks the grid does not have.
        assert!(
            (results.len() - 1) * 10 <= 36 * 3,
            "landscape {n}: {} builds",
            results.len()
        );
    }
}
#[test]
fn pareto_front_keeps_only_undominated_points() {
    let (results, sum) = search(space(false, false), 100);
    // The smallest is on the front; so is the fastest-building smallest-non-LTO one.
    assert!(sum.pareto.contains(&sum.best));
    for name in &sum.pareto {
        let r = results.iter().find(|r| &r.config.name == name).unwrap();
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

/// A second walk along an axis only tries the values that were close to
/// the best on the first (rtic's `complex`: codegen-units changed last).
#[test]
fn a_second_walk_tries_only_promising_values() {
    use crate::matrix::{Lto, OptLevel};
    let measured = |c: &Config| -> u64 {
        let cgu16 = c.settings.codegen_units != Some(1);
        let lto = c.settings.lto.unwrap_or(Lto::Fat);
        let base = match c.settings.opt_level.unwrap_or(OptLevel::O3) {
            OptLevel::O0 => 10_476,
            OptLevel::O1 => 5_108,
            OptLevel::O2 => 5_512,
            OptLevel::O3 => 5_660,
            OptLevel::S => 4_152,
            OptLevel::Z => 3_864,
        };
        base + match lto {
            Lto::Fat => 0,
            Lto::Thin => 300,
            _ => 1_500,
        } - if cgu16 { 12 } else { 0 }
    };
    // The project's release profile has fat LTO and one codegen unit.
    let mut sp = space(false, true);
    sp.effective.lto = Some(Lto::Fat);
    sp.effective.codegen_units = Some(1);
    let (results, sum) = search_with(sp, 100, &measured);
    assert_eq!(fake_size_of(&results, &sum.best), 3_852);
    assert!(
        results.len() <= 10,
        "{} builds: {:?}",
        results.len(),
        results.iter().map(|r| &r.config.name).collect::<Vec<_>>()
    );
}
