//! The cursors of a state: each advertiser's place in a stream, as the connector writes it
//! (`{"states": [{"partition": {"advertiser_id": …}, "cursor": {"<field>": …}}]}`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

/// One advertiser's cursor: its field (`stat_time_day`, `modify_time`, …) and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub field: String,
    pub value: String,
}

impl Cursor {
    /// The day of a cursor value (its first ten characters).
    pub fn day(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.value[..10], "%Y-%m-%d").unwrap()
    }
}

/// Each advertiser's cursor of `stream` in `state` (a `--state` file's list of stream states,
/// as `Run::final_state` gives it); none when the state has no entry for the stream.
pub fn cursors(state: &Value, stream: &str) -> BTreeMap<String, Cursor> {
    let entries = state.as_array().expect("a state is a list of stream states");
    entries.iter().filter(|s| s["stream"]["stream_descriptor"]["name"] == stream).flat_map(cursors_in).collect()
}

/// Each advertiser's cursor in one stream state (a STATE message's `state`).
pub fn cursors_in(stream_state: &Value) -> BTreeMap<String, Cursor> {
    let name = &stream_state["stream"]["stream_descriptor"]["name"];
    let partitions = stream_state["stream"]["stream_state"]["states"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: no per-advertiser states in {stream_state}"));
    partitions
        .iter()
        .map(|p| {
            // A GMV Max cursor is per (advertiser, store): keyed `advertiser/store`.
            let advertiser = match p["partition"]["store_id"].as_str() {
                Some(store) => format!("{}/{store}", p["partition"]["advertiser_id"].as_str().unwrap()),
                None => p["partition"]["advertiser_id"].as_str().unwrap().to_string(),
            };
            let cursor = p["cursor"].as_object().filter(|c| c.len() == 1).expect("a cursor of one field");
            let (field, value) = cursor.iter().next().unwrap();
            (advertiser, Cursor { field: field.clone(), value: value.as_str().unwrap().to_string() })
        })
        .collect()
}

/// Each advertiser's cursor day of the daily `stream` (its `stat_time_day`) in `state`.
pub fn cursor_days(state: &Value, stream: &str) -> BTreeMap<String, NaiveDate> {
    let days = cursors(state, stream).into_iter().map(|(advertiser, cursor)| {
        assert_eq!(cursor.field, "stat_time_day", "{stream}: the cursor of advertiser {advertiser}");
        (advertiser, cursor.day())
    });
    days.collect()
}
