//! What a configuration costs at run time (`--runtime`): instructions
//! executed (counted exactly under QEMU for firmware, by valgrind for host
//! binaries), instructions to the first output (boot), the deepest stack
//! observed, and, from the code, a static bound on the stack.

mod firmware;
mod host;
mod plugin;
#[cfg(feature = "runtime")]
mod stack;
#[cfg(feature = "runtime")]
mod thumb;
mod types;

pub use firmware::{measure_firmware, stack_range, FirmwareJob, FirmwareRun, StackRange};
pub use host::{measure_host, HostWorkload};
pub use plugin::installed_plugin;
#[cfg(feature = "runtime")]
pub use stack::static_stack;
pub use types::{Interrupted, Runtime, StaticStack};

/// Without the disassembler (the `runtime` feature), no static bound.
#[cfg(not(feature = "runtime"))]
pub fn static_stack(_: &[u8]) -> StaticStack {
    StaticStack {
        bytes: None,
        note: "not computed: this cargo-weigh was built without its `runtime` feature (the Thumb disassembler); cargo install cargo-weigh --features runtime".into(),
    }
}
