//! Answers fetched ahead of the reader: requests whose existence is known (report windows,
//! fan-out combinations, pixel batches) go out as soon as the scheduler has room, and their
//! answers come back in the order they were asked for.

use std::collections::VecDeque;
use std::rc::Rc;

use wstd::runtime::Task;

use super::SyncContext;
use crate::api::{ApiRequest, ApiResponse};
use crate::error::Result;

pub struct FetchAhead<K> {
    sync: Rc<SyncContext>,
    waiting: std::vec::IntoIter<(K, ApiRequest)>,
    in_flight: VecDeque<(K, Task<Result<ApiResponse>>)>,
}

impl<K> FetchAhead<K> {
    /// `requests` in the order the reader wants their answers, each with what it is for.
    pub fn new(sync: &Rc<SyncContext>, requests: Vec<(K, ApiRequest)>) -> Self {
        Self { sync: sync.clone(), waiting: requests.into_iter(), in_flight: VecDeque::new() }
    }

    /// The next answer in order, with what it is for; `None` when all were handed out.
    pub async fn next(&mut self) -> Option<(K, Result<ApiResponse>)> {
        let ahead = self.sync.api.scheduler.look_ahead().max(1);
        while self.in_flight.len() < ahead {
            let Some((key, request)) = self.waiting.next() else { break };
            self.in_flight.push_back((key, spawn_send(&self.sync, request)));
        }
        let (key, answer) = self.in_flight.pop_front()?;
        Some((key, answer.await))
    }
}

/// Send a request in the background; awaiting the task gives its answer.
pub fn spawn_send(sync: &Rc<SyncContext>, request: ApiRequest) -> Task<Result<ApiResponse>> {
    let sync = sync.clone();
    wstd::runtime::spawn(async move { sync.call(&request).await })
}
