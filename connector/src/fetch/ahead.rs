//! Answers fetched ahead of the reader: requests whose existence is known (report windows,
//! fan-out combinations, pixel batches) go out as soon as the scheduler has room, and their
//! answers come back in the order they were asked for.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::task::{Poll, Waker};

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

/// A value computed once in the background that many readers await (e.g. advertiser time
/// zones: streams that do not need them start without waiting for them).
pub struct Shared<T>(Rc<RefCell<(Option<T>, Vec<Waker>)>>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: Clone + 'static> Shared<T> {
    pub fn spawn(work: impl Future<Output = T> + 'static) -> Self {
        let cell = Rc::new(RefCell::new((None, Vec::new())));
        let filled = cell.clone();
        wstd::runtime::spawn(async move {
            let value = work.await;
            let wakers = {
                let mut slot = filled.borrow_mut();
                slot.0 = Some(value);
                std::mem::take(&mut slot.1)
            };
            wakers.into_iter().for_each(Waker::wake);
        })
        .detach();
        Self(cell)
    }

    /// The answer of `work` under `key` in `answers`: started by the first caller, awaited by
    /// every caller (what a sync learns once, whichever stream asks first).
    pub fn once<K: Eq + std::hash::Hash, F: Future<Output = T> + 'static>(
        answers: &RefCell<std::collections::HashMap<K, Shared<T>>>,
        key: K,
        work: impl FnOnce() -> F,
    ) -> Self {
        if let Some(answer) = answers.borrow().get(&key) {
            return answer.clone();
        }
        let answer = Shared::spawn(work());
        answers.borrow_mut().insert(key, answer.clone());
        answer
    }

    pub async fn get(&self) -> T {
        poll_fn(|cx| {
            let mut slot = self.0.borrow_mut();
            match &slot.0 {
                Some(value) => Poll::Ready(value.clone()),
                None => {
                    slot.1.push(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }
}
