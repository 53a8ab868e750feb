use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    cargo_weigh::stop_flag();
    let cli = cargo_weigh::cli::Cli::parse_from(cargo_weigh::cli::args_from_env());
    match cargo_weigh::app::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::from(2)
        }
    }
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
