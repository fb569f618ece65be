//! Every error type of the public API, in one place: the loop's own are defined here, the others
//! where their operation lives and re-exported here. Each says what went wrong precisely.
//!
//! | error | from |
//! |---|---|
//! | [`LoopError`], [`RunError`], [`NoRunningLoop`], [`LoopClosed`], [`SpawnError`] | running loops and scheduling on them |
//! | [`TaskError`], [`FutureError`], [`InvalidStateError`] | tasks and `LoopFuture`s |
//! | [`ExecutorError`] | `run_in_executor` and executors |
//! | [`Elapsed`] | `timeout`, `wait_for`, `as_completed(..).with_timeout` |
//! | [`ObjectAccessError`] | `ObjectRef::try_with` |
//! | [`GroupSpawnError`], [`TaskGroupError`], [`ChildError`] | `TaskGroup` |
//! | [`BarrierAborted`], [`ReleaseError`], [`QueueFull`], [`QueueEmpty`], [`QueueShutDown`], [`PutNowaitError`], [`GetNowaitError`], [`TaskDoneError`] | `sync` |
//! | [`SenderDestroyed`], [`WaitError`] | awaiting Qt signals (`qt`) |
//! | [`IncompleteReadError`], [`LimitOverrunError`] (and `std::io::Error` for sockets, processes, signals) | `streams` |
//! | [`RemoteError`], [`WorkerError`] | tasks sent to other loops, worker-thread loops |
//! | `tokio::TokioTaskError` (feature `tokio`) | `qtasync::tokio::spawn` |

use std::fmt;
use std::time::Duration;

use crate::core::exception::Panic;
pub use crate::core::scheduler::LoopClosed;
pub use crate::core::task::TaskError;

/// A loop could not do what was asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoopError {
    /// The loop is closed.
    Closed,
    /// The loop is already running (asyncio: "This event loop is already running").
    AlreadyRunning,
    /// Another qtasync loop is running on this thread.
    AnotherLoopRunning,
    /// The loop belongs to another thread.
    WrongThread,
    /// `close()` was called while the loop is running.
    CloseWhileRunning,
    /// The Qt application the loop was created with is gone (deleted, or replaced by another):
    /// nothing would deliver the loop's events.
    NoApplication,
}

impl fmt::Display for LoopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LoopError::Closed => "the event loop is closed",
            LoopError::AlreadyRunning => "this event loop is already running",
            LoopError::AnotherLoopRunning => {
                "cannot run the event loop while another loop is running on this thread"
            }
            LoopError::WrongThread => "the event loop belongs to another thread",
            LoopError::CloseWhileRunning => "cannot close a running event loop",
            LoopError::NoApplication => {
                "the Qt application this event loop was created with no longer exists"
            }
        })
    }
}

impl std::error::Error for LoopError {}

impl From<LoopClosed> for LoopError {
    fn from(_: LoopClosed) -> Self {
        LoopError::Closed
    }
}

/// Why `run_until_complete`, `run_forever` or [`Runner`](crate::Runner) did not finish normally.
#[derive(Debug)]
#[non_exhaustive]
pub enum RunError {
    /// The loop could not run.
    Loop(LoopError),
    /// `stop()` was called before the future completed.
    StoppedBeforeComplete,
    /// The Qt application quit (from outside the loop) before the future completed.
    ApplicationQuit,
    /// SIGINT (Ctrl+C) stopped the loop (with `handle_sigint(true)`).
    Interrupted,
    /// The future's task was cancelled or panicked.
    Task(TaskError),
    /// `keep_running(false)` was asked with no future to run.
    NothingToRun,
    /// The SIGINT handler could not be installed.
    SigintUnavailable,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Loop(error) => error.fmt(f),
            RunError::StoppedBeforeComplete => {
                f.write_str("event loop stopped before the future completed")
            }
            RunError::ApplicationQuit => {
                f.write_str("the Qt application quit before the future completed")
            }
            RunError::Interrupted => f.write_str("interrupted by SIGINT"),
            RunError::Task(error) => error.fmt(f),
            RunError::NothingToRun => f.write_str("keep_running(false) needs a future to run"),
            RunError::SigintUnavailable => f.write_str("could not install the SIGINT handler"),
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RunError::Loop(error) => Some(error),
            RunError::Task(error) => Some(error),
            _ => None,
        }
    }
}

impl From<LoopError> for RunError {
    fn from(error: LoopError) -> Self {
        RunError::Loop(error)
    }
}

impl From<LoopClosed> for RunError {
    fn from(_: LoopClosed) -> Self {
        RunError::Loop(LoopError::Closed)
    }
}

/// No qtasync loop is running on this thread (asyncio's "no running event loop").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoRunningLoop;

impl fmt::Display for NoRunningLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no running qtasync event loop on this thread")
    }
}

impl std::error::Error for NoRunningLoop {}

/// An executor job or executor operation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ExecutorError {
    /// The executor was shut down (or `shutdown_default_executor` was called).
    Shutdown,
    /// The job panicked in its worker thread.
    Panicked(Panic),
    /// The executor dropped the job without running it.
    Dropped,
    /// `shutdown_default_executor` gave up waiting for the workers.
    ShutdownTimedOut(Duration),
    /// The loop is closed.
    LoopClosed,
    /// No qtasync loop runs on this thread ([`to_thread`](crate::to_thread) needs one).
    NoRunningLoop,
}

impl fmt::Display for ExecutorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecutorError::Shutdown => f.write_str("the executor has been shut down"),
            ExecutorError::Panicked(panic) => write!(f, "executor job {panic}"),
            ExecutorError::Dropped => {
                f.write_str("the executor dropped the job without running it")
            }
            ExecutorError::ShutdownTimedOut(timeout) => {
                write!(f, "the executor did not finish within {timeout:?}")
            }
            ExecutorError::LoopClosed => f.write_str("the event loop is closed"),
            ExecutorError::NoRunningLoop => NoRunningLoop.fmt(f),
        }
    }
}

impl std::error::Error for ExecutorError {}

pub use crate::core::loop_future::{FutureError, InvalidStateError};
pub use crate::event_loop::SpawnError;
pub use crate::object_ref::ObjectAccessError;
pub use crate::qt::{SenderDestroyed, WaitError};
pub use crate::streams::{IncompleteReadError, LimitOverrunError};
pub use crate::sync::{
    BarrierAborted, GetNowaitError, PutNowaitError, QueueEmpty, QueueFull, QueueShutDown,
    ReleaseError, TaskDoneError,
};
pub use crate::task::{ChildError, GroupSpawnError, TaskGroupError};
pub use crate::time::Elapsed;
pub use crate::worker::WorkerError;
pub use crate::RemoteError;
