//! `spawn` / `spawn_blocking`: work on the tokio runtime, awaited (on the Qt thread or anywhere)
//! through a [`TokioTask`] whose errors are typed.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use ::tokio::task::{JoinError, JoinHandle};

use super::runtime::{current_or_configured, RuntimeUnavailable};
use crate::core::exception::Panic;

/// Runs `future` on the tokio runtime's workers (the runtime entered on this thread, which inside
/// a qtasync loop is the loop's, else [`runtime`](super::runtime())), and returns a handle to
/// await its output from a qtasync task (the Qt thread) or anywhere else. The future must be
/// `Send`: it leaves the calling thread.
///
/// Dropping the [`TokioTask`] aborts the work (its future is dropped on the runtime at its next
/// step); [`detach`](TokioTask::detach) lets it run on.
///
/// ```
/// use qtasync::tokio::TokioTaskError;
///
/// let outcome = qtasync::Runner::new().keep_running(false).run(async {
///     let sum = qtasync::tokio::spawn(async { 20 + 22 }).await.unwrap(); // on a tokio worker
///     let boom = qtasync::tokio::spawn(async { panic!("boom") }).await;
///     (sum, matches!(boom, Err(TokioTaskError::Panicked(p)) if p.message() == "boom"))
/// });
/// assert_eq!(outcome.unwrap(), Some((42, true)));
/// ```
///
/// The future must be `Send`, and so must its output:
///
/// ```compile_fail
/// let _ = qtasync::tokio::spawn(async { std::rc::Rc::new(1) });
/// ```
pub fn spawn<F>(future: F) -> TokioTask<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match current_or_configured() {
        Ok(handle) => TokioTask::running(handle.spawn(future)),
        Err(unavailable) => TokioTask::failed(TokioTaskError::RuntimeUnavailable(unavailable)),
    }
}

/// Runs the blocking `job` on the tokio runtime's blocking pool (tokio's `spawn_blocking`);
/// await the [`TokioTask`] for its output. A job that has started runs to its end even when the
/// task is dropped (threads cannot be interrupted).
///
/// ```
/// let read = qtasync::Runner::new().keep_running(false).run(async {
///     qtasync::tokio::spawn_blocking(|| std::fs::metadata(".").is_ok()).await.unwrap()
/// });
/// assert_eq!(read.unwrap(), Some(true));
/// ```
pub fn spawn_blocking<R, F>(job: F) -> TokioTask<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    match current_or_configured() {
        Ok(handle) => TokioTask::running(handle.spawn_blocking(job)),
        Err(unavailable) => TokioTask::failed(TokioTaskError::RuntimeUnavailable(unavailable)),
    }
}

/// Why a [`TokioTask`] gave no output.
#[derive(Debug)]
#[non_exhaustive]
pub enum TokioTaskError {
    /// The work panicked on the runtime; the panic is carried here instead of unwinding.
    Panicked(Panic),
    /// [`TokioTask::abort`] cancelled it.
    Cancelled,
    /// The runtime shut down (or was shut down already) before the work finished: tokio dropped
    /// its future.
    RuntimeShutdown,
    /// There was no runtime to run it on: the default runtime could not start.
    RuntimeUnavailable(RuntimeUnavailable),
}

impl fmt::Display for TokioTaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokioTaskError::Panicked(panic) => write!(f, "tokio task {panic}"),
            TokioTaskError::Cancelled => f.write_str("tokio task was cancelled"),
            TokioTaskError::RuntimeShutdown => {
                f.write_str("the tokio runtime shut down before the task finished")
            }
            TokioTaskError::RuntimeUnavailable(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for TokioTaskError {}

enum State<T> {
    Running(JoinHandle<T>),
    Failed(TokioTaskError),
    Done,
}

/// Work running on the tokio runtime ([`spawn`], [`spawn_blocking`]); awaiting it gives
/// `Result<T, TokioTaskError>`. `Send`, so any executor may await it; the waker it is given
/// (a qtasync task's, on the Qt thread) is woken from the runtime's thread.
#[must_use = "dropping a TokioTask aborts it; use detach() to let it run"]
pub struct TokioTask<T> {
    state: State<T>,
    /// Set by `abort`: a cancellation then is ours, any other one is the runtime shutting down.
    aborted: bool,
}

impl<T> fmt::Debug for TokioTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokioTask").field("finished", &self.is_finished()).finish()
    }
}

impl<T> TokioTask<T> {
    fn running(join: JoinHandle<T>) -> Self {
        TokioTask { state: State::Running(join), aborted: false }
    }

    fn failed(error: TokioTaskError) -> Self {
        TokioTask { state: State::Failed(error), aborted: false }
    }

    /// Cancels the work: its future is dropped at its next step, and awaiting the task gives
    /// [`TokioTaskError::Cancelled`] (or its output, had it finished already).
    pub fn abort(&mut self) {
        if let State::Running(join) = &self.state {
            self.aborted = true;
            join.abort();
        }
    }

    /// Whether the work has finished (output, panic or cancellation), so awaiting is immediate.
    pub fn is_finished(&self) -> bool {
        match &self.state {
            State::Running(join) => join.is_finished(),
            State::Failed(_) | State::Done => true,
        }
    }

    /// Lets the work run on without anyone awaiting it (tokio's default when a `JoinHandle` is
    /// dropped). A panic in it is then reported by tokio's panic hook only.
    pub fn detach(mut self) {
        // Dropping a JoinHandle detaches; `Done` keeps our Drop from aborting.
        drop(std::mem::replace(&mut self.state, State::Done));
    }

    fn map_join_error(&self, error: JoinError) -> TokioTaskError {
        match error.try_into_panic() {
            Ok(payload) => TokioTaskError::Panicked(Panic::new(payload)),
            // Only we hold the JoinHandle, so a cancellation we did not ask for is the runtime
            // dropping its tasks as it shuts down.
            Err(_) if self.aborted => TokioTaskError::Cancelled,
            Err(_) => TokioTaskError::RuntimeShutdown,
        }
    }
}

impl<T> Future for TokioTask<T> {
    type Output = Result<T, TokioTaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let outcome = match &mut this.state {
            State::Running(join) => match Pin::new(join).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(output)) => Ok(output),
                Poll::Ready(Err(error)) => Err(this.map_join_error(error)),
            },
            State::Failed(_) => match std::mem::replace(&mut this.state, State::Done) {
                State::Failed(error) => Err(error),
                _ => unreachable!("matched Failed just above"),
            },
            State::Done => panic!("TokioTask polled after it returned its output"),
        };
        this.state = State::Done;
        Poll::Ready(outcome)
    }
}

impl<T> Drop for TokioTask<T> {
    fn drop(&mut self) {
        if let State::Running(join) = &self.state {
            join.abort();
        }
    }
}
