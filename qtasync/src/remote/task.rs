//! `RemoteTask`: the submitter's end of a task sent to another loop, and `RemoteError`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_channel::oneshot;

use crate::core::exception::Panic;

/// Why a [`RemoteTask`] gave no output.
#[derive(Debug)]
#[non_exhaustive]
pub enum RemoteError {
    /// The target loop was closed before the task started (or refused it: closed already).
    LoopClosed,
    /// The task was cancelled on the target loop, or its loop closed while it ran: its future
    /// was dropped there before it finished.
    Cancelled,
    /// The task (or the closure making it) panicked on the target loop.
    Panicked(Panic),
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteError::LoopClosed => f.write_str("the target event loop is closed"),
            RemoteError::Cancelled => {
                f.write_str("the task was cancelled on its loop before it finished")
            }
            RemoteError::Panicked(panic) => write!(f, "remote task {panic}"),
        }
    }
}

impl std::error::Error for RemoteError {}

pub(crate) type Outcome<T> = Result<T, RemoteError>;

/// A task running on another loop ([`LoopHandle::spawn`](crate::LoopHandle::spawn)); await it,
/// from any loop or executor, for `Result<T, RemoteError>`. `Send` when `T` is.
///
/// Dropping it cancels the task (its future is dropped on its own loop, at its next step);
/// [`detach`](Self::detach) lets it run on instead.
#[must_use = "dropping a RemoteTask cancels it; use detach() to let it run"]
pub struct RemoteTask<T> {
    result: oneshot::Receiver<Outcome<T>>,
    /// Tells the remote side that a dropped receiver means "run on", not "cancel".
    detached: Arc<AtomicBool>,
}

impl<T> fmt::Debug for RemoteTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteTask").finish_non_exhaustive()
    }
}

impl<T> RemoteTask<T> {
    pub(crate) fn new(result: oneshot::Receiver<Outcome<T>>, detached: Arc<AtomicBool>) -> Self {
        RemoteTask { result, detached }
    }

    /// A task the target refused: awaiting it gives [`RemoteError::LoopClosed`].
    pub(crate) fn refused() -> Self {
        let (_, result) = oneshot::channel();
        RemoteTask { result, detached: Arc::new(AtomicBool::new(false)) }
    }

    /// Lets the task run to its end on its loop with nobody awaiting it. A panic in it is then
    /// reported to that loop's exception handler.
    pub fn detach(self) {
        // Released before the receiver goes: the remote side sees the flag once it sees the drop.
        self.detached.store(true, Ordering::Release);
    }
}

impl<T> Future for RemoteTask<T> {
    type Output = Result<T, RemoteError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match Pin::new(&mut self.result).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(outcome)) => Poll::Ready(outcome),
            // The reply is never dropped unsent (see `Reply`), except with a submission that
            // never reached the loop.
            Poll::Ready(Err(oneshot::Canceled)) => Poll::Ready(Err(RemoteError::LoopClosed)),
        }
    }
}
