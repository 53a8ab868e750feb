//! Size records in a run that measures a commit: configurations whose
//! record matches are taken from it instead of built; what was built is
//! recorded when asked (`--record`).

use crate::matrix::{BuildInputs, Config, MatrixSource};
use crate::options::RunOptions;
use crate::records::{find, Found, Record};
use crate::report::Report;
use crate::results::ConfigResult;

use super::session::Session;

/// The key of `config`'s record in this session: its inputs, the
/// project's files, cargo's configuration and the toolchain, nothing of
/// this machine.
pub(super) fn key(s: &Session, config: &Config) -> String {
    let portable = s.cache.as_ref().map_or("", |c| c.portable.as_str());
    BuildInputs::of(config).digest(&format!("{}|{portable}", s.portable_context))
}

/// Whether rows may come from records: a commit is measured and nothing
/// asked for needs the binary itself.
fn readable(opts: &RunOptions) -> bool {
    let a = &opts.analysis;
    opts.records.read
        && opts.records.at.is_some()
        && a.verify.is_none()
        && a.runtime.is_none()
        && a.ota.is_none()
        && !a.ablation
        && !a.keep_debug
}

fn toolchain(s: &Session) -> String {
    let v = &s.env.toolchain.rustc_version;
    v.lines().next().unwrap_or(v).to_string()
}

/// The configurations still to build, and the rows their commit's records
/// give for the others (in matrix order).
pub(super) fn take(
    opts: &RunOptions,
    s: &Session,
    source: &MatrixSource,
) -> (MatrixSource, Vec<ConfigResult>) {
    let all = (source.clone(), Vec::new());
    let Some((store, commit)) = crate::records::store_of(&opts.records).filter(|_| readable(opts))
    else {
        return all;
    };
    let records = match store.load(commit) {
        Ok(r) if r.is_empty() => return all,
        Ok(r) => r,
        Err(e) => {
            eprintln!("warning: the size records of {commit} cannot be read ({e}); measuring");
            return all;
        }
    };
    let mut todo = source.clone();
    todo.configs.clear();
    todo.positions.clear();
    let mut rows = Vec::new();
    for (config, &at) in source.configs.iter().zip(&source.positions) {
        match find(&records, &key(s, config)) {
            Found::One(r) if !opts.analysis.attribute || r.row.checks.attribution.is_some() => {
                let mut row = r.row;
                row.config = config.clone();
                row.from_record = true;
                row.matrix_index = Some(at);
                rows.push(row);
                continue;
            }
            Found::Disagree(rs) => disagree(commit, config, &rs),
            _ => {}
        }
        todo.configs.push(config.clone());
        todo.positions.push(at);
    }
    (todo, rows)
}

fn disagree(commit: &str, config: &Config, rs: &[Record]) {
    let figures: Vec<String> = rs
        .iter()
        .map(|r| match &r.row.size {
            Some(m) => format!("flash {} B, file {} B", m.flash_bytes, m.file_bytes),
            None => "not built".into(),
        })
        .collect();
    eprintln!(
        "warning: the size records of {} for `{}` disagree ({}): measuring it again\n  hint: a record was measured otherwise or edited; `cargo weigh record show {}` lists them",
        crate::history::short(commit),
        config.name,
        figures.join(" vs "),
        crate::history::short(commit)
    );
}

/// Record every row this run built (with `--record`), with its memory map.
pub(super) fn keep(opts: &RunOptions, s: &Session, report: &Report) {
    if !opts.records.write {
        return;
    }
    let Some((store, commit)) = crate::records::store_of(&opts.records) else {
        return;
    };
    let records: Vec<Record> = report
        .configs
        .iter()
        .filter(|r| r.ok && !r.from_record && r.matrix_index.is_some())
        .map(|r| {
            let mut row = r.clone();
            row.memory_map = row.memory_map.or_else(|| report.memory.clone());
            Record::new(
                key(s, &r.config),
                commit,
                &s.env.target,
                &toolchain(s),
                &row,
            )
        })
        .collect();
    if records.is_empty() {
        return;
    }
    match store.add(commit, &records) {
        Ok(n) if !opts.output.quiet => eprintln!(
            "recorded {n} configuration(s) of {}",
            crate::history::short(commit)
        ),
        Ok(_) => {}
        Err(e) => eprintln!("warning: the measurements of {commit} were not recorded: {e}"),
    }
}

/// The configurations of `opts`' commit that no record covers (nothing
/// is built: the project is located, its matrix read, keys computed).
pub(super) fn missing(opts: &RunOptions) -> anyhow::Result<Vec<String>> {
    let located = super::session::locate(&opts.project, &opts.compile)?;
    let source = crate::matrix::select(
        &opts.matrix,
        &located.project.package_dir,
        &located.project.manifest_path,
    )?;
    let wants_std = source.configs.iter().any(|c| !c.build_std.is_empty());
    let s = Session::open(located, &opts.project, &opts.compile, wants_std)?;
    let (todo, _) = take(opts, &s, &source);
    Ok(todo.configs.into_iter().map(|c| c.name).collect())
}
