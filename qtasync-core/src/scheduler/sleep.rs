//! `sleep`'s side of the timer heap: a timer that keeps the sleeping task's id (or, polled by
//! anything else, a waker) rather than a callback, so a sleep awaited by its task costs one
//! 24-byte heap entry and no allocation of its own.

use super::*;
use crate::timers::{SleepTarget, TimerKey};

impl Scheduler {
    /// A sleep's timer: wakes `waker` at `when`, with no allocation of its own (the heap keeps
    /// the waker). The key names it to [`sleep_pending`](Self::sleep_pending) and
    /// [`cancel_sleep`](Self::cancel_sleep).
    pub fn sleep_until(&self, when: Instant, waker: &Waker) -> Result<TimerKey, LoopClosed> {
        self.check_open()?;
        let target = self.sleep_target(waker);
        let key = self.timers.borrow_mut().push_wake(when, target);
        self.wake_if_idle();
        Ok(key)
    }

    /// Whether a sleep's timer has yet to fire; if so it will wake `waker` (the key may change:
    /// see `TimerHeap::update_wake`).
    pub fn sleep_pending(&self, key: &mut TimerKey, waker: &Waker) -> bool {
        if self.closed.get() {
            return false;
        }
        let target = self.sleep_target(waker);
        let (pending, replaced) = match self.timers.try_borrow_mut() {
            Ok(mut timers) => timers.update_wake(key, target),
            // Only while the heap is being changed further up the stack (never in practice).
            Err(_) => (true, None),
        };
        drop(replaced); // outside the borrow: a waker's drop may be anyone's code
        pending
    }

    /// Cancels a sleep's timer (the sleep was dropped); a fired or stale key does nothing.
    pub fn cancel_sleep(&self, key: TimerKey) {
        if self.closed.get() {
            return;
        }
        let waker =
            self.timers.try_borrow_mut().ok().and_then(|mut timers| timers.cancel_wake(key));
        drop(waker);
    }

    /// What a sleep's timer keeps: the polled task's id when `waker` is the one its poll lends
    /// and the task is this scheduler's (no waker clone, so no `Arc` for the task's waker
    /// either); otherwise a clone of `waker`, made here, before the heap is borrowed (a waker's
    /// `clone` may call back into this loop).
    fn sleep_target(&self, waker: &Waker) -> SleepTarget {
        let own_task = running::with_current_task(|task| {
            let task = task?;
            if !task.header.is_scheduled_by(&self.shared) {
                // A sleep first polled on this loop, now awaited by another loop's task on the
                // same thread: that task's id means nothing here.
                return None;
            }
            task.header.lent_waker_id(waker)
        });
        match own_task {
            Some(id) => SleepTarget::Task(id),
            None => SleepTarget::Waker(waker.clone()),
        }
    }
}
