//! A window (or scope) TikTok truncated to its 20k newest ads (`X-Tt-Ads-Throttle`), read whole
//! another way: in narrower queries filtered by ids (`narrow`, over the advertiser's ads as
//! `ad_tree` lists them), or through an async task where that loses nothing or narrowing
//! cannot help.
//!
//! - `narrow`: the id filters (scopes) that split an advertiser's ads;
//! - `ad_tree`: the advertiser's ads with their ad groups and campaigns, listed once per sync.

pub mod ad_tree;
pub mod narrow;

use std::rc::Rc;

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
        let level = self.spec.data_level;
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
                return Ok(true);
            }
            // The ad list cannot cover every ad: a task missing some metrics beats missing rows.
            if !task_is_whole {
                return Ok(self.read_task(window, sync_pages, span, sink, outcome).await);
            }
        }
        Ok(false)
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
