//! Code bytes by crate from the DWARF line table: every address range of
//! every line-program sequence belongs to the source file of its row, and a
//! file path names its crate. Inlined code keeps the file it came from.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use object::{Object, ObjectSection};

use super::crates::crate_from_path;

/// Disjoint `[start, end)` code ranges, each with its crate (an index into `crates`).
pub struct LineRanges {
    ranges: Vec<(u64, u64, u32)>,
    crates: Vec<String>,
    /// The code ranges of each compilation unit, with the unit's crate:
    /// a function lies in the unit that compiled it.
    units: Vec<(u64, u64, u32)>,
}

impl LineRanges {
    /// Bytes of `[lo, hi)` that some line row covers.
    pub fn covered(&self, lo: u64, hi: u64) -> u64 {
        self.overlapping(lo, hi).map(|(s, e, _)| e - s).sum()
    }

    /// Bytes per crate inside `[lo, hi)`.
    pub fn in_range(&self, lo: u64, hi: u64) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (s, e, k) in self.overlapping(lo, hi) {
            *out.entry(self.crates[k as usize].clone()).or_insert(0) += e - s;
        }
        out
    }

    /// The crate whose compilation unit holds the code at `addr` (a
    /// function's defining crate, whatever it inlined).
    pub fn at(&self, addr: u64) -> Option<&str> {
        let &(_, _, k) = self
            .units
            .iter()
            .find(|(lo, hi, _)| *lo <= addr && addr < *hi)?;
        self.crates.get(k as usize).map(String::as_str)
    }

    /// The parts of ranges inside `[lo, hi)` (ranges are sorted and disjoint).
    fn overlapping(&self, lo: u64, hi: u64) -> impl Iterator<Item = (u64, u64, u32)> + '_ {
        let first = self.ranges.partition_point(|r| r.1 <= lo);
        self.ranges[first..]
            .iter()
            .take_while(move |r| r.0 < hi)
            .map(move |&(s, e, k)| (s.max(lo), e.min(hi), k))
            .filter(|(s, e, _)| e > s)
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

/// Units walked between two calls of `release` (which gives back the pages
/// of the file read so far).
const UNITS_PER_RELEASE: usize = 16;

/// Sequences may overlap (discarded duplicates): the first claim wins.
/// Merged in place: a debug build has hundreds of thousands of ranges.
fn first_claim_wins(mut ranges: Vec<(u64, u64, u32)>) -> Vec<(u64, u64, u32)> {
    ranges.sort_unstable_by_key(|r| (r.0, r.1));
    let mut kept = 0usize;
    let mut covered = 0u64;
    for i in 0..ranges.len() {
        let (s, e, k) = ranges[i];
        let s = s.max(covered);
        if e <= s {
            continue;
        }
        covered = e;
        match kept.checked_sub(1).map(|j| &mut ranges[j]) {
            Some(last) if last.1 == s && last.2 == k => last.1 = e,
            _ => {
                ranges[kept] = (s, e, k);
                kept += 1;
            }
        }
    }
    ranges.truncate(kept);
    ranges.shrink_to_fit();
    ranges
}

/// The code ranges of `unit`, each with the unit's crate `k`.
fn push_unit_ranges(unit: &gimli::UnitRef<'_, R<'_>>, k: u32, out: &mut Vec<(u64, u64, u32)>) {
    let Ok(mut ranges) = unit.unit_ranges() else {
        return;
    };
    while let Ok(Some(r)) = ranges.next() {
        // Discarded code keeps a zero (tombstone) start.
        if r.end > r.begin && r.begin > 0 {
            out.push((r.begin, r.end, k));
        }
    }
}

/// The index of crate `name` in `crates`, added when new.
fn intern(crates: &mut Vec<String>, ids: &mut HashMap<String, u32>, name: String) -> u32 {
    *ids.entry(name.clone()).or_insert_with(|| {
        crates.push(name);
        (crates.len() - 1) as u32
    })
}

/// A unit's crate: rustc names a unit `<root file>/@/<crate>.<hash>-cgu.N`;
/// other compilers' units (C) by their source path.
fn unit_crate(unit: &gimli::UnitRef<'_, R<'_>>, own: Option<&str>) -> String {
    let text = |r: Option<R<'_>>| r.map(|r| r.to_string_lossy().into_owned());
    let name = text(unit.name).unwrap_or_default();
    if let Some((_, cgu)) = name.split_once("/@/") {
        if let Some(k) = cgu.split('.').next().filter(|k| !k.is_empty()) {
            return k.to_string();
        }
    }
    let path = match text(unit.comp_dir) {
        Some(dir) if !name.starts_with('/') => format!("{dir}/{name}"),
        _ => name,
    };
    crate_from_path(&path, own)
}

/// The rows of one line-program sequence, kept until its end says whether
/// it is real code: the linker leaves the sequences of functions it
/// discarded at address 0 (its tombstone), where a chip whose flash starts
/// at 0 has real code they must never claim.
#[derive(Default)]
struct Sequence {
    start: Option<u64>,
    prev: Option<(u64, u32)>,
    ranges: Vec<(u64, u64, u32)>,
}

impl Sequence {
    fn push(&mut self, start: u64, end: u64, krate: u32) {
        // Consecutive rows of one crate become one range: a debug build
        // has millions of rows.
        match self.ranges.last_mut() {
            Some(last) if last.1 == start && last.2 == krate => last.1 = end,
            _ => self.ranges.push((start, end, krate)),
        }
    }

    /// Close the sequence at `end`: keep its ranges when it is real code.
    fn end(&mut self, end: u64, at_zero: &[u64], out: &mut Vec<(u64, u64, u32)>) {
        let start = self.start.take();
        self.prev = None;
        let ranges = std::mem::take(&mut self.ranges);
        let tombstoned = start == Some(0) && !at_zero.contains(&end);
        if !tombstoned {
            out.extend(ranges);
        }
    }
}

/// The sizes of the functions that start at address 0: a sequence starting
/// there is real only when it is exactly one of them.
fn functions_at_zero(file: &object::File<'_>) -> Vec<u64> {
    use object::ObjectSymbol;
    file.symbols()
        .filter(|s| s.kind() == object::SymbolKind::Text && s.address() & !1 == 0 && s.size() > 0)
        .map(|s| s.size())
        .collect()
}

/// `None` when the binary has no usable line table.
pub fn code_by_crate(
    file: &object::File<'_>,
    own: Option<&str>,
    release: &dyn Fn(),
) -> Option<LineRanges> {
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
    let mut raw: Vec<(u64, u64, u32)> = Vec::new();
    let mut crates: Vec<String> = Vec::new();
    let mut crate_ids: HashMap<String, u32> = HashMap::new();
    let mut unit_ranges: Vec<(u64, u64, u32)> = Vec::new();
    let at_zero = functions_at_zero(file);
    let mut units = dwarf.units();
    let mut walked = 0usize;
    while let Ok(Some(header)) = units.next() {
        walked += 1;
        if walked.is_multiple_of(UNITS_PER_RELEASE) {
            release();
        }
        let Ok(unit) = dwarf.unit(header) else {
            continue;
        };
        let unit = unit.unit_ref(&dwarf);
        let uk = intern(&mut crates, &mut crate_ids, unit_crate(&unit, own));
        push_unit_ranges(&unit, uk, &mut unit_ranges);
        let Some(program) = unit.line_program.clone() else {
            continue;
        };
        // Crate of each file index of this unit, computed once.
        let mut by_file: HashMap<u64, u32> = HashMap::new();
        let mut rows = program.rows();
        let mut seq = Sequence::default();
        while let Ok(Some((header, row))) = rows.next_row() {
            let address = row.address();
            if let Some((start, krate)) = seq.prev.take() {
                // Tombstoned (discarded) code gives inverted ranges; skip them.
                if address > start {
                    seq.push(start, address, krate);
                }
            }
            if row.end_sequence() {
                seq.end(address, &at_zero, &mut raw);
                continue;
            }
            let id = *by_file.entry(row.file_index()).or_insert_with(|| {
                let path = path_of(&unit, header, row).unwrap_or_default();
                intern(&mut crates, &mut crate_ids, crate_from_path(&path, own))
            });
            seq.start.get_or_insert(address);
            seq.prev = Some((address, id));
        }
    }
    if raw.is_empty() {
        return None;
    }
    let ranges = first_claim_wins(raw);
    Some(LineRanges {
        ranges,
        crates,
        units: unit_ranges,
    })
}
