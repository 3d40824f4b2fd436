//! What `discover` says of a stream: its JSON schema and its catalog entry.

use serde_json::{json, Value};

use super::def::{Source, StreamDef};
use super::gmv_max::GmvMaxSpec;
use crate::metrics;
use crate::schema;

/// The Smart+ material reports' metrics, as a metric set.
const MATERIAL: metrics::MetricSet = &[metrics::SMART_PLUS_MATERIAL];

impl StreamDef {
    /// The JSON schema of the stream's records: its fields, and a report's metrics each typed.
    pub fn json_schema(&self) -> Value {
        let mut schema = schema::from_field_list(self.fields);
        let metric_set = match &self.source {
            Source::Report(spec) => Some(spec.metrics),
            Source::GmvMax(GmvMaxSpec::Report(spec)) => Some(spec.metrics),
            Source::SmartPlusMaterial(_) => Some(MATERIAL),
            _ => None,
        };
        if let Some(metric_set) = metric_set {
            let metrics = metrics::names(metric_set)
                .map(|m| (m.to_string(), schema::field_schema(metrics::schema_type(m))))
                .collect();
            let mut metrics_schema = schema::object_schema(metrics);
            metrics_schema["type"] = json!(["null", "object"]);
            metrics_schema.as_object_mut().unwrap().remove("$schema");
            schema["properties"]["metrics"] = metrics_schema;
        }
        if matches!(self.source, Source::Fanout(_) | Source::PixelStats(_)) {
            schema["description"] = json!(format!(
                "Primary key {:?}: the reference connector declares none; this one is the natural key of the data.",
                self.primary_key
            ));
        }
        schema
    }

    /// The stream as an Airbyte catalog entry.
    pub fn catalog_entry(&self) -> Value {
        let mut entry = json!({
            "name": self.name,
            "json_schema": self.json_schema(),
            "supported_sync_modes": if self.cursor.is_some() { json!(["full_refresh", "incremental"]) } else { json!(["full_refresh"]) },
            "source_defined_primary_key": self.primary_key.iter().map(|k| json!([k])).collect::<Vec<_>>(),
        });
        if let Some(cursor) = self.cursor {
            entry["source_defined_cursor"] = json!(true);
            entry["default_cursor_field"] = json!([cursor]);
        }
        // A read resumes from the per-advertiser state of streams with a cursor.
        entry["is_resumable"] = json!(self.cursor.is_some());
        entry
    }
}
