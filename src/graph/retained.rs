//! Retained size (twiggy's meaning): the bytes that would go with a node,
//! its own and those of every node only reachable through it, from the
//! dominator tree of the graph under one root joining all roots (Cooper,
//! Harvey and Kennedy's algorithm, as petgraph implements it).

use petgraph::algo::dominators::simple_fast;
use petgraph::graph::{DiGraph, NodeIndex};

use super::types::RefGraph;

/// Per node, its retained bytes; the sum over the roots' is every byte.
pub fn retained_sizes(g: &RefGraph) -> Vec<u64> {
    dominator_tree(g).0
}

/// Retained bytes and each node's immediate dominator (`None`: only the
/// joined root dominates it: a root, or shared by several).
pub fn dominator_tree(g: &RefGraph) -> (Vec<u64>, Vec<Option<usize>>) {
    let n = g.nodes.len();
    let mut pg: DiGraph<(), ()> = DiGraph::with_capacity(n + 1, g.edges.len() + g.roots.len());
    for _ in 0..=n {
        pg.add_node(());
    }
    let top = NodeIndex::new(n);
    for &(r, _) in &g.roots {
        pg.add_edge(top, NodeIndex::new(r), ());
    }
    for e in &g.edges {
        pg.add_edge(NodeIndex::new(e.from), NodeIndex::new(e.to), ());
    }
    let doms = simple_fast(&pg, top);
    // Children of each node in the dominator tree, then sizes bottom-up
    // (an order where every node comes after its dominator: BFS from the top).
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n + 1];
    let mut idom = vec![None; n];
    for (v, slot) in idom.iter_mut().enumerate() {
        if let Some(d) = doms.immediate_dominator(NodeIndex::new(v)) {
            children[d.index()].push(v);
            *slot = (d.index() < n).then_some(d.index());
        }
    }
    let mut order = Vec::with_capacity(n + 1);
    order.push(n);
    let mut i = 0;
    while i < order.len() {
        order.extend(children[order[i]].iter().copied());
        i += 1;
    }
    let mut retained: Vec<u64> = g.nodes.iter().map(|x| x.bytes).chain([0]).collect();
    for &v in order.iter().rev() {
        let sum: u64 = children[v].iter().map(|&c| retained[c]).sum();
        retained[v] += sum;
    }
    retained.truncate(n);
    (retained, idom)
}
