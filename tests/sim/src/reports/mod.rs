//! `report/integrated/get/`: synchronous reports computed from the generated ads, with TikTok's
//! validation rules (report types, data levels, dimension and metric combinations, date spans,
//! filtering) and row semantics (string values, `-` for empty metrics, no zero-spend rows,
//! deleted entities only with STATUS_ALL).

use std::sync::Arc;

mod query;
mod rows;
pub mod tasks;

use crate::data::Level;
use crate::wire::{page_of, ApiError, Call, Served};
use query::parse;
use rows::compute_rows;

/// `report/integrated/get/`.
pub fn integrated(call: &Call) -> Result<Served, ApiError> {
    let Call { query: q, account, config, memory, .. } = *call;
    let advertiser = q.required("advertiser_id")?.to_string();
    let (page, size) = q.paging(10, 1000)?;
    let rq = parse(q, config, false)?;
    // TikTok counts the ads in the query's scope: id filters below the limit mean no truncation.
    let ads_in_scope = account
        .entities
        .iter()
        .filter(|e| e.level == Level::Ad && e.advertiser_id == advertiser && rq.in_scope(e))
        .count();
    let threshold = config.limits.ads_throttle_threshold;
    let truncated = ads_in_scope >= threshold;
    let mut headers = Vec::new();
    if truncated {
        headers.push((
            "X-Tt-Ads-Throttle".to_string(),
            "Number of ad ids is equal or more than 20k, only return the top 20k id's results, sorting by create time desc order.".to_string(),
        ));
    }
    let shape = &config.account;
    let today = chrono::Utc::now().date_naive();
    let key = format!(
        "{}|{}|{:?}|{}|{today}|{}",
        shape.seed,
        shape.restatement,
        shape.delivery,
        account.entities.len(),
        q.canonical(&["page", "page_size"])
    );
    let rows = memory.cached_rows(&key).unwrap_or_else(|| {
        // Over the limit, the synchronous report covers only the newest ads (TikTok: 20k).
        let rows = Arc::new(compute_rows(&rq, &advertiser, account, config, truncated.then_some(threshold)));
        memory.keep_rows(key, rows.clone());
        rows
    });
    Ok(Served { data: page_of(&rows, "list", page, size), headers, raw: None })
}
