//! Shared helpers for qtasync's integration tests, a cxx-qt QObject with async slots, and one
//! with signals.

// cxx-qt-build's initializer for this crate calls cxx-qt's and cxx-qt-lib's: link them.
extern crate cxx_qt as _;
extern crate cxx_qt_lib as _;

pub mod child_process;
pub mod qml_objects;
pub mod qobjects;
pub mod signal_objects;

use std::cell::RefCell;
use std::rc::Rc;

use std::time::{Duration, Instant};

use qtasync::{EventLoop, ExceptionContext, Runner};

/// Waits on the running loop until `done` holds, checking every millisecond (in virtual time
/// too); fails after 60 s of real time.
pub async fn until(mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "condition not reached in 60 s");
        qtasync::sleep(Duration::from_millis(1)).await;
    }
}

/// Gives every other ready task many turns.
pub async fn let_others_run() {
    for _ in 0..50 {
        qtasync::yield_now().await;
    }
}

/// Runs `future` to completion on a fresh loop of this thread (the application stays).
pub fn on_loop<F: std::future::Future + 'static>(future: F) -> F::Output {
    Runner::new().keep_running(false).quit_qapp(false).run(future).unwrap().unwrap()
}

/// Collects every report sent to the loop's exception handler.
pub fn capture_reports(event_loop: &EventLoop) -> Rc<RefCell<Vec<ExceptionContext>>> {
    let reports = Rc::new(RefCell::new(Vec::new()));
    let sink = reports.clone();
    event_loop.set_exception_handler(Some(Rc::new(move |_, context: &ExceptionContext| {
        sink.borrow_mut().push(context.clone());
    })));
    reports
}

/// The runner of the `harness = false` test binaries (their cases need the main thread): runs
/// each case whose name contains one of the command line's filters (all without one), prints
/// libtest-style lines, and exits with failure if any case panicked.
pub fn run_cases(binary: &str, cases: &[(&str, fn())]) {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let (mut passed, mut failed) = (0, 0);
    for (name, case) in cases {
        if !filters.is_empty() && !filters.iter().any(|filter| name.contains(filter.as_str())) {
            continue;
        }
        match std::panic::catch_unwind(case) {
            Ok(()) => {
                println!("test {name} ... ok");
                passed += 1;
            }
            Err(_) => {
                println!("test {name} ... FAILED");
                failed += 1;
            }
        }
    }
    println!("\n{binary}: {passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}

/// A small deterministic random number generator (xorshift64*) for load tests.
pub struct Rng(u64);

impl Rng {
    /// A generator; the same seed gives the same numbers.
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A number in `0..bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % bound.max(1)
    }
}

/// A gate for child processes: their shell script waits with [`Gate::wait_script`] until the
/// test calls [`Gate::open`], so that they cannot exit before the test is ready, however slow
/// the machine (valgrind makes each spawn slow). The gate's file is removed when dropped.
pub struct Gate {
    path: std::path::PathBuf,
}

impl Gate {
    /// A closed gate with a name of its own.
    pub fn new(name: &str) -> Gate {
        let path = std::env::temp_dir().join(format!("qtasync-gate-{name}-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        Gate { path }
    }

    /// Shell code that waits until the gate is open.
    pub fn wait_script(&self) -> String {
        format!("while [ ! -e '{}' ]; do sleep 0.01; done", self.path.display())
    }

    /// Opens the gate: the waiting children go on.
    pub fn open(&self) {
        std::fs::write(&self.path, b"").expect("the gate's file can be made");
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
