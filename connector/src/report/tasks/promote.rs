//! Promote ads (created in the TikTok app) on the task path: TikTok's synchronous reports leave
//! them out by default, its async tasks do not (DOC-PROMOTE, tiktok-api.md §15 R6), and tasks
//! take no `campaign_system_origins` filter (§4.9). So a window read through a task would gain
//! rows the synchronous read of the same window has not: the task's rows of Promote objects are
//! dropped, by the advertiser's Promote ads listed once (only for an advertiser a task serves).
//! Advertiser-level rows sum every ad and cannot be told apart: said once.

use std::collections::HashSet;
use std::rc::Rc;

use serde_json::{json, Value};

use crate::api::ApiRequest;
use crate::context::SyncContext;
use crate::error::Result;
use crate::fetch::paging::Pages;
use crate::integer_ids::id_text;
use crate::report::ReportSync;
use crate::streams::{DataLevel, ReportSpec};

/// The advertiser's Promote campaigns, ad groups and ads (deleted ones too).
#[derive(Debug, Default)]
pub struct PromoteObjects {
    campaigns: HashSet<String>,
    adgroups: HashSet<String>,
    ads: HashSet<String>,
}

impl PromoteObjects {
    pub fn is_empty(&self) -> bool {
        self.ads.is_empty()
    }

    /// Whether a task row (its `dimensions`) is of a Promote object at the report's level.
    fn holds(&self, row: &Value, spec: &ReportSpec) -> bool {
        let id = |field: &str| row.pointer(&format!("/dimensions/{field}")).and_then(id_text);
        let (set, field) = match spec.data_level {
            DataLevel::Campaign => (&self.campaigns, "campaign_id"),
            DataLevel::AdGroup => (&self.adgroups, "adgroup_id"),
            DataLevel::Ad => (&self.ads, "ad_id"),
            DataLevel::Advertiser => return false,
        };
        id(field).is_some_and(|id| set.contains(&id))
    }

    /// The rows of a task without those of Promote objects, and how many were dropped.
    pub fn drop_from(&self, rows: Vec<Value>, spec: &ReportSpec) -> (Vec<Value>, usize) {
        let before = rows.len();
        let kept: Vec<Value> = rows.into_iter().filter(|row| !self.holds(row, spec)).collect();
        let dropped = before - kept.len();
        (kept, dropped)
    }
}

/// The advertiser's Promote objects, listed once per sync: `ad/get/` lists Promote ads only when
/// `campaign_system_origins` names PROMOTE (DOC-PROMOTE), each with its ad group and campaign.
pub async fn objects(sync: &Rc<SyncContext>, reports: &ReportSync, advertiser: &str) -> Result<Rc<PromoteObjects>> {
    let (api, id) = (sync.api.clone(), advertiser.to_string());
    let learn = || async move {
        let filtering = json!({"campaign_system_origins": ["PROMOTE"], "primary_status": "STATUS_ALL"});
        let request =
            ApiRequest::for_advertiser("ad/get", &id).json_param("filtering", &filtering).param("page_size", "1000");
        let mut pages = Pages::list(&api, request, "list");
        let mut objects = PromoteObjects::default();
        while let Some(page) = pages.next().await {
            for ad in page? {
                let field = |name: &str| ad.get(name).and_then(id_text);
                objects.ads.extend(field("ad_id"));
                objects.adgroups.extend(field("adgroup_id"));
                objects.campaigns.extend(field("campaign_id"));
            }
        }
        Ok(Rc::new(objects))
    };
    reports.facts.promote_objects.learn(advertiser.to_string(), learn).get().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_rows_of_promote_objects_are_dropped_at_their_level() {
        let objects = PromoteObjects {
            campaigns: HashSet::from(["1".to_string()]),
            adgroups: HashSet::from(["11".to_string()]),
            ads: HashSet::from(["111".to_string()]),
        };
        let rows = vec![
            json!({"dimensions": {"ad_id": "111", "stat_time_day": "2024-01-01 00:00:00"}}),
            json!({"dimensions": {"ad_id": "222", "stat_time_day": "2024-01-01 00:00:00"}}),
        ];
        let (kept, dropped) = objects.drop_from(rows, crate::streams::report_spec("ads_reports_daily"));
        assert_eq!((kept.len(), dropped), (1, 1));
        assert_eq!(kept[0]["dimensions"]["ad_id"], "222");
        let campaign = vec![json!({"dimensions": {"campaign_id": "1"}}), json!({"dimensions": {"campaign_id": "2"}})];
        assert_eq!(objects.drop_from(campaign, crate::streams::report_spec("campaigns_reports_daily")).1, 1);
        let advertiser = vec![json!({"dimensions": {"advertiser_id": "7"}})];
        assert_eq!(objects.drop_from(advertiser, crate::streams::report_spec("advertisers_reports_daily")).1, 0);
    }
}
