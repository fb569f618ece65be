//! The workloads written once over [`Peer`], so every runtime runs the same code; sizes scale
//! with `--scale` (the smoke test runs them tiny). The other rows have code per runtime
//! (`interop.rs`, `io_rows.rs`, `tcp_rows.rs`, `signal_rows.rs`).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::countdown;
use crate::figures::{overshoot_metrics, timer_metrics};
use crate::peers::Peer;
use crate::report::{Metric, Outcome, Unit};
use crate::workload::Workload;

/// Runs one of the workloads written over [`Peer`] on `P` in this process (memory is measured
/// by the caller in a child); `None` for the rows that have code per runtime.
pub(crate) fn run<P: Peer>(workload: &Workload) -> Option<Outcome> {
    Some(match *workload {
        Workload::Callbacks { count } => callbacks::<P>(count),
        Workload::Tasks { count } => tasks::<P>(count),
        Workload::Yields { count } => yields::<P>(count),
        Workload::CrossThread { count, threads } => cross_thread::<P>(count, threads),
        Workload::Timers { ref deadlines_ms } => timers::<P>(deadlines_ms),
        Workload::SleepOvershoot { count, sleep } => sleep_overshoot::<P>(count, sleep),
        Workload::PingPong { round_trips } => ping_pong::<P>(round_trips),
        Workload::Memory { tasks } => memory::<P>(tasks),
        Workload::Fairness { count } => fairness::<P>(count),
        _ => return None,
    })
}

fn callbacks<P: Peer>(count: usize) -> Outcome {
    P::block_on(move |peer| async move {
        countdown::arm(count);
        let start = Instant::now();
        for _ in 0..count {
            peer.call_soon(countdown::tick);
        }
        countdown::finished().await;
        Outcome::Done(vec![Metric::rate(count, start.elapsed())])
    })
}

fn tasks<P: Peer>(count: usize) -> Outcome {
    P::block_on(move |peer| async move {
        countdown::arm(count);
        let start = Instant::now();
        for _ in 0..count {
            peer.spawn(async { countdown::tick() });
        }
        countdown::finished().await;
        Outcome::Done(vec![Metric::rate(count, start.elapsed())])
    })
}

fn yields<P: Peer>(count: usize) -> Outcome {
    P::block_on(move |peer| async move {
        let start = Instant::now();
        for _ in 0..count {
            peer.yield_now().await;
        }
        Outcome::Done(vec![Metric::rate(count, start.elapsed())])
    })
}

fn cross_thread<P: Peer>(count: usize, threads: usize) -> Outcome {
    P::block_on(move |peer| async move {
        countdown::arm(count);
        let remote = peer.remote();
        let start = Instant::now();
        let producers: Vec<_> = (0..threads)
            .map(|index| {
                let share = count / threads + usize::from(index < count % threads);
                let remote = remote.clone();
                std::thread::spawn(move || {
                    for _ in 0..share {
                        remote.tick();
                    }
                })
            })
            .collect();
        countdown::finished().await;
        let elapsed = start.elapsed();
        for producer in producers {
            producer.join().expect("a producer thread does not panic");
        }
        Outcome::Done(vec![Metric::rate(count, elapsed)])
    })
}

fn timers<P: Peer>(deadlines_ms: &[u32]) -> Outcome {
    let deadlines_ms = deadlines_ms.to_vec();
    P::block_on(move |peer| async move {
        let count = deadlines_ms.len();
        let fired = Rc::new(RefCell::new(Vec::with_capacity(count)));
        let early = Rc::new(std::cell::Cell::new(0u64));
        countdown::arm(count);
        let start = Instant::now();
        for (index, &ms) in deadlines_ms.iter().enumerate() {
            let deadline = start + Duration::from_millis(u64::from(ms));
            let (fired, early) = (fired.clone(), early.clone());
            peer.call_at(deadline, move || {
                if Instant::now() < deadline {
                    early.set(early.get() + 1);
                }
                fired.borrow_mut().push(index);
                countdown::tick();
            });
        }
        let schedule = start.elapsed();
        countdown::finished().await;
        let fired = fired.borrow();
        let inversions =
            fired.windows(2).filter(|pair| deadlines_ms[pair[0]] > deadlines_ms[pair[1]]).count()
                as u64;
        Outcome::Done(timer_metrics(count, schedule, inversions, early.get(), fired.len()))
    })
}

fn sleep_overshoot<P: Peer>(count: usize, sleep: Duration) -> Outcome {
    P::block_on(move |peer| async move {
        let mut overshoots = Vec::with_capacity(count);
        for _ in 0..count {
            let start = Instant::now();
            peer.sleep_until(start + sleep).await;
            overshoots.push(start.elapsed().saturating_sub(sleep));
        }
        Outcome::Done(overshoot_metrics(overshoots))
    })
}

fn ping_pong<P: Peer>(round_trips: usize) -> Outcome {
    use futures::channel::mpsc::unbounded;
    use futures::StreamExt;
    P::block_on(move |peer| async move {
        let (ping, mut pings) = unbounded::<usize>();
        let (pong, mut pongs) = unbounded::<usize>();
        peer.spawn(async move {
            while let Some(token) = pings.next().await {
                if pong.unbounded_send(token).is_err() {
                    break;
                }
            }
        });
        let start = Instant::now();
        for token in 0..round_trips {
            ping.unbounded_send(token).expect("the pong task runs");
            let back = pongs.next().await.expect("the pong task answers");
            assert_eq!(back, token);
        }
        Outcome::Done(vec![Metric::rate(round_trips, start.elapsed())])
    })
}

/// Resident set size of this process (`VmRSS` in /proc/self/status).
fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn memory<P: Peer>(tasks: usize) -> Outcome {
    P::block_on(move |peer| async move {
        let Some(before) = rss_bytes() else {
            return Outcome::Failed("no /proc/self/statm".into());
        };
        countdown::arm(tasks);
        let deadline = Instant::now() + Duration::from_secs(3600);
        for _ in 0..tasks {
            let sleep = peer.sleep_until(deadline);
            peer.spawn(async move {
                countdown::tick();
                sleep.await;
            });
        }
        countdown::finished().await;
        // Every task has run its first step and is now suspended in its sleep.
        peer.yield_now().await;
        let after = rss_bytes().unwrap_or(before);
        let per_task = after.saturating_sub(before) as f64 / tasks as f64;
        Outcome::Done(vec![Metric { suffix: "", value: per_task, unit: Unit::BytesPerItem }])
    })
}

fn fairness<P: Peer>(count: usize) -> Outcome {
    P::block_on(move |peer| async move {
        countdown::arm(count);
        for _ in 0..count {
            peer.call_soon(countdown::tick);
        }
        // Started once everything is queued: it measures how the queue is drained, not how long
        // this one step took to fill it.
        let probe = peer.probe();
        countdown::finished().await;
        Outcome::Done(vec![Metric::millis(probe.worst())])
    })
}
