use super::*;

/// A relocatable object with two functions and some data, made here.
fn object_file() -> Vec<u8> {
    use object::write::{Object, Symbol, SymbolSection};
    use object::{
        Architecture, BinaryFormat, Endianness, SectionKind, SymbolFlags, SymbolKind, SymbolScope,
    };
    let mut obj = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    let text = obj.add_section(Vec::new(), b".text".to_vec(), SectionKind::Text);
    obj.append_section_data(text, &[0x90; 64], 16);
    let data = obj.add_section(Vec::new(), b".data".to_vec(), SectionKind::Data);
    obj.append_section_data(data, &[1; 24], 8);
    let mut sym = |name: &str, section, value, size, kind| {
        obj.add_symbol(Symbol {
            name: name.as_bytes().to_vec(),
            value,
            size,
            kind,
            scope: SymbolScope::Linkage,
            weak: false,
            section: SymbolSection::Section(section),
            flags: SymbolFlags::None,
        });
    };
    sym(
        "_ZN4core3fmt5write17h0123456789abcdefE",
        text,
        0,
        40,
        SymbolKind::Text,
    );
    // An alias of the same bytes, and one that overlaps: counted once.
    sym(
        "_ZN4core3fmt5write17h0123456789abcdefE.alias",
        text,
        0,
        40,
        SymbolKind::Text,
    );
    sym(
        "_ZN6blinky4main17h0123456789abcdefE",
        text,
        32,
        16,
        SymbolKind::Text,
    );
    sym("<script>alert(1)</script>", data, 0, 8, SymbolKind::Data);
    obj.write().unwrap()
}

#[test]
fn sections_add_up_with_an_unattributed_row() {
    let bytes = object_file();
    let a = attribute(&bytes, &Options::default()).unwrap();
    for s in &a.sections {
        assert_eq!(s.attributed + s.unattributed, s.size, "{s:?}");
    }
    let text = a.sections.iter().find(|s| s.name == ".text").unwrap();
    // 40 bytes of core::fmt::write, then blinky::main clipped to 32..48 → 40..48: 8 bytes.
    assert_eq!(text.attributed, 48);
    assert_eq!(text.unattributed, 16);
    let total: u64 = a.crates.iter().map(|c| c.total()).sum();
    assert_eq!(total, a.sections.iter().map(|s| s.size).sum::<u64>());
    let core = a.crates.iter().find(|c| c.name == "core").unwrap();
    assert_eq!(core.text, 40);
    assert!(core.heuristic);
    assert_eq!(a.code_source, "symbols");
    // Names from the binary are kept as data.
    assert!(a
        .symbols
        .iter()
        .any(|s| s.name == "<script>alert(1)</script>" && s.crate_name == "[unmangled]"));
}

#[test]
fn deterministic() {
    let bytes = object_file();
    assert_eq!(
        attribute(&bytes, &Options::default()).unwrap(),
        attribute(&bytes, &Options::default()).unwrap()
    );
}

#[test]
fn only_the_symbols_asked_for_are_kept_and_crates_count_them_all() {
    let bytes = object_file();
    let all = attribute(&bytes, &Options::default()).unwrap();
    assert_eq!(all.symbols.len(), 3, "{:?}", all.symbols);
    for n in 0..=4 {
        let some = attribute(
            &bytes,
            &Options {
                keep_symbols: Some(n),
                ..Options::default()
            },
        )
        .unwrap();
        // The n largest, in the same order, and the same crate totals.
        assert_eq!(some.symbols[..], all.symbols[..n.min(all.symbols.len())]);
        assert_eq!(some.crates, all.crates);
        assert_eq!(some.sections, all.sections);
    }
    let filtered = attribute(
        &bytes,
        &Options {
            symbol_filter: Some(regex_lite::Regex::new("^blinky").unwrap()),
            symbol_section: Some("text".into()),
            ..Options::default()
        },
    )
    .unwrap();
    let names: Vec<&str> = filtered.symbols.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["blinky::main"]);
    assert_eq!(filtered.crates, all.crates);
}
