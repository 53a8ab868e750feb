//! `cargo weigh optimize`: greedy coordinate descent over the profile
//! settings (and nightly-only size options where the toolchain has them),
//! minimising flash for firmware and the stripped file otherwise.
//!
//! The search only decides what to build next; building and measuring is a
//! callback, so the logic is testable without cargo.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::ablation::Objective;
use crate::matrix::{Config, Panic};
use crate::report::ConfigResult;

/// One way to change a configuration along an axis.
pub struct Variant {
    pub label: String,
    apply: Box<dyn Fn(&mut Config)>,
    /// Nightly-only: a failed build means "not supported here", not a bad setting.
    pub unstable: bool,
}

pub struct Axis {
    pub name: &'static str,
    pub variants: Vec<Variant>,
}

fn setting(key: &'static str, value: &'static str) -> Variant {
    Variant {
        label: value.to_string(),
        apply: Box::new(move |c: &mut Config| {
            c.settings.set(key, value).expect("valid built-in value");
        }),
        unstable: false,
    }
}

fn flag(on: bool, flags: &'static [&'static str]) -> Variant {
    Variant {
        label: if on { "on" } else { "off" }.to_string(),
        apply: Box::new(move |c: &mut Config| {
            let owned: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
            let at = c
                .rustflags
                .windows(owned.len())
                .position(|w| w == owned.as_slice());
            match (on, at) {
                (true, None) => c.rustflags.extend(owned),
                (false, Some(i)) => {
                    c.rustflags.drain(i..i + owned.len());
                }
                _ => {}
            }
        }),
        unstable: on,
    }
}

/// What the search may change.
#[derive(Debug, Clone, Copy)]
pub struct SearchSpace {
    pub keep_unwind: bool,
    /// Nightly-only options are allowed (and the toolchain has rust-src).
    pub nightly: bool,
}

pub fn axes(space: SearchSpace) -> Vec<Axis> {
    let mut axes = vec![
        Axis {
            name: "opt-level",
            variants: ["0", "1", "2", "3", "s", "z"]
                .into_iter()
                .map(|v| setting("opt-level", v))
                .collect(),
        },
        Axis {
            name: "lto",
            variants: ["off", "thin", "fat"]
                .into_iter()
                .map(|v| setting("lto", v))
                .collect(),
        },
        Axis {
            name: "codegen-units",
            variants: ["1", "16"]
                .into_iter()
                .map(|v| setting("codegen-units", v))
                .collect(),
        },
        Axis {
            name: "overflow-checks",
            variants: ["false", "true"]
                .into_iter()
                .map(|v| setting("overflow-checks", v))
                .collect(),
        },
    ];
    if !space.keep_unwind {
        let mut variants = vec![setting("panic", "unwind"), setting("panic", "abort")];
        if space.nightly {
            variants.push(Variant {
                label: "immediate-abort".into(),
                apply: Box::new(|c: &mut Config| {
                    c.settings.panic = Some(Panic::ImmediateAbort);
                    if c.build_std.is_empty() {
                        c.build_std = vec!["core".into()];
                    }
                }),
                unstable: true,
            });
        }
        axes.push(Axis {
            name: "panic",
            variants,
        });
    }
    if space.nightly {
        axes.push(Axis {
            name: "location-detail=none",
            variants: vec![
                flag(false, &["-Zlocation-detail=none"]),
                flag(true, &["-Zlocation-detail=none"]),
            ],
        });
        axes.push(Axis {
            name: "fmt-debug=none",
            variants: vec![
                flag(false, &["-Zfmt-debug=none"]),
                flag(true, &["-Zfmt-debug=none"]),
            ],
        });
        axes.push(Axis {
            name: "optimize_for_size",
            variants: vec![
                Variant {
                    label: "off".into(),
                    apply: Box::new(|c: &mut Config| {
                        c.build_std_features.retain(|f| f != "optimize_for_size")
                    }),
                    unstable: false,
                },
                Variant {
                    label: "on".into(),
                    apply: Box::new(|c: &mut Config| {
                        if c.build_std.is_empty() {
                            c.build_std = vec!["core".into()];
                        }
                        if !c
                            .build_std_features
                            .iter()
                            .any(|f| f == "optimize_for_size")
                        {
                            c.build_std_features.push("optimize_for_size".into());
                        }
                    }),
                    unstable: true,
                },
            ],
        });
    }
    axes
}

/// A change the search kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub axis: String,
    pub to: String,
    pub config: String,
    pub before: u64,
    pub after: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub objective: Objective,
    pub start: String,
    pub best: String,
    pub steps: Vec<Step>,
    /// Configurations no other beats on both size and build time (among
    /// builds that really ran; cached ones have no build time to compare).
    pub pareto: Vec<String>,
    pub builds: usize,
    /// Why the search stopped, and what it skipped.
    pub notes: Vec<String>,
}

/// Identity of a build: everything but the name.
fn key(c: &Config) -> String {
    let mut c = c.clone();
    c.name.clear();
    serde_json::to_string(&c).expect("serializable")
}

/// The name of a configuration found by the search.
pub fn name_of(c: &Config) -> String {
    let s = c.summary();
    if s == "(profile as is)" {
        "release".into()
    } else {
        s
    }
}

pub struct Search<'a> {
    pub objective: Objective,
    pub max_builds: usize,
    pub max_build_seconds: Option<f64>,
    /// Build and measure; `None` when interrupted.
    pub evaluate: &'a mut dyn FnMut(&Config) -> Option<ConfigResult>,
    /// Told about every kept step as it happens.
    pub on_step: &'a mut dyn FnMut(&Step),
}

impl Search<'_> {
    /// Run from `start`; returns every result built and the summary.
    pub fn run(&mut self, start: Config, axes: &[Axis]) -> (Vec<ConfigResult>, Summary, bool) {
        let mut results: Vec<ConfigResult> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut notes = Vec::new();
        let mut unsupported: Vec<String> = Vec::new();
        let mut steps = Vec::new();
        let mut complete = true;
        let mut current = start.clone();
        current.name = name_of(&current);

        let mut builds = 0usize;
        let mut measure = |c: &Config,
                           results: &mut Vec<ConfigResult>,
                           builds: &mut usize|
         -> Result<Option<usize>, ()> {
            if let Some(&i) = seen.get(&key(c)) {
                return Ok(Some(i));
            }
            if *builds >= self.max_builds {
                return Ok(None);
            }
            *builds += 1;
            let r = (self.evaluate)(c).ok_or(())?;
            results.push(r);
            seen.insert(key(c), results.len() - 1);
            Ok(Some(results.len() - 1))
        };
        let value = |r: &ConfigResult| self.objective.of(r);

        // The search ends before it starts: the summary names the start only.
        let ended = |builds: usize, note: String| Summary {
            objective: self.objective,
            start: current.name.clone(),
            best: current.name.clone(),
            steps: Vec::new(),
            pareto: Vec::new(),
            builds,
            notes: vec![note],
        };
        let first = match measure(&current, &mut results, &mut builds) {
            Ok(Some(first)) => first,
            Ok(None) => {
                return (
                    results,
                    ended(builds, "--max-builds allows no build".into()),
                    true,
                )
            }
            Err(()) => {
                let s = ended(builds, "interrupted before the first build finished".into());
                return (results, s, false);
            }
        };
        let Some(mut best_value) = value(&results[first]) else {
            let note = format!(
                "the starting configuration does not build: {}",
                results[first].error.clone().unwrap_or_default()
            );
            let s = ended(builds, note);
            return (results, s, true);
        };
        'passes: loop {
            let mut improved = false;
            for axis in axes {
                let mut axis_best: Option<(u64, Config, String)> = None;
                for v in &axis.variants {
                    if unsupported.contains(&format!("{}={}", axis.name, v.label)) {
                        continue;
                    }
                    let mut cand = current.clone();
                    (v.apply)(&mut cand);
                    cand.name = name_of(&cand);
                    if key(&cand) == key(&current) {
                        continue;
                    }
                    let i = match measure(&cand, &mut results, &mut builds) {
                        Ok(Some(i)) => i,
                        Ok(None) => {
                            notes.push(format!("stopped at --max-builds {}", self.max_builds));
                            break 'passes;
                        }
                        Err(()) => {
                            complete = false;
                            break 'passes;
                        }
                    };
                    let r = &results[i];
                    let Some(size) = value(r) else {
                        if v.unstable {
                            unsupported.push(format!("{}={}", axis.name, v.label));
                            notes.push(format!(
                                "skipped {}={}: it does not build with this toolchain ({})",
                                axis.name,
                                v.label,
                                r.error.clone().unwrap_or_default()
                            ));
                        }
                        continue;
                    };
                    if let (Some(limit), Some(t)) = (self.max_build_seconds, r.build_cpu_seconds) {
                        if t > limit && !r.fresh {
                            notes.push(format!("rejected {}: its build took {t:.1} s, over --max-build-time {limit}", r.name));
                            continue;
                        }
                    }
                    if axis_best.as_ref().is_none_or(|(b, _, _)| size < *b) {
                        axis_best = Some((size, cand, v.label.clone()));
                    }
                }
                if let Some((size, cand, label)) = axis_best {
                    if size < best_value {
                        let step = Step {
                            axis: axis.name.to_string(),
                            to: label,
                            config: cand.name.clone(),
                            before: best_value,
                            after: size,
                        };
                        (self.on_step)(&step);
                        steps.push(step);
                        best_value = size;
                        current = cand;
                        improved = true;
                    }
                }
            }
            if !improved {
                notes.push("stopped at a local minimum: no single change makes it smaller".into());
                break;
            }
        }
        let summary = Summary {
            objective: self.objective,
            start: name_of(&start),
            best: current.name.clone(),
            steps,
            pareto: pareto(&results, self.objective),
            builds,
            notes,
        };
        (results, summary, complete)
    }
}

/// Names of the configurations on the size/build-time Pareto front.
pub fn pareto(results: &[ConfigResult], objective: Objective) -> Vec<String> {
    let points: Vec<(u64, f64, &str)> = results
        .iter()
        // A cached build's time is not its cost: only real builds compete.
        .filter(|r| !r.fresh)
        .filter_map(|r| Some((objective.of(r)?, r.build_cpu_seconds?, r.name.as_str())))
        .collect();
    let mut front: Vec<(u64, f64, &str)> = points
        .iter()
        .filter(|(s, t, _)| {
            !points
                .iter()
                .any(|(s2, t2, _)| s2 <= s && t2 <= t && (s2 < s || t2 < t))
        })
        .copied()
        .collect();
    front.sort_by_key(|(s, _, _)| *s);
    front.into_iter().map(|(_, _, n)| n.to_string()).collect()
}

#[cfg(test)]
mod tests;
