//! ELF bytes in, measurement and attribution out: nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = cargo_weigh::measure::measure_bytes(data) {
        // What measures must also strip, and keep its loaded bytes.
        let stripped = cargo_weigh::measure::strip_bytes(data).expect("measured files strip");
        assert_eq!(stripped.len() as u64, m.stripped_bytes);
    }
    let _ = cargo_weigh::attribute::attribute(data, &Default::default());
});
