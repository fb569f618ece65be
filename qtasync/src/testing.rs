//! Support for `#[qtasync::test]` (and for hand-written tests): libtest runs every test on a
//! thread of its own, while Qt wants one application on one thread. So each test binary gets one
//! long-lived Qt thread that owns the `QCoreApplication`; every test sends its body there, runs
//! it on a fresh loop (`quit_qapp = false`: the application outlives the test), and gets the
//! outcome back. Works with plain `cargo test`, with filters and with `--test-threads`: tests
//! run one at a time on the Qt thread. Tests that need a `QApplication` (Widgets) on the main
//! thread belong in a `harness = false` test target instead.

use std::fmt::Debug;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::core::task::TaskError;
use crate::driver::app;
use crate::error::RunError;
use crate::event_loop::EventLoop;

type Job = Box<dyn FnOnce() + Send>;

fn qt_thread() -> mpsc::Sender<Job> {
    static QT_THREAD: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    let sender = QT_THREAD.get_or_init(|| {
        let (sender, jobs) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("qtasync-test-qt-thread".into())
            .spawn(move || {
                app::ensure();
                for job in jobs {
                    job();
                }
            })
            .expect("could not start the Qt test thread");
        Mutex::new(sender)
    });
    sender.lock().unwrap_or_else(|poison| poison.into_inner()).clone()
}

/// Runs a nested `QEventLoop` for `duration`, as a modal dialog's `exec()` would: the caller is
/// blocked, the loop's other tasks and timers keep running.
pub fn run_nested_event_loop(duration: Duration) {
    app::run_nested_event_loop(u32::try_from(duration.as_millis()).unwrap_or(u32::MAX));
}

/// What a test body may return: `()` or `Result<(), E: Debug>`.
#[diagnostic::on_unimplemented(
    message = "#[qtasync::test] returns `()` or `Result<(), E: Debug>`, not `{Self}`",
    label = "return `()` or `Result<(), E: Debug>`"
)]
pub trait TestOutcome {
    /// `Err(message)` fails the test.
    fn into_outcome(self) -> Result<(), String>;
}

impl TestOutcome for () {
    fn into_outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: Debug> TestOutcome for Result<(), E> {
    fn into_outcome(self) -> Result<(), String> {
        self.map_err(|error| format!("{error:?}"))
    }
}

/// Runs the future made by `make` on a fresh loop on the test binary's Qt thread, and fails the
/// calling test (by panicking, with the original panic when there is one) if it panics, returns
/// an error, or runs longer than `timeout`.
pub fn run_test<M, F>(timeout: Option<Duration>, make: M)
where
    M: FnOnce() -> F + Send + 'static,
    F: Future + 'static,
    F::Output: TestOutcome,
{
    let (report, outcome) = mpsc::channel();
    let job: Job = Box::new(move || {
        let result = catch_unwind(AssertUnwindSafe(move || {
            let event_loop = EventLoop::new();
            let future = make();
            let ran = match timeout {
                Some(limit) => event_loop
                    .run_until_complete(async move { crate::time::timeout(limit, future).await }),
                None => event_loop.run_until_complete(async move { Ok(future.await) }),
            };
            let _ = event_loop.close();
            match ran {
                Ok(Ok(output)) => Ok(output.into_outcome()),
                Ok(Err(_)) => Ok(Err(format!(
                    "test timed out after {:?}",
                    timeout.expect("only a timeout elapses")
                ))),
                Err(RunError::Task(TaskError::Panicked(panic))) => Err(panic.into_payload()),
                Err(error) => Ok(Err(format!("the test's event loop failed: {error}"))),
            }
        }));
        let _ = report.send(result.and_then(|result| result));
    });
    qt_thread().send(job).expect("the Qt test thread is gone");
    match outcome.recv() {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(message))) => panic!("{message}"),
        // Re-panicking here (rather than `resume_unwind`) prints the message under this test.
        Ok(Err(payload)) => panic!("{}", crate::core::exception::Panic::new(payload).message()),
        Err(_) => panic!("the Qt test thread died"),
    }
}
