//! The driver half of the I/O reactor: Qt watches one descriptor (the reactor's OS poller) and
//! calls back when it is readable. The reactor itself is plain Rust (`crate::io`).

use std::os::fd::RawFd;
use std::panic::{catch_unwind, AssertUnwindSafe};

use cxx::UniquePtr;

use super::io_ffi::bridge;

/// Owned by the C++ `IoWatch`: what to call when the poller's descriptor is readable.
pub(crate) struct IoContext {
    on_ready: Box<dyn Fn()>,
}

/// Entry point from C++ (the notifier's `activated`): no panic may unwind into Qt.
pub(crate) fn io_watch_ready(context: &IoContext) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (context.on_ready)())) {
        let panic = crate::core::exception::Panic::new(payload);
        eprintln!("qtasync: internal error in the I/O reactor ({panic}); the wake-up was dropped");
    }
}

/// One `QSocketNotifier` (read) on `fd`, on the calling thread.
pub(crate) struct IoWatch {
    cpp: UniquePtr<bridge::IoWatch>,
}

impl IoWatch {
    /// Watches `fd` for reading; `on_ready` runs on this thread whenever Qt finds it readable.
    /// Nothing is registered with Qt before [`ensure`](Self::ensure).
    pub(crate) fn new(fd: RawFd, on_ready: Box<dyn Fn()>) -> Self {
        IoWatch { cpp: bridge::new_io_watch(fd, Box::new(IoContext { on_ready })) }
    }

    /// Makes sure the notifier is registered with this thread's current Qt event dispatcher;
    /// `false` when the thread has none (no Qt application).
    pub(crate) fn ensure(&self) -> bool {
        self.cpp.as_ref().is_some_and(bridge::io_watch_ensure)
    }
}
