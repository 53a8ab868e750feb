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

/// Builds running, configurations finished, and of those built here.
#[derive(Default)]
struct State {
    running: Vec<Running>,
    done: usize,
    built: usize,
}

/// A build under way: name and crates compiled so far.
struct Running {
    name: String,
    crates: usize,
}

pub struct Progress {
    mode: Mode,
    bar: ProgressBar,
    total: usize,
    started: Instant,
    state: Mutex<State>,
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
            state: Mutex::new(State::default()),
            objective,
        }
    }

    fn redraw(&self, st: &State) {
        if st.running.is_empty() {
            self.bar.set_message("");
            return;
        }
        let now: Vec<String> = st
            .running
            .iter()
            .map(|r| {
                format!(
                    "{} ({})",
                    r.name,
                    crate::units::plural(r.crates as u64, "crate")
                )
            })
            .collect();
        let left = self.total.saturating_sub(st.done);
        // An estimate only from configurations built here (reused ones
        // take no time and would make it too short).
        let eta = (st.built > 0 && left > 0).then(|| {
            let per = self.started.elapsed().as_secs_f64() / st.built as f64;
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
        st.running.push(Running {
            name: name.to_string(),
            crates: 0,
        });
        self.redraw(&st);
    }

    /// A crate of `name`'s build finished compiling (or was fresh).
    pub fn unit(&self, name: &str) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = st.running.iter_mut().find(|r| r.name == name) {
            r.crates += 1;
        }
        self.redraw(&st);
    }

    /// A configuration finished: built, reused, or failed.
    pub fn finished(&self, row: &ConfigResult) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let crates = st
            .running
            .iter()
            .position(|r| r.name == row.config.name)
            .map(|i| st.running.remove(i).crates);
        st.done += 1;
        st.built += usize::from(!row.reused);
        let line = self.line(row, crates, st.done);
        match self.mode {
            Mode::Bar => {
                self.bar.inc(1);
                self.bar.println(fit_terminal(&line));
                self.redraw(&st);
            }
            Mode::Lines => {
                let _ = writeln!(std::io::stderr(), "{line}");
            }
            Mode::Quiet => {}
        }
    }

    fn line(&self, row: &ConfigResult, crates: Option<usize>, done: usize) -> String {
        let what = self.objective.word();
        let size = self
            .objective
            .of(row)
            .map(|v| format!("{what} {}", human(v)))
            .unwrap_or_default();
        let counts = crates
            .filter(|n| *n > 0)
            .map(|n| format!(", {}", crate::units::plural(n as u64, "crate")))
            .unwrap_or_default();
        let time = row.build_wall_seconds.unwrap_or(0.0);
        let head = format!("[{done}/{}]", self.total);
        if row.reused {
            format!("{head} reused {}: {size}", row.config.name)
        } else if row.ok {
            // Wall time here (what the person waited); the table's Build
            // CPU column is the processes' CPU time.
            format!(
                "{head} built {} in {time:.1} s wall{counts}: {size}",
                row.config.name
            )
        } else {
            let error = row.error.as_deref().unwrap_or("failed");
            let first = error.lines().next().unwrap_or(error);
            format!(
                "{head} FAILED {} after {time:.1} s wall: {first}",
                row.config.name
            )
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A line cut to the width of the terminal on stderr (the whole line is in
/// the log of the build, and in the report).
fn fit_terminal(line: &str) -> String {
    let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size_of(std::io::stderr())
    else {
        return line.to_string();
    };
    let w = usize::from(w).max(20);
    if line.chars().count() <= w {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(w - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{BaseProfile, Config, Settings};
    use crate::measure::Measurement;

    fn row(name: &str, flash: Option<u64>, seconds: f64) -> ConfigResult {
        let config = Config::new(name, BaseProfile::Release, Settings::default());
        let mut r = ConfigResult::new(config);
        r.build_wall_seconds = Some(seconds);
        match flash {
            Some(f) => {
                r.ok = true;
                r.size = Some(Measurement {
                    file_bytes: f,
                    stripped_bytes: f,
                    flash_bytes: f,
                    ram_bytes: 0,
                    image_bytes: Some(f),
                    berkeley: crate::measure::Berkeley {
                        text: f,
                        data: 0,
                        bss: 0,
                    },
                    format: "elf32-littlearm".into(),
                    has_debug_info: false,
                    debug_info_bytes: 0,
                    symbol_table_bytes: 0,
                    flash_hash: String::new(),
                    normalized_bytes: None,
                    sections: Vec::new(),
                    wasm: None,
                });
            }
            None => {
                r.error = Some("error: linking failed\nnote: more".into());
            }
        }
        r
    }

    /// What a CI log shows: one line per configuration as it finishes.
    #[test]
    fn ci_log_lines() {
        let p = Progress::new(Mode::Quiet, 3, Objective::Flash);
        p.started("release");
        for _ in 0..43 {
            p.unit("release");
        }
        let built = p.line(&row("release", Some(8264), 25.84), Some(43), 1);
        let mut reused = row("z-fat-cgu1", Some(1824), 0.0);
        reused.reused = true;
        let reused = p.line(&reused, None, 2);
        let failed = p.line(&row("broken", None, 3.0), Some(2), 3);
        insta::assert_snapshot!([built, reused, failed].join("\n"), @r"
        [1/3] built release in 25.8 s wall, 43 crates: flash 8.07 KiB
        [2/3] reused z-fat-cgu1: flash 1.78 KiB
        [3/3] FAILED broken after 3.0 s wall: error: linking failed
        ");
    }
}
