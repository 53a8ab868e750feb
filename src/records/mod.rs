//! Size records: what one configuration measured at one commit, small
//! enough to travel with the repository (git notes under
//! `refs/notes/cargo-weigh`) or in a directory a CI cache keeps, so that a
//! commit measured once anywhere is not built again.
//!
//! A record is keyed by everything that decides the build and nothing of
//! the machine: the configuration's inputs, the project's files (the
//! commit's tree), the cargo configuration and environment, the toolchain,
//! the target. One line of JSON each: a commit's note is its records, one
//! per line, so git's `cat_sort_uniq` notes merge joins two machines'
//! records without a conflict. Two records of one key whose figures differ
//! are reported and neither is used.

mod notes;
mod record;
mod store;

pub use notes::{fetch, push, NOTES_REF};
pub use record::{find, parse_lines, Found, Record, RECORDED_SYMBOLS, RECORD_SCHEMA};
pub use store::{store_of, RecordError, Store};

#[cfg(test)]
mod tests;
