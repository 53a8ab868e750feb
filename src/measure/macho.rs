//! Mach-O executables (macOS, iOS): the sections of every segment the
//! loader maps. A section is read-only (`__TEXT`, and `__DATA_CONST`, which
//! dyld makes read-only once it has bound it), writable data, or zero-fill.

use object::macho;
use object::read::macho::{MachHeader, Section, Segment};
use object::Endianness;

use super::types::{Berkeley, BytesError, Measurement, SectionClass, SectionSize};

/// Measure a Mach-O file held in memory. Its stripped size is what a
/// Mach-O `strip` writes (see `stripped_by_tool`).
pub fn measure<Mach: MachHeader<Endian = Endianness>>(
    data: &[u8],
) -> Result<Measurement, BytesError> {
    let corrupt = |e: object::Error| BytesError::Corrupt(e.to_string());
    let header = Mach::parse(data, 0).map_err(corrupt)?;
    let endian = header.endian().map_err(corrupt)?;
    let mut commands = header.load_commands(endian, data, 0).map_err(corrupt)?;
    let mut sections = Vec::new();
    let mut stored = Vec::new();
    let mut symbol_table_bytes = 0u64;
    let nlist = if header.is_type_64() { 16 } else { 12 };
    while let Some(command) = commands.next().map_err(corrupt)? {
        if let Some(symtab) = command.symtab().map_err(corrupt)? {
            symbol_table_bytes +=
                u64::from(symtab.nsyms.get(endian)) * nlist + u64::from(symtab.strsize.get(endian));
        }
        let Some((segment, section_data)) =
            Mach::Segment::from_command(command).map_err(corrupt)?
        else {
            continue;
        };
        let read_only = segment.initprot(endian) & macho::VM_PROT_WRITE == 0
            || segment.flags(endian) & macho::SG_READ_ONLY != 0;
        for s in segment.sections(endian, section_data).map_err(corrupt)? {
            let name = format!(
                "{},{}",
                String::from_utf8_lossy(s.segment_name()),
                String::from_utf8_lossy(s.name())
            );
            let size: u64 = s.size(endian).into();
            let addr: u64 = s.addr(endian).into();
            let class = class_of(s.flags(endian), s.segment_name(), read_only);
            let kept = match (class, s.file_range(endian)) {
                (SectionClass::Text | SectionClass::Data, Some((offset, len))) => {
                    super::bytes::in_file(&name, offset, len, data.len())?;
                    stored.push((addr, &data[offset as usize..(offset + len) as usize]));
                    len
                }
                _ => 0,
            };
            let ram = if matches!(class, SectionClass::Data | SectionClass::Bss) {
                size
            } else {
                0
            };
            sections.push(SectionSize {
                name,
                class,
                size,
                address: addr,
                load_address: addr,
                flash_bytes: kept,
                ram_bytes: ram,
            });
        }
    }
    let (debug_info_bytes, has_debug_info) = debug_info(&sections);
    Ok(Measurement {
        file_bytes: data.len() as u64,
        stripped_bytes: stripped_by_tool(data)?,
        flash_bytes: sections.iter().map(|s| s.flash_bytes).sum(),
        ram_bytes: sections.iter().map(|s| s.ram_bytes).sum(),
        image_bytes: None,
        berkeley: berkeley(&sections),
        format: format_name(header.cputype(endian)),
        has_debug_info,
        debug_info_bytes,
        symbol_table_bytes,
        flash_hash: super::bytes::loaded_hash(stored),
        normalized_bytes: None,
        sections,
        wasm: None,
    })
}

/// Debug info, zero-fill, read-only once loaded, or writable data.
fn class_of(flags: u32, segment: &[u8], read_only: bool) -> SectionClass {
    let zero_fill = matches!(
        flags & macho::SECTION_TYPE,
        macho::S_ZEROFILL | macho::S_GB_ZEROFILL | macho::S_THREAD_LOCAL_ZEROFILL
    );
    let debug = flags & macho::S_ATTR_DEBUG != 0 || segment == b"__DWARF";
    match (debug, read_only, zero_fill) {
        (true, _, _) => SectionClass::Other,
        (false, _, true) => SectionClass::Bss,
        (false, true, false) => SectionClass::Text,
        (false, false, false) => SectionClass::Data,
    }
}

fn debug_info(sections: &[SectionSize]) -> (u64, bool) {
    let debug = sections.iter().filter(|s| s.class == SectionClass::Other);
    let bytes = debug.clone().map(|s| s.size).sum();
    (
        bytes,
        debug.clone().any(|s| s.name.ends_with(",__debug_info")),
    )
}

fn berkeley(sections: &[SectionSize]) -> Berkeley {
    let sum = |class| {
        sections
            .iter()
            .filter(|s| s.class == class)
            .map(|s| s.size)
            .sum()
    };
    Berkeley {
        text: sum(SectionClass::Text),
        data: sum(SectionClass::Data),
        bss: sum(SectionClass::Bss),
    }
}

/// BFD's names: `mach-o-arm64`, `mach-o-x86-64`.
fn format_name(cputype: u32) -> String {
    match cputype {
        macho::CPU_TYPE_ARM64 => "mach-o-arm64".into(),
        macho::CPU_TYPE_X86_64 => "mach-o-x86-64".into(),
        macho::CPU_TYPE_ARM => "mach-o-arm".into(),
        macho::CPU_TYPE_X86 => "mach-o-i386".into(),
        other => format!("mach-o-{other:#x}"),
    }
}

/// The size of the file a Mach-O `strip` writes. Stripping Mach-O
/// rebuilds `__LINKEDIT` (what dyld still needs of the symbol table) and
/// signs the file again, so it is measured by running one: Apple's `strip`
/// on macOS, else `llvm-strip` (rustup's `llvm-tools`, or on the PATH).
pub fn stripped_by_tool(data: &[u8]) -> Result<u64, BytesError> {
    let Some(tool) = strip_tool() else {
        return Err(BytesError::NeedsTool(
            "a Mach-O strip: on macOS install the command line tools (xcode-select --install); elsewhere run `rustup component add llvm-tools`".into(),
        ));
    };
    let failed = |e: String| BytesError::Corrupt(format!("{} failed: {e}", tool.display()));
    let dir = tempfile::tempdir().map_err(|e| failed(e.to_string()))?;
    let (input, output) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::write(&input, data).map_err(|e| failed(e.to_string()))?;
    let mut cmd = std::process::Command::new(&tool);
    cmd.arg("-o").arg(&output).arg(&input);
    let out = crate::process::output(&mut cmd, std::time::Duration::from_secs(120))
        .map_err(|e| failed(e.to_string()))?;
    if !out.status.success() {
        return Err(failed(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    std::fs::metadata(&output)
        .map(|m| m.len())
        .map_err(|e| failed(e.to_string()))
}

fn strip_tool() -> Option<std::path::PathBuf> {
    static TOOL: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    TOOL.get_or_init(|| {
        let on_path = |name: &str| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        };
        if cfg!(target_os = "macos") {
            if let Some(apple) = on_path("strip") {
                return Some(apple);
            }
        }
        on_path(&llvm_strip()).or_else(rustup_llvm_strip)
    })
    .clone()
}

fn llvm_strip() -> String {
    format!("llvm-strip{}", std::env::consts::EXE_SUFFIX)
}

/// `llvm-strip` of rustup's `llvm-tools` component, beside the sysroot's
/// `rust-lld`.
fn rustup_llvm_strip() -> Option<std::path::PathBuf> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut cmd = std::process::Command::new(rustc);
    cmd.args(["--print", "sysroot"]);
    let out = crate::process::output(&mut cmd, std::time::Duration::from_secs(30)).ok()?;
    let sysroot = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    std::fs::read_dir(sysroot.join("lib/rustlib"))
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin").join(llvm_strip()))
        .find(|p| p.is_file())
}
