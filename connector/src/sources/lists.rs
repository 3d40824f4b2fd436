//! Paged lists read once per advertiser: entities, audiences, creative assets, pixels.
//! Incremental lists filter on their cursor field here (and on `modified_after` at TikTok
//! where the endpoint has it).

use std::rc::Rc;

use chrono::NaiveDateTime;
use serde_json::{json, Map, Value};

use super::PartitionSource;
use crate::api::ApiRequest;
use crate::config::Config;
use crate::error::Result;
use crate::output;
use crate::read::paging::Pages;
use crate::read::{StreamRun, SyncContext};
use crate::state::parse_time;
use crate::streams::ListSpec;

/// TikTok asks to keep `modified_after` within six months.
const MODIFIED_AFTER_MAX_DAYS: i64 = 180;

impl PartitionSource for ListSpec {
    async fn read_partition(&'static self, run: Rc<StreamRun>, advertiser: String) -> Result<()> {
        let cursor_field = run.def.cursor.unwrap_or_default();
        let since = run.cursor_of(&advertiser).as_deref().and_then(parse_time);
        let mut newest: Option<(NaiveDateTime, String)> = None;
        let mut pages = self.pages(&run.sync, &advertiser, since);
        while let Some(page) = pages.next().await {
            let mut page = page?;
            // Records at the cursor itself are kept: another object may share that second.
            // Objects without a cursor value (Smart+ ads lack modify_time) are always kept.
            page.retain(|record| match (since, record.get(cursor_field).and_then(Value::as_str)) {
                (Some(since), Some(value)) => parse_time(value).is_none_or(|t| t >= since),
                _ => true,
            });
            for record in page.iter_mut() {
                self.shape(record, &advertiser);
                if let Some(value) = run.is_incremental().then(|| record.get(cursor_field).and_then(Value::as_str)).flatten() {
                    if let Some(time) = parse_time(value).filter(|t| newest.as_ref().is_none_or(|(n, _)| t > n)) {
                        newest = Some((time, value.to_string()));
                    }
                }
            }
            run.emit(&page);
        }
        if pages.capped {
            output::log_warn(&format!(
                "{}: advertiser {advertiser}: TikTok serves only the first {} records of {} by paging; the rest cannot be read",
                run.def.name,
                self.reachable.unwrap_or_default(),
                self.endpoint
            ));
        }
        // Every record of this advertiser is out: its cursor may move.
        run.checkpoint(&advertiser, newest.as_ref().map(|(_, value)| value.as_str()));
        Ok(())
    }
}

impl ListSpec {
    /// The pages of this list for one advertiser (modified since `since`, where the endpoint
    /// filters on it).
    pub fn pages(&self, sync: &Rc<SyncContext>, advertiser: &str, since: Option<NaiveDateTime>) -> Pages<Vec<Value>> {
        let request = self.request(&sync.config, advertiser, since);
        Pages::list(sync, request, self.list_key).reaching(self.reachable, self.page_size as u64)
    }

    fn request(&self, config: &Config, advertiser: &str, since: Option<NaiveDateTime>) -> ApiRequest {
        let mut filtering = Map::new();
        if let (true, Some((key, value))) = (config.include_deleted, self.deleted_filter) {
            filtering.insert(key.into(), json!(value));
        }
        if let (true, Some(since)) = (self.modified_after_filter, since) {
            let age = chrono::Utc::now().naive_utc() - since;
            if age.num_days() < MODIFIED_AFTER_MAX_DAYS {
                // One second earlier, so objects modified at the cursor itself come back
                // whether the server's comparison is strict or not.
                let after = since - chrono::Duration::seconds(1);
                filtering.insert("modified_after".into(), json!(after.format("%Y-%m-%d %H:%M:%S").to_string()));
            }
        }
        let request = ApiRequest::for_advertiser(self.endpoint, advertiser).param("page_size", self.page_size.to_string());
        match filtering.is_empty() {
            true => request,
            false => request.json_param("filtering", &Value::Object(filtering)),
        }
    }

    /// Lift nested keys and name the advertiser on records that do not carry it (creative
    /// assets, audiences, pixels), so rows of several advertisers stay apart.
    fn shape(&self, record: &mut Value, advertiser: &str) {
        let Value::Object(map) = record else { return };
        if let Some((field, pointer)) = self.lift {
            let value = pointer_in(map, pointer).cloned().unwrap_or(Value::Null);
            map.insert(field.to_string(), value);
        }
        map.entry("advertiser_id").or_insert_with(|| json!(advertiser));
    }
}

/// A JSON pointer into an object, without cloning the object.
fn pointer_in<'a>(map: &'a Map<String, Value>, pointer: &str) -> Option<&'a Value> {
    let mut parts = pointer.trim_start_matches('/').split('/');
    let first = map.get(parts.next()?)?;
    parts.try_fold(first, |value, key| value.get(key))
}
