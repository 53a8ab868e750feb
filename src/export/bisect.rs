//! Rendering what `cargo weigh bisect` found: the verdict, then the diff of
//! the commit that grew against its parent.

use serde::Serialize;

use crate::compare::Diff;

/// What bisect found (`--format json`; docs/bisect.schema.json).
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Bisected<'a> {
    pub schema_version: u32,
    /// A single commit grew the figure by the threshold or more.
    pub found: bool,
    pub config: &'a str,
    /// flash, ram, stripped, image or file.
    pub metric: &'static str,
    pub threshold_bytes: u64,
    /// The commit that grew (or where the total crossed the threshold).
    pub commit: &'a str,
    pub summary: &'a str,
    pub parent: &'a str,
    pub before_bytes: u64,
    pub after_bytes: u64,
    pub grew_bytes: i64,
    /// Commits built to find it.
    pub builds: usize,
    pub diff: &'a Diff,
    /// The sentence a person reads (not in JSON: its figures are above).
    #[serde(skip)]
    pub verdict: String,
    /// Crates and symbols listed per configuration.
    #[serde(skip)]
    pub limit: usize,
}

impl Bisected<'_> {
    fn with_verdict(&self, body: String) -> String {
        format!("{}\n\n{body}", self.verdict)
    }
}

impl super::document::Document for Bisected<'_> {
    fn json(&self) -> anyhow::Result<Vec<u8>> {
        super::json::render(self)
    }
    /// The diff's rows; the verdict goes to stderr (CSV has no place for it).
    fn csv(&self) -> anyhow::Result<Vec<u8>> {
        super::compare::render_diff(self.diff, crate::options::Format::Csv, self.limit)
    }
    fn html(&self) -> Vec<u8> {
        let mut diff = self.diff.clone();
        diff.notes.insert(0, self.verdict.clone());
        super::html::diff_page(&diff, self.limit)
    }
    fn markdown(&self) -> String {
        let body =
            super::compare::render_diff(self.diff, crate::options::Format::Markdown, self.limit);
        self.with_verdict(String::from_utf8_lossy(&body.unwrap_or_default()).into_owned())
    }
    fn terminal(&self, width: Option<usize>) -> String {
        let body = super::compare::terminal_text_at(self.diff, self.limit, width);
        self.with_verdict(body)
    }
}
