//! What a person sees: `cargo weigh` on the bundled blinky under a real
//! pseudo-terminal of 100 and of 80 columns. Every line fits, the table
//! keeps its most important columns, and the verdict comes last.

mod common;

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};

use common::*;

/// Run `cmd` with stdin, stdout and stderr on a pseudo-terminal `cols`
/// wide; everything it wrote, as the terminal received it.
fn in_pty(cmd: &mut Command, cols: u16) -> (String, std::process::ExitStatus) {
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 50,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two new descriptors into the integers given.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty failed");
    // SAFETY: both descriptors were just opened and are owned here only.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    cmd.env_remove("COLUMNS")
        .env("TERM", "xterm")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    let mut child = cmd.spawn().expect("cargo-weigh runs");
    // The child's copies are the only ones left: reading ends with EIO
    // once it exits.
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut master = std::fs::File::from(master);
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        all
    });
    let status = child.wait().unwrap();
    let bytes = reader.join().unwrap();
    (String::from_utf8_lossy(&bytes).into_owned(), status)
}

/// A terminal `cols` wide, enough of one for progress lines and reports:
/// escape sequences other than "clear line" ignored, `\r` returns, a line
/// longer than the terminal wraps (as the terminal's autowrap does).
struct Screen {
    cols: usize,
    rows: Vec<String>,
    line: Vec<char>,
    col: usize,
    /// Lines that did not fit: the text that wrapped, when the wrap cut
    /// through text (a line padded with spaces to the width wraps harmlessly).
    too_wide: Vec<String>,
}

impl Screen {
    fn new(cols: usize) -> Screen {
        Screen {
            cols,
            rows: Vec::new(),
            line: Vec::new(),
            col: 0,
            too_wide: Vec::new(),
        }
    }

    fn newline(&mut self) {
        let row: String = self.line.iter().collect();
        self.rows.push(row.trim_end().to_string());
        self.line.clear();
        self.col = 0;
    }

    fn put(&mut self, c: char) {
        if self.col == self.cols {
            if self.line.last().is_some_and(|c| *c != ' ') {
                self.too_wide.push(self.line.iter().collect());
            }
            self.newline();
        }
        if self.col < self.line.len() {
            self.line[self.col] = c;
        } else {
            self.line.push(c);
        }
        self.col += 1;
    }

    fn feed(&mut self, raw: &str) {
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\u{1b}' if chars.peek() == Some(&'[') => {
                    chars.next();
                    let mut seq = String::new();
                    for d in chars.by_ref() {
                        seq.push(d);
                        if ('@'..='~').contains(&d) {
                            break;
                        }
                    }
                    if seq == "2K" {
                        self.line.clear();
                    }
                }
                '\u{1b}' => {
                    chars.next();
                }
                '\n' => self.newline(),
                '\r' => self.col = 0,
                c if c.is_control() => {}
                c => self.put(c),
            }
        }
        if !self.line.is_empty() {
            self.newline();
        }
    }
}

fn blinky(cols: u16) -> (Screen, String) {
    let mut cmd = weigh();
    cmd.arg("--manifest-path")
        .arg(repo().join("examples/blinky/Cargo.toml"))
        .arg("--target-dir")
        .arg(shared_target_dir("blinky"));
    let (raw, status) = in_pty(&mut cmd, cols);
    assert!(status.success(), "{raw}");
    let mut screen = Screen::new(cols as usize);
    screen.feed(&raw);
    (screen, raw)
}

#[test]
fn the_blinky_fits_100_and_80_columns_and_ends_with_the_verdict() {
    for cols in [100, 80] {
        let (screen, raw) = blinky(cols);
        assert!(
            screen.too_wide.is_empty(),
            "lines wider than {cols} columns: {:#?}\n{raw}",
            screen.too_wide
        );
        let lines: Vec<&String> = screen.rows.iter().filter(|l| !l.is_empty()).collect();
        // The verdict is the last thing said (a command may follow on its own line).
        let verdict = lines
            .iter()
            .rposition(|l| !l.starts_with("  "))
            .map(|i| {
                lines[i..]
                    .iter()
                    .map(|l| l.trim())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        assert!(
            verdict.starts_with("smallest: ") && verdict.contains("→ cargo weigh apply "),
            "the verdict is not last at {cols} columns: {verdict:?}\n{raw}"
        );
        // The table keeps what matters most for firmware.
        let header = lines
            .iter()
            .find(|l| l.contains("Configuration"))
            .expect("a table");
        for column in ["Flash", "Δ Flash", "RAM"] {
            assert!(
                header.contains(column),
                "{column} dropped at {cols}: {header}"
            );
        }
        // Progress said each configuration's result as it finished.
        assert!(lines.iter().any(|l| l.starts_with("[10/10] ")), "{raw}");
    }
}
