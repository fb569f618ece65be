//! `shield` (work that outlives a cancelled awaiter) and `wait_for` (asyncio's name for
//! [`timeout`](crate::timeout)).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::core::task::{Task, TaskError, TaskRef};
use crate::event_loop::{spawn, SpawnError};
use crate::time::{timeout, Timeout};

/// Runs `future` as a task of its own that keeps running when the awaiter goes away (asyncio's
/// `shield`): if the task awaiting the [`Shield`] is cancelled, or the `Shield` is dropped, the
/// inner task runs on to completion. Awaiting the shield gives the inner task's result.
///
/// (An existing [`Task`] is already shielded in this sense: dropping its handle detaches it and
/// never cancels it.)
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use qtasync::{shield, spawn, yield_now, Runner};
///
/// let saved = Runner::new().keep_running(false).run(async {
///     let saved = Rc::new(Cell::new(false));
///     let flag = saved.clone();
///     let outer = spawn(async move {
///         shield(async move { yield_now().await; flag.set(true) }).unwrap().await
///     }).unwrap();
///     yield_now().await;
///     outer.cancel(Some("user pressed stop"));
///     assert!(outer.await.unwrap_err().is_cancelled());
///     while !saved.get() {
///         yield_now().await;
///     }
///     saved.get()
/// }).unwrap();
/// assert_eq!(saved, Some(true));
/// ```
pub fn shield<F: Future + 'static>(future: F) -> Result<Shield<F::Output>, SpawnError> {
    spawn(future).map(|task| Shield { task })
}

/// The future of [`shield`]: the inner task's result. Dropping it leaves the task running.
#[must_use = "futures do nothing unless awaited"]
pub struct Shield<T> {
    task: Task<T>,
}

impl<T: 'static> Shield<T> {
    /// The shielded task.
    pub fn task_ref(&self) -> TaskRef {
        self.task.task_ref()
    }
}

impl<T: 'static> Future for Shield<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.get_mut().task).poll(cx)
    }
}

impl<T: 'static> fmt::Debug for Shield<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shield").field("task", &self.task).finish()
    }
}

/// Runs `future`, giving up (and dropping it, which cancels it) when `duration` passes first:
/// asyncio's `wait_for`, the same as [`timeout`](crate::timeout). `Err(Elapsed)` on timeout.
///
/// ```
/// use std::time::Duration;
/// use qtasync::{sleep, wait_for, Runner};
///
/// let out = Runner::new().keep_running(false).run(async {
///     let quick = wait_for(Duration::from_secs(3600), async { 7 }).await;
///     let slow = wait_for(Duration::from_millis(1), sleep(Duration::from_secs(3600))).await;
///     (quick.ok(), slow.is_err())
/// }).unwrap();
/// assert_eq!(out, Some((Some(7), true)));
/// ```
pub fn wait_for<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    timeout(duration, future)
}
