//! The pages of one list: page 1 first (it says how many there are), then the rest fetched
//! ahead, handed out in order.

use std::collections::VecDeque;
use std::rc::Rc;

use super::ahead::{spawn_send, Ahead};
use crate::api::{self, ApiClient, ApiRequest, ApiResponse};
use crate::error::{Error, Result};
use serde_json::Value;

/// A list may grow while it is read, but not without end: past this many pages beyond what
/// its first page announced, stop rather than loop forever.
const MAX_EXTRA_PAGES: u64 = 100;

/// What a decoder makes of one page's answer.
pub struct Page<T> {
    pub items: T,
    pub is_empty: bool,
    pub total_pages: u64,
}

/// Turns one answer into a page of items.
pub type Decode<T> = Box<dyn Fn(ApiResponse) -> Result<Page<T>>>;

pub struct Pages<T> {
    api: Rc<ApiClient>,
    request: ApiRequest,
    decode: Decode<T>,
    /// Page 1's answer, when the caller fetched it already.
    first: Option<Result<ApiResponse>>,
    /// The number of the page `next` hands out next.
    page: u64,
    /// Pages from `page` on already on their way, in order.
    ahead: VecDeque<Ahead>,
    /// What page 1 announced, and what the latest page said.
    announced: Option<u64>,
    latest_total: u64,
    done: bool,
    /// The last page paging can reach, when the endpoint caps page × page_size.
    last_reachable: Option<u64>,
    /// The list went on past the last reachable page.
    pub capped: bool,
    /// TikTok flagged an answer as truncated to 20k ads (`X-Tt-Ads-Throttle`).
    pub truncated: bool,
}

/// The last page that keeps page × page_size within `reachable` records.
pub fn last_reachable_page(reachable: u64, page_size: u64) -> u64 {
    (reachable / page_size.max(1)).max(1)
}

impl Pages<Vec<Value>> {
    /// The JSON records under `list_key` of every page.
    pub fn list(api: &Rc<ApiClient>, request: ApiRequest, list_key: &'static str) -> Self {
        let decode = move |answer: ApiResponse| {
            let mut data = answer.into_data()?;
            let items = api::take_list(&mut data, list_key)?;
            Ok(Page { is_empty: items.is_empty(), total_pages: api::total_pages(data.get("page_info")), items })
        };
        Self::decoded(api, request, None, Box::new(decode))
    }
}

impl<T> Pages<T> {
    /// `first` is page 1's answer when it was fetched ahead (see `FetchAhead`).
    pub fn decoded(
        api: &Rc<ApiClient>,
        request: ApiRequest,
        first: Option<Result<ApiResponse>>,
        decode: Decode<T>,
    ) -> Self {
        Self {
            api: api.clone(),
            request,
            decode,
            first,
            page: 1,
            ahead: VecDeque::new(),
            announced: None,
            latest_total: 0,
            done: false,
            last_reachable: None,
            capped: false,
            truncated: false,
        }
    }

    /// Stop at the page that keeps page × page_size within `reachable` records.
    pub fn reaching(mut self, reachable: Option<u64>, page_size: u64) -> Self {
        self.last_reachable = reachable.map(|r| last_reachable_page(r, page_size));
        self
    }

    /// Whether the last page was handed out (or paging failed): `next` gives `None` now.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The items of the next page, in order; `None` after the last.
    pub async fn next(&mut self) -> Option<Result<T>> {
        if self.done {
            return None;
        }
        let outcome = self.next_page().await;
        if outcome.is_err() {
            self.done = true;
        }
        Some(outcome)
    }

    async fn next_page(&mut self) -> Result<T> {
        let answer = match (self.first.take(), self.ahead.pop_front()) {
            (Some(first), _) => first,
            (None, Some(ahead)) => ahead.answer().await,
            (None, None) => self.api.send(&self.request.page(self.page)).await,
        }?;
        self.truncated |= answer.ads_throttle.is_some();
        let Page { items, is_empty, total_pages: total } = (self.decode)(answer)?;
        self.latest_total = total;
        let announced = *self.announced.get_or_insert(total);
        self.capped = !is_empty && self.page < total && self.last_reachable.is_some_and(|last| self.page >= last);
        if is_empty || self.page >= total || self.capped {
            self.done = true;
            self.ahead.clear();
            return Ok(items);
        }
        self.page += 1;
        if self.page > announced + MAX_EXTRA_PAGES {
            return Err(Error::transient(format!(
                "{}/: the list does not end: its first page announced {announced} pages, and page {} still says there are more",
                self.request.path, self.page
            )));
        }
        self.fetch_ahead();
        Ok(items)
    }

    /// Keep the pages known to exist on their way, as many as the scheduler has room for.
    fn fetch_ahead(&mut self) {
        let scheduler = &self.api.scheduler;
        let last = self
            .latest_total
            .min(self.page + scheduler.look_ahead().max(1) as u64 - 1)
            .min(self.last_reachable.unwrap_or(u64::MAX));
        let mut next = self.page + self.ahead.len() as u64;
        while next <= last && scheduler.room_ahead() {
            self.ahead.push_back(spawn_send(&self.api, self.request.page(next)));
            next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_stops_where_page_times_page_size_reaches_the_cap() {
        assert_eq!(last_reachable_page(100_000, 1000), 100);
        assert_eq!(last_reachable_page(10_000, 100), 100);
        assert_eq!(last_reachable_page(100, 1000), 1);
    }
}
