//! A run against the baseline's: the same exit status and output, or the
//! first difference. Runs stopped at an instruction budget are compared on
//! the complete lines both printed (the line cut by the stop left out).

use super::run::Run;
use super::types::{Verification, VerifyStatus};

fn show_exit(v: &Verification) -> String {
    match (v.timed_out, v.stopped_at_limit, v.exit_code) {
        (true, _, _) => "timeout".into(),
        (false, true, _) => "still running at the instruction budget".into(),
        (false, false, Some(c)) => c.to_string(),
        (false, false, None) => "killed by a signal".into(),
    }
}

/// The first differing line of two outputs.
fn first_difference(a: &str, b: &str) -> (String, String) {
    let mut la = a.lines();
    let mut lb = b.lines();
    loop {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => {
                return (
                    x.unwrap_or("<end of output>").chars().take(120).collect(),
                    y.unwrap_or("<end of output>").chars().take(120).collect(),
                )
            }
        }
    }
}

/// Lines ended by a newline: what a stop cannot have cut.
fn complete_lines(output: &[u8]) -> Vec<&[u8]> {
    output
        .split_inclusive(|b| *b == b'\n')
        .filter(|l| l.ends_with(b"\n"))
        .collect()
}

/// Whether both printed the same, and what was compared.
fn same_output(a: &Run, b: &Run) -> (bool, Option<String>) {
    let stopped = a.verification.stopped_at_limit || b.verification.stopped_at_limit;
    if !stopped {
        return (a.output == b.output, None);
    }
    let (la, lb) = (complete_lines(&a.output), complete_lines(&b.output));
    let n = la.len().min(lb.len());
    let note = format!("stopped at the instruction budget: the first {n} complete lines compared");
    (la[..n] == lb[..n], Some(note))
}

/// Mark a run against the baseline's: same status and output, or not.
pub fn compare(baseline: &Run, other: &mut Run) {
    if other.verification.status == VerifyStatus::Error {
        return;
    }
    let (b, o) = (&baseline.verification, &other.verification);
    let same_end = (o.exit_code, o.timed_out, o.stopped_at_limit)
        == (b.exit_code, b.timed_out, b.stopped_at_limit);
    let (same_text, compared) = same_output(baseline, other);
    let v = &mut other.verification;
    if same_end && same_text {
        v.status = VerifyStatus::Same;
        v.detail = compared;
        return;
    }
    v.status = VerifyStatus::Different;
    v.detail = Some(if !same_end {
        format!("exit status {} instead of {}", show_exit(v), show_exit(b))
    } else {
        let (was, now) = first_difference(
            &String::from_utf8_lossy(&baseline.output),
            &String::from_utf8_lossy(&other.output),
        );
        format!("output differs: `{now}` instead of `{was}`")
    });
}
