//! `report/integrated/get/`: synchronous reports computed from the generated ads, with TikTok's
//! validation rules (report types, data levels, dimension and metric combinations, date spans,
//! filtering) and row semantics (string values, `-` for empty metrics, no zero-spend rows,
//! deleted entities only with STATUS_ALL).

use std::sync::Arc;

mod filtering;
pub mod gmv_max;
mod query;
mod rows;
pub mod smart_plus;
pub mod tasks;
mod vocabulary;

use crate::config::ThrottleHeader;
use crate::data::{Entity, Level};
use crate::wire::{page_of, ApiError, Call, Served};
use query::parse;
use rows::compute_rows;

/// `report/integrated/get/`.
pub fn integrated(call: &Call) -> Result<Served, ApiError> {
    let Call { query: q, account, config, memory, .. } = *call;
    let advertiser = q.required("advertiser_id")?.to_string();
    let (page, size) = q.paging(10, 1000)?;
    let rq = parse(q, config, false)?;
    // TikTok counts the advertiser's ads, deleted ones included; id filters below the limit
    // mean no truncation. Whether the header follows the filters is tiktok-api.md §15 R1. The
    // scope counts Promote ads only when the query reports them (DOC-PROMOTE: left out by
    // default), as it counts TopView ones; the whole account counts every ad.
    let ads = |in_scope: &dyn Fn(&Entity) -> bool| {
        account.entities.iter().filter(|e| e.level == Level::Ad && e.advertiser_id == advertiser && in_scope(e)).count()
    };
    let threshold = config.limits.ads_throttle_threshold;
    let truncated = ads(&|e| rq.in_scope(e)) >= threshold;
    let warned = match config.readings.throttle_header {
        ThrottleHeader::FilteredScope => truncated,
        ThrottleHeader::WholeAccount => ads(&|_| true) >= threshold,
    };
    let mut headers = Vec::new();
    if warned {
        // DOC-SYNC's words, with this simulator's limit where TikTok writes "20k".
        let limit = if threshold % 1000 == 0 { format!("{}k", threshold / 1000) } else { threshold.to_string() };
        headers.push((
            "X-Tt-Ads-Throttle".to_string(),
            format!("Number of ad ids is equal or more than {limit}, only return the top {limit} id's results, sorting by create time desc order."),
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
