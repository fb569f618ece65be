//! `TcpStream` and `TcpListener` on Qt's loop.

use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::resolve::resolve;
use super::stream_io::stream_io;
use crate::io::{Async, Direction};

/// A TCP connection on Qt's loop; `futures::io::{AsyncRead, AsyncWrite}` (also on `&TcpStream`,
/// so one task may read while another writes). End of stream is `Ok(0)`; writing to a closed
/// peer is an error (`BrokenPipe` or `ConnectionReset`), never a SIGPIPE.
///
/// ```
/// use futures::{AsyncReadExt, AsyncWriteExt};
/// use qtasync::net::{TcpListener, TcpStream};
///
/// qtasync::Runner::new().keep_running(false).run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let address = listener.local_addr()?;
///     let server = qtasync::spawn(async move {
///         let (mut peer, _) = listener.accept().await?;
///         let mut line = [0; 5];
///         peer.read_exact(&mut line).await?;
///         peer.write_all(&line).await?;                       // echo
///         std::io::Result::Ok(())
///     }).unwrap();
///     let mut client = TcpStream::connect(address).await?;
///     client.write_all(b"hello").await?;
///     let mut echo = [0; 5];
///     client.read_exact(&mut echo).await?;
///     assert_eq!(&echo, b"hello");
///     server.await.unwrap()
/// }).unwrap().unwrap().unwrap();
/// ```
pub struct TcpStream {
    pub(crate) inner: Async<std::net::TcpStream>,
}

impl TcpStream {
    /// Connects to the first address of `addr` that accepts (names are resolved on the loop's
    /// executor). The error of the last address tried when none does (`ConnectionRefused` ...).
    pub async fn connect<A: ToSocketAddrs + Send + 'static>(addr: A) -> io::Result<TcpStream> {
        let mut last_error = None;
        for address in resolve(addr).await? {
            match TcpStream::connect_addr(address).await {
                Ok(stream) => return Ok(stream),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("no address to connect to")))
    }

    /// [`connect`](Self::connect) within `limit`: `ErrorKind::TimedOut` when it runs out (the
    /// attempt is abandoned and its socket closed).
    pub async fn connect_timeout<A: ToSocketAddrs + Send + 'static>(
        addr: A,
        limit: Duration,
    ) -> io::Result<TcpStream> {
        crate::timeout(limit, TcpStream::connect(addr))
            .await
            .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")))
    }

    /// A non-blocking connect to one address (asyncio's `sock_connect` underneath).
    async fn connect_addr(address: SocketAddr) -> io::Result<TcpStream> {
        let socket = Socket::new(Domain::for_address(address), Type::STREAM, Some(Protocol::TCP))?;
        let stream = connect_socket(socket, &address.into()).await?;
        Ok(TcpStream { inner: stream })
    }

    /// Registers a connected std stream with the loop (made non-blocking).
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream { inner: Async::new(stream)? })
    }

    /// The std stream (non-blocking), deregistered.
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        self.inner.into_inner()
    }

    /// The std stream, for options not wrapped here.
    pub fn get_ref(&self) -> &std::net::TcpStream {
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

    /// `TCP_NODELAY` (Nagle's algorithm off when true).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.get_ref().nodelay()
    }

    /// Shuts down the read side, the write side (the peer reads end of stream) or both.
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

stream_io!(TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TcpStream").field(self.get_ref()).finish()
    }
}

/// Starts a non-blocking connect on `socket` and waits for its outcome.
pub(crate) async fn connect_socket<T>(socket: Socket, address: &SockAddr) -> io::Result<Async<T>>
where
    T: From<Socket> + std::os::fd::AsRawFd + std::os::fd::AsFd,
{
    socket.set_nonblocking(true)?;
    match socket.connect(address) {
        Ok(()) => {}
        Err(error)
            if error.raw_os_error() == Some(libc::EINPROGRESS)
                || error.kind() == io::ErrorKind::WouldBlock => {}
        Err(error) => return Err(error),
    }
    let stream = Async::new(T::from(socket))?;
    stream.writable().await?;
    let socket = socket2::SockRef::from(stream.get_ref());
    if let Some(error) = socket.take_error()? {
        return Err(error);
    }
    Ok(stream)
}

/// A TCP server socket on Qt's loop.
///
/// ```
/// use futures::StreamExt;
/// use qtasync::net::{TcpListener, TcpStream};
///
/// qtasync::Runner::new().keep_running(false).run(async {
///     let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
///     let address = listener.local_addr()?;
///     let _client = TcpStream::connect(address).await?;
///     let mut incoming = listener.incoming();
///     let peer = incoming.next().await.unwrap()?;
///     assert_eq!(peer.local_addr()?, address);
///     std::io::Result::Ok(())
/// }).unwrap().unwrap().unwrap();
/// ```
pub struct TcpListener {
    inner: Async<std::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (names resolved on the executor) and listens.
    pub async fn bind<A: ToSocketAddrs + Send + 'static>(addr: A) -> io::Result<TcpListener> {
        let addresses = resolve(addr).await?;
        TcpListener::from_std(std::net::TcpListener::bind(&addresses[..])?)
    }

    /// Registers a listening std socket with the loop (made non-blocking).
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener { inner: Async::new(listener)? })
    }

    /// The std listener.
    pub fn get_ref(&self) -> &std::net::TcpListener {
        self.inner.get_ref()
    }

    /// The bound address (with the port the system chose for port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().local_addr()
    }

    /// The next connection. An error (`EMFILE` when out of descriptors, say) leaves the
    /// listener usable.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, address) = self.inner.read_with(|listener| listener.accept()).await?;
        Ok((TcpStream::from_std(stream)?, address))
    }

    /// Every connection, as a `Stream` (it never ends; an error is an item).
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TcpListener").field(self.get_ref()).finish()
    }
}

/// The connections of a [`TcpListener`].
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct Incoming<'a> {
    listener: &'a TcpListener,
}

impl Stream for Incoming<'_> {
    type Item = io::Result<TcpStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let accepted = self.listener.inner.poll_op(Direction::Read, cx, |l| l.accept());
        accepted.map(|result| Some(result.and_then(|(stream, _)| TcpStream::from_std(stream))))
    }
}
