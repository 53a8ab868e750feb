use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    cargo_weigh::stop_flag();
    let cli = cargo_weigh::cli::Cli::parse_from(cargo_weigh::cli::args_from_env());
    match cargo_weigh::app::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
