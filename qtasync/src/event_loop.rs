//! `EventLoop`: asyncio's event loop API over the scheduler core and the Qt driver.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::asyncgen::{AsyncGenRegistry, TrackedStream};
use crate::core::callback::TimerHandle;
use crate::core::exception::{default_exception_handler, ExceptionContext, Panic};
use crate::core::loop_future::LoopFuture;
use crate::core::scheduler::Handle;
use crate::core::scheduler::{Budget, Dispatched, EnterError, LoopClosed, Scheduler};
use crate::core::shared::{Remote, Shared};
use crate::core::task::{Task, TaskError, TaskRef};
use crate::driver::{Driver, DriverTarget, Engine};
use crate::error::{ExecutorError, LoopError, NoRunningLoop, RunError};
use crate::executor::{Executor, ExecutorJob, ThreadPool};

mod executor;
mod handle;
mod reports;
mod run;

pub use handle::LoopHandle;

/// The exception handler: called with the loop and the report (asyncio's `handler(loop, context)`).
pub type ExceptionHandler = Rc<dyn Fn(&EventLoop, &ExceptionContext)>;

/// A task factory (asyncio's `set_task_factory`): sees every new task before it first runs, and
/// may rename it, add done callbacks, or wrap its future (to trace or time it, say).
pub type TaskFactory = Rc<dyn Fn(&EventLoop, TaskSpec) -> TaskSpec>;

/// What a [`TaskFactory`] receives and returns.
pub struct TaskSpec {
    /// The task being created.
    pub task: TaskRef,
    /// The future the task will poll (the user's future, already wired to the task's result).
    pub future: Pin<Box<dyn Future<Output = ()>>>,
}

/// Asyncio's default for `slow_callback_duration` in debug mode.
const DEFAULT_SLOW_CALLBACK: Duration = Duration::from_millis(100);

/// The loop running on this thread (asyncio's `get_running_loop()`); an error elsewhere,
/// including inside executor threads. The core's registry of what runs on this thread knows the
/// scheduler; the scheduler knows the loop that wraps it.
pub fn get_running_loop() -> Result<EventLoop, NoRunningLoop> {
    crate::core::scheduler::running()
        .and_then(|scheduler| scheduler.owner())
        .and_then(|owner| owner.downcast::<LoopInner>().ok())
        .map(|inner| EventLoop { inner })
        .ok_or(NoRunningLoop)
}

/// The task being polled on this thread, if any (asyncio's `current_task()`).
pub fn current_task() -> Option<TaskRef> {
    crate::core::scheduler::current_task()
}

/// Spawns `future` as a task on the running loop (asyncio's `create_task` as a free function).
#[track_caller]
pub fn spawn<F: Future + 'static>(future: F) -> Result<Task<F::Output>, SpawnError> {
    let event_loop = get_running_loop().map_err(|_| SpawnError::NoRunningLoop)?;
    event_loop.create_task(future).map_err(|_| SpawnError::Closed)
}

/// Why [`spawn`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpawnError {
    /// No qtasync loop is running on this thread.
    NoRunningLoop,
    /// The loop is closed.
    Closed,
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::NoRunningLoop => NoRunningLoop.fmt(f),
            SpawnError::Closed => LoopClosed.fmt(f),
        }
    }
}

impl std::error::Error for SpawnError {}

struct LoopInner {
    core: Rc<Scheduler>,
    driver: Driver,
    /// `stop()` took effect in this run: Qt is leaving its loop, but still delivers the events
    /// already posted; they must not start another iteration. Also tells a stop from an
    /// application quit when exec returns.
    stopped_by_loop: Cell<bool>,
    /// SIGINT arrived while handled.
    interrupted: Cell<bool>,
    exception_handler: RefCell<Option<ExceptionHandler>>,
    task_factory: RefCell<Option<TaskFactory>>,
    executor: RefCell<Option<Arc<dyn Executor>>>,
    executor_shutdown_called: Cell<bool>,
    asyncgens: AsyncGenRegistry,
    debug: Cell<bool>,
    /// Qt events (wakes and timer expiries) delivered to this loop.
    dispatches: Cell<u64>,
}

impl LoopInner {
    fn pump(&self) {
        // Every user item inside is guarded already; should anything still unwind, it is
        // reported, the remaining work gets another dispatch, and the timer is re-armed below.
        let dispatch = || self.core.dispatch(Budget::DEFAULT);
        // The `tokio` feature: the batch runs inside a tokio runtime context (`qtasync::tokio`).
        #[cfg(feature = "tokio")]
        let dispatch = || crate::tokio::within(dispatch);
        let dispatched = catch_unwind(AssertUnwindSafe(dispatch)).unwrap_or_else(|payload| {
            self.core.report(ExceptionContext::panic("Panic in the loop's dispatch", payload));
            Dispatched::MoreWork
        });
        match dispatched {
            Dispatched::Idle => {}
            Dispatched::MoreWork => self.core.shared.request_wake(),
            Dispatched::Stopped => {
                self.stopped_by_loop.set(true);
                self.driver.arm(None);
                self.driver.exit();
                return;
            }
        }
        if !self.core.is_closed() {
            self.driver.arm(self.core.next_real_deadline());
        }
    }
}

/// Runs `wake` (which wakes tasks or queues callbacks of the loop running on this thread), then
/// dispatches that loop at once, inside the caller's Qt event, instead of in a wake event posted
/// for it: I/O readiness reaches the task's poll in one Qt event, with no post in between. The
/// dispatch has the usual budget; if work remains, a wake event is posted as usual. Whether it
/// dispatched (not when no loop runs here, or it is stopping: then the wakes alone).
pub(crate) fn wake_then_dispatch(wake: impl FnOnce()) -> bool {
    let running = get_running_loop()
        .ok()
        .filter(|running| running.inner.core.is_running() && !running.inner.stopped_by_loop.get());
    let Some(running) = running else {
        wake();
        return false;
    };
    running.inner.core.shared.claim_wake();
    wake();
    running.inner.pump();
    true
}

impl DriverTarget for LoopInner {
    fn on_wake(&self) {
        self.dispatches.set(self.dispatches.get() + 1);
        if self.core.is_running() && !self.stopped_by_loop.get() {
            self.pump();
        } else {
            // Not running: the work waits for the next run, which posts a fresh wake.
            self.core.shared.begin_drain();
        }
    }

    fn on_timer(&self) {
        self.dispatches.set(self.dispatches.get() + 1);
        self.driver.timer_fired();
        if self.core.is_running() && !self.stopped_by_loop.get() {
            self.pump();
        }
    }

    fn on_about_to_quit(&self) {}

    fn on_sigint(&self) {
        self.interrupted.set(true);
        self.core.stop();
    }
}

impl Drop for LoopInner {
    fn drop(&mut self) {
        // The tasks' futures are dropped here, on the loop's thread.
        self.core.close();
        if let Some(executor) = self.executor.borrow_mut().take() {
            executor.shutdown(Box::new(|| {}));
        }
    }
}

/// An asyncio-shaped event loop whose only event loop is Qt's. Cheap to clone (a reference);
/// `!Send`: it lives on the thread that created it. Use [`threadsafe_handle`](Self::threadsafe_handle)
/// to reach it from other threads.
///
/// The loop owns its tasks, so a task that captures a clone of its loop makes an `Rc` cycle: such
/// a loop, dropped without [`close`](Self::close), never frees its tasks. `close()` drops every
/// task's future, which breaks the cycle; [`Runner`](crate::Runner) and `#[qtasync::main]` close
/// their loop for you.
#[derive(Clone)]
pub struct EventLoop {
    inner: Rc<LoopInner>,
}

impl fmt::Debug for EventLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventLoop")
            .field("running", &self.is_running())
            .field("closed", &self.is_closed())
            .field("debug", &self.get_debug())
            .finish()
    }
}

impl EventLoop {
    /// A new loop on the calling thread. Creates a `QCoreApplication` when there is none yet
    /// (create your `QGuiApplication`/`QApplication` first if you need one).
    pub fn new() -> EventLoop {
        // The driver's dispatcher creates the application when there is none (and never deletes
        // it: only a `Runner` that created it may).
        let core = Scheduler::new();
        let shared = core.shared.clone();
        let inner = Rc::new_cyclic(|this: &Weak<LoopInner>| {
            let target: Weak<dyn DriverTarget> = this.clone();
            LoopInner {
                core,
                driver: Driver::new(target, shared),
                stopped_by_loop: Cell::new(false),
                interrupted: Cell::new(false),
                exception_handler: RefCell::new(None),
                task_factory: RefCell::new(None),
                executor: RefCell::new(None),
                executor_shutdown_called: Cell::new(false),
                asyncgens: AsyncGenRegistry::default(),
                debug: Cell::new(false),
                dispatches: Cell::new(0),
            }
        });
        let owner: Weak<dyn std::any::Any> = Rc::downgrade(&inner) as Weak<LoopInner>;
        inner.core.set_owner(owner);
        let weak = Rc::downgrade(&inner);
        inner.core.set_reporter(Some(Rc::new(move |context: &ExceptionContext| {
            match weak.upgrade() {
                Some(inner) => EventLoop { inner }.call_exception_handler(context),
                None => default_exception_handler(context),
            }
        })));
        EventLoop { inner }
    }

    pub(crate) fn core(&self) -> &Scheduler {
        &self.inner.core
    }

    /// Whether two handles name the same loop.
    pub fn ptr_eq(&self, other: &EventLoop) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }

    // ----- time and callbacks -----------------------------------------------------------------

    /// The loop's clock: monotonic (unlike QtAsyncio's wall-clock `time()`), and virtual while
    /// paused (see [`time::pause`](crate::time::pause)).
    pub fn time(&self) -> Instant {
        self.core().clock().now()
    }

    /// Schedules `callback` to run once, after the callbacks already scheduled (FIFO).
    #[track_caller]
    pub fn call_soon(&self, callback: impl FnOnce() + 'static) -> Result<Handle, LoopClosed> {
        self.core().call_soon(callback, Location::caller())
    }

    /// Schedules `callback` to run `delay` from now; never earlier.
    #[track_caller]
    pub fn call_later(
        &self,
        delay: Duration,
        callback: impl FnOnce() + 'static,
    ) -> Result<TimerHandle, LoopClosed> {
        let when = crate::time::after(self.time(), delay);
        self.core().call_at(when, callback, Location::caller())
    }

    /// Schedules `callback` to run at `when` (on the [`time`](Self::time) clock); never earlier.
    /// Equal deadlines run in the order they were scheduled.
    #[track_caller]
    pub fn call_at(
        &self,
        when: Instant,
        callback: impl FnOnce() + 'static,
    ) -> Result<TimerHandle, LoopClosed> {
        self.core().call_at(when, callback, Location::caller())
    }

    /// Like `call_soon`, for a `Send` callback; on this thread it keeps FIFO order with
    /// `call_soon`. From other threads use [`threadsafe_handle`](Self::threadsafe_handle).
    pub fn call_soon_threadsafe(
        &self,
        callback: impl FnOnce() + Send + 'static,
    ) -> Result<(), LoopClosed> {
        self.core().call_soon_threadsafe(Box::new(callback))
    }

    /// A `Send + Sync` handle for other threads: `call_soon_threadsafe` and `stop`.
    pub fn threadsafe_handle(&self) -> LoopHandle {
        LoopHandle { shared: self.core().shared.clone() }
    }

    // ----- futures and tasks ------------------------------------------------------------------

    /// A new [`LoopFuture`] bound to this loop (asyncio's `create_future`).
    pub fn create_future<T: 'static>(&self) -> LoopFuture<T> {
        LoopFuture::new(self.inner.core.weak())
    }

    /// Wraps `future` in a task scheduled to run soon (asyncio's `create_task`). The future may
    /// be `!Send`: it is polled and dropped on this thread only.
    #[track_caller]
    pub fn create_task<F: Future + 'static>(
        &self,
        future: F,
    ) -> Result<Task<F::Output>, LoopClosed> {
        if self.is_closed() {
            return Err(LoopClosed);
        }
        let location = Location::caller();
        let factory = self.inner.task_factory.borrow().clone();
        let Some(factory) = factory else {
            return self.core().create_task(future, location);
        };
        self.core().create_task_with(location, |task| {
            // The factory wraps a future of `()`: the output reaches the task through `slot`.
            let slot = Rc::new(Cell::new(None));
            let sink = slot.clone();
            let runner: Pin<Box<dyn Future<Output = ()>>> =
                Box::pin(async move { sink.set(Some(future.await)) });
            let spec = TaskSpec { task: task.clone(), future: runner };
            match catch_unwind(AssertUnwindSafe(|| factory(self, spec))) {
                Ok(spec) => {
                    let mut wrapped = spec.future;
                    Ok(Box::pin(async move {
                        (&mut wrapped).await;
                        drop(wrapped);
                        slot.take().expect(
                            "the task factory's future finished without running the task's own",
                        )
                    }))
                }
                // The user's future went down with the factory: the task fails with the
                // factory's panic, which its handle (or the handler) reports.
                Err(payload) => Err(TaskError::Panicked(Panic::new(payload))),
            }
        })
    }

    /// Sets (or with `None` removes) the task factory.
    pub fn set_task_factory(&self, factory: Option<TaskFactory>) {
        *self.inner.task_factory.borrow_mut() = factory;
    }

    /// The task factory, if one is set.
    pub fn get_task_factory(&self) -> Option<TaskFactory> {
        self.inner.task_factory.borrow().clone()
    }

    /// How many tasks are alive on this loop.
    pub fn task_count(&self) -> usize {
        self.core().task_count()
    }
}

impl Default for EventLoop {
    fn default() -> Self {
        EventLoop::new()
    }
}
