//! The signal figures (issue 12), measured on qtasync with raw Qt's floor beside them:
//!
//! - `signal_stream`: emissions of a cxx-qt signal delivered per second through
//!   `signal!(..).stream()`: 1,000 emitted, then taken from the stream, in rounds; on raw Qt,
//!   the same signal emitted into a direct connection to a C++ lambda (`cpp/signal_rows.cpp`).
//! - `signal_latency`: from an emission to the task awaiting the stream running again, one
//!   emission at a time (median and p99); qtasync only.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::figures::overshoot_metrics;
use crate::report::{Metric, Outcome};

#[cxx_qt::bridge]
pub(crate) mod bridge {
    extern "RustQt" {
        #[qobject]
        type BenchEmitter = super::BenchEmitterRust;

        #[qsignal]
        fn counted(self: Pin<&mut BenchEmitter>, value: i32);
    }

    unsafe extern "C++" {
        include!("qtasync-bench/cpp/signal_rows.h");
        fn bench_emitter_new() -> UniquePtr<BenchEmitter>;
        fn raw_qt_direct_emits(count: usize) -> u64;
    }
}

#[derive(Default)]
pub struct BenchEmitterRust;

/// Emissions per round of `signal_stream`.
const ROUND: usize = 1_000;

/// Runs one signal workload on `peer`.
pub(crate) fn run(peer: &str, key: &str, count: usize) -> Outcome {
    match (peer, key) {
        ("qtasync", "signal_stream") => on_loop(stream_rate(count)),
        ("qtasync", "signal_latency") => on_loop(latency(count)),
        ("raw-qt", "signal_stream") => match bridge::raw_qt_direct_emits(count) {
            0 => Outcome::Failed("an emission was lost".into()),
            nanos => Outcome::Done(vec![Metric::rate(count, Duration::from_nanos(nanos))]),
        },
        _ => Outcome::NotApplicable("Qt signals are measured on qtasync and raw Qt".into()),
    }
}

fn on_loop(future: impl std::future::Future<Output = Outcome> + 'static) -> Outcome {
    match qtasync::Runner::new().keep_running(false).quit_qapp(false).run(future) {
        Ok(Some(outcome)) => outcome,
        other => Outcome::Failed(format!("the loop ended early: {other:?}")),
    }
}

async fn stream_rate(count: usize) -> Outcome {
    let mut emitter = bridge::bench_emitter_new();
    let mut stream = qtasync::signal!(emitter.pin_mut().counted(_)).stream();
    let start = Instant::now();
    let mut received = 0;
    while received < count {
        let round = ROUND.min(count - received);
        for i in 0..round {
            emitter.pin_mut().counted(i as i32);
        }
        for i in 0..round {
            match stream.next().await {
                Some((value,)) if value == i as i32 => {}
                other => return Outcome::Failed(format!("emission {i} arrived as {other:?}")),
            }
        }
        received += round;
    }
    Outcome::Done(vec![Metric::rate(count, start.elapsed())])
}

async fn latency(count: usize) -> Outcome {
    let mut emitter = bridge::bench_emitter_new();
    let mut stream = qtasync::signal!(emitter.pin_mut().counted(_)).stream();
    let emitted_at = Rc::new(Cell::new(Instant::now()));
    let resumed = Rc::new(Cell::new(0usize));
    let (at, seen) = (emitted_at.clone(), resumed.clone());
    let spawned = qtasync::spawn(async move {
        let mut latencies = Vec::with_capacity(count);
        while latencies.len() < count {
            if stream.next().await.is_none() {
                break;
            }
            latencies.push(at.get().elapsed());
            seen.set(seen.get() + 1);
        }
        latencies
    });
    let consumer = match spawned {
        Ok(consumer) => consumer,
        Err(error) => return Outcome::Failed(error.to_string()),
    };
    for i in 0..count {
        // Let the consumer reach its `.await` on an empty stream first.
        while resumed.get() < i {
            qtasync::yield_now().await;
        }
        qtasync::yield_now().await;
        emitted_at.set(Instant::now());
        emitter.pin_mut().counted(i as i32);
    }
    match consumer.await {
        Ok(latencies) if latencies.len() == count => Outcome::Done(overshoot_metrics(latencies)),
        other => Outcome::Failed(format!("emissions were lost: {other:?}")),
    }
}
