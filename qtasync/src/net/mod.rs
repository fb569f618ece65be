//! Sockets on Qt's loop: [`TcpStream`], [`TcpListener`], [`UdpSocket`], [`UnixStream`],
//! [`UnixListener`], all registered with the thread's one I/O reactor (see [`crate::io`]).
//! Streams implement `futures::io::{AsyncRead, AsyncWrite}` (wrap one in
//! `futures::io::BufReader` for `AsyncBufRead`), so crates written against those traits work
//! unchanged.
//!
//! Name resolution (`getaddrinfo`) runs on the loop's executor (`run_in_executor`): the Qt
//! thread never blocks on DNS. Literal addresses skip it.
//!
//! SIGPIPE: stream writes use `send(MSG_NOSIGNAL)`, so writing to a closed peer is an error
//! (`BrokenPipe`/`ConnectionReset`) and never kills the process, whatever the process's SIGPIPE
//! disposition is.

pub(crate) mod resolve;
pub(crate) mod stream_io;
mod tcp;
mod udp;
mod unix;

pub use tcp::{Incoming, TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixIncoming, UnixListener, UnixStream};
