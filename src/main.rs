use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    cargo_weigh::stop_flag();
    let cli = cargo_weigh::cli::Cli::parse_from(cargo_weigh::cli::args_from_env());
    match cargo_weigh::app::run(cli) {
        Ok(code) => code,
        // A stop (Ctrl-C, SIGTERM) ends a child early and that child's
        // caller then fails: the run was interrupted, not wrong.
        Err(_) if stopped() => {
            eprintln!("interrupted");
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::from(2)
        }
    }
}

fn stopped() -> bool {
    cargo_weigh::stop_flag().load(std::sync::atomic::Ordering::SeqCst)
}

/// The error and its causes, each said once: many errors already name their
/// cause in their own message (and end with a hint).
fn message(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
