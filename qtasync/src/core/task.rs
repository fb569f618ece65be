//! Tasks: a future driven by the loop, with asyncio's task API (cancel with a message, uncancel,
//! cancelling, names, done callbacks) and a join handle that yields `Result<T, TaskError>`.
//!
//! Cancellation in Rust means dropping the future: `cancel` asks for it, and at the task's next
//! step (it is woken at once) the future is dropped, which runs its destructors as asyncio runs
//! `finally` blocks; the handle then yields [`TaskError::Cancelled`]. `uncancel` withdraws requests
//! not yet delivered, as in asyncio.

use std::cell::{Cell, RefCell};
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};

use super::done_callbacks::DoneCallbacks;
use super::exception::{ExceptionContext, Panic};
use super::scheduler::Scheduler;

/// Why a task did not produce its output.
#[derive(Debug)]
pub enum TaskError {
    /// The task was cancelled (with the message given to `cancel`, if any).
    Cancelled(Option<String>),
    /// The task's future panicked; the loop caught the panic.
    Panicked(Panic),
}

impl TaskError {
    /// Whether this is a cancellation.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, TaskError::Cancelled(_))
    }

    /// Whether this is a panic.
    pub fn is_panic(&self) -> bool {
        matches!(self, TaskError::Panicked(_))
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Cancelled(None) => f.write_str("task was cancelled"),
            TaskError::Cancelled(Some(message)) => write!(f, "task was cancelled: {message}"),
            TaskError::Panicked(panic) => write!(f, "task {panic}"),
        }
    }
}

impl Error for TaskError {}

static NEXT_TASK_NUMBER: AtomicU64 = AtomicU64::new(1);

/// The parts of a task that do not depend on its output type.
/// How a task ended; kept after the join handle takes the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Running,
    Finished,
    Cancelled,
    Panicked,
}

pub(crate) struct TaskMeta {
    /// The `N` of the default name `Task-N`.
    number: u64,
    outcome: Cell<Outcome>,
    cancelling: Cell<u32>,
    must_cancel: Cell<bool>,
    /// The join handle was dropped: nobody can retrieve an error any more.
    detached: Cell<bool>,
    /// What most tasks never use, allocated on first use: a task that only runs costs less.
    rare: RefCell<Option<Box<Rare>>>,
    /// The task's own waker, used by `cancel` to schedule the step that delivers it.
    waker: RefCell<Option<Waker>>,
    scheduler: Weak<Scheduler>,
    this: Weak<dyn TaskHeader>,
    /// Where the task was created.
    location: &'static Location<'static>,
}

#[derive(Default)]
struct Rare {
    name: Option<String>,
    cancel_message: Option<String>,
    done_callbacks: DoneCallbacks<TaskRef>,
}

/// Type-erased access to a task (what the scheduler and [`TaskRef`] hold).
pub(crate) trait TaskHeader {
    fn meta(&self) -> &TaskMeta;
    fn done(&self) -> bool;
    /// Done by cancellation.
    fn cancelled(&self) -> bool;
    /// Completes the task with an error (cancellation, panic, loop closed).
    fn fail(&self, error: TaskError);
}

pub(crate) struct TaskCell<T> {
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

impl TaskMeta {
    fn this(&self) -> Option<TaskRef> {
        self.this.upgrade().map(|header| TaskRef { header })
    }

    fn rare(&self) -> std::cell::RefMut<'_, Rare> {
        std::cell::RefMut::map(self.rare.borrow_mut(), |rare| {
            &mut **rare.get_or_insert_with(Default::default)
        })
    }

    fn schedule_done_callbacks(&self) {
        let callbacks = match &*self.rare.borrow() {
            Some(rare) => rare.done_callbacks.take(),
            None => return,
        };
        if callbacks.is_empty() {
            return;
        }
        let (Some(scheduler), Some(task)) = (self.scheduler.upgrade(), self.this()) else {
            return;
        };
        for callback in callbacks {
            let task = task.clone();
            // Refused only once the loop is closed; asyncio drops them too then.
            let _ = scheduler.call_soon(move || callback(&task), std::panic::Location::caller());
        }
    }

    /// Drops `value` under a guard; a panic is reported to the loop's exception handler.
    fn drop_guarded<V>(&self, what: &str, value: V) {
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(value)));
        if let Err(payload) = dropped {
            self.report(ExceptionContext::panic(what, payload));
        }
    }

    fn report_never_retrieved(&self, message: String) {
        self.report(
            ExceptionContext::new("Task exception was never retrieved")
                .with_exception(Rc::new(NeverRetrieved(message))),
        );
    }

    /// Reports `context`, naming this task, to its loop's exception handler (to standard error
    /// once the loop is gone).
    fn report(&self, context: ExceptionContext) {
        let context = match self.this() {
            Some(task) => context.with_task(task),
            None => context,
        };
        match self.scheduler.upgrade() {
            Some(scheduler) => scheduler.report(context),
            None => super::exception::default_exception_handler(&context),
        }
    }

    pub(crate) fn must_cancel(&self) -> bool {
        self.must_cancel.get()
    }

    pub(crate) fn cancel_message(&self) -> Option<String> {
        self.rare.borrow().as_ref().and_then(|rare| rare.cancel_message.clone())
    }

    pub(crate) fn set_waker(&self, waker: Waker) {
        *self.waker.borrow_mut() = Some(waker);
    }
}

#[derive(Debug)]
struct NeverRetrieved(String);
impl fmt::Display for NeverRetrieved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl Error for NeverRetrieved {}

/// Identifies a done callback for [`TaskRef::remove_done_callback`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DoneCallbackId(u64);

/// A type-erased, cloneable reference to a task: what done callbacks, error reports and
/// [`current_task`](crate::current_task) give you. Holding one does not keep the task running
/// or stop it; dropping it does nothing.
#[derive(Clone)]
pub struct TaskRef {
    pub(crate) header: Rc<dyn TaskHeader>,
}

impl TaskRef {
    fn meta(&self) -> &TaskMeta {
        self.header.meta()
    }

    /// The task's name (asyncio's `get_name`); by default `Task-N`.
    pub fn name(&self) -> String {
        let meta = self.meta();
        match meta.rare.borrow().as_ref().and_then(|rare| rare.name.clone()) {
            Some(name) => name,
            None => format!("Task-{}", meta.number),
        }
    }

    /// Renames the task.
    pub fn set_name(&self, name: impl Into<String>) {
        self.meta().rare().name = Some(name.into());
    }

    /// Where the task was created (`create_task`, `spawn`, a group's `spawn`).
    pub fn spawn_location(&self) -> &'static Location<'static> {
        self.meta().location
    }

    /// Asks for the task to be cancelled: at its next step its future is dropped and it finishes
    /// with [`TaskError::Cancelled`] carrying `message`. Returns `false` if it is already done.
    /// Each call counts once in [`cancelling`](Self::cancelling); the last message wins.
    pub fn cancel(&self, message: Option<&str>) -> bool {
        if self.header.done() {
            return false;
        }
        let meta = self.meta();
        meta.cancelling.set(meta.cancelling.get() + 1);
        meta.must_cancel.set(true);
        let message = message.map(str::to_owned);
        if message.is_some() || meta.rare.borrow().is_some() {
            meta.rare().cancel_message = message;
        }
        let waker = meta.waker.borrow().clone();
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }

    /// Withdraws one cancellation request and returns how many remain. When none remain before
    /// the cancellation was delivered, the task goes on as if it had not been cancelled.
    pub fn uncancel(&self) -> u32 {
        let meta = self.meta();
        let left = meta.cancelling.get().saturating_sub(1);
        meta.cancelling.set(left);
        if left == 0 {
            meta.must_cancel.set(false);
        }
        left
    }

    /// How many cancellation requests are pending (asyncio's `cancelling()`).
    pub fn cancelling(&self) -> u32 {
        self.meta().cancelling.get()
    }

    /// Whether the task finished (with an output, an error or a cancellation).
    pub fn done(&self) -> bool {
        self.header.done()
    }

    /// Whether the task finished by cancellation.
    pub fn cancelled(&self) -> bool {
        self.header.cancelled()
    }

    /// Runs `callback` (through `call_soon`) once the task is done; at once if it already is.
    pub fn add_done_callback(&self, callback: impl FnOnce(&TaskRef) + 'static) -> DoneCallbackId {
        let meta = self.meta();
        let id = meta.rare().done_callbacks.add(callback);
        if self.done() {
            meta.schedule_done_callbacks();
        }
        DoneCallbackId(id)
    }

    /// Removes a done callback that has not been scheduled yet; returns how many were removed.
    pub fn remove_done_callback(&self, id: DoneCallbackId) -> usize {
        let removed = match &*self.meta().rare.borrow() {
            Some(rare) => rare.done_callbacks.remove(id.0),
            None => Vec::new(),
        };
        // Dropped with no borrow held: a captured value's `Drop` may use this task again.
        removed.len()
    }

    /// Whether two references name the same task.
    pub fn ptr_eq(&self, other: &TaskRef) -> bool {
        Rc::ptr_eq(&self.header, &other.header)
    }
}

impl fmt::Debug for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskRef")
            .field("name", &self.name())
            .field("done", &self.done())
            .field("cancelling", &self.cancelling())
            .finish()
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
pub(crate) struct NewTask<T> {
    pub(crate) task: Task<T>,
    pub(crate) header: Rc<dyn TaskHeader>,
    pub(crate) future: Pin<Box<dyn Future<Output = ()>>>,
}

pub(crate) fn new_task<F>(
    future: F,
    scheduler: Weak<Scheduler>,
    location: &'static Location<'static>,
) -> NewTask<F::Output>
where
    F: Future + 'static,
{
    let number = NEXT_TASK_NUMBER.fetch_add(1, Ordering::Relaxed);
    let cell: Rc<TaskCell<F::Output>> = Rc::new_cyclic(|this: &Weak<TaskCell<F::Output>>| {
        let this: Weak<dyn TaskHeader> = this.clone();
        TaskCell {
            meta: TaskMeta {
                number,
                outcome: Cell::new(Outcome::Running),
                cancelling: Cell::new(0),
                must_cancel: Cell::new(false),
                detached: Cell::new(false),
                rare: RefCell::new(None),
                waker: RefCell::new(None),
                scheduler,
                this,
                location,
            },
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
