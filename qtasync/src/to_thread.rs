//! `to_thread`: asyncio's `to_thread`, a blocking call on the running loop's executor.

use crate::error::ExecutorError;
use crate::event_loop::get_running_loop;

/// Runs the blocking `job` on the running loop's default executor and awaits its result on the
/// loop (asyncio's `to_thread`; [`run_in_executor`](crate::EventLoop::run_in_executor) with the
/// loop looked up for you). The job starts when this future is first polled; a panic in it is
/// [`ExecutorError::Panicked`], and outside a running loop the error is
/// [`ExecutorError::NoRunningLoop`].
///
/// ```
/// let size = qtasync::Runner::new().keep_running(false).run(async {
///     qtasync::to_thread(|| std::fs::read_dir(".").map(|entries| entries.count()).is_ok())
///         .await
///         .unwrap()
/// });
/// assert_eq!(size.unwrap(), Some(true));
/// ```
pub async fn to_thread<R, F>(job: F) -> Result<R, ExecutorError>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    // The loop is not held across the await: a task holding its own loop would keep it alive.
    let job = get_running_loop().map_err(|_| ExecutorError::NoRunningLoop)?.run_in_executor(job)?;
    job.await
}
