//! asyncio's `StreamWriter`: `write` buffers, `drain` sends, `close`/`wait_closed`.

use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_io::AsyncRead;
use futures_util::AsyncWriteExt;

use crate::net::TcpStream;

/// The reading half of a shared connection (the writer holds the other `Rc`).
pub(crate) struct SharedRead(pub(crate) Rc<TcpStream>);

impl AsyncRead for SharedRead {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.0).poll_read(cx, buf)
    }
}

/// The writing side of a connection (asyncio's `StreamWriter`).
pub struct StreamWriter {
    stream: Rc<TcpStream>,
    buffer: Vec<u8>,
    closing: bool,
}

impl StreamWriter {
    pub(crate) fn new(stream: Rc<TcpStream>) -> Self {
        StreamWriter { stream, buffer: Vec::new(), closing: false }
    }

    /// Queues `data`; [`drain`](Self::drain) sends it. Ignored once closing (as in asyncio).
    pub fn write(&mut self, data: &[u8]) {
        if !self.closing {
            self.buffer.extend_from_slice(data);
        }
    }

    /// Bytes queued and not sent yet.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// Sends everything queued (waits while the socket's buffer is full). An error when the
    /// peer is gone (`BrokenPipe`/`ConnectionReset`, never a SIGPIPE).
    pub async fn drain(&mut self) -> io::Result<()> {
        let data = std::mem::take(&mut self.buffer);
        (&*self.stream).write_all(&data).await
    }

    /// Ends the write side after what is queued (asyncio's `write_eof`); the peer reads end of
    /// stream.
    pub async fn write_eof(&mut self) -> io::Result<()> {
        self.drain().await?;
        self.stream.shutdown(Shutdown::Write)
    }

    /// Starts closing: nothing more is queued. [`wait_closed`](Self::wait_closed) sends what is
    /// queued and closes the connection.
    pub fn close(&mut self) {
        self.closing = true;
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closing(&self) -> bool {
        self.closing
    }

    /// Sends what is queued, then shuts the connection down in both directions (the reader,
    /// if still used, reads end of stream). Its socket closes once the reader is dropped too.
    pub async fn wait_closed(&mut self) -> io::Result<()> {
        self.closing = true;
        self.drain().await?;
        match self.stream.shutdown(Shutdown::Both) {
            Err(error) if error.kind() == io::ErrorKind::NotConnected => Ok(()),
            result => result,
        }
    }

    /// The peer's address (asyncio's `get_extra_info('peername')`).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.stream.peer_addr()
    }

    /// The local address (`get_extra_info('sockname')`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.stream.local_addr()
    }
}

impl fmt::Debug for StreamWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamWriter")
            .field("buffered", &self.buffer.len())
            .field("closing", &self.closing)
            .finish()
    }
}
