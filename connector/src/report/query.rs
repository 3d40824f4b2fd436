//! The query of a report, one definition for the synchronous request (`report/integrated/get/`)
//! and the async task (`report/task/create/`), each given what its API accepts.

use serde_json::{json, Map, Value};

use super::dates::DateWindow;
use crate::api::ApiRequest;
use crate::metrics;
use crate::streams::{DataLevel, ReportSpec};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::dates::test_day as d;

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
