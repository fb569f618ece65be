//! The scheduler: one FIFO ready queue of callbacks and task steps, the timer heap, the tasks'
//! futures, and `dispatch`, which runs ready work in asyncio-style iterations under a budget.
//! It knows nothing of Qt: the driver calls `dispatch` when woken and arms one OS timer for
//! `next_deadline`.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

mod leftovers;

use super::arena::{Arena, TaskId};
use super::callback::{new_callback, Callback, Handle, TimerHandle};
use super::clock::Clock;
use super::exception::{default_exception_handler, ExceptionContext, Panic};
use super::shared::{Remote, Shared};
use super::task::{TaskError, TaskHeader, TaskRef};
use super::thread_token;
use super::timers::TimerHeap;
use super::waker::TaskWaker;

/// The loop is closed: nothing more can be scheduled on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoopClosed;

impl std::fmt::Display for LoopClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the event loop is closed")
    }
}

impl std::error::Error for LoopClosed {}

/// How much one dispatch may do before it hands control back to Qt.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    pub(crate) max_items: usize,
    pub(crate) max_time: Duration,
}

impl Budget {
    /// Enough to amortise one Qt event over thousands of callbacks, small enough that paint and
    /// input events wait at most a couple of milliseconds.
    pub(crate) const DEFAULT: Budget =
        Budget { max_items: 16 * 1024, max_time: Duration::from_millis(2) };
}

/// The time budget is checked once every this many items (reading the clock costs ~20 ns).
const CLOCK_CHECK_EVERY: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dispatched {
    /// Nothing is ready; wait for a wake or the next timer.
    Idle,
    /// The budget ran out with work left: dispatch again after Qt's other events.
    MoreWork,
    /// `stop()` took effect at the end of an iteration.
    Stopped,
}

enum Ready {
    Call(Rc<dyn Callback>),
    Send(Box<dyn FnOnce() + Send>),
    Task(TaskId),
}

struct TaskSlot {
    /// `None` while the task is being polled further up the stack (a nested Qt loop).
    future: Option<Pin<Box<dyn Future<Output = ()>>>>,
    header: Rc<dyn TaskHeader>,
    waker: Arc<TaskWaker>,
    /// Woken while it was being polled further up the stack: queue it again when that poll ends.
    rewake: bool,
}

pub(crate) type Reporter = Rc<dyn Fn(&ExceptionContext)>;

pub(crate) struct Scheduler {
    pub(crate) shared: Arc<Shared>,
    this: Weak<Scheduler>,
    ready: RefCell<VecDeque<Ready>>,
    timers: RefCell<TimerHeap>,
    tasks: RefCell<Arena<TaskSlot>>,
    /// Items left in the current iteration; `None` between iterations.
    iteration_left: Cell<Option<usize>>,
    stopping: Cell<bool>,
    /// How many `dispatch` calls are on this thread's stack (more than one while a callback runs
    /// a nested Qt loop, such as a modal dialog's).
    depth: Cell<usize>,
    /// The iteration during which `stop()` was called ended inside a nested dispatch: the
    /// outermost dispatch stops as soon as control is back in it (nested ones go on meanwhile).
    stop_due: Cell<bool>,
    closed: Cell<bool>,
    reporter: RefCell<Option<Reporter>>,
    /// Debug mode: callbacks and task steps slower than this are reported.
    slow_callback: Cell<Option<Duration>>,
    /// Real time, or virtual time that tests control.
    clock: Clock,
}

thread_local! {
    /// The scheduler running on this thread, if any (asyncio's running loop).
    static RUNNING: RefCell<Option<Rc<Scheduler>>> = const { RefCell::new(None) };
    /// The task being polled on this thread, if any (asyncio's `current_task()`).
    static CURRENT_TASK: RefCell<Option<TaskRef>> = const { RefCell::new(None) };
}

/// The scheduler running on this thread.
pub(crate) fn running() -> Option<Rc<Scheduler>> {
    RUNNING.try_with(|running| running.borrow().clone()).ok().flatten()
}

/// The task being polled on this thread.
pub(crate) fn current_task() -> Option<TaskRef> {
    CURRENT_TASK.try_with(|task| task.borrow().clone()).ok().flatten()
}

/// The fast path of a wake: on the loop's own thread, while it runs, straight onto the ready
/// queue. Returns `false` when the caller must go through the shared queue instead.
pub(crate) fn push_local_wake(shared: &Arc<Shared>, id: TaskId) -> bool {
    if shared.owner != thread_token::current() {
        return false;
    }
    RUNNING
        .try_with(|running| match &*running.borrow() {
            Some(scheduler) if Arc::ptr_eq(&scheduler.shared, shared) => {
                scheduler.ready.borrow_mut().push_back(Ready::Task(id));
                scheduler.wake_if_idle();
                true
            }
            _ => false,
        })
        .unwrap_or(false)
}

/// Marks a scheduler as running on this thread until dropped.
pub(crate) struct RunningGuard {
    previous_task: Option<TaskRef>,
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        let _ = RUNNING.try_with(|running| running.borrow_mut().take());
        let _ = CURRENT_TASK.try_with(|task| *task.borrow_mut() = self.previous_task.take());
    }
}

/// Why a scheduler cannot start running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EnterError {
    WrongThread,
    AlreadyRunning,
    AnotherLoopRunning,
}

impl Scheduler {
    pub(crate) fn new() -> Rc<Scheduler> {
        Rc::new_cyclic(|this| Scheduler {
            shared: Arc::new(Shared::new(thread_token::current())),
            this: this.clone(),
            ready: RefCell::new(VecDeque::new()),
            timers: RefCell::new(TimerHeap::new()),
            tasks: RefCell::new(Arena::new()),
            iteration_left: Cell::new(None),
            stopping: Cell::new(false),
            depth: Cell::new(0),
            stop_due: Cell::new(false),
            closed: Cell::new(false),
            reporter: RefCell::new(None),
            slow_callback: Cell::new(None),
            clock: Clock::new(),
        })
    }

    pub(crate) fn weak(&self) -> Weak<Scheduler> {
        self.this.clone()
    }

    pub(crate) fn is_owner_thread(&self) -> bool {
        self.shared.owner == thread_token::current()
    }

    pub(crate) fn enter(&self) -> Result<RunningGuard, EnterError> {
        if !self.is_owner_thread() {
            return Err(EnterError::WrongThread);
        }
        let this = self.this.upgrade().expect("a scheduler in use is alive");
        RUNNING.with(|running| {
            let mut running = running.borrow_mut();
            match &*running {
                Some(other) if Rc::ptr_eq(other, &this) => Err(EnterError::AlreadyRunning),
                Some(_) => Err(EnterError::AnotherLoopRunning),
                None => {
                    *running = Some(this);
                    Ok(())
                }
            }
        })?;
        let previous_task = CURRENT_TASK.with(|task| task.borrow_mut().take());
        Ok(RunningGuard { previous_task })
    }

    pub(crate) fn is_running(&self) -> bool {
        running().is_some_and(|running| std::ptr::eq(&*running, self))
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.get()
    }

    fn check_open(&self) -> Result<(), LoopClosed> {
        if self.closed.get() {
            Err(LoopClosed)
        } else {
            Ok(())
        }
    }

    // ----- scheduling -------------------------------------------------------------------------

    pub(crate) fn call_soon<F: FnOnce() + 'static>(
        &self,
        callback: F,
        location: &'static Location<'static>,
    ) -> Result<Handle, LoopClosed> {
        self.check_open()?;
        let callback = new_callback(callback, location);
        self.ready.borrow_mut().push_back(Ready::Call(callback.clone()));
        self.wake_if_idle();
        Ok(Handle { callback })
    }

    pub(crate) fn call_at<F: FnOnce() + 'static>(
        &self,
        when: Instant,
        callback: F,
        location: &'static Location<'static>,
    ) -> Result<TimerHandle, LoopClosed> {
        self.schedule_at(when, new_callback(callback, location))
    }

    /// `call_at` for a callback object of qtasync's own (a `sleep`'s alarm): one allocation.
    pub(crate) fn schedule_at(
        &self,
        when: Instant,
        callback: Rc<dyn Callback>,
    ) -> Result<TimerHandle, LoopClosed> {
        self.check_open()?;
        let heap_cancelled = {
            let mut timers = self.timers.borrow_mut();
            timers.push(when, callback.clone());
            timers.cancelled_counter()
        };
        self.wake_if_idle();
        Ok(TimerHandle { handle: Handle { callback }, when, heap_cancelled })
    }

    /// `call_soon_threadsafe`: from the loop's thread it joins the ready queue in FIFO order
    /// with `call_soon`; from any other thread it goes through the shared queue.
    pub(crate) fn call_soon_threadsafe(
        &self,
        callback: Box<dyn FnOnce() + Send>,
    ) -> Result<(), LoopClosed> {
        self.check_open()?;
        if self.is_owner_thread() {
            self.ready.borrow_mut().push_back(Ready::Send(callback));
            self.wake_if_idle();
            Ok(())
        } else {
            self.shared.push(Remote::Call(callback)).map_err(|_| LoopClosed)
        }
    }

    /// New work needs a dispatch: from a Qt slot there is none under way, and inside one a
    /// callback may start a nested Qt loop (a modal dialog) that only a posted event reaches.
    /// At most one wake event is in flight, so this costs one load in the common case.
    fn wake_if_idle(&self) {
        self.shared.request_wake_local();
    }

    /// Asks for a dispatch soon (which also re-arms the driver's timer): after the clock moved.
    pub(crate) fn request_dispatch(&self) {
        self.wake_if_idle();
    }

    pub(crate) fn spawn(
        &self,
        header: Rc<dyn TaskHeader>,
        future: Pin<Box<dyn Future<Output = ()>>>,
    ) -> Result<(), LoopClosed> {
        self.check_open()?;
        let id = {
            let mut tasks = self.tasks.borrow_mut();
            let id = tasks.next_id();
            let waker = Arc::new(TaskWaker::new_notified(self.shared.clone(), id));
            header.meta().set_waker(Waker::from(waker.clone()));
            tasks.insert(TaskSlot { future: Some(future), header, waker, rewake: false })
        };
        self.ready.borrow_mut().push_back(Ready::Task(id));
        self.wake_if_idle();
        Ok(())
    }

    pub(crate) fn task_count(&self) -> usize {
        self.tasks.borrow().len()
    }

    pub(crate) fn stop(&self) {
        self.stopping.set(true);
        // An idle loop must wake up to notice.
        self.shared.request_wake();
    }

    pub(crate) fn set_reporter(&self, reporter: Option<Reporter>) {
        // The old reporter (a user closure) is dropped with no borrow held.
        let old = self.reporter.replace(reporter);
        drop(old);
    }

    pub(crate) fn set_slow_callback_duration(&self, limit: Option<Duration>) {
        self.slow_callback.set(limit);
    }

    /// Sends a report to the exception handler; a handler that panics is itself reported to
    /// standard error, with the original report.
    pub(crate) fn report(&self, context: ExceptionContext) {
        let reporter = self.reporter.borrow().clone();
        match reporter {
            Some(reporter) => {
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| reporter(&context))) {
                    default_exception_handler(&ExceptionContext::panic(
                        "Unhandled error in exception handler",
                        payload,
                    ));
                    default_exception_handler(&context);
                }
            }
            None => default_exception_handler(&context),
        }
    }

    // ----- running ----------------------------------------------------------------------------

    /// The earliest live timer deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.timers.borrow_mut().next_deadline()
    }

    /// The real instant for the driver's timer: the earliest deadline as the clock will reach
    /// it (`None` with no timer, or while the clock is paused: then it jumps, see `dispatch`).
    pub(crate) fn next_real_deadline(&self) -> Option<Instant> {
        self.next_deadline().and_then(|deadline| self.clock.to_real(deadline))
    }

    /// The loop's clock.
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// With the clock paused and nothing ready, time jumps to the earliest timer (unless an
    /// executor job holds it). Whether it did.
    fn jump_to_next_timer(&self) -> bool {
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

    /// Moves arrivals from other threads and due timers to the ready queue.
    fn collect_incoming(&self) {
        self.shared.drain(|item| {
            let ready = match item {
                Remote::Wake(id) => Ready::Task(id),
                Remote::Call(callback) => Ready::Send(callback),
            };
            self.ready.borrow_mut().push_back(ready);
        });
        let now = self.clock.now();
        let mut timers = self.timers.borrow_mut();
        let mut ready = self.ready.borrow_mut();
        timers.pop_due(now, |callback| ready.push_back(Ready::Call(callback)));
    }

    /// Runs ready work in iterations (each runs what was ready when it began, like asyncio's
    /// `_run_once`) until nothing is ready, `stop()` takes effect, or the budget runs out.
    /// Re-entrant: a nested Qt loop started by a callback dispatches again from inside it. A
    /// `stop()` takes effect only in the outermost dispatch, once control is back there, so
    /// that the loop stops at the level it runs at: a modal dialog opened by a callback is not
    /// closed by it (the loop goes on inside the dialog, so a task can still close it), and the
    /// outermost dispatch runs nothing more once the dialog has returned.
    pub(crate) fn dispatch(&self, budget: Budget) -> Dispatched {
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
        loop {
            match self.iteration_left.get() {
                None => {
                    if outermost && self.stop_due.replace(false) {
                        self.stopping.set(false);
                        return Dispatched::Stopped;
                    }
                    self.collect_incoming();
                    let mut ready = self.ready.borrow().len();
                    if ready == 0 && !self.stopping.get() && self.jump_to_next_timer() {
                        self.collect_incoming();
                        ready = self.ready.borrow().len();
                    }
                    if ready == 0 {
                        self.release_burst_memory();
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
                        || (ran.is_multiple_of(CLOCK_CHECK_EVERY)
                            && ran > 0
                            && started.elapsed() >= budget.max_time)
                    {
                        return Dispatched::MoreWork;
                    }
                    let item = self.ready.borrow_mut().pop_front();
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
    pub(crate) fn carry_pending_stop(&self) {
        if self.stop_due.replace(false) {
            self.stopping.set(true);
        }
    }

    /// At the end of an iteration: whether `stop()` takes effect now (in the outermost
    /// dispatch), or is left for the outermost one (`stop_due`).
    fn iteration_ended_stopping(&self, outermost: bool) -> bool {
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
    fn run_contained(&self, item: Ready) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| self.run(item))) {
            self.report(ExceptionContext::panic("Panic while running a loop item", payload));
        }
    }

    /// After a burst (a million callbacks queued at once), give the ready queue's memory back
    /// instead of keeping it for the rest of the program.
    fn release_burst_memory(&self) {
        const KEEP: usize = 4096;
        let mut ready = self.ready.borrow_mut();
        if ready.capacity() > 16 * KEEP {
            ready.shrink_to(KEEP);
        }
    }

    fn run(&self, item: Ready) {
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

    fn run_guarded(&self, what: &str, location: &'static Location<'static>, f: impl FnOnce()) {
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

    fn run_task(&self, id: TaskId) {
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
        let previous = CURRENT_TASK.with(|task| task.borrow_mut().replace(task_ref.clone()));
        let started = self.slow_callback.get().map(|limit| (limit, Instant::now()));
        let waker = Waker::from(waker);
        let polled = catch_unwind(AssertUnwindSafe(|| {
            future.as_mut().poll(&mut Context::from_waker(&waker))
        }));
        CURRENT_TASK.with(|task| *task.borrow_mut() = previous);
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
    fn finish_task(
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

    fn drop_guarded(&self, future: Pin<Box<dyn Future<Output = ()>>>, header: &Rc<dyn TaskHeader>) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(future))) {
            self.report(
                ExceptionContext::panic("Panic while dropping a task's future", payload)
                    .with_task(TaskRef { header: header.clone() }),
            );
        }
    }

    /// Completes a task with `error`; what that runs of the user's (its join waker, dropping
    /// done callbacks a closed loop refuses) is guarded.
    fn fail_guarded(&self, header: &Rc<dyn TaskHeader>, error: TaskError) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| header.fail(error))) {
            self.report(
                ExceptionContext::panic("Panic while completing a task", payload)
                    .with_task(TaskRef { header: header.clone() }),
            );
        }
    }

    /// Drops `value` (something of the user's: a callback, a closure) under a guard.
    fn drop_user<T>(&self, what: &str, value: T) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
            self.report(ExceptionContext::panic(what, payload));
        }
    }

    /// Closes the scheduler: later scheduling fails with [`LoopClosed`]; queued callbacks and
    /// timers are dropped without running; every task's future is dropped here, on the loop's
    /// thread, and the task finishes as cancelled. Returns how many tasks were cancelled. Every
    /// drop of the user's runs under a guard of its own: a panicking `Drop` is reported and the
    /// rest are still dropped.
    pub(crate) fn close(&self) -> usize {
        if self.closed.replace(true) {
            return 0;
        }
        let remote = self.shared.close();
        let ready = std::mem::take(&mut *self.ready.borrow_mut());
        let timers = self.timers.borrow_mut().take_all();
        let tasks = self.tasks.borrow_mut().take_all();
        self.iteration_left.set(None);
        // Dropped outside every borrow: user destructors may call back into the scheduler.
        let cancelled = tasks.len();
        for slot in tasks {
            if let Some(future) = slot.future {
                self.drop_guarded(future, &slot.header);
            }
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
    pub(crate) fn cancel_all_tasks(&self, message: &str) -> usize {
        let headers: Vec<Rc<dyn TaskHeader>> =
            self.tasks.borrow().iter().map(|slot| slot.header.clone()).collect();
        headers
            .into_iter()
            .filter(|header| TaskRef { header: header.clone() }.cancel(Some(message)))
            .count()
    }
}

#[cfg(test)]
mod tests;
