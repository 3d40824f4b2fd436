//! Report mechanics shared by every report stream: date windows, the request, record shaping
//! and typed metrics.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde_json::{json, Map, Value};

use crate::api::ApiRequest;
use crate::metrics;
use crate::streams::{Granularity, ReportSpec, ReportType};

/// An inclusive range of advertiser-local days, as `start_date`/`end_date` of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl DateWindow {
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// Two halves, for a query TikTok says is too large (40067).
    pub fn split(&self) -> (DateWindow, DateWindow) {
        let mid = self.start + Duration::days(self.days() / 2 - 1);
        (DateWindow { start: self.start, end: mid }, DateWindow { start: mid + Duration::days(1), end: self.end })
    }

    /// Consecutive windows of at most `width` days covering `start..=end`.
    pub fn cover(start: NaiveDate, end: NaiveDate, width: u32) -> Vec<DateWindow> {
        let mut windows = Vec::new();
        let mut from = start;
        while from <= end {
            let to = (from + Duration::days(width as i64 - 1)).min(end);
            windows.push(DateWindow { start: from, end: to });
            from = to + Duration::days(1);
        }
        windows
    }
}

/// Days per request TikTok allows for a granularity (lifetime audience reports are read in
/// windows of a year and summed).
pub fn max_window_days(granularity: Granularity) -> u32 {
    match granularity {
        Granularity::Daily => 30,
        Granularity::Hourly => 1,
        Granularity::Lifetime => 365,
    }
}

/// The cursor value that says every day up to `day` was read.
pub fn cursor_value(granularity: Granularity, day: NaiveDate) -> String {
    match granularity {
        Granularity::Hourly => format!("{day} 23:00:00"),
        _ => format!("{day} 00:00:00"),
    }
}

/// `filtering` that asks for deleted objects of the report's level too (v1.3's parameter;
/// `filter_value` is a JSON array inside the JSON). The advertiser level counts deleted
/// campaigns.
fn status_all_filtering(data_level: &str) -> Value {
    let field = match data_level {
        "AUCTION_AD" => "ad_status",
        "AUCTION_ADGROUP" => "adgroup_status",
        _ => "campaign_status",
    };
    json!([{"field_name": field, "filter_type": "IN", "filter_value": json!(["STATUS_ALL"]).to_string()}])
}

/// The parameters that define a report query, shared by the synchronous request and the async
/// task, so both always ask for the same report.
fn query_fields(spec: &ReportSpec, advertiser: &str, window: Option<DateWindow>, include_deleted: bool) -> Vec<(&'static str, Value)> {
    let metrics: Vec<&str> = spec.metrics.split_whitespace().collect();
    let report_type = match spec.report_type {
        ReportType::Basic => "BASIC",
        ReportType::Audience => "AUDIENCE",
    };
    let mut fields = vec![
        ("advertiser_id", json!(advertiser)),
        ("service_type", json!("AUCTION")),
        ("report_type", json!(report_type)),
        ("data_level", json!(spec.data_level)),
        ("dimensions", json!(spec.dimensions)),
        ("metrics", json!(metrics)),
    ];
    match window {
        Some(w) => fields.extend([("start_date", json!(w.start.to_string())), ("end_date", json!(w.end.to_string()))]),
        None => fields.push(("query_lifetime", json!(true))),
    }
    if include_deleted {
        fields.push(("filtering", status_all_filtering(spec.data_level)));
    }
    fields
}

/// The body of an async report task (`report/task/create/`) for the same report: raw field
/// names as CSV headers, no date-span limit, no 20k-ads truncation.
pub fn task_body(spec: &ReportSpec, advertiser: &str, window: Option<DateWindow>, include_deleted: bool) -> Value {
    let mut body: Map<String, Value> =
        query_fields(spec, advertiser, window, include_deleted).into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    body.insert("output_format".into(), json!("CSV_STRING"));
    body.insert("enable_report_title_translation".into(), json!(false));
    Value::Object(body)
}

/// Rows of a downloaded task CSV in the synchronous report's shape: the report's dimensions
/// go to `dimensions`, every other column to `metrics`.
pub fn rows_from_csv(csv: &str, spec: &ReportSpec) -> Result<Vec<Value>, String> {
    let mut lines = parse_csv(csv).into_iter();
    let Some(header) = lines.next() else { return Ok(Vec::new()) };
    let mut rows = Vec::new();
    for (n, cells) in lines.enumerate() {
        if cells.len() == 1 && cells[0].is_empty() {
            continue;
        }
        if cells.len() != header.len() {
            return Err(format!("CSV row {} has {} cells for {} columns", n + 2, cells.len(), header.len()));
        }
        let (mut dims, mut mets) = (Map::new(), Map::new());
        for (name, cell) in header.iter().zip(cells) {
            let target = if spec.dimensions.contains(&name.as_str()) { &mut dims } else { &mut mets };
            target.insert(name.clone(), Value::String(cell));
        }
        rows.push(json!({"dimensions": dims, "metrics": mets}));
    }
    Ok(rows)
}

/// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

pub fn request(spec: &ReportSpec, advertiser: &str, window: Option<DateWindow>, include_deleted: bool) -> ApiRequest {
    // Scalars go as they are; arrays and objects as JSON text (`ApiRequest::json_param`).
    query_fields(spec, advertiser, window, include_deleted)
        .into_iter()
        .fold(ApiRequest::new("report/integrated/get"), |request, (key, value)| match value {
            Value::String(text) => request.param(key, text),
            other => request.json_param(key, &other),
        })
        .param("page_size", "1000")
}

/// A report row in the reference's record shape: `dimensions` and `metrics` objects, every
/// dimension lifted to the top level, the advertiser added, metrics typed. Metric values that
/// cannot be read are nulled and named in `unreadable`.
pub fn to_record(row: Value, advertiser: &str, unreadable: &mut BTreeMap<String, String>) -> Value {
    let (dimensions, raw_metrics) = match row {
        Value::Object(mut obj) => (
            obj.remove("dimensions").unwrap_or_else(|| json!({})),
            obj.remove("metrics").unwrap_or_else(|| json!({})),
        ),
        _ => (json!({}), json!({})),
    };
    let mut record = Map::new();
    if let Value::Object(dims) = &dimensions {
        for (k, v) in dims {
            record.insert(k.clone(), v.clone());
        }
    }
    // The row's own advertiser dimension, when it is a usable id; else the request's.
    if !record.get("advertiser_id").and_then(Value::as_str).is_some_and(|id| !id.is_empty()) {
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

/// Sum the rows of several windows into one row per dimension key. Additive metrics (counts and
/// money) add up; cpc, cpm and ctr are recomputed from the sums; other ratios cannot be rebuilt
/// and become null.
pub fn sum_rows(records: Vec<Value>) -> Vec<Value> {
    const MONEY: &[&str] = &["spend", "cash_spend", "voucher_spend", "total_purchase_value", "total_onsite_shopping_value"];
    let mut by_key: BTreeMap<String, Value> = BTreeMap::new();
    for record in records {
        let key = record["dimensions"].to_string();
        match by_key.get_mut(&key) {
            None => {
                by_key.insert(key, record);
            }
            Some(total) => {
                let (Some(sum), Some(add)) = (total["metrics"].as_object_mut(), record["metrics"].as_object()) else { continue };
                for (name, value) in add {
                    let additive = metrics::metric_type(name) == metrics::MetricType::Count || MONEY.contains(&name.as_str());
                    if !additive {
                        continue;
                    }
                    let a = sum.get(name).and_then(Value::as_f64).unwrap_or(0.0);
                    let b = value.as_f64().unwrap_or(0.0);
                    let s = a + b;
                    sum.insert(name.clone(), if metrics::metric_type(name) == metrics::MetricType::Count { json!(s as i64) } else { json!((s * 100.0).round() / 100.0) });
                }
            }
        }
    }
    by_key
        .into_values()
        .map(|mut record| {
            if let Some(m) = record["metrics"].as_object_mut() {
                let get = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_f64);
                let (spend, clicks, impressions) = (get(m, "spend"), get(m, "clicks"), get(m, "impressions"));
                let ratio = |n: Option<f64>, d: Option<f64>, scale: f64| match (n, d) {
                    (Some(n), Some(d)) if d > 0.0 => json!((n / d * scale * 100.0).round() / 100.0),
                    _ => Value::Null,
                };
                let names: Vec<String> = m.keys().cloned().collect();
                for name in names {
                    let value = match name.as_str() {
                        "cpc" => ratio(spend, clicks, 1.0),
                        "cpm" => ratio(spend, impressions, 1000.0),
                        "ctr" => ratio(clicks, impressions, 100.0),
                        n if metrics::metric_type(n) == metrics::MetricType::Decimal && !MONEY.contains(&n) => Value::Null,
                        _ => continue,
                    };
                    m.insert(name, value);
                }
            }
            record
        })
        .collect()
}

/// Hours east of UTC for TikTok's `timezone` values of the `Etc/GMT±N` form (POSIX signs:
/// `Etc/GMT+8` is UTC−8), and UTC itself.
pub fn utc_offset_hours(timezone: &str) -> Option<i64> {
    match timezone {
        "UTC" | "GMT" | "Etc/GMT" | "Etc/UTC" | "Etc/GMT+0" | "Etc/GMT-0" => Some(0),
        tz => {
            let rest = tz.strip_prefix("Etc/GMT")?;
            let hours: i64 = rest.parse().ok()?;
            Some(-hours)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn windows_cover_every_day_once() {
        let w = DateWindow::cover(d("2024-01-01"), d("2024-03-31"), 30);
        assert_eq!(w.len(), 4);
        assert_eq!(w[0], DateWindow { start: d("2024-01-01"), end: d("2024-01-30") });
        assert_eq!(w[3], DateWindow { start: d("2024-03-31"), end: d("2024-03-31") });
        assert_eq!(w.iter().map(DateWindow::days).sum::<i64>(), 91);
        let (a, b) = w[0].split();
        assert_eq!((a.days(), b.days()), (15, 15));
        assert_eq!(b.end, w[0].end);
        let (a, b) = DateWindow { start: d("2024-01-01"), end: d("2024-01-03") }.split();
        assert_eq!((a.days(), b.days()), (1, 2));
    }

    #[test]
    fn task_csv_becomes_report_rows() {
        let spec = crate::streams::find("ads_reports_daily").map(|d| match &d.source {
            crate::streams::Source::Report(r) => r,
            _ => unreachable!(),
        }).unwrap();
        let csv = "ad_id,stat_time_day,ad_name,spend\r\n1,2024-01-01 00:00:00,\"Sale, \"\"big\"\"\",20.00\r\n";
        let rows = rows_from_csv(csv, spec).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["dimensions"]["ad_id"], "1");
        assert_eq!(rows[0]["metrics"]["ad_name"], "Sale, \"big\"");
        assert_eq!(rows[0]["metrics"]["spend"], "20.00");
        assert!(rows_from_csv("a,b\n1\n", spec).is_err());
    }

    #[test]
    fn posix_offsets_are_inverted() {
        assert_eq!(utc_offset_hours("Etc/GMT+8"), Some(-8));
        assert_eq!(utc_offset_hours("Etc/GMT-9"), Some(9));
        assert_eq!(utc_offset_hours("America/Los_Angeles"), None);
    }

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
    fn summed_windows_recompute_ratios() {
        let row = |spend: &str, clicks: &str, imps: &str| {
            to_record(json!({"dimensions": {"advertiser_id": "7", "gender": "MALE"},
                "metrics": {"spend": spend, "clicks": clicks, "impressions": imps, "ctr": "9.99", "cpc": "9.99"}}), "7", &mut BTreeMap::new())
        };
        let summed = sum_rows(vec![row("10.00", "10", "1000"), row("30.00", "10", "1000")]);
        assert_eq!(summed.len(), 1);
        let m = &summed[0]["metrics"];
        assert_eq!(m["clicks"], 20);
        assert_eq!(m["spend"].as_f64(), Some(40.0));
        assert_eq!(m["cpc"].as_f64(), Some(2.0));
        assert_eq!(m["ctr"].as_f64(), Some(1.0));
    }
}
