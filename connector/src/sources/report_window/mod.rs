//! One window of one advertiser's report, read whole: in halves when TikTok calls it too large
//! or it keeps timing out; when TikTok truncates it to 20k ads, in narrower queries filtered by
//! ids (`report::narrow`) or through async tasks (`tasks`); TopView rows through their own
//! filter.

mod tasks;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use chrono::NaiveDate;
use serde_json::Value;

use super::report_tasks::TaskFailure;
use super::{ad_tree, topview};
use crate::api::Scope;
use crate::api::{ApiRequest, ApiResponse};
use crate::context::StreamRun;
use crate::error::{Action, Error, Result};
use crate::fetch::paging::{Page, Pages};
use crate::integer_ids::id_text;
use crate::output;
use crate::report::narrow::{IdField, IdFilter, ADS_LIMIT};
use crate::report::{self, DateWindow};
use crate::streams::{DataLevel, ReportSpec};

/// Reads windows of one advertiser's report.
pub struct WindowReader<'a> {
    run: &'a Rc<StreamRun>,
    spec: &'static ReportSpec,
    advertiser: &'a str,
    /// The last day this sync reads, which no async task goes past.
    last_day: Option<NaiveDate>,
    /// An async task's rows for the days after the window that created it.
    task_rows: RefCell<Option<TaskRows>>,
    /// A window ended with fewer rows than TikTok has (truncated, and no task could make up
    /// for it): the cursor never moves past it, so the next sync reads it again.
    pub incomplete: Cell<bool>,
    /// Queries whose rows stayed truncated, so far.
    pub truncations: Cell<usize>,
    /// A task was given up because a task quota is spent.
    pub task_quota_spent: Cell<bool>,
    /// Rows a day the last task of this report brought, to size the next one.
    task_rows_per_day: Cell<Option<u64>>,
    /// The advertiser has TopView objects: each window has a second query for their rows.
    topview: bool,
}

/// The rows of one async task by day, for the days no window consumed yet; or why the task
/// failed (the windows it would have served keep their truncated rows).
struct TaskRows {
    span: DateWindow,
    by_day: std::result::Result<BTreeMap<NaiveDate, Vec<Value>>, TaskFailure>,
}

/// One page of a report: record texts, and the metrics whose values could not be read.
type ReportRecords = (Vec<String>, BTreeMap<String, String>);

/// A window's label in logs: its days, or `lifetime`.
/// The id of a record text's object (its `id_dimension`), to tell TopView rows from the main
/// query's.
fn record_id(record: &str, id_dimension: &str) -> Option<String> {
    serde_json::from_str::<Value>(record).ok()?.get(id_dimension).and_then(id_text)
}

/// Where a window's record texts go: out to the host, or into a sum.
pub type Sink<'s> = &'s mut dyn FnMut(Vec<String>);

impl<'a> WindowReader<'a> {
    pub fn new(
        run: &'a Rc<StreamRun>,
        spec: &'static ReportSpec,
        advertiser: &'a str,
        last_day: Option<NaiveDate>,
        topview: bool,
    ) -> Self {
        WindowReader {
            run,
            spec,
            advertiser,
            last_day,
            task_rows: RefCell::new(None),
            incomplete: Cell::new(false),
            truncations: Cell::new(0),
            task_quota_spent: Cell::new(false),
            task_rows_per_day: Cell::new(None),
            topview,
        }
    }

    pub fn request(&self, window: Option<DateWindow>, scope: Option<&IdFilter>) -> ApiRequest {
        let filters: Vec<Value> = scope.map(IdFilter::filtering).into_iter().collect();
        report::request(self.spec, self.advertiser, window, self.run.sync.config.include_deleted, &filters)
            .scoped(Scope::ReportWindow)
            .concerning(self.advertiser)
    }

    /// Read one window (the whole lifetime when `window` is None) into `sink`, TopView rows
    /// included.
    pub async fn read(
        &self,
        window: Option<DateWindow>,
        first: Option<Result<ApiResponse>>,
        sink: Sink<'_>,
    ) -> Result<()> {
        if !self.topview {
            return self.read_scope(window, None, first, sink).await;
        }
        let id_dimension = self.spec.data_level.id_dimension();
        let mut ids = HashSet::new();
        self.read_scope(window, None, first, &mut |records: Vec<String>| {
            ids.extend(records.iter().filter_map(|r| record_id(r, id_dimension)));
            sink(records)
        })
        .await?;
        self.read_topview(window, &ids, sink).await
    }

    /// The window's rows of TopView objects, which TikTok reports only under the `buying_type`
    /// filter; rows of objects the main query gave are dropped (a server that ignores the
    /// filter answers with those again).
    async fn read_topview(&self, window: Option<DateWindow>, main_ids: &HashSet<String>, sink: Sink<'_>) -> Result<()> {
        let span = format!("{} (TopView rows)", DateWindow::span_text(window));
        let request = report::request(
            self.spec,
            self.advertiser,
            window,
            self.run.sync.config.include_deleted,
            &[topview::report_filter()],
        )
        .scoped(Scope::ReportWindow)
        .concerning(self.advertiser);
        let id_dimension = self.spec.data_level.id_dimension();
        let mut pages = self.report_pages(request, None);
        let mut unreadable = BTreeMap::new();
        while let Some(page) = pages.next().await {
            let (mut records, page_unreadable) = page.map_err(|e| e.context(&span))?;
            unreadable.extend(page_unreadable);
            records.retain(|r| record_id(r, id_dimension).is_none_or(|id| !main_ids.contains(&id)));
            sink(records);
        }
        self.warn_unreadable(&span, &unreadable);
        if pages.truncated {
            self.kept_truncated(&span, "no narrower query is made for TopView objects");
        }
        Ok(())
    }

    /// The pages of a report query, as record texts and the metrics whose values could not be
    /// read; `first` is page 1's answer when it came already.
    fn report_pages(&self, request: ApiRequest, first: Option<Result<ApiResponse>>) -> Pages<ReportRecords> {
        let advertiser = self.advertiser.to_string();
        let decode = move |answer: ApiResponse| {
            let page = report::page_records(&answer.body, &advertiser).map_err(Error::transient)?;
            Ok(Page {
                is_empty: page.records.is_empty(),
                total_pages: page.total_pages,
                items: (page.records, page.unreadable),
            })
        };
        Pages::decoded(&self.run.sync.api, request, first, Box::new(decode))
    }

    /// Values that could not be read went out as null: say which, once per metric and query.
    fn warn_unreadable(&self, span: &str, unreadable: &BTreeMap<String, String>) {
        for (metric, text) in unreadable {
            output::log_warn(&format!(
                "{}: advertiser {} {span}: metric {metric} had an unreadable value {text:?}; emitted as null",
                self.run.def.name, self.advertiser
            ));
        }
    }

    /// A query whose rows stay truncated: the window is incomplete, and the user is told.
    fn kept_truncated(&self, span: &str, why: &str) {
        self.incomplete.set(true);
        self.truncations.set(self.truncations.get() + 1);
        output::log_warn(&format!(
            "{}: advertiser {} {span}: TikTok truncated the report to the 20,000 most recently created ads (X-Tt-Ads-Throttle) and {why}; the state stays before this window, so the next sync reads it again",
            self.run.def.name, self.advertiser
        ));
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
            let mut span = DateWindow::span_text(window);
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
            let mut pages = self.report_pages(self.request(window, scope.as_ref()), Some(first));
            let mut unreadable = BTreeMap::new();
            let mut emitted = false;
            while let Some(page) = pages.next().await {
                match page {
                    Ok((records, page_unreadable)) => {
                        emitted = true;
                        unreadable.extend(page_unreadable);
                        sink(records);
                    }
                    Err(e) if !emitted && self.should_split(&e) => {
                        return self.read_halves(window, scope, &span, e, sink).await
                    }
                    Err(e) => return Err(e.context(span)),
                }
            }
            self.warn_unreadable(&span, &unreadable);
            if pages.truncated {
                self.kept_truncated(&span, "no narrower query or async task could read the rest");
            }
            Ok(())
        })
    }

    /// A window (or scope) TikTok truncated to its 20k newest ads, read whole another way: in
    /// narrower queries filtered by ids (every app may, and nothing is lost), or through an
    /// async task where that loses nothing or narrowing cannot help. False when neither could:
    /// the truncated rows are then read, with a warning.
    async fn read_truncated(
        &self,
        window: Option<DateWindow>,
        scope: Option<&IdFilter>,
        sync_pages: u64,
        span: &str,
        sink: Sink<'_>,
    ) -> Result<bool> {
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
        let narrowable =
            level != DataLevel::Advertiser && !self.spec.filters.iter().any(|f| IdField::named(f.field).is_some());
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
        e.decided().is_some_and(Action::splits_window)
    }

    async fn read_halves(
        &self,
        window: Option<DateWindow>,
        scope: Option<IdFilter>,
        span: &str,
        e: Error,
        sink: Sink<'_>,
    ) -> Result<()> {
        let why = e.decided().and_then(Action::window_split_reason).unwrap_or("is too large for TikTok (40067)");
        match window {
            Some(w) if w.days() > 1 => {
                output::log_info(&format!(
                    "{}: advertiser {} {span} {why}; reading it in halves",
                    self.run.def.name, self.advertiser
                ));
                let (first, second) = w.split();
                self.read_scope(Some(first), scope.clone(), None, sink).await?;
                self.read_scope(Some(second), scope, None, sink).await
            }
            _ => {
                let mut error = Error::transient(format!(
                    "TikTok: the report for advertiser {} {span} {why} even for a single day; lower the number of metrics or try again later ({})",
                    self.advertiser, e.message
                ));
                error.api_failure = e.api_failure;
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_id_is_read_as_every_id_is() {
        assert_eq!(
            record_id(r#"{"ad_id":"12","stat_time_day":"2024-01-01 00:00:00"}"#, "ad_id"),
            Some("12".to_string())
        );
        assert_eq!(record_id(r#"{"ad_id":12}"#, "ad_id"), Some("12".to_string()));
        assert_eq!(record_id(r#"{"ad_id":""}"#, "ad_id"), None);
        assert_eq!(record_id(r#"{"campaign_id":"1"}"#, "ad_id"), None);
        assert_eq!(record_id("not a record", "ad_id"), None);
    }
}
