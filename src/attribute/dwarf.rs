//! Code bytes by crate from the DWARF line table: every address range of
//! every line-program sequence belongs to the source file of its row, and a
//! file path names its crate. Inlined code keeps the file it came from.

use std::borrow::Cow;
use std::collections::BTreeMap;

use object::{Object, ObjectSection};

use super::crates::crate_from_path;

/// Disjoint `[start, end)` code ranges, each with its crate.
pub struct LineRanges {
    ranges: Vec<(u64, u64, String)>,
}

impl LineRanges {
    /// Bytes of `[lo, hi)` that some line row covers.
    pub fn covered(&self, lo: u64, hi: u64) -> u64 {
        self.ranges
            .iter()
            .map(|(s, e, _)| (*e).min(hi).saturating_sub((*s).max(lo)))
            .sum()
    }

    /// Bytes per crate inside `[lo, hi)`.
    pub fn in_range(&self, lo: u64, hi: u64) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (s, e, k) in &self.ranges {
            let (s, e) = ((*s).max(lo), (*e).min(hi));
            if e > s {
                *out.entry(k.clone()).or_insert(0) += e - s;
            }
        }
        out
    }
}

type R<'a> = gimli::EndianSlice<'a, gimli::RunTimeEndian>;

fn path_of<'a>(
    unit: &gimli::UnitRef<'_, R<'a>>,
    header: &gimli::LineProgramHeader<R<'a>>,
    row: &gimli::LineRow,
) -> Option<String> {
    let file = row.file(header)?;
    let name = unit
        .attr_string(file.path_name())
        .ok()?
        .to_string_lossy()
        .into_owned();
    if name.starts_with('/') {
        return Some(name);
    }
    let dir = file
        .directory(header)
        .and_then(|d| unit.attr_string(d).ok())
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    Some(if dir.is_empty() {
        name
    } else {
        format!("{dir}/{name}")
    })
}

/// `None` when the binary has no usable line table.
pub fn code_by_crate(file: &object::File<'_>, own: Option<&str>) -> Option<LineRanges> {
    file.section_by_name(".debug_line")?;
    let endian = if file.is_little_endian() {
        gimli::RunTimeEndian::Little
    } else {
        gimli::RunTimeEndian::Big
    };
    let load = |id: gimli::SectionId| -> Result<Cow<'_, [u8]>, gimli::Error> {
        Ok(match file.section_by_name(id.name()) {
            Some(s) => s.uncompressed_data().unwrap_or(Cow::Borrowed(&[])),
            None => Cow::Borrowed(&[]),
        })
    };
    let sections = gimli::DwarfSections::load(load).ok()?;
    let dwarf = sections.borrow(|s| gimli::EndianSlice::new(s, endian));
    let mut raw: Vec<(u64, u64, String)> = Vec::new();
    let mut crate_of_path: BTreeMap<String, String> = BTreeMap::new();
    let mut units = dwarf.units();
    while let Ok(Some(header)) = units.next() {
        let Ok(unit) = dwarf.unit(header) else {
            continue;
        };
        let unit = unit.unit_ref(&dwarf);
        let Some(program) = unit.line_program.clone() else {
            continue;
        };
        let mut rows = program.rows();
        let mut prev: Option<(u64, String)> = None;
        while let Ok(Some((header, row))) = rows.next_row() {
            let address = row.address();
            if let Some((start, krate)) = prev.take() {
                // Tombstoned (discarded) code has address 0 or all-ones ranges; skip inverted ones.
                if address > start {
                    raw.push((start, address, krate));
                }
            }
            if row.end_sequence() {
                continue;
            }
            let path = path_of(&unit, header, row).unwrap_or_default();
            let krate = crate_of_path
                .entry(path.clone())
                .or_insert_with(|| crate_from_path(&path, own))
                .clone();
            prev = Some((address, krate));
        }
    }
    if raw.is_empty() {
        return None;
    }
    // Sequences may overlap (discarded duplicates): the first claim wins.
    raw.sort_by_key(|r| (r.0, r.1));
    let mut ranges: Vec<(u64, u64, String)> = Vec::with_capacity(raw.len());
    let mut covered = 0u64;
    for (s, e, k) in raw {
        let s = s.max(covered);
        if e <= s {
            continue;
        }
        covered = e;
        match ranges.last_mut() {
            Some(last) if last.1 == s && last.2 == k => last.1 = e,
            _ => ranges.push((s, e, k)),
        }
    }
    Some(LineRanges { ranges })
}
