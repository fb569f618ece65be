//! Async-generator tracking, the exception handler, and debug mode.

use super::*;

impl EventLoop {
    /// Registers `stream` with the loop, so that [`shutdown_asyncgens`](Self::shutdown_asyncgens)
    /// closes it (asyncio tracks async generators the same way).
    pub fn track_stream<S>(&self, stream: S) -> TrackedStream<S::Item>
    where
        S: futures_core::Stream + 'static,
    {
        self.inner.asyncgens.track(stream)
    }

    /// Closes every tracked stream still open: its next poll yields `None` and the stream is
    /// dropped now, running its destructors. Returns how many were closed.
    pub async fn shutdown_asyncgens(&self) -> usize {
        self.inner.asyncgens.close_all()
    }

    /// Sets (or with `None` removes) the exception handler. Without one, reports go to
    /// [`default_exception_handler`](crate::default_exception_handler) (standard error).
    pub fn set_exception_handler(&self, handler: Option<ExceptionHandler>) {
        *self.inner.exception_handler.borrow_mut() = handler;
    }

    /// The exception handler, if one is set.
    pub fn get_exception_handler(&self) -> Option<ExceptionHandler> {
        self.inner.exception_handler.borrow().clone()
    }

    /// Reports `context` to the exception handler. A handler that panics is itself reported
    /// (with the original report) by the default handler; the panic goes no further.
    pub fn call_exception_handler(&self, context: &ExceptionContext) {
        let handler = self.get_exception_handler();
        match handler {
            None => default_exception_handler(context),
            Some(handler) => {
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| handler(self, context))) {
                    default_exception_handler(&ExceptionContext::panic(
                        "Unhandled error in exception handler",
                        payload,
                    ));
                    default_exception_handler(context);
                }
            }
        }
    }

    /// How many Qt events (posted wakes and timer expiries) this loop has handled: one event
    /// runs a whole batch of ready callbacks, and an idle loop handles none.
    pub fn dispatch_count(&self) -> u64 {
        self.inner.dispatches.get()
    }

    /// Debug mode: callbacks and task steps that take 100 ms or more are reported.
    pub fn set_debug(&self, enabled: bool) {
        self.inner.debug.set(enabled);
        if self.is_running() {
            self.core().set_slow_callback_duration(enabled.then_some(DEFAULT_SLOW_CALLBACK));
        }
    }

    /// Whether debug mode is on.
    pub fn get_debug(&self) -> bool {
        self.inner.debug.get()
    }
}
