//! The event loop on the real Qt loop: scheduling order, timers, threads, nesting, errors,
//! executor. Every test runs on the test binary's Qt thread (see `qtasync::testing`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use qtasync::testing::{run_nested_event_loop, run_test};
use qtasync::{
    get_running_loop, sleep, yield_now, EventLoop, ExecutorError, LoopClosed, LoopError, RunError,
};
use qtasync_tests::capture_reports;

/// Runs `body` synchronously on the Qt thread (for tests that drive loops themselves).
fn on_qt_thread(body: impl FnOnce() + Send + 'static) {
    run_test(None, move || {
        body();
        async {}
    });
}

fn qt_test<F: std::future::Future<Output = ()> + 'static>(
    make: impl FnOnce() -> F + Send + 'static,
) {
    run_test(Some(Duration::from_secs(20)), make);
}

mod callbacks_and_timers;
mod executor;
mod faults;
mod idle_and_time;
mod lifecycle;
mod threads_and_nesting;
