//! How a module's items refer to each other: the words a chain says.

use crate::attribute::Kind;

/// What `why` and `--retained` say they read on a module.
pub const NOTE: &str = "references read from the module itself as twiggy reads them (calls, exports, the table's elements, globals, loads from constant addresses); retained sizes count a function with its size prefix and type index, and every byte of the module is some item's";

/// `RefGraph::machine` of a module's graph (no ELF machine has it): its
/// edges' types are the `Ref` codes below.
pub const MACHINE: u16 = 0x5741;

/// How a module refers (an edge's `r_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Ref {
    Call = 1,
    GlobalGet = 2,
    GlobalSet = 3,
    /// A load from a constant address inside an active data segment.
    Load = 4,
    RefFunc = 5,
    Export = 6,
    /// A table's active element segment.
    Table = 7,
    /// An element segment's function (called through the table).
    Element = 8,
    Type = 9,
    Start = 10,
}

const REFS: [Ref; 10] = [
    Ref::Call,
    Ref::GlobalGet,
    Ref::GlobalSet,
    Ref::Load,
    Ref::RefFunc,
    Ref::Export,
    Ref::Table,
    Ref::Element,
    Ref::Type,
    Ref::Start,
];

impl Ref {
    pub fn from_code(code: u32) -> Option<Ref> {
        REFS.into_iter().find(|r| *r as u32 == code)
    }

    /// What a chain step says.
    pub fn word(self) -> &'static str {
        match self {
            Ref::Call => "call",
            Ref::GlobalGet => "global.get",
            Ref::GlobalSet => "global.set",
            Ref::Load => "load from a constant address",
            Ref::RefFunc => "ref.func",
            Ref::Export => "export",
            Ref::Table => "active element segment of the table",
            Ref::Element => "table element (call_indirect)",
            Ref::Type => "function type",
            Ref::Start => "start function",
        }
    }
}

/// How a chain step refers, in the words ELF chains use.
pub fn via(code: u32, from: Kind, to: Kind) -> crate::graph::types::StepVia {
    use crate::graph::types::StepVia;
    match Ref::from_code(code) {
        Some(Ref::Call) => StepVia::Call,
        Some(Ref::Element) => StepVia::FunctionPointer,
        Some(Ref::Export | Ref::Table | Ref::Start) => StepVia::Data,
        _ if from == Kind::Text => StepVia::Address,
        _ if to == Kind::Text => StepVia::FunctionPointer,
        _ => StepVia::Data,
    }
}
