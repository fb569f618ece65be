//! Tasks, `LoopFuture`s, cancellation and error reporting on the real Qt loop, plus ports of what
//! PySide6's QtAsyncio test suite asserts (sources/pyside6/tests/QtAsyncio/).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use qtasync::testing::run_test;
use qtasync::{
    current_task, get_running_loop, sleep, spawn, timeout, yield_now, FutureError, TaskError,
    TaskSpec,
};
use qtasync_tests::capture_reports;

fn qt_test<F: std::future::Future<Output = ()> + 'static>(
    make: impl FnOnce() -> F + Send + 'static,
) {
    run_test(Some(Duration::from_secs(20)), make);
}

/// Sets a flag when dropped: shows that a cancelled future's destructors ran ("finally").
struct Finally(Rc<Cell<bool>>);
impl Drop for Finally {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[derive(Debug)]
struct MyError(&'static str);
impl fmt::Display for MyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
impl std::error::Error for MyError {}

mod async_generators;
mod loop_future;
mod qtasyncio_ports;
mod tasks;
