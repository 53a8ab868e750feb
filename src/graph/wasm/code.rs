//! Function bodies (each with its size prefix, as twiggy counts them) and
//! what their instructions refer to; `name` subsections and custom
//! sections; the whole graph put together.

use wasmparser::{FunctionBody, Operator};

use super::module::{reader_at, Module, Result, To};
use super::refs::Ref;
use crate::attribute::Kind;
use crate::graph::types::RootWhy;

/// Where the code section starts, its bytes, and where its first body's
/// size prefix is (after the count).
pub(super) fn section(
    m: &mut Module<'_>,
    data: &[u8],
    start: u64,
    range: std::ops::Range<u64>,
    full: u64,
) -> Result<()> {
    let mut r = reader_at(data, range.start, range.end);
    r.read_var_u32()?;
    m.code = Some((start, full, r.original_position()));
    Ok(())
}

/// A body: its bytes (with the size prefix) go to its function's node,
/// whose address becomes the body's (as `top` gives it).
pub(super) fn body<'a>(m: &mut Module<'a>, body: FunctionBody<'a>) -> Result<()> {
    let Some((_, _, next)) = m.code.as_mut() else {
        return Ok(());
    };
    let range = body.range();
    let with_prefix = range.end - *next;
    *next = range.end;
    let Some(&n) = m.funcs.get(m.imported_funcs + m.bodies.len()) else {
        return Ok(());
    };
    m.nodes[n].bytes += with_prefix;
    m.nodes[n].address = range.start;
    m.bodies.push((n, body));
    Ok(())
}

/// The code section's bytes (with the function section's) that no
/// function holds.
pub(super) fn code_headers(m: &mut Module<'_>) {
    let Some((start, full, _)) = m.code else {
        return;
    };
    let defined: u64 = m.funcs[m.imported_funcs..]
        .iter()
        .map(|&n| m.nodes[n].bytes)
        .sum();
    let bytes = (full + m.function_section).saturating_sub(defined);
    let n = m.add(
        "code section headers".into(),
        "headers",
        Kind::Rodata,
        start,
        bytes,
    );
    m.root(n, RootWhy::Module);
}

/// A custom section's items: `name` subsections (roots, as twiggy has
/// them), else the section's contents.
pub(super) fn custom(
    m: &mut Module<'_>,
    data: &[u8],
    c: &wasmparser::CustomSectionReader<'_>,
) -> Result<()> {
    let at = c.data_offset();
    if c.name() != "name" {
        let name = format!("custom section '{}'", c.name());
        m.add(name, "Custom", Kind::Rodata, at, c.data().len() as u64);
        return Ok(());
    }
    let mut r = reader_at(data, at, c.range().end);
    while !r.eof() {
        let start = r.original_position();
        let id = r.read_u8()?;
        let size = r.read_var_u32()?;
        r.read_bytes(size as usize)?;
        let what = match id {
            0 => "module name",
            1 => "function names",
            2 => "local names",
            3 => "label names",
            4 => "type names",
            5 => "table names",
            6 => "memory names",
            7 => "global names",
            8 => "element names",
            9 => "data names",
            10 => "field names",
            11 => "tag names",
            _ => "unknown name",
        };
        let bytes = r.original_position() - start;
        let n = m.add(
            format!("\"{what}\" subsection"),
            "Custom",
            Kind::Rodata,
            start,
            bytes,
        );
        m.root(n, RootWhy::Module);
    }
    Ok(())
}

/// The memory address a load reads when the instruction before it pushed
/// a constant.
fn load_offset(op: &Operator<'_>) -> Option<u64> {
    use Operator::*;
    match op {
        I32Load { memarg }
        | I32Load8S { memarg }
        | I32Load8U { memarg }
        | I32Load16S { memarg }
        | I32Load16U { memarg }
        | I64Load { memarg }
        | I64Load8S { memarg }
        | I64Load8U { memarg }
        | I64Load16S { memarg }
        | I64Load16U { memarg }
        | I64Load32S { memarg }
        | I64Load32U { memarg }
        | F32Load { memarg }
        | F64Load { memarg } => Some(memarg.offset),
        _ => None,
    }
}

/// What one body refers to: calls, `ref.func`, globals, and data read at
/// a constant address. `call_indirect` names no callee: the table does.
pub(super) fn references(m: &mut Module<'_>, n: usize, body: &FunctionBody<'_>) -> Result<()> {
    let mut constant: Option<i32> = None;
    for op in body.get_operators_reader()?.into_iter_with_offsets() {
        let (op, place) = op?;
        let mut refer = |to, how| m.refer(n, to, place, how);
        match &op {
            Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                refer(To::Func(*function_index), Ref::Call)
            }
            Operator::RefFunc { function_index } => refer(To::Func(*function_index), Ref::RefFunc),
            Operator::GlobalGet { global_index } => {
                refer(To::Global(*global_index), Ref::GlobalGet)
            }
            Operator::GlobalSet { global_index } => {
                refer(To::Global(*global_index), Ref::GlobalSet)
            }
            _ => {}
        }
        if let (Some(offset), Some(c)) = (load_offset(&op), constant) {
            let address = u64::from(c as u32) + offset;
            m.refer(n, To::Data(address), place, Ref::Load);
        }
        constant = match op {
            Operator::I32Const { value } => Some(value),
            _ => None,
        };
    }
    Ok(())
}
