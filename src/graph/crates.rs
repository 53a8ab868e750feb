//! Crates of a graph's nodes, as `top` names them.

use std::collections::HashMap;

use super::types::Node;
use crate::attribute::Options;

/// Crates as `top` names them: a function no rlib names (startup code,
/// handlers) is its compilation unit's, from the line table.
pub fn name_crates_as_top_does(data: &[u8], opts: &Options, nodes: &mut [Node]) {
    let all = Options {
        keep_symbols: None,
        symbol_filter: None,
        symbol_section: None,
        group_generics: false,
        ..opts.clone()
    };
    let Ok(a) = crate::attribute::attribute(data, &all) else {
        return;
    };
    let by_address: HashMap<(u64, &str), &str> = a
        .symbols
        .iter()
        .map(|s| ((s.address, s.section.as_str()), s.crate_name.as_str()))
        .collect();
    for n in nodes.iter_mut() {
        if let Some(k) = by_address.get(&(n.address, n.section.as_str())) {
            n.crate_name = k.to_string();
        }
    }
}
