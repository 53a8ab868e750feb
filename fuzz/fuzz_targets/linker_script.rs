//! Linker-script text in, memory regions or an error out: nothing may
//! panic or hang, whatever the bytes (invalid UTF-8 is read as ld would
//! see it after lossy decoding).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(regions) = cargo_weigh::memory::parse_memory(&text) {
        // Every region read has a name.
        assert!(regions.iter().all(|r| !r.name.is_empty()));
    }
});
