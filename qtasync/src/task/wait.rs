//! `wait` (until the first completion, the first failure, or all, with an optional timeout) and
//! `as_completed` (a stream of tasks in completion order).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use futures_util::stream::FuturesUnordered;

use super::completed::{indexed, Completed, Indexed};
use crate::core::task::Task;
use crate::time::{sleep, Elapsed, Sleep};

/// When [`wait`] returns (asyncio's `FIRST_COMPLETED`, `FIRST_EXCEPTION`, `ALL_COMPLETED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReturnWhen {
    /// As soon as any task finishes (or is cancelled).
    FirstCompleted,
    /// As soon as any task panics; when none does, once all have finished.
    FirstException,
    /// Once every task has finished.
    AllCompleted,
}

/// What [`wait`] returns: the tasks that finished, and those still running.
pub struct WaitResult<T> {
    /// The finished tasks with their results, in the order they finished.
    pub done: Vec<Completed<T>>,
    /// The tasks still running, in input order; they go on running (await, cancel or drop them).
    pub pending: Vec<Task<T>>,
}

impl<T: fmt::Debug + 'static> fmt::Debug for WaitResult<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitResult")
            .field("done", &self.done)
            .field("pending", &self.pending)
            .finish()
    }
}

/// Waits for the tasks until `return_when` is met or `timeout` passes, and returns the finished
/// tasks (with their results) and the ones still running (asyncio's `wait`). Neither the timeout
/// nor dropping the [`Wait`] cancels anything: pending tasks keep running. With no tasks it
/// returns at once, with two empty lists (asyncio raises `ValueError`).
///
/// # Panics
/// With a timeout, when polled outside a running qtasync loop (as [`sleep`](crate::sleep)).
///
/// ```
/// use std::time::Duration;
/// use qtasync::{sleep, spawn, wait, ReturnWhen, Runner};
///
/// let out = Runner::new().keep_running(false).run(async {
///     let quick = spawn(async { 1 }).unwrap();
///     let slow = spawn(async { sleep(Duration::from_secs(3600)).await; 2 }).unwrap();
///     let result = wait(vec![quick, slow], None, ReturnWhen::FirstCompleted).await;
///     for task in &result.pending {
///         task.cancel(None);
///     }
///     (result.done.len(), result.done[0].index, result.pending.len())
/// }).unwrap();
/// assert_eq!(out, Some((1, 0, 1)));
/// ```
pub fn wait<T, I>(tasks: I, timeout: Option<Duration>, return_when: ReturnWhen) -> Wait<T>
where
    T: 'static,
    I: IntoIterator<Item = Task<T>>,
{
    Wait {
        running: indexed(tasks).collect(),
        done: Vec::new(),
        timer: timeout.map(sleep),
        return_when,
        finished: false,
    }
}

/// The future of [`wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<T> {
    running: FuturesUnordered<Indexed<T>>,
    done: Vec<Completed<T>>,
    timer: Option<Sleep>,
    return_when: ReturnWhen,
    finished: bool,
}

// The results are only moved, never pinned.
impl<T> Unpin for Wait<T> {}

impl<T: 'static> Wait<T> {
    fn condition_met(&self) -> bool {
        self.running.is_empty()
            || match self.return_when {
                ReturnWhen::FirstCompleted => !self.done.is_empty(),
                ReturnWhen::FirstException => self.done.iter().any(Completed::panicked),
                ReturnWhen::AllCompleted => false,
            }
    }

    fn finish(&mut self) -> WaitResult<T> {
        self.finished = true;
        let mut pending: Vec<Indexed<T>> = std::mem::take(&mut self.running).into_iter().collect();
        pending.sort_by_key(|child| child.index);
        WaitResult {
            done: std::mem::take(&mut self.done),
            pending: pending.into_iter().map(|child| child.task).collect(),
        }
    }
}

impl<T: 'static> Future for Wait<T> {
    type Output = WaitResult<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<WaitResult<T>> {
        let this = self.get_mut();
        assert!(!this.finished, "a qtasync::wait was polled after it completed");
        // Collect every task that has finished by now, then decide.
        while let Poll::Ready(Some(done)) = Pin::new(&mut this.running).poll_next(cx) {
            this.done.push(done);
        }
        if this.condition_met() {
            return Poll::Ready(this.finish());
        }
        match this.timer.as_mut().map(|timer| Pin::new(timer).poll(cx)) {
            Some(Poll::Ready(())) => Poll::Ready(this.finish()),
            _ => Poll::Pending,
        }
    }
}

impl<T: fmt::Debug + 'static> fmt::Debug for Wait<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("running", &self.running.len())
            .field("done", &self.done)
            .field("return_when", &self.return_when)
            .finish()
    }
}

/// The tasks as a [`Stream`] of [`Completed`], in the order they finish (asyncio's
/// `as_completed`). Each item carries the task's input index and its result. Dropping the stream
/// leaves the remaining tasks running, as asyncio does; for a deadline see
/// [`AsCompleted::with_timeout`].
///
/// ```
/// use std::time::Duration;
/// use futures::StreamExt;
/// use qtasync::{as_completed, sleep, spawn, Runner};
///
/// let order = Runner::new().keep_running(false).run(async {
///     let (tx, rx) = futures::channel::oneshot::channel::<()>();
///     let waits = spawn(async move { rx.await.unwrap(); "second" }).unwrap();
///     let sends = spawn(async move { tx.send(()).unwrap(); "first" }).unwrap();
///     let stream = as_completed(vec![waits, sends]);
///     stream.map(|done| (done.index, done.result.unwrap())).collect::<Vec<_>>().await
/// }).unwrap();
/// assert_eq!(order, Some(vec![(1, "first"), (0, "second")]));
/// ```
pub fn as_completed<T, I>(tasks: I) -> AsCompleted<T>
where
    T: 'static,
    I: IntoIterator<Item = Task<T>>,
{
    AsCompleted { running: indexed(tasks).collect() }
}

/// The stream of [`as_completed`].
#[must_use = "streams do nothing unless polled"]
pub struct AsCompleted<T> {
    running: FuturesUnordered<Indexed<T>>,
}

impl<T> AsCompleted<T> {
    /// How many tasks have not been yielded yet.
    pub fn len(&self) -> usize {
        self.running.len()
    }

    /// Whether every task has been yielded.
    pub fn is_empty(&self) -> bool {
        self.running.is_empty()
    }

    /// asyncio's `as_completed(tasks, timeout=...)`: the same stream with a deadline `within`
    /// from now. Items are `Ok(Completed)`; once the deadline passes with tasks left, one
    /// `Err(Elapsed)` ends the stream (the remaining tasks keep running, as in asyncio).
    ///
    /// ```
    /// use std::time::Duration;
    /// use futures::StreamExt;
    /// use qtasync::{as_completed, sleep, spawn, Runner};
    ///
    /// let items = Runner::new().keep_running(false).start_paused(true).run(async {
    ///     let quick = spawn(async { 1 }).unwrap();
    ///     let slow = spawn(async { sleep(Duration::from_secs(60)).await; 2 }).unwrap();
    ///     let stream = as_completed(vec![quick, slow]).with_timeout(Duration::from_secs(1));
    ///     stream.map(|item| item.map(|done| done.index).is_ok()).collect::<Vec<_>>().await
    /// }).unwrap();
    /// assert_eq!(items, Some(vec![true, false]));
    /// ```
    pub fn with_timeout(self, within: Duration) -> AsCompletedTimeout<T> {
        AsCompletedTimeout { inner: self, deadline: Some(sleep(within)) }
    }
}

/// The stream of [`AsCompleted::with_timeout`].
#[must_use = "streams do nothing unless polled"]
pub struct AsCompletedTimeout<T> {
    inner: AsCompleted<T>,
    /// `None` once the deadline was reported.
    deadline: Option<Sleep>,
}

impl<T: 'static> Stream for AsCompletedTimeout<T> {
    type Item = Result<Completed<T>, Elapsed>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let Some(deadline) = this.deadline.as_mut() else { return Poll::Ready(None) };
        if let Poll::Ready(item) = Pin::new(&mut this.inner).poll_next(cx) {
            return Poll::Ready(item.map(Ok));
        }
        match Pin::new(&mut *deadline).poll(cx) {
            Poll::Ready(()) => {
                let elapsed = Elapsed { deadline: deadline.deadline() };
                this.deadline = None;
                Poll::Ready(Some(Err(elapsed)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> fmt::Debug for AsCompletedTimeout<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompletedTimeout")
            .field("remaining", &self.inner.running.len())
            .field("timed_out", &self.deadline.is_none())
            .finish()
    }
}

impl<T: 'static> Stream for AsCompleted<T> {
    type Item = Completed<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Completed<T>>> {
        Pin::new(&mut self.get_mut().running).poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.running.len(), Some(self.running.len()))
    }
}

impl<T> fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted").field("remaining", &self.running.len()).finish()
    }
}
