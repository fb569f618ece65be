//! Loops in worker threads: a qtasync [`EventLoop`] with its own Qt event loop on a thread of
//! its own, started and stopped from the GUI thread, reached through its [`LoopHandle`].
//!
//! The worker's loop, its tasks and the Qt objects made on its thread never leave that thread:
//! `EventLoop`, `Task` and `ObjectRef` are `!Send`, and all that crosses is a `LoopHandle`, the
//! `Send` futures or closures given to [`LoopHandle::spawn`]/[`spawn_with`](LoopHandle::spawn_with),
//! and their `Send` outputs.
//!
//! ```
//! use qtasync::worker::WorkerLoop;
//!
//! let worker = WorkerLoop::start().unwrap();
//! let handle = worker.handle();
//! let total = qtasync::Runner::new().keep_running(false).run(async move {
//!     // Hop to the worker, sleep on its timer heap, come back with the result. qtasync's own
//!     // futures are `!Send`: `run_with` builds this one on the worker.
//!     handle
//!         .run_with(|| async {
//!             qtasync::sleep(std::time::Duration::from_millis(5)).await;
//!             21 * 2
//!         })
//!         .await
//!         .unwrap()
//! });
//! assert_eq!(total.unwrap(), Some(42));
//! worker.join().unwrap();
//! ```

use std::fmt;
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::core::exception::Panic;
use crate::driver::app;
use crate::error::RunError;
use crate::event_loop::{EventLoop, LoopHandle};

/// Why a worker loop could not start or did not end cleanly.
#[derive(Debug)]
#[non_exhaustive]
pub enum WorkerError {
    /// The thread could not be started.
    Spawn(std::io::Error),
    /// The worker thread panicked outside its loop's guards (a qtasync bug).
    Panicked(Panic),
    /// The worker's loop ended with an error.
    Loop(RunError),
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerError::Spawn(error) => write!(f, "could not start the worker thread: {error}"),
            WorkerError::Panicked(panic) => write!(f, "the worker thread {panic}"),
            WorkerError::Loop(error) => write!(f, "the worker's event loop failed: {error}"),
        }
    }
}

impl std::error::Error for WorkerError {}

/// A qtasync loop running on a thread of its own (with its own Qt event loop: its timers,
/// socket notifiers and the `QObject`s made there are that thread's).
///
/// [`stop`](Self::stop) ends it: what was queued before the stop runs, then the tasks still
/// running are cancelled (their futures dropped on the worker thread), submissions still queued
/// are refused ([`RemoteError::LoopClosed`](crate::RemoteError::LoopClosed) for their
/// awaiters, [`Cancelled`](crate::RemoteError::Cancelled) for the tasks cut short), and
/// later ones fail at once. Dropping a `WorkerLoop` stops and joins it.
#[must_use = "dropping a WorkerLoop stops it"]
pub struct WorkerLoop {
    handle: LoopHandle,
    thread: Option<JoinHandle<Result<(), RunError>>>,
}

impl fmt::Debug for WorkerLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerLoop").field("handle", &self.handle).finish()
    }
}

impl WorkerLoop {
    /// Starts a loop on a new thread named `qtasync-worker`; see [`start_named`](Self::start_named).
    pub fn start() -> Result<WorkerLoop, WorkerError> {
        WorkerLoop::start_named("qtasync-worker")
    }

    /// Starts a loop on a new thread called `name` and returns once the loop exists. A Qt
    /// application must exist for Qt to run an event loop on another thread: when there is none
    /// yet, a `QCoreApplication` is created on the calling thread (as [`EventLoop::new`] does),
    /// so call this from the GUI thread, after creating your `QApplication` if you need one.
    pub fn start_named(name: impl Into<String>) -> Result<WorkerLoop, WorkerError> {
        app::ensure();
        let (ready, handle) = mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let event_loop = EventLoop::new();
                let _ = ready.send(event_loop.threadsafe_handle());
                let ran = event_loop.run_forever();
                // Cancels what is left (futures dropped here, on their thread) and refuses the
                // submissions still queued.
                let _ = event_loop.close();
                ran
            })
            .map_err(WorkerError::Spawn)?;
        match handle.recv() {
            Ok(handle) => Ok(WorkerLoop { handle, thread: Some(thread) }),
            Err(_) => Err(match thread.join() {
                Err(payload) => WorkerError::Panicked(Panic::new(payload)),
                Ok(ran) => WorkerError::Loop(ran.err().unwrap_or(RunError::StoppedBeforeComplete)),
            }),
        }
    }

    /// The worker loop's `Send + Sync` handle: submit tasks ([`LoopHandle::spawn`],
    /// [`run`](LoopHandle::run)), callbacks, or stop it.
    pub fn handle(&self) -> LoopHandle {
        self.handle.clone()
    }

    /// Asks the loop to stop (see the type's documentation); returns at once. Idempotent.
    pub fn stop(&self) {
        let _ = self.handle.stop();
    }

    /// Whether the worker thread has ended.
    pub fn is_finished(&self) -> bool {
        match &self.thread {
            Some(thread) => thread.is_finished(),
            None => true,
        }
    }

    /// Stops the loop and waits for its thread to end (blocking the caller until the worker's
    /// current callback or task step returns and its loop is closed).
    pub fn join(mut self) -> Result<(), WorkerError> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<(), WorkerError> {
        self.stop();
        let Some(thread) = self.thread.take() else { return Ok(()) };
        if thread.thread().id() == std::thread::current().id() {
            // Dropped by one of its own tasks: the loop stops after this step; joining itself
            // would deadlock, so the thread is left to end on its own.
            return Ok(());
        }
        match thread.join() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(WorkerError::Loop(error)),
            Err(payload) => Err(WorkerError::Panicked(Panic::new(payload))),
        }
    }
}

impl Drop for WorkerLoop {
    fn drop(&mut self) {
        if let Err(error) = self.stop_and_join() {
            eprintln!("qtasync: {error}");
        }
    }
}
