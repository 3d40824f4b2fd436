//! What a sync learns once of each advertiser for its reports, by the first stream that needs
//! it: its local today, whether it has TopView objects, its ad tree, the days it delivered on;
//! and whether the app may create async report tasks. One home, each fact in a [`OnceMap`];
//! how a fact is learned lives with the feature that needs it (`topview`, `truncation`,
//! `activity`, `tasks`).

use std::cell::Cell;
use std::collections::BTreeSet;
use std::rc::Rc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::Value;

use super::tasks::access::TaskAccess;
use super::tasks::promote::PromoteObjects;
use super::truncation::narrow::AdTree;
use crate::context::SyncContext;
use crate::error::Result;
use crate::fetch::shared::OnceMap;
use crate::integer_ids::id_text;
use crate::output;

/// The days of a probe window an advertiser delivered on; `None` when the probe could not tell
/// (every day is read).
pub type DeliveryDays = Option<Rc<BTreeSet<NaiveDate>>>;

/// What the sync's report streams learned of each advertiser (and of the app), once.
#[derive(Default)]
pub struct AdvertiserFacts {
    /// Today in the advertiser's time zone; `None` where no zone is known.
    local_todays: OnceMap<String, Option<NaiveDate>>,
    /// advertiser/info gave no time zones, and the log said so (once a sync).
    zones_unknown_said: Rc<Cell<bool>>,
    /// Whether the advertiser has TopView campaigns, deleted ones included (`topview`).
    pub topview: OnceMap<String, Result<bool>>,
    /// Its ads with their ad groups and campaigns, listed only for an advertiser whose reports
    /// TikTok truncated (`truncation`).
    pub ad_trees: OnceMap<String, Result<Rc<AdTree>>>,
    /// The days it delivered on, by probe window (keyed by the window's first day; `activity`).
    pub delivery_days: OnceMap<(String, NaiveDate), DeliveryDays>,
    /// The days its ad groups counted conversion-time results on, by probe window (`activity`).
    pub late_result_days: OnceMap<(String, NaiveDate), DeliveryDays>,
    /// Its Promote ads, ad groups and campaigns, listed only for an advertiser a task serves
    /// (`tasks::promote`).
    pub promote_objects: OnceMap<String, Result<Rc<PromoteObjects>>>,
    /// Whether it delivered at all, for lifetime reports (`activity`).
    pub lifetime_delivery: OnceMap<String, bool>,
    /// Whether TikTok lets the app create async report tasks: one answer for the app, learned
    /// from the first creation rather than asked, so not a `OnceMap` (`tasks`).
    pub task_access: TaskAccess,
}

impl AdvertiserFacts {
    /// The last day report windows reach for `advertiser`: its local today, or the config's
    /// end_date when that is earlier.
    pub async fn last_report_day(&self, sync: &SyncContext, advertiser: &str) -> NaiveDate {
        let today = self.local_today(sync, advertiser).await;
        sync.config.end_date.map_or(today, |end| end.min(today))
    }

    /// Today in the advertiser's time zone (report days are local; see [`local_day`]). Where
    /// no zone is known, or advertiser/info is out of reach (the sandbox), UTC's today stands
    /// in: the next sync re-reads the cursor day anyway.
    async fn local_today(&self, sync: &SyncContext, advertiser: &str) -> NaiveDate {
        let (info, said, id) = (sync.advertisers.info(), self.zones_unknown_said.clone(), advertiser.to_string());
        let learn = || async move {
            match info.await {
                Ok(info) => local_today_of(&info, &id, Utc::now()),
                Err(e) => {
                    // Every advertiser learns it at once: the first one back says it.
                    if !said.replace(true) {
                        output::log_info(&format!(
                            "advertiser time zones unavailable ({}); using UTC dates",
                            e.message
                        ));
                    }
                    None
                }
            }
        };
        let today = self.local_todays.learn(advertiser.to_string(), learn).get().await;
        today.unwrap_or_else(|| Utc::now().date_naive())
    }
}

/// Today for `advertiser` by its advertiser/info record, if that names a zone.
fn local_today_of(info: &[Value], advertiser: &str, now: DateTime<Utc>) -> Option<NaiveDate> {
    let record = info.iter().find(|a| a.get("advertiser_id").and_then(id_text).as_deref() == Some(advertiser))?;
    let zone = |field: &str| record.get(field).and_then(Value::as_str);
    local_day(zone("timezone"), zone("display_timezone"), now)
}

/// Today in an advertiser's time zone, from its advertiser/info. TikTok's `timezone` is mostly
/// an `Etc/GMT±N` offset (POSIX signs: `Etc/GMT+8` is UTC−8); where it is not, the IANA zone of
/// `display_timezone` (or `timezone` itself) decides, so half-hour and named zones get their own
/// day. None when neither names a zone.
fn local_day(timezone: Option<&str>, display_timezone: Option<&str>, now: DateTime<Utc>) -> Option<NaiveDate> {
    if let Some(hours) = timezone.and_then(utc_offset_hours) {
        return Some((now.naive_utc() + Duration::hours(hours)).date());
    }
    let zone = display_timezone.into_iter().chain(timezone).find_map(|name| jiff::tz::TimeZone::get(name).ok())?;
    let local = jiff::Timestamp::from_second(now.timestamp()).ok()?.to_zoned(zone).date();
    NaiveDate::from_ymd_opt(local.year().into(), local.month() as u32, local.day() as u32)
}

/// Hours east of UTC for the `Etc/GMT±N` form, and UTC itself.
fn utc_offset_hours(timezone: &str) -> Option<i64> {
    match timezone {
        "UTC" | "GMT" | "Etc/GMT" | "Etc/UTC" | "Etc/GMT+0" | "Etc/GMT-0" => Some(0),
        tz => {
            let rest = tz.strip_prefix("Etc/GMT")?;
            let hours: i64 = rest.parse().ok()?;
            Some(-hours)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::dates::test_day as d;
    use serde_json::json;

    #[test]
    fn todays_are_each_advertisers_own() {
        let info = [
            json!({"advertiser_id": "1", "timezone": "Etc/GMT-14"}),
            json!({"advertiser_id": "2", "timezone": "Asia/Tokyo"}),
            json!({"advertiser_id": "3", "timezone": "Nowhere/Unknown"}),
        ];
        let now = Utc::now();
        let utc = now.naive_utc();
        assert_eq!(local_today_of(&info, "1", now), Some((utc + Duration::hours(14)).date()));
        assert_eq!(local_today_of(&info, "2", now), Some((utc + Duration::hours(9)).date()));
        assert_eq!(local_today_of(&info, "3", now), None, "an unknown zone falls back to UTC");
    }

    #[test]
    fn local_days_follow_offsets_and_named_zones() {
        let at = |t: &str| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").unwrap().and_utc();
        let evening = at("2024-03-10 18:45");
        assert_eq!(local_day(Some("Etc/GMT-14"), Some("Pacific/Kiritimati"), evening), Some(d("2024-03-11")));
        assert_eq!(local_day(Some("Etc/GMT+8"), Some("America/Los_Angeles"), evening), Some(d("2024-03-10")));
        // Kolkata is UTC+5:30: 18:45 UTC is already tomorrow there, 18:15 UTC is not yet.
        assert_eq!(local_day(Some("Asia/Kolkata"), Some("Asia/Kolkata"), evening), Some(d("2024-03-11")));
        assert_eq!(
            local_day(Some("Asia/Kolkata"), Some("Asia/Kolkata"), at("2024-03-10 18:15")),
            Some(d("2024-03-10"))
        );
        // Without display_timezone the named timezone itself; Kathmandu is UTC+5:45.
        assert_eq!(local_day(Some("Asia/Kathmandu"), None, at("2024-03-10 18:20")), Some(d("2024-03-11")));
        assert_eq!(local_day(Some("Mars/Olympus"), Some(""), evening), None);
        assert_eq!(local_day(None, None, evening), None);
    }

    #[test]
    fn posix_offsets_are_inverted() {
        assert_eq!(utc_offset_hours("Etc/GMT+8"), Some(-8));
        assert_eq!(utc_offset_hours("Etc/GMT-9"), Some(9));
        assert_eq!(utc_offset_hours("America/Los_Angeles"), None);
    }
}
