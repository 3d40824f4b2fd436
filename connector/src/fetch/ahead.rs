//! Answers fetched ahead of the reader: requests whose existence is known (report windows,
//! fan-out combinations, pixel batches) go out as soon as the scheduler has room, and their
//! answers come back in the order they were asked for.

use std::collections::VecDeque;
use std::rc::Rc;

use wstd::runtime::Task;

use crate::api::{ApiClient, ApiRequest, ApiResponse};
use crate::error::Result;
use crate::scheduler::AheadMark;

/// An answer on its way (or arrived), counted against the scheduler's room ahead until it is
/// consumed.
pub struct Ahead {
    task: Task<Result<ApiResponse>>,
    _mark: AheadMark,
}

impl Ahead {
    pub async fn answer(self) -> Result<ApiResponse> {
        self.task.await
    }
}

pub struct FetchAhead<K> {
    api: Rc<ApiClient>,
    waiting: std::vec::IntoIter<(K, ApiRequest)>,
    in_flight: VecDeque<(K, Ahead)>,
}

impl<K> FetchAhead<K> {
    /// `requests` in the order the reader wants their answers, each with what it is for.
    pub fn new(api: &Rc<ApiClient>, requests: Vec<(K, ApiRequest)>) -> Self {
        Self { api: api.clone(), waiting: requests.into_iter(), in_flight: VecDeque::new() }
    }

    /// The next answer in order, with what it is for; `None` when all were handed out.
    pub async fn next(&mut self) -> Option<(K, Result<ApiResponse>)> {
        let scheduler = &self.api.scheduler;
        while self.in_flight.is_empty() || (self.in_flight.len() < scheduler.look_ahead() && scheduler.room_ahead()) {
            let Some((key, request)) = self.waiting.next() else { break };
            self.in_flight.push_back((key, spawn_send(&self.api, request)));
        }
        let (key, ahead) = self.in_flight.pop_front()?;
        Some((key, ahead.answer().await))
    }
}

/// Send a request in the background; the answer waits, counted, until it is taken.
pub fn spawn_send(api: &Rc<ApiClient>, request: ApiRequest) -> Ahead {
    let mark = api.scheduler.fetch_ahead();
    let api = api.clone();
    Ahead { task: wstd::runtime::spawn(async move { api.send(&request).await }), _mark: mark }
}
