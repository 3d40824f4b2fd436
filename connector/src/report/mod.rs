//! Report mechanics shared by every report stream: date windows and the query (`rows`: what
//! comes back, shaped into records; `task_csv`: an async task's file, in the same row shape;
//! `activity`: the days an advertiser delivered on; `plan`: the windows worth asking for;
//! `narrow`: id filters for a report truncated to 20k ads).

pub mod activity;
pub mod narrow;
mod plan;
mod rows;
mod task_csv;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{json, Map, Value};

pub use plan::{plan, PlannedWindow};
pub use rows::{page_records, sum_records, to_record};
pub use task_csv::rows_from_csv;

use crate::api::ApiRequest;
use crate::metrics;
use crate::streams::{DataLevel, Granularity, ReportSpec};

/// An inclusive range of advertiser-local days, as `start_date`/`end_date` of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl DateWindow {
    /// How a warning names a window: its days, or "lifetime" for none.
    pub fn span_text(window: Option<DateWindow>) -> String {
        window.map_or("lifetime".to_string(), |w| format!("{}..{}", w.start, w.end))
    }

    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// Every day of the window, in order.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> {
        let end = self.end;
        self.start.iter_days().take_while(move |day| *day <= end)
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

/// The `filtering` entry that asks for deleted objects of the report's level too (v1.3's
/// parameter; `filter_value` is a JSON array inside the JSON), at levels that have a status.
fn status_all_filtering(data_level: DataLevel) -> Option<Value> {
    let field = data_level.status_field()?;
    Some(json!({"field_name": field, "filter_type": "IN", "filter_value": json!(["STATUS_ALL"]).to_string()}))
}

/// Which API a report query is for: they take different parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueryPath {
    /// `report/integrated/get/`.
    Sync { include_deleted: bool },
    /// `report/task/create/`: only id and country filters, no UV metrics with breakdowns.
    Task,
}

/// The metrics an async task of this report may ask for, and those it must leave out.
pub fn task_metrics(spec: &ReportSpec) -> (Vec<&'static str>, Vec<&'static str>) {
    let breakdowns = spec.has_breakdowns();
    metrics::names(spec.metrics).partition(|m| metrics::rules::in_task(m, breakdowns))
}

/// The parameters that define a report query, one definition for the synchronous request and
/// the async task, each getting what its API accepts.
fn query_fields(
    spec: &ReportSpec,
    advertiser: &str,
    window: Option<DateWindow>,
    path: QueryPath,
    extra_filters: &[Value],
) -> Vec<(&'static str, Value)> {
    let metrics: Vec<&str> = match path {
        QueryPath::Sync { .. } => metrics::names(spec.metrics).collect(),
        QueryPath::Task => task_metrics(spec).0,
    };
    let mut fields = vec![
        ("advertiser_id", json!(advertiser)),
        ("service_type", json!("AUCTION")),
        ("report_type", json!(spec.report_type.api_name())),
        ("data_level", json!(spec.data_level.api_name())),
        ("dimensions", json!(spec.dimensions)),
        ("metrics", json!(metrics)),
    ];
    match window {
        Some(w) => fields.extend([("start_date", json!(w.start.to_string())), ("end_date", json!(w.end.to_string()))]),
        None => fields.push(("query_lifetime", json!(true))),
    }
    // The task API filters on ids and countries only: no status filter there. The report's
    // own filters are of those kinds, so both paths carry them.
    let mut filtering: Vec<Value> = spec
        .filters
        .iter()
        .map(|f| json!({"field_name": f.field, "filter_type": "IN", "filter_value": json!(f.values).to_string()}))
        .collect();
    if path == (QueryPath::Sync { include_deleted: true }) {
        filtering.extend(status_all_filtering(spec.data_level));
    }
    filtering.extend_from_slice(extra_filters);
    if !filtering.is_empty() {
        fields.push(("filtering", Value::Array(filtering)));
    }
    fields
}

/// The body of an async report task (`report/task/create/`) for the same report: raw field
/// names as CSV headers, no date-span limit, no 20k-ads truncation.
pub fn task_body(spec: &ReportSpec, advertiser: &str, window: Option<DateWindow>) -> Value {
    let mut body: Map<String, Value> = query_fields(spec, advertiser, window, QueryPath::Task, &[])
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    body.insert("output_format".into(), json!("CSV_STRING"));
    body.insert("enable_report_title_translation".into(), json!(false));
    Value::Object(body)
}

/// The synchronous query of a report window; `extra_filters` narrow it (to some campaigns, ad
/// groups or ads, `narrow::IdFilter`, or to TopView objects).
pub fn request(
    spec: &ReportSpec,
    advertiser: &str,
    window: Option<DateWindow>,
    include_deleted: bool,
    extra_filters: &[Value],
) -> ApiRequest {
    // Scalars go as they are; arrays and objects as JSON text (`ApiRequest::json_param`).
    query_fields(spec, advertiser, window, QueryPath::Sync { include_deleted }, extra_filters)
        .into_iter()
        .fold(ApiRequest::new("report/integrated/get"), |request, (key, value)| match value {
            Value::String(text) => request.param(key, text),
            other => request.json_param(key, &other),
        })
        .param("page_size", "1000")
}

/// Today in an advertiser's time zone, from its advertiser/info. TikTok's `timezone` is mostly
/// an `Etc/GMT±N` offset (POSIX signs: `Etc/GMT+8` is UTC−8); where it is not, the IANA zone of
/// `display_timezone` (or `timezone` itself) decides, so half-hour and named zones get their own
/// day. None when neither names a zone.
pub fn local_day(timezone: Option<&str>, display_timezone: Option<&str>, now: DateTime<Utc>) -> Option<NaiveDate> {
    if let Some(hours) = timezone.and_then(utc_offset_hours) {
        return Some((now.naive_utc() + Duration::hours(hours)).date());
    }
    let zone = display_timezone.into_iter().chain(timezone).find_map(|name| jiff::tz::TimeZone::get(name).ok())?;
    let local = jiff::Timestamp::from_second(now.timestamp()).ok()?.to_zoned(zone).date();
    NaiveDate::from_ymd_opt(local.year().into(), local.month() as u32, local.day() as u32)
}

/// Hours east of UTC for the `Etc/GMT±N` form, and UTC itself.
fn utc_offset_hours(timezone: &str) -> Option<i64> {
    match timezone {
        "UTC" | "GMT" | "Etc/GMT" | "Etc/UTC" | "Etc/GMT+0" | "Etc/GMT-0" => Some(0),
        tz => {
            let rest = tz.strip_prefix("Etc/GMT")?;
            let hours: i64 = rest.parse().ok()?;
            Some(-hours)
        }
    }
}

/// A day written YYYY-MM-DD, for the report modules' tests.
#[cfg(test)]
fn test_day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[cfg(test)]
mod tests {
    use super::test_day as d;
    use super::*;

    #[test]
    fn local_days_follow_offsets_and_named_zones() {
        let at = |t: &str| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").unwrap().and_utc();
        let evening = at("2024-03-10 18:45");
        assert_eq!(local_day(Some("Etc/GMT-14"), Some("Pacific/Kiritimati"), evening), Some(d("2024-03-11")));
        assert_eq!(local_day(Some("Etc/GMT+8"), Some("America/Los_Angeles"), evening), Some(d("2024-03-10")));
        // Kolkata is UTC+5:30: 18:45 UTC is already tomorrow there, 18:15 UTC is not yet.
        assert_eq!(local_day(Some("Asia/Kolkata"), Some("Asia/Kolkata"), evening), Some(d("2024-03-11")));
        assert_eq!(
            local_day(Some("Asia/Kolkata"), Some("Asia/Kolkata"), at("2024-03-10 18:15")),
            Some(d("2024-03-10"))
        );
        // Without display_timezone the named timezone itself; Kathmandu is UTC+5:45.
        assert_eq!(local_day(Some("Asia/Kathmandu"), None, at("2024-03-10 18:20")), Some(d("2024-03-11")));
        assert_eq!(local_day(Some("Mars/Olympus"), Some(""), evening), None);
        assert_eq!(local_day(None, None, evening), None);
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
    fn posix_offsets_are_inverted() {
        assert_eq!(utc_offset_hours("Etc/GMT+8"), Some(-8));
        assert_eq!(utc_offset_hours("Etc/GMT-9"), Some(9));
        assert_eq!(utc_offset_hours("America/Los_Angeles"), None);
    }

    #[test]
    fn deleted_objects_are_asked_for_only_at_levels_with_a_status() {
        let spec = crate::streams::report_spec;
        let window = Some(DateWindow { start: d("2024-01-01"), end: d("2024-01-02") });
        let ads = request(spec("ads_reports_daily"), "7", window, true, &[]);
        let filtering = ads.query.iter().find(|(k, _)| *k == "filtering").map(|(_, v)| v.clone()).unwrap();
        assert!(filtering.contains("ad_status") && filtering.contains("STATUS_ALL"), "{filtering}");
        let advertiser = request(spec("advertisers_reports_daily"), "7", window, true, &[]);
        assert!(advertiser.query.iter().all(|(k, _)| *k != "filtering"));
    }

    #[test]
    fn tasks_carry_no_status_filter_and_no_reach_metrics_with_breakdowns() {
        let spec = crate::streams::report_spec;
        let window = Some(DateWindow { start: d("2024-01-01"), end: d("2024-01-02") });
        let basic = task_body(spec("ads_reports_daily"), "7", window);
        assert!(basic.get("filtering").is_none());
        assert!(basic["metrics"].as_array().unwrap().contains(&json!("reach")), "no breakdown: reach stays");
        let by_country = task_body(spec("ads_reports_by_country_daily"), "7", window);
        let asked = by_country["metrics"].as_array().unwrap();
        assert!(asked.iter().all(|m| metrics::rules::in_task(m.as_str().unwrap(), true)), "{asked:?}");
        let (kept, left_out) = task_metrics(spec("ads_reports_by_country_daily"));
        assert_eq!(kept.len() + left_out.len(), 76);
        assert!(left_out.contains(&"frequency") && !left_out.contains(&"spend"));
    }
}
