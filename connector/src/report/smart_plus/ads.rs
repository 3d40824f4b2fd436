//! Each advertiser's Smart+ ads (`smart_plus/ad/get/`), for the material reports: their ids,
//! which the material breakdown needs one at a time since TikTok refuses id dimensions there.

use std::rc::Rc;

use serde_json::{json, Value};

use crate::api::ApiRequest;
use crate::context::SyncContext;
use crate::error::Result;
use crate::fetch::paging::Pages;
use crate::integer_ids::id_text;
use crate::report::ReportSync;

const PATH: &str = "smart_plus/ad/get";
/// TikTok's SDK caps the ad list's page at 100.
const PAGE_SIZE: u32 = 100;

/// The advertiser's Smart+ ad ids, asked once per sync.
pub async fn ids(sync: &SyncContext, reports: &ReportSync, advertiser: &str) -> Result<Rc<Vec<String>>> {
    let (api, id, include_deleted) = (sync.api.clone(), advertiser.to_string(), sync.config.include_deleted);
    let learn = || async move {
        let mut request = ApiRequest::for_advertiser(PATH, &id).param("page_size", PAGE_SIZE.to_string());
        if include_deleted {
            request = request.json_param("filtering", &json!({"primary_status": "STATUS_ALL"}));
        }
        let mut pages = Pages::list(&api, request, "list");
        let mut ids = Vec::new();
        while let Some(page) = pages.next().await {
            ids.extend(page?.iter().filter_map(|ad: &Value| ad.get("smart_plus_ad_id").and_then(id_text)));
        }
        ids.sort();
        ids.dedup();
        Ok(Rc::new(ids))
    };
    reports.smart_plus.ads.learn(advertiser.to_string(), learn).get().await
}
