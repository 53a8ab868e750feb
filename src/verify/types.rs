//! What `--verify` records per configuration.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum VerifyStatus {
    /// The reference run.
    Baseline,
    /// Same exit status and output as the baseline.
    Same,
    /// Different exit status or output.
    Different,
    /// Could not be run at all.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Verification {
    pub status: VerifyStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    /// Standard output then standard error, as text (at most 4 KiB kept).
    pub output: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The firmware did not exit: it was stopped after an instruction
    /// budget (deterministically), and only complete lines were compared.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stopped_at_limit: bool,
}

pub use crate::process::Interrupted;
