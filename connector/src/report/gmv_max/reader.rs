//! One advertiser's part of a GMV Max report stream: for each store available to it, the days
//! since the cursor (less the attribution window, never before GMV Max data starts) in windows
//! within TikTok's spans, each checkpointed for the (advertiser, store) once its records are out.
//!
//! Requests are spent where rows can be: days without a row at the advertiser grain are not
//! asked at any other; the product, creative and room grains are asked only for the campaigns
//! with cost or orders in the window (from the campaign grain, which also gives their names and
//! statuses, joined onto the finer rows since TikTok refuses attributes with two id dimensions).
//! Each grain is what TikTok answers for it, never a sum of a finer one: grains differ by ~1%.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::rc::Rc;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::query::{GmvQuery, MAX_IDS, PAGE_SIZE, SMALL_PAGE_SIZE};
use super::{GmvMaxSync, ReportSync};
use crate::context::{StreamRun, SyncContext};
use crate::error::{Action, Kind, Result};
use crate::fetch::shared::Shared;
use crate::metrics::gmv_max::{Promotion, CAMPAIGN_ATTRIBUTES};
use crate::output;
use crate::report::dates::{cursor_value, first_day, DateWindow};
use crate::report::tree_rows::{key_of, read_all, RowContext};
use crate::report::windows::plan::{plan, PlannedWindow};
use crate::state::{parse_time, Partition};
use crate::streams::gmv_max::{GmvMaxSpec, GmvReport, Scope};
use crate::streams::{Granularity, Source};

/// No GMV Max data before this day: Airbyte's GMV Max streams clamp to it (no TikTok text says
/// so, gmv-max-smart-plus.md §1.10), so no request asks for earlier days.
const DATA_START: (i32, u32, u32) = (2023, 9, 1);
/// TikTok's span with `stat_time_day` (§1.8).
const DAILY_WINDOW_DAYS: u32 = 30;

/// The grains other streams read through: the advertiser grain (idle days) and the campaign
/// grains (active campaigns and their attributes).
const ADVERTISER_DAILY: &str = "gmv_max_advertiser_reports_daily";
fn campaign_daily(promotion: Promotion) -> &'static str {
    match promotion {
        Promotion::Product => "gmv_max_product_campaign_reports_daily",
        Promotion::Live => "gmv_max_live_campaign_reports_daily",
    }
}

fn grain_of(stream: &str) -> &'static GmvReport {
    match crate::streams::STREAMS.iter().find(|s| s.name == stream).map(|s| &s.source) {
        Some(Source::GmvMax(GmvMaxSpec::Report(spec))) => spec,
        _ => unreachable!("{stream} is a GMV Max grain of the stream table"),
    }
}

pub async fn read_advertiser(
    run: &Rc<StreamRun>,
    reports: &Rc<ReportSync>,
    spec: &'static GmvReport,
    advertiser: &str,
) -> Result<()> {
    let stores = super::stores::list(&run.sync, reports, advertiser).await?;
    let end = reports.facts.last_report_day(&run.sync, advertiser).await;
    // Every store at once: each checkpoints its own partition.
    let parts: Vec<_> = super::stores::available(&stores)
        .into_iter()
        .map(|store| {
            let part = StorePart {
                run: run.clone(),
                reports: reports.clone(),
                spec,
                advertiser: advertiser.to_string(),
                store,
            };
            wstd::runtime::spawn(async move {
                let store = part.store.clone();
                part.read(end).await.map_err(|e| e.context(format!("store {store}")))
            })
        })
        .collect();
    let mut failures = Vec::new();
    for part in parts {
        if let Err(e) = part.await {
            failures.push(e);
        }
    }
    crate::error::first_failure(failures, "failed stores")
}

/// One (advertiser, store) of a GMV Max report stream.
struct StorePart {
    run: Rc<StreamRun>,
    reports: Rc<ReportSync>,
    spec: &'static GmvReport,
    advertiser: String,
    store: String,
}

impl StorePart {
    /// What the sync's GMV Max streams share.
    fn gmv(&self) -> &GmvMaxSync {
        &self.reports.gmv_max
    }

    async fn read(&self, end: NaiveDate) -> Result<()> {
        let (run, spec) = (&self.run, self.spec);
        let config = &run.sync.config;
        let partition = Partition::store(&self.advertiser, &self.store);
        let data_start = NaiveDate::from_ymd_opt(DATA_START.0, DATA_START.1, DATA_START.2).expect("a date");
        let lookback = spec.lookback_days.unwrap_or(config.attribution_window);
        let start = first_day(run.cursor_in(&partition).as_deref(), lookback, config.start_date).max(data_start);
        let width = match spec.granularity {
            Granularity::Hourly => 1,
            _ => DAILY_WINDOW_DAYS.min(config.report_window_days),
        };
        let active = self.active_days(start, end).await?;
        let planned = plan(start, end, width, |day| active.as_ref().is_none_or(|days| days.contains(&day)));
        if planned.is_empty() && start <= end {
            run.checkpoint_in(&partition, Some(&cursor_value(spec.granularity, end)));
        }
        // The store grain's windows travel ahead (shared, so read once for every stream).
        if spec.scope == Scope::Store && spec.granularity == Granularity::Daily {
            for planned in &planned {
                self.shared_answer(run.def.name, spec, planned.window);
            }
        }
        for PlannedWindow { window, through } in planned {
            let records = match spec.scope {
                Scope::Store if spec.granularity == Granularity::Daily => {
                    self.shared(self.run.def.name, spec, window).await?
                }
                Scope::Store => Rc::new(self.fetch(&self.query(spec.dimensions, window, &[], &[]), Vec::new()).await?),
                Scope::ActiveCampaigns => Rc::new(self.read_active_campaigns(window).await?),
            };
            let mut seen = HashSet::new();
            let records: Vec<Value> =
                records.iter().filter(|r| seen.insert(key_of(r, run.def.primary_key))).cloned().collect();
            run.emit(&records);
            run.checkpoint_in(&partition, Some(&cursor_value(spec.granularity, through)));
        }
        Ok(())
    }

    /// The days of `start..=end` with a row at the advertiser grain, by the windows that grain
    /// is read in (the advertiser grain itself reads every day); `None`: every day.
    async fn active_days(&self, start: NaiveDate, end: NaiveDate) -> Result<Option<BTreeSet<NaiveDate>>> {
        let config = &self.run.sync.config;
        if !config.skip_inactive_days || self.run.def.name == ADVERTISER_DAILY || start > end {
            return Ok(None);
        }
        let mut days = BTreeSet::new();
        let windows = DateWindow::cover(start, end, DAILY_WINDOW_DAYS.min(config.report_window_days));
        let probes: Vec<_> =
            windows.into_iter().map(|w| self.shared_answer(ADVERTISER_DAILY, grain_of(ADVERTISER_DAILY), w)).collect();
        for probe in probes {
            let records = probe.get().await?;
            days.extend(
                records
                    .iter()
                    .filter_map(|r| r.get("stat_time_day")?.as_str())
                    .filter_map(parse_time)
                    .map(|t| t.date()),
            );
        }
        Ok(Some(days))
    }

    /// A store grain's records over a window, read once for every stream of the sync.
    async fn shared(
        &self,
        stream: &'static str,
        grain: &'static GmvReport,
        window: DateWindow,
    ) -> Result<Rc<Vec<Value>>> {
        self.shared_answer(stream, grain, window).get().await
    }

    /// The same, started in the background (or already there) and not waited for.
    fn shared_answer(
        &self,
        stream: &'static str,
        grain: &'static GmvReport,
        window: DateWindow,
    ) -> Shared<Result<Rc<Vec<Value>>>> {
        let key = (self.advertiser.to_string(), self.store.to_string(), stream, window);
        let (sync, reports) = (self.run.sync.clone(), self.reports.clone());
        let (advertiser, store) = (self.advertiser.to_string(), self.store.to_string());
        let learn = move || async move {
            let query = GmvQuery {
                spec: grain,
                dimensions: grain.dimensions,
                advertiser: &advertiser,
                store: &store,
                window,
                campaign_ids: &[],
                item_group_ids: &[],
            };
            fetch_all(&sync, &reports.gmv_max, &query, Vec::new(), stream).await.map(Rc::new)
        };
        self.gmv().answers.learn(key, learn)
    }

    fn query<'q>(
        &'q self,
        dimensions: &'static [&'static str],
        window: DateWindow,
        campaign_ids: &'q [String],
        item_group_ids: &'q [String],
    ) -> GmvQuery<'q> {
        GmvQuery {
            spec: self.spec,
            dimensions,
            advertiser: &self.advertiser,
            store: &self.store,
            window,
            campaign_ids,
            item_group_ids,
        }
    }

    async fn fetch(&self, query: &GmvQuery<'_>, filtered: Vec<(&'static str, String)>) -> Result<Vec<Value>> {
        fetch_all(&self.run.sync, self.gmv(), query, filtered, self.run.def.name).await
    }

    /// A finer grain of the window: the campaigns with cost or orders, in batches, their
    /// attributes joined on.
    async fn read_active_campaigns(&self, window: DateWindow) -> Result<Vec<Value>> {
        let promotion = self.spec.promotion.expect("a finer grain is of one promotion type");
        let stream = campaign_daily(promotion);
        let campaigns = self.shared(stream, grain_of(stream), window).await?;
        let attributes = campaign_attributes(&campaigns);
        let active: Vec<String> = attributes.keys().cloned().collect();
        let mut records = Vec::new();
        for batch in active.chunks(MAX_IDS) {
            records.extend(self.read_batch(window, batch).await?);
        }
        for record in records.iter_mut() {
            let joined = record.get("campaign_id").and_then(Value::as_str).and_then(|id| attributes.get(id));
            if let (Some(Value::Object(metrics)), Some(joined)) = (record.get_mut("metrics"), joined) {
                for (name, value) in joined {
                    metrics.entry(name.clone()).or_insert_with(|| value.clone());
                }
            }
        }
        Ok(records)
    }

    async fn read_batch(&self, window: DateWindow, campaigns: &[String]) -> Result<Vec<Value>> {
        let query = self.query(self.spec.dimensions, window, campaigns, &[]);
        let Some(fallback) = self.spec.fallback else { return self.fetch(&query, Vec::new()).await };
        if !self.gmv().fewer_dimensions.get() {
            match self.fetch(&query, Vec::new()).await {
                Err(e) if is_refused_query(&e) => {
                    self.gmv().fewer_dimensions.set(true);
                    output::log_info(&format!(
                        "{}: TikTok refuses {} dimensions ({}); reading each product's creatives with {:?} instead (gmv-max-smart-plus.md §1.4)",
                        self.run.def.name,
                        self.spec.dimensions.len(),
                        e.message,
                        fallback
                    ));
                }
                outcome => return outcome,
            }
        }
        // Each (campaign, product) pair with cost or orders, from the product grain.
        let products = grain_of("gmv_max_product_reports_daily");
        let product_query = GmvQuery { spec: products, dimensions: products.dimensions, ..query };
        let rows = fetch_all(&self.run.sync, self.gmv(), &product_query, Vec::new(), self.run.def.name).await?;
        let pairs: BTreeSet<(String, String)> = rows
            .iter()
            .filter(|r| spent(r))
            .filter_map(|r| {
                Some((r.get("campaign_id")?.as_str()?.to_string(), r.get("item_group_id")?.as_str()?.to_string()))
            })
            .collect();
        let mut records = Vec::new();
        for (campaign, product) in pairs {
            let (c, p) = ([campaign.clone()], [product.clone()]);
            let query = self.query(fallback, window, &c, &p);
            records.extend(self.fetch(&query, vec![("campaign_id", campaign), ("item_group_id", product)]).await?);
        }
        Ok(records)
    }
}

/// A query TikTok refused as such (a parameter error): another shape of it may pass.
fn is_refused_query(e: &crate::error::Error) -> bool {
    e.decided() == Some(Action::Fail(Kind::Config))
}

/// Whether a record had cost or orders: the finer grains have rows only for those.
fn spent(record: &Value) -> bool {
    let positive = |name: &str| {
        record
            .pointer(&format!("/metrics/{name}"))
            .and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok()))
            .is_some_and(|v| v > 0.0)
    };
    positive("cost") || positive("orders")
}

/// The campaigns of a campaign-grain answer with cost or orders, each with its attributes.
fn campaign_attributes(records: &[Value]) -> BTreeMap<String, Map<String, Value>> {
    let mut campaigns = BTreeMap::new();
    for record in records.iter().filter(|r| spent(r)) {
        let Some(id) = record.get("campaign_id").and_then(Value::as_str) else { continue };
        let attributes: &mut Map<String, Value> = campaigns.entry(id.to_string()).or_default();
        for name in CAMPAIGN_ATTRIBUTES {
            if let Some(value) = record.pointer(&format!("/metrics/{name}")).filter(|v| !v.is_null()) {
                attributes.entry(name.to_string()).or_insert_with(|| value.clone());
            }
        }
    }
    campaigns
}

/// Every page of a query as records. Item-level queries are asked at TikTok's largest page and,
/// when refused, again at the smaller one a production client measured (§1.3 readings).
async fn fetch_all(
    sync: &Rc<SyncContext>,
    gmv: &GmvMaxSync,
    query: &GmvQuery<'_>,
    filtered: Vec<(&'static str, String)>,
    stream: &str,
) -> Result<Vec<Value>> {
    let item_level = query.dimensions.iter().any(|d| matches!(*d, "item_group_id" | "item_id" | "room_id"));
    let context =
        RowContext { advertiser: query.advertiser.into(), named: vec![("store_id", query.store.into())], filtered };
    let pages = |size: u32| read_all(&sync.api, query.request(size), context.clone(), stream);
    if !item_level || gmv.small_item_pages.get() {
        return pages(if item_level { SMALL_PAGE_SIZE } else { PAGE_SIZE }).await;
    }
    match pages(PAGE_SIZE).await {
        Err(e) if is_refused_query(&e) => {
            let records = pages(SMALL_PAGE_SIZE).await.map_err(|_| e.clone())?;
            if !gmv.small_item_pages.replace(true) {
                output::log_info(&format!(
                    "{stream}: TikTok refuses item-level pages of {PAGE_SIZE} rows ({}); asking {SMALL_PAGE_SIZE} a page",
                    e.message
                ));
            }
            Ok(records)
        }
        outcome => outcome,
    }
}
