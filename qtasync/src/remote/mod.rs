//! Tasks sent to another loop: `LoopHandle::spawn`, `spawn_with` and `run` (asyncio's
//! `run_coroutine_threadsafe`, and QCoro's `moveToThread` hop as one `.await`).

mod deliver;
mod task;

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use futures_channel::oneshot;

use crate::core::exception::Panic;
use crate::core::scheduler::LoopClosed;
use crate::event_loop::{get_running_loop, LoopHandle};
use deliver::{Deliver, Reply};
pub use task::{RemoteError, RemoteTask};

impl LoopHandle {
    /// Runs `future` as a task on this handle's loop (whatever thread it lives on) and returns
    /// a [`RemoteTask`] to await its output from any loop or thread (asyncio's
    /// `run_coroutine_threadsafe`). The future crosses threads, so it must be `Send`; to build
    /// `!Send` state (Qt objects, `Rc`s, or qtasync's own `sleep`, tasks and primitives, which are
    /// `!Send`) on the target thread, use [`spawn_with`](Self::spawn_with).
    /// An error when the loop is closed; a submission still queued when the loop closes ends
    /// with [`RemoteError::LoopClosed`], a task dropped unfinished with
    /// [`RemoteError::Cancelled`], a panic with [`RemoteError::Panicked`].
    ///
    /// ```
    /// use qtasync::worker::WorkerLoop;
    ///
    /// let worker = WorkerLoop::start().unwrap();
    /// let handle = worker.handle();
    /// let on_worker = qtasync::Runner::new().keep_running(false).run(async move {
    ///     let task = handle.spawn(async { std::thread::current().id() }).unwrap();
    ///     task.await.unwrap()
    /// });
    /// assert_ne!(on_worker.unwrap().unwrap(), std::thread::current().id());
    /// worker.join().unwrap();
    /// ```
    ///
    /// The future, and its output, must be `Send`:
    ///
    /// ```compile_fail
    /// # fn check(handle: qtasync::LoopHandle) {
    /// let local = std::rc::Rc::new(1);
    /// let _ = handle.spawn(async move { *local });
    /// # }
    /// ```
    pub fn spawn<F>(&self, future: F) -> Result<RemoteTask<F::Output>, LoopClosed>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_with(move || future)
    }

    /// Like [`spawn`](Self::spawn), but `make` builds the future on the target loop's thread:
    /// the future may be `!Send` (it never leaves that thread); only `make` and the output cross.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use qtasync::worker::WorkerLoop;
    ///
    /// let worker = WorkerLoop::start().unwrap();
    /// let task = worker.handle().spawn_with(|| {
    ///     let local = Rc::new(20); // made on the worker, stays there
    ///     async move { *local + 22 }
    /// });
    /// assert_eq!(futures::executor::block_on(task.unwrap()).unwrap(), 42);
    /// worker.join().unwrap();
    /// ```
    ///
    /// What `make` captures crosses threads, so a thread's objects cannot be carried to another
    /// loop (an [`ObjectRef`](crate::ObjectRef) is `!Send`):
    ///
    /// ```compile_fail
    /// # fn check(handle: qtasync::LoopHandle, label: qtasync::ObjectRef<cxx_qt::QObject>) {
    /// let _ = handle.spawn_with(move || async move { drop(label) });
    /// # }
    /// ```
    pub fn spawn_with<M, F>(&self, make: M) -> Result<RemoteTask<F::Output>, LoopClosed>
    where
        M: FnOnce() -> F + Send + 'static,
        F: Future + 'static,
        F::Output: Send + 'static,
    {
        let (sender, receiver) = oneshot::channel();
        let detached = Arc::new(AtomicBool::new(false));
        let mut reply = Reply::new(sender);
        let flag = detached.clone();
        self.call_soon_threadsafe(move || {
            // The call runs inside its loop's dispatch, so this is the target loop.
            let Ok(event_loop) = get_running_loop() else { return };
            let future = match catch_unwind(AssertUnwindSafe(make)) {
                Ok(future) => future,
                Err(payload) => {
                    if let Err(Err(RemoteError::Panicked(panic))) =
                        reply.send(Err(RemoteError::Panicked(Panic::new(payload))))
                    {
                        deliver::report_unretrieved(panic);
                    }
                    return;
                }
            };
            // Never refused: a loop is not closed while it dispatches.
            let _ = event_loop.create_task(Deliver::new(future, reply, flag));
        })?;
        Ok(RemoteTask::new(receiver, detached))
    }

    /// Runs `future` on this handle's loop and awaits its output here: the continuation hops to
    /// the other loop's thread and back (QCoro's `moveToThread` analogue). A closed loop is an
    /// error of the await ([`RemoteError::LoopClosed`]); dropping the await cancels the work.
    ///
    /// ```
    /// use qtasync::worker::WorkerLoop;
    ///
    /// let worker = WorkerLoop::start().unwrap();
    /// let handle = worker.handle();
    /// let hops = qtasync::Runner::new().keep_running(false).run(async move {
    ///     let here = std::thread::current().id();
    ///     let there = handle.run(async { std::thread::current().id() }).await.unwrap();
    ///     (here == std::thread::current().id(), there != here) // back on this thread
    /// });
    /// assert_eq!(hops.unwrap(), Some((true, true)));
    /// worker.join().unwrap();
    /// ```
    pub fn run<F>(&self, future: F) -> RemoteTask<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn(future).unwrap_or_else(|LoopClosed| RemoteTask::refused())
    }

    /// [`run`](Self::run) for a future built on the target thread (see
    /// [`spawn_with`](Self::spawn_with)).
    pub fn run_with<M, F>(&self, make: M) -> RemoteTask<F::Output>
    where
        M: FnOnce() -> F + Send + 'static,
        F: Future + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_with(make).unwrap_or_else(|LoopClosed| RemoteTask::refused())
    }
}
