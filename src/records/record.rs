//! One record: its key and row, and its line in a note.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::results::ConfigResult;

/// The largest symbols a record keeps (`diff` lists 20 by default).
pub const RECORDED_SYMBOLS: usize = 20;

/// The version of a record's layout; a reader skips other versions.
pub const RECORD_SCHEMA: u32 = 1;

/// A record as a note's line holds it.
#[derive(Serialize, Deserialize)]
struct Wire {
    schema_version: u32,
    key: String,
    commit: String,
    target: String,
    toolchain: String,
    measured_by: String,
    /// The row's JSON, gzipped, in standard base64.
    row_gzip_base64: String,
}

/// One configuration measured at one commit (as `record show` prints it;
/// a note's line holds the row gzipped, in base64).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Record {
    pub schema_version: u32,
    /// The digest of what decides the build (hex).
    pub key: String,
    /// The commit measured.
    pub commit: String,
    pub target: String,
    /// `rustc -V` of the toolchain that built it.
    pub toolchain: String,
    /// The cargo weigh version that measured it.
    pub measured_by: String,
    /// The row as the build measured it (before the run's analysis), with
    /// the memory map of its link; no file paths of the machine.
    pub row: ConfigResult,
}

impl Record {
    /// The row of a build, stripped of what only the machine that built
    /// it can use (paths, timestamps).
    pub fn new(
        key: String,
        commit: &str,
        target: &str,
        toolchain: &str,
        row: &ConfigResult,
    ) -> Record {
        let mut row = row.clone();
        row.artifact = None;
        row.log = None;
        row.debug_file = None;
        row.measured_at = None;
        row.reused = false;
        row.fresh = false;
        row.from_record = false;
        row.matrix_index = None;
        if let Some(a) = row.checks.attribution.as_mut() {
            // What a diff lists by default; the notes are the run's.
            if a.symbols.len() > RECORDED_SYMBOLS {
                a.symbols.truncate(RECORDED_SYMBOLS);
                a.symbols_below = a.symbols.last().map(|s| s.bytes);
            }
            a.notes.clear();
        }
        Record {
            schema_version: RECORD_SCHEMA,
            key,
            commit: commit.to_string(),
            target: target.to_string(),
            toolchain: toolchain.to_string(),
            measured_by: env!("CARGO_PKG_VERSION").to_string(),
            row,
        }
    }

    /// Its line in a note: compact JSON, the row gzipped and in base64
    /// (a record is a few KiB, not tens); the same bytes for the same record.
    pub fn line(&self) -> String {
        let row = serde_json::to_vec(&self.row).unwrap_or_default();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let packed = std::io::Write::write_all(&mut gz, &row)
            .and_then(|()| gz.finish())
            .unwrap_or_default();
        let wire = Wire {
            schema_version: self.schema_version,
            key: self.key.clone(),
            commit: self.commit.clone(),
            target: self.target.clone(),
            toolchain: self.toolchain.clone(),
            measured_by: self.measured_by.clone(),
            row_gzip_base64: base64::engine::general_purpose::STANDARD.encode(packed),
        };
        serde_json::to_string(&wire).unwrap_or_default()
    }

    /// The record of a line (`None`: damaged, or not a record).
    pub fn from_line(line: &str) -> Option<Record> {
        let wire: Wire = serde_json::from_str(line.trim()).ok()?;
        let packed = base64::engine::general_purpose::STANDARD
            .decode(&wire.row_gzip_base64)
            .ok()?;
        let row = serde_json::from_reader(flate2::read::GzDecoder::new(&packed[..])).ok()?;
        Some(Record {
            schema_version: wire.schema_version,
            key: wire.key,
            commit: wire.commit,
            target: wire.target,
            toolchain: wire.toolchain,
            measured_by: wire.measured_by,
            row,
        })
    }

    /// The figures two records of one key must agree on.
    fn figures(&self) -> serde_json::Value {
        serde_json::json!({
            "ok": self.row.ok,
            "size": self.row.size,
            "overflow": self.row.overflow,
        })
    }
}

/// The records of a note's or file's lines (others' versions and damaged
/// lines skipped: a record is only ever used when it is whole).
pub fn parse_lines(text: &str) -> Vec<Record> {
    text.lines()
        .filter_map(Record::from_line)
        .filter(|r| r.schema_version == RECORD_SCHEMA)
        .collect()
}

/// What the records of one commit say about one key.
#[derive(Debug)]
pub enum Found {
    None,
    One(Box<Record>),
    /// Records of the same key with different figures (a machine measured
    /// otherwise, or a record was edited): none is used.
    Disagree(Vec<Record>),
}

pub fn find(records: &[Record], key: &str) -> Found {
    let same: Vec<&Record> = records.iter().filter(|r| r.key == key).collect();
    let Some(first) = same.first() else {
        return Found::None;
    };
    let figures = first.figures();
    if same.iter().all(|r| r.figures() == figures) {
        Found::One(Box::new((*first).clone()))
    } else {
        Found::Disagree(same.into_iter().cloned().collect())
    }
}
