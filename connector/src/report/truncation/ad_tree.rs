//! An advertiser's ads with their ad groups and campaigns, listed once per sync (kept in
//! `facts`) and only for an advertiser whose reports TikTok truncated: what `narrow` splits
//! into id filters.

use std::rc::Rc;

use serde_json::json;

use super::narrow::{AdPlace, AdTree};
use crate::api::{ApiClient, ApiRequest};
use crate::error::Result;
use crate::fetch::paging::Pages;
use crate::integer_ids::id_text;

/// Every ad, deleted ones included (TikTok's 20k limit counts them), three fields each.
pub async fn list(api: Rc<ApiClient>, advertiser: String) -> Result<Rc<AdTree>> {
    let request = ApiRequest::for_advertiser("ad/get", &advertiser)
        .param("page_size", "1000")
        .json_param("fields", &json!(["ad_id", "adgroup_id", "campaign_id"]))
        // Deleted ads by either status (tiktok-api.md §15 R3).
        .json_param("filtering", &json!({"primary_status": "STATUS_ALL", "secondary_status": "AD_STATUS_ALL"}));
    let mut pages = Pages::list(&api, request, "list");
    let (mut places, mut unplaced) = (Vec::new(), 0);
    while let Some(page) = pages.next().await {
        for ad in page? {
            let id = |key: &str| ad.get(key).and_then(id_text);
            match (id("ad_id"), id("adgroup_id"), id("campaign_id")) {
                (Some(ad), Some(adgroup), Some(campaign)) => places.push(AdPlace { ad, adgroup, campaign }),
                _ => unplaced += 1,
            }
        }
    }
    Ok(Rc::new(AdTree::new(places, unplaced)))
}
