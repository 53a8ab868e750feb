//! JSON: the whole report, versioned by `schema_version`; its schema is
//! docs/report.schema.json.

use serde::Serialize;

pub fn render<T: Serialize>(value: &T) -> anyhow::Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(value)?;
    v.push(b'\n');
    Ok(v)
}
