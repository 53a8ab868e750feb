//! What measuring a binary gives: its sizes and sections, and the errors
//! a file that is not a binary gives.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Errors while reading a binary. Each names the file and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    #[error("cannot read `{path}`: {source}\n  hint: check the path; `measure` takes ELF files produced by a linker")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is a directory, not a binary\n  hint: pass the ELF file inside it, e.g. target/<triple>/release/<name>")]
    Directory { path: PathBuf },
    #[error("`{path}` is empty (0 bytes)\n  hint: the build that produced it probably failed; rebuild it")]
    Empty { path: PathBuf },
    #[error("`{path}` is not a binary cargo weigh reads ({what})\n  hint: cargo weigh measures ELF (Linux, embedded targets), Mach-O (macOS) and PE (Windows) executables and WebAssembly modules")]
    NotElf { path: PathBuf, what: String },
    #[error("cannot measure `{path}`: it needs {what}")]
    NeedsTool { path: PathBuf, what: String },
    #[error("`{path}` is a damaged {kind}: {detail}\n  hint: the file is truncated or corrupt; rebuild it")]
    Corrupt {
        path: PathBuf,
        /// `ELF file`, `Mach-O file`, `PE file`, `WebAssembly module`.
        kind: &'static str,
        detail: String,
    },
}

/// Sizes of one binary. All figures are bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Measurement {
    /// Size of the file on disk.
    pub file_bytes: u64,
    /// Size of the file with every non-allocated section and the symbol tables
    /// removed, measured by writing that file.
    pub stripped_bytes: u64,
    /// Bytes stored in non-volatile memory: allocated sections with
    /// contents, wherever they run (the flashed image's payload).
    pub flash_bytes: u64,
    /// Bytes of RAM used statically: writable allocated sections (data +
    /// bss), stack and heap reservations left out; by address when the
    /// memory map is known (code copied to RAM counted too).
    pub ram_bytes: u64,
    /// Length of the raw image `objcopy -O binary` writes (gaps included);
    /// `null` when the stored bytes lie far apart (more than 64 KiB
    /// between them: another bank, an ESP32's segments), where such a file
    /// would only measure the distance between them.
    #[serde(default)]
    pub image_bytes: Option<u64>,
    /// The three figures of `size` (Berkeley format), computed as binutils does.
    pub berkeley: Berkeley,
    /// ELF class/endianness/machine, e.g. `elf32-littlearm`.
    pub format: String,
    /// Whether the file carries DWARF debug info.
    pub has_debug_info: bool,
    /// Bytes of DWARF debug info in the file (`.debug_*` sections).
    #[serde(default)]
    pub debug_info_bytes: u64,
    /// Bytes of the symbol tables (`.symtab` and its string table).
    #[serde(default)]
    pub symbol_table_bytes: u64,
    /// SHA-256 of the loaded bytes with their load addresses (the GNU build
    /// id left out): equal hashes mean two builds load exactly the same bytes.
    pub flash_hash: String,
    /// Flash for growth alerts: the bytes of sized symbols in the stored
    /// sections and of stored sections without symbols, alignment padding
    /// and the build id left out (ELF files with symbols).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalized_bytes: Option<u64>,
    /// Every section with a size, in file order.
    pub sections: Vec<SectionSize>,
    /// For a WebAssembly module: what web developers measure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wasm: Option<WasmSizes>,
}

/// A WebAssembly module's figures. In `Measurement` of a module:
/// `stripped_bytes` is the module without custom sections (as `wasm-strip`
/// writes it), `flash_bytes` the payloads of its other sections, `ram_bytes`
/// its initial linear memory, `symbol_table_bytes` its name section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WasmSizes {
    /// The code section's payload: every function body.
    pub code_bytes: u64,
    /// The data segments' bytes: what is placed in linear memory.
    pub data_bytes: u64,
    /// Custom sections with their headers (names, producers, target
    /// features, DWARF): what `wasm-strip` removes.
    pub custom_bytes: u64,
    /// The `name` section's payload (function and local names).
    pub name_bytes: u64,
    /// Linear memory the module asks for at instantiation.
    pub initial_memory_bytes: u64,
    /// Functions defined in the module.
    pub functions: u64,
    /// The file compressed by `gzip -9 -n`: its transfer size with
    /// `Content-Encoding: gzip`.
    pub gzip_bytes: u64,
    /// The file compressed by `brotli -q 11`: its transfer size with
    /// `Content-Encoding: br`.
    pub brotli_bytes: u64,
    /// wasm-bindgen's JavaScript glue beside a `<name>_bg.wasm`: it ships
    /// with the module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_glue: Option<GlueSizes>,
}

impl WasmSizes {
    /// What a page downloads, brotli-compressed: the module and its glue.
    pub fn shipped_brotli_bytes(&self) -> u64 {
        self.brotli_bytes + self.js_glue.as_ref().map_or(0, |g| g.brotli_bytes)
    }

    /// The same with gzip.
    pub fn shipped_gzip_bytes(&self) -> u64 {
        self.gzip_bytes + self.js_glue.as_ref().map_or(0, |g| g.gzip_bytes)
    }
}

/// The JavaScript glue file of a wasm-bindgen module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GlueSizes {
    pub file: String,
    pub bytes: u64,
    pub gzip_bytes: u64,
    pub brotli_bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Berkeley {
    #[serde(rename = "text_bytes")]
    pub text: u64,
    #[serde(rename = "data_bytes")]
    pub data: u64,
    #[serde(rename = "bss_bytes")]
    pub bss: u64,
}

/// Where a section lives, for the flash/RAM split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum SectionClass {
    /// Read-only allocated contents (code, constants, vector table): flash only.
    Text,
    /// Writable initialised data: in RAM at run time, its image in flash.
    Data,
    /// Zero-initialised or uninitialised memory: RAM only.
    Bss,
    /// Not loaded: debug info, symbol tables, comments.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SectionSize {
    pub name: String,
    pub class: SectionClass,
    #[serde(rename = "size_bytes")]
    pub size: u64,
    /// Run-time (virtual) address.
    pub address: u64,
    /// Load address (where its bytes are stored), from the program headers.
    pub load_address: u64,
    pub flash_bytes: u64,
    pub ram_bytes: u64,
}

impl Measurement {
    /// Mach-O, PE or WebAssembly: a program an operating system or an
    /// engine loads, never firmware.
    pub fn is_hosted_format(&self) -> bool {
        self.format.starts_with("mach-o") || self.format.starts_with("pei-") || self.wasm.is_some()
    }
}

impl SectionSize {
    /// Without contents and not writable: it only reserves addresses (a
    /// placeholder for memory another view of the same SRAM uses, a boot
    /// loader's flash, a stack declared read-only).
    pub fn is_placeholder(&self) -> bool {
        self.class == SectionClass::Text && self.flash_bytes == 0 && self.size > 0
    }

    /// Reserves RAM for the stack or the heap, or is a placeholder: not
    /// static data.
    pub fn is_reservation(&self) -> bool {
        let n = self.name.to_ascii_lowercase();
        (self.class == SectionClass::Bss && (n.contains("stack") || n.contains("heap")))
            || self.is_placeholder()
    }
}

/// An error about bytes whose file name is not known yet.
#[derive(Debug)]
pub enum BytesError {
    NotElf(String),
    Corrupt(String),
    /// A figure is measured by a program that was not found: what it is
    /// and how to get it.
    NeedsTool(String),
}

impl BytesError {
    pub fn at(self, path: &Path) -> MeasureError {
        let path = path.to_path_buf();
        match self {
            BytesError::NotElf(what) => MeasureError::NotElf { path, what },
            BytesError::Corrupt(detail) => MeasureError::Corrupt {
                kind: kind_of_file(&path),
                path,
                detail,
            },
            BytesError::NeedsTool(what) => MeasureError::NeedsTool { path, what },
        }
    }
}

impl std::fmt::Display for BytesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BytesError::NotElf(w) => write!(f, "not an ELF file ({w})"),
            BytesError::Corrupt(d) => write!(f, "damaged binary: {d}"),
            BytesError::NeedsTool(w) => write!(f, "it needs {w}"),
        }
    }
}

/// What a damaged file was meant to be, from its first bytes.
fn kind_of_file(path: &Path) -> &'static str {
    use std::io::Read;
    let mut magic = [0u8; 4];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic));
    match (read.is_ok(), &magic) {
        (true, b"\0asm") => "WebAssembly module",
        (true, [0x7f, b'E', b'L', b'F']) => "ELF file",
        (true, [b'M', b'Z', _, _]) => "PE file",
        (true, [0xcf | 0xce, 0xfa, 0xed, 0xfe] | [0xca, 0xfe, 0xba, 0xbe]) => "Mach-O file",
        _ => "binary",
    }
}
