//! TopView (reservation) objects: TikTok's lists and reports leave them out unless asked for
//! alone (DOC-CAMP; the report's `buying_type` filter, tiktok-api.md §4.1). Whether an
//! advertiser has any is asked once per sync, and only its reports pay for a second query.

use std::rc::Rc;

use serde_json::json;

use crate::api::{self, ApiRequest};
use crate::context::SyncContext;
use crate::error::Result;
use crate::fetch::ahead::Shared;

/// The report `filtering` entry for TopView rows (which then are the only ones).
pub fn report_filter() -> serde_json::Value {
    json!({"field_name": "buying_type", "filter_type": "IN", "filter_value": json!(["RESERVATION_TOP_VIEW"]).to_string()})
}

/// Whether the advertiser has TopView campaigns, deleted ones included.
pub async fn advertiser_has_any(sync: &Rc<SyncContext>, advertiser: &str) -> Result<bool> {
    Shared::once(&sync.topview_advertisers, advertiser.to_string(), || ask(sync.clone(), advertiser.to_string()))
        .get()
        .await
}

async fn ask(sync: Rc<SyncContext>, advertiser: String) -> Result<bool> {
    let filtering = json!({"buying_types": ["RESERVATION_TOP_VIEW"], "secondary_status": "CAMPAIGN_STATUS_ALL"});
    let request = ApiRequest::for_advertiser("campaign/get", &advertiser)
        .param("page_size", "1")
        .json_param("fields", &json!(["campaign_id"]))
        .json_param("filtering", &filtering);
    let mut data = sync.call(&request).await?.into_data()?;
    Ok(!api::take_list(&mut data, "list")?.is_empty())
}
