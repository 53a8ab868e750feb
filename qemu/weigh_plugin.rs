//! cargo weigh's QEMU TCG plugin (built by build.rs into a shared object
//! that QEMU loads with `-plugin`). It counts every executed instruction
//! exactly (an inline add per instruction: a block cut short, as `-icount`
//! does at an I/O access, counts only what ran), notes the count at the
//! first semihosting call (`bkpt 0xab`: the boot), the lowest address the
//! program stores to inside the stack range (the observed peak stack), and
//! can stop the run after an instruction budget. Results go to a file, as
//! `key=value` lines, when QEMU exits or the budget is spent.
//!
//! Only the plugin API of QEMU 7.2 and later (version 1) is used.

use std::ffi::{c_char, c_int, c_uint, c_void, CStr};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

type PluginId = u64;
type MemInfo = u32;

#[repr(C)]
struct Tb {
    _opaque: [u8; 0],
}

#[repr(C)]
struct Insn {
    _opaque: [u8; 0],
}

const INLINE_ADD_U64: c_int = 0;
const CB_NO_REGS: c_int = 0;
const MEM_W: c_int = 2;

extern "C" {
    fn qemu_plugin_register_vcpu_tb_trans_cb(
        id: PluginId,
        cb: extern "C" fn(PluginId, *mut Tb),
    );
    fn qemu_plugin_register_atexit_cb(
        id: PluginId,
        cb: extern "C" fn(PluginId, *mut c_void),
        userdata: *mut c_void,
    );
    fn qemu_plugin_tb_n_insns(tb: *const Tb) -> usize;
    fn qemu_plugin_tb_get_insn(tb: *const Tb, idx: usize) -> *mut Insn;
    fn qemu_plugin_register_vcpu_insn_exec_inline(
        insn: *mut Insn,
        op: c_int,
        ptr: *mut c_void,
        imm: u64,
    );
    fn qemu_plugin_register_vcpu_tb_exec_cb(
        tb: *mut Tb,
        cb: extern "C" fn(c_uint, *mut c_void),
        flags: c_int,
        userdata: *mut c_void,
    );
    fn qemu_plugin_insn_data(insn: *const Insn) -> *const c_void;
    fn qemu_plugin_insn_size(insn: *const Insn) -> usize;
    fn qemu_plugin_register_vcpu_insn_exec_cb(
        insn: *mut Insn,
        cb: extern "C" fn(c_uint, *mut c_void),
        flags: c_int,
        userdata: *mut c_void,
    );
    fn qemu_plugin_register_vcpu_mem_cb(
        insn: *mut Insn,
        cb: extern "C" fn(c_uint, MemInfo, u64, *mut c_void),
        flags: c_int,
        rw: c_int,
        userdata: *mut c_void,
    );
    fn _exit(status: c_int) -> !;
}

/// The API version this plugin is written against.
#[no_mangle]
pub static qemu_plugin_version: c_int = 1;

/// What the run asked for (from the plugin's arguments).
struct Config {
    out: String,
    /// Stores in [lo, hi) are stack stores.
    stack: Option<(u64, u64)>,
    /// Stop after this many instructions (at the next block boundary).
    limit: Option<u64>,
}

static CONFIG: OnceLock<Config> = OnceLock::new();
/// Executed instructions; added to inline by the translated code.
static mut INSNS: u64 = 0;
/// Instructions before the first semihosting call, plus one (0: none yet).
static BOOT: AtomicU64 = AtomicU64::new(0);
static LOWEST_STORE: AtomicU64 = AtomicU64::new(u64::MAX);

fn insns() -> u64 {
    // SAFETY: a plain read of a counter QEMU's generated code adds to; one vCPU.
    unsafe { std::ptr::addr_of!(INSNS).read_volatile() }
}

fn report(stopped: bool) {
    let Some(cfg) = CONFIG.get() else { return };
    let mut text = format!("instructions={}\nstopped_at_limit={stopped}\n", insns());
    let boot = BOOT.load(Ordering::Relaxed);
    if boot > 0 {
        text.push_str(&format!("boot={}\n", boot - 1));
    }
    let lowest = LOWEST_STORE.load(Ordering::Relaxed);
    if lowest != u64::MAX {
        text.push_str(&format!("lowest_stack_store={lowest}\n"));
    }
    if let Ok(mut f) = std::fs::File::create(&cfg.out) {
        let _ = f.write_all(text.as_bytes());
    }
}

extern "C" fn at_exit(_: PluginId, _: *mut c_void) {
    report(false);
}

extern "C" fn check_limit(_: c_uint, _: *mut c_void) {
    if let Some(limit) = CONFIG.get().and_then(|c| c.limit) {
        if insns() >= limit {
            report(true);
            // SAFETY: ends QEMU at once, as a deterministic stop; the
            // results are written and semihosting output is unbuffered.
            unsafe { _exit(0) }
        }
    }
}

extern "C" fn semihosting_call(_: c_uint, _: *mut c_void) {
    // Registered before the call's own count: what ran before it.
    let _ = BOOT.compare_exchange(0, insns() + 1, Ordering::Relaxed, Ordering::Relaxed);
}

extern "C" fn store(_: c_uint, _: MemInfo, vaddr: u64, _: *mut c_void) {
    if let Some((lo, hi)) = CONFIG.get().and_then(|c| c.stack) {
        if vaddr >= lo && vaddr < hi {
            LOWEST_STORE.fetch_min(vaddr, Ordering::Relaxed);
        }
    }
}

extern "C" fn translated(_: PluginId, tb: *mut Tb) {
    // SAFETY: `tb` is valid during this callback, as the API promises.
    unsafe {
        let n = qemu_plugin_tb_n_insns(tb);
        let counter = std::ptr::addr_of_mut!(INSNS).cast::<c_void>();
        let cfg = CONFIG.get();
        if cfg.is_some_and(|c| c.limit.is_some()) {
            qemu_plugin_register_vcpu_tb_exec_cb(tb, check_limit, CB_NO_REGS, std::ptr::null_mut());
        }
        let watch_stack = cfg.is_some_and(|c| c.stack.is_some());
        for i in 0..n {
            let insn = qemu_plugin_tb_get_insn(tb, i);
            let size = qemu_plugin_insn_size(insn);
            let data = std::slice::from_raw_parts(qemu_plugin_insn_data(insn).cast::<u8>(), size);
            // `bkpt 0xab` in Thumb: a semihosting call.
            if data == [0xab, 0xbe] {
                qemu_plugin_register_vcpu_insn_exec_cb(
                    insn,
                    semihosting_call,
                    CB_NO_REGS,
                    std::ptr::null_mut(),
                );
            }
            qemu_plugin_register_vcpu_insn_exec_inline(insn, INLINE_ADD_U64, counter, 1);
            if watch_stack {
                qemu_plugin_register_vcpu_mem_cb(insn, store, CB_NO_REGS, MEM_W, std::ptr::null_mut());
            }
        }
    }
}

fn parse(args: &[String]) -> Option<Config> {
    let mut out = None;
    let (mut lo, mut hi, mut limit) = (None, None, None);
    for a in args {
        let (k, v) = a.split_once('=')?;
        let num = || match v.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => v.parse().ok(),
        };
        match k {
            "out" => out = Some(v.to_string()),
            "lo" => lo = num(),
            "hi" => hi = num(),
            "limit" => limit = num().filter(|n| *n > 0),
            _ => return None,
        }
    }
    Some(Config {
        out: out?,
        stack: lo.zip(hi),
        limit,
    })
}

/// # Safety
/// Called by QEMU with `argc` valid C strings in `argv`.
#[no_mangle]
pub unsafe extern "C" fn qemu_plugin_install(
    id: PluginId,
    _info: *const c_void,
    argc: c_int,
    argv: *const *const c_char,
) -> c_int {
    let args: Vec<String> = (0..argc.max(0) as usize)
        .map(|i| CStr::from_ptr(*argv.add(i)).to_string_lossy().into_owned())
        .collect();
    let Some(cfg) = parse(&args) else {
        return -1;
    };
    let _ = CONFIG.set(cfg);
    qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
    qemu_plugin_register_atexit_cb(id, at_exit, std::ptr::null_mut());
    0
}
