//! Whether this app may create async report tasks ("an allowlist-only feature", DOC-ASYNC):
//! unknown until TikTok answers a first creation, which the sync's other task creations wait
//! for, so a refusal is asked once, not once per stream and window.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::task::{Poll, Waker};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Unknown,
    /// One creation is on its way; the others wait for its answer.
    Asking,
    Granted,
    Refused,
}

pub struct TaskAccess {
    access: Cell<Access>,
    waiting: RefCell<Vec<Waker>>,
}

impl Default for TaskAccess {
    fn default() -> Self {
        Self { access: Cell::new(Access::Unknown), waiting: RefCell::new(Vec::new()) }
    }
}

impl TaskAccess {
    /// True when a task may be created now (access granted, or this caller asks first); false
    /// once TikTok refused the app. A caller given the first ask must call `answered`.
    pub async fn may_create(&self) -> bool {
        poll_fn(|cx| match self.access.get() {
            Access::Unknown => {
                self.access.set(Access::Asking);
                Poll::Ready(true)
            }
            Access::Asking => {
                self.waiting.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
            Access::Granted => Poll::Ready(true),
            Access::Refused => Poll::Ready(false),
        })
        .await
    }

    /// TikTok's answer to a creation: `Some(granted)`, or None when it said nothing about
    /// access (another failure), so the next caller asks again.
    pub fn answered(&self, granted: Option<bool>) {
        let next = match granted {
            Some(true) => Access::Granted,
            Some(false) => Access::Refused,
            None if self.access.get() == Access::Asking => Access::Unknown,
            None => return,
        };
        if self.access.get() != Access::Refused {
            self.access.set(next);
        }
        self.waiting.take().into_iter().for_each(Waker::wake);
    }

    pub fn refused(&self) -> bool {
        self.access.get() == Access::Refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_asks_and_the_answer_holds_for_all() {
        let access = TaskAccess::default();
        wstd::runtime::block_on(async {
            assert!(access.may_create().await, "the first caller asks");
            access.answered(None);
            assert!(access.may_create().await, "no word on access: the next caller asks again");
            access.answered(Some(false));
            assert!(!access.may_create().await);
            access.answered(Some(true));
            assert!(access.refused(), "a refusal holds for the rest of the sync");
        });
    }
}
