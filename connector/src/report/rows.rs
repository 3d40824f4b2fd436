//! What a report answer becomes: records in the reference's shape (`dimensions` and `metrics`
//! objects, every dimension lifted to the top level, the advertiser added, metrics typed).
//!
//! Synchronous pages are read straight from the answer's bytes into record texts
//! ([`page_records`]): no JSON tree is built for the thousands of rows of a page. Rows from a
//! task CSV and summed windows go through [`to_record`], which gives the same records.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::marker::PhantomData;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use crate::metrics::{self, Raw, Typed};

/// One page of a synchronous report, as record texts.
pub struct ReportPage {
    pub records: Vec<String>,
    pub total_pages: u64,
    /// Metrics whose value could not be read (emitted as null), with the text that came.
    pub unreadable: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    data: Option<Data<'a>>,
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(borrow, default)]
    list: Option<Vec<Row<'a>>>,
    #[serde(borrow, default)]
    page_info: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Row<'a> {
    #[serde(borrow, default)]
    dimensions: Option<Fields<'a>>,
    #[serde(borrow, default)]
    metrics: Option<Fields<'a>>,
}

/// A JSON object's entries in order, values left as their JSON text.
#[derive(Default)]
struct Fields<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

/// An object key, borrowed from the answer unless it had escapes.
#[derive(Deserialize)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Fields<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FieldsVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for FieldsVisitor<'a> {
            type Value = Fields<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some((Key(key), value)) = map.next_entry::<Key<'a>, &'a RawValue>()? {
                    fields.push((key, value));
                }
                Ok(Fields(fields))
            }
        }
        d.deserialize_map(FieldsVisitor(PhantomData))
    }
}

/// The name a dimension also has at the top level of a record: the integrated report's
/// `ad_id_v2` is the Smart+ ad, `smart_plus_ad_id` in `smart_plus/ad/get/` (DOC-SYNC).
fn alias_of(dimension: &str) -> Option<&'static str> {
    (dimension == "ad_id_v2").then_some("smart_plus_ad_id")
}

/// Read one synchronous report page into record texts.
pub fn page_records(body: &[u8], advertiser: &str) -> Result<ReportPage, String> {
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| format!("the report page is not in TikTok's shape ({e})"))?;
    let data = envelope.data.unwrap_or(Data { list: None, page_info: None });
    let page_info = data.page_info.and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok());
    let total_pages = crate::api::total_pages(page_info.as_ref());
    let mut unreadable = BTreeMap::new();
    let rows = data.list.unwrap_or_default();
    let records = rows.iter().map(|row| record_text(row, advertiser, &mut unreadable)).collect();
    Ok(ReportPage { records, total_pages, unreadable })
}

/// Whether a row's own `advertiser_id` dimension (its JSON text) can stand in a record: a
/// non-empty string. Otherwise the request's advertiser does.
fn is_usable_advertiser(json: &str) -> bool {
    json.len() > 2 && json.starts_with('"')
}

fn record_text(row: &Row, advertiser: &str, unreadable: &mut BTreeMap<String, String>) -> String {
    let empty = Fields::default();
    let dimensions = row.dimensions.as_ref().unwrap_or(&empty);
    let metrics = row.metrics.as_ref().unwrap_or(&empty);
    let mut out = String::with_capacity(64 + 48 * metrics.0.len());
    out.push('{');
    // The row's own advertiser dimension, when it is a usable id; else the request's.
    let own_advertiser = dimensions.0.iter().any(|(k, v)| k == "advertiser_id" && is_usable_advertiser(v.get()));
    for (key, value) in &dimensions.0 {
        let shadowed = key == "metrics" || key == "dimensions" || (key == "advertiser_id" && !own_advertiser);
        if !shadowed {
            push_entry(&mut out, key, value.get());
        }
        if let Some(alias) = alias_of(key) {
            push_entry(&mut out, alias, value.get());
        }
    }
    if !own_advertiser {
        push_json_str(&mut out, "advertiser_id");
        out.push(':');
        push_json_str(&mut out, advertiser);
        out.push(',');
    }
    out.push_str("\"metrics\":{");
    for (name, value) in &metrics.0 {
        let mut owned = String::new();
        let raw = raw_of(value.get(), &mut owned);
        push_json_str(&mut out, name);
        out.push(':');
        match metrics::type_value(name, raw) {
            Ok(typed) => push_typed(&mut out, &typed),
            Err(()) => {
                unreadable.insert(name.to_string(), raw_text(raw));
                out.push_str("null");
            }
        }
        out.push(',');
    }
    close(&mut out, '}');
    out.push_str(",\"dimensions\":{");
    for (key, value) in &dimensions.0 {
        push_entry(&mut out, key, value.get());
    }
    close(&mut out, '}');
    out.push('}');
    out
}

/// A metric's JSON text as a value to type; `owned` holds an unescaped string if needed.
fn raw_of<'a>(json: &'a str, owned: &'a mut String) -> Raw<'a> {
    match json.as_bytes().first() {
        Some(b'"') if !json.contains('\\') => Raw::Text(&json[1..json.len() - 1]),
        Some(b'"') => {
            *owned = serde_json::from_str(json).unwrap_or_default();
            Raw::Text(owned)
        }
        Some(b'n') => Raw::Null,
        Some(b'-' | b'0'..=b'9') => Raw::Number(json),
        _ => Raw::Text(json),
    }
}

fn raw_text(raw: Raw) -> String {
    match raw {
        Raw::Null => "null".into(),
        Raw::Text(t) | Raw::Number(t) => t.to_string(),
    }
}

fn push_typed(out: &mut String, typed: &Typed) {
    match typed {
        Typed::Null => out.push_str("null"),
        Typed::Integer(n) => {
            let _ = write!(out, "{n}");
        }
        Typed::Exact(text) => out.push_str(text),
        Typed::Text(text) => push_json_str(out, text),
    }
}

fn push_entry(out: &mut String, key: &str, raw_json: &str) {
    push_json_str(out, key);
    out.push(':');
    out.push_str(raw_json);
    out.push(',');
}

/// Replace a trailing comma (or open an empty object) and close.
fn close(out: &mut String, bracket: char) {
    if out.ends_with(',') {
        out.pop();
    }
    out.push(bracket);
}

fn push_json_str(out: &mut String, s: &str) {
    if s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    } else {
        out.push('"');
        out.push_str(s);
        out.push('"');
    }
}

/// A report row in the reference's record shape: `dimensions` and `metrics` objects, every
/// dimension lifted to the top level, the advertiser added, metrics typed. Metric values that
/// cannot be read are nulled and named in `unreadable`.
pub fn to_record(row: Value, advertiser: &str, unreadable: &mut BTreeMap<String, String>) -> Value {
    let (dimensions, raw_metrics) = match row {
        Value::Object(mut obj) => {
            (obj.remove("dimensions").unwrap_or_else(|| json!({})), obj.remove("metrics").unwrap_or_else(|| json!({})))
        }
        _ => (json!({}), json!({})),
    };
    let mut record = Map::new();
    if let Value::Object(dims) = &dimensions {
        for (k, v) in dims {
            record.insert(k.clone(), v.clone());
            if let Some(alias) = alias_of(k) {
                record.insert(alias.into(), v.clone());
            }
        }
    }
    // The row's own advertiser dimension, when it is a usable id; else the request's.
    if !record.get("advertiser_id").is_some_and(|id| is_usable_advertiser(&id.to_string())) {
        record.insert("advertiser_id".into(), json!(advertiser));
    }
    let mut typed = Map::new();
    if let Value::Object(m) = raw_metrics {
        for (name, value) in m {
            let converted = metrics::convert(&name, value).unwrap_or_else(|text| {
                unreadable.insert(name.clone(), text);
                Value::Null
            });
            typed.insert(name, converted);
        }
    }
    record.insert("metrics".into(), Value::Object(typed));
    record.insert("dimensions".into(), dimensions);
    Value::Object(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_reference_shaped_typed_records() {
        let row = json!({"dimensions": {"ad_id": "1", "stat_time_day": "2024-01-03 00:00:00"},
                         "metrics": {"spend": "20.00", "impressions": "5830", "secondary_goal_result": "-", "ad_name": "A"}});
        let mut bad = BTreeMap::new();
        let r = to_record(row, "7", &mut bad);
        assert_eq!(r["ad_id"], "1");
        assert_eq!(r["advertiser_id"], "7");
        assert_eq!(r["stat_time_day"], "2024-01-03 00:00:00");
        assert_eq!(r["metrics"]["impressions"], 5830);
        assert_eq!(r["metrics"]["spend"].to_string(), "20.00");
        assert_eq!(r["metrics"]["secondary_goal_result"], Value::Null);
        assert_eq!(r["dimensions"]["ad_id"], "1");
        assert!(bad.is_empty());
    }

    #[test]
    fn page_records_equal_the_json_tree_path() {
        let rows = json!([
            {"dimensions": {"ad_id": "1", "stat_time_day": "2024-01-03 00:00:00"},
             "metrics": {"spend": "20.00", "impressions": "5,830", "ctr": "1.18%", "secondary_goal_result": "-",
                         "ad_name": "Sale, \"big\"\n", "clicks": "1.5", "cpc": 0.5, "tt_app_id": "0"}},
            {"dimensions": {"advertiser_id": "99", "gender": "MALE"}, "metrics": {}},
            {"dimensions": {"advertiser_id": "", "age": "AGE_13_17"}, "metrics": {"reach": null}},
            {"dimensions": {"advertiser_id": 5, "country_code": "US"}, "metrics": {}},
            {"metrics": {"likes": "3"}}
        ]);
        let body =
            json!({"code": 0, "message": "OK", "data": {"list": rows, "page_info": {"page": 1, "total_page": 3}}})
                .to_string();
        let page = page_records(body.as_bytes(), "7").unwrap();
        assert_eq!(page.total_pages, 3);
        let mut unreadable = BTreeMap::new();
        for (text, row) in page.records.iter().zip(rows.as_array().unwrap()) {
            let fast: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
            assert_eq!(fast, to_record(row.clone(), "7", &mut unreadable), "{text}");
        }
        assert_eq!(page.unreadable, unreadable);
        assert_eq!(page.unreadable.get("clicks").map(String::as_str), Some("1.5"));
        assert!(page_records(br#"{"code":0,"data":{"list":"not a list"}}"#, "7").is_err());
        assert!(page_records(br#"{"code":0,"data":{}}"#, "7").unwrap().records.is_empty());
    }
}

/// `make bench` runs this natively: where the component's CPU per record goes, by step.
mod sum;

pub use sum::sum_records;

#[cfg(test)]
mod profile;
