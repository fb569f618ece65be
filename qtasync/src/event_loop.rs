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
use crate::core::callback::{Handle, TimerHandle};
use crate::core::exception::{default_exception_handler, ExceptionContext, Panic};
use crate::core::loop_future::LoopFuture;
use crate::core::scheduler::{Budget, Dispatched, EnterError, LoopClosed, Scheduler};
use crate::core::shared::{Remote, Shared};
use crate::core::task::{new_task, NewTask, Task, TaskError, TaskRef};
use crate::driver::{Driver, DriverTarget, Engine};
use crate::error::{ExecutorError, LoopError, NoRunningLoop, RunError};
use crate::executor::{Executor, ExecutorJob, ThreadPool};

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

thread_local! {
    static RUNNING_LOOP: RefCell<Option<Weak<LoopInner>>> = const { RefCell::new(None) };
}

/// The loop running on this thread (asyncio's `get_running_loop()`); an error elsewhere,
/// including inside executor threads.
pub fn get_running_loop() -> Result<EventLoop, NoRunningLoop> {
    RUNNING_LOOP
        .try_with(|running| running.borrow().as_ref().and_then(Weak::upgrade))
        .ok()
        .flatten()
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
        let when = self.time().checked_add(delay).unwrap_or_else(far_future);
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
        let NewTask { task, header, future } = new_task(future, self.inner.core.weak(), location);
        let factory = self.inner.task_factory.borrow().clone();
        let future = match factory {
            None => future,
            Some(factory) => {
                let spec = TaskSpec { task: task.task_ref(), future };
                match catch_unwind(AssertUnwindSafe(|| factory(self, spec))) {
                    Ok(spec) => spec.future,
                    Err(payload) => {
                        // The user's future went down with the factory: the task fails with
                        // the factory's panic, which its handle (or the handler) reports.
                        header.fail(TaskError::Panicked(Panic::new(payload)));
                        return Ok(task);
                    }
                }
            }
        };
        self.core().spawn(header, future)?;
        Ok(task)
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

    // ----- running ----------------------------------------------------------------------------

    /// Runs the loop until `future` completes and returns its output.
    pub fn run_until_complete<F: Future + 'static>(
        &self,
        future: F,
    ) -> Result<F::Output, RunError> {
        self.run_until_complete_with(Engine::LocalLoop, future)
    }

    pub(crate) fn run_until_complete_with<F: Future + 'static>(
        &self,
        engine: Engine,
        future: F,
    ) -> Result<F::Output, RunError> {
        self.check_can_run()?;
        let mut task = self.create_task(future)?;
        let weak = Rc::downgrade(&self.inner);
        let stopper = task.add_done_callback(move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.core.stop();
            }
        });
        let ran = self.run_forever_with(engine);
        task.remove_done_callback(stopper);
        match task.try_result() {
            Some(Ok(output)) => Ok(output),
            Some(Err(error)) => Err(RunError::Task(error)),
            None => Err(ran.err().unwrap_or(RunError::StoppedBeforeComplete)),
        }
    }

    /// Runs the loop until [`stop`](Self::stop) is called. Returns
    /// `Err(RunError::ApplicationQuit)` if the Qt application quit instead.
    pub fn run_forever(&self) -> Result<(), RunError> {
        self.run_forever_with(Engine::LocalLoop)
    }

    fn check_can_run(&self) -> Result<(), LoopError> {
        if self.is_closed() {
            return Err(LoopError::Closed);
        }
        if !self.core().is_owner_thread() {
            return Err(LoopError::WrongThread);
        }
        if self.is_running() {
            return Err(LoopError::AlreadyRunning);
        }
        if get_running_loop().is_ok() {
            return Err(LoopError::AnotherLoopRunning);
        }
        Ok(())
    }

    pub(crate) fn run_forever_with(&self, engine: Engine) -> Result<(), RunError> {
        self.check_can_run()?;
        let _running = self.core().enter().map_err(|error| match error {
            EnterError::WrongThread => LoopError::WrongThread,
            EnterError::AlreadyRunning => LoopError::AlreadyRunning,
            EnterError::AnotherLoopRunning => LoopError::AnotherLoopRunning,
        })?;
        let previous =
            RUNNING_LOOP.with(|running| running.borrow_mut().replace(Rc::downgrade(&self.inner)));
        let _restore = RestoreRunningLoop(previous);
        self.inner.stopped_by_loop.set(false);
        // A stop left pending by the previous run (it ended another way while a nested loop
        // held the stop back) counts as a stop made before this run: one iteration.
        self.core().carry_pending_stop();
        let debug = self.get_debug();
        self.core().set_slow_callback_duration(debug.then_some(DEFAULT_SLOW_CALLBACK));
        // The first dispatch: runs what is ready and notices a stop() made before this run.
        self.core().shared.begin_drain();
        self.core().shared.request_wake();
        self.inner.driver.arm(self.core().next_real_deadline());
        let ran = self.inner.driver.exec(engine);
        self.inner.driver.arm(None);
        ran.map_err(|_| LoopError::NoApplication)?;
        if self.inner.stopped_by_loop.get() {
            Ok(())
        } else {
            Err(RunError::ApplicationQuit)
        }
    }

    /// Stops the loop at the end of the current iteration: callbacks already scheduled run, those
    /// they schedule wait for the next run. Called before a run, that run does one iteration.
    pub fn stop(&self) {
        self.core().stop();
    }

    /// Whether the loop is running.
    pub fn is_running(&self) -> bool {
        self.core().is_running()
    }

    /// Whether the loop is closed.
    pub fn is_closed(&self) -> bool {
        self.core().is_closed()
    }

    /// Closes the loop: pending callbacks are dropped, every task's future is dropped (its
    /// destructors run now) and the task ends cancelled, the default executor is shut down
    /// without waiting. Idempotent; an error while the loop runs.
    pub fn close(&self) -> Result<(), LoopError> {
        if self.is_running() {
            return Err(LoopError::CloseWhileRunning);
        }
        if !self.core().is_owner_thread() {
            return Err(LoopError::WrongThread);
        }
        self.core().close();
        self.inner.asyncgens.close_all();
        if let Some(executor) = self.inner.executor.borrow_mut().take() {
            executor.shutdown(Box::new(|| {}));
        }
        Ok(())
    }

    /// Asks every task to cancel (they finish at their next step); returns how many.
    pub fn cancel_all_tasks(&self, message: &str) -> usize {
        self.core().cancel_all_tasks(message)
    }

    pub(crate) fn set_sigint_enabled(&self, enabled: bool) -> bool {
        self.inner.driver.set_sigint_enabled(enabled)
    }

    pub(crate) fn take_interrupted(&self) -> bool {
        self.inner.interrupted.replace(false)
    }

    // ----- async generators -------------------------------------------------------------------

    /// Registers `stream` with the loop, so that [`shutdown_asyncgens`](Self::shutdown_asyncgens)
    /// closes it (asyncio tracks async generators the same way).
    pub fn track_stream<S>(&self, stream: S) -> TrackedStream<S::Item>
    where
        S: futures_core::Stream + 'static,
    {
        self.inner.asyncgens.track(stream)
    }

    /// Closes every tracked stream still open: its next poll yields `None` and the stream is
    /// dropped now, running its destructors. Returns how many were closed.
    pub async fn shutdown_asyncgens(&self) -> usize {
        self.inner.asyncgens.close_all()
    }

    // ----- executor ---------------------------------------------------------------------------

    /// Sets the executor used by [`run_in_executor`](Self::run_in_executor).
    pub fn set_default_executor(&self, executor: Arc<dyn Executor>) {
        *self.inner.executor.borrow_mut() = Some(executor);
        self.inner.executor_shutdown_called.set(false);
    }

    fn default_executor(&self) -> Result<Arc<dyn Executor>, ExecutorError> {
        if self.inner.executor_shutdown_called.get() {
            return Err(ExecutorError::Shutdown);
        }
        let mut slot = self.inner.executor.borrow_mut();
        Ok(slot.get_or_insert_with(|| Arc::new(ThreadPool::with_default_size())).clone())
    }

    /// Runs the blocking `job` on the default executor (a thread pool of min(32, cpus + 4)
    /// threads, created on first use); await the returned job for its result, delivered on the
    /// loop's thread.
    pub fn run_in_executor<R, F>(&self, job: F) -> Result<ExecutorJob<R>, ExecutorError>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        if self.is_closed() {
            return Err(ExecutorError::LoopClosed);
        }
        let executor = self.default_executor()?;
        ExecutorJob::submit(
            &*executor,
            job,
            self.unretrieved_job_panic_reporter(),
            self.core().clock().hold(&self.core().shared),
        )
    }

    /// Like `run_in_executor`, on the given executor.
    pub fn run_in_executor_on<R, F>(
        &self,
        executor: &dyn Executor,
        job: F,
    ) -> Result<ExecutorJob<R>, ExecutorError>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        if self.is_closed() {
            return Err(ExecutorError::LoopClosed);
        }
        ExecutorJob::submit(
            executor,
            job,
            self.unretrieved_job_panic_reporter(),
            self.core().clock().hold(&self.core().shared),
        )
    }

    /// Brings a panic of an executor job whose handle was dropped back to this loop's exception
    /// handler (from the worker thread, through `call_soon_threadsafe`).
    fn unretrieved_job_panic_reporter(&self) -> impl FnOnce(Panic) + Send + 'static {
        let handle = self.threadsafe_handle();
        move |panic: Panic| {
            let message = panic.message().to_owned();
            let report = move || {
                let context = ExceptionContext::new("Executor job exception was never retrieved")
                    .with_exception(Rc::new(panic));
                match get_running_loop() {
                    Ok(event_loop) => event_loop.call_exception_handler(&context),
                    Err(_) => default_exception_handler(&context),
                }
            };
            if handle.call_soon_threadsafe(report).is_err() {
                eprintln!("qtasync: an executor job panicked after its loop closed: {message}");
            }
        }
    }

    /// Shuts the default executor down and waits (without blocking the Qt thread) for its
    /// workers to finish their jobs; gives up after `timeout`. Later `run_in_executor` calls
    /// fail with [`ExecutorError::Shutdown`].
    pub async fn shutdown_default_executor(
        &self,
        timeout: Option<Duration>,
    ) -> Result<(), ExecutorError> {
        self.inner.executor_shutdown_called.set(true);
        let executor = self.inner.executor.borrow_mut().take();
        let Some(executor) = executor else { return Ok(()) };
        let (done, finished) = futures_channel::oneshot::channel::<()>();
        executor.shutdown(Box::new(move || {
            let _ = done.send(());
        }));
        match timeout {
            None => {
                let _ = finished.await;
                Ok(())
            }
            Some(limit) => match crate::time::timeout(limit, finished).await {
                Ok(_) => Ok(()),
                Err(_) => Err(ExecutorError::ShutdownTimedOut(limit)),
            },
        }
    }

    // ----- errors and debug -------------------------------------------------------------------

    /// Sets (or with `None` removes) the exception handler. Without one, reports go to
    /// [`default_exception_handler`](crate::default_exception_handler) (standard error).
    pub fn set_exception_handler(&self, handler: Option<ExceptionHandler>) {
        *self.inner.exception_handler.borrow_mut() = handler;
    }

    /// The exception handler, if one is set.
    pub fn get_exception_handler(&self) -> Option<ExceptionHandler> {
        self.inner.exception_handler.borrow().clone()
    }

    /// Reports `context` to the exception handler. A handler that panics is itself reported
    /// (with the original report) by the default handler; the panic goes no further.
    pub fn call_exception_handler(&self, context: &ExceptionContext) {
        let handler = self.get_exception_handler();
        match handler {
            None => default_exception_handler(context),
            Some(handler) => {
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| handler(self, context))) {
                    default_exception_handler(&ExceptionContext::panic(
                        "Unhandled error in exception handler",
                        payload,
                    ));
                    default_exception_handler(context);
                }
            }
        }
    }

    /// How many Qt events (posted wakes and timer expiries) this loop has handled: one event
    /// runs a whole batch of ready callbacks, and an idle loop handles none.
    pub fn dispatch_count(&self) -> u64 {
        self.inner.dispatches.get()
    }

    /// Debug mode: callbacks and task steps that take 100 ms or more are reported.
    pub fn set_debug(&self, enabled: bool) {
        self.inner.debug.set(enabled);
        if self.is_running() {
            self.core().set_slow_callback_duration(enabled.then_some(DEFAULT_SLOW_CALLBACK));
        }
    }

    /// Whether debug mode is on.
    pub fn get_debug(&self) -> bool {
        self.inner.debug.get()
    }
}

impl Default for EventLoop {
    fn default() -> Self {
        EventLoop::new()
    }
}

struct RestoreRunningLoop(Option<Weak<LoopInner>>);

impl Drop for RestoreRunningLoop {
    fn drop(&mut self) {
        let previous = self.0.take();
        let _ = RUNNING_LOOP.try_with(|running| *running.borrow_mut() = previous);
    }
}

fn far_future() -> Instant {
    // About 30 years: later than any realistic deadline, and still representable.
    Instant::now() + Duration::from_secs(86_400 * 365 * 30)
}

/// A `Send + Sync` handle to a loop for other threads.
#[derive(Clone)]
pub struct LoopHandle {
    shared: Arc<Shared>,
}

impl fmt::Debug for LoopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopHandle").field("closed", &self.shared.is_closed()).finish()
    }
}

impl LoopHandle {
    /// Schedules `callback` on the loop's thread; an error once the loop is closed (a callback
    /// accepted before `close()` is never silently lost: it runs, or `close()` drops it).
    pub fn call_soon_threadsafe(
        &self,
        callback: impl FnOnce() + Send + 'static,
    ) -> Result<(), LoopClosed> {
        self.shared.push(Remote::Call(Box::new(callback))).map_err(|_| LoopClosed)
    }

    /// Stops the loop from any thread (at the end of its current iteration).
    pub fn stop(&self) -> Result<(), LoopClosed> {
        self.call_soon_threadsafe(|| {
            if let Ok(event_loop) = get_running_loop() {
                event_loop.stop();
            }
        })
    }

    /// Whether the loop is closed.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }
}
