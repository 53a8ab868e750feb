use super::*;

#[test]
fn cortex_m_rt_memory_x() {
    let r = parse_memory(
        "/* Linker script for the STM32F411 */\nMEMORY\n{\n  /* NOTE 1 K = 1 KiBi = 1024 bytes */\n  FLASH : ORIGIN = 0x08000000, LENGTH = 512K\n  RAM : ORIGIN = 0x20000000, LENGTH = 128K\n}\n",
    )
    .unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(
        (r[0].name.as_str(), r[0].origin, r[0].length),
        ("FLASH", 0x0800_0000, 512 * 1024)
    );
    assert_eq!(
        (r[1].name.as_str(), r[1].origin, r[1].length),
        ("RAM", 0x2000_0000, 128 * 1024)
    );
}

#[test]
fn attributes_expressions_and_references() {
    let r = parse_memory(
        "MEMORY {\n rom (rx) : org = 0x0, len = 256 * 1K\n ram (rwx) : o = 0x20000000 + 0x100, l = LENGTH(rom) / 4 - 0x100\n ccm : ORIGIN = ORIGIN(ram) + 64K, LENGTH = (8 + 8)K\n}",
    );
    // `(8 + 8)K` is not ld syntax: the suffix applies to literals only.
    assert!(r.is_err());
    let r = parse_memory(
        "MEMORY {\n rom (rx) : org = 0x0, len = 256 * 1K\n ram (rwx) : o = 0x20000000 + 0x100, l = LENGTH(rom) / 4 - 0x100\n}",
    )
    .unwrap();
    assert_eq!(r[0].attributes, "rx");
    assert_eq!(r[0].length, 256 * 1024);
    assert_eq!(r[1].origin, 0x2000_0100);
    assert_eq!(r[1].length, 64 * 1024 - 0x100);
}

#[test]
fn errors_name_the_line() {
    let e = parse_memory("MEMORY\n{\n  FLASH : ORIGIN = 0x0800000Q, LENGTH = 1K\n}").unwrap_err();
    assert_eq!(e.line, 3);
    let e = parse_memory("MEMORY {\n FLASH : ORIGIN = 0, LENGTH = 1K\n").unwrap_err();
    assert!(e.message.contains("not closed"), "{e}");
    let e = parse_memory("MEMORY {\n FLASH : LENGTH = 1K\n}").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("ORIGIN"), "{e}");
}

#[test]
fn script_without_memory_has_no_regions() {
    assert!(parse_memory("SECTIONS { .text : { *(.text*) } }")
        .unwrap()
        .is_empty());
}

/// Non-ASCII outside comments (a file name, a message) is read by chars,
/// never cut in the middle of one.
#[test]
fn non_ascii_and_quoted_strings_outside_comments() {
    let r = parse_memory(
        "INCLUDE \"€.x\"\nMEMORY { FLASH : ORIGIN = 0, LENGTH = 4K }\n/* ü */ SECTIONS { .t : { *(.t) } > FLASH } é",
    )
    .unwrap();
    assert_eq!(r.len(), 1);
    let r = parse_memory(
        "ASSERT(1, \"needs 32bit alignment\");\nASSERT(_a - _b >= 8192, \"Main stack is smaller than 8192 bytes.\");\nMEMORY { RAM : ORIGIN = 0x20000000, LENGTH = 32K }",
    )
    .unwrap();
    assert_eq!((r[0].name.as_str(), r[0].length), ("RAM", 32 * 1024));
    // A string never ends the MEMORY block early, and one left open says so.
    let e = parse_memory("ASSERT(1, \"open\nMEMORY { RAM : ORIGIN = 0, LENGTH = 1K }").unwrap_err();
    assert!(e.message.contains("unterminated string"), "{e}");
    // A word that starts with a digit is a number only where one is needed.
    let e = parse_memory("MEMORY { RAM : ORIGIN = 32bit, LENGTH = 1K }").unwrap_err();
    assert!(e.message.contains("`32bit` is not a number"), "{e}");
}

mod generated {
    use super::*;
    use proptest::prelude::*;

    /// Text ld ignores between tokens: spaces, comments with anything in
    /// them (but their end), quoted strings in statements around the block.
    fn filler() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(" ".to_string()),
            Just("\n".to_string()),
            "[^*]{0,12}".prop_map(|t| format!("/* {t} */")),
            "[^\"\\n]{0,12}".prop_map(|t| format!("\nASSERT(1, \"{t}\");\n")),
            "[^\"\\n]{0,12}".prop_map(|t| format!("\nINCLUDE \"{t}\"\n")),
        ]
    }

    fn region() -> impl Strategy<Value = (String, u32, u32)> {
        ("[A-Z][A-Z0-9_]{0,7}", any::<u32>(), 1u32..=u32::MAX)
    }

    proptest! {
        #[test]
        fn memory_blocks_round_trip(
            regions in proptest::collection::vec(region(), 1..6),
            fill in proptest::collection::vec(filler(), 8),
        ) {
            let f = |i: usize| fill[i % fill.len()].clone();
            let gap = |i: usize| if f(i).starts_with("/*") { f(i) } else { " ".into() };
            let mut text = format!("{}MEMORY{}{{", f(0), gap(1));
            for (i, (name, origin, length)) in regions.iter().enumerate() {
                // Inside the block only comments and spaces may appear.
                let inner = gap(i + 2);
                text.push_str(&format!(
                    "{inner}{name}{inner}:{inner}ORIGIN = {origin:#x},{inner}LENGTH = {length}\n"
                ));
            }
            text.push_str(&format!("}}{}", f(7)));
            let parsed = parse_memory(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            let got: Vec<(String, u64, u64)> = parsed
                .iter()
                .map(|r| (r.name.clone(), r.origin, r.length))
                .collect();
            let want: Vec<(String, u64, u64)> = regions
                .iter()
                .map(|(n, o, l)| (n.clone(), u64::from(*o), u64::from(*l)))
                .collect();
            prop_assert_eq!(got, want);
        }

        /// Whatever the text, parsing returns, never panics.
        #[test]
        fn any_text_parses_or_errors(text in "\\PC{0,200}") {
            let _ = parse_memory(&text);
        }
    }
}

/// `!` starts a word (`(!rx)` attributes); it used to stop the lexer from
/// advancing, and the tool hung.
#[test]
fn negated_attributes_parse() {
    let r = parse_memory("MEMORY { ram (!rx) : ORIGIN = 0x20000000, LENGTH = 1K }").unwrap();
    assert_eq!(r[0].attributes, "!rx");
}
