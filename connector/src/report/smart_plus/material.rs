//! Smart+ material reports (gmv-max-smart-plus.md §2.4): which creative, text and call to action
//! of a Smart+ ad earned what.
//!
//! - Daily: `smart_plus/material_report/breakdown/` takes no id dimension (TikTok's SDK flags
//!   them invalid), so it is asked per Smart+ ad through its `smart_plus_ad_ids` filter, rows
//!   keyed by that filter's ad, `[main_material_id, stat_time_day]` (the shape a production
//!   client uses, valid under either reading of the id dimensions), and only for the ads with
//!   spend in the window (one integrated-report question per window, by `ad_id_v2`).
//! - Lifetime: `smart_plus/material_report/overview/` with exactly two dimensions, the ad and
//!   the material, `query_lifetime`.

use std::rc::Rc;

use serde_json::{json, Value};

use super::ads;
use crate::api::ApiRequest;
use crate::context::StreamRun;
use crate::error::Result;
use crate::fetch::paging::Pages;
use crate::metrics::SMART_PLUS_MATERIAL as MATERIAL_METRICS;
use crate::output;
use crate::report::dates::{cursor_value, first_day, DateWindow};
use crate::report::tree_rows::{read_all, RowContext};
use crate::report::{query, ReportSync};
use crate::streams::{Granularity, ReportSpec};

const BREAKDOWN: &str = "smart_plus/material_report/breakdown";
const OVERVIEW: &str = "smart_plus/material_report/overview";
/// The material reports' largest page (SDK: 1–100).
const PAGE_SIZE: u32 = 100;
/// Daily windows: TikTok states no span for the breakdown's days but 365 in all (Go SDK); the
/// integrated report's 30 keep a window's answer small.
const WINDOW_DAYS: u32 = 30;
/// The integrated report's id filters take at most 100 ids.
const IDS_PER_QUERY: usize = 100;

/// Which Smart+ ads had spend in a window: the integrated report by `ad_id_v2` (the Smart+ ad),
/// filtered to the advertiser's Smart+ ads.
const SPENT: ReportSpec = ReportSpec {
    report_type: crate::streams::ReportType::Basic,
    data_level: crate::streams::DataLevel::Ad,
    granularity: Granularity::Lifetime,
    dimensions: &["ad_id_v2"],
    metrics: &[&["spend"]],
    filters: &[],
    lookback_days: None,
    leave_out: None,
};

pub async fn read_advertiser(
    run: &Rc<StreamRun>,
    reports: &Rc<ReportSync>,
    granularity: Granularity,
    advertiser: &str,
) -> Result<()> {
    let ads = ads::ids(&run.sync, reports, advertiser).await?;
    match granularity {
        Granularity::Lifetime if ads.is_empty() => Ok(()),
        Granularity::Lifetime => read_overview(run, advertiser).await,
        _ => read_daily(run, reports, advertiser, &ads).await,
    }
}

/// The overview: every (Smart+ ad, material) pair of the advertiser's lifetime.
async fn read_overview(run: &Rc<StreamRun>, advertiser: &str) -> Result<()> {
    let request = ApiRequest::for_advertiser(OVERVIEW, advertiser)
        .json_param("dimensions", &json!(["smart_plus_ad_id", "main_material_id"]))
        .json_param("metrics", &json!(MATERIAL_METRICS))
        .param("query_lifetime", "true");
    let context = RowContext { advertiser: advertiser.to_string(), named: Vec::new(), filtered: Vec::new() };
    run.emit(&pages(run, request, context).await?);
    Ok(())
}

/// The breakdown by day: the windows since the cursor (less the attribution window), each
/// checkpointed once its records are out.
async fn read_daily(run: &Rc<StreamRun>, reports: &Rc<ReportSync>, advertiser: &str, ads: &[String]) -> Result<()> {
    let config = &run.sync.config;
    let start = first_day(run.cursor_of(advertiser).as_deref(), config.attribution_window, config.start_date);
    let end = reports.facts.last_report_day(&run.sync, advertiser).await;
    for window in DateWindow::cover(start, end, WINDOW_DAYS.min(config.report_window_days)) {
        let mut records = Vec::new();
        for ad in spent_ads(run, advertiser, ads, window).await? {
            let request = ApiRequest::for_advertiser(BREAKDOWN, advertiser)
                .json_param("dimensions", &json!(["main_material_id", "stat_time_day"]))
                .json_param("metrics", &json!(MATERIAL_METRICS))
                .param("start_date", window.start.to_string())
                .param("end_date", window.end.to_string())
                .json_param("filtering", &json!({"smart_plus_ad_ids": [ad]}));
            let context = RowContext {
                advertiser: advertiser.to_string(),
                named: Vec::new(),
                filtered: vec![("smart_plus_ad_id", ad)],
            };
            records.extend(pages(run, request, context).await?);
        }
        run.emit(&records);
        run.checkpoint(advertiser, Some(&cursor_value(Granularity::Daily, window.end)));
    }
    if start > end {
        run.checkpoint(advertiser, None);
    }
    Ok(())
}

/// The advertiser's Smart+ ads with spend in the window. An answer TikTok truncated to its
/// newest ads (`X-Tt-Ads-Throttle`) cannot say an ad did not spend: every ad of that batch is
/// asked (the breakdown answers only materials with spend), so no material row is lost.
async fn spent_ads(run: &StreamRun, advertiser: &str, ads: &[String], window: DateWindow) -> Result<Vec<String>> {
    let mut spent = Vec::new();
    for batch in ads.chunks(IDS_PER_QUERY) {
        let filter = json!({"field_name": "ad_ids_v2", "filter_type": "IN", "filter_value": json!(batch).to_string()});
        let include_deleted = run.sync.config.include_deleted;
        let request = query::request(&SPENT, advertiser, Some(window), include_deleted, &[filter]);
        let mut pages = Pages::list(&run.sync.api, request, "list");
        while let Some(page) = pages.next().await {
            for row in page? {
                let spend = row.pointer("/metrics/spend").and_then(|v| v.as_str()?.parse::<f64>().ok());
                if let (Some(id), Some(spend)) = (row.pointer("/dimensions/ad_id_v2").and_then(Value::as_str), spend) {
                    if spend > 0.0 {
                        spent.push(id.to_string());
                    }
                }
            }
        }
        if pages.truncated {
            output::log_info(&format!(
                "{}: advertiser {advertiser} {}..{}: TikTok truncated the answer of which Smart+ ads spent; the materials of all {} ads of the batch are asked",
                run.def.name,
                window.start,
                window.end,
                batch.len()
            ));
            spent.extend(batch.iter().cloned());
        }
    }
    spent.sort();
    spent.dedup();
    Ok(spent)
}

/// Every page of a material report as records.
async fn pages(run: &StreamRun, request: ApiRequest, context: RowContext) -> Result<Vec<Value>> {
    read_all(&run.sync.api, request.param("page_size", PAGE_SIZE.to_string()), context, run.def.name).await
}
