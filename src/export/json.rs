//! JSON: the whole report, versioned by `schema_version`.

use super::Exporter;
use crate::report::Report;

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn render(&self, report: &Report) -> anyhow::Result<Vec<u8>> {
        let mut v = serde_json::to_vec_pretty(report)?;
        v.push(b'\n');
        Ok(v)
    }
}
