//! The graph's data: nodes (functions, objects, sections), the references
//! between them, and its roots.

use crate::attribute::Kind;

/// A function, object or section of the binary.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Node {
    /// Demangled, without the hash.
    pub name: String,
    pub mangled: String,
    pub crate_name: String,
    pub section: String,
    pub kind: Kind,
    pub address: u64,
    #[serde(rename = "size_bytes")]
    pub bytes: u64,
}

/// Why a node is a root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RootWhy {
    /// The ELF entry point.
    Entry,
    /// Nothing refers to it: the linker kept it for its script (`KEEP`,
    /// `EXTERN`), its exports or its own tables.
    Unreferenced,
    /// Only references the relocations do not show reach it (a cycle the
    /// linker kept as a whole).
    KeptByLinker,
    /// Exported by a WebAssembly module: the host calls or reads it.
    Exported,
    /// Part of a WebAssembly module the host reads itself: a table (what
    /// `call_indirect` may call), a section's headers, a `name` subsection.
    Module,
}

/// One reference between two nodes (the first place it was found).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub place: u64,
    pub r_type: u32,
}

pub struct RefGraph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Edge indices leaving each node.
    pub out: Vec<Vec<usize>>,
    /// Edge indices entering each node.
    pub into: Vec<Vec<usize>>,
    pub roots: Vec<(usize, RootWhy)>,
    /// The ELF machine, for naming relocation types.
    pub machine: u16,
}

impl RefGraph {
    /// The graph of `nodes` and `edges`, its adjacency made; no roots yet.
    pub fn new(nodes: Vec<Node>, edges: Vec<Edge>, machine: u16) -> RefGraph {
        let mut g = RefGraph {
            out: vec![Vec::new(); nodes.len()],
            into: vec![Vec::new(); nodes.len()],
            nodes,
            edges,
            roots: Vec::new(),
            machine,
        };
        for (i, e) in g.edges.iter().enumerate() {
            g.out[e.from].push(i);
            g.into[e.to].push(i);
        }
        g
    }

    /// The nodes whose demangled or mangled name matches `pattern` (a glob
    /// with `*` and `?`, else a substring).
    pub fn matching(&self, pattern: &str) -> Vec<usize> {
        let re = glob_regex(pattern);
        (0..self.nodes.len())
            .filter(|&i| {
                let n = &self.nodes[i];
                re.is_match(&n.name) || re.is_match(&n.mangled)
            })
            .collect()
    }

    /// Bytes of every node: the binary's counted bytes.
    pub fn total_bytes(&self) -> u64 {
        self.nodes.iter().map(|n| n.bytes).sum()
    }
}

/// `*`/`?` globs match the whole name; a pattern without them matches
/// anywhere in it.
fn glob_regex(pattern: &str) -> regex_lite::Regex {
    let globbed = pattern.contains(['*', '?']);
    let mut re = String::new();
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex_lite::escape(&c.to_string())),
        }
    }
    let re = if globbed { format!("^{re}$") } else { re };
    regex_lite::Regex::new(&re)
        .unwrap_or_else(|_| regex_lite::Regex::new("$^").expect("a valid regex"))
}

/// How one step refers to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum StepVia {
    /// A call or jump from code.
    Call,
    /// Code takes the address (data it reads, or a function pointer it makes).
    Address,
    /// A data object points at data.
    Data,
    /// A data object (a vtable, a table of handlers) holds a function
    /// pointer: the call happens through it.
    FunctionPointer,
}
