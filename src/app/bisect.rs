//! `cargo weigh bisect GOOD..BAD --grew SIZE`: the commit where the size
//! first reached GOOD's plus the threshold, found by halving the first-
//! parent line (git bisect's logic, builds shared with `history`), and
//! whether that commit's own step over its parent is the growth.

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::bail;

use super::history::{first_line, Walk};
use crate::budget::Growth;
use crate::compare::{compare_reports, Diff};
use crate::history::{commits, short, Commit, Metric};
use crate::options::{BisectOptions, Format};
use crate::report::Report;
use crate::sink::Sink;
use crate::units::{exact, human, signed_exact};

/// Commits by index (0 is GOOD), measured on demand, each once.
struct Line {
    walk: Walk,
    commits: Vec<Commit>,
    measured: HashMap<usize, Result<Report, String>>,
    config: Option<String>,
    metric: Option<Metric>,
    /// `-q`: no progress lines.
    quiet: bool,
}

impl Line {
    fn report(&mut self, i: usize) -> Option<&Report> {
        if !self.measured.contains_key(&i) {
            let c = &self.commits[i];
            if !self.quiet {
                eprintln!("bisect: building {} {}", short(&c.sha), c.summary);
            }
            let r = self.walk.measure(&self.commits[i].clone());
            if let Err(e) = &r {
                eprintln!("bisect: {} not measured: {}", short(&c.sha), first_line(e));
            }
            self.measured.insert(i, r);
        }
        self.measured[&i].as_ref().ok()
    }

    /// The size at commit `i` (None: it does not build).
    fn value(&mut self, i: usize) -> Option<u64> {
        let r = self.report(i)?.clone();
        let c = match &self.config {
            Some(name) => r.configs.iter().find(|c| &c.config.name == name)?,
            None => r.configs.first()?,
        };
        self.config.get_or_insert(c.config.name.clone());
        let m = *self.metric.get_or_insert_with(|| {
            crate::results::Objective::for_target(r.target.as_deref().unwrap_or("-none")).metric()
        });
        m.of(c)
    }

    /// The measurable commit nearest `mid` strictly between `lo` and `hi`.
    fn probe(&mut self, lo: usize, mid: usize, hi: usize) -> Option<(usize, u64)> {
        let above = mid..hi;
        let below = (lo + 1..mid).rev();
        above
            .chain(below)
            .find_map(|i| self.value(i).map(|v| (i, v)))
    }
}

fn threshold(g: Growth, base: u64) -> u64 {
    match g {
        Growth::Bytes(b) => b.max(1),
        Growth::Percent(p) => ((base as f64 * p / 100.0).ceil() as u64).max(1),
    }
}

/// The step bisect ends on: commits `lo` → `hi` and their sizes.
struct Step {
    lo: usize,
    hi: usize,
    before: u64,
    after: u64,
    /// The threshold over the step's parent.
    threshold: u64,
}

impl Step {
    fn grew(&self) -> i64 {
        self.after as i64 - self.before as i64
    }

    /// One commit whose own growth is the threshold or more.
    fn found(&self) -> bool {
        self.hi - self.lo == 1 && self.grew() >= self.threshold as i64
    }
}

/// The line from GOOD (index 0) to BAD, with GOOD's size measured.
fn open_line(opts: &BisectOptions) -> anyhow::Result<(Line, u64)> {
    let Some((good, _)) = opts.range.split_once("..") else {
        bail!(
            "bisect takes a range GOOD..BAD, not `{}`\n  hint: cargo weigh bisect v1.2..main --grew 2K",
            opts.range
        );
    };
    let walk = Walk::open(&opts.run)?;
    let mut commits_ = commits(&walk.repo, good, false)?;
    commits_.extend(commits(&walk.repo, &opts.range, true)?);
    if commits_.len() < 2 {
        bail!("no commits after {good} in `{}`", opts.range);
    }
    let mut l = Line {
        walk,
        commits: commits_,
        measured: HashMap::new(),
        config: opts.run.matrix.only.first().cloned(),
        metric: opts.metric,
        quiet: opts.run.output.quiet,
    };
    let Some(base) = l.value(0) else {
        bail!(
            "bisect: {good} ({}) cannot be measured: {}",
            short(&l.commits[0].sha),
            error_of(&l, 0)
        );
    };
    Ok((l, base))
}

/// Halve the line until the first commit at or above `base + t`;
/// `None` when even the last one is below.
fn search(l: &mut Line, base: u64, t: u64, grew: Growth) -> anyhow::Result<Option<Step>> {
    let n = l.commits.len() - 1;
    let Some(last) = l.value(n) else {
        bail!(
            "bisect: the end of the range ({}) cannot be measured: {}",
            short(&l.commits[n].sha),
            error_of(l, n)
        );
    };
    if last < base + t {
        return Ok(None);
    }
    // Invariant: lo is below base + t, hi at or above it.
    let (mut lo, mut hi) = (0, n);
    while hi - lo > 1 {
        match l.probe(lo, (lo + hi) / 2, hi) {
            Some((i, v)) if v >= base + t => hi = i,
            Some((i, _)) => lo = i,
            None => break,
        }
    }
    let (before, after) = (l.value(lo).unwrap_or(base), l.value(hi).unwrap_or(last));
    Ok(Some(Step {
        lo,
        hi,
        before,
        after,
        threshold: threshold(grew, before),
    }))
}

fn verdict(l: &Line, s: &Step, base: u64, t: u64) -> String {
    let (metric, config) = (
        l.metric.unwrap_or(Metric::Flash).name(),
        l.config.as_deref().unwrap_or(""),
    );
    let (c, p) = (&l.commits[s.hi], &l.commits[s.lo]);
    if s.found() {
        format!(
            "first commit whose {config} {metric} grew by {} or more over its parent: {} {}: {} → {} ({})",
            human(s.threshold), short(&c.sha), c.summary, exact(s.before), exact(s.after), signed_exact(s.grew())
        )
    } else if s.hi - s.lo > 1 {
        format!(
            "the {config} {metric} crossed {} + {} between {} and {} {}, but the {} commits between them cannot be measured",
            exact(base), human(t), short(&p.sha), short(&c.sha), c.summary, s.hi - s.lo - 1
        )
    } else {
        format!(
            "no single commit grew {config} {metric} by {} or more; the total crossed it at {} {} ({} over its parent)",
            human(s.threshold), short(&c.sha), c.summary, signed_exact(s.grew())
        )
    }
}

pub fn bisect(opts: &BisectOptions) -> anyhow::Result<ExitCode> {
    let sink = Sink::open(opts.run.output.output.as_deref())?;
    let (mut l, base) = open_line(opts)?;
    let t = threshold(opts.grew, base);
    let n = l.commits.len() - 1;
    let Some(step) = search(&mut l, base, t, opts.grew)? else {
        let last = l.value(n).unwrap_or(base);
        println!(
            "no growth of {} or more: {} {} went from {} to {} over {n} commits",
            human(t),
            l.config.as_deref().unwrap_or(""),
            l.metric.unwrap_or(Metric::Flash).name(),
            exact(base),
            exact(last)
        );
        return Ok(ExitCode::from(1));
    };
    let verdict = verdict(&l, &step, base, t);
    let (c, p) = (l.commits[step.hi].clone(), l.commits[step.lo].clone());
    let mut diff = match (l.report(step.lo).cloned(), l.report(step.hi).cloned()) {
        (Some(a), Some(b)) => compare_reports(&a, &b, short(&p.sha), short(&c.sha)),
        _ => Diff::default(),
    };
    if let Ok(manifest) = l.walk.manifest_at(&c) {
        let target = l.report(step.hi).and_then(|r| r.target.clone());
        let project = l.walk.project().clone();
        super::chains::add_chains(&mut diff, &manifest, &project, target.as_deref());
    }
    let found = crate::export::Bisected {
        schema_version: crate::report::SCHEMA_VERSION,
        found: step.found(),
        config: l.config.as_deref().unwrap_or(""),
        metric: l.metric.unwrap_or(Metric::Flash).name(),
        threshold_bytes: step.threshold,
        commit: &c.sha,
        summary: &c.summary,
        parent: &p.sha,
        before_bytes: step.before,
        after_bytes: step.after,
        grew_bytes: step.grew(),
        builds: l.measured.len(),
        diff: &diff,
        verdict: verdict.clone(),
        limit: opts.limit,
    };
    let format = opts.run.output.format;
    let body = crate::export::render_document(&found, format)?;
    if !l.quiet {
        eprintln!("bisect: {} builds for {} commits", l.measured.len(), n + 1);
    }
    // Where the verdict is not in what is written, or not on the terminal.
    if opts.run.output.output.is_some() || matches!(format, Format::Json | Format::Csv) {
        eprintln!("{verdict}");
    }
    sink.write(&body)?;
    Ok(if step.found() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn error_of(l: &Line, i: usize) -> String {
    match l.measured.get(&i) {
        Some(Err(e)) => first_line(e).to_string(),
        Some(Ok(r)) => r
            .configs
            .iter()
            .find_map(|c| c.error.clone())
            .or_else(|| {
                // Built, but without the figure asked for (brotli of an
                // ELF file, normalized flash of a module): said, not passed.
                let m = l.metric?;
                r.configs.iter().any(|c| c.ok).then(|| {
                    format!(
                        "its build has no {} figure\n  hint: --metric flash (normalized: ELF files with symbols; brotli: WebAssembly modules)",
                        m.name()
                    )
                })
            })
            .unwrap_or_else(|| "no configuration measured".into()),
        None => "not built".into(),
    }
}
