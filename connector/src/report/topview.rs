//! TopView (reservation) objects: TikTok's lists and reports leave them out unless asked for
//! alone (DOC-CAMP; the report's `buying_type` filter, tiktok-api.md §4.1). Whether an
//! advertiser has any is learned once per sync (kept in `facts`), and only its reports pay for
//! a second query per window.

use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

use serde_json::json;

use crate::api::ApiRequest;
use crate::api::{self, ApiResponse};
use crate::context::SyncContext;
use crate::error::Result;
use crate::report::dates::DateWindow;
use crate::report::windows::reader::{record_id, Sink, WindowOutcome, WindowReader};
use crate::report::ReportSync;
use crate::streams::{DataLevel, ReportSpec};

/// The report `filtering` entry for TopView rows (which then are the only ones).
fn report_filter() -> serde_json::Value {
    json!({"field_name": "buying_type", "filter_type": "IN", "filter_value": json!(["RESERVATION_TOP_VIEW"]).to_string()})
}

/// Whether `spec`'s windows of `advertiser` need a second query for TopView rows: it has
/// TopView campaigns (deleted ones included), and the report is not the advertiser level's,
/// whose one row a day cannot take them in (its AUCTION rows are all it reports).
pub async fn needs_rows(
    sync: &Rc<SyncContext>,
    reports: &ReportSync,
    spec: &ReportSpec,
    advertiser: &str,
) -> Result<bool> {
    if spec.data_level == DataLevel::Advertiser {
        return Ok(false);
    }
    let (sync, id) = (sync.clone(), advertiser.to_string());
    reports.facts.topview.learn(advertiser.to_string(), || has_any(sync, id)).get().await
}

async fn has_any(sync: Rc<SyncContext>, advertiser: String) -> Result<bool> {
    let filtering = json!({"buying_types": ["RESERVATION_TOP_VIEW"], "primary_status": "STATUS_ALL", "secondary_status": "CAMPAIGN_STATUS_ALL"});
    let request = ApiRequest::for_advertiser("campaign/get", &advertiser)
        .param("page_size", "1")
        .json_param("fields", &json!(["campaign_id"]))
        .json_param("filtering", &filtering);
    let mut data = sync.call(&request).await?.into_data()?;
    Ok(!api::take_list(&mut data, "list")?.is_empty())
}

impl WindowReader<'_> {
    /// Read one window, then its rows of TopView objects.
    pub(in crate::report) async fn read_with_topview(
        &self,
        window: Option<DateWindow>,
        first: Option<Result<ApiResponse>>,
        sink: Sink<'_>,
        outcome: &mut WindowOutcome,
    ) -> Result<()> {
        let id_dimension = self.spec.id_dimension();
        let mut ids = HashSet::new();
        let mut collect = |records: Vec<String>| {
            ids.extend(records.iter().filter_map(|r| record_id(r, id_dimension)));
            sink(records)
        };
        self.read_scope(window, None, first, &mut collect, outcome).await?;
        self.read_topview(window, &ids, sink, outcome).await
    }

    /// The window's rows of TopView objects, which TikTok reports only under the `buying_type`
    /// filter; rows of objects the main query gave are dropped (a server that ignores the
    /// filter answers with those again).
    async fn read_topview(
        &self,
        window: Option<DateWindow>,
        main_ids: &HashSet<String>,
        sink: Sink<'_>,
        outcome: &mut WindowOutcome,
    ) -> Result<()> {
        let span = format!("{} (TopView rows)", DateWindow::span_text(window));
        let request = self.filtered_request(window, &[report_filter()]);
        let id_dimension = self.spec.id_dimension();
        let mut pages = self.report_pages(request, None);
        let mut unreadable = BTreeMap::new();
        while let Some(page) = pages.next().await {
            let (mut records, page_unreadable) = page.map_err(|e| e.context(&span))?;
            unreadable.extend(page_unreadable);
            records.retain(|r| record_id(r, id_dimension).is_none_or(|id| !main_ids.contains(&id)));
            sink(records);
        }
        self.warn_unreadable(&span, &unreadable);
        if pages.truncated {
            self.kept_truncated(&span, "no narrower query is made for TopView objects", outcome);
        }
        Ok(())
    }
}
