//! Running one ready item: a callback or a task step, every user call, poll and drop under a
//! panic guard that reports to the loop's exception handler.

use super::*;

impl Scheduler {
    pub(super) fn run(&self, item: Ready) {
        match item {
            Ready::Call(callback) => {
                let location = callback.location();
                self.run_guarded("Exception in callback", location, || callback.run());
            }
            Ready::Send(callback) => {
                self.run_guarded("Exception in callback", Location::caller(), callback);
            }
            Ready::Task(id) => self.run_task(id),
        }
    }

    pub(super) fn run_guarded(
        &self,
        what: &str,
        location: &'static Location<'static>,
        f: impl FnOnce(),
    ) {
        let started = self.slow_callback.get().map(|limit| (limit, Instant::now()));
        if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
            self.report(ExceptionContext::panic(what, payload).with_location(location));
        }
        if let Some((limit, started)) = started {
            let took = started.elapsed();
            if took >= limit {
                self.report(
                    ExceptionContext::new(format!(
                        "Executing callback took {:.3} seconds",
                        took.as_secs_f64()
                    ))
                    .with_location(location),
                );
            }
        }
    }

    pub(super) fn run_task(&self, id: TaskId) {
        let (mut future, waker, header) = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(id) else {
                return; // finished since it was woken
            };
            let Some(future) = slot.future.take() else {
                slot.rewake = true;
                return;
            };
            (future, slot.waker.clone(), slot.header.clone())
        };
        waker.clear();
        let meta = header.meta();
        if meta.must_cancel() {
            self.finish_task(
                id,
                future,
                &header,
                Some(TaskError::Cancelled(meta.cancel_message())),
            );
            return;
        }
        let task_ref = TaskRef { header: header.clone() };
        let previous = running::replace_current_task(Some(task_ref.clone()));
        let started = self.slow_callback.get().map(|limit| (limit, Instant::now()));
        let waker = Waker::from(waker);
        let polled = catch_unwind(AssertUnwindSafe(|| {
            future.as_mut().poll(&mut Context::from_waker(&waker))
        }));
        running::replace_current_task(previous);
        if let Some((limit, started)) = started {
            let took = started.elapsed();
            if took >= limit {
                self.report(
                    ExceptionContext::new(format!(
                        "Executing a step of a task took {:.3} seconds",
                        took.as_secs_f64()
                    ))
                    .with_task(task_ref),
                );
            }
        }
        match polled {
            Ok(Poll::Pending) => {
                let rewake = {
                    let mut tasks = self.tasks.borrow_mut();
                    let slot = tasks.get_mut(id).expect("a task being polled keeps its slot");
                    slot.future = Some(future);
                    std::mem::take(&mut slot.rewake)
                };
                if rewake {
                    self.ready.borrow_mut().push_back(Ready::Task(id));
                }
            }
            Ok(Poll::Ready(())) => self.finish_task(id, future, &header, None),
            Err(payload) => self.finish_task(
                id,
                future,
                &header,
                Some(TaskError::Panicked(Panic::new(payload))),
            ),
        }
    }

    /// Removes a task's slot and drops its future here, on the loop's thread; then, for a task
    /// that did not complete by itself, stores why.
    pub(super) fn finish_task(
        &self,
        id: TaskId,
        future: Pin<Box<dyn Future<Output = ()>>>,
        header: &Rc<dyn TaskHeader>,
        error: Option<TaskError>,
    ) {
        let slot = self.tasks.borrow_mut().remove(id);
        self.drop_guarded(future, header);
        drop(slot);
        if let Some(error) = error {
            self.fail_guarded(header, error);
        }
    }

    pub(super) fn drop_guarded(
        &self,
        future: Pin<Box<dyn Future<Output = ()>>>,
        header: &Rc<dyn TaskHeader>,
    ) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(future))) {
            self.report(
                ExceptionContext::panic("Panic while dropping a task's future", payload)
                    .with_task(TaskRef { header: header.clone() }),
            );
        }
    }

    /// Completes a task with `error`; what that runs of the user's (its join waker, dropping
    /// done callbacks a closed loop refuses) is guarded.
    pub(super) fn fail_guarded(&self, header: &Rc<dyn TaskHeader>, error: TaskError) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| header.fail(error))) {
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
