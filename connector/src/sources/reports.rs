//! Report streams: `report/integrated/get/` per advertiser over date windows (only those that
//! can hold rows: `report::activity`), the attribution lookback, window splitting when TikTok
//! says a query is too large or times out, and, when TikTok truncates a report to 20k ads,
//! narrower queries filtered by ids (`report::narrow`) or the async task API.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use chrono::{Duration, NaiveDate};
use serde_json::Value;

use super::report_tasks::{self, TaskFailure};
use super::{ad_tree, topview, PartitionSource};
use crate::api::refusal::{Action, Scope};
use crate::api::ApiResponse;
use crate::error::{Error, Result};
use crate::output;
use crate::read::ahead::FetchAhead;
use crate::read::paging::{Page, Pages};
use crate::read::StreamRun;
use crate::report::activity::Activity;
use crate::report::narrow::{IdFilter, ADS_LIMIT};
use crate::report::{self, DateWindow, PlannedWindow};
use crate::state::parse_time;
use crate::streams::{DataLevel, Granularity, ReportSpec};

impl PartitionSource for ReportSpec {
    async fn read_partition(&'static self, run: Rc<StreamRun>, advertiser: String) -> Result<()> {
        // Rows of TopView objects come from a second query per window; the advertiser level's
        // one row a day cannot take them in (its AUCTION rows are all it reports).
        let topview = self.data_level != DataLevel::Advertiser && topview::advertiser_has_any(&run.sync, &advertiser).await?;
        if !self.has_dates() {
            return read_lifetime(&run, self, &advertiser, topview).await;
        }
        let end = run.sync.last_report_day(&advertiser).await;
        if self.granularity == Granularity::Lifetime {
            return read_summed_windows(&run, self, &advertiser, end, topview).await;
        }
        read_windows(&run, self, &advertiser, end, topview).await
    }
}

/// A basic lifetime report (`query_lifetime`): one query, unless the advertiser never delivered
/// (which the advertiser-level probe cannot tell of TopView objects).
async fn read_lifetime(run: &Rc<StreamRun>, spec: &'static ReportSpec, advertiser: &str, topview: bool) -> Result<()> {
    if !topview && !Activity::lifetime_may_have_rows(&run.sync, advertiser).await {
        run.sync.activity.spared(1);
        return Ok(());
    }
    let window = WindowReader::new(run, spec, advertiser, None, topview);
    window.read(None, None, &mut |records| run.emit_texts(records)).await
}

/// Audience reports have no query_lifetime: sum windows of a year since start_date instead,
/// unless the advertiser never delivered.
async fn read_summed_windows(run: &Rc<StreamRun>, spec: &'static ReportSpec, advertiser: &str, end: NaiveDate, topview: bool) -> Result<()> {
    let windows = DateWindow::cover(run.sync.config.start_date, end, report::max_window_days(spec.granularity));
    if !topview && !Activity::lifetime_may_have_rows(&run.sync, advertiser).await {
        run.sync.activity.spared(windows.len());
        return Ok(());
    }
    let reader = WindowReader::new(run, spec, advertiser, Some(end), topview);
    let mut records = Vec::new();
    for window in windows {
        let mut collect = |texts: Vec<String>| records.extend(texts.iter().filter_map(|t| serde_json::from_str::<Value>(t).ok()));
        reader.read(Some(window), None, &mut collect).await?;
    }
    run.emit(&report::sum_records(records));
    Ok(())
}

/// A daily or hourly report: the days since the cursor (less the attribution window) in
/// windows, each checkpointed once every record of it is out.
async fn read_windows(run: &Rc<StreamRun>, spec: &'static ReportSpec, advertiser: &str, end: NaiveDate, topview: bool) -> Result<()> {
    let config = &run.sync.config;
    // Re-read the attribution window before the cursor: late conversions restate it.
    let since = run.cursor_of(advertiser).as_deref().and_then(parse_time).map(|t| t.date());
    let start = since.map_or(config.start_date, |day| {
        (day - Duration::days(spec.lookback_days.unwrap_or(config.attribution_window) as i64)).max(config.start_date)
    });
    let width = match spec.granularity {
        Granularity::Daily => config.report_window_days.min(spec.daily_window_days()),
        _ => report::max_window_days(spec.granularity),
    };
    let planned = planned_windows(run, advertiser, DateWindow { start, end }, width, topview).await;
    if planned.is_empty() && start <= end {
        // No day of the span can have rows: the cursor moves as if every window was read.
        run.checkpoint(advertiser, Some(&report::cursor_value(spec.granularity, end)));
        return Ok(());
    }
    // First pages of the windows travel ahead; records and states still leave window by
    // window, in order.
    let reader = WindowReader::new(run, spec, advertiser, Some(end), topview);
    let firsts = planned.into_iter().map(|p| (p, reader.request(Some(p.window), None).page(1))).collect();
    let mut firsts = FetchAhead::new(&run.sync, firsts);
    let mut truncated_windows: Vec<DateWindow> = Vec::new();
    while let Some((planned, first)) = firsts.next().await {
        let truncations = reader.truncations.get();
        reader.read(Some(planned.window), Some(first), &mut |records| run.emit_texts(records)).await?;
        if reader.truncations.get() > truncations {
            truncated_windows.push(planned.window);
        }
        // Every record up to the next window is out (the days between have none): the cursor
        // may move past them, unless a window so far ended with fewer rows than TikTok has.
        if !reader.incomplete.get() {
            run.checkpoint(advertiser, Some(&report::cursor_value(spec.granularity, planned.through)));
        }
    }
    match truncated_windows.first() {
        Some(first) if reader.task_quota_spent.get() => Err(task_quota_spent(run.def.name, advertiser, truncated_windows.len(), first.start)),
        _ => Ok(()),
    }
}

/// A backfill needing more async tasks than TikTok's quotas allow: a transient error, once every
/// window has been read (the truncated ones with a warning each).
fn task_quota_spent(stream: &str, advertiser: &str, windows: usize, from: NaiveDate) -> Error {
    let hour_later = (chrono::Utc::now() + Duration::hours(1)).format("%H:%M");
    Error::transient(format!(
        "{stream}: advertiser {advertiser}: {windows} report window{} from {from} kept only TikTok's 20,000 newest ads because the async report task quota is spent \
         (500 tasks per advertiser an hour, 4,500 per app a day: the hourly quota frees up by about {hour_later} UTC, the daily one within 24 hours); \
         the state stays before them, so the next sync reads them again",
        if windows == 1 { "" } else { "s" }
    ))
}

/// The windows of `span` worth asking for: those holding the days the advertiser may have
/// delivered on (every day with `skip_inactive_days` off, or for TopView objects, whose
/// delivery the advertiser-level probe does not show).
async fn planned_windows(run: &Rc<StreamRun>, advertiser: &str, span: DateWindow, width: u32, topview: bool) -> Vec<PlannedWindow> {
    if topview {
        return report::plan(span.start, span.end, width, |_| true);
    }
    let readable = Activity::days_to_read(&run.sync, advertiser, span.end, span).await;
    let planned = report::plan(span.start, span.end, width, |day| readable.contains(day));
    let every_window = DateWindow::cover(span.start, span.end, width).len();
    run.sync.activity.spared(every_window.saturating_sub(planned.len()));
    planned
}

/// Reads windows of one advertiser's report.
struct WindowReader<'a> {
    run: &'a Rc<StreamRun>,
    spec: &'static ReportSpec,
    advertiser: &'a str,
    /// The last day this sync reads, which no async task goes past.
    last_day: Option<NaiveDate>,
    /// An async task's rows for the days after the window that created it.
    task_rows: RefCell<Option<TaskRows>>,
    /// A window ended with fewer rows than TikTok has (truncated, and no task could make up
    /// for it): the cursor never moves past it, so the next sync reads it again.
    incomplete: Cell<bool>,
    /// Queries whose rows stayed truncated, so far.
    truncations: Cell<usize>,
    /// A task was given up because a task quota is spent.
    task_quota_spent: Cell<bool>,
    /// The advertiser has TopView objects: each window has a second query for their rows.
    topview: bool,
}

/// An async task may span any number of days (tiktok-api.md §4.9) while synchronous windows
/// are short (hourly reports: one day), so one task serves the truncated windows that follow:
/// TikTok's quotas allow 500 tasks an advertiser an hour. The span is chosen for about this
/// many rows, since a task answers with one CSV file held whole (64 MiB at most).
const TASK_ROWS_TARGET: u64 = 50_000;
/// And never more days than this.
const MAX_TASK_DAYS: i64 = 31;
/// Rows per page of the synchronous report, to estimate a task's rows from its page count.
const SYNC_PAGE_ROWS: u64 = 1_000;

/// The rows of one async task by day, for the days no window consumed yet; or why the task
/// failed (the windows it would have served keep their truncated rows).
struct TaskRows {
    span: DateWindow,
    by_day: std::result::Result<BTreeMap<NaiveDate, Vec<Value>>, TaskFailure>,
}

/// Where a window's record texts go: out to the host, or into a sum.
type Sink<'s> = &'s mut dyn FnMut(Vec<String>);

impl<'a> WindowReader<'a> {
    fn new(run: &'a Rc<StreamRun>, spec: &'static ReportSpec, advertiser: &'a str, last_day: Option<NaiveDate>, topview: bool) -> Self {
        WindowReader {
            run,
            spec,
            advertiser,
            last_day,
            task_rows: RefCell::new(None),
            incomplete: Cell::new(false),
            truncations: Cell::new(0),
            task_quota_spent: Cell::new(false),
            topview,
        }
    }

    fn request(&self, window: Option<DateWindow>, scope: Option<&IdFilter>) -> crate::api::ApiRequest {
        let filters: Vec<Value> = scope.map(IdFilter::filtering).into_iter().collect();
        report::request(self.spec, self.advertiser, window, self.run.sync.config.include_deleted, &filters)
            .scoped(Scope::ReportWindow)
            .concerning(self.advertiser)
    }

    /// Read one window (the whole lifetime when `window` is None) into `sink`, TopView rows
    /// included.
    async fn read(&self, window: Option<DateWindow>, first: Option<Result<ApiResponse>>, sink: Sink<'_>) -> Result<()> {
        if !self.topview {
            return self.read_scope(window, None, first, sink).await;
        }
        let id_dimension = self.spec.data_level.id_dimension();
        let mut ids = HashSet::new();
        self.read_scope(window, None, first, &mut |records: Vec<String>| {
            ids.extend(records.iter().filter_map(|r| serde_json::from_str::<Value>(r).ok()?.get(id_dimension)?.as_str().map(str::to_string)));
            sink(records)
        })
        .await?;
        self.read_topview(window, &ids, sink).await
    }

    /// The window's rows of TopView objects, which TikTok reports only under the `buying_type`
    /// filter; rows of objects the main query gave are dropped (a server that ignores the
    /// filter answers with those again).
    async fn read_topview(&self, window: Option<DateWindow>, main_ids: &HashSet<String>, sink: Sink<'_>) -> Result<()> {
        let span = window.map_or("lifetime".to_string(), |w| format!("{}..{}", w.start, w.end));
        let request = report::request(self.spec, self.advertiser, window, self.run.sync.config.include_deleted, &[topview::report_filter()])
            .scoped(Scope::ReportWindow)
            .concerning(self.advertiser);
        let advertiser = self.advertiser.to_string();
        let decode = move |answer: ApiResponse| {
            let page = report::page_records(&answer.body, &advertiser).map_err(Error::transient)?;
            Ok(Page { is_empty: page.records.is_empty(), total_pages: page.total_pages, items: page.records })
        };
        let id_dimension = self.spec.data_level.id_dimension();
        let mut pages = Pages::decoded(&self.run.sync, request, None, Box::new(decode));
        while let Some(page) = pages.next().await {
            let mut records = page.map_err(|e| e.context(format!("{span} (TopView)")))?;
            records.retain(|r| {
                let id = serde_json::from_str::<Value>(r).ok().and_then(|v| v.get(id_dimension)?.as_str().map(str::to_string));
                id.is_none_or(|id| !main_ids.contains(&id))
            });
            sink(records);
        }
        if pages.truncated {
            self.incomplete.set(true);
            self.truncations.set(self.truncations.get() + 1);
            output::log_warn(&format!(
                "{}: advertiser {} {span}: TikTok truncated the TopView rows to the 20,000 most recently created ads; the state stays before this window, so the next sync reads it again",
                self.run.def.name, self.advertiser
            ));
        }
        Ok(())
    }

    /// Read one window of the report, or of the part of it `scope` filters to. A window TikTok
    /// truncated to its 20k newest ads is read another way (`read_truncated`); one TikTok calls
    /// too large (40067), or that keeps timing out, is read in halves down to single days. Both
    /// before any record of it went out.
    fn read_scope<'s>(
        &'s self,
        window: Option<DateWindow>,
        scope: Option<IdFilter>,
        first: Option<Result<ApiResponse>>,
        sink: Sink<'s>,
    ) -> Pin<Box<dyn Future<Output = Result<()>> + 's>> {
        Box::pin(async move {
            let mut span = window.map_or("lifetime".to_string(), |w| format!("{}..{}", w.start, w.end));
            if let Some(scope) = &scope {
                span = format!("{span} ({})", scope.describe());
            }
            let first = match first {
                Some(first) => first,
                None => self.run.sync.call(&self.request(window, scope.as_ref()).page(1)).await,
            };
            if let Some(answer) = first.as_ref().ok().filter(|answer| answer.ads_throttle.is_some()) {
                let pages = answer.total_pages();
                if self.read_truncated(window, scope.as_ref(), pages, &span, sink).await? {
                    return Ok(());
                }
            }
            let advertiser = self.advertiser.to_string();
            let decode = move |answer: ApiResponse| {
                let page = report::page_records(&answer.body, &advertiser).map_err(Error::transient)?;
                Ok(Page { is_empty: page.records.is_empty(), total_pages: page.total_pages, items: (page.records, page.unreadable) })
            };
            let mut pages = Pages::decoded(&self.run.sync, self.request(window, scope.as_ref()), Some(first), Box::new(decode));
            let mut unreadable = BTreeMap::new();
            let mut emitted = false;
            while let Some(page) = pages.next().await {
                match page {
                    Ok((records, page_unreadable)) => {
                        emitted = true;
                        unreadable.extend(page_unreadable);
                        sink(records);
                    }
                    Err(e) if !emitted && self.should_split(&e) => return self.read_halves(window, scope, &span, e, sink).await,
                    Err(e) => return Err(e.context(span)),
                }
            }
            for (metric, text) in &unreadable {
                output::log_warn(&format!(
                    "{}: advertiser {} {span}: metric {metric} had an unreadable value {text:?}; emitted as null",
                    self.run.def.name, self.advertiser
                ));
            }
            if pages.truncated {
                self.incomplete.set(true);
                self.truncations.set(self.truncations.get() + 1);
                output::log_warn(&format!(
                    "{}: advertiser {} {span}: TikTok truncated the report to the 20,000 most recently created ads (X-Tt-Ads-Throttle) and no narrower query or async task could read the rest; the state stays before this window, so the next sync reads it again",
                    self.run.def.name, self.advertiser
                ));
            }
            Ok(())
        })
    }

    /// A window (or scope) TikTok truncated to its 20k newest ads, read whole another way: in
    /// narrower queries filtered by ids (every app may, and nothing is lost), or through an
    /// async task where that loses nothing or narrowing cannot help. False when neither could:
    /// the truncated rows are then read, with a warning.
    async fn read_truncated(&self, window: Option<DateWindow>, scope: Option<&IdFilter>, sync_pages: u64, span: &str, sink: Sink<'_>) -> Result<bool> {
        let level = self.spec.data_level;
        if let Some(scope) = scope {
            let tree = ad_tree::of(&self.run.sync, self.advertiser).await?;
            let Some(finer) = tree.narrower(scope, level) else { return Ok(false) };
            for finer in finer {
                self.read_scope(window, Some(finer), None, sink).await?;
            }
            return Ok(true);
        }
        // Rows of an advertiser-level report sum every ad: no filter splits them. A report
        // with id filters of its own keeps them.
        let narrowable = level != DataLevel::Advertiser && !self.spec.filters.iter().any(|f| f.field.ends_with("_ids"));
        let task_is_whole = self.task_loses_nothing();
        if (task_is_whole || !narrowable) && self.read_task(window, sync_pages, span, sink).await {
            return Ok(true);
        }
        if narrowable {
            let tree = ad_tree::of(&self.run.sync, self.advertiser).await?;
            if let Some(scopes) = tree.scopes(level, ADS_LIMIT) {
                output::log_info(&format!(
                    "{}: advertiser {} {span}: TikTok truncated the report to the 20,000 newest ads; reading it in {} queries filtered by ids ({} ads)",
                    self.run.def.name, self.advertiser, scopes.len(), tree.len()
                ));
                for scope in scopes {
                    self.read_scope(window, Some(scope), None, sink).await?;
                }
                return Ok(true);
            }
            // The ad list cannot cover every ad: a task missing some metrics beats missing rows.
            if !task_is_whole {
                return Ok(self.read_task(window, sync_pages, span, sink).await);
            }
        }
        Ok(false)
    }

    /// Whether an async task gives every value of this report: tasks refuse reach metrics with
    /// breakdowns and take no status filter (deleted objects).
    fn task_loses_nothing(&self) -> bool {
        let deleted_left_out = self.run.sync.config.include_deleted && self.spec.data_level.status_field().is_some();
        report::task_metrics(self.spec).1.is_empty() && !deleted_left_out
    }

    fn should_split(&self, e: &Error) -> bool {
        e.timed_out || e.action(Scope::ReportWindow) == Some(Action::SplitWindow)
    }

    async fn read_halves(&self, window: Option<DateWindow>, scope: Option<IdFilter>, span: &str, e: Error, sink: Sink<'_>) -> Result<()> {
        let why = if e.timed_out { "keeps timing out" } else { "is too large for TikTok (40067)" };
        match window {
            Some(w) if w.days() > 1 => {
                output::log_info(&format!("{}: advertiser {} {span} {why}; reading it in halves", self.run.def.name, self.advertiser));
                let (first, second) = w.split();
                self.read_scope(Some(first), scope.clone(), None, sink).await?;
                self.read_scope(Some(second), scope, None, sink).await
            }
            _ => {
                let mut error = Error::transient(format!(
                    "TikTok: the report for advertiser {} {span} {why} even for a single day; lower the number of metrics or try again later ({})",
                    self.advertiser, e.message
                ));
                error.refusal = e.refusal;
                Err(error)
            }
        }
    }

    /// TikTok cut the report to its 20k newest ads: read the window from an async task instead,
    /// which is not truncated (one task may serve the windows that follow). False (with a
    /// warning) when the task fails or a quota is spent.
    async fn read_task(&self, window: Option<DateWindow>, sync_pages: u64, span: &str, sink: Sink<'_>) -> bool {
        let (name, advertiser) = (self.run.def.name, self.advertiser);
        if self.run.sync.task_access.refused() {
            return false;
        }
        let rows = match self.task_rows_for(window, sync_pages).await {
            Ok(rows) => rows,
            Err(failure) => {
                self.task_quota_spent.set(self.task_quota_spent.get() || matches!(failure, TaskFailure::QuotaSpent(_)));
                output::log_info(&format!("{name}: advertiser {advertiser} {span}: no async report task ({})", failure.why()));
                return false;
            }
        };
        let (_, left_out) = report::task_metrics(self.spec);
        if !left_out.is_empty() {
            self.run.warn_once("task-uv", &format!(
                "{name}: TikTok's async report tasks refuse reach metrics with audience dimensions; rows read through a task have {} as null",
                left_out.join(", ")
            ));
        }
        if self.run.sync.config.include_deleted && self.spec.data_level.status_field().is_some() {
            self.run.warn_once("task-deleted", &format!(
                "{name}: TikTok's async report tasks take no status filter; rows read through a task leave out deleted objects"
            ));
        }
        output::log_info(&format!(
            "{name}: advertiser {advertiser} {span}: the synchronous report was truncated to 20,000 ads; read {} rows from an async report task instead",
            rows.len()
        ));
        let mut unreadable = BTreeMap::new();
        let records = rows.into_iter().map(|row| {
            let mut record = report::to_record(row, advertiser, &mut unreadable);
            for metric in &left_out {
                record["metrics"][*metric] = Value::Null;
            }
            record.to_string()
        });
        sink(records.collect());
        true
    }

    /// The task rows of `window`: from the task an earlier window created, or from a new task
    /// spanning this window and the days after it.
    async fn task_rows_for(&self, window: Option<DateWindow>, sync_pages: u64) -> std::result::Result<Vec<Value>, TaskFailure> {
        let Some(window) = window else {
            return report_tasks::read(&self.run.sync, self.spec, self.advertiser, None).await;
        };
        let covered = |rows: &Option<TaskRows>| rows.as_ref().is_some_and(|r| r.span.start <= window.start && window.end <= r.span.end);
        if !covered(&self.task_rows.borrow()) {
            let span = self.task_span(window, sync_pages);
            let rows = self.task_rows_in_halves(span).await;
            // The windows after this one in the task's span fail alike, without a new task.
            let by_day = rows.map(|rows| group_by_day(rows, self.spec, window.start)).map_err(|e| e.context(&format!("the task for {}..{}", span.start, span.end)));
            *self.task_rows.borrow_mut() = Some(TaskRows { span, by_day });
        }
        let mut cached = self.task_rows.borrow_mut();
        let by_day = match cached.as_mut().map(|rows| &mut rows.by_day) {
            Some(Ok(by_day)) => by_day,
            Some(Err(failure)) => return Err(failure.clone()),
            None => return Err(TaskFailure::Failed("no async report task covers these days".to_string())),
        };
        let mut rows = Vec::new();
        let mut day = window.start;
        while day <= window.end {
            rows.extend(by_day.remove(&day).unwrap_or_default());
            day += Duration::days(1);
        }
        Ok(rows)
    }

    /// The rows of a task for `span`. A task that fails over several days is asked again in
    /// halves, down to single days: TikTok's documents disagree on the span an hourly task may
    /// have, and a long span of a large account may fail or outgrow its download.
    fn task_rows_in_halves(&self, span: DateWindow) -> Pin<Box<dyn Future<Output = std::result::Result<Vec<Value>, TaskFailure>> + '_>> {
        Box::pin(async move {
            match report_tasks::read(&self.run.sync, self.spec, self.advertiser, Some(span)).await {
                Err(TaskFailure::Failed(why)) if span.days() > 1 && !self.run.sync.task_access.refused() => {
                    output::log_info(&format!(
                        "{}: advertiser {} {}..{}: the async report task failed ({why}); asking for its days in halves",
                        self.run.def.name, self.advertiser, span.start, span.end
                    ));
                    let (first, second) = span.split();
                    let mut rows = self.task_rows_in_halves(first).await?;
                    rows.extend(self.task_rows_in_halves(second).await?);
                    Ok(rows)
                }
                answer => answer,
            }
        })
    }

    /// The days one task covers, from `window` on: about `TASK_ROWS_TARGET` rows, estimated
    /// from the window's synchronous page count. Reports without a time dimension (summed
    /// lifetime windows) keep their window.
    fn task_span(&self, window: DateWindow, sync_pages: u64) -> DateWindow {
        let (Some(last_day), Some(_)) = (self.last_day, self.spec.granularity.time_dimension()) else { return window };
        let rows_per_day = (sync_pages.max(1) * SYNC_PAGE_ROWS).div_ceil(window.days() as u64);
        let days = ((TASK_ROWS_TARGET / rows_per_day) as i64).clamp(window.days(), MAX_TASK_DAYS.max(window.days()));
        DateWindow { start: window.start, end: (window.start + Duration::days(days - 1)).min(last_day).max(window.end) }
    }
}

/// A task's rows by the day of their time dimension (`YYYY-MM-DD HH:MM:SS`); a row without a
/// readable day goes with `first_day`, the window being read, so it is not lost.
fn group_by_day(rows: Vec<Value>, spec: &ReportSpec, first_day: NaiveDate) -> BTreeMap<NaiveDate, Vec<Value>> {
    let time = spec.granularity.time_dimension().unwrap_or_default();
    let mut by_day: BTreeMap<NaiveDate, Vec<Value>> = BTreeMap::new();
    for row in rows {
        let day = row["dimensions"][time].as_str().and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok());
        by_day.entry(day.unwrap_or(first_day)).or_default().push(row);
    }
    by_day
}
