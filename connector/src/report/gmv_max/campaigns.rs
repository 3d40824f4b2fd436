//! GMV Max campaigns (`gmv_max/campaign/get/`) and their settings (`campaign/gmv_max/info/`).
//! The list is asked one promotion type per call, always with the filter: one peer sends both
//! types at once, another one; a third party says the filter is required (gmv-max-smart-plus.md
//! §1.1 readings). Deleted campaigns are hidden unless asked for: with `include_deleted` a pass
//! asks for them by their primary status. Neither endpoint filters on `modify_time`: the
//! cursor filters here.

use std::collections::HashSet;
use std::rc::Rc;

use chrono::NaiveDateTime;
use serde_json::{json, Map, Value};

use super::ReportSync;
use crate::api::ApiRequest;
use crate::context::{StreamRun, SyncContext};
use crate::error::Result;
use crate::fetch::ahead::FetchAhead;
use crate::fetch::paging::Pages;
use crate::integer_ids::id_text;
use crate::metrics::gmv_max::Promotion;
use crate::state::parse_time;

const LIST_PATH: &str = "gmv_max/campaign/get";
const INFO_PATH: &str = "campaign/gmv_max/info";
/// The campaign list's largest page (TikTok's Go SDK: 1–100).
const PAGE_SIZE: u32 = 100;

/// The advertiser's campaigns of both promotion types, each once.
pub async fn list(sync: &SyncContext, reports: &ReportSync, advertiser: &str) -> Result<Rc<Vec<Value>>> {
    let (api, id, include_deleted) = (sync.api.clone(), advertiser.to_string(), sync.config.include_deleted);
    let learn = || async move {
        let mut seen = HashSet::new();
        let mut campaigns = Vec::new();
        let statuses: &[Option<&str>] = if include_deleted { &[None, Some("STATUS_DELETE")] } else { &[None] };
        for promotion in [Promotion::Product, Promotion::Live] {
            for status in statuses {
                let mut filtering =
                    Map::from_iter([("gmv_max_promotion_types".into(), json!([promotion.list_name()]))]);
                if let Some(status) = status {
                    filtering.insert("primary_status".into(), json!(status));
                }
                let request = ApiRequest::for_advertiser(LIST_PATH, &id)
                    .json_param("filtering", &Value::Object(filtering))
                    .param("page_size", PAGE_SIZE.to_string());
                let mut pages = Pages::list(&api, request, "list");
                while let Some(page) = pages.next().await {
                    for mut campaign in page? {
                        let Value::Object(map) = &mut campaign else { continue };
                        map.entry("advertiser_id").or_insert_with(|| json!(id));
                        // A server that ignores a filter lists a campaign twice: once is enough.
                        if map.get("campaign_id").and_then(id_text).is_none_or(|c| seen.insert(c)) {
                            campaigns.push(campaign);
                        }
                    }
                }
            }
        }
        Ok(Rc::new(campaigns))
    };
    reports.gmv_max.campaigns.learn(advertiser.to_string(), learn).get().await
}

/// The campaigns modified at or after the stream's cursor, and the newest `modify_time` of them.
fn changed_since(run: &StreamRun, advertiser: &str, campaigns: &[Value]) -> (Vec<Value>, Option<String>) {
    let since = run.cursor_of(advertiser).as_deref().and_then(parse_time);
    let modified = |c: &Value| c.get("modify_time").and_then(Value::as_str).and_then(parse_time);
    let changed: Vec<Value> = campaigns
        .iter()
        .filter(|c| match (since, modified(c)) {
            (Some(since), Some(time)) => time >= since,
            _ => true,
        })
        .cloned()
        .collect();
    let newest: Option<(NaiveDateTime, String)> = changed
        .iter()
        .filter_map(|c| Some((modified(c)?, c.get("modify_time")?.as_str()?.to_string())))
        .max_by_key(|(time, _)| *time);
    (changed, newest.map(|(_, text)| text))
}

/// `gmv_max_campaigns`: the campaigns changed since the cursor.
pub async fn read(run: &Rc<StreamRun>, reports: &Rc<ReportSync>, advertiser: &str) -> Result<()> {
    let campaigns = list(&run.sync, reports, advertiser).await?;
    let (changed, newest) = changed_since(run, advertiser, &campaigns);
    run.emit(&changed);
    run.checkpoint(advertiser, newest.as_deref());
    Ok(())
}

/// `gmv_max_campaign_settings`: `campaign/gmv_max/info/` of each campaign whose `modify_time`
/// moved since the cursor (one call per campaign: the endpoint takes one id).
pub async fn read_settings(run: &Rc<StreamRun>, reports: &Rc<ReportSync>, advertiser: &str) -> Result<()> {
    let campaigns = list(&run.sync, reports, advertiser).await?;
    let (changed, newest) = changed_since(run, advertiser, &campaigns);
    let requests = changed
        .iter()
        .filter_map(|campaign| {
            let id = campaign.get("campaign_id").and_then(id_text)?;
            let request = ApiRequest::for_advertiser(INFO_PATH, advertiser).param("campaign_id", id.clone());
            Some((campaign, request))
        })
        .collect();
    let mut answers = FetchAhead::new(&run.sync.api, requests);
    while let Some((campaign, answer)) = answers.next().await {
        let mut settings = match answer?.into_data()? {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        // The info answer is the settings; the list says which campaign and when it changed.
        for key in ["advertiser_id", "campaign_id", "campaign_name", "modify_time"] {
            if let Some(value) = campaign.get(key) {
                settings.entry(key).or_insert_with(|| value.clone());
            }
        }
        run.emit(&[Value::Object(settings)]);
    }
    run.checkpoint(advertiser, newest.as_deref());
    Ok(())
}
