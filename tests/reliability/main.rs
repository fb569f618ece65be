//! Reliability on the real Qt loop: load (a million callbacks, a hundred thousand tasks), the
//! scheduler's ordering as a property checked against a model on random programs, threads
//! hammering a loop that stops, closes and is dropped, and a panic in every kind of callback.
//!
//! `harness = false`: every case runs on the main thread, each on fresh loops, and proptest
//! drives the loop synchronously (so it can shrink a failing program). `QTASYNC_LOAD_SCALE`
//! (default 1.0) scales the load cases; `scripts/valgrind.sh` runs them smaller under memcheck.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use qtasync::{
    get_running_loop, sleep, yield_now, EventLoop, ExceptionContext, LoopClosed, TaskError,
    TaskSpec,
};
use qtasync_tests::qobjects::new_worker;
use qtasync_tests::{capture_reports, run_cases, Rng};

fn scale() -> f64 {
    std::env::var("QTASYNC_LOAD_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0)
}

fn scaled(count: usize) -> usize {
    ((count as f64 * scale()) as usize).max(10)
}

/// Counts how often the closures holding it were dropped (run or not).
struct DropCount(Rc<Cell<usize>>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

mod faults;
mod load;
mod ordering_model;
mod threads_against_close;

fn main() {
    std::env::set_var(
        "QT_QPA_PLATFORM",
        std::env::var("QT_QPA_PLATFORM").unwrap_or("offscreen".into()),
    );
    run_cases(
        "reliability",
        &[
            (
                "a_million_callbacks_in_flight_each_run_or_cancelled_exactly_once",
                load::a_million_callbacks_in_flight_each_run_or_cancelled_exactly_once,
            ),
            (
                "a_hundred_thousand_tasks_with_random_sleeps_awaits_and_cancellations",
                load::a_hundred_thousand_tasks_with_random_sleeps_awaits_and_cancellations,
            ),
            (
                "the_scheduler_matches_its_model_on_random_programs",
                ordering_model::the_scheduler_matches_its_model_on_random_programs,
            ),
            (
                "threads_calling_in_while_the_loop_stops_closes_and_drops_lose_nothing",
                threads_against_close::threads_calling_in_while_the_loop_stops_closes_and_drops_lose_nothing,
            ),
            (
                "a_loop_dropped_with_pending_work_releases_everything_on_its_thread",
                threads_against_close::a_loop_dropped_with_pending_work_releases_everything_on_its_thread,
            ),
            (
                "a_panic_in_every_kind_of_callback_is_contained_and_reported",
                faults::a_panic_in_every_kind_of_callback_is_contained_and_reported,
            ),
        ],
    );
}
