//! `Async<T>`: any descriptor-backed I/O object, non-blocking, registered with this thread's
//! reactor, with `readable().await`/`writable().await` and `futures::io` traits.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::reactor;
use super::source::{Direction, Source};

/// An I/O object on Qt's loop (async-io's `Async`): the descriptor is made non-blocking and
/// registered with the thread's reactor; operations that would block wait for readiness instead.
///
/// `!Send`: it belongs to the thread that made it (the loop's). Dropping it removes the
/// registration before the I/O object is closed; a pending `readable()`/`writable()` future
/// that is dropped withdraws its interest at once.
///
/// ```
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// use qtasync::io::Async;
///
/// qtasync::Runner::new().keep_running(false).run(async {
///     let (a, mut b) = UnixStream::pair()?;
///     let a = Async::new(a)?;
///     b.write_all(b"ping")?;
///     a.readable().await?;                              // no thread, no busy loop
///     let mut buffer = [0; 4];
///     let n = a.read_with(|mut s| s.read(&mut buffer)).await?;
///     assert_eq!(&buffer[..n], b"ping");
///     std::io::Result::Ok(())
/// }).unwrap().unwrap().unwrap();
/// ```
pub struct Async<T: AsRawFd> {
    // Declared before `io`: dropped first, so the descriptor leaves the poller before it closes.
    source: Rc<Source>,
    io: Option<T>,
    /// The waiters of the `futures::io` poll methods (they have no future to keep them in).
    read_slot: Cell<Option<u64>>,
    write_slot: Cell<Option<u64>>,
}

// `T` is never pinned through `Async` (nothing projects a pin to it).
impl<T: AsRawFd> Unpin for Async<T> {}

impl<T: AsRawFd> Async<T> {
    /// Makes `io` non-blocking and registers it with this thread's reactor. An error when the
    /// descriptor is invalid (closed), already registered, or the thread has no Qt event loop.
    pub fn new(io: T) -> io::Result<Async<T>> {
        let fd = io.as_raw_fd();
        set_nonblocking(fd)?;
        let source = reactor::get()?.register(fd)?;
        Ok(Async { source, io: Some(io), read_slot: Cell::new(None), write_slot: Cell::new(None) })
    }

    /// The I/O object.
    pub fn get_ref(&self) -> &T {
        self.io.as_ref().expect("the I/O object is present until into_inner")
    }

    /// Deregisters and gives the I/O object back (still non-blocking).
    pub fn into_inner(mut self) -> io::Result<T> {
        let io = self.io.take().expect("the I/O object is present until into_inner");
        self.clear_slots();
        // `self` drops here: the last `Rc<Source>` goes, which deregisters the descriptor.
        drop(self);
        Ok(io)
    }

    /// Waits until the descriptor is readable (or at its end, or in error).
    pub fn readable(&self) -> Readiness<'_> {
        Readiness { source: &self.source, direction: Direction::Read, slot: None }
    }

    /// Waits until the descriptor is writable (or in error).
    pub fn writable(&self) -> Readiness<'_> {
        Readiness { source: &self.source, direction: Direction::Write, slot: None }
    }

    /// Poll form of [`readable`](Self::readable) (one waiter per `Async`).
    pub fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        poll_slot(&self.source, Direction::Read, &self.read_slot, cx)
    }

    /// Poll form of [`writable`](Self::writable) (one waiter per `Async`).
    pub fn poll_writable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        poll_slot(&self.source, Direction::Write, &self.write_slot, cx)
    }

    /// Runs `op` until it does not fail with `WouldBlock`, waiting for readability in between.
    pub async fn read_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        loop {
            match op(self.get_ref()) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                result => return result,
            }
            self.readable().await?;
        }
    }

    /// Runs `op` until it does not fail with `WouldBlock`, waiting for writability in between.
    pub async fn write_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        loop {
            match op(self.get_ref()) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                result => return result,
            }
            self.writable().await?;
        }
    }

    /// The operation of `direction` went through: the readiness its waiter saw (if it fired)
    /// is used up. Kept, it would answer the next `WouldBlock` at once with a readiness that is
    /// no longer true, costing one more failed system call per wait.
    fn forget_waiter(&self, direction: Direction) {
        let slot = match direction {
            Direction::Read => &self.read_slot,
            Direction::Write => &self.write_slot,
        };
        if let Some(id) = slot.take() {
            self.source.remove_waiter(direction, &mut Some(id));
        }
    }

    fn clear_slots(&self) {
        let mut slot = self.read_slot.take();
        self.source.remove_waiter(Direction::Read, &mut slot);
        let mut slot = self.write_slot.take();
        self.source.remove_waiter(Direction::Write, &mut slot);
    }

    /// Retries `op` on `WouldBlock` after the poll-side readiness (for the `futures::io` impls).
    pub(crate) fn poll_op<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            match op(self.get_ref()) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                result => {
                    self.forget_waiter(direction);
                    return Poll::Ready(result);
                }
            }
            match direction {
                Direction::Read => ready!(self.poll_readable(cx))?,
                Direction::Write => ready!(self.poll_writable(cx))?,
            }
        }
    }

    fn poll_op_mut<R>(
        &mut self,
        direction: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let io = self.io.as_mut().expect("the I/O object is present until into_inner");
            match op(io) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                result => {
                    self.forget_waiter(direction);
                    return Poll::Ready(result);
                }
            }
            match direction {
                Direction::Read => ready!(self.poll_readable(cx))?,
                Direction::Write => ready!(self.poll_writable(cx))?,
            }
        }
    }
}

fn poll_slot(
    source: &Rc<Source>,
    direction: Direction,
    slot: &Cell<Option<u64>>,
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    let mut current = slot.get();
    let polled = source.poll_ready(direction, &mut current, cx);
    slot.set(current);
    polled
}

impl<T: AsRawFd> Drop for Async<T> {
    fn drop(&mut self) {
        self.clear_slots();
        // Then the fields drop in declaration order: `source` (ours alone, as `Readiness`
        // borrows `self`) deregisters the descriptor before `io` closes it.
    }
}

impl<T: AsRawFd> AsRawFd for Async<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.source.fd
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for Async<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Async").field("io", &self.io).finish()
    }
}

/// Waits for one readiness of an [`Async`]: `Ok(())` once the reactor reported it, an error if
/// the descriptor cannot be watched (closed behind the `Async`'s back). Dropping it withdraws
/// the interest.
#[must_use = "futures do nothing unless awaited"]
pub struct Readiness<'a> {
    source: &'a Rc<Source>,
    direction: Direction,
    slot: Option<u64>,
}

impl Future for Readiness<'_> {
    type Output = io::Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        this.source.poll_ready(this.direction, &mut this.slot, cx)
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        self.source.remove_waiter(self.direction, &mut self.slot);
    }
}

impl fmt::Debug for Readiness<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Readiness").field("direction", &self.direction).finish()
    }
}

impl<T: AsRawFd + Read> AsyncRead for Async<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_op_mut(Direction::Read, cx, |io| io.read(buf))
    }
}

impl<T: AsRawFd + Write> AsyncWrite for Async<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_op_mut(Direction::Write, cx, |io| io.write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_op_mut(Direction::Write, cx, |io| io.flush())
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

/// Sets `O_NONBLOCK` on `fd`.
pub(crate) fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl(F_GETFL/F_SETFL) reads and sets the status flags of a descriptor number;
    // it touches no memory of ours, and a closed number fails with EBADF.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    if flags & libc::O_NONBLOCK == 0 {
        // SAFETY: as above.
        if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}
