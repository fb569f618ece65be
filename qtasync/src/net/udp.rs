//! `UdpSocket` on Qt's loop.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

use super::resolve::resolve;
use crate::io::Async;

/// A UDP socket on Qt's loop.
///
/// ```
/// use qtasync::net::UdpSocket;
///
/// qtasync::Runner::new().keep_running(false).run(async {
///     let a = UdpSocket::bind("127.0.0.1:0").await?;
///     let b = UdpSocket::bind("127.0.0.1:0").await?;
///     a.send_to(b"ping", b.local_addr()?).await?;
///     let mut buffer = [0; 16];
///     let (n, from) = b.recv_from(&mut buffer).await?;
///     assert_eq!((&buffer[..n], from), (&b"ping"[..], a.local_addr()?));
///     std::io::Result::Ok(())
/// }).unwrap().unwrap().unwrap();
/// ```
pub struct UdpSocket {
    inner: Async<std::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` (names resolved on the loop's executor).
    pub async fn bind<A: ToSocketAddrs + Send + 'static>(addr: A) -> io::Result<UdpSocket> {
        let addresses = resolve(addr).await?;
        UdpSocket::from_std(std::net::UdpSocket::bind(&addresses[..])?)
    }

    /// Registers a std socket with the loop (made non-blocking).
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket { inner: Async::new(socket)? })
    }

    /// The std socket.
    pub fn get_ref(&self) -> &std::net::UdpSocket {
        self.inner.get_ref()
    }

    /// Sets the default peer for [`send`](Self::send) and the only source for
    /// [`recv`](Self::recv) (the first address of `addr`).
    pub async fn connect<A: ToSocketAddrs + Send + 'static>(&self, addr: A) -> io::Result<()> {
        let addresses = resolve(addr).await?;
        self.get_ref().connect(&addresses[..])
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().local_addr()
    }

    /// The connected peer.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.get_ref().peer_addr()
    }

    /// Sends one datagram to `target`.
    pub async fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.inner.write_with(|socket| socket.send_to(buf, target)).await
    }

    /// Receives one datagram and its sender.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.read_with(|socket| socket.recv_from(buf)).await
    }

    /// Sends one datagram to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write_with(|socket| socket.send(buf)).await
    }

    /// Receives one datagram from the connected peer.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|socket| socket.recv(buf)).await
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UdpSocket").field(self.get_ref()).finish()
    }
}
