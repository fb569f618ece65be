//! `UnixStream` and `UnixListener` on Qt's loop.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use socket2::{Domain, SockAddr, Socket, Type};

use super::stream_io::stream_io;
use super::tcp::connect_socket;
use crate::io::{Async, Direction};

/// A Unix domain stream socket on Qt's loop; `futures::io::{AsyncRead, AsyncWrite}` (also on
/// `&UnixStream`). Writing to a closed peer is an error, never a SIGPIPE.
///
/// ```
/// use futures::{AsyncReadExt, AsyncWriteExt};
/// use qtasync::net::UnixStream;
///
/// qtasync::Runner::new().keep_running(false).run(async {
///     let (mut a, mut b) = UnixStream::pair()?;
///     a.write_all(b"over").await?;
///     a.close().await?;                                      // b reads end of stream next
///     let mut text = String::new();
///     b.read_to_string(&mut text).await?;
///     assert_eq!(text, "over");
///     std::io::Result::Ok(())
/// }).unwrap().unwrap().unwrap();
/// ```
pub struct UnixStream {
    pub(crate) inner: Async<std::os::unix::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let address = SockAddr::unix(path)?;
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
        Ok(UnixStream { inner: connect_socket(socket, &address).await? })
    }

    /// A connected pair.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = std::os::unix::net::UnixStream::pair()?;
        Ok((UnixStream::from_std(a)?, UnixStream::from_std(b)?))
    }

    /// Registers a connected std stream with the loop (made non-blocking).
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream { inner: Async::new(stream)? })
    }

    /// The std stream.
    pub fn get_ref(&self) -> &std::os::unix::net::UnixStream {
        self.inner.get_ref()
    }

    /// The remote address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().local_addr()
    }

    /// Shuts down the read side, the write side or both.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.get_ref().shutdown(how)
    }

    fn shutdown_write(&self) -> io::Result<()> {
        match self.shutdown(Shutdown::Write) {
            Err(error) if error.kind() == io::ErrorKind::NotConnected => Ok(()),
            result => result,
        }
    }
}

stream_io!(UnixStream);

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UnixStream").field(self.get_ref()).finish()
    }
}

/// A Unix domain server socket on Qt's loop.
///
/// ```
/// use qtasync::net::{UnixListener, UnixStream};
///
/// qtasync::Runner::new().keep_running(false).run(async {
///     let path = std::env::temp_dir().join(format!("qtasync-doc-{}.sock", std::process::id()));
///     let _ = std::fs::remove_file(&path);
///     let listener = UnixListener::bind(&path)?;
///     let _client = UnixStream::connect(&path).await?;
///     let (_peer, _) = listener.accept().await?;
///     std::fs::remove_file(&path)
/// }).unwrap().unwrap().unwrap();
/// ```
pub struct UnixListener {
    inner: Async<std::os::unix::net::UnixListener>,
}

impl UnixListener {
    /// Binds to `path` and listens.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        UnixListener::from_std(std::os::unix::net::UnixListener::bind(path)?)
    }

    /// Registers a listening std socket with the loop (made non-blocking).
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener { inner: Async::new(listener)? })
    }

    /// The std listener.
    pub fn get_ref(&self) -> &std::os::unix::net::UnixListener {
        self.inner.get_ref()
    }

    /// The bound address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().local_addr()
    }

    /// The next connection.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, address) = self.inner.read_with(|listener| listener.accept()).await?;
        Ok((UnixStream::from_std(stream)?, address))
    }

    /// Every connection, as a `Stream` (it never ends; an error is an item).
    pub fn incoming(&self) -> UnixIncoming<'_> {
        UnixIncoming { listener: self }
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UnixListener").field(self.get_ref()).finish()
    }
}

/// The connections of a [`UnixListener`].
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct UnixIncoming<'a> {
    listener: &'a UnixListener,
}

impl Stream for UnixIncoming<'_> {
    type Item = io::Result<UnixStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let accepted = self.listener.inner.poll_op(Direction::Read, cx, |l| l.accept());
        accepted.map(|result| Some(result.and_then(|(stream, _)| UnixStream::from_std(stream))))
    }
}
