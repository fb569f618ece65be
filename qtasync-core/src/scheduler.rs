//! The scheduler: one FIFO ready queue of callbacks and task steps, the timer heap, the tasks'
//! futures, and `dispatch`, which runs ready work in asyncio-style iterations under a budget.
//! It knows nothing of Qt: the driver calls `dispatch` when woken and arms one OS timer for
//! `next_deadline`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::task::Waker;
use std::time::{Duration, Instant};

mod close;
mod dispatch;
mod handle;
mod leftovers;
mod ready;
mod sleep;
mod step;

pub use handle::Handle;
use ready::{Ready, ReadyQueue};

use super::arena::{Arena, TaskId};
use super::callback::{new_callback, Callback, TimerHandle};
use super::clock::Clock;
use super::exception::{default_exception_handler, ExceptionContext, Panic};
use super::running::{self, RunningLoop};
use super::shared::{Remote, Shared};
use super::task::{new_deferred_task, new_task, Task};
use super::task_error::TaskError;
use super::task_ref::{Step, TaskHeader, TaskHost, TaskRef};
use super::thread_token;
use super::timers::{Fired, TimerHeap};
use super::waker::LazyWaker;

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
pub struct Budget {
    pub max_items: usize,
    pub max_time: Duration,
}

impl Budget {
    /// Enough to amortise one Qt event over thousands of callbacks, small enough that paint and
    /// input events wait at most a couple of milliseconds.
    pub const DEFAULT: Budget = Budget { max_items: 16 * 1024, max_time: Duration::from_millis(2) };
}

/// The time budget is checked once every this many items (reading the clock costs ~20 ns).
const CLOCK_CHECK_EVERY: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dispatched {
    /// Nothing is ready; wait for a wake or the next timer.
    Idle,
    /// The budget ran out with work left: dispatch again after Qt's other events.
    MoreWork,
    /// `stop()` took effect at the end of an iteration.
    Stopped,
}

/// A live task: the scheduler's reference to its one allocation (future included).
struct TaskSlot {
    header: Rc<dyn TaskHeader>,
    /// Woken while it was being polled further up the stack: queue it again when that poll ends.
    rewake: bool,
}

pub type Reporter = Rc<dyn Fn(&ExceptionContext)>;

pub struct Scheduler {
    pub shared: Arc<Shared>,
    this: Weak<Scheduler>,
    ready: RefCell<ReadyQueue>,
    timers: RefCell<TimerHeap>,
    tasks: RefCell<Arena<TaskSlot>>,
    /// How many slots have `rewake` set (at most: a finished task may leave its mark counted).
    rewakes: Cell<usize>,
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
    /// What the layer above wraps this scheduler in (qtasync's event loop), so that the one
    /// registry of `running.rs` also answers "which event loop runs here".
    owner: RefCell<Option<Weak<dyn std::any::Any>>>,
    /// Debug mode: callbacks and task steps slower than this are reported.
    slow_callback: Cell<Option<Duration>>,
    /// Real time, or virtual time that tests control.
    clock: Clock,
}

/// The scheduler running on this thread.
pub fn running() -> Option<Rc<Scheduler>> {
    running::running_as::<Scheduler>()
}

pub use super::running::{current_task, EnterError, RunningGuard};

impl Scheduler {
    pub fn new() -> Rc<Scheduler> {
        Rc::new_cyclic(|this| Scheduler {
            shared: Arc::new(Shared::new(thread_token::current())),
            this: this.clone(),
            ready: RefCell::new(ReadyQueue::default()),
            timers: RefCell::new(TimerHeap::new()),
            tasks: RefCell::new(Arena::new()),
            rewakes: Cell::new(0),
            iteration_left: Cell::new(None),
            stopping: Cell::new(false),
            depth: Cell::new(0),
            stop_due: Cell::new(false),
            closed: Cell::new(false),
            reporter: RefCell::new(None),
            owner: RefCell::new(None),
            slow_callback: Cell::new(None),
            clock: Clock::new(),
        })
    }

    pub fn weak(&self) -> Weak<Scheduler> {
        self.this.clone()
    }

    pub fn is_owner_thread(&self) -> bool {
        self.shared.owner == thread_token::current()
    }

    pub fn enter(&self) -> Result<RunningGuard, EnterError> {
        running::enter(self.this.upgrade().expect("a scheduler in use is alive"))
    }

    pub fn is_running(&self) -> bool {
        running::is_running(self)
    }

    pub fn is_closed(&self) -> bool {
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

    pub fn call_soon<F: FnOnce() + 'static>(
        &self,
        callback: F,
        location: &'static Location<'static>,
    ) -> Result<Handle, LoopClosed> {
        self.check_open()?;
        let seq = self.push_soon(Box::new(callback), Some(location));
        Ok(Handle::new(self.this.clone(), seq, location))
    }

    /// Queues a callback with no handle (the scheduler's own `call_soon`s, and
    /// `call_soon_threadsafe` on the loop's thread); its sequence number.
    fn push_soon(
        &self,
        callback: Box<dyn FnOnce()>,
        location: Option<&'static Location<'static>>,
    ) -> u64 {
        let seq = self.ready.borrow_mut().push(Ready::Soon(Some(callback), location));
        self.wake_if_idle();
        seq
    }

    pub fn call_at<F: FnOnce() + 'static>(
        &self,
        when: Instant,
        callback: F,
        location: &'static Location<'static>,
    ) -> Result<TimerHandle, LoopClosed> {
        self.schedule_at(when, new_callback(callback, location))
    }

    /// `call_at` for a callback object of qtasync's own (a `sleep`'s alarm): one allocation.
    pub fn schedule_at(
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
        Ok(TimerHandle { callback, when, heap_cancelled })
    }

    /// `call_soon_threadsafe`: from the loop's thread it joins the ready queue in FIFO order
    /// with `call_soon`; from any other thread it goes through the shared queue.
    pub fn call_soon_threadsafe(
        &self,
        callback: Box<dyn FnOnce() + Send>,
    ) -> Result<(), LoopClosed> {
        self.check_open()?;
        if self.is_owner_thread() {
            self.push_soon(callback, None);
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
    pub fn request_dispatch(&self) {
        self.wake_if_idle();
    }

    /// Makes a task of `future` and queues its first step (asyncio's `create_task`).
    pub fn create_task<F: Future + 'static>(
        &self,
        future: F,
        location: &'static Location<'static>,
    ) -> Result<Task<F::Output>, LoopClosed> {
        self.check_open()?;
        let (id, task) = self.tasks.borrow_mut().insert_with(|id| {
            let waker = LazyWaker::new(self.shared.clone(), id);
            let (task, header) = new_task(future, self.this.clone(), waker, location);
            (TaskSlot { header, rewake: false }, task)
        });
        self.ready.borrow_mut().push(Ready::Task(id));
        self.wake_if_idle();
        Ok(task)
    }

    /// `create_task` for a future made once the task exists (a task factory wraps it): `make`
    /// gets the task and returns its future, or the error it fails with instead.
    pub fn create_task_with<T: 'static>(
        &self,
        location: &'static Location<'static>,
        make: impl FnOnce(&TaskRef) -> Result<Pin<Box<dyn Future<Output = T>>>, TaskError>,
    ) -> Result<Task<T>, LoopClosed> {
        self.check_open()?;
        let (id, (task, cell)) = self.tasks.borrow_mut().insert_with(|id| {
            let waker = LazyWaker::new(self.shared.clone(), id);
            let (task, cell) =
                new_deferred_task::<T, Scheduler>(self.this.clone(), waker, location);
            let header: Rc<dyn TaskHeader> = cell.clone();
            (TaskSlot { header, rewake: false }, (task, cell))
        });
        // No borrow held: `make` runs the user's factory.
        match make(&task.task_ref()) {
            Ok(future) => {
                cell.set_future(future);
                if !self.closed.get() {
                    self.ready.borrow_mut().push(Ready::Task(id));
                    self.wake_if_idle();
                }
            }
            Err(error) => {
                let slot = self.tasks.borrow_mut().remove(id);
                drop(slot);
                let header: Rc<dyn TaskHeader> = cell;
                self.fail_guarded(&header, error);
            }
        }
        Ok(task)
    }

    pub fn task_count(&self) -> usize {
        self.tasks.borrow().len()
    }

    pub fn stop(&self) {
        self.stopping.set(true);
        // An idle loop must wake up to notice.
        self.shared.request_wake();
    }

    /// Records what wraps this scheduler (see [`Scheduler::owner`]).
    pub fn set_owner(&self, owner: Weak<dyn std::any::Any>) {
        *self.owner.borrow_mut() = Some(owner);
    }

    /// What the layer above recorded with `set_owner`, while it lives.
    pub fn owner(&self) -> Option<Rc<dyn std::any::Any>> {
        self.owner.borrow().as_ref().and_then(Weak::upgrade)
    }

    /// Whether `enter` would succeed now, without entering.
    pub fn check_enter(&self) -> Result<(), EnterError> {
        running::check_enter(self)
    }

    pub fn set_reporter(&self, reporter: Option<Reporter>) {
        // The old reporter (a user closure) is dropped with no borrow held.
        let old = self.reporter.replace(reporter);
        drop(old);
    }

    pub fn set_slow_callback_duration(&self, limit: Option<Duration>) {
        self.slow_callback.set(limit);
    }

    /// Sends a report to the exception handler; a handler that panics is itself reported to
    /// standard error, with the original report.
    pub fn report(&self, context: ExceptionContext) {
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
}

/// How wakers and the API find the loop running on this thread (`running.rs`).
impl RunningLoop for Scheduler {
    fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    fn push_ready_task(&self, id: TaskId) {
        self.ready.borrow_mut().push(Ready::Task(id));
        self.wake_if_idle();
    }

    fn into_any(self: Rc<Self>) -> Rc<dyn std::any::Any> {
        self
    }
}

/// How tasks reach their loop without naming the scheduler (`task_ref.rs`).
impl TaskHost for Scheduler {
    fn schedule(&self, callback: Box<dyn FnOnce()>, location: &'static Location<'static>) {
        // Refused only once the loop is closed; asyncio drops done callbacks then too.
        if self.check_open().is_ok() {
            self.push_soon(callback, Some(location));
        }
    }

    fn report_error(
        &self,
        message: &'static str,
        error: Rc<dyn std::error::Error>,
        task: Option<TaskRef>,
    ) {
        let context = ExceptionContext::new(message).with_exception(error);
        self.report(match task {
            Some(task) => context.with_task(task),
            None => context,
        });
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod task_tests;
