//! `cargo weigh top`: attribution of one binary, given or built.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::attribute::{attribute_map, Attribution, Options, RlibIndex};
use crate::export::render_attribution;
use crate::matrix::{BaseProfile, Config, Debug, Strip};
use crate::measure::{check_bytes, map_file, release_pages};
use crate::options::TopOptions;
use crate::results::ConfigResult;
use crate::sink::Sink;

use super::{attribution, session};

pub fn top(args: &TopOptions) -> anyhow::Result<ExitCode> {
    let filter = args
        .filter
        .as_deref()
        .map(regex_lite::Regex::new)
        .transpose()
        .context("--filter is not a valid regular expression")?;
    let sink = Sink::open(args.output.output.as_deref())?;
    let graph = args.retained || args.generics;
    let read = if graph { Read::Both } else { Read::Attribution };
    let Input {
        path,
        mut opts,
        mut notes,
        panic,
    } = input(args, read)?;
    opts.group_generics = args.group_generics;
    opts.no_dwarf = args.no_dwarf;
    // Sorted by what they retain, every symbol is a candidate.
    opts.keep_symbols = (!args.retained).then_some(args.limit);
    opts.symbol_filter = filter.clone();
    opts.symbol_section = args.section.clone();
    let map = map_file(&path)?;
    // Validate the file with the measurement's clear errors first.
    check_bytes(&map).map_err(|e| e.at(&path))?;
    release_pages(&map);
    let mut a = attribute_map(&map, &opts)
        .map_err(|e| anyhow::anyhow!("cannot attribute `{}`: {e}", path.display()))?;
    a.notes.append(&mut notes);
    let mut refs = graph
        .then(|| super::references::add(&mut a, &map, &opts, args))
        .transpose()?;
    if let Some(r) = refs.as_mut() {
        r.panic_measured = panic;
    }
    let a = select(a, args, filter.as_ref());
    let page = path.with_extension("top.html");
    sink.or_page(args.output.format, || page)?
        .write(&render_attribution(
            &a,
            refs.as_ref(),
            &path,
            args.output.format,
            args.crates_only,
        )?)?;
    Ok(ExitCode::SUCCESS)
}

/// What a build is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Read {
    /// Crates and symbols: with a line table.
    Attribution,
    /// The reference graph alone (`why`): every relocation kept, nothing
    /// else changed.
    Graph,
    /// Both (`top --retained`, `--generics`).
    Both,
}

/// The binary read, how to read it, and what its builds said.
pub(super) struct Input {
    pub path: PathBuf,
    pub opts: Options,
    pub notes: Vec<String>,
    /// `top --retained`: what `panic = "immediate-abort"` saves, measured.
    pub panic: Option<crate::graph::PanicMeasured>,
}

/// The binary to read: the file given, else one configuration built for
/// what it is read for; what it was built with.
pub(super) fn input(args: &TopOptions, read: Read) -> anyhow::Result<Input> {
    let Input {
        path,
        mut opts,
        notes,
        panic,
    } = match &args.file {
        Some(f) => Input {
            path: f.clone(),
            opts: Options::default(),
            notes: Vec::new(),
            panic: None,
        },
        None => build_for_attribution(args, read)?,
    };
    // For a file built elsewhere, rlibs are indexed only when named: a
    // directory beside the file may hold other builds' rlibs.
    if opts.rlibs.is_none() && !args.rlibs.is_empty() {
        let refs: Vec<&Path> = args.rlibs.iter().map(PathBuf::as_path).collect();
        let index = RlibIndex::build(&refs);
        if index.rlibs > 0 {
            opts.rlibs = Some(index);
        }
    }
    Ok(Input {
        path,
        opts,
        notes,
        panic,
    })
}

/// Keep what the options ask for; the section rows stay whole so they add up.
fn select(
    mut a: Attribution,
    args: &TopOptions,
    filter: Option<&regex_lite::Regex>,
) -> Attribution {
    // The symbols were chosen by `attribute` (Options::symbol_*).
    if let Some(sec) = &args.section {
        let keep = |name: &str, kind: &str| name == sec || kind == sec;
        a.sections.retain(|s| keep(&s.name, s.kind.as_str()));
        let kinds: Vec<&str> = a.sections.iter().map(|s| s.kind.as_str()).collect();
        for c in &mut a.crates {
            if !kinds.contains(&"text") {
                c.text = 0;
            }
            if !kinds.contains(&"rodata") {
                c.rodata = 0;
            }
            if !kinds.contains(&"data") {
                c.data = 0;
            }
            if !kinds.contains(&"bss") {
                c.bss = 0;
            }
        }
        a.crates.retain(|c| c.total() > 0);
        a.crates
            .sort_by(|x, y| y.total().cmp(&x.total()).then(x.name.cmp(&y.name)));
    }
    if let Some(re) = filter {
        a.crates.retain(|c| re.is_match(&c.name));
    }
    a
}

/// The one configuration `top` attributes: `--only NAME`, else `release`.
fn chosen(args: &TopOptions, located: &session::Located) -> anyhow::Result<Config> {
    let source = crate::matrix::select(
        &args.matrix,
        &located.project.package_dir,
        &located.project.manifest_path,
    )?;
    // `select` checked the names.
    let config = match (args.matrix.only.as_slice(), source.configs.as_slice()) {
        ([], configs) => configs.iter().find(|c| c.name == "release").cloned(),
        ([_], [one]) => Some(one.clone()),
        _ => None,
    };
    config.with_context(|| {
        format!(
            "top attributes one configuration: name it with --only NAME (one of: {})",
            source
                .configs
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// The configuration with what attribution needs: symbols kept, and a line
/// table (debug info does not change the code; the flash image is compared).
/// The linker argument that keeps every relocation: said to the linker
/// itself (rust-lld on bare metal), or through a C compiler driver.
fn emit_relocs_arg(s: &session::Session) -> String {
    let driver = match s.cargo_config.linker(&s.env.target) {
        Some(l) => {
            let name = std::path::Path::new(&l)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(l);
            !(name.ends_with("ld") || name.contains("lld") || name.contains("ld."))
        }
        None => !s.env.target.contains("-none"),
    };
    if driver {
        "-Wl,--emit-relocs".into()
    } else {
        "--emit-relocs".into()
    }
}

fn twin_for_attribution(
    config: &Config,
    notes: &mut Vec<String>,
    relocs: Option<String>,
    line_tables: bool,
) -> Config {
    let mut twin = config.clone();
    // The reference graph: every relocation kept in the output (`why`
    // changes nothing else: debug info may move code on a host); the
    // loaded bytes are compared with the configuration's own.
    let graph = relocs.is_some() && !line_tables;
    twin.link_args.extend(relocs);
    if twin.settings.strip.is_some_and(|x| x != Strip::None) {
        twin.settings.strip = Some(Strip::None);
        notes.push(format!(
            "`{}` strips its binary; attributed from the same build without strip",
            config.name
        ));
    }
    if matches!(twin.settings.debug, None | Some(Debug::None))
        && config.profile == BaseProfile::Release
        && line_tables
    {
        twin.settings.debug = Some(Debug::LineTablesOnly);
        notes.push("built with debug = \"line-tables-only\" for exact attribution of code".into());
    }
    twin.name = if graph {
        format!("{} (with relocations)", config.name)
    } else {
        format!("{} (for attribution)", config.name)
    };
    twin
}

/// How the build read differs from the configuration: (what it is, what
/// changed, the bytes compared).
type Twin = (&'static str, &'static str, &'static str);

const GRAPH_TWIN: Twin = (
    "the build read for references (linked with --emit-relocs)",
    "keeping the relocations",
    "flash",
);
const ATTRIBUTED_TWIN: Twin = ("the attributed build", "debug info", "flash");
/// A module differs only by the names strip would drop.
const MODULE_TWIN: Twin = ("the module read", "keeping the names", "code and data");

fn twin_kind(wasm: bool, read: Read) -> Twin {
    match (wasm, read) {
        (true, _) => MODULE_TWIN,
        (false, Read::Graph) => GRAPH_TWIN,
        (false, _) => ATTRIBUTED_TWIN,
    }
}

/// Whether the build read has the configuration's own flash (a module's
/// code and data).
fn same_flash_note(
    built: &ConfigResult,
    plain: &ConfigResult,
    name: &str,
    (what, cause, bytes): Twin,
) -> Option<String> {
    let (a, b) = (built.size.as_ref()?, plain.size.as_ref()?);
    Some(if a.flash_hash == b.flash_hash {
        format!("{what} has the same {bytes} as `{name}`, byte for byte")
    } else if a.flash_bytes == b.flash_bytes {
        format!(
            "{what}'s {bytes} is as large as `{name}`'s ({} B) but not byte for byte the same: {cause} moved some code",
            a.flash_bytes
        )
    } else {
        format!(
            "{what}'s {bytes} ({} B) differs from `{name}` ({} B): {cause} changed the code",
            a.flash_bytes, b.flash_bytes
        )
    })
}

/// Build the chosen configuration for attribution (with every relocation
/// kept for the reference graph).
fn build_for_attribution(args: &TopOptions, read: Read) -> anyhow::Result<Input> {
    let located = session::locate(&args.project, &args.compile)?;
    let own = located.project.package.replace('-', "_");
    let config = chosen(args, &located)?;
    let mut s = session::Session::open(
        located,
        &args.project,
        &args.compile,
        !config.build_std.is_empty(),
    )?;
    let Some(_lock) = s.lock(args.output.quiet)? else {
        bail!("interrupted while waiting for another cargo weigh run");
    };
    let format = crate::toolchain::binary_format(&s.env.target);
    let elf = format == object::BinaryFormat::Elf;
    // A module's references are its own instructions and index spaces.
    let wasm = format == object::BinaryFormat::Wasm;
    if read != Read::Attribution && !elf && !wasm {
        bail!(
            "{} builds {} files: the references `why`, --retained and --generics follow are relocations the linker keeps only in ELF files (--emit-relocs)\n  hint: run it for a Linux or embedded target of the same code (--target)",
            s.env.target,
            crate::toolchain::format_word(crate::toolchain::binary_format(&s.env.target))
        );
    }
    let mut notes = Vec::new();
    let relocs = (read != Read::Attribution && elf).then(|| emit_relocs_arg(&s));
    // Only ELF links carry the line table into the binary (Mach-O leaves
    // DWARF in the object files, MSVC-style links in a .pdb).
    let line_tables = read != Read::Graph && elf;
    let twin = twin_for_attribution(&config, &mut notes, relocs, line_tables);
    let builder = s.runner(args.output.quiet);
    let built = builder.build(&twin).context("interrupted")?;
    let renamed_only = Config {
        name: config.name.clone(),
        ..twin.clone()
    } == config;
    let plain = if !renamed_only {
        builder.build(&config)
    } else {
        None
    };
    let panic = match args
        .retained
        .then(|| super::panic_cost::measure(&s, &builder, &config))
    {
        Some(Ok(p)) => Some(p),
        Some(Err(why)) => {
            notes.push(format!("panic = \"immediate-abort\" not measured: {why}"));
            None
        }
        None => None,
    };
    s.restore_lockfile();
    let Some(artifact) = built.artifact.clone().filter(|_| built.ok) else {
        bail!(
            "the build of `{}` failed: {} (log: {})",
            config.name,
            built.error.unwrap_or_default(),
            built
                .log
                .map(|l| l.display().to_string())
                .unwrap_or_default()
        );
    };
    let twin_kind = twin_kind(wasm, read);
    notes.extend(plain.and_then(|p| same_flash_note(&built, &p, &config.name, twin_kind)));
    let opts = Options {
        own_crate: Some(own),
        rlibs: attribution::rlib_index(&s, &twin),
        ..Options::default()
    };
    Ok(Input {
        path: artifact,
        opts,
        notes,
        panic,
    })
}
