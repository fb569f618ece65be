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

/// How [`run_test_with`] (and so `#[qtasync::test]`) runs a test.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct TestOptions {
    /// Fail the test when it runs longer than this, in real time (even with a paused clock).
    /// The environment variable `QTASYNC_TIMEOUT_SCALE` (a factor, default 1) stretches it for
    /// slow runs such as valgrind's (`scripts/valgrind.sh` sets 10).
    pub timeout: Option<Duration>,
    /// Start with the loop's clock paused (virtual time; see [`crate::time::pause`]).
    pub start_paused: bool,
    /// Let the test end with tasks still running or callbacks still scheduled (by default that
    /// fails the test, naming what was left).
    pub allow_leftovers: bool,
    /// Run the test's loop inside this tokio runtime's context (the `tokio` feature): its tokio
    /// futures use this runtime rather than qtasync's ([`crate::tokio::runtime`]), without
    /// changing it for other tests.
    #[cfg(feature = "tokio")]
    pub tokio_runtime: Option<::tokio::runtime::Handle>,
}

impl TestOptions {
    /// No timeout, real time, leftovers fail the test.
    pub fn new() -> Self {
        TestOptions::default()
    }

    /// Sets [`timeout`](Self::timeout).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`start_paused`](Self::start_paused).
    pub fn start_paused(mut self, start_paused: bool) -> Self {
        self.start_paused = start_paused;
        self
    }

    /// Sets [`allow_leftovers`](Self::allow_leftovers).
    pub fn allow_leftovers(mut self, allow_leftovers: bool) -> Self {
        self.allow_leftovers = allow_leftovers;
        self
    }

    /// Sets [`tokio_runtime`](Self::tokio_runtime).
    #[cfg(feature = "tokio")]
    pub fn tokio_runtime(mut self, handle: Option<::tokio::runtime::Handle>) -> Self {
        self.tokio_runtime = handle;
        self
    }
}

/// [`run_test_with`] with a timeout and the other options at their defaults.
pub fn run_test<M, F>(timeout: Option<Duration>, make: M)
where
    M: FnOnce() -> F + Send + 'static,
    F: Future + 'static,
    F::Output: TestOutcome,
{
    run_test_with(TestOptions::new().timeout(timeout), make)
}

/// Runs the future made by `make` on a fresh loop on the test binary's Qt thread, and fails the
/// calling test (by panicking, with the original panic when there is one) if it panics, returns
/// an error, runs longer than the timeout, or leaves tasks or callbacks behind (unless
/// allowed).
pub fn run_test_with<M, F>(options: TestOptions, make: M)
where
    M: FnOnce() -> F + Send + 'static,
    F: Future + 'static,
    F::Output: TestOutcome,
{
    let (report, outcome) = mpsc::channel();
    let job: Job = Box::new(move || {
        let result = catch_unwind(AssertUnwindSafe(move || {
            // Every dispatch of the loop keeps a context the thread entered (tokio/runtime.rs).
            #[cfg(feature = "tokio")]
            let _tokio = options.tokio_runtime.as_ref().map(::tokio::runtime::Handle::enter);
            let event_loop = EventLoop::new();
            if options.start_paused {
                event_loop.pause_time();
            }
            let future = make();
            let limit = options.timeout.map(|limit| {
                Duration::try_from_secs_f64(limit.as_secs_f64() * timeout_scale())
                    .unwrap_or(Duration::MAX)
            });
            let watchdog = limit.map(|limit| Watchdog::start(&event_loop, limit));
            let ran = event_loop.run_until_complete(future);
            let timed_out = watchdog.is_some_and(Watchdog::finish);
            let leftovers = event_loop.core().leftovers();
            let _ = event_loop.close();
            match ran {
                _ if timed_out => Ok(Err(format!(
                    "test timed out after {:?}",
                    limit.expect("only a timeout elapses")
                ))),
                Ok(output) => match output.into_outcome() {
                    Ok(()) if !options.allow_leftovers && !leftovers.is_empty() => {
                        Ok(Err(format!(
                            "the test left work behind (use `allow_leftovers = true` if that is \
                             intended):\n  {}",
                            leftovers.join("\n  ")
                        )))
                    }
                    outcome => Ok(outcome),
                },
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

/// `QTASYNC_TIMEOUT_SCALE`: how much longer than written test timeouts are (valgrind runs code
/// ~30 times slower); a missing, malformed or non-positive value counts as 1.
fn timeout_scale() -> f64 {
    std::env::var("QTASYNC_TIMEOUT_SCALE")
        .ok()
        .and_then(|scale| scale.parse::<f64>().ok())
        .filter(|scale| scale.is_finite() && *scale > 0.0)
        .unwrap_or(1.0)
}

/// Stops a test's loop after a real-time limit (the loop's own clock may be paused).
struct Watchdog {
    done: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<bool>,
}

impl Watchdog {
    fn start(event_loop: &EventLoop, limit: Duration) -> Self {
        let handle = event_loop.threadsafe_handle();
        let (done, finished) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || match finished.recv_timeout(limit) {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = handle.stop();
                true
            }
            _ => false,
        });
        Watchdog { done, thread }
    }

    /// Whether the limit passed first.
    fn finish(self) -> bool {
        let _ = self.done.send(());
        self.thread.join().unwrap_or(true)
    }
}
