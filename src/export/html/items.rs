//! What the page's treemap reads: boxes with a name, a crate, a size and
//! a label (shared by the report's attribution and `top --retained`).

use serde::Serialize;

#[derive(Serialize)]
pub(super) struct Item {
    pub(super) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(rename = "crate")]
    pub(super) krate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) section: Option<String>,
    pub(super) v: u64,
    pub(super) label: String,
}

#[derive(Serialize)]
pub(super) struct Attributed {
    pub(super) crates: Vec<Item>,
    pub(super) symbols: Vec<Item>,
    /// What the treemap nests in each crate's box: the listed symbols'
    /// bytes counted for that crate (as the crate table counts them), and
    /// the rest of the crate's bytes in one box.
    pub(super) parts: Vec<Item>,
}
