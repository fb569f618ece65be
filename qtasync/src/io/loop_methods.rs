//! asyncio's `add_reader`/`add_writer`/`remove_reader`/`remove_writer` on [`EventLoop`].

use std::io;
use std::os::fd::RawFd;
use std::rc::Rc;

use super::reactor;
use super::source::Direction;
use crate::EventLoop;

/// Watching raw descriptors with callbacks (asyncio's `add_reader` family). The callback runs
/// through [`call_soon`](EventLoop::call_soon) each time the descriptor is ready, as long as it
/// stays registered (level-triggered: again while still ready), under the same panic guard: a
/// panic is reported to the exception handler and the loop goes on.
///
/// Remove the registration before closing the descriptor. A descriptor closed while registered
/// is dropped from the poller by the kernel (its callback stops); `remove_*` still clears it.
/// The registration holds its loop: one left on a closed loop is released the next time its
/// descriptor is ready (`call_soon` then fails), or by `remove_*`.
///
/// ```
/// use std::cell::Cell;
/// use std::io::Write;
/// use std::os::fd::AsRawFd;
/// use std::os::unix::net::UnixStream;
/// use std::rc::Rc;
///
/// qtasync::Runner::new().keep_running(false).run(async {
///     let event_loop = qtasync::get_running_loop().unwrap();
///     let (a, mut b) = UnixStream::pair().unwrap();
///     let fd = a.as_raw_fd();
///     let done = Rc::new(qtasync::sync::Event::new());
///     let (seen, signal) = (Rc::new(Cell::new(false)), done.clone());
///     let flag = seen.clone();
///     event_loop.add_reader(fd, move || { flag.set(true); signal.set(); }).unwrap();
///     b.write_all(b"x").unwrap();
///     done.wait().await;
///     assert!(event_loop.remove_reader(fd));                // one was registered
///     assert!(!event_loop.remove_reader(fd));
///     assert!(seen.get());
/// }).unwrap();
/// ```
impl EventLoop {
    /// Calls `callback` whenever `fd` is readable, until [`remove_reader`](Self::remove_reader);
    /// replaces an earlier reader of `fd`. An error for a closed descriptor, one registered as
    /// an [`Async`](crate::io::Async), or a closed loop.
    pub fn add_reader(&self, fd: RawFd, callback: impl Fn() + 'static) -> io::Result<()> {
        add(self, fd, Direction::Read, Rc::new(callback))
    }

    /// Calls `callback` whenever `fd` is writable, until [`remove_writer`](Self::remove_writer).
    pub fn add_writer(&self, fd: RawFd, callback: impl Fn() + 'static) -> io::Result<()> {
        add(self, fd, Direction::Write, Rc::new(callback))
    }

    /// Stops watching `fd` for reading; whether a reader was registered.
    pub fn remove_reader(&self, fd: RawFd) -> bool {
        remove(fd, Direction::Read)
    }

    /// Stops watching `fd` for writing; whether a writer was registered.
    pub fn remove_writer(&self, fd: RawFd) -> bool {
        remove(fd, Direction::Write)
    }
}

fn add(
    event_loop: &EventLoop,
    fd: RawFd,
    direction: Direction,
    callback: Rc<dyn Fn()>,
) -> io::Result<()> {
    if event_loop.is_closed() {
        return Err(io::Error::other(crate::LoopClosed));
    }
    let reactor = reactor::get()?;
    let source = match reactor.callback_source(fd) {
        Some(source) => source,
        None => {
            let source = reactor.register(fd)?;
            reactor.keep_callback_source(source.clone());
            source
        }
    };
    source.set_callback(direction, callback, Some(event_loop.clone()));
    if let Err(error) = source.update_interest() {
        source.take_callback(direction);
        reactor.release_callback_source(fd);
        return Err(error);
    }
    Ok(())
}

fn remove(fd: RawFd, direction: Direction) -> bool {
    let Some(reactor) = reactor::existing() else { return false };
    let Some(source) = reactor.callback_source(fd) else { return false };
    let removed = source.take_callback(direction);
    // Failing to lower the interest (the descriptor was closed) leaves nothing to lower.
    let _ = source.update_interest();
    drop(source);
    reactor.release_callback_source(fd);
    removed
}
