//! `report/integrated/get/`: synchronous reports computed from the generated ads, with TikTok's
//! validation rules (report types, data levels, dimension and metric combinations, date spans,
//! filtering) and row semantics (string values, `-` for empty metrics, no zero-spend rows,
//! deleted entities only with STATUS_ALL).

use serde_json::Value;

mod query;
mod rows;
mod tasks;

use crate::data::{Account, Level};
use crate::wire::{page_of, ApiError, Query};
use crate::SimConfig;
use query::parse;
pub use query::{COUNT_METRICS, EMPTY_METRICS, MONEY_METRICS, RATIO_METRICS};
use rows::compute_rows;

/// What one simulator remembers between report requests.
#[derive(Default)]
pub struct ReportState {
    /// Rows of recent queries, so paging through a large report computes it once (keyed by
    /// the query without its paging, and the size of the account).
    rows: std::sync::Mutex<Vec<(String, std::sync::Arc<Vec<Value>>)>>,
    /// Async report tasks by id.
    tasks: tasks::Tasks,
}

pub fn serve(q: &Query, account: &Account, config: &SimConfig, state: &ReportState) -> Result<(Value, Vec<(String, String)>), ApiError> {
    let advertiser = q.required("advertiser_id")?.to_string();
    let (page, size) = q.paging(10, 1000)?;
    let rq = parse(q, config, false)?;
    // TikTok counts the ads in the query's scope: id filters below the limit mean no truncation.
    let ads_in_scope = account.entities.iter().filter(|e| e.level == Level::Ad && e.advertiser_id == advertiser && rq.in_scope(e)).count();
    let truncated = ads_in_scope >= config.ads_throttle_threshold;
    let mut headers = Vec::new();
    if truncated {
        headers.push((
            "X-Tt-Ads-Throttle".to_string(),
            "Number of ad ids is equal or more than 20k, only return the top 20k id's results, sorting by create time desc order.".to_string(),
        ));
    }
    let mut key_parts: Vec<String> = q.0.iter().filter(|(k, _)| k.as_str() != "page" && k.as_str() != "page_size").map(|(k, v)| format!("{k}={v}")).collect();
    key_parts.sort();
    let key = format!(
        "{}|{}|{:?}|{}|{}|{}",
        config.seed,
        config.restatement,
        config.delivery,
        account.entities.len(),
        chrono::Utc::now().date_naive(),
        key_parts.join("&")
    );
    let cached = state.rows.lock().unwrap().iter().find(|(k, _)| *k == key).map(|(_, rows)| rows.clone());
    let rows = match cached {
        Some(rows) => rows,
        None => {
            // Over the limit, the synchronous report covers only the newest ads (TikTok: 20k).
            let newest = truncated.then_some(config.ads_throttle_threshold);
            let rows = std::sync::Arc::new(compute_rows(&rq, &advertiser, account, config, newest));
            let mut cache = state.rows.lock().unwrap();
            if cache.len() >= 32 {
                cache.remove(0);
            }
            cache.push((key, rows.clone()));
            rows
        }
    };
    Ok((page_of(&rows, "list", page, size), headers))
}

/// `report/task/create`, `check`, `download` and `cancel`.
pub fn serve_task(endpoint: &str, q: &Query, account: &Account, config: &SimConfig, state: &ReportState) -> Result<crate::wire::Served, ApiError> {
    tasks::serve_task(endpoint, q, account, config, &state.tasks)
}
