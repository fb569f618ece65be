//! `with_runtime`: one future polled inside a given tokio runtime's context.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use ::tokio::runtime::Handle;

pin_project_lite::pin_project! {
    /// A future polled inside a tokio runtime's context; see [`with_runtime`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct WithRuntime<F> {
        handle: Handle,
        #[pin]
        future: F,
    }
}

/// Polls `future` inside `handle`'s runtime context: the tokio futures it creates bind to that
/// runtime rather than to the one qtasync's loop enters. tokio binds a timer or socket to the
/// runtime current where it is *made*, so make them inside: `with_runtime(h, async {
/// tokio::time::sleep(d).await })`, not `with_runtime(h, tokio::time::sleep(d))`. Only this future's polls are affected
/// (tasks it spawns with [`qtasync::spawn`](crate::spawn) run in the loop's context). It stays
/// `!Send` if `future` is, and runs wherever it is polled (the Qt thread, in a qtasync task).
///
/// ```
/// let runtime = tokio::runtime::Builder::new_multi_thread()
///     .worker_threads(1)
///     .enable_all()
///     .build()
///     .unwrap();
/// let handle = runtime.handle().clone();
/// let id = qtasync::Runner::new().keep_running(false).run(async move {
///     qtasync::tokio::with_runtime(handle, async {
///         tokio::time::sleep(std::time::Duration::from_millis(1)).await; // this runtime's timer
///         tokio::runtime::Handle::current().id()
///     })
///     .await
/// });
/// assert_eq!(id.unwrap(), Some(runtime.handle().id()));
/// ```
pub fn with_runtime<F: Future>(handle: Handle, future: F) -> WithRuntime<F> {
    WithRuntime { handle, future }
}

impl<F: Future> Future for WithRuntime<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        // Dropped before returning: enter and leave nest with any other context on this thread.
        let _entered = this.handle.enter();
        this.future.poll(cx)
    }
}
