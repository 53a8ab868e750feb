//! Why a symbol is in the binary: the shortest chains of references from a
//! root to it, one per symbol that refers to it (who calls this?), the
//! shortest first.

use std::collections::VecDeque;

use object::elf;
use serde::Serialize;

pub use super::types::StepVia;
use super::types::{RefGraph, RootWhy};
use super::wasm::refs as wasm;
use crate::attribute::Kind;

/// One symbol of a chain and how the one before it refers to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Step {
    pub name: String,
    pub crate_name: String,
    pub section: String,
    pub address: u64,
    pub size_bytes: u64,
    /// `None` for the root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<StepVia>,
    /// The relocation the link kept for that reference, and where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relocation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<u64>,
}

/// From a root to the symbol asked about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Chain {
    pub root: RootWhy,
    pub steps: Vec<Step>,
}

/// Names of the relocation types a chain shows.
pub fn relocation_name(machine: u16, r_type: u32) -> String {
    if machine == wasm::MACHINE {
        return wasm::Ref::from_code(r_type)
            .map_or_else(|| format!("type {r_type}"), |r| r.word().to_string());
    }
    let name = match (machine, r_type) {
        (elf::EM_ARM, elf::R_ARM_ABS32) => "R_ARM_ABS32",
        (elf::EM_ARM, elf::R_ARM_THM_PC22) => "R_ARM_THM_CALL",
        (elf::EM_ARM, elf::R_ARM_THM_JUMP24) => "R_ARM_THM_JUMP24",
        (elf::EM_ARM, elf::R_ARM_THM_MOVW_ABS_NC) => "R_ARM_THM_MOVW_ABS_NC",
        (elf::EM_ARM, elf::R_ARM_THM_MOVT_ABS) => "R_ARM_THM_MOVT_ABS",
        (elf::EM_ARM, elf::R_ARM_CALL) => "R_ARM_CALL",
        (elf::EM_ARM, elf::R_ARM_JUMP24) => "R_ARM_JUMP24",
        (elf::EM_ARM, elf::R_ARM_PREL31) => "R_ARM_PREL31",
        (elf::EM_ARM, elf::R_ARM_REL32) => "R_ARM_REL32",
        (elf::EM_RISCV, elf::R_RISCV_32) => "R_RISCV_32",
        (elf::EM_RISCV, elf::R_RISCV_64) => "R_RISCV_64",
        (elf::EM_RISCV, elf::R_RISCV_CALL) => "R_RISCV_CALL",
        (elf::EM_RISCV, elf::R_RISCV_CALL_PLT) => "R_RISCV_CALL_PLT",
        (elf::EM_RISCV, elf::R_RISCV_JAL) => "R_RISCV_JAL",
        (elf::EM_RISCV, elf::R_RISCV_BRANCH) => "R_RISCV_BRANCH",
        (elf::EM_RISCV, elf::R_RISCV_HI20) => "R_RISCV_HI20",
        (elf::EM_RISCV, elf::R_RISCV_LO12_I) => "R_RISCV_LO12_I",
        (elf::EM_RISCV, elf::R_RISCV_LO12_S) => "R_RISCV_LO12_S",
        (elf::EM_RISCV, elf::R_RISCV_PCREL_HI20) => "R_RISCV_PCREL_HI20",
        (elf::EM_X86_64, elf::R_X86_64_64) => "R_X86_64_64",
        (elf::EM_X86_64, elf::R_X86_64_PC32) => "R_X86_64_PC32",
        (elf::EM_X86_64, elf::R_X86_64_PLT32) => "R_X86_64_PLT32",
        (elf::EM_X86_64, elf::R_X86_64_GOTPCREL) => "R_X86_64_GOTPCREL",
        (elf::EM_X86_64, elf::R_X86_64_GOTPCRELX) => "R_X86_64_GOTPCRELX",
        (elf::EM_X86_64, elf::R_X86_64_REX_GOTPCRELX) => "R_X86_64_REX_GOTPCRELX",
        _ => return format!("type {r_type}"),
    };
    name.to_string()
}

fn is_call(machine: u16, r_type: u32) -> bool {
    if machine == wasm::MACHINE {
        return r_type == wasm::Ref::Call as u32;
    }
    matches!(
        (machine, r_type),
        (
            elf::EM_ARM,
            elf::R_ARM_THM_PC22 | elf::R_ARM_THM_JUMP24 | elf::R_ARM_CALL | elf::R_ARM_JUMP24
        ) | (
            elf::EM_RISCV,
            elf::R_RISCV_CALL | elf::R_RISCV_CALL_PLT | elf::R_RISCV_JAL
        ) | (elf::EM_X86_64, elf::R_X86_64_PLT32)
    )
}

impl RefGraph {
    /// How edge `e` refers.
    fn via(&self, e: usize) -> StepVia {
        let edge = &self.edges[e];
        let (from, to) = (&self.nodes[edge.from], &self.nodes[edge.to]);
        if self.machine == wasm::MACHINE {
            return wasm::via(edge.r_type, from.kind, to.kind);
        }
        match (from.kind == Kind::Text, to.kind == Kind::Text) {
            (true, _) if is_call(self.machine, edge.r_type) => StepVia::Call,
            (true, _) => StepVia::Address,
            (false, true) => StepVia::FunctionPointer,
            (false, false) => StepVia::Data,
        }
    }

    fn step(&self, node: usize, by: Option<usize>) -> Step {
        let n = &self.nodes[node];
        Step {
            name: n.name.clone(),
            crate_name: n.crate_name.clone(),
            section: n.section.clone(),
            address: n.address,
            size_bytes: n.bytes,
            via: by.map(|e| self.via(e)),
            relocation: by.map(|e| relocation_name(self.machine, self.edges[e].r_type)),
            place: by.map(|e| self.edges[e].place),
        }
    }

    /// The shortest way from a root to every node: the edge it is reached
    /// by (`None` for roots and what nothing reaches).
    fn parents(&self) -> Vec<Option<usize>> {
        let mut parent = vec![None; self.nodes.len()];
        let mut seen = vec![false; self.nodes.len()];
        let mut queue = VecDeque::new();
        for &(r, _) in &self.roots {
            seen[r] = true;
            queue.push_back(r);
        }
        while let Some(n) = queue.pop_front() {
            for &e in &self.out[n] {
                let to = self.edges[e].to;
                if !std::mem::replace(&mut seen[to], true) {
                    parent[to] = Some(e);
                    queue.push_back(to);
                }
            }
        }
        parent
    }

    /// Each node's number of steps from the nearest root (`None`: none
    /// reaches it).
    pub fn distances(&self) -> Vec<Option<usize>> {
        let mut dist = vec![None; self.nodes.len()];
        let mut queue = VecDeque::new();
        for &(r, _) in &self.roots {
            if dist[r].is_none() {
                dist[r] = Some(0);
                queue.push_back(r);
            }
        }
        while let Some(n) = queue.pop_front() {
            let d = dist[n].unwrap_or(0) + 1;
            for &e in &self.out[n] {
                let to = self.edges[e].to;
                if dist[to].is_none() {
                    dist[to] = Some(d);
                    queue.push_back(to);
                }
            }
        }
        dist
    }

    /// The chain ending at `node` through its shortest way.
    fn chain_to(&self, node: usize, parent: &[Option<usize>]) -> Option<Chain> {
        let mut rev = vec![(node, parent[node])];
        let mut at = node;
        while let Some(e) = parent[at] {
            at = self.edges[e].from;
            rev.push((at, parent[at]));
            if rev.len() > self.nodes.len() {
                return None;
            }
        }
        let root = self.roots.iter().find(|r| r.0 == at)?.1;
        let steps = rev.iter().rev().map(|&(n, by)| self.step(n, by)).collect();
        Some(Chain { root, steps })
    }
}

/// The names along each node's shortest chain from a root (`A → B → C`).
pub fn chain_names(g: &RefGraph, nodes: &[usize]) -> Vec<String> {
    let parent = g.parents();
    nodes
        .iter()
        .map(|&n| {
            g.chain_to(n, &parent)
                .map(|c| {
                    let names: Vec<&str> = c.steps.iter().map(|s| s.name.as_str()).collect();
                    names.join(" → ")
                })
                .unwrap_or_default()
        })
        .collect()
}

/// Up to `n` chains from a root to `target`: its shortest, then the
/// shortest through each other symbol that refers to it.
pub fn chains(g: &RefGraph, target: usize, n: usize) -> Vec<Chain> {
    let parent = g.parents();
    let mut out: Vec<Chain> = g.chain_to(target, &parent).into_iter().collect();
    let mut others: Vec<Chain> = g.into[target]
        .iter()
        .filter(|&&e| Some(e) != parent[target])
        .filter_map(|&e| {
            let mut c = g.chain_to(g.edges[e].from, &parent)?;
            // Not through the target itself (a cycle back to it).
            if c.steps
                .iter()
                .any(|s| s.address == g.nodes[target].address && s.name == g.nodes[target].name)
            {
                return None;
            }
            c.steps.push(g.step(target, Some(e)));
            Some(c)
        })
        .collect();
    others.sort_by_key(|c| c.steps.len());
    out.extend(others);
    out.truncate(n.max(1));
    out
}
