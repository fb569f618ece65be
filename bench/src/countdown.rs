//! The finish line every workload uses, the same code on every peer: a thread-local count of
//! items still to run, and the waker of the one task waiting for it to reach zero. Items run on
//! the loop's thread, so a `Cell` is enough (and costs what an item's own work would).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

thread_local! {
    static LEFT: Cell<usize> = const { Cell::new(0) };
    static WAITER: RefCell<Option<Waker>> = const { RefCell::new(None) };
}

/// Expects `count` ticks.
pub(crate) fn arm(count: usize) {
    LEFT.with(|left| left.set(count));
}

/// One item ran.
pub(crate) fn tick() {
    let left = LEFT.with(|left| {
        let now = left.get().saturating_sub(1);
        left.set(now);
        now
    });
    if left == 0 {
        if let Some(waker) = WAITER.with(|waiter| waiter.borrow_mut().take()) {
            waker.wake();
        }
    }
}

/// How many items have not run yet.
pub(crate) fn left() -> usize {
    LEFT.with(Cell::get)
}

/// Completes when every armed item has ticked.
pub(crate) fn finished() -> Finished {
    Finished
}

pub(crate) struct Finished;

impl Future for Finished {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if left() == 0 {
            return Poll::Ready(());
        }
        WAITER.with(|waiter| *waiter.borrow_mut() = Some(cx.waker().clone()));
        Poll::Pending
    }
}
