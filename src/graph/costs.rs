//! What groups of symbols cost: the bytes that would go with core::fmt or
//! the panic machinery (everything only they keep), the call sites that
//! reach into them, and the copies of each generic function with the
//! crates whose code made them.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use super::types::{Node, RefGraph};

/// A symbol that refers into a group, and how often.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CallSite {
    pub name: String,
    pub crate_name: String,
    pub references: usize,
}

/// What one group of symbols costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupCost {
    /// `core::fmt` or `panic`.
    pub group: String,
    pub symbols: usize,
    /// The group's own bytes.
    pub own_bytes: u64,
    /// Its bytes and everything only it keeps: what removing every
    /// reference into it would save.
    pub retained_bytes: u64,
    /// Symbols outside the group with the most references into it.
    pub call_sites: Vec<CallSite>,
}

/// Formatting: `core::fmt` and the `Display`/`Debug`/`Write` impls.
pub fn is_fmt(n: &Node) -> bool {
    let name = n.name.as_str();
    name.starts_with("core::fmt::")
        || name.starts_with("<core::fmt::")
        || name.contains(" as core::fmt::")
        || name.starts_with("alloc::fmt::")
}

/// The panic machinery: `core::panicking`, the handler, `panic_fmt`.
pub fn is_panic(n: &Node) -> bool {
    let name = n.name.as_str();
    name.contains("core::panicking::")
        || name.contains("rust_begin_unwind")
        || name.contains("panic_fmt")
        || name.starts_with("core::result::unwrap_failed")
        || name.starts_with("core::option::unwrap_failed")
        || name.starts_with("core::option::expect_failed")
        || name.starts_with("std::panicking::")
}

/// The bytes that would go with every node `member` picks: those no root
/// reaches once they are gone.
fn group_retained(g: &RefGraph, member: &dyn Fn(&Node) -> bool) -> u64 {
    let mut reached = vec![false; g.nodes.len()];
    let mut queue: VecDeque<usize> = g
        .roots
        .iter()
        .map(|r| r.0)
        .filter(|&r| !member(&g.nodes[r]))
        .collect();
    while let Some(n) = queue.pop_front() {
        if std::mem::replace(&mut reached[n], true) {
            continue;
        }
        for &e in &g.out[n] {
            let to = g.edges[e].to;
            if !member(&g.nodes[to]) {
                queue.push_back(to);
            }
        }
    }
    (0..g.nodes.len())
        .filter(|&n| !reached[n])
        .map(|n| g.nodes[n].bytes)
        .sum()
}

fn call_sites(g: &RefGraph, member: &dyn Fn(&Node) -> bool, n: usize) -> Vec<CallSite> {
    let mut count: BTreeMap<usize, usize> = BTreeMap::new();
    for e in &g.edges {
        if !member(&g.nodes[e.from]) && member(&g.nodes[e.to]) {
            *count.entry(e.from).or_default() += 1;
        }
    }
    let mut v: Vec<(usize, usize)> = count.into_iter().collect();
    v.sort_by_key(|&(node, refs)| (std::cmp::Reverse(refs), node));
    v.into_iter()
        .take(n)
        .map(|(node, references)| CallSite {
            name: g.nodes[node].name.clone(),
            crate_name: g.nodes[node].crate_name.clone(),
            references,
        })
        .collect()
}

/// Which nodes belong to a group.
type Member = dyn Fn(&Node) -> bool;

/// What formatting, the panic machinery, and the two together cost.
pub fn panic_and_fmt(g: &RefGraph) -> Vec<GroupCost> {
    let groups: [(&str, &Member); 3] = [
        ("core::fmt", &is_fmt),
        ("panic", &is_panic),
        ("core::fmt and panic", &|n: &Node| is_fmt(n) || is_panic(n)),
    ];
    groups
        .iter()
        .map(|(name, member)| {
            let members: Vec<&Node> = g.nodes.iter().filter(|n| member(n)).collect();
            GroupCost {
                group: name.to_string(),
                symbols: members.len(),
                own_bytes: members.iter().map(|n| n.bytes).sum(),
                retained_bytes: group_retained(g, *member),
                call_sites: call_sites(g, *member, 5),
            }
        })
        .collect()
}

/// One copy of a generic function.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Copy {
    pub name: String,
    pub size_bytes: u64,
}

/// The crates whose code refers to copies of a generic, and how many.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CausedBy {
    pub crate_name: String,
    pub copies: usize,
}

/// The monomorphised copies of one generic function.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Generic {
    /// The path without its type arguments (`core::fmt::Write::write_fmt::<_>`).
    pub generic: String,
    pub crate_name: String,
    pub copies: usize,
    pub total_bytes: u64,
    /// The largest copies, largest first.
    pub largest: Vec<Copy>,
    /// The crate of the code that refers to each copy (its callers').
    pub caused_by: Vec<CausedBy>,
}

/// The crate a copy was made for: that of its first caller outside the
/// generic's own crate, else its own.
fn cause(g: &RefGraph, n: usize) -> String {
    let own = &g.nodes[n].crate_name;
    g.into[n]
        .iter()
        .map(|&e| &g.nodes[g.edges[e].from].crate_name)
        .find(|k| *k != own && !k.starts_with('['))
        .unwrap_or(own)
        .clone()
}

/// A name with every list of type arguments as `<_>`: `f::<u8>` and
/// `<Uarte<UARTE0> as Write>::write_str` become `f::<_>` and
/// `<Uarte<_> as Write>::write_str` (a `<` after a name opens arguments;
/// one at a path's start opens a qualified path and stays).
pub fn generic_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    let mut prev = ' ';
    for c in name.chars() {
        if depth > 0 {
            match c {
                '<' => depth += 1,
                '>' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                out.push_str("_>");
            }
        } else if c == '<' && (prev.is_alphanumeric() || prev == '_' || prev == ':') {
            depth = 1;
            out.push('<');
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

/// Generics with two copies or more (names equal once their type
/// arguments are left out; legacy mangling leaves them out already), the
/// most bytes first.
pub fn generics(g: &RefGraph) -> Vec<Generic> {
    let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, n) in g.nodes.iter().enumerate() {
        if n.bytes > 0 && !n.name.starts_with(['[', '(', '.']) {
            by.entry(generic_key(&n.name)).or_default().push(i);
        }
    }
    let mut out: Vec<Generic> = by
        .into_iter()
        .filter(|(_, copies)| copies.len() > 1)
        .map(|(generic, mut copies)| {
            copies.sort_by_key(|&c| (std::cmp::Reverse(g.nodes[c].bytes), c));
            let mut caused: BTreeMap<String, usize> = BTreeMap::new();
            for &c in &copies {
                *caused.entry(cause(g, c)).or_default() += 1;
            }
            let mut caused_by: Vec<CausedBy> = caused
                .into_iter()
                .map(|(crate_name, copies)| CausedBy { crate_name, copies })
                .collect();
            caused_by.sort_by_key(|c| std::cmp::Reverse(c.copies));
            Generic {
                crate_name: g.nodes[copies[0]].crate_name.clone(),
                copies: copies.len(),
                total_bytes: copies.iter().map(|&c| g.nodes[c].bytes).sum(),
                largest: copies
                    .iter()
                    .take(3)
                    .map(|&c| Copy {
                        name: g.nodes[c].name.clone(),
                        size_bytes: g.nodes[c].bytes,
                    })
                    .collect(),
                caused_by,
                generic,
            }
        })
        .collect();
    out.sort_by_key(|x| (std::cmp::Reverse(x.total_bytes), x.generic.clone()));
    out
}

/// The saving of `panic = "immediate-abort"`, measured: the configuration
/// with `core` built from source, with and without it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PanicMeasured {
    pub configuration: String,
    /// Flash with `core` built from source (the comparison's base).
    pub core_from_source_bytes: u64,
    /// Flash with `panic = "immediate-abort"` too.
    pub immediate_abort_bytes: u64,
    pub saved_bytes: i64,
}

/// What `top --retained` and `--generics` add to an attribution.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct References {
    /// What formatting and the panic machinery retain, and who calls them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub panic_and_fmt: Vec<GroupCost>,
    /// What `panic = "immediate-abort"` saves, built and measured (where
    /// the toolchain can build `core` from source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub panic_measured: Option<PanicMeasured>,
    /// Copies of generic functions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub generics: Vec<Generic>,
    /// For the page's treemap: the largest retainers and what each alone
    /// keeps (the dominator tree, two levels).
    #[serde(skip)]
    pub tree: Vec<TreeBox>,
}

/// A box of the retained-size treemap.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeBox {
    pub name: String,
    pub crate_name: String,
    pub section: String,
    pub retained_bytes: u64,
    /// The box it sits in (an index into the tree), `None` at the top.
    pub parent: Option<usize>,
    /// Its shortest chain from a root.
    pub chain: String,
}

/// The treemap of what symbols retain: the top boxes are those only the
/// roots dominate, inside each the symbols it alone keeps.
pub fn retained_tree(g: &RefGraph, top: usize, inner: usize) -> Vec<TreeBox> {
    let (retained, idom) = super::retained::dominator_tree(g);
    let mut tops: Vec<usize> = (0..g.nodes.len()).filter(|&n| idom[n].is_none()).collect();
    tops.sort_by_key(|&n| (std::cmp::Reverse(retained[n]), n));
    tops.truncate(top);
    let mut chosen: Vec<(usize, Option<usize>)> = tops.iter().map(|&n| (n, None)).collect();
    for (i, &t) in tops.iter().enumerate() {
        let mut kids: Vec<usize> = (0..g.nodes.len()).filter(|&n| idom[n] == Some(t)).collect();
        kids.sort_by_key(|&n| (std::cmp::Reverse(retained[n]), n));
        chosen.extend(kids.into_iter().take(inner).map(|k| (k, Some(i))));
    }
    let nodes: Vec<usize> = chosen.iter().map(|c| c.0).collect();
    let chains = super::why::chain_names(g, &nodes);
    chosen
        .iter()
        .zip(chains)
        .map(|(&(n, parent), chain)| TreeBox {
            name: g.nodes[n].name.clone(),
            crate_name: g.nodes[n].crate_name.clone(),
            section: g.nodes[n].section.clone(),
            retained_bytes: retained[n],
            parent,
            chain,
        })
        .collect()
}
