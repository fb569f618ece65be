//! What the benchmark measures: each workload with its size, its metric key and whether it is
//! repeated. Plain data; the code that runs a workload lives in `workloads.rs` (the ones written
//! once over `Peer`), `interop.rs`, `io_rows.rs`, `tcp_rows.rs` and `signal_rows.rs`, and
//! `dispatch.rs` picks among them.

use std::time::Duration;

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
    /// I/O (`tcp_rows.rs`): 64-byte round trips over one localhost TCP connection.
    TcpEcho { round_trips: usize },
    /// I/O (`tcp_rows.rs`): `connections` localhost TCP connections at once, each echoing
    /// 16 KiB messages `rounds` times; the payload echoed per second.
    TcpMany { connections: usize, rounds: usize },
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
            Workload::TcpMany { connections: 100, rounds: n(500) },
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
            Workload::TcpMany { .. } => "tcp_many".into(),
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
