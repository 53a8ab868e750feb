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

pub fn measure(args: &MeasureOptions) -> anyhow::Result<ExitCode> {
    let out = &args.output;
    let map = args.memory_x.as_deref().map(memory_map).transpose()?;
    let sink = Sink::open(out.output.as_deref())?;
    let mut rows: Vec<ConfigResult> = Vec::new();
    for file in &args.files {
        let m = measure_file(file)?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Two files of one name are told apart by their paths.
        let name = if rows.iter().any(|r| r.config.name == name) {
            file.display().to_string()
        } else {
            name
        };
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
