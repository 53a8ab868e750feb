//! What an update sends, per codec and in all.

use serde::{Deserialize, Serialize};

/// One codec's output size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Compressed {
    /// `zstd -19`, `xz -9e`, `lz4 -12`, `heatshrink -w 8 -l 4`.
    pub codec: String,
    pub bytes: u64,
}

/// The OTA figures of one configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Ota {
    /// What is sent: `image` (firmware) or `stripped file` (hosted).
    pub payload: String,
    pub payload_bytes: u64,
    /// The smallest of the codecs.
    pub compressed_image_bytes: u64,
    pub codecs: Vec<Compressed>,
    /// The bsdiff patch (BSDIFF40, bzip2 inside) from the `--ota-baseline`
    /// build to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_bytes: Option<u64>,
    /// What the delta is taken against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_from: Option<String>,
}

impl Ota {
    /// What an update sends: the delta when there is one, else the
    /// smallest compressed payload.
    pub fn sent_bytes(&self) -> u64 {
        self.delta_bytes
            .unwrap_or(self.compressed_image_bytes)
            .min(self.compressed_image_bytes)
    }
}
