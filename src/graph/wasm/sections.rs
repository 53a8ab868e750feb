//! Each section's items as nodes, in the order the module holds them.

use wasmparser::{
    DataKind, ElementItems, ElementKind, ExternalKind, FromReader, Imports, Parser, Payload,
    SectionLimited, TypeRef,
};

use super::code;
use super::module::{sized, Module, Result, To};
use super::refs::Ref;
use crate::attribute::{symbols::display_name, Kind};
use crate::graph::types::RootWhy;

fn section_word(id: u8) -> &'static str {
    match id {
        1 => "type",
        2 => "import",
        4 => "table",
        5 => "memory",
        6 => "global",
        7 => "export",
        8 => "start",
        9 => "element",
        11 => "data",
        12 => "data count",
        13 => "tag",
        _ => "unknown",
    }
}

impl<'a> Module<'a> {
    fn types(&mut self, r: wasmparser::TypeSectionReader<'a>) -> Result<()> {
        for (at, bytes, group) in sized(r)? {
            let n = self.add(
                format!("type[{}]", self.types.len()),
                "Type",
                Kind::Rodata,
                at,
                bytes,
            );
            self.types.extend(group.types().map(|_| n));
        }
        Ok(())
    }

    fn import_kind(&mut self, node: usize, ty: TypeRef) {
        match ty {
            TypeRef::Func(_) | TypeRef::FuncExact(_) => {
                self.funcs.push(node);
                self.imported_funcs += 1;
            }
            TypeRef::Table(_) => self.tables.push(node),
            TypeRef::Memory(_) => self.memories.push(node),
            TypeRef::Global(_) => self.globals.push(node),
            TypeRef::Tag(_) => {}
        }
    }

    fn imports(&mut self, r: wasmparser::ImportSectionReader<'a>) -> Result<()> {
        for (at, bytes, group) in sized(r)? {
            match group {
                Imports::Single(_, i) => {
                    let name = format!("import {}::{}", i.module, i.name);
                    let n = self.add(name, "Import", Kind::Rodata, at, bytes);
                    self.import_kind(n, i.ty);
                }
                Imports::Compact1 { module, items } => {
                    let name = format!("import {module}::{{{} items}}", items.count());
                    let n = self.add(name, "Import", Kind::Rodata, at, bytes);
                    for item in items {
                        self.import_kind(n, item?.ty);
                    }
                }
                Imports::Compact2 { module, ty, names } => {
                    let name = format!("import {module}::{{{} items}}", names.count());
                    let n = self.add(name, "Import", Kind::Rodata, at, bytes);
                    for _ in 0..names.count() {
                        self.import_kind(n, ty);
                    }
                }
            }
        }
        Ok(())
    }

    /// Defined functions get their nodes here (the type index's bytes);
    /// the code section adds each body.
    fn functions(&mut self, r: wasmparser::FunctionSectionReader<'a>, full: u64) -> Result<()> {
        self.function_section = full;
        for (at, bytes, ty) in sized(r)? {
            let index = self.funcs.len() as u32;
            let raw = self.function_names.get(&index).copied();
            let n = self.add(
                raw.map(display_name)
                    .unwrap_or_else(|| format!("func[{index}]")),
                "Code",
                Kind::Text,
                at,
                bytes,
            );
            if let Some(raw) = raw {
                self.nodes[n].mangled = raw.to_string();
            }
            self.funcs.push(n);
            self.refer(n, To::Type(ty), at, Ref::Type);
        }
        Ok(())
    }

    fn entries<T: FromReader<'a>>(
        &mut self,
        r: SectionLimited<'a, T>,
        word: &str,
        section: &str,
    ) -> Result<Vec<(usize, T)>> {
        let mut out = Vec::new();
        for (i, (at, bytes, item)) in sized(r)?.into_iter().enumerate() {
            let n = self.add(format!("{word}[{i}]"), section, Kind::Rodata, at, bytes);
            out.push((n, item));
        }
        Ok(out)
    }

    fn exports(&mut self, r: wasmparser::ExportSectionReader<'a>) -> Result<()> {
        for (at, bytes, e) in sized(r)? {
            let n = self.add(
                format!("export \"{}\"", e.name),
                "Export",
                Kind::Rodata,
                at,
                bytes,
            );
            self.root(n, RootWhy::Exported);
            let to = match e.kind {
                ExternalKind::Func | ExternalKind::FuncExact => To::Func(e.index),
                ExternalKind::Table => To::Table(e.index),
                ExternalKind::Memory => To::Memory(e.index),
                ExternalKind::Global => To::Global(e.index),
                ExternalKind::Tag => continue,
            };
            self.refer(n, to, at, Ref::Export);
        }
        Ok(())
    }

    fn elements(&mut self, r: wasmparser::ElementSectionReader<'a>) -> Result<()> {
        for (n, e) in self.entries(r, "elem", "Elem")? {
            let at = self.nodes[n].address;
            if let ElementKind::Active { table_index, .. } = e.kind {
                // Turned round when resolved: the table refers to the segment.
                self.refer(n, To::Table(table_index.unwrap_or(0)), at, Ref::Table);
            }
            match e.items {
                ElementItems::Functions(fs) => {
                    for f in fs.into_iter_with_offsets() {
                        let (place, f) = f?;
                        self.refer(n, To::Func(f), place, Ref::Element);
                    }
                }
                ElementItems::Expressions(_, exprs) => {
                    for expr in exprs {
                        for op in expr?.get_operators_reader().into_iter_with_offsets() {
                            if let (wasmparser::Operator::RefFunc { function_index }, place) = op? {
                                self.refer(n, To::Func(function_index), place, Ref::Element);
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn data_segments(&mut self, r: wasmparser::DataSectionReader<'a>) -> Result<()> {
        for (i, (at, bytes, d)) in sized(r)?.into_iter().enumerate() {
            let name = match self.data_names.get(&(i as u32)) {
                Some(s) => format!("data segment \"{s}\""),
                None => format!("data[{i}]"),
            };
            let n = self.add(name, "Data", Kind::Data, at, bytes);
            if let DataKind::Active { offset_expr, .. } = d.kind {
                let first = offset_expr.get_operators_reader().read()?;
                let start = match first {
                    wasmparser::Operator::I32Const { value } => Some(i64::from(value)),
                    wasmparser::Operator::I64Const { value } => Some(value),
                    _ => None,
                };
                if let Some(s) = start.and_then(|s| u64::try_from(s).ok()) {
                    self.segments.push((s, s + d.data.len() as u64, n));
                }
            }
        }
        Ok(())
    }
}

/// Section ids and what each holds: the payloads are read in order.
pub(super) fn read_sections<'a>(m: &mut Module<'a>, data: &'a [u8]) -> Result<()> {
    let mut prev_end = 8u64;
    let magic = m.add("wasm magic bytes".into(), "headers", Kind::Rodata, 0, 8);
    m.root(magic, RootWhy::Module);
    for payload in Parser::new(0).parse_all(data) {
        let payload = payload?;
        let Some((id, range)) = payload.as_section() else {
            if let Payload::CodeSectionEntry(body) = payload {
                code::body(m, body)?;
            }
            continue;
        };
        let full = range.end - prev_end;
        let start = prev_end;
        prev_end = range.end;
        let first = m.nodes.len();
        match payload {
            Payload::TypeSection(r) => m.types(r)?,
            Payload::ImportSection(r) => m.imports(r)?,
            Payload::FunctionSection(r) => {
                m.functions(r, full)?;
                continue;
            }
            Payload::TableSection(r) => {
                for (n, _) in m.entries(r, "table", "Table")? {
                    m.tables.push(n);
                    m.root(n, RootWhy::Module);
                }
            }
            Payload::MemorySection(r) => {
                for (n, _) in m.entries(r, "memory", "Memory")? {
                    m.memories.push(n);
                }
            }
            Payload::GlobalSection(r) => {
                for (n, _) in m.entries(r, "global", "Global")? {
                    m.globals.push(n);
                }
            }
            Payload::ExportSection(r) => m.exports(r)?,
            Payload::ElementSection(r) => m.elements(r)?,
            Payload::DataSection(r) => m.data_segments(r)?,
            Payload::StartSection { func, range } => {
                let n = m.add(
                    "start section headers".into(),
                    "headers",
                    Kind::Rodata,
                    start,
                    full,
                );
                m.root(n, RootWhy::Module);
                m.refer(n, To::Func(func), range.start, Ref::Start);
                continue;
            }
            Payload::CodeSectionStart {
                unchecked_range: range,
                ..
            } => {
                code::section(m, data, start, range, full)?;
                continue;
            }
            Payload::CustomSection(c) => {
                code::custom(m, data, &c)?;
                let name = format!("custom section '{}' headers", c.name());
                m.headers(name, start, full, first);
                continue;
            }
            _ => {}
        }
        m.headers(
            format!("{} section headers", section_word(id)),
            start,
            full,
            first,
        );
    }
    Ok(())
}
