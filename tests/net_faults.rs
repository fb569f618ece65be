//! `qtasync::net` faults that need a process of their own: `accept` when the process is out of
//! file descriptors (EMFILE). The child lowers its RLIMIT_NOFILE and fills the table, so the
//! limit never reaches the other tests; the listener must report the error, keep the pending
//! connection queued, and accept it once a descriptor is free, with the loop running throughout.

use std::fs::File;
use std::io;
use std::time::Duration;

use futures::{AsyncReadExt, AsyncWriteExt};
use qtasync::net::TcpListener;
use qtasync_tests::child_process::{child_case, child_passes};
use socket2::{Domain, Socket, Type};

/// The soft descriptor limit the child runs under (the hard limit stays).
const LIMIT: libc::rlim_t = 256;

fn lower_fd_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: `limit` is a valid, writable `rlimit` for the duration of the call.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) }, 0);
    limit.rlim_cur = LIMIT.min(limit.rlim_max);
    // SAFETY: `limit` is a valid `rlimit`; lowering the soft limit affects only this process
    // (the child running this case).
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
}

/// Opens /dev/null until the process is out of descriptors; returns what it opened.
fn exhaust_descriptors() -> Vec<File> {
    let mut fillers = Vec::new();
    loop {
        match File::open("/dev/null") {
            Ok(file) => fillers.push(file),
            Err(error) if error.raw_os_error() == Some(libc::EMFILE) => return fillers,
            Err(error) => panic!("opening /dev/null failed with {error}, not EMFILE"),
        }
    }
}

fn accept_at_fd_limit_child() {
    qtasync::Runner::new()
        .keep_running(false)
        .run(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let address = socket2::SockAddr::from(listener.local_addr()?);
            // The clients' sockets exist before the table is full: connect needs no new one.
            let first = Socket::new(Domain::IPV4, Type::STREAM, None)?;
            let second = Socket::new(Domain::IPV4, Type::STREAM, None)?;
            lower_fd_limit();
            let mut fillers = exhaust_descriptors();
            assert!(!fillers.is_empty(), "the limit leaves room for at least one file");

            // The kernel completes the handshake and queues the connection; accept cannot take
            // it without a descriptor.
            first.connect(&address)?;
            let error = listener.accept().await.expect_err("no descriptor is left");
            assert_eq!(error.raw_os_error(), Some(libc::EMFILE), "{error}");
            // The loop keeps running (timers and tasks) while the connection waits.
            qtasync::sleep(Duration::from_millis(1)).await;
            let error = listener.accept().await.expect_err("still no descriptor");
            assert_eq!(error.raw_os_error(), Some(libc::EMFILE), "{error}");
            println!("EMFILE reported twice, the loop still running");

            // One descriptor freed: the queued connection is accepted and works.
            drop(fillers.pop());
            let (mut peer, _) = listener.accept().await?;
            let mut first = std::net::TcpStream::from(first);
            io::Write::write_all(&mut first, b"ping")?;
            let mut word = [0; 4];
            peer.read_exact(&mut word).await?;
            assert_eq!(&word, b"ping");
            peer.write_all(b"pong").await?;
            io::Read::read_exact(&mut first, &mut word)?;
            assert_eq!(&word, b"pong");

            // The server goes on accepting new connections.
            drop(peer);
            second.connect(&address)?;
            let (_peer, from) = listener.accept().await?;
            assert_eq!(socket2::SockAddr::from(from), second.local_addr()?);
            println!("accepted after the limit");
            io::Result::Ok(())
        })
        .expect("the loop runs")
        .expect("the case completes")
        .expect("no I/O error");
}

fn main() {
    if std::env::var_os("QT_QPA_PLATFORM").is_none() {
        std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    }
    if let Some(case) = child_case() {
        match case.as_str() {
            "accept_at_fd_limit" => accept_at_fd_limit_child(),
            other => panic!("unknown child case {other:?}"),
        }
        return;
    }
    let stdout = child_passes("accept_at_fd_limit");
    assert!(stdout.contains("EMFILE reported twice"), "{stdout}");
    assert!(stdout.contains("accepted after the limit"), "{stdout}");
    println!("test accept_keeps_serving_when_out_of_descriptors ... ok");
}
