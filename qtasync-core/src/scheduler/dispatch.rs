//! Running the loop: collecting what arrived (other threads' wakes, due timers, virtual time's
//! jumps) and dispatching it in iterations under a budget, re-entrantly for nested Qt loops.

use super::*;

impl Scheduler {
    /// The earliest live timer deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers.borrow_mut().next_deadline()
    }

    /// The real instant for the driver's timer: the earliest deadline as the clock will reach
    /// it (`None` with no timer, or while the clock is paused: then it jumps, see `dispatch`).
    pub fn next_real_deadline(&self) -> Option<Instant> {
        self.next_deadline().and_then(|deadline| self.clock.to_real(deadline))
    }

    /// The loop's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// With the clock paused and nothing ready, time jumps to the earliest timer (unless an
    /// executor job holds it). Whether it did.
    pub(super) fn jump_to_next_timer(&self) -> bool {
        if !self.clock.is_paused() || self.clock.held() {
            return false;
        }
        match self.next_deadline() {
            Some(deadline) => {
                self.clock.jump_to(deadline);
                true
            }
            None => false,
        }
    }

    /// Moves arrivals from other threads and due timers to the ready queue. After the first
    /// collection of a dispatch, the shared queue is looked at only if a wake was requested
    /// since (anything pushed there requests one, and otherwise posts a Qt event that the next
    /// dispatch answers), and the clock is read only if there are timers: an iteration of ready
    /// work alone (`yield_now`, channels) costs no atomic read of the queue and no clock read.
    pub(super) fn collect_incoming(&self, first: bool) {
        if first || self.shared.wake_requested() {
            self.shared.drain(|item| {
                let ready = match item {
                    Remote::Wake(id) => Ready::Task(id),
                    Remote::Call(callback) => Ready::Soon(Some(callback), None),
                };
                self.ready.borrow_mut().push(ready);
            });
        }
        let mut timers = self.timers.borrow_mut();
        if timers.is_empty() {
            return;
        }
        let now = self.clock.now();
        let mut ready = self.ready.borrow_mut();
        timers.pop_due(now, |fired| {
            ready.push(match fired {
                Fired::Call(callback) => Ready::Timer(callback),
                Fired::Wake(waker) => Ready::Wake(waker),
                Fired::Task(id) => Ready::Task(id),
            });
        });
    }

    /// Runs ready work in iterations (each runs what was ready when it began, like asyncio's
    /// `_run_once`) until nothing is ready, `stop()` takes effect, or the budget runs out.
    /// Re-entrant: a nested Qt loop started by a callback dispatches again from inside it. A
    /// `stop()` takes effect only in the outermost dispatch, once control is back there, so
    /// that the loop stops at the level it runs at: a modal dialog opened by a callback is not
    /// closed by it (the loop goes on inside the dialog, so a task can still close it), and the
    /// outermost dispatch runs nothing more once the dialog has returned.
    pub fn dispatch(&self, budget: Budget) -> Dispatched {
        // (A dispatch inside a task's poll, a nested loop's, runs with no current task.)
        running::current_task_is(None, || self.dispatch_items(budget))
    }

    fn dispatch_items(&self, budget: Budget) -> Dispatched {
        struct Depth<'a>(&'a Cell<usize>);
        impl Drop for Depth<'_> {
            fn drop(&mut self) {
                self.0.set(self.0.get() - 1);
            }
        }
        self.depth.set(self.depth.get() + 1);
        let _depth = Depth(&self.depth);
        let outermost = self.depth.get() == 1;
        self.shared.begin_drain();
        let started = Instant::now();
        let mut ran = 0usize;
        let mut first = true;
        loop {
            match self.iteration_left.get() {
                None => {
                    if outermost && self.stop_due.replace(false) {
                        self.stopping.set(false);
                        return Dispatched::Stopped;
                    }
                    self.ready.borrow_mut().release_burst_memory();
                    self.collect_incoming(std::mem::take(&mut first));
                    let mut ready = self.ready.borrow().len();
                    if ready == 0 && !self.stopping.get() && self.jump_to_next_timer() {
                        self.collect_incoming(false);
                        ready = self.ready.borrow().len();
                    }
                    if ready == 0 {
                        return if self.iteration_ended_stopping(outermost) {
                            Dispatched::Stopped
                        } else {
                            Dispatched::Idle
                        };
                    }
                    self.iteration_left.set(Some(ready));
                }
                Some(0) => {
                    self.iteration_left.set(None);
                    if self.iteration_ended_stopping(outermost) {
                        return Dispatched::Stopped;
                    }
                }
                Some(left) => {
                    if ran >= budget.max_items
                        || (ran % CLOCK_CHECK_EVERY == 0
                            && ran > 0
                            && started.elapsed() >= budget.max_time)
                    {
                        return Dispatched::MoreWork;
                    }
                    let item = self.ready.borrow_mut().pop();
                    match item {
                        Some(item) => {
                            self.iteration_left.set(Some(left - 1));
                            ran += 1;
                            self.run_contained(item);
                        }
                        None => self.iteration_left.set(Some(0)),
                    }
                }
            }
        }
    }

    /// Before a run: a stop still pending from the previous run becomes a plain `stop()`.
    pub fn carry_pending_stop(&self) {
        if self.stop_due.replace(false) {
            self.stopping.set(true);
        }
    }

    /// At the end of an iteration: whether `stop()` takes effect now (in the outermost
    /// dispatch), or is left for the outermost one (`stop_due`).
    pub(super) fn iteration_ended_stopping(&self, outermost: bool) -> bool {
        if !self.stopping.get() {
            return false;
        }
        self.stopping.set(false);
        if outermost {
            true
        } else {
            // Inside a nested loop the loop goes on (a task may be what closes the dialog); the
            // stop is kept for the outermost dispatch.
            self.stop_due.set(true);
            false
        }
    }

    /// Runs one ready item. Every user callback, poll and drop inside is guarded already; this
    /// last guard keeps the loop going (and the driver re-arming its timer) should anything
    /// still unwind, and reports it like any other error.
    pub(super) fn run_contained(&self, item: Ready) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| self.run(item))) {
            self.report(ExceptionContext::panic("Panic while running a loop item", payload));
        }
    }
}
