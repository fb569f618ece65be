//! Closing the scheduler: refusing new work and dropping what it holds, each user drop guarded.

use super::*;

impl Scheduler {
    /// Closes the scheduler: later scheduling fails with [`LoopClosed`]; queued callbacks and
    /// timers are dropped without running; every task's future is dropped here, on the loop's
    /// thread, and the task finishes as cancelled. Returns how many tasks were cancelled. Every
    /// drop of the user's runs under a guard of its own: a panicking `Drop` is reported and the
    /// rest are still dropped.
    pub fn close(&self) -> usize {
        if self.closed.replace(true) {
            return 0;
        }
        let remote = self.shared.close();
        let ready = self.ready.borrow_mut().take_all();
        let (timers, sleepers) = self.timers.borrow_mut().take_all();
        let tasks = self.tasks.borrow_mut().take_all();
        self.iteration_left.set(None);
        // Dropped outside every borrow: user destructors may call back into the scheduler.
        let cancelled = tasks.len();
        for slot in tasks {
            self.drop_future_guarded(&slot.header);
            let error = TaskError::Cancelled(Some("the event loop was closed".to_owned()));
            self.fail_guarded(&slot.header, error);
        }
        for callback in timers {
            let cancelled = catch_unwind(AssertUnwindSafe(|| callback.cancel()));
            if let Err(payload) = cancelled {
                self.report(
                    ExceptionContext::panic("Panic while dropping a timer callback", payload)
                        .with_location(callback.location()),
                );
            }
        }
        for waker in sleepers {
            self.drop_user("Panic while dropping a waker", waker);
        }
        for item in ready {
            self.drop_user("Panic while dropping a callback", item);
        }
        for item in remote {
            self.drop_user("Panic while dropping a callback", item);
        }
        cancelled
    }

    /// Asks every live task to cancel (asyncio.run's `_cancel_all_tasks`); they finish at their
    /// next step. Returns how many were asked.
    pub fn cancel_all_tasks(&self, message: &str) -> usize {
        let headers: Vec<Rc<dyn TaskHeader>> =
            self.tasks.borrow().iter().map(|slot| slot.header.clone()).collect();
        headers
            .into_iter()
            .filter(|header| TaskRef { header: header.clone() }.cancel(Some(message)))
            .count()
    }
}
