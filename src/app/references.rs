//! `top --retained` and `top --generics`: the reference graph's figures
//! added to an attribution of the same binary.

use std::collections::HashMap;

use crate::attribute::{Attribution, Options};
use crate::graph::{self, References};
use crate::options::TopOptions;

/// Retained sizes on the symbol rows (sorted by them, the first `limit`
/// kept) and what panics and formatting cost; the copies of generics.
pub fn add(
    a: &mut Attribution,
    map: &[u8],
    opts: &Options,
    args: &TopOptions,
) -> anyhow::Result<References> {
    let g = graph::build(map, opts).map_err(|e| {
        anyhow::anyhow!(
            "--retained and --generics read the references the link kept: {e}\n  hint: without a FILE, `top` builds the configuration so itself"
        )
    })?;
    let mut refs = References::default();
    if g.machine == graph::wasm::MACHINE {
        a.notes.push(graph::wasm::NOTE.into());
    }
    if args.retained {
        let retained = graph::retained_sizes(&g);
        let at: HashMap<(u64, &str), usize> = g
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| ((n.address, n.section.as_str()), i))
            .collect();
        for s in &mut a.symbols {
            s.retained_bytes = at
                .get(&(s.address, s.section.as_str()))
                .map(|&i| retained[i]);
        }
        a.symbols.sort_by(|x, y| {
            y.retained_bytes
                .cmp(&x.retained_bytes)
                .then(y.bytes.cmp(&x.bytes))
                .then(x.name.cmp(&y.name))
        });
        a.symbols.truncate(args.limit);
        refs.panic_and_fmt = graph::panic_and_fmt(&g);
        refs.tree = graph::retained_tree(&g, 40, 30);
    }
    if args.generics {
        refs.generics = graph::generics(&g);
        refs.generics.truncate(args.limit.max(1));
    }
    Ok(refs)
}
