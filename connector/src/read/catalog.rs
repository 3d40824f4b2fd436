//! The configured catalog: which streams to read, and how.

use std::collections::HashSet;

use serde_json::Value;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::streams::{self, StreamDef};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    FullRefresh,
    Incremental,
}

/// One stream of the configured catalog.
pub struct SelectedStream {
    pub def: &'static StreamDef,
    pub mode: SyncMode,
}

/// Parse Airbyte's configured catalog, keeping only what this connector can serve.
pub fn parse(text: &str, config: &Config) -> Result<Vec<SelectedStream>> {
    let catalog: Value =
        serde_json::from_str(text).map_err(|e| Error::config(format!("catalog is not valid JSON: {e}")))?;
    let entries = catalog
        .get("streams")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::config("catalog: \"streams\" must be a list"))?;
    let mut selected = Vec::new();
    let mut seen = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let name = entry
            .pointer("/stream/name")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::config(format!("catalog: streams[{i}].stream.name is missing")))?;
        let def = config.streams().into_iter().find(|d| d.name == name).ok_or_else(|| {
            let why = if streams::find(name).is_some() {
                "is not available to sandbox configs"
            } else {
                "is not a stream of this connector"
            };
            Error::config(format!("catalog: stream {name:?} {why}"))
        })?;
        let mode = match entry.get("sync_mode").and_then(Value::as_str) {
            Some("incremental") if def.cursor.is_some() => SyncMode::Incremental,
            Some("incremental") => {
                return Err(Error::config(format!("catalog: stream {name:?} supports full_refresh only")))
            }
            Some("full_refresh") | None => SyncMode::FullRefresh,
            Some(other) => return Err(Error::config(format!("catalog: streams[{i}].sync_mode {other:?} is unknown"))),
        };
        if seen.insert(name) {
            selected.push(SelectedStream { def, mode });
        }
    }
    Ok(selected)
}
