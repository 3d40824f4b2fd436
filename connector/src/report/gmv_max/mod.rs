//! GMV Max, TikTok Shop's only campaign type since 2025: its stores, campaigns and campaign
//! settings, and `gmv_max/report/get/` at every grain, one store per request, a cursor per
//! (advertiser, store). Its campaigns are in no regular list or report (gmv-max-smart-plus.md
//! §1.1), so this is the only way a Shop seller's spend, orders and revenue reach the user.
//!
//! - `stores`: each advertiser's store list, and the stores its reports are read for;
//! - `campaigns`: the campaign list (one promotion type per call) and each campaign's settings;
//! - `reader`: a report grain over its windows, idle days skipped by the advertiser grain;
//! - `query`: the request (its answer into records: `report::tree_rows`).

pub mod campaigns;
mod query;
mod reader;
pub mod stores;

use std::cell::Cell;
use std::rc::Rc;

use serde_json::Value;

use super::dates::DateWindow;
use super::ReportSync;
use crate::context::StreamRun;
use crate::error::Result;
use crate::fetch::shared::OnceMap;
use crate::streams::gmv_max::GmvMaxSpec;

pub use query::PATH as REPORT_PATH;

/// The GMV Max report's own quota, apart from the app's: 240 a minute at the Basic tier
/// (DOC-RATE, gmv-max-smart-plus.md §1.8), so one request every quarter second.
pub const REPORT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(250);

/// Records of one grain of a store over a window: (advertiser, store, stream of the grain, window).
type AnswerKey = (String, String, &'static str, DateWindow);

/// What the GMV Max streams of one sync share, learned once.
#[derive(Default)]
pub struct GmvMaxSync {
    /// Each advertiser's store list.
    pub stores: OnceMap<String, Result<Rc<Vec<Value>>>>,
    /// Each advertiser's campaigns of both promotion types (deleted ones with `include_deleted`).
    pub campaigns: OnceMap<String, Result<Rc<Vec<Value>>>>,
    /// A store grain's records over a window, asked once for every stream that needs them: the
    /// advertiser grain (which days had delivery) and the campaign grains (which campaigns had
    /// cost or orders, and their names and statuses for the finer grains).
    answers: OnceMap<AnswerKey, Result<Rc<Vec<Value>>>>,
    /// TikTok refused the four-dimension creative query: the fallback is asked (§1.4 readings).
    fewer_dimensions: Cell<bool>,
    /// TikTok refused item-level pages of 1,000 rows (§1.3 readings).
    small_item_pages: Cell<bool>,
}

/// Read one advertiser's part of a GMV Max stream.
pub async fn read(
    run: &Rc<StreamRun>,
    reports: &Rc<ReportSync>,
    spec: &'static GmvMaxSpec,
    advertiser: &str,
) -> Result<()> {
    match spec {
        GmvMaxSpec::Stores => stores::read(run, reports, advertiser).await,
        GmvMaxSpec::Campaigns => campaigns::read(run, reports, advertiser).await,
        GmvMaxSpec::CampaignSettings => campaigns::read_settings(run, reports, advertiser).await,
        GmvMaxSpec::Report(grain) => reader::read_advertiser(run, reports, grain, advertiser).await,
    }
}
