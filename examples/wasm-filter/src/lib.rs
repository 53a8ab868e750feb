//! Filters over an RGBA image in linear memory, called from JavaScript:
//!
//! ```js
//! const { instance } = await WebAssembly.instantiateStreaming(fetch("wasm_filter.wasm"));
//! const ptr = instance.exports.alloc(width * height * 4);
//! new Uint8Array(instance.exports.memory.buffer, ptr, width * height * 4).set(pixels);
//! instance.exports.grayscale(ptr, width, height);
//! ```

use std::alloc::{alloc as allocate, Layout};

/// Memory for `len` bytes of pixels (never freed: a page keeps one image).
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    match Layout::from_size_align(len.max(1), 4) {
        Ok(layout) => unsafe { allocate(layout) },
        Err(_) => std::ptr::null_mut(),
    }
}

fn pixels<'a>(ptr: *mut u8, width: u32, height: u32) -> &'a mut [u8] {
    let len = width as usize * height as usize * 4;
    // SAFETY: the caller passes a buffer from `alloc` of this size.
    unsafe { std::slice::from_raw_parts_mut(ptr, len) }
}

/// Rec. 709 luma, in place; alpha kept.
#[no_mangle]
pub extern "C" fn grayscale(ptr: *mut u8, width: u32, height: u32) {
    for px in pixels(ptr, width, height).chunks_exact_mut(4) {
        let y = (2126 * u32::from(px[0]) + 7152 * u32::from(px[1]) + 722 * u32::from(px[2])) / 10000;
        px[..3].fill(y as u8);
    }
}

/// A box blur of the given radius, horizontal then vertical.
#[no_mangle]
pub extern "C" fn box_blur(ptr: *mut u8, width: u32, height: u32, radius: u32) {
    let (w, h, r) = (width as usize, height as usize, radius as usize);
    let image = pixels(ptr, width, height);
    let mut line = vec![0u8; w.max(h) * 4];
    for y in 0..h {
        blur_line(image, &mut line, y * w * 4, 4, w, r);
    }
    for x in 0..w {
        blur_line(image, &mut line, x * 4, w * 4, h, r);
    }
}

fn blur_line(image: &mut [u8], line: &mut [u8], start: usize, step: usize, n: usize, r: usize) {
    for i in 0..n {
        let (lo, hi) = (i.saturating_sub(r), (i + r).min(n - 1));
        for c in 0..4 {
            let sum: u32 = (lo..=hi).map(|j| u32::from(image[start + j * step + c])).sum();
            line[i * 4 + c] = (sum / (hi - lo + 1) as u32) as u8;
        }
    }
    for i in 0..n {
        image[start + i * step..start + i * step + 4].copy_from_slice(&line[i * 4..i * 4 + 4]);
    }
}

/// The luma histogram as text, e.g. for a tooltip: one line per band.
#[no_mangle]
pub extern "C" fn histogram(ptr: *mut u8, width: u32, height: u32, out: *mut u8, cap: usize) -> usize {
    let mut bands = [0u32; 8];
    for px in pixels(ptr, width, height).chunks_exact(4) {
        bands[usize::from(px[0] >> 5)] += 1;
    }
    let text: String = bands
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{:>3}-{:<3} {n}\n", i * 32, i * 32 + 31))
        .collect();
    let n = text.len().min(cap);
    // SAFETY: the caller passes `cap` writable bytes at `out`.
    unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), out, n) };
    n
}
