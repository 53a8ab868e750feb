//! The reference graph of a final binary: which function or object refers
//! to which, read from the relocations a link kept (`--emit-relocs`), and
//! what follows from it: the chain that keeps a symbol alive (`why`), the
//! bytes that would go with it (retained size, by dominators), and copies
//! of generics with the crate that caused each.
//!
//! Nodes are the sized symbols attribution counts (one per byte range, so
//! the graph's bytes are the binary's); a reference whose place lies in no
//! symbol belongs to its section (the vector table's stack word, `.got`).
//! Roots: the entry point, what nothing refers to (kept by the linker
//! script's `KEEP`, `ENTRY`, `EXTERN`, exported on a host), and whatever
//! only the linker's own roots reach.

pub mod costs;
pub(crate) mod crates;
mod read;
mod retained;
pub(crate) mod roots;
mod types;
pub mod wasm;
mod why;

use std::collections::HashMap;

use object::{Object, ObjectSection};

use crate::attribute::{symbols as table, Kind, Options};

pub use costs::{
    generics, panic_and_fmt, retained_tree, CallSite, CausedBy, Copy, Generic, GroupCost,
    PanicMeasured, References, TreeBox,
};
pub use read::Reference;
pub use retained::{dominator_tree, retained_sizes};
pub use types::{Edge, Node, RefGraph, RootWhy};
pub use why::{chain_names, chains, Chain, Step, StepVia};

/// Disjoint address ranges of nodes, sorted, for finding what holds an address.
struct Ranges(Vec<(u64, u64, usize)>);

impl Ranges {
    fn at(&self, addr: u64) -> Option<usize> {
        let i = self.0.partition_point(|r| r.1 <= addr);
        self.0.get(i).filter(|r| r.0 <= addr).map(|r| r.2)
    }
}

fn nodes_of(t: &table::Table<'_>) -> Vec<Node> {
    t.symbols
        .iter()
        .map(|s| Node {
            name: table::display_name(&s.mangled),
            mangled: s.mangled.to_string(),
            crate_name: t.crate_name(s).to_string(),
            section: t.sections[s.section].name.clone(),
            kind: t.sections[s.section].kind,
            address: s.address,
            bytes: s.bytes,
        })
        .collect()
}

/// The node holding `addr`, else the section node holding it (made once).
fn holder(
    addr: u64,
    ranges: &Ranges,
    file: &object::File<'_>,
    nodes: &mut Vec<Node>,
    sections: &mut HashMap<String, usize>,
) -> Option<usize> {
    if let Some(n) = ranges.at(addr) {
        return Some(n);
    }
    let s = file
        .sections()
        .find(|s| s.address() <= addr && addr < s.address().saturating_add(s.size()))?;
    let name = s.name().unwrap_or("?").to_string();
    Some(*sections.entry(name.clone()).or_insert_with(|| {
        nodes.push(Node {
            name: format!("({name})"),
            mangled: String::new(),
            crate_name: "[section]".into(),
            section: name,
            kind: Kind::Rodata,
            address: s.address(),
            bytes: 0,
        });
        nodes.len() - 1
    }))
}

/// The graph of an ELF file linked with `--emit-relocs`; an error when the
/// file kept no relocations (then it was not linked so).
pub fn build(data: &[u8], opts: &Options) -> Result<RefGraph, String> {
    if data.starts_with(b"\0asm") {
        return wasm::build(data, opts);
    }
    let file = object::File::parse(data).map_err(|e| e.to_string())?;
    if file.format() != object::BinaryFormat::Elf {
        return Err(format!(
            "a {} file: the references are relocations the linker keeps only in ELF files (--emit-relocs)\n  hint: build the same code for a Linux or embedded target",
            crate::toolchain::format_word(file.format())
        ));
    }
    let t = table::collect(&file, opts)?;
    let mut nodes = nodes_of(&t);
    crates::name_crates_as_top_does(data, opts, &mut nodes);
    let ranges = Ranges({
        let mut r: Vec<(u64, u64, usize)> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.address, n.address + n.bytes, i))
            .collect();
        r.sort_unstable();
        r
    });
    let refs = read::references(&file);
    if refs.is_empty() {
        return Err(
            "the binary kept no relocations: link it with -C link-arg=--emit-relocs".into(),
        );
    }
    let arm = file.architecture() == object::Architecture::Arm;
    let mut sections = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut edges = Vec::new();
    for r in refs {
        let target = if arm { r.target & !1 } else { r.target };
        let Some(to) = ranges.at(target).or_else(|| ranges.at(r.target)) else {
            continue;
        };
        let Some(from) = holder(r.place, &ranges, &file, &mut nodes, &mut sections) else {
            continue;
        };
        if from != to && seen.insert((from, to)) {
            edges.push(Edge {
                from,
                to,
                place: r.place,
                r_type: r.r_type,
            });
        }
    }
    let machine = match file.flags() {
        object::FileFlags::Elf { .. } => elf_machine(data),
        _ => 0,
    };
    let mut g = RefGraph::new(nodes, edges, machine);
    let entry = file.entry();
    g.roots = roots::roots(&g, ranges.at(if arm { entry & !1 } else { entry }));
    Ok(g)
}

/// `e_machine` from the ELF header (the same offset in both classes).
fn elf_machine(data: &[u8]) -> u16 {
    let little = data.get(5) == Some(&1);
    let b: [u8; 2] = data
        .get(18..20)
        .and_then(|b| b.try_into().ok())
        .unwrap_or([0, 0]);
    if little {
        u16::from_le_bytes(b)
    } else {
        u16::from_be_bytes(b)
    }
}

#[cfg(test)]
mod tests;
