//! A window TikTok calls too large (40067), or that keeps timing out, read in halves down to
//! single days; a single day that still fails fails the window.

use super::reader::{Sink, WindowOutcome, WindowReader};
use crate::error::{Action, Error, Result};
use crate::output;
use crate::report::dates::DateWindow;
use crate::report::truncation::narrow::IdFilter;

impl WindowReader<'_> {
    /// Read `window` (of `scope`) in halves, because of `e`, whose decision said to.
    pub(in crate::report) async fn read_halves(
        &self,
        window: Option<DateWindow>,
        scope: Option<IdFilter>,
        span: &str,
        e: Error,
        sink: Sink<'_>,
        outcome: &mut WindowOutcome,
    ) -> Result<()> {
        // Only a decision that splits the window leads here.
        let why = e.decided().and_then(Action::window_split_reason).unwrap_or("is too large for TikTok (40067)");
        match window {
            Some(w) if w.days() > 1 => {
                output::log_info(&format!(
                    "{}: advertiser {} {span} {why}; reading it in halves",
                    self.run.def.name, self.advertiser
                ));
                let (first, second) = w.split();
                self.read_scope(Some(first), scope.clone(), None, sink, outcome).await?;
                self.read_scope(Some(second), scope, None, sink, outcome).await
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
