//! `cargo weigh why SYMBOL`: the chains of references that keep a symbol in
//! the binary, from the relocations a link with `--emit-relocs` kept, with
//! what it retains (the bytes that would go with it).

use std::process::ExitCode;

use anyhow::bail;

use crate::export::{render_why, WhyMatch, WhyReport};
use crate::graph::{self, RefGraph};
use crate::measure::{check_bytes, map_file};
use crate::options::WhyOptions;
use crate::sink::Sink;

/// The names closest to `pattern`, for a message.
fn similar(g: &RefGraph, pattern: &str) -> String {
    let names = g.nodes.iter().map(|n| n.name.as_str());
    crate::suggest::hint(pattern, names)
}

/// A crate's symbols the roots reach first (fewest steps), the largest
/// retainers first among equals.
fn first_reached(g: &RefGraph, krate: &str, retained: &[u64]) -> Vec<usize> {
    let name = krate.replace('-', "_");
    let dist = g.distances();
    let mut of: Vec<usize> = (0..g.nodes.len())
        .filter(|&n| g.nodes[n].crate_name == name)
        .collect();
    of.sort_by_key(|&n| {
        (
            dist[n].unwrap_or(usize::MAX),
            std::cmp::Reverse(retained[n]),
            n,
        )
    });
    of
}

/// The crate's dependency path from the project (`cargo tree -i`), when
/// the project was built here.
fn dependency_path(args: &WhyOptions) -> Option<Vec<String>> {
    if args.top.file.is_some() {
        return None;
    }
    let located = super::session::locate(&args.top.project, &args.top.compile).ok()?;
    let target = located.explicit_target.then_some(located.target.as_str());
    super::chains::crate_path(
        &args.pattern,
        &located.project.manifest_path,
        &args.top.project,
        target,
    )
}

pub fn why(args: &WhyOptions) -> anyhow::Result<ExitCode> {
    let sink = Sink::open(args.top.output.output.as_deref())?;
    let super::top::Input {
        path, opts, notes, ..
    } = super::top::input(&args.top, super::top::Read::Graph)?;
    let map = map_file(&path)?;
    check_bytes(&map).map_err(|e| e.at(&path))?;
    let g = graph::build(&map, &opts).map_err(|e| {
        // An ELF file linked without --emit-relocs: the build `why` makes has them.
        let hint = if e.contains("hint:") {
            ""
        } else {
            "\n  hint: without --file, `why` builds the configuration so itself"
        };
        anyhow::anyhow!(
            "cannot read the references of `{}`: {e}{hint}",
            path.display()
        )
    })?;
    let retained = graph::retained_sizes(&g);
    let mut notes = notes;
    if g.machine == graph::wasm::MACHINE {
        notes.push(graph::wasm::NOTE.into());
    }
    let mut found = if args.krate {
        first_reached(&g, &args.pattern, &retained)
    } else {
        let mut f = g.matching(&args.pattern);
        f.sort_by_key(|&n| (std::cmp::Reverse(retained[n]), n));
        f
    };
    if found.is_empty() && args.krate {
        bail!(
            "no symbol of `{}` is in crate `{}`\n  hint: crate names as `top` lists them (underscores: `stm32f4xx_hal`)",
            path.display(),
            args.pattern
        );
    }
    if found.is_empty() {
        bail!(
            "no symbol of `{}` matches `{}`{}\n  hint: give part of a demangled name (`fmt::write`) or a glob over the whole name (`*panic*`); `cargo weigh top` lists them",
            path.display(),
            args.pattern,
            similar(&g, &args.pattern)
        );
    }
    let total = found.len();
    found.truncate(args.top.limit.max(1));
    let matches = found
        .iter()
        .map(|&n| WhyMatch {
            node: g.nodes[n].clone(),
            retained_bytes: retained[n],
            chains: graph::chains(&g, n, args.all_paths),
        })
        .collect();
    let report = WhyReport {
        schema_version: crate::report::SCHEMA_VERSION,
        file: path.clone(),
        pattern: args.pattern.clone(),
        by_crate: args.krate,
        crate_path: args.krate.then(|| dependency_path(args)).flatten(),
        matched: total,
        matches,
        notes,
    };
    let page = path.with_extension("why.html");
    sink.or_page(args.top.output.format, || page)?
        .write(&render_why(&report, args.top.output.format)?)?;
    Ok(ExitCode::SUCCESS)
}
