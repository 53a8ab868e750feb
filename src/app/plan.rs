//! `cargo weigh plan RANGE --shards N`: the jobs that measure the commits
//! of a range whose configurations no size record covers yet, as a GitHub
//! Actions matrix; each job records its commits and pushes them.

use std::process::ExitCode;

use serde::Serialize;

use super::history::Walk;
use crate::history::{commits, short};
use crate::options::{PlanFormat, PlanOptions};

#[derive(Serialize)]
struct Job {
    job: usize,
    /// The commits, for `cargo weigh history REVS --record`.
    revs: String,
}

#[derive(Serialize)]
struct Missing {
    commit: String,
    configs: Vec<String>,
}

pub fn plan(opts: &PlanOptions) -> anyhow::Result<ExitCode> {
    let mut walk = Walk::open(&opts.run)?;
    let all = commits(&walk.repo, &opts.range, false)?;
    let mut missing = Vec::new();
    for c in &all {
        let run = walk.at(c).map_err(anyhow::Error::msg)?;
        let configs = super::records::missing(&run)?;
        if !configs.is_empty() {
            missing.push(Missing {
                commit: c.sha.clone(),
                configs,
            });
        }
    }
    let n = opts.shards.min(missing.len());
    let jobs: Vec<Job> = (0..n)
        .map(|k| Job {
            job: k + 1,
            revs: missing
                .iter()
                .skip(k)
                .step_by(n)
                .map(|m| m.commit.as_str())
                .collect::<Vec<_>>()
                .join(","),
        })
        .collect();
    eprintln!(
        "plan: {} of {} commits to measure in {} job(s){}",
        missing.len(),
        all.len(),
        jobs.len(),
        missing
            .first()
            .map(|m| format!(" (first {})", short(&m.commit)))
            .unwrap_or_default()
    );
    let out = match opts.format {
        PlanFormat::GithubMatrix => serde_json::json!({ "include": jobs }),
        PlanFormat::Json => serde_json::json!({ "jobs": jobs, "missing": missing }),
    };
    println!("{}", serde_json::to_string(&out)?);
    Ok(ExitCode::SUCCESS)
}
