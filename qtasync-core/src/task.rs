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
//! A task is one `Rc<TaskCell<T>>` shared by three holders: the scheduler (as `Rc<dyn
//! TaskHeader>`, with the boxed future in its arena slot), the user's [`Task<T>`] handle, and any
//! number of [`TaskRef`]s. Its state is these fields, each changed only on the loop's thread:
//!
//! | field | values | changed by |
//! |---|---|---|
//! | `meta.outcome` | `Running` -> `Finished` / `Cancelled` / `Panicked`, once | `TaskCell::complete` |
//! | `state` (the result) | `Running` -> `Done(result)` -> `Taken` | `complete`; the handle's poll or `try_result` takes it |
//! | `meta.cancelling` | requests made minus those withdrawn (`uncancel`) | `cancel`, `uncancel` |
//! | `meta.must_cancel` | a request waits for the next step | `cancel` sets it, `uncancel` to zero clears it, the step that delivers it reads it |
//! | `meta.detached` | the handle was dropped: nobody can take the result | `Task::drop`; `complete` then drops the output at once and reports a panic |
//! | `meta.waker` | the task's own waker, so that `cancel` can schedule the delivering step | the scheduler before the first poll; cleared by `complete` |
//! | `join_waker` | who awaits the handle | the handle's poll; taken and woken by `complete` |
//! | `meta.rare` | name, cancel message, done callbacks (allocated on first use) | `set_name`, `cancel(Some(..))`, `add_done_callback` |
//!
//! `complete` runs once: a second completion (a cancellation racing the output) is ignored. The
//! future itself is dropped by the scheduler (after its last poll, on cancellation, or at close),
//! never by the cell, so a task's destructors run on the loop's thread inside a guard.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

pub use super::task_error::TaskError;
pub use super::task_ref::{DoneCallbackId, TaskRef};
use super::task_ref::{Outcome, TaskHeader, TaskHost, TaskMeta};

pub struct TaskCell<T> {
    meta: TaskMeta,
    state: RefCell<TaskState<T>>,
    join_waker: RefCell<Option<Waker>>,
}

enum TaskState<T> {
    Running,
    Done(Result<T, TaskError>),
    /// The join handle took the result.
    Taken,
}

impl<T: 'static> TaskCell<T> {
    fn complete(&self, result: Result<T, TaskError>) {
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
            *self.state.borrow_mut() = TaskState::Taken;
            if let Ok(output) = result {
                self.meta.drop_guarded("Panic while dropping a detached task's output", output);
            }
        } else {
            *self.state.borrow_mut() = TaskState::Done(result);
        }
        drop(self.meta.waker.borrow_mut().take());
        // Taken out first: the waker runs with no borrow held (it may poll or drop this task).
        let join_waker = self.join_waker.borrow_mut().take();
        if let Some(waker) = join_waker {
            waker.wake();
        }
        self.meta.schedule_done_callbacks();
        if let Some(message) = unretrieved_panic {
            self.meta.report_never_retrieved(message);
        }
    }
}

impl<T: 'static> TaskHeader for TaskCell<T> {
    fn meta(&self) -> &TaskMeta {
        &self.meta
    }

    fn done(&self) -> bool {
        self.meta.outcome.get() != Outcome::Running
    }

    fn cancelled(&self) -> bool {
        self.meta.outcome.get() == Outcome::Cancelled
    }

    fn fail(&self, error: TaskError) {
        self.complete(Err(error));
    }
}

/// The handle of a spawned task (asyncio's `Task`). Await it for `Result<T, TaskError>`.
/// Dropping it detaches the task, which keeps running; a panic in a detached task is reported to
/// the loop's exception handler, since nobody else can see it.
pub struct Task<T> {
    cell: Rc<TaskCell<T>>,
}

impl<T: 'static> Task<T> {
    /// A type-erased reference to this task.
    pub fn task_ref(&self) -> TaskRef {
        TaskRef { header: self.cell.clone() }
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
        self.cell.meta.cancelling.get()
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
        let mut state = self.cell.state.borrow_mut();
        match std::mem::replace(&mut *state, TaskState::Taken) {
            TaskState::Done(result) => Some(result),
            other => {
                *state = other;
                None
            }
        }
    }

    /// Lets the task run on without a handle (the same as dropping it).
    pub fn detach(self) {}
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.cell.meta.detached.set(true);
        // The output (or error) is dropped here, by whoever drops the handle, not later by
        // whatever happens to hold the task's last reference.
        let state = std::mem::replace(&mut *self.cell.state.borrow_mut(), TaskState::Taken);
        let state = match state {
            TaskState::Running => {
                *self.cell.state.borrow_mut() = TaskState::Running;
                return;
            }
            other => other,
        };
        if let TaskState::Done(Err(TaskError::Panicked(panic))) = &state {
            self.cell.meta.report_never_retrieved(panic.to_string());
        }
        drop(state);
    }
}

impl<T: 'static> Future for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match this.try_result() {
            Some(result) => Poll::Ready(result),
            None if matches!(*this.cell.state.borrow(), TaskState::Taken) => {
                panic!("a qtasync Task was polled after it returned its result")
            }
            None => {
                let mut slot = this.cell.join_waker.borrow_mut();
                match slot.as_ref() {
                    Some(waker) if waker.will_wake(cx.waker()) => {}
                    _ => *slot = Some(cx.waker().clone()),
                }
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

/// A new task's three parts: the user's handle, the header the scheduler keeps, and the boxed
/// future that runs the user's future and stores its output.
pub struct NewTask<T> {
    pub task: Task<T>,
    pub header: Rc<dyn TaskHeader>,
    pub future: Pin<Box<dyn Future<Output = ()>>>,
}

/// Makes a task run by `host` (the scheduler, seen only through [`TaskHost`]).
pub fn new_task<F>(
    future: F,
    host: Weak<dyn TaskHost>,
    location: &'static Location<'static>,
) -> NewTask<F::Output>
where
    F: Future + 'static,
{
    let cell: Rc<TaskCell<F::Output>> = Rc::new_cyclic(|this: &Weak<TaskCell<F::Output>>| {
        let this: Weak<dyn TaskHeader> = this.clone();
        TaskCell {
            meta: TaskMeta::new(host, this, location),
            state: RefCell::new(TaskState::Running),
            join_waker: RefCell::new(None),
        }
    });
    let completer = cell.clone();
    let runner = async move {
        let output = future.await;
        completer.complete(Ok(output));
    };
    NewTask { header: cell.clone(), task: Task { cell }, future: Box::pin(runner) }
}
