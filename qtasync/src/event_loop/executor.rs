//! `run_in_executor` and the default executor: blocking work on a thread pool, results
//! delivered back to the loop's thread.

use super::*;

impl EventLoop {
    /// Sets the executor used by [`run_in_executor`](Self::run_in_executor).
    pub fn set_default_executor(&self, executor: Arc<dyn Executor>) {
        *self.inner.executor.borrow_mut() = Some(executor);
        self.inner.executor_shutdown_called.set(false);
    }

    pub(super) fn default_executor(&self) -> Result<Arc<dyn Executor>, ExecutorError> {
        if self.inner.executor_shutdown_called.get() {
            return Err(ExecutorError::Shutdown);
        }
        let mut slot = self.inner.executor.borrow_mut();
        Ok(slot.get_or_insert_with(|| Arc::new(ThreadPool::with_default_size())).clone())
    }

    /// Runs the blocking `job` on the default executor (a thread pool of min(32, cpus + 4)
    /// threads, created on first use); await the returned job for its result, delivered on the
    /// loop's thread.
    pub fn run_in_executor<R, F>(&self, job: F) -> Result<ExecutorJob<R>, ExecutorError>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        if self.is_closed() {
            return Err(ExecutorError::LoopClosed);
        }
        let executor = self.default_executor()?;
        ExecutorJob::submit(
            &*executor,
            job,
            self.unretrieved_job_panic_reporter(),
            self.core().clock().hold(&self.core().shared),
        )
    }

    /// Like `run_in_executor`, on the given executor.
    pub fn run_in_executor_on<R, F>(
        &self,
        executor: &dyn Executor,
        job: F,
    ) -> Result<ExecutorJob<R>, ExecutorError>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        if self.is_closed() {
            return Err(ExecutorError::LoopClosed);
        }
        ExecutorJob::submit(
            executor,
            job,
            self.unretrieved_job_panic_reporter(),
            self.core().clock().hold(&self.core().shared),
        )
    }

    /// Brings a panic of an executor job whose handle was dropped back to this loop's exception
    /// handler (from the worker thread, through `call_soon_threadsafe`).
    pub(super) fn unretrieved_job_panic_reporter(&self) -> impl Fn(Panic) + Send + Sync + 'static {
        let handle = self.threadsafe_handle();
        move |panic: Panic| {
            let message = panic.message().to_owned();
            let report = move || {
                let context = ExceptionContext::new("Executor job exception was never retrieved")
                    .with_exception(Rc::new(panic));
                match get_running_loop() {
                    Ok(event_loop) => event_loop.call_exception_handler(&context),
                    Err(_) => default_exception_handler(&context),
                }
            };
            if handle.call_soon_threadsafe(report).is_err() {
                eprintln!("qtasync: an executor job panicked after its loop closed: {message}");
            }
        }
    }

    /// Shuts the default executor down and waits (without blocking the Qt thread) for its
    /// workers to finish their jobs; gives up after `timeout`. Later `run_in_executor` calls
    /// fail with [`ExecutorError::Shutdown`].
    pub async fn shutdown_default_executor(
        &self,
        timeout: Option<Duration>,
    ) -> Result<(), ExecutorError> {
        self.inner.executor_shutdown_called.set(true);
        let executor = self.inner.executor.borrow_mut().take();
        let Some(executor) = executor else { return Ok(()) };
        let (done, finished) = futures_channel::oneshot::channel::<()>();
        executor.shutdown(Box::new(move || {
            let _ = done.send(());
        }));
        match timeout {
            None => {
                let _ = finished.await;
                Ok(())
            }
            Some(limit) => match crate::time::timeout(limit, finished).await {
                Ok(_) => Ok(()),
                Err(_) => Err(ExecutorError::ShutdownTimedOut(limit)),
            },
        }
    }
}
