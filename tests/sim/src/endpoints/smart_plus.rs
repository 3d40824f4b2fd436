//! The Upgraded Smart+ lists (gmv-max-smart-plus.md §2.2): `smart_plus/campaign/get`,
//! `smart_plus/adgroup/get` and `smart_plus/ad/get` (SDK `smart_plus_{campaign,adgroup,ad}_get.yml`;
//! GO `model/{campaign,adgroup}/smartplus/get.go`, `model/ad/smartplus/get.go`). Production only,
//! as GMV Max (this simulator's choice for open point 14).

use chrono::{Duration, NaiveDateTime};
use serde_json::{Map, Value};

use super::entities::creation_range;
use super::{id_filter, project};
use crate::data::{Account, SmartPlusAd};
use crate::refusals::{refuse, Refusal};
use crate::wire::{page_of, param_error, ApiError, Call, Served};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Campaign,
    AdGroup,
    Ad,
}

// The `filtering` keys each endpoint takes (§2.2: SDK rule blocks; GO adds `sales_destination`).
const CAMPAIGN_FILTERS: &[&str] = &[
    "campaign_ids",
    "campaign_name",
    "objective_type",
    "primary_status",
    "secondary_status",
    "creation_filter_start_time",
    "creation_filter_end_time",
    "sales_destination",
];
const ADGROUP_FILTERS: &[&str] = &[
    "campaign_ids",
    "adgroup_ids",
    "adgroup_name",
    "objective_type",
    "optimization_goal",
    "promotion_type",
    "primary_status",
    "secondary_status",
    "creation_filter_start_time",
    "creation_filter_end_time",
];
const AD_FILTERS: &[&str] = &[
    "campaign_ids",
    "adgroup_ids",
    "smart_plus_ad_ids",
    "objective_type",
    "optimization_goal",
    "primary_status",
    "secondary_status",
    "creation_filter_start_time",
    "creation_filter_end_time",
    "modified_after",
];

pub fn campaign_get(call: &Call) -> Result<Served, ApiError> {
    list(call, Kind::Campaign)
}

pub fn adgroup_get(call: &Call) -> Result<Served, ApiError> {
    list(call, Kind::AdGroup)
}

pub fn ad_get(call: &Call) -> Result<Served, ApiError> {
    list(call, Kind::Ad)
}

/// One listed object: its ids, whether deleted, its fields.
struct Row<'a> {
    campaign_id: &'a str,
    adgroup_id: Option<&'a str>,
    ad_id: Option<&'a str>,
    deleted: bool,
    fields: &'a Value,
}

/// The advertiser's objects of this kind.
fn rows<'a>(account: &'a Account, advertiser: &str, kind: Kind) -> Vec<Row<'a>> {
    let sp = &account.smart_plus;
    let row = |c: &'a str, g: Option<&'a str>, a: Option<&'a str>, deleted, fields| Row {
        campaign_id: c,
        adgroup_id: g,
        ad_id: a,
        deleted,
        fields,
    };
    match kind {
        Kind::Campaign => sp
            .campaigns
            .iter()
            .filter(|c| c.advertiser_id == advertiser)
            .map(|c| row(&c.campaign_id, None, None, false, &c.fields))
            .collect(),
        Kind::AdGroup => sp
            .adgroups
            .iter()
            .filter(|g| g.advertiser_id == advertiser)
            .map(|g| row(&g.campaign_id, Some(&g.adgroup_id), None, false, &g.fields))
            .collect(),
        Kind::Ad => sp
            .ads
            .iter()
            .filter(|a| a.advertiser_id == advertiser)
            .map(|a: &'a SmartPlusAd| {
                row(&a.campaign_id, Some(&a.adgroup_id), Some(&a.smart_plus_ad_id), a.deleted, &a.fields)
            })
            .collect(),
    }
}

/// `page` and `page_size`: both required (SDK rule block, `required: true`), `page_size` up to
/// `max`.
fn paging(call: &Call, max: u64) -> Result<(u64, u64), ApiError> {
    call.query.required("page")?;
    call.query.required("page_size")?;
    call.query.paging(10, max)
}

fn list(call: &Call, kind: Kind) -> Result<Served, ApiError> {
    if call.sandbox {
        return refuse(Refusal::SmartPlusSandboxUnsupported);
    }
    let Call { query: q, account, config, .. } = *call;
    let advertiser = q.required("advertiser_id")?;
    // §2.2: 1–1,000 for campaigns and ad groups; ads per the readings switch (SDK 100, GO 1,000).
    let max = if kind == Kind::Ad { config.readings.smart_plus_ad_page_size_max as u64 } else { 1000 };
    let (page, size) = paging(call, max)?;
    let fields = q.strings("fields")?;
    let filtering = q.json_object("filtering")?.unwrap_or_default();
    let allowed = match kind {
        Kind::Campaign => CAMPAIGN_FILTERS,
        Kind::AdGroup => ADGROUP_FILTERS,
        Kind::Ad => AD_FILTERS,
    };
    if let Some(unknown) = filtering.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(param_error(format!("filtering.{unknown}: Unknown field.")));
    }
    let keep = Filters::parse(&filtering)?;
    let mut matching: Vec<Row> = rows(account, advertiser, kind).into_iter().filter(|r| keep.pass(r)).collect();
    // Newest ids first, as every TikTok list.
    matching.sort_by(|a, b| id_of(b, kind).cmp(id_of(a, kind)));
    let items: Vec<Value> =
        matching.iter().map(|r| without_nulls(project(r.fields, fields.as_deref(), true))).collect();
    Ok(page_of(&items, "list", page, size).into())
}

fn id_of<'a>(r: &Row<'a>, kind: Kind) -> &'a str {
    match kind {
        Kind::Campaign => r.campaign_id,
        Kind::AdGroup => r.adgroup_id.unwrap_or_default(),
        Kind::Ad => r.ad_id.unwrap_or_default(),
    }
}

/// `pop_resp_nullvalue: true` (SDK): null fields are dropped, at every depth.
fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// What `filtering` keeps.
struct Filters {
    campaign_ids: Option<Vec<String>>,
    adgroup_ids: Option<Vec<String>>,
    ad_ids: Option<Vec<String>>,
    /// Deleted objects: false (the default, `STATUS_NOT_DELETE`), only (`STATUS_DELETE`) or also
    /// (`STATUS_ALL`).
    deleted: (bool, bool),
    created: Option<(NaiveDateTime, NaiveDateTime)>,
    modified_after: Option<NaiveDateTime>,
    /// Exact-value filters on the object's own fields.
    equal: Vec<(&'static str, String)>,
    name: Option<(&'static str, String)>,
}

impl Filters {
    fn parse(filtering: &Map<String, Value>) -> Result<Filters, ApiError> {
        let text = |key: &str| -> Result<Option<String>, ApiError> {
            filtering
                .get(key)
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| param_error(format!("filtering.{key}: Not a valid string.")))
                })
                .transpose()
        };
        let mut equal = Vec::new();
        for key in ["objective_type", "secondary_status", "optimization_goal", "promotion_type", "sales_destination"] {
            if let Some(v) = text(key)? {
                equal.push((key, v));
            }
        }
        let name = match (text("campaign_name")?, text("adgroup_name")?) {
            (Some(n), _) => Some(("campaign_name", n)),
            (_, Some(n)) => Some(("adgroup_name", n)),
            _ => None,
        };
        Ok(Filters {
            campaign_ids: id_filter(filtering, "campaign_ids")?,
            adgroup_ids: id_filter(filtering, "adgroup_ids")?,
            // GO: ≤100; the SDK's key mapping is §2.2's readings row: this simulator takes
            // `smart_plus_ad_ids`, as the HTTP source of the SDK rule block names it.
            ad_ids: id_filter(filtering, "smart_plus_ad_ids")?,
            deleted: primary_status(filtering)?,
            created: creation_range(filtering)?,
            modified_after: modified_after(filtering)?,
            equal,
            name,
        })
    }

    fn pass(&self, r: &Row) -> bool {
        let has = |ids: &Option<Vec<String>>, id: Option<&str>| {
            ids.as_ref().is_none_or(|ids| id.is_some_and(|id| ids.iter().any(|i| i == id)))
        };
        let time =
            |key: &str| r.fields[key].as_str().and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok());
        let (include, only) = self.deleted;
        has(&self.campaign_ids, Some(r.campaign_id))
            && has(&self.adgroup_ids, r.adgroup_id)
            && has(&self.ad_ids, r.ad_id)
            && if only { r.deleted } else { include || !r.deleted }
            && self.created.is_none_or(|(s, e)| time("create_time").is_some_and(|t| s <= t && t <= e))
            // At or after (this simulator's choice: GO and the SDK do not say).
            && self.modified_after.is_none_or(|after| time("modify_time").is_some_and(|t| t >= after))
            && self.equal.iter().all(|(k, v)| r.fields.get(*k).is_none_or(|f| f.as_str() == Some(v)))
            && self.name.as_ref().is_none_or(|(k, n)| r.fields[*k].as_str().is_some_and(|f| f.contains(n.as_str())))
    }
}

/// `primary_status`: `STATUS_NOT_DELETE` by default, `STATUS_ALL` adds deleted objects,
/// `STATUS_DELETE` lists only them (§2.2: SDK; GO). (include deleted, only deleted).
fn primary_status(filtering: &Map<String, Value>) -> Result<(bool, bool), ApiError> {
    match filtering.get("primary_status").map(|v| v.as_str()) {
        None => Ok((false, false)),
        Some(Some("STATUS_ALL")) => Ok((true, false)),
        Some(Some("STATUS_DELETE")) => Ok((true, true)),
        Some(Some("STATUS_NOT_DELETE" | "STATUS_DELIVERY_OK" | "STATUS_DISABLE" | "STATUS_NOT_DELIVERY")) => {
            Ok((false, false))
        }
        _ => Err(param_error("filtering.primary_status: Invalid enum value.")),
    }
}

/// `modified_after` (`YYYY-MM-DD HH:MM:SS`, UTC), no more than 6 months back (§2.2: SDK; GO).
fn modified_after(filtering: &Map<String, Value>) -> Result<Option<NaiveDateTime>, ApiError> {
    let Some(v) = filtering.get("modified_after") else { return Ok(None) };
    let after =
        v.as_str().and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok()).ok_or_else(|| {
            param_error("filtering.modified_after: Not a valid datetime, use the format YYYY-MM-DD HH:MM:SS.")
        })?;
    if after < chrono::Utc::now().naive_utc() - Duration::days(183) {
        // invented wording
        return Err(param_error("filtering.modified_after: must be within the last 6 months."));
    }
    Ok(Some(after))
}
