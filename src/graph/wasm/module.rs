//! A module read into nodes and references not yet resolved: what the
//! section readers fill and `finish` turns into the graph.

use std::collections::HashMap;

use wasmparser::{BinaryReader, FromReader, SectionLimited};

use super::refs::{Ref, MACHINE};
use crate::attribute::Kind;
use crate::graph::roots::unreached;
use crate::graph::types::{Edge, Node, RefGraph, RootWhy};

pub(super) type Result<T> = std::result::Result<T, wasmparser::BinaryReaderError>;

/// A reference before every index space is known.
#[derive(Clone, Copy)]
pub(super) enum To {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
    Type(u32),
    /// An address in linear memory.
    Data(u64),
}

pub(super) struct Pending {
    from: usize,
    to: To,
    place: u64,
    how: Ref,
}

#[derive(Default)]
pub(super) struct Module<'a> {
    pub(super) nodes: Vec<Node>,
    pub(super) pending: Vec<Pending>,
    pub(super) roots: Vec<(usize, RootWhy)>,
    pub(super) funcs: Vec<usize>,
    pub(super) tables: Vec<usize>,
    pub(super) memories: Vec<usize>,
    pub(super) globals: Vec<usize>,
    pub(super) types: Vec<usize>,
    /// Active data segments' addresses in linear memory.
    pub(super) segments: Vec<(u64, u64, usize)>,
    pub(super) function_names: HashMap<u32, &'a str>,
    pub(super) data_names: HashMap<u32, &'a str>,
    /// Bytes of the function section (counted with the code's headers).
    pub(super) function_section: u64,
    pub(super) imported_funcs: usize,
    pub(super) bodies: Vec<(usize, wasmparser::FunctionBody<'a>)>,
    /// The code section's start and bytes, and where the next body's
    /// size prefix is.
    pub(super) code: Option<(u64, u64, u64)>,
}

/// The items of a section with each one's offset and size (to the next).
pub(super) fn sized<'a, T: FromReader<'a>>(r: SectionLimited<'a, T>) -> Result<Vec<(u64, u64, T)>> {
    let end = r.range().end;
    let items: Vec<(u64, T)> = r.into_iter_with_offsets().collect::<Result<_>>()?;
    let starts: Vec<u64> = items.iter().map(|i| i.0).skip(1).chain([end]).collect();
    Ok(items
        .into_iter()
        .zip(starts)
        .map(|((at, item), next)| (at, next - at, item))
        .collect())
}

impl<'a> Module<'a> {
    pub(super) fn add(
        &mut self,
        name: String,
        section: &str,
        kind: Kind,
        address: u64,
        bytes: u64,
    ) -> usize {
        self.nodes.push(Node {
            mangled: name.clone(),
            name,
            crate_name: "[module]".into(),
            section: section.into(),
            kind,
            address,
            bytes,
        });
        self.nodes.len() - 1
    }

    pub(super) fn refer(&mut self, from: usize, to: To, place: u64, how: Ref) {
        self.pending.push(Pending {
            from,
            to,
            place,
            how,
        });
    }

    pub(super) fn root(&mut self, node: usize, why: RootWhy) {
        self.roots.push((node, why));
    }

    /// A section's `headers` node: its bytes that no item holds.
    pub(super) fn headers(&mut self, name: String, address: u64, full: u64, first_item: usize) {
        let items: u64 = self.nodes[first_item..].iter().map(|n| n.bytes).sum();
        let n = self.add(
            name,
            "headers",
            Kind::Rodata,
            address,
            full.saturating_sub(items),
        );
        self.root(n, RootWhy::Module);
    }
}

fn resolve(m: &Module<'_>, to: To) -> Option<usize> {
    let at = |v: &Vec<usize>, i: u32| v.get(i as usize).copied();
    match to {
        To::Func(i) => at(&m.funcs, i),
        To::Table(i) => at(&m.tables, i),
        To::Memory(i) => at(&m.memories, i),
        To::Global(i) => at(&m.globals, i),
        To::Type(i) => at(&m.types, i),
        To::Data(addr) => m
            .segments
            .iter()
            .find(|s| s.0 <= addr && addr < s.1)
            .map(|s| s.2),
    }
}

/// The graph: edges resolved (a table's segment points from the table),
/// twiggy's roots, then what nothing reaches (unused data segments,
/// custom sections) as roots of their own.
pub(super) fn finish(m: Module<'_>) -> RefGraph {
    let mut edges = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in &m.pending {
        let Some(to) = resolve(&m, p.to) else {
            continue;
        };
        let (from, to) = if p.how == Ref::Table {
            (to, p.from)
        } else {
            (p.from, to)
        };
        if from != to && seen.insert((from, to)) {
            edges.push(Edge {
                from,
                to,
                place: p.place,
                r_type: p.how as u32,
            });
        }
    }
    let mut g = RefGraph::new(m.nodes, edges, MACHINE);
    g.roots = m.roots;
    g.roots.extend(unreached(&g, RootWhy::Unreferenced));
    g
}

/// A reader over `data` from `at` to `end`, its offsets the file's.
pub(super) fn reader_at(data: &[u8], at: u64, end: u64) -> BinaryReader<'_> {
    BinaryReader::new(&data[at as usize..end as usize], at)
}
