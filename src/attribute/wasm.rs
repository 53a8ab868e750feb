//! A WebAssembly module's functions as symbols: each body in the code
//! section (its size as `wasm-objdump -x` lists it), named by the module's
//! `name` section. Data segments carry no names in a linked module, unless
//! it was linked with `--emit-relocs`: then its `linking` section lists
//! each data symbol's segment, offset and size.

use std::borrow::Cow;

use wasmparser::{KnownCustom, Name, Parser, Payload};

use super::symbols::{RawSymbol, Section};
use super::types::Kind;

/// What the module holds: its code and data sections and its functions.
pub struct Module<'a> {
    pub sections: Vec<Section>,
    pub functions: Vec<RawSymbol<'a>>,
    /// Whether it has a `name` section (shipped modules often do not).
    pub named: bool,
    /// Data symbols from a `linking` section (within the data section).
    pub data_symbols: Vec<RawSymbol<'a>>,
}

/// A data symbol of the `linking` section: its name, segment, offset, size.
type DataSymbol<'a> = (&'a str, u32, u64, u64);

fn data_symbols<'a>(r: wasmparser::LinkingSectionReader<'a>) -> Vec<DataSymbol<'a>> {
    let mut out = Vec::new();
    for sub in r.subsections().flatten() {
        let wasmparser::Linking::SymbolTable(map) = sub else {
            continue;
        };
        for info in map.into_iter().flatten() {
            if let wasmparser::SymbolInfo::Data {
                name,
                symbol: Some(d),
                ..
            } = info
            {
                if d.size > 0 {
                    out.push((name, d.index, u64::from(d.offset), u64::from(d.size)));
                }
            }
        }
    }
    out
}

fn err(e: wasmparser::BinaryReaderError) -> String {
    format!("not a valid WebAssembly module: {e}")
}

/// Data symbols at their bytes in the file (`segments`: where each
/// segment's bytes start).
fn placed<'a>(
    sections: &[Section],
    segments: &[u64],
    linked: Vec<DataSymbol<'a>>,
) -> Vec<RawSymbol<'a>> {
    let Some(at) = sections.iter().position(|s| s.kind == Kind::Data) else {
        return Vec::new();
    };
    linked
        .into_iter()
        .filter_map(|(name, segment, offset, size)| {
            let start = segments.get(segment as usize)?;
            Some((at, start + offset, size, Cow::Borrowed(name)))
        })
        .collect()
}

pub fn read(data: &[u8]) -> Result<Module<'_>, String> {
    let mut imported = 0u32;
    let mut bodies: Vec<(u64, u64)> = Vec::new();
    let mut names: std::collections::HashMap<u32, &str> = Default::default();
    let mut sections = Vec::new();
    let mut segments: Vec<u64> = Vec::new();
    let mut linked: Vec<DataSymbol<'_>> = Vec::new();
    for payload in Parser::new(0).parse_all(data) {
        match payload.map_err(err)? {
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    if matches!(import.map_err(err)?.ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionStart {
                unchecked_range: range,
                ..
            } => sections.push(Section {
                name: "Code".into(),
                kind: Kind::Text,
                address: range.start,
                size: (range.end - range.start),
            }),
            Payload::CodeSectionEntry(body) => {
                let r = body.range();
                bodies.push((r.start, (r.end - r.start)));
            }
            Payload::DataSection(r) => {
                sections.push(Section {
                    name: "Data".into(),
                    kind: Kind::Data,
                    address: r.range().start,
                    size: (r.range().end - r.range().start),
                });
                // Where each segment's bytes are in the file.
                for d in r {
                    let d = d.map_err(err)?;
                    segments.push(d.range.end - d.data.len() as u64);
                }
            }
            Payload::CustomSection(c) => {
                if let KnownCustom::Linking(reader) = c.as_known() {
                    linked = data_symbols(reader);
                }
                if let KnownCustom::Name(reader) = c.as_known() {
                    for name in reader {
                        if let Ok(Name::Function(map)) = name {
                            for n in map.into_iter().flatten() {
                                names.insert(n.index, n.name);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let named = !names.is_empty();
    let functions = bodies
        .into_iter()
        .enumerate()
        .map(|(i, (address, size))| {
            let index = imported + i as u32;
            let name = match names.get(&index) {
                Some(n) => Cow::Borrowed(*n),
                None => Cow::Owned(format!("func[{index}]")),
            };
            (0, address, size, name)
        })
        .collect();
    let data_symbols = placed(&sections, &segments, linked);
    Ok(Module {
        sections,
        functions,
        named,
        data_symbols,
    })
}
