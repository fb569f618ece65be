//! The workloads, written once over [`Peer`] so every runtime runs the same code; sizes scale
//! with `--scale` (the smoke test runs them tiny).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::countdown;
use crate::peers::Peer;
use crate::report::{Metric, Outcome, Unit};

/// One workload with its size.
#[derive(Clone, Debug)]
pub(crate) enum Workload {
    /// `count` callbacks scheduled at once; the time until the last has run.
    Callbacks { count: usize },
    /// `count` trivial tasks spawned and completed.
    Tasks { count: usize },
    /// One task yielding `count` times.
    Yields { count: usize },
    /// `count` items sent from `threads` producer threads to the loop's thread.
    CrossThread { count: usize, threads: usize },
    /// One timer per deadline (milliseconds from the start), all pending at once.
    Timers { deadlines_ms: Vec<u32> },
    /// `count` sequential sleeps of `sleep`; how late each one wakes.
    SleepOvershoot { count: usize, sleep: Duration },
    /// Two tasks passing a token over two channels, `round_trips` times.
    PingPong { round_trips: usize },
    /// RSS growth per pending task with `tasks` sleeping tasks (measured in a child process).
    Memory { tasks: usize },
    /// The worst lateness of a 1 ms timer while `count` callbacks are queued.
    Fairness { count: usize },
    /// tokio interop (`interop.rs`): `count` tokio channel round trips awaited from the loop.
    TokioRoundTrip { count: usize },
    /// tokio interop (`interop.rs`): `count` tasks spawned on another loop and awaited.
    CrossLoop { count: usize },
    /// I/O (`io_rows.rs`): 64-byte round trips over one localhost TCP connection.
    TcpEcho { round_trips: usize },
    /// I/O (`io_rows.rs`): how late `samples` 1 ms sleeps wake with `idle` idle TCP connections
    /// registered (their far ends in a child process).
    IdleTimer { idle: usize, samples: usize },
    /// I/O (`io_rows.rs`): `true` spawned and awaited `count` times.
    SpawnWait { count: usize },
    /// Qt signals (`signal_rows.rs`): `count` emissions taken from a `signal!(..).stream()`.
    SignalStream { count: usize },
    /// Qt signals (`signal_rows.rs`): `count` times, emission -> awaiting task resumed.
    SignalLatency { count: usize },
}

impl Workload {
    /// The full set at `scale` (1.0 = the sizes of the benchmarks issue).
    pub(crate) fn all(scale: f64) -> Vec<Workload> {
        let n = |count: usize| ((count as f64 * scale).round() as usize).max(1);
        vec![
            Workload::Callbacks { count: n(1_000_000) },
            Workload::Tasks { count: n(100_000) },
            Workload::Yields { count: n(1_000_000) },
            Workload::CrossThread { count: n(1_000_000), threads: 1 },
            Workload::CrossThread { count: n(1_000_000), threads: 4 },
            Workload::Timers { deadlines_ms: random_deadlines(n(100_000), 1, 100) },
            Workload::SleepOvershoot { count: n(200), sleep: Duration::from_millis(5) },
            Workload::PingPong { round_trips: n(100_000) },
            Workload::Memory { tasks: n(100_000) },
            Workload::Memory { tasks: n(1_000_000) },
            Workload::Fairness { count: n(1_000_000) },
            Workload::TokioRoundTrip { count: n(100_000) },
            Workload::CrossLoop { count: n(1_000_000) },
            Workload::TcpEcho { round_trips: n(100_000) },
            Workload::IdleTimer { idle: 0, samples: n(1_000) },
            Workload::IdleTimer { idle: n(8_000), samples: n(1_000) },
            Workload::SpawnWait { count: n(2_000) },
            Workload::SignalStream { count: n(1_000_000) },
            Workload::SignalLatency { count: n(10_000) },
        ]
    }

    /// The metric key (as the Python script names it too); unscaled sizes name the memory rows.
    pub(crate) fn key(&self) -> String {
        match self {
            Workload::Callbacks { .. } => "callbacks".into(),
            Workload::Tasks { .. } => "tasks".into(),
            Workload::Yields { .. } => "yields".into(),
            Workload::CrossThread { threads, .. } => format!("cross_thread_{threads}"),
            Workload::Timers { .. } => "timers".into(),
            Workload::SleepOvershoot { .. } => "sleep_overshoot".into(),
            Workload::PingPong { .. } => "ping_pong".into(),
            Workload::Memory { tasks } if *tasks >= 1_000_000 => "memory_1m".into(),
            Workload::Memory { tasks } if *tasks >= 100_000 => "memory_100k".into(),
            Workload::Memory { tasks } => format!("memory_{tasks}"),
            Workload::Fairness { .. } => "fairness".into(),
            Workload::TokioRoundTrip { .. } => "tokio_round_trip".into(),
            Workload::CrossLoop { .. } => "cross_loop_spawn".into(),
            Workload::TcpEcho { .. } => "tcp_echo".into(),
            Workload::IdleTimer { idle: 0, .. } => "idle_timer_0".into(),
            Workload::IdleTimer { .. } => "idle_timer_n".into(),
            Workload::SpawnWait { .. } => "spawn_wait".into(),
            Workload::SignalStream { .. } => "signal_stream".into(),
            Workload::SignalLatency { .. } => "signal_latency".into(),
        }
    }

    /// Whether the figure is a throughput worth repeating to take the best of a noisy machine.
    pub(crate) fn repeatable(&self) -> bool {
        !matches!(
            self,
            Workload::Memory { .. }
                | Workload::SleepOvershoot { .. }
                | Workload::Timers { .. }
                | Workload::IdleTimer { .. }
                | Workload::SignalLatency { .. }
        )
    }

    /// Runs this workload on `P` in this process (memory is measured by the caller in a child).
    pub(crate) fn run<P: Peer>(&self) -> Outcome {
        match *self {
            Workload::Callbacks { count } => callbacks::<P>(count),
            Workload::Tasks { count } => tasks::<P>(count),
            Workload::Yields { count } => yields::<P>(count),
            Workload::CrossThread { count, threads } => cross_thread::<P>(count, threads),
            Workload::Timers { ref deadlines_ms } => timers::<P>(deadlines_ms),
            Workload::SleepOvershoot { count, sleep } => sleep_overshoot::<P>(count, sleep),
            Workload::PingPong { round_trips } => ping_pong::<P>(round_trips),
            Workload::Memory { tasks } => memory::<P>(tasks),
            Workload::Fairness { count } => fairness::<P>(count),
            Workload::TokioRoundTrip { count } | Workload::CrossLoop { count } => {
                crate::interop::run(P::NAME, &self.key(), count)
            }
            Workload::TcpEcho { .. } | Workload::IdleTimer { .. } | Workload::SpawnWait { .. } => {
                crate::io_rows::run(P::NAME, self)
            }
            Workload::SignalStream { count } | Workload::SignalLatency { count } => {
                crate::signal_rows::run(P::NAME, &self.key(), count)
            }
        }
    }
}

/// Deterministic pseudo-random deadlines in `[low, high]` ms (xorshift; no dependency needed for
/// a fixed shuffle).
fn random_deadlines(count: usize, low: u32, high: u32) -> Vec<u32> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            low + (state % u64::from(high - low + 1)) as u32
        })
        .collect()
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

/// The timer workload's figures: scheduling cost, out-of-order and early firings.
pub(crate) fn timer_metrics(
    count: usize,
    schedule: Duration,
    inversions: u64,
    early: u64,
    fired: usize,
) -> Vec<Metric> {
    if fired != count {
        return vec![];
    }
    let per_timer = schedule.as_secs_f64() * 1e9 / count.max(1) as f64;
    vec![
        Metric { suffix: "_schedule", value: per_timer, unit: Unit::NanosPerItem },
        Metric { suffix: "_inversions", value: inversions as f64, unit: Unit::Count },
        Metric { suffix: "_early", value: early as f64, unit: Unit::Count },
    ]
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

/// Median and 99th percentile of the overshoots, in milliseconds.
pub(crate) fn overshoot_metrics(mut overshoots: Vec<Duration>) -> Vec<Metric> {
    overshoots.sort();
    let at = |quantile: f64| {
        let index = ((overshoots.len() as f64 - 1.0) * quantile).round() as usize;
        overshoots.get(index).copied().unwrap_or_default()
    };
    vec![
        Metric::millis(at(0.5)).with_suffix("_median_ms"),
        Metric::millis(at(0.99)).with_suffix("_p99_ms"),
    ]
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
