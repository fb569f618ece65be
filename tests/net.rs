//! `qtasync::net` on the real Qt loop, over real localhost sockets: TCP, UDP and Unix domain
//! sockets, and the faults: refused, reset, end of stream, writing to a closed peer (no
//! SIGPIPE), names that do not resolve, and a loop closed with sockets still open.

use std::io;
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use qtasync::net::{TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream};
use qtasync::{sleep, spawn, yield_now};
use qtasync_tests::until;

/// A port nobody listens on (bound, then closed).
fn closed_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

#[qtasync::test(timeout = "20s")]
async fn tcp_echo_round_trips_with_addresses_and_nodelay() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = spawn(async move {
        let (mut peer, from) = listener.accept().await?;
        assert_eq!(peer.peer_addr()?, from);
        let mut buffer = [0; 64];
        loop {
            let n = peer.read(&mut buffer).await?;
            if n == 0 {
                return io::Result::Ok(());
            }
            peer.write_all(&buffer[..n]).await?;
        }
    })
    .unwrap();
    let mut client = TcpStream::connect(address).await?;
    assert_eq!(client.peer_addr()?, address);
    assert_eq!(client.local_addr()?.ip(), address.ip());
    client.set_nodelay(true)?;
    assert!(client.nodelay()?);
    for round in 0..100u32 {
        let message = round.to_be_bytes();
        client.write_all(&message).await?;
        let mut echo = [0; 4];
        client.read_exact(&mut echo).await?;
        assert_eq!(echo, message);
    }
    client.shutdown(Shutdown::Write)?; // the server reads end of stream and returns
    server.await.unwrap()?;
    drop(client);
    assert_eq!(qtasync::io::registrations(), 0);
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn connecting_to_a_closed_port_is_connection_refused() {
    let error = TcpStream::connect(closed_port()).await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
    assert_eq!(qtasync::io::registrations(), 0, "the failed attempt's socket is gone");
}

#[qtasync::test(timeout = "20s")]
async fn connect_timeout_gives_up_with_timed_out_when_the_server_never_answers() {
    // A listener with a backlog of 0 that never accepts: once its queue is full, the kernel
    // drops further SYNs, and those connects never finish.
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into()).unwrap();
    socket.listen(0).unwrap();
    let address = socket.local_addr().unwrap().as_socket().unwrap();
    let mut connected = Vec::new();
    let mut timed_out = None;
    for _ in 0..16 {
        let started = Instant::now();
        match TcpStream::connect_timeout(address, Duration::from_millis(50)).await {
            Ok(stream) => connected.push(stream),
            Err(error) => {
                timed_out = Some((error, started.elapsed()));
                break;
            }
        }
    }
    let (error, took) = timed_out.expect("a full backlog leaves a connect hanging");
    assert_eq!(error.kind(), io::ErrorKind::TimedOut, "{error:?}");
    assert!(took >= Duration::from_millis(50) && took < Duration::from_secs(5), "{took:?}");
    drop(connected);
    assert_eq!(qtasync::io::registrations(), 0, "the abandoned attempt's socket is gone");
}

#[qtasync::test(timeout = "20s")]
async fn a_name_that_does_not_resolve_and_a_malformed_address_are_errors() {
    // The lookup runs on the executor (getaddrinfo never blocks the Qt thread).
    let result = TcpStream::connect(("no-such-host.invalid", 80)).await;
    assert!(result.is_err(), "{result:?}");
    let bad = TcpStream::connect("not an address").await.unwrap_err();
    assert_eq!(bad.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
}

#[qtasync::test(timeout = "20s")]
async fn a_peer_that_closes_gives_end_of_stream_not_an_error() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let mut client = TcpStream::connect(listener.local_addr()?).await?;
    let (mut peer, _) = listener.accept().await?;
    peer.write_all(b"bye").await?;
    drop(peer);
    let mut text = Vec::new();
    client.read_to_end(&mut text).await?;
    assert_eq!(text, b"bye");
    assert_eq!(client.read(&mut [0; 8]).await?, 0, "still end of stream");
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn a_peer_reset_mid_read_is_connection_reset() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let mut client = TcpStream::connect(listener.local_addr()?).await?;
    let (peer, _) = listener.accept().await?;
    let reader = spawn(async move {
        let mut buffer = [0; 8];
        client.read(&mut buffer).await
    })
    .unwrap();
    for _ in 0..20 {
        yield_now().await; // the reader is waiting now
    }
    // SO_LINGER 0: close sends RST instead of FIN.
    socket2::SockRef::from(peer.get_ref()).set_linger(Some(Duration::ZERO))?;
    drop(peer);
    let error = reader.await.unwrap().unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn writing_to_a_closed_peer_is_an_error_and_no_sigpipe_kills_the_process() -> io::Result<()> {
    // The default SIGPIPE action kills the process; Rust's runtime ignores it, so restore the
    // default to prove that qtasync's writes never raise it.
    // SAFETY: setting a signal's disposition to SIG_DFL installs no handler code.
    let previous = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let mut client = TcpStream::connect(listener.local_addr()?).await?;
    let (peer, _) = listener.accept().await?;
    drop(peer);
    let mut outcome = Ok(0);
    for _ in 0..1000 {
        outcome = client.write(&[0; 4096]).await;
        if outcome.is_err() {
            break;
        }
        sleep(Duration::from_millis(1)).await;
    }
    let (a, b) = UnixStream::pair()?;
    drop(b);
    let unix_outcome = (&a).write(b"x").await;
    // SAFETY: puts back the disposition read above (a handler address or SIG_IGN/SIG_DFL).
    unsafe { libc::signal(libc::SIGPIPE, previous) };
    let error = outcome.unwrap_err();
    assert!(
        matches!(error.kind(), io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset),
        "{error:?}"
    );
    assert_eq!(unix_outcome.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn a_dropped_pending_accept_deregisters_at_once() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let waited = qtasync::timeout(Duration::from_millis(10), listener.accept()).await;
    assert!(waited.is_err());
    assert_eq!(qtasync::io::waiters(), 0);
    assert_eq!(qtasync::io::registrations(), 1);
    drop(listener);
    assert_eq!(qtasync::io::registrations(), 0);
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn incoming_yields_each_connection_and_one_task_reads_while_another_writes() -> io::Result<()>
{
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    let clients = spawn(async move {
        let mut streams = Vec::new();
        for _ in 0..3 {
            streams.push(TcpStream::connect(address).await.unwrap());
        }
        streams
    })
    .unwrap();
    let mut accepted = Vec::new();
    let mut incoming = listener.incoming();
    while accepted.len() < 3 {
        accepted.push(incoming.next().await.unwrap()?);
    }
    let clients = clients.await.unwrap();
    // &TcpStream reads and writes: both directions at once on one connection.
    let stream = std::rc::Rc::new(clients.into_iter().next().unwrap());
    let writer_stream = stream.clone();
    let writer = spawn(async move { (&*writer_stream).write_all(b"ping").await }).unwrap();
    let mut buffer = [0; 4];
    let peer = &accepted[0];
    (&*peer).read_exact(&mut buffer).await?;
    (&*peer).write_all(b"pong").await?;
    (&*stream).read_exact(&mut buffer).await?;
    assert_eq!(&buffer, b"pong");
    writer.await.unwrap()?;
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn udp_send_to_recv_from_and_connected_send_recv() -> io::Result<()> {
    let a = UdpSocket::bind("127.0.0.1:0").await?;
    let b = UdpSocket::bind("127.0.0.1:0").await?;
    let (a_address, b_address) = (a.local_addr()?, b.local_addr()?);
    let receiver = spawn(async move {
        let mut buffer = [0; 32];
        let (n, from) = b.recv_from(&mut buffer).await.unwrap();
        (buffer[..n].to_vec(), from, b)
    })
    .unwrap();
    sleep(Duration::from_millis(5)).await; // the receiver waits for readability first
    a.send_to(b"datagram", b_address).await?;
    let (data, from, b) = receiver.await.unwrap();
    assert_eq!((data.as_slice(), from), (&b"datagram"[..], a_address));
    b.connect(a_address).await?;
    a.connect(b_address).await?;
    assert_eq!(a.peer_addr()?, b_address);
    b.send(b"reply").await?;
    let mut buffer = [0; 32];
    let n = a.recv(&mut buffer).await?;
    assert_eq!(&buffer[..n], b"reply");
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn unix_sockets_connect_accept_and_a_missing_path_is_an_error() -> io::Result<()> {
    let path = std::env::temp_dir().join(format!("qtasync-net-test-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    let mut client = UnixStream::connect(&path).await?;
    let (mut peer, _) = listener.accept().await?;
    client.write_all(b"over unix").await?;
    client.close().await?;
    let mut text = String::new();
    peer.read_to_string(&mut text).await?;
    assert_eq!(text, "over unix");
    assert!(client.peer_addr()?.as_pathname().is_some());
    drop((listener, client, peer));
    std::fs::remove_file(&path)?;
    let missing = UnixStream::connect(&path).await.unwrap_err();
    assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    assert_eq!(qtasync::io::registrations(), 0);
    Ok(())
}

#[test]
fn a_loop_closed_with_sockets_open_releases_every_registration() {
    // First run: leave a listener accepting, a connected pair reading and a connect pending in
    // tasks, and let the test's loop close with them (leftovers on purpose).
    let options = qtasync::testing::TestOptions::new()
        .timeout(Some(Duration::from_secs(20)))
        .allow_leftovers(true);
    qtasync::testing::run_test_with(options, || async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let client = TcpStream::connect(address).await.unwrap();
        let (peer, _) = listener.accept().await.unwrap();
        spawn(async move {
            let _ = listener.accept().await; // no second client: waits
        })
        .unwrap();
        spawn(async move {
            let mut client = client;
            let _ = client.read(&mut [0; 8]).await; // the peer never writes: waits
            drop(peer);
        })
        .unwrap();
        until(|| qtasync::io::waiters() == 2).await;
        assert_eq!(qtasync::io::registrations(), 3);
    });
    // Second run on the same Qt thread: everything was released when the loop closed.
    qtasync::testing::run_test(Some(Duration::from_secs(20)), || async {
        assert_eq!(qtasync::io::registrations(), 0);
        assert_eq!(qtasync::io::waiters(), 0);
    });
}
