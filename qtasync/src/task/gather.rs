//! `gather`: await many tasks and collect their outputs in input order.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::stream::FuturesUnordered;

use super::completed::{indexed, Indexed};
use crate::core::task::{Task, TaskError, TaskRef};

/// Awaits every task and returns their outputs in input order (asyncio's `gather`).
///
/// The first task to fail (panic or be cancelled) ends the gather: the other tasks are cancelled
/// and its [`TaskError`] is returned. (asyncio's `gather` leaves the others running; here a
/// failed gather leaves nothing behind.) Dropping the [`Gather`] before it finishes, as happens
/// when the task awaiting it is cancelled, cancels every task still running.
/// [`gather_settled`] is the `return_exceptions=True` form.
///
/// ```
/// use qtasync::{gather, spawn, Runner, TaskError};
///
/// let out = Runner::new().keep_running(false).run(async {
///     let ok = gather(vec![spawn(async { 1 }).unwrap(), spawn(async { 2 }).unwrap()]).await;
///     assert_eq!(ok.unwrap(), vec![1, 2]);
///     let failed = gather(vec![
///         spawn(async { 1 }).unwrap(),
///         spawn(async { panic!("boom") }).unwrap(),
///     ]).await;
///     matches!(failed, Err(TaskError::Panicked(_)))
/// }).unwrap();
/// assert_eq!(out, Some(true));
/// ```
pub fn gather<T, I>(tasks: I) -> Gather<T>
where
    T: 'static,
    I: IntoIterator<Item = Task<T>>,
{
    Gather { inner: Collect::new(tasks) }
}

/// Awaits every task and returns every result, in input order (asyncio's
/// `gather(..., return_exceptions=True)`): a failed task does not stop the others. Dropping the
/// [`GatherSettled`] before it finishes cancels every task still running.
///
/// ```
/// use qtasync::{gather_settled, spawn, Runner};
///
/// let out = Runner::new().keep_running(false).run(async {
///     let results = gather_settled(vec![
///         spawn(async { 1 }).unwrap(),
///         spawn(async { panic!("boom") }).unwrap(),
///         spawn(async { 3 }).unwrap(),
///     ]).await;
///     results.iter().map(|result| result.is_ok()).collect::<Vec<_>>()
/// }).unwrap();
/// assert_eq!(out, Some(vec![true, false, true]));
/// ```
pub fn gather_settled<T, I>(tasks: I) -> GatherSettled<T>
where
    T: 'static,
    I: IntoIterator<Item = Task<T>>,
{
    GatherSettled { inner: Collect::new(tasks) }
}

/// The state shared by both gathers: the tasks still running and the results so far.
struct Collect<T> {
    running: FuturesUnordered<Indexed<T>>,
    children: Vec<TaskRef>,
    results: Vec<Option<Result<T, TaskError>>>,
    finished: bool,
}

impl<T: 'static> Collect<T> {
    fn new<I: IntoIterator<Item = Task<T>>>(tasks: I) -> Self {
        let tasks: Vec<Indexed<T>> = indexed(tasks).collect();
        let children: Vec<TaskRef> = tasks.iter().map(|child| child.task.task_ref()).collect();
        let results = children.iter().map(|_| None).collect();
        let running = tasks.into_iter().collect();
        Collect { running, children, results, finished: false }
    }

    /// Polls the running tasks; `Ready(Some(error))` as soon as one fails when `stop_on_error`,
    /// `Ready(None)` once all have finished.
    fn poll(&mut self, cx: &mut Context<'_>, stop_on_error: bool) -> Poll<Option<TaskError>> {
        assert!(!self.finished, "a gather was polled after it completed");
        loop {
            match Pin::new(&mut self.running).poll_next(cx) {
                Poll::Ready(Some(done)) => match done.result {
                    Err(error) if stop_on_error => {
                        self.cancel_running("gather: another task failed");
                        self.finished = true;
                        return Poll::Ready(Some(error));
                    }
                    result => self.results[done.index] = Some(result),
                },
                Poll::Ready(None) => {
                    self.finished = true;
                    return Poll::Ready(None);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn cancel_running(&mut self, message: &str) {
        for child in &self.children {
            if !child.done() {
                child.cancel(Some(message));
            }
        }
        self.running.clear();
    }

    fn take_results(&mut self) -> impl Iterator<Item = Result<T, TaskError>> + '_ {
        self.results.drain(..).map(|result| result.expect("every task finished"))
    }
}

// Nothing here is pinned in place: the outputs are only moved, never polled.
impl<T> Unpin for Collect<T> {}

impl<T> Drop for Collect<T> {
    fn drop(&mut self) {
        if !self.finished {
            for child in &self.children {
                if !child.done() {
                    child.cancel(Some("the gather was dropped"));
                }
            }
        }
    }
}

/// The future of [`gather`]: `Ok` with every output in input order, or the first failure.
#[must_use = "futures do nothing unless awaited"]
pub struct Gather<T> {
    inner: Collect<T>,
}

impl<T: 'static> Future for Gather<T> {
    type Output = Result<Vec<T>, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.get_mut().inner;
        match inner.poll(cx, true) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(error)) => Poll::Ready(Err(error)),
            // Every stored result is `Ok` here: the first `Err` ended the gather above.
            Poll::Ready(None) => Poll::Ready(inner.take_results().collect()),
        }
    }
}

impl<T> fmt::Debug for Gather<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather").field("tasks", &self.inner.children).finish()
    }
}

/// The future of [`gather_settled`]: every task's result, in input order.
#[must_use = "futures do nothing unless awaited"]
pub struct GatherSettled<T> {
    inner: Collect<T>,
}

impl<T: 'static> Future for GatherSettled<T> {
    type Output = Vec<Result<T, TaskError>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.get_mut().inner;
        match inner.poll(cx, false) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(_) => Poll::Ready(inner.take_results().collect()),
        }
    }
}

impl<T> fmt::Debug for GatherSettled<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatherSettled").field("tasks", &self.inner.children).finish()
    }
}
