//! `cargo weigh measure`: ELF files built elsewhere. Runs nothing.

use std::process::ExitCode;

use anyhow::Context;

use crate::analysis::{self, Inputs};
use crate::measure::measure_file;
use crate::memory::{parse_memory, MemoryError, MemoryMap};
use crate::options::MeasureOptions;
use crate::report::Report;
use crate::results::ConfigResult;
use crate::sink::Sink;

fn memory_map(path: &std::path::Path) -> anyhow::Result<MemoryMap> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read memory map `{}`", path.display()))?;
    let regions = parse_memory(&text).map_err(|error| MemoryError {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(MemoryMap::from_regions(path.display().to_string(), regions))
}

/// A short name per file: its file name, with as many of its directories
/// as it takes to tell files of one name apart (`release/fw`, `debug/fw`).
fn distinct_names(files: &[std::path::PathBuf]) -> Vec<String> {
    let parts: Vec<Vec<String>> = files
        .iter()
        .map(|f| {
            f.components()
                .rev()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .collect();
    let suffix = |i: usize, k: usize| -> String {
        let p = &parts[i];
        let mut v: Vec<&str> = p.iter().take(k.min(p.len())).map(String::as_str).collect();
        v.reverse();
        v.join("/")
    };
    let mut depth = vec![1usize; files.len()];
    loop {
        let names: Vec<String> = (0..files.len()).map(|i| suffix(i, depth[i])).collect();
        let mut grew = false;
        for i in 0..files.len() {
            // Only another path clashes; the same path twice is numbered.
            let clash = (0..files.len()).any(|j| names[j] == names[i] && files[j] != files[i]);
            if clash && depth[i] < parts[i].len() {
                depth[i] += 1;
                grew = true;
            }
        }
        if !grew {
            // The same path twice: numbered.
            return names
                .iter()
                .enumerate()
                .map(
                    |(i, n)| match names[..i].iter().filter(|m| *m == n).count() {
                        0 => n.clone(),
                        k => format!("{n} ({})", k + 1),
                    },
                )
                .collect();
        }
    }
}

pub fn measure(args: &MeasureOptions) -> anyhow::Result<ExitCode> {
    let out = &args.output;
    let map = args.memory_x.as_deref().map(memory_map).transpose()?;
    let sink = Sink::open(out.output.as_deref())?;
    let mut rows: Vec<ConfigResult> = Vec::new();
    for (file, name) in args.files.iter().zip(distinct_names(&args.files)) {
        let m = measure_file(file)?;
        rows.push(ConfigResult::for_file(name, file.clone(), m));
    }
    let names: Vec<&str> = rows.iter().map(|r| r.config.name.as_str()).collect();
    if let Some(b) = &args.baseline {
        if !names.contains(&b.as_str()) {
            anyhow::bail!(
                "--baseline `{b}` is not one of the files measured{}; choose one of: {}",
                crate::suggest::hint(b, names.iter().copied()),
                names.join(", ")
            );
        }
    }
    let mut report = Report::new(rows);
    report.memory = map;
    let inputs = Inputs {
        baseline: args.baseline.as_deref(),
        flash_size: args.flash_size,
        ram_size: args.ram_size,
        ..Inputs::default()
    };
    analysis::derive(&mut report, &inputs);
    let sink = sink.or_page(out.format, || "weigh-measure.html".into())?;
    sink.write(&crate::export::render(&report, out)?)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn files_of_one_name_are_told_apart_by_their_nearest_directories() {
        let files: Vec<PathBuf> = [
            "/work/project/target/thumbv7em-none-eabihf/release/fw",
            "/work/project/target/thumbv7em-none-eabihf/debug/fw",
            "/tmp/other",
            "/tmp/other",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(
            super::distinct_names(&files),
            ["release/fw", "debug/fw", "other", "other (2)"]
        );
    }
}
