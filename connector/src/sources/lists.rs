//! Paged lists read once per advertiser: entities, audiences, creative assets, pixels.
//! Incremental lists filter on their cursor field here (and on `modified_after` at TikTok
//! where the endpoint has it).

use std::rc::Rc;

use chrono::NaiveDateTime;
use serde_json::{json, Map, Value};

use super::PartitionSource;
use crate::api::ApiRequest;
use crate::config::Config;
use crate::context::{StreamRun, SyncContext};
use crate::error::Result;
use crate::fetch::paging::Pages;
use crate::integer_ids::id_text;
use crate::output;
use crate::state::parse_time;
use crate::streams::ListSpec;

/// TikTok asks to keep `modified_after` within six months.
const MODIFIED_AFTER_MAX_DAYS: i64 = 180;

impl PartitionSource for &'static ListSpec {
    async fn read_partition(self, run: Rc<StreamRun>, advertiser: String) -> Result<()> {
        let cursor_field = run.def.cursor.unwrap_or_default();
        let since = run.cursor_of(&advertiser).as_deref().and_then(parse_time);
        let filter = Since::of(self, since);
        let mut newest: Option<(NaiveDateTime, String)> = None;
        let mut filters = vec![filter];
        if let (Since::ModifiedAfter(since), true) = (filter, self.creation_pass) {
            // Smart+ ads have no modify_time, so `modified_after` never returns them: new ones
            // come from a second pass on their creation time (the cursor's fallback for them).
            filters.push(Since::CreatedAfter(since));
        }
        // TopView objects first: there are few, and a server that ignores `buying_types` would
        // list every object twice; the ids they leave out are dropped from the other passes.
        let mut passes: Vec<_> = match self.topview_page_size {
            Some(_) => filters.iter().map(|&f| (self.topview_pages(&run.sync, &advertiser, f), f, true)).collect(),
            None => Vec::new(),
        };
        passes.extend(filters.iter().map(|&f| (self.pages(&run.sync, &advertiser, f), f, false)));
        let id_field = run.def.primary_key.first().copied().unwrap_or_default();
        let id = |record: &Value| record.get(id_field).and_then(id_text);
        let mut topview_ids = std::collections::HashSet::new();
        let (mut capped, mut listed) = (false, 0u64);
        for (mut pages, filter, topview) in passes {
            while let Some(page) = pages.next().await {
                let mut page = page?;
                listed += page.len() as u64;
                // Records at the cursor itself are kept: another object may share that second.
                // Objects without a cursor value (Smart+ ads lack modify_time) are always kept;
                // the creation pass keeps only those (the others came with the first pass).
                page.retain(|record| match (since, record.get(cursor_field).and_then(Value::as_str)) {
                    (_, Some(_)) if matches!(filter, Since::CreatedAfter(_)) => false,
                    (Some(since), Some(value)) => parse_time(value).is_none_or(|t| t >= since),
                    _ => true,
                });
                // An object without a readable id is kept: nothing says it was listed before.
                match topview {
                    true => page.retain(|record| id(record).is_none_or(|id| topview_ids.insert(id))),
                    false if !topview_ids.is_empty() => {
                        page.retain(|record| id(record).is_none_or(|id| !topview_ids.contains(&id)))
                    }
                    false => {}
                }
                for record in page.iter_mut() {
                    self.shape(record, &advertiser);
                    let value = record.get(cursor_field).or_else(|| record.get("create_time")).and_then(Value::as_str);
                    if let Some(value) = run.is_incremental().then_some(value).flatten() {
                        if let Some(time) = parse_time(value).filter(|t| newest.as_ref().is_none_or(|(n, _)| t > n)) {
                            newest = Some((time, value.to_string()));
                        }
                    }
                }
                match self.entries_of {
                    Some((list, id_field)) => run.emit(&entries(&page, list, id_field, cursor_field)),
                    None => run.emit(&page),
                }
            }
            capped |= pages.capped;
        }
        // Paging stopped at the cap, or the list ended exactly there (TikTok's image list and
        // its page_info end at 10,000 however many images there are).
        if let Some(reachable) = self.reachable.filter(|r| capped || listed >= *r) {
            output::log_warn(&format!(
                "{}: advertiser {advertiser}: TikTok lists only the first {reachable} records of {}/ and this list reached that cap; \
                 any records past them were left out and cannot be read",
                run.def.name, self.endpoint
            ));
        }
        // Every record of this advertiser is out: its cursor may move.
        run.checkpoint(&advertiser, newest.as_ref().map(|(_, value)| value.as_str()));
        Ok(())
    }
}

/// What a list request asks TikTok to filter on, besides deleted-ness.
#[derive(Clone, Copy)]
pub enum Since {
    Everything,
    /// Objects modified at or after the time (`modified_after`).
    ModifiedAfter(NaiveDateTime),
    /// Objects created at or after the time (`creation_filter_start_time`).
    CreatedAfter(NaiveDateTime),
}

impl Since {
    /// The server-side filter for a read from the cursor `since`: only where the endpoint has
    /// one, and only within the six months TikTok asks `modified_after` to stay in.
    fn of(spec: &ListSpec, since: Option<NaiveDateTime>) -> Since {
        match since {
            Some(since) if spec.modified_after_filter && (now() - since).num_days() < MODIFIED_AFTER_MAX_DAYS => {
                Since::ModifiedAfter(since)
            }
            _ => Since::Everything,
        }
    }
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

fn format_time(time: NaiveDateTime) -> Value {
    json!(time.format("%Y-%m-%d %H:%M:%S").to_string())
}

impl ListSpec {
    /// The pages of this list for one advertiser (filtered at TikTok by `since`).
    pub fn pages(&self, sync: &Rc<SyncContext>, advertiser: &str, since: Since) -> Pages<Vec<Value>> {
        let request =
            self.request(&sync.config, advertiser, since, Map::new()).param("page_size", self.page_size.to_string());
        Pages::list(&sync.api, request, self.list_key).reaching(self.reachable, self.page_size as u64)
    }

    /// The same list's TopView objects, which TikTok lists only when asked for alone.
    fn topview_pages(&self, sync: &Rc<SyncContext>, advertiser: &str, since: Since) -> Pages<Vec<Value>> {
        let page_size = self.topview_page_size.unwrap_or(self.page_size);
        let buying_types = Map::from_iter([("buying_types".to_string(), json!(["RESERVATION_TOP_VIEW"]))]);
        let request =
            self.request(&sync.config, advertiser, since, buying_types).param("page_size", page_size.to_string());
        Pages::list(&sync.api, request, self.list_key).reaching(self.reachable, page_size as u64)
    }

    fn request(
        &self,
        config: &Config,
        advertiser: &str,
        since: Since,
        mut filtering: Map<String, Value>,
    ) -> ApiRequest {
        if let (true, Some((key, value))) = (config.include_deleted, self.deleted_filter) {
            filtering.insert(key.into(), json!(value));
            // Deleted objects by the primary status too: DOC-STATUS lists no `*_STATUS_ALL`
            // secondary, and the primary one excludes deleted objects by default
            // (tiktok-api.md §15 R3).
            filtering.insert("primary_status".into(), json!("STATUS_ALL"));
        }
        // One second earlier, so objects changed at the cursor itself come back whether the
        // server's comparison is strict or not.
        match since {
            Since::Everything => {}
            Since::ModifiedAfter(since) => {
                filtering.insert("modified_after".into(), format_time(since - chrono::Duration::seconds(1)));
            }
            Since::CreatedAfter(since) => {
                filtering
                    .insert("creation_filter_start_time".into(), format_time(since - chrono::Duration::seconds(1)));
                filtering.insert("creation_filter_end_time".into(), format_time(now()));
            }
        }
        let request = ApiRequest::for_advertiser(self.endpoint, advertiser);
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

/// The entries of each object's `list` field, each with the object's id, advertiser and cursor
/// value (a Smart+ ad's creatives, keyed by the ad and their own id).
fn entries(objects: &[Value], list: &str, id_field: &str, cursor_field: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for object in objects {
        let Some(Value::Array(items)) = object.get(list) else { continue };
        for item in items {
            let Value::Object(mut entry) = item.clone() else { continue };
            for field in [id_field, "advertiser_id", cursor_field] {
                if let Some(value) = object.get(field) {
                    entry.entry(field).or_insert_with(|| value.clone());
                }
            }
            out.push(Value::Object(entry));
        }
    }
    out
}

/// A JSON pointer into an object, without cloning the object.
fn pointer_in<'a>(map: &'a Map<String, Value>, pointer: &str) -> Option<&'a Value> {
    let mut parts = pointer.trim_start_matches('/').split('/');
    let first = map.get(parts.next()?)?;
    parts.try_fold(first, |value, key| value.get(key))
}
