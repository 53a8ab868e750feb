//! A static bound on the stack of a Cortex-M image: every function's frame
//! and call sites from its Thumb code (decoded with yaxpeax-arm), the call
//! graph from `bl` and tail-call branches, and the deepest path from the
//! reset handler plus the deepest interrupt handler with the frame the core
//! stacks on entry. Where the code makes the depth unknowable (an indirect
//! call, recursion, a stack adjusted by a register) the bound is reported
//! as a lower bound with the reason, never as a wrong number.

use std::collections::{BTreeMap, HashMap};

use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};
use yaxpeax_arch::{Decoder, LengthedInstruction, U8Reader};
use yaxpeax_arm::armv7::{InstDecoder, Opcode};

use super::thumb::{clobber, effect, it_length, literal, vfp_push_pop, Effect, Known};
use super::types::StaticStack;

/// One function's stack use, from its code.
#[derive(Debug, Default, Clone)]
struct Frame {
    /// Deepest point of its own frame (bytes below its entry SP).
    depth: u64,
    /// Calls and tail calls: (target, depth at the call).
    calls: Vec<(u64, u64)>,
    /// Why its depth cannot be bounded, if so.
    unbounded: Option<String>,
}

/// Data inside code: the `$d` … `$t` spans of the ARM mapping symbols
/// (literal pools, jump tables), as (start, end).
fn data_spans(file: &object::File<'_>) -> Vec<(u64, u64)> {
    let mut marks: Vec<(u64, bool)> = file
        .symbols()
        .filter_map(|s| {
            let name = s.name().ok()?;
            let data = name == "$d" || name.starts_with("$d.");
            let code = name == "$t" || name.starts_with("$t.") || name == "$a";
            (data || code).then(|| (s.address(), data))
        })
        .collect();
    marks.sort_unstable();
    marks
        .iter()
        .enumerate()
        .filter(|(_, m)| m.1)
        .map(|(i, m)| {
            let end = marks[i + 1..]
                .iter()
                .find(|n| !n.1)
                .map_or(u64::MAX, |n| n.0);
            (m.0, end)
        })
        .collect()
}

/// Where the data span holding `at` ends, if `at` is data.
fn data_end(spans: &[(u64, u64)], at: u64) -> Option<u64> {
    let i = spans.partition_point(|s| s.0 <= at);
    let (start, end) = *spans.get(i.checked_sub(1)?)?;
    (start <= at && at < end).then_some(end)
}

/// Decode one function and collect its frame and calls; `word` reads the
/// image (literal pools), `spans` say where data sits inside code.
fn analyze(
    code: &[u8],
    start: u64,
    word: &dyn Fn(u64) -> Option<u32>,
    spans: &[(u64, u64)],
) -> Frame {
    let decoder = InstDecoder::default_thumb();
    let mut f = Frame::default();
    let (mut depth, mut deepest, mut offset, mut in_it) = (0i64, 0i64, 0usize, 0usize);
    let mut known: Known = [None; 16];
    let end = start + code.len() as u64;
    while offset + 2 <= code.len() {
        let at = start + offset as u64;
        if let Some(end) = data_end(spans, at) {
            offset = (end.saturating_sub(start) as usize).max(offset + 2);
            continue;
        }
        let rest = &code[offset..];
        let conditional = in_it > 0;
        in_it = in_it.saturating_sub(1);
        if let Some(d) = vfp_push_pop(rest) {
            if d > 0 || !conditional {
                depth += d;
            }
            offset += 4;
            deepest = deepest.max(depth);
            continue;
        }
        let mut reader = U8Reader::new(rest);
        let Ok(inst) = decoder.decode(&mut reader) else {
            offset += 2;
            continue;
        };
        let len = inst.len().to_const() as usize;
        if inst.opcode == Opcode::IT {
            in_it = it_length(&inst);
        }
        let effect = effect(at, &inst, &known);
        clobber(&inst, &mut known);
        if let Some((r, v)) = literal(at, &inst, word).filter(|_| !conditional) {
            known[r as usize] = Some(v);
        }
        match effect {
            // Inside an IT block a pop may not happen: keep the depth.
            Effect::Depth(d) if d > 0 || !conditional => depth = (depth + d).max(0),
            Effect::Depth(_) | Effect::None => {}
            Effect::Call(t) => f.calls.push((t & !1, depth as u64)),
            Effect::TailOrJump(t) if t < start || t >= end => f.calls.push((t & !1, depth as u64)),
            Effect::TailOrJump(_) => {}
            // What follows a return is reached from the body: assume the
            // deepest depth seen (an upper bound).
            Effect::Return if !conditional => depth = deepest,
            Effect::Return => {}
            Effect::Unbounded(why) => {
                f.unbounded.get_or_insert_with(|| why.to_string());
            }
        }
        deepest = deepest.max(depth);
        offset += len.max(2);
    }
    f.depth = deepest as u64;
    f
}

/// Functions of the image: start (Thumb bit cleared) → (name, code).
fn functions<'a>(file: &'a object::File<'a>) -> BTreeMap<u64, (String, &'a [u8])> {
    let mut out = BTreeMap::new();
    for sym in file.symbols() {
        if sym.kind() != SymbolKind::Text || sym.size() == 0 {
            continue;
        }
        let start = sym.address() & !1;
        let Some(section) = sym
            .section_index()
            .and_then(|i| file.section_by_index(i).ok())
        else {
            continue;
        };
        let Ok(data) = section.data() else { continue };
        let from = start.saturating_sub(section.address()) as usize;
        let Some(code) = data.get(from..from.saturating_add(sym.size() as usize)) else {
            continue;
        };
        let name = sym
            .name()
            .map(crate::attribute::display_name)
            .unwrap_or_default();
        out.entry(start).or_insert((name, code));
    }
    out
}

/// The deepest path from a function: bytes, or why it has no bound (with
/// the depth found so far, a lower bound).
#[derive(Debug, Clone)]
enum Depth {
    Bounded(u64),
    Unbounded { at_least: u64, why: String },
}

impl Depth {
    fn bytes(&self) -> u64 {
        match self {
            Depth::Bounded(b) | Depth::Unbounded { at_least: b, .. } => *b,
        }
    }

    /// This depth below `extra` bytes more: unbounded stays unbounded.
    fn plus(self, extra: Depth) -> Depth {
        let total = self.bytes() + extra.bytes();
        match (self, extra) {
            (Depth::Bounded(_), Depth::Bounded(_)) => Depth::Bounded(total),
            (Depth::Unbounded { why, .. }, _) | (_, Depth::Unbounded { why, .. }) => {
                Depth::Unbounded {
                    at_least: total,
                    why,
                }
            }
        }
    }
}

struct Walk<'a> {
    frames: &'a HashMap<u64, Frame>,
    names: &'a BTreeMap<u64, (String, &'a [u8])>,
    memo: HashMap<u64, Depth>,
    on_path: Vec<u64>,
}

impl Walk<'_> {
    fn name(&self, at: u64) -> String {
        self.names
            .get(&at)
            .map_or_else(|| format!("{at:#x}"), |(n, _)| n.clone())
    }

    fn worst(&mut self, at: u64) -> Depth {
        let unbounded = |why: String| Depth::Unbounded { at_least: 0, why };
        if let Some(r) = self.memo.get(&at) {
            return r.clone();
        }
        if self.on_path.contains(&at) {
            return unbounded(format!("recursion through {}", self.name(at)));
        }
        let Some(frame) = self.frames.get(&at) else {
            return unbounded(format!("a call to code without a symbol at {at:#x}"));
        };
        self.on_path.push(at);
        let mut best = frame.depth;
        let mut why = frame
            .unbounded
            .as_ref()
            .map(|w| format!("{w} in {}", self.name(at)));
        for (target, depth) in frame.calls.clone() {
            let callee = self.worst(target);
            best = best.max(depth + callee.bytes());
            if let Depth::Unbounded { why: w, .. } = callee {
                why.get_or_insert(w);
            }
        }
        self.on_path.pop();
        let r = match why {
            None => Depth::Bounded(best),
            Some(why) => Depth::Unbounded {
                at_least: best,
                why,
            },
        };
        self.memo.insert(at, r.clone());
        r
    }
}

/// Reset and the exception handlers, from the vector table.
fn vectors(file: &object::File<'_>) -> Vec<u64> {
    let Some(table) = file.section_by_name(".vector_table") else {
        return Vec::new();
    };
    let data = table.data().unwrap_or_default();
    let mut out: Vec<u64> = Vec::new();
    for w in data.chunks_exact(4).skip(1) {
        let v = u64::from(u32::from_le_bytes([w[0], w[1], w[2], w[3]])) & !1;
        if v != 0 && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// The static bound of a Cortex-M image.
pub fn static_stack(elf: &[u8]) -> StaticStack {
    let none = |note: &str| StaticStack {
        bytes: None,
        note: note.to_string(),
    };
    let Ok(file) = object::File::parse(elf) else {
        return none("not an ELF file");
    };
    if file.architecture() != object::Architecture::Arm {
        return none("computed for Arm (Cortex-M) images only");
    }
    let names = functions(&file);
    if names.is_empty() {
        return none("not computed: the binary has no symbol table (stripped)");
    }
    let roots = vectors(&file);
    let Some(&reset) = roots.first() else {
        return none("not computed: no vector table");
    };
    let word = |addr: u64| -> Option<u32> {
        let s = file
            .sections()
            .find(|s| s.address() <= addr && addr + 4 <= s.address() + s.size())?;
        let data = s.data().ok()?;
        let at = (addr - s.address()) as usize;
        Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
    };
    let spans = data_spans(&file);
    let frames: HashMap<u64, Frame> = names
        .iter()
        .map(|(at, (_, code))| (*at, analyze(code, *at, &word, &spans)))
        .collect();
    let mut walk = Walk {
        frames: &frames,
        names: &names,
        memo: HashMap::new(),
        on_path: Vec::new(),
    };
    // The core stacks 8 words on exception entry, 26 with the FPU context.
    let hard_float = match file.flags() {
        object::FileFlags::Elf { e_flags, .. } => e_flags & object::elf::EF_ARM_ABI_FLOAT_HARD != 0,
        _ => false,
    };
    let entry_frame = if hard_float { 104 } else { 32 };
    let total = walk.worst(reset);
    let deepest_handler = roots[1..]
        .iter()
        .map(|&h| (h, walk.worst(h)))
        .max_by_key(|(_, d)| d.bytes());
    let mut note = format!("from {}", walk.name(reset));
    let total = match deepest_handler {
        Some((h, d)) => {
            note.push_str(&format!(
                " plus the deepest handler, {} ({entry_frame} B stacked on entry; one interrupt at a time)",
                walk.name(h)
            ));
            total.plus(Depth::Bounded(entry_frame)).plus(d)
        }
        None => total,
    };
    match total {
        Depth::Bounded(b) => StaticStack {
            bytes: Some(b),
            note,
        },
        Depth::Unbounded { at_least, why } => StaticStack {
            bytes: None,
            note: format!("≥ {at_least} B, unbounded: {why}"),
        },
    }
}
