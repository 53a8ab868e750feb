//! The input file as BFD reads it: headers widened to 64 bits, which
//! sections become BFD sections, which of those `strip` keeps, each
//! section's load address (LMA), and the target's page sizes.

use object::elf;
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};
use object::Endianness;

/// One section header, widened, with what BFD derives from it.
pub(super) struct Sec<'data> {
    pub name: &'data [u8],
    pub sh_type: u32,
    pub flags: u64,
    pub addr: u64,
    pub offset: u64,
    pub size: u64,
    pub link: u32,
    pub info: u32,
    pub addralign: u64,
    pub entsize: u64,
    /// The section's bytes (empty for `SHT_NOBITS`); `None` when they lie
    /// outside the file, an error only if the section is kept.
    pub data: Option<&'data [u8]>,
    /// BFD makes a section of it (not the null section, the symbol table,
    /// its string table, the section-name table, or relocations for it).
    pub bfd: bool,
    /// `strip` writes it out.
    pub kept: bool,
    /// Load address, from the segment holding it (`_bfd_elf_make_section_from_shdr`).
    pub lma: u64,
}

impl Sec<'_> {
    pub fn alloc(&self) -> bool {
        self.flags & u64::from(elf::SHF_ALLOC) != 0
    }
    pub fn tls(&self) -> bool {
        self.flags & u64::from(elf::SHF_TLS) != 0
    }
    pub fn nobits(&self) -> bool {
        self.sh_type == elf::SHT_NOBITS
    }
    /// `SEC_LOAD`: allocated with contents.
    pub fn load(&self) -> bool {
        self.alloc() && !self.nobits()
    }
    /// BFD's alignment power as a byte count: the lowest set bit of sh_addralign.
    pub fn align(&self) -> u64 {
        low_bit(self.addralign).max(1)
    }
}

/// The lowest set bit (0 for 0).
pub(super) fn low_bit(v: u64) -> u64 {
    v & v.wrapping_neg()
}

/// One program header, widened.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(super) struct Phdr {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub paddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

/// The backend (`bfd/elf*-*.c`) rules that differ between targets.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Backend {
    /// `elf32-arm.c`: adds a `PT_ARM_EXIDX` segment for `.ARM.exidx`.
    Arm,
    /// `elfnn-riscv.c`: adds a `PT_RISCV_ATTRIBUTES` segment for `.riscv.attributes`.
    RiscV,
    Other,
}

/// Page sizes of the target vector `strip` reads the file with.
#[derive(Clone, Copy, Debug)]
pub(super) struct Target {
    pub maxpagesize: u64,
    pub minpagesize: u64,
    pub backend: Backend,
}

impl Target {
    fn for_machine(machine: u16) -> Target {
        let (maxpagesize, minpagesize, backend) = match machine {
            elf::EM_ARM => (0x1000, 0x1000, Backend::Arm),
            elf::EM_RISCV => (0x1000, 0x1000, Backend::RiscV),
            elf::EM_AARCH64 => (0x10000, 0x1000, Backend::Other),
            _ => (0x1000, 0x1000, Backend::Other),
        };
        Target {
            maxpagesize,
            minpagesize,
            backend,
        }
    }
}

/// The ELF header fields the layout needs, and the header's own bytes.
pub(super) struct Ehdr<'data> {
    pub is_64: bool,
    pub big: bool,
    pub e_type: u16,
    pub phoff: u64,
    pub phnum: u64,
    pub phentsize: u64,
    /// e_ehsize as the file says (BFD compares segments against it).
    pub ehsize: u64,
    pub shstrndx: usize,
    pub raw: &'data [u8],
}

impl Ehdr<'_> {
    /// sizeof_ehdr: what BFD writes.
    pub fn size(&self) -> u64 {
        if self.is_64 {
            64
        } else {
            52
        }
    }
    pub fn phdr_size(&self) -> u64 {
        if self.is_64 {
            56
        } else {
            32
        }
    }
    pub fn shdr_size(&self) -> u64 {
        if self.is_64 {
            64
        } else {
            40
        }
    }
    /// Executables and shared objects: laid out by segments.
    pub fn linked(&self) -> bool {
        self.e_type == elf::ET_EXEC || self.e_type == elf::ET_DYN
    }
}

pub(super) struct Input<'data> {
    pub ehdr: Ehdr<'data>,
    pub secs: Vec<Sec<'data>>,
    pub phdrs: Vec<Phdr>,
    /// BFD's `D_PAGED`: program headers, and every loaded section at an
    /// address congruent to its offset modulo the minimum page size.
    pub d_paged: bool,
    pub target: Target,
}

/// Read the headers. Offsets and sizes come from the file: nothing here
/// trusts them beyond `object`'s bounds checks.
pub(super) fn parse<Elf: FileHeader<Endian = Endianness>>(
    data: &[u8],
) -> Result<Input<'_>, String> {
    let e = |e: object::Error| e.to_string();
    let header = Elf::parse(data).map_err(e)?;
    let endian = header.endian().map_err(e)?;
    let sections = header.sections(endian, data).map_err(e)?;
    let segments = header.program_headers(endian, data).map_err(e)?;
    let is_64 = header.is_class_64();
    let raw_len = if is_64 { 64 } else { 52 };
    let ehdr = Ehdr {
        is_64,
        big: endian == Endianness::Big,
        e_type: header.e_type(endian),
        phoff: header.e_phoff(endian).into(),
        phnum: segments.len() as u64,
        phentsize: u64::from(header.e_phentsize(endian)),
        ehsize: u64::from(header.e_ehsize(endian)),
        shstrndx: header.shstrndx(endian, data).unwrap_or(0) as usize,
        raw: data.get(..raw_len).ok_or("the ELF header is truncated")?,
    };
    let phdrs: Vec<Phdr> = segments.iter().map(|p| phdr(p, endian)).collect();
    let mut secs = Vec::with_capacity(sections.len());
    for s in sections.iter() {
        let nobits = s.sh_type(endian) == elf::SHT_NOBITS;
        secs.push(Sec {
            name: sections.section_name(endian, s).unwrap_or_default(),
            sh_type: s.sh_type(endian),
            flags: s.sh_flags(endian).into(),
            addr: s.sh_addr(endian).into(),
            offset: s.sh_offset(endian).into(),
            size: s.sh_size(endian).into(),
            link: s.sh_link(endian),
            info: s.sh_info(endian),
            addralign: s.sh_addralign(endian).into(),
            entsize: s.sh_entsize(endian).into(),
            data: if nobits {
                Some(&[])
            } else {
                s.data(endian, data).ok()
            },
            bfd: false,
            kept: false,
            lma: s.sh_addr(endian).into(),
        });
    }
    let target = Target::for_machine(header.e_machine(endian));
    let mut input = Input {
        d_paged: d_paged(&secs, &phdrs, target.minpagesize),
        ehdr,
        secs,
        phdrs,
        target,
    };
    mark_bfd_sections(&mut input);
    set_lmas(&mut input);
    Ok(input)
}

fn phdr<P: ProgramHeader<Endian = Endianness>>(p: &P, endian: Endianness) -> Phdr {
    Phdr {
        p_type: p.p_type(endian),
        flags: p.p_flags(endian),
        offset: p.p_offset(endian).into(),
        vaddr: p.p_vaddr(endian).into(),
        paddr: p.p_paddr(endian).into(),
        filesz: p.p_filesz(endian).into(),
        memsz: p.p_memsz(endian).into(),
        align: p.p_align(endian).into(),
    }
}

/// `elf_object_p`: paged when there are program headers and no loaded
/// section sits at an address not congruent to its offset.
fn d_paged(secs: &[Sec], phdrs: &[Phdr], minpagesize: u64) -> bool {
    !phdrs.is_empty()
        && !secs
            .iter()
            .skip(1)
            .any(|s| s.size != 0 && s.load() && s.addr.wrapping_sub(s.offset) % minpagesize != 0)
}

/// Which sections BFD makes sections of (`bfd_section_from_shdr`), and
/// which of them `strip` keeps: everything allocated, and the rest but
/// debugging sections (known by name, as BFD knows them) and groups.
fn mark_bfd_sections(input: &mut Input) {
    let symtab = input.secs.iter().position(|s| s.sh_type == elf::SHT_SYMTAB);
    let strtab = symtab.map(|i| input.secs[i].link as usize);
    let shstrndx = input.ehdr.shstrndx;
    for (i, s) in input.secs.iter_mut().enumerate() {
        let reloc = matches!(s.sh_type, elf::SHT_REL | elf::SHT_RELA);
        s.bfd = i != 0
            && i != shstrndx
            && Some(i) != symtab
            && Some(i) != strtab
            && s.sh_type != elf::SHT_SYMTAB
            && s.sh_type != elf::SHT_SYMTAB_SHNDX
            && (!reloc || s.alloc());
        // A group goes with its signature symbol, and --strip-all
        // removes every symbol (`is_strip_section`).
        s.kept = s.bfd && s.sh_type != elf::SHT_GROUP && (s.alloc() || !debugging(s.name));
    }
}

/// `SEC_DEBUGGING` by name, for non-allocated sections.
fn debugging(name: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[
        b".debug",
        b".gnu.debuglto_.debug_",
        b".gnu.linkonce.wi.",
        b".zdebug",
        b".line",
        b".stab",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p)) || name == b".gdb_index"
}

/// `_bfd_elf_make_section_from_shdr`: an allocated section's LMA comes
/// from the `PT_LOAD` (or `PT_TLS`) segment holding it, unless every
/// p_paddr is zero with more than one non-empty `PT_LOAD`.
fn set_lmas(input: &mut Input) {
    let phdrs = &input.phdrs;
    let all_zero = phdrs.iter().all(|p| p.paddr == 0);
    let nload = phdrs
        .iter()
        .filter(|p| p.p_type == elf::PT_LOAD && p.memsz != 0)
        .count();
    if all_zero && nload > 1 {
        return;
    }
    for s in input.secs.iter_mut().filter(|s| s.bfd && s.alloc()) {
        for p in phdrs {
            let kind = (p.p_type == elf::PT_LOAD && !s.tls()) || p.p_type == elf::PT_TLS;
            if !kind || !in_segment(s, p, true) {
                continue;
            }
            s.lma = if s.load() {
                p.paddr.wrapping_add(s.offset.wrapping_sub(p.offset))
            } else {
                p.paddr.wrapping_add(s.addr.wrapping_sub(p.vaddr))
            };
            let end = s.addr.wrapping_add(s.size);
            if s.addr >= p.vaddr && end <= p.vaddr.wrapping_add(p.memsz) {
                break;
            }
        }
    }
}

/// `.tbss` takes no room in segments other than `PT_TLS`.
fn section_size_in(s: &Sec, p: &Phdr) -> u64 {
    if s.tls() && s.nobits() && p.p_type != elf::PT_TLS {
        0
    } else {
        s.size
    }
}

/// `ELF_SECTION_IN_SEGMENT_1` (not strict): whether a section header lies
/// in a segment, by file offset and, when `check_vma`, by address.
pub(super) fn in_segment(s: &Sec, p: &Phdr, check_vma: bool) -> bool {
    let size = section_size_in(s, p);
    let tls_ok = if s.tls() {
        matches!(p.p_type, elf::PT_TLS | elf::PT_GNU_RELRO | elf::PT_LOAD)
    } else {
        p.p_type != elf::PT_TLS && p.p_type != elf::PT_PHDR
    };
    let alloc_only = matches!(
        p.p_type,
        elf::PT_LOAD
            | elf::PT_DYNAMIC
            | elf::PT_GNU_EH_FRAME
            | elf::PT_GNU_STACK
            | elf::PT_GNU_RELRO
            | PT_GNU_SFRAME
    ) || (PT_GNU_MBIND_LO..=PT_GNU_MBIND_HI).contains(&p.p_type);
    let file_ok = s.nobits()
        || (s.offset >= p.offset
            && (s.offset - p.offset)
                .checked_add(size)
                .is_some_and(|e| e <= p.filesz));
    let vma_ok = !check_vma
        || !s.alloc()
        || (s.addr >= p.vaddr
            && (s.addr - p.vaddr)
                .checked_add(size)
                .is_some_and(|e| e <= p.memsz));
    let edges_ok = (p.p_type != elf::PT_DYNAMIC && p.p_type != elf::PT_NOTE)
        || s.size != 0
        || p.memsz == 0
        || ((s.nobits() || (s.offset > p.offset && s.offset - p.offset < p.filesz))
            && (!s.alloc() || (s.addr > p.vaddr && s.addr - p.vaddr < p.memsz)));
    tls_ok && (!alloc_only || s.alloc()) && file_ok && vma_ok && edges_ok
}

pub(super) const PT_GNU_SFRAME: u32 = 0x6474_e554;
const PT_GNU_MBIND_LO: u32 = 0x6474_e555;
const PT_GNU_MBIND_HI: u32 = PT_GNU_MBIND_LO + 4095;
