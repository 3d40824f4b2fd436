//! Answers of the report APIs beside the integrated one (GMV Max, Smart+ material reports),
//! read as JSON trees into records in the built-in reports' shape: every dimension lifted to the
//! top level, what the request named added (the advertiser, a GMV Max store, the ids a query
//! filtered on instead of asking as dimensions), the `metrics` typed (`-` → null), the
//! `dimensions` object kept.

use std::rc::Rc;

use serde_json::{json, Map, Value};

use crate::api::{self, ApiClient, ApiRequest, ApiResponse};
use crate::error::Result;
use crate::fetch::paging::{Page, Pages};
use crate::metrics;
use crate::output;

/// Every page of `request` as records; metrics that could not be read are said, as `stream`'s.
pub async fn read_all(
    api: &Rc<ApiClient>,
    request: ApiRequest,
    context: RowContext,
    stream: &str,
) -> Result<Vec<Value>> {
    let decoder = Box::new(move |answer| decode(answer, &context));
    let mut pages = Pages::decoded(api, request, None, decoder);
    let mut records = Vec::new();
    while let Some(page) = pages.next().await {
        let (page, unreadable) = page?;
        for (name, text) in unreadable {
            output::log_warn(&format!("{stream}: metric {name} could not be read ({text:?}); written as null"));
        }
        records.extend(page);
    }
    Ok(records)
}

/// Where a page's records come from: the request's advertiser, what else it named (a store),
/// and the dimensions a query filtered on instead of asking (a campaign and product, a Smart+ ad).
#[derive(Clone)]
pub struct RowContext {
    pub advertiser: String,
    pub named: Vec<(&'static str, String)>,
    pub filtered: Vec<(&'static str, String)>,
}

/// One page: its records and the metrics whose values could not be read (name, text).
pub type GmvPage = (Vec<Value>, Vec<(String, String)>);

/// Decode a page. An empty page has no `list` key at all, even before the last page
/// (gmv-max-smart-plus.md §1.7): it never ends the paging, `total_page` does. A row's
/// dimensions are under `dimensions`, or `info` as the Go SDK has Smart+ material rows (§2.4).
pub fn decode(answer: ApiResponse, context: &RowContext) -> Result<Page<GmvPage>> {
    let mut data = answer.into_data()?;
    let rows = api::take_list(&mut data, "list")?;
    let total_pages = api::total_pages(data.get("page_info"));
    let mut unreadable = Vec::new();
    // A row that is not an object has nothing to read: it is no record (and no null record).
    let records = rows.into_iter().filter_map(|row| record(row, context, &mut unreadable)).collect();
    Ok(Page { items: (records, unreadable), is_empty: false, total_pages })
}

fn record(row: Value, context: &RowContext, unreadable: &mut Vec<(String, String)>) -> Option<Value> {
    let Value::Object(mut row) = row else { return None };
    let mut dimensions = match row.remove("dimensions").or_else(|| row.remove("info")) {
        Some(Value::Object(d)) => d,
        _ => Map::new(),
    };
    for (name, value) in &context.filtered {
        dimensions.entry(name.to_string()).or_insert_with(|| json!(value));
    }
    let mut typed = Map::new();
    if let Some(Value::Object(raw)) = row.remove("metrics") {
        for (name, value) in raw {
            let value = metrics::convert(&name, value).unwrap_or_else(|text| {
                unreadable.push((name.clone(), text));
                Value::Null
            });
            typed.insert(name, value);
        }
    }
    let mut record = Map::new();
    for (key, value) in &dimensions {
        record.insert(key.clone(), value.clone());
    }
    // The request's advertiser, and store: a store's data belongs to the pair (§1.2).
    record.insert("advertiser_id".into(), json!(context.advertiser));
    for (name, value) in &context.named {
        record.insert(name.to_string(), json!(value));
    }
    record.insert("metrics".into(), Value::Object(typed));
    record.insert("dimensions".into(), Value::Object(dimensions));
    Some(Value::Object(record))
}

/// A record's key: the values of the stream's key fields.
pub fn key_of(record: &Value, fields: &[&str]) -> String {
    fields.iter().map(|f| record.get(*f).map_or(String::new(), Value::to_string)).collect::<Vec<_>>().join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: Value) -> ApiResponse {
        ApiResponse { body: body.to_string().into_bytes(), is_file: false, ads_throttle: None }
    }

    #[test]
    fn rows_gain_the_store_and_typed_metrics_and_an_empty_page_has_no_list() {
        let context = RowContext {
            advertiser: "7".into(),
            named: vec![("store_id", "9".into())],
            filtered: vec![("campaign_id", "3".into())],
        };
        let body = json!({"code": 0, "data": {"list": [{"dimensions": {"item_id": "5", "stat_time_day": "2025-01-01 00:00:00"},
            "metrics": {"cost": "1.50", "orders": "2", "cost_per_order": "-"}}], "page_info": {"total_page": 2}}});
        let page = decode(answer(body), &context).unwrap();
        let record = &page.items.0[0];
        assert_eq!(record["store_id"], json!("9"));
        assert_eq!(record["campaign_id"], json!("3"), "a filtered dimension is a dimension of the record");
        assert_eq!(record["dimensions"]["campaign_id"], json!("3"));
        assert_eq!(record["metrics"]["orders"], json!(2));
        assert_eq!(record["metrics"]["cost"].to_string(), "1.50");
        assert_eq!(record["metrics"]["cost_per_order"], Value::Null);
        let empty =
            decode(answer(json!({"code": 0, "data": {"page_info": {"page": 1, "total_page": 3}}})), &context).unwrap();
        assert!(empty.items.0.is_empty() && !empty.is_empty && empty.total_pages == 3);
        let info = json!({"code": 0, "data": {"list": [{"info": {"main_material_id": "5"}, "metrics": {}}, 7, null]}});
        let rows = decode(answer(info), &context).unwrap().items.0;
        assert_eq!(rows.len(), 1, "rows that are not objects are no records");
        assert_eq!(rows[0]["main_material_id"], json!("5"), "the Go SDK's key");
    }
}
