//! The reference graph of a WebAssembly module, read from the module
//! itself (its index spaces say who refers to whom: no relocations
//! needed), with twiggy's items so that retained sizes are twiggy's:
//! every byte of the file is some node's (a function is its body with its
//! size prefix and its type index; types, imports, exports, tables,
//! elements, data segments, `name` subsections and custom sections are
//! nodes; what a section holds besides its items is its `headers` node).
//! Roots are what the host reaches: exports, tables, section headers (the
//! start section refers to its function), `name` subsections.

mod code;
mod module;
pub mod refs;
mod sections;

pub use refs::{via, Ref, MACHINE, NOTE};

use wasmparser::{KnownCustom, Name, Parser, Payload};

use crate::attribute::Options;
use crate::graph::types::RefGraph;
use module::{Module, Result};

/// The graph of a module; an error names what is damaged.
pub fn build(data: &[u8], opts: &Options) -> std::result::Result<RefGraph, String> {
    let err = |e: wasmparser::BinaryReaderError| format!("not a valid WebAssembly module: {e}");
    let mut m = Module::default();
    names(&mut m, data).map_err(err)?;
    sections::read_sections(&mut m, data).map_err(err)?;
    code::code_headers(&mut m);
    for (n, body) in std::mem::take(&mut m.bodies) {
        code::references(&mut m, n, &body).map_err(err)?;
    }
    let mut g = module::finish(m);
    crate::graph::crates::name_crates_as_top_does(data, opts, &mut g.nodes);
    Ok(g)
}

/// Function and data segment names, read first: the `name` section
/// comes after the code.
fn names<'a>(m: &mut Module<'a>, data: &'a [u8]) -> Result<()> {
    for payload in Parser::new(0).parse_all(data) {
        let Payload::CustomSection(c) = payload? else {
            continue;
        };
        let KnownCustom::Name(reader) = c.as_known() else {
            continue;
        };
        // A subsection this reader does not know is skipped, not fatal.
        for name in reader.into_iter().flatten() {
            match name {
                Name::Function(map) => {
                    for n in map.into_iter().flatten() {
                        m.function_names.insert(n.index, n.name);
                    }
                }
                Name::Data(map) => {
                    for n in map.into_iter().flatten() {
                        m.data_names.insert(n.index, n.name);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}
