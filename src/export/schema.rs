//! The published JSON Schemas of what the tool writes (docs/*.schema.json),
//! generated from the types themselves so they cannot drift from the output.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;

use crate::report::Report;

fn schema_of<T: JsonSchema>(title: &str) -> serde_json::Value {
    let generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    schema["title"] = title.into();
    schema
}

/// `(file name, schema)` for every JSON the tool writes: the report
/// (`--format json`), a diff, a history, an attribution (`top`), a bisect
/// result, an explanation (`why`).
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "report.schema.json",
            schema_of::<Report>("cargo weigh report (--format json)"),
        ),
        (
            "diff.schema.json",
            schema_of::<super::compare::JsonOut<'static>>("cargo weigh diff --format json"),
        ),
        (
            "history.schema.json",
            schema_of::<crate::history::History>("cargo weigh history --format json"),
        ),
        (
            "top.schema.json",
            schema_of::<super::top::JsonOut<'static>>("cargo weigh top --format json"),
        ),
        (
            "bisect.schema.json",
            schema_of::<super::bisect::Bisected<'static>>("cargo weigh bisect --format json"),
        ),
        (
            "why.schema.json",
            schema_of::<super::why::WhyReport>("cargo weigh why --format json"),
        ),
        (
            "record.schema.json",
            schema_of::<crate::records::Record>(
                "cargo weigh record show (one record per line; a note's line holds the row gzipped, in base64, as row_gzip_base64)",
            ),
        ),
    ]
}
