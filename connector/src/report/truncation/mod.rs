//! A window (or scope) TikTok truncated to its 20k newest ads (`X-Tt-Ads-Throttle`), read whole
//! another way: in narrower queries filtered by ids (`narrow`, over the advertiser's ads as
//! `ad_tree` lists them), or through an async task where that loses nothing or narrowing
//! cannot help.
//!
//! - `narrow`: the id filters (scopes) that split an advertiser's ads;
//! - `ad_tree`: the advertiser's ads with their ad groups and campaigns, listed once per sync.

pub mod ad_tree;
pub mod narrow;

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::json;

use crate::error::Result;
use crate::output;
use crate::report::dates::DateWindow;
use crate::report::query::task_metrics;
use crate::report::windows::reader::{Sink, WindowOutcome, WindowReader};
use crate::streams::DataLevel;
use narrow::{AdTree, IdField, IdFilter, TruncatedAnswer};

impl WindowReader<'_> {
    /// Read a truncated window (or scope) whole another way. False when nothing could: the
    /// truncated rows are then read, with a warning.
    pub(in crate::report) async fn read_truncated(
        &self,
        window: Option<DateWindow>,
        scope: Option<&IdFilter>,
        answer: TruncatedAnswer,
        span: &str,
        sink: Sink<'_>,
        outcome: &mut WindowOutcome,
    ) -> Result<bool> {
        let TruncatedAnswer { limit, pages: sync_pages } = answer;
        let level = self.spec.narrowing_level();
        if let Some(scope) = scope {
            let tree = self.ad_tree().await?;
            let Some(finer) = tree.narrower(scope, level) else { return Ok(false) };
            for finer in finer {
                self.read_scope(window, Some(finer), None, sink, outcome).await?;
            }
            return Ok(true);
        }
        // Rows of an advertiser-level report sum every ad: no filter splits them. A report
        // with id filters of its own keeps them.
        let narrowable =
            level != DataLevel::Advertiser && !self.spec.filters.iter().any(|f| IdField::named(f.field).is_some());
        let task_is_whole = self.task_loses_nothing();
        if (task_is_whole || !narrowable) && self.read_task(window, sync_pages, span, sink, outcome).await {
            return Ok(true);
        }
        if narrowable {
            let tree = self.ad_tree().await?;
            if let Some(scopes) = tree.scopes(level, limit) {
                output::log_info(&format!(
                    "{}: advertiser {} {span}: TikTok truncated the report to the {limit} newest ads; reading it in {} queries filtered by ids ({} ads)",
                    self.run.def.name, self.advertiser, scopes.len(), tree.len()
                ));
                for scope in scopes {
                    self.read_scope(window, Some(scope), None, sink, outcome).await?;
                }
                self.read_unlisted(window, &tree, span, sink).await?;
                return Ok(true);
            }
            // The ad list cannot cover every ad: a task missing some metrics beats missing rows.
            if !task_is_whole {
                return Ok(self.read_task(window, sync_pages, span, sink, outcome).await);
            }
        }
        Ok(false)
    }

    /// Rows of campaigns the ad list does not know: reports hold GMV Max and Promote campaigns
    /// that no list shows (tiktok-api.md §15 R2), and narrowing by the listed ones would drop
    /// them. One query for every campaign but the listed ones (`NOT_IN`, DOC-SYNC), up to
    /// TikTok's 100 ids a filter. Its answer is taken whole: its truncation header may speak of
    /// the account (R1), so a flagged answer with rows is said in a warning.
    async fn read_unlisted(&self, window: Option<DateWindow>, tree: &AdTree, span: &str, sink: Sink<'_>) -> Result<()> {
        let campaigns = tree.campaigns();
        if campaigns.len() > narrow::MAX_IDS {
            if !self.reports.said_unlisted_unchecked.replace(true) {
                output::log_info(&format!(
                    "{}: advertiser {} has more than {} campaigns, more than one filter can exclude: rows of campaigns no list shows (GMV Max, Promote) are not asked for when a truncated report is narrowed",
                    self.run.def.name, self.advertiser, narrow::MAX_IDS
                ));
            }
            return Ok(());
        }
        let filter = json!({"field_name": "campaign_ids", "filter_type": "NOT_IN", "filter_value": json!(campaigns).to_string()});
        let mut pages = self.report_pages(self.filtered_request(window, &[filter]), None);
        let (mut rows, mut unreadable) = (0, BTreeMap::new());
        while let Some(page) = pages.next().await {
            let (records, page_unreadable) =
                page.map_err(|e| e.context(format!("{span} (campaigns no list shows)")))?;
            rows += records.len();
            unreadable.extend(page_unreadable);
            sink(records);
        }
        self.warn_unreadable(span, &unreadable);
        let what = format!(
            "{}: advertiser {} {span}: {rows} rows of campaigns no list shows (GMV Max, Promote) read by excluding the listed ones",
            self.run.def.name, self.advertiser
        );
        match (rows, pages.truncated) {
            (0, _) => {}
            (_, false) => output::log_info(&what),
            (_, true) => output::log_warn(&format!(
                "{what}; TikTok flagged that answer as truncated, which may speak of the account rather than of these campaigns"
            )),
        }
        Ok(())
    }

    /// The advertiser's ad tree: listed by the first report that needs it, shared by the rest.
    pub(in crate::report) async fn ad_tree(&self) -> Result<Rc<AdTree>> {
        let (api, advertiser) = (self.run.sync.api.clone(), self.advertiser.to_string());
        self.reports.facts.ad_trees.learn(advertiser.clone(), || ad_tree::list(api, advertiser)).get().await
    }

    /// Whether an async task gives every value of this report: tasks refuse reach metrics with
    /// breakdowns and take no status filter (deleted objects).
    fn task_loses_nothing(&self) -> bool {
        let deleted_left_out = self.run.sync.config.include_deleted && self.spec.data_level.status_field().is_some();
        task_metrics(self.spec).1.is_empty() && !deleted_left_out
    }
}
