//! Incremental state: one cursor value per partition of a stream: an advertiser, or an
//! (advertiser, store) pair for GMV Max reports (a store's data belongs to the pair).
//!
//! Emitted as `{"states": [{"partition": {"advertiser_id": "…"}, "cursor": {"<field>": "…"}}]}`
//! (with `"store_id"` beside the advertiser where the partition has one), the per-partition form
//! of Airbyte's low-code connectors. Also accepted on input: the legacy
//! `{"<advertiser_id>": {"<field>": "…"}}` map and a single global `{"<field>": "…"}`.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};

/// What one cursor value covers: an advertiser's part of a stream, or one of its stores'.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Partition {
    pub advertiser_id: String,
    pub store_id: Option<String>,
}

impl Partition {
    pub fn advertiser(advertiser: &str) -> Self {
        Self { advertiser_id: advertiser.to_string(), store_id: None }
    }

    pub fn store(advertiser: &str, store: &str) -> Self {
        Self { advertiser_id: advertiser.to_string(), store_id: Some(store.to_string()) }
    }
}

#[derive(Debug, Default, Clone)]
pub struct PartitionedCursor {
    field: &'static str,
    by_partition: BTreeMap<Partition, String>,
    /// A cursor that applies to advertisers without their own (legacy global state).
    global: Option<String>,
}

/// TikTok's timestamp forms: entity `YYYY-MM-DD HH:MM:SS`, creative ISO `…Z`, report days.
pub fn parse_time(value: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%SZ"))
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.fZ"))
        .or_else(|_| chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map(|d| d.and_hms_opt(0, 0, 0).unwrap()))
        .ok()
}

impl PartitionedCursor {
    pub fn empty(field: &'static str) -> Self {
        Self { field, ..Self::default() }
    }

    /// Read a stream's state as the host handed it over; `stream` names it in errors.
    pub fn parse(stream: &str, field: &'static str, state: Option<&Value>) -> Result<Self> {
        let mut cursor = Self::empty(field);
        let Some(state) = state else { return Ok(cursor) };
        let bad = |why: &str| Error::config(format!("state of stream {stream}: {why}"));
        let obj = match state {
            Value::Object(obj) => obj,
            Value::Null => return Ok(cursor),
            _ => return Err(bad("must be a JSON object")),
        };
        if let Some(states) = obj.get("states") {
            let states = states.as_array().ok_or_else(|| bad("\"states\" must be a list"))?;
            for entry in states {
                let advertiser_id = entry
                    .pointer("/partition/advertiser_id")
                    .and_then(crate::integer_ids::id_text)
                    .ok_or_else(|| bad("every entry of \"states\" needs partition.advertiser_id"))?;
                let store_id = match entry.pointer("/partition/store_id") {
                    None | Some(Value::Null) => None,
                    Some(v) => {
                        Some(crate::integer_ids::id_text(v).ok_or_else(|| bad("partition.store_id must be an id"))?)
                    }
                };
                let partition = Partition { advertiser_id, store_id };
                let value = entry
                    .get("cursor")
                    .and_then(|c| c.get(field))
                    .ok_or_else(|| bad(&format!("every entry of \"states\" needs cursor.{field}")))?;
                cursor.set_checked(partition, value, &bad)?;
            }
        } else if let Some(value) = obj.get(field) {
            cursor.global = Some(checked_time(value, &bad)?);
        } else {
            for (advertiser, entry) in obj {
                if !advertiser.chars().all(|c| c.is_ascii_digit()) {
                    return Err(bad(&format!("unexpected key {advertiser:?}")));
                }
                let value = entry.get(field).ok_or_else(|| bad(&format!("advertiser {advertiser} has no {field}")))?;
                cursor.set_checked(Partition::advertiser(advertiser), value, &bad)?;
            }
        }
        Ok(cursor)
    }

    fn set_checked(&mut self, partition: Partition, value: &Value, bad: &dyn Fn(&str) -> Error) -> Result<()> {
        let value = checked_time(value, bad)?;
        self.by_partition.insert(partition, value);
        Ok(())
    }

    pub fn get(&self, partition: &Partition) -> Option<&str> {
        self.by_partition.get(partition).or(self.global.as_ref()).map(String::as_str)
    }

    /// Move a partition's cursor forward (never back).
    pub fn advance(&mut self, partition: &Partition, value: &str) {
        let newer = match self.get(partition) {
            Some(current) => parse_time(value) > parse_time(current),
            None => true,
        };
        if newer {
            self.by_partition.insert(partition.clone(), value.to_string());
        }
    }

    pub fn to_json(&self) -> Value {
        let states: Vec<Value> = self
            .by_partition
            .iter()
            .map(|(partition, value)| {
                let mut key = json!({"advertiser_id": partition.advertiser_id});
                if let Some(store) = &partition.store_id {
                    key["store_id"] = json!(store);
                }
                json!({"partition": key, "cursor": {self.field: value}})
            })
            .collect();
        let mut obj = Map::new();
        obj.insert("states".into(), Value::Array(states));
        Value::Object(obj)
    }
}

fn checked_time(value: &Value, bad: &dyn Fn(&str) -> Error) -> Result<String> {
    match value.as_str() {
        Some(s) if parse_time(s).is_some() => Ok(s.to_string()),
        _ => Err(bad(&format!("cursor value {value} is not a TikTok timestamp"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_accepts_legacy_forms() {
        let mut c = PartitionedCursor::empty("modify_time");
        let (one, store) = (Partition::advertiser("1"), Partition::store("1", "9"));
        c.advance(&one, "2024-01-02 00:00:00");
        c.advance(&one, "2024-01-01 00:00:00");
        c.advance(&store, "2024-01-05 00:00:00");
        let json = c.to_json();
        let back = PartitionedCursor::parse("s", "modify_time", Some(&json)).unwrap();
        assert_eq!(back.get(&one), Some("2024-01-02 00:00:00"));
        assert_eq!(back.get(&store), Some("2024-01-05 00:00:00"), "{json}");
        assert_eq!(back.get(&Partition::store("1", "8")), None, "another store of the advertiser has its own");
        let legacy = serde_json::json!({"7": {"modify_time": "2024-01-01 00:00:00"}});
        assert_eq!(
            PartitionedCursor::parse("s", "modify_time", Some(&legacy)).unwrap().get(&Partition::advertiser("7")),
            Some("2024-01-01 00:00:00")
        );
        let global = serde_json::json!({"modify_time": "2024-01-01 00:00:00"});
        assert_eq!(
            PartitionedCursor::parse("s", "modify_time", Some(&global)).unwrap().get(&Partition::store("9", "1")),
            Some("2024-01-01 00:00:00")
        );
    }

    #[test]
    fn rejects_malformed_state_with_the_stream_name() {
        for bad in
            [serde_json::json!([1]), serde_json::json!({"states": 3}), serde_json::json!({"modify_time": "yesterday"})]
        {
            let e = PartitionedCursor::parse("ads", "modify_time", Some(&bad)).unwrap_err();
            assert!(e.message.contains("stream ads"), "{}", e.message);
        }
    }
}
