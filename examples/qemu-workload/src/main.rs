//! A workload for `cargo weigh --runtime`: the kind of work firmware does
//! (sorting samples, a CRC over a buffer, a fixed-point filter, formatting
//! numbers for a log), deterministic, printing its results through
//! semihosting and exiting, so every configuration can be run, compared
//! and counted under QEMU.

#![no_std]
#![no_main]

use core::fmt::Write;
use core::panic::PanicInfo;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hio};

const SAMPLES: usize = 2048;

/// xorshift32: the same "sensor readings" on every run.
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }
}

/// CRC-32 (IEEE), bit by bit: the way small firmware often does it.
fn crc32(words: &[u32]) -> u32 {
    let mut crc = !0u32;
    for w in words {
        for b in w.to_le_bytes() {
            crc ^= u32::from(b);
            for _ in 0..8 {
                let mask = (crc & 1).wrapping_neg();
                crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
            }
        }
    }
    !crc
}

/// Heap sort: in place, no allocation, O(n log n) worst case.
fn heap_sort(v: &mut [u32]) {
    fn sift_down(v: &mut [u32], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    let n = v.len();
    for i in (0..n / 2).rev() {
        sift_down(v, i, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

/// A Q15 moving-average (box) filter over the samples, then its peak.
fn filter_peak(v: &[u32]) -> i32 {
    let mut acc: i32 = 0;
    let mut window = [0i16; 16];
    let mut peak = i32::MIN;
    for (i, s) in v.iter().enumerate() {
        let x = (*s >> 17) as i16;
        let slot = i % window.len();
        acc += i32::from(x) - i32::from(window[slot]);
        window[slot] = x;
        peak = peak.max(acc / window.len() as i32);
    }
    peak
}

/// One round: fill, checksum, filter, sort, checksum again.
fn round(samples: &mut [u32; SAMPLES], rng: &mut Rng) -> (u32, i32, bool, u32) {
    for s in samples.iter_mut() {
        *s = rng.next();
    }
    let crc_before = crc32(samples);
    let peak = filter_peak(samples);
    heap_sort(samples);
    let sorted = samples.windows(2).all(|w| w[0] <= w[1]);
    (crc_before, peak, sorted, crc32(samples))
}

#[entry]
fn main() -> ! {
    let mut out = hio::hstdout().ok();
    let mut samples = [0u32; SAMPLES];
    let mut rng = Rng(0x2545_f491);
    let rounds = if cfg!(feature = "long") { 10 } else { 1 };
    let (mut crc_before, mut peak, mut sorted, mut crc_after) = (0, 0, true, 0);
    for _ in 0..rounds {
        let (b, p, s, a) = round(&mut samples, &mut rng);
        (crc_before, peak, crc_after) = (crc_before ^ b, p, crc_after ^ a);
        sorted &= s;
    }
    if let Some(out) = out.as_mut() {
        let _ = writeln!(
            out,
            "workload: {SAMPLES} samples crc32={crc_before:08x} sorted={sorted} crc32={crc_after:08x} \
             min={} median={} max={} peak={peak}",
            samples[0],
            samples[SAMPLES / 2],
            samples[SAMPLES - 1],
        );
        for (i, s) in samples.iter().step_by(SAMPLES / 8).enumerate() {
            let _ = writeln!(out, "  percentile {:>3}: {s:>10} ({:.3} of range)", i * 100 / 8, *s as f32 / u32::MAX as f32);
        }
    }
    debug::exit(if sorted { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    loop {
        cortex_m::asm::nop();
    }
}

/// A panic ends the run with a failure status (and QEMU with it).
#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::nop();
    }
}
