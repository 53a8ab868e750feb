//! What a configuration costs at run time (`--runtime`): instructions
//! executed (counted exactly under QEMU for firmware, by valgrind for host
//! binaries), instructions to the first output (boot), the deepest stack
//! observed, and, from the code, a static bound on the stack.

mod firmware;
mod host;
mod plugin;
mod stack;
mod thumb;
mod types;

pub use firmware::{measure_firmware, stack_range, FirmwareJob, FirmwareRun, StackRange};
pub use host::{measure_host, HostWorkload};
pub use plugin::installed_plugin;
pub use stack::{static_stack, StaticStack};
pub use types::{Interrupted, Runtime};
