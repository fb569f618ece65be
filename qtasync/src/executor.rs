//! `run_in_executor`: blocking work on a thread pool, results delivered to the loop's thread.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use futures_channel::oneshot;

use crate::core::clock::TimeHold;
use crate::core::exception::Panic;
use crate::error::ExecutorError;

/// A job for an executor.
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// Something that runs blocking jobs off the loop's thread (asyncio's `concurrent.futures`
/// executor). [`ThreadPool`] is the default.
pub trait Executor: Send + Sync + 'static {
    /// Queues `job`; an error once the executor is shut down.
    fn execute(&self, job: Job) -> Result<(), ExecutorError>;
    /// Refuses new jobs, lets queued ones finish, then calls `done` (from any thread). Must not
    /// block the caller.
    fn shutdown(&self, done: Box<dyn FnOnce() + Send + 'static>);
}

struct PoolState {
    queue: VecDeque<Job>,
    idle: usize,
    workers: Vec<JoinHandle<()>>,
    shutdown: bool,
}

struct PoolInner {
    state: Mutex<PoolState>,
    available: Condvar,
    max_workers: usize,
}

/// A thread pool that starts workers on demand, up to a maximum (like Python's
/// `ThreadPoolExecutor`).
pub struct ThreadPool {
    inner: Arc<PoolInner>,
}

impl ThreadPool {
    /// A pool of at most `max_workers` threads (at least one).
    pub fn new(max_workers: usize) -> Self {
        ThreadPool {
            inner: Arc::new(PoolInner {
                state: Mutex::new(PoolState {
                    queue: VecDeque::new(),
                    idle: 0,
                    workers: Vec::new(),
                    shutdown: false,
                }),
                available: Condvar::new(),
                max_workers: max_workers.max(1),
            }),
        }
    }

    /// Python's default size: min(32, CPUs + 4).
    pub fn with_default_size() -> Self {
        let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        ThreadPool::new((cpus + 4).min(32))
    }

    /// The maximum number of worker threads.
    pub fn max_workers(&self) -> usize {
        self.inner.max_workers
    }

    /// How many worker threads have been started.
    pub fn worker_count(&self) -> usize {
        self.inner.lock().workers.len()
    }
}

impl PoolInner {
    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    fn work(self: &Arc<Self>) {
        loop {
            let job = {
                let mut state = self.lock();
                loop {
                    if let Some(job) = state.queue.pop_front() {
                        break job;
                    }
                    if state.shutdown {
                        return;
                    }
                    state.idle += 1;
                    state = self.available.wait(state).unwrap_or_else(|poison| poison.into_inner());
                    state.idle -= 1;
                }
            };
            // Jobs catch their own panics (see `ExecutorJob::submit`); this guards the worker
            // against foreign jobs that do not.
            let _ = catch_unwind(AssertUnwindSafe(job));
        }
    }
}

impl Executor for ThreadPool {
    fn execute(&self, job: Job) -> Result<(), ExecutorError> {
        let mut state = self.inner.lock();
        if state.shutdown {
            return Err(ExecutorError::Shutdown);
        }
        state.queue.push_back(job);
        // A worker counts as idle until it retakes the lock, so one idle worker may be counted
        // for several jobs queued in a row: start a thread whenever the queued jobs outnumber the
        // idle workers (a job that waits for the next one must never wait behind it).
        if state.queue.len() > state.idle && state.workers.len() < self.inner.max_workers {
            let inner = self.inner.clone();
            let number = state.workers.len();
            let worker = std::thread::Builder::new()
                .name(format!("qtasync-executor-{number}"))
                .spawn(move || inner.work());
            match worker {
                Ok(worker) => {
                    state.workers.push(worker);
                    // Idle workers may still take the job first; wake one so none is missed.
                    if state.idle > 0 {
                        self.inner.available.notify_one();
                    }
                }
                // No new thread: the job waits for a running worker, if there is one.
                Err(_) if !state.workers.is_empty() => {}
                Err(_) => {
                    state.queue.pop_back();
                    return Err(ExecutorError::Dropped);
                }
            }
        } else {
            self.inner.available.notify_one();
        }
        Ok(())
    }

    fn shutdown(&self, done: Box<dyn FnOnce() + Send + 'static>) {
        let workers = {
            let mut state = self.inner.lock();
            state.shutdown = true;
            std::mem::take(&mut state.workers)
        };
        self.inner.available.notify_all();
        // Joining happens on a helper thread so that the loop's thread never blocks.
        let joiner =
            std::thread::Builder::new().name("qtasync-executor-shutdown".into()).spawn(move || {
                for worker in workers {
                    let _ = worker.join();
                }
                done();
            });
        if let Err(error) = joiner {
            eprintln!("qtasync: could not start the executor shutdown thread: {error}");
        }
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        self.inner.lock().shutdown = true;
        self.inner.available.notify_all();
    }
}

/// The result of a job given to `run_in_executor`; await it on the loop.
#[must_use = "the job runs anyway; await it to get its result"]
pub struct ExecutorJob<R> {
    result: oneshot::Receiver<std::thread::Result<R>>,
    /// Reports a panic nobody retrieved: the job's, when it finished before this handle was
    /// dropped unawaited (the job reports it itself when the handle went first).
    unretrieved: Arc<dyn Fn(Panic) + Send + Sync>,
}

impl<R: Send + 'static> ExecutorJob<R> {
    /// Runs `job` on `executor`. A panic nobody can retrieve any more (the job handle was
    /// dropped) goes to `unretrieved`, which reports it as asyncio reports a future's exception
    /// that was never retrieved.
    /// `hold` keeps the loop's paused clock from jumping ahead until the result is sent.
    pub(crate) fn submit<F>(
        executor: &dyn Executor,
        job: F,
        unretrieved: impl Fn(Panic) + Send + Sync + 'static,
        hold: TimeHold,
    ) -> Result<Self, ExecutorError>
    where
        F: FnOnce() -> R + Send + 'static,
    {
        let (sender, result) = oneshot::channel();
        let unretrieved: Arc<dyn Fn(Panic) + Send + Sync> = Arc::new(unretrieved);
        let report = unretrieved.clone();
        executor.execute(Box::new(move || {
            if let Err(Err(payload)) = sender.send(catch_unwind(AssertUnwindSafe(job))) {
                report(Panic::new(payload));
            }
            // After the send, which queued the waiting task's wake: the loop sees work ready
            // before it sees the clock free.
            drop(hold);
        }))?;
        Ok(ExecutorJob { result, unretrieved })
    }
}

impl<R> Drop for ExecutorJob<R> {
    fn drop(&mut self) {
        // The job panicked and finished before this unawaited handle went: nobody else will see
        // the panic (the job saw its result delivered), so it is reported here, as asyncio reports
        // a future's exception that was never retrieved.
        if let Ok(Some(Err(payload))) = self.result.try_recv() {
            (self.unretrieved)(Panic::new(payload));
        }
    }
}

impl<R> Future for ExecutorJob<R> {
    type Output = Result<R, ExecutorError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match Pin::new(&mut self.result).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(Ok(value))) => Poll::Ready(Ok(value)),
            Poll::Ready(Ok(Err(payload))) => {
                Poll::Ready(Err(ExecutorError::Panicked(Panic::new(payload))))
            }
            Poll::Ready(Err(oneshot::Canceled)) => Poll::Ready(Err(ExecutorError::Dropped)),
        }
    }
}
