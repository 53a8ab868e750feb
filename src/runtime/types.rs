//! What `--runtime` reports per configuration.

use serde::{Deserialize, Serialize};

/// Run-time figures of one configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Runtime {
    /// How the figures were obtained.
    pub method: String,
    /// Instructions executed from reset (or process start) to exit, or to
    /// the instruction budget when `stopped_at_limit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<u64>,
    /// Instructions executed before the first semihosting call (firmware).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_instructions: Option<u64>,
    /// The run did not exit: it was stopped after the instruction budget.
    #[serde(default)]
    pub stopped_at_limit: bool,
    /// Deepest stack observed: bytes below the initial stack pointer that
    /// the program wrote to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_bytes: Option<u64>,
    /// Why the stack was not observed, or how to read the figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_note: Option<String>,
    /// Worst-case stack from the code: frames along the deepest call path
    /// from the reset handler and from each interrupt handler; `None` when
    /// unbounded or unknown (see the note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_stack_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_stack_note: Option<String>,
    /// Host binaries: median wall time of the workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_seconds: Option<f64>,
    /// Host binaries: (slowest − fastest) / median of the timed runs, in %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_spread: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Why the run could not be measured (the size figures stand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Runtime {
    /// A run that could not be measured, with the reason.
    pub fn failed(method: &str, error: String) -> Runtime {
        Runtime {
            method: method.to_string(),
            instructions: None,
            boot_instructions: None,
            stopped_at_limit: false,
            stack_bytes: None,
            stack_note: None,
            static_stack_bytes: None,
            static_stack_note: None,
            wall_seconds: None,
            wall_spread: None,
            exit_code: None,
            error: Some(error),
        }
    }

    /// Instructions comparable between configurations: the run exited.
    pub fn comparable_instructions(&self) -> Option<u64> {
        self.instructions.filter(|_| !self.stopped_at_limit)
    }
}

pub use crate::process::Interrupted;

/// The static bound and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticStack {
    /// `None` when unbounded or not computable (see `note`).
    pub bytes: Option<u64>,
    /// The deepest path, or why there is no bound (with a lower bound).
    pub note: String,
}
