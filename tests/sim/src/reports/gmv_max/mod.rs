//! `gmv_max/report/get` (gmv-max-smart-plus.md §1.3–1.8): GMV Max reports of one (advertiser,
//! store) pair. `request.rs` checks the query, `metrics.rs` holds the metric table and writes
//! values, `rows.rs` computes the rows from the generated campaigns. Production only.

use serde_json::{json, Map, Value};

mod metrics;
mod request;
mod rows;

use crate::data::GmvValues;
use crate::refusals::{refuse, Refusal};
use crate::wire::{ApiError, Call, Served};
use metrics::Subject;
use rows::GmvRow;

pub fn report(call: &Call) -> Result<Served, ApiError> {
    let Call { query, account, config, sandbox, .. } = *call;
    // §1.9 AE sandbox, §1.10: GMV Max is not in the sandbox.
    if sandbox {
        return refuse(Refusal::GmvSandboxUnsupported);
    }
    let q = request::parse(query, config)?;
    // §1.2: reports are asked for available stores; anything else is this simulator's
    // choice for open point 9, a permission refusal, never rows.
    if !account.gmv_max.available_stores(&q.advertiser).contains(&q.store.as_str()) {
        return refuse(Refusal::StoreNotAvailable { advertiser: q.advertiser.clone(), store: q.store.clone() });
    }
    let rows = rows::compute(&q, account, config);
    let mut listed: Vec<Value> = rows.iter().map(|r| row(&q, r, &account.gmv_max)).collect();
    if let Some((field, descending)) = &q.sort {
        sort(&mut listed, field, *descending);
    }
    let mut data = page(listed, q.page, q.size);
    if q.total_metrics {
        // SDK; GO: totals over every page, of the metrics that have one.
        let mut total = GmvValues::default();
        rows.iter().for_each(|r| total.add(&r.values));
        let metrics = metrics::render(&q.metrics, &total, Subject::Whole, &account.gmv_max);
        data["total_metrics"] = Value::Object(metrics);
    }
    Ok(data.into())
}

/// One row as TikTok writes it: `dimensions` (by the names asked) and `metrics`, every value a
/// string, no advertiser or store unless they are dimensions (§1.7).
fn row(q: &request::GmvQuery, r: &GmvRow, gmv: &crate::data::GmvMax) -> Value {
    let dimensions: Map<String, Value> =
        q.dimensions.iter().zip(&r.key).map(|(d, v)| (d.clone(), Value::String(v.clone()))).collect();
    json!({"dimensions": dimensions, "metrics": metrics::render(&q.metrics, &r.values, r.subject, gmv)})
}

/// Stable sort by a dimension or metric, numbers as numbers and `-` last.
fn sort(rows: &mut [Value], field: &str, descending: bool) {
    let value = |row: &Value| {
        let v = row["dimensions"].get(field).or_else(|| row["metrics"].get(field));
        v.and_then(Value::as_str).unwrap_or("").to_string()
    };
    rows.sort_by(|a, b| {
        let (a, b) = (value(a), value(b));
        let order = match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.total_cmp(&y),
            _ => a.cmp(&b),
        };
        if descending {
            order.reverse()
        } else {
            order
        }
    });
}

/// One page, TikTok's way (§1.7, 3P measured 2026-08-25): an empty page has no `list` key at
/// all; when the rows fill the pages exactly, `total_page` counts one more, empty page; no
/// rows at all: `total_number` and `total_page` 0.
fn page(rows: Vec<Value>, page: u64, size: u64) -> Value {
    let total = rows.len() as u64;
    let total_page = if total == 0 { 0 } else { total / size + 1 };
    let list: Vec<Value> = rows.into_iter().skip(((page - 1) * size) as usize).take(size as usize).collect();
    let mut data = json!({
        "page_info": {"page": page, "page_size": size, "total_number": total, "total_page": total_page},
    });
    if !list.is_empty() {
        data["list"] = Value::Array(list);
    }
    data
}
