//! WebAssembly modules: every section as `wasm-objdump -h` lists it, the
//! module without its custom sections as `wasm-strip` writes it, the data
//! segments placed in linear memory, and the transfer sizes the `gzip -9`
//! and `brotli -q 11` command-line tools give (run, not imitated: the
//! Rust codecs write other bytes than GNU gzip, and than brotli on large
//! files).

use std::path::Path;
use std::time::Duration;

use wasmparser::{Parser, Payload};

use super::types::{Berkeley, BytesError, Measurement, SectionClass, SectionSize, WasmSizes};

/// The section names `wasm-objdump -h` prints, by section id.
fn standard_name(id: u8) -> &'static str {
    match id {
        1 => "Type",
        2 => "Import",
        3 => "Function",
        4 => "Table",
        5 => "Memory",
        6 => "Global",
        7 => "Export",
        8 => "Start",
        9 => "Elem",
        10 => "Code",
        11 => "Data",
        12 => "DataCount",
        13 => "Tag",
        _ => "Unknown",
    }
}

/// What one pass over the module finds.
#[derive(Default)]
struct Walk {
    sections: Vec<SectionSize>,
    /// Custom sections with their headers: what `wasm-strip` removes.
    custom_bytes: u64,
    name_bytes: u64,
    data_bytes: u64,
    initial_memory_bytes: u64,
    functions: u64,
}

fn corrupt(e: wasmparser::BinaryReaderError) -> BytesError {
    BytesError::Corrupt(format!("not a valid WebAssembly module: {e}"))
}

fn walk(data: &[u8]) -> Result<Walk, BytesError> {
    let mut w = Walk::default();
    // Sections follow the 8-byte header back to back: each one's header
    // (id and size) lies between the previous one's end and its payload.
    let mut previous_end = 8u64;
    for payload in Parser::new(0).parse_all(data) {
        let payload = payload.map_err(corrupt)?;
        match &payload {
            Payload::DataSection(reader) => {
                for segment in reader.clone() {
                    w.data_bytes += segment.map_err(corrupt)?.data.len() as u64;
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader.clone() {
                    let m = memory.map_err(corrupt)?;
                    let page = 1u64 << m.page_size_log2.unwrap_or(16);
                    w.initial_memory_bytes += m.initial.saturating_mul(page);
                }
            }
            Payload::CodeSectionStart { count, .. } => w.functions = u64::from(*count),
            _ => {}
        }
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        let size = range.end - range.start;
        let header = range.start.saturating_sub(previous_end);
        previous_end = range.end;
        let (name, class) = match &payload {
            Payload::CustomSection(c) => {
                w.custom_bytes += header + size;
                if c.name() == "name" {
                    w.name_bytes += size;
                }
                (c.name().to_string(), SectionClass::Other)
            }
            _ if id == 10 => ("Code".into(), SectionClass::Text),
            _ if id == 11 => ("Data".into(), SectionClass::Data),
            _ => (standard_name(id).into(), SectionClass::Text),
        };
        let loaded = if class == SectionClass::Other {
            0
        } else {
            size
        };
        w.sections.push(SectionSize {
            name,
            class,
            size,
            address: range.start,
            load_address: range.start,
            flash_bytes: loaded,
            ram_bytes: 0,
        });
    }
    Ok(w)
}

/// Whether the module reads, without measuring it.
pub fn check(data: &[u8]) -> Result<(), BytesError> {
    walk(data).map(drop)
}

/// Measure a module held in memory.
pub fn measure(data: &[u8]) -> Result<Measurement, BytesError> {
    let w = walk(data)?;
    let code_bytes = section_bytes(&w.sections, "Code");
    let module_bytes: u64 = w.sections.iter().map(|s| s.flash_bytes).sum();
    // The loaded sections in order; custom sections (names, producers,
    // debug info) do not change what runs.
    let parts = w
        .sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.class != SectionClass::Other)
        .map(|(i, s)| {
            (
                i as u64,
                &data[s.address as usize..(s.address + s.size) as usize],
            )
        })
        .collect();
    let debug_info_bytes = w
        .sections
        .iter()
        .filter(|s| s.name.starts_with(".debug_"))
        .map(|s| s.size)
        .sum();
    let (gzip_bytes, brotli_bytes) = transfer_sizes(data)?;
    Ok(Measurement {
        file_bytes: data.len() as u64,
        stripped_bytes: data.len() as u64 - w.custom_bytes,
        flash_bytes: module_bytes,
        ram_bytes: w.initial_memory_bytes,
        image_bytes: None,
        berkeley: Berkeley {
            text: module_bytes - section_bytes(&w.sections, "Data"),
            data: w.data_bytes,
            bss: 0,
        },
        format: "wasm32".into(),
        has_debug_info: debug_info_bytes > 0,
        debug_info_bytes,
        symbol_table_bytes: w.name_bytes,
        flash_hash: super::bytes::loaded_hash(parts),
        normalized_bytes: None,
        sections: w.sections,
        wasm: Some(WasmSizes {
            code_bytes,
            data_bytes: w.data_bytes,
            custom_bytes: w.custom_bytes,
            name_bytes: w.name_bytes,
            initial_memory_bytes: w.initial_memory_bytes,
            functions: w.functions,
            gzip_bytes,
            brotli_bytes,
            js_glue: None,
        }),
    })
}

/// For `<name>_bg.wasm` (what wasm-bindgen writes), its glue `<name>.js`.
pub fn glue_of(module: &std::path::Path) -> Result<Option<super::types::GlueSizes>, BytesError> {
    let name = module.file_name().map(|n| n.to_string_lossy().into_owned());
    let Some(stem) = name.as_deref().and_then(|n| n.strip_suffix("_bg.wasm")) else {
        return Ok(None);
    };
    let js = module.with_file_name(format!("{stem}.js"));
    let Ok(bytes) = std::fs::read(&js) else {
        return Ok(None);
    };
    let (gzip_bytes, brotli_bytes) = transfer_sizes(&bytes)?;
    Ok(Some(super::types::GlueSizes {
        file: format!("{stem}.js"),
        bytes: bytes.len() as u64,
        gzip_bytes,
        brotli_bytes,
    }))
}

fn section_bytes(sections: &[SectionSize], name: &str) -> u64 {
    sections
        .iter()
        .filter(|s| s.class != SectionClass::Other && s.name == name)
        .map(|s| s.size)
        .sum()
}

/// What `gzip -9 -n` and `brotli -q 11` write for these bytes.
fn transfer_sizes(data: &[u8]) -> Result<(u64, u64), BytesError> {
    let file = tempfile::NamedTempFile::new()
        .and_then(|mut f| {
            std::io::Write::write_all(&mut f, data)?;
            Ok(f)
        })
        .map_err(|e| BytesError::NeedsTool(format!("a temporary file to compress ({e})")))?;
    let gzip = compressed_size(
        "gzip",
        &["-9", "-n", "-c"],
        file.path(),
        "gzip (apt install gzip)",
    )?;
    let brotli = compressed_size(
        "brotli",
        &["-q", "11", "-c"],
        file.path(),
        "the brotli command-line tool (apt install brotli, brew install brotli)",
    )?;
    Ok((gzip, brotli))
}

fn compressed_size(
    tool: &str,
    args: &[&str],
    file: &Path,
    install: &str,
) -> Result<u64, BytesError> {
    let mut cmd = std::process::Command::new(tool);
    cmd.args(args).arg(file);
    match crate::process::output(&mut cmd, Duration::from_secs(600)) {
        Ok(out) if out.status.success() => Ok(out.stdout.len() as u64),
        Ok(out) => Err(BytesError::NeedsTool(format!(
            "{install}: `{tool}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
        Err(e) => Err(BytesError::NeedsTool(format!("{install} ({e})"))),
    }
}
