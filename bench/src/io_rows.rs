//! The I/O figures (issue 11), measured on qtasync, tokio (current_thread + LocalSet, with its
//! I/O driver) and async-executor + async-io; GLib and raw Qt have no comparable sockets here.
//! The runtimes' socket types differ, so each peer has its own few lines; the measuring code
//! around them is shared. The TCP echo rows are in `tcp_rows.rs`.
//!
//! - `idle_timer_0` / `idle_timer_n`: how late 1 ms sleeps wake (median, p99) with no other
//!   registration vs `n` idle TCP connections, each with a task waiting to read (n = 8,000 at
//!   scale 1). The far ends live in a child process (`--idle-peer`), so each process holds at
//!   most n descriptors, well under the open-file limit.
//! - `spawn_wait`: `true` spawned and awaited, one after the other (async-io has no process
//!   support: n/a there).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use crate::countdown;
use crate::figures::overshoot_metrics;
use crate::peers::async_executor::AsyncExecutor;
use crate::peers::qtasync::Qtasync;
use crate::peers::tokio::Tokio;
use crate::peers::Peer;
use crate::report::{Metric, Outcome};
use crate::tcp_rows;
use crate::workload::Workload;

/// The command-line flag that makes this binary the far end of the idle connections.
pub(crate) const IDLE_PEER_FLAG: &str = "--idle-peer";

/// Runs one I/O workload on `peer`.
pub(crate) fn run(peer: &str, workload: &Workload) -> Outcome {
    let outcome = match (peer, workload) {
        (_, Workload::TcpEcho { round_trips }) => Ok(tcp_rows::echo(peer, *round_trips)),
        (_, &Workload::TcpMany { connections, rounds }) => {
            Ok(tcp_rows::many(peer, connections, rounds))
        }
        (_, Workload::IdleTimer { idle, samples }) => idle_timer(peer, *idle, *samples),
        ("qtasync", Workload::SpawnWait { count }) => qtasync_spawn(*count),
        ("tokio", Workload::SpawnWait { count }) => tokio_spawn(*count),
        ("async-executor", Workload::SpawnWait { .. }) => {
            Ok(Outcome::NotApplicable("async-io has no subprocesses".into()))
        }
        _ => Ok(Outcome::NotApplicable("I/O is measured on qtasync, tokio, async-io".into())),
    };
    outcome.unwrap_or_else(|error| Outcome::Failed(error.to_string()))
}

// --- idle_timer -------------------------------------------------------------------------------

/// The far ends of the idle connections: a child process (this binary with `--idle-peer`) that
/// accepts and holds every connection until its stdin closes.
struct FarEnds {
    child: Child,
    streams: Vec<TcpStream>,
}

impl FarEnds {
    fn open(count: usize) -> io::Result<FarEnds> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg(IDLE_PEER_FLAG)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped");
        BufReader::new(stdout).read_line(&mut line)?;
        let port: u16 = line.trim().parse().map_err(|_| {
            io::Error::other(format!("the idle peer printed {:?}, not a port", line.trim()))
        })?;
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let mut far = FarEnds { child, streams: Vec::with_capacity(count) };
        for _ in 0..count {
            let stream = TcpStream::connect_timeout(&address, Duration::from_secs(10))?;
            stream.set_nonblocking(true)?;
            far.streams.push(stream);
        }
        Ok(far)
    }

    /// Closes the child's stdin: it exits, and every connection reads end of stream.
    fn release(&mut self) {
        drop(self.child.stdin.take());
    }
}

impl Drop for FarEnds {
    fn drop(&mut self) {
        self.release();
        let _ = self.child.wait();
    }
}

/// `--idle-peer`: prints the port it listens on, holds every connection until stdin closes.
pub(crate) fn idle_peer_main() -> ExitCode {
    let listener = match TcpListener::bind("127.0.0.1:0") {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("idle peer: cannot listen: {error}");
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map(|address| address.port()).unwrap_or(0);
    println!("{port}");
    let _ = io::stdout().flush();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            match stream {
                Ok(stream) => held.push(stream),
                Err(error) => eprintln!("idle peer: accept failed: {error}"),
            }
        }
    });
    let _ = io::stdin().read_to_end(&mut Vec::new());
    ExitCode::SUCCESS
}

/// `samples` sleeps of 1 ms on `peer`; how late each woke.
async fn sleep_overshoots<P: Peer>(peer: &P, samples: usize) -> Vec<Duration> {
    const SLEEP: Duration = Duration::from_millis(1);
    let mut overshoots = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        peer.sleep_until(start + SLEEP).await;
        overshoots.push(start.elapsed().saturating_sub(SLEEP));
    }
    overshoots
}

/// With every idle stream registered by `watch` (a task each, reading until end of stream and
/// then ticking the countdown), measures the sleeps, releases the far ends and waits for every
/// reader to see the end.
async fn idle_probe<P: Peer>(
    peer: P,
    far: Option<FarEnds>,
    samples: usize,
    watch: impl Fn(&P, TcpStream) -> io::Result<()>,
) -> io::Result<Outcome> {
    let Some(mut far) = far else {
        return Ok(Outcome::Done(overshoot_metrics(sleep_overshoots(&peer, samples).await)));
    };
    countdown::arm(far.streams.len());
    for stream in std::mem::take(&mut far.streams) {
        watch(&peer, stream)?;
    }
    // Every reader has polled once (and registered its interest) before the first sample.
    peer.yield_now().await;
    let overshoots = sleep_overshoots(&peer, samples).await;
    far.release();
    countdown::finished().await;
    Ok(Outcome::Done(overshoot_metrics(overshoots)))
}

fn idle_timer(peer: &str, idle: usize, samples: usize) -> io::Result<Outcome> {
    if !matches!(peer, "qtasync" | "tokio" | "async-executor") {
        return Ok(Outcome::NotApplicable("I/O is measured on qtasync, tokio, async-io".into()));
    }
    let far = if idle > 0 { Some(FarEnds::open(idle)?) } else { None };
    match peer {
        "qtasync" => Qtasync::block_on(move |peer| {
            idle_probe(peer, far, samples, |peer, stream| {
                let stream = qtasync::net::TcpStream::from_std(stream)?;
                peer.spawn(read_to_end_futures(stream));
                Ok(())
            })
        }),
        "tokio" => Tokio::block_on_io(move |peer| {
            idle_probe(peer, far, samples, |peer, stream| {
                let mut stream = tokio::net::TcpStream::from_std(stream)?;
                peer.spawn(async move {
                    use tokio::io::AsyncReadExt;
                    let mut buffer = [0u8; 16];
                    while matches!(stream.read(&mut buffer).await, Ok(1..)) {}
                    countdown::tick();
                });
                Ok(())
            })
        })?,
        _ => AsyncExecutor::block_on(move |peer| {
            idle_probe(peer, far, samples, |peer, stream| {
                peer.spawn(read_to_end_futures(async_io::Async::new(stream)?));
                Ok(())
            })
        }),
    }
}

/// Reads until end of stream (or an error), then ticks the countdown.
async fn read_to_end_futures<S: futures::AsyncRead + Unpin>(mut stream: S) {
    use futures::AsyncReadExt;
    let mut buffer = [0u8; 16];
    while matches!(stream.read(&mut buffer).await, Ok(1..)) {}
    countdown::tick();
}

// --- spawn_wait -------------------------------------------------------------------------------

/// `count` runs of `true`, one after the other; fails on an unsuccessful exit.
fn spawn_rate(count: usize, elapsed: Duration, failures: usize) -> io::Result<Outcome> {
    if failures > 0 {
        return Err(io::Error::other(format!("{failures} runs of `true` failed")));
    }
    Ok(Outcome::Done(vec![Metric::rate(count, elapsed)]))
}

fn qtasync_spawn(count: usize) -> io::Result<Outcome> {
    Qtasync::block_on(move |_| async move {
        let start = Instant::now();
        let mut failures = 0;
        for _ in 0..count {
            failures +=
                usize::from(!qtasync::process::Command::new("true").status().await?.success());
        }
        spawn_rate(count, start.elapsed(), failures)
    })
}

fn tokio_spawn(count: usize) -> io::Result<Outcome> {
    Tokio::block_on_io(move |_| async move {
        let start = Instant::now();
        let mut failures = 0;
        for _ in 0..count {
            failures +=
                usize::from(!tokio::process::Command::new("true").status().await?.success());
        }
        spawn_rate(count, start.elapsed(), failures)
    })?
}
