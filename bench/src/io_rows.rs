//! The I/O figures (issue 11), measured on qtasync, tokio (current_thread + LocalSet, with its
//! I/O driver) and async-executor + async-io; GLib and raw Qt have no comparable sockets here.
//! The runtimes' socket types differ, so each peer has its own few lines; the measuring code
//! around them is shared.
//!
//! - `tcp_echo`: 64-byte round trips over one localhost TCP connection (client and echo server
//!   are tasks of the same loop).
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
use crate::peers::async_executor::AsyncExecutor;
use crate::peers::qtasync::Qtasync;
use crate::peers::tokio::Tokio;
use crate::peers::Peer;
use crate::report::{Metric, Outcome};
use crate::workloads::{overshoot_metrics, Workload};

/// Bytes per echo message.
const MESSAGE: usize = 64;

/// The command-line flag that makes this binary the far end of the idle connections.
pub(crate) const IDLE_PEER_FLAG: &str = "--idle-peer";

/// Runs one I/O workload on `peer`.
pub(crate) fn run(peer: &str, workload: &Workload) -> Outcome {
    let outcome = match (peer, workload) {
        ("qtasync", Workload::TcpEcho { round_trips }) => qtasync_echo(*round_trips),
        ("tokio", Workload::TcpEcho { round_trips }) => tokio_echo(*round_trips),
        ("async-executor", Workload::TcpEcho { round_trips }) => async_io_echo(*round_trips),
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

/// tokio with its I/O driver (the `Tokio` peer's runtime has timers only, which the other rows
/// keep), running `make(Tokio)` inside a `LocalSet`.
fn tokio_block_on<F: std::future::Future>(make: impl FnOnce(Tokio) -> F) -> io::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    Ok(tokio::task::LocalSet::new().block_on(&runtime, make(Tokio)))
}

// --- tcp_echo ---------------------------------------------------------------------------------

/// The echo server over `futures::io` (qtasync, async-io): answers until end of stream.
async fn serve_futures<S: futures::AsyncRead + futures::AsyncWrite + Unpin>(mut stream: S) {
    use futures::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = [0u8; MESSAGE];
    while stream.read_exact(&mut buffer).await.is_ok() {
        if stream.write_all(&buffer).await.is_err() {
            break;
        }
    }
    countdown::tick();
}

/// The client over `futures::io`: `round_trips` messages echoed; closes, waits for the server.
async fn client_futures<S: futures::AsyncRead + futures::AsyncWrite + Unpin>(
    mut stream: S,
    round_trips: usize,
) -> io::Result<Outcome> {
    use futures::{AsyncReadExt, AsyncWriteExt};
    let (message, mut back) = ([7u8; MESSAGE], [0u8; MESSAGE]);
    let start = Instant::now();
    for _ in 0..round_trips {
        stream.write_all(&message).await?;
        stream.read_exact(&mut back).await?;
    }
    let elapsed = start.elapsed();
    drop(stream);
    countdown::finished().await;
    Ok(Outcome::Done(vec![Metric::rate(round_trips, elapsed)]))
}

fn qtasync_echo(round_trips: usize) -> io::Result<Outcome> {
    Qtasync::block_on(move |peer| async move {
        let listener = qtasync::net::TcpListener::bind("127.0.0.1:0").await?;
        let client = qtasync::net::TcpStream::connect(listener.local_addr()?).await?;
        let (server, _) = listener.accept().await?;
        client.set_nodelay(true)?;
        server.set_nodelay(true)?;
        countdown::arm(1);
        peer.spawn(serve_futures(server));
        client_futures(client, round_trips).await
    })
}

fn async_io_echo(round_trips: usize) -> io::Result<Outcome> {
    AsyncExecutor::block_on(move |peer| async move {
        let listener = async_io::Async::<TcpListener>::bind(([127, 0, 0, 1], 0))?;
        let client =
            async_io::Async::<TcpStream>::connect(listener.get_ref().local_addr()?).await?;
        let (server, _) = listener.accept().await?;
        client.get_ref().set_nodelay(true)?;
        server.get_ref().set_nodelay(true)?;
        countdown::arm(1);
        peer.spawn(serve_futures(server));
        client_futures(client, round_trips).await
    })
}

fn tokio_echo(round_trips: usize) -> io::Result<Outcome> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    tokio_block_on(move |peer| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let mut client = tokio::net::TcpStream::connect(listener.local_addr()?).await?;
        let (mut server, _) = listener.accept().await?;
        client.set_nodelay(true)?;
        server.set_nodelay(true)?;
        countdown::arm(1);
        peer.spawn(async move {
            let mut buffer = [0u8; MESSAGE];
            while server.read_exact(&mut buffer).await.is_ok() {
                if server.write_all(&buffer).await.is_err() {
                    break;
                }
            }
            countdown::tick();
        });
        let (message, mut back) = ([7u8; MESSAGE], [0u8; MESSAGE]);
        let start = Instant::now();
        for _ in 0..round_trips {
            client.write_all(&message).await?;
            client.read_exact(&mut back).await?;
        }
        let elapsed = start.elapsed();
        drop(client);
        countdown::finished().await;
        Ok(Outcome::Done(vec![Metric::rate(round_trips, elapsed)]))
    })?
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
        "tokio" => tokio_block_on(move |peer| {
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
    tokio_block_on(move |_| async move {
        let start = Instant::now();
        let mut failures = 0;
        for _ in 0..count {
            failures +=
                usize::from(!tokio::process::Command::new("true").status().await?.success());
        }
        spawn_rate(count, start.elapsed(), failures)
    })?
}
