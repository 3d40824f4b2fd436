//! One window of one advertiser's report, read whole, and what became of it ([`WindowOutcome`]):
//! TikTok's pages into records; a window it truncated to 20k ads is read another way
//! (`truncation`), one it calls too large or that keeps timing out in halves (`split`), and an
//! advertiser's TopView rows through their own query (`topview`).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use chrono::NaiveDate;
use serde_json::Value;

use crate::api::{ApiRequest, ApiResponse, Scope};
use crate::context::StreamRun;
use crate::error::{Action, Error, Result};
use crate::fetch::paging::{Page, Pages};
use crate::integer_ids::id_text;
use crate::output;
use crate::report::dates::DateWindow;
use crate::report::query;
use crate::report::rows::page_records;
use crate::report::tasks::TaskFailure;
use crate::report::truncation::narrow::{ads_limit, IdFilter, TruncatedAnswer};
use crate::report::ReportSync;
use crate::streams::ReportSpec;

/// Reads windows of one advertiser's report.
pub struct WindowReader<'a> {
    pub(in crate::report) run: &'a Rc<StreamRun>,
    pub(in crate::report) reports: &'a Rc<ReportSync>,
    pub(in crate::report) spec: &'static ReportSpec,
    pub(in crate::report) advertiser: &'a str,
    /// The last day this sync reads, which no async task goes past.
    pub(in crate::report) last_day: Option<NaiveDate>,
    /// An async task's rows for the days after the window that created it.
    pub(in crate::report) task_rows: RefCell<Option<TaskRows>>,
    /// Rows a day the last task of this report brought, to size the next one.
    pub(in crate::report) task_rows_per_day: Cell<Option<u64>>,
    /// The advertiser has TopView objects: each window has a second query for their rows.
    topview: bool,
}

/// What became of one window, for the caller to decide whether the cursor may move past it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WindowOutcome {
    /// Queries whose rows stayed truncated to TikTok's 20k newest ads (each said in a warning).
    pub truncated_queries: usize,
    /// An async task was given up because a task quota is spent.
    pub task_quota_spent: bool,
}

impl WindowOutcome {
    /// The window ended with fewer rows than TikTok has: the cursor must not move past it, so
    /// the next sync reads it again.
    pub fn incomplete(&self) -> bool {
        self.truncated_queries > 0
    }
}

/// The rows of one async task by day, for the days no window consumed yet; or why the task
/// failed (the windows it would have served keep their truncated rows).
pub(in crate::report) struct TaskRows {
    pub span: DateWindow,
    pub by_day: std::result::Result<BTreeMap<NaiveDate, Vec<Value>>, TaskFailure>,
}

/// One page of a report: record texts, and the metrics whose values could not be read.
type ReportRecords = (Vec<String>, BTreeMap<String, String>);

/// The id of a record text's object (its `id_dimension`), to tell TopView rows from the main
/// query's.
pub(in crate::report) fn record_id(record: &str, id_dimension: &str) -> Option<String> {
    serde_json::from_str::<Value>(record).ok()?.get(id_dimension).and_then(id_text)
}

/// Where a window's record texts go: out to the host, or into a sum.
pub type Sink<'s> = &'s mut dyn FnMut(Vec<String>);

impl<'a> WindowReader<'a> {
    pub fn new(
        run: &'a Rc<StreamRun>,
        reports: &'a Rc<ReportSync>,
        spec: &'static ReportSpec,
        advertiser: &'a str,
        last_day: Option<NaiveDate>,
        topview: bool,
    ) -> Self {
        WindowReader {
            run,
            reports,
            spec,
            advertiser,
            last_day,
            task_rows: RefCell::new(None),
            task_rows_per_day: Cell::new(None),
            topview,
        }
    }

    /// The query of `window` (of the part `scope` filters to, when given).
    pub fn request(&self, window: Option<DateWindow>, scope: Option<&IdFilter>) -> ApiRequest {
        let filters: Vec<Value> = scope.map(IdFilter::filtering).into_iter().collect();
        self.filtered_request(window, &filters)
    }

    /// The query of `window` with `filters` added to the report's own.
    pub(in crate::report) fn filtered_request(&self, window: Option<DateWindow>, filters: &[Value]) -> ApiRequest {
        query::request(self.spec, self.advertiser, window, self.run.sync.config.include_deleted, filters)
            .scoped(Scope::ReportWindow)
            .concerning(self.advertiser)
    }

    /// Read one window (the whole lifetime when `window` is None) into `sink`, TopView rows
    /// included; `first` is page 1's answer when it came already.
    pub async fn read(
        &self,
        window: Option<DateWindow>,
        first: Option<Result<ApiResponse>>,
        sink: Sink<'_>,
    ) -> Result<WindowOutcome> {
        let mut outcome = WindowOutcome::default();
        if self.topview {
            self.read_with_topview(window, first, sink, &mut outcome).await?;
        } else {
            self.read_scope(window, None, first, sink, &mut outcome).await?;
        }
        Ok(outcome)
    }

    /// The pages of a report query, as record texts and the metrics whose values could not be
    /// read; `first` is page 1's answer when it came already.
    pub(in crate::report) fn report_pages(
        &self,
        request: ApiRequest,
        first: Option<Result<ApiResponse>>,
    ) -> Pages<ReportRecords> {
        let advertiser = self.advertiser.to_string();
        let decode = move |answer: ApiResponse| {
            let page = page_records(&answer.body, &advertiser).map_err(Error::transient)?;
            Ok(Page {
                is_empty: page.records.is_empty(),
                total_pages: page.total_pages,
                items: (page.records, page.unreadable),
            })
        };
        Pages::decoded(&self.run.sync.api, request, first, Box::new(decode))
    }

    /// Values that could not be read went out as null: say which, once per metric and query.
    pub(in crate::report) fn warn_unreadable(&self, span: &str, unreadable: &BTreeMap<String, String>) {
        for (metric, text) in unreadable {
            output::log_warn(&format!(
                "{}: advertiser {} {span}: metric {metric} had an unreadable value {text:?}; emitted as null",
                self.run.def.name, self.advertiser
            ));
        }
    }

    /// A query whose rows stay truncated: the window is incomplete, and the user is told.
    pub(in crate::report) fn kept_truncated(&self, span: &str, why: &str, outcome: &mut WindowOutcome) {
        outcome.truncated_queries += 1;
        output::log_warn(&format!(
            "{}: advertiser {} {span}: TikTok truncated the report to the 20,000 most recently created ads (X-Tt-Ads-Throttle) and {why}; the state stays before this window, so the next sync reads it again",
            self.run.def.name, self.advertiser
        ));
    }

    /// Read one window of the report, or of the part of it `scope` filters to. A window TikTok
    /// truncated to its 20k newest ads is read another way (`read_truncated`); one TikTok calls
    /// too large (40067), or that keeps timing out, is read in halves down to single days. Both
    /// before any record of it went out.
    pub(in crate::report) fn read_scope<'s>(
        &'s self,
        window: Option<DateWindow>,
        scope: Option<IdFilter>,
        first: Option<Result<ApiResponse>>,
        sink: Sink<'s>,
        outcome: &'s mut WindowOutcome,
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
            let throttled = first.as_ref().ok().and_then(|answer| Some((answer.ads_throttle.as_deref()?, answer)));
            let mut complete_scope = false;
            if let Some((header, answer)) = throttled {
                let limit = ads_limit(header);
                complete_scope = match &scope {
                    Some(scope) => self.holds_fewer_ads(scope, limit).await?,
                    None => false,
                };
                let truncated = TruncatedAnswer { limit, pages: answer.total_pages() };
                if !complete_scope
                    && self.read_truncated(window, scope.as_ref(), truncated, &span, sink, outcome).await?
                {
                    return Ok(());
                }
            }
            let mut pages = self.report_pages(self.request(window, scope.as_ref()), Some(first));
            let mut unreadable = BTreeMap::new();
            // The records out so far, by a hash of their text: a later page that keeps failing
            // reads the window in halves, which bring these again (and only these are dropped).
            // Only pages that others follow are hashed: a window of one page costs nothing.
            let (mut out, mut emitted) = (false, HashSet::<u64>::new());
            while let Some(page) = pages.next().await {
                match page {
                    Ok((records, page_unreadable)) => {
                        if !pages.is_done() {
                            emitted.extend(records.iter().map(|r| text_hash(r)));
                        }
                        out |= !records.is_empty();
                        unreadable.extend(page_unreadable);
                        sink(records);
                    }
                    Err(e) if !out && e.decided().is_some_and(Action::splits_window) => {
                        return self.read_halves(window, scope, &span, e, sink, outcome).await
                    }
                    Err(e)
                        if e.decided().is_some_and(Action::splits_window) && window.is_some_and(|w| w.days() > 1) =>
                    {
                        output::log_info(&format!(
                            "{}: advertiser {} {span}: a page after the first failed ({}); the window is read again in halves, its rows already out left out",
                            self.run.def.name, self.advertiser, e.message
                        ));
                        let mut once = |records: Vec<String>| {
                            sink(records.into_iter().filter(|r| !emitted.contains(&text_hash(r))).collect())
                        };
                        return self.read_halves(window, scope, &span, e, &mut once, outcome).await;
                    }
                    Err(e) => return Err(e.context(span)),
                }
            }
            self.warn_unreadable(&span, &unreadable);
            if pages.truncated && !complete_scope {
                self.kept_truncated(&span, "no narrower query or async task could read the rest", outcome);
            }
            Ok(())
        })
    }

    /// Whether the ad list puts fewer than `limit` ads in a scope TikTok flagged as truncated.
    /// Then the flag speaks of the account, not of the filtered query (tiktok-api.md §15 R1:
    /// DOC-SYNC and DOC-FAQ count the ads of "the account"), and the scope's answer is whole;
    /// said once per sync.
    async fn holds_fewer_ads(&self, scope: &IdFilter, limit: usize) -> Result<bool> {
        let ads = self.ad_tree().await?.ads_in(scope);
        if ads >= limit {
            return Ok(false);
        }
        if !self.reports.header_for_account.replace(true) {
            output::log_info(&format!(
                "{}: advertiser {}: TikTok flags queries as truncated (X-Tt-Ads-Throttle) even where id filters hold fewer than {limit} ads by the ad list ({ads} here): such answers are read as whole, and narrowing stops there",
                self.run.def.name, self.advertiser
            ));
        }
        Ok(true)
    }
}

/// A record text's hash, to know a record already out when a window is read again.
fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
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
