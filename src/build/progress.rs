//! What a person sees while the matrix builds: on a terminal, a bar naming
//! the builds under way with their crate counts; in a CI log (stderr not a
//! terminal), one line per configuration as it finishes. An estimate of
//! what is left only once a configuration has finished.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::results::{ConfigResult, Objective};
use crate::units::human;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A bar redrawn in place (stderr is a terminal).
    Bar,
    /// A line per finished configuration (CI logs, pipes).
    Lines,
    Quiet,
}

impl Mode {
    pub fn detect(quiet: bool) -> Mode {
        if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines
        }
    }
}

/// Builds under way: name and crates compiled so far.
struct Running {
    name: String,
    crates: usize,
}

pub struct Progress {
    mode: Mode,
    bar: ProgressBar,
    total: usize,
    started: Instant,
    state: Mutex<(Vec<Running>, usize)>,
    objective: Objective,
}

impl Progress {
    pub fn new(mode: Mode, total: usize, objective: Objective) -> Progress {
        let bar = ProgressBar::new(total as u64);
        if mode != Mode::Bar {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {pos}/{len} {wide_msg}")
                .expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress {
            mode,
            bar,
            total,
            started: Instant::now(),
            state: Mutex::new((Vec::new(), 0)),
            objective,
        }
    }

    fn redraw(&self, running: &[Running], done: usize) {
        let now: Vec<String> = running
            .iter()
            .map(|r| format!("{} ({} crates)", r.name, r.crates))
            .collect();
        let left = self.total.saturating_sub(done);
        // An estimate only from finished configurations.
        let eta = (done > 0 && left > 0).then(|| {
            let per = self.started.elapsed().as_secs_f64() / done as f64;
            format!("; about {:.0} s left", per * left as f64)
        });
        self.bar.set_message(format!(
            "building {}{}",
            now.join(", "),
            eta.unwrap_or_default()
        ));
    }

    pub fn started(&self, name: &str) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.0.push(Running {
            name: name.to_string(),
            crates: 0,
        });
        self.redraw(&st.0, st.1);
    }

    /// A crate of `name`'s build finished compiling (or was fresh).
    pub fn unit(&self, name: &str) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = st.0.iter_mut().find(|r| r.name == name) {
            r.crates += 1;
        }
        self.redraw(&st.0, st.1);
    }

    /// A configuration finished: built, reused, or failed.
    pub fn finished(&self, row: &ConfigResult) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let crates =
            st.0.iter()
                .position(|r| r.name == row.config.name)
                .map(|i| st.0.remove(i).crates);
        st.1 += 1;
        let line = self.line(row, crates, st.1);
        match self.mode {
            Mode::Bar => {
                self.bar.inc(1);
                self.bar.println(line);
                self.redraw(&st.0, st.1);
            }
            Mode::Lines => {
                let _ = writeln!(std::io::stderr(), "{line}");
            }
            Mode::Quiet => {}
        }
    }

    fn line(&self, row: &ConfigResult, crates: Option<usize>, done: usize) -> String {
        let what = match self.objective {
            Objective::Flash => "flash",
            Objective::Stripped => "stripped",
        };
        let size = self
            .objective
            .of(row)
            .map(|v| format!("{what} {}", human(v)))
            .unwrap_or_default();
        let counts = crates
            .filter(|n| *n > 0)
            .map(|n| format!(", {n} crates"))
            .unwrap_or_default();
        let time = row.build_wall_seconds.unwrap_or(0.0);
        let head = format!("[{done}/{}]", self.total);
        if row.reused {
            format!(
                "{head} reused {}: {size} (nothing changed since it was measured)",
                row.config.name
            )
        } else if row.ok {
            format!(
                "{head} built {} in {time:.1} s{counts}: {size}",
                row.config.name
            )
        } else {
            let error = row.error.as_deref().unwrap_or("failed");
            let first = error.lines().next().unwrap_or(error);
            format!(
                "{head} FAILED {} after {time:.1} s: {first}",
                row.config.name
            )
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
