//! Tasks: a future driven by the loop, with asyncio's task API (cancel with a message, uncancel,
//! cancelling, names, done callbacks) and a join handle that yields `Result<T, TaskError>`.
//!
//! Cancellation in Rust means dropping the future: `cancel` asks for it, and at the task's next
//! step (it is woken at once) the future is dropped, which runs its destructors as asyncio runs
//! `finally` blocks; the handle then yields [`TaskError::Cancelled`]. `uncancel` withdraws requests
//! not yet delivered, as in asyncio.
//!
//! # A task's state, in one place
//!
//! A task is one allocation, an `Rc<TaskCell<F, H>>` (its asyncio state, its loop `H`, its
//! waker, the future `F` itself and, once done, the output in the future's place), shared by
//! three holders: the scheduler (as `Rc<dyn TaskHeader>` in its arena slot), the user's
//! [`Task<T>`] handle, and any number of [`TaskRef`]s. Its state is these fields, each changed
//! only on the loop's thread:
//!
//! | field | values | changed by |
//! |---|---|---|
//! | `meta.outcome` | `Running` -> `Finished` / `Cancelled` / `Panicked`, once | `TaskCell::complete` |
//! | `stage` | `Running(future)` -> `Empty` (future dropped in place) -> `Done(result)` -> `Empty` (taken) | the scheduler's step or cancellation drops the future; `complete` stores the result; the handle takes it |
//! | `meta.cancelling` | requests made minus those withdrawn (`uncancel`) | `cancel`, `uncancel` |
//! | `meta.must_cancel` | a request waits for the next step | `cancel` sets it, `uncancel` to zero clears it, the step that delivers it reads it |
//! | `meta.detached` | the handle was dropped: nobody can take the result | `Task::drop`; `complete` then drops the output at once and reports a panic |
//! | `waker` | the task's `Send` waker, made when a future first keeps or wakes it | `LazyWaker` (a poll lends a waker that costs nothing until cloned) |
//! | `join_waker` | who awaits the handle | the handle's poll; taken and woken by `complete` |
//! | `meta.rare` | name, cancel message, done callbacks (allocated on first use) | `set_name`, `cancel(Some(..))`, `add_done_callback` |
//!
//! `stage` is borrowed while the future is polled or dropped: a step that finds it borrowed
//! (a nested Qt loop inside the task's own step) is [`Step::Busy`], and the handle sees the task
//! as running. `complete` runs once: a second completion (a cancellation racing the output) is
//! ignored. The future is dropped in place on the loop's thread, inside a guard, before the task
//! completes (after its last poll, on cancellation, or at close), never by whatever drops the
//! task's last reference.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::arena::TaskId;
use super::panic::Panic;
use super::shared::Shared;
pub use super::task_error::TaskError;
pub use super::task_ref::{DoneCallbackId, TaskRef};
use super::task_ref::{Outcome, Step, TaskHeader, TaskHost, TaskMeta};
use super::waker::LazyWaker;

/// A task, in one allocation: its asyncio state, its waker (made on first use), the future and,
/// once it finished, its output (in the place the future had).
pub struct TaskCell<F: Future, H> {
    meta: TaskMeta,
    /// The loop that runs the task (the scheduler, seen only through [`TaskHost`]): a thin
    /// pointer, as the type is known here.
    host: Weak<H>,
    waker: LazyWaker,
    stage: RefCell<Stage<F>>,
    join_waker: Cell<Option<Waker>>,
}

enum Stage<F: Future> {
    /// Pinned: it is only ever dropped in place (by assigning another stage), never moved.
    Running(F),
    /// The error is boxed: a small output (`()`) keeps the stage, and the task, small.
    Done(Result<F::Output, Box<TaskError>>),
    /// No future and no result: before a deferred task gets its future, between the future's
    /// drop and the task's completion, after the handle took the result (or dropped it).
    Empty,
}

impl<F: Future + 'static, H: TaskHost + 'static> TaskCell<F, H> {
    /// A reference to this task (for done callbacks and reports, which name it).
    fn task_ref(self: &Rc<Self>) -> TaskRef {
        TaskRef { header: self.clone() }
    }

    fn complete(self: &Rc<Self>, result: Result<F::Output, TaskError>) {
        if self.meta.outcome.get() != Outcome::Running {
            return;
        }
        self.meta.outcome.set(match &result {
            Ok(_) => Outcome::Finished,
            Err(TaskError::Cancelled(_)) => Outcome::Cancelled,
            Err(TaskError::Panicked(_)) => Outcome::Panicked,
        });
        let unretrieved_panic = match &result {
            Err(TaskError::Panicked(panic)) if self.meta.detached.get() => Some(panic.to_string()),
            _ => None,
        };
        if self.meta.detached.get() {
            // Nobody can take the output any more: drop it now, under a guard, so that a
            // panicking `Drop` is reported like any other task error instead of unwinding out of
            // whatever drops the task's last reference.
            if let Ok(output) = result {
                if std::mem::needs_drop::<F::Output>() {
                    let what = "Panic while dropping a detached task's output";
                    self.task_ref().guarded(what, || drop(output));
                }
            }
        } else if let Ok(mut stage) = self.stage.try_borrow_mut() {
            // (Borrowed only while the future is polled or dropped further up the stack: a loop
            // closed from inside its own task's step. The result is lost then, as the step is.)
            *stage = Stage::Done(result.map_err(Box::new));
        }
        // Taken out first: the waker runs with no borrow held (it may poll or drop this task).
        let join_waker = self.join_waker.take();
        if let Some(waker) = join_waker {
            waker.wake();
        }
        if self.meta.has_rare() || unretrieved_panic.is_some() {
            let task = self.task_ref();
            task.schedule_done_callbacks();
            if let Some(message) = unretrieved_panic {
                task.report_never_retrieved(message);
            }
        }
    }

    /// Gives a deferred task (see [`new_deferred_task`]) its future; dropped at once if the
    /// task already finished (failed before it got one).
    pub fn set_future(self: &Rc<Self>, future: F) {
        if self.meta.outcome.get() == Outcome::Running {
            if let Ok(mut stage) = self.stage.try_borrow_mut() {
                if matches!(*stage, Stage::Empty) {
                    *stage = Stage::Running(future);
                    return;
                }
            }
        }
        self.task_ref().guarded("Panic while dropping a task's future", || drop(future));
    }
}

impl<F: Future + 'static, H: TaskHost + 'static> TaskHeader for TaskCell<F, H> {
    fn meta(&self) -> &TaskMeta {
        &self.meta
    }

    fn host(&self) -> Option<Rc<dyn TaskHost>> {
        self.host.upgrade().map(|host| host as Rc<dyn TaskHost>)
    }

    fn done(&self) -> bool {
        self.meta.outcome.get() != Outcome::Running
    }

    fn cancelled(&self) -> bool {
        self.meta.outcome.get() == Outcome::Cancelled
    }

    fn fail(self: Rc<Self>, error: TaskError) {
        self.complete(Err(error));
    }

    fn poll_step(self: Rc<Self>) -> Step {
        let Ok(mut stage) = self.stage.try_borrow_mut() else {
            return Step::Busy;
        };
        let Stage::Running(future) = &mut *stage else {
            return Step::Gone;
        };
        // SAFETY: the future lives in this cell, inside an `Rc` allocation that never moves,
        // and leaves `Stage::Running` only by being dropped in place (every write to `stage`
        // assigns a whole new stage; nothing moves a `Running` stage out).
        let future = unsafe { Pin::new_unchecked(future) };
        self.waker.clear();
        let polled = self.waker.with_waker(|waker| future.poll(&mut Context::from_waker(waker)));
        let Poll::Ready(output) = polled else {
            return if self.waker.take_woken() { Step::Woken } else { Step::Pending };
        };
        // Dropped here, on the loop's thread, before the task completes. Assigning runs the
        // future's destructor in place; should it panic, the new stage is still written.
        let dropped = catch_unwind(AssertUnwindSafe(|| *stage = Stage::Empty));
        drop(stage);
        if let Err(payload) = dropped {
            let what = "Panic while dropping a task's future";
            self.task_ref().report_panic(what, Panic::new(payload));
        }
        self.complete(Ok(output));
        Step::Ready
    }

    fn drop_future(&self) -> bool {
        let Ok(mut stage) = self.stage.try_borrow_mut() else {
            return false;
        };
        if matches!(*stage, Stage::Running(_)) {
            *stage = Stage::Empty;
        }
        true
    }

    fn wake(&self) {
        self.waker.wake();
    }

    fn is_scheduled_by(&self, shared: &Arc<Shared>) -> bool {
        Arc::ptr_eq(self.waker.shared(), shared)
    }

    fn lent_waker_id(&self, waker: &Waker) -> Option<TaskId> {
        self.waker.with_waker(|lent| lent.will_wake(waker)).then(|| self.waker.id())
    }
}

/// What the join handle sees of a task whose output type is `T` (the future's type erased).
trait JoinCell<T>: TaskHeader {
    /// `Ok(Some(result))` once done, `Ok(None)` while running, `Err(())` once taken.
    fn take_result(&self) -> Result<Option<Result<T, TaskError>>, ()>;
    fn join_waker(&self) -> &Cell<Option<Waker>>;
    fn header(self: Rc<Self>) -> Rc<dyn TaskHeader>;
}

impl<F: Future + 'static, H: TaskHost + 'static> JoinCell<F::Output> for TaskCell<F, H> {
    fn take_result(&self) -> Result<Option<Result<F::Output, TaskError>>, ()> {
        // Borrowed: the future is being polled or dropped, so the task runs.
        let Ok(mut stage) = self.stage.try_borrow_mut() else {
            return Ok(None);
        };
        match &*stage {
            Stage::Running(_) => Ok(None),
            Stage::Empty if self.meta.outcome.get() == Outcome::Running => Ok(None),
            Stage::Empty => Err(()),
            Stage::Done(_) => match std::mem::replace(&mut *stage, Stage::Empty) {
                Stage::Done(result) => Ok(Some(result.map_err(|error| *error))),
                _ => unreachable!("matched above"),
            },
        }
    }

    fn join_waker(&self) -> &Cell<Option<Waker>> {
        &self.join_waker
    }

    fn header(self: Rc<Self>) -> Rc<dyn TaskHeader> {
        self
    }
}

/// The handle of a spawned task (asyncio's `Task`). Await it for `Result<T, TaskError>`.
/// Dropping it detaches the task, which keeps running; a panic in a detached task is reported to
/// the loop's exception handler, since nobody else can see it.
pub struct Task<T> {
    cell: Rc<dyn JoinCell<T>>,
}

impl<T: 'static> Task<T> {
    /// A type-erased reference to this task.
    pub fn task_ref(&self) -> TaskRef {
        TaskRef { header: self.cell.clone().header() }
    }

    /// See [`TaskRef::name`].
    pub fn name(&self) -> String {
        self.task_ref().name()
    }

    /// See [`TaskRef::set_name`].
    pub fn set_name(&self, name: impl Into<String>) {
        self.task_ref().set_name(name)
    }

    /// See [`TaskRef::cancel`].
    pub fn cancel(&self, message: Option<&str>) -> bool {
        self.task_ref().cancel(message)
    }

    /// See [`TaskRef::uncancel`].
    pub fn uncancel(&self) -> u32 {
        self.task_ref().uncancel()
    }

    /// See [`TaskRef::cancelling`].
    pub fn cancelling(&self) -> u32 {
        self.cell.meta().cancelling.get()
    }

    /// See [`TaskRef::done`].
    pub fn done(&self) -> bool {
        self.cell.done()
    }

    /// See [`TaskRef::cancelled`].
    pub fn cancelled(&self) -> bool {
        self.cell.cancelled()
    }

    /// See [`TaskRef::add_done_callback`].
    pub fn add_done_callback(&self, callback: impl FnOnce(&TaskRef) + 'static) -> DoneCallbackId {
        self.task_ref().add_done_callback(callback)
    }

    /// See [`TaskRef::remove_done_callback`].
    pub fn remove_done_callback(&self, id: DoneCallbackId) -> usize {
        self.task_ref().remove_done_callback(id)
    }

    /// Takes the result if the task is done (asyncio's `result()`, without waiting).
    /// `None` while it runs, or if the result was already taken.
    pub fn try_result(&mut self) -> Option<Result<T, TaskError>> {
        self.cell.take_result().ok().flatten()
    }

    /// Lets the task run on without a handle (the same as dropping it).
    pub fn detach(self) {}
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.cell.meta().detached.set(true);
        // The output (or error) is dropped here, by whoever drops the handle, not later by
        // whatever happens to hold the task's last reference.
        let Ok(Some(result)) = self.cell.take_result() else {
            return;
        };
        if let Err(TaskError::Panicked(panic)) = &result {
            let task = TaskRef { header: self.cell.clone().header() };
            task.report_never_retrieved(panic.to_string());
        }
        drop(result);
    }
}

impl<T: 'static> Future for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match this.cell.take_result() {
            Ok(Some(result)) => Poll::Ready(result),
            Err(()) => panic!("a qtasync Task was polled after it returned its result"),
            Ok(None) => {
                let slot = this.cell.join_waker();
                let waker = match slot.take() {
                    Some(waker) if waker.will_wake(cx.waker()) => waker,
                    old => {
                        drop(old); // (a waker's drop may be anyone's code: no borrow is held)
                        cx.waker().clone()
                    }
                };
                slot.set(Some(waker));
                Poll::Pending
            }
        }
    }
}

impl<T: 'static> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.task_ref(), f)
    }
}

/// Makes a task run by `host` (the scheduler, seen only through [`TaskHost`]), woken through
/// `waker`: the handle, and the header the scheduler keeps (the same allocation).
pub fn new_task<F, H: TaskHost + 'static>(
    future: F,
    host: Weak<H>,
    waker: LazyWaker,
    location: &'static Location<'static>,
) -> (Task<F::Output>, Rc<dyn TaskHeader>)
where
    F: Future + 'static,
{
    let cell = new_cell(Stage::Running(future), host, waker, location);
    (Task { cell: cell.clone() }, cell)
}

/// A task whose future comes later ([`TaskCell::set_future`]): what a task factory sees
/// before it wraps the future.
pub type DeferredTask<T, H> = TaskCell<Pin<Box<dyn Future<Output = T>>>, H>;

/// Makes a task without its future yet (see [`DeferredTask`]).
pub fn new_deferred_task<T: 'static, H: TaskHost + 'static>(
    host: Weak<H>,
    waker: LazyWaker,
    location: &'static Location<'static>,
) -> (Task<T>, Rc<DeferredTask<T, H>>) {
    let cell = new_cell(Stage::Empty, host, waker, location);
    (Task { cell: cell.clone() }, cell)
}

fn new_cell<F: Future + 'static, H: TaskHost + 'static>(
    stage: Stage<F>,
    host: Weak<H>,
    waker: LazyWaker,
    location: &'static Location<'static>,
) -> Rc<TaskCell<F, H>> {
    Rc::new(TaskCell {
        meta: TaskMeta::new(location),
        host,
        waker,
        stage: RefCell::new(stage),
        join_waker: Cell::new(None),
    })
}
