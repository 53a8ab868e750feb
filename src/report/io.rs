//! Reading a saved JSON report, its schema version checked first.

use super::data::{Report, SCHEMA_VERSION};

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read report `{path}`: {source}\n  hint: save one with `cargo weigh --format json --output {path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not a cargo-weigh JSON report: {detail}\n  hint: save one with `cargo weigh --format json --output FILE`")]
    Parse { path: String, detail: String },
    #[error("`{path}` has schema_version {found}, this cargo-weigh reads {SCHEMA_VERSION}\n  hint: regenerate the baseline report with this version")]
    Schema { path: String, found: u64 },
}

/// Read a saved JSON report, checking its schema version first.
pub fn read_report(path: &std::path::Path) -> Result<Report, ReadError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ReadError::Read {
        path: shown.clone(),
        source,
    })?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| ReadError::Parse {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
    let found = value
        .get("schema_version")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| ReadError::Parse {
            path: shown.clone(),
            detail: "no schema_version".into(),
        })?;
    if found != u64::from(SCHEMA_VERSION) {
        return Err(ReadError::Schema { path: shown, found });
    }
    serde_json::from_value(value).map_err(|e| ReadError::Parse {
        path: shown,
        detail: e.to_string(),
    })
}
