//! Raw Qt: one `QMetaObject::invokeMethod` closure per item and one `QTimer` per timer, all in
//! C++ (`cpp/raw_qt.cpp`), so the figures are Qt's own per-event rates; and the 1 ms timer probe
//! the qtasync fairness workload uses.

use std::time::Duration;

use crate::figures::{overshoot_metrics, timer_metrics};
use crate::report::{Metric, Outcome};
use crate::workload::Workload;

#[cxx::bridge(namespace = "qtasync_bench")]
pub(crate) mod bridge {
    /// What the raw Qt timer workload measured.
    struct RawTimers {
        schedule_nanos: u64,
        inversions: u64,
        early: u64,
        fired: u64,
    }

    unsafe extern "C++" {
        include!("qtasync-bench/cpp/raw_qt.h");

        type Probe;
        fn probe_start() -> UniquePtr<Probe>;
        fn probe_worst_nanos(probe: &Probe) -> u64;

        fn raw_qt_callbacks(count: usize) -> u64;
        fn raw_qt_cross_thread(count: usize, threads: usize) -> u64;
        fn raw_qt_timers(deadlines_ms: &[u32]) -> RawTimers;
        fn raw_qt_sleeps(count: usize, millis: u32) -> Vec<u64>;
        fn raw_qt_fairness(count: usize) -> u64;
    }
}

/// Runs one workload on raw Qt; the async ones (tasks, yields, channels) do not apply.
pub(crate) fn run(workload: &Workload) -> Outcome {
    match *workload {
        Workload::Callbacks { count } => {
            let elapsed = Duration::from_nanos(bridge::raw_qt_callbacks(count));
            Outcome::Done(vec![Metric::rate(count, elapsed)])
        }
        Workload::CrossThread { count, threads } => {
            let elapsed = Duration::from_nanos(bridge::raw_qt_cross_thread(count, threads));
            Outcome::Done(vec![Metric::rate(count, elapsed)])
        }
        Workload::Timers { ref deadlines_ms } => {
            let timers = bridge::raw_qt_timers(deadlines_ms);
            Outcome::Done(timer_metrics(
                deadlines_ms.len(),
                Duration::from_nanos(timers.schedule_nanos),
                timers.inversions,
                timers.early,
                timers.fired as usize,
            ))
        }
        Workload::SleepOvershoot { count, sleep } => {
            let millis = u32::try_from(sleep.as_millis()).expect("a sleep of whole milliseconds");
            let overshoots: Vec<Duration> = bridge::raw_qt_sleeps(count, millis)
                .into_iter()
                .map(Duration::from_nanos)
                .collect();
            Outcome::Done(overshoot_metrics(overshoots))
        }
        Workload::Fairness { count } => {
            let worst = Duration::from_nanos(bridge::raw_qt_fairness(count));
            Outcome::Done(vec![Metric::millis(worst)])
        }
        // The async rows; the I/O, interop and signal rows go to their own code (`dispatch.rs`).
        _ => Outcome::NotApplicable("no futures in raw Qt".to_string()),
    }
}

/// The 1 ms precise Qt timer probe, for the qtasync fairness workload.
pub(crate) struct Probe(cxx::UniquePtr<bridge::Probe>);

impl Probe {
    pub(crate) fn start() -> Probe {
        Probe(bridge::probe_start())
    }

    pub(crate) fn worst(&self) -> Duration {
        let probe = self.0.as_ref().expect("probe_start returns an object");
        Duration::from_nanos(bridge::probe_worst_nanos(probe))
    }
}
