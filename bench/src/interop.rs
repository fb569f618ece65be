//! The tokio-interop figures (issue 14), measured on qtasync and on tokio alone; the other peers
//! have nothing to compare here.
//!
//! - `tokio_round_trip`: a message sent over a tokio `mpsc` channel to an echo task on the tokio
//!   runtime and its reply received, awaited from a qtasync task on the Qt thread; on tokio, the
//!   same awaited from `block_on` on the calling thread of a 2-worker multi-thread runtime.
//! - `cross_loop_spawn`: a task submitted to another loop and its output awaited
//!   (`LoopHandle::spawn` from the Qt thread's loop to a `WorkerLoop`), 1,000 in flight at a
//!   time; on tokio, `tokio::spawn` + await from `block_on` on a 2-worker runtime.

use std::time::Instant;

use crate::report::{Metric, Outcome};

/// Tasks in flight at once in `cross_loop_spawn`.
const WINDOW: usize = 1_000;

/// Runs one interop workload on `peer`.
pub(crate) fn run(peer: &str, key: &str, count: usize) -> Outcome {
    match (peer, key) {
        ("qtasync", "tokio_round_trip") => qtasync_round_trip(count),
        ("qtasync", "cross_loop_spawn") => qtasync_cross_loop(count),
        ("tokio", "tokio_round_trip") => tokio_alone(|| tokio_round_trip(count)),
        ("tokio", "cross_loop_spawn") => tokio_alone(|| tokio_spawn(count)),
        _ => Outcome::NotApplicable("tokio interop is measured on qtasync and tokio".into()),
    }
}

fn runner() -> qtasync::Runner {
    qtasync::Runner::new().keep_running(false).quit_qapp(false)
}

/// One round trip at a time through an echo task on the tokio runtime.
async fn tokio_round_trip(count: usize) -> Outcome {
    let (to_echo, mut echo_in) = tokio::sync::mpsc::channel::<usize>(1);
    let (echo_out, mut replies) = tokio::sync::mpsc::channel::<usize>(1);
    tokio::spawn(async move {
        while let Some(message) = echo_in.recv().await {
            if echo_out.send(message).await.is_err() {
                break;
            }
        }
    });
    let start = Instant::now();
    for i in 0..count {
        if to_echo.send(i).await.is_err() || replies.recv().await != Some(i) {
            return Outcome::Failed(format!("round trip {i} was lost"));
        }
    }
    Outcome::Done(vec![Metric::rate(count, start.elapsed())])
}

fn qtasync_round_trip(count: usize) -> Outcome {
    match runner().run(tokio_round_trip(count)) {
        Ok(Some(outcome)) => outcome,
        other => Outcome::Failed(format!("the loop ended early: {other:?}")),
    }
}

fn qtasync_cross_loop(count: usize) -> Outcome {
    let worker = match qtasync::worker::WorkerLoop::start() {
        Ok(worker) => worker,
        Err(error) => return Outcome::Failed(error.to_string()),
    };
    let handle = worker.handle();
    let ran = runner().run(async move {
        let start = Instant::now();
        let mut sum = 0usize;
        let mut next = 0;
        while next < count {
            let end = (next + WINDOW).min(count);
            let tasks: Vec<_> =
                (next..end).filter_map(|i| handle.spawn(async move { i }).ok()).collect();
            for task in tasks {
                sum += task.await.unwrap_or(0);
            }
            next = end;
        }
        (sum, start.elapsed())
    });
    let joined = worker.join();
    match (ran, joined) {
        (Ok(Some((sum, elapsed))), Ok(())) if sum == count * (count.max(1) - 1) / 2 => {
            Outcome::Done(vec![Metric::rate(count, elapsed)])
        }
        (ran, joined) => Outcome::Failed(format!("lost submissions: {ran:?} / {joined:?}")),
    }
}

async fn tokio_spawn(count: usize) -> Outcome {
    let start = Instant::now();
    let mut sum = 0usize;
    let mut next = 0;
    while next < count {
        let end = (next + WINDOW).min(count);
        let tasks: Vec<_> = (next..end).map(|i| tokio::spawn(async move { i })).collect();
        for task in tasks {
            sum += task.await.unwrap_or(0);
        }
        next = end;
    }
    if sum != count * (count.max(1) - 1) / 2 {
        return Outcome::Failed("lost tasks".into());
    }
    Outcome::Done(vec![Metric::rate(count, start.elapsed())])
}

/// Runs `make()` on a 2-worker multi-thread runtime from this thread.
fn tokio_alone<F: std::future::Future<Output = Outcome>>(make: impl FnOnce() -> F) -> Outcome {
    match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime.block_on(make()),
        Err(error) => Outcome::Failed(format!("no tokio runtime: {error}")),
    }
}
