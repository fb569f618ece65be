//! The TCP echo figures (issue 11) on qtasync, tokio (current_thread + LocalSet, with its I/O
//! driver) and async-executor + async-io. Clients and echo servers are tasks of the same loop;
//! every socket has `TCP_NODELAY`. The runtimes' socket types differ, so each peer has its own
//! few lines of setup; qtasync and async-io share the `futures::io` code.
//!
//! - `tcp_echo`: 64-byte round trips over one localhost connection, one at a time.
//! - `tcp_many`: 100 connections at once, each client sending a 16 KiB message and reading it
//!   back, `rounds` times; the figure is the payload echoed per second over all of them (MiB/s),
//!   from the first client's start to the last client's end.

use std::cell::Cell;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::countdown;
use crate::peers::async_executor::AsyncExecutor;
use crate::peers::qtasync::Qtasync;
use crate::peers::tokio::Tokio;
use crate::peers::Peer;
use crate::report::{Metric, Outcome};

/// Bytes per `tcp_echo` message.
const MESSAGE: usize = 64;

/// Bytes per `tcp_many` message.
const BIG: usize = 16 * 1024;

/// Runs `tcp_echo` on `peer`.
pub(crate) fn echo(peer: &str, round_trips: usize) -> Outcome {
    let outcome = match peer {
        "qtasync" => qtasync_echo(round_trips),
        "tokio" => tokio_echo(round_trips),
        "async-executor" => async_io_echo(round_trips),
        _ => Ok(Outcome::NotApplicable("I/O is measured on qtasync, tokio, async-io".into())),
    };
    outcome.unwrap_or_else(|error| Outcome::Failed(error.to_string()))
}

/// Runs `tcp_many` on `peer`.
pub(crate) fn many(peer: &str, connections: usize, rounds: usize) -> Outcome {
    let outcome = match peer {
        "qtasync" => qtasync_many(connections, rounds),
        "tokio" => tokio_many(connections, rounds),
        "async-executor" => async_io_many(connections, rounds),
        _ => Ok(Outcome::NotApplicable("I/O is measured on qtasync, tokio, async-io".into())),
    };
    outcome.unwrap_or_else(|error| Outcome::Failed(error.to_string()))
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
        let (client, server) =
            qtasync_pair(&qtasync::net::TcpListener::bind("127.0.0.1:0").await?).await?;
        countdown::arm(1);
        peer.spawn(serve_futures(server));
        client_futures(client, round_trips).await
    })
}

fn async_io_echo(round_trips: usize) -> io::Result<Outcome> {
    AsyncExecutor::block_on(move |peer| async move {
        let (client, server) =
            async_io_pair(&async_io::Async::<TcpListener>::bind(([127, 0, 0, 1], 0))?).await?;
        countdown::arm(1);
        peer.spawn(serve_futures(server));
        client_futures(client, round_trips).await
    })
}

fn tokio_echo(round_trips: usize) -> io::Result<Outcome> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    Tokio::block_on_io(move |peer| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let (mut client, mut server) = tokio_pair(&listener).await?;
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

// --- connection pairs -------------------------------------------------------------------------

async fn qtasync_pair(
    listener: &qtasync::net::TcpListener,
) -> io::Result<(qtasync::net::TcpStream, qtasync::net::TcpStream)> {
    let client = qtasync::net::TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    Ok((client, server))
}

type AsyncIoStream = async_io::Async<TcpStream>;

async fn async_io_pair(
    listener: &async_io::Async<TcpListener>,
) -> io::Result<(AsyncIoStream, AsyncIoStream)> {
    let client = AsyncIoStream::connect(listener.get_ref().local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    client.get_ref().set_nodelay(true)?;
    server.get_ref().set_nodelay(true)?;
    Ok((client, server))
}

async fn tokio_pair(
    listener: &tokio::net::TcpListener,
) -> io::Result<(tokio::net::TcpStream, tokio::net::TcpStream)> {
    let client = tokio::net::TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    Ok((client, server))
}

// --- tcp_many ---------------------------------------------------------------------------------

/// What the `tcp_many` clients share: when the last one finished, and how many failed.
#[derive(Clone)]
struct Finish {
    last: Rc<Cell<Option<Instant>>>,
    failures: Rc<Cell<usize>>,
}

impl Finish {
    fn new() -> Finish {
        Finish { last: Rc::new(Cell::new(None)), failures: Rc::new(Cell::new(0)) }
    }

    /// One client is done (`ok`: every message came back whole).
    fn client_done(&self, ok: bool) {
        let now = Instant::now();
        self.last.set(Some(self.last.get().map_or(now, |last| last.max(now))));
        self.failures.set(self.failures.get() + usize::from(!ok));
        countdown::tick();
    }

    /// Payload echoed per second from `start` to the last client's end.
    fn outcome(&self, start: Instant, connections: usize, rounds: usize) -> Outcome {
        match (self.failures.get(), self.last.get()) {
            (0, Some(last)) => {
                let bytes = (connections * rounds * BIG) as f64;
                let seconds = last.duration_since(start).max(Duration::from_nanos(1)).as_secs_f64();
                Outcome::Done(vec![Metric::mib_per_second(bytes / seconds)])
            }
            (failures, _) => Outcome::Failed(format!("{failures} clients lost their echo")),
        }
    }
}

/// A `tcp_many` echo server over `futures::io`: sends back whatever arrives until end of stream.
async fn echo_back_futures<S: futures::AsyncRead + futures::AsyncWrite + Unpin>(mut stream: S) {
    use futures::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = vec![0u8; BIG];
    while let Ok(read @ 1..) = stream.read(&mut buffer).await {
        if stream.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    countdown::tick();
}

/// A `tcp_many` client over `futures::io`: `rounds` messages sent and read back.
async fn rounds_futures<S: futures::AsyncRead + futures::AsyncWrite + Unpin>(
    mut stream: S,
    rounds: usize,
    finish: Finish,
) {
    use futures::{AsyncReadExt, AsyncWriteExt};
    let (message, mut back) = (vec![7u8; BIG], vec![0u8; BIG]);
    let mut ok = true;
    for _ in 0..rounds {
        let echoed = async {
            stream.write_all(&message).await?;
            stream.read_exact(&mut back).await
        };
        if echoed.await.is_err() || back != message {
            ok = false;
            break;
        }
    }
    drop(stream); // its server reads the end and finishes
    finish.client_done(ok);
}

/// `tcp_many` over `futures::io` on `peer`, the connections made by `pair`.
async fn many_futures<P, S, F>(
    peer: P,
    connections: usize,
    rounds: usize,
    mut pair: impl FnMut() -> F,
) -> io::Result<Outcome>
where
    P: Peer,
    S: futures::AsyncRead + futures::AsyncWrite + Unpin + 'static,
    F: std::future::Future<Output = io::Result<(S, S)>>,
{
    let mut clients = Vec::with_capacity(connections);
    // Every client and every server ticks once.
    countdown::arm(2 * connections);
    for _ in 0..connections {
        let (client, server) = pair().await?;
        peer.spawn(echo_back_futures(server));
        clients.push(client);
    }
    let finish = Finish::new();
    let start = Instant::now();
    for client in clients {
        peer.spawn(rounds_futures(client, rounds, finish.clone()));
    }
    countdown::finished().await;
    Ok(finish.outcome(start, connections, rounds))
}

fn qtasync_many(connections: usize, rounds: usize) -> io::Result<Outcome> {
    Qtasync::block_on(move |peer| async move {
        let listener = qtasync::net::TcpListener::bind("127.0.0.1:0").await?;
        many_futures(peer, connections, rounds, || qtasync_pair(&listener)).await
    })
}

fn async_io_many(connections: usize, rounds: usize) -> io::Result<Outcome> {
    AsyncExecutor::block_on(move |peer| async move {
        let listener = async_io::Async::<TcpListener>::bind(([127, 0, 0, 1], 0))?;
        many_futures(peer, connections, rounds, || async_io_pair(&listener)).await
    })
}

fn tokio_many(connections: usize, rounds: usize) -> io::Result<Outcome> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    Tokio::block_on_io(move |peer| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let mut clients = Vec::with_capacity(connections);
        countdown::arm(2 * connections);
        for _ in 0..connections {
            let (client, mut server) = tokio_pair(&listener).await?;
            peer.spawn(async move {
                let mut buffer = vec![0u8; BIG];
                while let Ok(read @ 1..) = server.read(&mut buffer).await {
                    if server.write_all(&buffer[..read]).await.is_err() {
                        break;
                    }
                }
                countdown::tick();
            });
            clients.push(client);
        }
        let finish = Finish::new();
        let start = Instant::now();
        for mut client in clients {
            let finish = finish.clone();
            peer.spawn(async move {
                let (message, mut back) = (vec![7u8; BIG], vec![0u8; BIG]);
                let mut ok = true;
                for _ in 0..rounds {
                    let echoed = async {
                        client.write_all(&message).await?;
                        client.read_exact(&mut back).await
                    };
                    if echoed.await.is_err() || back != message {
                        ok = false;
                        break;
                    }
                }
                drop(client);
                finish.client_done(ok);
            });
        }
        countdown::finished().await;
        Ok(finish.outcome(start, connections, rounds))
    })?
}
