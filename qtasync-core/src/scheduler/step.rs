//! Running one ready item: a callback or a task step, every user call, poll and drop under a
//! panic guard that reports to the loop's exception handler.

use super::*;

impl Scheduler {
    pub(super) fn run(&self, item: Ready) {
        match item {
            Ready::Soon(Some(callback), location) => {
                let location = location.unwrap_or(Location::caller());
                self.run_guarded("Exception in callback", location, callback);
            }
            Ready::Soon(None, _) => {} // cancelled
            Ready::Timer(callback) => {
                let location = callback.location();
                self.run_guarded("Exception in callback", location, || callback.run());
            }
            Ready::Task(id) => self.run_task(id),
            Ready::Wake(waker) => {
                self.run_guarded("Exception in callback", Location::caller(), || waker.wake());
            }
        }
    }

    pub(super) fn run_guarded(
        &self,
        what: &str,
        location: &'static Location<'static>,
        f: impl FnOnce(),
    ) {
        let started = self.slow_step_clock();
        if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
            self.report(ExceptionContext::panic(what, payload).with_location(location));
        }
        self.report_if_slow(started, "callback", |context| context.with_location(location));
    }

    /// When debug mode's slow-callback limit is set: the limit and the step's start.
    fn slow_step_clock(&self) -> Option<(Duration, Instant)> {
        self.slow_callback.get().map(|limit| (limit, Instant::now()))
    }

    /// Reports a step (`what`: "callback", "a step of a task") that took the limit or longer,
    /// as asyncio's debug mode does; `attach` adds where it came from.
    fn report_if_slow(
        &self,
        started: Option<(Duration, Instant)>,
        what: &str,
        attach: impl FnOnce(ExceptionContext) -> ExceptionContext,
    ) {
        let Some((limit, started)) = started else { return };
        let took = started.elapsed();
        if took >= limit {
            let message = format!("Executing {what} took {:.3} seconds", took.as_secs_f64());
            self.report(attach(ExceptionContext::new(message)));
        }
    }

    pub(super) fn run_task(&self, id: TaskId) {
        let header = match self.tasks.borrow_mut().get_mut(id) {
            Some(slot) => slot.header.clone(),
            None => return, // finished since it was woken
        };
        let meta = header.meta();
        if meta.must_cancel() {
            if !self.drop_future_guarded(&header) {
                // Being polled further up the stack: the request is delivered after that poll.
                self.mark_rewake(id);
                return;
            }
            let slot = self.tasks.borrow_mut().remove(id);
            drop(slot);
            self.fail_guarded(&header, TaskError::Cancelled(meta.cancel_message()));
            return;
        }
        let task_ref = TaskRef { header };
        let started = self.slow_step_clock();
        let polled = running::current_task_is(Some(&task_ref), || {
            catch_unwind(AssertUnwindSafe(|| task_ref.header.clone().poll_step()))
        });
        self.report_if_slow(started, "a step of a task", |context| {
            context.with_task(task_ref.clone())
        });
        match polled {
            Ok(step @ (Step::Pending | Step::Woken)) => {
                let mut again = step == Step::Woken;
                // (Only a nested dispatch marks a task to wake again: look only when one did.)
                if self.rewakes.get() > 0 {
                    if let Some(slot) = self.tasks.borrow_mut().get_mut(id) {
                        if std::mem::take(&mut slot.rewake) {
                            self.rewakes.set(self.rewakes.get() - 1);
                            again = true;
                        }
                    }
                }
                if again {
                    self.ready.borrow_mut().push(Ready::Task(id));
                }
            }
            Ok(Step::Busy) => self.mark_rewake(id),
            Ok(Step::Ready) | Ok(Step::Gone) => {
                let slot = self.tasks.borrow_mut().remove(id);
                drop(slot);
            }
            Err(payload) => self.finish_task(
                id,
                &task_ref.header,
                Some(TaskError::Panicked(Panic::new(payload))),
            ),
        }
    }

    /// A task woken while being polled further up the stack: queue it when that poll ends.
    fn mark_rewake(&self, id: TaskId) {
        if let Some(slot) = self.tasks.borrow_mut().get_mut(id) {
            if !std::mem::replace(&mut slot.rewake, true) {
                self.rewakes.set(self.rewakes.get() + 1);
            }
        }
    }

    /// Removes a task's slot and drops its future here, on the loop's thread; then, for a task
    /// that did not complete by itself, stores why.
    pub(super) fn finish_task(
        &self,
        id: TaskId,
        header: &Rc<dyn TaskHeader>,
        error: Option<TaskError>,
    ) {
        let slot = self.tasks.borrow_mut().remove(id);
        self.drop_future_guarded(header);
        drop(slot);
        if let Some(error) = error {
            self.fail_guarded(header, error);
        }
    }

    /// Drops a task's future under a guard; `false` if it is being polled further up the stack.
    pub(super) fn drop_future_guarded(&self, header: &Rc<dyn TaskHeader>) -> bool {
        match catch_unwind(AssertUnwindSafe(|| header.drop_future())) {
            Ok(dropped) => dropped,
            Err(payload) => {
                self.report(
                    ExceptionContext::panic("Panic while dropping a task's future", payload)
                        .with_task(TaskRef { header: header.clone() }),
                );
                true
            }
        }
    }

    /// Completes a task with `error`; what that runs of the user's (its join waker, dropping
    /// done callbacks a closed loop refuses) is guarded.
    pub(super) fn fail_guarded(&self, header: &Rc<dyn TaskHeader>, error: TaskError) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| header.clone().fail(error))) {
            self.report(
                ExceptionContext::panic("Panic while completing a task", payload)
                    .with_task(TaskRef { header: header.clone() }),
            );
        }
    }

    /// Drops `value` (something of the user's: a callback, a closure) under a guard.
    pub(super) fn drop_user<T>(&self, what: &str, value: T) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
            self.report(ExceptionContext::panic(what, payload));
        }
    }
}
