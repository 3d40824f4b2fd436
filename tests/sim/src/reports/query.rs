//! What a report query may ask: TikTok's validation of report types, levels, dimensions,
//! metrics, date spans and filters, for the synchronous API and for tasks.

use chrono::NaiveDate;
use serde_json::Value;

use crate::config::SimConfig;
use crate::data::{Entity, Level, Origins};
use crate::refusals::{refuse, Refusal};
use crate::wire::{param_error, ApiError, Query};

pub(super) use super::filtering::{origins, parse_filtering, Filter};
use super::vocabulary::*;

/// A data level's rank: 0 advertiser, 1 campaign, 2 ad group, 3 ad.
pub(super) fn rank(level: Level, advertiser_level: bool) -> u8 {
    match (advertiser_level, level) {
        (true, _) => 0,
        (false, Level::Campaign) => 1,
        (false, Level::AdGroup) => 2,
        (false, Level::Ad) => 3,
    }
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Time {
    Day,
    Hour,
    None,
}

pub(super) struct ReportQuery {
    pub(super) level: Level,
    pub(super) advertiser_level: bool,
    pub(super) id_dimension: String,
    pub(super) time: Time,
    pub(super) breakdowns: Vec<String>,
    pub(super) metrics: Vec<String>,
    /// Inclusive local dates; None for lifetime.
    pub(super) dates: Option<(NaiveDate, NaiveDate)>,
    pub(super) include_deleted: bool,
    /// Id and country filters: (field, whether the value must be in the list, the list).
    pub(super) filters: Vec<Filter>,
    /// Whose rows it holds: Promote ones only in tasks or when asked (DOC-PROMOTE, `origins`).
    pub(super) origins: Origins,
}

impl ReportQuery {
    /// Whether an ad is within the query's id filters, TopView choice and origins: the scope
    /// TikTok's 20k-ads limit counts under the filtered-scope reading (§15 R1).
    pub(super) fn in_scope(&self, ad: &Entity) -> bool {
        let id_filters = self
            .filters
            .iter()
            .filter(|(field, ..)| ["campaign_ids", "adgroup_ids", "ad_ids", "ad_ids_v2"].contains(&field.as_str()));
        ad.topview == self.topview()
            && self.origins.admits(ad)
            && id_filters.into_iter().all(|(field, inside, values)| {
                let value = match field.as_str() {
                    "campaign_ids" => &ad.campaign_id,
                    "adgroup_ids" => ad.adgroup_id.as_ref().unwrap_or(&ad.id),
                    "ad_ids_v2" => &ad_id_v2(ad),
                    _ => &ad.id,
                };
                values.contains(value) == *inside
            })
    }

    /// Whether the query asks for TopView rows (which then are the only ones).
    pub(super) fn topview(&self) -> bool {
        self.filters.iter().any(|(field, ..)| field == "buying_type")
    }

    /// Whether an ad-hour (its ad, and the country it fell in) passes the query's filters.
    pub(super) fn passes(&self, ad: &Entity, country: impl Fn() -> &'static str) -> bool {
        self.filters.iter().all(|(field, inside, values)| {
            let value = match field.as_str() {
                "campaign_ids" => ad.campaign_id.clone(),
                "adgroup_ids" => ad.adgroup_id.clone().unwrap_or_default(),
                "ad_ids" => ad.id.clone(),
                "ad_ids_v2" => ad_id_v2(ad),
                "campaign_automation_type" => automation_type(ad).to_string(),
                "country_code" => country().to_string(),
                _ => return true,
            };
            values.contains(&value) == *inside
        })
    }
}

/// An ad's `ad_id_v2` (DOC-SYNC; GO `report/dimensions.go`): its Smart+ ad for an Upgraded
/// Smart+ creative, its own id for any other ad.
pub(super) fn ad_id_v2(ad: &Entity) -> String {
    ad.fields["smart_plus_ad_id"].as_str().unwrap_or(&ad.id).to_string()
}

/// An object's campaign automation type as the report's filter sees it (GO
/// `enum/campaign_automation_type.go`): a Smart+ creative is `UPGRADED_SMART_PLUS`.
pub(super) fn automation_type(ad: &Entity) -> &str {
    ad.fields["campaign_automation_type"].as_str().unwrap_or("MANUAL").trim_end_matches("_CREATIVE")
}

pub(super) fn conflict() -> ApiError {
    // source: DOC-FAQ "Reporting FAQs" (1738864850353154), quoting the message word for word.
    param_error("Conflict occurs. The input params including metrics and dimensions have no relation.")
}

/// `task`: an async report task, which has no date-span limit.
pub(super) fn parse(q: &Query, config: &SimConfig, task: bool) -> Result<ReportQuery, ApiError> {
    let audience = report_type(q)?;
    let (level, advertiser_level, id_dimension) = data_level(q)?;
    let (time, breakdowns, id_dimension) = dimensions(q, audience, id_dimension)?;
    let lifetime = match q.get("query_lifetime") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(param_error("query_lifetime: Not a valid boolean.")), // invented wording
    };
    let shape = crate::metrics::Shape {
        rank: rank(level, advertiser_level),
        daily: time == Time::Day && !lifetime,
        hourly: time == Time::Hour,
        audience,
        breakdowns: !breakdowns.is_empty(),
    };
    let metrics = metrics(q, &shape)?;
    if task {
        task_rules(q, &metrics, &breakdowns)?;
    }
    let dates = if lifetime {
        if audience {
            // invented wording
            return Err(param_error("query_lifetime: Lifetime queries are only supported for BASIC reports."));
        }
        if time != Time::None || !breakdowns.is_empty() {
            return Err(conflict());
        }
        None
    } else {
        Some(date_span(q, config, time, task)?)
    };
    let (include_deleted, filters) = parse_filtering(q, level)?;
    if id_dimension == "ad_id_v2" {
        ad_id_v2_rules(&metrics, &filters)?;
    }
    // A country filter needs the country breakdown.
    if filters.iter().any(|(field, ..)| field == "country_code") && !breakdowns.iter().any(|d| d == "country_code") {
        // invented wording
        return Err(param_error(
            "filtering.country_code: filtering by country_code requires the country_code dimension.",
        ));
    }
    Ok(ReportQuery {
        level,
        advertiser_level,
        id_dimension: id_dimension.to_string(),
        time,
        breakdowns,
        metrics,
        dates,
        include_deleted,
        origins: origins(&filters, task),
        filters,
    })
}

/// DOC-SYNC; GO `report/metrics.go` (`AdIDV2`): "You cannot use it together with the dimension
/// ad_id, the filter ad_ids, or the attribute metric ad_id." (the dimension: `dimensions`).
fn ad_id_v2_rules(metrics: &[String], filters: &[Filter]) -> Result<(), ApiError> {
    if filters.iter().any(|(field, ..)| field == "ad_ids") {
        // invented wording
        return Err(param_error("filtering: ad_ids cannot be used with the ad_id_v2 dimension; use ad_ids_v2."));
    }
    if metrics.iter().any(|m| m == "ad_id") {
        // invented wording
        return Err(param_error("metrics: the ad_id metric cannot be used with the ad_id_v2 dimension."));
    }
    Ok(())
}

/// `report_type` (and `service_type`): whether the report is an AUDIENCE one.
fn report_type(q: &Query) -> Result<bool, ApiError> {
    let audience = match q.required("report_type")? {
        "BASIC" => false,
        "AUDIENCE" => true,
        other @ ("PLAYABLE_MATERIAL" | "CATALOG" | "BC" | "TT_SHOP") => {
            // invented wording
            return Err(param_error(format!("report_type {other} is not available for this advertiser.")));
        }
        // invented wording
        other => return Err(param_error(format!("report_type: Invalid enum value {other}."))),
    };
    if let Some(service) = q.get("service_type") {
        if service != "AUCTION" && service != "RESERVATION" {
            // invented wording
            return Err(param_error(format!("service_type: Invalid enum value {service}.")));
        }
    }
    Ok(audience)
}

/// `data_level`: the entity level of the rows, whether it is the advertiser's, and the id
/// dimension it requires.
fn data_level(q: &Query) -> Result<(Level, bool, &'static str), ApiError> {
    Ok(match q.required("data_level")? {
        "AUCTION_ADVERTISER" => (Level::Campaign, true, "advertiser_id"),
        "AUCTION_CAMPAIGN" => (Level::Campaign, false, "campaign_id"),
        "AUCTION_ADGROUP" => (Level::AdGroup, false, "adgroup_id"),
        "AUCTION_AD" => (Level::Ad, false, "ad_id"),
        // invented wording
        other => return Err(param_error(format!("data_level: Invalid enum value {other}."))),
    })
}

/// `dimensions`: the level's id, at most one time dimension, and the breakdowns TikTok allows
/// with them; the id dimension asked (`ad_id_v2` stands for `ad_id` at AUCTION_AD, DOC-SYNC).
fn dimensions(
    q: &Query,
    audience: bool,
    id_dimension: &'static str,
) -> Result<(Time, Vec<String>, &'static str), ApiError> {
    let mut time = Time::None;
    let mut breakdowns = Vec::new();
    let mut id_seen = false;
    // invented wording: marshmallow's "Missing data for required field." after TikTok's "field: " prefix.
    let dims = q.strings("dimensions")?.ok_or_else(|| param_error("dimensions: Missing data for required field."))?;
    let v2 = v2_dimension(&dims, id_dimension)?;
    for d in dims {
        match d.as_str() {
            "ad_id_v2" => id_seen = true,
            "stat_time_day" | "stat_time_hour" if time != Time::None => return Err(conflict()),
            "stat_time_day" => time = Time::Day,
            "stat_time_hour" if audience => return Err(conflict()),
            "stat_time_hour" => time = Time::Hour,
            id if id == id_dimension => id_seen = true,
            "advertiser_id" | "campaign_id" | "adgroup_id" | "ad_id" => return Err(conflict()),
            "country_code" => breakdowns.push(d),
            b if audience && AUDIENCE_DIMENSIONS.contains(&b) => breakdowns.push(d),
            // invented wording: a "field: reason" shape, as "pixel_ids: Field must be set to array" (AB PR #70241).
            other => return Err(param_error(format!("dimensions: Invalid dimension {other}."))),
        }
    }
    if !id_seen {
        return Err(conflict());
    }
    // An AUDIENCE report breaks down by one audience dimension, or by age with gender.
    let age_with_gender = breakdowns.len() == 2 && breakdowns.iter().all(|d| d == "age" || d == "gender");
    if audience && breakdowns.len() > 1 && !age_with_gender {
        return Err(conflict());
    }
    Ok((time, breakdowns, if v2 { "ad_id_v2" } else { id_dimension }))
}

/// Whether `dimensions` asks `ad_id_v2`: only at AUCTION_AD (GO `report/dimensions.go`: the ad
/// level data), and never with `ad_id` (DOC-SYNC; GO `report/metrics.go`).
fn v2_dimension(dims: &[String], id_dimension: &str) -> Result<bool, ApiError> {
    if !dims.iter().any(|d| d == "ad_id_v2") {
        return Ok(false);
    }
    if id_dimension != "ad_id" {
        // invented wording
        return Err(param_error("dimensions: ad_id_v2 is only supported when data_level is AUCTION_AD."));
    }
    if dims.iter().any(|d| d == "ad_id") {
        // invented wording
        return Err(param_error("dimensions: ad_id_v2 cannot be used together with ad_id."));
    }
    Ok(true)
}

/// `metrics` (spend and impressions when absent), each valid in a report of this shape:
/// unknown names, attributes above their level, cash and voucher spend outside advertiser
/// daily reports, `conversion` above the ad group, website and TikTok legs in audience reports
/// are refused together.
fn metrics(q: &Query, shape: &crate::metrics::Shape) -> Result<Vec<String>, ApiError> {
    let metrics = q.strings("metrics")?.unwrap_or_else(|| vec!["spend".to_string(), "impressions".to_string()]);
    let invalid: Vec<String> =
        metrics.iter().filter(|m| crate::metrics::refused(m, shape)).map(|m| format!("'{m}'")).collect();
    if !invalid.is_empty() {
        return Err(param_error(format!(
            // source: observed, AB issue #11375 ("... Invalid metric fields: ['voucher_spend', 'cash_spend']. ",
            // with a trailing space TikTok adds and this simulator does not); singer-io/tap-tiktok-ads #14.
            "Please correct the information in invalid metric fields and try again. Invalid metric fields: [{}].",
            invalid.join(", ")
        )));
    }
    Ok(metrics)
}

/// `start_date` and `end_date`: valid dates in order, within the span the time dimension allows
/// (a task has no limit), and the span's scenarios (timeouts, "too large").
fn date_span(q: &Query, config: &SimConfig, time: Time, task: bool) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let (start, end) = q.date_range()?;
    if task {
        return Ok((start, end));
    }
    let days = (end - start).num_days() + 1;
    let max = match time {
        Time::Day => 30,
        Time::Hour => 1,
        Time::None => 365,
    };
    if days > max {
        // invented wording: the limits are DOC-FAQ's (1 day hourly, 30 daily, 365 otherwise); the message
        // is not found (tiktok-api.md §13 point 1).
        return Err(param_error(format!(
            "The time span between start_date and end_date must not exceed {max} day{} for this query.",
            if max == 1 { "" } else { "s" }
        )));
    }
    if config.limits.timeout_days.is_some_and(|limit| days > limit as i64) {
        return refuse(Refusal::ServiceTimeout);
    }
    let page = q.get("page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1);
    if config.limits.timeout_pages_from.is_some_and(|from| days > 1 && page >= from) {
        return refuse(Refusal::ServiceTimeout);
    }
    if config.limits.too_large_days.is_some_and(|limit| days > limit as i64) {
        return refuse(Refusal::QueryTooLarge);
    }
    Ok((start, end))
}

/// Reach-type (UV) metrics: the task API refuses them with audience dimensions, `country_code`
/// included, exactly the list DOC-TASK-CREATE gives (tiktok-api.md §4.9).
pub(super) const UV_METRICS: &[&str] = &[
    "average_video_play_per_user",
    "frequency",
    "cost_per_1000_reached",
    "real_time_result",
    "real_time_result_rate",
    "real_time_cost_per_result",
    "result",
    "result_rate",
    "cost_per_result",
    "reach",
    "live_play_count",
];

/// What `report/task/create/` refuses that `report/integrated/get/` takes: filters other than
/// ids and countries (DOC-TASK-CREATE, tiktok-api.md §4.9), and UV metrics with breakdowns.
pub(super) fn task_rules(q: &Query, metrics: &[String], breakdowns: &[String]) -> Result<(), ApiError> {
    if let Some(raw) = q.get("filtering") {
        let filters: Vec<Value> =
            // source: the shape of "pixel_ids: Field must be set to array" (observed, AB PR #70241).
            serde_json::from_str(raw).map_err(|_| param_error("filtering: Field must be set to array"))?;
        for f in &filters {
            let field = f["field_name"].as_str().unwrap_or("");
            // ad_ids_v2: this simulator accepts it in tasks (open: DOC-TASK-CREATE predates it).
            if !["campaign_ids", "adgroup_ids", "ad_ids", "ad_ids_v2", "country_code"].contains(&field) {
                // invented wording
                return Err(param_error(format!(
                    "filtering.field_name: {field} is not supported by asynchronous reports; use campaign_ids, adgroup_ids, ad_ids or country_code."
                )));
            }
        }
    }
    let uv: Vec<&str> = metrics.iter().map(String::as_str).filter(|m| UV_METRICS.contains(m)).collect();
    if !breakdowns.is_empty() && !uv.is_empty() {
        // invented wording
        return Err(param_error(format!(
            "Reach metrics {uv:?} are not supported with audience dimensions {breakdowns:?} in asynchronous reports."
        )));
    }
    Ok(())
}
