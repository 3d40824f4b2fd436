//! The pages of one list: page 1 first (it says how many there are), then the rest fetched
//! ahead, handed out in order.

use std::collections::VecDeque;
use std::rc::Rc;

use serde_json::Value;
use wstd::runtime::Task;

use super::ahead::spawn_send;
use super::SyncContext;
use crate::api::{self, ApiRequest, ApiResponse};
use crate::error::{Error, Result};

/// A list may grow while it is read, but not without end: past this many pages beyond what
/// its first page announced, stop rather than loop forever.
const MAX_EXTRA_PAGES: u64 = 100;

pub struct Pages {
    sync: Rc<SyncContext>,
    request: ApiRequest,
    list_key: &'static str,
    /// Page 1's answer, when the caller fetched it already.
    first: Option<Result<ApiResponse>>,
    /// The number of the page `next` hands out next.
    page: u64,
    /// Pages after `page` already on their way, in order.
    ahead: VecDeque<Task<Result<ApiResponse>>>,
    /// What page 1 announced, and what the latest page said.
    announced: Option<u64>,
    latest_total: u64,
    done: bool,
    /// TikTok flagged an answer as truncated to 20k ads (`X-Tt-Ads-Throttle`).
    pub truncated: bool,
}

impl Pages {
    pub fn new(sync: &Rc<SyncContext>, request: ApiRequest, list_key: &'static str) -> Self {
        Self::with_first(sync, request, list_key, None)
    }

    /// `first` is page 1's answer when it was fetched ahead (see `FetchAhead`).
    pub fn with_first(sync: &Rc<SyncContext>, request: ApiRequest, list_key: &'static str, first: Option<Result<ApiResponse>>) -> Self {
        Self {
            sync: sync.clone(),
            request,
            list_key,
            first,
            page: 1,
            ahead: VecDeque::new(),
            announced: None,
            latest_total: 0,
            done: false,
            truncated: false,
        }
    }

    /// The records of the next page, in order; `None` after the last.
    pub async fn next(&mut self) -> Option<Result<Vec<Value>>> {
        if self.done {
            return None;
        }
        let outcome = self.next_page().await;
        if outcome.is_err() {
            self.done = true;
        }
        Some(outcome)
    }

    async fn next_page(&mut self) -> Result<Vec<Value>> {
        let answer = match (self.first.take(), self.ahead.pop_front()) {
            (Some(first), _) => first,
            (None, Some(task)) => task.await,
            (None, None) => self.sync.call(&self.request.page(self.page)).await,
        }?;
        self.truncated |= answer.ads_throttle.is_some();
        let mut data = answer.data;
        let records = api::take_list(&mut data, self.list_key)?;
        let total = api::total_pages(&data);
        self.latest_total = total;
        let announced = *self.announced.get_or_insert(total);
        if records.is_empty() || self.page >= total {
            self.done = true;
            self.ahead.clear();
            return Ok(records);
        }
        self.page += 1;
        if self.page > announced + MAX_EXTRA_PAGES {
            return Err(Error::transient(format!(
                "{}/: the list does not end: its first page announced {announced} pages, and page {} still says there are more",
                self.request.path, self.page
            )));
        }
        self.fetch_ahead();
        Ok(records)
    }

    /// Keep the pages known to exist on their way, as many as the scheduler has room for.
    fn fetch_ahead(&mut self) {
        let room = self.sync.api.scheduler.look_ahead().max(1) as u64;
        let last = self.latest_total.min(self.page + room - 1);
        let mut next = self.page + self.ahead.len() as u64;
        while next <= last {
            self.ahead.push_back(spawn_send(&self.sync, self.request.page(next)));
            next += 1;
        }
    }
}
