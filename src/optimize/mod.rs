//! `cargo weigh optimize`: a search for the smallest configuration, flash
//! for firmware and the stripped file otherwise.
//!
//! It starts from the profile as is and from seeds that are small on most
//! projects (fat LTO, one codegen unit, opt-level s and z), then walks the
//! axes from the best so far, a whole axis at a time, so each batch of
//! builds runs like a matrix (families, several at a time, the cache).
//! Opt-level comes first: it interacts most with LTO. A pass that changes
//! nothing ends the search. Settings identical in effect to one measured
//! (`opt-level = 3` on a profile that has it) are never built. The best is
//! the smallest configuration measured, whatever stopped the search.
//!
//! The search only decides what to build; building and measuring is a
//! callback, so the logic is testable without cargo.

mod space;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use space::{name_of, Axis, SearchSpace, Variant, WasmSpace};

use crate::matrix::Config;
use crate::results::ConfigResult;
use crate::results::Objective;

/// A change that made the best configuration smaller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Step {
    pub axis: String,
    pub to: String,
    pub config: String,
    /// The objective's size before and after the step.
    #[serde(rename = "before_bytes", alias = "before")]
    pub before: u64,
    #[serde(rename = "after_bytes", alias = "after")]
    pub after: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Summary {
    pub objective: Objective,
    pub start: String,
    /// The smallest configuration measured.
    pub best: String,
    pub steps: Vec<Step>,
    /// Configurations no other beats on both size and build CPU time
    /// (among builds that really compiled).
    pub pareto: Vec<String>,
    pub builds: usize,
    /// Why the search stopped, and what it skipped.
    pub notes: Vec<String>,
}

/// Builds and measures a batch: a row per configuration (`None` where
/// the run was interrupted before it), and false when interrupted.
pub type Evaluate<'a> = dyn FnMut(&[Config]) -> (Vec<Option<ConfigResult>>, bool) + 'a;

/// Run-time limits a configuration must keep to be chosen (`--runtime`
/// figures measured by the evaluator): against the starting configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunLimits {
    /// More instructions than the start by at most this %.
    pub max_slowdown_pct: Option<f64>,
    /// Observed peak stack at most this.
    pub max_stack: Option<u64>,
}

impl RunLimits {
    pub fn any(&self) -> bool {
        self.max_slowdown_pct.is_some() || self.max_stack.is_some()
    }

    /// Why `r` breaks a limit against the start's instructions `reference`.
    pub fn broken(&self, r: &ConfigResult, reference: Option<u64>) -> Option<String> {
        if !self.any() {
            return None;
        }
        let rt = r.checks.runtime.as_ref();
        if let Some(max) = self.max_slowdown_pct {
            let (Some(now), Some(was)) = (rt.and_then(|x| x.comparable_instructions()), reference)
            else {
                return Some("its instructions were not measured".into());
            };
            let pct = (now as f64 - was as f64) * 100.0 / was.max(1) as f64;
            if pct > max {
                return Some(format!(
                    "{pct:+.1} % instructions, over --max-slowdown {max} %"
                ));
            }
        }
        if let Some(max) = self.max_stack {
            match rt.and_then(|x| x.stack_bytes) {
                Some(b) if b > max => {
                    return Some(format!("peak stack {b} B, over --max-stack {max} B"))
                }
                None => return Some("its stack was not observed".into()),
                _ => {}
            }
        }
        None
    }
}

pub struct Search<'a> {
    pub objective: Objective,
    pub max_builds: usize,
    pub max_build_seconds: Option<f64>,
    pub run_limits: RunLimits,
    pub space: SearchSpace,
    pub evaluate: &'a mut Evaluate<'a>,
    /// Told about every improvement as it happens.
    pub on_step: &'a mut dyn FnMut(&Step),
}

/// What the search has measured so far.
#[derive(Default)]
struct State {
    results: Vec<ConfigResult>,
    configs: Vec<Config>,
    by_key: HashMap<String, usize>,
    steps: Vec<Step>,
    notes: Vec<String>,
    unsupported: Vec<String>,
    best: Option<usize>,
    /// Each axis's values and what they measured when it was last walked.
    scans: HashMap<&'static str, Vec<(String, Option<u64>)>>,
}

/// The starting configuration's instructions: what slowdown is against.
fn reference(st: &State) -> Option<u64> {
    st.results
        .first()?
        .checks
        .runtime
        .as_ref()?
        .comparable_instructions()
}

/// Why the search ended early.
enum Stop {
    Budget,
    Interrupted,
}

impl Search<'_> {
    fn value(&self, st: &State, r: &ConfigResult) -> Option<u64> {
        let over_time = match (self.max_build_seconds, r.build_cpu_seconds) {
            (Some(limit), Some(t)) => t > limit && !r.fresh,
            _ => false,
        };
        let too_slow = self.run_limits.broken(r, reference(st)).is_some();
        self.objective.of(r).filter(|_| !over_time && !too_slow)
    }

    /// The smallest measured: fewest settings on a tie, then first measured.
    fn smallest(&self, st: &State) -> Option<usize> {
        (0..st.results.len())
            .filter_map(|i| Some((self.value(st, &st.results[i])?, i)))
            .min_by_key(|&(v, i)| (v, st.configs[i].settings.toml_pairs().len(), i))
            .map(|(_, i)| i)
    }

    /// Build the candidates not measured yet, as far as the budget allows.
    fn measure(&mut self, st: &mut State, candidates: Vec<Config>) -> Result<(), Stop> {
        let mut batch: Vec<Config> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        for mut c in candidates {
            let key = self.space.key(&c);
            if st.by_key.contains_key(&key) || keys.contains(&key) {
                continue;
            }
            c.name = name_of(&c);
            keys.push(key);
            batch.push(c);
        }
        let room = self.max_builds.saturating_sub(st.results.len());
        let cut = batch.len() > room;
        batch.truncate(room);
        if !batch.is_empty() {
            let (rows, complete) = (self.evaluate)(&batch);
            for ((c, key), r) in batch.into_iter().zip(keys).zip(rows) {
                let Some(r) = r else { continue };
                if let (Some(limit), Some(t)) = (self.max_build_seconds, r.build_cpu_seconds) {
                    if t > limit && !r.fresh {
                        st.notes.push(format!(
                            "rejected {}: its build took {t:.1} CPU s, over --max-build-time {limit}",
                            r.config.name
                        ));
                    }
                }
                let against = match st.results.is_empty() {
                    true => r
                        .checks
                        .runtime
                        .as_ref()
                        .and_then(|x| x.comparable_instructions()),
                    false => reference(st),
                };
                if let Some(why) = self.run_limits.broken(&r, against) {
                    st.notes.push(format!("rejected {}: {why}", r.config.name));
                }
                st.by_key.insert(key, st.results.len());
                st.configs.push(c);
                st.results.push(r);
            }
            if !complete {
                return Err(Stop::Interrupted);
            }
        }
        if cut {
            Err(Stop::Budget)
        } else {
            Ok(())
        }
    }

    /// Take the smallest as the best; a step when it changed.
    fn update_best(&mut self, st: &mut State, axis: &str, to: &str) -> bool {
        let new = self.smallest(st);
        let old = st.best;
        st.best = new;
        let (Some(n), Some(o)) = (new, old) else {
            return false;
        };
        if n == o {
            return false;
        }
        let step = Step {
            axis: axis.to_string(),
            to: to.to_string(),
            config: st.results[n].config.name.clone(),
            before: self.value(st, &st.results[o]).unwrap_or(0),
            after: self.value(st, &st.results[n]).unwrap_or(0),
        };
        (self.on_step)(&step);
        st.steps.push(step);
        true
    }

    /// Values of an axis worth walking again: those within 2 % of the best
    /// of its first walk (`None`: never walked). A change elsewhere rarely
    /// turns a clearly worse value into the best.
    fn promising(&self, st: &State, axis: &Axis) -> Option<Vec<String>> {
        let last = st.scans.get(axis.name)?;
        let mut values: Vec<(u64, &String)> =
            last.iter().filter_map(|(l, v)| Some(((*v)?, l))).collect();
        values.sort();
        let best = values.first().map_or(0, |(v, _)| *v) as f64;
        Some(
            values
                .iter()
                .filter(|(v, _)| *v as f64 <= best * 1.02)
                .map(|(_, l)| (*l).clone())
                .collect(),
        )
    }

    /// Variants of the best along one axis that did not fail before and,
    /// on a second walk, looked promising on the first.
    fn along(&self, st: &State, axis: &Axis) -> Vec<(Config, String)> {
        let Some(b) = st.best else { return Vec::new() };
        let promising = self.promising(st, axis);
        axis.variants
            .iter()
            .filter(|v| {
                !st.unsupported
                    .contains(&format!("{}={}", axis.name, v.label))
            })
            .filter(|v| promising.as_ref().is_none_or(|p| p.contains(&v.label)))
            .map(|v| {
                let mut c = st.configs[b].clone();
                v.apply(&mut c);
                (c, v.label.clone())
            })
            .collect()
    }

    /// Nightly-only variants that did not build are not supported here.
    fn note_unsupported(&self, st: &mut State, axis: &Axis, tried: &[(Config, String)]) {
        for (c, label) in tried {
            let unstable = axis
                .variants
                .iter()
                .any(|v| &v.label == label && v.unstable);
            let Some(&i) = st.by_key.get(&self.space.key(c)) else {
                continue;
            };
            let what = format!("{}={label}", axis.name);
            if unstable && !st.results[i].ok && !st.unsupported.contains(&what) {
                st.notes.push(format!(
                    "skipped {what}: it does not build with this toolchain ({})",
                    st.results[i].error.clone().unwrap_or_default()
                ));
                st.unsupported.push(what);
            }
        }
    }

    /// One pass over every axis from the best; true when the best changed.
    fn pass(&mut self, st: &mut State, axes: &[Axis]) -> Result<bool, Stop> {
        let mut improved = false;
        for axis in axes {
            let tried = self.along(st, axis);
            let result = self.measure(st, tried.iter().map(|(c, _)| c.clone()).collect());
            self.note_unsupported(st, axis, &tried);
            let walked: Vec<(String, Option<u64>)> = tried
                .iter()
                .map(|(c, label)| {
                    let at = st.by_key.get(&self.space.key(c));
                    (
                        label.clone(),
                        at.and_then(|&i| self.value(st, &st.results[i])),
                    )
                })
                .collect();
            if !walked.is_empty() && !st.scans.contains_key(axis.name) {
                st.scans.insert(axis.name, walked);
            }
            let label = st
                .best
                .and_then(|_| self.smallest(st))
                .and_then(|n| {
                    tried
                        .iter()
                        .find(|(c, _)| self.space.key(c) == self.space.key(&st.configs[n]))
                })
                .map(|(_, l)| l.clone())
                .unwrap_or_default();
            improved |= self.update_best(st, axis.name, &label);
            result?;
        }
        Ok(improved)
    }

    /// Run from `start`: every result built, the summary, and false when
    /// interrupted.
    pub fn run(&mut self, start: Config) -> (Vec<ConfigResult>, Summary, bool) {
        let mut st = State::default();
        let axes = self.space.axes();
        let mut first = vec![start.clone()];
        first.extend(self.space.seeds(&start));
        let mut outcome = self.measure(&mut st, first);
        st.best = st
            .results
            .first()
            .filter(|r| self.value(&st, r).is_some())
            .map(|_| 0);
        if st.best.is_none() {
            if let Some(r) = st.results.first() {
                st.notes.push(format!(
                    "the starting configuration does not build: {}",
                    r.error.clone().unwrap_or_default()
                ));
            }
        }
        self.update_best(&mut st, "seed", "opt-level s/z, lto fat, codegen-units 1");
        while outcome.is_ok() && st.best.is_some() {
            match self.pass(&mut st, &axes) {
                Ok(true) => {}
                Ok(false) => {
                    st.notes.push(
                        "stopped at a local minimum: no single change makes it smaller".into(),
                    );
                    break;
                }
                Err(e) => outcome = Err(e),
            }
        }
        if matches!(outcome, Err(Stop::Budget)) {
            st.notes
                .push(format!("stopped at --max-builds {}", self.max_builds));
        }
        if st.results.is_empty() && matches!(outcome, Err(Stop::Budget)) {
            st.notes = vec!["--max-builds allows no build".into()];
        }
        let best = self.smallest(&st).or(st.best).unwrap_or(0);
        let summary = Summary {
            objective: self.objective,
            start: name_of(&start),
            best: st
                .results
                .get(best)
                .map_or_else(|| name_of(&start), |r| r.config.name.clone()),
            steps: st.steps,
            pareto: pareto(&st.results, self.objective),
            builds: st.results.len(),
            notes: st.notes,
        };
        let complete = !matches!(outcome, Err(Stop::Interrupted));
        (st.results, summary, complete)
    }
}

/// Names of the configurations on the size/build-time Pareto front.
pub fn pareto(results: &[ConfigResult], objective: Objective) -> Vec<String> {
    let points: Vec<(u64, f64, &str)> = results
        .iter()
        // A cached build's time is not its cost: only real builds compete.
        .filter(|r| !r.fresh)
        .filter_map(|r| {
            Some((
                objective.of(r)?,
                r.build_cpu_seconds?,
                r.config.name.as_str(),
            ))
        })
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
