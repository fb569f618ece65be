//! `TaskGroup`: structured concurrency with asyncio's semantics.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use super::group_error::{ChildError, TaskGroupError};
use crate::core::task::{Task, TaskError, TaskRef};
use crate::event_loop::{spawn, SpawnError};

/// What a [`TaskGroup`] child may return: `()`, or `Result<(), E>` where `E` is the group's
/// error type. An `Err` fails the group.
pub trait ChildOutput<E> {
    /// The child's outcome.
    fn into_result(self) -> Result<(), E>;
}

impl<E> ChildOutput<E> for () {
    fn into_result(self) -> Result<(), E> {
        Ok(())
    }
}

impl<E> ChildOutput<E> for Result<(), E> {
    fn into_result(self) -> Result<(), E> {
        self
    }
}

/// Why a task could not be spawned into a [`TaskGroup`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupSpawnError {
    /// A child failed and the group is cancelling the others (asyncio: "TaskGroup is shutting
    /// down").
    ShuttingDown,
    /// The group finished or was dropped.
    Finished,
    /// The task itself could not be spawned.
    Spawn(SpawnError),
}

impl fmt::Display for GroupSpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupSpawnError::ShuttingDown => f.write_str("the task group is shutting down"),
            GroupSpawnError::Finished => f.write_str("the task group has finished"),
            GroupSpawnError::Spawn(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for GroupSpawnError {}

struct GroupState<E> {
    /// The children still running (or whose done callback has not run yet), by spawn number.
    children: BTreeMap<u64, (TaskRef, Task<Result<(), E>>)>,
    next_child: u64,
    errors: Vec<ChildError<E>>,
    /// A child failed: the others are being cancelled and no new child may start.
    aborting: bool,
    /// Joined to the end, or dropped.
    finished: bool,
    joiner: Option<Waker>,
}

struct GroupInner<E> {
    state: RefCell<GroupState<E>>,
}

impl<E: 'static> GroupInner<E> {
    #[track_caller]
    fn spawn<F>(self: &Rc<Self>, future: F) -> Result<TaskRef, GroupSpawnError>
    where
        F: Future + 'static,
        F::Output: ChildOutput<E>,
    {
        {
            let state = self.state.borrow();
            if state.finished {
                return Err(GroupSpawnError::Finished);
            }
            if state.aborting {
                return Err(GroupSpawnError::ShuttingDown);
            }
        }
        let task =
            spawn(async move { future.await.into_result() }).map_err(GroupSpawnError::Spawn)?;
        let task_ref = task.task_ref();
        let id = {
            let mut state = self.state.borrow_mut();
            let id = state.next_child;
            state.next_child += 1;
            state.children.insert(id, (task_ref.clone(), task));
            id
        };
        let weak = Rc::downgrade(self);
        task_ref.add_done_callback(move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.child_done(id);
            }
        });
        Ok(task_ref)
    }

    /// A child finished: record its failure (and cancel its siblings), wake the joiner.
    fn child_done(&self, id: u64) {
        let mut state = self.state.borrow_mut();
        let Some((_, mut task)) = state.children.remove(&id) else { return };
        let failure = match task.try_result() {
            Some(Ok(Err(error))) => Some(ChildError::Failed { task: task.name(), error }),
            Some(Err(TaskError::Panicked(panic))) => {
                Some(ChildError::Panicked { task: task.name(), panic })
            }
            // Finished, or cancelled (by the group, or by someone else: not an error in asyncio).
            Some(Ok(Ok(()))) | Some(Err(TaskError::Cancelled(_))) | None => None,
        };
        let mut to_cancel = Vec::new();
        if let Some(failure) = failure {
            state.errors.push(failure);
            if !state.aborting {
                state.aborting = true;
                to_cancel = state.children.values().map(|(child, _)| child.clone()).collect();
            }
        }
        let joiner = if state.children.is_empty() { state.joiner.take() } else { None };
        drop(state);
        for child in to_cancel {
            child.cancel(Some("a sibling in the task group failed"));
        }
        if let Some(joiner) = joiner {
            joiner.wake();
        }
    }
}

/// A group of child tasks that succeed or fail together (asyncio's `TaskGroup`).
///
/// - [`spawn`](Self::spawn) starts a child on the running loop at once.
/// - When a child fails (returns `Err` or panics), every other child is cancelled and no new
///   child may start; [`join`](Self::join) then returns a [`TaskGroupError`] listing every
///   failure. A child cancelled from outside is not a failure.
/// - [`join`](Self::join) waits for every child, including those spawned while it waits.
/// - Dropping the group (or the `join` future, as happens when the task awaiting it is
///   cancelled) cancels every child still running: their futures are dropped at their next step,
///   so nothing the group started outlives it.
///
/// Children that spawn siblings use a [`Spawner`]. `E` is the children's error type; a group
/// whose children cannot fail is a `TaskGroup` (`TaskGroup<Infallible>`), made with
/// [`new`](TaskGroup::new); others are made with [`fallible`](Self::fallible).
///
/// ```
/// use std::time::Duration;
/// use qtasync::{sleep, Runner, TaskGroup};
///
/// let out = Runner::new().keep_running(false).run(async {
///     let group = TaskGroup::fallible();
///     group.spawn(async { sleep(Duration::from_secs(3600)).await; Ok(()) }).unwrap();
///     group.spawn(async { Err("disk full") }).unwrap().set_name("writer");
///     let error = group.join().await.unwrap_err(); // the sleeper was cancelled
///     error.to_string()
/// }).unwrap();
/// assert_eq!(out.as_deref(), Some("1 task group child failed: writer failed: disk full"));
/// ```
pub struct TaskGroup<E = Infallible> {
    inner: Rc<GroupInner<E>>,
}

impl TaskGroup<Infallible> {
    /// A group whose children return `()`.
    pub fn new() -> Self {
        Self::fallible()
    }
}

impl Default for TaskGroup<Infallible> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: 'static> TaskGroup<E> {
    /// A group whose children return `()` or `Result<(), E>`.
    pub fn fallible() -> Self {
        TaskGroup {
            inner: Rc::new(GroupInner {
                state: RefCell::new(GroupState {
                    children: BTreeMap::new(),
                    next_child: 1,
                    errors: Vec::new(),
                    aborting: false,
                    finished: false,
                    joiner: None,
                }),
            }),
        }
    }

    /// Spawns `future` as a child task on the running loop (asyncio's `tg.create_task`) and
    /// returns a reference to it (to cancel it, name it, or see whether it is done).
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> Result<TaskRef, GroupSpawnError>
    where
        F: Future + 'static,
        F::Output: ChildOutput<E>,
    {
        self.inner.spawn(future)
    }

    /// A handle that spawns into this group, for children that start siblings. It does not keep
    /// the group alive.
    pub fn spawner(&self) -> Spawner<E> {
        Spawner { inner: Rc::downgrade(&self.inner) }
    }

    /// How many children have not finished yet.
    pub fn len(&self) -> usize {
        self.inner.state.borrow().children.len()
    }

    /// Whether every child has finished.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ties the group to a QObject, as for the tasks of an async slot: when Qt destroys the
    /// object, every child still running is cancelled and no new child may start
    /// ([`GroupSpawnError::ShuttingDown`]). Cancellations are not failures: `join` then returns
    /// once the children have ended. The watch holds the group weakly, so a group dropped
    /// earlier is not kept alive by it (a few bytes stay with the object until it goes).
    ///
    /// ```no_run
    /// # fn demo(window: qtasync::ObjectRef<cxx_qt::QObject>) {
    /// use qtasync::TaskGroup;
    ///
    /// let group = TaskGroup::new();
    /// group.cancel_with(&window); // closing the window cancels what the group runs
    /// group.spawn(async { /* refresh the window's data */ }).unwrap();
    /// # }
    /// ```
    pub fn cancel_with<T>(&self, object: &crate::ObjectRef<T>) {
        let inner = Rc::downgrade(&self.inner);
        object.on_destroyed(move || {
            let Some(inner) = inner.upgrade() else { return };
            let children: Vec<TaskRef> = {
                let mut state = inner.state.borrow_mut();
                state.aborting = true;
                state.children.values().map(|(child, _)| child.clone()).collect()
            };
            for child in children {
                child.cancel(Some("the object the task group was tied to was destroyed"));
            }
        });
    }

    /// Waits for every child (leaving asyncio's `async with` block): `Ok` when none failed, else
    /// the [`TaskGroupError`] listing each failure.
    pub fn join(self) -> TaskGroupJoin<E> {
        TaskGroupJoin { group: Some(self) }
    }
}

impl<E> Drop for TaskGroup<E> {
    fn drop(&mut self) {
        let children: Vec<TaskRef> = {
            let mut state = self.inner.state.borrow_mut();
            state.finished = true;
            state.children.values().map(|(child, _)| child.clone()).collect()
        };
        for child in children {
            child.cancel(Some("the task group was dropped"));
        }
    }
}

impl<E> fmt::Debug for TaskGroup<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.state.borrow();
        f.debug_struct("TaskGroup")
            .field("running", &state.children.len())
            .field("failed", &state.errors.len())
            .field("aborting", &state.aborting)
            .finish()
    }
}

/// The future of [`TaskGroup::join`]. Dropping it drops the group, cancelling its children.
#[must_use = "futures do nothing unless awaited"]
pub struct TaskGroupJoin<E> {
    group: Option<TaskGroup<E>>,
}

impl<E: 'static> Future for TaskGroupJoin<E> {
    type Output = Result<(), TaskGroupError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let group = this.group.as_ref().expect("a TaskGroupJoin was polled after it completed");
        let errors = {
            let mut state = group.inner.state.borrow_mut();
            if !state.children.is_empty() {
                match &state.joiner {
                    Some(waker) if waker.will_wake(cx.waker()) => {}
                    _ => state.joiner = Some(cx.waker().clone()),
                }
                return Poll::Pending;
            }
            std::mem::take(&mut state.errors)
        };
        this.group = None; // finished: later spawns through a Spawner are refused
        if errors.is_empty() {
            Poll::Ready(Ok(()))
        } else {
            Poll::Ready(Err(TaskGroupError::new(errors)))
        }
    }
}

impl<E> fmt::Debug for TaskGroupJoin<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroupJoin").field("group", &self.group).finish()
    }
}

/// Spawns into a [`TaskGroup`] from inside its children (see [`TaskGroup::spawner`]).
///
/// ```
/// use qtasync::{Runner, TaskGroup};
///
/// let out = Runner::new().keep_running(false).run(async {
///     let group = TaskGroup::new();
///     let spawner = group.spawner();
///     group.spawn(async move {
///         spawner.spawn(async {}).unwrap(); // a sibling
///     }).unwrap();
///     group.join().await.is_ok()
/// }).unwrap();
/// assert_eq!(out, Some(true));
/// ```
pub struct Spawner<E = Infallible> {
    inner: Weak<GroupInner<E>>,
}

impl<E: 'static> Spawner<E> {
    /// Like [`TaskGroup::spawn`]; [`GroupSpawnError::Finished`] once the group is gone.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> Result<TaskRef, GroupSpawnError>
    where
        F: Future + 'static,
        F::Output: ChildOutput<E>,
    {
        match self.inner.upgrade() {
            Some(inner) => inner.spawn(future),
            None => Err(GroupSpawnError::Finished),
        }
    }
}

impl<E> Clone for Spawner<E> {
    fn clone(&self) -> Self {
        Spawner { inner: self.inner.clone() }
    }
}

impl<E> fmt::Debug for Spawner<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spawner").field("alive", &(self.inner.strong_count() > 0)).finish()
    }
}
