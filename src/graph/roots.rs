//! A graph's roots: where every chain starts, so that every byte is
//! retained by some root.

use std::collections::VecDeque;

use super::types::{RefGraph, RootWhy};

/// The entry, what nothing refers to, then one node of each part nothing
/// reached yet (kept by the linker for a reason the relocations hide).
pub(super) fn roots(g: &RefGraph, entry: Option<usize>) -> Vec<(usize, RootWhy)> {
    let mut roots: Vec<(usize, RootWhy)> = entry.map(|e| (e, RootWhy::Entry)).into_iter().collect();
    for n in 0..g.nodes.len() {
        if g.into[n].is_empty() && Some(n) != entry {
            roots.push((n, RootWhy::Unreferenced));
        }
    }
    let kept = unreached_from(g, &roots, RootWhy::KeptByLinker);
    roots.extend(kept);
    roots
}

/// One node of each part of `g` its roots do not reach, in index order,
/// each a root `why` (so that every byte is retained by some root).
pub(crate) fn unreached(g: &RefGraph, why: RootWhy) -> Vec<(usize, RootWhy)> {
    unreached_from(g, &g.roots, why)
}

fn unreached_from(g: &RefGraph, roots: &[(usize, RootWhy)], why: RootWhy) -> Vec<(usize, RootWhy)> {
    let mut added = Vec::new();
    let mut reached = vec![false; g.nodes.len()];
    let mut queue: VecDeque<usize> = roots.iter().map(|r| r.0).collect();
    loop {
        while let Some(n) = queue.pop_front() {
            if std::mem::replace(&mut reached[n], true) {
                continue;
            }
            queue.extend(g.out[n].iter().map(|&e| g.edges[e].to));
        }
        match (0..g.nodes.len()).find(|&n| !reached[n]) {
            Some(n) => {
                added.push((n, why));
                queue.push_back(n);
            }
            None => return added,
        }
    }
}
