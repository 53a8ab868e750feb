//! What a Thumb instruction does to a function's frame: pushes and pops,
//! stack adjustments, calls (direct, or through a register loaded from a
//! literal pool), tail calls, returns and what cannot be followed.

use yaxpeax_arm::armv7::{Instruction, Opcode, Operand};

const SP: u8 = 13;
const LR: u8 = 14;
const PC: u8 = 15;

pub fn reg(op: &Operand) -> Option<u8> {
    match op {
        Operand::Reg(r) | Operand::RegWBack(r, _) => Some(r.number()),
        _ => None,
    }
}

fn imm(op: &Operand) -> Option<u64> {
    match op {
        Operand::Imm12(v) => Some(u64::from(*v)),
        Operand::Imm32(v) => Some(u64::from(*v)),
        _ => None,
    }
}

fn reg_list(i: &Instruction) -> Option<u16> {
    i.operands.iter().find_map(|o| match o {
        Operand::RegList(l) => Some(*l),
        _ => None,
    })
}

/// `vpush`/`vpop` (VFP, which the decoder leaves out): bytes pushed
/// (positive) or popped (negative).
pub fn vfp_push_pop(code: &[u8]) -> Option<i64> {
    let first = u16::from_le_bytes([*code.first()?, *code.get(1)?]);
    let second = u16::from_le_bytes([*code.get(2)?, *code.get(3)?]);
    let bytes = i64::from(second & 0xff) * 4;
    let is_vfp = matches!(second & 0x0e00, 0x0a00);
    match first & 0xffbf {
        0xed2d if is_vfp => Some(bytes),
        0xecbd if is_vfp => Some(-bytes),
        _ => None,
    }
}

/// Thumb branch target: the offset counts halfwords from the address of
/// the instruction plus 4.
fn branch_target(at: u64, i: &Instruction) -> Option<u64> {
    i.operands.iter().find_map(|o| match o {
        Operand::BranchThumbOffset(off) => Some((at as i64 + 4 + i64::from(*off) * 2) as u64),
        _ => None,
    })
}

/// Registers known to hold a constant loaded from a literal pool: how
/// compilers call one function many times (`ldr r8, =f` then `blx r8`).
pub type Known = [Option<u64>; 16];

/// A constant the instruction loads from a literal pool, if it does.
pub fn literal(at: u64, i: &Instruction, word: &dyn Fn(u64) -> Option<u32>) -> Option<(u8, u64)> {
    if i.opcode != Opcode::LDR {
        return None;
    }
    let dest = reg(&i.operands[0])?;
    match &i.operands[1] {
        Operand::RegDerefPreindexOffset(base, off, add, false) if base.number() == PC => {
            let pc = (at + 4) & !3;
            let addr = if *add {
                pc + u64::from(*off)
            } else {
                pc.checked_sub(u64::from(*off))?
            };
            Some((dest, u64::from(word(addr)?)))
        }
        _ => None,
    }
}

/// Forget registers the instruction may write (its first operand, a loaded
/// list, the caller-saved ones across a call).
pub fn clobber(i: &Instruction, known: &mut Known) {
    match i.opcode {
        Opcode::BL | Opcode::BLX => {
            for r in [0, 1, 2, 3, 12, 14] {
                known[r] = None;
            }
        }
        Opcode::POP | Opcode::LDM(..) => {
            let list = reg_list(i).unwrap_or(0);
            for (r, k) in known.iter_mut().enumerate() {
                if list & (1 << r) != 0 {
                    *k = None;
                }
            }
        }
        Opcode::STR
        | Opcode::STRB
        | Opcode::STRH
        | Opcode::STRD
        | Opcode::STM(..)
        | Opcode::PUSH
        | Opcode::CMP
        | Opcode::CMN
        | Opcode::TST
        | Opcode::TEQ
        | Opcode::B
        | Opcode::BX
        | Opcode::IT => {}
        _ => {
            if let Some(r) = reg(&i.operands[0]) {
                known[r as usize] = None;
            }
            if i.opcode == Opcode::LDRD {
                if let Some(r) = reg(&i.operands[1]) {
                    known[r as usize] = None;
                }
            }
        }
    }
}

/// What one instruction does to the frame.
pub enum Effect {
    Depth(i64),
    Call(u64),
    TailOrJump(u64),
    Return,
    Unbounded(&'static str),
    None,
}

pub fn effect(at: u64, i: &Instruction, known: &Known) -> Effect {
    let ops = &i.operands;
    match i.opcode {
        Opcode::PUSH => Effect::Depth(4 * i64::from(reg_list(i).unwrap_or(0).count_ones())),
        Opcode::POP => {
            let list = reg_list(i).unwrap_or(0);
            if list & (1 << PC) != 0 {
                Effect::Return
            } else {
                Effect::Depth(-4 * i64::from(list.count_ones()))
            }
        }
        Opcode::STM(_, _, true, _) if reg(&ops[0]) == Some(SP) => {
            Effect::Depth(4 * i64::from(reg_list(i).unwrap_or(0).count_ones()))
        }
        Opcode::LDM(_, _, true, _) if reg(&ops[0]) == Some(SP) => {
            let list = reg_list(i).unwrap_or(0);
            if list & (1 << PC) != 0 {
                Effect::Return
            } else {
                Effect::Depth(-4 * i64::from(list.count_ones()))
            }
        }
        Opcode::SUB | Opcode::ADD if reg(&ops[0]) == Some(SP) && reg(&ops[1]) == Some(SP) => {
            let sign = if i.opcode == Opcode::SUB { 1 } else { -1 };
            match imm(&ops[2]) {
                Some(v) => Effect::Depth(sign * v as i64),
                None if sign > 0 => Effect::Unbounded("the stack pointer moved by a register"),
                None => Effect::None,
            }
        }
        Opcode::BL => branch_target(at, i).map_or(Effect::None, Effect::Call),
        Opcode::BLX => match reg(&ops[0]).and_then(|r| known[r as usize]) {
            Some(f) if f & 1 == 1 => Effect::Call(f & !1),
            _ => Effect::Unbounded("an indirect call"),
        },
        Opcode::B => branch_target(at, i).map_or(Effect::None, Effect::TailOrJump),
        Opcode::BX => match reg(&ops[0]) {
            Some(LR) => Effect::Return,
            Some(r) => match known[r as usize] {
                Some(f) if f & 1 == 1 => Effect::TailOrJump(f & !1),
                _ => Effect::Unbounded("an indirect jump"),
            },
            None => Effect::Unbounded("an indirect jump"),
        },
        Opcode::LDR if reg(&ops[0]) == Some(PC) => match &ops[1] {
            Operand::RegDerefPostindexOffset(r, _, _, _) if r.number() == SP => Effect::Return,
            _ => Effect::Unbounded("an indirect jump"),
        },
        Opcode::MOV if reg(&ops[0]) == Some(PC) => Effect::Unbounded("an indirect jump"),
        _ => Effect::None,
    }
}

/// Instructions an `IT` makes conditional.
pub fn it_length(i: &Instruction) -> usize {
    match i.operands[1] {
        Operand::Imm32(mask) if mask & 0xf != 0 => 4 - (mask & 0xf).trailing_zeros() as usize,
        _ => 0,
    }
}
