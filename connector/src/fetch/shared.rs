//! Values computed once in the background and awaited by many: [`Shared`], and [`OnceMap`],
//! such values by key (what a sync learns once of each advertiser, whichever stream asks first).

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::{poll_fn, Future};
use std::hash::Hash;
use std::rc::Rc;
use std::task::{Poll, Waker};

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

/// Values learned once per key: the first caller's `learn` runs in the background, and every
/// caller awaits the same answer.
pub struct OnceMap<K, T> {
    answers: RefCell<HashMap<K, Shared<T>>>,
}

impl<K, T> Default for OnceMap<K, T> {
    fn default() -> Self {
        Self { answers: RefCell::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash, T: Clone + 'static> OnceMap<K, T> {
    /// The answer under `key`, started by `learn` when no caller asked before.
    pub fn learn<F: Future<Output = T> + 'static>(&self, key: K, learn: impl FnOnce() -> F) -> Shared<T> {
        if let Some(answer) = self.answers.borrow().get(&key) {
            return answer.clone();
        }
        let answer = Shared::spawn(learn());
        self.answers.borrow_mut().insert(key, answer.clone());
        answer
    }

    /// How many keys were learned (or are being learned): the requests they cost.
    pub fn learned(&self) -> usize {
        self.answers.borrow().len()
    }
}
